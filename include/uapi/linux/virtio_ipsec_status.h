/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * virtio-ipsec: device status -> errno, the one table.
 *
 * Every layer that turns a device status (VIRTIO_IPSEC_*, in a response
 * footer or in a per-packet result) into an errno reads this list: the
 * guest driver (kernel/virtio_ipsec/ctrl.c, for control requests and for
 * a data request refused as a whole) and libg_ipsec_la (src/errors.c, for
 * per-packet results and for a control request's dev_status). The g-API
 * documents the per-packet errnos (g_ipsec_la.h); the device spec's status
 * section (docs/virtio-ipsec-device.md) points here.
 *
 * Why a header of its own next to the char-device ABI and not in
 * virtio_ipsec.h: that header is the device's ABI, imported as-is by the
 * QEMU device, and errnos are a Linux matter the device must not depend
 * on. The errnos here are part of the driver <-> user-space contract, like
 * virtio_ipsec_dev.h, and both sides already search include/uapi.
 *
 * Columns: X(name, value, errno, message)
 *   name     VIRTIO_IPSEC_<name> in virtio_ipsec.h
 *   value    its value; checked against virtio_ipsec.h at compile time
 *            (VIPSEC_STATUS_TABLE_VALID), so a renumbering cannot go unseen
 *   errno    the positive errno; users negate it. 0: success
 *   message  short text for logs and tools (the library has no
 *            strerror of its own; these shorten the spec's meanings)
 *
 * One errno per status, for every path. No status needs two: the ones
 * only a packet can get (REPLAY, LATE, DST_TOO_SMALL, BADPKT, BADPROTO,
 * SELECTOR, ...) never answer a control request, and the ones only a
 * control request gets (NOSPC, KEY_REJECT, EXISTS, BUSY) never come per
 * packet, so the one errno two statuses share across paths, ENOSPC
 * (NOSPC: table full; DST_TOO_SMALL: output area too small, needed size
 * in out_len), cannot be confused by its caller. REPLAY (EALREADY) and
 * LATE (ERANGE) differ on purpose: a duplicate is harmless, a packet left
 * of the window may mean the peer restarted its sequence numbers.
 * A value not listed is a device bug: the driver breaks the device, user
 * space gets EIO.
 */
#ifndef _UAPI_LINUX_VIRTIO_IPSEC_STATUS_H
#define _UAPI_LINUX_VIRTIO_IPSEC_STATUS_H

#include <linux/errno.h>
#include <linux/virtio_ipsec.h>

#define VIPSEC_STATUS_TABLE(X)						\
	X(OK,		 0, 0,			"success")			\
	X(ERR,		 1, EIO,		"device-internal failure")	\
	X(BADMSG,	 2, EBADMSG,		"ICV mismatch")			\
	X(NOTSUPP,	 3, EOPNOTSUPP,		"not supported")		\
	X(INVSA,	 4, ENOENT,		"unknown SA")			\
	X(NOSPC,	 5, ENOSPC,		"SA or group table full")	\
	X(KEY_REJECT,	 6, EKEYREJECTED,	"key refused")			\
	X(SOFT_EXPIRY,	 7, 0,			"success, soft lifetime reached") \
	X(REPLAY,	 8, EALREADY,		"replayed packet")		\
	X(HARD_EXPIRED,	 9, EKEYEXPIRED,	"SA hard lifetime reached")	\
	X(SEQ_OVERFLOW,	10, EOVERFLOW,		"sequence number overflow")	\
	X(DST_TOO_SMALL, 11, ENOSPC,		"output area too small")	\
	X(BADPKT,	12, EPROTO,		"malformed packet")		\
	X(BADPROTO,	13, EPROTONOSUPPORT,	"not ESP or wrong SPI")		\
	X(LATE,		14, ERANGE,		"packet left of the replay window") \
	X(INVGROUP,	15, ENOENT,		"unknown group")		\
	X(EXISTS,	16, EEXIST,		"id or SPI in use")		\
	X(BUSY,		17, EBUSY,		"group still has SAs")		\
	X(INVAL,	18, EINVAL,		"malformed request")		\
	X(SELECTOR,	19, EACCES,		"packet outside the SA selector") \
	X(MTU,		20, EMSGSIZE,		"packet exceeds the SA's path MTU") \
	X(DISABLED,	21, ESHUTDOWN,		"SA disabled")

/* Statuses 0 .. VIPSEC_STATUS_COUNT - 1 exist; the table has no gaps. */
#define VIPSEC_STATUS_COUNT	22

/*
 * VIPSEC_STATUS_TABLE_VALID is true when every row's value is the uAPI's
 * and the rows are VIPSEC_STATUS_COUNT distinct values below it, so an
 * array indexed by status has no hole (a hole would read as errno 0,
 * success). Each user asserts it at compile time (static_assert()).
 */
#define VIPSEC_STATUS_SAME(name, value, err, msg)	(VIRTIO_IPSEC_##name == (value)) &&
#define VIPSEC_STATUS_ONE(name, value, err, msg)	+ 1
#define VIPSEC_STATUS_BIT(name, value, err, msg)	| (1ULL << (value))
#define VIPSEC_STATUS_TABLE_VALID					\
	((VIPSEC_STATUS_TABLE(VIPSEC_STATUS_SAME) 1) &&			\
	 (0 VIPSEC_STATUS_TABLE(VIPSEC_STATUS_ONE)) == VIPSEC_STATUS_COUNT && \
	 (0 VIPSEC_STATUS_TABLE(VIPSEC_STATUS_BIT)) ==			\
	 (1ULL << VIPSEC_STATUS_COUNT) - 1)

#endif /* _UAPI_LINUX_VIRTIO_IPSEC_STATUS_H */
