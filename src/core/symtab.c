/* symtab.c - names for the PCs a debug=1 goroutine profile leaves unnamed
 * (see symtab.h). */
#include "pproftop/symtab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/hexdigit.h"
#include "pproftop/xalloc.h"

#define NAME_MAX_LEN 512 /* a longer "name" is not a function name */

void
symtab_init(struct symtab *st)
{
	memset(st, 0, sizeof(*st));
	arena_init(&st->names);
}

void
symtab_free(struct symtab *st)
{
	free(st->e);
	arena_free(&st->names);
	memset(st, 0, sizeof(*st));
}

void
symtab_clear(struct symtab *st)
{
	symtab_free(st);
	symtab_init(st);
}

static size_t
slot_of(const struct symtab *st, uint64_t pc)
{
	size_t mask = st->size - 1, i = (size_t)hash_mix(pc) & mask;

	while (st->e[i].pc != 0 && st->e[i].pc != pc)
		i = (i + 1) & mask;
	return i;
}

const char *
symtab_name(const struct symtab *st, uint64_t pc)
{
	if (st->size == 0 || pc == 0)
		return NULL;
	const struct symtab_entry *x = &st->e[slot_of(st, pc)];
	return x->pc == pc ? x->name : NULL;
}

/* Adds pc as asked (no name); false when the table is full. */
static bool
add_asked(struct symtab *st, uint64_t pc)
{
	if (st->n >= SYMTAB_MAX)
		return false;
	if (2 * (st->n + 1) > st->size) {
		size_t size = st->size ? st->size * 2 : 256;
		struct symtab_entry *old = st->e;
		size_t oldsize = st->size;
		st->e = xcalloc(size, sizeof(*st->e));
		st->size = size;
		for (size_t i = 0; i < oldsize; i++)
			if (old[i].pc != 0)
				st->e[slot_of(st, old[i].pc)] = old[i];
		free(old);
	}
	struct symtab_entry *x = &st->e[slot_of(st, pc)];
	if (x->pc == 0) {
		x->pc = pc;
		x->name = NULL;
		st->n++;
	}
	return true;
}

static bool
known(const struct symtab *st, uint64_t pc)
{
	return st->size != 0 && st->e[slot_of(st, pc)].pc == pc;
}

size_t
symtab_query(struct symtab *st, const struct snapshot *s, char *out, size_t cap)
{
	size_t n = 0, o = 0;

	if (cap == 0)
		return 0;
	out[0] = '\0';
	for (size_t i = 0; s != NULL && i < s->ngroups && n < SYMTAB_QUERY_PCS; i++) {
		const struct group *g = &s->groups[i];
		for (uint32_t k = 0; k < group_more(g)->nhpcs && n < SYMTAB_QUERY_PCS; k++) {
			uint64_t pc = group_more(g)->hpcs[k];
			if (pc == 0 || known(st, pc))
				continue;
			char hex[24];
			int w = snprintf(hex, sizeof(hex), "%s0x%llx", n ? "+" : "",
			                 (unsigned long long)pc);
			if (w < 0 || o + (size_t)w + 1 > cap || !add_asked(st, pc))
				return n;
			memcpy(out + o, hex, (size_t)w + 1);
			o += (size_t)w;
			n++;
		}
	}
	return n;
}

/* "0x43a6d6": the number; false when not a 0x hex number of <= 16 digits. */
static bool
parse_hex(const char *p, const char *e, uint64_t *out)
{
	uint64_t v = 0;

	if (e - p < 3 || p[0] != '0' || (p[1] != 'x' && p[1] != 'X') || e - p > 18)
		return false;
	for (p += 2; p < e; p++) {
		int d = hex_digit((unsigned char)*p);
		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return true;
}

int
symtab_ingest(struct symtab *st, const unsigned char *body, size_t len, char *err, size_t errlen)
{
	const char *p = (const char *)body, *end = p + len;
	int learned = 0;
	size_t lineno = 0;
	bool header = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl != NULL ? nl : end;
		const char *next = nl != NULL ? nl + 1 : end;
		lineno++;
		if (e > p && e[-1] == '\r')
			e--;
		if (e == p) {
			p = next;
			continue;
		}
		if (!header) {
			if ((size_t)(e - p) < 12 || memcmp(p, "num_symbols:", 12) != 0) {
				snprintf(err, errlen,
				         "symbol: line %zu: expected \"num_symbols: N\", not a "
				         "/debug/pprof/symbol answer",
				         lineno);
				return -1;
			}
			header = true;
			p = next;
			continue;
		}
		const char *sp = memchr(p, ' ', (size_t)(e - p));
		uint64_t pc;
		if (sp == NULL || !parse_hex(p, sp, &pc) || sp + 1 >= e ||
		    (size_t)(e - sp - 1) > NAME_MAX_LEN) {
			snprintf(err, errlen, "symbol: line %zu: expected \"0xPC name\"", lineno);
			return -1;
		}
		if (pc != 0 && known(st, pc)) {
			struct symtab_entry *x = &st->e[slot_of(st, pc)];
			if (x->name == NULL) {
				x->name = arena_intern(&st->names, sp + 1, (size_t)(e - sp - 1));
				learned++;
			}
		}
		p = next;
	}
	if (!header) {
		snprintf(err, errlen, "symbol: empty answer");
		return -1;
	}
	return learned;
}

size_t
symtab_hidden(const struct symtab *st, const struct group *g, const char **out, size_t max)
{
	size_t n = 0;

	for (uint32_t k = 0; k < g->nhidden && n < max; k++)
		out[n++] = group_frame(g, (ptrdiff_t)(k) - (ptrdiff_t)g->nhidden)->function;
	for (uint32_t k = 0; k < group_more(g)->nhpcs && n < max; k++) {
		const char *name = symtab_name(st, group_more(g)->hpcs[k]);
		if (name == NULL)
			return 0;
		out[n++] = name;
	}
	return n;
}
