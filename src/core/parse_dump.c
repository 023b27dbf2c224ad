/* parse_dump.c - goroutine?debug=2 (and goroutineleak?debug=2) full dumps.
 *
 * One pass over the bytes (memchr per line, no allocation per line), one
 * builder_commit per goroutine with value "count" = 1; the builder groups
 * the stacks. Recognized per goroutine (reference section 4.2/4.3):
 *   goroutine <id>[ gp=.. m=..[ mp=..]] [<state>[, N minutes][, locked to
 *     thread][, synctest ...][ labels:{..}]][ {k: v, ..}]:
 *   <func>(<args>) / \t<file>:<line>[ +0x..]     frame (args dropped)
 *   non-Go function at pc=0x..                   cgo frame (location optional)
 *   ...N frames elided... / ...additional frames elided...   -> group->elided
 *   created by <func>[ in goroutine N] / \t<file>:<line>     -> created_by
 *   [originating from goroutine N]: ...          ancestors: skipped
 *   \tgoroutine running on other thread; stack unavailable   -> no frames
 * Labels (1.26 "labels:{...}" inside the brackets, 1.27 "{...}" after them)
 * are unquoted and re-quoted into the debug=1 form {"k":"v", "k2":"v2"}
 * (Go %q, pairs sorted as strings) so a label set reads the same in every
 * format. " (leaked)" and " (scan)" are removed from the state.
 *
 * Truncation (the server stops at 64 MiB, possibly mid-line): a last line
 * without its newline is dropped, a frame line without its location at the
 * end is dropped, the goroutine keeps its complete frames (its group is
 * marked elided) and snap->truncated is set; an input of exactly 64 MiB is
 * always considered truncated.
 *
 * Not validated: argument lists (only the last '(' is looked for), the
 * "+0x.." / "pc=.." suffixes of location lines, unknown bracket fields
 * (ignored), the contents of ancestor sections, that goroutine ids are
 * unique, that the first goroutine is the requester in [running], and that
 * Unicode printability matches Go's tables exactly for rare non-ASCII label
 * runes (the common non-printable classes are escaped like strconv.Quote).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/goquote.h"
#include "pproftop/hexdigit.h"
#include "pproftop/parse.h"
#include "pproftop/xalloc.h"

#define DUMP_SERVER_CAP ((size_t)64 << 20)

enum dstate {
	S_START,    /* first line: must be a header */
	S_BETWEEN,  /* after a blank line: a header (or more blank lines) */
	S_STACK,    /* inside a goroutine: frames, markers, created by */
	S_LOC,      /* after a function line: its location line */
	S_CBLOC,    /* after "created by": its location line */
	S_ANCESTOR, /* inside "[originating from goroutine N]:" sections */
};

/* A growable scratch buffer, reused for every goroutine. */
struct sbuf {
	char *p;
	size_t len, cap;
};

struct span {
	const char *p;
	size_t n;
};

/* one formatted "k":"v" pair of a label set, at off in the fmt buffer */
struct pair {
	const char *p;
	size_t off, n;
};

struct dump {
	struct builder *b;
	struct parse_err *err;
	size_t lineno;
	enum dstate st;
	bool truncated;
	/* the goroutine being read */
	bool in_g;
	int64_t goid, minutes;
	bool locked, leaked, elided;
	bool tail;     /* created by / ancestors seen: no more frames */
	bool has_body; /* any line after the header */
	struct span state, labels;
	bool has_cb;
	struct span cb_fn, cb_file;
	int64_t cb_line;
	size_t nframes;
	/* function line waiting for its location */
	struct span fn;
	bool fn_loc_optional;
	/* scratch */
	struct sbuf sstate, raw, fmt, text;
	struct pair *pairs;
	size_t cap_pairs;
};

/* ---- small helpers ---- */

static void
sbuf_reserve(struct sbuf *s, size_t extra)
{
	if (s->cap - s->len >= extra)
		return;
	size_t n = s->cap ? s->cap : 256;
	while (n - s->len < extra)
		n *= 2;
	s->p = xreallocarray(s->p, n, 1);
	s->cap = n;
}

static void
sbuf_put(struct sbuf *s, const char *p, size_t n)
{
	sbuf_reserve(s, n);
	if (n > 0)
		memcpy(s->p + s->len, p, n);
	s->len += n;
}

static void
sbuf_putc(struct sbuf *s, char c)
{
	sbuf_reserve(s, 1);
	s->p[s->len++] = c;
}

static bool
has_prefix(const char *p, size_t n, const char *pfx, size_t pn)
{
	return n >= pn && memcmp(p, pfx, pn) == 0;
}

#define HAS(p, n, lit) has_prefix((p), (n), (lit), sizeof(lit) - 1)

static bool
has_suffix(const char *p, size_t n, const char *sfx, size_t sn)
{
	return n >= sn && memcmp(p + n - sn, sfx, sn) == 0;
}

#define ENDS(p, n, lit) has_suffix((p), (n), (lit), sizeof(lit) - 1)

/* Last c in p[0..n), or NULL (memrchr is a GNU extension). */
static const char *
last_char(const char *p, size_t n, char c)
{
	while (n > 0) {
		n--;
		if (p[n] == c)
			return p + n;
	}
	return NULL;
}

/* First occurrence of the literal needle in p[0..n), or NULL. */
static const char *
find_str(const char *p, size_t n, const char *needle, size_t nn)
{
	while (n >= nn) {
		const char *c = memchr(p, needle[0], n - nn + 1);
		if (c == NULL)
			return NULL;
		if (memcmp(c, needle, nn) == 0)
			return c;
		n -= (size_t)(c - p) + 1;
		p = c + 1;
	}
	return NULL;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Decimal digits p[*i..] into *out (at most 18 digits: no overflow).
 * Returns false when there is no digit or too many. */
static bool
parse_uint(const char *p, size_t n, size_t *i, int64_t *out)
{
	size_t j = *i;
	int64_t v = 0;

	while (j < n && is_digit(p[j])) {
		if (j - *i >= 18)
			return false;
		v = v * 10 + (p[j] - '0');
		j++;
	}
	if (j == *i)
		return false;
	*i = j;
	*out = v;
	return true;
}

/* A printable excerpt of a line for error messages. */
static const char *
excerpt(const char *p, size_t n, char *buf, size_t cap)
{
	size_t o = 0, i = 0;

	for (; i < n && o + 4 < cap; i++) {
		unsigned char c = (unsigned char)p[i];
		char ch = '?';
		if (c >= 0x20 && c < 0x7f)
			ch = (char)c;
		else if (c == '\t')
			ch = ' ';
		buf[o++] = ch;
	}
	if (i < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static int
fail(struct dump *d, const char *line, size_t n, const char *what)
{
	char ex[48];

	if (line == NULL)
		return parse_err_set(d->err, d->lineno, 0, "%s", what);
	return parse_err_set(d->err, d->lineno, 0, "%s: \"%s\"", what,
	                     excerpt(line, n, ex, sizeof(ex)));
}

/* ---- labels ---- */


static void
put_utf8(struct sbuf *s, uint32_t r)
{
	char b[4];
	size_t n;

	if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
		r = 0xfffd;
	if (r < 0x80) {
		b[0] = (char)r;
		n = 1;
	} else if (r < 0x800) {
		b[0] = (char)(0xc0 | (r >> 6));
		b[1] = (char)(0x80 | (r & 0x3f));
		n = 2;
	} else if (r < 0x10000) {
		b[0] = (char)(0xe0 | (r >> 12));
		b[1] = (char)(0x80 | ((r >> 6) & 0x3f));
		b[2] = (char)(0x80 | (r & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (r >> 18));
		b[1] = (char)(0x80 | ((r >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((r >> 6) & 0x3f));
		b[3] = (char)(0x80 | (r & 0x3f));
		n = 4;
	}
	sbuf_put(s, b, n);
}

/* One label key or value at p[*i..n): a quoted string (Go/runtime escapes)
 * or a bare token ending at stop1 (key: ':') or at ", " / the end (value).
 * Appends the raw bytes to d->raw. */
static bool
label_token(struct dump *d, const char *p, size_t n, size_t *i, bool key)
{
	size_t j = *i;

	if (j < n && p[j] == '"') {
		j++;
		for (;;) {
			if (j >= n)
				return false;
			char c = p[j++];
			if (c == '"')
				break;
			if (c != '\\') {
				sbuf_putc(&d->raw, c);
				continue;
			}
			if (j >= n)
				return false;
			c = p[j++];
			int digits = 0;
			switch (c) {
			case 'a':
				sbuf_putc(&d->raw, '\a');
				break;
			case 'b':
				sbuf_putc(&d->raw, '\b');
				break;
			case 'f':
				sbuf_putc(&d->raw, '\f');
				break;
			case 'n':
				sbuf_putc(&d->raw, '\n');
				break;
			case 'r':
				sbuf_putc(&d->raw, '\r');
				break;
			case 't':
				sbuf_putc(&d->raw, '\t');
				break;
			case 'v':
				sbuf_putc(&d->raw, '\v');
				break;
			case '\\':
			case '"':
			case '\'':
				sbuf_putc(&d->raw, c);
				break;
			case 'x':
				digits = 2;
				break;
			case 'u':
				digits = 4;
				break;
			case 'U':
				digits = 8;
				break;
			default:
				if (c >= '0' && c <= '7' && j + 2 <= n && p[j] >= '0' &&
				    p[j] <= '7' && p[j + 1] >= '0' && p[j + 1] <= '7') {
					int v =
					    (c - '0') * 64 + (p[j] - '0') * 8 + (p[j + 1] - '0');
					if (v > 255)
						return false;
					sbuf_putc(&d->raw, (char)v);
					j += 2;
					break;
				}
				return false;
			}
			if (digits > 0) {
				uint32_t v = 0;
				if (n - j < (size_t)digits)
					return false;
				for (int k = 0; k < digits; k++) {
					int h = hex_digit((unsigned char)p[j + (size_t)k]);
					if (h < 0)
						return false;
					v = v * 16 + (uint32_t)h;
				}
				j += (size_t)digits;
				if (c == 'x')
					sbuf_putc(&d->raw, (char)v);
				else
					put_utf8(&d->raw, v);
			}
		}
		*i = j;
		return true;
	}
	size_t start = j;
	if (key) {
		while (j < n && p[j] != ':')
			j++;
	} else {
		while (j < n && !(p[j] == ',' && j + 1 < n && p[j + 1] == ' '))
			j++;
	}
	if (key && j == start)
		return false;
	sbuf_put(&d->raw, p + start, j - start);
	*i = j;
	return true;
}

/* Go strconv.Quote of p[0..n) appended to s (goquote.h). */
static void
quote_label(struct sbuf *s, const char *p, size_t n)
{
	sbuf_reserve(s, GO_QUOTE_MAX(n));
	s->len += go_quote(s->p + s->len, p, n);
}

static int
cmp_pairs(const void *pa, const void *pb)
{
	const struct pair *a = pa, *c = pb;
	size_t n = a->n < c->n ? a->n : c->n;
	int r = memcmp(a->p, c->p, n);

	if (r != 0)
		return r;
	return a->n < c->n ? -1 : a->n > c->n;
}

/* Parse the inside of a label block ("k: v, k2: v2" or "\"k\": \"v\", ...")
 * into d->labels (canonical debug=1 text in d->text). */
static bool
parse_labels(struct dump *d, const char *p, size_t n)
{
	size_t i = 0;
	size_t npairs = 0;

	d->labels.p = NULL;
	d->labels.n = 0;
	d->fmt.len = 0;
	sbuf_reserve(&d->raw, 1); /* raw.p is never NULL below */
	while (i < n && p[i] == ' ')
		i++;
	if (i == n)
		return true; /* {} */
	for (;;) {
		d->raw.len = 0;
		if (!label_token(d, p, n, &i, true))
			return false;
		size_t klen = d->raw.len;
		if (i >= n || p[i] != ':')
			return false;
		i++;
		while (i < n && p[i] == ' ')
			i++;
		if (!label_token(d, p, n, &i, false))
			return false;
		if (npairs == d->cap_pairs) {
			d->cap_pairs = d->cap_pairs ? d->cap_pairs * 2 : 16;
			d->pairs = xreallocarray(d->pairs, d->cap_pairs, sizeof(*d->pairs));
		}
		size_t off = d->fmt.len;
		quote_label(&d->fmt, d->raw.p, klen);
		sbuf_putc(&d->fmt, ':');
		quote_label(&d->fmt, d->raw.p + klen, d->raw.len - klen);
		d->pairs[npairs].off = off;
		d->pairs[npairs].n = d->fmt.len - off;
		npairs++;
		if (i == n)
			break;
		if (n - i < 2 || p[i] != ',' || p[i + 1] != ' ')
			return false;
		i += 2;
	}
	for (size_t k = 0; k < npairs; k++)
		d->pairs[k].p = d->fmt.p + d->pairs[k].off;
	if (npairs > 1)
		qsort(d->pairs, npairs, sizeof(*d->pairs), cmp_pairs);
	d->text.len = 0;
	sbuf_putc(&d->text, '{');
	for (size_t k = 0; k < npairs; k++) {
		if (k > 0)
			sbuf_put(&d->text, ", ", 2);
		sbuf_put(&d->text, d->pairs[k].p, d->pairs[k].n);
	}
	sbuf_putc(&d->text, '}');
	d->labels.p = d->text.p;
	d->labels.n = d->text.len;
	return true;
}

/* ---- goroutine header ---- */

/* The state without " (leaked)" / " (scan)" markers. */
static void
set_state(struct dump *d, const char *p, size_t n)
{
	static const char leaked[] = " (leaked)", scan[] = " (scan)";
	bool edited = false;

	d->state.p = p;
	d->state.n = n;
	if (memchr(p, '(', n) == NULL)
		return;
	d->sstate.len = 0;
	for (size_t i = 0; i < n;) {
		if (p[i] == ' ' && n - i >= sizeof(leaked) - 1 &&
		    memcmp(p + i, leaked, sizeof(leaked) - 1) == 0 && i > 0) {
			d->leaked = true;
			edited = true;
			i += sizeof(leaked) - 1;
			continue;
		}
		if (p[i] == ' ' && n - i >= sizeof(scan) - 1 &&
		    memcmp(p + i, scan, sizeof(scan) - 1) == 0 && i > 0) {
			edited = true;
			i += sizeof(scan) - 1;
			continue;
		}
		sbuf_putc(&d->sstate, p[i]);
		i++;
	}
	if (edited) {
		d->state.p = d->sstate.p;
		d->state.n = d->sstate.len;
	}
}

/* One ", field" of the brackets. Unknown fields are ignored. */
static bool
bracket_field(struct dump *d, const char *p, size_t n)
{
	if (ENDS(p, n, " minutes") || ENDS(p, n, " minute")) {
		size_t i = 0;
		int64_t v;
		if (!parse_uint(p, n, &i, &v) || p[i] != ' ')
			return false;
		d->minutes = v;
		return true;
	}
	if (n == 16 && memcmp(p, "locked to thread", 16) == 0)
		d->locked = true;
	return true;
}

static bool
is_header(const char *p, size_t n)
{
	return n > 10 && memcmp(p, "goroutine ", 10) == 0 && is_digit(p[10]);
}

static int
parse_header(struct dump *d, const char *line, size_t n)
{
	size_t i = 10;
	int64_t id;

	d->in_g = true;
	d->goid = 0;
	d->minutes = 0;
	d->locked = d->leaked = d->elided = false;
	d->tail = d->has_body = false;
	d->has_cb = false;
	d->nframes = 0;
	d->labels.p = NULL;
	d->labels.n = 0;

	if (!parse_uint(line, n, &i, &id))
		return fail(d, line, n, "goroutine id out of range");
	d->goid = id;
	/* 1.22+ crash-dump fields: " gp=0x.. m=..[ mp=0x..]" */
	while (i < n && line[i] == ' ' && i + 1 < n && line[i + 1] != '[') {
		i++;
		while (i < n && line[i] != ' ' && line[i] != '[')
			i++;
	}
	if (n - i < 4 || line[i] != ' ' || line[i + 1] != '[' || line[n - 1] != ':')
		return fail(d, line, n, "malformed goroutine header");
	size_t s = i + 2, e = n - 1; /* e: index of the final ':' */
	size_t close;                /* index of the ']' closing the state */
	if (line[e - 1] == ']') {
		close = e - 1;
	} else if (line[e - 1] == '}') {
		/* 1.27: labels after the brackets; the state fields hold no ']' */
		const char *c = memchr(line + s, ']', e - s);
		if (c == NULL)
			return fail(d, line, n, "malformed goroutine header");
		close = (size_t)(c - line);
		if (e - close < 4 || line[close + 1] != ' ' || line[close + 2] != '{')
			return fail(d, line, n, "malformed goroutine header");
		if (!parse_labels(d, line + close + 3, e - 1 - (close + 3)))
			return fail(d, line, n, "malformed labels in goroutine header");
	} else {
		return fail(d, line, n, "malformed goroutine header");
	}
	if (close < s)
		return fail(d, line, n, "malformed goroutine header");
	/* bracket content [s, close); 1.26: " labels:{...}" at its end */
	size_t fe = close;
	if (close > s && line[close - 1] == '}') {
		static const char lk[] = " labels:{";
		const char *l = find_str(line + s, close - s, lk, sizeof(lk) - 1);
		if (l != NULL) {
			size_t lo = (size_t)(l - line);
			size_t ls = lo + sizeof(lk) - 1;
			if (!parse_labels(d, line + ls, close - 1 - ls))
				return fail(d, line, n, "malformed labels in goroutine header");
			fe = lo;
		}
	}
	const char *c = memchr(line + s, ',', fe - s);
	size_t se = c ? (size_t)(c - line) : fe;
	if (se == s)
		return fail(d, line, n, "empty goroutine state");
	set_state(d, line + s, se - s);
	while (se < fe) {
		size_t fs = se + 1;
		while (fs < fe && line[fs] == ' ')
			fs++;
		c = memchr(line + fs, ',', fe - fs);
		se = c ? (size_t)(c - line) : fe;
		if (!bracket_field(d, line + fs, se - fs))
			return fail(d, line, n, "malformed field in goroutine header");
	}
	return 0;
}

/* ---- frames ---- */

/* Location line after the tab: "<file>:<line>[ +0x..]" (the last ':' that
 * is followed by digits and then the end or a space), or "pc=0x.." (cgo). */
static bool
parse_location(const char *p, size_t n, size_t *filelen, int64_t *line)
{
	size_t end = n;

	if (HAS(p, n, "pc=")) {
		*filelen = 0;
		*line = 0;
		return true;
	}
	while (end > 0) {
		const char *c = last_char(p, end, ':');
		if (c == NULL)
			return false;
		size_t i = (size_t)(c - p) + 1;
		int64_t v;
		if (parse_uint(p, n, &i, &v) && (i == n || p[i] == ' ')) {
			*filelen = (size_t)(c - p);
			*line = v;
			return true;
		}
		end = (size_t)(c - p);
	}
	return false;
}

static int
add_frame(struct dump *d, const char *fn, size_t fnlen, const char *file, size_t filelen,
          int64_t line)
{
	if (d->nframes >= PARSE_MAX_FRAMES)
		return parse_err_set(d->err, d->lineno, 0, "goroutine %lld has more than %d frames",
		                     (long long)d->goid, PARSE_MAX_FRAMES);
	d->nframes++;
	/* the traceback prints runtime.gopanic as "panic" */
	if (fnlen == 5 && memcmp(fn, "panic", 5) == 0) {
		fn = "runtime.gopanic";
		fnlen = 15;
	}
	builder_frame(d->b, fn, fnlen, file, filelen, line);
	return 0;
}

static void
end_goroutine(struct dump *d)
{
	static const int64_t one = 1;

	if (!d->in_g)
		return;
	struct group *g = builder_commit(d->b, &one, d->labels.p, d->labels.n);
	if (d->elided)
		g->elided = true;
	builder_note_goroutine(d->b, g, d->goid, d->state.p, d->state.n, d->minutes, d->locked,
	                       d->leaked);
	if (d->has_cb)
		builder_note_created_by(d->b, g, d->cb_fn.p, d->cb_fn.n, d->cb_file.p, d->cb_file.n,
		                        d->cb_line);
	d->in_g = false;
}

/* A line inside a goroutine block (state S_STACK). */
static int
stack_line(struct dump *d, const char *line, size_t n)
{
	if (n == 0) {
		end_goroutine(d);
		d->st = S_BETWEEN;
		return 0;
	}
	if (is_header(line, n)) { /* no blank line in between: tolerated */
		end_goroutine(d);
		d->st = S_STACK;
		return parse_header(d, line, n);
	}
	d->has_body = true;
	switch (line[0]) {
	case '\t':
		if (HAS(line, n, "\tgoroutine running on other thread"))
			return 0;
		return fail(d, line, n, "location line without a function line");
	case '.':
		if (HAS(line, n, "...") && ENDS(line, n, "elided...")) {
			d->elided = true;
			return 0;
		}
		break;
	case '[':
		if (HAS(line, n, "[originating from goroutine ")) {
			d->tail = true;
			d->st = S_ANCESTOR;
			return 0;
		}
		break;
	case 'c':
		if (HAS(line, n, "created by ")) {
			if (d->tail)
				return fail(d, line, n, "second \"created by\" line");
			size_t s = 11, e = n;
			/* " in goroutine N" (1.21+) */
			size_t k = e;
			while (k > s && is_digit(line[k - 1]))
				k--;
			if (k < e && k - s > 14 && memcmp(line + k - 14, " in goroutine ", 14) == 0)
				e = k - 14;
			if (e == s)
				return fail(d, line, n, "\"created by\" without a function");
			d->cb_fn.p = line + s;
			d->cb_fn.n = e - s;
			d->tail = true;
			d->st = S_CBLOC;
			return 0;
		}
		break;
	case 'g':
		if (HAS(line, n, "goroutine running on other thread"))
			return 0;
		break;
	default:
		break;
	}
	if (d->tail)
		return fail(d, line, n, "unexpected line after \"created by\"");
	/* function line: drop the argument list (the last '(' when the line
	 * ends with ')'; argument values never contain parentheses) */
	size_t fnlen = n;
	if (line[n - 1] == ')') {
		const char *o = last_char(line, n - 1, '(');
		if (o != NULL && o > line)
			fnlen = (size_t)(o - line);
	}
	d->fn.p = line;
	d->fn.n = fnlen;
	d->fn_loc_optional = HAS(line, n, "non-Go function");
	d->st = S_LOC;
	return 0;
}

static int
dump_line(struct dump *d, const char *line, size_t n)
{
	size_t filelen;
	int64_t ln;

	switch (d->st) {
	case S_START:
		if (!is_header(line, n))
			return fail(d, line, n,
			            "not a goroutine dump: expected \"goroutine N [state]:\"");
		d->st = S_STACK;
		return parse_header(d, line, n);
	case S_BETWEEN:
		if (n == 0)
			return 0;
		if (!is_header(line, n))
			return fail(d, line, n, "expected a goroutine header");
		d->st = S_STACK;
		return parse_header(d, line, n);
	case S_STACK:
		return stack_line(d, line, n);
	case S_LOC:
		if (n > 0 && line[0] == '\t' && parse_location(line + 1, n - 1, &filelen, &ln)) {
			d->st = S_STACK;
			return add_frame(d, d->fn.p, d->fn.n, line + 1, filelen, ln);
		}
		if (d->fn_loc_optional) {
			int rc = add_frame(d, d->fn.p, d->fn.n, "", 0, 0);
			if (rc != 0)
				return rc;
			d->st = S_STACK;
			return stack_line(d, line, n);
		}
		if (n > 0 && line[0] == '\t')
			return fail(d, line, n,
			            "malformed location line (expected \"\\tfile:line\")");
		return fail(d, line, n, "function line not followed by its \"\\tfile:line\" line");
	case S_CBLOC:
		if (n > 0 && line[0] == '\t' && parse_location(line + 1, n - 1, &filelen, &ln)) {
			d->cb_file.p = line + 1;
			d->cb_file.n = filelen;
			d->cb_line = ln;
			d->has_cb = true;
			d->st = S_STACK;
			return 0;
		}
		return fail(d, line, n, "\"created by\" not followed by its \"\\tfile:line\" line");
	case S_ANCESTOR:
		if (n == 0) {
			end_goroutine(d);
			d->st = S_BETWEEN;
		} else if (is_header(line, n)) {
			end_goroutine(d);
			d->st = S_STACK;
			return parse_header(d, line, n);
		}
		return 0;
	}
	return 0;
}

static void
dump_free(struct dump *d)
{
	free(d->sstate.p);
	free(d->raw.p);
	free(d->fmt.p);
	free(d->text.p);
	free(d->pairs);
}

int
parse_dump(const void *data, size_t len, const char *name, struct snapshot **out,
           struct parse_err *err)
{
	const char *p = data;
	struct dump d;
	size_t pos = 0;
	int rc = 0;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	if (len == 0)
		return parse_err_set(err, 0, 0, "empty input: not a goroutine dump");
	if (name == NULL)
		name = "goroutine";
	memset(&d, 0, sizeof(d));
	d.err = err;
	d.st = S_START;
	d.b = builder_new(name,
	                  strcmp(name, "goroutineleak") == 0 ? PROF_GOROUTINELEAK : PROF_GOROUTINE,
	                  FMT_DUMP);

	while (pos < len) {
		const char *line = p + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - pos;

		d.lineno++;
		if (n > PARSE_MAX_LINE) {
			rc = parse_err_set(err, d.lineno, 0, "line longer than %zu bytes",
			                   PARSE_MAX_LINE);
			break;
		}
		if (nl == NULL) {
			/* cut mid-line: drop the partial line */
			if (d.st == S_START &&
			    !(n > 10 ? is_header(line, n) : memcmp(line, "goroutine ", n) == 0)) {
				rc =
				    fail(&d, line, n,
				         "not a goroutine dump: expected \"goroutine N [state]:\"");
				break;
			}
			/* a cut "created by" or ancestor line: the stack was complete */
			if (d.st == S_STACK &&
			    (line[0] == '[' ||
			     (n >= 8 && memcmp(line, "created by ", n < 11 ? n : 11) == 0)))
				d.tail = true;
			d.truncated = true;
			break;
		}
		pos += n + 1;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		rc = dump_line(&d, line, n);
		if (rc != 0)
			break;
	}
	if (rc != 0) {
		dump_free(&d);
		builder_abort(d.b);
		return -1;
	}
	if (len == DUMP_SERVER_CAP)
		d.truncated = true;
	if (d.in_g) {
		/* what the end of the input leaves unfinished */
		if (d.st == S_LOC && d.fn_loc_optional && !d.truncated) {
			rc = add_frame(&d, d.fn.p, d.fn.n, "", 0, 0);
		} else if (d.st == S_LOC || d.st == S_CBLOC || !d.has_body) {
			d.truncated = true;
		}
		if (rc != 0) {
			dump_free(&d);
			builder_abort(d.b);
			return -1;
		}
		if (d.truncated && !d.tail)
			d.elided = true;
		end_goroutine(&d);
	}
	struct snapshot *s = builder_snap(d.b);
	s->truncated = d.truncated;
	dump_free(&d);
	*out = builder_finish(d.b);
	return 0;
}
