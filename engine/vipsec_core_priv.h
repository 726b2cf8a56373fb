/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_core_priv: what the decoder's files share (vipsec_core.c, the
 * SA state in vipsec_lifetime.c, vipsec_events.c, vipsec_sa_ctl.c). Not
 * for the device model, which only sees vipsec_core.h.
 */
#ifndef VIPSEC_CORE_PRIV_H
#define VIPSEC_CORE_PRIV_H

#include "vipsec_core.h"
#include "vipsec_esp.h"
#include "vipsec_sa.h"

/* One queued event, host order (struct virtio_ipsec_event on the wire). */
struct vipsec_evrec {
	uint16_t type, limit;
	uint32_t group_id, sa_id, spi;
	uint64_t seq, bytes, packets;
};

/*
 * Bounded FIFO of events waiting for an event-queue buffer. When full the
 * oldest is dropped and counted in lost; the next pop then yields a LOST
 * record first (include/uapi/linux/virtio_ipsec.h).
 */
struct vipsec_evq {
	struct vipsec_evrec *ring;
	uint32_t cap, head, count;
	uint64_t lost;
};

int vipsec_evq_init(struct vipsec_evq *q, uint32_t cap);
void vipsec_evq_fini(struct vipsec_evq *q);
void vipsec_evq_clear(struct vipsec_evq *q);
void vipsec_evq_push(struct vipsec_evq *q, const struct vipsec_evrec *e);
bool vipsec_evq_pop(struct vipsec_evq *q, struct vipsec_evrec *e);
/* Drops the events of one SA (sa_id != 0) or of a whole group (0). */
void vipsec_evq_purge(struct vipsec_evq *q, uint32_t gid, uint32_t sa_id);

struct vipsec_core {
	struct vipsec_core_config cfg;
	struct vipsec_crypto *crypto;
	struct vipsec_sadb db;
	struct vipsec_sa_limits lim;	/* lim.features: negotiated */
	uint64_t offered;		/* VIRTIO_IPSEC_F_* */
	uint64_t now;			/* seconds, from vipsec_core_tick() */
	struct vipsec_evq evq;
};

static inline bool vipsec_core_has(const struct vipsec_core *core,
				   unsigned int bit)
{
	return core->lim.features & (1ULL << bit);
}

/* vipsec_lifetime.c: accounting around one packet (see there). */
uint8_t vipsec_life_admit(struct vipsec_core *core, struct vipsec_sa *sa);
uint16_t vipsec_life_account(struct vipsec_core *core, struct vipsec_sa *sa,
			     uint32_t in_len, struct vipsec_esp_res *r);
/* Highest sequence number used (outbound) or seen (inbound). */
uint64_t vipsec_sa_seq(const struct vipsec_sa *sa);
/* Wire stats record (struct virtio_ipsec_sa_stats) of an SA. */
void vipsec_stats_encode(const struct vipsec_sa *sa, uint8_t *wire);

/*
 * vipsec_core.c: copies the keys and salt of an SA_ADD body (wire layout)
 * into sa->st.keys, for migration (vipsec_migrate.c).
 */
void vipsec_sa_keep_keys(struct vipsec_sa *sa, const uint8_t *params);

/* vipsec_sa_ctl.c: SA_MOD and SA_GET. */
uint8_t vipsec_ctl_sa_mod(struct vipsec_core *core, uint32_t gid, uint32_t id,
			  const uint8_t *body, size_t len);
uint8_t vipsec_ctl_sa_get(struct vipsec_core *core, uint32_t gid, uint32_t id,
			  const uint8_t *body, size_t len, uint8_t *out,
			  size_t out_cap, uint32_t *out_len);

#endif /* VIPSEC_CORE_PRIV_H */
