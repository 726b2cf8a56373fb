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
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hostile.h"

int failf(struct t *t, const char *fmt, ...)
{
	va_list ap;

	if (t->why[0])
		return -1;
	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
	return -1;
}

void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- the back end process ------------------------------------------- */

int be_start(struct t *t)
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

bool be_alive(struct t *t)
{
	const char *why;
	int st;

	if (t->pid <= 0)
		return false;
	if (waitpid(t->pid, &st, WNOHANG) == 0)
		return true;
	why = log_line(t, "ERROR: AddressSanitizer");
	if (!why)
		why = log_line(t, "runtime error");
	failf(t, "back end exited (%s %d)%s%s",
	      WIFEXITED(st) ? "status" : "signal",
	      WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), why ? ": " : "",
	      why ? why : "");
	t->pid = -1;
	return false;
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

void dev_close(struct t *t)
{
	if (t->open)
		vu_front_close(&t->d.f);
	t->open = false;
}

/* Connects, sets up NQ data queues and the control queue, adds the SAs. */
int dev_open(struct t *t, bool add_sas)
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
int wait_done(struct t *t, unsigned int q, void *tok)
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
int batch(struct t *t, struct vip_batch *b, uint16_t op, uint32_t sa,
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

int submit(struct t *t, unsigned int q, struct vip_batch *b)
{
	struct vu_ring *r = &t->d.f.ring[q];

	EXPECT(t, vip_batch_add(&t->d.f, r, b) >= 0, "ring %u full", q);
	vu_ring_publish(r);
	vu_ring_kick(r);
	return 0;
}

/* Two packets encapsulated correctly on queue q: the device serves. */
int serves(struct t *t, unsigned int q)
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
int refused(struct t *t, unsigned int q, struct vip_batch *b, uint8_t want,
	    const char *what)
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
int wait_reset(struct t *t, unsigned int q, const char *what)
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

int needs_reset(struct t *t, unsigned int q, const char *what)
{
	if (wait_reset(t, q, what))
		return -1;
	if (dev_open(t, true))
		return failf(t, "%s: reconnect after the reset: %s", what,
			     t->d.f.err);
	return serves(t, 0) || serves(t, 1);
}

/* Writes descriptor i by hand. */
void rawd(struct t *t, unsigned int q, uint16_t i, uint64_t gpa, uint32_t len,
	  uint16_t flags, uint16_t next)
{
	t->d.f.ring[q].desc[i] = (struct vu_desc){ gpa, len, flags, next };
}

void push(struct t *t, unsigned int q, uint16_t head)
{
	vu_ring_push_raw(&t->d.f.ring[q], head);
	vu_ring_kick(&t->d.f.ring[q]);
}

/* A readable part holding a good 1-packet encap request, and its GPA. */
uint64_t good_rd(struct t *t, uint32_t *len)
{
	struct vip_batch b;

	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100))
		return 0;
	*len = b.rd_len;
	return vu_mem_gpa(&t->d.f.mem, b.rd);
}

uint64_t wr_buf(struct t *t, uint32_t len)
{
	uint8_t *p = vu_mem_alloc(&t->d.f.mem, len + 64, 64);

	memset(p, 0x5a, len + 64);
	return vu_mem_gpa(&t->d.f.mem, p);
}

/* ---- cases ------------------------------------------------------------ */

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
