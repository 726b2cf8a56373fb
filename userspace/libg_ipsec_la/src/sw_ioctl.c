// SPDX-License-Identifier: BSD-3-Clause
/*
 * Software accelerator: the control ioctls of <linux/virtio_ipsec_dev.h>
 * with the driver's rules (claim first, ownership per file, SA ids not
 * reused while live, all-or-nothing SA_ADD), turned into control requests
 * of the device core.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sw.h"

/* One control request through the core; returns the footer status. */
uint8_t gla_sw_ctrl(uint16_t op, uint32_t group, uint32_t sa_id,
		    const void *body, size_t body_len, void *out,
		    size_t out_cap, uint32_t *out_len)
{
	struct virtio_ipsec_resp_footer ft;
	struct virtio_ipsec_ctrl_hdr h;
	size_t rcap = out_cap + sizeof(ft);
	uint8_t *req, *resp;
	ssize_t n;
	uint8_t st = VIRTIO_IPSEC_ERR;

	req = calloc(1, sizeof(h) + body_len);
	resp = calloc(1, rcap);
	if (req && resp) {
		memset(&h, 0, sizeof(h));
		h.opcode = htole16(op);
		h.group_id = htole32(group);
		h.sa_id = htole32(sa_id);
		memcpy(req, &h, sizeof(h));
		if (body_len)
			memcpy(req + sizeof(h), body, body_len);
		gla_sw_tick();
		n = vpe_core_handle_ctrl(gla_sw.core, req, sizeof(h) + body_len,
					 resp, rcap);
		if (n >= (ssize_t)sizeof(ft)) {
			memcpy(&ft, resp + rcap - sizeof(ft), sizeof(ft));
			st = ft.status;
			if (out_len)
				*out_len = le32toh(ft.out_len) > out_cap ?
					   0 : le32toh(ft.out_len);
			if (out && out_cap)
				memcpy(out, resp, out_cap);
		}
	}
	if (req)
		explicit_bzero(req, sizeof(h) + body_len);	/* keys */
	free(req);
	free(resp);
	return st;
}

/* Control-path status to errno, as the driver's ctrl.c does. */
static int gla_sw_errno(uint8_t st)
{
	return st == VIRTIO_IPSEC_OK ? 0 : gla_ctrl_status_to_errno(st);
}

static int gla_sw_info(struct vipsec_info *i)
{
	struct virtio_ipsec_config c;

	vpe_core_fill_config(gla_sw.core, &c);
	memset(i, 0, sizeof(*i));
	i->size = sizeof(*i);
	i->id = GLA_SW_ID;
	i->abi_version = le32toh(c.abi_version);
	snprintf(i->name, sizeof(i->name), G_IPSEC_LA_SOFTWARE_NAME);
	i->features = vpe_core_features(gla_sw.core);
	i->cipher_algo_mask = le64toh(c.cipher_algo_mask);
	i->auth_algo_mask = le64toh(c.auth_algo_mask);
	i->max_sas = le32toh(c.max_sas);
	i->max_groups = le32toh(c.max_groups);
	i->max_packet_len = le32toh(c.max_packet_len);
	i->max_batch = le32toh(c.max_batch);
	i->max_replay_window = le32toh(c.max_replay_window);
	i->max_cipher_key_len = le32toh(c.max_cipher_key_len);
	i->max_auth_key_len = le32toh(c.max_auth_key_len);
	i->num_data_queues = 1;
	return 0;
}

static int gla_sw_claim(struct gla_sw_file *f, const struct vipsec_claim *c)
{
	if (c->flags || c->reserved ||
	    (c->mode != VIPSEC_MODE_EXCLUSIVE && c->mode != VIPSEC_MODE_SHARED))
		return -EINVAL;
	if (f->mode)
		return -EALREADY;
	if (gla_sw.nclaims && (c->mode == VIPSEC_MODE_EXCLUSIVE ||
			       gla_sw.mode == VIPSEC_MODE_EXCLUSIVE))
		return -EBUSY;
	f->mode = c->mode;
	gla_sw.mode = c->mode;
	gla_sw.nclaims++;
	memcpy(f->app, c->app_identity, sizeof(f->app));
	f->app[sizeof(f->app) - 1] = 0;
	return 0;
}

/* Group @g usable by @f: the default group, or one @f created. */
static int gla_sw_group_ok(struct gla_sw_file *f, uint32_t g)
{
	return !g || (g <= gla_sw.max_groups && gla_sw.groups[g] == f);
}

static int gla_sw_sa_ok(struct gla_sw_file *f, uint32_t g, uint32_t id)
{
	return id && id <= gla_sw.max_sas && gla_sw.sas[id].owner == f &&
	       gla_sw.sas[id].group == g;
}

static int gla_sw_group_create(struct gla_sw_file *f, struct vipsec_group *g)
{
	struct virtio_ipsec_group_create b;
	uint32_t i;
	uint8_t st;

	if (g->flags || g->reserved)
		return -EINVAL;
	for (i = 1; i <= gla_sw.max_groups && gla_sw.groups[i]; i++)
		;
	if (i > gla_sw.max_groups)
		return -ENOSPC;
	memset(&b, 0, sizeof(b));
	memcpy(b.name, g->name, sizeof(b.name) - 1);
	st = gla_sw_ctrl(VIRTIO_IPSEC_OP_GROUP_CREATE, i, 0, &b, sizeof(b),
			 NULL, 0, NULL);
	if (st)
		return gla_sw_errno(st);
	gla_sw.groups[i] = f;
	g->group_id = i;
	return 0;
}

static int gla_sw_group_destroy(struct gla_sw_file *f, struct vipsec_group *g)
{
	uint8_t st;

	if (g->flags || g->reserved || !g->group_id)
		return -EINVAL;
	if (!gla_sw_group_ok(f, g->group_id))
		return -ENOENT;
	st = gla_sw_ctrl(VIRTIO_IPSEC_OP_GROUP_DESTROY, g->group_id, 0, NULL, 0,
			 NULL, 0, NULL);
	if (st)
		return gla_sw_errno(st);
	gla_sw.groups[g->group_id] = NULL;
	return 0;
}

static uint32_t gla_sw_alloc_id(void)
{
	uint32_t i, id;

	for (i = 0; i < gla_sw.max_sas; i++) {
		id = (gla_sw.next_id + i) % gla_sw.max_sas + 1;
		if (!gla_sw.sas[id].owner) {
			gla_sw.next_id = id;
			return id;
		}
	}
	return 0;
}

static void gla_sw_sa_gone(uint32_t id)
{
	gla_sw.sas[id].owner = NULL;
	gla_sw.counters.sas_deleted++;
	gla_sw.counters.active_sas--;
}

static int gla_sw_sa_add(struct gla_sw_file *f, struct vipsec_sa_add *a)
{
	const struct virtio_ipsec_sa_params *p =
		(const void *)(uintptr_t)a->params;
	uint32_t *ids = (uint32_t *)(uintptr_t)a->ids;
	uint32_t i, k, id;
	uint8_t st = 0;

	a->dev_status = a->failed_index = 0;
	if (a->flags || !a->num_sas || a->num_sas > VIPSEC_MAX_SA_BATCH ||
	    !p || !ids)
		return -EINVAL;
	if (!gla_sw_group_ok(f, a->group_id))
		return -ENOENT;
	for (i = 0; i < a->num_sas; i++) {
		id = gla_sw_alloc_id();
		if (!id) {
			st = VIRTIO_IPSEC_NOSPC;
			break;
		}
		st = gla_sw_ctrl(VIRTIO_IPSEC_OP_SA_ADD, a->group_id, id, &p[i],
				 sizeof(p[i]), NULL, 0, NULL);
		if (st)
			break;
		gla_sw.sas[id] = (struct gla_sw_sa){ f, a->group_id };
		ids[i] = id;
	}
	if (!st) {
		gla_sw.counters.sas_created += a->num_sas;
		gla_sw.counters.active_sas += a->num_sas;
		return 0;
	}
	for (k = 0; k < i; k++) {	/* all or nothing */
		gla_sw_ctrl(VIRTIO_IPSEC_OP_SA_DEL, a->group_id, ids[k], NULL, 0,
			    NULL, 0, NULL);
		gla_sw.sas[ids[k]].owner = NULL;
	}
	a->dev_status = st;
	a->failed_index = i;
	return gla_sw_errno(st);
}

static int gla_sw_sa_del(struct gla_sw_file *f, const struct vipsec_sa_del *d)
{
	uint8_t st;

	if (d->flags)
		return -EINVAL;
	if (!gla_sw_sa_ok(f, d->group_id, d->sa_id))
		return -ENOENT;
	st = gla_sw_ctrl(VIRTIO_IPSEC_OP_SA_DEL, d->group_id, d->sa_id, NULL, 0,
			 NULL, 0, NULL);
	if (st && st != VIRTIO_IPSEC_INVSA)
		return gla_sw_errno(st);
	gla_sw_sa_gone(d->sa_id);
	return 0;
}

static int gla_sw_sa_mod(struct gla_sw_file *f, const struct vipsec_sa_mod *m)
{
	uint8_t st;

	if (m->flags)
		return -EINVAL;
	if (!gla_sw_sa_ok(f, m->group_id, m->sa_id))
		return -ENOENT;
	st = gla_sw_ctrl(VIRTIO_IPSEC_OP_SA_MOD, m->group_id, m->sa_id,
			 &m->mod, sizeof(m->mod), NULL, 0, NULL);
	if (!st)
		gla_sw.counters.sas_modified++;
	return gla_sw_errno(st);
}

static int gla_sw_sa_get(struct gla_sw_file *f, struct vipsec_sa_get *g)
{
	struct virtio_ipsec_sa_entry *dst = (void *)(uintptr_t)g->entries;
	struct virtio_ipsec_sa_get_resp *r;
	struct virtio_ipsec_sa_entry *e;
	struct virtio_ipsec_sa_get b;
	uint32_t i, n, len = 0;
	size_t cap;
	uint8_t st;

	if (g->flags || !g->max_sas || g->max_sas > VIPSEC_MAX_SA_GET || !dst ||
	    g->op > VIRTIO_IPSEC_SA_GET_EXACT)
		return -EINVAL;
	if (!gla_sw_group_ok(f, g->group_id))
		return -ENOENT;
	if (g->op == VIRTIO_IPSEC_SA_GET_EXACT &&
	    !gla_sw_sa_ok(f, g->group_id, g->sa_id))
		return -ENOENT;
	cap = sizeof(*r) + (size_t)g->max_sas * sizeof(*e);
	r = calloc(1, cap);
	if (!r)
		return -ENOMEM;
	memset(&b, 0, sizeof(b));
	b.op = htole32(g->op);
	b.max_sas = htole32(g->max_sas);
	st = gla_sw_ctrl(VIRTIO_IPSEC_OP_SA_GET, g->group_id, g->sa_id, &b,
			 sizeof(b), r, cap, &len);
	n = le32toh(r->count);
	if (!st && (len < sizeof(*r) || n > g->max_sas ||
		    len < sizeof(*r) + n * sizeof(*e)))
		st = VIRTIO_IPSEC_ERR;	/* impossible answer */
	g->count = 0;
	g->more = 0;
	if (!st) {
		/* the default group is shared: show only this file's SAs */
		e = (struct virtio_ipsec_sa_entry *)(r + 1);
		for (i = 0; i < n; i++)
			if (gla_sw_sa_ok(f, le32toh(e[i].group_id),
					 le32toh(e[i].sa_id)))
				dst[g->count++] = e[i];
		g->more = le32toh(r->more) ? 1 : 0;
	}
	free(r);
	return gla_sw_errno(st);
}

static int gla_sw_sa_flush(struct gla_sw_file *f, const struct vipsec_sa_flush *fl)
{
	uint32_t id;

	if (fl->flags || fl->reserved)
		return -EINVAL;
	if (!gla_sw_group_ok(f, fl->group_id))
		return -ENOENT;
	/* per SA: the default group holds other files' SAs too */
	for (id = 1; id <= gla_sw.max_sas; id++)
		if (gla_sw_sa_ok(f, fl->group_id, id)) {
			gla_sw_ctrl(VIRTIO_IPSEC_OP_SA_DEL, fl->group_id, id, NULL,
				    0, NULL, 0, NULL);
			gla_sw_sa_gone(id);
		}
	return 0;
}

/* close(): what the driver does for a file going away. */
void gla_sw_release(struct gla_sw_file *f)
{
	uint32_t id, g;

	for (id = 1; id <= gla_sw.max_sas; id++)
		if (gla_sw.sas[id].owner == f) {
			gla_sw_ctrl(VIRTIO_IPSEC_OP_SA_DEL, gla_sw.sas[id].group,
				    id, NULL, 0, NULL, 0, NULL);
			gla_sw_sa_gone(id);
		}
	for (g = 1; g <= gla_sw.max_groups; g++)
		if (gla_sw.groups[g] == f) {
			gla_sw_ctrl(VIRTIO_IPSEC_OP_GROUP_DESTROY, g, 0, NULL, 0,
				    NULL, 0, NULL);
			gla_sw.groups[g] = NULL;
		}
	if (f->mode && !--gla_sw.nclaims)
		gla_sw.mode = 0;
	f->mode = 0;
}

/* Dispatch; every argument starts with its size, checked as the driver
 * does: smaller than the v0 struct is -EINVAL. */
static int gla_sw_dispatch(struct gla_sw_file *f, unsigned long cmd, void *arg)
{
	if (*(uint32_t *)arg < _IOC_SIZE(cmd))
		return -EINVAL;
	if (cmd == VIPSEC_IOC_INFO)
		return gla_sw_info(arg);
	if (cmd == VIPSEC_IOC_CLAIM)
		return gla_sw_claim(f, arg);
	if (!f->mode)
		return -EPERM;
	switch (cmd) {
	case VIPSEC_IOC_GROUP_CREATE:
		return gla_sw_group_create(f, arg);
	case VIPSEC_IOC_GROUP_DESTROY:
		return gla_sw_group_destroy(f, arg);
	case VIPSEC_IOC_SA_ADD:
		return gla_sw_sa_add(f, arg);
	case VIPSEC_IOC_SA_DEL:
		return gla_sw_sa_del(f, arg);
	case VIPSEC_IOC_SA_MOD:
		return gla_sw_sa_mod(f, arg);
	case VIPSEC_IOC_SA_GET:
		return gla_sw_sa_get(f, arg);
	case VIPSEC_IOC_SA_FLUSH:
		return gla_sw_sa_flush(f, arg);
	case VIPSEC_IOC_XFORM:
		return gla_sw_xform(f, arg);
	default:
		return -EOPNOTSUPP;
	}
}

int gla_sw_ioctl(struct gla_sw_file *f, unsigned long cmd, void *arg)
{
	int ret;

	if (!arg)
		return -EFAULT;
	pthread_mutex_lock(&gla_sw.lock);
	ret = gla_sw_dispatch(f, cmd, arg);
	gla_sw_pump();
	pthread_mutex_unlock(&gla_sw.lock);
	return ret;
}
