/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-ipsec guest driver: the device's per-packet error event limit. */
#ifndef VIPSEC_ELIMIT_H
#define VIPSEC_ELIMIT_H

#include <linux/types.h>

struct vipsec_dev;
struct vipsec_file;

long vipsec_ioctl_event_limit(struct vipsec_file *f, void *arg,
			      void __user *uarg);
void vipsec_elimit_release(struct vipsec_file *f);
int vipsec_elimit_restore(struct vipsec_dev *vd);

#endif /* VIPSEC_ELIMIT_H */
