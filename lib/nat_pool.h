/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Source-NAT port allocation for one translated address on one worker.
 * A bitmap over the configured port range with a rotating cursor; the
 * caller supplies a predicate that accepts only ports whose reply would
 * reach this worker (RSS), so that replies need no handoff (DESIGN
 * invariant 6). Pure: no DPDK. Single writer (the owning worker).
 */
#ifndef PHX_LIB_NAT_POOL_H
#define PHX_LIB_NAT_POOL_H

#include <stdbool.h>
#include <stdint.h>

struct phx_nat_pool;

/* Predicate: may port (host order) be used? ctx is the caller's. */
typedef bool (*phx_nat_port_ok_fn)(uint16_t port, void *ctx);

/* Pool over ports lo..hi inclusive (1 <= lo <= hi <= 65535); NULL on a bad
 * range or no memory. */
struct phx_nat_pool *phx_nat_pool_create(uint16_t lo, uint16_t hi);
void phx_nat_pool_free(struct phx_nat_pool *p);

/*
 * Allocate a free port for which ok(port, ctx) is true (ok may be NULL),
 * examining at most max_tries candidates from the cursor on. Returns the
 * port (host order) or 0 when none was found (pool exhausted, or no
 * candidate passed the predicate within max_tries).
 */
uint16_t phx_nat_pool_alloc(struct phx_nat_pool *p, phx_nat_port_ok_fn ok,
			    void *ctx, unsigned max_tries);
/*
 * The same within lo..hi only (clamped to the pool's range): a rule's
 * port range in a pool shared by rules. Only the words covering lo..hi
 * are read, and only free ports in it are candidates, so a used-up narrow
 * range fails after at most (hi - lo) / 64 + 2 words and no predicate
 * call. The cursor is shared: a search starts there when it lies in
 * lo..hi, else at lo.
 */
uint16_t phx_nat_pool_alloc_range(struct phx_nat_pool *p, uint16_t lo,
				  uint16_t hi, phx_nat_port_ok_fn ok,
				  void *ctx, unsigned max_tries);
/* Mark a specific port used (e.g. a synced session); false if taken or
 * out of range. */
bool phx_nat_pool_take(struct phx_nat_pool *p, uint16_t port);
/*
 * Take a specific port for one more owner: as take() if it is free, else
 * counted as shared (a synced session may translate to a port a local
 * one already holds, towards another peer: replies are told apart by the
 * peer). The port is free again only once every owner has released it.
 * False if out of range, or when PHX_NAT_SHARED_MAX ports are already
 * shared (the caller then refuses the session: one that does not own its
 * port would free it under its other owner when it ends).
 */
#define PHX_NAT_SHARED_MAX 64
bool phx_nat_pool_share(struct phx_nat_pool *p, uint16_t port);
/* Release one owner's hold; freeing a free or out-of-range port is a
 * no-op (returns false). */
bool phx_nat_pool_release(struct phx_nat_pool *p, uint16_t port);
unsigned phx_nat_pool_in_use(const struct phx_nat_pool *p);
unsigned phx_nat_pool_size(const struct phx_nat_pool *p);

#endif /* PHX_LIB_NAT_POOL_H */
