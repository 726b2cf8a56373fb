/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_esp: RFC 4303 ESP packet formats. The algorithm is the crypto
 * backend's business (vipsec_crypto.h); the SA carries its shape:
 * explicit IV length, payload alignment, ICV length.
 *
 * Tunnel mode (outer IPv4 or IPv6 from the SA's template, any inner):
 *   outer IP | [UDP] | SPI | seq | IV |
 *   E(inner packet | [TFC zeros] | pad 1,2,.. | pad length | 4 or 41) | ICV
 * Transport mode (the packet's own IPv4 header, or IPv6 header with the
 * hop-by-hop, routing and leading destination options headers, kept):
 *   IP hdr (next header 50, or 17) | [UDP] | SPI | seq | IV |
 *   E(upper layer | pad | pad length | its protocol) | ICV
 * [UDP] is the RFC 3948 header with the SA's ports (UDP_ENCAP).
 */
#ifndef VPE_ESP_H
#define VPE_ESP_H

#include <stdint.h>

#include "vipsec_crypto.h"
#include "vipsec_sa.h"

#define VPE_ESP_HLEN	  8 /* SPI + sequence number */
#define VPE_ESP_MAX_IVLEN 16

struct vpe_esp_res {
	uint8_t status;	  /* VIRTIO_IPSEC_* */
	uint32_t out_len; /* bytes written; DST_TOO_SMALL: needed */
	uint64_t seq;	  /* sequence number used or seen */
};

/*
 * Output size of encap for an inner packet of in_len bytes (tunnel mode;
 * transport mode: an upper bound, the IP header is not known here).
 */
uint32_t vpe_esp_encap_len(const struct vpe_sa *sa, uint32_t in_len);

/*
 * Tunnel mode: the bytes in front of the payload (outer IP, UDP, SPI, seq,
 * IV): the headroom an in-place encapsulation leaves (vpe_esp_pkt). 0 in
 * transport mode.
 */
uint32_t vpe_esp_encap_hdr_len(const struct vpe_sa *sa);

/*
 * Encapsulates one inner IPv4/IPv6 packet with an outbound SA. out must
 * not overlap in, except in place (vpe_esp_pkt).
 */
void vpe_esp_encap(struct vpe_crypto *c, struct vpe_sa *sa, const uint8_t *in,
		   uint32_t in_len, uint8_t *out, uint32_t out_cap,
		   struct vpe_esp_res *res);

/*
 * One packet of a burst. out must not overlap in, except in place, which
 * encap takes in tunnel mode in two forms (out_cap counts from out and
 * covers the whole ESP packet, trailer and ICV included):
 *   in == out + vpe_esp_encap_hdr_len(sa): the inner packet already lies
 *     where its ciphertext goes, after headroom for the headers; sealed
 *     where it is, in one piece (no copy: the fastest form);
 *   in == out: the inner packet is moved up by the headroom first.
 * The input is then overwritten (ciphertext, or zeroes on an error).
 */
struct vpe_esp_pkt {
	struct vpe_sa *sa;
	const uint8_t *in;
	uint32_t in_len;
	uint8_t *out;
	uint32_t out_cap;
};

/*
 * Before a burst's first packet is touched: start loading every packet's
 * SA and then its key, so that with many SAs (state far from cache) the
 * misses of the whole burst overlap instead of coming one per packet.
 */
void vpe_esp_prefetch(const struct vpe_crypto *c, const struct vpe_esp_pkt *p,
		      unsigned int n);

/* Packets per backend call inside the burst functions (any n is fine). */
#define VPE_ESP_BURST 64

/*
 * n packets, each as vpe_esp_encap / vpe_esp_decap would do them in
 * order, with the crypto of up to VPE_ESP_BURST packets in one backend
 * call. res[i] is packet i's result.
 */
void vpe_esp_encap_burst(struct vpe_crypto *c, const struct vpe_esp_pkt *p,
			 unsigned int n, struct vpe_esp_res *res);
void vpe_esp_decap_burst(struct vpe_crypto *c, const struct vpe_esp_pkt *p,
			 unsigned int n, struct vpe_esp_res *res);

/*
 * Decapsulates one ESP packet (IPv4 or IPv6, optionally in UDP) with an
 * inbound SA, writing the inner packet (tunnel) or the packet with its
 * IP header restored (transport) to out. out must not overlap in and
 * must hold the ciphertext (plus the IP header in transport mode).
 */
void vpe_esp_decap(struct vpe_crypto *c, struct vpe_sa *sa, const uint8_t *in,
		   uint32_t in_len, uint8_t *out, uint32_t out_cap,
		   struct vpe_esp_res *res);

/*
 * Lower-level pieces, exposed for published test vectors whose IVs are
 * not derived from the sequence number.
 *
 * vpe_esp_seal: writes SPI, seq, iv (sa->iv_len bytes), then pt_len
 * bytes of ciphertext of pt (payload, padding and trailer already in
 * place), then the ICV, to esp (8 + iv_len + pt_len + icv_len bytes).
 * pt may be esp + 8 + iv_len. Returns 0, or the backend's negative errno
 * (the ICV is then not valid and the packet must not be sent).
 */
int vpe_esp_seal(struct vpe_crypto *c, const struct vpe_sa *sa, uint64_t seq,
		 const uint8_t *iv, const uint8_t *pt, uint32_t pt_len,
		 uint8_t *esp);

/*
 * vpe_esp_open: verifies and decrypts an ESP packet (from the SPI on,
 * esp_len bytes) into pt (esp_len - 8 - iv_len - icv_len bytes: payload, padding
 * and trailer). No SPI, replay or trailer checks. Returns VIRTIO_IPSEC_OK,
 * BADPKT (too short) or BADMSG (ICV mismatch; pt is zeroed).
 */
uint8_t vpe_esp_open(struct vpe_crypto *c, const struct vpe_sa *sa,
		     uint64_t seq, const uint8_t *esp, uint32_t esp_len,
		     uint8_t *pt);

/*
 * Checks the padding (1, 2, 3, ...) and next header of a decrypted
 * payload of len bytes. Returns the inner packet length, or -1.
 */
int32_t vpe_esp_trailer(const uint8_t *pt, uint32_t len, uint8_t *nh);

/*
 * Builds the outer header template from the SA's mode, IP version,
 * endpoints, TTL (sa->st.ttl) and flow label. Called whenever one of them
 * changes (SA_ADD, SA_MOD).
 */
void vpe_esp_tmpl_init(struct vpe_sa *sa);

#endif /* VPE_ESP_H */
