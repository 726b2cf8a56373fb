/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * virtio-ipsec: device ABI of the virtio IPsec lookaside accelerator.
 *
 * Shared by the guest driver and the device model (QEMU imports this file
 * unchanged), so it includes only <linux/types.h> and <linux/virtio_types.h>.
 * Every multi-byte field is little-endian. There are no bitfields, no enums
 * in structs and no packed structs: every padding byte is an explicit
 * reserved field that the writer zeroes and the reader ignores.
 *
 * docs/virtio-ipsec-device.md is the prose specification of this file.
 */
#ifndef _UAPI_LINUX_VIRTIO_IPSEC_H
#define _UAPI_LINUX_VIRTIO_IPSEC_H

#include <linux/types.h>
#include <linux/virtio_types.h>

/* Virtio device ID; not assigned by OASIS (see docs). PCI ID 0x1af4:0x1079. */
#define VIRTIO_ID_IPSEC			57

/* ABI version reported in config space; bumped on incompatible change. */
#define VIRTIO_IPSEC_ABI_VERSION	0

/*
 * Feature bits. Every optional behaviour has one; a driver that does not
 * acknowledge a bit must not send SA parameters that need it.
 */
#define VIRTIO_IPSEC_F_ESN		0	/* extended sequence numbers */
#define VIRTIO_IPSEC_F_UDP_ENCAP	1	/* RFC 3948 UDP encapsulation */
#define VIRTIO_IPSEC_F_IPV6		2	/* IPv6 outer and inner headers */
#define VIRTIO_IPSEC_F_TRANSPORT	3	/* transport mode */
#define VIRTIO_IPSEC_F_ANTI_REPLAY	4	/* anti-replay check in device */
#define VIRTIO_IPSEC_F_EVENTQ		5	/* event queue present */
#define VIRTIO_IPSEC_F_MQ		6	/* more than one data queue */
#define VIRTIO_IPSEC_F_LIFETIME		7	/* byte/packet/second lifetimes */
#define VIRTIO_IPSEC_F_SA_MOD		8	/* SA_MOD control operation */
#define VIRTIO_IPSEC_F_SA_GET		9	/* SA_GET control operation */
/* SA_GET state records (SA_GET_F_STATE) and SA_MOD_LIFETIME */
#define VIRTIO_IPSEC_F_SA_STATE		10
/* per-packet error events and EVENT_LIMIT */
#define VIRTIO_IPSEC_F_ERR_EVENTS	11
/*
 * config sa_options, hdr_fields and cipher_key_sizes are valid; without
 * it they read as zero and the driver assumes the ABI 0 defaults
 * (docs/virtio-ipsec-device.md section 4).
 */
#define VIRTIO_IPSEC_F_SA_CAPS		12

/* config.status */
#define VIRTIO_IPSEC_S_HW_READY		(1 << 0)

/*
 * Device configuration layout. Read-only for the driver.
 * The algorithm masks have bit N set when algorithm ID N is usable.
 */
struct virtio_ipsec_config {
	__le32 status;			/* VIRTIO_IPSEC_S_* */
	__le32 abi_version;		/* VIRTIO_IPSEC_ABI_VERSION */
	__le32 max_data_queues;		/* number of data queues, >= 1 */
	__le32 max_sas;			/* SA ids are 1 .. max_sas */
	__le32 max_groups;		/* group ids are 1 .. max_groups */
	__le32 max_packet_len;		/* largest input or output packet */
	__le32 max_batch;		/* most packets in one data request */
	__le32 max_replay_window;	/* largest replay window, packets */
	__le64 cipher_algo_mask;	/* VIRTIO_IPSEC_CIPHER_* bits */
	__le64 auth_algo_mask;		/* VIRTIO_IPSEC_AUTH_* bits */
	__le32 max_cipher_key_len;	/* bytes */
	__le32 max_auth_key_len;	/* bytes */
	__le32 sa_options;		/* VIRTIO_IPSEC_SA_OPT_* accepted by SA_ADD */
	__le32 hdr_fields;		/* VIRTIO_IPSEC_HDR_F_* honoured */
	/*
	 * Index: VIRTIO_IPSEC_CIPHER_* id. Bit n set when a cipher key of
	 * 8 * n bytes (salt/nonce not counted) is usable with that id on
	 * this device and its crypto backend; 0 for an unusable id.
	 */
	__u8 cipher_key_sizes[16];
	__le32 reserved[2];
};

/* config.hdr_fields: outer header fields of SA_ADD the device honours */
#define VIRTIO_IPSEC_HDR_F_DSCP		(1 << 0)	/* dscp_mode, dscp */
#define VIRTIO_IPSEC_HDR_F_DF		(1 << 1)	/* df_mode */
#define VIRTIO_IPSEC_HDR_F_TTL		(1 << 2)	/* ttl (outer TTL / hop limit) */
#define VIRTIO_IPSEC_HDR_F_FLOW_LABEL	(1 << 3)	/* flow_label (IPv6 tunnel) */

/* config.cipher_key_sizes[] bit of a key of len bytes (a multiple of 8) */
#define VIRTIO_IPSEC_KEY_SIZE_BIT(len)	(1u << ((len) / 8))

/*
 * Queues: data queues 0 .. max_data_queues-1, then the control queue,
 * then the event queue when VIRTIO_IPSEC_F_EVENTQ is negotiated.
 * max_data_queues is valid whether or not VIRTIO_IPSEC_F_MQ is negotiated,
 * so the control queue's index is always max_data_queues.
 */

/* Status codes: in the response footer and in every per-packet result. */
#define VIRTIO_IPSEC_OK			0	/* success */
#define VIRTIO_IPSEC_ERR		1	/* device-internal failure */
#define VIRTIO_IPSEC_BADMSG		2	/* ICV mismatch (authentication failed) */
#define VIRTIO_IPSEC_NOTSUPP		3	/* operation/algorithm not supported */
#define VIRTIO_IPSEC_INVSA		4	/* unknown or stale SA id */
/* NOSPC: SA or group table full, or no host resources for another SA */
#define VIRTIO_IPSEC_NOSPC		5
#define VIRTIO_IPSEC_KEY_REJECT		6	/* key length/value refused */
#define VIRTIO_IPSEC_SOFT_EXPIRY	7	/* success, soft lifetime reached */
#define VIRTIO_IPSEC_REPLAY		8	/* duplicate sequence number */
#define VIRTIO_IPSEC_HARD_EXPIRED	9	/* SA past its hard lifetime */
#define VIRTIO_IPSEC_SEQ_OVERFLOW	10	/* outbound sequence space exhausted */
#define VIRTIO_IPSEC_DST_TOO_SMALL	11	/* output too small; needed size in out_len */
#define VIRTIO_IPSEC_BADPKT		12	/* truncated/malformed, bad pad/next hdr */
#define VIRTIO_IPSEC_BADPROTO		13	/* not ESP, or SPI not matching the SA */
#define VIRTIO_IPSEC_LATE		14	/* sequence number left of the replay window */
#define VIRTIO_IPSEC_INVGROUP		15	/* unknown group id */
#define VIRTIO_IPSEC_EXISTS		16	/* id, or inbound SPI in the group, in use */
#define VIRTIO_IPSEC_BUSY		17	/* group still has SAs */
#define VIRTIO_IPSEC_INVAL		18	/* malformed request or parameter */
#define VIRTIO_IPSEC_SELECTOR		19	/* inner packet outside the SA selector */
/* MTU: the ESP packet would exceed the SA's path_mtu; out_len = path_mtu */
#define VIRTIO_IPSEC_MTU		20
#define VIRTIO_IPSEC_DISABLED		21	/* SA disabled (SA_MOD DISABLE) */

/* Request opcodes. Control queue: */
#define VIRTIO_IPSEC_OP_GROUP_CREATE	0x01
#define VIRTIO_IPSEC_OP_GROUP_DESTROY	0x02
#define VIRTIO_IPSEC_OP_SA_ADD		0x10
#define VIRTIO_IPSEC_OP_SA_DEL		0x11
#define VIRTIO_IPSEC_OP_SA_MOD		0x12	/* VIRTIO_IPSEC_F_SA_MOD */
#define VIRTIO_IPSEC_OP_SA_GET		0x13	/* VIRTIO_IPSEC_F_SA_GET */
#define VIRTIO_IPSEC_OP_SA_FLUSH	0x14
#define VIRTIO_IPSEC_OP_EVENT_LIMIT	0x15	/* VIRTIO_IPSEC_F_ERR_EVENTS */
/* Data queues: */
#define VIRTIO_IPSEC_OP_ENCAP		0x80
#define VIRTIO_IPSEC_OP_DECAP		0x81

/*
 * Every request is a device-readable part followed by a device-writable
 * part. The last sizeof(struct virtio_ipsec_resp_footer) bytes of the
 * writable part hold the footer; the body the operation defines starts at
 * offset 0 of the writable part. The driver never infers lengths from
 * used.len: out_len says how many body bytes are valid.
 */
struct virtio_ipsec_resp_footer {
	__u8 status;		/* VIRTIO_IPSEC_OK or an error */
	__u8 reserved[3];
	__le32 out_len;		/* bytes of the response body written */
};

/* Device-readable header of every control request. */
struct virtio_ipsec_ctrl_hdr {
	__le16 opcode;		/* VIRTIO_IPSEC_OP_* (control) */
	__le16 flags;		/* must be 0 */
	__le32 group_id;	/* 0 = the default group, always present */
	__le32 sa_id;		/* SA ops; 0 elsewhere */
	__le32 reserved;
};

/* GROUP_CREATE body (device-readable); group id is ctrl_hdr.group_id. */
#define VIRTIO_IPSEC_NAME_LEN		32
struct virtio_ipsec_group_create {
	__u8 name[VIRTIO_IPSEC_NAME_LEN];	/* NUL-padded, for diagnostics */
};

/* SA parameter values */
#define VIRTIO_IPSEC_DIR_INBOUND	0
#define VIRTIO_IPSEC_DIR_OUTBOUND	1

#define VIRTIO_IPSEC_MODE_TUNNEL	0
#define VIRTIO_IPSEC_MODE_TRANSPORT	1

#define VIRTIO_IPSEC_PROTO_ESP		50

/* Cipher (and combined-mode AEAD) algorithm IDs. */
#define VIRTIO_IPSEC_CIPHER_NULL	1	/* RFC 2410 */
#define VIRTIO_IPSEC_CIPHER_DES_CBC	2	/* RFC 2405, weak: opt-in only */
#define VIRTIO_IPSEC_CIPHER_3DES_CBC	3	/* RFC 2451 */
#define VIRTIO_IPSEC_CIPHER_AES_CBC	4	/* RFC 3602 */
#define VIRTIO_IPSEC_CIPHER_AES_CTR	5	/* RFC 3686, 4-byte nonce */
#define VIRTIO_IPSEC_CIPHER_AES_GCM	6	/* RFC 4106 AEAD, 4-byte salt */
#define VIRTIO_IPSEC_CIPHER_AES_CCM	7	/* RFC 4309 AEAD, 3-byte salt */
#define VIRTIO_IPSEC_CIPHER_AES_GMAC	8	/* RFC 4543 auth-only AEAD, 4-byte salt */
#define VIRTIO_IPSEC_CIPHER_CHACHA20_POLY1305 9 /* RFC 7634 AEAD, 4-byte salt */

/* Integrity algorithm IDs (ICV length in brackets). */
#define VIRTIO_IPSEC_AUTH_NONE		1	/* with AEAD ciphers, or NULL-free use */
#define VIRTIO_IPSEC_AUTH_HMAC_MD5_96	2	/* RFC 2403, weak: opt-in only */
#define VIRTIO_IPSEC_AUTH_HMAC_SHA1_96	3	/* RFC 2404 */
#define VIRTIO_IPSEC_AUTH_AES_XCBC_96	4	/* RFC 3566 */
#define VIRTIO_IPSEC_AUTH_HMAC_SHA256	5	/* RFC 4868, 16-byte ICV */
#define VIRTIO_IPSEC_AUTH_HMAC_SHA384	6	/* RFC 4868, 24-byte ICV */
#define VIRTIO_IPSEC_AUTH_HMAC_SHA512	7	/* RFC 4868, 32-byte ICV */

/* sa_params.options */
/* ESN: 64-bit sequence numbers; AEAD AAD = SPI || seq_hi || seq_lo (RFC 4106 5) */
#define VIRTIO_IPSEC_SA_OPT_ESN		(1 << 0)
#define VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY	(1 << 1)	/* inbound replay check */
#define VIRTIO_IPSEC_SA_OPT_UDP_ENCAP	(1 << 2)	/* RFC 3948 */
/*
 * ECN: RFC 6040 in both directions (tunnel mode). Outbound: normal mode,
 * the outer ECN field copies the inner one; without the option the outer
 * field is Not-ECT (compatibility mode). Inbound: the outer ECN field is
 * combined into the inner one (RFC 6040 section 4.2; outer CE over a
 * Not-ECT inner packet drops it); without the option the inner header is
 * left as it is. Transport mode keeps the packet's own header: no-op.
 */
#define VIRTIO_IPSEC_SA_OPT_ECN		(1 << 3)
#define VIRTIO_IPSEC_SA_OPT_TFC_PAD	(1 << 4)	/* pad to tfc_pad_to */
#define VIRTIO_IPSEC_SA_OPT_SELECTOR	(1 << 5)	/* check inner src after decap */
#define VIRTIO_IPSEC_SA_OPT_DEC_TTL	(1 << 6)	/* tunnel decap: decrement inner TTL */
/* Every option bit defined above. */
#define VIRTIO_IPSEC_SA_OPT_ALL		((VIRTIO_IPSEC_SA_OPT_DEC_TTL << 1) - 1)

/* sa_params.ip_version (outer header for tunnel, packet for transport) */
#define VIRTIO_IPSEC_IPV4		4
#define VIRTIO_IPSEC_IPV6		6

/* sa_params.dscp_mode / df_mode */
#define VIRTIO_IPSEC_HDR_COPY		0	/* copy inner to outer */
#define VIRTIO_IPSEC_HDR_CLEAR		1
#define VIRTIO_IPSEC_HDR_SET		2

#define VIRTIO_IPSEC_MAX_CIPHER_KEY	32
#define VIRTIO_IPSEC_MAX_AUTH_KEY	64
#define VIRTIO_IPSEC_MAX_SALT		4

/*
 * SA_ADD body (device-readable): the whole SA. The SA id is chosen by the
 * driver (ctrl_hdr.sa_id, 1 .. max_sas) and is not reused while the SA
 * lives; the device keys its table by (group_id, sa_id).
 * Addresses are in network byte order; an IPv4 address fills the first 4
 * bytes of its 16-byte field and the rest is zero.
 */
struct virtio_ipsec_sa_params {
	__le32 spi;			/* host order value of the SPI */
	__u8 direction;			/* VIRTIO_IPSEC_DIR_* */
	__u8 mode;			/* VIRTIO_IPSEC_MODE_* */
	__u8 protocol;			/* VIRTIO_IPSEC_PROTO_ESP */
	__u8 ip_version;		/* VIRTIO_IPSEC_IPV4 / _IPV6 (outer) */
	__le32 options;			/* VIRTIO_IPSEC_SA_OPT_* */
	__le32 replay_window;		/* packets; 0 = no window */

	__u8 cipher_alg;		/* VIRTIO_IPSEC_CIPHER_* */
	__u8 auth_alg;			/* VIRTIO_IPSEC_AUTH_* */
	__u8 icv_len;			/* bytes; AEAD: 8, 12 or 16 */
	__u8 cipher_key_len;		/* bytes */
	__u8 auth_key_len;		/* bytes */
	__u8 salt_len;			/* bytes: GCM/GMAC/CTR 4, CCM 3 */
	__u8 reserved0[2];
	__u8 cipher_key[VIRTIO_IPSEC_MAX_CIPHER_KEY];
	__u8 auth_key[VIRTIO_IPSEC_MAX_AUTH_KEY];
	__u8 salt[VIRTIO_IPSEC_MAX_SALT];

	__u8 tun_src[16];		/* tunnel: local end; transport: unused */
	__u8 tun_dst[16];		/* tunnel: peer end */
	__le16 udp_src_port;		/* UDP_ENCAP: host-order port numbers */
	__le16 udp_dst_port;
	__u8 nat_oa[16];		/* transport UDP_ENCAP: original address */

	__u8 dscp_mode;			/* VIRTIO_IPSEC_HDR_* */
	__u8 dscp;			/* value when dscp_mode == SET */
	__u8 df_mode;			/* VIRTIO_IPSEC_HDR_* */
	__u8 ttl;			/* outer TTL/hop limit; 0 = 64 */
	__le32 flow_label;		/* IPv6 outer flow label when non-zero */
	__le32 tfc_pad_to;		/* TFC_PAD: pad payload to this length */
	__le32 seq_notify_interval;	/* event every N packets; 0 = never */

	__le64 initial_seq;		/* outbound: last sequence number used */
	__le64 soft_bytes;		/* lifetimes; 0 = unlimited */
	__le64 hard_bytes;
	__le64 soft_packets;
	__le64 hard_packets;
	__le64 soft_seconds;
	__le64 hard_seconds;

	__u8 sel_src[16];		/* SELECTOR: inner source prefix */
	__u8 sel_prefix_len;		/* bits */
	__u8 reserved1[7];
	__le32 reserved2[7];
	/*
	 * Outbound only (inbound: 0). path_mtu: largest ESP packet the SA
	 * may produce, bytes; 0 = no limit, else 576 (IPv6 outer: 1280) ..
	 * 65535. A packet whose result would be larger gets status MTU,
	 * unless frag_mode is FRAG_BEFORE, the SA is in tunnel mode and the
	 * inner packet is IPv4 with DF clear: then the inner packet is
	 * fragmented (RFC 791) and each fragment encapsulated, the ESP
	 * packets written back to back in the output area (warning
	 * FRAGMENTED; each packet's length is in its own IP header).
	 */
	__le16 path_mtu;
	__u8 frag_mode;			/* VIRTIO_IPSEC_FRAG_*; needs path_mtu */
	__u8 reserved3;
};

/* sa_params.frag_mode (ODP: ODP_IPSEC_FRAG_CHECK / _BEFORE) */
#define VIRTIO_IPSEC_FRAG_CHECK		0	/* too large: status MTU */
#define VIRTIO_IPSEC_FRAG_BEFORE	1	/* fragment inner IPv4, DF clear */
#define VIRTIO_IPSEC_MIN_MTU_IPV4	576
#define VIRTIO_IPSEC_MIN_MTU_IPV6	1280

/*
 * Data request, device-readable part:
 *   struct virtio_ipsec_data_hdr
 *   struct virtio_ipsec_pkt_req  pkt[num_pkts]
 *   packet bytes: pkt[0].in_len bytes, then pkt[1].in_len bytes, ...
 * Device-writable part:
 *   struct virtio_ipsec_pkt_result res[num_pkts]
 *   output area: pkt[0].out_cap bytes, then pkt[1].out_cap bytes, ...
 *   struct virtio_ipsec_resp_footer
 * The footer's status is OK when the request was well formed (each packet
 * then has its own status) and an error when it was not, in which case no
 * packet was processed. The footer's out_len counts the results and the
 * whole output area. Encap takes an IP packet and yields an ESP packet
 * (tunnel: a new outer header; transport: the header kept); decap the
 * reverse.
 */
struct virtio_ipsec_data_hdr {
	__le16 opcode;		/* VIRTIO_IPSEC_OP_ENCAP / _DECAP */
	__le16 flags;		/* must be 0 */
	__le32 num_pkts;	/* 1 .. max_batch */
	__le32 reserved[2];
};

/*
 * pkt_req.sa_id 0 on DECAP: the device looks the inbound SA up in
 * group_id by the packet's SPI, outer destination address and protocol
 * (ESP, or ESP in UDP); a transport SA added without addresses matches
 * any destination. No match: status INVSA.
 */
struct virtio_ipsec_pkt_req {
	__le32 group_id;
	__le32 sa_id;
	__le32 in_len;		/* bytes of input, <= max_packet_len */
	__le32 out_cap;		/* bytes reserved for output, <= max_packet_len */
};

/* virtio_ipsec_pkt_result.warnings */
#define VIRTIO_IPSEC_WARN_SOFT_EXPIRY	(1 << 0)	/* soft lifetime reached */
#define VIRTIO_IPSEC_WARN_SEQ_NOTIFY	(1 << 1)	/* periodic seq announce due */
/*
 * Which soft limits are reached (each set while it is, together with
 * SOFT_EXPIRY), and an outbound SA with at most 1/8 of its sequence space
 * left (VIRTIO_IPSEC_SEQ_NEAR_SHIFT): rekey before SEQ_OVERFLOW.
 */
#define VIRTIO_IPSEC_WARN_SOFT_BYTES	(1 << 2)
#define VIRTIO_IPSEC_WARN_SOFT_PACKETS	(1 << 3)
#define VIRTIO_IPSEC_WARN_SOFT_SECONDS	(1 << 4)
#define VIRTIO_IPSEC_WARN_SEQ_NEAR_OVERFLOW (1 << 5)
#define VIRTIO_IPSEC_SEQ_NEAR_SHIFT	3	/* warn when left <= last / 8 */
/* FRAG_BEFORE: the output area holds several ESP packets, back to back */
#define VIRTIO_IPSEC_WARN_FRAGMENTED	(1 << 8)

struct virtio_ipsec_pkt_result {
	__u8 status;		/* VIRTIO_IPSEC_* */
	__u8 reserved;
	__le16 warnings;	/* VIRTIO_IPSEC_WARN_* */
	/*
	 * Bytes of output; DST_TOO_SMALL: bytes needed (decap: an upper
	 * bound, the ciphertext length).
	 */
	__le32 out_len;
	__le32 seq_lo;		/* sequence number used (encap) or seen (decap) */
	__le32 seq_hi;		/* high 32 bits with ESN, else 0 */
};

/*
 * Per-SA statistics, kept by the device (SA_GET response). Every failure
 * status a packet gets on this SA is counted in exactly one field.
 */
struct virtio_ipsec_sa_stats {
	__le64 packets;			/* packets processed successfully */
	__le64 bytes;			/* their input bytes */
	__le64 invalid_pkt;		/* BADPKT: truncated or malformed */
	__le64 invalid_pad;		/* BADPKT: bad padding or next header */
	__le64 invalid_spi;		/* BADPROTO: not ESP or SPI mismatch */
	__le64 invalid_seq;		/* sequence number 0 or outside ESN reach */
	__le64 replay;			/* REPLAY */
	__le64 late;			/* LATE */
	__le64 invalid_icv;		/* BADMSG */
	__le64 seq_overflow;		/* SEQ_OVERFLOW */
	__le64 crypto_failed;		/* ERR from the crypto backend */
	__le64 no_room;			/* DST_TOO_SMALL */
	__le64 hard_expired;		/* HARD_EXPIRED */
	__le64 selector;		/* SELECTOR */
	__le64 mtu;			/* MTU */
	__le64 disabled;		/* DISABLED */
};

/*
 * SA_GET body (device-readable, VIRTIO_IPSEC_F_SA_GET). Scope is the group
 * in ctrl_hdr.group_id; ctrl_hdr.sa_id is the cursor for NEXT and the SA
 * for EXACT. SAs are returned in increasing id order.
 */
#define VIRTIO_IPSEC_SA_GET_FIRST	0	/* lowest ids of the group */
#define VIRTIO_IPSEC_SA_GET_NEXT	1	/* ids greater than ctrl_hdr.sa_id */
#define VIRTIO_IPSEC_SA_GET_EXACT	2	/* ctrl_hdr.sa_id only */
/* sa_get.flags: each entry is followed by its struct virtio_ipsec_sa_state */
#define VIRTIO_IPSEC_SA_GET_F_STATE	(1 << 0)	/* VIRTIO_IPSEC_F_SA_STATE */
struct virtio_ipsec_sa_get {
	__le32 op;			/* VIRTIO_IPSEC_SA_GET_* */
	__le32 max_sas;			/* entries the response has room for, >= 1 */
	__le32 flags;			/* VIRTIO_IPSEC_SA_GET_F_* */
	__le32 reserved;
};

/* SA_GET response body: this header, then count entries. */
struct virtio_ipsec_sa_get_resp {
	__le32 count;
	__le32 more;			/* 1 when SAs with higher ids remain */
	__le32 reserved[2];
};

struct virtio_ipsec_sa_entry {
	__le32 group_id;
	__le32 sa_id;
	__le64 seq;			/* outbound: last used; inbound: highest seen */
	__le64 age_seconds;		/* since SA_ADD */
	__le64 reserved;
	/*
	 * As added (and modified), but cipher_key, auth_key and salt are
	 * zero: the device never returns key material.
	 */
	struct virtio_ipsec_sa_params params;
	struct virtio_ipsec_sa_stats stats;
};

#define VIRTIO_IPSEC_MAX_BITMAP_WORDS	64		/* 4096-packet window */

/* virtio_ipsec_sa_state.flags: limits reached, events already raised */
#define VIRTIO_IPSEC_SA_STATE_SOFT	(1 << 0)	/* a soft limit reached */
#define VIRTIO_IPSEC_SA_STATE_HARD	(1 << 1)	/* a hard limit: refuses */
#define VIRTIO_IPSEC_SA_STATE_SEQ_OVERFLOW (1 << 2)	/* sequence space spent */
/* window above 64 words: bitmap holds its newest 4096 numbers only */
#define VIRTIO_IPSEC_SA_STATE_BITMAP_PARTIAL (1 << 3)

/*
 * The running state of an SA (SA_GET with VIRTIO_IPSEC_SA_GET_F_STATE),
 * everything another device needs to continue it after SA_ADD of the same
 * parameters and keys: SA_MOD with SEQ (virtio_ipsec_sa_entry.seq), WINDOW
 * (replay_window, bitmap) and LIFETIME (life_*).
 */
struct virtio_ipsec_sa_state {
	__le32 replay_window;		/* inbound window, packets; 0 = none */
	__le32 flags;			/* VIRTIO_IPSEC_SA_STATE_* */
	__le64 life_bytes;		/* lifetime used: input bytes */
	__le64 life_packets;		/* lifetime used: packets */
	__le64 life_seconds;		/* lifetime used: seconds (the age) */
	/* as SA_MOD WINDOW: bit i of word i/64 set when (seq - i) was received */
	__le64 bitmap[VIRTIO_IPSEC_MAX_BITMAP_WORDS];
	__le32 reserved[4];
};

/*
 * SA_MOD body (device-readable, VIRTIO_IPSEC_F_SA_MOD). Changes only what
 * flags name; keys, sequence numbers and the replay window are kept
 * otherwise (the mobile IPv6 home agent moves a tunnel endpoint this way
 * on every binding update). The address family cannot change, and a new
 * endpoint must be one SA_ADD would accept.
 */
#define VIRTIO_IPSEC_SA_MOD_LOCAL	(1 << 0)	/* local address and UDP port */
#define VIRTIO_IPSEC_SA_MOD_PEER	(1 << 1)	/* peer address and UDP port */
#define VIRTIO_IPSEC_SA_MOD_SEQ		(1 << 2)	/* sequence number */
#define VIRTIO_IPSEC_SA_MOD_WINDOW	(1 << 3)	/* replay window size and bitmap */
/*
 * Lifetime already used (VIRTIO_IPSEC_F_SA_STATE): forward only, each
 * value at least the SA's own; limits it reaches count as already
 * notified (no expiry event is raised for them again).
 */
#define VIRTIO_IPSEC_SA_MOD_LIFETIME	(1 << 4)
/* path MTU and fragmentation mode (path_mtu, frag_mode); outbound only */
#define VIRTIO_IPSEC_SA_MOD_MTU		(1 << 8)
/*
 * Disable: from now on every packet of the SA gets status DISABLED; the
 * SA stays until SA_DEL (SA_GET still reads it). Cannot be undone.
 */
#define VIRTIO_IPSEC_SA_MOD_DISABLE	(1 << 9)
struct virtio_ipsec_sa_mod {
	__le32 flags;			/* VIRTIO_IPSEC_SA_MOD_* */
	__le32 replay_window;		/* WINDOW: new size, packets */
	__u8 local_addr[16];		/* LOCAL: tunnel source (tun_src) */
	__u8 peer_addr[16];		/* PEER: tunnel destination (tun_dst) */
	__le16 local_port;		/* LOCAL with UDP_ENCAP: udp_src_port */
	__le16 peer_port;		/* PEER with UDP_ENCAP: udp_dst_port */
	__le32 life_seconds;		/* LIFETIME: seconds used (age) */
	__le64 seq;			/* SEQ: outbound last used; inbound highest seen */
	/*
	 * WINDOW: bit i of word i/64 set when sequence number (seq - i) was
	 * received, for i < replay_window.
	 */
	__le64 bitmap[VIRTIO_IPSEC_MAX_BITMAP_WORDS];
	__le64 life_bytes;		/* LIFETIME: input bytes used */
	__le64 life_packets;		/* LIFETIME: packets used */
	__le16 path_mtu;		/* MTU: as in sa_params */
	__u8 frag_mode;			/* MTU: as in sa_params */
	__u8 reserved0;
	__le32 reserved1;
};

/* SA_FLUSH: deletes every SA of ctrl_hdr.group_id; no body, no response. */

/*
 * Event queue (VIRTIO_IPSEC_F_EVENTQ): the driver keeps device-writable
 * buffers of sizeof(struct virtio_ipsec_event) posted; the device fills
 * one per event. Events raised while no buffer is posted wait in the
 * device up to a bound; beyond it the oldest are dropped and the next
 * delivered event is preceded by a LOST event counting them.
 */
#define VIRTIO_IPSEC_EVT_SOFT_EXPIRY	1	/* limit: which; once per SA */
#define VIRTIO_IPSEC_EVT_HARD_EXPIRY	2	/* limit: which; SA now refuses packets */
#define VIRTIO_IPSEC_EVT_SEQ_OVERFLOW	3	/* outbound SA stopped */
#define VIRTIO_IPSEC_EVT_SEQ_NOTIFY	4	/* periodic: every seq_notify_interval */
#define VIRTIO_IPSEC_EVT_SA_DELETE_REQ	5	/* device asks the driver to delete the SA */
#define VIRTIO_IPSEC_EVT_LOST		6	/* packets: events dropped */
/*
 * Per-packet error events (VIRTIO_IPSEC_F_ERR_EVENTS), raised only for the
 * kinds EVENT_LIMIT enabled and at most at its rate. packets: how many
 * offending packets the event stands for (the seed's repetition count);
 * seq: the sequence number of the last of them; bytes: 0.
 */
#define VIRTIO_IPSEC_EVT_AUTH_FAIL	7	/* ICV mismatch (BADMSG) */
#define VIRTIO_IPSEC_EVT_REPLAY		8	/* REPLAY or LATE */
#define VIRTIO_IPSEC_EVT_WRONG_SPI	9	/* not ESP or not the SA's SPI */
#define VIRTIO_IPSEC_EVT_BAD_PAD	10	/* bad padding or next header */

#define VIRTIO_IPSEC_LIMIT_BYTES	1
#define VIRTIO_IPSEC_LIMIT_PACKETS	2
#define VIRTIO_IPSEC_LIMIT_SECONDS	3

struct virtio_ipsec_event {
	__le16 type;			/* VIRTIO_IPSEC_EVT_* */
	__le16 limit;			/* VIRTIO_IPSEC_LIMIT_* for expiries */
	__le32 group_id;
	__le32 sa_id;
	__le32 spi;
	__le64 seq;			/* sequence number at the event */
	__le64 bytes;			/* bytes processed by the SA so far */
	__le64 packets;			/* packets processed so far (LOST: dropped) */
};

/*
 * EVENT_LIMIT body (device-readable, VIRTIO_IPSEC_F_ERR_EVENTS; group_id
 * and sa_id 0): which per-packet error events the device raises and how
 * often, for the whole device, replacing the previous setting (reset:
 * none). Each enabled kind is limited on its own, per SA or for the whole
 * device (scope), as the seed's NPF_IPSecEventLimit_t:
 *   TIME:  at most value events per clock second; the packets beyond are
 *          counted, and the first event after the second (at the latest
 *          when the clock ticks) carries their number in packets.
 *   COUNT: one event for every value offending packets (packets = value).
 * A device-scope event names the SA of the last packet it stands for.
 */
#define VIRTIO_IPSEC_ELIM_PER_SA	0
#define VIRTIO_IPSEC_ELIM_PER_DEVICE	1
#define VIRTIO_IPSEC_ELIM_TIME		1
#define VIRTIO_IPSEC_ELIM_COUNT		2
#define VIRTIO_IPSEC_ELIM_MAX_RATE	10000		/* TIME: events/second */
#define VIRTIO_IPSEC_ELIM_MAX_COUNT	(1 << 24)	/* COUNT: packets/event */
/* event_limit.events: the error events above */
#define VIRTIO_IPSEC_ELIM_EVENTS	(1 << VIRTIO_IPSEC_EVT_AUTH_FAIL | \
					 1 << VIRTIO_IPSEC_EVT_REPLAY | \
					 1 << VIRTIO_IPSEC_EVT_WRONG_SPI | \
					 1 << VIRTIO_IPSEC_EVT_BAD_PAD)
struct virtio_ipsec_event_limit {
	__le32 events;		/* 1 << VIRTIO_IPSEC_EVT_* of each kind; 0 = none */
	__u8 scope;		/* VIRTIO_IPSEC_ELIM_PER_SA / _PER_DEVICE */
	__u8 type;		/* VIRTIO_IPSEC_ELIM_TIME / _COUNT (0 with events 0) */
	__u8 reserved0[2];
	__le32 value;		/* TIME: 1..MAX_RATE; COUNT: 1..MAX_COUNT */
	__le32 reserved[5];
};

#endif /* _UAPI_LINUX_VIRTIO_IPSEC_H */
