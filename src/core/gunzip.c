/* gunzip.c - gzip members -> bytes, capped (see gunzip.h). */
#include "pproftop/gunzip.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#define ZLIB_CONST /* next_in is const: no cast needed */
#include <zlib.h>

#include "pproftop/xalloc.h"

/* Deflate cannot compress better than about 1032:1. */
#define DEFLATE_MAX_RATIO 1032

int
gunzip_inflate(const uint8_t *in, size_t len, uint8_t **outp, size_t *outlen, struct parse_err *err)
{
	const size_t limit = PARSE_MAX_INFLATED;
	z_stream zs;
	size_t consumed = 0; /* input handed to zlib and used up */
	size_t produced = 0;
	size_t cap;
	uint8_t *out;
	int rc = -1;

	*outp = NULL;
	*outlen = 0;
	/* Initial size: the ISIZE trailer of the last member when it is
	 * plausible (it is only a hint: the cap below is what is enforced). */
	cap = len < ((size_t)64 << 10) / 4 ? (size_t)64 << 10 : len * 4;
	if (len >= 18) {
		const uint8_t *t = in + len - 4;
		size_t isize =
		    (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
		if (isize < limit && isize / DEFLATE_MAX_RATIO <= len)
			cap = isize + 1;
	}
	if (cap > limit + 1)
		cap = limit + 1;
	if (cap < 64)
		cap = 64;
	out = xmalloc(cap);

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		free(out);
		return parse_err_set(err, 0, 0, "zlib: cannot initialize inflate");
	}
	zs.next_out = out;
	zs.avail_out = (uInt)(cap > UINT_MAX ? UINT_MAX : cap);
	for (;;) {
		if (zs.avail_out == 0) {
			produced = (size_t)(zs.next_out - out);
			if (produced > limit) {
				parse_err_set(err, 0, consumed - zs.avail_in,
				              "decompressed profile exceeds the %zu MiB limit "
				              "(gzip bomb?)",
				              limit >> 20);
				goto out;
			}
			if (produced == cap) {
				cap = cap > limit / 2 ? limit + 1 : cap * 2;
				out = xreallocarray(out, cap, 1);
			}
			zs.next_out = out + produced;
			size_t room = cap - produced;
			zs.avail_out = (uInt)(room > UINT_MAX ? UINT_MAX : room);
		}
		if (zs.avail_in == 0 && consumed < len) {
			size_t chunk = len - consumed;
			if (chunk > UINT_MAX)
				chunk = UINT_MAX;
			zs.next_in = (const Bytef *)(in + consumed);
			zs.avail_in = (uInt)chunk;
			consumed += chunk;
		}
		int ret = inflate(&zs, Z_NO_FLUSH);
		size_t at = consumed - zs.avail_in; /* input bytes used so far */
		if (ret == Z_STREAM_END) {
			produced = (size_t)(zs.next_out - out);
			if (produced > limit) {
				parse_err_set(err, 0, at,
				              "decompressed profile exceeds the %zu MiB limit "
				              "(gzip bomb?)",
				              limit >> 20);
				goto out;
			}
			if (at == len)
				break;
			if (len - at >= 2 && in[at] == 0x1f && in[at + 1] == 0x8b) {
				/* another gzip member follows */
				uInt room = zs.avail_out;
				Bytef *next = zs.next_out;
				inflateReset(&zs);
				zs.next_out = next;
				zs.avail_out = room;
				continue;
			}
			parse_err_set(err, 0, at,
			              "unexpected data after the end of the gzip stream");
			goto out;
		}
		if (ret == Z_OK)
			continue;
		if (ret == Z_BUF_ERROR) {
			if (zs.avail_out == 0 || zs.avail_in > 0 || consumed < len)
				continue; /* grow or refill and retry */
			parse_err_set(err, 0, len, "gzip stream truncated at byte %zu", len);
			goto out;
		}
		if (ret == Z_MEM_ERROR)
			xalloc_die();
		parse_err_set(err, 0, at, "corrupt gzip stream near byte %zu: %s", at,
		              zs.msg != NULL ? zs.msg : "invalid data");
		goto out;
	}
	*outp = out;
	*outlen = produced;
	out = NULL;
	rc = 0;
out:
	inflateEnd(&zs);
	free(out);
	return rc;
}
