/* text.c - UTF-8 decoding and safe text (see text.h). */
#define _XOPEN_SOURCE 700 /* wcwidth */
#include "pproftop/text.h"

#include <limits.h>
#include <string.h>
#include <wchar.h>

static const char hexdig[] = "0123456789abcdef";

int32_t
text_decode(const unsigned char *s, size_t n, size_t *len)
{
	unsigned c = s[0];
	size_t need;
	int32_t r;

	*len = 1;
	if (c < 0x80)
		return (int32_t)c;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		r = (int32_t)(c & 0x1f);
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		r = (int32_t)(c & 0x0f);
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		r = (int32_t)(c & 0x07);
	} else {
		return -1;
	}
	if (n < need + 1)
		return -1;
	for (size_t k = 1; k <= need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return -1;
		r = r << 6 | (int32_t)(s[k] & 0x3f);
	}
	if ((need == 2 && r < 0x800) || (need == 3 && (r < 0x10000 || r > 0x10ffff)) ||
	    (r >= 0xd800 && r <= 0xdfff))
		return -1;
	*len = need + 1;
	return r;
}

size_t
text_escape_byte(char *out, unsigned char c)
{
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hexdig[c >> 4];
	out[3] = hexdig[c & 15];
	return 4;
}

size_t
text_escape_rune(char *out, uint32_t r)
{
	if (r < 0x80)
		return text_escape_byte(out, (unsigned char)r);
	int digits = r < 0x10000 ? 4 : 8;
	out[0] = '\\';
	out[1] = r < 0x10000 ? 'u' : 'U';
	for (int k = 0; k < digits; k++)
		out[2 + k] = hexdig[(r >> (4 * (digits - 1 - k))) & 15];
	return 2 + (size_t)digits;
}

/* ---- display text ---- */

#define TOK_MAX 12

/* One display token of s[*i..n): at most 11 bytes into tok (NUL-terminated).
 * Returns its width in columns. */
static int
next_tok(const unsigned char *s, size_t n, size_t *i, bool utf8, char tok[TOK_MAX])
{
	size_t len, k;
	int32_t cp = text_decode(s + *i, n - *i, &len);

	if (cp >= 0x20 && cp < 0x7f) {
		tok[0] = (char)cp;
		tok[1] = '\0';
		(*i)++;
		return 1;
	}
	if (cp >= 0x80) {
		int w = utf8 ? wcwidth((wchar_t)cp) : -1;
		if (w == 1 || w == 2) {
			memcpy(tok, s + *i, len);
			tok[len] = '\0';
			*i += len;
			return w;
		}
		/* not printable here (or a zero-width character): escape */
		k = text_escape_rune(tok, (uint32_t)cp);
	} else {
		k = text_escape_byte(tok, s[*i]);
	}
	tok[k] = '\0';
	*i += len;
	return (int)k;
}

int
text_width(const char *s, size_t n, bool utf8)
{
	char tok[TOK_MAX];
	size_t i = 0;
	int w = 0;

	while (i < n) {
		int tw = next_tok((const unsigned char *)s, n, &i, utf8, tok);
		if (w > INT_MAX - tw)
			return INT_MAX;
		w += tw;
	}
	return w;
}

int
text_fit(const char *s, size_t n, int width, bool left, bool utf8, char *out, size_t outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *ell = utf8 ? "\xe2\x80\xa6" : "..."; /* … */
	int ellw = utf8 ? 1 : 3;
	char tok[TOK_MAX];
	size_t i = 0, o = 0;
	int used = 0;

	if (outlen == 0)
		return 0;
	out[0] = '\0';
	if (width <= 0)
		return 0;

	/* does it fit? (stop measuring once it doesn't) */
	int total = 0;
	bool fits = true;
	while (i < n) {
		total += next_tok(u, n, &i, utf8, tok);
		if (total > width) {
			fits = false;
			break;
		}
	}
	int budget = width;
	i = 0;
	if (!fits && width > ellw) {
		budget = width - ellw;
		if (left) {
			/* skip from the start until the rest fits in the budget */
			int full = text_width(s, n, utf8);
			while (i < n && full > budget)
				full -= next_tok(u, n, &i, utf8, tok);
			size_t el = strlen(ell);
			if (el + 1 <= outlen) {
				memcpy(out, ell, el);
				o = el;
				used = ellw;
			}
			budget = width;
		}
	} else if (!fits) {
		left = false; /* too narrow for an ellipsis: plain cut */
	}
	while (i < n) {
		size_t save = i;
		int tw = next_tok(u, n, &i, utf8, tok);
		size_t tl = strlen(tok);
		if (used + tw > budget || o + tl + 1 > outlen) {
			i = save;
			break;
		}
		memcpy(out + o, tok, tl);
		o += tl;
		used += tw;
	}
	if (!fits && !left && width > ellw) {
		size_t el = strlen(ell);
		if (o + el + 1 <= outlen) {
			memcpy(out + o, ell, el);
			o += el;
			used += ellw;
		}
	}
	out[o] = '\0';
	return used;
}

void
text_write(FILE *f, const char *s, bool utf8)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	char tok[TOK_MAX];

	while (i < n) {
		next_tok(u, n, &i, utf8, tok);
		fputs(tok, f);
	}
}

/* ---- reports ---- */

void
text_write_valid(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, len;
	char esc[4];

	while (i < n) {
		int32_t r = text_decode(p + i, n - i, &len);
		if (r < 0x20 || r == 0x7f) {
			fwrite(esc, 1, text_escape_byte(esc, p[i]), f);
			i++;
		} else {
			fwrite(p + i, 1, len, f);
			i += len;
		}
	}
}

void
text_write_json(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, len;

	fputc('"', f);
	while (i < n) {
		int32_t r = text_decode(p + i, n - i, &len);
		if (r == '"' || r == '\\') {
			fputc('\\', f);
			fputc(r, f);
		} else if (r < 0) {
			fputs("\\ufffd", f);
		} else if (r < 0x20 || r == 0x7f) {
			fprintf(f, "\\u%04x", (unsigned)r);
		} else {
			fwrite(p + i, 1, len, f);
		}
		i += len;
	}
	fputc('"', f);
}

/* ---- one line of ASCII ---- */

void
text_append_ascii(char *out, size_t outlen, const unsigned char *p, size_t n, size_t max,
                  bool *trunc)
{
	size_t o = strlen(out), used = 0;

	*trunc = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		size_t need = (c >= 0x20 && c < 0x7f) ? 1 : 4;

		if (used + need > max || o + need >= outlen) {
			*trunc = true;
			break;
		}
		if (need == 1)
			out[o++] = (char)c;
		else
			o += text_escape_byte(out + o, c);
		used += need;
	}
	out[o] = '\0';
}

void
text_copy_ascii(char *out, size_t outlen, const char *s)
{
	size_t o = 0;

	if (s != NULL)
		for (; *s != '\0' && o + 1 < outlen; s++)
			if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f)
				out[o++] = *s;
	out[o] = '\0';
}
