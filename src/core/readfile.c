/* readfile.c - whole-file reads with a cap (see readfile.h). */
#include "pproftop/readfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/xalloc.h"

char *
readfile(const char *path, size_t max, size_t *len, char *errbuf, size_t errlen)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = xmalloc(cap + 1);
	for (;;) {
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n > max) {
			snprintf(errbuf, errlen, "%s: larger than %zu MiB", path, max >> 20);
			free(buf);
			fclose(f);
			return NULL;
		}
		if (n < cap) {
			if (ferror(f)) {
				snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
				free(buf);
				fclose(f);
				return NULL;
			}
			break;
		}
		cap *= 2;
		buf = xreallocarray(buf, cap + 1, 1);
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}
