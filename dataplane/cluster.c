/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * [C] The dataplane half of cluster membership, as the control lcore's
 * CCP runtime uses it (dp_api.h): the forwarding gate of a standby (SPEC
 * MODE-12, 1.2). The packet-path side is in worker.c: the CCP punt and
 * the gate read once per burst.
 */
#include <urcu-qsbr.h>

#include "dataplane/dp_priv.h"

void
phx_dp_cluster_init(struct phx_dp *dp)
{
	dp->cluster = dp->cfg->cluster.enabled;
	/* A cluster member starts as a standby: control lets it forward
	 * once the CCP state machine makes it active. */
	__atomic_store_n(&dp->fwd, dp->cluster ? 0u : 1u, __ATOMIC_RELEASE);
}

void
phx_dp_cluster_set_forwarding(struct phx_dp *dp, bool on)
{
	if (!dp->cluster)
		return;
	if (on == (__atomic_load_n(&dp->fwd, __ATOMIC_RELAXED) != 0))
		return;
	__atomic_store_n(&dp->fwd, on ? 1u : 0u, __ATOMIC_RELEASE);
	/* Stopping: a worker may be in a burst that read "forwarding";
	 * once each has passed a quiescent state (or sleeps, offline),
	 * none forwards any more, so control may confirm a hand-over. */
	if (!on && dp->started)
		synchronize_rcu();
}

bool
phx_dp_cluster_forwarding(const struct phx_dp *dp)
{
	return __atomic_load_n(&dp->fwd, __ATOMIC_ACQUIRE) != 0;
}
