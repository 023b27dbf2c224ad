/* keymap.c - the key table (see keymap.h). */
#include "pproftop/keymap.h"

#include <stdbool.h>
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
	{ 'F', KA_FUNCS, "F" },
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
	{ 'T', KA_TARGET, "T" },
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
#define KM_HELP(name, text, hint) [KA_##name] = text, // NOLINT(bugprone-macro-parentheses)
	                                    KM_ACTIONS(KM_HELP)
#undef KM_HELP
};

static const char *const names[KA_COUNT] = { [KA_NONE] = "NONE",
#define KM_NAME(name, text, hint) [KA_##name] = #name,
	                                     KM_ACTIONS(KM_NAME)
#undef KM_NAME
};

static const char *const hint_words[KA_COUNT] = { [KA_NONE] = NULL,
#define KM_HINT(name, text, hint) [KA_##name] = hint, // NOLINT(bugprone-macro-parentheses)
	                                          KM_ACTIONS(KM_HINT)
#undef KM_HINT
};

/* The status line's hints: an action, or two sharing a hint ("</> sort",
 * "Right/Left expand/collapse"), with the word of the first (both when
 * they differ); word overrides it where the context changes its sense. */
struct hint {
	enum km_action a, b; /* b: KA_NONE when alone */
	const char *word;    /* NULL: the actions' own */
};

static const struct hint hints_table[] = {
	{ KA_HELP, KA_NONE, NULL },     { KA_QUIT, KA_NONE, NULL },
	{ KA_ENTER, KA_NONE, NULL },    { KA_TREE, KA_NONE, NULL },
	{ KA_FILTER, KA_NONE, NULL },   { KA_SORT_PREV, KA_SORT_NEXT, NULL },
	{ KA_PAUSE, KA_NONE, NULL },    { KA_SNAPSHOT, KA_NONE, NULL },
	{ KA_BASELINE, KA_NONE, NULL }, { KA_FASTER, KA_SLOWER, NULL },
};
static const struct hint hints_tree[] = {
	{ KA_HELP, KA_NONE, NULL },       { KA_TREE, KA_NONE, "table" },
	{ KA_EXPAND, KA_COLLAPSE, NULL }, { KA_EXPAND_ALL, KA_NONE, NULL },
	{ KA_FOCUS, KA_NONE, NULL },      { KA_INVERT, KA_NONE, NULL },
	{ KA_BY_LINE, KA_NONE, NULL },    { KA_DETAIL, KA_NONE, NULL },
	{ KA_FILTER, KA_NONE, NULL },     { KA_SORT_PREV, KA_SORT_NEXT, NULL },
};
static const struct hint hints_detail[] = {
	{ KA_BACK, KA_NONE, NULL },     { KA_UP, KA_DOWN, NULL },   { KA_PAUSE, KA_NONE, NULL },
	{ KA_SNAPSHOT, KA_NONE, NULL }, { KA_HELP, KA_NONE, NULL }, { KA_QUIT, KA_NONE, NULL },
};
static const struct hint hints_help[] = {
	{ KA_BACK, KA_NONE, "close the help" },
	{ KA_UP, KA_DOWN, NULL },
	{ KA_PGUP, KA_PGDN, NULL },
};

static const struct {
	const struct hint *h;
	size_t n;
	bool tree; /* the tree's bindings first */
} hint_sets[KM_CTX_COUNT] = {
	[KM_CTX_TABLE] = { hints_table, sizeof(hints_table) / sizeof(hints_table[0]), false },
	[KM_CTX_TREE] = { hints_tree, sizeof(hints_tree) / sizeof(hints_tree[0]), true },
	[KM_CTX_DETAIL] = { hints_detail, sizeof(hints_detail) / sizeof(hints_detail[0]), false },
	[KM_CTX_HELP] = { hints_help, sizeof(hints_help) / sizeof(hints_help[0]), false },
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

/* The first named key of a (the tree's table first when tree). */
static const char *
first_key(enum km_action a, bool tree)
{
	for (int pass = 0; pass < 2; pass++) {
		const struct km_binding *t = (pass == 0) == tree ? tree_bindings : bindings;
		size_t n = (pass == 0) == tree ? NTREE : NBINDINGS;
		for (size_t i = 0; i < n; i++)
			if (t[i].action == a && t[i].name != NULL)
				return t[i].name;
	}
	return "";
}

/* Appends s to buf at *o (bounded, NUL-terminated). */
static void
put(char *buf, size_t len, size_t *o, const char *s)
{
	size_t n = strlen(s);

	if (*o + n >= len)
		n = *o < len ? len - 1 - *o : 0;
	memcpy(buf + *o, s, n);
	*o += n;
	buf[*o] = '\0';
}

size_t
keymap_hints(enum km_context ctx, char *buf, size_t len)
{
	size_t o = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (ctx < 0 || ctx >= KM_CTX_COUNT)
		return 0;
	for (size_t i = 0; i < hint_sets[ctx].n; i++) {
		const struct hint *h = &hint_sets[ctx].h[i];
		bool tree = hint_sets[ctx].tree;
		const char *wa = hint_words[h->a] ? hint_words[h->a] : "";
		const char *wb = h->b != KA_NONE && hint_words[h->b] ? hint_words[h->b] : wa;
		if (i > 0)
			put(buf, len, &o, "  ");
		put(buf, len, &o, first_key(h->a, tree));
		if (h->b != KA_NONE) {
			put(buf, len, &o, "/");
			put(buf, len, &o, first_key(h->b, tree));
		}
		put(buf, len, &o, " ");
		if (h->word != NULL) {
			put(buf, len, &o, h->word);
		} else {
			put(buf, len, &o, wa);
			if (strcmp(wa, wb) != 0) {
				put(buf, len, &o, "/");
				put(buf, len, &o, wb);
			}
		}
	}
	return o;
}

size_t
keymap_markdown(char *buf, size_t len)
{
	char keys[160];
	size_t o = 0;
	int n;

	n = snprintf(buf, len, "| key | action |\n| --- | --- |\n");
	o = n > 0 ? (size_t)n : 0;
	for (int a = KA_NONE + 1; a < KA_COUNT; a++) {
		keymap_keys((enum km_action)a, "`, `", keys, sizeof(keys));
		n = snprintf(o < len ? buf + o : NULL, o < len ? len - o : 0, "| `%s` | %s |\n",
		             keys, help[a]);
		o += n > 0 ? (size_t)n : 0;
	}
	return o;
}
