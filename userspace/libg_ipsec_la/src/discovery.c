// SPDX-License-Identifier: BSD-3-Clause
/*
 * Finding accelerators: the names virtio-ipsec<N> listed in /dev and in
 * /sys/class/virtio_ipsec/, ordered by N; and opening one by name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"

#define GLA_DEV_DIR "/dev"
#define GLA_SYS_DIR "/sys/class/" VIPSEC_CLASS_NAME

/* Accelerator number N of "virtio-ipsec<N>", or -1 when not such a name. */
static long gla_name_index(const char *name)
{
	size_t plen = strlen(VIPSEC_DEV_PREFIX);
	const char *p = name + plen;
	char *end;
	long n;

	if (strncmp(name, VIPSEC_DEV_PREFIX, plen) || *p < '0' || *p > '9')
		return -1;
	n = strtol(p, &end, 10);
	if (*end || n < 0 || n > 0xffff)
		return -1;
	return n;
}

static int gla_name_cmp(const void *a, const void *b)
{
	long x = gla_name_index(a), y = gla_name_index(b);

	return (x > y) - (x < y);
}

static int gla_scan_dir(const char *dir, char names[][32], int n, int max)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int i;

	if (!d)
		return n;
	while ((de = readdir(d)) && n < max) {
		if (gla_name_index(de->d_name) < 0 ||
		    strlen(de->d_name) >= sizeof(names[0]))
			continue;
		for (i = 0; i < n; i++)
			if (!strcmp(names[i], de->d_name))
				break;
		if (i == n)
			strcpy(names[n++], de->d_name);
	}
	closedir(d);
	return n;
}

/**
 * gla_discover() - list the accelerators present, by ascending N.
 * @names: [out] up to @max names.
 * Return: number of names (0 when none).
 */
int gla_discover(char names[][32], int max)
{
	int n = gla_scan_dir(GLA_DEV_DIR, names, 0, max);

	n = gla_scan_dir(GLA_SYS_DIR, names, n, max);
	qsort(names, n, sizeof(names[0]), gla_name_cmp);
	return n;
}

/* Create /dev/<name> from sysfs when devtmpfs did not (minimal initramfs). */
static void gla_mknod_from_sysfs(const char *name, const char *path)
{
	char sys[128], buf[32];
	unsigned int maj, min;
	FILE *f;

	snprintf(sys, sizeof(sys), GLA_SYS_DIR "/%s/dev", name);
	f = fopen(sys, "re");
	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f) && sscanf(buf, "%u:%u", &maj, &min) == 2)
		(void)mknod(path, S_IFCHR | 0600, makedev(maj, min));
	fclose(f);
}

/**
 * gla_open_node() - open /dev/<name> read-write, close-on-exec.
 * Return: the fd, -ENODEV when there is no such accelerator, or another
 * negative errno from open(2).
 */
int gla_open_node(const char *name)
{
	char path[64];
	int fd;

	if (gla_name_index(name) < 0)
		return -ENODEV;
	snprintf(path, sizeof(path), GLA_DEV_DIR "/%s", name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		gla_mknod_from_sysfs(name, path);
		fd = open(path, O_RDWR | O_CLOEXEC);
	}
	if (fd < 0)
		return errno == ENOENT || errno == ENXIO ? -ENODEV : -errno;
	return fd;
}
