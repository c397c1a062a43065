/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for lib/ccp_codec (STYLE 3.9; FRR fuzzing.rst: fuzz at
 * the decoder's entry point). Each input is one CCP frame (a UDP payload),
 * decoded with the test key and context of tests/unit/ccp_samples.h, twice:
 *
 *   1. as it is: the fuzzer can rarely forge a tag, so this mostly
 *      exercises the checks in front of the tag (and replays the seeds,
 *      which carry valid tags);
 *   2. with its last 32 bytes replaced by the correct tag for the rest:
 *      this is what lets the fuzzer reach the body, extension and TLV
 *      parsers, which sit behind the authentication.
 *
 * Besides ASan/UBSan findings it checks the codec's contract and aborts
 * when it breaks (abort(), not assert(): release builds define NDEBUG):
 *  - the reason is a decode reason (never REPLAYED, which is the replay
 *    step's) and has a name;
 *  - re-tagging changes nothing about reasons found in front of the tag;
 *  - an accepted frame re-encodes to the very same bytes (or, when it
 *    carried unknown optional TLVs, to a shorter frame that decodes to
 *    the same canonical text), peek agrees on the opcode, and the replay
 *    step takes it once and refuses it the second time.
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

#include "lib/ccp_auth.h"
#include "lib/ccp_codec.h"
#include "tests/unit/ccp_samples.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", \
				__FILE__, __LINE__, #cond);             \
			abort();                                        \
		}                                                       \
	} while (0)

/* Reasons decided from the header alone, before the tag. */
static int
before_tag(enum phx_ccp_err e)
{
	switch (e) {
	case PHX_CCP_ERR_TOO_SHORT:
	case PHX_CCP_ERR_BAD_MAGIC:
	case PHX_CCP_ERR_UNKNOWN_OPCODE:
	case PHX_CCP_ERR_FOREIGN_CLUSTER:
	case PHX_CCP_ERR_FROM_SELF:
		return 1;
	default:
		return 0;       /* BAD_VERSION and BAD_LEN can be either */
	}
}

/* The contract for an accepted frame buf[0..len). */
static void
check_accepted(const uint8_t *buf, size_t len, const struct phx_ccp_msg *m,
	       const struct phx_ccp_ctx *ctx)
{
	char text[1024], text2[1024];
	struct phx_ccp_replay r;
	struct phx_ccp_msg m2;
	uint16_t op = 0;
	uint8_t *out;
	int n;

	FUZZ_CHECK(len >= PHX_CCP_MIN_FRAME && len <= PHX_CCP_MAX_FRAME);
	FUZZ_CHECK(phx_ccp_peek(buf, len, &op) == PHX_CCP_OK);
	FUZZ_CHECK(op == m->opcode);
	FUZZ_CHECK(m->hdr.src != ctx->self);
	n = phx_ccp_msg_format(m, text, sizeof(text));
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(text));

	/* Exact-size output buffer: an encoder overrun is an ASan report. */
	out = malloc(len);
	FUZZ_CHECK(out != NULL);
	n = phx_ccp_encode(out, len, m, ctx->key);
	if (m->skipped_tlvs == 0) {
		FUZZ_CHECK(n == (int)len);
		FUZZ_CHECK(memcmp(out, buf, len) == 0);
	} else {
		FUZZ_CHECK(n > 0 && (size_t)n < len);
		FUZZ_CHECK(phx_ccp_decode(out, (size_t)n, ctx, &m2) ==
			   PHX_CCP_OK);
		FUZZ_CHECK(m2.skipped_tlvs == 0);
		m2.skipped_tlvs = m->skipped_tlvs;
		phx_ccp_msg_format(&m2, text2, sizeof(text2));
		FUZZ_CHECK(strcmp(text, text2) == 0);
	}
	free(out);

	phx_ccp_replay_init(&r);
	FUZZ_CHECK(phx_ccp_accept(&r, m) == PHX_CCP_OK);
	FUZZ_CHECK(phx_ccp_accept(&r, m) == PHX_CCP_ERR_REPLAYED);
}

static enum phx_ccp_err
decode_checked(const uint8_t *buf, size_t len, const struct phx_ccp_ctx *ctx)
{
	struct phx_ccp_msg m;
	enum phx_ccp_err e;

	e = phx_ccp_decode(buf, len, ctx, &m);
	FUZZ_CHECK((unsigned)e < PHX_CCP_ERR_MAX);
	FUZZ_CHECK(e != PHX_CCP_ERR_REPLAYED);
	FUZZ_CHECK(phx_ccp_err_name(e) != NULL);
	if (e == PHX_CCP_OK)
		check_accepted(buf, len, &m, ctx);
	return e;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct phx_ccp_key key;
	struct phx_ccp_ctx ctx;
	enum phx_ccp_err raw, signed_;
	uint8_t *copy;

	phx_ccp_test_key(&key);
	ctx = phx_ccp_test_ctx(&key);

	raw = decode_checked(data, size, &ctx);
	if (size < PHX_CCP_TAG_LEN)
		return 0;

	copy = malloc(size);
	FUZZ_CHECK(copy != NULL);
	memcpy(copy, data, size);
	phx_ccp_auth_tag(&key, copy, size - PHX_CCP_TAG_LEN,
			 copy + size - PHX_CCP_TAG_LEN);
	signed_ = decode_checked(copy, size, &ctx);
	if (before_tag(raw))
		FUZZ_CHECK(signed_ == raw);
	if (raw == PHX_CCP_OK)
		FUZZ_CHECK(signed_ == PHX_CCP_OK);     /* same bytes */
	free(copy);
	return 0;
}
