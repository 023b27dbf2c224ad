/* test_savedir.c - snapshot directories: contents, permissions, atomicity,
 * symlinks, errors, and reading them back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pproftop/model.h"
#include "pproftop/savedir.h"
#include "testutil.h"

static char tmp[256];

static int
setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/pproftop-savedir-XXXXXX");
	return mkdtemp(tmp) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static void
feed(struct model *m, enum ep_id e, const char *rel)
{
	size_t len;
	char *body = tu_read(rel, &len);

	assert_int_equal(model_ingest(m, e, (unsigned char *)body, len, 1.0, 0.01), 0);
}

static void
report(FILE *out, void *ud)
{
	fprintf(out, "report of %s\n", (const char *)ud);
}

static int
count_entries(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	if (p != NULL) {
		if (fscanf(p, "%d", &n) != 1) /* NOLINT(cert-err34-c): test helper */
			n = -1;
		pclose(p);
	}
	return n;
}

static void
writes_bodies_and_modes(void **state)
{
	struct model m;
	char path[4096], err[512], f[4200];
	struct stat st;

	(void)state;
	model_init(&m);
	feed(&m, EP_GOROUTINE, "go1.21/goroutine.pb.gz");
	feed(&m, EP_HEAP, "go1.21/heap-debug1.txt"); /* also allocs and MemStats */
	char parent[300];
	snprintf(parent, sizeof(parent), "%s/snaps/deeper", tmp);
	assert_int_equal(savedir_write(parent, &m, "http://h:1/debug/pprof", report, "x", path,
	                               sizeof(path), err, sizeof(err)),
	                 0);
	assert_non_null(strstr(path, "/pproftop-"));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(parent, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* the bodies exactly as fetched */
	size_t a, b;
	char *orig = tu_read("go1.21/goroutine.pb.gz", &a);
	snprintf(f, sizeof(f), "%s/goroutine.pb.gz", path);
	FILE *fp = fopen(f, "rb");
	assert_non_null(fp);
	char *copy = malloc(a + 16);
	b = fread(copy, 1, a + 16, fp);
	fclose(fp);
	assert_int_equal(a, b);
	assert_memory_equal(orig, copy, a);
	free(orig);
	free(copy);
	assert_int_equal(stat(f, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* goroutine, heap (once: allocs and MemStats came in it), report,
	 * meta: nothing else (no temp files) */
	assert_int_equal(count_entries(path), 4);
	snprintf(f, sizeof(f), "%s/heap-debug1.txt", path);
	assert_int_equal(stat(f, &st), 0);
	assert_int_equal(count_entries(parent), 1);
	snprintf(f, sizeof(f), "%s/meta.txt", path);
	fp = fopen(f, "r");
	char line[256];
	assert_non_null(fgets(line, sizeof(line), fp));
	fclose(fp);
	assert_string_equal(line, "target: http://h:1/debug/pprof\n");

	/* read it back */
	struct model m2;
	model_init(&m2);
	assert_int_equal(savedir_load(path, &m2, err, sizeof(err)), 2);
	assert_int_equal(m2.ep[EP_GOROUTINE].cur->totals[0], m.ep[EP_GOROUTINE].cur->totals[0]);
	assert_true(m2.meter_known[METER_HEAP_ALLOC]);
	for (int e = EP_HEAP; e <= EP_ALLOCS; e++)
		assert_int_equal(m2.ep[e].cur->totals[2], m.ep[e].cur->totals[2]);
	assert_non_null(m2.ep[EP_MEMSTATS].cur);
	assert_int_equal(m2.ep[EP_ALLOCS].cur->kind, PROF_ALLOCS);
	model_free(&m2);
	model_free(&m);
}

static void
never_follows_a_symlink(void **state)
{
	struct model m;
	char path[4096], err[512], victim[300], link[4400], stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	(void)state;
	model_init(&m);
	feed(&m, EP_GOROUTINE, "go1.21/goroutine.pb.gz");
	/* plant symlinks at the names of this second and the next */
	snprintf(victim, sizeof(victim), "%s/victim", tmp);
	assert_int_equal(mkdir(victim, 0755), 0);
	for (int k = 0; k < 2; k++) {
		time_t t = now + k;
		localtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(link, sizeof(link), "%s/pproftop-%s", tmp, stamp);
		assert_int_equal(symlink(victim, link), 0);
	}
	assert_int_equal(
	    savedir_write(tmp, &m, "t", NULL, NULL, path, sizeof(path), err, sizeof(err)), 0);
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode)); /* a new directory, not the link */
	assert_int_equal(count_entries(victim), 0);
	model_free(&m);
}

static void
errors_leave_nothing(void **state)
{
	struct model m;
	char path[4096], err[512], file[300];

	(void)state;
	model_init(&m);
	/* nothing polled yet */
	assert_int_equal(
	    savedir_write(tmp, &m, "t", NULL, NULL, path, sizeof(path), err, sizeof(err)), -1);
	assert_string_equal(err, "nothing to save yet: no poll has succeeded");
	assert_int_equal(count_entries(tmp), 0);
	/* the parent is a file */
	feed(&m, EP_GOROUTINE, "go1.21/goroutine.pb.gz");
	snprintf(file, sizeof(file), "%s/plain", tmp);
	FILE *fp = fopen(file, "w");
	fclose(fp);
	assert_int_equal(
	    savedir_write(file, &m, "t", NULL, NULL, path, sizeof(path), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "plain"));
	/* no permission (root ignores modes: skip then) */
	if (geteuid() != 0) {
		char ro[300];
		snprintf(ro, sizeof(ro), "%s/ro", tmp);
		assert_int_equal(mkdir(ro, 0500), 0);
		assert_int_equal(
		    savedir_write(ro, &m, "t", NULL, NULL, path, sizeof(path), err, sizeof(err)),
		    -1);
		assert_non_null(strstr(err, "Permission denied"));
	}
	model_free(&m);
}

static void
load_errors(void **state)
{
	struct model m;
	char err[512];

	(void)state;
	model_init(&m);
	assert_int_equal(savedir_load("/nonexistent/pproftop", &m, err, sizeof(err)), 0);
	assert_string_equal(err, "/nonexistent/pproftop: No such file or directory");
	assert_int_equal(savedir_load(tmp, &m, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "no pprof files found"));
	model_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(writes_bodies_and_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(never_follows_a_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(errors_leave_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(load_errors, setup, teardown),
	};
	return cmocka_run_group_tests_name("savedir", tests, NULL, NULL);
}
