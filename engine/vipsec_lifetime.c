// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_lifetime: per-SA statistics, lifetimes and the events they raise,
 * accounted by the decoder around each esp_encap/esp_decap call:
 * vpe_life_admit() before (a hard-expired SA refuses the packet),
 * vpe_life_account() after (one counter per status; soft and hard
 * limits; periodic sequence announcements; sequence overflow).
 *
 * Limits are reached when a counter is >= the limit: the packet that makes
 * packets == hard_packets still succeeds, the next one is refused. Bytes
 * are input bytes, like the bytes counter; so the packet that crosses
 * hard_bytes is the last one accepted (as XFRM does). Seconds count from
 * SA_ADD on the core clock (vpe_core_tick()). Each expiry event is
 * queued once per SA.
 */
#include <stddef.h>

#include "vipsec_core_priv.h"
#include "vipsec_le.h"

/* The stats record is counter i at byte 8 * i. */
_Static_assert(sizeof(struct virtio_ipsec_sa_stats) >=
		       VPE_STAT_N * sizeof(uint64_t),
	       "stats record too small");
_Static_assert(offsetof(struct virtio_ipsec_sa_stats, selector) ==
		       VPE_STAT_SELECTOR * sizeof(uint64_t),
	       "stats order");
_Static_assert(offsetof(struct virtio_ipsec_sa_stats, disabled) ==
		       VPE_STAT_DISABLED * sizeof(uint64_t),
	       "stats order");
_Static_assert(offsetof(struct virtio_ipsec_sa_stats, invalid_icv) ==
		       VPE_STAT_INVALID_ICV * sizeof(uint64_t),
	       "stats order");
_Static_assert(offsetof(struct virtio_ipsec_sa_stats, invalid_pad) ==
		       VPE_STAT_INVALID_PAD * sizeof(uint64_t),
	       "stats order");

uint64_t vpe_sa_seq(const struct vpe_sa *sa)
{
	uint64_t seq;

	if (sa->direction == VIRTIO_IPSEC_DIR_OUTBOUND) {
		/* The counter may stand past the limit (vpe_esp_seq_next). */
		seq = vpe_ld(&sa->seq);
		return seq < sa->seq_max ? seq : sa->seq_max;
	}
	/* esn_top: highest authenticated number of a windowless SA. */
	return sa->replay ? vpe_ld(&sa->replay->top) : vpe_ld(&sa->esn_top);
}

void vpe_sa_event(struct vpe_core *core, const struct vpe_sa *sa, uint16_t type,
		  uint16_t limit, uint64_t seq)
{
	struct vpe_evrec e = {
		.type = type,
		.limit = limit,
		.group_id = sa->group_id,
		.sa_id = sa->id,
		.spi = sa->spi,
		.seq = seq,
		.bytes = vpe_ld(&sa->st.stats[VPE_STAT_BYTES]),
		.packets = vpe_ld(&sa->st.stats[VPE_STAT_PACKETS]),
	};

	/* Without a negotiated event queue nobody could read it. */
	if (vpe_core_has(core, VIRTIO_IPSEC_F_EVENTQ))
		vpe_core_event(core, &e);
}

/* Which of three limits (0 = none) the SA has reached, or 0. */
static uint16_t reached(const struct vpe_core *core, const struct vpe_sa *sa,
			uint64_t bytes, uint64_t packets, uint64_t seconds)
{
	const uint64_t *s = sa->st.stats;

	if (bytes && vpe_ld(&s[VPE_STAT_BYTES]) >= bytes)
		return VIRTIO_IPSEC_LIMIT_BYTES;
	if (packets && vpe_ld(&s[VPE_STAT_PACKETS]) >= packets)
		return VIRTIO_IPSEC_LIMIT_PACKETS;
	if (seconds && vpe_ld(&core->now) - vpe_ld(&sa->st.added) >= seconds)
		return VIRTIO_IPSEC_LIMIT_SECONDS;
	return 0;
}

/*
 * Checks one pair of limits; queues its expiry event once, whichever
 * thread (a data queue, the clock) sees the limit first.
 */
static void check_limit(struct vpe_core *core, struct vpe_sa *sa, uint32_t flag,
			uint16_t evt, uint64_t bytes, uint64_t packets,
			uint64_t seconds)
{
	uint16_t lim;

	if (vpe_ld(&sa->st.flags) & flag)
		return;
	lim = reached(core, sa, bytes, packets, seconds);
	if (lim && !(vpe_or(&sa->st.flags, flag) & flag)) {
		vpe_sa_event(core, sa, evt, lim, vpe_sa_seq(sa));
		/* The SA is dead: ask for its deletion (seed 003 SaDeleteReq) */
		if (flag == VPE_ST_HARD)
			vpe_sa_event(core, sa, VIRTIO_IPSEC_EVT_SA_DELETE_REQ,
				     lim, vpe_sa_seq(sa));
	}
}

/* Checks both limits; queues each expiry event once. */
static void check_limits(struct vpe_core *core, struct vpe_sa *sa)
{
	const struct vpe_life *l = &sa->st.life;

	if (!sa->st.limited)
		return; /* the common SA: one test on the fast path */
	check_limit(core, sa, VPE_ST_SOFT, VIRTIO_IPSEC_EVT_SOFT_EXPIRY,
		    l->soft_bytes, l->soft_packets, l->soft_seconds);
	check_limit(core, sa, VPE_ST_HARD, VIRTIO_IPSEC_EVT_HARD_EXPIRY,
		    l->hard_bytes, l->hard_packets, l->hard_seconds);
}

/* WARN_SOFT_* bits of every soft limit reached now (which limit, item 8) */
static uint16_t soft_reached(const struct vpe_core *core,
			     const struct vpe_sa *sa)
{
	const struct vpe_life *l = &sa->st.life;
	const uint64_t *s = sa->st.stats;
	uint16_t w = 0;

	if (l->soft_bytes && vpe_ld(&s[VPE_STAT_BYTES]) >= l->soft_bytes)
		w |= VIRTIO_IPSEC_WARN_SOFT_BYTES;
	if (l->soft_packets && vpe_ld(&s[VPE_STAT_PACKETS]) >= l->soft_packets)
		w |= VIRTIO_IPSEC_WARN_SOFT_PACKETS;
	if (l->soft_seconds &&
	    vpe_ld(&core->now) - vpe_ld(&sa->st.added) >= l->soft_seconds)
		w |= VIRTIO_IPSEC_WARN_SOFT_SECONDS;
	return w;
}

/*
 * Hard packet and byte limits with several queues: each packet reserves
 * its share before the crypto, so that the packets in flight on all
 * queues together never pass the limit; a packet that then fails gives
 * its share back (vpe_life_account). With one queue the reservations
 * equal the counters whenever a packet is admitted (the decoder never
 * puts two packets of such an SA in one burst), so the limit falls on
 * the same packet as before. With several, a packet that finds the last
 * shares taken by packets still in flight is refused even if one of
 * those then fails.
 */
uint8_t vpe_life_admit(struct vpe_core *core, struct vpe_sa *sa,
		       uint32_t in_len, bool *rsv)
{
	struct vpe_sa_state *st = &sa->st;
	const struct vpe_life *l = &st->life;
	uint64_t p, b;

	*rsv = false;
	/* Disabled first: the owner is draining it, not its lifetimes. */
	if (vpe_ld(&sa->st.flags) & VPE_ST_DISABLED)
		return VIRTIO_IPSEC_DISABLED;
	check_limits(core, sa);
	if (vpe_ld(&st->flags) & VPE_ST_HARD)
		return VIRTIO_IPSEC_HARD_EXPIRED;
	if (!l->hard_packets && !l->hard_bytes)
		return VIRTIO_IPSEC_OK;
	p = vpe_add(&st->rsv_packets, 1);
	b = vpe_add(&st->rsv_bytes, in_len);
	if ((l->hard_packets && p >= l->hard_packets) ||
	    (l->hard_bytes && b >= l->hard_bytes)) {
		vpe_sub(&st->rsv_packets, 1);
		vpe_sub(&st->rsv_bytes, in_len);
		return VIRTIO_IPSEC_HARD_EXPIRED;
	}
	*rsv = true;
	return VIRTIO_IPSEC_OK;
}

/* The one counter a failed packet goes to; also fixes the wire status. */
static enum vpe_stat fail_counter(struct vpe_esp_res *r)
{
	switch (r->status) {
	case VPE_STATUS_BADPAD:
		r->status = VIRTIO_IPSEC_BADPKT;
		return VPE_STAT_INVALID_PAD;
	case VPE_STATUS_BADSEQ:
		r->status = VIRTIO_IPSEC_LATE;
		return VPE_STAT_INVALID_SEQ;
	case VIRTIO_IPSEC_LATE:
		/* Sequence number 0 is never valid (RFC 4303 3.3.3). */
		return r->seq ? VPE_STAT_LATE : VPE_STAT_INVALID_SEQ;
	case VIRTIO_IPSEC_BADPROTO: return VPE_STAT_INVALID_SPI;
	case VIRTIO_IPSEC_REPLAY: return VPE_STAT_REPLAY;
	case VIRTIO_IPSEC_BADMSG: return VPE_STAT_INVALID_ICV;
	case VIRTIO_IPSEC_SEQ_OVERFLOW: return VPE_STAT_SEQ_OVERFLOW;
	case VIRTIO_IPSEC_ERR: return VPE_STAT_CRYPTO_FAILED;
	case VIRTIO_IPSEC_DST_TOO_SMALL: return VPE_STAT_NO_ROOM;
	case VIRTIO_IPSEC_HARD_EXPIRED: return VPE_STAT_HARD_EXPIRED;
	case VIRTIO_IPSEC_SELECTOR: return VPE_STAT_SELECTOR;
	case VIRTIO_IPSEC_MTU: return VPE_STAT_MTU;
	case VIRTIO_IPSEC_DISABLED: return VPE_STAT_DISABLED;
	default:
		/* BADPKT, and a packet the SA cannot take at all (INVAL:
		 * wrong direction) is malformed for this SA. */
		return VPE_STAT_INVALID_PKT;
	}
}

/* The last eighth (VIRTIO_IPSEC_SEQ_NEAR_SHIFT) of an outbound SA's numbers */
static bool seq_near_overflow(const struct vpe_sa *sa)
{
	return sa->direction == VIRTIO_IPSEC_DIR_OUTBOUND &&
	       sa->seq_max - vpe_sa_seq(sa) <= sa->seq_max >>
		       VIRTIO_IPSEC_SEQ_NEAR_SHIFT;
}

/* No limit, no announcement, no warning due: the decoder's batched path. */
bool vpe_life_plain(const struct vpe_sa *sa)
{
	return !sa->st.limited && !sa->st.seq_notify_interval &&
	       !seq_near_overflow(sa);
}

void vpe_life_account_plain(struct vpe_sa *sa, uint64_t packets, uint64_t bytes)
{
	vpe_add(&sa->st.stats[VPE_STAT_PACKETS], packets);
	vpe_add(&sa->st.stats[VPE_STAT_BYTES], bytes);
}

uint16_t vpe_life_account(struct vpe_core *core, struct vpe_sa *sa,
			  uint32_t in_len, bool rsv, struct vpe_esp_res *r)
{
	struct vpe_sa_state *st = &sa->st;
	uint16_t warn = 0;
	uint64_t packets;
	enum vpe_stat c;

	if (r->status != VIRTIO_IPSEC_OK) {
		if (rsv) {
			vpe_sub(&st->rsv_packets, 1);
			vpe_sub(&st->rsv_bytes, in_len);
		}
		c = fail_counter(r);
		vpe_add(&st->stats[c], 1);
		vpe_err_event(core, sa, c, r->seq);
		if (r->status == VIRTIO_IPSEC_SEQ_OVERFLOW &&
		    !(vpe_or(&st->flags, VPE_ST_OVERFLOW) & VPE_ST_OVERFLOW)) {
			vpe_sa_event(core, sa, VIRTIO_IPSEC_EVT_SEQ_OVERFLOW, 0,
				     vpe_sa_seq(sa));
			vpe_sa_event(core, sa, VIRTIO_IPSEC_EVT_SA_DELETE_REQ,
				     0, vpe_sa_seq(sa));
		}
		return 0;
	}
	/* Bytes first: a reader that sees the packet sees its bytes. */
	vpe_add(&st->stats[VPE_STAT_BYTES], in_len);
	packets = vpe_add(&st->stats[VPE_STAT_PACKETS], 1) + 1;
	/* Exactly one thread sees each multiple of the interval. */
	if (st->seq_notify_interval && packets % st->seq_notify_interval == 0) {
		warn |= VIRTIO_IPSEC_WARN_SEQ_NOTIFY;
		vpe_sa_event(core, sa, VIRTIO_IPSEC_EVT_SEQ_NOTIFY, 0, r->seq);
	}
	check_limits(core, sa);
	if (vpe_ld(&st->flags) & VPE_ST_SOFT) {
		r->status = VIRTIO_IPSEC_SOFT_EXPIRY;
		warn |= VIRTIO_IPSEC_WARN_SOFT_EXPIRY | soft_reached(core, sa);
	}
	if (seq_near_overflow(sa))
		warn |= VIRTIO_IPSEC_WARN_SEQ_NEAR_OVERFLOW;
	return warn;
}

void vpe_stats_encode(const struct vpe_sa *sa, uint8_t *wire)
{
	size_t i;

	for (i = 0; i < sizeof(struct virtio_ipsec_sa_stats); i++)
		wire[i] = 0;
	for (i = 0; i < VPE_STAT_N; i++)
		vpe_st64(wire + i * sizeof(uint64_t), vpe_ld(&sa->st.stats[i]));
}

void vpe_core_tick(struct vpe_core *core, uint64_t now_seconds)
{
	struct vpe_sadb *db = &core->db;
	uint32_t i;

	vpe_core_ctrl_lock(core);
	/* A clock that steps back must not make SAs younger. */
	if (now_seconds <= core->now) {
		vpe_core_ctrl_unlock(core);
		return;
	}
	vpe_st(&core->now, now_seconds);
	for (i = vpe_sadb_next_id(db, 1); i; i = vpe_sadb_next_id(db, i + 1)) {
		struct vpe_sa *sa = db->sas[i];

		if ((sa->st.life.soft_seconds || sa->st.life.hard_seconds))
			check_limits(core, sa);
	}
	vpe_err_tick(core);
	vpe_core_ctrl_unlock(core);
}
