/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control loop on the main lcore: drain what the workers passed up
 * (ARP frames, packets waiting for a neighbour), run the neighbour timers
 * every 10 ms, and sleep when there was nothing to do if the member runs
 * with idle sleep (shared machines); run the CCP and state sync
 * runtimes.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "control/ctl_priv.h"
#include "dataplane/dp_api.h"

#define CTL_BURST 32
#define CTL_RX_BURSTS 8      /* bursts drained per pass, at most */
#define CTL_TIMER_MS 10

struct phx_ctl *
phx_ctl_create(struct phx_dp *dp)
{
	struct phx_ctl *ctl = rte_zmalloc("phx_ctl", sizeof(*ctl), 0);

	if (ctl == NULL)
		return NULL;
	ctl->dp = dp;
	pthread_mutex_init(&ctl->cfg_lock, NULL);
	ctl->boot_cfg = phx_dp_config(dp);
	/* The dataplane keeps the boot configuration; later reloads own
	 * their copies. The cast: the boot one is never freed by us. */
	ctl->cfg = (struct phx_config *)(uintptr_t)ctl->boot_cfg;
	snprintf(ctl->reload_status, sizeof(ctl->reload_status),
		 "boot: generation %" PRIu64, ctl->boot_cfg->generation);
	ctl->hz = rte_get_tsc_hz();
	ctl->start_tsc = rte_rdtsc();
	ctl->start_time = time(NULL);
	ctl->timer_tsc = ctl->hz * CTL_TIMER_MS / 1000;
	ctl->arp = phx_arp_create(dp);
	if (ctl->arp == NULL || phx_ccp_create(ctl) != 0 ||
	    phx_sync_create(ctl) != 0 ||
	    phx_ctl_telemetry_attach(ctl) != 0) {
		phx_ctl_free(ctl);
		return NULL;
	}
	return ctl;
}

void
phx_ctl_free(struct phx_ctl *ctl)
{
	if (ctl == NULL)
		return;
	phx_ctl_telemetry_detach();
	phx_sync_free(ctl);
	phx_ccp_free(ctl);
	/* No telemetry callback runs any more (detached above). */
	if (ctl->cfg != ctl->boot_cfg)
		phx_config_free(ctl->cfg);
	phx_arp_free(ctl->arp);
	pthread_mutex_destroy(&ctl->cfg_lock);
	rte_free(ctl);
}

static void
ctl_input(struct phx_ctl *ctl, struct rte_mbuf **pkts, unsigned n,
	  uint64_t now)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		switch (phx_dp_mbuf_meta(pkts[i])->kind) {
		case PHX_DP_CTL_ARP:
			phx_arp_input(ctl->arp, pkts[i], now);
			break;
		case PHX_DP_CTL_CCP:
			phx_ccp_input(ctl, pkts[i], now);
			break;
		default:
			phx_arp_hold(ctl->arp, pkts[i], now);
			break;
		}
	}
}

unsigned
phx_ctl_poll(struct phx_ctl *ctl, uint64_t now)
{
	struct rte_mbuf *pkts[CTL_BURST];
	unsigned n = 0, b, k;

	/* Drain what the workers passed up (bounded) before the CCP tick
	 * below judges peers: a heartbeat queued behind a burst of sync
	 * frames is a heartbeat received. */
	for (b = 0; b < CTL_RX_BURSTS; b++) {
		k = phx_dp_ctl_rx_burst(ctl->dp, pkts, CTL_BURST);
		ctl_input(ctl, pkts, k, now);
		n += k;
		if (k < CTL_BURST)
			break;
	}
	/* Session events: shipped by the sync runtime, or (standalone)
	 * drained so the rings never fill. */
	n += phx_sync_poll(ctl, now);
	n += phx_ccp_poll(ctl, now);
	if (now >= ctl->next_timer_tsc) {
		phx_arp_timer(ctl->arp, now);
		ctl->next_timer_tsc = now + ctl->timer_tsc;
	}
	return n;
}

void
phx_ctl_run(struct phx_ctl *ctl, volatile sig_atomic_t *stop,
	    volatile sig_atomic_t *reload)
{
	unsigned sleep_us = phx_dp_config(ctl->dp)->dataplane.idle_sleep_us;

	phx_arp_announce(ctl->arp);
	phx_ccp_start(ctl);
	phx_sync_start(ctl);
	while (!*stop) {
		if (reload != NULL && *reload) {
			*reload = 0;
			phx_ctl_reload(ctl);
		}
		if (phx_ctl_poll(ctl, rte_rdtsc()) == 0 && sleep_us != 0)
			usleep(sleep_us);
	}
}
