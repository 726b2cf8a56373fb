/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-ipsec guest driver: generic netlink family "virtio_ipsec". */
#ifndef VIPSEC_GENL_H
#define VIPSEC_GENL_H

#include <linux/types.h>

struct vipsec_dev;
struct vipsec_event;

/* The identity of an SA event's owner, as multicast. */
struct vipsec_genl_owner {
	const char *app_identity;	/* NULL: not about one SA */
	u32 spi;
	u16 limit;
	u64 bytes;
	u64 packets;
};

int vipsec_genl_init(void);
void vipsec_genl_exit(void);
void vipsec_genl_accel(struct vipsec_dev *vd, bool added);
void vipsec_genl_event(struct vipsec_dev *vd, const struct vipsec_event *ev,
		       const struct vipsec_genl_owner *o);

#endif /* VIPSEC_GENL_H */
