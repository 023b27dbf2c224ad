/* xalloc.h - allocators that never return NULL.
 *
 * On exhaustion they call the installed failure hook (the UI restores the
 * terminal there) and then abort with a one-line message.
 */
#ifndef PPROFTOP_XALLOC_H
#define PPROFTOP_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
/* xreallocarray: realloc for nmemb*size bytes, overflow-checked. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* xalloc_set_fail_hook: fn runs once before the process aborts on OOM. */
void xalloc_set_fail_hook(void (*fn)(void));

/* xalloc_die: report out of memory and abort. */
_Noreturn void xalloc_die(void);

#endif
