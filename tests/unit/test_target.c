/* test_target.c - TARGET argument parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/target.h"

static void
check(const char *in, const char *url, const char *shown)
{
	char out[1024], sh[512];

	assert_int_equal(target_parse(in, out, sizeof(out), sh, sizeof(sh)), 0);
	assert_string_equal(out, url);
	assert_string_equal(sh, shown);
}

static void
bad(const char *in, const char *why)
{
	char out[1024], sh[512];

	assert_int_equal(target_parse(in, out, sizeof(out), sh, sizeof(sh)), -1);
	assert_non_null(strstr(out, why));
}

static void
forms(void **state)
{
	(void)state;
	check("localhost:6060", "http://localhost:6060/debug/pprof/",
	      "http://localhost:6060/debug/pprof");
	check(":6060", "http://localhost:6060/debug/pprof/", "http://localhost:6060/debug/pprof");
	check("http://10.1.2.3:8080", "http://10.1.2.3:8080/debug/pprof/",
	      "http://10.1.2.3:8080/debug/pprof");
	check("http://h:1/", "http://h:1/debug/pprof/", "http://h:1/debug/pprof");
	check("https://svc.example:443/admin/pprof/", "https://svc.example:443/admin/pprof/",
	      "https://svc.example:443/admin/pprof");
	check("https://svc.example", "https://svc.example/debug/pprof/",
	      "https://svc.example/debug/pprof");
	check("[::1]:6060", "http://[::1]:6060/debug/pprof/", "http://[::1]:6060/debug/pprof");
}

static void
credentials_not_shown(void **state)
{
	(void)state;
	check("http://user:s3cret@h:6060", "http://user:s3cret@h:6060/debug/pprof/",
	      "http://h:6060/debug/pprof");
}

static void
rejects(void **state)
{
	(void)state;
	bad("", "empty");
	bad("ftp://h:1", "unsupported scheme");
	bad("h:99999", "bad port");
	bad("h:0", "bad port");
	bad("h:abc", "bad port");
	bad("h:", "missing port");
	bad("http://h:1/x?debug=1", "query");
	bad("http://", "no host");
	bad("h 1:2", "spaces");
	/* a password in a bad target never reaches the message */
	char out[1024], sh[512];
	assert_int_equal(
	    target_parse("https://alice:pw@127.0.0.1:99999", out, sizeof(out), sh, sizeof(sh)), -1);
	assert_string_equal(out, "bad port in target 'https://***@127.0.0.1:99999'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(forms),
		cmocka_unit_test(credentials_not_shown),
		cmocka_unit_test(rejects),
	};
	return cmocka_run_group_tests_name("target", tests, NULL, NULL);
}
