// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * libseawall's SEAWALL_ISOLATE_MEMSLOT_SPLIT against real KVM (0.1's default;
 * the default since 0.2, poison, is lib_poison's).
 *
 * A guest read of a page takes a real KVM_EXIT_ARM_SEA.  The context
 * (vm_fd, one region = the kt memslot 0) isolates the page: it splits the
 * memslot around it, leaving a hole, and mremaps the host page into
 * quarantine.  Three ways in: seawall_ctx_handle_sea_exit() (decode, ledger,
 * isolate, inject, all in one), seawall_ctx_handle_sea() then
 * seawall_vcpu_inject_dabt(), and seawall_ctx_isolate() called on its own
 * after an SEA recorded with SEAWALL_POLICY_NO_ISOLATE.
 *
 * Then the rig's test mark is lifted (real hardware raises no SEA for a page
 * that is no longer mapped), and:
 *  - a guest access to the page exits as KVM_EXIT_MMIO (ldr, str) or
 *    KVM_EXIT_ARM_NISV (ldp, with NISV_TO_USER); seawall_ctx_handle_fault_exit
 *    recognises the poisoned GPA and injects the data abort again: the
 *    guest sees EC 0x25, FSC 0x10, FAR = the address;
 *  - a ucall's MMIO exit is not the library's (returns 0, injects nothing);
 *  - the neighbouring pages, now in two memslots, read what was written
 *    before the split, and a guest write lands in the same host memory;
 *  - seawall_ctx_reset() gives the GPA fresh zeroed memory, rejoins the
 *    memslot, and the guest reads and writes it normally.
 *
 * journal-reload: the SEA is handled with a journal in /tmp; the VM and
 * the context go away; a new VM and a new context on the same journal
 * report the page (source SEA, the exit's ESR and gva), re-isolate it with
 * seawall_ctx_reisolate(), and the new guest's first access to it is turned
 * into an abort by seawall_ctx_handle_fault_exit().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <seawall.h>

#include "lt.h"

#define PAGE		KT_TEST_PAGE(1)
#define OFF		0x1a8
#define FAR_PAGE	KT_TEST_PAGE(2)
#define SPARE_SLOT	8

enum how { BY_SEA_EXIT, BY_HANDLE_SEA, BY_ISOLATE };
enum after { AFTER_READ, AFTER_WRITE, AFTER_LDP };

struct iso_case {
	enum how how;
	enum after after;
	bool journal;
};

static uint64_t pattern(uint64_t gpa)
{
	return gpa * 0x9e3779b97f4a7c15ULL;
}

static void fill(struct kt_vm *vm, uint64_t gpa)
{
	uint64_t *p = kt_gpa_hva(vm, gpa);

	for (unsigned int i = 0; i < KT_PAGE / 8; i++)
		p[i] = pattern(gpa + 8 * i);
}

static struct seawall_ctx *ctx_open(struct kt_vm *vm, const char *journal,
				    unsigned int policy)
{
	SEAWALL_OPTS(seawall_ctx_opts, o);
	SEAWALL_OPTS(seawall_region_opts, ro);
	SEAWALL_OPTS(seawall_policy_opts, po);
	struct seawall_ctx *ctx;

	/* 0.1's default, an explicit strategy since 0.2 (lib_poison tests the default). */
	o.strategy = SEAWALL_ISOLATE_MEMSLOT_SPLIT;
	o.vm_fd = vm->vm_fd;
	o.journal_path = journal;
	o.spare_slot_base = SPARE_SLOT;
	o.spare_slot_count = 4;
	o.has_ras = vm->vm_has_ras;
	ctx = seawall_ctx_new(&o);
	if (!ctx)
		kt_fail("seawall_ctx_new: %m");
	ro.gpa = KT_MEM_GPA;
	ro.size = KT_MEM_SIZE;
	ro.hva = vm->mem[0].hva;
	ro.slot = 0;
	KT_CHECK_EQ(seawall_region_add(ctx, &ro), 0, "seawall_region_add");
	po.flags = policy;
	KT_CHECK_EQ(seawall_ctx_set_policy(ctx, &po), 0, "seawall_ctx_set_policy");
	return ctx;
}

/* The guest touches the isolated page; the library turns it into an abort. */
static void touch_hole(struct kt_vm *vm, struct seawall_ctx *ctx,
		       enum after after, unsigned int hits)
{
	uint64_t fn, addr = PAGE + OFF, gpa;
	struct seawall_outcome out;
	unsigned int want_exit;
	int act;

	switch (after) {
	case AFTER_WRITE:
		fn = (uintptr_t)kt_guest_write64;
		want_exit = KVM_EXIT_MMIO;
		break;
	case AFTER_LDP:
		fn = (uintptr_t)lt_guest_ldp;
		want_exit = SEAWALL_KVM_EXIT_ARM_NISV;
		break;
	case AFTER_READ:
	default:
		fn = (uintptr_t)kt_guest_read64;
		want_exit = KVM_EXIT_MMIO;
		break;
	}
	lt_vcpu_restart(vm, (void (*)(uint64_t, uint64_t))fn, addr, 0x5ea);
	if (kt_run(vm) != want_exit) {
		kt_describe_exit(vm, vm->run->exit_reason);
		kt_fail("an access to the isolated page: want exit %u", want_exit);
	}
	KT_CHECK_EQ(seawall_kvm_run_get_fault_gpa(vm->run, &gpa), 0,
		    "seawall_kvm_run_get_fault_gpa");
	KT_CHECK_EQ(gpa, addr, "fault gpa");
	act = seawall_ctx_handle_fault_exit(ctx, vm->vcpu_fd, vm->run, &out);
	if (act < 0)
		kt_fail("seawall_ctx_handle_fault_exit: %s", strerror(-act));
	KT_CHECK_EQ((unsigned int)act, out.actions, "return = out.actions");
	KT_CHECK_EQ(out.actions & (SEAWALL_ACT_INJECT_DABT | SEAWALL_ACT_ISOLATE |
				   SEAWALL_ACT_NEW_PAGE | SEAWALL_ACT_INJECT_FAILED),
		    SEAWALL_ACT_INJECT_DABT | SEAWALL_ACT_ISOLATE,
		    "actions INJECT_DABT|ISOLATE, not NEW_PAGE or INJECT_FAILED");
	KT_CHECK_EQ(out.page_gpa, PAGE, "out.page_gpa");
	KT_CHECK_EQ(out.hits, hits, "out.hits");
	KT_CHECK_EQ(out.guest_el, 1, "out.guest_el");
	lt_check_dabt(vm, addr, fn);
}

static void check_neighbours(struct kt_vm *vm, struct seawall_ctx *ctx)
{
	static const uint64_t addrs[] = {
		PAGE - 8, PAGE - KT_PAGE, PAGE + KT_PAGE, PAGE + 2 * KT_PAGE - 8,
		FAR_PAGE + 0x10,
	};
	struct seawall_outcome out;
	uint64_t *hva;

	for (size_t i = 0; i < KT_ARRAY_SIZE(addrs); i++)
		KT_CHECK_EQ(lt_guest_read(vm, addrs[i]), pattern(addrs[i]),
			    "neighbour read after the split");
	/* The ucall that just returned is an ordinary MMIO exit. */
	KT_CHECK_EQ(seawall_ctx_handle_fault_exit(ctx, vm->vcpu_fd, vm->run,
						  &out), 0,
		    "seawall_ctx_handle_fault_exit on a ucall");
	lt_guest_write(vm, PAGE + KT_PAGE + 0x30, 0xfeedf00dULL);
	hva = kt_gpa_hva(vm, PAGE + KT_PAGE + 0x30);
	KT_CHECK_EQ(*hva, 0xfeedf00dULL, "guest write after the split, host view");
	lt_guest_write(vm, PAGE - 0x10, 0xabcdULL);
	hva = kt_gpa_hva(vm, PAGE - 0x10);
	KT_CHECK_EQ(*hva, 0xabcdULL, "guest write below the hole, host view");
}

static void lift_mark(struct kt_vm *vm)
{
	char text[64];
	int r;

	snprintf(text, sizeof(text), "clear %#llx\n", (unsigned long long)PAGE);
	r = kt_sea_inject_write(vm, text);
	if (r)
		kt_fail("sea_inject clear: %s", strerror(-r));
}

static void run_isolate(const struct kt_variant *v)
{
	const struct iso_case *c = v->data;
	struct seawall_kvm_arm_sea raw;
	struct seawall_vcpu_state vs = { 0, 0 };
	struct seawall_outcome out;
	struct seawall_page pg;
	struct seawall_ctx *ctx;
	struct kt_access a = { 0 };
	char journal[96] = "";
	unsigned int want, caps;
	uint64_t *hva, esr;
	struct kt_vm vm;
	int act;

	kt_vm_create(&vm, NULL);
	kt_require_sea_inject(&vm);
	caps = seawall_kvm_enable(vm.vm_fd, SEAWALL_KVM_HAS_SEA_TO_USER |
				  SEAWALL_KVM_HAS_INJECT_EXT_DABT |
				  SEAWALL_KVM_HAS_NISV_TO_USER);
	if (!(caps & SEAWALL_KVM_HAS_INJECT_EXT_DABT))
		kt_skip("no KVM_CAP_ARM_INJECT_EXT_DABT");
	if (c->after == AFTER_LDP && !(caps & SEAWALL_KVM_HAS_NISV_TO_USER))
		kt_skip("no KVM_CAP_ARM_NISV_TO_USER");
	lt_use_vectors(&vm);
	if (c->journal) {
		snprintf(journal, sizeof(journal), "/tmp/lib_isolate.%d.journal",
			 (int)getpid());
		unlink(journal);
	}
	ctx = ctx_open(&vm, c->journal ? journal : NULL,
		       c->how == BY_ISOLATE ? SEAWALL_POLICY_NO_ISOLATE : 0);
	for (int i = -1; i <= 1; i++)
		fill(&vm, PAGE + i * (int64_t)KT_PAGE);
	fill(&vm, FAR_PAGE);

	a.fn = kt_access_fn(KT_READ);
	a.target = PAGE + OFF;
	a.prime = PAGE;
	kt_access_start(&vm, &a);
	kt_mark(&vm, PAGE, 0);
	if (kt_run(&vm) != SEAWALL_KVM_EXIT_ARM_SEA) {
		kt_describe_exit(&vm, vm.run->exit_reason);
		kt_fail("expected KVM_EXIT_ARM_SEA");
	}
	esr = kt_sea(&vm)->esr;

	want = SEAWALL_ACT_NEW_PAGE | SEAWALL_ACT_INJECT_DABT | SEAWALL_ACT_NOTIFY;
	if (c->how != BY_ISOLATE)
		want |= SEAWALL_ACT_ISOLATE;
	if (c->journal)
		want |= SEAWALL_ACT_JOURNALED;
	switch (c->how) {
	case BY_SEA_EXIT:
		act = seawall_ctx_handle_sea_exit(ctx, vm.vcpu_fd, vm.run, &out);
		break;
	case BY_HANDLE_SEA:
	case BY_ISOLATE:
	default:
		KT_CHECK_EQ(seawall_kvm_run_get_sea(vm.run, &raw), 0,
			    "seawall_kvm_run_get_sea");
		KT_CHECK_EQ(seawall_vcpu_get_pstate(vm.vcpu_fd, &vs.pstate), 0,
			    "seawall_vcpu_get_pstate");
		vs.valid = 1;
		act = seawall_ctx_handle_sea(ctx, &raw, &vs, &out);
		break;
	}
	if (act < 0)
		kt_fail("handling the SEA: %s", strerror(-act));
	KT_CHECK_EQ(out.actions & ~(SEAWALL_ACT_RESTART), want,
		    "actions for the first SEA");
	KT_CHECK_EQ(out.page_gpa, PAGE, "out.page_gpa");
	KT_CHECK_EQ(out.page_size, KT_PAGE, "out.page_size");
	KT_CHECK_EQ(out.guest_el, 1, "out.guest_el");
	KT_CHECK_EQ(out.restart_reason, SEAWALL_RESTART_GUEST_KERNEL,
		    "restart reason (guest EL1 consumed it, default policy)");
	if (c->how == BY_ISOLATE) {
		KT_CHECK_EQ(seawall_ctx_isolate(ctx, PAGE + OFF), 0,
			    "seawall_ctx_isolate");
		KT_CHECK_EQ(seawall_ctx_isolate(ctx, PAGE), 0,
			    "seawall_ctx_isolate again");
	}
	if (c->how != BY_SEA_EXIT)
		KT_CHECK_EQ(seawall_vcpu_inject_dabt(vm.vcpu_fd), 0,
			    "seawall_vcpu_inject_dabt");
	KT_CHECK_EQ(seawall_ledger_lookup(ctx, PAGE + OFF, &pg), 0,
		    "seawall_ledger_lookup");
	KT_CHECK_EQ(pg.flags & SEAWALL_PAGE_ISOLATED, SEAWALL_PAGE_ISOLATED,
		    "page flags ISOLATED");
	lt_check_dabt(&vm, PAGE + OFF, a.fn);
	lift_mark(&vm);

	if (c->journal) {
		struct seawall_notice n;

		seawall_ctx_free(ctx);
		kt_vm_destroy(&vm);
		kt_vm_create(&vm, NULL);
		seawall_kvm_enable(vm.vm_fd, SEAWALL_KVM_HAS_SEA_TO_USER);
		lt_use_vectors(&vm);
		ctx = ctx_open(&vm, journal, 0);
		KT_CHECK_EQ(seawall_ledger_count(ctx), 1, "pages after reload");
		KT_CHECK_EQ(seawall_ledger_lookup(ctx, PAGE, &pg), 0,
			    "seawall_ledger_lookup after reload");
		KT_CHECK_EQ(pg.source, SEAWALL_SRC_SEA, "page source");
		KT_CHECK_EQ(pg.esr, esr, "page esr");
		KT_CHECK_EQ(pg.gva, PAGE + OFF, "page gva");
		KT_CHECK_EQ(pg.hits, 1, "page hits");
		KT_CHECK_EQ(pg.flags & SEAWALL_PAGE_ISOLATED, 0,
			    "not isolated in the new process yet");
		KT_CHECK_EQ(seawall_ctx_reisolate(ctx), 1,
			    "seawall_ctx_reisolate: pages re-isolated");
		KT_CHECK_EQ(seawall_ledger_lookup(ctx, PAGE, &pg), 0,
			    "seawall_ledger_lookup after reisolate");
		KT_CHECK_EQ(pg.flags & SEAWALL_PAGE_ISOLATED,
			    SEAWALL_PAGE_ISOLATED, "isolated after reisolate");
		KT_CHECK_EQ(seawall_notify_peek(ctx, &n, 1), 1,
			    "notices after reisolate");
		KT_CHECK_EQ(n.gpa, PAGE, "notice gpa");
		for (int i = -1; i <= 1; i += 2)
			fill(&vm, PAGE + i * (int64_t)KT_PAGE);
		fill(&vm, FAR_PAGE);
		touch_hole(&vm, ctx, c->after, 2);
		check_neighbours(&vm, ctx);
		seawall_ctx_free(ctx);
		unlink(journal);
		kt_vm_destroy(&vm);
		return;
	}

	touch_hole(&vm, ctx, c->after, 2);
	check_neighbours(&vm, ctx);
	touch_hole(&vm, ctx, c->after, 3);

	KT_CHECK_EQ(seawall_ctx_reset(ctx), 1, "seawall_ctx_reset: pages replaced");
	KT_CHECK_EQ(seawall_ledger_lookup(ctx, PAGE, &pg), 0,
		    "seawall_ledger_lookup after reset");
	KT_CHECK_EQ(pg.flags & (SEAWALL_PAGE_REPLACED | SEAWALL_PAGE_ISOLATED),
		    SEAWALL_PAGE_REPLACED, "page flags after reset");
	hva = kt_gpa_hva(&vm, PAGE);
	for (unsigned int i = 0; i < KT_PAGE / 8; i++)
		if (hva[i])
			kt_fail("fresh page not zero at +%#x", i * 8);
	KT_CHECK_EQ(lt_guest_read(&vm, PAGE + OFF), 0,
		    "guest read of the replaced page");
	lt_guest_write(&vm, PAGE + OFF, 0x600dULL);
	KT_CHECK_EQ(hva[OFF / 8], 0x600dULL, "guest write to the replaced page");
	KT_CHECK_EQ(lt_guest_read(&vm, PAGE + KT_PAGE + 0x30), 0xfeedf00dULL,
		    "neighbour after the memslot is whole again");
	KT_CHECK_EQ(lt_guest_read(&vm, PAGE - 0x10), 0xabcdULL,
		    "neighbour below after the memslot is whole again");
	KT_CHECK_EQ(lt_guest_read(&vm, FAR_PAGE + 0x10), pattern(FAR_PAGE + 0x10),
		    "far page after reset");
	seawall_ctx_free(ctx);
	kt_vm_destroy(&vm);
}

#define ISO(n, ...)							\
	{ .name = n, .run = run_isolate, .needs_inject = true,		\
	  .data = &(const struct iso_case){ __VA_ARGS__ } }

static const struct kt_variant variants[] = {
	ISO("handle-sea-exit-then-read", .how = BY_SEA_EXIT, .after = AFTER_READ),
	ISO("handle-sea-exit-then-write", .how = BY_SEA_EXIT, .after = AFTER_WRITE),
	ISO("handle-sea-exit-then-ldp-nisv", .how = BY_SEA_EXIT, .after = AFTER_LDP),
	ISO("handle-sea-then-read", .how = BY_HANDLE_SEA, .after = AFTER_READ),
	ISO("ctx-isolate-then-read", .how = BY_ISOLATE, .after = AFTER_READ),
	ISO("ctx-isolate-then-ldp-nisv", .how = BY_ISOLATE, .after = AFTER_LDP),
	ISO("journal-reload", .how = BY_SEA_EXIT, .after = AFTER_READ,
	    .journal = true),
};

int main(void)
{
	static const struct kt_suite suite = {
		.name = "lib_isolate",
		.variants = variants,
		.nr_variants = KT_ARRAY_SIZE(variants),
	};

	return kt_main(&suite);
}
