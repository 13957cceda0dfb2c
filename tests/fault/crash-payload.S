/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (C) 2026 The Seawall authors */
/*
 * crash-payload: a bare-metal arm64 program in the Linux Image format, so
 * that swvm boots it as it boots a kernel (64-byte header, "ARM\x64" at
 * 0x38, entered at EL1 with the MMU off and x0 = the DTB).  This file: the
 * header, the entry, and the exception vectors; the rest is in C
 * (crash-payload.c).
 */
	.section .head, "ax"
	.global _head
_head:
	b	entry				/* code0 */
	.long	0				/* code1 */
	.quad	0				/* text_offset */
	.quad	_image_end - _head		/* image_size, bss included */
	.quad	0xa				/* flags: LE, 4K pages, anywhere */
	.quad	0, 0, 0				/* res2..res4 */
	.ascii	"ARM\x64"			/* magic */
	.long	0				/* res5 */

	.text
entry:
	adr	x1, _stack_top
	mov	sp, x1
	adr	x1, vectors
	msr	vbar_el1, x1
	isb
	bl	payload_main
1:	wfi
	b	1b

/*
 * Every vector saves the caller-saved registers and calls
 * payload_exception(index, esr, far, elr), which returns where to resume.
 */
	.balign 2048
vectors:
	.irp idx, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.balign 128
	stp	x0, x1, [sp, #-16]!
	mov	x0, #\idx
	b	vector_common
	.endr

vector_common:
	stp	x2, x3, [sp, #-16]!
	stp	x4, x5, [sp, #-16]!
	stp	x6, x7, [sp, #-16]!
	stp	x8, x9, [sp, #-16]!
	stp	x10, x11, [sp, #-16]!
	stp	x12, x13, [sp, #-16]!
	stp	x14, x15, [sp, #-16]!
	stp	x16, x17, [sp, #-16]!
	stp	x18, x30, [sp, #-16]!
	mrs	x1, esr_el1
	mrs	x2, far_el1
	mrs	x3, elr_el1
	bl	payload_exception
	msr	elr_el1, x0
	ldp	x18, x30, [sp], #16
	ldp	x16, x17, [sp], #16
	ldp	x14, x15, [sp], #16
	ldp	x12, x13, [sp], #16
	ldp	x10, x11, [sp], #16
	ldp	x8, x9, [sp], #16
	ldp	x6, x7, [sp], #16
	ldp	x4, x5, [sp], #16
	ldp	x2, x3, [sp], #16
	ldp	x0, x1, [sp], #16
	eret
