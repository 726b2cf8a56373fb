// SPDX-License-Identifier: BSD-3-Clause
/* Split virtqueue, driver side. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vu_ring.h"

int vu_ring_init(struct vu_ring *r, struct vu_mem *mem, uint16_t num)
{
	uint16_t i;

	memset(r, 0, sizeof(*r));
	r->kick_fd = r->call_fd = r->err_fd = -1;
	if (!num || (num & (num - 1)) || num > 32768)
		return -EINVAL;
	r->num = num;
	/* VIRTIO 1.x alignments: descriptors 16, available 2, used 4. */
	r->desc = vu_mem_alloc(mem, 16ull * num, 16);
	r->avail = vu_mem_alloc(mem, 6 + 2ull * num, 2);
	r->used = vu_mem_alloc(mem, 6 + 8ull * num, 4);
	r->token = calloc(num, sizeof(*r->token));
	if (!r->desc || !r->avail || !r->used || !r->token) {
		free(r->token);
		r->token = NULL;
		return -ENOMEM;
	}
	for (i = 0; i + 1 < num; i++)
		r->desc[i].next = (uint16_t)(i + 1);
	r->num_free = num;
	r->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r->err_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->kick_fd < 0 || r->call_fd < 0 || r->err_fd < 0) {
		int ret = -errno;

		vu_ring_fini(r);
		return ret;
	}
	return 0;
}

void vu_ring_fini(struct vu_ring *r)
{
	if (r->kick_fd >= 0)
		close(r->kick_fd);
	if (r->call_fd >= 0)
		close(r->call_fd);
	if (r->err_fd >= 0)
		close(r->err_fd);
	r->kick_fd = r->call_fd = r->err_fd = -1;
	free(r->token);
	r->token = NULL;
}

int vu_ring_add(struct vu_ring *r, const struct vu_buf *out, unsigned int nout,
		const struct vu_buf *in, unsigned int nin, void *token)
{
	unsigned int n = nout + nin, k;
	uint16_t head = r->free_head, i = head, last = head;

	if (!n || n > r->num_free || !token)
		return -ENOSPC;
	for (k = 0; k < n; k++) {
		const struct vu_buf *b = k < nout ? &out[k] : &in[k - nout];

		r->desc[i].addr = b->gpa;
		r->desc[i].len = b->len;
		r->desc[i].flags = (uint16_t)((k < nout ? 0 : VU_DESC_F_WRITE) |
					      (k + 1 < n ? VU_DESC_F_NEXT : 0));
		last = i;
		i = r->desc[i].next;
	}
	r->free_head = r->desc[last].next;
	r->num_free = (uint16_t)(r->num_free - n);
	r->token[head] = token;
	r->avail->ring[r->avail_idx % r->num] = head;
	r->avail_idx++;
	return head;
}

void vu_ring_publish(struct vu_ring *r)
{
	/* The descriptors and ring slot are visible before the index. */
	__atomic_store_n(&r->avail->idx, r->avail_idx, __ATOMIC_RELEASE);
}

void vu_ring_push_raw(struct vu_ring *r, uint16_t head)
{
	r->avail->ring[r->avail_idx % r->num] = head;
	r->avail_idx++;
	vu_ring_publish(r);
}

/* avail_event, after the used ring's entries (VIRTIO 1.2 2.7.8) */
static uint16_t *avail_event(struct vu_ring *r)
{
	return (uint16_t *)&r->used->ring[r->num];
}

/* used_event, after the available ring's entries */
static uint16_t *used_event(struct vu_ring *r)
{
	return &r->avail->ring[r->num];
}

/* VIRTIO 1.2 2.7.10: is event among old+1 .. new? (vring_need_event) */
static bool need_event(uint16_t event, uint16_t new, uint16_t old)
{
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

bool vu_ring_kick(struct vu_ring *r)
{
	uint16_t old = r->kicked_idx;
	uint64_t one = 1;

	r->kicked_idx = r->avail_idx;
	/* Pairs with the device's store of used->flags (VIRTIO 2.7.10). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (r->event_idx) {
		if (!need_event(__atomic_load_n(avail_event(r),
						__ATOMIC_RELAXED),
				r->avail_idx, old))
			return false;
	} else if (__atomic_load_n(&r->used->flags, __ATOMIC_RELAXED) &
		   VU_USED_F_NO_NOTIFY) {
		return false;
	}
	if (write(r->kick_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, the device has a kick. */
	}
	return true;
}

void vu_ring_disable_cb(struct vu_ring *r)
{
	if (r->cb_off)
		return;
	r->cb_off = true;
	if (!r->event_idx)
		__atomic_store_n(&r->avail->flags,
				 (uint16_t)(r->avail->flags |
					    VU_AVAIL_F_NO_INTERRUPT),
				 __ATOMIC_RELAXED);
}

bool vu_ring_enable_cb_delayed(struct vu_ring *r)
{
	uint16_t bufs =
		(uint16_t)((uint16_t)(r->avail_idx - r->last_used) * 3 / 4);

	r->cb_off = false;
	if (!r->event_idx) {
		bufs = 0;
		if (r->avail->flags & VU_AVAIL_F_NO_INTERRUPT)
			__atomic_store_n(&r->avail->flags,
					 (uint16_t)(r->avail->flags &
						    ~VU_AVAIL_F_NO_INTERRUPT),
					 __ATOMIC_RELAXED);
	} else
		__atomic_store_n(used_event(r), (uint16_t)(r->last_used + bufs),
				 __ATOMIC_RELAXED);
	/* used_event stored before the used index is read (VIRTIO 2.7.10) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return (uint16_t)(__atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE) -
			  r->last_used) <= bufs;
}

int vu_ring_get_used(struct vu_ring *r, void **token, uint32_t *len)
{
	uint16_t idx = __atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE);
	struct vu_used_elem e;
	uint16_t i, n = 1;

	if (idx == r->last_used)
		return 0;
	if ((uint16_t)(idx - r->last_used) > r->num)
		return -EPROTO;
	e = r->used->ring[r->last_used % r->num];
	if (e.id >= r->num || !r->token[e.id])
		return -EPROTO;
	r->last_used++;
	/*
	 * Calls wanted: the next completion calls (Linux's
	 * virtqueue_get_buf()); a waiter sets a later one first.
	 */
	if (r->event_idx && !r->cb_off &&
	    !(r->avail->flags & VU_AVAIL_F_NO_INTERRUPT))
		__atomic_store_n(used_event(r), r->last_used, __ATOMIC_RELAXED);
	*token = r->token[e.id];
	*len = e.len;
	r->token[e.id] = NULL;
	/* Return the chain to the free list; we wrote it, so it is sane. */
	for (i = (uint16_t)e.id; r->desc[i].flags & VU_DESC_F_NEXT;
	     i = r->desc[i].next)
		n++;
	r->desc[i].next = r->free_head;
	r->free_head = (uint16_t)e.id;
	r->num_free = (uint16_t)(r->num_free + n);
	return 1;
}

int vu_ring_wait(struct vu_ring *r, int sock, int timeout_ms)
{
	struct pollfd p[3] = {
		{ .fd = r->call_fd, .events = POLLIN },
		{ .fd = r->err_fd, .events = POLLIN },
		{ .fd = sock, .events = POLLRDHUP },
	};
	uint64_t v;
	int n;

	n = poll(p, sock >= 0 ? 3 : 2, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (n == 0)
		return 0;
	if (p[1].revents & POLLIN) {
		if (read(r->err_fd, &v, sizeof(v)) < 0) {
			/* read only to clear the counter */
		}
		return -EIO;
	}
	if (sock >= 0 && (p[2].revents & (POLLRDHUP | POLLHUP | POLLERR)))
		return -ECONNRESET;
	if (read(r->call_fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: another reader took it; the used ring decides */
	}
	return 1;
}
