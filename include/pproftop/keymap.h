/* keymap.h - the dashboard's key bindings as one table.
 *
 * Pure: no curses here. Keys are plain character codes for printable and
 * control keys, and the KM_* codes below for the special keys (the UI maps
 * curses' KEY_* codes onto them). The same table feeds the key lookup and
 * the help overlay, so the help can never miss a binding.
 */
#ifndef PPROFTOP_KEYMAP_H
#define PPROFTOP_KEYMAP_H

#include <stddef.h>

/* Special keys, above the Unicode range so they never clash with a
 * character. */
enum km_key {
	KM_UP = 0x110001,
	KM_DOWN,
	KM_LEFT,
	KM_RIGHT,
	KM_PGUP,
	KM_PGDN,
	KM_HOME,
	KM_END,
	KM_ENTER,
	KM_BACKSPACE,
	KM_BTAB,
	KM_F1,
	KM_RESIZE,
};

#define KM_ESC 27
#define KM_CTRL(c) ((c)&0x1f)

/* X-macro: action name, help text, the word the status line's hints use
 * (NULL: never hinted). The order is the order of the help. */
#define KM_ACTIONS(_)                                                                              \
	_(UP, "move the selection up", "scroll")                                                   \
	_(DOWN, "move the selection down", "scroll")                                               \
	_(PGUP, "one page up", "scroll")                                                           \
	_(PGDN, "one page down", "scroll")                                                         \
	_(HOME, "first row", NULL)                                                                 \
	_(END, "last row", NULL)                                                                   \
	_(NEXT_PANE, "next pane (Right: in a table)", NULL)                                        \
	_(PREV_PANE, "previous pane (Left: in a table)", NULL)                                     \
	_(PANE, "the pane of that number on the tab bar", NULL)                                    \
	_(ENTER, "details of the selected group; in the tree: expand, or details on a leaf",       \
	  "details")                                                                               \
	_(BACK, "back from details / close; in the tree: clear the focus", "back")                 \
	_(TREE, "switch the pane between its table and a live call tree", "tree")                  \
	_(FUNCS, "CPU pane: per function, flat and cum (like go tool pprof -top), or per stack",   \
	  NULL)                                                                                    \
	_(EXPAND, "tree: expand the node", "expand")                                               \
	_(COLLAPSE, "tree: collapse the node, or go to its parent", "collapse")                    \
	_(EXPAND_ALL, "tree: expand the whole subtree", "all")                                     \
	_(INVERT, "tree: invert it (bottom-up: leaves first, children are callers)", "invert")     \
	_(BY_LINE, "tree: a node is a function (or a function and a line)", "by line")             \
	_(FOCUS, "tree: focus on the node (only the stacks through it; Esc clears)", "focus")      \
	_(DETAIL, "tree: details of the stacks under the node", "details")                         \
	_(PAUSE, "pause the view (polling goes on)", "pause")                                      \
	_(SNAPSHOT, "save a snapshot (raw profiles + report)", "snapshot")                         \
	_(BASELINE, "set the baseline to now", "baseline")                                         \
	_(FILTER, "filter by regex on function names (smart case)", "filter")                      \
	_(SORT_PREV, "sort by the column to the left", "sort")                                     \
	_(SORT_NEXT, "sort by the column to the right", "sort")                                    \
	_(FASTER, "poll more often", "interval")                                                   \
	_(SLOWER, "poll less often", "interval")                                                   \
	_(POLL_NOW, "poll now", "poll now")                                                        \
	_(DUMP, "fetch the goroutine dump (debug=2) once; asks first above 10,000 goroutines",     \
	  NULL)                                                                                    \
	_(LEAKCHECK, "check for proven goroutine leaks now (runs a GC cycle)", NULL)               \
	_(TARGET, "several targets: merged view, then target 1, ..., target n, then merged", NULL) \
	_(REDRAW, "redraw the screen", NULL)                                                       \
	_(HELP, "this help", "help")                                                               \
	_(QUIT, "quit", "quit")

enum km_action {
	KA_NONE,
#define KM_ENUM(name, help, hint) KA_##name,
	KM_ACTIONS(KM_ENUM)
#undef KM_ENUM
	    KA_COUNT
};

struct km_binding {
	int key;
	enum km_action action;
	const char *name; /* as shown in the help: "Up", "k", "PgDn", "C-l" */
};

/* keymap_lookup: the action bound to key, KA_NONE when unbound. */
enum km_action keymap_lookup(int key);

/* keymap_lookup_tree: the action bound to key while a call tree is shown:
 * the tree's own bindings first (Left, Right, i, f, ...), then the others. */
enum km_action keymap_lookup_tree(int key);

/* keymap_tree_bindings: the tree's own table (*n entries). */
const struct km_binding *keymap_tree_bindings(size_t *n);

/* keymap_bindings: the whole table (*n entries), grouped by action in
 * KM_ACTIONS order. */
const struct km_binding *keymap_bindings(size_t *n);

/* keymap_help: the help text of an action ("" for KA_NONE). */
const char *keymap_help(enum km_action a);

/* keymap_action_name: "UP", "PGDN", ... ("NONE" for KA_NONE). */
const char *keymap_action_name(enum km_action a);

/* keymap_keys: the names of every key bound to a (the tree's table after
 * the other), joined by sep, into buf
 * (truncated to len, always NUL-terminated). Returns the length written. */
size_t keymap_keys(enum km_action a, const char *sep, char *buf, size_t len);

/* Where the status line's hints are shown. */
enum km_context {
	KM_CTX_TABLE,  /* a pane's table */
	KM_CTX_TREE,   /* a pane's call tree */
	KM_CTX_DETAIL, /* the detail of a group */
	KM_CTX_HELP,   /* the help overlay */
	KM_CTX_COUNT
};

/* keymap_hints: the status line's hints for ctx, from the hint table in
 * keymap.c and the bindings: "? help  q quit  Enter details ...", each the
 * first key of an action (or of two, "</> sort") and its hint word, into
 * buf (truncated to len, always NUL-terminated). Returns the length. */
size_t keymap_hints(enum km_context ctx, char *buf, size_t len);

/* keymap_markdown: the key table of the README ("| key | action |" rows
 * for every action in KM_ACTIONS order, keys as the help names them, in
 * backquotes), into
 * buf (truncated to len, always NUL-terminated). Returns the length it
 * needed (as snprintf). */
size_t keymap_markdown(char *buf, size_t len);

#endif
