/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_afalg: crypto backend on the Linux kernel crypto API through
 * AF_ALG "aead" sockets, with the templates XFRM itself instantiates
 * (rfc4106(gcm(aes)), authencesn(hmac(sha256),cbc(aes)), ...), so that a
 * host's hardware crypto drivers are reached exactly as the kernel's own
 * ESP reaches them.
 */
#ifndef VPE_AFALG_H
#define VPE_AFALG_H

#include <stdbool.h>
#include <stddef.h>

#include "vipsec_crypto.h"

/*
 * Creates the kernel backend. Returns NULL with a message in err when
 * AF_ALG is missing (no algif_aead, or a kernel without it) or when the
 * kernel accepts none of the ESP templates.
 */
struct vpe_crypto *vpe_crypto_kernel_new(char *err, size_t err_len);

/*
 * True when the running kernel offers AF_ALG AEAD with at least
 * rfc4106(gcm(aes)). Probed once per process; cheap afterwards.
 */
bool vpe_afalg_usable(void);

#endif /* VPE_AFALG_H */
