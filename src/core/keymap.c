/* keymap.c - the key table (see keymap.h). */
#include "pproftop/keymap.h"

#include <stdio.h>
#include <string.h>

static const struct km_binding bindings[] = {
	{ KM_UP, KA_UP, "Up" },
	{ 'k', KA_UP, "k" },
	{ KM_DOWN, KA_DOWN, "Down" },
	{ 'j', KA_DOWN, "j" },
	{ KM_PGUP, KA_PGUP, "PgUp" },
	{ KM_CTRL('b'), KA_PGUP, "C-b" },
	{ KM_PGDN, KA_PGDN, "PgDn" },
	{ KM_CTRL('f'), KA_PGDN, "C-f" },
	{ KM_HOME, KA_HOME, "Home" },
	{ 'g', KA_HOME, "g" },
	{ KM_END, KA_END, "End" },
	{ 'G', KA_END, "G" },
	{ '\t', KA_NEXT_PANE, "Tab" },
	{ KM_RIGHT, KA_NEXT_PANE, "Right" },
	{ KM_BTAB, KA_PREV_PANE, "S-Tab" },
	{ KM_LEFT, KA_PREV_PANE, "Left" },
	{ '1', KA_PANE, "1-9" },
	{ '2', KA_PANE, NULL },
	{ '3', KA_PANE, NULL },
	{ '4', KA_PANE, NULL },
	{ '5', KA_PANE, NULL },
	{ '6', KA_PANE, NULL },
	{ '7', KA_PANE, NULL },
	{ '8', KA_PANE, NULL },
	{ '9', KA_PANE, NULL },
	{ KM_ENTER, KA_ENTER, "Enter" },
	{ '\n', KA_ENTER, NULL },
	{ '\r', KA_ENTER, NULL },
	{ KM_ESC, KA_BACK, "Esc" },
	{ KM_BACKSPACE, KA_BACK, "Backspace" },
	{ 127, KA_BACK, NULL },
	{ 8, KA_BACK, NULL },
	{ 't', KA_TREE, "t" },
	{ 'p', KA_PAUSE, "p" },
	{ ' ', KA_PAUSE, "Space" },
	{ 's', KA_SNAPSHOT, "s" },
	{ 'b', KA_BASELINE, "b" },
	{ '/', KA_FILTER, "/" },
	{ '<', KA_SORT_PREV, "<" },
	{ '>', KA_SORT_NEXT, ">" },
	{ '+', KA_FASTER, "+" },
	{ '=', KA_FASTER, NULL },
	{ '-', KA_SLOWER, "-" },
	{ 'r', KA_POLL_NOW, "r" },
	{ 'D', KA_DUMP, "D" },
	{ 'L', KA_LEAKCHECK, "L" },
	{ KM_CTRL('l'), KA_REDRAW, "C-l" },
	{ '?', KA_HELP, "?" },
	{ KM_F1, KA_HELP, "F1" },
	{ 'q', KA_QUIT, "q" },
};

/* Only while a call tree is shown; they shadow the table above. */
static const struct km_binding tree_bindings[] = {
	{ KM_RIGHT, KA_EXPAND, "Right" }, { KM_LEFT, KA_COLLAPSE, "Left" },
	{ '*', KA_EXPAND_ALL, "*" },      { 'i', KA_INVERT, "i" },
	{ 'l', KA_BY_LINE, "l" },         { 'f', KA_FOCUS, "f" },
	{ 'd', KA_DETAIL, "d" },
};

#define NBINDINGS (sizeof(bindings) / sizeof(bindings[0]))
#define NTREE (sizeof(tree_bindings) / sizeof(tree_bindings[0]))

static const char *const help[KA_COUNT] = { [KA_NONE] = "",
#define KM_HELP(name, text) [KA_##name] = text, // NOLINT(bugprone-macro-parentheses)
	                                    KM_ACTIONS(KM_HELP)
#undef KM_HELP
};

static const char *const names[KA_COUNT] = { [KA_NONE] = "NONE",
#define KM_NAME(name, text) [KA_##name] = #name,
	                                     KM_ACTIONS(KM_NAME)
#undef KM_NAME
};

enum km_action
keymap_lookup(int key)
{
	for (size_t i = 0; i < NBINDINGS; i++)
		if (bindings[i].key == key)
			return bindings[i].action;
	return KA_NONE;
}

enum km_action
keymap_lookup_tree(int key)
{
	for (size_t i = 0; i < NTREE; i++)
		if (tree_bindings[i].key == key)
			return tree_bindings[i].action;
	return keymap_lookup(key);
}

const struct km_binding *
keymap_tree_bindings(size_t *n)
{
	*n = NTREE;
	return tree_bindings;
}

const struct km_binding *
keymap_bindings(size_t *n)
{
	*n = NBINDINGS;
	return bindings;
}

const char *
keymap_help(enum km_action a)
{
	return a >= 0 && a < KA_COUNT ? help[a] : "";
}

const char *
keymap_action_name(enum km_action a)
{
	return a >= 0 && a < KA_COUNT ? names[a] : "NONE";
}

size_t
keymap_keys(enum km_action a, const char *sep, char *buf, size_t len)
{
	size_t o = 0, seplen = strlen(sep);

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NBINDINGS + NTREE; i++) {
		const struct km_binding *b =
		    i < NBINDINGS ? &bindings[i] : &tree_bindings[i - NBINDINGS];
		if (b->action != a || b->name == NULL)
			continue;
		size_t n = strlen(b->name);
		if (o > 0) {
			if (o + seplen >= len)
				break;
			memcpy(buf + o, sep, seplen);
			o += seplen;
		}
		if (o + n >= len)
			n = len - 1 - o;
		memcpy(buf + o, b->name, n);
		o += n;
		buf[o] = '\0';
	}
	return o;
}
