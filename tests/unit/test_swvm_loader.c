// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * swvm's loader (vmm/loader.c) without KVM: crafted arm64 Image headers
 * and initrd sizes against a 256 MiB guest.  A header whose text_offset
 * wraps text_offset + image_size (the security review's reproduction put
 * 1 MiB of kernel below guest RAM), an initrd size that wraps the initrd
 * check, sizes past the end of RAM: each refused with a reason.  Normal
 * images land inside RAM, apart, clear of bad pages.  The device tree
 * grows with the reserved pages (5000 of them need more than 64 KiB).
 */
#include <errno.h>
#include <stdlib.h>

#include "../../vmm/loader.c"
#include "tap.h"

#define RAM_BASE	0x40000000ULL
#define RAM_SIZE	(256ULL << 20)
#define MiB		(1ULL << 20)

/* The bad pages of a test, as [start, end) ranges. */
static struct swvm_range bad[8];
static unsigned int nbad;
static unsigned int clean_calls;

static bool clean(void *arg, uint64_t gpa, uint64_t len)
{
	(void)arg;
	clean_calls++;
	for (unsigned int i = 0; i < nbad; i++)
		if (gpa < bad[i].start + bad[i].len && bad[i].start < gpa + len)
			return false;
	return true;
}

/* A 64-byte arm64 Image header. */
static void header(uint8_t *h, uint64_t text_offset, uint64_t image_size)
{
	memset(h, 0, 64);
	for (int i = 0; i < 8; i++) {
		h[8 + i] = (uint8_t)(text_offset >> (8 * i));
		h[16 + i] = (uint8_t)(image_size >> (8 * i));
	}
	memcpy(h + 56, "ARM\x64", 4);
}

static bool inside(uint64_t a, uint64_t len)
{
	return a >= RAM_BASE && len <= RAM_SIZE && a - RAM_BASE <= RAM_SIZE - len;
}

static bool apart(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a + alen <= b || b + blen <= a;
}

/* Place with the loader's own checks; 0 and a layout checked for sanity. */
static int place(const struct swvm_image *img, uint64_t initrd_len, uint64_t dtb_size,
		 struct swvm_layout *l, const char **why)
{
	int r;

	*why = NULL;
	r = swvm_layout_place(RAM_BASE, RAM_SIZE, img, initrd_len, dtb_size, clean, NULL, l, why);
	if (r)
		return r;
	if (!inside(l->entry, img->image_size) || !inside(l->dtb_gpa, l->dtb_size) ||
	    (initrd_len && !inside(l->initrd_gpa, initrd_len)))
		return 1000;	/* "placed outside RAM" */
	if (initrd_len && (!apart(l->entry, img->image_size, l->initrd_gpa, initrd_len) ||
			   !apart(l->initrd_gpa, initrd_len, l->dtb_gpa, l->dtb_size)))
		return 1001;
	if (!apart(l->entry, img->image_size, l->dtb_gpa, l->dtb_size))
		return 1001;
	return 0;
}

static void wrapping_header(void)
{
	uint8_t h[64];
	struct swvm_image img;
	struct swvm_layout l;
	const char *why = NULL;
	int r;

	/* The review's Image: text_offset 2^64 - 1 MiB, image_size 1 MiB. */
	header(h, ~0ULL - MiB + 1, MiB);
	tap_eq(swvm_image_parse(h, sizeof(h), &img, &why), 0, "wrapping header: parsed");
	r = swvm_image_fits(&img, 0, RAM_SIZE, &why);
	tap_eq(r, -EFBIG, "wrapping text_offset + image_size: does not fit");
	tap_ok(why && strstr(why, "text_offset"), "... and says why: %s", why ? why : "(none)");
	r = place(&img, 0, SWVM_DTB_BASE, &l, &why);
	tap_eq(r, -EFBIG, "wrapping header: placement refused (1000: the kernel went outside RAM)");
	if (r == 1000)
		printf("#   kernel at 0x%llx, RAM at 0x%llx\n", (unsigned long long)l.entry, RAM_BASE);

	/* image_size that wraps with a small text_offset. */
	header(h, 0x80000, ~0ULL - 0x40000);
	swvm_image_parse(h, sizeof(h), &img, &why);
	tap_eq(swvm_image_fits(&img, 0, RAM_SIZE, &why), -EFBIG, "wrapping image_size: does not fit");
	tap_eq(place(&img, 0, SWVM_DTB_BASE, &l, &why), -EFBIG, "wrapping image_size: refused");

	/* Each alone past RAM. */
	header(h, RAM_SIZE, MiB);
	swvm_image_parse(h, sizeof(h), &img, &why);
	tap_eq(place(&img, 0, SWVM_DTB_BASE, &l, &why), -EFBIG, "text_offset past RAM: refused");
	header(h, 0, RAM_SIZE);
	swvm_image_parse(h, sizeof(h), &img, &why);
	tap_eq(place(&img, 0, SWVM_DTB_BASE, &l, &why), -EFBIG, "image_size of all RAM: refused");
}

static void wrapping_initrd(void)
{
	uint8_t h[64];
	struct swvm_image img;
	struct swvm_layout l;
	const char *why = NULL;
	int r;

	header(h, 0, 8 * MiB);
	swvm_image_parse(h, sizeof(h), &img, &why);
	/* Wraps text_offset + image_size + initrd + 4 MiB to 0. */
	r = swvm_image_fits(&img, ~0ULL - 12 * MiB + 1, RAM_SIZE, &why);
	tap_eq(r, -EFBIG, "wrapping initrd size: does not fit");
	tap_ok(why && strstr(why, "initrd"), "... and says why: %s", why ? why : "(none)");
	r = place(&img, ~0ULL - 12 * MiB + 1, SWVM_DTB_BASE, &l, &why);
	tap_eq(r, -EFBIG, "wrapping initrd size: placement refused");
	/* An initrd one page too large for what is left between kernel and DTB. */
	r = place(&img, RAM_SIZE - 8 * MiB - SWVM_DTB_BASE + 4096, SWVM_DTB_BASE, &l, &why);
	tap_ok(r < 0, "initrd larger than the room left: refused (%d)", r);
}

static void normal(void)
{
	uint8_t h[64];
	struct swvm_image img;
	struct swvm_layout l;
	const char *why = NULL;
	int r;

	header(h, 0, 30 * MiB);
	swvm_image_parse(h, sizeof(h), &img, &why);
	tap_eq(img.image_size, 30 * MiB, "image_size from the header");
	nbad = 0;
	r = place(&img, 10 * MiB + 123, SWVM_DTB_BASE, &l, &why);
	tap_eq(r, 0, "kernel, 10 MiB initrd, 64 KiB DTB in 256 MiB: placed (%s)", why ? why : "");
	tap_eq(l.entry, RAM_BASE, "kernel at the start of RAM");
	tap_eq(l.dtb_gpa, RAM_BASE + RAM_SIZE - SWVM_DTB_BASE, "DTB at the top");
	tap_eq(l.initrd_gpa & 4095, 0, "initrd page-aligned");
	tap_ok(l.initrd_gpa + 10 * MiB + 123 <= l.dtb_gpa, "initrd below the DTB");

	/* A bad page in the kernel's first 2 MiB, one at the top, one below. */
	bad[0] = (struct swvm_range){ RAM_BASE + 0x1000, 0x1000 };
	bad[1] = (struct swvm_range){ RAM_BASE + RAM_SIZE - 0x1000, 0x1000 };
	bad[2] = (struct swvm_range){ RAM_BASE + RAM_SIZE - 0x30000, 0x1000 };
	nbad = 3;
	r = place(&img, 10 * MiB, SWVM_DTB_BASE, &l, &why);
	tap_eq(r, 0, "with bad pages: placed");
	tap_eq(l.entry, RAM_BASE + 2 * MiB, "kernel at the next 2 MiB boundary");
	tap_ok(clean(NULL, l.dtb_gpa, l.dtb_size), "DTB clear of the bad pages (0x%llx)",
	       (unsigned long long)l.dtb_gpa);
	tap_ok(clean(NULL, l.initrd_gpa, 10 * MiB), "initrd clear of the bad pages");

	/* Every 2 MiB base bad: no room, and the search ends. */
	bad[0] = (struct swvm_range){ RAM_BASE, RAM_SIZE };
	nbad = 1;
	clean_calls = 0;
	r = place(&img, 0, SWVM_DTB_BASE, &l, &why);
	tap_eq(r, -ENOSPC, "all RAM bad: no room for the kernel");
	tap_ok(clean_calls <= RAM_SIZE / (2 * MiB), "... after at most one try per 2 MiB (%u)",
	       clean_calls);
	nbad = 0;

	/* Legacy header: image_size 0. */
	header(h, 0x1234, 0);
	tap_eq(swvm_image_parse(h, sizeof(h), &img, &why), 0, "legacy header parsed");
	tap_eq(img.text_offset, 0x80000, "legacy text_offset");
	tap_eq(img.image_size, 64 + 16 * MiB, "legacy image_size: file + 16 MiB");

	/* image_size smaller than the file: the file's length. */
	{
		uint8_t *big = calloc(1, 3 * MiB);

		header(big, 0, MiB);
		swvm_image_parse(big, 3 * MiB, &img, &why);
		tap_eq(img.image_size, 3 * MiB, "image_size below the file's length: the file's");
		free(big);
	}
	memset(h, 0, sizeof(h));
	tap_eq(swvm_image_parse(h, sizeof(h), &img, &why), -EINVAL, "no magic: refused");
	header(h, 0, MiB);
	tap_eq(swvm_image_parse(h, 63, &img, &why), -EINVAL, "shorter than a header: refused");

	/* Bad arguments. */
	tap_eq(swvm_layout_place(~0ULL - MiB * 2 + 1, 4 * MiB, &img, 0, SWVM_DTB_BASE, clean,
				 NULL, &l, &why), -EINVAL, "RAM that wraps the address space");
	tap_eq(swvm_layout_place(RAM_BASE, RAM_SIZE, &img, 0, 1000, clean, NULL, &l, &why),
	       -EINVAL, "a DTB size not in 64 KiB units");
}

static void dtb_for_reserved_pages(void)
{
	enum { N = 5000 };
	struct swvm_range *r = calloc(N, sizeof(*r));
	uint64_t size;
	size_t n;
	uint8_t h[64];
	struct swvm_image img;
	struct swvm_layout l;
	const char *why = NULL;

	tap_eq(swvm_dtb_size(0), SWVM_DTB_BASE, "no reserved page: 64 KiB");
	/* 5000 isolated pages, every other page, out of order: none merge. */
	for (size_t i = 0; i < N; i++)
		r[i] = (struct swvm_range){ RAM_BASE + ((i * 7919) % N) * 0x2000, 0x1000 };
	n = swvm_ranges_merge(r, N);
	tap_eq(n, N, "5000 separate pages stay 5000 entries");
	tap_ok(r[0].start == RAM_BASE && r[N - 1].start == RAM_BASE + (N - 1) * 0x2000ULL,
	       "sorted");
	size = swvm_dtb_size(n);
	tap_ok(size >= SWVM_DTB_BASE + (n + 1) * SWVM_DTB_RSV_ENTRY,
	       "DTB for 5000 reserved pages holds their reserve map (%llu bytes)",
	       (unsigned long long)size);
	tap_eq(size % 0x10000, 0, "in 64 KiB units");
	header(h, 0, 30 * MiB);
	swvm_image_parse(h, sizeof(h), &img, &why);
	nbad = 0;
	tap_eq(place(&img, 0, size, &l, &why), 0, "and it is placed");

	/* 5000 adjacent pages merge into one entry. */
	for (size_t i = 0; i < N; i++)
		r[i] = (struct swvm_range){ RAM_BASE + (N - 1 - i) * 0x1000ULL, 0x1000 };
	n = swvm_ranges_merge(r, N);
	tap_eq(n, 1, "5000 adjacent pages: one entry");
	tap_eq(r[0].len, N * 0x1000ULL, "covering all of them");
	free(r);

	/* More entries than 2 MiB holds: refused, not overflowed. */
	tap_eq(swvm_dtb_size((SWVM_DTB_MAX - SWVM_DTB_BASE) / SWVM_DTB_RSV_ENTRY + 1), 0,
	       "reserve map beyond 2 MiB: no size");
	tap_eq(swvm_dtb_size(~0ULL), 0, "a count of 2^64 - 1: no size, no wrap");
}

int main(void)
{
	wrapping_header();
	wrapping_initrd();
	normal();
	dtb_for_reserved_pages();
	return tap_done();
}
