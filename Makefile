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

.PHONY: all deps kernel engine qemu module lib guest-tests run-build \
	test test-unit test-vm test-debug debug-kernel fuzz-long run shell bench clean help

all: qemu module lib guest-tests

help:
	@echo "make run    - build everything, boot a VM with the device, run the VNF demo"
	@echo "make test   - build everything, run host unit tests and the in-guest tests"
	@echo "make test-debug - the in-guest tests on a KASAN/lockdep/kmemleak guest kernel"
	@echo "make bench  - print engine and full-path (VM) throughput figures"
	@echo "make fuzz-long - run every fuzz target to 10^7 executions (LONG_RUNS=, LONG_TIME= cap in s)"
	@echo "make shell  - boot the VM with the device and give a shell (interactive)"

deps:
	@scripts/install-deps.sh

kernel: deps
	@scripts/fetch-kernel.sh $(BUILD)

engine: deps
	$(MAKE) -C engine BUILD=$(BUILD) -j$(JOBS)

qemu: engine
	scripts/build-qemu.sh $(BUILD)

module: kernel
	scripts/build-module.sh $(BUILD)

lib: engine
	$(MAKE) -C userspace/libg_ipsec_la BUILD=$(BUILD) -j$(JOBS)
	$(MAKE) -C userspace/vipsec-gw BUILD=$(BUILD)

# Every program these build lands in $(BUILD)/tests/guest/, which the VM
# harness runs one by one: the g-API suites, the driver's own suite, kernel
# XFRM interop, the engine's unit suite on the kernel crypto backend, the
# hot-unplug soak and the gateway demo (tests/gw: vipsec-gw between a LAN
# host and a Linux XFRM peer; also what make run shows).
GUEST_TEST_DIRS := tests/guest $(wildcard tests/driver tests/xfrm tests/engine-guest tests/soak tests/gw)

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

# Long fuzzing (make test runs each target ~20 s): every target to
# LONG_RUNS executions (10^7), optionally capped at LONG_TIME seconds; the
# execution count of each target is printed.
fuzz-long: engine
	$(MAKE) -C tests/fuzz BUILD=$(BUILD) long \
		$(if $(LONG_RUNS),LONG_RUNS=$(LONG_RUNS)) \
		$(if $(LONG_TIME),LONG_TIME=$(LONG_TIME))

# With VIPSEC_QEMU set, that QEMU is used and none is built here (as for
# test-debug). The build's output goes to BUILD/build.log; the console
# shows only the steps' own lines ("build-qemu: ...", "fetch-kernel: ...")
# and errors, then the demo's short report. V=1 shows everything.
run-build: $(if $(VIPSEC_QEMU),,qemu) module lib guest-tests

run:
ifeq ($(V),1)
	$(MAKE) run-build
else
	@mkdir -p $(BUILD)
	@echo "make run: building (full output in $(BUILD)/build.log)"
	@{ $(MAKE) --no-print-directory run-build 2>&1; echo $$? >$(BUILD)/build.rc; } | \
		tee $(BUILD)/build.log | grep --line-buffered -E '^[a-z-]+: |error:|Error [0-9]' || true
	@rc=$$(cat $(BUILD)/build.rc); if [ "$$rc" != 0 ]; then \
		echo "make run: the build failed (exit $$rc); the end of $(BUILD)/build.log:"; \
		tail -n 25 $(BUILD)/build.log; exit 1; fi
endif
	@tests/vm/run.sh --mode demo --timeout $(VM_TIMEOUT) --build $(BUILD)

shell: all
	tests/vm/run.sh --mode shell --timeout 3600 --build $(BUILD)

# Figures, never assertions: the engine on one host core next to DPDK's
# rte_ipsec and raw intel-ipsec-mb (CSV and PNG under build/bench/), then
# the full path through the g-API in the VM next to the guest's own AF_ALG.
bench: all
	scripts/install-bench-deps.sh
	tests/bench/engine-bench.sh --build $(BUILD)
	tests/bench/run-vm-bench.sh --build $(BUILD)

clean:
	rm -rf $(BUILD)/engine $(BUILD)/lib $(BUILD)/tests $(BUILD)/module $(BUILD)/vm
	-$(MAKE) -C /usr/src/linux-headers-$$(cat $(BUILD)/kernel/release 2>/dev/null) M=$(top) clean >/dev/null 2>&1
