// SPDX-License-Identifier: BSD-3-Clause
/*
 * vpe_arena: a bump allocator over huge-page-backed mappings with one
 * free list per 64-byte size class (vipsec_arena.h). An SA is added as
 * SA, key, replay window, one after another, so a bulk load lays each
 * SA's objects out contiguously; a freed object is reused by the next of
 * its size.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vipsec_arena.h"

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_MALLOC 1
#endif
#endif

#define LINE	  64
#define HUGE	  (2u << 20)
#define CHUNK	  (64u << 20) /* one mapping; grows by as many as needed */
#define MAX_CLASS (64u << 10) /* larger objects: malloc */
#define NCLASS	  (MAX_CLASS / LINE + 1)

static size_t round_up(size_t size)
{
	return (size + LINE - 1) & ~(size_t)(LINE - 1);
}

static void *big_alloc(size_t size)
{
	void *p;

	if (posix_memalign(&p, LINE, size))
		return NULL;
	return memset(p, 0, size);
}

static void big_free(void *p, size_t size)
{
	explicit_bzero(p, size);
	free(p);
}

#ifndef ARENA_MALLOC
struct arena {
	pthread_mutex_t lock;
	uint8_t *cur, *end; /* bump region of the newest mapping */
	void *free[NCLASS]; /* per size class: next pointer in the object */
};

static struct arena arena = { .lock = PTHREAD_MUTEX_INITIALIZER };

/*
 * A new mapping, 2 MiB aligned so that it is all huge pages. Reserved,
 * not committed: pages come in as objects are first written. Without
 * THP (or where madvise fails) it is ordinary memory: still works.
 */
static int arena_grow(struct arena *a)
{
	size_t len = CHUNK + HUGE;
	uint8_t *p, *q;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	q = (uint8_t *)(((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
	if (q > p)
		munmap(p, (size_t)(q - p));
	if (q + CHUNK < p + len)
		munmap(q + CHUNK, (size_t)(p + len - (q + CHUNK)));
	(void)madvise(q, CHUNK, MADV_HUGEPAGE);
	a->cur = q;
	a->end = q + CHUNK;
	return 0;
}
#endif

void *vpe_arena_alloc(size_t size)
{
	size_t sz = round_up(size ? size : 1);
#ifdef ARENA_MALLOC
	return big_alloc(sz);
#else
	struct arena *a = &arena;
	size_t cls = sz / LINE;
	void **obj;

	if (sz > MAX_CLASS)
		return big_alloc(sz);
	pthread_mutex_lock(&a->lock);
	obj = a->free[cls];
	if (obj) {
		a->free[cls] = *obj;
		*obj = NULL; /* the rest was zeroed when it was freed */
	} else {
		if ((size_t)(a->end - a->cur) < sz && arena_grow(a)) {
			pthread_mutex_unlock(&a->lock);
			return NULL;
		}
		obj = (void **)a->cur; /* fresh pages read as zero */
		a->cur += sz;
	}
	pthread_mutex_unlock(&a->lock);
	return obj;
#endif
}

void vpe_arena_free(void *p, size_t size)
{
	size_t sz = round_up(size ? size : 1);

	if (!p)
		return;
#ifdef ARENA_MALLOC
	big_free(p, sz);
#else
	if (sz > MAX_CLASS) {
		big_free(p, sz);
		return;
	}
	/* Outside the lock: the object is the caller's until it is listed. */
	explicit_bzero(p, sz);
	pthread_mutex_lock(&arena.lock);
	*(void **)p = arena.free[sz / LINE];
	arena.free[sz / LINE] = p;
	pthread_mutex_unlock(&arena.lock);
#endif
}
