// SPDX-License-Identifier: BSD-3-Clause
/*
 * Application groups: g_ipsec_la_create_group, g_ipsec_la_delete_group
 * and the decoding of handle->group_handle.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

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
	struct vipsec_group g;
	struct gla_ref ref;
	size_t len;
	int ret;

	(void)resp;
	ret = gla_check_sync(flags);
	if (ret)
		return ret;
	if (!in || !out || !in->group_identity)
		return -EINVAL;
	len = strlen(in->group_identity);
	if (!len || len >= G_IPSEC_LA_GROUP_NAME_LEN)
		return -EINVAL;
	ret = gla_ref_get(handle, &ref);
	if (ret)
		return ret;

	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	memcpy(g.name, in->group_identity, len);
	if (ioctl(ref.fd, VIPSEC_IOC_GROUP_CREATE, &g) < 0)
		return -errno;
	memset(out, 0, sizeof(*out));
	out->group_handle[GLA_H_MAGIC] = GLA_MAGIC_GROUP;
	out->group_handle[GLA_H_SLOT] = ref.slot;
	out->group_handle[GLA_H_GEN] = ref.gen;
	out->group_handle[GLA_H_GROUP_ID] = g.group_id;
	return 0;
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
		return -EINVAL;	/* the default group always exists */
	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	g.group_id = ref.group_id;
	if (ioctl(ref.fd, VIPSEC_IOC_GROUP_DESTROY, &g) < 0)
		return -errno;
	return 0;
}
