/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-ipsec guest driver: VIPSEC_IOC_XFORM. */
#ifndef VIPSEC_XFORM_H
#define VIPSEC_XFORM_H

#include <linux/compiler_types.h>

struct vipsec_async;
struct vipsec_event;
struct vipsec_file;

long vipsec_ioctl_xform(struct vipsec_file *f, void *arg, void __user *uarg);
void vipsec_async_deliver(struct vipsec_async *a, struct vipsec_event *ev);
void vipsec_async_free(struct vipsec_async *a);
bool vipsec_xform_sync(struct vipsec_file *f);

#endif /* VIPSEC_XFORM_H */
