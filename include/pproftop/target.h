/* target.h - turn the TARGET argument into the pprof base URL. Pure. */
#ifndef PPROFTOP_TARGET_H
#define PPROFTOP_TARGET_H

#include <stddef.h>

/* target_parse: accepts "host:port", ":port", "host", "http://host:port",
 * "https://host/prefix" (and a trailing slash). Without a path the prefix is
 * /debug/pprof. Writes the base URL with a trailing slash to out (e.g.
 * "http://localhost:6060/debug/pprof/"), and a display form without
 * credentials to shown. Returns 0, or -1 with a one-line reason in out. */
int target_parse(const char *in, char *out, size_t outlen, char *shown, size_t shownlen);

#endif
