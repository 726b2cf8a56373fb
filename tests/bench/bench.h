/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_vm_bench: full-path figures in the guest (g-API -> driver ->
 * virtio-ipsec device -> engine) next to the guest kernel's own AF_ALG
 * rfc4106(gcm(aes)). Prints figures only; it never judges speed. It fails
 * (exit 1) only when an operation fails: figures of failing packets mean
 * nothing.
 */
#ifndef VB_BENCH_H
#define VB_BENCH_H

#include <stdint.h>

#define VB_MAX_LEN	1420	/* largest inner packet measured */
#define VB_BUF_LEN	1600	/* room for its ESP form */
#define VB_BATCH	32

extern const uint8_t vb_keymat[20];	/* AES-128 key || 4-byte salt */

uint64_t vb_now_ns(void);
/* Inner IPv4/UDP packet 10.1.0.1 -> 10.2.0.1 of @len bytes. */
void vb_packet(uint8_t *p, uint16_t len, uint8_t fill);

/* Interrupts of the virtio-ipsec device (sum of its /proc/interrupts
 * lines); -1 when the lines cannot be found. */
int vb_irq_init(void);
const char *vb_irq_what(void);
long long vb_irq_count(void);

/*
 * Row markers on the console, "VIPSEC-BENCH-MARK begin|end ID [PKTS]":
 * tests/bench/host-cpu.py reads them on the host and samples QEMU's
 * threads' CPU time from /proc, so the device path's own host cost per
 * packet is visible next to the row even under TCG.
 */
unsigned int vb_mark_begin(void);
void vb_mark_end(unsigned int id, uint64_t pkts);

/* One table row. req, irq: per packet, < 0 prints "-". */
struct vb_row {
	unsigned int id;	/* from vb_mark_begin */
	uint32_t len;
	const char *path;
	const char *dir;
	uint32_t batch;
	uint32_t depth;		/* batches in flight */
	uint64_t pkts;
	uint64_t ns;
	double req;
	double irq;
};
void vb_row_header(void);
void vb_row_print(const struct vb_row *r);

/* Each runs its measurements for about @secs per row; 0 ok, 1 failure,
 * 77 nothing to measure (no accelerator / no AF_ALG). */
int vb_gapi_run(double secs, const uint32_t *sizes, unsigned int nsizes);
int vb_afalg_run(double secs, const uint32_t *sizes, unsigned int nsizes);
int vb_vcrypto_run(double secs, const uint32_t *sizes, unsigned int nsizes);

#endif
