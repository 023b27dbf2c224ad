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

/* X-macro: action name, help text. The order is the order of the help. */
#define KM_ACTIONS(_)                                                                              \
	_(UP, "move the selection up")                                                             \
	_(DOWN, "move the selection down")                                                         \
	_(PGUP, "one page up")                                                                     \
	_(PGDN, "one page down")                                                                   \
	_(HOME, "first row")                                                                       \
	_(END, "last row")                                                                         \
	_(NEXT_PANE, "next pane (Right: in a table)")                                              \
	_(PREV_PANE, "previous pane (Left: in a table)")                                           \
	_(PANE, "the pane of that number on the tab bar")                                          \
	_(ENTER, "details of the selected group; in the tree: expand, or details on a leaf")       \
	_(BACK, "back from details / close; in the tree: clear the focus")                         \
	_(TREE, "switch the pane between its table and a live call tree")                          \
	_(EXPAND, "tree: expand the node")                                                         \
	_(COLLAPSE, "tree: collapse the node, or go to its parent")                                \
	_(EXPAND_ALL, "tree: expand the whole subtree")                                            \
	_(INVERT, "tree: invert it (bottom-up: leaves first, children are callers)")               \
	_(BY_LINE, "tree: a node is a function (or a function and a line)")                        \
	_(FOCUS, "tree: focus on the node (only the stacks through it; Esc clears)")               \
	_(DETAIL, "tree: details of the stacks under the node")                                    \
	_(PAUSE, "pause the view (polling goes on)")                                               \
	_(SNAPSHOT, "save a snapshot (raw profiles + report)")                                     \
	_(BASELINE, "set the baseline to now")                                                     \
	_(FILTER, "filter by regex on function names (smart case)")                                \
	_(SORT_PREV, "sort by the column to the left")                                             \
	_(SORT_NEXT, "sort by the column to the right")                                            \
	_(FASTER, "poll more often")                                                               \
	_(SLOWER, "poll less often")                                                               \
	_(POLL_NOW, "poll now")                                                                    \
	_(DUMP, "fetch the goroutine dump (debug=2) once; asks first above 10,000 goroutines")     \
	_(LEAKCHECK, "check for proven goroutine leaks now (runs a GC cycle)")                     \
	_(REDRAW, "redraw the screen")                                                             \
	_(HELP, "this help")                                                                       \
	_(QUIT, "quit")

enum km_action {
	KA_NONE,
#define KM_ENUM(name, help) KA_##name,
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

#endif
