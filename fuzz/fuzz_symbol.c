/* fuzz_symbol.c - libFuzzer target for symtab_ingest (a /debug/pprof/symbol
 * answer) and the wait state named from it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/label.h"
#include "pproftop/parse.h"
#include "pproftop/symtab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a goroutine text whose first record hides one runtime PC, 0x1 */
	static const char text[] = "goroutine profile: total 1\n"
	                           "1 @ 0x1 0x2 0x3 0x4\n"
	                           "#\t0x2\tmain.f+0x0\t/a.go:1\n"
	                           "#\t0x3\tmain.g+0x0\t/a.go:2\n\n";
	struct snapshot *s = NULL;
	struct parse_err perr;
	struct symtab st;
	char q[256], err[200];

	if (size > (1u << 20))
		return 0;
	if (profile_parse((const unsigned char *)text, strlen(text), "goroutine", &s, &perr) != 0)
		abort();
	symtab_init(&st);
	symtab_query(&st, s, q, sizeof(q));
	symtab_ingest(&st, data, size, err, sizeof(err));
	for (size_t i = 0; i < s->ngroups; i++)
		(void)label_state_named(&s->groups[i], s->format, &st);
	symtab_query(&st, s, q, sizeof(q));
	symtab_free(&st);
	snapshot_free(s);
	return 0;
}
