/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_migrate: the complete state of a core (groups, SAs with their
 * keys, sequence numbers, replay windows, lifetimes, statistics, pending
 * events, the clock and the negotiated features) as one self-describing,
 * versioned byte stream, for live migration and snapshots of the device.
 *
 * The stream holds keys in the clear: whoever carries it must protect it
 * (QEMU: migration over TLS), and every buffer that held it must be
 * zeroed (vpe_mig_free()).
 *
 * Layout (all integers little-endian; docs/virtio-ipsec-device.md has
 * the field tables):
 *   header  magic "VIPSECMG", u16 version, u16 header length (24),
 *           u32 body length, u32 CRC-32 of the body, u32 reserved (0)
 *   body    records: u16 tag, u16 flags, u32 payload length, payload.
 *           CORE first (exactly once), then at most one ELIM, GROUP and
 *           SA records, then one EVQ. A record with flag VPE_MIG_F_OPTIONAL and a
 *           tag this version does not know is skipped; any other unknown
 *           tag refuses the stream.
 *
 * Compatibility: a reader accepts every version from 1 up to its own
 * (VPE_MIG_VERSION) and refuses newer ones; a writer always writes
 * its own. Additions that an older reader may ignore go into OPTIONAL
 * records; anything else bumps the version.
 */
#ifndef VPE_MIGRATE_H
#define VPE_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vpe_core;

/*
 * 2: error events (types 7-10) in the EVQ record, the ELIM record, SA
 * ages beyond the clock (SA_MOD LIFETIME); SA state flag
 * VPE_ST_DISABLED (SA_MOD DISABLE), and SA parameters may carry
 * path_mtu / frag_mode, which a version 1 reader refuses.
 */
#define VPE_MIG_VERSION 2u

/* Record tags and flags */
#define VPE_MIG_CORE	   1u
#define VPE_MIG_GROUP	   2u
#define VPE_MIG_SA	   3u
#define VPE_MIG_EVQ	   4u
#define VPE_MIG_ELIM	   5u /* EVENT_LIMIT, when set (version 2) */
#define VPE_MIG_F_OPTIONAL 0x0001u

/*
 * True when the core holds nothing a migration must carry: no SA, no group
 * but the default, no pending event (the clock and the features alone
 * matter to nobody then; the device sends no engine state at all).
 */
bool vpe_mig_idle(const struct vpe_core *core);

/*
 * Size of the stream vpe_mig_export() writes for the core as it is
 * now; 0 when it would not fit a size_t.
 */
size_t vpe_mig_size(const struct vpe_core *core);

/*
 * Largest stream vpe_mig_import() can accept on this core (its own
 * limits: max_sas, max_groups, max_replay_window, the event FIFO), so a
 * receiver can refuse an absurd length before allocating for it.
 * Saturates at SIZE_MAX.
 */
size_t vpe_mig_max_size(const struct vpe_core *core);

/*
 * Writes the stream into buf (cap bytes, at least vpe_mig_size()).
 * Returns the bytes written, or 0 when cap is too small. The core is not
 * changed.
 */
size_t vpe_mig_export(const struct vpe_core *core, uint8_t *buf, size_t cap);

/*
 * Allocates and fills a stream; *len gets its length. NULL on no memory.
 * Free it with vpe_mig_free().
 */
uint8_t *vpe_mig_export_alloc(const struct vpe_core *core, size_t *len);

/* Zeroes (explicit_bzero) and frees a stream buffer. NULL is a no-op. */
void vpe_mig_free(uint8_t *buf, size_t len);

/*
 * Rebuilds the state of a stream in core, which must be empty (new or
 * reset: no SA, no group but the default, no pending event). The stream is
 * untrusted: every count, length and value is checked, every SA goes
 * through the same validation as a guest's SA_ADD against this core's
 * limits and backend, and the configuration the source's guest relies on
 * (max_sas, max_groups, max_replay_window, max_packet_len, max_batch,
 * negotiated features) must fit this core's. Returns 0, or -1 with a
 * message in err naming the problem (never key material); on failure the
 * core is left empty, as it was. The caller zeroes buf.
 */
int vpe_mig_import(struct vpe_core *core, const uint8_t *buf, size_t len,
		   char *err, size_t err_len);

#endif /* VPE_MIGRATE_H */
