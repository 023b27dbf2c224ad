/* app.h - the live dashboard and batch mode: loop, timers, wiring. */
#ifndef PPROFTOP_APP_H
#define PPROFTOP_APP_H

#include <stdbool.h>
#include <stddef.h>

struct app_config {
	char url[1024];  /* base URL with trailing slash (target_parse) */
	char shown[512]; /* the target as displayed (no credentials) */
	double interval; /* seconds between polls */
	const char *snapshot_dir;
	const char *const *headers; /* "Name: value" */
	size_t nheaders;
	bool insecure;
	const char *cacert, *cert, *key;
	long timeout_ms; /* per request; 0: derived from the interval */
	size_t max_body; /* per response cap */
	bool color;
	double window;   /* growth verdict window, seconds; 0: the default */
	double budget;   /* --budget: percent of a core (and of the service's allocation) */
	bool budget_set; /* false: the default (SCHED_CPU_SHARE) */
	/* batch */
	bool fail_on_growth; /* exit 3 when a group grows or is proven leaked */
	unsigned batch_n;
	bool json;
	size_t rows;
	bool tree; /* --tree: the call tree instead of the groups (JSON: as well) */
	/* test hook: quit by itself after this many polls (0: never) */
	unsigned exit_after;
	/* view a saved snapshot directory instead of a live target */
	const char *open_dir;
};

/* app_run: the full-screen dashboard until q, SIGINT or SIGTERM. Restores the
 * terminal on every path. Returns the process exit status. */
int app_run(const struct app_config *cfg);

/* app_batch: polls batch_n times, interval apart, prints the panes as text or
 * JSON on stdout. Exit status 0, or 1 with the reasons on stderr when the
 * last poll of an endpoint failed; with fail_on_growth, 3 when a goroutine
 * or heap group is growing or proven leaked at the end (listed on stderr). */
int app_batch(const struct app_config *cfg);

#endif
