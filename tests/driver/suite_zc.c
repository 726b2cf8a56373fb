// SPDX-License-Identifier: BSD-3-Clause
/*
 * The data path's two forms (kernel/virtio_ipsec/xform.c): zero-copy,
 * where the device reads and writes packets in the caller's pinned pages,
 * and the copy path it falls back to. Each form's output must open with
 * the other's; buffers that overlap (in place), segments that cross pages,
 * batches needing more descriptors than the ring has, and memory that
 * cannot be pinned or written must give what the copy path always gave.
 * The switch is the module parameter zero_copy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dt.h"

#define ZC_PARAM "/sys/module/virtio_ipsec/parameters/zero_copy"
#define ZC_SPI	 0x2000c001u

static int fd = -1;
static uint32_t grp, sa_out, sa_in;
static long pg;

static void zc_set(int on)
{
	FILE *f = fopen(ZC_PARAM, "w");

	ck_assert_msg(f, "%s: %s", ZC_PARAM, strerror(errno));
	ck_assert_int_ge(fputs(on ? "Y\n" : "N\n", f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static void setup(void)
{
	struct virtio_ipsec_sa_params w;

	dt_kmsg_mark();
	pg = sysconf(_SC_PAGESIZE);
	fd = dt_open("dt-zc");
	grp = dt_group_create(fd, "dt-zc");
	sa_out = dt_add_out(fd, grp, ZC_SPI);
	dt_sa_params(&w, ZC_SPI, 0);	/* no replay window: reopen at will */
	sa_in = dt_sa_add(fd, grp, &w);
	ck_assert_uint_ne(sa_out, 0);
	ck_assert_uint_ne(sa_in, 0);
}

static void teardown(void)
{
	zc_set(1);	/* the default, for the suites after this one */
	close(fd);
	dt_kmsg_check();
}

/*
 * One packet through @op with the given segments; returns the device
 * status (VIRTIO_IPSEC_*) or the ioctl's -errno, the output length in
 * *out_len.
 */
static int zc_one(uint32_t op, const struct vipsec_seg *in, uint32_t nin,
		  const struct vipsec_seg *out, uint32_t nout, uint32_t *out_len)
{
	struct vipsec_xform xf;
	struct vipsec_pkt p;
	int err;

	memset(&p, 0, sizeof(p));
	p.group_id = grp;
	p.sa_id = op == VIPSEC_OP_ENCAP ? sa_out : sa_in;
	p.in_nsegs = nin;
	p.out_nsegs = nout;
	p.in_segs = (uintptr_t)in;
	p.out_segs = (uintptr_t)out;
	p.status = 0xff;
	memset(&xf, 0, sizeof(xf));
	xf.size = sizeof(xf);
	xf.op = op;
	xf.num_pkts = 1;
	xf.pkts = (uintptr_t)&p;
	err = dt_io(fd, VIPSEC_IOC_XFORM, &xf);
	if (err)
		return err;
	*out_len = p.out_len;
	return (int)p.status;
}

/* Decapsulates @esp (one segment, apart from the output) and compares. */
static void zc_check_opens(const uint8_t *esp, uint32_t len,
			   const uint8_t *inner)
{
	static uint8_t out[DT_ESP_CAP];
	struct vipsec_seg i = { (uintptr_t)esp, len, 0 };
	struct vipsec_seg o = { (uintptr_t)out, sizeof(out), 0 };
	uint32_t n = 0;

	memset(out, 0xa5, sizeof(out));
	ck_assert_int_eq(zc_one(VIPSEC_OP_DECAP, &i, 1, &o, 1, &n),
			 VIRTIO_IPSEC_OK);
	ck_assert_uint_eq(n, DT_PKT_LEN);
	ck_assert_mem_eq(out, inner, DT_PKT_LEN);
}

/* Batches encapsulated in one form open in the other, and in the same. */
START_TEST(zc_and_copy_outputs_open_in_both)
{
	static struct dt_batch b;
	int enc, dec;
	uint32_t i;

	for (enc = 0; enc < 2; enc++) {
		zc_set(enc);
		dt_batch_init(&b, grp, sa_out, 32, 0, 0);
		ck_assert_int_eq(dt_batch_run(fd, &b), 0);
		for (dec = 0; dec < 2; dec++) {
			zc_set(dec);
			for (i = 0; i < b.n; i++) {
				ck_assert_uint_eq(b.pkt[i].status, VIRTIO_IPSEC_OK);
				zc_check_opens(b.esp[i], b.pkt[i].out_len, b.data[i]);
			}
		}
	}
}
END_TEST

/*
 * Segments that cross page boundaries, several per packet, and outputs
 * that overlap their inputs (in place: the copy path's job), in pages of
 * one mapping; every output must open to the original.
 */
START_TEST(zc_split_and_in_place)
{
	uint8_t inner[DT_PKT_LEN], esp[DT_ESP_CAP], *m;
	struct vipsec_seg in[3], out[2];
	uint32_t n = 0, esp_len;
	int zc;

	m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	dt_build_packet(inner, DT_PKT_LEN, 0x3c);
	for (zc = 0; zc < 2; zc++) {
		zc_set(zc);
		/* input in 3 segments, the 2nd across page 0/1 */
		memcpy(m + pg - 50, inner, DT_PKT_LEN);
		in[0] = (struct vipsec_seg){ (uintptr_t)(m + pg - 50), 20, 0 };
		in[1] = (struct vipsec_seg){ (uintptr_t)(m + pg - 30), 100, 0 };
		in[2] = (struct vipsec_seg){ (uintptr_t)(m + pg + 70), 80, 0 };
		/* output in 2 segments across page 2/3, apart from the input */
		out[0] = (struct vipsec_seg){ (uintptr_t)(m + 3 * pg - 60), 60, 0 };
		out[1] = (struct vipsec_seg){ (uintptr_t)(m + 3 * pg), 400, 0 };
		ck_assert_int_eq(zc_one(VIPSEC_OP_ENCAP, in, 3, out, 2, &n),
				 VIRTIO_IPSEC_OK);
		ck_assert_uint_gt(n, 60);
		memcpy(esp, m + 3 * pg - 60, n);
		zc_check_opens(esp, n, inner);
		esp_len = n;

		/* encapsulate in place: output over the input (room after) */
		memcpy(m + pg - 100, inner, DT_PKT_LEN);
		in[0] = (struct vipsec_seg){ (uintptr_t)(m + pg - 100), DT_PKT_LEN, 0 };
		out[0] = (struct vipsec_seg){ (uintptr_t)(m + pg - 100), 400, 0 };
		ck_assert_int_eq(zc_one(VIPSEC_OP_ENCAP, in, 1, out, 1, &n),
				 VIRTIO_IPSEC_OK);
		memcpy(esp, m + pg - 100, n);
		zc_check_opens(esp, n, inner);

		/* decapsulate in place, across pages 1/2 */
		memcpy(m + 2 * pg - 40, esp, n);
		in[0] = (struct vipsec_seg){ (uintptr_t)(m + 2 * pg - 40), n, 0 };
		out[0] = (struct vipsec_seg){ (uintptr_t)(m + 2 * pg - 40), 400, 0 };
		ck_assert_int_eq(zc_one(VIPSEC_OP_DECAP, in, 1, out, 1, &n),
				 VIRTIO_IPSEC_OK);
		ck_assert_uint_eq(n, DT_PKT_LEN);
		ck_assert_mem_eq(m + 2 * pg - 40, inner, DT_PKT_LEN);
		/* output overlapping the input's tail, across pages 1/2 */
		memcpy(m + 2 * pg - 40, esp, esp_len);
		in[0] = (struct vipsec_seg){ (uintptr_t)(m + 2 * pg - 40), esp_len, 0 };
		out[0] = (struct vipsec_seg){ (uintptr_t)(m + 2 * pg + 100), 400, 0 };
		ck_assert_int_eq(zc_one(VIPSEC_OP_DECAP, in, 1, out, 1, &n),
				 VIRTIO_IPSEC_OK);
		ck_assert_mem_eq(m + 2 * pg + 100, inner, DT_PKT_LEN);
	}
	munmap(m, 4 * pg);
}
END_TEST

/*
 * A batch whose segments need more descriptors than the ring has (64
 * packets, each input in 4 page-crossing segments): the copy path
 * carries it, every packet correct.
 */
START_TEST(zc_ring_overflow_falls_back)
{
	static uint8_t esp[64][DT_ESP_CAP];
	static struct vipsec_seg in[64][4], out[64];
	static struct vipsec_pkt p[64];
	uint8_t inner[DT_PKT_LEN], *m;
	struct vipsec_xform xf;
	uint32_t i, k;

	m = mmap(NULL, (64 * 4 + 1) * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	dt_build_packet(inner, DT_PKT_LEN, 0x5a);
	zc_set(1);
	memset(p, 0, sizeof(p));
	for (i = 0; i < 64; i++) {
		for (k = 0; k < 4; k++) {
			uint8_t *a = m + (i * 4 + k + 1) * pg - 25;

			memcpy(a, inner + k * 50, 50);
			in[i][k] = (struct vipsec_seg){ (uintptr_t)a, 50, 0 };
		}
		out[i] = (struct vipsec_seg){ (uintptr_t)esp[i], DT_ESP_CAP, 0 };
		p[i].group_id = grp;
		p[i].sa_id = sa_out;
		p[i].in_nsegs = 4;
		p[i].out_nsegs = 1;
		p[i].in_segs = (uintptr_t)in[i];
		p[i].out_segs = (uintptr_t)&out[i];
		p[i].status = 0xff;
	}
	memset(&xf, 0, sizeof(xf));
	xf.size = sizeof(xf);
	xf.op = VIPSEC_OP_ENCAP;
	xf.num_pkts = 64;
	xf.pkts = (uintptr_t)p;
	ck_assert_int_eq(dt_io(fd, VIPSEC_IOC_XFORM, &xf), 0);
	for (i = 0; i < 64; i++) {
		ck_assert_uint_eq(p[i].status, VIRTIO_IPSEC_OK);
		zc_check_opens(esp[i], p[i].out_len, inner);
	}
	munmap(m, (64 * 4 + 1) * pg);
}
END_TEST

/*
 * Decap batches from slots that packets do not fill (mbuf-like, the
 * usual decap case): each packet is a run of its own, and neighbours
 * share pages, which the driver pins once per window of pages (the
 * descriptors must still name each packet's page): slots in ascending
 * and descending order, shuffled (slot 7i mod 32: each run starts
 * inside the window of pages, often below the run before it, so pages are
 * named out of order within one window), outputs likewise in shared
 * pages, and two packets on either side of a page no packet touches
 * (PROT_NONE). Every output must open to the original, in both forms.
 */
#define ZC_SLOT_IN	700
#define ZC_SLOT_OUT	300

/* Packet i's slot in order desc: 0 ascending, 1 descending, 3 shuffled. */
static uint32_t zc_slot(int desc, uint32_t i)
{
	return desc == 1 ? 31 - i : desc == 3 ? (7 * i) % 32 : i;
}

START_TEST(zc_slots_share_pages)
{
	static struct dt_batch b;
	static struct vipsec_pkt p[32];
	static struct vipsec_seg in[32], out[32];
	struct vipsec_xform xf;
	uint8_t *m, *o;
	uint32_t i, s, n;
	int zc, desc;

	m = mmap(NULL, 16 * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	o = m + 8 * pg;
	zc_set(1);
	dt_batch_init(&b, grp, sa_out, 32, 0, 0);
	ck_assert_int_eq(dt_batch_run(fd, &b), 0);
	for (i = 0; i < 32; i++)
		ck_assert_uint_eq(b.pkt[i].status, VIRTIO_IPSEC_OK);
	for (zc = 0; zc < 2; zc++)
		for (desc = 0; desc < 4; desc++) {
			zc_set(zc);
			/* desc 2: packets 0 and 1 on pages 0 and 2 */
			n = desc == 2 ? 2 : 32;
			if (desc == 2)
				ck_assert_int_eq(mprotect(m + pg, pg, PROT_NONE), 0);
			memset(o, 0xa5, 4 * pg);
			memset(p, 0, sizeof(p));
			for (i = 0; i < n; i++) {
				uint8_t *a;

				s = zc_slot(desc, i);
				a = desc == 2 ? m + 2 * i * pg + 100 :
						m + s * ZC_SLOT_IN + 64;
				memcpy(a, b.esp[i], b.pkt[i].out_len);
				in[i] = (struct vipsec_seg){ (uintptr_t)a, b.pkt[i].out_len, 0 };
				out[i] = (struct vipsec_seg){
					(uintptr_t)(o + s * ZC_SLOT_OUT),
					DT_PKT_LEN + 60, 0 };
				p[i].group_id = grp;
				p[i].sa_id = sa_in;
				p[i].in_nsegs = 1;
				p[i].out_nsegs = 1;
				p[i].in_segs = (uintptr_t)&in[i];
				p[i].out_segs = (uintptr_t)&out[i];
				p[i].status = 0xff;
			}
			memset(&xf, 0, sizeof(xf));
			xf.size = sizeof(xf);
			xf.op = VIPSEC_OP_DECAP;
			xf.num_pkts = n;
			xf.pkts = (uintptr_t)p;
			ck_assert_int_eq(dt_io(fd, VIPSEC_IOC_XFORM, &xf), 0);
			for (i = 0; i < n; i++) {
				s = zc_slot(desc, i);
				ck_assert_msg(p[i].status == VIRTIO_IPSEC_OK,
					      "zc %d order %d packet %u: status %u",
					      zc, desc, i, p[i].status);
				ck_assert_uint_eq(p[i].out_len, DT_PKT_LEN);
				ck_assert_mem_eq(o + s * ZC_SLOT_OUT, b.data[i],
						 DT_PKT_LEN);
			}
			if (desc == 2)
				ck_assert_int_eq(mprotect(m + pg, pg,
							  PROT_READ | PROT_WRITE), 0);
		}
	munmap(m, 16 * pg);
}
END_TEST

/*
 * Memory the device must not be given: a read-only output and an
 * unmapped input fail with -EFAULT in both forms, as the copy path
 * always did, and the SA still works afterwards.
 */
START_TEST(zc_unwritable_or_unmapped_is_efault)
{
	uint8_t inner[DT_PKT_LEN], esp[DT_ESP_CAP], *ro, *none;
	struct vipsec_seg i, o;
	uint32_t n = 0;
	int zc;

	ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(ro, MAP_FAILED);
	ck_assert_ptr_ne(none, MAP_FAILED);
	dt_build_packet(inner, DT_PKT_LEN, 0x11);
	for (zc = 0; zc < 2; zc++) {
		zc_set(zc);
		i = (struct vipsec_seg){ (uintptr_t)inner, DT_PKT_LEN, 0 };
		o = (struct vipsec_seg){ (uintptr_t)ro, DT_ESP_CAP, 0 };
		ck_assert_int_eq(zc_one(VIPSEC_OP_ENCAP, &i, 1, &o, 1, &n),
				 -EFAULT);
		i = (struct vipsec_seg){ (uintptr_t)none, DT_PKT_LEN, 0 };
		o = (struct vipsec_seg){ (uintptr_t)esp, DT_ESP_CAP, 0 };
		ck_assert_int_eq(zc_one(VIPSEC_OP_ENCAP, &i, 1, &o, 1, &n),
				 -EFAULT);
		i = (struct vipsec_seg){ (uintptr_t)inner, DT_PKT_LEN, 0 };
		ck_assert_int_eq(zc_one(VIPSEC_OP_ENCAP, &i, 1, &o, 1, &n),
				 VIRTIO_IPSEC_OK);
		zc_check_opens(esp, n, inner);
	}
	munmap(ro, pg);
	munmap(none, pg);
}
END_TEST

Suite *suite_zc(void)
{
	Suite *s = suite_create("zero-copy");
	TCase *tc = tcase_create("zc");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, zc_and_copy_outputs_open_in_both);
	tcase_add_test(tc, zc_split_and_in_place);
	tcase_add_test(tc, zc_ring_overflow_falls_back);
	tcase_add_test(tc, zc_unwritable_or_unmapped_is_efault);
	tcase_add_test(tc, zc_slots_share_pages);
	suite_add_tcase(s, tc);
	return s;
}
