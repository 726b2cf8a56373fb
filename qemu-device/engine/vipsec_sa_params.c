// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_sa_params: decoding and validation of struct
 * virtio_ipsec_sa_params from guest bytes. Each check returns the most
 * specific status the ABI has; the order is: malformed fields (INVAL),
 * defined but unsupported features (NOTSUPP), algorithm rules, keys.
 */
#include <stddef.h>
#include <string.h>

#include "vipsec_le.h"
#include "vipsec_sa.h"

#define P(field) (wire + VIPSEC_OFF(virtio_ipsec_sa_params, field))
#define FSIZE(field) sizeof(((struct virtio_ipsec_sa_params *)0)->field)

static int is_aead(uint8_t alg)
{
	return alg == VIRTIO_IPSEC_CIPHER_AES_GCM ||
	       alg == VIRTIO_IPSEC_CIPHER_AES_CCM ||
	       alg == VIRTIO_IPSEC_CIPHER_AES_GMAC;
}

static uint8_t check_header_fields(const uint8_t *wire,
				   const struct vipsec_sa_limits *lim,
				   struct vipsec_sa_cfg *cfg)
{
	cfg->spi = vipsec_ld32(P(spi));
	cfg->direction = *P(direction);
	cfg->mode = *P(mode);
	cfg->ip_version = *P(ip_version);
	cfg->options = vipsec_ld32(P(options));
	cfg->replay_window = vipsec_ld32(P(replay_window));

	if (!vipsec_all_zero(P(reserved0), FSIZE(reserved0)) ||
	    !vipsec_all_zero(P(reserved1), FSIZE(reserved1)) ||
	    !vipsec_all_zero(P(reserved2), FSIZE(reserved2)))
		return VIRTIO_IPSEC_INVAL;
	if (cfg->direction != VIRTIO_IPSEC_DIR_INBOUND &&
	    cfg->direction != VIRTIO_IPSEC_DIR_OUTBOUND)
		return VIRTIO_IPSEC_INVAL;
	if (cfg->mode == VIRTIO_IPSEC_MODE_TRANSPORT)
		return VIRTIO_IPSEC_NOTSUPP;
	if (cfg->mode != VIRTIO_IPSEC_MODE_TUNNEL)
		return VIRTIO_IPSEC_INVAL;
	if (*P(protocol) == 51)		/* AH */
		return VIRTIO_IPSEC_NOTSUPP;
	if (*P(protocol) != VIRTIO_IPSEC_PROTO_ESP)
		return VIRTIO_IPSEC_INVAL;
	if (cfg->ip_version == VIRTIO_IPSEC_IPV6)
		return VIRTIO_IPSEC_NOTSUPP;
	if (cfg->ip_version != VIRTIO_IPSEC_IPV4)
		return VIRTIO_IPSEC_INVAL;
	if (cfg->options & ~lim->options_supported)
		return VIRTIO_IPSEC_NOTSUPP;
	return VIRTIO_IPSEC_OK;
}

/* Fields that only mean something with an option must be zero without. */
static uint8_t check_option_fields(const uint8_t *wire,
				   struct vipsec_sa_cfg *cfg,
				   const struct vipsec_sa_limits *lim)
{
	uint32_t o = cfg->options;

	if (!(o & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP) &&
	    (vipsec_ld16(P(udp_src_port)) || vipsec_ld16(P(udp_dst_port)) ||
	     !vipsec_all_zero(P(nat_oa), FSIZE(nat_oa))))
		return VIRTIO_IPSEC_INVAL;
	if (!(o & VIRTIO_IPSEC_SA_OPT_TFC_PAD) && vipsec_ld32(P(tfc_pad_to)))
		return VIRTIO_IPSEC_INVAL;
	if (!(o & VIRTIO_IPSEC_SA_OPT_SELECTOR) &&
	    (*P(sel_prefix_len) || !vipsec_all_zero(P(sel_src),
						    FSIZE(sel_src))))
		return VIRTIO_IPSEC_INVAL;
	if (cfg->ip_version == VIRTIO_IPSEC_IPV4 && vipsec_ld32(P(flow_label)))
		return VIRTIO_IPSEC_INVAL;
	/* Events and lifetimes need the event queue / F_LIFETIME. */
	if (vipsec_ld32(P(seq_notify_interval)) ||
	    !vipsec_all_zero(P(soft_bytes), 6 * sizeof(uint64_t)))
		return VIRTIO_IPSEC_NOTSUPP;
	if (o & VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY) {
		if (cfg->replay_window == 0 ||
		    cfg->replay_window > lim->max_replay_window)
			return VIRTIO_IPSEC_INVAL;
	} else if (cfg->replay_window) {
		return VIRTIO_IPSEC_INVAL;
	}
	return VIRTIO_IPSEC_OK;
}

static uint8_t check_tunnel_fields(const uint8_t *wire,
				   struct vipsec_sa_cfg *cfg)
{
	memcpy(cfg->tun_src, P(tun_src), sizeof(cfg->tun_src));
	memcpy(cfg->tun_dst, P(tun_dst), sizeof(cfg->tun_dst));
	cfg->dscp_mode = *P(dscp_mode);
	cfg->dscp = *P(dscp);
	cfg->df_mode = *P(df_mode);
	cfg->ttl = *P(ttl);
	cfg->initial_seq = vipsec_ld64(P(initial_seq));

	if (!vipsec_all_zero(cfg->tun_src + 4, 12) ||
	    !vipsec_all_zero(cfg->tun_dst + 4, 12))
		return VIRTIO_IPSEC_INVAL;
	if (cfg->dscp_mode > VIRTIO_IPSEC_HDR_SET ||
	    cfg->df_mode > VIRTIO_IPSEC_HDR_SET || cfg->dscp > 63)
		return VIRTIO_IPSEC_INVAL;
	if (cfg->direction == VIRTIO_IPSEC_DIR_INBOUND && cfg->initial_seq)
		return VIRTIO_IPSEC_INVAL;
	if (!(cfg->options & VIRTIO_IPSEC_SA_OPT_ESN) &&
	    cfg->initial_seq > UINT32_MAX)
		return VIRTIO_IPSEC_INVAL;
	return VIRTIO_IPSEC_OK;
}

static uint8_t check_algorithms(const uint8_t *wire,
				const struct vipsec_sa_limits *lim,
				struct vipsec_sa_cfg *cfg)
{
	uint8_t c = *P(cipher_alg), a = *P(auth_alg);
	int integrity;

	cfg->cipher_alg = c;
	cfg->auth_alg = a;
	cfg->icv_len = *P(icv_len);
	cfg->cipher_key_len = *P(cipher_key_len);
	cfg->salt_len = *P(salt_len);
	cfg->auth_key_len = *P(auth_key_len);

	if (c < VIRTIO_IPSEC_CIPHER_NULL || c > VIRTIO_IPSEC_CIPHER_AES_GMAC ||
	    a < VIRTIO_IPSEC_AUTH_NONE || a > VIRTIO_IPSEC_AUTH_HMAC_SHA512)
		return VIRTIO_IPSEC_INVAL;
	integrity = is_aead(c) || a != VIRTIO_IPSEC_AUTH_NONE;
	/* NPF input errors: NULL/NULL, anti-replay without integrity. */
	if (c == VIRTIO_IPSEC_CIPHER_NULL && a == VIRTIO_IPSEC_AUTH_NONE)
		return VIRTIO_IPSEC_INVAL;
	if ((cfg->options & VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY) && !integrity)
		return VIRTIO_IPSEC_INVAL;
	if (is_aead(c) && a != VIRTIO_IPSEC_AUTH_NONE)
		return VIRTIO_IPSEC_INVAL;
	if (!lim->allow_weak_algos && (c == VIRTIO_IPSEC_CIPHER_DES_CBC ||
				       a == VIRTIO_IPSEC_AUTH_HMAC_MD5_96))
		return VIRTIO_IPSEC_NOTSUPP;
	if (!(lim->cipher_mask & (1ULL << c)) ||
	    !(lim->auth_mask & (1ULL << a)))
		return VIRTIO_IPSEC_NOTSUPP;
	/* Only AES-GCM gets here today. */
	if (cfg->cipher_key_len != 16 && cfg->cipher_key_len != 24 &&
	    cfg->cipher_key_len != 32)
		return VIRTIO_IPSEC_KEY_REJECT;
	if (*P(auth_key_len))
		return VIRTIO_IPSEC_KEY_REJECT;
	if (cfg->icv_len != 8 && cfg->icv_len != 12 && cfg->icv_len != 16)
		return VIRTIO_IPSEC_INVAL;
	if (cfg->salt_len != 4)
		return VIRTIO_IPSEC_INVAL;
	memcpy(cfg->cipher_key, P(cipher_key), cfg->cipher_key_len);
	memcpy(cfg->salt, P(salt), 4);
	return VIRTIO_IPSEC_OK;
}

uint8_t vipsec_sa_cfg_decode(const uint8_t *wire,
			     const struct vipsec_sa_limits *lim,
			     struct vipsec_sa_cfg *cfg)
{
	uint8_t st;

	memset(cfg, 0, sizeof(*cfg));
	st = check_header_fields(wire, lim, cfg);
	if (st == VIRTIO_IPSEC_OK)
		st = check_option_fields(wire, cfg, lim);
	if (st == VIRTIO_IPSEC_OK)
		st = check_tunnel_fields(wire, cfg);
	if (st == VIRTIO_IPSEC_OK)
		st = check_algorithms(wire, lim, cfg);
	return st;
}
