/* gunzip.h - inflate a gzip body (one or more concatenated members).
 *
 * Used by the protobuf parser (parse_proto.c) on /debug/pprof bodies and
 * saved .pb.gz files. The output is capped at PARSE_MAX_INFLATED bytes, so
 * a gzip bomb is an error, not an allocation of its inflated size.
 */
#ifndef PPROFTOP_GUNZIP_H
#define PPROFTOP_GUNZIP_H

#include <stddef.h>
#include <stdint.h>

#include "pproftop/parse.h"

/* gunzip_inflate: inflates in[0..len) (gzip framing; concatenated members
 * are joined; data after the last member that is not another member is an
 * error). On success returns 0 with *out a malloc'd buffer of *outlen
 * bytes, freed by the caller. On error (corrupt or truncated stream, output
 * over PARSE_MAX_INFLATED) returns -1 with err filled (offset: the input
 * byte reached) and *out NULL. */
int gunzip_inflate(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen,
                   struct parse_err *err);

#endif
