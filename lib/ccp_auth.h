/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CCP authentication: the keyed MAC that ends every CCP frame, the boot id
 * that names one run of a member, and the per-peer replay window.
 *
 * MAC: HMAC-SHA-256 (libsodium crypto_auth_hmacsha256, DESIGN 4: never a
 * home-made one) keyed with the cluster's 32-byte key, over every byte of
 * the frame before the tag. The key's HMAC inner/outer states are computed
 * once (phx_ccp_key_init) so a tag costs the message blocks only; the
 * result is the same as the one-shot crypto_auth_hmacsha256(). Tags are
 * compared in constant time.
 *
 * Replay (IPsec-style, RFC 4303 §3.4.3): every frame carries the sender's
 * boot id and a 64-bit counter that starts over with each boot. Per peer
 * the receiver keeps the boot id it follows, the highest counter accepted
 * and a 64-entry bitmap below it. A frame is fresh when its counter is
 * above the highest, or within the 64 below and not yet seen.
 *
 * Boot ids are ordered, not merely different: phx_ccp_boot_id_new() puts
 * the wall clock (ms) in the top 48 bits and 16 random bits below. A
 * receiver follows a peer to a *greater* boot id (window reset) and rejects
 * frames with a smaller one. Alternative rejected: "any new boot id resets
 * the window". With it, an attacker replaying frames of the peer's
 * previous run flips the receiver back to that run (and its stale states)
 * as often as they like. With ordering, once a receiver has seen a run,
 * no frame of an earlier run is accepted again.
 *
 * Costs of that choice (see docs/PROTOCOL.md):
 *  - a member whose wall clock went backwards across its restart (by more
 *    than its downtime) is refused by peers that saw its previous run,
 *    until they restart or the operator resets them (phx forget, which
 *    calls phx_ccp_replay_forget). Keep clocks NTP-synced (SPEC CCP-24);
 *  - a receiver has no history after its own start, so the first frame of
 *    each peer is trusted as is (trust on first use). An attacker holding
 *    recorded frames can make one stale frame count at that moment; the
 *    peer's next genuine frame (same or greater boot id, greater counter)
 *    moves the window past everything recorded earlier.
 * Forgetting a peer automatically (say when it is declared dead) would
 * reopen the replay of a dead member's recorded frames, making it look
 * alive: so only an operator does it.
 *
 * Threads: pure functions; a struct phx_ccp_replay belongs to one thread
 * (the control lcore). Keys are read-only after phx_ccp_key_init and may
 * be shared.
 */
#ifndef PHX_LIB_CCP_AUTH_H
#define PHX_LIB_CCP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "lib/ccp_wire.h"

#define PHX_CCP_KEY_LEN       32    /* bytes of key material */
#define PHX_CCP_REPLAY_WINDOW 64    /* counters remembered below the top */

/* A prepared key: HMAC states after absorbing the key. Opaque contents;
 * wipe with phx_ccp_key_wipe when the key is replaced. */
struct phx_ccp_key {
	crypto_auth_hmacsha256_state st;
};

/*
 * Initialise libsodium. Idempotent and thread-safe (as sodium_init is);
 * phx_ccp_key_init and phx_ccp_boot_id_new call it, so a program that
 * prepares its key before anything else needs no other call. Returns 0,
 * or -EIO when libsodium cannot initialise (no usable random source).
 */
int phx_ccp_auth_init(void);

/* Prepare *k from raw[PHX_CCP_KEY_LEN]. Returns 0 or -EIO (see
 * phx_ccp_auth_init). */
int phx_ccp_key_init(struct phx_ccp_key *k, const uint8_t raw[PHX_CCP_KEY_LEN]);

/*
 * Prepare *k from 64 hex digits (upper or lower case, nothing else), as
 * a configuration would hold the key. Returns 0, -EINVAL for anything
 * but exactly 64 hex digits, or -EIO.
 */
int phx_ccp_key_from_hex(struct phx_ccp_key *k, const char *hex);

/* Zero a key (sodium_memzero, not optimised away). NULL-safe. */
void phx_ccp_key_wipe(struct phx_ccp_key *k);

/* tag = HMAC-SHA-256(key, msg[0..len)). */
void phx_ccp_auth_tag(const struct phx_ccp_key *k, const uint8_t *msg,
		      size_t len, uint8_t tag[PHX_CCP_TAG_LEN]);

/* True when tag is HMAC-SHA-256(key, msg[0..len)); constant time in the
 * tag's contents. */
bool phx_ccp_auth_verify(const struct phx_ccp_key *k, const uint8_t *msg,
			 size_t len, const uint8_t tag[PHX_CCP_TAG_LEN]);

/*
 * A new boot id for this run of the member: realtime_ms (wall clock,
 * CLOCK_REALTIME in milliseconds; time is passed in, STYLE 3.1) in the top
 * 48 bits, 16 random bits below. Greater than the id of any earlier run
 * as long as the clock moved forward between the runs.
 */
uint64_t phx_ccp_boot_id_new(uint64_t realtime_ms);

/* Replay state of one peer. */
struct phx_ccp_replay_peer {
	uint64_t boot_id;     /* run followed; meaningful when seen */
	uint64_t top;         /* highest counter accepted in that run */
	uint64_t bitmap;      /* bit i: counter top - i accepted */
	bool seen;            /* a frame was accepted since init/forget */
};

/* Replay state of every peer of a member, indexed by member id. */
struct phx_ccp_replay {
	struct phx_ccp_replay_peer peer[PHX_CCP_MAX_MEMBERS + 1]; /* [0]
								   * unused */
};

/* Empty state: the first frame of each peer will be accepted. */
void phx_ccp_replay_init(struct phx_ccp_replay *r);

/*
 * Decide whether an authenticated frame from member (1..5) with this boot
 * id and counter is fresh, and if so record it. Call it only after
 * phx_ccp_decode() accepted the frame (tag verified): recording forged
 * counters would let anyone push the window forward. Returns true when
 * fresh (recorded), false for a replay: a smaller boot id than the one
 * followed, a counter more than PHX_CCP_REPLAY_WINDOW - 1 below the
 * highest, a counter already seen, or a member id out of range.
 */
bool phx_ccp_replay_check_and_update(struct phx_ccp_replay *r,
				     uint16_t member, uint64_t boot_id,
				     uint64_t counter);

/* Forget a peer (operator action only; see the file comment). Out of
 * range ids are ignored. */
void phx_ccp_replay_forget(struct phx_ccp_replay *r, uint16_t member);

#endif /* PHX_LIB_CCP_AUTH_H */
