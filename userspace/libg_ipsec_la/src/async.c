// SPDX-License-Identifier: BSD-3-Clause
/*
 * Callbacks without hidden threads: g_ipsec_la_poll() runs, in the
 * caller's thread, deferred control responses, completed ASYNC packet
 * batches (VIPSEC_EV_XFORM_DONE records read from the fd), notification
 * hooks and the instance-broken callback. g_ipsec_la_fd_get() gives the fd
 * for the application's own epoll loop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

struct gla_pending *gla_pending_new(const struct g_ipsec_la_resp_args *resp)
{
	struct gla_pending *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (resp && resp->cbfn) {
		p->cbfn = resp->cbfn;
		p->cb_arg = resp->cb_arg;
		p->cb_arg_len = resp->cb_arg_len;
		if (resp->cb_arg_len > 0) { /* checked <= MAX by caller */
			memcpy(p->cb_copy, resp->cb_arg,
			       (size_t)resp->cb_arg_len);
			p->cb_arg = p->cb_copy;
		}
	}
	return p;
}

void gla_pending_free(struct gla_pending *p)
{
	if (!p)
		return;
	free(p->pkts);
	free(p->segs);
	gla_ctrl_x_free(p->ctrl_x);
	free(p);
}

/* Must hold inst->lock. */
static void gla_ready_push(struct gla_inst *inst, struct gla_pending *p)
{
	p->next = NULL;
	if (inst->ready_tail)
		inst->ready_tail->next = p;
	else
		inst->ready_head = p;
	inst->ready_tail = p;
}

void gla_defer(struct gla_inst *inst, struct gla_pending *p)
{
	pthread_mutex_lock(&inst->lock);
	gla_ready_push(inst, p);
	pthread_mutex_unlock(&inst->lock);
}

int gla_finish_ctrl(const struct gla_ref *ref, uint32_t flags,
		    const struct g_ipsec_la_resp_args *resp, int ret,
		    const void *out, size_t len)
{
	struct gla_pending *p;

	if (!(flags & G_IPSEC_LA_CTRL_FLAG_ASYNC) ||
	    (flags & G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED))
		return ret;
	/* The operation is done; only its callback is deferred. An error
	 * is returned now and there is no callback for it. */
	if (ret)
		return ret;
	p = gla_pending_new(resp);
	if (!p)
		return -ENOMEM;
	if (len > sizeof(p->out))
		len = sizeof(p->out);
	memcpy(&p->out, out, len);
	gla_defer(ref->inst, p);
	return 0;
}

int gla_finish_result(const struct gla_ref *ref, uint32_t flags,
		      const struct g_ipsec_la_resp_args *resp, int ret,
		      int32_t *result)
{
	/* The bytes of the one-member outargs the callback receives. */
	int32_t res = ret;

	if (result)
		*result = res;
	if (ret)
		return ret;
	return gla_finish_ctrl(ref, flags, resp, ret, &res, sizeof(res));
}

int gla_ctrl_async(const struct gla_ref *ref, uint32_t flags,
		   const struct g_ipsec_la_resp_args *resp, unsigned long cmd,
		   void *arg, uint32_t group, uint32_t sa)
{
	int no_resp = !!(flags & G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED);
	struct gla_pending *p;
	int ret;

	if (!(flags & G_IPSEC_LA_CTRL_FLAG_ASYNC) && !no_resp)
		return 0;
	p = gla_pending_new(no_resp ? NULL : resp);
	if (!p)
		return -ENOMEM;
	p->is_ctrl = 1;
	p->ctrl_cmd = cmd;
	p->ctrl_group = group;
	p->ctrl_sa = sa;
	ret = gla_ctrl_submit(ref, p, cmd, arg);
	if (!ret)
		return 1;
	gla_pending_free(p);
	return ret;
}

int gla_ctrl_submit(const struct gla_ref *ref, struct gla_pending *p,
		    unsigned long cmd, void *arg)
{
	struct vipsec_ctrl_async a;
	struct gla_pending **pp;
	int ret;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.cmd = (uint32_t)cmd;
	a.arg = (uintptr_t)arg;
	a.user_data = (uintptr_t)p;
	/* Linked first: another thread's poll may read the record at once. */
	pthread_mutex_lock(&ref->inst->lock);
	p->next = ref->inst->inflight;
	ref->inst->inflight = p;
	pthread_mutex_unlock(&ref->inst->lock);
	ret = gla_dev_ioctl(ref, VIPSEC_IOC_CTRL_ASYNC, &a);
	if (!ret)
		return 0;
	pthread_mutex_lock(&ref->inst->lock);
	for (pp = &ref->inst->inflight; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	pthread_mutex_unlock(&ref->inst->lock);
	return ret;
}

/*
 * An ASYNC control call completed: its bookkeeping, then its callback.
 * Returns callbacks run, or -1 when @p went back in flight (an sa_get's
 * next page).
 */
static int gla_ctrl_done(struct gla_inst *inst, struct gla_pending *p,
			 int32_t result)
{
	if (p->ctrl_x) {
		if (gla_ctrl_x_done(inst, p, result))
			return -1;
		if (!p->cbfn)
			return 0;
		p->cbfn(p->cb_arg, p->cb_arg_len, &p->out);
		return 1;
	}
	if (!result && p->ctrl_cmd == VIPSEC_IOC_SA_DEL)
		gla_sa_meta_clear(inst, p->ctrl_sa);
	if (!result && p->ctrl_cmd == VIPSEC_IOC_SA_FLUSH)
		gla_sa_meta_clear_group(inst, p->ctrl_group);
	/* sa_del, sa_mod and flush outargs are their result alone */
	p->out.result = result;
	if (!p->cbfn)
		return 0;
	p->cbfn(p->cb_arg, p->cb_arg_len, &p->out);
	return 1;
}

int gla_sa_meta_live(struct gla_inst *inst, uint32_t id)
{
	int live;

	if (id > inst->info.max_sas)
		return 0;
	pthread_mutex_lock(&inst->lock);
	live = inst->sas[id].live;
	pthread_mutex_unlock(&inst->lock);
	return live;
}

void gla_inst_drain(struct gla_inst *inst)
{
	struct gla_pending *p, *n;

	pthread_mutex_lock(&inst->lock);
	for (p = inst->ready_head; p; p = n) {
		n = p->next;
		gla_pending_free(p);
	}
	for (p = inst->inflight; p; p = n) {
		n = p->next;
		gla_pending_free(p);
	}
	inst->ready_head = inst->ready_tail = inst->inflight = NULL;
	pthread_mutex_unlock(&inst->lock);
}

void gla_sa_meta_set(struct gla_inst *inst, uint32_t id, uint32_t group,
		     uint32_t dir, uint32_t spi)
{
	if (id > inst->info.max_sas)
		return;
	pthread_mutex_lock(&inst->lock);
	inst->sas[id] = (struct gla_sa_meta){ 1, group, dir, spi };
	pthread_mutex_unlock(&inst->lock);
}

void gla_sa_meta_clear(struct gla_inst *inst, uint32_t id)
{
	if (id > inst->info.max_sas)
		return;
	pthread_mutex_lock(&inst->lock);
	memset(&inst->sas[id], 0, sizeof(inst->sas[id]));
	pthread_mutex_unlock(&inst->lock);
}

void gla_sa_meta_clear_group(struct gla_inst *inst, uint32_t group)
{
	uint32_t i;

	pthread_mutex_lock(&inst->lock);
	for (i = 0; i <= inst->info.max_sas; i++)
		if (inst->sas[i].live && inst->sas[i].group_id == group)
			memset(&inst->sas[i], 0, sizeof(inst->sas[i]));
	pthread_mutex_unlock(&inst->lock);
}

int32_t g_ipsec_la_notification_hooks_register(
	struct g_ipsec_la_handle *handle,
	const struct g_ipsec_la_notification_hooks *in)
{
	struct gla_ref ref;
	int ret;

	if (!in)
		return -EINVAL;
	ret = gla_ref_get(handle, &ref);
	if (ret)
		return ret;
	if (!(ref.info.features & (1ULL << VIRTIO_IPSEC_F_EVENTQ)))
		return -EOPNOTSUPP;
	pthread_mutex_lock(&ref.inst->lock);
	ref.inst->hooks = *in;
	pthread_mutex_unlock(&ref.inst->lock);
	return 0;
}

int32_t
g_ipsec_la_notification_hooks_deregister(struct g_ipsec_la_handle *handle)
{
	struct gla_ref ref;
	int ret = gla_ref_get(handle, &ref);

	if (ret)
		return ret;
	pthread_mutex_lock(&ref.inst->lock);
	memset(&ref.inst->hooks, 0, sizeof(ref.inst->hooks));
	memset(&ref.inst->ev_hooks, 0, sizeof(ref.inst->ev_hooks));
	pthread_mutex_unlock(&ref.inst->lock);
	return 0;
}

int32_t
g_ipsec_la_notifications_hook_deregister(struct g_ipsec_la_handle *handle)
{
	return g_ipsec_la_notification_hooks_deregister(handle);
}

int32_t g_ipsec_la_fd_get(struct g_ipsec_la_handle *handle, int *fd)
{
	struct gla_ref ref;
	int ret;

	if (!fd)
		return -EINVAL;
	ret = gla_ref_get(handle, &ref);
	if (ret)
		return ret;
	*fd = ref.fd;
	return 0;
}

/* The in-flight batch whose address the driver echoed, unlinked. */
static struct gla_pending *gla_inflight_take(struct gla_inst *inst,
					     uint64_t user_data)
{
	struct gla_pending **pp, *p;

	pthread_mutex_lock(&inst->lock);
	for (pp = &inst->inflight; (p = *pp); pp = &p->next)
		if ((uintptr_t)p == user_data) {
			*pp = p->next;
			break;
		}
	pthread_mutex_unlock(&inst->lock);
	return p;
}

/* Puts @p back among the in-flight ones (a record of the wrong type). */
static void gla_defer_inflight(struct gla_inst *inst, struct gla_pending *p)
{
	pthread_mutex_lock(&inst->lock);
	p->next = inst->inflight;
	inst->inflight = p;
	pthread_mutex_unlock(&inst->lock);
}

/* Run one event record's hook. Returns callbacks run (0 or 1). */
static int gla_event_hook(struct gla_inst *inst, const struct vipsec_event *e)
{
	struct g_ipsec_la_notification_hooks hk;
	struct g_ipsec_la_sa_handle sh;
	struct gla_sa_meta m = { 0 };
	struct gla_ref ref = { .slot = inst->slot, .gen = inst->gen };

	pthread_mutex_lock(&inst->lock);
	hk = inst->hooks;
	if (e->sa_id <= inst->info.max_sas)
		m = inst->sas[e->sa_id];
	pthread_mutex_unlock(&inst->lock);
	gla_sa_handle_encode(&sh, &ref, e->group_id, e->sa_id,
			     m.live ? m.dir : 0, m.spi);
	if (e->type == VIPSEC_EV_SEQ_OVERFLOW ||
	    e->type == VIPSEC_EV_SEQ_NOTIFY) {
		struct g_ipsec_la_handle h = inst->handle;
		struct g_ipsec_seq_number_notification n = {
			.handle = &h,
			.sa_handle = &sh,
			.seq_num = (uint32_t)e->seq,
			.hi_seq_num = (uint32_t)(e->seq >> 32),
		};

		if (e->type == VIPSEC_EV_SEQ_OVERFLOW &&
		    hk.seq_num_overflow_fn) {
			hk.seq_num_overflow_fn(inst->handle, &n);
			return 1;
		}
		if (e->type == VIPSEC_EV_SEQ_NOTIFY &&
		    hk.seq_num_periodic_update_fn) {
			hk.seq_num_periodic_update_fn(inst->handle, &n);
			return 1;
		}
		return 0;
	}
	if (e->type == VIPSEC_EV_SOFT_EXPIRY && hk.soft_lifetimeout_expiry_fn) {
		struct g_ipsec_la_lifetime_in_bytes_notification n;

		memset(&n, 0, sizeof(n));
		n.sa_handle = sh;
		/* flags: which limit; value: packets for a packet limit,
		 * else bytes processed (driver's evq.c) */
		n.limit = e->flags;
		if (e->flags == VIRTIO_IPSEC_LIMIT_PACKETS) {
			n.packets = e->value;
		} else {
			n.bytes = e->value;
			n.ipsec_lifetime_in_kbytes =
				(uint32_t)(e->value / 1024);
		}
		hk.soft_lifetimeout_expiry_fn(inst->handle, &n);
		return 1;
	}
	return gla_event_ext_hook(inst, e, &sh);
}

/* Handle one record read from the fd. Returns callbacks run. */
static int gla_record(struct gla_inst *inst, const struct vipsec_event *e)
{
	struct gla_pending *p;
	int ran;

	switch (e->type) {
	case VIPSEC_EV_CTRL_DONE:
		p = gla_inflight_take(inst, e->user_data);
		if (!p || !p->is_ctrl) { /* not ours: ignore */
			if (p)		 /* a batch's address: put it back */
				gla_defer_inflight(inst, p);
			return 0;
		}
		ran = gla_ctrl_done(inst, p, e->result);
		if (ran < 0)
			return 0; /* in flight again: not freed */
		gla_pending_free(p);
		return ran;
	case VIPSEC_EV_XFORM_DONE:
		p = gla_inflight_take(inst, e->user_data);
		if (!p)
			return 0; /* not ours (forged or closed): ignore */
		ran = p->cbfn ? 1 : 0;
		gla_pkt_complete(p, e->result); /* runs the callback */
		gla_pending_free(p);
		return ran;
	case VIPSEC_EV_DEVICE_LOST: inst->lost = 1; return 0;
	default: return gla_event_hook(inst, e);
	}
}

/* Read every queued record without blocking. Returns callbacks run. */
static int gla_read_records(struct gla_inst *inst)
{
	struct vipsec_event ev[16];
	struct gla_file *f = &inst->file;
	ssize_t n;
	int ran = 0, i;

	for (;;) {
		n = f->be->read(f, ev, sizeof(ev));
		if (n == 0 || n == -ENODEV)
			inst->lost = 1; /* end of file: the device is gone */
		if (n <= 0)
			break;
		for (i = 0; i < (int)(n / sizeof(ev[0])); i++)
			ran += gla_record(inst, &ev[i]);
		if ((size_t)n < sizeof(ev))
			break;
	}
	return ran;
}

/* Run the deferred control callbacks queued so far. */
static int gla_run_ready(struct gla_inst *inst)
{
	struct gla_pending *p;
	int ran = 0;

	for (;;) {
		pthread_mutex_lock(&inst->lock);
		p = inst->ready_head;
		if (p) {
			inst->ready_head = p->next;
			if (!inst->ready_head)
				inst->ready_tail = NULL;
		}
		pthread_mutex_unlock(&inst->lock);
		if (!p)
			break;
		if (p->cbfn) {
			p->cbfn(p->cb_arg, p->cb_arg_len, &p->out);
			ran++;
		}
		gla_pending_free(p);
	}
	return ran;
}

int32_t g_ipsec_la_poll(struct g_ipsec_la_handle *handle, int timeout_ms)
{
	struct gla_ref ref;
	struct gla_inst *inst;
	int ret, ran;

	ret = gla_ref_get(handle, &ref);
	if (ret)
		return ret;
	inst = ref.inst;
	ran = gla_run_ready(inst) + gla_read_records(inst);
	if (!ran && timeout_ms && !inst->lost &&
	    inst->file.be->poll(&inst->file, timeout_ms) > 0)
		ran = gla_read_records(inst);
	ran += gla_run_ready(inst);
	if (inst->lost && !inst->broken_called) {
		inst->broken_called = 1;
		if (inst->cb_fn) {
			struct g_ipsec_la_handle h = inst->handle;

			inst->cb_fn(&h, inst->cb_arg);
			ran++;
		}
	}
	if (!ran && inst->lost)
		return -ENODEV;
	return ran;
}
