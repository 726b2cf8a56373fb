// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: suspend and resume. Everything the driver
 * does at freeze and restore is here: draining and resetting the device,
 * setting the queues up again (main.c's probe helpers) and re-adding the
 * groups and SAs with their state (inbound anti-replay and ESN position,
 * consumed lifetimes). Built with CONFIG_PM_SLEEP only.
 *
 * Freeze resets the device, which forgets every SA; restore re-adds them
 * with their ids from the driver's tables (group.c, sa.c). Outbound SAs
 * continue their sequence from the driver's table (xform.c). An inbound
 * SA would come back with an empty replay window and accept again every
 * packet captured before the suspend. So at freeze, while the device
 * still lives, the highest sequence number each inbound SA has seen is
 * read with SA_GET, one group at a time, and at restore it is put back
 * with SA_MOD.
 *
 * The device does not export its window bitmap, so the restored window is
 * conservative: every number inside it counts as received. Nothing old is
 * accepted; the price is that packets from before the suspend that were
 * still inside the window and not yet received are refused as replays.
 *
 * An inbound ESN SA without a window has no bitmap but a position all
 * the same, the base its high half is inferred from: it is read and put
 * back (SA_MOD with SEQ only) too, or packets after the restore would be
 * decrypted against high half 0 and fail.
 *
 * Lifetimes: the device counts an SA's bytes, packets and age from its
 * SA_ADD, and SA_MOD cannot set them. The same SA_GET at freeze reads
 * what was consumed, and restore re-adds the SA with its limits reduced
 * by that (the driver's table keeps the reduced limits, so a second
 * suspend charges again from there). A limit already reached is kept at
 * its least: a soft one at 1, so the SA still reports SOFT_EXPIRY (the
 * event may be raised once more); an SA whose hard limit was reached is
 * not re-added at all: it stays listed, and its packets get INVSA
 * instead of HARD_EXPIRED, never a key past its lifetime.
 *
 * Without VIRTIO_IPSEC_F_SA_GET and _SA_MOD, or when a request fails, the
 * SA comes back with an empty window and fresh lifetimes, as before, and
 * restore says so once. Nothing here can make suspend fail.
 */

#include <linux/bits.h>
#include <linux/delay.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>

#include "ctrl.h"
#include "elimit.h"
#include "evq.h"
#include "main.h"
#include "pm.h"
#include "vq.h"

#define VIPSEC_FREEZE_DRAIN_MS	2000

static bool vipsec_sa_has_window(const struct vipsec_sa_ent *sa)
{
	return sa->params.direction == VIRTIO_IPSEC_DIR_INBOUND &&
	       le32_to_cpu(sa->params.options) &
	       VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY &&
	       sa->params.replay_window;
}

/* Inbound with a position to keep: a window, or ESN (its inference base). */
static bool vipsec_sa_keeps_seq(const struct vipsec_sa_ent *sa)
{
	return vipsec_sa_has_window(sa) ||
	       (sa->params.direction == VIRTIO_IPSEC_DIR_INBOUND &&
		le32_to_cpu(sa->params.options) & VIRTIO_IPSEC_SA_OPT_ESN);
}

static bool vipsec_pm_can_read(const struct vipsec_dev *vd)
{
	return vd->features & BIT_ULL(VIRTIO_IPSEC_F_SA_GET);
}

static bool vipsec_pm_can_keep(const struct vipsec_dev *vd)
{
	u64 need = BIT_ULL(VIRTIO_IPSEC_F_SA_GET) |
		   BIT_ULL(VIRTIO_IPSEC_F_SA_MOD);

	return (vd->features & need) == need;
}

/*
 * Records the consumed lifetime of each SA of @group_id and the highest
 * sequence number of each inbound one with a position to keep, paging
 * FIRST then NEXT through @resp (room for VIPSEC_SA_GET_CHUNK entries).
 * Must hold vd->tab_lock and vd->remove_sem (read).
 */
static int vipsec_pm_save_group(struct vipsec_dev *vd, u32 group_id,
				void *resp)
{
	const struct virtio_ipsec_sa_entry *e;
	u32 op = VIRTIO_IPSEC_SA_GET_FIRST, cursor = 0, i, n, id;
	struct vipsec_sa_ent *sa;
	bool more;
	u8 st;
	int err;

	lockdep_assert_held(&vd->tab_lock);
	for (;;) {
		err = vipsec_ctrl_sa_get(vd, group_id, op, cursor,
					 VIPSEC_SA_GET_CHUNK, resp, &n, &more,
					 &st);
		if (err)
			return err;
		e = resp + sizeof(struct virtio_ipsec_sa_get_resp);
		for (i = 0; i < n; i++, e++) {
			id = le32_to_cpu(e->sa_id);
			/* increasing ids in 1..max_sas, or the walk may not end */
			if (id <= cursor || id > vd->lim.max_sas)
				return -EIO;
			cursor = id;
			sa = xa_load(&vd->sas, id);
			if (!sa || sa->group_id != group_id ||
			    le32_to_cpu(e->group_id) != group_id)
				continue;
			sa->used.bytes = le64_to_cpu(e->stats.bytes);
			sa->used.packets = le64_to_cpu(e->stats.packets);
			sa->used.seconds = le64_to_cpu(e->age_seconds);
			sa->used_saved = true;
			if (!vipsec_sa_keeps_seq(sa))
				continue;
			sa->rx_seq = le64_to_cpu(e->seq);
			sa->rx_seq_saved = true;
		}
		if (!more || !n)
			return 0;
		op = VIRTIO_IPSEC_SA_GET_NEXT;
	}
}

/*
 * Freeze, after the data queues stopped and before the reset: reads the
 * windows' positions and the consumed lifetimes. A batch the device
 * still held when the drain timed out may move a window (or consume
 * lifetime) after this; the driver cannot know, and such a packet's
 * number could be accepted once more after restore. An SA whose state
 * could not be read is restored as without the features.
 * Must hold vd->remove_sem (read).
 */
static void vipsec_pm_save_sa_state(struct vipsec_dev *vd)
{
	size_t len = sizeof(struct virtio_ipsec_sa_get_resp) +
		     VIPSEC_SA_GET_CHUNK * sizeof(struct virtio_ipsec_sa_entry);
	struct vipsec_group_ent *g;
	struct vipsec_sa_ent *sa;
	unsigned long id;
	bool any = false;
	void *resp;
	int err;

	lockdep_assert_held(&vd->remove_sem);
	mutex_lock(&vd->tab_lock);
	xa_for_each(&vd->sas, id, sa) {
		sa->rx_seq_saved = false;	/* nothing stale from before */
		sa->used_saved = false;
		any = true;
	}
	if (!any || !vipsec_pm_can_read(vd))
		goto out;
	resp = kvzalloc(len, GFP_KERNEL);
	if (!resp) {
		err = -ENOMEM;
		goto warn;
	}
	err = vipsec_pm_save_group(vd, 0, resp);
	xa_for_each(&vd->groups, id, g) {
		if (err && err != -ENOENT)	/* a group the device lost */
			break;
		err = vipsec_pm_save_group(vd, g->id, resp);
	}
	kvfree_sensitive(resp, len);
warn:
	if (err && err != -ENOENT)
		dev_warn(&vd->vdev->dev,
			 "freeze: reading SA state failed (%d)\n", err);
out:
	mutex_unlock(&vd->tab_lock);
}

/*
 * Restore, right after @sa was re-added: puts back the window position
 * saved at freeze. Returns 0 when there is nothing to keep or it was
 * kept, else why it was not. Must hold vd->tab_lock and vd->remove_sem
 * (read).
 */
static int vipsec_pm_restore_window(struct vipsec_dev *vd,
				    struct vipsec_sa_ent *sa)
{
	u32 win = le32_to_cpu(sa->params.replay_window), i, bits;
	struct virtio_ipsec_sa_mod *m;
	bool saved = sa->rx_seq_saved;
	u8 st;
	int err;

	lockdep_assert_held(&vd->tab_lock);
	lockdep_assert_held(&vd->remove_sem);
	sa->rx_seq_saved = false;	/* one use: the next freeze reads anew */
	if (!vipsec_sa_keeps_seq(sa))
		return 0;
	if (!vipsec_pm_can_keep(vd))
		return -EOPNOTSUPP;
	if (!saved)
		return -ENODATA;
	if (!sa->rx_seq)
		return 0;	/* nothing received: the empty window is exact */
	if (win > VIRTIO_IPSEC_MAX_BITMAP_WORDS * 64)
		return -EINVAL;	/* the device accepted it: cannot happen */
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->seq = cpu_to_le64(sa->rx_seq);
	m->flags = cpu_to_le32(VIRTIO_IPSEC_SA_MOD_SEQ);
	if (!vipsec_sa_has_window(sa))
		goto send;	/* ESN without a window: the base only */
	/*
	 * All ones: every number in the window counts as received (the
	 * device cannot tell which were). Bits stop at sequence number 1.
	 */
	bits = min_t(u64, win, sa->rx_seq);
	for (i = 0; i < bits / 64; i++)
		m->bitmap[i] = cpu_to_le64(~0ULL);
	if (bits % 64)
		m->bitmap[i] = cpu_to_le64(GENMASK_ULL(bits % 64 - 1, 0));
	m->flags |= cpu_to_le32(VIRTIO_IPSEC_SA_MOD_WINDOW);
	m->replay_window = sa->params.replay_window;
send:
	err = vipsec_ctrl_sa_mod(vd, sa->group_id, sa->id, m, &st);
	kfree(m);
	return err;
}

/*
 * Restore, right after @sa was re-added: a disabled SA is disabled in the
 * device again. The driver refuses batches naming it anyway (xform.c);
 * this keeps the device refusing the packets that name no SA and find it
 * by SPI. Nothing is in flight at restore: no drain. Must hold
 * vd->tab_lock and vd->remove_sem (read).
 */
static int vipsec_pm_restore_disabled(struct vipsec_dev *vd,
				      struct vipsec_sa_ent *sa)
{
	struct virtio_ipsec_sa_mod *m;
	u8 st;
	int err;

	lockdep_assert_held(&vd->tab_lock);
	lockdep_assert_held(&vd->remove_sem);
	if (!sa->disabled)
		return 0;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->flags = cpu_to_le32(VIRTIO_IPSEC_SA_MOD_DISABLE);
	err = vipsec_ctrl_sa_mod(vd, sa->group_id, sa->id, m, &st);
	kfree(m);
	return err;
}

/*
 * One soft/hard pair less what was consumed. Returns true when the hard
 * limit was reached.
 */
static bool vipsec_pm_charge(__le64 *soft, __le64 *hard, u64 used)
{
	u64 s = le64_to_cpu(*soft), h = le64_to_cpu(*hard);

	if (h && used >= h)
		return true;
	if (h)
		*hard = cpu_to_le64(h - used);
	if (s)	/* reached: at least 1, so SOFT_EXPIRY still shows */
		*soft = cpu_to_le64(used < s ? s - used : 1);
	return false;
}

/*
 * Restore, before @sa is re-added: its lifetimes become what was left at
 * freeze. Returns false when a hard limit was already reached: the SA
 * must not come back. Must hold vd->tab_lock.
 */
static bool vipsec_pm_charge_lifetime(struct vipsec_dev *vd,
				      struct vipsec_sa_ent *sa)
{
	struct virtio_ipsec_sa_params *p = &sa->params;
	bool saved = sa->used_saved, expired;

	lockdep_assert_held(&vd->tab_lock);
	sa->used_saved = false;		/* one use, like rx_seq_saved */
	if (!saved)
		return true;
	expired = vipsec_pm_charge(&p->soft_bytes, &p->hard_bytes,
				   sa->used.bytes);
	expired |= vipsec_pm_charge(&p->soft_packets, &p->hard_packets,
				    sa->used.packets);
	expired |= vipsec_pm_charge(&p->soft_seconds, &p->hard_seconds,
				    sa->used.seconds);
	return !expired;
}

/* Restore: once, how many inbound SAs lost their replay window. */
static void vipsec_pm_report_lost(struct vipsec_dev *vd, unsigned int lost,
				  int err)
{
	if (!lost)
		return;
	if (!vipsec_pm_can_keep(vd))
		dev_warn(&vd->vdev->dev,
			 "restore: no SA_GET/SA_MOD: replay state of %u inbound SA(s) not kept, packets from before the suspend may be accepted again\n",
			 lost);
	else
		dev_warn(&vd->vdev->dev,
			 "restore: replay state of %u inbound SA(s) not kept (%d), packets from before the suspend may be accepted again\n",
			 lost, err);
}

/*
 * Restore: re-creates every group and re-adds every SA with its id, in id
 * order, from the driver's tables (group.c, sa.c); an inbound SA gets back
 * the replay window position saved at freeze. Not "replay": that word is
 * the anti-replay window's. Must hold vd->remove_sem (read).
 */
static int vipsec_pm_readd(struct vipsec_dev *vd)
{
	struct vipsec_group_ent *g;
	struct vipsec_sa_ent *sa;
	unsigned int lost = 0;
	int err = 0, e, win_err = 0;
	unsigned long id;
	u8 st;

	lockdep_assert_held(&vd->remove_sem);
	mutex_lock(&vd->tab_lock);
	xa_for_each(&vd->groups, id, g) {
		e = vipsec_ctrl_group_create(vd, g->id, g->name, &st);
		if (e && !err)
			err = e;
	}
	e = vipsec_elimit_restore(vd);
	if (e && !err)
		err = e;
	xa_for_each(&vd->sas, id, sa) {
		if (!vipsec_pm_charge_lifetime(vd, sa)) {
			sa->rx_seq_saved = false;
			continue;	/* hard-expired: stays out */
		}
		e = vipsec_ctrl_sa_add(vd, sa->group_id, sa->id, &sa->params,
				       &st);
		if (e && !err)
			err = e;
		if (e) {
			sa->rx_seq_saved = false;
			continue;
		}
		e = vipsec_pm_restore_window(vd, sa);
		if (e) {
			lost++;
			win_err = win_err ?: e;
		}
		e = vipsec_pm_restore_disabled(vd, sa);
		if (e && !err)
			err = e;
	}
	mutex_unlock(&vd->tab_lock);
	vipsec_pm_report_lost(vd, lost, win_err);
	return err;
}

/* True once the device returned every data request (or @ms passed). */
static bool vipsec_data_drained(struct vipsec_dev *vd, unsigned int ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms);
	u32 i;

	for (i = 0; i < vd->lim.num_data_queues; i++) {
		while (!vipsec_queue_idle(&vd->dataq[i])) {
			if (time_after(jiffies, end))
				return false;
			usleep_range(5000, 10000);
		}
	}
	return true;
}

/*
 * Keeps ioctls out (vd->frozen), lets asynchronous batches finish, reads
 * the inbound SAs' replay window positions and every SA's consumed
 * lifetime, then resets the device: it forgets every SA, which restore
 * re-adds.
 */
int vipsec_pm_freeze(struct virtio_device *vdev)
{
	struct vipsec_dev *vd = vdev->priv;
	u32 i;

	down_write(&vd->remove_sem);
	vd->frozen = true;
	up_write(&vd->remove_sem);
	if (!vipsec_data_drained(vd, VIPSEC_FREEZE_DRAIN_MS))
		dev_warn(&vdev->dev, "freeze: data requests still in flight\n");
	for (i = 0; i < vd->lim.num_data_queues; i++)
		vipsec_queue_kill(&vd->dataq[i]);
	/* the device still lives: read what the reset will lose */
	down_read(&vd->remove_sem);
	vipsec_pm_save_sa_state(vd);
	up_read(&vd->remove_sem);
	vipsec_queue_kill(&vd->ctrlq);
	cancel_work_sync(&vd->config_work);
	virtio_reset_device(vdev);
	vipsec_del_vqs(vd, -EIO);
	dev_info(&vdev->dev, "%s frozen\n", vd->name);
	return 0;
}

int vipsec_pm_restore(struct virtio_device *vdev)
{
	struct vipsec_dev *vd = vdev->priv;
	u32 i;
	int err;

	err = vipsec_find_vqs(vd);
	if (err)
		return err;
	for (i = 0; i < vd->lim.num_data_queues; i++)
		vipsec_queue_revive(&vd->dataq[i]);
	vipsec_queue_revive(&vd->ctrlq);
	virtio_device_ready(vdev);
	vipsec_evq_start(vd);

	down_read(&vd->remove_sem);
	err = vipsec_pm_readd(vd);
	up_read(&vd->remove_sem);
	down_write(&vd->remove_sem);
	vd->frozen = false;
	up_write(&vd->remove_sem);
	dev_info(&vdev->dev, "%s restored, %lu SA(s) re-added: %d\n",
		 vd->name, (unsigned long)atomic_read(&vd->active_sas), err);
	return 0;	/* an SA the device refused fails its packets, not resume */
}
