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
	if (sa->direction == VIRTIO_IPSEC_DIR_OUTBOUND)
		return sa->seq;
	/* esn_top: highest authenticated number of a windowless SA. */
	return sa->replay ? sa->replay->top : sa->esn_top;
}

static void sa_event(struct vpe_core *core, const struct vpe_sa *sa,
		     uint16_t type, uint16_t limit, uint64_t seq)
{
	struct vpe_evrec e = {
		.type = type,
		.limit = limit,
		.group_id = sa->group_id,
		.sa_id = sa->id,
		.spi = sa->spi,
		.seq = seq,
		.bytes = sa->st.stats[VPE_STAT_BYTES],
		.packets = sa->st.stats[VPE_STAT_PACKETS],
	};

	/* Without a negotiated event queue nobody could read it. */
	if (vpe_core_has(core, VIRTIO_IPSEC_F_EVENTQ))
		vpe_evq_push(&core->evq, &e);
}

/* Which of three limits (0 = none) the SA has reached, or 0. */
static uint16_t reached(const struct vpe_core *core, const struct vpe_sa *sa,
			uint64_t bytes, uint64_t packets, uint64_t seconds)
{
	const uint64_t *s = sa->st.stats;

	if (bytes && s[VPE_STAT_BYTES] >= bytes)
		return VIRTIO_IPSEC_LIMIT_BYTES;
	if (packets && s[VPE_STAT_PACKETS] >= packets)
		return VIRTIO_IPSEC_LIMIT_PACKETS;
	if (seconds && core->now - sa->st.added >= seconds)
		return VIRTIO_IPSEC_LIMIT_SECONDS;
	return 0;
}

/* Checks one pair of limits; queues its expiry event once. */
static void check_limit(struct vpe_core *core, struct vpe_sa *sa, uint32_t flag,
			uint16_t evt, uint64_t bytes, uint64_t packets,
			uint64_t seconds)
{
	uint16_t lim;

	if (sa->st.flags & flag)
		return;
	lim = reached(core, sa, bytes, packets, seconds);
	if (lim) {
		sa->st.flags |= flag;
		sa_event(core, sa, evt, lim, vpe_sa_seq(sa));
	}
}

/* Checks both limits; queues each expiry event once. */
static void check_limits(struct vpe_core *core, struct vpe_sa *sa)
{
	const struct vpe_life *l = &sa->st.life;

	check_limit(core, sa, VPE_ST_SOFT, VIRTIO_IPSEC_EVT_SOFT_EXPIRY,
		    l->soft_bytes, l->soft_packets, l->soft_seconds);
	check_limit(core, sa, VPE_ST_HARD, VIRTIO_IPSEC_EVT_HARD_EXPIRY,
		    l->hard_bytes, l->hard_packets, l->hard_seconds);
}

uint8_t vpe_life_admit(struct vpe_core *core, struct vpe_sa *sa)
{
	/* Disabled first: the owner is draining it, not its lifetimes. */
	if (sa->st.flags & VPE_ST_DISABLED)
		return VIRTIO_IPSEC_DISABLED;
	check_limits(core, sa);
	return (sa->st.flags & VPE_ST_HARD) ? VIRTIO_IPSEC_HARD_EXPIRED :
					      VIRTIO_IPSEC_OK;
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

uint16_t vpe_life_account(struct vpe_core *core, struct vpe_sa *sa,
			  uint32_t in_len, struct vpe_esp_res *r)
{
	struct vpe_sa_state *st = &sa->st;
	uint16_t warn = 0;

	if (r->status != VIRTIO_IPSEC_OK) {
		st->stats[fail_counter(r)]++;
		if (r->status == VIRTIO_IPSEC_SEQ_OVERFLOW &&
		    !(st->flags & VPE_ST_OVERFLOW)) {
			st->flags |= VPE_ST_OVERFLOW;
			sa_event(core, sa, VIRTIO_IPSEC_EVT_SEQ_OVERFLOW, 0,
				 sa->seq);
		}
		return 0;
	}
	st->stats[VPE_STAT_PACKETS]++;
	st->stats[VPE_STAT_BYTES] += in_len;
	if (st->seq_notify_interval &&
	    st->stats[VPE_STAT_PACKETS] % st->seq_notify_interval == 0) {
		warn |= VIRTIO_IPSEC_WARN_SEQ_NOTIFY;
		sa_event(core, sa, VIRTIO_IPSEC_EVT_SEQ_NOTIFY, 0, r->seq);
	}
	check_limits(core, sa);
	if (st->flags & VPE_ST_SOFT) {
		r->status = VIRTIO_IPSEC_SOFT_EXPIRY;
		warn |= VIRTIO_IPSEC_WARN_SOFT_EXPIRY;
	}
	return warn;
}

void vpe_stats_encode(const struct vpe_sa *sa, uint8_t *wire)
{
	size_t i;

	for (i = 0; i < sizeof(struct virtio_ipsec_sa_stats); i++)
		wire[i] = 0;
	for (i = 0; i < VPE_STAT_N; i++)
		vpe_st64(wire + i * sizeof(uint64_t), sa->st.stats[i]);
}

void vpe_core_tick(struct vpe_core *core, uint64_t now_seconds)
{
	struct vpe_sadb *db = &core->db;
	uint32_t i;

	/* A clock that steps back must not make SAs younger. */
	if (now_seconds <= core->now)
		return;
	core->now = now_seconds;
	for (i = vpe_sadb_next_id(db, 1); i; i = vpe_sadb_next_id(db, i + 1)) {
		struct vpe_sa *sa = db->sas[i];

		if ((sa->st.life.soft_seconds || sa->st.life.hard_seconds))
			check_limits(core, sa);
	}
}
