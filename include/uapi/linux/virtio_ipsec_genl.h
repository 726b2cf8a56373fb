/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * virtio-ipsec: generic netlink family of the guest driver, for monitors
 * and IKE daemons that want to see every accelerator's events without
 * holding its character device.
 *
 * Family VIPSEC_GENL_NAME ("virtio_ipsec"), version VIPSEC_GENL_VERSION,
 * one multicast group VIPSEC_GENL_MCGRP_EVENTS ("events"). Listeners
 * join the group (needs CAP_NET_ADMIN: the messages name every tenant's
 * SAs and owners; without it the join fails with EPERM) and receive:
 *
 *   VIPSEC_GENL_CMD_ACCEL_ADD      an accelerator was probed
 *   VIPSEC_GENL_CMD_ACCEL_DEL      an accelerator was removed (hot-unplug,
 *                                  unbind, rmmod)
 *     attributes: ACCEL_NAME, ACCEL_ID
 *
 *   VIPSEC_GENL_CMD_EVENT          an SA event from the device's event
 *                                  queue, also delivered as a struct
 *                                  vipsec_event to the owning file
 *     attributes: ACCEL_NAME, ACCEL_ID, EVENT (VIPSEC_EV_* of
 *     <linux/virtio_ipsec_dev.h>), and, for events about one SA, the
 *     owner's identity: APP_IDENTITY (the app_identity the owning file
 *     claimed with), GROUP_ID, SA_ID, SPI; then SEQ (sequence number at
 *     the event), BYTES, PACKETS (processed by the SA so far; for
 *     VIPSEC_EV_LOST, PACKETS counts the events the device dropped) and
 *     LIMIT (VIRTIO_IPSEC_LIMIT_* of an expiry).
 *
 * One request command, for operators (needs CAP_NET_ADMIN):
 *
 *   VIPSEC_GENL_CMD_SA_GET with NLM_F_DUMP (no attributes)
 *                                  one message per SA of every accelerator,
 *                                  whoever owns it, like `ip xfrm state`:
 *     attributes: ACCEL_NAME, ACCEL_ID, GROUP_ID, GROUP_NAME (not for the
 *     shared default group 0), SA_ID, SPI, DIRECTION, APP_IDENTITY (the
 *     owner's); then, when the device answered SA_GET for it (feature
 *     VIRTIO_IPSEC_F_SA_GET, device not suspended), SEQ (outbound: last
 *     used; inbound: highest seen), AGE (seconds since added) and STATS,
 *     the device's counters nested as VIPSEC_GENL_STAT_*. Never any key.
 *
 * Attribute types:
 *   ACCEL_NAME, APP_IDENTITY, GROUP_NAME   NLA_NUL_STRING
 *   ACCEL_ID, GROUP_ID, SA_ID, SPI   NLA_U32 (SPI as a host-order value)
 *   EVENT, LIMIT               NLA_U16
 *   DIRECTION                  NLA_U8 (VIRTIO_IPSEC_DIR_* of
 *                              <linux/virtio_ipsec.h>)
 *   SEQ, BYTES, PACKETS, AGE   NLA_U64 (64-bit aligned with PAD)
 *   STATS                      NLA_NESTED of NLA_U64 VIPSEC_GENL_STAT_*
 *                              (the fields of struct virtio_ipsec_sa_stats,
 *                              in order; aligned with VIPSEC_GENL_STAT_PAD)
 * Attributes may be added at the end; listeners ignore unknown ones.
 */
#ifndef _UAPI_LINUX_VIRTIO_IPSEC_GENL_H
#define _UAPI_LINUX_VIRTIO_IPSEC_GENL_H

#define VIPSEC_GENL_NAME		"virtio_ipsec"
#define VIPSEC_GENL_VERSION		1
#define VIPSEC_GENL_MCGRP_EVENTS	"events"

enum vipsec_genl_cmd {
	VIPSEC_GENL_CMD_UNSPEC,
	VIPSEC_GENL_CMD_EVENT,
	VIPSEC_GENL_CMD_ACCEL_ADD,
	VIPSEC_GENL_CMD_ACCEL_DEL,
	VIPSEC_GENL_CMD_SA_GET,
	__VIPSEC_GENL_CMD_MAX,
};

#define VIPSEC_GENL_CMD_MAX	(__VIPSEC_GENL_CMD_MAX - 1)

enum vipsec_genl_attr {
	VIPSEC_GENL_A_UNSPEC,
	VIPSEC_GENL_A_PAD,
	VIPSEC_GENL_A_ACCEL_NAME,
	VIPSEC_GENL_A_ACCEL_ID,
	VIPSEC_GENL_A_EVENT,
	VIPSEC_GENL_A_APP_IDENTITY,
	VIPSEC_GENL_A_GROUP_ID,
	VIPSEC_GENL_A_SA_ID,
	VIPSEC_GENL_A_SPI,
	VIPSEC_GENL_A_SEQ,
	VIPSEC_GENL_A_BYTES,
	VIPSEC_GENL_A_PACKETS,
	VIPSEC_GENL_A_LIMIT,
	VIPSEC_GENL_A_GROUP_NAME,
	VIPSEC_GENL_A_DIRECTION,
	VIPSEC_GENL_A_AGE,
	VIPSEC_GENL_A_STATS,
	__VIPSEC_GENL_A_MAX,
};

#define VIPSEC_GENL_A_MAX	(__VIPSEC_GENL_A_MAX - 1)

/* Inside VIPSEC_GENL_A_STATS: struct virtio_ipsec_sa_stats, field by field. */
enum vipsec_genl_stat {
	VIPSEC_GENL_STAT_UNSPEC,
	VIPSEC_GENL_STAT_PAD,
	VIPSEC_GENL_STAT_PACKETS,
	VIPSEC_GENL_STAT_BYTES,
	VIPSEC_GENL_STAT_INVALID_PKT,
	VIPSEC_GENL_STAT_INVALID_PAD,
	VIPSEC_GENL_STAT_INVALID_SPI,
	VIPSEC_GENL_STAT_INVALID_SEQ,
	VIPSEC_GENL_STAT_REPLAY,
	VIPSEC_GENL_STAT_LATE,
	VIPSEC_GENL_STAT_INVALID_ICV,
	VIPSEC_GENL_STAT_SEQ_OVERFLOW,
	VIPSEC_GENL_STAT_CRYPTO_FAILED,
	VIPSEC_GENL_STAT_NO_ROOM,
	VIPSEC_GENL_STAT_HARD_EXPIRED,
	VIPSEC_GENL_STAT_SELECTOR,
	__VIPSEC_GENL_STAT_MAX,
};

#define VIPSEC_GENL_STAT_MAX	(__VIPSEC_GENL_STAT_MAX - 1)

#endif /* _UAPI_LINUX_VIRTIO_IPSEC_GENL_H */
