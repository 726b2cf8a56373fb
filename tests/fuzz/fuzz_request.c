// SPDX-License-Identifier: BSD-3-Clause
/*
 * libFuzzer target: the request decoder (vpe_core_handle_ctrl and
 * vpe_core_handle_data) against the fixed SA set of fuzz_sas.c.
 *
 * Input: a sequence of records
 *   u8 queue (bit 0: 0 control, 1 data) | le16 req_len | le16 resp_cap |
 *   req_len bytes of request
 * Each request and each response buffer is a heap block of exactly its
 * size, so AddressSanitizer catches a read past req_len or a write past
 * resp_cap. The returned used length must fit resp_cap.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_sas.h"

#define MAX_RESP	(2 * FUZZ_MAX_PKT + 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vpe_core *core;

	if (!core)
		core = fuzz_core_new();
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
		used = q ? vpe_core_handle_data(core, req, req_len, resp, cap)
			 : vpe_core_handle_ctrl(core, req, req_len, resp, cap);
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
