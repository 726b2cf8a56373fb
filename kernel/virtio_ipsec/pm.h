/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-ipsec guest driver: SA state across freeze/restore. */
#ifndef VIPSEC_PM_H
#define VIPSEC_PM_H

struct vipsec_dev;
struct vipsec_sa;

void vipsec_pm_save_windows(struct vipsec_dev *vd);
int vipsec_pm_restore_window(struct vipsec_dev *vd, struct vipsec_sa *sa);
bool vipsec_pm_charge_lifetime(struct vipsec_dev *vd, struct vipsec_sa *sa);
void vipsec_pm_report_lost(struct vipsec_dev *vd, unsigned int lost, int err);

#endif /* VIPSEC_PM_H */
