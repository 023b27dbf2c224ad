/* text.h - the one text module: UTF-8 decoding and every way untrusted text
 * (function and file names, labels, bodies and errors from the network) is
 * made safe to show, to write as JSON or to keep on one line. Pure (the
 * writers only write to the FILE they are given); the display width comes
 * from the C library's wcwidth, in the locale the program set.
 */
#ifndef PPROFTOP_TEXT_H
#define PPROFTOP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* text_decode: the code point of the UTF-8 sequence at s[0..n) (n >= 1)
 * and its length in *len (1..4), as Go's utf8.DecodeRune reads it; -1 with
 * *len 1 for an invalid byte: a bad lead or continuation byte, a sequence
 * cut short by n, an overlong form, a surrogate or a rune past U+10FFFF. */
int32_t text_decode(const unsigned char *s, size_t n, size_t *len);

/* text_escape_byte: c as \xNN (lower-case hex) into out[0..4); returns 4.
 * Not NUL-terminated. */
size_t text_escape_byte(char *out, unsigned char c);

/* text_escape_rune: r as Go escapes a rune it does not print: \xNN below
 * U+0080, \uNNNN up to U+FFFF, \UNNNNNNNN beyond (lower-case hex), into out,
 * which must hold 10 bytes. Returns the bytes written (not NUL-terminated). */
size_t text_escape_rune(char *out, uint32_t r);

/* text_fit: s[0..n) made safe and fitted to width columns: control bytes
 * and invalid UTF-8 escaped ("\x07"), code points the terminal can't show
 * (wcwidth not 1 or 2, or not utf8) escaped ("\u00e9"), truncated with an
 * ellipsis at the end (or at the start when left). out must hold
 * 4 * width + 8 bytes; it is always NUL-terminated when outlen > 0.
 * Returns the columns used. */
int text_fit(const char *s, size_t n, int width, bool left, bool utf8, char *out, size_t outlen);

/* text_width: the columns s[0..n) takes once escaped as text_fit does
 * (INT_MAX at most). */
int text_width(const char *s, size_t n, bool utf8);

/* text_write: s (NUL-terminated) escaped as text_fit does, never
 * truncated, to f. */
void text_write(FILE *f, const char *s, bool utf8);

/* text_write_valid: s (NUL-terminated) to f with valid UTF-8 as it is and
 * control bytes, DEL and invalid bytes as \xNN: for a terminal whatever
 * its locale's widths (reports). */
void text_write_valid(FILE *f, const char *s);

/* text_write_json: s (NUL-terminated) as a JSON string, quotes included:
 * '"' and '\\' escaped, control bytes and DEL as \u00NN, an invalid byte
 * as \ufffd, valid UTF-8 as it is. */
void text_write_json(FILE *f, const char *s);

/* text_append_ascii: appends p[0..n) to out (size outlen, NUL-terminated
 * before and after) with bytes outside 0x20..0x7e as \xNN, taking at most
 * max bytes of output; *trunc tells whether input was left over. */
void text_append_ascii(char *out, size_t outlen, const unsigned char *p, size_t n, size_t max,
                       bool *trunc);

/* text_copy_ascii: s (NUL-terminated, or NULL for "") into out (size
 * outlen > 0, NUL-terminated) keeping printable ASCII (0x20..0x7e) only:
 * one line, no controls. */
void text_copy_ascii(char *out, size_t outlen, const char *s);

#endif
