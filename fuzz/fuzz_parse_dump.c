/* fuzz_parse_dump.c - libFuzzer target for parse_dump. */
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
	if (parse_dump(data, size, NULL, &s, &err) == 0)
		snapshot_free(s);
	return 0;
}
