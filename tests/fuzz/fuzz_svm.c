// covers: svm/svm_caps.c svm/svm_names.c kernel/fmt.c kernel/kstring.c
/*
 * fuzz_svm.c - the SVM backend's pure parts on arbitrary CPU answers and
 * exit codes: svm_caps_decode/svm_status_message/svm_caps_format
 * (svm/svm_caps.c) and svm_vexit/svm_exit_name (svm/svm_names.c). Input:
 * the struct svm_raw fields (u32 x6, u64), then u32 exit code, u64
 * EXITINFO1.
 *
 * Checks: SVM is never "ready" without the CPUID SVM bit and nested
 * paging, nor when VM_CR has SVMDIS with LOCK; every status has a
 * message; every formatted line is an svm.* key=value line; every exit
 * code maps to a neutral reason below VEXIT_MAX and has a name.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../kernel/hypercall_abi.h"
#include "../../svm/svm_caps.h"
#include "../../svm/svm_defs.h"
#include "../../svm/svm_names.h"

static void check_line(void *ctx, const char *line)
{
    (void)ctx;
    if (strncmp(line, "svm.", 4) != 0 || !strchr(line, '='))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct svm_raw r;
    uint32_t code;
    uint64_t info1;
    if (size < 6 * 4 + 8 + 4 + 8)
        return 0;
    memcpy(&r.ext_max, data, 4);
    memcpy(&r.ext1_ecx, data + 4, 4);
    memcpy(&r.ext1_edx, data + 8, 4);
    memcpy(&r.svm_eax, data + 12, 4);
    memcpy(&r.svm_ebx, data + 16, 4);
    memcpy(&r.svm_edx, data + 20, 4);
    memcpy(&r.vm_cr, data + 24, 8);
    memcpy(&code, data + 32, 4);
    memcpy(&info1, data + 36, 8);

    struct svm_caps c;
    svm_caps_decode(&r, &c);
    bool ready = c.status == SVM_READY || c.status == SVM_READY_UNLOCKED;
    if (ready && (!(r.ext1_ecx & CPUID_80000001_ECX_SVM) || !c.np))
        __builtin_trap();
    if (ready && (r.vm_cr & VM_CR_SVMDIS) && (r.vm_cr & VM_CR_LOCK))
        __builtin_trap();
    const char *msg = svm_status_message(&c);
    if (!msg || !*msg)
        __builtin_trap();
    svm_caps_format(&c, true, check_line, 0);
    svm_caps_format(&c, false, check_line, 0);

    if (svm_vexit(code, info1) >= VEXIT_MAX)
        __builtin_trap();
    const char *name = svm_exit_name(code);
    if (!name || !*name)
        __builtin_trap();
    return 0;
}
