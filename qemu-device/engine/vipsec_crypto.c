// SPDX-License-Identifier: BSD-3-Clause
/* vipsec_crypto: backend selection and helpers shared by backends. */
#include <stdio.h>
#include <string.h>

#include "vipsec_crypto.h"

struct vipsec_crypto *vipsec_crypto_new(const char *name, char *err,
					size_t err_len)
{
	/*
	 * "auto" will prefer the kernel (AF_ALG) backend once it exists;
	 * until then it means intel-ipsec-mb.
	 */
	if (!name || !strcmp(name, "auto") || !strcmp(name, "ipsec-mb"))
		return vipsec_crypto_ipsecmb_new(err, err_len);
	if (err && err_len)
		snprintf(err, err_len, "crypto backend '%s' is not available",
			 name);
	return NULL;
}

void vipsec_crypto_free(struct vipsec_crypto *c)
{
	if (c)
		c->ops->destroy(c);
}

int vipsec_memneq(const uint8_t *a, const uint8_t *b, size_t n)
{
	volatile uint8_t acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= a[i] ^ b[i];
	return acc != 0;
}

void vipsec_iv_from_seq(uint64_t seq, uint8_t iv[8])
{
	int i;

	for (i = 7; i >= 0; i--) {
		iv[i] = (uint8_t)seq;
		seq >>= 8;
	}
}
