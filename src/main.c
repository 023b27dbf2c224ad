/* main.c - command line: options, offline mode (--open), live dashboard. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/diff.h"
#include "pproftop/parse.h"
#include "pproftop/readfile.h"
#include "pproftop/report.h"

#define MAX_FILE ((size_t)1 << 30)

static const char usage_text[] =
	"usage: pproftop [options] [TARGET]\n"
	"       pproftop --open FILE [--base FILE2] --batch [--json]\n"
	"\n"
	"Offline:\n"
	"  --open FILE        read a saved profile (any format Go serves)\n"
	"  --base FILE2       diff FILE (new) against FILE2 (old)\n"
	"  --name NAME        the profile's endpoint name when the bytes can't tell\n"
	"                     (block or mutex protobuf, allocs text)\n"
	"  --batch            print tables instead of opening the dashboard\n"
	"  --json             print one JSON document (with --batch)\n"
	"  --rows N           at most N groups per profile (default: all)\n"
	"  -h, --help         this help\n"
	"  -V, --version      print the version\n";

struct opts {
	const char *open, *base, *name;
	bool batch, json;
	size_t rows;
};

static struct snapshot *
load(const char *path, const char *name)
{
	char err[512];
	size_t len;
	char *buf = readfile(path, MAX_FILE, &len, err, sizeof(err));

	if (buf == NULL) {
		fprintf(stderr, "pproftop: %s\n", err);
		return NULL;
	}
	struct snapshot *s = NULL;
	struct parse_err pe;
	if (profile_parse(buf, len, name, &s, &pe) != 0) {
		parse_err_format(&pe, path, err, sizeof(err));
		fprintf(stderr, "pproftop: %s\n", err);
	}
	free(buf);
	return s;
}

static int
run_offline(const struct opts *o)
{
	struct snapshot *now = load(o->open, o->name), *old = NULL;
	struct diff d;
	struct report_item it = { now, NULL, NULL };
	int rc = 0;

	if (now == NULL)
		return 1;
	if (o->base != NULL) {
		old = load(o->base, o->name ? o->name : now->name);
		if (old == NULL) {
			snapshot_free(now);
			return 1;
		}
		if (diff_compute(&d, old, now, 0) != 0) {
			fprintf(stderr, "pproftop: %s and %s are different profiles (%s, %s)\n",
				o->open, o->base, now->name, old->name);
			snapshot_free(now);
			snapshot_free(old);
			return 1;
		}
		it.d = &d;
	}
	if (o->json)
		report_json(stdout, &it, 1, o->rows);
	else
		report_table(stdout, &it, o->rows);
	if (fflush(stdout) != 0)
		rc = 1;
	if (it.d)
		diff_free(&d);
	snapshot_free(now);
	snapshot_free(old);
	return rc;
}

static int
parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s || *end != '\0' || s[0] == '-')
		return -1;
	*out = (size_t)v;
	return 0;
}

int
main(int argc, char **argv)
{
	enum { OPT_OPEN = 256, OPT_BASE, OPT_NAME, OPT_BATCH, OPT_JSON, OPT_ROWS };
	static const struct option longopts[] = {
		{ "open", required_argument, NULL, OPT_OPEN },
		{ "base", required_argument, NULL, OPT_BASE },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "batch", no_argument, NULL, OPT_BATCH },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "rows", required_argument, NULL, OPT_ROWS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_OPEN:
			o.open = optarg;
			break;
		case OPT_BASE:
			o.base = optarg;
			break;
		case OPT_NAME:
			o.name = optarg;
			break;
		case OPT_BATCH:
			o.batch = true;
			break;
		case OPT_JSON:
			o.json = true;
			break;
		case OPT_ROWS:
			if (parse_size(optarg, &o.rows) != 0) {
				fprintf(stderr, "pproftop: --rows: not a number: %s\n", optarg);
				return 2;
			}
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			puts("pproftop " PPROFTOP_VERSION);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (o.open != NULL) {
		if (!o.batch && !o.json) {
			fputs("pproftop: the dashboard view of --open is not built yet; use --batch\n",
			      stderr);
			return 2;
		}
		return run_offline(&o);
	}
	if (o.base != NULL) {
		fputs("pproftop: --base needs --open\n", stderr);
		return 2;
	}
	fputs("pproftop: live mode is not built yet\n", stderr);
	return 2;
}
