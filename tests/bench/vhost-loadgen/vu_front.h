/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user front end: what QEMU does for a vhost-user device, for
 * one back end on a unix socket. Handshake in QEMU's order (features,
 * protocol features, queue count, owner, config), then the memory table
 * and, per ring, NUM, BASE, ADDR, KICK, CALL, ERR and ENABLE.
 * Every call returns 0 or a negative errno and leaves a message in
 * f->err naming the step that failed.
 */
#ifndef VU_FRONT_H
#define VU_FRONT_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_ipsec.h>

#include "vu_mem.h"
#include "vu_msg.h"
#include "vu_ring.h"

#define VU_F_VERSION_1 32
/* vhost-user carries a ring index in 8 bits in KICK/CALL/ERR messages. */
#define VU_MAX_RINGS 256

struct vu_front {
	int sock;
	uint64_t dev_features;	 /* GET_FEATURES */
	uint64_t features;	 /* SET_FEATURES: what we acknowledged */
	uint64_t proto_features; /* negotiated protocol features */
	uint64_t queue_num;	 /* GET_QUEUE_NUM, 0 without PROTOCOL_F_MQ */
	struct virtio_ipsec_config cfg; /* as read: little-endian */
	bool have_cfg;
	unsigned int ndata; /* data queues: cfg.max_data_queues */
	struct vu_mem mem;
	struct vu_ring ring[VU_MAX_RINGS];
	bool ring_up[VU_MAX_RINGS];
	char err[256];
};

/* Connects, retrying until timeout_ms (the back end may still be starting). */
int vu_front_connect(struct vu_front *f, const char *path, int timeout_ms);

/*
 * Feature and protocol negotiation, SET_OWNER, GET_CONFIG (when offered).
 * want: device feature bits (VIRTIO_IPSEC_F_*) to acknowledge when
 * offered; VERSION_1 is required, PROTOCOL_FEATURES taken when offered.
 */
int vu_front_handshake(struct vu_front *f, uint64_t want);

/* Creates mem_size bytes of shared memory and sends SET_MEM_TABLE. */
int vu_front_set_mem(struct vu_front *f, uint64_t mem_size);

/* Allocates ring idx (num entries) in the shared memory and starts it. */
int vu_front_setup_ring(struct vu_front *f, unsigned int idx, uint16_t num);

/*
 * Sends one request (with NEED_REPLY when REPLY_ACK is negotiated and the
 * request has no reply of its own) and checks the acknowledgement:
 * -EREMOTEIO when the back end answered failure. Hostile tests use it.
 */
int vu_front_request(struct vu_front *f, struct vu_msg *m);

/*
 * SET_CONFIG of len bytes at offset (flags 0: a front-end write). The
 * virtio-ipsec back end takes only 0 written to the status field: the
 * device reset vhost-user has no message for.
 */
int vu_front_set_config(struct vu_front *f, uint32_t offset, const void *data,
			uint32_t len);

/* GET_VRING_BASE: stops ring idx; *base gets the next available index. */
int vu_front_get_vring_base(struct vu_front *f, unsigned int idx,
			    uint32_t *base);

/* Closes the socket, the rings' eventfds and the memory. */
void vu_front_close(struct vu_front *f);

/* Index of the control queue (virtio-ipsec: after the data queues). */
static inline unsigned int vu_front_ctrlq(const struct vu_front *f)
{
	return f->ndata;
}

#endif
