/* parse_proto_bench.h - a benchmark hook into parse_proto.c's wire reader.
 *
 * For bench/bench_proto_pbc.c only: the product does not call it.
 */
#ifndef PPROFTOP_PARSE_PROTO_BENCH_H
#define PPROFTOP_PARSE_PROTO_BENCH_H

#include <stddef.h>

#include "pproftop/parse.h"

/* parse_proto_wire_bench: decodes the wire format of an uncompressed
 * message the way parse_proto does (pass 1, id and string resolution, every
 * sample with its location lookups and label indices) without building a
 * snapshot. Returns the number of samples and fills *nlocations,
 * *nfunctions and *nstrings, or returns -1 with err filled. Allocates
 * nothing that outlives the call. */
long parse_proto_wire_bench(const void *msg, size_t len, size_t *nlocations, size_t *nfunctions,
                            size_t *nstrings, struct parse_err *err);

#endif
