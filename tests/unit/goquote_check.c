/* goquote_check.c - go_quote (goquote.h) against Go's own strconv.Quote:
 * reads the lines `go run ./tests/goquote quote` prints ("HEX<TAB>quoted"
 * for every code point, "BHEX" for lone bytes, "SHEX" for mixed strings,
 * HEX being the input's code point or bytes) and checks each one. Prints
 * one TAP line per kind of input; exits 1 on a mismatch, naming the first
 * few. Used by tests/sh/test_goquote.sh. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/goquote.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The UTF-8 bytes of code point r into out; returns their count. */
static size_t
encode(unsigned long r, char *out)
{
	if (r < 0x80) {
		out[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		out[0] = (char)(0xc0 | (r >> 6));
		out[1] = (char)(0x80 | (r & 0x3f));
		return 2;
	}
	if (r < 0x10000) {
		out[0] = (char)(0xe0 | (r >> 12));
		out[1] = (char)(0x80 | ((r >> 6) & 0x3f));
		out[2] = (char)(0x80 | (r & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (r >> 18));
	out[1] = (char)(0x80 | ((r >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((r >> 6) & 0x3f));
	out[3] = (char)(0x80 | (r & 0x3f));
	return 4;
}

int
main(int argc, char **argv)
{
	static char line[1 << 16];
	char in[1 << 14], got[GO_QUOTE_MAX(sizeof(in))];
	unsigned long lines[3] = { 0 }, bad[3] = { 0 };
	static const char *const kinds[3] = { "every code point", "every lone byte 0x80-0xff",
		                              "mixed strings" };
	FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;

	if (f == NULL) {
		fprintf(stderr, "usage: goquote_check FILE (go run ./tests/goquote quote)\n");
		return 2;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line);
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		char *tab = strchr(line, '\t');
		if (tab == NULL)
			continue;
		*tab = '\0';
		const char *want = tab + 1, *key = line;
		int kind = key[0] == 'B' ? 1 : key[0] == 'S' ? 2 : 0;
		size_t n = 0;
		if (kind == 0) {
			char *end;
			unsigned long r = strtoul(key, &end, 16);
			n = encode(r, in);
		} else {
			for (const char *h = key + 1; h[0] && h[1] && n < sizeof(in); h += 2)
				in[n++] = (char)(hexval(h[0]) << 4 | hexval(h[1]));
		}
		size_t k = go_quote(got, in, n);
		lines[kind]++;
		if (k > GO_QUOTE_MAX(n) || k != strlen(want) || memcmp(got, want, k) != 0) {
			if (bad[0] + bad[1] + bad[2] < 10)
				printf("# %s: Go %s, pproftop %.*s\n", key, want, (int)k, got);
			bad[kind]++;
		}
	}
	fclose(f);
	printf("1..3\n");
	int rc = 0;
	for (int i = 0; i < 3; i++) {
		bool fine = lines[i] > 0 && bad[i] == 0;
		printf("%s %d - %s: %lu quoted as Go quotes them (%lu differ)\n",
		       fine ? "ok" : "not ok", i + 1, kinds[i], lines[i], bad[i]);
		rc |= !fine;
	}
	return rc;
}
