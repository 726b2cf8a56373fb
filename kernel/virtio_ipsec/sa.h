/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-ipsec guest driver: SAs owned by an open file. */
#ifndef VIPSEC_SA_H
#define VIPSEC_SA_H

#include <linux/compiler_types.h>
#include <linux/types.h>

struct vipsec_file;
struct vipsec_ctrl_out_ops;

long vipsec_ioctl_sa_add(struct vipsec_file *f, void *arg, void __user *uarg);
long vipsec_ioctl_sa_del(struct vipsec_file *f, void *arg, void __user *uarg);
long vipsec_ioctl_sa_mod(struct vipsec_file *f, void *arg, void __user *uarg);
long vipsec_ioctl_sa_get(struct vipsec_file *f, void *arg, void __user *uarg);
long vipsec_ioctl_sa_flush(struct vipsec_file *f, void *arg,
			   void __user *uarg);
/* SA_ADD and SA_GET through VIPSEC_IOC_CTRL_ASYNC (ctrl_async.h) */
extern const struct vipsec_ctrl_out_ops vipsec_sa_add_async;
extern const struct vipsec_ctrl_out_ops vipsec_sa_get_async;
bool vipsec_file_owns_sa(struct vipsec_file *f, u32 group_id, u32 sa_id);
/* f->sas mark: SA_MOD DISABLE began (sa.c); its batches get -ESHUTDOWN */
#define VIPSEC_SA_DISABLED	XA_MARK_1
bool vipsec_sa_disabled(struct vipsec_file *f, u32 sa_id);
void vipsec_sa_delete_all(struct vipsec_file *f);

#endif /* VIPSEC_SA_H */
