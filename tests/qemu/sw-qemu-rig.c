// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * sw-qemu-rig: what the QEMU scenarios (tests/qemu) need from L1 that
 * busybox cannot do.  Rig only.
 *
 *   sw-qemu-rig cap
 *	prints KVM_CHECK_EXTENSION(KVM_CAP_ARM_SEA_TO_USER) on a new VM
 *	(0 or 1); exit 1 when /dev/kvm cannot be used
 *
 *   sw-qemu-rig hwpoison PID GPA MEM_MIB [THREAD]
 *	poisons, on the host, the page of QEMU process PID that backs guest
 *	physical GPA, the way the kernel does for a memory error found by a
 *	scrubber: memory_failure() through MADV_HWPOISON.  The guest's next
 *	access then takes KVM's SIGBUS path (BUS_MCEERR_AR to the vCPU
 *	thread), not an SEA exit.  Guest RAM is taken to be the one private
 *	anonymous read-write mapping of exactly MEM_MIB in PID, at guest
 *	physical 0x40000000 (QEMU's virt machine).
 *
 * MADV_HWPOISON acts on the caller's own memory only, and the rig kernels
 * have neither the hwpoison injector nor hard_offline_page.  So the call is
 * made by one of QEMU's threads (THREAD, a comm name; default "CPU 0/KVM",
 * which QEMU uses with -name ...,debug-threads=on): the thread is stopped
 * with ptrace, its next system call is swapped for the madvise(), and then
 * the original call is made again.  The kernel answers the madvise() with
 * BUS_MCEERR_AR to the calling thread; that signal is discarded here (no
 * vCPU consumed anything yet; the vCPU that touches the page later gets its
 * own SIGBUS from KVM).  The same technique as tests/e2e/sw-hwpoison.c,
 * which is bound to swvm's thread names and memory layout.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/kvm.h>

#include <seawall/kvm.h>

#ifdef __aarch64__
#include <asm/ptrace.h>
#endif

#define PFX "sw-qemu-rig: "
#define VIRT_RAM_BASE 0x40000000ULL
#ifndef MADV_HWPOISON
#define MADV_HWPOISON 100
#endif
#ifndef NT_ARM_SYSTEM_CALL
#define NT_ARM_SYSTEM_CALL 0x404
#endif
#define NR_MADVISE 233		/* the generic system call table (arm64) */

static int cap(void)
{
	int kvm, vm, r;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, PFX "/dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	/* arm64 answers some extensions per VM (IPA size, vGIC): ask a VM. */
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		fprintf(stderr, PFX "KVM_CREATE_VM: %s\n", strerror(errno));
		return 1;
	}
	r = ioctl(vm, KVM_CHECK_EXTENSION, (long)SEAWALL_KVM_CAP_ARM_SEA_TO_USER);
	printf("%d\n", r > 0);
	return 0;
}

/* The start of PID's only private anonymous rw mapping of SIZE bytes. */
static int guest_ram(pid_t pid, uint64_t size, uint64_t *start)
{
	char path[64], line[512];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b, off, ino;
		char perms[8], dev[16], name[256] = "";

		if (sscanf(line, "%llx-%llx %7s %llx %15s %llu %255s", &a, &b, perms, &off, dev,
			   &ino, name) < 6)
			continue;
		if (strcmp(perms, "rw-p") || ino || name[0] || b - a != size)
			continue;
		*start = a;
		found++;
	}
	fclose(f);
	return found == 1 ? 0 : found ? -EEXIST : -ENOENT;
}

/* The thread of PID whose comm is NAME. */
static pid_t thread_named(pid_t pid, const char *name)
{
	char path[320], comm[64];
	struct dirent *e;
	pid_t tid = -1;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while (tid < 0 && (e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/comm", (int)pid, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f)) {
			comm[strcspn(comm, "\n")] = '\0';
			if (!strcmp(comm, name))
				tid = (pid_t)atoi(e->d_name);
		}
		fclose(f);
	}
	closedir(d);
	return tid;
}

#ifdef __aarch64__
static int regs_io(pid_t t, int set, int type, void *p, size_t len)
{
	struct iovec io = { p, len };

	return ptrace(set ? PTRACE_SETREGSET : PTRACE_GETREGSET, t, (void *)(long)type, &io) ?
	       -errno : 0;
}

/* The next stop of t, within ms milliseconds. */
static int next_stop(pid_t t, int *st, int ms)
{
	for (int i = 0; i < ms; i++) {
		pid_t r = waitpid(t, st, __WALL | WNOHANG);

		if (r == t)
			return WIFSTOPPED(*st) ? 0 : -ESRCH;
		if (r < 0)
			return -errno;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

/*
 * Resume t with PTRACE_SYSCALL until it stops at a system call (entry or
 * exit, by the order of events).  Signals on the way are passed on, but a
 * SIGBUS is held back and counted; ptrace event stops are stepped over.
 */
static int to_syscall(pid_t t, int *sigbus)
{
	int st, sig = 0;

	for (int n = 0; n < 1000; n++) {
		if (ptrace(PTRACE_SYSCALL, t, NULL, (void *)(long)sig) || next_stop(t, &st, 10000))
			return -1;
		sig = 0;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80))
			return 0;
		if (st >> 16)
			continue;		/* an event stop */
		if (WSTOPSIG(st) == SIGBUS)
			(*sigbus)++;
		else if (WSTOPSIG(st) != SIGTRAP)
			sig = WSTOPSIG(st);
	}
	return -1;
}

/* madvise(hva, 4096, MADV_HWPOISON) made by thread t; its return value. */
static int hwpoison_as(pid_t t, uint64_t hva, long *ret, int *sigbus)
{
	struct user_pt_regs saved, regs;
	int st, nr = NR_MADVISE;

	if (ptrace(PTRACE_SEIZE, t, NULL, (void *)PTRACE_O_TRACESYSGOOD) ||
	    ptrace(PTRACE_INTERRUPT, t, NULL, NULL) || next_stop(t, &st, 5000)) {
		fprintf(stderr, PFX "stopping thread %d: %s\n", (int)t, strerror(errno));
		return -1;
	}
	/* Its next system call, at entry: becomes the madvise(). */
	if (to_syscall(t, sigbus) || regs_io(t, 0, NT_PRSTATUS, &saved, sizeof(saved))) {
		fprintf(stderr, PFX "thread %d made no system call\n", (int)t);
		ptrace(PTRACE_DETACH, t, NULL, NULL);
		return -1;
	}
	regs = saved;
	regs.regs[0] = hva;
	regs.regs[1] = 4096;
	regs.regs[2] = MADV_HWPOISON;
	if (regs_io(t, 1, NT_PRSTATUS, &regs, sizeof(regs)) ||
	    regs_io(t, 1, NT_ARM_SYSTEM_CALL, &nr, sizeof(nr))) {
		fprintf(stderr, PFX "setting thread %d's registers: %s\n", (int)t, strerror(errno));
		ptrace(PTRACE_DETACH, t, NULL, NULL);
		return -1;
	}
	/* Its exit: the result; then the original call again (pc back on svc). */
	if (to_syscall(t, sigbus) || regs_io(t, 0, NT_PRSTATUS, &regs, sizeof(regs))) {
		fprintf(stderr, PFX "lost thread %d\n", (int)t);
		return -1;
	}
	*ret = (long)regs.regs[0];
	saved.pc -= 4;
	regs_io(t, 1, NT_PRSTATUS, &saved, sizeof(saved));
	/* The madvise()'s own BUS_MCEERR_AR, if not seen yet: its delivery
	 * stop comes first when t runs on; detaching with no signal drops it. */
	if (!*sigbus && !ptrace(PTRACE_CONT, t, NULL, NULL) && !next_stop(t, &st, 2000)) {
		if (WSTOPSIG(st) == SIGBUS && !(st >> 16)) {
			(*sigbus)++;
		} else if (!(st >> 16) && WSTOPSIG(st) != SIGTRAP) {
			ptrace(PTRACE_DETACH, t, NULL, (void *)(long)WSTOPSIG(st));
			return 0;
		}
	} else if (!*sigbus) {
		ptrace(PTRACE_INTERRUPT, t, NULL, NULL);
		next_stop(t, &st, 2000);
	}
	ptrace(PTRACE_DETACH, t, NULL, NULL);
	return 0;
}
#endif

static int hwpoison(int argc, char **argv)
{
	const char *name = argc > 4 ? argv[4] : "CPU 0/KVM";
	uint64_t gpa, mib, ram = 0, hva;
	pid_t pid, t;
	int r;

	pid = (pid_t)strtol(argv[1], NULL, 0);
	gpa = strtoull(argv[2], NULL, 0) & ~0xfffULL;
	mib = strtoull(argv[3], NULL, 0);
	if (pid <= 0 || !mib || gpa < VIRT_RAM_BASE || gpa >= VIRT_RAM_BASE + (mib << 20)) {
		fprintf(stderr, PFX "hwpoison: bad arguments\n");
		return 2;
	}
	r = guest_ram(pid, mib << 20, &ram);
	if (r) {
		fprintf(stderr, PFX "no single private anonymous %" PRIu64 " MiB mapping in pid %d: %s\n",
			mib, (int)pid, strerror(-r));
		return 1;
	}
	hva = ram + (gpa - VIRT_RAM_BASE);
	t = thread_named(pid, name);
	if (t < 0) {
		fprintf(stderr, PFX "no thread \"%s\" in pid %d\n", name, (int)pid);
		return 1;
	}
#ifdef __aarch64__
	{
		int sigbus = 0;
		long ret = 0;

		if (hwpoison_as(t, hva, &ret, &sigbus))
			return 1;
		printf(PFX "pid %d gpa 0x%" PRIx64 " hva 0x%" PRIx64 ": madvise(MADV_HWPOISON) by thread %d (%s) = %ld%s%s\n",
		       (int)pid, gpa, hva, (int)t, name, ret, ret < 0 ? " " : "",
		       ret < 0 ? strerror((int)-ret) : "");
		if (sigbus)
			printf(PFX "discarded the SIGBUS the kernel sent that thread for the madvise()\n");
		return ret == 0 ? 0 : 1;
	}
#else
	(void)hva;
	fprintf(stderr, PFX "hwpoison: arm64 only\n");
	return 1;
#endif
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "cap"))
		return cap();
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "hwpoison"))
		return hwpoison(argc - 1, argv + 1);
	fprintf(stderr, "usage: sw-qemu-rig cap\n"
			"       sw-qemu-rig hwpoison PID GPA MEM_MIB [THREAD]\n");
	return 2;
}
