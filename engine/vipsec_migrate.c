// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_migrate: export and import of a core's whole state (see
 * vipsec_migrate.h for the layout and the rules).
 *
 * Import rebuilds every SA through vpe_sa_cfg_decode() and
 * vpe_sa_add(), the path of a guest's SA_ADD, so the destination
 * applies its own limits and backend to the stream exactly as it would to
 * its guest: a stream cannot create an SA the destination's guest could
 * not. Only then is the running state (sequence numbers, replay window,
 * counters, lifetime flags) laid over it, each value checked.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vipsec_core_priv.h"
#include "vipsec_le.h"
#include "vipsec_migrate.h"

#define OFF(t, f)  VPE_OFF(t, f)
#define PARAMS_LEN sizeof(struct virtio_ipsec_sa_params)

static const uint8_t mig_magic[8] = { 'V', 'I', 'P', 'S', 'E', 'C', 'M', 'G' };

#define HDR_LEN	 24u
#define REC_HLEN 8u
/* CORE payload: now, features, 6 x u32 limits, weak + 3 pad, nsas, ngroups, backend */
#define BACKEND_LEN 16u
#define CORE_LEN    (8u + 8u + 6u * 4u + 4u + 4u + 4u + BACKEND_LEN)
#define GROUP_LEN   (4u + VIRTIO_IPSEC_NAME_LEN)
/* SA payload before the counters: id, gid, params, 5 x u64, flags, ip_id,
 * stopped, pad, nstats */
#define SA_FIXED (4u + 4u + PARAMS_LEN + 5u * 8u + 4u + 2u + 1u + 1u + 4u)
/* ... then nstats x u64, then window, top, words, words x u64 */
#define SA_REPLAY_HLEN (4u + 8u + 4u)
#define EVREC_LEN      40u
/* ELIM payload: the EVENT_LIMIT body as the guest sent it (version 2) */
#define ELIM_LEN sizeof(struct virtio_ipsec_event_limit)
#define EVQ_HLEN (8u + 4u)

/*
 * Which events a FIFO can hold (LOST is made up when popping; version 1
 * wrote none above SA_DELETE_REQ, version 2 adds the error events).
 */
#define EVT_MAX_QUEUED VIRTIO_IPSEC_EVT_BAD_PAD

static uint32_t crc32_le(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static uint32_t replay_words(uint32_t window)
{
	return (window + 63) / 64;
}

static size_t sa_rec_len(const struct vpe_sa *sa)
{
	size_t n = REC_HLEN + SA_FIXED + VPE_STAT_N * 8u + SA_REPLAY_HLEN;

	if (sa->replay)
		n += (size_t)replay_words(sa->replay->window) * 8u;
	return n;
}

size_t vpe_mig_size(const struct vpe_core *core)
{
	const struct vpe_sadb *db = &core->db;
	size_t n = HDR_LEN + REC_HLEN + CORE_LEN;
	uint32_t i;

	for (i = 1; i <= db->max_groups; i++)
		if (db->groups[i].used)
			n += REC_HLEN + GROUP_LEN;
	for (i = vpe_sadb_next_id(db, 1); i; i = vpe_sadb_next_id(db, i + 1))
		n += sa_rec_len(db->sas[i]);
	n += REC_HLEN + EVQ_HLEN + (size_t)core->evq.count * EVREC_LEN;
	if (core->errlim.events)
		n += REC_HLEN + ELIM_LEN;
	return n;
}

size_t vpe_mig_max_size(const struct vpe_core *core)
{
	uint64_t sa = REC_HLEN + SA_FIXED + VPE_STAT_N * 8u + SA_REPLAY_HLEN +
		      (uint64_t)replay_words(core->cfg.max_replay_window) * 8u;
	/* max_sas <= 2^24, sa < 2^20: no overflow in 64 bits */
	uint64_t n = HDR_LEN + REC_HLEN + CORE_LEN +
		     (uint64_t)core->db.max_groups * (REC_HLEN + GROUP_LEN) +
		     (uint64_t)core->db.max_sas * sa + REC_HLEN + EVQ_HLEN +
		     (uint64_t)core->evq.cap * EVREC_LEN + REC_HLEN + ELIM_LEN;

	return n > SIZE_MAX ? SIZE_MAX : (size_t)n;
}

/* Writer: the caller sized the buffer with vpe_mig_size() */
struct wr {
	uint8_t *p;
};

static void w8(struct wr *w, uint8_t v)
{
	*w->p++ = v;
}

static void w16(struct wr *w, uint16_t v)
{
	vpe_st16(w->p, v);
	w->p += 2;
}

static void w32(struct wr *w, uint32_t v)
{
	vpe_st32(w->p, v);
	w->p += 4;
}

static void w64(struct wr *w, uint64_t v)
{
	vpe_st64(w->p, v);
	w->p += 8;
}

static void wbytes(struct wr *w, const void *src, size_t n)
{
	memcpy(w->p, src, n);
	w->p += n;
}

static void wrec(struct wr *w, uint16_t tag, size_t len)
{
	w16(w, tag);
	w16(w, 0);
	w32(w, (uint32_t)len);
}

static void export_sa(struct wr *w, const struct vpe_sa *sa)
{
	const uint8_t *k = sa->st.keys;
	uint8_t *prm;
	uint32_t i, words;

	wrec(w, VPE_MIG_SA, sa_rec_len(sa) - REC_HLEN);
	w32(w, sa->id);
	w32(w, sa->group_id);
	/* The parameters as they stand (SA_MOD included), keys put back */
	prm = w->p;
	wbytes(w, sa->st.params, PARAMS_LEN);
	memcpy(prm + OFF(virtio_ipsec_sa_params, cipher_key), k,
	       VIRTIO_IPSEC_MAX_CIPHER_KEY);
	k += VIRTIO_IPSEC_MAX_CIPHER_KEY;
	memcpy(prm + OFF(virtio_ipsec_sa_params, auth_key), k,
	       VIRTIO_IPSEC_MAX_AUTH_KEY);
	k += VIRTIO_IPSEC_MAX_AUTH_KEY;
	memcpy(prm + OFF(virtio_ipsec_sa_params, salt), k,
	       VIRTIO_IPSEC_MAX_SALT);
	/* The counter may stand past seq_max (vipsec_esp_out.c): clamped. */
	w64(w, sa->direction == VIRTIO_IPSEC_DIR_OUTBOUND ? vpe_sa_seq(sa) :
							    sa->seq);
	w64(w, sa->esn_top);
	w64(w, vpe_sa_packets(sa));
	w64(w, sa->bytes);
	w64(w, sa->st.added);
	w32(w, sa->st.flags);
	w16(w, vpe_sa_next_ip_id(sa)); /* derived: vipsec_sa.h */
	w8(w, sa->stopped);
	w8(w, 0);
	w32(w, VPE_STAT_N);
	for (i = 0; i < VPE_STAT_N; i++)
		w64(w, sa->st.stats[i]);
	if (!sa->replay) {
		w32(w, 0);
		w64(w, 0);
		w32(w, 0);
		return;
	}
	words = replay_words(sa->replay->window);
	w32(w, sa->replay->window);
	w64(w, sa->replay->top);
	w32(w, words);
	/*
	 * Relative to top, as SA_MOD carries it (vipsec_replay.h): bit d set
	 * when top - d was received; the ring's layout stays private.
	 */
	for (i = 0; i < words; i++) {
		const struct vpe_replay *r = sa->replay;
		uint64_t word = 0, d, seq;
		uint32_t j;

		for (j = 0; j < 64; j++) {
			d = (uint64_t)i * 64 + j;
			if (d >= r->window || d >= r->top)
				break;
			seq = r->top - d;
			if (r->bits[(seq >> 6) & r->word_mask] >> (seq & 63) &
			    1)
				word |= 1ULL << j;
		}
		w64(w, word);
	}
}

size_t vpe_mig_export(const struct vpe_core *core, uint8_t *buf, size_t cap)
{
	const struct vpe_sadb *db = &core->db;
	const struct vpe_evq *q = &core->evq;
	size_t need = vpe_mig_size(core);
	uint32_t i, nsas = 0, ngroups = 0;
	uint8_t backend[BACKEND_LEN] = { 0 };
	struct wr w = { .p = buf };

	if (!need || need > cap || need - HDR_LEN > UINT32_MAX)
		return 0;
	for (i = 1; i <= db->max_groups; i++)
		ngroups += db->groups[i].used;
	for (i = vpe_sadb_next_id(db, 1); i; i = vpe_sadb_next_id(db, i + 1))
		nsas++;
	strncpy((char *)backend, core->crypto->ops->name, BACKEND_LEN - 1);

	wbytes(&w, mig_magic, sizeof(mig_magic));
	w16(&w, VPE_MIG_VERSION);
	w16(&w, HDR_LEN);
	w32(&w, (uint32_t)(need - HDR_LEN));
	w32(&w, 0); /* CRC, filled in at the end */
	w32(&w, 0);

	wrec(&w, VPE_MIG_CORE, CORE_LEN);
	w64(&w, core->now);
	w64(&w, core->lim.features);
	w32(&w, core->cfg.max_sas);
	w32(&w, core->cfg.max_groups);
	w32(&w, core->cfg.max_packet_len);
	w32(&w, core->cfg.max_batch);
	w32(&w, core->cfg.max_replay_window);
	w32(&w, q->cap);
	w8(&w, core->cfg.allow_weak_algos);
	w8(&w, 0);
	w8(&w, 0);
	w8(&w, 0);
	w32(&w, nsas);
	w32(&w, ngroups);
	wbytes(&w, backend, BACKEND_LEN);

	if (core->errlim.events) {
		wrec(&w, VPE_MIG_ELIM, ELIM_LEN);
		w32(&w, core->errlim.events);
		w8(&w, core->errlim.scope);
		w8(&w, core->errlim.type);
		w16(&w, 0);
		w32(&w, core->errlim.value);
		wbytes(&w, (const uint8_t[20]){ 0 }, 20);
	}
	for (i = 1; i <= db->max_groups; i++) {
		if (!db->groups[i].used)
			continue;
		wrec(&w, VPE_MIG_GROUP, GROUP_LEN);
		w32(&w, i);
		wbytes(&w, db->groups[i].name, VIRTIO_IPSEC_NAME_LEN);
	}
	for (i = vpe_sadb_next_id(db, 1); i; i = vpe_sadb_next_id(db, i + 1))
		export_sa(&w, db->sas[i]);

	wrec(&w, VPE_MIG_EVQ, EVQ_HLEN + (size_t)q->count * EVREC_LEN);
	w64(&w, q->lost);
	w32(&w, q->count);
	for (i = 0; i < q->count; i++) {
		const struct vpe_evrec *e = &q->ring[(q->head + i) % q->cap];

		w16(&w, e->type);
		w16(&w, e->limit);
		w32(&w, e->group_id);
		w32(&w, e->sa_id);
		w32(&w, e->spi);
		w64(&w, e->seq);
		w64(&w, e->bytes);
		w64(&w, e->packets);
	}

	vpe_st32(buf + 16, crc32_le(buf + HDR_LEN, need - HDR_LEN));
	return (size_t)(w.p - buf);
}

uint8_t *vpe_mig_export_alloc(const struct vpe_core *core, size_t *len)
{
	size_t n = vpe_mig_size(core);
	uint8_t *buf;

	*len = 0;
	if (!n)
		return NULL;
	buf = malloc(n);
	if (!buf)
		return NULL;
	if (vpe_mig_export(core, buf, n) != n) {
		vpe_mig_free(buf, n);
		return NULL;
	}
	*len = n;
	return buf;
}

void vpe_mig_free(uint8_t *buf, size_t len)
{
	if (!buf)
		return;
	explicit_bzero(buf, len);
	free(buf);
}

/* --- import -------------------------------------------------------------- */

/* Reader over one record: every get checks the bytes left first */
struct rd {
	const uint8_t *p;
	size_t left;
};

static int r_take(struct rd *r, size_t n, const uint8_t **out)
{
	if (r->left < n)
		return -1;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return 0;
}

static int r8(struct rd *r, uint8_t *v)
{
	const uint8_t *p;

	if (r_take(r, 1, &p))
		return -1;
	*v = *p;
	return 0;
}

static int r16(struct rd *r, uint16_t *v)
{
	const uint8_t *p;

	if (r_take(r, 2, &p))
		return -1;
	*v = vpe_ld16(p);
	return 0;
}

static int r32(struct rd *r, uint32_t *v)
{
	const uint8_t *p;

	if (r_take(r, 4, &p))
		return -1;
	*v = vpe_ld32(p);
	return 0;
}

static int r64(struct rd *r, uint64_t *v)
{
	const uint8_t *p;

	if (r_take(r, 8, &p))
		return -1;
	*v = vpe_ld64(p);
	return 0;
}

struct imp {
	struct vpe_core *core;
	char *err;
	size_t err_len;
	bool have_core, have_evq, have_elim;
	uint16_t version;	/* of the stream */
	uint32_t nsas, ngroups; /* announced in CORE */
	uint32_t seen_sas, seen_groups;
};

static int fail(struct imp *im, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct imp *im, const char *fmt, ...)
{
	va_list ap;

	if (im->err && im->err_len) {
		va_start(ap, fmt);
		vsnprintf(im->err, im->err_len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A limit the source's guest relies on that this core does not reach */
static int limit_ok(struct imp *im, const char *prop, uint32_t src,
		    uint32_t dst)
{
	if (src > dst)
		return fail(im,
			    "%s: source %u, destination %u (the guest "
			    "may use up to the source's)",
			    prop, src, dst);
	return 0;
}

static int imp_core(struct imp *im, struct rd *r)
{
	struct vpe_core *core = im->core;
	uint32_t lim[6];
	uint64_t now, feat;
	uint8_t weak, pad[3];
	const uint8_t *backend;
	char be[BACKEND_LEN];
	static const char *const names[6] = {
		"max-sas",   "max-groups",	  "max-packet-len",
		"max-batch", "max-replay-window", NULL,
	};

	if (r->left != CORE_LEN)
		return fail(im, "CORE record of %zu bytes, expected %u",
			    r->left, CORE_LEN);
	if (r64(r, &now) || r64(r, &feat) || r32(r, &lim[0]) ||
	    r32(r, &lim[1]) || r32(r, &lim[2]) || r32(r, &lim[3]) ||
	    r32(r, &lim[4]) || r32(r, &lim[5]) || r8(r, &weak) ||
	    r8(r, &pad[0]) || r8(r, &pad[1]) || r8(r, &pad[2]) ||
	    r32(r, &im->nsas) || r32(r, &im->ngroups) ||
	    r_take(r, BACKEND_LEN, &backend))
		return fail(im, "CORE record truncated");
	memcpy(be, backend, BACKEND_LEN);
	be[BACKEND_LEN - 1] = '\0';
	if (weak > 1 || pad[0] || pad[1] || pad[2])
		return fail(im, "CORE record: bad flag bytes");
	if (limit_ok(im, names[0], lim[0], core->cfg.max_sas) ||
	    limit_ok(im, names[1], lim[1], core->cfg.max_groups) ||
	    limit_ok(im, names[2], lim[2], core->cfg.max_packet_len) ||
	    limit_ok(im, names[3], lim[3], core->cfg.max_batch) ||
	    limit_ok(im, names[4], lim[4], core->cfg.max_replay_window))
		return -1;
	/* lim[5], the source's event FIFO: only its contents must fit (EVQ) */
	if (im->nsas > core->cfg.max_sas)
		return fail(im, "%u SAs in use, destination max-sas %u",
			    im->nsas, core->cfg.max_sas);
	if (im->ngroups > core->cfg.max_groups)
		return fail(im, "%u groups in use, destination max-groups %u",
			    im->ngroups, core->cfg.max_groups);
	if (feat & ~core->offered)
		return fail(im,
			    "the guest negotiated features 0x%llx the "
			    "destination does not offer (source backend '%s')",
			    (unsigned long long)(feat & ~core->offered), be);
	core->now = now;
	core->lim.features = feat;
	im->have_core = true;
	return 0;
}

static int imp_group(struct imp *im, struct rd *r)
{
	const uint8_t *name;
	uint32_t gid;
	uint8_t st;

	if (r->left != GROUP_LEN)
		return fail(im, "GROUP record of %zu bytes, expected %u",
			    r->left, GROUP_LEN);
	if (r32(r, &gid) || r_take(r, VIRTIO_IPSEC_NAME_LEN, &name))
		return fail(im, "GROUP record truncated");
	if (gid == 0 || gid > im->core->cfg.max_groups)
		return fail(im,
			    "group %u out of range (destination "
			    "max-groups %u)",
			    gid, im->core->cfg.max_groups);
	st = vpe_group_create(&im->core->db, gid, name);
	if (st != VIRTIO_IPSEC_OK)
		return fail(im, "group %u: listed twice", gid);
	im->seen_groups++;
	return 0;
}

/* An algorithm the SA uses that this core cannot run, named */
static int algos_ok(struct imp *im, uint32_t id, const uint8_t *prm)
{
	const struct vpe_core *core = im->core;
	uint8_t c = prm[OFF(virtio_ipsec_sa_params, cipher_alg)];
	uint8_t a = prm[OFF(virtio_ipsec_sa_params, auth_alg)];
	uint64_t cb = c < 64 ? 1ULL << c : 0, ab = a < 64 ? 1ULL << a : 0;
	const struct vpe_crypto_ops *ops = core->crypto->ops;

	if (!(core->lim.cipher_mask & cb)) {
		if (ops->cipher_mask & cb)
			return fail(im,
				    "SA %u uses weak cipher algorithm %u "
				    "and the destination has "
				    "allow-weak-algos=off",
				    id, c);
		return fail(im,
			    "SA %u uses cipher algorithm %u, which the "
			    "destination's crypto backend '%s' lacks",
			    id, c, ops->name);
	}
	if (!(core->lim.auth_mask & ab)) {
		if (ops->auth_mask & ab)
			return fail(im,
				    "SA %u uses weak auth algorithm %u "
				    "and the destination has "
				    "allow-weak-algos=off",
				    id, a);
		return fail(im,
			    "SA %u uses auth algorithm %u, which the "
			    "destination's crypto backend '%s' lacks",
			    id, a, ops->name);
	}
	return 0;
}

/* The running state over a freshly added SA, every value checked */
static int imp_sa_state(struct imp *im, struct rd *r, struct vpe_sa *sa)
{
	uint64_t seq, esn_top, packets, bytes, added, top, *bm = NULL;
	uint32_t flags, nstats, window, words, i;
	uint32_t known = VPE_ST_SOFT | VPE_ST_HARD | VPE_ST_OVERFLOW |
			 (im->version >= 2 ? VPE_ST_DISABLED : 0);
	uint8_t stopped, pad;
	uint16_t ip_id;
	struct vpe_replay *rp;

	if (r64(r, &seq) || r64(r, &esn_top) || r64(r, &packets) ||
	    r64(r, &bytes) || r64(r, &added) || r32(r, &flags) ||
	    r16(r, &ip_id) || r8(r, &stopped) || r8(r, &pad) || r32(r, &nstats))
		return fail(im, "SA %u: record truncated", sa->id);
	if (stopped > 1 || pad || (flags & ~known))
		return fail(im, "SA %u: bad state flags", sa->id);
	/*
	 * Any added is an age (now - added, mod 2^64): SA_MOD LIFETIME can
	 * make an SA older than the clock (version 2; version 1 streams
	 * never held one).
	 */
	if (sa->direction == VIRTIO_IPSEC_DIR_OUTBOUND && seq > sa->seq_max)
		return fail(im,
			    "SA %u: sequence number %llu beyond the SA's "
			    "sequence space",
			    sa->id, (unsigned long long)seq);
	/* An older writer may know fewer counters; never more than we do */
	if (nstats > VPE_STAT_N)
		return fail(im, "SA %u: %u counters, this version knows %u",
			    sa->id, nstats, VPE_STAT_N);
	for (i = 0; i < nstats; i++)
		if (r64(r, &sa->st.stats[i]))
			return fail(im, "SA %u: record truncated", sa->id);
	if (r32(r, &window) || r64(r, &top) || r32(r, &words))
		return fail(im, "SA %u: record truncated", sa->id);
	if (!sa->replay) {
		if (window || top || words)
			return fail(im,
				    "SA %u: replay window for an SA "
				    "without anti-replay",
				    sa->id);
	} else {
		if (window != sa->replay->window)
			return fail(im,
				    "SA %u: replay window %u, parameters "
				    "say %u",
				    sa->id, window, sa->replay->window);
		if (words != replay_words(window) || r->left != words * 8ULL)
			return fail(im,
				    "SA %u: replay bitmap of %u words "
				    "(%zu bytes left), expected %u",
				    sa->id, words, r->left,
				    replay_words(window));
		bm = (uint64_t *)calloc(words, sizeof(*bm));
		if (!bm)
			return fail(im, "out of memory");
		for (i = 0; i < words; i++)
			r64(r, &bm[i]); /* r->left checked above */
		rp = vpe_replay_import(window, top, bm, words);
		free(bm);
		if (!rp)
			return fail(im,
				    "SA %u: replay bitmap names sequence "
				    "numbers outside the window",
				    sa->id);
		vpe_replay_free(sa->replay);
		sa->replay = rp;
	}
	if (r->left)
		return fail(im, "SA %u: %zu trailing bytes", sa->id, r->left);
	sa->seq = seq;
	sa->esn_top = esn_top;
	/* Both from seq, set just above (vipsec_sa.h). */
	vpe_sa_set_packets(sa, packets);
	vpe_sa_set_next_ip_id(sa, ip_id);
	sa->bytes = bytes;
	sa->st.added = added;
	sa->st.flags = flags;
	/* Hard-limit reservations start level with the counters. */
	sa->st.rsv_packets = sa->st.stats[VPE_STAT_PACKETS];
	sa->st.rsv_bytes = sa->st.stats[VPE_STAT_BYTES];
	sa->stopped = stopped;
	return 0;
}

static int imp_sa(struct imp *im, struct rd *r)
{
	struct vpe_core *core = im->core;
	uint8_t prm[PARAMS_LEN], st;
	struct vpe_sa_cfg cfg;
	const uint8_t *p;
	uint32_t id, gid;
	struct vpe_sa *sa;
	int ret = -1;

	if (r32(r, &id) || r32(r, &gid) || r_take(r, PARAMS_LEN, &p))
		return fail(im, "SA record truncated");
	if (id == 0 || id > core->cfg.max_sas)
		return fail(im,
			    "SA id %u out of range (destination max-sas "
			    "%u)",
			    id, core->cfg.max_sas);
	if (vpe_group_check(&core->db, gid) != VIRTIO_IPSEC_OK)
		return fail(im, "SA %u: group %u not in the stream", id, gid);
	if (core->db.sas[id])
		return fail(im, "SA %u: listed twice", id);
	memcpy(prm, p, PARAMS_LEN);
	if (algos_ok(im, id, prm))
		goto out;
	st = vpe_sa_cfg_decode(prm, &core->lim, &cfg);
	if (st == VIRTIO_IPSEC_OK)
		st = vpe_sa_add(&core->db, gid, id, &cfg);
	explicit_bzero(&cfg, sizeof(cfg));
	if (st != VIRTIO_IPSEC_OK) {
		fail(im,
		     "SA %u: the destination refuses its parameters "
		     "(status %u, as SA_ADD would)",
		     id, st);
		goto out;
	}
	sa = core->db.sas[id];
	memcpy(sa->st.params, prm, PARAMS_LEN);
	vpe_sa_keep_keys(sa, prm);
	memset(sa->st.params + OFF(virtio_ipsec_sa_params, cipher_key), 0,
	       VIRTIO_IPSEC_MAX_CIPHER_KEY);
	memset(sa->st.params + OFF(virtio_ipsec_sa_params, auth_key), 0,
	       VIRTIO_IPSEC_MAX_AUTH_KEY);
	memset(sa->st.params + OFF(virtio_ipsec_sa_params, salt), 0,
	       VIRTIO_IPSEC_MAX_SALT);
	if (imp_sa_state(im, r, sa))
		goto out;
	im->seen_sas++;
	ret = 0;
out:
	explicit_bzero(prm, sizeof(prm));
	return ret;
}

static int imp_evq(struct imp *im, struct rd *r)
{
	struct vpe_evq *q = &im->core->evq;
	struct vpe_evrec e;
	uint32_t count, i;
	uint64_t lost;

	if (im->have_evq)
		return fail(im, "two EVQ records");
	im->have_evq = true;
	if (r64(r, &lost) || r32(r, &count))
		return fail(im, "EVQ record truncated");
	if (count > q->cap)
		return fail(im,
			    "%u pending events, the destination's event "
			    "FIFO holds %u",
			    count, q->cap);
	if (r->left != (size_t)count * EVREC_LEN)
		return fail(im, "EVQ record: %zu bytes for %u events", r->left,
			    count);
	for (i = 0; i < count; i++) {
		memset(&e, 0, sizeof(e));
		if (r16(r, &e.type) || r16(r, &e.limit) ||
		    r32(r, &e.group_id) || r32(r, &e.sa_id) || r32(r, &e.spi) ||
		    r64(r, &e.seq) || r64(r, &e.bytes) || r64(r, &e.packets))
			return fail(im, "EVQ record truncated");
		if (e.type == 0 || e.type > EVT_MAX_QUEUED)
			return fail(im, "event %u: type %u cannot be queued", i,
				    e.type);
		/* SA_DEL and FLUSH purge an SA's events: each names a live SA */
		if (!vpe_sa_lookup(&im->core->db, e.group_id, e.sa_id))
			return fail(im,
				    "event %u names SA %u of group %u, "
				    "which is not in the stream",
				    i, e.sa_id, e.group_id);
		q->ring[(q->head + q->count) % q->cap] = e;
		q->count++;
	}
	q->lost = lost;
	return 0;
}

bool vpe_mig_idle(const struct vpe_core *core)
{
	uint32_t i;

	if (vpe_sadb_next_id(&core->db, 1) || core->evq.count ||
	    core->evq.lost || core->errlim.events)
		return false;
	for (i = 1; i <= core->db.max_groups; i++)
		if (core->db.groups[i].used)
			return false;
	return true;
}

/*
 * EVENT_LIMIT through the guest's own path (vpe_ctl_event_limit()), so a
 * stream cannot set what the destination's guest could not. The limiters'
 * windows and counts are not carried (see struct vpe_erl).
 */
static int imp_elim(struct imp *im, struct rd *r)
{
	uint8_t body[ELIM_LEN];
	uint32_t out_len = 0;
	struct vpe_ctrl_req req = {
		.body = body,
		.body_len = sizeof(body),
		.out_len = &out_len,
	};

	if (im->have_elim || im->have_evq)
		return fail(im, "ELIM record twice or after EVQ");
	im->have_elim = true;
	if (r->left != ELIM_LEN)
		return fail(im, "ELIM record of %zu bytes", r->left);
	memcpy(body, r->p, ELIM_LEN);
	r->p += ELIM_LEN;
	r->left = 0;
	if (!vpe_core_has(im->core, VIRTIO_IPSEC_F_ERR_EVENTS) ||
	    vpe_ctl_event_limit(im->core, &req) != VIRTIO_IPSEC_OK ||
	    !im->core->errlim.events)
		return fail(im, "ELIM record: event limit refused");
	return 0;
}

static int imp_body(struct imp *im, const uint8_t *body, size_t len)
{
	struct rd all = { .p = body, .left = len };

	while (all.left) {
		uint16_t tag, flags;
		uint32_t rlen;
		struct rd r;
		int ret;

		if (r16(&all, &tag) || r16(&all, &flags) || r32(&all, &rlen))
			return fail(im, "record header truncated");
		if (rlen > all.left)
			return fail(im, "record (tag %u) of %u bytes, %zu left",
				    tag, rlen, all.left);
		r.p = all.p;
		r.left = rlen;
		all.p += rlen;
		all.left -= rlen;
		if (flags & ~VPE_MIG_F_OPTIONAL)
			return fail(im, "record (tag %u): unknown flags 0x%x",
				    tag, flags);
		if (!im->have_core && tag != VPE_MIG_CORE)
			return fail(im, "record (tag %u) before CORE", tag);
		switch (tag) {
		case VPE_MIG_CORE:
			ret = im->have_core ? fail(im, "two CORE records") :
					      imp_core(im, &r);
			break;
		case VPE_MIG_GROUP:
			ret = im->have_evq || im->seen_sas ?
				      fail(im, "GROUP record out of order") :
				      imp_group(im, &r);
			break;
		case VPE_MIG_SA:
			ret = im->have_evq ? fail(im, "SA record after EVQ") :
					     imp_sa(im, &r);
			break;
		case VPE_MIG_EVQ: ret = imp_evq(im, &r); break;
		case VPE_MIG_ELIM: ret = imp_elim(im, &r); break;
		default:
			ret = (flags & VPE_MIG_F_OPTIONAL) ?
				      0 :
				      fail(im,
					   "unknown record tag %u (written by "
					   "a "
					   "newer version?)",
					   tag);
			break;
		}
		if (ret)
			return ret;
	}
	if (!im->have_core)
		return fail(im, "no CORE record");
	/* Always written, last: a stream cut at a record boundary is caught */
	if (!im->have_evq)
		return fail(im, "no EVQ record (stream cut short?)");
	if (im->seen_sas != im->nsas || im->seen_groups != im->ngroups)
		return fail(im,
			    "stream announces %u SAs and %u groups, holds "
			    "%u and %u",
			    im->nsas, im->ngroups, im->seen_sas,
			    im->seen_groups);
	return 0;
}

int vpe_mig_import(struct vpe_core *core, const uint8_t *buf, size_t len,
		   char *err, size_t err_len)
{
	struct imp im = { .core = core, .err = err, .err_len = err_len };
	uint64_t old_now = core->now, old_feat = core->lim.features;
	uint32_t body_len, crc;
	uint16_t version, hlen;

	if (err && err_len)
		err[0] = '\0';
	if (!buf || len < HDR_LEN)
		return fail(&im,
			    "stream of %zu bytes is shorter than its "
			    "header",
			    buf ? len : 0);
	if (memcmp(buf, mig_magic, sizeof(mig_magic)))
		return fail(&im, "not a virtio-ipsec engine stream (bad "
				 "magic)");
	version = vpe_ld16(buf + 8);
	hlen = vpe_ld16(buf + 10);
	body_len = vpe_ld32(buf + 12);
	crc = vpe_ld32(buf + 16);
	if (version == 0 || version > VPE_MIG_VERSION)
		return fail(&im, "stream version %u, this engine reads 1 to %u",
			    version, VPE_MIG_VERSION);
	if (hlen != HDR_LEN || vpe_ld32(buf + 20))
		return fail(&im, "bad stream header");
	im.version = version;
	if (body_len != len - HDR_LEN)
		return fail(&im, "stream length %zu, header says %llu", len,
			    (unsigned long long)body_len + HDR_LEN);
	if (crc32_le(buf + HDR_LEN, body_len) != crc)
		return fail(&im, "stream corrupted (CRC mismatch)");
	if (!vpe_mig_idle(core))
		return fail(&im, "the engine already holds state");
	if (imp_body(&im, buf + HDR_LEN, body_len)) {
		/* Leave the core as it was: empty */
		vpe_core_reset(core);
		core->now = old_now;
		core->lim.features = old_feat;
		return -1;
	}
	return 0;
}
