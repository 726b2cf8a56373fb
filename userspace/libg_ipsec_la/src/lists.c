// SPDX-License-Identifier: BSD-3-Clause
/*
 * Accelerator lists: g_ipsec_la_available_list_get and
 * g_ipsec_la_active_list_get, read from /sys/class/virtio_ipsec/ (the
 * operators' view, docs/ABI/testing/sysfs-class-virtio_ipsec), plus the
 * registered backends (the software accelerator, when the application
 * registered it). VIPSEC_SYSFS_ROOT in the environment
 * replaces the class directory (tests).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Bounded copy that always terminates (names from sysfs may be long). */
static void gla_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

static const char *gla_sys_root(void)
{
	const char *r = getenv("VIPSEC_SYSFS_ROOT");

	return r && *r ? r : "/sys/class/" VIPSEC_CLASS_NAME;
}

/* Read /sys/.../<name>/<attr> into buf (trailing newline stripped). */
static int gla_sys_read(const char *name, const char *attr, char *buf,
			size_t len)
{
	char path[256];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", gla_sys_root(), name, attr);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

static uint64_t gla_sys_u64(const char *name, const char *attr)
{
	char buf[64];

	if (gla_sys_read(name, attr, buf, sizeof(buf)))
		return 0; /* not exposed by this driver */
	return strtoull(buf, NULL, 0);
}

/* Names present under the class directory, by ascending N. */
static int gla_sys_names(char names[][32], int max)
{
	char all[GLA_MAX_ACCELS][32];
	char buf[16];
	int n = gla_discover(all, GLA_MAX_ACCELS), i, k = 0;

	for (i = 0; i < n && k < max; i++)
		if (!gla_sys_read(all[i], "id", buf, sizeof(buf)))
			strcpy(names[k++], all[i]);
	return k;
}

int32_t g_ipsec_la_available_list_get(struct g_ipsec_la_accl_info *list,
				      uint32_t max, uint32_t *num)
{
	const struct gla_backend *be;
	char names[GLA_MAX_ACCELS][32];
	int n, i;
	uint32_t k = 0;

	if (!list || !num || !max)
		return -EINVAL;
	n = gla_sys_names(names, GLA_MAX_ACCELS);
	for (i = 0; i < n && k < max; i++, k++) {
		memset(&list[k], 0, sizeof(list[k]));
		gla_copy(list[k].name, sizeof(list[k].name), names[i]);
		list[k].id = (uint32_t)gla_sys_u64(names[i], "id");
	}
	for (i = 0; (be = gla_backend_nth((unsigned int)i)); i++, n++) {
		if (k == max) /* registered backends come last */
			continue;
		memset(&list[k], 0, sizeof(list[k]));
		gla_copy(list[k].name, sizeof(list[k].name), be->name);
		list[k].id = be->id;
		list[k].software = 1;
		k++;
	}
	*num = k;
	return (uint32_t)n > max ? -ENOSPC : 0;
}

/* owners: one app_identity per line. */
static void gla_parse_owners(char *s, struct g_ipsec_la_active_accl_info *a)
{
	char *line, *save = NULL;

	for (line = strtok_r(s, "\n", &save);
	     line && a->num_owners < G_IPSEC_LA_MAX_OWNERS;
	     line = strtok_r(NULL, "\n", &save))
		gla_copy(a->owners[a->num_owners++].app_identity,
			 sizeof(a->owners[0].app_identity), line);
}

/* groups: "id<TAB>name<TAB>app_identity" per line -> owners' groups. */
static void gla_parse_groups(char *s, struct g_ipsec_la_active_accl_info *a)
{
	char *line, *save = NULL, *name, *app;
	size_t used;
	uint32_t i;

	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		name = strchr(line, '\t');
		app = name ? strchr(name + 1, '\t') : NULL;
		if (!app)
			continue;
		*name++ = 0;
		*app++ = 0;
		for (i = 0; i < a->num_owners; i++) {
			char *g = a->owners[i].group_identities;

			if (strcmp(a->owners[i].app_identity, app))
				continue;
			used = strlen(g);
			snprintf(g + used,
				 sizeof(a->owners[0].group_identities) - used,
				 "%s%s", used ? "," : "", name);
			break;
		}
	}
}

static void gla_active_fill(const char *name,
			    struct g_ipsec_la_active_accl_info *a)
{
	char buf[4096];

	memset(a, 0, sizeof(*a));
	gla_copy(a->name, sizeof(a->name), name);
	a->id = (uint32_t)gla_sys_u64(name, "id");
	if (!gla_sys_read(name, "mode", buf, sizeof(buf)))
		a->mode = !strcmp(buf, "exclusive") ?
				  G_IPSEC_LA_INSTANCE_EXCLUSIVE :
			  !strcmp(buf, "shared") ? G_IPSEC_LA_INSTANCE_SHARED :
						   0;
	if (!gla_sys_read(name, "owners", buf, sizeof(buf)))
		gla_parse_owners(buf, a);
	if (!gla_sys_read(name, "groups", buf, sizeof(buf)))
		gla_parse_groups(buf, a);
	a->bytes_in = gla_sys_u64(name, "bytes_in");
	a->bytes_out = gla_sys_u64(name, "bytes_out");
	a->packets_in = gla_sys_u64(name, "packets_in");
	a->packets_out = gla_sys_u64(name, "packets_out");
	a->sas_created = gla_sys_u64(name, "sas_created");
	a->sas_deleted = gla_sys_u64(name, "sas_deleted");
	a->sas_modified = gla_sys_u64(name, "sas_modified");
	a->active_sas = gla_sys_u64(name, "active_sas");
}

int32_t g_ipsec_la_active_list_get(struct g_ipsec_la_active_accl_info *list,
				   uint32_t max, uint32_t *num)
{
	struct g_ipsec_la_active_accl_info a;
	const struct gla_backend *be;
	char names[GLA_MAX_ACCELS][32];
	int n, i, more = 0;
	uint32_t k = 0;

	if (!list || !num || !max)
		return -EINVAL;
	n = gla_sys_names(names, GLA_MAX_ACCELS);
	for (i = 0; i < n; i++) {
		gla_active_fill(names[i], &a);
		if (!a.mode)
			continue; /* nobody holds it */
		if (k == max) {
			more = 1;
			break;
		}
		list[k++] = a;
	}
	for (i = 0; !more && (be = gla_backend_nth((unsigned int)i)); i++) {
		if (!be->active || !be->active(&a))
			continue;
		if (k < max)
			list[k++] = a;
		else
			more = 1;
	}
	*num = k;
	return more ? -ENOSPC : 0;
}
