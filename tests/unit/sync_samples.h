/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A sample synced session shared by the sync codec's unit tests
 * (check_sync_codec.c), the fuzz seed generator (tests/fuzz/
 * gen_sync_seeds.c) and the pcap writer for the tshark test
 * (ccp_pcap.c), so that all of them agree on one set of values.
 *
 * Header-only (static inline) so each user links nothing extra.
 */
#ifndef PHX_TESTS_SYNC_SAMPLES_H
#define PHX_TESTS_SYNC_SAMPLES_H

#include <arpa/inet.h>
#include <stdbool.h>

#include "lib/sync_codec.h"
#include "lib/timeouts.h"

/* tcp 10.1.0.100:40000 > 10.2.0.100:80, source-NATed to
 * 192.0.2.1:61000, established, owner 2; with window: both directions
 * tracked. type is SESS_NEW, SESS_UPD or SESS_FULL. */
static inline struct phx_sync_rec
phx_sync_sample_sess(uint8_t type, bool window)
{
	struct phx_sync_rec r = { .type = type };
	struct phx_sync_sess *s = &r.u.sess;

	s->key = (struct phx_flow_key){
		.src_ip = htonl(0x0a010064),    /* 10.1.0.100 */
		.dst_ip = htonl(0x0a020064),    /* 10.2.0.100 */
		.sport = htons(40000),
		.dport = htons(80),
		.proto = 6,
	};
	s->nat_ip = htonl(0xc0000201);          /* 192.0.2.1 */
	s->nat_port = htons(61000);
	s->rule = 513;
	s->gen = 0x01020304;
	s->remaining_ms = 3599000;
	s->state = PHX_TCP_ESTABLISHED;
	s->sflags = PHX_SYNC_SF_SNAT | PHX_SYNC_SF_REPLIED;
	s->tmo_class = PHX_TMO_TCP_ESTABLISHED;
	s->in_port = 3;
	s->owner = 2;
	if (window) {
		s->sflags |= PHX_SYNC_SF_WINDOW;
		s->win.end[0] = 0x11111111;
		s->win.end[1] = 0xfffffff0;
		s->win.maxend[0] = 0x22222222;
		s->win.maxend[1] = 0x33333333;
		s->win.maxwin[0] = 65535;
		s->win.maxwin[1] = 1024;
		s->win.wscale[0] = 7;
		s->win.wscale[1] = 0xf;
		s->win.flags = PHX_TCPW_F_PICKUP;
	}
	return r;
}

#endif /* PHX_TESTS_SYNC_SAMPLES_H */
