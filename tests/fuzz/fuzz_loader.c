// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * swvm's boot-image loader (vmm/loader.c): any bytes as an arm64 Image,
 * with the guest's RAM size, the initrd's size, the number of reserved
 * pages and a set of bad pages taken from the input.
 *
 * Input: u8 mode | u64 ram | u64 initrd | u32 reserved | u8 nbad |
 *        nbad x (u32 first page | u16 pages) | the Image (the rest)
 *   mode bit 0: ram is any 64-bit size and every page is clean (the
 *               arithmetic at the edges of the address space);
 *               otherwise ram is 1..1024 MiB and the bad pages count
 *   mode bit 1: initrd is any 64-bit size; otherwise below 2 x RAM
 *
 * Properties: the header is refused with a reason, or image_size is at
 * least the file; the placement is refused with a reason and a documented
 * code, or the kernel, the initrd and the DTB lie entirely inside guest
 * RAM, apart, aligned (2 MiB kernel base, 64 KiB DTB, 4 KiB initrd) and
 * clear of every bad page; with no bad page, whatever swvm_image_fits()
 * accepts is placed; the DTB size holds its reserve map and 2 MiB is the
 * limit; merged ranges are sorted, apart and cover exactly the input.
 */
#include <errno.h>

#include "../../vmm/loader.c"
#include "fuzz.h"

#define RAM_BASE	0x40000000ULL
#define MAX_BAD		16

struct bad_set {
	struct swvm_range r[MAX_BAD];
	unsigned int n;
	bool all_clean;
};

static bool clean(void *arg, uint64_t gpa, uint64_t len)
{
	const struct bad_set *b = arg;

	fuzz_check(len && gpa + len > gpa, "clean() of a range that wraps: 0x%llx + 0x%llx",
		   (unsigned long long)gpa, (unsigned long long)len);
	if (b->all_clean)
		return true;
	for (unsigned int i = 0; i < b->n; i++)
		if (gpa < b->r[i].start + b->r[i].len && b->r[i].start < gpa + len)
			return false;
	return true;
}

/* [a, a + len) inside [base, base + size), without an addition that wraps. */
static bool inside(uint64_t a, uint64_t len, uint64_t base, uint64_t size)
{
	return a >= base && len <= size && a - base <= size - len;
}

static bool apart(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return (a < b && b - a >= alen) || (b <= a && a - b >= blen);
}

static void check_merge(const struct bad_set *b)
{
	struct swvm_range m[MAX_BAD];
	size_t n;

	memcpy(m, b->r, sizeof(m));
	n = swvm_ranges_merge(m, b->n);
	fuzz_check(n <= b->n && (n > 0) == (b->n > 0), "merge count %zu of %u", n, b->n);
	for (size_t i = 1; i < n; i++)
		fuzz_check(m[i - 1].start + m[i - 1].len < m[i].start,
			   "merged ranges %zu and %zu touch or are out of order", i - 1, i);
	for (unsigned int i = 0; i < b->n; i++) {
		bool covered = false;

		for (size_t k = 0; k < n && !covered; k++)
			covered = b->r[i].start >= m[k].start &&
				  b->r[i].start + b->r[i].len <= m[k].start + m[k].len;
		fuzz_check(covered, "range %u lost in the merge", i);
	}
	for (size_t k = 0; k < n; k++) {
		bool starts = false, ends = false;

		for (unsigned int i = 0; i < b->n; i++) {
			starts |= b->r[i].start == m[k].start;
			ends |= b->r[i].start + b->r[i].len == m[k].start + m[k].len;
		}
		fuzz_check(starts && ends, "merged range %zu is not made of input ranges", k);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct bad_set bad = { .n = 0 };
	unsigned int mode = (unsigned int)fuzz_take(&in, 1);
	uint64_t ram = fuzz_take(&in, 8), initrd = fuzz_take(&in, 8);
	uint64_t nres = fuzz_take(&in, 4), dtb;
	unsigned int nbad = (unsigned int)fuzz_take(&in, 1) % (MAX_BAD + 1);
	struct swvm_image img;
	struct swvm_layout l;
	const char *why = NULL;
	int r, fits;

	if (mode & 1) {
		bad.all_clean = true;
	} else {
		ram = ((ram % 1024) + 1) << 20;
		for (unsigned int i = 0; i < nbad; i++) {
			uint64_t pg = fuzz_take(&in, 4) % (ram >> 12);
			uint64_t np = fuzz_take(&in, 2) % 1024 + 1;

			if (np > (ram >> 12) - pg)
				np = (ram >> 12) - pg;
			bad.r[bad.n++] = (struct swvm_range){ RAM_BASE + (pg << 12), np << 12 };
		}
		check_merge(&bad);
	}
	if (!(mode & 2))
		initrd %= 2 * ram + 1;
	nres %= (mode & 4) ? 0x40000 : 0x400;

	dtb = swvm_dtb_size(nres);
	if (nres <= (SWVM_DTB_MAX - SWVM_DTB_BASE) / SWVM_DTB_RSV_ENTRY) {
		fuzz_check(dtb >= SWVM_DTB_BASE + nres * SWVM_DTB_RSV_ENTRY && dtb <= SWVM_DTB_MAX &&
			   !(dtb & 0xffff), "dtb size %llu for %llu entries",
			   (unsigned long long)dtb, (unsigned long long)nres);
	} else {
		fuzz_check(dtb == 0, "dtb size %llu for %llu entries (over 2 MiB)",
			   (unsigned long long)dtb, (unsigned long long)nres);
		dtb = SWVM_DTB_BASE;
	}

	r = swvm_image_parse(in.p, in.n, &img, &why);
	if (r) {
		fuzz_check((r == -EINVAL || r == -EFBIG) && why && *why, "parse: %d without a reason", r);
		return 0;
	}
	fuzz_check(img.image_size >= in.n, "image_size %llu below the file's %zu",
		   (unsigned long long)img.image_size, in.n);

	why = NULL;
	fits = swvm_image_fits(&img, initrd, ram, &why);
	fuzz_check(!fits || (fits == -EFBIG && why && *why), "fits: %d without a reason", fits);

	why = NULL;
	r = swvm_layout_place(RAM_BASE, ram, &img, initrd, dtb, clean, &bad, &l, &why);
	if (r) {
		fuzz_check((r == -EINVAL || r == -EFBIG || r == -ENOSPC) && why && *why,
			   "place: %d without a reason", r);
		fuzz_check(!(RAM_BASE + ram > RAM_BASE && !fits && (bad.all_clean || !bad.n)),
			   "refused (%s) what fits in a clean RAM: text_offset 0x%llx image_size "
			   "0x%llx initrd 0x%llx ram 0x%llx dtb 0x%llx", why,
			   (unsigned long long)img.text_offset, (unsigned long long)img.image_size,
			   (unsigned long long)initrd, (unsigned long long)ram,
			   (unsigned long long)dtb);
		return 0;
	}
	fuzz_check(!fits, "placed what swvm_image_fits() refused");
	fuzz_check(inside(l.entry, img.image_size, RAM_BASE, ram), "kernel 0x%llx+0x%llx outside RAM",
		   (unsigned long long)l.entry, (unsigned long long)img.image_size);
	fuzz_check(!((l.entry - img.text_offset) & 0x1fffff), "kernel base not 2 MiB-aligned");
	fuzz_check(l.kernel_end == l.entry + img.image_size, "kernel_end");
	fuzz_check(l.dtb_size == dtb && inside(l.dtb_gpa, dtb, RAM_BASE, ram) && !(l.dtb_gpa & 0xffff),
		   "DTB 0x%llx+0x%llx", (unsigned long long)l.dtb_gpa, (unsigned long long)l.dtb_size);
	fuzz_check(apart(l.entry, img.image_size, l.dtb_gpa, dtb), "kernel and DTB overlap");
	fuzz_check(clean(&bad, l.entry, img.image_size), "kernel on a bad page");
	fuzz_check(clean(&bad, l.dtb_gpa, dtb), "DTB on a bad page");
	if (initrd) {
		fuzz_check(inside(l.initrd_gpa, initrd, RAM_BASE, ram) && !(l.initrd_gpa & 0xfff),
			   "initrd 0x%llx+0x%llx", (unsigned long long)l.initrd_gpa,
			   (unsigned long long)initrd);
		fuzz_check(apart(l.initrd_gpa, initrd, l.entry, img.image_size), "initrd on the kernel");
		fuzz_check(apart(l.initrd_gpa, initrd, l.dtb_gpa, dtb), "initrd on the DTB");
		fuzz_check(clean(&bad, l.initrd_gpa, initrd), "initrd on a bad page");
	} else {
		fuzz_check(l.initrd_gpa == 0, "an initrd address without an initrd");
	}
	return 0;
}
