// SPDX-License-Identifier: BSD-3-Clause
/*
 * config.c - vipsec-gw's configuration file. Lines are whitespace-separated
 * words; '#' starts a comment. "state" and "policy" lines take the words
 * of ip xfrm state / ip xfrm policy (see vipsec-gw(8)), so an SA can be
 * mirrored on a Linux peer by prefixing "ip xfrm" and swapping src/dst.
 * Every error names the file and line; parsing goes on after an error so
 * that one run shows every bad line.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define MAX_WORDS 48

struct parser {
	const char *path;
	int line;
	int errors;
	FILE *err;
	struct gw_config *conf;
};

static void perr(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	fprintf(p->err, "%s:%d: ", p->path, p->line);
	va_start(ap, fmt);
	vfprintf(p->err, fmt, ap);
	va_end(ap);
	fputc('\n', p->err);
	p->errors++;
}

/*
 * The algorithms, one row each, by the names ip xfrm and the kernel's
 * crypto API use. key_lens: accepted key lengths in bytes (with salt or
 * nonce), 0-terminated; icv_bits: accepted ICV lengths (aead, auth-trunc).
 */
enum alg_kind { ALG_AEAD, ALG_ENC, ALG_AUTH };

struct alg {
	enum alg_kind kind;
	const char *name;
	uint32_t id;
	uint8_t key_lens[4];
	uint16_t icv_bits[4];
	const char *desc;
};

static const struct alg algs[] = {
	{ ALG_AEAD,
	  "rfc4106(gcm(aes))",
	  G_IPSEC_LA_COMB_AES_GCM,
	  { 20, 28, 36 },
	  { 64, 96, 128 },
	  "AES-GCM" },
	{ ALG_AEAD,
	  "rfc4309(ccm(aes))",
	  G_IPSEC_LA_COMB_AES_CCM,
	  { 19, 27, 35 },
	  { 64, 96, 128 },
	  "AES-CCM" },
	{ ALG_AEAD,
	  "rfc4543(gcm(aes))",
	  G_IPSEC_LA_COMB_AES_GMAC,
	  { 20, 28, 36 },
	  { 128 },
	  "AES-GMAC" },
	{ ALG_ENC,
	  "cbc(aes)",
	  G_IPSEC_LA_ALG_AES_CBC,
	  { 16, 24, 32 },
	  { 0 },
	  "AES-CBC" },
	{ ALG_ENC,
	  "rfc3686(ctr(aes))",
	  G_IPSEC_LA_ALG_AES_CTR,
	  { 20, 28, 36 },
	  { 0 },
	  "AES-CTR" },
	{ ALG_ENC,
	  "cbc(des3_ede)",
	  G_IPSEC_LA_ALG_3DES_CBC,
	  { 24 },
	  { 0 },
	  "3DES-CBC" },
	{ ALG_ENC,
	  "ecb(cipher_null)",
	  G_IPSEC_LA_CIPHER_ALGO_NULL,
	  { 0 },
	  { 0 },
	  "NULL" },
	{ ALG_AUTH,
	  "hmac(sha1)",
	  G_IPSEC_LA_AUTH_ALG_SHA1_HMAC,
	  { 20 },
	  { 96 },
	  "HMAC-SHA1-96" },
	{ ALG_AUTH,
	  "hmac(sha256)",
	  G_IPSEC_LA_AUTH_ALG_SHA2_256_HMAC,
	  { 32 },
	  { 128 },
	  "HMAC-SHA-256-128" },
	{ ALG_AUTH,
	  "hmac(sha384)",
	  G_IPSEC_LA_AUTH_ALG_SHA2_384_HMAC,
	  { 48 },
	  { 192 },
	  "HMAC-SHA-384-192" },
	{ ALG_AUTH,
	  "hmac(sha512)",
	  G_IPSEC_LA_AUTH_ALG_SHA2_512_HMAC,
	  { 64 },
	  { 256 },
	  "HMAC-SHA-512-256" },
	{ ALG_AUTH,
	  "xcbc(aes)",
	  G_IPSEC_LA_AUTH_AESXCBC,
	  { 16 },
	  { 96 },
	  "AES-XCBC-MAC-96" },
};

static const char *const kind_word[] = { "aead", "enc", "auth-trunc" };

static const struct alg *alg_find(struct parser *p, enum alg_kind kind,
				  const char *name)
{
	char known[256] = "";
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].kind == kind && !strcmp(algs[i].name, name))
			return &algs[i];
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (algs[i].kind != kind)
			continue;
		if (known[0])
			strncat(known, ", ", sizeof(known) - strlen(known) - 1);
		strncat(known, algs[i].name, sizeof(known) - strlen(known) - 1);
	}
	perr(p, "unknown %s algorithm '%s' (known: %s)", kind_word[kind], name,
	     known);
	return NULL;
}

static const struct alg *alg_by_id(enum alg_kind kind, uint32_t id)
{
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].kind == kind && algs[i].id == id)
			return &algs[i];
	return NULL;
}

const char *gw_alg_name(const struct gw_sa *sa)
{
	static char buf[64];
	const struct alg *a;

	if (sa->comb_alg) {
		a = alg_by_id(ALG_AEAD, sa->comb_alg);
		snprintf(buf, sizeof(buf), "%s-%u/%u", a ? a->desc : "?",
			 (sa->comb_key_len -
			  (sa->comb_alg == G_IPSEC_LA_COMB_AES_CCM ? 3 : 4)) *
				 8,
			 sa->icv_bits);
		return buf;
	}
	a = alg_by_id(ALG_ENC, sa->cipher_alg);
	snprintf(buf, sizeof(buf), "%s+", a ? a->desc : "?");
	a = alg_by_id(ALG_AUTH, sa->auth_alg);
	strncat(buf, a ? a->desc : "?", sizeof(buf) - strlen(buf) - 1);
	return buf;
}

void gw_prefix_str(uint32_t addr, int len, char *buf, size_t size)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &addr, a, sizeof(a));
	snprintf(buf, size, "%s/%d", a, len);
}

/* ---- words ---------------------------------------------------------- */

static int parse_u32(struct parser *p, const char *what, const char *s,
		     uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v > max) {
		perr(p, "%s: '%s' is not a number in 0..%u", what, s, max);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_addr(struct parser *p, const char *what, const char *s,
		      struct in_addr *out)
{
	if (inet_pton(AF_INET, s, out) != 1) {
		perr(p, "%s: '%s' is not an IPv4 address", what, s);
		return -1;
	}
	return 0;
}

static int parse_prefix(struct parser *p, const char *what, const char *s,
			uint32_t *addr, uint32_t *mask, int *len)
{
	char buf[64], *slash;
	struct in_addr a;
	uint32_t l = 32;

	if (strlen(s) >= sizeof(buf)) {
		perr(p, "%s: '%s' is too long for an IPv4 prefix", what, s);
		return -1;
	}
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (parse_u32(p, what, slash + 1, 32, &l))
			return -1;
	}
	if (parse_addr(p, what, buf, &a))
		return -1;
	*len = (int)l;
	*mask = l ? htonl(~0u << (32 - l)) : 0;
	if (a.s_addr & ~*mask) {
		perr(p, "%s: '%s' has host bits set (did you mean %s/%u?)",
		     what, s, inet_ntoa((struct in_addr){ a.s_addr & *mask }),
		     l);
		return -1;
	}
	*addr = a.s_addr;
	return 0;
}

/* "0x0102..." (ip xfrm's form) or "" for no key. */
static int parse_key(struct parser *p, const char *what, const char *s,
		     uint8_t *key, uint32_t *len)
{
	size_t n, i;

	if (!*s) {
		*len = 0;
		return 0;
	}
	if (strncmp(s, "0x", 2) && strncmp(s, "0X", 2)) {
		perr(p, "%s: key must be hexadecimal starting with 0x", what);
		return -1;
	}
	s += 2;
	n = strlen(s);
	if (n % 2 || n / 2 > GW_MAX_KEY) {
		perr(p,
		     "%s: key has %zu hex digits (want an even number, at most %d)",
		     what, n, 2 * GW_MAX_KEY);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i])) {
			perr(p, "%s: '%c' is not a hex digit", what, s[i]);
			return -1;
		}
	for (i = 0; i < n / 2; i++) {
		char b[3] = { s[2 * i], s[2 * i + 1], 0 };

		key[i] = (uint8_t)strtoul(b, NULL, 16);
	}
	*len = (uint32_t)(n / 2);
	return 0;
}

static int check_key_len(struct parser *p, const struct alg *a, uint32_t len)
{
	char lens[32] = "";
	size_t i;

	for (i = 0; i < 4; i++) {
		if (i > 0 && !a->key_lens[i])
			break;
		if (a->key_lens[i] == len)
			return 0;
		snprintf(lens + strlen(lens), sizeof(lens) - strlen(lens),
			 "%s%u", i ? "/" : "", a->key_lens[i] * 8);
	}
	perr(p, "%s %s: key is %u bits, want %s bits%s", kind_word[a->kind],
	     a->name, len * 8, lens,
	     a->kind == ALG_AEAD || a->id == G_IPSEC_LA_ALG_AES_CTR ?
		     " (key followed by its salt/nonce, as ip xfrm takes it)" :
		     "");
	return -1;
}

static int check_icv(struct parser *p, const struct alg *a, uint32_t bits)
{
	size_t i;

	for (i = 0; i < 4 && a->icv_bits[i]; i++)
		if (a->icv_bits[i] == bits)
			return 0;
	perr(p,
	     "%s %s: ICV of %u bits not supported (the accelerator uses %u%s)",
	     kind_word[a->kind], a->name, bits, a->icv_bits[0],
	     a->icv_bits[1] ? ", 96 or 128 for AEAD" : "");
	return -1;
}

/* Strips one pair of surrounding quotes: 'rfc4106(gcm(aes))' as typed
 * for a shell is accepted. */
static char *unquote(char *w)
{
	size_t n = strlen(w);

	if (n >= 2 && (w[0] == '\'' || w[0] == '"') && w[n - 1] == w[0]) {
		w[n - 1] = '\0';
		return w + 1;
	}
	return w;
}

#define NEED_RET(n)                                                       \
	do {                                                              \
		if (i + (n) >= argc) {                                    \
			perr(p, "%s: '%s' needs %d argument(s)", argv[0], \
			     argv[i], (n));                               \
			return -1;                                        \
		}                                                         \
	} while (0)

#define NEED(n)                                                           \
	do {                                                              \
		if (i + (n) >= argc) {                                    \
			perr(p, "%s: '%s' needs %d argument(s)", argv[0], \
			     argv[i], (n));                               \
			return;                                           \
		}                                                         \
	} while (0)

/* ---- state ---------------------------------------------------------- */

/*
 * One algorithm of a state line at argv[*i]: "aead ALG KEY ICV-BITS",
 * "enc ALG KEY" or "auth-trunc ALG KEY BITS". Advances *i past it.
 * Return: 0, or -1 when the words are missing (errors are counted).
 */
static int parse_state_alg(struct parser *p, struct gw_sa *sa, int argc,
			   char **argv, int *ip)
{
	const struct alg *a;
	int i = *ip;
	uint32_t v;

	if (!strcmp(argv[i], "aead")) {
		NEED_RET(3);
		a = alg_find(p, ALG_AEAD, argv[i + 1]);
		if (a &&
		    !parse_key(p, "aead", argv[i + 2], sa->comb_key,
			       &sa->comb_key_len) &&
		    !check_key_len(p, a, sa->comb_key_len) &&
		    !parse_u32(p, "aead ICV bits", argv[i + 3], 256,
			       &sa->icv_bits) &&
		    !check_icv(p, a, sa->icv_bits))
			sa->comb_alg = a->id;
		*ip = i + 3;
	} else if (!strcmp(argv[i], "enc")) {
		NEED_RET(2);
		a = alg_find(p, ALG_ENC, argv[i + 1]);
		if (a &&
		    !parse_key(p, "enc", argv[i + 2], sa->cipher_key,
			       &sa->cipher_key_len) &&
		    !check_key_len(p, a, sa->cipher_key_len))
			sa->cipher_alg = a->id;
		*ip = i + 2;
	} else {
		NEED_RET(3);
		a = alg_find(p, ALG_AUTH, argv[i + 1]);
		if (a &&
		    !parse_key(p, "auth-trunc", argv[i + 2], sa->auth_key,
			       &sa->auth_key_len) &&
		    !check_key_len(p, a, sa->auth_key_len) &&
		    !parse_u32(p, "auth-trunc bits", argv[i + 3], 512, &v) &&
		    !check_icv(p, a, v))
			sa->auth_alg = a->id;
		*ip = i + 3;
	}
	return 0;
}

static void parse_state(struct parser *p, int argc, char **argv)
{
	struct gw_config *c = p->conf;
	struct gw_sa *sa;
	int i, have_src = 0, have_dst = 0, have_spi = 0, have_proto = 0;
	int have_dir = 0, have_auth = 0, have_enc = 0, errs = p->errors;
	uint32_t v;

	if (c->num_sas == GW_MAX_SAS) {
		perr(p, "state: more than %d SAs", GW_MAX_SAS);
		return;
	}
	sa = &c->sas[c->num_sas];
	memset(sa, 0, sizeof(*sa));
	sa->line = p->line;
	for (i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (!strcmp(w, "src")) {
			NEED(1);
			have_src = !parse_addr(p, "state src", argv[++i],
					       &sa->src);
		} else if (!strcmp(w, "dst")) {
			NEED(1);
			have_dst = !parse_addr(p, "state dst", argv[++i],
					       &sa->dst);
		} else if (!strcmp(w, "proto")) {
			NEED(1);
			if (strcmp(argv[++i], "esp"))
				perr(p,
				     "state: proto '%s' not supported (only esp)",
				     argv[i]);
			have_proto = 1;
		} else if (!strcmp(w, "spi")) {
			NEED(1);
			if (!parse_u32(p, "state spi", argv[++i], UINT32_MAX,
				       &sa->spi)) {
				if (sa->spi < 256)
					perr(p,
					     "state spi: %s is reserved (SPIs 0..255, RFC 4303)",
					     argv[i]);
				have_spi = 1;
			}
		} else if (!strcmp(w, "mode")) {
			NEED(1);
			if (strcmp(argv[++i], "tunnel"))
				perr(p,
				     "state: mode '%s' not supported: vipsec-gw is a tunnel gateway (mode tunnel)",
				     argv[i]);
		} else if (!strcmp(w, "reqid")) {
			NEED(1);
			parse_u32(p, "state reqid", argv[++i], UINT32_MAX, &v);
		} else if (!strcmp(w, "dir")) {
			NEED(1);
			i++;
			if (!strcmp(argv[i], "in"))
				sa->dir = GW_DIR_IN;
			else if (!strcmp(argv[i], "out"))
				sa->dir = GW_DIR_OUT;
			else
				perr(p, "state dir: '%s' is neither in nor out",
				     argv[i]);
			have_dir = 1;
		} else if (!strcmp(w, "replay-window")) {
			NEED(1);
			parse_u32(p, "state replay-window", argv[++i], 1u << 20,
				  &sa->replay_window);
		} else if (!strcmp(w, "flag")) {
			NEED(1);
			if (!strcmp(argv[++i], "esn"))
				sa->esn = 1;
			else
				perr(p,
				     "state flag: '%s' not supported (only esn)",
				     argv[i]);
		} else if (!strcmp(w, "aead") || !strcmp(w, "enc") ||
			   !strcmp(w, "auth-trunc")) {
			if (parse_state_alg(p, sa, argc, argv, &i))
				return;
			if (!strcmp(w, "aead"))
				have_enc = have_auth = 1;
			else if (!strcmp(w, "enc"))
				have_enc = 1;
			else
				have_auth = 1;
		} else if (!strcmp(w, "auth")) {
			perr(p,
			     "state: use 'auth-trunc ALG KEY BITS' (plain 'auth' leaves the truncation to a kernel default; the accelerator uses the RFC lengths)");
			i += 2;
		} else {
			perr(p, "state: unknown word '%s'", w);
		}
	}
	if (p->errors != errs)
		return;
	if (!have_src || !have_dst || !have_spi || !have_proto) {
		perr(p, "state: needs src, dst, proto esp and spi");
		return;
	}
	if (!have_enc) {
		perr(p,
		     "state: needs an algorithm: aead, or enc with auth-trunc");
		return;
	}
	if (sa->comb_alg && (sa->cipher_alg || sa->auth_alg)) {
		perr(p,
		     "state: aead cannot be combined with enc or auth-trunc");
		return;
	}
	if (!sa->comb_alg && !have_auth) {
		perr(p,
		     "state: enc without auth-trunc has no integrity; refused");
		return;
	}
	/* no dir: decided by 'local' once the whole file is read */
	sa->dir = have_dir ? sa->dir : (enum gw_dir) - 1;
	c->num_sas++;
}

/* ---- policy --------------------------------------------------------- */

struct tmpl {
	int present, have_src, have_dst, have_spi;
	struct in_addr src, dst;
	uint32_t spi;
};

static struct tmpl tmpls[GW_MAX_POLICIES];
static int priorities[GW_MAX_POLICIES];

static void parse_policy(struct parser *p, int argc, char **argv)
{
	struct gw_config *c = p->conf;
	struct gw_policy *pol;
	struct tmpl *t;
	int i, have_dir = 0, in_tmpl = 0, errs = p->errors;
	uint32_t v;

	if (c->num_policies == GW_MAX_POLICIES) {
		perr(p, "policy: more than %d policies", GW_MAX_POLICIES);
		return;
	}
	pol = &c->policies[c->num_policies];
	t = &tmpls[c->num_policies];
	memset(pol, 0, sizeof(*pol));
	memset(t, 0, sizeof(*t));
	priorities[c->num_policies] = 0;
	pol->line = p->line;
	pol->action = GW_BYPASS;
	pol->src_len = pol->dst_len = 0;
	for (i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (!strcmp(w, "tmpl")) {
			if (t->present)
				perr(p,
				     "policy: only one tmpl (no SA bundles)");
			t->present = in_tmpl = 1;
		} else if (!strcmp(w, "src")) {
			NEED(1);
			if (in_tmpl)
				t->have_src = !parse_addr(p, "tmpl src",
							  argv[++i], &t->src);
			else
				parse_prefix(p, "policy src", argv[++i],
					     &pol->src, &pol->src_mask,
					     &pol->src_len);
		} else if (!strcmp(w, "dst")) {
			NEED(1);
			if (in_tmpl)
				t->have_dst = !parse_addr(p, "tmpl dst",
							  argv[++i], &t->dst);
			else
				parse_prefix(p, "policy dst", argv[++i],
					     &pol->dst, &pol->dst_mask,
					     &pol->dst_len);
		} else if (in_tmpl && !strcmp(w, "proto")) {
			NEED(1);
			if (strcmp(argv[++i], "esp"))
				perr(p,
				     "tmpl: proto '%s' not supported (only esp)",
				     argv[i]);
		} else if (in_tmpl && !strcmp(w, "spi")) {
			NEED(1);
			t->have_spi = !parse_u32(p, "tmpl spi", argv[++i],
						 UINT32_MAX, &t->spi);
		} else if (in_tmpl && !strcmp(w, "mode")) {
			NEED(1);
			if (strcmp(argv[++i], "tunnel"))
				perr(p,
				     "tmpl: mode '%s' not supported (mode tunnel)",
				     argv[i]);
		} else if (!strcmp(w, "reqid")) {
			NEED(1);
			parse_u32(p, "reqid", argv[++i], UINT32_MAX, &v);
		} else if (!in_tmpl && !strcmp(w, "dir")) {
			NEED(1);
			i++;
			/* a Linux gateway's decapsulated traffic is "fwd" */
			if (!strcmp(argv[i], "in") || !strcmp(argv[i], "fwd"))
				pol->dir = GW_DIR_IN;
			else if (!strcmp(argv[i], "out"))
				pol->dir = GW_DIR_OUT;
			else
				perr(p,
				     "policy dir: '%s' is not in, fwd or out",
				     argv[i]);
			have_dir = 1;
		} else if (!in_tmpl && !strcmp(w, "action")) {
			NEED(1);
			i++;
			if (!strcmp(argv[i], "block"))
				pol->action = GW_DROP;
			else if (strcmp(argv[i], "allow"))
				perr(p,
				     "policy action: '%s' is neither allow nor block",
				     argv[i]);
		} else if (!in_tmpl && !strcmp(w, "priority")) {
			NEED(1);
			if (!parse_u32(p, "policy priority", argv[++i],
				       INT32_MAX, &v))
				priorities[c->num_policies] = (int)v;
		} else {
			perr(p, "policy: unknown word '%s'%s", w,
			     in_tmpl ?
				     " (after tmpl only src, dst, proto, spi, mode, reqid)" :
				     "");
		}
	}
	if (p->errors != errs)
		return;
	if (!have_dir) {
		perr(p, "policy: needs dir in|fwd|out");
		return;
	}
	if (t->present && (!t->have_src || !t->have_dst)) {
		perr(p,
		     "policy: tmpl needs src and dst (the tunnel end points)");
		return;
	}
	if (t->present && pol->action == GW_BYPASS)
		pol->action = GW_PROTECT;
	c->num_policies++;
}

/* ---- file ------------------------------------------------------------ */

static void parse_ifname(struct parser *p, int argc, char **argv, char *out)
{
	if (argc != 2) {
		perr(p, "%s: needs one interface name", argv[0]);
		return;
	}
	if (strlen(argv[1]) >= IF_NAMESIZE || !argv[1][0] ||
	    strchr(argv[1], '/')) {
		perr(p, "%s: '%s' is not a valid interface name", argv[0],
		     argv[1]);
		return;
	}
	strcpy(out, argv[1]);
}

static void parse_line(struct parser *p, char *line)
{
	struct gw_config *c = p->conf;
	char *argv[MAX_WORDS], *save = NULL, *w, *hash;
	int argc = 0;
	uint32_t v;

	hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	for (w = strtok_r(line, " \t\r\n", &save); w;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc == MAX_WORDS) {
			perr(p, "more than %d words", MAX_WORDS);
			return;
		}
		argv[argc++] = unquote(w);
	}
	if (!argc)
		return;
	if (!strcmp(argv[0], "state")) {
		parse_state(p, argc, argv);
	} else if (!strcmp(argv[0], "policy")) {
		parse_policy(p, argc, argv);
	} else if (!strcmp(argv[0], "tunnel")) {
		parse_ifname(p, argc, argv, c->tunnel);
	} else if (!strcmp(argv[0], "wan")) {
		parse_ifname(p, argc, argv, c->wan);
	} else if (!strcmp(argv[0], "local")) {
		if (argc != 2)
			perr(p, "local: needs one IPv4 address");
		else
			c->have_local =
				!parse_addr(p, "local", argv[1], &c->local);
	} else if (!strcmp(argv[0], "accelerator")) {
		if (argc != 2 || strlen(argv[1]) >= sizeof(c->accelerator))
			perr(p,
			     "accelerator: needs one name (virtio-ipsec<N> or software)");
		else
			strcpy(c->accelerator, argv[1]);
	} else if (!strcmp(argv[0], "batch")) {
		if (argc != 2)
			perr(p, "batch: needs one number");
		else if (!parse_u32(p, "batch", argv[1],
				    G_IPSEC_LA_MAX_PKT_BATCH, &v)) {
			if (!v)
				perr(p, "batch: must be at least 1");
			c->batch = v;
		}
	} else if (!strcmp(argv[0], "mtu")) {
		if (argc != 2)
			perr(p, "mtu: needs one number");
		else if (!parse_u32(p, "mtu", argv[1], 65535, &v)) {
			if (v < 576)
				perr(p,
				     "mtu: %u is below the IPv4 minimum of 576",
				     v);
			c->mtu = v;
		}
	} else {
		perr(p,
		     "unknown keyword '%s' (expected tunnel, wan, local, accelerator, batch, mtu, state or policy)",
		     argv[0]);
	}
}

/* After the whole file: SA directions, duplicate SPIs, policy templates. */
static void resolve(struct parser *p)
{
	struct gw_config *c = p->conf;
	unsigned int i, j;

	for (i = 0; i < c->num_sas; i++) {
		struct gw_sa *sa = &c->sas[i];

		p->line = sa->line;
		if ((int)sa->dir == -1) {
			if (c->have_local && sa->src.s_addr == c->local.s_addr)
				sa->dir = GW_DIR_OUT;
			else if (c->have_local &&
				 sa->dst.s_addr == c->local.s_addr)
				sa->dir = GW_DIR_IN;
			else {
				perr(p,
				     "state: cannot tell the direction: add 'dir in' or 'dir out', or a 'local' address equal to src or dst");
				continue;
			}
		}
		if (sa->dir == GW_DIR_OUT && sa->replay_window)
			perr(p,
			     "state: replay-window applies to inbound SAs only");
		for (j = 0; j < i; j++)
			if (c->sas[j].spi == sa->spi &&
			    c->sas[j].dir == sa->dir)
				perr(p,
				     "state: SPI 0x%08x already used by the %s SA of line %d",
				     sa->spi,
				     sa->dir == GW_DIR_IN ? "inbound" :
							    "outbound",
				     c->sas[j].line);
	}
	for (i = 0; i < c->num_policies; i++) {
		struct gw_policy *pol = &c->policies[i];
		struct tmpl *t = &tmpls[i];

		if (!t->present)
			continue;
		p->line = pol->line;
		for (j = 0; j < c->num_sas; j++) {
			struct gw_sa *sa = &c->sas[j];

			if (sa->dir == pol->dir &&
			    sa->src.s_addr == t->src.s_addr &&
			    sa->dst.s_addr == t->dst.s_addr &&
			    (!t->have_spi || sa->spi == t->spi)) {
				pol->sa = sa;
				break;
			}
		}
		if (!pol->sa) {
			char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &t->src, s, sizeof(s));
			inet_ntop(AF_INET, &t->dst, d, sizeof(d));
			if (t->have_spi)
				perr(p,
				     "policy: no %s state with src %s dst %s spi 0x%08x for its tmpl",
				     pol->dir == GW_DIR_IN ? "inbound" :
							     "outbound",
				     s, d, t->spi);
			else
				perr(p,
				     "policy: no %s state with src %s dst %s for its tmpl",
				     pol->dir == GW_DIR_IN ? "inbound" :
							     "outbound",
				     s, d);
		}
	}
	/* priority: lower first, as in the kernel; ties keep file order */
	for (i = 1; i < c->num_policies; i++)
		for (j = i; j > 0 && priorities[j - 1] > priorities[j]; j--) {
			struct gw_policy tp = c->policies[j];
			int tv = priorities[j];

			c->policies[j] = c->policies[j - 1];
			c->policies[j - 1] = tp;
			priorities[j] = priorities[j - 1];
			priorities[j - 1] = tv;
		}
	p->line = 0;
}

int gw_config_load(const char *path, struct gw_config *conf, FILE *err)
{
	struct parser p = { .path = path, .err = err, .conf = conf };
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	memset(conf, 0, sizeof(*conf));
	conf->batch = 32;
	conf->mtu = 1400;
	f = fopen(path, "r");
	if (!f) {
		fprintf(err, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) >= 0) {
		p.line++;
		parse_line(&p, line);
	}
	free(line);
	fclose(f);
	resolve(&p);
	p.line = 0;
	if (!conf->tunnel[0]) {
		fprintf(err,
			"%s: no 'tunnel NAME' line (the TUN device for the protected side)\n",
			path);
		p.errors++;
	}
	if (!conf->wan[0]) {
		fprintf(err,
			"%s: no 'wan NAME' line (the unprotected interface)\n",
			path);
		p.errors++;
	}
	if (!conf->num_sas && !p.errors) {
		fprintf(err, "%s: no 'state' line: nothing to protect\n", path);
		p.errors++;
	}
	return p.errors;
}
