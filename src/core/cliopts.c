/* cliopts.c - the option table (see cliopts.h). */
#include "pproftop/cliopts.h"

#include <string.h>

static const struct cli_option options[] = {
	{ 'i', "interval", "SECONDS", "Live", "time between polls (default 2; fractions allowed)" },
	{ CLI_TARGETS, "targets", "FILE", NULL,
	  "more TARGETs, one a line (# comments, blank lines)" },
	{ CLI_MAX_INFLIGHT, "max-inflight", "N", NULL,
	  "requests in flight across all targets (default 8)" },
	{ 'o', "snapshot-dir", "DIR", NULL, "where 's' saves snapshots (default .)" },
	{ 'H', "header", "'Name: value'", NULL,
	  "extra request header, repeatable (auth);\n"
	  "-H @FILE reads one header per line from FILE;\n"
	  "PPROFTOP_HEADERS (newline-separated) adds more" },
	{ CLI_INSECURE, "insecure", NULL, NULL,
	  "do not verify TLS certificates (shown on screen)" },
	{ CLI_CACERT, "cacert", "FILE", NULL, "CA certificates (PEM) to verify the target with" },
	{ CLI_CERT, "cert", "FILE", NULL, "client certificate (PEM)" },
	{ CLI_KEY, "key", "FILE", NULL, "client key (PEM)" },
	{ CLI_TIMEOUT, "timeout", "SECONDS", NULL,
	  "per request (default: 0.9 x interval, at least 5)" },
	{ CLI_MAXBODY, "max-body", "MIB", NULL, "cap on one response body (default 64)" },
	{ CLI_NOCOLOR, "no-color", NULL, NULL, "monochrome (also when NO_COLOR is set)" },
	{ CLI_WINDOW, "window", "SECONDS", NULL,
	  "the growth verdict's time window (default 60; it\n"
	  "judges once half of it is covered)" },
	{ CLI_BUDGET, "budget", "PERCENT", NULL,
	  "what pproftop's requests may cost the service: this\n"
	  "share of a core, and of what it allocates itself\n"
	  "(at least 1 MiB/s); past it, fetches are spaced\n"
	  "out (default 1; 0: no limit)" },
	{ CLI_CPU, "cpu", NULL, NULL,
	  "sample the CPU (profile?seconds=N) all the time, not\n"
	  "only while the CPU pane (4) is shown: back-to-back\n"
	  "windows of max(5 s, interval); each costs the\n"
	  "service a SIGPROF per 10 ms of CPU. Batch: one\n"
	  "window covering the polls, reported as \"cpu\"" },
	{ CLI_EXIT_AFTER, "exit-after", "N", NULL, NULL }, /* tests: quit after N polls */
	{ CLI_BATCH, "batch", NULL, "Batch", "print the panes as text instead of the dashboard" },
	{ 'n', "count", "N", NULL, "polls in batch mode (default 2, so there is a diff)" },
	{ CLI_JSON, "json", NULL, NULL, "print one JSON document" },
	{ CLI_ROWS, "rows", "N", NULL,
	  "at most N groups per profile (default: all);\n"
	  "with --tree, the N heaviest children per node" },
	{ CLI_TREE, "tree", NULL, NULL,
	  "print each profile's top-down call tree: one\n"
	  "function a line, its cumulative value first,\n"
	  "two spaces per level (with --json: nested \"tree\")" },
	{ CLI_FAIL_ON_GROWTH, "fail-on-growth", NULL, NULL,
	  "exit 3 when, at the end, a goroutine or heap group\n"
	  "is growing or proven leaked (listed on stderr)" },
	{ CLI_OPEN, "open", "FILE|DIR", "Offline",
	  "a saved profile (any format Go serves) or snapshot" },
	{ CLI_BASE, "base", "FILE2", NULL, "diff FILE (new) against FILE2 (old), with --batch" },
	{ CLI_NAME, "name", "NAME", NULL,
	  "the profile's endpoint name when the bytes can't\n"
	  "tell (block or mutex protobuf, allocs text)" },
	{ CLI_MUTEX_SCALED, "mutex-scaled", "yes|no", NULL,
	  "whether mutex debug=1 values are already\n"
	  "multiplied by the sampling period (yes: Go >= 1.20,\n"
	  "no: Go <= 1.19); by default told from the text, and\n"
	  "said so when it is only assumed" },
	{ 'h', "help", NULL, "Other", "print this help" },
	{ 'V', "version", NULL, NULL,
	  "print the version, and those of libcurl, ncurses\n"
	  "and libev as loaded" },
};

static const char *const synopsis[] = {
	"[options] [TARGET...]",
	"--batch [-n N] [-i SECONDS] [--json] [--tree] [--cpu] [--fail-on-growth] [TARGET...]",
	"--open FILE|DIR [--base FILE2] [--batch] [--json] [--tree]",
};

static const char description[] =
    "TARGET is host:port, :port, http://host:port[/prefix] or https://...\n"
    "(default http://localhost:6060, prefix /debug/pprof). Several TARGETs, or\n"
    "--targets FILE, watch replicas together (at most 100): their groups merged\n"
    "by stack, each group's value per target in its detail (JSON: \"by_target\",\n"
    "and a \"targets\" list); key T shows one target, then the next, then all.\n"
    "Batch exits 1 when any target's last poll failed.\n";

#define NOPTIONS (sizeof(options) / sizeof(options[0]))
#define HELP_COLUMN 26 /* where --help's text starts */
#define USAGE_WIDTH 92 /* where a usage line wraps */

const struct cli_option *
cli_options(size_t *n)
{
	*n = NOPTIONS;
	return options;
}

const char *const *
cli_synopsis(size_t *n)
{
	*n = sizeof(synopsis) / sizeof(synopsis[0]);
	return synopsis;
}

const char *
cli_description(void)
{
	return description;
}

size_t
cli_spelling(const struct cli_option *o, char *buf, size_t len)
{
	int n;

	if (o->id < 128)
		n = snprintf(buf, len, "-%c, --%s%s%s", o->id, o->name, o->arg ? " " : "",
		             o->arg ? o->arg : "");
	else
		n = snprintf(buf, len, "--%s%s%s", o->name, o->arg ? " " : "",
		             o->arg ? o->arg : "");
	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n : (len > 0 ? len - 1 : 0);
}

/* A long usage line wraps before USAGE_WIDTH, under its first option. */
static void
print_synopsis(FILE *f, const char *lead, const char *s)
{
	size_t indent = strlen(lead) + strlen("pproftop "), col = indent;
	const char *p = s;

	fprintf(f, "%spproftop ", lead);
	while (*p != '\0') {
		const char *sp = strchr(p, ' ');
		size_t w = sp ? (size_t)(sp - p) : strlen(p);
		if (col > indent && col + 1 + w > USAGE_WIDTH) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, w, f);
		col += w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

void
cli_usage(FILE *f)
{
	char left[80];

	for (size_t i = 0; i < sizeof(synopsis) / sizeof(synopsis[0]); i++)
		print_synopsis(f, i == 0 ? "usage: " : "       ", synopsis[i]);
	fprintf(f, "\n%s\n", description);
	for (size_t i = 0; i < NOPTIONS; i++) {
		const struct cli_option *o = &options[i];
		if (o->group != NULL)
			fprintf(f, "%s:\n", o->group);
		if (o->help == NULL)
			continue;
		size_t n = cli_spelling(o, left, sizeof(left));
		fprintf(f, "  %s%s", o->id < 128 ? "" : "    ", left);
		n += o->id < 128 ? 2 : 6;
		if (n + 2 > HELP_COLUMN) {
			fputc('\n', f);
			n = 0;
		}
		const char *p = o->help;
		while (*p != '\0') {
			const char *nl = strchr(p, '\n');
			size_t w = nl ? (size_t)(nl - p) : strlen(p);
			fprintf(f, "%*s%.*s\n", (int)(HELP_COLUMN - n), "", (int)w, p);
			n = 0;
			p += w + (nl != NULL);
		}
	}
}
