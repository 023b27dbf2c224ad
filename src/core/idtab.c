/* idtab.c - the id -> index table (see idtab.h). */
#include "pproftop/idtab.h"

#include <stdlib.h>
#include <string.h>

#include "pproftop/xalloc.h"

static uint64_t
id_at(const void *base, size_t stride, size_t i)
{
	uint64_t id;

	memcpy(&id, (const char *)base + i * stride, sizeof(id));
	return id;
}

size_t
idtab_size(size_t n)
{
	size_t size = 16;

	while (size < n * 2 + 1)
		size *= 2;
	return size;
}

void
idtab_add(uint32_t *tab, size_t size, const void *base, size_t stride, size_t i)
{
	uint64_t id = id_at(base, stride, i);
	size_t j = id & (size - 1);

	while (tab[j] != 0 && id_at(base, stride, tab[j] - 1) != id)
		j = (j + 1) & (size - 1);
	if (tab[j] == 0)
		tab[j] = (uint32_t)(i + 1);
}

void
idtab_put(uint32_t *tab, size_t size, const void *base, size_t stride, size_t i)
{
	size_t j = id_at(base, stride, i) & (size - 1);

	while (tab[j] != 0)
		j = (j + 1) & (size - 1);
	tab[j] = (uint32_t)(i + 1);
}

void
idtab_fill(uint32_t *tab, size_t size, const void *base, size_t stride, size_t n)
{
	for (size_t i = 0; i < n; i++)
		idtab_add(tab, size, base, stride, i);
}

size_t
idtab_next(const uint32_t *tab, size_t size, const void *base, size_t stride, uint64_t id,
           size_t *probe)
{
	if (size == 0)
		return IDTAB_NONE;
	size_t j = (id + *probe) & (size - 1);
	while (tab[j] != 0) {
		size_t i = tab[j] - 1;
		j = (j + 1) & (size - 1);
		++*probe;
		if (id_at(base, stride, i) == id)
			return i;
	}
	return IDTAB_NONE;
}

size_t
idtab_find(const uint32_t *tab, size_t size, const void *base, size_t stride, uint64_t id)
{
	size_t probe = 0;

	return idtab_next(tab, size, base, stride, id, &probe);
}

void
idtab_reserve(uint32_t **tab, size_t *size, const void *base, size_t stride, size_t n, size_t room,
              size_t min)
{
	if (room * 2 <= *size)
		return;
	size_t s = idtab_size(room);
	while (s < min)
		s *= 2;
	free(*tab);
	*tab = xcalloc(s, sizeof(**tab));
	*size = s;
	for (size_t i = 0; i < n; i++)
		idtab_put(*tab, s, base, stride, i);
}
