// SPDX-License-Identifier: BSD-3-Clause
/*
 * Device status codes (VIRTIO_IPSEC_*) to the negative errnos the g-API
 * documents in g_ipsec_la.h.
 */
#include <errno.h>

#include "internal.h"

/* Per-packet status of an encap/decap. */
int gla_pkt_status_to_errno(uint32_t status)
{
	switch (status) {
	case VIRTIO_IPSEC_OK:
	case VIRTIO_IPSEC_SOFT_EXPIRY:	return 0;
	case VIRTIO_IPSEC_BADMSG:	return -EBADMSG;
	case VIRTIO_IPSEC_REPLAY:	return -EALREADY;
	case VIRTIO_IPSEC_LATE:		return -ERANGE;
	case VIRTIO_IPSEC_INVSA:	return -ENOENT;
	case VIRTIO_IPSEC_INVGROUP:	return -ENOENT;
	case VIRTIO_IPSEC_DST_TOO_SMALL: return -ENOSPC;
	case VIRTIO_IPSEC_BADPKT:	return -EPROTO;
	case VIRTIO_IPSEC_BADPROTO:	return -EPROTONOSUPPORT;
	case VIRTIO_IPSEC_SELECTOR:	return -EACCES;
	case VIRTIO_IPSEC_HARD_EXPIRED:	return -EKEYEXPIRED;
	case VIRTIO_IPSEC_SEQ_OVERFLOW:	return -EOVERFLOW;
	case VIRTIO_IPSEC_NOTSUPP:	return -EOPNOTSUPP;
	case VIRTIO_IPSEC_INVAL:	return -EINVAL;
	default:			return -EIO;
	}
}

/* Status of a control request (SA add, group create ...). */
int gla_ctrl_status_to_errno(uint32_t status)
{
	switch (status) {
	case VIRTIO_IPSEC_OK:		return 0;
	case VIRTIO_IPSEC_NOTSUPP:	return -EOPNOTSUPP;
	case VIRTIO_IPSEC_INVSA:	return -ENOENT;
	case VIRTIO_IPSEC_INVGROUP:	return -ENOENT;
	case VIRTIO_IPSEC_NOSPC:	return -ENOSPC;
	case VIRTIO_IPSEC_KEY_REJECT:	return -EKEYREJECTED;
	case VIRTIO_IPSEC_EXISTS:	return -EEXIST;
	case VIRTIO_IPSEC_BUSY:		return -EBUSY;
	case VIRTIO_IPSEC_INVAL:	return -EINVAL;
	default:			return -EIO;
	}
}
