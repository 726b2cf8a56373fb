/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_esp: RFC 4303 ESP in tunnel mode, IPv4 outer header. The
 * algorithm is the crypto backend's business (vipsec_crypto.h); the SA
 * carries its shape: explicit IV length, payload alignment, ICV length.
 *
 * Packet layout produced by encap (and expected by decap):
 *   outer IPv4 (20) | SPI (4) | seq (4) | IV (iv_len) |
 *   E(inner packet | pad 1,2,.. | pad length | next header) | ICV
 */
#ifndef VIPSEC_ESP_H
#define VIPSEC_ESP_H

#include <stdint.h>

#include "vipsec_crypto.h"
#include "vipsec_sa.h"

#define VIPSEC_ESP_HLEN		8	/* SPI + sequence number */
#define VIPSEC_ESP_MAX_IVLEN	16

struct vipsec_esp_res {
	uint8_t status;		/* VIRTIO_IPSEC_* */
	uint32_t out_len;	/* bytes written; DST_TOO_SMALL: needed */
	uint64_t seq;		/* sequence number used or seen */
};

/* Output size of encap for an inner packet of in_len bytes. */
uint32_t vipsec_esp_encap_len(const struct vipsec_sa *sa, uint32_t in_len);

/*
 * Encapsulates one inner IPv4/IPv6 packet with an outbound SA. out must
 * not overlap in.
 */
void vipsec_esp_encap(struct vipsec_crypto *c, struct vipsec_sa *sa,
		      const uint8_t *in, uint32_t in_len,
		      uint8_t *out, uint32_t out_cap,
		      struct vipsec_esp_res *res);

/*
 * Decapsulates one ESP-in-IPv4 packet with an inbound SA, writing the
 * inner packet to out. out must not overlap in.
 */
void vipsec_esp_decap(struct vipsec_crypto *c, struct vipsec_sa *sa,
		      const uint8_t *in, uint32_t in_len,
		      uint8_t *out, uint32_t out_cap,
		      struct vipsec_esp_res *res);

/*
 * Lower-level pieces, exposed for published test vectors whose IVs are
 * not derived from the sequence number.
 *
 * vipsec_esp_seal: writes SPI, seq, iv (sa->iv_len bytes), then pt_len
 * bytes of ciphertext of pt (payload, padding and trailer already in
 * place), then the ICV, to esp (8 + iv_len + pt_len + icv_len bytes).
 * pt may be esp + 8 + iv_len.
 */
void vipsec_esp_seal(struct vipsec_crypto *c, const struct vipsec_sa *sa,
		     uint64_t seq, const uint8_t *iv,
		     const uint8_t *pt, uint32_t pt_len, uint8_t *esp);

/*
 * vipsec_esp_open: verifies and decrypts an ESP packet (from the SPI on,
 * esp_len bytes) into pt (esp_len - 8 - iv_len - icv_len bytes: payload, padding
 * and trailer). No SPI, replay or trailer checks. Returns VIRTIO_IPSEC_OK,
 * BADPKT (too short) or BADMSG (ICV mismatch; pt is zeroed).
 */
uint8_t vipsec_esp_open(struct vipsec_crypto *c, const struct vipsec_sa *sa,
			uint64_t seq, const uint8_t *esp, uint32_t esp_len,
			uint8_t *pt);

/*
 * Checks the padding (1, 2, 3, ...) and next header of a decrypted
 * payload of len bytes. Returns the inner packet length, or -1.
 */
int32_t vipsec_esp_trailer(const uint8_t *pt, uint32_t len, uint8_t *nh);

#endif /* VIPSEC_ESP_H */
