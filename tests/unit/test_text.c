/* test_text.c - the one text module (text.h): UTF-8 decoding (invalid,
 * cut short, overlong, surrogates, past U+10FFFF, 4-byte), the escapes,
 * fitting to columns (wide characters, cuts, ellipses), the report and
 * JSON writers and the one-line ASCII of network text, byte for byte. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/text.h"

static void
dec(const char *s, int32_t want, size_t wantlen)
{
	size_t len = 99;
	int32_t r = text_decode((const unsigned char *)s, strlen(s), &len);

	assert_int_equal(r, want);
	assert_int_equal(len, wantlen);
}

static void
test_decode(void **state)
{
	(void)state;
	dec("a", 'a', 1);
	dec("\x7f", 0x7f, 1);
	dec("\x01", 1, 1);
	dec("\xc3\xa9", 0xe9, 2);             /* é */
	dec("\xdf\xbf", 0x7ff, 2);            /* the last 2-byte */
	dec("\xe0\xa0\x80", 0x800, 3);        /* the first 3-byte */
	dec("\xe2\x80\xa6", 0x2026, 3);       /* … */
	dec("\xef\xbf\xbf", 0xffff, 3);       /* the last 3-byte */
	dec("\xf0\x90\x80\x80", 0x10000, 4);  /* the first 4-byte */
	dec("\xf0\x9f\x98\x80", 0x1f600, 4);  /* 😀 */
	dec("\xf4\x8f\xbf\xbf", 0x10ffff, 4); /* the last rune */
	dec("\xed\x9f\xbf", 0xd7ff, 3);       /* just below the surrogates */
	dec("\xee\x80\x80", 0xe000, 3);       /* just above */
	/* invalid: -1, one byte */
	dec("\x80", -1, 1); /* a lone continuation */
	dec("\xbf", -1, 1);
	dec("\xc0\x80", -1, 1);         /* overlong NUL */
	dec("\xc1\xbf", -1, 1);         /* overlong 0x7f */
	dec("\xe0\x9f\xbf", -1, 1);     /* overlong 0x7ff */
	dec("\xf0\x8f\xbf\xbf", -1, 1); /* overlong 0xffff */
	dec("\xed\xa0\x80", -1, 1);     /* U+D800 */
	dec("\xed\xbf\xbf", -1, 1);     /* U+DFFF */
	dec("\xf4\x90\x80\x80", -1, 1); /* U+110000 */
	dec("\xf5\x80\x80\x80", -1, 1); /* bad lead */
	dec("\xff", -1, 1);
	dec("\xc3(", -1, 1); /* bad continuation */
	dec("\xe2\x80(", -1, 1);
	dec("\xf0\x9f\x98(", -1, 1);
	/* cut short by n, not by a NUL */
	size_t len;
	assert_int_equal(text_decode((const unsigned char *)"\xe2\x80\xa6", 2, &len), -1);
	assert_int_equal(len, 1);
	assert_int_equal(text_decode((const unsigned char *)"\xf0\x9f\x98\x80", 3, &len), -1);
	assert_int_equal(text_decode((const unsigned char *)"\xc3\xa9", 1, &len), -1);
	assert_int_equal(text_decode((const unsigned char *)"\0", 1, &len), 0);
	assert_int_equal(len, 1);
}

/* The escape of r (a byte when byte), exactly want and no byte more. */
static void
esc(bool byte, uint32_t r, const char *want)
{
	char b[16];
	size_t n;

	memset(b, '#', sizeof(b));
	n = byte ? text_escape_byte(b, (unsigned char)r) : text_escape_rune(b, r);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(b, want, n);
	assert_int_equal(b[n], '#');
}

static void
test_escapes(void **state)
{
	(void)state;
	esc(true, 0xff, "\\xff");
	esc(true, 0x07, "\\x07");
	esc(false, 0x1b, "\\x1b");
	esc(false, 0x85, "\\u0085");
	esc(false, 0xfdd0, "\\ufdd0");
	esc(false, 0xffff, "\\uffff");
	esc(false, 0x10000, "\\U00010000");
	esc(false, 0xe0001, "\\U000e0001");
	esc(false, 0x10ffff, "\\U0010ffff");
}

static int
fit(const char *s, int width, bool left, bool utf8, char *out, size_t outlen)
{
	return text_fit(s, strlen(s), width, left, utf8, out, outlen);
}

static void
test_fit_ascii_locale(void **state)
{
	(void)state;
	char out[64];

	/* not UTF-8: everything past ASCII escaped, "..." as the ellipsis */
	assert_int_equal(fit("main.run", 20, false, false, out, sizeof(out)), 8);
	assert_string_equal(out, "main.run");
	assert_int_equal(fit("caf\xc3\xa9", 20, false, false, out, sizeof(out)), 9);
	assert_string_equal(out, "caf\\u00e9");
	assert_int_equal(fit("a\tb\x7f", 20, false, false, out, sizeof(out)), 10);
	assert_string_equal(out, "a\\x09b\\x7f");
	assert_int_equal(fit("x\xff\xc3", 20, false, false, out, sizeof(out)), 9);
	assert_string_equal(out, "x\\xff\\xc3");
	assert_int_equal(fit("\xf0\x9f\x98\x80", 20, false, false, out, sizeof(out)), 10);
	assert_string_equal(out, "\\U0001f600");
	assert_int_equal(fit("abcdefghij", 8, false, false, out, sizeof(out)), 8);
	assert_string_equal(out, "abcde...");
	assert_int_equal(fit("abcdefghij", 8, true, false, out, sizeof(out)), 8);
	assert_string_equal(out, "...fghij");
	/* too narrow for the ellipsis: a plain cut */
	assert_int_equal(fit("abcdefghij", 3, true, false, out, sizeof(out)), 3);
	assert_string_equal(out, "abc");
	/* an escape is never cut: "\x01" does not fit in the 2 columns left */
	assert_int_equal(fit("ab\x01zzzz", 7, false, false, out, sizeof(out)), 5);
	assert_string_equal(out, "ab...");
	assert_int_equal(fit("abc", 0, false, false, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(text_width("caf\xc3\xa9\x01", 6, false), 13);
}

static void
test_fit_utf8(void **state)
{
	(void)state;
	char out[64];

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		skip();
	assert_int_equal(fit("caf\xc3\xa9", 20, false, true, out, sizeof(out)), 4);
	assert_string_equal(out, "caf\xc3\xa9");
	/* wide: 世界 is 4 columns in 6 bytes */
	assert_int_equal(text_width("\xe4\xb8\x96\xe7\x95\x8c", 6, true), 4);
	assert_int_equal(fit("\xe4\xb8\x96\xe7\x95\x8c", 4, false, true, out, sizeof(out)), 4);
	assert_string_equal(out, "\xe4\xb8\x96\xe7\x95\x8c");
	/* cut in the middle of a wide character: 世 (2) + … (1), the column of
	 * 界's first half left empty */
	assert_int_equal(fit("\xe4\xb8\x96\xe7\x95\x8cx", 4, false, true, out, sizeof(out)), 3);
	assert_string_equal(out, "\xe4\xb8\x96\xe2\x80\xa6");
	assert_int_equal(fit("x\xe4\xb8\x96\xe7\x95\x8c", 4, true, true, out, sizeof(out)), 3);
	assert_string_equal(out, "\xe2\x80\xa6\xe7\x95\x8c");
	assert_int_equal(fit("abcdefghij", 8, false, true, out, sizeof(out)), 8);
	assert_string_equal(out, "abcdefg\xe2\x80\xa6");
	/* zero-width and C1 controls escaped even in UTF-8 */
	assert_int_equal(fit("a\xcc\x81", 20, false, true, out, sizeof(out)), 7);
	assert_string_equal(out, "a\\u0301");
	assert_int_equal(fit("\xc2\x85", 20, false, true, out, sizeof(out)), 6);
	assert_string_equal(out, "\\u0085");
	/* 4-byte: an emoji is 2 columns */
	assert_int_equal(fit("\xf0\x9f\x98\x80!", 20, false, true, out, sizeof(out)), 3);
	assert_string_equal(out, "\xf0\x9f\x98\x80!");
	/* surrogates and overlongs are bytes */
	assert_int_equal(fit("\xed\xa0\x80", 20, false, true, out, sizeof(out)), 12);
	assert_string_equal(out, "\\xed\\xa0\\x80");
	assert_int_equal(fit("\xc0\xaf", 20, false, true, out, sizeof(out)), 8);
	assert_string_equal(out, "\\xc0\\xaf");
	/* out too small: what fits, NUL-terminated */
	char small[5];
	assert_int_equal(fit("abcdefgh", 20, false, true, small, sizeof(small)), 4);
	assert_string_equal(small, "abcd");
	setlocale(LC_ALL, "C");
}

/* What a FILE writer wrote, as a string (caller frees). */
static char *
written(void (*w)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	w(f, s);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
write_ascii(FILE *f, const char *s)
{
	text_write(f, s, false);
}

static void
test_writers(void **state)
{
	(void)state;
	char *o;

	o = written(text_write_valid, "caf\xc3\xa9\t\x7f\xff\xed\xa0\x80\xf0\x9f\x98\x80\xc2\x85");
	assert_string_equal(o, "caf\xc3\xa9\\x09\\x7f\\xff\\xed\\xa0\\x80\xf0\x9f\x98\x80\xc2\x85");
	free(o);
	o = written(text_write_json, "a\"b\\c\n\x01\x7f\xc3\xa9\xff\xe2\x80\xf0\x9f\x98\x80/");
	assert_string_equal(o, "\"a\\\"b\\\\c\\u000a\\u0001\\u007f\xc3\xa9\\ufffd\\ufffd\\ufffd"
	                       "\xf0\x9f\x98\x80/\"");
	free(o);
	o = written(text_write_json, "");
	assert_string_equal(o, "\"\"");
	free(o);
	o = written(write_ascii, "x\xc3\xa9\x1b[2J");
	assert_string_equal(o, "x\\u00e9\\x1b[2J");
	free(o);
}

static void
test_ascii(void **state)
{
	(void)state;
	char out[16] = "got ";
	bool trunc = true;

	text_append_ascii(out, sizeof(out), (const unsigned char *)"a\r\nb", 4, 100, &trunc);
	assert_string_equal(out, "got a\\x0d\\x0ab");
	assert_false(trunc);
	/* the buffer: 15 bytes of text at most */
	memcpy(out, "got ", 5);
	text_append_ascii(out, sizeof(out), (const unsigned char *)"abcdefghijklmnop", 16, 100,
	                  &trunc);
	assert_string_equal(out, "got abcdefghijk");
	assert_true(trunc);
	/* max: an escape that would pass it is left out whole */
	out[0] = '\0';
	text_append_ascii(out, sizeof(out), (const unsigned char *)"ab\xff", 3, 5, &trunc);
	assert_string_equal(out, "ab");
	assert_true(trunc);

	char c[8];
	text_copy_ascii(c, sizeof(c),
	                "a\tb\xc3\xa9"
	                "cdefgh");
	assert_string_equal(c, "abcdefg");
	text_copy_ascii(c, sizeof(c), NULL);
	assert_string_equal(c, "");
	text_copy_ascii(c, 1, "abc");
	assert_string_equal(c, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),           cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_fit_ascii_locale), cmocka_unit_test(test_fit_utf8),
		cmocka_unit_test(test_writers),          cmocka_unit_test(test_ascii),
	};

	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
