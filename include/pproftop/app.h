/* app.h - the live dashboard: the loop, one poller per target, the UI.
 *
 * The configuration is shared with batch mode (batch.h), which runs the
 * same pollers without a screen. */
#ifndef PPROFTOP_APP_H
#define PPROFTOP_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define APP_MAX_TARGETS 100

struct app_target {
	char url[1024];  /* base URL with trailing slash (target_parse) */
	char shown[512]; /* the target as displayed (no credentials) */
	char given[512]; /* as given on the command line (shown if it had credentials) */
};

struct ev_loop;
struct fetcher;
struct sched_config;
struct poller_config;
struct poller_hooks;
struct cpulane_config;

struct app_config {
	struct app_target *targets; /* as given, in order; at least one unless open_dir */
	size_t ntargets;
	unsigned max_inflight; /* short requests in flight across targets; 0: the default */
	double interval;       /* seconds between polls */
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
	bool cpu;        /* --cpu: CPU windows all the time (batch: one, reported) */
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

/* app_version: prints --version to f: pproftop's version (and the git
 * description it was built from, when it was), then the versions of
 * libcurl, ncurses and libev it runs with, one "name: version" a line. */
void app_version(FILE *f);

/* app_fetcher_new: the fetcher every target's requests go through, with
 * cfg's TLS, headers, caps and timeout (by default 0.9 x the interval, at
 * least 5 s). NULL when libcurl can't be loaded or initialised, after one
 * line on stderr saying why (called before curses starts). */
struct fetcher *app_fetcher_new(struct ev_loop *loop, const struct app_config *cfg);

/* app_poller_config: the configuration of target i's poller (its URL and
 * name, the scheduler's and the CPU lane's settings from cfg, live or
 * batch, the short requests' timeout: --timeout, else 0.9 x the interval,
 * at least 5 s), reporting to hooks with ud. out borrows cfg's strings. */
void app_poller_config(const struct app_config *cfg, size_t i, bool batch,
                       const struct poller_hooks *hooks, void *ud, struct poller_config *out);

#endif
