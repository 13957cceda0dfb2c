/* SPDX-License-Identifier: MIT */
/* Copyright (C) 2026 The Seawall authors */
/*
 * Guest-side assembly of the libseawall rig tests: exception vectors that
 * record the whole exception entry (see lt.h, struct lt_report), and an
 * accessor without a valid instruction syndrome.
 */

#define LT_REPORT	0xe00800	/* LT_REPORT_GPA */
#define UCALL_EXCEPTION	4		/* KT_UCALL_EXCEPTION */

	.text

/* ldp has no ISV: an access to a memslot hole exits as KVM_EXIT_ARM_NISV. */
	.global lt_guest_ldp
	.type lt_guest_ldp, %function
	.balign 4
lt_guest_ldp:
	ldp	x0, x1, [x0]
	ret
	.size lt_guest_ldp, . - lt_guest_ldp

/*
 * Sixteen vectors.  Every one stores its index and the state of the
 * exception entry before anything can change it, then reports to the host
 * and never returns.  x0-x4 and x9 are the only registers touched before
 * the PSTATE reads, and none of those instructions sets flags.
 */
	.balign 2048
	.global lt_vectors
lt_vectors:
	.irp idx, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.balign 128
	mov	x0, #\idx
	b	lt_vector_common
	.endr

lt_vector_common:
	movz	x9, #(LT_REPORT & 0xffff)
	movk	x9, #(LT_REPORT >> 16), lsl #16
	mrs	x1, nzcv
	str	x1, [x9, #0x30]
	mrs	x1, daif
	str	x1, [x9, #0x38]
	str	x0, [x9, #0x08]
	mrs	x1, esr_el1
	str	x1, [x9, #0x10]
	mrs	x1, far_el1
	str	x1, [x9, #0x18]
	mrs	x1, elr_el1
	str	x1, [x9, #0x20]
	mrs	x1, spsr_el1
	str	x1, [x9, #0x28]
	mrs	x1, currentel
	str	x1, [x9, #0x40]
	mrs	x1, spsel
	str	x1, [x9, #0x48]
	ldr	x2, [x9]		/* features */
	mov	x1, xzr
	tbz	x2, #0, 1f
	mrs	x1, s3_0_c4_c2_3	/* PAN */
1:	str	x1, [x9, #0x50]
	mov	x1, xzr
	tbz	x2, #1, 1f
	mrs	x1, s3_3_c4_c2_6	/* SSBS */
1:	str	x1, [x9, #0x58]
	mov	x1, xzr
	tbz	x2, #2, 1f
	mrs	x1, s3_3_c4_c2_5	/* DIT */
1:	str	x1, [x9, #0x60]
	mov	x1, xzr
	tbz	x2, #3, 1f
	mrs	x1, s3_0_c4_c2_4	/* UAO */
1:	str	x1, [x9, #0x68]
	mov	x1, xzr
	tbz	x2, #4, 1f
	mrs	x1, s3_3_c4_c2_7	/* TCO */
1:	str	x1, [x9, #0x70]
	ldr	x1, [x9, #0x78]
	add	x1, x1, #1
	str	x1, [x9, #0x78]
2:	movz	x9, #(LT_REPORT & 0xffff)
	movk	x9, #(LT_REPORT >> 16), lsl #16
	mov	x0, #UCALL_EXCEPTION
	ldr	x1, [x9, #0x08]
	ldr	x2, [x9, #0x10]
	ldr	x3, [x9, #0x18]
	ldr	x4, [x9, #0x20]
	bl	kt_guest_ucall
	b	2b

	.section .note.GNU-stack, "", %progbits
