/* test_kinds.c - the table of kinds and endpoints (kinds.h) is consistent:
 * names round-trip, each endpoint's parser name gives its kind, primaries
 * are in range, and saved profiles load as the right endpoint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/kinds.h"

static void
test_names(void **state)
{
	assert_int_equal(kind_from_name("goroutine"), PROF_GOROUTINE);
	assert_int_equal(kind_from_name("heap"), PROF_HEAP);
	assert_int_equal(kind_from_name("cpu"), PROF_CPU);
	assert_int_equal(kind_from_name("profile"), PROF_CPU);
	assert_int_equal(kind_from_name("openfiles"), PROF_CUSTOM);
	assert_int_equal(kind_from_name(""), PROF_CUSTOM);
	for (int k = 0; k < PROF_CUSTOM; k++)
		assert_int_equal(kind_from_name(kind_info((enum prof_kind)k)->name), k);
}

static void
test_values(void **state)
{
	for (int k = 0; k <= PROF_CUSTOM; k++) {
		const struct kind_info *ki = kind_info((enum prof_kind)k);
		assert_int_equal(ki->kind, k);
		assert_true(ki->nvalues >= 1 && ki->nvalues <= PROF_MAX_VALUES);
		assert_true(ki->primary >= 0 && ki->primary < ki->nvalues);
	}
	assert_string_equal(kind_info(PROF_HEAP)->vt[kind_info(PROF_HEAP)->primary].key,
	                    "inuse_bytes");
	assert_string_equal(kind_info(PROF_ALLOCS)->vt[kind_info(PROF_ALLOCS)->primary].key,
	                    "alloc_bytes");
	assert_string_equal(kind_info(PROF_MUTEX)->vt[kind_info(PROF_MUTEX)->primary].key,
	                    "delay_ns");
	assert_string_equal(kind_info(PROF_CPU)->vt[kind_info(PROF_CPU)->primary].key, "cpu_ns");
	assert_true(kind_info(PROF_GOROUTINE)->goroutines);
	assert_false(kind_info(PROF_HEAP)->goroutines);
	assert_false(kind_info(PROF_BLOCK)->trim_runtime);
}

static void
test_endpoints(void **state)
{
	for (int e = 0; e < EP_COUNT; e++) {
		const struct ep_info *ei = ep_info((enum ep_id)e);
		assert_non_null(ei->name);
		assert_non_null(ei->title);
		if (ei->profile != NULL)
			assert_int_equal(kind_from_name(ei->profile), ei->kind);
		/* fetched endpoints have a query; fed ones come with another */
		if (ei->fed_by == EP_COUNT)
			assert_true(ei->query[FORM_TEXT] != NULL || ei->query[FORM_PROTO] != NULL);
	}
	assert_int_equal(kind_endpoint(PROF_GOROUTINE), EP_GOROUTINE);
	assert_int_equal(kind_endpoint(PROF_HEAP), EP_HEAP);
	assert_int_equal(kind_endpoint(PROF_ALLOCS), EP_ALLOCS);
	assert_int_equal(kind_endpoint(PROF_BLOCK), EP_BLOCK);
	assert_int_equal(kind_endpoint(PROF_MUTEX), EP_MUTEX);
	assert_int_equal(kind_endpoint(PROF_GOROUTINELEAK), EP_GOROUTINE);
	assert_int_equal(kind_endpoint(PROF_THREADCREATE), EP_GOROUTINE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_endpoints),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
