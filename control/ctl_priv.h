/* SPDX-License-Identifier: BSD-3-Clause */
/* Control-lcore internals shared by control/ files. */
#ifndef PHX_CTL_PRIV_H
#define PHX_CTL_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <rte_mbuf.h>

#include "control/arp.h"
#include "control/ctl.h"
#include "dataplane/dp_api.h"

/*
 * cfg_lock: telemetry callbacks run on DPDK's telemetry pthreads while a
 * reload on the control lcore frees the configuration they read. The
 * control lcore takes it to publish a policy and swap cfg (one step, so
 * that under the lock the dataplane's policy generation is always
 * cfg->generation) and to write the reload result; a telemetry callback
 * takes it to read cfg, the generation and the reload result, and copies
 * what it needs: never across a worker request (conn pages, digests).
 * Lock order: cfg_lock, then the dataplane's policy lock.
 */
struct phx_ctl {
	struct phx_dp *dp;           /* [I] */
	const struct phx_config *boot_cfg; /* [I] the one the dataplane runs */
	pthread_mutex_t cfg_lock;    /* see above */
	struct phx_config *cfg;      /* [C] latest loaded (policy source);
				      * written under cfg_lock, read by
				      * telemetry under it */
	uint64_t reloads_ok;         /* [C] written under cfg_lock */
	uint64_t reloads_failed;     /* [C] written under cfg_lock */
	time_t reload_time;          /* [C] last attempt, 0 = none; under
				      * cfg_lock */
	char reload_status[512];     /* [C] result of the last attempt;
				      * written under cfg_lock */
	struct phx_reload_job *reload_job; /* [C] control/reload.c */
	struct phx_arp *arp;         /* [C] (telemetry reads under arp->lock) */
	struct phx_ccp_rt *ccp;      /* [C] cluster runtime (control/ccp.c);
				      * NULL for a standalone member */
	struct phx_sync_rt *sync;    /* [C] state sync (control/sync.c);
				      * NULL for a standalone member */
	uint64_t hz;                 /* [I] TSC ticks per second */
	uint64_t start_tsc;          /* [I] */
	time_t start_time;           /* [I] wall clock at start */
	uint64_t next_timer_tsc;     /* [C] */
	uint64_t timer_tsc;          /* [I] timer period */
	uint64_t next_droplog_tsc;   /* [C] next look at the logged drops */
	uint64_t droplog_seen[2][PHX_CFG_MAX_WORKERS]; /* [C] their counts
				      * per worker at the last look */
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

/* What the sync runtime needs from the CCP runtime. Control lcore.
 * sync_done: the full sync finished or was given up: the Synchronization
 * critical device goes OK with reason and the FSM may leave INIT.
 * sync_send: body (lib/sync_codec) wrapped in an authenticated CCP SYNC
 * frame to dst (a member id or PHX_CCP_DST_ALL) on the sync port; 0 or
 * a negative errno. peer_states: each member's state as the FSM sees it
 * (enum phx_ccp_state by id; LOST when not heard), in *same_cfg the
 * bitmask (bit id) of peers announcing our configuration digest, and
 * returns the bitmask of peers heard. They take the CCP lock; the CCP runtime never
 * holds it while calling into sync, so the lock order is sync, then CCP.
 */
void phx_ccp_sync_done(struct phx_ctl *ctl, const char *reason);
/* The running configuration changed (reload, adoption): heartbeats carry
 * its generation and digest from now on (SPEC 4.5, 4.6). digest: its
 * phx_config_digest, computed off the control lcore (a large policy
 * takes a while), or NULL to compute it here. */
void phx_ccp_config_changed(struct phx_ctl *ctl,
			    const struct phx_config *cfg,
			    const uint8_t *digest);
int phx_ccp_sync_send(struct phx_ctl *ctl, const uint8_t *body, size_t len,
		      uint16_t dst);
uint8_t phx_ccp_peer_states(struct phx_ctl *ctl, uint8_t st[6],
			    uint8_t *same_cfg);
/* The full sync handshake (SPEC SYNC-20): the sync version member id
 * announces in its heartbeats (platform TLV), or 0 when it announces
 * none, and its software version into version[0..vlen) ("" then). Takes
 * the CCP lock. */
uint8_t phx_ccp_peer_sync_version(struct phx_ctl *ctl, uint8_t id,
				  char *version, size_t vlen);

/*
 * State sync runtime (control/sync.c; SPEC 3, docs/sync.md). create: 0
 * with ctl->sync NULL for a standalone member. start: after phx_ccp_start
 * (begins the full sync). input: an authenticated sync frame of member
 * h->src (called by phx_ccp_input without the CCP lock). poll: drain the
 * workers' session events, send, acknowledge, retransmit, serve and run
 * full syncs; returns work done. Control lcore.
 */
struct phx_ccp_hdr_info;
struct phx_sync_rt;
int phx_sync_create(struct phx_ctl *ctl);
void phx_sync_start(struct phx_ctl *ctl);
void phx_sync_input(struct phx_ctl *ctl, const struct phx_ccp_hdr_info *h,
		    const uint8_t *body, size_t len, uint64_t now);
unsigned phx_sync_poll(struct phx_ctl *ctl, uint64_t now);
/* A reload changed the cluster section's run-time settings (SPEC CCP-22,
 * SYNC-39a, SYNC-60; control/reload.c lets nothing else through): ACK,
 * retransmission, flush and full-sync timing and new-connection blocking.
 * Control lcore, also from inside phx_sync_poll (join: auto). */
struct phx_config;
void phx_sync_config_changed(struct phx_ctl *ctl,
			     const struct phx_config *cfg);
void phx_sync_free(struct phx_ctl *ctl);
/* /phalanx/sync* telemetry (docs/telemetry.md); telemetry thread. */
struct rte_tel_data;
int phx_sync_tel(struct phx_ctl *ctl, const char *params,
		 struct rte_tel_data *d);
int phx_sync_tel_peers(struct phx_ctl *ctl, const char *params,
		       struct rte_tel_data *d);
int phx_sync_tel_reset(struct phx_ctl *ctl, const char *params,
		       struct rte_tel_data *d);
int phx_sync_tel_digest(struct phx_ctl *ctl, const char *params,
			struct rte_tel_data *d);

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
int phx_ccp_tel_forget(struct phx_ctl *ctl, const char *params,
		       struct rte_tel_data *d);

/* Reload the policy from ctl->cfg->path (control/reload.c). 0 = published,
 * -1 = refused (reason in reload_status, the running policy stays). */
int phx_ctl_reload(struct phx_ctl *ctl);
/* The same, read and built on a thread of its own (the control lcore
 * keeps polling: heartbeats go on) and published by
 * phx_ctl_reload_poll on the control lcore once ready. Asked again while
 * one is read: once more after it. phx_ctl_reload_stop joins and drops
 * one in progress (shutdown). Control lcore. */
void phx_ctl_reload_start(struct phx_ctl *ctl);
void phx_ctl_reload_poll(struct phx_ctl *ctl);
void phx_ctl_reload_stop(struct phx_ctl *ctl);
/* join: auto (SPEC FAIL-50): merge the cluster's configuration text (its
 * shared sections, as control/sync.c receives them) with this member's
 * own sections, member id, join mode and key, save the result to path
 * (mode 0600) and apply it as a reload would: 0 = its policy runs now;
 * -1 = refused (reason in reload_status: a section that needs a restart
 * differs, or the text does not load; the saved file is what to restart
 * with). */
int phx_ctl_adopt(struct phx_ctl *ctl, const char *text, size_t len,
		  const char *path);

/* A telemetry parameter's number: decimal digits only (no blank, sign or
 * prefix), at most max, no overflow. Returns 0 or -EINVAL. Any thread. */
int phx_ctl_parse_dec(const char *s, uint64_t max, uint64_t *out);

/* The answer of a command that could not be served for a reason of the
 * member's own (a worker did not respond, out of memory), not for a bad
 * parameter: {"error": "<fmt ...>"} in place of anything added to d
 * (docs/telemetry.md). Returns 0, for the callback to return. */
int phx_ctl_tel_error(struct rte_tel_data *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Register the /phalanx/ telemetry commands for ctl (control/telemetry.c).
 * The commands answer null once phx_ctl_telemetry_detach() ran. */
int phx_ctl_telemetry_attach(struct phx_ctl *ctl);
void phx_ctl_telemetry_detach(void);

#endif /* PHX_CTL_PRIV_H */
