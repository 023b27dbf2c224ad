/* parse.h - turn a response body into a snapshot, whatever its format.
 *
 * Formats are detected from the bytes, never from a file name:
 *   1f 8b ...                      gzip -> profile.proto (debug=0)
 *   "goroutine N [...]:"           goroutine?debug=2 dump
 *   "heap profile: ..."            heap/allocs debug=1
 *   "--- contention:" / "--- mutex:"  block/mutex debug=1
 *   "<name> profile: total N"      count profiles debug=1
 *   0x0a ... (valid proto)         uncompressed profile.proto
 * Anything else (HTML, JSON, an empty body, an error text) is an error whose
 * message says what the bytes look like.
 */
#ifndef PPROFTOP_PARSE_H
#define PPROFTOP_PARSE_H

#include <stddef.h>

#include "pproftop/profile.h"

/* Hard limits that keep hostile input bounded. */
#define PARSE_MAX_INFLATED ((size_t)512 << 20) /* decompressed protobuf */
#define PARSE_MAX_LINE ((size_t)1 << 20)       /* one text line */
#define PARSE_MAX_FRAMES 4096                  /* frames in one stack */

/* Where and why parsing failed. line is 1-based for text formats (0 when not
 * applicable); offset is the byte offset in the input (for protobuf: in the
 * decompressed message when inflated is set). */
struct parse_err {
	size_t line;
	size_t offset;
	int inflated;
	char msg[160];
};

/* parse_err_set: fill err (printf-style message) and return -1. */
int parse_err_set(struct parse_err *err, size_t line, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* parse_err_format: "FILE: line N: msg" / "FILE: byte N: msg" into buf. */
void parse_err_format(const struct parse_err *err, const char *file, char *buf, size_t len);

/* profile_parse: detect the format of data[0..len) and parse it. name is the
 * endpoint name when known ("goroutine", "heap", ...; NULL to take it from
 * the data). On success *out is a new snapshot (caller frees with
 * snapshot_free) and 0 is returned; on failure -1 with err filled and *out
 * NULL. Never reads beyond len; data need not be NUL-terminated. */
int profile_parse(const void *data, size_t len, const char *name, struct snapshot **out,
                  struct parse_err *err);

/* The format-specific entry points (same contract as profile_parse). */
int parse_proto(const void *data, size_t len, const char *name, struct snapshot **out,
                struct parse_err *err);
int parse_text(const void *data, size_t len, const char *name, struct snapshot **out,
               struct parse_err *err);

/* parse_text_set_mutex_scaled: how parse_text reads the values of mutex
 * debug=1 texts with a sampling period > 1, for the whole process (the
 * --mutex-scaled option, set once before any parse): 1 = already scaled by
 * the period (Go >= 1.20), 0 = unscaled (Go <= 1.19: multiplied), -1 (the
 * default) = decided from the text (snapshot->scaling says how). */
void parse_text_set_mutex_scaled(int scaled);
int parse_dump(const void *data, size_t len, const char *name, struct snapshot **out,
               struct parse_err *err);

#endif
