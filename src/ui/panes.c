/* panes.c - the registry of panes: the tab bar in order. Adding a pane is
 * its file (a struct pane_ops) and one line here; its tab number and its
 * 1..9 key come from its place. */
#include "pane.h"

static const struct pane_ops *const registry[] = {
	&pane_goroutines_ops,
	&pane_heap_ops,
	&pane_contention_ops,
	&pane_cpu_ops,
};

_Static_assert(sizeof(registry) / sizeof(registry[0]) <= PANE_MAX, "at most 9 tabs");

const struct pane_ops *const *
pane_registry(int *n)
{
	*n = (int)(sizeof(registry) / sizeof(registry[0]));
	return registry;
}
