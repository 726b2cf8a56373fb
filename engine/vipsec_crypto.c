// SPDX-License-Identifier: BSD-3-Clause
/* vpe_crypto: backend selection and helpers shared by backends. */
#include <endian.h>
#include <stdio.h>
#include <string.h>

#include "vipsec_afalg.h"
#include "vipsec_crypto.h"

struct vpe_crypto *vpe_crypto_new(const char *name, char *err, size_t err_len)
{
	bool is_auto = !name || !strcmp(name, "auto");

	/*
	 * "auto" prefers the kernel backend where AF_ALG offers the ESP
	 * templates (that is how a host's crypto drivers are reached), and
	 * falls back to intel-ipsec-mb. The probe runs once per process.
	 */
	if (!strcmp(name ? name : "", "kernel") ||
	    (is_auto && vpe_afalg_usable()))
		return vpe_crypto_kernel_new(err, err_len);
	if (is_auto || !strcmp(name, "ipsec-mb"))
		return vpe_crypto_ipsecmb_new(err, err_len);
	if (err && err_len)
		snprintf(err, err_len, "crypto backend '%s' is not available",
			 name);
	return NULL;
}

void vpe_crypto_free(struct vpe_crypto *c)
{
	if (c)
		c->ops->destroy(c);
}

int vpe_memneq(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t acc = 0, x, y;
	size_t i = 0;

	/* 8 bytes a step (ICVs are 8, 12 or 16 bytes), then the tail */
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		acc |= x ^ y;
	}
	for (; i < n; i++)
		acc |= (uint64_t)(a[i] ^ b[i]);
	/* Constant time: the compiler must not turn the OR into an early
	 * exit, so acc passes through an opaque barrier before the test. */
	__asm__ volatile("" : "+r"(acc));
	return acc != 0;
}

void vpe_iv_from_seq(uint64_t seq, uint8_t iv[8])
{
	uint64_t be = htobe64(seq); /* one store, not eight */

	memcpy(iv, &be, 8);
}
