// SPDX-License-Identifier: BSD-3-Clause
/*
 * Published vectors for every non-GCM transform of the ipsec-mb backend,
 * run through vpe_esp_seal / vpe_esp_open (explicit IV), byte-exact:
 *   RFC 3602 section 4 cases 5-8: AES-CBC ESP packets (no ICV in them).
 *   RFC 3686 section 6 vectors #1, #2: AES-CTR (nonce || IV || 1).
 *   RFC 2202 (HMAC-MD5, HMAC-SHA1) case 1, RFC 4868 section 2.7.2.2
 *     AUTH256-1 / AUTH384-1 / AUTH512-1, RFC 3566 section 4 cases 2-4:
 *     the MAC path with a NULL cipher, so the authenticated bytes
 *     SPI || seq || payload are exactly the published message (the ICV
 *     is the published MAC truncated to the RFC's ICV length).
 * RFC 4309 and RFC 4543 publish no ESP vectors and RFC 3610's use 13-byte
 * nonces, so CCM, GMAC and (3)DES are checked against packets computed
 * with an independent implementation (pyca/cryptography on OpenSSL 3.0:
 * AESCCM(salt || IV, AAD = SPI || seq), AESGCM with an empty plaintext and
 * AAD = SPI || [seq_hi ||] seq || IV || payload, TripleDES-CBC; DES as
 * 3DES with K1 = K2 = K3). ChaCha20-Poly1305 (RFC 7634 publishes no
 * ESP packet with a known ESN AAD) likewise: ChaCha20Poly1305(salt || IV,
 * AAD = SPI || [seq_hi ||] seq), whose output on the RFC 7539 section
 * 2.8.2 AEAD vector was checked to be the published one first.
 */
#include <string.h>

#include "tests.h"

struct avec {
	const char *name;
	uint8_t cipher, auth, icv_len;
	const char *ckey, *salt, *akey;
	const char *spi, *seq, *iv;
	uint32_t seq_hi;
	const char *pt;		/* payload; with nh != 0 ESP-padded here */
	uint8_t nh;
	const char *out;	/* ciphertext || ICV */
};

#define C(x) VIRTIO_IPSEC_CIPHER_##x
#define A(x) VIRTIO_IPSEC_AUTH_##x

static const struct avec avecs[] = {
	{ "RFC 3602 case 5", C(AES_CBC), A(NONE), 0,
	  "90d382b410eeba7ad938c46cec1a82bf", "", "", "00004321", "00000001",
	  "e96e8c08ab465763fd098d45dd3ff893", 0,
	  "08000ebda70a00008e9c083db95b070008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637",
	  1,
	  "f663c25d325c18c6a9453e194e120849a4870b66cc6b9965330013b4898dc856a4699e523a55db080b59ec3a8e4b7e52775b07d1db34ed9c538ab50c551b874aa269add047ad2d5913ac19b7cfbad4a6" },
	{ "RFC 3602 case 6", C(AES_CBC), A(NONE), 0,
	  "90d382b410eeba7ad938c46cec1a82bf", "", "", "00004321", "00000008",
	  "69d08df7d203329db093fc4924e5bd80", 0,
	  "0800b5e8a80a0500a69c083d0b660e00777777777777777777777777", 1,
	  "f51995881ec4e0c4488987ce742e8109689bb379d2d750c0d915dca346a89f75" },
	{ "RFC 3602 case 7", C(AES_CBC), A(NONE), 0,
	  "0123456789abcdef0123456789abcdef", "", "", "00008765", "00000002",
	  "f4e765244f6407adf13dc1380f673f37", 0,
	  "45000054090400004001f988c0a87b03c0a87bc808009f76a90a0100b49c083d02a2040008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637",
	  4,
	  "773b5241a4c449225e4f3ce5ed611b0c237ca96cf74a93013c1b0ea1a0cf70f8e4ecaec78ac53aad7a0f022b859243c647752e94a859352b8a4d4d2decd136e5c177f132ad3fbfb2201ac9904c74ee0a109e0ca1e4dfe9d5a100b842f1c22f0d" },
	{ "RFC 3602 case 8", C(AES_CBC), A(NONE), 0,
	  "0123456789abcdef0123456789abcdef", "", "", "00008765", "00000005",
	  "85d47224b5f3dd5d2101d4ea8dffab22", 0,
	  "45000044090c00004001f990c0a87b03c0a87bc80800d63caa0a0200c69c083da3de0300ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	  4,
	  "15b92683819596a8047232cc00f7048fe45318e11f8a0f62ede3c3fc61203bb50f980a08c9843fd3a1b06d5c07ff9639b7eb7dfb3512e5de435e7207ed971ef3d2726d9b5ef6affc6d17a0decbb13892" },
	{ "RFC 3686 #1", C(AES_CTR), A(NONE), 0,
	  "ae6852f8121067cc4bf7a5765577f39e", "00000030", "", "00000001",
	  "00000001", "0000000000000000", 0,
	  "53696e676c6520626c6f636b206d7367", 0,
	  "e4095d4fb7a7b3792d6175a3261311b8" },
	{ "RFC 3686 #2", C(AES_CTR), A(NONE), 0,
	  "7e24067817fae0d743d6ce1f32539163", "006cb6db", "", "00000001",
	  "00000002", "c0543b59da48d90b", 0,
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 0,
	  "5104a106168a72d9790d41ee8edad388eb2e1efc46da57c8fce630df9141be28" },
	{ "RFC 2202 HMAC-MD5 case 1", C(NULL), A(HMAC_MD5_96), 12, "", "",
	  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "48692054", "68657265", "", 0,
	  "", 0, "9294727a3638bb1c13f48ef8" },
	{ "RFC 2202 HMAC-SHA1 case 1", C(NULL), A(HMAC_SHA1_96), 12, "", "",
	  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "48692054", "68657265",
	  "", 0, "", 0, "b617318655057264e28bc0b6" },
	{ "RFC 4868 AUTH256-1", C(NULL), A(HMAC_SHA256), 16, "", "",
	  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  "48692054", "68657265", "", 0, "", 0,
	  "198a607eb44bfbc69903a0f1cf2bbdc5" },
	{ "RFC 4868 AUTH384-1", C(NULL), A(HMAC_SHA384), 24, "", "",
	  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
	  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  "48692054", "68657265", "", 0, "", 0,
	  "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973" },
	{ "RFC 4868 AUTH512-1", C(NULL), A(HMAC_SHA512), 32, "", "",
	  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
	  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  "48692054", "68657265", "", 0, "", 0,
	  "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8" },
	{ "RFC 3566 case 3", C(NULL), A(AES_XCBC_96), 12, "", "",
	  "000102030405060708090a0b0c0d0e0f", "00010203", "04050607", "", 0,
	  "08090a0b0c0d0e0f", 0, "08090a0b0c0d0e0fd2a246fa349b68a79998a439" },
	{ "RFC 3566 case 4", C(NULL), A(AES_XCBC_96), 12, "", "",
	  "000102030405060708090a0b0c0d0e0f", "00010203", "04050607", "", 0,
	  "08090a0b0c0d0e0f10111213", 0,
	  "08090a0b0c0d0e0f1011121347f51b4564966215b8985c63" },
	{ "CCM-128 ICV 16 (OpenSSL)", C(AES_CCM), A(NONE), 16,
	  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "a1b2c3", "", "00004321",
	  "00000007", "0102030405060708", 0,
	  "404142434445464748494a4b4c4d4e4f5051525354555657", 0,
	  "27f4c587c9b30e8c09d0af04964cee95de0fe55e9dcaaf1d570955cc21c4513bb4efa80f99c13f4b" },
	{ "CCM-256 ICV 8 (OpenSSL)", C(AES_CCM), A(NONE), 8,
	  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
	  "a1b2c3", "", "00004321", "00000007", "0102030405060708", 0,
	  "404142434445464748494a4b4c4d4e4f5051525354555657", 0,
	  "aa2379217464e86347e9a0f8c5940b7c8681b17537cac346883f400e7edbae34" },
	{ "GMAC-128 (OpenSSL)", C(AES_GMAC), A(NONE), 16,
	  "feffe9928665731c6d6a8f9467308308", "cafebabe", "", "00004321",
	  "00000007", "0102030405060708", 0,
	  "404142434445464748494a4b4c4d4e4f5051525354555657", 0,
	  "404142434445464748494a4b4c4d4e4f5051525354555657"
	  "631c4a772acac4e244c9c48b1d019bad" },
	{ "GMAC-128 ESN seq_hi 1 (OpenSSL)", C(AES_GMAC), A(NONE), 16,
	  "feffe9928665731c6d6a8f9467308308", "cafebabe", "", "00004321",
	  "00000007", "0102030405060708", 1,
	  "404142434445464748494a4b4c4d4e4f5051525354555657", 0,
	  "404142434445464748494a4b4c4d4e4f5051525354555657"
	  "f02d8983ed2641333531a2d409e73b51" },
	{ "ChaCha20-Poly1305 (OpenSSL)", C(CHACHA20_POLY1305), A(NONE), 16,
	  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
	  "07000000", "", "00004321", "00000007", "4041424344454647", 0,
	  "404142434445464748494a4b4c4d4e4f5051525354555657", 0,
	  "df3aab1e45b806fd5dabc5b07acc44e19191da6c5d543889"
	  "6b3164db5c13e95ae8ee516d21edcc7f" },
	{ "ChaCha20-Poly1305 ESN seq_hi 1 (OpenSSL)", C(CHACHA20_POLY1305),
	  A(NONE), 16,
	  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
	  "07000000", "", "00004321", "00000007", "4041424344454647", 1,
	  "404142434445464748494a4b4c4d4e4f5051525354555657", 0,
	  "df3aab1e45b806fd5dabc5b07acc44e19191da6c5d543889"
	  "46e2b0dc6a814b0c438fd92c969493bb" },
	{ "3DES-CBC (OpenSSL)", C(3DES_CBC), A(NONE), 0,
	  "0102030405060708090a0b0c0d0e0f101112131415161718", "", "",
	  "00004321", "00000007", "fedcba9876543210", 0,
	  "404142434445464748494a4b4c4d4e4f5051525354555657", 0,
	  "3371103479ca968e40a2640046bcd90ad40e06d640540677" },
	{ "DES-CBC (OpenSSL)", C(DES_CBC), A(NONE), 0, "0123456789abcdef", "",
	  "", "00004321", "00000007", "fedcba9876543210", 0,
	  "404142434445464748494a4b4c4d4e4f5051525354555657", 0,
	  "8c68725debd51a149876a1021242bec9cf11fb8bbea1fdfd" },
};

struct abytes {
	uint8_t ckey[32], salt[4], akey[64], spi[4], seq[4], iv[16];
	uint8_t pt[256], out[300];
	size_t ckey_len, salt_len, akey_len, iv_len, pt_len, out_len;
};

static void aparse(const struct avec *v, struct abytes *b)
{
	b->ckey_len = hex2bin(v->ckey, b->ckey, sizeof(b->ckey));
	b->salt_len = hex2bin(v->salt, b->salt, sizeof(b->salt));
	b->akey_len = hex2bin(v->akey, b->akey, sizeof(b->akey));
	ck_assert(hex2bin(v->spi, b->spi, 4) == 4);
	ck_assert(hex2bin(v->seq, b->seq, 4) == 4);
	b->iv_len = hex2bin(v->iv, b->iv, sizeof(b->iv));
	b->pt_len = hex2bin(v->pt, b->pt, sizeof(b->pt));
	b->out_len = hex2bin(v->out, b->out, sizeof(b->out));
	if (v->nh) {	/* RFC 4303 padding 1, 2, ..., pad length, nh */
		uint32_t pad = (16 - (b->pt_len + 2) % 16) % 16, i;

		for (i = 0; i < pad; i++)
			b->pt[b->pt_len + i] = (uint8_t)(i + 1);
		b->pt[b->pt_len + pad] = (uint8_t)pad;
		b->pt[b->pt_len + pad + 1] = v->nh;
		b->pt_len += pad + 2;
	}
	ck_assert_msg(b->out_len == b->pt_len + v->icv_len,
		      "%s: vector lengths %zu/%zu", v->name, b->pt_len,
		      b->out_len);
}

/* An SA straight on the backend: vectors need no decoder or SADB. */
static int vsa(struct vpe_crypto *c, const struct avec *v,
	       const struct abytes *b, bool esn, struct vpe_sa *sa)
{
	struct vpe_xfrm_params p = {
		.cipher_alg = v->cipher, .auth_alg = v->auth,
		.cipher_key_len = (uint8_t)b->ckey_len,
		.auth_key_len = (uint8_t)b->akey_len,
		.salt_len = (uint8_t)b->salt_len, .icv_len = v->icv_len,
		.esn = esn, .cipher_key = b->ckey, .auth_key = b->akey,
		.salt = b->salt,
	};
	struct vpe_xfrm_shape shape;
	int ret;

	memset(sa, 0, sizeof(*sa));
	ret = c->ops->key_new(c, &p, &sa->key, &shape);
	if (ret)
		return ret;
	sa->spi = vpe_get_be32(b->spi);
	sa->iv_len = shape.iv_len;
	sa->block_len = shape.block_len;
	sa->icv_len = shape.icv_len;
	return 0;
}

static struct vpe_crypto *backend(void)
{
	char err[128] = "";
	struct vpe_crypto *c = vpe_crypto_new("ipsec-mb", err,
					      sizeof(err));

	ck_assert_msg(c != NULL, "backend: %s", err);
	return c;
}

START_TEST(test_avec_seal_open)
{
	const struct avec *v = &avecs[_i];
	struct vpe_crypto *c = backend();
	uint8_t esp[400], pt[300], iv[16] = { 0 };
	uint64_t seq;
	struct vpe_sa sa;
	struct abytes b;
	uint32_t hlen, len;
	uint8_t st;

	aparse(v, &b);
	ck_assert_msg(!vsa(c, v, &b, v->seq_hi != 0, &sa), "%s: key_new",
		      v->name);
	ck_assert_msg(sa.iv_len == b.iv_len && sa.icv_len == v->icv_len,
		      "%s: shape iv %u icv %u", v->name, sa.iv_len, sa.icv_len);
	memcpy(iv, b.iv, b.iv_len);
	seq = (uint64_t)v->seq_hi << 32 | vpe_get_be32(b.seq);
	hlen = 8 + sa.iv_len;
	memset(esp, 0xee, sizeof(esp));
	vpe_esp_seal(c, &sa, seq, iv, b.pt, (uint32_t)b.pt_len, esp);
	ck_assert_msg(!memcmp(esp, b.spi, 4) && !memcmp(esp + 4, b.seq, 4) &&
		      !memcmp(esp + 8, b.iv, b.iv_len),
		      "%s: header/IV differ", v->name);
	ck_assert_msg(!memcmp(esp + hlen, b.out, b.pt_len),
		      "%s: ciphertext differs from the published bytes",
		      v->name);
	ck_assert_msg(!memcmp(esp + hlen + b.pt_len, b.out + b.pt_len,
			      v->icv_len),
		      "%s: ICV differs from the published bytes", v->name);
	ck_assert_msg(esp[hlen + b.out_len] == 0xee, "%s: wrote past the ICV",
		      v->name);

	len = hlen + (uint32_t)b.out_len;
	memset(pt, 0xcc, sizeof(pt));
	st = vpe_esp_open(c, &sa, seq, esp, len, pt);
	ck_assert_msg(st == VIRTIO_IPSEC_OK, "%s: open gave %u", v->name, st);
	ck_assert_msg(!memcmp(pt, b.pt, b.pt_len), "%s: plaintext differs",
		      v->name);
	if (v->icv_len) {
		esp[hlen + b.pt_len / 2] ^= 0x01;
		st = vpe_esp_open(c, &sa, seq, esp, len, pt);
		ck_assert_msg(st == VIRTIO_IPSEC_BADMSG,
			      "%s: tampered gave %u", v->name, st);
	}
	c->ops->key_free(c, sa.key);
	vpe_crypto_free(c);
}
END_TEST

/*
 * ESN (RFC 4303 2.2.1): seq_hi is authenticated but not sent. For every
 * transform with integrity, a packet sealed with seq_hi 5 opens with 5
 * and fails with 4; without ESN seq_hi does not count.
 */
static const struct avec esn_algs[] = {
	{ "GCM", C(AES_GCM), A(NONE), 16, "000102030405060708090a0b0c0d0e0f",
	  "01020304", "", 0, 0, 0, 0, 0, 0, 0 },
	{ "CCM", C(AES_CCM), A(NONE), 12, "000102030405060708090a0b0c0d0e0f",
	  "010203", "", 0, 0, 0, 0, 0, 0, 0 },
	{ "GMAC", C(AES_GMAC), A(NONE), 16,
	  "000102030405060708090a0b0c0d0e0f", "01020304", "", 0, 0, 0, 0, 0,
	  0, 0 },
	{ "ChaCha20-Poly1305", C(CHACHA20_POLY1305), A(NONE), 16,
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  "01020304", "", 0, 0, 0, 0, 0, 0, 0 },
	{ "CBC+SHA1", C(AES_CBC), A(HMAC_SHA1_96), 12,
	  "000102030405060708090a0b0c0d0e0f", "",
	  "000102030405060708090a0b0c0d0e0f10111213", 0, 0, 0, 0, 0, 0, 0 },
	{ "CTR+SHA256", C(AES_CTR), A(HMAC_SHA256), 16,
	  "000102030405060708090a0b0c0d0e0f", "01020304",
	  "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f",
	  0, 0, 0, 0, 0, 0, 0 },
	{ "3DES+XCBC", C(3DES_CBC), A(AES_XCBC_96), 12,
	  "0102030405060708090a0b0c0d0e0f101112131415161718", "",
	  "000102030405060708090a0b0c0d0e0f", 0, 0, 0, 0, 0, 0, 0 },
	{ "NULL+SHA512", C(NULL), A(HMAC_SHA512), 32, "", "",
	  "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
	  "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f",
	  0, 0, 0, 0, 0, 0, 0 },
};

START_TEST(test_esn_mac_input)
{
	const struct avec *v = &esn_algs[_i];
	struct vpe_crypto *c = backend();
	uint8_t esp[200], pt[100], in[48], iv[16];
	struct vpe_sa sa, sa_noesn;
	struct abytes b;
	uint32_t len;
	int esn;

	memset(&b, 0, sizeof(b));
	b.ckey_len = hex2bin(v->ckey, b.ckey, sizeof(b.ckey));
	b.salt_len = hex2bin(v->salt, b.salt, sizeof(b.salt));
	b.akey_len = hex2bin(v->akey, b.akey, sizeof(b.akey));
	memcpy(b.spi, "\x00\x00\x12\x34", 4);
	for (unsigned int i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 13);
	for (esn = 0; esn < 2; esn++) {
		struct vpe_sa *s = esn ? &sa : &sa_noesn;
		uint64_t seq = 5ULL << 32 | 77;

		ck_assert_msg(!vsa(c, v, &b, esn, s), "%s: key_new", v->name);
		c->ops->iv_gen(c, s->key, seq, iv);
		vpe_esp_seal(c, s, seq, iv, in, sizeof(in), esp);
		len = 8 + s->iv_len + sizeof(in) + s->icv_len;
		ck_assert_msg(vpe_esp_open(c, s, seq, esp, len, pt) ==
			      VIRTIO_IPSEC_OK && !memcmp(pt, in, sizeof(in)),
			      "%s esn=%d: own packet refused", v->name, esn);
		ck_assert_msg(vpe_esp_open(c, s, seq - (1ULL << 32), esp,
					   len, pt) ==
			      (esn ? VIRTIO_IPSEC_BADMSG : VIRTIO_IPSEC_OK),
			      "%s esn=%d: seq_hi handling wrong", v->name, esn);
		c->ops->key_free(c, s->key);
	}
	vpe_crypto_free(c);
}
END_TEST

/* CBC IVs: unpredictable-looking, distinct per seq and per SA. */
START_TEST(test_cbc_iv)
{
	struct vpe_crypto *c = backend();
	const struct avec *v = &avecs[0];
	uint8_t a[16], b2[16], z[16] = { 0 }, ctr[8];
	struct vpe_sa s1, s2;
	struct abytes b;

	aparse(v, &b);
	ck_assert(!vsa(c, v, &b, false, &s1));
	ck_assert(!vsa(c, v, &b, false, &s2));
	c->ops->iv_gen(c, s1.key, 1, a);
	c->ops->iv_gen(c, s1.key, 2, b2);
	ck_assert_msg(memcmp(a, b2, 16), "same IV for two sequence numbers");
	vpe_iv_from_seq(1, ctr);
	ck_assert_msg(memcmp(a, z, 8) && memcmp(a + 8, ctr, 8),
		      "CBC IV looks like the sequence number");
	c->ops->iv_gen(c, s2.key, 1, b2);
	ck_assert_msg(memcmp(a, b2, 16), "two SAs share an IV key");
	c->ops->key_free(c, s1.key);
	c->ops->key_free(c, s2.key);
	vpe_crypto_free(c);
}
END_TEST

/*
 * CBC IVs drawn ahead for a run of one SA (vpe_mb_ivc) are the IVs drawn
 * one at a time: one backend walks the numbers up (runs, refills, a
 * second key cutting in), another walks them down (every IV alone); the
 * same key must give the same IV for each number, and no two numbers
 * the same IV.
 */
START_TEST(test_cbc_iv_ahead)
{
	struct vpe_crypto *up = backend(), *down = backend();
	const struct avec *v = &avecs[0];
	static uint8_t a[100][16], b2[100][16], o[100][16];
	uint8_t x[16];
	struct vpe_sa s1, s2;
	struct abytes b;
	uint64_t seq;
	unsigned int i, j;

	aparse(v, &b);
	ck_assert(!vsa(up, v, &b, false, &s1));
	ck_assert(!vsa(up, v, &b, false, &s2));
	for (seq = 1; seq < 100; seq++) {
		up->ops->iv_gen(up, s1.key, seq, a[seq]);
		/* The other SA every 40 numbers: s1's run starts again. */
		if (seq % 40 == 0)
			up->ops->iv_gen(up, s2.key, seq, o[seq]);
	}
	/* A number behind the run: drawn alone, the same IV. */
	up->ops->iv_gen(up, s1.key, 7, x);
	ck_assert_msg(!memcmp(x, a[7], 16), "IV of seq 7 changed");
	for (seq = 99; seq >= 1; seq--)
		down->ops->iv_gen(down, s1.key, seq, b2[seq]);
	for (seq = 1; seq < 100; seq++)
		ck_assert_msg(!memcmp(a[seq], b2[seq], 16),
			      "seq %llu: IV drawn ahead differs",
			      (unsigned long long)seq);
	for (seq = 40; seq < 100; seq += 40) {
		down->ops->iv_gen(down, s2.key, seq, x);
		ck_assert_msg(!memcmp(o[seq], x, 16) &&
			      memcmp(o[seq], a[seq], 16),
			      "seq %llu: second SA's IV wrong",
			      (unsigned long long)seq);
	}
	for (i = 1; i < 100; i++)
		for (j = i + 1; j < 100; j++)
			ck_assert_msg(memcmp(a[i], a[j], 16),
				      "seq %u and %u share an IV", i, j);
	/* A new key (perhaps at the freed one's address) has its own IVs. */
	up->ops->key_free(up, s1.key);
	ck_assert(!vsa(up, v, &b, false, &s1));
	up->ops->iv_gen(up, s1.key, 100, x);
	up->ops->iv_gen(up, s1.key, 101, x);
	up->ops->iv_gen(up, s1.key, 1, x);
	ck_assert_msg(memcmp(x, a[1], 16), "new key, old IVs");
	down->ops->iv_gen(down, s1.key, 2, a[0]);
	up->ops->iv_gen(up, s1.key, 2, x);
	ck_assert_msg(!memcmp(x, a[0], 16), "new key: IV drawn ahead differs");
	up->ops->key_free(up, s1.key);
	up->ops->key_free(up, s2.key);
	vpe_crypto_free(up);
	vpe_crypto_free(down);
}
END_TEST

Suite *algos_vectors_suite(void)
{
	Suite *s = suite_create("algos-vectors");
	TCase *tc = tcase_create("published");

	tcase_add_loop_test(tc, test_avec_seal_open, 0,
			    (int)(sizeof(avecs) / sizeof(avecs[0])));
	tcase_add_loop_test(tc, test_esn_mac_input, 0,
			    (int)(sizeof(esn_algs) / sizeof(esn_algs[0])));
	tcase_add_test(tc, test_cbc_iv);
	tcase_add_test(tc, test_cbc_iv_ahead);
	suite_add_tcase(s, tc);
	return s;
}
