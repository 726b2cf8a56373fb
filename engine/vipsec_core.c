// SPDX-License-Identifier: BSD-3-Clause
/*
 * vpe_core: request decoder of the virtio-ipsec device (see
 * vipsec_core.h). The guest is hostile: every count and length is checked
 * against req_len, resp_cap and the configured bounds before anything is
 * processed, fields are read byte-wise as little-endian, and every byte of
 * the response the caller hands back is written (no stale host memory).
 *
 * Zero-copy requests (vpe_queue_handle_data_sg) leave the packets in
 * guest memory, which the guest may change while the engine reads it:
 * the request header and descriptors are copied before they are checked,
 * and the packet parsers (vipsec_esp_*.c, vipsec_ipv*.c, vipsec_inner.c)
 * read each header field that yields an offset or a length once, into a
 * local, and bound that local where it is used, so changing bytes can
 * only give the guest wrong results for its own packets, never an access
 * outside the buffers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "vipsec_core_priv.h"
#include "vipsec_frag.h"
#include "vipsec_le.h"
#include "vpe_test.h"
#include "vpe_algs.h"

#define FOOTER_LEN  sizeof(struct virtio_ipsec_resp_footer)
#define CTRL_HLEN   sizeof(struct virtio_ipsec_ctrl_hdr)
#define DATA_HLEN   sizeof(struct virtio_ipsec_data_hdr)
#define PKT_REQ_LEN sizeof(struct virtio_ipsec_pkt_req)
#define PKT_RES_LEN sizeof(struct virtio_ipsec_pkt_result)
#define OFF(t, f)   VPE_OFF(t, f)

/* Options the engine implements (anti-replay: when a window is allowed). */
#define CORE_SA_OPTIONS                                            \
	(VIRTIO_IPSEC_SA_OPT_ESN | VIRTIO_IPSEC_SA_OPT_UDP_ENCAP | \
	 VIRTIO_IPSEC_SA_OPT_ECN | VIRTIO_IPSEC_SA_OPT_TFC_PAD |   \
	 VIRTIO_IPSEC_SA_OPT_SELECTOR | VIRTIO_IPSEC_SA_OPT_DEC_TTL)

/* What the decoder implements around the ESP engine. */
#define CORE_FEATURES                                                          \
	(1ULL << VIRTIO_IPSEC_F_IPV6 | 1ULL << VIRTIO_IPSEC_F_TRANSPORT |      \
	 1ULL << VIRTIO_IPSEC_F_EVENTQ | 1ULL << VIRTIO_IPSEC_F_LIFETIME |     \
	 1ULL << VIRTIO_IPSEC_F_SA_MOD | 1ULL << VIRTIO_IPSEC_F_SA_GET |       \
	 1ULL << VIRTIO_IPSEC_F_SA_STATE | 1ULL << VIRTIO_IPSEC_F_ERR_EVENTS | \
	 1ULL << VIRTIO_IPSEC_F_SA_CAPS)

/* Outer header fields of SA_ADD the ESP engine honours. */
#define CORE_HDR_FIELDS                                    \
	(VIRTIO_IPSEC_HDR_F_DSCP | VIRTIO_IPSEC_HDR_F_DF | \
	 VIRTIO_IPSEC_HDR_F_TTL | VIRTIO_IPSEC_HDR_F_FLOW_LABEL)

/*
 * Key sizes per usable cipher id: the row's lengths, less what the
 * backend cannot run (intel-ipsec-mb: no AES-CCM-192), so that a caller
 * learns it from config space instead of from a refused SA_ADD.
 */
static void core_key_sizes(struct vpe_core *core)
{
	const struct vpe_crypto_ops *ops = core->crypto->ops;
	unsigned int i, n;

	for (i = 0; i < VPE_ALG_COUNT; i++) {
		const struct vpe_alg *a = &vpe_alg_table[i];

		if (a->kind == VPE_ALG_AUTH ||
		    a->id >= sizeof(core->lim.cipher_key_sizes) ||
		    !(core->lim.cipher_mask & (1ULL << a->id)))
			continue;
		for (n = a->key_min; n <= a->key_max; n += 8)
			if (!ops->key_len_ok || ops->key_len_ok(a->id, n))
				core->lim.cipher_key_sizes[a->id] |=
					(uint8_t)VIRTIO_IPSEC_KEY_SIZE_BIT(n);
	}
}

static void set_err(char *err, size_t len, const char *msg)
{
	if (err && len)
		snprintf(err, len, "%s", msg);
}

/* Limits as in vipsec_core.h: sizes stay far from overflow. */
bool vpe_core_config_check(const struct vpe_core_config *cfg, char *err,
			   size_t err_len)
{
	static const struct {
		const char *name;
		size_t off;
		uint32_t min, max;
	} f[] = {
#define F(field, lo, hi) \
	{ #field, offsetof(struct vpe_core_config, field), lo, hi }
		F(max_sas, 1, VPE_CORE_MAX_SAS),
		F(max_groups, 0, VPE_CORE_MAX_GROUPS),
		F(max_packet_len, VPE_CORE_MIN_PACKET_LEN,
		  VPE_CORE_MAX_PACKET_LEN),
		F(max_batch, 1, VPE_CORE_MAX_BATCH),
		F(max_replay_window, 0, VPE_CORE_MAX_REPLAY_WINDOW),
		F(max_events, 0, VPE_CORE_MAX_EVENTS),
#undef F
	};

	if (!cfg) {
		set_err(err, err_len, "vipsec: no configuration");
		return false;
	}
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		uint32_t v;

		memcpy(&v, (const char *)cfg + f[i].off, sizeof(v));
		if (v < f[i].min) {
			if (err && err_len)
				snprintf(err, err_len,
					 "vipsec: %s %u is below "
					 "the engine's minimum %u",
					 f[i].name, v, f[i].min);
			return false;
		}
		if (v > f[i].max) {
			if (err && err_len)
				snprintf(err, err_len,
					 "vipsec: %s %u is above "
					 "the engine's maximum %u",
					 f[i].name, v, f[i].max);
			return false;
		}
	}
	return true;
}

struct vpe_core *vpe_core_new(const struct vpe_core_config *cfg, char *err,
			      size_t err_len)
{
	struct vpe_core *core;

	if (!vpe_core_config_check(cfg, err, err_len))
		return NULL;
	core = calloc(1, sizeof(*core));
	if (!core) {
		set_err(err, err_len, "vipsec: out of memory");
		return NULL;
	}
	core->cfg = *cfg;
	core->cfg.crypto_backend = NULL; /* not owned */
	core->crypto = vpe_crypto_new(cfg->crypto_backend, err, err_len);
	if (!core->crypto) {
		free(core);
		return NULL;
	}
	if (vpe_evq_init(&core->evq, cfg->max_events ? cfg->max_events :
						       VPE_CORE_DEF_EVENTS)) {
		vpe_crypto_free(core->crypto);
		free(core);
		set_err(err, err_len, "vipsec: out of memory");
		return NULL;
	}
	if (vpe_sadb_init(&core->db, cfg->max_sas, cfg->max_groups,
			  core->crypto)) {
		vpe_evq_fini(&core->evq);
		vpe_crypto_free(core->crypto);
		free(core);
		set_err(err, err_len, "vipsec: out of memory");
		return NULL;
	}
	pthread_mutex_init(&core->evq_lock, NULL);
	pthread_mutex_init(&core->ctrl_lock, NULL);
	pthread_mutex_init(&core->excl_lock, NULL);
	/* A deleted SA is freed once no data request can hold it. */
	core->db.sync = vpe_core_sync;
	core->db.sync_arg = core;
	/*
	 * Config space says "usable": what the backend runs, of the table's
	 * rows, weak ones only when allowed.
	 */
	core->lim.cipher_mask = core->crypto->ops->cipher_mask &
				vpe_alg_mask(false, cfg->allow_weak_algos);
	core->lim.auth_mask = core->crypto->ops->auth_mask &
			      vpe_alg_mask(true, cfg->allow_weak_algos);
	core->lim.max_replay_window = cfg->max_replay_window;
	core->lim.options_supported = CORE_SA_OPTIONS;
	if (cfg->max_replay_window)
		core->lim.options_supported |= VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY;
	core->lim.allow_weak_algos = cfg->allow_weak_algos;
	core_key_sizes(core);
	core->offered = CORE_FEATURES;
	if (core->lim.options_supported & VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY)
		core->offered |= 1ULL << VIRTIO_IPSEC_F_ANTI_REPLAY;
	if (core->lim.options_supported & VIRTIO_IPSEC_SA_OPT_ESN)
		core->offered |= 1ULL << VIRTIO_IPSEC_F_ESN;
	if (core->lim.options_supported & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP)
		core->offered |= 1ULL << VIRTIO_IPSEC_F_UDP_ENCAP;
	core->lim.features = core->offered;
	/* vpe_core_handle_data()'s queue, for single-threaded users. */
	core->q0 = vpe_queue_new(core, err, err_len);
	if (!core->q0) {
		vpe_core_free(core);
		return NULL;
	}
	return core;
}

void vpe_core_free(struct vpe_core *core)
{
	if (!core)
		return;
	/* Every queue but q0 was freed by its owner (asserted there). */
	vpe_queue_free(core->q0);
	vpe_queues_fini(core);
	core->db.sync = NULL; /* no queue left to wait for */
	vpe_sadb_fini(&core->db);
	vpe_evq_fini(&core->evq);
	vpe_crypto_free(core->crypto);
	pthread_mutex_destroy(&core->evq_lock);
	pthread_mutex_destroy(&core->ctrl_lock);
	pthread_mutex_destroy(&core->excl_lock);
	free(core);
}

uint64_t vpe_core_features(const struct vpe_core *core)
{
	return core->offered;
}

void vpe_core_set_features(struct vpe_core *core, uint64_t features)
{
	vpe_core_ctrl_lock(core);
	vpe_st(&core->lim.features, features & core->offered);
	if (!vpe_core_has(core, VIRTIO_IPSEC_F_EVENTQ)) {
		pthread_mutex_lock(&core->evq_lock);
		vpe_evq_clear(&core->evq);
		pthread_mutex_unlock(&core->evq_lock);
	}
	vpe_core_ctrl_unlock(core);
}

void vpe_core_fill_config(const struct vpe_core *core,
			  struct virtio_ipsec_config *cfg)
{
	uint8_t *p = (uint8_t *)cfg;

	memset(cfg, 0, sizeof(*cfg));
	vpe_st32(p + OFF(virtio_ipsec_config, status), VIRTIO_IPSEC_S_HW_READY);
	vpe_st32(p + OFF(virtio_ipsec_config, abi_version),
		 VIRTIO_IPSEC_ABI_VERSION);
	/* The device model owns the queues; it overwrites this field. */
	vpe_st32(p + OFF(virtio_ipsec_config, max_data_queues), 1);
	vpe_st32(p + OFF(virtio_ipsec_config, max_sas), core->cfg.max_sas);
	vpe_st32(p + OFF(virtio_ipsec_config, max_groups),
		 core->cfg.max_groups);
	vpe_st32(p + OFF(virtio_ipsec_config, max_packet_len),
		 core->cfg.max_packet_len);
	vpe_st32(p + OFF(virtio_ipsec_config, max_batch), core->cfg.max_batch);
	vpe_st32(p + OFF(virtio_ipsec_config, max_replay_window),
		 core->cfg.max_replay_window);
	vpe_st64(p + OFF(virtio_ipsec_config, cipher_algo_mask),
		 core->lim.cipher_mask);
	vpe_st64(p + OFF(virtio_ipsec_config, auth_algo_mask),
		 core->lim.auth_mask);
	vpe_st32(p + OFF(virtio_ipsec_config, max_cipher_key_len),
		 VIRTIO_IPSEC_MAX_CIPHER_KEY);
	vpe_st32(p + OFF(virtio_ipsec_config, max_auth_key_len),
		 VIRTIO_IPSEC_MAX_AUTH_KEY); /* HMAC-SHA512: 64 bytes */
	vpe_st32(p + OFF(virtio_ipsec_config, sa_options),
		 core->lim.options_supported);
	vpe_st32(p + OFF(virtio_ipsec_config, hdr_fields), CORE_HDR_FIELDS);
	memcpy(p + OFF(virtio_ipsec_config, cipher_key_sizes),
	       core->lim.cipher_key_sizes, sizeof(core->lim.cipher_key_sizes));
}

void vpe_core_reset(struct vpe_core *core)
{
	vpe_core_ctrl_lock(core);
	/* Groups are cleared in place: no data request may look. */
	vpe_core_excl_begin(core);
	vpe_sadb_clear(&core->db);
	pthread_mutex_lock(&core->evq_lock);
	vpe_evq_clear(&core->evq);
	/* A reset device raises no error events until told again. */
	memset(&core->errlim, 0, sizeof(core->errlim));
	memset(core->erl, 0, sizeof(core->erl));
	pthread_mutex_unlock(&core->evq_lock);
	vpe_core_excl_end(core);
	vpe_core_ctrl_unlock(core);
}

/* Zeroes the body and writes the footer; returns the used length. */
static ssize_t finish(uint8_t *resp, size_t resp_cap, size_t body_written,
		      uint8_t status, uint32_t out_len)
{
	uint8_t *f = resp + resp_cap - FOOTER_LEN;

	memset(resp + body_written, 0, resp_cap - FOOTER_LEN - body_written);
	f[0] = status;
	f[1] = f[2] = f[3] = 0;
	vpe_st32(f + OFF(virtio_ipsec_resp_footer, out_len), out_len);
	return (ssize_t)resp_cap;
}

void vpe_sa_keep_keys(struct vpe_sa *sa, const uint8_t *params)
{
	uint8_t *k = sa->st.keys;

	memcpy(k, params + OFF(virtio_ipsec_sa_params, cipher_key),
	       VIRTIO_IPSEC_MAX_CIPHER_KEY);
	k += VIRTIO_IPSEC_MAX_CIPHER_KEY;
	memcpy(k, params + OFF(virtio_ipsec_sa_params, auth_key),
	       VIRTIO_IPSEC_MAX_AUTH_KEY);
	k += VIRTIO_IPSEC_MAX_AUTH_KEY;
	memcpy(k, params + OFF(virtio_ipsec_sa_params, salt),
	       VIRTIO_IPSEC_MAX_SALT);
}

/*
 * SA_GET returns the parameters as added: keep them, but never the keys
 * (the lengths and algorithms are not secret).
 */
static void sa_keep_params(struct vpe_core *core, struct vpe_sa *sa,
			   const uint8_t *body)
{
	uint8_t *p = sa->st.params;

	vpe_st(&sa->st.added, core->now); /* data queues read it */
	memcpy(p, body, sizeof(sa->st.params));
	vpe_sa_keep_keys(sa, body);
	memset(p + OFF(virtio_ipsec_sa_params, cipher_key), 0,
	       VIRTIO_IPSEC_MAX_CIPHER_KEY);
	memset(p + OFF(virtio_ipsec_sa_params, auth_key), 0,
	       VIRTIO_IPSEC_MAX_AUTH_KEY);
	memset(p + OFF(virtio_ipsec_sa_params, salt), 0, VIRTIO_IPSEC_MAX_SALT);
}

static uint8_t ctrl_group_create(struct vpe_core *core,
				 const struct vpe_ctrl_req *r)
{
	return vpe_group_create(&core->db, r->gid, r->body);
}

static uint8_t ctrl_group_destroy(struct vpe_core *core,
				  const struct vpe_ctrl_req *r)
{
	return vpe_group_destroy(&core->db, r->gid);
}

static uint8_t ctrl_sa_add(struct vpe_core *core, const struct vpe_ctrl_req *r)
{
	struct vpe_sa_cfg cfg;
	uint8_t st;

	if (vpe_group_check(&core->db, r->gid) != VIRTIO_IPSEC_OK)
		return VIRTIO_IPSEC_INVGROUP;
	if (r->id == 0 || r->id > core->cfg.max_sas)
		return VIRTIO_IPSEC_INVSA;
	if (core->db.sas[r->id])
		return VIRTIO_IPSEC_EXISTS;
	st = vpe_sa_cfg_decode(r->body, &core->lim, &cfg);
	if (st == VIRTIO_IPSEC_OK)
		st = vpe_sa_add(&core->db, r->gid, r->id, &cfg);
	explicit_bzero(&cfg, sizeof(cfg));
	if (st == VIRTIO_IPSEC_OK)
		sa_keep_params(core, core->db.sas[r->id], r->body);
	return st;
}

static uint8_t ctrl_sa_del(struct vpe_core *core, const struct vpe_ctrl_req *r)
{
	uint8_t st = vpe_sa_del(&core->db, r->gid, r->id);

	/*
	 * A later SA with the same id must not see these. vpe_sa_del()
	 * returned after the grace period: no queue can raise another.
	 */
	if (st == VIRTIO_IPSEC_OK) {
		pthread_mutex_lock(&core->evq_lock);
		vpe_evq_purge(&core->evq, r->gid, r->id);
		vpe_err_forget(core, r->gid, r->id);
		pthread_mutex_unlock(&core->evq_lock);
	}
	return st;
}

static uint8_t ctrl_sa_flush(struct vpe_core *core,
			     const struct vpe_ctrl_req *r)
{
	uint8_t st = vpe_sa_flush(&core->db, r->gid);

	if (st == VIRTIO_IPSEC_OK) {
		pthread_mutex_lock(&core->evq_lock);
		vpe_evq_purge(&core->evq, r->gid, 0);
		vpe_err_forget(core, r->gid, 0);
		pthread_mutex_unlock(&core->evq_lock);
	}
	return st;
}

#define CTRL_NO_FEATURE 0xff /* opcode needs no negotiated feature */

/*
 * The control commands (model: xfrm_user.c's xfrm_dispatch[] with
 * xfrm_msg_min[]): what the dispatcher checks before the handler runs,
 * in this order: the feature (NOTSUPP), a zero sa_id where the opcode
 * takes none, the body's minimum length (INVAL). Opcodes not here are
 * NOTSUPP.
 */
static const struct {
	uint8_t feature;  /* VIRTIO_IPSEC_F_*, or CTRL_NO_FEATURE */
	bool no_sa_id;	  /* sa_id must be 0 */
	uint16_t min_len; /* body bytes */
	uint8_t (*handler)(struct vpe_core *core, const struct vpe_ctrl_req *r);
} ctrl_cmds[] = {
	[VIRTIO_IPSEC_OP_GROUP_CREATE] = { CTRL_NO_FEATURE, true,
					   sizeof(struct virtio_ipsec_group_create),
					   ctrl_group_create },
	[VIRTIO_IPSEC_OP_GROUP_DESTROY] = { CTRL_NO_FEATURE, true, 0,
					    ctrl_group_destroy },
	[VIRTIO_IPSEC_OP_SA_ADD] = { CTRL_NO_FEATURE, false,
				     sizeof(struct virtio_ipsec_sa_params),
				     ctrl_sa_add },
	[VIRTIO_IPSEC_OP_SA_DEL] = { CTRL_NO_FEATURE, false, 0, ctrl_sa_del },
	[VIRTIO_IPSEC_OP_SA_FLUSH] = { CTRL_NO_FEATURE, true, 0,
				       ctrl_sa_flush },
	[VIRTIO_IPSEC_OP_SA_MOD] = { VIRTIO_IPSEC_F_SA_MOD, false,
				     sizeof(struct virtio_ipsec_sa_mod),
				     vpe_ctl_sa_mod },
	[VIRTIO_IPSEC_OP_SA_GET] = { VIRTIO_IPSEC_F_SA_GET, false,
				     sizeof(struct virtio_ipsec_sa_get),
				     vpe_ctl_sa_get },
	[VIRTIO_IPSEC_OP_EVENT_LIMIT] = { VIRTIO_IPSEC_F_ERR_EVENTS, true,
					  sizeof(struct virtio_ipsec_event_limit),
					  vpe_ctl_event_limit },
};

static uint8_t ctrl_dispatch(struct vpe_core *core, const uint8_t *req,
			     size_t req_len, uint8_t *out, size_t out_cap,
			     uint32_t *out_len)
{
	uint16_t op = vpe_ld16(req + OFF(virtio_ipsec_ctrl_hdr, opcode));
	struct vpe_ctrl_req r = {
		.gid = vpe_ld32(req + OFF(virtio_ipsec_ctrl_hdr, group_id)),
		.id = vpe_ld32(req + OFF(virtio_ipsec_ctrl_hdr, sa_id)),
		.body = req + CTRL_HLEN,
		.body_len = req_len - CTRL_HLEN,
		.out = out,
		.out_cap = out_cap,
		.out_len = out_len,
	};

	if (vpe_ld16(req + OFF(virtio_ipsec_ctrl_hdr, flags)) ||
	    vpe_ld32(req + OFF(virtio_ipsec_ctrl_hdr, reserved)))
		return VIRTIO_IPSEC_INVAL;
	if (op >= sizeof(ctrl_cmds) / sizeof(ctrl_cmds[0]) ||
	    !ctrl_cmds[op].handler)
		return VIRTIO_IPSEC_NOTSUPP;
	if (ctrl_cmds[op].feature != CTRL_NO_FEATURE &&
	    !vpe_core_has(core, ctrl_cmds[op].feature))
		return VIRTIO_IPSEC_NOTSUPP;
	if ((ctrl_cmds[op].no_sa_id && r.id) ||
	    r.body_len < ctrl_cmds[op].min_len)
		return VIRTIO_IPSEC_INVAL;
	return ctrl_cmds[op].handler(core, &r);
}

ssize_t vpe_core_handle_ctrl(struct vpe_core *core, const uint8_t *req,
			     size_t req_len, uint8_t *resp, size_t resp_cap)
{
	uint32_t out_len = 0;
	uint8_t st;

	if (!resp || resp_cap < FOOTER_LEN)
		return -1;
	if (!req || req_len < CTRL_HLEN) {
		st = VIRTIO_IPSEC_INVAL;
	} else {
		vpe_core_ctrl_lock(core);
		st = ctrl_dispatch(core, req, req_len, resp,
				   resp_cap - FOOTER_LEN, &out_len);
		vpe_core_ctrl_unlock(core);
	}
	if (st != VIRTIO_IPSEC_OK)
		out_len = 0;
	return finish(resp, resp_cap, out_len, st, out_len);
}

/* Checks the whole request before any packet is touched. */
static uint8_t data_validate(const struct vpe_core *core, const uint8_t *req,
			     size_t req_len, size_t resp_cap, uint32_t *num_out,
			     uint64_t *resp_body)
{
	uint64_t in_total = 0, out_total = 0;
	const uint8_t *pr;
	uint16_t op;
	uint32_t n, i;

	if (!req || req_len < DATA_HLEN)
		return VIRTIO_IPSEC_INVAL;
	op = vpe_ld16(req + OFF(virtio_ipsec_data_hdr, opcode));
	n = vpe_ld32(req + OFF(virtio_ipsec_data_hdr, num_pkts));
	if (vpe_ld16(req + OFF(virtio_ipsec_data_hdr, flags)) ||
	    !vpe_all_zero(req + OFF(virtio_ipsec_data_hdr, reserved),
			  sizeof(((struct virtio_ipsec_data_hdr *)0)->reserved)))
		return VIRTIO_IPSEC_INVAL;
	if (op != VIRTIO_IPSEC_OP_ENCAP && op != VIRTIO_IPSEC_OP_DECAP)
		return VIRTIO_IPSEC_NOTSUPP;
	if (n == 0 || n > core->cfg.max_batch)
		return VIRTIO_IPSEC_INVAL;
	if ((req_len - DATA_HLEN) / PKT_REQ_LEN < n)
		return VIRTIO_IPSEC_INVAL;
	pr = req + DATA_HLEN;
	for (i = 0; i < n; i++, pr += PKT_REQ_LEN) {
		uint32_t in_len =
			vpe_ld32(pr + OFF(virtio_ipsec_pkt_req, in_len));
		uint32_t cap =
			vpe_ld32(pr + OFF(virtio_ipsec_pkt_req, out_cap));

		if (in_len > core->cfg.max_packet_len ||
		    cap > core->cfg.max_packet_len)
			return VIRTIO_IPSEC_INVAL;
		in_total += in_len;
		out_total += cap;
	}
	/*
	 * The input bytes must fill the readable part exactly: trailing
	 * bytes would be a driver bug or a guest probing what the device
	 * reads, and refusing them keeps one meaning for every length.
	 */
	if (in_total != req_len - DATA_HLEN - (uint64_t)n * PKT_REQ_LEN)
		return VIRTIO_IPSEC_INVAL;
	*resp_body = (uint64_t)n * PKT_RES_LEN + out_total;
	if (*resp_body > resp_cap - FOOTER_LEN)
		return VIRTIO_IPSEC_INVAL;
	*num_out = n;
	return VIRTIO_IPSEC_OK;
}

/*
 * The request's two parts as iovec lists: a flat request is one entry
 * each (the caller's own copy), a zero-copy one the virtqueue element's
 * guest buffers, which the guest may change while they are read.
 */
struct vpe_data_io {
	const struct iovec *out; /* device-readable */
	unsigned int out_num;
	const struct iovec *in; /* device-writable */
	unsigned int in_num;
	bool flat; /* out is a stable copy: parse it in place */
};

/* A position in an iovec list. */
struct sg_cur {
	const struct iovec *v;
	unsigned int n, i;
	size_t off;
};

static size_t sg_total(const struct iovec *v, unsigned int n)
{
	size_t t = 0, i;

	for (i = 0; i < n; i++)
		t = v[i].iov_len > SIZE_MAX - t ? SIZE_MAX : t + v[i].iov_len;
	return t;
}

static void sg_norm(struct sg_cur *c)
{
	while (c->i < c->n && c->off >= c->v[c->i].iov_len) {
		c->off = 0;
		c->i++;
	}
}

/*
 * Moves len bytes on, copying them to dst (gather), from src (scatter),
 * zeroing them (neither), or none of these. Callers have checked the
 * list holds them; it stops at its end regardless.
 */
static void sg_walk(struct sg_cur *c, size_t len, uint8_t *dst,
		    const uint8_t *src, bool zero)
{
	while (len) {
		uint8_t *b;
		size_t k;

		sg_norm(c);
		if (c->i >= c->n)
			return;
		b = (uint8_t *)c->v[c->i].iov_base + c->off;
		k = c->v[c->i].iov_len - c->off;
		if (k > len)
			k = len;
		if (dst) {
			memcpy(dst, b, k);
			dst += k;
		} else if (src) {
			memcpy(b, src, k);
			src += k;
		} else if (zero) {
			memset(b, 0, k);
		}
		c->off += k;
		len -= k;
	}
}

/* One packet of a data request on its way through a burst. */
struct data_pkt {
	uint8_t *res; /* its virtio_ipsec_pkt_result */
	uint32_t in_len;
	uint32_t cap;
	bool rsv;     /* vpe_life_admit() reserved it */
	bool bounced; /* out is in the bounce buffer: copy back to opos */
	struct sg_cur opos;
	struct vpe_esp_res r;
	uint16_t warn;
};

/* One data request on one queue. */
struct data_ctx {
	struct vpe_core *core;
	struct vpe_crypto *crypto;
	struct vpe_queue *q;
	int encap;
	unsigned int nb;
	struct vpe_esp_pkt burst[VPE_ESP_BURST];
	struct data_pkt *pend[VPE_ESP_BURST];
	struct data_pkt one[VPE_ESP_BURST];
};

/*
 * Accounting changes what the next packet of the same SA is admitted to
 * (hard byte/packet limits) and when soft expiry fires: such an SA's
 * packets are not put in one burst together.
 */
static bool data_counts_matter(const struct vpe_sa *sa)
{
	const struct vpe_life *l = &sa->st.life;

	return l->soft_bytes || l->hard_bytes || l->soft_packets ||
	       l->hard_packets;
}

static void data_result(const struct data_pkt *d, uint8_t *out)
{
	uint32_t written = (d->r.status == VIRTIO_IPSEC_OK ||
			    d->r.status == VIRTIO_IPSEC_SOFT_EXPIRY) ?
				   d->r.out_len :
				   0;

	memset(out + written, 0, d->cap - written);
	memset(d->res, 0, PKT_RES_LEN);
	d->res[OFF(virtio_ipsec_pkt_result, status)] = d->r.status;
	vpe_st16(d->res + OFF(virtio_ipsec_pkt_result, warnings), d->warn);
	vpe_st32(d->res + OFF(virtio_ipsec_pkt_result, out_len), d->r.out_len);
	vpe_st32(d->res + OFF(virtio_ipsec_pkt_result, seq_lo),
		 (uint32_t)d->r.seq);
	vpe_st32(d->res + OFF(virtio_ipsec_pkt_result, seq_hi),
		 (uint32_t)(d->r.seq >> 32));
	if (d->bounced) {
		struct sg_cur c = d->opos;

		sg_walk(&c, d->cap, NULL, out, false);
	}
}

/* Runs the pending burst through the ESP engine, then accounts it. */
static void data_flush(struct data_ctx *x)
{
	struct vpe_esp_res r[VPE_ESP_BURST];
	struct vpe_esp_pkt *p = x->burst;
	struct vpe_sa *run = NULL;
	uint64_t rp = 0, rb = 0;
	unsigned int i;

	if (!x->nb)
		return;
	if (x->encap)
		vpe_esp_encap_burst(x->crypto, p, x->nb, r);
	else
		vpe_esp_decap_burst(x->crypto, p, x->nb, r);
	for (i = 0; i < x->nb; i++) {
		struct data_pkt *d = x->pend[i];
		struct vpe_sa *sa = p[i].sa;

		d->r = r[i];
		/*
		 * The common SA, without lifetimes: its counters take one
		 * atomic add per run of packets (shared by all queues).
		 */
		if (d->r.status == VIRTIO_IPSEC_OK && vpe_life_plain(sa) &&
		    !(vpe_ld(&sa->st.flags) & VPE_ST_SOFT)) {
			if (sa != run) {
				if (run)
					vpe_life_account_plain(run, rp, rb);
				run = sa;
				rp = rb = 0;
			}
			rp++;
			rb += d->in_len;
			d->warn = 0;
		} else {
			d->warn = vpe_life_account(x->core, sa, d->in_len,
						   d->rsv, &d->r);
		}
		data_result(d, p[i].out);
	}
	if (run)
		vpe_life_account_plain(run, rp, rb);
	x->nb = 0;
	vpe_queue_bounce_reset(x->q);
}

/*
 * The len bytes at c when they lie in its current entry (an entry used
 * up is skipped first), else NULL; c does not move. Inline: this is the
 * per-packet common case (a flat request, or a packet in a descriptor of
 * its own).
 */
static inline uint8_t *sg_peek(struct sg_cur *c, size_t len)
{
	while (c->i < c->n && c->off >= c->v[c->i].iov_len && len) {
		c->off = 0;
		c->i++;
	}
	if (c->i < c->n && c->v[c->i].iov_len - c->off >= len)
		return (uint8_t *)c->v[c->i].iov_base + c->off;
	return NULL;
}

/*
 * The slow way to a packet's bytes: they straddle entries (or there are
 * none), so they go through the queue's bounce buffer, which the caller
 * has made room in: gathered now for input, scattered back from pos by
 * data_result() for output.
 */
static uint8_t *data_bounce(struct data_ctx *x, struct sg_cur *c, size_t len,
			    bool gather, struct sg_cur *pos)
{
	uint8_t *b = vpe_queue_bounce(x->q, len);

	*pos = *c;
	sg_walk(c, len, gather ? b : NULL, NULL, false);
	return b;
}

/*
 * The header and the packet descriptors, copied once out of guest
 * buffers (zero-copy requests): everything that is checked is read from
 * this copy, so the guest cannot change a length after its check.
 */
static const uint8_t *data_header(struct vpe_core *core, struct vpe_queue *q,
				  const struct vpe_data_io *io, size_t req_len)
{
	struct sg_cur c = { io->out, io->out_num, 0, 0 };
	uint8_t *h = vpe_queue_hdr_buf(q);
	size_t len = req_len < DATA_HLEN ? req_len : DATA_HLEN;
	uint32_t n;

	if (io->flat)
		return io->out_num ? io->out[0].iov_base : NULL;
	sg_walk(&c, len, h, NULL, false);
	if (len < DATA_HLEN)
		return h;
	n = vpe_ld32(h + OFF(virtio_ipsec_data_hdr, num_pkts));
	if (n == 0 || n > core->cfg.max_batch)
		return h; /* refused before any descriptor is read */
	len = (size_t)n * PKT_REQ_LEN;
	if (len > req_len - DATA_HLEN)
		len = req_len - DATA_HLEN; /* refused: too short */
	sg_walk(&c, len, h + DATA_HLEN, NULL, false);
	return h;
}

/* Zeroes the writable part from body on and writes the footer. */
static ssize_t data_finish(const struct vpe_data_io *io, size_t resp_cap,
			   size_t body, uint8_t status, uint32_t out_len)
{
	struct sg_cur c = { io->in, io->in_num, 0, 0 };
	uint8_t f[FOOTER_LEN] = { status };

	vpe_st32(f + OFF(virtio_ipsec_resp_footer, out_len), out_len);
	sg_walk(&c, body, NULL, NULL, false);
	sg_walk(&c, resp_cap - FOOTER_LEN - body, NULL, NULL, true);
	sg_walk(&c, FOOTER_LEN, NULL, f, false);
	return (ssize_t)resp_cap;
}

/*
 * Before the next m packet descriptors at pr are looked up: their SA
 * table entries, then the SA lines the loop below and the ESP code read
 * per packet (vipsec_sa.h: lines 0 and 1, and st's first two), so that
 * with many SAs far from cache the misses of the whole burst overlap
 * instead of coming one packet at a time. Only hints: an id out of range
 * is skipped, and an SA being deleted is never dereferenced here.
 */
static void data_prefetch(const struct vpe_sadb *db, const uint8_t *pr,
			  uint32_t m)
{
	const uint8_t *d;
	struct vpe_sa *sa;
	uint32_t i, id;

	for (i = 0, d = pr; i < m; i++, d += PKT_REQ_LEN) {
		id = vpe_ld32(d + OFF(virtio_ipsec_pkt_req, sa_id));
		if (id && id <= db->max_sas)
			__builtin_prefetch(&db->sas[id]);
	}
	for (i = 0, d = pr; i < m; i++, d += PKT_REQ_LEN) {
		id = vpe_ld32(d + OFF(virtio_ipsec_pkt_req, sa_id));
		if (!id || id > db->max_sas)
			continue;
		sa = vpe_ld(&db->sas[id]);
		if (!sa)
			continue;
		__builtin_prefetch(sa, 1);
		__builtin_prefetch((const char *)sa + 64, 1);
		__builtin_prefetch(&sa->st, 1);
		__builtin_prefetch(sa->st.stats, 1);
	}
}

ssize_t vpe_data_run(struct vpe_core *core, struct vpe_crypto *crypto,
		     struct vpe_queue *q, const struct vpe_data_io *io)
{
	size_t req_len = sg_total(io->out, io->out_num);
	size_t resp_cap = sg_total(io->in, io->in_num);
	struct sg_cur ic = { io->out, io->out_num, 0, 0 };
	struct sg_cur oc = { io->in, io->in_num, 0, 0 };
	struct data_ctx x; /* arrays filled as used: no 10 KiB memset */
	const uint8_t *req, *pr;
	uint8_t *results, st;
	uint64_t body = 0;
	uint32_t n = 0, i;
	unsigned int k;

	if (resp_cap < FOOTER_LEN)
		return -1;
	x.core = core;
	x.crypto = crypto;
	x.q = q;
	x.nb = 0;
	req = data_header(core, q, io, req_len);
	st = data_validate(core, req, req_len, resp_cap, &n, &body);
	if (st != VIRTIO_IPSEC_OK)
		return data_finish(io, resp_cap, 0, st, 0);

	x.encap = vpe_ld16(req + OFF(virtio_ipsec_data_hdr, opcode)) ==
		  VIRTIO_IPSEC_OP_ENCAP;
	pr = req + DATA_HLEN;
	/* Results in place when contiguous, else gathered and copied out. */
	results = sg_peek(&oc, (size_t)n * PKT_RES_LEN);
	if (!results)
		results = vpe_queue_res_buf(q);
	sg_walk(&ic, DATA_HLEN + (size_t)n * PKT_REQ_LEN, NULL, NULL, false);
	sg_walk(&oc, (size_t)n * PKT_RES_LEN, NULL, NULL, false);
	/*
	 * Packets go to the ESP engine in bursts (one backend call for up to
	 * VPE_ESP_BURST packets' crypto); each is admitted, processed and
	 * accounted in request order as if alone.
	 */
	for (i = 0; i < n; i++, pr += PKT_REQ_LEN) {
		uint32_t gid =
			vpe_ld32(pr + OFF(virtio_ipsec_pkt_req, group_id));
		uint32_t id = vpe_ld32(pr + OFF(virtio_ipsec_pkt_req, sa_id));
		uint32_t in_len =
			vpe_ld32(pr + OFF(virtio_ipsec_pkt_req, in_len));
		uint32_t cap =
			vpe_ld32(pr + OFF(virtio_ipsec_pkt_req, out_cap));
		struct sg_cur ipos, opos;
		bool ob;
		const uint8_t *in;
		uint8_t *out, status = VIRTIO_IPSEC_OK;
		struct data_pkt *d;
		struct vpe_sa *sa = NULL;
		bool mine, any, alone;

		bool by_spi = !id && !x.encap;

		if (i % VPE_ESP_BURST == 0)
			data_prefetch(&core->db, pr,
				      n - i < VPE_ESP_BURST ? n - i :
							      VPE_ESP_BURST);

		if (vpe_group_check(&core->db, gid) != VIRTIO_IPSEC_OK) {
			status = VIRTIO_IPSEC_INVGROUP;
		} else if (!by_spi) {
			sa = vpe_sa_lookup(&core->db, gid, id);
			if (!sa)
				status = VIRTIO_IPSEC_INVSA;
		}
		if (x.nb == VPE_ESP_BURST)
			data_flush(&x);
		/*
		 * Flushes happen before this packet's bytes may be bounced
		 * (a flush reuses the bounce room). An SA found by SPI is
		 * known only then: no SA whose counts matter may be pending.
		 * A packet that may be fragmented runs alone (several numbers).
		 */
		/* What does not depend on k first: mostly nothing to scan */
		mine = sa && data_counts_matter(sa);
		any = by_spi && status == VIRTIO_IPSEC_OK;
		alone = sa && x.encap && sa->path_mtu &&
			sa->frag_mode == VIRTIO_IPSEC_FRAG_BEFORE;
		for (k = 0; k < x.nb && (mine || any || alone); k++)
			if ((mine && x.burst[k].sa == sa) ||
			    (any && data_counts_matter(x.burst[k].sa)) ||
			    alone) {
				data_flush(&x);
				break;
			}
		if (io->flat) {
			/* One entry each, bounds checked: plain offsets. */
			in = (const uint8_t *)io->out[0].iov_base + ic.off;
			out = (uint8_t *)io->in[0].iov_base + oc.off;
		} else {
			in = sg_peek(&ic, in_len);
			out = sg_peek(&oc, cap);
		}
		ob = !out;
		if (in && out) {
			/* In place: the common case. */
			ic.off += in_len;
			oc.off += cap;
		} else {
			size_t need = (in ? 0 : in_len) + (out ? 0 : cap);

			/* Flushing copies bounced outputs back: room again. */
			if (!vpe_queue_bounce_room(x.q, need))
				data_flush(&x);
			if (in)
				ic.off += in_len;
			else
				in = data_bounce(&x, &ic, in_len, true, &ipos);
			if (out)
				oc.off += cap;
			else
				out = data_bounce(&x, &oc, cap, false, &opos);
		}
		/* DECAP without an SA id: by SPI (vipsec_lookup.c) */
		if (by_spi && status == VIRTIO_IPSEC_OK) {
			sa = vpe_sadb_lookup_packet(&core->db, gid, in, in_len);
			if (!sa)
				status = VIRTIO_IPSEC_INVSA;
		}
		d = &x.one[x.nb];
		*d = (struct data_pkt){
			.res = results + (size_t)i * PKT_RES_LEN,
			.in_len = in_len,
			.cap = cap,
			.bounced = ob,
			.r.status = status,
		};
		if (ob)
			d->opos = opos;
		/* Lifetimes and statistics wrap the ESP engine. */
		if (sa)
			d->r.status = vpe_life_admit(core, sa, in_len, &d->rsv);
		if (sa && d->r.status == VIRTIO_IPSEC_OK && x.encap &&
		    vpe_frag_wanted(sa, in, in_len)) {
			/* Several sequence numbers: the burst went first. */
			d->warn = vpe_frag_encap(x.crypto, sa, in, in_len, out,
						 cap, &d->r);
			d->warn |= vpe_life_account(core, sa, in_len, d->rsv,
						    &d->r);
			data_result(d, out);
		} else if (sa && d->r.status == VIRTIO_IPSEC_OK) {
			x.burst[x.nb] = (struct vpe_esp_pkt){
				.sa = sa,
				.in = in,
				.in_len = in_len,
				.out = out,
				.out_cap = cap,
			};
			x.pend[x.nb++] = d;
		} else {
			if (sa)
				d->warn = vpe_life_account(core, sa, in_len,
							   d->rsv, &d->r);
			data_result(d, out);
		}
	}
	data_flush(&x);
	if (results == vpe_queue_res_buf(q)) {
		struct sg_cur c = { io->in, io->in_num, 0, 0 };

		sg_walk(&c, (size_t)n * PKT_RES_LEN, NULL, results, false);
	}
	return data_finish(io, resp_cap, (size_t)body, VIRTIO_IPSEC_OK,
			   (uint32_t)body);
}

ssize_t vpe_core_handle_data(struct vpe_core *core, const uint8_t *req,
			     size_t req_len, uint8_t *resp, size_t resp_cap)
{
	return vpe_queue_handle_data(core->q0, req, req_len, resp, resp_cap);
}

ssize_t vpe_queue_handle_data(struct vpe_queue *q, const uint8_t *req,
			      size_t req_len, uint8_t *resp, size_t resp_cap)
{
	struct iovec o = { (void *)req, req ? req_len : 0 };
	struct iovec i = { resp, resp_cap };
	struct vpe_data_io io = { &o, 1, &i, 1, true };

	if (!resp || resp_cap < FOOTER_LEN)
		return -1;
	return vpe_queue_run(q, &io);
}

ssize_t vpe_queue_handle_data_sg(struct vpe_queue *q, const struct iovec *out,
				 unsigned int out_num, const struct iovec *in,
				 unsigned int in_num)
{
	struct vpe_data_io io = { out, out_num, in, in_num, false };

	return vpe_queue_run(q, &io);
}

/* For tests and the benchmark: the engine objects behind a core. */
struct vpe_sadb *vpe_core_sadb(struct vpe_core *core)
{
	return &core->db;
}

struct vpe_crypto *vpe_core_crypto(struct vpe_core *core)
{
	return core->crypto;
}
