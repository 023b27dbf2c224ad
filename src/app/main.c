/* main.c - the command line: options and targets, then the dashboard
 * (app.h), batch mode or saved files (batch.h). */
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pproftop/app.h"
#include "pproftop/batch.h"
#include "pproftop/cliopts.h"
#include "pproftop/parse.h"
#include "pproftop/readfile.h"
#include "pproftop/target.h"
#include "pproftop/xalloc.h"

#define MAX_HEADERS 64

struct opts {
	const char *open, *base, *name, *targets;
	bool batch, json, no_color, tree;
	size_t rows;
};

struct targets {
	struct app_target *v;
	size_t n;
};

/* One TARGET (from is where it came from, for the error). */
static int
add_target(struct targets *t, const char *s, const char *from)
{
	char why[1200];

	if (t->n == APP_MAX_TARGETS) {
		fprintf(stderr, "pproftop: %s%stoo many targets (at most %d)\n", from ? from : "",
		        from ? ": " : "", APP_MAX_TARGETS);
		return -1;
	}
	struct app_target *at = &t->v[t->n];
	if (target_parse(s, at->url, sizeof(at->url), at->shown, sizeof(at->shown)) != 0) {
		snprintf(why, sizeof(why), "%s", at->url);
		if (from != NULL)
			fprintf(stderr, "pproftop: %s: %s\n", from, why);
		else
			fprintf(stderr, "pproftop: %s\n", why);
		return -1;
	}
	snprintf(at->given, sizeof(at->given), "%s", strchr(s, '@') == NULL ? s : at->shown);
	t->n++;
	return 0;
}

/* --targets FILE: one TARGET a line; blank lines and # comments skipped. */
static int
add_targets_file(struct targets *t, const char *path)
{
	char err[512], where[600], line[2048];
	size_t len;
	char *text = readfile(path, 1 << 20, &len, err, sizeof(err));

	if (text == NULL) {
		fprintf(stderr, "pproftop: --targets %s\n", err);
		return -1;
	}
	const char *p = text, *end = text + len;
	int rc = 0;
	for (unsigned lineno = 1; rc == 0 && p < end; lineno++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *q = p;
		p += n + 1;
		while (n > 0 && (*q == ' ' || *q == '\t')) {
			q++;
			n--;
		}
		while (n > 0 && (q[n - 1] == ' ' || q[n - 1] == '\t' || q[n - 1] == '\r'))
			n--;
		if (n == 0 || q[0] == '#')
			continue;
		if (n >= sizeof(line)) {
			fprintf(stderr, "pproftop: %s:%u: line too long\n", path, lineno);
			rc = -1;
			break;
		}
		memcpy(line, q, n);
		line[n] = '\0';
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		rc = add_target(t, line, where);
	}
	free(text);
	return rc;
}

static int
parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (end == s || *end != '\0')
		return -1;
	*out = (size_t)v;
	return 0;
}

static int
parse_seconds(const char *s, double min, double max, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= min && v <= max))
		return -1;
	*out = v;
	return 0;
}

struct headers {
	char *v[MAX_HEADERS];
	size_t n;
};

/* A header must look like "Name: value" and must not smuggle a line break. */
static int
add_header(struct headers *h, const char *s, size_t len, const char *from)
{
	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	if (len == 0)
		return 0;
	const char *colon = memchr(s, ':', len);
	if (colon == NULL || colon == s || memchr(s, '\n', len) || memchr(s, '\r', len)) {
		/* never echo the value: it may be a token */
		fprintf(stderr, "pproftop: %s: a header must look like 'Name: value'\n", from);
		return -1;
	}
	if (h->n == MAX_HEADERS) {
		fprintf(stderr, "pproftop: too many headers (at most %d)\n", MAX_HEADERS);
		return -1;
	}
	h->v[h->n++] = xstrndup(s, len);
	return 0;
}

static int
add_header_lines(struct headers *h, const char *text, size_t len, const char *from)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0 && p[0] != '#' && add_header(h, p, n, from) != 0)
			return -1;
		p += n + 1;
	}
	return 0;
}

static int
add_header_arg(struct headers *h, const char *arg)
{
	if (arg[0] != '@')
		return add_header(h, arg, strlen(arg), "-H");
	char err[512];
	size_t len;
	char *text = readfile(arg + 1, 1 << 20, &len, err, sizeof(err));
	if (text == NULL) {
		fprintf(stderr, "pproftop: -H %s\n", err);
		return -1;
	}
	int rc = add_header_lines(h, text, len, arg + 1);
	free(text);
	return rc;
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
main(int argc, char **argv)
{
	size_t nopt;
	const struct cli_option *table = cli_options(&nopt);
	struct option *longopts = xcalloc(nopt + 1, sizeof(*longopts));
	char shortopts[64], *so = shortopts;
	for (size_t i = 0; i < nopt; i++) {
		longopts[i] =
		    (struct option){ table[i].name, table[i].arg ? required_argument : no_argument,
			             NULL, table[i].id };
		if (table[i].id < 128 && so + 3 < shortopts + sizeof(shortopts)) {
			*so++ = (char)table[i].id;
			if (table[i].arg != NULL)
				*so++ = ':';
		}
	}
	*so = '\0';
	struct opts o = { 0 };
	struct app_config cfg = { 0 };
	struct headers hdr = { { 0 }, 0 };
	struct targets tg = { xcalloc(APP_MAX_TARGETS, sizeof(struct app_target)), 0 };
	double secs;
	size_t num;
	int c, rc = 2;

	cfg.interval = 2;
	cfg.batch_n = 2;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case CLI_OPEN:
			o.open = optarg;
			break;
		case CLI_BASE:
			o.base = optarg;
			break;
		case CLI_NAME:
			o.name = optarg;
			break;
		case CLI_BATCH:
			o.batch = true;
			break;
		case CLI_JSON:
			o.json = true;
			break;
		case CLI_TREE:
			o.tree = true;
			break;
		case CLI_CPU:
			cfg.cpu = true;
			break;
		case CLI_TARGETS:
			o.targets = optarg;
			break;
		case CLI_MUTEX_SCALED:
			if (strcmp(optarg, "yes") != 0 && strcmp(optarg, "no") != 0) {
				fprintf(stderr,
				        "pproftop: --mutex-scaled: want yes or no, got '%s'\n",
				        optarg);
				goto out;
			}
			parse_text_set_mutex_scaled(strcmp(optarg, "yes") == 0);
			break;
		case CLI_MAX_INFLIGHT:
			if (parse_size(optarg, &num) != 0 || num < 1 || num > 1000) {
				fprintf(stderr,
				        "pproftop: --max-inflight: want a number from 1 to 1000, "
				        "got '%s'\n",
				        optarg);
				goto out;
			}
			cfg.max_inflight = (unsigned)num;
			break;
		case CLI_ROWS:
			if (parse_size(optarg, &o.rows) != 0) {
				fprintf(stderr, "pproftop: --rows: not a number: %s\n", optarg);
				goto out;
			}
			break;
		case 'i':
			if (parse_seconds(optarg, 0.1, 3600, &cfg.interval) != 0) {
				fprintf(stderr,
				        "pproftop: --interval: want seconds from 0.1 to 3600, "
				        "got '%s'\n",
				        optarg);
				goto out;
			}
			break;
		case 'o':
			cfg.snapshot_dir = optarg;
			break;
		case 'H':
			if (add_header_arg(&hdr, optarg) != 0)
				goto out;
			break;
		case 'n':
			if (parse_size(optarg, &num) != 0 || num < 1 || num > 1000000) {
				fprintf(stderr, "pproftop: --count: want a number >= 1, got '%s'\n",
				        optarg);
				goto out;
			}
			cfg.batch_n = (unsigned)num;
			break;
		case CLI_INSECURE:
			cfg.insecure = true;
			break;
		case CLI_CACERT:
			cfg.cacert = optarg;
			break;
		case CLI_CERT:
			cfg.cert = optarg;
			break;
		case CLI_KEY:
			cfg.key = optarg;
			break;
		case CLI_TIMEOUT:
			if (parse_seconds(optarg, 0.05, 3600, &secs) != 0) {
				fprintf(stderr, "pproftop: --timeout: want seconds, got '%s'\n",
				        optarg);
				goto out;
			}
			cfg.timeout_ms = (long)(secs * 1000);
			break;
		case CLI_MAXBODY:
			if (parse_size(optarg, &num) != 0 || num < 1 || num > 4096) {
				fprintf(stderr, "pproftop: --max-body: want MiB from 1 to 4096\n");
				goto out;
			}
			cfg.max_body = num << 20;
			break;
		case CLI_NOCOLOR:
			o.no_color = true;
			break;
		case CLI_EXIT_AFTER:
			if (parse_size(optarg, &num) != 0) {
				fprintf(stderr, "pproftop: --exit-after: not a number\n");
				goto out;
			}
			cfg.exit_after = (unsigned)num;
			break;
		case CLI_WINDOW:
			if (parse_seconds(optarg, 5, 86400, &cfg.window) != 0) {
				fprintf(
				    stderr,
				    "pproftop: --window: want seconds from 5 to 86400, got '%s'\n",
				    optarg);
				goto out;
			}
			break;
		case CLI_FAIL_ON_GROWTH:
			cfg.fail_on_growth = true;
			break;
		case CLI_BUDGET:
			if (parse_seconds(optarg, 0, 100, &cfg.budget) != 0) {
				fprintf(stderr,
				        "pproftop: --budget: want a percentage from 0 to 100, got "
				        "'%s'\n",
				        optarg);
				goto out;
			}
			cfg.budget_set = true;
			break;
		case 'h':
			cli_usage(stdout);
			rc = 0;
			goto out;
		case 'V':
			app_version(stdout);
			rc = 0;
			goto out;
		default:
			fputs("pproftop: see pproftop --help\n", stderr);
			goto out;
		}
	}
	const char *env = getenv("PPROFTOP_HEADERS");
	if (env != NULL && add_header_lines(&hdr, env, strlen(env), "PPROFTOP_HEADERS") != 0)
		goto out;
	cfg.headers = (const char *const *)hdr.v;
	cfg.nheaders = hdr.n;
	cfg.json = o.json;
	cfg.rows = o.rows;
	cfg.tree = o.tree;
	const char *nc = getenv("NO_COLOR");
	cfg.color = !o.no_color && (nc == NULL || nc[0] == '\0');

	if (o.tree && !o.batch && !o.json && o.base == NULL) {
		fputs("pproftop: --tree needs --batch or --json\n", stderr);
		goto out;
	}
	if (o.open != NULL) {
		if (optind < argc || o.targets != NULL) {
			fputs("pproftop: --open takes no TARGET\n", stderr);
			goto out;
		}
		if (o.base != NULL || ((o.batch || o.json) && !is_dir(o.open))) {
			if (o.base != NULL && !o.batch && !o.json)
				o.batch = true;
			struct batch_files bf = {
				.open = o.open,
				.base = o.base,
				.name = o.name,
				.json = o.json,
				.tree = o.tree,
				.rows = o.rows,
			};
			rc = batch_files(&bf);
			goto out;
		}
		cfg.open_dir = o.open;
		setlocale(LC_ALL, "");
		rc = (o.batch || o.json) ? batch_run(&cfg) : app_run(&cfg);
		goto out;
	}
	if (o.base != NULL) {
		fputs("pproftop: --base needs --open\n", stderr);
		goto out;
	}
	if (cfg.fail_on_growth && !o.batch && !o.json) {
		fputs("pproftop: --fail-on-growth needs --batch\n", stderr);
		goto out;
	}
	for (int i = optind; i < argc; i++)
		if (add_target(&tg, argv[i], NULL) != 0)
			goto out;
	if (o.targets != NULL && add_targets_file(&tg, o.targets) != 0)
		goto out;
	if (tg.n == 0 && o.targets != NULL) {
		fprintf(stderr, "pproftop: --targets %s: no targets in it\n", o.targets);
		goto out;
	}
	if (tg.n == 0 && add_target(&tg, "http://localhost:6060", NULL) != 0)
		goto out;
	cfg.targets = tg.v;
	cfg.ntargets = tg.n;
	if (o.batch || o.json) {
		rc = batch_run(&cfg);
	} else {
		setlocale(LC_ALL, "");
		rc = app_run(&cfg);
	}
out:
	for (size_t i = 0; i < hdr.n; i++)
		free(hdr.v[i]);
	free(tg.v);
	free(longopts);
	return rc;
}
