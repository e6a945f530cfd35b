/*
 * tests/vm/tiny.S - the smallest PVH kernels, for the qemu backend's
 * tests and benchmark. QEMU loads the ELF, finds the PVH entry in the
 * Xen note and jumps to it in 32-bit protected mode, paging off (the PVH
 * boot ABI; uk-vm-facts 1). Built twice by tiny.mk:
 *
 *   floor.vm  writes one byte to COM1 and ends QEMU at once: the floor
 *             of a VM start (QEMU's own start-up plus nothing).
 *   hang.vm   writes a line that is not "uk: ready" and halts forever:
 *             a kernel that never becomes ready.
 */
#define COM1		0x3f8
#define DEBUG_EXIT	0xf4	/* isa-debug-exit: QEMU exits 2v+1 */

	/* Name "Xen", type 18 (XEN_ELFNOTE_PHYS32_ENTRY), the entry's
	 * physical address. p_align must stay 4: QEMU 7.2 misreads a note
	 * aligned to 8. */
	.section .note.pvh, "a", @note
	.balign 4
	.long 4
	.long 4
	.long 18
	.asciz "Xen"
	.long _start

	.text
	.code32
	.globl _start
_start:
	mov	$COM1, %dx
#ifdef TINY_HANG
	mov	$msg, %esi
1:	lodsb
	test	%al, %al
	jz	2f
	out	%al, %dx
	jmp	1b
2:	cli
	hlt
	jmp	2b
msg:	.asciz "tiny: hanging, never ready\n"
#else
	mov	$'F', %al
	out	%al, %dx
	xor	%al, %al
	out	%al, $DEBUG_EXIT
	/* Without isa-debug-exit: a triple fault, which -no-reboot turns
	 * into QEMU exiting 0. */
	lidt	noidt
	int3
noidt:	.word 0
	.long 0
#endif
