/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control lcore: runs on the main lcore after the workers are
 * launched. It owns the neighbour table (ARP), answers ARP for the
 * member's addresses, releases packets held for resolution, and serves
 * the telemetry commands. Later layers add CCP, sync and policy reload
 * here.
 */
#ifndef PHX_CTL_H
#define PHX_CTL_H

#include <signal.h>
#include <stdint.h>

struct phx_dp;
struct phx_ctl;

/* Create the control state for a created dataplane and register the
 * /phalanx/ telemetry commands. Main lcore. NULL on error. */
struct phx_ctl *phx_ctl_create(struct phx_dp *dp);

/* Announce the member's addresses (gratuitous ARP) and run the control
 * loop until *stop becomes non-zero; whenever *reload is non-zero, clear
 * it and reload the policy from the configuration file. Main lcore. */
void phx_ctl_run(struct phx_ctl *ctl, volatile sig_atomic_t *stop,
		 volatile sig_atomic_t *reload);

/* One pass of the control loop (drain worker rings, timers) at TSC now;
 * returns the number of frames handled. For tests that drive control
 * step by step. */
unsigned phx_ctl_poll(struct phx_ctl *ctl, uint64_t now);

/* Free. Telemetry commands answer "null" afterwards. NULL-safe. */
void phx_ctl_free(struct phx_ctl *ctl);

#endif /* PHX_CTL_H */
