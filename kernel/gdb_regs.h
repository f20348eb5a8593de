/*
 * gdb_regs.h - a vCPU's registers as GDB sees them (pure: host unit
 * tested): the target description monovisor sends (qXfer:features:read:
 * target.xml) and the register packets ('g', 'G', 'p', 'P') in its order.
 *
 * GDB manual, G.5.4 "i386 Features": org.gnu.gdb.i386.core is required
 * (the GPRs, rip or eip, eflags, the six selectors, st0-st7 and the eight
 * x87 control registers), org.gnu.gdb.i386.segments optional (fs_base,
 * gs_base). The x87 registers are described, as GDB requires, but given
 * as unavailable ("xx" digits, E.2 'g' packet): the stub does not save the
 * guest's x87 state. A third feature, org.monovisor.x86.sys, adds the
 * control registers and EFER, which GDB shows as plain registers.
 * A guest in long mode gets "i386:x86-64", one in 32-bit or real mode
 * "i386" (32-bit registers, the low halves).
 */
#ifndef GDB_REGS_H
#define GDB_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gdb_arch { GDB_ARCH_AMD64, GDB_ARCH_I386 };

/* GPR indices in GDB's amd64 order. */
enum {
    GDB_RAX, GDB_RBX, GDB_RCX, GDB_RDX, GDB_RSI, GDB_RDI, GDB_RBP, GDB_RSP,
    GDB_R8, GDB_R9, GDB_R10, GDB_R11, GDB_R12, GDB_R13, GDB_R14, GDB_R15,
};

enum { GDB_CS, GDB_SS, GDB_DS, GDB_ES, GDB_FS, GDB_GS };

struct gdb_x86_state {
    uint64_t gpr[16];           /* GDB_RAX ... GDB_R15 */
    uint64_t rip, rflags;
    uint16_t sel[6];            /* GDB_CS ... GDB_GS */
    uint64_t fs_base, gs_base;
    uint64_t cr0, cr2, cr3, cr4, cr8, efer;
};

/* gdb_reg_count - the registers of arch's description. */
unsigned gdb_reg_count(enum gdb_arch arch);

/* gdb_reg_bytes - the size of register n in the packets, 0 if none. */
unsigned gdb_reg_bytes(enum gdb_arch arch, unsigned n);

/* gdb_target_xml - the target description for arch, NUL-terminated, in
 * out (cap bytes). Returns its length, 0 when it does not fit. */
size_t gdb_target_xml(enum gdb_arch arch, char *out, size_t cap);

/* gdb_read_reg - register n of s as the packets carry it (little-endian
 * hex, or "x" digits when unavailable) into out. Returns the characters
 * written (2 * gdb_reg_bytes), 0 for no such register. */
size_t gdb_read_reg(enum gdb_arch arch, const struct gdb_x86_state *s, unsigned n, char *out);

/* gdb_read_regs - every register, the 'g' reply; returns its length. */
size_t gdb_read_regs(enum gdb_arch arch, const struct gdb_x86_state *s, char *out);

/* gdb_write_reg - register n from len bytes (little-endian); an
 * unavailable register takes the write and keeps nothing. False for no
 * such register or a length that is not the register's. With I386, a
 * write sets the low 32 bits of a 64-bit register and clears the rest, as
 * a 32-bit MOV does. */
bool gdb_write_reg(enum gdb_arch arch, struct gdb_x86_state *s, unsigned n, const uint8_t *data,
                   size_t len);

/* gdb_write_regs - the 'G' packet's bytes, every register in order; false
 * when len is not the whole set's size. */
bool gdb_write_regs(enum gdb_arch arch, struct gdb_x86_state *s, const uint8_t *data, size_t len);

#endif
