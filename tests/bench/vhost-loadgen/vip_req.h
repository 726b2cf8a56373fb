/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-ipsec requests the load generator sends, laid out as the device
 * ABI says (include/uapi/linux/virtio_ipsec.h, docs/virtio-ipsec-device.md
 * section 5): control requests (SA_ADD, SA_DEL) and data requests of a
 * batch of packets, and the checks of what the device wrote back.
 */
#ifndef VIP_REQ_H
#define VIP_REQ_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_ipsec.h>

#include "vu_front.h"

#define VIP_FOOTER	     sizeof(struct virtio_ipsec_resp_footer)
#define VIP_ESP_OVERHEAD_MAX 64 /* outer IPv4 + ESP + IV + pad + ICV, GCM */

/* The SA pair of the workloads: AES-128-GCM, tunnel IPv4 10.0.0.1 -> .2. */
void vip_sa_gcm128(struct virtio_ipsec_sa_params *p, uint8_t dir, uint32_t spi);

/* A virtio-ipsec device driven over vhost-user. */
struct vip_dev {
	struct vu_front f;
	uint8_t *ctrl_rd, *ctrl_wr; /* the control request, reused */
	unsigned int ndata;	    /* data queues set up: 0 .. ndata-1 */
};

#define VIP_CTRL_BUF 4096

/*
 * Connects to the back end at path, negotiates (acknowledging the device
 * features in want), shares mem_size bytes, and starts data queues
 * 0 .. ndata-1 and the control queue, each of ring_num entries.
 * 0 or a negative errno with d->f.err set.
 */
int vip_dev_open(struct vip_dev *d, const char *path, uint64_t want,
		 uint64_t mem_size, unsigned int ndata, uint16_t ring_num);

/*
 * One control request on the control queue, synchronously (kick, then
 * wait for the call, at most timeout_ms). *status gets the footer status.
 * 0, or a negative errno with d->f.err set (-ETIMEDOUT: no answer).
 */
int vip_ctrl(struct vip_dev *d, uint16_t opcode, uint32_t sa_id,
	     const void *body, uint32_t body_len, uint8_t *status,
	     int timeout_ms);

/* A data request buffer in shared memory: B packets of in_len bytes. */
struct vip_batch {
	uint16_t opcode;
	uint32_t npkts, in_len, out_cap;
	uint8_t *rd; /* readable part */
	uint32_t rd_len;
	uint8_t *wr; /* writable part */
	uint32_t wr_len;
};

/* Bytes of the readable and writable parts of such a request. */
uint32_t vip_batch_rd_len(uint32_t npkts, uint32_t in_len);
uint32_t vip_batch_wr_len(uint32_t npkts, uint32_t out_cap);

/*
 * Allocates b's parts in f's shared memory and writes the header and the
 * per-packet requests (all for sa_id); the caller fills the input bytes
 * (vip_batch_in). -ENOMEM when the memory is full.
 */
int vip_batch_init(struct vu_front *f, struct vip_batch *b, uint16_t opcode,
		   uint32_t sa_id, uint32_t npkts, uint32_t in_len,
		   uint32_t out_cap);

uint8_t *vip_batch_in(const struct vip_batch *b, uint32_t i);
uint8_t *vip_batch_out(const struct vip_batch *b, uint32_t i);
struct virtio_ipsec_pkt_result *vip_batch_res(const struct vip_batch *b,
					      uint32_t i);
struct virtio_ipsec_resp_footer *vip_batch_footer(const struct vip_batch *b);

/* Adds b to ring r as a two-descriptor chain (readable, writable). */
int vip_batch_add(const struct vu_front *f, struct vu_ring *r,
		  struct vip_batch *b);

/* Writes an inner IPv4/UDP packet of len bytes, payload from seed. */
void vip_inner_packet(uint8_t *p, uint32_t len, uint32_t seed);

/* ESP packet length of an inner packet of len bytes (GCM-16, tunnel v4). */
uint32_t vip_esp_len(uint32_t inner_len);

/*
 * Checks an encap result: packet status OK, out_len as expected, outer
 * IPv4 header (ESP, our tunnel endpoints, total length), SPI, sequence
 * number equal to the result's and the explicit IV. Returns NULL or a
 * message (static storage).
 */
const char *vip_check_esp(const struct virtio_ipsec_pkt_result *res,
			  const uint8_t *out, uint32_t inner_len, uint32_t spi);

#endif
