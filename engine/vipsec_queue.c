// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_queue: data queues, and the engine's concurrency model.
 *
 * Threads. Any number of data threads, each calling the data path on its
 * own struct vpe_queue (vpe_queue_handle_data[_sg]; a queue is used by
 * one thread at a time), concurrently with control calls from any thread
 * (vpe_core_handle_ctrl, _tick, _reset, _set_features, the event calls,
 * migration), which core->ctrl_lock serialises.
 *
 * The SA table: read-mostly, RCU-like (quiescent-state based). Data
 * threads take no lock to find an SA: db->sas[id] is loaded (seq_cst:
 * a plain move on x86) and SA_ADD publishes a fully built SA with a
 * release store. Each queue
 * has a generation counter, odd while it is inside a request. A control
 * call that unlinks SAs (SA_DEL, SA_FLUSH, reset) waits for a grace
 * period (vpe_core_sync: every queue that was inside a request has left
 * it) before it zeroes and frees them (vpe_sadb_reap), so an SA is never
 * freed under a data thread and its keys are still zeroed when it goes.
 * Why this and not a rwlock: a data thread's entry costs one
 * sequentially consistent store (an xchg) on its own cache line, instead of an atomic on a lock word
 * every queue shares; and a control call never blocks the data path,
 * except for the few changes made in place below.
 *
 * In-place changes (SA_MOD, reset, migration import) run with every
 * queue held out (vpe_core_excl_begin/end): the control thread raises
 * core->excl under excl_lock and waits for a grace period; a queue that
 * enters meanwhile sees excl, leaves, and waits on excl_lock. These are
 * rare and short (no key setup happens there).
 *
 * What data threads write in a shared SA is atomic (vipsec_sa.h):
 * outbound sequence numbers are taken with one atomic operation per
 * packet, unique and gap-free up to the limit (vipsec_esp_out.c);
 * statistics and lifetime counters are relaxed atomic adds (the
 * decoder adds once per run of packets of an SA without lifetimes);
 * hard packet/byte limits are reserved before the crypto
 * (vipsec_lifetime.c); each expiry event is raised once (atomic flag
 * bits). The inbound replay window is checked and updated after the ICV
 * under the SA's replay_lock, so each sequence number is accepted once;
 * the check before the crypto is an unlocked early drop. Events from any
 * thread go through core->evq_lock (vipsec_events.c).
 *
 * Lock order: ctrl_lock, then excl_lock, then an SA's replay_lock or
 * evq_lock; data threads hold at most one of the last two at a time and
 * never wait for the control thread except at entry while excl is set.
 */
#include <assert.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vipsec_core_priv.h"

struct vpe_queue {
	struct vpe_core *core;
	struct vpe_crypto *crypto; /* this queue's own backend instance */
	uint64_t gen;		   /* odd inside a request (atomic) */
	bool busy;		   /* inside a request (owner thread only) */
	struct vpe_queue *next;	   /* core->queues, under ctrl_lock */
	uint8_t *hdr, *res;	   /* copied header, gathered results */
	uint8_t *bounce;	   /* straddling packets' bytes */
	size_t bounce_len, bounce_used;
};

/* Bounce room: two packets' input and output, at the most. */
#define BOUNCE_PKTS 2

void vpe_core_ctrl_lock(struct vpe_core *core)
{
	pthread_mutex_lock(&core->ctrl_lock);
}

void vpe_core_ctrl_unlock(struct vpe_core *core)
{
	pthread_mutex_unlock(&core->ctrl_lock);
}

/* The caller holds ctrl_lock (cheap to check: trylock must fail). */
static void assert_ctrl(struct vpe_core *core)
{
	assert(pthread_mutex_trylock(&core->ctrl_lock) != 0);
	(void)core;
}

void vpe_core_sync(void *arg)
{
	struct vpe_core *core = arg;
	struct vpe_queue *q;

	assert_ctrl(core);
	/*
	 * Pairs with queue_enter: what was unlinked (a seq_cst store of the
	 * table slot, vipsec_sadb.c) or excl (seq_cst) is either seen by a
	 * queue entering, or its odd generation is seen here (seq_cst
	 * loads) and waited for.
	 */
	for (q = core->queues; q; q = q->next) {
		uint64_t g = vpe_ld_sc(&q->gen);

		if (!(g & 1))
			continue;
		while (vpe_ld_acq(&q->gen) == g)
			sched_yield(); /* at most one request's time */
	}
}

void vpe_core_excl_begin(struct vpe_core *core)
{
	assert_ctrl(core);
	pthread_mutex_lock(&core->excl_lock);
	vpe_st_sc(&core->excl, 1);
	vpe_core_sync(core);
}

void vpe_core_excl_end(struct vpe_core *core)
{
	vpe_st_rel(&core->excl, 0);
	pthread_mutex_unlock(&core->excl_lock);
}

static void queue_enter(struct vpe_queue *q)
{
	struct vpe_core *core = q->core;

	/* One thread per queue: a second one would corrupt its scratch. */
	assert(!q->busy);
	q->busy = true;
	for (;;) {
		vpe_st_sc(&q->gen, q->gen + 1); /* odd: inside */
		if (!vpe_ld_sc(&core->excl))
			return;
		/* An in-place change is under way: step out, wait for it. */
		vpe_st_rel(&q->gen, q->gen + 1);
		pthread_mutex_lock(&core->excl_lock);
		pthread_mutex_unlock(&core->excl_lock);
	}
}

static void queue_leave(struct vpe_queue *q)
{
	/* Release: the request's reads of SAs happen before. */
	vpe_st_rel(&q->gen, q->gen + 1);
	q->busy = false;
}

ssize_t vpe_queue_run(struct vpe_queue *q, const struct vpe_data_io *io)
{
	ssize_t ret;

	queue_enter(q);
	ret = vpe_data_run(q->core, q->crypto, q, io);
	vpe_queue_bounce_reset(q);
	queue_leave(q);
	return ret;
}

static void queue_destroy(struct vpe_queue *q)
{
	if (q->bounce) {
		explicit_bzero(q->bounce, q->bounce_len); /* packet data */
		free(q->bounce);
	}
	free(q->hdr);
	free(q->res);
	vpe_crypto_free(q->crypto);
	free(q);
}

struct vpe_queue *vpe_queue_new(struct vpe_core *core, char *err, size_t errlen)
{
	const struct vpe_core_config *cfg = &core->cfg;
	struct vpe_queue *q = calloc(1, sizeof(*q));

	if (!q)
		goto nomem;
	q->core = core;
	q->hdr = malloc(sizeof(struct virtio_ipsec_data_hdr) +
			(size_t)cfg->max_batch *
				sizeof(struct virtio_ipsec_pkt_req));
	q->res = malloc((size_t)cfg->max_batch *
			sizeof(struct virtio_ipsec_pkt_result));
	q->bounce_len = (size_t)BOUNCE_PKTS * 2 * cfg->max_packet_len;
	q->bounce = malloc(q->bounce_len);
	if (!q->hdr || !q->res || !q->bounce)
		goto nomem;
	/*
	 * The same backend as the core's, a fresh instance: the per-SA key
	 * objects the core's instance builds are shared read-only (AF_ALG
	 * keys lock their socket themselves), the instance's own state is
	 * not.
	 */
	q->crypto = vpe_crypto_new(core->crypto->ops->name, err, errlen);
	if (!q->crypto) {
		queue_destroy(q);
		return NULL;
	}
	vpe_core_ctrl_lock(core);
	q->next = core->queues;
	core->queues = q;
	vpe_core_ctrl_unlock(core);
	return q;
nomem:
	if (q)
		queue_destroy(q);
	if (err && errlen)
		snprintf(err, errlen, "vipsec: out of memory for a queue");
	return NULL;
}

void vpe_queue_free(struct vpe_queue *q)
{
	struct vpe_core *core;
	struct vpe_queue **pp;

	if (!q)
		return;
	assert(!q->busy);
	core = q->core;
	vpe_core_ctrl_lock(core);
	for (pp = &core->queues; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	vpe_core_ctrl_unlock(core);
	queue_destroy(q);
}

void vpe_queues_fini(struct vpe_core *core)
{
	/* A user queue outliving its core is a bug in the user. */
	assert(!core->queues);
	while (core->queues) {
		struct vpe_queue *q = core->queues;

		core->queues = q->next;
		queue_destroy(q);
	}
}

uint8_t *vpe_queue_hdr_buf(struct vpe_queue *q)
{
	return q->hdr;
}

uint8_t *vpe_queue_res_buf(struct vpe_queue *q)
{
	return q->res;
}

uint8_t *vpe_queue_bounce(struct vpe_queue *q, size_t len)
{
	uint8_t *p;

	if (len > q->bounce_len - q->bounce_used)
		return NULL;
	p = q->bounce + q->bounce_used;
	q->bounce_used += len;
	return p;
}

bool vpe_queue_bounce_room(const struct vpe_queue *q, size_t len)
{
	return len <= q->bounce_len - q->bounce_used;
}

void vpe_queue_bounce_reset(struct vpe_queue *q)
{
	q->bounce_used = 0;
}
