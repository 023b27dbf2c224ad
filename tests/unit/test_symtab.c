/* test_symtab.c - the goroutine text's hidden PCs, /debug/pprof/symbol
 * answers, and the wait states they give, on real captures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/label.h"
#include "pproftop/parse.h"
#include "pproftop/symtab.h"
#include "testutil.h"

static int
ingest(struct symtab *st, const char *body)
{
	char err[200];

	return symtab_ingest(st, (const unsigned char *)body, strlen(body), err, sizeof(err));
}

/* go1.21's leak record: "39 @ 0x43bc4e 0x4081ed 0x407e12 0x677545 ..." and
 * its first frame line "#\t0x677544\tmain.leakOne.func1+0x24": the three
 * PCs before 0x677545 are the runtime frames the text hides. */
static void
test_hidden_pcs(void **state)
{
	(void)state;
	struct snapshot *s = tu_parse("go1.21/goroutine-debug1.txt", "goroutine");
	const struct group *g = tu_group_by_label(s, "main.leakOne.func1");

	assert_non_null(g);
	assert_int_equal(g->nhidden, 0);
	assert_int_equal(group_more(g)->nhpcs, 3);
	assert_true(group_more(g)->hpcs[0] == 0x43bc4e && group_more(g)->hpcs[1] == 0x4081ed &&
	            group_more(g)->hpcs[2] == 0x407e12);
	/* not part of the group's identity: the protobuf's group is the same */
	struct snapshot *p = tu_parse("go1.21/goroutine.pb.gz", "goroutine");
	const struct group *pg = snapshot_find(p, g->id);
	assert_non_null(pg);
	assert_int_equal(group_more(pg)->nhpcs, 0);
	assert_true(pg->nhidden > 0);
	snapshot_free(p);
	snapshot_free(s);
}

static void
test_query_and_answer(void **state)
{
	(void)state;
	struct snapshot *s = tu_parse("go1.21/goroutine-debug1.txt", "goroutine");
	const struct group *g = tu_group_by_label(s, "main.leakOne.func1");
	struct symtab st;
	char q[2048], err[200];

	symtab_init(&st);
	size_t n = symtab_query(&st, s, q, sizeof(q));
	assert_true(n > 3 && n <= SYMTAB_QUERY_PCS);
	assert_non_null(strstr(q, "0x43bc4e+0x4081ed+0x407e12"));
	assert_null(strchr(q, ' '));
	/* asked once: the next query has none of them */
	char q2[2048];
	size_t n2 = symtab_query(&st, s, q2, sizeof(q2));
	assert_null(strstr(q2, "0x43bc4e"));
	(void)n2;
	/* unknown until named: no state yet */
	assert_string_equal(label_state_named(g, s->format, &st), "");
	/* Go's answer; a PC never asked is ignored, CRLF is fine */
	assert_int_equal(ingest(&st, "num_symbols: 1\r\n0x43bc4e runtime.gopark\r\n"
	                             "0x4081ed runtime.chanrecv\n0x407e12 runtime.chanrecv1\n"
	                             "0x99 main.never\n"),
	                 3);
	assert_string_equal(symtab_name(&st, 0x4081ed), "runtime.chanrecv");
	assert_null(symtab_name(&st, 0x99));
	assert_string_equal(label_state_named(g, s->format, &st), "chan receive");
	const char *names[8];
	assert_int_equal(symtab_hidden(&st, g, names, 8), 3);
	assert_string_equal(names[0], "runtime.gopark");
	/* not an answer: one line each, what was learned is kept */
	assert_int_equal(
	    symtab_ingest(&st, (const unsigned char *)"404 page not found\n", 19, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "symbol: line 1: expected \"num_symbols: N\", not a "
	                         "/debug/pprof/symbol answer");
	assert_int_equal(ingest(&st, "num_symbols: 1\nnot-a-pc name\n"), -1);
	assert_int_equal(ingest(&st, ""), -1);
	assert_string_equal(symtab_name(&st, 0x43bc4e), "runtime.gopark");
	/* a restart: another binary */
	symtab_clear(&st);
	assert_null(symtab_name(&st, 0x43bc4e));
	assert_string_equal(label_state_named(g, s->format, &st), "");
	symtab_free(&st);
	snapshot_free(s);
}

/* /debug/pprof/symbol names a PC by the innermost function inlined there
 * (Prometheus: runtime/internal/atomic.(*Uintptr).Swap inside
 * runtime.netpollblock): a hidden frame is a runtime frame whatever its
 * name, and the goroutine waits on IO, as its first printed frame says. */
static void
test_inlined_names(void **state)
{
	(void)state;
	static const char text[] =
	    "goroutine profile: total 1\n"
	    "1 @ 0x43ef76 0x4379f7 0x46a909 0x4e0432 0x470541\n"
	    "#\t0x46a908\tinternal/poll.runtime_pollWait+0x88\truntime/netpoll.go:305\n"
	    "#\t0x4e0431\tnet/http.(*conn).serve+0x31\tnet/http/server.go:1991\n\n";
	struct snapshot *s = NULL;
	struct parse_err perr;
	struct symtab st;
	char q[256];

	assert_int_equal(profile_parse(text, strlen(text), "goroutine", &s, &perr), 0);
	const struct group *g = &s->groups[0];
	assert_int_equal(group_more(g)->nhpcs, 2);
	symtab_init(&st);
	assert_int_equal(symtab_query(&st, s, q, sizeof(q)), 2);
	assert_string_equal(q, "0x43ef76+0x4379f7");
	assert_int_equal(ingest(&st, "num_symbols: 1\n0x43ef76 runtime.gopark\n"
	                             "0x4379f7 runtime/internal/atomic.(*Uintptr).Swap\n"),
	                 2);
	assert_string_equal(label_state_named(g, s->format, &st), "IO wait");
	symtab_free(&st);
	snapshot_free(s);
}

/* Each capture's text, its hidden PCs named as the protobuf of the same
 * capture names those frames (same group id, same number of frames): the
 * text's wait states are the protobuf's, group for group. */
static void
test_states_match_protobuf(void **state)
{
	static const char *const dirs[] = { "go1.19", "go1.21", "go1.22", "go1.24", "go1.27" };
	size_t total = 0, named = 0;

	(void)state;
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		char rel[128];
		snprintf(rel, sizeof(rel), "%s/goroutine-debug1.txt", dirs[d]);
		struct snapshot *s = tu_parse(rel, "goroutine");
		snprintf(rel, sizeof(rel), "%s/goroutine.pb.gz", dirs[d]);
		struct snapshot *p = tu_parse(rel, "goroutine");
		struct symtab st;
		char q[4096];
		size_t len = 0, cap = 1 << 16;
		char *ans = malloc(cap);

		symtab_init(&st);
		len += (size_t)snprintf(ans, cap, "num_symbols: 1\n");
		for (size_t i = 0; i < s->ngroups; i++) {
			const struct group *g = &s->groups[i];
			const struct group *pg = snapshot_find(p, g->id);
			if (group_more(g)->nhpcs == 0 || pg == NULL ||
			    pg->nhidden != group_more(g)->nhpcs)
				continue;
			for (uint32_t k = 0; k < group_more(g)->nhpcs && len + 600 < cap; k++)
				len += (size_t)snprintf(
				    ans + len, cap - len, "0x%llx %s\n",
				    (unsigned long long)group_more(g)->hpcs[k],
				    group_frame(pg, (ptrdiff_t)(k) - (ptrdiff_t)pg->nhidden)
				        ->function);
		}
		while (symtab_query(&st, s, q, sizeof(q)) > 0)
			;
		assert_true(ingest(&st, ans) >= 0);
		for (size_t i = 0; i < s->ngroups; i++) {
			const struct group *g = &s->groups[i];
			const struct group *pg = snapshot_find(p, g->id);
			if (group_more(g)->nhpcs == 0 || pg == NULL ||
			    pg->nhidden != group_more(g)->nhpcs)
				continue;
			total++;
			const char *ts = label_state_named(g, s->format, &st);
			const char *ps = label_state(pg, p->format);
			if (strcmp(ts, ps) != 0)
				fail_msg("%s: %s: text says '%s', protobuf '%s'", dirs[d],
				         group_frame(g, g->label_frame)->function, ts, ps);
			named += ts[0] != '\0';
		}
		free(ans);
		symtab_free(&st);
		snapshot_free(p);
		snapshot_free(s);
	}
	print_message("# %zu groups named, their states as the protobuf's\n", total);
	/* most groups of these captures wait in a runtime frame */
	assert_true(total >= 50);
	assert_int_equal(named, total);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hidden_pcs),
		cmocka_unit_test(test_query_and_answer),
		cmocka_unit_test(test_inlined_names),
		cmocka_unit_test(test_states_match_protobuf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
