/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for lib/pkt_parse (STYLE 3.9; FRR fuzzing.rst: fuzz at
 * the decoder's entry point). Each input is one Ethernet frame, parsed
 * twice: without flags and with PHX_PARSE_F_L3_CSUM_OK.
 *
 * Besides what ASan/UBSan catch (any read outside the input, which
 * libFuzzer hands us in an exact-size heap block), it checks the parser's
 * contract on every accepted frame: offsets and lengths inside the frame,
 * the meta consistent with the bytes it was taken from (TCP flags, fields
 * and window scale re-derived by a second option walk; the ICMP error
 * quote), and a reason that belongs to the parser. Checks use abort(), not assert(), because the
 * default release build defines NDEBUG.
 *
 * Built twice by tests/fuzz/meson.build: as a libFuzzer binary (clang,
 * -Dfuzz=enabled), and with LLVMFuzzerTestOneInput renamed for
 * phx_fuzz_replay, which runs the corpus as a plain test.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/flow_key.h"
#include "lib/inet.h"
#include "lib/pkt_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", \
				__FILE__, __LINE__, #cond);             \
			abort();                                        \
		}                                                       \
	} while (0)

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

/* The TCP flag rule, restated: at most one of SYN/FIN/RST; without ACK
 * only a bare SYN or RST; no URG with SYN or RST; ECE/CWR ignored. */
static int
tcp_flags_ok(uint8_t b)
{
	int n = !!(b & 0x01) + !!(b & 0x02) + !!(b & 0x04);

	if (n > 1)
		return 0;
	if (!(b & 0x10))
		return (b & 0x3f) == 0x02 || (b & 0x3f) == 0x04;
	return !((b & 0x20) && (b & 0x06));
}

/* Window scale option of a SYN's option bytes (-1 none), or -2 when the
 * list is malformed; a second, differently written walk. */
static int
tcp_wscale_ref(const uint8_t *o, uint32_t n)
{
	int ws = -1;
	uint32_t i;

	for (i = 0; i < n && o[i] != 0;) {
		if (o[i] == 1) {
			i += 1;
		} else if (i + 1 >= n || o[i + 1] < 2 || i + o[i + 1] > n) {
			return -2;
		} else {
			if (o[i] == 3 && o[i + 1] == 3)
				ws = o[i + 2] < 14 ? o[i + 2] : 14;
			i += o[i + 1];
		}
	}
	return ws;
}

/* The ICMP error quote contract. */
static void
check_quote(const uint8_t *l4, const struct phx_pkt_meta *m)
{
	const uint8_t *q = l4 + 8, *ql4;
	uint32_t qhl;

	FUZZ_CHECK(m->flags & PHX_PKT_F_ICMP_ERR);
	FUZZ_CHECK(m->q_off == m->l4_off + 8);
	FUZZ_CHECK((q[0] >> 4) == 4 && (q[0] & 0x0f) >= 5);
	qhl = (uint32_t)(q[0] & 0x0f) * 4;
	FUZZ_CHECK(8 + qhl + 8 <= m->l4_len);
	FUZZ_CHECK(m->q_proto == q[9]);
	FUZZ_CHECK(memcmp(&m->q_src_ip, q + 12, 4) == 0);
	FUZZ_CHECK(memcmp(&m->q_dst_ip, q + 16, 4) == 0);
	ql4 = q + qhl;
	if (be16(q + 6) & 0x1fff) {
		FUZZ_CHECK(m->q_sport == 0 && m->q_dport == 0);
	} else if (q[9] == PHX_IPPROTO_TCP || q[9] == PHX_IPPROTO_UDP) {
		FUZZ_CHECK(memcmp(&m->q_sport, ql4, 2) == 0);
		FUZZ_CHECK(memcmp(&m->q_dport, ql4 + 2, 2) == 0);
	} else if (q[9] == PHX_IPPROTO_ICMP && phx_icmp_is_query(ql4[0])) {
		FUZZ_CHECK(memcmp(&m->q_sport, ql4 + 4, 2) == 0);
		FUZZ_CHECK(m->q_dport == m->q_sport);
	} else {
		FUZZ_CHECK(m->q_sport == 0 && m->q_dport == 0);
	}
}

static int
icmp_is_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 ||
		type == 12;
}

/* The contract of an accepted frame, re-derived from the bytes. */
static void
check_accepted(const uint8_t *f, uint32_t len, unsigned flags,
	       const struct phx_pkt_meta *m)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t l2 = (f[0] & 1) ?
		(memcmp(f, bcast, 6) == 0 ? PHX_PKT_F_L2_BCAST :
		 PHX_PKT_F_L2_MCAST) : 0;
	const uint8_t *ip, *l4;

	FUZZ_CHECK(len >= PHX_ETHER_HDR_LEN);
	FUZZ_CHECK(m->l3_off == PHX_ETHER_HDR_LEN);
	FUZZ_CHECK((m->flags & (PHX_PKT_F_L2_BCAST | PHX_PKT_F_L2_MCAST)) == l2);

	if (m->kind == PHX_PKT_ARP) {
		FUZZ_CHECK(be16(f + 12) == PHX_ETHER_TYPE_ARP);
		FUZZ_CHECK(len >= PHX_ETHER_HDR_LEN + PHX_ARP_LEN);
		FUZZ_CHECK(m->l3_len == PHX_ARP_LEN);
		FUZZ_CHECK(m->arp_op == 1 || m->arp_op == 2);
		FUZZ_CHECK(m->flags == l2);
		FUZZ_CHECK(memcmp(&m->src_ip, f + 28, 4) == 0);
		FUZZ_CHECK(memcmp(&m->dst_ip, f + 38, 4) == 0);
		FUZZ_CHECK(m->l4_off == 0 && m->l4_len == 0 && m->proto == 0);
		FUZZ_CHECK(m->sport == 0 && m->dport == 0);
		FUZZ_CHECK(m->l4_hlen == 0 && m->tcp_wscale == 0);
		return;
	}

	FUZZ_CHECK(m->kind == PHX_PKT_IPV4);
	FUZZ_CHECK(be16(f + 12) == PHX_ETHER_TYPE_IPV4);
	FUZZ_CHECK(m->l4_off == m->l3_off + PHX_IPV4_HDR_LEN);
	FUZZ_CHECK(m->l3_len >= PHX_IPV4_HDR_LEN);
	FUZZ_CHECK(m->l3_len <= len - PHX_ETHER_HDR_LEN);
	FUZZ_CHECK(m->l4_len == m->l3_len - PHX_IPV4_HDR_LEN);
	FUZZ_CHECK((uint32_t)m->l4_off + m->l4_len <= len);
	FUZZ_CHECK(m->arp_op == 0);

	ip = f + m->l3_off;
	l4 = f + m->l4_off;
	FUZZ_CHECK(ip[0] == 0x45);
	FUZZ_CHECK(be16(ip + 2) == m->l3_len);
	FUZZ_CHECK((be16(ip + 6) & 0x3fff) == 0);
	FUZZ_CHECK(((m->flags & PHX_PKT_F_IPV4_DF) != 0) == ((ip[6] & 0x40) != 0));
	FUZZ_CHECK(m->proto == ip[9] && m->ttl == ip[8]);
	FUZZ_CHECK(memcmp(&m->src_ip, ip + 12, 4) == 0);
	FUZZ_CHECK(memcmp(&m->dst_ip, ip + 16, 4) == 0);
	FUZZ_CHECK(ip[12] != 0 && ip[12] != 127 && ip[12] < 224);
	FUZZ_CHECK(ip[16] != 0 && ip[16] != 127 && ip[16] < 224);
	if (!(flags & PHX_PARSE_F_L3_CSUM_OK))
		FUZZ_CHECK(phx_csum_raw(ip, PHX_IPV4_HDR_LEN) == 0xffff);

	if (!(m->proto == PHX_IPPROTO_ICMP && icmp_is_error(l4[0]))) {
		FUZZ_CHECK(!(m->flags & PHX_PKT_F_ICMP_ERR));
		FUZZ_CHECK(m->q_off == 0 && m->q_proto == 0);
		FUZZ_CHECK(m->q_src_ip == 0 && m->q_dst_ip == 0);
		FUZZ_CHECK(m->q_sport == 0 && m->q_dport == 0);
	}
	if (m->proto != PHX_IPPROTO_TCP) {
		FUZZ_CHECK(m->tcp_seq == 0 && m->tcp_ack == 0);
		FUZZ_CHECK(m->tcp_win == 0 && m->tcp_wscale == 0);
	}

	switch (m->proto) {
	case PHX_IPPROTO_TCP:
		FUZZ_CHECK(m->l4_len >= PHX_TCP_HDR_LEN);
		FUZZ_CHECK((l4[12] >> 4) >= 5);
		FUZZ_CHECK((uint32_t)(l4[12] >> 4) * 4 <= m->l4_len);
		FUZZ_CHECK(m->l4_hlen == (l4[12] >> 4) * 4);
		FUZZ_CHECK(memcmp(&m->sport, l4, 2) == 0);
		FUZZ_CHECK(memcmp(&m->dport, l4 + 2, 2) == 0);
		FUZZ_CHECK(m->tcp_flags == l4[13]);
		FUZZ_CHECK(tcp_flags_ok(l4[13]));
		FUZZ_CHECK(m->tcp_seq == be32(l4 + 4));
		FUZZ_CHECK(m->tcp_ack == be32(l4 + 8));
		FUZZ_CHECK(m->tcp_win == be16(l4 + 14));
		if (l4[13] & 0x02)
			FUZZ_CHECK(m->tcp_wscale ==
				   tcp_wscale_ref(l4 + 20, m->l4_hlen - 20u));
		else
			FUZZ_CHECK(m->tcp_wscale == -1);
		break;
	case PHX_IPPROTO_UDP:
		FUZZ_CHECK(m->l4_len >= PHX_UDP_HDR_LEN);
		FUZZ_CHECK(be16(l4 + 4) == m->l4_len);
		FUZZ_CHECK(memcmp(&m->sport, l4, 2) == 0);
		FUZZ_CHECK(memcmp(&m->dport, l4 + 2, 2) == 0);
		FUZZ_CHECK(m->l4_hlen == 8);
		break;
	case PHX_IPPROTO_ICMP:
		FUZZ_CHECK(m->l4_len >= PHX_ICMP_HDR_LEN);
		FUZZ_CHECK(m->icmp_type == l4[0] && m->icmp_code == l4[1]);
		FUZZ_CHECK(m->l4_hlen == 8);
		if (l4[0] == 0 || l4[0] == 8 || (l4[0] >= 13 && l4[0] <= 18))
			FUZZ_CHECK(memcmp(&m->sport, l4 + 4, 2) == 0);
		else
			FUZZ_CHECK(m->sport == 0);
		FUZZ_CHECK(m->dport == 0);
		if (icmp_is_error(l4[0]))
			check_quote(l4, m);
		break;
	default:
		FUZZ_CHECK(m->sport == 0 && m->dport == 0);
		FUZZ_CHECK(m->l4_hlen == 0);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct phx_pkt_meta m;
	enum phx_drop_reason r_plain, r_ok;
	uint32_t len;

	if (size > UINT32_MAX)
		return 0;
	len = (uint32_t)size;

	r_plain = phx_pkt_parse(data, len, 0, &m);
	FUZZ_CHECK(r_plain == PHX_DROP_NONE ||
		   (r_plain >= PHX_DROP_L2_TRUNCATED &&
		    r_plain <= PHX_PKT_PARSE_DROP_LAST));
	if (r_plain == PHX_DROP_NONE)
		check_accepted(data, len, 0, &m);

	/* Trusting the NIC's checksum may only turn IPV4_BAD_CSUM into
	 * some later verdict; every other verdict must be unchanged. */
	r_ok = phx_pkt_parse(data, len, PHX_PARSE_F_L3_CSUM_OK, &m);
	if (r_plain == PHX_DROP_IPV4_BAD_CSUM)
		FUZZ_CHECK(r_ok == PHX_DROP_NONE ||
			   (r_ok > PHX_DROP_IPV4_BAD_CSUM &&
			    r_ok <= PHX_PKT_PARSE_DROP_LAST));
	else
		FUZZ_CHECK(r_ok == r_plain);
	if (r_ok == PHX_DROP_NONE)
		check_accepted(data, len, PHX_PARSE_F_L3_CSUM_OK, &m);
	return 0;
}
