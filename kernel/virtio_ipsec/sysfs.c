// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: attributes of /sys/class/virtio_ipsec/<name>.
 * Documented in docs/ABI/testing/sysfs-class-virtio_ipsec.
 */

#include <linux/device.h>
#include <linux/sysfs.h>
#include <linux/virtio_ipsec_dev.h>

#include "chardev.h"
#include "main.h"
#include "sysfs.h"

static ssize_t name_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct vipsec_dev *vd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", vd->name);
}
static DEVICE_ATTR_RO(name);

static ssize_t id_show(struct device *dev, struct device_attribute *attr,
		       char *buf)
{
	struct vipsec_dev *vd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n", vd->id);
}
static DEVICE_ATTR_RO(id);

static ssize_t features_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	struct vipsec_dev *vd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "0x%llx\n", vd->features);
}
static DEVICE_ATTR_RO(features);

static ssize_t max_sas_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct vipsec_dev *vd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", vd->lim.max_sas);
}
static DEVICE_ATTR_RO(max_sas);

static ssize_t active_sas_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct vipsec_dev *vd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n", atomic_read(&vd->active_sas));
}
static DEVICE_ATTR_RO(active_sas);

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

/* One line per file holding a claim: its app_identity. */
static ssize_t owners_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct vipsec_dev *vd = dev_get_drvdata(dev);
	struct vipsec_file *f;
	ssize_t len = 0;

	mutex_lock(&vd->lock);
	list_for_each_entry(f, &vd->files, node)
		if (f->claim_mode)
			len += sysfs_emit_at(buf, len, "%s\n",
					     f->app_identity);
	mutex_unlock(&vd->lock);
	return len;
}
static DEVICE_ATTR_RO(owners);

/* Driver counters (struct vipsec_stats), one decimal number each. */
#define VIPSEC_STAT_ATTR(field)						\
static ssize_t field##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct vipsec_dev *vd = dev_get_drvdata(dev);			\
									\
	return sysfs_emit(buf, "%lld\n",				\
			  (long long)atomic64_read(&vd->stats.field));	\
}									\
static DEVICE_ATTR_RO(field)

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

/* One line per group: "<id>\t<name>\t<owner's app identity>". */
static ssize_t groups_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct vipsec_dev *vd = dev_get_drvdata(dev);
	struct vipsec_group_ent *g;
	unsigned long id;
	ssize_t len = 0;

	/* vd->lock keeps each owner alive; its identity is fixed. */
	mutex_lock(&vd->lock);
	mutex_lock(&vd->tab_lock);
	xa_for_each(&vd->groups, id, g)
		len += sysfs_emit_at(buf, len, "%u\t%s\t%s\n", g->id, g->name,
				     g->owner->app_identity);
	mutex_unlock(&vd->tab_lock);
	mutex_unlock(&vd->lock);
	return len;
}
static DEVICE_ATTR_RO(groups);

static struct attribute *vipsec_dev_attrs[] = {
	&dev_attr_bytes_in.attr,
	&dev_attr_bytes_out.attr,
	&dev_attr_packets_in.attr,
	&dev_attr_packets_out.attr,
	&dev_attr_sas_created.attr,
	&dev_attr_sas_deleted.attr,
	&dev_attr_sas_modified.attr,
	&dev_attr_num_data_queues.attr,
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
