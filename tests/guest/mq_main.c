// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_mq_test: a multi-threaded VNF spreads over the data queues.
 *
 * Run in a guest with at least two vCPUs and a device with as many data
 * queues (scripts/run-tests.sh's vm-smp boot: -smp 2, num-queues=2); any
 * other setup is a failure, not a skip, because that boot exists for it.
 * One thread per CPU, each pinned, encapsulates on one shared outbound SA:
 * - the driver's per-queue counters (sysfs queue_requests) grow by exactly
 *   each thread's request count on that thread's queue (CPU mod queues);
 * - the SA's sequence numbers over all threads are 1..N, each once: the
 *   device kept one SA consistent across its queues;
 * - every packet decapsulates on the inbound SA to its plaintext.
 * Exit 0 pass, 1 fail.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest.h"
#include "../lib/gapi.h"

const char *ga_accl;	/* the first virtio-ipsec<N> */

#define MQ_PER_THREAD	200
#define MQ_MAX_THREADS	8
#define MQ_PLEN		256
#define MQ_OUT_CAP	(MQ_PLEN + 128)

struct mq_thread {
	pthread_t tid;
	int cpu;
	int err;		/* first failure: -errno, or 1: wrong CPU */
	struct g_ipsec_la_sa_handle *sa;
	uint8_t out[MQ_PER_THREAD][MQ_OUT_CAP];
	uint32_t out_len[MQ_PER_THREAD];
};

static struct mq_thread mq_threads[MQ_MAX_THREADS];

/* "data.<i>\t<count>" lines of queue_requests into @cnt (-1: absent). */
static int mq_queue_requests(const char *name, long long *cnt, int max)
{
	char path[128], line[64];
	int i, n = 0;
	FILE *f;

	for (i = 0; i < max; i++)
		cnt[i] = -1;
	snprintf(path, sizeof(path),
		 "/sys/class/virtio_ipsec/%s/queue_requests", name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		long long c;
		int q;

		if (sscanf(line, "data.%d\t%lld", &q, &c) == 2 && q >= 0 &&
		    q < max) {
			cnt[q] = c;
			n++;
		}
	}
	fclose(f);
	return n;
}

static long mq_sysfs_long(const char *name, const char *attr)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/virtio_ipsec/%s/%s", name,
		 attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static void *mq_worker(void *arg)
{
	struct mq_thread *t = arg;
	uint8_t in[MQ_PLEN];
	cpu_set_t set;
	int i, ret;

	CPU_ZERO(&set);
	CPU_SET(t->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		t->err = -errno;
		return NULL;
	}
	for (i = 0; i < MQ_PER_THREAD; i++) {
		if (sched_getcpu() != t->cpu) {
			t->err = 1;
			return NULL;
		}
		ga_packet(in, sizeof(in), (uint8_t)(t->cpu * 16 + i));
		t->out_len[i] = MQ_OUT_CAP;
		ret = ga_xf(&ga_h, 1, t->sa, in, sizeof(in), t->out[i],
			    &t->out_len[i]);
		if (ret) {
			t->err = ret;
			return NULL;
		}
	}
	return NULL;
}

/* The ESP sequence number of an outer-IPv4 tunnel packet, or 0. */
static uint32_t mq_esp_seq(const uint8_t *p, uint32_t len)
{
	uint32_t ihl;

	if (len < 20 || (p[0] >> 4) != 4 || p[9] != 50)
		return 0;
	ihl = (p[0] & 0xf) * 4u;
	if (len < ihl + 8)
		return 0;
	return (uint32_t)p[ihl + 4] << 24 | (uint32_t)p[ihl + 5] << 16 |
	       (uint32_t)p[ihl + 6] << 8 | p[ihl + 7];
}

START_TEST(test_mq_spread)
{
	const char *dev = gt_dev_path(), *name;
	struct g_ipsec_la_sa_handle out_sa, in_sa;
	long long before[MQ_MAX_THREADS], after[MQ_MAX_THREADS];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN), nq;
	int i, j, s, nt, total, ret;
	int *by_seq;

	ck_assert_msg(dev, "no /dev/virtio-ipsec<N>");
	name = strrchr(dev, '/') + 1;
	nq = mq_sysfs_long(name, "num_data_queues");
	ck_assert_msg(ncpu >= 2 && nq >= 2,
		      "this test needs >= 2 online CPUs and >= 2 data queues "
		      "(got %ld CPUs, %ld queues): boot with -smp 2 and "
		      "virtio-ipsec-pci,num-queues=2", ncpu, nq);
	nt = (int)(ncpu < nq ? ncpu : nq);
	if (nt > MQ_MAX_THREADS)
		nt = MQ_MAX_THREADS;

	ret = ga_pair(&ga_h, 0x4d510001, &out_sa, &in_sa);
	ck_assert_msg(ret == 0, "SA pair: %d (%s)", ret, strerror(-ret));
	ck_assert_int_eq(mq_queue_requests(name, before, MQ_MAX_THREADS),
			 nq < MQ_MAX_THREADS ? nq : MQ_MAX_THREADS);

	for (i = 0; i < nt; i++) {
		mq_threads[i].cpu = i;
		mq_threads[i].sa = &out_sa;
		ck_assert_int_eq(pthread_create(&mq_threads[i].tid, NULL,
						mq_worker, &mq_threads[i]), 0);
	}
	for (i = 0; i < nt; i++)
		pthread_join(mq_threads[i].tid, NULL);
	for (i = 0; i < nt; i++)
		ck_assert_msg(mq_threads[i].err == 0,
			      "thread on CPU %d: %s (%d)", i,
			      mq_threads[i].err == 1 ? "ran on another CPU" :
			      strerror(-mq_threads[i].err), mq_threads[i].err);

	/* Thread i ran only on CPU i, which submits on queue i % nq. */
	mq_queue_requests(name, after, MQ_MAX_THREADS);
	for (i = 0; i < nq && i < MQ_MAX_THREADS; i++) {
		long long want = i < nt ? MQ_PER_THREAD : 0;

		printf("vipsec_mq_test: data.%d: %lld requests (expected %lld)\n",
		       i, after[i] - before[i], want);
		ck_assert_msg(after[i] - before[i] == want,
			      "data.%d got %lld requests, expected %lld", i,
			      after[i] - before[i], want);
	}

	/*
	 * One SA over all queues: sequence numbers 1..nt*K, each once. The
	 * inbound SA then sees them in sequence order (its replay window
	 * would rightly call an older thread's packets late otherwise).
	 */
	total = nt * MQ_PER_THREAD;
	by_seq = calloc(total + 1, sizeof(*by_seq));
	ck_assert(by_seq);
	for (i = 0; i < nt; i++)
		for (j = 0; j < MQ_PER_THREAD; j++) {
			uint32_t seq = mq_esp_seq(mq_threads[i].out[j],
						  mq_threads[i].out_len[j]);

			ck_assert_msg(seq >= 1 && seq <= (uint32_t)total,
				      "thread %d packet %d: sequence %u out of "
				      "1..%d", i, j, seq, total);
			ck_assert_msg(!by_seq[seq], "sequence %u used twice",
				      seq);
			by_seq[seq] = i * MQ_PER_THREAD + j + 1;
		}

	/* Every packet decapsulates to its plaintext. */
	for (s = 1; s <= total; s++) {
		uint8_t want[MQ_PLEN], got[MQ_OUT_CAP];
		uint32_t got_len = sizeof(got);

		i = (by_seq[s] - 1) / MQ_PER_THREAD;
		j = (by_seq[s] - 1) % MQ_PER_THREAD;
		ga_packet(want, sizeof(want), (uint8_t)(i * 16 + j));
		ret = ga_xf(&ga_h, 0, &in_sa, mq_threads[i].out[j],
			    mq_threads[i].out_len[j], got, &got_len);
		ck_assert_msg(ret == 0, "decap of sequence %d (thread %d "
			      "packet %d): %d", s, i, j, ret);
		ck_assert_uint_eq(got_len, sizeof(want));
		ck_assert_mem_eq(got, want, sizeof(want));
	}
	free(by_seq);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mq");
	TCase *tc = tcase_create("spread");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, ga_setup, ga_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_mq_spread);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_VERBOSE);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("vipsec_mq_test: %s\n", failed ? "FAIL" : "PASS");
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
