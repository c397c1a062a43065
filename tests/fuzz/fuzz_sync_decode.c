/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for lib/sync_codec (STYLE 3.9; FRR fuzzing.rst: fuzz at
 * the decoder's entry point). Each input is one sync body, the payload a
 * SYNC frame carries once lib/ccp_codec has checked its tag: what a peer
 * holding the cluster key, or a bug in one, can make us parse.
 *
 * Besides ASan/UBSan findings it checks the codec's contract and aborts
 * when it breaks (abort(), not assert(): release builds define NDEBUG):
 *  - the reason is one of enum phx_sync_err and has a name;
 *  - peek agrees with decode on the header (a body decode accepts, peek
 *    accepts with the same flags and seq; a header peek refuses, decode
 *    refuses for the same reason);
 *  - an accepted body re-encodes through the builder to the very same
 *    bytes (the canonical round trip), into an exact-size buffer so an
 *    encoder overrun is an ASan report, and every record formats.
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

#include "lib/sync_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", \
				__FILE__, __LINE__, #cond);             \
			abort();                                        \
		}                                                       \
	} while (0)

/* 12 KiB: static, not on libFuzzer's stack; no state survives an input
 * (decode writes what it reads). */
static struct phx_sync_frame frame;

static void
check_accepted(const uint8_t *buf, size_t len)
{
	struct phx_sync_builder b;
	char text[512];
	uint8_t *out;
	unsigned i;
	int n;

	FUZZ_CHECK(len >= PHX_SYNC_HDR_LEN && len <= PHX_SYNC_MAX_BODY);
	FUZZ_CHECK(frame.n >= 1 && frame.n <= PHX_SYNC_MAX_RECORDS);

	out = malloc(len);
	FUZZ_CHECK(out != NULL);
	phx_sync_build_init(&b, out, len, frame.flags & PHX_SYNC_FF_SEQ,
			    frame.seq);
	for (i = 0; i < frame.n; i++) {
		FUZZ_CHECK(phx_sync_build_rec(&b, &frame.rec[i]) == 0);
		n = phx_sync_rec_format(&frame.rec[i], text, sizeof(text));
		FUZZ_CHECK(n > 0 && (size_t)n < sizeof(text));
	}
	FUZZ_CHECK(phx_sync_build_finish(&b) == len);
	FUZZ_CHECK(memcmp(out, buf, len) == 0);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum phx_sync_err e, pe;
	uint8_t flags = 0;
	uint32_t seq = 0;

	e = phx_sync_decode(data, size, &frame);
	FUZZ_CHECK((unsigned)e < PHX_SYNC_ERR_MAX);
	FUZZ_CHECK(phx_sync_err_name(e) != NULL);
	pe = phx_sync_peek(data, size, &flags, &seq);
	if (pe != PHX_SYNC_OK)
		FUZZ_CHECK(e == pe);
	if (e == PHX_SYNC_OK) {
		FUZZ_CHECK(pe == PHX_SYNC_OK);
		FUZZ_CHECK(flags == frame.flags && seq == frame.seq);
		check_accepted(data, size);
	}
	return 0;
}
