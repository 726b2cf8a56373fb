// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec-loadgen: drives a virtio-ipsec vhost-user back end from the host,
 * as the guest driver would, without a VM: shared memory, real split
 * virtqueues, kicks and calls over eventfds. One thread per data queue,
 * each keeping `depth` requests of `batch` packets in flight on its own
 * outbound SA (AES-128-GCM, tunnel IPv4).
 *
 * So that a broken back end cannot post a good figure, every request's
 * footer and first/last sequence numbers are checked, every 64th request
 * is checked packet by packet (length, outer header, SPI, sequence, IV),
 * the SA's last sequence number must equal the packets sent on it, and
 * after the timed run sampled ESP packets are decapsulated through the
 * back end (an inbound SA with the same key) and must give back the
 * original inner packets byte for byte. Any failure exits 1.
 *
 * Like a Linux guest's virtio_ring it negotiates VIRTIO_F_EVENT_IDX when
 * the back end offers it (--no-event-idx: not), honours the back end's
 * kick suppression, and asks for a call only once 3/4 of its requests in
 * flight are done (virtqueue_enable_cb_delayed()), refilling the ring
 * while the back end still has work.
 *
 * Prints CSV: vhost,<queues>,<queue or "total">,<size>,<mpps>,<gbps>
 * (Gbit/s of inner packet bytes, as engine/bench counts them), then per
 * queue loadgen-cpu,<queues>,<queue>,<size>,<percent>, (the load thread's
 * CPU time over the timed run: under 100, the thread waited for the back
 * end, which it then did not hold back) and
 * loadgen-notify,<queues>,<queue>,<size>,<kicks>,<calls> (kick eventfd
 * writes and wake-ups on the call eventfd per request).
 * Figures only: nothing passes or fails on speed.
 */
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vip_req.h"

#define SAMPLE_EVERY 64	  /* requests between full checks */
#define NSAMPLES     8	  /* ESP packets kept for the round trip */
#define STALL_MS     5000 /* no completion for this long: back end stuck */

struct opts {
	const char *sock;
	unsigned int queues, batch, depth, size;
	double seconds;
	bool poll, shared_sa, event_idx;
};

struct queue {
	struct vip_dev *d;
	unsigned int q, batch, depth, size, out_cap;
	bool poll; /* spin on the used ring, calls suppressed */
	uint32_t spi, sa_out, sa_in;
	struct vip_batch *b; /* depth requests */
	struct vip_batch rt; /* round-trip decap request */
	uint8_t sample[NSAMPLES][2048];
	unsigned int nsample;
	uint64_t pkts, pkts_timed;
	struct seqcheck *sc; /* the outbound SA's sequence numbers */
	double t_timed;
	double cpu_timed; /* thread CPU seconds in the timed run */
	uint64_t kicks, calls, nreq_timed; /* in the timed run */
	char err[256];
};

/*
 * Sequence numbers of one outbound SA, shared by the queues that use it
 * (--shared-sa: all of them). Every request has `batch` packets on that
 * SA, so each must get one whole aligned block of numbers, no block twice
 * (requests may complete out of order, on any queue), and at the end
 * every block up to the highest number must have been used: the numbers
 * were unique and gap-free.
 */
struct seqcheck {
	pthread_mutex_t lock;
	uint64_t *blocks; /* bit k: numbers k*batch+1 .. (k+1)*batch used */
	size_t nblocks;	  /* words in blocks */
	uint64_t max;	  /* highest number seen */
};

static volatile int phase; /* 0 warm-up, 1 timed, 2 stop */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int qfail(struct queue *w, const char *fmt, const char *what)
{
	snprintf(w->err, sizeof(w->err), fmt, w->q, what);
	return -1;
}

/* Marks block k used; true when it already was (or no memory). */
static bool seen_block(struct seqcheck *sc, uint64_t k, uint64_t last)
{
	uint64_t bit = 1ull << (k % 64);
	bool seen = true;

	pthread_mutex_lock(&sc->lock);
	if (k / 64 >= sc->nblocks) {
		size_t n = (k / 64 + 1) * 2;
		uint64_t *nb = realloc(sc->blocks, n * sizeof(*nb));

		if (!nb)
			goto out;
		memset(nb + sc->nblocks, 0, (n - sc->nblocks) * sizeof(*nb));
		sc->blocks = nb;
		sc->nblocks = n;
	}
	seen = sc->blocks[k / 64] & bit;
	sc->blocks[k / 64] |= bit;
	if (last > sc->max)
		sc->max = last;
out:
	pthread_mutex_unlock(&sc->lock);
	return seen;
}

/* Checks one completed encap request; keeps ESP samples. */
static int check(struct queue *w, struct vip_batch *b, uint64_t nreq)
{
	const struct virtio_ipsec_resp_footer *ft = vip_batch_footer(b);
	const struct virtio_ipsec_pkt_result *r0 = vip_batch_res(b, 0);
	const struct virtio_ipsec_pkt_result *rl =
		vip_batch_res(b, b->npkts - 1);
	uint32_t first = le32toh(r0->seq_lo), i;
	const char *why;
	char buf[96];

	if (ft->status != VIRTIO_IPSEC_OK) {
		snprintf(buf, sizeof(buf), "footer status %u", ft->status);
		return qfail(w, "queue %u: %s", buf);
	}
	if (le32toh(ft->out_len) != b->npkts * (sizeof(*r0) + b->out_cap))
		return qfail(w, "queue %u: %s", "footer out_len wrong");
	/* One whole aligned block of sequence numbers, never seen before. */
	if (r0->status || rl->status || !first ||
	    le32toh(rl->seq_lo) != first + b->npkts - 1 ||
	    (first - 1) % b->npkts ||
	    seen_block(w->sc, (first - 1) / b->npkts, le32toh(rl->seq_lo))) {
		snprintf(buf, sizeof(buf),
			 "sequence numbers %u..%u reused, unaligned or not "
			 "consecutive (status %u/%u)",
			 first, le32toh(rl->seq_lo), r0->status, rl->status);
		return qfail(w, "queue %u: %s", buf);
	}
	if (nreq % SAMPLE_EVERY)
		return 0;
	for (i = 0; i < b->npkts; i++) {
		why = vip_check_esp(vip_batch_res(b, i), vip_batch_out(b, i),
				    w->size, w->spi);
		if (why)
			return qfail(w, "queue %u: encap result: %s", why);
	}
	if (w->nsample < NSAMPLES) {
		i = w->nsample % b->npkts;
		memcpy(w->sample[w->nsample++], vip_batch_out(b, i),
		       vip_esp_len(w->size));
	}
	return 0;
}

/* Waits for a completion; -1 after STALL_MS without one. */
static int wait_used(struct queue *w, struct vu_ring *r, double *idle_since)
{
	int ret = vu_ring_wait(r, w->d->f.sock, w->poll ? 0 : 100);

	if (ret == 1 && !w->poll && !w->t_timed)
		w->calls++;
	if (ret == -EIO)
		return qfail(w, "queue %u: %s",
			     "back end signalled a ring error");
	if (ret == -ECONNRESET)
		return qfail(w, "queue %u: %s",
			     "back end closed the connection");
	if (ret < 0)
		return qfail(w, "queue %u: waiting for a call: %s",
			     strerror(-ret));
	if (now() - *idle_since > STALL_MS / 1000.0)
		return qfail(w, "queue %u: %s",
			     "no completion for 5 s: back "
			     "end stuck or gone");
	return 0;
}

static void *run_queue(void *arg)
{
	struct queue *w = arg;
	struct vu_ring *r = &w->d->f.ring[w->q];
	double idle_since = now(), t0 = 0, c0 = 0;
	uint64_t nreq = 0, inflight = 0, p0 = 0, k0 = 0, w0 = 0, r0 = 0;
	unsigned int i;
	int ret;

	/* Polling: VRING_AVAIL_F_NO_INTERRUPT, the device need not call. */
	if (w->poll)
		r->avail->flags = 1;
	for (i = 0; i < w->depth; i++) {
		if (vip_batch_add(&w->d->f, r, &w->b[i]) < 0) {
			qfail(w, "queue %u: %s", "ring too small");
			return NULL;
		}
		inflight++;
	}
	vu_ring_publish(r);
	vu_ring_kick(r);
	if (!w->poll)
		vu_ring_disable_cb(r); /* awake: no calls until we sleep */
	while (inflight) {
		unsigned int done = 0;
		struct vip_batch *b;
		uint32_t len;

		while ((ret = vu_ring_get_used(r, (void **)&b, &len)) == 1) {
			done++;
			inflight--;
			if (check(w, b, nreq++))
				return NULL;
			w->pkts += b->npkts;
			if (phase < 2) {
				vip_batch_add(&w->d->f, r, b);
				inflight++;
			}
		}
		if (ret < 0) {
			qfail(w, "queue %u: %s",
			      "back end returned a used id "
			      "we never gave");
			return NULL;
		}
		if (phase == 1 && !t0) {
			t0 = now();
			c0 = thread_cpu();
			p0 = w->pkts;
			k0 = w->kicks;
			w0 = w->calls;
			r0 = nreq;
		}
		if (phase == 2 && t0 && !w->t_timed) {
			w->t_timed = now() - t0;
			w->cpu_timed = thread_cpu() - c0;
			w->pkts_timed = w->pkts - p0;
			w->kicks -= k0;
			w->calls -= w0;
			w->nreq_timed = nreq - r0;
		}
		if (done) {
			idle_since = now();
			vu_ring_publish(r);
			if (vu_ring_kick(r) && !w->t_timed)
				w->kicks++;
		} else if (w->poll) {
			if (wait_used(w, r, &idle_since))
				return NULL;
		} else {
			/* Sleep only when too few are done; awake: no calls */
			if (vu_ring_enable_cb_delayed(r) &&
			    wait_used(w, r, &idle_since))
				return NULL;
			vu_ring_disable_cb(r);
		}
	}
	if (!w->poll)
		vu_ring_enable_cb_delayed(r); /* calls again: the round trip */
	return NULL;
}

/* Decapsulates the samples through the back end; they must round-trip. */
static int round_trip(struct queue *w)
{
	struct vu_ring *r = &w->d->f.ring[w->q];
	struct vip_batch *b = &w->rt, *got;
	double idle_since = now();
	uint8_t want[2048];
	uint32_t len, i;
	int ret;

	if (!w->nsample)
		return qfail(w, "queue %u: %s", "no sample to round-trip");
	b->npkts = w->nsample;
	((struct virtio_ipsec_data_hdr *)b->rd)->num_pkts = htole32(w->nsample);
	b->rd_len = vip_batch_rd_len(w->nsample, b->in_len);
	b->wr_len = vip_batch_wr_len(w->nsample, b->out_cap);
	for (i = 0; i < w->nsample; i++)
		memcpy(vip_batch_in(b, i), w->sample[i], b->in_len);
	vip_batch_add(&w->d->f, r, b);
	vu_ring_publish(r);
	vu_ring_kick(r);
	while ((ret = vu_ring_get_used(r, (void **)&got, &len)) == 0)
		if (wait_used(w, r, &idle_since))
			return -1;
	if (ret < 0 || got != b)
		return qfail(w, "queue %u: %s", "round trip: bad used entry");
	if (vip_batch_footer(b)->status)
		return qfail(w, "queue %u: %s", "round trip: footer not OK");
	for (i = 0; i < w->nsample; i++) {
		const struct virtio_ipsec_pkt_result *res = vip_batch_res(b, i);

		/* Sample k came from packet k % batch of its request. */
		vip_inner_packet(want, w->size, w->q * 1000 + i % w->batch);
		if (res->status || le32toh(res->out_len) != w->size ||
		    memcmp(vip_batch_out(b, i), want, w->size))
			return qfail(w, "queue %u: %s",
				     "round trip: decap did "
				     "not give back the inner packet");
	}
	return 0;
}

static int add_sas(struct vip_dev *d, struct queue *w)
{
	struct virtio_ipsec_sa_params p;
	uint8_t st;
	int ret;

	vip_sa_gcm128(&p, VIRTIO_IPSEC_DIR_OUTBOUND, w->spi);
	ret = vip_ctrl(d, VIRTIO_IPSEC_OP_SA_ADD, w->sa_out, &p, sizeof(p), &st,
		       5000);
	if (!ret && !st) {
		vip_sa_gcm128(&p, VIRTIO_IPSEC_DIR_INBOUND, w->spi);
		ret = vip_ctrl(d, VIRTIO_IPSEC_OP_SA_ADD, w->sa_in, &p,
			       sizeof(p), &st, 5000);
	}
	if (ret) {
		fprintf(stderr, "vipsec-loadgen: SA_ADD: %s\n", d->f.err);
		return -1;
	}
	if (st) {
		fprintf(stderr, "vipsec-loadgen: SA_ADD answered status %u\n",
			st);
		return -1;
	}
	return 0;
}

static int setup_queue(struct vip_dev *d, struct queue *w, unsigned int q,
		       const struct opts *o)
{
	uint32_t max_len = le32toh(d->f.cfg.max_packet_len), i, k;

	w->d = d;
	w->q = q;
	w->batch = o->batch;
	w->poll = o->poll;
	w->depth = o->depth;
	w->size = o->size;
	w->out_cap = o->size + VIP_ESP_OVERHEAD_MAX;
	if (w->out_cap > max_len)
		w->out_cap = max_len;
	/* --shared-sa: every queue on SA 1/2, added once. */
	k = o->shared_sa ? 0 : q;
	w->spi = 0x1000 + k;
	w->sa_out = 2 * k + 1;
	w->sa_in = 2 * k + 2;
	if ((!o->shared_sa || !q) && add_sas(d, w))
		return -1;
	w->b = calloc(o->depth, sizeof(*w->b));
	if (!w->b)
		return -1;
	for (k = 0; k < o->depth; k++) {
		if (vip_batch_init(&d->f, &w->b[k], VIRTIO_IPSEC_OP_ENCAP,
				   w->sa_out, o->batch, o->size, w->out_cap))
			return -1;
		for (i = 0; i < o->batch; i++)
			vip_inner_packet(vip_batch_in(&w->b[k], i), o->size,
					 q * 1000 + i);
	}
	return vip_batch_init(&d->f, &w->rt, VIRTIO_IPSEC_OP_DECAP, w->sa_in,
			      NSAMPLES, vip_esp_len(o->size), max_len);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vipsec-loadgen --socket PATH [--queues N] [--size BYTES]\n"
		"       [--batch PKTS] [--depth REQS] [--seconds S] [--poll]\n"
		"       [--shared-sa] [--no-event-idx]\n"
		"Drives a virtio-ipsec vhost-user back end at full speed;\n"
		"defaults: 1 queue, 1420 bytes, batch 32 packets per request,\n"
		"depth 8 requests in flight per queue, 2 s, waiting on the\n"
		"queues' call eventfds (--poll: spin on the used rings instead),\n"
		"one outbound SA per queue (--shared-sa: one SA for all queues,\n"
		"whose sequence numbers must still be unique and gap-free),\n"
		"VIRTIO_F_EVENT_IDX taken when offered, as a Linux guest does\n"
		"(--no-event-idx: a call per request, kicks suppressed only by\n"
		"VRING_USED_F_NO_NOTIFY; --poll never takes it).\n");
	exit(2);
}

static void bad_if(bool bad, const char *why)
{
	if (bad) {
		fprintf(stderr, "vipsec-loadgen: %s\n", why);
		exit(2);
	}
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "socket", 1, NULL, 's' },
		{ "queues", 1, NULL, 'q' },
		{ "size", 1, NULL, 'l' },
		{ "batch", 1, NULL, 'b' },
		{ "depth", 1, NULL, 'd' },
		{ "seconds", 1, NULL, 't' },
		{ "poll", 0, NULL, 'p' },
		{ "shared-sa", 0, NULL, 'S' },
		{ "no-event-idx", 0, NULL, 'E' },
		{ "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ NULL, 1, 32, 8, 1420, 2.0, false, false, true };
	while ((c = getopt_long(argc, argv, "s:q:l:b:d:t:pSh", lo, NULL)) !=
	       -1) {
		switch (c) {
		case 's': o->sock = optarg; break;
		case 'q': o->queues = (unsigned int)atoi(optarg); break;
		case 'l': o->size = (unsigned int)atoi(optarg); break;
		case 'b': o->batch = (unsigned int)atoi(optarg); break;
		case 'd': o->depth = (unsigned int)atoi(optarg); break;
		case 't': o->seconds = atof(optarg); break;
		case 'p': o->poll = true; break;
		case 'S': o->shared_sa = true; break;
		case 'E': o->event_idx = false; break;
		default: usage();
		}
	}
	if (!o->sock || optind != argc)
		usage();
	bad_if(!o->queues || o->queues > VU_MAX_RINGS - 2, "--queues must be "
							   "1 .. 254");
	bad_if(!o->batch, "--batch must be at least 1");
	bad_if(!o->depth || o->depth > 64, "--depth must be 1 .. 64");
	bad_if(o->size < 20 || o->size > 1900,
	       "--size must be 20 .. 1900 "
	       "(an IPv4 packet that fits a 2048-byte sample with ESP)");
	bad_if(!(o->seconds > 0), "--seconds must be above 0");
}

int main(int argc, char **argv)
{
	struct seqcheck *sc;
	struct queue *w;
	struct vip_dev d;
	pthread_t *th;
	uint64_t mem, tot = 0;
	double secs = 0;
	unsigned int q;
	struct opts o;
	int bad = 0;

	parse(argc, argv, &o);
	mem = (uint64_t)o.queues *
		      (o.depth *
			       (vip_batch_rd_len(o.batch, o.size) +
				vip_batch_wr_len(o.batch, o.size + 64) + 128) +
		       NSAMPLES * 4096 + 65536) +
	      (1 << 20);
	if (vip_dev_open(&d, o.sock,
			 1ull << VIRTIO_IPSEC_F_MQ |
				 (o.event_idx && !o.poll ?
					  1ull << VU_F_EVENT_IDX :
					  0),
			 mem, o.queues, 256)) {
		fprintf(stderr, "vipsec-loadgen: %s\n", d.f.err);
		return 1;
	}
	if (o.batch > le32toh(d.f.cfg.max_batch) ||
	    o.size + VIP_ESP_OVERHEAD_MAX > le32toh(d.f.cfg.max_packet_len) ||
	    2 * o.queues > le32toh(d.f.cfg.max_sas)) {
		fprintf(stderr,
			"vipsec-loadgen: the device's limits (batch %u, "
			"packet %u, SAs %u) are below this run's\n",
			le32toh(d.f.cfg.max_batch),
			le32toh(d.f.cfg.max_packet_len),
			le32toh(d.f.cfg.max_sas));
		return 1;
	}
	w = calloc(o.queues, sizeof(*w));
	th = calloc(o.queues, sizeof(*th));
	sc = calloc(o.queues, sizeof(*sc));
	if (!w || !th || !sc)
		return 1;
	for (q = 0; q < o.queues; q++) {
		pthread_mutex_init(&sc[q].lock, NULL);
		w[q].sc = &sc[o.shared_sa ? 0 : q];
		if (setup_queue(&d, &w[q], q, &o)) {
			fprintf(stderr,
				"vipsec-loadgen: queue %u: set-up "
				"failed\n",
				q);
			return 1;
		}
	}
	for (q = 0; q < o.queues; q++)
		pthread_create(&th[q], NULL, run_queue, &w[q]);
	/* Warm-up, not timed. */
	nanosleep(&(struct timespec){ 0, 200 * 1000 * 1000 }, NULL);
	phase = 1;
	{
		struct timespec ts = { (time_t)o.seconds,
				       (long)((o.seconds - (time_t)o.seconds) *
					      1e9) };

		nanosleep(&ts, NULL);
	}
	phase = 2;
	for (q = 0; q < o.queues; q++)
		pthread_join(th[q], NULL);
	for (q = 0; q < o.queues; q++)
		tot += w[q].pkts;
	for (q = 0; q < o.queues; q++) {
		/* Unique blocks, none above the count: none missing either. */
		uint64_t sent = o.shared_sa ? tot : w[q].pkts;

		if (!w[q].err[0] && w[q].sc->max != sent)
			snprintf(w[q].err, sizeof(w[q].err),
				 "queue %u: highest sequence number %llu, but "
				 "%llu packets sent on the SA (a gap)",
				 q, (unsigned long long)w[q].sc->max,
				 (unsigned long long)sent);
		if (!w[q].err[0])
			round_trip(&w[q]);
		if (w[q].err[0]) {
			fprintf(stderr, "vipsec-loadgen: FAIL: %s\n", w[q].err);
			bad = 1;
		}
	}
	if (bad)
		return 1;
	tot = 0;
	for (q = 0; q < o.queues; q++) {
		double s = w[q].t_timed;

		printf("vhost,%u,%u,%u,%.3f,%.3f\n", o.queues, q, o.size,
		       w[q].pkts_timed / s / 1e6,
		       w[q].pkts_timed * (double)o.size * 8 / s / 1e9);
		tot += w[q].pkts_timed;
		secs += s;
	}
	secs /= o.queues;
	printf("vhost,%u,total,%u,%.3f,%.3f\n", o.queues, o.size,
	       tot / secs / 1e6, tot * (double)o.size * 8 / secs / 1e9);
	for (q = 0; q < o.queues; q++) {
		double nr = w[q].nreq_timed ? (double)w[q].nreq_timed : 1;

		printf("loadgen-cpu,%u,%u,%u,%.1f,\n", o.queues, q, o.size,
		       100 * w[q].cpu_timed / w[q].t_timed);
		printf("loadgen-notify,%u,%u,%u,%.3f,%.3f\n", o.queues, q,
		       o.size, w[q].kicks / nr, w[q].calls / nr);
	}
	vu_front_close(&d.f);
	return 0;
}
