/* bench_proto_pbc.c - protobuf-c's generated unpacker against pproftop's
 * hand-written wire reader, on the same decompressed bytes.
 *
 *   bench_proto_pbc [-n RUNS] FILE...
 *
 * For each file (gzipped or raw profile.proto): inflate time (gunzip_inflate: zlib),
 * then, on the inflated bytes, best/median wall time of
 *   pbc    perftools__profiles__profile__unpack + free_unpacked (protobuf-c),
 *   wire   parse_proto's wire reader alone: both passes, id/string
 *          resolution, every sample and location lookup, no snapshot,
 *   parse  parse_proto on the inflated bytes (wire reader + builder).
 * Both decoders' counts are printed so one can see they read the same data.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pproftop/gunzip.h"
#include "pproftop/parse.h"
#include "pproftop/parse_proto_bench.h"
#include "profile.pb-c.h"


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

static void
report(const char *what, double *t, long runs)
{
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	printf("  %-7s best %9.3f ms  median %9.3f ms\n", what, t[0], t[runs / 2]);
}

static unsigned char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap);
	while (buf != NULL) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
		unsigned char *nb = realloc(buf, cap);
		if (nb == NULL)
			free(buf);
		buf = nb;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* gunzip with the parser's own inflater (gunzip.h), as parse_proto does */
static unsigned char *
inflate_all(const unsigned char *in, size_t len, size_t *outlen)
{
	uint8_t *out;
	struct parse_err err;

	if (gunzip_inflate(in, len, &out, outlen, &err) != 0)
		return NULL;
	return out;
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

static int
bench_file(const char *path, long runs, double *t)
{
	size_t len, rawlen = 0;
	unsigned char *buf = read_file(path, &len), *raw = NULL;

	if (buf == NULL) {
		fprintf(stderr, "%s: cannot read\n", path);
		return 1;
	}
	if (len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) {
		for (long r = 0; r < runs; r++) {
			free(raw);
			double t0 = now_ms();
			raw = inflate_all(buf, len, &rawlen);
			t[r] = now_ms() - t0;
			if (raw == NULL) {
				fprintf(stderr, "%s: bad gzip\n", path);
				free(buf);
				return 1;
			}
		}
		printf("%s: %zu bytes gzipped, %zu inflated\n", path, len, rawlen);
		report("inflate", t, runs);
	} else {
		raw = buf;
		rawlen = len;
		buf = NULL;
		printf("%s: %zu bytes, not gzipped\n", path, rawlen);
	}

	Perftools__Profiles__Profile *p = NULL;
	for (long r = 0; r < runs; r++) {
		double t0 = now_ms();
		p = perftools__profiles__profile__unpack(NULL, rawlen, raw);
		if (p != NULL && r + 1 < runs) {
			perftools__profiles__profile__free_unpacked(p, NULL);
			p = NULL;
		}
		t[r] = now_ms() - t0;
		if (p == NULL && r + 1 == runs)
			break;
	}
	if (p == NULL) {
		fprintf(stderr, "%s: protobuf-c cannot unpack it\n", path);
	} else {
		printf("  pbc:  %zu samples, %zu locations, %zu functions, %zu strings\n",
		       p->n_sample, p->n_location, p->n_function, p->n_string_table);
		double t0 = now_ms();
		perftools__profiles__profile__free_unpacked(p, NULL);
		t[runs - 1] += now_ms() - t0;
		report("pbc", t, runs);
	}

	struct parse_err err;
	size_t nl = 0, nf = 0, ns = 0;
	long nsamples = -1;
	for (long r = 0; r < runs; r++) {
		double t0 = now_ms();
		nsamples = parse_proto_wire_bench(raw, rawlen, &nl, &nf, &ns, &err);
		t[r] = now_ms() - t0;
	}
	if (nsamples < 0) {
		fprintf(stderr, "%s: byte %zu: %s\n", path, err.offset, err.msg);
	} else {
		printf("  wire: %ld samples, %zu locations, %zu functions, %zu strings\n", nsamples,
		       nl, nf, ns);
		report("wire", t, runs);
	}

	struct snapshot *s = NULL;
	int ok = 1;
	for (long r = 0; r < runs && ok; r++) {
		snapshot_free(s);
		s = NULL;
		double t0 = now_ms();
		ok = parse_proto(raw, rawlen, NULL, &s, &err) == 0;
		t[r] = now_ms() - t0;
	}
	if (ok) {
		printf("  parse: %s, %zu groups\n", s->name, s->ngroups);
		report("parse", t, runs);
	}
	snapshot_free(s);
	free(raw);
	free(buf);
	return p == NULL || nsamples < 0 || !ok;
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
		fprintf(stderr, "usage: bench_proto_pbc [-n RUNS] FILE...\n");
		return 2;
	}
	double *t = calloc((size_t)runs, sizeof(*t));
	if (t == NULL)
		return 2;
	for (; i < argc; i++)
		status |= bench_file(argv[i], runs, t);
	free(t);
	return status;
}
