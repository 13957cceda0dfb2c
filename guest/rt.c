// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * sw-rt: round trips through the VMM, timed from inside the guest, for
 * the QEMU benchmark (tests/qemu/scenario bench).
 *
 *   sw-rt mmio PHYS COUNT     COUNT byte reads of a device register at
 *                             PHYS through /dev/mem: each one an MMIO exit
 *                             the VMM emulates
 *   sw-rt sea COUNT [WAIT_S]  one page, its guest physical address printed
 *                             ("sw-rt: gpa 0x..."); once the host has marked
 *                             it bad (the first read takes SIGBUS, waited
 *                             for up to WAIT_S seconds, default 120),
 *                             COUNT reads, each an SEA the VMM takes,
 *                             injects back, and the guest kernel turns into
 *                             SIGBUS for us
 *
 *   sw-rt sigbus COUNT        COUNT reads of a shared mapping past the end
 *                             of its (empty) tmpfs file: each a SIGBUS the
 *                             guest kernel raises by itself, no VMM involved;
 *                             the guest's share of an SEA round trip
 *
 * The signal loops use SA_NODEFER and sigsetjmp(jb, 0): no signal mask to
 * restore, so no system call per round trip besides the fault's own.
 *
 * Prints "sw-rt: KIND COUNT round trips, mean NS ns" (exit 0), or why not
 * (exit 1).  The SEA loop needs a guest whose kernel does not take the
 * page away after the first error (no GHES: a device-tree guest).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#define PFX "sw-rt: "
#define PAGE 4096UL

static sigjmp_buf jb;
static volatile sig_atomic_t faults, last_code;
static void *volatile last_addr;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	faults++;
	last_code = si->si_code;
	last_addr = si->si_addr;
	siglongjmp(jb, 1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end ? -1 : 0;
}

static void report(const char *kind, uint64_t n, uint64_t ns)
{
	printf(PFX "%s %" PRIu64 " round trips, mean %" PRIu64 " ns\n", kind, n,
	       n ? ns / n : 0);
}

static int mmio(uint64_t phys, uint64_t count)
{
	volatile const uint8_t *reg;
	uint64_t t0, i;
	unsigned int sum = 0;
	void *map;
	int fd;

	fd = open("/dev/mem", O_RDONLY | O_SYNC);
	if (fd < 0) {
		fprintf(stderr, PFX "/dev/mem: %s\n", strerror(errno));
		return 1;
	}
	map = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, (off_t)(phys & ~(PAGE - 1)));
	close(fd);
	if (map == MAP_FAILED) {
		fprintf(stderr, PFX "mmap of 0x%" PRIx64 ": %s\n", phys, strerror(errno));
		return 1;
	}
	reg = (volatile const uint8_t *)map + (phys & (PAGE - 1));
	for (i = 0; i < 100; i++)
		sum += *reg;
	t0 = now_ns();
	for (i = 0; i < count; i++)
		sum += *reg;
	report("mmio", count, now_ns() - t0);
	return sum == 0xffffffffu;	/* keeps the reads */
}

static void catch_sigbus(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

static int sigbus(uint64_t count)
{
	char path[] = "/tmp/sw-rt.XXXXXX";
	volatile const uint8_t *p;
	volatile uint64_t i;
	volatile unsigned int sum = 0;
	uint64_t t0;
	void *map;
	int fd;

	fd = mkstemp(path);
	if (fd < 0) {
		fprintf(stderr, PFX "mkstemp: %s\n", strerror(errno));
		return 1;
	}
	unlink(path);
	/* An empty file: every access to its first page is past its end. */
	map = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		fprintf(stderr, PFX "mmap: %s\n", strerror(errno));
		return 1;
	}
	p = map;
	catch_sigbus();
	faults = 0;
	t0 = now_ns();
	for (i = 0; i < count; i++) {
		if (!sigsetjmp(jb, 0)) {
			sum += p[i % PAGE];
			fprintf(stderr, PFX "read %" PRIu64 " past the end returned data\n", i);
			return 1;
		}
	}
	report("sigbus", count, now_ns() - t0);
	return sum == 0xffffffffu || faults != (sig_atomic_t)count;
}

static int sea(uint64_t count, uint64_t wait_s)
{
	uint64_t pfn_entry = 0, t0, deadline;
	volatile uint64_t i, exact = 0;
	volatile uint8_t *page;
	volatile unsigned int sum = 0;
	int fd;

	page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		fprintf(stderr, PFX "mmap: %s\n", strerror(errno));
		return 1;
	}
	memset((void *)page, 0x5a, PAGE);
	if (mlock((const void *)page, PAGE))
		fprintf(stderr, PFX "mlock: %s (going on)\n", strerror(errno));
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &pfn_entry, sizeof(pfn_entry),
			    (off_t)((uintptr_t)page / PAGE * 8)) != sizeof(pfn_entry) ||
	    !(pfn_entry >> 63) || !(pfn_entry & ((1ULL << 55) - 1))) {
		fprintf(stderr, PFX "no guest physical address from /proc/self/pagemap\n");
		return 1;
	}
	close(fd);
	printf(PFX "gpa 0x%" PRIx64 "\n", (uint64_t)((pfn_entry & ((1ULL << 55) - 1)) * PAGE));
	fflush(stdout);

	catch_sigbus();

	/* Until the host has marked the page: plain reads. */
	deadline = now_ns() + wait_s * 1000000000ULL;
	if (!sigsetjmp(jb, 0)) {
		while (now_ns() < deadline) {
			sum += page[0];
			usleep(20000);
		}
	}
	if (!faults) {
		fprintf(stderr, PFX "no SIGBUS in %" PRIu64 " s: the page was never marked\n",
			wait_s);
		return 1;
	}
	printf(PFX "first SIGBUS, si_code %d, si_addr %p\n", (int)last_code, last_addr);
	faults = 0;
	t0 = now_ns();
	for (i = 0; i < count; i++) {
		last_addr = NULL;
		if (!sigsetjmp(jb, 0)) {
			sum += page[i % PAGE];
			fprintf(stderr, PFX "read %" PRIu64 " returned data: the page is good again\n", i);
			return 1;
		}
		/* si_addr is FAR_EL1: the byte read, when the abort says so */
		exact += last_addr == (void *)&page[i % PAGE];
	}
	report("sea", count, now_ns() - t0);
	printf(PFX "si_addr was the byte read in %" PRIu64 " of %" PRIu64 " SIGBUS\n",
	       (uint64_t)exact, count);
	return sum == 0xffffffffu;
}

int main(int argc, char **argv)
{
	uint64_t a = 0, b = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "mmio") && !parse_u64(argv[2], &a) &&
	    !parse_u64(argv[3], &b) && b)
		return mmio(a, b);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "sea") && !parse_u64(argv[2], &a) && a) {
		b = 120;
		if (argc == 4 && (parse_u64(argv[3], &b) || !b || b > 3600)) {
			fprintf(stderr, PFX "bad WAIT_S: %s\n", argv[3]);
			return 2;
		}
		return sea(a, b);
	}
	if (argc == 3 && !strcmp(argv[1], "sigbus") && !parse_u64(argv[2], &a) && a)
		return sigbus(a);
	fprintf(stderr, "usage: sw-rt mmio PHYS COUNT | sw-rt sea COUNT [WAIT_S] | sw-rt sigbus COUNT\n");
	return 2;
}
