// SPDX-License-Identifier: BSD-3-Clause
/*
 * SA_MOD, SA_GET, SA_FLUSH: ownership (only the file's own SAs, also in
 * the shared default group 0), validation, and the sysfs counters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dt.h"

static int fa = -1, fb = -1;

static void setup(void)
{
	dt_kmsg_mark();
	fa = dt_open("dt-owner-a");
	fb = dt_open("dt-owner-b");
}

static void teardown(void)
{
	close(fa);
	close(fb);
	dt_kmsg_check();
}

static void mod_req(struct vipsec_sa_mod *m, uint32_t group, uint32_t sa)
{
	memset(m, 0, sizeof(*m));
	m->size = sizeof(*m);
	m->group_id = group;
	m->sa_id = sa;
	m->mod.flags = VIRTIO_IPSEC_SA_MOD_PEER;
	memcpy(m->mod.peer_addr, "\xc6\x33\x64\x02", 4);
}

static int sa_get(int fd, uint32_t group, uint32_t op, uint32_t cursor,
		  uint32_t max, struct virtio_ipsec_sa_entry *e,
		  struct vipsec_sa_get *g)
{
	memset(g, 0, sizeof(*g));
	g->size = sizeof(*g);
	g->group_id = group;
	g->op = op;
	g->sa_id = cursor;
	g->max_sas = max;
	g->entries = (uintptr_t)e;
	return dt_io(fd, VIPSEC_IOC_SA_GET, g);
}

static int sa_flush(int fd, uint32_t group)
{
	struct vipsec_sa_flush fl = { .size = sizeof(fl), .group_id = group };

	return dt_io(fd, VIPSEC_IOC_SA_FLUSH, &fl);
}

static int sa_del(int fd, uint32_t group, uint32_t sa)
{
	struct vipsec_sa_del d = { .size = sizeof(d), .group_id = group,
				   .sa_id = sa };

	return dt_io(fd, VIPSEC_IOC_SA_DEL, &d);
}

START_TEST(sa_mod_own_only)
{
	uint32_t a = dt_add_out(fa, 0, 0x1001);
	uint64_t before = dt_sysfs_u64("sas_modified");
	struct vipsec_sa_mod m;

	mod_req(&m, 0, a);
	if (!dt_has(VIRTIO_IPSEC_F_SA_MOD)) {
		ck_assert_int_eq(dt_io(fa, VIPSEC_IOC_SA_MOD, &m), -EOPNOTSUPP);
		printf("sa_mod: VIRTIO_IPSEC_F_SA_MOD not offered: -EOPNOTSUPP checked\n");
		return;
	}
	ck_assert_int_eq(dt_io(fb, VIPSEC_IOC_SA_MOD, &m), -ENOENT);
	m.flags = 1;
	ck_assert_int_eq(dt_io(fa, VIPSEC_IOC_SA_MOD, &m), -EINVAL);
	m.flags = 0;
	m.mod.flags = 1u << 7;
	ck_assert_int_eq(dt_io(fa, VIPSEC_IOC_SA_MOD, &m), -EINVAL);
	m.mod.flags = VIRTIO_IPSEC_SA_MOD_PEER;
	/* LIFETIME's fields without the flag: the driver refuses them */
	m.mod.life_packets = 1;
	ck_assert_int_eq(dt_io(fa, VIPSEC_IOC_SA_MOD, &m), -EINVAL);
	m.mod.life_packets = 0;
	m.mod.life_seconds = 1;
	ck_assert_int_eq(dt_io(fa, VIPSEC_IOC_SA_MOD, &m), -EINVAL);
	m.mod.life_seconds = 0;
	m.group_id = 7;
	ck_assert_int_eq(dt_io(fa, VIPSEC_IOC_SA_MOD, &m), -ENOENT);
	m.group_id = 0;
	ck_assert_int_eq(dt_io(fa, VIPSEC_IOC_SA_MOD, &m), 0);
	ck_assert_uint_eq(dt_sysfs_u64("sas_modified"), before + 1);
}
END_TEST

START_TEST(sa_get_default_group_filters)
{
	static struct virtio_ipsec_entry_buf {
		struct virtio_ipsec_sa_entry e[VIPSEC_MAX_SA_GET];
	} buf;
	struct vipsec_sa_get g;
	uint32_t a[3], b[2], i;

	for (i = 0; i < 3; i++)
		a[i] = dt_add_out(fa, 0, 0x2000 + i);
	for (i = 0; i < 2; i++)
		b[i] = dt_add_out(fb, 0, 0x2100 + i);
	if (!dt_has(VIRTIO_IPSEC_F_SA_GET)) {
		ck_assert_int_eq(sa_get(fa, 0, VIRTIO_IPSEC_SA_GET_FIRST, 0, 8,
					buf.e, &g), -EOPNOTSUPP);
		printf("sa_get: VIRTIO_IPSEC_F_SA_GET not offered: -EOPNOTSUPP checked\n");
		return;
	}
	ck_assert_int_eq(sa_get(fa, 0, 9, 0, 8, buf.e, &g), -EINVAL);
	ck_assert_int_eq(sa_get(fa, 0, VIRTIO_IPSEC_SA_GET_FIRST, 0, 0, buf.e, &g), -EINVAL);
	ck_assert_int_eq(sa_get(fa, 0, VIRTIO_IPSEC_SA_GET_FIRST, 0,
				VIPSEC_MAX_SA_GET + 1, buf.e, &g), -EINVAL);
	ck_assert_int_eq(sa_get(fa, 0, VIRTIO_IPSEC_SA_GET_FIRST, 0, 4,
				(void *)8, &g), -EFAULT);

	/* all of a's, none of b's */
	ck_assert_int_eq(sa_get(fa, 0, VIRTIO_IPSEC_SA_GET_FIRST, 0,
				VIPSEC_MAX_SA_GET, buf.e, &g), 0);
	ck_assert_uint_eq(g.count, 3);
	ck_assert_uint_eq(g.more, 0);
	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(buf.e[i].sa_id, a[i]);
		ck_assert_uint_eq(buf.e[i].params.spi, 0x2000 + i);
		ck_assert_uint_eq(buf.e[i].params.cipher_key[0] |
				  buf.e[i].params.cipher_key[15] |
				  buf.e[i].params.salt[0], 0);
	}
	/* paging: 2, then the rest */
	ck_assert_int_eq(sa_get(fa, 0, VIRTIO_IPSEC_SA_GET_FIRST, 0, 2, buf.e, &g), 0);
	ck_assert_uint_eq(g.count, 2);
	ck_assert_uint_eq(g.more, 1);
	ck_assert_int_eq(sa_get(fa, 0, VIRTIO_IPSEC_SA_GET_NEXT, buf.e[1].sa_id, 2,
				buf.e, &g), 0);
	ck_assert_uint_eq(g.count, 1);
	ck_assert_uint_eq(g.more, 0);
	ck_assert_uint_eq(buf.e[0].sa_id, a[2]);
	/* exact: own yes, other's no */
	ck_assert_int_eq(sa_get(fa, 0, VIRTIO_IPSEC_SA_GET_EXACT, a[1], 1, buf.e, &g), 0);
	ck_assert_uint_eq(g.count, 1);
	ck_assert_uint_eq(buf.e[0].sa_id, a[1]);
	ck_assert_int_eq(sa_get(fa, 0, VIRTIO_IPSEC_SA_GET_EXACT, b[0], 1, buf.e, &g),
			 -ENOENT);
	/* b sees only its own */
	ck_assert_int_eq(sa_get(fb, 0, VIRTIO_IPSEC_SA_GET_FIRST, 0, 16, buf.e, &g), 0);
	ck_assert_uint_eq(g.count, 2);
	ck_assert_uint_eq(buf.e[0].sa_id, b[0]);
	ck_assert_uint_eq(buf.e[1].sa_id, b[1]);
}
END_TEST

START_TEST(sa_flush_default_group_own_only)
{
	struct dt_batch *b = calloc(1, sizeof(*b));
	uint32_t a[3], bb, i;
	uint64_t del0 = dt_sysfs_u64("sas_deleted");

	for (i = 0; i < 3; i++)
		a[i] = dt_add_out(fa, 0, 0x3000 + i);
	bb = dt_add_out(fb, 0, 0x3100);
	ck_assert_int_eq(sa_flush(fb, 5), -ENOENT);
	{
		struct vipsec_sa_flush fl = { .size = sizeof(fl), .reserved = 1 };

		ck_assert_int_eq(dt_io(fa, VIPSEC_IOC_SA_FLUSH, &fl), -EINVAL);
	}
	ck_assert_int_eq(sa_flush(fa, 0), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(sa_del(fa, 0, a[i]), -ENOENT);
	ck_assert_uint_eq(dt_sysfs_u64("sas_deleted"), del0 + 3);
	/* b's SA in the same default group still works */
	dt_batch_init(b, 0, bb, 4, 0, 0);
	ck_assert_int_eq(dt_batch_run(fb, b), 0);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(b->pkt[i].status, VIRTIO_IPSEC_OK);
	/* and a's old ids are refused for packets */
	dt_batch_init(b, 0, a[0], 1, 0, 0);
	ck_assert_int_eq(dt_batch_run(fa, b), -ENOENT);
	free(b);
}
END_TEST

START_TEST(sa_flush_own_group)
{
	struct vipsec_group gd = { .size = sizeof(gd) };
	uint32_t g = dt_group_create(fa, "dt-flush");
	uint32_t s1 = dt_add_out(fa, g, 0x4001), s2 = dt_add_out(fa, g, 0x4002);
	uint32_t s0 = dt_add_out(fa, 0, 0x4000);
	uint64_t active = dt_sysfs_u64("active_sas");

	gd.group_id = g;
	ck_assert_int_eq(dt_io(fa, VIPSEC_IOC_GROUP_DESTROY, &gd), -EBUSY);
	ck_assert_int_eq(sa_flush(fb, g), -ENOENT);	/* not b's group */
	ck_assert_int_eq(sa_flush(fa, g), 0);
	ck_assert_uint_eq(dt_sysfs_u64("active_sas"), active - 2);
	ck_assert_int_eq(sa_del(fa, g, s1), -ENOENT);
	ck_assert_int_eq(sa_del(fa, g, s2), -ENOENT);
	ck_assert_int_eq(dt_io(fa, VIPSEC_IOC_GROUP_DESTROY, &gd), 0);
	ck_assert_int_eq(sa_del(fa, 0, s0), 0);	/* group 0 untouched */
}
END_TEST

START_TEST(sysfs_counters_move)
{
	struct dt_batch *b = calloc(1, sizeof(*b));
	uint64_t po = dt_sysfs_u64("packets_out"), bo = dt_sysfs_u64("bytes_out");
	uint64_t cr = dt_sysfs_u64("sas_created");
	uint32_t g = dt_group_create(fa, "dt-sysfs-grp");
	uint32_t sa = dt_add_out(fa, g, 0x5001);
	char buf[512] = "";
	FILE *f;

	ck_assert_uint_eq(dt_sysfs_u64("sas_created"), cr + 1);
	dt_batch_init(b, g, sa, 8, 0, 0);
	ck_assert_int_eq(dt_batch_run(fa, b), 0);
	ck_assert_uint_eq(dt_sysfs_u64("packets_out"), po + 8);
	ck_assert_uint_eq(dt_sysfs_u64("bytes_out"), bo + 8 * DT_PKT_LEN);
	snprintf(buf, sizeof(buf), "/sys/class/virtio_ipsec/%s/groups", dt_info.name);
	f = fopen(buf, "r");
	ck_assert_ptr_nonnull(f);
	memset(buf, 0, sizeof(buf));
	ck_assert_uint_gt(fread(buf, 1, sizeof(buf) - 1, f), 0);
	fclose(f);
	ck_assert_msg(strstr(buf, "\tdt-sysfs-grp\tdt-owner-a\n"), "groups: %s", buf);
	free(b);
}
END_TEST

/*
 * The operators' netlink dump lists both files' SAs with their owners,
 * never a key byte, and is refused to a user without CAP_NET_ADMIN.
 */
START_TEST(genl_sa_dump_all_owners)
{
	static const uint8_t key4[4] = { 0xfe, 0xff, 0xe9, 0x92 };
	static const uint8_t salt4[4] = { 0xca, 0xfe, 0xba, 0xbe };
	char owner[64];
	int nl, family, n, st, stats;
	pid_t pid;

	dt_add_out(fa, 0, 0x6301);
	dt_add_out(fb, 0, 0x6302);
	nl = dt_genl_open(&family);
	close(nl);
	n = dt_genl_sa_dump(family, 0x6301, owner, sizeof(owner), &stats, key4);
	ck_assert_msg(n >= 2, "dump: %d", n);
	ck_assert_str_eq(owner, "dt-owner-a");
	ck_assert_int_eq(stats, dt_has(VIRTIO_IPSEC_F_SA_GET));
	n = dt_genl_sa_dump(family, 0x6302, owner, sizeof(owner), &stats, salt4);
	ck_assert_msg(n >= 2, "dump: %d", n);
	ck_assert_str_eq(owner, "dt-owner-b");

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {	/* nobody: no CAP_NET_ADMIN */
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(3);
		n = dt_genl_sa_dump(family, 0x6301, owner, sizeof(owner),
				    &stats, key4);
		_exit(n == -EPERM ? 0 : n < 0 ? 4 : 5);
	}
	ck_assert(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	ck_assert_msg(WEXITSTATUS(st) == 0,
		      "unprivileged dump not refused with EPERM (child %d: "
		      "3 setuid, 4 other error, 5 listed)", WEXITSTATUS(st));
}
END_TEST

Suite *suite_sa(void)
{
	Suite *s = suite_create("sa_mod_get_flush");
	TCase *tc = tcase_create("ownership");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sa_mod_own_only);
	tcase_add_test(tc, sa_get_default_group_filters);
	tcase_add_test(tc, sa_flush_default_group_own_only);
	tcase_add_test(tc, sa_flush_own_group);
	tcase_add_test(tc, sysfs_counters_move);
	tcase_add_test(tc, genl_sa_dump_all_owners);
	suite_add_tcase(s, tc);
	return s;
}
