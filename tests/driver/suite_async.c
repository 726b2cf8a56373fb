// SPDX-License-Identifier: BSD-3-Clause
/*
 * Asynchronous XFORM completed through read() and poll(); the per-file
 * limit; NO_COMPLETION; a reader in another address space; device events
 * reaching only the owning file.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/virtio_ipsec_genl.h>

#include "dt.h"

static int fa = -1, fb = -1;
static uint32_t sa_a;

static void setup(void)
{
	dt_kmsg_mark();
	fa = dt_open("dt-async-a");
	fb = dt_open("dt-async-b");
	sa_a = dt_add_out(fa, 0, 0x6001);
}

static void teardown(void)
{
	close(fa);
	close(fb);
	dt_kmsg_check();
}

static int poll_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, ms);

	ck_assert_int_ge(n, 0);
	return n ? p.revents : 0;
}

static int read_ev(int fd, struct vipsec_event *ev)
{
	ssize_t n = read(fd, ev, sizeof(*ev));

	if (n < 0)
		return -errno;
	ck_assert_int_eq(n, sizeof(*ev));
	ck_assert_uint_eq(ev->size, sizeof(*ev));
	return 0;
}

START_TEST(async_complete_via_read_and_poll)
{
	struct dt_batch *b = calloc(2, sizeof(*b));
	struct vipsec_event ev[4];
	uint64_t po = dt_sysfs_u64("packets_out");
	int i, k, got = 0;

	dt_batch_init(&b[0], 0, sa_a, 16, VIPSEC_XFORM_F_ASYNC, 0x1111);
	dt_batch_init(&b[1], 0, sa_a, 3, VIPSEC_XFORM_F_ASYNC, 0x2222);
	ck_assert_int_eq(dt_batch_run(fa, &b[0]), 0);
	ck_assert_int_eq(dt_batch_run(fa, &b[1]), 0);
	while (got < 2) {
		ck_assert_msg(poll_in(fa, 5000) & POLLIN, "no POLLIN within 5 s");
		ssize_t n = read(fa, ev, sizeof(ev));	/* several records at once */

		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(n % sizeof(ev[0]), 0);
		for (i = 0; i < n / (ssize_t)sizeof(ev[0]); i++, got++) {
			struct dt_batch *bb = ev[i].user_data == 0x1111 ? &b[0] : &b[1];

			ck_assert_uint_eq(ev[i].type, VIPSEC_EV_XFORM_DONE);
			ck_assert_int_eq(ev[i].result, 0);
			ck_assert_msg(ev[i].user_data == 0x1111 || ev[i].user_data == 0x2222,
				      "user_data %llx", (unsigned long long)ev[i].user_data);
			for (k = 0; k < (int)bb->n; k++) {
				ck_assert_uint_eq(bb->pkt[k].status, VIRTIO_IPSEC_OK);
				ck_assert_uint_gt(bb->pkt[k].out_len, DT_PKT_LEN);
				ck_assert_uint_ne(bb->pkt[k].seq_lo, 0);
				ck_assert_uint_eq(bb->esp[k][9], 50);	/* outer proto ESP */
			}
		}
	}
	ck_assert_uint_eq(dt_sysfs_u64("packets_out"), po + 19);
	/* nothing left: poll times out, O_NONBLOCK read says EAGAIN */
	ck_assert_int_eq(poll_in(fa, 100), 0);
	fcntl(fa, F_SETFL, O_NONBLOCK);
	ck_assert_int_eq(read_ev(fa, ev), -EAGAIN);
	ck_assert_int_eq(read(fa, ev, sizeof(ev[0]) - 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* the other file saw nothing */
	ck_assert_int_eq(poll_in(fb, 0), 0);
	free(b);
}
END_TEST

START_TEST(async_validation_and_limit)
{
	struct dt_batch *b = calloc(VIPSEC_MAX_ASYNC + 1, sizeof(*b));
	struct vipsec_event ev;
	int i;

	dt_batch_init(&b[0], 0, sa_a, 1, VIPSEC_XFORM_F_NO_COMPLETION, 0);
	ck_assert_int_eq(dt_batch_run(fa, &b[0]), -EINVAL);	/* needs ASYNC */
	dt_batch_init(&b[0], 0, sa_a, 1, VIPSEC_XFORM_F_ASYNC | 4, 0);
	ck_assert_int_eq(dt_batch_run(fa, &b[0]), -EINVAL);
	dt_batch_init(&b[0], 0, sa_a, 1, VIPSEC_XFORM_F_ASYNC, 0);
	ck_assert_int_eq(dt_batch_run(fb, &b[0]), -ENOENT);	/* b's file, a's SA */

	/* VIPSEC_MAX_ASYNC undelivered batches, then -EAGAIN */
	for (i = 0; i < VIPSEC_MAX_ASYNC; i++) {
		dt_batch_init(&b[i], 0, sa_a, 1, VIPSEC_XFORM_F_ASYNC, i);
		ck_assert_int_eq(dt_batch_run(fa, &b[i]), 0);
	}
	dt_batch_init(&b[i], 0, sa_a, 1, VIPSEC_XFORM_F_ASYNC, i);
	ck_assert_int_eq(dt_batch_run(fa, &b[i]), -EAGAIN);
	for (i = 0; i < VIPSEC_MAX_ASYNC; i++) {
		ck_assert_int_eq(read_ev(fa, &ev), 0);
		ck_assert_uint_eq(ev.type, VIPSEC_EV_XFORM_DONE);
		ck_assert_int_eq(ev.result, 0);
		ck_assert_uint_eq(b[ev.user_data].pkt[0].status, VIRTIO_IPSEC_OK);
	}
	/* room again */
	dt_batch_init(&b[0], 0, sa_a, 1, VIPSEC_XFORM_F_ASYNC, 0);
	ck_assert_int_eq(dt_batch_run(fa, &b[0]), 0);
	ck_assert_int_eq(read_ev(fa, &ev), 0);
	ck_assert_int_eq(ev.result, 0);

	/* NO_COMPLETION: no record, nothing written back, counted */
	dt_batch_init(&b[1], 0, sa_a, 2,
		      VIPSEC_XFORM_F_ASYNC | VIPSEC_XFORM_F_NO_COMPLETION, 9);
	ck_assert_int_eq(dt_batch_run(fa, &b[1]), 0);
	ck_assert_int_eq(poll_in(fa, 300), 0);
	ck_assert_uint_eq(b[1].pkt[0].status, 0xff);
	free(b);
}
END_TEST

/* A forked child shares the fd but not the address space: -EFAULT. */
START_TEST(async_reader_other_mm)
{
	struct dt_batch *b = calloc(1, sizeof(*b));
	struct vipsec_event ev;
	int st;
	pid_t pid;

	dt_batch_init(b, 0, sa_a, 1, VIPSEC_XFORM_F_ASYNC, 0x77);
	ck_assert_int_eq(dt_batch_run(fa, b), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (read(fa, &ev, sizeof(ev)) != sizeof(ev))
			_exit(2);
		_exit(ev.type == VIPSEC_EV_XFORM_DONE && ev.user_data == 0x77 &&
		      ev.result == -EFAULT ? 0 : 3);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "child reader: status %d", st);
	ck_assert_uint_eq(b->pkt[0].status, 0xff);	/* parent's memory untouched */
	free(b);
}
END_TEST

/* Soft packet lifetime: the event reaches the owner's fd only. */
START_TEST(event_routed_to_owner)
{
	struct virtio_ipsec_sa_params w;
	struct dt_batch *b = calloc(1, sizeof(*b));
	struct vipsec_event ev;
	char app[64];
	int nl, family, cmd;
	uint32_t sa;

	if (!dt_has(VIRTIO_IPSEC_F_EVENTQ) || !dt_has(VIRTIO_IPSEC_F_LIFETIME)) {
		printf("event_routed_to_owner: EVENTQ/LIFETIME not offered (features 0x%llx): not tested\n",
		       (unsigned long long)dt_info.features);
		free(b);
		return;
	}
	dt_sa_params(&w, 0x6100, 1);
	w.soft_packets = 3;
	w.hard_packets = 1000;
	sa = dt_sa_add(fa, 0, &w);
	nl = dt_genl_open(&family);
	dt_batch_init(b, 0, sa, 5, 0, 0);
	ck_assert_int_eq(dt_batch_run(fa, b), 0);
	ck_assert_msg(poll_in(fa, 5000) & POLLIN, "no event within 5 s");
	ck_assert_int_eq(read_ev(fa, &ev), 0);
	ck_assert_uint_eq(ev.type, VIPSEC_EV_SOFT_EXPIRY);
	ck_assert_uint_eq(ev.sa_id, sa);
	ck_assert_uint_eq(ev.group_id, 0);
	ck_assert_uint_eq(ev.flags, VIRTIO_IPSEC_LIMIT_PACKETS);
	ck_assert_int_eq(poll_in(fb, 200), 0);	/* not b's */
	/* monitors get it with the owner's identity */
	cmd = dt_genl_next(nl, family, 2000, VIPSEC_GENL_A_APP_IDENTITY, app,
			   sizeof(app));
	ck_assert_int_eq(cmd, VIPSEC_GENL_CMD_EVENT);
	ck_assert_str_eq(app, "dt-async-a");
	close(nl);
	free(b);
}
END_TEST

/*
 * A sequence announcement per packet and nobody reading: the file keeps
 * at most VIPSEC_EV_MAX_QUEUED (1024) records and reports what it or the
 * device dropped as VIPSEC_EV_LOST records; the other file sees nothing.
 */
START_TEST(event_overflow_reports_lost)
{
	struct virtio_ipsec_sa_params w;
	struct dt_batch *b = calloc(1, sizeof(*b));
	struct vipsec_event ev;
	uint32_t sa, i, notify = 0, lost = 0;
	uint64_t last_seq = 0, lost_value = 0;

	if (!dt_has(VIRTIO_IPSEC_F_EVENTQ)) {
		printf("event_overflow: EVENTQ not offered: not tested\n");
		free(b);
		return;
	}
	dt_sa_params(&w, 0x6200, 1);
	w.seq_notify_interval = 1;
	sa = dt_sa_add(fa, 0, &w);
	for (i = 0; i < 20; i++) {	/* 1280 packets */
		dt_batch_init(b, 0, sa, 64, 0, 0);
		ck_assert_int_eq(dt_batch_run(fa, b), 0);
		ck_assert_uint_eq(b->pkt[63].status, VIRTIO_IPSEC_OK);
	}
	usleep(300000);		/* let the event work catch up */
	fcntl(fa, F_SETFL, O_NONBLOCK);
	while (read_ev(fa, &ev) == 0) {
		if (ev.type == VIPSEC_EV_SEQ_NOTIFY) {
			ck_assert_uint_eq(ev.sa_id, sa);
			ck_assert_uint_gt(ev.seq, last_seq);
			last_seq = ev.seq;
			notify++;
		} else {
			ck_assert_uint_eq(ev.type, VIPSEC_EV_LOST);
			lost++;
			lost_value += ev.value;
		}
	}
	printf("event_overflow: %u SEQ_NOTIFY, %u LOST records (%llu lost)\n",
	       notify, lost, (unsigned long long)lost_value);
	/* the file keeps at most 1024; the device may drop some too (it then
	 * sends its own LOST), so only bounds hold in general */
	ck_assert_uint_le(notify, 1024);
	ck_assert_uint_ge(notify, 256);
	ck_assert_uint_le(notify + lost_value, 1280);
	ck_assert_uint_ge(lost, 1);
	ck_assert_uint_gt(lost_value, 0);
	/* the other file: at most the device's LOST, which concerns no SA */
	fcntl(fb, F_SETFL, O_NONBLOCK);
	while (read_ev(fb, &ev) == 0)
		ck_assert_uint_eq(ev.type, VIPSEC_EV_LOST);
	free(b);
}
END_TEST

Suite *suite_async(void)
{
	Suite *s = suite_create("async_events");
	TCase *tc = tcase_create("async");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, async_complete_via_read_and_poll);
	tcase_add_test(tc, async_validation_and_limit);
	tcase_add_test(tc, async_reader_other_mm);
	tcase_add_test(tc, event_routed_to_owner);
	tcase_add_test(tc, event_overflow_reports_lost);
	suite_add_tcase(s, tc);
	return s;
}
