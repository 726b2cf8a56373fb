// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_sadb_index: the SA table's two indexes (vipsec_sa.h), so that no
 * request costs O(max_sas):
 *  - inbound SAs hashed by (group, SPI, destination): SA_ADD's and
 *    SA_MOD's "one inbound SA per (group, SPI, destination)" check (a
 *    group is one tenant's SPI space, see vipsec_sadb.c). The guest picks both,
 *    so the hash is keyed with a random value; a chain is never longer
 *    than the number of inbound SAs, the cost of the old linear scan.
 *  - a bitmap of the SA ids in use: SA_GET, SA_FLUSH, reset and the
 *    lifetime clock walk the SAs in id order, skipping 64 free ids per
 *    word instead of visiting every slot.
 * Both are updated only by vipsec_sadb.c, under the core's single-thread
 * rule (vipsec_core.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "vipsec_sa.h"

#define HASH_MAX_BUCKETS (1u << 20) /* 8 MiB of heads at most */
#define HASH_MIN_BUCKETS 16u

static uint32_t bitmap_words(const struct vpe_sadb *db)
{
	return db->max_sas / 64 + 1; /* bits 0 .. max_sas */
}

int vpe_sadb_index_init(struct vpe_sadb *db)
{
	uint32_t buckets = HASH_MIN_BUCKETS;

	while (buckets < db->max_sas && buckets < HASH_MAX_BUCKETS)
		buckets <<= 1;
	db->used = calloc(bitmap_words(db), sizeof(*db->used));
	db->in_hash = calloc(buckets, sizeof(*db->in_hash));
	if (!db->used || !db->in_hash) {
		vpe_sadb_index_fini(db);
		return -ENOMEM;
	}
	db->hash_mask = buckets - 1;
	/* Without randomness the hash still works, only more predictably. */
	if (getrandom(&db->hash_key, sizeof(db->hash_key), GRND_NONBLOCK) !=
	    sizeof(db->hash_key))
		db->hash_key = (uint64_t)(uintptr_t)db->in_hash ^
			       0x5bd1e9955bd1e995ull;
	return 0;
}

void vpe_sadb_index_fini(struct vpe_sadb *db)
{
	free(db->used);
	free(db->in_hash);
	db->used = NULL;
	db->in_hash = NULL;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

static uint32_t bucket(const struct vpe_sadb *db, uint32_t gid, uint32_t spi,
		       const uint8_t dst[16])
{
	uint64_t a, b;

	memcpy(&a, dst, 8);
	memcpy(&b, dst + 8, 8);
	return (uint32_t)mix(
		       mix(mix(db->hash_key ^ spi ^ (uint64_t)gid << 32) ^ a) ^
		       b) &
	       db->hash_mask;
}

static bool is_inbound(const struct vpe_sa *sa)
{
	return sa->direction == VIRTIO_IPSEC_DIR_INBOUND;
}

void vpe_sadb_index_add(struct vpe_sadb *db, struct vpe_sa *sa)
{
	db->used[sa->id / 64] |= 1ull << (sa->id % 64);
	if (is_inbound(sa)) {
		struct vpe_sa **head = &db->in_hash[bucket(
			db, sa->group_id, sa->spi, sa->tun_dst)];

		sa->hnext = *head;
		/* Published whole: data threads walk buckets (by-SPI lookup) */
		__atomic_store_n(head, sa, __ATOMIC_RELEASE);
	}
}

void vpe_sadb_index_del(struct vpe_sadb *db, struct vpe_sa *sa)
{
	struct vpe_sa **pp;

	db->used[sa->id / 64] &= ~(1ull << (sa->id % 64));
	if (!is_inbound(sa))
		return;
	for (pp = &db->in_hash[bucket(db, sa->group_id, sa->spi, sa->tun_dst)];
	     *pp; pp = &(*pp)->hnext) {
		if (*pp == sa) {
			/*
			 * sa keeps its hnext: a data thread standing on it
			 * still reaches the rest of the bucket. It is freed
			 * after the grace period (vipsec_queue.c).
			 */
			__atomic_store_n(pp, sa->hnext, __ATOMIC_RELEASE);
			return;
		}
	}
	abort(); /* an inbound SA missing from its bucket: a bug here */
}

struct vpe_sa *vpe_sadb_find_inbound(const struct vpe_sadb *db, uint32_t gid,
				     uint32_t spi, const uint8_t dst[16])
{
	struct vpe_sa *sa = __atomic_load_n(
		&db->in_hash[bucket(db, gid, spi, dst)], __ATOMIC_ACQUIRE);

	/* Also from data threads (vipsec_lookup.c): see index_add/_del */
	for (; sa; sa = __atomic_load_n(&sa->hnext, __ATOMIC_ACQUIRE))
		if (sa->group_id == gid && sa->spi == spi &&
		    !memcmp(sa->tun_dst, dst, 16))
			return sa;
	return NULL;
}

uint32_t vpe_sadb_next_id(const struct vpe_sadb *db, uint32_t from)
{
	uint32_t w, words = bitmap_words(db);
	uint64_t bits;

	if (from == 0)
		from = 1;
	if (from > db->max_sas)
		return 0;
	w = from / 64;
	bits = db->used[w] & (~0ull << (from % 64));
	while (!bits) {
		if (++w == words)
			return 0;
		bits = db->used[w];
	}
	return w * 64 + (uint32_t)__builtin_ctzll(bits);
}
