/* SPDX-License-Identifier: BSD-3-Clause */
/* Control-lcore internals shared by control/ files. */
#ifndef PHX_CTL_PRIV_H
#define PHX_CTL_PRIV_H

#include <stdint.h>
#include <time.h>

#include "control/arp.h"
#include "control/ctl.h"

struct phx_ctl {
	struct phx_dp *dp;           /* [I] */
	struct phx_arp *arp;         /* [C] (telemetry reads under arp->lock) */
	uint64_t hz;                 /* [I] TSC ticks per second */
	uint64_t start_tsc;          /* [I] */
	time_t start_time;           /* [I] wall clock at start */
	uint64_t next_timer_tsc;     /* [C] */
	uint64_t timer_tsc;          /* [I] timer period */
};

/* Register the /phalanx/ telemetry commands for ctl (control/telemetry.c).
 * The commands answer null once phx_ctl_telemetry_detach() ran. */
int phx_ctl_telemetry_attach(struct phx_ctl *ctl);
void phx_ctl_telemetry_detach(void);

#endif /* PHX_CTL_PRIV_H */
