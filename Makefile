# gupbench: `make run` and `make check` do everything, from a fresh Debian 12 machine.
# See README.md. KDIR=/path/to/kernel/tree builds the module against another kernel;
# LINUX=6.1|6.12 picks the version of our own guest kernels (6.12 when not given; make check
# runs both when not given).
FLAVOR ?= debug
export KDIR
ifneq ($(LINUX),)
export GUPBENCH_LINUX := $(LINUX)
endif

.PHONY: help deps kernels module tool initramfs run check host-test clean triage ab aa observe

help:
	@echo "make run     build everything, boot the perf guest, run the default benchmark"
	@echo "make check   build everything, then host tests, KUnit and end-to-end tests in the guest"
	@echo "make module  [FLAVOR=debug|perf] [LINUX=6.1|6.12] [KDIR=...]   build gupbench.ko and gupbench_kunit.ko"
	@echo "make kernels [LINUX=6.1|6.12]   build (once, cached in ~/.cache/gupbench) both guest kernels of a version"
	@echo "             (every target takes LINUX=; 6.12 is the default, make check runs both)"
	@echo "make tool    build the userspace tool and host tests (build/tool)"
	@echo "make ab A=6.1 B=6.12 [BOOTS=5]   A/B between two kernels (6.1, 6.12 or a kernel tree):"
	@echo "             alternating boots, gupbench diff of the bench results (results/ab)"
	@echo "make observe the kernel's own pin users (io_uring, vmsplice) observed holding memory"
	@echo "make aa      the A/A run: make ab A=6.12 B=6.12; fails above 5 % of cases called changed"
	@echo "make repro-gup-fast-zero-pages [LINUX=..]   show a kernel finding in a throwaway guest"
	@echo "make triage SEED=N [PATTERNS=..] a fuzzer seed against gupbench and the in-kernel gup_test"
	@echo "scripts/vm -- CMD   run any command in a fresh guest (scripts/vm --help)"

deps:
	@scripts/deps

kernels: deps
	@scripts/build-kernel debug >/dev/null
	@scripts/build-kernel perf >/dev/null

module: deps
	@scripts/build-module $(if $(KDIR),custom,$(FLAVOR))

tool: deps
	@scripts/build-tool

initramfs: deps
	@scripts/build-initramfs

host-test: tool
	@cd build/tool && ctest --output-on-failure

run: deps
	@scripts/run

check: deps
	@scripts/check

# A/B between two kernels (scripts/ab): A, B = 6.1, 6.12 or a prepared kernel tree's path;
# BENCH="--walkers ..." replaces the matrix.
ab: deps
	@scripts/ab --boots $(or $(BOOTS),5) $(or $(A),6.1) $(or $(B),6.12) -- $(BENCH)

# The honesty check of ab's statistics: one kernel against itself.
aa: deps
	@scripts/ab --boots $(or $(BOOTS),5) --out results/aa $(or $(A),6.12) $(or $(A),6.12) -- $(BENCH)

# The kernel's own pin users, observed (scripts/observe).
observe: deps
	@scripts/observe

# A fuzzer crash, triaged against the in-kernel gup_test: make triage SEED=7 PATTERNS=random
triage: deps
	@scripts/triage --seed $(or $(SEED),1) --seconds $(or $(SECONDS),30) $(if $(PATTERNS),--patterns $(PATTERNS))

# Kernel findings kept as reproducers (tests/repro/NAME.c), e.g. repro-gup-fast-zero-pages.
repro-%: deps
	@scripts/repro $* $(FLAVOR)

clean:
	rm -rf build results
