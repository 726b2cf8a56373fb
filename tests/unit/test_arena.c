// SPDX-License-Identifier: BSD-3-Clause
/*
 * The arena SAs, their keys and replay windows come from
 * (vipsec_arena.c): objects zeroed and 64-byte aligned, a released one
 * zeroed before its class reuses it, and an SA's key material gone from
 * memory once SA_DEL has answered. Under AddressSanitizer the arena is
 * malloc and reading a released object is a use after free: the two
 * checks that do are left out there (and say so); the rest run.
 */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tests.h"
#include "vipsec_arena.h"
#include "vipsec_ipsecmb.h"
#include "vipsec_sa.h"
#include "vpe_test.h"

#if defined(__SANITIZE_ADDRESS__)
#define READ_FREED 0
#else
#define READ_FREED 1
#endif

/* Bytes [from, len) of p are zero; the first word holds the free list. */
static void assert_zero(const void *p, size_t from, size_t len,
			const char *what)
{
	const uint8_t *b = p;
	size_t i;

	for (i = from; i < len; i++)
		ck_assert_msg(b[i] == 0, "%s: byte %zu of %zu is 0x%02x", what,
			      i, len, b[i]);
}

START_TEST(arena_zeroed_aligned)
{
	static const size_t sizes[] = { 1,    63,    64,    1000,
					2496, 65536, 65537, 200000 };
	void *p[sizeof(sizes) / sizeof(sizes[0])];
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p[i] = vpe_arena_alloc(sizes[i]);
		ck_assert_msg(p[i] != NULL, "no memory for %zu bytes",
			      sizes[i]);
		ck_assert_msg(((uintptr_t)p[i] & 63) == 0,
			      "%zu bytes at %p: not 64-byte aligned", sizes[i],
			      p[i]);
		assert_zero(p[i], 0, sizes[i], "new object");
		memset(p[i], 0xa5, sizes[i]);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		vpe_arena_free(p[i], sizes[i]);
	vpe_arena_free(NULL, 64); /* allowed, as free(NULL) */
}
END_TEST

START_TEST(arena_free_zeroes)
{
	uint8_t *p, *q;

	if (!READ_FREED) {
		printf("arena_free_zeroes: not under ASan (arena is malloc)\n");
		return;
	}
	p = vpe_arena_alloc(2496);
	ck_assert(p != NULL);
	memset(p, 0xa5, 2496);
	vpe_arena_free(p, 2496);
	assert_zero(p, sizeof(void *), 2496, "released object");
	q = vpe_arena_alloc(2496);
	ck_assert_msg(q == p, "the class did not reuse its released object");
	assert_zero(q, 0, 2496, "reused object");
	vpe_arena_free(q, 2496);
}
END_TEST

/* SA_DEL: the SA (with its copy of the keys), key object, window zeroed. */
START_TEST(arena_sa_del_zeroes_keys)
{
	static const uint8_t key[16] = "0123456789abcdef";
	static const uint8_t salt[4] = { 1, 2, 3, 4 };
	uint8_t p[PARAMS_SIZE];
	struct vpe_replay *rp;
	struct vpe_core *c;
	struct vpe_sa *sa;
	size_t rlen, klen = 0;
	void *k;

	if (!READ_FREED) {
		printf("arena_sa_del_zeroes_keys: not under ASan (arena is "
		       "malloc)\n");
		return;
	}
	c = test_core();
	test_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x1234, key, 16, salt, 64);
	ck_assert_uint_eq(sa_add(c, 0, 1, p), VIRTIO_IPSEC_OK);
	sa = vpe_sa_lookup(vpe_core_sadb(c), 0, 1);
	ck_assert(sa != NULL && sa->replay != NULL);
	k = sa->key;
	rp = sa->replay;
	rlen = sizeof(*rp) + (rp->word_mask + 1) * sizeof(uint64_t);
	/* keys are sized to their algorithm: check that much, no further */
	if (!strcmp(test_backend(), "ipsec-mb"))
		klen = ((struct vpe_mb_key *)k)->size;
	ck_assert_msg(memmem(sa->st.keys, sizeof(sa->st.keys), key, 16),
		      "the SA keeps no copy of its key: nothing to check");
	ck_assert_uint_eq(ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 0, 1, NULL, 0),
			  VIRTIO_IPSEC_OK);
	assert_zero(sa, sizeof(void *), sizeof(*sa), "deleted SA");
	assert_zero(rp, sizeof(void *), rlen, "deleted SA's replay window");
	if (!strcmp(test_backend(), "ipsec-mb"))
		assert_zero(k, sizeof(void *), klen,
			    "deleted SA's ipsec-mb key");
	vpe_core_free(c);
}
END_TEST

Suite *arena_suite(void)
{
	Suite *s = suite_create("arena");
	TCase *tc = tcase_create("arena");

	tcase_add_test(tc, arena_zeroed_aligned);
	tcase_add_test(tc, arena_free_zeroes);
	tcase_add_test(tc, arena_sa_del_zeroes_keys);
	suite_add_tcase(s, tc);
	return s;
}
