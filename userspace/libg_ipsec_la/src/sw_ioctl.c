// SPDX-License-Identifier: BSD-3-Clause
/*
 * Software accelerator: the ioctls of <linux/virtio_ipsec_dev.h> with the
 * driver's rules, turned into control requests of the ESP engine. Each
 * handler mirrors the driver function named in its comment (chardev.c,
 * sa.c, quota.c): the same checks, in the same order, the same errnos.
 * Everything here runs with gla_sw.lock held.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw.h"

/*
 * One control request through the core (the driver's vipsec_ctrl_*()):
 * 0, or the device status as an errno, the status itself then in
 * gla_sw.status. @out_len: bytes of response.
 */
int gla_sw_ctrl(uint16_t op, uint32_t group, uint32_t sa_id, const void *body,
		size_t body_len, void *out, size_t out_cap, uint32_t *out_len)
{
	struct virtio_ipsec_resp_footer ft;
	struct virtio_ipsec_ctrl_hdr h;
	size_t rcap = out_cap + sizeof(ft);
	uint8_t *req, *resp;
	ssize_t n;
	int ret = -ENOMEM;

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
		ret = -EIO;
		gla_sw.status = VIRTIO_IPSEC_ERR;
		if (n >= (ssize_t)sizeof(ft)) {
			memcpy(&ft, resp + rcap - sizeof(ft), sizeof(ft));
			gla_sw.status = ft.status;
			ret = ft.status == VIRTIO_IPSEC_OK ?
				      0 :
				      gla_ctrl_status_to_errno(ft.status);
			if (out_len)
				*out_len = le32toh(ft.out_len) > out_cap ?
						   0 :
						   le32toh(ft.out_len);
			if (out && out_cap)
				memcpy(out, resp, out_cap);
		}
	}
	if (req)
		explicit_bzero(req, sizeof(h) + body_len); /* keys */
	free(req);
	free(resp);
	return ret;
}

/* chardev.c vipsec_ioctl_info() */
static long gla_sw_info(void *uarg)
{
	struct virtio_ipsec_config c;
	struct vipsec_info i;
	int err;

	err = gla_sw_copy_arg(&i, sizeof(i), uarg);
	if (err)
		return err;
	if (i.flags || !gla_sw_mem_is_zero(i.reserved, sizeof(i.reserved)))
		return -EINVAL;
	vpe_core_fill_config(gla_sw.core, &c);
	memset(&i, 0, sizeof(i));
	i.size = sizeof(i);
	i.id = GLA_SW_ID;
	i.abi_version = le32toh(c.abi_version);
	snprintf(i.name, sizeof(i.name), G_IPSEC_LA_SOFTWARE_NAME);
	i.features = gla_sw.features;
	i.cipher_algo_mask = le64toh(c.cipher_algo_mask);
	i.auth_algo_mask = le64toh(c.auth_algo_mask);
	i.max_sas = gla_sw.max_sas;
	i.max_groups = gla_sw.max_groups;
	i.max_packet_len = gla_sw.max_packet_len;
	i.max_batch = gla_sw.max_batch;
	i.max_replay_window = gla_sw.max_replay_window;
	i.max_cipher_key_len = le32toh(c.max_cipher_key_len);
	i.max_auth_key_len = le32toh(c.max_auth_key_len);
	i.num_data_queues = 1;
	i.sa_options = le32toh(c.sa_options);
	i.hdr_fields = le32toh(c.hdr_fields);
	memcpy(i.cipher_key_sizes, c.cipher_key_sizes,
	       sizeof(i.cipher_key_sizes));
	return gla_sw_copy_out((uintptr_t)uarg, &i, sizeof(i));
}

/* chardev.c vipsec_ioctl_claim(): exclusive alone, shared with shared. */
static long gla_sw_claim(struct gla_sw_file *f, void *uarg)
{
	struct vipsec_claim c;
	int err;

	err = gla_sw_copy_arg(&c, sizeof(c), uarg);
	if (err)
		return err;
	if (c.flags || c.reserved ||
	    (c.mode != VIPSEC_MODE_EXCLUSIVE && c.mode != VIPSEC_MODE_SHARED) ||
	    strnlen(c.app_identity, sizeof(c.app_identity)) ==
		    sizeof(c.app_identity))
		return -EINVAL;
	if (f->mode)
		return -EALREADY;
	if ((c.mode == VIPSEC_MODE_EXCLUSIVE && gla_sw.nclaims) ||
	    gla_sw.mode == VIPSEC_MODE_EXCLUSIVE)
		return -EBUSY;
	gla_sw.mode = c.mode;
	gla_sw.nclaims++;
	f->mode = c.mode;
	memcpy(f->app, c.app_identity, sizeof(f->app));
	return 0;
}

/* sa.c vipsec_file_owns_group(): the default group, or one @f created */
int gla_sw_owns_group(struct gla_sw_file *f, uint32_t g)
{
	return !g || (g <= gla_sw.max_groups && gla_sw.groups[g] == f);
}

int gla_sw_owns_sa(struct gla_sw_file *f, uint32_t g, uint32_t id)
{
	return id && id <= gla_sw.max_sas && gla_sw.sas[id].owner == f &&
	       gla_sw.sas[id].group == g;
}

/* sa.c vipsec_ioctl_group_create(): lowest free id, as the IDA gives */
static long gla_sw_group_create(struct gla_sw_file *f, void *uarg)
{
	struct virtio_ipsec_group_create b;
	struct vipsec_group g;
	uint32_t id;
	int err;

	err = gla_sw_copy_arg(&g, sizeof(g), uarg);
	if (err)
		return err;
	if (g.flags || g.reserved ||
	    strnlen(g.name, sizeof(g.name)) == sizeof(g.name))
		return -EINVAL;
	if (f->ngroups >= GLA_SW_GROUPS_PER_FILE)
		return -EDQUOT;
	for (id = 1; id <= gla_sw.max_groups && gla_sw.groups[id]; id++)
		;
	if (id > gla_sw.max_groups)
		return -ENOSPC;
	memset(&b, 0, sizeof(b));
	memcpy(b.name, g.name, sizeof(b.name) - 1);
	err = gla_sw_ctrl(VIRTIO_IPSEC_OP_GROUP_CREATE, id, 0, &b, sizeof(b),
			  NULL, 0, NULL);
	if (err)
		return err;
	g.group_id = id;
	err = gla_sw_copy_out((uintptr_t)uarg, &g, sizeof(g));
	if (err) {
		gla_sw_ctrl(VIRTIO_IPSEC_OP_GROUP_DESTROY, id, 0, NULL, 0, NULL,
			    0, NULL);
		return err;
	}
	gla_sw.groups[id] = f;
	f->ngroups++;
	return 0;
}

/* sa.c: the driver's group destroy; @force forgets it even if refused */
static int gla_sw_group_gone(struct gla_sw_file *f, uint32_t id, int force)
{
	int err = gla_sw_ctrl(VIRTIO_IPSEC_OP_GROUP_DESTROY, id, 0, NULL, 0,
			      NULL, 0, NULL);

	if (err == -ENOENT)
		err = 0;
	if (err && !force)
		return err;
	gla_sw.groups[id] = NULL;
	f->ngroups--;
	return err;
}

/* sa.c vipsec_ioctl_group_destroy() */
static long gla_sw_group_destroy(struct gla_sw_file *f, void *uarg)
{
	struct vipsec_group g;
	int err;

	err = gla_sw_copy_arg(&g, sizeof(g), uarg);
	if (err)
		return err;
	if (g.flags || g.reserved)
		return -EINVAL;
	if (!g.group_id || g.group_id > gla_sw.max_groups ||
	    gla_sw.groups[g.group_id] != f)
		return -ENOENT;
	return gla_sw_group_gone(f, g.group_id, 0);
}

/* sa.c vipsec_prefix_clean() */
static int gla_sw_prefix_clean(const uint8_t *a, unsigned int bits)
{
	unsigned int i;

	for (i = bits / 8; i < 16; i++)
		if (a[i] & (i == bits / 8 ? 0xff >> (bits % 8) : 0xff))
			return 0;
	return 1;
}

/* sa.c vipsec_sa_format_check(): against the core's config space */
static int gla_sw_format_check(const struct virtio_ipsec_sa_params *p)
{
	uint32_t opts = le32toh(p->options), fl = le32toh(p->flow_label);
	uint32_t tfc = le32toh(p->tfc_pad_to), hdr;
	int tunnel = p->mode == VIRTIO_IPSEC_MODE_TUNNEL;
	int inbound = p->direction == VIRTIO_IPSEC_DIR_INBOUND;
	unsigned int sel_max = p->ip_version == VIRTIO_IPSEC_IPV6 ? 128 : 32;
	struct virtio_ipsec_config c;

	vpe_core_fill_config(gla_sw.core, &c);
	hdr = le32toh(c.hdr_fields);
	if (p->dscp_mode > VIRTIO_IPSEC_HDR_SET ||
	    p->df_mode > VIRTIO_IPSEC_HDR_SET || p->dscp > 63 || fl > 0xfffff ||
	    (fl && (!tunnel || p->ip_version != VIRTIO_IPSEC_IPV6)))
		return -EINVAL;
	if (!(opts & VIRTIO_IPSEC_SA_OPT_TFC_PAD) != !tfc ||
	    (tfc && (!tunnel || inbound || tfc > 0xffff)))
		return -EINVAL;
	if (opts & VIRTIO_IPSEC_SA_OPT_DEC_TTL && (!tunnel || !inbound))
		return -EINVAL;
	if (opts & VIRTIO_IPSEC_SA_OPT_SELECTOR) {
		if (!inbound || p->sel_prefix_len > sel_max ||
		    !gla_sw_prefix_clean(p->sel_src, p->sel_prefix_len))
			return -EINVAL;
	} else if (p->sel_prefix_len ||
		   !gla_sw_mem_is_zero(p->sel_src, sizeof(p->sel_src))) {
		return -EINVAL;
	}
	if (opts & ~le32toh(c.sa_options) ||
	    (p->dscp_mode != VIRTIO_IPSEC_HDR_COPY &&
	     !(hdr & VIRTIO_IPSEC_HDR_F_DSCP)) ||
	    (p->df_mode != VIRTIO_IPSEC_HDR_COPY &&
	     !(hdr & VIRTIO_IPSEC_HDR_F_DF)) ||
	    (p->ttl && !(hdr & VIRTIO_IPSEC_HDR_F_TTL)) ||
	    (fl && !(hdr & VIRTIO_IPSEC_HDR_F_FLOW_LABEL)))
		return -EOPNOTSUPP;
	if (p->cipher_key_len % 8 == 0 &&
	    p->cipher_alg < sizeof(c.cipher_key_sizes) &&
	    le64toh(c.cipher_algo_mask) & (1ULL << p->cipher_alg) &&
	    !(c.cipher_key_sizes[p->cipher_alg] &
	      VIRTIO_IPSEC_KEY_SIZE_BIT(p->cipher_key_len)))
		return -EKEYREJECTED;
	return 0;
}

/* sa.c vipsec_mtu_check() */
static int gla_sw_mtu_check(uint8_t dir, uint8_t ver, uint16_t mtu,
			    uint8_t mode)
{
	uint16_t min = ver == VIRTIO_IPSEC_IPV6 ? VIRTIO_IPSEC_MIN_MTU_IPV6 :
						  VIRTIO_IPSEC_MIN_MTU_IPV4;

	if (mode > VIRTIO_IPSEC_FRAG_BEFORE || (mode && !mtu))
		return -EINVAL;
	if (mtu && (dir != VIRTIO_IPSEC_DIR_OUTBOUND || mtu < min))
		return -EINVAL;
	return 0;
}

/* sa.c vipsec_sa_params_check() */
static int gla_sw_params_check(const struct virtio_ipsec_sa_params *p)
{
	uint32_t opts = le32toh(p->options);
	size_t life_len =
		offsetof(struct virtio_ipsec_sa_params, hard_seconds) +
		sizeof(p->hard_seconds) -
		offsetof(struct virtio_ipsec_sa_params, soft_bytes);
	int life = !gla_sw_mem_is_zero(&p->soft_bytes, life_len);
	uint64_t feat = gla_sw.features;

	if (!gla_sw_mem_is_zero(p->reserved0, sizeof(p->reserved0)) ||
	    !gla_sw_mem_is_zero(p->reserved1, sizeof(p->reserved1)) ||
	    !gla_sw_mem_is_zero(p->reserved2, sizeof(p->reserved2)) ||
	    p->reserved3 || opts & ~VIRTIO_IPSEC_SA_OPT_ALL ||
	    gla_sw_mtu_check(p->direction, p->ip_version, le16toh(p->path_mtu),
			     p->frag_mode))
		return -EINVAL;
	if ((opts & VIRTIO_IPSEC_SA_OPT_ESN &&
	     !(feat & (1ULL << VIRTIO_IPSEC_F_ESN))) ||
	    (opts & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP &&
	     !(feat & (1ULL << VIRTIO_IPSEC_F_UDP_ENCAP))) ||
	    (opts & VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY &&
	     !(feat & (1ULL << VIRTIO_IPSEC_F_ANTI_REPLAY))) ||
	    (p->ip_version == VIRTIO_IPSEC_IPV6 &&
	     !(feat & (1ULL << VIRTIO_IPSEC_F_IPV6))) ||
	    (p->mode == VIRTIO_IPSEC_MODE_TRANSPORT &&
	     !(feat & (1ULL << VIRTIO_IPSEC_F_TRANSPORT))) ||
	    (life && !(feat & (1ULL << VIRTIO_IPSEC_F_LIFETIME))))
		return -EOPNOTSUPP;
	return gla_sw_format_check(p);
}

/*
 * sa.c vipsec_sa_forget() and vipsec_evq_retire(): the id is free once
 * every event the core raised for the old SA was routed (to nobody: the
 * SA has no owner any more), so its next owner never gets them.
 */
static void gla_sw_sa_forget(uint32_t id)
{
	struct gla_sw_file *f = gla_sw.sas[id].owner;

	gla_sw.sas[id].owner = NULL;
	gla_sw_pump();
	if (f)
		f->nsas--;
	gla_sw.counters.sas_deleted++;
	gla_sw.counters.active_sas--;
}

/* sa.c vipsec_sa_remove() */
static int gla_sw_sa_remove(uint32_t group, uint32_t id, int force)
{
	int err = gla_sw_ctrl(VIRTIO_IPSEC_OP_SA_DEL, group, id, NULL, 0, NULL,
			      0, NULL);

	if (err == -ENOENT)
		err = 0; /* the device has no such SA any more */
	if (err && !force)
		return err;
	gla_sw_sa_forget(id);
	return err;
}

/* sa.c vipsec_sa_add_one(): lowest free id, as the IDA gives */
static int gla_sw_sa_add_one(struct gla_sw_file *f, uint32_t group,
			     const struct virtio_ipsec_sa_params *p,
			     uint32_t *id, uint32_t *st)
{
	int err;

	*st = VIRTIO_IPSEC_OK; /* OK: refused by the driver */
	err = gla_sw_params_check(p);
	if (err)
		return err;
	for (*id = 1; *id <= gla_sw.max_sas && gla_sw.sas[*id].owner; (*id)++)
		;
	if (*id > gla_sw.max_sas)
		return -ENOSPC;
	err = gla_sw_ctrl(VIRTIO_IPSEC_OP_SA_ADD, group, *id, p, sizeof(*p),
			  NULL, 0, NULL);
	if (err) {
		*st = gla_sw.status;
		return err;
	}
	gla_sw.sas[*id] = (struct gla_sw_sa){ f, group, 0 };
	f->nsas++;
	gla_sw.counters.sas_created++;
	gla_sw.counters.active_sas++;
	return 0;
}

/* sa.c vipsec_sa_add_batch() and vipsec_ioctl_sa_add(): all or nothing */
static long gla_sw_sa_add(struct gla_sw_file *f, void *uarg)
{
	struct virtio_ipsec_sa_params *params = NULL;
	uint32_t *ids = NULL, i, n = 0, st = VIRTIO_IPSEC_OK;
	struct vipsec_sa_add a;
	size_t plen;
	int err;

	err = gla_sw_copy_arg(&a, sizeof(a), uarg);
	if (err)
		return err;
	if (a.flags || !a.num_sas || a.num_sas > VIPSEC_MAX_SA_BATCH)
		return -EINVAL;
	plen = a.num_sas * sizeof(*params);
	params = malloc(plen);
	ids = calloc(a.num_sas, sizeof(*ids));
	if (!params || !ids) {
		err = -ENOMEM;
		goto out;
	}
	err = gla_sw_copy_in(params, a.params, plen);
	if (err)
		goto out;
	a.dev_status = VIRTIO_IPSEC_OK;
	a.failed_index = 0;
	if (!gla_sw_owns_group(f, a.group_id))
		err = -ENOENT;
	else if (f->nsas + a.num_sas > GLA_SW_SAS_PER_FILE)
		err = -EDQUOT;
	for (n = 0; !err && n < a.num_sas; n++) {
		err = gla_sw_sa_add_one(f, a.group_id, &params[n], &ids[n],
					&st);
		if (err)
			break;
	}
	if (!err)
		err = gla_sw_copy_out(a.ids, ids, a.num_sas * sizeof(*ids));
	if (err && n < a.num_sas) {
		a.dev_status = st;
		a.failed_index = n;
	}
	for (i = 0; err && i < n; i++)
		gla_sw_sa_remove(a.group_id, ids[i], 1);
	if (gla_sw_copy_out((uintptr_t)uarg, &a, sizeof(a)) && !err)
		err = -EFAULT; /* the SAs stay; close() deletes them */
out:
	if (params)
		explicit_bzero(params, plen); /* keys */
	free(params);
	free(ids);
	return err;
}

/* sa.c vipsec_ioctl_sa_del() */
static long gla_sw_sa_del(struct gla_sw_file *f, void *uarg)
{
	struct vipsec_sa_del d;
	int err;

	err = gla_sw_copy_arg(&d, sizeof(d), uarg);
	if (err)
		return err;
	if (d.flags)
		return -EINVAL;
	if (!gla_sw_owns_sa(f, d.group_id, d.sa_id))
		return -ENOENT;
	return gla_sw_sa_remove(d.group_id, d.sa_id, 0);
}

#define GLA_SW_SA_MOD_ALL                                         \
	(VIRTIO_IPSEC_SA_MOD_LOCAL | VIRTIO_IPSEC_SA_MOD_PEER |   \
	 VIRTIO_IPSEC_SA_MOD_SEQ | VIRTIO_IPSEC_SA_MOD_WINDOW |   \
	 VIRTIO_IPSEC_SA_MOD_LIFETIME | VIRTIO_IPSEC_SA_MOD_MTU | \
	 VIRTIO_IPSEC_SA_MOD_DISABLE)

/* sa.c vipsec_sa_mod_life_check() */
static int gla_sw_sa_mod_life_check(const struct virtio_ipsec_sa_mod *m,
				    uint32_t mf)
{
	if (!(mf & VIRTIO_IPSEC_SA_MOD_LIFETIME))
		return m->life_bytes || m->life_packets || m->life_seconds ?
			       -EINVAL :
			       0;
	if (!(gla_sw.features & (1ULL << VIRTIO_IPSEC_F_SA_STATE)))
		return -EOPNOTSUPP;
	return 0;
}

/* sa.c vipsec_ioctl_sa_mod() */
static long gla_sw_sa_mod(struct gla_sw_file *f, void *uarg)
{
	struct vipsec_sa_mod m;
	uint32_t mf, win;
	int err;

	err = gla_sw_copy_arg(&m, sizeof(m), uarg);
	if (err)
		return err;
	if (m.flags)
		return -EINVAL;
	if (!(gla_sw.features & (1ULL << VIRTIO_IPSEC_F_SA_MOD)))
		return -EOPNOTSUPP;
	mf = le32toh(m.mod.flags);
	win = le32toh(m.mod.replay_window);
	if (!mf || mf & ~GLA_SW_SA_MOD_ALL)
		return -EINVAL;
	err = gla_sw_sa_mod_life_check(&m.mod, mf);
	if (err)
		return err;
	/* The SA's direction and family are the engine's to check. */
	if (mf & VIRTIO_IPSEC_SA_MOD_MTU ?
		    gla_sw_mtu_check(VIRTIO_IPSEC_DIR_OUTBOUND, 0,
				     le16toh(m.mod.path_mtu), m.mod.frag_mode) :
		    m.mod.path_mtu || m.mod.frag_mode)
		return -EINVAL;
	if (mf & VIRTIO_IPSEC_SA_MOD_WINDOW &&
	    (win > gla_sw.max_replay_window ||
	     win > VIRTIO_IPSEC_MAX_BITMAP_WORDS * 64))
		return -EINVAL;
	if (!gla_sw_owns_sa(f, m.group_id, m.sa_id))
		return -ENOENT;
	/*
	 * sa.c vipsec_sa_drain(): nothing of this file is in flight here
	 * (every batch completes inside its ioctl), so the mark is the drain.
	 */
	if (mf & VIRTIO_IPSEC_SA_MOD_DISABLE)
		gla_sw.sas[m.sa_id].disabled = 1;
	err = gla_sw_ctrl(VIRTIO_IPSEC_OP_SA_MOD, m.group_id, m.sa_id, &m.mod,
			  sizeof(m.mod), NULL, 0, NULL);
	if (!err)
		gla_sw.counters.sas_modified++;
	return err;
}

/* sa.c vipsec_file_has_sa_after() */
static int gla_sw_has_sa_after(struct gla_sw_file *f, uint32_t group,
			       uint32_t after)
{
	uint32_t id;

	for (id = after + 1; id <= gla_sw.max_sas; id++)
		if (gla_sw_owns_sa(f, group, id))
			return 1;
	return 0;
}

/* ctrl.h vipsec_sa_get_stride(): one record with the device flags */
static size_t gla_sw_stride(uint32_t dflags)
{
	return sizeof(struct virtio_ipsec_sa_entry) +
	       (dflags & VIRTIO_IPSEC_SA_GET_F_STATE ?
			sizeof(struct virtio_ipsec_sa_state) :
			0);
}

/* One device SA_GET of up to @max records after @cursor into @r. */
static int gla_sw_sa_get_page(uint32_t group, uint32_t op, uint32_t dflags,
			      uint32_t cursor, uint32_t max,
			      struct virtio_ipsec_sa_get_resp *r, uint32_t *n,
			      int *more)
{
	struct virtio_ipsec_sa_get b;
	size_t cap = sizeof(*r) + (size_t)max * gla_sw_stride(dflags);
	uint32_t len = 0;
	int err;

	memset(&b, 0, sizeof(b));
	b.op = htole32(op);
	b.max_sas = htole32(max);
	b.flags = htole32(dflags);
	err = gla_sw_ctrl(VIRTIO_IPSEC_OP_SA_GET, group, cursor, &b, sizeof(b),
			  r, cap, &len);
	if (err)
		return err;
	*n = le32toh(r->count);
	*more = !!le32toh(r->more);
	if (len < sizeof(*r) || *n > max ||
	    len < sizeof(*r) + *n * gla_sw_stride(dflags))
		return -EIO; /* impossible answer */
	return 0;
}

/*
 * sa.c vipsec_sa_get_collect(): pages through the device and keeps only
 * @f's SAs of the group, at most g->max_sas of them.
 */
static int gla_sw_sa_get_collect(struct gla_sw_file *f, struct vipsec_sa_get *g,
				 uint8_t *out)
{
	uint32_t dflags = g->flags & VIPSEC_SA_GET_F_STATE ?
				  VIRTIO_IPSEC_SA_GET_F_STATE :
				  0;
	size_t stride = gla_sw_stride(dflags);
	uint32_t op = g->op,
		 cursor = op == VIRTIO_IPSEC_SA_GET_FIRST ? 0 : g->sa_id;
	uint32_t i, n, id, last = cursor, max;
	struct virtio_ipsec_sa_get_resp *r;
	struct virtio_ipsec_sa_entry *e;
	uint8_t *recs;
	int more, err;

	max = op == VIRTIO_IPSEC_SA_GET_EXACT ? 1 : GLA_SW_SA_GET_CHUNK;
	r = calloc(1, sizeof(*r) + max * stride);
	if (!r)
		return -ENOMEM;
	recs = (uint8_t *)(r + 1);
	g->count = 0;
	for (;;) {
		err = gla_sw_sa_get_page(g->group_id, op, dflags, cursor, max,
					 r, &n, &more);
		if (err)
			break;
		for (i = 0; i < n && g->count < g->max_sas; i++) {
			e = (struct virtio_ipsec_sa_entry *)(recs + i * stride);
			id = le32toh(e->sa_id);
			if (!id || id > gla_sw.max_sas) {
				err = -EIO;
				break;
			}
			if (op != VIRTIO_IPSEC_SA_GET_EXACT && id <= cursor)
				continue;
			if (op == VIRTIO_IPSEC_SA_GET_EXACT && id != g->sa_id)
				continue;
			if (le32toh(e->group_id) != g->group_id ||
			    !gla_sw_owns_sa(f, g->group_id, id))
				continue; /* another file's SA */
			explicit_bzero(e->params.cipher_key,
				       sizeof(e->params.cipher_key));
			explicit_bzero(e->params.auth_key,
				       sizeof(e->params.auth_key));
			explicit_bzero(e->params.salt, sizeof(e->params.salt));
			memcpy(out + g->count++ * stride, e, stride);
			last = id;
		}
		if (err || op == VIRTIO_IPSEC_SA_GET_EXACT || !more || !n ||
		    g->count >= g->max_sas)
			break;
		e = (struct virtio_ipsec_sa_entry *)(recs + (n - 1) * stride);
		id = le32toh(e->sa_id);
		if (id <= cursor || id > gla_sw.max_sas) {
			err = -EIO;
			break;
		}
		cursor = id;
		if (!gla_sw_has_sa_after(f, g->group_id, cursor))
			break;
		op = VIRTIO_IPSEC_SA_GET_NEXT;
	}
	explicit_bzero(r, sizeof(*r) + max * stride);
	free(r);
	if (!err && op != VIRTIO_IPSEC_SA_GET_EXACT && g->count == g->max_sas)
		g->more = gla_sw_has_sa_after(f, g->group_id, last);
	if (!err && g->op == VIRTIO_IPSEC_SA_GET_EXACT && !g->count)
		err = -ENOENT;
	return err;
}

/* sa.c vipsec_ioctl_sa_get() */
static long gla_sw_sa_get(struct gla_sw_file *f, void *uarg)
{
	struct vipsec_sa_get g;
	size_t stride;
	uint8_t *out;
	int err;

	err = gla_sw_copy_arg(&g, sizeof(g), uarg);
	if (err)
		return err;
	if (g.flags & ~VIPSEC_SA_GET_F_STATE ||
	    g.op > VIRTIO_IPSEC_SA_GET_EXACT || !g.max_sas ||
	    g.max_sas > VIPSEC_MAX_SA_GET)
		return -EINVAL;
	if (!(gla_sw.features & (1ULL << VIRTIO_IPSEC_F_SA_GET)) ||
	    (g.flags & VIPSEC_SA_GET_F_STATE &&
	     !(gla_sw.features & (1ULL << VIRTIO_IPSEC_F_SA_STATE))))
		return -EOPNOTSUPP;
	stride = gla_sw_stride(g.flags & VIPSEC_SA_GET_F_STATE ?
				       VIRTIO_IPSEC_SA_GET_F_STATE :
				       0);
	out = calloc(g.max_sas, stride);
	if (!out)
		return -ENOMEM;
	g.count = 0;
	g.more = 0;
	if (!gla_sw_owns_group(f, g.group_id))
		err = -ENOENT;
	else if (g.op == VIRTIO_IPSEC_SA_GET_EXACT &&
		 !gla_sw_owns_sa(f, g.group_id, g.sa_id))
		err = -ENOENT;
	else
		err = gla_sw_sa_get_collect(f, &g, out);
	if (!err)
		err = gla_sw_copy_out(g.entries, out, g.count * stride);
	if (!err)
		err = gla_sw_copy_out((uintptr_t)uarg, &g, sizeof(g));
	explicit_bzero(out, g.max_sas * stride);
	free(out);
	return err;
}

/*
 * sa.c vipsec_sa_flush_group(): an own group in one device SA_FLUSH; the
 * shared default group one own SA at a time.
 */
static long gla_sw_sa_flush(struct gla_sw_file *f, void *uarg)
{
	struct vipsec_sa_flush fl;
	uint32_t id;
	int err;

	err = gla_sw_copy_arg(&fl, sizeof(fl), uarg);
	if (err)
		return err;
	if (fl.flags || fl.reserved)
		return -EINVAL;
	if (!gla_sw_owns_group(f, fl.group_id))
		return -ENOENT;
	if (fl.group_id) {
		err = gla_sw_ctrl(VIRTIO_IPSEC_OP_SA_FLUSH, fl.group_id, 0,
				  NULL, 0, NULL, 0, NULL);
		if (!err) {
			for (id = 1; id <= gla_sw.max_sas; id++)
				if (gla_sw_owns_sa(f, fl.group_id, id))
					gla_sw_sa_forget(id);
			return 0;
		}
		if (err != -EOPNOTSUPP)
			return err;
	}
	for (id = 1; id <= gla_sw.max_sas; id++) {
		if (!gla_sw_owns_sa(f, fl.group_id, id))
			continue;
		err = gla_sw_sa_remove(fl.group_id, id, 0);
		if (err)
			return err;
	}
	return 0;
}

/* elimit.c vipsec_elimit_valid() */
static int gla_sw_elimit_valid(const struct virtio_ipsec_event_limit *l)
{
	uint32_t events = le32toh(l->events), value = le32toh(l->value);

	if (events & ~(uint32_t)VIRTIO_IPSEC_ELIM_EVENTS ||
	    !gla_sw_mem_is_zero(l->reserved0, sizeof(l->reserved0)) ||
	    !gla_sw_mem_is_zero(l->reserved, sizeof(l->reserved)))
		return 0;
	if (!events)
		return !l->scope && !l->type && !value;
	if (l->scope > VIRTIO_IPSEC_ELIM_PER_DEVICE)
		return 0;
	if (l->type == VIRTIO_IPSEC_ELIM_TIME)
		return value >= 1 && value <= VIRTIO_IPSEC_ELIM_MAX_RATE;
	if (l->type == VIRTIO_IPSEC_ELIM_COUNT)
		return value >= 1 && value <= VIRTIO_IPSEC_ELIM_MAX_COUNT;
	return 0;
}

/* elimit.c vipsec_ioctl_event_limit(): exclusive owners only */
static long gla_sw_event_limit(struct gla_sw_file *f, void *uarg)
{
	struct vipsec_event_limit a;
	int err;

	err = gla_sw_copy_arg(&a, sizeof(a), uarg);
	if (err)
		return err;
	if (!(gla_sw.features & (1ULL << VIRTIO_IPSEC_F_ERR_EVENTS)))
		return -EOPNOTSUPP;
	if (a.flags || !gla_sw_elimit_valid(&a.limit))
		return -EINVAL;
	if (f->mode != VIPSEC_MODE_EXCLUSIVE)
		return -EPERM;
	err = gla_sw_ctrl(VIRTIO_IPSEC_OP_EVENT_LIMIT, 0, 0, &a.limit,
			  sizeof(a.limit), NULL, 0, NULL);
	if (!err)
		gla_sw.elimit_owner = a.limit.events ? f : NULL;
	return err;
}

/* close(): sa.c vipsec_file_flush() and chardev.c vipsec_release_claim() */
void gla_sw_release(struct gla_sw_file *f)
{
	struct virtio_ipsec_event_limit off;
	uint32_t id;

	/* elimit.c vipsec_elimit_release(): the setting ends with its file */
	if (gla_sw.elimit_owner == f) {
		memset(&off, 0, sizeof(off));
		gla_sw_ctrl(VIRTIO_IPSEC_OP_EVENT_LIMIT, 0, 0, &off,
			    sizeof(off), NULL, 0, NULL);
		gla_sw.elimit_owner = NULL;
	}

	for (id = 1; id <= gla_sw.max_sas; id++)
		if (gla_sw.sas[id].owner == f)
			gla_sw_sa_remove(gla_sw.sas[id].group, id, 1);
	for (id = 1; id <= gla_sw.max_groups; id++)
		if (gla_sw.groups[id] == f)
			gla_sw_group_gone(f, id, 1);
	if (f->mode && !--gla_sw.nclaims)
		gla_sw.mode = 0;
	f->mode = 0;
}

/*
 * chardev.c vipsec_ioctl_ctrl_async() and ctrl_async.c: the argument is
 * checked as the driver's dispatcher does, then the call runs at once
 * (this accelerator has no control queue to wait for) and its CTRL_DONE
 * record is queued, never dropped; the order of calls is kept trivially.
 */
static long gla_sw_ctrl_async(struct gla_sw_file *f, void *uarg)
{
	uint8_t scratch[sizeof(struct vipsec_sa_mod)];
	struct vipsec_ctrl_async a;
	struct gla_sw_ev *item;
	size_t size;
	int err;

	err = gla_sw_copy_arg(&a, sizeof(a), uarg);
	if (err)
		return err;
	if (a.flags || a.reserved)
		return -EINVAL;
	switch (a.cmd) {
	case VIPSEC_IOC_SA_DEL: size = sizeof(struct vipsec_sa_del); break;
	case VIPSEC_IOC_SA_FLUSH: size = sizeof(struct vipsec_sa_flush); break;
	case VIPSEC_IOC_GROUP_DESTROY:
		size = sizeof(struct vipsec_group);
		break;
	case VIPSEC_IOC_SA_MOD:
		if (!(gla_sw.features & (1ULL << VIRTIO_IPSEC_F_SA_MOD)))
			return -EOPNOTSUPP;
		size = sizeof(struct vipsec_sa_mod);
		break;
	case VIPSEC_IOC_GROUP_CREATE:
	case VIPSEC_IOC_SA_ADD:
	case VIPSEC_IOC_SA_GET:
		return gla_sw_ctrl_async_out(f, a.cmd, a.arg, a.user_data);
	default: return -EINVAL;
	}
	err = gla_sw_copy_arg(scratch, size, (const void *)(uintptr_t)a.arg);
	if (err)
		return err;
	item = calloc(1, sizeof(*item));
	if (!item)
		return -ENOMEM;
	item->ev.size = sizeof(item->ev);
	item->ev.type = VIPSEC_EV_CTRL_DONE;
	item->ev.user_data = a.user_data;
	item->ev.value = a.cmd;
	item->ev.result =
		(int32_t)gla_sw_dispatch(f, a.cmd, (void *)(uintptr_t)a.arg);
	f->nevents++;
	gla_sw_post_async(f, item);
	return 0;
}

/* chardev.c vipsec_ioctl() and vipsec_ioctl_claimed() */
long gla_sw_dispatch(struct gla_sw_file *f, unsigned long cmd, void *arg)
{
	if (cmd == VIPSEC_IOC_INFO)
		return gla_sw_info(arg);
	if (cmd == VIPSEC_IOC_CLAIM)
		return gla_sw_claim(f, arg);
	if (!f->mode)
		return -EPERM;
	switch (cmd) {
	case VIPSEC_IOC_GROUP_CREATE: return gla_sw_group_create(f, arg);
	case VIPSEC_IOC_GROUP_DESTROY: return gla_sw_group_destroy(f, arg);
	case VIPSEC_IOC_SA_ADD: return gla_sw_sa_add(f, arg);
	case VIPSEC_IOC_SA_DEL: return gla_sw_sa_del(f, arg);
	case VIPSEC_IOC_SA_MOD: return gla_sw_sa_mod(f, arg);
	case VIPSEC_IOC_SA_GET: return gla_sw_sa_get(f, arg);
	case VIPSEC_IOC_SA_FLUSH: return gla_sw_sa_flush(f, arg);
	case VIPSEC_IOC_XFORM: return gla_sw_xform(f, arg);
	case VIPSEC_IOC_EVENT_LIMIT: return gla_sw_event_limit(f, arg);
	case VIPSEC_IOC_CTRL_ASYNC: return gla_sw_ctrl_async(f, arg);
	default: return -ENOTTY;
	}
}
