// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: attributes of /sys/class/virtio_ipsec/<name>.
 * Documented in docs/ABI/testing/sysfs-class-virtio_ipsec.
 *
 * owners and groups print strings tenants chose (app identities, group
 * names): they are root-only (one tenant must not learn another's), and
 * each string is escaped so it can neither add a line nor a column.
 */

#include <linux/device.h>
#include <linux/slab.h>
#include <linux/string_helpers.h>
#include <linux/sysfs.h>
#include <linux/virtio_ipsec_dev.h>

#include "chardev.h"
#include "main.h"
#include "sysfs.h"

/* A read-only attribute: one value of vd, printed with @fmt. */
#define VIPSEC_DEV_ATTR(_name, fmt, value)				\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct vipsec_dev *vd = dev_get_drvdata(dev);			\
									\
	return sysfs_emit(buf, fmt "\n", value);			\
}									\
static DEVICE_ATTR_RO(_name)

VIPSEC_DEV_ATTR(name, "%s", vd->name);
VIPSEC_DEV_ATTR(id, "%d", vd->id);
VIPSEC_DEV_ATTR(features, "0x%llx", vd->features);
VIPSEC_DEV_ATTR(max_sas, "%u", vd->lim.max_sas);
VIPSEC_DEV_ATTR(active_sas, "%d", atomic_read(&vd->active_sas));

static ssize_t mode_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct vipsec_dev *vd = dev_get_drvdata(dev);
	const char *mode;

	mutex_lock(&vd->lock);
	mode = vd->claim_mode == VIPSEC_MODE_EXCLUSIVE ? "exclusive" :
	       vd->claim_mode == VIPSEC_MODE_SHARED ? "shared" : "none";
	mutex_unlock(&vd->lock);
	return sysfs_emit(buf, "%s\n", mode);
}
static DEVICE_ATTR_RO(mode);

/* Every byte a line could be forged with, and '\\' itself, comes escaped. */
#define VIPSEC_ESC_FLAGS	(ESCAPE_SPACE | ESCAPE_SPECIAL | ESCAPE_NULL | \
				 ESCAPE_OCTAL | ESCAPE_NAP | ESCAPE_APPEND)

/* A tenant string (at most @len bytes, maybe unterminated), escaped. */
#define VIPSEC_ESC_MAX	sizeof(((struct vipsec_file *)NULL)->app_identity)
static_assert(VIRTIO_IPSEC_NAME_LEN <= VIPSEC_ESC_MAX);
struct vipsec_esc {
	char s[4 * VIPSEC_ESC_MAX + 1];	/* "\ooo" per byte at worst */
};

static const char *vipsec_esc(struct vipsec_esc *e, const char *src,
			      size_t len)
{
	int n = string_escape_mem(src, strnlen(src, len), e->s,
				  sizeof(e->s) - 1, VIPSEC_ESC_FLAGS, "\\");

	e->s[min_t(int, n, sizeof(e->s) - 1)] = '\0';
	return e->s;
}

/*
 * Appends one line at *@len when it fits whole with room left for the
 * truncation mark, else appends the mark and returns false. A page holds
 * the output; the mark (a line starting with a TAB, which no escaped
 * string holds) tells a reader that entries were left out.
 */
#define VIPSEC_SYSFS_TRUNC	"\ttruncated\n"
static __printf(3, 4) bool vipsec_emit_line(char *buf, ssize_t *len,
					    const char *fmt, ...)
{
	size_t room = PAGE_SIZE - *len - sizeof(VIPSEC_SYSFS_TRUNC);
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf + *len, room, fmt, args);
	va_end(args);
	if (n >= 0 && n < room) {
		*len += n;
		return true;
	}
	*len += scnprintf(buf + *len, PAGE_SIZE - *len, VIPSEC_SYSFS_TRUNC);
	return false;
}

/* One line per file holding a claim: its app_identity, escaped. */
static ssize_t owners_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct vipsec_dev *vd = dev_get_drvdata(dev);
	struct vipsec_file *f;
	struct vipsec_esc e;
	ssize_t len = 0;

	mutex_lock(&vd->lock);
	list_for_each_entry(f, &vd->files, node)
		if (f->claim_mode &&
		    !vipsec_emit_line(buf, &len, "%s\n",
				      vipsec_esc(&e, f->app_identity,
						 sizeof(f->app_identity))))
			break;
	mutex_unlock(&vd->lock);
	return len;
}
static DEVICE_ATTR_ADMIN_RO(owners);

/* Driver counters (struct vipsec_stats), one decimal number each. */
#define VIPSEC_STAT_ATTR(field)						\
	VIPSEC_DEV_ATTR(field, "%lld",					\
			(long long)atomic64_read(&vd->stats.field))

VIPSEC_STAT_ATTR(bytes_in);
VIPSEC_STAT_ATTR(bytes_out);
VIPSEC_STAT_ATTR(packets_in);
VIPSEC_STAT_ATTR(packets_out);
VIPSEC_STAT_ATTR(sas_created);
VIPSEC_STAT_ATTR(sas_deleted);
VIPSEC_STAT_ATTR(sas_modified);

static ssize_t num_data_queues_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct vipsec_dev *vd = dev_get_drvdata(dev);
	u32 n = vd->features & BIT_ULL(VIRTIO_IPSEC_F_MQ) ?
		vd->lim.num_data_queues : 1;

	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(num_data_queues);

/*
 * One line per queue: "<queue name>\t<requests handed to the device>",
 * data queues first, then the control queue. Shows how a multi-threaded
 * VNF's requests spread over the data queues (one per CPU, data.c).
 */
static ssize_t queue_requests_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct vipsec_dev *vd = dev_get_drvdata(dev);
	ssize_t len = 0;
	u32 i;

	for (i = 0; i <= vd->lim.num_data_queues; i++) {
		struct vipsec_queue *q = i < vd->lim.num_data_queues ?
					 &vd->dataq[i] : &vd->ctrlq;

		if (!vipsec_emit_line(buf, &len, "%s\t%lld\n", q->name,
				      (long long)atomic64_read(&q->requests)))
			break;
	}
	return len;
}
static DEVICE_ATTR_RO(queue_requests);

/* One line per group: "<id>\t<name>\t<owner's app identity>", escaped. */
static ssize_t groups_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct vipsec_dev *vd = dev_get_drvdata(dev);
	struct vipsec_group_ent *g;
	struct vipsec_esc *e;
	unsigned long id;
	ssize_t len = 0;

	e = kmalloc_array(2, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	/* vd->lock keeps each owner alive; its identity is fixed. */
	mutex_lock(&vd->lock);
	mutex_lock(&vd->tab_lock);
	xa_for_each(&vd->groups, id, g)
		if (!vipsec_emit_line(buf, &len, "%u\t%s\t%s\n", g->id,
				      vipsec_esc(&e[0], g->name,
						 sizeof(g->name)),
				      vipsec_esc(&e[1], g->owner->app_identity,
						 sizeof(g->owner->app_identity))))
			break;
	mutex_unlock(&vd->tab_lock);
	mutex_unlock(&vd->lock);
	kfree(e);
	return len;
}
static DEVICE_ATTR_ADMIN_RO(groups);

static struct attribute *vipsec_dev_attrs[] = {
	&dev_attr_bytes_in.attr,
	&dev_attr_bytes_out.attr,
	&dev_attr_packets_in.attr,
	&dev_attr_packets_out.attr,
	&dev_attr_sas_created.attr,
	&dev_attr_sas_deleted.attr,
	&dev_attr_sas_modified.attr,
	&dev_attr_num_data_queues.attr,
	&dev_attr_queue_requests.attr,
	&dev_attr_groups.attr,
	&dev_attr_name.attr,
	&dev_attr_id.attr,
	&dev_attr_features.attr,
	&dev_attr_max_sas.attr,
	&dev_attr_active_sas.attr,
	&dev_attr_mode.attr,
	&dev_attr_owners.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vipsec_dev);

const struct attribute_group **vipsec_sysfs_groups(void)
{
	return vipsec_dev_groups;
}
