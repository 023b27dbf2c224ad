/* curl_lazy.h - libcurl, loaded when it is first needed.
 *
 * pproftop does not link libcurl: src/net/curl_lazy.c defines the libcurl
 * functions the fetcher calls, and the first of them to run loads
 * libcurl.so.4 with dlopen(3). `--open FILE` and every other run that
 * fetches nothing never load it, and so do not pay for libcurl and the
 * thirty libraries it pulls in (about 6 MiB of resident memory and their
 * relocations at start). If the library cannot be loaded, every call
 * fails as libcurl would when out of memory, and curl_lazy_error() says
 * why. Glue (src/net): the core never includes this. */
#ifndef PPROFTOP_CURL_LAZY_H
#define PPROFTOP_CURL_LAZY_H

#include <stdbool.h>
#include <stddef.h>

/* curl_lazy_load: loads libcurl once (later calls return the first
 * result). True when every function the fetcher uses was found. */
bool curl_lazy_load(void);

/* curl_lazy_loaded: whether libcurl has been loaded (without loading it). */
bool curl_lazy_loaded(void);

/* curl_lazy_error: after a failed curl_lazy_load, one line saying what was
 * missing (static storage); "" otherwise. */
const char *curl_lazy_error(void);

/* curl_lazy_version: libcurl's version and TLS library ("7.88.1
 * (OpenSSL/3.0.17)"), loading it, into buf; or, when it can't be loaded,
 * "not found (why)" into buf and NULL returned. */
const char *curl_lazy_version(char *buf, size_t len);

#endif
