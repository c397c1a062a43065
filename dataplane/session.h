/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session shard: one per worker, written by that worker only (DESIGN
 * invariant 1). An rte_hash (no concurrency flags: single writer, single
 * reader) maps a session's keys to its index in a flat array of 64-byte
 * records. Keys are stored in canonical form (endpoints ordered), so a
 * session without NAT needs one entry for both directions; a NAT session
 * has a second entry for its reply key (as replies arrive, after NAT).
 * The hash data word is   index << 1 | entry,   entry 1 = the NAT reply
 * entry. phx_shard_resolve() turns a hit into (session, direction) and
 * rejects what the entry does not admit.
 *
 * Why canonical: with two entries per session the table ran at 80% load
 * and many lookups went on to the cuckoo secondary bucket (another cache
 * miss); one entry halves the populated table and the key-store working
 * set (measured: see docs/performance.md).
 *
 * The record holds what sync must ship (DESIGN 5): the forward key, NAT
 * translation, TCP state and windows, rule and policy generation, and the
 * time of the last packet, from which the remaining lifetime follows.
 * The reply key is derived, not stored (see phx_sess_reply_key()).
 */
#ifndef PHX_DP_SESSION_H
#define PHX_DP_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_hash.h>

#include "lib/compiler.h"
#include "lib/flow_key.h"
#include "lib/sync_codec.h"
#include "lib/tcp_fsm.h"

/* flags */
#define PHX_SESS_F_USED     0x01 /* slot holds a live session */
#define PHX_SESS_F_SNAT     0x02 /* source NAT: src -> nat_ip:nat_port */
#define PHX_SESS_F_DNAT     0x04 /* destination NAT: dst -> nat_ip:nat_port */
#define PHX_SESS_F_REPLIED  0x08 /* a reply-direction packet was seen */
#define PHX_SESS_F_WINDOW   0x10 /* TCP window tracking active */
#define PHX_SESS_F_NOSYNC   0x20 /* its rule says sync: false */
#define PHX_SESS_F_SYNCED   0x40 /* installed from outside (sync/pickup) */
#define PHX_SESS_F_DELAYED  0x80 /* its rule delays sync (sync_delay_s,
				  * SPEC SYNC-55/56) and that delay has not
				  * passed: nothing about it is synced yet,
				  * and nothing ever is if it ends first */

/* Sessions that sync does not know about: never ship them, never count
 * them in a digest or a diff. */
#define PHX_SESS_F_UNSYNCED (PHX_SESS_F_NOSYNC | PHX_SESS_F_DELAYED)

/* UDP and ICMP pseudo-states in .state (TCP uses enum phx_tcp_state). */
#define PHX_SESS_ST_NEW      1    /* one direction seen */
#define PHX_SESS_ST_REPLIED  2    /* both directions seen */

struct phx_sess {
	struct phx_flow_key key;  /*  0 [W] forward key, pre-NAT */
	uint64_t last_tsc;        /* 16 [W] last packet, TSC */
	struct phx_tcp_win win;   /* 24 [W] TCP windows (if F_WINDOW);
				   *    win.sync_epoch, for every session:
				   *    the refresh epoch of its last sync
				   *    event (worker.c, lifetime refresh) */
	uint32_t nat_ip;          /* 48 [W] network order: SNAT new source or
				   *    DNAT new destination */
	uint16_t nat_port;        /* 52 [W] network order; ICMP: identifier */
	uint16_t rule;            /* 54 [W] admitting rule (index in the
				   *    policy of generation .gen) */
	uint32_t gen;             /* 56 [W] policy generation that admitted
				   *    or last re-checked it */
	uint8_t state;            /* 60 [W] enum phx_tcp_state or ST_* */
	uint8_t flags;            /* 61 [W] PHX_SESS_F_* */
	uint8_t in_port;          /* 62 [W] initiator's ingress port index */
	uint8_t tmo_class;        /* 63 [W] enum phx_tmo_class */
};

static_assert(sizeof(struct phx_sess) == 64, "a session is one cache line");
static_assert(offsetof(struct phx_sess, win) == 24, "layout");

struct phx_shard {
	struct rte_hash *h;       /* [W] both keys of every session */
	struct phx_sess *sess;    /* [W] records, index = data >> 1 */
	uint32_t *free_idx;       /* [W] stack of free indexes */
	uint32_t n_free;          /* [W] */
	uint32_t max;             /* [I] sessions */
	uint32_t used;            /* [W] live sessions (gauge; readers load
				   *    it relaxed) */
	uint32_t sweep;           /* [W] expiry cursor */
};

/* Create a shard for max sessions on socket; NULL on failure (rte_errno). */
struct phx_shard *phx_shard_create(const char *name, uint32_t max,
				   int socket);
void phx_shard_free(struct phx_shard *sh);

/* Key replies to session s carry (after NAT, as they arrive). */
static inline void
phx_sess_reply_key(const struct phx_sess *s, struct phx_flow_key *r)
{
	phx_flow_key_reverse(&s->key, r);
	if (s->flags & PHX_SESS_F_SNAT) {
		r->dst_ip = s->nat_ip;
		r->dport = s->nat_port;
		if (s->key.proto == 1 /* ICMP: id both ways */)
			r->sport = s->nat_port;
	} else if (s->flags & PHX_SESS_F_DNAT) {
		r->src_ip = s->nat_ip;
		r->sport = s->nat_port;
		if (s->key.proto == 1)
			r->dport = s->nat_port;
	}
}

/* Canonical form of k: source endpoint <= destination endpoint. c may
 * be k. Read and written field by field: the key was usually written
 * that way a moment ago, and a 16-byte load of it then cannot be served
 * from the store buffer (a stall of its own on every packet: measured,
 * docs/performance.md). */
static inline void
phx_flow_key_canon(const struct phx_flow_key *k, struct phx_flow_key *c)
{
	uint32_t sip = k->src_ip, dip = k->dst_ip;
	uint16_t sp = k->sport, dp = k->dport;
	uint8_t proto = k->proto;

	if (((uint64_t)sip << 16 | sp) > ((uint64_t)dip << 16 | dp)) {
		uint32_t t = sip;
		uint16_t tp = sp;

		sip = dip;
		dip = t;
		sp = dp;
		dp = tp;
	}
	c->src_ip = sip;
	c->dst_ip = dip;
	c->sport = sp;
	c->dport = dp;
	c->proto = proto;
	c->pad[0] = c->pad[1] = c->pad[2] = 0;
}

static inline bool
phx_flow_key_eq(const struct phx_flow_key *a, const struct phx_flow_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/*
 * Resolve a hash hit: the entry's data d and the packet's own (not
 * canonical) key k. Returns the session and sets *dir, or NULL when the
 * slot is free or holds a session this key does not belong to (an earlier
 * packet of the burst ended it; or a reply-shaped packet on a NAT
 * session's forward entry, e.g. a server answering the hidden client's
 * real address: never admitted).
 */
static inline struct phx_sess *
phx_shard_resolve(const struct phx_shard *sh, uintptr_t d,
		  const struct phx_flow_key *k, enum phx_dir *dir)
{
	struct phx_sess *s = &sh->sess[d >> 1];
	struct phx_flow_key r;

	if (!(s->flags & PHX_SESS_F_USED))
		return NULL;
	if (d & 1) {
		phx_sess_reply_key(s, &r);
		*dir = PHX_DIR_REPLY;
		return phx_flow_key_eq(k, &r) ? s : NULL;
	}
	if (phx_flow_key_eq(k, &s->key)) {
		*dir = PHX_DIR_ORIG;
		return s;
	}
	if (s->flags & (PHX_SESS_F_SNAT | PHX_SESS_F_DNAT))
		return NULL;
	*dir = PHX_DIR_REPLY;
	return phx_flow_key_is_reverse(k, &s->key) ? s : NULL;
}

/*
 * Insert a session with forward key fwd (record filled by the caller
 * through *out before or after; flags must include the NAT bits so the
 * reply key can be derived). Returns the record, or NULL: -ENOSPC table
 * full, -EEXIST a key already exists (in *err).
 */
struct phx_sess *phx_shard_insert(struct phx_shard *sh,
				  const struct phx_sess *tmpl, int *err);

/* The session k belongs to (any direction), or NULL; one lookup. */
struct phx_sess *phx_shard_find(struct phx_shard *sh,
				const struct phx_flow_key *k, enum phx_dir *dir);

/* Remove s (its keys) and free its slot. */
void phx_shard_delete(struct phx_shard *sh, struct phx_sess *s);

static inline uint32_t
phx_shard_index(const struct phx_shard *sh, const struct phx_sess *s)
{
	return (uint32_t)(s - sh->sess);
}

/*
 * A session as sync ships it (lib/sync_codec.h), for the control lcore's
 * sync runtime and the benchmark. remaining_ms is the lifetime left at
 * the moment (the receiver rebases it on its own clock), owner the member
 * id of the sender. The TCP window goes only with F_WINDOW (zero
 * otherwise), and never the refresh epoch kept in it: that is this
 * member's bookkeeping. Local flags (USED, NOSYNC, SYNCED, DELAYED) have
 * no wire form.
 */
static inline void
phx_sess_to_sync(const struct phx_sess *s, uint32_t remaining_ms,
		 uint8_t owner, struct phx_sync_sess *out)
{
	memset(out, 0, sizeof(*out));
	out->key = s->key;
	out->key.pad[0] = out->key.pad[1] = out->key.pad[2] = 0;
	if (s->flags & (PHX_SESS_F_SNAT | PHX_SESS_F_DNAT)) {
		out->nat_ip = s->nat_ip;
		out->nat_port = s->nat_port;
	}
	out->rule = s->rule;
	out->gen = s->gen;
	out->remaining_ms = remaining_ms;
	out->state = s->state;
	out->sflags = (uint8_t)(
		(s->flags & PHX_SESS_F_SNAT ? PHX_SYNC_SF_SNAT : 0) |
		(s->flags & PHX_SESS_F_DNAT ? PHX_SYNC_SF_DNAT : 0) |
		(s->flags & PHX_SESS_F_REPLIED ? PHX_SYNC_SF_REPLIED : 0) |
		(s->flags & PHX_SESS_F_WINDOW ? PHX_SYNC_SF_WINDOW : 0));
	out->tmo_class = s->tmo_class;
	out->in_port = s->in_port;
	out->owner = owner;
	if (s->flags & PHX_SESS_F_WINDOW) {
		out->win = s->win;
		out->win.sync_epoch = 0;
	}
}

/*
 * The session record a synced session becomes, for a PHX_MSG_INSTALL
 * (dp_api.h): flags from the wire flags, everything else as shipped;
 * last_tsc stays 0 (the message's remaining_ms carries the lifetime and
 * the worker rebases it). The worker adds SYNCED and re-learns windows.
 */
static inline void
phx_sess_from_sync(const struct phx_sync_sess *in, struct phx_sess *out)
{
	memset(out, 0, sizeof(*out));
	out->key = in->key;
	out->key.pad[0] = out->key.pad[1] = out->key.pad[2] = 0;
	out->nat_ip = in->nat_ip;
	out->nat_port = in->nat_port;
	out->rule = in->rule;
	out->gen = in->gen;
	out->state = in->state;
	out->flags = (uint8_t)(
		(in->sflags & PHX_SYNC_SF_SNAT ? PHX_SESS_F_SNAT : 0) |
		(in->sflags & PHX_SYNC_SF_DNAT ? PHX_SESS_F_DNAT : 0) |
		(in->sflags & PHX_SYNC_SF_REPLIED ? PHX_SESS_F_REPLIED : 0) |
		(in->sflags & PHX_SYNC_SF_WINDOW ? PHX_SESS_F_WINDOW : 0));
	out->in_port = in->in_port;
	out->tmo_class = in->tmo_class;
	if (in->sflags & PHX_SYNC_SF_WINDOW) {
		out->win = in->win;
		out->win.sync_epoch = 0;
	}
}

/*
 * One session's share of a shard digest (phx_dp_shard_digest, `phx
 * diff`): a 64-bit hash of what an active and its standby must agree on,
 * the forward key, the NAT translation and the state. Lifetimes, windows,
 * counters and the local flags (SYNCED, REPLIED) are left out: they
 * differ legitimately between the two. A digest is the sum of these over
 * the sessions that sync (no F_UNSYNCED), mod 2^64, so order does not
 * matter and a CLI can compute the same from conn pages.
 */
static inline uint64_t
phx_sess_digest_hash(const struct phx_sess *s)
{
	const uint64_t m = 0xff51afd7ed558ccdULL, m2 = 0xc4ceb9fe1a85ec53ULL;
	bool nat = s->flags & (PHX_SESS_F_SNAT | PHX_SESS_F_DNAT);
	uint64_t w[3], h = 0x9e3779b97f4a7c15ULL;
	unsigned i;

	w[0] = (uint64_t)s->key.src_ip << 32 | s->key.dst_ip;
	w[1] = (uint64_t)s->key.sport << 48 | (uint64_t)s->key.dport << 32 |
	       (uint64_t)s->key.proto << 24 | (uint64_t)s->state << 16 |
	       (s->flags & (PHX_SESS_F_SNAT | PHX_SESS_F_DNAT));
	w[2] = nat ? (uint64_t)s->nat_ip << 32 | s->nat_port : 0;
	/* murmur3's 64-bit finaliser over a chain of the three words */
	for (i = 0; i < 3; i++) {
		h ^= w[i];
		h ^= h >> 33;
		h *= m;
		h ^= h >> 33;
		h *= m2;
		h ^= h >> 33;
	}
	return h;
}

#endif /* PHX_DP_SESSION_H */
