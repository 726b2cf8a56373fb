// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: EVENT_LIMIT, which per-packet error events
 * (authentication failure, replay, wrong SPI, bad padding) the device
 * raises and how often (VIRTIO_IPSEC_F_ERR_EVENTS).
 *
 * The setting is the device's, not a group's: only a file holding an
 * exclusive claim may change it, and it ends with that file (the next
 * owner starts with no error events, as after a reset). The driver keeps
 * the last setting so that restore (pm.c) puts it back on the reset
 * device.
 */

#include <linux/virtio_ipsec_dev.h>

#include "chardev.h"
#include "ctrl.h"
#include "elimit.h"
#include "main.h"

/* The driver's own check, before the device's (which repeats it). */
static bool vipsec_elimit_valid(const struct virtio_ipsec_event_limit *l)
{
	u32 events = le32_to_cpu(l->events), value = le32_to_cpu(l->value);

	if (events & ~VIRTIO_IPSEC_ELIM_EVENTS ||
	    !vipsec_mem_is_zero(l->reserved0, sizeof(l->reserved0)) ||
	    !vipsec_mem_is_zero(l->reserved, sizeof(l->reserved)))
		return false;
	if (!events)
		return !l->scope && !l->type && !value;
	if (l->scope > VIRTIO_IPSEC_ELIM_PER_DEVICE)
		return false;
	if (l->type == VIRTIO_IPSEC_ELIM_TIME)
		return value >= 1 && value <= VIRTIO_IPSEC_ELIM_MAX_RATE;
	if (l->type == VIRTIO_IPSEC_ELIM_COUNT)
		return value >= 1 && value <= VIRTIO_IPSEC_ELIM_MAX_COUNT;
	return false;
}

/* Sends @l and records it. Must hold vd->tab_lock. */
static int vipsec_elimit_send(struct vipsec_dev *vd,
			      const struct virtio_ipsec_event_limit *l,
			      struct vipsec_file *owner)
{
	struct vipsec_ctrl_msg m = {
		.opcode = VIRTIO_IPSEC_OP_EVENT_LIMIT,
		.body = l,
		.body_len = sizeof(*l),
	};
	u8 st;
	int err;

	lockdep_assert_held(&vd->tab_lock);
	err = vipsec_ctrl_exec(vd, &m, &st);
	if (err)
		return err;
	vd->elimit = *l;
	vd->elimit_owner = l->events ? owner : NULL;
	return 0;
}

long vipsec_ioctl_event_limit(struct vipsec_file *f, void *arg,
			      void __user *uarg)
{
	struct vipsec_event_limit *a = arg;
	struct vipsec_dev *vd = f->vd;
	u32 mode;
	int err;

	if (a->flags || !vipsec_elimit_valid(&a->limit))
		return -EINVAL;
	mutex_lock(&vd->lock);
	mode = f->claim_mode;
	mutex_unlock(&vd->lock);
	if (mode != VIPSEC_MODE_EXCLUSIVE)
		return -EPERM;
	mutex_lock(&vd->tab_lock);
	err = vipsec_elimit_send(vd, &a->limit, f);
	mutex_unlock(&vd->tab_lock);
	return err;
}

/*
 * close(): the setting of the file going away ends with it. Must hold
 * vd->remove_sem (read).
 */
void vipsec_elimit_release(struct vipsec_file *f)
{
	struct virtio_ipsec_event_limit off = {};
	struct vipsec_dev *vd = f->vd;

	lockdep_assert_held(&vd->remove_sem);
	mutex_lock(&vd->tab_lock);
	if (vd->elimit_owner == f) {
		/* a device that is gone or refuses has no setting to keep */
		if (vd->gone || vd->frozen ||
		    vipsec_elimit_send(vd, &off, NULL)) {
			vd->elimit = off;
			vd->elimit_owner = NULL;
		}
	}
	mutex_unlock(&vd->tab_lock);
}

/*
 * Restore: the reset device raises no error events until told again.
 * Must hold vd->tab_lock.
 */
int vipsec_elimit_restore(struct vipsec_dev *vd)
{
	lockdep_assert_held(&vd->tab_lock);
	if (!vd->elimit.events)
		return 0;
	return vipsec_elimit_send(vd, &vd->elimit, vd->elimit_owner);
}
