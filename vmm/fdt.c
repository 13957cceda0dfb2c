// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * The guest's device tree, written with libfdt's sequential-write API:
 * cpus (PSCI), memory, GICv3, the arch timer, PSCI, chosen, the 16550 and
 * the notify device.  Pages the ledger still holds as isolated (a journal
 * reloaded at start) go in the reserve map so the guest never uses them:
 * adjacent pages merged into one entry, and the tree sized for them (a
 * fixed 64 KiB overflowed at about 4000 pages), up to booting.rst's 2 MiB.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "vm.h"

#define GIC_PHANDLE	1
#define GIC_SPI		0
#define GIC_PPI		1
#define IRQ_LEVEL_HIGH	4

struct fdt_ctx {
	void *fdt;
	int err;
};

#define CHK(f, call) do { int r_ = (call); if (r_ < 0 && !(f)->err) (f)->err = r_; } while (0)

static void prop_cells(struct fdt_ctx *f, const char *name, const uint32_t *cells, int n)
{
	fdt32_t be[16];

	for (int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	CHK(f, fdt_property(f->fdt, name, be, n * (int)sizeof(fdt32_t)));
}

static void prop_reg(struct fdt_ctx *f, uint64_t addr, uint64_t size)
{
	uint32_t c[4] = { (uint32_t)(addr >> 32), (uint32_t)addr,
			  (uint32_t)(size >> 32), (uint32_t)size };

	prop_cells(f, "reg", c, 4);
}

struct reserved {
	struct swvm_range *r;
	size_t n, cap;
	int err;
};

static int collect_isolated(const struct seawall_page *p, void *arg)
{
	struct reserved *rs = arg;

	if (!(p->flags & SEAWALL_PAGE_ISOLATED) || (p->flags & SEAWALL_PAGE_REPLACED))
		return 0;
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct swvm_range *r = realloc(rs->r, cap * sizeof(*r));

		if (!r) {
			rs->err = -ENOMEM;
			return -ENOMEM;
		}
		rs->r = r;
		rs->cap = cap;
	}
	rs->r[rs->n++] = (struct swvm_range){ p->gpa, 1ULL << p->page_shift };
	return 0;
}

/* The reserve map: isolated pages, sorted, adjacent ones merged. */
static int reserved_ranges(struct vm *vm, struct reserved *rs)
{
	memset(rs, 0, sizeof(*rs));
	seawall_ledger_foreach(vm->sw, collect_isolated, rs);
	if (rs->err) {
		vm_err("device tree: out of memory for %zu reserved pages", rs->n);
		free(rs->r);
		return -1;
	}
	rs->n = swvm_ranges_merge(rs->r, rs->n);
	return 0;
}

int fdt_size(struct vm *vm, uint64_t *size)
{
	struct reserved rs;

	if (reserved_ranges(vm, &rs))
		return -1;
	free(rs.r);
	*size = swvm_dtb_size(rs.n);
	if (!*size) {
		vm_err("device tree: %zu separate ranges of isolated pages are more than a "
		       "2 MiB device tree can reserve (at most %llu)", rs.n,
		       (unsigned long long)((SWVM_DTB_MAX - SWVM_DTB_BASE) / SWVM_DTB_RSV_ENTRY));
		return -1;
	}
	return 0;
}

int fdt_build(struct vm *vm, void *buf, size_t cap)
{
	struct fdt_ctx f = { .fdt = buf };
	struct reserved rs;
	void *fdt = buf;
	char name[64];

	if (cap > SWVM_DTB_MAX || reserved_ranges(vm, &rs))
		return -1;
	CHK(&f, fdt_create(fdt, (int)cap));
	for (size_t i = 0; i < rs.n; i++)
		CHK(&f, fdt_add_reservemap_entry(fdt, rs.r[i].start, rs.r[i].len));
	free(rs.r);
	CHK(&f, fdt_finish_reservemap(fdt));

	CHK(&f, fdt_begin_node(fdt, ""));
	CHK(&f, fdt_property_string(fdt, "compatible", "linux,dummy-virt"));
	CHK(&f, fdt_property_u32(fdt, "#address-cells", 2));
	CHK(&f, fdt_property_u32(fdt, "#size-cells", 2));
	CHK(&f, fdt_property_u32(fdt, "interrupt-parent", GIC_PHANDLE));

	CHK(&f, fdt_begin_node(fdt, "chosen"));
	CHK(&f, fdt_property_string(fdt, "bootargs", vm->cmdline));
	snprintf(name, sizeof(name), "/uart@%llx", (unsigned long long)SWVM_UART_BASE);
	CHK(&f, fdt_property_string(fdt, "stdout-path", name));
	if (vm->initrd_len) {
		CHK(&f, fdt_property_u64(fdt, "linux,initrd-start", vm->initrd_gpa));
		CHK(&f, fdt_property_u64(fdt, "linux,initrd-end", vm->initrd_gpa + vm->initrd_len));
	}
	CHK(&f, fdt_end_node(fdt));

	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)SWVM_RAM_BASE);
	CHK(&f, fdt_begin_node(fdt, name));
	CHK(&f, fdt_property_string(fdt, "device_type", "memory"));
	prop_reg(&f, SWVM_RAM_BASE, vm->ram_size);
	CHK(&f, fdt_end_node(fdt));

	CHK(&f, fdt_begin_node(fdt, "cpus"));
	CHK(&f, fdt_property_u32(fdt, "#address-cells", 1));
	CHK(&f, fdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned int i = 0; i < vm->ncpus; i++) {
		snprintf(name, sizeof(name), "cpu@%u", i);
		CHK(&f, fdt_begin_node(fdt, name));
		CHK(&f, fdt_property_string(fdt, "device_type", "cpu"));
		CHK(&f, fdt_property_string(fdt, "compatible", "arm,arm-v8"));
		CHK(&f, fdt_property_string(fdt, "enable-method", "psci"));
		CHK(&f, fdt_property_u32(fdt, "reg", i));
		CHK(&f, fdt_end_node(fdt));
	}
	CHK(&f, fdt_end_node(fdt));

	CHK(&f, fdt_begin_node(fdt, "psci"));
	{
		static const char compat[] = "arm,psci-1.0\0arm,psci-0.2";

		CHK(&f, fdt_property(fdt, "compatible", compat, sizeof(compat)));
	}
	CHK(&f, fdt_property_string(fdt, "method", "hvc"));
	CHK(&f, fdt_end_node(fdt));

	snprintf(name, sizeof(name), "intc@%llx", (unsigned long long)SWVM_GIC_DIST_BASE);
	CHK(&f, fdt_begin_node(fdt, name));
	CHK(&f, fdt_property_string(fdt, "compatible", "arm,gic-v3"));
	CHK(&f, fdt_property_u32(fdt, "#interrupt-cells", 3));
	CHK(&f, fdt_property(fdt, "interrupt-controller", NULL, 0));
	CHK(&f, fdt_property_u32(fdt, "#redistributor-regions", 1));
	{
		uint64_t rsz = SWVM_GIC_REDIST_SIZE * vm->ncpus;
		uint32_t c[8] = {
			0, (uint32_t)SWVM_GIC_DIST_BASE, 0, (uint32_t)SWVM_GIC_DIST_SIZE,
			0, (uint32_t)SWVM_GIC_REDIST_BASE, 0, (uint32_t)rsz,
		};

		prop_cells(&f, "reg", c, 8);
	}
	CHK(&f, fdt_property_u32(fdt, "phandle", GIC_PHANDLE));
	CHK(&f, fdt_end_node(fdt));

	CHK(&f, fdt_begin_node(fdt, "timer"));
	CHK(&f, fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	{
		/* Secure, non-secure, virtual and hypervisor timer PPIs. */
		uint32_t c[12] = {
			GIC_PPI, 13, IRQ_LEVEL_HIGH, GIC_PPI, 14, IRQ_LEVEL_HIGH,
			GIC_PPI, 11, IRQ_LEVEL_HIGH, GIC_PPI, 10, IRQ_LEVEL_HIGH,
		};

		prop_cells(&f, "interrupts", c, 12);
	}
	CHK(&f, fdt_property(fdt, "always-on", NULL, 0));
	CHK(&f, fdt_end_node(fdt));

	snprintf(name, sizeof(name), "uart@%llx", (unsigned long long)SWVM_UART_BASE);
	CHK(&f, fdt_begin_node(fdt, name));
	CHK(&f, fdt_property_string(fdt, "compatible", "ns16550a"));
	prop_reg(&f, SWVM_UART_BASE, SWVM_UART_SIZE);
	{
		uint32_t c[3] = { GIC_SPI, SWVM_UART_SPI, IRQ_LEVEL_HIGH };

		prop_cells(&f, "interrupts", c, 3);
	}
	CHK(&f, fdt_property_u32(fdt, "clock-frequency", SWVM_UART_CLOCK));
	CHK(&f, fdt_property_u32(fdt, "reg-shift", 0));
	CHK(&f, fdt_property_u32(fdt, "reg-io-width", 1));
	CHK(&f, fdt_end_node(fdt));

	snprintf(name, sizeof(name), "notify@%llx", (unsigned long long)SWVM_NOTIFY_BASE);
	CHK(&f, fdt_begin_node(fdt, name));
	CHK(&f, fdt_property_string(fdt, "compatible", "seawall,notify-v1"));
	prop_reg(&f, SWVM_NOTIFY_BASE, SWVM_NOTIFY_SIZE);
	CHK(&f, fdt_end_node(fdt));

	CHK(&f, fdt_end_node(fdt));
	CHK(&f, fdt_finish(fdt));
	if (f.err) {
		vm_err("building the device tree (%zu bytes, %zu reserved ranges): %s", cap, rs.n,
		       fdt_strerror(f.err));
		return -1;
	}
	return (int)fdt_totalsize(fdt);
}
