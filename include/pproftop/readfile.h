/* readfile.h - read a whole file into memory, with a size cap. */
#ifndef PPROFTOP_READFILE_H
#define PPROFTOP_READFILE_H

#include <stddef.h>

/* readfile: reads path into a malloc'd buffer (caller frees) of *len bytes,
 * NUL-terminated beyond len. Fails (NULL, errbuf filled with a one-line
 * reason) when the file can't be read or is larger than max bytes. */
char *readfile(const char *path, size_t max, size_t *len, char *errbuf, size_t errlen);

#endif
