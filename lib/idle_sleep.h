/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Adaptive idle sleep (DESIGN: "busy-poll, adaptive idle sleep") for the
 * worker loops and the control loop when dataplane.idle_sleep_us is set,
 * i.e. when members share cores.
 *
 * The first sleep after an idle stretch is the configured one; each
 * further sleep with still nothing to do doubles it, up to
 * PHX_IDLE_SLEEP_GROWTH times and 1 ms (a configured sleep longer than
 * that does not grow: the operator chose it), and never past the cap the
 * caller gives
 * with each sleep (in a cluster: an eighth of the hello_ms that runs
 * now, half the heartbeat timers' period; a reload can change it). Any
 * work brings it back to the configured one.
 *
 * Why: three lab members polling every 100 us took 37-39 % of a CPU
 * while idle, and their threads, woken 10,000 times a second each, were
 * descheduled often enough to go 28 ms between control passes (longer
 * than the lab's 20 ms dead time, 10 times in 10 s). Growing to 625 us
 * (the lab's cap, an eighth of its hello): 23-24 %, and at most 2
 * control passes later than a hello (5 ms) in the same 10 s. A packet
 * that arrives after an idle stretch waits for the current sleep to end:
 * 625 us at most there.
 */
#ifndef PHX_LIB_IDLE_SLEEP_H
#define PHX_LIB_IDLE_SLEEP_H

#include <stdint.h>

#define PHX_IDLE_SLEEP_GROWTH 10   /* the longest sleep, x the configured, */
#define PHX_IDLE_SLEEP_MAX_US 1000 /* ... but no longer than this unless
				    * the configured one is */

struct phx_idle_sleep {
	uint32_t base_us;   /* the configured sleep; 0 = never sleep */
	uint32_t max_us;    /* the longest one */
	uint32_t cur_us;    /* the next one */
};

/* base_us: dataplane.idle_sleep_us. */
static inline void
phx_idle_sleep_init(struct phx_idle_sleep *s, uint32_t base_us)
{
	uint64_t max = (uint64_t)base_us * PHX_IDLE_SLEEP_GROWTH;

	if (max > PHX_IDLE_SLEEP_MAX_US)
		max = base_us > PHX_IDLE_SLEEP_MAX_US ? base_us :
						       PHX_IDLE_SLEEP_MAX_US;
	s->base_us = base_us;
	s->max_us = (uint32_t)max;
	s->cur_us = base_us;
}

/* There was work: the next sleep is the configured one again. */
static inline void
phx_idle_sleep_reset(struct phx_idle_sleep *s)
{
	s->cur_us = s->base_us;
}

/* Nothing to do again: how long to sleep now (0: do not), at most cap_us
 * unless that is 0 (no cap) or below the configured sleep; the one after
 * is twice as long, up to the longest. */
static inline uint32_t
phx_idle_sleep_next(struct phx_idle_sleep *s, uint32_t cap_us)
{
	uint32_t us = s->cur_us;

	s->cur_us = us > s->max_us / 2 ? s->max_us : us * 2;
	if (cap_us != 0 && us > cap_us)
		us = cap_us > s->base_us ? cap_us : s->base_us;
	return us;
}

/* The cap a cluster's timers allow: an eighth of hello_ms. The CCP ticks
 * every quarter hello and puts a tick off while a worker has not looped
 * since the last one (it may hold heartbeats): sleeps of half a tick
 * leave room for usleep's overshoot on a busy machine. (The validator
 * keeps idle_sleep_us itself below a quarter; it is never cut.) 0 (none)
 * without a cluster. */
static inline uint32_t
phx_idle_sleep_cap(int cluster, unsigned hello_ms)
{
	if (!cluster || hello_ms == 0)
		return 0;
	return hello_ms * 1000u / 8 > 1 ? hello_ms * 1000u / 8 : 1;
}

#endif /* PHX_LIB_IDLE_SLEEP_H */
