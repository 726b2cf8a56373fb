/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "guest memory" the front end shares with the back end: one memfd,
 * mapped shared here and handed over with SET_MEM_TABLE. Guest-physical
 * addresses start at VU_MEM_GPA_BASE, deliberately neither 0 nor our
 * virtual address, so a back end that confuses guest, user and mmap
 * offsets reads the wrong bytes and the results check catches it.
 */
#ifndef VU_MEM_H
#define VU_MEM_H

#include <stddef.h>
#include <stdint.h>

#define VU_MEM_GPA_BASE 0x40000000ull

struct vu_mem {
	int fd;
	uint8_t *base; /* our mapping: user address of the region */
	uint64_t size;
	uint64_t used; /* bump allocator */
};

/* 0 or a negative errno; size is rounded up to the page size. */
int vu_mem_init(struct vu_mem *m, uint64_t size);
void vu_mem_fini(struct vu_mem *m);

/* Zeroed, align-aligned bytes of the region, or NULL when full. */
void *vu_mem_alloc(struct vu_mem *m, uint64_t len, uint64_t align);

/* Guest-physical address of p (which must lie in the region). */
uint64_t vu_mem_gpa(const struct vu_mem *m, const void *p);

/* Our pointer for [gpa, gpa + len), or NULL when outside the region. */
void *vu_mem_ptr(const struct vu_mem *m, uint64_t gpa, uint64_t len);

#endif
