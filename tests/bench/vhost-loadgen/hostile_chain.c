// SPDX-License-Identifier: BSD-3-Clause
/* vipsec-vhost-hostile: descriptor chains that break the virtqueue rules. */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "hostile.h"

int c_addr_out_of_range(struct t *t)
{
	uint32_t len;
	uint64_t rd;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	/* readable part 1 MiB past the end of guest memory */
	rawd(t, 0, RAW_DESC, VU_MEM_GPA_BASE + MEM + (1 << 20), len,
	     VU_DESC_F_NEXT, RAW_DESC + 1);
	rawd(t, 0, RAW_DESC + 1, wr_buf(t, 256), 256, VU_DESC_F_WRITE, 0);
	push(t, 0, RAW_DESC);
	return needs_reset(t, 0, "readable descriptor outside guest memory");
}

int c_addr_below_region(struct t *t)
{
	uint32_t len;
	uint64_t rd;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	rawd(t, 1, RAW_DESC, rd, len, VU_DESC_F_NEXT, RAW_DESC + 1);
	rawd(t, 1, RAW_DESC + 1, 0x1000, 256, VU_DESC_F_WRITE, 0);
	push(t, 1, RAW_DESC);
	return needs_reset(t, 1, "writable descriptor at GPA 0x1000");
}

int c_len_beyond_region(struct t *t)
{
	uint64_t end;
	uint32_t len;
	uint64_t rd;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	/* starts inside, runs 4 KiB past the end of the region */
	end = VU_MEM_GPA_BASE + t->d.f.mem.size;
	rawd(t, 0, RAW_DESC, rd, len, VU_DESC_F_NEXT, RAW_DESC + 1);
	rawd(t, 0, RAW_DESC + 1, end - 4096, 8192, VU_DESC_F_WRITE, 0);
	push(t, 0, RAW_DESC);
	return needs_reset(t, 0,
			   "writable descriptor crossing the end of "
			   "guest memory");
}

int c_desc_loop(struct t *t)
{
	uint32_t len;
	uint64_t rd;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	rawd(t, 0, RAW_DESC, rd, 16, VU_DESC_F_NEXT, RAW_DESC + 1);
	rawd(t, 0, RAW_DESC + 1, rd + 16, 16, VU_DESC_F_NEXT, RAW_DESC);
	push(t, 0, RAW_DESC);
	return needs_reset(t, 0, "descriptor chain looping");
}

int c_next_out_of_range(struct t *t)
{
	uint32_t len;
	uint64_t rd;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	rawd(t, 0, RAW_DESC, rd, len, VU_DESC_F_NEXT, 40000);
	push(t, 0, RAW_DESC);
	return needs_reset(t, 0, "descriptor next index beyond the table");
}

int c_head_out_of_range(struct t *t)
{
	if (dev_open(t, true))
		return -1;
	push(t, 1, RING + 5);
	return needs_reset(t, 1, "available head index beyond the ring");
}

int c_avail_runaway(struct t *t)
{
	struct vu_ring *r;

	if (dev_open(t, true))
		return -1;
	r = &t->d.f.ring[0];
	r->avail_idx = (uint16_t)(r->avail_idx + RING + 1);
	vu_ring_publish(r);
	vu_ring_kick(r);
	return needs_reset(t, 0, "available index more than a ring ahead");
}

int c_footer_room(struct t *t)
{
	uint8_t *w, copy[4 + 64];
	uint32_t len;
	uint64_t rd, wg;
	int ret;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	wg = wr_buf(t, 4);
	w = vu_mem_ptr(&t->d.f.mem, wg, 4 + 64);
	memcpy(copy, w, sizeof(copy));
	rawd(t, 0, RAW_DESC, rd, len, VU_DESC_F_NEXT, RAW_DESC + 1);
	rawd(t, 0, RAW_DESC + 1, wg, 4, VU_DESC_F_WRITE, 0);
	push(t, 0, RAW_DESC);
	/* Checked before the reconnect replaces the shared memory. */
	ret = wait_reset(t, 0, "writable part of 4 bytes (footer is 8)");
	/* Inside the 4 bytes the device may write; past them it must not. */
	for (unsigned int i = 4; i < sizeof(copy); i++)
		EXPECT(t, copy[i] == w[i],
		       "writable part of 4 bytes: the device wrote byte %u "
		       "(%#x, was %#x), outside the chain",
		       i, w[i], copy[i]);
	if (ret || dev_open(t, true))
		return -1;
	return serves(t, 0) || serves(t, 1);
}

int c_no_readable(struct t *t)
{
	if (dev_open(t, true))
		return -1;
	rawd(t, 1, RAW_DESC, wr_buf(t, 256), 256, VU_DESC_F_WRITE, 0);
	push(t, 1, RAW_DESC);
	return needs_reset(t, 1, "chain without a readable part");
}

int c_readable_after_writable(struct t *t)
{
	uint32_t len;
	uint64_t rd;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	rawd(t, 0, RAW_DESC, wr_buf(t, 256), 256,
	     VU_DESC_F_WRITE | VU_DESC_F_NEXT, RAW_DESC + 1);
	rawd(t, 0, RAW_DESC + 1, rd, len, 0, 0);
	push(t, 0, RAW_DESC);
	return needs_reset(t, 0, "readable descriptor after a writable one");
}

/*
 * Indirect descriptors, which the front end never negotiated: a table of
 * a size that is not a multiple of 16, one outside guest memory, and one
 * nesting another indirect descriptor.
 */
int c_indirect(struct t *t)
{
	struct vu_desc *tab;
	uint32_t len;
	uint64_t rd;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	rawd(t, 0, RAW_DESC, rd, 7, VU_DESC_F_INDIRECT, 0);
	push(t, 0, RAW_DESC);
	if (needs_reset(t, 0, "indirect table of 7 bytes"))
		return -1;
	rawd(t, 1, RAW_DESC, VU_MEM_GPA_BASE + 2ull * MEM, 64,
	     VU_DESC_F_INDIRECT, 0);
	push(t, 1, RAW_DESC);
	if (needs_reset(t, 1, "indirect table outside guest memory"))
		return -1;
	tab = vu_mem_alloc(&t->d.f.mem, 2 * sizeof(*tab), 16);
	if (!tab)
		return failf(t, "shared memory full");
	tab[0] = (struct vu_desc){ rd, len, VU_DESC_F_NEXT, 1 };
	tab[1] = (struct vu_desc){ vu_mem_gpa(&t->d.f.mem, tab), 32,
				   VU_DESC_F_INDIRECT, 0 };
	rawd(t, 0, RAW_DESC, vu_mem_gpa(&t->d.f.mem, tab), 32,
	     VU_DESC_F_INDIRECT, 0);
	push(t, 0, RAW_DESC);
	return needs_reset(t, 0, "indirect table nesting an indirect one");
}
