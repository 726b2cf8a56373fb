/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-ipsec guest driver: the device's event queue. */
#ifndef VIPSEC_EVQ_H
#define VIPSEC_EVQ_H

struct vipsec_dev;

void vipsec_evq_init(struct vipsec_dev *vd);
void vipsec_evq_start(struct vipsec_dev *vd);
void vipsec_evq_callback(struct vipsec_dev *vd);
void vipsec_evq_stop(struct vipsec_dev *vd);

#endif /* VIPSEC_EVQ_H */
