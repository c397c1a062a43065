/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RCU grace periods waited for on a thread of their own, not on the
 * control lcore.
 *
 * What: the control lcore replaces what workers read (the policy, a
 * neighbour entry's slot) and must free the old only once every worker
 * has passed a quiescent state. It asks for a grace period and goes on:
 * phx_dp_grace_start() hands out a ticket, this thread runs
 * synchronize_rcu() for every ticket handed out before it began, and
 * phx_dp_grace_done() says when a ticket's grace period is over.
 * Replaced policies are freed here; deleted neighbour positions are
 * freed by the control lcore's next phx_dp_neigh_reclaim() (the neighbour
 * hash has one writer).
 *
 * Why: synchronize_rcu() waits for the slowest worker without a bound. A
 * worker stopped by a bug or a debugger would have stopped the control
 * lcore with it at the next reload or ARP expiry: no heartbeats, no ARP,
 * no telemetry, when those are what must tell the cluster (the Workers
 * device) and the operator. Now only this thread waits; the old policy
 * and the positions stay allocated until the worker moves again.
 * liburcu's call_rcu() has a thread of its own too, but wants its caller
 * registered and online as a QSBR reader: the control lcore, the bench
 * and the tests publish from threads that read nothing under RCU, and
 * the neighbour positions must be freed by the hash's one writer anyway.
 */
#include <pthread.h>
#include <stdint.h>

#include <urcu-qsbr.h>

#include "dataplane/dp_priv.h"

/* Free every policy whose ticket is done; [G] held, dropped meanwhile. */
static void
free_policies(struct phx_grace *g, uint64_t done)
{
	struct phx_policy *ready = NULL, **pp = &g->pols, *p;

	while ((p = *pp) != NULL) {
		if (p->grace_ticket <= done) {
			*pp = p->grace_next;
			p->grace_next = ready;
			ready = p;
		} else {
			pp = &p->grace_next;
		}
	}
	pthread_mutex_unlock(&g->lock);
	while ((p = ready) != NULL) {
		ready = p->grace_next;
		phx_dp_policy_free(p);
	}
	pthread_mutex_lock(&g->lock);
}

static void *
grace_thread(void *arg)
{
	struct phx_grace *g = arg;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		uint64_t target;

		while (g->req == g->done && !g->stop)
			pthread_cond_wait(&g->cond, &g->lock);
		if (g->req == g->done)
			break;          /* stop, and nothing pending */
		/* every ticket handed out so far was handed out before
		 * this grace period begins */
		target = g->req;
		pthread_mutex_unlock(&g->lock);
		synchronize_rcu();
		pthread_mutex_lock(&g->lock);
		__atomic_store_n(&g->done, target, __ATOMIC_RELEASE);
		free_policies(g, target);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int
phx_dp_grace_init(struct phx_dp *dp)
{
	struct phx_grace *g = &dp->grace;
	int rc;

	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	rc = pthread_create(&g->thr, NULL, grace_thread, g);
	if (rc != 0)
		return -rc;
	(void)pthread_setname_np(g->thr, "phx-grace");
	g->running = true;
	return 0;
}

void
phx_dp_grace_fini(struct phx_dp *dp)
{
	struct phx_grace *g = &dp->grace;

	if (g->running) {
		/* what is pending is waited for and freed first (the
		 * thread ends with none): the workers have stopped, so
		 * that is quick */
		pthread_mutex_lock(&g->lock);
		g->stop = true;
		pthread_cond_signal(&g->cond);
		pthread_mutex_unlock(&g->lock);
		pthread_join(g->thr, NULL);
		g->running = false;
	}
}

/* [G] held: a ticket, and the thread told. */
static uint64_t
ticket_locked(struct phx_grace *g)
{
	uint64_t t = ++g->req;

	pthread_cond_signal(&g->cond);
	return t;
}

uint64_t
phx_dp_grace_start(struct phx_dp *dp)
{
	struct phx_grace *g = &dp->grace;
	uint64_t t;

	pthread_mutex_lock(&g->lock);
	t = ticket_locked(g);
	pthread_mutex_unlock(&g->lock);
	return t;
}

bool
phx_dp_grace_done(struct phx_dp *dp, uint64_t ticket)
{
	return __atomic_load_n(&dp->grace.done, __ATOMIC_ACQUIRE) >= ticket;
}

void
phx_dp_grace_free_policy(struct phx_dp *dp, struct phx_policy *pol)
{
	struct phx_grace *g = &dp->grace;

	if (pol == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	pol->grace_ticket = ticket_locked(g);
	pol->grace_next = g->pols;
	g->pols = pol;
	pthread_mutex_unlock(&g->lock);
}
