// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_err_events: per-packet error events (authentication failure,
 * replay, wrong SPI, bad padding) and their rate limit (EVENT_LIMIT, the
 * seed's NPF_IPSecEventLimit_t), so that a flood of bad packets costs a
 * bounded number of event-queue entries instead of pushing the lifetime
 * and sequence events out of the FIFO.
 *
 * Each enabled kind has its own limiter (struct vpe_erl) per SA or one
 * for the device. TIME: at most value events per clock second; what a
 * second held back is reported by one more event carrying the count, at
 * the first offence of a later second or when the clock ticks. COUNT:
 * one event per value offending packets. The packets field of an event
 * always says how many packets it stands for, so their sum over the
 * events equals the offending packets, whatever was held back.
 *
 * Locking: data threads raise these, so the setting (core->errlim) and
 * every limiter (core->erl, each SA's st.erl) are under core->evq_lock,
 * which the pushes need anyway; only bad packets take it.
 */
#include <string.h>

#include "vipsec_core_priv.h"
#include "vipsec_le.h"

#define L(f)	 (r->body + VPE_OFF(virtio_ipsec_event_limit, f))
#define LSIZE(f) sizeof(((struct virtio_ipsec_event_limit *)0)->f)

/* F_ERR_EVENTS, the body length and sa_id 0: checked by the dispatcher. */
uint8_t vpe_ctl_event_limit(struct vpe_core *core, const struct vpe_ctrl_req *r)
{
	uint32_t events = vpe_ld32(L(events)), value = vpe_ld32(L(value));
	uint8_t scope = *L(scope), type = *L(type);
	uint32_t i;

	if (r->gid || !vpe_all_zero(L(reserved0), LSIZE(reserved0)) ||
	    !vpe_all_zero(L(reserved), LSIZE(reserved)))
		return VIRTIO_IPSEC_INVAL;
	if (events & ~(uint32_t)VIRTIO_IPSEC_ELIM_EVENTS)
		return VIRTIO_IPSEC_INVAL;
	if (!events) {
		if (scope || type || value)
			return VIRTIO_IPSEC_INVAL;
	} else if (scope > VIRTIO_IPSEC_ELIM_PER_DEVICE ||
		   (type == VIRTIO_IPSEC_ELIM_TIME &&
		    (value < 1 || value > VIRTIO_IPSEC_ELIM_MAX_RATE)) ||
		   (type == VIRTIO_IPSEC_ELIM_COUNT &&
		    (value < 1 || value > VIRTIO_IPSEC_ELIM_MAX_COUNT)) ||
		   (type != VIRTIO_IPSEC_ELIM_TIME &&
		    type != VIRTIO_IPSEC_ELIM_COUNT)) {
		return VIRTIO_IPSEC_INVAL;
	}
	/* A new setting starts every limiter afresh. */
	pthread_mutex_lock(&core->evq_lock);
	core->errlim = (struct vpe_errlim){ events, scope, type, value };
	memset(core->erl, 0, sizeof(core->erl));
	for (i = vpe_sadb_next_id(&core->db, 1); i;
	     i = vpe_sadb_next_id(&core->db, i + 1))
		memset(core->db.sas[i]->st.erl, 0,
		       sizeof(core->db.sas[i]->st.erl));
	pthread_mutex_unlock(&core->evq_lock);
	return VIRTIO_IPSEC_OK;
}

/* The event kind of a failure counter, or 0 for one without events. */
static uint16_t err_kind(enum vpe_stat counter)
{
	switch (counter) {
	case VPE_STAT_INVALID_ICV: return VIRTIO_IPSEC_EVT_AUTH_FAIL;
	case VPE_STAT_REPLAY:
	case VPE_STAT_LATE:
	case VPE_STAT_INVALID_SEQ: return VIRTIO_IPSEC_EVT_REPLAY;
	case VPE_STAT_INVALID_SPI: return VIRTIO_IPSEC_EVT_WRONG_SPI;
	case VPE_STAT_INVALID_PAD: return VIRTIO_IPSEC_EVT_BAD_PAD;
	default: return 0;
	}
}

/* Raises the event for what l holds: n packets, the last at l->seq. */
static void err_raise(struct vpe_core *core, const struct vpe_erl *l,
		      uint16_t kind, uint64_t n)
{
	const struct vpe_sa *sa = vpe_sa_lookup(&core->db, l->gid, l->id);
	struct vpe_evrec e = {
		.type = kind,
		.group_id = l->gid,
		.sa_id = l->id,
		.seq = l->seq,
		.packets = n,
	};

	/* A device-scope count whose last SA is gone reaches no owner. */
	if (!sa)
		return;
	e.spi = sa->spi;
	if (vpe_core_has(core, VIRTIO_IPSEC_F_EVENTQ))
		vpe_evq_push(&core->evq, &e);
}

/* TIME: a new second reports what the last one held back. */
static void err_new_second(struct vpe_core *core, struct vpe_erl *l,
			   uint16_t kind)
{
	if (l->window == core->now)
		return;
	if (l->pending)
		err_raise(core, l, kind, l->pending);
	l->window = core->now;
	l->sent = 0;
	l->pending = 0;
}

static void err_event(struct vpe_core *core, struct vpe_sa *sa, uint16_t kind,
		      uint64_t seq)
{
	const struct vpe_errlim *c = &core->errlim;
	struct vpe_erl *l;

	if (!(c->events & (1u << kind)))
		return;
	l = c->scope == VIRTIO_IPSEC_ELIM_PER_DEVICE ?
		    &core->erl[kind - VIRTIO_IPSEC_EVT_AUTH_FAIL] :
		    &sa->st.erl[kind - VIRTIO_IPSEC_EVT_AUTH_FAIL];
	if (c->type == VIRTIO_IPSEC_ELIM_TIME)
		err_new_second(core, l, kind);
	l->gid = sa->group_id;
	l->id = sa->id;
	l->seq = seq;
	if (c->type == VIRTIO_IPSEC_ELIM_TIME && l->sent < c->value) {
		l->sent++;
		err_raise(core, l, kind, 1);
		return;
	}
	/* pending < value <= MAX_COUNT for COUNT; saturates for TIME */
	if (l->pending < UINT32_MAX)
		l->pending++;
	if (c->type == VIRTIO_IPSEC_ELIM_COUNT && l->pending == c->value) {
		err_raise(core, l, kind, l->pending);
		l->pending = 0;
	}
}

void vpe_err_event(struct vpe_core *core, struct vpe_sa *sa,
		   enum vpe_stat counter, uint64_t seq)
{
	uint16_t kind = err_kind(counter);

	if (!kind)
		return;
	pthread_mutex_lock(&core->evq_lock);
	err_event(core, sa, kind, seq);
	pthread_mutex_unlock(&core->evq_lock);
}

static void err_tick_set(struct vpe_core *core, struct vpe_erl *erl)
{
	uint16_t k;

	for (k = 0; k < VPE_ERR_KINDS; k++)
		if (erl[k].pending)
			err_new_second(core, &erl[k],
				       k + VIRTIO_IPSEC_EVT_AUTH_FAIL);
}

void vpe_err_tick(struct vpe_core *core)
{
	uint32_t i;

	pthread_mutex_lock(&core->evq_lock);
	if (core->errlim.type == VIRTIO_IPSEC_ELIM_TIME &&
	    core->errlim.scope == VIRTIO_IPSEC_ELIM_PER_DEVICE) {
		err_tick_set(core, core->erl);
	} else if (core->errlim.type == VIRTIO_IPSEC_ELIM_TIME) {
		for (i = vpe_sadb_next_id(&core->db, 1); i;
		     i = vpe_sadb_next_id(&core->db, i + 1))
			err_tick_set(core, core->db.sas[i]->st.erl);
	}
	pthread_mutex_unlock(&core->evq_lock);
}

/* The caller holds evq_lock (with the FIFO's purge). */
void vpe_err_forget(struct vpe_core *core, uint32_t gid, uint32_t sa_id)
{
	uint16_t k;

	/* Like the FIFO's purge: a reused id must not inherit the count. */
	for (k = 0; k < VPE_ERR_KINDS; k++) {
		struct vpe_erl *l = &core->erl[k];

		if (l->pending && l->gid == gid && (!sa_id || l->id == sa_id))
			l->pending = 0;
	}
}
