/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-ipsec guest driver: suspend and resume (CONFIG_PM_SLEEP). */
#ifndef VIPSEC_PM_H
#define VIPSEC_PM_H

struct virtio_device;

int vipsec_pm_freeze(struct virtio_device *vdev);
int vipsec_pm_restore(struct virtio_device *vdev);

#endif /* VIPSEC_PM_H */
