// covers: vmx/guest_check.c kernel/fmt.c
/*
 * fuzz_guest_check.c - the guest-state checks (vmx/guest_check.c) on a
 * snapshot filled from the input bytes (zeros past the end).
 *
 * Checks: the result is 0 or 1; the message fits GUEST_CHECK_MSG_MAX (the
 * size callers give it), i.e. in a larger buffer it is shorter than that;
 * in a small heap buffer of exact size (its size from the input) it is
 * truncated but terminated, a prefix of the whole message, with the same
 * result.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../vmx/guest_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct guest_state_snapshot s;
    char big[4 * GUEST_CHECK_MSG_MAX];

    if (size < 1)
        return 0;
    size_t small_size = 1 + data[0] % GUEST_CHECK_MSG_MAX;
    data++, size--;
    memset(&s, 0, sizeof(s));
    memcpy(&s, data, size < sizeof(s) ? size : sizeof(s));

    int r = guest_state_check(&s, big, sizeof(big));
    if ((r != 0 && r != 1) || strnlen(big, sizeof(big)) >= GUEST_CHECK_MSG_MAX)
        __builtin_trap();

    char *small = malloc(small_size);
    if (guest_state_check(&s, small, small_size) != r)
        __builtin_trap();
    size_t n = strnlen(small, small_size);
    if (n == small_size || strncmp(small, big, n) || (n < small_size - 1 && big[n]))
        __builtin_trap();
    free(small);
    return 0;
}
