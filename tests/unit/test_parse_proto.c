/* test_parse_proto.c - parse_proto() against the real captures and against
 * hand-built and malformed messages.
 *
 * Expected totals were cross-checked with `go tool pprof -raw` (go1.19
 * toolchain): for every fixture the per-sample-type sums of -raw's sample
 * lines equal the totals asserted here, except for samples without any
 * location (the goroutine that has only runtime.goexit on its stack, and the
 * 1.19-1.22 threadcreate records without a stack), which pprof -raw leaves
 * out and which the debug=1 text counts ("total N" header); those are
 * asserted against the debug=1 header instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "pproftop/parse.h"
#include "testutil.h"

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

static char *
path_in(const char *dir, const char *file)
{
	static char buf[256];
	snprintf(buf, sizeof(buf), "%s/%s", dir, file);
	return buf;
}

static const struct labelset *
find_labelset(const struct group *g, const char *text)
{
	for (const struct labelset *ls = g->labels; ls != NULL; ls = ls->next)
		if (strcmp(ls->text, text) == 0)
			return ls;
	return NULL;
}

static size_t
count_labelsets(const struct group *g)
{
	size_t n = 0;
	for (const struct labelset *ls = g->labels; ls != NULL; ls = ls->next)
		n++;
	return n;
}

/* The debug=1 text of a count profile: sum of the record counts whose
 * "# labels: " line is exactly text; *ntexts = distinct label lines. */
static int64_t
debug1_label_sum(const char *rel, const char *text, size_t *ntexts)
{
	size_t len;
	char *buf = tu_read(rel, &len);
	int64_t count = 0, sum = 0;
	char seen[64][128];
	size_t nseen = 0;

	for (char *line = buf; line < buf + len;) {
		char *nl = memchr(line, '\n', (size_t)(buf + len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(buf + len - line);
		if (n > 0 && line[0] >= '0' && line[0] <= '9') {
			count = strtoll(line, NULL, 10);
		} else if (n > 10 && memcmp(line, "# labels: ", 10) == 0) {
			size_t tn = n - 10;
			if (tn == strlen(text) && memcmp(line + 10, text, tn) == 0)
				sum += count;
			bool dup = false;
			for (size_t i = 0; i < nseen; i++)
				if (strlen(seen[i]) == tn && memcmp(seen[i], line + 10, tn) == 0)
					dup = true;
			if (!dup && nseen < 64 && tn < sizeof(seen[0])) {
				memcpy(seen[nseen], line + 10, tn);
				seen[nseen][tn] = '\0';
				nseen++;
			}
		}
		line += n + 1;
	}
	free(buf);
	if (ntexts != NULL)
		*ntexts = nseen;
	return sum;
}

/* "goroutine profile: total N" of a debug=1 text. */
static int64_t
debug1_total(const char *rel)
{
	size_t len;
	char *buf = tu_read(rel, &len);
	char *p = strstr(buf, " profile: total ");
	int64_t v = p ? strtoll(p + 16, NULL, 10) : -1;
	free(buf);
	return v;
}

static bool
any_frame_matching(const struct snapshot *s, const char *needle, bool empty)
{
	for (size_t i = 0; i < s->ngroups; i++)
		for (uint32_t j = 0; j < s->groups[i].nframes; j++) {
			const char *fn = group_frame(&s->groups[i], j)->function;
			if ((empty && fn[0] == '\0') || (needle && strstr(fn, needle)))
				return true;
		}
	return false;
}

static const struct group *
empty_group(const struct snapshot *s)
{
	for (size_t i = 0; i < s->ngroups; i++)
		if (s->groups[i].nframes == 0)
			return &s->groups[i];
	return NULL;
}

/* Parse data through parse_proto, expecting failure; returns the error. */
static struct parse_err
expect_fail(const void *data, size_t len, const char *name)
{
	struct snapshot *s = (struct snapshot *)1;
	struct parse_err err;

	memset(&err, 0, sizeof(err));
	int rc = parse_proto(data, len, name, &s, &err);
	if (rc == 0) {
		snapshot_free(s);
		fail_msg("parse_proto succeeded on malformed input");
	}
	assert_null(s);
	return err;
}

static struct snapshot *
expect_ok(const void *data, size_t len, const char *name)
{
	struct snapshot *s = NULL;
	struct parse_err err;

	if (parse_proto(data, len, name, &s, &err) != 0) {
		char msg[512];
		parse_err_format(&err, "<mem>", msg, sizeof(msg));
		fail_msg("%s", msg);
	}
	assert_non_null(s);
	return s;
}

/* gzip data in memory */
static uint8_t *
gzip_mem(const void *data, size_t len, size_t *outlen)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
	                 Z_OK);
	size_t cap = deflateBound(&zs, (uLong)len) + 64;
	uint8_t *out = malloc(cap);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*outlen = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static uint8_t *
gunzip_mem(const void *data, size_t len, size_t *outlen)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
	size_t cap = 1 << 20;
	uint8_t *out = malloc(cap);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	*outlen = zs.total_out;
	inflateEnd(&zs);
	return out;
}

/* ---- a tiny protobuf encoder for hand-built messages ---- */

struct pb {
	uint8_t *p;
	size_t n, cap;
};

static void
pb_raw(struct pb *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
	}
	if (n > 0)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void
pb_varint(struct pb *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;
	do {
		tmp[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	pb_raw(b, tmp, n);
}

static void
pb_key(struct pb *b, unsigned field, unsigned wt)
{
	pb_varint(b, (uint64_t)field << 3 | wt);
}

static void
pb_uint(struct pb *b, unsigned field, uint64_t v)
{
	pb_key(b, field, 0);
	pb_varint(b, v);
}

static void
pb_bytes(struct pb *b, unsigned field, const void *p, size_t n)
{
	pb_key(b, field, 2);
	pb_varint(b, n);
	pb_raw(b, p, n);
}

static void
pb_str(struct pb *b, unsigned field, const char *s)
{
	pb_bytes(b, field, s, strlen(s));
}

/* appends sub as a LEN field and frees it */
static void
pb_msg(struct pb *b, unsigned field, struct pb *sub)
{
	pb_bytes(b, field, sub->p, sub->n);
	free(sub->p);
	memset(sub, 0, sizeof(*sub));
}

static void
pb_valtype(struct pb *b, unsigned field, uint64_t type, uint64_t unit)
{
	struct pb vt = { 0 };
	pb_uint(&vt, 1, type);
	pb_uint(&vt, 2, unit);
	pb_msg(b, field, &vt);
}

/* String table of the mini profiles. */
static const char *const mini_strings[] = {
	"",                                     /* 0 */
	"goroutine",                            /* 1 */
	"count",                                /* 2 */
	"main.a",                               /* 3 */
	"a.go",                                 /* 4 */
	"main.b",                               /* 5 */
	"b.go",                                 /* 6 */
	"k",                                    /* 7 */
	"v",                                    /* 8 */
	"a\"b\\",                               /* 9 */
	"x\ny\t\x01",                           /* 10 */
	"\xc3\xa9\xe2(",                        /* 11: é, then a broken sequence */
	"bytes",                                /* 12 */
	"\xe2\x80\xa8\xc2\xa0\xf0\x9f\x98\x80", /* 13: U+2028, U+00A0, U+1F600 */
	"z",                                    /* 14 */
	"main.F[go.shape.string]",              /* 15 */
	"contentions",                          /* 16 */
	"delay",                                /* 17 */
	"nanoseconds",                          /* 18 */
	"sync.(*Mutex).Unlock",                 /* 19 */
	"sync.(*Mutex).Lock",                   /* 20 */
};
#define NSTR (sizeof(mini_strings) / sizeof(mini_strings[0]))

/* Functions: id 1 main.a (a.go), id 2 main.b (b.go), id 3 the generic,
 * id 4 Unlock, id 5 Lock; fid_base shifts all ids (non-dense ids).
 * Locations: id 1 -> main.a:10, id 2 -> main.b:20 with main.a:11 inlined
 * (Line[0] = main.a), id 3 -> F[...]:30, id 4 -> Unlock:1, id 5 -> Lock:2,
 * id 6 -> no lines at 0x1234, id 7 -> empty function name at ^0. */
static void
mini_symbols(struct pb *b, uint64_t lid_base, uint64_t fid_base)
{
	struct pb m = { 0 }, ln = { 0 };
	const uint64_t fnames[][2] = { { 3, 4 }, { 5, 6 }, { 15, 4 }, { 19, 6 }, { 20, 6 } };

	/* locations in reverse id order, before the functions */
	for (int id = 7; id >= 1; id--) {
		pb_uint(&m, 1, lid_base + (uint64_t)id);
		pb_uint(&m, 2, 1);
		pb_uint(&m, 3, id == 7 ? UINT64_MAX : 0x1000 + (uint64_t)id * 0x100 + 0x34);
		switch (id) {
		case 1:
		case 3:
		case 4:
		case 5: {
			uint64_t fid = id == 1 ? 1 : (uint64_t)id;
			pb_uint(&ln, 1, fid_base + fid);
			pb_uint(&ln, 2, id == 1 ? 10 : id == 3 ? 30 : (uint64_t)(id - 3));
			pb_msg(&m, 4, &ln);
			break;
		}
		case 2:
			pb_uint(&ln, 1, fid_base + 1);
			pb_uint(&ln, 2, 11);
			pb_msg(&m, 4, &ln);
			pb_uint(&ln, 1, fid_base + 2);
			pb_uint(&ln, 2, 20);
			pb_msg(&m, 4, &ln);
			break;
		case 7:
			pb_uint(&ln, 1, 0); /* no function */
			pb_msg(&m, 4, &ln);
			break;
		default:
			break;
		}
		pb_msg(b, 4, &m);
	}
	for (int i = 0; i < 5; i++) {
		pb_uint(&m, 1, fid_base + (uint64_t)i + 1);
		pb_uint(&m, 2, fnames[i][0]);
		pb_uint(&m, 3, fnames[i][0]);
		pb_uint(&m, 4, fnames[i][1]);
		pb_msg(b, 5, &m);
	}
}

static void
mini_strtab(struct pb *b)
{
	for (size_t i = 0; i < NSTR; i++)
		pb_str(b, 6, mini_strings[i]);
}

/* A goroutine/count profile: header, the given samples, symbols, strings. */
static struct pb
mini_profile(const struct pb *samples)
{
	struct pb b = { 0 };
	pb_valtype(&b, 1, 1, 2);
	pb_raw(&b, samples->p, samples->n);
	mini_symbols(&b, 0, 0);
	mini_strtab(&b);
	pb_uint(&b, 9, 1700000000000000000ULL);
	pb_valtype(&b, 11, 1, 2);
	pb_uint(&b, 12, 1);
	return b;
}

/* A Sample with unpacked location ids and one value. */
static void
mini_sample(struct pb *b, const uint64_t *locs, size_t nlocs, int64_t value)
{
	struct pb s = { 0 };
	for (size_t i = 0; i < nlocs; i++)
		pb_uint(&s, 1, locs[i]);
	pb_uint(&s, 2, (uint64_t)value);
	pb_msg(b, 2, &s);
}

/* ------------------------------------------------------------------ */
/* goroutine profiles                                                  */
/* ------------------------------------------------------------------ */

static const struct {
	const char *dir;
	int64_t total; /* == debug=1 "total N" */
	size_t ngroups;
	int64_t leak;        /* the main.leakOne.func1 group */
	int64_t leak_ids[3]; /* per leak_id label 0, 1, 2 */
	int64_t time_ns;
	int64_t pprof_raw_total; /* go tool pprof -raw (drops location-less samples) */
} goroutine_cases[] = {
	{ "go1.19", 131, 29, 102, { 34, 34, 34 }, 1795683286733879849LL, 130 },
	{ "go1.21", 143, 28, 115, { 39, 38, 38 }, 1795683300444690887LL, 142 },
	{ "go1.22", 144, 27, 116, { 39, 39, 38 }, 1795683300849326117LL, 144 },
	{ "go1.24", 144, 27, 116, { 39, 39, 38 }, 1795683301587868135LL, 144 },
	{ "go1.27", 145, 27, 117, { 39, 39, 39 }, 1795683302458283146LL, 144 },
};

static void
check_labels_against_debug1(const struct snapshot *s, const char *debug1)
{
	size_t ntexts = 0, nsets = 0;

	debug1_label_sum(debug1, "", &ntexts);
	for (size_t i = 0; i < s->ngroups; i++) {
		for (const struct labelset *ls = s->groups[i].labels; ls; ls = ls->next) {
			int64_t want = debug1_label_sum(debug1, ls->text, NULL);
			if (want != ls->count)
				fail_msg("%s: label %s: proto %lld, debug=1 %lld", debug1, ls->text,
				         (long long)ls->count, (long long)want);
			nsets++;
		}
	}
	assert_int_equal(nsets, ntexts);
}

static void
test_goroutine(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(goroutine_cases) / sizeof(goroutine_cases[0]); c++) {
		const char *dir = goroutine_cases[c].dir;
		struct snapshot *s = tu_parse(path_in(dir, "goroutine.pb.gz"), NULL);

		assert_string_equal(s->name, "goroutine");
		assert_int_equal(s->kind, PROF_GOROUTINE);
		assert_int_equal(s->format, FMT_PROTO);
		assert_int_equal(s->nvalues, 1);
		assert_string_equal(s->vt[0].key, "count");
		assert_string_equal(s->period_type, "goroutine");
		assert_string_equal(s->period_unit, "count");
		assert_int_equal(s->period, 1);
		assert_int_equal(s->time_ns, goroutine_cases[c].time_ns);
		assert_int_equal(s->duration_ns, 0);
		assert_false(s->delta);
		assert_int_equal(s->totals[0], goroutine_cases[c].total);
		assert_int_equal(s->totals[0], debug1_total(path_in(dir, "goroutine-debug1.txt")));
		assert_int_equal(s->ngroups, goroutine_cases[c].ngroups);

		/* the leaking goroutines: one group, three label sets */
		const struct group *g = tu_group_by_label(s, "main.leakOne.func1");
		assert_non_null(g);
		assert_int_equal(g->values[0], goroutine_cases[c].leak);
		assert_int_equal(g->nsamples, 3);
		assert_int_equal(g->nframes, 2);
		assert_int_equal(g->label_frame, 0);
		assert_string_equal(group_frame(g, 0)->function, "main.leakOne.func1");
		assert_string_equal(group_frame(g, 0)->file, "/home/gopher/demo/main.go");
		assert_int_equal(group_frame(g, 0)->line, 64);
		assert_string_equal(group_frame(g, 1)->function, "runtime/pprof.Do");
		assert_int_equal(count_labelsets(g), 3);
		for (int id = 0; id < 3; id++) {
			char text[64];
			snprintf(text, sizeof(text),
			         "{\"component\":\"leaker\", \"leak_id\":\"%d\"}", id);
			const struct labelset *ls = find_labelset(g, text);
			assert_non_null(ls);
			assert_int_equal(ls->count, goroutine_cases[c].leak_ids[id]);
		}
		/* every label text and count equals the debug=1 "# labels:" lines */
		check_labels_against_debug1(s, path_in(dir, "goroutine-debug1.txt"));

		const struct group *burner = tu_group_by_label(s, "main.burnCPU.func1");
		assert_non_null(burner);
		assert_non_null(find_labelset(burner, "{\"component\":\"burner\"}"));

		/* the goroutine with only runtime.goexit on its stack: pprof -raw
		 * omits it, debug=1 prints it as "1 @ 0x<goexit>" */
		const struct group *e = empty_group(s);
		if (goroutine_cases[c].pprof_raw_total != goroutine_cases[c].total) {
			assert_non_null(e);
			assert_int_equal(e->values[0], goroutine_cases[c].total -
			                                   goroutine_cases[c].pprof_raw_total);
		}
		assert_false(any_frame_matching(s, "runtime.goexit", true));
		snapshot_free(s);
	}
}

/* 1.21+ protobufs carry the shape name; it is folded like the text's [...] */
static void
test_generics_folded(void **state)
{
	(void)state;
	const char *dirs[] = { "go1.19", "go1.21", "go1.22", "go1.24", "go1.27" };
	for (size_t i = 0; i < 5; i++) {
		struct snapshot *s = tu_parse(path_in(dirs[i], "goroutine.pb.gz"), NULL);
		const struct group *g = tu_group_with_fn(s, "main.waitGeneric[...]");
		assert_non_null(g);
		assert_string_equal(group_frame(g, 0)->function, "main.waitGeneric[...]");
		assert_int_equal(group_frame(g, 0)->line, 137);
		assert_false(any_frame_matching(s, "go.shape", false));
		snapshot_free(s);
	}
	/* a shape name with spaces and nested brackets (1.24 heap) */
	struct snapshot *s = tu_parse("go1.24/heap.pb.gz", NULL);
	assert_non_null(tu_group_with_fn(s, "unique.addUniqueMap[...].func1"));
	assert_non_null(tu_group_with_fn(s, "internal/sync.(*HashTrieMap[...]).All"));
	assert_false(any_frame_matching(s, "go.shape", false));
	snapshot_free(s);
}

static void
test_goroutineleak(void **state)
{
	(void)state;
	struct snapshot *s = tu_parse("go1.27/goroutineleak.pb.gz", NULL);

	assert_string_equal(s->name, "goroutineleak");
	assert_int_equal(s->kind, PROF_GOROUTINELEAK);
	assert_string_equal(s->period_type, "goroutineleak");
	assert_int_equal(s->totals[0], 123);
	assert_int_equal(s->totals[0], debug1_total("go1.27/goroutineleak-debug1.txt"));
	assert_int_equal(s->ngroups, 6);
	assert_int_equal(s->nsamples, 8);
	const struct group *g = tu_group_by_label(s, "main.leakOne.func1");
	assert_non_null(g);
	assert_int_equal(g->values[0], 118);
	assert_int_equal(find_labelset(g, "{\"component\":\"leaker\", \"leak_id\":\"0\"}")->count,
	                 40);
	assert_int_equal(find_labelset(g, "{\"component\":\"leaker\", \"leak_id\":\"1\"}")->count,
	                 39);
	check_labels_against_debug1(s, "go1.27/goroutineleak-debug1.txt");
	snapshot_free(s);
}

/* ------------------------------------------------------------------ */
/* heap / allocs                                                       */
/* ------------------------------------------------------------------ */

static const struct {
	const char *dir;
	/* inuse_space, inuse_objects, alloc_space, alloc_objects (pprof -raw) */
	int64_t heap[4], allocs[4];
	size_t heap_groups, allocs_groups;
} heap_cases[] = {
	{ "go1.19",
	  { 110923778, 3448, 178616843, 296732 },
	  { 114763304, 4880, 188281175, 300343 },
	  10,
	  13 },
	{ "go1.21",
	  { 122144729, 1863, 218147403, 403862 },
	  { 122144729, 1863, 218147403, 403862 },
	  9,
	  12 },
	{ "go1.22",
	  { 121586990, 1855, 216573930, 403150 },
	  { 124902021, 2025, 226310877, 422263 },
	  8,
	  11 },
	{ "go1.24",
	  { 121553764, 3016, 208116410, 399927 },
	  { 121553764, 3016, 208116410, 399927 },
	  10,
	  11 },
	{ "go1.27",
	  { 123193417, 11225, 223924912, 435958 },
	  { 123193417, 11225, 223924912, 435958 },
	  6,
	  8 },
};

static void
check_heap_totals(const struct snapshot *s, const int64_t *want)
{
	assert_int_equal(s->nvalues, 4);
	assert_string_equal(s->vt[0].key, "inuse_bytes");
	assert_string_equal(s->vt[1].key, "inuse_objects");
	assert_string_equal(s->vt[2].key, "alloc_bytes");
	assert_string_equal(s->vt[3].key, "alloc_objects");
	for (int i = 0; i < 4; i++)
		assert_int_equal(s->totals[i], want[i]);
	assert_string_equal(s->period_type, "space");
	assert_string_equal(s->period_unit, "bytes");
	assert_int_equal(s->period, 524288);
}

static void
test_heap_allocs(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(heap_cases) / sizeof(heap_cases[0]); c++) {
		const char *dir = heap_cases[c].dir;
		struct snapshot *s = tu_parse(path_in(dir, "heap.pb.gz"), NULL);
		assert_string_equal(s->name, "heap");
		assert_int_equal(s->kind, PROF_HEAP);
		assert_int_equal(s->primary, 0); /* no default: inuse_space */
		check_heap_totals(s, heap_cases[c].heap);
		assert_int_equal(s->ngroups, heap_cases[c].heap_groups);
		assert_false(s->delta);
		assert_null(s->groups[0].labels); /* numeric "bytes" labels ignored */
		snapshot_free(s);

		/* default_sample_type = "alloc_space" makes it allocs */
		s = tu_parse(path_in(dir, "allocs.pb.gz"), NULL);
		assert_string_equal(s->name, "allocs");
		assert_int_equal(s->kind, PROF_ALLOCS);
		assert_int_equal(s->primary, 2);
		check_heap_totals(s, heap_cases[c].allocs);
		assert_int_equal(s->ngroups, heap_cases[c].allocs_groups);
		snapshot_free(s);

		/* the name argument wins over the data */
		s = tu_parse(path_in(dir, "heap.pb.gz"), "allocs");
		assert_int_equal(s->kind, PROF_ALLOCS);
		assert_string_equal(s->name, "allocs");
		check_heap_totals(s, heap_cases[c].heap);
		snapshot_free(s);
	}
}

/* ------------------------------------------------------------------ */
/* block / mutex                                                       */
/* ------------------------------------------------------------------ */

static const struct {
	const char *file;
	enum prof_kind kind; /* inferred without a name */
	int64_t contentions, delay;
	size_t ngroups;
} contention_cases[] = {
	{ "go1.19/block.pb.gz", PROF_BLOCK, 46917, 284681794561LL, 3 },
	{ "go1.19/mutex.pb.gz", PROF_MUTEX, 32769, 82591553411LL, 1 },
	{ "go1.21/block.pb.gz", PROF_BLOCK, 54390, 331731399486LL, 3 },
	{ "go1.21/mutex.pb.gz", PROF_MUTEX, 37963, 96224905773LL, 2 },
	{ "go1.22/block.pb.gz", PROF_BLOCK, 54273, 332986959938LL, 4 },
	{ "go1.22/mutex.pb.gz", PROF_MUTEX, 38696, 301207603661LL, 3 },
	{ "go1.24/block.pb.gz", PROF_BLOCK, 54775, 430492872420LL, 5 },
	{ "go1.24/mutex.pb.gz", PROF_MUTEX, 38547, 303807947333LL, 3 },
	{ "go1.27/block.pb.gz", PROF_BLOCK, 55424, 338754930696LL, 5 },
	{ "go1.27/mutex.pb.gz", PROF_MUTEX, 38688, 306701933558LL, 9 },
	{ "variants/go1.19-mutex-fraction5.pb.gz", PROF_MUTEX, 39510, 99648518388LL, 1 },
	{ "variants/go1.23-mutex-fraction5.pb.gz", PROF_MUTEX, 39525, 311792037548LL, 2 },
	{ "variants/go1.27-mutex-fraction5.pb.gz", PROF_MUTEX, 39660, 314461790854LL, 6 },
	/* empty: indistinguishable, guessed block */
	{ "variants/go1.19-block-rate-not-set.pb.gz", PROF_BLOCK, 0, 0, 0 },
	{ "variants/go1.19-mutex-rate-not-set.pb.gz", PROF_BLOCK, 0, 0, 0 },
};

static void
test_block_mutex(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(contention_cases) / sizeof(contention_cases[0]); c++) {
		struct snapshot *s = tu_parse(contention_cases[c].file, NULL);
		enum prof_kind k = contention_cases[c].kind;

		if (s->kind != k)
			fail_msg("%s: kind %d, want %d", contention_cases[c].file, s->kind, k);
		assert_string_equal(s->name, k == PROF_MUTEX ? "mutex" : "block");
		assert_int_equal(s->nvalues, 2);
		assert_int_equal(s->primary, 1);
		assert_string_equal(s->vt[0].key, "contentions");
		assert_string_equal(s->vt[1].key, "delay_ns");
		assert_int_equal(s->totals[0], contention_cases[c].contentions);
		assert_int_equal(s->totals[1], contention_cases[c].delay);
		assert_int_equal(s->ngroups, contention_cases[c].ngroups);
		assert_string_equal(s->period_type, "contentions");
		assert_int_equal(s->period, 1);
		if (k == PROF_MUTEX) /* the hottest mutex stack ends at the Unlock */
			assert_string_equal(group_frame(&s->groups[0], 0)->function,
			                    "sync.(*Mutex).Unlock");
		snapshot_free(s);

		/* an explicit name decides block vs mutex */
		const char *other = k == PROF_MUTEX ? "block" : "mutex";
		s = tu_parse(contention_cases[c].file, other);
		assert_int_equal(s->kind, k == PROF_MUTEX ? PROF_BLOCK : PROF_MUTEX);
		assert_string_equal(s->name, other);
		assert_int_equal(s->totals[1], contention_cases[c].delay);
		snapshot_free(s);
	}
	/* block stacks keep their runtime leaf frames */
	struct snapshot *s = tu_parse("go1.19/block.pb.gz", NULL);
	assert_non_null(tu_group_with_fn(s, "runtime.chansend1"));
	assert_string_equal(group_frame(tu_group_with_fn(s, "runtime.chansend1"), 0)->function,
	                    "runtime.chansend1");
	snapshot_free(s);
}

/* ------------------------------------------------------------------ */
/* threadcreate, custom, cpu                                           */
/* ------------------------------------------------------------------ */

static void
test_threadcreate(void **state)
{
	(void)state;
	const char *dirs[] = { "go1.19", "go1.21", "go1.22", "go1.24", "go1.27" };
	for (size_t i = 0; i < 5; i++) {
		struct snapshot *s = tu_parse(path_in(dirs[i], "threadcreate.pb.gz"), NULL);
		assert_string_equal(s->name, "threadcreate");
		assert_int_equal(s->kind, PROF_THREADCREATE);
		assert_int_equal(s->totals[0], 9);
		assert_int_equal(s->totals[0],
		                 debug1_total(path_in(dirs[i], "threadcreate-debug1.txt")));
		assert_int_equal(s->ngroups, 2);
		/* the 8 records without a stack: no location_id (<= 1.22) or 32
		 * references to the bogus 0xffffffffffffffff location whose
		 * function name is empty (1.23+): both become an empty group */
		const struct group *e = empty_group(s);
		assert_non_null(e);
		assert_int_equal(e->values[0], 8);
		assert_false(any_frame_matching(s, NULL, true));
		const struct group *g = tu_group_with_fn(s, "runtime.allocm");
		assert_non_null(g);
		assert_int_equal(g->values[0], 1);
		assert_int_equal(g->nframes, 4); /* all runtime: kept; padding dropped */
		assert_string_equal(group_frame(g, 3)->function, "runtime.main");
		snapshot_free(s);
	}
}

static void
test_custom(void **state)
{
	(void)state;
	struct snapshot *s = tu_parse("go1.19/custom-openfiles.pb.gz", NULL);
	assert_string_equal(s->name, "example.com/openfiles");
	assert_int_equal(s->kind, PROF_CUSTOM);
	assert_string_equal(s->period_type, "example.com/openfiles");
	assert_int_equal(s->totals[0], 3);
	assert_int_equal(s->totals[0], debug1_total("go1.19/custom-openfiles-debug1.txt"));
	assert_int_equal(s->ngroups, 1);
	snapshot_free(s);
}

static void
test_cpu(void **state)
{
	(void)state;
	struct snapshot *s = tu_parse("go1.19/profile-cpu-3s.pb.gz", NULL);
	assert_string_equal(s->name, "cpu");
	assert_int_equal(s->kind, PROF_CPU);
	assert_int_equal(s->nvalues, 2);
	assert_string_equal(s->vt[0].key, "cpu_ns");
	assert_string_equal(s->vt[1].key, "samples");
	assert_int_equal(s->totals[0], 350000000);
	assert_int_equal(s->totals[1], 35);
	assert_int_equal(s->duration_ns, 3102635155LL);
	assert_int_equal(s->time_ns, 1795683293652476585LL);
	assert_false(s->delta); /* duration on a CPU profile is not a delta */
	assert_string_equal(s->period_type, "cpu");
	assert_string_equal(s->period_unit, "nanoseconds");
	assert_int_equal(s->period, 10000000);
	assert_int_equal(s->ngroups, 3);
	snapshot_free(s);
	s = tu_parse("go1.19/profile-cpu-3s.pb.gz", "profile");
	assert_int_equal(s->kind, PROF_CPU);
	assert_string_equal(s->name, "profile");
	snapshot_free(s);
}

/* ------------------------------------------------------------------ */
/* delta profiles                                                      */
/* ------------------------------------------------------------------ */

static int64_t
min_value(const struct snapshot *s, int v)
{
	int64_t m = INT64_MAX;
	for (size_t i = 0; i < s->ngroups; i++)
		if (s->groups[i].values[v] < m)
			m = s->groups[i].values[v];
	return m;
}

static void
test_delta(void **state)
{
	(void)state;
	struct snapshot *s = tu_parse("go1.19/goroutine-delta-2s.pb.gz", NULL);
	assert_true(s->delta);
	assert_int_equal(s->kind, PROF_GOROUTINE);
	assert_int_equal(s->duration_ns, 2017405914LL);
	assert_int_equal(s->totals[0], 2);
	assert_int_equal(s->nsamples, 8);
	assert_int_equal(min_value(s, 0), -1); /* exited goroutines */
	snapshot_free(s);

	/* the delta encoder drops default_sample_type: without a name it is
	 * heap; with the endpoint name it is allocs */
	s = tu_parse("go1.19/allocs-delta-2s.pb.gz", NULL);
	assert_true(s->delta);
	assert_int_equal(s->kind, PROF_HEAP);
	assert_int_equal(s->duration_ns, 2002216895LL);
	snapshot_free(s);
	s = tu_parse("go1.19/allocs-delta-2s.pb.gz", "allocs");
	assert_true(s->delta);
	assert_int_equal(s->kind, PROF_ALLOCS);
	const int64_t want[4] = { 557738, 9, 5987303, 12296 };
	check_heap_totals(s, want);
	assert_int_equal(s->ngroups, 7);
	snapshot_free(s);

	s = tu_parse("go1.19/block-delta-2s.pb.gz", NULL);
	assert_true(s->delta);
	assert_int_equal(s->kind, PROF_BLOCK);
	assert_int_equal(s->duration_ns, 2004333145LL);
	assert_int_equal(s->totals[0], 1135);
	assert_int_equal(s->totals[1], 8881264622LL);
	assert_int_equal(s->ngroups, 3);
	snapshot_free(s);

	/* negative int64 values are 10-byte varints, not zigzag */
	struct pb smp = { 0 };
	const uint64_t l1[] = { 1 };
	mini_sample(&smp, l1, 1, -5);
	mini_sample(&smp, l1, 1, INT64_MIN + 10);
	mini_sample(&smp, l1, 1, 3);
	struct pb m = mini_profile(&smp);
	pb_uint(&m, 10, 2000000000);
	s = expect_ok(m.p, m.n, NULL);
	assert_true(s->delta);
	assert_int_equal(s->ngroups, 1);
	assert_int_equal(s->groups[0].values[0], INT64_MIN + 8);
	assert_int_equal(s->groups[0].nsamples, 3);
	snapshot_free(s);
	free(m.p);

	/* sums that would overflow int64 are rejected, not wrapped */
	mini_sample(&smp, l1, 1, -100);
	m = mini_profile(&smp);
	struct parse_err err = expect_fail(m.p, m.n, NULL);
	assert_string_equal(err.msg, "sample values overflow a 64-bit total");
	free(m.p);
	free(smp.p);
}

/* ------------------------------------------------------------------ */
/* containers                                                          */
/* ------------------------------------------------------------------ */

/* The same message uncompressed, through profile_parse's detection too. */
static void
test_uncompressed(void **state)
{
	(void)state;
	size_t glen, rlen;
	char *gz = tu_read("go1.24/goroutine.pb.gz", &glen);
	uint8_t *raw = gunzip_mem(gz, glen, &rlen);
	struct snapshot *a = tu_parse("go1.24/goroutine.pb.gz", NULL), *b = NULL;
	struct parse_err err;

	/* the runtime's encoder starts with period_type (field 11, 0x5a) */
	assert_int_equal(raw[0], 0x5a);
	b = expect_ok(raw, rlen, NULL);
	assert_int_equal(b->ngroups, a->ngroups);
	assert_int_equal(b->totals[0], a->totals[0]);
	for (size_t i = 0; i < a->ngroups; i++)
		assert_int_equal(a->groups[i].id, b->groups[i].id);
	snapshot_free(b);

	/* the delta encoder starts with sample_type (field 1, 0x0a): detected
	 * by profile_parse as uncompressed protobuf */
	size_t dglen, drlen;
	char *dgz = tu_read("go1.19/goroutine-delta-2s.pb.gz", &dglen);
	uint8_t *draw = gunzip_mem(dgz, dglen, &drlen);
	assert_int_equal(draw[0], 0x0a);
	assert_int_equal(profile_parse(draw, drlen, NULL, &b, &err), 0);
	assert_int_equal(b->format, FMT_PROTO);
	assert_true(b->delta);
	assert_int_equal(b->totals[0], 2);
	snapshot_free(b);
	free(draw);
	free(dgz);

	/* a second gzip member (empty) after the first: concatenation */
	size_t e1len;
	uint8_t *e1 = gzip_mem("", 0, &e1len);
	char *two = malloc(glen + e1len);
	memcpy(two, gz, glen);
	memcpy(two + glen, e1, e1len);
	b = expect_ok(two, glen + e1len, NULL);
	assert_int_equal(b->totals[0], a->totals[0]);
	snapshot_free(b);

	/* the message split across two gzip members: they concatenate */
	size_t cut = rlen / 2;
	size_t l1, l2;
	uint8_t *g1 = gzip_mem(raw, cut, &l1), *g2 = gzip_mem(raw + cut, rlen - cut, &l2);
	char *split = malloc(l1 + l2);
	memcpy(split, g1, l1);
	memcpy(split + l1, g2, l2);
	b = expect_ok(split, l1 + l2, NULL);
	assert_int_equal(b->ngroups, a->ngroups);
	assert_int_equal(b->totals[0], a->totals[0]);
	snapshot_free(b);

	free(split);
	free(g1);
	free(g2);
	free(two);
	free(e1);
	snapshot_free(a);
	free(raw);
	free(gz);
}

/* ------------------------------------------------------------------ */
/* hand-built messages                                                 */
/* ------------------------------------------------------------------ */

static void
test_frames_and_inlining(void **state)
{
	(void)state;
	struct pb smp = { 0 };
	/* leaf first: location 2 (main.a inlined into main.b), then 1, then the
	 * address-only location 6, then the bogus location 7 */
	const uint64_t locs[] = { 2, 1, 6, 7 };
	mini_sample(&smp, locs, 4, 3);
	struct pb m = mini_profile(&smp);
	struct snapshot *s = expect_ok(m.p, m.n, NULL);

	assert_int_equal(s->ngroups, 1);
	const struct group *g = &s->groups[0];
	assert_int_equal(g->nframes, 4);
	assert_string_equal(group_frame(g, 0)->function, "main.a"); /* Line[0]: innermost */
	assert_int_equal(group_frame(g, 0)->line, 11);
	assert_string_equal(group_frame(g, 0)->file, "a.go");
	assert_string_equal(group_frame(g, 1)->function, "main.b"); /* last: physical */
	assert_int_equal(group_frame(g, 1)->line, 20);
	assert_string_equal(group_frame(g, 1)->file, "b.go");
	assert_string_equal(group_frame(g, 2)->function, "main.a");
	assert_int_equal(group_frame(g, 2)->line, 10);
	assert_string_equal(group_frame(g, 3)->function, "0x1634"); /* no Line: address */
	assert_string_equal(group_frame(g, 3)->file, "");
	assert_int_equal(s->totals[0], 3);
	snapshot_free(s);
	free(m.p);
	free(smp.p);
}

static void
test_packed_unpacked_nondense(void **state)
{
	(void)state;
	/* sample A: packed location ids and values; sample B: unpacked and
	 * interleaved; same stack -> one group with the summed value */
	struct pb b = { 0 }, s1 = { 0 }, p = { 0 };
	pb_valtype(&b, 1, 16, 2);
	pb_valtype(&b, 1, 17, 18);
	pb_varint(&p, 1002);
	pb_varint(&p, 1001);
	pb_msg(&s1, 1, &p);
	pb_varint(&p, 7);
	pb_varint(&p, (uint64_t)-70);
	pb_msg(&s1, 2, &p);
	pb_msg(&b, 2, &s1);
	pb_uint(&s1, 2, 3);
	pb_uint(&s1, 1, 1002);
	pb_uint(&s1, 2, 30);
	pb_uint(&s1, 1, 1001);
	pb_msg(&b, 2, &s1);
	/* and a Unlock-leaf sample: this makes it a mutex profile */
	pb_uint(&s1, 1, 1004);
	pb_uint(&s1, 1, 1001);
	pb_uint(&s1, 2, 1);
	pb_uint(&s1, 2, 100);
	pb_msg(&b, 2, &s1);
	mini_symbols(&b, 1000, 500); /* ids 1001.. and 501..: not dense */
	mini_strtab(&b);
	pb_valtype(&b, 11, 16, 2);
	pb_uint(&b, 12, 1);

	struct snapshot *s = expect_ok(b.p, b.n, NULL);
	assert_int_equal(s->kind, PROF_MUTEX);
	assert_string_equal(s->name, "mutex");
	assert_int_equal(s->ngroups, 2);
	const struct group *g = tu_group_with_fn(s, "main.b");
	assert_non_null(g);
	assert_int_equal(g->nsamples, 2);
	assert_int_equal(g->values[0], 10);
	assert_int_equal(g->values[1], -40);
	assert_int_equal(g->nframes, 3);
	assert_int_equal(s->totals[0], 11);
	assert_int_equal(s->totals[1], 60);
	snapshot_free(s);

	/* the name argument overrides the guess */
	s = expect_ok(b.p, b.n, "block");
	assert_int_equal(s->kind, PROF_BLOCK);
	snapshot_free(s);
	free(b.p);
}

static void
test_labels_quoting(void **state)
{
	(void)state;
	struct pb smp = { 0 }, s1 = { 0 }, l = { 0 };
	const uint64_t pairs[][2] = { { 14, 8 }, { 9, 10 }, { 7, 11 }, { 7, 8 }, { 8, 13 } };

	pb_uint(&s1, 1, 1);
	pb_uint(&s1, 2, 1);
	for (size_t i = 0; i < 5; i++) {
		pb_uint(&l, 1, pairs[i][0]);
		pb_uint(&l, 2, pairs[i][1]);
		pb_msg(&s1, 3, &l);
	}
	/* numeric label: ignored */
	pb_uint(&l, 1, 12);
	pb_uint(&l, 3, 4096);
	pb_uint(&l, 4, 12);
	pb_msg(&s1, 3, &l);
	pb_msg(&smp, 2, &s1);
	/* a sample with only a numeric label has no label text */
	pb_uint(&s1, 1, 1);
	pb_uint(&s1, 2, 2);
	pb_uint(&l, 1, 12);
	pb_uint(&l, 3, 64);
	pb_msg(&s1, 3, &l);
	pb_msg(&smp, 2, &s1);

	struct pb m = mini_profile(&smp);
	struct snapshot *s = expect_ok(m.p, m.n, NULL);
	assert_int_equal(s->ngroups, 1);
	const struct group *g = &s->groups[0];
	assert_int_equal(g->values[0], 3);
	assert_int_equal(count_labelsets(g), 1);
	/* sorted by key then value; strconv.Quote escaping: \" \\ \n \t \x01,
	 * é raw, the lone lead byte as \xe2, U+2028 and U+00A0 as \u, U+1F600 raw */
	assert_string_equal(g->labels->text,
	                    "{\"a\\\"b\\\\\":\"x\\ny\\t\\x01\", \"k\":\"v\", "
	                    "\"k\":\"\xc3\xa9\\xe2(\", \"v\":\"\\u2028\\u00a0\xf0\x9f\x98\x80\", "
	                    "\"z\":\"v\"}");
	assert_int_equal(g->labels->count, 1);
	snapshot_free(s);
	free(m.p);
	free(smp.p);
}

static void
test_max_frames(void **state)
{
	(void)state;
	size_t n = PARSE_MAX_FRAMES + 100;
	uint64_t *locs = malloc(n * sizeof(*locs));
	for (size_t i = 0; i < n; i++)
		locs[i] = 1;
	struct pb smp = { 0 };
	mini_sample(&smp, locs, n, 1);
	struct pb m = mini_profile(&smp);
	struct snapshot *s = expect_ok(m.p, m.n, NULL);
	assert_int_equal(s->groups[0].nframes, PARSE_MAX_FRAMES);
	assert_true(s->groups[0].elided);
	snapshot_free(s);
	free(m.p);
	free(smp.p);
	free(locs);
}

static void
test_unknown_fields_skipped(void **state)
{
	(void)state;
	struct pb smp = { 0 }, s1 = { 0 }, extra = { 0 };
	uint8_t fixed[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	/* unknown fields of every accepted wire type inside a Sample */
	pb_uint(&s1, 1, 1);
	pb_uint(&s1, 99, 12345678901ULL);
	pb_key(&s1, 100, 1);
	pb_raw(&s1, fixed, 8);
	pb_key(&s1, 101, 5);
	pb_raw(&s1, fixed, 4);
	pb_str(&s1, 102, "ignored");
	pb_uint(&s1, 2, 4);
	pb_msg(&smp, 2, &s1);
	/* and at the top level, plus the fields Go never writes */
	pb_uint(&smp, 7, 3);
	pb_uint(&smp, 8, 3);
	pb_uint(&smp, 13, 1);
	pb_varint(&extra, 1);
	pb_varint(&extra, 2);
	pb_msg(&smp, 13, &extra);
	pb_uint(&smp, 15, 2);
	pb_uint(&smp, 4000, 1);
	pb_key(&smp, 4001, 1);
	pb_raw(&smp, fixed, 8);
	pb_key(&smp, 4002, 5);
	pb_raw(&smp, fixed, 4);
	pb_str(&smp, 4003, "xyz");
	struct pb m = mini_profile(&smp);
	struct snapshot *s = expect_ok(m.p, m.n, NULL);
	assert_int_equal(s->totals[0], 4);
	assert_int_equal(s->ngroups, 1);
	assert_string_equal(group_frame(&s->groups[0], 0)->function, "main.a");
	assert_int_equal(s->time_ns, 1700000000000000000LL);
	snapshot_free(s);
	free(m.p);
	free(smp.p);
}

/* ------------------------------------------------------------------ */
/* malformed input                                                     */
/* ------------------------------------------------------------------ */

static void
test_truncated_gzip(void **state)
{
	(void)state;
	size_t len;
	char *gz = tu_read("go1.19/goroutine.pb.gz", &len);
	size_t cuts[] = { 2, 5, 9, 10, 11, 100, 1000, len / 2, len - 8, len - 4, len - 1 };

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		char want[64];
		struct parse_err err = expect_fail(gz, cuts[i], NULL);
		snprintf(want, sizeof(want), "gzip stream truncated at byte %zu", cuts[i]);
		assert_string_equal(err.msg, want);
		assert_int_equal(err.offset, cuts[i]);
		assert_int_equal(err.inflated, 0);
		/* and through the format detection */
		struct snapshot *s = NULL;
		assert_int_equal(profile_parse(gz, cuts[i], NULL, &s, &err), -1);
		assert_string_equal(err.msg, want);
	}
	char msg[256];
	struct parse_err err = expect_fail(gz, 100, NULL);
	parse_err_format(&err, "goroutine.pb.gz", msg, sizeof(msg));
	assert_string_equal(msg, "goroutine.pb.gz: byte 100: gzip stream truncated at byte 100");
	free(gz);
}

static void
test_corrupt_gzip(void **state)
{
	(void)state;
	/* a valid gzip header followed by garbage */
	const char garbage[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
	                       "this is not deflate data at all";
	struct parse_err err = expect_fail(garbage, sizeof(garbage) - 1, NULL);
	assert_string_equal(err.msg, "corrupt gzip stream near byte 18: invalid code lengths set");
	assert_int_equal(err.offset, 18);

	/* not deflate (method 7) */
	const char method[] = "\x1f\x8b\x07\x00\x00\x00\x00\x00\x00\xff\x00\x00";
	err = expect_fail(method, sizeof(method) - 1, NULL);
	assert_string_equal(err.msg, "corrupt gzip stream near byte 4: unknown compression method");

	/* CRC and length trailers */
	size_t len;
	char *gz = tu_read("go1.19/mutex.pb.gz", &len);
	gz[len - 6] ^= 0x55;
	err = expect_fail(gz, len, NULL);
	assert_string_equal(err.msg, "corrupt gzip stream near byte 467: incorrect data check");
	gz[len - 6] ^= 0x55;
	gz[len - 2] ^= 0x01;
	err = expect_fail(gz, len, NULL);
	assert_string_equal(err.msg, "corrupt gzip stream near byte 471: incorrect length check");
	gz[len - 2] ^= 0x01;

	/* trailing data after a complete member */
	char *tail = malloc(len + 5);
	memcpy(tail, gz, len);
	memcpy(tail + len, "junk!", 5);
	err = expect_fail(tail, len + 5, NULL);
	assert_string_equal(err.msg, "unexpected data after the end of the gzip stream");
	assert_int_equal(err.offset, len);
	free(tail);
	free(gz);

	/* a valid gzip stream of something that is not a profile */
	size_t tl;
	uint8_t *txt = gzip_mem("hello, world", 12, &tl);
	err = expect_fail(txt, tl, NULL);
	assert_int_equal(err.inflated, 1);
	/* "hello": 'h' = field 13 varint, 'e' its value, 'l' = field 13 wire type 4 */
	assert_string_equal(err.msg, "unsupported wire type 4 (field 13 of Profile)");
	assert_int_equal(err.offset, 2);
	free(txt);

	/* an empty gzip stream, empty input */
	uint8_t *e = gzip_mem("", 0, &tl);
	err = expect_fail(e, tl, NULL);
	assert_string_equal(err.msg, "empty protobuf message: not a profile");
	free(e);
	err = expect_fail("", 0, NULL);
	assert_string_equal(err.msg, "empty input: not a profile");
}

/* A gzip stream of 1 + 258 * nmatch zero bytes, written directly as one
 * fixed-Huffman deflate block (a literal 0, then nmatch copies of "length
 * 258, distance 1"): 13 bits per 258 bytes, built in a few milliseconds
 * where deflating 600 MB with zlib takes seconds. */
struct bitw {
	uint8_t *p;
	size_t n;
	uint32_t acc;
	int nacc;
};

static void
bw_put(struct bitw *w, uint32_t v, int nbits)
{
	w->acc |= v << w->nacc;
	w->nacc += nbits;
	while (w->nacc >= 8) {
		w->p[w->n++] = (uint8_t)(w->acc & 0xff);
		w->acc >>= 8;
		w->nacc -= 8;
	}
}

/* Huffman codes go into the stream most significant bit first */
static void
bw_code(struct bitw *w, uint32_t code, int nbits)
{
	uint32_t r = 0;
	for (int i = 0; i < nbits; i++)
		r |= ((code >> i) & 1u) << (nbits - 1 - i);
	bw_put(w, r, nbits);
}

static uint8_t *
zero_bomb(size_t nmatch, size_t *len)
{
	size_t total = 1 + 258 * nmatch;
	struct bitw w = { malloc(18 + (nmatch * 13 + 7) / 8 + 8), 0, 0, 0 };
	static const uint8_t hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff };

	memcpy(w.p, hdr, sizeof(hdr));
	w.n = sizeof(hdr);
	bw_put(&w, 1, 1);     /* BFINAL */
	bw_put(&w, 1, 2);     /* BTYPE = 01, fixed Huffman */
	bw_code(&w, 0x30, 8); /* literal 0 */
	for (size_t i = 0; i < nmatch; i++) {
		bw_code(&w, 0xc5, 8); /* length symbol 285 = 258 */
		bw_code(&w, 0, 5);    /* distance code 0 = 1 */
	}
	bw_code(&w, 0, 7); /* end of block (256) */
	if (w.nacc > 0)
		bw_put(&w, 0, 8 - w.nacc);
	/* CRC-32 of total zero bytes, from 64 KiB pieces */
	static const uint8_t zeros[65536];
	uLong piece = crc32(0, zeros, sizeof(zeros)), crc = crc32(0, Z_NULL, 0);
	size_t left = total;
	for (; left >= sizeof(zeros); left -= sizeof(zeros))
		crc = crc32_combine(crc, piece, (z_off_t)sizeof(zeros));
	crc = crc32_combine(crc, crc32(0, zeros, (uInt)left), (z_off_t)left);
	for (int i = 0; i < 4; i++)
		w.p[w.n++] = (uint8_t)(crc >> (8 * i));
	for (int i = 0; i < 4; i++)
		w.p[w.n++] = (uint8_t)(total >> (8 * i));
	*len = w.n;
	return w.p;
}

/* 600 MB of zeros (~4 MB compressed): the inflater must stop at
 * PARSE_MAX_INFLATED, whatever the trailer claims, for one stream and for
 * many concatenated members. */
static void
test_gzip_bomb(void **state)
{
	(void)state;
	size_t n, rl;

	/* the generator is right: zlib inflates a small one to 2581 zeros */
	uint8_t *small = zero_bomb(10, &n);
	uint8_t *raw = gunzip_mem(small, n, &rl);
	assert_int_equal(rl, 2581);
	for (size_t i = 0; i < rl; i++)
		assert_int_equal(raw[i], 0);
	free(raw);
	/* ... which parse_proto inflates too, then rejects as protobuf */
	struct parse_err err = expect_fail(small, n, NULL);
	assert_int_equal(err.inflated, 1);
	assert_string_equal(err.msg, "invalid field number 0 in Profile");
	free(small);

	uint8_t *out = zero_bomb(((size_t)600 << 20) / 258, &n);
	assert_true(n < ((size_t)5 << 20));
	err = expect_fail(out, n, NULL);
	assert_string_equal(err.msg, "decompressed profile exceeds the 512 MiB limit (gzip bomb?)");
	assert_true(err.offset > n / 2 && err.offset < n);
	assert_int_equal(err.inflated, 0);

	/* same with a lying ISIZE trailer (claims 100 bytes) */
	out[n - 4] = 100;
	out[n - 3] = out[n - 2] = out[n - 1] = 0;
	err = expect_fail(out, n, NULL);
	assert_string_equal(err.msg, "decompressed profile exceeds the 512 MiB limit (gzip bomb?)");
	free(out);

	/* 75 members of 8 MiB of zeros each, made by zlib */
	uint8_t *zeros = calloc(1, (size_t)8 << 20);
	size_t ml;
	uint8_t *member = gzip_mem(zeros, (size_t)8 << 20, &ml);
	free(zeros);
	uint8_t *many = malloc(ml * 75);
	for (size_t i = 0; i < 75; i++)
		memcpy(many + i * ml, member, ml);
	err = expect_fail(many, ml * 75, NULL);
	assert_string_equal(err.msg, "decompressed profile exceeds the 512 MiB limit (gzip bomb?)");
	assert_true(err.offset >= ml * 64 && err.offset < ml * 65);
	free(many);
	free(member);
}

struct wire_case {
	const char *name;
	const char *bytes;
	size_t len;
	const char *msg;
	size_t offset;
};

#define WIRE(n, b, m, o)                                                                           \
	{                                                                                          \
		n, b, sizeof(b) - 1, m, o                                                          \
	}

static const struct wire_case wire_cases[] = {
	WIRE("varint 11 bytes", "\x48\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
	     "varint longer than 10 bytes in Profile", 1),
	WIRE("varint overflow", "\x48\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02",
	     "varint overflows 64 bits in Profile", 1),
	WIRE("truncated varint", "\x48\xff\xff", "truncated varint in Profile", 1),
	WIRE("truncated key", "\x48\x01\x80", "truncated varint in Profile", 2),
	WIRE("length past end", "\x12\x05\x08\x01",
	     "length 5 of field 2 runs past the end of Profile (2 bytes left)", 1),
	WIRE("huge length", "\x12\xff\xff\xff\xff\xff\xff\xff\xff\x7f",
	     "length 9223372036854775807 of field 2 runs past the end of Profile (0 bytes left)",
	     1),
	WIRE("nested length past end", "\x0a\x04\x08\x01\x1a\x07",
	     "length 7 of field 3 runs past the end of ValueType (0 bytes left)", 5),
	WIRE("wire type 3", "\x0b\x00", "unsupported wire type 3 (field 1 of Profile)", 0),
	WIRE("wire type 4", "\x4c", "unsupported wire type 4 (field 9 of Profile)", 0),
	WIRE("wire type 6", "\x4e", "unsupported wire type 6 (field 9 of Profile)", 0),
	WIRE("wire type 7", "\x48\x01\x0f", "unsupported wire type 7 (field 1 of Profile)", 2),
	WIRE("wire type 7 in Line", "\x22\x04\x22\x02\x0f\x00",
	     "unsupported wire type 7 (field 1 of Line)", 4),
	WIRE("field 0", "\x48\x01\x00\x01", "invalid field number 0 in Profile", 2),
	WIRE("wrong wire type", "\x08\x01", "field 1 of Profile has wire type 0, expected 2", 0),
	WIRE("wrong wire type nested", "\x2a\x02\x12\x00",
	     "field 2 of Function has wire type 2, expected 0", 2),
	WIRE("truncated fixed64", "\xa1\x01\x01\x02", "truncated fixed64 field 20 in Profile", 2),
	WIRE("truncated fixed32", "\xa5\x01\x01", "truncated fixed32 field 20 in Profile", 2),
	WIRE("fixed64 for a varint field", "\x49\x01\x02\x03\x04\x05\x06\x07\x08",
	     "field 9 of Profile has wire type 1, expected 0", 0),
	WIRE("string table", "\x0a\x00\x32\x01x", "string_table[0] must be the empty string", 4),
	WIRE("no sample types", "\x32\x00\x48\x01", "profile has no sample types", 0),
	WIRE("no string table", "\x0a\x00", "profile has no string table", 0),
	WIRE("string index", "\x0a\x04\x08\x05\x10\x00\x32\x00",
	     "sample_type: string index 5 out of range (1 strings)", 0),
	WIRE("duplicate location", "\x0a\x00\x22\x02\x08\x01\x22\x02\x08\x01\x22\x00\x32\x00",
	     "duplicate location id 1", 0),
	WIRE("unknown function", "\x0a\x00\x22\x06\x08\x01\x22\x02\x08\x09\x32\x00",
	     "Location 1 references unknown function id 9", 4),
};

static void
test_malformed_wire(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(wire_cases) / sizeof(wire_cases[0]); i++) {
		const struct wire_case *w = &wire_cases[i];
		struct parse_err err = expect_fail(w->bytes, w->len, NULL);
		if (strcmp(err.msg, w->msg) != 0 || err.offset != w->offset)
			fail_msg("%s: got \"%s\" at %zu, want \"%s\" at %zu", w->name, err.msg,
			         err.offset, w->msg, w->offset);
		assert_int_equal(err.inflated, 0);

		/* gzipped: same message, offsets in the decompressed message */
		size_t gl;
		uint8_t *gz = gzip_mem(w->bytes, w->len, &gl);
		err = expect_fail(gz, gl, NULL);
		assert_string_equal(err.msg, w->msg);
		assert_int_equal(err.offset, w->offset);
		assert_int_equal(err.inflated, 1);
		char msg[256], want[256];
		parse_err_format(&err, "x.pb.gz", msg, sizeof(msg));
		snprintf(want, sizeof(want), "x.pb.gz: byte %zu of the decompressed profile: %s",
		         w->offset, w->msg);
		assert_string_equal(msg, want);
		free(gz);
	}
}

static void
test_malformed_samples(void **state)
{
	(void)state;
	struct pb smp = { 0 }, s1 = { 0 }, l = { 0 };
	struct parse_err err;
	struct pb m;

	/* unknown location id */
	const uint64_t bad[] = { 1, 42 };
	mini_sample(&smp, bad, 2, 1);
	m = mini_profile(&smp);
	err = expect_fail(m.p, m.n, NULL);
	assert_string_equal(err.msg, "a Sample references unknown location id 42");
	assert_int_equal(err.offset, 8); /* the Sample's payload */
	free(m.p);
	smp.n = 0;

	/* two values for one sample type */
	pb_uint(&s1, 1, 1);
	pb_uint(&s1, 2, 1);
	pb_uint(&s1, 2, 2);
	pb_msg(&smp, 2, &s1);
	m = mini_profile(&smp);
	err = expect_fail(m.p, m.n, NULL);
	assert_string_equal(err.msg, "sample has 2 values, expected 1 (one per sample type)");
	free(m.p);
	smp.n = 0;

	/* label string index out of range */
	pb_uint(&s1, 2, 1);
	pb_uint(&l, 1, 7);
	pb_uint(&l, 2, 999);
	pb_msg(&s1, 3, &l);
	pb_msg(&smp, 2, &s1);
	m = mini_profile(&smp);
	err = expect_fail(m.p, m.n, NULL);
	assert_string_equal(err.msg, "Label.str: string index 999 out of range (21 strings)");
	free(m.p);
	smp.n = 0;

	/* label length past the Sample's end */
	pb_uint(&s1, 2, 1);
	pb_key(&s1, 3, 2);
	pb_varint(&s1, 50);
	pb_msg(&smp, 2, &s1);
	m = mini_profile(&smp);
	err = expect_fail(m.p, m.n, NULL);
	assert_string_equal(err.msg,
	                    "length 50 of field 3 runs past the end of Sample (0 bytes left)");
	free(m.p);
	smp.n = 0;

	/* packed varint truncated inside its payload */
	pb_bytes(&s1, 1, "\x01\x80", 2);
	pb_uint(&s1, 2, 1);
	pb_msg(&smp, 2, &s1);
	m = mini_profile(&smp);
	err = expect_fail(m.p, m.n, NULL);
	assert_string_equal(err.msg, "truncated varint in Sample");
	free(m.p);
	smp.n = 0;

	/* an uncompressed message over the limit is refused before any byte
	 * past the first two is read (the length is a lie here) */
	err = expect_fail("\x0a\x00", PARSE_MAX_INFLATED + 1, NULL);
	assert_string_equal(err.msg, "protobuf message exceeds the 512 MiB limit");

	/* a name that does not fit the sample types */
	const uint64_t ok[] = { 1 };
	mini_sample(&smp, ok, 1, 1);
	m = mini_profile(&smp);
	err = expect_fail(m.p, m.n, "heap");
	assert_string_equal(err.msg, "sample types goroutine/count do not match a heap profile");
	err = expect_fail(m.p, m.n, "cpu");
	assert_string_equal(err.msg, "sample types goroutine/count do not match a cpu profile");
	free(m.p);
	free(smp.p);

	/* unrecognized pair of sample types */
	struct pb b = { 0 };
	pb_valtype(&b, 1, 3, 2);
	pb_valtype(&b, 1, 5, 2);
	mini_strtab(&b);
	err = expect_fail(b.p, b.n, NULL);
	assert_string_equal(err.msg, "unrecognized sample types: main.a/count, main.b/count");
	free(b.p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_goroutine),
		cmocka_unit_test(test_generics_folded),
		cmocka_unit_test(test_goroutineleak),
		cmocka_unit_test(test_heap_allocs),
		cmocka_unit_test(test_block_mutex),
		cmocka_unit_test(test_threadcreate),
		cmocka_unit_test(test_custom),
		cmocka_unit_test(test_cpu),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_uncompressed),
		cmocka_unit_test(test_frames_and_inlining),
		cmocka_unit_test(test_packed_unpacked_nondense),
		cmocka_unit_test(test_labels_quoting),
		cmocka_unit_test(test_max_frames),
		cmocka_unit_test(test_unknown_fields_skipped),
		cmocka_unit_test(test_truncated_gzip),
		cmocka_unit_test(test_corrupt_gzip),
		cmocka_unit_test(test_gzip_bomb),
		cmocka_unit_test(test_malformed_wire),
		cmocka_unit_test(test_malformed_samples),
	};
	return cmocka_run_group_tests_name("parse_proto", tests, NULL, NULL);
}
