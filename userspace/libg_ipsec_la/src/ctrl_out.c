// SPDX-License-Identifier: BSD-3-Clause
/*
 * ASYNC g_ipsec_la_create_group(), g_ipsec_la_sa_add() and
 * g_ipsec_la_sa_get(): the call returns once the driver queued it
 * (VIPSEC_IOC_CTRL_ASYNC); the driver writes the output - the group id,
 * the SA ids, the SA records - into this pending call's own memory when
 * g_ipsec_la_poll() reads the CTRL_DONE record, and the callback gets
 * outargs built from it. An sa_get that must page on (SAs of the other
 * direction in the way) submits its next page from the completion and
 * runs the callback after the last one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct gla_ctrl_x {
	struct gla_ref ref; /* slot, gen, group, the instance */
	union {
		struct vipsec_group g;
		struct vipsec_sa_add a;
		struct vipsec_sa_get s;
	} arg; /* the driver writes it back */
	/* sa_add */
	uint32_t dir;
	uint32_t ids[G_IPSEC_LA_MAX_SA_BATCH];
	uint32_t spis[G_IPSEC_LA_MAX_SA_BATCH];
	/* sa_get: the inargs (no handle: used at submit only) and pages */
	struct g_ipsec_la_sa_get_inargs in;
	uint8_t *entries;
};

void gla_ctrl_x_free(struct gla_ctrl_x *x)
{
	if (!x)
		return;
	free(x->entries);
	free(x);
}

static struct gla_pending *gla_ctrl_x_new(const struct gla_ref *ref,
					  const struct g_ipsec_la_resp_args *r,
					  unsigned long cmd)
{
	struct gla_pending *p = gla_pending_new(r);

	if (!p)
		return NULL;
	p->ctrl_x = calloc(1, sizeof(*p->ctrl_x));
	if (!p->ctrl_x) {
		gla_pending_free(p);
		return NULL;
	}
	p->ctrl_x->ref = *ref;
	p->is_ctrl = 1;
	p->ctrl_cmd = cmd;
	p->ctrl_group = ref->group_id;
	return p;
}

/* Submits @p's call; on failure frees @p. 0 queued, else negative. */
static int gla_ctrl_x_submit(struct gla_pending *p)
{
	int ret = gla_ctrl_submit(&p->ctrl_x->ref, p, p->ctrl_cmd,
				  &p->ctrl_x->arg);

	if (ret)
		gla_pending_free(p);
	return ret;
}

int gla_create_group_async(const struct gla_ref *ref, const char *name,
			   size_t len, const struct g_ipsec_la_resp_args *resp)
{
	struct gla_pending *p;

	p = gla_ctrl_x_new(ref, resp, VIPSEC_IOC_GROUP_CREATE);
	if (!p)
		return -ENOMEM;
	p->ctrl_x->arg.g.size = sizeof(p->ctrl_x->arg.g);
	memcpy(p->ctrl_x->arg.g.name, name, len);
	return gla_ctrl_x_submit(p);
}

int gla_sa_add_async(const struct gla_ref *ref,
		     const struct g_ipsec_la_sa_add_inargs *in,
		     const struct virtio_ipsec_sa_params *params,
		     struct g_ipsec_la_sa_add_outargs *out,
		     const struct g_ipsec_la_resp_args *resp)
{
	struct vipsec_sa_add *a;
	struct gla_pending *p;
	uint32_t i;

	p = gla_ctrl_x_new(ref, resp, VIPSEC_IOC_SA_ADD);
	if (!p)
		return -ENOMEM;
	p->ctrl_x->dir = in->dir;
	for (i = 0; i < in->num_sas; i++)
		p->ctrl_x->spis[i] = in->sa_params[i].spi;
	/* the handles go to the caller's array at completion */
	p->out.sa_add.handles = out->handles;
	a = &p->ctrl_x->arg.a;
	a->size = sizeof(*a);
	a->group_id = ref->group_id;
	a->num_sas = in->num_sas;
	a->params = (uintptr_t)params; /* copied in by the submit */
	a->ids = (uintptr_t)p->ctrl_x->ids;
	return gla_ctrl_x_submit(p);
}

int gla_sa_get_async(const struct gla_ref *ref,
		     const struct g_ipsec_la_sa_get_inargs *in,
		     const struct g_ipsec_la_sa_get_outargs *out,
		     const struct g_ipsec_la_resp_args *resp)
{
	struct gla_pending *p;

	p = gla_ctrl_x_new(ref, resp, VIPSEC_IOC_SA_GET);
	if (!p)
		return -ENOMEM;
	p->ctrl_x->entries = calloc(G_IPSEC_LA_MAX_SA_GET, gla_get_stride(in));
	if (!p->ctrl_x->entries) {
		gla_pending_free(p);
		return -ENOMEM;
	}
	/* A caller built before the state member has a shorter struct */
	memcpy(&p->out.sa_get, out,
	       in->flags & G_IPSEC_LA_SA_GET_STATE ?
		       sizeof(*out) :
		       offsetof(struct g_ipsec_la_sa_get_outargs, state));
	p->out.sa_get.num_sas = p->out.sa_get.more = 0;
	gla_get_req_init(ref, in, &p->ctrl_x->arg.s, p->ctrl_x->entries);
	p->ctrl_x->in = *in;
	p->ctrl_x->in.handle = NULL;
	return gla_ctrl_x_submit(p);
}

static void gla_sa_add_done(struct gla_inst *inst, struct gla_pending *p,
			    int32_t result)
{
	struct gla_ctrl_x *x = p->ctrl_x;
	struct g_ipsec_la_sa_add_outargs *o = &p->out.sa_add;
	uint32_t i;

	o->failed_index = 0;
	if (result) {
		if (x->arg.a.dev_status)
			result = gla_ctrl_status_to_errno(x->arg.a.dev_status);
		o->failed_index = x->arg.a.failed_index;
	}
	for (i = 0; !result && i < x->arg.a.num_sas; i++) {
		gla_sa_handle_encode(&o->handles[i], &x->ref, x->ref.group_id,
				     x->ids[i], x->dir, x->spis[i]);
		gla_sa_meta_set(inst, x->ids[i], x->ref.group_id, x->dir,
				x->spis[i]);
	}
	o->result = result;
}

int gla_ctrl_x_done(struct gla_inst *inst, struct gla_pending *p,
		    int32_t result)
{
	struct gla_ctrl_x *x = p->ctrl_x;
	int ret;

	switch (p->ctrl_cmd) {
	case VIPSEC_IOC_GROUP_CREATE:
		memset(&p->out.group_cb, 0, sizeof(p->out.group_cb));
		if (!result) {
			p->out.group_cb.group_handle[GLA_H_MAGIC] =
				GLA_MAGIC_GROUP;
			p->out.group_cb.group_handle[GLA_H_SLOT] = x->ref.slot;
			p->out.group_cb.group_handle[GLA_H_GEN] = x->ref.gen;
			p->out.group_cb.group_handle[GLA_H_GROUP_ID] =
				x->arg.g.group_id;
		}
		p->out.group_cb.result = result;
		return 0;
	case VIPSEC_IOC_SA_ADD: gla_sa_add_done(inst, p, result); return 0;
	case VIPSEC_IOC_SA_GET:
		ret = result ? result :
			       gla_get_step(&x->ref, &x->in, &p->out.sa_get,
					    &x->arg.s, x->entries);
		if (ret == 1) {
			/* the next page: back in flight, same callback */
			ret = gla_ctrl_submit(&x->ref, p, VIPSEC_IOC_SA_GET,
					      &x->arg.s);
			if (!ret)
				return 1;
		}
		p->out.sa_get.result =
			gla_get_finish(&x->in, &p->out.sa_get, ret);
		return 0;
	default: return 0;
	}
}
