/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame builder for tests (see frame_build.h). Deliberately naive: byte
 * stores and a byte-wise reference checksum, so a bug in lib/inet.c cannot
 * hide behind the same bug here.
 */
#include "frame_build.h"

#include <string.h>

#define ETH_LEN  14
#define IP_MIN   20

void
phx_fb_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void
phx_fb_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Unfolded sum of big-endian 16-bit words; odd byte is a high byte. */
static uint32_t
ref_sum(const uint8_t *p, uint32_t len, uint32_t sum)
{
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t
phx_fb_ref_csum(const uint8_t *p, uint32_t len)
{
	return ref_fold(ref_sum(p, len, 0));
}

void
phx_fb_ipv4_fix_csum(uint8_t *frame)
{
	uint8_t *ip = frame + ETH_LEN;
	uint32_t hlen = (uint32_t)(ip[0] & 0x0f) * 4;

	ip[10] = 0;
	ip[11] = 0;
	phx_fb_put16(ip + 10, (uint16_t)~phx_fb_ref_csum(ip, hlen));
}

void
phx_fb_ipv4_set_tot_len(uint8_t *frame, uint16_t tot_len)
{
	phx_fb_put16(frame + ETH_LEN + 2, tot_len);
	phx_fb_ipv4_fix_csum(frame);
}

void
phx_fb_ipv4_init(struct phx_fb_ipv4 *p, uint8_t proto)
{
	static const uint8_t dmac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t smac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

	*p = (struct phx_fb_ipv4){
		.src_ip = 0x0a000001,     /* 10.0.0.1 */
		.dst_ip = 0x0a000102,     /* 10.0.1.2 */
		.proto = proto,
		.ttl = 64,
		.ihl = 5,
		.id = 0x1234,
		.frag = 0x4000,           /* DF */
		.sport = 40000,
		.dport = 80,
		.tcp_flags = 0x02,        /* SYN */
		.tcp_doff = 5,
		.tcp_seq = 0x01020304,
		.icmp_type = 8,           /* echo request */
		.icmp_id = 0x4242,
		.icmp_seq = 1,
	};
	memcpy(p->dst_mac, dmac, 6);
	memcpy(p->src_mac, smac, 6);
}

/* L4 header length for p, or 0 for protocols without one here. */
static uint32_t
l4_hdr_len(const struct phx_fb_ipv4 *p)
{
	switch (p->proto) {
	case 6:
		return (uint32_t)p->tcp_doff * 4;
	case 17:
	case 1:
		return 8;
	default:
		return 0;
	}
}

uint32_t
phx_fb_ipv4_build(const struct phx_fb_ipv4 *p, uint8_t *buf, uint32_t cap)
{
	uint32_t hlen = (uint32_t)p->ihl * 4;
	uint32_t l4h = l4_hdr_len(p);
	uint32_t l4_len = l4h + p->payload_len;
	uint32_t tot = hlen + l4_len;
	uint32_t flen = ETH_LEN + tot;
	uint8_t *ip = buf + ETH_LEN;
	uint8_t *l4 = ip + hlen;
	uint8_t pseudo[12];
	uint32_t i, sum;

	if (hlen < IP_MIN || tot > 0xffff || flen > cap ||
	    (p->pad_to > flen && p->pad_to > cap) ||
	    (p->proto == 6 && l4h < 20))
		return 0;
	memset(buf, 0, flen);

	memcpy(buf, p->dst_mac, 6);
	memcpy(buf + 6, p->src_mac, 6);
	phx_fb_put16(buf + 12, 0x0800);

	ip[0] = (uint8_t)(0x40 | p->ihl);
	ip[1] = p->tos;
	phx_fb_put16(ip + 2, (uint16_t)tot);
	phx_fb_put16(ip + 4, p->id);
	phx_fb_put16(ip + 6, p->frag);
	ip[8] = p->ttl;
	ip[9] = p->proto;
	phx_fb_put32(ip + 12, p->src_ip);
	phx_fb_put32(ip + 16, p->dst_ip);
	for (i = IP_MIN; i < hlen; i++)
		ip[i] = 1;                      /* NOP options */

	for (i = 0; i < p->payload_len; i++)
		l4[l4h + i] = (uint8_t)i;

	switch (p->proto) {
	case 6:
		phx_fb_put16(l4, p->sport);
		phx_fb_put16(l4 + 2, p->dport);
		phx_fb_put32(l4 + 4, p->tcp_seq);
		phx_fb_put32(l4 + 8, p->tcp_ack);
		l4[12] = (uint8_t)(p->tcp_doff << 4);
		l4[13] = p->tcp_flags;
		phx_fb_put16(l4 + 14, 65535);   /* window */
		for (i = 20; i < l4h; i++)
			l4[i] = 1;              /* NOP options */
		break;
	case 17:
		phx_fb_put16(l4, p->sport);
		phx_fb_put16(l4 + 2, p->dport);
		phx_fb_put16(l4 + 4, (uint16_t)l4_len);
		break;
	case 1:
		l4[0] = p->icmp_type;
		l4[1] = p->icmp_code;
		phx_fb_put16(l4 + 4, p->icmp_id);
		phx_fb_put16(l4 + 6, p->icmp_seq);
		break;
	default:
		break;
	}

	/* L4 checksums: RFC 793 / RFC 768 pseudo-header, RFC 792 plain. */
	if (p->proto == 6 || p->proto == 17) {
		memcpy(pseudo, ip + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = p->proto;
		phx_fb_put16(pseudo + 10, (uint16_t)l4_len);
		sum = ref_sum(pseudo, sizeof(pseudo), 0);
		sum = (uint16_t)~ref_fold(ref_sum(l4, l4_len, sum));
		if (p->proto == 17 && sum == 0)
			sum = 0xffff;           /* RFC 768: 0 means "none" */
		phx_fb_put16(l4 + (p->proto == 6 ? 16 : 6), (uint16_t)sum);
	} else if (p->proto == 1) {
		phx_fb_put16(l4 + 2, (uint16_t)~phx_fb_ref_csum(l4, l4_len));
	}
	phx_fb_ipv4_fix_csum(buf);

	if (p->pad_to > flen) {
		memset(buf + flen, 0, p->pad_to - flen);
		flen = p->pad_to;
	}
	return flen;
}

uint32_t
phx_fb_arp_build(uint8_t *buf, uint16_t op, const uint8_t sha[6],
		 uint32_t spa, const uint8_t tha[6], uint32_t tpa)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t *a = buf + ETH_LEN;

	memcpy(buf, op == 1 ? bcast : tha, 6);
	memcpy(buf + 6, sha, 6);
	phx_fb_put16(buf + 12, 0x0806);
	phx_fb_put16(a, 1);             /* Ethernet */
	phx_fb_put16(a + 2, 0x0800);    /* IPv4 */
	a[4] = 6;
	a[5] = 4;
	phx_fb_put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	phx_fb_put32(a + 14, spa);
	if (op == 1)
		memset(a + 18, 0, 6);
	else
		memcpy(a + 18, tha, 6);
	phx_fb_put32(a + 24, tpa);
	return ETH_LEN + 28;
}
