/* xalloc.c - allocators that never return NULL (see xalloc.h). */
#include "pproftop/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*fail_hook)(void);

void
xalloc_set_fail_hook(void (*fn)(void))
{
	fail_hook = fn;
}

_Noreturn void
xalloc_die(void)
{
	if (fail_hook != NULL) {
		void (*fn)(void) = fail_hook;
		fail_hook = NULL;
		fn();
	}
	fputs("pproftop: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		xalloc_die();
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		xalloc_die();
	return p;
}

void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		xalloc_die();
	size_t n = nmemb * size;
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		xalloc_die();
	return q;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}
