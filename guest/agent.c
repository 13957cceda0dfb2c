// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * seawall-agent: the guest side of seawall's notification.  Finds the
 * notify device in the device tree, maps it through /dev/mem, and for each
 * poisoned guest page the VMM presents, hands every 4 KiB page of it to
 * the guest kernel's memory_failure() through hard_offline_page, then
 * acknowledges it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "notify-dev.h"

#define PFX "seawall-agent: "

struct agent {
	const char *offline_path;
	unsigned int interval_ms;
	int once;
};

/*
 * Device registers want single, plain 32-bit accesses: KVM can only
 * emulate MMIO loads and stores that report a valid syndrome (no
 * writeback, no pairs), so do not leave the choice to the compiler.
 */
static uint32_t mmio_rd(void *arg, uint32_t off)
{
	volatile uint32_t *p = (volatile uint32_t *)((char *)arg + off);
#ifdef __aarch64__
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(p) : "memory");
	return v;
#else
	return *p;
#endif
}

static void mmio_wr(void *arg, uint32_t off, uint32_t val)
{
	volatile uint32_t *p = (volatile uint32_t *)((char *)arg + off);
#ifdef __aarch64__
	__asm__ volatile("str %w0, [%1]" : : "r"(val), "r"(p) : "memory");
#else
	*p = val;
#endif
}

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int offline_page(const char *path, uint64_t gpa)
{
	char buf[32];
	int fd, n, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "0x%" PRIx64 "\n", gpa);
	if (write(fd, buf, (size_t)n) != n)
		ret = errno ? -errno : -EIO;
	close(fd);
	return ret;
}

static int on_page(uint64_t page, const struct swn_entry *e, enum swn_bad bad, void *arg)
{
	struct agent *a = arg;
	int ret;

	if (bad) {
		printf(PFX "rejected entry seq %" PRIu32 " gpa 0x%" PRIx64 " size %" PRIu64 ": %s\n",
		       e->seq, e->gpa, e->size, swn_bad_text(bad));
		return 0;
	}
	/*
	 * EBUSY: memory_failure() found the page in transit (the task that
	 * consumed the error is still exiting and freeing it).  The page is
	 * already marked poisoned then, so the allocator will not hand it
	 * out again; try again shortly, and take "already poisoned" as done.
	 */
	for (int tries = 0; ; tries++) {
		ret = offline_page(a->offline_path, page);
		if (ret != -EBUSY || tries == 20)
			break;
		msleep(50);
	}
#ifdef EHWPOISON
	if (ret == -EHWPOISON) {
		printf(PFX "offlined 0x%" PRIx64 " (size %" PRIu64 ", already poisoned)\n",
		       page, e->size);
		return 0;
	}
#endif
	if (ret)
		printf(PFX "offline 0x%" PRIx64 " (size %" PRIu64 ") failed: %s (errno %d)\n",
		       page, e->size, strerror(-ret), -ret);
	else
		printf(PFX "offlined 0x%" PRIx64 " (size %" PRIu64 ")\n", page, e->size);
	return ret;
}


static void usage(FILE *f)
{
	fprintf(f,
		"usage: seawall-agent [--interval MS] [--once] [--base ADDR] [--dt DIR]\n"
		"                     [--mem PATH] [--offline PATH]\n"
		"  --interval MS   poll period (default 100)\n"
		"  --once          drain what is pending, then exit (1 if a page failed)\n"
		"  --base ADDR     device address (default: from the device tree, else 0x%llx)\n"
		"  --dt DIR        device tree root (default /proc/device-tree)\n"
		"  --mem PATH      memory device to map (default /dev/mem)\n"
		"  --offline PATH  sysfs file (default /sys/devices/system/memory/hard_offline_page)\n",
		(unsigned long long)SWN_DEFAULT_BASE);
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *s == '-' ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, '1' },
		{ "base", required_argument, NULL, 'b' },
		{ "dt", required_argument, NULL, 'd' },
		{ "mem", required_argument, NULL, 'm' },
		{ "offline", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct agent a = { "/sys/devices/system/memory/hard_offline_page", 100, 0 };
	const char *dt = NULL, *mem = "/dev/mem", *where = "device tree";
	uint64_t base = 0, size = 0, v;
	int have_base = 0, c, fd, ret;
	uint32_t magic, version;
	struct swn_stats st = { 0 };
	struct swn_io io;
	long pagesz;
	uint64_t map_off, map_len;
	void *map;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (parse_u64(optarg, &v) || v < 1 || v > 3600000) {
				fprintf(stderr, PFX "--interval takes 1..3600000 ms\n");
				return 2;
			}
			a.interval_ms = (unsigned int)v;
			break;
		case '1':
			a.once = 1;
			break;
		case 'b':
			if (parse_u64(optarg, &base)) {
				fprintf(stderr, PFX "--base takes an address\n");
				return 2;
			}
			have_base = 1;
			where = "--base";
			break;
		case 'd':
			dt = optarg;
			break;
		case 'm':
			mem = optarg;
			break;
		case 'o':
			a.offline_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	if (!have_base) {
		ret = -ENOENT;
		if (dt)
			ret = swn_dt_find(dt, &base, &size);
		else if ((ret = swn_dt_find("/proc/device-tree", &base, &size)))
			ret = swn_dt_find("/sys/firmware/devicetree/base", &base, &size);
		if (ret) {
			base = SWN_DEFAULT_BASE;
			where = "default address: no seawall,notify-v1 node in the device tree";
		}
	}
	if (size && size < SWN_REG_END) {
		fprintf(stderr, PFX "device at 0x%" PRIx64 " is only %" PRIu64 " bytes\n", base, size);
		return 2;
	}

	pagesz = sysconf(_SC_PAGESIZE);
	if (pagesz <= 0)
		pagesz = 4096;
	map_off = base & ((uint64_t)pagesz - 1);
	map_len = (map_off + SWN_REG_END + (uint64_t)pagesz - 1) & ~((uint64_t)pagesz - 1);
	fd = open(mem, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, PFX "cannot open %s: %s\n", mem, strerror(errno));
		return 1;
	}
	map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)(base - map_off));
	if (map == MAP_FAILED) {
		fprintf(stderr, PFX "cannot map 0x%" PRIx64 " from %s: %s\n", base, mem, strerror(errno));
		return 1;
	}
	close(fd);
	io.rd = mmio_rd;
	io.wr = mmio_wr;
	io.arg = (char *)map + map_off;

	ret = swn_probe(&io, &magic, &version);
	if (ret == -ENODEV) {
		fprintf(stderr, PFX "no notify device at 0x%" PRIx64 " (%s): magic 0x%08" PRIx32
			", want 0x%08x\n", base, where, magic, SWN_MAGIC);
		return 2;
	}
	if (ret) {
		fprintf(stderr, PFX "notify device at 0x%" PRIx64 " speaks version %" PRIu32
			", this agent only version %u\n", base, version, SWN_VERSION);
		return 2;
	}
	printf(PFX "device at 0x%" PRIx64 " (%s), version %" PRIu32 ", %" PRIu32
	       " pending, %" PRIu32 " total\n", base, where, version,
	       io.rd(io.arg, SWN_REG_PENDING), io.rd(io.arg, SWN_REG_TOTAL));

	for (;;) {
		uint64_t stuck = st.stuck;

		ret = swn_poll(&io, on_page, &a, &st);
		if (ret == -EIO && stuck == 0)
			printf(PFX "the device presents an acknowledged entry again; backing off\n");
		if (a.once)
			break;
		msleep(ret == -EIO ? 10 * a.interval_ms : a.interval_ms);
	}
	printf(PFX "%" PRIu64 " entries, %" PRIu64 " pages, %" PRIu64 " failed, %" PRIu64
	       " rejected, %" PRIu64 " unconfirmed acks\n",
	       st.entries, st.pages, st.page_errors, st.rejected, st.ack_failed);
	return st.page_errors || st.stuck || ret < 0 ? 1 : 0;
}
