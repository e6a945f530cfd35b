/*
 * boot.S - PVH entry: 32-bit protected mode (paging off, IF=0) to 64-bit
 * long mode, then vm_start(start_info) in C.
 *
 * The PVH boot ABI (Xen docs/misc/pvh.pandoc) enters at the 32-bit
 * physical address in the XEN_ELFNOTE_PHYS32_ENTRY note with %ebx holding
 * the hvm_start_info address. QEMU microvm, Firecracker and Xen accept it.
 * Everything else (stack, GDT, page tables) is ours to set up: the
 * firmware's stack and %eax are junk.
 */

#define PG_P	0x01
#define PG_RW	0x02
#define PG_PWT	0x08
#define PG_PCD	0x10
#define PG_PS	0x80

/*
 * The note. Its segment must have p_align 4: QEMU 7.2 rounds the 4-byte
 * name up to p_align, so an 8-aligned note makes it read the wrong desc
 * and refuse the kernel ("without PVH ELF Note").
 */
	.section .note.pvh, "a", @note
	.balign 4
	.long	4		/* namesz: "Xen\0" */
	.long	4		/* descsz */
	.long	18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz	"Xen"
	.long	pvh_entry

	.section .text.boot, "ax"
	.code32
	.globl	pvh_entry
pvh_entry:
	cli
	cld
	/* Entry timestamp first, for the boot-time figures (clock.c). */
	rdtsc
	movl	%eax, vm_boot_tsc
	movl	%edx, vm_boot_tsc + 4
	movl	%ebx, %esi		/* start_info survives rep stos below */

	/* Zero the page tables; .bss waits for 64-bit mode (rep stosq is
	 * twice the width: under TCG each iteration costs the same). */
	movl	$boot_pml4, %edi
	movl	$(6 * 4096 / 4), %ecx
	xorl	%eax, %eax
	rep stosl

	/*
	 * Identity map 0-4 GiB with 2 MiB pages: one PML4 entry, four PDPT
	 * entries, four page directories. 1 GiB pages would be shorter but
	 * TCG's default qemu64 CPU lacks them. The top 32 MiB (virtio-mmio
	 * 0xfeb00000, IOAPIC, LAPIC) is mapped uncached.
	 */
	movl	$boot_pdpt, %eax
	orl	$(PG_P | PG_RW), %eax
	movl	%eax, boot_pml4
	movl	$boot_pd, %eax
	orl	$(PG_P | PG_RW), %eax
	xorl	%ecx, %ecx
1:	movl	%eax, boot_pdpt(,%ecx,8)
	addl	$4096, %eax
	incl	%ecx
	cmpl	$4, %ecx
	jb	1b
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$(PG_P | PG_RW | PG_PS), %eax
	cmpl	$0x7f0, %ecx		/* 0xfe000000 >> 21 */
	jb	3f
	orl	$(PG_PCD | PG_PWT), %eax
3:	movl	%eax, boot_pd(,%ecx,8)
	incl	%ecx
	cmpl	$2048, %ecx
	jb	2b

	movl	%cr4, %eax
	orl	$0x20, %eax		/* PAE */
	movl	%eax, %cr4
	movl	$boot_pml4, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx	/* EFER */
	rdmsr
	orl	$0x100, %eax		/* LME */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000000, %eax	/* PG: now IA-32e compatibility mode */
	movl	%eax, %cr0
	lgdt	boot_gdt_ptr
	ljmp	$0x08, $long_entry

	.code64
long_entry:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movq	$boot_stack_top, %rsp
	movq	$__bss_start, %rdi
	movq	$__bss_end, %rcx
	subq	%rdi, %rcx
	shrq	$3, %rcx
	xorl	%eax, %eax
	rep stosq
	movl	%esi, %edi		/* zero-extends: start_info < 4 GiB */
	call	vm_start
4:	cli
	hlt
	jmp	4b

	.section .rodata
	.balign	8
	.globl	boot_gdt
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code, L=1 */
	.quad	0x00cf92000000ffff	/* 0x10: flat data */
boot_gdt_end:
boot_gdt_ptr:
	.word	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt

	.section .data
	.balign	8
	.globl	vm_boot_tsc
vm_boot_tsc:
	.quad	0

	/* Outside .bss: zeroed before paging, by the code above. The stack
	 * is neither: its contents never matter. */
	.section .noinit.boot, "aw", @nobits
	.balign	4096
boot_pml4:	.skip	4096
boot_pdpt:	.skip	4096
boot_pd:	.skip	4 * 4096
	.balign	16
boot_stack:	.skip	65536
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
