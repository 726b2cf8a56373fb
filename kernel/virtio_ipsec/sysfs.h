/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-ipsec guest driver: sysfs attributes of the class device. */
#ifndef VIPSEC_SYSFS_H
#define VIPSEC_SYSFS_H

#include <linux/sysfs.h>

const struct attribute_group **vipsec_sysfs_groups(void);

#endif /* VIPSEC_SYSFS_H */
