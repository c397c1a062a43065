/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CCP authentication: HMAC-SHA-256 tags with a prepared key, boot ids, and
 * the per-peer replay window. The design and its trade-offs are in
 * lib/ccp_auth.h; this file only implements them.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "lib/ccp_auth.h"

int
phx_ccp_auth_init(void)
{
	/* 0 = initialised now, 1 = already was, -1 = failure. */
	return sodium_init() < 0 ? -EIO : 0;
}

int
phx_ccp_key_init(struct phx_ccp_key *k, const uint8_t raw[PHX_CCP_KEY_LEN])
{
	int rc = phx_ccp_auth_init();

	if (rc != 0)
		return rc;
	crypto_auth_hmacsha256_init(&k->st, raw, PHX_CCP_KEY_LEN);
	return 0;
}

int
phx_ccp_key_from_hex(struct phx_ccp_key *k, const char *hex)
{
	uint8_t raw[PHX_CCP_KEY_LEN];
	const char *end = NULL;
	size_t n = 0, hlen;
	int rc;

	if (hex == NULL)
		return -EINVAL;
	hlen = strlen(hex);
	if (hlen != 2 * PHX_CCP_KEY_LEN)
		return -EINVAL;
	if (sodium_hex2bin(raw, sizeof(raw), hex, hlen, NULL, &n, &end) != 0 ||
	    n != PHX_CCP_KEY_LEN || end != hex + hlen)
		return -EINVAL;
	rc = phx_ccp_key_init(k, raw);
	sodium_memzero(raw, sizeof(raw));
	return rc;
}

void
phx_ccp_key_wipe(struct phx_ccp_key *k)
{
	if (k != NULL)
		sodium_memzero(k, sizeof(*k));
}

void
phx_ccp_auth_tag(const struct phx_ccp_key *k, const uint8_t *msg, size_t len,
		 uint8_t tag[PHX_CCP_TAG_LEN])
{
	/* Continue from the prepared states: equal to the one-shot
	 * crypto_auth_hmacsha256(tag, msg, len, raw key). */
	crypto_auth_hmacsha256_state st = k->st;

	crypto_auth_hmacsha256_update(&st, msg, len);
	crypto_auth_hmacsha256_final(&st, tag);
	sodium_memzero(&st, sizeof(st));
}

bool
phx_ccp_auth_verify(const struct phx_ccp_key *k, const uint8_t *msg,
		    size_t len, const uint8_t tag[PHX_CCP_TAG_LEN])
{
	uint8_t want[PHX_CCP_TAG_LEN];
	bool ok;

	phx_ccp_auth_tag(k, msg, len, want);
	ok = sodium_memcmp(want, tag, PHX_CCP_TAG_LEN) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}

uint64_t
phx_ccp_boot_id_new(uint64_t realtime_ms)
{
	uint64_t low;

	/* randombytes works before sodium_init, but from a worse source on
	 * some systems; a failed init leaves only that source. */
	(void)phx_ccp_auth_init();
	low = randombytes_uniform(1u << 16);
	return realtime_ms << 16 | low;
}

void
phx_ccp_replay_init(struct phx_ccp_replay *r)
{
	*r = (struct phx_ccp_replay){0};
}

void
phx_ccp_replay_forget(struct phx_ccp_replay *r, uint16_t member)
{
	if (member >= 1 && member <= PHX_CCP_MAX_MEMBERS)
		r->peer[member] = (struct phx_ccp_replay_peer){0};
}

bool
phx_ccp_replay_check_and_update(struct phx_ccp_replay *r, uint16_t member,
				uint64_t boot_id, uint64_t counter)
{
	struct phx_ccp_replay_peer *p;
	uint64_t diff;

	if (member < 1 || member > PHX_CCP_MAX_MEMBERS)
		return false;
	p = &r->peer[member];

	/* First frame since init (trust on first use), or the peer
	 * restarted: follow the new run from this counter on. Every counter
	 * below it counts as seen: a frame of that run sent before the one
	 * we trusted can only be a recording now (or, once, a copy that
	 * another interface delivered late: counted as replayed). */
	if (!p->seen || boot_id > p->boot_id) {
		p->seen = true;
		p->boot_id = boot_id;
		p->top = counter;
		p->bitmap = ~UINT64_C(0);
		return true;
	}
	if (boot_id < p->boot_id)
		return false;           /* an earlier run: never again */

	if (counter > p->top) {         /* ahead: slide the window */
		diff = counter - p->top;
		p->bitmap = diff >= PHX_CCP_REPLAY_WINDOW ?
			1 : p->bitmap << diff | 1;
		p->top = counter;
		return true;
	}
	diff = p->top - counter;
	if (diff >= PHX_CCP_REPLAY_WINDOW)
		return false;           /* below the window: too old */
	if (p->bitmap & (UINT64_C(1) << diff))
		return false;           /* duplicate */
	p->bitmap |= UINT64_C(1) << diff;
	return true;
}
