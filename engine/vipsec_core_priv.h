/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_core_priv: what the decoder's files share (vipsec_core.c, the
 * SA state in vipsec_lifetime.c, vipsec_events.c, vipsec_sa_ctl.c). Not
 * for the device model, which only sees vipsec_core.h.
 */
#ifndef VPE_CORE_PRIV_H
#define VPE_CORE_PRIV_H

#include <pthread.h>

#include "vipsec_core.h"
#include "vipsec_esp.h"
#include "vipsec_sa.h"
#include "vipsec_sync.h"

/* One queued event, host order (struct virtio_ipsec_event on the wire). */
struct vpe_evrec {
	uint16_t type, limit;
	uint32_t group_id, sa_id, spi;
	uint64_t seq, bytes, packets;
};

/*
 * Bounded FIFO of events waiting for an event-queue buffer. When full the
 * oldest is dropped and counted in lost; the next pop then yields a LOST
 * record first (include/uapi/linux/virtio_ipsec.h).
 */
struct vpe_evq {
	struct vpe_evrec *ring;
	uint32_t cap, head, count;
	uint64_t lost;
};

int vpe_evq_init(struct vpe_evq *q, uint32_t cap);
void vpe_evq_fini(struct vpe_evq *q);
void vpe_evq_clear(struct vpe_evq *q);
void vpe_evq_push(struct vpe_evq *q, const struct vpe_evrec *e);
bool vpe_evq_pop(struct vpe_evq *q, struct vpe_evrec *e);
/* Drops the events of one SA (sa_id != 0) or of a whole group (0). */
void vpe_evq_purge(struct vpe_evq *q, uint32_t gid, uint32_t sa_id);

/* Locking rules: vipsec_queue.c. */
struct vpe_core {
	struct vpe_core_config cfg;
	struct vpe_crypto *crypto; /* control path: key setup */
	struct vpe_sadb db;
	struct vpe_sa_limits lim; /* lim.features: negotiated (atomic) */
	uint64_t offered;	  /* VIRTIO_IPSEC_F_* */
	uint64_t now;		  /* seconds, from vpe_core_tick() (atomic) */
	struct vpe_evq evq;	  /* under evq_lock */
	pthread_mutex_t evq_lock;
	/* One control call at a time; owns db's tables and queues. */
	pthread_mutex_t ctrl_lock;
	/* vpe_core_excl_begin(): held while excl is set. */
	pthread_mutex_t excl_lock;
	uint32_t excl;		  /* data requests wait (atomic) */
	struct vpe_queue *queues; /* every queue, under ctrl_lock */
	struct vpe_queue *q0;	  /* vpe_core_handle_data()'s queue */
};

static inline bool vpe_core_has(const struct vpe_core *core, unsigned int bit)
{
	return vpe_ld(&core->lim.features) & (1ULL << bit);
}

/*
 * vipsec_queue.c: the data queues' side of the locking.
 * vpe_core_sync: returns once every data request that was under way
 * when it was called has returned (a grace period).
 * vpe_core_excl_begin/end: no data request runs between them (new ones
 * wait); for changes made in place (SA_MOD, reset, migration import).
 * All three with ctrl_lock held.
 */
void vpe_core_sync(void *core);
void vpe_core_excl_begin(struct vpe_core *core);
void vpe_core_excl_end(struct vpe_core *core);
/* Takes / drops ctrl_lock (asserting it is not held by a data queue). */
void vpe_core_ctrl_lock(struct vpe_core *core);
void vpe_core_ctrl_unlock(struct vpe_core *core);
/* Queues an event (any thread; evq_lock inside). */
void vpe_core_event(struct vpe_core *core, const struct vpe_evrec *e);

/* vipsec_core.c: the data path of one queue. */
struct vpe_data_io;
ssize_t vpe_data_run(struct vpe_core *core, struct vpe_crypto *crypto,
		     struct vpe_queue *q, const struct vpe_data_io *io);

/* vipsec_queue.c: a queue's request, between the gate's two halves. */
ssize_t vpe_queue_run(struct vpe_queue *q, const struct vpe_data_io *io);
/* Frees queues left at vpe_core_free() (there should be none but q0). */
void vpe_queues_fini(struct vpe_core *core);
/* The queue's scratch: the copied header, the results, bounce room. */
uint8_t *vpe_queue_hdr_buf(struct vpe_queue *q);
uint8_t *vpe_queue_res_buf(struct vpe_queue *q);
/* len bytes of bounce room (0: a valid pointer), or NULL when full. */
uint8_t *vpe_queue_bounce(struct vpe_queue *q, size_t len);
bool vpe_queue_bounce_room(const struct vpe_queue *q, size_t len);
void vpe_queue_bounce_reset(struct vpe_queue *q);

/* vipsec_lifetime.c: accounting around one packet (see there). */
/*
 * admit reserves the packet against hard packet/byte limits (*rsv set
 * when it did); account gives the reservation back when the packet
 * failed (rsv as admit set it).
 */
uint8_t vpe_life_admit(struct vpe_core *core, struct vpe_sa *sa,
		       uint32_t in_len, bool *rsv);
uint16_t vpe_life_account(struct vpe_core *core, struct vpe_sa *sa,
			  uint32_t in_len, bool rsv, struct vpe_esp_res *r);
/*
 * An SA without lifetimes or sequence announcements: its good packets
 * only add to two counters, which the decoder does once per run of
 * packets (vpe_life_account_plain) instead of once per packet.
 */
bool vpe_life_plain(const struct vpe_sa *sa);
void vpe_life_account_plain(struct vpe_sa *sa, uint64_t packets,
			    uint64_t bytes);
/* Highest sequence number used (outbound) or seen (inbound). */
uint64_t vpe_sa_seq(const struct vpe_sa *sa);
/* Wire stats record (struct virtio_ipsec_sa_stats) of an SA. */
void vpe_stats_encode(const struct vpe_sa *sa, uint8_t *wire);

/*
 * One control request as the dispatcher (vipsec_core.c ctrl_cmds[]) hands
 * it to its handler: the opcode's feature is negotiated, body holds at
 * least the opcode's minimum length, and sa_id is 0 where the opcode
 * takes none. A handler writes out (at most out_cap bytes) and sets
 * *out_len only for a response body; it returns a VIRTIO_IPSEC_* status.
 */
struct vpe_ctrl_req {
	uint32_t gid, id;
	const uint8_t *body;
	size_t body_len;
	uint8_t *out;
	size_t out_cap;
	uint32_t *out_len;
};

/*
 * vipsec_core.c: copies the keys and salt of an SA_ADD body (wire layout)
 * into sa->st.keys, for migration (vipsec_migrate.c).
 */
void vpe_sa_keep_keys(struct vpe_sa *sa, const uint8_t *params);

/* vipsec_sa_ctl.c: SA_MOD and SA_GET. */
uint8_t vpe_ctl_sa_mod(struct vpe_core *core, const struct vpe_ctrl_req *r);
uint8_t vpe_ctl_sa_get(struct vpe_core *core, const struct vpe_ctrl_req *r);

#endif /* VPE_CORE_PRIV_H */
