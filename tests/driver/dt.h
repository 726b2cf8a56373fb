/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-guest tests of the virtio-ipsec driver through its char device:
 * SA_MOD/SA_GET/SA_FLUSH ownership, asynchronous XFORM with read()/poll(),
 * device events, sysfs counters, freeze/restore replay and hot-unplug,
 * and tenants against each other (suite_tenant.c, partly unprivileged).
 */
#ifndef VIPSEC_DT_H
#define VIPSEC_DT_H

#include <check.h>
#include <stdint.h>
#include <linux/virtio_ipsec_dev.h>

#define DT_PKT_LEN	200
#define DT_ESP_CAP	512

extern struct vipsec_info dt_info;	/* of the first accelerator */

int dt_io(int fd, unsigned long req, void *arg);	/* 0 or -errno */
const char *dt_dev_path(void);
int dt_open(const char *app);		/* open + shared claim */
int dt_has(unsigned int feature);	/* negotiated VIRTIO_IPSEC_F_* */
void dt_sa_params(struct virtio_ipsec_sa_params *w, uint32_t spi, int outbound);
uint32_t dt_sa_add(int fd, uint32_t group, const struct virtio_ipsec_sa_params *w);
uint32_t dt_add_out(int fd, uint32_t group, uint32_t spi);
uint32_t dt_group_create(int fd, const char *name);
void dt_build_packet(uint8_t *p, uint16_t len, uint8_t fill);

/* one encap batch of n packets on sa; per-packet arrays owned by caller */
struct dt_batch {
	uint32_t n;
	struct vipsec_pkt pkt[64];
	struct vipsec_seg in[64], out[64];
	uint8_t data[64][DT_PKT_LEN];
	uint8_t esp[64][DT_ESP_CAP];
	struct vipsec_xform xf;
};
void dt_batch_init(struct dt_batch *b, uint32_t group, uint32_t sa, uint32_t n,
		   uint32_t flags, uint64_t user_data);
int dt_batch_run(int fd, struct dt_batch *b);	/* ioctl: 0 or -errno */

/* one packet; the device status (VIRTIO_IPSEC_*) or -errno of the ioctl */
int dt_decap(int fd, uint32_t group, uint32_t sa, const uint8_t *esp,
	     uint32_t len, uint32_t *seq_lo);

uint64_t dt_sysfs_u64(const char *attr);
void dt_kmsg_mark(void);
void dt_kmsg_check(void);			/* fail on splats */
int dt_kmsg_seen(const char *needle);		/* since mark, no consume */

int dt_genl_open(int *family);	/* joined to "events" */
int dt_genl_try_join(void);	/* 0 or -errno, no asserts */
int dt_genl_next(int s, int family, int ms, int attr, char *name, size_t len);
int dt_genl_sa_dump(int family, uint32_t spi, char *owner, size_t len,
		    int *has_stats, const uint8_t *secret);	/* SAs or -errno */

Suite *suite_sa(void);
Suite *suite_async(void);
Suite *suite_pm(void);
Suite *suite_harden(void);
Suite *suite_faults(void);
Suite *suite_tenant(void);
Suite *suite_zc(void);

/*
 * Runs fn(arg) in a child as uid/gid 65534 without supplementary groups
 * or capabilities; returns its exit status (fn's return value), or -1.
 */
int dt_unprivileged(int (*fn)(void *), void *arg);

#endif
