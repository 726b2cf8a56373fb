// SPDX-License-Identifier: BSD-3-Clause
/* Shared guest memory: a memfd and a bump allocator over it. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vu_mem.h"

int vu_mem_init(struct vu_mem *m, uint64_t size)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	int ret;

	memset(m, 0, sizeof(*m));
	m->size = (size + page - 1) & ~(page - 1);
	m->fd = memfd_create("vipsec-loadgen-guest", MFD_CLOEXEC);
	if (m->fd < 0)
		return -errno;
	if (ftruncate(m->fd, (off_t)m->size) < 0)
		goto fail;
	m->base = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd,
		       0);
	if (m->base == MAP_FAILED)
		goto fail;
	return 0;
fail:
	ret = -errno;
	close(m->fd);
	m->fd = -1;
	m->base = NULL;
	return ret;
}

void vu_mem_fini(struct vu_mem *m)
{
	if (m->base)
		munmap(m->base, m->size);
	if (m->fd >= 0)
		close(m->fd);
	m->base = NULL;
	m->fd = -1;
}

void *vu_mem_alloc(struct vu_mem *m, uint64_t len, uint64_t align)
{
	uint64_t off = (m->used + align - 1) & ~(align - 1);

	if (off > m->size || len > m->size - off)
		return NULL;
	m->used = off + len;
	memset(m->base + off, 0, len);
	return m->base + off;
}

uint64_t vu_mem_gpa(const struct vu_mem *m, const void *p)
{
	return VU_MEM_GPA_BASE + (uint64_t)((const uint8_t *)p - m->base);
}

void *vu_mem_ptr(const struct vu_mem *m, uint64_t gpa, uint64_t len)
{
	if (gpa < VU_MEM_GPA_BASE || gpa - VU_MEM_GPA_BASE > m->size ||
	    len > m->size - (gpa - VU_MEM_GPA_BASE))
		return NULL;
	return m->base + (gpa - VU_MEM_GPA_BASE);
}
