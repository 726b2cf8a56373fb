// SPDX-License-Identifier: BSD-3-Clause
/*
 * Application groups: g_ipsec_la_create_group, g_ipsec_la_delete_group
 * and the decoding of handle->group_handle.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/**
 * gla_group_decode() - group id named by a group handle.
 * @gh: G_IPSEC_LA_GROUP_HANDLE_SIZE words; all zero = default group (0).
 * Return: 0, or -EINVAL for a forged handle or one of another accelerator
 * handle.
 */
int gla_group_decode(const struct gla_ref *ref, const uint32_t *gh,
		     uint32_t *group_id)
{
	int i;

	for (i = 0; i < G_IPSEC_LA_GROUP_HANDLE_SIZE && !gh[i]; i++)
		;
	if (i == G_IPSEC_LA_GROUP_HANDLE_SIZE) {
		*group_id = 0;
		return 0;
	}
	if (gh[GLA_H_MAGIC] != GLA_MAGIC_GROUP || gh[GLA_H_SLOT] != ref->slot ||
	    gh[GLA_H_GEN] != ref->gen || !gh[GLA_H_GROUP_ID])
		return -EINVAL;
	*group_id = gh[GLA_H_GROUP_ID];
	return 0;
}

int32_t g_ipsec_la_create_group(struct g_ipsec_la_handle *handle,
				const struct g_ipsec_la_create_group_inargs *in,
				uint32_t flags,
				struct g_ipsec_la_create_group_outargs *out,
				const struct g_ipsec_la_resp_args *resp)
{
	struct g_ipsec_la_create_group_outargs tmp;
	struct vipsec_group g;
	struct gla_ref ref;
	size_t len;
	int ret;

	ret = gla_check_flags(flags, resp);
	if (ret)
		return ret;
	if (!in || !in->group_identity ||
	    (!out && !(flags & G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED)))
		return -EINVAL;
	len = strlen(in->group_identity);
	if (!len || len >= G_IPSEC_LA_GROUP_NAME_LEN)
		return -EINVAL;
	ret = gla_ref_get(handle, &ref);
	if (ret)
		return ret;

	/* ASYNC: returns once queued; the handle comes to the callback */
	if ((flags & G_IPSEC_LA_CTRL_FLAG_ASYNC) &&
	    !(flags & G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED))
		return gla_create_group_async(&ref, in->group_identity, len,
					      resp);
	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	memcpy(g.name, in->group_identity, len);
	ret = gla_dev_ioctl(&ref, VIPSEC_IOC_GROUP_CREATE, &g);
	memset(&tmp, 0, sizeof(tmp));
	if (!ret) {
		tmp.group_handle[GLA_H_MAGIC] = GLA_MAGIC_GROUP;
		tmp.group_handle[GLA_H_SLOT] = ref.slot;
		tmp.group_handle[GLA_H_GEN] = ref.gen;
		tmp.group_handle[GLA_H_GROUP_ID] = g.group_id;
		if (out)
			*out = tmp;
	}
	return gla_finish_ctrl(&ref, flags, resp, ret, &tmp, sizeof(tmp));
}

int32_t g_ipsec_la_delete_group(struct g_ipsec_la_handle *handle)
{
	struct vipsec_group g;
	struct gla_ref ref;
	int ret;

	ret = gla_ref_get(handle, &ref);
	if (ret)
		return ret;
	if (!ref.group_id)
		return -EINVAL; /* the default group always exists */
	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	g.group_id = ref.group_id;
	return gla_dev_ioctl(&ref, VIPSEC_IOC_GROUP_DESTROY, &g);
}
