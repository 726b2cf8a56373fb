// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_vm_bench, AF_ALG part: what a VNF without the accelerator uses,
 * the guest kernel's rfc4106(gcm(aes)) through socket(AF_ALG, "aead").
 * One operation per packet (sendmsg + read), on the ESP payload a packet
 * of that size makes (inner packet + trailer, padded to 4 bytes), with the
 * ESP header (SPI, sequence number) and the IV as associated data as in
 * esp4: the crypto work of one ESP packet, none of the ESP framing.
 */
#include <errno.h>
#include <linux/if_alg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bench.h"

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

#define VB_ALG		"rfc4106(gcm(aes))"
#define VB_ICV		16
#define VB_ASSOC	16	/* SPI + sequence number + IV (rfc4106) */

/* The driver the kernel picked for VB_ALG: highest priority in
 * /proc/crypto once the socket has instantiated it. */
static void vb_afalg_driver(char *out, size_t len)
{
	FILE *f = fopen("/proc/crypto", "r");
	char line[256], name[128] = "", drv[128] = "";
	int prio = -1, best = -1;

	snprintf(out, len, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		v += 2;
		v[strcspn(v, "\n")] = 0;
		if (!strncmp(line, "name ", 5))
			snprintf(name, sizeof(name), "%s", v);
		else if (!strncmp(line, "driver ", 7))
			snprintf(drv, sizeof(drv), "%s", v);
		else if (!strncmp(line, "priority ", 9)) {
			prio = atoi(v);
			if (!strcmp(name, VB_ALG) && prio > best) {
				best = prio;
				snprintf(out, len, "%s", drv);
			}
		}
	}
	fclose(f);
}

/*
 * One AEAD operation: @in (assoc + payload [+ tag]) -> @out. @out_len must
 * be exactly the result's size: algif_aead's recvmsg keeps filling a larger
 * buffer from the next request, i.e. blocks.
 */
static ssize_t vb_afalg_op(int fd, int enc, uint64_t seq, uint8_t *in,
			   size_t in_len, uint8_t *out, size_t out_len)
{
	union {
		char buf[CMSG_SPACE(4) + CMSG_SPACE(sizeof(struct af_alg_iv) + 8) +
			 CMSG_SPACE(4)];
		struct cmsghdr align;
	} c;
	struct iovec iov = { in, in_len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = c.buf, .msg_controllen = sizeof(c.buf) };
	struct cmsghdr *cm;
	struct af_alg_iv *iv;
	int i;

	memset(c.buf, 0, sizeof(c.buf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_OP;
	cm->cmsg_len = CMSG_LEN(4);
	*(uint32_t *)CMSG_DATA(cm) = enc ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
	cm = CMSG_NXTHDR(&msg, cm);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_IV;
	cm->cmsg_len = CMSG_LEN(sizeof(*iv) + 8);
	iv = (struct af_alg_iv *)CMSG_DATA(cm);
	iv->ivlen = 8;
	for (i = 0; i < 8; i++)		/* IV = sequence number, as esp4 */
		iv->iv[i] = in[8 + i] = (uint8_t)(seq >> (56 - 8 * i));
	in[4] = (uint8_t)(seq >> 24); in[5] = (uint8_t)(seq >> 16);
	in[6] = (uint8_t)(seq >> 8); in[7] = (uint8_t)seq;
	cm = CMSG_NXTHDR(&msg, cm);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_AEAD_ASSOCLEN;
	cm->cmsg_len = CMSG_LEN(4);
	*(uint32_t *)CMSG_DATA(cm) = VB_ASSOC;
	if (sendmsg(fd, &msg, 0) != (ssize_t)in_len)
		return -1;
	return read(fd, out, out_len);
}

static int vb_afalg_one(int fd, const char *path, uint32_t len, int enc,
			double secs, uint8_t *ct, size_t ct_len)
{
	static uint8_t in[VB_ASSOC + VB_BUF_LEN], out[VB_ASSOC + VB_BUF_LEN];
	uint32_t plen = (len + 2 + 3) & ~3u;	/* payload + pad + trailer */
	size_t in_len = VB_ASSOC + plen + (enc ? 0 : VB_ICV);
	size_t want = VB_ASSOC + plen + (enc ? VB_ICV : 0);
	uint64_t t0, deadline, n = 0, seq = enc ? 1 : 0;
	struct vb_row row = { .len = len, .path = path,
			      .dir = enc ? "enc" : "dec", .batch = 1,
			      .depth = 1, .req = -1, .irq = -1 };
	ssize_t r;

	memset(in, 0, sizeof(in));
	in[0] = 0x20; in[3] = 0x01;			/* SPI */
	if (enc)
		vb_packet(in + VB_ASSOC, (uint16_t)len, 7);
	else
		memcpy(in, ct, ct_len);			/* one sealed packet */
	row.id = vb_mark_begin();
	t0 = vb_now_ns();
	deadline = t0 + (uint64_t)(secs * 1e9);
	do {
		/* decrypt re-opens the same packet: its sequence number */
		r = vb_afalg_op(fd, enc, enc ? seq++ : 1, in, in_len, out, want);
		if (r != (ssize_t)want) {
			fprintf(stderr, "vipsec_vm_bench: AF_ALG %s %u: %s\n",
				row.dir, len, r < 0 ? strerror(errno) : "short read");
			return -1;
		}
		n++;
	} while (vb_now_ns() < deadline);
	row.pkts = n;
	row.ns = vb_now_ns() - t0;
	vb_mark_end(row.id, n);
	vb_row_print(&row);
	if (enc) {	/* keep one sealed packet (seq 1) for decrypt */
		r = vb_afalg_op(fd, 1, 1, in, in_len, ct, ct_len);
		if (r != (ssize_t)want)
			return -1;
	}
	return 0;
}

int vb_afalg_run(double secs, const uint32_t *sizes, unsigned int nsizes)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG, .salg_type = "aead",
				   .salg_name = VB_ALG };
	static uint8_t ct[VB_ASSOC + VB_BUF_LEN];
	char drv[48], path[64];
	unsigned int i;
	int tfm, fd, rc = 0;

	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0 || bind(tfm, (struct sockaddr *)&sa, sizeof(sa))) {
		printf("AF_ALG %s: not available (%s): rows skipped\n", VB_ALG,
		       strerror(errno));
		if (tfm >= 0)
			close(tfm);
		return 77;
	}
	if (setsockopt(tfm, SOL_ALG, ALG_SET_KEY, vb_keymat, sizeof(vb_keymat)) ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL, VB_ICV) ||
	    (fd = accept(tfm, NULL, 0)) < 0) {
		fprintf(stderr, "vipsec_vm_bench: AF_ALG setup: %s\n", strerror(errno));
		close(tfm);
		return 1;
	}
	vb_afalg_driver(drv, sizeof(drv));
	snprintf(path, sizeof(path), "AF_ALG %s", drv);
	for (i = 0; i < nsizes && !rc; i++) {
		uint32_t plen = (sizes[i] + 2 + 3) & ~3u;
		size_t ct_len = VB_ASSOC + plen + VB_ICV;

		if (vb_afalg_one(fd, path, sizes[i], 1, secs, ct, ct_len) ||
		    vb_afalg_one(fd, path, sizes[i], 0, secs, ct, ct_len))
			rc = 1;
	}
	close(fd);
	close(tfm);
	return rc;
}
