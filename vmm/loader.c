// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * Where the boot images go in guest RAM: the arm64 Image header, the
 * "does it fit" check, and the placement of the kernel, the initrd and the
 * DTB clear of bad pages.  No KVM and no libseawall here (clean() is the
 * caller's), so the unit tests and the loader fuzzer run it natively.
 *
 * Every number in an Image header is the file's word, not ours: each
 * check compares one quantity against what is left of RAM before anything
 * is added, so that no sum can wrap.  A text_offset of 2^64 - 1 MiB once
 * made text_offset + image_size small, passed the size check, and put the
 * kernel 1 MiB below guest RAM.
 */
#include <errno.h>
#include <stdlib.h>

#include "swvm.h"

#define SZ_4K	0x1000ULL
#define SZ_64K	0x10000ULL
#define SZ_2M	0x200000ULL
#define ARM64_IMAGE_MAGIC	0x644d5241u	/* "ARM\x64" */
#define ARM64_IMAGE_HDR_LEN	64
/* Kernels before 3.17 leave image_size 0; booting.rst's defaults then. */
#define LEGACY_TEXT_OFFSET	0x80000ULL
#define LEGACY_SLACK		(SZ_2M * 8)

static uint64_t le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

int swvm_image_parse(const void *buf, size_t len, struct swvm_image *img, const char **why)
{
	const uint8_t *h = buf;

	if (len < ARM64_IMAGE_HDR_LEN) {
		*why = "too small for an arm64 Image";
		return -EINVAL;
	}
	if (le(h + 56, 4) != ARM64_IMAGE_MAGIC) {
		*why = "not an arm64 Linux Image (no \"ARM\\x64\" magic; compressed or "
		       "EFI zboot images are not supported)";
		return -EINVAL;
	}
	img->text_offset = le(h + 8, 8);
	img->image_size = le(h + 16, 8);
	if (!img->image_size) {
		/* text_offset is in an unknown endianness there. */
		img->text_offset = LEGACY_TEXT_OFFSET;
		if (__builtin_add_overflow((uint64_t)len, LEGACY_SLACK, &img->image_size)) {
			*why = "too large";
			return -EFBIG;
		}
	}
	/* The file is copied whole: it must be inside what we reserve for it. */
	if (img->image_size < len)
		img->image_size = len;
	return 0;
}

int swvm_image_fits(const struct swvm_image *img, uint64_t initrd_len, uint64_t ram_size,
		    const char **why)
{
	uint64_t room = ram_size;

	if (img->text_offset >= room) {
		*why = "the kernel's text_offset is beyond the end of guest RAM";
		return -EFBIG;
	}
	room -= img->text_offset;
	if (img->image_size > room) {
		*why = "the kernel's image_size does not fit in guest RAM";
		return -EFBIG;
	}
	room -= img->image_size;
	if (initrd_len > room) {
		*why = "the initrd does not fit in guest RAM beside the kernel";
		return -EFBIG;
	}
	room -= initrd_len;
	/* The kernel's 2 MiB alignment, the DTB and the initrd's alignment. */
	if (room < SZ_2M * 2) {
		*why = "no room left for the device tree beside the kernel and initrd";
		return -EFBIG;
	}
	return 0;
}

uint64_t swvm_dtb_size(uint64_t nreserved)
{
	/* Each reserve-map entry is two 64-bit cells; the rest fits in 64 KiB. */
	uint64_t max = (SWVM_DTB_MAX - SWVM_DTB_BASE) / SWVM_DTB_RSV_ENTRY;

	if (nreserved > max)
		return 0;
	return (SWVM_DTB_BASE + nreserved * SWVM_DTB_RSV_ENTRY + SZ_64K - 1) & ~(SZ_64K - 1);
}

int swvm_layout_place(uint64_t ram_base, uint64_t ram_size, const struct swvm_image *img,
		      uint64_t initrd_len, uint64_t dtb_size,
		      bool (*clean)(void *arg, uint64_t gpa, uint64_t len), void *arg,
		      struct swvm_layout *l, const char **why)
{
	uint64_t end, base, need, kend, top, g, len;

	memset(l, 0, sizeof(*l));
	if (!ram_size || (ram_base & (SZ_2M - 1)) ||
	    __builtin_add_overflow(ram_base, ram_size, &end)) {
		*why = "guest RAM is not a 2 MiB-aligned range of the address space";
		return -EINVAL;
	}
	if (!dtb_size || dtb_size > SWVM_DTB_MAX || (dtb_size & (SZ_64K - 1))) {
		*why = "the device tree's size is not a multiple of 64 KiB up to 2 MiB";
		return -EINVAL;
	}
	if (swvm_image_fits(img, initrd_len, ram_size, why))
		return -EFBIG;
	need = img->text_offset + img->image_size;	/* <= ram_size: fits said so */

	/* The kernel: the lowest clean 2 MiB boundary that holds image_size. */
	for (base = ram_base; end - base >= need; base += SZ_2M) {
		if (clean(arg, base + img->text_offset, img->image_size))
			break;
		if (end - base < SZ_2M) {
			base = end;
			break;
		}
	}
	if (end - base < need) {
		*why = "no room for the kernel clear of poisoned pages";
		return -ENOSPC;
	}
	l->entry = base + img->text_offset;
	kend = l->entry + img->image_size;
	l->kernel_end = kend;

	/* The DTB: the highest clean 64 KiB-aligned block above the kernel. */
	if (end - kend < dtb_size) {
		*why = "no room for the device tree above the kernel";
		return -ENOSPC;
	}
	top = (end - dtb_size) & ~(SZ_64K - 1);
	while (top < kend || !clean(arg, top, dtb_size)) {
		if (top < kend || top - kend < SZ_64K) {
			*why = "no room for the device tree clear of poisoned pages";
			return -ENOSPC;
		}
		top -= SZ_64K;
	}
	l->dtb_gpa = top;
	l->dtb_size = dtb_size;

	/* The initrd: the highest clean page-aligned spot below the DTB. */
	if (!initrd_len)
		return 0;
	if (initrd_len > top - kend) {
		*why = "no room for the initrd between the kernel and the device tree";
		return -ENOSPC;
	}
	len = (initrd_len + SZ_4K - 1) & ~(SZ_4K - 1);	/* initrd_len < RAM: no wrap */
	g = top - len;
	if (len > top - kend || (g & ~(SZ_4K - 1)) < kend) {
		*why = "no room for the initrd between the kernel and the device tree";
		return -ENOSPC;
	}
	g &= ~(SZ_4K - 1);
	while (!clean(arg, g, len)) {
		/* Down to the previous 2 MiB boundary, staying above the kernel. */
		uint64_t next = (g - 1) & ~(SZ_2M - 1);

		if (next < kend) {
			*why = "no room for the initrd clear of the kernel and poisoned pages";
			return -ENOSPC;
		}
		g = next;
	}
	l->initrd_gpa = g;
	return 0;
}

static int range_cmp(const void *a, const void *b)
{
	const struct swvm_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

size_t swvm_ranges_merge(struct swvm_range *r, size_t n)
{
	size_t out = 0;

	if (!n)
		return 0;
	qsort(r, n, sizeof(*r), range_cmp);
	for (size_t i = 1; i < n; i++) {
		struct swvm_range *last = &r[out];
		uint64_t end = last->start + last->len;	/* pages: no wrap */

		if (r[i].start <= end) {
			if (r[i].start + r[i].len > end)
				last->len = r[i].start + r[i].len - last->start;
		} else {
			r[++out] = r[i];
		}
	}
	return out + 1;
}
