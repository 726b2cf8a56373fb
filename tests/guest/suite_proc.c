// SPDX-License-Identifier: BSD-3-Clause
/*
 * What only the real driver shows: two processes competing for exclusive
 * and shared access, one process trying another's SA ids through its own
 * file, sysfs counters moving, and the vipsec CLI (static binary shipped
 * as build/tests/guest/vipsec.cli, not executable so the harness does not
 * run it as a test) listing, probing and monitoring.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include <linux/virtio_ipsec_dev.h>

#include "guest.h"
#include "../lib/gapi.h"

/* Child: open in @mode, report the result on @wfd, hold until @rfd says. */
static void child_hold(enum g_ipsec_la_mode mode, int wfd, int rfd)
{
	struct g_ipsec_la_handle h;
	int ret = ga_open(mode, "child", &h);
	char c;

	if (write(wfd, &ret, sizeof(ret)) != sizeof(ret))
		_exit(3);
	if (read(rfd, &c, 1) < 0)
		_exit(3);
	_exit(ret ? 1 : 0);	/* exit closes: arbitration must reset */
}

START_TEST(two_processes_compete)
{
	struct g_ipsec_la_handle h;
	int up[2], down[2], ret = -1, st;
	pid_t pid;

	ck_assert(!pipe(up) && !pipe(down));
	pid = fork();
	ck_assert(pid >= 0);
	if (!pid)
		child_hold(G_IPSEC_LA_INSTANCE_EXCLUSIVE, up[1], down[0]);
	ck_assert(read(up[0], &ret, sizeof(ret)) == sizeof(ret));
	ck_assert_msg(ret == 0, "child exclusive open: %d", ret);
	ck_assert_msg(ga_open(G_IPSEC_LA_INSTANCE_SHARED, "parent", &h) == -EBUSY,
		      "shared open must fail while another process holds it exclusively");
	ck_assert_msg(ga_open(G_IPSEC_LA_INSTANCE_EXCLUSIVE, "parent", &h) == -EBUSY,
		      "exclusive open must fail while another process holds it");
	ck_assert(write(down[1], "x", 1) == 1);
	ck_assert(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st));
	ck_assert_msg(ga_open(G_IPSEC_LA_INSTANCE_SHARED, "parent", &h) == 0,
		      "the child's exit released its exclusive claim");

	pid = fork();
	ck_assert(pid >= 0);
	if (!pid)
		child_hold(G_IPSEC_LA_INSTANCE_EXCLUSIVE, up[1], down[0]);
	ck_assert(read(up[0], &ret, sizeof(ret)) == sizeof(ret));
	ck_assert_msg(ret == -EBUSY, "child exclusive while we share: %d", ret);
	ck_assert(write(down[1], "x", 1) == 1);
	waitpid(pid, &st, 0);
	pid = fork();
	ck_assert(pid >= 0);
	if (!pid)
		child_hold(G_IPSEC_LA_INSTANCE_SHARED, up[1], down[0]);
	ck_assert(read(up[0], &ret, sizeof(ret)) == sizeof(ret));
	ck_assert_msg(ret == 0, "two processes may share: %d", ret);
	ck_assert(write(down[1], "x", 1) == 1);
	waitpid(pid, &st, 0);
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}
END_TEST

/* Child: its own file, claimed shared, tries the parent's ids. */
static int child_steal(uint32_t group, uint32_t sa_id)
{
	uint8_t in[100] = { 0x45 }, out[200];
	struct vipsec_seg is = { (uintptr_t)in, sizeof(in), 0 };
	struct vipsec_seg os = { (uintptr_t)out, sizeof(out), 0 };
	struct vipsec_pkt k = { .group_id = group, .sa_id = sa_id,
				.in_nsegs = 1, .out_nsegs = 1,
				.in_segs = (uintptr_t)&is,
				.out_segs = (uintptr_t)&os };
	struct vipsec_xform x = { .size = sizeof(x), .op = VIPSEC_OP_ENCAP,
				  .num_pkts = 1, .pkts = (uintptr_t)&k };
	struct vipsec_claim c = { .size = sizeof(c), .mode = VIPSEC_MODE_SHARED };
	struct vipsec_sa_del d = { .size = sizeof(d), .group_id = group,
				   .sa_id = sa_id };
	int fd = open(gt_dev_path(), O_RDWR);

	strcpy(c.app_identity, "thief");
	if (fd < 0 || ioctl(fd, VIPSEC_IOC_CLAIM, &c))
		return 3;
	if (!ioctl(fd, VIPSEC_IOC_XFORM, &x) || errno != ENOENT)
		return 4;	/* used another file's SA */
	if (!ioctl(fd, VIPSEC_IOC_SA_DEL, &d) || errno != ENOENT)
		return 5;	/* deleted another file's SA */
	return 0;
}

START_TEST(other_process_sa_ids)
{
	struct g_ipsec_la_sa_handle o, i;
	uint8_t p[100], e[200];
	uint32_t len = sizeof(e);
	pid_t pid;
	int st, k;

	ck_assert_int_eq(ga_pair(&ga_h, 0x7001, &o, &i), 0);
	/* the SA id is the driver's; try every small id so the real one
	 * is among them without reading the opaque handle */
	pid = fork();
	ck_assert(pid >= 0);
	if (!pid) {
		for (k = 1; k <= 64; k++) {
			st = child_steal(0, (uint32_t)k);
			if (st)
				_exit(st);
		}
		_exit(0);
	}
	ck_assert(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	ck_assert_msg(WEXITSTATUS(st) == 0,
		      "another process used or deleted our SA (child exit %d: "
		      "3 setup, 4 xform allowed, 5 sa_del allowed)",
		      WEXITSTATUS(st));
	ga_packet(p, sizeof(p), 1);
	ck_assert_msg(ga_xf(&ga_h, 1, &o, p, sizeof(p), e, &len) == 0,
		      "our SA still works after the attempts");
}
END_TEST

static int find_active(struct g_ipsec_la_active_accl_info *a)
{
	static struct g_ipsec_la_active_accl_info l[8];
	uint32_t n, i;

	if (g_ipsec_la_active_list_get(l, 8, &n))
		return -1;
	for (i = 0; i < n; i++)
		if (!l[i].software) {
			*a = l[i];
			return 0;
		}
	return -1;
}

START_TEST(sysfs_counters_move)
{
	struct g_ipsec_la_active_accl_info a, b;
	struct g_ipsec_la_sa_handle o, i;
	uint8_t p[100], e[200], d[200];
	uint32_t len, dlen, k;
	char path[128];

	ck_assert_int_eq(find_active(&a), 0);
	snprintf(path, sizeof(path), "/sys/class/virtio_ipsec/%s/packets_out",
		 a.name);
	if (access(path, R_OK))
		GA_SKIP("driver has no packets_out/... statistics in sysfs");
	ck_assert_int_eq(ga_pair(&ga_h, 0x7101, &o, &i), 0);
	ga_packet(p, sizeof(p), 2);
	for (k = 0; k < 10; k++) {
		len = sizeof(e);
		dlen = sizeof(d);
		ck_assert_int_eq(ga_xf(&ga_h, 1, &o, p, sizeof(p), e, &len), 0);
		ck_assert_int_eq(ga_xf(&ga_h, 0, &i, e, len, d, &dlen), 0);
	}
	ck_assert_int_eq(find_active(&b), 0);
	ck_assert_msg(b.packets_out >= a.packets_out + 10 &&
		      b.packets_in >= a.packets_in + 10 &&
		      b.bytes_out > a.bytes_out && b.bytes_in > a.bytes_in,
		      "packets/bytes in/out move (out %llu -> %llu)",
		      (unsigned long long)a.packets_out,
		      (unsigned long long)b.packets_out);
	ck_assert_msg(b.sas_created >= a.sas_created + 2 &&
		      b.active_sas >= a.active_sas + 2, "SA counters move");
	ck_assert_msg(b.mode == G_IPSEC_LA_INSTANCE_SHARED && b.num_owners >= 1,
		      "mode and owners");
}
END_TEST

/*
 * Run the guest's vipsec binary; its stdout (and stderr with @err2) into
 * @out, as @uid unless it is 0. Returns the exit code.
 */
static int run_cli_as(char *out, size_t cap, char *const argv[], uid_t uid,
		      int err2)
{
	static const char *bin = "/bin/vipsec";	/* shipped by the harness */
	int pfd[2], st;
	ssize_t n, got = 0;
	pid_t pid;

	if (access(bin, X_OK))
		return -1;
	if (pipe(pfd))
		return -1;
	pid = fork();
	if (!pid) {
		dup2(pfd[1], 1);
		if (err2)
			dup2(pfd[1], 2);
		close(pfd[0]);
		/* an unprivileged user: no CAP_NET_ADMIN at all */
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(126);
		alarm(30);
		execv(bin, argv);
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], out + got, cap - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = 0;
	close(pfd[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int run_cli(char *out, size_t cap, char *const argv[])
{
	return run_cli_as(out, cap, argv, 0, 0);
}

START_TEST(vipsec_cli)
{
	static char out[16384];
	char *list[] = { "vipsec", "list", NULL };
	char *probe[] = { "vipsec", "sa", "probe", "--packets", "4", NULL };
	char *stats[] = { "vipsec", "sa", "stats", NULL };

	ck_assert_msg(run_cli(out, sizeof(out), list) == 0,
		      "vipsec list failed (is /bin/vipsec in the guest image?)");
	printf("%s", out);
	ck_assert_msg(strstr(out, "accel virtio-ipsec") && strstr(out, "gapi-test") &&
		      strstr(out, "mode shared"), "vipsec list shows us");
	ck_assert_int_eq(run_cli(out, sizeof(out), probe), 0);
	printf("%s", out);
	ck_assert_msg(strstr(out, "4 of 4 packets round-tripped") &&
		      strstr(out, "rfc4106(gcm(aes))") &&
		      strstr(out, "400(bytes), 4(packets)"),
		      "vipsec sa probe shows SAs and statistics through the device");
	ck_assert_int_eq(run_cli(out, sizeof(out), stats), 0);
	printf("%s", out);
	ck_assert_msg(strstr(out, "created"), "vipsec sa stats");
}
END_TEST

/* Child: its own file as "owner-b" with an outbound SA; holds until @rfd. */
static void child_own_sa(int wfd, int rfd)
{
	struct g_ipsec_la_handle h;
	struct g_ipsec_la_sa_handle o;
	struct g_ipsec_la_sa sa;
	int ret = ga_open(G_IPSEC_LA_INSTANCE_SHARED, "owner-b", &h);
	char c;

	ga_sa(&sa, 0x7302);
	if (!ret)
		ret = ga_add(&h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o);
	if (write(wfd, &ret, sizeof(ret)) != sizeof(ret))
		_exit(3);
	if (read(rfd, &c, 1) < 0)
		_exit(3);
	_exit(ret ? 1 : 0);
}

/* The block of the SA with @spi: from its "accel" line to the next one. */
static const char *sa_block(const char *out, const char *spi, char *blk,
			    size_t cap)
{
	const char *p = strstr(out, spi), *b, *e;

	if (!p)
		return NULL;
	for (b = p; b > out && strncmp(b, "accel ", 6); b--)
		;
	e = strstr(p, "\naccel ");
	if (!e)
		e = p + strlen(p);
	snprintf(blk, cap, "%.*s", (int)(e - b), b);
	return blk;
}

START_TEST(vipsec_sa_show_all)
{
	static char out[32768], blk[2048];
	char *show[] = { "vipsec", "sa", "show", NULL };
	/* the test key's first bytes, as ip xfrm or a hex dump would show them */
	static const char *const keyhex[] = { "feffe992", "fe ff e9 92",
					      "FEFFE992", "cafebabe" };
	struct g_ipsec_la_sa_handle o;
	struct g_ipsec_la_sa sa;
	int up[2], down[2], ret = -1, st;
	unsigned int k;
	pid_t pid;

	ga_sa(&sa, 0x7301);
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o), 0);
	ck_assert(!pipe(up) && !pipe(down));
	pid = fork();
	ck_assert(pid >= 0);
	if (!pid)
		child_own_sa(up[1], down[0]);
	ck_assert(read(up[0], &ret, sizeof(ret)) == sizeof(ret));
	ck_assert_msg(ret == 0, "child SA add: %d", ret);

	ret = run_cli_as(out, sizeof(out), show, 0, 1);
	printf("%s", out);
	ck_assert_msg(ret == 0 && !strstr(out, "per-accelerator view"),
		      "vipsec sa show lists SAs over netlink (exit %d)", ret);
	ck_assert_msg(sa_block(out, "spi 0x00007301", blk, sizeof(blk)) &&
		      strstr(blk, "owner \"gapi-test\"") &&
		      strstr(blk, "dir out"),
		      "our SA is listed with its owner");
	ck_assert_msg(sa_block(out, "spi 0x00007302", blk, sizeof(blk)) &&
		      strstr(blk, "owner \"owner-b\"") &&
		      strstr(blk, "dir out"),
		      "the other process's SA is listed with its owner");
	if (ga_has_feature(VIRTIO_IPSEC_F_SA_GET))
		ck_assert_msg(strstr(blk, "(packets)") && strstr(blk, "replay"),
			      "with SA_GET the device's statistics are shown");
	for (k = 0; k < sizeof(keyhex) / sizeof(keyhex[0]); k++)
		ck_assert_msg(!strstr(out, keyhex[k]), "no key bytes: %s",
			      keyhex[k]);

	/* nobody: the dump is refused, the old view is shown instead */
	ret = run_cli_as(out, sizeof(out), show, 65534, 1);
	printf("%s", out);
	ck_assert_msg(ret == 0 && strstr(out, "needs CAP_NET_ADMIN") &&
		      strstr(out, "per-accelerator view") &&
		      !strstr(out, "spi 0x0000730"),
		      "without CAP_NET_ADMIN the dump is refused (exit %d)", ret);

	ck_assert(write(down[1], "x", 1) == 1);
	ck_assert(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		  !WEXITSTATUS(st));
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}
END_TEST

START_TEST(vipsec_monitor_sees_event)
{
	static char out[4096];
	char *mon[] = { "vipsec", "monitor", "--count", "1", NULL };
	struct g_ipsec_la_sa sa;
	struct g_ipsec_la_sa_handle o;
	uint8_t p[100], e[200];
	uint32_t len, k;
	int pfd[2], st;
	pid_t pid;

	if (!ga_has_feature(7))
		GA_SKIP("no lifetimes/event queue: no event to watch");
	ck_assert(!pipe(pfd));
	pid = fork();
	if (!pid) {	/* the monitor, in its own process */
		close(pfd[0]);
		st = run_cli(out, sizeof(out), mon);
		if (write(pfd[1], out, strlen(out)) < 0)
			_exit(3);
		_exit(st);
	}
	close(pfd[1]);
	sleep(1);	/* let it join the group; an event before is missed */
	ga_sa(&sa, 0x7201);
	sa.soft_packets_limit = 1;
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o), 0);
	ga_packet(p, sizeof(p), 3);
	for (k = 0; k < 3; k++) {
		len = sizeof(e);
		ga_xf(&ga_h, 1, &o, p, sizeof(p), e, &len);
	}
	ck_assert(waitpid(pid, &st, 0) == pid);
	memset(out, 0, sizeof(out));
	if (read(pfd[0], out, sizeof(out) - 1) < 0)
		out[0] = 0;
	close(pfd[0]);
	printf("%s", out);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 1 && strstr(out, "not found"))
		GA_SKIP("driver has no netlink family yet");
	ck_assert_msg(WIFEXITED(st) && !WEXITSTATUS(st) &&
		      strstr(out, "soft-expire") && strstr(out, "gapi-test"),
		      "vipsec monitor prints the soft expiry with its owner");
}
END_TEST

Suite *suite_proc(void)
{
	Suite *s = suite_create("processes_sysfs_cli");
	TCase *a = tcase_create("alone");
	TCase *f = tcase_create("fixture");

	tcase_set_timeout(a, 60);
	tcase_add_test(a, two_processes_compete);
	suite_add_tcase(s, a);
	tcase_add_checked_fixture(f, ga_setup, ga_teardown);
	tcase_set_timeout(f, 90);
	tcase_add_test(f, other_process_sa_ids);
	tcase_add_test(f, sysfs_counters_move);
	tcase_add_test(f, vipsec_cli);
	tcase_add_test(f, vipsec_sa_show_all);
	tcase_add_test(f, vipsec_monitor_sees_event);
	suite_add_tcase(s, f);
	return s;
}
