// SPDX-License-Identifier: BSD-3-Clause
/*
 * Guest half of the migration test (tests/migration/run.sh). Streams ESP
 * traffic through the g-API while the host migrates the VM, and checks
 * that the application never notices:
 *   - outbound sequence numbers continue with no reuse and no gap (each
 *     call is synchronous, so nothing is ever "in flight" from the
 *     application's view: the next number is always the last one + 1);
 *   - a packet decapsulated before the migration is refused as a replay
 *     afterwards, and one encapsulated before but decapsulated after is
 *     accepted (the window travelled with its hole);
 *   - packet lifetimes keep counting (an SA with a hard packet limit
 *     expires on the exact packet), statistics continue;
 *   - no call ever fails.
 * Phases, each announced with "VIPSEC-HOST-REQUEST: migrate <phase>":
 * live (unix socket), mismatch (a destination with a smaller max-sas:
 * refused, the VM stays where it is), file (save to a file, damaged
 * copies refused, restore). The host answers "done <phase> <result>" on
 * the second serial port (/dev/ttyS1) once the guest runs where it should.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <g_ipsec_la.h>

#define say(...) do { printf("migrate-guest: " __VA_ARGS__); fflush(stdout); } while (0)
#define die(...) do { printf("migrate-guest: FAIL: " __VA_ARGS__); printf("\n"); \
		      fflush(stdout); exit(1); } while (0)

static const uint8_t gcm_keymat[20] = "0123456789abcdefSALT";
static const uint8_t cbc_key[16] = "fedcba9876543210";
static const uint8_t hmac_key[32] = "0123456789abcdef0123456789abcdef";

#define LIFE_LIMIT	40u	/* hard packet limit of SA "life" */
#define LIFE_AFTER	3u	/* of which sent after the first migration */

struct pair {
	const char *name;
	struct g_ipsec_la_sa_handle out, in;
	uint64_t last_seq;		/* last outbound number seen */
	uint64_t sent, decapped, replays;
	uint8_t early[1600];		/* decapsulated before migration */
	uint32_t early_len;
	uint8_t held[1600];		/* encapsulated, decapsulated later */
	uint32_t held_len;
};

static struct g_ipsec_la_handle h;
/*
 * 0, 1 stream through every migration (sequence continuity, no error);
 * 2, 3 are quiet while the host migrates, so their windows keep a known
 * hole and a known last packet whatever the streaming did meanwhile.
 */
static struct pair pairs[4] = {
	{ .name = "gcm-esn" }, { .name = "cbc-hmac" },
	{ .name = "gcm-esn-quiet" }, { .name = "cbc-hmac-quiet" },
};
static struct g_ipsec_la_sa_handle life;
static uint64_t life_sent;
static int ctl_fd = -1;

static void build_packet(uint8_t *p, uint16_t len, uint32_t fill)
{
	uint32_t s = 0;
	uint16_t i;

	memset(p, 0, 28);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[4] = (uint8_t)fill;
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, "\x0a\x01\x00\x01\x0a\x02\x00\x01", 8);
	for (i = 0; i < 20; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	p[10] = (uint8_t)(~s >> 8);
	p[11] = (uint8_t)~s;
	p[24] = (uint8_t)((len - 20) >> 8);
	p[25] = (uint8_t)(len - 20);
	for (i = 28; i < len; i++)
		p[i] = (uint8_t)(fill + i);
}

static void fill_sa(struct g_ipsec_la_sa *sa, int cbc, uint32_t spi)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = spi;
	sa->proto = G_IPSEC_LA_PROTO_ESP;
	if (cbc) {
		sa->crypto_params.cipher_algo = G_IPSEC_LA_ALG_AES_CBC;
		sa->crypto_params.cipher_key = cbc_key;
		sa->crypto_params.cipher_key_len_bits = 128;
		sa->crypto_params.auth_algo = G_IPSEC_LA_AUTH_ALG_SHA2_256_HMAC;
		sa->crypto_params.auth_key = hmac_key;
		sa->crypto_params.auth_key_len_bits = 256;
	} else {
		sa->crypto_params.comb_algo = G_IPSEC_LA_COMB_AES_GCM;
		sa->crypto_params.comb_key = gcm_keymat;
		sa->crypto_params.comb_key_len_bits = sizeof(gcm_keymat) * 8;
		sa->crypto_params.icv_len_bits = 128;
	}
	sa->te_addr.src_ip.version = 4;
	memcpy(sa->te_addr.src_ip.addr.ipv4, "\xc0\x00\x02\x01", 4);
	sa->te_addr.dest_ip.version = 4;
	memcpy(sa->te_addr.dest_ip.addr.ipv4, "\xc6\x33\x64\x01", 4);
	/* lifetimes that must travel without expiring during the test */
	sa->soft_seconds_limit = 100000;
	sa->hard_seconds_limit = 200000;
	sa->hard_kilobytes_limit = 1u << 30;
	sa->cmn_flags = G_IPSEC_LA_SA_LIFETIME_IN_KB;
}

static void add_sa(enum g_ipsec_la_sa_direction dir,
		   const struct g_ipsec_la_sa *sa, struct g_ipsec_la_sa_handle *sh)
{
	struct g_ipsec_la_sa_add_inargs in = { dir, 1, sa };
	struct g_ipsec_la_sa_add_outargs out;
	int ret;

	memset(&out, 0, sizeof(out));
	out.handles = sh;
	ret = g_ipsec_la_sa_add(&h, &in, G_IPSEC_LA_CTRL_FLAG_SYNC, &out, NULL);
	if (ret)
		die("sa_add(SPI 0x%x): %s", sa->spi, strerror(-ret));
}

/* ESP sequence number (low 32 bits) of an outer IPv4 packet */
static uint32_t esp_seq(const uint8_t *p)
{
	return (uint32_t)p[24] << 24 | p[25] << 16 | p[26] << 8 | p[27];
}

/* Encapsulates one packet; checks the sequence number continues */
static uint32_t encap(struct pair *pr, uint8_t *esp, uint32_t cap)
{
	uint8_t pkt[1500];
	uint16_t len = (uint16_t)(64 + pr->sent % 1000);
	struct g_ipsec_la_data in = { pkt, len }, out = { esp, cap };
	int ret;

	build_packet(pkt, len, (uint32_t)pr->sent);
	ret = g_ipsec_la_packet_encap(&h, 0, &pr->out, 1, &in, &out, NULL);
	if (ret)
		die("%s: encap of packet %llu failed: %s", pr->name,
		    (unsigned long long)pr->sent + 1, strerror(-ret));
	if (esp_seq(esp) != (uint32_t)(pr->last_seq + 1))
		die("%s: sequence number %u after %llu: %s", pr->name,
		    esp_seq(esp), (unsigned long long)pr->last_seq,
		    esp_seq(esp) <= (uint32_t)pr->last_seq ? "REUSED" : "gap");
	pr->last_seq++;
	pr->sent++;
	return out.length;
}

static int decap(struct pair *pr, const uint8_t *esp, uint32_t len)
{
	uint8_t back[1600];
	struct g_ipsec_la_data in = { (uint8_t *)esp, len };
	struct g_ipsec_la_data out = { back, sizeof(back) };
	int ret = g_ipsec_la_packet_decap(&h, 0, &pr->in, 1, &in, &out, NULL);

	if (!ret)
		pr->decapped++;
	return ret;
}

static void stream(struct pair *pr)
{
	uint8_t esp[1600];
	uint32_t n = encap(pr, esp, sizeof(esp));
	int ret = decap(pr, esp, n);

	if (ret)
		die("%s: decap of packet %llu failed: %s", pr->name,
		    (unsigned long long)pr->sent, strerror(-ret));
}

static void life_packet(int expect)
{
	uint8_t pkt[200], esp[400];
	struct g_ipsec_la_data in = { pkt, 200 }, out = { esp, sizeof(esp) };
	int ret;

	build_packet(pkt, 200, 7);
	ret = g_ipsec_la_packet_encap(&h, 0, &life, 1, &in, &out, NULL);
	if (ret != expect)
		die("life: packet %llu: got %d (%s), want %d",
		    (unsigned long long)life_sent + 1, ret, strerror(-ret),
		    expect);
	life_sent++;
}

int main(void)
{
	static const char *const phases[] = { "live", "mismatch", "file" };
	static const char *const expect[] = { "ok", "refused", "ok" };
	struct g_ipsec_la_open_inargs oin;
	struct g_ipsec_la_open_outargs oout;
	struct g_ipsec_la_sa sa;
	struct termios t;
	unsigned int ph, i, k;
	int ret;

	ctl_fd = open("/dev/ttyS1", O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (ctl_fd < 0)
		die("no /dev/ttyS1 (the host's control port): %s",
		    strerror(errno));
	if (tcgetattr(ctl_fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(ctl_fd, TCSANOW, &t);
	}
	tcflush(ctl_fd, TCIFLUSH);

	memset(&oin, 0, sizeof(oin));
	oin.app_identity = "migrate-guest";
	ret = g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &oin, &oout);
	if (ret)
		die("open: %s", strerror(-ret));
	h = oout.handle;

	for (k = 0; k < 4; k++) {
		fill_sa(&sa, k & 1, 0x1001 + k);
		if (!(k & 1))
			sa.cmn_flags |= G_IPSEC_LA_SA_USE_ESN;
		add_sa(G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &pairs[k].out);
		sa.cmn_flags |= G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK;
		sa.u.inb.anti_replay_window_size = (k & 1) ? 64 : 128;
		add_sa(G_IPSEC_LA_IPSEC_INBOUND, &sa, &pairs[k].in);
	}
	fill_sa(&sa, 0, 0x3003);
	sa.hard_packets_limit = LIFE_LIMIT;
	add_sa(G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &life);
	say("SAs added: AES-GCM+ESN (window 128), AES-CBC+HMAC-SHA256 (window 64), "
	    "a packet-limited SA; lifetimes on all\n");

	for (i = 0; i < LIFE_LIMIT - LIFE_AFTER; i++)
		life_packet(0);
	for (k = 0; k < 4; k++)
		for (i = 0; i < 20; i++)
			stream(&pairs[k]);

	for (ph = 0; ph < 3; ph++) {
		const char *res = NULL;
		char line[256];
		time_t t0 = time(NULL);
		uint64_t during = 0;

		for (k = 2; k < 4; k++) {
			struct pair *pr = &pairs[k];

			/* held: a hole left of the top; early: the top */
			pr->held_len = encap(pr, pr->held, sizeof(pr->held));
			pr->early_len = encap(pr, pr->early, sizeof(pr->early));
			if (decap(pr, pr->early, pr->early_len))
				die("%s: decap before the migration", pr->name);
		}
		say("phase %s: before: gcm seq %llu, cbc seq %llu\n", phases[ph],
		    (unsigned long long)pairs[0].last_seq,
		    (unsigned long long)pairs[1].last_seq);
		printf("VIPSEC-HOST-REQUEST: migrate %s\n", phases[ph]);
		fflush(stdout);
		while (!res) {
			static char acc[256];
			static size_t have;
			ssize_t n;
			char *nl;

			for (k = 0; k < 2; k++)
				stream(&pairs[k]);
			during++;
			n = read(ctl_fd, acc + have, sizeof(acc) - 1 - have);
			if (n > 0)
				have += (size_t)n;
			acc[have] = '\0';
			nl = strchr(acc, '\n');
			if (nl) {
				*nl = '\0';
				snprintf(line, sizeof(line), "%s", acc);
				have = 0;
				if (strncmp(line, "done ", 5) ||
				    strncmp(line + 5, phases[ph], strlen(phases[ph])))
					die("unexpected host answer '%s'", line);
				res = strrchr(line, ' ') + 1;
				if (strcmp(res, expect[ph]))
					die("phase %s: host says '%s', want '%s'",
					    phases[ph], res, expect[ph]);
			}
			if (time(NULL) - t0 > 500)
				die("phase %s: no answer from the host in 500 s",
				    phases[ph]);
			if (during % 200 == 0)
				usleep(1000);
		}
		for (k = 0; k < 2; k++)
			for (i = 0; i < 20; i++)
				stream(&pairs[k]);
		for (k = 2; k < 4; k++) {
			struct pair *pr = &pairs[k];

			ret = decap(pr, pr->held, pr->held_len);
			if (ret)
				die("%s: packet %u held across the migration "
				    "refused: %s", pr->name, esp_seq(pr->held),
				    strerror(-ret));
			ret = decap(pr, pr->early, pr->early_len);
			if (ret != -EALREADY)
				die("%s: replay of pre-migration packet %u: got "
				    "%d (%s), want -EALREADY", pr->name,
				    esp_seq(pr->early), ret, strerror(-ret));
			pr->replays++;
			for (i = 0; i < 5; i++)
				stream(pr);
		}
		say("phase %s: host answered '%s'; %llu rounds streamed "
		    "meanwhile, no error, sequence continuous (gcm %llu, cbc "
		    "%llu), held packets accepted, replays refused\n",
		    phases[ph], res, (unsigned long long)during,
		    (unsigned long long)pairs[0].last_seq,
		    (unsigned long long)pairs[1].last_seq);
		if (ph == 0) {
			for (i = 0; i < LIFE_AFTER; i++)
				life_packet(0);
			life_packet(-EKEYEXPIRED);
			say("packet lifetime: packet %u refused as expired, "
			    "%u of them sent before the migration\n",
			    LIFE_LIMIT + 1, LIFE_LIMIT - LIFE_AFTER);
		}
	}

	/* Statistics continued across all three phases */
	for (k = 0; k < 4; k++) {
		struct pair *pr = &pairs[k];
		struct g_ipsec_la_sa_get_inargs gin = {
			.operation = G_IPSEC_LA_SA_GET_EXACT, .num_sas = 1,
			.flags = G_IPSEC_LA_SA_GET_STATS,
		};
		struct g_ipsec_la_sa_get_outargs gout;
		struct g_ipsec_la_sa_stats st;
		struct g_ipsec_la_sa_handle hh;

		for (i = 0; i < 2; i++) {
			memset(&gout, 0, sizeof(gout));
			gout.stats = &st;
			gout.handles = &hh;
			gin.dir = i ? G_IPSEC_LA_IPSEC_INBOUND :
				      G_IPSEC_LA_IPSEC_OUTBOUND;
			gin.handle = i ? &pr->in : &pr->out;
			ret = g_ipsec_la_sa_get(&h, &gin, 0, &gout, NULL);
			if (ret || gout.num_sas != 1)
				die("%s: sa_get: %d", pr->name, ret);
			if (st.packets_processed != (i ? pr->decapped : pr->sent))
				die("%s %s: device counted %llu packets, the "
				    "application %llu", pr->name, i ? "in" : "out",
				    (unsigned long long)st.packets_processed,
				    (unsigned long long)(i ? pr->decapped : pr->sent));
			if (i && st.protocol_violation_errors.anti_replay_replay_pkt !=
				 pr->replays)
				die("%s: %u replays counted, %llu done", pr->name,
				    st.protocol_violation_errors.anti_replay_replay_pkt,
				    (unsigned long long)pr->replays);
		}
		say("%s: statistics continuous: %llu out, %llu in, %llu replays\n",
		    pr->name, (unsigned long long)pr->sent,
		    (unsigned long long)pr->decapped,
		    (unsigned long long)pr->replays);
	}
	g_ipsec_la_close(&h);
	say("PASS\n");
	return 0;
}
