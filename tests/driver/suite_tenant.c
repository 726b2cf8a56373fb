// SPDX-License-Identifier: BSD-3-Clause
/*
 * Tenants against each other: what an unprivileged local user or one
 * file's owner can learn of, or take from, another tenant - the
 * multicast events, the sysfs lists of owners and groups, SA ids, events
 * of a reused id, and the per-file quotas.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "dt.h"

static int fa = -1, fb = -1;

static void setup(void)
{
	dt_kmsg_mark();
	fa = dt_open("dt-tenant-a");
	fb = dt_open("dt-tenant-b");
}

static void teardown(void)
{
	close(fa);
	close(fb);
	dt_kmsg_check();
}

static int read_ev(int fd, struct vipsec_event *ev)
{
	ssize_t n = read(fd, ev, sizeof(*ev));

	if (n < 0)
		return -errno;
	ck_assert_int_eq(n, sizeof(*ev));
	return 0;
}

static void drain_events(int fd)
{
	struct vipsec_event ev;
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (read_ev(fd, &ev) == 0)
		;
	fcntl(fd, F_SETFL, fl);
}

static int sa_add_err(int fd, uint32_t group, uint32_t n, uint32_t spi,
		      uint32_t *ids)
{
	struct virtio_ipsec_sa_params w[8];
	struct vipsec_sa_add a;
	uint32_t i;

	ck_assert_uint_le(n, 8);
	for (i = 0; i < n; i++)
		dt_sa_params(&w[i], spi + i, 1);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.group_id = group;
	a.num_sas = n;
	a.params = (uintptr_t)w;
	a.ids = (uintptr_t)ids;
	return dt_io(fd, VIPSEC_IOC_SA_ADD, &a);
}

static int sa_del(int fd, uint32_t group, uint32_t sa)
{
	struct vipsec_sa_del d = { .size = sizeof(d), .group_id = group,
				   .sa_id = sa };

	return dt_io(fd, VIPSEC_IOC_SA_DEL, &d);
}

static void sysfs_path(char *path, size_t len, const char *attr)
{
	snprintf(path, len, "/sys/class/virtio_ipsec/%s/%s", dt_info.name,
		 attr);
}

/* The whole attribute (at most one page and a bit), NUL-terminated. */
static size_t sysfs_read(const char *attr, char *buf, size_t len)
{
	char path[128];
	size_t got = 0;
	ssize_t n;
	int fd;

	sysfs_path(path, sizeof(path), attr);
	fd = open(path, O_RDONLY);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = 0;
	return got;
}

/* ------------------------------------------------------------------ */
/* Item 2: the multicast group                                         */

static int try_join(void *arg)
{
	int err = dt_genl_try_join();

	(void)arg;
	return err == -EPERM ? 0 : err == 0 ? 2 : 3;
}

START_TEST(genl_events_join_needs_cap_net_admin)
{
	int family, s, r;

	s = dt_genl_open(&family);	/* root: joins */
	close(s);
	r = dt_unprivileged(try_join, NULL);
	ck_assert_msg(r != 2,
		      "an unprivileged process joined the \"events\" group: it would see every tenant's SA events");
	ck_assert_msg(r == 0, "unprivileged join: exit %d (3: not EPERM, 200/201: privileges not dropped)",
		      r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Item 3: sysfs owners and groups                                     */

static int try_open(void *path)
{
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		close(fd);
		return 2;
	}
	return errno == EACCES ? 0 : 3;
}

START_TEST(sysfs_tenant_lists_root_only)
{
	static const char *const attrs[] = { "owners", "groups" };
	char path[128];
	struct stat st;
	unsigned int i;
	int r;

	for (i = 0; i < 2; i++) {
		sysfs_path(path, sizeof(path), attrs[i]);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_msg((st.st_mode & 0777) == 0400, "%s mode %o",
			      attrs[i], st.st_mode & 0777);
		r = dt_unprivileged(try_open, path);
		ck_assert_msg(r == 0, "unprivileged open of %s: exit %d (2: opened)",
			      attrs[i], r);
	}
	/* the child could read sysfs at all: the refusal is the mode's */
	sysfs_path(path, sizeof(path), "name");
	ck_assert_int_eq(dt_unprivileged(try_open, path), 2);
}
END_TEST

#define EVIL_ID		"evil\nfake-owner\x01\t\\"
#define EVIL_ID_ESC	"evil\\nfake-owner\\001\\t\\\\"

START_TEST(sysfs_tenant_strings_escaped)
{
	static char buf[8192];
	char want[256];
	uint32_t g;
	int fe;

	fe = dt_open(EVIL_ID);
	g = dt_group_create(fe, "g\nx\x7f");
	sysfs_read("owners", buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "\n" EVIL_ID_ESC "\n"),
		      "owners does not show the identity escaped: \"%s\"", buf);
	ck_assert_msg(!strstr(buf, "\nfake-owner"),
		      "a tenant's identity added a line to owners");
	sysfs_read("groups", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%u\tg\\nx\\177\t" EVIL_ID_ESC "\n", g);
	ck_assert_msg(strstr(buf, want), "groups line not escaped: \"%s\"",
		      buf);
	close(fe);
}
END_TEST

/* More claims than a page holds: whole lines, then the mark. */
START_TEST(sysfs_owners_truncation_marked)
{
	static char buf[8192];
	char id[64], line[256];
	int fds[20], i, lines = 0;
	char *p, *nl;
	size_t len;

	memset(id, 1, sizeof(id) - 1);
	id[sizeof(id) - 1] = 0;
	for (i = 0; i < 63; i++)
		memcpy(line + 4 * i, "\\001", 4);
	line[252] = 0;
	for (i = 0; i < 20; i++)	/* 20 lines of 253 bytes */
		fds[i] = dt_open(id);
	len = sysfs_read("owners", buf, sizeof(buf));
	ck_assert_uint_le(len, 4095);
	ck_assert_msg(len > 13 && !strcmp(buf + len - 11, "\ttruncated\n"),
		      "no truncation mark at the end of owners");
	for (p = buf; *p && *p != '\t'; p = nl + 1) {
		nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		*nl = 0;
		ck_assert_msg(!strcmp(p, "dt-tenant-a") ||
			      !strcmp(p, "dt-tenant-b") || !strcmp(p, line),
			      "cut or unescaped line in owners: \"%s\"", p);
		lines++;
	}
	ck_assert_int_ge(lines, 14);
	for (i = 0; i < 20; i++)
		close(fds[i]);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Item 5: the SA ids of a process killed during SA_DEL                */

/*
 * Grandchild: holds a batch of the shared file inside the driver (its
 * input faults on a userfaultfd page nobody resolves), tells @ready.
 */
struct stall_arg {
	int fd;
	uint32_t sa;
	uint8_t *page;
};

static void *stall_xform(void *arg)
{
	struct stall_arg *s = arg;
	static uint8_t out[DT_ESP_CAP];
	struct vipsec_seg in_seg = { (uintptr_t)s->page, DT_PKT_LEN, 0 };
	struct vipsec_seg out_seg = { (uintptr_t)out, sizeof(out), 0 };
	struct vipsec_xform xf;
	struct vipsec_pkt pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.sa_id = s->sa;
	pkt.in_nsegs = pkt.out_nsegs = 1;
	pkt.in_segs = (uintptr_t)&in_seg;
	pkt.out_segs = (uintptr_t)&out_seg;
	memset(&xf, 0, sizeof(xf));
	xf.size = sizeof(xf);
	xf.op = VIPSEC_OP_ENCAP;
	xf.num_pkts = 1;
	xf.pkts = (uintptr_t)&pkt;
	ioctl(s->fd, VIPSEC_IOC_XFORM, &xf);
	return NULL;
}

/*
 * Until SIGKILL; on SIGUSR1 lets the batch go on (fills the page), then
 * deletes SA @other on the same file and writes the result to @report.
 */
static int stall_batch(int fd, uint32_t sa, uint32_t other, int ready,
		       int report)
{
	long page = sysconf(_SC_PAGESIZE);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct stall_arg s = { .fd = fd, .sa = sa };
	struct uffd_msg msg;
	struct pollfd pfd;
	sigset_t all;
	pthread_t t;
	int uffd;

	uffd = (int)syscall(__NR_userfaultfd, O_CLOEXEC);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		return 10;
	s.page = mmap(NULL, page, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s.page == MAP_FAILED)
		return 11;
	/*
	 * A signal would end the fault (and the batch) early: the thread
	 * inherits a mask of every signal, and only SIGKILL ends it.
	 */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)s.page;
	reg.range.len = page;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) ||
	    pthread_create(&t, NULL, stall_xform, &s))
		return 12;
	/* a blocking uffd polls as an error at once: read() waits */
	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	if (poll(&pfd, 1, 10000) != 1 ||
	    read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return 13;
	if (write(ready, "F", 1) != 1)
		return 14;
	for (;;) {		/* until killed */
		struct uffdio_copy cp = { .len = page, .dst = (uintptr_t)s.page };
		struct vipsec_sa_del d = { .size = sizeof(d), .sa_id = other };
		uint8_t *src;
		siginfo_t si;
		char rc;

		if (sigwaitinfo(&all, &si) != SIGUSR1)
			continue;
		src = aligned_alloc(page, page);
		if (!src)
			return 15;
		dt_build_packet(src, DT_PKT_LEN, 7);
		cp.src = (uintptr_t)src;
		if (ioctl(uffd, UFFDIO_COPY, &cp) || pthread_join(t, NULL))
			return 16;
		rc = ioctl(fd, VIPSEC_IOC_SA_DEL, &d) ? (char)errno : 0;
		if (write(report, &rc, 1) != 1)
			return 17;
	}
}

/*
 * Child: owns two SAs on its own file; a grandchild (same file) holds a
 * batch naming the first inside the driver; the child deletes the first
 * SA (waits for that batch) and is killed there.
 */
static void killed_child(int report)
{
	int fd, p[2];
	uint32_t ids[2];
	pid_t g;
	char c;

	fd = open(dt_dev_path(), O_RDWR);
	if (fd < 0 || pipe(p))
		_exit(20);
	{
		struct vipsec_claim cl = { .size = sizeof(cl),
					   .mode = VIPSEC_MODE_SHARED };

		strcpy(cl.app_identity, "dt-tenant-killed");
		if (ioctl(fd, VIPSEC_IOC_CLAIM, &cl))
			_exit(21);
	}
	{
		struct virtio_ipsec_sa_params w[2];
		struct vipsec_sa_add a = { .size = sizeof(a), .num_sas = 2 };

		dt_sa_params(&w[0], 0x7a000001, 1);
		dt_sa_params(&w[1], 0x7a000002, 1);
		a.params = (uintptr_t)w;
		a.ids = (uintptr_t)ids;
		if (ioctl(fd, VIPSEC_IOC_SA_ADD, &a))
			_exit(22);
	}
	g = fork();
	if (g < 0)
		_exit(23);
	if (!g)
		_exit(stall_batch(fd, ids[0], ids[1], p[1], report));
	if (read(p[0], &c, 1) != 1)
		_exit(24);
	if (write(report, ids, sizeof(ids)) != sizeof(ids) ||
	    write(report, &g, sizeof(g)) != sizeof(g))
		_exit(25);
	{
		struct vipsec_sa_del d = { .size = sizeof(d), .sa_id = ids[0] };

		int st = 0;

		if (ioctl(fd, VIPSEC_IOC_SA_DEL, &d))	/* waits: killed here */
			_exit(30 + errno % 64);
		/* diagnosis: the batch holder's fate */
		if (waitpid(g, &st, WNOHANG) == g)
			_exit(WIFEXITED(st) ? 100 + WEXITSTATUS(st) :
					      200 + WTERMSIG(st));
	}
	_exit(26);
}

/* @pid exited (a zombie has closed its files) or was reaped. */
static int gone(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

/*
 * Starts the child of killed_child() and kills it inside SA_DEL; the
 * grandchild holding the batch (and the file) is left in *g, the
 * report pipe in *rp.
 */
static void kill_during_delete(uint32_t ids[2], pid_t *g, int *rp)
{
	int p[2], st;
	pid_t c;

	ck_assert_int_eq(pipe(p), 0);
	c = fork();
	ck_assert_int_ge(c, 0);
	if (!c) {
		close(p[0]);
		killed_child(p[1]);
	}
	close(p[1]);
	ck_assert_msg(read(p[0], ids, 2 * sizeof(*ids)) == 2 * sizeof(*ids) &&
		      read(p[0], g, sizeof(*g)) == sizeof(*g),
		      "the child did not set up (exit status in waitpid)");
	usleep(500 * 1000);	/* the child is inside SA_DEL's wait */
	st = 0;
	ck_assert_msg(waitpid(c, &st, WNOHANG) == 0,
		      "SA_DEL did not wait for the held batch (child exit %d, signal %d)",
		      WIFEXITED(st) ? WEXITSTATUS(st) : -1,
		      WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	kill(c, SIGKILL);
	ck_assert_int_eq(waitpid(c, &st, 0), c);
	*rp = p[0];
}

/* Within 3 s the two lowest free SA ids are @ids again. */
static void ids_come_back(const uint32_t ids[2], const char *when)
{
	uint32_t got[2] = { 0, 0 };
	int tries, found = 0;

	/* the IDA hands out the lowest free ids: the child's, once freed */
	for (tries = 0; tries < 30 && !found; tries++) {
		ck_assert_int_eq(sa_add_err(fa, 0, 2, 0x7b000001, got), 0);
		found = (got[0] == ids[0] || got[0] == ids[1]) &&
			(got[1] == ids[0] || got[1] == ids[1]);
		ck_assert_int_eq(sa_del(fa, 0, got[0]), 0);
		ck_assert_int_eq(sa_del(fa, 0, got[1]), 0);
		if (!found)
			usleep(100 * 1000);
	}
	ck_assert_msg(found,
		      "SA ids %u and %u of a process killed during SA_DEL did not come back %s (got %u, %u)",
		      ids[0], ids[1], when, got[0], got[1]);
}

/* The file goes with the batch holder: its ids come back. */
START_TEST(sa_ids_back_after_kill_during_delete)
{
	uint32_t ids[2];
	int rp, tries;
	pid_t g;

	kill_during_delete(ids, &g, &rp);
	/*
	 * The batch fails, the file's last user goes (g is init's now).
	 * Up to 10 s: its exit closes the file, whose release deletes the
	 * file's SAs through the device; on the vhost-user form under TCG
	 * with -smp 2 that once took over 2 s (the limit before).
	 */
	kill(g, SIGKILL);
	for (tries = 0; tries < 500 && !gone(g); tries++)
		usleep(20 * 1000);
	ck_assert_msg(gone(g), "the batch holder did not exit");
	close(rp);
	ids_come_back(ids, "after close");
}
END_TEST

/*
 * The file stays open: once its batch is done, the next delete on it
 * finds no request left and frees the ids the killed delete kept.
 */
START_TEST(sa_ids_back_while_file_open)
{
	uint32_t ids[2];
	int rp, tries;
	char rc = -1;
	pid_t g;

	kill_during_delete(ids, &g, &rp);
	kill(g, SIGUSR1);	/* batch goes on, then SA_DEL of ids[1] */
	ck_assert_int_eq(read(rp, &rc, 1), 1);
	ck_assert_msg(rc == 0, "SA_DEL after the batch: errno %d", rc);
	ids_come_back(ids, "while the file is open");
	kill(g, SIGKILL);
	for (tries = 0; tries < 100 && !gone(g); tries++)
		usleep(20 * 1000);
	close(rp);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Item 8: events of an SA whose id was reused                         */

START_TEST(event_of_old_sa_not_routed_to_new_owner)
{
	struct virtio_ipsec_sa_params w;
	struct dt_batch *b = calloc(1, sizeof(*b));
	struct vipsec_event ev;
	uint32_t sa, sb, round, i, reused = 0;
	struct sched_param sp;
	int fl;

	ck_assert_ptr_nonnull(b);
	if (!dt_has(VIRTIO_IPSEC_F_EVENTQ)) {
		printf("event_of_old_sa: EVENTQ not offered: not tested\n");
		free(b);
		return;
	}
	/*
	 * Real-time priority on the guest's one CPU: the event work (a
	 * normal kworker) runs only when this process sleeps, so the
	 * delete and the next SA_ADD below come before it unless the
	 * driver waits for it - the window a busy guest leaves anyway.
	 */
	sp.sched_priority = 10;
	ck_assert_msg(!sched_setscheduler(0, SCHED_FIFO, &sp),
		      "SCHED_FIFO: %s", strerror(errno));
	for (round = 0; round < 8; round++) {
		/* a burst of sequence announcements, then the SA goes */
		dt_sa_params(&w, 0x7c00 + round, 1);
		w.seq_notify_interval = 1;
		sa = dt_sa_add(fa, 0, &w);
		for (i = 0; i < 4; i++) {
			dt_batch_init(b, 0, sa, 64, 0, 0);
			ck_assert_int_eq(dt_batch_run(fa, b), 0);
		}
		ck_assert_int_eq(sa_del(fa, 0, sa), 0);
		/* fb's SA raises no event of its own */
		sb = dt_add_out(fb, 0, 0x7d00 + round);
		reused += sb == sa;
		usleep(200 * 1000);
		fl = fcntl(fb, F_GETFL);
		fcntl(fb, F_SETFL, fl | O_NONBLOCK);
		while (read_ev(fb, &ev) == 0)
			ck_assert_msg(ev.type == VIPSEC_EV_LOST,
				      "round %u: the new owner of SA id %u got event type %u (seq %llu) of the deleted SA",
				      round, ev.sa_id, ev.type,
				      (unsigned long long)ev.seq);
		fcntl(fb, F_SETFL, fl);
		ck_assert_int_eq(sa_del(fb, 0, sb), 0);
		drain_events(fa);
	}
	ck_assert_msg(reused, "no SA id was reused: the test proved nothing");
	free(b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Item 11: SPIs per group, SA_MOD endpoints (decided by the device)   */

/*
 * Tenants in their own groups can use the same inbound SPI and
 * destination: neither squats on it nor learns (EEXIST) that the other
 * uses it. Within one group the rule holds.
 */
START_TEST(inbound_spi_scoped_per_group)
{
	struct virtio_ipsec_sa_params w;
	uint32_t ga, gb, id;
	int err;

	ga = dt_group_create(fa, "spi-a");
	gb = dt_group_create(fb, "spi-b");
	dt_sa_params(&w, 0x7e7e0001, 0);
	dt_sa_add(fa, ga, &w);
	dt_sa_add(fb, gb, &w);
	{
		struct vipsec_sa_add a = { .size = sizeof(a), .group_id = ga,
					   .num_sas = 1 };

		a.params = (uintptr_t)&w;
		a.ids = (uintptr_t)&id;
		err = dt_io(fa, VIPSEC_IOC_SA_ADD, &a);
		ck_assert_msg(err == -EEXIST,
			      "second inbound SA with one SPI and destination in a group: %d",
			      err);
	}
}
END_TEST

static int sa_mod_peer(int fd, uint32_t sa, int local, const uint8_t a[4])
{
	struct vipsec_sa_mod m;

	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	m.sa_id = sa;
	m.mod.flags = local ? VIRTIO_IPSEC_SA_MOD_LOCAL :
			      VIRTIO_IPSEC_SA_MOD_PEER;
	memcpy(local ? m.mod.local_addr : m.mod.peer_addr, a, 4);
	return dt_io(fd, VIPSEC_IOC_SA_MOD, &m);
}

/* SA_MOD takes no endpoint SA_ADD would refuse. */
START_TEST(sa_mod_bad_endpoints_refused)
{
	static const uint8_t bad[][4] = {
		{ 0, 0, 0, 0 }, { 224, 0, 0, 1 }, { 255, 255, 255, 255 },
		{ 240, 0, 0, 1 }, { 0, 1, 2, 3 },
	};
	static const uint8_t good[4] = { 203, 0, 113, 9 };
	unsigned int i;
	uint32_t sa;
	int local;

	if (!dt_has(VIRTIO_IPSEC_F_SA_MOD)) {
		printf("sa_mod_bad_endpoints: SA_MOD not offered: not tested\n");
		return;
	}
	sa = dt_add_out(fa, 0, 0x7e7e0101);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (local = 0; local <= 1; local++)
			ck_assert_msg(sa_mod_peer(fa, sa, local, bad[i]) == -EINVAL,
				      "SA_MOD %s %u.%u.%u.%u accepted",
				      local ? "LOCAL" : "PEER", bad[i][0],
				      bad[i][1], bad[i][2], bad[i][3]);
	ck_assert_int_eq(sa_mod_peer(fa, sa, 0, good), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Item 11: per-file quotas                                            */

#define PARAM_DIR	"/sys/module/virtio_ipsec/parameters/"

static const char *const quota_params[] = {
	"max_sas_per_file", "max_groups_per_file", "max_async_kb_per_file",
};
static char quota_saved[3][32];

static int param_rw(const char *name, char *val, size_t len, int write_it)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	fd = open(path, write_it ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return -errno;
	n = write_it ? write(fd, val, strlen(val)) : read(fd, val, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	if (!write_it)
		val[n] = 0;
	return 0;
}

static void param_set(const char *name, unsigned long v)
{
	char val[32];
	int err;

	snprintf(val, sizeof(val), "%lu", v);
	err = param_rw(name, val, sizeof(val), 1);
	ck_assert_msg(!err, "module parameter %s: %s", name, strerror(-err));
}

/* Unchecked fixture (runs in the runner): quotas come back after a failure. */
static void quota_save(void)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (param_rw(quota_params[i], quota_saved[i],
			     sizeof(quota_saved[i]), 0))
			quota_saved[i][0] = 0;
}

static void quota_restore(void)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (quota_saved[i][0])
			param_rw(quota_params[i], quota_saved[i],
				 sizeof(quota_saved[i]), 1);
}

START_TEST(quota_sas_per_file)
{
	uint32_t ids[8], more, four[4];

	param_set("max_sas_per_file", 3);
	ck_assert_int_eq(sa_add_err(fa, 0, 2, 0x7e000001, ids), 0);
	ck_assert_int_eq(sa_add_err(fa, 0, 2, 0x7e000011, ids + 2), -EDQUOT);
	ck_assert_int_eq(sa_add_err(fa, 0, 1, 0x7e000021, ids + 2), 0);
	ck_assert_int_eq(sa_add_err(fa, 0, 1, 0x7e000031, &more), -EDQUOT);
	/* another file has its own quota */
	ck_assert_int_eq(sa_add_err(fb, 0, 3, 0x7e000041, ids + 3), 0);
	/* a delete gives room back */
	ck_assert_int_eq(sa_del(fa, 0, ids[0]), 0);
	ck_assert_int_eq(sa_add_err(fa, 0, 1, 0x7e000051, &more), 0);
	/* 0: no quota */
	param_set("max_sas_per_file", 0);
	ck_assert_int_eq(sa_add_err(fa, 0, 4, 0x7e000061, four), 0);
}
END_TEST

START_TEST(quota_groups_per_file)
{
	struct vipsec_group g = { .size = sizeof(g) };
	uint32_t first;

	param_set("max_groups_per_file", 1);
	first = dt_group_create(fa, "quota-1");
	strcpy(g.name, "quota-2");
	ck_assert_int_eq(dt_io(fa, VIPSEC_IOC_GROUP_CREATE, &g), -EDQUOT);
	dt_group_create(fb, "quota-b");
	g.group_id = first;
	ck_assert_int_eq(dt_io(fa, VIPSEC_IOC_GROUP_DESTROY, &g), 0);
	dt_group_create(fa, "quota-3");
}
END_TEST

/* Async buffers are charged from submission until the record is read. */
START_TEST(quota_async_bytes_per_file)
{
	struct dt_batch *b = calloc(3, sizeof(*b));
	struct vipsec_event ev;
	struct pollfd p = { .fd = fa, .events = POLLIN };
	uint32_t sa;

	ck_assert_ptr_nonnull(b);
	sa = dt_add_out(fa, 0, 0x7f000001);
	/* one packet charges DT_PKT_LEN + DT_ESP_CAP = 712 bytes */
	param_set("max_async_kb_per_file", 1);
	dt_batch_init(&b[0], 0, sa, 1, VIPSEC_XFORM_F_ASYNC, 1);
	ck_assert_int_eq(dt_batch_run(fa, &b[0]), 0);
	dt_batch_init(&b[1], 0, sa, 1, VIPSEC_XFORM_F_ASYNC, 2);
	ck_assert_int_eq(dt_batch_run(fa, &b[1]), -EDQUOT);
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	ck_assert_int_eq(read_ev(fa, &ev), 0);
	ck_assert_uint_eq(ev.user_data, 1);
	ck_assert_int_eq(dt_batch_run(fa, &b[1]), 0);
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	ck_assert_int_eq(read_ev(fa, &ev), 0);
	ck_assert_uint_eq(ev.user_data, 2);
	/* a batch bigger than the quota never fits */
	dt_batch_init(&b[2], 0, sa, 2, VIPSEC_XFORM_F_ASYNC, 3);
	ck_assert_int_eq(dt_batch_run(fa, &b[2]), -EDQUOT);
	free(b);
}
END_TEST

Suite *suite_tenant(void)
{
	Suite *s = suite_create("tenant");
	TCase *tc = tcase_create("isolation");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, genl_events_join_needs_cap_net_admin);
	tcase_add_test(tc, sysfs_tenant_lists_root_only);
	tcase_add_test(tc, sysfs_tenant_strings_escaped);
	tcase_add_test(tc, sysfs_owners_truncation_marked);
	tcase_add_test(tc, sa_ids_back_after_kill_during_delete);
	tcase_add_test(tc, sa_ids_back_while_file_open);
	tcase_add_test(tc, event_of_old_sa_not_routed_to_new_owner);
	tcase_add_test(tc, inbound_spi_scoped_per_group);
	tcase_add_test(tc, sa_mod_bad_endpoints_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("quota");
	tcase_add_unchecked_fixture(tc, quota_save, quota_restore);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, quota_sas_per_file);
	tcase_add_test(tc, quota_groups_per_file);
	tcase_add_test(tc, quota_async_bytes_per_file);
	suite_add_tcase(s, tc);
	return s;
}
