// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_sa_ctl: SA_MOD and SA_GET control operations. Like the rest of
 * the decoder, every field is validated before anything changes: a
 * refused SA_MOD leaves the SA exactly as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "vipsec_core_priv.h"
#include "vipsec_le.h"

#define M(f)	   (body + VPE_OFF(virtio_ipsec_sa_mod, f))
#define MSIZE(f)   sizeof(((struct virtio_ipsec_sa_mod *)0)->f)
#define PRM(sa, f) ((sa)->st.params + VPE_OFF(virtio_ipsec_sa_params, f))
#define MOD_FLAGS                                                 \
	(VIRTIO_IPSEC_SA_MOD_LOCAL | VIRTIO_IPSEC_SA_MOD_PEER |   \
	 VIRTIO_IPSEC_SA_MOD_SEQ | VIRTIO_IPSEC_SA_MOD_WINDOW |   \
	 VIRTIO_IPSEC_SA_MOD_LIFETIME | VIRTIO_IPSEC_SA_MOD_MTU | \
	 VIRTIO_IPSEC_SA_MOD_DISABLE)
#define BITMAP_WORDS VIRTIO_IPSEC_MAX_BITMAP_WORDS

/*
 * An endpoint keeps its family and is what SA_ADD would take (unicast,
 * see vpe_tunnel_endpoint_ok()). Transport mode has no tunnel
 * addresses, only the UDP port with UDP_ENCAP. Without UDP_ENCAP the
 * port must be 0.
 */
static bool endpoint_ok(const struct vpe_sa *sa, const uint8_t *addr,
			uint16_t port)
{
	if (!(sa->options & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP) && port)
		return false;
	if (*PRM(sa, mode) == VIRTIO_IPSEC_MODE_TRANSPORT)
		return vpe_all_zero(addr, 16);
	return vpe_tunnel_endpoint_ok(*PRM(sa, ip_version), addr);
}

/* SA_ADD's rule: one inbound SA per (group, SPI, destination). */
static bool inbound_clash(const struct vpe_sadb *db, const struct vpe_sa *sa,
			  const uint8_t dst[16])
{
	const struct vpe_sa *o =
		vpe_sadb_find_inbound(db, sa->group_id, sa->spi, dst);

	return o && o != sa;
}

/*
 * The inbound window moved to a new top with SEQ alone: keep what was
 * received by absolute sequence number, as far as it stays in the window.
 */
static struct vpe_replay *window_moved(const struct vpe_replay *old,
				       uint64_t top)
{
	uint32_t words = (old->window + 63) / 64, i;
	uint64_t *a = calloc(words, sizeof(*a)), *b = calloc(words, sizeof(*b));
	struct vpe_replay *r = NULL;

	if (!a || !b)
		goto out;
	vpe_replay_export(old, a, words);
	for (i = 0; i < old->window; i++) {
		uint64_t seq = old->top - i; /* received when bit i set */

		if (!(a[i / 64] >> (i % 64) & 1) || seq > top ||
		    top - seq >= old->window || top - seq >= top)
			continue;
		b[(top - seq) / 64] |= 1ULL << ((top - seq) % 64);
	}
	r = vpe_replay_import(old->window, top, b, words);
out:
	free(a);
	free(b);
	return r;
}

/* Checks the SEQ and WINDOW parts; *rp gets the new window, if any. */
static uint8_t mod_replay(struct vpe_core *core, struct vpe_sa *sa,
			  const uint8_t *body, uint32_t flags,
			  struct vpe_replay **rp)
{
	uint64_t seq = vpe_ld64(M(seq)), bm[BITMAP_WORDS];
	uint32_t w = vpe_ld32(M(replay_window)), i;
	bool esn = sa->options & VIRTIO_IPSEC_SA_OPT_ESN;

	*rp = NULL;
	if (!(flags & VIRTIO_IPSEC_SA_MOD_SEQ) && seq)
		return VIRTIO_IPSEC_INVAL;
	if (!(flags & VIRTIO_IPSEC_SA_MOD_WINDOW) &&
	    (w || !vpe_all_zero(M(bitmap), MSIZE(bitmap))))
		return VIRTIO_IPSEC_INVAL;
	if ((flags & VIRTIO_IPSEC_SA_MOD_SEQ) && !esn && seq > UINT32_MAX)
		return VIRTIO_IPSEC_INVAL;
	if (sa->direction == VIRTIO_IPSEC_DIR_OUTBOUND) {
		if (flags & VIRTIO_IPSEC_SA_MOD_WINDOW)
			return VIRTIO_IPSEC_INVAL;
		/*
		 * Forward only: the IV is derived from the sequence number,
		 * so going back would reuse nonces under the same key.
		 */
		if ((flags & VIRTIO_IPSEC_SA_MOD_SEQ) &&
		    (seq < vpe_sa_seq(sa) || seq > sa->seq_max))
			return VIRTIO_IPSEC_INVAL;
		return VIRTIO_IPSEC_OK;
	}
	if (flags & VIRTIO_IPSEC_SA_MOD_WINDOW) {
		if (!sa->replay || w == 0 || w > core->lim.max_replay_window ||
		    w > BITMAP_WORDS * 64)
			return VIRTIO_IPSEC_INVAL;
		for (i = 0; i < BITMAP_WORDS; i++)
			bm[i] = vpe_ld64(M(bitmap) + 8 * i);
		if (!(flags & VIRTIO_IPSEC_SA_MOD_SEQ))
			seq = sa->replay->top;
		*rp = vpe_replay_import(w, seq, bm, BITMAP_WORDS);
		/* NULL: bits past the window or below sequence number 1. */
		return *rp ? VIRTIO_IPSEC_OK : VIRTIO_IPSEC_INVAL;
	}
	if ((flags & VIRTIO_IPSEC_SA_MOD_SEQ) && sa->replay) {
		*rp = window_moved(sa->replay, seq);
		return *rp ? VIRTIO_IPSEC_OK : VIRTIO_IPSEC_ERR;
	}
	return VIRTIO_IPSEC_OK;
}

/*
 * LIFETIME: the lifetime used so far, forward only (going back would let
 * a key be used past its limits). Without the flag the fields are zero.
 *
 * Ages are whole seconds of clocks that tick out of phase (each device's
 * own, another host's): a primary's age read at a checkpoint can stand a
 * second below the age a standby SA, added after it, has already reached
 * (read 0 at 0.9 s on one clock; added at 0.95 s, 1 on the other at 1.0 s).
 * That is no step back, so an age up to VPE_AGE_SLACK below the SA's own
 * is taken and the SA keeps its own (mod_life_apply); one further below
 * is refused as any other value that goes back.
 */
#define VPE_AGE_SLACK 1

static uint8_t mod_life_check(const struct vpe_core *core,
			      const struct vpe_sa *sa, const uint8_t *body,
			      uint32_t flags)
{
	uint64_t bytes = vpe_ld64(M(life_bytes));
	uint64_t packets = vpe_ld64(M(life_packets));
	uint32_t secs = vpe_ld32(M(life_seconds));

	if (!(flags & VIRTIO_IPSEC_SA_MOD_LIFETIME))
		return bytes || packets || secs ? VIRTIO_IPSEC_INVAL :
						  VIRTIO_IPSEC_OK;
	if (!vpe_core_has(core, VIRTIO_IPSEC_F_SA_STATE))
		return VIRTIO_IPSEC_NOTSUPP;
	if (bytes < sa->st.stats[VPE_STAT_BYTES] ||
	    packets < sa->st.stats[VPE_STAT_PACKETS] ||
	    (uint64_t)secs + VPE_AGE_SLACK < core->now - sa->st.added)
		return VIRTIO_IPSEC_INVAL;
	return VIRTIO_IPSEC_OK;
}

/*
 * Applies a checked LIFETIME: the counters continue from the values, the
 * age from secs (added may then precede the clock's zero, mod 2^64), and
 * limits already reached count as notified: the first device raised
 * their events.
 */
static void mod_life_apply(struct vpe_core *core, struct vpe_sa *sa,
			   const uint8_t *body)
{
	const struct vpe_life *l = &sa->st.life;
	uint64_t *s = sa->st.stats;
	uint64_t age;

	s[VPE_STAT_BYTES] = vpe_ld64(M(life_bytes));
	s[VPE_STAT_PACKETS] = vpe_ld64(M(life_packets));
	age = vpe_ld32(M(life_seconds));
	/* never younger than it is (mod_life_check: the slack) */
	if (age < core->now - sa->st.added)
		age = core->now - sa->st.added;
	sa->st.added = core->now - age;
	if ((l->soft_bytes && s[VPE_STAT_BYTES] >= l->soft_bytes) ||
	    (l->soft_packets && s[VPE_STAT_PACKETS] >= l->soft_packets) ||
	    (l->soft_seconds && age >= l->soft_seconds))
		sa->st.flags |= VPE_ST_SOFT;
	if ((l->hard_bytes && s[VPE_STAT_BYTES] >= l->hard_bytes) ||
	    (l->hard_packets && s[VPE_STAT_PACKETS] >= l->hard_packets) ||
	    (l->hard_seconds && age >= l->hard_seconds))
		sa->st.flags |= VPE_ST_HARD;
}

static uint8_t sa_mod(struct vpe_core *core, const struct vpe_ctrl_req *req)
{
	const uint8_t *body = req->body;
	uint32_t gid = req->gid, id = req->id;
	uint8_t src[16], dst[16], st;
	struct vpe_replay *r;
	struct vpe_sa *sa;
	uint16_t sport, dport;
	uint32_t flags;

	flags = vpe_ld32(M(flags));
	if (!flags || (flags & ~MOD_FLAGS))
		return VIRTIO_IPSEC_INVAL;
	if (vpe_group_check(&core->db, gid) != VIRTIO_IPSEC_OK)
		return VIRTIO_IPSEC_INVGROUP;
	sa = vpe_sa_lookup(&core->db, gid, id);
	if (!sa)
		return VIRTIO_IPSEC_INVSA;

	/* Fields that flags do not name must be zero, like reserved ones. */
	memcpy(src, sa->tun_src, 16);
	memcpy(dst, sa->tun_dst, 16);
	sport = vpe_ld16(PRM(sa, udp_src_port));
	dport = vpe_ld16(PRM(sa, udp_dst_port));
	if (flags & VIRTIO_IPSEC_SA_MOD_LOCAL) {
		memcpy(src, M(local_addr), 16);
		sport = vpe_ld16(M(local_port));
		if (!endpoint_ok(sa, src, sport))
			return VIRTIO_IPSEC_INVAL;
	} else if (!vpe_all_zero(M(local_addr), 16) ||
		   vpe_ld16(M(local_port))) {
		return VIRTIO_IPSEC_INVAL;
	}
	if (flags & VIRTIO_IPSEC_SA_MOD_PEER) {
		memcpy(dst, M(peer_addr), 16);
		dport = vpe_ld16(M(peer_port));
		if (!endpoint_ok(sa, dst, dport))
			return VIRTIO_IPSEC_INVAL;
		if (sa->direction == VIRTIO_IPSEC_DIR_INBOUND &&
		    inbound_clash(&core->db, sa, dst))
			return VIRTIO_IPSEC_EXISTS;
	} else if (!vpe_all_zero(M(peer_addr), 16) || vpe_ld16(M(peer_port))) {
		return VIRTIO_IPSEC_INVAL;
	}
	st = mod_life_check(core, sa, body, flags);
	if (st != VIRTIO_IPSEC_OK)
		return st;
	if (flags & VIRTIO_IPSEC_SA_MOD_MTU) {
		if (vpe_mtu_check(sa->direction, sa->ip_version,
				  vpe_ld16(M(path_mtu)),
				  *M(frag_mode)) != VIRTIO_IPSEC_OK)
			return VIRTIO_IPSEC_INVAL;
	} else if (vpe_ld16(M(path_mtu)) || *M(frag_mode)) {
		return VIRTIO_IPSEC_INVAL;
	}
	st = mod_replay(core, sa, body, flags, &r);
	if (st != VIRTIO_IPSEC_OK)
		return st;

	/* Everything checked: apply. */
	vpe_sa_move_endpoints(&core->db, sa, src, dst, sport, dport);
	memcpy(PRM(sa, tun_src), src, 16);
	memcpy(PRM(sa, tun_dst), dst, 16);
	vpe_st16(PRM(sa, udp_src_port), sport);
	vpe_st16(PRM(sa, udp_dst_port), dport);
	if (flags & VIRTIO_IPSEC_SA_MOD_SEQ) {
		if (sa->direction == VIRTIO_IPSEC_DIR_OUTBOUND) {
			/*
			 * The outer ids and the packet count follow the
			 * sequence number (vipsec_sa.h): they go on from
			 * where they stood, whatever number comes next.
			 */
			uint16_t id = vpe_sa_next_ip_id(sa);
			uint64_t packets = vpe_sa_packets(sa);

			sa->seq = vpe_ld64(M(seq));
			vpe_sa_set_next_ip_id(sa, id);
			vpe_sa_set_packets(sa, packets);
		} else
			sa->esn_top = vpe_ld64(M(seq)); /* ESN inference base */
	}
	if (r) {
		vpe_replay_free(sa->replay);
		sa->replay = r;
		vpe_st32(PRM(sa, replay_window), r->window);
	}
	if (flags & VIRTIO_IPSEC_SA_MOD_LIFETIME)
		mod_life_apply(core, sa, body);
	if (flags & VIRTIO_IPSEC_SA_MOD_MTU) {
		sa->path_mtu = vpe_ld16(M(path_mtu));
		sa->frag_mode = *M(frag_mode);
		vpe_st16(PRM(sa, path_mtu), sa->path_mtu);
		*PRM(sa, frag_mode) = sa->frag_mode;
	}
	if (flags & VIRTIO_IPSEC_SA_MOD_DISABLE)
		vpe_or(&sa->st.flags, VPE_ST_DISABLED);
	return VIRTIO_IPSEC_OK;
}

/*
 * F_SA_MOD and the body length: checked by the dispatcher. SA_MOD reads
 * the replay window and rewrites endpoints, template, sequence number
 * and window in place: it runs with every data queue held out
 * (vipsec_queue.c), which is why it is the one SA call that stalls them.
 */
uint8_t vpe_ctl_sa_mod(struct vpe_core *core, const struct vpe_ctrl_req *req)
{
	uint8_t st;

	vpe_core_excl_begin(core);
	st = sa_mod(core, req);
	vpe_core_excl_end(core);
	return st;
}

#define GET_HLEN     sizeof(struct virtio_ipsec_sa_get_resp)
#define ENTRY_LEN    sizeof(struct virtio_ipsec_sa_entry)
#define STATE_LEN    sizeof(struct virtio_ipsec_sa_state)
#define G(f)	     (body + VPE_OFF(virtio_ipsec_sa_get, f))
#define GET_RESERVED sizeof(((struct virtio_ipsec_sa_get *)0)->reserved)
#define E(f)	     VPE_OFF(virtio_ipsec_sa_entry, f)
#define S(f)	     VPE_OFF(virtio_ipsec_sa_state, f)

/* The running state that follows an entry with SA_GET_F_STATE. */
static void sa_state(const struct vpe_core *core, const struct vpe_sa *sa,
		     uint8_t *s)
{
	uint64_t bm[BITMAP_WORDS];
	uint32_t fl = 0, i;

	memset(s, 0, STATE_LEN);
	/* Data queues may be running: atomic loads, the window under its lock */
	if (vpe_ld(&sa->st.flags) & VPE_ST_SOFT)
		fl |= VIRTIO_IPSEC_SA_STATE_SOFT;
	if (vpe_ld(&sa->st.flags) & VPE_ST_HARD)
		fl |= VIRTIO_IPSEC_SA_STATE_HARD;
	if (vpe_ld(&sa->stopped) || (vpe_ld(&sa->st.flags) & VPE_ST_OVERFLOW))
		fl |= VIRTIO_IPSEC_SA_STATE_SEQ_OVERFLOW;
	if (sa->replay && sa->replay->window > BITMAP_WORDS * 64)
		fl |= VIRTIO_IPSEC_SA_STATE_BITMAP_PARTIAL;
	vpe_st32(s + S(flags), fl);
	vpe_st64(s + S(life_bytes), vpe_ld(&sa->st.stats[VPE_STAT_BYTES]));
	vpe_st64(s + S(life_packets), vpe_ld(&sa->st.stats[VPE_STAT_PACKETS]));
	vpe_st64(s + S(life_seconds), core->now - vpe_ld(&sa->st.added));
	if (!sa->replay)
		return;
	vpe_st32(s + S(replay_window), sa->replay->window);
	vpe_spin_lock((uint32_t *)&sa->replay_lock);
	vpe_replay_export(sa->replay, bm, BITMAP_WORDS);
	vpe_spin_unlock((uint32_t *)&sa->replay_lock);
	for (i = 0; i < BITMAP_WORDS; i++)
		vpe_st64(s + S(bitmap) + 8 * i, bm[i]);
}

static void sa_entry(const struct vpe_core *core, const struct vpe_sa *sa,
		     uint8_t *e)
{
	memset(e, 0, ENTRY_LEN);
	vpe_st32(e + E(group_id), sa->group_id);
	vpe_st32(e + E(sa_id), sa->id);
	vpe_st64(e + E(seq), vpe_sa_seq(sa));
	vpe_st64(e + E(age_seconds), core->now - vpe_ld(&sa->st.added));
	/* Keys and salt were zeroed when the copy was taken (SA_ADD). */
	memcpy(e + E(params), sa->st.params, sizeof(sa->st.params));
	vpe_stats_encode(sa, e + E(stats));
}

/* F_SA_GET and the body length: checked by the dispatcher. */
uint8_t vpe_ctl_sa_get(struct vpe_core *core, const struct vpe_ctrl_req *req)
{
	const struct vpe_sadb *db = &core->db;
	const uint8_t *body = req->body;
	uint32_t gid = req->gid, id = req->id;
	uint8_t *out = req->out;
	size_t out_cap = req->out_cap;
	uint32_t *out_len = req->out_len;
	uint32_t op, max, count = 0, more = 0, i, start, flags;
	size_t stride = ENTRY_LEN;

	*out_len = 0;
	op = vpe_ld32(G(op));
	max = vpe_ld32(G(max_sas));
	flags = vpe_ld32(G(flags));
	if (!vpe_all_zero(G(reserved), GET_RESERVED) ||
	    (flags & ~(uint32_t)VIRTIO_IPSEC_SA_GET_F_STATE))
		return VIRTIO_IPSEC_INVAL;
	if (flags & VIRTIO_IPSEC_SA_GET_F_STATE) {
		if (!vpe_core_has(core, VIRTIO_IPSEC_F_SA_STATE))
			return VIRTIO_IPSEC_NOTSUPP;
		stride += STATE_LEN;
	}
	/* At most what fits the response; not even one entry is an error. */
	if (max == 0 || out_cap < GET_HLEN + stride)
		return VIRTIO_IPSEC_INVAL;
	if (max > (out_cap - GET_HLEN) / stride)
		max = (uint32_t)((out_cap - GET_HLEN) / stride);
	if (vpe_group_check(db, gid) != VIRTIO_IPSEC_OK)
		return VIRTIO_IPSEC_INVGROUP;
	switch (op) {
	case VIRTIO_IPSEC_SA_GET_FIRST:
		if (id)
			return VIRTIO_IPSEC_INVAL;
		start = 1;
		break;
	case VIRTIO_IPSEC_SA_GET_NEXT:
		start = id + 1; /* id >= max_sas: nothing follows */
		if (start == 0)
			return VIRTIO_IPSEC_INVAL;
		break;
	case VIRTIO_IPSEC_SA_GET_EXACT:
		if (!vpe_sa_lookup(db, gid, id))
			return VIRTIO_IPSEC_INVSA;
		start = id;
		max = 1;
		break;
	default: return VIRTIO_IPSEC_INVAL;
	}
	/* start 0 (NEXT after 2^32 - 1) was refused above. */
	for (i = vpe_sadb_next_id(db, start); i;
	     i = vpe_sadb_next_id(db, i + 1)) {
		const struct vpe_sa *sa = vpe_sa_lookup(db, gid, i);

		if (!sa)
			continue;
		if (count == max) {
			more = 1;
			break;
		}
		sa_entry(core, sa, out + GET_HLEN + (size_t)count * stride);
		if (flags & VIRTIO_IPSEC_SA_GET_F_STATE)
			sa_state(core, sa,
				 out + GET_HLEN + (size_t)count * stride +
					 ENTRY_LEN);
		count++;
	}
	memset(out, 0, GET_HLEN);
	vpe_st32(out + VPE_OFF(virtio_ipsec_sa_get_resp, count), count);
	vpe_st32(out + VPE_OFF(virtio_ipsec_sa_get_resp, more), more);
	*out_len = (uint32_t)(GET_HLEN + (size_t)count * stride);
	return VIRTIO_IPSEC_OK;
}
