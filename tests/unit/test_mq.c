// SPDX-License-Identifier: BSD-3-Clause
/*
 * Many data queues on one SA at once (vipsec_queue.c's model), checked
 * exactly:
 *   - outbound from N threads: every sequence number used once, none
 *     skipped, counters equal to the packets sent;
 *   - the sequence space ending under N threads (32-bit and ESN): the
 *     last number is used once, nothing past it, overflow counted;
 *   - a hard packet limit under N threads: exactly the limit passes;
 *   - inbound, every packet replayed by N threads: each accepted once,
 *     replay and ICV drop counters equal to the copies expected;
 *   - SA delete / flush / SA_MOD / reset while N threads send: clean
 *     statuses, no use after free (the ASan build), new SA starts afresh;
 *   - the zero-copy form, requests cut into many iovec entries: the same
 *     bytes as the flat form.
 * N: $VIPSEC_MQ_THREADS, default 4. Worker threads only record; the
 * main thread asserts.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include "tests.h"
#include "vipsec_core_priv.h"
#include "vipsec_migrate.h"

#define BATCH	 32 /* test_core()'s max_batch */
#define RES_LEN	 sizeof(struct virtio_ipsec_pkt_result)
#define INNER	 100
#define OUT_CAP	 256
#define REQ_SIZE (16 + BATCH * 16 + BATCH * OUT_CAP)
#define RSP_SIZE (BATCH * RES_LEN + BATCH * OUT_CAP + 8)

static const uint8_t key[16] = "0123456789abcdef";
static const uint8_t salt[4] = { 9, 8, 7, 6 };

static unsigned int nthreads(void)
{
	const char *e = getenv("VIPSEC_MQ_THREADS");
	long n = e ? strtol(e, NULL, 10) : 4;

	return n >= 1 && n <= 256 ? (unsigned int)n : 4;
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

#define PRM(f) VPE_OFF(virtio_ipsec_sa_params, f)
#ifndef VPE_OFF
#define VPE_OFF(t, f) offsetof(struct t, f)
#endif

/* A data request of n packets (ins[i], lens[i]) for SA id. */
struct req {
	uint8_t buf[16 + BATCH * 16 + BATCH * 2048];
	size_t len;
	uint32_t n;
	uint8_t rsp[BATCH * RES_LEN + BATCH * OUT_CAP + 8];
	size_t rsp_len;
};

static void req_build(struct req *r, uint16_t op, uint32_t id, uint32_t n,
		      uint8_t *const *ins, const uint32_t *lens)
{
	uint8_t *p = r->buf + 16 + (size_t)n * 16;
	uint32_t i;

	memset(r->buf, 0, 16);
	r->buf[0] = (uint8_t)op;
	r->buf[1] = (uint8_t)(op >> 8);
	put32(r->buf + 4, n);
	for (i = 0; i < n; i++) {
		uint8_t *d = r->buf + 16 + i * 16;

		memset(d, 0, 16);
		put32(d + 4, id);
		put32(d + 8, lens[i]);
		put32(d + 12, OUT_CAP);
		memcpy(p, ins[i], lens[i]);
		p += lens[i];
	}
	r->len = (size_t)(p - r->buf);
	r->n = n;
	r->rsp_len = (size_t)n * (RES_LEN + OUT_CAP) + 8;
}

static uint8_t res_status(const struct req *r, uint32_t i)
{
	return r->rsp[i * RES_LEN];
}

static uint64_t res_seq(const struct req *r, uint32_t i)
{
	const uint8_t *p = r->rsp + i * RES_LEN;

	return (uint64_t)get32(p + 12) << 32 | get32(p + 8);
}

static const uint8_t *res_out(const struct req *r, uint32_t i, uint32_t *len)
{
	*len = get32(r->rsp + i * RES_LEN + 4);
	return r->rsp + (size_t)r->n * RES_LEN + (size_t)i * OUT_CAP;
}

static struct vpe_sa *sa_of(struct vpe_core *c, uint32_t id)
{
	return vpe_sa_lookup(vpe_core_sadb(c), 0, id);
}

static uint64_t stat(struct vpe_core *c, uint32_t id, enum vpe_stat s)
{
	return sa_of(c, id)->st.stats[s];
}

/* Outbound/inbound GCM SA pair parameters with the fields tests vary. */
static void params(uint8_t p[PARAMS_SIZE], uint8_t dir, uint32_t window,
		   bool esn, uint64_t initial_seq, uint64_t hard_packets)
{
	test_params(p, dir, 0x100, key, 16, salt, window);
	if (esn)
		put32(p + PRM(options),
		      get32(p + PRM(options)) | VIRTIO_IPSEC_SA_OPT_ESN);
	put64(p + PRM(initial_seq), initial_seq);
	put64(p + PRM(hard_packets), hard_packets);
}

/* ---- outbound: sequence numbers from N threads ---- */

struct out_job {
	struct vpe_core *core;
	struct vpe_queue *q;
	uint32_t id;
	unsigned int reqs; /* requests to send; 0: until stop */
	bool *stop;	   /* may be NULL (atomic) */
	uint64_t *seqs;	   /* OK packets' numbers */
	size_t nseqs, cap; /* in seqs */
	uint64_t ok, overflow, hard, invsa, other, bad_ret;
	uint64_t sent;
};

static void *out_worker(void *arg)
{
	struct out_job *j = arg;
	struct req *r = malloc(sizeof(*r));
	uint8_t inner[INNER], *ins[BATCH];
	uint32_t lens[BATCH], i;
	unsigned int k;

	make_ipv4(inner, INNER, 0, 1, 7);
	for (i = 0; i < BATCH; i++) {
		ins[i] = inner;
		lens[i] = INNER;
	}
	req_build(r, VIRTIO_IPSEC_OP_ENCAP, j->id, BATCH, ins, lens);
	for (k = 0; j->reqs ? k < j->reqs :
			      !__atomic_load_n(j->stop, __ATOMIC_RELAXED);
	     k++) {
		ssize_t used = vpe_queue_handle_data(j->q, r->buf, r->len,
						     r->rsp, r->rsp_len);

		if (used != (ssize_t)r->rsp_len || r->rsp[r->rsp_len - 8]) {
			j->bad_ret++;
			continue;
		}
		for (i = 0; i < BATCH; i++) {
			uint8_t st = res_status(r, i);

			j->sent++;
			if (st == VIRTIO_IPSEC_OK ||
			    st == VIRTIO_IPSEC_SOFT_EXPIRY) {
				j->ok++;
				if (j->nseqs < j->cap)
					j->seqs[j->nseqs++] = res_seq(r, i);
			} else if (st == VIRTIO_IPSEC_SEQ_OVERFLOW) {
				j->overflow++;
			} else if (st == VIRTIO_IPSEC_HARD_EXPIRED) {
				j->hard++;
			} else if (st == VIRTIO_IPSEC_INVSA) {
				j->invsa++;
			} else {
				j->other++;
			}
		}
	}
	free(r);
	return NULL;
}

/* Runs n out_jobs on their own queues; the caller frees seqs. */
static struct out_job *run_out(struct vpe_core *c, unsigned int n, uint32_t id,
			       unsigned int reqs, bool *stop,
			       void (*during)(void *), void *arg)
{
	struct out_job *j = calloc(n, sizeof(*j));
	pthread_t *t = calloc(n, sizeof(*t));
	char err[128];
	unsigned int i;

	for (i = 0; i < n; i++) {
		j[i].core = c;
		j[i].q = vpe_queue_new(c, err, sizeof(err));
		ck_assert_msg(j[i].q, "vpe_queue_new: %s", err);
		j[i].id = id;
		j[i].reqs = reqs;
		j[i].stop = stop;
		j[i].cap = reqs ? (size_t)reqs * BATCH : 1u << 20;
		j[i].seqs = malloc(j[i].cap * sizeof(uint64_t));
	}
	for (i = 0; i < n; i++)
		ck_assert(pthread_create(&t[i], NULL, out_worker, &j[i]) == 0);
	if (during)
		during(arg);
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		vpe_queue_free(j[i].q);
		ck_assert_msg(!j[i].bad_ret, "thread %u: %llu bad returns", i,
			      (unsigned long long)j[i].bad_ret);
	}
	free(t);
	return j;
}

/*
 * Every OK packet's number in first+1 .. first+total, each exactly once:
 * none used twice, none skipped.
 */
static void check_seqs(struct out_job *j, unsigned int n, uint64_t first,
		       uint64_t total)
{
	uint8_t *seen = calloc(total ? total : 1, 1);
	uint64_t count = 0;
	unsigned int i;
	size_t k;

	for (i = 0; i < n; i++)
		for (k = 0; k < j[i].nseqs; k++) {
			uint64_t s = j[i].seqs[k];

			ck_assert_msg(s > first && s - first <= total,
				      "sequence number %llu out of range",
				      (unsigned long long)s);
			ck_assert_msg(!seen[s - first - 1],
				      "sequence number %llu used twice",
				      (unsigned long long)s);
			seen[s - first - 1] = 1;
			count++;
		}
	ck_assert_msg(count == total, "%llu numbers used, want %llu",
		      (unsigned long long)count, (unsigned long long)total);
	free(seen);
}

static void free_jobs(struct out_job *j, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		free(j[i].seqs);
	free(j);
}

/* SA_GET EXACT of SA id (the response read as data threads write). */
static uint8_t sa_get(struct vpe_core *c, uint32_t id)
{
	uint8_t req[sizeof(struct virtio_ipsec_ctrl_hdr) +
		    sizeof(struct virtio_ipsec_sa_get)] = { 0 };
	static __thread uint8_t resp[4096];
	ssize_t n;

	req[0] = VIRTIO_IPSEC_OP_SA_GET;
	put32(req + VPE_OFF(virtio_ipsec_ctrl_hdr, sa_id), id);
	put32(req + sizeof(struct virtio_ipsec_ctrl_hdr),
	      VIRTIO_IPSEC_SA_GET_EXACT);
	put32(req + sizeof(struct virtio_ipsec_ctrl_hdr) + 4, 1);
	n = vpe_core_handle_ctrl(c, req, sizeof(req), resp, sizeof(resp));
	return n == (ssize_t)sizeof(resp) ? resp[sizeof(resp) - 8] : 0xff;
}

/* The control thread's work while data threads run: other SAs churn. */
static void churn(void *arg)
{
	struct vpe_core *c = arg;
	uint8_t p[PARAMS_SIZE];
	unsigned int k;

	params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0, false, 0, 0);
	for (k = 0; k < 50; k++) {
		ck_assert(sa_add(c, 0, 40, p) == VIRTIO_IPSEC_OK);
		ck_assert(sa_get(c, 1) == VIRTIO_IPSEC_OK);
		ck_assert(ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 0, 40, NULL, 0) ==
			  VIRTIO_IPSEC_OK);
		vpe_core_tick(c, k + 1);
	}
}

START_TEST(test_mq_outbound_seq)
{
	struct vpe_core *c = test_core();
	unsigned int n = nthreads(), reqs = 100, i;
	uint64_t total = (uint64_t)n * reqs * BATCH, ok = 0;
	uint8_t p[PARAMS_SIZE];
	struct out_job *j;
	struct vpe_sa *sa;

	params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0, false, 0, 0);
	ck_assert(sa_add(c, 0, 1, p) == VIRTIO_IPSEC_OK);
	j = run_out(c, n, 1, reqs, NULL, churn, c);
	for (i = 0; i < n; i++) {
		ok += j[i].ok;
		ck_assert_msg(!j[i].other && !j[i].overflow && !j[i].invsa,
			      "thread %u: a packet failed", i);
	}
	ck_assert_uint_eq(ok, total);
	check_seqs(j, n, 0, total);
	sa = sa_of(c, 1);
	ck_assert_uint_eq(vpe_sa_seq(sa), total);
	ck_assert_uint_eq(stat(c, 1, VPE_STAT_PACKETS), total);
	ck_assert_uint_eq(stat(c, 1, VPE_STAT_BYTES), total * INNER);
	ck_assert_uint_eq(vpe_sa_packets(sa), total);
	ck_assert_uint_eq(sa->bytes, total * INNER);
	ck_assert_uint_eq(vpe_sa_next_ip_id(sa), (uint16_t)total);
	free_jobs(j, n);
	vpe_core_free(c);
}
END_TEST

/* The last M numbers of the space: used once each, none past the end. */
static void seq_end(bool esn)
{
	struct vpe_core *c = test_core();
	const uint64_t m = 1000;
	uint64_t limit = esn ? UINT64_MAX : UINT32_MAX, ok = 0, over = 0;
	unsigned int n = nthreads(), reqs = 20, i;
	uint8_t p[PARAMS_SIZE];
	struct out_job *j;

	params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0, esn, limit - m, 0);
	ck_assert(sa_add(c, 0, 1, p) == VIRTIO_IPSEC_OK);
	j = run_out(c, n, 1, reqs, NULL, NULL, NULL);
	for (i = 0; i < n; i++) {
		ok += j[i].ok;
		over += j[i].overflow;
		ck_assert(!j[i].other && !j[i].invsa);
	}
	ck_assert_uint_eq(ok, m);
	ck_assert_uint_eq(over, (uint64_t)n * reqs * BATCH - m);
	check_seqs(j, n, limit - m, m);
	ck_assert_uint_eq(vpe_sa_seq(sa_of(c, 1)), limit);
	ck_assert_uint_eq(stat(c, 1, VPE_STAT_PACKETS), m);
	ck_assert_uint_eq(stat(c, 1, VPE_STAT_SEQ_OVERFLOW), over);
	/* One SEQ_OVERFLOW event, however many threads saw the end. */
	{
		struct virtio_ipsec_event ev;
		unsigned int events = 0;

		while (vpe_core_next_event(c, &ev))
			events += le16toh(ev.type) ==
				  VIRTIO_IPSEC_EVT_SEQ_OVERFLOW;
		ck_assert_uint_eq(events, 1);
	}
	free_jobs(j, n);
	vpe_core_free(c);
}

START_TEST(test_mq_seq_end_32)
{
	seq_end(false);
}
END_TEST

START_TEST(test_mq_seq_end_esn)
{
	seq_end(true);
}
END_TEST

/*
 * A burst reserves its numbers at once, so the counter of an SA whose
 * space ran out in a burst stands past the limit: what SA_GET, SA_MOD
 * and migration see is the last number used, and the stream imports.
 */
START_TEST(test_mq_seq_end_migrates)
{
	struct vpe_core *a = test_core(), *b = test_core();
	unsigned int n = 1, i;
	uint8_t p[PARAMS_SIZE], *buf;
	struct out_job *j;
	char err[256] = "";
	size_t len;

	params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0, false, UINT32_MAX - 5, 0);
	ck_assert(sa_add(a, 0, 1, p) == VIRTIO_IPSEC_OK);
	j = run_out(a, n, 1, 1, NULL, NULL, NULL);
	ck_assert_uint_eq(j[0].ok, 5);
	ck_assert_uint_eq(j[0].overflow, BATCH - 5);
	ck_assert(sa_of(a, 1)->seq > UINT32_MAX); /* the case under test */
	ck_assert_uint_eq(vpe_sa_seq(sa_of(a, 1)), UINT32_MAX);
	ck_assert(sa_get(a, 1) == VIRTIO_IPSEC_OK);
	buf = vpe_mig_export_alloc(a, &len);
	ck_assert(buf);
	ck_assert_msg(vpe_mig_import(b, buf, len, err, sizeof(err)) == 0,
		      "import: %s", err);
	ck_assert_uint_eq(vpe_sa_seq(sa_of(b, 1)), UINT32_MAX);
	ck_assert(sa_of(b, 1)->stopped);
	for (i = 0; i < VPE_STAT_N; i++)
		ck_assert_uint_eq(stat(a, 1, i), stat(b, 1, i));
	vpe_mig_free(buf, len);
	free_jobs(j, n);
	vpe_core_free(a);
	vpe_core_free(b);
}
END_TEST

START_TEST(test_mq_hard_packets)
{
	struct vpe_core *c = test_core();
	const uint64_t limit = 777;
	unsigned int n = nthreads(), reqs = 10, i;
	uint64_t ok = 0, hard = 0, events = 0;
	struct virtio_ipsec_event ev;
	uint8_t p[PARAMS_SIZE];
	struct out_job *j;

	params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0, false, 0, limit);
	ck_assert(sa_add(c, 0, 1, p) == VIRTIO_IPSEC_OK);
	j = run_out(c, n, 1, reqs, NULL, NULL, NULL);
	for (i = 0; i < n; i++) {
		ok += j[i].ok;
		hard += j[i].hard;
		ck_assert(!j[i].other && !j[i].overflow);
	}
	ck_assert_uint_eq(ok, limit);
	ck_assert_uint_eq(hard, (uint64_t)n * reqs * BATCH - limit);
	check_seqs(j, n, 0, limit);
	ck_assert_uint_eq(stat(c, 1, VPE_STAT_PACKETS), limit);
	ck_assert_uint_eq(stat(c, 1, VPE_STAT_HARD_EXPIRED), hard);
	while (vpe_core_next_event(c, &ev))
		events += le16toh(ev.type) == VIRTIO_IPSEC_EVT_HARD_EXPIRY;
	ck_assert_uint_eq(events, 1);
	free_jobs(j, n);
	vpe_core_free(c);
}
END_TEST

/* ---- inbound: every packet replayed by N threads ---- */

#define IN_PKTS 4000 /* below the 4096 window: none is ever late */
#define IN_BAD	64   /* fresh numbers with a broken ICV */
#define ESP_MAX (INNER + 64)

struct in_job {
	struct vpe_core *core;
	struct vpe_queue *q;
	uint8_t (*esp)[ESP_MAX];
	const uint32_t *esp_len;
	unsigned int npkts, start;
	uint8_t *accepted; /* [npkts], this thread's acceptances */
	uint64_t ok, replay, badmsg, other, bad_ret, wrong_data;
};

static void *in_worker(void *arg)
{
	struct in_job *j = arg;
	struct req *r = malloc(sizeof(*r));
	uint8_t want[INNER], *ins[BATCH];
	uint32_t lens[BATCH], idx[BATCH], i, k = 0, len;

	make_ipv4(want, INNER, 0, 1, 7);
	while (k < j->npkts) {
		uint32_t m = 0;

		/* Each thread its own order: a rotation of the list. */
		for (; m < BATCH && k < j->npkts; m++, k++) {
			idx[m] = (j->start + k) % j->npkts;
			ins[m] = j->esp[idx[m]];
			lens[m] = j->esp_len[idx[m]];
		}
		req_build(r, VIRTIO_IPSEC_OP_DECAP, 2, m, ins, lens);
		if (vpe_queue_handle_data(j->q, r->buf, r->len, r->rsp,
					  r->rsp_len) != (ssize_t)r->rsp_len ||
		    r->rsp[r->rsp_len - 8]) {
			j->bad_ret++;
			continue;
		}
		for (i = 0; i < m; i++) {
			const uint8_t *o = res_out(r, i, &len);

			switch (res_status(r, i)) {
			case VIRTIO_IPSEC_OK:
				j->ok++;
				j->accepted[idx[i]]++;
				if (len != INNER || memcmp(o, want, INNER))
					j->wrong_data++;
				break;
			case VIRTIO_IPSEC_REPLAY: j->replay++; break;
			case VIRTIO_IPSEC_BADMSG: j->badmsg++; break;
			default: j->other++;
			}
		}
	}
	free(r);
	return NULL;
}

START_TEST(test_mq_inbound_replay)
{
	struct vpe_core *c = test_core();
	unsigned int n = nthreads(), i, k, total = IN_PKTS + IN_BAD;
	uint8_t(*esp)[ESP_MAX] = malloc(total * sizeof(*esp));
	uint32_t *esp_len = malloc(total * sizeof(*esp_len));
	uint64_t ok = 0, replay = 0, badmsg = 0;
	struct in_job *j = calloc(n, sizeof(*j));
	pthread_t *t = calloc(n, sizeof(*t));
	uint8_t inner[INNER], p[PARAMS_SIZE];
	struct pkt_out *o = malloc(sizeof(*o));
	char err[128];

	params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0, false, 0, 0);
	ck_assert(sa_add(c, 0, 1, p) == VIRTIO_IPSEC_OK);
	params(p, VIRTIO_IPSEC_DIR_INBOUND, 4096, false, 0, 0);
	ck_assert(sa_add(c, 0, 2, p) == VIRTIO_IPSEC_OK);
	make_ipv4(inner, INNER, 0, 1, 7);
	for (k = 0; k < total; k++) {
		data1(c, VIRTIO_IPSEC_OP_ENCAP, 0, 1, inner, INNER, ESP_MAX, o);
		ck_assert(o->status == VIRTIO_IPSEC_OK && o->seq == k + 1);
		memcpy(esp[k], o->data, o->out_len);
		esp_len[k] = o->out_len;
		if (k >= IN_PKTS)
			esp[k][o->out_len - 1] ^= 0x5a; /* ICV */
	}
	for (i = 0; i < n; i++) {
		j[i] = (struct in_job){ .core = c,
					.esp = esp,
					.esp_len = esp_len,
					.npkts = total,
					.start = (i & 1) ? i * (total / n) :
							   0 };
		j[i].q = vpe_queue_new(c, err, sizeof(err));
		ck_assert_msg(j[i].q, "vpe_queue_new: %s", err);
		j[i].accepted = calloc(total, 1);
	}
	for (i = 0; i < n; i++)
		ck_assert(pthread_create(&t[i], NULL, in_worker, &j[i]) == 0);
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		vpe_queue_free(j[i].q);
		ck_assert(!j[i].bad_ret && !j[i].other && !j[i].wrong_data);
		ok += j[i].ok;
		replay += j[i].replay;
		badmsg += j[i].badmsg;
	}
	/* Each good packet accepted by exactly one thread. */
	for (k = 0; k < total; k++) {
		unsigned int times = 0;

		for (i = 0; i < n; i++)
			times += j[i].accepted[k];
		ck_assert_msg(times == (k < IN_PKTS),
			      "packet %u accepted %u times", k, times);
	}
	ck_assert_uint_eq(ok, IN_PKTS);
	ck_assert_uint_eq(replay, (uint64_t)(n - 1) * IN_PKTS);
	ck_assert_uint_eq(badmsg, (uint64_t)n * IN_BAD);
	ck_assert_uint_eq(stat(c, 2, VPE_STAT_PACKETS), IN_PKTS);
	ck_assert_uint_eq(stat(c, 2, VPE_STAT_BYTES),
			  (uint64_t)IN_PKTS * esp_len[0]);
	ck_assert_uint_eq(stat(c, 2, VPE_STAT_REPLAY), replay);
	ck_assert_uint_eq(stat(c, 2, VPE_STAT_INVALID_ICV), badmsg);
	ck_assert_uint_eq(stat(c, 2, VPE_STAT_LATE), 0);
	ck_assert_uint_eq(vpe_sa_seq(sa_of(c, 2)), IN_PKTS);
	/* The ESP counters, added under the replay lock: exact too. */
	ck_assert_uint_eq(vpe_sa_packets(sa_of(c, 2)), IN_PKTS);
	ck_assert_uint_eq(sa_of(c, 2)->bytes, (uint64_t)IN_PKTS * INNER);
	for (i = 0; i < n; i++)
		free(j[i].accepted);
	free(j);
	free(t);
	free(o);
	free(esp);
	free(esp_len);
	vpe_core_free(c);
}
END_TEST

/* ---- SA delete, flush, SA_MOD and reset while threads send ---- */

struct ctl_arg {
	struct vpe_core *core;
	bool *stop;
	unsigned int rounds;
	uint64_t bad;
};

static void sleep_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

static void ctl_delete(void *arg)
{
	struct ctl_arg *a = arg;
	struct vpe_core *c = a->core;
	uint8_t p[PARAMS_SIZE], mod[sizeof(struct virtio_ipsec_sa_mod)];
	unsigned int k;

	params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0, false, 0, 0);
	for (k = 0; k < a->rounds; k++) {
		sleep_us(2000);
		switch (k % 4) {
		case 0:
			a->bad += ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 0, 1, NULL,
				       0) != VIRTIO_IPSEC_OK;
			break;
		case 1:
			a->bad += ctrl(c, VIRTIO_IPSEC_OP_SA_FLUSH, 0, 0, NULL,
				       0) != VIRTIO_IPSEC_OK;
			break;
		case 2:
			/*
			 * SA_MOD: forward the sequence number in place. Far
			 * enough ahead that the senders cannot pass it before
			 * the call (forward only, else INVAL); 1000 ahead was
			 * passed now and then (1 run in 4 here).
			 */
			memset(mod, 0, sizeof(mod));
			put32(mod + VPE_OFF(virtio_ipsec_sa_mod, flags),
			      VIRTIO_IPSEC_SA_MOD_SEQ);
			put64(mod + VPE_OFF(virtio_ipsec_sa_mod, seq),
			      vpe_sa_seq(sa_of(c, 1)) + 1000000);
			a->bad += ctrl(c, VIRTIO_IPSEC_OP_SA_MOD, 0, 1, mod,
				       sizeof(mod)) != VIRTIO_IPSEC_OK;
			a->bad += ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 0, 1, NULL,
				       0) != VIRTIO_IPSEC_OK;
			break;
		default: vpe_core_reset(c); break;
		}
		sleep_us(500);
		a->bad += sa_add(c, 0, 1, p) != VIRTIO_IPSEC_OK;
	}
	__atomic_store_n(a->stop, true, __ATOMIC_RELAXED);
}

START_TEST(test_mq_delete_while_sending)
{
	struct vpe_core *c = test_core();
	unsigned int n = nthreads(), i;
	bool stop = false;
	struct ctl_arg a = { c, &stop, 12, 0 };
	uint64_t ok = 0, invsa = 0;
	uint8_t p[PARAMS_SIZE];
	struct out_job *j;

	params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0, false, 0, 0);
	ck_assert(sa_add(c, 0, 1, p) == VIRTIO_IPSEC_OK);
	j = run_out(c, n, 1, 0, &stop, ctl_delete, &a);
	ck_assert_msg(!a.bad, "%llu control calls failed",
		      (unsigned long long)a.bad);
	for (i = 0; i < n; i++) {
		ck_assert_msg(!j[i].other && !j[i].overflow,
			      "thread %u: status other than OK/INVSA", i);
		ok += j[i].ok;
		invsa += j[i].invsa;
	}
	printf("mq delete: %llu packets sent, %llu met no SA\n",
	       (unsigned long long)ok, (unsigned long long)invsa);
	/* Every packet either went out or met no SA, nothing else. */
	ck_assert(ok > 0);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(j[i].ok + j[i].invsa, j[i].sent);
	(void)invsa;
	/* The last SA 1 is fresh: it counts only what it numbered. */
	ck_assert_uint_eq(stat(c, 1, VPE_STAT_PACKETS),
			  vpe_sa_seq(sa_of(c, 1)));
	free_jobs(j, n);
	vpe_core_free(c);
}
END_TEST

/* ---- zero-copy: requests cut into many iovec entries ---- */

/* Cuts buf into entries of 1..cut bytes (a fixed pseudo-random walk). */
static unsigned int split(uint8_t *buf, size_t len, struct iovec *v,
			  unsigned int max, unsigned int cut, uint32_t *rnd)
{
	unsigned int n = 0;
	size_t off = 0;

	while (off < len && n < max - 1) {
		size_t k;

		*rnd = *rnd * 1103515245u + 12345u;
		k = 1 + (*rnd >> 16) % cut;
		if (k > len - off)
			k = len - off;
		v[n].iov_base = buf + off;
		v[n++].iov_len = k;
		off += k;
	}
	if (off < len) {
		v[n].iov_base = buf + off;
		v[n++].iov_len = len - off;
	}
	return n;
}

START_TEST(test_mq_sg_matches_flat)
{
	struct vpe_core *a = test_core(), *b = test_core();
	static const unsigned int cuts[] = { 1, 7, 64, 100, 300, 100000 };
	struct req *ra = malloc(sizeof(*ra)), *rb = malloc(sizeof(*rb));
	struct iovec *vo = malloc(8192 * sizeof(*vo)),
		     *vi = malloc(16384 * sizeof(*vi));
	uint8_t inner[BATCH][INNER + BATCH], *ins[BATCH], p[PARAMS_SIZE];
	struct vpe_queue *q;
	uint32_t lens[BATCH], rnd = 1, i;
	unsigned int ci, op, no, ni;
	char err[128];

	q = vpe_queue_new(b, err, sizeof(err));
	ck_assert_msg(q, "%s", err);
	for (op = 0; op < 2; op++) {
		params(p,
		       op ? VIRTIO_IPSEC_DIR_INBOUND :
			    VIRTIO_IPSEC_DIR_OUTBOUND,
		       op ? 4096 : 0, false, 0, 0);
		ck_assert(sa_add(a, 0, 1 + op, p) == VIRTIO_IPSEC_OK);
		ck_assert(sa_add(b, 0, 1 + op, p) == VIRTIO_IPSEC_OK);
	}
	for (i = 0; i < BATCH; i++) {
		lens[i] = INNER - 40 + i * 2;
		make_ipv4(inner[i], lens[i], 0, 1, i);
		ins[i] = inner[i];
	}
	for (ci = 0; ci < sizeof(cuts) / sizeof(cuts[0]); ci++) {
		uint8_t esp[BATCH][OUT_CAP], *eins[BATCH];
		uint32_t elens[BATCH], olen;

		/* Encap: flat on a, cut on b; the same bytes out. */
		req_build(ra, VIRTIO_IPSEC_OP_ENCAP, 1, BATCH, ins, lens);
		*rb = *ra;
		memset(ra->rsp, 0xee, sizeof(ra->rsp));
		memset(rb->rsp, 0x11, sizeof(rb->rsp));
		ck_assert(vpe_core_handle_data(a, ra->buf, ra->len, ra->rsp,
					       ra->rsp_len) ==
			  (ssize_t)ra->rsp_len);
		no = split(rb->buf, rb->len, vo, 8192, cuts[ci], &rnd);
		ni = split(rb->rsp, rb->rsp_len, vi, 16384, cuts[ci], &rnd);
		ck_assert(vpe_queue_handle_data_sg(q, vo, no, vi, ni) ==
			  (ssize_t)rb->rsp_len);
		ck_assert_msg(!memcmp(ra->rsp, rb->rsp, ra->rsp_len),
			      "encap cut %u: differs from flat", cuts[ci]);
		for (i = 0; i < BATCH; i++) {
			ck_assert(res_status(ra, i) == VIRTIO_IPSEC_OK);
			memcpy(esp[i], res_out(ra, i, &olen), OUT_CAP);
			elens[i] = olen;
			eins[i] = esp[i];
		}
		/* Decap them back the same two ways. */
		req_build(ra, VIRTIO_IPSEC_OP_DECAP, 2, BATCH, eins, elens);
		*rb = *ra;
		memset(rb->rsp, 0x22, sizeof(rb->rsp));
		ck_assert(vpe_core_handle_data(a, ra->buf, ra->len, ra->rsp,
					       ra->rsp_len) ==
			  (ssize_t)ra->rsp_len);
		no = split(rb->buf, rb->len, vo, 8192, cuts[ci], &rnd);
		ni = split(rb->rsp, rb->rsp_len, vi, 16384, cuts[ci], &rnd);
		ck_assert(vpe_queue_handle_data_sg(q, vo, no, vi, ni) ==
			  (ssize_t)rb->rsp_len);
		ck_assert_msg(!memcmp(ra->rsp, rb->rsp, ra->rsp_len),
			      "decap cut %u: differs from flat", cuts[ci]);
		for (i = 0; i < BATCH; i++) {
			const uint8_t *o = res_out(ra, i, &olen);

			ck_assert(res_status(ra, i) == VIRTIO_IPSEC_OK);
			ck_assert(olen == lens[i] &&
				  !memcmp(o, inner[i], lens[i]));
		}
	}
	/* Malformed the same way: short request, tiny writable part. */
	req_build(rb, VIRTIO_IPSEC_OP_ENCAP, 1, BATCH, ins, lens);
	no = split(rb->buf, 20, vo, 8192, 3, &rnd);
	ni = split(rb->rsp, rb->rsp_len, vi, 16384, 5, &rnd);
	ck_assert(vpe_queue_handle_data_sg(q, vo, no, vi, ni) ==
		  (ssize_t)rb->rsp_len);
	ck_assert_uint_eq(rb->rsp[rb->rsp_len - 8], VIRTIO_IPSEC_INVAL);
	for (i = 0; i < rb->rsp_len - 8; i++)
		ck_assert_msg(!rb->rsp[i], "byte %u of a refused reply", i);
	ni = split(rb->rsp, 7, vi, 16384, 3, &rnd);
	ck_assert(vpe_queue_handle_data_sg(q, vo, no, vi, ni) == -1);
	ck_assert(vpe_queue_handle_data_sg(q, vo, no, NULL, 0) == -1);
	vpe_queue_free(q);
	free(ra);
	free(rb);
	free(vo);
	free(vi);
	vpe_core_free(a);
	vpe_core_free(b);
}
END_TEST

Suite *mq_suite(void)
{
	Suite *s = suite_create("mq");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_mq_outbound_seq);
	tcase_add_test(tc, test_mq_seq_end_32);
	tcase_add_test(tc, test_mq_seq_end_esn);
	tcase_add_test(tc, test_mq_seq_end_migrates);
	tcase_add_test(tc, test_mq_hard_packets);
	tcase_add_test(tc, test_mq_inbound_replay);
	tcase_add_test(tc, test_mq_delete_while_sending);
	tcase_add_test(tc, test_mq_sg_matches_flat);
	suite_add_tcase(s, tc);
	return s;
}
