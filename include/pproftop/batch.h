/* batch.h - pproftop without a screen: a few polls printed as text or JSON
 * (--batch, --json), and saved profiles read from files (--open). */
#ifndef PPROFTOP_BATCH_H
#define PPROFTOP_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "pproftop/app.h"

/* batch_run: polls every target batch_n times, interval apart (each on its
 * own schedule), or reads the saved snapshot directory cfg->open_dir, and
 * prints the panes as text or JSON on stdout. Exit status 0, or 1 with the
 * reasons on stderr when the last poll of an endpoint failed; with
 * fail_on_growth, 3 when a goroutine or heap group is growing or proven
 * leaked at the end (listed on stderr). */
int batch_run(const struct app_config *cfg);

/* A saved profile, and optionally an older one to diff it against. */
struct batch_files {
	const char *open; /* the profile (any format Go serves) */
	const char *base; /* the older one, or NULL */
	const char *name; /* the endpoint name when the bytes can't tell, or NULL */
	bool json, tree;
	size_t rows; /* 0: all */
};

/* batch_files: prints f->open (diffed against f->base) as text or JSON.
 * Exit status 0, or 1 with a one-line reason on stderr. */
int batch_files(const struct batch_files *f);

#endif
