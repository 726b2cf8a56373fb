// SPDX-License-Identifier: BSD-3-Clause
/*
 * Hot-unplug soak: VIPSEC_SOAK_CYCLES (default 10) cycles of a host-side
 * device_del / device_add of the accelerator (QMP, carried out by
 * tests/vm/qmp-agent.py for the "VIPSEC-HOST-REQUEST:" lines printed here)
 * while a streamer thread pushes batches through the g-API: synchronous
 * encap batches checked by a decap round trip, and asynchronous batches
 * completed through g_ipsec_la_poll().
 *
 * Every call must complete correctly or fail cleanly (-ENODEV, and -ENOENT
 * while the new device node is not there yet); every asynchronous batch
 * must get its callback; each loss must give exactly one instance-broken
 * callback; after each replug the streamer must work on the new device.
 * Leaks are the harness's part: the module is unloaded after the test
 * programs and, on the debug kernel (make test-debug), kmemleak scans.
 *
 * Threads: the streamer thread alone uses the accelerator handle; the
 * main thread only reads its counters (progress) and sets stop.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "../lib/gapi.h"

const char *ga_accl;	/* NULL: the first virtio-ipsec accelerator */

#define SYNC_N 32	/* packets per synchronous batch */
#define ASYNC_N 8	/* packets per asynchronous batch */
#define SLOTS 4		/* asynchronous batches in flight at most */
#define PLEN 100

static long cycles = 10, mult = 1;

/* What the streamer saw; written by the streamer, read by main. */
struct soak {
	atomic_int stop;
	atomic_long opens, open_absent;		/* open ok / -ENODEV|-ENOENT */
	atomic_long gen_ok;			/* sync batches ok since open */
	atomic_long sync_ok, sync_nodev;
	atomic_long async_sub, async_ok, async_nodev;	/* completions */
	atomic_long async_refused;			/* -ENODEV at submit */
	atomic_long losses, broken;
	atomic_long bad;			/* anything else */
	char first_bad[160];
};

static struct soak st;

static void __attribute__((format(printf, 1, 2))) bad(const char *fmt, ...)
{
	char msg[sizeof(st.first_bad)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (atomic_fetch_add(&st.bad, 1) == 0)
		memcpy(st.first_bad, msg, sizeof(msg));
	printf("soak: BAD: %s\n", msg);
	fflush(stdout);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void broken_cb(struct g_ipsec_la_handle *h, void *arg)
{
	(void)h;
	(void)arg;
	atomic_fetch_add(&st.broken, 1);
}

/* One asynchronous batch slot: its buffers live until its callback. */
struct slot {
	int busy;
	uint8_t p[ASYNC_N][PLEN], e[ASYNC_N][PLEN + 64];
	struct g_ipsec_la_data di[ASYNC_N], dout[ASYNC_N];
	struct g_ipsec_la_packet pin[ASYNC_N], pout[ASYNC_N];
	struct g_ipsec_la_pkt_result r[ASYNC_N];
};

static struct slot slots[SLOTS];

static void done_cb(void *arg, int32_t len, void *outargs)
{
	const struct g_ipsec_la_packet_outargs *o = outargs;
	struct slot *s = &slots[*(int *)arg];
	uint32_t k;
	int nodev = o->result == -ENODEV, ok = o->result == 0;

	(void)len;
	for (k = 0; ok && k < o->num_packets; k++) {
		if (o->results[k].result == -ENODEV)
			nodev = 1;
		if (o->results[k].result)
			ok = 0;
	}
	if (ok && o->num_packets == ASYNC_N)
		atomic_fetch_add(&st.async_ok, 1);
	else if (nodev)
		atomic_fetch_add(&st.async_nodev, 1);
	else
		bad("async batch: result %d, %u packets", o->result,
		    o->num_packets);
	s->busy = 0;
}

static int async_submit(struct g_ipsec_la_handle *h,
			const struct g_ipsec_la_sa_handle *o, int i)
{
	struct slot *s = &slots[i];
	struct g_ipsec_la_resp_args ra = { done_cb, &i, sizeof(i) };
	int k, ret;

	for (k = 0; k < ASYNC_N; k++) {
		ga_packet(s->p[k], PLEN, (uint8_t)(i * ASYNC_N + k));
		s->di[k] = (struct g_ipsec_la_data){ s->p[k], PLEN };
		s->dout[k] = (struct g_ipsec_la_data){ s->e[k], PLEN + 64 };
		s->pin[k] = (struct g_ipsec_la_packet){ 1, &s->di[k] };
		s->pout[k] = (struct g_ipsec_la_packet){ 1, &s->dout[k] };
	}
	s->busy = 1;
	ret = g_ipsec_la_multi_packet_encap(h, G_IPSEC_LA_CTRL_FLAG_ASYNC, o,
					    ASYNC_N, s->pin, s->pout, s->r, &ra);
	if (ret == ASYNC_N) {
		atomic_fetch_add(&st.async_sub, 1);
		return 0;
	}
	s->busy = 0;
	if (ret == -ENODEV || ret == -EAGAIN)
		return ret;
	bad("async submit: %d (want %d)", ret, ASYNC_N);
	return ret;
}

/* One synchronous encap batch and its decap round trip: 0, -ENODEV or
 * another error (counted as bad). */
static int sync_round_trip(struct g_ipsec_la_handle *h,
			   const struct g_ipsec_la_sa_handle *o,
			   const struct g_ipsec_la_sa_handle *in)
{
	static uint8_t p[SYNC_N][PLEN], e[SYNC_N][PLEN + 64], d[SYNC_N][PLEN + 64];
	static struct g_ipsec_la_data di[SYNC_N], de[SYNC_N], dd[SYNC_N];
	static struct g_ipsec_la_packet pin[SYNC_N], pe[SYNC_N], pd[SYNC_N];
	static struct g_ipsec_la_pkt_result r[SYNC_N];
	int k, ret;

	for (k = 0; k < SYNC_N; k++) {
		ga_packet(p[k], PLEN, (uint8_t)k);
		di[k] = (struct g_ipsec_la_data){ p[k], PLEN };
		de[k] = (struct g_ipsec_la_data){ e[k], PLEN + 64 };
		pin[k] = (struct g_ipsec_la_packet){ 1, &di[k] };
		pe[k] = (struct g_ipsec_la_packet){ 1, &de[k] };
	}
	ret = g_ipsec_la_multi_packet_encap(h, 0, o, SYNC_N, pin, pe, r, NULL);
	if (ret == -ENODEV)
		return ret;
	if (ret != SYNC_N) {
		bad("sync encap: %d (want %d)", ret, SYNC_N);
		return -EIO;
	}
	for (k = 0; k < SYNC_N; k++) {
		if (r[k].result == -ENODEV)
			return -ENODEV;
		if (r[k].result) {
			bad("sync encap packet %d: %d", k, r[k].result);
			return -EIO;
		}
		dd[k] = (struct g_ipsec_la_data){ d[k], PLEN + 64 };
		pd[k] = (struct g_ipsec_la_packet){ 1, &dd[k] };
	}
	ret = g_ipsec_la_multi_packet_decap(h, 0, in, SYNC_N, pe, pd, r, NULL);
	if (ret == -ENODEV)
		return ret;
	if (ret != SYNC_N) {
		bad("sync decap: %d (want %d)", ret, SYNC_N);
		return -EIO;
	}
	for (k = 0; k < SYNC_N; k++) {
		if (r[k].result == -ENODEV)
			return -ENODEV;
		if (r[k].result || dd[k].length != PLEN ||
		    memcmp(d[k], p[k], PLEN)) {
			bad("round trip packet %d: result %d or data differ",
			    k, r[k].result);
			return -EIO;
		}
	}
	return 0;
}

/* After a loss: every asynchronous batch gets its callback, the broken
 * callback runs once; then the handle is closed. gen_ok goes to 0 before
 * losses counts up: main waits for the loss, then for batches on the new
 * device. */
static void lost(struct g_ipsec_la_handle *h, long broken0)
{
	double end = now() + 20.0 * mult;
	int i, busy;

	atomic_store(&st.gen_ok, 0);
	atomic_fetch_add(&st.losses, 1);
	for (;;) {
		for (busy = 0, i = 0; i < SLOTS; i++)
			busy |= slots[i].busy;
		if (!busy && atomic_load(&st.broken) > broken0)
			break;
		if (now() > end) {
			bad("after a loss: async batches still pending (%d) or "
			    "no broken callback (%ld)", busy,
			    atomic_load(&st.broken) - broken0);
			break;
		}
		if (g_ipsec_la_poll(h, 20) < 0 && busy)
			usleep(20000);
	}
	if (atomic_load(&st.broken) > broken0 + 1)
		bad("%ld instance-broken callbacks for one loss",
		    atomic_load(&st.broken) - broken0);
	if (g_ipsec_la_close(h))
		bad("close after the loss failed");
	for (i = 0; i < SLOTS; i++)
		slots[i].busy = 0;
}

static void *streamer(void *arg)
{
	struct g_ipsec_la_open_inargs oi = { .app_identity = "soak",
					     .cb_fn = broken_cb };
	struct g_ipsec_la_open_outargs oo;
	struct g_ipsec_la_handle h;
	struct g_ipsec_la_sa_handle o, in;
	uint32_t spi = 0x5000;
	long broken0 = 0;
	int open = 0, ret, i;

	(void)arg;
	while (!atomic_load(&st.stop)) {
		if (!open) {
			ret = g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &oi, &oo);
			if (ret == -ENODEV || ret == -ENOENT) {
				atomic_fetch_add(&st.open_absent, 1);
				usleep(20000);
				continue;
			}
			if (ret) {
				bad("open: %d", ret);
				usleep(100000);
				continue;
			}
			h = oo.handle;
			broken0 = atomic_load(&st.broken);
			ret = ga_pair(&h, spi++, &o, &in);
			if (ret && ret != -ENODEV)
				bad("SA pair: %d", ret);
			if (ret) {
				lost(&h, broken0);
				continue;
			}
			open = 1;
			atomic_store(&st.gen_ok, 0);
			atomic_fetch_add(&st.opens, 1);
		}
		for (i = 0, ret = 0; i < SLOTS && !ret; i++)
			if (!slots[i].busy)
				ret = async_submit(&h, &o, i);
		if (ret == -ENODEV) {
			atomic_fetch_add(&st.async_refused, 1);
		} else {
			ret = sync_round_trip(&h, &o, &in);
			if (!ret) {
				atomic_fetch_add(&st.sync_ok, 1);
				atomic_fetch_add(&st.gen_ok, 1);
			} else if (ret == -ENODEV) {
				atomic_fetch_add(&st.sync_nodev, 1);
			}
			if (g_ipsec_la_poll(&h, 0) == -ENODEV)
				ret = -ENODEV;
		}
		if (ret == -ENODEV) {
			lost(&h, broken0);
			open = 0;
		}
	}
	if (open) {
		for (i = 0; i < 1000; i++) {
			int busy = 0, k;

			for (k = 0; k < SLOTS; k++)
				busy |= slots[k].busy;
			if (!busy)
				break;
			g_ipsec_la_poll(&h, 20);
		}
		if (i == 1000)
			bad("at the end: async batches never completed");
		if (g_ipsec_la_close(&h))
			bad("close at the end failed");
	}
	return NULL;
}

static const char *dev_path(void)
{
	static char path[64];
	glob_t g;

	if (glob("/dev/virtio-ipsec[0-9]*", 0, NULL, &g))
		return NULL;
	snprintf(path, sizeof(path), "%s", g.gl_pathv[0]);
	globfree(&g);
	return path;
}

/* The PCI function of the first accelerator, e.g. /sys/devices/pci0000:00/0000:00:03.0 */
static int pci_dir(char *pci)
{
	char path[PATH_MAX];
	glob_t g;
	int ret;

	if (glob("/sys/class/virtio_ipsec/*", 0, NULL, &g))
		return -ENODEV;
	snprintf(path, sizeof(path), "%s/device/..", g.gl_pathv[0]);
	globfree(&g);
	ret = realpath(path, pci) && strstr(pci, "/pci") ? 0 : -ENODEV;
	return ret;
}

static const char *device_spec(void)
{
	const char *spec = getenv("VIPSEC_DEVICE_SPEC");

	return spec ? spec : "virtio-ipsec-pci,id=vipsec0";
}

/* Waits up to @s seconds (scaled) for @cond; returns the seconds taken or -1. */
#define WAIT_FOR(cond, s) ({						\
	double t0_ = now(), r_ = -1;					\
	while (now() - t0_ < (s) * mult) {				\
		if (cond) {						\
			r_ = now() - t0_;				\
			break;						\
		}							\
		usleep(20000);						\
	}								\
	r_;								\
})

START_TEST(hot_unplug_soak)
{
	char pci[PATH_MAX], vendor[PATH_MAX + 8], id[64];
	const char *p = strstr(device_spec(), ",id=");
	double t0 = now(), tc, worst = 0, t_del = 0, t_add = 0;
	pthread_t th;
	long c, losses0;

	ck_assert_msg(p, "device spec without id=: %s", device_spec());
	snprintf(id, sizeof(id), "%s", p + 4);
	id[strcspn(id, ",")] = 0;
	ck_assert_int_eq(pthread_create(&th, NULL, streamer, NULL), 0);

	for (c = 0; c < cycles; c++) {
		tc = now();
		ck_assert_msg(WAIT_FOR(atomic_load(&st.gen_ok) >= 2, 60) >= 0,
			      "cycle %ld: the streamer got no batch through "
			      "(opens %ld, bad %ld: %s)", c,
			      atomic_load(&st.opens), atomic_load(&st.bad),
			      st.first_bad);
		ck_assert_int_eq(pci_dir(pci), 0);
		snprintf(vendor, sizeof(vendor), "%s/vendor", pci);
		losses0 = atomic_load(&st.losses);
		printf("VIPSEC-HOST-REQUEST: device_del %s\n", id);
		fflush(stdout);
		t_del += WAIT_FOR(access(vendor, F_OK), 30);
		ck_assert_msg(access(vendor, F_OK), "cycle %ld: %s still there "
			      "after device_del", c, pci);
		ck_assert_msg(WAIT_FOR(atomic_load(&st.losses) > losses0, 30) >= 0,
			      "cycle %ld: the streamer did not see the loss", c);
		printf("VIPSEC-HOST-REQUEST: device_add %s\n", device_spec());
		fflush(stdout);
		t_add += WAIT_FOR(dev_path(), 60);
		ck_assert_msg(dev_path(), "cycle %ld: no /dev/virtio-ipsec* "
			      "after device_add", c);
		tc = now() - tc;
		if (tc > worst)
			worst = tc;
		if ((c + 1) % 10 == 0 || c + 1 == cycles)
			printf("soak: %ld/%ld cycles, %.1f s\n", c + 1, cycles,
			       now() - t0);
	}
	/* the device that came back last works too */
	ck_assert_msg(WAIT_FOR(atomic_load(&st.gen_ok) >= 2, 60) >= 0,
		      "no batch through after the last replug");
	atomic_store(&st.stop, 1);
	ck_assert_int_eq(pthread_join(th, NULL), 0);

	printf("soak: %ld cycles in %.1f s (slowest cycle %.1f s; device_del "
	       "%.2f s, device_add %.2f s on average)\n", cycles, now() - t0,
	       worst, t_del / cycles, t_add / cycles);
	printf("soak: sync round trips: %ld ok, %ld failed cleanly (-ENODEV)\n",
	       atomic_load(&st.sync_ok), atomic_load(&st.sync_nodev));
	printf("soak: async batches: %ld submitted, %ld completed ok, %ld "
	       "completed with -ENODEV, %ld refused cleanly at submit\n",
	       atomic_load(&st.async_sub), atomic_load(&st.async_ok),
	       atomic_load(&st.async_nodev), atomic_load(&st.async_refused));
	printf("soak: opens: %ld ok, %ld refused cleanly while absent; losses "
	       "%ld, instance-broken callbacks %ld; bad %ld\n",
	       atomic_load(&st.opens), atomic_load(&st.open_absent),
	       atomic_load(&st.losses), atomic_load(&st.broken),
	       atomic_load(&st.bad));
	fflush(stdout);
	ck_assert_msg(atomic_load(&st.bad) == 0, "%ld bad outcome(s), first: %s",
		      atomic_load(&st.bad), st.first_bad);
	ck_assert_msg(atomic_load(&st.async_ok) + atomic_load(&st.async_nodev) ==
		      atomic_load(&st.async_sub), "an async batch lost its callback");
	ck_assert_int_eq(atomic_load(&st.losses), cycles);
	ck_assert_int_eq(atomic_load(&st.broken), cycles);
	ck_assert_int_eq(atomic_load(&st.opens), cycles + 1);
}
END_TEST

static long env_long(const char *name, long def)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return def;
	v = strtol(s, &end, 10);
	return *end || v < 1 ? def : v;
}

int main(void)
{
	Suite *s = suite_create("hot_unplug_soak");
	TCase *tc = tcase_create("soak");
	SRunner *sr;
	int nf;

	if (!getenv("VIPSEC_QMP")) {
		printf("SKIP: hot-unplug soak: no host QMP agent (tests/vm/run.sh --qmp)\n");
		return 77;
	}
	cycles = env_long("VIPSEC_SOAK_CYCLES", 10);
	mult = env_long("VIPSEC_TIMEOUT_MULT", 1);
	/* Check scales this by CK_TIMEOUT_MULTIPLIER itself. */
	tcase_set_timeout(tc, 60 + 30 * cycles);
	tcase_add_test(tc, hot_unplug_soak);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	printf("soak: %ld hot-unplug cycles, timeouts x%ld\n", cycles, mult);
	fflush(stdout);
	srunner_run_all(sr, CK_VERBOSE);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? 1 : 0;
}
