/* goquote.c - Go's strconv.Quote (see goquote.h). */
#include "pproftop/goquote.h"

#include <string.h>

#include "goprint_table.h"

bool
go_is_print(uint32_t r)
{
	if (r < 0x80)
		return r >= 0x20 && r < 0x7f;
	size_t lo = 0, hi = sizeof(goprint_runs) / sizeof(goprint_runs[0]);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r < goprint_runs[mid][0])
			hi = mid;
		else if (r > goprint_runs[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* One rune of u[0..n) as Go's utf8.DecodeRune reads it: the rune and its
 * width, or -1 (width 1) for an invalid byte: a bad lead or continuation,
 * an overlong form, a surrogate or a rune past U+10FFFF. */
static long
decode(const unsigned char *u, size_t n, size_t *w)
{
	unsigned c = u[0];
	size_t need;
	long r;

	*w = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		r = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		r = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		r = c & 0x07;
	} else {
		return -1;
	}
	if (n < need + 1)
		return -1;
	for (size_t k = 1; k <= need; k++) {
		if ((u[k] & 0xc0) != 0x80)
			return -1;
		r = r << 6 | (u[k] & 0x3f);
	}
	if ((need == 2 && r < 0x800) || (need == 3 && (r < 0x10000 || r > 0x10ffff)) ||
	    (r >= 0xd800 && r <= 0xdfff))
		return -1;
	*w = need + 1;
	return r;
}

size_t
go_quote(char *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	char *o = out;

	*o++ = '"';
	for (size_t i = 0; i < n;) {
		size_t w;
		long r = decode(u + i, n - i, &w);
		if (r < 0) {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[u[i] >> 4];
			*o++ = hex[u[i] & 15];
		} else if (r == '"' || r == '\\') {
			*o++ = '\\';
			*o++ = (char)r;
		} else if (go_is_print((uint32_t)r)) {
			memcpy(o, u + i, w);
			o += w;
		} else {
			static const char *const ctl = "\a\b\f\n\r\t\v";
			static const char *const letter = "abfnrtv";
			const char *k = r > 0 && r < 0x20 ? strchr(ctl, (int)r) : NULL;
			*o++ = '\\';
			if (k != NULL) {
				*o++ = letter[k - ctl];
			} else if (r < 0x80) {
				*o++ = 'x';
				*o++ = hex[(r >> 4) & 15];
				*o++ = hex[r & 15];
			} else if (r < 0x10000) {
				*o++ = 'u';
				for (int sh = 12; sh >= 0; sh -= 4)
					*o++ = hex[(r >> sh) & 15];
			} else {
				*o++ = 'U';
				for (int sh = 28; sh >= 0; sh -= 4)
					*o++ = hex[(r >> sh) & 15];
			}
		}
		i += w;
	}
	*o++ = '"';
	return (size_t)(o - out);
}
