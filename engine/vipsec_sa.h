/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpe_sa: SA parameters (decoded and validated from the wire format)
 * and the SA database: an array indexed by SA id (1 .. max_sas) for O(1)
 * lookup, each SA tagged with its group; groups 1 .. max_groups plus the
 * default group 0, which always exists. Two indexes keep every request
 * O(1) or close to it whatever max_sas is (vipsec_sadb_index.c): a hash
 * of the inbound SAs by (SPI, destination), the uniqueness rule of
 * SA_ADD and SA_MOD, and a bitmap of the ids in use, which walks
 * (SA_GET, FLUSH, the clock) skip 64 free ids at a time.
 */
#ifndef VPE_SA_H
#define VPE_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_ipsec.h>

#include "vipsec_crypto.h"
#include "vipsec_ipv4.h"
#include "vipsec_replay.h"
#include "vipsec_state.h"
#include "vipsec_sync.h"

/* Host-order view of struct virtio_ipsec_sa_params, validated. */
struct vpe_sa_cfg {
	uint32_t spi;
	uint8_t direction, mode, ip_version;
	uint8_t cipher_alg, auth_alg, icv_len, cipher_key_len, salt_len;
	uint32_t options;
	uint32_t replay_window;
	uint8_t cipher_key[VIRTIO_IPSEC_MAX_CIPHER_KEY];
	uint8_t auth_key[VIRTIO_IPSEC_MAX_AUTH_KEY];
	uint8_t auth_key_len;
	uint8_t salt[VIRTIO_IPSEC_MAX_SALT];
	uint8_t tun_src[16], tun_dst[16];
	uint8_t dscp_mode, dscp, df_mode, ttl;
	uint64_t initial_seq;
	/* Packet formats (vipsec_sa_params.c check_option_fields) */
	uint16_t udp_sport, udp_dport; /* UDP_ENCAP */
	uint8_t nat_oa[16];  /* transport UDP_ENCAP: peer's original */
	uint32_t flow_label; /* IPv6 outer */
	uint32_t tfc_pad_to; /* TFC_PAD */
	uint8_t sel_src[16], sel_prefix_len; /* SELECTOR */
	struct vpe_life life;		     /* F_LIFETIME */
	uint32_t seq_notify_interval;	     /* F_EVENTQ */
	uint16_t path_mtu;		     /* outbound; 0 = no limit */
	uint8_t frag_mode;		     /* VIRTIO_IPSEC_FRAG_* */
};

/* What the device can do; SA parameters are checked against it. */
struct vpe_sa_limits {
	uint64_t cipher_mask, auth_mask;
	uint32_t max_replay_window;
	uint32_t options_supported; /* VIRTIO_IPSEC_SA_OPT_* */
	/* config cipher_key_sizes[]: VIRTIO_IPSEC_KEY_SIZE_BIT()s per id */
	uint8_t cipher_key_sizes[16];
	bool allow_weak_algos;
	uint64_t features; /* negotiated VIRTIO_IPSEC_F_* */
};

/*
 * Decodes and validates sizeof(struct virtio_ipsec_sa_params) bytes of
 * wire data (little-endian, any alignment). Returns VIRTIO_IPSEC_OK or the
 * status for the first problem found. cfg holds key material: the caller
 * zeroes it after use.
 */
/*
 * 1 for a usable tunnel endpoint of the family: IPv4 unicast in the first
 * 4 bytes, the rest zero; IPv6 not unspecified, multicast or v4-mapped.
 * SA_ADD and SA_MOD share it, so no endpoint SA_ADD refuses can be set
 * later.
 */
int vpe_tunnel_endpoint_ok(uint8_t ip_version, const uint8_t a[16]);
/*
 * OK when (path_mtu, frag_mode) suit an SA of this direction and outer
 * IP version (SA_ADD and SA_MOD's MTU), else INVAL.
 */
uint8_t vpe_mtu_check(uint8_t direction, uint8_t ip_version, uint16_t path_mtu,
		      uint8_t frag_mode);
uint8_t vpe_sa_cfg_decode(const uint8_t *wire, const struct vpe_sa_limits *lim,
			  struct vpe_sa_cfg *cfg);

/*
 * Sharing (vipsec_queue.c has the whole model): the fields set at SA_ADD
 * are read-only while the SA is in the table, except SA_MOD's, which it
 * changes with every data queue held out (vpe_core_excl_begin()). What
 * the data path changes is atomic: seq (fetch-add / CAS), stopped,
 * esn_top, bytes, out_pkt_base, the packets of an inbound SA without
 * anti-replay, and st.stats / st.flags / st.rsv_*; the replay window,
 * and the packets and bytes of an inbound SA with one, change under
 * replay_lock (plain adds: every writer holds it).
 *
 * Per packet the data path takes as few locked instructions as it can
 * (each is a full barrier, and with one SA per packet each is paid per
 * packet): outbound, one fetch-add reserves a run's sequence numbers
 * and the outer IPv4 ids and the packet count follow from them
 * (vpe_sa_ip_id(), vpe_sa_packets()), one more adds the bytes; inbound
 * with anti-replay, the replay lock covers the counters too.
 */
struct vpe_sa {
	/*
	 * Line 0: what every packet reads in both directions, and the
	 * lookup's group check. With a million SAs the SA is far from
	 * cache: each line a packet needs is a miss to prefetch
	 * (vpe_esp_prefetch, the core's request pass), so the per-packet
	 * fields are packed into lines 0 and 1, and the core's per-packet
	 * state (st: flags, lifetimes, counters) starts at line 3.
	 */
	uint32_t group_id;
	uint32_t spi;
	uint32_t options;
	uint8_t direction;
	uint8_t icv_len;
	uint8_t iv_len;		   /* explicit IV bytes (backend's shape) */
	uint8_t block_len;	   /* payload alignment (backend's shape) */
	void *key;		   /* backend key object */
	struct vpe_replay *replay; /* inbound with anti-replay */
	uint64_t seq; /* outbound: last used (may pass seq_max, vpe_sa_seq) */
	uint64_t seq_max; /* outbound: last usable */
	/*
	 * Packets and bytes the ESP code handled (migrated; the core keeps
	 * its own statistics in st). Read them with vpe_sa_packets(): an
	 * outbound SA counts no packets, it derives them from the
	 * sequence numbers handed out, out_pkt_base being the counter's
	 * value when none had been handed out, plus the sealing failures.
	 */
	union {
		uint64_t in_packets;   /* inbound */
		uint64_t out_pkt_base; /* outbound */
	};
	uint64_t bytes;
	/* Line 1: the outer header and the packet format. */
	uint8_t tmpl[VPE_IPV6_HLEN];   /* outer header template (tunnel) */
	uint16_t ip_id_base;	       /* outbound: vpe_sa_ip_id() */
	uint16_t path_mtu;	       /* 0 = no limit (vipsec_frag.c) */
	uint16_t udp_sport, udp_dport; /* UDP_ENCAP, host order */
	/* Packet formats: owned by vipsec_esp_*.c, set at SA_ADD. */
	uint8_t mode, ip_version; /* VIRTIO_IPSEC_MODE_*, _IPV4/_IPV6 */
	uint8_t dscp_mode, dscp, df_mode;
	bool stopped;	   /* sequence space exhausted */
	uint8_t frag_mode; /* VIRTIO_IPSEC_FRAG_* */
	uint8_t sel_prefix_len;
	uint32_t replay_lock; /* check + update of replay (vpe_spin_lock) */
	uint32_t tfc_pad_to;  /* TFC_PAD: inner packet padded to */
	/* Line 2: the lookup by SPI (with line 0), some options' data. */
	uint32_t id;
	uint32_t flow_label; /* IPv6 outer flow label */
	uint64_t esn_top;    /* ESN without a window: highest seen */
	uint8_t tun_src[16], tun_dst[16];
	struct vpe_sa *hnext; /* inbound hash chain (sadb index) */
	struct vpe_sa *dead;  /* unlinked, freed after a grace period */
	/* stats, lifetimes (vipsec_state.h): its first lines are hot */
	struct vpe_sa_state st __attribute__((aligned(64)));
	uint8_t nat_oa[16];  /* transport UDP_ENCAP fix-up */
	uint8_t sel_src[16]; /* SELECTOR, with sel_prefix_len */
};

/* The hot lines above stay where vpe_esp_prefetch() expects them. */
_Static_assert(offsetof(struct vpe_sa, tmpl) == 64, "vpe_sa line 1");
_Static_assert(offsetof(struct vpe_sa, tfc_pad_to) + 4 <= 128,
	       "vpe_sa hot fields in lines 0 and 1");
_Static_assert(offsetof(struct vpe_sa, st) == 192, "vpe_sa st at line 3");

/* Outbound: the last sequence number handed out (seq may stand past). */
static inline uint64_t vpe_sa_out_seq(const struct vpe_sa *sa)
{
	uint64_t seq = vpe_ld(&sa->seq);

	return seq < sa->seq_max ? seq : sa->seq_max;
}

/*
 * Tunnel IPv4 outbound SAs number their outer headers: the packet with
 * sequence number seq gets id ip_id_base + seq (mod 2^16), so that the
 * fetch-add that reserves the sequence numbers reserves the ids too
 * (consecutive numbers, consecutive ids, as a counter of its own gave
 * them). Other SAs keep ip_id_base as the id they would start at.
 */
static inline bool vpe_sa_numbers_ip_id(const struct vpe_sa *sa)
{
	return sa->direction == VIRTIO_IPSEC_DIR_OUTBOUND &&
	       sa->mode != VIRTIO_IPSEC_MODE_TRANSPORT &&
	       sa->ip_version != VIRTIO_IPSEC_IPV6;
}

static inline uint16_t vpe_sa_ip_id(const struct vpe_sa *sa, uint64_t seq)
{
	return (uint16_t)(sa->ip_id_base + seq);
}

/* The outer id the next packet gets (what migration carries). */
static inline uint16_t vpe_sa_next_ip_id(const struct vpe_sa *sa)
{
	if (!vpe_sa_numbers_ip_id(sa))
		return sa->ip_id_base;
	return vpe_sa_ip_id(sa, vpe_sa_out_seq(sa) + 1);
}

/*
 * Makes id the next packet's outer id from the sequence number the SA
 * stands at now: after SA_ADD, after SA_MOD moves the number, after a
 * migration restores both. Control path, data queues held out.
 */
static inline void vpe_sa_set_next_ip_id(struct vpe_sa *sa, uint16_t id)
{
	if (!vpe_sa_numbers_ip_id(sa))
		sa->ip_id_base = id;
	else
		sa->ip_id_base = (uint16_t)(id - (vpe_sa_out_seq(sa) + 1));
}

/* Packets the ESP code handled: see vpe_sa.in_packets. */
static inline uint64_t vpe_sa_packets(const struct vpe_sa *sa)
{
	if (sa->direction != VIRTIO_IPSEC_DIR_OUTBOUND)
		return vpe_ld(&sa->in_packets);
	return vpe_sa_out_seq(sa) - vpe_ld(&sa->out_pkt_base);
}

/*
 * Sets the packet count from the sequence number the SA stands at now
 * (SA_ADD, SA_MOD, migration restore); data queues held out.
 */
static inline void vpe_sa_set_packets(struct vpe_sa *sa, uint64_t packets)
{
	if (sa->direction != VIRTIO_IPSEC_DIR_OUTBOUND)
		sa->in_packets = packets;
	else
		sa->out_pkt_base = vpe_sa_out_seq(sa) - packets;
}

struct vpe_grp {
	bool used;
	uint32_t nsas;
	uint8_t name[VIRTIO_IPSEC_NAME_LEN];
};

struct vpe_sadb {
	uint32_t max_sas, max_groups;
	struct vpe_sa **sas;	/* [max_sas + 1], slot 0 unused */
	struct vpe_grp *groups; /* [max_groups + 1], 0 = default */
	struct vpe_crypto *crypto;
	/* vipsec_sadb_index.c */
	uint64_t *used;		 /* bit id set: sas[id] != NULL */
	struct vpe_sa **in_hash; /* inbound SAs by (SPI, tun_dst) */
	uint32_t hash_mask;	 /* buckets - 1 (a power of two) */
	uint64_t hash_key;	 /* random: the guest picks SPIs */
	/*
	 * Deleted SAs wait on dead until sync (the core's grace period:
	 * every data request that could still hold them has returned)
	 * has run; vpe_sadb_reap() then zeroes and frees them.
	 */
	struct vpe_sa *dead;
	void (*sync)(void *arg);
	void *sync_arg;
};

int vpe_sadb_init(struct vpe_sadb *db, uint32_t max_sas, uint32_t max_groups,
		  struct vpe_crypto *crypto);
/* Deletes every SA (zeroing keys) and every group but the default. */
void vpe_sadb_clear(struct vpe_sadb *db);
/*
 * Frees the SAs unlinked since the last call, after db->sync (when set)
 * has waited out the data requests that may still use them. SA_DEL,
 * SA_FLUSH and clear call it themselves.
 */
void vpe_sadb_reap(struct vpe_sadb *db);
void vpe_sadb_fini(struct vpe_sadb *db);

uint8_t vpe_group_create(struct vpe_sadb *db, uint32_t gid,
			 const uint8_t name[VIRTIO_IPSEC_NAME_LEN]);
uint8_t vpe_group_destroy(struct vpe_sadb *db, uint32_t gid);
/* OK, or INVGROUP for an id out of range or not created. */
uint8_t vpe_group_check(const struct vpe_sadb *db, uint32_t gid);

/* Checks ids and uniqueness, expands the key, builds templates. */
uint8_t vpe_sa_add(struct vpe_sadb *db, uint32_t gid, uint32_t id,
		   const struct vpe_sa_cfg *cfg);
uint8_t vpe_sa_del(struct vpe_sadb *db, uint32_t gid, uint32_t id);
/* Deletes every SA of a group. */
uint8_t vpe_sa_flush(struct vpe_sadb *db, uint32_t gid);
/*
 * Moves the tunnel endpoints (16-byte addresses, host-order UDP ports,
 * used with UDP_ENCAP) and rebuilds the outbound header template; keys,
 * sequence numbers and the replay window are untouched. An inbound SA
 * already in a table moves with vpe_sa_move_endpoints() (SA_MOD), which
 * also re-files it in the (SPI, destination) index.
 */
void vpe_sa_set_endpoints(struct vpe_sa *sa, const uint8_t src[16],
			  const uint8_t dst[16], uint16_t sport,
			  uint16_t dport);

/*
 * Moves an SA's endpoints (SA_MOD): vpe_sa_set_endpoints(), keeping
 * the inbound index in step with the new destination.
 */
void vpe_sa_move_endpoints(struct vpe_sadb *db, struct vpe_sa *sa,
			   const uint8_t src[16], const uint8_t dst[16],
			   uint16_t sport, uint16_t dport);

/* vipsec_sadb_index.c: the indexes (the table's own files only). */
int vpe_sadb_index_init(struct vpe_sadb *db);
void vpe_sadb_index_fini(struct vpe_sadb *db);
/* Enters / removes an SA already in / still in db->sas. */
void vpe_sadb_index_add(struct vpe_sadb *db, struct vpe_sa *sa);
void vpe_sadb_index_del(struct vpe_sadb *db, struct vpe_sa *sa);
/*
 * The inbound SA of group gid a received ESP packet (outer IPv4/IPv6,
 * ESP or ESP in UDP) belongs to: by its SPI and destination, or by SPI
 * alone for a transport SA added without addresses. NULL: none, or not
 * an ESP packet (vipsec_lookup.c).
 */
struct vpe_sa *vpe_sadb_lookup_packet(const struct vpe_sadb *db, uint32_t gid,
				      const uint8_t *in, uint32_t in_len);
/* The inbound SA of group gid with this SPI and destination (16 bytes). */
struct vpe_sa *vpe_sadb_find_inbound(const struct vpe_sadb *db, uint32_t gid,
				     uint32_t spi, const uint8_t dst[16]);
/* The lowest SA id in use that is >= from, or 0 when there is none. */
uint32_t vpe_sadb_next_id(const struct vpe_sadb *db, uint32_t from);

/* O(1); NULL for an id out of range, unused, or in another group. */
static inline struct vpe_sa *vpe_sa_lookup(const struct vpe_sadb *db,
					   uint32_t gid, uint32_t id)
{
	struct vpe_sa *sa;

	if (id == 0 || id > db->max_sas)
		return NULL;
	/*
	 * Data threads look up concurrently with SA_ADD's publication and
	 * SA_DEL's unlinking (seq_cst: see vipsec_queue.c).
	 */
	sa = vpe_ld_sc(&db->sas[id]);
	return sa && sa->group_id == gid ? sa : NULL;
}

#endif /* VPE_SA_H */
