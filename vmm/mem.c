// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * Guest RAM (one anonymous mapping, memslot 0, registered with libseawall)
 * and the boot images: the arm64 Image at a 2 MiB boundary plus its
 * text_offset, the initrd and the DTB high in RAM, where loader.c says.
 * Every write of ours to guest memory skips pages the ledger says are bad,
 * and runs guarded (guard.c): a page that went bad unseen ends the write
 * instead of faulting again and again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm.h"

#define SZ_2M	0x200000ULL
/* New bad pages one reset may meet before it gives up (each is isolated). */
#define MAX_NEW_BAD	16

int mem_setup(struct vm *vm)
{
	struct kvm_userspace_memory_region m;

	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;

	vm->ram_size = (uint64_t)vm->o->mem_mib << 20;
	vm->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	if (vm->o->hugetlb) {
		/* Reserved up front: a hugetlb fault later would be a SIGBUS. */
		flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21 << MAP_HUGE_SHIFT);
		vm->page_size = SZ_2M;
	}
	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (vm->ram == MAP_FAILED) {
		vm_err("cannot map %u MiB of guest memory%s: %s", vm->o->mem_mib,
		       vm->o->hugetlb ? " from 2 MiB hugetlb pages (see "
					"/proc/sys/vm/nr_hugepages)" : "", strerror(errno));
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.slot = 0;
	m.guest_phys_addr = SWVM_RAM_BASE;
	m.memory_size = vm->ram_size;
	m.userspace_addr = (uint64_t)(uintptr_t)vm->ram;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &m) < 0) {
		vm_err("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static uint8_t *read_file(const char *what, const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		vm_err("%s %s: %s", what, path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		vm_err("%s %s: not a non-empty regular file", what, path);
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		vm_err("%s %s: out of memory", what, path);
		close(fd);
		return NULL;
	}
	while (off < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + off, (size_t)st.st_size - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			vm_err("%s %s: read: %s", what, path, r ? strerror(errno) : "short file");
			free(buf);
			close(fd);
			return NULL;
		}
		off += (size_t)r;
	}
	close(fd);
	*len = off;
	return buf;
}

int mem_load_files(struct vm *vm)
{
	struct swvm_image img;
	const char *why;

	vm->kernel = read_file("kernel", vm->o->kernel, &vm->kernel_len);
	if (!vm->kernel)
		return -1;
	if (swvm_image_parse(vm->kernel, vm->kernel_len, &img, &why)) {
		vm_err("kernel %s: %s", vm->o->kernel, why);
		return -1;
	}
	vm->image = img;
	if (vm->o->initrd) {
		vm->initrd = read_file("initrd", vm->o->initrd, &vm->initrd_len);
		if (!vm->initrd)
			return -1;
	}
	if (swvm_image_fits(&img, vm->initrd_len, vm->ram_size, &why)) {
		vm_err("--mem %u MiB: %s (kernel text_offset 0x%llx, image_size 0x%llx; "
		       "initrd %zu bytes)", vm->o->mem_mib, why,
		       (unsigned long long)img.text_offset, (unsigned long long)img.image_size,
		       vm->initrd_len);
		return -1;
	}
	return 0;
}

static bool clean(void *arg, uint64_t gpa, uint64_t len)
{
	struct vm *vm = arg;

	return seawall_ledger_check_range(vm->sw, gpa, len) == 0;
}

/*
 * Guest memory written by this (non-vCPU) thread: a page that went bad
 * unseen ends the write with an action-required SIGBUS, which must not be
 * retried.  Take the record the handler queued (the page is isolated and
 * journaled, so clean() skips it from now on) and let the caller retry;
 * the same address twice, or too many, means retrying would not end.
 */
struct bad_seen {
	void *last;
	unsigned int n;
};

static int met_bad_page(struct vm *vm, struct bad_seen *seen, void *addr, const char *what)
{
	struct seawall_outcome out;
	int r = seawall_ctx_handle_pending(vm->sw, -1, &out);

	vm_err("%s: a memory error at host address %p (%d record%s)", what, addr, r,
	       r == 1 ? "" : "s");
	if (addr == seen->last || ++seen->n > MAX_NEW_BAD || r <= 0) {
		vm_err("%s: guest memory keeps failing; giving up rather than touching it again",
		       what);
		return -1;
	}
	seen->last = addr;
	return 0;
}

struct zero_job {
	struct vm *vm;
};

/* Zero RAM page by page, skipping pages the ledger holds as bad. */
static void zero_clean(void *arg)
{
	struct vm *vm = ((struct zero_job *)arg)->vm;

	for (uint64_t off = 0; off < vm->ram_size; off += vm->page_size)
		if (clean(vm, SWVM_RAM_BASE + off, vm->page_size))
			memset(vm->ram + off, 0, vm->page_size);
}

/* Give the guest zeroed memory again (at reset); -1: it cannot be done. */
int mem_wipe(struct vm *vm)
{
	struct zero_job job = { vm };
	struct bad_seen seen = { 0 };
	void *addr;

	vm->mem_failed = false;
	/* Anonymous 4 KiB pages: MADV_DONTNEED hands out new zeroed pages, touching none. */
	if (!vm->o->hugetlb) {
		madvise(vm->ram, vm->ram_size, MADV_DONTNEED);
		return 0;
	}
	/* hugetlb: MADV_DONTNEED would free the reserved pages; zero them instead. */
	while (swvm_guarded(zero_clean, &job, &addr) == -EHWPOISON)
		if (met_bad_page(vm, &seen, addr, "reset: zeroing guest memory")) {
			vm->mem_failed = true;
			return -1;
		}
	return 0;
}

/*
 * The boot images go in through libseawall's checked copy: a page the
 * ledger knows bad is refused before it is touched, and one that turns
 * out bad under the copy is recorded and isolated by the library, the
 * copy returning -EHWPOISON where a plain memcpy would have died.
 */
static int copy_images(struct vm *vm, const struct swvm_layout *l, const void *dtb, size_t len)
{
	int r = 0;

	if (vm->initrd_len)
		r = seawall_guest_write(vm->sw, l->initrd_gpa, vm->initrd, vm->initrd_len);
	if (!r)
		r = seawall_guest_write(vm->sw, l->dtb_gpa, dtb, len);
	if (!r)
		r = seawall_guest_write(vm->sw, l->entry, vm->kernel, vm->kernel_len);
	return r;
}

int mem_load_images(struct vm *vm)
{
	struct swvm_layout l;
	const char *why;
	uint64_t dtb_size;
	unsigned int bad = 0;
	void *dtb;
	int n, r;

	if (vm->mem_failed) {
		vm_err("not booting: guest memory failed while it was reset");
		return -1;
	}
	for (;;) {
		if (fdt_size(vm, &dtb_size))
			return -1;
		r = swvm_layout_place(SWVM_RAM_BASE, vm->ram_size, &vm->image, vm->initrd_len,
				      dtb_size, clean, vm, &l, &why);
		if (r) {
			vm_err("placing the boot images in %u MiB: %s", vm->o->mem_mib, why);
			return -1;
		}
		vm->entry = l.entry;
		vm->dtb_gpa = l.dtb_gpa;
		vm->initrd_gpa = l.initrd_gpa;
		dtb = calloc(1, dtb_size);
		if (!dtb) {
			vm_err("device tree: out of memory");
			return -1;
		}
		n = fdt_build(vm, dtb, dtb_size);
		if (n < 0) {
			free(dtb);
			return -1;
		}
		r = copy_images(vm, &l, dtb, (size_t)n);
		free(dtb);
		if (r != -EHWPOISON) {
			if (r)
				vm_err("loading the boot images: %s", strerror(-r));
			return r ? -1 : 0;
		}
		/* In the ledger now: the next placement goes around it. */
		vm_err("loading the boot images: a bad page in the way (%u so far)", ++bad);
		if (bad > MAX_NEW_BAD) {
			vm_err("loading the boot images: guest memory keeps failing; giving up");
			return -1;
		}
	}
}
