/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * g_ipsec_la.h - the Virtio-IPsec g-API: IPsec lookaside acceleration for
 * applications (VNFs) in a virtual machine.
 *
 * One umbrella header for libg_ipsec_la. Link with -lg_ipsec_la
 * (pkg-config --cflags --libs g_ipsec_la). Works from C and C++.
 *
 * Conventions
 * - Every function returns 0 on success or a negative errno value
 *   (-EINVAL, -ENOENT, ...). Nothing sets errno for the caller.
 *   g_ipsec_la_strerror() gives a result's meaning in words,
 *   g_ipsec_la_last_error() the field or limit behind a failure.
 * - Handles are opaque arrays of uint32_t. Copy them by value; do not
 *   interpret their contents.
 * - Control flags (deviation 26): SYNC (0) completes before the call
 *   returns. ASYNC needs resp->cbfn; the callback runs later, from
 *   g_ipsec_la_poll() in the caller's thread, never from a hidden thread.
 *   Data calls are truly asynchronous (the driver's async XFORM): the call
 *   returns once the batch is queued, buffers must stay valid until the
 *   callback. g_ipsec_la_create_group(), g_ipsec_la_sa_add(),
 *   g_ipsec_la_sa_del(), g_ipsec_la_sa_mod(), g_ipsec_la_sa_get() and
 *   g_ipsec_la_sa_flush() are asynchronous too (the driver's
 *   VIPSEC_IOC_CTRL_ASYNC): the call returns once the request is queued,
 *   errors the library can see at once are returned at once, out is not
 *   written, and the callback's outargs carry the result (which may be an
 *   error) and the output: sa_add's handles and sa_get's entries go to
 *   the arrays out points to, which must stay valid until the callback;
 *   create_group's callback gets struct
 *   g_ipsec_la_create_group_cb_outargs. Such calls complete in the order
 *   they were made, at most 64 pending per handle (-EAGAIN). Only
 *   g_ipsec_la_capabilities_get() answers before returning and defers
 *   just its callback, with a copy of the outargs. NO_RESP_EXPECTED: no
 *   callback and out may be NULL (sa_add, create_group and sa_get then
 *   run synchronously: their output is needed).
 *   Packet calls with NO_RESP_EXPECTED still produce their packets: the
 *   batch is processed before the call returns, output bytes and
 *   out_data lengths are written as for SYNC, single-packet calls return
 *   the packet's status, and the multi-packet calls may pass results NULL.
 *   ASYNC|NO_RESP_EXPECTED = NO_RESP_EXPECTED.
 *   cb_arg is copied (0..G_IPSEC_LA_MAX_CB_ARG_LEN bytes); the callback
 *   gets the copy. Unknown flag bits give -EINVAL.
 * - Software accelerator: g_ipsec_la_open() with accl_name "software"
 *   runs the same ESP engine in-process (never chosen implicitly).
 *
 * Thread safety
 * - All functions may be called concurrently from several threads, also on
 *   the same accelerator handle: the library keeps its table of open
 *   accelerators under a mutex and the driver serialises control requests.
 * - g_ipsec_la_close() must not run concurrently with another call that
 *   uses the same accelerator handle (the handle dies with the close).
 * - No callback is ever invoked from a hidden library thread.
 *
 * DEVIATIONS FROM THE g-API SEED DOCUMENT
 * (the same table is in userspace/libg_ipsec_la/DEVIATIONS.md)
 *
 *  #  | seed                                   | this header
 * ----+----------------------------------------+-----------------------------
 *  1  | enum g_ipsec_la_control_flags values 0 | bit values: SYNC = 0,
 *     | and 1; passed as enum, as a struct by  | ASYNC = 1 << 0, NO_RESP_
 *     | value or as a typedef in different     | EXPECTED = 1 << 1; every
 *     | prototypes                             | function takes uint32_t flags
 *     |                                        | (an OR of the enum; C++ safe)
 *  2  | resp args by value, type names         | const struct
 *     | g_api_resp_args / g_ipsec_resp_args /  | g_ipsec_la_resp_args *resp,
 *     | g_ipsec_la_resp_args; cbfn declared as | may be NULL for synchronous
 *     | "struct g_ipsec_la_resp_cbfn"          | calls; cbfn is the typedef
 *  3  | get_api_version(char *version), no     | buffer must hold at least
 *     | buffer size                            | G_IPSEC_LA_API_VERSION_LEN
 *  4  | open_outargs holds a                   | holds struct
 *     | g_ipsec_la_handle *handle (who owns    | g_ipsec_la_handle handle by
 *     | the memory is unsaid)                  | value
 *  5  | open_inargs: unnamed callback member;  | member named cb_fn; strings
 *     | char * strings                         | const char *; vendor/device
 *     |                                        | ids 0 = any, else must be
 *     |                                        | 0x1AF4 / 0x1079
 *  6  | sa_add_outargs: result "non zero:      | result: 0 or negative errno
 *     | success" and one accelerator handle    | (same as the return value);
 *     |                                        | handles: caller's array of
 *     |                                        | num_sas SA handles; failed_
 *     |                                        | index: SA refused by device
 *  7  | inb.anti_replay_window_size uint8_t    | uint32_t (device allows up to
 *     | (max 255 packets)                      | max_replay_window, >= 4096)
 *  8  | comb_key: "salt length followed by     | comb_key = key || salt as in
 *     | the key"                               | RFC 4106/4309/4543 KEYMAT:
 *     |                                        | GCM/GMAC 4-byte, CCM 3-byte
 *     |                                        | salt after the key;
 *     |                                        | comb_key_len_bits counts both
 *  9  | AES-CTR nonce not mentioned            | cipher_key = key || 4-byte
 *     |                                        | nonce (RFC 3686 KEYMAT)
 * 10  | enum names g_ipsec_auth_alg vs         | enum g_ipsec_la_auth_alg,
 *     | g_ipsec_la_auth_alg, g_ipsec_sa_flags  | g_ipsec_la_sa_flags,
 *     | vs g_ipsec_la_sa_flags, dscp/df handle | g_ipsec_la_dscp_handle,
 *     | names differ between enum and struct   | g_ipsec_la_df_handle;
 *     |                                        | enumerator names as in seed
 * 11  | flags members typed as enums           | uint32_t (OR of enum bits)
 * 12  | cmn_flags has no ESN flag              | G_IPSEC_LA_SA_USE_ESN added
 * 13  | BIT(n) macro undefined                 | values written as (1u << n),
 *     |                                        | same numbers as the seed
 * 14  | sa proto: uint8_t, no values           | enum g_ipsec_la_proto (IANA
 *     |                                        | protocol numbers); only ESP
 *     |                                        | is supported (-EOPNOTSUPP)
 * 15  | struct g_ip_addr not defined           | defined: version 4/6 + bytes
 *     |                                        | in network byte order
 * 16  | g_ipsec_la_sa member types             | g_ipsec_la_nat_traversal_info
 *     | g_api_ipsec_nat_info and               | nat_info, g_ipsec_la_tunnel_
 *     | g_api_ipsec_tunnel_end_addr; unnamed   | end_addr te_addr, g_ipsec_la_
 *     | ipcomp member; union unnamed           | ipcomp_info ipcomp; union u
 * 17  | kilobyte lifetimes only                | also packet and second
 *     |                                        | lifetimes (appended fields);
 *     |                                        | kilobyte limits apply only
 *     |                                        | with G_IPSEC_LA_SA_LIFETIME_
 *     |                                        | IN_KB (else they must be 0)
 * 18  | outb.iv / iv_len_bits (app-given IV)   | must be NULL / 0: the device
 *     |                                        | generates IVs (RFC 4106 s.3
 *     |                                        | forbids IV reuse)
 * 19  | packet_encap/decap: one num_sg_elem    | both arrays have num_sg_elem
 *     | for in_data[] and out_data[]; two      | entries; zero-length entries
 *     | parameters named "handle"; no way to   | are skipped; on success
 *     | return the output length               | out_data[].length = bytes
 *     |                                        | written per segment; on
 *     |                                        | -ENOSPC out_data[0].length =
 *     |                                        | bytes needed, others 0
 * 20  | decap/encap named g_ipsec_la_decap_    | g_ipsec_la_packet_encap /
 *     | packet / g_ipsec_la_encap_packet in    | g_ipsec_la_packet_decap
 *     | places                                 | (section titles)
 * 21  | capabilities auth struct misspelt      | g_ipsec_la_auth_algo_cap;
 *     | g_ipsec_la_autho_algo_cap; no limits   | limits (max SAs, packet len,
 *     |                                        | replay window...) appended
 * 22  | g_ipsec_la_get_capabilities (title) vs | g_ipsec_la_capabilities_get
 *     | g_ipsec_la_capabilities_get            | (prototype name)
 * 23  | delete_group and close take only the   | kept; the group to delete is
 *     | handle                                 | handle->group_handle
 * 24  | inbound flag NF_IPSEC_INB_SA_PROPOGATE | kept, plus the alias
 *     | _ECN (wrong prefix, typo)              | G_IPSEC_LA_INB_SA_PROPAGATE_
 *     |                                        | ECN
 * 25  | sa_add_inargs.dir for all SAs, and a   | dir applies to all num_sas
 *     | num_sas of uint8_t                     | SAs; 1..G_IPSEC_LA_MAX_SA_
 *     |                                        | BATCH (64)
 * 26  | control flags: ASYNC semantics unsaid  | see "Control flags" above:
 *     | for control calls                      | control ioctl synchronous,
 *     |                                        | callback deferred to poll
 * 27  | no way to run callbacks / wait for     | extensions g_ipsec_la_poll()
 *     | completions                            | and g_ipsec_la_fd_get()
 * 28  | available/active_list_get: fields      | prototypes and structs
 *     | listed, no prototype                   | g_ipsec_la_accl_info /
 *     |                                        | g_ipsec_la_active_accl_info
 *     |                                        | (read from sysfs)
 * 29  | hooks_register takes the handle by     | pointer; hooks apply to all
 *     | value; hooks are pointers to function  | groups of the handle; members
 *     | pointer typedefs; deregister named     | are the typedefs; both names
 *     | notifications_hook_deregister          | of deregister exported
 * 30  | seq notify interval not in the SA      | g_ipsec_la_sa.seq_notify_
 *     |                                        | interval (appended)
 * 31  | lifetime notification: kilobytes only  | appended limit kind, bytes,
 *     |                                        | packets
 * 32  | sa_modify_flags declared as a struct;  | enum; one kind per call
 *     | replay info: uint8_t window, one       | (union); window uint32_t,
 *     | uint32_t bitmap word; unnamed dir      | bitmap const uint64_t * of
 *     | member and unnamed replay struct       | ceil(window/64) words; dir;
 *     |                                        | members named replay_info
 * 33  | sa_get_outargs: handle** "for Get      | handles: caller array of
 *     | Next"; no count returned; flags values | num_sas; num_sas/more out;
 *     | unsaid; G_IPSEC_LA_SET_GET_NEXT_N typo | flags PARAMS/STATS bits;
 *     |                                        | alias G_IPSEC_LA_SA_GET_NEXT_N
 * 34  | sa_stats counters uint32_t; no place   | kept (saturating); hard_
 *     | for hard-expiry/selector drops         | expired, selector appended
 * 35  | multi_packet: one SA handle; no        | results[] per packet
 *     | per-packet result; "decap_packet" name | (extension); returns packets
 *     | in 8.19 prototype                      | consumed (ODP) or -errno
 * 36  | g_ipsec_la_packet.data unnamed member  | struct g_ipsec_la_data *data
 * 37  | sa_get: no sequence number, age,       | G_IPSEC_LA_SA_GET_STATE fills
 *     | replay bitmap or lifetime left         | sa_get_outargs.state[]
 *     |                                        | (appended member, read only
 *     |                                        | with the flag)
 * 38  | sa_mod cannot restore a lifetime       | G_IPSEC_LA_SA_MODIFY_
 *     |                                        | LIFETIME_INFO (forward only)
 * 39  | hooks only for soft expiry and         | g_ipsec_la_event_hooks_
 *     | sequence events; no hard expiry,       | register(): hard expiry,
 *     | delete request, lost events or         | delete request, lost events,
 *     | per-packet error events                | error events
 * 40  | NPF_IPSecEventLimit_t, event masks     | g_ipsec_la_error_events_
 *     |                                        | config(): mask, TIME/COUNT,
 *     |                                        | per SA or per accelerator
 * 41  | no per-packet warnings on single-      | g_ipsec_la_packet_warnings_
 *     | packet calls; no "which limit"         | get(); G_IPSEC_LA_WARN_SOFT_
 *     |                                        | BYTES/_PACKETS/_SECONDS,
 *     |                                        | _SEQ_NEAR_OVERFLOW
 * 42  | USE_ECN: "Flags such as ECN", meaning | RFC 6040, tunnel mode: out-
 *     | unsaid; PROPOGATE_ECN inbound only     | bound normal mode (else Not-
 *     |                                        | ECT), inbound = PROPAGATE_ECN
 * 43  | no outer TTL, flow label, TFC padding, | outb.ttl, tfc_pad_to,
 *     | TTL decrement or selector              | flow_label; inb flags DECRE-
 *     |                                        | MENT_TTL, CHECK_SELECTOR with
 *     |                                        | inb.sel_src/sel_prefix_len;
 *     |                                        | capability bits for each
 * 44  | sha2:1 for three algorithms; no key    | sha2_256/384/512 bits (sha2 =
 *     | sizes per algorithm                    | all three); cipher_key_sizes[]
 *     |                                        | comb_key_sizes[] per enum
 * 45  | transport mode: te_addr "tunnel end",  | te_addr.src_ip and/or
 *     | so a transport SA has no family        | dest_ip .version states it;
 *     |                                        | unstated: -EAFNOSUPPORT
 */
#ifndef G_IPSEC_LA_H
#define G_IPSEC_LA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Macros -------------------------------------------------------- */

#define G_IPSEC_LA_HANDLE_SIZE	     8
#define G_IPSEC_LA_GROUP_HANDLE_SIZE 8
#define G_IPSEC_LA_SA_HANDLE_SIZE    8

/* Version of this API as returned by g_ipsec_la_get_api_version(). */
#define G_IPSEC_LA_API_VERSION "1.0.0"
/* Minimum size of the buffer given to g_ipsec_la_get_api_version(). */
#define G_IPSEC_LA_API_VERSION_LEN 32

/* PCI identity of the virtio-ipsec device (open_inargs filters). */
#define G_IPSEC_LA_PCI_VENDOR_ID 0x1AF4
#define G_IPSEC_LA_PCI_DEVICE_ID 0x1079

/* Longest group identity, including the terminating NUL. */
#define G_IPSEC_LA_GROUP_NAME_LEN 32
/* Longest application identity, including the terminating NUL. */
#define G_IPSEC_LA_APP_IDENTITY_LEN 64
/* Most SAs in one g_ipsec_la_sa_add() call. */
#define G_IPSEC_LA_MAX_SA_BATCH 64
/* Most scatter-gather segments per packet and direction. */
#define G_IPSEC_LA_MAX_SG_ELEM 16
/* Most packets one multi_packet call consumes (the device may allow less:
 * capabilities max_batch). */
#define G_IPSEC_LA_MAX_PKT_BATCH 256
/* Longest cb_arg copied for an ASYNC call. */
#define G_IPSEC_LA_MAX_CB_ARG_LEN 256
/* Most SAs one g_ipsec_la_sa_get() call returns. */
#define G_IPSEC_LA_MAX_SA_GET 256
/* Name of the opt-in in-process software accelerator. */
#define G_IPSEC_LA_SOFTWARE_NAME "software"
/* Longest accelerator name, including the terminating NUL. */
#define G_IPSEC_LA_ACCL_NAME_LEN 32
/* Most owners one active_list entry reports. */
#define G_IPSEC_LA_MAX_OWNERS 16

/* ---- Enumerations ------------------------------------------------- */

/* 11.1 */
enum g_ipsec_la_mode {
	G_IPSEC_LA_INSTANCE_EXCLUSIVE = 1, /* Exclusive mode */
	G_IPSEC_LA_INSTANCE_SHARED	   /* Shared mode */
};

/* 11.2 - bit values (deviation 1) */
enum g_ipsec_la_control_flags {
	G_IPSEC_LA_CTRL_FLAG_SYNC = 0,			/* synchronous */
	G_IPSEC_LA_CTRL_FLAG_ASYNC = 1u << 0,		/* callback via poll */
	G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED = 1u << 1 /* no callback */
};

/* 11.3 - values equal the device's VIRTIO_IPSEC_AUTH_* ids */
enum g_ipsec_la_auth_alg {
	G_IPSEC_LA_AUTH_ALG_NONE = 1,	   /* No authentication */
	G_IPSEC_LA_AUTH_ALG_MD5_HMAC,	   /* HMAC-MD5-96 (opt-in only) */
	G_IPSEC_LA_AUTH_ALG_SHA1_HMAC,	   /* HMAC-SHA1-96, 160-bit key */
	G_IPSEC_LA_AUTH_AESXCBC,	   /* AES-XCBC-MAC-96, 128-bit key */
	G_IPSEC_LA_AUTH_ALG_SHA2_256_HMAC, /* HMAC-SHA-256-128, 256-bit key */
	G_IPSEC_LA_AUTH_ALG_SHA2_384_HMAC, /* HMAC-SHA-384-192, 384-bit key */
	G_IPSEC_LA_AUTH_ALG_SHA2_512_HMAC  /* HMAC-SHA-512-256, 512-bit key */
};

/* 11.4 - values equal the device's VIRTIO_IPSEC_CIPHER_* ids */
enum g_ipsec_la_cipher_alg {
	G_IPSEC_LA_CIPHER_ALGO_NULL = 1, /* NULL encryption */
	G_IPSEC_LA_ALG_DES_CBC,		 /* DES-CBC (opt-in only) */
	G_IPSEC_LA_ALG_3DES_CBC,	 /* 3DES-CBC, 192-bit key */
	G_IPSEC_LA_ALG_AES_CBC,		 /* AES-CBC, 128/192/256-bit key */
	G_IPSEC_LA_ALG_AES_CTR		 /* AES-CTR, key || 32-bit nonce */
};

/* 11.5 - combined mode (AEAD) algorithms */
enum g_ipsec_la_comb_alg {
	G_IPSEC_LA_COMB_AES_CCM = 1,	  /* key || 24-bit salt */
	G_IPSEC_LA_COMB_AES_GCM,	  /* key || 32-bit salt */
	G_IPSEC_LA_COMB_AES_GMAC,	  /* key || 32-bit salt */
	G_IPSEC_LA_COMB_CHACHA20_POLY1305 /* RFC 7634: 256-bit key || 32-bit salt */
};

/* 11.6 - not supported in this version */
enum g_ipsec_la_ipcomp_alg {
	G_IPSEC_LA_IPCOMP_DEFLATE = 1,
	G_IPSEC_LA_IPCOMP_LZS
};

/* 11.7 - 0 means COPY */
enum g_ipsec_la_dscp_handle {
	G_IPSEC_DSCP_COPY = 1, /* copy from inner to outer header */
	G_IPSEC_DSCP_CLEAR,    /* clear the DSCP value in the outer header */
	G_IPSEC_DSCP_SET       /* set outer DSCP to outb.dscp */
};

/* 11.8 - 0 means COPY */
enum g_ipsec_la_df_handle {
	G_IPSEC_DF_COPY = 1, /* copy DF from inner to outer */
	G_IPSEC_DF_CLEAR,    /* clear DF in the outer header */
	G_IPSEC_DF_SET	     /* set DF in the outer header */
};

/* 11.9 */
enum g_ipsec_la_sa_direction {
	G_IPSEC_LA_IPSEC_INBOUND,
	G_IPSEC_LA_IPSEC_OUTBOUND
};

/* 11.10 - bits of g_ipsec_la_sa.cmn_flags (deviations 12, 13) */
enum g_ipsec_la_sa_flags {
	G_IPSEC_LA_SA_DO_UDP_ENCAP_FOR_NAT_TRAVERSAL = 1u << 1,
	G_IPSEC_LA_SA_USE_ECN = 1u << 2,	      /* RFC 6040 (below) */
	G_IPSEC_LA_SA_LIFETIME_IN_KB = 1u << 3,	      /* kilobyte limits */
	G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK = 1u << 4, /* inbound only */
	G_IPSEC_LA_SA_ENCAP_TRANSPORT_MODE = 1u << 5, /* else tunnel */
	G_IPSEC_LA_SA_USE_ESN = 1u << 6		      /* 64-bit seq numbers */
};

/*
 * G_IPSEC_LA_SA_USE_ECN (deviation 37), tunnel mode, RFC 6040:
 * - outbound: normal mode, the outer ECN field copies the inner one (CE
 *   included); without the flag compatibility mode, outer Not-ECT;
 * - inbound: the outer ECN field is combined into the inner one (outer
 *   CE marks an ECT inner packet CE, ECT(1) over ECT(0) gives ECT(1); outer
 *   CE over a Not-ECT inner packet drops it: -EPROTO); the same as
 *   G_IPSEC_LA_INB_SA_PROPAGATE_ECN. Without either the inner header is
 *   left as it is.
 * Transport mode keeps the packet's own header: the flag changes nothing.
 */

/* 11.11 - bits of g_ipsec_la_sa.u.inb.flags */
enum g_ipsec_la_inb_sa_flags {
	NF_IPSEC_INB_SA_PROPOGATE_ECN = 1,
	G_IPSEC_LA_INB_SA_PROPAGATE_ECN = NF_IPSEC_INB_SA_PROPOGATE_ECN,
	/* extensions (deviation 38), tunnel mode only: */
	G_IPSEC_LA_INB_SA_DECREMENT_TTL = 1u << 1, /* inner TTL / hop limit
						    * - 1; <= 1: -EPROTO */
	G_IPSEC_LA_INB_SA_CHECK_SELECTOR = 1u << 2 /* inner source must be in
						    * u.inb.sel_src/len,
						    * else -EACCES */
};

/*
 * Extension: g_ipsec_la_sa.frag_mode, what an outbound SA does with a
 * packet whose ESP result would exceed its path_mtu (ODP's
 * odp_ipsec_frag_mode_t CHECK and BEFORE).
 */
enum g_ipsec_la_frag_mode {
	/* refuse it: -EMSGSIZE, the MTU in the output length */
	G_IPSEC_LA_FRAG_CHECK = 0,
	/*
	 * tunnel mode, inner IPv4 with DF clear: fragment the inner packet
	 * and encapsulate each fragment; the ESP packets lie back to back in
	 * the output (G_IPSEC_LA_WARN_FRAGMENTED), each as long as its IP
	 * header says. Anything else: as CHECK.
	 */
	G_IPSEC_LA_FRAG_BEFORE = 1
};

/* Values of g_ipsec_la_sa.proto (deviation 14) */
enum g_ipsec_la_proto {
	G_IPSEC_LA_PROTO_ESP = 50,
	G_IPSEC_LA_PROTO_AH = 51,     /* not supported */
	G_IPSEC_LA_PROTO_IPCOMP = 108 /* not supported */
};

/* ---- Handles -------------------------------------------------------- */

/*
 * 9.7 Accelerator handle. handle[] is filled by g_ipsec_la_open().
 * group_handle[] selects the group for later calls: all zero means the
 * default group; copy g_ipsec_la_create_group_outargs.group_handle here to
 * work in a created group.
 */
struct g_ipsec_la_handle {
	uint32_t handle[G_IPSEC_LA_HANDLE_SIZE];
	uint32_t group_handle[G_IPSEC_LA_GROUP_HANDLE_SIZE];
};

/* 9.8 SA handle, filled by g_ipsec_la_sa_add(). */
struct g_ipsec_la_sa_handle {
	uint32_t ipsec_sa_handle[G_IPSEC_LA_SA_HANDLE_SIZE];
};

/* ---- Callbacks ------------------------------------------------------- */

/* 9.3 Called from g_ipsec_la_poll() once the accelerator is removed. */
typedef void (*g_ipsec_la_instance_broken_cbk_fn)(
	struct g_ipsec_la_handle *handle, void *cb_arg);

/* 9.14 Response callback of ASYNC calls, run by g_ipsec_la_poll(); outargs
 * points at a copy of the call's outargs (packet calls: struct
 * g_ipsec_la_packet_outargs), valid during the callback. */
typedef void (*g_ipsec_la_resp_cbfn)(void *cb_arg, int32_t cb_arg_len,
				     void *outargs);

/* 9.6 (deviation 2) */
struct g_ipsec_la_resp_args {
	g_ipsec_la_resp_cbfn cbfn; /* callback if ASYNC is chosen */
	void *cb_arg;
	int32_t cb_arg_len; /* callback argument length */
};

/* ---- Open / groups ------------------------------------------------- */

/* 9.4 (deviation 5) */
struct g_ipsec_la_open_inargs {
	uint16_t pci_vendor_id;	  /* 0 or 0x1AF4 */
	uint16_t device_id;	  /* 0 or 0x1079 */
	const char *accl_name;	  /* optional: "virtio-ipsec<N>" */
	const char *app_identity; /* required, < 64 bytes */
	g_ipsec_la_instance_broken_cbk_fn cb_fn; /* optional; run by
							 * g_ipsec_la_poll() */
	void *cb_arg;	      /* copied when cb_arg_len is 1..
					 * G_IPSEC_LA_MAX_CB_ARG_LEN, else
					 * passed as is */
	int32_t cb_arg_len;   /* callback argument length */
	uint32_t reserved[8]; /* must be 0 (-EINVAL): room to grow */
};

/* 9.5 (deviation 4) */
struct g_ipsec_la_open_outargs {
	struct g_ipsec_la_handle handle;
};

/* 9.1 */
struct g_ipsec_la_create_group_inargs {
	const char *group_identity; /* required, < 32 bytes */
};

/* 9.2 */
struct g_ipsec_la_create_group_outargs {
	uint32_t group_handle[G_IPSEC_LA_GROUP_HANDLE_SIZE];
};

/*
 * Extension: outargs given to the response callback of an ASYNC
 * g_ipsec_la_create_group(); begins as struct
 * g_ipsec_la_create_group_outargs. On failure the handle is all zero and
 * result the negative errno.
 */
struct g_ipsec_la_create_group_cb_outargs {
	uint32_t group_handle[G_IPSEC_LA_GROUP_HANDLE_SIZE];
	int32_t result; /* 0 or negative errno */
};

/* ---- Capabilities ------------------------------------------------- */

/* 9.9 */
struct g_ipsec_la_auth_algo_cap {
	uint32_t md5 : 1, sha1 : 1, sha2 : 1, aes_xcbc : 1, none : 1, des : 1,
		/* appended (deviation 39): sha2 is set when all three are */
		sha2_256 : 1, sha2_384 : 1, sha2_512 : 1;
};

/* 9.10 (des_c = 3DES-CBC) */
struct g_ipsec_la_cipher_algo_cap {
	uint32_t des : 1, des_c : 1, aes : 1, aes_ctr : 1, null : 1;
};

/* 9.11 */
struct g_ipsec_la_comb_algo_cap {
	uint32_t aes_ccm : 1, aes_gcm : 1, aes_gmac : 1, chacha20_poly1305 : 1;
};

/* 9.12 (deviation 21: limits appended) */
struct g_ipsec_la_capabilities {
	uint32_t sg_features : 1,	/* scatter-gather I/O */
		ah_protocol : 1,	/* AH */
		esp_protocol : 1,	/* ESP */
		wesp_protocol : 1,	/* WESP */
		ipcomp_protocol : 1,	/* IP compression */
		multi_sec_protocol : 1, /* SA bundles */
		udp_encap : 1,		/* UDP encapsulation */
		esn : 1,		/* extended sequence numbers */
		tfc : 1,		/* traffic flow confidentiality */
		ecn : 1,		/* ECN handling */
		df : 1,			/* DF bit handling */
		anti_replay_check : 1,	/* anti-replay check */
		ipv6_support : 1,	/* IPv6 */
		soft_lifetime_bytes_notify : 1, /* soft lifetime notify */
		seqnum_overflow_notify : 1,	/* seq number overflow notify */
		seqnum_periodic_notify : 1,	/* periodic seq announce */
		/* appended (deviation 38): */
		outer_ttl : 1,		/* outb.ttl honoured */
		flow_label : 1,		/* outb.flow_label honoured */
		ttl_decrement : 1,	/* G_IPSEC_LA_INB_SA_DECREMENT_TTL */
		inner_src_selector : 1; /* G_IPSEC_LA_INB_SA_CHECK_SELECTOR */
	uint8_t num_dscp_based_queues;
	struct g_ipsec_la_auth_algo_cap auth_algo_caps;
	struct g_ipsec_la_cipher_algo_cap cipher_algo_caps;
	struct g_ipsec_la_comb_algo_cap comb_algo_caps;
	/* appended: */
	uint32_t max_sas; /* SAs per accelerator */
	uint32_t max_groups;
	uint32_t max_packet_len;     /* bytes, input or output */
	uint32_t max_batch;	     /* packets per device request */
	uint32_t max_replay_window;  /* packets */
	uint32_t max_cipher_key_len; /* bytes */
	uint32_t max_auth_key_len;   /* bytes */
	uint32_t num_data_queues;
	/*
	 * appended (deviation 39): key sizes the accelerator and its crypto
	 * backend take, per algorithm, indexed by the g-API enum value: bit
	 * G_IPSEC_LA_KEY_SIZE_BIT(bits) set for a usable key of that many
	 * bits (salt / nonce not counted); 0 for an unusable algorithm.
	 */
	uint8_t cipher_key_sizes[8]; /* [enum g_ipsec_la_cipher_alg] */
	uint8_t comb_key_sizes[8];   /* [enum g_ipsec_la_comb_alg] */
	uint32_t reserved[4];	     /* written as 0: room to grow */
};

/* Bit of capabilities cipher_key_sizes[] / comb_key_sizes[]: a key of
 * bits bits (a multiple of 64; 0 for NULL encryption). */
#define G_IPSEC_LA_KEY_SIZE_BIT(bits) (1u << ((bits) / 64))

/* 9.13 */
struct g_ipsec_cap_get_outargs {
	struct g_ipsec_la_capabilities caps;
};

/* ---- SA parameters ------------------------------------------------- */

/* IP address (deviation 15). Bytes in network byte order. */
struct g_ip_addr {
	uint8_t version; /* 4 or 6; 0 = unset */
	uint8_t reserved[3];
	union {
		uint8_t ipv4[4];
		uint8_t ipv6[16];
	} addr;
};

/*
 * 9.21 Crypto parameters. Either comb_algo (AEAD; cipher_algo 0 and
 * auth_algo 0 or NONE) or cipher_algo + auth_algo. Key lengths in bits,
 * multiples of 8 (deviations 8, 9).
 */
struct g_ipsec_la_sa_crypto_params {
	enum g_ipsec_la_auth_alg auth_algo; /* 0 = unused */
	const uint8_t *auth_key;
	uint32_t auth_key_len_bits;
	enum g_ipsec_la_cipher_alg cipher_algo; /* 0 = unused */
	const uint8_t *cipher_key;
	uint32_t cipher_key_len_bits;
	enum g_ipsec_la_comb_alg comb_algo; /* 0 = unused */
	const uint8_t *comb_key;	    /* key || salt */
	uint32_t comb_key_len_bits;	    /* key + salt */
	uint8_t icv_len_bits; /* AEAD: 64, 96 or 128; else 0 = default */
};

/* 9.22 - algo must be 0 in this version */
struct g_ipsec_la_ipcomp_info {
	enum g_ipsec_la_ipcomp_alg algo;
	uint32_t cpi;
};

/*
 * 9.23 - tunnel mode: outer source (local) and destination (peer).
 * Transport mode (deviation 40): only the family is used, from
 * src_ip.version and/or dest_ip.version (4 or 6, equal when both are set;
 * the addresses may stay zero); sa_add refuses a transport SA that does
 * not state it with -EAFNOSUPPORT. Its packets must be of that family
 * (else -EPROTO per packet).
 */
struct g_ipsec_la_tunnel_end_addr {
	struct g_ip_addr src_ip;
	struct g_ip_addr dest_ip;
};

/* 9.24 - used with G_IPSEC_LA_SA_DO_UDP_ENCAP_FOR_NAT_TRAVERSAL */
struct g_ipsec_la_nat_traversal_info {
	uint16_t dest_port;		   /* host byte order */
	uint16_t src_port;		   /* host byte order */
	struct g_ip_addr nat_oa_peer_addr; /* transport mode only */
};

/* 9.25 Security association (deviations 7, 11, 16, 17, 18) */
struct g_ipsec_la_sa {
	uint32_t spi;	    /* host byte order, >= 256 */
	uint8_t proto;	    /* enum g_ipsec_la_proto: ESP */
	uint32_t cmn_flags; /* OR of enum g_ipsec_la_sa_flags */
	union {
		struct {	      /* outbound SAs */
			uint8_t dscp; /* with G_IPSEC_DSCP_SET, 0..63 */
			enum g_ipsec_la_df_handle df_bit_handle; /* 0 = copy */
			enum g_ipsec_la_dscp_handle dscp_handle; /* 0 = copy */
			const uint8_t *iv;   /* must be NULL */
			uint8_t iv_len_bits; /* must be 0 */
			/* appended (deviation 38), tunnel mode only: */
			uint8_t ttl;	     /* outer TTL / hop limit; 0 = 64 */
			uint16_t tfc_pad_to; /* TFC (RFC 4303 2.4): pad the
					      * inner packet with zeros to
					      * this many bytes; 0 = off */
			uint32_t flow_label; /* IPv6 outer flow label,
					      * 0..0xfffff; 0 = none */
		} outb;
		struct {		/* inbound SAs */
			uint32_t flags; /* OR of enum g_ipsec_la_inb_sa_flags */
			uint32_t anti_replay_window_size; /* packets, 0 = 64 */
			/* appended (deviation 38): with
			 * G_IPSEC_LA_INB_SA_CHECK_SELECTOR, the inner source
			 * prefix (version = the SA's family; no bits set
			 * past sel_prefix_len), else all zero */
			struct g_ip_addr sel_src;
			uint8_t sel_prefix_len; /* bits, 0..32 / 0..128 */
		} inb;
	} u;
	struct g_ipsec_la_sa_crypto_params crypto_params;
	struct g_ipsec_la_ipcomp_info ipcomp;
	uint32_t soft_kilobytes_limit; /* 0 = none */
	uint32_t hard_kilobytes_limit; /* 0 = none */
	struct g_ipsec_la_nat_traversal_info nat_info;
	struct g_ipsec_la_tunnel_end_addr te_addr;
	/* appended: */
	uint64_t soft_packets_limit;  /* 0 = none */
	uint64_t hard_packets_limit;  /* 0 = none */
	uint64_t soft_seconds_limit;  /* 0 = none */
	uint64_t hard_seconds_limit;  /* 0 = none */
	uint32_t seq_notify_interval; /* announce every N packets; 0 = never
					 * (needs seqnum_periodic_notify) */
	/*
	 * Outbound only: largest ESP packet the SA may produce, bytes;
	 * 0 = no limit, else 576 (IPv6 outer: 1280) .. 65535.
	 */
	uint16_t path_mtu;
	uint8_t frag_mode;     /* enum g_ipsec_la_frag_mode */
	uint8_t frag_reserved; /* must be 0 */
	uint32_t reserved[7];  /* must be 0 (-EINVAL): room to grow */
};

/* 9.26 (deviation 25) */
struct g_ipsec_la_sa_add_inargs {
	enum g_ipsec_la_sa_direction dir; /* of all num_sas SAs */
	uint8_t num_sas;		  /* 1 .. G_IPSEC_LA_MAX_SA_BATCH */
	const struct g_ipsec_la_sa *sa_params; /* num_sas entries */
};

/* 9.27 (deviation 6) */
struct g_ipsec_la_sa_add_outargs {
	int32_t result;	       /* 0 or negative errno */
	uint32_t failed_index; /* device refusal: index in sa_params */
	struct g_ipsec_la_sa_handle *handles; /* caller's, num_sas entries */
};

/* 9.31 */
struct g_ipsec_la_sa_del_inargs {
	enum g_ipsec_la_sa_direction dir;
	const struct g_ipsec_la_sa_handle *handle;
};

/* 9.32 */
struct g_ipsec_la_sa_del_outargs {
	int32_t result; /* 0 or negative errno */
};

/* ---- Data ---------------------------------------------------------- */

/* 9.36 One buffer segment. */
struct g_ipsec_la_data {
	uint8_t *buffer;
	uint32_t length;
};

/* ---- Functions ---------------------------------------------------- */

/**
 * g_ipsec_la_get_api_version() - the g-API version implemented.
 * @version: [out] buffer of at least G_IPSEC_LA_API_VERSION_LEN bytes;
 *           receives a NUL-terminated "major.minor.patch" string.
 *
 * Return: 0, or -EINVAL if @version is NULL.
 */
int32_t g_ipsec_la_get_api_version(char *version);

/**
 * g_ipsec_la_open() - open a virtual IPsec accelerator.
 * @mode: [in] G_IPSEC_LA_INSTANCE_EXCLUSIVE or G_IPSEC_LA_INSTANCE_SHARED.
 * @in:   [in] app identity (required), accelerator name (optional: else the
 *        first accelerator that grants @mode), PCI ids (0 = any), callback.
 * @out:  [out] the accelerator handle; its group part is the default group.
 *
 * Return: 0;
 * -EINVAL bad @mode, NULL @in/@out/app_identity, identity too long;
 * -ENODEV no accelerator (of that name / PCI identity) present;
 * -EBUSY the accelerator(s) present are claimed incompatibly;
 * -EMFILE the library's table of open accelerators is full;
 * -EPROTO the driver's char-device ABI version is not supported;
 * other negative errnos from open(2)/ioctl(2) (-EACCES, ...).
 */
int32_t g_ipsec_la_open(enum g_ipsec_la_mode mode,
			const struct g_ipsec_la_open_inargs *in,
			struct g_ipsec_la_open_outargs *out);

/**
 * g_ipsec_la_create_group() - create an application group.
 * @handle: [in] accelerator handle.
 * @in:     [in] group identity, 1..31 characters.
 * @flags:  [in] control flags (see "Control flags").
 * @out:    [out] group handle; copy into handle->group_handle to use it.
 * @resp:   [in] callback for ASYNC; may be NULL otherwise.
 *
 * Return: 0; -EINVAL bad handle/arguments; -EINVAL ASYNC without resp->cbfn;
 * -ENOSPC group table full; -EDQUOT this handle's group quota reached
 * (driver parameter max_groups_per_file); -ENODEV accelerator gone;
 * -EIO device error.
 */
int32_t g_ipsec_la_create_group(struct g_ipsec_la_handle *handle,
				const struct g_ipsec_la_create_group_inargs *in,
				uint32_t flags,
				struct g_ipsec_la_create_group_outargs *out,
				const struct g_ipsec_la_resp_args *resp);

/**
 * g_ipsec_la_delete_group() - delete the group in handle->group_handle.
 * @handle: [in] accelerator handle with a created group's handle.
 *
 * Return: 0; -EINVAL bad handle or the default group; -ENOENT unknown
 * group; -EBUSY the group still has SAs; -ENODEV accelerator gone.
 */
int32_t g_ipsec_la_delete_group(struct g_ipsec_la_handle *handle);

/**
 * g_ipsec_la_close() - close the accelerator; the driver flushes the
 * groups and SAs this handle still owns.
 * @handle: [in] accelerator handle; invalid afterwards.
 *
 * Return: 0; -EINVAL NULL or unknown (already closed) handle.
 */
int32_t g_ipsec_la_close(struct g_ipsec_la_handle *handle);

/**
 * g_ipsec_la_capabilities_get() - what the accelerator supports.
 * @handle: [in] accelerator handle.
 * @flags:  [in] control flags (see "Control flags").
 * @out:    [out] capabilities.
 * @resp:   [in] callback for ASYNC; may be NULL otherwise.
 *
 * Return: 0; -EINVAL bad handle/NULL @out; -EINVAL ASYNC without resp->cbfn;
 * -ENODEV accelerator gone.
 */
int32_t g_ipsec_la_capabilities_get(struct g_ipsec_la_handle *handle,
				    uint32_t flags,
				    struct g_ipsec_cap_get_outargs *out,
				    const struct g_ipsec_la_resp_args *resp);

/**
 * g_ipsec_la_sa_add() - add in->num_sas SAs to the handle's group, all or
 * nothing.
 * @handle: [in] accelerator handle (group part selects the group).
 * @in:     [in] direction, count and parameters.
 * @flags:  [in] control flags (see "Control flags").
 * @out:    [out] result, failed_index and, in out->handles (num_sas
 *          entries, caller's memory), the SA handles.
 * @resp:   [in] callback for ASYNC; may be NULL otherwise.
 *
 * Every SA is validated before anything reaches the device: proto ESP;
 * SPI >= 256; algorithm ids known; NULL encryption with NULL/no
 * authentication refused; key lengths matching the algorithm; AEAD ICV
 * 64/96/128 bits; anti-replay only inbound, with authentication, window
 * 1..max_replay_window (0 = 64); tunnel addresses set and of one
 * version; transport SAs state their family in te_addr (deviation 40);
 * UDP ports non-zero with NAT-T; outb.iv NULL; ipcomp unused;
 * lifetimes soft <= hard; outb.ttl, tfc_pad_to, flow_label (< 2^20,
 * IPv6) only on tunnel SAs; inb flags DECREMENT_TTL (tunnel) and
 * CHECK_SELECTOR (sel_src of the SA's family, sel_prefix_len <= 32/128,
 * no bit past it; the selector fields 0 without the flag). Each of them,
 * ECN, DF/DSCP handling and the key size is checked against what
 * g_ipsec_la_capabilities_get() reports. SAs of several calls may share
 * keys.
 *
 * Return: 0 (out->result 0);
 * -EINVAL invalid arguments or SA parameters (nothing sent);
 * -EAFNOSUPPORT a transport SA without (or with two) families;
 * -EOPNOTSUPP AH/IPComp, or a feature/algorithm/field the
 *  accelerator did not offer;
 * -EKEYREJECTED a key size the accelerator does not take (capabilities
 *  cipher_key_sizes / comb_key_sizes), or the device refused a key;
 * -EEXIST an inbound SA with the same SPI and destination is already in
 *  the group (outbound SAs are told apart by their handles: a duplicate
 *  outbound SPI is accepted);
 * -ENOSPC SA table full; -EDQUOT this handle's SA quota reached (driver
 * parameter max_sas_per_file); -ENOENT unknown group; -ENODEV accelerator
 * gone; -EIO device failure. On a device refusal out->failed_index names
 * the SA. ASYNC: 0 once queued (-EAGAIN: 64 asynchronous control calls
 * pending), the device's errors and the handles come to the callback.
 */
int32_t g_ipsec_la_sa_add(struct g_ipsec_la_handle *handle,
			  const struct g_ipsec_la_sa_add_inargs *in,
			  uint32_t flags, struct g_ipsec_la_sa_add_outargs *out,
			  const struct g_ipsec_la_resp_args *resp);

/**
 * g_ipsec_la_sa_del() - delete one SA; its keys are wiped.
 * @handle: [in] accelerator handle the SA was added with.
 * @in:     [in] direction (must match the SA) and SA handle.
 * @flags:  [in] control flags (see "Control flags").
 * @out:    [out] result (same as the return value); may be NULL.
 * @resp:   [in] callback for ASYNC; may be NULL otherwise.
 *
 * Return: 0; -EINVAL bad arguments, direction mismatch, or an SA handle of
 * another accelerator handle; -ENOENT unknown or already deleted SA;
 * -EINVAL ASYNC without resp->cbfn; -ENODEV accelerator gone;
 * -EAGAIN (ASYNC) 64 asynchronous control calls already pending.
 */
int32_t g_ipsec_la_sa_del(struct g_ipsec_la_handle *handle,
			  const struct g_ipsec_la_sa_del_inargs *in,
			  uint32_t flags, struct g_ipsec_la_sa_del_outargs *out,
			  const struct g_ipsec_la_resp_args *resp);

/**
 * g_ipsec_la_packet_encap() - ESP-encapsulate one packet (outbound SA).
 * @handle:      [in] accelerator handle.
 * @flags:       [in] control flags (see "Control flags").
 * @sa_handle:   [in] outbound SA.
 * @num_sg_elem: [in] entries in @in_data and in @out_data, 1..16 each;
 *               zero-length entries are skipped (deviation 19).
 * @in_data:     [in] the inner IP packet (tunnel) or IP packet
 *               (transport), gathered from the segments in order.
 * @out_data:    [in,out] output segments; length in = capacity. On
 *               success each length becomes the bytes written to that
 *               segment (segments filled in order). On -ENOSPC
 *               out_data[0].length becomes the total bytes needed and the
 *               other lengths 0. The whole capacity (up to max_packet_len)
 *               may be written, also on failure: the device accelerator
 *               works in the caller's buffers (zero-copy) and zeroes what
 *               the result leaves. After -ETIMEDOUT (a device that stopped
 *               answering) the buffers may still be written until the
 *               device answers or goes: do not reuse them for that call's
 *               accelerator.
 * @resp:        [in] callback for ASYNC; may be NULL otherwise.
 *
 * Return: 0 (also when a soft lifetime was reached);
 * -EINVAL bad arguments, bad handle, inbound SA, too many segments;
 * -EAGAIN too many ASYNC batches in flight;
 * -ENOENT unknown or deleted SA; -ENOSPC output too small (see above);
 * -EMSGSIZE the ESP packet would exceed the SA's path_mtu (out_data[0].
 * length becomes the MTU; see enum g_ipsec_la_frag_mode);
 * -ESHUTDOWN the SA is disabled (G_IPSEC_LA_SA_MODIFY_DISABLE);
 * -EPROTO malformed input packet; -EKEYEXPIRED SA past a hard lifetime;
 * -EOVERFLOW sequence numbers exhausted; -EMSGSIZE packet, or its ESP
 * result, larger than the accelerator's max_packet_len (capabilities):
 * no capacity can help, out_data[0].length is the result's size;
 * -ENODEV accelerator gone; -EIO device error.
 * g_ipsec_la_sa_overhead() sizes out_data; out_data may be in_data's
 * memory. g_ipsec_la_last_error() names the limit of a failure.
 */
int32_t g_ipsec_la_packet_encap(struct g_ipsec_la_handle *handle,
				uint32_t flags,
				const struct g_ipsec_la_sa_handle *sa_handle,
				uint32_t num_sg_elem,
				const struct g_ipsec_la_data in_data[],
				struct g_ipsec_la_data out_data[],
				const struct g_ipsec_la_resp_args *resp);

/**
 * g_ipsec_la_packet_decap() - verify, decrypt and decapsulate one ESP
 * packet (inbound SA). Arguments as for g_ipsec_la_packet_encap(); the
 * input is the outer IP packet carrying ESP, the output the inner packet.
 * @sa_handle may be NULL (extension, seed 004): the accelerator then
 * finds the inbound SA by the packet's SPI, outer destination address
 * and protocol (ESP, or ESP in UDP) among the SAs of the handle's group,
 * which must be one created with g_ipsec_la_create_group() (-EINVAL in
 * the default group, which other owners share); a transport SA added
 * without addresses matches any destination. No such SA: -ENOENT.
 *
 * Return: 0 (also when a soft lifetime was reached);
 * -EBADMSG ICV mismatch (authentication failed);
 * -EALREADY replayed packet (sequence number already seen);
 * -ERANGE late packet (sequence number left of the replay window);
 * -ENOENT unknown or deleted SA;
 * -ENOSPC output too small (needed size in out_data[0].length);
 * -EPROTO malformed packet (truncated, bad padding or next header; with
 *  DECREMENT_TTL an inner TTL of 1 or 0; with ECN an outer CE over a
 *  Not-ECT inner packet);
 * -EPROTONOSUPPORT not ESP, or SPI not that of the SA;
 * -EACCES inner source outside the SA's selector (CHECK_SELECTOR);
 * -EKEYEXPIRED SA past a hard lifetime;
 * -ESHUTDOWN the SA is disabled (G_IPSEC_LA_SA_MODIFY_DISABLE);
 * -EINVAL bad arguments, bad handle, outbound SA, too many segments;
 * -EMSGSIZE packet, or its result, larger than max_packet_len;
 * -ENODEV accelerator gone; -EIO device error.
 */
int32_t g_ipsec_la_packet_decap(struct g_ipsec_la_handle *handle,
				uint32_t flags,
				const struct g_ipsec_la_sa_handle *sa_handle,
				uint32_t num_sg_elem,
				const struct g_ipsec_la_data in_data[],
				struct g_ipsec_la_data out_data[],
				const struct g_ipsec_la_resp_args *resp);

/* ---- Packets of the multi-packet calls ------------------------------ */

/* 9.37 One packet: num_sg segments (deviation 36). */
struct g_ipsec_la_packet {
	uint32_t num_sg;	      /* 1..G_IPSEC_LA_MAX_SG_ELEM */
	struct g_ipsec_la_data *data; /* output: lengths updated */
};

/* Extension: result of one packet of a multi-packet call (deviation 35). */
struct g_ipsec_la_pkt_result {
	int32_t result;	     /* 0 or negative errno as for packet_encap/
				 * _decap (-ENOSPC: out_len = bytes needed;
				 * -EMSGSIZE: out_len = bytes the result
				 * needs, above max_packet_len) */
	uint32_t out_len;    /* bytes written */
	uint32_t seq_num;    /* sequence number used/seen, low 32 bits */
	uint32_t hi_seq_num; /* high 32 bits with ESN */
	uint32_t warnings;   /* G_IPSEC_LA_WARN_* */
};

/*
 * Extension: warning bits of g_ipsec_la_pkt_result and of
 * g_ipsec_la_packet_warnings_get() (success anyway). With SOFT_EXPIRY,
 * one SOFT_* bit for each soft limit reached; SEQ_NEAR_OVERFLOW: an
 * outbound SA has at most 1/8 of its sequence numbers left (rekey).
 */
enum g_ipsec_la_pkt_warning {
	G_IPSEC_LA_WARN_SOFT_EXPIRY = 1u << 0,	     /* soft lifetime reached */
	G_IPSEC_LA_WARN_SEQ_NOTIFY = 1u << 1,	     /* periodic announce due */
	G_IPSEC_LA_WARN_SOFT_BYTES = 1u << 2,	     /* soft byte limit */
	G_IPSEC_LA_WARN_SOFT_PACKETS = 1u << 3,	     /* soft packet limit */
	G_IPSEC_LA_WARN_SOFT_SECONDS = 1u << 4,	     /* soft time limit */
	G_IPSEC_LA_WARN_SEQ_NEAR_OVERFLOW = 1u << 5, /* last 1/8 of seqs */
	/* G_IPSEC_LA_FRAG_BEFORE: several ESP packets, back to back */
	G_IPSEC_LA_WARN_FRAGMENTED = 1u << 8
};

/*
 * Extension: outargs given to the response callback of an ASYNC packet
 * call. For the single-packet calls num_packets is 1.
 */
struct g_ipsec_la_packet_outargs {
	int32_t result; /* 0 when the batch was processed, else the
				 * batch's negative errno (e.g. -ENODEV) */
	uint32_t num_packets;
	struct g_ipsec_la_pkt_result *results; /* num_packets entries */
};

/* ---- SA modification, read, statistics ----------------------------- */

/* 9.28 (deviations 32, 38) - one kind per call */
enum g_ipsec_la_sa_modify_flags {
	G_IPSEC_LA_SA_MODIFY_LOCAL_GW_INFO = 1, /* local address and port */
	G_IPSEC_LA_SA_MODIFY_PEER_GW_INFO,	/* peer address and port */
	G_IPSEC_LA_SA_MODIFY_REPLAY_INFO,	/* sequence number, window */
	G_IPSEC_LA_SA_MODIFY_LIFETIME_INFO,	/* lifetime used (extension) */
	/* Extension: outbound SA's path MTU and mode (u.mtu_info) */
	G_IPSEC_LA_SA_MODIFY_MTU = 8,
	/*
	 * Extension: disable the SA (seed 004, ODP odp_ipsec_sa_disable()):
	 * packet calls naming it fail with -ESHUTDOWN from now on; the call
	 * completes (returns, or with ASYNC runs its callback) only once
	 * every packet call of this handle submitted before it has
	 * completed, so the SA can then be deleted without loss. Cannot be
	 * undone.
	 */
	G_IPSEC_LA_SA_MODIFY_DISABLE = 9
};

/* Extension: an amount of SA lifetime (deviations 37, 38). */
struct g_ipsec_la_lifetime {
	uint64_t bytes;
	uint64_t packets;
	uint64_t seconds;
};
/* g_ipsec_la_sa_state remaining amounts: the SA has no such limit */
#define G_IPSEC_LA_LIFETIME_UNLIMITED UINT64_MAX
/* Words of a replay bitmap: windows up to 4096 packets */
#define G_IPSEC_LA_MAX_BITMAP_WORDS 64

/* 11.12 */
enum g_ipsec_la_sa_modify_replay_info_flags {
	G_IPSEC_LA_SA_MODIFY_SEQ_NUM = 1u << 1,
	G_IPSEC_LA_SA_MODIFY_ANTI_REPLAY_WINDOW = 1u << 2
};

/* 9.29 (deviation 32) */
struct g_ipsec_la_sa_mod_inargs {
	enum g_ipsec_la_sa_direction dir;
	const struct g_ipsec_la_sa_handle *handle;
	enum g_ipsec_la_sa_modify_flags flags;
	union {
		struct {
			uint16_t port;	       /* UDP port with NAT-T, else 0 */
			struct g_ip_addr addr; /* same version as before */
		} addr_info;
		struct {
			uint32_t flags; /* OR of replay_info_flags */
			uint32_t anti_replay_window_size; /* packets */
			/* ceil(window/64) words: bit i of word i/64 set when
			 * sequence number (seq - i) was received */
			const uint64_t *anti_replay_window_bit_map;
			uint32_t seq_num;    /* low 32 bits */
			uint32_t hi_seq_num; /* high 32 bits (ESN) */
		} replay_info;
		/*
		 * LIFETIME_INFO: what the SA has used, as read with
		 * G_IPSEC_LA_SA_GET_STATE (state.used) from another
		 * accelerator: its counters and age continue from here.
		 * Forward only (each at least the SA's own; seconds below
		 * 2^32); limits it reaches count as already notified.
		 */
		struct g_ipsec_la_lifetime lifetime_info;
		struct {
			uint16_t path_mtu; /* as g_ipsec_la_sa.path_mtu */
			uint8_t frag_mode; /* enum g_ipsec_la_frag_mode */
		} mtu_info;
	} u;
};

/* 9.30 */
struct g_ipsec_la_sa_modify_outargs {
	int32_t result; /* 0 or negative errno */
};

/* 9.33 (deviation 34) */
struct g_ipsec_la_sa_stats {
	uint64_t packets_processed;
	uint64_t bytes_processed;
	struct {
		uint32_t invalid_ipsec_pkt; /* malformed, wrong SPI */
		uint32_t invalid_pad_length;
		uint32_t invalid_seq_num;
		uint32_t anti_replay_late_pkt;
		uint32_t anti_replay_replay_pkt;
		uint32_t invalid_icv;
		uint32_t seq_num_over_flow;
		uint32_t crypto_op_failed;
	} protocol_violation_errors;
	struct {
		uint32_t no_tail_room;
		uint32_t submit_to_accl_failed; /* always 0: a refused
						 * submission is an error
						 * return, not a packet */
	} process_errors;
	/* appended: */
	uint32_t hard_expired; /* refused past a hard lifetime */
	uint32_t selector;     /* inner packet outside selector */
	uint32_t reserved[6];  /* written as 0: room to grow */
};

/* 11.13 */
enum g_ipsec_la_sa_get_op {
	G_IPSEC_LA_SA_GET_FIRST_N = 0,
	G_IPSEC_LA_SET_GET_NEXT_N,
	G_IPSEC_LA_SA_GET_EXACT
};
#define G_IPSEC_LA_SA_GET_NEXT_N G_IPSEC_LA_SET_GET_NEXT_N

/* sa_get_inargs.flags (deviations 33, 37) */
#define G_IPSEC_LA_SA_GET_PARAMS (1u << 0) /* fill sa_params[] */
#define G_IPSEC_LA_SA_GET_STATS	 (1u << 1) /* fill stats[] */
#define G_IPSEC_LA_SA_GET_STATE	 (1u << 2) /* fill state[] (extension) */

/* g_ipsec_la_sa_state.flags */
#define G_IPSEC_LA_SA_STATE_SOFT_EXPIRED (1u << 0) /* a soft limit reached */
#define G_IPSEC_LA_SA_STATE_HARD_EXPIRED (1u << 1) /* refuses packets */
#define G_IPSEC_LA_SA_STATE_SEQ_OVERFLOW (1u << 2) /* sequence space spent */
/* window above 4096: the bitmap holds its newest 4096 numbers only */
#define G_IPSEC_LA_SA_STATE_BITMAP_PARTIAL (1u << 3)

/*
 * Extension (deviation 37): the running state of an SA, what another
 * accelerator needs to continue it after g_ipsec_la_sa_add() with the
 * same parameters and keys: g_ipsec_la_sa_mod() REPLAY_INFO (seq, window
 * and bitmap) and LIFETIME_INFO (used).
 */
struct g_ipsec_la_sa_state {
	uint64_t seq;	/* outbound: last number used (the next is seq + 1);
		       * inbound: highest authenticated; 64 bits with ESN */
	uint32_t flags; /* G_IPSEC_LA_SA_STATE_* */
	uint32_t anti_replay_window_size; /* inbound; 0 = none */
	/* bit i of word i/64 set when sequence number (seq - i) was
	 * received, as sa_mod's replay_info bitmap */
	uint64_t anti_replay_window_bit_map[G_IPSEC_LA_MAX_BITMAP_WORDS];
	uint64_t age_seconds;		      /* since the SA was added */
	struct g_ipsec_la_lifetime used;      /* input bytes, packets, age */
	struct g_ipsec_la_lifetime soft_left; /* to each soft limit: 0 once
					       * reached, UNLIMITED if none */
	struct g_ipsec_la_lifetime hard_left; /* the same, hard limits */
	uint32_t reserved[8];		      /* written as 0 */
};

/* 9.35 */
struct g_ipsec_la_sa_get_inargs {
	enum g_ipsec_la_sa_direction dir; /* only SAs of this direction */
	const struct g_ipsec_la_sa_handle *handle; /* NEXT_N: cursor;
							 * EXACT: the SA */
	enum g_ipsec_la_sa_get_op operation;
	uint32_t num_sas; /* 1..G_IPSEC_LA_MAX_SA_GET (EXACT: 1) */
	uint32_t flags;	  /* G_IPSEC_LA_SA_GET_PARAMS and/or _STATS */
};

/* 9.34 (deviation 33). Arrays are the caller's, num_sas entries each. */
struct g_ipsec_la_sa_get_outargs {
	int32_t result;			      /* 0 or negative errno */
	struct g_ipsec_la_sa *sa_params;      /* with PARAMS; key pointers
						 * NULL: keys never leave */
	struct g_ipsec_la_sa_stats *stats;    /* with STATS */
	struct g_ipsec_la_sa_handle *handles; /* required: the SAs read;
						 * last one = next cursor */
	uint32_t num_sas;		      /* out: entries filled */
	uint32_t more;			      /* out: 1 when more SAs follow */
	/* appended (deviation 37), read only with G_IPSEC_LA_SA_GET_STATE: */
	struct g_ipsec_la_sa_state *state; /* with STATE */
};

/* ---- Notifications --------------------------------------------------- */

/* 9.15 */
struct g_ipsec_seq_number_notification {
	struct g_ipsec_la_handle *handle;
	struct g_ipsec_la_sa_handle *sa_handle;
	uint32_t seq_num;    /* low 32 bits */
	uint32_t hi_seq_num; /* high 32 bits */
};

/* 9.16 */
typedef void (*g_ipsec_la_cbk_sa_seq_number_overflow_fn)(
	struct g_ipsec_la_handle handle,
	struct g_ipsec_seq_number_notification *in);

/* 9.17 */
typedef void (*g_ipsec_la_cbk_sa_seq_number_periodic_update_fn)(
	struct g_ipsec_la_handle handle,
	struct g_ipsec_seq_number_notification *in);

/* 9.18 (deviation 31) */
#define G_IPSEC_LA_LIMIT_BYTES	 1
#define G_IPSEC_LA_LIMIT_PACKETS 2
#define G_IPSEC_LA_LIMIT_SECONDS 3
struct g_ipsec_la_lifetime_in_bytes_notification {
	struct g_ipsec_la_sa_handle sa_handle;
	uint32_t ipsec_lifetime_in_kbytes; /* kilobytes processed */
	/* appended: */
	uint32_t limit;	  /* G_IPSEC_LA_LIMIT_*: which soft limit */
	uint64_t bytes;	  /* bytes processed (0 for a packet limit) */
	uint64_t packets; /* packets processed (packet limit only) */
};

/* 9.19 */
typedef void (*g_ipsec_la_cbk_sa_soft_lifetimeout_expiry_fn)(
	struct g_ipsec_la_handle handle,
	struct g_ipsec_la_lifetime_in_bytes_notification *in);

/* 9.20 (deviation 29): NULL members = not interested */
struct g_ipsec_la_notification_hooks {
	g_ipsec_la_cbk_sa_seq_number_overflow_fn seq_num_overflow_fn;
	g_ipsec_la_cbk_sa_seq_number_periodic_update_fn
		seq_num_periodic_update_fn;
	g_ipsec_la_cbk_sa_soft_lifetimeout_expiry_fn soft_lifetimeout_expiry_fn;
};

/*
 * Extension (deviation 39): the events the seed has no hook for. event
 * says which; sa_handle names the SA (all zero for LOST).
 */
enum g_ipsec_la_event {
	G_IPSEC_LA_EVENT_HARD_EXPIRY = 1, /* limit: which; SA refuses now */
	G_IPSEC_LA_EVENT_DELETE_REQUEST,  /* the accelerator asks for the
					   * SA's deletion: after a hard
					   * expiry (limit set) or a sequence
					   * overflow (limit 0) */
	G_IPSEC_LA_EVENT_LOST,		  /* count: events dropped */
	G_IPSEC_LA_EVENT_AUTH_FAIL,	  /* ICV mismatch */
	G_IPSEC_LA_EVENT_REPLAY,	  /* replayed or late packet */
	G_IPSEC_LA_EVENT_WRONG_SPI,	  /* not ESP or not the SA's SPI */
	G_IPSEC_LA_EVENT_BAD_PAD	  /* bad padding or next header */
};

struct g_ipsec_la_sa_event_notification {
	struct g_ipsec_la_sa_handle sa_handle;
	uint32_t event; /* enum g_ipsec_la_event */
	uint32_t limit; /* G_IPSEC_LA_LIMIT_* (HARD_EXPIRY, DELETE_REQUEST) */
	uint64_t seq;	/* sequence number at the event; error events:
			 * that of the last offending packet */
	uint64_t count; /* error events: offending packets this stands
			 * for (rate limiting, g_ipsec_la_error_events_
			 * config()); LOST: events dropped; HARD_EXPIRY:
			 * packets for a packet limit, else bytes */
	uint32_t reserved[4];
};

typedef void (*g_ipsec_la_cbk_sa_event_fn)(
	struct g_ipsec_la_handle handle,
	struct g_ipsec_la_sa_event_notification *in);

/* NULL members = not interested. size: sizeof(the caller's struct). */
struct g_ipsec_la_event_hooks {
	uint32_t size;
	uint32_t reserved; /* must be 0 */
	g_ipsec_la_cbk_sa_event_fn hard_lifetime_expiry_fn;
	g_ipsec_la_cbk_sa_event_fn sa_delete_request_fn;
	g_ipsec_la_cbk_sa_event_fn events_lost_fn;
	g_ipsec_la_cbk_sa_event_fn packet_error_fn; /* AUTH_FAIL .. BAD_PAD */
};

/* Extension (deviation 40): error events and their rate limit. */
enum g_ipsec_la_error_events {
	G_IPSEC_LA_ERR_EVENT_AUTH_FAIL = 1u << 0,
	G_IPSEC_LA_ERR_EVENT_REPLAY = 1u << 1,
	G_IPSEC_LA_ERR_EVENT_WRONG_SPI = 1u << 2,
	G_IPSEC_LA_ERR_EVENT_BAD_PAD = 1u << 3
};

/* The seed's NPF_IPSecEventLimitType_t */
enum g_ipsec_la_event_limit_type {
	G_IPSEC_LA_EVENT_LIMIT_TIME = 1, /* at most value events a second */
	G_IPSEC_LA_EVENT_LIMIT_COUNT = 2 /* one event per value packets */
};

#define G_IPSEC_LA_EVENT_LIMIT_MAX_RATE	 10000
#define G_IPSEC_LA_EVENT_LIMIT_MAX_COUNT (1u << 24)

struct g_ipsec_la_error_events_cfg {
	uint32_t events;      /* OR of G_IPSEC_LA_ERR_EVENT_*; 0 = none */
	uint32_t per_device;  /* 0: each SA has its own limit; 1: one limit
			      * for the whole accelerator */
	uint32_t limit_type;  /* enum g_ipsec_la_event_limit_type */
	uint32_t value;	      /* TIME: 1..MAX_RATE; COUNT: 1..MAX_COUNT */
	uint32_t reserved[4]; /* must be 0 */
};

/* ---- Accelerator lists (deviation 28) ------------------------------- */

/* 8.6 One available accelerator. */
struct g_ipsec_la_accl_info {
	char name[G_IPSEC_LA_ACCL_NAME_LEN]; /* "virtio-ipsec<N>" */
	uint32_t id;			     /* N */
	uint32_t software; /* 1 for the in-process software one */
};

/* 8.7 One accelerator in use, with its owners and statistics. */
struct g_ipsec_la_active_accl_info {
	char name[G_IPSEC_LA_ACCL_NAME_LEN];
	uint32_t id;
	uint32_t software;
	uint32_t mode; /* enum g_ipsec_la_mode; 0 = nobody */
	/*
	 * owners[] comes from the root-only sysfs "owners" and "groups":
	 * empty for a caller that cannot read them; identities and names
	 * are as sysfs escapes them (C escapes for control bytes).
	 */
	uint32_t num_owners; /* entries in owners[] */
	struct {
		char app_identity[G_IPSEC_LA_APP_IDENTITY_LEN];
		/* names of the groups this owner created, comma-
		 * separated (sysfs "groups"); empty when none */
		char group_identities[128];
	} owners[G_IPSEC_LA_MAX_OWNERS];
	uint64_t bytes_in, bytes_out;
	uint64_t packets_in, packets_out;
	uint64_t sas_created, sas_deleted, sas_modified;
	uint64_t active_sas;
};

/* ---- More functions ------------------------------------------------- */

/**
 * g_ipsec_la_available_list_get() - accelerators present (sysfs), then
 * the software accelerator.
 * @list: [out] up to @max entries.
 * @max:  [in] entries in @list.
 * @num:  [out] entries filled.
 *
 * Return: 0; -EINVAL NULL @list/@num or @max 0; -ENOSPC more accelerators
 * than @max (the first @max are filled).
 */
int32_t g_ipsec_la_available_list_get(struct g_ipsec_la_accl_info *list,
				      uint32_t max, uint32_t *num);

/**
 * g_ipsec_la_active_list_get() - accelerators held by some application,
 * with mode, owners and counters from /sys/class/virtio_ipsec/ (the
 * software accelerator: when this process holds it).
 * Counters the driver does not expose read as 0.
 *
 * Return: as for g_ipsec_la_available_list_get().
 */
int32_t g_ipsec_la_active_list_get(struct g_ipsec_la_active_accl_info *list,
				   uint32_t max, uint32_t *num);

/**
 * g_ipsec_la_notification_hooks_register() - call @in's hooks (from
 * g_ipsec_la_poll()) for events of SAs of this accelerator handle.
 * Replaces earlier hooks.
 *
 * Return: 0; -EINVAL bad handle or NULL @in; -EOPNOTSUPP the accelerator
 * has no event queue (no notifications possible).
 */
int32_t g_ipsec_la_notification_hooks_register(
	struct g_ipsec_la_handle *handle,
	const struct g_ipsec_la_notification_hooks *in);

/**
 * g_ipsec_la_notification_hooks_deregister() - forget the hooks.
 * g_ipsec_la_notifications_hook_deregister() is the seed's name.
 * Return: 0; -EINVAL bad handle.
 */
int32_t
g_ipsec_la_notification_hooks_deregister(struct g_ipsec_la_handle *handle);
int32_t
g_ipsec_la_notifications_hook_deregister(struct g_ipsec_la_handle *handle);

/**
 * g_ipsec_la_sa_mod() - change an SA's local or peer address and port, or
 * its replay state, keeping keys (and the rest of the state); or
 * (extensions) its path MTU, or disable it before deletion (see
 * G_IPSEC_LA_SA_MODIFY_DISABLE: the call waits for this handle's packet
 * calls in flight).
 *
 * Return: 0; -EINVAL bad arguments, direction mismatch, another handle's
 * SA, address family change, window larger than max_replay_window, a
 * path MTU out of range or on an inbound SA; -ETIMEDOUT packet calls in
 * flight did not complete in time (DISABLE: nothing is applied, call
 * again);
 * -EOPNOTSUPP the accelerator did not offer SA_MOD; -ENOENT unknown SA;
 * -ENODEV accelerator gone.
 */
int32_t g_ipsec_la_sa_mod(struct g_ipsec_la_handle *handle,
			  const struct g_ipsec_la_sa_mod_inargs *in,
			  uint32_t flags,
			  struct g_ipsec_la_sa_modify_outargs *out,
			  const struct g_ipsec_la_resp_args *resp);

/**
 * g_ipsec_la_sa_flush() - delete every SA of the handle's group.
 * Return: 0; -EINVAL bad handle/flags; -ENOENT unknown group; -ENODEV.
 */
int32_t g_ipsec_la_sa_flush(struct g_ipsec_la_handle *handle, uint32_t flags,
			    const struct g_ipsec_la_resp_args *resp);

/**
 * g_ipsec_la_sa_get() - read SAs of the handle's group (and @in->dir):
 * parameters without keys and/or statistics. FIRST_N starts at the
 * lowest SA id, NEXT_N after in->handle, EXACT reads in->handle only.
 *
 * Return: 0 (out->num_sas may be 0 at the end); -EINVAL bad arguments;
 * -ENOENT EXACT of an unknown SA; -EOPNOTSUPP no SA_GET in the device;
 * -ENODEV accelerator gone.
 */
int32_t g_ipsec_la_sa_get(struct g_ipsec_la_handle *handle,
			  const struct g_ipsec_la_sa_get_inargs *in,
			  uint32_t flags, struct g_ipsec_la_sa_get_outargs *out,
			  const struct g_ipsec_la_resp_args *resp);

/**
 * g_ipsec_la_multi_packet_encap() - encapsulate a batch with one SA in
 * ONE device request (one system call, one virtqueue notification).
 * @num_packets: [in] packets offered; at most min(256, max_batch) are
 *               consumed.
 * @in_packets:  [in] the packets.
 * @out_packets: [in,out] output segments; lengths as for packet_encap.
 * @results:     [out] one per consumed packet (extension); required.
 *
 * Return: number of packets consumed (>= 1; each has its own result) or
 * a negative errno when nothing was consumed (-EINVAL, -ENODEV, -EAGAIN
 * too many ASYNC batches in flight, ...). ASYNC: results, out lengths
 * and the callback come from g_ipsec_la_poll().
 */
int32_t
g_ipsec_la_multi_packet_encap(struct g_ipsec_la_handle *handle, uint32_t flags,
			      const struct g_ipsec_la_sa_handle *sa_handle,
			      uint32_t num_packets,
			      const struct g_ipsec_la_packet in_packets[],
			      struct g_ipsec_la_packet out_packets[],
			      struct g_ipsec_la_pkt_result results[],
			      const struct g_ipsec_la_resp_args *resp);

/**
 * g_ipsec_la_multi_packet_decap() - as multi_packet_encap, inbound.
 * @sa_handle may be NULL: each packet's SA is looked up by SPI (see
 * g_ipsec_la_packet_decap()).
 */
int32_t
g_ipsec_la_multi_packet_decap(struct g_ipsec_la_handle *handle, uint32_t flags,
			      const struct g_ipsec_la_sa_handle *sa_handle,
			      uint32_t num_packets,
			      const struct g_ipsec_la_packet in_packets[],
			      struct g_ipsec_la_packet out_packets[],
			      struct g_ipsec_la_pkt_result results[],
			      const struct g_ipsec_la_resp_args *resp);

/**
 * g_ipsec_la_event_hooks_register() - extension (deviation 39): call
 * @in's hooks (from g_ipsec_la_poll()) for the events the seed's hooks do
 * not cover, for SAs of this accelerator handle. Replaces earlier event
 * hooks; @in NULL forgets them (so does
 * g_ipsec_la_notification_hooks_deregister()).
 *
 * Return: 0; -EINVAL bad handle, @in->size smaller than the first
 * version of the struct or larger than this one's, reserved not 0;
 * -EOPNOTSUPP the accelerator has no event queue.
 */
int32_t
g_ipsec_la_event_hooks_register(struct g_ipsec_la_handle *handle,
				const struct g_ipsec_la_event_hooks *in);

/**
 * g_ipsec_la_error_events_config() - extension (deviation 40): which
 * per-packet error events the accelerator raises (delivered to
 * packet_error_fn) and how often: TIME at most value events of each kind
 * a second, the packets beyond counted in the next event's count (at the
 * latest a second later); COUNT one event per value offending packets.
 * The setting is the accelerator's: it needs an EXCLUSIVE handle and ends
 * with g_ipsec_la_close() of that handle. Default: no error events.
 *
 * Return: 0; -EINVAL bad handle, NULL @cfg, unknown bits, bad type or
 * value, reserved not 0; -EPERM the handle is not EXCLUSIVE;
 * -EOPNOTSUPP the accelerator has no error events; -ENODEV.
 */
int32_t
g_ipsec_la_error_events_config(struct g_ipsec_la_handle *handle,
			       const struct g_ipsec_la_error_events_cfg *cfg);

/**
 * g_ipsec_la_packet_warnings_get() - extension (deviation 41): the
 * warnings (G_IPSEC_LA_WARN_*) of the calling thread's last synchronous
 * g_ipsec_la_packet_encap()/_decap(); 0 after a call that had none or
 * failed. ASYNC calls report them in their callback's results.
 * Return: 0; -EINVAL NULL @warnings.
 */
int32_t g_ipsec_la_packet_warnings_get(uint32_t *warnings);

/**
 * g_ipsec_la_multi_sa_packet_encap() - extension (seed 004): as
 * g_ipsec_la_multi_packet_encap(), but packet i goes through
 * @sa_handles[i]; the SAs may differ from packet to packet.
 * @sa_handles: [in] num_packets outbound SA handles, none NULL.
 *
 * Return: as g_ipsec_la_multi_packet_encap(); a bad handle among them
 * refuses the whole call (-EINVAL), as does a deleted one (-ENOENT) or a
 * disabled one (-ESHUTDOWN).
 */
int32_t g_ipsec_la_multi_sa_packet_encap(
	struct g_ipsec_la_handle *handle, uint32_t flags,
	const struct g_ipsec_la_sa_handle *const sa_handles[],
	uint32_t num_packets, const struct g_ipsec_la_packet in_packets[],
	struct g_ipsec_la_packet out_packets[],
	struct g_ipsec_la_pkt_result results[],
	const struct g_ipsec_la_resp_args *resp);

/**
 * g_ipsec_la_multi_sa_packet_decap() - extension (seed 004): as
 * g_ipsec_la_multi_packet_decap(), packet i through @sa_handles[i]
 * (inbound). A NULL entry looks packet i's SA up by SPI, as
 * g_ipsec_la_packet_decap() does with a NULL handle.
 *
 * Return: as g_ipsec_la_multi_sa_packet_encap().
 */
int32_t g_ipsec_la_multi_sa_packet_decap(
	struct g_ipsec_la_handle *handle, uint32_t flags,
	const struct g_ipsec_la_sa_handle *const sa_handles[],
	uint32_t num_packets, const struct g_ipsec_la_packet in_packets[],
	struct g_ipsec_la_packet out_packets[],
	struct g_ipsec_la_pkt_result results[],
	const struct g_ipsec_la_resp_args *resp);

/**
 * g_ipsec_la_fd_get() - extension: the file descriptor that becomes
 * readable (POLLIN) when g_ipsec_la_poll() has work, for the caller's
 * epoll loop. Do not read from or close it.
 * Return: 0; -EINVAL bad handle or NULL @fd.
 */
int32_t g_ipsec_la_fd_get(struct g_ipsec_la_handle *handle, int *fd);

/**
 * g_ipsec_la_poll() - extension: run due callbacks of this accelerator
 * handle in the calling thread: deferred control responses, completed
 * ASYNC packet calls, notification hooks and the instance-broken
 * callback.
 * @timeout_ms: [in] wait up to this long for something to do when
 *              nothing is due (0 = do not wait, -1 = forever).
 *
 * Return: number of callbacks run (>= 0); -EINVAL bad handle; -ENODEV
 * the accelerator is gone and nothing was left to run.
 */
int32_t g_ipsec_la_poll(struct g_ipsec_la_handle *handle, int timeout_ms);

/* ---- Errors and buffer sizes (extensions, G_IPSEC_LA_1.1) ----------- */

/**
 * g_ipsec_la_strerror() - extension: what a g-API result means, in words.
 * @result: [in] a g-API return value or per-packet result (0 or a
 *          negative errno; a positive errno is read as its negative).
 *
 * Every errno a g-API function documents has words of this library's
 * (for a device status, those of the status table the driver also uses:
 * -EALREADY "replayed packet", -ERANGE "packet left of the replay
 * window", ...); any other errno gets the C library's. Thread-safe.
 *
 * Return: a string that stays valid; never NULL.
 */
const char *g_ipsec_la_strerror(int32_t result);

/*
 * Extension: why the calling thread's last failed call failed, as far as
 * the library knows (g_ipsec_la_last_error()).
 */
struct g_ipsec_la_error_info {
	int32_t result;	     /* the negative errno of the failure, 0: none */
	uint32_t index;	     /* SA of an sa_add batch, packet of a call */
	const char *func;    /* the g-API function the record belongs to */
	const char *field;   /* the parameter or limit at fault, as a member
			      * path ("crypto_params.auth_key_len_bits",
			      * "in_data length (max_packet_len)", "device
			      * status"), sometimes with why in parentheses;
			      * NULL when no check of the library names one */
	uint64_t value;	     /* the value given (device status: its code) */
	uint64_t limit;	     /* the bound it broke, 0 when none applies */
	uint32_t dev_status; /* VIRTIO_IPSEC_* status when the device refused,
			      * else 0 */
	uint32_t reserved0;
	const char *message; /* g_ipsec_la_strerror(result) */
	uint64_t reserved[4];
};

/**
 * g_ipsec_la_last_error() - extension: the reason of the calling thread's
 * last failure.
 * @info: [out] the record (its strings stay valid).
 *
 * g_ipsec_la_sa_add(), g_ipsec_la_sa_mod(), g_ipsec_la_sa_overhead() and
 * the four packet calls start a new record each time they are called (func names the call) and
 * fill it when they fail: the library's own SA checks name the field and,
 * for a number, the value and the bound; a device refusal gives the
 * device's status (dev_status) and, in a batch, the index; an oversized
 * packet or result gives the length (value) and max_packet_len (limit).
 * Other calls leave the record alone. Results of ASYNC packet calls are
 * per packet and do not touch it.
 *
 * Return: 0; -EINVAL @info NULL.
 */
int32_t g_ipsec_la_last_error(struct g_ipsec_la_error_info *info);

/**
 * g_ipsec_la_sa_overhead() - extension: the most bytes ESP encapsulation
 * under @sa adds to a packet.
 * @sa:       [in] SA parameters as given to g_ipsec_la_sa_add() (outbound).
 * @overhead: [out] bytes: outer IP header (tunnel), UDP header (NAT-T),
 *            ESP header, IV, the largest padding, pad length and next
 *            header, ICV.
 *
 * An output capacity of the input length + *@overhead always suffices for
 * g_ipsec_la_packet_encap(), and some input length needs all of it. The
 * result must also fit the accelerator's max_packet_len (else -EMSGSIZE).
 * Output may be the input buffer itself (in_data and out_data naming the
 * same memory, out_data's length the buffer's capacity): the input is read
 * before any output is written, on both accelerators.
 *
 * Return: 0; -EINVAL NULL argument or invalid SA parameters (as
 * g_ipsec_la_sa_add() checks them; g_ipsec_la_last_error() names the
 * field); -EOPNOTSUPP AH or IPComp.
 */
int32_t g_ipsec_la_sa_overhead(const struct g_ipsec_la_sa *sa,
			       uint32_t *overhead);

#ifdef __cplusplus
}
#endif

#endif /* G_IPSEC_LA_H */
