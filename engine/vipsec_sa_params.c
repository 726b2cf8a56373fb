// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_sa_params: decoding and validation of struct
 * virtio_ipsec_sa_params from guest bytes. Each check returns the most
 * specific status the ABI has; the order is: malformed fields (INVAL),
 * defined but unsupported features (NOTSUPP), algorithm rules, keys.
 */
#include <stddef.h>
#include <string.h>

#include "vipsec_ipv6.h"
#include "vipsec_le.h"
#include "vipsec_sa.h"
#include "vpe_algs.h"

#define P(field)     (wire + VPE_OFF(virtio_ipsec_sa_params, field))
#define FSIZE(field) sizeof(((struct virtio_ipsec_sa_params *)0)->field)

static int has_feature(const struct vpe_sa_limits *lim, unsigned int bit)
{
	return !!(lim->features & (1ULL << bit));
}

static uint8_t check_header_fields(const uint8_t *wire,
				   const struct vpe_sa_limits *lim,
				   struct vpe_sa_cfg *cfg)
{
	cfg->spi = vpe_ld32(P(spi));
	cfg->direction = *P(direction);
	cfg->mode = *P(mode);
	cfg->ip_version = *P(ip_version);
	cfg->options = vpe_ld32(P(options));
	cfg->replay_window = vpe_ld32(P(replay_window));

	if (!vpe_all_zero(P(reserved0), FSIZE(reserved0)) ||
	    !vpe_all_zero(P(reserved1), FSIZE(reserved1)) ||
	    !vpe_all_zero(P(reserved2), FSIZE(reserved2)) || *P(reserved3))
		return VIRTIO_IPSEC_INVAL;
	if (cfg->direction != VIRTIO_IPSEC_DIR_INBOUND &&
	    cfg->direction != VIRTIO_IPSEC_DIR_OUTBOUND)
		return VIRTIO_IPSEC_INVAL;
	if (cfg->mode != VIRTIO_IPSEC_MODE_TUNNEL &&
	    cfg->mode != VIRTIO_IPSEC_MODE_TRANSPORT)
		return VIRTIO_IPSEC_INVAL;
	if (*P(protocol) == 51) /* AH */
		return VIRTIO_IPSEC_NOTSUPP;
	if (*P(protocol) != VIRTIO_IPSEC_PROTO_ESP)
		return VIRTIO_IPSEC_INVAL;
	if (cfg->ip_version != VIRTIO_IPSEC_IPV4 &&
	    cfg->ip_version != VIRTIO_IPSEC_IPV6)
		return VIRTIO_IPSEC_INVAL;
	if (cfg->options & ~lim->options_supported)
		return VIRTIO_IPSEC_NOTSUPP;
	/* Defined values whose feature the driver did not negotiate. */
	if ((cfg->mode == VIRTIO_IPSEC_MODE_TRANSPORT &&
	     !has_feature(lim, VIRTIO_IPSEC_F_TRANSPORT)) ||
	    (cfg->ip_version == VIRTIO_IPSEC_IPV6 &&
	     !has_feature(lim, VIRTIO_IPSEC_F_IPV6)) ||
	    ((cfg->options & VIRTIO_IPSEC_SA_OPT_ESN) &&
	     !has_feature(lim, VIRTIO_IPSEC_F_ESN)) ||
	    ((cfg->options & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP) &&
	     !has_feature(lim, VIRTIO_IPSEC_F_UDP_ENCAP)))
		return VIRTIO_IPSEC_NOTSUPP;
	return VIRTIO_IPSEC_OK;
}

/*
 * Lifetimes need F_LIFETIME, sequence announcements the event queue
 * (they are events). A soft limit above its hard limit could never fire.
 */
static uint8_t decode_lifetimes(const uint8_t *wire,
				const struct vpe_sa_limits *lim,
				struct vpe_sa_cfg *cfg)
{
	struct vpe_life *l = &cfg->life;

	cfg->seq_notify_interval = vpe_ld32(P(seq_notify_interval));
	l->soft_bytes = vpe_ld64(P(soft_bytes));
	l->hard_bytes = vpe_ld64(P(hard_bytes));
	l->soft_packets = vpe_ld64(P(soft_packets));
	l->hard_packets = vpe_ld64(P(hard_packets));
	l->soft_seconds = vpe_ld64(P(soft_seconds));
	l->hard_seconds = vpe_ld64(P(hard_seconds));
	if (cfg->seq_notify_interval &&
	    !(lim->features & (1ULL << VIRTIO_IPSEC_F_EVENTQ)))
		return VIRTIO_IPSEC_NOTSUPP;
	if (!vpe_all_zero(P(soft_bytes), 6 * sizeof(uint64_t)) &&
	    !(lim->features & (1ULL << VIRTIO_IPSEC_F_LIFETIME)))
		return VIRTIO_IPSEC_NOTSUPP;
	if ((l->hard_bytes && l->soft_bytes > l->hard_bytes) ||
	    (l->hard_packets && l->soft_packets > l->hard_packets) ||
	    (l->hard_seconds && l->soft_seconds > l->hard_seconds))
		return VIRTIO_IPSEC_INVAL;
	return VIRTIO_IPSEC_OK;
}

/* A prefix with no bits set past its length, in a 16-byte field. */
static int prefix_clean(const uint8_t *a, unsigned int bits)
{
	unsigned int i;

	for (i = bits / 8; i < 16; i++) {
		uint8_t m = i == bits / 8 ? (uint8_t)(0xff >> (bits % 8)) :
					    0xff;

		if (a[i] & m)
			return 0;
	}
	return 1;
}

/*
 * The packet-format options: what each needs, and which SAs it makes
 * sense on. ECN and DEC_TTL act on the inner header of tunnel decap,
 * TFC padding needs the inner packet's own length (tunnel mode, RFC 4303
 * 2.4), the selector checks inbound packets, NAT-OA serves the transport
 * mode checksum fix-up.
 */
static uint8_t check_format_options(const uint8_t *wire, struct vpe_sa_cfg *cfg)
{
	uint32_t o = cfg->options, alen;
	int tunnel = cfg->mode == VIRTIO_IPSEC_MODE_TUNNEL;
	int inbound = cfg->direction == VIRTIO_IPSEC_DIR_INBOUND;

	cfg->udp_sport = vpe_ld16(P(udp_src_port));
	cfg->udp_dport = vpe_ld16(P(udp_dst_port));
	memcpy(cfg->nat_oa, P(nat_oa), sizeof(cfg->nat_oa));
	cfg->flow_label = vpe_ld32(P(flow_label));
	cfg->tfc_pad_to = vpe_ld32(P(tfc_pad_to));
	memcpy(cfg->sel_src, P(sel_src), sizeof(cfg->sel_src));
	cfg->sel_prefix_len = *P(sel_prefix_len);
	alen = cfg->ip_version == VIRTIO_IPSEC_IPV6 ? 16 : 4;

	if ((o & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP) &&
	    (!cfg->udp_sport || !cfg->udp_dport))
		return VIRTIO_IPSEC_INVAL;
	if (!vpe_all_zero(cfg->nat_oa, 16) &&
	    (tunnel || !vpe_all_zero(cfg->nat_oa + alen, 16 - alen)))
		return VIRTIO_IPSEC_INVAL;
	if (cfg->flow_label & ~VPE_IPV6_FLOW_MASK ||
	    (cfg->flow_label && !tunnel))
		return VIRTIO_IPSEC_INVAL;
	/*
	 * ECN (RFC 6040) acts in both directions: normal-mode copy on
	 * encap, the combination rules on decap. Transport mode keeps the
	 * packet's own header, so the option is a no-op there (the g-API's
	 * ECN flags are not mode specific).
	 */
	if ((o & VIRTIO_IPSEC_SA_OPT_DEC_TTL) && (!tunnel || !inbound))
		return VIRTIO_IPSEC_INVAL;
	if ((o & VIRTIO_IPSEC_SA_OPT_TFC_PAD) &&
	    (!tunnel || cfg->tfc_pad_to == 0 || cfg->tfc_pad_to > 0xffff))
		return VIRTIO_IPSEC_INVAL;
	if (o & VIRTIO_IPSEC_SA_OPT_SELECTOR) {
		if (!inbound || cfg->sel_prefix_len > alen * 8 ||
		    !prefix_clean(cfg->sel_src, cfg->sel_prefix_len))
			return VIRTIO_IPSEC_INVAL;
	}
	return VIRTIO_IPSEC_OK;
}

uint8_t vpe_mtu_check(uint8_t direction, uint8_t ip_version, uint16_t path_mtu,
		      uint8_t frag_mode)
{
	uint16_t min = ip_version == VIRTIO_IPSEC_IPV6 ?
			       VIRTIO_IPSEC_MIN_MTU_IPV6 :
			       VIRTIO_IPSEC_MIN_MTU_IPV4;

	if (frag_mode > VIRTIO_IPSEC_FRAG_BEFORE)
		return VIRTIO_IPSEC_INVAL;
	/* A mode without an MTU would silently do nothing. */
	if (!path_mtu)
		return frag_mode ? VIRTIO_IPSEC_INVAL : VIRTIO_IPSEC_OK;
	/* Inbound SAs produce no ESP packets: nothing to limit. */
	if (direction != VIRTIO_IPSEC_DIR_OUTBOUND || path_mtu < min)
		return VIRTIO_IPSEC_INVAL;
	return VIRTIO_IPSEC_OK;
}

/* Fields that only mean something with an option must be zero without. */
static uint8_t check_option_fields(const uint8_t *wire, struct vpe_sa_cfg *cfg,
				   const struct vpe_sa_limits *lim)
{
	uint32_t o = cfg->options;
	uint8_t st;

	if (!(o & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP) &&
	    (vpe_ld16(P(udp_src_port)) || vpe_ld16(P(udp_dst_port)) ||
	     !vpe_all_zero(P(nat_oa), FSIZE(nat_oa))))
		return VIRTIO_IPSEC_INVAL;
	if (!(o & VIRTIO_IPSEC_SA_OPT_TFC_PAD) && vpe_ld32(P(tfc_pad_to)))
		return VIRTIO_IPSEC_INVAL;
	if (!(o & VIRTIO_IPSEC_SA_OPT_SELECTOR) &&
	    (*P(sel_prefix_len) || !vpe_all_zero(P(sel_src), FSIZE(sel_src))))
		return VIRTIO_IPSEC_INVAL;
	if (cfg->ip_version == VIRTIO_IPSEC_IPV4 && vpe_ld32(P(flow_label)))
		return VIRTIO_IPSEC_INVAL;
	cfg->path_mtu = vpe_ld16(P(path_mtu));
	cfg->frag_mode = *P(frag_mode);
	st = vpe_mtu_check(cfg->direction, cfg->ip_version, cfg->path_mtu,
			   cfg->frag_mode);
	if (st != VIRTIO_IPSEC_OK)
		return st;
	st = check_format_options(wire, cfg);
	if (st != VIRTIO_IPSEC_OK)
		return st;
	st = decode_lifetimes(wire, lim, cfg);
	if (st != VIRTIO_IPSEC_OK)
		return st;
	if (o & VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY) {
		if (cfg->replay_window == 0 ||
		    cfg->replay_window > lim->max_replay_window)
			return VIRTIO_IPSEC_INVAL;
	} else if (cfg->replay_window) {
		return VIRTIO_IPSEC_INVAL;
	}
	return VIRTIO_IPSEC_OK;
}

int vpe_tunnel_endpoint_ok(uint8_t ip_version, const uint8_t a[16])
{
	if (ip_version == VIRTIO_IPSEC_IPV6)
		return vpe_ipv6_addr_unicast(a);
	return vpe_all_zero(a + 4, 12) && vpe_ipv4_addr_unicast(a);
}

static uint8_t check_tunnel_fields(const uint8_t *wire, struct vpe_sa_cfg *cfg)
{
	memcpy(cfg->tun_src, P(tun_src), sizeof(cfg->tun_src));
	memcpy(cfg->tun_dst, P(tun_dst), sizeof(cfg->tun_dst));
	cfg->dscp_mode = *P(dscp_mode);
	cfg->dscp = *P(dscp);
	cfg->df_mode = *P(df_mode);
	cfg->ttl = *P(ttl);
	cfg->initial_seq = vpe_ld64(P(initial_seq));

	/* Transport mode does not use them; if given, they must be sane. */
	if (cfg->mode == VIRTIO_IPSEC_MODE_TUNNEL ||
	    !vpe_all_zero(cfg->tun_src, 16) ||
	    !vpe_all_zero(cfg->tun_dst, 16)) {
		if (!vpe_tunnel_endpoint_ok(cfg->ip_version, cfg->tun_src) ||
		    !vpe_tunnel_endpoint_ok(cfg->ip_version, cfg->tun_dst))
			return VIRTIO_IPSEC_INVAL;
	}
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

/* Algorithm rules and lengths: the rows of vpe_algs.h. */
static uint8_t check_algorithms(const uint8_t *wire,
				const struct vpe_sa_limits *lim,
				struct vpe_sa_cfg *cfg)
{
	uint8_t c = *P(cipher_alg), a = *P(auth_alg);
	const struct vpe_alg *ci = vpe_alg_find(c, false);
	const struct vpe_alg *au = vpe_alg_find(a, true);
	int aead, integrity;

	cfg->cipher_alg = c;
	cfg->auth_alg = a;
	cfg->icv_len = *P(icv_len);
	cfg->cipher_key_len = *P(cipher_key_len);
	cfg->salt_len = *P(salt_len);
	cfg->auth_key_len = *P(auth_key_len);

	if (!ci || !au)
		return VIRTIO_IPSEC_INVAL;
	aead = ci->kind == VPE_ALG_AEAD;
	integrity = aead || a != VIRTIO_IPSEC_AUTH_NONE;
	/* NPF input errors: NULL/NULL, anti-replay without integrity. */
	if (c == VIRTIO_IPSEC_CIPHER_NULL && a == VIRTIO_IPSEC_AUTH_NONE)
		return VIRTIO_IPSEC_INVAL;
	if ((cfg->options & VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY) && !integrity)
		return VIRTIO_IPSEC_INVAL;
	if (aead && a != VIRTIO_IPSEC_AUTH_NONE)
		return VIRTIO_IPSEC_INVAL;
	if (!lim->allow_weak_algos && (ci->weak || au->weak))
		return VIRTIO_IPSEC_NOTSUPP;
	if (!(lim->cipher_mask & (1ULL << c)) ||
	    !(lim->auth_mask & (1ULL << a)))
		return VIRTIO_IPSEC_NOTSUPP;
	/* Key lengths (KEY_REJECT), then salt and ICV lengths (INVAL). */
	if (!vpe_alg_key_ok(ci, cfg->cipher_key_len) ||
	    !vpe_alg_key_ok(au, cfg->auth_key_len))
		return VIRTIO_IPSEC_KEY_REJECT;
	/*
	 * A length the RFC allows but this backend cannot run: refused as
	 * the backend's key setup would, before any state is made; config
	 * space (cipher_key_sizes) says so in advance.
	 */
	if (c >= sizeof(lim->cipher_key_sizes) ||
	    !(lim->cipher_key_sizes[c] &
	      VIRTIO_IPSEC_KEY_SIZE_BIT(cfg->cipher_key_len)))
		return VIRTIO_IPSEC_KEY_REJECT;
	if (cfg->salt_len != ci->salt_len)
		return VIRTIO_IPSEC_INVAL;
	if (!vpe_alg_icv_ok(aead ? ci : au, cfg->icv_len))
		return VIRTIO_IPSEC_INVAL;
	memcpy(cfg->cipher_key, P(cipher_key), cfg->cipher_key_len);
	memcpy(cfg->auth_key, P(auth_key), cfg->auth_key_len);
	memcpy(cfg->salt, P(salt), cfg->salt_len);
	return VIRTIO_IPSEC_OK;
}

uint8_t vpe_sa_cfg_decode(const uint8_t *wire, const struct vpe_sa_limits *lim,
			  struct vpe_sa_cfg *cfg)
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
