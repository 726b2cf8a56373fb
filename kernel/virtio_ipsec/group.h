/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-ipsec guest driver: groups owned by an open file. */
#ifndef VIPSEC_GROUP_H
#define VIPSEC_GROUP_H

#include <linux/compiler_types.h>
#include <linux/types.h>

struct vipsec_file;
struct vipsec_ctrl_out_ops;

long vipsec_ioctl_group_create(struct vipsec_file *f, void *arg,
			       void __user *uarg);
/* GROUP_CREATE through VIPSEC_IOC_CTRL_ASYNC (ctrl_async.h) */
extern const struct vipsec_ctrl_out_ops vipsec_group_create_async;
long vipsec_ioctl_group_destroy(struct vipsec_file *f, void *arg,
				void __user *uarg);
bool vipsec_file_owns_group(struct vipsec_file *f, u32 group_id);
void vipsec_group_delete_all(struct vipsec_file *f);

#endif /* VIPSEC_GROUP_H */
