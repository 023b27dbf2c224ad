/* savedir.h - write a snapshot directory and read one back.
 *
 * A snapshot is one directory holding the raw body of the last good poll of
 * every endpoint exactly as fetched (goroutine.pb.gz, heap.pb.gz, ...: the
 * protobuf files open in go tool pprof), a plain-text report of every pane
 * (report.txt) and meta.txt (target without credentials, time). It is
 * written under a temporary name and renamed, so a crash never leaves half a
 * snapshot. Directories are created 0700, files 0600 with O_EXCL and
 * O_NOFOLLOW, so an existing file or symlink is never followed or clobbered.
 */
#ifndef PPROFTOP_SAVEDIR_H
#define PPROFTOP_SAVEDIR_H

#include <stddef.h>
#include <stdio.h>

#include "pproftop/model.h"

/* savedir_write: writes m's raw bodies, report(out, ud) as report.txt and a
 * meta.txt naming target, under parent (created if missing). On success
 * returns 0 and the final directory path in path; on failure -1 with a
 * one-line reason in err (nothing is left behind). */
int savedir_write(const char *parent, const struct model *m, const char *target,
                  void (*report)(FILE *out, void *ud), void *ud, char *path, size_t pathlen,
                  char *err, size_t errlen);

/* savedir_load: feeds every endpoint file found in the snapshot directory
 * dir into m; dir may also be a single profile file, which goes to the
 * endpoint of its kind (a heap debug=1 text feeds the MemStats meters too).
 * Returns the number of endpoints loaded (0: nothing usable, err says why). */
int savedir_load(const char *dir, struct model *m, char *err, size_t errlen);

#endif
