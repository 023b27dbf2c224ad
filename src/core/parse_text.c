/* parse_text.c - the legacy debug=1 text formats (reference sections 2, 3, 5, 6):
 *
 *   "<name> profile: total N"  count profiles (goroutine, goroutineleak,
 *                              threadcreate, custom profiles)
 *   "heap profile: ..."        heap/allocs, scaled as go tool pprof does,
 *                              plus the "# runtime.MemStats" trailer
 *   "--- contention:"          block
 *   "--- mutex:"               mutex
 *
 * One pass over the buffer (memchr per line), no allocation per line; the
 * stacks come from the "#\t0xPC\tfunc+0xoff\tfile:line" comment lines and
 * are grouped by the builder.
 *
 * Unsymbolized text (older Go releases and other tools write the records
 * without their "#" frame lines; go tool pprof reads it), i.e. a text with
 * no line starting with "#\t": a record takes its stack from the record line's PCs, each frame
 * named by its address less one ("0x420cee" for "@ 0x420cef"), the call site, as Go's own frame
 * lines, the protobuf and go tool pprof show it; 0x0 PCs are skipped. Such a frame has no file and
 * line 0.
 *
 * Not validated: the PCs of a record line are only syntax-checked (they are
 * not matched with the comment lines, whose PCs are ignored too); the
 * header's "total N" and summed heap values are not compared with the
 * records; label text is passed on verbatim without checking its quoting;
 * MemStats values are stored as printed (only the "# Name = value" shape is
 * checked); unknown "key=value" attributes of block/mutex headers are
 * ignored.
 *
 * Cut-off responses: a last line without its newline is taken as cut off and
 * ignored, and so is a record line at the end that has none of its frame
 * lines in symbolized text (in unsymbolized text a record line is the whole
 * record); the record being read is then dropped and
 * snap->truncated is set. A
 * record whose lines are all complete but which lacks its closing blank line
 * at the end of the input is kept. The header lines must be complete.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/hexdigit.h"
#include "pproftop/parse.h"

enum tfmt {
	T_COUNT,
	T_HEAP,
	T_CONTENTION,
};

struct tp {
	/* input and the current line */
	const char *buf;
	size_t len, pos;
	size_t lineno;
	const char *s; /* current line, without '\n' (and a trailing '\r') */
	size_t n;
	bool nl; /* the current line ended with '\n' */
	struct parse_err *err;
	struct builder *b;
	enum tfmt fmt;
	int nvalues;
	/* heap */
	int64_t rate;
	/* block/mutex */
	double cps;
	int64_t period; /* multiplier actually applied (1 for Go >= 1.20) */
	/* the record being read */
	bool open;
	bool just_opened; /* the previous line was the record line */
	size_t nframelines;
	size_t rec_line, rec_off;
	const char *rec_pcs; /* the record line's PCs, after the '@' */
	size_t rec_pcslen;
	bool symbolized; /* the text has frame lines ("#\t" at a line start) */
	int64_t vals[PROF_MAX_VALUES];
	const char *labels;
	size_t labelslen;
	/* sum of |values| per column: keeps every group sum and total in range */
	uint64_t absum[PROF_MAX_VALUES];
	size_t nrecords;
	bool truncated;
	/* the record line's first PCs: the leaf-side ones before the first
	 * frame line are the runtime frames the text hides */
	uint64_t pcs[BUILDER_HPCS_MAX + 1];
	size_t npcs;
};

static size_t
line_off(const struct tp *t)
{
	return (size_t)(t->s - t->buf);
}

/* next_line: 1 = a line in t->s/t->n, 0 = end of input, -1 = line too long. */
static int
next_line(struct tp *t)
{
	if (t->pos >= t->len)
		return 0;
	const char *s = t->buf + t->pos;
	size_t rem = t->len - t->pos;
	size_t lim = rem < PARSE_MAX_LINE + 1 ? rem : PARSE_MAX_LINE + 1;
	const char *e = memchr(s, '\n', lim);
	size_t n;

	t->lineno++;
	t->s = s;
	if (e == NULL) {
		if (rem > PARSE_MAX_LINE)
			return -1;
		n = rem;
		t->nl = false;
		t->pos = t->len;
	} else {
		n = (size_t)(e - s);
		t->nl = true;
		t->pos += n + 1;
	}
	if (n > 0 && s[n - 1] == '\r')
		n--;
	t->n = n;
	return 1;
}

static bool
is_digit(char c)
{
	return (unsigned)(c - '0') <= 9;
}

static bool
is_xdigit(char c)
{
	return is_digit(c) || (unsigned)((c | 0x20) - 'a') <= 5;
}

static bool
has_prefix(const char *s, size_t n, const char *pfx)
{
	size_t k = strlen(pfx);

	return n >= k && memcmp(s, pfx, k) == 0;
}

static const char *
skip_spaces(const char *p, const char *e)
{
	while (p < e && *p == ' ')
		p++;
	return p;
}

static bool
rest_blank(const char *p, const char *e)
{
	return skip_spaces(p, e) == e;
}

enum { NUM_OK = 0, NUM_SYNTAX = -1, NUM_RANGE = -2 };

/* parse_int: a decimal int64 at *pp (a leading '-' only when sign), advancing
 * *pp past it. */
static int
parse_int(const char **pp, const char *e, bool sign, int64_t *out)
{
	const char *p = *pp;
	bool neg = false;

	if (sign && p < e && *p == '-') {
		neg = true;
		p++;
	}
	if (p >= e || !is_digit(*p))
		return NUM_SYNTAX;
	const uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t v = 0;
	while (p < e && is_digit(*p)) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (lim - d) / 10)
			return NUM_RANGE;
		v = v * 10 + d;
		p++;
	}
	if (!neg)
		*out = (int64_t)v;
	else if (v == (uint64_t)INT64_MAX + 1)
		*out = INT64_MIN;
	else
		*out = -(int64_t)v;
	*pp = p;
	return NUM_OK;
}

static int
num_err(struct tp *t, int rc, const char *what)
{
	if (rc == NUM_RANGE)
		return parse_err_set(t->err, t->lineno, line_off(t), "%s out of range (int64)",
		                     what);
	return parse_err_set(t->err, t->lineno, line_off(t), "expected a number for %s", what);
}

/* parse_pcs: "( 0x<hex>)*" up to e (trailing spaces allowed); the first max
 * values go to pcs, their number to *npcs. */
static bool
parse_pcs(const char *p, const char *e, uint64_t *pcs, size_t max, size_t *npcs)
{
	*npcs = 0;
	while (p < e) {
		if (*p != ' ')
			return false;
		p = skip_spaces(p, e);
		if (p == e)
			return true;
		if (e - p < 3 || p[0] != '0' || p[1] != 'x')
			return false;
		p += 2;
		const char *h = p;
		uint64_t v = 0;
		while (p < e && is_xdigit(*p))
			v = v << 4 | (uint64_t)hex_digit((unsigned char)*p++);
		if (p == h || p - h > 16)
			return false;
		if (*npcs < max)
			pcs[(*npcs)++] = v;
	}
	return true;
}

/* ---- record lines ---- */

/* Heap sample scaling, exactly as google/pprof's scaleHeapSample (reference
 * 3.4). false when the result does not fit an int64. */
static bool
scale_heap(int64_t count, int64_t size, int64_t rate, int64_t *oc, int64_t *os)
{
	if (count == 0 || size == 0) {
		*oc = 0;
		*os = 0;
		return true;
	}
	if (rate <= 1) {
		*oc = count;
		*os = size;
		return true;
	}
	double avg = (double)size / (double)count;
	double s = 1.0 / (1.0 - exp(-avg / (double)rate));
	double c = (double)count * s, z = (double)size * s;
	/* 9223372036854775808.0 == 2^63: the first double beyond INT64_MAX */
	if (!(c > -9223372036854775808.0 && c < 9223372036854775808.0) ||
	    !(z > -9223372036854775808.0 && z < 9223372036854775808.0))
		return false;
	*oc = (int64_t)c;
	*os = (int64_t)z;
	return true;
}

/* record_line: parse t->s as a record line into t->vals. -1 with t->err set
 * on error. */
static int
record_line(struct tp *t)
{
	const char *p = t->s, *e = t->s + t->n;
	int64_t v[4] = { 0, 0, 0, 0 };
	int rc;

	switch (t->fmt) {
	case T_COUNT:
		if ((rc = parse_int(&p, e, false, &v[0])) != NUM_OK)
			return num_err(t, rc, "the record count");
		t->vals[0] = v[0];
		break;
	case T_HEAP: {
		/* inuse_objects: inuse_bytes [alloc_objects: alloc_bytes] */
		if ((rc = parse_int(&p, e, true, &v[0])) != NUM_OK)
			return num_err(t, rc, "inuse objects");
		if (p >= e || *p != ':')
			return parse_err_set(t->err, t->lineno, line_off(t),
			                     "malformed heap record: expected ':' after the "
			                     "in-use object count");
		p = skip_spaces(p + 1, e);
		if ((rc = parse_int(&p, e, true, &v[1])) != NUM_OK)
			return num_err(t, rc, "inuse bytes");
		p = skip_spaces(p, e);
		if (p < e && *p == '[') {
			p = skip_spaces(p + 1, e);
			if ((rc = parse_int(&p, e, true, &v[2])) != NUM_OK)
				return num_err(t, rc, "alloc objects");
			if (p >= e || *p != ':')
				return parse_err_set(t->err, t->lineno, line_off(t),
				                     "malformed heap record: expected ':' after "
				                     "the allocated object count");
			p = skip_spaces(p + 1, e);
			if ((rc = parse_int(&p, e, true, &v[3])) != NUM_OK)
				return num_err(t, rc, "alloc bytes");
			p = skip_spaces(p, e);
			if (p >= e || *p != ']')
				return parse_err_set(t->err, t->lineno, line_off(t),
				                     "malformed heap record: expected ']'");
			p++;
		}
		int64_t io, ib, ao, ab;
		if (!scale_heap(v[0], v[1], t->rate, &io, &ib) ||
		    !scale_heap(v[2], v[3], t->rate, &ao, &ab))
			return parse_err_set(t->err, t->lineno, line_off(t),
			                     "heap record values out of range after scaling");
		t->vals[0] = ib;
		t->vals[1] = io;
		t->vals[2] = ab;
		t->vals[3] = ao;
		break;
	}
	case T_CONTENTION: {
		/* cycles count */
		int64_t cycles, count;
		if ((rc = parse_int(&p, e, false, &cycles)) != NUM_OK)
			return num_err(t, rc, "cycles");
		p = skip_spaces(p, e);
		if ((rc = parse_int(&p, e, false, &count)) != NUM_OK)
			return num_err(t, rc, "the contention count");
		if (t->period > 1 && count > INT64_MAX / t->period)
			return parse_err_set(t->err, t->lineno, line_off(t),
			                     "contentions out of range after scaling by the "
			                     "sampling period");
		t->vals[0] = count * t->period;
		if (t->cps > 0) {
			double d = (double)cycles * (double)t->period / (t->cps / 1e9);
			if (!(d < 9223372036854775808.0))
				return parse_err_set(t->err, t->lineno, line_off(t),
				                     "delay out of range after conversion to "
				                     "nanoseconds");
			t->vals[1] = (int64_t)d;
		} else {
			if (t->period > 1 && cycles > INT64_MAX / t->period)
				return parse_err_set(t->err, t->lineno, line_off(t),
				                     "cycles out of range after scaling by the "
				                     "sampling period");
			t->vals[1] = cycles * t->period;
		}
		break;
	}
	}
	p = skip_spaces(p, e);
	if (p >= e || *p != '@')
		return parse_err_set(t->err, t->lineno, line_off(t),
		                     "malformed record line: expected '@' and the stack PCs");
	if (!parse_pcs(p + 1, e, t->pcs, sizeof(t->pcs) / sizeof(t->pcs[0]), &t->npcs))
		return parse_err_set(t->err, t->lineno, line_off(t),
		                     "malformed record line: bad PC list after '@'");
	t->rec_pcs = p + 1;
	t->rec_pcslen = (size_t)(e - p - 1);
	return 0;
}

/* address_frames: the stack of a record without frame lines, from its PCs
 * (already syntax-checked by parse_pcs), leaf first, each named by its
 * address less one; at most PARSE_MAX_FRAMES. */
static void
address_frames(struct tp *t)
{
	const char *p = t->rec_pcs, *e = t->rec_pcs + t->rec_pcslen;
	size_t nframes = 0;
	char hexbuf[24];

	while (p < e && nframes < PARSE_MAX_FRAMES) {
		p = skip_spaces(p, e);
		if (e - p < 3)
			break;
		p += 2; /* "0x" */
		uint64_t v = 0;
		while (p < e && is_xdigit(*p))
			v = v << 4 | (uint64_t)hex_digit((unsigned char)*p++);
		if (v == 0)
			continue;
		int w = snprintf(hexbuf, sizeof(hexbuf), "0x%llx", (unsigned long long)(v - 1));
		builder_frame(t->b, hexbuf, (size_t)w, "", 0, 0);
		nframes++;
	}
}

/* frame_line: "#\t0xPC\tfunc+0xoff\tfile:line" (fields separated by runs of
 * tabs). 1 = a frame was added, 0 = a PC without a function ("#\t0x0"),
 * -1 = malformed (t->err set). */
static int
frame_line(struct tp *t)
{
	const char *p = t->s + 2, *e = t->s + t->n;

	while (p < e && *p == '\t')
		p++;
	/* PC */
	const char *pc = p;
	const char *tab = memchr(p, '\t', (size_t)(e - p));
	const char *pce = tab != NULL ? tab : e;
	if (pce - pc < 3 || pc[0] != '0' || pc[1] != 'x')
		goto bad;
	uint64_t pcv = 0;
	if (pce - pc > 18)
		goto bad;
	for (const char *q = pc + 2; q < pce; q++) {
		if (!is_xdigit(*q))
			goto bad;
		pcv = pcv << 4 | (uint64_t)hex_digit((unsigned char)*q);
	}
	/* the first frame printed is the record's first PC outside the
	 * runtime (its call site: the PC less one); the PCs before it are the
	 * runtime frames the goroutine text hides */
	if (t->fmt == T_COUNT && t->nframelines == 0)
		for (size_t k = 0; k < t->npcs && k <= BUILDER_HPCS_MAX; k++)
			if (t->pcs[k] == pcv || t->pcs[k] == pcv + 1) {
				if (k > 0)
					builder_hidden_pcs(t->b, t->pcs, k);
				break;
			}
	if (tab == NULL)
		return 0;
	/* function+0xoff */
	p = tab;
	while (p < e && *p == '\t')
		p++;
	const char *fn = p;
	tab = memchr(p, '\t', (size_t)(e - p));
	if (tab == NULL || tab == fn)
		goto bad;
	const char *fe = tab;
	const char *q = fe;
	while (q > fn && is_xdigit(q[-1]))
		q--;
	if (q < fe && q - fn >= 3 && q[-1] == 'x' && q[-2] == '0' && q[-3] == '+')
		fe = q - 3;
	if (fe == fn)
		goto bad;
	/* file:line, the line after the last ':' */
	p = tab;
	while (p < e && *p == '\t')
		p++;
	const char *file = p;
	q = e;
	while (q > file && is_digit(q[-1]))
		q--;
	if (q == e || q == file || q[-1] != ':')
		goto bad;
	const char *ln = q;
	int64_t line;
	int rc = parse_int(&ln, e, false, &line);
	if (rc != NUM_OK)
		return num_err(t, rc, "the frame's line number");
	builder_frame(t->b, fn, (size_t)(fe - fn), file, (size_t)(q - 1 - file), line);
	return 1;
bad:
	return parse_err_set(
	    t->err, t->lineno, line_off(t),
	    "malformed frame line (expected \"#\\t0xPC\\tfunction+0xOFF\\tfile:line\")");
}

static int
commit(struct tp *t)
{
	if (t->nframelines == 0 && !t->symbolized)
		address_frames(t);
	for (int i = 0; i < t->nvalues; i++) {
		int64_t v = t->vals[i];
		uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
		if (a > (uint64_t)INT64_MAX - t->absum[i])
			return parse_err_set(t->err, t->rec_line, t->rec_off,
			                     "record values overflow int64 when summed");
		t->absum[i] += a;
	}
	builder_commit(t->b, t->vals, t->labels, t->labelslen);
	t->open = false;
	t->nrecords++;
	return 0;
}

/* ---- MemStats trailer ---- */

static int
memstat_line(struct tp *t)
{
	const char *s = t->s, *e = t->s + t->n;

	if (rest_blank(s, e))
		return 0;
	if (s[0] != '#')
		return parse_err_set(t->err, t->lineno, line_off(t),
		                     "unexpected line in the MemStats trailer");
	/* "# Name = value" */
	const char *k = s + 1;
	while (k < e && *k == ' ')
		k++;
	const char *ke = k;
	while (ke < e && *ke != ' ' && *ke != '=')
		ke++;
	const char *v = skip_spaces(ke, e);
	if (ke == k || v >= e || *v != '=')
		return 0; /* another comment: ignored */
	v = skip_spaces(v + 1, e);
	const char *ve = e;
	while (ve > v && ve[-1] == ' ')
		ve--;
	if (ve > v && *v == '[' && ve[-1] != ']')
		return parse_err_set(t->err, t->lineno, line_off(t),
		                     "unterminated array in the MemStats trailer");
	size_t klen = (size_t)(ke - k);
	/* "Stack = a / b" -> StackInuse = a, StackSys = b */
	const char *slash = NULL;
	if (ve - v >= 5 && *v != '[')
		for (const char *q = v; q + 3 <= ve; q++)
			if (q[0] == ' ' && q[1] == '/' && q[2] == ' ') {
				slash = q;
				break;
			}
	char name[72];
	if (slash != NULL && klen + 6 <= sizeof(name)) {
		memcpy(name, k, klen);
		memcpy(name + klen, "Inuse", 6); /* with the NUL */
		builder_add_memstat(t->b, name, klen + 5, v, (size_t)(slash - v));
		const char *b2 = skip_spaces(slash + 2, ve);
		memcpy(name + klen, "Sys", 4);
		builder_add_memstat(t->b, name, klen + 3, b2, (size_t)(ve - b2));
		return 0;
	}
	builder_add_memstat(t->b, k, klen, v, (size_t)(ve - v));
	return 0;
}

/* ---- Go version hint for mutex scaling ---- */

/* The Go minor version of a GOROOT in a path: "go1.N" or "go-1.N" not
 * preceded by a letter or digit and not followed by a digit; -1 if none. */
static int
goroot_minor(const char *s, size_t n)
{
	for (size_t i = 0; i + 4 <= n; i++) {
		if (s[i] != 'g' || s[i + 1] != 'o')
			continue;
		if (i > 0) {
			char c = s[i - 1];
			if (is_digit(c) || (unsigned)((c | 0x20) - 'a') < 26)
				continue;
		}
		size_t j = i + 2;
		if (s[j] == '-')
			j++;
		if (j + 2 >= n || s[j] != '1' || s[j + 1] != '.' || !is_digit(s[j + 2]))
			continue;
		j += 2;
		unsigned v = 0, nd = 0;
		while (j < n && is_digit(s[j]) && nd < 4) {
			v = v * 10 + (unsigned)(s[j] - '0');
			j++;
			nd++;
		}
		if (j < n && is_digit(s[j]))
			continue;
		return (int)v;
	}
	return -1;
}

static int mutex_scaled_flag = -1; /* parse_text_set_mutex_scaled */

void
parse_text_set_mutex_scaled(int scaled)
{
	mutex_scaled_flag = scaled < 0 ? -1 : scaled > 0;
}

/* mutex_scaling: whether the mutex records in buf[pos..len) are to be
 * multiplied by period (> 1), from the evidence there is (reference 5.2):
 * Go >= 1.20 adds the period to a record's count and period x cycles to its
 * cycles, so a count or cycles value that is not a multiple of the period
 * is an unscaled (<= 1.19) profile; else a GOROOT in a frame's file names
 * the Go version; else (trimmed paths) the values are assumed scaled. The
 * --mutex-scaled flag overrides it all. */
static enum scaling
mutex_scaling(const char *buf, size_t len, size_t pos, int64_t period)
{
	int minor = -1;
	bool records = false;

	if (mutex_scaled_flag >= 0)
		return mutex_scaled_flag ? SCALING_FLAG_YES : SCALING_FLAG_NO;
	while (pos < len) {
		const char *s = buf + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;
		pos += n + 1;
		if (n > 0 && is_digit(s[0])) {
			/* "cycles count @ ..." */
			const char *p = s, *e = s + n;
			int64_t cycles, count;
			if (parse_int(&p, e, false, &cycles) != NUM_OK)
				continue;
			p = skip_spaces(p, e);
			if (parse_int(&p, e, false, &count) != NUM_OK)
				continue;
			records = true;
			if (cycles % period != 0 || count % period != 0)
				return SCALING_MULTIPLIED;
			continue;
		}
		if (minor >= 0 || n < 2 || s[0] != '#' || s[1] != '\t')
			continue;
		/* the file is the last tab-separated field */
		size_t f = n;
		while (f > 0 && s[f - 1] != '\t')
			f--;
		if (f > 2)
			minor = goroot_minor(s + f, n - f);
	}
	if (!records)
		return SCALING_NA;
	if (minor >= 0)
		return minor <= 19 ? SCALING_MULTIPLIED : SCALING_SCALED;
	return SCALING_ASSUMED;
}

/* Any line in buf[0..len) starting with "#\t": a frame line. */
static bool
text_has_frames(const char *buf, size_t len)
{
	for (const char *p = buf, *e = buf + len; p < e;) {
		const char *h = memchr(p, '#', (size_t)(e - p));
		if (h == NULL)
			return false;
		if ((h == buf || h[-1] == '\n') && h + 1 < e && h[1] == '\t')
			return true;
		p = h + 1;
	}
	return false;
}

/* ---- headers ---- */

static enum prof_kind
count_kind(const char *s, size_t n)
{
	static const struct {
		const char *name;
		enum prof_kind kind;
	} k[] = {
		{ "goroutine", PROF_GOROUTINE },
		{ "goroutineleak", PROF_GOROUTINELEAK },
		{ "threadcreate", PROF_THREADCREATE },
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (strlen(k[i].name) == n && memcmp(k[i].name, s, n) == 0)
			return k[i].kind;
	return PROF_CUSTOM;
}

static bool
header_done(struct tp *t)
{
	if (t->nl)
		return true;
	parse_err_set(t->err, t->lineno, line_off(t), "truncated header (no end of line)");
	return false;
}

/* The first line: the format, the kind and the snapshot. */
static int
parse_header(struct tp *t, const char *name)
{
	const char *s = t->s, *e = t->s + t->n;
	int rc;

	if (name != NULL && name[0] == '\0')
		name = NULL;
	if (has_prefix(s, t->n, "heap profile:")) {
		/* heap profile: a: b [c: d] @ heap/R */
		const char *p = skip_spaces(s + 13, e);
		int64_t v;
		if ((rc = parse_int(&p, e, true, &v)) != NUM_OK)
			return num_err(t, rc, "the header's in-use objects");
		if (p >= e || *p != ':')
			goto badheap;
		p = skip_spaces(p + 1, e);
		if ((rc = parse_int(&p, e, true, &v)) != NUM_OK)
			return num_err(t, rc, "the header's in-use bytes");
		p = skip_spaces(p, e);
		if (p < e && *p == '[') {
			p = skip_spaces(p + 1, e);
			if ((rc = parse_int(&p, e, true, &v)) != NUM_OK)
				return num_err(t, rc, "the header's allocated objects");
			if (p >= e || *p != ':')
				goto badheap;
			p = skip_spaces(p + 1, e);
			if ((rc = parse_int(&p, e, true, &v)) != NUM_OK)
				return num_err(t, rc, "the header's allocated bytes");
			p = skip_spaces(p, e);
			if (p >= e || *p != ']')
				goto badheap;
			p = skip_spaces(p + 1, e);
		}
		if (p >= e || *p != '@')
			goto badheap;
		p = skip_spaces(p + 1, e);
		/* "heap/R" carries 2 x MemProfileRate; google/pprof also
		 * accepts "heap_v2/R" with the rate itself */
		bool v2 = false;
		if (has_prefix(p, (size_t)(e - p), "heap/"))
			p += 5;
		else if ((v2 = has_prefix(p, (size_t)(e - p), "heap_v2/")))
			p += 8;
		else
			goto badheap;
		int64_t r;
		if ((rc = parse_int(&p, e, false, &r)) != NUM_OK)
			return num_err(t, rc, "the heap sampling rate");
		if (!rest_blank(p, e))
			goto badheap;
		if (!header_done(t))
			return -1;
		bool allocs = name != NULL && strcmp(name, "allocs") == 0;
		t->fmt = T_HEAP;
		t->rate = v2 ? r : r / 2;
		t->b = builder_new(name != NULL && (allocs || strcmp(name, "heap") == 0) ? name
		                                                                         : "heap",
		                   allocs ? PROF_ALLOCS : PROF_HEAP, FMT_TEXT);
		struct snapshot *snap = builder_snap(t->b);
		snap->heap_rate = t->rate;
		snap->period = t->rate;
		snap->period_type = arena_intern(&snap->arena, "space", 5);
		snap->period_unit = arena_intern(&snap->arena, "bytes", 5);
		return 0;
	badheap:
		return parse_err_set(t->err, t->lineno, line_off(t),
		                     "malformed heap profile header (expected \"heap profile: "
		                     "N: N [N: N] @ heap/R\")");
	}
	bool block = t->n == 15 && memcmp(s, "--- contention:", 15) == 0;
	bool mutex = t->n == 10 && memcmp(s, "--- mutex:", 10) == 0;
	if (block || mutex) {
		enum prof_kind kind = block ? PROF_BLOCK : PROF_MUTEX;
		if (!header_done(t))
			return -1;
		t->fmt = T_CONTENTION;
		bool have_cps = false, have_period = false;
		int64_t period = -1;
		size_t hdr_line = t->lineno;
		for (;;) {
			/* "key=value" attribute lines, up to the first record */
			size_t pos = t->pos, lineno = t->lineno;
			const char *ps = t->s;
			size_t pn = t->n;
			bool pnl = t->nl;
			if ((rc = next_line(t)) < 0)
				return parse_err_set(t->err, t->lineno, t->pos,
				                     "line longer than %zu bytes", PARSE_MAX_LINE);
			const char *eq = rc > 0 ? memchr(t->s, '=', t->n) : NULL;
			if (rc == 0 || t->n == 0 || is_digit(t->s[0]) || t->s[0] == '#' ||
			    eq == NULL) {
				t->pos = pos;
				t->lineno = lineno;
				t->s = ps;
				t->n = pn;
				t->nl = pnl;
				break;
			}
			if (!header_done(t))
				return -1;
			const char *ke = eq, *v = eq + 1, *ve = t->s + t->n;
			while (ke > t->s && ke[-1] == ' ')
				ke--;
			v = skip_spaces(v, ve);
			size_t klen = (size_t)(ke - t->s);
			if (klen == 13 && memcmp(t->s, "cycles/second", 13) == 0) {
				/* strtod needs a NUL-terminated copy */
				char tmp[64];
				size_t vl = (size_t)(ve - v);
				char *end = NULL;
				if (vl == 0 || vl >= sizeof(tmp))
					goto badcps;
				memcpy(tmp, v, vl);
				tmp[vl] = '\0';
				t->cps = strtod(tmp, &end);
				if (end == tmp || !rest_blank(end, tmp + vl) || !isfinite(t->cps) ||
				    t->cps < 0)
					goto badcps;
				have_cps = true;
			} else if (klen == 15 && memcmp(t->s, "sampling period", 15) == 0) {
				const char *p = v;
				if ((rc = parse_int(&p, ve, true, &period)) != NUM_OK)
					return num_err(t, rc, "the sampling period");
				if (!rest_blank(p, ve))
					return parse_err_set(t->err, t->lineno, line_off(t),
					                     "malformed sampling period");
				have_period = true;
			}
			continue;
		badcps:
			return parse_err_set(t->err, t->lineno, line_off(t),
			                     "malformed cycles/second value");
		}
		if (!have_cps)
			return parse_err_set(t->err, hdr_line + 1, t->pos,
			                     "missing cycles/second line after the %s header",
			                     block ? "contention" : "mutex");
		if (mutex && !have_period)
			return parse_err_set(t->err, t->lineno + 1, t->pos,
			                     "missing sampling period line in the mutex header");
		/* Go >= 1.20 scales mutex records at record time; <= 1.19 does
		 * not (reference 5.2). A period <= 0 cannot be applied: keep the
		 * raw numbers. */
		t->period = 1;
		enum scaling sc = SCALING_NA;
		if (mutex && period > 1) {
			sc = mutex_scaling(t->buf, t->len, t->pos, period);
			if (sc == SCALING_MULTIPLIED || sc == SCALING_FLAG_NO)
				t->period = period;
		}
		t->b = builder_new(name != NULL && snapshot_kind_from_name(name) == kind
		                       ? name
		                       : (block ? "block" : "mutex"),
		                   kind, FMT_TEXT);
		struct snapshot *snap = builder_snap(t->b);
		snap->cycles_per_second = t->cps;
		snap->sampling_period = mutex ? period : -1;
		snap->scaling = sc;
		snap->period = mutex && period > 0 ? period : 1;
		snap->period_type = arena_intern(&snap->arena, "contentions", 11);
		snap->period_unit = arena_intern(&snap->arena, "count", 5);
		return 0;
	}
	/* "<name> profile: total N" */
	const char *m = NULL;
	for (const char *q = s; q + 16 <= e; q++) {
		q = memchr(q, ' ', (size_t)(e - q));
		if (q == NULL || q + 16 > e)
			break;
		if (memcmp(q, " profile: total ", 16) == 0) {
			m = q;
			break;
		}
	}
	if (m == NULL) {
		if (t->n == 0)
			return parse_err_set(t->err, 1, 0,
			                     t->len == 0
			                         ? "empty input"
			                         : "empty first line: not a debug=1 profile");
		return parse_err_set(
		    t->err, 1, 0,
		    "not a debug=1 text profile (expected \"<name> profile: total "
		    "N\", \"heap profile:\", \"--- contention:\" or \"--- mutex:\")");
	}
	if (m == s)
		return parse_err_set(t->err, 1, 0, "missing profile name before \"profile:\"");
	const char *p = m + 16;
	int64_t total;
	if ((rc = parse_int(&p, e, false, &total)) != NUM_OK)
		return num_err(t, rc, "the profile total");
	if (!rest_blank(p, e))
		return parse_err_set(t->err, 1, 0, "malformed profile header after the total");
	if (!header_done(t))
		return -1;
	enum prof_kind kind = count_kind(s, (size_t)(m - s));
	if (name != NULL) {
		enum prof_kind nk = snapshot_kind_from_name(name);
		if (nk == PROF_GOROUTINE || nk == PROF_GOROUTINELEAK || nk == PROF_THREADCREATE ||
		    nk == PROF_CUSTOM)
			kind = nk;
		else
			name = NULL;
	}
	t->fmt = T_COUNT;
	t->b = builder_new(name != NULL ? name : "", kind, FMT_TEXT);
	struct snapshot *snap = builder_snap(t->b);
	if (name == NULL)
		snap->name = arena_intern(&snap->arena, s, (size_t)(m - s));
	snap->header_total = total;
	snap->period = 1;
	snap->period_type = snap->name;
	snap->period_unit = arena_intern(&snap->arena, "count", 5);
	return 0;
}

/* ---- body ---- */

static int
parse_body(struct tp *t)
{
	bool memstats = false;
	int rc;

	for (;;) {
		if ((rc = next_line(t)) < 0)
			return parse_err_set(t->err, t->lineno, line_off(t),
			                     "line longer than %zu bytes", PARSE_MAX_LINE);
		if (rc == 0)
			break;
		const char *s = t->s;
		size_t n = t->n;
		if (!t->nl && !rest_blank(s, s + n)) {
			/* the last line, cut off: ignore it and drop the record */
			if (t->open) {
				builder_clear_frames(t->b);
				t->open = false;
			}
			t->truncated = true;
			break;
		}
		if (memstats) {
			if (memstat_line(t) < 0)
				return -1;
			continue;
		}
		if (rest_blank(s, s + n)) {
			if (t->open && commit(t) < 0)
				return -1;
			continue;
		}
		if (s[0] == '#') {
			if (n >= 2 && s[1] == '\t') {
				if (!t->open)
					return parse_err_set(t->err, t->lineno, line_off(t),
					                     "frame line outside a record");
				if (t->nframelines >= PARSE_MAX_FRAMES)
					return parse_err_set(t->err, t->lineno, line_off(t),
					                     "more than %d frames in one record",
					                     PARSE_MAX_FRAMES);
				if (frame_line(t) < 0)
					return -1;
				t->nframelines++;
				t->just_opened = false;
				continue;
			}
			if (has_prefix(s, n, "# labels: ")) {
				if (!t->open || !t->just_opened)
					return parse_err_set(t->err, t->lineno, line_off(t),
					                     "labels line not directly after a "
					                     "record line");
				t->labels = s + 10;
				t->labelslen = n - 10;
				t->just_opened = false;
				continue;
			}
			if (t->fmt == T_HEAP && has_prefix(s, n, "# runtime.MemStats")) {
				if (t->open && commit(t) < 0)
					return -1;
				memstats = true;
				continue;
			}
			return parse_err_set(t->err, t->lineno, line_off(t),
			                     "unexpected comment line");
		}
		/* a record line; a missing blank line before it is tolerated */
		if (t->open && commit(t) < 0)
			return -1;
		if (record_line(t) < 0)
			return -1;
		t->open = true;
		t->just_opened = true;
		t->nframelines = 0;
		t->rec_line = t->lineno;
		t->rec_off = line_off(t);
		t->labels = NULL;
		t->labelslen = 0;
	}
	if (t->open) {
		if (t->nframelines > 0 || !t->symbolized) {
			if (commit(t) < 0)
				return -1;
		} else {
			/* a record line without its frames at the end */
			builder_clear_frames(t->b);
			t->open = false;
			t->truncated = true;
		}
	}
	return 0;
}

int
parse_text(const void *data, size_t len, const char *name, struct snapshot **out,
           struct parse_err *err)
{
	struct parse_err dummy;
	struct tp t;

	*out = NULL;
	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	memset(&t, 0, sizeof(t));
	t.buf = data;
	t.len = len;
	t.err = err;
	if (len == 0 || data == NULL)
		return parse_err_set(err, 1, 0, "empty input");
	if (next_line(&t) < 0)
		return parse_err_set(err, 1, 0, "line longer than %zu bytes", PARSE_MAX_LINE);
	if (parse_header(&t, name) < 0) {
		builder_abort(t.b);
		return -1;
	}
	struct snapshot *snap = builder_snap(t.b);
	t.nvalues = snap->nvalues;
	t.symbolized = text_has_frames(t.buf + t.pos, t.len - t.pos);
	if (parse_body(&t) < 0) {
		builder_abort(t.b);
		return -1;
	}
	if (t.fmt == T_COUNT && t.nrecords == 0 && snap->header_total > 0) {
		long long total = (long long)snap->header_total;
		builder_abort(t.b);
		return parse_err_set(err, t.lineno, len,
		                     "no complete record after the header (total %lld)", total);
	}
	if (t.fmt == T_CONTENTION && t.nrecords == 0)
		snap->profiling_disabled = snap->kind == PROF_BLOCK || snap->sampling_period == 0;
	snap->truncated = t.truncated;
	*out = builder_finish(t.b);
	return 0;
}
