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

#include "frame_build.h"

static const char *out_dir;
static unsigned n_written;

static void
put(const char *name, const uint8_t *b, uint32_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "wb");
	if (f == NULL || (len && fwrite(b, 1, len, f) != len) ||
	    fclose(f) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
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
static void tw_unreach(struct phx_fb_ipv4 *p) { p->icmp_type = 3; p->icmp_code = 4; }
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
	put("ok_icmp_unreach", buf, ipv4(1, 28, tw_unreach));
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

	printf("wrote %u seeds to %s\n", n_written, out_dir);
	return 0;
}
