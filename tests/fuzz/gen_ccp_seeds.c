/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the ccp_decode seed corpus: every sample message of
 * tests/unit/ccp_samples.h as a valid frame (ok_*), and frames broken in
 * one named way each, one or more per decode reason (the file name starts
 * with the reason the decoder gives). Frames broken behind the tag are
 * re-tagged, so the replay test pins those paths too; fuzz_ccp_decode
 * re-tags every input anyway.
 *
 * Run once, commit the output (ninja -C build tests/fuzz/gen_ccp_seeds,
 * then build/tests/fuzz/gen_ccp_seeds tests/fuzz/corpus/ccp_decode).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ccp_codec.h"
#include "tests/fuzz/seed_write.h"
#include "tests/unit/ccp_samples.h"

#define BUF 2048

static const char *out_dir;
static struct phx_ccp_key key;
static struct phx_ccp_ctx ctx;
static unsigned n_written;

/* Write buf[0..len) as <name>, after checking the decoder's verdict. */
static void
put(const char *name, const uint8_t *b, size_t len, enum phx_ccp_err want)
{
	struct phx_ccp_msg m;
	enum phx_ccp_err e = phx_ccp_decode(b, len, &ctx, &m);

	if (e != want) {
		fprintf(stderr, "%s: decodes as %s, meant %s\n", name,
			phx_ccp_err_name(e), phx_ccp_err_name(want));
		exit(1);
	}
	seed_write(out_dir, name, b, len);
	n_written++;
}

static size_t
sample(unsigned i, uint8_t *b)
{
	struct phx_ccp_msg m;
	int n;

	phx_ccp_sample(i, &m);
	n = phx_ccp_encode(b, BUF, &m, &key);
	if (n < 0) {
		fprintf(stderr, "sample %u does not encode\n", i);
		exit(1);
	}
	return (size_t)n;
}

static void
retag(uint8_t *b, size_t len)
{
	phx_ccp_auth_tag(&key, b, len - PHX_CCP_TAG_LEN,
			 b + len - PHX_CCP_TAG_LEN);
}

/* Sample i with byte off XORed by x (re-tagged when retag_it). */
static void
put_xor(const char *name, unsigned i, size_t off, uint8_t x, int retag_it,
	enum phx_ccp_err want)
{
	uint8_t b[BUF];
	size_t len = sample(i, b);

	b[off] ^= x;
	if (retag_it)
		retag(b, len);
	put(name, b, len, want);
}

/* Sample 0 (the known-answer heartbeat, extension at 36, TLVs end at
 * 114) with extra TLV bytes before the tag, ext_len adjusted. */
static void
put_tlv(const char *name, const uint8_t *tlv, size_t n, enum phx_ccp_err want)
{
	uint8_t b[BUF];
	size_t len = sample(0, b);

	memmove(b + 114 + n, b + 114, len - 114);
	memcpy(b + 114, tlv, n);
	len += n;
	b[38] = (uint8_t)((78 + n) >> 8);
	b[39] = (uint8_t)(78 + n);
	retag(b, len);
	put(name, b, len, want);
}

int
main(int argc, char **argv)
{
	static const uint8_t opt[] = { 0x90, 3, 'a', 'b', 'c' };
	static const uint8_t crit[] = { 0x10, 1, 'x' };
	static const uint8_t half[] = { 0x90 };
	/* the platform TLV: workers, sync version, sync MTU, version */
	static const uint8_t plat[22] = { 0x81, 20, 2, 1, 0x05, 0xdc, '0', '.',
					'1', '.', '0' };
	static const uint8_t plat_short[] = { 0x81, 4, 2, 1, 0x05, 0xdc };
	static const uint8_t plat_w0[22] = { 0x81, 20, 0, 1, 0x05, 0xdc, '1' };
	static const uint8_t plat_nul[22] = { 0x81, 20, 2, 1, 0x05, 0xdc, '1',
					    0, '2' };
	uint8_t b[BUF];
	char name[64];
	size_t len;
	unsigned i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	phx_ccp_test_key(&key);
	ctx = phx_ccp_test_ctx(&key);

	for (i = 0; i < PHX_CCP_N_SAMPLES; i++) {
		len = sample(i, b);
		snprintf(name, sizeof(name), "ok_%s", phx_ccp_sample_name(i));
		put(name, b, len, PHX_CCP_OK);
	}
	put_tlv("ok_optional_tlv", opt, sizeof(opt), PHX_CCP_OK);

	len = sample(3, b);
	put("too_short", b, len - 1, PHX_CCP_ERR_TOO_SHORT);
	put("too_short_header", b, 12, PHX_CCP_ERR_TOO_SHORT);
	put_xor("bad_magic", 0, 0, 0x01, 0, PHX_CCP_ERR_BAD_MAGIC);
	len = sample(0, b);
	b[2] = 0;       /* CPHA version 1: the 16-byte 4.1 header */
	b[3] = 1;
	put("bad_version_cpha_1", b, len, PHX_CCP_ERR_BAD_VERSION);
	put_xor("bad_version_ext_2", 0, 36, 0x03, 1, PHX_CCP_ERR_BAD_VERSION);
	put_xor("unknown_opcode_sync", 0, 7, 0x0b, 1,
		PHX_CCP_ERR_UNKNOWN_OPCODE);
	put_xor("unknown_opcode_query_state", 3, 7, 0x01, 0,
		PHX_CCP_ERR_UNKNOWN_OPCODE);
	put_xor("bad_length_ext_len", 0, 39, 0x01, 1, PHX_CCP_ERR_BAD_LEN);
	put_xor("bad_length_tlv", 0, 61, 0xd7, 1, PHX_CCP_ERR_BAD_LEN);
	put_tlv("bad_length_half_tlv", half, sizeof(half), PHX_CCP_ERR_BAD_LEN);
	put_xor("foreign_cluster", 0, 5, 0x0f, 1, PHX_CCP_ERR_FOREIGN_CLUSTER);
	put_xor("bad_mac_magic", 0, 37, 0x01, 1, PHX_CCP_ERR_BAD_MAC_MAGIC);
	put_xor("bad_tag", 0, 145, 0x80, 0, PHX_CCP_ERR_BAD_TAG);
	put_xor("bad_tag_body", 5, 21, 0x01, 0, PHX_CCP_ERR_BAD_TAG);
	put_xor("malformed_state_5", 0, 28, 0x01, 1, PHX_CCP_ERR_MALFORMED);
	put_xor("malformed_members_6", 0, 21, 0x04, 1, PHX_CCP_ERR_MALFORMED);
	put_xor("malformed_members_0", 0, 21, 0x02, 1, PHX_CCP_ERR_MALFORMED);
	put_xor("malformed_src_beyond_members", 0, 13, 0x02, 1,
		PHX_CCP_ERR_MALFORMED);
	put_xor("malformed_tlv_order", 0, 102, 0x03, 1, PHX_CCP_ERR_MALFORMED);
	put_xor("malformed_tlv_type_0x42", 0, 102, 0x40, 1,
		PHX_CCP_ERR_MALFORMED);
	put_xor("malformed_pnote", 0, 112, 0x03, 1, PHX_CCP_ERR_MALFORMED);
	put_tlv("malformed_critical_tlv", crit, sizeof(crit),
		PHX_CCP_ERR_MALFORMED);
	put_tlv("malformed_platform_len", plat_short, sizeof(plat_short),
		PHX_CCP_ERR_MALFORMED);
	put_tlv("malformed_platform_workers_0", plat_w0, sizeof(plat_w0),
		PHX_CCP_ERR_MALFORMED);
	put_tlv("malformed_platform_after_nul", plat_nul, sizeof(plat_nul),
		PHX_CCP_ERR_MALFORMED);
	put_tlv("ok_platform", plat, sizeof(plat), PHX_CCP_OK);
	put_xor("malformed_verdict", 6, 20, 0x01, 1, PHX_CCP_ERR_MALFORMED);
	put_xor("malformed_reason", 5, 23, 0x04, 1, PHX_CCP_ERR_MALFORMED);
	put_xor("malformed_echo_tlv_len", 4, 49, 0x0f, 1,
		PHX_CCP_ERR_MALFORMED);
	put_xor("from_self", 0, 13, 0x03, 1, PHX_CCP_ERR_FROM_SELF);

	printf("wrote %u seeds to %s\n", n_written, out_dir);
	return 0;
}
