/* fuzz_parse.c - libFuzzer target for parse, and the call tree of what it
 * returns. */
#include <stdint.h>
#include <stdlib.h>

#include "pproftop/parse.h"
#include "pproftop/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot *s = NULL;
	struct parse_err err;

	if (size > (4u << 20))
		return 0;
	if (profile_parse(data, size, NULL, &s, &err) == 0) {
		struct tree_opts o = { .value = s->primary };
		struct tree t;
		if (tree_build(&t, s, s, NULL, &o) == 0)
			tree_free(&t);
		o.inverted = true;
		o.by_line = true;
		if (tree_build(&t, s, NULL, s, &o) == 0)
			tree_free(&t);
		snapshot_free(s);
	}
	return 0;
}
