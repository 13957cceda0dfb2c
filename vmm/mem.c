// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest RAM (one anonymous mapping, memslot 0, registered with libseawall)
 * and the boot images: the arm64 Image at a 2 MiB boundary plus its
 * text_offset, the initrd and the DTB high in RAM.  Every write of ours to
 * guest memory skips pages the ledger says are bad.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm.h"

#define SZ_4K	0x1000ULL
#define SZ_64K	0x10000ULL
#define SZ_2M	0x200000ULL
#define DTB_MAX	SZ_64K
#define ARM64_IMAGE_MAGIC 0x644d5241u	/* "ARM\x64" */

struct arm64_image_header {
	uint32_t code0, code1;
	uint64_t text_offset;
	uint64_t image_size;
	uint64_t flags;
	uint64_t res2, res3, res4;
	uint32_t magic;
	uint32_t res5;
};

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
	struct arm64_image_header h;

	vm->kernel = read_file("kernel", vm->o->kernel, &vm->kernel_len);
	if (!vm->kernel)
		return -1;
	if (vm->kernel_len < sizeof(h)) {
		vm_err("kernel %s: too small for an arm64 Image", vm->o->kernel);
		return -1;
	}
	memcpy(&h, vm->kernel, sizeof(h));
	if (le32toh(h.magic) != ARM64_IMAGE_MAGIC) {
		vm_err("kernel %s: not an arm64 Linux Image (no \"ARM\\x64\" magic; "
		       "compressed or EFI zboot images are not supported)", vm->o->kernel);
		return -1;
	}
	vm->kernel_image_size = le64toh(h.image_size);
	vm->kernel_text_offset = le64toh(h.text_offset);
	if (!vm->kernel_image_size) {
		/* Kernels before 3.17: text_offset is in an unknown endianness. */
		vm->kernel_text_offset = 0x80000;
		vm->kernel_image_size = vm->kernel_len + SZ_2M * 8;
	}
	if (vm->kernel_image_size < vm->kernel_len)
		vm->kernel_image_size = vm->kernel_len;
	if (vm->o->initrd) {
		vm->initrd = read_file("initrd", vm->o->initrd, &vm->initrd_len);
		if (!vm->initrd)
			return -1;
	}
	if (vm->kernel_text_offset + vm->kernel_image_size + vm->initrd_len + SZ_2M * 2 >
	    vm->ram_size) {
		vm_err("--mem %u MiB is too small for this kernel (%llu MiB) and initrd (%zu KiB)",
		       vm->o->mem_mib, (unsigned long long)(vm->kernel_image_size >> 20),
		       vm->initrd_len >> 10);
		return -1;
	}
	return 0;
}

static bool clean(struct vm *vm, uint64_t gpa, uint64_t len)
{
	return seawall_ledger_check_range(vm->sw, gpa, len) == 0;
}

static void *hva(struct vm *vm, uint64_t gpa)
{
	return vm->ram + (gpa - SWVM_RAM_BASE);
}

/* Zero RAM page by page, skipping pages that are (still) holes. */
static void mem_zero_clean(struct vm *vm)
{
	for (uint64_t off = 0; off < vm->ram_size; off += vm->page_size)
		if (clean(vm, SWVM_RAM_BASE + off, vm->page_size))
			memset(vm->ram + off, 0, vm->page_size);
}

/* Give the guest zeroed memory again (at reset). */
void mem_wipe(struct vm *vm)
{
	/* hugetlb: MADV_DONTNEED frees the pages; zero them instead. */
	if (vm->o->hugetlb)
		mem_zero_clean(vm);
	else
		madvise(vm->ram, vm->ram_size, MADV_DONTNEED);
}

int mem_load_images(struct vm *vm)
{
	uint64_t end = SWVM_RAM_BASE + vm->ram_size, base, kend, top;
	static uint8_t dtb[DTB_MAX];
	int n;

	/* The kernel: the lowest clean 2 MiB boundary that holds image_size. */
	for (base = SWVM_RAM_BASE; base + vm->kernel_text_offset + vm->kernel_image_size <= end;
	     base += SZ_2M)
		if (clean(vm, base + vm->kernel_text_offset, vm->kernel_image_size))
			break;
	kend = base + vm->kernel_text_offset + vm->kernel_image_size;
	if (kend > end) {
		vm_err("no room for the kernel clear of poisoned pages");
		return -1;
	}
	vm->entry = base + vm->kernel_text_offset;

	/* The DTB: the highest clean 64 KiB block. */
	for (top = end - DTB_MAX; top >= kend; top -= DTB_MAX)
		if (clean(vm, top, DTB_MAX))
			break;
	if (top < kend) {
		vm_err("no room for the device tree");
		return -1;
	}
	vm->dtb_gpa = top;

	/* The initrd: highest clean page-aligned spot below the DTB. */
	vm->initrd_gpa = 0;
	if (vm->initrd_len) {
		uint64_t len = (vm->initrd_len + SZ_4K - 1) & ~(SZ_4K - 1);
		uint64_t g = (vm->dtb_gpa - len) & ~(SZ_4K - 1);

		while (g >= kend && !clean(vm, g, len))
			g = g >= SZ_2M ? (g - SZ_2M) & ~(SZ_2M - 1) : 0;
		if (g < kend) {
			vm_err("no room for the initrd clear of the kernel and poisoned pages");
			return -1;
		}
		vm->initrd_gpa = g;
		memcpy(hva(vm, g), vm->initrd, vm->initrd_len);
	}

	n = fdt_build(vm, dtb, sizeof(dtb));
	if (n < 0)
		return -1;
	memcpy(hva(vm, vm->dtb_gpa), dtb, (size_t)n);
	memcpy(hva(vm, vm->entry), vm->kernel, vm->kernel_len);
	return 0;
}
