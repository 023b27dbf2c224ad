/* mkman.c - writes the man page pproftop(1) from its template
 * (docs/pproftop.1.in), run by the build: the lines @SYNOPSIS@, @OPTIONS@
 * and @KEYS@ become the usage lines and the option table (cliopts.h) and
 * the key table (keymap.h), the ones --help and the help overlay print;
 * @VERSION@ becomes the version.
 *
 * usage: mkman TEMPLATE OUTPUT VERSION */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/cliopts.h"
#include "pproftop/keymap.h"

/* s as roff text: backslashes and minus signs escaped, and a leading '.'
 * or '\'' kept from reading as a request. */
static void
roff(FILE *f, const char *s, size_t n)
{
	if (n > 0 && (s[0] == '.' || s[0] == '\''))
		fputs("\\&", f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\')
			fputs("\\e", f);
		else if (s[i] == '-')
			fputs("\\-", f);
		else
			fputc(s[i], f);
	}
}

static void
roffs(FILE *f, const char *s)
{
	roff(f, s, strlen(s));
}

/* s (lines separated by '\n') as filled roff text, its words on input
 * lines of at most about 72 bytes. */
static void
roff_fill(FILE *f, const char *s)
{
	size_t col = 0;

	while (*s != '\0') {
		while (*s == ' ' || *s == '\n')
			s++;
		size_t w = strcspn(s, " \n");
		if (w == 0)
			break;
		if (col > 0 && col + 1 + w > 72) {
			fputc('\n', f);
			col = 0;
		} else if (col > 0) {
			fputc(' ', f);
			col++;
		}
		roff(f, s, w);
		col += w;
		s += w;
	}
	fputc('\n', f);
}

static void
synopsis(FILE *f)
{
	size_t n;
	const char *const *s = cli_synopsis(&n);

	for (size_t i = 0; i < n; i++) {
		fputs(i > 0 ? ".br\n.B pproftop\n" : ".B pproftop\n", f);
		roffs(f, s[i]);
		fputc('\n', f);
	}
}

/* Each option a tagged paragraph, under its group's subsection; the help
 * text filled. */
static void
options(FILE *f)
{
	size_t n;
	const struct cli_option *o = cli_options(&n);

	for (size_t i = 0; i < n; i++) {
		if (o[i].group != NULL)
			fprintf(f, ".SS %s\n", o[i].group);
		if (o[i].help == NULL)
			continue;
		fputs(".TP\n", f);
		if (o[i].id < 128)
			fprintf(f, "\\fB\\-%c\\fR, ", o[i].id);
		fputs("\\fB\\-\\-", f);
		roffs(f, o[i].name);
		fputs("\\fR", f);
		if (o[i].arg != NULL) {
			fputs(" \\fI", f);
			roffs(f, o[i].arg);
			fputs("\\fR", f);
		}
		fputc('\n', f);
		roff_fill(f, o[i].help);
	}
}

/* Each action a tagged paragraph: its keys in bold, as the help names
 * them, then its help text. */
static void
keys(FILE *f)
{
	char buf[200];

	for (int a = KA_NONE + 1; a < KA_COUNT; a++) {
		keymap_keys((enum km_action)a, "\n", buf, sizeof(buf));
		fputs(".TP\n", f);
		for (char *p = buf, *nl; p != NULL; p = nl ? nl + 1 : NULL) {
			nl = strchr(p, '\n');
			size_t w = nl ? (size_t)(nl - p) : strlen(p);
			fputs(p == buf ? "\\fB" : ", \\fB", f);
			roff(f, p, w);
			fputs("\\fR", f);
		}
		fputc('\n', f);
		roff_fill(f, keymap_help((enum km_action)a));
	}
}

int
main(int argc, char **argv)
{
	char line[4096];

	if (argc != 4) {
		fputs("usage: mkman TEMPLATE OUTPUT VERSION\n", stderr);
		return 2;
	}
	FILE *in = fopen(argv[1], "r");
	if (in == NULL) {
		perror(argv[1]);
		return 1;
	}
	FILE *out = fopen(argv[2], "w");
	if (out == NULL) {
		perror(argv[2]);
		fclose(in);
		return 1;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		char *at = strstr(line, "@VERSION@");
		if (strcmp(line, "@SYNOPSIS@\n") == 0)
			synopsis(out);
		else if (strcmp(line, "@OPTIONS@\n") == 0)
			options(out);
		else if (strcmp(line, "@KEYS@\n") == 0)
			keys(out);
		else if (at != NULL)
			fprintf(out, "%.*s%s%s", (int)(at - line), line, argv[3],
			        at + strlen("@VERSION@"));
		else
			fputs(line, out);
	}
	fclose(in);
	if (fclose(out) != 0) {
		perror(argv[2]);
		return 1;
	}
	return 0;
}
