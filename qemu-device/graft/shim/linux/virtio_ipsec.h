/*
 * The engine's header includes the uAPI header as <linux/virtio_ipsec.h>.
 * Inside QEMU the uAPI header lives in include/standard-headers/ (imported
 * by scripts/build-qemu.sh the way scripts/update-linux-headers.sh does),
 * so both the device and the engine header see one definition.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "standard-headers/linux/virtio_ipsec.h"
