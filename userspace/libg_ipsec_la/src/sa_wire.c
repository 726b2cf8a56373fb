// SPDX-License-Identifier: BSD-3-Clause
/*
 * g-API SA parameters (struct g_ipsec_la_sa) to the device's wire format
 * (struct virtio_ipsec_sa_params, little-endian), with every check that
 * can be made before a request reaches the driver. Pure function: no I/O.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "vpe_algs.h"

#define GLA_DEFAULT_REPLAY_WINDOW 64

#define GLA_HAS_F(info, bit) (!(info) || ((info)->features & (1ULL << (bit))))
/* An SA option / outer header field the accelerator honours (config). */
#define GLA_HAS_OPT(info, o) (!(info) || ((info)->sa_options & (o)))
#define GLA_HAS_HDR(info, h) (!(info) || ((info)->hdr_fields & (h)))

static int gla_bytes(uint32_t bits, uint32_t *bytes)
{
	if (bits % 8)
		return -EINVAL; /* the caller names the field */
	*bytes = bits / 8;
	return 0;
}

/*
 * g-API enum value -> device algorithm id, from the rows of vpe_algs.h
 * (the engine's table, header-only: no engine code is linked for it).
 * 0 when the value names no algorithm of that kind.
 */
static uint8_t gla_alg_id(enum vpe_alg_kind kind, uint32_t gapi)
{
#define VPE_CIPHER(id, kmin, kmax, salt, iv, blk, weak, ivg, afalg, mode, g, \
		   caps)                                                     \
	if (kind == VPE_ALG_CIPHER && gapi == (uint32_t)(g))                 \
		return id;
#define VPE_AEAD(id, kmin, kmax, salt, iv, blk, icv, ivg, afk, afalg, mb, g, \
		 caps)                                                       \
	if (kind == VPE_ALG_AEAD && gapi == (uint32_t)(g))                   \
		return id;
#define VPE_AUTH(id, key, icv, weak, afalg, hash, hblk, g, caps) \
	if (kind == VPE_ALG_AUTH && gapi == (uint32_t)(g))       \
		return id;
	VPE_ALGS
#undef VPE_CIPHER
#undef VPE_AEAD
#undef VPE_AUTH
	return 0;
}

/* key || salt of len bytes: the key part must be one the row allows. */
static int gla_key_salt_len(const struct vpe_alg *a, uint32_t len)
{
	return len >= a->salt_len && vpe_alg_key_ok(a, len - a->salt_len) ?
		       0 :
		       -EINVAL;
}

/* AEAD: comb_key = key || salt; ICV as the row allows (default largest). */
static int gla_comb_to_wire(const struct g_ipsec_la_sa_crypto_params *c,
			    struct virtio_ipsec_sa_params *p)
{
	const struct vpe_alg *a;
	uint32_t len, salt, icv = c->icv_len_bits;

	if (c->cipher_algo)
		return GLA_BAD(
			"crypto_params.cipher_algo (must be 0 with comb_algo)",
			c->cipher_algo, 0);
	if (c->auth_algo && c->auth_algo != G_IPSEC_LA_AUTH_ALG_NONE)
		return GLA_BAD(
			"crypto_params.auth_algo (must be NONE with comb_algo)",
			c->auth_algo, 0);
	a = vpe_alg_find(gla_alg_id(VPE_ALG_AEAD, c->comb_algo), false);
	if (!a)
		return GLA_BAD("crypto_params.comb_algo", c->comb_algo, 0);
	if (!icv)
		icv = vpe_alg_icv_max(a) * 8;
	if (icv % 8 || !vpe_alg_icv_ok(a, icv / 8))
		return GLA_BAD("crypto_params.icv_len_bits", icv,
			       vpe_alg_icv_max(a) * 8);
	if (!c->comb_key)
		return GLA_BAD("crypto_params.comb_key (NULL)", 0, 0);
	if (gla_bytes(c->comb_key_len_bits, &len) || gla_key_salt_len(a, len))
		return GLA_BAD("crypto_params.comb_key_len_bits (key || salt)",
			       c->comb_key_len_bits,
			       (a->key_max + a->salt_len) * 8u);
	salt = a->salt_len;
	p->cipher_alg = a->id;
	p->auth_alg = VIRTIO_IPSEC_AUTH_NONE;
	p->icv_len = (uint8_t)(icv / 8);
	p->cipher_key_len = (uint8_t)(len - salt);
	p->salt_len = (uint8_t)salt;
	memcpy(p->cipher_key, c->comb_key, len - salt);
	memcpy(p->salt, c->comb_key + len - salt, salt);
	return 0;
}

/* Cipher key = key || salt (AES-CTR: the 4-byte RFC 3686 nonce). */
static int gla_cipher_to_wire(const struct g_ipsec_la_sa_crypto_params *c,
			      struct virtio_ipsec_sa_params *p)
{
	const struct vpe_alg *a;
	uint32_t len, salt;

	if (gla_bytes(c->cipher_key_len_bits, &len))
		return GLA_BAD(
			"crypto_params.cipher_key_len_bits (whole bytes)",
			c->cipher_key_len_bits, 0);
	if (len && !c->cipher_key)
		return GLA_BAD("crypto_params.cipher_key (NULL)", 0, 0);
	a = vpe_alg_find(gla_alg_id(VPE_ALG_CIPHER, c->cipher_algo), false);
	if (!a)
		return GLA_BAD("crypto_params.cipher_algo", c->cipher_algo, 0);
	if (gla_key_salt_len(a, len))
		return GLA_BAD("crypto_params.cipher_key_len_bits",
			       c->cipher_key_len_bits,
			       (a->key_max + a->salt_len) * 8u);
	salt = a->salt_len;
	p->cipher_alg = a->id;
	p->cipher_key_len = (uint8_t)(len - salt);
	p->salt_len = (uint8_t)salt;
	if (len)
		memcpy(p->cipher_key, c->cipher_key, len - salt);
	if (salt)
		memcpy(p->salt, c->cipher_key + len - salt, salt);
	return 0;
}

static int gla_auth_to_wire(const struct g_ipsec_la_sa_crypto_params *c,
			    struct virtio_ipsec_sa_params *p)
{
	const struct vpe_alg *a;
	uint32_t len, icv;

	a = vpe_alg_find(gla_alg_id(VPE_ALG_AUTH, c->auth_algo), true);
	if (!a)
		return GLA_BAD("crypto_params.auth_algo", c->auth_algo, 0);
	icv = vpe_alg_icv_max(a);
	if (gla_bytes(c->auth_key_len_bits, &len) || !vpe_alg_key_ok(a, len))
		return GLA_BAD("crypto_params.auth_key_len_bits",
			       c->auth_key_len_bits, a->key_max * 8u);
	if (len && !c->auth_key)
		return GLA_BAD("crypto_params.auth_key (NULL)", 0, 0);
	if (c->icv_len_bits && c->icv_len_bits != icv * 8)
		return GLA_BAD("crypto_params.icv_len_bits", c->icv_len_bits,
			       icv * 8);
	p->auth_alg = a->id;
	p->auth_key_len = (uint8_t)len;
	p->icv_len = (uint8_t)icv;
	if (len)
		memcpy(p->auth_key, c->auth_key, len);
	return 0;
}

static int gla_crypto_to_wire(const struct g_ipsec_la_sa_crypto_params *c,
			      const struct vipsec_info *info,
			      struct virtio_ipsec_sa_params *p)
{
	int ret;

	if (c->comb_algo) {
		ret = gla_comb_to_wire(c, p);
	} else {
		ret = gla_cipher_to_wire(c, p);
		if (!ret)
			ret = gla_auth_to_wire(c, p);
		/* NULL encryption with no authentication protects nothing */
		if (!ret && p->cipher_alg == VIRTIO_IPSEC_CIPHER_NULL &&
		    p->auth_alg == VIRTIO_IPSEC_AUTH_NONE)
			ret = GLA_BAD("crypto_params (NULL cipher without "
				      "authentication protects nothing)",
				      0, 0);
	}
	if (ret)
		return ret;
	if (info && !(info->cipher_algo_mask & (1ULL << p->cipher_alg)))
		return GLA_NOTSUP("crypto_params: cipher or AEAD not offered",
				  p->cipher_alg);
	if (info && !(info->auth_algo_mask & (1ULL << p->auth_alg)))
		return GLA_NOTSUP("crypto_params.auth_algo not offered",
				  p->auth_alg);
	/* A key size the RFC allows but this accelerator's backend cannot
	 * run (capabilities cipher_key_sizes / comb_key_sizes). */
	if (info && (p->cipher_alg >= sizeof(info->cipher_key_sizes) ||
		     !(info->cipher_key_sizes[p->cipher_alg] &
		       VIRTIO_IPSEC_KEY_SIZE_BIT(p->cipher_key_len))))
		return gla_err_field(-EKEYREJECTED,
				     "crypto_params: key size not offered",
				     p->cipher_key_len, 0);
	return 0;
}

/* Copy an address; return its version (4/6) or -EINVAL. */
static int gla_addr(const struct g_ip_addr *a, uint8_t out[16])
{
	memset(out, 0, 16);
	if (a->version == 4) {
		memcpy(out, a->addr.ipv4, 4);
		return 4;
	}
	if (a->version == 6) {
		memcpy(out, a->addr.ipv6, 16);
		return 6;
	}
	return -EINVAL;
}

/*
 * The family of a transport SA's packets (deviation 40): stated by
 * te_addr.src_ip.version and/or dest_ip.version (the addresses themselves
 * are not used and may stay zero). Unstated or contradictory is refused
 * here, not with -EPROTO on every packet. Returns 4, 6 or -EAFNOSUPPORT.
 */
static int gla_transport_family(const struct g_ipsec_la_tunnel_end_addr *t)
{
	uint8_t s = t->src_ip.version, d = t->dest_ip.version;
	uint8_t v = s ? s : d;

	if ((v != 4 && v != 6) || (s && d && s != d))
		return -EAFNOSUPPORT;
	return v;
}

static int gla_mode_to_wire(const struct g_ipsec_la_sa *sa,
			    const struct vipsec_info *info,
			    struct virtio_ipsec_sa_params *p)
{
	int v, v2, ret;

	if (sa->cmn_flags & G_IPSEC_LA_SA_ENCAP_TRANSPORT_MODE) {
		if (!GLA_HAS_F(info, VIRTIO_IPSEC_F_TRANSPORT))
			return GLA_NOTSUP(
				"cmn_flags: transport mode not offered", 0);
		p->mode = VIRTIO_IPSEC_MODE_TRANSPORT;
		ret = gla_transport_family(&sa->te_addr);
		if (ret < 0)
			return ret;
		v = ret;
	} else {
		p->mode = VIRTIO_IPSEC_MODE_TUNNEL;
		v = gla_addr(&sa->te_addr.src_ip, p->tun_src);
		v2 = gla_addr(&sa->te_addr.dest_ip, p->tun_dst);
		if (v < 0)
			return GLA_BAD("te_addr.src_ip.version (4 or 6)",
				       sa->te_addr.src_ip.version, 6);
		if (v2 < 0)
			return GLA_BAD("te_addr.dest_ip.version (4 or 6)",
				       sa->te_addr.dest_ip.version, 6);
		if (v != v2)
			return GLA_BAD("te_addr.dest_ip.version (differs from "
				       "src_ip's)",
				       v2, v);
	}
	if (v == 6 && !GLA_HAS_F(info, VIRTIO_IPSEC_F_IPV6))
		return GLA_NOTSUP("te_addr: IPv6 not offered", 6);
	p->ip_version = (uint8_t)v;

	if (sa->cmn_flags & G_IPSEC_LA_SA_DO_UDP_ENCAP_FOR_NAT_TRAVERSAL) {
		if (!GLA_HAS_F(info, VIRTIO_IPSEC_F_UDP_ENCAP))
			return GLA_NOTSUP("cmn_flags: UDP encapsulation not "
					  "offered",
					  0);
		if (!sa->nat_info.src_port)
			return GLA_BAD("nat_info.src_port (0)", 0, 0);
		if (!sa->nat_info.dest_port)
			return GLA_BAD("nat_info.dest_port (0)", 0, 0);
		p->options |= VIRTIO_IPSEC_SA_OPT_UDP_ENCAP;
		p->udp_src_port = htole16(sa->nat_info.src_port);
		p->udp_dst_port = htole16(sa->nat_info.dest_port);
		if (p->mode == VIRTIO_IPSEC_MODE_TRANSPORT &&
		    sa->nat_info.nat_oa_peer_addr.version &&
		    gla_addr(&sa->nat_info.nat_oa_peer_addr, p->nat_oa) < 0)
			return GLA_BAD("nat_info.nat_oa_peer_addr.version",
				       sa->nat_info.nat_oa_peer_addr.version,
				       6);
	}
	return 0;
}

/*
 * Outbound tunnel header fields (deviation 38): outer TTL / hop limit,
 * IPv6 flow label, TFC padding. Tunnel mode only (transport keeps the
 * packet's header and has no inner packet to pad); each needs the
 * accelerator to honour it (capabilities outer_ttl, flow_label, tfc).
 */
static int gla_outb_fields(const struct g_ipsec_la_sa *sa,
			   const struct vipsec_info *info,
			   struct virtio_ipsec_sa_params *p)
{
	int tunnel = p->mode == VIRTIO_IPSEC_MODE_TUNNEL;

	if ((!tunnel && (sa->u.outb.ttl || sa->u.outb.tfc_pad_to ||
			 sa->u.outb.flow_label)) ||
	    sa->u.outb.flow_label > 0xfffff ||
	    (sa->u.outb.flow_label && p->ip_version != VIRTIO_IPSEC_IPV6))
		return -EINVAL;
	if ((sa->u.outb.ttl && !GLA_HAS_HDR(info, VIRTIO_IPSEC_HDR_F_TTL)) ||
	    (sa->u.outb.flow_label &&
	     !GLA_HAS_HDR(info, VIRTIO_IPSEC_HDR_F_FLOW_LABEL)) ||
	    (sa->u.outb.tfc_pad_to &&
	     !GLA_HAS_OPT(info, VIRTIO_IPSEC_SA_OPT_TFC_PAD)))
		return -EOPNOTSUPP;
	p->ttl = sa->u.outb.ttl;
	p->flow_label = htole32(sa->u.outb.flow_label);
	if (sa->u.outb.tfc_pad_to) {
		p->options |= VIRTIO_IPSEC_SA_OPT_TFC_PAD;
		p->tfc_pad_to = htole32(sa->u.outb.tfc_pad_to);
	}
	return 0;
}

/* A prefix of @bits bits with nothing set past it, in @a (16 bytes). */
static int gla_prefix_clean(const uint8_t *a, unsigned int bits)
{
	unsigned int i;

	for (i = bits / 8; i < 16; i++)
		if (a[i] & (i == bits / 8 ? 0xff >> (bits % 8) : 0xff))
			return 0;
	return 1;
}

/*
 * Inbound flags: ECN propagation, TTL decrement and the inner-source
 * selector (deviation 38; the last two tunnel mode only). Selector
 * fields without the flag must be zero: nothing is accepted and ignored.
 */
static int gla_inb_fields(const struct g_ipsec_la_sa *sa,
			  struct virtio_ipsec_sa_params *p)
{
	const uint32_t known = NF_IPSEC_INB_SA_PROPOGATE_ECN |
			       G_IPSEC_LA_INB_SA_DECREMENT_TTL |
			       G_IPSEC_LA_INB_SA_CHECK_SELECTOR;
	uint32_t f = sa->u.inb.flags;
	int tunnel = p->mode == VIRTIO_IPSEC_MODE_TUNNEL;
	unsigned int max = p->ip_version == VIRTIO_IPSEC_IPV6 ? 128 : 32;

	if (f & ~known || ((f & G_IPSEC_LA_INB_SA_DECREMENT_TTL) && !tunnel))
		return -EINVAL;
	if (f & NF_IPSEC_INB_SA_PROPOGATE_ECN)
		p->options |= VIRTIO_IPSEC_SA_OPT_ECN;
	if (f & G_IPSEC_LA_INB_SA_DECREMENT_TTL)
		p->options |= VIRTIO_IPSEC_SA_OPT_DEC_TTL;
	if (!(f & G_IPSEC_LA_INB_SA_CHECK_SELECTOR)) {
		if (sa->u.inb.sel_prefix_len ||
		    !gla_mem_is_zero(&sa->u.inb.sel_src,
				     sizeof(sa->u.inb.sel_src)))
			return -EINVAL;
		return 0;
	}
	if (sa->u.inb.sel_src.version != p->ip_version ||
	    sa->u.inb.sel_prefix_len > max ||
	    gla_addr(&sa->u.inb.sel_src, p->sel_src) < 0 ||
	    !gla_prefix_clean(p->sel_src, sa->u.inb.sel_prefix_len) ||
	    !gla_mem_is_zero(sa->u.inb.sel_src.reserved,
			     sizeof(sa->u.inb.sel_src.reserved)))
		return -EINVAL;
	p->sel_prefix_len = sa->u.inb.sel_prefix_len;
	p->options |= VIRTIO_IPSEC_SA_OPT_SELECTOR;
	return 0;
}

static int gla_dir_to_wire(const struct g_ipsec_la_sa *sa,
			   enum g_ipsec_la_sa_direction dir,
			   const struct vipsec_info *info,
			   struct virtio_ipsec_sa_params *p)
{
	uint32_t win, opts = 0;
	int ret;

	if (dir == G_IPSEC_LA_IPSEC_OUTBOUND) {
		if (sa->cmn_flags & G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK)
			return GLA_BAD("cmn_flags: anti-replay is inbound only",
				       sa->cmn_flags, 0);
		/* the device generates IVs */
		if (sa->u.outb.iv || sa->u.outb.iv_len_bits)
			return GLA_BAD("u.outb.iv (must be NULL/0: the device "
				       "generates IVs)",
				       sa->u.outb.iv_len_bits, 0);
		if ((unsigned)sa->u.outb.dscp_handle > G_IPSEC_DSCP_SET)
			return GLA_BAD("u.outb.dscp_handle",
				       sa->u.outb.dscp_handle,
				       G_IPSEC_DSCP_SET);
		if ((unsigned)sa->u.outb.df_bit_handle > G_IPSEC_DF_SET)
			return GLA_BAD("u.outb.df_bit_handle",
				       sa->u.outb.df_bit_handle,
				       G_IPSEC_DF_SET);
		if (sa->u.outb.dscp > 63)
			return GLA_BAD("u.outb.dscp", sa->u.outb.dscp, 63);
		/* enum 1..3 (0 = copy) -> wire 0..2 */
		p->dscp_mode = sa->u.outb.dscp_handle ?
				       (uint8_t)(sa->u.outb.dscp_handle - 1) :
				       VIRTIO_IPSEC_HDR_COPY;
		p->df_mode = sa->u.outb.df_bit_handle ?
				     (uint8_t)(sa->u.outb.df_bit_handle - 1) :
				     VIRTIO_IPSEC_HDR_COPY;
		p->dscp = sa->u.outb.dscp;
		p->direction = VIRTIO_IPSEC_DIR_OUTBOUND;
		if ((p->dscp_mode != VIRTIO_IPSEC_HDR_COPY &&
		     !GLA_HAS_HDR(info, VIRTIO_IPSEC_HDR_F_DSCP)) ||
		    (p->df_mode != VIRTIO_IPSEC_HDR_COPY &&
		     !GLA_HAS_HDR(info, VIRTIO_IPSEC_HDR_F_DF)))
			return -EOPNOTSUPP;
		return gla_outb_fields(sa, info, p);
	}
	if (dir != G_IPSEC_LA_IPSEC_INBOUND)
		return GLA_BAD("dir", dir, G_IPSEC_LA_IPSEC_INBOUND);
	p->direction = VIRTIO_IPSEC_DIR_INBOUND;
	ret = gla_inb_fields(sa, p);
	if (ret)
		return ret;
	win = sa->u.inb.anti_replay_window_size;
	if (sa->cmn_flags & G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK) {
		if (!GLA_HAS_F(info, VIRTIO_IPSEC_F_ANTI_REPLAY))
			return GLA_NOTSUP("cmn_flags: anti-replay not offered",
					  0);
		/* anti-replay needs integrity (RFC 4303 3.4.3) */
		if (p->auth_alg == VIRTIO_IPSEC_AUTH_NONE && !p->icv_len)
			return GLA_BAD("cmn_flags: anti-replay needs "
				       "authentication",
				       0, 0);
		if (!win)
			win = GLA_DEFAULT_REPLAY_WINDOW;
		if (info && win > info->max_replay_window)
			return GLA_BAD("u.inb.anti_replay_window_size", win,
				       info->max_replay_window);
		opts |= VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY;
	} else if (win) {
		/* a window without the check */
		return GLA_BAD("u.inb.anti_replay_window_size (without "
			       "G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK)",
			       win, 0);
	}
	p->replay_window = htole32(win);
	p->options |= opts;
	return 0;
}

static int gla_limit_pair(const char *field, uint64_t soft, uint64_t hard,
			  __le64 *ws, __le64 *wh)
{
	if (soft && hard && soft > hard)
		return GLA_BAD(field, soft, hard);
	*ws = htole64(soft);
	*wh = htole64(hard);
	return 0;
}

static int gla_lifetimes_to_wire(const struct g_ipsec_la_sa *sa,
				 const struct vipsec_info *info,
				 struct virtio_ipsec_sa_params *p)
{
	uint64_t sb = sa->soft_kilobytes_limit, hb = sa->hard_kilobytes_limit;

	if (!(sa->cmn_flags & G_IPSEC_LA_SA_LIFETIME_IN_KB) && (sb || hb))
		return GLA_BAD("soft/hard_kilobytes_limit (without "
			       "G_IPSEC_LA_SA_LIFETIME_IN_KB)",
			       sb ? sb : hb, 0);
	if ((sb || hb || sa->soft_packets_limit || sa->hard_packets_limit ||
	     sa->soft_seconds_limit || sa->hard_seconds_limit) &&
	    !GLA_HAS_F(info, VIRTIO_IPSEC_F_LIFETIME))
		return GLA_NOTSUP("lifetimes not offered", 0);
	if (gla_limit_pair("soft_kilobytes_limit (above the hard limit)",
			   sb * 1024, hb * 1024, &p->soft_bytes,
			   &p->hard_bytes) ||
	    gla_limit_pair("soft_packets_limit (above the hard limit)",
			   sa->soft_packets_limit, sa->hard_packets_limit,
			   &p->soft_packets, &p->hard_packets) ||
	    gla_limit_pair("soft_seconds_limit (above the hard limit)",
			   sa->soft_seconds_limit, sa->hard_seconds_limit,
			   &p->soft_seconds, &p->hard_seconds))
		return -EINVAL;
	return 0;
}

/**
 * gla_mtu_check() - an SA's path MTU and fragmentation mode (SA add and
 * G_IPSEC_LA_SA_MODIFY_MTU), checked before the driver and the device
 * check them again.
 * @dir:  [in] direction of the SA.
 * @ipv6: [in] 1 for an IPv6 outer header, 0 IPv4, -1 unknown here (the
 *        driver and the device check the IPv6 minimum then).
 *
 * Return: 0, or -EINVAL: an MTU on an inbound SA, below 576 (IPv6 outer:
 * 1280), an unknown mode, or a mode without an MTU.
 */
int gla_mtu_check(enum g_ipsec_la_sa_direction dir, int ipv6, uint32_t mtu,
		  uint32_t mode)
{
	uint32_t min = ipv6 == 1 ? VIRTIO_IPSEC_MIN_MTU_IPV6 :
				   VIRTIO_IPSEC_MIN_MTU_IPV4;

	if (mode > G_IPSEC_LA_FRAG_BEFORE || (mode && !mtu) || mtu > 0xffff)
		return -EINVAL;
	if (mtu && (dir != G_IPSEC_LA_IPSEC_OUTBOUND || mtu < min))
		return -EINVAL;
	return 0;
}

/**
 * gla_sa_to_wire() - validate @sa and translate it into @p.
 * @sa:   [in] g-API SA parameters.
 * @dir:  [in] direction of the SA.
 * @info: [in] the accelerator's capabilities, or NULL to skip the checks
 *        against them (host tests).
 * @p:    [out] wire parameters; zeroed first, so reserved fields are 0.
 *
 * Return: 0; -EINVAL invalid parameters; -EOPNOTSUPP valid but not offered
 * by this accelerator or this library (AH, IPComp).
 */
int gla_sa_to_wire(const struct g_ipsec_la_sa *sa,
		   enum g_ipsec_la_sa_direction dir,
		   const struct vipsec_info *info,
		   struct virtio_ipsec_sa_params *p)
{
	const uint32_t known =
		G_IPSEC_LA_SA_DO_UDP_ENCAP_FOR_NAT_TRAVERSAL |
		G_IPSEC_LA_SA_USE_ECN | G_IPSEC_LA_SA_LIFETIME_IN_KB |
		G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK |
		G_IPSEC_LA_SA_ENCAP_TRANSPORT_MODE | G_IPSEC_LA_SA_USE_ESN;
	int ret;

	if (!sa || !p)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	if (sa->proto == G_IPSEC_LA_PROTO_AH ||
	    sa->proto == G_IPSEC_LA_PROTO_IPCOMP)
		return GLA_NOTSUP("proto (only ESP)", sa->proto);
	if (sa->proto != G_IPSEC_LA_PROTO_ESP)
		return GLA_BAD("proto", sa->proto, G_IPSEC_LA_PROTO_ESP);
	if (sa->cmn_flags & ~known)
		return GLA_BAD("cmn_flags (unknown bits)", sa->cmn_flags,
			       known);
	if (sa->spi < 256)
		return GLA_BAD("spi (1..255 are reserved, RFC 4303)", sa->spi,
			       256);
	if (!gla_mem_is_zero(sa->reserved, sizeof(sa->reserved)))
		return GLA_BAD("reserved (must be zero)", 0, 0);
	if (sa->frag_reserved)
		return GLA_BAD("frag_reserved (must be zero)",
			       sa->frag_reserved, 0);
	if (sa->ipcomp.algo)
		return GLA_NOTSUP("ipcomp.algo (IPComp)", sa->ipcomp.algo);
	p->spi = htole32(sa->spi);
	p->protocol = VIRTIO_IPSEC_PROTO_ESP;
	if (sa->cmn_flags & G_IPSEC_LA_SA_USE_ESN) {
		if (!GLA_HAS_F(info, VIRTIO_IPSEC_F_ESN))
			return GLA_NOTSUP("cmn_flags: ESN not offered", 0);
		p->options |= VIRTIO_IPSEC_SA_OPT_ESN;
	}
	/* RFC 6040 both ways: encap normal mode, decap combination */
	if (sa->cmn_flags & G_IPSEC_LA_SA_USE_ECN)
		p->options |= VIRTIO_IPSEC_SA_OPT_ECN;

	ret = gla_crypto_to_wire(&sa->crypto_params, info, p);
	if (!ret)
		ret = gla_mode_to_wire(sa, info, p);
	if (!ret)
		ret = gla_dir_to_wire(sa, dir, info, p);
	if (!ret)
		ret = gla_lifetimes_to_wire(sa, info, p);
	/* ECN, TTL decrement, selector, TFC: each one the accelerator takes */
	if (!ret && info &&
	    (p->options & ~info->sa_options &
	     (VIRTIO_IPSEC_SA_OPT_ECN | VIRTIO_IPSEC_SA_OPT_DEC_TTL |
	      VIRTIO_IPSEC_SA_OPT_SELECTOR | VIRTIO_IPSEC_SA_OPT_TFC_PAD)))
		ret = -EOPNOTSUPP;
	if (!ret)
		ret = gla_mtu_check(dir, p->ip_version == VIRTIO_IPSEC_IPV6,
				    sa->path_mtu, sa->frag_mode);
	if (!ret) {
		p->path_mtu = htole16(sa->path_mtu);
		p->frag_mode = sa->frag_mode;
	}
	if (!ret && sa->seq_notify_interval) {
		if (!GLA_HAS_F(info, VIRTIO_IPSEC_F_EVENTQ))
			ret = GLA_NOTSUP("seq_notify_interval (no event queue)",
					 sa->seq_notify_interval);
		p->seq_notify_interval = htole32(sa->seq_notify_interval);
	}
	p->options = htole32(p->options);
	if (ret)
		explicit_bzero(p, sizeof(*p)); /* no key material left behind */
	return ret;
}
