/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the CCP sample frames (tests/unit/ccp_samples.h, encoded by
 * lib/ccp_codec), then one SYNC frame around a sync body of the session of
 * tests/unit/sync_samples.h, as Ethernet/IPv4/UDP 8116 packets into a
 * pcap file, for test_ccp_tshark.sh to check that tshark's CPHA dissector
 * (and tools/ccp.lua) reads them as we mean them (DESIGN 5).
 *
 *   ccp_pcap <out.pcap>
 *
 * Frames go out as CCP in broadcast mode would (CCP-04): source MAC
 * 00:00:00:00:<MAC magic>:<member id> (CCP-06), destination broadcast,
 * 10.0.0.<member id> -> 10.0.0.255. The UDP checksum is left out (0, RFC
 * 768), since the payload is written after the builder summed its own.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ccp_codec.h"
#include "lib/sync_codec.h"
#include "tests/unit/ccp_samples.h"
#include "tests/unit/frame_build.h"
#include "tests/unit/sync_samples.h"

static int
put_le32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };

	return fwrite(b, 1, 4, f) == 4 ? 0 : -1;
}

static int
put_le16(FILE *f, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	return fwrite(b, 1, 2, f) == 2 ? 0 : -1;
}

/* The sync sample (frame PHX_CCP_N_SAMPLES + 1): a sequenced body with
 * the sample session (window tracked) and the delete of its key, from
 * member 1. Returns the frame length, or a negative errno. */
static int
sync_sample(uint8_t *buf, size_t cap, const struct phx_ccp_key *key,
	    struct phx_ccp_hdr_info *h)
{
	uint8_t body[PHX_SYNC_MAX_BODY];
	struct phx_sync_rec r = phx_sync_sample_sess(PHX_SYNC_SESS_NEW, true);
	struct phx_sync_rec del = { .type = PHX_SYNC_SESS_DEL };
	struct phx_sync_builder b;
	size_t len;

	del.u.key = r.u.sess.key;
	phx_sync_build_init(&b, body, sizeof(body), true, 0xfffffff0);
	if (phx_sync_build_rec(&b, &r) != 0 ||
	    phx_sync_build_rec(&b, &del) != 0)
		return -EINVAL;
	len = phx_sync_build_finish(&b);
	*h = phx_ccp_test_hdr(1, PHX_CCP_DST_ALL, 45);
	h->policy_id = 2;
	return phx_ccp_encode_sync(buf, cap, h, body, len, key);
}

int
main(int argc, char **argv)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t frame[PHX_FB_MAX_FRAME], ccp[PHX_CCP_MAX_FRAME];
	struct phx_ccp_key key;
	struct phx_fb_ipv4 p;
	struct phx_ccp_msg m;
	uint32_t flen;
	unsigned i;
	int n, rc = 0;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: %s <out.pcap>\n", argv[0]);
		return 2;
	}
	phx_ccp_test_key(&key);
	f = fopen(argv[1], "wb");
	if (f == NULL) {
		perror(argv[1]);
		return 1;
	}
	/* pcap global header: v2.4, snaplen 65535, LINKTYPE_ETHERNET */
	rc |= put_le32(f, 0xa1b2c3d4);
	rc |= put_le16(f, 2);
	rc |= put_le16(f, 4);
	rc |= put_le32(f, 0);
	rc |= put_le32(f, 0);
	rc |= put_le32(f, 65535);
	rc |= put_le32(f, 1);

	for (i = 0; i <= PHX_CCP_N_SAMPLES && rc == 0; i++) {
		if (i < PHX_CCP_N_SAMPLES) {
			phx_ccp_sample(i, &m);
			n = phx_ccp_encode(ccp, sizeof(ccp), &m, &key);
		} else {
			n = sync_sample(ccp, sizeof(ccp), &key, &m.hdr);
		}
		if (n < 0) {
			fprintf(stderr, "sample %s: encode failed (%d)\n",
				i < PHX_CCP_N_SAMPLES ? phx_ccp_sample_name(i) :
				"sync", n);
			rc = -1;
			break;
		}
		phx_fb_ipv4_init(&p, 17);
		memcpy(p.dst_mac, bcast, 6);
		p.src_mac[0] = p.src_mac[1] = p.src_mac[2] = p.src_mac[3] = 0;
		p.src_mac[4] = m.hdr.mac_magic;
		p.src_mac[5] = (uint8_t)m.hdr.src;
		p.src_ip = 0x0a000000 | m.hdr.src;      /* 10.0.0.<id> */
		p.dst_ip = 0x0a0000ff;                  /* 10.0.0.255 */
		p.sport = PHX_CCP_UDP_PORT;
		p.dport = PHX_CCP_UDP_PORT;
		p.ttl = 255;
		p.payload_len = (uint32_t)n;
		flen = phx_fb_ipv4_build(&p, frame, sizeof(frame));
		if (flen == 0) {
			rc = -1;
			break;
		}
		memcpy(frame + 14 + 20 + 8, ccp, (size_t)n);
		frame[14 + 20 + 6] = 0;                 /* UDP checksum: none */
		frame[14 + 20 + 7] = 0;
		rc |= put_le32(f, 1700000000u + i);     /* ts seconds */
		rc |= put_le32(f, 0);
		rc |= put_le32(f, flen);
		rc |= put_le32(f, flen);
		if (fwrite(frame, 1, flen, f) != flen)
			rc = -1;
	}
	if (fclose(f) != 0)
		rc = -1;
	if (rc != 0) {
		fprintf(stderr, "%s: write failed\n", argv[1]);
		return 1;
	}
	return 0;
}
