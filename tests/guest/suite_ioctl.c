// SPDX-License-Identifier: BSD-3-Clause
/*
 * The driver's input validation, through raw ioctls on the char device:
 * size too small, unknown flags, non-zero reserved fields, batch limits,
 * bad user pointers, too many segments, another file's ids.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "guest.h"
#include "../../userspace/libg_ipsec_la/src/internal.h"

#define BAD_PTR	((__u64)8)	/* never mapped */

static int fd = -1, fd2 = -1;
static __u32 sa_out, sa_in;
static uint8_t pkt[256], esp[512];
static struct vipsec_seg in_seg, out_seg;
static struct vipsec_pkt p;
static struct vipsec_xform x;

/* ioctl result as 0 or -errno */
static int io(int f, unsigned long req, void *arg)
{
	return ioctl(f, req, arg) < 0 ? -errno : 0;
}

static int raw_open(void)
{
	struct vipsec_claim c;
	int f = open(gt_dev_path(), O_RDWR | O_CLOEXEC);

	ck_assert_msg(f >= 0, "open %s: %s", gt_dev_path(), strerror(errno));
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.mode = VIPSEC_MODE_SHARED;
	strcpy(c.app_identity, "raw-ioctl");
	ck_assert_int_eq(io(f, VIPSEC_IOC_CLAIM, &c), 0);
	return f;
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
	fd = raw_open();
	fd2 = raw_open();
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
	close(fd);
	close(fd2);
	gt_kmsg_check();
}

START_TEST(info_and_claim)
{
	struct vipsec_info info;
	struct vipsec_claim c;
	int f = open(gt_dev_path(), O_RDWR | O_CLOEXEC);

	ck_assert_int_ge(f, 0);
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
	close(f);
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
	suite_add_tcase(s, t2);
	return s;
}
