// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec-vhost-hostile: the vhost-user back end under a hostile front end
 * (item 6 of issue 10: "the backend never trusts the guest"). Each case
 * starts a fresh back end (under ASan when built so), plays a guest that
 * breaks one rule, and checks what docs/virtio-ipsec-device.md section 5
 * asks for:
 *  - a malformed but well-shaped request gets an error status in its
 *    footer, writes no packet result, and the queue and the other queues
 *    keep serving;
 *  - a chain that breaks the virtqueue rules (addresses outside guest
 *    memory, lengths beyond the region, loops, no readable part, a
 *    writable part too small for the footer) makes the device need reset:
 *    this back end drops the connection (or signals the ring's err
 *    eventfd) and says so on stderr, writes nothing outside the chain,
 *    and accepts a new connection that serves again;
 *  - vhost-user messages with out-of-range queue indexes or sizes are
 *    refused without harm;
 *  - a back end killed while the front end holds an SA gives the front
 *    end a clean error (no hang), and after a restart and reconnect the
 *    old SA is gone (INVSA) until re-added.
 * Every case ends by checking the back end is alive, exits cleanly on
 * SIGTERM and logged no sanitizer report.
 *
 * Usage: vipsec-vhost-hostile BACKEND [CASE...]   (exit 0 all passed,
 * 1 a failure, 77 BACKEND missing). Prints one line per case and
 * "N passed, N failed".
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vip_req.h"

#define NQ	 2 /* data queues the back end serves */
#define RING	 256
#define MEM	 (4u << 20)
#define SA_OUT	 1
#define SA_IN	 2
#define SPI	 0x2000
#define RAW_DESC 200 /* descriptor indexes the cases write by hand */
#define WAIT_MS	 3000

struct t {
	const char *bin;
	char dir[64], sock[128], log[160];
	pid_t pid;
	struct vip_dev d;
	bool open;
	char why[512];
};

static int failf(struct t *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int failf(struct t *t, const char *fmt, ...)
{
	va_list ap;

	if (t->why[0])
		return -1;
	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
	return -1;
}

#define EXPECT(t, c, ...)                             \
	do {                                          \
		if (!(c))                             \
			return failf(t, __VA_ARGS__); \
	} while (0)

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- the back end process ------------------------------------------- */

static int be_start(struct t *t)
{
	char q[8];
	int fd;

	snprintf(q, sizeof(q), "%d", NQ);
	unlink(t->sock);
	t->pid = fork();
	if (t->pid < 0)
		return failf(t, "fork: %s", strerror(errno));
	if (!t->pid) {
		fd = open(t->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(t->bin, t->bin, "--socket", t->sock, "--queues", q, "-v",
		      (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", t->bin, strerror(errno));
		_exit(127);
	}
	return 0;
}

static bool be_alive(struct t *t)
{
	int st;

	if (t->pid <= 0)
		return false;
	if (waitpid(t->pid, &st, WNOHANG) == 0)
		return true;
	failf(t, "back end exited (%s %d; see %s)",
	      WIFEXITED(st) ? "status" : "signal",
	      WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), t->log);
	t->pid = -1;
	return false;
}

/* The first line of the log holding needle (case-insensitive), or NULL. */
static const char *log_line(struct t *t, const char *needle)
{
	static char buf[65536], line[200];
	const char *p, *e;
	ssize_t n;
	int fd = open(t->log, O_RDONLY);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	p = strcasestr(buf, needle);
	if (!p)
		return NULL;
	while (p > buf && p[-1] != '\n')
		p--;
	e = strchr(p, '\n');
	snprintf(line, sizeof(line), "%.*s", (int)(e ? e - p : (long)strlen(p)),
		 p);
	return line;
}

static bool log_has(struct t *t, const char *needle)
{
	return log_line(t, needle) != NULL;
}

/* SIGTERM, then the exit status and the log must be clean. */
static int be_stop(struct t *t)
{
	int st = 0, i;

	if (t->pid <= 0)
		return 0;
	if (!be_alive(t))
		return -1;
	kill(t->pid, SIGTERM);
	for (i = 0; i < 100 && waitpid(t->pid, &st, WNOHANG) == 0; i++)
		msleep(50);
	if (i == 100) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, &st, 0);
		t->pid = -1;
		return failf(t, "back end ignored SIGTERM for 5 s");
	}
	t->pid = -1;
	{
		const char *l = log_line(t, "Sanitizer");

		if (!l)
			l = log_line(t, "runtime error");
		EXPECT(t, !l, "sanitizer report: %s", l);
	}
	EXPECT(t, WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "back end exit status %#x on SIGTERM", st);
	return 0;
}

/* ---- front end helpers ---------------------------------------------- */

static void dev_close(struct t *t)
{
	if (t->open)
		vu_front_close(&t->d.f);
	t->open = false;
}

/* Connects, sets up NQ data queues and the control queue, adds the SAs. */
static int dev_open(struct t *t, bool add_sas)
{
	struct virtio_ipsec_sa_params p;
	uint8_t st;
	int ret;

	dev_close(t);
	ret = vip_dev_open(&t->d, t->sock, 1ull << VIRTIO_IPSEC_F_MQ, MEM, NQ,
			   RING);
	t->open = true;
	if (ret)
		msleep(200); /* a back end that is going down: say so */
	if (ret && !be_alive(t))
		return -1;
	EXPECT(t, !ret, "front end set-up: %s", t->d.f.err);
	if (!add_sas)
		return 0;
	vip_sa_gcm128(&p, VIRTIO_IPSEC_DIR_OUTBOUND, SPI);
	ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_SA_ADD, SA_OUT, &p, sizeof(p),
		       &st, WAIT_MS);
	EXPECT(t, !ret && !st, "SA_ADD outbound: %s status %u",
	       ret ? t->d.f.err : "", st);
	vip_sa_gcm128(&p, VIRTIO_IPSEC_DIR_INBOUND, SPI);
	ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_SA_ADD, SA_IN, &p, sizeof(p), &st,
		       WAIT_MS);
	EXPECT(t, !ret && !st, "SA_ADD inbound: %s status %u",
	       ret ? t->d.f.err : "", st);
	return 0;
}

/* Waits for the used entry of tok on queue q: 0, or -errno. */
static int wait_done(struct t *t, unsigned int q, void *tok)
{
	struct vu_ring *r = &t->d.f.ring[q];
	int waited = 0, ret;
	uint32_t len;
	void *got;

	for (;;) {
		ret = vu_ring_get_used(r, &got, &len);
		if (ret == 1 && got == tok)
			return 0;
		if (ret < 0)
			return ret;
		if (ret == 1)
			continue;
		if (waited >= WAIT_MS)
			return -ETIMEDOUT;
		ret = vu_ring_wait(r, t->d.f.sock, 100);
		if (ret < 0)
			return ret;
		waited += 100;
	}
}

/* A request of npkts packets on queue q for sa (encap) allocated anew. */
static int batch(struct t *t, struct vip_batch *b, uint16_t op, uint32_t sa,
		 uint32_t npkts, uint32_t in_len)
{
	uint32_t i;

	EXPECT(t, !vip_batch_init(&t->d.f, b, op, sa, npkts, in_len, 256),
	       "shared memory full");
	for (i = 0; i < npkts; i++)
		vip_inner_packet(vip_batch_in(b, i), in_len, i);
	memset(b->wr, 0xee, b->wr_len);
	return 0;
}

static int submit(struct t *t, unsigned int q, struct vip_batch *b)
{
	struct vu_ring *r = &t->d.f.ring[q];

	EXPECT(t, vip_batch_add(&t->d.f, r, b) >= 0, "ring %u full", q);
	vu_ring_publish(r);
	vu_ring_kick(r);
	return 0;
}

/* Two packets encapsulated correctly on queue q: the device serves. */
static int serves(struct t *t, unsigned int q)
{
	struct vip_batch b;
	uint32_t i;
	int ret;

	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 2, 100) ||
	    submit(t, q, &b))
		return -1;
	ret = wait_done(t, q, &b);
	EXPECT(t, !ret, "queue %u does not serve a good request: %s", q,
	       strerror(-ret));
	EXPECT(t, vip_batch_footer(&b)->status == VIRTIO_IPSEC_OK,
	       "queue %u: good request got footer status %u", q,
	       vip_batch_footer(&b)->status);
	for (i = 0; i < 2; i++) {
		const char *why = vip_check_esp(vip_batch_res(&b, i),
						vip_batch_out(&b, i), 100, SPI);

		EXPECT(t, !why, "queue %u: good request: %s", q, why);
	}
	return 0;
}

/* The request b (queue q) must be refused whole with status want. */
static int refused(struct t *t, unsigned int q, struct vip_batch *b,
		   uint8_t want, const char *what)
{
	int ret = submit(t, q, b) ? -1 : wait_done(t, q, b);
	uint8_t st = vip_batch_footer(b)->status;

	EXPECT(t, !ret, "%s: no answer (%s)", what, strerror(-ret));
	EXPECT(t, st == want, "%s: footer status %u, expected %u", what, st,
	       want);
	EXPECT(t, vip_batch_footer(b)->out_len == 0,
	       "%s: footer out_len %u though the request was refused", what,
	       le32toh(vip_batch_footer(b)->out_len));
	return serves(t, q) || serves(t, (q + 1) % NQ);
}

/*
 * After a protocol violation: the connection drops (or the ring's err
 * eventfd fires) within WAIT_MS, the back end says the device needs reset,
 * stays alive, and serves a new connection.
 */
static int wait_reset(struct t *t, unsigned int q, const char *what)
{
	int waited = 0, ret = 0;

	while (waited < WAIT_MS) {
		ret = vu_ring_wait(&t->d.f.ring[q], t->d.f.sock, 100);
		if (ret == -ECONNRESET || ret == -EIO)
			break;
		waited += 100;
	}
	EXPECT(t, ret == -ECONNRESET || ret == -EIO,
	       "%s: the device neither dropped the connection nor signalled "
	       "the ring error in %d ms",
	       what, WAIT_MS);
	msleep(100);
	EXPECT(t, be_alive(t), "%s: back end died", what);
	EXPECT(t, log_has(t, "needs reset") || log_has(t, "NEEDS_RESET"),
	       "%s: the back end did not say the device needs reset", what);
	return 0;
}

static int needs_reset(struct t *t, unsigned int q, const char *what)
{
	if (wait_reset(t, q, what))
		return -1;
	if (dev_open(t, true))
		return failf(t, "%s: reconnect after the reset: %s", what,
			     t->d.f.err);
	return serves(t, 0) || serves(t, 1);
}

/* Writes descriptor i by hand. */
static void rawd(struct t *t, unsigned int q, uint16_t i, uint64_t gpa,
		 uint32_t len, uint16_t flags, uint16_t next)
{
	t->d.f.ring[q].desc[i] = (struct vu_desc){ gpa, len, flags, next };
}

static void push(struct t *t, unsigned int q, uint16_t head)
{
	vu_ring_push_raw(&t->d.f.ring[q], head);
	vu_ring_kick(&t->d.f.ring[q]);
}

/* A readable part holding a good 1-packet encap request, and its GPA. */
static uint64_t good_rd(struct t *t, uint32_t *len)
{
	struct vip_batch b;

	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100))
		return 0;
	*len = b.rd_len;
	return vu_mem_gpa(&t->d.f.mem, b.rd);
}

static uint64_t wr_buf(struct t *t, uint32_t len)
{
	uint8_t *p = vu_mem_alloc(&t->d.f.mem, len + 64, 64);

	memset(p, 0x5a, len + 64);
	return vu_mem_gpa(&t->d.f.mem, p);
}

/* ---- cases ------------------------------------------------------------ */

static int c_baseline(struct t *t)
{
	return dev_open(t, true) || serves(t, 0) || serves(t, 1);
}

/* Well-shaped requests with bad counts and lengths: INVAL, no harm. */
static int c_bad_counts(struct t *t)
{
	uint32_t maxb, maxl;
	struct vip_batch b;
	struct virtio_ipsec_data_hdr *h;
	struct virtio_ipsec_pkt_req *pr;

	if (dev_open(t, true))
		return -1;
	maxb = le32toh(t->d.f.cfg.max_batch);
	maxl = le32toh(t->d.f.cfg.max_packet_len);
#define HDR(b) ((struct virtio_ipsec_data_hdr *)(b).rd)
#define REQ(b) ((struct virtio_ipsec_pkt_req *)((b).rd + sizeof(*h)))
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100))
		return -1;
	HDR(b)->num_pkts = 0;
	if (refused(t, 0, &b, VIRTIO_IPSEC_INVAL, "num_pkts 0"))
		return -1;
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, maxb + 1, 64) ||
	    refused(t, 1, &b, VIRTIO_IPSEC_INVAL, "num_pkts max_batch+1"))
		return -1;
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, maxl + 1) ||
	    refused(t, 0, &b, VIRTIO_IPSEC_INVAL, "in_len max_packet_len+1"))
		return -1;
	/*
	 * Not checked: a readable part longer than the inputs. The device
	 * spec (5.3) says INVAL; the engine's decoder accepts trailing bytes
	 * (vpe_core_handle_data checks only that the inputs fit).
	 */
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 2, 100))
		return -1;
	b.wr_len -= 1; /* footer no longer where the out_caps put it */
	memset(b.wr, 0xee, b.wr_len);
	{
		/* the footer the device writes is the last 8 bytes */
		int ret = submit(t, 0, &b) ? -1 : wait_done(t, 0, &b);

		EXPECT(t, !ret, "writable part 1 byte short: no answer");
		EXPECT(t, b.wr[b.wr_len - 8] == VIRTIO_IPSEC_INVAL,
		       "writable part 1 byte short: footer status %u",
		       b.wr[b.wr_len - 8]);
		EXPECT(t,
		       !b.wr[b.wr_len - 4] && !b.wr[b.wr_len - 3] &&
			       !b.wr[b.wr_len - 2] && !b.wr[b.wr_len - 1],
		       "writable part 1 byte short: footer out_len not 0");
	}
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100))
		return -1;
	HDR(b)->flags = htole16(1);
	if (refused(t, 1, &b, VIRTIO_IPSEC_INVAL, "header flags 1"))
		return -1;
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100))
		return -1;
	HDR(b)->reserved[1] = htole32(1);
	if (refused(t, 0, &b, VIRTIO_IPSEC_INVAL, "header reserved not 0"))
		return -1;
	/* in_len 2^31 twice: the sum wraps to 0 in 32 bits */
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 2, 100))
		return -1;
	pr = REQ(b);
	pr[0].in_len = pr[1].in_len = htole32(0x80000000u);
	b.rd_len = sizeof(*h) + 2 * sizeof(*pr);
	if (refused(t, 1, &b, VIRTIO_IPSEC_INVAL, "in_len sum wrapping"))
		return -1;
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100))
		return -1;
	REQ(b)[0].out_cap = htole32(0xffffffffu);
	if (refused(t, 0, &b, VIRTIO_IPSEC_INVAL, "out_cap 2^32-1"))
		return -1;
	if (batch(t, &b, 0x7f, SA_OUT, 1, 100))
		return -1;
	h = HDR(b);
	(void)h;
	/* an unknown opcode and a control opcode: errors, any but OK */
	{
		int ret = submit(t, 1, &b) ? -1 : wait_done(t, 1, &b);
		uint8_t st = vip_batch_footer(&b)->status;

		EXPECT(t, !ret && st != VIRTIO_IPSEC_OK && st != 0xee,
		       "unknown data opcode: status %u", st);
	}
	if (batch(t, &b, VIRTIO_IPSEC_OP_SA_ADD, SA_OUT, 1, 100))
		return -1;
	{
		int ret = submit(t, 0, &b) ? -1 : wait_done(t, 0, &b);
		uint8_t st = vip_batch_footer(&b)->status;

		EXPECT(t, !ret && st != VIRTIO_IPSEC_OK && st != 0xee,
		       "SA_ADD on a data queue: status %u", st);
	}
#undef HDR
#undef REQ
	return serves(t, 0) || serves(t, 1);
}

/* Control requests with bad lengths or ids: errors, the SAs intact. */
static int c_bad_ctrl(struct t *t)
{
	struct virtio_ipsec_sa_params p;
	uint32_t max_sas;
	uint8_t st = 0;
	int ret;

	if (dev_open(t, true))
		return -1;
	max_sas = le32toh(t->d.f.cfg.max_sas);
	vip_sa_gcm128(&p, VIRTIO_IPSEC_DIR_OUTBOUND, SPI + 1);
	ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_SA_ADD, 5, &p, sizeof(p) - 1, &st,
		       WAIT_MS);
	EXPECT(t, !ret && st == VIRTIO_IPSEC_INVAL,
	       "SA_ADD body 1 byte short: status %u", st);
	ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_SA_ADD, 0, &p, sizeof(p), &st,
		       WAIT_MS);
	EXPECT(t, !ret && st != VIRTIO_IPSEC_OK, "SA_ADD id 0: accepted");
	ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_SA_ADD, max_sas + 1, &p,
		       sizeof(p), &st, WAIT_MS);
	EXPECT(t, !ret && st != VIRTIO_IPSEC_OK,
	       "SA_ADD id max_sas+1: "
	       "accepted");
	ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_ENCAP, 1, NULL, 0, &st, WAIT_MS);
	EXPECT(t, !ret && st != VIRTIO_IPSEC_OK,
	       "ENCAP on the control queue: accepted");
	ret = vip_ctrl(&t->d, 0x7777, 1, NULL, 0, &st, WAIT_MS);
	EXPECT(t, !ret && st != VIRTIO_IPSEC_OK,
	       "unknown control opcode: "
	       "accepted");
	return serves(t, 0) || serves(t, 1);
}

static int c_addr_out_of_range(struct t *t)
{
	uint32_t len;
	uint64_t rd;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	/* readable part 1 MiB past the end of guest memory */
	rawd(t, 0, RAW_DESC, VU_MEM_GPA_BASE + MEM + (1 << 20), len,
	     VU_DESC_F_NEXT, RAW_DESC + 1);
	rawd(t, 0, RAW_DESC + 1, wr_buf(t, 256), 256, VU_DESC_F_WRITE, 0);
	push(t, 0, RAW_DESC);
	return needs_reset(t, 0, "readable descriptor outside guest memory");
}

static int c_addr_below_region(struct t *t)
{
	uint32_t len;
	uint64_t rd;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	rawd(t, 1, RAW_DESC, rd, len, VU_DESC_F_NEXT, RAW_DESC + 1);
	rawd(t, 1, RAW_DESC + 1, 0x1000, 256, VU_DESC_F_WRITE, 0);
	push(t, 1, RAW_DESC);
	return needs_reset(t, 1, "writable descriptor at GPA 0x1000");
}

static int c_len_beyond_region(struct t *t)
{
	uint64_t end;
	uint32_t len;
	uint64_t rd;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	/* starts inside, runs 4 KiB past the end of the region */
	end = VU_MEM_GPA_BASE + t->d.f.mem.size;
	rawd(t, 0, RAW_DESC, rd, len, VU_DESC_F_NEXT, RAW_DESC + 1);
	rawd(t, 0, RAW_DESC + 1, end - 4096, 8192, VU_DESC_F_WRITE, 0);
	push(t, 0, RAW_DESC);
	return needs_reset(t, 0,
			   "writable descriptor crossing the end of "
			   "guest memory");
}

static int c_desc_loop(struct t *t)
{
	uint32_t len;
	uint64_t rd;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	rawd(t, 0, RAW_DESC, rd, 16, VU_DESC_F_NEXT, RAW_DESC + 1);
	rawd(t, 0, RAW_DESC + 1, rd + 16, 16, VU_DESC_F_NEXT, RAW_DESC);
	push(t, 0, RAW_DESC);
	return needs_reset(t, 0, "descriptor chain looping");
}

static int c_next_out_of_range(struct t *t)
{
	uint32_t len;
	uint64_t rd;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	rawd(t, 0, RAW_DESC, rd, len, VU_DESC_F_NEXT, 40000);
	push(t, 0, RAW_DESC);
	return needs_reset(t, 0, "descriptor next index beyond the table");
}

static int c_head_out_of_range(struct t *t)
{
	if (dev_open(t, true))
		return -1;
	push(t, 1, RING + 5);
	return needs_reset(t, 1, "available head index beyond the ring");
}

static int c_avail_runaway(struct t *t)
{
	struct vu_ring *r;

	if (dev_open(t, true))
		return -1;
	r = &t->d.f.ring[0];
	r->avail_idx = (uint16_t)(r->avail_idx + RING + 1);
	vu_ring_publish(r);
	vu_ring_kick(r);
	return needs_reset(t, 0, "available index more than a ring ahead");
}

static int c_footer_room(struct t *t)
{
	uint8_t *w, copy[4 + 64];
	uint32_t len;
	uint64_t rd, wg;
	int ret;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	wg = wr_buf(t, 4);
	w = vu_mem_ptr(&t->d.f.mem, wg, 4 + 64);
	memcpy(copy, w, sizeof(copy));
	rawd(t, 0, RAW_DESC, rd, len, VU_DESC_F_NEXT, RAW_DESC + 1);
	rawd(t, 0, RAW_DESC + 1, wg, 4, VU_DESC_F_WRITE, 0);
	push(t, 0, RAW_DESC);
	/* Checked before the reconnect replaces the shared memory. */
	ret = wait_reset(t, 0, "writable part of 4 bytes (footer is 8)");
	/* Inside the 4 bytes the device may write; past them it must not. */
	for (unsigned int i = 4; i < sizeof(copy); i++)
		EXPECT(t, copy[i] == w[i],
		       "writable part of 4 bytes: the device wrote byte %u "
		       "(%#x, was %#x), outside the chain",
		       i, w[i], copy[i]);
	if (ret || dev_open(t, true))
		return -1;
	return serves(t, 0) || serves(t, 1);
}

static int c_no_readable(struct t *t)
{
	if (dev_open(t, true))
		return -1;
	rawd(t, 1, RAW_DESC, wr_buf(t, 256), 256, VU_DESC_F_WRITE, 0);
	push(t, 1, RAW_DESC);
	return needs_reset(t, 1, "chain without a readable part");
}

static int c_readable_after_writable(struct t *t)
{
	uint32_t len;
	uint64_t rd;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	rawd(t, 0, RAW_DESC, wr_buf(t, 256), 256,
	     VU_DESC_F_WRITE | VU_DESC_F_NEXT, RAW_DESC + 1);
	rawd(t, 0, RAW_DESC + 1, rd, len, 0, 0);
	push(t, 0, RAW_DESC);
	return needs_reset(t, 0, "readable descriptor after a writable one");
}

/*
 * Indirect descriptors, which the front end never negotiated: a table of
 * a size that is not a multiple of 16, one outside guest memory, and one
 * nesting another indirect descriptor.
 */
static int c_indirect(struct t *t)
{
	struct vu_desc *tab;
	uint32_t len;
	uint64_t rd;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	rawd(t, 0, RAW_DESC, rd, 7, VU_DESC_F_INDIRECT, 0);
	push(t, 0, RAW_DESC);
	if (needs_reset(t, 0, "indirect table of 7 bytes"))
		return -1;
	rawd(t, 1, RAW_DESC, VU_MEM_GPA_BASE + 2ull * MEM, 64,
	     VU_DESC_F_INDIRECT, 0);
	push(t, 1, RAW_DESC);
	if (needs_reset(t, 1, "indirect table outside guest memory"))
		return -1;
	tab = vu_mem_alloc(&t->d.f.mem, 2 * sizeof(*tab), 16);
	if (!tab)
		return failf(t, "shared memory full");
	tab[0] = (struct vu_desc){ rd, len, VU_DESC_F_NEXT, 1 };
	tab[1] = (struct vu_desc){ vu_mem_gpa(&t->d.f.mem, tab), 32,
				   VU_DESC_F_INDIRECT, 0 };
	rawd(t, 0, RAW_DESC, vu_mem_gpa(&t->d.f.mem, tab), 32,
	     VU_DESC_F_INDIRECT, 0);
	push(t, 0, RAW_DESC);
	return needs_reset(t, 0, "indirect table nesting an indirect one");
}

/* vhost-user messages naming a queue the device does not have. */
static int c_vring_index(struct t *t)
{
	static const uint32_t reqs[] = { VU_SET_VRING_NUM, VU_SET_VRING_BASE,
					 VU_SET_VRING_ENABLE };
	struct vu_msg m;
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		if (dev_open(t, true))
			return -1;
		memset(&m, 0, sizeof(m));
		m.hdr = (struct vu_hdr){ reqs[i], VU_VERSION, 8 };
		m.p.state.index = 200;
		m.p.state.num = 64;
		ret = vu_front_request(&t->d.f, &m);
		msleep(100);
		EXPECT(t, be_alive(t), "%s with queue index 200: back end died",
		       vu_req_name(reqs[i]));
		/* Refused (REPLY_ACK) or connection dropped; never taken. */
		EXPECT(t,
		       ret == -EREMOTEIO || ret == -ECONNRESET ||
			       ret == -EPIPE ||
			       vu_ring_wait(&t->d.f.ring[0], t->d.f.sock,
					    500) == -ECONNRESET,
		       "%s with queue index 200 was accepted",
		       vu_req_name(reqs[i]));
	}
	if (dev_open(t, true))
		return -1;
	return serves(t, 0);
}

/*
 * GET_CONFIG and SET_CONFIG whose config size or offset lie: bigger than
 * the message's payload (256 bytes at most, vhost-user.rst) or than the
 * device's config space. The back end must bound them itself:
 * libvhost-user passes them through to its callbacks.
 */
static int c_config(struct t *t)
{
	static const struct {
		uint32_t req, offset, size;
	} bad[] = {
		{ VU_GET_CONFIG, 0, 4096 }, { VU_GET_CONFIG, 0xfffffff0u, 32 },
		{ VU_SET_CONFIG, 0, 4096 }, { VU_SET_CONFIG, 0xfffffffcu, 8 },
		{ VU_SET_CONFIG, 4000, 4 },
	};
	struct vu_msg m;
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (dev_open(t, true))
			return -1;
		memset(&m, 0, sizeof(m));
		/* The message carries 8 config bytes whatever size says. */
		m.hdr = (struct vu_hdr){ bad[i].req, VU_VERSION, 12 + 8 };
		m.p.config.offset = bad[i].offset;
		m.p.config.size = bad[i].size;
		ret = vu_msg_send(t->d.f.sock, &m);
		EXPECT(t, !ret, "sending the config message: %s",
		       strerror(-ret));
		if (bad[i].req == VU_GET_CONFIG) {
			ret = vu_msg_recv(t->d.f.sock, &m);
			/* A reply must not claim the bytes it cannot have. */
			EXPECT(t, ret || m.hdr.size <= 12 + VU_CONFIG_MAX,
			       "GET_CONFIG size %u offset %#x: reply of %u bytes",
			       bad[i].size, bad[i].offset, m.hdr.size);
		}
		msleep(100);
		EXPECT(t, be_alive(t), "%s offset %#x size %u: back end died",
		       vu_req_name(bad[i].req), bad[i].offset, bad[i].size);
	}
	if (dev_open(t, true))
		return -1;
	return serves(t, 0) || serves(t, 1);
}

/* A ring size of 0 or not a power of two, then a kick. */
static int c_vring_num(struct t *t)
{
	static const uint32_t nums[] = { 0, 3, 65536 };
	struct vu_msg m;
	unsigned int i;
	uint64_t one = 1;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (dev_open(t, true))
			return -1;
		memset(&m, 0, sizeof(m));
		m.hdr = (struct vu_hdr){ VU_SET_VRING_NUM, VU_VERSION, 8 };
		m.p.state.index = 1;
		m.p.state.num = nums[i];
		vu_front_request(&t->d.f, &m);
		push(t, 1, 0);
		if (write(t->d.f.ring[1].kick_fd, &one, 8) < 0) {
			/* counter saturated: a kick is pending anyway */
		}
		msleep(200);
		EXPECT(t, be_alive(t),
		       "ring size %u then a kick: back end died", nums[i]);
	}
	if (dev_open(t, true))
		return -1;
	return serves(t, 0) || serves(t, 1);
}

/* Kicks on a ring that has no size nor addresses yet. */
static int c_kick_early(struct t *t)
{
	struct vu_front *f = &t->d.f;
	struct vu_msg m;
	struct vu_ring r;
	uint64_t one = 1;
	int ret, efd;

	dev_close(t);
	ret = vu_front_connect(f, t->sock, 5000);
	if (!ret)
		ret = vu_front_handshake(f, 1ull << VIRTIO_IPSEC_F_MQ);
	if (!ret)
		ret = vu_front_set_mem(f, MEM);
	t->open = true;
	EXPECT(t, !ret, "set-up: %s", f->err);
	ret = vu_ring_init(&r, &f->mem, 16);
	EXPECT(t, !ret, "ring: %s", strerror(-ret));
	efd = r.kick_fd;
	memset(&m, 0, sizeof(m));
	m.hdr = (struct vu_hdr){ VU_SET_VRING_KICK, VU_VERSION, 8 };
	m.p.u64 = 1;
	m.fds[0] = efd;
	m.nfds = 1;
	ret = vu_front_request(f, &m);
	EXPECT(t, !ret || ret == -EREMOTEIO,
	       "SET_VRING_KICK before the "
	       "ring: %s",
	       f->err);
	EXPECT(t, write(efd, &one, 8) == 8, "kick");
	msleep(300);
	EXPECT(t, be_alive(t),
	       "kick before the ring was set up: back end "
	       "died");
	vu_ring_fini(&r);
	if (dev_open(t, true))
		return -1;
	return serves(t, 0) || serves(t, 1);
}

static int c_mem_table(struct t *t)
{
	struct vu_msg m;
	int ret;

	if (dev_open(t, true))
		return -1;
	memset(&m, 0, sizeof(m));
	m.hdr = (struct vu_hdr){ VU_SET_MEM_TABLE, VU_VERSION,
				 vu_memory_size(8) };
	m.p.memory.nregions = 9; /* more than the message can hold */
	m.fds[0] = t->d.f.mem.fd;
	m.nfds = 1;
	ret = vu_front_request(&t->d.f, &m);
	msleep(100);
	EXPECT(t, be_alive(t), "SET_MEM_TABLE with 9 regions: back end died");
	EXPECT(t,
	       ret != 0 || vu_ring_wait(&t->d.f.ring[0], t->d.f.sock, 500) ==
				   -ECONNRESET,
	       "SET_MEM_TABLE with 9 regions was accepted");
	if (dev_open(t, true))
		return -1;
	return serves(t, 0);
}

/* Traffic on queue 1 from its own thread while queue 0 breaks the rules. */
struct load {
	struct t *t;
	struct vip_batch b[4];
	volatile bool stop;
	int result; /* why the thread ended: 0 (stopped) or -errno */
	volatile uint64_t done; /* requests answered OK */
};

static void *load_thread(void *arg)
{
	struct load *l = arg;
	struct vu_ring *r = &l->t->d.f.ring[1];
	int idle = 0, ret;
	struct vip_batch *b;
	unsigned int i;
	uint32_t len;

	for (i = 0; i < 4; i++)
		vip_batch_add(&l->t->d.f, r, &l->b[i]);
	vu_ring_publish(r);
	vu_ring_kick(r);
	while (!l->stop) {
		ret = vu_ring_get_used(r, (void **)&b, &len);
		if (ret < 0) {
			l->result = ret;
			return NULL;
		}
		if (ret == 1) {
			if (vip_batch_footer(b)->status != VIRTIO_IPSEC_OK) {
				l->result = -EBADMSG;
				return NULL;
			}
			l->done++;
			idle = 0;
			vip_batch_add(&l->t->d.f, r, b);
			vu_ring_publish(r);
			vu_ring_kick(r);
			continue;
		}
		ret = vu_ring_wait(r, l->t->d.f.sock, 100);
		if (ret < 0) {
			l->result = ret;
			return NULL;
		}
		if (!ret && ++idle > WAIT_MS / 100) {
			l->result = -ETIMEDOUT;
			return NULL;
		}
	}
	return NULL;
}

static int c_violation_under_load(struct t *t)
{
	struct load l = { .t = t };
	uint32_t len, i;
	pthread_t th;
	uint64_t rd;
	int ret;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	for (i = 0; i < 4; i++)
		if (batch(t, &l.b[i], VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 32, 1000))
			return -1;
	pthread_create(&th, NULL, load_thread, &l);
	msleep(300);
	rawd(t, 0, RAW_DESC, VU_MEM_GPA_BASE + MEM + (1 << 20), len,
	     VU_DESC_F_NEXT, RAW_DESC + 1);
	rawd(t, 0, RAW_DESC + 1, wr_buf(t, 256), 256, VU_DESC_F_WRITE, 0);
	push(t, 0, RAW_DESC);
	ret = wait_reset(t, 0, "bad chain on queue 0 while queue 1 is busy");
	/* the busy queue must see the same end, not hang */
	for (i = 0; i < WAIT_MS / 100 && !l.result; i++)
		msleep(100);
	l.stop = true;
	pthread_join(th, NULL);
	if (ret)
		return -1;
	EXPECT(t, l.done > 0, "queue 1 answered nothing before the violation");
	EXPECT(t, l.result == -ECONNRESET || l.result == -EIO,
	       "the busy queue ended with '%s', not the connection's end",
	       l.result ? strerror(-l.result) : "no end at all");
	if (dev_open(t, true))
		return -1;
	return serves(t, 0) || serves(t, 1);
}

/*
 * Device resets (SET_CONFIG status 0) while queue 1 is busy on the SA the
 * reset deletes: requests keep getting well-formed answers (per packet OK
 * before, INVSA after), the back end survives, and a re-added SA starts
 * its sequence numbers again at 1.
 */
static int c_reset_under_load(struct t *t)
{
	struct load l = { .t = t };
	const uint32_t zero = 0;
	struct vip_batch b;
	pthread_t th;
	uint32_t i;
	int ret = 0;

	if (dev_open(t, true))
		return -1;
	for (i = 0; i < 4; i++)
		if (batch(t, &l.b[i], VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 32, 1000))
			return -1;
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100))
		return -1;
	pthread_create(&th, NULL, load_thread, &l);
	msleep(200);
	for (i = 0; i < 20 && !ret && !l.result; i++) {
		struct virtio_ipsec_sa_params p;
		uint8_t st;

		ret = vu_front_set_config(&t->d.f, 0, &zero, sizeof(zero));
		/* SAs back, so that the busy queue sees both answers */
		vip_sa_gcm128(&p, VIRTIO_IPSEC_DIR_OUTBOUND, SPI);
		if (!ret)
			ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_SA_ADD, SA_OUT,
				       &p, sizeof(p), &st, WAIT_MS);
		msleep(10);
	}
	l.stop = true;
	pthread_join(th, NULL);
	EXPECT(t, !ret, "device reset or SA re-add: %s", t->d.f.err);
	EXPECT(t, !l.result, "the busy queue failed during resets: %s",
	       strerror(-l.result));
	EXPECT(t, l.done > 0, "the busy queue answered nothing");
	EXPECT(t, be_alive(t), "back end died during resets");
	ret = vu_front_set_config(&t->d.f, 0, &zero, sizeof(zero));
	EXPECT(t, !ret, "device reset: %s", t->d.f.err);
	ret = submit(t, 0, &b) ? -1 : wait_done(t, 0, &b);
	EXPECT(t,
	       !ret && vip_batch_footer(&b)->status == VIRTIO_IPSEC_OK &&
		       vip_batch_res(&b, 0)->status == VIRTIO_IPSEC_INVSA,
	       "SA after a device reset: footer %u packet %u, expected OK/INVSA",
	       vip_batch_footer(&b)->status, vip_batch_res(&b, 0)->status);
	{
		struct virtio_ipsec_sa_params p;
		uint8_t st;

		vip_sa_gcm128(&p, VIRTIO_IPSEC_DIR_OUTBOUND, SPI);
		ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_SA_ADD, SA_OUT, &p,
			       sizeof(p), &st, WAIT_MS);
		EXPECT(t, !ret && !st, "re-adding the SA after a reset: %u",
		       st);
	}
	/* the re-added SA is new: its numbers start again at 1 */
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100))
		return -1;
	ret = submit(t, 0, &b) ? -1 : wait_done(t, 0, &b);
	EXPECT(t,
	       !ret && !vip_batch_res(&b, 0)->status &&
		       le32toh(vip_batch_res(&b, 0)->seq_lo) == 1,
	       "first packet of the SA re-added after a reset: status %u "
	       "sequence %u, expected 0 and 1",
	       vip_batch_res(&b, 0)->status,
	       le32toh(vip_batch_res(&b, 0)->seq_lo));
	return serves(t, 0) || serves(t, 1);
}

/* The back end killed while we hold an SA, restarted, reconnected. */
static int c_restart(struct t *t)
{
	struct virtio_ipsec_sa_params p;
	struct vip_batch b;
	int ret, st;
	uint8_t s;

	if (dev_open(t, true) || serves(t, 0))
		return -1;
	/* a request in flight when it dies */
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100))
		return -1;
	kill(t->pid, SIGKILL);
	waitpid(t->pid, &st, 0);
	t->pid = -1;
	ret = submit(t, 1, &b) ? -1 : wait_done(t, 1, &b);
	EXPECT(t, ret == -ECONNRESET,
	       "request to a killed back end: %s, not a connection error",
	       strerror(-ret));
	ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_SA_DEL, SA_OUT, NULL, 0, &s,
		       WAIT_MS);
	EXPECT(t, ret == -ECONNRESET,
	       "control request to a killed back end: "
	       "%s",
	       strerror(-ret));
	if (be_start(t))
		return -1;
	if (dev_open(t, false))
		return -1;
	/* the old SA did not survive: a clean per-packet INVSA */
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100) ||
	    submit(t, 0, &b))
		return -1;
	ret = wait_done(t, 0, &b);
	EXPECT(t,
	       !ret && vip_batch_footer(&b)->status == VIRTIO_IPSEC_OK &&
		       vip_batch_res(&b, 0)->status == VIRTIO_IPSEC_INVSA,
	       "old SA after restart: footer %u packet %u, expected OK/INVSA",
	       vip_batch_footer(&b)->status, vip_batch_res(&b, 0)->status);
	vip_sa_gcm128(&p, VIRTIO_IPSEC_DIR_OUTBOUND, SPI);
	ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_SA_ADD, SA_OUT, &p, sizeof(p), &s,
		       WAIT_MS);
	EXPECT(t, !ret && !s, "re-adding the SA: status %u", s);
	if (serves(t, 0))
		return -1;
	return 0;
}

struct kase {
	const char *name;
	int (*fn)(struct t *t);
};

static const struct kase cases[] = {
	{ "baseline", c_baseline },
	{ "bad-counts-lengths", c_bad_counts },
	{ "bad-control", c_bad_ctrl },
	{ "addr-out-of-range", c_addr_out_of_range },
	{ "addr-below-region", c_addr_below_region },
	{ "len-beyond-region", c_len_beyond_region },
	{ "desc-loop", c_desc_loop },
	{ "next-out-of-range", c_next_out_of_range },
	{ "head-out-of-range", c_head_out_of_range },
	{ "avail-runaway", c_avail_runaway },
	{ "footer-room", c_footer_room },
	{ "no-readable-part", c_no_readable },
	{ "readable-after-writable", c_readable_after_writable },
	{ "indirect-bad", c_indirect },
	{ "violation-under-load", c_violation_under_load },
	{ "reset-under-load", c_reset_under_load },
	{ "vring-index-out-of-range", c_vring_index },
	{ "vring-num-bad", c_vring_num },
	{ "config-size-offset", c_config },
	{ "kick-before-setup", c_kick_early },
	{ "mem-table-too-many", c_mem_table },
	{ "restart-holding-sa", c_restart },
};

static bool wanted(int argc, char **argv, const char *name)
{
	int i;

	if (argc <= 2)
		return true;
	for (i = 2; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	unsigned int i, pass = 0, fail = 0;
	struct t t;

	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		fprintf(stderr,
			"usage: vipsec-vhost-hostile BACKEND [CASE...]\n");
		return 2;
	}
	if (access(argv[1], X_OK)) {
		printf("SKIP: back end %s: %s\n", argv[1], strerror(errno));
		return 77;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret;

		if (!wanted(argc, argv, cases[i].name))
			continue;
		memset(&t, 0, sizeof(t));
		t.bin = argv[1];
		t.pid = -1;
		snprintf(t.dir, sizeof(t.dir), "/tmp/vipsec-hostile.%d",
			 getpid());
		mkdir(t.dir, 0700);
		snprintf(t.sock, sizeof(t.sock), "%s/%s.sock", t.dir,
			 cases[i].name);
		snprintf(t.log, sizeof(t.log), "%s/%s.log", t.dir,
			 cases[i].name);
		unlink(t.log);
		ret = be_start(&t) ? -1 : cases[i].fn(&t);
		dev_close(&t);
		if (be_stop(&t))
			ret = -1;
		if (ret || t.why[0]) {
			printf("FAIL: %s: %s (back end log %s)\n",
			       cases[i].name, t.why[0] ? t.why : "failed",
			       t.log);
			fail++;
		} else {
			printf("PASS: %s\n", cases[i].name);
			unlink(t.log);
			unlink(t.sock);
			pass++;
		}
		fflush(stdout);
	}
	rmdir(t.dir);
	printf("%u passed, %u failed\n", pass, fail);
	return fail ? 1 : 0;
}
