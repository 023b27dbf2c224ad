/* pbwire.h - the protobuf wire reader of parse_proto.c: varints, keys,
 * length-delimited payloads as sub-readers, skipping unknown fields.
 *
 * Bounded and checked: a truncated or overlong varint (more than 10 bytes,
 * or past 64 bits), a field number of 0 or past 2^29 - 1, a wire type 3, 4,
 * 6 or 7 (groups are not supported), a length past the end of its message
 * and a truncated fixed field are errors, filled into err (parse.h) with the
 * absolute offset and the message's name; every function returns 0 or -1.
 * The hot functions are static inline (parse_proto's inner loops); pbwire.c
 * holds the rest. Pure: no allocation, nothing kept.
 */
#ifndef PPROFTOP_PBWIRE_H
#define PPROFTOP_PBWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "pproftop/parse.h"

enum { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_SGROUP = 3, PB_EGROUP = 4, PB_I32 = 5 };

/* A bounded view into a message: base[pos..end); positions are absolute
 * offsets into the whole (decompressed) message so that errors can name
 * them. The caller owns base. */
struct pb_rd {
	const uint8_t *base;
	size_t pos, end;
	const char *what; /* the message's name, for errors */
};

/* pb_varint: the varint at r->pos into *out (0 on error), past it. */
static inline int
pb_varint(struct parse_err *err, struct pb_rd *r, uint64_t *out)
{
	const uint8_t *p = r->base + r->pos;
	size_t avail = r->end - r->pos;

	*out = 0;
	/* fast path: one byte */
	if (avail > 0 && p[0] < 0x80) {
		*out = p[0];
		r->pos++;
		return 0;
	}
	uint64_t v = 0;
	for (size_t i = 0; i < 10; i++) {
		if (i == avail)
			return parse_err_set(err, 0, r->pos, "truncated varint in %s", r->what);
		uint8_t b = p[i];
		if (i == 9) {
			if (b & 0x80)
				return parse_err_set(err, 0, r->pos,
				                     "varint longer than 10 bytes in %s", r->what);
			if (b > 1)
				return parse_err_set(err, 0, r->pos,
				                     "varint overflows 64 bits in %s", r->what);
		}
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (b < 0x80) {
			*out = v;
			r->pos += i + 1;
			return 0;
		}
	}
	return -1; /* not reached */
}

/* pb_key: a field key: its number (1..2^29 - 1) and wire type (PB_VARINT,
 * PB_I64, PB_LEN or PB_I32; the others are errors). */
static inline int
pb_key(struct parse_err *err, struct pb_rd *r, uint32_t *field, unsigned *wt)
{
	size_t at = r->pos;
	uint64_t k;

	*field = 0;
	*wt = 0;
	if (pb_varint(err, r, &k) != 0)
		return -1;
	*wt = (unsigned)(k & 7);
	if ((k >> 3) == 0 || (k >> 3) > 0x1fffffff)
		return parse_err_set(err, 0, at, "invalid field number %llu in %s",
		                     (unsigned long long)(k >> 3), r->what);
	*field = (uint32_t)(k >> 3);
	if (*wt == PB_SGROUP || *wt == PB_EGROUP || *wt > PB_I32)
		return parse_err_set(err, 0, at, "unsupported wire type %u (field %u of %s)", *wt,
		                     *field, r->what);
	return 0;
}

/* pb_len: the length-delimited payload of field at r->pos as the
 * sub-reader *sub (named what), r past it. */
static inline int
pb_len(struct parse_err *err, struct pb_rd *r, uint32_t field, struct pb_rd *sub, const char *what)
{
	size_t at = r->pos;
	uint64_t n;

	sub->base = r->base;
	sub->pos = sub->end = r->pos;
	sub->what = what;
	if (pb_varint(err, r, &n) != 0)
		return -1;
	if (n > r->end - r->pos)
		return parse_err_set(err, 0, at,
		                     "length %llu of field %u runs past the end of %s (%zu bytes "
		                     "left)",
		                     (unsigned long long)n, field, r->what, r->end - r->pos);
	sub->base = r->base;
	sub->pos = r->pos;
	sub->end = r->pos + (size_t)n;
	sub->what = what;
	r->pos += (size_t)n;
	return 0;
}

/* pb_skip: past the value of a field of wire type wt (as pb_key gave it). */
int pb_skip(struct parse_err *err, struct pb_rd *r, uint32_t field, unsigned wt);

/* pb_wrong_type: the error for field, at offset at, of wire type wt where
 * want was expected; returns -1. */
int pb_wrong_type(struct parse_err *err, const struct pb_rd *r, size_t at, uint32_t field,
                  unsigned wt, unsigned want);

/* pb_scalar: a scalar varint field (its key at offset at): checks the wire
 * type, then reads it into *out (0 on error). */
static inline int
pb_scalar(struct parse_err *err, struct pb_rd *r, size_t at, uint32_t field, unsigned wt,
          uint64_t *out)
{
	*out = 0;
	if (wt != PB_VARINT)
		return pb_wrong_type(err, r, at, field, wt, PB_VARINT);
	return pb_varint(err, r, out);
}

#endif
