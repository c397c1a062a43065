/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Check suite for lib/ccp_codec and lib/ccp_auth: the known-answer bytes
 * of a heartbeat (header laid out by hand as Wireshark's CPHA dissector
 * reads it, tag computed independently with Python's hmac), round trips
 * of every message type (encode -> decode -> encode byte-identical, and
 * the same canonical text), one crafted frame per decode reason,
 * truncation at every length, every single-bit flip, wrong keys, encoder
 * range checks, and the replay window (in order, duplicate, too old, far
 * ahead, sliding, new and old boot ids, per-peer state).
 */
#include <check.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/ccp_auth.h"
#include "lib/ccp_codec.h"
#include "lib/compiler.h"
#include "tests/unit/ccp_samples.h"

#define BUF 2048

static struct phx_ccp_key key;
static struct phx_ccp_ctx ctx;

static void
setup(void)
{
	phx_ccp_test_key(&key);
	ctx = phx_ccp_test_ctx(&key);
}

/* Encode sample i into buf; returns the length. */
static size_t
enc(unsigned i, uint8_t *buf)
{
	struct phx_ccp_msg m;
	int n;

	phx_ccp_sample(i, &m);
	n = phx_ccp_encode(buf, BUF, &m, &key);
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

/* Recompute the tag of buf[0..len): lets a test reach the checks behind
 * the authentication with a frame it broke on purpose. */
static void
resign(uint8_t *buf, size_t len)
{
	phx_ccp_auth_tag(&key, buf, len - PHX_CCP_TAG_LEN,
			 buf + len - PHX_CCP_TAG_LEN);
}

static enum phx_ccp_err
dec(const uint8_t *buf, size_t len)
{
	struct phx_ccp_msg m;

	return phx_ccp_decode(buf, len, &ctx, &m);
}

#define ck_assert_err(got, want)                                          \
	ck_assert_msg((got) == (want), "got %s, want %s",                 \
		      phx_ccp_err_name(got), phx_ccp_err_name(want))

/* Replace del bytes at `at` by ins[0..n); returns the new length. */
static size_t
splice(uint8_t *buf, size_t len, size_t at, size_t del, const uint8_t *ins,
       size_t n)
{
	memmove(buf + at + n, buf + at + del, len - at - del);
	if (n)
		memcpy(buf + at, ins, n);
	return len - del + n;
}

/* Set the extension length field of a frame whose extension is at ext. */
static void
set_ext_len(uint8_t *buf, size_t ext, size_t ext_len)
{
	buf[ext + 2] = (uint8_t)(ext_len >> 8);
	buf[ext + 3] = (uint8_t)ext_len;
}

/* ---- names ---- */

START_TEST(test_names)
{
	unsigned i, j;

	ck_assert_str_eq(phx_ccp_err_name(PHX_CCP_OK), "ok");
	ck_assert_str_eq(phx_ccp_err_name(PHX_CCP_ERR_BAD_TAG), "bad_tag");
	ck_assert_str_eq(phx_ccp_err_name(PHX_CCP_ERR_MAX), "unknown");
	for (i = 0; i < PHX_CCP_ERR_MAX; i++) {
		ck_assert_ptr_nonnull(phx_ccp_err_name(i));
		ck_assert_ptr_nonnull(phx_ccp_err_desc(i));
		for (j = 0; j < i; j++)
			ck_assert_str_ne(phx_ccp_err_name(i),
					 phx_ccp_err_name(j));
	}
	ck_assert_str_eq(phx_ccp_opcode_name(PHX_CCP_OP_MY_STATE), "MY_STATE");
	ck_assert_str_eq(phx_ccp_opcode_name(PHX_CCP_OP_SYNC), "SYNC");
	ck_assert_str_eq(phx_ccp_opcode_name(2), "unknown");
	ck_assert_str_eq(phx_ccp_opcode_name(0xffff), "unknown");
	ck_assert_str_eq(phx_ccp_mstate_name(PHX_CCP_MSTATE_READY), "ready");
	ck_assert_str_eq(phx_ccp_mstate_name(PHX_CCP_MSTATE_MAX), "unknown");
}
END_TEST

/* ---- authentication ---- */

/* HMAC-SHA-256, key 00..1f, message "phalanx": from Python's hmac. */
START_TEST(test_hmac_kat)
{
	static const uint8_t want[32] = {
		0x73, 0x2f, 0x9a, 0x43, 0xa9, 0xf9, 0x2d, 0x9c,
		0x5f, 0x4a, 0xbe, 0x5a, 0x76, 0x8d, 0xd8, 0xb1,
		0x4b, 0x14, 0x35, 0xca, 0x1c, 0x4d, 0x11, 0x1a,
		0x81, 0x1c, 0x27, 0xc5, 0x3f, 0x48, 0x19, 0x10,
	};
	uint8_t tag[32];

	phx_ccp_auth_tag(&key, (const uint8_t *)"phalanx", 7, tag);
	ck_assert_mem_eq(tag, want, 32);
	ck_assert(phx_ccp_auth_verify(&key, (const uint8_t *)"phalanx", 7,
				      want));
	ck_assert(!phx_ccp_auth_verify(&key, (const uint8_t *)"phalanx", 6,
				       want));
}
END_TEST

/* The prepared key gives what the one-shot libsodium call gives, for
 * messages spanning several SHA-256 blocks. */
START_TEST(test_hmac_oneshot)
{
	uint8_t raw[32], msg[300], a[32], b[32];
	size_t len, i;

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	for (len = 0; len <= sizeof(msg); len += 13) {
		phx_ccp_auth_tag(&key, msg, len, a);
		crypto_auth_hmacsha256(b, msg, len, raw);
		ck_assert_mem_eq(a, b, 32);
	}
}
END_TEST

START_TEST(test_key_hex)
{
	static const char hex[] =
		"000102030405060708090a0b0c0d0e0f"
		"101112131415161718191A1B1C1D1E1F";
	struct phx_ccp_key k2;
	uint8_t a[32], b[32];
	char bad[80];

	ck_assert_int_eq(phx_ccp_key_from_hex(&k2, hex), 0);
	phx_ccp_auth_tag(&key, (const uint8_t *)"x", 1, a);
	phx_ccp_auth_tag(&k2, (const uint8_t *)"x", 1, b);
	ck_assert_mem_eq(a, b, 32);

	ck_assert_int_eq(phx_ccp_key_from_hex(&k2, NULL), -EINVAL);
	ck_assert_int_eq(phx_ccp_key_from_hex(&k2, ""), -EINVAL);
	ck_assert_int_eq(phx_ccp_key_from_hex(&k2, hex + 1), -EINVAL);
	snprintf(bad, sizeof(bad), "%s0", hex);
	ck_assert_int_eq(phx_ccp_key_from_hex(&k2, bad), -EINVAL);
	snprintf(bad, sizeof(bad), "%s", hex);
	bad[10] = 'g';
	ck_assert_int_eq(phx_ccp_key_from_hex(&k2, bad), -EINVAL);
	bad[10] = ' ';
	ck_assert_int_eq(phx_ccp_key_from_hex(&k2, bad), -EINVAL);

	phx_ccp_key_wipe(&k2);
	phx_ccp_key_wipe(NULL);
	phx_ccp_auth_tag(&k2, (const uint8_t *)"x", 1, b);
	ck_assert_mem_ne(a, b, 32);
	ck_assert_int_eq(phx_ccp_auth_init(), 0);
	ck_assert_int_eq(phx_ccp_auth_init(), 0);
}
END_TEST

START_TEST(test_boot_id)
{
	uint64_t a, b, first;
	bool varied = false;
	unsigned i;

	first = phx_ccp_boot_id_new(1000);
	for (i = 0; i < 64; i++) {
		a = phx_ccp_boot_id_new(1000);
		b = phx_ccp_boot_id_new(1001);
		ck_assert_uint_eq(a >> 16, 1000);
		ck_assert_uint_gt(b, a);
		varied |= a != first;
	}
	ck_assert(varied);      /* 16 random bits: 64 equal draws = 2^-1008 */
}
END_TEST

/* ---- known answer ---- */

/*
 * Sample 0 by hand: a 2-member heartbeat from member 1 (active; member 2
 * standby), cluster 7, interface 1, boot id 0x0123456789abcdef, counter
 * 42, generation 0x10002, digest a0..bf, MAC magic 0xfe.
 */
static const uint8_t kat[146] = {
	/* CPHA header */
	0x1a, 0x90,             /* magic */
	0x02, 0x12,             /* CPHA version 530 */
	0x00, 0x07,             /* cluster 7 */
	0x00, 0x01,             /* opcode FWHA_MY_STATE */
	0x00, 0x01,             /* source interface 1 */
	0xcd, 0xef,             /* random id = boot id & 0xffff */
	0x00, 0x01,             /* source member 1 */
	0xff, 0xff,             /* destination: all */
	0x00, 0x02,             /* policy id = 0x10002 & 0xffff */
	0x00, 0x00,             /* filler */
	/* FWHA_MY_STATE body */
	0x00, 0x02,             /* members reported */
	0x00, 0x03,             /* report code: states + interfaces */
	0x00, 0x04,             /* HA mode FWHA_ONE_UP_MODE */
	0x00, 0x64,             /* time unit 100 ms */
	0x04, 0x02,             /* states: active, standby */
	0x02, 0x00, 0x02, 0x00, /* in up, in assumed, out up, out assumed */
	0x00, 0x01,             /* last heard: 0, 1 time units */
	/* extension */
	0x01, 0xfe, 0x00, 0x4e, /* version 1, MAC magic, ext_len 78 */
	0x00, 0x00, 0x00, 0x00, /* reserved */
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, /* boot id */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /* counter 42 */
	0x01, 0x28,             /* TLV config, 40 bytes */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, /* generation */
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, /* digest */
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
	0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
	0x02, 0x0a,             /* TLV member, 10 bytes */
	0x00, 0x64,             /* priority 100 */
	0x02, 0x02, 0x01, 0x01, /* ifs required/up, secured required/up */
	0x01, 0x04,             /* mode ha, flags synced */
	0x00, 0x00,             /* pnote ok, reserved */
	/* tag: HMAC-SHA-256, key 00..1f (Python hmac) */
	0x3e, 0xf0, 0x82, 0x27, 0x76, 0x06, 0xbf, 0x10,
	0x5c, 0xb0, 0xd7, 0x02, 0x3b, 0x1e, 0x26, 0xe3,
	0x9c, 0x87, 0x92, 0xa8, 0x1d, 0xe5, 0x18, 0x77,
	0x03, 0x10, 0xc9, 0x48, 0xee, 0x8f, 0x73, 0x07,
};

START_TEST(test_kat_heartbeat)
{
	struct phx_ccp_msg m, got;
	uint8_t buf[BUF];
	size_t i;
	int n;

	phx_ccp_sample(0, &m);
	n = phx_ccp_encode_heartbeat(buf, sizeof(buf), &m.hdr, &m.u.hb, &key);
	ck_assert_int_eq(n, sizeof(kat));
	for (i = 0; i < sizeof(kat); i++)
		ck_assert_msg(buf[i] == kat[i], "byte %zu: 0x%02x, want 0x%02x",
			      i, buf[i], kat[i]);

	ck_assert_err(phx_ccp_decode(kat, sizeof(kat), &ctx, &got),
		      PHX_CCP_OK);
	ck_assert_uint_eq(got.opcode, PHX_CCP_OP_MY_STATE);
	ck_assert_uint_eq(got.hdr.src, 1);
	ck_assert_uint_eq(got.hdr.dst, PHX_CCP_DST_ALL);
	ck_assert_uint_eq(got.hdr.policy_id, 2);
	ck_assert_uint_eq(got.hdr.counter, 42);
	ck_assert_uint_eq(got.u.hb.n_members, 2);
	ck_assert_uint_eq(got.u.hb.state[0], PHX_CCP_MSTATE_ACTIVE);
	ck_assert_uint_eq(got.u.hb.state[1], PHX_CCP_MSTATE_STANDBY);
	ck_assert_uint_eq(got.u.hb.state[2], 0);  /* zeroed past n */
	ck_assert_uint_eq(got.u.hb.config.generation, 0x10002);
	ck_assert_uint_eq(got.u.hb.member.priority, 100);
	ck_assert_uint_eq(got.skipped_tlvs, 0);
}
END_TEST

START_TEST(test_format)
{
	static const char want[] =
		"MY_STATE cluster=7 src=1 dst=all if=1 policy=2 "
		"mac_magic=0xfe boot=0x0123456789abcdef ctr=42 members=2 "
		"ha_mode=4 unit=100ms states=active,standby heard=0,1 "
		"in=2/0 out=2/0 gen=65538 digest="
		"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
		" prio=100 ifs=2/2 secured=1/1 mode=1 flags=0x04 pnote=0";
	struct phx_ccp_msg m;
	char buf[512], small[16];
	int n;

	phx_ccp_sample(0, &m);
	n = phx_ccp_msg_format(&m, buf, sizeof(buf));
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(n, (int)strlen(want));
	/* Truncation: NUL-terminated prefix, full length returned. */
	n = phx_ccp_msg_format(&m, small, sizeof(small));
	ck_assert_int_eq(n, (int)strlen(want));
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	ck_assert_int_eq(phx_ccp_msg_format(&m, NULL, 0), (int)strlen(want));
}
END_TEST

/* ---- round trip ---- */

START_TEST(test_round_trip)
{
	uint8_t a[BUF], b[BUF];
	struct phx_ccp_msg m, got;
	char ta[600], tb[600];
	size_t na;
	int nb;

	phx_ccp_sample((unsigned)_i, &m);
	na = enc((unsigned)_i, a);
	ck_assert_uint_le(na, PHX_CCP_MAX_ENCODED);
	ck_assert_uint_ge(na, PHX_CCP_MIN_FRAME);
	ck_assert_err(phx_ccp_decode(a, na, &ctx, &got), PHX_CCP_OK);
	nb = phx_ccp_encode(b, sizeof(b), &got, &key);
	ck_assert_int_eq(nb, (int)na);
	ck_assert_mem_eq(a, b, na);
	phx_ccp_msg_format(&m, ta, sizeof(ta));
	phx_ccp_msg_format(&got, tb, sizeof(tb));
	ck_assert_str_eq(ta, tb);
}
END_TEST

/* The shorthand encoders give what phx_ccp_encode gives. */
START_TEST(test_shorthands)
{
	uint8_t a[BUF], b[BUF];
	struct phx_ccp_msg m;
	size_t na;
	int nb = -1;

	phx_ccp_sample((unsigned)_i, &m);
	na = enc((unsigned)_i, a);
	switch (m.opcode) {
	case PHX_CCP_OP_MY_STATE:
		nb = phx_ccp_encode_heartbeat(b, sizeof(b), &m.hdr, &m.u.hb,
					      &key);
		break;
	case PHX_CCP_OP_IF_PROBE_REQ:
	case PHX_CCP_OP_IF_PROBE_RPLY:
		nb = phx_ccp_encode_probe(b, sizeof(b), &m.hdr,
					  m.opcode == PHX_CCP_OP_IF_PROBE_RPLY,
					  &m.u.probe, &key);
		break;
	case PHX_CCP_OP_STATE_REQ:
		nb = phx_ccp_encode_state_req(b, sizeof(b), &m.hdr, &m.u.sreq,
					      &key);
		break;
	case PHX_CCP_OP_STATE_CONFIRM:
		nb = phx_ccp_encode_state_confirm(b, sizeof(b), &m.hdr,
						  &m.u.sconf, &key);
		break;
	}
	ck_assert_int_eq(nb, (int)na);
	ck_assert_mem_eq(a, b, na);
}
END_TEST

/* A probe request ignores its echo field; the reply carries it. */
START_TEST(test_probe_echo)
{
	struct phx_ccp_msg m, got;
	uint8_t buf[BUF];
	int n;

	phx_ccp_sample(3, &m);
	m.u.probe.echo = 99;
	n = phx_ccp_encode(buf, sizeof(buf), &m, &key);
	ck_assert_int_eq(n, PHX_CCP_MIN_FRAME);
	ck_assert_err(phx_ccp_decode(buf, (size_t)n, &ctx, &got), PHX_CCP_OK);
	ck_assert_uint_eq(got.u.probe.echo, 0);
	ck_assert_uint_eq(got.u.probe.ifn, 1);

	phx_ccp_sample(4, &m);
	n = phx_ccp_encode(buf, sizeof(buf), &m, &key);
	ck_assert_err(phx_ccp_decode(buf, (size_t)n, &ctx, &got), PHX_CCP_OK);
	ck_assert_uint_eq(got.u.probe.echo, 43);
	ck_assert_uint_eq(got.hdr.dst, 1);
}
END_TEST

/* Every member count from 1 to 5, the sender any of them. */
START_TEST(test_member_counts)
{
	struct phx_ccp_msg m, got;
	uint8_t buf[BUF];
	unsigned n, src;
	int len;

	phx_ccp_sample(1, &m);
	for (n = 1; n <= PHX_CCP_MAX_MEMBERS; n++) {
		for (src = 1; src <= PHX_CCP_MAX_MEMBERS; src++) {
			if (src == PHX_CCP_TEST_SELF)
				continue;
			m.u.hb.n_members = (uint8_t)n;
			m.hdr.src = (uint16_t)src;
			len = phx_ccp_encode(buf, sizeof(buf), &m, &key);
			if (src > n) {
				ck_assert_int_eq(len, -EINVAL);
				continue;
			}
			/* + 22: the platform TLV */
			ck_assert_int_eq(len, 20 + 12 + 2 * (int)n + 78 + 22 + 32);
			ck_assert_err(phx_ccp_decode(buf, (size_t)len, &ctx,
						     &got), PHX_CCP_OK);
			ck_assert_uint_eq(got.u.hb.n_members, n);
		}
	}
	m.hdr.src = 1;
	m.u.hb.n_members = 0;
	ck_assert_int_eq(phx_ccp_encode(buf, sizeof(buf), &m, &key), -EINVAL);
	m.u.hb.n_members = PHX_CCP_MAX_MEMBERS + 1;
	ck_assert_int_eq(phx_ccp_encode(buf, sizeof(buf), &m, &key), -EINVAL);
}
END_TEST

/* The optional platform TLV (CCP-69, SYNC-20, SYNC-74): heartbeats only,
 * exact length, values in range, the version NUL-padded. */
START_TEST(test_platform)
{
	static const uint8_t plat[] = { 0x81, 5, 1, 1, 0x05, 0xdc, 'x' };
	uint8_t buf[BUF], orig[BUF];
	struct phx_ccp_msg m, got;
	size_t len, olen, at;

	phx_ccp_sample(1, &m);
	olen = enc(1, orig);
	at = olen - PHX_CCP_TAG_LEN - 22;       /* the platform TLV */
	ck_assert_uint_eq(orig[at], PHX_CCP_TLV_PLATFORM);
	ck_assert_uint_eq(orig[at + 1], 20);
	ck_assert_err(phx_ccp_decode(orig, olen, &ctx, &got), PHX_CCP_OK);
	ck_assert(got.u.hb.has_platform);
	ck_assert_uint_eq(got.u.hb.platform.workers, 4);
	ck_assert_uint_eq(got.u.hb.platform.sync_version, 1);
	ck_assert_uint_eq(got.u.hb.platform.sync_mtu, 9000);
	ck_assert_str_eq(got.u.hb.platform.version, "0.1.0+dev.0123ab");
	ck_assert_uint_eq(got.skipped_tlvs, 0);

	/* A short version string, NUL-padded on the wire. */
	snprintf(m.u.hb.platform.version, sizeof(m.u.hb.platform.version),
		 "0.1.0");
	len = (size_t)phx_ccp_encode(buf, sizeof(buf), &m, &key);
	ck_assert_uint_eq(len, olen);
	ck_assert_uint_eq(buf[at + 2 + 4 + 5], 0);
	ck_assert_err(phx_ccp_decode(buf, len, &ctx, &got), PHX_CCP_OK);
	ck_assert_str_eq(got.u.hb.platform.version, "0.1.0");
	/* ... with a byte after the NUL: two encodings of one value */
	buf[at + 2 + 4 + 10] = 'x';
	resign(buf, len);
	ck_assert_err(dec(buf, len), PHX_CCP_ERR_MALFORMED);

	/* Out of range: the encoder refuses, the decoder calls it
	 * malformed. */
	{
		static const struct {
			unsigned off;   /* in the TLV value */
			uint8_t val;
		} bad[] = {
			{ 0, 0 },       /* no workers */
			{ 1, 0 },       /* sync version 0 */
			{ 3, 20 },      /* sync MTU 20 (high byte 0) */
			{ 4, 0 },       /* empty version (the whole field) */
			{ 4, ' ' },     /* not printable */
			{ 4, 0x80 },
		};
		unsigned i;

		for (i = 0; i < PHX_DIM(bad); i++) {
			memcpy(buf, orig, olen);
			if (bad[i].off == 3)
				buf[at + 2 + 2] = 0;
			if (bad[i].off == 4 && bad[i].val == 0)
				memset(buf + at + 2 + 4, 0, PHX_CCP_VERSION_LEN);
			buf[at + 2 + bad[i].off] = bad[i].val;
			resign(buf, olen);
			ck_assert_msg(dec(buf, olen) == PHX_CCP_ERR_MALFORMED,
				      "case %u", i);
		}
	}
	phx_ccp_sample(1, &m);
	m.u.hb.platform.workers = 0;
	ck_assert_int_eq(phx_ccp_encode(buf, sizeof(buf), &m, &key), -EINVAL);
	phx_ccp_sample(1, &m);
	m.u.hb.platform.version[0] = '\0';
	ck_assert_int_eq(phx_ccp_encode(buf, sizeof(buf), &m, &key), -EINVAL);
	phx_ccp_sample(1, &m);
	memset(m.u.hb.platform.version, 'v', sizeof(m.u.hb.platform.version));
	ck_assert_int_eq(phx_ccp_encode(buf, sizeof(buf), &m, &key), -EINVAL);

	/* Not its exact length: malformed (a newer layout takes a new
	 * type number). */
	memcpy(buf, orig, olen);
	len = splice(buf, olen, at, 22, plat, sizeof(plat));
	set_ext_len(buf, 42, 24 + 42 + 12 + sizeof(plat));
	resign(buf, len);
	ck_assert_err(dec(buf, len), PHX_CCP_ERR_MALFORMED);

	/* In an opcode that does not carry it: skipped like any unknown
	 * optional TLV. A probe reply: echo TLV, then this one. */
	olen = enc(4, orig);
	memcpy(buf, orig, olen);
	at = olen - PHX_CCP_TAG_LEN;
	{
		uint8_t t[22] = { PHX_CCP_TLV_PLATFORM, 20, 1, 1, 0, 0, 'v' };

		len = splice(buf, olen, at, 0, t, sizeof(t));
	}
	set_ext_len(buf, 24, 24 + 10 + 22);
	resign(buf, len);
	ck_assert_err(phx_ccp_decode(buf, len, &ctx, &got), PHX_CCP_OK);
	ck_assert_uint_eq(got.skipped_tlvs, 1);

	/* What members compare. */
	{
		struct phx_ccp_platform a = { 2, 1, 1500, "0.1.0" }, b = a;

		ck_assert_uint_eq(phx_ccp_platform_cmp(&a, &b), 0);
		b.workers = 1;
		ck_assert_uint_eq(phx_ccp_platform_cmp(&a, &b),
				  PHX_CCP_PLAT_MORE_WORKERS);
		ck_assert_uint_eq(phx_ccp_platform_cmp(&b, &a),
				  PHX_CCP_PLAT_FEWER_WORKERS);
		b = a;
		b.sync_mtu = 9000;
		b.sync_version = 2;
		snprintf(b.version, sizeof(b.version), "0.2.0");
		ck_assert_uint_eq(phx_ccp_platform_cmp(&a, &b),
				  PHX_CCP_PLAT_VERSION |
				  PHX_CCP_PLAT_SYNC_VERSION |
				  PHX_CCP_PLAT_SYNC_MTU);
	}
}
END_TEST

/* ---- encoder contract ---- */

START_TEST(test_encode_nospc)
{
	uint8_t buf[BUF];
	struct phx_ccp_msg m;
	size_t len, cap;

	phx_ccp_sample((unsigned)_i, &m);
	len = enc((unsigned)_i, buf);
	for (cap = 0; cap < len; cap++)
		ck_assert_int_eq(phx_ccp_encode(buf, cap, &m, &key), -ENOSPC);
	ck_assert_int_eq(phx_ccp_encode(buf, len, &m, &key), (int)len);
}
END_TEST

/* Out-of-range host values: the encoder refuses them (-EINVAL). */
static void
bad_msg(unsigned i, struct phx_ccp_msg *m)
{
	switch (i) {
	case 0:  phx_ccp_sample(3, m); m->opcode = PHX_CCP_OP_SYNC; break;
	case 1:  phx_ccp_sample(3, m); m->opcode = 2; break;
	case 2:  phx_ccp_sample(3, m); m->opcode = 0; break;
	case 3:  phx_ccp_sample(3, m); m->hdr.src = 0; break;
	case 4:  phx_ccp_sample(3, m); m->hdr.src = 6; break;
	case 5:  phx_ccp_sample(3, m); m->hdr.dst = 0; break;
	case 6:  phx_ccp_sample(3, m); m->hdr.dst = 6; break;
	case 7:  phx_ccp_sample(0, m); m->u.hb.state[1] = 5; break;
	case 8:  phx_ccp_sample(0, m); m->u.hb.ha_mode = PHX_CCP_HA_MAX; break;
	case 9:  phx_ccp_sample(0, m); m->u.hb.time_unit_ms = 0; break;
	case 10: phx_ccp_sample(0, m); m->u.hb.last_heard[0] = 128; break;
	case 11: phx_ccp_sample(0, m); m->u.hb.ifs.out_assumed_up = 128; break;
	case 12: phx_ccp_sample(0, m); m->u.hb.member.mode = 0; break;
	case 13: phx_ccp_sample(0, m);
		 m->u.hb.member.mode = PHX_CCP_CMODE_MAX; break;
	case 14: phx_ccp_sample(0, m); m->u.hb.member.flags = 0x80; break;
	case 15: phx_ccp_sample(0, m); m->u.hb.member.secured_up = 200; break;
	case 16: phx_ccp_sample(0, m);
		 m->u.hb.member.pnote = PHX_CCP_PNOTE_MAX; break;
	case 17: phx_ccp_sample(0, m); m->u.hb.member.flags = 0x20; break;
	case 18: phx_ccp_sample(5, m); m->u.sreq.reason = PHX_CCP_SCR_MAX; break;
	case 19: phx_ccp_sample(5, m); m->u.sreq.new_state = 9; break;
	case 20: phx_ccp_sample(6, m); m->u.sconf.verdict = 0; break;
	case 21: phx_ccp_sample(6, m);
		 m->u.sconf.refusal = PHX_CCP_REFUSE_CONFIG; break;
	case 22: phx_ccp_sample(7, m);
		 m->u.sconf.refusal = PHX_CCP_REFUSE_NONE; break;
	case 23: phx_ccp_sample(7, m);
		 m->u.sconf.refusal = PHX_CCP_REFUSE_MAX; break;
	default: phx_ccp_sample(6, m); m->u.sconf.state = 5; break;
	}
}
#define N_BAD_MSGS 25

START_TEST(test_encode_invalid)
{
	struct phx_ccp_msg m;
	uint8_t buf[BUF];

	bad_msg((unsigned)_i, &m);
	ck_assert_int_eq(phx_ccp_encode(buf, sizeof(buf), &m, &key), -EINVAL);
}
END_TEST

/* ---- decode: one crafted frame per reason ---- */

/* One byte XORed; re-signed when the case is about a check behind the
 * tag. */
struct xor_case {
	const char *what;
	unsigned sample;
	size_t off;
	uint8_t x;
	bool resign;
	enum phx_ccp_err want;
};

static const struct xor_case xor_cases[] = {
	/* header, before the tag */
	{ "magic", 0, 0, 0x01, false, PHX_CCP_ERR_BAD_MAGIC },
	{ "magic low", 0, 1, 0x80, false, PHX_CCP_ERR_BAD_MAGIC },
	{ "CPHA version 512", 0, 3, 0x12, false, PHX_CCP_ERR_BAD_VERSION },
	{ "CPHA version 531", 0, 3, 0x01, true, PHX_CCP_ERR_BAD_VERSION },
	{ "opcode 2 QUERY_STATE", 0, 7, 0x03, false, PHX_CCP_ERR_UNKNOWN_OPCODE },
	{ "opcode 0", 0, 7, 0x01, false, PHX_CCP_ERR_UNKNOWN_OPCODE },
	{ "opcode 10 SYNC", 0, 7, 0x0b, true, PHX_CCP_ERR_UNKNOWN_OPCODE },
	{ "opcode 13", 0, 7, 0x0c, false, PHX_CCP_ERR_UNKNOWN_OPCODE },
	{ "opcode 0x101", 0, 6, 0x01, false, PHX_CCP_ERR_UNKNOWN_OPCODE },
	{ "cluster 8", 0, 5, 0x0f, true, PHX_CCP_ERR_FOREIGN_CLUSTER },
	{ "cluster 0x107", 0, 4, 0x01, false, PHX_CCP_ERR_FOREIGN_CLUSTER },
	{ "from self", 0, 13, 0x03, true, PHX_CCP_ERR_FROM_SELF },
	/* the tag */
	{ "tag first byte", 0, 114, 0x01, false, PHX_CCP_ERR_BAD_TAG },
	{ "tag last byte", 0, 145, 0x80, false, PHX_CCP_ERR_BAD_TAG },
	{ "state, not re-signed", 0, 28, 0x01, false, PHX_CCP_ERR_BAD_TAG },
	{ "filler, not re-signed", 0, 19, 0x01, false, PHX_CCP_ERR_BAD_TAG },
	/* header fields checked behind the tag */
	{ "src 0", 0, 13, 0x01, true, PHX_CCP_ERR_MALFORMED },
	{ "src 6", 0, 13, 0x07, true, PHX_CCP_ERR_MALFORMED },
	{ "src 3 > 2 members", 0, 13, 0x02, true, PHX_CCP_ERR_MALFORMED },
	{ "dst 0x00ff", 0, 14, 0xff, true, PHX_CCP_ERR_MALFORMED },
	{ "random id", 0, 11, 0x01, true, PHX_CCP_ERR_MALFORMED },
	{ "source interface, not re-signed", 0, 9, 0x01, false, PHX_CCP_ERR_BAD_TAG },
	{ "policy id", 0, 17, 0x01, true, PHX_CCP_ERR_MALFORMED },
	{ "filler", 0, 19, 0x01, true, PHX_CCP_ERR_MALFORMED },
	/* MY_STATE body */
	{ "6 members", 0, 21, 0x04, true, PHX_CCP_ERR_MALFORMED },
	{ "0 members", 0, 21, 0x02, true, PHX_CCP_ERR_MALFORMED },
	{ "members 0x102", 0, 20, 0x01, true, PHX_CCP_ERR_MALFORMED },
	{ "report code 1", 0, 23, 0x02, true, PHX_CCP_ERR_MALFORMED },
	{ "report code 0x103", 0, 22, 0x01, true, PHX_CCP_ERR_MALFORMED },
	{ "HA mode 5", 0, 25, 0x01, true, PHX_CCP_ERR_MALFORMED },
	{ "HA mode 0x104", 0, 24, 0x01, true, PHX_CCP_ERR_MALFORMED },
	{ "time unit 0", 0, 27, 0x64, true, PHX_CCP_ERR_MALFORMED },
	{ "state 5", 0, 28, 0x01, true, PHX_CCP_ERR_MALFORMED },
	{ "state 0x82", 0, 29, 0x80, true, PHX_CCP_ERR_MALFORMED },
	{ "in up 130", 0, 30, 0x80, true, PHX_CCP_ERR_MALFORMED },
	{ "out assumed 128", 0, 33, 0x80, true, PHX_CCP_ERR_MALFORMED },
	{ "last heard 129", 0, 35, 0x80, true, PHX_CCP_ERR_MALFORMED },
	/* extension */
	{ "ext version 2", 0, 36, 0x03, true, PHX_CCP_ERR_BAD_VERSION },
	{ "ext version 0", 0, 36, 0x01, true, PHX_CCP_ERR_BAD_VERSION },
	{ "MAC magic 0xff", 0, 37, 0x01, true, PHX_CCP_ERR_BAD_MAC_MAGIC },
	{ "ext_len 79", 0, 39, 0x01, true, PHX_CCP_ERR_BAD_LEN },
	{ "ext_len 0x14e", 0, 38, 0x01, true, PHX_CCP_ERR_BAD_LEN },
	{ "reserved", 0, 43, 0x01, true, PHX_CCP_ERR_MALFORMED },
	/* TLVs */
	{ "config TLV typed as member", 0, 60, 0x03, true, PHX_CCP_ERR_MALFORMED },
	{ "config TLV length 41", 0, 61, 0x01, true, PHX_CCP_ERR_MALFORMED },
	{ "config TLV length 255", 0, 61, 0xd7, true, PHX_CCP_ERR_BAD_LEN },
	{ "member TLV typed optional", 0, 102, 0x80, true, PHX_CCP_ERR_MALFORMED },
	{ "member TLV typed echo", 0, 102, 0x01, true, PHX_CCP_ERR_MALFORMED },
	{ "member TLV typed config (twice)", 0, 102, 0x03, true, PHX_CCP_ERR_MALFORMED },
	{ "member TLV typed 0x12", 0, 102, 0x10, true, PHX_CCP_ERR_MALFORMED },
	{ "member TLV typed 0x42", 0, 102, 0x40, true, PHX_CCP_ERR_MALFORMED },
	{ "member TLV typed 0x7f", 0, 102, 0x7d, true, PHX_CCP_ERR_MALFORMED },
	{ "member TLV length 11", 0, 103, 0x01, true, PHX_CCP_ERR_BAD_LEN },
	{ "member TLV length 8", 0, 103, 0x02, true, PHX_CCP_ERR_MALFORMED },
	{ "member TLV length 0", 0, 103, 0x0a, true, PHX_CCP_ERR_MALFORMED },
	{ "ifs up 130", 0, 107, 0x80, true, PHX_CCP_ERR_MALFORMED },
	{ "mode 0", 0, 110, 0x01, true, PHX_CCP_ERR_MALFORMED },
	{ "mode 5", 0, 110, 0x04, true, PHX_CCP_ERR_MALFORMED },
	{ "flags 0x24", 0, 111, 0x20, true, PHX_CCP_ERR_MALFORMED },
	{ "pnote 3", 0, 112, 0x03, true, PHX_CCP_ERR_MALFORMED },
	{ "member reserved", 0, 113, 0x01, true, PHX_CCP_ERR_MALFORMED },
	/* STATE_REQ (sample 5): body at 20, ext at 28, TLVs at 52 */
	{ "req cur state 5", 5, 20, 0x06, true, PHX_CCP_ERR_MALFORMED },
	{ "req new state 6", 5, 21, 0x02, true, PHX_CCP_ERR_MALFORMED },
	{ "req reason 5", 5, 23, 0x04, true, PHX_CCP_ERR_MALFORMED },
	{ "req policy id", 5, 17, 0x01, true, PHX_CCP_ERR_MALFORMED },
	{ "req config TLV optional", 5, 52, 0x80, true, PHX_CCP_ERR_MALFORMED },
	{ "req seq, not re-signed", 5, 27, 0x01, false, PHX_CCP_ERR_BAD_TAG },
	/* STATE_CONFIRM (sample 6): body at 20, ext at 28, echo TLV at 52 */
	{ "verdict 0", 6, 20, 0x01, true, PHX_CCP_ERR_MALFORMED },
	{ "verdict 3", 6, 20, 0x02, true, PHX_CCP_ERR_MALFORMED },
	{ "grant with refusal", 6, 23, 0x01, true, PHX_CCP_ERR_MALFORMED },
	{ "refusal 5", 7, 23, 0x07, true, PHX_CCP_ERR_MALFORMED },
	{ "refuse without reason", 7, 23, 0x02, true, PHX_CCP_ERR_MALFORMED },
	{ "responder state 7", 6, 21, 0x05, true, PHX_CCP_ERR_MALFORMED },
	{ "echo TLV optional", 6, 52, 0x80, true, PHX_CCP_ERR_MALFORMED },
	{ "echo TLV typed member", 6, 52, 0x01, true, PHX_CCP_ERR_MALFORMED },
	{ "echo TLV length 7", 6, 53, 0x0f, true, PHX_CCP_ERR_MALFORMED },
	{ "confirm ext version 0", 6, 28, 0x01, true, PHX_CCP_ERR_BAD_VERSION },
	/* IF_PROBE_RPLY (sample 4): echo TLV at 48 */
	{ "probe reply echo TLV type 0", 4, 48, 0x03, true, PHX_CCP_ERR_MALFORMED },
	/* IF_PROBE_REQ (sample 3): ext at 24, nothing after it */
	{ "probe ext_len 23", 3, 27, 0x0f, true, PHX_CCP_ERR_BAD_LEN },
	{ "probe MAC magic", 3, 25, 0x03, true, PHX_CCP_ERR_BAD_MAC_MAGIC },
	{ "probe dst 0xfffe", 3, 15, 0x01, true, PHX_CCP_ERR_MALFORMED },
};

START_TEST(test_xor_case)
{
	const struct xor_case *c = &xor_cases[_i];
	uint8_t buf[BUF];
	size_t len;
	enum phx_ccp_err e;

	len = enc(c->sample, buf);
	ck_assert_uint_lt(c->off, len);
	buf[c->off] ^= c->x;
	if (c->resign)
		resign(buf, len);
	e = dec(buf, len);
	ck_assert_msg(e == c->want, "%s: got %s, want %s", c->what,
		      phx_ccp_err_name(e), phx_ccp_err_name(c->want));
}
END_TEST

/* Reasons that come from the receiver's context, not from the bytes. */
START_TEST(test_ctx_reasons)
{
	struct phx_ccp_key other;
	struct phx_ccp_msg m;
	uint8_t buf[BUF], raw[32];
	size_t len = enc(0, buf);

	ctx.cluster = 8;
	ck_assert_err(dec(buf, len), PHX_CCP_ERR_FOREIGN_CLUSTER);
	ctx = phx_ccp_test_ctx(&key);
	ctx.self = 1;
	ck_assert_err(dec(buf, len), PHX_CCP_ERR_FROM_SELF);
	ctx = phx_ccp_test_ctx(&key);
	ctx.mac_magic = 0xfd;
	ck_assert_err(dec(buf, len), PHX_CCP_ERR_BAD_MAC_MAGIC);

	/* Wrong key: every byte of it matters. */
	memset(raw, 0, sizeof(raw));
	for (unsigned i = 0; i < 32; i++)
		raw[i] = (uint8_t)i;
	raw[31] ^= 0x01;
	ck_assert_int_eq(phx_ccp_key_init(&other, raw), 0);
	ctx = phx_ccp_test_ctx(&other);
	ck_assert_err(phx_ccp_decode(buf, len, &ctx, &m), PHX_CCP_ERR_BAD_TAG);
	/* The same message encoded with the other key decodes with it. */
	phx_ccp_sample(0, &m);
	len = (size_t)phx_ccp_encode(buf, sizeof(buf), &m, &other);
	ck_assert_err(dec(buf, len), PHX_CCP_OK);
	ctx = phx_ccp_test_ctx(&key);
	ck_assert_err(dec(buf, len), PHX_CCP_ERR_BAD_TAG);
}
END_TEST

START_TEST(test_length_bounds)
{
	uint8_t buf[BUF] = {0};
	size_t len = enc(3, buf);      /* shortest frame: a probe */

	ck_assert_uint_eq(len, PHX_CCP_MIN_FRAME);
	ck_assert_err(dec(buf, len), PHX_CCP_OK);
	ck_assert_err(dec(buf, len - 1), PHX_CCP_ERR_TOO_SHORT);
	ck_assert_err(dec(buf, 0), PHX_CCP_ERR_TOO_SHORT);
	ck_assert_err(dec(NULL, 0), PHX_CCP_ERR_TOO_SHORT);
	/* Too long: checked before anything else is read. */
	ck_assert_err(dec(buf, PHX_CCP_MAX_FRAME + 1), PHX_CCP_ERR_BAD_LEN);
	ck_assert_err(dec(buf, PHX_CCP_MAX_FRAME), PHX_CCP_ERR_BAD_TAG);
}
END_TEST

/* Structural edits: TLVs added, removed, bytes outside ext_len. */
START_TEST(test_structure)
{
	static const uint8_t opt[] = { 0x90, 3, 'a', 'b', 'c' };
	static const uint8_t crit[] = { 0x10, 1, 'x' };
	static const uint8_t opt2[] = { 0x81, 0 };
	uint8_t buf[BUF], orig[BUF], again[BUF];
	struct phx_ccp_msg m;
	size_t len, olen;

	/* Unknown optional TLV at the end: skipped, counted; re-encoding
	 * gives the frame without it. */
	olen = enc(0, orig);
	memcpy(buf, orig, olen);
	len = splice(buf, olen, 114, 0, opt, sizeof(opt));
	set_ext_len(buf, 36, 78 + sizeof(opt));
	resign(buf, len);
	ck_assert_err(phx_ccp_decode(buf, len, &ctx, &m), PHX_CCP_OK);
	ck_assert_uint_eq(m.skipped_tlvs, 1);
	ck_assert_int_eq(phx_ccp_encode(again, sizeof(again), &m, &key),
			 (int)olen);
	ck_assert_mem_eq(again, orig, olen);

	/* Two optional TLVs, out of order: malformed. */
	len = splice(buf, len, 114 + sizeof(opt), 0, opt2, sizeof(opt2));
	set_ext_len(buf, 36, 78 + sizeof(opt) + sizeof(opt2));
	resign(buf, len);
	ck_assert_err(dec(buf, len), PHX_CCP_ERR_MALFORMED);

	/* Unknown critical TLV after the known ones. */
	memcpy(buf, orig, olen);
	len = splice(buf, olen, 114, 0, crit, sizeof(crit));
	set_ext_len(buf, 36, 78 + sizeof(crit));
	resign(buf, len);
	ck_assert_err(dec(buf, len), PHX_CCP_ERR_MALFORMED);

	/* Member TLV missing. */
	memcpy(buf, orig, olen);
	len = splice(buf, olen, 102, 12, NULL, 0);
	set_ext_len(buf, 36, 66);
	resign(buf, len);
	ck_assert_err(dec(buf, len), PHX_CCP_ERR_MALFORMED);

	/* Config and member TLVs swapped. */
	memcpy(buf, orig, olen);
	len = splice(buf, olen, 60, 0, orig + 102, 12);     /* member first */
	len = splice(buf, len, 114, 12, NULL, 0);
	resign(buf, len);
	ck_assert_err(dec(buf, len), PHX_CCP_ERR_MALFORMED);

	/* A byte between the extension and the tag. */
	memcpy(buf, orig, olen);
	len = splice(buf, olen, 114, 0, (const uint8_t *)"z", 1);
	resign(buf, len);
	ck_assert_err(dec(buf, len), PHX_CCP_ERR_BAD_LEN);

	/* Half a TLV header at the end of the extension. */
	set_ext_len(buf, 36, 79);
	resign(buf, len);
	ck_assert_err(dec(buf, len), PHX_CCP_ERR_BAD_LEN);

	/* Extension header cut short (1-member heartbeat: body 34 bytes,
	 * ext at 34; keep 20 of its bytes). */
	olen = enc(2, orig);
	ck_assert_uint_eq(olen, 144);
	memcpy(buf, orig, olen);
	len = splice(buf, olen, 54, 58, NULL, 0);
	ck_assert_uint_ge(len, PHX_CCP_MIN_FRAME);
	resign(buf, len);
	ck_assert_err(dec(buf, len), PHX_CCP_ERR_BAD_LEN);

	/* A probe whose opcode claims MY_STATE: its body is read as
	 * member count 0. */
	olen = enc(3, orig);
	memcpy(buf, orig, olen);
	buf[7] = PHX_CCP_OP_MY_STATE;
	resign(buf, olen);
	ck_assert_err(dec(buf, olen), PHX_CCP_ERR_MALFORMED);

	/* A 5-member heartbeat whose count says 3: the rest is misread and
	 * the extension found at the wrong place. */
	olen = enc(1, orig);
	memcpy(buf, orig, olen);
	buf[21] = 3;
	resign(buf, olen);
	ck_assert_int_ne(dec(buf, olen), PHX_CCP_OK);
}
END_TEST

/* Truncation at every length: too short, or the tag no longer fits. */
START_TEST(test_truncation)
{
	uint8_t buf[BUF];
	size_t len = enc((unsigned)_i, buf), n;

	for (n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);  /* exact size for ASan */

		ck_assert_ptr_nonnull(copy);
		memcpy(copy, buf, n);
		ck_assert_err(dec(copy, n), n < PHX_CCP_MIN_FRAME ?
			      PHX_CCP_ERR_TOO_SHORT : PHX_CCP_ERR_BAD_TAG);
		free(copy);
	}
}
END_TEST

/* Every single-bit flip: the tag fails, or a header check before it. */
START_TEST(test_bit_flips)
{
	uint8_t buf[BUF];
	size_t len = enc((unsigned)_i, buf), bit;
	enum phx_ccp_err e;

	for (bit = 0; bit < 8 * len; bit++) {
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		e = dec(buf, len);
		if (bit / 8 >= sizeof(struct phx_ccp_hdr))
			ck_assert_err(e, PHX_CCP_ERR_BAD_TAG);
		else
			ck_assert_msg(e == PHX_CCP_ERR_BAD_MAGIC ||
				      e == PHX_CCP_ERR_BAD_VERSION ||
				      e == PHX_CCP_ERR_UNKNOWN_OPCODE ||
				      e == PHX_CCP_ERR_FOREIGN_CLUSTER ||
				      e == PHX_CCP_ERR_FROM_SELF ||
				      e == PHX_CCP_ERR_BAD_TAG,
				      "bit %zu: %s", bit, phx_ccp_err_name(e));
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	ck_assert_err(dec(buf, len), PHX_CCP_OK);
}
END_TEST

START_TEST(test_peek)
{
	uint8_t buf[BUF];
	uint16_t op = 0;
	size_t len = enc(4, buf);

	ck_assert_err(phx_ccp_peek(buf, len, &op), PHX_CCP_OK);
	ck_assert_uint_eq(op, PHX_CCP_OP_IF_PROBE_RPLY);
	ck_assert_err(phx_ccp_peek(buf, 20, &op), PHX_CCP_OK);
	ck_assert_err(phx_ccp_peek(buf, 19, &op), PHX_CCP_ERR_TOO_SHORT);
	buf[7] = PHX_CCP_OP_SYNC;
	ck_assert_err(phx_ccp_peek(buf, 20, &op), PHX_CCP_OK);
	ck_assert_uint_eq(op, PHX_CCP_OP_SYNC);
	ck_assert_err(dec(buf, len), PHX_CCP_ERR_UNKNOWN_OPCODE);
	buf[3] ^= 1;
	ck_assert_err(phx_ccp_peek(buf, 20, &op), PHX_CCP_ERR_BAD_VERSION);
	buf[0] ^= 1;
	ck_assert_err(phx_ccp_peek(buf, 20, &op), PHX_CCP_ERR_BAD_MAGIC);
}
END_TEST

/* ---- replay ---- */

#define B1 UINT64_C(0x0000018f00000001)   /* a boot id */

static bool
fresh(struct phx_ccp_replay *r, uint16_t member, uint64_t boot, uint64_t ctr)
{
	return phx_ccp_replay_check_and_update(r, member, boot, ctr);
}

START_TEST(test_replay_window)
{
	struct phx_ccp_replay r;

	phx_ccp_replay_init(&r);
	/* in order */
	ck_assert(fresh(&r, 1, B1, 1000));
	ck_assert(fresh(&r, 1, B1, 1001));
	ck_assert(fresh(&r, 1, B1, 1002));
	/* duplicate */
	ck_assert(!fresh(&r, 1, B1, 1002));
	ck_assert(!fresh(&r, 1, B1, 1001));
	/* out of order inside the window */
	ck_assert(fresh(&r, 1, B1, 1005));
	ck_assert(fresh(&r, 1, B1, 1003));
	ck_assert(fresh(&r, 1, B1, 1004));
	ck_assert(!fresh(&r, 1, B1, 1003));
	/* window edge: top 1005 remembers 942..1005; what lies below
	 * the first frame trusted (1000) counts as seen */
	ck_assert(!fresh(&r, 1, B1, 1005 - 63));
	ck_assert(!fresh(&r, 1, B1, 999));
	ck_assert(!fresh(&r, 1, B1, 1005 - 64));   /* too old */
	ck_assert(fresh(&r, 1, B1, 1070));
	ck_assert(fresh(&r, 1, B1, 1070 - 63));    /* unseen, at the edge */
	ck_assert(!fresh(&r, 1, B1, 1070 - 63));
	ck_assert(!fresh(&r, 1, B1, 1070 - 64));
	ck_assert(!fresh(&r, 1, B1, 0));
	/* far ahead: the whole window moves */
	ck_assert(fresh(&r, 1, B1, 1005 + 1000));
	ck_assert(!fresh(&r, 1, B1, 1005));         /* now too old */
	ck_assert(fresh(&r, 1, B1, 1005 + 999));    /* unseen, in window */
	ck_assert(!fresh(&r, 1, B1, 1005 + 1000 - 64));
	/* top of the counter space */
	ck_assert(fresh(&r, 1, B1, UINT64_MAX));
	ck_assert(!fresh(&r, 1, B1, UINT64_MAX));
	ck_assert(fresh(&r, 1, B1, UINT64_MAX - 63));
	ck_assert(!fresh(&r, 1, B1, UINT64_MAX - 64));
}
END_TEST

/* Sliding by exactly 63 and 64 positions. */
START_TEST(test_replay_slide)
{
	struct phx_ccp_replay r;
	uint64_t c;

	phx_ccp_replay_init(&r);
	for (c = 0; c < 200; c++)
		ck_assert(fresh(&r, 3, B1, c));
	for (c = 136; c < 200; c++)
		ck_assert(!fresh(&r, 3, B1, c));    /* duplicates */
	ck_assert(!fresh(&r, 3, B1, 135));          /* 64 below top */

	phx_ccp_replay_init(&r);
	ck_assert(fresh(&r, 3, B1, 10));
	ck_assert(fresh(&r, 3, B1, 10 + 63));       /* 10 stays, bit 63 */
	ck_assert(!fresh(&r, 3, B1, 10));
	ck_assert(fresh(&r, 3, B1, 11));
	ck_assert(fresh(&r, 3, B1, 11 + 63 + 64)); /* slide by 64: all gone */
	ck_assert(!fresh(&r, 3, B1, 11 + 63));      /* too old now */
	ck_assert(fresh(&r, 3, B1, 11 + 64));       /* unseen, bit 63 */
}
END_TEST

/* Recorded frames of the run a just-started receiver trusts from its
 * first frame on are never taken, even inside the 64-frame window, and
 * neither are those of a restarted peer's new run sent before its first
 * frame we took. */
START_TEST(test_replay_first_frame)
{
	struct phx_ccp_replay r;

	phx_ccp_replay_init(&r);
	ck_assert(fresh(&r, 2, B1, 100));
	ck_assert(fresh(&r, 2, B1, 101));
	ck_assert(fresh(&r, 2, B1, 102));
	ck_assert(!fresh(&r, 2, B1, 90));
	ck_assert(!fresh(&r, 2, B1, 60));
	ck_assert(!fresh(&r, 2, B1, 99));
	ck_assert(fresh(&r, 2, B1 + 1, 40));
	ck_assert(!fresh(&r, 2, B1 + 1, 39));
	ck_assert(fresh(&r, 2, B1 + 1, 42));
	ck_assert(fresh(&r, 2, B1 + 1, 41));        /* after the first: kept */
}
END_TEST

START_TEST(test_replay_boot)
{
	struct phx_ccp_replay r;

	phx_ccp_replay_init(&r);
	/* first frame of a peer: any boot id, any counter */
	ck_assert(fresh(&r, 1, B1, 500));
	/* the peer restarts: greater boot id, counter starts over */
	ck_assert(fresh(&r, 1, B1 + 1, 1));
	ck_assert(!fresh(&r, 1, B1 + 1, 1));
	ck_assert(fresh(&r, 1, B1 + 1, 2));
	/* frames of the earlier run are never taken again, whatever the
	 * counter: no flipping back to a recorded run */
	ck_assert(!fresh(&r, 1, B1, 501));
	ck_assert(!fresh(&r, 1, B1, UINT64_MAX));
	ck_assert(fresh(&r, 1, B1 + 1, 3));
	/* a much newer run, counter 0 */
	ck_assert(fresh(&r, 1, UINT64_MAX, 0));
	ck_assert(!fresh(&r, 1, UINT64_MAX, 0));
	ck_assert(!fresh(&r, 1, B1 + 1, 4));
	/* peers are independent */
	ck_assert(fresh(&r, 4, B1, 500));
	ck_assert(fresh(&r, 5, B1, 500));
	ck_assert(!fresh(&r, 4, B1, 500));
	/* member ids out of range */
	ck_assert(!fresh(&r, 0, B1, 1));
	ck_assert(!fresh(&r, PHX_CCP_MAX_MEMBERS + 1, B1, 1));
	/* operator reset: the next frame is trusted again */
	phx_ccp_replay_forget(&r, 1);
	phx_ccp_replay_forget(&r, 0);
	phx_ccp_replay_forget(&r, 99);
	ck_assert(fresh(&r, 1, B1, 501));
	ck_assert(!fresh(&r, 4, B1, 500));
}
END_TEST

/* phx_ccp_accept on decoded frames: the receive path as the control
 * plane runs it. */
START_TEST(test_accept)
{
	struct phx_ccp_replay r;
	struct phx_ccp_msg m;
	uint8_t buf[BUF];
	size_t len = enc(0, buf);

	phx_ccp_replay_init(&r);
	ck_assert_err(phx_ccp_decode(buf, len, &ctx, &m), PHX_CCP_OK);
	ck_assert_err(phx_ccp_accept(&r, &m), PHX_CCP_OK);
	ck_assert_err(phx_ccp_decode(buf, len, &ctx, &m), PHX_CCP_OK);
	ck_assert_err(phx_ccp_accept(&r, &m), PHX_CCP_ERR_REPLAYED);
	/* next frame of the same sender */
	phx_ccp_sample(0, &m);
	m.hdr.counter++;
	len = (size_t)phx_ccp_encode(buf, sizeof(buf), &m, &key);
	ck_assert_err(phx_ccp_decode(buf, len, &ctx, &m), PHX_CCP_OK);
	ck_assert_err(phx_ccp_accept(&r, &m), PHX_CCP_OK);
}
END_TEST

static Suite *
ccp_suite(void)
{
	Suite *s = suite_create("ccp_codec");
	TCase *tc;

	tc = tcase_create("auth");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_hmac_kat);
	tcase_add_test(tc, test_hmac_oneshot);
	tcase_add_test(tc, test_key_hex);
	tcase_add_test(tc, test_boot_id);
	suite_add_tcase(s, tc);

	tc = tcase_create("encode");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_kat_heartbeat);
	tcase_add_test(tc, test_format);
	tcase_add_loop_test(tc, test_round_trip, 0, PHX_CCP_N_SAMPLES);
	tcase_add_loop_test(tc, test_shorthands, 0, PHX_CCP_N_SAMPLES);
	tcase_add_test(tc, test_probe_echo);
	tcase_add_test(tc, test_member_counts);
	tcase_add_loop_test(tc, test_encode_nospc, 0, PHX_CCP_N_SAMPLES);
	tcase_add_loop_test(tc, test_encode_invalid, 0, N_BAD_MSGS);
	suite_add_tcase(s, tc);

	tc = tcase_create("decode");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_xor_case, 0, (int)PHX_DIM(xor_cases));
	tcase_add_test(tc, test_ctx_reasons);
	tcase_add_test(tc, test_length_bounds);
	tcase_add_test(tc, test_structure);
	tcase_add_test(tc, test_platform);
	tcase_add_loop_test(tc, test_truncation, 0, PHX_CCP_N_SAMPLES);
	tcase_add_loop_test(tc, test_bit_flips, 0, PHX_CCP_N_SAMPLES);
	tcase_add_test(tc, test_peek);
	suite_add_tcase(s, tc);

	tc = tcase_create("replay");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_replay_window);
	tcase_add_test(tc, test_replay_slide);
	tcase_add_test(tc, test_replay_boot);
	tcase_add_test(tc, test_replay_first_frame);
	tcase_add_test(tc, test_accept);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ccp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
