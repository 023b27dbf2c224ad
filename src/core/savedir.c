/* savedir.c - snapshot directories (see savedir.h). */
#include "pproftop/savedir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pproftop/parse.h"
#include "pproftop/readfile.h"
#include "pproftop/xalloc.h"

/* mkdir -p with mode 0700 for the components it creates. */
static int
mkdirs(const char *path, char *err, size_t errlen)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf)) {
		snprintf(err, errlen, "snapshot dir: bad path");
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char c = buf[i];
		buf[i] = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", buf, strerror(errno));
			return -1;
		}
		buf[i] = c;
	}
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory", path);
		return -1;
	}
	return 0;
}

static int
write_file(const char *dir, const char *name, const void *data, size_t len, char *err,
           size_t errlen)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void
remove_tree(const char *dir)
{
	char path[4096];
	static const char *const extra[] = { "report.txt", "meta.txt" };

	for (int e = 0; e < EP_COUNT; e++)
		for (int f = 0; f < FORM_COUNT; f++) {
			if (ep_info(e)->file[f] == NULL)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, ep_info(e)->file[f]);
			unlink(path);
		}
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, extra[i]);
		unlink(path);
	}
	rmdir(dir);
}

int
savedir_write(const char *parent, const struct model *m, const char *target,
              void (*report)(FILE *out, void *ud), void *ud, char *path, size_t pathlen, char *err,
              size_t errlen)
{
	char tmp[4096], stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	if (mkdirs(parent, err, errlen) != 0)
		return -1;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(tmp, sizeof(tmp), "%s/.pproftop-%s.tmp%ld", parent, stamp, (long)getpid());
	if (mkdir(tmp, 0700) != 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	int saved = 0;
	for (int e = 0; e < EP_COUNT; e++) {
		const struct endpoint *ep = &m->ep[e];
		if (ep->raw == NULL || ep_info(e)->file[ep->form] == NULL)
			continue;
		if (write_file(tmp, ep_info(e)->file[ep->form], ep->raw, ep->rawlen, err, errlen) !=
		    0)
			goto fail;
		saved++;
	}
	if (saved == 0) {
		snprintf(err, errlen, "nothing to save yet: no poll has succeeded");
		goto fail;
	}
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	if (f == NULL) {
		snprintf(err, errlen, "cannot write report: %s", strerror(errno));
		goto fail;
	}
	if (report != NULL)
		report(f, ud);
	fclose(f);
	int rc = write_file(tmp, "report.txt", buf, blen, err, errlen);
	free(buf);
	if (rc != 0)
		goto fail;
	char meta[1024], when[64];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", &tm);
	int ml = snprintf(meta, sizeof(meta), "target: %s\ntime: %s\ntool: pproftop %s\n", target,
	                  when, PPROFTOP_VERSION);
	if (write_file(tmp, "meta.txt", meta, (size_t)ml, err, errlen) != 0)
		goto fail;
	/* final name; add -N when a snapshot of the same second exists */
	for (int i = 0; i < 100; i++) {
		if (i == 0)
			snprintf(path, pathlen, "%s/pproftop-%s", parent, stamp);
		else
			snprintf(path, pathlen, "%s/pproftop-%s-%d", parent, stamp, i);
		struct stat st;
		if (lstat(path, &st) == 0)
			continue;
		if (rename(tmp, path) == 0)
			return 0;
		snprintf(err, errlen, "cannot rename to %s: %s", path, strerror(errno));
		goto fail;
	}
	snprintf(err, errlen, "too many snapshots in the same second");
fail:
	remove_tree(tmp);
	return -1;
}

/* A single profile file: ingest it into the endpoint its kind belongs to. */
static int
load_file(const char *path, struct model *m, char *err, size_t errlen)
{
	size_t len;
	char why[512];
	char *body = readfile(path, (size_t)1 << 30, &len, why, sizeof(why));

	if (body == NULL) {
		snprintf(err, errlen, "%s", why);
		return 0;
	}
	struct snapshot *s = NULL;
	struct parse_err pe;
	if (profile_parse(body, len, NULL, &s, &pe) != 0) {
		parse_err_format(&pe, path, err, errlen);
		free(body);
		return 0;
	}
	enum ep_id e = kind_endpoint(s->kind);
	bool memstats = s->nmemstats > 0;
	snapshot_free(s);
	int loaded = 0;
	if (memstats && e != EP_HEAP) {
		/* heap text brings MemStats itself (model_ingest) */
		unsigned char *copy = xmalloc(len + 1);
		memcpy(copy, body, len);
		loaded += model_ingest(m, EP_MEMSTATS, copy, len, 1.0, 0) == 0;
	}
	loaded += model_ingest(m, e, (unsigned char *)body, len, 1.0, 0) == 0;
	if (loaded == 0)
		snprintf(err, errlen, "%s: %s", path, m->ep[e].err);
	return loaded;
}

int
savedir_load(const char *dir, struct model *m, char *err, size_t errlen)
{
	int loaded = 0;
	struct stat st;

	if (stat(dir, &st) != 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(dir, m, err, errlen);
	char path[4096], why[512] = "";

	/* each endpoint from its first file there, text before protobuf (a
	 * snapshot saved by earlier builds has heap.pb.gz, allocs.pb.gz and
	 * heap-debug1.txt); allocs and memstats come with heap-debug1.txt */
	for (int e = 0; e < EP_COUNT; e++)
		for (int f = 0; f < FORM_COUNT && m->ep[e].polls == 0; f++) {
			size_t len;
			if (ep_info(e)->file[f] == NULL)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, ep_info(e)->file[f]);
			if (access(path, R_OK) != 0)
				continue;
			char *body = readfile(path, (size_t)1 << 30, &len, why, sizeof(why));
			if (body == NULL)
				continue;
			if (model_ingest(m, (enum ep_id)e, (unsigned char *)body, len, 1.0, 0) == 0)
				loaded++;
			else
				snprintf(why, sizeof(why), "%s", m->ep[e].err);
		}
	if (loaded == 0)
		snprintf(err, errlen, "%s: no pprof files found%s%s", dir, why[0] ? ": " : "", why);
	return loaded;
}
