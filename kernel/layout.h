/*
 * layout.h - where the hypervisor lives, shared by the linker script, the
 * nasm boot stub and C.
 *
 * GRUB loads the image with the Multiboot2 relocatable-image tag at the
 * highest 2 MiB-aligned address below 4 GiB that fits (DESIGN.md, memory
 * model), so the physical load address is only known at run time. The C
 * code is linked at a fixed higher-half virtual address and the boot stub
 * maps that window onto wherever GRUB put the image, so no relocation is
 * needed: only the stub is position independent.
 */
#ifndef LAYOUT_H
#define LAYOUT_H

/* Link-time physical base of the image (GRUB moves it). 2 MiB aligned. */
#define LINK_PHYS      0x00200000
/* Virtual base of the higher-half kernel window (-mcmodel=kernel range). */
#define KERNEL_VBASE   0xFFFFFFFF80000000
/* Kernel window: KERNEL_VBASE + LINK_PHYS + x maps to load_base + x. */
#define KERNEL_VLINK   (KERNEL_VBASE + LINK_PHYS)

#define PAGE_SIZE      4096
#define LARGE_PAGE     0x200000

/* Boot stack of the first core (per-core stacks come from the pool). */
#define BOOT_STACK_SIZE 0x4000

#endif
