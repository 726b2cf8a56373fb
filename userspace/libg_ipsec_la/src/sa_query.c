// SPDX-License-Identifier: BSD-3-Clause
/*
 * SA modification and read-back: g_ipsec_la_sa_mod, g_ipsec_la_sa_get,
 * and the translation of the device's SA entries (parameters without
 * keys, statistics) back into g-API structures.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "vpe_algs.h"

#define GLA_FEAT(ref, bit) (!!((ref)->info.features & (1ULL << (bit))))

static int gla_mod_addr(const struct g_ip_addr *a, uint8_t out[16])
{
	memset(out, 0, 16);
	if (a->version == 4)
		memcpy(out, a->addr.ipv4, 4);
	else if (a->version == 6)
		memcpy(out, a->addr.ipv6, 16);
	else
		return -EINVAL;
	return 0;
}

static int gla_mod_to_wire(const struct gla_ref *ref,
			   const struct g_ipsec_la_sa_mod_inargs *in,
			   struct virtio_ipsec_sa_mod *m)
{
	uint32_t rf, win, lim, words, i;

	memset(m, 0, sizeof(*m));
	switch (in->flags) {
	case G_IPSEC_LA_SA_MODIFY_LOCAL_GW_INFO:
		m->flags = htole32(VIRTIO_IPSEC_SA_MOD_LOCAL);
		m->local_port = htole16(in->u.addr_info.port);
		return gla_mod_addr(&in->u.addr_info.addr, m->local_addr);
	case G_IPSEC_LA_SA_MODIFY_PEER_GW_INFO:
		m->flags = htole32(VIRTIO_IPSEC_SA_MOD_PEER);
		m->peer_port = htole16(in->u.addr_info.port);
		return gla_mod_addr(&in->u.addr_info.addr, m->peer_addr);
	case G_IPSEC_LA_SA_MODIFY_REPLAY_INFO: break;
	case G_IPSEC_LA_SA_MODIFY_LIFETIME_INFO:
		if (!GLA_FEAT(ref, VIRTIO_IPSEC_F_SA_STATE))
			return GLA_NOTSUP(
				"u.lifetime_info (no SA state feature)",
				in->flags);
		/* the device counts the age in 32 bits (136 years) */
		if (in->u.lifetime_info.seconds > UINT32_MAX)
			return GLA_BAD("u.lifetime_info.seconds",
				       in->u.lifetime_info.seconds, UINT32_MAX);
		m->flags = htole32(VIRTIO_IPSEC_SA_MOD_LIFETIME);
		m->life_bytes = htole64(in->u.lifetime_info.bytes);
		m->life_packets = htole64(in->u.lifetime_info.packets);
		m->life_seconds =
			htole32((uint32_t)in->u.lifetime_info.seconds);
		return 0;
	case G_IPSEC_LA_SA_MODIFY_MTU:
		m->flags = htole32(VIRTIO_IPSEC_SA_MOD_MTU);
		m->path_mtu = htole16(in->u.mtu_info.path_mtu);
		m->frag_mode = in->u.mtu_info.frag_mode;
		return gla_mtu_check(in->dir, -1, in->u.mtu_info.path_mtu,
				     in->u.mtu_info.frag_mode);
	case G_IPSEC_LA_SA_MODIFY_DISABLE:
		m->flags = htole32(VIRTIO_IPSEC_SA_MOD_DISABLE);
		return 0;
	default:
		return GLA_BAD("flags (one G_IPSEC_LA_SA_MODIFY_*)", in->flags,
			       0);
	}
	rf = in->u.replay_info.flags;
	if (!rf || rf & ~(uint32_t)(G_IPSEC_LA_SA_MODIFY_SEQ_NUM |
				    G_IPSEC_LA_SA_MODIFY_ANTI_REPLAY_WINDOW))
		return GLA_BAD("u.replay_info.flags", rf,
			       G_IPSEC_LA_SA_MODIFY_SEQ_NUM |
				       G_IPSEC_LA_SA_MODIFY_ANTI_REPLAY_WINDOW);
	if (rf & G_IPSEC_LA_SA_MODIFY_SEQ_NUM) {
		m->flags |= VIRTIO_IPSEC_SA_MOD_SEQ;
		m->seq = htole64((uint64_t)in->u.replay_info.hi_seq_num << 32 |
				 in->u.replay_info.seq_num);
	}
	if (rf & G_IPSEC_LA_SA_MODIFY_ANTI_REPLAY_WINDOW) {
		win = in->u.replay_info.anti_replay_window_size;
		lim = VIRTIO_IPSEC_MAX_BITMAP_WORDS * 64;
		if (ref->info.max_replay_window < lim)
			lim = ref->info.max_replay_window;
		if (!win || win > lim)
			return GLA_BAD("u.replay_info.anti_replay_window_size",
				       win, lim);
		m->flags |= VIRTIO_IPSEC_SA_MOD_WINDOW;
		m->replay_window = htole32(win);
		/* The window bitmap needs the sequence number it is relative
		 * to: without SEQ_NUM the device keeps its own and the bitmap
		 * must be NULL (cleared window). */
		words = (win + 63) / 64;
		if (in->u.replay_info.anti_replay_window_bit_map)
			for (i = 0; i < words; i++)
				m->bitmap[i] = htole64(
					in->u.replay_info
						.anti_replay_window_bit_map[i]);
	}
	m->flags = htole32(m->flags);
	return 0;
}

int32_t g_ipsec_la_sa_mod(struct g_ipsec_la_handle *handle,
			  const struct g_ipsec_la_sa_mod_inargs *in,
			  uint32_t flags,
			  struct g_ipsec_la_sa_modify_outargs *out,
			  const struct g_ipsec_la_resp_args *resp)
{
	struct vipsec_sa_mod req;
	struct gla_ref ref;
	const uint32_t *sh;
	int ret;

	gla_err_begin(__func__);
	ret = gla_check_sa_call(flags, resp, in ? in->handle : NULL);
	if (ret)
		return ret;
	ret = gla_sa_ref(handle, in->handle, (uint32_t)in->dir, &ref);
	if (!ret && !GLA_FEAT(&ref, VIRTIO_IPSEC_F_SA_MOD))
		ret = -EOPNOTSUPP;
	if (!ret) {
		memset(&req, 0, sizeof(req));
		req.size = sizeof(req);
		sh = in->handle->ipsec_sa_handle;
		req.group_id = sh[GLA_H_GROUP_ID];
		req.sa_id = sh[GLA_H_SA_ID];
		ret = gla_mod_to_wire(&ref, in, &req.mod);
	}
	if (!ret)
		ret = gla_ctrl_async(&ref, flags, resp, VIPSEC_IOC_SA_MOD, &req,
				     req.group_id, req.sa_id);
	if (ret == 1)
		return 0; /* queued: the result comes to the callback */
	if (!ret)
		ret = gla_dev_ioctl(&ref, VIPSEC_IOC_SA_MOD, &req);
	return gla_finish_result(&ref, flags, resp, ret,
				 out ? &out->result : NULL);
}

static void gla_addr_from_wire(const uint8_t *a, uint8_t ver,
			       struct g_ip_addr *o)
{
	memset(o, 0, sizeof(*o));
	o->version = ver;
	memcpy(o->addr.ipv6, a, ver == 6 ? 16 : 4);
}

/*
 * Cipher and integrity ids map to g-API values through the table too
 * (today they are equal; the table, not that coincidence, is the rule).
 */
static void gla_alg_names_from_wire(const struct virtio_ipsec_sa_params *p,
				    struct g_ipsec_la_sa_crypto_params *c)
{
#define VPE_CIPHER(id, kmin, kmax, salt, iv, blk, weak, ivg, afalg, mode, g, \
		   caps)                                                     \
	if (p->cipher_alg == (id))                                           \
		c->cipher_algo = g;
#define VPE_AEAD(...)
#define VPE_AUTH(id, key, icv, weak, afalg, hash, hblk, g, caps) \
	if (p->auth_alg == (id))                                 \
		c->auth_algo = g;
	VPE_ALGS
#undef VPE_CIPHER
#undef VPE_AEAD
#undef VPE_AUTH
}

static void gla_crypto_from_wire(const struct virtio_ipsec_sa_params *p,
				 struct g_ipsec_la_sa_crypto_params *c)
{
	uint32_t keybits = (uint32_t)(p->cipher_key_len + p->salt_len) * 8;

	/* Device id -> g-API enum value, from the rows of vpe_algs.h. */
	switch (p->cipher_alg) {
#define VPE_CIPHER(...)
#define VPE_AEAD(id, kmin, kmax, salt, iv, blk, icv, ivg, afk, afalg, mb, g, \
		 caps)                                                       \
	case id:                                                             \
		c->comb_algo = g;                                            \
		break;
#define VPE_AUTH(...)
		VPE_ALGS
#undef VPE_CIPHER
#undef VPE_AEAD
#undef VPE_AUTH
	default:
		c->cipher_algo = (enum g_ipsec_la_cipher_alg)p->cipher_alg;
		c->cipher_key_len_bits = keybits;
		c->auth_algo = (enum g_ipsec_la_auth_alg)p->auth_alg;
		c->auth_key_len_bits = (uint32_t)p->auth_key_len * 8;
		c->icv_len_bits = (uint8_t)(p->icv_len * 8);
		gla_alg_names_from_wire(p, c);
		return;
	}
	c->comb_key_len_bits = keybits;
	c->icv_len_bits = (uint8_t)(p->icv_len * 8);
}

/* Device SA parameters (keys already zero) to g-API; key pointers NULL. */
void gla_sa_from_wire(const struct virtio_ipsec_sa_params *p,
		      struct g_ipsec_la_sa *sa)
{
	uint32_t o = le32toh(p->options);
	uint64_t sb = le64toh(p->soft_bytes), hb = le64toh(p->hard_bytes);

	memset(sa, 0, sizeof(*sa));
	sa->spi = le32toh(p->spi);
	sa->proto = p->protocol;
	if (o & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP)
		sa->cmn_flags |= G_IPSEC_LA_SA_DO_UDP_ENCAP_FOR_NAT_TRAVERSAL;
	if (o & VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY)
		sa->cmn_flags |= G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK;
	if (o & VIRTIO_IPSEC_SA_OPT_ESN)
		sa->cmn_flags |= G_IPSEC_LA_SA_USE_ESN;
	if (p->mode == VIRTIO_IPSEC_MODE_TRANSPORT)
		sa->cmn_flags |= G_IPSEC_LA_SA_ENCAP_TRANSPORT_MODE;
	if (sb || hb) {
		sa->cmn_flags |= G_IPSEC_LA_SA_LIFETIME_IN_KB;
		sa->soft_kilobytes_limit = (uint32_t)(sb / 1024);
		sa->hard_kilobytes_limit = (uint32_t)(hb / 1024);
	}
	if (p->direction == VIRTIO_IPSEC_DIR_OUTBOUND) {
		sa->u.outb.dscp = p->dscp;
		sa->u.outb.dscp_handle =
			(enum g_ipsec_la_dscp_handle)(p->dscp_mode + 1);
		sa->u.outb.df_bit_handle =
			(enum g_ipsec_la_df_handle)(p->df_mode + 1);
		if (o & VIRTIO_IPSEC_SA_OPT_ECN)
			sa->cmn_flags |= G_IPSEC_LA_SA_USE_ECN;
		sa->u.outb.ttl = p->ttl;
		sa->u.outb.tfc_pad_to = (uint16_t)le32toh(p->tfc_pad_to);
		sa->u.outb.flow_label = le32toh(p->flow_label);
	} else {
		if (o & VIRTIO_IPSEC_SA_OPT_ECN)
			sa->u.inb.flags |= NF_IPSEC_INB_SA_PROPOGATE_ECN;
		if (o & VIRTIO_IPSEC_SA_OPT_DEC_TTL)
			sa->u.inb.flags |= G_IPSEC_LA_INB_SA_DECREMENT_TTL;
		if (o & VIRTIO_IPSEC_SA_OPT_SELECTOR) {
			sa->u.inb.flags |= G_IPSEC_LA_INB_SA_CHECK_SELECTOR;
			gla_addr_from_wire(p->sel_src, p->ip_version,
					   &sa->u.inb.sel_src);
			sa->u.inb.sel_prefix_len = p->sel_prefix_len;
		}
		sa->u.inb.anti_replay_window_size = le32toh(p->replay_window);
	}
	gla_crypto_from_wire(p, &sa->crypto_params);
	sa->nat_info.src_port = le16toh(p->udp_src_port);
	sa->nat_info.dest_port = le16toh(p->udp_dst_port);
	if (p->mode == VIRTIO_IPSEC_MODE_TUNNEL) {
		gla_addr_from_wire(p->tun_src, p->ip_version,
				   &sa->te_addr.src_ip);
		gla_addr_from_wire(p->tun_dst, p->ip_version,
				   &sa->te_addr.dest_ip);
	} else {
		/* the transport SA's family, as sa_add wants it stated */
		sa->te_addr.src_ip.version = p->ip_version;
		sa->te_addr.dest_ip.version = p->ip_version;
	}
	sa->path_mtu = le16toh(p->path_mtu);
	sa->frag_mode = p->frag_mode;
	sa->soft_packets_limit = le64toh(p->soft_packets);
	sa->hard_packets_limit = le64toh(p->hard_packets);
	sa->soft_seconds_limit = le64toh(p->soft_seconds);
	sa->hard_seconds_limit = le64toh(p->hard_seconds);
	sa->seq_notify_interval = le32toh(p->seq_notify_interval);
}

static uint32_t gla_sat32(__le64 v)
{
	uint64_t x = le64toh(v);

	return x > UINT32_MAX ? UINT32_MAX : (uint32_t)x;
}

void gla_stats_from_wire(const struct virtio_ipsec_sa_stats *w,
			 struct g_ipsec_la_sa_stats *s)
{
	uint64_t bad = le64toh(w->invalid_pkt) + le64toh(w->invalid_spi);

	memset(s, 0, sizeof(*s));
	s->packets_processed = le64toh(w->packets);
	s->bytes_processed = le64toh(w->bytes);
	s->protocol_violation_errors.invalid_ipsec_pkt =
		bad > UINT32_MAX ? UINT32_MAX : (uint32_t)bad;
	s->protocol_violation_errors.invalid_pad_length =
		gla_sat32(w->invalid_pad);
	s->protocol_violation_errors.invalid_seq_num =
		gla_sat32(w->invalid_seq);
	s->protocol_violation_errors.anti_replay_late_pkt = gla_sat32(w->late);
	s->protocol_violation_errors.anti_replay_replay_pkt =
		gla_sat32(w->replay);
	s->protocol_violation_errors.invalid_icv = gla_sat32(w->invalid_icv);
	s->protocol_violation_errors.seq_num_over_flow =
		gla_sat32(w->seq_overflow);
	s->protocol_violation_errors.crypto_op_failed =
		gla_sat32(w->crypto_failed);
	s->process_errors.no_tail_room = gla_sat32(w->no_room);
	s->hard_expired = gla_sat32(w->hard_expired);
	s->selector = gla_sat32(w->selector);
}

static int gla_get_check(const struct gla_ref *ref,
			 const struct g_ipsec_la_sa_get_inargs *in,
			 const struct g_ipsec_la_sa_get_outargs *out)
{
	if (!in || !out || !out->handles || !in->num_sas ||
	    in->num_sas > G_IPSEC_LA_MAX_SA_GET ||
	    (in->dir != G_IPSEC_LA_IPSEC_INBOUND &&
	     in->dir != G_IPSEC_LA_IPSEC_OUTBOUND) ||
	    in->flags & ~(G_IPSEC_LA_SA_GET_PARAMS | G_IPSEC_LA_SA_GET_STATS |
			  G_IPSEC_LA_SA_GET_STATE) ||
	    ((in->flags & G_IPSEC_LA_SA_GET_PARAMS) && !out->sa_params) ||
	    ((in->flags & G_IPSEC_LA_SA_GET_STATS) && !out->stats) ||
	    ((in->flags & G_IPSEC_LA_SA_GET_STATE) && !out->state))
		return -EINVAL;
	switch (in->operation) {
	case G_IPSEC_LA_SA_GET_FIRST_N: return 0;
	case G_IPSEC_LA_SA_GET_EXACT:
		if (in->num_sas != 1)
			return -EINVAL;
		/* fall through */
	case G_IPSEC_LA_SET_GET_NEXT_N:
		return gla_sa_check(ref, in->handle, (uint32_t)in->dir);
	default: return -EINVAL;
	}
}

/* What is left of one limit (0 = none) after @used. */
static uint64_t gla_left(uint64_t limit, uint64_t used)
{
	if (!limit)
		return G_IPSEC_LA_LIFETIME_UNLIMITED;
	return used < limit ? limit - used : 0;
}

/* The running state of an SA from its entry and the device's state. */
static void gla_state_from_wire(const struct vipsec_sa_record *r,
				struct g_ipsec_la_sa_state *s)
{
	const struct virtio_ipsec_sa_params *p = &r->entry.params;
	const struct virtio_ipsec_sa_state *w = &r->state;
	uint32_t f = le32toh(w->flags), i;

	memset(s, 0, sizeof(*s));
	s->seq = le64toh(r->entry.seq);
	s->age_seconds = le64toh(r->entry.age_seconds);
	s->flags = (f & VIRTIO_IPSEC_SA_STATE_SOFT ?
			    G_IPSEC_LA_SA_STATE_SOFT_EXPIRED :
			    0) |
		   (f & VIRTIO_IPSEC_SA_STATE_HARD ?
			    G_IPSEC_LA_SA_STATE_HARD_EXPIRED :
			    0) |
		   (f & VIRTIO_IPSEC_SA_STATE_SEQ_OVERFLOW ?
			    G_IPSEC_LA_SA_STATE_SEQ_OVERFLOW :
			    0) |
		   (f & VIRTIO_IPSEC_SA_STATE_BITMAP_PARTIAL ?
			    G_IPSEC_LA_SA_STATE_BITMAP_PARTIAL :
			    0);
	s->anti_replay_window_size = le32toh(w->replay_window);
	for (i = 0; i < G_IPSEC_LA_MAX_BITMAP_WORDS; i++)
		s->anti_replay_window_bit_map[i] = le64toh(w->bitmap[i]);
	s->used.bytes = le64toh(w->life_bytes);
	s->used.packets = le64toh(w->life_packets);
	s->used.seconds = le64toh(w->life_seconds);
	s->soft_left.bytes = gla_left(le64toh(p->soft_bytes), s->used.bytes);
	s->soft_left.packets =
		gla_left(le64toh(p->soft_packets), s->used.packets);
	s->soft_left.seconds =
		gla_left(le64toh(p->soft_seconds), s->used.seconds);
	s->hard_left.bytes = gla_left(le64toh(p->hard_bytes), s->used.bytes);
	s->hard_left.packets =
		gla_left(le64toh(p->hard_packets), s->used.packets);
	s->hard_left.seconds =
		gla_left(le64toh(p->hard_seconds), s->used.seconds);
}

/*
 * Copy matching records out (@stride bytes each: an entry, with STATE
 * its state after it); returns how many were taken from @recs.
 */
static uint32_t gla_get_take(const struct gla_ref *ref,
			     const struct g_ipsec_la_sa_get_inargs *in,
			     struct g_ipsec_la_sa_get_outargs *out,
			     const uint8_t *recs, size_t stride, uint32_t n)
{
	const struct virtio_ipsec_sa_entry *e;
	uint32_t i, k;
	uint8_t want = in->dir == G_IPSEC_LA_IPSEC_OUTBOUND ?
			       VIRTIO_IPSEC_DIR_OUTBOUND :
			       VIRTIO_IPSEC_DIR_INBOUND;

	for (i = 0; i < n && out->num_sas < in->num_sas; i++) {
		e = (const struct virtio_ipsec_sa_entry *)(recs + i * stride);
		if (e->params.direction != want)
			continue;
		k = out->num_sas++;
		gla_sa_handle_encode(&out->handles[k], ref,
				     le32toh(e->group_id), le32toh(e->sa_id),
				     in->dir, le32toh(e->params.spi));
		if (in->flags & G_IPSEC_LA_SA_GET_PARAMS)
			gla_sa_from_wire(&e->params, &out->sa_params[k]);
		if (in->flags & G_IPSEC_LA_SA_GET_STATS)
			gla_stats_from_wire(&e->stats, &out->stats[k]);
		if (in->flags & G_IPSEC_LA_SA_GET_STATE)
			gla_state_from_wire((const struct vipsec_sa_record *)e,
					    &out->state[k]);
	}
	return i;
}

size_t gla_get_stride(const struct g_ipsec_la_sa_get_inargs *in)
{
	return in->flags & G_IPSEC_LA_SA_GET_STATE ?
		       sizeof(struct vipsec_sa_record) :
		       sizeof(struct virtio_ipsec_sa_entry);
}

void gla_get_req_init(const struct gla_ref *ref,
		      const struct g_ipsec_la_sa_get_inargs *in,
		      struct vipsec_sa_get *req, void *entries)
{
	memset(req, 0, sizeof(*req));
	req->size = sizeof(*req);
	req->flags =
		in->flags & G_IPSEC_LA_SA_GET_STATE ? VIPSEC_SA_GET_F_STATE : 0;
	req->group_id = ref->group_id;
	req->entries = (uintptr_t)entries;
	req->max_sas = G_IPSEC_LA_MAX_SA_GET;
	if (in->operation == G_IPSEC_LA_SA_GET_FIRST_N) {
		req->op = VIRTIO_IPSEC_SA_GET_FIRST;
	} else {
		req->op = in->operation == G_IPSEC_LA_SA_GET_EXACT ?
				  VIRTIO_IPSEC_SA_GET_EXACT :
				  VIRTIO_IPSEC_SA_GET_NEXT;
		req->sa_id = in->handle->ipsec_sa_handle[GLA_H_SA_ID];
		req->group_id = in->handle->ipsec_sa_handle[GLA_H_GROUP_ID];
	}
}

/*
 * One page read into @e: takes the SAs of the asked direction. The device
 * filters by group, not direction: 1 when another page is needed (@req is
 * set up for it), else 0; a negative errno for an impossible answer.
 */
int gla_get_step(const struct gla_ref *ref,
		 const struct g_ipsec_la_sa_get_inargs *in,
		 struct g_ipsec_la_sa_get_outargs *out,
		 struct vipsec_sa_get *req, const uint8_t *e)
{
	size_t stride = gla_get_stride(in);
	const struct virtio_ipsec_sa_entry *last;
	uint32_t taken;

	if (req->count > G_IPSEC_LA_MAX_SA_GET)
		return -EIO; /* impossible answer */
	taken = gla_get_take(ref, in, out, e, stride, req->count);
	if (taken < req->count || out->num_sas == in->num_sas) {
		out->more = taken < req->count || req->more;
		return 0;
	}
	if (!req->more || !req->count || req->op == VIRTIO_IPSEC_SA_GET_EXACT)
		return 0;
	req->op = VIRTIO_IPSEC_SA_GET_NEXT;
	last = (const struct virtio_ipsec_sa_entry *)(e + (req->count - 1) *
								  stride);
	req->sa_id = le32toh(last->sa_id);
	req->max_sas = G_IPSEC_LA_MAX_SA_GET;
	req->count = req->more = 0;
	return 1;
}

/* The result once the pages are read (@ret: the last one's). */
int gla_get_finish(const struct g_ipsec_la_sa_get_inargs *in,
		   const struct g_ipsec_la_sa_get_outargs *out, int ret)
{
	if (!ret && in->operation == G_IPSEC_LA_SA_GET_EXACT && !out->num_sas)
		ret = -ENOENT;
	return ret;
}

static int gla_sa_get_do(const struct gla_ref *ref,
			 const struct g_ipsec_la_sa_get_inargs *in,
			 struct g_ipsec_la_sa_get_outargs *out)
{
	struct vipsec_sa_get req;
	uint8_t *e;
	int ret = 0;

	e = calloc(G_IPSEC_LA_MAX_SA_GET, gla_get_stride(in));
	if (!e)
		return -ENOMEM;
	gla_get_req_init(ref, in, &req, e);
	do {
		ret = gla_dev_ioctl(ref, VIPSEC_IOC_SA_GET, &req);
		if (!ret)
			ret = gla_get_step(ref, in, out, &req, e);
	} while (ret == 1);
	free(e);
	return gla_get_finish(in, out, ret);
}

int32_t g_ipsec_la_sa_get(struct g_ipsec_la_handle *handle,
			  const struct g_ipsec_la_sa_get_inargs *in,
			  uint32_t flags, struct g_ipsec_la_sa_get_outargs *out,
			  const struct g_ipsec_la_resp_args *resp)
{
	struct gla_ref ref;
	int ret;

	ret = gla_check_flags(flags, resp);
	if (ret)
		return ret;
	ret = gla_ref_get(handle, &ref);
	if (!ret)
		ret = gla_get_check(&ref, in, out);
	if (ret)
		return ret;
	if (!GLA_FEAT(&ref, VIRTIO_IPSEC_F_SA_GET) ||
	    ((in->flags & G_IPSEC_LA_SA_GET_STATE) &&
	     !GLA_FEAT(&ref, VIRTIO_IPSEC_F_SA_STATE))) {
		out->num_sas = out->more = 0;
		return out->result = -EOPNOTSUPP;
	}
	if ((flags & G_IPSEC_LA_CTRL_FLAG_ASYNC) &&
	    !(flags & G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED))
		return gla_sa_get_async(&ref, in, out, resp);
	out->num_sas = out->more = 0;
	ret = gla_sa_get_do(&ref, in, out);
	out->result = ret;
	if (ret)
		return ret;
	/* A caller built before the state member has a shorter struct */
	return gla_finish_ctrl(
		&ref, flags, resp, ret, out,
		in->flags & G_IPSEC_LA_SA_GET_STATE ?
			sizeof(*out) :
			offsetof(struct g_ipsec_la_sa_get_outargs, state));
}
