// SPDX-License-Identifier: BSD-3-Clause
/*
 * Software accelerator: VIPSEC_IOC_CTRL_ASYNC of the calls with an output
 * besides their result (GROUP_CREATE, SA_ADD, SA_GET), as the driver's
 * ctrl_async.c runs them. The call runs at once (no control queue to wait
 * for) on a copy of its argument whose output pointers lead to this
 * job's own memory; the output reaches the caller's struct and arrays
 * only when the CTRL_DONE record is read, as with the driver, and until
 * then the job counts against VIPSEC_MAX_ASYNC and the async quota.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sw.h"

struct gla_sw_cjob {
	struct gla_sw_ev item; /* the CTRL_DONE record */
	struct gla_sw_file *f;
	uint64_t uarg; /* the caller's argument struct */
	size_t size;
	union {
		struct vipsec_group g;
		struct vipsec_sa_add a;
		struct vipsec_sa_get s;
	} arg;
	uint64_t out_uptr; /* the caller's array */
	void *out;
	size_t out_cap, out_len;
	int arg_out; /* write the struct back */
	size_t bytes;
};

static void gla_sw_cjob_free(struct gla_sw_cjob *j)
{
	j->f->ncjobs--;
	j->f->async_bytes -= j->bytes;
	if (j->out)
		explicit_bzero(j->out, j->out_cap);
	free(j->out);
	free(j);
}

void gla_sw_cjob_drop(struct gla_sw_cjob *j)
{
	gla_sw_cjob_free(j);
}

void gla_sw_cjob_deliver(struct gla_sw_cjob *j, struct vipsec_event *ev)
{
	int err = 0;

	if (j->out_len)
		err = gla_sw_copy_out(j->out_uptr, j->out, j->out_len);
	if (!err && j->arg_out) {
		/* the caller's own pointers, as the driver's karg has them */
		if (j->item.ev.value == VIPSEC_IOC_SA_ADD)
			j->arg.a.ids = j->out_uptr;
		else if (j->item.ev.value == VIPSEC_IOC_SA_GET)
			j->arg.s.entries = j->out_uptr;
		err = gla_sw_copy_out(j->uarg, &j->arg, j->size);
	}
	*ev = j->item.ev;
	if (err && !ev->result)
		ev->result = err;
	gla_sw_cjob_free(j);
}

/*
 * The driver's prep (sa.c vipsec_sa_add_prep(), vipsec_sa_get_prep()):
 * what it refuses before queuing is this ioctl's error; everything else
 * the call finds comes with the record.
 */
static int gla_sw_cjob_prep(struct gla_sw_cjob *j, uint32_t cmd)
{
	struct virtio_ipsec_sa_params probe;
	size_t stride;
	uint32_t i;
	int err = 0;

	if (cmd == VIPSEC_IOC_SA_ADD) {
		if (j->arg.a.flags || !j->arg.a.num_sas ||
		    j->arg.a.num_sas > VIPSEC_MAX_SA_BATCH)
			return -EINVAL;
		/* vmemdup_user(): every parameter block must be readable */
		for (i = 0; i < j->arg.a.num_sas; i++)
			if (gla_sw_copy_in(&probe,
					   j->arg.a.params + i * sizeof(probe),
					   sizeof(probe)))
				err = -EFAULT;
		explicit_bzero(&probe, sizeof(probe)); /* keys */
		if (err)
			return err;
		j->out_cap = j->arg.a.num_sas * sizeof(uint32_t);
		j->out_uptr = j->arg.a.ids;
	} else if (cmd == VIPSEC_IOC_SA_GET) {
		if (!(gla_sw.features & (1ULL << VIRTIO_IPSEC_F_SA_GET)))
			return -EOPNOTSUPP;
		if (j->arg.s.flags & ~VIPSEC_SA_GET_F_STATE ||
		    j->arg.s.op > VIRTIO_IPSEC_SA_GET_EXACT ||
		    !j->arg.s.max_sas || j->arg.s.max_sas > VIPSEC_MAX_SA_GET)
			return -EINVAL;
		if (j->arg.s.flags & VIPSEC_SA_GET_F_STATE &&
		    !(gla_sw.features & (1ULL << VIRTIO_IPSEC_F_SA_STATE)))
			return -EOPNOTSUPP;
		stride = j->arg.s.flags & VIPSEC_SA_GET_F_STATE ?
				 sizeof(struct vipsec_sa_record) :
				 sizeof(struct virtio_ipsec_sa_entry);
		j->out_cap = j->arg.s.max_sas * stride;
		j->out_uptr = j->arg.s.entries;
	}
	return 0;
}

long gla_sw_ctrl_async_out(struct gla_sw_file *f, uint32_t cmd, uint64_t uarg,
			   uint64_t user_data)
{
	struct gla_sw_cjob *j;
	long ret;
	int err;

	if (f->ncjobs >= VIPSEC_MAX_ASYNC)
		return -EAGAIN;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->f = f;
	j->uarg = uarg;
	switch (cmd) {
	case VIPSEC_IOC_GROUP_CREATE: j->size = sizeof(j->arg.g); break;
	case VIPSEC_IOC_SA_ADD: j->size = sizeof(j->arg.a); break;
	default: j->size = sizeof(j->arg.s); break;
	}
	err = gla_sw_copy_arg(&j->arg, j->size, (const void *)(uintptr_t)uarg);
	if (!err)
		err = gla_sw_cjob_prep(j, cmd);
	if (!err && j->out_cap) {
		j->out = calloc(1, j->out_cap);
		if (!j->out)
			err = -ENOMEM;
	}
	j->bytes = j->out_cap;
	if (!err && f->async_bytes + j->bytes > GLA_SW_ASYNC_BYTES)
		err = -EDQUOT;
	if (err) {
		free(j->out);
		free(j);
		return err;
	}
	f->ncjobs++;
	f->async_bytes += j->bytes;
	if (cmd == VIPSEC_IOC_SA_ADD)
		j->arg.a.ids = (uintptr_t)j->out;
	else if (cmd == VIPSEC_IOC_SA_GET)
		j->arg.s.entries = (uintptr_t)j->out;
	ret = gla_sw_dispatch(f, cmd, &j->arg);
	j->item.cjob = j;
	j->item.ev.size = sizeof(j->item.ev);
	j->item.ev.type = VIPSEC_EV_CTRL_DONE;
	j->item.ev.user_data = user_data;
	j->item.ev.value = cmd;
	j->item.ev.result = (int32_t)ret;
	switch (cmd) {
	case VIPSEC_IOC_GROUP_CREATE: j->arg_out = !ret; break;
	case VIPSEC_IOC_SA_ADD:
		j->arg_out = 1;
		j->out_len = ret ? 0 : j->out_cap;
		break;
	default:
		j->arg_out = !ret;
		j->out_len =
			ret ? 0 :
			      j->arg.s.count *
					(j->arg.s.flags &
							 VIPSEC_SA_GET_F_STATE ?
						 sizeof(struct vipsec_sa_record) :
						 sizeof(struct virtio_ipsec_sa_entry));
		break;
	}
	f->nevents++;
	gla_sw_post_async(f, &j->item);
	return 0;
}
