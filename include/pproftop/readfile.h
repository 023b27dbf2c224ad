/* readfile.h - read a whole file into memory, with a size cap. */
#ifndef PPROFTOP_READFILE_H
#define PPROFTOP_READFILE_H

#include <stdbool.h>
#include <stddef.h>

/* readfile: reads path into a malloc'd buffer (caller frees) of *len bytes,
 * NUL-terminated beyond len. Fails (NULL, errbuf filled with a one-line
 * reason) when the file can't be read or is larger than max bytes. */
char *readfile(const char *path, size_t max, size_t *len, char *errbuf, size_t errlen);

/* readfile_map: readfile, but a regular file is mapped rather than copied
 * (read-only, populated at once: the page cache's pages as they are; the
 * buffer must not be written), when its size leaves the NUL after it inside the last page;
 * otherwise read as readfile does. *mapped says which. Release the buffer
 * with readfile_release. A file truncated while mapped would fault: use it
 * for one-shot reads of files the user named (--open), not for files that
 * another process writes. */
const char *readfile_map(const char *path, size_t max, size_t *len, bool *mapped, char *errbuf,
                         size_t errlen);

/* readfile_release: frees what readfile_map returned (NULL is ignored). */
void readfile_release(const char *buf, size_t len, bool mapped);

#endif
