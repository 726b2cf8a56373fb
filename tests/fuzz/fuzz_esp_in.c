// SPDX-License-Identifier: BSD-3-Clause
/*
 * libFuzzer target: the inbound ESP path. Byte 0 picks one of the fixed
 * inbound SAs (fuzz_sas.c: several algorithms, modes and options), the
 * rest is the packet handed to DECAP. The SA is re-created for every
 * input so that replay state never makes a result depend on history;
 * only the one the input picks, so that key setup does not dominate.
 */
#include <stdlib.h>

#include "fuzz_sas.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vpe_core *core;
	static uint8_t out[FUZZ_MAX_PKT];
	size_t out_len = 0;
	int st;

	if (size < 1)
		return 0;
	if (!core)
		core = fuzz_core_new();
	vpe_core_reset(core);
	if (!fuzz_add_inbound(core, data[0] % FUZZ_NSAS))
		return 0;
	st = fuzz_xform(core, VIRTIO_IPSEC_OP_DECAP, 1 + data[0] % FUZZ_NSAS,
			data + 1, size - 1, out, &out_len);
	/* Decapsulation never grows a packet. */
	if (st == VIRTIO_IPSEC_OK && out_len > size - 1)
		abort();
	return 0;
}
