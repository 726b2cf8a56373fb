/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-ipsec guest driver: data queue requests. */
#ifndef VIPSEC_DATA_H
#define VIPSEC_DATA_H

#include <linux/types.h>
#include <linux/virtio_ipsec.h>

struct vipsec_dev;
struct vipsec_req;

/*
 * One data request of @num packets, laid out as the device ABI says:
 * readable: hdr, pkt[num], input bytes; writable: res[num], output area,
 * footer. The caller fills pkt[] and in_data after vipsec_data_prepare()
 * and reads res[] and out_data after vipsec_data_run() returned 0.
 * In zero-copy form the caller also gives the request its scatterlist
 * (vq.h, struct vipsec_req_pins).
 */
struct vipsec_data_req {
	struct vipsec_req *req;
	u32 num;
	struct virtio_ipsec_pkt_req *pkt;
	u8 *in_data;
	struct virtio_ipsec_pkt_result *res;
	u8 *out_data;
	/*
	 * Zero-copy form (@user_pages): the input and output bytes are in
	 * pinned user pages, not in the request's buffer (in_data and
	 * out_data NULL); the buffer holds hdr and pkt[] readable, res[]
	 * and the footer writable, and out_user is the writable bytes
	 * between them, in the pages.
	 */
	size_t out_user;
};

int vipsec_data_prepare(struct vipsec_data_req *dr, u16 opcode, u32 num,
			size_t in_total, size_t out_total, bool user_pages);
u32 vipsec_data_max_sg(struct vipsec_dev *vd);
int vipsec_data_run(struct vipsec_dev *vd, struct vipsec_data_req *dr);
int vipsec_data_check(struct vipsec_dev *vd, struct vipsec_data_req *dr);
struct vipsec_queue *vipsec_data_queue(struct vipsec_dev *vd);
void vipsec_data_set_affinity(struct vipsec_dev *vd);
void vipsec_data_clear_affinity(struct vipsec_dev *vd);
void vipsec_data_free(struct vipsec_data_req *dr);

#endif /* VIPSEC_DATA_H */
