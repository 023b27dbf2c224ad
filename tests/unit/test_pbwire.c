/* test_pbwire.c - the protobuf wire reader (pbwire.h): varints at their
 * limits, keys, length-delimited sub-readers, skipping, and the errors with
 * their offsets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/pbwire.h"

static struct pb_rd
rd(const void *p, size_t n)
{
	struct pb_rd r = { .base = p, .pos = 0, .end = n, .what = "Test" };
	return r;
}

static void
test_varint(void **state)
{
	(void)state;
	struct parse_err err;
	uint64_t v;
	struct pb_rd r;

	static const uint8_t one[] = { 0x7f };
	r = rd(one, sizeof(one));
	assert_int_equal(pb_varint(&err, &r, &v), 0);
	assert_int_equal(v, 127);
	assert_int_equal(r.pos, 1);

	static const uint8_t two[] = { 0xac, 0x02, 0x05 };
	r = rd(two, sizeof(two));
	assert_int_equal(pb_varint(&err, &r, &v), 0);
	assert_int_equal(v, 300);
	assert_int_equal(r.pos, 2);

	static const uint8_t max[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	r = rd(max, sizeof(max));
	assert_int_equal(pb_varint(&err, &r, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(r.pos, 10);

	static const uint8_t over[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02
	};
	r = rd(over, sizeof(over));
	assert_int_equal(pb_varint(&err, &r, &v), -1);
	assert_string_equal(err.msg, "varint overflows 64 bits in Test");
	assert_int_equal(v, 0);

	static const uint8_t eleven[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
		                          0x80, 0x80, 0x80, 0x80, 0x01 };
	r = rd(eleven, sizeof(eleven));
	assert_int_equal(pb_varint(&err, &r, &v), -1);
	assert_string_equal(err.msg, "varint longer than 10 bytes in Test");

	static const uint8_t cut[] = { 0x01, 0x80, 0x80 };
	r = rd(cut, sizeof(cut));
	r.pos = 1;
	assert_int_equal(pb_varint(&err, &r, &v), -1);
	assert_string_equal(err.msg, "truncated varint in Test");
	assert_int_equal(err.offset, 1);
	r = rd(cut, 0);
	assert_int_equal(pb_varint(&err, &r, &v), -1);
}

static void
test_key_len_skip(void **state)
{
	(void)state;
	struct parse_err err;
	uint32_t f;
	unsigned wt;
	uint64_t v;
	/* field 1 varint 150; field 2 len 3 "abc"; field 3 fixed64; field 4
	 * fixed32; field 5 len 1 */
	static const uint8_t m[] = { 0x08, 0x96, 0x01, 0x12, 0x03, 'a',  'b', 'c', 0x19,
		                     1,    2,    3,    4,    5,    6,    7,   8,   0x25,
		                     1,    2,    3,    4,    0x2a, 0x01, 'z' };
	struct pb_rd r = rd(m, sizeof(m)), sub;

	assert_int_equal(pb_key(&err, &r, &f, &wt), 0);
	assert_int_equal(f, 1);
	assert_int_equal(wt, PB_VARINT);
	assert_int_equal(pb_scalar(&err, &r, 0, f, wt, &v), 0);
	assert_int_equal(v, 150);
	assert_int_equal(pb_key(&err, &r, &f, &wt), 0);
	assert_int_equal(f, 2);
	assert_int_equal(wt, PB_LEN);
	assert_int_equal(pb_scalar(&err, &r, 3, f, wt, &v), -1);
	assert_string_equal(err.msg, "field 2 of Test has wire type 2, expected 0");
	assert_int_equal(err.offset, 3);
	assert_int_equal(pb_len(&err, &r, f, &sub, "Sub"), 0);
	assert_int_equal(sub.pos, 5);
	assert_int_equal(sub.end, 8);
	assert_string_equal(sub.what, "Sub");
	assert_int_equal(r.pos, 8);
	assert_int_equal(pb_key(&err, &r, &f, &wt), 0);
	assert_int_equal(wt, PB_I64);
	assert_int_equal(pb_skip(&err, &r, f, wt), 0);
	assert_int_equal(r.pos, 17);
	assert_int_equal(pb_key(&err, &r, &f, &wt), 0);
	assert_int_equal(wt, PB_I32);
	assert_int_equal(pb_skip(&err, &r, f, wt), 0);
	assert_int_equal(pb_key(&err, &r, &f, &wt), 0);
	assert_int_equal(f, 5);
	assert_int_equal(pb_skip(&err, &r, f, wt), 0);
	assert_int_equal(r.pos, sizeof(m));
}

static void
test_errors(void **state)
{
	(void)state;
	struct parse_err err;
	uint32_t f;
	unsigned wt;
	struct pb_rd r, sub;

	static const uint8_t zero[] = { 0x00 };
	r = rd(zero, 1);
	assert_int_equal(pb_key(&err, &r, &f, &wt), -1);
	assert_string_equal(err.msg, "invalid field number 0 in Test");

	static const uint8_t group[] = { 0x0b };
	r = rd(group, 1);
	assert_int_equal(pb_key(&err, &r, &f, &wt), -1);
	assert_string_equal(err.msg, "unsupported wire type 3 (field 1 of Test)");

	static const uint8_t wt7[] = { 0x17 };
	r = rd(wt7, 1);
	assert_int_equal(pb_key(&err, &r, &f, &wt), -1);
	assert_string_equal(err.msg, "unsupported wire type 7 (field 2 of Test)");

	static const uint8_t big[] = { 0x80, 0x80, 0x80, 0x80, 0x10 }; /* field 2^29 */
	r = rd(big, sizeof(big));
	assert_int_equal(pb_key(&err, &r, &f, &wt), -1);
	assert_string_equal(err.msg, "invalid field number 536870912 in Test");

	static const uint8_t past[] = { 0x12, 0x05, 'a', 'b' };
	r = rd(past, sizeof(past));
	assert_int_equal(pb_key(&err, &r, &f, &wt), 0);
	assert_int_equal(pb_len(&err, &r, f, &sub, "Sub"), -1);
	assert_string_equal(err.msg,
	                    "length 5 of field 2 runs past the end of Test (2 bytes left)");
	assert_int_equal(err.offset, 1);

	static const uint8_t fixed[] = { 0x19, 1, 2, 3 };
	r = rd(fixed, sizeof(fixed));
	assert_int_equal(pb_key(&err, &r, &f, &wt), 0);
	assert_int_equal(pb_skip(&err, &r, f, wt), -1);
	assert_string_equal(err.msg, "truncated fixed64 field 3 in Test");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varint),
		cmocka_unit_test(test_key_len_skip),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests_name("pbwire", tests, NULL, NULL);
}
