// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: generic netlink family "virtio_ipsec".
 *
 * Multicast only (see <linux/virtio_ipsec_genl.h> for the messages): an
 * IKE daemon or a monitor learns of accelerators coming and going and of
 * every SA event with its owner's identity. Sending never fails a caller:
 * with no listener or no memory the message is dropped.
 */

#include <linux/virtio_ipsec_dev.h>
#include <linux/virtio_ipsec_genl.h>
#include <net/genetlink.h>

#include "genl.h"
#include "main.h"

static const struct genl_multicast_group vipsec_genl_mcgrps[] = {
	{ .name = VIPSEC_GENL_MCGRP_EVENTS, },
};

static struct genl_family vipsec_genl_family __ro_after_init = {
	.name = VIPSEC_GENL_NAME,
	.version = VIPSEC_GENL_VERSION,
	.maxattr = VIPSEC_GENL_A_MAX,
	.module = THIS_MODULE,
	.mcgrps = vipsec_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(vipsec_genl_mcgrps),
};

static bool vipsec_genl_registered;

int vipsec_genl_init(void)
{
	int err = genl_register_family(&vipsec_genl_family);

	vipsec_genl_registered = !err;
	return err;
}

void vipsec_genl_exit(void)
{
	if (vipsec_genl_registered)
		genl_unregister_family(&vipsec_genl_family);
	vipsec_genl_registered = false;
}

static struct sk_buff *vipsec_genl_new(struct vipsec_dev *vd, u8 cmd,
				       void **hdr)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&vipsec_genl_family, &init_net, 0))
		return NULL;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &vipsec_genl_family, 0, cmd);
	if (!*hdr ||
	    nla_put_string(skb, VIPSEC_GENL_A_ACCEL_NAME, vd->name) ||
	    nla_put_u32(skb, VIPSEC_GENL_A_ACCEL_ID, vd->id)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void vipsec_genl_send(struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&vipsec_genl_family, skb, 0, 0, GFP_KERNEL);
}

/* Process context. */
void vipsec_genl_accel(struct vipsec_dev *vd, bool added)
{
	struct sk_buff *skb;
	void *hdr;

	skb = vipsec_genl_new(vd, added ? VIPSEC_GENL_CMD_ACCEL_ADD :
					  VIPSEC_GENL_CMD_ACCEL_DEL, &hdr);
	if (skb)
		vipsec_genl_send(skb, hdr);
}

/* Process context (the event-queue work). */
void vipsec_genl_event(struct vipsec_dev *vd, const struct vipsec_event *ev,
		       const struct vipsec_genl_owner *o)
{
	struct sk_buff *skb;
	void *hdr;

	skb = vipsec_genl_new(vd, VIPSEC_GENL_CMD_EVENT, &hdr);
	if (!skb)
		return;
	if (nla_put_u16(skb, VIPSEC_GENL_A_EVENT, ev->type) ||
	    (o->app_identity &&
	     (nla_put_string(skb, VIPSEC_GENL_A_APP_IDENTITY,
			     o->app_identity) ||
	      nla_put_u32(skb, VIPSEC_GENL_A_GROUP_ID, ev->group_id) ||
	      nla_put_u32(skb, VIPSEC_GENL_A_SA_ID, ev->sa_id) ||
	      nla_put_u32(skb, VIPSEC_GENL_A_SPI, o->spi))) ||
	    nla_put_u64_64bit(skb, VIPSEC_GENL_A_SEQ, ev->seq,
			      VIPSEC_GENL_A_PAD) ||
	    nla_put_u64_64bit(skb, VIPSEC_GENL_A_BYTES, o->bytes,
			      VIPSEC_GENL_A_PAD) ||
	    nla_put_u64_64bit(skb, VIPSEC_GENL_A_PACKETS, o->packets,
			      VIPSEC_GENL_A_PAD) ||
	    nla_put_u16(skb, VIPSEC_GENL_A_LIMIT, o->limit)) {
		nlmsg_free(skb);
		return;
	}
	vipsec_genl_send(skb, hdr);
}
