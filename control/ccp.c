/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cluster Control Protocol runtime on the control lcore (work in
 * progress: frames are counted and freed until the runtime lands).
 */
#include <rte_mbuf.h>

#include "control/ctl_priv.h"

void
phx_ccp_input(struct phx_ctl *ctl, struct rte_mbuf *m, uint64_t now)
{
	(void)ctl;
	(void)now;
	rte_pktmbuf_free(m);
}
