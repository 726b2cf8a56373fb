// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_events: the device's bounded event FIFO. Events wait here until
 * the driver posts an event-queue buffer; a guest that never posts one
 * costs at most cap records, never unbounded memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vipsec_core_priv.h"
#include "vipsec_le.h"

int vipsec_evq_init(struct vipsec_evq *q, uint32_t cap)
{
	memset(q, 0, sizeof(*q));
	q->ring = calloc(cap, sizeof(*q->ring));
	if (!q->ring)
		return -ENOMEM;
	q->cap = cap;
	return 0;
}

void vipsec_evq_fini(struct vipsec_evq *q)
{
	free(q->ring);
	memset(q, 0, sizeof(*q));
}

void vipsec_evq_clear(struct vipsec_evq *q)
{
	q->head = q->count = 0;
	q->lost = 0;
}

void vipsec_evq_push(struct vipsec_evq *q, const struct vipsec_evrec *e)
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

bool vipsec_evq_pop(struct vipsec_evq *q, struct vipsec_evrec *e)
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

void vipsec_evq_purge(struct vipsec_evq *q, uint32_t gid, uint32_t sa_id)
{
	uint32_t i, kept = 0;

	/* Compact in place, keeping the order of what stays. */
	for (i = 0; i < q->count; i++) {
		struct vipsec_evrec *e = &q->ring[(q->head + i) % q->cap];

		if (e->group_id == gid && (!sa_id || e->sa_id == sa_id))
			continue;
		q->ring[(q->head + kept) % q->cap] = *e;
		kept++;
	}
	q->count = kept;
}

bool vipsec_core_event_pending(const struct vipsec_core *core)
{
	return core->evq.count || core->evq.lost;
}

bool vipsec_core_next_event(struct vipsec_core *core,
			    struct virtio_ipsec_event *ev)
{
	uint8_t *p = (uint8_t *)ev;
	struct vipsec_evrec e;

	if (!vipsec_evq_pop(&core->evq, &e))
		return false;
	memset(ev, 0, sizeof(*ev));
	vipsec_st16(p + VIPSEC_OFF(virtio_ipsec_event, type), e.type);
	vipsec_st16(p + VIPSEC_OFF(virtio_ipsec_event, limit), e.limit);
	vipsec_st32(p + VIPSEC_OFF(virtio_ipsec_event, group_id), e.group_id);
	vipsec_st32(p + VIPSEC_OFF(virtio_ipsec_event, sa_id), e.sa_id);
	vipsec_st32(p + VIPSEC_OFF(virtio_ipsec_event, spi), e.spi);
	vipsec_st64(p + VIPSEC_OFF(virtio_ipsec_event, seq), e.seq);
	vipsec_st64(p + VIPSEC_OFF(virtio_ipsec_event, bytes), e.bytes);
	vipsec_st64(p + VIPSEC_OFF(virtio_ipsec_event, packets), e.packets);
	return true;
}
