/* target.c - TARGET argument to base URL (see target.h). */
#include "pproftop/target.h"

#include <stdio.h>
#include <string.h>

/* in with any user:password@ replaced by ***@, for error messages */
static void
mask_credentials(const char *in, char *out, size_t outlen)
{
	const char *auth = strstr(in, "://");
	auth = auth ? auth + 3 : in;
	size_t alen = strcspn(auth, "/?#");
	const char *at = NULL;

	for (const char *p = auth; p < auth + alen; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		snprintf(out, outlen, "%.60s", in);
	else
		snprintf(out, outlen, "%.*s***%.40s", (int)(auth - in), in, at);
}

int
target_parse(const char *in, char *out, size_t outlen, char *shown, size_t shownlen)
{
	char safe[128];

	if (in != NULL)
		mask_credentials(in, safe, sizeof(safe));
	const char *scheme = "http://";
	const char *rest = in;

	if (in == NULL || *in == '\0') {
		snprintf(out, outlen, "empty target");
		return -1;
	}
	if (strncmp(in, "http://", 7) == 0) {
		rest = in + 7;
	} else if (strncmp(in, "https://", 8) == 0) {
		scheme = "https://";
		rest = in + 8;
	} else if (strstr(in, "://") != NULL) {
		snprintf(out, outlen, "unsupported scheme in '%s' (use http:// or https://)", safe);
		return -1;
	}
	for (const char *p = rest; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			snprintf(out, outlen, "target contains spaces or control characters");
			return -1;
		}
	}
	size_t hostlen = strcspn(rest, "/?#");
	const char *path = rest + hostlen;
	if (strpbrk(path, "?#") != NULL) {
		snprintf(out, outlen, "target must not have a query or fragment");
		return -1;
	}
	char host[512];
	if (hostlen == 0 || hostlen >= sizeof(host)) {
		snprintf(out, outlen, "no host in target '%s'", safe);
		return -1;
	}
	memcpy(host, rest, hostlen);
	host[hostlen] = '\0';
	/* credentials user:pass@ are kept in the URL but not shown */
	const char *at = strrchr(host, '@');
	const char *hostpart = at ? at + 1 : host;
	char hp[512];
	if (hostpart[0] == ':')
		snprintf(hp, sizeof(hp), "localhost%s", hostpart);
	else
		snprintf(hp, sizeof(hp), "%s", hostpart);
	if (hp[0] == '\0' || strcmp(hp, "localhost:") == 0) {
		snprintf(out, outlen, "no host in target '%s'", safe);
		return -1;
	}
	/* a port, when present, must be numeric and in range */
	const char *colon = strrchr(hp, ':');
	const char *bracket = strrchr(hp, ']');
	if (colon != NULL && (bracket == NULL || colon > bracket)) {
		long port = 0;
		const char *d = colon + 1;
		if (*d == '\0') {
			snprintf(out, outlen, "missing port in target '%s'", safe);
			return -1;
		}
		for (; *d; d++) {
			if (*d < '0' || *d > '9' || port > 65535) {
				snprintf(out, outlen, "bad port in target '%s'", safe);
				return -1;
			}
			port = port * 10 + (*d - '0');
		}
		if (port < 1 || port > 65535) {
			snprintf(out, outlen, "bad port in target '%s'", safe);
			return -1;
		}
	}
	/* path prefix: default /debug/pprof; always ends with '/' */
	size_t plen = strlen(path);
	while (plen > 0 && path[plen - 1] == '/')
		plen--;
	const char *prefix = plen > 0 ? path : "/debug/pprof";
	int pn = plen > 0 ? (int)plen : (int)strlen(prefix);
	char cred[512] = "";
	if (at != NULL)
		snprintf(cred, sizeof(cred), "%.*s@", (int)(at - host), host);
	int n = snprintf(out, outlen, "%s%s%s%.*s/", scheme, cred, hp, pn, prefix);
	if (n < 0 || (size_t)n >= outlen) {
		snprintf(out, outlen, "target too long");
		return -1;
	}
	snprintf(shown, shownlen, "%s%s%.*s", scheme, hp, pn, prefix);
	return 0;
}
