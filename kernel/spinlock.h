/*
 * spinlock.h - the one lock primitive. The hypervisor takes no interrupts,
 * so a plain test-and-test-and-set lock is enough; NMI handlers never take
 * one. Locks guard shared state only (console output, the page pool, the
 * EPT); the exit path of a vCPU touches per-core data and takes none on
 * its common cases, and no lock is ever held while a guest runs.
 */
#ifndef SPINLOCK_H
#define SPINLOCK_H

#include <stdbool.h>

struct spinlock {
    volatile int locked;
};

static inline bool spin_trylock(struct spinlock *l)
{
    return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_lock(struct spinlock *l)
{
    while (!spin_trylock(l))
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            __builtin_ia32_pause();
}

static inline void spin_unlock(struct spinlock *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
