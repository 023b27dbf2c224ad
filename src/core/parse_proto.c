/* parse_proto.c - gzipped (or uncompressed) profile.proto -> snapshot.
 *
 * The body is inflated by gunzip.c (gzip framing only, concatenated members
 * accepted, output capped at PARSE_MAX_INFLATED), then decoded by a
 * hand-written protobuf wire reader (pbwire.h) in two steps: one pass over
 * the top-level Profile message buffers sample ranges, locations, functions
 * and the string table (which Go writes last), then every sample is decoded
 * and handed to the builder leaf first (Line[0] of a Location is the innermost inlined call).
 * Both packed and unpacked encodings are accepted for every repeated scalar.
 *
 * Not validated (accepted as is):
 *   - Mapping messages (skipped: only their framing is checked), drop_frames,
 *     keep_frames, comment contents, doc_url, Line.column, Function.start_line,
 *     Location.mapping_id/is_folded;
 *   - that strings are UTF-8 (label text escapes invalid bytes as \xNN like
 *     Go's strconv.Quote, but unassigned code points are printed raw where Go
 *     would escape them) and that they contain no NUL byte;
 *   - the gzip header's optional fields beyond what zlib checks;
 *   - duplicate or unknown-to-pprof numeric labels (all numeric labels are
 *     ignored), label keys repeated within one sample (kept as is);
 *   - whether the values make sense for the kind (negative values are only
 *     expected in delta profiles, but are accepted everywhere; only sums
 *     that could overflow int64 are rejected).
 * Stacks longer than PARSE_MAX_FRAMES are cut (group marked elided); an
 * uncompressed message, like an inflated one, may not exceed
 * PARSE_MAX_INFLATED.
 * A known field with the wrong wire type, a wire type 3/4/6/7, an overlong
 * or truncated varint, a length past the end of its message, an out-of-range
 * string index and an unknown location/function id are errors.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/goquote.h"
#include "pproftop/gunzip.h"
#include "pproftop/parse.h"
#include "pproftop/parse_proto_bench.h"
#include "pproftop/pbwire.h"
#include "pproftop/xalloc.h"

/* ------------------------------------------------------------------ */
/* the decoded messages (the wire reader is pbwire.h)                 */
/* ------------------------------------------------------------------ */

struct str {
	const char *p;
	size_t n;
};

struct valtype {
	uint64_t type, unit;
};

struct line {
	uint64_t fn; /* function id, then index + 1 after resolve (0 = none) */
	int64_t line;
	uint32_t frame; /* the builder's frame key + 1, once first used (0: not yet) */
};

struct location {
	uint64_t id;
	uint64_t address;
	uint32_t line0, nlines; /* slice of ctx.lines */
	size_t pos;             /* offset of the message, for errors */
};

struct function {
	uint64_t id;
	uint64_t name, file; /* string indices */
	size_t pos;
	const char *iname, *ifile; /* interned in the snapshot on first use */
};

/* id -> record index, sorted by id (used when ids are not 1..n) */
struct idx {
	uint64_t id;
	uint32_t i;
};

struct range {
	size_t pos, end;
};

struct label {
	uint64_t key, str;
	struct str k, v; /* resolved before sorting */
};

#define VEC(T)                                                                                     \
	struct {                                                                                   \
		T *v;                                                                              \
		size_t n, cap;                                                                     \
	}

#define VEC_PUSH(vec, val)                                                                         \
	do {                                                                                       \
		if ((vec).n == (vec).cap) {                                                        \
			(vec).cap = (vec).cap ? (vec).cap * 2 : 16;                                \
			(vec).v = xreallocarray((vec).v, (vec).cap, sizeof(*(vec).v));             \
		}                                                                                  \
		(vec).v[(vec).n++] = (val);                                                        \
	} while (0)

struct ctx {
	struct parse_err *err;
	const uint8_t *msg;
	size_t len;
	VEC(struct valtype) stypes;
	VEC(struct range) samples;
	VEC(struct location) locs;
	VEC(struct line) lines;
	VEC(struct function) funcs;
	VEC(struct str) strs;
	struct valtype period_type;
	int64_t period, time_ns, duration_ns;
	uint64_t default_type;
	uint64_t sum_abs[PROF_MAX_VALUES]; /* keeps the builder's sums in range */
	/* id lookups: dense (id == index + 1) or sorted index arrays */
	bool locs_dense, funcs_dense;
	struct idx *loc_sorted, *func_sorted;
	/* per-sample scratch */
	VEC(uint64_t) s_locs;
	VEC(int64_t) s_vals;
	VEC(struct label) s_labels;
	/* label text scratch */
	char *lbuf;
	size_t lcap;
};

/* A repeated varint field, packed (LEN) or not: appends to vec. */
#define RD_REPEATED(c, r, at, field, wt, vec, T)                                                   \
	do {                                                                                       \
		uint64_t v_;                                                                       \
		if ((wt) == PB_VARINT) {                                                           \
			if (pb_varint((c)->err, (r), &v_) != 0)                                    \
				return -1;                                                         \
			VEC_PUSH((vec), (T)v_);                                                    \
		} else if ((wt) == PB_LEN) {                                                       \
			struct pb_rd p_;                                                           \
			if (pb_len((c)->err, (r), (field), &p_, (r)->what) != 0)                   \
				return -1;                                                         \
			while (p_.pos < p_.end) {                                                  \
				if (pb_varint((c)->err, &p_, &v_) != 0)                            \
					return -1;                                                 \
				VEC_PUSH((vec), (T)v_);                                            \
			}                                                                          \
		} else {                                                                           \
			return pb_wrong_type((c)->err, (r), (at), (field), (wt), PB_VARINT);       \
		}                                                                                  \
	} while (0)

static int
read_valtype(struct ctx *c, struct pb_rd *r, struct valtype *vt)
{
	uint32_t f;
	unsigned wt;

	vt->type = vt->unit = 0;
	while (r->pos < r->end) {
		size_t at = r->pos;
		if (pb_key(c->err, r, &f, &wt) != 0)
			return -1;
		if (f == 1 || f == 2) {
			if (pb_scalar(c->err, r, at, f, wt, f == 1 ? &vt->type : &vt->unit) != 0)
				return -1;
		} else if (pb_skip(c->err, r, f, wt) != 0) {
			return -1;
		}
	}
	return 0;
}

static int
read_line(struct ctx *c, struct pb_rd *r, struct line *ln)
{
	uint32_t f;
	unsigned wt;
	uint64_t v;

	ln->fn = 0;
	ln->line = 0;
	ln->frame = 0;
	while (r->pos < r->end) {
		size_t at = r->pos;
		if (pb_key(c->err, r, &f, &wt) != 0)
			return -1;
		if (f == 1 || f == 2) {
			if (pb_scalar(c->err, r, at, f, wt, &v) != 0)
				return -1;
			if (f == 1)
				ln->fn = v;
			else
				ln->line = (int64_t)v;
		} else if (pb_skip(c->err, r, f, wt) != 0) {
			return -1;
		}
	}
	return 0;
}

static int
read_location(struct ctx *c, struct pb_rd *r)
{
	struct location loc = { 0, 0, (uint32_t)c->lines.n, 0, r->pos };
	uint32_t f;
	unsigned wt;

	while (r->pos < r->end) {
		size_t at = r->pos;
		if (pb_key(c->err, r, &f, &wt) != 0)
			return -1;
		if (f == 1 || f == 3) {
			if (pb_scalar(c->err, r, at, f, wt, f == 1 ? &loc.id : &loc.address) != 0)
				return -1;
		} else if (f == 4) {
			struct pb_rd sub;
			struct line ln;
			if (wt != PB_LEN)
				return pb_wrong_type(c->err, r, at, f, wt, PB_LEN);
			if (pb_len(c->err, r, f, &sub, "Line") != 0 || read_line(c, &sub, &ln) != 0)
				return -1;
			VEC_PUSH(c->lines, ln);
			loc.nlines++;
		} else if (pb_skip(c->err, r, f, wt) != 0) {
			return -1;
		}
	}
	VEC_PUSH(c->locs, loc);
	return 0;
}

static int
read_function(struct ctx *c, struct pb_rd *r)
{
	struct function fn = { 0, 0, 0, r->pos, NULL, NULL };
	uint32_t f;
	unsigned wt;

	while (r->pos < r->end) {
		size_t at = r->pos;
		if (pb_key(c->err, r, &f, &wt) != 0)
			return -1;
		if (f == 1 || f == 2 || f == 4) {
			uint64_t *dst = f == 1 ? &fn.id : f == 2 ? &fn.name : &fn.file;
			if (pb_scalar(c->err, r, at, f, wt, dst) != 0)
				return -1;
		} else if (pb_skip(c->err, r, f, wt) != 0) {
			return -1;
		}
	}
	VEC_PUSH(c->funcs, fn);
	return 0;
}

/* Pass 1: the top-level Profile message. */
static int
read_profile(struct ctx *c)
{
	struct pb_rd r = { c->msg, 0, c->len, "Profile" };
	uint32_t f;
	unsigned wt;
	uint64_t v;

	while (r.pos < r.end) {
		size_t at = r.pos;
		struct pb_rd sub;
		if (pb_key(c->err, &r, &f, &wt) != 0)
			return -1;
		switch (f) {
		case 1:  /* sample_type */
		case 11: /* period_type */
		{
			struct valtype vt;
			if (wt != PB_LEN)
				return pb_wrong_type(c->err, &r, at, f, wt, PB_LEN);
			if (pb_len(c->err, &r, f, &sub, "ValueType") != 0 ||
			    read_valtype(c, &sub, &vt) != 0)
				return -1;
			if (f == 1)
				VEC_PUSH(c->stypes, vt);
			else
				c->period_type = vt;
			break;
		}
		case 2: /* sample: decoded in pass 2 */
			if (wt != PB_LEN)
				return pb_wrong_type(c->err, &r, at, f, wt, PB_LEN);
			if (pb_len(c->err, &r, f, &sub, "Sample") != 0)
				return -1;
			{
				struct range rg = { sub.pos, sub.end };
				VEC_PUSH(c->samples, rg);
			}
			break;
		case 3: /* mapping: not used */
			if (wt != PB_LEN)
				return pb_wrong_type(c->err, &r, at, f, wt, PB_LEN);
			if (pb_len(c->err, &r, f, &sub, "Mapping") != 0)
				return -1;
			break;
		case 4:
			if (wt != PB_LEN)
				return pb_wrong_type(c->err, &r, at, f, wt, PB_LEN);
			if (pb_len(c->err, &r, f, &sub, "Location") != 0 ||
			    read_location(c, &sub) != 0)
				return -1;
			break;
		case 5:
			if (wt != PB_LEN)
				return pb_wrong_type(c->err, &r, at, f, wt, PB_LEN);
			if (pb_len(c->err, &r, f, &sub, "Function") != 0 ||
			    read_function(c, &sub) != 0)
				return -1;
			break;
		case 6:
			if (wt != PB_LEN)
				return pb_wrong_type(c->err, &r, at, f, wt, PB_LEN);
			if (pb_len(c->err, &r, f, &sub, "Profile") != 0)
				return -1;
			{
				struct str s = { (const char *)c->msg + sub.pos,
					         sub.end - sub.pos };
				VEC_PUSH(c->strs, s);
			}
			break;
		case 7:  /* drop_frames */
		case 8:  /* keep_frames */
		case 9:  /* time_nanos */
		case 10: /* duration_nanos */
		case 12: /* period */
		case 14: /* default_sample_type */
		case 15: /* doc_url */
			if (pb_scalar(c->err, &r, at, f, wt, &v) != 0)
				return -1;
			if (f == 9)
				c->time_ns = (int64_t)v;
			else if (f == 10)
				c->duration_ns = (int64_t)v;
			else if (f == 12)
				c->period = (int64_t)v;
			else if (f == 14)
				c->default_type = v;
			break;
		case 13: /* comment: repeated int64, validated and dropped */
			if (wt == PB_VARINT) {
				if (pb_varint(c->err, &r, &v) != 0)
					return -1;
			} else if (wt == PB_LEN) {
				if (pb_len(c->err, &r, f, &sub, "Profile") != 0)
					return -1;
				while (sub.pos < sub.end)
					if (pb_varint(c->err, &sub, &v) != 0)
						return -1;
			} else {
				return pb_wrong_type(c->err, &r, at, f, wt, PB_VARINT);
			}
			break;
		default:
			if (pb_skip(c->err, &r, f, wt) != 0)
				return -1;
			break;
		}
	}
	return 0;
}

/* Pass 2: one Sample into the scratch vectors. */
static int
read_sample(struct ctx *c, const struct range *rg)
{
	struct pb_rd r = { c->msg, rg->pos, rg->end, "Sample" };
	uint32_t f;
	unsigned wt;

	c->s_locs.n = 0;
	c->s_vals.n = 0;
	c->s_labels.n = 0;
	while (r.pos < r.end) {
		size_t at = r.pos;
		if (pb_key(c->err, &r, &f, &wt) != 0)
			return -1;
		if (f == 1) {
			RD_REPEATED(c, &r, at, f, wt, c->s_locs, uint64_t);
		} else if (f == 2) {
			RD_REPEATED(c, &r, at, f, wt, c->s_vals, int64_t);
		} else if (f == 3) {
			struct pb_rd sub;
			struct label lb;
			memset(&lb, 0, sizeof(lb));
			uint64_t num;
			if (wt != PB_LEN)
				return pb_wrong_type(c->err, &r, at, f, wt, PB_LEN);
			if (pb_len(c->err, &r, f, &sub, "Label") != 0)
				return -1;
			while (sub.pos < sub.end) {
				size_t lat = sub.pos;
				if (pb_key(c->err, &sub, &f, &wt) != 0)
					return -1;
				if (f >= 1 && f <= 4) {
					uint64_t *dst = f == 1 ? &lb.key : f == 2 ? &lb.str : &num;
					if (pb_scalar(c->err, &sub, lat, f, wt, dst) != 0)
						return -1;
				} else if (pb_skip(c->err, &sub, f, wt) != 0) {
					return -1;
				}
			}
			/* numeric labels (heap "bytes") are ignored; as in pprof a
			 * label whose str index is 0 is not a string label */
			if (lb.str != 0)
				VEC_PUSH(c->s_labels, lb);
		} else if (pb_skip(c->err, &r, f, wt) != 0) {
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* resolving ids and strings                                           */
/* ------------------------------------------------------------------ */

static int
get_str(struct ctx *c, uint64_t idx, struct str *out, const char *what, size_t at)
{
	if (idx >= c->strs.n)
		return parse_err_set(c->err, 0, at,
		                     "%s: string index %llu out of range (%zu strings)", what,
		                     (unsigned long long)idx, c->strs.n);
	*out = c->strs.v[idx];
	return 0;
}

static int
cmp_idx(const void *pa, const void *pb)
{
	const struct idx *a = pa, *b = pb;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Build the id index of n records of size stride whose first member is the
 * uint64 id: none when the ids are 1..n in order (the Go runtime's case),
 * else a sorted (id, index) array. Errors on a duplicate id. */
static int
index_ids(struct ctx *c, const void *base, size_t n, size_t stride, bool *dense,
          struct idx **sorted, const char *what)
{
	const char *p = base;
	uint64_t id;

	*dense = true;
	for (size_t i = 0; i < n && *dense; i++) {
		memcpy(&id, p + i * stride, sizeof(id));
		if (id != i + 1)
			*dense = false;
	}
	if (*dense)
		return 0;
	struct idx *ix = xreallocarray(NULL, n ? n : 1, sizeof(*ix));
	for (size_t i = 0; i < n; i++) {
		memcpy(&ix[i].id, p + i * stride, sizeof(ix[i].id));
		ix[i].i = (uint32_t)i;
	}
	qsort(ix, n, sizeof(*ix), cmp_idx);
	*sorted = ix;
	for (size_t i = 1; i < n; i++)
		if (ix[i - 1].id == ix[i].id)
			return parse_err_set(c->err, 0, 0, "duplicate %s id %llu", what,
			                     (unsigned long long)ix[i].id);
	return 0;
}

/* lookup: index of the record with this id, or -1. */
static long
lookup_id(size_t n, bool dense, const struct idx *sorted, uint64_t id)
{
	if (dense)
		return id >= 1 && id <= n ? (long)(id - 1) : -1;
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sorted[mid].id == id)
			return (long)sorted[mid].i;
		if (sorted[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int
resolve(struct ctx *c)
{
	struct str s;

	if (c->strs.n == 0)
		return parse_err_set(c->err, 0, 0, "profile has no string table");
	if (c->strs.v[0].n != 0)
		return parse_err_set(c->err, 0, (size_t)((const uint8_t *)c->strs.v[0].p - c->msg),
		                     "string_table[0] must be the empty string");
	if (index_ids(c, c->funcs.v, c->funcs.n, sizeof(*c->funcs.v), &c->funcs_dense,
	              &c->func_sorted, "function") != 0 ||
	    index_ids(c, c->locs.v, c->locs.n, sizeof(*c->locs.v), &c->locs_dense, &c->loc_sorted,
	              "location") != 0)
		return -1;
	for (size_t i = 0; i < c->funcs.n; i++) {
		const struct function *f = &c->funcs.v[i];
		if (get_str(c, f->name, &s, "Function.name", f->pos) != 0 ||
		    get_str(c, f->file, &s, "Function.filename", f->pos) != 0)
			return -1;
	}
	for (size_t i = 0; i < c->locs.n; i++) {
		const struct location *l = &c->locs.v[i];
		for (uint32_t j = 0; j < l->nlines; j++) {
			struct line *ln = &c->lines.v[l->line0 + j];
			if (ln->fn == 0)
				continue; /* no function: an empty frame, dropped */
			long k = lookup_id(c->funcs.n, c->funcs_dense, c->func_sorted, ln->fn);
			if (k < 0)
				return parse_err_set(c->err, 0, l->pos,
				                     "Location %llu references unknown function "
				                     "id %llu",
				                     (unsigned long long)l->id,
				                     (unsigned long long)ln->fn);
			ln->fn = (uint64_t)k + 1;
		}
	}
	for (size_t i = 0; i < c->stypes.n; i++)
		if (get_str(c, c->stypes.v[i].type, &s, "sample_type", 0) != 0 ||
		    get_str(c, c->stypes.v[i].unit, &s, "sample_type", 0) != 0)
			return -1;
	if (get_str(c, c->period_type.type, &s, "period_type", 0) != 0 ||
	    get_str(c, c->period_type.unit, &s, "period_type", 0) != 0 ||
	    get_str(c, c->default_type, &s, "default_sample_type", 0) != 0)
		return -1;
	return 0;
}

static bool
str_is(struct str s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && memcmp(s.p, lit, n) == 0;
}

/* Index of the sample type with this type name, or -1. */
static int
stype_index(struct ctx *c, const char *type)
{
	for (size_t i = 0; i < c->stypes.n; i++)
		if (str_is(c->strs.v[c->stypes.v[i].type], type))
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* labels                                                              */
/* ------------------------------------------------------------------ */

static void
lbuf_reserve(struct ctx *c, size_t extra, size_t *used)
{
	if (*used + extra <= c->lcap)
		return;
	size_t n = c->lcap ? c->lcap : 256;
	while (n < *used + extra)
		n *= 2;
	c->lbuf = xreallocarray(c->lbuf, n, 1);
	c->lcap = n;
}

/* Append s quoted like Go's strconv.Quote (goquote.h). */
static void
quote_label(struct ctx *c, size_t *used, const char *s, size_t n)
{
	lbuf_reserve(c, GO_QUOTE_MAX(n), used);
	*used += go_quote(c->lbuf + *used, s, n);
}

static int
cmp_str(struct str x, struct str y)
{
	size_t n = x.n < y.n ? x.n : y.n;
	int k = n ? memcmp(x.p, y.p, n) : 0;

	if (k == 0 && x.n != y.n)
		k = x.n < y.n ? -1 : 1;
	return k;
}

static int
cmp_labels(const void *pa, const void *pb)
{
	const struct label *a = pa, *b = pb;
	int k = cmp_str(a->k, b->k);

	return k != 0 ? k : cmp_str(a->v, b->v);
}

/* The canonical label text of the current sample into c->lbuf: pairs sorted
 * by key then value, {"k":"v", "k2":"v2"}. Returns its length (0: none). */
static int
label_text(struct ctx *c, size_t at, size_t *outlen)
{
	size_t used = 0;

	*outlen = 0;
	if (c->s_labels.n == 0)
		return 0;
	for (size_t i = 0; i < c->s_labels.n; i++) {
		struct label *lb = &c->s_labels.v[i];
		if (get_str(c, lb->key, &lb->k, "Label.key", at) != 0 ||
		    get_str(c, lb->str, &lb->v, "Label.str", at) != 0)
			return -1;
	}
	/* insertion sort: label sets are small (and qsort's merge sort
	 * allocates) */
	for (size_t i = 1; i < c->s_labels.n; i++) {
		struct label t = c->s_labels.v[i];
		size_t j = i;
		for (; j > 0 && cmp_labels(&c->s_labels.v[j - 1], &t) > 0; j--)
			c->s_labels.v[j] = c->s_labels.v[j - 1];
		c->s_labels.v[j] = t;
	}
	lbuf_reserve(c, 1, &used);
	c->lbuf[used++] = '{';
	for (size_t i = 0; i < c->s_labels.n; i++) {
		struct str k = c->s_labels.v[i].k, v = c->s_labels.v[i].v;
		if (i > 0) {
			lbuf_reserve(c, 2, &used);
			c->lbuf[used++] = ',';
			c->lbuf[used++] = ' ';
		}
		quote_label(c, &used, k.p, k.n);
		lbuf_reserve(c, 1, &used);
		c->lbuf[used++] = ':';
		quote_label(c, &used, v.p, v.n);
	}
	lbuf_reserve(c, 1, &used);
	c->lbuf[used++] = '}';
	*outlen = used;
	return 0;
}

/* ------------------------------------------------------------------ */
/* kinds                                                               */
/* ------------------------------------------------------------------ */

static const struct location *
find_loc(struct ctx *c, uint64_t id, size_t at)
{
	long k = lookup_id(c->locs.n, c->locs_dense, c->loc_sorted, id);
	if (k < 0) {
		parse_err_set(c->err, 0, at, "a Sample references unknown location id %llu",
		              (unsigned long long)id);
		return NULL;
	}
	return &c->locs.v[k];
}

static bool
is_unlock_fn(struct str fn)
{
	static const char *const names[] = {
		"sync.(*Mutex).Unlock",    "sync.(*RWMutex).Unlock",
		"sync.(*RWMutex).RUnlock", "internal/sync.(*Mutex).Unlock",
		"runtime.unlock",          "runtime._LostContendedRuntimeLock",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (str_is(fn, names[i]))
			return true;
	return false;
}

/* block and mutex profiles share sample types; a mutex stack ends (leaf)
 * at the Unlock that released the contended lock. */
static int
guess_mutex(struct ctx *c, bool *mutex)
{
	*mutex = false;
	for (size_t i = 0; i < c->samples.n; i++) {
		if (read_sample(c, &c->samples.v[i]) != 0)
			return -1;
		for (size_t j = 0; j < c->s_locs.n; j++) {
			const struct location *l = find_loc(c, c->s_locs.v[j], c->samples.v[i].pos);
			if (l == NULL)
				return -1;
			const struct line *ln = &c->lines.v[l->line0];
			uint32_t k = 0;
			while (k < l->nlines &&
			       (ln[k].fn == 0 || c->strs.v[c->funcs.v[ln[k].fn - 1].name].n == 0))
				k++;
			if (k == l->nlines)
				continue; /* no named frame in this location: look further */
			if (is_unlock_fn(c->strs.v[c->funcs.v[ln[k].fn - 1].name])) {
				*mutex = true;
				return 0;
			}
			break;
		}
	}
	return 0;
}

static const char *
kind_name(enum prof_kind k)
{
	switch (k) {
	case PROF_GOROUTINE:
		return "goroutine";
	case PROF_GOROUTINELEAK:
		return "goroutineleak";
	case PROF_HEAP:
		return "heap";
	case PROF_ALLOCS:
		return "allocs";
	case PROF_BLOCK:
		return "block";
	case PROF_MUTEX:
		return "mutex";
	case PROF_THREADCREATE:
		return "threadcreate";
	case PROF_CPU:
		return "cpu";
	case PROF_CUSTOM:
		break;
	}
	return "custom";
}

/* "type/unit, type/unit" for error messages. */
static void
describe_types(struct ctx *c, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < c->stypes.n && o + 1 < len; i++) {
		struct str t = c->strs.v[c->stypes.v[i].type], u = c->strs.v[c->stypes.v[i].unit];
		int w = snprintf(buf + o, len - o, "%s%.*s/%.*s", i ? ", " : "",
		                 (int)(t.n > 40 ? 40 : t.n), t.p, (int)(u.n > 20 ? 20 : u.n), u.p);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

/* Decide the kind (and inferred name) and map sample types to the builder's
 * value columns: map[i] = index of sample_type for builder value i. */
static int
pick_kind(struct ctx *c, const char *name, enum prof_kind *kind, struct str *inferred, int *map,
          int *nmap)
{
	int ia = stype_index(c, "alloc_objects"), ib = stype_index(c, "alloc_space");
	int ic = stype_index(c, "inuse_objects"), id = stype_index(c, "inuse_space");
	int icont = stype_index(c, "contentions"), idelay = stype_index(c, "delay");
	int icpu = stype_index(c, "cpu"), isamp = stype_index(c, "samples");
	char types[128];

	if (c->stypes.n == 0)
		return parse_err_set(c->err, 0, 0, "profile has no sample types");
	describe_types(c, types, sizeof(types));
	inferred->p = NULL;
	inferred->n = 0;
	if (name != NULL) {
		*kind = snapshot_kind_from_name(name);
	} else if (icpu >= 0 && isamp >= 0) {
		*kind = PROF_CPU;
	} else if (icont >= 0 && idelay >= 0) {
		bool mutex;
		if (guess_mutex(c, &mutex) != 0)
			return -1;
		*kind = mutex ? PROF_MUTEX : PROF_BLOCK;
	} else if (ia >= 0 || ib >= 0 || ic >= 0 || id >= 0) {
		*kind = str_is(c->strs.v[c->default_type], "alloc_space") ? PROF_ALLOCS : PROF_HEAP;
	} else if (c->stypes.n == 1) {
		struct str t = c->strs.v[c->stypes.v[0].type];
		*kind = PROF_CUSTOM;
		if (str_is(t, "goroutine"))
			*kind = PROF_GOROUTINE;
		else if (str_is(t, "goroutineleak"))
			*kind = PROF_GOROUTINELEAK;
		else if (str_is(t, "threadcreate"))
			*kind = PROF_THREADCREATE;
		else if (t.n > 0)
			*inferred = t;
		else
			return parse_err_set(c->err, 0, 0, "sample type has an empty name");
	} else {
		return parse_err_set(c->err, 0, 0, "unrecognized sample types: %s", types);
	}

	switch (*kind) {
	case PROF_HEAP:
	case PROF_ALLOCS:
		map[0] = id;
		map[1] = ic;
		map[2] = ib;
		map[3] = ia;
		*nmap = 4;
		break;
	case PROF_BLOCK:
	case PROF_MUTEX:
		map[0] = icont;
		map[1] = idelay;
		*nmap = 2;
		break;
	case PROF_CPU:
		map[0] = icpu;
		map[1] = isamp;
		*nmap = 2;
		break;
	default:
		/* count profiles: one value */
		map[0] = c->stypes.n == 1 ? 0 : -1;
		*nmap = 1;
		break;
	}
	for (int i = 0; i < *nmap; i++)
		if (map[i] < 0)
			return parse_err_set(c->err, 0, 0,
			                     "sample types %s do not match a %s profile", types,
			                     name != NULL ? name : kind_name(*kind));
	return 0;
}

/* ------------------------------------------------------------------ */
/* building                                                            */
/* ------------------------------------------------------------------ */

static int
emit_sample(struct ctx *c, struct builder *b, const struct range *rg, const int *map, int nmap)
{
	int64_t values[PROF_MAX_VALUES] = { 0 };
	size_t nframes = 0, lablen;
	bool elided = false;
	char hexbuf[24];

	if (read_sample(c, rg) != 0)
		return -1;
	if (c->s_vals.n != c->stypes.n)
		return parse_err_set(c->err, 0, rg->pos,
		                     "sample has %zu values, expected %zu (one per sample type)",
		                     c->s_vals.n, c->stypes.n);
	for (int i = 0; i < nmap; i++) {
		int64_t v = c->s_vals.v[map[i]];
		uint64_t a = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
		/* every group value and total is bounded by the sum of |v| */
		if (a > (uint64_t)INT64_MAX - c->sum_abs[i])
			return parse_err_set(c->err, 0, rg->pos,
			                     "sample values overflow a 64-bit total");
		c->sum_abs[i] += a;
		values[i] = v;
	}
	builder_clear_frames(b);
	for (size_t j = 0; j < c->s_locs.n && !elided; j++) {
		const struct location *l = find_loc(c, c->s_locs.v[j], rg->pos);
		if (l == NULL)
			return -1;
		if (l->nlines == 0) {
			/* unsymbolized: name the frame by its address, except
			 * the placeholder addresses 0 and ^0 */
			if (l->address == 0 || l->address == UINT64_MAX)
				continue;
			if (nframes == PARSE_MAX_FRAMES) {
				elided = true;
				break;
			}
			int w = snprintf(hexbuf, sizeof(hexbuf), "0x%llx",
			                 (unsigned long long)l->address);
			builder_frame(b, hexbuf, (size_t)w, "", 0, 0);
			nframes++;
			continue;
		}
		struct line *ln = &c->lines.v[l->line0];
		for (uint32_t k = 0; k < l->nlines; k++) {
			if (ln[k].fn == 0)
				continue;
			if (ln[k].frame == 0) { /* first seen: its frame key, kept */
				struct function *fn = &c->funcs.v[ln[k].fn - 1];
				struct str nm = c->strs.v[fn->name], file = c->strs.v[fn->file];
				if (nm.n == 0)
					continue; /* 1.23+ bogus location at 0xffffffffffffffff */
				if (fn->iname == NULL)
					builder_intern_names(b, nm.p, nm.n, file.p, file.n,
					                     &fn->iname, &fn->ifile);
				ln[k].frame =
				    builder_frame_key(b, fn->iname, fn->ifile, ln[k].line) + 1;
			}
			if (nframes == PARSE_MAX_FRAMES) {
				elided = true;
				break;
			}
			builder_frame_key_add(b, ln[k].frame - 1);
			nframes++;
		}
	}
	if (label_text(c, rg->pos, &lablen) != 0)
		return -1;
	struct group *g = builder_commit(b, values, lablen ? c->lbuf : NULL, lablen);
	if (elided)
		g->elided = true;
	return 0;
}

static void
ctx_free(struct ctx *c)
{
	free(c->stypes.v);
	free(c->samples.v);
	free(c->locs.v);
	free(c->lines.v);
	free(c->funcs.v);
	free(c->strs.v);
	free(c->loc_sorted);
	free(c->func_sorted);
	free(c->s_locs.v);
	free(c->s_vals.v);
	free(c->s_labels.v);
	free(c->lbuf);
}

/* The groups of the message in c, built into *out (finished by the caller,
 * once c's tables and the inflated message are freed: they are not needed
 * any more, and the peak memory is then the snapshot's alone). */
static int
decode(struct ctx *c, const char *name, struct builder **out)
{
	enum prof_kind kind = PROF_CUSTOM;
	struct str inferred = { NULL, 0 };
	int map[PROF_MAX_VALUES], nmap = 0;
	char namebuf[256];

	if (read_profile(c) != 0)
		return -1;
	if (c->stypes.n == 0)
		return parse_err_set(c->err, 0, 0, "profile has no sample types");
	if (resolve(c) != 0)
		return -1;
	if (pick_kind(c, name, &kind, &inferred, map, &nmap) != 0)
		return -1;
	if (name == NULL) {
		if (inferred.p != NULL) {
			size_t n =
			    inferred.n < sizeof(namebuf) - 1 ? inferred.n : sizeof(namebuf) - 1;
			memcpy(namebuf, inferred.p, n);
			namebuf[n] = '\0';
			name = namebuf;
		} else {
			name = kind_name(kind);
		}
	}
	struct builder *b = builder_new(name, kind, FMT_PROTO);
	struct snapshot *s = builder_snap(b);
	struct str pt = c->strs.v[c->period_type.type], pu = c->strs.v[c->period_type.unit];
	s->period_type = arena_intern(&s->arena, pt.p, pt.n);
	s->period_unit = arena_intern(&s->arena, pu.p, pu.n);
	s->period = c->period;
	s->time_ns = c->time_ns;
	s->duration_ns = c->duration_ns;
	s->delta = c->duration_ns != 0 && kind != PROF_CPU;
	/* at most one group per sample (a goroutine profile: exactly) */
	builder_reserve(b, c->samples.n);
	for (size_t i = 0; i < c->samples.n; i++) {
		if (emit_sample(c, b, &c->samples.v[i], map, nmap) != 0) {
			builder_abort(b);
			return -1;
		}
	}
	*out = b;
	return 0;
}

int
parse_proto(const void *data, size_t len, const char *name, struct snapshot **out,
            struct parse_err *err)
{
	const uint8_t *in = data;
	uint8_t *inflated = NULL;
	struct builder *b = NULL;
	struct ctx c;
	int rc;

	*out = NULL;
	if (err != NULL) {
		err->inflated = 0;
		err->line = 0;
	}
	if (name != NULL && name[0] == '\0')
		name = NULL; /* unknown: inferred from the data */
	if (len == 0)
		return parse_err_set(err, 0, 0, "empty input: not a profile");
	memset(&c, 0, sizeof(c));
	c.err = err;
	if (len >= 2 && in[0] == 0x1f && in[1] == 0x8b) {
		if (gunzip_inflate(in, len, &inflated, &c.len, err) != 0)
			return -1;
		c.msg = inflated;
		if (err != NULL)
			err->inflated = 1;
	} else {
		if (len > PARSE_MAX_INFLATED)
			return parse_err_set(err, 0, PARSE_MAX_INFLATED,
			                     "protobuf message exceeds the %zu MiB limit",
			                     PARSE_MAX_INFLATED >> 20);
		c.msg = in;
		c.len = len;
	}
	if (c.len == 0) {
		rc = parse_err_set(err, 0, 0, "empty protobuf message: not a profile");
	} else {
		rc = decode(&c, name, &b);
	}
	ctx_free(&c);
	free(inflated);
	if (rc == 0)
		*out = builder_finish(b);
	if (rc == 0 && err != NULL)
		err->inflated = 0;
	return rc;
}

/* The benchmark hook (parse_proto_bench.h). */
long
parse_proto_wire_bench(const void *msg, size_t len, size_t *nlocations, size_t *nfunctions,
                       size_t *nstrings, struct parse_err *err)
{
	struct ctx c;
	long rc = -1;

	memset(&c, 0, sizeof(c));
	c.err = err;
	c.msg = msg;
	c.len = len;
	if (read_profile(&c) != 0 || resolve(&c) != 0)
		goto out;
	for (size_t i = 0; i < c.samples.n; i++) {
		if (read_sample(&c, &c.samples.v[i]) != 0)
			goto out;
		for (size_t j = 0; j < c.s_locs.n; j++)
			if (find_loc(&c, c.s_locs.v[j], c.samples.v[i].pos) == NULL)
				goto out;
	}
	*nlocations = c.locs.n;
	*nfunctions = c.funcs.n;
	*nstrings = c.strs.n;
	rc = (long)c.samples.n;
out:
	ctx_free(&c);
	return rc;
}
