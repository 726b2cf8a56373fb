// SPDX-License-Identifier: BSD-3-Clause
/* vpe_sadb: SA and group tables. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vipsec_arena.h"
#include "vipsec_esp.h"
#include "vipsec_sa.h"

int vpe_sadb_init(struct vpe_sadb *db, uint32_t max_sas, uint32_t max_groups,
		  struct vpe_crypto *crypto)
{
	memset(db, 0, sizeof(*db));
	db->max_sas = max_sas;
	db->max_groups = max_groups;
	db->crypto = crypto;
	db->sas = calloc((size_t)max_sas + 1, sizeof(*db->sas));
	db->groups = calloc((size_t)max_groups + 1, sizeof(*db->groups));
	if (!db->sas || !db->groups || vpe_sadb_index_init(db)) {
		free(db->sas);
		free(db->groups);
		db->sas = NULL;
		db->groups = NULL;
		return -ENOMEM;
	}
	db->groups[0].used = true;
	return 0;
}

static void sa_free(struct vpe_sadb *db, struct vpe_sa *sa)
{
	db->crypto->ops->key_free(db->crypto, sa->key);
	vpe_replay_free(sa->replay);
	vpe_arena_free(sa, sizeof(*sa)); /* zeroes it */
}

/*
 * Unlinks the SA from every index, so that no new lookup finds it; data
 * requests already under way may still hold it, so it is freed only by
 * vpe_sadb_reap(), after the grace period.
 */
static void sa_remove(struct vpe_sadb *db, struct vpe_sa *sa)
{
	vpe_sadb_index_del(db, sa);
	/* seq_cst: ordered before the grace period's loads (vipsec_queue.c) */
	vpe_st_sc(&db->sas[sa->id], NULL);
	db->groups[sa->group_id].nsas--;
	sa->dead = db->dead;
	db->dead = sa;
}

void vpe_sadb_reap(struct vpe_sadb *db)
{
	struct vpe_sa *sa = db->dead, *next;

	if (!sa)
		return;
	/* One wait for the whole list: FLUSH and reset unlink many. */
	if (db->sync)
		db->sync(db->sync_arg);
	db->dead = NULL;
	for (; sa; sa = next) {
		next = sa->dead;
		sa_free(db, sa);
	}
}

void vpe_sadb_clear(struct vpe_sadb *db)
{
	uint32_t i;

	for (i = vpe_sadb_next_id(db, 1); i; i = vpe_sadb_next_id(db, i))
		sa_remove(db, db->sas[i]);
	vpe_sadb_reap(db);
	/* The core resets with every data queue held out (vipsec_queue.c). */
	memset(db->groups, 0,
	       ((size_t)db->max_groups + 1) * sizeof(*db->groups));
	db->groups[0].used = true;
}

void vpe_sadb_fini(struct vpe_sadb *db)
{
	if (!db->sas)
		return;
	vpe_sadb_clear(db);
	vpe_sadb_index_fini(db);
	free(db->sas);
	free(db->groups);
	db->sas = NULL;
	db->groups = NULL;
}

uint8_t vpe_group_check(const struct vpe_sadb *db, uint32_t gid)
{
	/* Data threads check groups concurrently with create/destroy. */
	if (gid > db->max_groups || !vpe_ld(&db->groups[gid].used))
		return VIRTIO_IPSEC_INVGROUP;
	return VIRTIO_IPSEC_OK;
}

uint8_t vpe_group_create(struct vpe_sadb *db, uint32_t gid,
			 const uint8_t name[VIRTIO_IPSEC_NAME_LEN])
{
	if (gid == 0)
		return VIRTIO_IPSEC_EXISTS; /* the default group */
	if (gid > db->max_groups)
		return VIRTIO_IPSEC_INVGROUP;
	if (db->groups[gid].used)
		return VIRTIO_IPSEC_EXISTS;
	db->groups[gid].nsas = 0;
	memcpy(db->groups[gid].name, name, VIRTIO_IPSEC_NAME_LEN);
	vpe_st(&db->groups[gid].used, true);
	return VIRTIO_IPSEC_OK;
}

uint8_t vpe_group_destroy(struct vpe_sadb *db, uint32_t gid)
{
	if (gid == 0)
		return VIRTIO_IPSEC_INVAL; /* always present */
	if (vpe_group_check(db, gid) != VIRTIO_IPSEC_OK)
		return VIRTIO_IPSEC_INVGROUP;
	if (db->groups[gid].nsas)
		return VIRTIO_IPSEC_BUSY;
	vpe_st(&db->groups[gid].used, false);
	memset(db->groups[gid].name, 0, sizeof(db->groups[gid].name));
	return VIRTIO_IPSEC_OK;
}

/* Expands the keys once and learns how the transform shapes packets. */
static int sa_key_new(struct vpe_crypto *c, const struct vpe_sa_cfg *cfg,
		      struct vpe_sa *sa)
{
	struct vpe_xfrm_params p = {
		.cipher_alg = cfg->cipher_alg,
		.auth_alg = cfg->auth_alg,
		.cipher_key_len = cfg->cipher_key_len,
		.auth_key_len = cfg->auth_key_len,
		.salt_len = cfg->salt_len,
		.icv_len = cfg->icv_len,
		.esn = !!(cfg->options & VIRTIO_IPSEC_SA_OPT_ESN),
		.cipher_key = cfg->cipher_key,
		.auth_key = cfg->auth_key,
		.salt = cfg->salt,
	};
	struct vpe_xfrm_shape shape;
	int ret;

	ret = c->ops->key_new(c, &p, &sa->key, &shape);
	if (ret)
		return ret;
	sa->iv_len = shape.iv_len;
	sa->block_len = shape.block_len;
	return 0;
}

uint8_t vpe_sa_add(struct vpe_sadb *db, uint32_t gid, uint32_t id,
		   const struct vpe_sa_cfg *cfg)
{
	struct vpe_crypto *c = db->crypto;
	struct vpe_sa *sa;
	int ret;

	if (vpe_group_check(db, gid) != VIRTIO_IPSEC_OK)
		return VIRTIO_IPSEC_INVGROUP;
	if (id == 0 || id > db->max_sas)
		return VIRTIO_IPSEC_INVSA;
	if (db->sas[id])
		return VIRTIO_IPSEC_EXISTS;
	/*
	 * Inbound SAs are identified on the wire by SPI and destination,
	 * within their group: a group is one tenant's SPI space (requests
	 * name the SA id, so the device never looks an SA up by SPI), and
	 * one tenant can neither squat on nor probe another's SPIs.
	 */
	if (cfg->direction == VIRTIO_IPSEC_DIR_INBOUND &&
	    vpe_sadb_find_inbound(db, gid, cfg->spi, cfg->tun_dst))
		return VIRTIO_IPSEC_EXISTS;
	/*
	 * The SA, then its key (the backend's key_new) and replay window:
	 * from the arena in that order, so that they lie side by side.
	 */
	sa = vpe_arena_alloc(sizeof(*sa));
	if (!sa)
		return VIRTIO_IPSEC_ERR;
	ret = sa_key_new(c, cfg, sa);
	if (ret) {
		vpe_arena_free(sa, sizeof(*sa));
		/* Out of host descriptors or memory: not the key's fault. */
		return ret == -EMFILE ? VIRTIO_IPSEC_NOSPC :
		       ret == -ENOMEM ? VIRTIO_IPSEC_ERR :
					VIRTIO_IPSEC_KEY_REJECT;
	}
	sa->id = id;
	sa->group_id = gid;
	sa->spi = cfg->spi;
	sa->direction = cfg->direction;
	sa->icv_len = cfg->icv_len;
	sa->options = cfg->options;
	sa->dscp_mode = cfg->dscp_mode;
	sa->dscp = cfg->dscp;
	sa->df_mode = cfg->df_mode;
	sa->seq = cfg->initial_seq;
	sa->seq_max = (cfg->options & VIRTIO_IPSEC_SA_OPT_ESN) ? UINT64_MAX :
								 UINT32_MAX;
	sa->st.life = cfg->life;
	sa->st.limited = cfg->life.soft_bytes || cfg->life.hard_bytes ||
			 cfg->life.soft_packets || cfg->life.hard_packets ||
			 cfg->life.soft_seconds || cfg->life.hard_seconds;
	sa->st.seq_notify_interval = cfg->seq_notify_interval;
	sa->st.ttl = cfg->ttl;
	sa->mode = cfg->mode;
	sa->ip_version = cfg->ip_version;
	sa->flow_label = cfg->flow_label;
	sa->tfc_pad_to = cfg->tfc_pad_to;
	memcpy(sa->nat_oa, cfg->nat_oa, sizeof(sa->nat_oa));
	memcpy(sa->sel_src, cfg->sel_src, sizeof(sa->sel_src));
	sa->sel_prefix_len = cfg->sel_prefix_len;
	sa->path_mtu = cfg->path_mtu;
	sa->frag_mode = cfg->frag_mode;
	/*
	 * The first packet's outer id is 0 and no packet is counted yet;
	 * both follow the sequence number from here (vipsec_sa.h).
	 */
	vpe_sa_set_next_ip_id(sa, 0);
	vpe_sa_set_packets(sa, 0);
	vpe_sa_set_endpoints(sa, cfg->tun_src, cfg->tun_dst, cfg->udp_sport,
			     cfg->udp_dport);
	if (cfg->direction == VIRTIO_IPSEC_DIR_INBOUND &&
	    (cfg->options & VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY)) {
		sa->replay = vpe_replay_new(cfg->replay_window);
		if (!sa->replay) {
			sa_free(db, sa);
			return VIRTIO_IPSEC_ERR;
		}
	}
	/* Fully built before data threads can see it. */
	vpe_st_rel(&db->sas[id], sa);
	vpe_sadb_index_add(db, sa);
	db->groups[gid].nsas++;
	return VIRTIO_IPSEC_OK;
}

/*
 * The one place the outer addresses enter an SA, at SA_ADD and SA_MOD:
 * whatever depends on them (the outbound header template) is rebuilt here.
 */
void vpe_sa_set_endpoints(struct vpe_sa *sa, const uint8_t src[16],
			  const uint8_t dst[16], uint16_t sport, uint16_t dport)
{
	memcpy(sa->tun_src, src, sizeof(sa->tun_src));
	memcpy(sa->tun_dst, dst, sizeof(sa->tun_dst));
	sa->udp_sport = sport;
	sa->udp_dport = dport;
	vpe_esp_tmpl_init(sa);
}

void vpe_sa_move_endpoints(struct vpe_sadb *db, struct vpe_sa *sa,
			   const uint8_t src[16], const uint8_t dst[16],
			   uint16_t sport, uint16_t dport)
{
	vpe_sadb_index_del(db, sa);
	vpe_sa_set_endpoints(sa, src, dst, sport, dport);
	vpe_sadb_index_add(db, sa);
}

uint8_t vpe_sa_del(struct vpe_sadb *db, uint32_t gid, uint32_t id)
{
	struct vpe_sa *sa;

	if (vpe_group_check(db, gid) != VIRTIO_IPSEC_OK)
		return VIRTIO_IPSEC_INVGROUP;
	sa = vpe_sa_lookup(db, gid, id);
	if (!sa)
		return VIRTIO_IPSEC_INVSA;
	sa_remove(db, sa);
	vpe_sadb_reap(db);
	return VIRTIO_IPSEC_OK;
}

uint8_t vpe_sa_flush(struct vpe_sadb *db, uint32_t gid)
{
	uint32_t i;

	if (vpe_group_check(db, gid) != VIRTIO_IPSEC_OK)
		return VIRTIO_IPSEC_INVGROUP;
	for (i = vpe_sadb_next_id(db, 1); i && db->groups[gid].nsas;
	     i = vpe_sadb_next_id(db, i + 1))
		if (db->sas[i]->group_id == gid)
			sa_remove(db, db->sas[i]);
	vpe_sadb_reap(db);
	return VIRTIO_IPSEC_OK;
}
