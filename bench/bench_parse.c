/* bench_parse.c - time profile_parse() on real files, any format.
 *
 *   bench_parse [-n RUNS] FILE...
 *
 * For each file: reads it into memory, parses it RUNS times (default 5) with
 * format detection (name NULL), and prints the detected format, kind, number
 * of groups, the best and median wall time, and the process's peak RSS so
 * far (getrusage ru_maxrss; it only grows, so run one file per process to
 * attribute it). Exit status 1 if any file fails to parse.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "pproftop/parse.h"

static double
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (buf == NULL)
			break;
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
		char *nb = realloc(buf, cap);
		if (nb == NULL) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
	}
	fclose(f);
	*len = n;
	return buf;
}

static const char *
format_name(enum prof_format f)
{
	switch (f) {
	case FMT_PROTO:
		return "proto";
	case FMT_TEXT:
		return "text";
	case FMT_DUMP:
		return "dump";
	}
	return "?";
}

static long
parse_runs(const char *s)
{
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 100000)
		return -1;
	return v;
}

int
main(int argc, char **argv)
{
	long runs = 5;
	int i = 1, status = 0;

	if (i + 1 < argc && strcmp(argv[i], "-n") == 0) {
		runs = parse_runs(argv[i + 1]);
		i += 2;
	}
	if (runs < 0 || i >= argc) {
		fprintf(stderr, "usage: bench_parse [-n RUNS] FILE...\n");
		return 2;
	}
	double *t = calloc((size_t)runs, sizeof(*t));
	if (t == NULL)
		return 2;
	for (; i < argc; i++) {
		size_t len;
		char *buf = read_file(argv[i], &len);
		if (buf == NULL) {
			fprintf(stderr, "%s: cannot read: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		struct snapshot *s = NULL;
		struct parse_err err;
		int failed = 0;
		for (long r = 0; r < runs && !failed; r++) {
			snapshot_free(s);
			s = NULL;
			double t0 = now_ms();
			if (profile_parse(buf, len, NULL, &s, &err) != 0)
				failed = 1;
			t[r] = now_ms() - t0;
		}
		if (failed) {
			char msg[512];
			parse_err_format(&err, argv[i], msg, sizeof(msg));
			fprintf(stderr, "%s\n", msg);
			status = 1;
		} else {
			struct rusage ru;
			getrusage(RUSAGE_SELF, &ru);
			qsort(t, (size_t)runs, sizeof(*t), cmp_double);
			printf("%s: %zu bytes, format %s, %s, %zu groups, %lld samples, best %.3f "
			       "ms, median %.3f ms (%ld runs), peak RSS %ld KiB\n",
			       argv[i], len, format_name(s->format), s->name, s->ngroups,
			       (long long)s->nsamples, t[0], t[runs / 2], runs, ru.ru_maxrss);
		}
		snapshot_free(s);
		free(buf);
	}
	free(t);
	return status;
}
