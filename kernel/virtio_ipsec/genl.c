// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: generic netlink family "virtio_ipsec".
 *
 * Multicast (see <linux/virtio_ipsec_genl.h> for the messages), for
 * CAP_NET_ADMIN listeners only: an IKE daemon or a monitor learns of
 * accelerators coming and going and of every SA event with its owner's
 * identity. Sending never fails a caller:
 * with no listener or no memory the message is dropped.
 *
 * SA_GET dump, for operators (CAP_NET_ADMIN): every SA of every
 * accelerator with its owner, whatever file owns it, because the
 * character device shows a file only its own SAs. The family keeps its
 * own list of accelerators (added at probe, removed at remove, each
 * holding a reference) so it needs nothing of chardev.c.
 */

#include <linux/slab.h>
#include <linux/virtio_ipsec_dev.h>
#include <linux/virtio_ipsec_genl.h>
#include <linux/xarray.h>
#include <net/genetlink.h>

#include "chardev.h"
#include "ctrl.h"
#include "genl.h"
#include "main.h"

/* vd->id -> vd, each entry holding a reference; xa_lock for lookups. */
static DEFINE_XARRAY(vipsec_genl_devs);

static int vipsec_genl_sa_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);

/*
 * No policy: the command takes no attributes, and the core refuses any
 * (operations from resv_start_op 0 on are validated strictly).
 */
static const struct genl_small_ops vipsec_genl_ops[] = {
	{
		.cmd = VIPSEC_GENL_CMD_SA_GET,
		.dumpit = vipsec_genl_sa_dumpit,
		.flags = GENL_ADMIN_PERM,
	},
};

/*
 * Events name every tenant's owner identity, groups, SAs, SPIs and
 * counters: joining takes CAP_NET_ADMIN, as the SA dump does, or the
 * 0600 char device would be undercut by any local user.
 */
static const struct genl_multicast_group vipsec_genl_mcgrps[] = {
	{
		.name = VIPSEC_GENL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

static struct genl_family vipsec_genl_family __ro_after_init = {
	.name = VIPSEC_GENL_NAME,
	.version = VIPSEC_GENL_VERSION,
	.maxattr = VIPSEC_GENL_A_MAX,
	.module = THIS_MODULE,
	.small_ops = vipsec_genl_ops,
	.n_small_ops = ARRAY_SIZE(vipsec_genl_ops),
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
	/* every accelerator was removed before */
	WARN_ON_ONCE(!xa_empty(&vipsec_genl_devs));
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

	if (added) {
		vipsec_dev_get(vd);
		if (xa_insert(&vipsec_genl_devs, vd->id, vd, GFP_KERNEL)) {
			/* only the dump misses it; the device works */
			dev_warn(&vd->vdev->dev, "%s: not listed for SA dumps\n",
				 vd->name);
			vipsec_dev_put(vd);
		}
	} else if (xa_erase(&vipsec_genl_devs, vd->id) == vd) {
		vipsec_dev_put(vd);	/* not the last: remove holds one */
	}

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

#define VIPSEC_GENL_RESP_LEN	(sizeof(struct virtio_ipsec_sa_get_resp) + \
				 sizeof(struct virtio_ipsec_sa_entry))

/*
 * Asks the device for @sa's entry (SA_GET EXACT) into @resp. Returns the
 * entry, or NULL when the device cannot say (no SA_GET, suspended, a
 * failed or inconsistent answer): the SA is then listed without
 * statistics. Must hold vd->remove_sem (read) and vd->tab_lock, which
 * may be held across control requests (tab_lock -> ctrl_mutex).
 */
static const struct virtio_ipsec_sa_entry *
vipsec_genl_sa_entry(struct vipsec_dev *vd, const struct vipsec_sa_ent *sa,
		     void *resp)
{
	const struct virtio_ipsec_sa_entry *e = resp +
		sizeof(struct virtio_ipsec_sa_get_resp);
	bool more;
	u32 n;
	u8 st;

	lockdep_assert_held(&vd->tab_lock);
	if (!(vd->features & BIT_ULL(VIRTIO_IPSEC_F_SA_GET)) || vd->frozen)
		return NULL;
	if (vipsec_ctrl_sa_get(vd, sa->group_id, VIRTIO_IPSEC_SA_GET_EXACT,
			       sa->id, 1, resp, &n, &more, &st) || n != 1)
		return NULL;
	if (le32_to_cpu(e->sa_id) != sa->id ||
	    le32_to_cpu(e->group_id) != sa->group_id)
		return NULL;
	return e;
}

/* The device's counters, field by field (see enum vipsec_genl_stat). */
static int vipsec_genl_put_stats(struct sk_buff *skb,
				 const struct virtio_ipsec_sa_stats *st)
{
	const __le64 *v = &st->packets;
	struct nlattr *nest;
	int i;

	BUILD_BUG_ON(offsetof(struct virtio_ipsec_sa_stats, selector) !=
		     (VIPSEC_GENL_STAT_SELECTOR - VIPSEC_GENL_STAT_PACKETS) *
		     sizeof(__le64));
	nest = nla_nest_start(skb, VIPSEC_GENL_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = VIPSEC_GENL_STAT_PACKETS; i <= VIPSEC_GENL_STAT_SELECTOR;
	     i++, v++)
		if (nla_put_u64_64bit(skb, i, le64_to_cpu(*v),
				      VIPSEC_GENL_STAT_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * One SA_GET message for @sa: what the driver knows, then what the device
 * reports. Nothing of params but SPI and direction: never a key. Must
 * hold vd->tab_lock (the SA, its owner and its group stay listed).
 */
static int vipsec_genl_put_sa(struct sk_buff *skb, struct netlink_callback *cb,
			      struct vipsec_dev *vd,
			      const struct vipsec_sa_ent *sa,
			      const struct virtio_ipsec_sa_entry *e)
{
	char gname[VIRTIO_IPSEC_NAME_LEN + 1];
	const struct vipsec_group_ent *g;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &vipsec_genl_family, NLM_F_MULTI,
			  VIPSEC_GENL_CMD_SA_GET);
	if (!hdr)
		return -EMSGSIZE;
	/* app_identity is fixed once the file claimed */
	if (nla_put_string(skb, VIPSEC_GENL_A_ACCEL_NAME, vd->name) ||
	    nla_put_u32(skb, VIPSEC_GENL_A_ACCEL_ID, vd->id) ||
	    nla_put_u32(skb, VIPSEC_GENL_A_GROUP_ID, sa->group_id) ||
	    nla_put_u32(skb, VIPSEC_GENL_A_SA_ID, sa->id) ||
	    nla_put_u32(skb, VIPSEC_GENL_A_SPI, le32_to_cpu(sa->params.spi)) ||
	    nla_put_u8(skb, VIPSEC_GENL_A_DIRECTION, sa->params.direction) ||
	    nla_put_string(skb, VIPSEC_GENL_A_APP_IDENTITY,
			   sa->owner->app_identity))
		goto cancel;
	g = sa->group_id ? xa_load(&vd->groups, sa->group_id) : NULL;
	if (g) {
		/* the name need not be terminated in its field */
		memcpy(gname, g->name, sizeof(g->name));
		gname[sizeof(g->name)] = '\0';
		if (nla_put_string(skb, VIPSEC_GENL_A_GROUP_NAME, gname))
			goto cancel;
	}
	if (e && (nla_put_u64_64bit(skb, VIPSEC_GENL_A_SEQ,
				    le64_to_cpu(e->seq), VIPSEC_GENL_A_PAD) ||
		  nla_put_u64_64bit(skb, VIPSEC_GENL_A_AGE,
				    le64_to_cpu(e->age_seconds),
				    VIPSEC_GENL_A_PAD) ||
		  vipsec_genl_put_stats(skb, &e->stats)))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * The SAs of @vd after cb->args[1] (the last SA id sent), in id order,
 * until @skb is full (-EMSGSIZE).
 */
static int vipsec_genl_dump_dev(struct sk_buff *skb,
				struct netlink_callback *cb,
				struct vipsec_dev *vd, void *resp)
{
	const struct virtio_ipsec_sa_entry *e;
	struct vipsec_sa_ent *sa;
	unsigned long id;
	int err = 0;

	down_read(&vd->remove_sem);
	if (READ_ONCE(vd->gone))
		goto out;
	mutex_lock(&vd->tab_lock);
	xa_for_each_start(&vd->sas, id, sa, cb->args[1] + 1) {
		e = vipsec_genl_sa_entry(vd, sa, resp);
		err = vipsec_genl_put_sa(skb, cb, vd, sa, e);
		if (err)
			break;
		cb->args[1] = id;
	}
	mutex_unlock(&vd->tab_lock);
out:
	up_read(&vd->remove_sem);
	return err;
}

/*
 * Process context (recvmsg), may sleep. cb->args[0]: the accelerator id
 * being dumped; cb->args[1]: the last SA id of it sent. Control requests
 * are made with no spinlock held; the table stays consistent only within
 * one call, like any netlink dump.
 */
static int vipsec_genl_sa_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	unsigned long idx = cb->args[0];
	struct vipsec_dev *vd;
	void *resp;
	int err = 0;

	resp = kzalloc(VIPSEC_GENL_RESP_LEN, GFP_KERNEL);
	if (!resp)
		return -ENOMEM;
	for (;;) {
		xa_lock(&vipsec_genl_devs);
		vd = xa_find(&vipsec_genl_devs, &idx, ULONG_MAX, XA_PRESENT);
		if (vd)
			vipsec_dev_get(vd);
		xa_unlock(&vipsec_genl_devs);
		if (!vd)
			break;
		if (idx != cb->args[0]) {	/* the one being dumped went */
			cb->args[0] = idx;
			cb->args[1] = 0;
		}
		err = vipsec_genl_dump_dev(skb, cb, vd, resp);
		vipsec_dev_put(vd);
		if (err)
			break;
		cb->args[0] = ++idx;
		cb->args[1] = 0;
	}
	/* the device never returns keys, but its buffer is wiped anyway */
	kfree_sensitive(resp);
	if (err == -EMSGSIZE && skb->len)
		return skb->len;	/* full: go on in the next call */
	return err ?: skb->len;
}
