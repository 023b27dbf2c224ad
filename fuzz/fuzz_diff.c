/* fuzz_diff.c - libFuzzer target: parse two inputs (split at the first
 * "\n====\n") and diff them, then render both report forms to /dev/null. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/diff.h"
#include "pproftop/history.h"
#include "pproftop/parse.h"
#include "pproftop/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n====\n";
	const uint8_t *mid = NULL;

	if (size > (1u << 20))
		return 0;
	for (size_t i = 0; i + sizeof(sep) - 1 <= size; i++)
		if (memcmp(data + i, sep, sizeof(sep) - 1) == 0) {
			mid = data + i;
			break;
		}
	if (mid == NULL)
		return 0;
	if (sink == NULL)
		sink = fopen("/dev/null", "w");
	struct snapshot *a = NULL, *b = NULL;
	struct parse_err err;
	size_t la = (size_t)(mid - data);
	if (profile_parse(data, la, NULL, &a, &err) == 0 &&
	    profile_parse(mid + 6, size - la - 6, NULL, &b, &err) == 0) {
		struct diff d;
		if (diff_compute(&d, a, b, 1.5) == 0) {
			struct report_item it;
			report_item_init(&it, b, &d);
			report_table(sink, &it, 0);
			report_json(sink, &it, 1, 0);
			diff_free(&d);
		}
		struct history h;
		history_init(&h, 3);
		history_push(&h, a, 0, 1);
		history_push(&h, b, 0, 2);
		history_push(&h, a, 0, 3);
		for (size_t i = 0; i < b->ngroups; i++)
			(void)history_growing(&h, b->groups[i].id);
		history_free(&h);
	}
	snapshot_free(a);
	snapshot_free(b);
	return 0;
}
