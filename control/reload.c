/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy reload (SIGHUP, `phx reload`): read the configuration file again,
 * validate it completely, and if only hot-reloadable sections changed,
 * build the new policy (generation + 1) and publish it to the workers
 * through RCU: traffic never stops, established sessions keep flowing
 * and are re-checked against the new rules (dataplane/worker.c,
 * sess_recheck; docs/firewall.md says what happens to each).
 *
 * Restart-required sections (the member's name, eal, dataplane, ports,
 * routes, neighbors, sessions, cluster) are compared on the canonical
 * dump (and the cluster key, which the dump redacts, byte by byte), so a
 * reload of an edited but equivalent file is fine and a real change is
 * refused with a message naming the section, leaving the running policy
 * in place. In the cluster section, the timers and the other settings
 * SPEC section 8 says change at run time (CCP-22, SYNC-39a, SYNC-60) are
 * not compared: the CCP and sync runtimes take them over
 * (phx_ccp_config_changed, phx_sync_config_changed).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* pthread_setaffinity_np, CPU_SET */
#endif
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_log.h>

#include "control/ctl_priv.h"
#include "dataplane/dp_api.h"

/* "name" is a top-level string, not a section, but what carries it (the
 * telemetry, the logs, the cluster's view of the member) reads the boot
 * configuration: a new one would be reported applied and never be. */
static const char *const restart_sections[] = {
	"name", "eal", "dataplane", "ports", "routes", "neighbors",
	"sessions", "cluster",
};

/* Keys of the cluster section and of its sync object that a reload
 * applies (docs/config.md, "Changing the cluster section at run time"). */
static const char *const cluster_hot[] = {
	"hello_ms", "dead_count", "recovery", "transport", "garp",
};
static const char *const sync_hot[] = {
	"ack_every", "ack_ms", "retransmit_ms", "flush_us",
	"full_sync_timeout_s", "block_new_conns", "block_threshold",
	"allowed_protocols",
};

/* Keys of the sessions section that a reload applies: they live in the
 * published policy (SPEC §8: fw_trust_rst_on_port is a runtime one). */
static const char *const sessions_hot[] = {
	"tcp_trust_rst_ports",
};

/* A section of a dump without its keys a reload may change (a copy;
 * NULL stays NULL). */
static json_t *
section_fixed(json_t *sec, const char *const *hot, unsigned n)
{
	json_t *c;
	unsigned i;

	if (!json_is_object(sec))
		return json_incref(sec);
	c = json_deep_copy(sec);
	for (i = 0; c != NULL && i < n; i++)
		json_object_del(c, hot[i]);
	return c;
}

/* The cluster section of a dump without what a reload may change (a
 * copy; NULL stays NULL). */
static json_t *
cluster_fixed(json_t *cl)
{
	json_t *c = section_fixed(cl, cluster_hot, PHX_DIM(cluster_hot));
	json_t *sync = json_object_get(c, "sync");
	unsigned i;

	for (i = 0; json_is_object(sync) && i < PHX_DIM(sync_hot); i++)
		json_object_del(sync, sync_hot[i]);
	return c;
}

/* Name of the first restart-required section that differs, or NULL. */
static const char *
restart_needed(const struct phx_config *a, const struct phx_config *b)
{
	char *da = phx_config_dump(a), *db = phx_config_dump(b);
	json_t *ja = da ? json_loads(da, 0, NULL) : NULL;
	json_t *jb = db ? json_loads(db, 0, NULL) : NULL;
	const char *diff = "configuration";
	unsigned i;

	if (ja != NULL && jb != NULL) {
		diff = NULL;
		for (i = 0; i < sizeof(restart_sections) /
				sizeof(restart_sections[0]); i++) {
			json_t *x0 = json_object_get(ja, restart_sections[i]);
			json_t *y0 = json_object_get(jb, restart_sections[i]);
			json_t *x, *y;
			bool differs;

			if (strcmp(restart_sections[i], "cluster") == 0) {
				x = cluster_fixed(x0);
				y = cluster_fixed(y0);
			} else if (strcmp(restart_sections[i], "sessions") == 0) {
				x = section_fixed(x0, sessions_hot,
						  PHX_DIM(sessions_hot));
				y = section_fixed(y0, sessions_hot,
						  PHX_DIM(sessions_hot));
			} else {
				x = json_incref(x0);
				y = json_incref(y0);
			}
			/* absent on both sides is no change (json_equal()
			 * calls two NULLs different); a copy that failed is
			 * a change */
			differs = (x0 != NULL && x == NULL) ||
				  (y0 != NULL && y == NULL) ||
				  ((x != NULL || y != NULL) && !json_equal(x, y));
			json_decref(x);
			json_decref(y);
			if (differs) {
				diff = restart_sections[i];
				break;
			}
		}
	}
	/* The dump redacts the cluster key: compare it directly. */
	if (diff == NULL &&
	    memcmp(a->cluster.key, b->cluster.key, sizeof(a->cluster.key)) != 0)
		diff = "cluster";
	json_decref(ja);
	json_decref(jb);
	free(da);
	free(db);
	return diff;
}

/*
 * The result of an attempt, for telemetry: the text, when, and which
 * counter grows. Control lcore; the caller holds cfg_lock.
 */
enum reload_outcome {
	RELOAD_NOT_COUNTED,
	RELOAD_OK,
	RELOAD_FAILED,
};

static void
result_locked(struct phx_ctl *ctl, time_t when, const char *status,
	      enum reload_outcome outcome)
{
	ctl->reload_time = when;
	snprintf(ctl->reload_status, sizeof(ctl->reload_status), "%s",
		 status);
	if (outcome == RELOAD_OK)
		ctl->reloads_ok++;
	else if (outcome == RELOAD_FAILED)
		ctl->reloads_failed++;
}

static void
result_set(struct phx_ctl *ctl, time_t when, const char *status,
	   enum reload_outcome outcome)
{
	pthread_mutex_lock(&ctl->cfg_lock);
	result_locked(ctl, when, status, outcome);
	pthread_mutex_unlock(&ctl->cfg_lock);
}

/*
 * A reload in two halves. prepare() loads path, checks that only
 * hot-reloadable sections differ from base (the running configuration)
 * and builds the new policy: the slow half (an rte_acl build of a
 * thousand rules takes a second), which SIGHUP and `phx reload` run on a
 * thread of their own so that the control lcore keeps sending heartbeats
 * (a second without them is a failover). commit() publishes the result
 * on the control lcore. A join: auto adoption runs both at once.
 */
struct phx_reload_prep {
	struct phx_cfg_errors errs;
	struct phx_config *cfg;      /* NULL: refused (status says why) */
	struct phx_policy *pol;
	uint64_t base_gen;           /* the generation it was built on */
	uint64_t prep_us;            /* prepare() took */
	uint8_t digest[32];          /* phx_config_digest of cfg ... */
	bool has_digest;             /* ... if it could be made */
	time_t when;
	char path[sizeof(((struct phx_config *)NULL)->path)];
	char status[sizeof(((struct phx_ctl *)NULL)->reload_status)];
};

/* Any thread: reads base and the dataplane's static state only. */
static void
prepare(struct phx_ctl *ctl, const struct phx_config *base,
	struct phx_reload_prep *p)
{
	uint64_t t0 = rte_get_timer_cycles();
	struct phx_config *cfg;
	const char *sect;
	char err[256];

	p->cfg = NULL;
	p->pol = NULL;
	p->when = time(NULL);
	p->base_gen = base->generation;
	p->has_digest = false;
	p->prep_us = 0;
	memset(&p->errs, 0, sizeof(p->errs));
	cfg = phx_config_load(p->path, &p->errs);
	if (cfg == NULL) {
		const struct phx_cfg_error *e = &p->errs.e[0];

		snprintf(p->status, sizeof(p->status),
			 "refused: %u error(s); %u:%u %s: %.200s",
			 p->errs.n + p->errs.dropped, e->line, e->col,
			 e->path[0] ? e->path : "(root)", e->msg);
		return;
	}
	sect = restart_needed(base, cfg);
	if (sect != NULL) {
		snprintf(p->status, sizeof(p->status),
			 "refused: section \"%s\" changed; it needs a restart",
			 sect);
		phx_config_free(cfg);
		return;
	}
	cfg->generation = base->generation + 1;
	p->pol = phx_dp_policy_build(ctl->dp, cfg, cfg->generation, err,
				     sizeof(err));
	if (p->pol == NULL) {
		snprintf(p->status, sizeof(p->status), "refused: %s", err);
		phx_config_free(cfg);
		return;
	}
	snprintf(p->status, sizeof(p->status), "ok: generation %" PRIu64
		 ", %u rules", cfg->generation, cfg->n_rules);
	/* (a canonical dump hashed: tens of ms for a large policy) */
	p->has_digest = phx_config_digest(cfg, p->digest) == 0;
	p->cfg = cfg;
	p->prep_us = (rte_get_timer_cycles() - t0) * 1000000 /
		     rte_get_timer_hz();
}

/*
 * Control lcore: publish what prepare() built, if the running
 * configuration is still the one it was built on. what names the change
 * in the log ("policy reload", "configuration adoption"). 0 or -1; the
 * result is in ctl->reload_status either way.
 *
 * ctl->cfg is read here without cfg_lock: the control lcore is its only
 * writer.
 */
static int
commit(struct phx_ctl *ctl, struct phx_reload_prep *p, const char *what)
{
	struct phx_config *cfg = p->cfg, *old = NULL;
	uint64_t t0 = rte_get_timer_cycles();

	if (cfg != NULL && ctl->cfg->generation != p->base_gen) {
		/* an adoption came in between: built on what no longer
		 * runs */
		snprintf(p->status, sizeof(p->status), "refused: the "
			 "configuration changed while this one was read "
			 "(generation %" PRIu64 " now): reload again",
			 ctl->cfg->generation);
		phx_dp_policy_free(p->pol);
		phx_config_free(cfg);
		p->cfg = cfg = NULL;
	}
	if (cfg == NULL) {
		result_set(ctl, p->when, p->status, RELOAD_FAILED);
		phx_cfg_errors_print(&p->errs, stderr);
		RTE_LOG(ERR, USER1, "phx.ctl: %s from %s: %s\n", what,
			p->path, p->status);
		return -1;
	}
	/* commit: the policy and the configuration that describes it in
	 * one step for telemetry (ctl_priv.h, cfg_lock). The publish does
	 * not wait (the old policy is freed after an RCU grace period, off
	 * this lcore). The old configuration is freed after: a reader holds
	 * the lock for as long as it uses one. */
	pthread_mutex_lock(&ctl->cfg_lock);
	phx_dp_policy_publish(ctl->dp, p->pol);
	if (ctl->cfg != ctl->boot_cfg)
		old = ctl->cfg;
	ctl->cfg = cfg;
	pthread_mutex_unlock(&ctl->cfg_lock);
	phx_config_free(old);
	p->cfg = NULL;
	p->pol = NULL;
	/* Heartbeats carry the new generation and digest (SPEC 4.5); the
	 * cluster's run-time settings take effect (CCP-22). Before the
	 * result: `phx reload` returns once it sees it. */
	phx_sync_config_changed(ctl, cfg);
	phx_ccp_config_changed(ctl, cfg, p->has_digest ? p->digest : NULL);
	result_set(ctl, p->when, p->status, RELOAD_OK);
	RTE_LOG(NOTICE, USER1, "phx.ctl: %s from %s: %s (read and built in "
		"%" PRIu64 " ms, published in %" PRIu64 " ms)\n", what,
		cfg->path, p->status, p->prep_us / 1000,
		(rte_get_timer_cycles() - t0) * 1000 / rte_get_timer_hz());
	return 0;
}

static int
load_and_apply(struct phx_ctl *ctl, const char *path, const char *what)
{
	static struct phx_reload_prep p;

	snprintf(p.path, sizeof(p.path), "%s", path);
	prepare(ctl, ctl->cfg, &p);
	return commit(ctl, &p, what);
}

int
phx_ctl_reload(struct phx_ctl *ctl)
{
	return load_and_apply(ctl, ctl->cfg->path, "policy reload");
}

/* ---- SIGHUP and `phx reload`: prepared on a thread of their own ---- */

struct phx_reload_job {
	pthread_t thr;
	bool running;                /* [C] thr was started, not joined */
	bool done;                   /* set by thr (atomic) when finished */
	bool again;                  /* [C] asked once more meanwhile */
	struct phx_ctl *ctl;
	const struct phx_config *base;
	struct phx_reload_prep p;
};

static void *
reload_thread(void *arg)
{
	struct phx_reload_job *j = arg;
	cpu_set_t all;
	long n = sysconf(_SC_NPROCESSORS_ONLN), c;

	/* Not on the control lcore's core only (it inherited that
	 * affinity), and yielding to it: run where there is room, never in
	 * the way of the heartbeats. (Linux: a thread's nice is its own.) */
	CPU_ZERO(&all);
	for (c = 0; c < n && c < CPU_SETSIZE; c++)
		CPU_SET((int)c, &all);
	(void)pthread_setaffinity_np(pthread_self(), sizeof(all), &all);
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
	prepare(j->ctl, j->base, &j->p);
	__atomic_store_n(&j->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Join the thread; its result is published (commit) or, with discard,
 * dropped. Control lcore. */
static void
reload_join(struct phx_ctl *ctl, bool discard)
{
	struct phx_reload_job *j = ctl->reload_job;

	if (j == NULL || !j->running)
		return;
	pthread_join(j->thr, NULL);
	j->running = false;
	if (discard) {
		phx_dp_policy_free(j->p.pol);
		phx_config_free(j->p.cfg);
		j->p.cfg = NULL;
		j->p.pol = NULL;
		return;
	}
	commit(ctl, &j->p, "policy reload");
}

void
phx_ctl_reload_start(struct phx_ctl *ctl)
{
	struct phx_reload_job *j = ctl->reload_job;
	int rc;

	if (j == NULL) {
		j = calloc(1, sizeof(*j));
		if (j == NULL) {
			phx_ctl_reload(ctl); /* inline, then */
			return;
		}
		ctl->reload_job = j;
	}
	if (j->running) {
		j->again = true;     /* the file may have changed since */
		return;
	}
	j->ctl = ctl;
	j->base = ctl->cfg;
	j->done = false;
	j->again = false;
	snprintf(j->p.path, sizeof(j->p.path), "%s", ctl->cfg->path);
	rc = pthread_create(&j->thr, NULL, reload_thread, j);
	if (rc != 0) {
		RTE_LOG(WARNING, USER1, "phx.ctl: no reload thread (%s): "
			"reloading on the control lcore\n", strerror(rc));
		phx_ctl_reload(ctl);
		return;
	}
	j->running = true;
}

void
phx_ctl_reload_poll(struct phx_ctl *ctl)
{
	struct phx_reload_job *j = ctl->reload_job;

	if (j == NULL || !j->running ||
	    !__atomic_load_n(&j->done, __ATOMIC_ACQUIRE))
		return;
	reload_join(ctl, false);
	if (j->again)
		phx_ctl_reload_start(ctl);
}

void
phx_ctl_reload_stop(struct phx_ctl *ctl)
{
	reload_join(ctl, true);
	free(ctl->reload_job);
	ctl->reload_job = NULL;
}

int
phx_ctl_adopt(struct phx_ctl *ctl, const char *text, size_t len,
	      const char *path)
{
	const struct phx_cfg_cluster *cc = &ctl->cfg->cluster;
	json_t *shared, *own = NULL, *cl, *v;
	char *dump = NULL;
	char keytext[sizeof(ctl->cfg->cluster.key_file) + 8];
	const char *k;
	unsigned i;
	int rc = -1;
	FILE *f;

	shared = json_loadb(text, len, 0, NULL);
	dump = phx_config_dump(ctl->cfg);
	own = dump != NULL ? json_loads(dump, 0, NULL) : NULL;
	if (!json_is_object(shared) || !json_is_object(own) ||
	    !json_is_object(json_object_get(shared, "cluster"))) {
		result_set(ctl, ctl->reload_time, "refused: the configuration "
			   "received is not a configuration object",
			   RELOAD_NOT_COUNTED);
		goto out;
	}
	/* Everything shared comes from the cluster; what is the member's
	 * own stays: its sections, its member id and its key (the sender
	 * never sends the key; the frames it came in were authenticated
	 * with ours, so it is the same). */
	json_object_foreach(shared, k, v)
		if (!phx_config_member_section(k))
			json_object_set(own, k, v);
	/* The dump writes every key, defaults included: nothing of ours
	 * lingers where the cluster's configuration has a value. */
	cl = json_object_get(own, "cluster");
	json_object_set_new(cl, "member", json_integer(cc->member));
	json_object_set_new(cl, "join", json_string(
		cc->join == PHX_JOIN_AUTO ? "auto" : "manual"));
	if (cc->key_file[0] != '\0') {
		snprintf(keytext, sizeof(keytext), "file:%s", cc->key_file);
	} else {
		snprintf(keytext, sizeof(keytext), "hex:");
		for (i = 0; i < PHX_CFG_KEY_LEN; i++)
			snprintf(keytext + 4 + 2 * i, 3, "%02x", cc->key[i]);
	}
	json_object_set_new(cl, "key", json_string(keytext));
	/* Saved where the operator can read it and restart from it; the
	 * key may be in it: owner only. */
	f = fopen(path, "w");
	if (f == NULL || fchmod(fileno(f), 0600) != 0 ||
	    json_dumpf(own, f, JSON_INDENT(2) | JSON_SORT_KEYS) != 0) {
		char status[sizeof(ctl->reload_status)];

		snprintf(status, sizeof(status), "refused: cannot write %s: %s",
			 path, strerror(errno));
		result_set(ctl, ctl->reload_time, status, RELOAD_NOT_COUNTED);
		if (f != NULL)
			fclose(f);
		goto out;
	}
	fclose(f);
	/* a reload being read meanwhile was read against what the adoption
	 * replaces: it goes (the operator's `phx reload` sees this result) */
	reload_join(ctl, true);
	rc = load_and_apply(ctl, path, "configuration adoption");
out:
	json_decref(shared);
	json_decref(own);
	free(dump);
	return rc;
}
