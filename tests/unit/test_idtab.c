/* test_idtab.c - the one id -> index table (idtab.h): many keys, keys that
 * share a home slot, repeated ids, key 0, growth by idtab_reserve and the
 * candidates of one id in order (idtab_next). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "pproftop/idtab.h"

struct rec {
	uint64_t id; /* first: idtab reads it */
	int payload;
};

static uint64_t
mixed(uint64_t i)
{
	uint64_t h = i * 0x9e3779b97f4a7c15ULL;

	return h ^ (h >> 29);
}

static void
test_size(void **state)
{
	(void)state;
	assert_int_equal(idtab_size(0), 16);
	assert_int_equal(idtab_size(7), 16);
	assert_int_equal(idtab_size(8), 32);
	assert_int_equal(idtab_size(1000), 2048);
	for (size_t n = 0; n < 5000; n += 37) {
		size_t s = idtab_size(n);
		assert_true(s > 2 * n);
		assert_int_equal(s & (s - 1), 0);
	}
}

static void
test_empty(void **state)
{
	(void)state;
	struct rec r = { .id = 5 };
	size_t probe = 0;

	assert_int_equal(idtab_find(NULL, 0, &r, sizeof(r), 5), IDTAB_NONE);
	assert_int_equal(idtab_next(NULL, 0, &r, sizeof(r), 5, &probe), IDTAB_NONE);
}

/* 10,000 records put one by one, growing from nothing: every one found at
 * its index, absent ids not, the load never above 1/2. */
static void
test_many_grow(void **state)
{
	(void)state;
	enum { N = 10000 };
	struct rec *r = calloc(N, sizeof(*r));
	uint32_t *tab = NULL;
	size_t size = 0, grown = 0, last = 0;

	assert_non_null(r);
	for (size_t i = 0; i < N; i++) {
		idtab_reserve(&tab, &size, r, sizeof(*r), i, i + 1, 16);
		assert_true(size >= 2 * (i + 1));
		if (size != last) {
			grown++;
			last = size;
		}
		r[i].id = mixed(i);
		r[i].payload = (int)i;
		idtab_put(tab, size, r, sizeof(*r), i);
		if (i % 1000 == 0)
			for (size_t k = 0; k <= i; k++)
				assert_int_equal(idtab_find(tab, size, r, sizeof(*r), r[k].id), k);
	}
	assert_int_equal(size, 32768);
	assert_int_equal(grown, 12); /* 16, 32, ... 32768 */
	for (size_t i = 0; i < N; i++)
		assert_int_equal(idtab_find(tab, size, r, sizeof(*r), mixed(i)), i);
	for (size_t i = N; i < 2 * (size_t)N; i++)
		assert_int_equal(idtab_find(tab, size, r, sizeof(*r), mixed(i)), IDTAB_NONE);
	free(tab);
	free(r);
}

/* Ids that all share home slot 3 (and 0 among them), with a wrap past the
 * end of the table. */
static void
test_collisions_key0(void **state)
{
	(void)state;
	struct rec r[7];
	size_t size = idtab_size(7); /* 16 */
	uint32_t *tab = calloc(size, sizeof(*tab));

	assert_non_null(tab);
	assert_int_equal(size, 16);
	for (size_t i = 0; i < 6; i++)
		r[i].id = 3 + 16 * (uint64_t)i + ((uint64_t)i << 40);
	r[6].id = 0;
	idtab_fill(tab, size, r, sizeof(*r), 7);
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(idtab_find(tab, size, r, sizeof(*r), r[i].id), i);
	/* slots 3..8 hold the chain, 0 sits at its home */
	assert_int_equal(tab[0], 7);
	for (size_t j = 3; j < 9; j++)
		assert_int_equal(tab[j], j - 2);
	assert_int_equal(idtab_find(tab, size, r, sizeof(*r), 3 + 16 * 7), IDTAB_NONE);
	assert_int_equal(idtab_find(tab, size, r, sizeof(*r), 16), IDTAB_NONE);
	free(tab);

	/* a chain from slot 14 wraps to 0, 1 */
	struct rec w[4] = { { .id = 14 }, { .id = 30 }, { .id = 46 }, { .id = 15 } };
	tab = calloc(16, sizeof(*tab));
	assert_non_null(tab);
	idtab_fill(tab, 16, w, sizeof(*w), 4);
	assert_int_equal(tab[14], 1);
	assert_int_equal(tab[15], 2);
	assert_int_equal(tab[0], 3);
	assert_int_equal(tab[1], 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(idtab_find(tab, 16, w, sizeof(*w), w[i].id), i);
	free(tab);
}

/* idtab_add keeps the first record of an id; idtab_put keeps them all, and
 * idtab_next answers them in the order they were put. */
static void
test_repeated(void **state)
{
	(void)state;
	struct rec r[6] = { { .id = 9 },  { .id = 25 }, { .id = 9 },
		            { .id = 41 }, { .id = 9 },  { .id = 25 } };
	uint32_t tab[16] = { 0 };
	size_t probe = 0;

	idtab_fill(tab, 16, r, sizeof(*r), 6);
	assert_int_equal(idtab_find(tab, 16, r, sizeof(*r), 9), 0);
	assert_int_equal(idtab_find(tab, 16, r, sizeof(*r), 25), 1);
	assert_int_equal(idtab_find(tab, 16, r, sizeof(*r), 41), 3);
	assert_int_equal(idtab_next(tab, 16, r, sizeof(*r), 9, &probe), 0);
	assert_int_equal(idtab_next(tab, 16, r, sizeof(*r), 9, &probe), IDTAB_NONE);
	size_t used = 0;
	for (size_t j = 0; j < 16; j++)
		used += tab[j] != 0;
	assert_int_equal(used, 3);

	uint32_t all[16] = { 0 };
	for (size_t i = 0; i < 6; i++)
		idtab_put(all, 16, r, sizeof(*r), i);
	assert_int_equal(idtab_find(all, 16, r, sizeof(*r), 9), 0);
	probe = 0;
	assert_int_equal(idtab_next(all, 16, r, sizeof(*r), 9, &probe), 0);
	assert_int_equal(idtab_next(all, 16, r, sizeof(*r), 9, &probe), 2);
	assert_int_equal(idtab_next(all, 16, r, sizeof(*r), 9, &probe), 4);
	assert_int_equal(idtab_next(all, 16, r, sizeof(*r), 9, &probe), IDTAB_NONE);
	probe = 0;
	assert_int_equal(idtab_next(all, 16, r, sizeof(*r), 25, &probe), 1);
	assert_int_equal(idtab_next(all, 16, r, sizeof(*r), 25, &probe), 5);
	assert_int_equal(idtab_next(all, 16, r, sizeof(*r), 25, &probe), IDTAB_NONE);
	probe = 0;
	assert_int_equal(idtab_next(all, 16, r, sizeof(*r), 57, &probe), IDTAB_NONE);

	/* idtab_add after the fact: an id already there is not indexed again */
	struct rec more[7];
	for (size_t i = 0; i < 6; i++)
		more[i] = r[i];
	more[6].id = 41;
	idtab_add(all, 16, more, sizeof(*more), 6);
	probe = 0;
	assert_int_equal(idtab_next(all, 16, more, sizeof(*more), 41, &probe), 3);
	assert_int_equal(idtab_next(all, 16, more, sizeof(*more), 41, &probe), IDTAB_NONE);
}

/* idtab_reserve: no change while the room fits, the minimum honoured, the
 * records indexed again (repeated ids kept) when it grows; the stride and
 * a moved base are respected. */
static void
test_reserve(void **state)
{
	(void)state;
	struct rec r[40];
	uint32_t *tab = NULL;
	size_t size = 0;

	for (size_t i = 0; i < 40; i++)
		r[i].id = i % 10; /* each id four times */
	idtab_reserve(&tab, &size, r, sizeof(*r), 0, 0, 64);
	assert_null(tab);
	assert_int_equal(size, 0);
	idtab_reserve(&tab, &size, r, sizeof(*r), 0, 1, 64);
	assert_non_null(tab);
	assert_int_equal(size, 64);
	for (size_t i = 0; i < 32; i++)
		idtab_put(tab, size, r, sizeof(*r), i);
	uint32_t *before = tab;
	idtab_reserve(&tab, &size, r, sizeof(*r), 32, 32, 64);
	assert_ptr_equal(tab, before);
	assert_int_equal(size, 64);
	idtab_reserve(&tab, &size, r, sizeof(*r), 32, 40, 64);
	assert_int_equal(size, 128);
	for (size_t i = 32; i < 40; i++)
		idtab_put(tab, size, r, sizeof(*r), i);
	for (uint64_t id = 0; id < 10; id++) {
		size_t probe = 0, seen = 0, i;
		while ((i = idtab_next(tab, size, r, sizeof(*r), id, &probe)) != IDTAB_NONE) {
			assert_int_equal(i, id + 10 * seen);
			seen++;
		}
		assert_int_equal(seen, 4);
	}
	free(tab);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size),      cmocka_unit_test(test_empty),
		cmocka_unit_test(test_many_grow), cmocka_unit_test(test_collisions_key0),
		cmocka_unit_test(test_repeated),  cmocka_unit_test(test_reserve),
	};

	return cmocka_run_group_tests_name("idtab", tests, NULL, NULL);
}
