// SPDX-License-Identifier: BSD-3-Clause
/*
 * libFuzzer target: the engine state import (vpe_mig_import), the
 * destination side of a live migration, whose input is untrusted.
 *
 * The base is the real export of a core holding the fixed SA set of
 * fuzz_sas.c after some traffic; the input edits it (so the fuzzer works
 * on well-formed records from the first run, without seed files):
 *   u8 flags (bit 0: truncate, bit 1: keep the header as edited) |
 *   le16 truncation point | then records of le16 offset, u8 xor value.
 * Unless bit 1 is set, the header's length and CRC are fixed up so the
 * records themselves are what gets checked. Invariants: an import that is
 * refused says why and leaves the core empty; an accepted stream exports
 * again to a stream that imports into a second core and exports to the
 * same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_sas.h"
#include "vipsec_core_priv.h"
#include "vipsec_migrate.h"

static uint32_t crc32_le(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static void st32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vpe_core *a, *b;
	static uint8_t *base;
	static size_t base_len;
	uint8_t *s, *e1, *e2, flags;
	size_t len, l1, l2;
	char err[256];

	if (!base) {
		struct vpe_core *src = fuzz_core_new();
		uint8_t pkt[256], out[512];
		size_t n, ol;
		int i;

		vpe_core_tick(src, 10);
		fuzz_add_sas(src);
		n = fuzz_inner_packet(4, 200, pkt);
		for (i = 0; i < 5; i++) {
			ol = sizeof(out);
			fuzz_xform(src, VIRTIO_IPSEC_OP_ENCAP, FUZZ_NSAS + 1,
				   pkt, n, out, &ol);
			ol = sizeof(out);
			fuzz_xform(src, VIRTIO_IPSEC_OP_ENCAP, FUZZ_NSAS + 2,
				   pkt, n, out, &ol);
		}
		base = vpe_mig_export_alloc(src, &base_len);
		if (!base)
			abort();
		vpe_core_free(src);
		a = fuzz_core_new();
		b = fuzz_core_new();
	}
	if (size < 3)
		return 0;
	flags = data[0];
	len = base_len;
	if (flags & 1)
		len = (size_t)(data[1] | data[2] << 8) % (base_len + 1);
	s = malloc(len ? len : 1);
	if (!s)
		abort();
	memcpy(s, base, len);
	for (data += 3, size -= 3; size >= 3 && len; data += 3, size -= 3)
		s[(size_t)(data[0] | data[1] << 8) % len] ^= data[2];
	if (!(flags & 2) && len >= 24) {
		st32(s + 12, (uint32_t)(len - 24));
		st32(s + 16, crc32_le(s + 24, len - 24));
	}
	err[0] = '\0';
	if (vpe_mig_import(a, s, len, err, sizeof(err))) {
		if (!err[0] || !vpe_mig_idle(a))
			abort();	/* refused: a message, and nothing kept */
	} else {
		e1 = vpe_mig_export_alloc(a, &l1);
		if (!e1 || vpe_mig_import(b, e1, l1, err, sizeof(err)))
			abort();	/* what we accept, we can send on */
		e2 = vpe_mig_export_alloc(b, &l2);
		if (!e2 || l1 != l2 || memcmp(e1, e2, l1))
			abort();
		vpe_mig_free(e1, l1);
		vpe_mig_free(e2, l2);
		vpe_core_reset(a);
		vpe_core_reset(b);
	}
	vpe_mig_free(s, len);
	return 0;
}
