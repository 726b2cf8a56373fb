// SPDX-License-Identifier: BSD-3-Clause
/*
 * SA control calls: g_ipsec_la_sa_add, g_ipsec_la_sa_del, g_ipsec_la_sa_flush.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void gla_sa_handle_encode(struct g_ipsec_la_sa_handle *sh,
			  const struct gla_ref *ref, uint32_t group_id,
			  uint32_t sa_id, uint32_t dir, uint32_t spi)
{
	memset(sh, 0, sizeof(*sh));
	sh->ipsec_sa_handle[GLA_H_MAGIC] = GLA_MAGIC_SA;
	sh->ipsec_sa_handle[GLA_H_SLOT] = ref->slot;
	sh->ipsec_sa_handle[GLA_H_GEN] = ref->gen;
	sh->ipsec_sa_handle[GLA_H_GROUP_ID] = group_id;
	sh->ipsec_sa_handle[GLA_H_SA_ID] = sa_id;
	sh->ipsec_sa_handle[GLA_H_SA_DIR] = dir;
	sh->ipsec_sa_handle[GLA_H_SA_SPI] = spi;
}

int32_t g_ipsec_la_sa_add(struct g_ipsec_la_handle *handle,
			  const struct g_ipsec_la_sa_add_inargs *in,
			  uint32_t flags, struct g_ipsec_la_sa_add_outargs *out,
			  const struct g_ipsec_la_resp_args *resp)
{
	uint32_t ids[G_IPSEC_LA_MAX_SA_BATCH];
	struct g_ipsec_la_sa_add_outargs saved;
	struct virtio_ipsec_sa_params *params;
	struct vipsec_sa_add req;
	struct gla_ref ref;
	unsigned int i, n;
	int ret;

	gla_err_begin(__func__);
	ret = gla_check_flags(flags, resp);
	if (ret)
		return ret;
	/* handles are needed even with NO_RESP: the SAs must be usable */
	if (!in || !out || !in->sa_params || !out->handles)
		return -EINVAL;
	saved = *out; /* ASYNC and queued: out is not written */
	out->result = -EINVAL;
	out->failed_index = 0;
	n = in->num_sas;
	if (!n || n > G_IPSEC_LA_MAX_SA_BATCH ||
	    (in->dir != G_IPSEC_LA_IPSEC_INBOUND &&
	     in->dir != G_IPSEC_LA_IPSEC_OUTBOUND))
		return -EINVAL;
	ret = gla_ref_get(handle, &ref);
	if (ret)
		return out->result = ret;

	params = calloc(n, sizeof(*params));
	if (!params)
		return out->result = -ENOMEM;
	for (i = 0; i < n && !ret; i++) {
		ret = gla_sa_to_wire(&in->sa_params[i], in->dir, &ref.info,
				     &params[i]);
		if (ret) {
			out->failed_index = i;
			gla_err_index(i);
		}
	}
	if (!ret && (flags & G_IPSEC_LA_CTRL_FLAG_ASYNC) &&
	    !(flags & G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED)) {
		/* returns once queued (the driver copied params): out is
		 * not written, the handles reach out->handles when the
		 * callback runs */
		ret = gla_sa_add_async(&ref, in, params, out, resp);
		explicit_bzero(params, n * sizeof(*params));
		free(params);
		if (ret)
			return out->result = ret;
		*out = saved;
		return 0;
	}
	if (!ret) {
		memset(&req, 0, sizeof(req));
		req.size = sizeof(req);
		req.group_id = ref.group_id;
		req.num_sas = n;
		req.params = (uintptr_t)params;
		req.ids = (uintptr_t)ids;
		ret = gla_dev_ioctl(&ref, VIPSEC_IOC_SA_ADD, &req);
		if (ret) {
			if (req.dev_status) {
				ret = gla_ctrl_status_to_errno(req.dev_status);
				gla_err_status(ret, req.dev_status);
			}
			out->failed_index = req.failed_index;
			gla_err_index(req.failed_index);
		}
	}
	/* keys: explicit_bzero, a memset before free() is a dead store */
	explicit_bzero(params, n * sizeof(*params));
	free(params);
	if (!ret)
		for (i = 0; i < n; i++) {
			gla_sa_handle_encode(&out->handles[i], &ref,
					     ref.group_id, ids[i], in->dir,
					     in->sa_params[i].spi);
			gla_sa_meta_set(ref.inst, ids[i], ref.group_id, in->dir,
					in->sa_params[i].spi);
		}
	out->result = ret;
	return gla_finish_ctrl(&ref, flags, resp, ret, out, sizeof(*out));
}

int32_t g_ipsec_la_sa_del(struct g_ipsec_la_handle *handle,
			  const struct g_ipsec_la_sa_del_inargs *in,
			  uint32_t flags, struct g_ipsec_la_sa_del_outargs *out,
			  const struct g_ipsec_la_resp_args *resp)
{
	const uint32_t *sh;
	struct vipsec_sa_del req;
	struct gla_ref ref;
	int ret;

	ret = gla_check_sa_call(flags, resp, in ? in->handle : NULL);
	if (ret)
		return ret;
	ret = gla_sa_ref(handle, in->handle, (uint32_t)in->dir, &ref);
	if (!ret) {
		sh = in->handle->ipsec_sa_handle;
		memset(&req, 0, sizeof(req));
		req.size = sizeof(req);
		req.group_id = sh[GLA_H_GROUP_ID];
		req.sa_id = sh[GLA_H_SA_ID];
		/* ASYNC: an SA this library saw deleted fails at once */
		ret = gla_sa_meta_live(ref.inst, req.sa_id) ?
			      gla_ctrl_async(&ref, flags, resp,
					     VIPSEC_IOC_SA_DEL, &req,
					     req.group_id, req.sa_id) :
			      0;
		if (ret == 1)
			return 0; /* queued: the result comes to the callback */
		if (!ret)
			ret = gla_dev_ioctl(&ref, VIPSEC_IOC_SA_DEL, &req);
		if (!ret)
			gla_sa_meta_clear(ref.inst, req.sa_id);
	}
	return gla_finish_result(&ref, flags, resp, ret,
				 out ? &out->result : NULL);
}

int32_t g_ipsec_la_sa_flush(struct g_ipsec_la_handle *handle, uint32_t flags,
			    const struct g_ipsec_la_resp_args *resp)
{
	struct vipsec_sa_flush req;
	struct gla_ref ref;
	int32_t res;
	int ret;

	ret = gla_check_flags(flags, resp);
	if (ret)
		return ret;
	ret = gla_ref_get(handle, &ref);
	if (ret)
		return ret;
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.group_id = ref.group_id;
	ret = gla_ctrl_async(&ref, flags, resp, VIPSEC_IOC_SA_FLUSH, &req,
			     ref.group_id, 0);
	if (ret == 1)
		return 0; /* queued: the result comes to the callback */
	if (!ret)
		ret = gla_dev_ioctl(&ref, VIPSEC_IOC_SA_FLUSH, &req);
	if (!ret)
		gla_sa_meta_clear_group(ref.inst, ref.group_id);
	res = ret;
	return gla_finish_ctrl(&ref, flags, resp, ret, &res, sizeof(res));
}
