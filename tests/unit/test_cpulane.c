/* test_cpulane.c - the long lane's policy (src/core/cpulane.c): off unless
 * asked for, window lengths, back-to-back windows, the pane leaving, the
 * 30 s retry on "cpu profiling already in use" (the real Go 1.19 body),
 * the backoff, the request timeout and batch mode's one window. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/cpulane.h"
#include "pproftop/model.h"
#include "testutil.h"

static void
lane(struct cpulane *l, double interval, bool always, bool batch, unsigned n)
{
	struct cpulane_config c = {
		.interval = interval, .always = always, .batch = batch, .batch_n = n
	};
	cpulane_init(l, &c);
}

static void
test_off_unless_asked(void **state)
{
	(void)state;
	struct cpulane l;
	char b[64];

	lane(&l, 2, false, false, 0);
	assert_false(cpulane_wanted(&l));
	assert_true(isinf(cpulane_next(&l, 100)));
	assert_false(cpulane_start(&l, 100));
	assert_null(cpulane_status(&l, b, sizeof(b)));
	/* the pane shown: due at once */
	cpulane_set_shown(&l, true);
	assert_true(cpulane_next(&l, 100) == 0);
	assert_true(cpulane_start(&l, 100));
	assert_int_equal(l.seconds, 5);
	assert_string_equal(cpulane_status(&l, b, sizeof(b)), "CPU profiling on (5 s windows)");
	/* never two at once */
	assert_true(isinf(cpulane_next(&l, 101)));
	assert_false(cpulane_start(&l, 101));
	/* --cpu: on with nothing shown */
	lane(&l, 2, true, false, 0);
	assert_true(cpulane_start(&l, 0));
}

static void
test_window_seconds(void **state)
{
	(void)state;
	struct cpulane l;
	static const struct {
		double interval;
		int seconds;
	} t[] = { { 0.2, 5 }, { 2, 5 }, { 5, 5 }, { 5.2, 6 }, { 10, 10 }, { 29.5, 30 } };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		lane(&l, t[i].interval, true, false, 0);
		assert_int_equal(cpulane_window_seconds(&l), t[i].seconds);
	}
	lane(&l, 2, true, false, 0);
	cpulane_set_interval(&l, 7.5); /* `-` live */
	assert_int_equal(cpulane_window_seconds(&l), 8);
	char q[64];
	assert_string_equal(model_cpu_query(q, sizeof(q), 8), "profile?seconds=8");
	/* the timeout: the window plus the short requests' */
	assert_true(cpulane_start(&l, 0));
	assert_true(cpulane_timeout_s(&l, 5) == 13);
}

static void
test_back_to_back_and_pane_leaving(void **state)
{
	(void)state;
	struct cpulane l;
	char msg[128];

	lane(&l, 2, false, false, 0);
	cpulane_set_shown(&l, true);
	assert_true(cpulane_start(&l, 10));
	cpulane_done(&l, 15.1, CPULANE_OK, msg, sizeof(msg));
	assert_string_equal(msg, "");
	assert_int_equal(l.windows, 1);
	assert_true(l.last_ok == 15.1);
	assert_true(cpulane_next(&l, 15.1) == 0); /* back to back */
	assert_true(cpulane_start(&l, 15.1));
	/* the pane leaves: the window in flight finishes, no other starts */
	cpulane_set_shown(&l, false);
	assert_true(l.running);
	cpulane_done(&l, 20.2, CPULANE_OK, msg, sizeof(msg));
	assert_int_equal(l.windows, 2);
	assert_true(isinf(cpulane_next(&l, 21)));
	assert_false(cpulane_start(&l, 21));
	/* back: at once */
	cpulane_set_shown(&l, true);
	assert_true(cpulane_start(&l, 40));
}

static void
test_in_use_retry(void **state)
{
	(void)state;
	struct cpulane l;
	char msg[128];
	size_t len;
	char *body = tu_read("go1.19/error-cpu-profile-in-use.txt", &len);

	assert_int_equal(cpulane_classify(500, (unsigned char *)body, len), CPULANE_IN_USE);
	assert_int_equal(cpulane_classify(404, (unsigned char *)body, len), CPULANE_FAILED);
	assert_int_equal(cpulane_classify(500, (const unsigned char *)"boom", 4), CPULANE_FAILED);
	assert_int_equal(cpulane_classify(0, NULL, 0), CPULANE_FAILED);
	free(body);

	lane(&l, 2, true, false, 0);
	assert_true(cpulane_start(&l, 100));
	cpulane_done(&l, 100.01, CPULANE_IN_USE, msg, sizeof(msg));
	assert_string_equal(msg,
	                    "the service's own profiler holds the CPU profile: retrying in 30 s");
	assert_true(l.in_use);
	assert_false(l.running);
	assert_true(fabs(cpulane_next(&l, 110.01) - 20) < 1e-9);
	assert_false(cpulane_start(&l, 129));
	assert_true(cpulane_start(&l, 130.01));
	cpulane_done(&l, 135.1, CPULANE_OK, msg, sizeof(msg));
	assert_false(l.in_use);
	assert_int_equal(l.failures, 0);
}

static void
test_backoff(void **state)
{
	(void)state;
	struct cpulane l;
	char msg[128];
	static const double waits[] = { 4, 8, 16, 30, 30 };

	lane(&l, 2, true, false, 0);
	double now = 0;
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		assert_true(cpulane_start(&l, now));
		cpulane_done(&l, now + 1, CPULANE_FAILED, msg, sizeof(msg));
		assert_string_equal(msg, "");
		now += 1;
		if (fabs(cpulane_next(&l, now) - waits[i]) > 1e-9)
			fail_msg("failure %zu: next in %g s, expected %g", i + 1,
			         cpulane_next(&l, now), waits[i]);
		now += waits[i];
	}
	/* an interval above the cap is kept */
	lane(&l, 60, true, false, 0);
	assert_true(cpulane_start(&l, 0));
	cpulane_done(&l, 0, CPULANE_FAILED, msg, sizeof(msg));
	assert_true(cpulane_next(&l, 0) == 60);
}

static void
test_batch(void **state)
{
	(void)state;
	struct cpulane l;
	char msg[128];

	/* without --cpu, batch runs none */
	lane(&l, 2, false, true, 4);
	assert_false(cpulane_wanted(&l));
	assert_false(cpulane_start(&l, 0));
	/* one window covering the polls: 4 polls 2 s apart span 6 s */
	lane(&l, 2, true, true, 4);
	assert_int_equal(cpulane_window_seconds(&l), 6);
	lane(&l, 1, true, true, 2);
	assert_int_equal(cpulane_window_seconds(&l), 5);
	assert_true(cpulane_start(&l, 0));
	cpulane_done(&l, 5.2, CPULANE_OK, msg, sizeof(msg));
	assert_true(l.finished);
	assert_false(cpulane_wanted(&l));
	assert_false(cpulane_start(&l, 5.2));
	/* in use in batch: said, not retried */
	lane(&l, 2, true, true, 2);
	assert_true(cpulane_start(&l, 0));
	cpulane_done(&l, 0.01, CPULANE_IN_USE, msg, sizeof(msg));
	assert_string_equal(msg, "the service's own profiler holds the CPU profile");
	assert_true(l.finished);
	assert_true(isinf(cpulane_next(&l, 31)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_unless_asked),
		cmocka_unit_test(test_window_seconds),
		cmocka_unit_test(test_back_to_back_and_pane_leaving),
		cmocka_unit_test(test_in_use_retry),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_batch),
	};
	return cmocka_run_group_tests_name("cpulane", tests, NULL, NULL);
}
