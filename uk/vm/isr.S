/*
 * isr.S - interrupt and exception entry stubs. Each pushes a dummy error
 * code where the CPU pushes none, then its vector, then every general
 * register, and calls trap_dispatch(struct trap_frame *). 15 registers +
 * vector + error code + the CPU's 5-word frame keep %rsp 16-byte aligned
 * at the call (the CPU aligns before pushing its frame).
 */
	.text
	.code64

.macro STUB vec, has_err
	.globl	isr_\vec
isr_\vec:
	.if \has_err == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	isr_common
.endm

isr_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi
	call	trap_dispatch
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector, error code */
	iretq

/* Exceptions: 8, 10-14, 17, 21, 29, 30 push an error code. */
	STUB 0, 0
	STUB 1, 0
	STUB 2, 0
	STUB 3, 0
	STUB 4, 0
	STUB 5, 0
	STUB 6, 0
	STUB 7, 0
	STUB 8, 1
	STUB 9, 0
	STUB 10, 1
	STUB 11, 1
	STUB 12, 1
	STUB 13, 1
	STUB 14, 1
	STUB 15, 0
	STUB 16, 0
	STUB 17, 1
	STUB 18, 0
	STUB 19, 0
	STUB 20, 0
	STUB 21, 1
	STUB 22, 0
	STUB 23, 0
	STUB 24, 0
	STUB 25, 0
	STUB 26, 0
	STUB 27, 0
	STUB 28, 0
	STUB 29, 1
	STUB 30, 1
	STUB 31, 0
/* Device and timer vectors 0x20-0x2f (see trap.h). */
	STUB 32, 0
	STUB 33, 0
	STUB 34, 0
	STUB 35, 0
	STUB 36, 0
	STUB 37, 0
	STUB 38, 0
	STUB 39, 0
	STUB 40, 0
	STUB 41, 0
	STUB 42, 0
	STUB 43, 0
	STUB 44, 0
	STUB 45, 0
	STUB 46, 0
	STUB 47, 0
	STUB 255, 0

/* Stub addresses in vector order, for trap_init. */
	.section .rodata
	.balign	8
	.globl	isr_table
isr_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	.quad	isr_\v
	.endr
	.globl	isr_spurious
isr_spurious:
	.quad	isr_255

	.section .note.GNU-stack, "", @progbits
