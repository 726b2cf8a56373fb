/*
 * Virtio IPsec PCI bindings
 *
 * Modern (virtio 1.0) only: PCI ID 1af4:1079 (0x1040 + device ID 57).
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or
 * (at your option) any later version.  See the COPYING file in the
 * top-level directory.
 */

#include "qemu/osdep.h"

#include "hw/virtio/virtio-pci.h"
#include "hw/virtio/virtio-ipsec.h"
#include "hw/qdev-properties.h"
#include "qapi/error.h"
#include "qemu/module.h"
#include "qom/object.h"
#include "sysemu/kvm.h"

#define TYPE_VIRTIO_IPSEC_PCI "virtio-ipsec-pci"
OBJECT_DECLARE_SIMPLE_TYPE(VirtIOIPsecPCI, VIRTIO_IPSEC_PCI)

struct VirtIOIPsecPCI {
    VirtIOPCIProxy parent_obj;
    VirtIOIPsec vdev;
    OnOffAuto ioeventfd;
};

static Property virtio_ipsec_pci_properties[] = {
    DEFINE_PROP_ON_OFF_AUTO("ioeventfd", VirtIOIPsecPCI, ioeventfd,
                            ON_OFF_AUTO_AUTO),
    DEFINE_PROP_UINT32("vectors", VirtIOPCIProxy, nvectors,
                       DEV_NVECTORS_UNSPECIFIED),
    DEFINE_PROP_END_OF_LIST(),
};

static void virtio_ipsec_pci_realize(VirtIOPCIProxy *vpci_dev, Error **errp)
{
    VirtIOIPsecPCI *dev = VIRTIO_IPSEC_PCI(vpci_dev);
    DeviceState *vdev = DEVICE(&dev->vdev);

    if (vpci_dev->nvectors == DEV_NVECTORS_UNSPECIFIED) {
        /*
         * One vector per data queue, the control queue and config changes.
         * An out-of-range num-queues is refused by the device's realize.
         */
        vpci_dev->nvectors = MIN(dev->vdev.conf.num_queues,
                                 VIRTIO_QUEUE_MAX) + 2;
    }

    /*
     * ioeventfd=auto: a kick is an eventfd only under KVM, where the
     * kernel signals it and the vCPU runs on while the main loop handles
     * the queue. Elsewhere (TCG) the vCPU thread itself signals the
     * eventfd, idles until the interrupt, and the main loop must wake up
     * in between: two thread hand-offs per request. Handling the kick in
     * the vCPU thread instead (same handler, same checks, under the BQL
     * and the memory re-entrancy guard of the MMIO write) cut the host
     * CPU per packet of a synchronous batch of 32 by a third there. A
     * synchronous request waits for the device either way.
     */
    if (dev->ioeventfd == ON_OFF_AUTO_OFF ||
        (dev->ioeventfd == ON_OFF_AUTO_AUTO && !kvm_enabled())) {
        vpci_dev->flags &= ~VIRTIO_PCI_FLAG_USE_IOEVENTFD;
    }

    virtio_pci_force_virtio_1(vpci_dev);
    qdev_realize(vdev, BUS(&vpci_dev->bus), errp);
}

static void virtio_ipsec_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioPCIClass *k = VIRTIO_PCI_CLASS(klass);
    PCIDeviceClass *pcidev_k = PCI_DEVICE_CLASS(klass);

    k->realize = virtio_ipsec_pci_realize;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    device_class_set_props(dc, virtio_ipsec_pci_properties);
    pcidev_k->class_id = PCI_CLASS_OTHERS;
}

static void virtio_ipsec_pci_instance_init(Object *obj)
{
    VirtIOIPsecPCI *dev = VIRTIO_IPSEC_PCI(obj);

    /* realize may clear it: ioeventfd=off|auto, or virtio-pci's limits */
    VIRTIO_PCI(obj)->flags |= VIRTIO_PCI_FLAG_USE_IOEVENTFD;
    virtio_instance_init_common(obj, &dev->vdev, sizeof(dev->vdev),
                                TYPE_VIRTIO_IPSEC);
    /* only qdev properties are aliased by the above; these are QOM ones */
    virtio_ipsec_faults_alias(obj, OBJECT(&dev->vdev));
}

static const VirtioPCIDeviceTypeInfo virtio_ipsec_pci_info = {
    .generic_name  = TYPE_VIRTIO_IPSEC_PCI,
    .instance_size = sizeof(VirtIOIPsecPCI),
    .instance_init = virtio_ipsec_pci_instance_init,
    .class_init    = virtio_ipsec_pci_class_init,
};

static void virtio_ipsec_pci_register_types(void)
{
    virtio_pci_types_register(&virtio_ipsec_pci_info);
}

type_init(virtio_ipsec_pci_register_types)
