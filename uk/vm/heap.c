/*
 * heap.c - a first-fit allocator with an address-ordered free list.
 *
 * Apps are told to prefer static buffers, the kernel allocates nothing
 * after boot, so the heap sees few blocks: a linear walk (O(free blocks)
 * per call) and merging neighbours on free are enough and keep it small.
 * Blocks are 16-byte aligned; each carries a 16-byte header.
 */
#include "uk/include/uk.h"
#include "uk/vm/heap.h"

#define ALIGN		16
#define HDR		sizeof(struct blk)
#define MIN_SPLIT	(2 * HDR)

struct blk {
	size_t		 size;		/* with the header */
	struct blk	*next;		/* while free */
};

static struct blk	*free_list;

void
heap_init(uintptr_t lo, uintptr_t hi)
{
	lo = (lo + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
	hi &= ~(uintptr_t)(ALIGN - 1);
	free_list = NULL;
	if (hi <= lo || hi - lo < MIN_SPLIT)
		return;
	free_list = (struct blk *)lo;
	free_list->size = hi - lo;
	free_list->next = NULL;
}

size_t
heap_free_bytes(void)
{
	struct blk	*b;
	size_t		 n = 0;

	for (b = free_list; b != NULL; b = b->next)
		n += b->size;
	return n;
}

void *
uk_malloc(size_t n)
{
	struct blk	**pp, *b, *rest;
	size_t		 need;

	if (n > SIZE_MAX - HDR - ALIGN)
		return NULL;
	need = (n + HDR + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	for (pp = &free_list; (b = *pp) != NULL; pp = &b->next) {
		if (b->size < need)
			continue;
		if (b->size - need >= MIN_SPLIT) {
			rest = (struct blk *)((char *)b + need);
			rest->size = b->size - need;
			rest->next = b->next;
			b->size = need;
			*pp = rest;
		} else
			*pp = b->next;
		return (char *)b + HDR;
	}
	return NULL;
}

void
uk_free(void *p)
{
	struct blk	*b, *prev = NULL, *cur;

	if (p == NULL)
		return;
	b = (struct blk *)((char *)p - HDR);
	for (cur = free_list; cur != NULL && cur < b; cur = cur->next)
		prev = cur;
	b->next = cur;
	if (cur != NULL && (char *)b + b->size == (char *)cur) {
		b->size += cur->size;
		b->next = cur->next;
	}
	if (prev == NULL)
		free_list = b;
	else if ((char *)prev + prev->size == (char *)b) {
		prev->size += b->size;
		prev->next = b->next;
	} else
		prev->next = b;
}
