/* fuzz_parse.c - libFuzzer target for parse. */
#include <stdint.h>
#include <stdlib.h>

#include "pproftop/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot *s = NULL;
	struct parse_err err;

	if (size > (4u << 20))
		return 0;
	if (profile_parse(data, size, NULL, &s, &err) == 0)
		snapshot_free(s);
	return 0;
}
