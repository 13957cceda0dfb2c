/* SPDX-License-Identifier: MIT */
/* Copyright (C) 2026 The Seawall authors */
/*
 * Guest-side assembly for the kernel-contract suite: the entry stub, the EL1
 * exception vectors and the memory accessors whose first instruction is the
 * one expected to fault.
 */

	.text

/*
 * Entry: x0, x1 = arguments, x2 = the test's guest function, SP_EL1 set by
 * the host.  SError is unmasked so that a virtual SError injected by KVM is
 * taken and reported instead of pending silently while the vCPU retries
 * the same access forever.
 */
	.global kt_guest_entry
	.type kt_guest_entry, %function
	.balign 4
kt_guest_entry:
	msr	daifclr, #4
	isb
	blr	x2
	bl	kt_guest_done
1:	b	1b
	.size kt_guest_entry, . - kt_guest_entry

	.global kt_guest_read64
	.type kt_guest_read64, %function
	.balign 4
kt_guest_read64:
	ldr	x0, [x0]
	ret
	.size kt_guest_read64, . - kt_guest_read64

	.global kt_guest_write64
	.type kt_guest_write64, %function
	.balign 4
kt_guest_write64:
	str	x1, [x0]
	ret
	.size kt_guest_write64, . - kt_guest_write64

/* Call addr: the instruction fetch under test is the callee's first. */
	.global kt_guest_exec
	.type kt_guest_exec, %function
	.balign 4
kt_guest_exec:
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp
	blr	x0
	ldp	x29, x30, [sp], #16
	ret
	.size kt_guest_exec, . - kt_guest_exec

/*
 * Drop to EL0 at x0 with x0 = x1, everything unmasked.  EL0 code here is a
 * single accessor: it never returns, the exception it takes ends the test.
 */
	.global kt_guest_el0_call
	.type kt_guest_el0_call, %function
	.balign 4
kt_guest_el0_call:
	msr	elr_el1, x0
	msr	spsr_el1, xzr
	mov	x0, x1
	isb
	eret
	.size kt_guest_el0_call, . - kt_guest_el0_call

/*
 * Sixteen vectors of 0x80 bytes each.  Every one reports its index, ESR_EL1,
 * FAR_EL1 and ELR_EL1 to the host and never returns: a test that takes an
 * exception ends there.
 */
	.balign 2048
	.global kt_guest_vectors
kt_guest_vectors:
	.irp idx, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.balign 128
	mov	x0, #\idx
	b	kt_guest_vector_common
	.endr

kt_guest_vector_common:
	mrs	x1, esr_el1
	mrs	x2, far_el1
	mrs	x3, elr_el1
	bl	kt_guest_exception
1:	b	1b

	.section .note.GNU-stack, "", %progbits
