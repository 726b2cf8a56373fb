// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: SAs owned by an open file (groups: group.c).
 *
 * SA ids (1..max_sas) come from a per-device IDA, so an id is never
 * reused while its SA lives. Each file records its SAs in f->sas (SA id
 * -> group id); another file's ids are answered with -ENOENT. Changes to
 * a file's SAs run under f->lock; every entry point is called with
 * vd->remove_sem held for read.
 *
 * The device-wide table vd->sas (under vd->tab_lock) keeps each SA's
 * owner, for routing device events, and its parameters, for re-adding it
 * at restore (pm.c); an SA's keys are zeroed when it is deleted.
 * Group 0 (default) is shared by all files, so SA_GET and SA_FLUSH on it
 * filter by owner instead of trusting the device's group scope.
 */

#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ipsec_dev.h>

#include "chardev.h"
#include "ctrl.h"
#include "ctrl_async.h"
#include "evq.h"
#include "group.h"
#include "main.h"
#include "quota.h"
#include "sa.h"
#include "xform.h"

bool vipsec_file_owns_sa(struct vipsec_file *f, u32 group_id, u32 sa_id)
{
	return sa_id && xa_load(&f->sas, sa_id) == xa_mk_value(group_id);
}

bool vipsec_sa_disabled(struct vipsec_file *f, u32 sa_id)
{
	return xa_get_mark(&f->sas, sa_id, VIPSEC_SA_DISABLED);
}

static int vipsec_tab_sa_add(struct vipsec_file *f, u32 group_id, u32 id,
			     const struct virtio_ipsec_sa_params *p)
{
	struct vipsec_dev *vd = f->vd;
	struct vipsec_sa_ent *sa = kzalloc(sizeof(*sa), GFP_KERNEL);
	int err;

	if (!sa)
		return -ENOMEM;
	sa->id = id;
	sa->group_id = group_id;
	sa->owner = f;
	sa->params = *p;
	mutex_lock(&vd->tab_lock);
	err = xa_err(xa_store(&vd->sas, id, sa, GFP_KERNEL));
	mutex_unlock(&vd->tab_lock);
	if (err) {
		memzero_explicit(sa, sizeof(*sa));
		kfree(sa);
	}
	return err;
}

static void vipsec_tab_sa_del(struct vipsec_dev *vd, u32 id)
{
	struct vipsec_sa_ent *sa;

	mutex_lock(&vd->tab_lock);
	sa = xa_erase(&vd->sas, id);
	mutex_unlock(&vd->tab_lock);
	if (sa) {
		memzero_explicit(sa, sizeof(*sa));	/* keys */
		kfree(sa);
	}
}

/* No bit set past the first @bits of the 16-byte prefix @a. */
static bool vipsec_prefix_clean(const u8 *a, unsigned int bits)
{
	unsigned int i;

	for (i = bits / 8; i < 16; i++)
		if (a[i] & (i == bits / 8 ? 0xff >> (bits % 8) : 0xff))
			return false;
	return true;
}

/*
 * The packet-format fields, checked by the driver on its own (the device
 * checks them again): each within its range and given only with what
 * makes it meaningful, and only when config space says the device
 * honours it (sa_options, hdr_fields), so that nothing is accepted and
 * then ignored.
 */
static int vipsec_sa_format_check(struct vipsec_dev *vd,
				  const struct virtio_ipsec_sa_params *p)
{
	u32 opts = le32_to_cpu(p->options), fl = le32_to_cpu(p->flow_label);
	u32 tfc = le32_to_cpu(p->tfc_pad_to), hdr = vd->lim.hdr_fields;
	bool tunnel = p->mode == VIRTIO_IPSEC_MODE_TUNNEL;
	bool inbound = p->direction == VIRTIO_IPSEC_DIR_INBOUND;
	unsigned int sel_max = p->ip_version == VIRTIO_IPSEC_IPV6 ? 128 : 32;

	if (p->dscp_mode > VIRTIO_IPSEC_HDR_SET ||
	    p->df_mode > VIRTIO_IPSEC_HDR_SET || p->dscp > 63 ||
	    fl > 0xfffff ||
	    (fl && (!tunnel || p->ip_version != VIRTIO_IPSEC_IPV6)))
		return -EINVAL;
	if (!(opts & VIRTIO_IPSEC_SA_OPT_TFC_PAD) != !tfc ||
	    (tfc && (!tunnel || inbound || tfc > 0xffff)))
		return -EINVAL;
	if (opts & VIRTIO_IPSEC_SA_OPT_DEC_TTL && (!tunnel || !inbound))
		return -EINVAL;
	if (opts & VIRTIO_IPSEC_SA_OPT_SELECTOR) {
		if (!inbound || p->sel_prefix_len > sel_max ||
		    !vipsec_prefix_clean(p->sel_src, p->sel_prefix_len))
			return -EINVAL;
	} else if (p->sel_prefix_len ||
		   !vipsec_mem_is_zero(p->sel_src, sizeof(p->sel_src))) {
		return -EINVAL;
	}
	if (opts & ~vd->lim.sa_options ||
	    (p->dscp_mode != VIRTIO_IPSEC_HDR_COPY &&
	     !(hdr & VIRTIO_IPSEC_HDR_F_DSCP)) ||
	    (p->df_mode != VIRTIO_IPSEC_HDR_COPY &&
	     !(hdr & VIRTIO_IPSEC_HDR_F_DF)) ||
	    (p->ttl && !(hdr & VIRTIO_IPSEC_HDR_F_TTL)) ||
	    (fl && !(hdr & VIRTIO_IPSEC_HDR_F_FLOW_LABEL)))
		return -EOPNOTSUPP;
	/* A key length the backend cannot run (config cipher_key_sizes). */
	if (p->cipher_key_len % 8 == 0 &&
	    p->cipher_alg < ARRAY_SIZE(vd->lim.cipher_key_sizes) &&
	    vd->lim.cipher_algo_mask & BIT_ULL(p->cipher_alg) &&
	    !(vd->lim.cipher_key_sizes[p->cipher_alg] &
	      VIRTIO_IPSEC_KEY_SIZE_BIT(p->cipher_key_len)))
		return -EKEYREJECTED;
	return 0;
}

/*
 * Path MTU and fragmentation mode of an SA (SA_ADD, SA_MOD MTU): only
 * outbound SAs produce ESP packets, a mode needs an MTU, and the MTU is
 * at least what every link of the outer family carries.
 */
static int vipsec_mtu_check(u8 direction, u8 ip_version, u16 mtu, u8 mode)
{
	u16 min = ip_version == VIRTIO_IPSEC_IPV6 ? VIRTIO_IPSEC_MIN_MTU_IPV6 :
						    VIRTIO_IPSEC_MIN_MTU_IPV4;

	if (mode > VIRTIO_IPSEC_FRAG_BEFORE || (mode && !mtu))
		return -EINVAL;
	if (mtu && (direction != VIRTIO_IPSEC_DIR_OUTBOUND || mtu < min))
		return -EINVAL;
	return 0;
}

/* Parameters the negotiated features allow; reserved bytes must be 0. */
static int vipsec_sa_params_check(struct vipsec_dev *vd,
				  const struct virtio_ipsec_sa_params *p)
{
	u32 opts = le32_to_cpu(p->options);
	/* soft_bytes .. hard_seconds: six consecutive __le64 */
	bool life = !vipsec_mem_is_zero(&p->soft_bytes,
					offsetofend(typeof(*p), hard_seconds) -
					offsetof(typeof(*p), soft_bytes));
	u64 feat = vd->features;

	if (!vipsec_mem_is_zero(p->reserved0, sizeof(p->reserved0)) ||
	    !vipsec_mem_is_zero(p->reserved1, sizeof(p->reserved1)) ||
	    !vipsec_mem_is_zero(p->reserved2, sizeof(p->reserved2)) ||
	    p->reserved3 || opts & ~VIRTIO_IPSEC_SA_OPT_ALL ||
	    vipsec_mtu_check(p->direction, p->ip_version,
			     le16_to_cpu(p->path_mtu), p->frag_mode))
		return -EINVAL;
	if ((opts & VIRTIO_IPSEC_SA_OPT_ESN &&
	     !(feat & BIT_ULL(VIRTIO_IPSEC_F_ESN))) ||
	    (opts & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP &&
	     !(feat & BIT_ULL(VIRTIO_IPSEC_F_UDP_ENCAP))) ||
	    (opts & VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY &&
	     !(feat & BIT_ULL(VIRTIO_IPSEC_F_ANTI_REPLAY))) ||
	    (p->ip_version == VIRTIO_IPSEC_IPV6 &&
	     !(feat & BIT_ULL(VIRTIO_IPSEC_F_IPV6))) ||
	    (p->mode == VIRTIO_IPSEC_MODE_TRANSPORT &&
	     !(feat & BIT_ULL(VIRTIO_IPSEC_F_TRANSPORT))) ||
	    (life && !(feat & BIT_ULL(VIRTIO_IPSEC_F_LIFETIME))))
		return -EOPNOTSUPP;
	return vipsec_sa_format_check(vd, p);
}

/*
 * Gives an SA id back once the device no longer holds the SA. No request
 * of @f in flight may still name it (vipsec_xform_sync()): when that is
 * unknown (a wait was killed), the id waits in f->stale_ids until a later
 * sync finds no request of the file left, or for the file's last
 * reference, which every request holds; meanwhile it counts against the
 * file's SA quota. And every event the device wrote about the old SA is
 * routed first (vipsec_evq_retire()), so none reaches the id's next
 * owner. Must hold f->lock.
 */
static void vipsec_sa_id_release(struct vipsec_file *f, u32 id)
{
	struct vipsec_dev *vd = f->vd;
	unsigned long stale;
	void *entry;

	lockdep_assert_held(&f->lock);
	if (!vipsec_xform_sync(f)) {
		if (!xa_err(xa_store(&f->stale_ids, id, xa_mk_value(0),
				     GFP_KERNEL)))
			f->nstale++;
		else
			pr_warn_ratelimited("%s: SA %u id kept (no memory)\n",
					    vd->name, id);
		return;
	}
	vipsec_evq_retire(vd, id, true);
	xa_for_each(&f->stale_ids, stale, entry) {	/* now known safe */
		xa_erase(&f->stale_ids, stale);
		f->nstale--;
		vipsec_evq_retire(vd, stale, true);
	}
}

/*
 * Drops the driver's state of an SA. Its id is released when the device
 * no longer has the SA (@in_dev false); else it stays allocated, see
 * vipsec_group_undo_create() (group.c). Must hold f->lock.
 */
static void vipsec_sa_forget(struct vipsec_file *f, u32 id, bool in_dev)
{
	struct vipsec_dev *vd = f->vd;

	lockdep_assert_held(&f->lock);
	if (xa_erase(&f->sas, id))	/* before the sync: see xform.c */
		f->nsas--;
	vipsec_tab_sa_del(vd, id);
	if (!in_dev)
		vipsec_sa_id_release(f, id);
	else
		pr_warn_ratelimited("%s: SA %u id kept (left in device)\n",
				    vd->name, id);
	atomic_dec(&vd->active_sas);
	atomic64_inc(&vd->stats.sas_deleted);
}

/*
 * Deletes one SA from the device and frees its id; with @force the driver
 * forgets the SA even when the device refused (rollback, close), its id
 * then staying allocated. Must hold f->lock.
 */
static int vipsec_sa_remove(struct vipsec_file *f, u32 group_id, u32 id,
			    bool force)
{
	struct vipsec_dev *vd = f->vd;
	u8 st;
	int err;

	lockdep_assert_held(&f->lock);
	err = vipsec_ctrl_sa_del(vd, group_id, id, &st);
	if (err == -ENODEV || err == -ENOENT)
		err = 0;	/* the device has no such SA any more */
	if (err && !force)
		return err;
	vipsec_sa_forget(f, id, err != 0);
	return err;
}

/*
 * Rollback of an SA_ADD: false when the device may still hold the SA
 * (the delete, which waits for the abandoned add ahead of it on the
 * control queue, failed too).
 */
static bool vipsec_sa_undo_add(struct vipsec_dev *vd, u32 group_id, u32 id)
{
	u8 st;
	int err = vipsec_ctrl_sa_del(vd, group_id, id, &st);

	return !(err && err != -ENOENT && err != -ENODEV);
}

/* Adds one SA with a fresh id. Must hold f->lock. */
static int vipsec_sa_add_one(struct vipsec_file *f, u32 group_id,
			     const struct virtio_ipsec_sa_params *p, u32 *id,
			     u8 *st)
{
	struct vipsec_dev *vd = f->vd;
	bool in_dev = false;
	int err;

	lockdep_assert_held(&f->lock);
	*st = VIRTIO_IPSEC_OK;		/* OK: refused by the driver */
	err = vipsec_sa_params_check(vd, p);
	if (err)
		return err;
	err = ida_alloc_range(&vd->sa_ida, 1, vd->lim.max_sas, GFP_KERNEL);
	if (err < 0)
		return err == -ENOMEM ? err : -ENOSPC;
	*id = err;
	err = vipsec_ctrl_sa_add(vd, group_id, *id, p, st);
	if (!err) {
		err = vipsec_tab_sa_add(f, group_id, *id, p);
		if (err)
			in_dev = !vipsec_sa_undo_add(vd, group_id, *id);
	} else if (vipsec_ctrl_outcome_unknown(err)) {
		in_dev = !vipsec_sa_undo_add(vd, group_id, *id);
	}
	if (err) {
		/* never in f->sas: no request can name it, no sync needed */
		if (!in_dev)
			vipsec_evq_retire(vd, *id, true);
		return err;
	}
	atomic_inc(&vd->active_sas);
	atomic64_inc(&vd->stats.sas_created);
	return 0;
}

/*
 * All or nothing; must hold f->lock. @copy_ids: write the ids to a->ids
 * before the SAs are the file's (a failure then rolls them back); the
 * asynchronous call writes them when its record is read instead.
 */
static int vipsec_sa_add_batch(struct vipsec_file *f, struct vipsec_sa_add *a,
			       const struct virtio_ipsec_sa_params *params,
			       u32 *ids, bool copy_ids)
{
	u32 i, n;
	u8 st;
	int err = 0;

	lockdep_assert_held(&f->lock);
	err = vipsec_quota_sas(f, a->num_sas);
	if (err)
		return err;
	for (n = 0; n < a->num_sas; n++) {
		err = vipsec_sa_add_one(f, a->group_id, &params[n], &ids[n],
					&st);
		if (err)
			break;
	}
	if (!err && copy_ids &&
	    copy_to_user(u64_to_user_ptr(a->ids), ids,
			 a->num_sas * sizeof(*ids)))
		err = -EFAULT;
	for (i = 0; !err && i < n; i++) {
		err = xa_err(xa_store(&f->sas, ids[i],
				      xa_mk_value(a->group_id), GFP_KERNEL));
		if (!err) {
			f->nsas++;
			continue;
		}
		while (i--) {
			xa_erase(&f->sas, ids[i]);
			f->nsas--;
		}
	}
	if (!err)
		return 0;
	if (n < a->num_sas) {
		a->dev_status = st;
		a->failed_index = n;
	}
	for (i = 0; i < n; i++)
		vipsec_sa_remove(f, a->group_id, ids[i], true);
	return err;
}

/* Checks an SA_ADD and copies its parameters in; room for the ids. */
static int vipsec_sa_add_prep(struct vipsec_file *f, void *arg,
			      struct vipsec_ctrl_io *io)
{
	struct virtio_ipsec_sa_params *params;
	struct vipsec_sa_add *a = arg;
	u32 *ids;

	if (a->flags || !a->num_sas || a->num_sas > VIPSEC_MAX_SA_BATCH)
		return -EINVAL;
	params = vmemdup_user(u64_to_user_ptr(a->params),
			      a->num_sas * sizeof(*params));
	if (IS_ERR(params))
		return PTR_ERR(params);
	ids = kvcalloc(a->num_sas, sizeof(*ids), GFP_KERNEL);
	if (!ids) {
		memzero_explicit(params, a->num_sas * sizeof(*params));
		kvfree(params);
		return -ENOMEM;
	}
	io->in = params;
	io->in_len = a->num_sas * sizeof(*params);
	io->out = ids;
	io->out_cap = a->num_sas * sizeof(*ids);
	io->out_uptr = a->ids;
	return 0;
}

static int vipsec_sa_add_do(struct vipsec_file *f, struct vipsec_sa_add *a,
			    struct vipsec_ctrl_io *io, bool copy_ids)
{
	int err;

	a->dev_status = VIRTIO_IPSEC_OK;
	a->failed_index = 0;
	mutex_lock(&f->lock);
	if (!vipsec_file_owns_group(f, a->group_id))
		err = -ENOENT;
	else
		err = vipsec_sa_add_batch(f, a, io->in, io->out, copy_ids);
	mutex_unlock(&f->lock);
	return err;
}

static void vipsec_sa_io_free(struct vipsec_ctrl_io *io)
{
	memzero_explicit(io->in, io->in_len);	/* keys */
	kvfree(io->in);
	memzero_explicit(io->out, io->out_cap);
	kvfree(io->out);
}

long vipsec_ioctl_sa_add(struct vipsec_file *f, void *arg, void __user *uarg)
{
	struct vipsec_ctrl_io io = {};
	struct vipsec_sa_add *a = arg;
	int err;

	err = vipsec_sa_add_prep(f, a, &io);
	if (err)
		return err;
	err = vipsec_sa_add_do(f, a, &io, true);
	if (vipsec_copy_arg_out(uarg, a, sizeof(*a)) && !err)
		err = -EFAULT;	/* the SAs stay; close() deletes them */
	vipsec_sa_io_free(&io);
	return err;
}

/* Asynchronous SA_ADD: the struct always goes back, the ids on success. */
static long vipsec_sa_add_run(struct vipsec_file *f, void *arg,
			      struct vipsec_ctrl_io *io)
{
	int err = vipsec_sa_add_do(f, arg, io, false);

	io->arg_out = true;	/* dev_status, failed_index */
	io->out_len = err ? 0 : io->out_cap;
	return err;
}

const struct vipsec_ctrl_out_ops vipsec_sa_add_async = {
	.prep = vipsec_sa_add_prep,
	.run = vipsec_sa_add_run,
};

long vipsec_ioctl_sa_del(struct vipsec_file *f, void *arg, void __user *uarg)
{
	struct vipsec_sa_del *d = arg;
	int err;

	if (d->flags)
		return -EINVAL;

	mutex_lock(&f->lock);
	if (!vipsec_file_owns_sa(f, d->group_id, d->sa_id))
		err = -ENOENT;
	else
		err = vipsec_sa_remove(f, d->group_id, d->sa_id, false);
	mutex_unlock(&f->lock);
	return err;
}

/*
 * close(): deletes every SA @f made, before its groups go. Errors reach
 * no one; an SA the device refused to delete keeps its id (see
 * vipsec_sa_forget()). Must hold f->lock.
 */
void vipsec_sa_delete_all(struct vipsec_file *f)
{
	unsigned long id;
	void *entry;

	lockdep_assert_held(&f->lock);
	xa_for_each(&f->sas, id, entry)
		vipsec_sa_remove(f, xa_to_value(entry), id, true);
}

/* The part of an SA_MOD that restore needs (pm.c), kept in the table. */
static void vipsec_tab_sa_mod(struct vipsec_dev *vd, u32 id,
			      const struct virtio_ipsec_sa_mod *m)
{
	u32 mf = le32_to_cpu(m->flags);
	struct vipsec_sa_ent *sa;

	mutex_lock(&vd->tab_lock);
	sa = xa_load(&vd->sas, id);
	if (sa && mf & VIRTIO_IPSEC_SA_MOD_LOCAL) {
		memcpy(sa->params.tun_src, m->local_addr, 16);
		sa->params.udp_src_port = m->local_port;
	}
	if (sa && mf & VIRTIO_IPSEC_SA_MOD_PEER) {
		memcpy(sa->params.tun_dst, m->peer_addr, 16);
		sa->params.udp_dst_port = m->peer_port;
	}
	if (sa && mf & VIRTIO_IPSEC_SA_MOD_WINDOW)
		sa->params.replay_window = m->replay_window;
	if (sa && mf & VIRTIO_IPSEC_SA_MOD_SEQ &&
	    sa->params.direction == VIRTIO_IPSEC_DIR_OUTBOUND)
		sa->params.initial_seq = m->seq;
	if (sa && mf & VIRTIO_IPSEC_SA_MOD_MTU) {
		sa->params.path_mtu = m->path_mtu;
		sa->params.frag_mode = m->frag_mode;
	}
	if (sa && mf & VIRTIO_IPSEC_SA_MOD_DISABLE)
		sa->disabled = true;
	mutex_unlock(&vd->tab_lock);
}

#define VIPSEC_SA_MOD_ALL	(VIRTIO_IPSEC_SA_MOD_LOCAL | \
				 VIRTIO_IPSEC_SA_MOD_PEER | \
				 VIRTIO_IPSEC_SA_MOD_SEQ | \
				 VIRTIO_IPSEC_SA_MOD_WINDOW | \
				 VIRTIO_IPSEC_SA_MOD_LIFETIME | \
				 VIRTIO_IPSEC_SA_MOD_MTU | \
				 VIRTIO_IPSEC_SA_MOD_DISABLE)

/* LIFETIME's fields: zero without the flag, the feature with it. */
static int vipsec_sa_mod_life_check(struct vipsec_dev *vd,
				    const struct virtio_ipsec_sa_mod *m,
				    u32 mf)
{
	if (!(mf & VIRTIO_IPSEC_SA_MOD_LIFETIME))
		return m->life_bytes || m->life_packets || m->life_seconds ?
		       -EINVAL : 0;
	if (!(vd->features & BIT_ULL(VIRTIO_IPSEC_F_SA_STATE)))
		return -EOPNOTSUPP;
	return 0;
}

/*
 * DISABLE drains before the device hears of it (seed 004): the mark
 * refuses every batch checked after it (-ESHUTDOWN, xform.c), and
 * vipsec_xform_sync() waits for every batch of @f that may have been
 * checked before it, so no packet handed over earlier is refused. The
 * device's own refusal (status DISABLED) then guards what the driver
 * does not see. Must hold f->lock.
 */
static int vipsec_sa_drain(struct vipsec_file *f, u32 sa_id)
{
	lockdep_assert_held(&f->lock);
	xa_set_mark(&f->sas, sa_id, VIPSEC_SA_DISABLED);
	return vipsec_xform_sync(f) ? 0 : -ETIMEDOUT;
}

/* The saved parameters of an outbound SA, for SA_MOD MTU's checks. */
static int vipsec_sa_dir_ver(struct vipsec_dev *vd, u32 id, u8 *dir, u8 *ver)
{
	struct vipsec_sa_ent *sa;

	mutex_lock(&vd->tab_lock);
	sa = xa_load(&vd->sas, id);
	if (sa) {
		*dir = sa->params.direction;
		*ver = sa->params.ip_version;
	}
	mutex_unlock(&vd->tab_lock);
	return sa ? 0 : -ENOENT;
}

long vipsec_ioctl_sa_mod(struct vipsec_file *f, void *arg, void __user *uarg)
{
	struct vipsec_dev *vd = f->vd;
	struct vipsec_sa_mod *m = arg;
	bool was_disabled;
	u32 mf, win;
	u8 st;
	int err;

	if (m->flags)
		return -EINVAL;
	mf = le32_to_cpu(m->mod.flags);
	win = le32_to_cpu(m->mod.replay_window);
	if (!mf || mf & ~VIPSEC_SA_MOD_ALL)
		return -EINVAL;
	err = vipsec_sa_mod_life_check(vd, &m->mod, mf);
	if (err)
		return err;
	if (!(mf & VIRTIO_IPSEC_SA_MOD_MTU) &&
	    (m->mod.path_mtu || m->mod.frag_mode))
		return -EINVAL;
	if (mf & VIRTIO_IPSEC_SA_MOD_WINDOW &&
	    (win > vd->lim.max_replay_window ||
	     win > VIRTIO_IPSEC_MAX_BITMAP_WORDS * 64))
		return -EINVAL;

	mutex_lock(&f->lock);
	if (!vipsec_file_owns_sa(f, m->group_id, m->sa_id)) {
		err = -ENOENT;
		goto out;
	}
	if (mf & VIRTIO_IPSEC_SA_MOD_MTU) {
		u8 dir, ver;

		err = vipsec_sa_dir_ver(vd, m->sa_id, &dir, &ver);
		if (!err)
			err = vipsec_mtu_check(dir, ver,
					       le16_to_cpu(m->mod.path_mtu),
					       m->mod.frag_mode);
		if (err)
			goto out;
	}
	was_disabled = vipsec_sa_disabled(f, m->sa_id);
	if (mf & VIRTIO_IPSEC_SA_MOD_DISABLE)
		err = vipsec_sa_drain(f, m->sa_id);
	if (!err)
		err = vipsec_ctrl_sa_mod(vd, m->group_id, m->sa_id, &m->mod,
					 &st);
	if (!err) {
		vipsec_tab_sa_mod(vd, m->sa_id, &m->mod);
		atomic64_inc(&vd->stats.sas_modified);
	} else if (!was_disabled) {
		/* nothing applied: the SA takes packets again */
		xa_clear_mark(&f->sas, m->sa_id, VIPSEC_SA_DISABLED);
	}
out:
	mutex_unlock(&f->lock);
	return err;
}

/* True when @f owns an SA of @group_id with an id above @after. */
static bool vipsec_file_has_sa_after(struct vipsec_file *f, u32 group_id,
				     u32 after)
{
	unsigned long id;
	void *entry;

	xa_for_each_start(&f->sas, id, entry, (unsigned long)after + 1)
		if (entry == xa_mk_value(group_id))
			return true;
	return false;
}

/* Device flags of an SA_GET ioctl's flags (checked by the caller). */
static u32 vipsec_sa_get_dev_flags(const struct vipsec_sa_get *g)
{
	return g->flags & VIPSEC_SA_GET_F_STATE ?
	       VIRTIO_IPSEC_SA_GET_F_STATE : 0;
}

/*
 * Pages through the device (FIRST/NEXT, or EXACT) and keeps only @f's SAs
 * of the group, at most g->max_sas records of the ioctl's stride (an
 * entry, with F_STATE followed by its state), in @out. Must hold f->lock.
 */
static int vipsec_sa_get_collect(struct vipsec_file *f,
				 struct vipsec_sa_get *g, u8 *out)
{
	u32 dflags = vipsec_sa_get_dev_flags(g);
	size_t stride = vipsec_sa_get_stride(dflags);
	struct vipsec_dev *vd = f->vd;
	struct virtio_ipsec_sa_entry *e;
	u32 op = g->op, cursor = g->op == VIRTIO_IPSEC_SA_GET_FIRST ? 0 :
				 g->sa_id;
	u32 i, n, id, last = cursor, max;
	void *resp, *recs;
	size_t len;
	bool more;
	u8 st;
	int err = 0;

	max = op == VIRTIO_IPSEC_SA_GET_EXACT ? 1 : VIPSEC_SA_GET_CHUNK;
	len = sizeof(struct virtio_ipsec_sa_get_resp) + max * stride;
	resp = kvzalloc(len, GFP_KERNEL);
	if (!resp)
		return -ENOMEM;
	recs = resp + sizeof(struct virtio_ipsec_sa_get_resp);
	g->count = 0;
	for (;;) {
		err = vipsec_ctrl_sa_get_flags(vd, g->group_id, op, dflags,
					       cursor, max, resp, &n, &more,
					       &st);
		if (err)
			break;
		for (i = 0; i < n && g->count < g->max_sas; i++) {
			e = recs + i * stride;
			id = le32_to_cpu(e->sa_id);
			if (!id || id > vd->lim.max_sas) {
				err = -EIO;	/* never an id the driver gave */
				break;
			}
			if (op != VIRTIO_IPSEC_SA_GET_EXACT && id <= cursor)
				continue;	/* not in the asked range */
			if (op == VIRTIO_IPSEC_SA_GET_EXACT && id != g->sa_id)
				continue;
			if (le32_to_cpu(e->group_id) != g->group_id ||
			    !vipsec_file_owns_sa(f, g->group_id, id))
				continue;	/* another file's SA */
			/* never pass key material on, whatever the device did */
			memzero_explicit(e->params.cipher_key,
					 sizeof(e->params.cipher_key));
			memzero_explicit(e->params.auth_key,
					 sizeof(e->params.auth_key));
			memzero_explicit(e->params.salt,
					 sizeof(e->params.salt));
			memcpy(out + g->count++ * stride, e, stride);
			last = id;
		}
		if (err || op == VIRTIO_IPSEC_SA_GET_EXACT || !more || !n ||
		    g->count >= g->max_sas)
			break;
		e = recs + (n - 1) * stride;
		id = le32_to_cpu(e->sa_id);
		if (id <= cursor || id > vd->lim.max_sas) {
			err = -EIO;	/* no progress or no such id: broken */
			break;
		}
		cursor = id;
		/* past the file's last SA nothing more can be its own */
		if (!vipsec_file_has_sa_after(f, g->group_id, cursor))
			break;
		op = VIRTIO_IPSEC_SA_GET_NEXT;
	}
	memzero_explicit(resp, len);	/* whatever the device sent */
	kvfree(resp);
	/*
	 * more only when the page is full: a short page ends the walk even
	 * if the device lost an SA the driver still lists
	 */
	if (!err && op != VIRTIO_IPSEC_SA_GET_EXACT &&
	    g->count == g->max_sas)
		g->more = vipsec_file_has_sa_after(f, g->group_id, last);
	if (!err && g->op == VIRTIO_IPSEC_SA_GET_EXACT && !g->count)
		err = -ENOENT;
	return err;
}

/* Checks an SA_GET; room for its records. */
static int vipsec_sa_get_prep(struct vipsec_file *f, void *arg,
			      struct vipsec_ctrl_io *io)
{
	struct vipsec_sa_get *g = arg;
	size_t stride;

	if (g->flags & ~VIPSEC_SA_GET_F_STATE ||
	    g->op > VIRTIO_IPSEC_SA_GET_EXACT || !g->max_sas ||
	    g->max_sas > VIPSEC_MAX_SA_GET)
		return -EINVAL;
	if (g->flags & VIPSEC_SA_GET_F_STATE &&
	    !(f->vd->features & BIT_ULL(VIRTIO_IPSEC_F_SA_STATE)))
		return -EOPNOTSUPP;
	stride = vipsec_sa_get_stride(vipsec_sa_get_dev_flags(g));
	BUILD_BUG_ON(sizeof(struct vipsec_sa_record) !=
		     sizeof(struct virtio_ipsec_sa_entry) +
		     sizeof(struct virtio_ipsec_sa_state));
	io->out = kvcalloc(g->max_sas, stride, GFP_KERNEL);
	if (!io->out)
		return -ENOMEM;
	io->out_cap = g->max_sas * stride;
	io->out_uptr = g->entries;
	return 0;
}

/* SA_GET into io->out; io->out_len: the bytes found. */
static int vipsec_sa_get_do(struct vipsec_file *f, struct vipsec_sa_get *g,
			    struct vipsec_ctrl_io *io)
{
	size_t stride = vipsec_sa_get_stride(vipsec_sa_get_dev_flags(g));
	int err;

	g->count = 0;
	g->more = 0;
	mutex_lock(&f->lock);
	if (!vipsec_file_owns_group(f, g->group_id))
		err = -ENOENT;
	else if (g->op == VIRTIO_IPSEC_SA_GET_EXACT &&
		 !vipsec_file_owns_sa(f, g->group_id, g->sa_id))
		err = -ENOENT;
	else
		err = vipsec_sa_get_collect(f, g, io->out);
	mutex_unlock(&f->lock);
	io->out_len = err ? 0 : g->count * stride;
	return err;
}

long vipsec_ioctl_sa_get(struct vipsec_file *f, void *arg, void __user *uarg)
{
	struct vipsec_ctrl_io io = {};
	struct vipsec_sa_get *g = arg;
	int err;

	err = vipsec_sa_get_prep(f, g, &io);
	if (err)
		return err;
	err = vipsec_sa_get_do(f, g, &io);
	if (!err && copy_to_user(u64_to_user_ptr(g->entries), io.out,
				 io.out_len))
		err = -EFAULT;
	if (!err)
		err = vipsec_copy_arg_out(uarg, g, sizeof(*g));
	vipsec_sa_io_free(&io);
	return err;
}

/* Asynchronous SA_GET: records and struct on success, as synchronous. */
static long vipsec_sa_get_run(struct vipsec_file *f, void *arg,
			      struct vipsec_ctrl_io *io)
{
	int err = vipsec_sa_get_do(f, arg, io);

	io->arg_out = !err;
	return err;
}

const struct vipsec_ctrl_out_ops vipsec_sa_get_async = {
	.prep = vipsec_sa_get_prep,
	.run = vipsec_sa_get_run,
};

/*
 * An own non-default group goes to the device's SA_FLUSH in one request;
 * the shared default group (or a device without SA_FLUSH) is emptied one
 * own SA at a time. Must hold f->lock.
 */
static int vipsec_sa_flush_group(struct vipsec_file *f, u32 group_id)
{
	unsigned long id;
	void *entry;
	u8 st;
	int err;

	lockdep_assert_held(&f->lock);
	if (group_id) {
		err = vipsec_ctrl_sa_flush(f->vd, group_id, &st);
		if (!err) {
			xa_for_each(&f->sas, id, entry)
				if (entry == xa_mk_value(group_id))
					vipsec_sa_forget(f, id, false);
			return 0;
		}
		if (err != -EOPNOTSUPP)
			return err;
	}
	xa_for_each(&f->sas, id, entry) {
		if (entry != xa_mk_value(group_id))
			continue;
		err = vipsec_sa_remove(f, group_id, id, false);
		if (err)
			return err;
	}
	return 0;
}

long vipsec_ioctl_sa_flush(struct vipsec_file *f, void *arg, void __user *uarg)
{
	struct vipsec_sa_flush *fl = arg;
	int err;

	if (fl->flags || fl->reserved)
		return -EINVAL;

	mutex_lock(&f->lock);
	if (!vipsec_file_owns_group(f, fl->group_id))
		err = -ENOENT;
	else
		err = vipsec_sa_flush_group(f, fl->group_id);
	mutex_unlock(&f->lock);
	return err;
}
