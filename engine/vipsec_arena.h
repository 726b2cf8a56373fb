/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpe_arena: where the per-SA objects the data path reads live (the SA,
 * its backend key object, its replay window). With a million SAs, each
 * object on its own 4 KiB page costs every packet a TLB miss or three on
 * top of the cache misses; the arena carves them out of large mappings
 * backed by transparent huge pages (madvise(MADV_HUGEPAGE)), in the
 * order they are allocated, so that one SA's objects lie next to each
 * other, and a 2 MiB TLB entry covers hundreds of SAs.
 *
 * Objects are 64-byte aligned and zeroed. vpe_arena_free() zeroes them
 * (explicit_bzero: keys) before they are reused; the mappings are kept
 * for the life of the process. Thread-safe (a mutex: the control path).
 * Under AddressSanitizer the objects come from malloc instead, so that
 * a use after free is still caught.
 */
#ifndef VPE_ARENA_H
#define VPE_ARENA_H

#include <stddef.h>

/* size bytes, zeroed, 64-byte aligned; NULL when out of memory. */
void *vpe_arena_alloc(size_t size);
/* Zeroes and releases an object of vpe_arena_alloc(size); p may be NULL. */
void vpe_arena_free(void *p, size_t size);

#endif /* VPE_ARENA_H */
