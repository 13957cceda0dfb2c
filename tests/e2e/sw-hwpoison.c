// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * sw-hwpoison: make a guest page of a running VMM hardware-poisoned on
 * the host (L1), the way the kernel does for a real memory error, so the
 * guest's next access takes KVM's SIGBUS path (BUS_MCEERR_AR to the vCPU
 * thread) rather than an SEA exit.  e2e test helper, rig only.
 *
 *   sw-hwpoison PID GPA MEM_MIB [THREAD]
 *
 * THREAD names the thread that makes the call (its comm, or a prefix of
 * it): swvm's "swvm-vcpu0" by default, "CPU 0/KVM" for QEMU with
 * -name ...,debug-threads=on (tests/qemu).
 *
 * The rig's L1 kernels have CONFIG_MEMORY_FAILURE but neither
 * hard_offline_page (no memory hotplug) nor the hwpoison injector, and
 * MADV_HWPOISON only acts on the caller's own memory.  So this attaches to
 * the VMM's vCPU 0 thread (PTRACE_SEIZE + PTRACE_INTERRUPT: only that thread
 * stops, KVM_RUN returns EINTR), turns its next system call (KVM_RUN again)
 * into madvise(hva, 4096, MADV_HWPOISON), then has it make the original
 * call again, and discards the BUS_MCEERR_AR the kernel sends to the
 * thread that called madvise (a memory error found by scrubbing signals
 * no vCPU; the vCPU that later touches the page gets its own SIGBUS from
 * KVM).  The guest RAM mapping is the anonymous
 * read-write mapping of exactly MEM_MIB, at guest physical 0x40000000.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#ifdef __aarch64__
#include <asm/ptrace.h>
#endif

#define PFX "sw-hwpoison: "
#define RAM_BASE 0x40000000ULL
#ifndef MADV_HWPOISON
#define MADV_HWPOISON 100
#endif
#define NR_MADVISE 233		/* arm64 generic syscall table */

static int find_ram(pid_t pid, uint64_t size, uint64_t *start)
{
	char path[64], line[512];
	FILE *f;
	int found = 0;

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

#ifdef __aarch64__
#ifndef NT_ARM_SYSTEM_CALL
#define NT_ARM_SYSTEM_CALL 0x404
#endif

static int regset(pid_t t, int get, int type, void *p, size_t len)
{
	struct iovec io = { p, len };

	return ptrace(get ? PTRACE_GETREGSET : PTRACE_SETREGSET, t, (void *)(long)type, &io) ?
	       -errno : 0;
}

/* Wait for the next stop of t, with a deadline; 0 on a stop. */
static int wait_stop(pid_t t, int *st, int ms)
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

/* Resume t with req until a syscall stop; other stops: signals passed on
 * (SIGBUS held back and counted), ptrace event stops skipped. */
static int to_syscall_stop(pid_t t, long req, int *bus)
{
	int st, sig = 0;

	for (int n = 0; n < 1000; n++) {
		if (ptrace(req, t, NULL, (void *)(long)sig) || wait_stop(t, &st, 10000))
			return -1;
		sig = 0;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80))
			return 0;
		if ((st >> 16) == 0 && WSTOPSIG(st) != SIGTRAP) {
			if (WSTOPSIG(st) == SIGBUS)
				(*bus)++;
			else
				sig = WSTOPSIG(st);
		}
	}
	return -1;
}

/* The thread of pid named NAME (comm). */
static pid_t find_thread(pid_t pid, const char *name)
{
	char path[96], comm[32];

	for (int tid = pid; tid < pid + 4096; tid++) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, tid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, name, strlen(name))) {
			fclose(f);
			return tid;
		}
		fclose(f);
	}
	return -1;
}
#endif

int main(int argc, char **argv)
{
	pid_t pid;
	uint64_t gpa, mib, ram = 0, hva;
	int r;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: sw-hwpoison PID GPA MEM_MIB [THREAD]\n");
		return 2;
	}
	pid = (pid_t)strtol(argv[1], NULL, 0);
	gpa = strtoull(argv[2], NULL, 0) & ~0xfffULL;
	mib = strtoull(argv[3], NULL, 0);
	if (pid <= 0 || gpa < RAM_BASE || gpa >= RAM_BASE + (mib << 20)) {
		fprintf(stderr, PFX "bad arguments\n");
		return 2;
	}
	r = find_ram(pid, mib << 20, &ram);
	if (r) {
		fprintf(stderr, PFX "no single anonymous %" PRIu64 " MiB mapping in pid %d: %s\n",
			mib, (int)pid, strerror(-r));
		return 1;
	}
	hva = ram + (gpa - RAM_BASE);
#ifndef __aarch64__
	fprintf(stderr, PFX "arm64 only\n");
	return 1;
#else
	{
		struct user_pt_regs saved, regs;
		const char *name = argc == 5 ? argv[4] : "swvm-vcpu0";
		pid_t t = find_thread(pid, name);
		int st, nr = NR_MADVISE, bus = 0;
		long ret;

		if (t < 0) {
			fprintf(stderr, PFX "no thread \"%s\" in pid %d\n", name, (int)pid);
			return 1;
		}
		/* Stop vCPU 0 (KVM_RUN returns EINTR), then catch its next system
		 * call (KVM_RUN again) at entry, and make it madvise instead. */
		if (ptrace(PTRACE_SEIZE, t, NULL, (void *)PTRACE_O_TRACESYSGOOD) ||
		    ptrace(PTRACE_INTERRUPT, t, NULL, NULL) || wait_stop(t, &st, 5000)) {
			fprintf(stderr, PFX "ptrace %d: %s\n", (int)t, strerror(errno));
			return 1;
		}
		if (to_syscall_stop(t, PTRACE_SYSCALL, &bus) ||
		    regset(t, 1, NT_PRSTATUS, &saved, sizeof(saved))) {
			fprintf(stderr, PFX "no syscall entry on thread %d\n", (int)t);
			ptrace(PTRACE_DETACH, t, NULL, NULL);
			return 1;
		}
		regs = saved;
		regs.regs[0] = hva;
		regs.regs[1] = 4096;
		regs.regs[2] = MADV_HWPOISON;
		if (regset(t, 0, NT_PRSTATUS, &regs, sizeof(regs)) ||
		    regset(t, 0, NT_ARM_SYSTEM_CALL, &nr, sizeof(nr))) {
			fprintf(stderr, PFX "setting registers: %s\n", strerror(errno));
			ptrace(PTRACE_DETACH, t, NULL, NULL);
			return 1;
		}
		if (to_syscall_stop(t, PTRACE_SYSCALL, &bus) ||
		    regset(t, 1, NT_PRSTATUS, &regs, sizeof(regs))) {
			fprintf(stderr, PFX "lost thread %d\n", (int)t);
			return 1;
		}
		ret = (long)regs.regs[0];
		/* Back to the original call: same registers, pc on its svc. */
		saved.pc -= 4;
		regset(t, 0, NT_PRSTATUS, &saved, sizeof(saved));
		/* The kernel signals the madvise caller BUS_MCEERR_AR: discard it
		 * (detaching from its signal-delivery stop drops it). */
		if (!bus && ptrace(PTRACE_CONT, t, NULL, NULL) == 0 && wait_stop(t, &st, 2000) == 0) {
			if (WSTOPSIG(st) == SIGBUS)
				bus++;
			else if ((st >> 16) == 0) {
				ptrace(PTRACE_DETACH, t, NULL, (void *)(long)WSTOPSIG(st));
				goto out;
			}
		} else if (!bus) {
			ptrace(PTRACE_INTERRUPT, t, NULL, NULL);
			wait_stop(t, &st, 2000);
		}
		ptrace(PTRACE_DETACH, t, NULL, NULL);
out:
		printf(PFX "pid %d gpa 0x%" PRIx64 " hva 0x%" PRIx64 ": madvise(MADV_HWPOISON) = %ld%s%s\n",
		       (int)pid, gpa, hva, ret, ret < 0 ? " " : "", ret < 0 ? strerror((int)-ret) : "");
		if (bus)
			printf(PFX "discarded the SIGBUS sent to the thread that called madvise\n");
		return ret == 0 ? 0 : 1;
	}
#endif
}
