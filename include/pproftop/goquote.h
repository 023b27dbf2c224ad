/* goquote.h - Go's strconv.Quote, the one quoter of label keys and values.
 *
 * A label's canonical text ({"k":"v"}) is its key and value quoted as Go
 * quotes them, whatever format the profile came in (protobuf, debug=1,
 * debug=2), so that the same label gives the same text, and the same group
 * id, in all of them. Pure.
 */
#ifndef PPROFTOP_GOQUOTE_H
#define PPROFTOP_GOQUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* GO_QUOTE_MAX: the most bytes go_quote writes for n input bytes (a lone
 * byte becomes \xNN; no rune takes more than 4 bytes per byte). */
#define GO_QUOTE_MAX(n) (4 * (n) + 2)

/* go_is_print: Go's unicode.IsPrint (letters, marks, numbers, punctuation,
 * symbols and U+0020), from the table tests/goquote generates with Go
 * itself (src/core/goprint_table.h). */
bool go_is_print(uint32_t r);

/* go_quote: s[0..n) quoted like strconv.Quote into out, which must hold
 * GO_QUOTE_MAX(n) bytes (not NUL-terminated). Invalid UTF-8 bytes become
 * \xNN, as Go writes them. Returns the bytes written. */
size_t go_quote(char *out, const char *s, size_t n);

#endif
