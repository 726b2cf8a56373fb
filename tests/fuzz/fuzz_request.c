// SPDX-License-Identifier: BSD-3-Clause
/*
 * libFuzzer target: the request decoder (vpe_core_handle_ctrl and
 * vpe_core_handle_data) against the fixed SA set of fuzz_sas.c.
 *
 * Input: a sequence of records
 *   u8 queue (bit 0: 0 control, 1 data; bit 1 with 1: the zero-copy
 *   form, vpe_queue_handle_data_sg, both parts cut into entries of
 *   1 .. (queue >> 2) + 1 bytes) | le16 req_len | le16 resp_cap |
 *   req_len bytes of request
 * Each request and each response buffer (each iovec entry) is a heap
 * block of exactly its size, so AddressSanitizer catches a read past
 * req_len or a write past resp_cap, or one entry read for another. The
 * returned used length must fit resp_cap.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_sas.h"

#define MAX_RESP	(2 * FUZZ_MAX_PKT + 1024)
#define MAX_IOV		512

/* Cuts buf into exact-size heap entries of 1 .. step bytes (the last
 * takes what is left); returns the count. */
static unsigned int cut(const uint8_t *buf, size_t len, unsigned int step,
			struct iovec *v)
{
	unsigned int n = 0;
	size_t off = 0;

	while (off < len) {
		size_t k = n == MAX_IOV - 1 ? len - off :
			   1 + (off * 7 + n) % step;

		if (k > len - off)
			k = len - off;
		v[n].iov_base = malloc(k);
		if (!v[n].iov_base)
			abort();
		memcpy(v[n].iov_base, buf + off, k);
		v[n++].iov_len = k;
		off += k;
	}
	return n;
}

static void uncut(struct iovec *v, unsigned int n)
{
	while (n)
		free(v[--n].iov_base);
}

/* The zero-copy form of one data request. */
static ssize_t data_sg(struct vpe_queue *q, const uint8_t *req,
		       size_t req_len, uint8_t *resp, size_t cap,
		       unsigned int step)
{
	static struct iovec out[MAX_IOV], in[MAX_IOV];
	unsigned int no = cut(req, req_len, step, out);
	unsigned int ni = cut(resp, cap, step, in);
	ssize_t used = vpe_queue_handle_data_sg(q, out, no, in, ni);

	uncut(out, no);
	uncut(in, ni);
	return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vpe_core *core;
	static struct vpe_queue *dq;

	if (!core) {
		core = fuzz_core_new();
		dq = vpe_queue_new(core, NULL, 0);
		if (!dq)
			abort();
	}
	vpe_core_reset(core);
	fuzz_add_sas(core);
	while (size >= 5) {
		int q = data[0] & 1;
		size_t req_len = data[1] | data[2] << 8;
		size_t cap = (data[3] | data[4] << 8) % (MAX_RESP + 1);
		uint8_t *req, *resp;
		ssize_t used;

		data += 5;
		size -= 5;
		if (req_len > size)
			req_len = size;
		req = malloc(req_len ? req_len : 1);
		resp = malloc(cap ? cap : 1);
		if (!req || !resp)
			abort();
		memcpy(req, data, req_len);
		memset(resp, 0xa5, cap);
		if (q && (data[-5] & 2))
			used = data_sg(dq, req, req_len, resp, cap,
				       (data[-5] >> 2) + 1u);
		else if (q)
			used = vpe_core_handle_data(core, req, req_len, resp,
						    cap);
		else
			used = vpe_core_handle_ctrl(core, req, req_len, resp,
						    cap);
		if (used > (ssize_t)cap)
			abort();
		if (used < 0 && cap >= sizeof(struct virtio_ipsec_resp_footer))
			abort();	/* -1 only when even the footer cannot fit */
		free(req);
		free(resp);
		data += req_len;
		size -= req_len;
	}
	return 0;
}
