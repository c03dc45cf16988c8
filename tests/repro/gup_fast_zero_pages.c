// SPDX-License-Identifier: GPL-2.0
/*
 * A kernel finding, not a gupbench bug: on 6.1, GUP_FAST_BENCHMARK of the in-kernel
 * gup_test with nr_pages_per_call = 0 makes get_user_pages_fast() run with nr_pages 0,
 * which 6.1 does not guard against (internal_get_user_pages_fast() lost its end <= start
 * test when it moved to check_add_overflow()), and the guest kernel breaks right after:
 * an oops in the next munmap or an RCU stall (FACTS.md).
 *
 * How it breaks: with nr_pages 0 the range is [start, start), and the PTE loop's "until
 * addr == end" test only stops when it meets a PTE that is not present. It pins every
 * populated page after the first, writing past the one-entry array gup_test allocated.
 * So the request names one page of a populated 2 MiB range.
 *
 * First asks gupbench's compat file the same question (it must answer EINVAL), then the
 * in-kernel file, then exercises munmap. `make repro-gup-fast-zero-pages` runs it in a
 * throwaway guest and reports whether the kernel broke.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uapi/gupbench_gup_test.h>

static int zero_pages_per_call(const char *file, char *page, long page_size)
{
	struct gup_test g;
	int fd = open(file, O_RDWR);
	int rc;

	if (fd < 0) {
		printf("repro: %s: %s\n", file, strerror(errno));
		return -1;
	}
	memset(&g, 0, sizeof(g));
	g.addr = (unsigned long)page;
	g.size = page_size;
	g.nr_pages_per_call = 0;
	g.gup_flags = 1; /* FOLL_WRITE */
	rc = ioctl(fd, GUP_TEST_GUP_FAST_BENCHMARK, &g) ? errno : 0;
	printf("repro: %s: GUP_FAST_BENCHMARK with nr_pages_per_call 0: %s\n", file,
	       rc ? strerror(rc) : "accepted");
	fflush(stdout);
	close(fd);
	return rc;
}

int main(void)
{
	long page_size = sysconf(_SC_PAGESIZE);
	size_t populated = 512 * page_size;
	char *page = mmap(NULL, populated, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	int i;

	if (page == MAP_FAILED)
		return 2;
	madvise(page, populated, MADV_NOHUGEPAGE); /* 512 PTEs, not one PMD */
	memset(page, 1, populated);
	if (zero_pages_per_call(GUP_TEST_FILE_GUPBENCH, page, page_size) != EINVAL) {
		printf("repro: FAIL: gupbench did not refuse the request with EINVAL\n");
		return 1;
	}
	zero_pages_per_call(GUP_TEST_FILE_KERNEL, page, page_size);
	munmap(page, populated);
	/* The damage shows in the mm's next changes. */
	for (i = 0; i < 1000; i++) {
		char *p = mmap(NULL, 16 * page_size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 2;
		memset(p, i, 16 * page_size);
		munmap(p, 16 * page_size);
	}
	printf("repro: the program ran to its end; the kernel log tells whether the kernel broke\n");
	return 0;
}
