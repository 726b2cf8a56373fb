// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_events: the device's bounded event FIFO. Events wait here until
 * the driver posts an event-queue buffer; a guest that never posts one
 * costs at most cap records, never unbounded memory.
 *
 * Data queues raise events (lifetimes, sequence numbers) while the
 * control thread takes them: the FIFO of a core is only touched under
 * its evq_lock (vpe_evq_* are called with it held). Events are rare, so
 * one mutex is enough.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vipsec_core_priv.h"
#include "vipsec_le.h"

int vpe_evq_init(struct vpe_evq *q, uint32_t cap)
{
	memset(q, 0, sizeof(*q));
	q->ring = calloc(cap, sizeof(*q->ring));
	if (!q->ring)
		return -ENOMEM;
	q->cap = cap;
	return 0;
}

void vpe_evq_fini(struct vpe_evq *q)
{
	free(q->ring);
	memset(q, 0, sizeof(*q));
}

void vpe_evq_clear(struct vpe_evq *q)
{
	q->head = q->count = 0;
	q->lost = 0;
}

void vpe_evq_push(struct vpe_evq *q, const struct vpe_evrec *e)
{
	if (q->count == q->cap) {
		/* Drop the oldest: the newest state matters most. */
		q->head = (q->head + 1) % q->cap;
		q->count--;
		q->lost++;
	}
	q->ring[(q->head + q->count) % q->cap] = *e;
	q->count++;
}

bool vpe_evq_pop(struct vpe_evq *q, struct vpe_evrec *e)
{
	if (q->lost) {
		memset(e, 0, sizeof(*e));
		e->type = VIRTIO_IPSEC_EVT_LOST;
		e->packets = q->lost;
		q->lost = 0;
		return true;
	}
	if (!q->count)
		return false;
	*e = q->ring[q->head];
	q->head = (q->head + 1) % q->cap;
	q->count--;
	return true;
}

void vpe_evq_purge(struct vpe_evq *q, uint32_t gid, uint32_t sa_id)
{
	uint32_t i, kept = 0;

	/* Compact in place, keeping the order of what stays. */
	for (i = 0; i < q->count; i++) {
		struct vpe_evrec *e = &q->ring[(q->head + i) % q->cap];

		if (e->group_id == gid && (!sa_id || e->sa_id == sa_id))
			continue;
		q->ring[(q->head + kept) % q->cap] = *e;
		kept++;
	}
	q->count = kept;
}

void vpe_core_event(struct vpe_core *core, const struct vpe_evrec *e)
{
	pthread_mutex_lock(&core->evq_lock);
	vpe_evq_push(&core->evq, e);
	pthread_mutex_unlock(&core->evq_lock);
}

bool vpe_core_event_pending(const struct vpe_core *core)
{
	struct vpe_core *c = (struct vpe_core *)core; /* the lock only */
	bool pending;

	pthread_mutex_lock(&c->evq_lock);
	pending = core->evq.count || core->evq.lost;
	pthread_mutex_unlock(&c->evq_lock);
	return pending;
}

bool vpe_core_next_event(struct vpe_core *core, struct virtio_ipsec_event *ev)
{
	uint8_t *p = (uint8_t *)ev;
	struct vpe_evrec e;
	bool got;

	pthread_mutex_lock(&core->evq_lock);
	got = vpe_evq_pop(&core->evq, &e);
	pthread_mutex_unlock(&core->evq_lock);
	if (!got)
		return false;
	memset(ev, 0, sizeof(*ev));
	vpe_st16(p + VPE_OFF(virtio_ipsec_event, type), e.type);
	vpe_st16(p + VPE_OFF(virtio_ipsec_event, limit), e.limit);
	vpe_st32(p + VPE_OFF(virtio_ipsec_event, group_id), e.group_id);
	vpe_st32(p + VPE_OFF(virtio_ipsec_event, sa_id), e.sa_id);
	vpe_st32(p + VPE_OFF(virtio_ipsec_event, spi), e.spi);
	vpe_st64(p + VPE_OFF(virtio_ipsec_event, seq), e.seq);
	vpe_st64(p + VPE_OFF(virtio_ipsec_event, bytes), e.bytes);
	vpe_st64(p + VPE_OFF(virtio_ipsec_event, packets), e.packets);
	return true;
}
