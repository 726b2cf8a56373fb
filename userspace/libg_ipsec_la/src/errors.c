// SPDX-License-Identifier: BSD-3-Clause
/*
 * Device status codes (VIRTIO_IPSEC_*) to the negative errnos the g-API
 * documents in g_ipsec_la.h, read from the one table the guest driver
 * also uses (<linux/virtio_ipsec_status.h>), so the kernel path and the
 * software accelerator report the same errno for the same status.
 */
#include <errno.h>
#include <linux/virtio_ipsec_status.h>

#include "internal.h"

_Static_assert(VIPSEC_STATUS_TABLE_VALID,
	       "virtio_ipsec_status.h out of step with virtio_ipsec.h");

#define GLA_STATUS_ERRNO(name, value, err, msg) [VIRTIO_IPSEC_##name] = -(err),
static const int gla_status_errno[VIPSEC_STATUS_COUNT] = { VIPSEC_STATUS_TABLE(
	GLA_STATUS_ERRNO) };

/* Unknown values are a device bug: -EIO. */
static int gla_status_to_errno(uint32_t status)
{
	return status < VIPSEC_STATUS_COUNT ? gla_status_errno[status] : -EIO;
}

/*
 * Per-packet status of an encap/decap, and the status of a control
 * request (SA add, group create ...): the same table, one errno per
 * status on both paths (the table's comment says why none needs two).
 * Two entry points because the callers name the path they are on.
 */
int gla_pkt_status_to_errno(uint32_t status)
{
	return gla_status_to_errno(status);
}

int gla_ctrl_status_to_errno(uint32_t status)
{
	return gla_status_to_errno(status);
}
