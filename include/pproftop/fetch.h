/* fetch.h - asynchronous HTTP(S) and file:// fetches on a libev loop.
 *
 * One fetcher owns one libcurl multi handle driven by the caller's libev
 * loop (curl's socket interface mapped onto ev_io/ev_timer). Transfers run
 * concurrently; each one ends with exactly one call of its done callback,
 * unless it is cancelled (fetch_cancel, fetcher_free), in which case the
 * callback is never called.
 *
 * Policy: bodies are returned as received (never content-decoded: pprof
 * bodies are gzip themselves); redirects are followed only to the same
 * scheme, host and port (at most 3), so configured headers never reach
 * another host; HTTP status >= 300 that is not followed is an error; the
 * body size is capped while receiving.
 *
 * This is the only header under include/pproftop/ that knows about libev;
 * it still includes neither libev's nor libcurl's header.
 */
#ifndef PPROFTOP_FETCH_H
#define PPROFTOP_FETCH_H

#include <stdbool.h>
#include <stddef.h>

struct ev_loop;
struct fetcher;
struct fetch;

struct fetch_opts {
	long timeout_ms;            /* whole transfer incl. redirects; <= 0: 10000 */
	long connect_timeout_ms;    /* <= 0: 3000 */
	size_t max_body;            /* cap; exceeding it aborts with FETCH_TOOBIG; 0: 64 MiB */
	const char *const *headers; /* "Name: value" strings, copied */
	size_t nheaders;
	bool insecure;      /* skip TLS peer and host name verification */
	const char *cacert; /* PEM file paths or NULL; copied */
	const char *cert;
	const char *key;
};

enum fetch_status {
	FETCH_OK,               /* 2xx, or a file:// read */
	FETCH_HTTP_ERROR,       /* a final response with status >= 300 */
	FETCH_NET_ERROR,        /* DNS, connect, TLS, reset, truncated body, bad URL... */
	FETCH_TIMEOUT,          /* timeout_ms, connect_timeout_ms or the stall limit hit */
	FETCH_TOOBIG,           /* body larger than max_body */
	FETCH_CANCELLED,        /* reserved: cancelled fetches get no callback */
	FETCH_REDIRECT_REFUSED, /* redirect to another origin, loop, or bad Location */
};

struct fetch_result {
	enum fetch_status status;
	long http_code;         /* last response's status; 0 for file:// or when none arrived */
	char content_type[128]; /* "" when absent; truncated, control bytes dropped */
	bool go_pprof_error;    /* the final response had "X-Go-Pprof: 1" */
	/* The body. Owned by the fetcher and valid during the callback only,
	 * unless taken with fetch_result_take_body(). Never NULL in a callback
	 * (until taken); body[len] == '\0'. Holds the response for FETCH_OK and
	 * FETCH_HTTP_ERROR; empty (len 0) for every other status. */
	unsigned char *body;
	size_t len;
	double total_s;   /* seconds, summed over redirect hops */
	double connect_s; /* seconds until connected, for the last hop */
	/* the last hop, from its start: until the request went out */
	double pretransfer_s;
	/* the TCP handshake (one round trip), when this fetch connected; 0 on
	 * a reused connection */
	double handshake_s;
	/* One line of plain words, "" on success. Never contains header
	 * values, URL credentials or the URL itself (hosts and file paths
	 * may appear). */
	char err[256];
};

/* fetch_done_fn: called once from the loop (never from fetch_start). res and
 * everything it points to belong to the fetcher and are gone when the
 * callback returns (take the body to keep it). The fetch handle is invalid
 * after the callback returns. Inside the callback the caller may start,
 * cancel (any fetch, even this one: a no-op) and free the fetcher. */
typedef void (*fetch_done_fn)(struct fetch_result *res, void *ud);

/* fetcher_new: a fetcher on loop. opts may be NULL (all defaults); it and the
 * strings it points to are copied. The loop must outlive the fetcher.
 * Returns NULL if libcurl cannot be initialised. */
struct fetcher *fetcher_new(struct ev_loop *loop, const struct fetch_opts *opts);

/* fetch_start: begin fetching url (copied; "http://", "https://" or
 * "file://"; no scheme means http). cb(res, ud) runs later from the loop,
 * never synchronously, even for errors detectable now. Returns a handle valid
 * until the callback returns or fetch_cancel(); NULL (and cb never called)
 * only if libcurl refuses to create a transfer, or after fetcher_free() was
 * called from a callback. */
struct fetch *fetch_start(struct fetcher *f, const char *url, fetch_done_fn cb, void *ud);

/* fetch_start_timeout: fetch_start with this transfer's own timeout
 * (timeout_ms, whole transfer incl. redirects; <= 0: the fetcher's
 * opts.timeout_ms), e.g. a CPU profile that takes its seconds= to come;
 * the stall limit scales with it. */
struct fetch *fetch_start_timeout(struct fetcher *f, const char *url, long timeout_ms,
                                  fetch_done_fn cb, void *ud);

/* fetch_cancel: abort x and free its resources; cb is NOT called afterwards.
 * Safe inside any callback (including x's own, where it does nothing).
 * x == NULL is a no-op. */
void fetch_cancel(struct fetch *x);

/* fetch_result_take_body: transfer ownership of res->body (NUL-terminated
 * beyond res->len) to the caller, who free()s it. Leaves res->body NULL and
 * res->len unchanged. Returns NULL if already taken. */
unsigned char *fetch_result_take_body(struct fetch_result *res);

/* fetcher_inflight: transfers started and neither delivered nor cancelled.
 * A fetch whose callback is running no longer counts. */
size_t fetcher_inflight(const struct fetcher *f);

/* fetcher_free: cancel every transfer without callbacks, then release the
 * curl handles and all ev watchers it started. May be called from a done
 * callback (the release then finishes when the callback returns). NULL is a
 * no-op. Call before destroying the loop. */
void fetcher_free(struct fetcher *f);

#endif
