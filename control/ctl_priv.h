/* SPDX-License-Identifier: BSD-3-Clause */
/* Control-lcore internals shared by control/ files. */
#ifndef PHX_CTL_PRIV_H
#define PHX_CTL_PRIV_H

#include <stdint.h>
#include <time.h>

#include <rte_mbuf.h>

#include "control/arp.h"
#include "control/ctl.h"
#include "dataplane/dp_api.h"

struct phx_ctl {
	struct phx_dp *dp;           /* [I] */
	const struct phx_config *boot_cfg; /* [I] the one the dataplane runs */
	struct phx_config *cfg;      /* [C] latest loaded (policy source);
				      * telemetry reads its scalars */
	uint64_t reloads_ok;         /* [C] */
	uint64_t reloads_failed;     /* [C] */
	time_t reload_time;          /* [C] last attempt, 0 = none */
	char reload_status[512];     /* [C] result of the last attempt */
	struct phx_arp *arp;         /* [C] (telemetry reads under arp->lock) */
	struct phx_ccp_rt *ccp;      /* [C] cluster runtime (control/ccp.c);
				      * NULL for a standalone member */
	uint64_t hz;                 /* [I] TSC ticks per second */
	uint64_t start_tsc;          /* [I] */
	time_t start_time;           /* [I] wall clock at start */
	uint64_t next_timer_tsc;     /* [C] */
	uint64_t timer_tsc;          /* [I] timer period */
	struct phx_sess_event ev[64]; /* [C] scratch for draining events */
};

/*
 * Cluster runtime (control/ccp.c). create: 0 and ctl->ccp NULL for a
 * standalone member, 0 with ctl->ccp set, or a negative errno. start:
 * after the workers run (first heartbeat, sync done). input: a CCP or
 * sync frame a worker passed up; consumes m. poll: timers, one pass of
 * the control loop; returns work done. Control lcore.
 */
struct phx_ccp_rt;
int phx_ccp_create(struct phx_ctl *ctl);
void phx_ccp_start(struct phx_ctl *ctl);
void phx_ccp_input(struct phx_ctl *ctl, struct rte_mbuf *m, uint64_t now);
unsigned phx_ccp_poll(struct phx_ctl *ctl, uint64_t now);
void phx_ccp_free(struct phx_ctl *ctl);

/* /phalanx/cluster* telemetry (docs/telemetry.md); telemetry thread. */
struct rte_tel_data;
int phx_ccp_tel_cluster(struct phx_ctl *ctl, const char *params,
			struct rte_tel_data *d);
int phx_ccp_tel_members(struct phx_ctl *ctl, const char *params,
			struct rte_tel_data *d);
int phx_ccp_tel_if(struct phx_ctl *ctl, const char *params,
		   struct rte_tel_data *d);
int phx_ccp_tel_pnotes(struct phx_ctl *ctl, const char *params,
		       struct rte_tel_data *d);
int phx_ccp_tel_ccp(struct phx_ctl *ctl, const char *params,
		    struct rte_tel_data *d);
int phx_ccp_tel_admin(struct phx_ctl *ctl, const char *params,
		      struct rte_tel_data *d);
int phx_ccp_tel_pnote(struct phx_ctl *ctl, const char *params,
		      struct rte_tel_data *d);

/* Reload the policy from ctl->cfg->path (control/reload.c). 0 = published,
 * -1 = refused (reason in reload_status, the running policy stays). */
int phx_ctl_reload(struct phx_ctl *ctl);

/* Register the /phalanx/ telemetry commands for ctl (control/telemetry.c).
 * The commands answer null once phx_ctl_telemetry_detach() ran. */
int phx_ctl_telemetry_attach(struct phx_ctl *ctl);
void phx_ctl_telemetry_detach(void);

#endif /* PHX_CTL_PRIV_H */
