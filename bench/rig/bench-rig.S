/* SPDX-License-Identifier: MIT */
/* Copyright (C) 2026 The Seawall authors */
/*
 * Guest side of the rig benchmarks (bench-rig.c): exception vectors whose
 * synchronous-abort entry counts the abort in the 64-bit counter TPIDR_EL1
 * points at and resumes after the faulting instruction, the way a guest
 * kernel's handler returns to a task that survived; every other vector
 * fails the run.  And the single-instruction accessors the loops use.
 */
	.text

	.global br_read
	.type br_read, %function
	.balign 4
br_read:
	ldr	x0, [x0]
	ret
	.size br_read, . - br_read

	.global br_write
	.type br_write, %function
	.balign 4
br_write:
	str	x1, [x0]
	ret
	.size br_write, . - br_write

	.macro fail_vector idx
	.org br_vectors + \idx * 128
	mov	x0, #\idx
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	b	kt_guest_fail_at
	.endm

	.balign 2048
	.global br_vectors
br_vectors:
	.irp idx, 0, 1, 2, 3
	fail_vector \idx
	.endr
	.org br_vectors + 4 * 128	/* current EL, SP_ELx, synchronous */
	stp	x0, x1, [sp, #-16]!
	mrs	x0, tpidr_el1
	ldr	x1, [x0]
	add	x1, x1, #1
	str	x1, [x0]
	mrs	x0, elr_el1
	add	x0, x0, #4
	msr	elr_el1, x0
	ldp	x0, x1, [sp], #16
	eret
	.irp idx, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	fail_vector \idx
	.endr
	.org br_vectors + 16 * 128
