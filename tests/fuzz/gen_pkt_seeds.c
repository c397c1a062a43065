/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the pkt_parse seed corpus: one frame per accepted kind and one per
 * parser drop reason, so libFuzzer starts with every branch of the parser
 * reachable by a small mutation, and the replay test pins each verdict's
 * path in CI. Built from tests/unit/frame_build.c so the seeds are valid
 * frames with correct checksums, broken in one named way each.
 *
 * Run once, commit the output (ninja -C build gen_pkt_seeds, then
 * build/tests/fuzz/gen_pkt_seeds tests/fuzz/corpus/pkt_parse); the file
 * names say what each seed is, so keep them readable when adding more.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/seed_write.h"
#include "frame_build.h"

static const char *out_dir;
static unsigned n_written;

static void
put(const char *name, const uint8_t *b, uint32_t len)
{
	seed_write(out_dir, name, b, len);
	n_written++;
}

static uint8_t buf[PHX_FB_MAX_FRAME];

static uint32_t
ipv4(uint8_t proto, uint32_t payload, void (*tweak)(struct phx_fb_ipv4 *))
{
	struct phx_fb_ipv4 p;
	uint32_t len;

	phx_fb_ipv4_init(&p, proto);
	p.payload_len = payload;
	if (tweak)
		tweak(&p);
	len = phx_fb_ipv4_build(&p, buf, sizeof(buf));
	if (len == 0) {
		fprintf(stderr, "frame does not build\n");
		exit(1);
	}
	return len;
}

static void tw_opts(struct phx_fb_ipv4 *p)  { p->tcp_doff = 10; p->tcp_flags = 0x18; }
static void tw_pad(struct phx_fb_ipv4 *p)   { p->pad_to = 60; }
static void tw_reply(struct phx_fb_ipv4 *p) { p->icmp_type = 0; }
static void tw_tstamp(struct phx_fb_ipv4 *p) { p->icmp_type = 13; }
static void tw_syn_opts(struct phx_fb_ipv4 *p) { p->tcp_doff = 10; }
static void tw_synack_opts(struct phx_fb_ipv4 *p) { p->tcp_doff = 8; p->tcp_flags = 0x12; }
static void tw_rst(struct phx_fb_ipv4 *p)   { p->tcp_flags = 0x04; }
static void tw_finack(struct phx_fb_ipv4 *p) { p->tcp_flags = 0x11; }
static void tw_mcast(struct phx_fb_ipv4 *p)
{
	static const uint8_t m[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };

	memcpy(p->dst_mac, m, 6);
}
static void tw_bcast(struct phx_fb_ipv4 *p) { memset(p->dst_mac, 0xff, 6); }
static void tw_ipopt(struct phx_fb_ipv4 *p) { p->ihl = 6; }
static void tw_mf(struct phx_fb_ipv4 *p)    { p->frag = 0x2000; }
static void tw_off(struct phx_fb_ipv4 *p)   { p->frag = 0x00b9; }
static void tw_msrc(struct phx_fb_ipv4 *p)  { p->src_ip = 0x7f000001; }
static void tw_mdst(struct phx_fb_ipv4 *p)  { p->dst_ip = 0xffffffff; }

/* TCP checksum of an Ethernet/IPv4 (IHL 5) TCP frame, after its header
 * bytes were edited, so seeds stay valid apart from their one fault. */
static void
fix_tcp_csum(uint8_t *f)
{
	uint8_t *ip = f + 14, *l4 = ip + 20;
	uint32_t l4_len = ((uint32_t)ip[2] << 8 | ip[3]) - 20;
	uint8_t pseudo[12 + PHX_FB_MAX_FRAME];

	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	phx_fb_put16(pseudo + 10, (uint16_t)l4_len);
	l4[16] = l4[17] = 0;
	memcpy(pseudo + 12, l4, l4_len);
	phx_fb_put16(l4 + 16, (uint16_t)~phx_fb_ref_csum(pseudo, 12 + l4_len));
}

/* A SYN (flags) whose n option bytes are opt; returns the length. */
static uint32_t
tcp_opts(uint8_t flags, const uint8_t *opt, uint32_t n)
{
	struct phx_fb_ipv4 p;
	uint32_t len;

	phx_fb_ipv4_init(&p, 6);
	p.tcp_flags = flags;
	p.tcp_doff = (uint8_t)(5 + n / 4);
	len = phx_fb_ipv4_build(&p, buf, sizeof(buf));
	memcpy(buf + 34 + 20, opt, n);
	fix_tcp_csum(buf);
	return len;
}

/* ICMP checksum of an Ethernet/IPv4 (IHL 5) ICMP frame after an edit. */
static void
fix_icmp_csum(uint8_t *f)
{
	uint8_t *l4 = f + 34;
	uint32_t l4_len = ((uint32_t)f[16] << 8 | f[17]) - 20;

	l4[2] = l4[3] = 0;
	phx_fb_put16(l4 + 2, (uint16_t)~phx_fb_ref_csum(l4, l4_len));
}

/*
 * ICMP error type/code whose payload is the first qlen bytes of a packet
 * of protocol proto from 10.0.1.2 back to 10.0.0.1 (the reply direction
 * of the default frames). Returns the frame length.
 */
static uint32_t
icmp_err(uint8_t type, uint8_t code, uint8_t proto, uint8_t qtype,
	 uint32_t qlen)
{
	static uint8_t ib[PHX_FB_MAX_FRAME];
	struct phx_fb_ipv4 p, in;
	uint32_t len, ilen;
	uint8_t *l4 = buf + 34;

	phx_fb_ipv4_init(&in, proto);
	in.src_ip = 0x0a000102;
	in.dst_ip = 0x0a000001;
	in.sport = 80;
	in.dport = 40000;
	in.tcp_flags = 0x12;
	in.icmp_type = qtype;
	in.payload_len = 64;
	ilen = phx_fb_ipv4_build(&in, ib, sizeof(ib));
	phx_fb_ipv4_init(&p, 1);
	p.src_ip = 0x0a090909;
	p.dst_ip = 0x0a000102;
	p.icmp_type = type;
	p.icmp_code = code;
	p.icmp_id = 0;
	p.icmp_seq = 0;
	p.payload_len = qlen;
	len = phx_fb_ipv4_build(&p, buf, sizeof(buf));
	if (len == 0 || ilen < 14 + qlen) {
		fprintf(stderr, "icmp error does not build\n");
		exit(1);
	}
	memcpy(l4 + 8, ib + 14, qlen);
	fix_icmp_csum(buf);
	return len;
}

int
main(int argc, char **argv)
{
	static const uint8_t a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
	static const uint8_t b[6] = { 0x02, 0, 0, 0, 0, 0x0b };
	uint32_t len;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_pkt_seeds <out-dir>\n");
		return 2;
	}
	out_dir = argv[1];

	/* accepted */
	len = phx_fb_arp_build(buf, 1, a, 0x0a000001, b, 0x0a000002);
	put("ok_arp_request", buf, len);
	memset(buf + len, 0, 18);
	put("ok_arp_request_padded", buf, 60);
	len = phx_fb_arp_build(buf, 2, a, 0x0a000001, b, 0x0a000002);
	put("ok_arp_reply", buf, len);
	put("ok_tcp_syn", buf, ipv4(6, 0, NULL));
	put("ok_tcp_options_payload", buf, ipv4(6, 64, tw_opts));
	put("ok_tcp_padded", buf, ipv4(6, 0, tw_pad));
	put("ok_udp", buf, ipv4(17, 32, NULL));
	put("ok_udp_padded", buf, ipv4(17, 2, tw_pad));
	put("ok_udp_l2_mcast", buf, ipv4(17, 16, tw_mcast));
	put("ok_udp_l2_bcast", buf, ipv4(17, 16, tw_bcast));
	put("ok_icmp_echo_request", buf, ipv4(1, 56, NULL));
	put("ok_icmp_echo_reply", buf, ipv4(1, 56, tw_reply));
	put("ok_icmp_unreach", buf, icmp_err(3, 4, 6, 0, 28));
	put("ok_icmp_timestamp", buf, ipv4(1, 12, tw_tstamp));
	put("ok_icmp_err_tcp_quote", buf, icmp_err(11, 0, 6, 0, 48));
	put("ok_icmp_err_udp_quote", buf, icmp_err(3, 3, 17, 0, 28));
	put("ok_icmp_err_echo_quote", buf, icmp_err(3, 1, 1, 8, 28));
	put("ok_icmp_err_param_problem", buf, icmp_err(12, 0, 17, 0, 92));
	len = icmp_err(3, 4, 17, 0, 28);
	phx_fb_put16(buf + 42 + 6, 0x00b9);    /* quoted later fragment */
	fix_icmp_csum(buf);
	put("ok_icmp_err_fragment_quote", buf, len);
	put("ok_tcp_syn_options", buf, ipv4(6, 0, tw_syn_opts));
	put("ok_tcp_synack_options", buf, ipv4(6, 0, tw_synack_opts));
	put("ok_tcp_rst_bare", buf, ipv4(6, 0, tw_rst));
	put("ok_tcp_fin_ack", buf, ipv4(6, 10, tw_finack));
	{
		/* Linux SYN: MSS, SACK permitted, timestamps, NOP, wscale 7 */
		static const uint8_t o[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10,
					       0, 0, 0, 1, 0, 0, 0, 0, 1, 3,
					       3, 7 };

		put("ok_tcp_syn_wscale", buf, tcp_opts(0x02, o, 20));
	}
	{
		static const uint8_t o[8] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 14 };

		put("ok_tcp_synack_wscale", buf, tcp_opts(0x12, o, 8));
	}
	put("ok_gre", buf, ipv4(47, 24, NULL));

	/* one per drop reason */
	put("drop_empty", buf, 0);
	put("drop_l2_truncated", buf, ipv4(6, 0, NULL) - 41);
	len = ipv4(6, 0, NULL);
	phx_fb_put16(buf + 12, 0x8100);
	put("drop_vlan_8100", buf, len);
	phx_fb_put16(buf + 12, 0x88a8);
	put("drop_vlan_88a8", buf, len);
	phx_fb_put16(buf + 12, 0x9100);
	put("drop_vlan_9100", buf, len);
	phx_fb_put16(buf + 12, 0x88cc);
	put("drop_ethertype_lldp", buf, len);
	/* minimal IPv6/UDP: version 6, payload 8, next header 17, hop 64 */
	memset(buf + 14, 0, 48);
	phx_fb_put16(buf + 12, 0x86dd);
	buf[14] = 0x60;
	phx_fb_put16(buf + 18, 8);
	buf[20] = 17;
	buf[21] = 64;
	buf[14 + 8 + 15] = 1;           /* ::1 -> ::2 */
	buf[14 + 24 + 15] = 2;
	phx_fb_put16(buf + 54 + 4, 8);
	put("drop_ipv6", buf, 62);

	len = phx_fb_arp_build(buf, 1, a, 0x0a000001, b, 0x0a000002);
	put("drop_arp_truncated", buf, len - 1);
	phx_fb_put16(buf + 20, 3);
	put("drop_arp_bad_op", buf, len);
	len = phx_fb_arp_build(buf, 1, a, 0x0a000001, b, 0x0a000002);
	phx_fb_put16(buf + 16, 0x86dd);
	put("drop_arp_bad_ptype", buf, len);

	put("drop_ipv4_truncated", buf, ipv4(6, 0, NULL) - 30);
	len = ipv4(6, 0, NULL);
	buf[14] = 0x4f;                 /* IHL 15, only 40 bytes follow */
	phx_fb_ipv4_fix_csum(buf);
	put("drop_ipv4_truncated_ihl", buf, len);
	len = ipv4(6, 0, NULL);
	buf[14] = 0x65;
	phx_fb_ipv4_fix_csum(buf);
	put("drop_ipv4_bad_version", buf, len);
	len = ipv4(6, 0, NULL);
	buf[14] = 0x44;
	put("drop_ipv4_bad_ihl", buf, len);
	len = ipv4(6, 0, NULL);
	phx_fb_ipv4_set_tot_len(buf, 41);
	put("drop_ipv4_bad_len", buf, len);
	put("drop_ipv4_bad_len_cut_in_tcp", buf, ipv4(6, 0, NULL) - 10);
	len = ipv4(6, 0, NULL);
	buf[14 + 8]--;                  /* TTL changed, checksum not */
	put("drop_ipv4_bad_csum", buf, len);
	put("drop_ipv4_options", buf, ipv4(6, 0, tw_ipopt));
	put("drop_ipv4_fragment_mf", buf, ipv4(17, 8, tw_mf));
	put("drop_ipv4_fragment_off", buf, ipv4(17, 8, tw_off));
	put("drop_ipv4_martian_src", buf, ipv4(17, 8, tw_msrc));
	put("drop_ipv4_martian_dst", buf, ipv4(17, 8, tw_mdst));

	len = ipv4(6, 0, NULL);
	phx_fb_ipv4_set_tot_len(buf, 20 + 19);
	put("drop_l4_truncated_tcp", buf, len - 1);
	len = ipv4(17, 0, NULL);
	phx_fb_ipv4_set_tot_len(buf, 20 + 7);
	put("drop_l4_truncated_udp", buf, len - 1);
	len = ipv4(1, 0, NULL);
	phx_fb_ipv4_set_tot_len(buf, 20 + 7);
	put("drop_l4_truncated_icmp", buf, len - 1);
	len = ipv4(6, 0, NULL);
	buf[34 + 12] = 0x60;            /* doff 6 in a 20-byte segment */
	put("drop_tcp_bad_doff", buf, len);
	len = ipv4(17, 8, NULL);
	phx_fb_put16(buf + 34 + 4, 9);
	put("drop_udp_bad_len", buf, len);

	len = ipv4(6, 0, NULL);
	buf[34 + 13] = 0x00;
	fix_tcp_csum(buf);
	put("drop_tcp_bad_flags_null", buf, len);
	buf[34 + 13] = 0x03;
	fix_tcp_csum(buf);
	put("drop_tcp_bad_flags_syn_fin", buf, len);
	buf[34 + 13] = 0x29;
	fix_tcp_csum(buf);
	put("drop_tcp_bad_flags_xmas", buf, len);
	{
		static const uint8_t o0[4] = { 2, 0, 0, 0 };
		static const uint8_t o1[8] = { 1, 1, 1, 1, 3, 3, 7, 8 };

		put("drop_tcp_bad_options_len0", buf, tcp_opts(0x02, o0, 4));
		put("drop_tcp_bad_options_past", buf, tcp_opts(0x12, o1, 8));
	}
	put("drop_icmp_bad_quote_empty", buf, icmp_err(3, 1, 6, 0, 0));
	put("drop_icmp_bad_quote_short", buf, icmp_err(11, 0, 17, 0, 27));
	len = icmp_err(3, 3, 17, 0, 28);
	buf[42] = 0x46;                 /* quoted IHL 6: 32 bytes needed */
	fix_icmp_csum(buf);
	put("drop_icmp_bad_quote_ihl", buf, len);
	buf[42] = 0x65;
	fix_icmp_csum(buf);
	put("drop_icmp_bad_quote_version", buf, len);

	printf("wrote %u seeds to %s\n", n_written, out_dir);
	return 0;
}
