/* test_model.c - the live model (src/model.c): the index page parser,
 * ingesting real response bodies, diffs between polls and against the
 * baseline, parse errors, the MemStats meters and frozen views. Run under
 * ASan this also checks that snapshots shared between the model and a
 * frozen view are released exactly once. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/model.h"
#include "testutil.h"

/* ---- index page ---- */

static size_t
index_names(const char *rel, char (*names)[64], size_t max)
{
	size_t len;
	char *html = tu_read(rel, &len);
	size_t n = model_index_parse(html, len, names, max);
	free(html);
	return n;
}

static void
expect_names(const char *rel, const char *const *want, size_t nwant)
{
	char names[32][64];
	size_t n = index_names(rel, names, 32);

	if (n != nwant)
		fail_msg("%s: %zu names, expected %zu", rel, n, nwant);
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], want[i]) != 0)
			fail_msg("%s: name %zu is \"%s\", expected \"%s\"", rel, i, names[i],
			         want[i]);
}

static void
test_index_fixtures(void **state)
{
	(void)state;
	/* every row minus cmdline, profile, symbol (1.24+) and trace */
	static const char *const base[] = {
		"allocs", "block", "example.com/openfiles", "goroutine",
		"heap",   "mutex", "threadcreate",
	};
	static const char *const v127[] = {
		"allocs", "block", "example.com/openfiles", "goroutine", "goroutineleak",
		"heap",   "mutex", "threadcreate",
	};
	expect_names("go1.19/index.html", base, 7);
	expect_names("go1.21/index.html", base, 7);
	expect_names("go1.22/index.html", base, 7);
	expect_names("go1.24/index.html", base, 7);
	expect_names("go1.27/index.html", v127, 8);
	expect_names("local/index.html", base, 7);

	/* max is respected */
	char names[32][64];
	assert_int_equal(index_names("go1.27/index.html", names, 3), 3);
	assert_string_equal(names[2], "example.com/openfiles");
	assert_int_equal(index_names("go1.27/index.html", names, 0), 0);
}

static size_t
parse_str(const char *html, char (*names)[64])
{
	return model_index_parse(html, strlen(html), names, 32);
}

static void
test_index_synthetic(void **state)
{
	(void)state;
	char names[32][64];

	assert_int_equal(model_index_parse("", 0, names, 32), 0);
	assert_int_equal(parse_str("<html>Unknown profile</html>", names), 0);
	/* escapes in the href */
	assert_int_equal(parse_str("<td><a href='example.com%2Fconns?debug=1'>x</a></td>"
	                           "<td><a href='a&amp;b?debug=1'>y</a></td>"
	                           "<td><a href='./heap?debug=1'>heap</a></td>",
	                           names),
	                 3);
	assert_string_equal(names[0], "example.com/conns");
	assert_string_equal(names[1], "a&b");
	assert_string_equal(names[2], "heap");
	/* not a hex escape: kept as is */
	assert_int_equal(parse_str("<td><a href='a%:0b?debug=1'>x</a></td>"
	                           "<td><a href='c%zzd?debug=1'>x</a></td>"
	                           "<td><a href='e%4?debug=1'>x</a></td>",
	                           names),
	                 3);
	assert_string_equal(names[0], "a%:0b");
	assert_string_equal(names[1], "c%zzd");
	assert_string_equal(names[2], "e%4");
	/* rows without ?debug=1 and the excluded names are skipped */
	assert_int_equal(parse_str("<td><a href='goroutine'>g</a></td>"
	                           "<td><a href='trace?debug=1'>t</a></td>"
	                           "<td><a href='symbol?debug=1'>s</a></td>"
	                           "<td><a href='?debug=1'>empty</a></td>"
	                           "<td><a href='mutex?debug=1'>m</a></td>",
	                           names),
	                 1);
	assert_string_equal(names[0], "mutex");
	/* a long name is cut to 63 bytes */
	char html[512];
	char longname[101];
	memset(longname, 'n', 100);
	longname[100] = '\0';
	snprintf(html, sizeof(html), "<td><a href='%s?debug=1'>x</a></td>", longname);
	assert_int_equal(parse_str(html, names), 1);
	assert_int_equal(strlen(names[0]), 63);
	/* cut off inside the row, at every length: no read past len (ASan) */
	const char *row = "<td><a href='heap?debug=1'>heap</a></td>";
	size_t rl = strlen(row);
	for (size_t cut = 0; cut <= rl; cut++) {
		char *p = malloc(cut ? cut : 1);
		memcpy(p, row, cut);
		size_t n = model_index_parse(p, cut, names, 32);
		assert_int_equal(n, cut >= 25 ? 1 : 0); /* up to "?debug=1" */
		free(p);
	}
}

/* ---- ingest ---- */

static unsigned char *
body(const char *rel, size_t *len)
{
	return (unsigned char *)tu_read(rel, len);
}

static unsigned char *
body_str(const char *s, size_t *len)
{
	*len = strlen(s);
	unsigned char *p = malloc(*len + 1);
	memcpy(p, s, *len + 1);
	return p;
}

static int
ingest(struct model *m, enum ep_id e, const char *rel, double now)
{
	size_t len;
	unsigned char *b = body(rel, &len);
	return model_ingest(m, e, b, len, now, 0.01);
}

static void
test_ingest_goroutine_pair(void **state)
{
	(void)state;
	struct model m;
	model_init(&m);
	struct endpoint *ep = &m.ep[EP_GOROUTINE];

	assert_int_equal(ingest(&m, EP_GOROUTINE, "go1.21/goroutine.pb.gz", 10.0), 0);
	assert_non_null(ep->cur);
	assert_null(ep->prev);
	assert_false(ep->has_d);
	assert_ptr_equal(ep->base, ep->cur); /* the first poll is the baseline */
	/* cur, base and the newest point: counts are levels, so there is no
	 * rate anchor to hold (the heap's are tested below) */
	assert_int_equal(ep->cur->refs, 3);
	assert_ptr_equal(ep->pt, ep->cur);
	assert_null(ep->wb);
	assert_null(ep->wa);
	assert_false(ep->has_dw);
	assert_true(ep->has_dbase);
	assert_int_equal(ep->dbase.total_delta[0], 0);
	/* 143 goroutines in the file; the one serving the request that
	 * captured it and its connection's background reader are not the
	 * service's */
	assert_int_equal(ep->cur->totals[0], 141);
	assert_int_equal(ep->self_groups, 2);
	assert_int_equal(ep->self_count, 2);
	assert_int_equal(ep->cur->self_values[0], 2);
	assert_null(tu_group_by_label(ep->cur, "net/http/pprof.handler.ServeHTTP"));
	assert_int_equal(ep->form, FORM_PROTO);
	assert_int_equal(ep->want, FORM_TEXT); /* its text would be small */
	assert_int_equal(ep->polls, 1);
	assert_string_equal(ep->err, "");
	assert_true(ep->last_ok == 10.0);
	assert_true(ep->t_cur == 10.0);
	assert_true(ep->latency == 0.01);
	assert_non_null(ep->raw);
	assert_int_equal(ep->rawlen, ep->bytes);
	assert_int_equal(ep->raw[0], 0x1f);
	assert_true(m.meter_known[METER_GOROUTINES]);
	assert_true(m.meter_now[METER_GOROUTINES] == 141); /* as the rows add up */
	const struct snapshot *first = ep->cur;

	/* Different processes (1.21, 1.22): of 28 and 27 normalized stacks, 6
	 * are the same (only main.go frames: the others have versioned
	 * runtime paths). Cross-checked with go tool pprof -raw and the
	 * normalization of tests/sh/pprof_parity.py. */
	assert_int_equal(ingest(&m, EP_GOROUTINE, "go1.22/goroutine.pb.gz", 12.0), 0);
	assert_ptr_equal(ep->prev, first);
	assert_true(ep->has_d);
	assert_ptr_equal(ep->d.now, ep->cur);
	assert_ptr_equal(ep->d.old, ep->prev);
	assert_true(ep->d.dt == 2.0); /* the poll clock, not the profiles' times */
	assert_false(ep->d.restarted);
	assert_false(ep->restarted);
	/* 27 and 28 stacks less pproftop's request and reader in each */
	assert_int_equal(ep->cur->ngroups, 25);
	assert_int_equal(ep->prev->ngroups, 26);
	assert_int_equal(ep->d.nnew, 19);
	assert_int_equal(ep->d.ngone, 20);
	assert_int_equal(ep->d.nrows, 25 + 20);
	assert_int_equal(ep->d.total_delta[0], 1);
	/* the baseline is still the first poll */
	assert_ptr_equal(ep->base, first);
	assert_true(ep->has_dbase);
	assert_int_equal(ep->dbase.nnew, 19);
	assert_true(ep->dbase.dt == 2.0);
	/* a group present in both */
	const struct group *g = tu_group_by_label(ep->cur, "main.waitGeneric[...]");
	assert_non_null(g);
	const struct diff_row *r = diff_find(&ep->d, g->id);
	assert_non_null(r);
	assert_non_null(r->old);
	assert_int_equal(r->delta[0], 0);
	/* its history has two points */
	int64_t h[HISTORY_LEN];
	assert_int_equal(history_get(&ep->hist, g->id, h, HISTORY_LEN), 2);
	/* the goroutine meter series */
	double mv[HISTORY_LEN];
	assert_int_equal(series_get(&m.meter[METER_GOROUTINES], mv, HISTORY_LEN), 2);
	assert_true(mv[0] == 141 && mv[1] == 142);
	assert_int_equal(ep->polls, 2);
	/* no rate window for levels: the first snapshot is held as the base
	 * and prev only, the second as cur and the newest point */
	assert_false(ep->has_dw);
	assert_null(ep->wa);
	assert_null(ep->wb);
	assert_int_equal(first->refs, 2);
	assert_int_equal(ep->cur->refs, 2);
	model_free(&m);
}

static void
test_parse_error_keeps_last_good(void **state)
{
	(void)state;
	struct model m;
	model_init(&m);
	struct endpoint *ep = &m.ep[EP_HEAP];
	size_t len;

	assert_int_equal(ingest(&m, EP_HEAP, "go1.19/heap.pb.gz", 1.0), 0);
	const struct snapshot *good = ep->cur;
	const unsigned char *raw = ep->raw;
	size_t rawlen = ep->rawlen;

	/* an HTML error page */
	unsigned char *b = body_str("<html><body>502 Bad Gateway</body></html>\n", &len);
	assert_int_equal(model_ingest(&m, EP_HEAP, b, len, 2.0, 0.5), -1);
	assert_ptr_equal(ep->cur, good);
	assert_null(ep->prev);
	assert_ptr_equal(ep->raw, raw);
	assert_int_equal(ep->rawlen, rawlen);
	assert_int_equal(ep->polls, 1);
	assert_true(ep->last_ok == 1.0);
	assert_int_equal(ep->nerr, 1);
	assert_true(ep->latency == 0.5);
	assert_int_equal(ep->bytes, len);
	assert_string_equal(ep->err, "bad response: heap: byte 0: looks like HTML, not a profile "
	                             "(a login page or a proxy error?)");
	assert_null(strchr(ep->err, '\n'));

	/* a truncated gzip body: still one line, with the byte offset */
	size_t glen;
	unsigned char *gz = body("go1.19/heap.pb.gz", &glen);
	assert_int_equal(model_ingest(&m, EP_HEAP, gz, glen / 2, 3.0, 0.1), -1);
	assert_int_equal(ep->nerr, 2);
	assert_ptr_equal(ep->cur, good);
	assert_int_equal(strncmp(ep->err, "bad response: heap: byte ", 25), 0);
	assert_null(strchr(ep->err, '\n'));

	/* a text body with an error on line 3 */
	b = body_str("goroutine profile: total 1\n1 @ 0x1\n#\tgarbage\n\n", &len);
	assert_int_equal(model_ingest(&m, EP_GOROUTINE, b, len, 3.0, 0.1), -1);
	assert_int_equal(strncmp(m.ep[EP_GOROUTINE].err, "bad response: goroutine: line 3: ", 33),
	                 0);
	assert_null(m.ep[EP_GOROUTINE].cur);

	/* a failed fetch */
	model_fail(&m, EP_HEAP, "connection refused", 4.0, 0.002);
	assert_int_equal(ep->nerr, 3);
	assert_string_equal(ep->err, "connection refused");
	assert_int_equal(ep->bytes, 0);
	assert_ptr_equal(ep->cur, good);
	/* an overlong error is cut, still terminated */
	char longerr[1000];
	memset(longerr, 'e', sizeof(longerr) - 1);
	longerr[sizeof(longerr) - 1] = '\0';
	model_fail(&m, EP_HEAP, longerr, 5.0, 0.002);
	assert_int_equal(strlen(ep->err), sizeof(ep->err) - 1);

	/* the next good poll clears the error and diffs against the last good */
	assert_int_equal(ingest(&m, EP_HEAP, "go1.19/heap.pb.gz", 6.0), 0);
	assert_string_equal(ep->err, "");
	assert_int_equal(ep->nerr, 0);
	assert_ptr_equal(ep->prev, good);
	assert_true(ep->d.dt == 5.0);
	assert_int_equal(ep->d.nnew + ep->d.ngone, 0);
	assert_int_equal(ep->polls, 2);
	model_free(&m);
}

static void
test_memstats_meters(void **state)
{
	(void)state;
	struct model m;
	model_init(&m);

	assert_int_equal(ingest(&m, EP_MEMSTATS, "go1.19/heap-debug1.txt", 1.0), 0);
	/* values of the trailer (# HeapAlloc = 110628096, ...); NumGC 42, so the
	 * last pause is PauseNs[(42 + 255) % 256] = PauseNs[41] = 363232 */
	assert_true(m.meter_known[METER_HEAP_ALLOC]);
	assert_true(m.meter_now[METER_HEAP_ALLOC] == 110628096);
	assert_true(m.meter_now[METER_HEAP_INUSE] == 111386624);
	assert_true(m.meter_now[METER_SYS] == 126796056);
	assert_true(m.meter_now[METER_NUM_GC] == 42);
	assert_true(m.meter_known[METER_LAST_PAUSE_NS]);
	assert_true(m.meter_now[METER_LAST_PAUSE_NS] == 363232);
	assert_false(m.meter_known[METER_GOROUTINES]);
	/* the heap endpoint itself feeds no meter */
	assert_int_equal(ingest(&m, EP_HEAP, "go1.19/heap.pb.gz", 1.0), 0);
	assert_int_equal(m.meter[METER_HEAP_ALLOC].n, 1);

	/* 1.27: NumGC = 50 -> PauseNs[49] */
	assert_int_equal(ingest(&m, EP_MEMSTATS, "go1.27/heap-debug1.txt", 2.0), 0);
	assert_true(m.meter_now[METER_NUM_GC] == 50);
	assert_true(m.meter_now[METER_LAST_PAUSE_NS] == 40674);
	assert_true(m.meter_now[METER_HEAP_ALLOC] == 130020528);
	assert_true(m.meter_now[METER_HEAP_INUSE] == 131047424);
	assert_true(m.meter_now[METER_SYS] == 143898920);
	double v[HISTORY_LEN];
	assert_int_equal(series_get(&m.meter[METER_HEAP_ALLOC], v, HISTORY_LEN), 2);
	assert_true(v[0] == 110628096 && v[1] == 130020528);

	/* the ring wraps: NumGC 300 -> index (300 + 255) % 256 = 43 */
	char text[4096];
	size_t o = (size_t)snprintf(text, sizeof(text),
	                            "heap profile: 0: 0 [0: 0] @ heap/1048576\n\n"
	                            "# runtime.MemStats\n# HeapAlloc = 5\n# NumGC = 300\n"
	                            "# PauseNs = [");
	for (int i = 0; i < 256; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, i ? " %d" : "%d", i * 10);
	snprintf(text + o, sizeof(text) - o, "]\n");
	size_t len;
	unsigned char *b = body_str(text, &len);
	assert_int_equal(model_ingest(&m, EP_MEMSTATS, b, len, 3.0, 0), 0);
	assert_true(m.meter_now[METER_LAST_PAUSE_NS] == 430);
	assert_true(m.meter_now[METER_HEAP_ALLOC] == 5);

	/* NumGC 0: no pause yet, the meter keeps its last value */
	b = body_str("heap profile: 0: 0 [0: 0] @ heap/1048576\n\n# runtime.MemStats\n"
	             "# NumGC = 0\n# PauseNs = [0 0 0]\n",
	             &len);
	assert_int_equal(model_ingest(&m, EP_MEMSTATS, b, len, 4.0, 0), 0);
	assert_true(m.meter_now[METER_NUM_GC] == 0);
	assert_true(m.meter_now[METER_LAST_PAUSE_NS] == 430);
	assert_int_equal(m.meter[METER_LAST_PAUSE_NS].n, 3);
	model_free(&m);
}

static void
test_baseline_and_restart(void **state)
{
	(void)state;
	struct model m;
	model_init(&m);
	struct endpoint *ep = &m.ep[EP_BLOCK];

	assert_int_equal(ingest(&m, EP_BLOCK, "go1.19/block-debug1.txt", 1.0), 0);
	assert_int_equal(ingest(&m, EP_BLOCK, "go1.19/block.pb.gz", 2.0), 0);
	assert_false(ep->restarted);
	/* block-debug1 then block.pb.gz of one process: 46890 -> 46917 */
	assert_int_equal(ep->d.total_delta[0], 46917 - 46890);
	assert_true(ep->d.total_per_sec[0] == 27.0);
	assert_int_equal(ep->dbase.total_delta[0], 27);
	assert_true(ep->t_base == 1.0);

	/* 'b': the current poll becomes the baseline */
	const struct snapshot *cur = ep->cur;
	model_set_baseline(&m);
	assert_ptr_equal(ep->base, cur);
	assert_true(ep->t_base == 2.0);
	assert_true(ep->has_dbase);
	assert_int_equal(ep->dbase.total_delta[0], 0);
	assert_int_equal(ep->dbase.nnew + ep->dbase.ngone, 0);
	/* endpoints never polled are left alone */
	assert_null(m.ep[EP_MUTEX].base);
	assert_false(m.ep[EP_MUTEX].has_dbase);

	/* a 1.22 process with higher counters than the 1.19 one: no restart
	 * can be seen (54273 contentions, 332986959938 ns) */
	assert_int_equal(ingest(&m, EP_BLOCK, "go1.22/block.pb.gz", 3.0), 0);
	assert_false(ep->restarted);
	assert_ptr_equal(ep->base, cur);
	assert_int_equal(ep->d.total_delta[0], 54273 - 46917);
	/* then a 1.21 one: more contentions (54390) but less delay
	 * (331731399486 ns): one counter dropping is a restart, new baseline */
	assert_int_equal(ingest(&m, EP_BLOCK, "go1.21/block.pb.gz", 4.0), 0);
	assert_true(ep->restarted);
	assert_true(ep->d.restarted);
	assert_int_equal(ep->d.total_delta[0], 0);
	assert_int_equal(ep->d.total_delta[1], 0);
	assert_ptr_equal(ep->base, ep->cur);
	assert_true(ep->t_base == 4.0);
	assert_int_equal(ep->dbase.total_delta[0], 0);
	/* the same body again: no restart, zero deltas, base unchanged */
	const struct snapshot *base = ep->base;
	assert_int_equal(ingest(&m, EP_BLOCK, "go1.21/block.pb.gz", 5.0), 0);
	assert_false(ep->restarted);
	assert_ptr_equal(ep->base, base);
	assert_int_equal(ep->d.total_delta[1], 0);
	model_free(&m);
}

static void
test_index_ingest(void **state)
{
	(void)state;
	struct model m;
	model_init(&m);
	size_t len;

	assert_int_equal(ingest(&m, EP_INDEX, "go1.19/index.html", 1.0), 0);
	assert_int_equal(m.nindex, 7);
	/* goroutineleak waits for an index that lists it: Go 1.19's does not */
	for (int e = 0; e < EP_COUNT; e++)
		assert_int_equal(m.ep[e].missing, e == EP_GOROUTINELEAK);
	assert_int_equal(m.ep[EP_INDEX].polls, 1);
	assert_int_equal(ingest(&m, EP_INDEX, "go1.27/index.html", 1.5), 0);
	assert_false(m.ep[EP_GOROUTINELEAK].missing);
	assert_int_equal(ingest(&m, EP_INDEX, "go1.19/index.html", 1.7), 0);
	assert_non_null(m.ep[EP_INDEX].raw);
	/* a target without block and mutex rows */
	unsigned char *b = body_str("<td><a href='allocs?debug=1'>a</a></td>"
	                            "<td><a href='goroutine?debug=1'>g</a></td>"
	                            "<td><a href='heap?debug=1'>h</a></td>",
	                            &len);
	assert_int_equal(model_ingest(&m, EP_INDEX, b, len, 2.0, 0), 0);
	assert_int_equal(m.nindex, 3);
	assert_true(m.ep[EP_BLOCK].missing);
	assert_true(m.ep[EP_MUTEX].missing);
	assert_false(m.ep[EP_GOROUTINE].missing);
	assert_false(m.ep[EP_MEMSTATS].missing); /* heap?debug=1 */
	/* a page with no rows changes nothing */
	b = body_str("<html>oops</html>", &len);
	assert_int_equal(model_ingest(&m, EP_INDEX, b, len, 3.0, 0), 0);
	assert_true(m.ep[EP_BLOCK].missing);
	model_free(&m);
}

/* The counts in front of each name: block and mutex are skipped while they
 * have no records (the service has not enabled them), and fetched again
 * once the index counts some. */
static void
test_index_counts(void **state)
{
	(void)state;
	struct model m;
	char names[32][64];
	int64_t counts[32];
	size_t len;
	char *html = tu_read("go1.27/index.html", &len);

	/* the real page of Go 1.27: allocs 16, block 3, example.com/openfiles 3,
	 * goroutine 145, goroutineleak 0, heap 16, mutex 8, threadcreate 9 */
	size_t n = model_index_counts(html, len, names, counts, 32);
	static const char *const want[] = { "allocs",    "block",         "example.com/openfiles",
		                            "goroutine", "goroutineleak", "heap",
		                            "mutex",     "threadcreate" };
	static const int64_t wantc[] = { 16, 3, 3, 145, 0, 16, 8, 9 };
	assert_int_equal(n, 8);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(names[i], want[i]);
		assert_int_equal(counts[i], wantc[i]);
	}
	free(html);
	model_init(&m);
	assert_int_equal(ingest(&m, EP_INDEX, "go1.27/index.html", 1.0), 0);
	for (int e = 0; e < EP_COUNT; e++) {
		assert_false(m.ep[e].no_records); /* a leak count of 0 is news, not "off" */
		if (ep_info((enum ep_id)e)->query[FORM_TEXT] != NULL) /* not fed by another */
			assert_int_equal(m.ep[e].want, FORM_TEXT);
	}
	/* Debian's Prometheus 2.42 (Go 1.19): profiling not enabled */
	unsigned char *b =
	    body_str("<tr><td>23</td><td><a href='allocs?debug=1'>allocs</a></td></tr>\n"
	             "<tr><td>0</td><td><a href='block?debug=1'>block</a></td></tr>\n"
	             "<tr><td>24</td><td><a href='goroutine?debug=1'>goroutine</a>"
	             "</td></tr>\n"
	             "<tr><td>23</td><td><a href='heap?debug=1'>heap</a></td></tr>\n"
	             "<tr><td>0</td><td><a href='mutex?debug=1'>mutex</a></td></tr>\n",
	             &len);
	assert_int_equal(model_ingest(&m, EP_INDEX, b, len, 2.0, 0), 0);
	assert_true(m.ep[EP_BLOCK].no_records && m.ep[EP_MUTEX].no_records);
	assert_false(m.ep[EP_BLOCK].missing);
	assert_false(m.ep[EP_GOROUTINE].no_records || m.ep[EP_HEAP].no_records);
	/* the service enabled the block profile: fetched again */
	b = body_str("<tr><td>5</td><td><a href='block?debug=1'>block</a></td></tr>"
	             "<tr><td>0</td><td><a href='mutex?debug=1'>mutex</a></td></tr>",
	             &len);
	assert_int_equal(model_ingest(&m, EP_INDEX, b, len, 3.0, 0), 0);
	assert_false(m.ep[EP_BLOCK].no_records);
	assert_true(m.ep[EP_MUTEX].no_records);
	/* 100,000 goroutines: the first goroutine fetch is the protobuf (its
	 * text would be tens of MB); once fetched, its own size decides */
	b = body_str("<tr><td>100012</td><td><a href='goroutine?debug=1'>goroutine</a></td></tr>",
	             &len);
	assert_int_equal(model_ingest(&m, EP_INDEX, b, len, 3.5, 0), 0);
	assert_int_equal(m.ep[EP_GOROUTINE].want, FORM_PROTO);
	assert_string_equal(model_query(&m, EP_GOROUTINE), "goroutine");
	/* a page without counts (a proxy's rewrite): never skipped for it */
	b = body_str("<td><a href='block?debug=1'>b</a></td><td><a href='mutex?debug=1'>m</a></td>",
	             &len);
	assert_int_equal(model_ingest(&m, EP_INDEX, b, len, 4.0, 0), 0);
	assert_false(m.ep[EP_BLOCK].no_records || m.ep[EP_MUTEX].no_records);
	model_free(&m);
}

static void
test_view_freeze(void **state)
{
	(void)state;
	struct model m;
	struct view live, v;
	model_init(&m);

	assert_int_equal(ingest(&m, EP_GOROUTINE, "go1.19/goroutine.pb.gz", 1.0), 0);
	assert_int_equal(ingest(&m, EP_GOROUTINE, "go1.19/goroutine-debug1.txt", 2.0), 0);
	assert_int_equal(ingest(&m, EP_MEMSTATS, "go1.19/heap-debug1.txt", 2.0), 0);

	view_live(&live, &m);
	assert_false(live.frozen);
	assert_ptr_equal(live.ep[EP_GOROUTINE].cur, m.ep[EP_GOROUTINE].cur);
	assert_ptr_equal(live.ep[EP_GOROUTINE].d, &m.ep[EP_GOROUTINE].d);
	assert_null(live.ep[EP_HEAP].cur);
	assert_null(live.ep[EP_HEAP].d);

	view_freeze(&v, &m);
	assert_true(v.frozen);
	const struct snapshot *fcur = v.ep[EP_GOROUTINE].cur;
	const struct snapshot *fprev = v.ep[EP_GOROUTINE].prev;
	assert_ptr_equal(fcur, m.ep[EP_GOROUTINE].cur); /* shared, not copied */
	/* the model's cur and newest point, the view's cur and point */
	assert_int_equal(fcur->refs, 4);
	assert_int_equal(fcur->totals[0], 129); /* 131 less pproftop's 2 */
	assert_int_equal(fprev->totals[0], 129);
	assert_non_null(v.ep[EP_GOROUTINE].d);
	assert_ptr_equal(v.ep[EP_GOROUTINE].d->now, fcur);
	size_t frows = v.ep[EP_GOROUTINE].d->nrows;
	const struct group *g = tu_group_by_label(fcur, "main.leakOne.func1");
	assert_non_null(g);
	uint64_t gid = g->id;
	int64_t h[HISTORY_LEN];
	assert_int_equal(history_get(v.ep[EP_GOROUTINE].hist, gid, h, HISTORY_LEN), 2);
	assert_int_equal(view_meter(&v, METER_GOROUTINES)->n, 2);
	assert_true(view_meter(&v, METER_HEAP_ALLOC)->n == 1);

	/* the model moves on: 1.21 and 1.22 processes, a baseline, a memstats */
	assert_int_equal(ingest(&m, EP_GOROUTINE, "go1.21/goroutine.pb.gz", 3.0), 0);
	assert_int_equal(ingest(&m, EP_GOROUTINE, "go1.22/goroutine.pb.gz", 4.0), 0);
	model_set_baseline(&m);
	assert_int_equal(ingest(&m, EP_MEMSTATS, "go1.27/heap-debug1.txt", 4.0), 0);
	assert_int_equal(m.ep[EP_GOROUTINE].cur->totals[0], 142); /* 144 less pproftop's 2 */

	/* the frozen view still shows the old numbers (ASan: still alive) */
	assert_ptr_equal(v.ep[EP_GOROUTINE].cur, fcur);
	assert_int_equal(fcur->refs, 2); /* the model let go of it: the view's cur and point */
	assert_int_equal(v.ep[EP_GOROUTINE].cur->totals[0], 129);
	assert_int_equal(v.ep[EP_GOROUTINE].prev->totals[0], 129);
	assert_int_equal(v.ep[EP_GOROUTINE].d->nrows, frows);
	assert_int_equal(v.ep[EP_GOROUTINE].dbase->now->totals[0], 129);
	assert_int_equal(snapshot_find(fcur, gid)->values[0], 102);
	assert_int_equal(history_get(v.ep[EP_GOROUTINE].hist, gid, h, HISTORY_LEN), 2);
	assert_true(h[1] == 102);
	assert_int_equal(view_meter(&v, METER_GOROUTINES)->n, 2);
	assert_int_equal(view_meter(&v, METER_HEAP_ALLOC)->n, 1);
	assert_true(view_meter(&v, METER_HEAP_ALLOC)->v[0] == 110628096);
	/* while the live view follows the model */
	view_live(&live, &m);
	assert_int_equal(live.ep[EP_GOROUTINE].cur->totals[0], 142);
	assert_int_equal(view_meter(&live, METER_GOROUTINES)->n, 4);
	assert_int_equal(view_meter(&live, METER_HEAP_ALLOC)->n, 2);
	/* the model's history went on independently */
	assert_int_equal(history_get(&m.ep[EP_GOROUTINE].hist, gid, h, HISTORY_LEN), 4);

	view_release(&v); /* frees the snapshots only the view held (ASan: no leak) */
	assert_false(v.frozen);
	view_release(&live); /* no-op */
	view_release(&v);    /* twice is fine */

	/* a frozen view can outlive the model */
	view_freeze(&v, &m);
	const struct snapshot *keep = v.ep[EP_GOROUTINE].cur;
	model_free(&m);
	assert_int_equal(keep->totals[0], 142);
	/* the view's cur, base (the baseline set above) and newest point */
	assert_int_equal(keep->refs, 3);
	view_release(&v);
}

/* Many polls alternating two captures: everything stays bounded and is
 * released (ASan checks leaks). */
static void
test_many_polls(void **state)
{
	(void)state;
	struct model m;
	size_t la, lb;
	char *a = tu_read("go1.21/goroutine.pb.gz", &la);
	char *b = tu_read("go1.22/goroutine.pb.gz", &lb);

	model_init(&m);
	for (int i = 0; i < 200; i++) {
		size_t len = i % 2 ? lb : la;
		unsigned char *p = malloc(len);
		memcpy(p, i % 2 ? b : a, len);
		assert_int_equal(model_ingest(&m, EP_GOROUTINE, p, len, i, 0), 0);
		if (i % 50 == 0)
			model_set_baseline(&m);
	}
	struct endpoint *ep = &m.ep[EP_GOROUTINE];
	assert_int_equal(ep->polls, 200);
	assert_int_equal(ep->cur->refs, 2); /* cur and the newest point */
	/* 26 + 25 stacks shown (each file's request and its connection's
	 * reader are pproftop's), 6 shared: 45 groups tracked, none evicted */
	assert_int_equal(ep->hist.n, 45);
	assert_int_equal(m.meter[METER_GOROUTINES].n, HISTORY_LEN);
	/* the 1.21-only groups alternate value and 0 */
	int64_t h[HISTORY_LEN];
	const struct group *g = tu_group_by_label(ep->prev, "main.leakOne.func1");
	assert_int_equal(history_get(&ep->hist, g->id, h, HISTORY_LEN), HISTORY_LEN);
	assert_true((h[0] == 0) != (h[1] == 0));
	assert_false(history_growing(&ep->hist, g->id));
	model_free(&m);
	free(a);
	free(b);
}

static void
test_ep_table(void **state)
{
	(void)state;
	assert_string_equal(ep_info(EP_GOROUTINE)->name, "goroutine");
	/* one request brings heap, allocs and MemStats */
	assert_string_equal(ep_info(EP_HEAP)->query[FORM_TEXT], "heap?debug=1");
	assert_null(ep_info(EP_HEAP)->query[FORM_PROTO]);
	assert_int_equal(ep_info(EP_ALLOCS)->fed_by, EP_HEAP);
	assert_int_equal(ep_info(EP_MEMSTATS)->fed_by, EP_HEAP);
	assert_null(ep_info(EP_ALLOCS)->query[FORM_TEXT]);
	assert_null(ep_info(EP_MEMSTATS)->query[FORM_PROTO]);
	assert_string_equal(ep_info(EP_MEMSTATS)->profile, "heap");
	assert_string_equal(ep_info(EP_HEAP)->file[FORM_TEXT], "heap-debug1.txt");
	assert_string_equal(ep_info(EP_GOROUTINE)->query[FORM_TEXT], "goroutine?debug=1");
	assert_string_equal(ep_info(EP_GOROUTINE)->query[FORM_PROTO], "goroutine");
	assert_true(ep_info(EP_BLOCK)->needs_records && ep_info(EP_MUTEX)->needs_records);
	assert_false(ep_info(EP_GOROUTINE)->needs_records);
	assert_null(ep_info(EP_INDEX)->profile);
	assert_string_equal(ep_info(EP_INDEX)->query[FORM_TEXT], "");
	for (int e = 0; e < EP_COUNT; e++) {
		const struct ep_info *in = ep_info((enum ep_id)e);
		/* whatever is fetched can be saved */
		for (int f = 0; f < FORM_COUNT; f++)
			if (in->query[f] != NULL)
				assert_non_null(in->file[f]);
	}
	struct model m;
	model_init(&m);
	assert_int_equal(m.evict_after, 30);
	assert_int_equal(m.ep[EP_HEAP].hist.evict_after, 30);
	model_free(&m);
	model_free(&m); /* freeing an emptied model is harmless */
}

/* ids do not depend on the format: one process, three formats */
static void
test_ids_across_formats(void **state)
{
	(void)state;
	struct snapshot *p = tu_parse("go1.19/goroutine.pb.gz", NULL);
	struct snapshot *t = tu_parse("go1.19/goroutine-debug1.txt", NULL);
	struct snapshot *d = tu_parse("go1.19/goroutine-debug2.txt", NULL);
	static const char *const fns[] = { "main.waitGeneric[...]", "main.variety.func3",
		                           "main.chanBlocker" };

	for (size_t i = 0; i < 3; i++) {
		const struct group *a = tu_group_by_label(p, fns[i]);
		const struct group *b = tu_group_by_label(t, fns[i]);
		const struct group *c = tu_group_by_label(d, fns[i]);
		assert_non_null(a);
		assert_non_null(b);
		assert_non_null(c);
		assert_int_equal(a->id, b->id);
		assert_int_equal(a->id, c->id);
	}
	/* and the 1.21 protobuf's "[go.shape.string]" folds to the same id */
	struct snapshot *p21 = tu_parse("go1.21/goroutine.pb.gz", NULL);
	assert_int_equal(tu_group_by_label(p21, "main.waitGeneric[...]")->id,
	                 tu_group_by_label(p, "main.waitGeneric[...]")->id);
	snapshot_free(p);
	snapshot_free(t);
	snapshot_free(d);
	snapshot_free(p21);
}


/* One poll's heap?debug=1: heap, allocs and MemStats of one GC cycle. */
static void
heap_poll(struct model *m, double now, int64_t grow, int numgc, double last_gc_s,
          int64_t total_alloc)
{
	size_t len;
	unsigned char *b = tu_heap_text(grow, grow * 3, numgc, last_gc_s, total_alloc, &len);
	assert_int_equal(model_ingest(m, EP_HEAP, b, len, now, 0.01), 0);
	/* the same snapshot is MemStats; allocs is its own, by allocation */
	assert_ptr_equal(m->ep[EP_MEMSTATS].cur, m->ep[EP_HEAP].cur);
	assert_non_null(m->ep[EP_ALLOCS].cur);
	assert_int_equal(m->ep[EP_ALLOCS].cur->kind, PROF_ALLOCS);
	assert_true(m->ep[EP_ALLOCS].t_cur == now && m->ep[EP_MEMSTATS].t_cur == now);
	assert_null(m->ep[EP_ALLOCS].raw); /* saved once, as heap-debug1.txt */
}

/* Heap data changes only at a GC: one point per cycle at the cycle's time
 * (MemStats LastGC), rates between cycles, never a false 0 between them. */
static void
test_heap_gc_cycles(void **state)
{
	(void)state;
	struct model m;
	model_init(&m);
	struct endpoint *ep = &m.ep[EP_HEAP];
	double rate, over;

	heap_poll(&m, 100, 1 << 20, 10, 99.5, 50 << 20);
	assert_int_equal(ep->npoints, 1);
	assert_true(ep->t_pt == 99.5); /* the GC's time, not the poll's */
	assert_false(ep->has_dw);      /* waiting for a second cycle */
	assert_false(model_memstat_rate(&m, "TotalAlloc", &rate, &over));
	/* polls without a GC: no point, still no rate (not a 0) */
	heap_poll(&m, 101, 1 << 20, 10, 99.5, 54 << 20);
	heap_poll(&m, 102, 1 << 20, 10, 99.5, 58 << 20);
	assert_int_equal(ep->npoints, 1);
	assert_false(ep->has_dw);
	assert_int_equal(ep->polls, 3);
	/* the service's allocation rate is exact in MemStats at every read */
	assert_true(model_memstat_rate(&m, "TotalAlloc", &rate, &over));
	assert_true(fabs(rate - 4 * 1048576.0) < 1e-6 && over == 2);
	/* a GC at 102.7: +3 MiB retained since the one at 99.5 */
	heap_poll(&m, 103, 4 << 20, 11, 102.7, 62 << 20);
	assert_int_equal(ep->npoints, 2);
	assert_true(fabs(ep->t_pt - 102.7) < 1e-9);
	assert_true(ep->has_dw);
	assert_true(fabs(ep->dw.dt - 3.2) < 1e-9);
	const struct group *g = tu_group_by_label(ep->cur, "main.grow");
	assert_non_null(g);
	int ib = snapshot_value_index(ep->cur, "inuse_bytes");
	const struct diff_row *r = diff_find(&ep->dw, g->id);
	assert_true(fabs(diff_row_rate(&ep->dw, r, ib) - 3 * 1048576 / 3.2) < 1);
	/* no GC for two polls: the same rate, not 0 */
	heap_poll(&m, 104, 4 << 20, 11, 102.7, 66 << 20);
	heap_poll(&m, 105, 4 << 20, 11, 102.7, 70 << 20);
	assert_int_equal(ep->npoints, 2);
	r = diff_find(&ep->dw, g->id);
	assert_true(fabs(diff_row_rate(&ep->dw, r, ib) - 3 * 1048576 / 3.2) < 1);
	/* the history has one value per cycle, at the cycles' times */
	double t[HISTORY_LEN];
	int64_t v[HISTORY_LEN];
	assert_int_equal(history_points(&ep->hist, g->id, t, v, HISTORY_LEN), 2);
	assert_true(t[0] == 99.5 && fabs(t[1] - 102.7) < 1e-9);
	assert_true(v[0] == 1 << 20 && v[1] == 4 << 20);
	/* a new heap profile whose MemStats do not know its cycle yet (NumGC
	 * unchanged): the cycle happened, but when is not known: the poll's
	 * time */
	size_t len;
	unsigned char *b = tu_heap_text(5 << 20, 15 << 20, 11, 102.7, 74 << 20, &len);
	assert_int_equal(model_ingest(&m, EP_HEAP, b, len, 106, 0.01), 0);
	assert_int_equal(ep->npoints, 3);
	assert_true(ep->t_pt == 106);
	/* the runtime publishes at GC N the heap as of GC N-1: with the
	 * PauseEnd ring printed, the point's time is the GC before the last */
	char pe[2048];
	int o = snprintf(pe, sizeof(pe),
	                 "heap profile: 1: 4096 [1: 4096] @ heap/2\n1: 4096 [1: 4096] @ 0x1\n"
	                 "#\t0x1\tmain.grow+0x1\t/src/main.go:10\n\n# runtime.MemStats\n"
	                 "# NumGC = 14\n# LastGC = 107000000000\n# PauseEnd = [");
	for (int i = 0; i < 256; i++)
		o += snprintf(pe + o, sizeof(pe) - (size_t)o, "%s%s", i ? " " : "",
		              i == 12   ? "106600000000"
		              : i == 13 ? "107000000000"
		                        : "0");
	snprintf(pe + o, sizeof(pe) - (size_t)o, "]\n");
	b = body_str(pe, &len);
	assert_int_equal(model_ingest(&m, EP_MEMSTATS, b, len, 107.5, 0.01), 0);
	b = body_str(pe, &len);
	assert_int_equal(model_ingest(&m, EP_HEAP, b, len, 107.5, 0.01), 0);
	assert_int_equal(ep->npoints, 4);
	assert_true(fabs(ep->t_pt - 106.6) < 1e-9);
	/* between GCs the runtime adds zero-valued records for new allocation
	 * sites: the same totals are the same cycle, whatever the groups */
	{
		char zb[400];
		int zn =
		    snprintf(zb, sizeof(zb),
		             "heap profile: 1: 4096 [1: 4096] @ heap/2\n1: 4096 [1: 4096] @ 0x1\n"
		             "#\t0x1\tmain.grow+0x1\t/src/main.go:10\n\n"
		             "0: 0 [0: 0] @ 0x9\n#\t0x9\tmain.fresh+0x1\t/src/main.go:90\n\n");
		(void)zn;
		b = body_str(zb, &len);
		assert_int_equal(model_ingest(&m, EP_HEAP, b, len, 107.7, 0.01), 0);
		assert_int_equal(ep->cur->ngroups, 2);
		assert_int_equal(ep->npoints, 4); /* no new point */
		assert_true(fabs(ep->t_pt - 106.6) < 1e-9);
	}
	/* a LastGC in the future of our clock (skew) is not believed either */
	heap_poll(&m, 108, 6 << 20, 15, 200, 78 << 20);
	assert_true(ep->t_pt == 108);
	model_free(&m);
}

/* A steady heap leak with a GC every 3 s, polled every second: the verdict
 * comes once 8 cycles span half the window, with the right slope; the
 * goroutine group holding it grows too, and the two are linked through
 * their shared function of the service's own code. */
static void
test_heap_leak_verdict_and_link(void **state)
{
	(void)state;
	struct model m;
	model_init(&m);
	const struct endpoint *ep = &m.ep[EP_HEAP];
	const char *const fns[] = { "main.worker", "main.steady" };
	double now = 1000, gc_t = 999;
	int numgc = 1;
	uint64_t hid = 0, gid = 0;

	for (int i = 0; i <= 50; i++, now += 1) {
		if (i % 3 == 0) {
			numgc++;
			gc_t = now - 0.4;
		}
		/* 1 MiB/s retained, as of the last GC */
		heap_poll(&m, now, (int64_t)((gc_t - 999) * 1048576), numgc, gc_t,
		          (int64_t)(now * 4e6));
		/* a goroutine every 2 s, each holding part of it */
		char body[512];
		int n = snprintf(body, sizeof(body),
		                 "goroutine profile: total %d\n"
		                 "%d @ 0x1 0x2\n#\t0x1\tmain.holder+0x1\t/src/main.go:5\n"
		                 "#\t0x2\tmain.worker+0x1\t/src/main.go:20\n\n"
		                 "10 @ 0x3\n#\t0x3\t%s+0x1\t/src/main.go:40\n\n",
		                 10 + i / 2, i / 2, fns[1]);
		unsigned char *p = malloc((size_t)n);
		memcpy(p, body, (size_t)n);
		assert_int_equal(model_ingest(&m, EP_GOROUTINE, p, (size_t)n, now, 0.01), 0);
		const struct group *hg = tu_group_by_label(ep->cur, "main.grow");
		hid = hg->id;
		const struct trend_verdict *hv = history_verdict(&ep->hist, hid);
		/* the heap is judged once three quarters of the window are
		 * covered (its frees show two GC cycles late) */
		if (i < 44)
			assert_false(hv->growing);
		if (i == 43) /* 15 cycles, but spanning only 42 s of the 60 s window */
			assert_int_equal(hv->why, TREND_TOO_SHORT);
	}
	const struct trend_verdict *hv = history_verdict(&ep->hist, hid);
	assert_true(hv->growing);
	assert_true(fabs(hv->slope - 1048576) < 0.05 * 1048576);
	const struct group *gg = tu_group_by_label(m.ep[EP_GOROUTINE].cur, "main.holder");
	gid = gg->id;
	const struct trend_verdict *gv = history_verdict(&m.ep[EP_GOROUTINE].hist, gid);
	assert_true(gv->growing);
	assert_true(fabs(gv->slope - 0.5) < 0.05);
	/* the steady group and main.other: not growing, slope 0 */
	const struct group *sg = tu_group_by_label(m.ep[EP_GOROUTINE].cur, "main.steady");
	assert_false(history_growing(&m.ep[EP_GOROUTINE].hist, sg->id));
	assert_true(history_verdict(&m.ep[EP_GOROUTINE].hist, sg->id)->slope == 0);
	const struct group *og = tu_group_by_label(ep->cur, "main.other");
	assert_false(history_growing(&ep->hist, og->id));
	/* where growth meets: main.worker is in both stacks (main.holder and
	 * main.grow are not shared) */
	assert_int_equal(m.nlinks, 1);
	assert_string_equal(m.links[0].function, "main.worker");
	assert_ptr_equal(model_link_of(&m, gid, false), &m.links[0]);
	assert_ptr_equal(model_link_of(&m, hid, true), &m.links[0]);
	assert_null(model_link_of(&m, hid, false));
	assert_null(model_link_of(&m, sg->id, false));
	/* no goroutineleak profile fetched: unknown, not 0 */
	assert_true(model_leaked(&m, gid) == -1);
	/* GCs every 3 s, MemStats say so */
	double rate, over;
	assert_true(model_memstat_rate(&m, "NumGC", &rate, &over));
	assert_true(fabs(rate - 1.0 / 3) < 0.1);
	model_free(&m);
}

/* The goroutineleak profile's counts join the goroutine groups by stack. */
static void
test_leaked(void **state)
{
	(void)state;
	struct model m;
	model_init(&m);

	assert_int_equal(ingest(&m, EP_GOROUTINE, "go1.27/goroutine.pb.gz", 1.0), 0);
	assert_int_equal(ingest(&m, EP_GOROUTINELEAK, "go1.27/goroutineleak.pb.gz", 1.5), 0);
	const struct snapshot *leak = m.ep[EP_GOROUTINELEAK].cur;
	const struct group *lg = tu_group_by_label(leak, "main.leakOne.func1");
	assert_non_null(lg);
	const struct group *g = tu_group_by_label(m.ep[EP_GOROUTINE].cur, "main.leakOne.func1");
	assert_non_null(g);
	assert_true(g->id == lg->id); /* same stack, same id */
	assert_true(model_leaked(&m, g->id) == lg->values[0]);
	assert_true(lg->values[0] > 0);
	/* a goroutine group nothing proved leaked: 0 */
	for (size_t i = 0; i < m.ep[EP_GOROUTINE].cur->ngroups; i++) {
		const struct group *o = &m.ep[EP_GOROUTINE].cur->groups[i];
		if (snapshot_find(leak, o->id) == NULL) {
			assert_true(model_leaked(&m, o->id) == 0);
			break;
		}
	}
	model_free(&m);
}

/* CPU windows (EP_CPU): each snapshot is its window's own; cur vs prev is
 * this window against the last, a drop is no restart (a level, not a
 * counter), and the history keeps one point per window. Real captures:
 * go1.19 (main.burnCPU.func1 200 ms at main.go:117 in 3.1 s) twice, then
 * a 1 s window of another build (main.spin 20 + 20 ms). */
static void
test_cpu_windows(void **state)
{
	(void)state;
	struct model m;
	size_t len;
	char q[32];

	model_init(&m);
	assert_string_equal(model_query(&m, EP_CPU), "profile");
	assert_string_equal(model_cpu_query(q, sizeof(q), 5), "profile?seconds=5");
	assert_false(m.ep[EP_CPU].missing);
	for (int k = 0; k < 2; k++) {
		unsigned char *b = (unsigned char *)tu_read("go1.19/profile-cpu-3s.pb.gz", &len);
		assert_int_equal(model_ingest(&m, EP_CPU, b, len, 10 + 5 * k, 3.1), 0);
	}
	const struct endpoint *ep = &m.ep[EP_CPU];
	assert_int_equal(ep->polls, 2);
	assert_true(ep->has_d);
	assert_false(ep->d.restarted);
	const struct group *hot = NULL;
	for (size_t i = 0; i < ep->cur->ngroups; i++)
		if (group_frame(&ep->cur->groups[i], 0)->line == 117)
			hot = &ep->cur->groups[i];
	assert_non_null(hot);
	assert_int_equal(hot->values[0], 200000000);
	const struct diff_row *r = diff_find(&ep->d, hot->id);
	assert_non_null(r);
	assert_int_equal(r->delta[0], 0);
	double cores = model_cpu_cores(ep->cur, hot);
	assert_true(cores > 0.0644613 && cores < 0.0644614);
	uint64_t hot_id = hot->id;

	unsigned char *b = (unsigned char *)tu_read("local/profile-cpu-1s.pb.gz", &len);
	assert_int_equal(model_ingest(&m, EP_CPU, b, len, 16.1, 1.0), 0);
	assert_false(ep->d.restarted); /* less CPU is no new process */
	assert_int_equal(m.restarts, 0);
	r = diff_find(&ep->d, hot_id);
	assert_non_null(r);
	assert_true(r->flags & DIFF_GONE);
	assert_int_equal(r->delta[0], -200000000);
	assert_int_equal(ep->d.total_delta[0], 60000000 - 350000000);
	if (ep->d.nnew != 4 || ep->d.ngone != 3)
		fail_msg("%zu new, %zu gone", ep->d.nnew, ep->d.ngone);
	int64_t h[8];
	assert_int_equal(history_get(&ep->hist, hot_id, h, 8), 3);
	assert_int_equal(h[0], 200000000);
	assert_int_equal(h[1], 200000000);
	assert_int_equal(h[2], 0);
	double t = model_cpu_cores(ep->cur, NULL);
	assert_true(t > 0.059193 && t < 0.059194); /* 60 ms in 1.013628397 s */
	model_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_fixtures),
		cmocka_unit_test(test_index_synthetic),
		cmocka_unit_test(test_ingest_goroutine_pair),
		cmocka_unit_test(test_parse_error_keeps_last_good),
		cmocka_unit_test(test_memstats_meters),
		cmocka_unit_test(test_baseline_and_restart),
		cmocka_unit_test(test_index_ingest),
		cmocka_unit_test(test_index_counts),
		cmocka_unit_test(test_view_freeze),
		cmocka_unit_test(test_many_polls),
		cmocka_unit_test(test_ep_table),
		cmocka_unit_test(test_ids_across_formats),
		cmocka_unit_test(test_heap_gc_cycles),
		cmocka_unit_test(test_heap_leak_verdict_and_link),
		cmocka_unit_test(test_leaked),
		cmocka_unit_test(test_cpu_windows),
	};
	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
