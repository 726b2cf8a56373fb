// SPDX-License-Identifier: BSD-3-Clause
/*
 * The driver against a hostile caller: an SA id must not pass to another
 * file while a batch of its old owner can still name it (the batch is
 * held inside the driver by a page fault on its input, resolved through
 * userfaultfd only after the other file asked for an SA).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "dt.h"

static int fa = -1, fb = -1;

static void setup(void)
{
	dt_kmsg_mark();
	fa = dt_open("dt-harden-a");
	fb = dt_open("dt-harden-b");
}

static void teardown(void)
{
	close(fa);
	close(fb);
	dt_kmsg_check();
}

struct xform_thr {
	int fd;
	struct vipsec_xform xf;
	int err;
};

static void *xform_thread(void *arg)
{
	struct xform_thr *t = arg;

	t->err = dt_io(t->fd, VIPSEC_IOC_XFORM, &t->xf);
	return NULL;
}

struct del_thr {
	int fd;
	uint32_t sa;
	int err;
	volatile int done;
};

static void *del_thread(void *arg)
{
	struct del_thr *t = arg;
	struct vipsec_sa_del d = { .size = sizeof(d), .sa_id = t->sa };

	t->err = dt_io(t->fd, VIPSEC_IOC_SA_DEL, &d);
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Waits up to @ms for the SA delete counter to pass @old. */
static int sas_deleted_passes(uint64_t old, int ms)
{
	for (; ms > 0; ms -= 20) {
		if (dt_sysfs_u64("sas_deleted") > old)
			return 1;
		usleep(20 * 1000);
	}
	return 0;
}

START_TEST(sa_id_not_reused_while_batch_inflight)
{
	long page = sysconf(_SC_PAGESIZE);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct uffdio_copy cp;
	struct uffd_msg msg;
	struct vipsec_seg in_seg, out_seg;
	struct vipsec_pkt pkt;
	struct xform_thr xt;
	struct del_thr dtr;
	pthread_t t1, t2;
	struct pollfd pfd;
	uint8_t *stall, *src, out[DT_ESP_CAP];
	uint32_t sa, sb;
	uint64_t deleted;
	int uffd;

	sa = dt_add_out(fa, 0, 0x4a000001);

	uffd = (int)syscall(__NR_userfaultfd, O_CLOEXEC);
	ck_assert_msg(uffd >= 0, "userfaultfd: %s", strerror(errno));
	ck_assert_int_eq(ioctl(uffd, UFFDIO_API, &api), 0);
	stall = mmap(NULL, page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(stall, MAP_FAILED);
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)stall;
	reg.range.len = page;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ck_assert_int_eq(ioctl(uffd, UFFDIO_REGISTER, &reg), 0);

	/* one packet whose input the driver's gather faults on */
	in_seg = (struct vipsec_seg){ (uintptr_t)stall, DT_PKT_LEN, 0 };
	out_seg = (struct vipsec_seg){ (uintptr_t)out, sizeof(out), 0 };
	memset(&pkt, 0, sizeof(pkt));
	pkt.group_id = 0;
	pkt.sa_id = sa;
	pkt.in_nsegs = pkt.out_nsegs = 1;
	pkt.in_segs = (uintptr_t)&in_seg;
	pkt.out_segs = (uintptr_t)&out_seg;
	pkt.status = 0xff;
	memset(&xt, 0, sizeof(xt));
	xt.fd = fa;
	xt.xf.size = sizeof(xt.xf);
	xt.xf.op = VIPSEC_OP_ENCAP;
	xt.xf.num_pkts = 1;
	xt.xf.pkts = (uintptr_t)&pkt;
	ck_assert_int_eq(pthread_create(&t1, NULL, xform_thread, &xt), 0);

	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	ck_assert_msg(poll(&pfd, 1, 10000) == 1, "the batch never faulted");
	ck_assert_int_eq(read(uffd, &msg, sizeof(msg)), (int)sizeof(msg));
	ck_assert_int_eq(msg.event, UFFD_EVENT_PAGEFAULT);

	/* the batch passed its ownership check: delete its SA meanwhile */
	deleted = dt_sysfs_u64("sas_deleted");
	memset(&dtr, 0, sizeof(dtr));
	dtr.fd = fa;
	dtr.sa = sa;
	ck_assert_int_eq(pthread_create(&t2, NULL, del_thread, &dtr), 0);
	/* a driver that frees the id at once has done so by now */
	if (!sas_deleted_passes(deleted, 1000))
		ck_assert(!__atomic_load_n(&dtr.done, __ATOMIC_ACQUIRE));

	/* another file's SA in the same shared group 0 must get a new id */
	sb = dt_add_out(fb, 0, 0x4b000001);
	ck_assert_msg(sb != sa,
		      "SA id %u handed to another file while a batch naming it is in flight",
		      sa);

	/* let the batch go on: it runs (or finds no SA), never on sb */
	src = aligned_alloc(page, page);
	ck_assert_ptr_nonnull(src);
	dt_build_packet(src, DT_PKT_LEN, 7);
	memset(&cp, 0, sizeof(cp));
	cp.dst = (uintptr_t)stall;
	cp.src = (uintptr_t)src;
	cp.len = page;
	ck_assert_int_eq(ioctl(uffd, UFFDIO_COPY, &cp), 0);
	ck_assert_int_eq(pthread_join(t1, NULL), 0);
	ck_assert_int_eq(pthread_join(t2, NULL), 0);
	ck_assert_msg(xt.err == 0 || xt.err == -ENOENT, "xform: %d", xt.err);
	ck_assert_msg(xt.err || pkt.status == VIRTIO_IPSEC_OK ||
		      pkt.status == VIRTIO_IPSEC_INVSA,
		      "status %u", pkt.status);
	ck_assert_int_eq(dtr.err, 0);
	ck_assert_uint_eq(dt_sysfs_u64("sas_deleted"), deleted + 1);

	free(src);
	munmap(stall, page);
	close(uffd);
}
END_TEST

/* The id of a deleted SA is free again once no batch can name it. */
START_TEST(sa_id_freed_after_delete)
{
	struct vipsec_sa_del d = { .size = sizeof(d) };
	struct dt_batch *b = calloc(1, sizeof(*b));
	uint32_t sa, again;

	ck_assert_ptr_nonnull(b);
	sa = dt_add_out(fa, 0, 0x4a000002);
	dt_batch_init(b, 0, sa, 4, VIPSEC_XFORM_F_ASYNC, 1);
	ck_assert_int_eq(dt_batch_run(fa, b), 0);
	/* completion not read yet: the delete must not wait for read() */
	d.sa_id = sa;
	ck_assert_int_eq(dt_io(fa, VIPSEC_IOC_SA_DEL, &d), 0);
	again = dt_add_out(fb, 0, 0x4b000002);
	ck_assert_uint_eq(again, sa);	/* the IDA hands out the lowest */
	free(b);
}
END_TEST

Suite *suite_harden(void)
{
	Suite *s = suite_create("harden");
	TCase *tc = tcase_create("ids");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sa_id_not_reused_while_batch_inflight);
	tcase_add_test(tc, sa_id_freed_after_delete);
	suite_add_tcase(s, tc);
	return s;
}
