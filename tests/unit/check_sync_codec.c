/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Check suite for lib/sync_codec and the SYNC framing of lib/ccp_codec:
 * round trips of every record type (decode(encode(x)) == x and
 * encode(decode(bytes)) == bytes), both session lengths, a full frame,
 * one crafted body per decode reason (and per BAD_VALUE rule), the
 * builder's -ENOSPC/-EINVAL, the canonical text, and the CCP layer
 * around a body (round trip, wrong key, replay).
 */
#include <check.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/ccp_auth.h"
#include "lib/ccp_codec.h"
#include "lib/compiler.h"
#include "lib/sync_codec.h"
#include "lib/timeouts.h"
#include "tests/unit/ccp_samples.h"
#include "tests/unit/sync_samples.h"

#define ck_assert_serr(got, want)                                         \
	ck_assert_msg((got) == (want), "got %s, want %s",                 \
		      phx_sync_err_name(got), phx_sync_err_name(want))

static struct phx_sync_frame frame;     /* 12 KiB: not on the stack */

static struct phx_flow_key
key_of(uint8_t proto)
{
	return (struct phx_flow_key){
		.src_ip = htonl(0x0a010064),    /* 10.1.0.100 */
		.dst_ip = htonl(0x0a020064),    /* 10.2.0.100 */
		.sport = htons(40000),
		.dport = htons(80),
		.proto = proto,
	};
}

static const uint8_t cfg_text[] = "{\"rules\": []}";

/* Sample record i of every kind. */
#define N_SAMPLES 13
static struct phx_sync_rec
sample(unsigned i)
{
	struct phx_sync_rec r = {0};

	switch (i) {
	case 0: return phx_sync_sample_sess(PHX_SYNC_SESS_NEW, false);
	case 1: return phx_sync_sample_sess(PHX_SYNC_SESS_NEW, true);
	case 2: return phx_sync_sample_sess(PHX_SYNC_SESS_UPD, true);
	case 3: return phx_sync_sample_sess(PHX_SYNC_SESS_FULL, false);
	case 4:
		r.type = PHX_SYNC_SESS_DEL;
		r.u.key = key_of(17);
		return r;
	case 5:
		r.type = PHX_SYNC_ACK;
		r.peer = 3;
		r.u.seq = 0xfffffffe;
		return r;
	case 6:
		r.type = PHX_SYNC_NACK;
		r.peer = 5;
		r.u.nack.from = 0xfffffff0;     /* wraps: 31 seqs */
		r.u.nack.to = 0x0000000e;
		return r;
	case 7:
		r.type = PHX_SYNC_FS_REQ;
		r.peer = 1;
		r.u.fs.token = 0xdeadbeef;
		return r;
	case 8:
		r.type = PHX_SYNC_FS_BEGIN;
		r.peer = 4;
		r.u.fs.token = 77;
		return r;
	case 9:
		r.type = PHX_SYNC_CFG_REQ;
		r.peer = 2;
		r.u.fs.token = 0x01020304;
		return r;
	case 10:        /* a middle chunk */
		r.type = PHX_SYNC_CFG_DATA;
		r.peer = 3;
		r.u.cfg.token = 9;
		r.u.cfg.offset = 4;
		r.u.cfg.total = sizeof(cfg_text) - 1;
		r.u.cfg.n = 5;
		r.u.cfg.data = cfg_text + 4;
		return r;
	case 11:        /* the last one */
		r.type = PHX_SYNC_CFG_DATA;
		r.peer = 3;
		r.status = PHX_SYNC_CF_LAST;
		r.u.cfg.token = 9;
		r.u.cfg.offset = 0;
		r.u.cfg.total = sizeof(cfg_text) - 1;
		r.u.cfg.n = sizeof(cfg_text) - 1;
		r.u.cfg.data = cfg_text;
		return r;
	default:
		r.type = PHX_SYNC_FS_DONE;
		r.peer = 4;
		r.status = 1;
		r.u.fs.token = 77;
		r.u.fs.count = 123456;
		return r;
	}
}

static bool
seq_kind(uint8_t type)
{
	return type != PHX_SYNC_ACK && type != PHX_SYNC_NACK &&
		type != PHX_SYNC_FS_REQ && type != PHX_SYNC_CFG_REQ;
}

/* One-record body of r; returns its length. */
static size_t
body1(const struct phx_sync_rec *r, uint8_t *buf, uint32_t seq)
{
	struct phx_sync_builder b;
	bool sq = seq_kind(r->type);

	phx_sync_build_init(&b, buf, PHX_SYNC_MAX_BODY, sq, sq ? seq : 0);
	ck_assert_int_eq(phx_sync_build_rec(&b, r), 0);
	return phx_sync_build_finish(&b);
}

static void
assert_same_rec(const struct phx_sync_rec *a, const struct phx_sync_rec *b)
{
	char ta[256], tb[256];

	phx_sync_rec_format(a, ta, sizeof(ta));
	phx_sync_rec_format(b, tb, sizeof(tb));
	ck_assert_str_eq(ta, tb);
	ck_assert_uint_eq(a->type, b->type);
	switch (a->type) {
	case PHX_SYNC_SESS_NEW:
	case PHX_SYNC_SESS_UPD:
	case PHX_SYNC_SESS_FULL:
		ck_assert(memcmp(&a->u.sess.key, &b->u.sess.key, 16) == 0);
		ck_assert_uint_eq(a->u.sess.nat_ip, b->u.sess.nat_ip);
		ck_assert_uint_eq(a->u.sess.nat_port, b->u.sess.nat_port);
		ck_assert_uint_eq(a->u.sess.win.end[1], b->u.sess.win.end[1]);
		ck_assert_uint_eq(a->u.sess.win.wscale[1],
				  b->u.sess.win.wscale[1]);
		break;
	case PHX_SYNC_SESS_DEL:
		ck_assert(memcmp(&a->u.key, &b->u.key, 16) == 0);
		break;
	case PHX_SYNC_CFG_DATA:
		ck_assert_uint_eq(a->u.cfg.n, b->u.cfg.n);
		ck_assert(memcmp(a->u.cfg.data, b->u.cfg.data, a->u.cfg.n) == 0);
		ck_assert_uint_eq(a->status, b->status);
		break;
	default:
		ck_assert_uint_eq(a->peer, b->peer);
		ck_assert_uint_eq(a->status, b->status);
		break;
	}
}

/* ---- round trips ---- */

START_TEST(test_round_trip)
{
	struct phx_sync_rec r = sample((unsigned)_i);
	uint8_t buf[PHX_SYNC_MAX_BODY], buf2[PHX_SYNC_MAX_BODY];
	struct phx_sync_builder b;
	size_t len, len2;
	bool sq = seq_kind(r.type);

	len = body1(&r, buf, 0x80000001);
	ck_assert_uint_eq(len, PHX_SYNC_HDR_LEN + phx_sync_rec_len(&r));
	ck_assert_serr(phx_sync_decode(buf, len, &frame), PHX_SYNC_OK);
	ck_assert_uint_eq(frame.n, 1);
	ck_assert_uint_eq(frame.flags, sq ? PHX_SYNC_FF_SEQ : 0);
	ck_assert_uint_eq(frame.seq, sq ? 0x80000001 : 0);
	assert_same_rec(&r, &frame.rec[0]);

	/* encode(decode(bytes)) == bytes */
	phx_sync_build_init(&b, buf2, sizeof(buf2), sq, frame.seq);
	ck_assert_int_eq(phx_sync_build_rec(&b, &frame.rec[0]), 0);
	len2 = phx_sync_build_finish(&b);
	ck_assert_uint_eq(len2, len);
	ck_assert(memcmp(buf, buf2, len) == 0);
}
END_TEST

/* CFG_DATA (the one record of variable length): its values, both ways. */
START_TEST(test_cfg_data)
{
	struct phx_sync_rec r = sample(10);
	uint8_t buf[PHX_SYNC_MAX_BODY];
	struct phx_sync_builder b;
	uint8_t big[PHX_SYNC_CFG_CHUNK + 1] = {0};
	size_t len;

	/* the longest chunk fits a record */
	r = sample(11);
	r.u.cfg.n = PHX_SYNC_CFG_CHUNK;
	r.u.cfg.total = PHX_SYNC_CFG_CHUNK;
	r.u.cfg.data = big;
	len = body1(&r, buf, 5);
	ck_assert_uint_eq(len, PHX_SYNC_HDR_LEN + 255);
	ck_assert_serr(phx_sync_decode(buf, len, &frame), PHX_SYNC_OK);
	ck_assert_uint_eq(frame.rec[0].u.cfg.n, PHX_SYNC_CFG_CHUNK);

	phx_sync_build_init(&b, buf, sizeof(buf), true, 1);
	r.u.cfg.n = PHX_SYNC_CFG_CHUNK + 1;          /* too long */
	r.u.cfg.total = PHX_SYNC_CFG_CHUNK + 1;
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	r = sample(10);
	r.status = PHX_SYNC_CF_LAST;                 /* not the end */
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	r = sample(11);
	r.status = 0;                                /* the end, unsaid */
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	r = sample(10);
	r.u.cfg.offset = r.u.cfg.total;              /* beyond the text */
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	r = sample(11);
	r.u.cfg.total = PHX_SYNC_CFG_MAX + 1;
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	r = sample(10);
	r.status = 0x80;                             /* unknown flag */
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	r = sample(10);
	r.peer = 0;
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);

	/* on the wire: a record shorter than its header; a LAST flag
	 * flipped; CFG_DATA in an unsequenced frame */
	len = body1((r = sample(11), &r), buf, 5);
	buf[PHX_SYNC_HDR_LEN + 3] = 0;
	ck_assert_serr(phx_sync_decode(buf, len, &frame),
		       PHX_SYNC_ERR_BAD_VALUE);
	buf[PHX_SYNC_HDR_LEN + 3] = PHX_SYNC_CF_LAST;
	buf[3] = 0;                                  /* not sequenced */
	buf[4] = buf[5] = buf[6] = buf[7] = 0;
	ck_assert_serr(phx_sync_decode(buf, len, &frame),
		       PHX_SYNC_ERR_WRONG_FRAME);
	len = body1((r = sample(11), &r), buf, 5);
	buf[PHX_SYNC_HDR_LEN + 1] = PHX_SYNC_CFG_HDR_LEN - 1;
	ck_assert_serr(phx_sync_decode(buf, len, &frame),
		       PHX_SYNC_ERR_BAD_RECORD);
}
END_TEST

START_TEST(test_sess_lengths)
{
	struct phx_sync_rec a = phx_sync_sample_sess(PHX_SYNC_SESS_NEW, false);
	struct phx_sync_rec w = phx_sync_sample_sess(PHX_SYNC_SESS_NEW, true);
	uint8_t buf[PHX_SYNC_MAX_BODY];
	size_t len;

	ck_assert_uint_eq(phx_sync_rec_len(&a), PHX_SYNC_SESS_LEN);
	ck_assert_uint_eq(phx_sync_rec_len(&w), PHX_SYNC_SESS_WIN_LEN);
	len = body1(&a, buf, 1);
	ck_assert_uint_eq(len, 12 + 36);
	ck_assert_uint_eq(buf[13], 36);
	len = body1(&w, buf, 1);
	ck_assert_uint_eq(len, 12 + 60);
	ck_assert_uint_eq(buf[13], 60);
	/* Known bytes: header, then addresses as they are on the wire. */
	ck_assert_uint_eq(buf[0], 0);
	ck_assert_uint_eq(buf[1], 72);
	ck_assert_uint_eq(buf[2], PHX_SYNC_VERSION);
	ck_assert_uint_eq(buf[3], PHX_SYNC_FF_SEQ);
	ck_assert_uint_eq(buf[7], 1);
	ck_assert_uint_eq(buf[9], 1);
	ck_assert_uint_eq(buf[12 + 6], 10);
	ck_assert_uint_eq(buf[12 + 9], 100);
	ck_assert_uint_eq(buf[12 + 24], 2);     /* rule 513 = 0x0201 */
	ck_assert_uint_eq(buf[12 + 25], 1);
	ck_assert_uint_eq(buf[12 + 40], 0xff);  /* end[1] */
	ck_assert_uint_eq(buf[12 + 59], 0);
}
END_TEST

START_TEST(test_full_frame)
{
	struct phx_sync_rec r = phx_sync_sample_sess(PHX_SYNC_SESS_NEW, true);
	uint8_t buf[PHX_SYNC_MAX_BODY], buf2[PHX_SYNC_MAX_BODY];
	struct phx_sync_builder b;
	size_t len;
	unsigned n = 0, i;
	int rc;

	phx_sync_build_init(&b, buf, sizeof(buf), true, 7);
	while ((rc = phx_sync_build_rec(&b, &r)) == 0) {
		n++;
		r.u.sess.key.sport = htons((uint16_t)(1000 + n));
	}
	ck_assert_int_eq(rc, -ENOSPC);
	ck_assert_uint_eq(n, 23);
	ck_assert_uint_ge(n, 20);
	len = phx_sync_build_finish(&b);
	ck_assert_uint_eq(len, 12 + 23 * 60);
	ck_assert_uint_le(len, PHX_SYNC_MAX_BODY);
	ck_assert_serr(phx_sync_decode(buf, len, &frame), PHX_SYNC_OK);
	ck_assert_uint_eq(frame.n, 23);
	phx_sync_build_init(&b, buf2, sizeof(buf2), true, 7);
	for (i = 0; i < frame.n; i++)
		ck_assert_int_eq(phx_sync_build_rec(&b, &frame.rec[i]), 0);
	ck_assert_uint_eq(phx_sync_build_finish(&b), len);
	ck_assert(memcmp(buf, buf2, len) == 0);

	/* The most records a body holds: ACKs. */
	r = sample(5);
	phx_sync_build_init(&b, buf, sizeof(buf), false, 0);
	n = 0;
	while (phx_sync_build_rec(&b, &r) == 0)
		n++;
	ck_assert_uint_eq(n, (PHX_SYNC_MAX_BODY - 12) / 8);
	ck_assert_uint_le(n, PHX_SYNC_MAX_RECORDS);
	len = phx_sync_build_finish(&b);
	ck_assert_serr(phx_sync_decode(buf, len, &frame), PHX_SYNC_OK);
	ck_assert_uint_eq(frame.n, n);
}
END_TEST

START_TEST(test_mixed_frame)
{
	uint8_t buf[PHX_SYNC_MAX_BODY];
	struct phx_sync_builder b;
	struct phx_sync_rec r;
	unsigned i, n = 0;
	size_t len;

	phx_sync_build_init(&b, buf, sizeof(buf), true, 0xffffffff);
	for (i = 0; i < N_SAMPLES; i++) {
		r = sample(i);
		if (seq_kind(r.type)) {
			ck_assert_int_eq(phx_sync_build_rec(&b, &r), 0);
			n++;
		}
	}
	len = phx_sync_build_finish(&b);
	ck_assert_serr(phx_sync_decode(buf, len, &frame), PHX_SYNC_OK);
	ck_assert_uint_eq(frame.n, n);
	ck_assert_uint_eq(frame.seq, 0xffffffff);
}
END_TEST

/* ---- builder ---- */

START_TEST(test_builder_errors)
{
	uint8_t buf[PHX_SYNC_MAX_BODY], before[PHX_SYNC_MAX_BODY];
	struct phx_sync_builder b;
	struct phx_sync_rec r;

	/* Nothing added: nothing to send. */
	phx_sync_build_init(&b, buf, sizeof(buf), true, 1);
	ck_assert_uint_eq(phx_sync_build_finish(&b), 0);

	/* Too small for the header, or for the record. */
	r = sample(5);
	phx_sync_build_init(&b, buf, 11, false, 0);
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -ENOSPC);
	phx_sync_build_init(&b, buf, 12 + 7, false, 0);
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -ENOSPC);
	phx_sync_build_init(&b, buf, 12 + 8, false, 0);
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), 0);
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -ENOSPC);
	ck_assert_uint_eq(phx_sync_build_finish(&b), 20);

	/* Wrong frame kind either way. */
	phx_sync_build_init(&b, buf, sizeof(buf), true, 1);
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	r = sample(0);
	phx_sync_build_init(&b, buf, sizeof(buf), false, 0);
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);

	/* Values; the body is unchanged on error. */
	phx_sync_build_init(&b, buf, sizeof(buf), true, 1);
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), 0);
	memcpy(before, buf, sizeof(buf));
	r.u.sess.sflags |= PHX_SYNC_SF_DNAT;            /* with SNAT */
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	r = sample(0);
	r.u.sess.sflags |= 0x10;
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	r = sample(0);
	r.u.sess.tmo_class = PHX_TMO_MAX;
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	r = sample(0);
	r.u.sess.owner = 6;
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	r = sample(0);
	r.u.sess.key.pad[1] = 1;
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	r = sample(0);
	r.u.sess.win.end[0] = 1;        /* a window without SF_WINDOW */
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	r = sample(4);
	r.u.key.proto = 0;
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	r = sample(8);
	r.peer = 0;
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	r.type = 99;
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	ck_assert_uint_eq(b.n, 1);
	ck_assert(memcmp(before, buf, sizeof(buf)) == 0);

	phx_sync_build_init(&b, buf, sizeof(buf), false, 0);
	r = sample(6);
	r.u.nack.to = r.u.nack.from + 32;
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);
	r.u.nack.to = r.u.nack.from + 31;
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), 0);
	r.u.nack.to = r.u.nack.from - 1;        /* backwards */
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), -EINVAL);

	/* An unsequenced frame carries seq 0 whatever was passed. */
	phx_sync_build_init(&b, buf, sizeof(buf), false, 1234);
	r = sample(5);
	ck_assert_int_eq(phx_sync_build_rec(&b, &r), 0);
	ck_assert_serr(phx_sync_decode(buf, phx_sync_build_finish(&b), &frame),
		       PHX_SYNC_OK);
	ck_assert_uint_eq(frame.seq, 0);
}
END_TEST

/* ---- decode reasons ---- */

/* A body to break: the given sample alone. Returns the length. */
static size_t
base(unsigned i, uint8_t *buf)
{
	struct phx_sync_rec r = sample(i);

	return body1(&r, buf, 0);      /* seq 0: one flag byte unsequences */
}

static void
set16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

struct bad_case {
	const char *what;
	unsigned sample;
	int off;              /* byte to set; -1: length handled by delta */
	uint8_t val;
	int delta;            /* change of the buffer length (and body_len) */
	enum phx_sync_err want;
};

static const struct bad_case bad_cases[] = {
	{ "version", 5, 2, 2, 0, PHX_SYNC_ERR_BAD_VERSION },
	{ "unknown frame flag", 0, 3, 0x03, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "reserved", 5, 11, 1, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "unsequenced with seq", 5, 7, 1, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "zero records", 5, 9, 0, 0, PHX_SYNC_ERR_BAD_LEN },
	{ "more records than bytes", 5, 9, 2, 0, PHX_SYNC_ERR_BAD_LEN },
	{ "trailing bytes", 5, -1, 0, 4, PHX_SYNC_ERR_BAD_LEN },
	{ "record past the end", 5, 13, 9, 0, PHX_SYNC_ERR_BAD_LEN },
	{ "record len 1", 5, 13, 1, 0, PHX_SYNC_ERR_BAD_LEN },
	{ "unknown record type", 5, 12, 99, 0, PHX_SYNC_ERR_BAD_RECORD },
	{ "retired type 0", 5, 12, 0, 0, PHX_SYNC_ERR_BAD_RECORD },
	{ "ACK too short", 5, 13, 4, 0, PHX_SYNC_ERR_BAD_RECORD },
	{ "SESS 60 without WINDOW", 1, 12 + 4, 0x05, 0,
	  PHX_SYNC_ERR_BAD_RECORD },
	{ "SESS 36 with WINDOW", 0, 12 + 4, 0x0d, 0, PHX_SYNC_ERR_BAD_RECORD },
	{ "FS_REQ as FS_BEGIN", 7, 12, PHX_SYNC_FS_BEGIN, 0,
	  PHX_SYNC_ERR_WRONG_FRAME },
	{ "SESS unsequenced", 0, 3, 0, 0, PHX_SYNC_ERR_WRONG_FRAME },
	{ "ACK sequenced", 5, 3, 1, 0, PHX_SYNC_ERR_WRONG_FRAME },
	{ "proto 0", 0, 12 + 2, 0, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "state out of range", 0, 12 + 3, PHX_TCP_STATE_MAX, 0,
	  PHX_SYNC_ERR_BAD_VALUE },
	{ "unknown sflag", 0, 12 + 4, 0x15, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "SNAT and DNAT", 0, 12 + 4, 0x03, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "tmo_class", 0, 12 + 5, PHX_TMO_MAX, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "owner 0", 0, 12 + 27, 0, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "owner 6", 1, 12 + 27, 6, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "window pad", 1, 12 + 59, 1, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "DEL proto 0", 4, 12 + 2, 0, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "DEL pad", 4, 12 + 3, 1, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "ACK peer 0", 5, 12 + 2, 0, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "ACK peer 6", 5, 12 + 2, 6, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "ACK pad", 5, 12 + 3, 1, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "NACK span 32", 6, 12 + 11, 0x10, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "NACK backwards", 6, 12 + 4, 0x00, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "NACK pad", 6, 12 + 3, 1, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "FS_REQ pad", 7, 12 + 3, 1, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "FS_BEGIN peer 7", 8, 12 + 2, 7, 0, PHX_SYNC_ERR_BAD_VALUE },
	{ "FS_DONE peer 0", 9, 12 + 2, 0, 0, PHX_SYNC_ERR_BAD_VALUE },
};

START_TEST(test_bad_case)
{
	const struct bad_case *c = &bad_cases[_i];
	uint8_t buf[PHX_SYNC_MAX_BODY + 16] = {0};
	size_t len = base(c->sample, buf);

	if (c->off >= 0)
		buf[c->off] = c->val;
	len = (size_t)((int)len + c->delta);
	if (c->delta != 0)
		set16(buf, (uint16_t)len);
	ck_assert_msg(phx_sync_decode(buf, len, &frame) == c->want,
		      "%s: got %s, want %s", c->what,
		      phx_sync_err_name(phx_sync_decode(buf, len, &frame)),
		      phx_sync_err_name(c->want));
}
END_TEST

START_TEST(test_header_reasons)
{
	uint8_t buf[PHX_SYNC_MAX_BODY + 16] = {0};
	struct phx_sync_rec r = sample(0);
	uint32_t seq = 0;
	uint8_t flags = 0;
	size_t len = body1(&r, buf, 5);

	ck_assert_serr(phx_sync_decode(buf, 0, &frame), PHX_SYNC_ERR_TOO_SHORT);
	ck_assert_serr(phx_sync_decode(buf, 11, &frame),
		       PHX_SYNC_ERR_TOO_SHORT);
	/* body_len against the buffer: shorter, longer */
	ck_assert_serr(phx_sync_decode(buf, len - 1, &frame),
		       PHX_SYNC_ERR_BAD_LEN);
	ck_assert_serr(phx_sync_decode(buf, len + 1, &frame),
		       PHX_SYNC_ERR_BAD_LEN);
	/* Larger than any body may be. */
	set16(buf, PHX_SYNC_MAX_BODY + 1);
	ck_assert_serr(phx_sync_decode(buf, PHX_SYNC_MAX_BODY + 1, &frame),
		       PHX_SYNC_ERR_BAD_LEN);
	set16(buf, (uint16_t)len);
	/* Too many records announced. */
	set16(buf + 8, PHX_SYNC_MAX_RECORDS + 1);
	ck_assert_serr(phx_sync_decode(buf, len, &frame), PHX_SYNC_ERR_BAD_LEN);
	set16(buf + 8, 1);

	ck_assert_serr(phx_sync_peek(buf, len, &flags, &seq), PHX_SYNC_OK);
	ck_assert_uint_eq(flags, PHX_SYNC_FF_SEQ);
	ck_assert_uint_eq(seq, 5);
	ck_assert_serr(phx_sync_peek(buf, 3, &flags, &seq),
		       PHX_SYNC_ERR_TOO_SHORT);

	/* Truncation at every length is refused, never read past. */
	for (size_t l = 0; l < len; l++)
		ck_assert_int_ne(phx_sync_decode(buf, l, &frame), PHX_SYNC_OK);
}
END_TEST

/* Every reason has a name and a description. */
START_TEST(test_names)
{
	int e;

	for (e = 0; e < PHX_SYNC_ERR_MAX; e++) {
		ck_assert_ptr_nonnull(phx_sync_err_name(e));
		ck_assert_str_ne(phx_sync_err_name(e), "unknown");
		ck_assert_str_ne(phx_sync_err_desc(e), "unknown reason");
	}
	ck_assert_str_eq(phx_sync_err_name(PHX_SYNC_ERR_BAD_LEN), "bad_length");
	ck_assert_str_eq(phx_sync_err_name(PHX_SYNC_ERR_WRONG_FRAME),
			 "record_in_wrong_frame");
	ck_assert_str_eq(phx_sync_err_name(PHX_SYNC_ERR_MAX), "unknown");
	ck_assert_str_eq(phx_sync_rec_name(PHX_SYNC_SESS_FULL), "SESS_FULL");
	ck_assert_str_eq(phx_sync_rec_name(PHX_SYNC_FS_BEGIN), "FS_BEGIN");
	ck_assert_str_eq(phx_sync_rec_name(0), "unknown");
	ck_assert_str_eq(phx_sync_rec_name(255), "unknown");
}
END_TEST

START_TEST(test_format)
{
	struct phx_sync_rec r;
	char buf[256];
	int n;

	r = sample(0);
	n = phx_sync_rec_format(&r, buf, sizeof(buf));
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_str_eq(buf, "SESS_NEW proto=6 10.1.0.100:40000 > "
			 "10.2.0.100:80 state=3 sflags=0x05 tmo=1 "
			 "nat=192.0.2.1:61000 rule=513 in=3 owner=2 "
			 "gen=16909060 rem=3599000ms");
	r = sample(1);
	phx_sync_rec_format(&r, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, " end=286331153,4294967280 "
				     "maxend=572662306,858993459 "
				     "maxwin=65535,1024 wscale=7,15 "
				     "wflags=0x01"));
	r = sample(4);
	phx_sync_rec_format(&r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "SESS_DEL proto=17 10.1.0.100:40000 > "
			 "10.2.0.100:80");
	r = sample(6);
	phx_sync_rec_format(&r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "NACK peer=5 from=4294967280 to=14");
	r = sample(12);
	phx_sync_rec_format(&r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "FS_DONE peer=4 status=1 token=77 count=123456");
	r = sample(10);
	phx_sync_rec_format(&r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "CFG_DATA peer=3 flags=0 token=9 offset=4 "
			 "total=13 n=5");
	/* Truncated output still reports the full length. */
	r = sample(1);
	n = phx_sync_rec_format(&r, buf, 10);
	ck_assert_int_gt(n, 100);
	ck_assert_uint_eq(strlen(buf), 9);
}
END_TEST

/* ---- the CCP layer around a body ---- */

static struct phx_ccp_key key;
static struct phx_ccp_ctx ctx;

static void
setup_ccp(void)
{
	phx_ccp_test_key(&key);
	ctx = phx_ccp_test_ctx(&key);
}

START_TEST(test_ccp_round_trip)
{
	struct phx_ccp_hdr_info h = phx_ccp_test_hdr(1, PHX_CCP_DST_ALL, 99);
	struct phx_ccp_hdr_info got;
	struct phx_sync_rec r = sample(1);
	uint8_t body[PHX_SYNC_MAX_BODY], f[PHX_CCP_MAX_FRAME];
	const uint8_t *gb = NULL;
	size_t blen, glen = 0;
	int n;

	h.policy_id = 0x1234;
	blen = body1(&r, body, 42);
	n = phx_ccp_encode_sync(f, sizeof(f), &h, body, blen, &key);
	ck_assert_int_eq(n, (int)(20 + blen + 24 + PHX_CCP_TAG_LEN));
	ck_assert_uint_eq(f[6], 0);
	ck_assert_uint_eq(f[7], PHX_CCP_OP_SYNC);
	ck_assert_uint_eq(f[20 + blen + 2], 0);         /* ext_len 24 */
	ck_assert_uint_eq(f[20 + blen + 3], 24);
	ck_assert_int_eq(phx_ccp_decode_sync(f, (size_t)n, &ctx, &got, &gb,
					     &glen), PHX_CCP_OK);
	ck_assert_ptr_eq(gb, f + 20);
	ck_assert_uint_eq(glen, blen);
	ck_assert(memcmp(gb, body, blen) == 0);
	ck_assert_uint_eq(got.cluster, h.cluster);
	ck_assert_uint_eq(got.src_if, h.src_if);
	ck_assert_uint_eq(got.src, h.src);
	ck_assert_uint_eq(got.dst, h.dst);
	ck_assert_uint_eq(got.policy_id, 0x1234);
	ck_assert_uint_eq(got.mac_magic, h.mac_magic);
	ck_assert_uint_eq(got.boot_id, h.boot_id);
	ck_assert_uint_eq(got.counter, 99);
	ck_assert_serr(phx_sync_decode(gb, glen, &frame), PHX_SYNC_OK);
	ck_assert_uint_eq(frame.seq, 42);

	/* A SYNC frame is not a message, a message not a SYNC frame. */
	{
		struct phx_ccp_msg m;
		uint8_t mf[PHX_CCP_MAX_ENCODED];
		int mn;

		ck_assert_int_eq(phx_ccp_decode(f, (size_t)n, &ctx, &m),
				 PHX_CCP_ERR_UNKNOWN_OPCODE);
		phx_ccp_sample(1, &m);      /* long enough for SYNC */
		mn = phx_ccp_encode(mf, sizeof(mf), &m, &key);
		ck_assert_int_gt(mn, 0);
		ck_assert_int_eq(phx_ccp_decode_sync(mf, (size_t)mn, &ctx, &got,
						     &gb, &glen),
				 PHX_CCP_ERR_UNKNOWN_OPCODE);
	}
}
END_TEST

/* Recompute the tag of f[0..len), to reach the checks behind it. */
static void
resign(uint8_t *f, size_t len)
{
	phx_ccp_auth_tag(&key, f, len - PHX_CCP_TAG_LEN,
			 f + len - PHX_CCP_TAG_LEN);
}

START_TEST(test_ccp_reasons)
{
	struct phx_ccp_hdr_info h = phx_ccp_test_hdr(3, 2, 5), got;
	struct phx_sync_rec r = sample(5);
	uint8_t body[PHX_SYNC_MAX_BODY], f[PHX_CCP_MAX_FRAME + 8], g[2048];
	struct phx_ccp_key other;
	struct phx_ccp_ctx octx;
	uint8_t raw[PHX_CCP_KEY_LEN];
	const uint8_t *gb;
	size_t blen, glen, len;
	int n;

	blen = body1(&r, body, 0);
	n = phx_ccp_encode_sync(f, sizeof(f), &h, body, blen, &key);
	ck_assert_int_gt(n, 0);
	len = (size_t)n;
	ck_assert_uint_eq(len, PHX_CCP_MIN_SYNC_FRAME + 8);

	/* Wrong key. */
	memset(raw, 0x5a, sizeof(raw));
	ck_assert_int_eq(phx_ccp_key_init(&other, raw), 0);
	octx = ctx;
	octx.key = &other;
	ck_assert_int_eq(phx_ccp_decode_sync(f, len, &octx, &got, &gb, &glen),
			 PHX_CCP_ERR_BAD_TAG);
	/* Header reasons come before the tag. */
	octx = ctx;
	octx.cluster = 8;
	ck_assert_int_eq(phx_ccp_decode_sync(f, len, &octx, &got, &gb, &glen),
			 PHX_CCP_ERR_FOREIGN_CLUSTER);
	octx = ctx;
	octx.self = 3;
	ck_assert_int_eq(phx_ccp_decode_sync(f, len, &octx, &got, &gb, &glen),
			 PHX_CCP_ERR_FROM_SELF);
	ck_assert_int_eq(phx_ccp_decode_sync(f, PHX_CCP_MIN_SYNC_FRAME - 1,
					     &ctx, &got, &gb, &glen),
			 PHX_CCP_ERR_TOO_SHORT);
	/* A flipped body byte breaks the tag. */
	f[25] ^= 1;
	ck_assert_int_eq(phx_ccp_decode_sync(f, len, &ctx, &got, &gb, &glen),
			 PHX_CCP_ERR_BAD_TAG);
	f[25] ^= 1;

	/* Behind the tag: body_len too small, too large for the frame,
	 * extension values. */
	memcpy(g, f, len);
	g[21] = 11;
	resign(g, len);
	ck_assert_int_eq(phx_ccp_decode_sync(g, len, &ctx, &got, &gb, &glen),
			 PHX_CCP_ERR_BAD_LEN);
	memcpy(g, f, len);
	g[21] = 21;
	resign(g, len);
	ck_assert_int_eq(phx_ccp_decode_sync(g, len, &ctx, &got, &gb, &glen),
			 PHX_CCP_ERR_BAD_LEN);
	memcpy(g, f, len);
	g[20 + blen] = 2;
	resign(g, len);
	ck_assert_int_eq(phx_ccp_decode_sync(g, len, &ctx, &got, &gb, &glen),
			 PHX_CCP_ERR_BAD_VERSION);
	memcpy(g, f, len);
	g[20 + blen + 1] = 0x11;
	resign(g, len);
	ck_assert_int_eq(phx_ccp_decode_sync(g, len, &ctx, &got, &gb, &glen),
			 PHX_CCP_ERR_BAD_MAC_MAGIC);
	memcpy(g, f, len);
	g[11] ^= 1;                                     /* random id */
	resign(g, len);
	ck_assert_int_eq(phx_ccp_decode_sync(g, len, &ctx, &got, &gb, &glen),
			 PHX_CCP_ERR_MALFORMED);
	memcpy(g, f, len);
	g[13] = 9;                                      /* src 9 */
	resign(g, len);
	ck_assert_int_eq(phx_ccp_decode_sync(g, len, &ctx, &got, &gb, &glen),
			 PHX_CCP_ERR_MALFORMED);

	/* Encoder checks. */
	ck_assert_int_eq(phx_ccp_encode_sync(g, len - 1, &h, body, blen, &key),
			 -ENOSPC);
	ck_assert_int_eq(phx_ccp_encode_sync(g, sizeof(g), &h, body, blen - 1,
					     &key), -EINVAL);
	ck_assert_int_eq(phx_ccp_encode_sync(g, sizeof(g), &h, body, 11, &key),
			 -EINVAL);
	h.src = 0;
	ck_assert_int_eq(phx_ccp_encode_sync(g, sizeof(g), &h, body, blen,
					     &key), -EINVAL);
}
END_TEST

START_TEST(test_ccp_replay)
{
	struct phx_ccp_hdr_info h = phx_ccp_test_hdr(1, PHX_CCP_DST_ALL, 10);
	struct phx_ccp_hdr_info got;
	struct phx_sync_rec r = sample(0);
	uint8_t body[PHX_SYNC_MAX_BODY], f[PHX_CCP_MAX_FRAME];
	struct phx_ccp_replay rp;
	const uint8_t *gb;
	size_t blen, glen;
	int n;

	phx_ccp_replay_init(&rp);
	blen = body1(&r, body, 1);
	n = phx_ccp_encode_sync(f, sizeof(f), &h, body, blen, &key);
	ck_assert_int_eq(phx_ccp_decode_sync(f, (size_t)n, &ctx, &got, &gb,
					     &glen), PHX_CCP_OK);
	ck_assert_int_eq(phx_ccp_accept_hdr(&rp, &got), PHX_CCP_OK);
	ck_assert_int_eq(phx_ccp_accept_hdr(&rp, &got), PHX_CCP_ERR_REPLAYED);
	h.counter = 11;
	n = phx_ccp_encode_sync(f, sizeof(f), &h, body, blen, &key);
	ck_assert_int_eq(phx_ccp_decode_sync(f, (size_t)n, &ctx, &got, &gb,
					     &glen), PHX_CCP_OK);
	ck_assert_int_eq(phx_ccp_accept_hdr(&rp, &got), PHX_CCP_OK);
}
END_TEST

static Suite *
sync_codec_suite(void)
{
	Suite *s = suite_create("sync_codec");
	TCase *tc;

	tc = tcase_create("round_trip");
	tcase_add_loop_test(tc, test_round_trip, 0, N_SAMPLES);
	tcase_add_test(tc, test_sess_lengths);
	tcase_add_test(tc, test_cfg_data);
	tcase_add_test(tc, test_full_frame);
	tcase_add_test(tc, test_mixed_frame);
	tcase_add_test(tc, test_format);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_builder_errors);
	tcase_add_loop_test(tc, test_bad_case, 0, (int)PHX_DIM(bad_cases));
	tcase_add_test(tc, test_header_reasons);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("ccp");
	tcase_add_checked_fixture(tc, setup_ccp, NULL);
	tcase_add_test(tc, test_ccp_round_trip);
	tcase_add_test(tc, test_ccp_reasons);
	tcase_add_test(tc, test_ccp_replay);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sync_codec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
