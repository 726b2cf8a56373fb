/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-ipsec guest driver: /dev/virtio-ipsec<N> and per-file state. */
#ifndef VIPSEC_CHARDEV_H
#define VIPSEC_CHARDEV_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct vipsec_dev;

/*
 * One open file. claim_mode, app_identity and node are under vd->lock;
 * groups and sas are changed under lock (reads may use xa_load alone).
 */
struct vipsec_file {
	struct vipsec_dev *vd;		/* holds a reference */
	struct list_head node;		/* on vd->files */
	u32 claim_mode;			/* 0 or VIPSEC_MODE_* */
	char app_identity[64];
	struct mutex lock;		/* serialises group/SA changes */
	struct xarray groups;		/* group id -> xa_mk_value(0) */
	struct xarray sas;		/* SA id -> xa_mk_value(group id) */
};

int vipsec_chardev_init(void);
void vipsec_chardev_exit(void);
int vipsec_chardev_add(struct vipsec_dev *vd);
void vipsec_chardev_del(struct vipsec_dev *vd);

int vipsec_copy_arg(void *karg, size_t ksize, void __user *uarg);
int vipsec_copy_arg_out(void __user *uarg, const void *karg, size_t ksize);
bool vipsec_mem_is_zero(const void *p, size_t len);

#endif /* VIPSEC_CHARDEV_H */
