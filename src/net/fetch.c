/* fetch.c - asynchronous fetches: libcurl's multi socket interface on libev
 * (see fetch.h; the recipe and its pitfalls are section 3 of the shared
 * c-tui-style reference).
 *
 * Glue: CURLMOPT_SOCKETFUNCTION maps each curl socket to one ev_io (struct
 * sock, remembered with curl_multi_assign), CURLMOPT_TIMERFUNCTION to the
 * single ev_timer. Both ev callbacks call curl_multi_socket_action and then
 * harvest(), which is the only place transfers complete. No curl API other
 * than curl_multi_assign/curl_easy_getinfo is called from inside a curl
 * callback; user callbacks run from harvest(), outside curl.
 *
 * Not validated / not done here: the body is not inspected (a 200 with an
 * HTML login page is FETCH_OK); Content-Type is reported, not checked;
 * proxies from the environment (http_proxy...) are honoured as libcurl does;
 * cookies, authentication schemes beyond URL userinfo, and HTTP/2 tuning are
 * left to libcurl's defaults.
 */
#define EV_COMPAT3 0

#include "pproftop/fetch.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <ev.h>

#include "pproftop/text.h"
#include "pproftop/xalloc.h"

#ifndef PPROFTOP_VERSION
#define PPROFTOP_VERSION "0.1.0"
#endif

#define DEF_TIMEOUT_MS 10000L
#define DEF_CONNECT_TIMEOUT_MS 3000L
#define DEF_MAX_BODY ((size_t)64 << 20)
#define MAX_HOPS 3
#define ERRLINE_MAX 100 /* body bytes shown in "HTTP 404: ..." */

/* One curl socket. io must stay the first member (the ev callback casts). */
struct sock {
	ev_io io;
	struct fetcher *f;
	struct sock *prev, *next;
};

struct fetch {
	struct fetcher *f;
	struct fetch *prev, *next; /* in f->head while in flight */
	CURL *easy;
	CURLU *url; /* current URL (with any userinfo); NULL if unparseable */
	fetch_done_fn cb;
	void *ud;
	unsigned char *buf;
	size_t len, cap;
	bool toobig;
	bool go_pprof;
	bool delivering; /* its callback is running */
	int hops;
	double total_s;
	long timeout_ms; /* this transfer's (fetch_start_timeout) */
	char errbuf[CURL_ERROR_SIZE];
};

struct fetcher {
	struct ev_loop *loop;
	CURLM *multi;
	ev_timer timer;
	struct curl_slist *headers;
	char *cacert, *cert, *key;
	long timeout_ms, connect_timeout_ms;
	size_t max_body;
	bool insecure;
	struct fetch *head;
	size_t inflight;
	struct sock *socks;
	int running;
	int depth;  /* user callbacks running */
	bool dying; /* fetcher_free called from a callback */
};

/* ---- small text helpers ------------------------------------------------ */

static void
fmt_size(char *out, size_t outlen, size_t n)
{
	if (n >= ((size_t)1 << 20) && n % ((size_t)1 << 20) == 0)
		snprintf(out, outlen, "%zu MiB", n >> 20);
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(out, outlen, "%zu KiB", n >> 10);
	else
		snprintf(out, outlen, "%zu bytes", n);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* A part of the current URL, printable, "" when unavailable. */
static void
url_part(const struct fetch *x, CURLUPart part, unsigned flags, char *out, size_t outlen)
{
	char *s = NULL;

	out[0] = '\0';
	if (x->url != NULL && curl_url_get(x->url, part, &s, flags) == CURLUE_OK)
		text_copy_ascii(out, outlen, s);
	curl_free(s);
}

/* curl's error buffer as a printable one-line detail, minus a prefix. */
static const char *
detail(struct fetch *x, const char *strip)
{
	char tmp[CURL_ERROR_SIZE];
	size_t n;

	if (x->errbuf[0] == '\0')
		return "";
	text_copy_ascii(tmp, sizeof(tmp), x->errbuf);
	n = strlen(strip);
	if (n > 0 && strncmp(tmp, strip, n) == 0)
		memmove(tmp, tmp + n, strlen(tmp + n) + 1);
	n = strlen(tmp);
	while (n > 0 && tmp[n - 1] == ' ')
		tmp[--n] = '\0';
	memcpy(x->errbuf, tmp, n + 1);
	return x->errbuf;
}

/* ---- curl callbacks (no curl calls in here except getinfo/assign) ------- */

static size_t
on_write(char *p, size_t size, size_t nmemb, void *ud)
{
	struct fetch *x = ud;
	size_t n = size * nmemb; /* size is always 1 */
	size_t max = x->f->max_body;

	if (n > max - x->len) {
		x->toobig = true;
		return 0; /* != n: curl aborts with CURLE_WRITE_ERROR */
	}
	if (x->len + n + 1 > x->cap) {
		size_t cap = x->cap < 65536 ? 65536 : x->cap;

		while (cap < x->len + n + 1)
			cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
		if (cap > max + 1)
			cap = max + 1;
		x->buf = xreallocarray(x->buf, cap, 1);
		x->cap = cap;
	}
	memcpy(x->buf + x->len, p, n);
	x->len += n;
	return n;
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct fetch *x = ud;
	size_t n = size * nmemb;
	static const char name[] = "x-go-pprof:";
	size_t k = sizeof(name) - 1;

	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		x->go_pprof = false; /* a new response (e.g. after 100) */
	} else if (n >= k && strncasecmp(p, name, k) == 0) {
		size_t i = k;

		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		x->go_pprof =
		    i < n && p[i] == '1' &&
		    (i + 1 == n || p[i + 1] == '\r' || p[i + 1] == '\n' || p[i + 1] == ' ');
	}
	return n;
}

static void harvest(struct fetcher *f);

static void
on_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct sock *s = (struct sock *)w;
	struct fetcher *f = s->f; /* s may be freed by socket_action */
	int fd = w->fd;
	int fl = ((revents & EV_READ) ? CURL_CSELECT_IN : 0) |
	         ((revents & EV_WRITE) ? CURL_CSELECT_OUT : 0) |
	         ((revents & EV_ERROR) ? CURL_CSELECT_ERR : 0);

	(void)loop;
	curl_multi_socket_action(f->multi, fd, fl, &f->running);
	harvest(f); /* may free f */
}

static void
on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct fetcher *f = w->data;

	(void)loop;
	(void)revents;
	curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &f->running);
	harvest(f); /* may free f */
}

static int
sock_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *sockp)
{
	struct fetcher *f = userp;
	struct sock *s = sockp;
	int ev;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			ev_io_stop(f->loop, &s->io);
			if (s->prev != NULL)
				s->prev->next = s->next;
			else
				f->socks = s->next;
			if (s->next != NULL)
				s->next->prev = s->prev;
			free(s);
		}
		return 0;
	}
	if (s == NULL) {
		s = xcalloc(1, sizeof(*s));
		s->f = f;
		ev_init(&s->io, on_io);
		s->next = f->socks;
		if (f->socks != NULL)
			f->socks->prev = s;
		f->socks = s;
		curl_multi_assign(f->multi, fd, s);
	} else {
		ev_io_stop(f->loop, &s->io); /* never ev_io_set an active watcher */
	}
	ev = ((what & CURL_POLL_IN) ? EV_READ : 0) | ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	ev_io_set(&s->io, fd, ev); /* always: the fd may be a reopened one */
	if (ev != 0)
		ev_io_start(f->loop, &s->io);
	return 0;
}

static int
timer_cb(CURLM *multi, long ms, void *userp)
{
	struct fetcher *f = userp;

	(void)multi;
	ev_timer_stop(f->loop, &f->timer);
	if (ms >= 0) {
		/* 0 = as soon as possible: next loop iteration, not from here */
		ev_timer_set(&f->timer, ms / 1000.0, 0.);
		ev_timer_start(f->loop, &f->timer);
	}
	return 0;
}

/* ---- transfers ----------------------------------------------------------- */

static void
link_fetch(struct fetcher *f, struct fetch *x)
{
	x->prev = NULL;
	x->next = f->head;
	if (f->head != NULL)
		f->head->prev = x;
	f->head = x;
	f->inflight++;
}

static void
unlink_fetch(struct fetch *x)
{
	struct fetcher *f = x->f;

	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		f->head = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	x->prev = x->next = NULL;
	f->inflight--;
}

static void
fetch_destroy(struct fetch *x)
{
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	curl_url_cleanup(x->url);
	free(x->buf);
	free(x);
}

/* Fill res->status/err for a failed transfer. */
static void
classify(struct fetch *x, CURLcode rc, struct fetch_result *res)
{
	struct fetcher *f = x->f;
	char *e = res->err;
	size_t el = sizeof(res->err);
	char a[160], b[32];
	long oserr = 0;

	curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &oserr);
	res->status = FETCH_NET_ERROR;
	switch (rc) {
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (rc == CURLE_FILESIZE_EXCEEDED || x->toobig) {
			res->status = FETCH_TOOBIG;
			fmt_size(b, sizeof(b), f->max_body);
			snprintf(e, el, "body larger than %s", b);
		} else {
			snprintf(e, el, "could not store the body");
		}
		break;
	case CURLE_OPERATION_TIMEDOUT: {
		long ct =
		    f->connect_timeout_ms < x->timeout_ms ? f->connect_timeout_ms : x->timeout_ms;

		res->status = FETCH_TIMEOUT;
		if (strncmp(x->errbuf, "Operation too slow", 18) == 0)
			snprintf(e, el, "transfer stalled (under 1 byte/s) until the %.1f s limit",
			         (double)x->timeout_ms / 1000.0);
		else if (strncmp(x->errbuf, "Resolving timed out", 19) == 0)
			snprintf(e, el, "host name lookup timed out after %.1f s",
			         (double)ct / 1000.0);
		else if (strncmp(x->errbuf, "Connection timed out", 20) == 0 ||
		         strncmp(x->errbuf, "Failed to connect", 17) == 0)
			snprintf(e, el, "connect timed out after %.1f s", (double)ct / 1000.0);
		else
			snprintf(e, el, "timed out after %.1f s", (double)x->timeout_ms / 1000.0);
		break;
	}
	case CURLE_COULDNT_RESOLVE_HOST:
		url_part(x, CURLUPART_HOST, 0, a, sizeof(a));
		snprintf(e, el, "could not resolve host '%s'", a);
		break;
	case CURLE_COULDNT_RESOLVE_PROXY:
		snprintf(e, el, "could not resolve the proxy host");
		break;
	case CURLE_COULDNT_CONNECT:
		if (oserr == ECONNREFUSED)
			snprintf(e, el, "connection refused");
		else if (oserr == ENETUNREACH)
			snprintf(e, el, "network unreachable");
		else if (oserr == EHOSTUNREACH)
			snprintf(e, el, "host unreachable");
		else if (oserr != 0)
			snprintf(e, el, "could not connect: %s", strerror((int)oserr));
		else
			snprintf(e, el, "could not connect");
		break;
	case CURLE_GOT_NOTHING:
		snprintf(e, el, "server closed the connection without a response");
		break;
	case CURLE_PARTIAL_FILE: {
		curl_off_t got = 0, want = -1;

		curl_easy_getinfo(x->easy, CURLINFO_SIZE_DOWNLOAD_T, &got);
		curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &want);
		if (want >= 0)
			snprintf(e, el, "connection closed after %lld of %lld body bytes",
			         (long long)got, (long long)want);
		else
			snprintf(e, el, "connection closed after %lld body bytes", (long long)got);
		break;
	}
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		if (oserr == ECONNRESET || oserr == EPIPE) {
			/* a TLS 1.3 server that wants a client certificate may
			 * just close after the handshake */
			const char *scheme = NULL;
			bool tls =
			    curl_easy_getinfo(x->easy, CURLINFO_SCHEME, &scheme) == CURLE_OK &&
			    scheme != NULL && strcasecmp(scheme, "https") == 0;
			snprintf(e, el, "connection %s by peer%s",
			         oserr == ECONNRESET ? "reset" : "closed",
			         tls && f->cert == NULL
			             ? " (does the server want a client certificate: --cert/--key?)"
			             : "");
		} else if (strstr(x->errbuf, "SSL") != NULL)
			/* TLS 1.3 servers refuse a missing client certificate only
			 * after the handshake, on the first read or write */
			snprintf(
			    e, el,
			    "TLS: the server broke off the session (%s); does it want a client "
			    "certificate (--cert/--key)?",
			    detail(x, ""));
		else
			snprintf(e, el, "%s failed (%s)",
			         rc == CURLE_RECV_ERROR ? "receive" : "send", detail(x, ""));
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		snprintf(e, el, "TLS: certificate verify failed (%s)",
		         detail(x, "SSL certificate problem: "));
		break;
	case CURLE_SSL_CONNECT_ERROR:
		snprintf(e, el, "TLS: handshake failed (%s)", detail(x, ""));
		break;
	case CURLE_SSL_CACERT_BADFILE:
		text_copy_ascii(a, sizeof(a), f->cacert);
		snprintf(e, el, "TLS: could not load CA certificates '%s'", a);
		break;
	case CURLE_SSL_CERTPROBLEM:
		if (strstr(x->errbuf, "private key") != NULL) {
			text_copy_ascii(a, sizeof(a), f->key != NULL ? f->key : f->cert);
			snprintf(e, el, "TLS: could not load the client key '%s'", a);
		} else if (strstr(x->errbuf, "client certificate") != NULL) {
			text_copy_ascii(a, sizeof(a), f->cert);
			snprintf(e, el, "TLS: could not load the client certificate '%s'", a);
		} else {
			snprintf(e, el, "TLS: client certificate problem (%s)", detail(x, ""));
		}
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		url_part(x, CURLUPART_SCHEME, 0, a, sizeof(a));
		snprintf(e, el, "unsupported URL scheme '%s' (use http, https or file)", a);
		break;
	case CURLE_URL_MALFORMAT:
		snprintf(e, el, "malformed URL");
		break;
	case CURLE_FILE_COULDNT_READ_FILE:
		url_part(x, CURLUPART_PATH, CURLU_URLDECODE, a, sizeof(a));
		snprintf(e, el, "could not read file '%s'", a);
		break;
	case CURLE_WEIRD_SERVER_REPLY:
		snprintf(e, el, "not a valid HTTP response (%s)", detail(x, ""));
		break;
	case CURLE_OUT_OF_MEMORY:
		snprintf(e, el, "out of memory");
		break;
	default:
		if (x->errbuf[0] != '\0')
			snprintf(e, el, "%s (%s)", curl_easy_strerror(rc), detail(x, ""));
		else
			snprintf(e, el, "%s", curl_easy_strerror(rc));
		break;
	}
}

/* "HTTP 404: Unknown profile": the first non-blank line of the body. */
static void
http_error(const struct fetch *x, long code, char *out, size_t outlen)
{
	const unsigned char *p = x->buf;
	size_t n = x->len, i = 0, j;
	bool trunc;

	snprintf(out, outlen, "HTTP %ld", code);
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	j = i;
	while (j < n && p[j] != '\n')
		j++;
	while (j > i && (p[j - 1] == '\r' || p[j - 1] == ' ' || p[j - 1] == '\t'))
		j--;
	if (j == i)
		return;
	snprintf(out + strlen(out), outlen - strlen(out), ": ");
	text_append_ascii(out, outlen, p + i, j - i, ERRLINE_MAX, &trunc);
	if (trunc)
		snprintf(out + strlen(out), outlen - strlen(out), "...");
}

/* Handle a 3xx. Returns 1 if the redirect is being followed, 0 if there is
 * no Location (an ordinary HTTP error), -1 if refused (res filled). */
static int
redirect(struct fetch *x, struct fetch_result *res)
{
	struct fetcher *f = x->f;
	char *loc = NULL, *s1 = NULL, *s2 = NULL, *h1 = NULL, *h2 = NULL, *p1 = NULL, *p2 = NULL,
	     *path = NULL, *query = NULL, *next = NULL;
	CURLU *to = NULL, *nu = NULL;
	int ret = -1;
	long left;
	char host[160], port[16];

	curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &loc);
	if (loc == NULL)
		return 0;
	res->status = FETCH_REDIRECT_REFUSED;
	to = curl_url();
	if (x->url == NULL || to == NULL ||
	    curl_url_set(to, CURLUPART_URL, loc, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(x->url, CURLUPART_SCHEME, &s1, 0) != CURLUE_OK ||
	    curl_url_get(to, CURLUPART_SCHEME, &s2, 0) != CURLUE_OK ||
	    curl_url_get(x->url, CURLUPART_HOST, &h1, 0) != CURLUE_OK ||
	    curl_url_get(to, CURLUPART_HOST, &h2, 0) != CURLUE_OK ||
	    curl_url_get(x->url, CURLUPART_PORT, &p1, CURLU_DEFAULT_PORT) != CURLUE_OK ||
	    curl_url_get(to, CURLUPART_PORT, &p2, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		snprintf(res->err, sizeof(res->err), "redirect refused: unusable Location");
		goto out;
	}
	text_copy_ascii(host, sizeof(host), h2);
	text_copy_ascii(port, sizeof(port), p2);
	if (strcasecmp(h1, h2) != 0) {
		snprintf(res->err, sizeof(res->err), "redirect to another host refused (%s:%s)",
		         host, port);
		goto out;
	}
	if (strcasecmp(s1, s2) != 0 || strcmp(p1, p2) != 0) {
		char sch[16];

		text_copy_ascii(sch, sizeof(sch), s2);
		snprintf(res->err, sizeof(res->err),
		         "redirect to %s://%s:%s refused (different scheme or port)", sch, host,
		         port);
		goto out;
	}
	if (x->hops >= MAX_HOPS) {
		snprintf(res->err, sizeof(res->err), "redirect loop (more than %d redirects)",
		         MAX_HOPS);
		goto out;
	}
	left = x->timeout_ms - (long)(x->total_s * 1000.0);
	if (left <= 0) {
		res->status = FETCH_TIMEOUT;
		snprintf(res->err, sizeof(res->err), "timed out after %.1f s",
		         (double)x->timeout_ms / 1000.0);
		goto out;
	}
	/* Same origin: keep the current URL (and its userinfo), take the path
	 * and query of the target. */
	nu = curl_url_dup(x->url);
	curl_url_get(to, CURLUPART_PATH, &path, 0);
	curl_url_get(to, CURLUPART_QUERY, &query, 0);
	if (nu == NULL || curl_url_set(nu, CURLUPART_PATH, path, 0) != CURLUE_OK ||
	    curl_url_set(nu, CURLUPART_QUERY, query, 0) != CURLUE_OK ||
	    curl_url_set(nu, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
	    curl_url_get(nu, CURLUPART_URL, &next, 0) != CURLUE_OK) {
		snprintf(res->err, sizeof(res->err), "redirect refused: unusable Location");
		goto out;
	}
	x->len = 0;
	x->toobig = false;
	x->go_pprof = false;
	x->errbuf[0] = '\0';
	curl_easy_setopt(x->easy, CURLOPT_URL, next);
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, left);
	if (curl_multi_add_handle(f->multi, x->easy) != CURLM_OK) {
		res->status = FETCH_NET_ERROR;
		snprintf(res->err, sizeof(res->err), "could not restart the transfer");
		goto out;
	}
	curl_url_cleanup(x->url);
	x->url = nu;
	nu = NULL;
	x->hops++;
	ret = 1;
out:
	curl_free(s1);
	curl_free(s2);
	curl_free(h1);
	curl_free(h2);
	curl_free(p1);
	curl_free(p2);
	curl_free(path);
	curl_free(query);
	curl_free(next);
	curl_url_cleanup(to);
	curl_url_cleanup(nu);
	return ret;
}

/* A transfer finished (CURLMSG_DONE): follow, or deliver and free. */
static void
finish(struct fetch *x, CURLcode rc)
{
	struct fetcher *f = x->f;
	struct fetch_result res;
	double t = 0;
	char *ct = NULL;
	int r = 0;

	memset(&res, 0, sizeof(res));
	curl_multi_remove_handle(f->multi, x->easy);
	curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &t);
	x->total_s += t;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &res.http_code);
	if (rc == CURLE_OK && res.http_code >= 300 && res.http_code < 400) {
		r = redirect(x, &res);
		if (r > 0)
			return;
	}
	if (r < 0) {
		/* status and err set by redirect() */
	} else if (rc != CURLE_OK) {
		classify(x, rc, &res);
	} else if (res.http_code == 0 || (res.http_code >= 200 && res.http_code < 300)) {
		res.status = FETCH_OK;
	} else {
		res.status = FETCH_HTTP_ERROR;
		http_error(x, res.http_code, res.err, sizeof(res.err));
	}
	if (res.status != FETCH_OK && res.status != FETCH_HTTP_ERROR)
		x->len = 0;
	if (x->buf == NULL) {
		x->buf = xmalloc(1);
		x->cap = 1;
	}
	x->buf[x->len] = '\0';
	res.body = x->buf;
	res.len = x->len;
	x->buf = NULL;
	curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
	text_copy_ascii(res.content_type, sizeof(res.content_type), ct);
	res.go_pprof_error = x->go_pprof;
	res.total_s = x->total_s;
	curl_easy_getinfo(x->easy, CURLINFO_CONNECT_TIME, &res.connect_s);
	curl_easy_getinfo(x->easy, CURLINFO_PRETRANSFER_TIME, &res.pretransfer_s);
	double dns = 0;
	curl_easy_getinfo(x->easy, CURLINFO_NAMELOOKUP_TIME, &dns);
	if (res.connect_s > dns)
		res.handshake_s = res.connect_s - dns;

	unlink_fetch(x);
	x->delivering = true;
	f->depth++;
	x->cb(&res, x->ud);
	f->depth--;
	free(res.body);
	fetch_destroy(x);
}

static void release(struct fetcher *f);

static void
harvest(struct fetcher *f)
{
	CURLMsg *m;
	int left;

	while (!f->dying && (m = curl_multi_info_read(f->multi, &left)) != NULL) {
		CURL *easy = m->easy_handle; /* m dies with remove_handle */
		CURLcode rc = m->data.result;
		char *priv = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
		finish((struct fetch *)(void *)priv, rc);
	}
	if (f->dying && f->depth == 0)
		release(f);
}

/* ---- public API ---------------------------------------------------------- */

struct fetcher *
fetcher_new(struct ev_loop *loop, const struct fetch_opts *opts)
{
	struct fetch_opts none;
	struct fetcher *f;
	size_t i;

	if (opts == NULL) {
		memset(&none, 0, sizeof(none));
		opts = &none;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	f = xcalloc(1, sizeof(*f));
	f->loop = loop;
	f->multi = curl_multi_init();
	if (f->multi == NULL) {
		free(f);
		curl_global_cleanup();
		return NULL;
	}
	f->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : DEF_TIMEOUT_MS;
	f->connect_timeout_ms =
	    opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : DEF_CONNECT_TIMEOUT_MS;
	f->max_body = opts->max_body > 0 ? opts->max_body : DEF_MAX_BODY;
	if (f->max_body > SIZE_MAX - 2)
		f->max_body = SIZE_MAX - 2;
	f->insecure = opts->insecure;
	f->cacert = dup_or_null(opts->cacert);
	f->cert = dup_or_null(opts->cert);
	f->key = dup_or_null(opts->key);
	for (i = 0; i < opts->nheaders; i++) {
		struct curl_slist *l;

		if (opts->headers[i] == NULL)
			continue;
		l = curl_slist_append(f->headers, opts->headers[i]);
		if (l == NULL)
			xalloc_die();
		f->headers = l;
	}
	ev_init(&f->timer, on_timer);
	f->timer.data = f;
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	return f;
}

struct fetch *
fetch_start(struct fetcher *f, const char *url, fetch_done_fn cb, void *ud)
{
	return fetch_start_timeout(f, url, 0, cb, ud);
}

struct fetch *
fetch_start_timeout(struct fetcher *f, const char *url, long timeout_ms, fetch_done_fn cb, void *ud)
{
	struct fetch *x;
	CURL *e;
	long stall_s;

	if (f->dying)
		return NULL;
	e = curl_easy_init();
	if (e == NULL)
		return NULL;
	x = xcalloc(1, sizeof(*x));
	x->f = f;
	x->easy = e;
	x->cb = cb;
	x->ud = ud;
	x->timeout_ms = timeout_ms > 0 ? timeout_ms : f->timeout_ms;
	x->url = curl_url();
	if (x->url != NULL &&
	    curl_url_set(x->url, CURLUPART_URL, url,
	                 CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
		curl_url_cleanup(x->url); /* curl reports the bad URL itself */
		x->url = NULL;
	}
	/* A server trickling bytes is bounded by TIMEOUT_MS; the low-speed
	 * limit is a second bound on a stalled connection. */
	stall_s = (x->timeout_ms + 999) / 1000;

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)(void *)x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "pproftop/" PPROFTOP_VERSION);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, x->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, f->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, stall_s);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max_body);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, f->insecure ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, f->insecure ? 0L : 2L);
	if (f->cacert != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, f->cacert);
	if (f->cert != NULL)
		curl_easy_setopt(e, CURLOPT_SSLCERT, f->cert);
	if (f->key != NULL)
		curl_easy_setopt(e, CURLOPT_SSLKEY, f->key);

	/* Only schedules work (timer_cb with 0): the callback cannot run now. */
	if (curl_multi_add_handle(f->multi, e) != CURLM_OK) {
		fetch_destroy(x);
		return NULL;
	}
	link_fetch(f, x);
	return x;
}

void
fetch_cancel(struct fetch *x)
{
	if (x == NULL || x->delivering)
		return; /* its own callback: freed when that returns */
	unlink_fetch(x);
	curl_multi_remove_handle(x->f->multi, x->easy); /* drops a queued DONE */
	fetch_destroy(x);
}

unsigned char *
fetch_result_take_body(struct fetch_result *res)
{
	unsigned char *b = res->body;

	res->body = NULL;
	return b;
}

size_t
fetcher_inflight(const struct fetcher *f)
{
	return f->inflight;
}

/* Shutdown order: transfers are gone; multi cleanup (may call sock_cb and
 * timer_cb, so f stays alive), then whatever watchers remain. */
static void
release(struct fetcher *f)
{
	ev_timer_stop(f->loop, &f->timer);
	curl_multi_cleanup(f->multi);
	ev_timer_stop(f->loop, &f->timer);
	while (f->socks != NULL) {
		struct sock *s = f->socks;

		f->socks = s->next;
		ev_io_stop(f->loop, &s->io);
		free(s);
	}
	curl_slist_free_all(f->headers);
	free(f->cacert);
	free(f->cert);
	free(f->key);
	free(f);
	curl_global_cleanup();
}

void
fetcher_free(struct fetcher *f)
{
	if (f == NULL)
		return;
	/* fetch_cancel unlinks and frees the head each time (the one whose
	 * callback is running is not on the list) */
	while (f->head != NULL)
		fetch_cancel(f->head); // NOLINT(clang-analyzer-unix.Malloc)
	if (f->depth > 0) {
		f->dying = true; /* harvest() releases after the callback */
		return;
	}
	release(f);
}
