// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * crash-payload: the guest of the crash-safety test (tests/fault/crash).
 * It reads a fixed set of pages over and over.  A read that gets a data
 * abort (a memory error swvm put back into the vCPU) marks the page bad;
 * the payload prints "ack 0x<page> far 0x<far>" on the 16550 UART and
 * never touches that page again.  After its first pass over every page it
 * prints "pass 1 done: N aborts": on a VMM restarted from its journal,
 * that first pass must have taken an abort on every page acknowledged
 * before, or the guest consumed a bad page as data.
 *
 * Bare metal, MMU off (so VA = PA, and memory is Device: aligned accesses
 * only, hence -mstrict-align), no libc.
 */
#include <stdint.h>

#define UART_BASE	0x09000000UL	/* SWVM_UART_BASE */
#define PAGES_BASE	0x44000000UL	/* RAM + 64 MiB */
#define PAGES_STRIDE	0x2000UL
#define NPAGES		256
#define EC_DABT_CUR	0x25

uint64_t payload_exception(uint64_t idx, uint64_t esr, uint64_t far, uint64_t elr);
void payload_main(void);

static uint8_t bad[NPAGES];
static volatile uint64_t aborts, last_far;

/* swvm's 16550 takes a byte at any time: no LSR poll (one exit a byte). */
static void putc_(char c)
{
	*(volatile uint8_t *)UART_BASE = (uint8_t)c;
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void puthex(uint64_t v)
{
	int shift = 60;

	puts_("0x");
	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		putc_("0123456789abcdef"[(v >> shift) & 0xf]);
}

static void putdec(uint64_t v)
{
	char t[24];
	int k = 0;

	do {
		t[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		putc_(t[--k]);
}

/* A data abort at EL1 (the injected memory error): skip the load. */
uint64_t payload_exception(uint64_t idx, uint64_t esr, uint64_t far, uint64_t elr)
{
	if (idx == 4 && (esr >> 26) == EC_DABT_CUR) {
		last_far = far;
		aborts++;
		return elr + 4;
	}
	puts_("crash-payload: unexpected exception ");
	putdec(idx);
	puts_(" esr ");
	puthex(esr);
	puts_(" far ");
	puthex(far);
	puts_(" elr ");
	puthex(elr);
	puts_("\n");
	for (;;)
		__asm__ volatile("wfi");
}

static uint64_t load(uint64_t addr)
{
	uint64_t v;

	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

void payload_main(void)
{
	uint64_t pass = 0, total = 0;

	puts_("crash-payload: up, ");
	putdec(NPAGES);
	puts_(" pages from ");
	puthex(PAGES_BASE);
	puts_("\n");
	for (;;) {
		uint64_t n = 0;

		pass++;
		for (unsigned int i = 0; i < NPAGES; i++) {
			uint64_t addr = PAGES_BASE + i * PAGES_STRIDE, before;

			if (bad[i])
				continue;
			before = aborts;
			(void)load(addr + 8);
			if (aborts == before)
				continue;
			bad[i] = 1;
			n++;
			puts_("ack ");
			puthex(addr);
			puts_(" far ");
			puthex(last_far);
			puts_("\n");
		}
		total += n;
		if (pass == 1) {
			puts_("pass 1 done: ");
			putdec(n);
			puts_(" aborts\n");
		}
		if (total == NPAGES) {
			puts_("all pages bad\n");
			for (;;)
				__asm__ volatile("wfi");
		}
	}
}
