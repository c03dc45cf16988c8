/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-only faults in gupbench's own walks (module/injected_faults.h), through the kernel's
 * fault-injection framework. Valid C and C++; only opaque handles cross.
 */
#ifndef GUPBENCH_KAPI_FAULT_H
#define GUPBENCH_KAPI_FAULT_H

#ifdef __cplusplus
extern "C" {
#endif

struct dentry;
struct page;

/* What a fault does to a walk; the debugfs directory of each is fail_<name>. */
enum kapi_fault {
	KAPI_FAULT_UNPINNED_PAGE, /* a page the walk took holds none of our references */
	KAPI_FAULT_SHORT_REPORT,  /* the walk says it took one page fewer than it did */
	KAPI_FAULT_EXTRA_REF,     /* one more reference, taken after the walk, kept past release */
	KAPI_FAULT_SHORT_RELEASE, /* the release gives one page back fewer */
	KAPI_FAULT_EXTRA_RELEASE, /* the release gives one page back more than the walk took */
	KAPI_FAULT_EXTRA_PUT,     /* a reference not ours, there before the ledger looked, goes
				   * with the release: the edge of the ledger's LRU tolerance */
	KAPI_FAULT_COUNT
};

/* The fault's name, as in fail_<name>. */
const char *kapi_fault_name(enum kapi_fault fault);

/*
 * How many times in a row the fault fires now, at most `most`: 0 unless a test armed it
 * (always 0 without CONFIG_FAULT_INJECTION). Each firing uses up one of its `times`.
 */
unsigned int kapi_fault_hits(enum kapi_fault fault, unsigned int most);

/* gupbench.ko's init: /sys/kernel/debug/gupbench/fail_<name>/ for each fault. 0 or -errno. */
int kapi_faults_create(struct dentry *dir);

/* KUnit: fire the next `times` calls of the fault in any task (0 disarms). 0, or -EOPNOTSUPP
 * without CONFIG_FAULT_INJECTION. */
int kapi_fault_arm(enum kapi_fault fault, unsigned int times);

/* The references a fault takes and gives back on its own: get_page/put_page. */
void kapi_page_get(struct page *page);
void kapi_page_put(struct page *page);

#ifdef __cplusplus
}
#endif

#endif /* GUPBENCH_KAPI_FAULT_H */
