// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * sw-victim: the guest task that consumes a poisoned page.  It allocates
 * one page, prints where it lives (virtual and guest physical), waits for
 * a trigger, then reads, writes or executes it, and reports whether it got
 * SIGBUS (exit 135) or saw its data.
 *
 *   sw-victim [--write|--exec] [--after S | --file PATH | --signal]
 *             [--loop N] [--delay-ms MS] [--survive] [--quiet] [--fork]
 *             [--hold S]
 *
 * --fork: a child shares the page (copy-on-write, never written, so the
 * same physical page); once the parent has died of its touch, the child, a
 * new task, touches the page too.  It must get SIGBUS as well, never data.
 *
 * --hold S: a child keeps the page mapped for S seconds and never touches
 * it, so the page does not go back to the guest kernel's allocator when
 * the victim dies.  Without it, the guest kernel may hand the bad page to
 * someone else (and write it, at EL1) before the agent has offlined it: a
 * guest-kernel consumption, and a restart.  The page is then mapped
 * shared, so a write by the victim does not copy it first.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/types.h>

#define PFX "sw-victim: "
#define EXIT_SIGBUS 135

enum mode { M_READ, M_WRITE, M_EXEC };

static volatile sig_atomic_t got_usr1;
static volatile sig_atomic_t survive;
static volatile sig_atomic_t quiet;		/* report only the first SIGBUS */
static volatile sig_atomic_t sigbus_count;
static sigjmp_buf again;

/* async-signal-safe formatting for the handler */
static size_t put_str(char *b, size_t n, const char *s)
{
	while (*s)
		b[n++] = *s++;
	return n;
}

static size_t put_num(char *b, size_t n, uint64_t v, unsigned int base)
{
	char t[24];
	int k = 0;

	if (base == 16)
		n = put_str(b, n, "0x");
	do {
		t[k++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (k)
		b[n++] = t[--k];
	return n;
}

static const char *bus_code(int code)
{
	switch (code) {
	case BUS_ADRALN: return "BUS_ADRALN";
	case BUS_ADRERR: return "BUS_ADRERR";
	case BUS_OBJERR: return "BUS_OBJERR";
	case BUS_MCEERR_AR: return "BUS_MCEERR_AR";
	case BUS_MCEERR_AO: return "BUS_MCEERR_AO";
	default: return "?";
	}
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	char b[160];
	size_t n = 0;

	(void)sig;
	(void)uc;
	if (quiet && sigbus_count) {
		sigbus_count++;
		siglongjmp(again, 1);
	}
	n = put_str(b, n, PFX "SIGBUS si_code ");
	n = put_num(b, n, (uint64_t)(unsigned int)si->si_code, 10);
	n = put_str(b, n, " (");
	n = put_str(b, n, bus_code(si->si_code));
	n = put_str(b, n, ") si_addr ");
	n = put_num(b, n, (uint64_t)(uintptr_t)si->si_addr, 16);
	n = put_str(b, n, " lsb ");
	n = put_num(b, n, (uint64_t)(unsigned int)si->si_addr_lsb, 10);
	b[n++] = '\n';
	if (write(STDOUT_FILENO, b, n) < 0) {
		/* nothing to do about it */
	}
	sigbus_count++;
	if (survive)
		siglongjmp(again, 1);
	_exit(EXIT_SIGBUS);
}

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Guest physical address of va (root: otherwise the PFN reads as 0). */
static int virt_to_phys(void *va, uint64_t *pa)
{
	long psz = sysconf(_SC_PAGESIZE);
	uint64_t ent, vpn = (uint64_t)(uintptr_t)va / (uint64_t)psz;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, &ent, sizeof(ent), (off_t)(vpn * sizeof(ent)));
	close(fd);
	if (n != (ssize_t)sizeof(ent))
		return -EIO;
	if (!(ent & (1ull << 63)))
		return -ENOENT;			/* not present */
	if (!(ent & ((1ull << 55) - 1)))
		return -EPERM;			/* PFN hidden: not root */
	*pa = (ent & ((1ull << 55) - 1)) * (uint64_t)psz +
	      (uint64_t)(uintptr_t)va % (uint64_t)psz;
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: sw-victim [--write|--exec] [--after S | --file PATH | --signal]\n"
	      "                 [--loop N] [--delay-ms MS] [--survive] [--quiet] [--no-wait] [--fork]\n"
	      "                 [--hold S]\n"
	      "  Allocates a page, prints its va and gpa, waits for the trigger\n"
	      "  (default: SIGUSR1), then reads (or writes, or executes) it.\n"
	      "  --loop N     touch it N times (default 1), --delay-ms between touches\n"
	      "  --survive    catch SIGBUS and keep touching (a hostile guest)\n"
	      "  --quiet      with --survive: print only the first SIGBUS\n"
	      "  --fork       a child sharing the page touches it once the parent died\n"
	      "  --hold S     a child keeps the page mapped S seconds (until it is offlined)\n"
	      "  exit: 0 data read back intact, 3 data changed, 135 SIGBUS, 1 error, 2 usage\n",
	      f);
}

static int parse_uint(const char *s, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	return errno || end == s || *end || *s == '-' ? -1 : 0;
}

#define PATTERN(i) ((unsigned char)(0x5a ^ (i) ^ ((i) >> 8)))

/* The touch loop's state lives in globals: siglongjmp may land mid-loop. */
static enum mode t_mode;
static unsigned char *t_page;
static long t_size;
static unsigned long t_loops, t_delay;
static volatile unsigned long t_done;
static volatile int t_bad;

/* Touch the page t_loops times; returns the bytes (or calls) that were wrong. */
static int touch(void)
{
	sigsetjmp(again, 1);
	while (t_done < t_loops) {
		unsigned long k = t_done++;

		if (k && t_delay)
			msleep((unsigned int)t_delay);
		if (t_mode == M_READ) {
			volatile unsigned char *p = t_page;

			for (long b = 0; b < t_size; b++)
				if (p[b] != PATTERN(b))
					t_bad++;
		} else if (t_mode == M_WRITE) {
			volatile unsigned char *p = t_page;

			for (long b = 0; b < t_size; b++)
				p[b] = PATTERN(b);
		} else {
			int (*fn)(void) = (int (*)(void))(void *)t_page;

			if (fn() != 42)
				t_bad++;
		}
	}
	return t_bad;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "write", no_argument, NULL, 'w' },
		{ "exec", no_argument, NULL, 'x' },
		{ "after", required_argument, NULL, 'a' },
		{ "file", required_argument, NULL, 'f' },
		{ "signal", no_argument, NULL, 's' },
		{ "no-wait", no_argument, NULL, 'n' },
		{ "loop", required_argument, NULL, 'l' },
		{ "delay-ms", required_argument, NULL, 'd' },
		{ "survive", no_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "fork", no_argument, NULL, 'F' },
		{ "hold", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum mode mode = M_READ;
	unsigned long after = 0, loops = 1, delay = 0, hold = 0;
	const char *file = NULL;
	int wait_kind = 's', c, ret, do_fork = 0;
	int bad;
	struct sigaction sa;
	sigset_t usr1, unblocked;
	long psz = sysconf(_SC_PAGESIZE);
	unsigned char *page;
	uint64_t pa = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'w': mode = M_WRITE; break;
		case 'x': mode = M_EXEC; break;
		case 'a':
			if (parse_uint(optarg, &after)) { usage(stderr); return 2; }
			wait_kind = 'a';
			break;
		case 'f': file = optarg; wait_kind = 'f'; break;
		case 's': wait_kind = 's'; break;
		case 'n': wait_kind = 'n'; break;
		case 'l':
			if (parse_uint(optarg, &loops) || !loops) { usage(stderr); return 2; }
			break;
		case 'd':
			if (parse_uint(optarg, &delay)) { usage(stderr); return 2; }
			break;
		case 'S': survive = 1; break;
		case 'q': quiet = 1; break;
		case 'F': do_fork = 1; break;
		case 'H':
			if (parse_uint(optarg, &hold) || !hold) { usage(stderr); return 2; }
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
#ifndef __aarch64__
	if (mode == M_EXEC) {
		fprintf(stderr, PFX "--exec needs arm64\n");
		return 2;
	}
#endif

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	/* Held until we wait for it, so that none is lost before the wait. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(wait_kind == 's' ? SIG_BLOCK : SIG_UNBLOCK, &usr1, &unblocked);

	page = mmap(NULL, (size_t)psz, PROT_READ | PROT_WRITE | (mode == M_EXEC ? PROT_EXEC : 0),
		    (hold ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		fprintf(stderr, PFX "mmap: %s\n", strerror(errno));
		return 1;
	}
	/* One small page that stays where it is. */
	madvise(page, (size_t)psz, MADV_NOHUGEPAGE);
	for (long k = 0; k < psz; k++)
		page[k] = PATTERN(k);
	if (mode == M_EXEC) {
#ifdef __aarch64__
		static const uint32_t code[] = { 0x52800540, 0xd65f03c0 };	/* mov w0, #42; ret */

		memcpy(page, code, sizeof(code));
		__builtin___clear_cache((char *)page, (char *)page + sizeof(code));
#endif
	}
	if (mlock(page, (size_t)psz))
		fprintf(stderr, PFX "mlock: %s (continuing)\n", strerror(errno));
	ret = virt_to_phys(page, &pa);
	if (ret)
		printf(PFX "pid %d va %p gpa unknown (%s)\n", (int)getpid(), (void *)page,
		       strerror(-ret));
	else
		printf(PFX "pid %d va %p gpa 0x%" PRIx64 "\n", (int)getpid(), (void *)page, pa);

	if (hold) {
		pid_t holder = fork();

		if (holder < 0) {
			fprintf(stderr, PFX "fork: %s\n", strerror(errno));
			return 1;
		}
		if (holder == 0) {
			for (unsigned long t = 0; t < hold * 10; t++)
				msleep(100);
			_exit(0);
		}
		printf(PFX "holder pid %d keeps the page %lu s\n", (int)holder, hold);
	}

	if (do_fork) {
		pid_t parent = getpid(), child = fork();

		if (child < 0) {
			fprintf(stderr, PFX "fork: %s\n", strerror(errno));
			return 1;
		}
		if (child == 0) {
			while (getppid() == parent)
				msleep(50);
			msleep(500);
			printf(PFX "child pid %d touches the page its parent died on\n", (int)getpid());
			wait_kind = 'n';
			loops = 1;
			survive = 0;
		} else {
			printf(PFX "child pid %d shares the page\n", (int)child);
		}
	}

	switch (wait_kind) {
	case 'a':
		printf(PFX "waiting %lu s\n", after);
		for (unsigned long t = 0; t < after * 10; t++)
			msleep(100);
		break;
	case 'f':
		printf(PFX "waiting for %s\n", file);
		while (access(file, F_OK))
			msleep(50);
		break;
	case 's':
		printf(PFX "waiting for SIGUSR1\n");
		while (!got_usr1)
			sigsuspend(&unblocked);
		break;
	default:
		break;
	}

	printf(PFX "touching the page (%s, %lu time%s)\n",
	       mode == M_READ ? "read" : mode == M_WRITE ? "write" : "exec",
	       loops, loops == 1 ? "" : "s");
	t_mode = mode;
	t_page = page;
	t_size = psz;
	t_loops = loops;
	t_delay = delay;
	bad = touch();
	if (sigbus_count) {
		printf(PFX "%d SIGBUS in %lu touches\n", (int)sigbus_count, loops);
		return EXIT_SIGBUS;
	}
	if (bad) {
		printf(PFX "data changed (%d bad bytes)\n", bad);
		return 3;
	}
	printf(PFX "%s ok, data intact\n",
	       mode == M_READ ? "read" : mode == M_WRITE ? "write" : "exec");
	return 0;
}
