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
#include "lib/idle_sleep.h"

#define CTL_BURST 32
#define CTL_RX_BURSTS 8      /* bursts drained per pass, at most */
#define CTL_TIMER_MS 10
#define CTL_DROPLOG_MS 1000  /* drops SPEC wants logged: one line a second */

#define DROPLOG(fmt, ...) \
	RTE_LOG(NOTICE, USER1, "phx.fw: " fmt "\n", ##__VA_ARGS__)

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

/* TCP flags, one letter each from FIN up (F S R P A U E C), "." for
 * none: "S", "SA", "FA". */
static const char *
tcp_flags_str(uint8_t f, char *buf)
{
	static const char bits[] = "FSRPAUEC";
	unsigned i, n = 0;

	for (i = 0; i < 8; i++)
		if (f & (1u << i))
			buf[n++] = bits[i];
	if (n == 0)
		buf[n++] = '.';
	buf[n] = '\0';
	return buf;
}

/*
 * SPEC SI-03 and SI-04 want these drops logged with their messages. The
 * workers only count them and keep the latest packet of each
 * (phx_dp_drop_sample); once a second, a reason that rose gets one line:
 * its message, how many, and one of the packets. A flood of them is one
 * line a second, not one a packet.
 */
static void
droplog(struct phx_ctl *ctl)
{
	static const struct {
		enum phx_drop_reason r;
		const char *msg;
	} what[2] = {
		{ PHX_DROP_TCP_NOT_SYN,
		  "TCP packet out of state - first packet isn't SYN" },
		{ PHX_DROP_TCP_SYN_ESTABLISHED,
		  "SYN packet for established connection" },
	};
	unsigned nw = phx_dp_nb_workers(ctl->dp), i, w;

	for (i = 0; i < RTE_DIM(what); i++) {
		struct phx_dp_drop_sample smp;
		uint64_t d = 0, c;
		int got = -1;

		for (w = 0; w < nw && w < PHX_CFG_MAX_WORKERS; w++) {
			c = __atomic_load_n(&phx_dp_stats(ctl->dp, w)->
					    drop[what[i].r], __ATOMIC_ACQUIRE);
			if (c == ctl->droplog_seen[i][w])
				continue;
			d += c - ctl->droplog_seen[i][w];
			ctl->droplog_seen[i][w] = c;
			/* a worker whose count moved has a fresh sample */
			if (got != 0)
				got = phx_dp_drop_sample(ctl->dp, w,
							 what[i].r, &smp);
		}
		if (d == 0)
			continue;
		if (got == 0) {
			const struct phx_dp_port_info *pi =
				phx_dp_port(ctl->dp, smp.port);
			char s[16], t[16], fl[9];

			phx_ip4_str(rte_be_to_cpu_32(smp.src_ip), s);
			phx_ip4_str(rte_be_to_cpu_32(smp.dst_ip), t);
			DROPLOG("%s: %" PRIu64 " in the last second; last "
				"%s:%u -> %s:%u flags %s on %s", what[i].msg, d,
				s, rte_be_to_cpu_16(smp.sport), t,
				rte_be_to_cpu_16(smp.dport),
				tcp_flags_str(smp.tcp_flags, fl),
				pi != NULL ? pi->cfg->name : "?");
		} else {
			DROPLOG("%s: %" PRIu64 " in the last second",
				what[i].msg, d);
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
	if (now >= ctl->next_droplog_tsc) {
		droplog(ctl);
		ctl->next_droplog_tsc = now + ctl->hz * CTL_DROPLOG_MS / 1000;
	}
	return n;
}

void
phx_ctl_run(struct phx_ctl *ctl, volatile sig_atomic_t *stop,
	    volatile sig_atomic_t *reload)
{
	struct phx_idle_sleep isl;

	phx_idle_sleep_init(&isl, phx_dp_config(ctl->dp)->dataplane.idle_sleep_us);
	phx_arp_announce(ctl->arp);
	phx_ccp_start(ctl);
	phx_sync_start(ctl);
	while (!*stop) {
		if (reload != NULL && *reload) {
			*reload = 0;
			phx_ctl_reload_start(ctl);
		}
		phx_ctl_reload_poll(ctl);
		if (phx_ctl_poll(ctl, rte_rdtsc()) != 0 || isl.base_us == 0)
			phx_idle_sleep_reset(&isl);
		else
			usleep(phx_idle_sleep_next(&isl,
						   phx_dp_idle_cap(ctl->dp)));
	}
	phx_ctl_reload_stop(ctl);
}
