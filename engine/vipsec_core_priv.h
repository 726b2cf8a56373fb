/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_core_priv: what the decoder's files share (vipsec_core.c, the
 * SA state in vipsec_lifetime.c, vipsec_events.c, vipsec_sa_ctl.c). Not
 * for the device model, which only sees vipsec_core.h.
 */
#ifndef VPE_CORE_PRIV_H
#define VPE_CORE_PRIV_H

#include "vipsec_core.h"
#include "vipsec_esp.h"
#include "vipsec_sa.h"

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

/* EVENT_LIMIT as set by the driver (host order); events 0 = none */
struct vpe_errlim {
	uint32_t events; /* 1 << VIRTIO_IPSEC_EVT_* */
	uint8_t scope, type;
	uint32_t value;
};

struct vpe_core {
	struct vpe_core_config cfg;
	struct vpe_crypto *crypto;
	struct vpe_sadb db;
	struct vpe_sa_limits lim; /* lim.features: negotiated */
	uint64_t offered;	  /* VIRTIO_IPSEC_F_* */
	uint64_t now;		  /* seconds, from vpe_core_tick() */
	struct vpe_evq evq;
	struct vpe_errlim errlim;
	struct vpe_erl erl[VPE_ERR_KINDS]; /* device-scope error limits */
};

static inline bool vpe_core_has(const struct vpe_core *core, unsigned int bit)
{
	return core->lim.features & (1ULL << bit);
}

/* vipsec_lifetime.c: accounting around one packet (see there). */
uint8_t vpe_life_admit(struct vpe_core *core, struct vpe_sa *sa);
uint16_t vpe_life_account(struct vpe_core *core, struct vpe_sa *sa,
			  uint32_t in_len, struct vpe_esp_res *r);
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

/*
 * vipsec_err_events.c: EVENT_LIMIT; vpe_err_event() for a packet that
 * failed with a status (after the statistics counted it: counter is its
 * enum vpe_stat); vpe_err_tick() reports what the limits held back when
 * the clock moves.
 */
uint8_t vpe_ctl_event_limit(struct vpe_core *core,
			    const struct vpe_ctrl_req *r);
void vpe_err_event(struct vpe_core *core, struct vpe_sa *sa,
		   enum vpe_stat counter, uint64_t seq);
void vpe_err_tick(struct vpe_core *core);
/* SA_DEL (sa_id) or FLUSH (0): drop device-scope counts of those SAs. */
void vpe_err_forget(struct vpe_core *core, uint32_t gid, uint32_t sa_id);
/* Queues one event of an SA (nothing without a negotiated event queue). */
void vpe_sa_event(struct vpe_core *core, const struct vpe_sa *sa, uint16_t type,
		  uint16_t limit, uint64_t seq);

/* vipsec_sa_ctl.c: SA_MOD and SA_GET. */
uint8_t vpe_ctl_sa_mod(struct vpe_core *core, const struct vpe_ctrl_req *r);
uint8_t vpe_ctl_sa_get(struct vpe_core *core, const struct vpe_ctrl_req *r);

#endif /* VPE_CORE_PRIV_H */
