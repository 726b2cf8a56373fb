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

static int gla_bytes(uint32_t bits, uint32_t *bytes)
{
	if (bits % 8)
		return -EINVAL;
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

	if (c->cipher_algo ||
	    (c->auth_algo && c->auth_algo != G_IPSEC_LA_AUTH_ALG_NONE))
		return -EINVAL;
	a = vpe_alg_find(gla_alg_id(VPE_ALG_AEAD, c->comb_algo), false);
	if (!a)
		return -EINVAL;
	if (!icv)
		icv = vpe_alg_icv_max(a) * 8;
	if (icv % 8 || !vpe_alg_icv_ok(a, icv / 8))
		return -EINVAL;
	if (gla_bytes(c->comb_key_len_bits, &len) || !c->comb_key ||
	    gla_key_salt_len(a, len))
		return -EINVAL;
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

	if (gla_bytes(c->cipher_key_len_bits, &len) || (len && !c->cipher_key))
		return -EINVAL;
	a = vpe_alg_find(gla_alg_id(VPE_ALG_CIPHER, c->cipher_algo), false);
	if (!a || gla_key_salt_len(a, len))
		return -EINVAL;
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
		return -EINVAL;
	icv = vpe_alg_icv_max(a);
	if (gla_bytes(c->auth_key_len_bits, &len) || !vpe_alg_key_ok(a, len) ||
	    (len && !c->auth_key))
		return -EINVAL;
	if (c->icv_len_bits && c->icv_len_bits != icv * 8)
		return -EINVAL;
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
			ret = -EINVAL;
	}
	if (ret)
		return ret;
	if (info && (!(info->cipher_algo_mask & (1ULL << p->cipher_alg)) ||
		     !(info->auth_algo_mask & (1ULL << p->auth_alg))))
		return -EOPNOTSUPP;
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

static int gla_mode_to_wire(const struct g_ipsec_la_sa *sa,
			    const struct vipsec_info *info,
			    struct virtio_ipsec_sa_params *p)
{
	int v, v2;

	if (sa->cmn_flags & G_IPSEC_LA_SA_ENCAP_TRANSPORT_MODE) {
		if (!GLA_HAS_F(info, VIRTIO_IPSEC_F_TRANSPORT))
			return -EOPNOTSUPP;
		p->mode = VIRTIO_IPSEC_MODE_TRANSPORT;
		v = sa->te_addr.src_ip.version ? sa->te_addr.src_ip.version : 4;
		if (v != 4 && v != 6)
			return -EINVAL;
	} else {
		p->mode = VIRTIO_IPSEC_MODE_TUNNEL;
		v = gla_addr(&sa->te_addr.src_ip, p->tun_src);
		v2 = gla_addr(&sa->te_addr.dest_ip, p->tun_dst);
		if (v < 0 || v2 < 0 || v != v2)
			return -EINVAL;
	}
	if (v == 6 && !GLA_HAS_F(info, VIRTIO_IPSEC_F_IPV6))
		return -EOPNOTSUPP;
	p->ip_version = (uint8_t)v;

	if (sa->cmn_flags & G_IPSEC_LA_SA_DO_UDP_ENCAP_FOR_NAT_TRAVERSAL) {
		if (!GLA_HAS_F(info, VIRTIO_IPSEC_F_UDP_ENCAP))
			return -EOPNOTSUPP;
		if (!sa->nat_info.src_port || !sa->nat_info.dest_port)
			return -EINVAL;
		p->options |= VIRTIO_IPSEC_SA_OPT_UDP_ENCAP;
		p->udp_src_port = htole16(sa->nat_info.src_port);
		p->udp_dst_port = htole16(sa->nat_info.dest_port);
		if (p->mode == VIRTIO_IPSEC_MODE_TRANSPORT &&
		    sa->nat_info.nat_oa_peer_addr.version &&
		    gla_addr(&sa->nat_info.nat_oa_peer_addr, p->nat_oa) < 0)
			return -EINVAL;
	}
	return 0;
}

static int gla_dir_to_wire(const struct g_ipsec_la_sa *sa,
			   enum g_ipsec_la_sa_direction dir,
			   const struct vipsec_info *info,
			   struct virtio_ipsec_sa_params *p)
{
	uint32_t win, opts = 0;

	if (dir == G_IPSEC_LA_IPSEC_OUTBOUND) {
		if (sa->cmn_flags & G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK)
			return -EINVAL; /* inbound only */
		if (sa->u.outb.iv || sa->u.outb.iv_len_bits)
			return -EINVAL; /* the device generates IVs */
		if ((unsigned)sa->u.outb.dscp_handle > G_IPSEC_DSCP_SET ||
		    (unsigned)sa->u.outb.df_bit_handle > G_IPSEC_DF_SET ||
		    sa->u.outb.dscp > 63)
			return -EINVAL;
		/* enum 1..3 (0 = copy) -> wire 0..2 */
		p->dscp_mode = sa->u.outb.dscp_handle ?
				       (uint8_t)(sa->u.outb.dscp_handle - 1) :
				       VIRTIO_IPSEC_HDR_COPY;
		p->df_mode = sa->u.outb.df_bit_handle ?
				     (uint8_t)(sa->u.outb.df_bit_handle - 1) :
				     VIRTIO_IPSEC_HDR_COPY;
		p->dscp = sa->u.outb.dscp;
		p->direction = VIRTIO_IPSEC_DIR_OUTBOUND;
		return 0;
	}
	if (dir != G_IPSEC_LA_IPSEC_INBOUND)
		return -EINVAL;
	p->direction = VIRTIO_IPSEC_DIR_INBOUND;
	if (sa->u.inb.flags & ~(uint32_t)NF_IPSEC_INB_SA_PROPOGATE_ECN)
		return -EINVAL;
	if (sa->u.inb.flags & NF_IPSEC_INB_SA_PROPOGATE_ECN)
		opts |= VIRTIO_IPSEC_SA_OPT_ECN;
	win = sa->u.inb.anti_replay_window_size;
	if (sa->cmn_flags & G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK) {
		if (!GLA_HAS_F(info, VIRTIO_IPSEC_F_ANTI_REPLAY))
			return -EOPNOTSUPP;
		/* anti-replay needs integrity (RFC 4303 3.4.3) */
		if (p->auth_alg == VIRTIO_IPSEC_AUTH_NONE && !p->icv_len)
			return -EINVAL;
		if (!win)
			win = GLA_DEFAULT_REPLAY_WINDOW;
		if (info && win > info->max_replay_window)
			return -EINVAL;
		opts |= VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY;
	} else if (win) {
		return -EINVAL; /* a window without the check */
	}
	p->replay_window = htole32(win);
	p->options |= opts;
	return 0;
}

static int gla_limit_pair(uint64_t soft, uint64_t hard, __le64 *ws, __le64 *wh)
{
	if (soft && hard && soft > hard)
		return -EINVAL;
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
		return -EINVAL;
	if ((sb || hb || sa->soft_packets_limit || sa->hard_packets_limit ||
	     sa->soft_seconds_limit || sa->hard_seconds_limit) &&
	    !GLA_HAS_F(info, VIRTIO_IPSEC_F_LIFETIME))
		return -EOPNOTSUPP;
	if (gla_limit_pair(sb * 1024, hb * 1024, &p->soft_bytes,
			   &p->hard_bytes) ||
	    gla_limit_pair(sa->soft_packets_limit, sa->hard_packets_limit,
			   &p->soft_packets, &p->hard_packets) ||
	    gla_limit_pair(sa->soft_seconds_limit, sa->hard_seconds_limit,
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
		return -EOPNOTSUPP;
	if (sa->proto != G_IPSEC_LA_PROTO_ESP || sa->cmn_flags & ~known ||
	    sa->spi < 256 || sa->frag_reserved ||
	    !gla_mem_is_zero(sa->reserved, sizeof(sa->reserved)))
		return -EINVAL;
	if (sa->ipcomp.algo)
		return -EOPNOTSUPP;
	p->spi = htole32(sa->spi);
	p->protocol = VIRTIO_IPSEC_PROTO_ESP;
	if (sa->cmn_flags & G_IPSEC_LA_SA_USE_ESN) {
		if (!GLA_HAS_F(info, VIRTIO_IPSEC_F_ESN))
			return -EOPNOTSUPP;
		p->options |= VIRTIO_IPSEC_SA_OPT_ESN;
	}
	if (sa->cmn_flags & G_IPSEC_LA_SA_USE_ECN)
		p->options |= VIRTIO_IPSEC_SA_OPT_ECN;

	ret = gla_crypto_to_wire(&sa->crypto_params, info, p);
	if (!ret)
		ret = gla_mode_to_wire(sa, info, p);
	if (!ret)
		ret = gla_dir_to_wire(sa, dir, info, p);
	if (!ret)
		ret = gla_lifetimes_to_wire(sa, info, p);
	if (!ret)
		ret = gla_mtu_check(dir, p->ip_version == VIRTIO_IPSEC_IPV6,
				    sa->path_mtu, sa->frag_mode);
	if (!ret) {
		p->path_mtu = htole16(sa->path_mtu);
		p->frag_mode = sa->frag_mode;
	}
	if (!ret && sa->seq_notify_interval) {
		if (!GLA_HAS_F(info, VIRTIO_IPSEC_F_EVENTQ))
			ret = -EOPNOTSUPP;
		p->seq_notify_interval = htole32(sa->seq_notify_interval);
	}
	p->options = htole32(p->options);
	if (ret)
		explicit_bzero(p, sizeof(*p)); /* no key material left behind */
	return ret;
}
