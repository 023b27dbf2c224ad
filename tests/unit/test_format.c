/* test_format.c - exact strings of the number formatters (src/format.c) at
 * unit boundaries, rounding edges, signs and huge values, and truncation
 * into tiny buffers. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/format.h"

#define KiB 1024.0
#define MiB (1024.0 * 1024.0)

typedef char *(*fmt_fn)(char *, size_t, double);

struct tc {
	double v;
	const char *want;
};

static void
check(const char *what, fmt_fn f, const struct tc *t, size_t n)
{
	char buf[64];

	for (size_t i = 0; i < n; i++) {
		memset(buf, 'X', sizeof(buf));
		char *r = f(buf, sizeof(buf), t[i].v);
		if (r != buf)
			fail_msg("%s(%.17g) did not return buf", what, t[i].v);
		if (strcmp(buf, t[i].want) != 0)
			fail_msg("%s(%.17g) = \"%s\", expected \"%s\"", what, t[i].v, buf,
			         t[i].want);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
test_bytes(void **state)
{
	(void)state;
	static const struct tc t[] = {
		{ 0, "0 B" },
		{ 1, "1 B" },
		{ 512, "512 B" },
		{ 1023, "1023 B" },
		{ 1023.4, "1023 B" },
		{ 1023.6, "1.00 KiB" }, /* not "1024 B" */
		{ 1024, "1.00 KiB" },
		{ 1536, "1.50 KiB" },
		{ 9.994 * KiB, "9.99 KiB" },
		{ 9.996 * KiB, "10.0 KiB" },
		{ 10 * KiB, "10.0 KiB" },
		{ 99.94 * KiB, "99.9 KiB" },
		{ 99.96 * KiB, "100 KiB" },
		{ 100 * KiB, "100 KiB" },
		{ 1023.4 * KiB, "1023 KiB" },
		{ 1023.6 * KiB, "1.00 MiB" }, /* not "1024 KiB" */
		{ 1048575, "1.00 MiB" },
		{ MiB, "1.00 MiB" },
		{ 10 * MiB, "10.0 MiB" },
		{ 109874482, "105 MiB" }, /* go1.19 heap: main.grow inuse */
		{ 2147483648.0, "2.00 GiB" },
		{ 1.5 * 1024 * 1024 * MiB, "1.50 TiB" },
		{ -1, "-1 B" },
		{ -1536, "-1.50 KiB" },
		{ -10 * MiB, "-10.0 MiB" },
		{ 5.0 * 1024 * 1024 * 1024 * 1024 * MiB, "5120 PiB" }, /* no unit beyond PiB */
		{ 1e30, "888178419700125 PiB" },
		{ -1e30, "-888178419700125 PiB" },
	};
	check("fmt_bytes", fmt_bytes, t, N(t));
}

static void
test_ns(void **state)
{
	(void)state;
	static const struct tc t[] = {
		{ 0, "0 ns" },           { 1, "1 ns" },
		{ 850, "850 ns" },       { 999, "999 ns" },
		{ 999.4, "999 ns" },     { 999.6, "1.00 us" }, /* not "1000 ns" */
		{ 1000, "1 us" },                              /* whole numbers without decimals */
		{ 1200, "1.20 us" },     { 1234.5, "1.23 us" },
		{ 9994, "9.99 us" },     { 9996, "10.0 us" },
		{ 99940, "99.9 us" },    { 99960, "100 us" },
		{ 999400, "999 us" },    { 999600, "1.00 ms" }, /* not "1000 us" */
		{ 1e6, "1 ms" },         { 3.45e6, "3.45 ms" },
		{ 1e9, "1 s" },          { 1.2e9, "1.20 s" },
		{ 2e9, "2 s" },          { 59.94e9, "59.9 s" },
		{ 59.96e9, "1.00 min" }, /* not "60.0 s" */
		{ 60e9, "1 min" },       { 150e9, "2.50 min" },
		{ 3599e9, "1.00 h" }, /* 59.98 min */
		{ 3600e9, "1 h" },       { 1e20, "27777778 h" },
		{ -1500, "-1.50 us" },   { -2e9, "-2 s" },
	};
	check("fmt_ns", fmt_ns, t, N(t));
}

static void
test_count(void **state)
{
	(void)state;
	static const struct tc t[] = {
		{ 0, "0" },          { 1, "1" },
		{ 999, "999" },      { 9999, "9999" },
		{ 9999.4, "9999" },  { 9999.6, "10.0k" }, /* not "10000" */
		{ 10000, "10k" },    { 12300, "12.3k" },
		{ 12345, "12.3k" },  { 99940, "99.9k" },
		{ 99960, "100k" },   { 123456, "123k" },
		{ 296732, "297k" },                       /* go1.19 heap alloc_objects */
		{ 999400, "999k" },  { 999600, "1.00M" }, /* not "1000k" */
		{ 1e6, "1M" },       { 1.234e6, "1.23M" },
		{ 999.4e6, "999M" }, { 999.6e6, "1.00G" },
		{ 1e9, "1G" },       { 4.5e9, "4.50G" },
		{ 1e12, "1000G" },   { 1e30, "1000000000000000000000G" },
		{ -5, "-5" },        { -12345, "-12.3k" },
	};
	check("fmt_count", fmt_count, t, N(t));
}

static void
test_unit_signed_rate(void **state)
{
	(void)state;
	char b[64];

	assert_string_equal(fmt_unit(b, sizeof(b), 1536, "bytes"), "1.50 KiB");
	assert_string_equal(fmt_unit(b, sizeof(b), 1536, "nanoseconds"), "1.54 us");
	assert_string_equal(fmt_unit(b, sizeof(b), 1536, "count"), "1536");
	assert_string_equal(fmt_unit(b, sizeof(b), 1536, "objects"), "1536");
	assert_string_equal(fmt_unit(b, sizeof(b), 15360, NULL), "15.4k");
	/* CPU in cores, as `top` shows a share of one */
	assert_string_equal(fmt_unit(b, sizeof(b), 0.0412, "cores"), "0.041");
	assert_string_equal(fmt_cores(b, sizeof(b), 0.25), "0.250");
	assert_string_equal(fmt_cores(b, sizeof(b), 0), "0");
	assert_string_equal(fmt_cores(b, sizeof(b), 0.9996), "1.00");
	assert_string_equal(fmt_cores(b, sizeof(b), 1.254), "1.25");
	assert_string_equal(fmt_cores(b, sizeof(b), 12.34), "12.3");
	assert_string_equal(fmt_signed(b, sizeof(b), -0.012, "cores"), "-0.012");

	assert_string_equal(fmt_signed(b, sizeof(b), 1.2 * MiB, "bytes"), "+1.20 MiB");
	assert_string_equal(fmt_signed(b, sizeof(b), -3, "count"), "-3");
	assert_string_equal(fmt_signed(b, sizeof(b), 0, "bytes"), "0");
	assert_string_equal(fmt_signed(b, sizeof(b), -0.0, "bytes"), "0");
	assert_string_equal(fmt_signed(b, sizeof(b), -1500, "nanoseconds"), "-1.50 us");
	assert_string_equal(fmt_signed(b, sizeof(b), 12345, NULL), "+12.3k");
	assert_string_equal(fmt_signed(b, sizeof(b), -1e30, "count"), "-1000000000000000000000G");

	assert_string_equal(fmt_rate(b, sizeof(b), 12.3e6, "nanoseconds"), "+12.3 ms/s");
	assert_string_equal(fmt_rate(b, sizeof(b), -2048, "bytes"), "-2.00 KiB/s");
	assert_string_equal(fmt_rate(b, sizeof(b), 0, "count"), "0/s");
	assert_string_equal(fmt_rate(b, sizeof(b), 579.376, "count"), "+579/s");
	/* a slow rate is not rounded away: 0.48/s is not "+0/s" */
	assert_string_equal(fmt_rate(b, sizeof(b), 0.48, "count"), "+0.48/s");
	assert_string_equal(fmt_rate(b, sizeof(b), -2.5, "count"), "-2.5/s");
	assert_string_equal(fmt_rate(b, sizeof(b), 9.96, "count"), "+10/s");
	assert_string_equal(fmt_count(b, sizeof(b), 7), "7");
	assert_string_equal(fmt_rate(b, sizeof(b), 3.75744e7, "bytes"), "+35.8 MiB/s");
}

static void
test_age(void **state)
{
	(void)state;
	static const struct tc t[] = {
		{ -5, "0.0s" },
		{ 0, "0.0s" },
		{ 0.04, "0.0s" },
		{ 0.4, "0.4s" },
		{ 9.94, "9.9s" },
		{ 9.96, "9s" }, /* whole seconds from here on, rounded down */
		{ 10, "10s" },
		{ 12.7, "12s" },
		{ 59.9, "59s" },
		{ 60, "1m00s" },
		{ 185, "3m05s" },
		{ 3599.9, "59m59s" },
		{ 3600, "1h00m" },
		{ 7380, "2h03m" },
		{ 86400, "24h00m" },
		{ 1e30, "277777777h46m" }, /* clamped, no int overflow */
		{ INFINITY, "277777777h46m" },
		{ NAN, "0.0s" },
	};
	check("fmt_age", fmt_age, t, N(t));
}

/* Tiny buffers: truncated, always terminated, never written past len. */
static void
test_truncation(void **state)
{
	(void)state;
	char b[16];
	static const size_t lens[] = { 0, 1, 2, 4 };

	for (size_t k = 0; k < N(lens); k++) {
		size_t len = lens[k];
		for (int f = 0; f < 10; f++) {
			memset(b, 'X', sizeof(b));
			switch (f) {
			case 0:
				fmt_bytes(b, len, 1536);
				break;
			case 1:
				fmt_ns(b, len, 1.2e9);
				break;
			case 2:
				fmt_count(b, len, 123456);
				break;
			case 3:
				fmt_unit(b, len, -1e30, "bytes");
				break;
			case 4:
				fmt_signed(b, len, 1.2 * MiB, "bytes");
				break;
			case 5:
				fmt_signed(b, len, 0, "bytes");
				break;
			case 6:
				fmt_rate(b, len, 12.3e6, "nanoseconds");
				break;
			case 7:
				fmt_rate(b, len, 0, "count");
				break;
			case 8:
				fmt_age(b, len, 7380);
				break;
			case 9:
				fmt_age(b, len, 1e30);
				break;
			}
			for (size_t i = len; i < sizeof(b); i++)
				if (b[i] != 'X')
					fail_msg("formatter %d wrote byte %zu with len %zu", f, i,
					         len);
			if (len > 0 && memchr(b, '\0', len) == NULL)
				fail_msg("formatter %d: no NUL within len %zu", f, len);
		}
	}
	/* the exact truncated texts */
	assert_string_equal(fmt_bytes(b, 1, 1536), "");
	assert_string_equal(fmt_bytes(b, 4, 1536), "1.5");
	assert_string_equal(fmt_ns(b, 4, 1.2e9), "1.2");
	assert_string_equal(fmt_count(b, 4, 123456), "123");
	assert_string_equal(fmt_signed(b, 1, 5, "count"), "");
	assert_string_equal(fmt_signed(b, 2, 5, "count"), "+");
	assert_string_equal(fmt_signed(b, 4, 1.2 * MiB, "bytes"), "+1.");
	assert_string_equal(fmt_signed(b, 1, 0, "count"), "");
	assert_string_equal(fmt_rate(b, 1, 5, "count"), "");
	assert_string_equal(fmt_rate(b, 4, 5, "count"), "+5");   /* no room for "/s" */
	assert_string_equal(fmt_rate(b, 5, 5, "count"), "+5/s"); /* exactly */
	assert_string_equal(fmt_age(b, 4, 7380), "2h0");
	assert_string_equal(fmt_age(b, 1, 7380), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes), cmocka_unit_test(test_ns),
		cmocka_unit_test(test_count), cmocka_unit_test(test_unit_signed_rate),
		cmocka_unit_test(test_age),   cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
