/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split virtqueue, driver side (VIRTIO 1.2 section 2.7), in the shared
 * memory of vu_mem: descriptor table, available ring, used ring, and the
 * eventfds vhost-user carries (kick: we notify the back end; call: it
 * notifies us; err: it reports a ring error). VIRTIO_F_EVENT_IDX when the
 * front end negotiated it (event_idx): used_event and avail_event as
 * Linux's virtio_ring uses them. No indirect descriptors: the load
 * generator does not negotiate them.
 */
#ifndef VU_RING_H
#define VU_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "vu_mem.h"

#define VU_DESC_F_NEXT		1
#define VU_DESC_F_WRITE		2
#define VU_DESC_F_INDIRECT	4 /* hostile tests only: never negotiated */
#define VU_USED_F_NO_NOTIFY	1
#define VU_AVAIL_F_NO_INTERRUPT 1
#define VU_F_EVENT_IDX		29 /* VIRTIO_F_EVENT_IDX (VIRTIO_RING_F_EVENT_IDX) */

struct vu_desc {
	uint64_t addr; /* guest-physical, little-endian (x86 host) */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vu_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct vu_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vu_used {
	uint16_t flags;
	uint16_t idx;
	struct vu_used_elem ring[];
};

/* One buffer of a chain: guest-physical address and length. */
struct vu_buf {
	uint64_t gpa;
	uint32_t len;
};

struct vu_ring {
	uint16_t num;
	struct vu_desc *desc;
	struct vu_avail *avail;
	struct vu_used *used;
	uint16_t free_head;
	uint16_t num_free;
	uint16_t avail_idx; /* our copy of avail->idx */
	uint16_t last_used; /* next used entry to read */
	void **token;	    /* per head, NULL when free */
	int kick_fd, call_fd, err_fd;
	bool event_idx;	     /* VIRTIO_F_EVENT_IDX negotiated */
	uint16_t kicked_idx; /* avail_idx at the last kick decision */
	bool cb_off;	     /* vu_ring_disable_cb(): no call wanted now */
};

/*
 * Allocates the ring parts in mem and the three eventfds. num is a power
 * of two, 1 .. 32768. 0 or a negative errno.
 */
int vu_ring_init(struct vu_ring *r, struct vu_mem *mem, uint16_t num);
void vu_ring_fini(struct vu_ring *r);

/*
 * Adds a chain of nout device-readable then nin device-writable buffers,
 * not yet visible to the device. Returns the head, or -ENOSPC.
 */
int vu_ring_add(struct vu_ring *r, const struct vu_buf *out, unsigned int nout,
		const struct vu_buf *in, unsigned int nin, void *token);

/* Makes added chains visible (store-release of avail->idx). */
void vu_ring_publish(struct vu_ring *r);

/*
 * Writes the kick eventfd unless the device asked for no notifications
 * (VRING_USED_F_NO_NOTIFY; with event_idx: unless avail_event is not among
 * the chains published since the last kick). True when it wrote.
 */
bool vu_ring_kick(struct vu_ring *r);

/*
 * Takes the next used entry: returns 1 with *token and *len, 0 when none,
 * -EPROTO when the device returned an id that is not an outstanding head
 * (a broken device: the caller stops using the ring).
 */
int vu_ring_get_used(struct vu_ring *r, void **token, uint32_t *len);

/*
 * The driver is awake and will look at the used ring anyway, as Linux's
 * virtqueue_disable_cb(): without event_idx VRING_AVAIL_F_NO_INTERRUPT is
 * set; with it used_event is no longer moved along (vu_ring_get_used()).
 */
void vu_ring_disable_cb(struct vu_ring *r);

/*
 * Before sleeping on the call eventfd, as Linux's
 * virtqueue_enable_cb_delayed(): with event_idx, asks for a call only once
 * about 3/4 of the chains now outstanding are used (used_event), so that a
 * driver keeping the ring full is woken once per several completions and
 * the device still has work while it refills; without it a call comes for
 * each one (VRING_AVAIL_F_NO_INTERRUPT cleared). Returns false when that
 * many are already used (do not sleep).
 */
bool vu_ring_enable_cb_delayed(struct vu_ring *r);

/*
 * Waits up to timeout_ms for the call eventfd, the err eventfd, or the
 * back end hanging up sock (the vhost-user socket; -1: not watched).
 * Returns 1 on a call, 0 on timeout, -EIO when err fired, -ECONNRESET
 * when the back end closed the connection, another negative errno.
 */
int vu_ring_wait(struct vu_ring *r, int sock, int timeout_ms);

/*
 * Hostile tests: puts head on the available ring as it is, without any
 * check or bookkeeping (the caller wrote r->desc[] itself).
 */
void vu_ring_push_raw(struct vu_ring *r, uint16_t head);

#endif
