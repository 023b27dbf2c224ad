/* readfile.c - whole-file reads with a cap (see readfile.h). */
#include "pproftop/readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

const char *
readfile_map(const char *path, size_t max, size_t *len, bool *mapped, char *errbuf, size_t errlen)
{
	*mapped = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return readfile(path, max, len, errbuf, errlen); /* its error */
	struct stat st;
	long page = sysconf(_SC_PAGESIZE);
	void *p = MAP_FAILED;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && page > 0 &&
	    (uintmax_t)st.st_size <= max && st.st_size % page != 0)
		/* read-only: a writable private mapping would be copied page
		 * by page as it is populated */
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return readfile(path, max, len, errbuf, errlen);
	/* the rest of the last page reads as zeros: the NUL after the file */
	*mapped = true;
	*len = (size_t)st.st_size;
	return p;
}

void
readfile_release(const char *buf, size_t len, bool mapped)
{
	if (buf == NULL)
		return;
	if (mapped)
		munmap((void *)buf, len);
	else
		free((void *)buf); /* readfile's, writable */
}
