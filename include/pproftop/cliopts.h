/* cliopts.h - the command line's options as one table.
 *
 * Pure: no getopt here. The same table gives main.c its getopt_long
 * options, prints --help (cli_usage), and gives the man page its SYNOPSIS
 * and OPTIONS (src/tools/mkman.c, run by the build); tests/unit/
 * test_keymap.c checks the README's option table against it.
 */
#ifndef PPROFTOP_CLIOPTS_H
#define PPROFTOP_CLIOPTS_H

#include <stddef.h>
#include <stdio.h>

/* getopt_long's values of the options without a short letter. */
enum cli_id {
	CLI_OPEN = 256,
	CLI_BASE,
	CLI_NAME,
	CLI_BATCH,
	CLI_JSON,
	CLI_ROWS,
	CLI_INSECURE,
	CLI_CACERT,
	CLI_CERT,
	CLI_KEY,
	CLI_TIMEOUT,
	CLI_MAXBODY,
	CLI_NOCOLOR,
	CLI_EXIT_AFTER,
	CLI_WINDOW,
	CLI_FAIL_ON_GROWTH,
	CLI_BUDGET,
	CLI_TREE,
	CLI_CPU,
	CLI_TARGETS,
	CLI_MAX_INFLIGHT,
	CLI_MUTEX_SCALED,
};

struct cli_option {
	int id;            /* the short letter ('i'), or a CLI_* value */
	const char *name;  /* the long name, without "--" */
	const char *arg;   /* the argument's name ("SECONDS"); NULL: takes none */
	const char *group; /* the heading this option starts ("Live"); NULL: none */
	const char *help;  /* lines separated by '\n'; NULL: not shown anywhere */
};

/* cli_options: the whole table (*n entries), in the order of --help. */
const struct cli_option *cli_options(size_t *n);

/* cli_synopsis: the usage lines, without "pproftop " (*n entries). */
const char *const *cli_synopsis(size_t *n);

/* cli_description: the paragraph --help prints after the usage lines. */
const char *cli_description(void);

/* cli_spelling: how an option is written: "-i, --interval SECONDS",
 * "--json" (truncated to len, always NUL-terminated). Returns its length. */
size_t cli_spelling(const struct cli_option *o, char *buf, size_t len);

/* cli_usage: prints --help to f. */
void cli_usage(FILE *f);

#endif
