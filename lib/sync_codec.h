/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * State sync codec: the payload of a CCP frame with opcode PHX_CCP_OP_SYNC
 * (lib/ccp_wire.h) <-> host records. The CCP layer around it (CPHA header,
 * extension with boot id and counter, HMAC tag) is lib/ccp_codec's
 * phx_ccp_encode_sync/phx_ccp_decode_sync; this codec sees only the sync
 * body and trusts nothing in it. docs/PROTOCOL.md ("## Sync") describes the
 * same bytes for dissector writers; tools/ccp.lua dissects them.
 *
 * Sync body (every multi-byte field big-endian, addresses and ports as
 * they are on the wire):
 *
 *   0  u16 body_len    bytes of the body, this header included (12..)
 *   2  u8  version     PHX_SYNC_VERSION
 *   3  u8  flags       PHX_SYNC_FF_*; unknown bits: malformed
 *   4  u32 seq         sender's sequence number (FF_SEQ frames; 0 else)
 *   8  u16 n_records   records that follow, 1..PHX_SYNC_MAX_RECORDS
 *  10  u16 reserved    0
 *  12  records, back to back, exactly filling body_len
 *
 * A record starts with u8 type, u8 len (bytes, the two included); its
 * length is fixed by the type (SESS: by the type and its WINDOW flag).
 *
 *   SESS_NEW 1 / SESS_UPD 2 / SESS_FULL 4   (len 36, or 60 with SF_WINDOW)
 *      2 u8 proto  3 u8 state  4 u8 sflags (PHX_SYNC_SF_*)  5 u8 tmo_class
 *      6 u32 src_ip  10 u32 dst_ip  14 u16 sport  16 u16 dport   (forward key)
 *     18 u32 nat_ip  22 u16 nat_port
 *     24 u16 rule  26 u8 in_port  27 u8 owner (member id 1..5)
 *     28 u32 gen (policy generation, low 32 bits)
 *     32 u32 remaining_ms (lifetime left when sent; the receiver rebases)
 *     -- SF_WINDOW only:
 *     36 u32 end[2]  44 u32 maxend[2]  52 u16 maxwin[2]  56 u8 wscale[2]
 *     58 u8 wflags  59 u8 0
 *   SESS_DEL 3 (len 16)
 *      2 u8 proto  3 u8 0  4 u32 src_ip  8 u32 dst_ip  12 u16 sport
 *     14 u16 dport
 *   ACK 16 (len 8): 2 u8 peer  3 u8 0  4 u32 seq
 *      every frame of peer's stream up to seq (serial order) arrived
 *   NACK 17 (len 12): 2 u8 peer  3 u8 0  4 u32 from  8 u32 to
 *      frames [from, to] of peer's stream are missing; to - from < 32
 *   FS_REQ 18 (len 8): 2 u8 peer (asked to serve)  3 u8 0  4 u32 token
 *   FS_BEGIN 20 (len 8): 2 u8 peer (joiner)  3 u8 0  4 u32 token
 *   FS_DONE 19 (len 12): 2 u8 peer (joiner)  3 u8 status (0 = complete)
 *      4 u32 token  8 u32 count (SESS_FULL records sent)
 *   CFG_REQ 21 (len 8): 2 u8 peer (asked)  3 u8 0  4 u32 token
 *      a member started with `join: auto` asks for the cluster's
 *      configuration (SPEC FAIL-50)
 *   CFG_DATA 22 (len 16 + n, n = 0..PHX_SYNC_CFG_CHUNK): 2 u8 peer
 *      (joiner)  3 u8 cflags (PHX_SYNC_CF_LAST)  4 u32 token  8 u32 offset
 *     12 u32 total (bytes of the whole text, 1..PHX_SYNC_CFG_MAX)
 *     16 n bytes of the configuration text (JSON) from offset; LAST is
 *      set exactly when offset + n == total
 *
 * Which records go where: a sequenced frame (FF_SEQ) carries session
 * records, FS_BEGIN/FS_DONE and CFG_DATA, the parts of the sender's
 * ordered stream; an unsequenced frame carries ACK, NACK, FS_REQ and
 * CFG_REQ, which must never be
 * retransmitted or wait in a reorder window. Anything else is malformed.
 *
 * Threads: pure functions, any thread; buffers belong to the caller.
 */
#ifndef PHX_LIB_SYNC_CODEC_H
#define PHX_LIB_SYNC_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/flow_key.h"
#include "lib/tcp_fsm.h"

#define PHX_SYNC_VERSION      1
#define PHX_SYNC_HDR_LEN      12
#define PHX_SYNC_SESS_LEN     36      /* without TCP window */
#define PHX_SYNC_SESS_WIN_LEN 60      /* with TCP window */
#define PHX_SYNC_DEL_LEN      16
#define PHX_SYNC_ACK_LEN      8
#define PHX_SYNC_NACK_LEN     12
#define PHX_SYNC_FS_REQ_LEN   8
#define PHX_SYNC_FS_BEGIN_LEN 8
#define PHX_SYNC_FS_DONE_LEN  12
#define PHX_SYNC_CFG_REQ_LEN  8
#define PHX_SYNC_CFG_HDR_LEN  16      /* CFG_DATA before its bytes */
#define PHX_SYNC_CFG_CHUNK    (255 - PHX_SYNC_CFG_HDR_LEN) /* bytes a record
					* carries (a record length is a u8) */
#define PHX_SYNC_CFG_MAX      (1u << 20) /* longest configuration text */
#define PHX_SYNC_CF_LAST      0x01    /* CFG_DATA: the text's last chunk */
#define PHX_SYNC_NACK_SPAN    32      /* seqs per NACK range (SPEC SYNC-34) */
/* Largest body: what a 1500-byte IPv4 packet leaves after IPv4, UDP, the
 * CPHA header, the CCP extension and the tag. */
#define PHX_SYNC_MAX_BODY     (1500 - 20 - 8 - 20 - 24 - 32)
#define PHX_SYNC_MAX_RECORDS  (PHX_SYNC_MAX_BODY / PHX_SYNC_ACK_LEN)

/* Frame flags */
#define PHX_SYNC_FF_SEQ       0x01    /* part of the sender's sequence */
#define PHX_SYNC_FF_ALL       0x01

/* Record types (never reuse a retired number). */
enum phx_sync_rec_type {
	PHX_SYNC_SESS_NEW = 1,
	PHX_SYNC_SESS_UPD = 2,
	PHX_SYNC_SESS_DEL = 3,
	PHX_SYNC_SESS_FULL = 4,   /* a session sent by a full sync */
	PHX_SYNC_ACK = 16,
	PHX_SYNC_NACK = 17,
	PHX_SYNC_FS_REQ = 18,
	PHX_SYNC_FS_DONE = 19,
	PHX_SYNC_FS_BEGIN = 20,
	PHX_SYNC_CFG_REQ = 21,
	PHX_SYNC_CFG_DATA = 22,
};

/* Session flags on the wire. Unknown bits, or SNAT and DNAT together:
 * malformed. */
#define PHX_SYNC_SF_SNAT      0x01
#define PHX_SYNC_SF_DNAT      0x02
#define PHX_SYNC_SF_REPLIED   0x04
#define PHX_SYNC_SF_WINDOW    0x08    /* TCP window fields follow */
#define PHX_SYNC_SF_ALL       0x0f

/* Why a body was rejected. X(ENUM_SUFFIX, counter_name, description).
 * Counter names are stable telemetry keys (drop_<name>). */
#define PHX_SYNC_ERRORS(X)                                                   \
	X(TOO_SHORT, too_short, "shorter than a sync header")                \
	X(BAD_VERSION, bad_version, "sync version not ours")                 \
	X(BAD_LEN, bad_length, "a length field disagrees with the frame")    \
	X(BAD_RECORD, bad_record, "unknown record type or wrong record length") \
	X(WRONG_FRAME, record_in_wrong_frame, "a record in a frame kind that cannot carry it") \
	X(BAD_VALUE, bad_value, "a field holds a value that is not allowed")

enum phx_sync_err {
	PHX_SYNC_OK = 0,
#define PHX_SYNC_ERR_ENUM_(e, n, d) PHX_SYNC_ERR_##e,
	PHX_SYNC_ERRORS(PHX_SYNC_ERR_ENUM_)
#undef PHX_SYNC_ERR_ENUM_
	PHX_SYNC_ERR_MAX
};

const char *phx_sync_err_name(enum phx_sync_err e);
const char *phx_sync_err_desc(enum phx_sync_err e);
/* "SESS_NEW", "ACK", ...; "unknown" for others. */
const char *phx_sync_rec_name(uint8_t type);

/* ---- host records ---- */

/* A session as sync ships it (DESIGN 5): forward key, NAT, TCP state and
 * windows, remaining lifetime, rule and policy generation, owner. */
struct phx_sync_sess {
	struct phx_flow_key key;  /* forward key, pre-NAT; pad zero */
	uint32_t nat_ip;          /* network order; 0 without NAT */
	uint16_t nat_port;        /* network order */
	uint16_t rule;
	uint32_t gen;
	uint32_t remaining_ms;
	uint8_t state;            /* enum phx_tcp_state, or UDP/ICMP 1..2 */
	uint8_t sflags;           /* PHX_SYNC_SF_* */
	uint8_t tmo_class;        /* enum phx_tmo_class (< PHX_TMO_MAX) */
	uint8_t in_port;
	uint8_t owner;            /* member id 1..5 */
	struct phx_tcp_win win;   /* valid with SF_WINDOW, else zero */
};

struct phx_sync_rec {
	uint8_t type;             /* enum phx_sync_rec_type */
	uint8_t peer;             /* ACK, NACK, FS_*: the member named */
	uint8_t status;           /* FS_DONE; CFG_DATA: PHX_SYNC_CF_* */
	union {
		struct phx_sync_sess sess;   /* SESS_NEW/UPD/FULL */
		struct phx_flow_key key;     /* SESS_DEL */
		uint32_t seq;                /* ACK */
		struct { uint32_t from, to; } nack;
		struct { uint32_t token, count; } fs; /* FS_REQ/BEGIN/DONE,
						       * CFG_REQ (token) */
		struct {                     /* CFG_DATA */
			uint32_t token, offset, total;
			uint16_t n;          /* 0..PHX_SYNC_CFG_CHUNK */
			const uint8_t *data; /* n bytes: decoding points into
					      * the decoded buffer, valid
					      * while it is */
		} cfg;
	} u;
};

struct phx_sync_frame {
	uint8_t flags;            /* PHX_SYNC_FF_* */
	uint32_t seq;
	uint16_t n;
	struct phx_sync_rec rec[PHX_SYNC_MAX_RECORDS];
};

/* ---- encoding: a builder fills one body ---- */

struct phx_sync_builder {
	uint8_t *buf;
	size_t cap;               /* <= PHX_SYNC_MAX_BODY */
	size_t len;
	uint16_t n;
	uint8_t flags;
};

/* Start a body in buf[0..cap): sequenced (with seq) or not. */
void phx_sync_build_init(struct phx_sync_builder *b, uint8_t *buf,
			 size_t cap, bool sequenced, uint32_t seq);
/* Append a record. 0, -ENOSPC (does not fit: finish this body and start
 * another), or -EINVAL (a value out of range, or a record this kind of
 * frame cannot carry); the body is unchanged on error. */
int phx_sync_build_rec(struct phx_sync_builder *b,
		       const struct phx_sync_rec *r);
/* Bytes a record would take. */
size_t phx_sync_rec_len(const struct phx_sync_rec *r);
/* Write the header; returns the body length (0 with no records: nothing
 * to send). */
size_t phx_sync_build_finish(struct phx_sync_builder *b);

/* ---- decoding ---- */

/* Header only: sequenced?, seq. PHX_SYNC_OK or the first error of the
 * header checks. */
enum phx_sync_err phx_sync_peek(const uint8_t *buf, size_t len,
				uint8_t *flags, uint32_t *seq);
/* Decode a whole body into *out (left partly written on error). */
enum phx_sync_err phx_sync_decode(const uint8_t *buf, size_t len,
				  struct phx_sync_frame *out);

/* One-line text of a record, for logs and tests. */
int phx_sync_rec_format(const struct phx_sync_rec *r, char *buf, size_t cap);

#endif /* PHX_LIB_SYNC_CODEC_H */
