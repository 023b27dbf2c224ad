/* curl_lazy.c - libcurl, loaded when it is first needed (see curl_lazy.h).
 *
 * Each libcurl function the fetcher calls is defined here with libcurl's
 * own prototype (from curl/curl.h) and forwards to the library's, found
 * with dlsym(3) on the first call. The variadic setters take exactly one
 * argument, whose type the option number tells (curl.h's CURLOPTTYPE_
 * ranges): it is read with that type and passed on as it came. */
#define CURL_DISABLE_TYPECHECK 1
#include "pproftop/curl_lazy.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

/* NOLINTBEGIN(bugprone-macro-parentheses): the tables below are X-macros
 * over types, names and parameter lists, which cannot be parenthesized */
/* the non-variadic functions: return type, name, parameters, arguments,
 * what to return when libcurl could not be loaded */
#define CURL_FNS(X)                                                                                \
	X(CURLcode, curl_global_init, (long flags), (flags), CURLE_FAILED_INIT)                    \
	X(CURL *, curl_easy_init, (void), (), NULL)                                                \
	X(const char *, curl_easy_strerror, (CURLcode code), (code), "libcurl is not loaded")      \
	X(CURLM *, curl_multi_init, (void), (), NULL)                                              \
	X(CURLMcode, curl_multi_add_handle, (CURLM * multi_handle, CURL * curl_handle),            \
	  (multi_handle, curl_handle), CURLM_INTERNAL_ERROR)                                       \
	X(CURLMcode, curl_multi_remove_handle, (CURLM * multi_handle, CURL * curl_handle),         \
	  (multi_handle, curl_handle), CURLM_INTERNAL_ERROR)                                       \
	X(CURLMcode, curl_multi_cleanup, (CURLM * multi_handle), (multi_handle),                   \
	  CURLM_INTERNAL_ERROR)                                                                    \
	X(CURLMcode, curl_multi_assign, (CURLM * multi_handle, curl_socket_t sockfd, void *sockp), \
	  (multi_handle, sockfd, sockp), CURLM_INTERNAL_ERROR)                                     \
	X(CURLMcode, curl_multi_socket_action,                                                     \
	  (CURLM * multi_handle, curl_socket_t s, int ev_bitmask, int *running_handles),           \
	  (multi_handle, s, ev_bitmask, running_handles), CURLM_INTERNAL_ERROR)                    \
	X(CURLMsg *, curl_multi_info_read, (CURLM * multi_handle, int *msgs_in_queue),             \
	  (multi_handle, msgs_in_queue), NULL)                                                     \
	X(struct curl_slist *, curl_slist_append, (struct curl_slist * list, const char *data),    \
	  (list, data), NULL)                                                                      \
	X(CURLU *, curl_url, (void), (), NULL)                                                     \
	X(CURLU *, curl_url_dup, (CURLU_CONST CURLU * in), (in), NULL)                             \
	X(CURLUcode, curl_url_get,                                                                 \
	  (CURLU_CONST CURLU * handle, CURLUPart what, char **part, unsigned int flags),           \
	  (handle, what, part, flags), CURLUE_OUT_OF_MEMORY)                                       \
	X(CURLUcode, curl_url_set,                                                                 \
	  (CURLU * handle, CURLUPart what, const char *part, unsigned int flags),                  \
	  (handle, what, part, flags), CURLUE_OUT_OF_MEMORY)                                       \
	X(curl_version_info_data *, curl_version_info, (CURLversion stamp), (stamp), NULL)

/* the ones returning nothing: nothing to do when not loaded */
#define CURL_VOID_FNS(X)                                                                           \
	X(curl_global_cleanup, (void), ())                                                         \
	X(curl_easy_cleanup, (CURL * curl), (curl))                                                \
	X(curl_slist_free_all, (struct curl_slist * list), (list))                                 \
	X(curl_url_cleanup, (CURLU * handle), (handle))                                            \
	X(curl_free, (void *p), (p))

#define FIELD(ret, name, params, args, fail) ret(*name) params;
#define VOID_FIELD(name, params, args) void(*name) params;

static struct {
	CURL_FNS(FIELD)
	CURL_VOID_FNS(VOID_FIELD)
	CURLcode (*curl_easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*curl_easy_getinfo)(CURL *, CURLINFO, ...);
	CURLMcode (*curl_multi_setopt)(CURLM *, CURLMoption, ...);
} fn;

static enum { NOT_TRIED, LOADED, FAILED } state;
static char error[256];

/* the sonames of Debian's libcurl4 (OpenSSL) and libcurl3-gnutls */
static const char *const sonames[] = { "libcurl.so.4", "libcurl-gnutls.so.4" };

static bool
find(void *lib, const char *name, void *slot, size_t size)
{
	void *sym = dlsym(lib, name);

	if (sym == NULL) {
		snprintf(error, sizeof(error), "libcurl has no %s", name);
		return false;
	}
	/* a function pointer from dlsym's object pointer (POSIX allows it) */
	memcpy(slot, &sym, size);
	return true;
}

bool
curl_lazy_load(void)
{
	if (state != NOT_TRIED)
		return state == LOADED;
	state = FAILED;
	void *lib = NULL;
	for (size_t i = 0; i < sizeof(sonames) / sizeof(sonames[0]) && lib == NULL; i++)
		lib = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		const char *why = dlerror();
		snprintf(error, sizeof(error), "cannot load libcurl: %s", why != NULL ? why : "?");
		return false;
	}
#define FIND(ret, name, params, args, fail)                                                        \
	if (!find(lib, #name, (void *)&fn.name, sizeof(fn.name)))                                  \
		return false;
#define VOID_FIND(name, params, args)                                                              \
	if (!find(lib, #name, (void *)&fn.name, sizeof(fn.name)))                                  \
		return false;
	CURL_FNS(FIND)
	CURL_VOID_FNS(VOID_FIND)
	VOID_FIND(curl_easy_setopt, , )
	VOID_FIND(curl_easy_getinfo, , )
	VOID_FIND(curl_multi_setopt, , )
	state = LOADED;
	error[0] = '\0';
	return true;
}

bool
curl_lazy_loaded(void)
{
	return state == LOADED;
}

const char *
curl_lazy_error(void)
{
	return state == FAILED ? error : "";
}

#define DEFINE(ret, name, params, args, fail)                                                      \
	ret name params                                                                            \
	{                                                                                          \
		if (!curl_lazy_load())                                                             \
			return fail;                                                               \
		return fn.name args;                                                               \
	}
#define VOID_DEFINE(name, params, args)                                                            \
	void name params                                                                           \
	{                                                                                          \
		if (curl_lazy_load())                                                              \
			fn.name args;                                                              \
	}
CURL_FNS(DEFINE)
CURL_VOID_FNS(VOID_DEFINE)

/* The one argument of a setter, read as its option's type says. */
#define FORWARD_OPTION(call, option, ap)                                                           \
	do {                                                                                       \
		if ((option) < CURLOPTTYPE_OBJECTPOINT) {                                          \
			long v_ = va_arg(ap, long);                                                \
			r = call(v_);                                                              \
		} else if ((option) < CURLOPTTYPE_FUNCTIONPOINT) {                                 \
			void *v_ = va_arg(ap, void *);                                             \
			r = call(v_);                                                              \
		} else if ((option) < CURLOPTTYPE_OFF_T) {                                         \
			void (*v_)(void) = va_arg(ap, void (*)(void));                             \
			r = call(v_);                                                              \
		} else if ((option) < CURLOPTTYPE_BLOB) {                                          \
			curl_off_t v_ = va_arg(ap, curl_off_t);                                    \
			r = call(v_);                                                              \
		} else {                                                                           \
			void *v_ = va_arg(ap, void *);                                             \
			r = call(v_);                                                              \
		}                                                                                  \
	} while (0)

CURLcode
curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
	CURLcode r;
	va_list ap;

	if (!curl_lazy_load())
		return CURLE_FAILED_INIT;
	va_start(ap, option);
#define EASY_SET(v) fn.curl_easy_setopt(curl, option, v)
	/* va_start is just above: the analyzer loses it when it checks many
	 * files in one run */
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
	FORWARD_OPTION(EASY_SET, (int)option, ap);
	va_end(ap);
	return r;
}

CURLMcode
curl_multi_setopt(CURLM *multi_handle, CURLMoption option, ...)
{
	CURLMcode r;
	va_list ap;

	if (!curl_lazy_load())
		return CURLM_INTERNAL_ERROR;
	va_start(ap, option);
#define MULTI_SET(v) fn.curl_multi_setopt(multi_handle, option, v)
	/* va_start is just above: the analyzer loses it when it checks many
	 * files in one run */
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
	FORWARD_OPTION(MULTI_SET, (int)option, ap);
	va_end(ap);
	return r;
}

CURLcode
curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
	va_list ap;

	if (!curl_lazy_load())
		return CURLE_FAILED_INIT;
	/* every CURLINFO_ takes a pointer to where the answer goes */
	va_start(ap, info);
	/* va_start is just above: the analyzer loses it when it checks many
	 * files in one run */
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
	void *out = va_arg(ap, void *);
	va_end(ap);
	return fn.curl_easy_getinfo(curl, info, out);
}
/* NOLINTEND(bugprone-macro-parentheses) */

const char *
curl_lazy_version(char *buf, size_t len)
{
	const curl_version_info_data *d =
	    curl_lazy_load() ? curl_version_info(CURLVERSION_NOW) : NULL;

	if (d == NULL) {
		snprintf(buf, len, "not found (%s)",
		         state == FAILED ? error : "libcurl gave no version");
		return NULL;
	}
	if (d->ssl_version != NULL)
		snprintf(buf, len, "%s (%s)", d->version, d->ssl_version);
	else
		snprintf(buf, len, "%s", d->version);
	return buf;
}
