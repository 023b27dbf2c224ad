/* pbwire.c - the protobuf wire reader's cold half (see pbwire.h). */
#include "pproftop/pbwire.h"

int
pb_skip(struct parse_err *err, struct pb_rd *r, uint32_t field, unsigned wt)
{
	uint64_t v;
	struct pb_rd sub;
	size_t need;

	switch (wt) {
	case PB_VARINT:
		return pb_varint(err, r, &v);
	case PB_LEN:
		return pb_len(err, r, field, &sub, r->what);
	case PB_I64:
		need = 8;
		break;
	default: /* PB_I32; the others were rejected by pb_key */
		need = 4;
		break;
	}
	if (r->end - r->pos < need)
		return parse_err_set(err, 0, r->pos, "truncated fixed%zu field %u in %s", need * 8,
		                     field, r->what);
	r->pos += need;
	return 0;
}

int
pb_wrong_type(struct parse_err *err, const struct pb_rd *r, size_t at, uint32_t field, unsigned wt,
              unsigned want)
{
	return parse_err_set(err, 0, at, "field %u of %s has wire type %u, expected %u", field,
	                     r->what, wt, want);
}
