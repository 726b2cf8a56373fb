/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpe_core: the device side of virtio-ipsec without QEMU.
 *
 * Decodes control and data requests laid out as in
 * include/uapi/linux/virtio_ipsec.h, runs them against the SA database and
 * the ESP engine, and writes the response. The QEMU device model only moves
 * bytes between virtqueue elements and these calls, so everything that
 * parses guest input lives here, where it is unit-tested and fuzzed on the
 * host.
 *
 * Threading (engine/vipsec_queue.c has the rules in full): the control
 * calls (vpe_core_handle_ctrl, _tick, _reset, _set_features, events)
 * may come from any thread and are serialised inside; the data path
 * runs on queues (struct vpe_queue), one thread per queue at a time,
 * many queues at once, concurrently with the control calls.
 * vpe_core_handle_data() is the data path on the core's own default
 * queue: callers of it serialise among themselves as before.
 */
#ifndef VPE_CORE_H
#define VPE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <linux/virtio_ipsec.h>

struct vpe_core;

/*
 * The engine's limits on a configuration: vpe_core_new() refuses values
 * outside them. A user (the QEMU device at realize) checks its own
 * properties against them, or calls vpe_core_config_check(), so that a
 * refusal names the property and the limit instead of coming later.
 */
#define VPE_CORE_MIN_PACKET_LEN	   256u	  /* room for headers + trailer */
#define VPE_CORE_MAX_PACKET_LEN	   65535u /* an IP packet */
#define VPE_CORE_MAX_SAS	   (1u << 24)
#define VPE_CORE_MAX_GROUPS	   (1u << 16)
#define VPE_CORE_MAX_BATCH	   4096u
#define VPE_CORE_MAX_REPLAY_WINDOW (1u << 20)
#define VPE_CORE_MAX_EVENTS	   (1u << 16)
#define VPE_CORE_DEF_EVENTS	   256u /* max_events = 0 */

struct vpe_core_config {
	uint32_t max_sas;	    /* SA ids 1 .. max_sas */
	uint32_t max_groups;	    /* group ids 1 .. max_groups */
	uint32_t max_packet_len;    /* bound on in_len and out_cap */
	uint32_t max_batch;	    /* bound on num_pkts */
	uint32_t max_replay_window; /* bound on replay_window */
	const char *crypto_backend; /* "ipsec-mb", "kernel" or "auto" */
	bool allow_weak_algos;	    /* permit DES-CBC and HMAC-MD5-96 */
	uint32_t max_events;	    /* event FIFO bound; 0 = 256 */
};

/*
 * Checks cfg against the limits above. Returns false with a message in
 * err that names the field and the limit ("max_packet_len 128 is below
 * the engine's minimum 256").
 */
bool vpe_core_config_check(const struct vpe_core_config *cfg, char *err,
			   size_t err_len);

/*
 * Returns NULL and a message in err (never containing key material) when
 * the configuration is invalid (see vpe_core_config_check()) or the
 * backend cannot be set up.
 */
struct vpe_core *vpe_core_new(const struct vpe_core_config *cfg, char *err,
			      size_t err_len);
/* Zeroes all keys and frees everything. NULL is a no-op. */
void vpe_core_free(struct vpe_core *core);

/* Device feature bits (VIRTIO_IPSEC_F_*) this core offers. */
uint64_t vpe_core_features(const struct vpe_core *core);

/*
 * Features the driver acknowledged (the device model calls this when the
 * driver sets FEATURES_OK, and with 0 on reset). SA parameters and
 * operations that need a feature not negotiated get NOTSUPP, and events
 * are only queued with VIRTIO_IPSEC_F_EVENTQ. A new core starts with every
 * offered feature, for users without a negotiation (tests, the library's
 * software accelerator).
 */
void vpe_core_set_features(struct vpe_core *core, uint64_t features);

/*
 * The device clock, in seconds from any fixed origin: lifetimes in seconds
 * and SA ages count on it. Call it before control requests (SA_ADD stamps
 * the SA with the last value) and about once a second; it raises the
 * seconds expiries that are due. A value below the last one is ignored.
 */
void vpe_core_tick(struct vpe_core *core, uint64_t now_seconds);

/*
 * Event queue: true when an event waits. vpe_core_next_event() takes
 * the oldest into ev (wire format, little-endian) and returns false when
 * there is none. When events were dropped because the bounded FIFO was
 * full, the next one taken is a VIRTIO_IPSEC_EVT_LOST record counting
 * them. Pending events are dropped by vpe_core_reset() and when their
 * SA is deleted.
 */
bool vpe_core_event_pending(const struct vpe_core *core);
bool vpe_core_next_event(struct vpe_core *core, struct virtio_ipsec_event *ev);

/* Fills config space (all fields little-endian, reserved zero). */
void vpe_core_fill_config(const struct vpe_core *core,
			  struct virtio_ipsec_config *cfg);

/* Device reset: forget every SA, group and event, zeroing keys. */
void vpe_core_reset(struct vpe_core *core);

/*
 * Handle one request. req/req_len is the device-readable part, copied out
 * of guest memory; resp/resp_cap the device-writable part, whose last
 * sizeof(struct virtio_ipsec_resp_footer) bytes receive the footer.
 *
 * Returns the number of bytes of resp the device wrote (the used length),
 * or -1 when resp_cap cannot even hold the footer: a protocol violation for
 * which the caller puts the device in NEEDS_RESET. Everything else that is
 * wrong with a request is answered with an error status in the footer.
 */
ssize_t vpe_core_handle_ctrl(struct vpe_core *core, const uint8_t *req,
			     size_t req_len, uint8_t *resp, size_t resp_cap);
ssize_t vpe_core_handle_data(struct vpe_core *core, const uint8_t *req,
			     size_t req_len, uint8_t *resp, size_t resp_cap);

/*
 * A data queue: one per virtqueue / worker thread. It holds what a
 * thread's data path must not share: its crypto backend instance
 * (intel-ipsec-mb manager, AF_ALG IV pool) and scratch buffers. SAs are
 * shared by every queue of the core.
 *
 * vpe_queue_new: NULL with a message in err when out of memory or the
 * backend cannot be set up again. vpe_queue_free: NULL is a no-op; the
 * queue must be idle; free every queue before vpe_core_free(). Both take
 * the control lock (never call them from inside a request).
 */
struct vpe_queue;
struct vpe_queue *vpe_queue_new(struct vpe_core *core, char *err,
				size_t errlen);
void vpe_queue_free(struct vpe_queue *q);

/*
 * The contract of vpe_core_handle_data() on queue q. One thread at a
 * time per queue; any number of queues at once, concurrently with the
 * control calls.
 */
ssize_t vpe_queue_handle_data(struct vpe_queue *q, const uint8_t *req,
			      size_t req_len, uint8_t *resp, size_t resp_cap);

/*
 * Zero-copy form: the request's device-readable part is out (out_num
 * entries), its device-writable part in (in_num entries), e.g. a
 * virtqueue element's mapped guest buffers, which the guest may change
 * while they are read. The request header and packet descriptors are
 * copied once, and every check reads that copy; packet input is read
 * and output written in place when a packet's bytes lie in one entry,
 * through the queue's bounce buffer when they straddle entries. Same
 * return as vpe_queue_handle_data() (the used length, the whole
 * writable part, or -1 when it cannot hold the footer).
 */
ssize_t vpe_queue_handle_data_sg(struct vpe_queue *q, const struct iovec *out,
				 unsigned int out_num, const struct iovec *in,
				 unsigned int in_num);

#endif /* VPE_CORE_H */
