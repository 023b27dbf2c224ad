/* goquote.c - Go's strconv.Quote (see goquote.h). */
#include "pproftop/goquote.h"

#include <string.h>

#include "goprint_table.h"
#include "pproftop/text.h"

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

size_t
go_quote(char *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	char *o = out;

	*o++ = '"';
	for (size_t i = 0; i < n;) {
		size_t w;
		int32_t r = text_decode(u + i, n - i, &w);
		if (r < 0) {
			o += text_escape_byte(o, u[i]);
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
			if (k != NULL) {
				*o++ = '\\';
				*o++ = letter[k - ctl];
			} else {
				o += text_escape_rune(o, (uint32_t)r);
			}
		}
		i += w;
	}
	*o++ = '"';
	return (size_t)(o - out);
}
