// SPDX-License-Identifier: BSD-3-Clause
/*
 * Device loss through the g-API: the accelerator is removed (PCI remove,
 * as a hot-unplug does) while ASYNC batches are in flight. Every batch
 * completes (done or -ENODEV), the instance-broken callback runs once
 * from g_ipsec_la_poll(), later calls fail with -ENODEV, close works; then
 * a PCI rescan brings the device back for the programs that follow. Runs
 * last in this program.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest.h"
#include "../lib/gapi.h"

static int broken_calls;
static char broken_tag[16];
static int done_calls, done_ok, done_nodev, done_other;

static void broken_cb(struct g_ipsec_la_handle *h, void *arg)
{
	(void)h;
	broken_calls++;
	memcpy(broken_tag, arg, sizeof(broken_tag));
}

static void done_cb(void *arg, int32_t len, void *outargs)
{
	const struct g_ipsec_la_packet_outargs *o = outargs;

	(void)arg;
	(void)len;
	done_calls++;
	if (o->result == 0 && o->results[0].result == 0)
		done_ok++;
	else if (o->result == -ENODEV || o->results[0].result == -ENODEV)
		done_nodev++;
	else
		done_other++;
}

static int write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fputs(s, f) < 0 ? -EIO : 0;
	if (fclose(f))
		ret = -errno;
	return ret;
}

#define NASYNC 32

/* Synchronous batches in a loop until the accelerator goes away. */
struct sync_loop {
	struct g_ipsec_la_handle *h;
	const struct g_ipsec_la_sa_handle *sa;
	volatile int batches;
	int last;
};

static void *sync_thread(void *arg)
{
	static uint8_t p[64][100], e[64][200];
	static struct g_ipsec_la_data di[64], dout[64];
	static struct g_ipsec_la_packet pin[64], pout[64];
	static struct g_ipsec_la_pkt_result r[64];
	struct sync_loop *l = arg;
	int k, ret;

	for (k = 0; k < 64; k++) {
		ga_packet(p[k], 100, (uint8_t)k);
		di[k] = (struct g_ipsec_la_data){ p[k], 100 };
		pin[k] = (struct g_ipsec_la_packet){ 1, &di[k] };
		pout[k] = (struct g_ipsec_la_packet){ 1, &dout[k] };
	}
	for (;;) {
		for (k = 0; k < 64; k++)
			dout[k] = (struct g_ipsec_la_data){ e[k], 200 };
		ret = g_ipsec_la_multi_packet_encap(l->h, 0, l->sa, 64, pin, pout,
						    r, NULL);
		if (ret < 0) {
			l->last = ret;
			return NULL;
		}
		l->batches++;
	}
}

START_TEST(device_loss_during_async_batches)
{
	static uint8_t p[NASYNC][8][100], e[NASYNC][8][200];
	static struct g_ipsec_la_data di[NASYNC][8], dout[NASYNC][8];
	static struct g_ipsec_la_packet pin[NASYNC][8], pout[NASYNC][8];
	static struct g_ipsec_la_pkt_result r[NASYNC][8];
	char tag[16] = "broken-tag", path[PATH_MAX], pci[PATH_MAX], rm[PATH_MAX + 8];
	struct g_ipsec_la_open_inargs oi = { .app_identity = "unplug",
					     .cb_fn = broken_cb, .cb_arg = tag,
					     .cb_arg_len = sizeof(tag) };
	struct g_ipsec_la_resp_args ra = { done_cb, NULL, 0 };
	struct g_ipsec_la_open_outargs oo;
	struct g_ipsec_la_handle h;
	struct g_ipsec_la_sa_handle o, i;
	struct g_ipsec_la_accl_info av[4];
	struct sync_loop sl = { .h = &h, .sa = &o };
	pthread_t th;
	uint32_t n, b, k;
	int ret, submitted = 0, t;

	gt_kmsg_mark();
	ck_assert_int_eq(g_ipsec_la_available_list_get(av, 4, &n), 0);
	ck_assert(n >= 2 && !av[0].software);
	snprintf(path, sizeof(path), "/sys/class/virtio_ipsec/%s/device/..",
		 av[0].name);
	if (!realpath(path, pci) || !strstr(pci, "/pci"))
		GA_SKIP("accelerator is not a PCI device here");
	oi.accl_name = av[0].name;
	ck_assert_int_eq(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &oi, &oo), 0);
	h = oo.handle;
	memset(tag, 'Z', sizeof(tag));	/* open copied cb_arg */
	ck_assert_int_eq(ga_pair(&h, 0x7301, &o, &i), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, sync_thread, &sl), 0);
	for (t = 0; t < 500 && sl.batches < 3; t++)
		usleep(10000);
	ck_assert_msg(sl.batches >= 3, "synchronous batches not running");
	for (b = 0; b < NASYNC; b++) {
		for (k = 0; k < 8; k++) {
			ga_packet(p[b][k], 100, (uint8_t)k);
			di[b][k] = (struct g_ipsec_la_data){ p[b][k], 100 };
			dout[b][k] = (struct g_ipsec_la_data){ e[b][k], 200 };
			pin[b][k] = (struct g_ipsec_la_packet){ 1, &di[b][k] };
			pout[b][k] = (struct g_ipsec_la_packet){ 1, &dout[b][k] };
		}
		ret = g_ipsec_la_multi_packet_encap(&h, G_IPSEC_LA_CTRL_FLAG_ASYNC,
						    &o, 8, pin[b], pout[b], r[b], &ra);
		ck_assert_msg(ret == 8, "async batch %u: %d", b, ret);
		submitted++;
	}
	snprintf(rm, sizeof(rm), "%s/remove", pci);
	ck_assert_int_eq(write_file(rm, "1"), 0);	/* returns after remove() */
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	printf("device loss: %d synchronous batches, then %d\n", sl.batches,
	       sl.last);
	ck_assert_msg(sl.last == -ENODEV, "the running synchronous batch loop "
		      "ends with -ENODEV (got %d)", sl.last);

	for (t = 0; t < 200 && (done_calls < submitted || !broken_calls); t++)
		if (g_ipsec_la_poll(&h, 20) < 0)
			break;
	printf("device loss: %d async batches, %d done, %d -ENODEV, %d other\n",
	       submitted, done_ok, done_nodev, done_other);
	ck_assert_msg(done_calls == submitted && !done_other,
		      "every in-flight batch completes, done or -ENODEV");
	ck_assert_msg(broken_calls == 1 && !strcmp(broken_tag, "broken-tag"),
		      "instance-broken callback once, with its copied cb_arg");
	ck_assert_int_eq(g_ipsec_la_poll(&h, 0), -ENODEV);
	ck_assert_int_eq(broken_calls, 1);
	ret = g_ipsec_la_multi_packet_encap(&h, 0, &o, 1, pin[0], pout[0], r[0], NULL);
	ck_assert_msg(ret == -ENODEV, "calls after the loss: %d", ret);
	ck_assert_int_eq(ga_pair(&h, 0x7302, &o, &i), -ENODEV);
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);

	/* bring it back for the test programs that follow */
	ck_assert_int_eq(write_file("/sys/bus/pci/rescan", "1"), 0);
	for (t = 0; t < 400 && !gt_dev_path(); t++)
		usleep(50000);
	ck_assert_msg(gt_dev_path(), "device not back after rescan");
	for (t = 0; t < 100; t++) {
		ret = ga_open(G_IPSEC_LA_INSTANCE_EXCLUSIVE, "after", &h);
		if (!ret)
			break;
		usleep(50000);	/* /dev node may lag the class device */
	}
	ck_assert_msg(ret == 0, "open after rescan: %d", ret);
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);
	gt_kmsg_check();
}
END_TEST

Suite *suite_unplug(void)
{
	Suite *s = suite_create("device_loss");
	TCase *t = tcase_create("unplug");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, device_loss_during_async_batches);
	suite_add_tcase(s, t);
	return s;
}
