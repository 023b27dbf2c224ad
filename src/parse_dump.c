/* parse_dump.c - placeholder, being written. */
#include "pproftop/parse.h"

int
parse_dump(const void *data, size_t len, const char *name, struct snapshot **out,
	 struct parse_err *err)
{
	(void)data;
	(void)len;
	(void)name;
	*out = NULL;
	return parse_err_set(err, 0, 0, "parse_dump: not implemented yet");
}
