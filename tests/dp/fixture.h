/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dataplane test fixture: one EAL per binary (--no-huge), net_ring ports
 * named net_ring_t0.. whose RX/TX rings the test holds, the real dataplane
 * and control code on them. The test plays the wire (fx_inject /
 * fx_collect) and drives the control lcore's poll from the main lcore.
 */
#ifndef PHX_TEST_FIXTURE_H
#define PHX_TEST_FIXTURE_H

#include <stdint.h>

#include <check.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "control/ctl.h"
#include "dataplane/dp_api.h"
#include "lib/config.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

/* The standard lab's MACs (shared/LAB.md) and the client and server. */
extern const struct rte_ether_addr fx_mac_in0, fx_mac_out0;
extern const struct rte_ether_addr fx_mac_client, fx_mac_server;
extern const struct rte_ether_addr fx_bcast, fx_zero;
#define FX_CLIENT IP(10, 1, 0, 100)
#define FX_SERVER IP(10, 2, 0, 100)

extern struct rte_mempool *fx_pool;
extern struct phx_config *fx_cfg;
extern struct phx_dp *fx_dp;
extern struct phx_ctl *fx_ctl;

/* EAL, nports ring ports, config (JSON text), dataplane, control, start.
 * prefix: unique EAL file prefix. Exits the process on failure. */
void fx_setup(const char *prefix, const char *cfg_json, unsigned nports);
/* Same with nq RX/TX queues per port and an EAL --lcores map. */
void fx_setup_q(const char *prefix, const char *cfg_json, unsigned nports,
		unsigned nq, const char *lcores);
void fx_teardown(void);
/* Neighbours learnt the way the lab does it: the server answers an ARP
 * to member_out, the client asks for member_in. */
void fx_learn_hosts(uint32_t member_in, uint32_t member_out);
/* Run the suite without fork (one EAL per process), tear down, and return
 * the process exit status. */
int fx_run(Suite *s);
/* Fail set-up loudly outside Check's test context. */
void fx_die(const char *what) __attribute__((noreturn));

/* An IPv4 packet of the lab from the client side (through in0) or the
 * server side (through out0), 16 bytes of payload; ICMP is an echo
 * request. Addresses host order, ports as tests/dp/pkt_build takes them. */
struct rte_mbuf *fx_pkt(int from_server, uint32_t src, uint32_t dst,
			uint8_t proto, uint16_t sport, uint16_t dport,
			uint8_t flags, uint32_t seq, uint32_t ack);

void fx_inject(int port, struct rte_mbuf *m);
/* Frame arriving on RX queue q of port. */
void fx_inject_q(int port, unsigned q, struct rte_mbuf *m);
/* Up to want frames sent on port within ms, driving control meanwhile. */
unsigned fx_collect(int port, struct rte_mbuf **out, unsigned want,
		    unsigned ms);
/* Let the pipeline settle and discard whatever was sent. */
void fx_drain(void);
uint64_t fx_drops(enum phx_drop_reason r);
uint64_t fx_counter(enum phx_dp_counter c);

static inline struct rte_ipv4_hdr *
fx_ip(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
				       sizeof(struct rte_ether_hdr));
}

static inline struct rte_ether_hdr *
fx_eth(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
}

#endif
