/*
 * vhost-user virtio-ipsec front end, PCI glue
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or
 * (at your option) any later version.  See the COPYING file in the
 * top-level directory.
 */

#include "qemu/osdep.h"
#include "hw/qdev-properties.h"
#include "hw/virtio/vhost-user-ipsec.h"
#include "hw/virtio/virtio-pci.h"
#include "qom/object.h"

#define TYPE_VHOST_USER_IPSEC_PCI "vhost-user-ipsec-pci"
OBJECT_DECLARE_SIMPLE_TYPE(VHostUserIPsecPCI, VHOST_USER_IPSEC_PCI)

struct VHostUserIPsecPCI {
    VirtIOPCIProxy parent_obj;
    VHostUserIPsec vdev;
};

static Property vhost_user_ipsec_pci_properties[] = {
    DEFINE_PROP_UINT32("vectors", VirtIOPCIProxy, nvectors,
                       DEV_NVECTORS_UNSPECIFIED),
    DEFINE_PROP_END_OF_LIST(),
};

static void vhost_user_ipsec_pci_realize(VirtIOPCIProxy *vpci_dev,
                                         Error **errp)
{
    VHostUserIPsecPCI *dev = VHOST_USER_IPSEC_PCI(vpci_dev);
    DeviceState *vdev = DEVICE(&dev->vdev);

    if (vpci_dev->nvectors == DEV_NVECTORS_UNSPECIFIED) {
        /* As virtio-ipsec-pci: data queues, control queue, config */
        vpci_dev->nvectors = MIN(dev->vdev.num_queues, VIRTIO_QUEUE_MAX) + 2;
    }
    virtio_pci_force_virtio_1(vpci_dev);
    qdev_realize(vdev, BUS(&vpci_dev->bus), errp);
}

static void vhost_user_ipsec_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioPCIClass *k = VIRTIO_PCI_CLASS(klass);
    PCIDeviceClass *pcidev_k = PCI_DEVICE_CLASS(klass);

    k->realize = vhost_user_ipsec_pci_realize;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    device_class_set_props(dc, vhost_user_ipsec_pci_properties);
    pcidev_k->class_id = PCI_CLASS_OTHERS;
}

static void vhost_user_ipsec_pci_instance_init(Object *obj)
{
    VHostUserIPsecPCI *dev = VHOST_USER_IPSEC_PCI(obj);

    virtio_instance_init_common(obj, &dev->vdev, sizeof(dev->vdev),
                                TYPE_VHOST_USER_IPSEC);
}

static const VirtioPCIDeviceTypeInfo vhost_user_ipsec_pci_info = {
    .generic_name  = TYPE_VHOST_USER_IPSEC_PCI,
    .instance_size = sizeof(VHostUserIPsecPCI),
    .instance_init = vhost_user_ipsec_pci_instance_init,
    .class_init    = vhost_user_ipsec_pci_class_init,
};

static void vhost_user_ipsec_pci_register_types(void)
{
    virtio_pci_types_register(&vhost_user_ipsec_pci_info);
}

type_init(vhost_user_ipsec_pci_register_types)
