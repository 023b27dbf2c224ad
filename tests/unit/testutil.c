/* testutil.c - helpers shared by the unit tests. */
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/parse.h"

char *
tu_read(const char *rel, size_t *len)
{
	const char *dir = getenv("PPROFTOP_FIXTURES");
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/fixtures", rel);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open fixture %s", path);
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	for (;;) {
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n < cap)
			break;
		cap *= 2;
		buf = realloc(buf, cap + 1);
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

struct snapshot *
tu_parse(const char *rel, const char *name)
{
	size_t len;
	char *buf = tu_read(rel, &len);
	struct snapshot *s = NULL;
	struct parse_err err;

	if (profile_parse(buf, len, name, &s, &err) != 0) {
		char msg[512];
		parse_err_format(&err, rel, msg, sizeof(msg));
		free(buf);
		fail_msg("%s", msg);
	}
	free(buf);
	return s;
}

const struct group *
tu_group_by_label(const struct snapshot *s, const char *fn)
{
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct group *g = &s->groups[i];
		if (g->nframes > 0 && strcmp(group_frame(g, g->label_frame)->function, fn) == 0)
			return g;
	}
	return NULL;
}

const struct group *
tu_group_with_fn(const struct snapshot *s, const char *fn)
{
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct group *g = &s->groups[i];
		for (uint32_t j = 0; j < g->nframes; j++)
			if (strcmp(group_frame(g, j)->function, fn) == 0)
				return g;
	}
	return NULL;
}

unsigned char *
tu_heap_text(int64_t grow, int64_t allocated, int numgc, double last_gc_s, int64_t total_alloc,
             size_t *len)
{
	char buf[2048];
	int64_t objs = grow / 1024;
	int n =
	    snprintf(buf, sizeof(buf),
	             "heap profile: %lld: %lld [%lld: %lld] @ heap/2\n"
	             "%lld: %lld [%lld: %lld] @ 0x1 0x2\n"
	             "#\t0x1\tmain.grow+0x1\t/src/main.go:10\n"
	             "#\t0x2\tmain.worker+0x1\t/src/main.go:20\n\n"
	             "4: 4096 [4: 4096] @ 0x3\n"
	             "#\t0x3\tmain.other+0x1\t/src/main.go:30\n\n"
	             "# runtime.MemStats\n# TotalAlloc = %lld\n# Mallocs = %lld\n"
	             "# NumGC = %d\n# LastGC = %.0f\n",
	             (long long)objs + 4, (long long)grow + 4096, (long long)allocated / 1024 + 4,
	             (long long)allocated + 4096, (long long)objs, (long long)grow,
	             (long long)allocated / 1024, (long long)allocated, (long long)total_alloc,
	             (long long)total_alloc / 64, numgc, last_gc_s * 1e9);
	*len = (size_t)n;
	unsigned char *p = malloc(*len);
	memcpy(p, buf, *len);
	return p;
}
