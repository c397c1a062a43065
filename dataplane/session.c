/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session shard storage: rte_hash for the keys, a flat record array, and a
 * stack of free record indexes. Only the owning worker calls these.
 *
 * The hash holds one canonical key per session, two for NAT sessions, so
 * it is created with 2 x max entries: every session can be a NAT one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "dataplane/session.h"

struct phx_shard *
phx_shard_create(const char *name, uint32_t max, int socket)
{
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = 2 * max,
		.key_len = sizeof(struct phx_flow_key),
		.hash_func = rte_hash_crc,
		.socket_id = socket,
	};
	struct phx_shard *sh;
	uint32_t i;

	sh = rte_zmalloc_socket("phx_shard", sizeof(*sh), RTE_CACHE_LINE_SIZE,
				socket);
	if (sh == NULL)
		return NULL;
	sh->max = max;
	sh->h = rte_hash_create(&hp);
	sh->sess = rte_zmalloc_socket("phx_sess", sizeof(*sh->sess) * max,
				      RTE_CACHE_LINE_SIZE, socket);
	sh->free_idx = rte_malloc_socket("phx_sess_free",
					 sizeof(*sh->free_idx) * max, 0, socket);
	if (sh->h == NULL || sh->sess == NULL || sh->free_idx == NULL) {
		phx_shard_free(sh);
		rte_errno = ENOMEM;
		return NULL;
	}
	/* Hand out low indexes first: better locality for small tables. */
	for (i = 0; i < max; i++)
		sh->free_idx[i] = max - 1 - i;
	sh->n_free = max;
	return sh;
}

void
phx_shard_free(struct phx_shard *sh)
{
	if (sh == NULL)
		return;
	rte_hash_free(sh->h);
	rte_free(sh->sess);
	rte_free(sh->free_idx);
	rte_free(sh);
}

struct phx_sess *
phx_shard_insert(struct phx_shard *sh, const struct phx_sess *tmpl, int *err)
{
	struct phx_flow_key fk, rk;
	struct phx_sess *s;
	bool nat = tmpl->flags & (PHX_SESS_F_SNAT | PHX_SESS_F_DNAT);
	uint32_t idx;
	int rc;

	if (sh->n_free == 0) {
		*err = -ENOSPC;
		return NULL;
	}
	idx = sh->free_idx[sh->n_free - 1];
	s = &sh->sess[idx];
	phx_flow_key_canon(&tmpl->key, &fk);
	if (nat) {
		phx_sess_reply_key(tmpl, &rk);
		phx_flow_key_canon(&rk, &rk);
	}
	/* rte_hash_add_key_data() replaces the data of an existing key: a
	 * key owned by another session must be refused, not stolen (e.g. a
	 * NAT translation colliding with a live flow). */
	if (rte_hash_lookup(sh->h, &fk) >= 0 ||
	    (nat && (phx_flow_key_eq(&fk, &rk) ||
		     rte_hash_lookup(sh->h, &rk) >= 0))) {
		*err = -EEXIST;
		return NULL;
	}
	rc = rte_hash_add_key_data(sh->h, &fk,
			(void *)(uintptr_t)((uint64_t)idx << 1));
	if (rc == 0 && nat) {
		rc = rte_hash_add_key_data(sh->h, &rk,
			(void *)(uintptr_t)((uint64_t)idx << 1 | 1));
		if (rc != 0)
			rte_hash_del_key(sh->h, &fk);
	}
	if (rc != 0) {
		*err = rc == -ENOSPC ? -ENOSPC : -EEXIST;
		return NULL;
	}
	*s = *tmpl;
	s->flags |= PHX_SESS_F_USED;
	sh->n_free--;
	sh->used++;
	return s;
}

void
phx_shard_delete(struct phx_shard *sh, struct phx_sess *s)
{
	struct phx_flow_key k;

	if (!(s->flags & PHX_SESS_F_USED))
		return;
	phx_flow_key_canon(&s->key, &k);
	rte_hash_del_key(sh->h, &k);
	if (s->flags & (PHX_SESS_F_SNAT | PHX_SESS_F_DNAT)) {
		phx_sess_reply_key(s, &k);
		phx_flow_key_canon(&k, &k);
		rte_hash_del_key(sh->h, &k);
	}
	s->flags = 0;
	sh->free_idx[sh->n_free++] = phx_shard_index(sh, s);
	sh->used--;
}

struct phx_sess *
phx_shard_find(struct phx_shard *sh, const struct phx_flow_key *k,
	       enum phx_dir *dir)
{
	struct phx_flow_key c;
	void *d;

	phx_flow_key_canon(k, &c);
	if (rte_hash_lookup_data(sh->h, &c, &d) < 0)
		return NULL;
	return phx_shard_resolve(sh, (uintptr_t)d, k, dir);
}
