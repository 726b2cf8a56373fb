// SPDX-License-Identifier: BSD-3-Clause
/*
 * Published ESP AES-GCM vectors: draft-mcgrew-gcm-test-01 ("Test Cases for
 * the use of GCM and GMAC in IPsec ESP", 2009), the cases without ESN.
 * Each gives key, salt, SPI, sequence number, explicit IV, the ESP
 * plaintext (payload + padding + trailer) and ciphertext || ICV.
 * The engine must produce the published bytes exactly and recover the
 * published plaintext from the published packet.
 */
#include <string.h>

#include "tests.h"

struct vec {
	const char *name, *key, *salt, *spi, *seq, *iv, *pt, *ct;
};

static const struct vec vecs[] = {
	{ "case 2 (AES-128)", "feffe9928665731c6d6a8f9467308308", "cafebabe",
	  "0000a5f8", "0000000a", "facedbaddecaf888",
	  "4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d00100"
	  "00010000000000000373697009637962 65726369747902646b00000100010001",
	  "deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d114d2a5c"
	  "3de81827c10e9a4f51330d0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd1"
	  "83b70d3aa8bc6ee4c309e9d85a41ad4a" },
	{ "case 3 (AES-256)",
	  "abbccddef00112233445566778899aababbccddef00112233445566778899aab",
	  "11223344", "4a2cbfe3", "00000002", "0102030405060708",
	  "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee000000000"
	  "7002400020bf0000020405b40101040201020201",
	  "ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763"
	  "748a637985771d347f0545659f14e99def842d8e"
	  "b335f4eecfdbf831824b4c4915956c96" },
	{ "case 4 (AES-128, zero key)", "00000000000000000000000000000000",
	  "00000000", "00000000", "00000001", "0000000000000000",
	  "4500003c99c500008001cb7a40679318010101010800075c0200440061626364"
	  "65666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
	  "4688daf2f973a392732909c331d56d60f694abaa414b5e7ff5fdcdfff5e9a284"
	  "456476492719ffb64de7d9dca1e1d894bc3bd57873ed4d181d19d4d5c8c18af3"
	  "f821d496eeb096e98ad2b69e4799c71d" },
	{ "case 6 (AES-192)", "feffe9928665731c6d6a8f9467308308feffe9928665731c",
	  "cafebabe", "0000a5f8", "0000000a", "facedbaddecaf888",
	  "45000028a4ad4000400678800a01038f0a010612802306b8cb712602dd6bb03e"
	  "501016d075680001",
	  "a5b1f8066029aea40e598b8122de02420938b3ab33f828e687b8858b5bfbdbd0"
	  "315b27452144cc7795457b9652037f5318027b5b4cd7a636" },
	{ "case 12 (AES-128, empty payload, seq 0xffffffff)",
	  "7d773d00c144c525ac619d18c84a3f47", "d9664267", "335467ae",
	  "ffffffff", "43457e9182443bc6", "01020201",
	  "437f866bcb3f699fe9b0822bac961c4504bef270" },
};

struct bytes {
	uint8_t key[32], salt[4], spi[4], seq[4], iv[8], pt[256], ct[300];
	size_t key_len, pt_len, ct_len;
};

static void parse(const struct vec *v, struct bytes *b)
{
	b->key_len = hex2bin(v->key, b->key, sizeof(b->key));
	ck_assert(hex2bin(v->salt, b->salt, 4) == 4);
	ck_assert(hex2bin(v->spi, b->spi, 4) == 4);
	ck_assert(hex2bin(v->seq, b->seq, 4) == 4);
	ck_assert(hex2bin(v->iv, b->iv, 8) == 8);
	b->pt_len = hex2bin(v->pt, b->pt, sizeof(b->pt));
	b->ct_len = hex2bin(v->ct, b->ct, sizeof(b->ct));
	ck_assert_msg(b->ct_len == b->pt_len + 16, "%s: bad vector lengths",
		      v->name);
}

static struct vpe_sa *add(struct vpe_core *c, uint32_t id, uint8_t dir,
			  const struct bytes *b)
{
	uint8_t p[PARAMS_SIZE];
	uint8_t st;

	test_params(p, dir, vpe_get_be32(b->spi), b->key,
		    (uint8_t)b->key_len, b->salt, 0);
	st = sa_add(c, 0, id, p);
	ck_assert_msg(st == VIRTIO_IPSEC_OK, "SA_ADD of vector key: status %u",
		      st);
	return vpe_sa_lookup(vpe_core_sadb(c), 0, id);
}

START_TEST(test_vector_seal)
{
	const struct vec *v = &vecs[_i];
	struct vpe_core *c = test_core();
	uint8_t esp[400];
	struct vpe_sa *sa;
	struct bytes b;

	parse(v, &b);
	sa = add(c, 1, VIRTIO_IPSEC_DIR_OUTBOUND, &b);
	memset(esp, 0xee, sizeof(esp));
	vpe_esp_seal(vpe_core_crypto(c), sa, vpe_get_be32(b.seq), b.iv,
		     b.pt, (uint32_t)b.pt_len, esp);
	ck_assert_msg(!memcmp(esp, b.spi, 4) && !memcmp(esp + 4, b.seq, 4) &&
		      !memcmp(esp + 8, b.iv, 8),
		      "%s: ESP header/IV differ from the published packet",
		      v->name);
	ck_assert_msg(!memcmp(esp + 16, b.ct, b.pt_len),
		      "%s: ciphertext differs from the published bytes", v->name);
	ck_assert_msg(!memcmp(esp + 16 + b.pt_len, b.ct + b.pt_len, 16),
		      "%s: ICV differs from the published bytes", v->name);
	ck_assert_msg(esp[16 + b.ct_len] == 0xee, "%s: wrote past the ICV",
		      v->name);
	vpe_core_free(c);
}
END_TEST

START_TEST(test_vector_open)
{
	const struct vec *v = &vecs[_i];
	struct vpe_core *c = test_core();
	uint8_t esp[400], pt[300];
	struct vpe_sa *sa;
	struct bytes b;
	uint32_t len;
	uint8_t st;

	parse(v, &b);
	sa = add(c, 2, VIRTIO_IPSEC_DIR_INBOUND, &b);
	memcpy(esp, b.spi, 4);
	memcpy(esp + 4, b.seq, 4);
	memcpy(esp + 8, b.iv, 8);
	memcpy(esp + 16, b.ct, b.ct_len);
	len = 16 + (uint32_t)b.ct_len;
	st = vpe_esp_open(vpe_core_crypto(c), sa, vpe_get_be32(b.seq),
			  esp, len, pt);
	ck_assert_msg(st == VIRTIO_IPSEC_OK, "%s: published packet refused: %u",
		      v->name, st);
	ck_assert_msg(!memcmp(pt, b.pt, b.pt_len),
		      "%s: decrypted payload differs from published plaintext",
		      v->name);

	esp[16 + b.pt_len / 2] ^= 0x01;
	st = vpe_esp_open(vpe_core_crypto(c), sa, vpe_get_be32(b.seq),
			  esp, len, pt);
	ck_assert_msg(st == VIRTIO_IPSEC_BADMSG,
		      "%s: tampered packet gave %u, want BADMSG", v->name, st);
	vpe_core_free(c);
}
END_TEST

/* The trailer of case 3 (pad 1,2 / pad length 2 / next header 1). */
START_TEST(test_vector_trailer)
{
	struct bytes b;
	uint8_t nh = 0;
	int32_t n;

	parse(&vecs[1], &b);
	n = vpe_esp_trailer(b.pt, (uint32_t)b.pt_len, &nh);
	ck_assert_msg(n == 0x30 && nh == 1,
		      "case 3 trailer: inner length %d next header %u, want 48/1",
		      n, nh);
}
END_TEST

Suite *vectors_suite(void)
{
	Suite *s = suite_create("vectors");
	TCase *tc = tcase_create("draft-mcgrew-gcm-test-01");
	int n = (int)(sizeof(vecs) / sizeof(vecs[0]));

	tcase_add_loop_test(tc, test_vector_seal, 0, n);
	tcase_add_loop_test(tc, test_vector_open, 0, n);
	tcase_add_test(tc, test_vector_trailer);
	suite_add_tcase(s, tc);
	return s;
}
