// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_vm_bench, virtio-crypto part: the closest shipped peer device.
 * QEMU's virtio-crypto-pci (cryptodev-backend-builtin) reached the way a
 * guest uses it: AF_ALG skcipher "cbc(aes)" bound to the virtio_crypto
 * driver by its driver name (the kernel would otherwise pick AES-NI), one
 * operation per request, on the ESP payload a packet of that size makes
 * (padded to the AES block). It does no authentication and no ESP framing:
 * less work per packet than the g-API rows, so the comparison flatters it.
 */
#include <errno.h>
#include <linux/if_alg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bench.h"

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

#define VC_DRIVER	"virtio_crypto_aes_cbc"

static ssize_t vc_op(int fd, int enc, const uint8_t *iv16, uint8_t *in,
		     size_t len, uint8_t *out)
{
	union {
		char buf[CMSG_SPACE(4) + CMSG_SPACE(sizeof(struct af_alg_iv) + 16)];
		struct cmsghdr align;
	} c;
	struct iovec iov = { in, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = c.buf, .msg_controllen = sizeof(c.buf) };
	struct cmsghdr *cm;
	struct af_alg_iv *iv;

	memset(c.buf, 0, sizeof(c.buf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_OP;
	cm->cmsg_len = CMSG_LEN(4);
	*(uint32_t *)CMSG_DATA(cm) = enc ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
	cm = CMSG_NXTHDR(&msg, cm);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_IV;
	cm->cmsg_len = CMSG_LEN(sizeof(*iv) + 16);
	iv = (struct af_alg_iv *)CMSG_DATA(cm);
	iv->ivlen = 16;
	memcpy(iv->iv, iv16, 16);
	if (sendmsg(fd, &msg, 0) != (ssize_t)len)
		return -1;
	return read(fd, out, len);
}

int vb_vcrypto_run(double secs, const uint32_t *sizes, unsigned int nsizes)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG, .salg_type = "skcipher",
				   .salg_name = VC_DRIVER };
	static uint8_t in[VB_BUF_LEN], out[VB_BUF_LEN], ref[VB_BUF_LEN];
	uint8_t iv[16] = { 1 };
	unsigned int i;
	int tfm, fd, enc;

	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0 || bind(tfm, (struct sockaddr *)&sa, sizeof(sa))) {
		printf("virtio-crypto (%s): not available (%s): rows skipped\n",
		       VC_DRIVER, strerror(errno));
		if (tfm >= 0)
			close(tfm);
		return 77;
	}
	if (setsockopt(tfm, SOL_ALG, ALG_SET_KEY, vb_keymat, 16) ||
	    (fd = accept(tfm, NULL, 0)) < 0) {
		fprintf(stderr, "vipsec_vm_bench: virtio-crypto setup: %s\n",
			strerror(errno));
		close(tfm);
		return 1;
	}
	for (i = 0; i < nsizes; i++) {
		size_t len = (sizes[i] + 2 + 15) & ~(size_t)15;
		struct vb_row row = { .len = sizes[i],
				      .path = "virtio-crypto cbc(aes)",
				      .batch = 1, .depth = 1, .req = 1,
				      .irq = -1 };

		vb_packet(in, (uint16_t)sizes[i], 7);
		for (enc = 1; enc >= 0; enc--) {
			uint64_t t0, deadline, n = 0;

			row.dir = enc ? "enc" : "dec";
			row.id = vb_mark_begin();
			t0 = vb_now_ns();
			deadline = t0 + (uint64_t)(secs * 1e9);
			do {
				if (vc_op(fd, enc, iv, enc ? in : ref, len,
					  out) != (ssize_t)len) {
					fprintf(stderr, "vipsec_vm_bench: virtio-crypto %s %zu: %s\n",
						row.dir, len, strerror(errno));
					close(fd);
					close(tfm);
					return 1;
				}
				n++;
			} while (vb_now_ns() < deadline);
			row.pkts = n;
			row.ns = vb_now_ns() - t0;
			vb_mark_end(row.id, n);
			vb_row_print(&row);
			if (enc)
				memcpy(ref, out, len);
			else if (memcmp(out, in, len)) {
				fprintf(stderr, "vipsec_vm_bench: virtio-crypto round trip of %zu bytes differs\n",
					len);
				close(fd);
				close(tfm);
				return 1;
			}
		}
	}
	close(fd);
	close(tfm);
	return 0;
}
