// SPDX-License-Identifier: BSD-3-Clause
/*
 * Accelerator handles: g_ipsec_la_get_api_version, _open, _close,
 * _capabilities_get, and the table that turns a handle into an fd.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

struct gla_inst {
	int fd;				/* -1 when the slot is free */
	uint32_t gen;			/* bumped on every close */
	struct vipsec_info info;
	g_ipsec_la_instance_broken_cbk_fn cb_fn;	/* kept for events */
	void *cb_arg;
};

static pthread_mutex_t gla_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gla_inst gla_insts[GLA_MAX_INSTANCES];
static int gla_insts_ready;	/* Must hold gla_lock. */

static void gla_insts_init(void)
{
	int i;

	if (gla_insts_ready)
		return;
	for (i = 0; i < GLA_MAX_INSTANCES; i++)
		gla_insts[i].fd = -1;
	gla_insts_ready = 1;
}

/* Only synchronous calls are implemented in this version. */
int gla_check_sync(uint32_t flags)
{
	if (flags & ~(uint32_t)(G_IPSEC_LA_CTRL_FLAG_ASYNC |
				G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED))
		return -EINVAL;
	return flags ? -EOPNOTSUPP : 0;
}

/**
 * gla_ref_get() - resolve an accelerator handle (and its group part).
 * Return: 0, or -EINVAL for a NULL, forged, stale or closed handle.
 */
int gla_ref_get(const struct g_ipsec_la_handle *h, struct gla_ref *ref)
{
	struct gla_inst *in;
	uint32_t slot;
	int ret = -EINVAL;

	if (!h || h->handle[GLA_H_MAGIC] != GLA_MAGIC_ACCL)
		return -EINVAL;
	slot = h->handle[GLA_H_SLOT];
	if (slot >= GLA_MAX_INSTANCES)
		return -EINVAL;
	pthread_mutex_lock(&gla_lock);
	in = &gla_insts[slot];
	if (gla_insts_ready && in->fd >= 0 && in->gen == h->handle[GLA_H_GEN]) {
		ref->fd = in->fd;
		ref->slot = slot;
		ref->gen = in->gen;
		ref->info = in->info;
		ret = 0;
	}
	pthread_mutex_unlock(&gla_lock);
	if (ret)
		return ret;
	return gla_group_decode(ref, h->group_handle, &ref->group_id);
}

int32_t g_ipsec_la_get_api_version(char *version)
{
	if (!version)
		return -EINVAL;
	strcpy(version, G_IPSEC_LA_API_VERSION);
	return 0;
}

/* Query and claim one accelerator. Return: 0 or negative errno. */
static int gla_claim(int fd, enum g_ipsec_la_mode mode, const char *app,
		     struct vipsec_info *info)
{
	struct vipsec_claim c;

	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	if (ioctl(fd, VIPSEC_IOC_INFO, info) < 0)
		return -errno;
	if (info->abi_version != VIRTIO_IPSEC_ABI_VERSION)
		return -EPROTO;
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.mode = mode == G_IPSEC_LA_INSTANCE_EXCLUSIVE ? VIPSEC_MODE_EXCLUSIVE :
							 VIPSEC_MODE_SHARED;
	strncpy(c.app_identity, app, sizeof(c.app_identity) - 1);
	if (ioctl(fd, VIPSEC_IOC_CLAIM, &c) < 0)
		return -errno;
	return 0;
}

/* Open the named accelerator, or the first one that grants @mode. */
static int gla_open_fd(enum g_ipsec_la_mode mode,
		       const struct g_ipsec_la_open_inargs *in,
		       struct vipsec_info *info)
{
	char names[GLA_MAX_ACCELS][32];
	int n, i, fd, ret = -ENODEV;

	if (in->accl_name) {
		if (strlen(in->accl_name) >= sizeof(names[0]) ||
		    strchr(in->accl_name, '/'))
			return -ENODEV;
		strcpy(names[0], in->accl_name);
		n = 1;
	} else {
		n = gla_discover(names, GLA_MAX_ACCELS);
	}
	for (i = 0; i < n; i++) {
		fd = gla_open_node(names[i]);
		if (fd < 0) {
			if (ret == -ENODEV)
				ret = fd;
			continue;
		}
		ret = gla_claim(fd, mode, in->app_identity, info);
		if (!ret)
			return fd;
		close(fd);
	}
	return ret;
}

int32_t g_ipsec_la_open(enum g_ipsec_la_mode mode,
			const struct g_ipsec_la_open_inargs *in,
			struct g_ipsec_la_open_outargs *out)
{
	struct vipsec_info info;
	struct gla_inst *inst = NULL;
	int fd, i;

	if ((mode != G_IPSEC_LA_INSTANCE_EXCLUSIVE &&
	     mode != G_IPSEC_LA_INSTANCE_SHARED) || !in || !out ||
	    !in->app_identity || !in->app_identity[0] ||
	    strlen(in->app_identity) >= G_IPSEC_LA_APP_IDENTITY_LEN)
		return -EINVAL;
	if ((in->pci_vendor_id && in->pci_vendor_id != G_IPSEC_LA_PCI_VENDOR_ID) ||
	    (in->device_id && in->device_id != G_IPSEC_LA_PCI_DEVICE_ID))
		return -ENODEV;

	fd = gla_open_fd(mode, in, &info);
	if (fd < 0)
		return fd;

	pthread_mutex_lock(&gla_lock);
	gla_insts_init();
	for (i = 0; i < GLA_MAX_INSTANCES; i++) {
		if (gla_insts[i].fd < 0) {
			inst = &gla_insts[i];
			break;
		}
	}
	if (inst) {
		inst->fd = fd;
		inst->info = info;
		inst->cb_fn = in->cb_fn;
		inst->cb_arg = in->cb_arg;
		memset(out, 0, sizeof(*out));
		out->handle.handle[GLA_H_MAGIC] = GLA_MAGIC_ACCL;
		out->handle.handle[GLA_H_SLOT] = (uint32_t)i;
		out->handle.handle[GLA_H_GEN] = inst->gen;
		out->handle.handle[GLA_H_ACCL_ID] = info.id;
	}
	pthread_mutex_unlock(&gla_lock);
	if (!inst) {
		close(fd);
		return -EMFILE;
	}
	return 0;
}

int32_t g_ipsec_la_close(struct g_ipsec_la_handle *handle)
{
	struct gla_inst *in;
	uint32_t slot;
	int fd = -1;

	if (!handle || handle->handle[GLA_H_MAGIC] != GLA_MAGIC_ACCL)
		return -EINVAL;
	slot = handle->handle[GLA_H_SLOT];
	if (slot >= GLA_MAX_INSTANCES)
		return -EINVAL;
	pthread_mutex_lock(&gla_lock);
	in = &gla_insts[slot];
	if (gla_insts_ready && in->fd >= 0 &&
	    in->gen == handle->handle[GLA_H_GEN]) {
		fd = in->fd;
		in->fd = -1;
		in->gen++;
		in->cb_fn = NULL;
		in->cb_arg = NULL;
	}
	pthread_mutex_unlock(&gla_lock);
	if (fd < 0)
		return -EINVAL;
	close(fd);	/* the driver flushes what this file owned */
	return 0;
}

#define GLA_HAS_F(info, bit)	(!!((info)->features & (1ULL << (bit))))
#define GLA_HAS_C(info, id)	(!!((info)->cipher_algo_mask & (1ULL << (id))))
#define GLA_HAS_A(info, id)	(!!((info)->auth_algo_mask & (1ULL << (id))))

static void gla_caps_from_info(const struct vipsec_info *i,
			       struct g_ipsec_la_capabilities *c)
{
	memset(c, 0, sizeof(*c));
	c->sg_features = 1;
	c->esp_protocol = 1;
	c->udp_encap = GLA_HAS_F(i, VIRTIO_IPSEC_F_UDP_ENCAP);
	c->esn = GLA_HAS_F(i, VIRTIO_IPSEC_F_ESN);
	c->tfc = 1;
	c->ecn = 1;
	c->df = 1;
	c->anti_replay_check = GLA_HAS_F(i, VIRTIO_IPSEC_F_ANTI_REPLAY);
	c->ipv6_support = GLA_HAS_F(i, VIRTIO_IPSEC_F_IPV6);
	c->soft_lifetime_bytes_notify = GLA_HAS_F(i, VIRTIO_IPSEC_F_LIFETIME) &&
					GLA_HAS_F(i, VIRTIO_IPSEC_F_EVENTQ);
	c->seqnum_overflow_notify = GLA_HAS_F(i, VIRTIO_IPSEC_F_EVENTQ);
	c->seqnum_periodic_notify = GLA_HAS_F(i, VIRTIO_IPSEC_F_EVENTQ);
	c->auth_algo_caps.md5 = GLA_HAS_A(i, VIRTIO_IPSEC_AUTH_HMAC_MD5_96);
	c->auth_algo_caps.sha1 = GLA_HAS_A(i, VIRTIO_IPSEC_AUTH_HMAC_SHA1_96);
	c->auth_algo_caps.sha2 = GLA_HAS_A(i, VIRTIO_IPSEC_AUTH_HMAC_SHA256);
	c->auth_algo_caps.aes_xcbc = GLA_HAS_A(i, VIRTIO_IPSEC_AUTH_AES_XCBC_96);
	c->auth_algo_caps.none = GLA_HAS_A(i, VIRTIO_IPSEC_AUTH_NONE);
	c->cipher_algo_caps.des = GLA_HAS_C(i, VIRTIO_IPSEC_CIPHER_DES_CBC);
	c->cipher_algo_caps.des_c = GLA_HAS_C(i, VIRTIO_IPSEC_CIPHER_3DES_CBC);
	c->cipher_algo_caps.aes = GLA_HAS_C(i, VIRTIO_IPSEC_CIPHER_AES_CBC);
	c->cipher_algo_caps.aes_ctr = GLA_HAS_C(i, VIRTIO_IPSEC_CIPHER_AES_CTR);
	c->cipher_algo_caps.null = GLA_HAS_C(i, VIRTIO_IPSEC_CIPHER_NULL);
	c->comb_algo_caps.aes_ccm = GLA_HAS_C(i, VIRTIO_IPSEC_CIPHER_AES_CCM);
	c->comb_algo_caps.aes_gcm = GLA_HAS_C(i, VIRTIO_IPSEC_CIPHER_AES_GCM);
	c->comb_algo_caps.aes_gmac = GLA_HAS_C(i, VIRTIO_IPSEC_CIPHER_AES_GMAC);
	c->max_sas = i->max_sas;
	c->max_groups = i->max_groups;
	c->max_packet_len = i->max_packet_len;
	c->max_batch = i->max_batch;
	c->max_replay_window = i->max_replay_window;
	c->max_cipher_key_len = i->max_cipher_key_len;
	c->max_auth_key_len = i->max_auth_key_len;
	c->num_data_queues = i->num_data_queues;
}

int32_t g_ipsec_la_capabilities_get(struct g_ipsec_la_handle *handle,
				    uint32_t flags,
				    struct g_ipsec_cap_get_outargs *out,
				    const struct g_ipsec_la_resp_args *resp)
{
	struct gla_ref ref;
	int ret;

	(void)resp;
	ret = gla_check_sync(flags);
	if (ret)
		return ret;
	if (!out)
		return -EINVAL;
	ret = gla_ref_get(handle, &ref);
	if (ret)
		return ret;
	/* Re-read: the driver's view is authoritative (device may be gone). */
	memset(&ref.info, 0, sizeof(ref.info));
	ref.info.size = sizeof(ref.info);
	if (ioctl(ref.fd, VIPSEC_IOC_INFO, &ref.info) < 0)
		return -errno;
	gla_caps_from_info(&ref.info, &out->caps);
	return 0;
}
