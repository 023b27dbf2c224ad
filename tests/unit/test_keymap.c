/* test_keymap.c - the key table (keymap.h): lookups, the tree's shadowing
 * table, the status line's hints, and the README's key table, which must be
 * exactly what keymap_markdown() prints from the bindings; and the README's
 * option table, whose rows must name the options of the option table
 * (cliopts.h, which prints --help and the man page's OPTIONS), spelt as
 * cli_spelling() spells them, in its order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/cliopts.h"
#include "pproftop/keymap.h"
#include "pproftop/readfile.h"

static void
test_lookup(void **state)
{
	assert_int_equal(keymap_lookup('q'), KA_QUIT);
	assert_int_equal(keymap_lookup(KM_UP), KA_UP);
	assert_int_equal(keymap_lookup('k'), KA_UP);
	assert_int_equal(keymap_lookup('\r'), KA_ENTER);
	assert_int_equal(keymap_lookup('x'), KA_NONE);
	/* every digit 1..9 is "the pane of that number" */
	for (int d = '1'; d <= '9'; d++)
		assert_int_equal(keymap_lookup(d), KA_PANE);
	assert_int_equal(keymap_lookup('0'), KA_NONE);
	/* the tree's table shadows the other while a tree is shown */
	assert_int_equal(keymap_lookup(KM_RIGHT), KA_NEXT_PANE);
	assert_int_equal(keymap_lookup_tree(KM_RIGHT), KA_EXPAND);
	assert_int_equal(keymap_lookup_tree(KM_LEFT), KA_COLLAPSE);
	assert_int_equal(keymap_lookup('i'), KA_NONE);
	assert_int_equal(keymap_lookup_tree('i'), KA_INVERT);
	assert_int_equal(keymap_lookup_tree('q'), KA_QUIT);
}

/* No key is bound twice in one table, and every action has a key the help
 * can name. */
static void
test_table_sane(void **state)
{
	size_t n, nt;
	const struct km_binding *b = keymap_bindings(&n);
	const struct km_binding *t = keymap_tree_bindings(&nt);
	char keys[200];

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_int_not_equal(b[i].key, b[j].key);
	for (size_t i = 0; i < nt; i++)
		for (size_t j = i + 1; j < nt; j++)
			assert_int_not_equal(t[i].key, t[j].key);
	for (int a = KA_NONE + 1; a < KA_COUNT; a++) {
		keymap_keys((enum km_action)a, " ", keys, sizeof(keys));
		if (keys[0] == '\0')
			fail_msg("action %s has no named key",
			         keymap_action_name((enum km_action)a));
		assert_true(keymap_help((enum km_action)a)[0] != '\0');
	}
	keymap_keys(KA_UP, " ", keys, sizeof(keys));
	assert_string_equal(keys, "Up k");
	keymap_keys(KA_PANE, " ", keys, sizeof(keys));
	assert_string_equal(keys, "1-9");
	/* truncated, always terminated */
	assert_int_equal(keymap_keys(KA_UP, " ", keys, 3), 2);
	assert_string_equal(keys, "Up");
}

static void
test_hints(void **state)
{
	char buf[400];

	keymap_hints(KM_CTX_TABLE, buf, sizeof(buf));
	assert_string_equal(buf,
	                    "? help  q quit  Enter details  t tree  / filter  </> sort  p pause  "
	                    "s snapshot  b baseline  +/- interval");
	keymap_hints(KM_CTX_TREE, buf, sizeof(buf));
	assert_string_equal(buf, "? help  t table  Right/Left expand/collapse  * all  f focus  "
	                         "i invert  l by line  d details  / filter  </> sort");
	keymap_hints(KM_CTX_DETAIL, buf, sizeof(buf));
	assert_string_equal(buf, "Esc back  Up/Down scroll  p pause  s snapshot  ? help  q quit");
	keymap_hints(KM_CTX_HELP, buf, sizeof(buf));
	assert_string_equal(buf, "Esc close the help  Up/Down scroll  PgUp/PgDn scroll");
	/* bounded */
	assert_int_equal(keymap_hints(KM_CTX_TABLE, buf, 7), 6);
	assert_string_equal(buf, "? help");
}

/* The README's key table is the bindings' own. */
static void
test_readme_table(void **state)
{
	const char *readme = getenv("PPROFTOP_README");
	char err[256], want[8192];
	size_t len;
	static const char begin[] = "<!-- keys: keymap_markdown() -->\n";
	static const char end[] = "<!-- /keys -->";

	if (readme == NULL)
		skip();
	char *text = readfile(readme, 1 << 20, &len, err, sizeof(err));
	assert_non_null(text);
	char *a = strstr(text, begin);
	if (a == NULL)
		fail_msg("README.md has no %s", begin);
	a += strlen(begin);
	char *b = strstr(a, end);
	assert_non_null(b);
	*b = '\0';
	size_t need = keymap_markdown(want, sizeof(want));
	assert_true(need < sizeof(want));
	if (strcmp(a, want) != 0) {
		/* what it should be, to paste between the markers */
		FILE *f = fopen("README-keys.md", "w");
		if (f != NULL) {
			fputs(want, f);
			fclose(f);
		}
		fail_msg("README.md's key table differs from the bindings: see README-keys.md");
	}
	free(text);
}

/* The README's option table: one row per shown option, its first cell the
 * option as cli_spelling() writes it, in backquotes (a '|' escaped). */
static void
test_readme_options(void **state)
{
	const char *readme = getenv("PPROFTOP_README");
	char err[256], spelt[200], cell[200];
	size_t len, n;
	static const char begin[] = "<!-- options: cli_options() -->\n";
	const struct cli_option *o = cli_options(&n);

	if (readme == NULL)
		skip();
	char *text = readfile(readme, 1 << 20, &len, err, sizeof(err));
	assert_non_null(text);
	char *p = strstr(text, begin);
	if (p == NULL)
		fail_msg("README.md has no %s", begin);
	p += strlen(begin);
	char *end = strstr(p, "<!-- /options -->");
	assert_non_null(end);
	*end = '\0';
	/* the header and the separator */
	for (int i = 0; i < 2 && p != NULL; i++) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	assert_non_null(p);
	size_t i = 0;
	for (char *nl; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		*nl = '\0';
		/* "| `spelling` | meaning |": the cell, '\|' read as '|' */
		if (strncmp(p, "| `", 3) != 0)
			fail_msg("README.md's option table: not an option row: %s", p);
		size_t c = 0;
		for (const char *q = p + 3; *q != '\0' && *q != '`' && c + 1 < sizeof(cell); q++) {
			if (q[0] == '\\' && q[1] == '|')
				q++;
			cell[c++] = *q;
		}
		cell[c] = '\0';
		while (i < n && o[i].help == NULL)
			i++;
		if (i == n)
			fail_msg("README.md's option table has %s, which --help has not", cell);
		cli_spelling(&o[i], spelt, sizeof(spelt));
		if (strcmp(cell, spelt) != 0)
			fail_msg("README.md's option table has %s where --help has %s", cell,
			         spelt);
		i++;
	}
	while (i < n && o[i].help == NULL)
		i++;
	if (i < n) {
		cli_spelling(&o[i], spelt, sizeof(spelt));
		fail_msg("README.md's option table lacks %s", spelt);
	}
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),         cmocka_unit_test(test_table_sane),
		cmocka_unit_test(test_hints),          cmocka_unit_test(test_readme_table),
		cmocka_unit_test(test_readme_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
