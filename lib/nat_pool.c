/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Source-NAT port pool (lib/nat_pool.h): one bit per port of lo..hi in
 * 64-bit words, and a cursor that rotates through the range.
 *
 * Why a bitmap: 65535 ports cost 8 KiB, a full word (64 ports in use) is
 * skipped with one compare, and the free ports of a word come out with
 * count-trailing-zeros, so an allocation touches used ports only 64 at a
 * time. The predicate (RSS: "would the reply land on this worker?")
 * rejects most free ports when there are many workers, so it is only
 * asked about free ones, and max_tries bounds how many it is asked about.
 * Alternatives rejected: a free-list (O(1) pop, but cannot honour a
 * predicate without popping and pushing back, and 2 bytes per port);
 * DPVS sa_pool's per-lcore free lists pre-filtered by the flow-director
 * port mask (the split is fixed at create time and tied to the steering
 * scheme; here the caller's predicate decides per call, whatever RSS key
 * and worker count are in force).
 *
 * Why rotate: a port just released is the last to be handed out again,
 * so a new flow does not reuse the 5-tuple of a connection the server
 * may still hold in TIME_WAIT (its SYN would then meet an old
 * connection, RFC 6056 §2.3).
 * After max_tries misses the cursor stays where the search stopped, so
 * the next call continues there and a predicate that accepts 1 port in N
 * costs O(N) amortised per allocation, not a rescan from the start.
 *
 * Single writer: the owning worker. No locking.
 */
#include "lib/nat_pool.h"

#include <errno.h>
#include <stdlib.h>

struct phx_nat_pool {
	uint16_t lo;        /* first port, host order */
	uint16_t hi;        /* last port, host order */
	uint32_t size;      /* hi - lo + 1 */
	uint32_t in_use;    /* ports taken */
	uint32_t cursor;    /* index (port - lo) the next search starts at */
	uint32_t nwords;    /* words in bits[] */
	unsigned n_shared;  /* entries in use in shared[] */
	struct {
		uint16_t port;      /* 0: free entry */
		uint16_t extra;     /* owners beyond the first */
	} shared[PHX_NAT_SHARED_MAX]; /* ports with several owners (share()):
				       * a few at most, from sync, so a small
				       * table made with the pool (no
				       * allocation on a worker) */
	uint64_t bits[];    /* bit i set: port lo + i in use; the bits past
			     * size in the last word are set for good */
};

struct phx_nat_pool *
phx_nat_pool_create(uint16_t lo, uint16_t hi)
{
	struct phx_nat_pool *p;
	uint32_t size, nwords;

	if (lo == 0 || lo > hi) {
		errno = EINVAL;
		return NULL;
	}
	size = (uint32_t)hi - lo + 1;
	nwords = (size + 63) / 64;
	p = calloc(1, sizeof(*p) + nwords * sizeof(p->bits[0]));
	if (p == NULL)
		return NULL;
	p->lo = lo;
	p->hi = hi;
	p->size = size;
	p->nwords = nwords;
	if (size % 64)
		p->bits[nwords - 1] = ~0ull << (size % 64);
	return p;
}

void
phx_nat_pool_free(struct phx_nat_pool *p)
{
	free(p);
}

/*
 * Two passes over the index range [a, b]: from the cursor (when it lies
 * in it) to b, then from a up to the cursor. A word's free ports in the
 * pass come out with count-trailing-zeros; only they count as tries.
 */
uint16_t
phx_nat_pool_alloc_range(struct phx_nat_pool *p, uint16_t lo, uint16_t hi,
			 phx_nat_port_ok_fn ok, void *ctx, unsigned max_tries)
{
	uint32_t a, b, start, pass, idx, to, wi, n, i;
	unsigned tries = 0;
	uint64_t avail;
	uint16_t port;

	if (lo < p->lo)
		lo = p->lo;
	if (hi > p->hi)
		hi = p->hi;
	if (lo > hi || p->in_use == p->size || max_tries == 0)
		return 0;
	a = (uint32_t)lo - p->lo;
	b = (uint32_t)hi - p->lo;
	start = p->cursor >= a && p->cursor <= b ? p->cursor : a;
	for (pass = 0; pass < 2; pass++) {
		idx = pass == 0 ? start : a;
		to = pass == 0 ? b + 1 : start;  /* [idx, to) */
		while (idx < to) {
			wi = idx / 64;
			avail = ~p->bits[wi] & (~0ull << (idx % 64));
			n = to - wi * 64;               /* bits of this word */
			if (n < 64)
				avail &= (1ull << n) - 1;
			while (avail) {
				i = wi * 64 + (uint32_t)__builtin_ctzll(avail);
				port = (uint16_t)(p->lo + i);
				tries++;
				if (ok == NULL || ok(port, ctx)) {
					p->bits[wi] |= 1ull << (i % 64);
					p->in_use++;
					p->cursor = i + 1 == p->size ? 0 : i + 1;
					return port;
				}
				if (tries == max_tries) {
					p->cursor = i + 1 == p->size ? 0 : i + 1;
					return 0;
				}
				avail &= avail - 1;
			}
			idx = (wi + 1) * 64;
		}
	}
	return 0;       /* the predicate refused every free port */
}

uint16_t
phx_nat_pool_alloc(struct phx_nat_pool *p, phx_nat_port_ok_fn ok, void *ctx,
		   unsigned max_tries)
{
	return phx_nat_pool_alloc_range(p, p->lo, p->hi, ok, ctx, max_tries);
}

bool
phx_nat_pool_take(struct phx_nat_pool *p, uint16_t port)
{
	uint32_t idx;
	uint64_t bit;

	if (port < p->lo || port > p->hi)
		return false;
	idx = (uint32_t)port - p->lo;
	bit = 1ull << (idx % 64);
	if (p->bits[idx / 64] & bit)
		return false;
	p->bits[idx / 64] |= bit;
	p->in_use++;
	return true;
}

bool
phx_nat_pool_share(struct phx_nat_pool *p, uint16_t port)
{
	unsigned i, free_i = PHX_NAT_SHARED_MAX;

	if (phx_nat_pool_take(p, port))
		return true;
	if (port < p->lo || port > p->hi)
		return false;
	for (i = 0; i < PHX_NAT_SHARED_MAX; i++) {
		if (p->shared[i].port == port) {
			if (p->shared[i].extra == UINT16_MAX)
				return false;
			p->shared[i].extra++;
			return true;
		}
		if (p->shared[i].port == 0 && free_i == PHX_NAT_SHARED_MAX)
			free_i = i;
	}
	if (free_i == PHX_NAT_SHARED_MAX)
		return false;           /* table full */
	p->shared[free_i].port = port;
	p->shared[free_i].extra = 1;
	p->n_shared++;
	return true;
}

bool
phx_nat_pool_release(struct phx_nat_pool *p, uint16_t port)
{
	uint32_t idx;
	uint64_t bit;

	if (port < p->lo || port > p->hi)
		return false;
	idx = (uint32_t)port - p->lo;
	bit = 1ull << (idx % 64);
	if (!(p->bits[idx / 64] & bit))
		return false;
	if (p->n_shared != 0) {
		unsigned i;

		for (i = 0; i < PHX_NAT_SHARED_MAX; i++)
			if (p->shared[i].port == port) {
				if (--p->shared[i].extra == 0) {
					p->shared[i].port = 0;
					p->n_shared--;
				}
				return true;
			}
	}
	p->bits[idx / 64] &= ~bit;
	p->in_use--;
	return true;
}

unsigned
phx_nat_pool_in_use(const struct phx_nat_pool *p)
{
	return p->in_use;
}

unsigned
phx_nat_pool_size(const struct phx_nat_pool *p)
{
	return p->size;
}
