/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the sync_decode seed corpus: valid bodies of every record kind
 * (ok_*), and bodies broken in one named way each, at least one per
 * decode reason (the file name starts with the reason the decoder gives).
 *
 * Run once, commit the output (ninja -C build tests/fuzz/gen_sync_seeds,
 * then build/tests/fuzz/gen_sync_seeds tests/fuzz/corpus/sync_decode).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sync_codec.h"
#include "tests/fuzz/seed_write.h"
#include "tests/unit/sync_samples.h"

static const char *out_dir;
static unsigned n_written;
static struct phx_sync_frame frame;

/* Write b[0..len) as <name>, after checking the decoder's verdict. */
static void
put(const char *name, const uint8_t *b, size_t len, enum phx_sync_err want)
{
	enum phx_sync_err e = phx_sync_decode(b, len, &frame);

	if (e != want) {
		fprintf(stderr, "%s: decodes as %s, meant %s\n", name,
			phx_sync_err_name(e), phx_sync_err_name(want));
		exit(1);
	}
	seed_write(out_dir, name, b, len);
	n_written++;
}

static size_t
build(uint8_t *b, bool sequenced, uint32_t seq,
      const struct phx_sync_rec *r, unsigned n)
{
	struct phx_sync_builder bl;
	unsigned i;

	phx_sync_build_init(&bl, b, PHX_SYNC_MAX_BODY, sequenced, seq);
	for (i = 0; i < n; i++)
		if (phx_sync_build_rec(&bl, &r[i]) != 0) {
			fprintf(stderr, "record %u refused\n", i);
			exit(1);
		}
	return phx_sync_build_finish(&bl);
}

int
main(int argc, char **argv)
{
	uint8_t b[PHX_SYNC_MAX_BODY + 8], c[PHX_SYNC_MAX_BODY + 8];
	struct phx_sync_rec r[4] = {{0}};
	size_t len;

	if (argc != 2) {
		fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];

	/* Valid bodies. */
	r[0] = phx_sync_sample_sess(PHX_SYNC_SESS_NEW, true);
	r[1] = phx_sync_sample_sess(PHX_SYNC_SESS_UPD, false);
	r[2] = (struct phx_sync_rec){ .type = PHX_SYNC_SESS_DEL };
	r[2].u.key = r[1].u.sess.key;
	r[2].u.key.proto = 17;
	r[3] = (struct phx_sync_rec){ .type = PHX_SYNC_FS_DONE, .peer = 2,
				      .u.fs = { .token = 9, .count = 100 } };
	len = build(b, true, 0xfffffffe, r, 4);
	put("ok_sess_mixed", b, len, PHX_SYNC_OK);
	r[0] = phx_sync_sample_sess(PHX_SYNC_SESS_FULL, false);
	r[1] = (struct phx_sync_rec){ .type = PHX_SYNC_FS_BEGIN, .peer = 3,
				      .u.fs.token = 9 };
	len = build(b, true, 1, r, 2);
	put("ok_full_sync", b, len, PHX_SYNC_OK);
	r[0] = (struct phx_sync_rec){ .type = PHX_SYNC_ACK, .peer = 1,
				      .u.seq = 41 };
	r[1] = (struct phx_sync_rec){ .type = PHX_SYNC_NACK, .peer = 1,
				      .u.nack = { 0xfffffff0, 0x0e } };
	r[2] = (struct phx_sync_rec){ .type = PHX_SYNC_FS_REQ, .peer = 2,
				      .u.fs.token = 9 };
	r[3] = (struct phx_sync_rec){ .type = PHX_SYNC_CFG_REQ, .peer = 2,
				      .u.fs.token = 10 };
	len = build(c, false, 0, r, 4);
	put("ok_control", c, len, PHX_SYNC_OK);
	{
		static const uint8_t text[] = "{\"rules\": []}";
		struct phx_sync_rec cf = { .type = PHX_SYNC_CFG_DATA,
			.peer = 2, .status = PHX_SYNC_CF_LAST,
			.u.cfg = { .token = 10, .offset = 0,
				   .total = sizeof(text) - 1,
				   .n = sizeof(text) - 1, .data = text } };
		size_t clen = build(b, true, 7, &cf, 1);

		put("ok_config", b, clen, PHX_SYNC_OK);
		b[PHX_SYNC_HDR_LEN + 3] = 0;    /* LAST unsaid */
		put("bad_value_cfg_last", b, clen, PHX_SYNC_ERR_BAD_VALUE);
	}

	/* One broken body per reason (and per BAD_VALUE rule of note). */
	put("too_short", c, 11, PHX_SYNC_ERR_TOO_SHORT);
	memcpy(b, c, len);
	b[2] = 2;
	put("bad_version", b, len, PHX_SYNC_ERR_BAD_VERSION);
	put("bad_length_body_len", c, len - 1, PHX_SYNC_ERR_BAD_LEN);
	memcpy(b, c, len);
	b[9] = 5;
	put("bad_length_n_records", b, len, PHX_SYNC_ERR_BAD_LEN);
	memcpy(b, c, len);
	b[13] = 200;
	put("bad_length_record", b, len, PHX_SYNC_ERR_BAD_LEN);
	memcpy(b, c, len);
	b[12] = 99;
	put("bad_record_type", b, len, PHX_SYNC_ERR_BAD_RECORD);
	memcpy(b, c, len);
	b[3] = PHX_SYNC_FF_SEQ;
	put("record_in_wrong_frame_ack", b, len, PHX_SYNC_ERR_WRONG_FRAME);
	memcpy(b, c, len);
	b[11] = 1;
	put("bad_value_reserved", b, len, PHX_SYNC_ERR_BAD_VALUE);
	memcpy(b, c, len);
	b[12 + 8 + 11] = 0x10;          /* NACK to - from == 32 */
	put("bad_value_nack_span", b, len, PHX_SYNC_ERR_BAD_VALUE);
	r[0] = phx_sync_sample_sess(PHX_SYNC_SESS_NEW, true);
	len = build(b, true, 5, r, 1);
	b[12 + 4] |= PHX_SYNC_SF_DNAT;  /* with SNAT */
	put("bad_value_snat_dnat", b, len, PHX_SYNC_ERR_BAD_VALUE);
	b[12 + 4] &= (uint8_t)~PHX_SYNC_SF_DNAT;
	b[12 + 4] &= (uint8_t)~PHX_SYNC_SF_WINDOW;
	put("bad_record_sess_len", b, len, PHX_SYNC_ERR_BAD_RECORD);

	printf("wrote %u seeds to %s\n", n_written, out_dir);
	return 0;
}
