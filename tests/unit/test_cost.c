/* test_cost.c - what our requests cost the service (src/cost.c) and
 * keeping pproftop's own footprint out of the data (snapshot_hide_self,
 * src/profile.c), on real captures: the goroutine that served the request
 * and its connection's reader, the handler's allocations, the choice
 * between the debug=1 text and the protobuf, and the service time of a
 * fetch. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/cost.h"
#include "pproftop/parse.h"
#include "pproftop/profile.h"
#include "testutil.h"

static const struct group *
group_with(const struct snapshot *s, const char *fn)
{
	for (size_t i = 0; i < s->ngroups; i++)
		for (uint32_t f = 0; f < s->groups[i].nframes; f++)
			if (strcmp(group_frame(&s->groups[i], f)->function, fn) == 0)
				return &s->groups[i];
	return NULL;
}

/* sorted by the primary value, then id; totals are the rows' sums; every
 * group is found by its id */
static void
assert_consistent(const struct snapshot *s)
{
	int64_t sum[PROF_MAX_VALUES] = { 0 };

	for (size_t i = 0; i < s->ngroups; i++) {
		const struct group *g = &s->groups[i];
		for (int v = 0; v < s->nvalues; v++)
			sum[v] += g->values[v];
		assert_ptr_equal(snapshot_find(s, g->id), g);
		assert_false(g->pprof_handler);
		if (i > 0) {
			const struct group *p = &s->groups[i - 1];
			assert_true(
			    p->values[s->primary] > g->values[s->primary] ||
			    (p->values[s->primary] == g->values[s->primary] && p->id < g->id));
		}
	}
	for (int v = 0; v < s->nvalues; v++)
		assert_int_equal(sum[v], s->totals[v]);
}

static const struct group *
empty_stack(const struct snapshot *s)
{
	for (size_t i = 0; i < s->ngroups; i++)
		if (s->groups[i].nframes == 0)
			return &s->groups[i];
	return NULL;
}

/* Go 1.21's goroutine protobuf, fetched over HTTP: 143 goroutines, of which
 * the one serving the request (net/http/pprof.handler.ServeHTTP) and its
 * connection's background reader, caught before it ran (a sample with no
 * stack), are ours. */
static void
test_hide_goroutines(void **state)
{
	(void)state;
	struct snapshot *s = tu_parse("go1.21/goroutine.pb.gz", NULL);

	assert_int_equal(s->totals[0], 143);
	assert_int_equal(s->ngroups, 28);
	const struct group *h = group_with(s, "net/http/pprof.handler.ServeHTTP");
	assert_non_null(h);
	assert_true(h->pprof_handler);
	assert_null(group_with(s, "net/http.(*connReader).backgroundRead"));
	assert_non_null(empty_stack(s));
	assert_int_equal(empty_stack(s)->values[0], 1);
	uint64_t leak = tu_group_by_label(s, "main.leakOne.func1")->id;

	snapshot_hide_self(s);
	assert_int_equal(s->totals[0], 141);
	assert_int_equal(s->ngroups, 26);
	assert_int_equal(s->self_groups, 2);
	assert_int_equal(s->self_values[0], 2);
	assert_null(group_with(s, "net/http/pprof.handler.ServeHTTP"));
	assert_null(empty_stack(s));
	assert_int_equal(snapshot_find(s, leak)->values[0], 115);
	assert_consistent(s);
	/* a second call changes nothing */
	snapshot_hide_self(s);
	assert_int_equal(s->totals[0], 141);
	assert_int_equal(s->self_groups, 2);
	assert_int_equal(s->self_values[0], 2);
	snapshot_free(s);

	/* a capture whose reader had run, and is blocked in Read */
	s = tu_parse("local/goroutine-debug1.txt", NULL);
	const struct group *r = group_with(s, "net/http.(*connReader).backgroundRead");
	assert_non_null(r);
	assert_true(r->conn_reader);
	int64_t all = s->totals[0], readers = r->values[0];
	snapshot_hide_self(s);
	r = group_with(s, "net/http.(*connReader).backgroundRead");
	assert_int_equal(r != NULL ? r->values[0] : 0, readers - 1);
	assert_int_equal(s->totals[0], all - 2);
	assert_consistent(s);
	snapshot_free(s);
}

static struct snapshot *
parse_str(const char *text, const char *name)
{
	struct snapshot *s = NULL;
	struct parse_err pe;

	if (profile_parse(text, strlen(text), name, &s, &pe) != 0)
		fail_msg("parse: %s", pe.msg);
	return s;
}

#define HANDLER                                                                                    \
	"1 @ 0x1 0x2\n"                                                                            \
	"#\t0x1\truntime/pprof.writeGoroutine+0x1\t/go/src/runtime/pprof/pprof.go:693\n"           \
	"#\t0x2\tnet/http/pprof.handler.ServeHTTP+0x1\t/go/src/net/http/pprof/pprof.go:254\n\n"
#define READERS(n)                                                                                 \
	n " @ 0x3 0x4 0x5\n"                                                                       \
	  "#\t0x3\tinternal/poll.runtime_pollWait+0x1\t/go/src/runtime/netpoll.go:305\n"           \
	  "#\t0x4\tnet.(*conn).Read+0x1\t/go/src/net/net.go:183\n"                                 \
	  "#\t0x5\tnet/http.(*connReader).backgroundRead+0x1\t/go/src/net/http/server.go:678\n\n"
/* a goroutine created but not run yet: runtime.goexit alone (Go 1.19) */
#define NOT_STARTED                                                                                \
	"1 @ 0x6\n"                                                                                \
	"#\t0x6\truntime.goexit+0x1\t/go/src/runtime/asm_amd64.s:1595\n\n"
#define WORKER                                                                                     \
	"4 @ 0x7\n"                                                                                \
	"#\t0x7\tmain.worker+0x1\t/src/app/main.go:10\n\n"

/* Our connection's reader: the one not started yet when there is one
 * (the server starts it right before the handler), else one of the readers
 * blocked in Read; other clients' readers stay. */
static void
test_hide_connection_reader(void **state)
{
	(void)state;
	struct snapshot *s = parse_str(
	    "goroutine profile: total 10\n" HANDLER READERS("3") NOT_STARTED WORKER, NULL);

	assert_int_equal(s->totals[0], 9 /* runtime-only stack: 1 + 3 + 1 + 4 */);
	snapshot_hide_self(s);
	/* the handler and the not-started goroutine */
	assert_int_equal(s->self_values[0], 2);
	assert_int_equal(s->self_groups, 2);
	assert_int_equal(group_with(s, "net/http.(*connReader).backgroundRead")->values[0], 3);
	assert_int_equal(s->totals[0], 7);
	assert_consistent(s);
	snapshot_free(s);

	s = parse_str("goroutine profile: total 8\n" HANDLER READERS("3") WORKER, NULL);
	snapshot_hide_self(s);
	assert_int_equal(s->self_values[0], 2);
	assert_int_equal(s->self_groups, 1); /* the readers' group stays, with 2 */
	assert_int_equal(group_with(s, "net/http.(*connReader).backgroundRead")->values[0], 2);
	assert_int_equal(s->totals[0], 6);
	assert_consistent(s);
	snapshot_free(s);

	/* no request of ours (written by pprof.Lookup in the process): the
	 * readers are all someone else's */
	s = parse_str("goroutine profile: total 7\n" READERS("3") WORKER, NULL);
	snapshot_hide_self(s);
	assert_int_equal(s->self_groups, 0);
	assert_int_equal(s->totals[0], 7);
	snapshot_free(s);
}

/* The heap: what the handler allocated (the gzip writer, the text buffers)
 * is out of the totals, kept in self_values. */
static void
test_hide_heap(void **state)
{
	(void)state;
	struct snapshot *s = tu_parse("go1.22/allocs.pb.gz", NULL);
	int ab = snapshot_value_index(s, "alloc_bytes");
	int64_t all = s->totals[ab];

	snapshot_hide_self(s);
	assert_int_equal(s->self_groups, 6);
	assert_true(s->self_values[ab] > 4 << 20); /* 4.62 MiB, as test_cli.sh prints */
	assert_int_equal(s->totals[ab] + s->self_values[ab], all);
	assert_null(group_with(s, "net/http/pprof.handler.ServeHTTP"));
	assert_non_null(tu_group_by_label(s, "main.grow"));
	assert_consistent(s);
	snapshot_free(s);
}

/* What the text form would weigh, estimated from the protobuf's stacks,
 * against the text the same process served seconds apart. */
static void
test_text_size(void **state)
{
	static const struct {
		const char *proto, *text;
	} pairs[] = {
		{ "go1.19/goroutine.pb.gz", "go1.19/goroutine-debug1.txt" },
		{ "go1.24/goroutine.pb.gz", "go1.24/goroutine-debug1.txt" },
		{ "go1.27/block.pb.gz", "go1.27/block-debug1.txt" },
		{ "go1.27/mutex.pb.gz", "go1.27/mutex-debug1.txt" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		size_t len;
		char *t = tu_read(pairs[i].text, &len);
		struct snapshot *s = tu_parse(pairs[i].proto, NULL);
		double r = (double)snapshot_text_size(s) / (double)len;
		if (r < 0.6 || r > 1.6)
			fail_msg("%s: estimated %zu bytes, the text is %zu", pairs[i].proto,
			         snapshot_text_size(s), len);
		snapshot_free(s);
		free(t);
	}
}

static void
test_choose(void **state)
{
	(void)state;
	const struct ep_info *g = ep_info(EP_GOROUTINE), *h = ep_info(EP_HEAP);

	/* text while it stays under 1 MiB */
	assert_int_equal(cost_choose(g, FORM_TEXT, 11279), FORM_TEXT);
	assert_int_equal(cost_choose(g, FORM_TEXT, COST_TEXT_MAX), FORM_TEXT);
	/* 20,000 distinct stacks: 45.8 MB of text (docs/cost.md) */
	assert_int_equal(cost_choose(g, FORM_TEXT, 45800000), FORM_PROTO);
	/* hysteresis: back to text only well under the limit */
	assert_int_equal(cost_choose(g, FORM_PROTO, 700 << 10), FORM_PROTO);
	assert_int_equal(cost_choose(g, FORM_PROTO, 400 << 10), FORM_TEXT);
	/* heap?debug=1 is also MemStats: always the text */
	assert_int_equal(cost_choose(h, FORM_TEXT, 45800000), FORM_TEXT);
	assert_int_equal(cost_choose(ep_info(EP_INDEX), FORM_TEXT, 1 << 30), FORM_TEXT);
	assert_int_equal(cost_choose(ep_info(EP_BLOCK), FORM_TEXT, 2 << 20), FORM_PROTO);
	/* the first fetch goes by the index's count */
	assert_int_equal(cost_first_form(g, 145), FORM_TEXT);
	assert_int_equal(cost_first_form(g, -1), FORM_TEXT);
	assert_int_equal(cost_first_form(g, 100000), FORM_PROTO);
	assert_int_equal(cost_first_form(h, 100000), FORM_TEXT);
}

static void
test_service_time(void **state)
{
	(void)state;
	double rtt = -1;

	/* a new connection: 0.2 ms handshake; 3 ms in all, 0.5 before the
	 * request went out; plus what the latency does not show */
	assert_true(fabs(cost_service_s(0.003, 0.0005, 0.0002, &rtt) - 0.0023 - COST_REQUEST_S) <
	            1e-12);
	assert_true(rtt == 0.0002);
	/* reused: no handshake, the round trip is remembered */
	assert_true(fabs(cost_service_s(0.0012, 0.00001, 0, &rtt) - 0.00099 - COST_REQUEST_S) <
	            1e-12);
	/* a quicker handshake later is a better round trip */
	cost_service_s(0.001, 0, 0.0001, &rtt);
	assert_true(rtt == 0.0001);
	/* never below the fixed part */
	assert_true(cost_service_s(0.00005, 0, 0, &rtt) == COST_REQUEST_S);
	/* unknown round trip (file://): the whole latency */
	double none = -1;
	assert_true(fabs(cost_service_s(0.004, 0, 0, &none) - 0.004 - COST_REQUEST_S) < 1e-12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hide_goroutines),
		cmocka_unit_test(test_hide_connection_reader),
		cmocka_unit_test(test_hide_heap),
		cmocka_unit_test(test_text_size),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_service_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
