/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_state: the per-SA state the device keeps beyond what ESP needs:
 * statistics, lifetimes, event bookkeeping and the parameters as added
 * (without keys) for SA_GET. Plain data, embedded in struct vpe_sa;
 * the decoder (vipsec_core.c, vipsec_lifetime.c) is its only writer, so
 * the ESP code never has to know about it.
 */
#ifndef VPE_STATE_H
#define VPE_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_ipsec.h>

/*
 * Counters in the order of struct virtio_ipsec_sa_stats, so the wire
 * record is counter i at byte 8 * i (checked in vipsec_lifetime.c).
 */
enum vpe_stat {
	VPE_STAT_PACKETS,
	VPE_STAT_BYTES,
	VPE_STAT_INVALID_PKT,
	VPE_STAT_INVALID_PAD,
	VPE_STAT_INVALID_SPI,
	VPE_STAT_INVALID_SEQ,
	VPE_STAT_REPLAY,
	VPE_STAT_LATE,
	VPE_STAT_INVALID_ICV,
	VPE_STAT_SEQ_OVERFLOW,
	VPE_STAT_CRYPTO_FAILED,
	VPE_STAT_NO_ROOM,
	VPE_STAT_HARD_EXPIRED,
	VPE_STAT_SELECTOR,
	VPE_STAT_MTU,
	VPE_STAT_DISABLED,
	VPE_STAT_N
};

/* Limits in host order; 0 = unlimited. Bytes are input bytes. */
struct vpe_life {
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_packets, hard_packets;
	uint64_t soft_seconds, hard_seconds;
};

/*
 * Engine-private packet statuses for failures the wire folds into one
 * status but the statistics tell apart. The ESP code may return them in
 * vpe_esp_res.status; the decoder reports the wire status and counts
 * the specific counter.
 */
#define VPE_STATUS_BADPAD 0x80 /* wire BADPKT, counter invalid_pad */
#define VPE_STATUS_BADSEQ 0x81 /* wire LATE, counter invalid_seq */

/* Bytes of key material an SA keeps (vpe_sa_state.keys) */
#define VPE_SA_KEYS_LEN                                            \
	(VIRTIO_IPSEC_MAX_CIPHER_KEY + VIRTIO_IPSEC_MAX_AUTH_KEY + \
	 VIRTIO_IPSEC_MAX_SALT)

/* vpe_sa_state.flags */
#define VPE_ST_SOFT	(1u << 0) /* soft limit reached */
#define VPE_ST_HARD	(1u << 1) /* hard limit reached: refuse */
#define VPE_ST_OVERFLOW (1u << 2) /* SEQ_OVERFLOW event sent */
#define VPE_ST_DISABLED (1u << 3) /* SA_MOD DISABLE: refuse (migrates: v2) */

/*
 * Rate limiter of one kind of per-packet error event (vipsec_err_events.c)
 * in one scope (an SA, or the device). Not migrated: a destination starts
 * with fresh windows, so at most one more window of events is raised.
 */
struct vpe_erl {
	uint64_t window;  /* TIME: clock second the counts belong to */
	uint32_t sent;	  /* TIME: events raised in that second */
	uint32_t pending; /* offending packets not reported yet */
	uint64_t seq;	  /* sequence number of the last of them */
	uint32_t gid, id; /* device scope: SA of the last of them */
};

/* Kinds of per-packet error events, in VIRTIO_IPSEC_EVT_* order */
#define VPE_ERR_KINDS 4

struct vpe_sa_state {
	/*
	 * First line: what the core reads for every packet (admission, the
	 * plain-SA test); then the counters it adds to. The rest is read on
	 * events, errors and control requests only.
	 */
	uint32_t flags;		      /* VPE_ST_* */
	uint32_t seq_notify_interval; /* packets; 0 = never */
	bool limited;		      /* some limit of life is set */
	uint8_t ttl;		      /* outer TTL for the header template */
	struct vpe_life life;
	uint64_t stats[VPE_STAT_N];
	struct vpe_erl erl[VPE_ERR_KINDS]; /* per-SA error event limits */
	uint64_t added;			   /* core clock at SA_ADD, seconds */
	/*
	 * With hard packet/byte limits: packets and input bytes admitted
	 * and not yet refunded (vpe_life_admit() reserves, a failed packet
	 * gives back), so that concurrent queues never pass the limit.
	 */
	uint64_t rsv_packets, rsv_bytes;
	/* The SA_ADD body as modified since, keys and salt zeroed. */
	uint8_t params[sizeof(struct virtio_ipsec_sa_params)];
	/*
	 * The SA_ADD keys and salt (cipher key, auth key, salt, as in the
	 * wire record), kept only so that live migration can rebuild the SA
	 * on another host (vipsec_migrate.c); never in SA_GET. Zeroed with
	 * the SA.
	 */
	uint8_t keys[VPE_SA_KEYS_LEN];
};

#endif /* VPE_STATE_H */
