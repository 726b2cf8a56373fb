// SPDX-License-Identifier: BSD-3-Clause
/*
 * The char-device uAPI (<linux/virtio_ipsec_dev.h>) through the library's
 * backend ops, the same source on two targets: in the guest against the
 * driver (/dev/virtio-ipsec<N>, vipsec_guest_test) and on the host against
 * the software accelerator (vipsec_ioctl_host, make check-host), so that
 * the accelerator cannot drift from the driver's rules: size too small or
 * too large, unknown flags, non-zero reserved fields, batch limits, bad
 * user pointers, too many segments, another file's ids, SA_GET paging,
 * SA id reuse, records and when ASYNC results are written back.
 */
#include <endian.h>
#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"
#include "../lib/gapi.h"
#include "../../userspace/libg_ipsec_la/src/internal.h"

#define BAD_PTR	((__u64)8)	/* never mapped */

static struct gla_file file1, file2, *fd = &file1, *fd2 = &file2;
static __u32 sa_out, sa_in;
static uint8_t pkt[256], esp[512];
static struct vipsec_seg in_seg, out_seg;
static struct vipsec_pkt p;
static struct vipsec_xform x;

/* ioctl result as 0 or -errno, from the backend (the driver's own) */
static int io(struct gla_file *f, unsigned long req, void *arg)
{
	return f->be->ioctl(f, req, arg);
}

/* The accelerator under test: ga_accl, or the first char device. */
static const char *accl_name(void)
{
	static char name[64];

	if (ga_accl)
		return ga_accl;
	snprintf(name, sizeof(name), "%s", gt_dev_path());
	return basename(name);
}

static void file_open(struct gla_file *f)
{
	int ret = gla_file_open(accl_name(), f);

	ck_assert_msg(ret == 0, "open %s: %s", accl_name(), strerror(-ret));
}

static void file_close(struct gla_file *f)
{
	if (f->be)
		f->be->close(f);
	f->be = NULL;
}

static void raw_open(struct gla_file *f)
{
	struct vipsec_claim c;

	file_open(f);
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.mode = VIPSEC_MODE_SHARED;
	strcpy(c.app_identity, "raw-ioctl");
	ck_assert_int_eq(io(f, VIPSEC_IOC_CLAIM, &c), 0);
}

static void wire_sa(struct virtio_ipsec_sa_params *w, enum g_ipsec_la_sa_direction dir)
{
	struct g_ipsec_la_sa sa;

	gt_fill_sa(&sa, SPI_A);
	ck_assert_int_eq(gla_sa_to_wire(&sa, dir, NULL, w), 0);
}

static void sa_add_req(struct vipsec_sa_add *r, struct virtio_ipsec_sa_params *w,
		       __u32 *id)
{
	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->num_sas = 1;
	r->params = (uintptr_t)w;
	r->ids = (uintptr_t)id;
}

static void reset_xform(void)
{
	in_seg = (struct vipsec_seg){ (uintptr_t)pkt, 200, 0 };
	out_seg = (struct vipsec_seg){ (uintptr_t)esp, sizeof(esp), 0 };
	memset(&p, 0, sizeof(p));
	p.sa_id = sa_out;
	p.in_nsegs = p.out_nsegs = 1;
	p.in_segs = (uintptr_t)&in_seg;
	p.out_segs = (uintptr_t)&out_seg;
	memset(&x, 0, sizeof(x));
	x.size = sizeof(x);
	x.op = VIPSEC_OP_ENCAP;
	x.num_pkts = 1;
	x.pkts = (uintptr_t)&p;
}

static void setup(void)
{
	struct virtio_ipsec_sa_params w;
	struct vipsec_sa_add r;

	gt_kmsg_mark();
	raw_open(fd);
	raw_open(fd2);
	wire_sa(&w, G_IPSEC_LA_IPSEC_OUTBOUND);
	sa_add_req(&r, &w, &sa_out);
	ck_assert_int_eq(io(fd, VIPSEC_IOC_SA_ADD, &r), 0);
	wire_sa(&w, G_IPSEC_LA_IPSEC_INBOUND);
	sa_add_req(&r, &w, &sa_in);
	ck_assert_int_eq(io(fd, VIPSEC_IOC_SA_ADD, &r), 0);
	gt_build_packet(pkt, 200, 5);
	reset_xform();
}

static void teardown(void)
{
	file_close(fd);
	file_close(fd2);
	gt_kmsg_check();
}

START_TEST(info_and_claim)
{
	struct vipsec_info info;
	struct vipsec_claim c;
	struct gla_file file, *f = &file;

	file_open(f);
	memset(&info, 0, sizeof(info));
	info.size = 8;
	ck_assert_msg(io(f, VIPSEC_IOC_INFO, &info) == -EINVAL, "INFO size 8 must be -EINVAL");
	info.size = sizeof(info);
	info.flags = 1;
	ck_assert_msg(io(f, VIPSEC_IOC_INFO, &info) == -EINVAL, "INFO flags 1 must be -EINVAL");
	info.flags = 0;
	ck_assert_int_eq(io(f, VIPSEC_IOC_INFO, &info), 0);
	ck_assert_uint_eq(info.abi_version, VIRTIO_IPSEC_ABI_VERSION);

	memset(&c, 0, sizeof(c));
	c.size = 4;
	c.mode = VIPSEC_MODE_SHARED;
	ck_assert_msg(io(f, VIPSEC_IOC_CLAIM, &c) == -EINVAL, "CLAIM size 4 must be -EINVAL");
	c.size = sizeof(c);
	c.flags = 0x80;
	ck_assert_msg(io(f, VIPSEC_IOC_CLAIM, &c) == -EINVAL, "CLAIM unknown flag must be -EINVAL");
	c.flags = 0;
	c.reserved = 1;
	ck_assert_msg(io(f, VIPSEC_IOC_CLAIM, &c) == -EINVAL,
		      "CLAIM non-zero reserved must be -EINVAL");
	c.reserved = 0;
	c.mode = 7;
	ck_assert_msg(io(f, VIPSEC_IOC_CLAIM, &c) == -EINVAL, "CLAIM mode 7 must be -EINVAL");
	c.mode = VIPSEC_MODE_SHARED;
	ck_assert_int_eq(io(f, VIPSEC_IOC_CLAIM, &c), 0);
	ck_assert_int_eq(io(f, VIPSEC_IOC_CLAIM, (void *)BAD_PTR), -EFAULT);
	file_close(f);
}
END_TEST

START_TEST(xform_header)
{
	int ret;

	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, &x) == 0 && p.status == VIRTIO_IPSEC_OK,
		      "the well-formed baseline request failed (status %u)", p.status);
	reset_xform();
	x.size = 8;
	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, &x) == -EINVAL, "XFORM size 8 must be -EINVAL");
	reset_xform();
	x.flags = 1u << 9;
	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, &x) == -EINVAL,
		      "XFORM unknown flag must be -EINVAL");
	reset_xform();
	x.op = 9;
	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, &x) == -EINVAL, "XFORM op 9 must be -EINVAL");
	reset_xform();
	x.num_pkts = 0;
	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, &x) == -EINVAL, "num_pkts 0 must be -EINVAL");
	reset_xform();
	x.num_pkts = VIPSEC_MAX_PKT_BATCH + 1;
	ret = io(fd, VIPSEC_IOC_XFORM, &x);
	ck_assert_msg(ret == -EINVAL || ret == -E2BIG,
		      "num_pkts %u: got %d, want -EINVAL or -E2BIG", x.num_pkts, ret);
	reset_xform();
	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, (void *)BAD_PTR) == -EFAULT,
		      "XFORM argument at a bad address must be -EFAULT");
}
END_TEST

START_TEST(xform_pointers_and_segments)
{
	int ret;

	x.pkts = BAD_PTR;
	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, &x) == -EFAULT, "bad pkts pointer: want -EFAULT");
	reset_xform();
	p.in_segs = BAD_PTR;
	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, &x) == -EFAULT, "bad in_segs: want -EFAULT");
	reset_xform();
	in_seg.addr = BAD_PTR;
	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, &x) == -EFAULT, "bad input buffer: want -EFAULT");
	reset_xform();
	out_seg.addr = BAD_PTR;
	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, &x) == -EFAULT, "bad output buffer: want -EFAULT");
	reset_xform();
	p.in_nsegs = VIPSEC_MAX_SEGS + 1;
	ret = io(fd, VIPSEC_IOC_XFORM, &x);
	ck_assert_msg(ret == -EINVAL || (ret == 0 && p.status == VIRTIO_IPSEC_INVAL),
		      "%u input segments: got %d status %u, want -EINVAL",
		      p.in_nsegs, ret, p.status);
	reset_xform();
	p.out_nsegs = 0;
	ret = io(fd, VIPSEC_IOC_XFORM, &x);
	ck_assert_msg(ret == -EINVAL || (ret == 0 && p.status == VIRTIO_IPSEC_INVAL),
		      "0 output segments: got %d status %u, want -EINVAL", ret, p.status);
	reset_xform();
	in_seg.reserved = 1;
	ret = io(fd, VIPSEC_IOC_XFORM, &x);
	ck_assert_msg(ret == -EINVAL || (ret == 0 && p.status == VIRTIO_IPSEC_INVAL),
		      "segment with non-zero reserved: got %d, want -EINVAL", ret);
	reset_xform();
	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, &x) == 0 && p.status == VIRTIO_IPSEC_OK,
		      "a good request after the bad ones failed (status %u)", p.status);
}
END_TEST

START_TEST(sa_add_and_del)
{
	struct virtio_ipsec_sa_params w[VIPSEC_MAX_SA_BATCH + 1];
	__u32 ids[VIPSEC_MAX_SA_BATCH + 1];
	struct vipsec_sa_add r;
	struct vipsec_sa_del d;
	int ret;

	wire_sa(&w[0], G_IPSEC_LA_IPSEC_OUTBOUND);
	w[0].spi = 0x5000;
	sa_add_req(&r, w, ids);
	r.size = 12;
	ck_assert_msg(io(fd, VIPSEC_IOC_SA_ADD, &r) == -EINVAL, "SA_ADD size 12: want -EINVAL");
	sa_add_req(&r, w, ids);
	r.flags = 4;
	ck_assert_msg(io(fd, VIPSEC_IOC_SA_ADD, &r) == -EINVAL, "SA_ADD flag 4: want -EINVAL");
	sa_add_req(&r, w, ids);
	r.num_sas = 0;
	ck_assert_msg(io(fd, VIPSEC_IOC_SA_ADD, &r) == -EINVAL, "SA_ADD 0 SAs: want -EINVAL");
	sa_add_req(&r, w, ids);
	r.num_sas = VIPSEC_MAX_SA_BATCH + 1;
	ret = io(fd, VIPSEC_IOC_SA_ADD, &r);
	ck_assert_msg(ret == -EINVAL || ret == -E2BIG, "SA_ADD 65 SAs: got %d, want -EINVAL", ret);
	sa_add_req(&r, w, ids);
	r.params = BAD_PTR;
	ck_assert_msg(io(fd, VIPSEC_IOC_SA_ADD, &r) == -EFAULT, "SA_ADD bad params: want -EFAULT");
	sa_add_req(&r, w, ids);
	wire_sa(&w[0], G_IPSEC_LA_IPSEC_OUTBOUND);
	w[0].spi = 0x6000;
	r.ids = BAD_PTR;
	ck_assert_msg(io(fd, VIPSEC_IOC_SA_ADD, &r) == -EFAULT, "SA_ADD bad ids: want -EFAULT");

	memset(&d, 0, sizeof(d));
	d.size = 8;
	d.sa_id = sa_out;
	ck_assert_msg(io(fd, VIPSEC_IOC_SA_DEL, &d) == -EINVAL, "SA_DEL size 8: want -EINVAL");
	d.size = sizeof(d);
	d.flags = 1;
	ck_assert_msg(io(fd, VIPSEC_IOC_SA_DEL, &d) == -EINVAL, "SA_DEL flag 1: want -EINVAL");
	d.flags = 0;
	d.sa_id = 0x7ffffff0;
	ck_assert_msg(io(fd, VIPSEC_IOC_SA_DEL, &d) == -ENOENT, "SA_DEL unknown id: want -ENOENT");
}
END_TEST

START_TEST(other_files_ids)
{
	struct vipsec_sa_del d;
	struct vipsec_group g;
	int ret;

	ret = io(fd2, VIPSEC_IOC_XFORM, &x);	/* fd's SA id on fd2 */
	ck_assert_msg(ret == -ENOENT || ret == -EINVAL ||
		      (ret == 0 && p.status == VIRTIO_IPSEC_INVSA),
		      "another file's SA id: got %d status %u; must be refused", ret, p.status);
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.sa_id = sa_out;
	ret = io(fd2, VIPSEC_IOC_SA_DEL, &d);
	ck_assert_msg(ret == -ENOENT || ret == -EINVAL,
		      "deleting another file's SA: got %d, must be refused", ret);

	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	strcpy(g.name, "owned-by-fd");
	ck_assert_int_eq(io(fd, VIPSEC_IOC_GROUP_CREATE, &g), 0);
	ret = io(fd2, VIPSEC_IOC_GROUP_DESTROY, &g);
	ck_assert_msg(ret == -ENOENT || ret == -EINVAL,
		      "destroying another file's group: got %d, must be refused", ret);
	g.reserved = 1;
	ck_assert_msg(io(fd, VIPSEC_IOC_GROUP_DESTROY, &g) == -EINVAL,
		      "GROUP_DESTROY non-zero reserved: want -EINVAL");
	g.reserved = 0;
	ck_assert_int_eq(io(fd, VIPSEC_IOC_GROUP_DESTROY, &g), 0);

	reset_xform();	/* and still usable by its owner */
	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, &x) == 0 && p.status == VIRTIO_IPSEC_OK,
		      "the owner's request failed after the refusals (status %u)", p.status);
}
END_TEST

/*
 * Seed 004 at the char device: a DECAP without an SA id looks up only in a
 * group of the file's own (never group 0, never another file's group);
 * SA_MOD's MTU fields only with the MTU flag; DISABLE refuses the SA's
 * batches with -ESHUTDOWN.
 */
START_TEST(lookup_mtu_disable_rules)
{
	struct vipsec_sa_mod m;
	struct vipsec_group g;
	int ret;

	reset_xform();
	ck_assert_int_eq(io(fd, VIPSEC_IOC_XFORM, &x), 0);
	ck_assert_int_eq(p.status, VIRTIO_IPSEC_OK);
	in_seg.len = p.out_len;
	in_seg.addr = (uintptr_t)esp;
	out_seg.addr = (uintptr_t)pkt;
	out_seg.len = sizeof(pkt);
	x.op = VIPSEC_OP_DECAP;
	p.sa_id = 0;
	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, &x) == -EINVAL,
		      "lookup in the shared default group must be refused");
	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	strcpy(g.name, "fd2-group");
	ck_assert_int_eq(io(fd2, VIPSEC_IOC_GROUP_CREATE, &g), 0);
	p.group_id = g.group_id;
	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, &x) == -ENOENT,
		      "lookup in another file's group must be refused");
	ret = io(fd2, VIPSEC_IOC_XFORM, &x);
	ck_assert_msg(ret == 0 && p.status == VIRTIO_IPSEC_INVSA,
		      "lookup in an own group without the SA: %d status %u",
		      ret, p.status);
	x.op = VIPSEC_OP_ENCAP;
	ck_assert_msg(io(fd2, VIPSEC_IOC_XFORM, &x) == -EINVAL,
		      "ENCAP without an SA id");
	ck_assert_int_eq(io(fd2, VIPSEC_IOC_GROUP_DESTROY, &g), 0);

	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	m.sa_id = sa_out;
	m.mod.flags = htole32(VIRTIO_IPSEC_SA_MOD_SEQ);
	m.mod.path_mtu = htole16(1400);
	ck_assert_msg(io(fd, VIPSEC_IOC_SA_MOD, &m) == -EINVAL,
		      "path_mtu without the MTU flag");
	m.mod.flags = htole32(VIRTIO_IPSEC_SA_MOD_MTU);
	m.mod.frag_mode = 2;
	ck_assert_msg(io(fd, VIPSEC_IOC_SA_MOD, &m) == -EINVAL, "frag_mode 2");
	m.mod.frag_mode = VIRTIO_IPSEC_FRAG_BEFORE;
	m.mod.path_mtu = htole16(500);
	ck_assert_msg(io(fd, VIPSEC_IOC_SA_MOD, &m) == -EINVAL, "MTU 500");
	m.mod.path_mtu = htole16(1400);
	m.sa_id = sa_in;
	ck_assert_msg(io(fd, VIPSEC_IOC_SA_MOD, &m) == -EINVAL,
		      "MTU on an inbound SA");
	m.sa_id = sa_out;
	ck_assert_int_eq(io(fd, VIPSEC_IOC_SA_MOD, &m), 0);

	memset(&m.mod, 0, sizeof(m.mod));
	m.mod.flags = htole32(VIRTIO_IPSEC_SA_MOD_DISABLE);
	ck_assert_msg(io(fd2, VIPSEC_IOC_SA_MOD, &m) == -ENOENT,
		      "disabling another file's SA");
	ck_assert_int_eq(io(fd, VIPSEC_IOC_SA_MOD, &m), 0);
	reset_xform();
	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, &x) == -ESHUTDOWN,
		      "a batch naming a disabled SA is refused");
}
END_TEST

/* copy_struct_from_user: a larger struct with a zero tail is a newer caller */
START_TEST(arg_size_rules)
{
	struct {
		struct vipsec_info info;
		uint8_t tail[16];
	} big;
	struct vipsec_group g;

	memset(&big, 0, sizeof(big));
	big.info.size = sizeof(big);
	ck_assert_msg(io(fd, VIPSEC_IOC_INFO, &big) == 0,
		      "INFO with a larger size and a zero tail must be accepted");
	ck_assert_uint_eq(big.info.size, sizeof(big.info));
	memset(&big, 0, sizeof(big));
	big.info.size = sizeof(big);
	big.tail[3] = 1;
	ck_assert_msg(io(fd, VIPSEC_IOC_INFO, &big) == -EINVAL,
		      "INFO with a non-zero unknown tail must be -EINVAL");
	memset(&big, 0, sizeof(big));
	big.info.size = VIPSEC_MAX_ARG_SIZE + 1;
	ck_assert_msg(io(fd, VIPSEC_IOC_INFO, &big) == -E2BIG,
		      "INFO size above VIPSEC_MAX_ARG_SIZE must be -E2BIG");
	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	memset(g.name, 'n', sizeof(g.name));
	ck_assert_msg(io(fd, VIPSEC_IOC_GROUP_CREATE, &g) == -EINVAL,
		      "GROUP_CREATE with an unterminated name must be -EINVAL");
	reset_xform();
	x.flags = VIPSEC_XFORM_F_NO_COMPLETION;
	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, &x) == -EINVAL,
		      "NO_COMPLETION without ASYNC must be -EINVAL");
}
END_TEST

/* Claims first: every other ioctl of an unclaimed file is -EPERM. */
START_TEST(unclaimed_file)
{
	struct gla_file file, *f = &file;
	struct vipsec_group g;
	struct vipsec_claim c;

	file_open(f);
	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	strcpy(g.name, "unclaimed");
	ck_assert_msg(io(f, VIPSEC_IOC_GROUP_CREATE, &g) == -EPERM,
		      "GROUP_CREATE before CLAIM must be -EPERM");
	ck_assert_msg(io(f, VIPSEC_IOC_XFORM, &x) == -EPERM,
		      "XFORM before CLAIM must be -EPERM");
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.mode = VIPSEC_MODE_EXCLUSIVE;
	strcpy(c.app_identity, "late");
	ck_assert_msg(io(f, VIPSEC_IOC_CLAIM, &c) == -EBUSY,
		      "EXCLUSIVE while others share it must be -EBUSY");
	c.mode = VIPSEC_MODE_SHARED;
	ck_assert_int_eq(io(f, VIPSEC_IOC_CLAIM, &c), 0);
	ck_assert_msg(io(f, VIPSEC_IOC_CLAIM, &c) == -EALREADY,
		      "a second CLAIM on one file must be -EALREADY");
	file_close(f);
}
END_TEST

static __u32 add_one(struct gla_file *f, __u32 spi)
{
	struct virtio_ipsec_sa_params w;
	struct vipsec_sa_add r;
	__u32 id = 0;

	wire_sa(&w, G_IPSEC_LA_IPSEC_OUTBOUND);
	w.spi = htole32(spi);
	sa_add_req(&r, &w, &id);
	ck_assert_msg(io(f, VIPSEC_IOC_SA_ADD, &r) == 0, "SA_ADD of SPI %#x", spi);
	return id;
}

/* The driver's ids come from an IDA: the lowest free one, at once reused. */
START_TEST(sa_id_lowest_free)
{
	struct vipsec_sa_del d;
	__u32 a, b;

	a = add_one(fd, 0x7001);
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.sa_id = a;
	ck_assert_int_eq(io(fd, VIPSEC_IOC_SA_DEL, &d), 0);
	b = add_one(fd, 0x7002);
	ck_assert_msg(b == a, "the id of a deleted SA (%u) is the lowest free one "
		      "and must be given next; got %u", a, b);
}
END_TEST

/*
 * SA_GET in the shared default group: every page holds only the file's own
 * SAs and is full while more follow, however the other file's SAs are
 * interleaved with them on the device.
 */
START_TEST(sa_get_pages_own_sas)
{
	__u32 own[8], n_own = 0, seen = 0, cursor = 0, i, k;
	struct virtio_ipsec_sa_entry e[2];
	struct vipsec_sa_get g;
	int ret;

	own[n_own++] = sa_out;
	own[n_own++] = sa_in;
	for (i = 0; i < 3; i++) {
		own[n_own++] = add_one(fd, 0x7100 + i);
		add_one(fd2, 0x7200 + i);	/* interleaved ids */
	}
	for (k = 0; k < 16; k++) {
		memset(&g, 0, sizeof(g));
		g.size = sizeof(g);
		g.op = k ? VIRTIO_IPSEC_SA_GET_NEXT : VIRTIO_IPSEC_SA_GET_FIRST;
		g.sa_id = cursor;
		g.max_sas = 1;
		g.entries = (uintptr_t)e;
		ret = io(fd, VIPSEC_IOC_SA_GET, &g);
		if (ret == -EOPNOTSUPP)
			GA_SKIP("SA_GET not negotiated");
		ck_assert_msg(ret == 0, "SA_GET page %u: %d", k, ret);
		ck_assert_msg(g.count == 1 || (!g.count && !g.more),
			      "page %u after id %u: %u entries, more %u: a page "
			      "must be full while SAs follow", k, cursor,
			      g.count, g.more);
		if (!g.count)
			break;
		cursor = le32toh(e[0].sa_id);
		for (i = 0; i < n_own && own[i] != cursor; i++)
			;
		ck_assert_msg(i < n_own, "SA_GET listed id %u, not this file's",
			      cursor);
		seen++;
		if (!g.more)
			break;
	}
	ck_assert_msg(seen == n_own, "SA_GET listed %u of the file's %u SAs",
		      seen, n_own);
	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	g.op = VIRTIO_IPSEC_SA_GET_EXACT;
	g.sa_id = own[2];
	g.max_sas = 1;
	g.entries = (uintptr_t)e;
	ck_assert_int_eq(io(fd2, VIPSEC_IOC_SA_GET, &g), -ENOENT);
}
END_TEST

/*
 * SA_GET with VIPSEC_SA_GET_F_STATE: records of entry + state, the state
 * after its own entry; the flag's stride paged like entries; bad flags.
 */
START_TEST(sa_get_state_records)
{
	struct vipsec_sa_record rec[2];
	struct vipsec_sa_get g;
	int ret;

	reset_xform();
	ck_assert_int_eq(io(fd, VIPSEC_IOC_XFORM, &x), 0);
	ck_assert_int_eq(p.status, 0);
	memset(&g, 0, sizeof(g));
	memset(rec, 0xa5, sizeof(rec));
	g.size = sizeof(g);
	g.flags = VIPSEC_SA_GET_F_STATE;
	g.op = VIRTIO_IPSEC_SA_GET_FIRST;
	g.max_sas = 2;
	g.entries = (uintptr_t)rec;
	ret = io(fd, VIPSEC_IOC_SA_GET, &g);
	ck_assert_msg(ret == 0, "SA_GET F_STATE: %d", ret);
	ck_assert_int_eq(g.count, 2);
	ck_assert_msg(le32toh(rec[0].entry.sa_id) == sa_out &&
			      le64toh(rec[0].entry.seq) == 1 &&
			      le64toh(rec[0].state.life_packets) == 1 &&
			      le64toh(rec[0].state.life_bytes) == 200,
		      "outbound record: id %u, seq %llu, %llu packets",
		      le32toh(rec[0].entry.sa_id),
		      (unsigned long long)le64toh(rec[0].entry.seq),
		      (unsigned long long)le64toh(rec[0].state.life_packets));
	ck_assert_msg(le32toh(rec[1].entry.sa_id) == sa_in &&
			      rec[1].state.life_packets == 0 &&
			      rec[1].state.reserved[0] == 0,
		      "inbound record after the outbound's state");
	g.flags = 1u << 1;
	ck_assert_int_eq(io(fd, VIPSEC_IOC_SA_GET, &g), -EINVAL);
}
END_TEST

/*
 * EVENT_LIMIT: device-wide, so an exclusive claim only; the driver checks
 * every field before the device does.
 */
START_TEST(event_limit_rules)
{
	struct vipsec_event_limit l;
	struct vipsec_claim c;
	struct gla_file ex = { 0 };

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.limit.events = htole32(1u << VIRTIO_IPSEC_EVT_REPLAY);
	l.limit.type = VIRTIO_IPSEC_ELIM_TIME;
	l.limit.value = htole32(5);
	ck_assert_msg(io(fd, VIPSEC_IOC_EVENT_LIMIT, &l) == -EPERM,
		      "a shared claim set the device's event limit");
	file_close(fd);
	file_close(fd2);
	file_open(&ex);
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.mode = VIPSEC_MODE_EXCLUSIVE;
	strcpy(c.app_identity, "elimit");
	ck_assert_int_eq(io(&ex, VIPSEC_IOC_CLAIM, &c), 0);
	ck_assert_int_eq(io(&ex, VIPSEC_IOC_EVENT_LIMIT, &l), 0);
	l.flags = 1;
	ck_assert_int_eq(io(&ex, VIPSEC_IOC_EVENT_LIMIT, &l), -EINVAL);
	l.flags = 0;
	l.limit.events = htole32(1u << VIRTIO_IPSEC_EVT_LOST);
	ck_assert_msg(io(&ex, VIPSEC_IOC_EVENT_LIMIT, &l) == -EINVAL,
		      "LOST is no error event");
	l.limit.events = htole32(1u << VIRTIO_IPSEC_EVT_REPLAY);
	l.limit.value = htole32(VIRTIO_IPSEC_ELIM_MAX_RATE + 1);
	ck_assert_int_eq(io(&ex, VIPSEC_IOC_EVENT_LIMIT, &l), -EINVAL);
	l.limit.value = htole32(5);
	l.limit.scope = 2;
	ck_assert_int_eq(io(&ex, VIPSEC_IOC_EVENT_LIMIT, &l), -EINVAL);
	l.limit.scope = 0;
	l.limit.reserved[0] = 1;
	ck_assert_int_eq(io(&ex, VIPSEC_IOC_EVENT_LIMIT, &l), -EINVAL);
	l.limit.reserved[0] = 0;
	memset(&l.limit, 0, sizeof(l.limit));
	ck_assert_int_eq(io(&ex, VIPSEC_IOC_EVENT_LIMIT, &l), 0);
	file_close(&ex);
	raw_open(fd);
	raw_open(fd2);
}
END_TEST

/*
 * An ASYNC batch: the ioctl returns at once, the results are written into
 * the caller's arrays when the XFORM_DONE record is read, and a read
 * shorter than one record is -EINVAL.
 */
START_TEST(async_results_at_read)
{
	struct vipsec_event ev[2];
	ssize_t n;
	int ret;

	reset_xform();
	x.flags = VIPSEC_XFORM_F_ASYNC;
	x.user_data = 0xfeedf00dULL;
	p.status = 0xee;
	ck_assert_int_eq(io(fd, VIPSEC_IOC_XFORM, &x), 0);
	ck_assert_msg(p.status == 0xee, "ASYNC results must wait for the read "
		      "of their record (status %u written at submit)", p.status);
	ret = fd->be->poll(fd, 10000);
	ck_assert_msg(ret > 0 && (ret & POLLIN), "no record within 10 s (%d)", ret);
	ck_assert_msg(fd->be->read(fd, ev, sizeof(ev[0]) - 1) == -EINVAL,
		      "a read shorter than one record must be -EINVAL");
	n = fd->be->read(fd, ev, sizeof(ev));
	ck_assert_msg(n == (ssize_t)sizeof(ev[0]), "read %zd bytes, want one record", n);
	ck_assert_uint_eq(ev[0].type, VIPSEC_EV_XFORM_DONE);
	ck_assert_msg(ev[0].user_data == 0xfeedf00dULL, "user_data not echoed");
	ck_assert_int_eq(ev[0].result, 0);
	ck_assert_msg(p.status == VIRTIO_IPSEC_OK && p.out_len > 200,
		      "results after the read: status %u out_len %u",
		      p.status, p.out_len);
	ck_assert_msg(fd->be->read(fd, ev, sizeof(ev)) == -EAGAIN,
		      "nothing queued: the read must be -EAGAIN");
}
END_TEST

/*
 * Oversized packets, the driver's own check: an input over max_packet_len
 * is -EMSGSIZE for the batch (not -EINVAL: the request is well formed,
 * the packet too big); a result over it comes back as DST_TOO_SMALL with
 * an out_len above max_packet_len, whatever capacity was offered, so the
 * library can tell it from a short output area (virtio_ipsec_dev.h).
 */
START_TEST(xform_oversized)
{
	struct vipsec_info info;
	uint8_t *big, *out;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	ck_assert_int_eq(io(fd, VIPSEC_IOC_INFO, &info), 0);
	ck_assert_msg(info.max_packet_len >= 1500 && info.max_packet_len < 65535,
		      "max_packet_len %u", info.max_packet_len);
	big = calloc(1, info.max_packet_len + 1);
	out = calloc(1, info.max_packet_len + 256);
	ck_assert(big && out);
	gt_build_packet(big, (uint16_t)(info.max_packet_len + 1), 1);
	in_seg = (struct vipsec_seg){ (uintptr_t)big, info.max_packet_len + 1, 0 };
	out_seg = (struct vipsec_seg){ (uintptr_t)out, info.max_packet_len + 256, 0 };
	ck_assert_msg(io(fd, VIPSEC_IOC_XFORM, &x) == -EMSGSIZE,
		      "input of max_packet_len + 1 must be -EMSGSIZE");

	gt_build_packet(big, (uint16_t)(info.max_packet_len - 16), 2);
	in_seg.len = info.max_packet_len - 16;
	p.status = 0xee;
	ck_assert_int_eq(io(fd, VIPSEC_IOC_XFORM, &x), 0);
	ck_assert_msg(p.status == VIRTIO_IPSEC_DST_TOO_SMALL &&
		      p.out_len > info.max_packet_len,
		      "result over max_packet_len: status %u out_len %u (max %u)",
		      p.status, p.out_len, info.max_packet_len);
	free(big);
	free(out);
}
END_TEST

/*
 * SA_ADD's packet-format fields, checked by the driver on its own (the
 * software accelerator mirrors it): dev_status 0 says the device never
 * saw the request. TTL decrement and the selector, which the driver used
 * to refuse as unknown bits, now reach the device.
 */
static int fmt_add(struct virtio_ipsec_sa_params *w, __u32 *dev_status)
{
	struct vipsec_sa_add r;
	__u32 id;
	int ret;

	sa_add_req(&r, w, &id);
	ret = io(fd, VIPSEC_IOC_SA_ADD, &r);
	*dev_status = r.dev_status;
	if (!ret) {
		struct vipsec_sa_del d = { .size = sizeof(d), .sa_id = id };

		ck_assert_int_eq(io(fd, VIPSEC_IOC_SA_DEL, &d), 0);
	}
	return ret;
}

#define FMT_REFUSED(w, want, what)                                          \
	do {                                                                \
		__u32 st_;                                                  \
		int r_ = fmt_add(w, &st_);                                  \
		ck_assert_msg(r_ == (want) && st_ == 0,                     \
			      "%s: SA_ADD %d (device status %u), want %d "  \
			      "from the driver", what, r_, st_, want);      \
	} while (0)

START_TEST(sa_format_fields)
{
	struct virtio_ipsec_sa_params w;
	struct vipsec_info info;
	__u32 st;

	wire_sa(&w, G_IPSEC_LA_IPSEC_INBOUND);
	w.spi = htole32(0x5100);
	w.options |= htole32(VIRTIO_IPSEC_SA_OPT_DEC_TTL |
			     VIRTIO_IPSEC_SA_OPT_SELECTOR);
	memcpy(w.sel_src, "\x0a\x01", 2);
	w.sel_prefix_len = 16;
	ck_assert_msg(fmt_add(&w, &st) == 0,
		      "inbound tunnel SA with TTL decrement and selector");
	w.sel_prefix_len = 12;
	FMT_REFUSED(&w, -EINVAL, "selector bits past the prefix");
	w.sel_prefix_len = 33;
	FMT_REFUSED(&w, -EINVAL, "IPv4 selector of 33 bits");
	w.options &= ~htole32(VIRTIO_IPSEC_SA_OPT_SELECTOR);
	w.sel_prefix_len = 16;
	FMT_REFUSED(&w, -EINVAL, "selector fields without the option");
	memset(w.sel_src, 0, sizeof(w.sel_src));
	w.sel_prefix_len = 0;
	w.tfc_pad_to = htole32(200);
	w.options |= htole32(VIRTIO_IPSEC_SA_OPT_TFC_PAD);
	FMT_REFUSED(&w, -EINVAL, "TFC padding on an inbound SA");

	wire_sa(&w, G_IPSEC_LA_IPSEC_OUTBOUND);
	w.spi = htole32(0x5101);
	w.options |= htole32(VIRTIO_IPSEC_SA_OPT_TFC_PAD |
			     VIRTIO_IPSEC_SA_OPT_ECN);
	w.tfc_pad_to = htole32(1400);
	w.ttl = 3;
	ck_assert_msg(fmt_add(&w, &st) == 0,
		      "outbound SA with TFC, RFC 6040 ECN and TTL");
	w.tfc_pad_to = htole32(70000);
	FMT_REFUSED(&w, -EINVAL, "TFC past 64 KiB");
	w.tfc_pad_to = 0;
	FMT_REFUSED(&w, -EINVAL, "TFC_PAD without a length");
	w.options &= ~htole32(VIRTIO_IPSEC_SA_OPT_TFC_PAD);
	w.tfc_pad_to = htole32(100);
	FMT_REFUSED(&w, -EINVAL, "a TFC length without TFC_PAD");
	w.tfc_pad_to = 0;
	w.flow_label = htole32(0x12345);
	FMT_REFUSED(&w, -EINVAL, "flow label on IPv4");
	w.flow_label = 0;
	w.options |= htole32(VIRTIO_IPSEC_SA_OPT_DEC_TTL);
	FMT_REFUSED(&w, -EINVAL, "TTL decrement on an outbound SA");
	w.options = htole32(VIRTIO_IPSEC_SA_OPT_DEC_TTL << 1);
	FMT_REFUSED(&w, -EINVAL, "an undefined option bit");

	/* a key size the backend cannot run: known from INFO, refused first */
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	ck_assert_int_eq(io(fd, VIPSEC_IOC_INFO, &info), 0);
	ck_assert_msg(info.sa_options & VIRTIO_IPSEC_SA_OPT_DEC_TTL &&
		      info.hdr_fields & VIRTIO_IPSEC_HDR_F_TTL &&
		      info.cipher_key_sizes[VIRTIO_IPSEC_CIPHER_AES_GCM] &
		      VIRTIO_IPSEC_KEY_SIZE_BIT(16),
		      "INFO: sa_options 0x%x hdr_fields 0x%x", info.sa_options,
		      info.hdr_fields);
	wire_sa(&w, G_IPSEC_LA_IPSEC_OUTBOUND);
	w.spi = htole32(0x5102);
	w.cipher_alg = VIRTIO_IPSEC_CIPHER_AES_CCM;
	w.cipher_key_len = 24;
	w.salt_len = 3;
	w.salt[3] = 0;
	if (info.cipher_key_sizes[VIRTIO_IPSEC_CIPHER_AES_CCM] &
	    VIRTIO_IPSEC_KEY_SIZE_BIT(24))
		ck_assert_msg(fmt_add(&w, &st) == 0,
			      "AES-CCM-192, offered in INFO");
	else
		FMT_REFUSED(&w, -EKEYREJECTED, "AES-CCM-192, not in INFO");
}
END_TEST

/* Submits @cmd on @arg through VIPSEC_IOC_CTRL_ASYNC. */
static int ctrl_async(struct gla_file *f, __u32 cmd, void *arg, __u64 ud)
{
	struct vipsec_ctrl_async a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.cmd = cmd;
	a.arg = (uintptr_t)arg;
	a.user_data = ud;
	return io(f, VIPSEC_IOC_CTRL_ASYNC, &a);
}

/* Waits for and reads the next record, which must be @ud's CTRL_DONE. */
static __s32 ctrl_done(struct gla_file *f, __u32 cmd, __u64 ud)
{
	struct vipsec_event ev;
	int ret = f->be->poll(f, 10000);

	ck_assert_msg(ret > 0 && (ret & POLLIN), "no record within 10 s (%d)",
		      ret);
	ck_assert_int_eq(f->be->read(f, &ev, sizeof(ev)), sizeof(ev));
	ck_assert_uint_eq(ev.type, VIPSEC_EV_CTRL_DONE);
	ck_assert_msg(ev.user_data == ud && ev.value == cmd,
		      "CTRL_DONE of %#llx (cmd %#llx), want %#llx",
		      (unsigned long long)ev.user_data,
		      (unsigned long long)ev.value, (unsigned long long)ud);
	return ev.result;
}

/*
 * VIPSEC_IOC_CTRL_ASYNC of the calls with output (issue 11 item 7): the
 * argument and SA_ADD's params are checked and copied at submission (their
 * errors are the ioctl's); the output reaches the caller's struct and
 * arrays only when the CTRL_DONE record is read, exactly where the
 * synchronous call writes it; an output never read goes at close.
 */
START_TEST(ctrl_async_output_at_read)
{
	struct virtio_ipsec_sa_params w;
	struct virtio_ipsec_sa_entry e[2];
	struct vipsec_sa_add r;
	struct vipsec_group g;
	struct vipsec_sa_get sg;
	__u32 id = 0xdeadbeef, id2 = 0xdeadbeef;

	wire_sa(&w, G_IPSEC_LA_IPSEC_OUTBOUND);
	w.spi = htole32(0x7a11);
	sa_add_req(&r, &w, &id);
	r.dev_status = 0x55;
	ck_assert_int_eq(ctrl_async(fd, VIPSEC_IOC_SA_ADD, &r, 0x1111), 0);
	memset(&w, 0xee, sizeof(w)); /* copied at submission */
	ck_assert_int_eq(fd->be->poll(fd, 10000) & POLLIN, POLLIN);
	ck_assert_msg(id == 0xdeadbeef && r.dev_status == 0x55,
		      "output written before the record was read");
	ck_assert_int_eq(ctrl_done(fd, VIPSEC_IOC_SA_ADD, 0x1111), 0);
	ck_assert_msg(id != 0xdeadbeef && id && id != sa_out && id != sa_in &&
			      r.dev_status == 0,
		      "SA id %u, dev_status %u after the read", id,
		      r.dev_status);
	reset_xform();
	p.sa_id = id;
	ck_assert_int_eq(io(fd, VIPSEC_IOC_XFORM, &x), 0);
	ck_assert_msg(p.status == VIRTIO_IPSEC_OK, "the new SA works: %u",
		      p.status);
	ck_assert_msg(io(fd2, VIPSEC_IOC_XFORM, &x) == -ENOENT,
		      "the SA is the submitting file's");

	/* GROUP_CREATE: the id in the struct at the read */
	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	strcpy(g.name, "raw-async");
	g.group_id = 0x77;
	ck_assert_int_eq(ctrl_async(fd, VIPSEC_IOC_GROUP_CREATE, &g, 0x2222),
			 0);
	ck_assert_int_eq(fd->be->poll(fd, 10000) & POLLIN, POLLIN);
	ck_assert_int_eq(g.group_id, 0x77);
	ck_assert_int_eq(ctrl_done(fd, VIPSEC_IOC_GROUP_CREATE, 0x2222), 0);
	ck_assert_msg(g.group_id && g.group_id != 0x77, "group id %u",
		      g.group_id);

	/* SA_ADD into it, refused by the driver: the result, no id */
	wire_sa(&w, G_IPSEC_LA_IPSEC_OUTBOUND);
	sa_add_req(&r, &w, &id2);
	r.group_id = g.group_id + 1000; /* not the file's */
	ck_assert_int_eq(ctrl_async(fd, VIPSEC_IOC_SA_ADD, &r, 0x3333), 0);
	ck_assert_int_eq(ctrl_done(fd, VIPSEC_IOC_SA_ADD, 0x3333), -ENOENT);
	ck_assert_int_eq(id2, 0xdeadbeef);
	ck_assert_int_eq(io(fd, VIPSEC_IOC_GROUP_DESTROY, &g), 0);

	/* SA_GET EXACT: entries, count and more at the read */
	memset(&sg, 0, sizeof(sg));
	memset(e, 0, sizeof(e));
	sg.size = sizeof(sg);
	sg.op = VIRTIO_IPSEC_SA_GET_EXACT;
	sg.sa_id = id;
	sg.max_sas = 2;
	sg.entries = (uintptr_t)e;
	sg.count = 0x99;
	ck_assert_int_eq(ctrl_async(fd, VIPSEC_IOC_SA_GET, &sg, 0x4444), 0);
	ck_assert_int_eq(fd->be->poll(fd, 10000) & POLLIN, POLLIN);
	ck_assert_msg(sg.count == 0x99 && !e[0].sa_id,
		      "SA_GET output before the read");
	ck_assert_int_eq(ctrl_done(fd, VIPSEC_IOC_SA_GET, 0x4444), 0);
	ck_assert_msg(sg.count == 1 && le32toh(e[0].sa_id) == id &&
			      le32toh(e[0].params.spi) == 0x7a11 &&
			      !e[1].sa_id,
		      "SA_GET: count %u, id %u", sg.count, le32toh(e[0].sa_id));
	ck_assert_msg(gla_mem_is_zero(e[0].params.cipher_key,
				      sizeof(e[0].params.cipher_key)),
		      "no key material");
	ck_assert_int_eq(fd->be->read(fd, e, sizeof(struct vipsec_event)),
			 -EAGAIN);

	/* what prep refuses is the ioctl's error, no record */
	sa_add_req(&r, &w, &id2);
	r.params = BAD_PTR;
	ck_assert_int_eq(ctrl_async(fd, VIPSEC_IOC_SA_ADD, &r, 1), -EFAULT);
	sa_add_req(&r, &w, &id2);
	r.num_sas = 0;
	ck_assert_int_eq(ctrl_async(fd, VIPSEC_IOC_SA_ADD, &r, 1), -EINVAL);
	sg.max_sas = 0;
	ck_assert_int_eq(ctrl_async(fd, VIPSEC_IOC_SA_GET, &sg, 1), -EINVAL);
	sg.max_sas = 1;
	sg.flags = 0x80;
	ck_assert_int_eq(ctrl_async(fd, VIPSEC_IOC_SA_GET, &sg, 1), -EINVAL);
	ck_assert_int_eq(ctrl_async(fd, VIPSEC_IOC_XFORM, &x, 1), -EINVAL);
	ck_assert_int_eq(ctrl_async(fd, VIPSEC_IOC_INFO, &x, 1), -EINVAL);
	ck_assert_int_eq(fd->be->read(fd, e, sizeof(struct vipsec_event)),
			 -EAGAIN);

	/* outputs never read: close (teardown) frees them */
	wire_sa(&w, G_IPSEC_LA_IPSEC_OUTBOUND);
	w.spi = htole32(0x7a12);
	sa_add_req(&r, &w, &id2);
	ck_assert_int_eq(ctrl_async(fd2, VIPSEC_IOC_SA_ADD, &r, 5), 0);
	sg.flags = 0;
	sg.op = VIRTIO_IPSEC_SA_GET_FIRST;
	sg.max_sas = 2;
	ck_assert_int_eq(ctrl_async(fd2, VIPSEC_IOC_SA_GET, &sg, 6), 0);
	ck_assert_int_eq(ctrl_async(fd2, VIPSEC_IOC_GROUP_CREATE, &g, 7), 0);
	ck_assert_int_eq(fd2->be->poll(fd2, 10000) & POLLIN, POLLIN);
}
END_TEST

Suite *suite_ioctl(void)
{
	Suite *s = suite_create("ioctl");
	TCase *t1 = tcase_create("claim"), *t2 = tcase_create("validation");

	tcase_add_test(t1, info_and_claim);
	suite_add_tcase(s, t1);
	tcase_add_checked_fixture(t2, setup, teardown);
	tcase_add_test(t2, xform_header);
	tcase_add_test(t2, xform_pointers_and_segments);
	tcase_add_test(t2, sa_add_and_del);
	tcase_add_test(t2, other_files_ids);
	tcase_add_test(t2, arg_size_rules);
	tcase_add_test(t2, unclaimed_file);
	tcase_add_test(t2, sa_id_lowest_free);
	tcase_add_test(t2, sa_get_pages_own_sas);
	tcase_add_test(t2, async_results_at_read);
	tcase_add_test(t2, sa_get_state_records);
	tcase_add_test(t2, event_limit_rules);
	tcase_add_test(t2, xform_oversized);
	tcase_add_test(t2, sa_format_fields);
	tcase_add_test(t2, lookup_mtu_disable_rules);
	tcase_add_test(t2, ctrl_async_output_at_read);
	suite_add_tcase(s, t2);
	return s;
}
