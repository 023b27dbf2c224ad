/* test_report.c - the CPU profile in the text and JSON reports
 * (src/core/report.c): cores per group and in all, the window's duration,
 * Δ against the previous window, on the real Go captures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/model.h"
#include "pproftop/report.h"
#include "testutil.h"

/* The report of items as one string (malloc'd). */
static char *
render(const struct report_item *items, size_t n, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (json)
		report_json(f, items, n, 0);
	else
		for (size_t i = 0; i < n; i++)
			report_table(f, &items[i], 0);
	fclose(f);
	return buf;
}

static void
expect_in(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("missing \"%s\" in:\n%s", want, text);
}

/* go1.19/profile-cpu-3s.pb.gz, as go tool pprof -raw reads it: 350 ms in
 * 35 samples over 3.102635155 s; main.burnCPU.func1 at main.go:117 200 ms
 * (20 samples), at :116 140 ms (14), main.contend's runtime.gentraceback
 * 10 ms (1). */
static void
test_cpu_fixture(void **state)
{
	(void)state;
	struct snapshot *s = tu_parse("go1.19/profile-cpu-3s.pb.gz", "cpu");
	struct report_item it;

	assert_true(model_cpu_cores(s, NULL) > 0.11280733 && model_cpu_cores(s, NULL) < 0.11280734);
	report_item_init(&it, s, NULL);
	char *j = render(&it, 1, true);
	expect_in(j, "\"cpu\": {");
	expect_in(j, "\"totals\": {\"cpu_ns\": 350000000, \"samples\": 35}");
	expect_in(j, "\"duration_ns\": 3102635155, \"cpu_ns_per_sec\": 112807334");
	expect_in(j, "\"label\": \"main.burnCPU.func1\", \"cpu_ns\": 200000000, \"samples\": 20, "
	             "\"cpu_ns_per_sec\": 64461334");
	expect_in(j, "\"cpu_ns\": 140000000, \"samples\": 14, \"cpu_ns_per_sec\": 45122934");
	expect_in(j, "\"cpu_ns\": 10000000, \"samples\": 1, \"cpu_ns_per_sec\": 3223067");
	free(j);
	char *t = render(&it, 1, false);
	expect_in(t, "cpu: protobuf, 3 groups, cpu_ns 350 ms, samples 35, 0.113 cores over a 3.1 s "
	             "window\n");
	expect_in(t, "      CPU_NS      SAMPLES        CORES  FUNCTION (LOCATION)\n");
	expect_in(t, "      200 ms           20        0.064  main.burnCPU.func1");
	expect_in(t, "      140 ms           14        0.045  main.burnCPU.func1");
	expect_in(t, "       10 ms            1        0.003  main.contend");
	free(t);
	snapshot_free(s);
}

/* Two windows in the model: the report's Δ is against the previous one. */
static void
test_cpu_windows_in_model_report(void **state)
{
	(void)state;
	struct model m;
	size_t len;
	unsigned char *a = (unsigned char *)tu_read("go1.19/profile-cpu-3s.pb.gz", &len);
	struct report_item items[EP_COUNT];

	model_init(&m);
	assert_int_equal(model_ingest(&m, EP_CPU, a, len, 10, 3.1), 0);
	assert_int_equal(report_model_items(&m, items, EP_COUNT), 1);
	assert_ptr_equal(items[0].s, m.ep[EP_CPU].cur);
	assert_false(items[0].windowed);
	unsigned char *b = (unsigned char *)tu_read("local/profile-cpu-1s.pb.gz", &len);
	assert_int_equal(model_ingest(&m, EP_CPU, b, len, 11.1, 1.0), 0);
	assert_int_equal(report_model_items(&m, items, EP_COUNT), 1);
	char *j = render(items, 1, true);
	expect_in(j, "\"delta_totals\": {\"cpu_ns\": -290000000, \"samples\": -29}");
	free(j);
	model_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_fixture),
		cmocka_unit_test(test_cpu_windows_in_model_report),
	};
	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
