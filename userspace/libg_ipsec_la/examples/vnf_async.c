// SPDX-License-Identifier: BSD-3-Clause
/*
 * vnf_async: the asynchronous g-API in an epoll event loop, the way a VNF
 * that also waits on sockets or timers would use it.
 *
 * Opens an accelerator (argv[1]: "virtio-ipsec<N>", "software", or none
 * for the first device), adds an AES-GCM-128 SA pair and streams
 * NUM_BATCHES batches of BATCH packets through it, keeping up to DEPTH
 * batches in flight: each batch is encapsulated with one ASYNC
 * multi-packet call; when its completion arrives the ESP packets are
 * decapsulated with another ASYNC call; when that completes the result is
 * compared byte for byte with the original and the slot is reused for the
 * next batch. Nothing blocks: the loop sleeps in epoll_wait() on the
 * library's descriptor (g_ipsec_la_fd_get()) and a timerfd watchdog, and
 * g_ipsec_la_poll(h, 0) runs the due callbacks.
 *
 * Build against an installed library:
 *   cc -o vnf_async vnf_async.c $(pkg-config --cflags --libs g_ipsec_la)
 * or, to also offer the in-process software accelerator (static only):
 *   cc -DVNF_WITH_SOFTWARE -o vnf_async vnf_async.c \
 *      $(pkg-config --static --cflags --libs g_ipsec_la_sw)
 * Exit: 0 every packet verified, 1 failure, 77 no accelerator present.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <g_ipsec_la.h>
#ifdef VNF_WITH_SOFTWARE
#include <g_ipsec_la_sw.h>
#endif

#define NUM_BATCHES 64
#define BATCH	    32
#define DEPTH	    4
#define PKT_LEN	    512
#define ESP_ROOM    (PKT_LEN + 128)
#define WATCHDOG_S  60
#define SPI	    0x2000b001u

/* AES-128 key followed by the 4-byte salt (RFC 4106 KEYMAT). */
static const uint8_t keymat[20] = {
	0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a,
	0x8f, 0x94, 0x67, 0x30, 0x83, 0x08, 0xca, 0xfe, 0xba, 0xbe,
};

enum slot_state { SLOT_FREE, SLOT_ENCAP, SLOT_DECAP };

/* One batch in flight: its packets in each stage and the per-packet results. */
struct slot {
	enum slot_state state;
	unsigned int batch; /* which of NUM_BATCHES */
	uint8_t plain[BATCH][PKT_LEN];
	uint8_t esp[BATCH][ESP_ROOM];
	uint8_t back[BATCH][ESP_ROOM]; /* decap wants room for the input */
	struct g_ipsec_la_data d_plain[BATCH], d_esp[BATCH], d_back[BATCH];
	struct g_ipsec_la_packet p_plain[BATCH], p_esp[BATCH], p_back[BATCH];
	struct g_ipsec_la_pkt_result res[BATCH];
};

struct vnf {
	struct g_ipsec_la_handle h;
	struct g_ipsec_la_sa_handle sa_out, sa_in;
	struct slot slots[DEPTH];
	unsigned int next_batch; /* next batch to start */
	unsigned int done_batches;
	unsigned long verified, failed;
	int broken;
};

static struct vnf vnf;

/* Inner IPv4/UDP packet 10.1.0.1 -> 10.2.0.1 whose payload names its batch. */
static void build_packet(uint8_t *p, unsigned int batch, unsigned int k)
{
	unsigned int i;

	memset(p, 0, 28);
	p[0] = 0x45;
	p[2] = PKT_LEN >> 8;
	p[3] = PKT_LEN & 0xff;
	p[8] = 64;
	p[9] = 17;
	p[12] = 10;
	p[13] = 1;
	p[15] = 1;
	p[16] = 10;
	p[17] = 2;
	p[19] = 1;
	p[24] = (PKT_LEN - 20) >> 8;
	p[25] = (PKT_LEN - 20) & 0xff;
	for (i = 28; i < PKT_LEN; i++)
		p[i] = (uint8_t)(batch * 7 + k * 3 + i);
}

static void resp_cb(void *cb_arg, int32_t cb_arg_len, void *outargs);

/* The slot's index travels as the copied cb_arg. */
static int submit(struct slot *s, enum slot_state st)
{
	uint8_t idx = (uint8_t)(s - vnf.slots);
	struct g_ipsec_la_resp_args ra = { resp_cb, &idx, sizeof(idx) };
	unsigned int k;
	int n;

	for (k = 0; k < BATCH; k++) {
		s->d_esp[k].length = ESP_ROOM; /* output room, set per call */
		s->d_back[k].length = ESP_ROOM;
	}
	s->state = st;
	if (st == SLOT_ENCAP) {
		for (k = 0; k < BATCH; k++) {
			build_packet(s->plain[k], s->batch, k);
			s->d_plain[k].length = PKT_LEN;
		}
		n = g_ipsec_la_multi_packet_encap(
			&vnf.h, G_IPSEC_LA_CTRL_FLAG_ASYNC, &vnf.sa_out, BATCH,
			s->p_plain, s->p_esp, s->res, &ra);
	} else {
		for (k = 0; k < BATCH; k++)
			s->d_esp[k].length = s->res[k].out_len;
		n = g_ipsec_la_multi_packet_decap(&vnf.h,
						  G_IPSEC_LA_CTRL_FLAG_ASYNC,
						  &vnf.sa_in, BATCH, s->p_esp,
						  s->p_back, s->res, &ra);
	}
	if (n == BATCH)
		return 0;
	/* A real VNF would resubmit the unconsumed rest (n < BATCH when the
	 * device's max_batch is smaller) or retry on -EAGAIN after the next
	 * completion; DEPTH * BATCH stays within every limit here. */
	fprintf(stderr, "vnf_async: batch %u %s: %s\n", s->batch,
		st == SLOT_ENCAP ? "encap" : "decap",
		n < 0 ? strerror(-n) : "not all packets consumed");
	s->state = SLOT_FREE;
	return -1;
}

static void start_next(struct slot *s)
{
	if (vnf.next_batch >= NUM_BATCHES) {
		s->state = SLOT_FREE;
		return;
	}
	s->batch = vnf.next_batch++;
	if (submit(s, SLOT_ENCAP)) {
		vnf.failed += BATCH;
		vnf.done_batches++;
	}
}

static void verify(struct slot *s)
{
	unsigned int k;

	for (k = 0; k < BATCH; k++) {
		if (s->res[k].result || s->res[k].out_len != PKT_LEN ||
		    memcmp(s->back[k], s->plain[k], PKT_LEN)) {
			if (!vnf.failed)
				fprintf(stderr,
					"vnf_async: batch %u packet %u: %s\n",
					s->batch, k,
					s->res[k].result ?
						strerror(-s->res[k].result) :
						"differs from the original");
			vnf.failed++;
		} else {
			vnf.verified++;
		}
	}
	vnf.done_batches++;
}

/* Runs inside g_ipsec_la_poll(): one completed batch. */
static void resp_cb(void *cb_arg, int32_t cb_arg_len, void *outargs)
{
	const struct g_ipsec_la_packet_outargs *o = outargs;
	struct slot *s;
	unsigned int k;

	if (cb_arg_len != 1 || *(uint8_t *)cb_arg >= DEPTH)
		abort(); /* the library copies cb_arg: cannot happen */
	s = &vnf.slots[*(uint8_t *)cb_arg];
	if (o->result) {
		fprintf(stderr, "vnf_async: batch %u failed: %s\n", s->batch,
			strerror(-o->result));
		vnf.failed += BATCH;
		vnf.done_batches++;
		start_next(s);
		return;
	}
	if (s->state == SLOT_ENCAP) {
		for (k = 0; k < BATCH; k++) {
			if (s->res[k].result) {
				/* Count it below; decap of garbage must fail. */
				s->res[k].out_len = 0;
			}
		}
		if (submit(s, SLOT_DECAP)) {
			vnf.failed += BATCH;
			vnf.done_batches++;
			start_next(s);
		}
		return;
	}
	verify(s);
	start_next(s);
}

static void broken_cb(struct g_ipsec_la_handle *h, void *arg)
{
	(void)h;
	(void)arg;
	fprintf(stderr, "vnf_async: the accelerator went away\n");
	vnf.broken = 1;
}

static int add_sa(enum g_ipsec_la_sa_direction dir,
		  struct g_ipsec_la_sa_handle *sh)
{
	struct g_ipsec_la_sa sa;
	struct g_ipsec_la_sa_add_inargs in = { dir, 1, &sa };
	struct g_ipsec_la_sa_add_outargs out;
	int ret;

	memset(&sa, 0, sizeof(sa));
	sa.spi = SPI;
	sa.proto = G_IPSEC_LA_PROTO_ESP;
	sa.crypto_params.comb_algo = G_IPSEC_LA_COMB_AES_GCM;
	sa.crypto_params.comb_key = keymat;
	sa.crypto_params.comb_key_len_bits = sizeof(keymat) * 8;
	sa.crypto_params.icv_len_bits = 128;
	sa.te_addr.src_ip.version = 4;
	memcpy(sa.te_addr.src_ip.addr.ipv4, "\xc0\x00\x02\x01", 4);
	sa.te_addr.dest_ip.version = 4;
	memcpy(sa.te_addr.dest_ip.addr.ipv4, "\xc6\x33\x64\x01", 4);
	if (dir == G_IPSEC_LA_IPSEC_INBOUND) {
		sa.cmn_flags = G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK;
		sa.u.inb.anti_replay_window_size = 1024;
	}
	memset(&out, 0, sizeof(out));
	out.handles = sh;
	ret = g_ipsec_la_sa_add(&vnf.h, &in, G_IPSEC_LA_CTRL_FLAG_SYNC, &out,
				NULL);
	if (ret) {
		struct g_ipsec_la_error_info e;

		/* the words, and the field or limit when the library knows */
		g_ipsec_la_last_error(&e);
		fprintf(stderr, "vnf_async: sa_add: %s%s%s\n",
			g_ipsec_la_strerror(ret), e.field ? ": " : "",
			e.field ? e.field : "");
	}
	return ret;
}

/* The event loop: epoll on the library's fd and a watchdog timer. */
static int run_loop(void)
{
	struct itimerspec wd = { .it_value = { .tv_sec = WATCHDOG_S } };
	struct epoll_event ev = { .events = EPOLLIN }, got[4];
	int ep, tfd, lfd, n, i, ret = -1;

	if (g_ipsec_la_fd_get(&vnf.h, &lfd))
		return -1;
	ep = epoll_create1(EPOLL_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (ep < 0 || tfd < 0 || timerfd_settime(tfd, 0, &wd, NULL)) {
		perror("vnf_async: epoll/timerfd");
		goto out;
	}
	ev.data.fd = lfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev))
		goto out;
	ev.data.fd = tfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev))
		goto out;

	while (vnf.done_batches < NUM_BATCHES && !vnf.broken) {
		n = epoll_wait(ep, got, 4, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("vnf_async: epoll_wait");
			goto out;
		}
		for (i = 0; i < n; i++) {
			if (got[i].data.fd == tfd) {
				fprintf(stderr,
					"vnf_async: no progress in %d s "
					"(%u of %u batches done)\n",
					WATCHDOG_S, vnf.done_batches,
					NUM_BATCHES);
				goto out;
			}
			/* Runs resp_cb for every completed batch. */
			if (g_ipsec_la_poll(&vnf.h, 0) < 0 && !vnf.broken) {
				fprintf(stderr, "vnf_async: poll failed\n");
				goto out;
			}
		}
	}
	ret = vnf.broken ? -1 : 0;
out:
	if (tfd >= 0)
		close(tfd);
	if (ep >= 0)
		close(ep);
	return ret;
}

int main(int argc, char **argv)
{
	struct g_ipsec_la_open_inargs oin;
	struct g_ipsec_la_open_outargs oout;
	unsigned int s, k;
	int ret;

#ifdef VNF_WITH_SOFTWARE
	ret = g_ipsec_la_software_register();
	if (ret) {
		fprintf(stderr, "vnf_async: software accelerator: %s\n",
			strerror(-ret));
		return 1;
	}
#endif
	memset(&oin, 0, sizeof(oin));
	oin.app_identity = "vnf_async";
	oin.accl_name = argc > 1 ? argv[1] : NULL;
	oin.cb_fn = broken_cb;
	ret = g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &oin, &oout);
	if (ret == -ENODEV) {
		printf("vnf_async: SKIP: no accelerator %s\n",
		       oin.accl_name ? oin.accl_name : "present");
		return 77;
	}
	if (ret) {
		fprintf(stderr, "vnf_async: open: %s\n", strerror(-ret));
		return 1;
	}
	vnf.h = oout.handle;
	if (add_sa(G_IPSEC_LA_IPSEC_OUTBOUND, &vnf.sa_out) ||
	    add_sa(G_IPSEC_LA_IPSEC_INBOUND, &vnf.sa_in))
		goto out;

	for (s = 0; s < DEPTH; s++) {
		struct slot *sl = &vnf.slots[s];

		for (k = 0; k < BATCH; k++) {
			sl->d_plain[k] = (struct g_ipsec_la_data){ sl->plain[k],
								   PKT_LEN };
			sl->d_esp[k] = (struct g_ipsec_la_data){ sl->esp[k],
								 ESP_ROOM };
			sl->d_back[k] = (struct g_ipsec_la_data){ sl->back[k],
								  ESP_ROOM };
			sl->p_plain[k] =
				(struct g_ipsec_la_packet){ 1,
							    &sl->d_plain[k] };
			sl->p_esp[k] =
				(struct g_ipsec_la_packet){ 1, &sl->d_esp[k] };
			sl->p_back[k] =
				(struct g_ipsec_la_packet){ 1, &sl->d_back[k] };
		}
		start_next(sl);
	}
	if (run_loop())
		vnf.failed +=
			(unsigned long)(NUM_BATCHES - vnf.done_batches) * BATCH;
out:
	g_ipsec_la_close(&vnf.h);
	printf("vnf_async: %lu of %u packets encapsulated, decapsulated and "
	       "verified through %u ASYNC batches of %u, %u in flight\n",
	       vnf.verified, NUM_BATCHES * BATCH, NUM_BATCHES, BATCH, DEPTH);
	if (vnf.verified == NUM_BATCHES * BATCH && !vnf.failed) {
		printf("vnf_async: PASS\n");
		return 0;
	}
	printf("vnf_async: FAIL\n");
	return 1;
}
