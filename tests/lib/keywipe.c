// SPDX-License-Identifier: BSD-3-Clause
/*
 * No key material in freed heap. The binary is linked with
 * -Wl,--wrap=free, so every free() the library (and the software
 * accelerator behind it) makes passes through __wrap_free, which scans the
 * whole block for the keys the test handed to g_ipsec_la_sa_add before
 * releasing it. A plain memset() before free() is removed by the compiler
 * at -O2 (dead store): only explicit_bzero() survives, and this test is
 * what tells the two apart. Run over the software accelerator on the host;
 * the guest path frees the same wire buffer in the same function (sa.c).
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "gapi.h"
#include "g_ipsec_la_sw.h"

const char *ga_accl = G_IPSEC_LA_SOFTWARE_NAME;

/* Distinctive patterns: no other heap block holds them by chance. */
static const uint8_t kw_aead[20] = {
	0x4b, 0x45, 0x59, 0x57, 0x49, 0x50, 0x45, 0x2d,
	0x61, 0x65, 0x61, 0x64, 0x2d, 0x6b, 0x65, 0x79,
	0x53, 0x41, 0x4c, 0x54,
};
static const uint8_t kw_cipher[16] = {
	0x4b, 0x45, 0x59, 0x57, 0x49, 0x50, 0x45, 0x2d,
	0x63, 0x62, 0x63, 0x2d, 0x6b, 0x65, 0x79, 0x21,
};
static const uint8_t kw_auth[32] = {
	0x4b, 0x45, 0x59, 0x57, 0x49, 0x50, 0x45, 0x2d,
	0x68, 0x6d, 0x61, 0x63, 0x2d, 0x6b, 0x65, 0x79,
	0x2d, 0x73, 0x68, 0x61, 0x32, 0x35, 0x36, 0x2d,
	0x32, 0x35, 0x36, 0x2d, 0x62, 0x69, 0x74, 0x73,
};

static int kw_armed;		/* scan only between arm and disarm */
static unsigned int kw_frees;	/* blocks scanned */
static unsigned int kw_hits;	/* blocks that still held a key */

void __real_free(void *p);
void __wrap_free(void *p);

/* The needle's first 8 bytes are enough to find a partial copy too. */
static int kw_holds(const uint8_t *b, size_t n, const uint8_t *key)
{
	return n >= 8 && memmem(b, n, key, 8) != NULL;
}

void __wrap_free(void *p)
{
	if (p && kw_armed) {
		size_t n = malloc_usable_size(p);

		kw_frees++;
		if (kw_holds(p, n, kw_aead) || kw_holds(p, n, kw_cipher) ||
		    kw_holds(p, n, kw_auth))
			kw_hits++;
	}
	__real_free(p);
}

static void kw_arm(void)
{
	kw_frees = 0;
	kw_hits = 0;
	kw_armed = 1;
}

static void kw_sa_aead(struct g_ipsec_la_sa *sa, uint32_t spi)
{
	ga_sa(sa, spi);
	sa->crypto_params.comb_key = kw_aead;
	sa->crypto_params.comb_key_len_bits = sizeof(kw_aead) * 8;
}

static void kw_sa_cbc(struct g_ipsec_la_sa *sa, uint32_t spi)
{
	ga_sa(sa, spi);
	sa->crypto_params.comb_algo = 0;
	sa->crypto_params.comb_key = NULL;
	sa->crypto_params.comb_key_len_bits = 0;
	sa->crypto_params.icv_len_bits = 0;
	sa->crypto_params.cipher_algo = G_IPSEC_LA_ALG_AES_CBC;
	sa->crypto_params.cipher_key = kw_cipher;
	sa->crypto_params.cipher_key_len_bits = sizeof(kw_cipher) * 8;
	sa->crypto_params.auth_algo = G_IPSEC_LA_AUTH_ALG_SHA2_256_HMAC;
	sa->crypto_params.auth_key = kw_auth;
	sa->crypto_params.auth_key_len_bits = sizeof(kw_auth) * 8;
}

static int kw_del(struct g_ipsec_la_sa_handle *sh,
		  enum g_ipsec_la_sa_direction dir)
{
	struct g_ipsec_la_sa_del_inargs in = { .dir = dir, .handle = sh };
	struct g_ipsec_la_sa_del_outargs out;

	return g_ipsec_la_sa_del(&ga_h, &in, 0, &out, NULL);
}

/* SA_ADD, SA_DEL and close of AEAD and CBC+HMAC SAs, both directions. */
START_TEST(test_keys_not_in_freed_heap)
{
	struct g_ipsec_la_sa_handle o, i, c;
	struct g_ipsec_la_sa sa;

	kw_arm();
	ck_assert_int_eq(ga_pair(&ga_h, 0x1000 + (uint32_t)_i, &o, &i), 0);
	/* ga_pair uses ga_sa's key: add ours in both shapes as well */
	kw_sa_aead(&sa, 0x2000 + (uint32_t)_i);
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o), 0);
	kw_sa_cbc(&sa, 0x3000 + (uint32_t)_i);
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &sa, &c), 0);
	ck_assert_int_eq(kw_del(&c, G_IPSEC_LA_IPSEC_INBOUND), 0);
	ck_assert_int_eq(kw_del(&o, G_IPSEC_LA_IPSEC_OUTBOUND), 0);
	kw_armed = 0;
	ck_assert_msg(kw_frees > 0, "no free() was seen: the wrap is not linked");
	ck_assert_msg(kw_hits == 0,
		      "%u of %u freed blocks still held key material",
		      kw_hits, kw_frees);
}
END_TEST

/* A rejected SA_ADD (bad ICV length) must not leave its keys behind either. */
START_TEST(test_keys_not_in_freed_heap_on_error)
{
	struct g_ipsec_la_sa_handle o;
	struct g_ipsec_la_sa sa;

	kw_sa_aead(&sa, 0x4000);
	sa.crypto_params.icv_len_bits = 100;
	kw_arm();
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o),
			 -EINVAL);
	kw_sa_cbc(&sa, 0x4001);
	sa.crypto_params.auth_key_len_bits = 8;	/* wrong for SHA-256 */
	ck_assert_int_ne(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o), 0);
	kw_armed = 0;
	ck_assert_msg(kw_hits == 0,
		      "%u of %u freed blocks still held key material",
		      kw_hits, kw_frees);
}
END_TEST

/* Closing the instance with SAs still in place frees them: wiped too. */
START_TEST(test_keys_not_in_freed_heap_at_close)
{
	struct g_ipsec_la_sa_handle o, c;
	struct g_ipsec_la_sa sa;

	kw_sa_aead(&sa, 0x5000);
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o), 0);
	kw_sa_cbc(&sa, 0x5001);
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &sa, &c), 0);
	kw_arm();
	ck_assert_int_eq(g_ipsec_la_close(&ga_h), 0);
	kw_armed = 0;
	ck_assert_msg(kw_hits == 0,
		      "%u of %u freed blocks still held key material",
		      kw_hits, kw_frees);
	/* ga_teardown closes again: reopen so that it has a handle */
	ck_assert_int_eq(ga_open(G_IPSEC_LA_INSTANCE_SHARED, "gapi-test",
				 &ga_h), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("keywipe");
	TCase *tc = tcase_create("freed-heap");
	SRunner *sr;
	int failed;

	if (g_ipsec_la_software_register())
		return EXIT_FAILURE;

	tcase_add_checked_fixture(tc, ga_setup, ga_teardown);
	tcase_add_loop_test(tc, test_keys_not_in_freed_heap, 0, 2);
	tcase_add_test(tc, test_keys_not_in_freed_heap_on_error);
	tcase_add_test(tc, test_keys_not_in_freed_heap_at_close);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* in-process: the counters above live in this address space */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
