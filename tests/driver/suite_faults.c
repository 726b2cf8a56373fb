// SPDX-License-Identifier: BSD-3-Clause
/*
 * A hostile or broken device: the QEMU device's test-only x-fault knobs
 * (docs/virtio-ipsec-device.md), set at run time through the host's QMP
 * agent (tests/vm/qmp-agent.py, run.sh --qmp). For each fault: no crash,
 * no wait past one request timeout, a clear error to the application,
 * and the device usable again after the driver re-probes it (PCI remove
 * and rescan: remove() on a broken device must work too). The harness
 * unloads the module afterwards and scans the kernel log.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "dt.h"

#define CTRL_TIMEOUT_S	5	/* VIPSEC_CTRL_TIMEOUT_MS, VIPSEC_DATA_... */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *dev_id(void)
{
	static char id[64];
	const char *spec = getenv("VIPSEC_DEVICE_SPEC");
	const char *p = strstr(spec ? spec : ",id=vipsec0", ",id=");

	snprintf(id, sizeof(id), "%s", p ? p + 4 : "vipsec0");
	id[strcspn(id, ",")] = 0;
	return id;
}

/*
 * Asks the host to qom-set a knob. The agent polls the console every
 * 100 ms and answers in order; 2 s leaves it ample time under TCG.
 */
static void host_set(const char *prop, const char *value)
{
	static int seq;

	printf("VIPSEC-HOST-REQUEST: qom-set %s %s %s #%d-%d\n", dev_id(),
	       prop, value, (int)getpid(), ++seq);
	fflush(stdout);
	sleep(2);
}

static void fault(const char *what, const char *queues)
{
	host_set("x-fault-queues", queues);
	host_set("x-fault", what);
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* The driver lets go of the device and probes it again (a fresh reset). */
static void reprobe(void)
{
	char path[PATH_MAX], pci[PATH_MAX], rm[PATH_MAX + 16];
	int i;

	snprintf(path, sizeof(path), "/sys/class/virtio_ipsec/%s/device/..",
		 dt_info.name);
	ck_assert_msg(realpath(path, pci), "%s: %s", path, strerror(errno));
	snprintf(rm, sizeof(rm), "%s/remove", pci);
	ck_assert_int_eq(write_file(rm, "1"), 0);
	ck_assert_int_eq(write_file("/sys/bus/pci/rescan", "1"), 0);
	for (i = 0; i < 400 && !dt_dev_path(); i++)
		usleep(50000);
	ck_assert_msg(dt_dev_path(), "device not back after remove/rescan");
}

/* Clears every fault, re-probes and checks the device works again. */
static void recover(void)
{
	int fd;

	host_set("x-fault", "none");
	reprobe();
	fd = dt_open("dt-faults-after");
	dt_add_out(fd, 0, 0x9999);
	close(fd);
	dt_kmsg_check();
}

/*
 * Checked fixture (in each test's child): a fault left set or a device
 * left broken by a failing test does not carry over into the next.
 */
static void fault_setup(void)
{
	host_set("x-fault", "none");
	close(dt_open("dt-faults-setup"));	/* dt_info: the name */
	reprobe();
}

static int group_create(int fd, uint32_t *id)
{
	struct vipsec_group g;
	int err;

	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	snprintf(g.name, sizeof(g.name), "dt-faults");
	err = dt_io(fd, VIPSEC_IOC_GROUP_CREATE, &g);
	*id = g.group_id;
	return err;
}

/* A status no device returns breaks the device; the caller gets -EIO. */
START_TEST(bad_status_breaks_device)
{
	uint32_t g;
	int fd, err;

	dt_kmsg_mark();
	fd = dt_open("dt-faults");
	fault("bad-status", "ctrl");
	err = group_create(fd, &g);
	ck_assert_msg(err == -EIO, "GROUP_CREATE, status 0xee: %d, want -EIO",
		      err);
	ck_assert_msg(dt_kmsg_seen("bad response"), "no 'bad response' logged");
	close(fd);
	recover();
}
END_TEST

/*
 * A control response the device never wrote (used length 0): the zeroed
 * footer must not read as OK (it did: status 0).
 */
START_TEST(unwritten_ctrl_response_is_an_error)
{
	uint32_t g = 0;
	int fd, err;

	dt_kmsg_mark();
	fd = dt_open("dt-faults");
	fault("short-used", "ctrl");
	err = group_create(fd, &g);
	ck_assert_msg(err == -EIO,
		      "GROUP_CREATE answered with nothing written: %d (group %u), want -EIO",
		      err, g);
	close(fd);
	recover();
}
END_TEST

/* The same on a data queue: no batch result may read as OK. */
START_TEST(unwritten_data_response_is_an_error)
{
	struct dt_batch *b = calloc(1, sizeof(*b));
	uint32_t sa;
	int fd, err;

	dt_kmsg_mark();
	fd = dt_open("dt-faults");
	sa = dt_add_out(fd, 0, 0x9001);
	fault("short-used", "data");
	dt_batch_init(b, 0, sa, 4, 0, 0);
	err = dt_batch_run(fd, b);
	ck_assert_msg(err == -EIO,
		      "XFORM answered with nothing written: %d (pkt 0 status %u, len %u), want -EIO",
		      err, b->pkt[0].status, b->pkt[0].out_len);
	close(fd);
	free(b);
	recover();
}
END_TEST

/*
 * A device that never completes: close() of a file with many SAs waits
 * for one timeout, not one per SA, and later requests fail fast until the
 * device answers again.
 */
#define HANG_SAS	6
START_TEST(hung_device_close_is_bounded)
{
	double t0, dt;
	uint32_t g;
	int fd, fd2, i, err;

	dt_kmsg_mark();
	fd = dt_open("dt-faults-hang");
	for (i = 0; i < HANG_SAS; i++)
		dt_add_out(fd, 0, 0x9100 + i);
	fd2 = dt_open("dt-faults-hang2");
	fault("hang", "ctrl");
	t0 = now();
	close(fd);
	dt = now() - t0;
	printf("hung device: close() with %d SAs took %.1f s\n", HANG_SAS, dt);
	ck_assert_msg(dt < 2 * CTRL_TIMEOUT_S + 2,
		      "close() with %d SAs on a hung device took %.1f s (one timeout is %d s)",
		      HANG_SAS, dt, CTRL_TIMEOUT_S);
	t0 = now();
	err = group_create(fd2, &g);
	dt = now() - t0;
	ck_assert_msg(err == -EIO && dt < 1.5,
		      "request on a stalled device: %d after %.1f s, want -EIO at once",
		      err, dt);
	/* the device answers again: the driver uses it again */
	host_set("x-fault", "none");
	err = group_create(fd2, &g);
	ck_assert_msg(err == 0, "GROUP_CREATE after the device came back: %d",
		      err);
	close(fd2);
	recover();
}
END_TEST

/*
 * The same on a data queue: one timeout, then fast -EIO; close() does
 * not wait for the batch the device holds (it did, in D state, for
 * ever); then the device answers again.
 */
START_TEST(hung_data_queue_fails_fast)
{
	struct dt_batch *b = calloc(1, sizeof(*b));
	double t0, dt;
	uint32_t sa;
	int fd, err;

	dt_kmsg_mark();
	fd = dt_open("dt-faults");
	sa = dt_add_out(fd, 0, 0x9200);
	fault("hang", "data");
	dt_batch_init(b, 0, sa, 2, 0, 0);
	err = dt_batch_run(fd, b);
	ck_assert_msg(err == -ETIMEDOUT, "XFORM on a hung queue: %d", err);
	t0 = now();
	dt_batch_init(b, 0, sa, 2, 0, 0);
	err = dt_batch_run(fd, b);
	dt = now() - t0;
	ck_assert_msg(err == -EIO && dt < 1.5,
		      "XFORM on a stalled queue: %d after %.1f s, want -EIO at once",
		      err, dt);
	t0 = now();
	close(fd);	/* the SA's delete waits for the held batch */
	dt = now() - t0;
	printf("hung data queue: close() took %.1f s\n", dt);
	ck_assert_msg(dt < CTRL_TIMEOUT_S + 3,
		      "close() with a batch held by a hung device took %.1f s",
		      dt);
	host_set("x-fault", "none");
	fd = dt_open("dt-faults-back");
	sa = dt_add_out(fd, 0, 0x9201);
	dt_batch_init(b, 0, sa, 2, 0, 0);
	err = dt_batch_run(fd, b);
	ck_assert_msg(err == 0, "XFORM after the device came back: %d", err);
	ck_assert_uint_eq(b->pkt[0].status, VIRTIO_IPSEC_OK);
	close(fd);
	free(b);
	recover();
}
END_TEST

/* Dropped interrupts: the request is found done at its timeout. */
START_TEST(dropped_interrupt_completes)
{
	uint32_t g = 0;
	int fd, err;

	dt_kmsg_mark();
	fd = dt_open("dt-faults");
	fault("no-irq", "ctrl");
	err = group_create(fd, &g);
	ck_assert_msg(err == 0 && g,
		      "GROUP_CREATE without its interrupt: %d, want 0", err);
	host_set("x-fault", "none");
	err = group_create(fd, &g);
	ck_assert_int_eq(err, 0);
	close(fd);
	recover();
}
END_TEST

/*
 * SA_GET against a device that pages ids it never got, for ever: the walk
 * must end (it ran up to 2^32 ids, minutes of requests).
 */
START_TEST(sa_get_bounded_on_garbage_ids)
{
	struct virtio_ipsec_sa_entry e[16];
	struct vipsec_sa_get sg;
	double t0, dt;
	uint32_t g, sa;
	int fd, err;

	dt_kmsg_mark();
	fd = dt_open("dt-faults");
	if (!dt_has(VIRTIO_IPSEC_F_SA_GET)) {
		printf("sa_get_bounded: no SA_GET: not tested\n");
		close(fd);
		return;
	}
	g = dt_group_create(fd, "dt-faults-ids");
	sa = dt_add_out(fd, g, 0x9300);
	fault("bad-ids", "ctrl");
	memset(&sg, 0, sizeof(sg));
	sg.size = sizeof(sg);
	sg.group_id = g;
	sg.op = VIRTIO_IPSEC_SA_GET_FIRST;
	sg.max_sas = 16;
	sg.entries = (uintptr_t)e;
	t0 = now();
	err = dt_io(fd, VIPSEC_IOC_SA_GET, &sg);
	dt = now() - t0;
	printf("garbage ids: SA_GET %d, %u entries, %.1f s\n", err, sg.count, dt);
	ck_assert_msg(dt < 10, "SA_GET with garbage ids took %.1f s", dt);
	ck_assert_msg(err == 0 || err == -EIO, "SA_GET with garbage ids: %d", err);
	ck_assert_msg(sg.count <= 1 && (!sg.count || e[0].sa_id == sa),
		      "SA_GET returned %u entries not all own", sg.count);
	close(fd);
	recover();
}
END_TEST

/*
 * The size field of an ioctl argument: a newer struct's tail must be
 * zero, which the driver checks; 1 GiB of zeros must not be read.
 */
START_TEST(arg_size_is_capped)
{
	size_t len = 1UL << 30;
	struct vipsec_sa_get *sg;
	int fd, err;

	fd = dt_open("dt-faults");
	sg = mmap(NULL, len, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ck_assert_ptr_ne(sg, MAP_FAILED);
	sg->size = len;
	sg->group_id = 0;
	sg->op = VIRTIO_IPSEC_SA_GET_FIRST;
	sg->max_sas = 1;
	err = dt_io(fd, VIPSEC_IOC_SA_GET, sg);
	ck_assert_msg(err == -E2BIG, "SA_GET with size 1 GiB: %d, want -E2BIG",
		      err);
	sg->size = VIPSEC_MAX_ARG_SIZE + 1;
	ck_assert_int_eq(dt_io(fd, VIPSEC_IOC_SA_GET, sg), -E2BIG);
	munmap(sg, len);
	close(fd);
}
END_TEST

/*
 * Restore fails when the device refuses FEATURES_OK: the driver's queues
 * were deleted at freeze and none came back. close() (SA_DEL) and remove
 * must not touch the deleted virtqueues (use-after-free before).
 */
START_TEST(failed_restore_then_close_and_remove)
{
	uint32_t g;
	int fd, err;

	if (access("/sys/power/pm_test", W_OK)) {
		printf("failed_restore: no /sys/power/pm_test: not tested\n");
		return;
	}
	dt_kmsg_mark();
	fd = dt_open("dt-faults-pm");
	dt_add_out(fd, 0, 0x9400);
	host_set("x-refuse-features-ok", "on");
	ck_assert_int_eq(write_file("/sys/power/pm_test", "devices"), 0);
	err = write_file("/sys/power/state", "freeze");
	write_file("/sys/power/pm_test", "none");
	ck_assert_msg(err == 0, "freeze: %d", err);
	ck_assert_msg(dt_kmsg_seen(" frozen"), "driver freeze did not run");
	ck_assert_msg(!dt_kmsg_seen(" restored, "),
		      "restore ran although the device refused FEATURES_OK");
	err = group_create(fd, &g);
	ck_assert_msg(err < 0, "GROUP_CREATE after a failed restore: %d", err);
	close(fd);	/* SA_DEL on the deleted queues */
	host_set("x-refuse-features-ok", "off");
	reprobe();	/* remove() after the failed restore, then probe */
	fd = dt_open("dt-faults-pm-after");
	dt_add_out(fd, 0, 0x9401);
	close(fd);
	dt_kmsg_check();
}
END_TEST

Suite *suite_faults(void)
{
	Suite *s = suite_create("hostile_device");
	TCase *tc = tcase_create("faults");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, fault_setup, NULL);
	tcase_add_test(tc, bad_status_breaks_device);
	tcase_add_test(tc, unwritten_ctrl_response_is_an_error);
	tcase_add_test(tc, unwritten_data_response_is_an_error);
	tcase_add_test(tc, hung_device_close_is_bounded);
	tcase_add_test(tc, dropped_interrupt_completes);
	tcase_add_test(tc, sa_get_bounded_on_garbage_ids);
	tcase_add_test(tc, arg_size_is_capped);
	suite_add_tcase(s, tc);
	/*
	 * Teardown on a broken device: without the fixes these crash the
	 * kernel (remove after a failed restore) or never return (close()
	 * with a held batch); tagged so a run can leave them out
	 * (CK_EXCLUDE_TAGS=teardown) and still see the other results.
	 */
	tc = tcase_create("fault_teardown");
	tcase_set_tags(tc, "teardown");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, fault_setup, NULL);
	tcase_add_test(tc, failed_restore_then_close_and_remove);
	tcase_add_test(tc, hung_data_queue_fails_fast);
	suite_add_tcase(s, tc);
	return s;
}
