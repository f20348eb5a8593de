/*
 * gcov.h - coverage of the running hypervisor, for `make coverage` only
 * (a build with HV_GCOV: see kernel/gcov.c). In other builds gcov_init
 * does nothing.
 */
#ifndef GCOV_H
#define GCOV_H

/* gcov_init - dump the counters at every power-off (and on `gcov`). */
void gcov_init(void);

#endif
