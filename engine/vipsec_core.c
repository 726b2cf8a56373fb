// SPDX-License-Identifier: BSD-3-Clause
/*
 * vpe_core: request decoder of the virtio-ipsec device (see
 * vipsec_core.h). The guest is hostile: every count and length is checked
 * against req_len, resp_cap and the configured bounds before anything is
 * processed, fields are read byte-wise as little-endian, and every byte of
 * the response the caller hands back is written (no stale host memory).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#define CORE_FEATURES                                                      \
	(1ULL << VIRTIO_IPSEC_F_IPV6 | 1ULL << VIRTIO_IPSEC_F_TRANSPORT |  \
	 1ULL << VIRTIO_IPSEC_F_EVENTQ | 1ULL << VIRTIO_IPSEC_F_LIFETIME | \
	 1ULL << VIRTIO_IPSEC_F_SA_MOD | 1ULL << VIRTIO_IPSEC_F_SA_GET)

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
	core->offered = CORE_FEATURES;
	if (core->lim.options_supported & VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY)
		core->offered |= 1ULL << VIRTIO_IPSEC_F_ANTI_REPLAY;
	if (core->lim.options_supported & VIRTIO_IPSEC_SA_OPT_ESN)
		core->offered |= 1ULL << VIRTIO_IPSEC_F_ESN;
	if (core->lim.options_supported & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP)
		core->offered |= 1ULL << VIRTIO_IPSEC_F_UDP_ENCAP;
	core->lim.features = core->offered;
	return core;
}

void vpe_core_free(struct vpe_core *core)
{
	if (!core)
		return;
	vpe_sadb_fini(&core->db);
	vpe_evq_fini(&core->evq);
	vpe_crypto_free(core->crypto);
	free(core);
}

uint64_t vpe_core_features(const struct vpe_core *core)
{
	return core->offered;
}

void vpe_core_set_features(struct vpe_core *core, uint64_t features)
{
	core->lim.features = features & core->offered;
	if (!vpe_core_has(core, VIRTIO_IPSEC_F_EVENTQ))
		vpe_evq_clear(&core->evq);
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
}

void vpe_core_reset(struct vpe_core *core)
{
	vpe_sadb_clear(&core->db);
	vpe_evq_clear(&core->evq);
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

	sa->st.added = core->now;
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

	/* A later SA with the same id must not see these. */
	if (st == VIRTIO_IPSEC_OK)
		vpe_evq_purge(&core->evq, r->gid, r->id);
	return st;
}

static uint8_t ctrl_sa_flush(struct vpe_core *core,
			     const struct vpe_ctrl_req *r)
{
	uint8_t st = vpe_sa_flush(&core->db, r->gid);

	if (st == VIRTIO_IPSEC_OK)
		vpe_evq_purge(&core->evq, r->gid, 0);
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
	if (!req || req_len < CTRL_HLEN)
		st = VIRTIO_IPSEC_INVAL;
	else
		st = ctrl_dispatch(core, req, req_len, resp,
				   resp_cap - FOOTER_LEN, &out_len);
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
	if (in_total > req_len - DATA_HLEN - (uint64_t)n * PKT_REQ_LEN)
		return VIRTIO_IPSEC_INVAL;
	*resp_body = (uint64_t)n * PKT_RES_LEN + out_total;
	if (*resp_body > resp_cap - FOOTER_LEN)
		return VIRTIO_IPSEC_INVAL;
	*num_out = n;
	return VIRTIO_IPSEC_OK;
}

/* One packet of a data request on its way through a burst. */
struct data_pkt {
	uint8_t *res; /* its virtio_ipsec_pkt_result */
	uint32_t in_len;
	uint32_t cap;
	struct vpe_esp_res r;
	uint16_t warn;
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
}

/* Runs the pending burst through the ESP engine, then accounts it. */
static void data_flush(struct vpe_core *core, int encap, struct vpe_esp_pkt *p,
		       struct data_pkt **d, unsigned int *n)
{
	struct vpe_esp_res r[VPE_ESP_BURST];
	unsigned int i;

	if (!*n)
		return;
	if (encap)
		vpe_esp_encap_burst(core->crypto, p, *n, r);
	else
		vpe_esp_decap_burst(core->crypto, p, *n, r);
	for (i = 0; i < *n; i++) {
		d[i]->r = r[i];
		d[i]->warn =
			vpe_life_account(core, p[i].sa, d[i]->in_len, &d[i]->r);
		data_result(d[i], p[i].out);
	}
	*n = 0;
}

ssize_t vpe_core_handle_data(struct vpe_core *core, const uint8_t *req,
			     size_t req_len, uint8_t *resp, size_t resp_cap)
{
	struct vpe_esp_pkt burst[VPE_ESP_BURST];
	struct data_pkt *pend[VPE_ESP_BURST];
	struct data_pkt one[VPE_ESP_BURST];
	const uint8_t *pr, *in;
	unsigned int nb = 0, k;
	uint64_t body = 0;
	uint8_t *out, st;
	uint32_t n = 0, i;
	int encap;

	if (!resp || resp_cap < FOOTER_LEN)
		return -1;
	st = data_validate(core, req, req_len, resp_cap, &n, &body);
	if (st != VIRTIO_IPSEC_OK)
		return finish(resp, resp_cap, 0, st, 0);

	encap = vpe_ld16(req + OFF(virtio_ipsec_data_hdr, opcode)) ==
		VIRTIO_IPSEC_OP_ENCAP;
	pr = req + DATA_HLEN;
	in = pr + (size_t)n * PKT_REQ_LEN;
	out = resp + (size_t)n * PKT_RES_LEN;
	/*
	 * Packets go to the ESP engine in bursts (one backend call for up to
	 * VPE_ESP_BURST packets' crypto); each is admitted, processed and
	 * accounted in request order as if alone.
	 */
	for (i = 0; i < n; i++, pr += PKT_REQ_LEN) {
		uint32_t gid =
			vpe_ld32(pr + OFF(virtio_ipsec_pkt_req, group_id));
		uint32_t id = vpe_ld32(pr + OFF(virtio_ipsec_pkt_req, sa_id));
		struct data_pkt *d;
		struct vpe_sa *sa = NULL;

		if (nb == VPE_ESP_BURST)
			data_flush(core, encap, burst, pend, &nb);
		d = &one[nb];
		memset(d, 0, sizeof(*d));
		d->res = resp + (size_t)i * PKT_RES_LEN;
		d->in_len = vpe_ld32(pr + OFF(virtio_ipsec_pkt_req, in_len));
		d->cap = vpe_ld32(pr + OFF(virtio_ipsec_pkt_req, out_cap));
		if (vpe_group_check(&core->db, gid) != VIRTIO_IPSEC_OK) {
			d->r.status = VIRTIO_IPSEC_INVGROUP;
		} else {
			/* DECAP without an SA id: by SPI (vipsec_lookup.c) */
			sa = id || encap ?
				     vpe_sa_lookup(&core->db, gid, id) :
				     vpe_sadb_lookup_packet(&core->db, gid, in,
							    d->in_len);
			if (!sa)
				d->r.status = VIRTIO_IPSEC_INVSA;
		}
		if (sa && data_counts_matter(sa))
			for (k = 0; k < nb; k++)
				if (burst[k].sa == sa) {
					data_flush(core, encap, burst, pend,
						   &nb);
					d = &one[0];
					*d = (struct data_pkt){
						.res = resp +
						       (size_t)i * PKT_RES_LEN,
						.in_len = vpe_ld32(
							pr +
							OFF(virtio_ipsec_pkt_req,
							    in_len)),
						.cap = vpe_ld32(
							pr +
							OFF(virtio_ipsec_pkt_req,
							    out_cap)),
					};
					break;
				}
		/* Lifetimes and statistics wrap the ESP engine. */
		if (sa)
			d->r.status = vpe_life_admit(core, sa);
		if (sa && d->r.status == VIRTIO_IPSEC_OK && encap &&
		    vpe_frag_wanted(sa, in, d->in_len)) {
			/* Several sequence numbers: after the burst's. */
			data_flush(core, encap, burst, pend, &nb);
			d->warn = vpe_frag_encap(core->crypto, sa, in,
						 d->in_len, out, d->cap, &d->r);
			d->warn |= vpe_life_account(core, sa, d->in_len, &d->r);
			data_result(d, out);
		} else if (sa && d->r.status == VIRTIO_IPSEC_OK) {
			burst[nb] = (struct vpe_esp_pkt){
				.sa = sa,
				.in = in,
				.in_len = d->in_len,
				.out = out,
				.out_cap = d->cap,
			};
			pend[nb++] = d;
		} else {
			if (sa)
				d->warn = vpe_life_account(core, sa, d->in_len,
							   &d->r);
			data_result(d, out);
		}
		in += d->in_len;
		out += d->cap;
	}
	data_flush(core, encap, burst, pend, &nb);
	return finish(resp, resp_cap, (size_t)body, VIRTIO_IPSEC_OK,
		      (uint32_t)body);
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
