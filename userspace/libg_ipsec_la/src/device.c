// SPDX-License-Identifier: BSD-3-Clause
/*
 * Accelerator handles: g_ipsec_la_get_api_version, _open, _close,
 * _capabilities_get, and the table that turns a handle into an open
 * accelerator (char device or software accelerator).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "vpe_algs.h"

static pthread_mutex_t gla_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gla_inst *gla_insts[GLA_MAX_INSTANCES]; /* Must hold gla_lock */
static uint32_t gla_gens[GLA_MAX_INSTANCES];	      /* Must hold gla_lock */

/* Reserved fields of the public structs must be 0 (room to grow). */
int gla_mem_is_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--)
		if (*b++)
			return 0;
	return 1;
}

/* Flags: known bits only; ASYNC needs a callback to call. */
int gla_check_flags(uint32_t flags, const struct g_ipsec_la_resp_args *resp)
{
	if (flags & ~(uint32_t)(G_IPSEC_LA_CTRL_FLAG_ASYNC |
				G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED))
		return -EINVAL;
	if ((flags & G_IPSEC_LA_CTRL_FLAG_ASYNC) &&
	    !(flags & G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED) &&
	    (!resp || !resp->cbfn || resp->cb_arg_len < 0 ||
	     resp->cb_arg_len > G_IPSEC_LA_MAX_CB_ARG_LEN ||
	     (resp->cb_arg_len && !resp->cb_arg)))
		return -EINVAL;
	return 0;
}

/* One ioctl of the open accelerator, whatever its backend. */
int gla_dev_ioctl(const struct gla_ref *ref, unsigned long cmd, void *arg)
{
	struct gla_file *f = &ref->inst->file;
	int ret = f->be->ioctl(f, cmd, arg);

	return ret == -ENOTTY ? -EOPNOTSUPP : ret;
}

/* An SA handle of this accelerator handle, of direction @dir. */
int gla_sa_check(const struct gla_ref *ref,
		 const struct g_ipsec_la_sa_handle *sa, uint32_t dir)
{
	const uint32_t *sh;

	if (!sa)
		return -EINVAL;
	sh = sa->ipsec_sa_handle;
	if (sh[GLA_H_MAGIC] != GLA_MAGIC_SA || sh[GLA_H_SLOT] != ref->slot ||
	    sh[GLA_H_GEN] != ref->gen || sh[GLA_H_SA_DIR] != dir)
		return -EINVAL;
	return 0;
}

int gla_check_sa_call(uint32_t flags, const struct g_ipsec_la_resp_args *resp,
		      const struct g_ipsec_la_sa_handle *sa)
{
	int ret = gla_check_flags(flags, resp);

	return ret ? ret : sa ? 0 : -EINVAL;
}

int gla_sa_ref(const struct g_ipsec_la_handle *h,
	       const struct g_ipsec_la_sa_handle *sa, uint32_t dir,
	       struct gla_ref *ref)
{
	int ret = gla_ref_get(h, ref);

	return ret ? ret : gla_sa_check(ref, sa, dir);
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
	in = gla_insts[slot];
	if (in && in->gen == h->handle[GLA_H_GEN]) {
		ref->fd = in->file.fd;
		ref->slot = slot;
		ref->gen = in->gen;
		ref->info = in->info;
		ref->inst = in;
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
static int gla_claim(struct gla_inst *inst, enum g_ipsec_la_mode mode,
		     const char *app)
{
	struct gla_ref ref = { .fd = inst->file.fd, .inst = inst };
	struct vipsec_info *info = &inst->info;
	struct vipsec_claim c;
	int ret;

	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	ret = gla_dev_ioctl(&ref, VIPSEC_IOC_INFO, info);
	if (ret)
		return ret;
	if (info->abi_version != VIRTIO_IPSEC_ABI_VERSION)
		return -EPROTO;
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.mode = mode == G_IPSEC_LA_INSTANCE_EXCLUSIVE ? VIPSEC_MODE_EXCLUSIVE :
							 VIPSEC_MODE_SHARED;
	strncpy(c.app_identity, app, sizeof(c.app_identity) - 1);
	return gla_dev_ioctl(&ref, VIPSEC_IOC_CLAIM, &c);
}

static void gla_inst_close_dev(struct gla_inst *inst)
{
	if (inst->file.be)
		inst->file.be->close(&inst->file);
	inst->file.be = NULL;
	inst->file.fd = -1;
}

/*
 * Open the named accelerator, or the first char device that grants
 * @mode. A name no registered backend serves is a char device name: the
 * software accelerator's name gives -ENODEV unless the application
 * registered it (g_ipsec_la_software_register()).
 */
static int gla_open_dev(struct gla_inst *inst, enum g_ipsec_la_mode mode,
			const struct g_ipsec_la_open_inargs *in)
{
	char names[GLA_MAX_ACCELS][32];
	int n, i, err, ret = -ENODEV;

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
		err = gla_file_open(names[i], &inst->file);
		if (err) {
			if (ret == -ENODEV)
				ret = err;
			continue;
		}
		ret = gla_claim(inst, mode, in->app_identity);
		if (!ret)
			return 0;
		gla_inst_close_dev(inst);
	}
	return ret;
}

static void gla_inst_free(struct gla_inst *inst)
{
	gla_inst_drain(inst);
	gla_inst_close_dev(inst);
	pthread_mutex_destroy(&inst->lock);
	free(inst->sas);
	free(inst);
}

int32_t g_ipsec_la_open(enum g_ipsec_la_mode mode,
			const struct g_ipsec_la_open_inargs *in,
			struct g_ipsec_la_open_outargs *out)
{
	struct gla_inst *inst;
	int ret, i;

	if ((mode != G_IPSEC_LA_INSTANCE_EXCLUSIVE &&
	     mode != G_IPSEC_LA_INSTANCE_SHARED) ||
	    !in || !out || !in->app_identity || !in->app_identity[0] ||
	    strlen(in->app_identity) >= G_IPSEC_LA_APP_IDENTITY_LEN ||
	    in->cb_arg_len < 0 || in->cb_arg_len > G_IPSEC_LA_MAX_CB_ARG_LEN ||
	    (in->cb_arg_len && !in->cb_arg) ||
	    !gla_mem_is_zero(in->reserved, sizeof(in->reserved)))
		return -EINVAL;
	if ((in->pci_vendor_id &&
	     in->pci_vendor_id != G_IPSEC_LA_PCI_VENDOR_ID) ||
	    (in->device_id && in->device_id != G_IPSEC_LA_PCI_DEVICE_ID))
		return -ENODEV;

	inst = calloc(1, sizeof(*inst));
	if (!inst)
		return -ENOMEM;
	inst->file.fd = -1;
	pthread_mutex_init(&inst->lock, NULL);
	ret = gla_open_dev(inst, mode, in);
	if (!ret) {
		inst->sas = calloc((size_t)inst->info.max_sas + 1,
				   sizeof(*inst->sas));
		if (!inst->sas)
			ret = -ENOMEM;
	}
	if (ret) {
		gla_inst_free(inst);
		return ret;
	}
	inst->cb_fn = in->cb_fn;
	inst->cb_arg = in->cb_arg;
	if (in->cb_arg_len) { /* copied: the caller's may be a local */
		memcpy(inst->cb_copy, in->cb_arg, (size_t)in->cb_arg_len);
		inst->cb_arg = inst->cb_copy;
	}

	pthread_mutex_lock(&gla_lock);
	for (i = 0; i < GLA_MAX_INSTANCES && gla_insts[i]; i++)
		;
	if (i < GLA_MAX_INSTANCES) {
		inst->slot = (uint32_t)i;
		inst->gen = ++gla_gens[i];
		memset(&inst->handle, 0, sizeof(inst->handle));
		inst->handle.handle[GLA_H_MAGIC] = GLA_MAGIC_ACCL;
		inst->handle.handle[GLA_H_SLOT] = inst->slot;
		inst->handle.handle[GLA_H_GEN] = inst->gen;
		inst->handle.handle[GLA_H_ACCL_ID] = inst->info.id;
		gla_insts[i] = inst;
		memset(out, 0, sizeof(*out));
		out->handle = inst->handle;
	}
	pthread_mutex_unlock(&gla_lock);
	if (i == GLA_MAX_INSTANCES) {
		gla_inst_free(inst);
		return -EMFILE;
	}
	return 0;
}

int32_t g_ipsec_la_close(struct g_ipsec_la_handle *handle)
{
	struct gla_inst *in = NULL;
	uint32_t slot;

	if (!handle || handle->handle[GLA_H_MAGIC] != GLA_MAGIC_ACCL)
		return -EINVAL;
	slot = handle->handle[GLA_H_SLOT];
	if (slot >= GLA_MAX_INSTANCES)
		return -EINVAL;
	pthread_mutex_lock(&gla_lock);
	if (gla_insts[slot] &&
	    gla_insts[slot]->gen == handle->handle[GLA_H_GEN]) {
		in = gla_insts[slot];
		gla_insts[slot] = NULL;
	}
	pthread_mutex_unlock(&gla_lock);
	if (!in)
		return -EINVAL;
	/* Closing the file makes the driver flush what it owned; pending
	 * ASYNC batches are dropped without callbacks (handle is dead). */
	gla_inst_free(in);
	return 0;
}

#define GLA_HAS_F(info, bit) (!!((info)->features & (1ULL << (bit))))
#define GLA_HAS_C(info, id)  (!!((info)->cipher_algo_mask & (1ULL << (id))))
#define GLA_HAS_A(info, id)  (!!((info)->auth_algo_mask & (1ULL << (id))))

static void gla_caps_from_info(const struct vipsec_info *i,
			       struct g_ipsec_la_capabilities *c)
{
	memset(c, 0, sizeof(*c));
	c->sg_features = 1;
	c->esp_protocol = 1;
	c->udp_encap = GLA_HAS_F(i, VIRTIO_IPSEC_F_UDP_ENCAP);
	c->esn = GLA_HAS_F(i, VIRTIO_IPSEC_F_ESN);
	/* What config space says SA_ADD honours (never assumed). */
	c->tfc = !!(i->sa_options & VIRTIO_IPSEC_SA_OPT_TFC_PAD);
	c->ecn = !!(i->sa_options & VIRTIO_IPSEC_SA_OPT_ECN);
	c->df = !!(i->hdr_fields & VIRTIO_IPSEC_HDR_F_DF);
	c->outer_ttl = !!(i->hdr_fields & VIRTIO_IPSEC_HDR_F_TTL);
	c->flow_label = !!(i->hdr_fields & VIRTIO_IPSEC_HDR_F_FLOW_LABEL) &&
			GLA_HAS_F(i, VIRTIO_IPSEC_F_IPV6);
	c->ttl_decrement = !!(i->sa_options & VIRTIO_IPSEC_SA_OPT_DEC_TTL);
	c->inner_src_selector =
		!!(i->sa_options & VIRTIO_IPSEC_SA_OPT_SELECTOR);
	c->anti_replay_check = GLA_HAS_F(i, VIRTIO_IPSEC_F_ANTI_REPLAY);
	c->ipv6_support = GLA_HAS_F(i, VIRTIO_IPSEC_F_IPV6);
	c->soft_lifetime_bytes_notify = GLA_HAS_F(i, VIRTIO_IPSEC_F_LIFETIME) &&
					GLA_HAS_F(i, VIRTIO_IPSEC_F_EVENTQ);
	c->seqnum_overflow_notify = GLA_HAS_F(i, VIRTIO_IPSEC_F_EVENTQ);
	c->seqnum_periodic_notify = GLA_HAS_F(i, VIRTIO_IPSEC_F_EVENTQ);
	/*
	 * One capability bit per row of vpe_algs.h, and the key sizes of
	 * each cipher / AEAD row (config cipher_key_sizes: bit n = 8n bytes,
	 * here bit n = 64n bits, the same bit). The rows that share the
	 * seed's sha2 bit (HMAC-SHA-256/384/512) each have their own bit;
	 * sha2 is set below only when all three are usable.
	 */
#define VPE_CIPHER(id, kmin, kmax, salt, iv, blk, weak, ivg, afalg, mode, g, \
		   caps)                                                     \
	c->caps |= GLA_HAS_C(i, id);                                         \
	if (GLA_HAS_C(i, id) && (g) < sizeof(c->cipher_key_sizes))           \
		c->cipher_key_sizes[g] = i->cipher_key_sizes[id];
#define VPE_AEAD(id, kmin, kmax, salt, iv, blk, icv, ivg, afk, afalg, mb, g, \
		 caps)                                                       \
	c->caps |= GLA_HAS_C(i, id);                                         \
	if (GLA_HAS_C(i, id) && (g) < sizeof(c->comb_key_sizes))             \
		c->comb_key_sizes[g] = i->cipher_key_sizes[id];
#define VPE_AUTH(id, key, icv, weak, afalg, hash, hblk, g, caps) \
	c->caps |= GLA_HAS_A(i, id);
	VPE_ALGS
#undef VPE_CIPHER
#undef VPE_AEAD
#undef VPE_AUTH
	c->auth_algo_caps.sha2_256 =
		GLA_HAS_A(i, VIRTIO_IPSEC_AUTH_HMAC_SHA256);
	c->auth_algo_caps.sha2_384 =
		GLA_HAS_A(i, VIRTIO_IPSEC_AUTH_HMAC_SHA384);
	c->auth_algo_caps.sha2_512 =
		GLA_HAS_A(i, VIRTIO_IPSEC_AUTH_HMAC_SHA512);
	c->auth_algo_caps.sha2 = c->auth_algo_caps.sha2_256 &&
				 c->auth_algo_caps.sha2_384 &&
				 c->auth_algo_caps.sha2_512;
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

	struct g_ipsec_cap_get_outargs tmp;

	memset(&tmp, 0, sizeof(tmp));
	ret = gla_check_flags(flags, resp);
	if (ret)
		return ret;
	if (!out && !(flags & G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED))
		return -EINVAL;
	ret = gla_ref_get(handle, &ref);
	if (ret)
		return ret;
	/* Re-read: the driver's view is authoritative (device may be gone). */
	memset(&ref.info, 0, sizeof(ref.info));
	ref.info.size = sizeof(ref.info);
	ret = gla_dev_ioctl(&ref, VIPSEC_IOC_INFO, &ref.info);
	if (!ret) {
		gla_caps_from_info(&ref.info, &tmp.caps);
		if (out)
			*out = tmp;
	}
	return gla_finish_ctrl(&ref, flags, resp, ret, &tmp, sizeof(tmp));
}
