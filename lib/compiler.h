/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small compiler helpers shared by every area. lib/ includes no DPDK header,
 * so the few macros DPDK would give us (likely, dim, cache line) live here.
 */
#ifndef PHX_LIB_COMPILER_H
#define PHX_LIB_COMPILER_H

#include <assert.h>
#include <stddef.h>

#define PHX_LIKELY(x)   __builtin_expect(!!(x), 1)
#define PHX_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define PHX_DIM(a)      (sizeof(a) / sizeof((a)[0]))
#define PHX_CACHE_LINE  64
#define PHX_UNUSED      __attribute__((unused))

#define phx_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif /* PHX_LIB_COMPILER_H */
