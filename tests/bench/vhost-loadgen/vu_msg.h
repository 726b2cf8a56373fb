/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user messages, front-end side: the wire format of QEMU's
 * docs/interop/vhost-user.rst (header: request, flags, size; payload in
 * host byte order), written from the specification, not copied from a
 * back end, so that the load generator checks the back end's reading of it.
 */
#ifndef VU_MSG_H
#define VU_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Front-end requests (vhost-user.rst, "Front-end message types"). */
enum vu_req {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_SET_VRING_ERR = 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
	VU_GET_CONFIG = 24,
	VU_SET_CONFIG = 25,
};

/* Protocol feature bits (GET/SET_PROTOCOL_FEATURES). */
#define VU_PROTOCOL_F_MQ	0
#define VU_PROTOCOL_F_REPLY_ACK 3
#define VU_PROTOCOL_F_CONFIG	9

/* Virtio feature bit 30, reused by vhost-user for protocol features. */
#define VU_F_PROTOCOL_FEATURES 30

#define VU_VERSION	   0x1
#define VU_FLAG_REPLY	   (1u << 2)
#define VU_FLAG_NEED_REPLY (1u << 3)
#define VU_VRING_NOFD_MASK (1u << 8) /* SET_VRING_KICK/CALL/ERR */
#define VU_VRING_IDX_MASK  0xffu
#define VU_MAX_REGIONS	   8
#define VU_MAX_FDS	   8
#define VU_CONFIG_MAX	   256 /* config bytes one GET_CONFIG carries here */

struct vu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
} __attribute__((packed));

struct vu_vring_state {
	uint32_t index;
	uint32_t num;
};

struct vu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc; /* front-end (user) addresses, not guest addresses */
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};

struct vu_region {
	uint64_t guest_addr;
	uint64_t size;
	uint64_t user_addr;
	uint64_t mmap_offset;
};

struct vu_memory {
	uint32_t nregions;
	uint32_t padding;
	struct vu_region regions[VU_MAX_REGIONS];
};

struct vu_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t payload[VU_CONFIG_MAX];
};

/* Not the wire image: header and payload go out as two iovecs. */
struct vu_msg {
	struct vu_hdr hdr;
	union {
		uint64_t u64;
		struct vu_vring_state state;
		struct vu_vring_addr addr;
		struct vu_memory memory;
		struct vu_config config;
	} p;
	int fds[VU_MAX_FDS];
	unsigned int nfds;
};

/* Size of the payload of a memory table with n regions. */
static inline uint32_t vu_memory_size(uint32_t n)
{
	return (uint32_t)(8 + n * sizeof(struct vu_region));
}

/*
 * Sends m (header, m->hdr.size payload bytes, m->fds as SCM_RIGHTS).
 * Returns 0 or a negative errno (-EPIPE when the back end has gone).
 */
int vu_msg_send(int sock, const struct vu_msg *m);

/*
 * Receives one message into m; a payload larger than m's union, or a
 * header without the version bits, is -EPROTO. Received descriptors are
 * in m->fds (the caller closes them). 0 or a negative errno (-ECONNRESET
 * when the back end closed the socket).
 */
int vu_msg_recv(int sock, struct vu_msg *m);

/* Human-readable request name for messages ("SET_MEM_TABLE"). */
const char *vu_req_name(uint32_t req);

#endif
