# virtio-ipsec top-level build. See README.md for the two commands a user
# needs (make run, make test) and docs/layout.md for what lives where.
#
# Every target installs what it needs first (scripts/install-deps.sh is a
# no-op once done), so a fresh Debian bookworm machine needs nothing else.

top   := $(CURDIR)
BUILD ?= $(top)/build
JOBS  ?= 2
VM_TIMEOUT ?= 600

export BUILD

.PHONY: all deps kernel engine qemu module lib guest-tests \
	test test-unit test-vm test-debug debug-kernel run shell bench clean help

all: qemu module lib guest-tests

help:
	@echo "make run    - build everything, boot a VM with the device, run the VNF demo"
	@echo "make test   - build everything, run host unit tests and the in-guest tests"
	@echo "make test-debug - the in-guest tests on a KASAN/lockdep/kmemleak guest kernel"
	@echo "make bench  - print engine and full-path (VM) throughput figures"
	@echo "make shell  - boot the VM with the device and give a shell (interactive)"

deps:
	@scripts/install-deps.sh

kernel: deps
	@scripts/fetch-kernel.sh $(BUILD)

engine: deps
	$(MAKE) -C qemu-device/engine BUILD=$(BUILD) -j$(JOBS)

qemu: engine
	scripts/build-qemu.sh $(BUILD)

module: kernel
	scripts/build-module.sh $(BUILD)

lib: engine
	$(MAKE) -C userspace/libg_ipsec_la BUILD=$(BUILD) -j$(JOBS)

# Every program these build lands in $(BUILD)/tests/guest/, which the VM
# harness runs one by one: the g-API suites, the driver's own suite, kernel
# XFRM interop, the engine's unit suite on the kernel crypto backend and the
# hot-unplug soak.
GUEST_TEST_DIRS := tests/guest $(wildcard tests/driver tests/xfrm tests/engine-guest tests/soak)

guest-tests: lib engine
	for d in $(GUEST_TEST_DIRS); do \
		$(MAKE) -C $$d BUILD=$(BUILD) -j$(JOBS) || exit 1; \
	done

# Host tests first (seconds), then the VM (minutes). run-tests.sh prints
# every suite's Check summary and a final "N passed, N failed" line.
test: all
	scripts/run-tests.sh

# The guest suite on the debug kernel (KASAN, lockdep, DEBUG_OBJECTS,
# kmemleak; 100 hot-unplug soak cycles). The kernel is built once (10-25
# min) and cached outside the clone: scripts/build-debug-kernel.sh. With
# VIPSEC_QEMU set, that QEMU is used and none is built here.
debug-kernel: deps
	scripts/build-debug-kernel.sh $(BUILD)

test-debug: $(if $(VIPSEC_QEMU),,qemu) lib guest-tests
	scripts/run-tests.sh --debug

test-unit: engine lib
	scripts/run-tests.sh --host-only

test-vm: all
	tests/vm/run.sh --mode test --qmp --timeout $(VM_TIMEOUT) --build $(BUILD)

run: all
	tests/vm/run.sh --mode demo --timeout $(VM_TIMEOUT) --build $(BUILD)

shell: all
	tests/vm/run.sh --mode shell --timeout 3600 --build $(BUILD)

# Figures, never assertions: the engine on one host core, then the full
# path through the g-API in the VM (TCG) next to the guest's own AF_ALG.
bench: all
	$(MAKE) -C qemu-device/engine BUILD=$(BUILD) bench
	tests/bench/run-vm-bench.sh --build $(BUILD)

clean:
	rm -rf $(BUILD)/engine $(BUILD)/lib $(BUILD)/tests $(BUILD)/module $(BUILD)/vm
	-$(MAKE) -C /usr/src/linux-headers-$$(cat $(BUILD)/kernel/release 2>/dev/null) M=$(top) clean >/dev/null 2>&1
