/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-ipsec guest driver: the device's event queue. */
#ifndef VIPSEC_EVQ_H
#define VIPSEC_EVQ_H

#include <linux/types.h>

struct vipsec_dev;

void vipsec_evq_init(struct vipsec_dev *vd);
void vipsec_evq_start(struct vipsec_dev *vd);
void vipsec_evq_callback(struct vipsec_dev *vd);
void vipsec_evq_stop(struct vipsec_dev *vd);
void vipsec_evq_retire(struct vipsec_dev *vd, u32 sa_id, bool wait);

#endif /* VIPSEC_EVQ_H */
