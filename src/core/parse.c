/* parse.c - format detection and error formatting (see parse.h). */
#include "pproftop/parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
parse_err_set(struct parse_err *err, size_t line, size_t offset, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->line = line;
	err->offset = offset;
	va_start(ap, fmt);
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start is above
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void
parse_err_format(const struct parse_err *err, const char *file, char *buf, size_t len)
{
	if (err->line > 0)
		snprintf(buf, len, "%s: line %zu: %s", file, err->line, err->msg);
	else if (err->inflated)
		snprintf(buf, len, "%s: byte %zu of the decompressed profile: %s", file,
		         err->offset, err->msg);
	else
		snprintf(buf, len, "%s: byte %zu: %s", file, err->offset, err->msg);
}

static int
has_prefix(const char *p, size_t len, const char *pfx)
{
	size_t n = strlen(pfx);

	return len >= n && memcmp(p, pfx, n) == 0;
}

/* Describe what a non-profile body looks like, for the error message. */
static const char *
describe(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i == len)
		return "empty input: not a profile";
	if (p[i] == '<')
		return "looks like HTML, not a profile (a login page or a proxy error?)";
	if (p[i] == '{' || p[i] == '[')
		return "looks like JSON, not a profile";
	if (has_prefix(p + i, len - i, "Unknown profile"))
		return "the server says: Unknown profile";
	if (has_prefix(p + i, len - i, "404 page not found"))
		return "the server says: 404 page not found";
	return "not a recognized pprof format (expected gzip protobuf, debug=1 text or a "
	       "goroutine dump)";
}

int
profile_parse(const void *data, size_t len, const char *name, struct snapshot **out,
              struct parse_err *err)
{
	const char *p = data;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	size_t ws = 0;
	while (ws < len && (p[ws] == ' ' || p[ws] == '\t' || p[ws] == '\r' || p[ws] == '\n'))
		ws++;
	if (ws == len)
		return parse_err_set(err, 0, 0, "%s", describe(p, len));
	if (len >= 2 && (unsigned char)p[0] == 0x1f && (unsigned char)p[1] == 0x8b)
		return parse_proto(data, len, name, out, err);
	if (has_prefix(p, len, "goroutine ") && len > 10 && p[10] >= '0' && p[10] <= '9')
		return parse_dump(data, len, name, out, err);
	if (has_prefix(p, len, "heap profile:") || has_prefix(p, len, "--- contention:") ||
	    has_prefix(p, len, "--- mutex:"))
		return parse_text(data, len, name, out, err);
	/* "<name> profile: total N" on the first line */
	const char *nl = memchr(p, '\n', len < 4096 ? len : 4096);
	size_t l1 = nl ? (size_t)(nl - p) : (len < 4096 ? len : 4096);
	for (size_t i = 0; i + 16 <= l1; i++) {
		if (p[i] == ' ' && memcmp(p + i, " profile: total ", 16) == 0)
			return parse_text(data, len, name, out, err);
		if (p[i] == '\n' || p[i] == '<')
			break;
	}
	/* uncompressed protobuf: field 1 or 2 (LEN) first, or as the Go runtime
	 * writes it, field 11 (period_type) or, for CPU, 9 (time_nanos) */
	if (len >= 2 && (p[0] == 0x0a || p[0] == 0x12 || p[0] == 0x5a || p[0] == 0x48)) {
		if (parse_proto(data, len, name, out, err) == 0)
			return 0;
		if (p[0] == 0x5a || p[0] == 0x48) /* "Z..." / "H...": likely text after all */
			return parse_err_set(err, 0, 0, "%s", describe(p, len));
		return -1;
	}
	return parse_err_set(err, 0, 0, "%s", describe(p, len));
}
