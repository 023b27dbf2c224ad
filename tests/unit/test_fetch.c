/* test_fetch.c - the fetcher against a tiny HTTP/1.1 server forked here.
 *
 * The server listens on 127.0.0.1:<port> and 127.0.0.2:<same port> (the
 * second address stands for "another host"), forks one process per
 * connection and answers canned responses by path. Counters live in a
 * shared anonymous mapping so tests can see what reached the server.
 */
#define EV_COMPAT3 0

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cmocka.h>
#include <ev.h>

#include "pproftop/fetch.h"

#ifndef PPROFTOP_VERSION
#define PPROFTOP_VERSION "0.1.0"
#endif

#define TOKEN "s3cret-T0ken"
#define MIB ((size_t)1 << 20)

/* ---- the server ----------------------------------------------------------- */

struct shm {
	int other_hits; /* connections accepted on 127.0.0.2 */
	int loop_hits;  /* requests for /redir-loop */
};

static struct shm *shm;
static pid_t srv_pid;
static int srv_port;

static void
shm_inc(int *p)
{
	__atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST);
}

static int
shm_get(int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static bool
send_all(int c, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = send(c, s, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		s += w;
		n -= (size_t)w;
	}
	return true;
}

static bool
sendf(int c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return n > 0 && (size_t)n < sizeof(buf) && send_all(c, buf, (size_t)n);
}

/* A complete response with Content-Length; true = keep the connection. */
static bool
reply(int c, const char *status, const char *extra, const void *body, size_t len)
{
	return sendf(c, "HTTP/1.1 %s\r\n%sContent-Length: %zu\r\n\r\n", status, extra, len) &&
	       send_all(c, body, len);
}

static bool
redirect_to(int c, const char *status, const char *loc)
{
	return sendf(c, "HTTP/1.1 %s\r\nLocation: %s\r\nContent-Length: 6\r\n\r\nmoved\n", status,
	             loc);
}

/* Value of header name in the request head, "-" when absent. */
static void
header(const char *req, const char *name, char *out, size_t outlen)
{
	size_t k = strlen(name);
	const char *p = strstr(req, "\r\n");

	snprintf(out, outlen, "-");
	while (p != NULL && p[2] != '\r') {
		p += 2;
		if (strncasecmp(p, name, k) == 0 && p[k] == ':') {
			const char *v = p + k + 1, *e;

			while (*v == ' ')
				v++;
			e = strstr(v, "\r\n");
			snprintf(out, outlen, "%.*s", (int)(e - v), v);
			return;
		}
		p = strstr(p, "\r\n");
	}
}

static void
wait_eof(int c)
{
	char b[4096];

	while (recv(c, b, sizeof(b), 0) > 0)
		;
}

/* Answer one request; false closes the connection. */
static bool
respond(int c, const char *path, const char *req)
{
	char a[256], b[256], d[256], body[1024];
	static unsigned char blk[65536];

	if (strcmp(path, "/ok") == 0)
		return reply(c, "200 OK", "Content-Type: text/plain\r\n", "hello\n", 6);
	if (strcmp(path, "/bin") == 0) {
		unsigned char bin[256];

		for (int i = 0; i < 256; i++)
			bin[i] = (unsigned char)i;
		return reply(c, "200 OK", "Content-Type: application/octet-stream\r\n", bin, 256);
	}
	if (strncmp(path, "/echo", 5) == 0) {
		header(req, "X-Test-Token", a, sizeof(a));
		header(req, "User-Agent", b, sizeof(b));
		header(req, "Accept-Encoding", d, sizeof(d));
		snprintf(body, sizeof(body), "token=%s;ua=%s;ae=%s;path=%s", a, b, d, path);
		return reply(c, "200 OK", "", body, strlen(body));
	}
	if (strcmp(path, "/auth") == 0) {
		header(req, "Authorization", a, sizeof(a));
		return reply(c, "200 OK", "", a, strlen(a));
	}
	if (strcmp(path, "/chunked") == 0) {
		static const size_t sizes[] = { 1, 4095, 32768, 63136 }; /* 100000 */
		size_t off = 0;

		if (!sendf(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"))
			return false;
		for (size_t i = 0; i < 4; i++) {
			for (size_t j = 0; j < sizes[i]; j++)
				blk[j] = (unsigned char)((off + j) * 7);
			off += sizes[i];
			if (!sendf(c, "%zx\r\n", sizes[i]) || !send_all(c, blk, sizes[i]) ||
			    !sendf(c, "\r\n"))
				return false;
		}
		return sendf(c, "0\r\n\r\n");
	}
	if (strcmp(path, "/big") == 0 || strcmp(path, "/big-cl") == 0) {
		if (!sendf(c, "HTTP/1.1 200 OK\r\n%sConnection: close\r\n\r\n",
		           path[4] ? "Content-Length: 2147483648\r\n" : ""))
			return false;
		memset(blk, 'x', sizeof(blk));
		while (send_all(c, blk, sizeof(blk))) /* until the client gives up */
			;
		return false;
	}
	if (strcmp(path, "/exact") == 0 || strcmp(path, "/exact-close") == 0) {
		bool cl = path[6] == '\0';

		if (!sendf(c, "HTTP/1.1 200 OK\r\n%sConnection: close\r\n\r\n",
		           cl ? "Content-Length: 1048576\r\n" : ""))
			return false;
		memset(blk, 'e', sizeof(blk));
		for (int i = 0; i < 16; i++)
			if (!send_all(c, blk, sizeof(blk)))
				return false;
		return false;
	}
	if (strcmp(path, "/hang") == 0) {
		wait_eof(c);
		return false;
	}
	if (strcmp(path, "/trickle") == 0) {
		if (!sendf(c, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"))
			return false;
		while (send_all(c, "t", 1)) {
			struct timespec ts = { 0, 50 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
		return false;
	}
	if (strcmp(path, "/slow") == 0) {
		struct timespec ts = { 0, 150 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		return reply(c, "200 OK", "", "hello\n", 6);
	}
	if (strcmp(path, "/404") == 0)
		return reply(c, "404 Not Found",
		             "Content-Type: text/plain; charset=utf-8\r\n"
		             "X-Content-Type-Options: nosniff\r\nX-Go-Pprof: 1\r\n",
		             "Unknown profile\n", 16);
	if (strcmp(path, "/500") == 0)
		return reply(c, "500 Internal Server Error", "",
		             "boom\x01\x1b[31m line\r\nsecond line\n", 29);
	if (strcmp(path, "/401") == 0)
		return reply(c, "401 Unauthorized", "", "", 0);
	if (strcmp(path, "/long") == 0) {
		memset(body, 'a', 300);
		body[300] = '\n';
		return reply(c, "400 Bad Request", "", body, 301);
	}
	if (strcmp(path, "/304") == 0)
		return sendf(c, "HTTP/1.1 304 Not Modified\r\n\r\n");
	if (strcmp(path, "/redir-same") == 0)
		return redirect_to(c, "302 Found", "/ok");
	if (strcmp(path, "/redir-echo") == 0) {
		snprintf(a, sizeof(a), "http://127.0.0.1:%d/echo?x=1#frag", srv_port);
		return redirect_to(c, "301 Moved Permanently", a);
	}
	if (strcmp(path, "/redir-auth") == 0)
		return redirect_to(c, "307 Temporary Redirect", "auth");
	if (strcmp(path, "/redir-loop") == 0) {
		shm_inc(&shm->loop_hits);
		return redirect_to(c, "302 Found", "/redir-loop");
	}
	if (strcmp(path, "/redir-other") == 0) {
		snprintf(a, sizeof(a), "http://127.0.0.2:%d/echo", srv_port);
		return redirect_to(c, "302 Found", a);
	}
	if (strcmp(path, "/redir-scheme") == 0) {
		snprintf(a, sizeof(a), "https://127.0.0.1:%d/ok", srv_port);
		return redirect_to(c, "302 Found", a);
	}
	if (path[0] == '/' && path[1] == 'r' && path[2] >= '0' && path[2] <= '9' && !path[3]) {
		if (path[2] == '0')
			return reply(c, "200 OK", "", "hello\n", 6);
		snprintf(a, sizeof(a), "/r%c", path[2] - 1);
		return redirect_to(c, "302 Found", a);
	}
	if (strcmp(path, "/short") == 0) {
		sendf(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
		return false;
	}
	if (strcmp(path, "/reset") == 0) {
		struct linger lg = { 1, 0 };

		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		return false;
	}
	if (strcmp(path, "/close") == 0)
		return false;
	return reply(c, "404 Not Found", "Content-Type: text/plain; charset=utf-8\r\n",
	             "404 page not found\n", 19);
}

static void
serve(int c)
{
	char req[8192];

	for (;;) {
		size_t n = 0;
		char *end = NULL, path[512];

		while (end == NULL) {
			ssize_t r;

			if (n + 1 >= sizeof(req))
				return;
			r = recv(c, req + n, sizeof(req) - 1 - n, 0);
			if (r <= 0)
				return;
			if (n == 0 && req[0] == 0x16) { /* a TLS ClientHello: not us */
				sendf(c, "HTTP/1.0 400 Bad Request\r\n\r\n");
				return;
			}
			n += (size_t)r;
			req[n] = '\0';
			end = strstr(req, "\r\n\r\n");
		}
		if (strncmp(req, "GET ", 4) != 0)
			return;
		const char *p = req + 4, *sp = strchr(p, ' ');
		if (sp == NULL || sp - p >= (long)sizeof(path))
			return;
		memcpy(path, p, (size_t)(sp - p));
		path[sp - p] = '\0';
		if (!respond(c, path, req))
			return;
	}
}

static void
server_main(int l1, int l2)
{
	signal(SIGCHLD, SIG_IGN); /* reap connection processes */
	for (;;) {
		struct pollfd p[2] = { { l1, POLLIN, 0 }, { l2, POLLIN, 0 } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		for (int i = 0; i < 2; i++) {
			int c;

			if (!(p[i].revents & POLLIN))
				continue;
			c = accept(p[i].fd, NULL, NULL);
			if (c < 0)
				continue;
			if (i == 1)
				shm_inc(&shm->other_hits);
			setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
			if (fork() == 0) {
#ifdef __linux__
				prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
				close(l1);
				close(l2);
				alarm(5); /* never outlive the test */
				serve(c);
				_exit(0);
			}
			close(c);
		}
	}
}

static int
listen_on(const char *ip, int port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sa.sin_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
port_of(int fd)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	getsockname(fd, (struct sockaddr *)&sa, &sl);
	return ntohs(sa.sin_port);
}

static int
server_start(void **state)
{
	int l1, l2 = -1;

	(void)state;
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		return -1;
	/* Find a port free on both addresses. */
	for (int tries = 0; tries < 20 && l2 < 0; tries++) {
		l1 = listen_on("127.0.0.1", 0);
		if (l1 < 0)
			return -1;
		srv_port = port_of(l1);
		l2 = listen_on("127.0.0.2", srv_port);
		if (l2 < 0)
			close(l1);
	}
	if (l2 < 0)
		return -1;
	srv_pid = fork();
	if (srv_pid < 0)
		return -1;
	if (srv_pid == 0) {
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
		server_main(l1, l2);
		_exit(0);
	}
	close(l1);
	close(l2);
	return 0;
}

static int
server_stop(void **state)
{
	(void)state;
	kill(srv_pid, SIGKILL);
	waitpid(srv_pid, NULL, 0);
	munmap(shm, sizeof(*shm));
	return 0;
}

/* ---- client side helpers -------------------------------------------------- */

struct t {
	struct ev_loop *loop;
	struct fetcher *f;
};

struct got {
	int calls;
	struct fetch_result r; /* r.body is NULL: taken into body */
	unsigned char *body;
	/* optional actions run inside the callback */
	struct fetch *cancel_other;
	bool cancel_self;
	struct t *chain_t;
	struct got *chain_got;
	bool free_fetcher;
	struct fetch *self;
};

static const char *const hdrs[] = { "X-Test-Token: " TOKEN };

static struct fetch_opts
opts_default(void)
{
	struct fetch_opts o;

	memset(&o, 0, sizeof(o));
	o.timeout_ms = 2000;
	o.connect_timeout_ms = 1000;
	o.max_body = MIB;
	o.headers = hdrs;
	o.nheaders = 1;
	return o;
}

static void
on_done(struct fetch_result *r, void *ud)
{
	struct got *g = ud;

	g->calls++;
	g->r = *r;
	if (getenv("FETCH_TEST_VERBOSE") != NULL)
		fprintf(stderr, "# status %d, HTTP %ld, %zu bytes, %.3f s: %s\n", (int)r->status,
		        r->http_code, r->len, r->total_s, r->err);
	g->body = fetch_result_take_body(r);
	assert_null(r->body);
	assert_null(fetch_result_take_body(r));
	g->r.body = NULL;
	if (g->cancel_other != NULL)
		fetch_cancel(g->cancel_other);
	if (g->cancel_self)
		fetch_cancel(g->self); /* a no-op inside its own callback */
	if (g->free_fetcher) {
		fetcher_free(g->chain_t->f);
		g->chain_t->f = NULL;
	}
}

static void
on_done_chain(struct fetch_result *r, void *ud)
{
	struct got *g = ud;
	char url[128];
	struct t *t = g->chain_t;

	g->chain_t = NULL;
	on_done(r, ud);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/echo?chained", srv_port);
	assert_non_null(fetch_start(t->f, url, on_done, g->chain_got));
}

static void
never_called(struct fetch_result *r, void *ud)
{
	(void)r;
	(void)ud;
	fail_msg("callback of a cancelled fetch was called");
}

static void
wd_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	*(bool *)w->data = true;
	ev_break(loop, EVBREAK_ONE);
}

/* Run the loop until nothing is in flight (or max_s passes). */
static void
run(struct t *t, double max_s)
{
	ev_timer wd;
	bool expired = false;

	ev_timer_init(&wd, wd_cb, max_s, 0.);
	wd.data = &expired;
	ev_timer_start(t->loop, &wd);
	while (t->f != NULL && fetcher_inflight(t->f) > 0 && !expired)
		ev_run(t->loop, EVRUN_ONCE);
	ev_timer_stop(t->loop, &wd);
	assert_false(expired);
}

/* Run the loop for s seconds, whatever happens. */
static void
run_for(struct t *t, double s)
{
	ev_timer wd;
	bool expired = false;

	ev_timer_init(&wd, wd_cb, s, 0.);
	wd.data = &expired;
	ev_timer_start(t->loop, &wd);
	while (!expired)
		ev_run(t->loop, EVRUN_ONCE);
}

static char *
url(const char *path)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "http://127.0.0.1:%d%s", srv_port, path);
	return buf;
}

/* Fetch and run to completion with fetcher f; asserts one callback. */
static void
fetch_with(struct t *t, const char *u, struct got *g)
{
	struct fetch *x;

	memset(g, 0, sizeof(*g));
	x = fetch_start(t->f, u, on_done, g);
	assert_non_null(x);
	assert_int_equal(g->calls, 0); /* never synchronously */
	run(t, 3.0);
	assert_int_equal(g->calls, 1);
	assert_int_equal(fetcher_inflight(t->f), 0);
	assert_non_null(g->body);
	assert_int_equal(g->body[g->r.len], '\0');
	assert_null(strstr(g->r.err, TOKEN)); /* never a header value */
	assert_null(strchr(g->r.err, '\n'));
}

static void
got_free(struct got *g)
{
	free(g->body);
	g->body = NULL;
}

static void
assert_body(const struct got *g, const char *s)
{
	assert_int_equal(g->r.len, strlen(s));
	assert_memory_equal(g->body, s, strlen(s));
}

static int
setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	struct fetch_opts o = opts_default();

	t->loop = ev_loop_new(EVFLAG_AUTO);
	t->f = fetcher_new(t->loop, &o);
	if (t->loop == NULL || t->f == NULL)
		return -1;
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct t *t = *state;

	fetcher_free(t->f);
	ev_loop_destroy(t->loop);
	free(t);
	return 0;
}

/* Replace the fetcher of t with one using o. */
static void
refetcher(struct t *t, const struct fetch_opts *o)
{
	fetcher_free(t->f);
	t->f = fetcher_new(t->loop, o);
	assert_non_null(t->f);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- tests ---------------------------------------------------------------- */

static void
test_ok_binary(void **state)
{
	struct t *t = *state;
	struct got g;

	fetch_with(t, url("/bin"), &g);
	assert_int_equal(g.r.status, FETCH_OK);
	assert_int_equal(g.r.http_code, 200);
	assert_string_equal(g.r.content_type, "application/octet-stream");
	assert_false(g.r.go_pprof_error);
	assert_string_equal(g.r.err, "");
	assert_int_equal(g.r.len, 256);
	for (int i = 0; i < 256; i++)
		assert_int_equal(g.body[i], i);
	assert_true(g.r.total_s > 0 && g.r.total_s < 1.0);
	assert_true(g.r.connect_s >= 0 && g.r.connect_s <= g.r.total_s);
	got_free(&g);
}

static void
test_headers_sent(void **state)
{
	struct t *t = *state;
	struct got g;
	char u[128];

	fetch_with(t, url("/echo"), &g);
	assert_int_equal(g.r.status, FETCH_OK);
	/* -H header arrives, our user agent, and no Accept-Encoding */
	assert_body(&g, "token=" TOKEN ";ua=pproftop/" PPROFTOP_VERSION ";ae=-;path=/echo");
	got_free(&g);

	snprintf(u, sizeof(u), "127.0.0.1:%d/ok", srv_port); /* no scheme: http */
	fetch_with(t, u, &g);
	assert_int_equal(g.r.status, FETCH_OK);
	assert_body(&g, "hello\n");
	got_free(&g);
}

static void
test_chunked(void **state)
{
	struct t *t = *state;
	struct got g;

	fetch_with(t, url("/chunked"), &g);
	assert_int_equal(g.r.status, FETCH_OK);
	assert_int_equal(g.r.http_code, 200);
	assert_string_equal(g.r.err, "");
	assert_int_equal(g.r.len, 100000);
	for (size_t i = 0; i < 100000; i++)
		if (g.body[i] != (unsigned char)(i * 7))
			fail_msg("byte %zu differs", i);
	got_free(&g);
}

static void
test_cap_exact(void **state)
{
	struct t *t = *state;
	struct got g;

	/* exactly max_body (1 MiB) is fine, with and without Content-Length */
	fetch_with(t, url("/exact"), &g);
	assert_int_equal(g.r.status, FETCH_OK);
	assert_int_equal(g.r.len, MIB);
	assert_int_equal(g.body[0], 'e');
	assert_int_equal(g.body[MIB - 1], 'e');
	got_free(&g);
	fetch_with(t, url("/exact-close"), &g);
	assert_int_equal(g.r.status, FETCH_OK);
	assert_int_equal(g.r.len, MIB);
	got_free(&g);
}

static void
test_big_endless(void **state)
{
	struct t *t = *state;
	struct got g;
	double t0 = now();

	fetch_with(t, url("/big"), &g); /* no Content-Length, never ends */
	assert_int_equal(g.r.status, FETCH_TOOBIG);
	assert_int_equal(g.r.http_code, 200);
	assert_string_equal(g.r.err, "body larger than 1 MiB");
	assert_int_equal(g.r.len, 0);
	assert_true(now() - t0 < 1.0);
	got_free(&g);
}

static void
test_big_content_length(void **state)
{
	struct t *t = *state;
	struct got g;

	fetch_with(t, url("/big-cl"), &g); /* announces 2 GiB */
	assert_int_equal(g.r.status, FETCH_TOOBIG);
	assert_int_equal(g.r.http_code, 200);
	assert_string_equal(g.r.err, "body larger than 1 MiB");
	assert_int_equal(g.r.len, 0);
	got_free(&g);
}

static void
test_hang_timeout(void **state)
{
	struct t *t = *state;
	struct fetch_opts o = opts_default();
	struct got g;
	double t0;

	o.timeout_ms = 300;
	refetcher(t, &o);
	t0 = now();
	fetch_with(t, url("/hang"), &g);
	assert_int_equal(g.r.status, FETCH_TIMEOUT);
	assert_int_equal(g.r.http_code, 0);
	assert_string_equal(g.r.err, "timed out after 0.3 s");
	assert_int_equal(g.r.len, 0);
	assert_true(now() - t0 >= 0.29);
	assert_true(now() - t0 < 0.8);
	got_free(&g);
}

/* A transfer's own timeout (the CPU profile's seconds= plus the normal
 * one) beside the fetcher's: /slow answers after 150 ms. */
static void
test_per_request_timeout(void **state)
{
	struct t *t = *state;
	struct fetch_opts o = opts_default();
	struct got g[3];
	double t0;

	o.timeout_ms = 100;
	refetcher(t, &o);
	memset(g, 0, sizeof(g));
	t0 = now();
	assert_non_null(fetch_start_timeout(t->f, url("/slow"), 1000, on_done, &g[0]));
	assert_non_null(fetch_start(t->f, url("/slow"), on_done, &g[1]));
	assert_non_null(fetch_start_timeout(t->f, url("/hang"), 400, on_done, &g[2]));
	run(t, 3.0);
	assert_int_equal(g[0].calls, 1);
	assert_int_equal(g[0].r.status, FETCH_OK);
	assert_body(&g[0], "hello\n");
	assert_int_equal(g[1].r.status, FETCH_TIMEOUT);
	assert_string_equal(g[1].r.err, "timed out after 0.1 s");
	assert_int_equal(g[2].r.status, FETCH_TIMEOUT);
	assert_string_equal(g[2].r.err, "timed out after 0.4 s");
	assert_true(now() - t0 >= 0.39);
	assert_true(now() - t0 < 1.5);
	for (int i = 0; i < 3; i++)
		got_free(&g[i]);
}

static void
test_trickle_timeout(void **state)
{
	struct t *t = *state;
	struct fetch_opts o = opts_default();
	struct got g;
	double t0;

	o.timeout_ms = 300;
	refetcher(t, &o);
	t0 = now();
	fetch_with(t, url("/trickle"), &g); /* 1 byte per 50 ms */
	assert_int_equal(g.r.status, FETCH_TIMEOUT);
	assert_int_equal(g.r.http_code, 200);
	assert_string_equal(g.r.err, "timed out after 0.3 s");
	assert_int_equal(g.r.len, 0);
	assert_true(now() - t0 < 0.8);
	got_free(&g);
}

static void
test_404_go_pprof(void **state)
{
	struct t *t = *state;
	struct got g;

	fetch_with(t, url("/404"), &g);
	assert_int_equal(g.r.status, FETCH_HTTP_ERROR);
	assert_int_equal(g.r.http_code, 404);
	assert_true(g.r.go_pprof_error);
	assert_string_equal(g.r.content_type, "text/plain; charset=utf-8");
	assert_string_equal(g.r.err, "HTTP 404: Unknown profile");
	assert_body(&g, "Unknown profile\n");
	got_free(&g);

	fetch_with(t, url("/nosuch"), &g); /* a plain mux 404 */
	assert_int_equal(g.r.status, FETCH_HTTP_ERROR);
	assert_false(g.r.go_pprof_error);
	assert_string_equal(g.r.err, "HTTP 404: 404 page not found");
	assert_body(&g, "404 page not found\n");
	got_free(&g);
}

static void
test_http_errors(void **state)
{
	struct t *t = *state;
	struct got g;
	char want[256];

	fetch_with(t, url("/500"), &g);
	assert_int_equal(g.r.status, FETCH_HTTP_ERROR);
	assert_int_equal(g.r.http_code, 500);
	assert_false(g.r.go_pprof_error);
	assert_string_equal(g.r.err, "HTTP 500: boom\\x01\\x1b[31m line");
	assert_int_equal(g.r.len, 29);
	assert_memory_equal(g.body, "boom\x01\x1b[31m line\r\nsecond line\n", 29);
	got_free(&g);

	fetch_with(t, url("/401"), &g);
	assert_int_equal(g.r.status, FETCH_HTTP_ERROR);
	assert_int_equal(g.r.http_code, 401);
	assert_string_equal(g.r.err, "HTTP 401");
	assert_int_equal(g.r.len, 0);
	got_free(&g);

	fetch_with(t, url("/long"), &g);
	assert_int_equal(g.r.status, FETCH_HTTP_ERROR);
	assert_int_equal(g.r.http_code, 400);
	memcpy(want, "HTTP 400: ", 10);
	memset(want + 10, 'a', 100);
	memcpy(want + 110, "...", 4);
	assert_string_equal(g.r.err, want);
	assert_int_equal(g.r.len, 301);
	got_free(&g);

	fetch_with(t, url("/304"), &g); /* 3xx without Location */
	assert_int_equal(g.r.status, FETCH_HTTP_ERROR);
	assert_int_equal(g.r.http_code, 304);
	assert_string_equal(g.r.err, "HTTP 304");
	assert_int_equal(g.r.len, 0);
	got_free(&g);
}

static void
test_redirect_same(void **state)
{
	struct t *t = *state;
	struct got g;
	char u[128];

	fetch_with(t, url("/redir-same"), &g); /* relative Location */
	assert_int_equal(g.r.status, FETCH_OK);
	assert_int_equal(g.r.http_code, 200);
	assert_string_equal(g.r.err, "");
	assert_body(&g, "hello\n");
	got_free(&g);

	/* absolute Location on the same origin: headers still go along */
	fetch_with(t, url("/redir-echo"), &g);
	assert_int_equal(g.r.status, FETCH_OK);
	assert_body(&g, "token=" TOKEN ";ua=pproftop/" PPROFTOP_VERSION ";ae=-;path=/echo?x=1");
	got_free(&g);

	/* URL credentials survive a same-origin redirect */
	snprintf(u, sizeof(u), "http://user:pw@127.0.0.1:%d/redir-auth", srv_port);
	fetch_with(t, u, &g);
	assert_int_equal(g.r.status, FETCH_OK);
	assert_body(&g, "Basic dXNlcjpwdw==");
	got_free(&g);

	/* three hops are followed */
	fetch_with(t, url("/r3"), &g);
	assert_int_equal(g.r.status, FETCH_OK);
	assert_body(&g, "hello\n");
	got_free(&g);
}

static void
test_redirect_loop(void **state)
{
	struct t *t = *state;
	struct got g;
	int before = shm_get(&shm->loop_hits);

	fetch_with(t, url("/r4"), &g);
	assert_int_equal(g.r.status, FETCH_REDIRECT_REFUSED);
	assert_int_equal(g.r.http_code, 302);
	assert_string_equal(g.r.err, "redirect loop (more than 3 redirects)");
	assert_int_equal(g.r.len, 0);
	got_free(&g);

	fetch_with(t, url("/redir-loop"), &g);
	assert_int_equal(g.r.status, FETCH_REDIRECT_REFUSED);
	assert_string_equal(g.r.err, "redirect loop (more than 3 redirects)");
	assert_int_equal(shm_get(&shm->loop_hits) - before, 4); /* first + 3 hops */
	got_free(&g);
}

static void
test_redirect_other_host(void **state)
{
	struct t *t = *state;
	struct got g;
	char want[128], u[128];
	int before = shm_get(&shm->other_hits);

	fetch_with(t, url("/redir-other"), &g);
	assert_int_equal(g.r.status, FETCH_REDIRECT_REFUSED);
	assert_int_equal(g.r.http_code, 302);
	snprintf(want, sizeof(want), "redirect to another host refused (127.0.0.2:%d)", srv_port);
	assert_string_equal(g.r.err, want);
	assert_int_equal(g.r.len, 0);
	got_free(&g);
	run_for(t, 0.05);
	assert_int_equal(shm_get(&shm->other_hits), before); /* nothing went there */

	/* ...although the other host is reachable, and does get headers when
	 * asked directly */
	snprintf(u, sizeof(u), "http://127.0.0.2:%d/echo", srv_port);
	fetch_with(t, u, &g);
	assert_int_equal(g.r.status, FETCH_OK);
	assert_body(&g, "token=" TOKEN ";ua=pproftop/" PPROFTOP_VERSION ";ae=-;path=/echo");
	assert_int_equal(shm_get(&shm->other_hits), before + 1);
	got_free(&g);

	fetch_with(t, url("/redir-scheme"), &g);
	assert_int_equal(g.r.status, FETCH_REDIRECT_REFUSED);
	snprintf(want, sizeof(want),
	         "redirect to https://127.0.0.1:%d refused (different scheme or port)", srv_port);
	assert_string_equal(g.r.err, want);
	got_free(&g);
}

static void
test_short_body(void **state)
{
	struct t *t = *state;
	struct got g;

	fetch_with(t, url("/short"), &g);
	assert_int_equal(g.r.status, FETCH_NET_ERROR);
	assert_int_equal(g.r.http_code, 200);
	assert_string_equal(g.r.err, "connection closed after 10 of 100 body bytes");
	assert_int_equal(g.r.len, 0);
	got_free(&g);
}

static void
test_reset_and_close(void **state)
{
	struct t *t = *state;
	struct got g;

	fetch_with(t, url("/reset"), &g);
	assert_int_equal(g.r.status, FETCH_NET_ERROR);
	assert_int_equal(g.r.http_code, 0);
	assert_string_equal(g.r.err, "connection reset by peer");
	assert_int_equal(g.r.len, 0);
	got_free(&g);

	fetch_with(t, url("/close"), &g);
	assert_int_equal(g.r.status, FETCH_NET_ERROR);
	assert_int_equal(g.r.http_code, 0);
	assert_string_equal(g.r.err, "server closed the connection without a response");
	got_free(&g);
}

static void
test_refused(void **state)
{
	struct t *t = *state;
	struct got g;
	char u[128];
	int fd = listen_on("127.0.0.1", 0), port = port_of(fd);

	close(fd); /* nothing listens there now */
	snprintf(u, sizeof(u), "http://127.0.0.1:%d/ok", port);
	fetch_with(t, u, &g);
	assert_int_equal(g.r.status, FETCH_NET_ERROR);
	assert_int_equal(g.r.http_code, 0);
	assert_string_equal(g.r.err, "connection refused");
	assert_int_equal(g.r.len, 0);
	got_free(&g);
}

static void
test_bad_urls(void **state)
{
	struct t *t = *state;
	struct got g;

	fetch_with(t, "ftp://127.0.0.1/x", &g);
	assert_int_equal(g.r.status, FETCH_NET_ERROR);
	assert_string_equal(g.r.err, "unsupported URL scheme 'ftp' (use http, https or file)");
	got_free(&g);

	fetch_with(t, "http://[::1", &g);
	assert_int_equal(g.r.status, FETCH_NET_ERROR);
	assert_string_equal(g.r.err, "malformed URL");
	got_free(&g);
}

static void
test_unresolvable(void **state)
{
	struct t *t = *state;
	struct fetch_opts o = opts_default();
	struct got g;

	o.connect_timeout_ms = 500;
	refetcher(t, &o);
	fetch_with(t, "http://pproftop-test.invalid/x", &g);
	if (g.r.status == FETCH_TIMEOUT) { /* a sandbox whose DNS never answers */
		assert_string_equal(g.r.err, "host name lookup timed out after 0.5 s");
		got_free(&g);
		skip();
	}
	assert_int_equal(g.r.status, FETCH_NET_ERROR);
	assert_int_equal(g.r.http_code, 0);
	assert_string_equal(g.r.err, "could not resolve host 'pproftop-test.invalid'");
	got_free(&g);
}

static void
test_tls_errors(void **state)
{
	struct t *t = *state;
	struct fetch_opts o = opts_default();
	struct got g;
	char u[128];

	/* our plain HTTP server answers a ClientHello with HTTP */
	snprintf(u, sizeof(u), "https://127.0.0.1:%d/ok", srv_port);
	fetch_with(t, u, &g);
	assert_int_equal(g.r.status, FETCH_NET_ERROR);
	assert_int_equal(strncmp(g.r.err, "TLS: handshake failed (", 23), 0);
	assert_non_null(strstr(g.r.err, "wrong version number"));
	got_free(&g);

	o.cacert = "/nonexistent/pproftop-ca.pem";
	refetcher(t, &o);
	fetch_with(t, u, &g);
	assert_int_equal(g.r.status, FETCH_NET_ERROR);
	assert_string_equal(g.r.err,
	                    "TLS: could not load CA certificates '/nonexistent/pproftop-ca.pem'");
	got_free(&g);
}

/* Run argv with stdout to out_fd (or /dev/null when -1); returns the pid. */
static pid_t
spawn(char *const argv[], int out_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
		dup2(out_fd >= 0 ? out_fd : null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* The first line of fd within 2 s, NUL-terminated; false on timeout/EOF. */
static bool
read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 2000) <= 0 || read(fd, buf + n, 1) != 1)
			return false;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return true;
}

/* Real TLS against `openssl s_server` with a self-signed certificate made
 * here; skipped when the openssl program is not installed. */
static void
test_tls_verify(void **state)
{
	struct t *t = *state;
	struct fetch_opts o = opts_default();
	char dir[] = "/tmp/pproftop-fetch-XXXXXX", key[64], crt[64], line[128], u[128];
	int st, pfd[2], port = 0;
	pid_t pid;
	struct got g;

	assert_non_null(mkdtemp(dir));
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(crt, sizeof(crt), "%s/crt.pem", dir);
	{
		char *req[] = { "openssl",
			        "req",
			        "-x509",
			        "-newkey",
			        "ec",
			        "-pkeyopt",
			        "ec_paramgen_curve:prime256v1",
			        "-nodes",
			        "-keyout",
			        key,
			        "-out",
			        crt,
			        "-days",
			        "1",
			        "-subj",
			        "/CN=127.0.0.1",
			        "-addext",
			        "subjectAltName=IP:127.0.0.1",
			        NULL };

		pid = spawn(req, -1);
		assert_true(pid > 0);
		waitpid(pid, &st, 0);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		unlink(key);
		unlink(crt);
		rmdir(dir);
		skip(); /* no openssl program */
	}
	assert_int_equal(pipe(pfd), 0);
	{
		char *srv[] = { "openssl", "s_server", "-accept", "127.0.0.1:0", "-cert",
			        crt,       "-key",     key,       "-CAfile",     crt,
			        "-verify", "1",        "-www",    NULL };

		pid = spawn(srv, pfd[1]);
		assert_true(pid > 0);
	}
	close(pfd[1]);
	/* "ACCEPT 127.0.0.1:<port>" */
	while (read_line(pfd[0], line, sizeof(line)))
		if (strncmp(line, "ACCEPT 127.0.0.1:", 17) == 0) {
			char *end;
			long v = strtol(line + 17, &end, 10);

			if (*end == '\0' && v > 0 && v < 65536)
				port = (int)v;
			break;
		}
	assert_true(port > 0);
	snprintf(u, sizeof(u), "https://127.0.0.1:%d/", port);

	fetch_with(t, u, &g); /* verification is on by default */
	assert_int_equal(g.r.status, FETCH_NET_ERROR);
	assert_int_equal(g.r.http_code, 0);
	assert_string_equal(g.r.err, "TLS: certificate verify failed (self-signed certificate)");
	got_free(&g);

	o.cacert = crt; /* trusted explicitly */
	refetcher(t, &o);
	fetch_with(t, u, &g);
	assert_int_equal(g.r.status, FETCH_OK);
	assert_int_equal(g.r.http_code, 200);
	assert_string_equal(g.r.content_type, "text/html");
	assert_int_equal(memcmp(g.body, "<HTML><BODY", 11), 0);
	assert_non_null(strstr((char *)g.body, "o client certificate available" /* No/no */));
	got_free(&g);

	o.cert = crt; /* the same self-signed pair serves as a client certificate */
	o.key = key;
	refetcher(t, &o);
	fetch_with(t, u, &g);
	assert_int_equal(g.r.status, FETCH_OK);
	assert_non_null(strstr((char *)g.body, "\nClient certificate\n"));
	assert_non_null(strstr((char *)g.body, "Subject: CN=127.0.0.1"));
	got_free(&g);
	o.cert = o.key = NULL;

	o.cacert = NULL;
	o.insecure = true;
	refetcher(t, &o);
	fetch_with(t, u, &g);
	assert_int_equal(g.r.status, FETCH_OK);
	assert_int_equal(g.r.http_code, 200);
	got_free(&g);

	o.insecure = false;
	o.cert = "/nonexistent/pproftop-client.pem";
	refetcher(t, &o);
	fetch_with(t, u, &g);
	assert_int_equal(g.r.status, FETCH_NET_ERROR);
	assert_string_equal(
	    g.r.err,
	    "TLS: could not load the client certificate '/nonexistent/pproftop-client.pem'");
	got_free(&g);

	o.cert = crt;
	o.key = "/nonexistent/pproftop-client.key";
	refetcher(t, &o);
	fetch_with(t, u, &g);
	assert_int_equal(g.r.status, FETCH_NET_ERROR);
	assert_string_equal(
	    g.r.err, "TLS: could not load the client key '/nonexistent/pproftop-client.key'");
	got_free(&g);

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(pfd[0]);
	unlink(key);
	unlink(crt);
	rmdir(dir);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (fp == NULL)
		fail_msg("cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static void
test_file_url(void **state)
{
	struct t *t = *state;
	struct fetch_opts o = opts_default();
	const char *dir = getenv("PPROFTOP_FIXTURES");
	char path[1024], u[PATH_MAX + 16], abs[PATH_MAX];
	struct got g;
	size_t n;
	char *want;

	if (dir == NULL)
		dir = "tests/fixtures";
	snprintf(path, sizeof(path), "%s/go1.19/heap.pb.gz", dir);
	assert_non_null(realpath(path, abs));
	want = read_file(abs, &n);
	assert_int_equal(n, 1771);
	snprintf(u, sizeof(u), "file://%s", abs);
	fetch_with(t, u, &g);
	assert_int_equal(g.r.status, FETCH_OK);
	assert_int_equal(g.r.http_code, 0);
	assert_string_equal(g.r.err, "");
	assert_int_equal(g.r.len, n);
	assert_memory_equal(g.body, want, n); /* gzip bytes, not decoded */
	got_free(&g);

	fetch_with(t, "file:///nonexistent/pproftop-fetch.pb.gz", &g);
	assert_int_equal(g.r.status, FETCH_NET_ERROR);
	assert_int_equal(g.r.http_code, 0);
	assert_string_equal(g.r.err, "could not read file '/nonexistent/pproftop-fetch.pb.gz'");
	got_free(&g);

	o.max_body = 1000;
	refetcher(t, &o);
	fetch_with(t, u, &g);
	assert_int_equal(g.r.status, FETCH_TOOBIG);
	assert_string_equal(g.r.err, "body larger than 1000 bytes");
	assert_int_equal(g.r.len, 0);
	got_free(&g);
	free(want);
}

static void
test_concurrent(void **state)
{
	struct t *t = *state;
	struct got g[5];
	double t0 = now();

	memset(g, 0, sizeof(g));
	for (int i = 0; i < 5; i++)
		assert_non_null(fetch_start(t->f, url("/slow"), on_done, &g[i]));
	assert_int_equal(fetcher_inflight(t->f), 5);
	run(t, 3.0);
	/* each answer takes 150 ms: one after another would take 750 ms */
	assert_true(now() - t0 < 0.5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(g[i].calls, 1);
		assert_int_equal(g[i].r.status, FETCH_OK);
		assert_body(&g[i], "hello\n");
		got_free(&g[i]);
	}
}

static void
test_never_synchronous(void **state)
{
	struct t *t = *state;
	struct got g[3];

	memset(g, 0, sizeof(g));
	assert_non_null(fetch_start(t->f, "file:///nonexistent/x", on_done, &g[0]));
	assert_non_null(fetch_start(t->f, "gopher://x/", on_done, &g[1]));
	assert_non_null(fetch_start(t->f, "", on_done, &g[2]));
	for (int i = 0; i < 3; i++)
		assert_int_equal(g[i].calls, 0);
	run(t, 1.0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(g[i].calls, 1);
		assert_int_equal(g[i].r.status, FETCH_NET_ERROR);
		got_free(&g[i]);
	}
}

static void
test_cancel(void **state)
{
	struct t *t = *state;
	struct fetch *h;

	h = fetch_start(t->f, url("/hang"), never_called, NULL);
	assert_non_null(h);
	run_for(t, 0.05); /* connected and waiting */
	assert_int_equal(fetcher_inflight(t->f), 1);
	fetch_cancel(h);
	assert_int_equal(fetcher_inflight(t->f), 0);
	fetch_cancel(NULL);
	run_for(t, 0.1);

	/* cancel before the loop ever ran */
	h = fetch_start(t->f, url("/ok"), never_called, NULL);
	fetch_cancel(h);
	assert_int_equal(fetcher_inflight(t->f), 0);
	run_for(t, 0.05);
}

static void
test_cancel_in_callback(void **state)
{
	struct t *t = *state;
	struct got a, c;

	memset(&a, 0, sizeof(a));
	memset(&c, 0, sizeof(c));
	a.cancel_other = fetch_start(t->f, url("/hang"), never_called, NULL);
	a.self = fetch_start(t->f, url("/ok"), on_done_chain, &a);
	a.cancel_self = true;
	a.chain_t = t;
	a.chain_got = &c;
	run(t, 2.0);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.r.status, FETCH_OK);
	assert_body(&a, "hello\n");
	assert_int_equal(c.calls, 1); /* started from inside a callback */
	assert_body(&c, "token=" TOKEN ";ua=pproftop/" PPROFTOP_VERSION ";ae=-;path=/echo?chained");
	got_free(&a);
	got_free(&c);
}

/* Two transfers finish in the same socket_action; the first callback cancels
 * the other, whose DONE message is already queued: it must not be delivered
 * (nor touch freed memory, under ASan). */
static void
test_cancel_queued(void **state)
{
	struct t *t = *state;
	const char *dir = getenv("PPROFTOP_FIXTURES");
	char path[1024], abs[PATH_MAX], u[PATH_MAX + 16];
	struct got a, b;

	snprintf(path, sizeof(path), "%s/go1.19/heap.pb.gz", dir ? dir : "tests/fixtures");
	assert_non_null(realpath(path, abs));
	snprintf(u, sizeof(u), "file://%s", abs);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.self = fetch_start(t->f, u, on_done, &a);
	b.self = fetch_start(t->f, u, on_done, &b);
	a.cancel_other = b.self;
	b.cancel_other = a.self;
	run(t, 1.0);
	assert_int_equal(a.calls + b.calls, 1);
	assert_int_equal(a.calls ? a.r.len : b.r.len, 1771);
	got_free(&a);
	got_free(&b);
}

static void
test_free_in_flight(void **state)
{
	struct t *t = *state;
	const char *paths[] = { "/hang", "/hang", "/trickle", "/trickle", "/slow" };

	for (size_t i = 0; i < 5; i++)
		assert_non_null(fetch_start(t->f, url(paths[i]), never_called, NULL));
	run_for(t, 0.1);
	assert_int_equal(fetcher_inflight(t->f), 5);
	fetcher_free(t->f); /* no callbacks, no leaks (ASan) */
	t->f = NULL;
	run_for(t, 0.05);
}

static void
test_free_in_callback(void **state)
{
	struct t *t = *state;
	struct got g;

	memset(&g, 0, sizeof(g));
	assert_non_null(fetch_start(t->f, url("/hang"), never_called, NULL));
	assert_non_null(fetch_start(t->f, url("/ok"), on_done, &g));
	g.free_fetcher = true;
	g.chain_t = t;
	run(t, 2.0); /* ends when the callback freed the fetcher */
	assert_null(t->f);
	assert_int_equal(g.calls, 1);
	assert_body(&g, "hello\n");
	got_free(&g);
	run_for(t, 0.05);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ok_binary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_headers_sent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chunked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_endless, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_content_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hang_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trickle_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_request_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_404_go_pprof, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redirect_same, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redirect_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redirect_other_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_and_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_urls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unresolvable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_url, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_synchronous, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_in_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_queued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_in_callback, setup, teardown),
	};
	static const char *const proxies[] = { "http_proxy",  "HTTP_PROXY", "https_proxy",
		                               "HTTPS_PROXY", "all_proxy",  "ALL_PROXY" };

	for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++)
		unsetenv(proxies[i]); /* talk to 127.0.0.1 directly */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("fetch", tests, server_start, server_stop);
}
