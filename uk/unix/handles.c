/*
 * handles.c - the table behind uk.h's handles. A free list makes
 * allocation O(1); the table is static, so its untouched tail costs no
 * memory.
 */
#include "uk/include/uk.h"
#include "uk/unix/unix.h"

static struct uk_unix_handle	 table[UK_UNIX_HANDLES];
static int			 free_head = -1;
static int			 high;	/* entries ever used */

struct uk_unix_handle *
uk_unix_get(int h, int kind)
{
	if (h < 0 || h >= high || table[h].kind == UH_FREE ||
	    (kind != UH_ANY && table[h].kind != kind))
		return NULL;
	return &table[h];
}

int
uk_unix_alloc(int kind)
{
	int	 h;

	if (free_head >= 0) {
		h = free_head;
		free_head = table[h].free_next;
	} else if (high < UK_UNIX_HANDLES)
		h = high++;
	else
		return -1;
	uk_memset(&table[h], 0, sizeof(table[h]));
	table[h].kind = (uint8_t)kind;
	return h;
}

void
uk_unix_release(int h)
{
	table[h].kind = UH_FREE;
	table[h].free_next = free_head;
	free_head = h;
}
