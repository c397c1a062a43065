/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CCP codec: host messages <-> the bytes of lib/ccp_wire.h (the UDP
 * payload on port 8116; the dataplane builds Ethernet/IPv4/UDP around it).
 *
 * Encoding writes header, body, extension and the HMAC tag in one call.
 * Decoding never trusts its input: each length is checked before it is
 * read, and a rejected frame yields exactly one reason from
 * enum phx_ccp_err, for the caller's per-reason counters (STYLE 3.4;
 * conntrack-tools msg_rcv_bad_*, pfsync pfsyncs_bad*).
 *
 * Decoding order (the cryptographic doom principle: nothing in the body is
 * interpreted before the tag is verified):
 *   1. length bounds, magic, CPHA version, opcode, cluster number, sender
 *      is not us: fixed-offset header fields, so that frames of another
 *      cluster or our own looped-back frames are counted as such rather
 *      than as forgeries, and so that a flood of junk costs no HMAC;
 *   2. the tag over everything before it;
 *   3. body, extension and TLVs: lengths, versions, MAC magic, values.
 * Replay is a separate step (phx_ccp_accept), because it needs state:
 * decoding stays pure, so tests and the fuzzer can drive it freely.
 *
 * Every host value has one encoding and decoding accepts only that one, so
 * decode followed by encode gives back the very same bytes (unless the
 * frame carried optional TLVs this version does not know: those are
 * skipped and counted in msg->skipped_tlvs).
 *
 * Threads: pure functions, any thread; buffers belong to the caller.
 */
#ifndef PHX_LIB_CCP_CODEC_H
#define PHX_LIB_CCP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/ccp_auth.h"
#include "lib/ccp_wire.h"

/* Frame length bounds (UDP payload). The shortest frame is a header, the
 * extension header and the tag around the shortest body (4 bytes); the
 * longest is what one 1500-byte IPv4 packet carries. */
#define PHX_CCP_MIN_FRAME  (20 + 4 + 24 + PHX_CCP_TAG_LEN)
#define PHX_CCP_MAX_FRAME  (1500 - 20 - 8)
/* Shortest SYNC frame: a body of just the 12-byte sync header
 * (PHX_SYNC_HDR_LEN) inside header, extension and tag. The longest is
 * PHX_CCP_MAX_FRAME, around a PHX_SYNC_MAX_BODY body. */
#define PHX_CCP_MIN_SYNC_FRAME (20 + 12 + 24 + PHX_CCP_TAG_LEN)
/* Longest frame phx_ccp_encode writes (a 5-member heartbeat). */
#define PHX_CCP_MAX_ENCODED \
	(20 + 8 + 2 * PHX_CCP_MAX_MEMBERS + 4 + 24 + 2 + 40 + 2 + 10 + \
	 2 + 20 + PHX_CCP_TAG_LEN)

/*
 * Why a frame was rejected. X(ENUM_SUFFIX, counter_name, description).
 * Counter names are stable telemetry keys: never rename, only add.
 */
#define PHX_CCP_ERRORS(X)                                                     \
	X(TOO_SHORT, too_short, "shorter than the shortest CCP frame")        \
	X(BAD_MAGIC, bad_magic, "first two bytes are not the CPHA magic 0x1A90") \
	X(BAD_VERSION, bad_version, "CPHA version or extension version not ours (CCP-09)") \
	X(UNKNOWN_OPCODE, unknown_opcode, "opcode CCP does not handle")      \
	X(BAD_LEN, bad_length, "a length field disagrees with the frame length") \
	X(FOREIGN_CLUSTER, foreign_cluster, "cluster number is not ours (CCP-10)") \
	X(BAD_MAC_MAGIC, bad_mac_magic, "MAC magic is not ours (CCP-06, CCP-10)") \
	X(BAD_TAG, bad_tag, "authentication tag does not verify")           \
	X(REPLAYED, replayed, "counter or boot id already seen (replay)")    \
	X(MALFORMED, malformed, "a field holds a value that is not allowed")  \
	X(FROM_SELF, from_self, "sent by this member (looped back)")

enum phx_ccp_err {
	PHX_CCP_OK = 0,
#define PHX_CCP_ERR_ENUM_(e, n, d) PHX_CCP_ERR_##e,
	PHX_CCP_ERRORS(PHX_CCP_ERR_ENUM_)
#undef PHX_CCP_ERR_ENUM_
	PHX_CCP_ERR_MAX
};

/* Counter name ("bad_tag"; "ok" for PHX_CCP_OK; "unknown" out of range). */
const char *phx_ccp_err_name(enum phx_ccp_err e);
/* One-line description for operators. */
const char *phx_ccp_err_desc(enum phx_ccp_err e);
/* "MY_STATE", "IF_PROBE_REQ", ...; "unknown" for others. */
const char *phx_ccp_opcode_name(uint16_t opcode);
/* "down", "init", "standby", "ready", "active"; "unknown" for others. */
const char *phx_ccp_mstate_name(uint8_t state);

/* ---- host messages (never on the wire) ---- */

/* Header and extension fields every message carries. */
struct phx_ccp_hdr_info {
	uint16_t cluster;     /* cluster number (CCP-10) */
	uint16_t src_if;      /* index of the interface the frame leaves on */
	uint16_t src;         /* sender member id, 1..PHX_CCP_MAX_MEMBERS */
	uint16_t dst;         /* member id, or PHX_CCP_DST_ALL */
	uint16_t policy_id;   /* low 16 bits of the configuration generation.
			       * Encoding takes it from config.generation
			       * when the message carries a config TLV
			       * (MY_STATE, STATE_REQ), from here otherwise */
	uint8_t mac_magic;    /* fwha_mac_magic (CCP-06), default 0xfe */
	uint64_t boot_id;     /* phx_ccp_boot_id_new() of this run; its low
			       * 16 bits are the CPHA random id */
	uint64_t counter;     /* +1 per frame sent, per run, all opcodes */
};

struct phx_ccp_config_id {
	uint64_t generation;  /* configuration generation (SPEC 4.5) */
	uint8_t digest[32];   /* configuration digest (SPEC 4.6) */
};

struct phx_ccp_member_info {
	uint16_t priority;        /* HA priority */
	uint8_t ifs_required;     /* CCP-31, 0..PHX_CCP_COUNT_MAX */
	uint8_t ifs_up;           /* CCP-35, 0..PHX_CCP_COUNT_MAX */
	uint8_t secured_required; /* 0..PHX_CCP_COUNT_MAX */
	uint8_t secured_up;       /* 0..PHX_CCP_COUNT_MAX */
	uint8_t mode;             /* enum phx_ccp_cluster_mode, not 0 */
	uint8_t flags;            /* PHX_CCP_MF_* */
	uint8_t pnote;            /* enum phx_ccp_pnote: critical devices */
};

/* The CPHA interface counts of a heartbeat, 0..PHX_CCP_COUNT_MAX each. */
struct phx_ccp_if_counts {
	uint8_t in_up;
	uint8_t in_assumed_up;
	uint8_t out_up;
	uint8_t out_assumed_up;
};

/* What every member should have alike, announced in heartbeats (the
 * optional platform TLV). */
struct phx_ccp_platform {
	uint8_t workers;          /* worker lcores, 1..255 (CCP-69) */
	uint8_t sync_version;     /* PHX_SYNC_VERSION it speaks, not 0 */
	uint16_t sync_mtu;        /* its sync port's MTU, 0: none (SYNC-74) */
	char version[PHX_CCP_VERSION_LEN + 1]; /* software version, 1..16
					 * printable ASCII characters */
};

/* PHX_CCP_OP_MY_STATE. Arrays are indexed by member id - 1; entries from
 * n_members on are ignored by encoding and zeroed by decoding. */
struct phx_ccp_heartbeat {
	uint8_t n_members;        /* 1..PHX_CCP_MAX_MEMBERS, >= sender id */
	uint8_t ha_mode;          /* enum phx_ccp_ha_mode */
	uint16_t time_unit_ms;    /* CCP timer period (CCP-20), not 0 */
	uint8_t state[PHX_CCP_MAX_MEMBERS];      /* enum phx_ccp_mstate, as
						  * the sender sees each */
	uint8_t last_heard[PHX_CCP_MAX_MEMBERS]; /* time units since a frame
						  * from each member, 0 for
						  * itself; saturate at
						  * PHX_CCP_COUNT_MAX */
	struct phx_ccp_if_counts ifs;
	struct phx_ccp_config_id config;
	struct phx_ccp_member_info member;
	bool has_platform;        /* platform below is sent / was received */
	struct phx_ccp_platform platform;
};

/* PHX_CCP_OP_IF_PROBE_REQ / _RPLY (CCP-30). */
struct phx_ccp_probe {
	uint32_t ifn;             /* interface number probed */
	uint64_t echo;            /* reply only: counter of the request */
};

/* PHX_CCP_OP_STATE_REQ (CCP-61, CCP-64). */
struct phx_ccp_state_change {
	uint8_t cur_state;        /* enum phx_ccp_mstate */
	uint8_t new_state;        /* enum phx_ccp_mstate */
	uint16_t reason;          /* enum phx_ccp_sc_reason */
	uint32_t seq;             /* request number (the FSM's) */
	struct phx_ccp_config_id config;
	struct phx_ccp_member_info member;
};

/* PHX_CCP_OP_STATE_CONFIRM: answer to one STATE_REQ, sent to its sender. */
struct phx_ccp_state_verdict {
	uint8_t verdict;          /* enum phx_ccp_verdict */
	uint8_t state;            /* responder's state, enum phx_ccp_mstate */
	uint16_t refusal;         /* enum phx_ccp_refusal; NONE with GRANT */
	uint32_t seq;             /* seq of the request answered */
	uint64_t echo;            /* counter of the request frame answered */
};

/* One decoded (or to-be-encoded) message. */
struct phx_ccp_msg {
	uint16_t opcode;          /* enum phx_ccp_opcode, not SYNC */
	uint16_t skipped_tlvs;    /* decode: unknown optional TLVs skipped */
	struct phx_ccp_hdr_info hdr;
	union {
		struct phx_ccp_heartbeat hb;     /* MY_STATE */
		struct phx_ccp_probe probe;      /* IF_PROBE_REQ / _RPLY */
		struct phx_ccp_state_change sreq; /* STATE_REQ */
		struct phx_ccp_state_verdict sconf; /* STATE_CONFIRM */
	} u;
};

/* What a receiver compares frames against. */
struct phx_ccp_ctx {
	uint16_t cluster;              /* our cluster number */
	uint16_t self;                 /* our member id */
	uint8_t mac_magic;             /* our fwha_mac_magic */
	const struct phx_ccp_key *key; /* cluster key */
};

/* ---- encoding ---- */

/*
 * Encode m into buf[0..cap) and append its tag. Returns the frame length,
 * -ENOSPC when it does not fit in cap (PHX_CCP_MAX_ENCODED always does),
 * or -EINVAL when a field is out of its documented range (opcode, member
 * ids, states, modes, counts, flags, reasons), in which case nothing
 * useful is in buf. m->skipped_tlvs is ignored.
 */
int phx_ccp_encode(uint8_t *buf, size_t cap, const struct phx_ccp_msg *m,
		   const struct phx_ccp_key *key);

/* Shorthands for phx_ccp_encode with the opcode implied. */
int phx_ccp_encode_heartbeat(uint8_t *buf, size_t cap,
			     const struct phx_ccp_hdr_info *h,
			     const struct phx_ccp_heartbeat *hb,
			     const struct phx_ccp_key *key);
/* reply false: IF_PROBE_REQ (p->echo ignored); true: IF_PROBE_RPLY. */
int phx_ccp_encode_probe(uint8_t *buf, size_t cap,
			 const struct phx_ccp_hdr_info *h, bool reply,
			 const struct phx_ccp_probe *p,
			 const struct phx_ccp_key *key);
int phx_ccp_encode_state_req(uint8_t *buf, size_t cap,
			     const struct phx_ccp_hdr_info *h,
			     const struct phx_ccp_state_change *sc,
			     const struct phx_ccp_key *key);
int phx_ccp_encode_state_confirm(uint8_t *buf, size_t cap,
				 const struct phx_ccp_hdr_info *h,
				 const struct phx_ccp_state_verdict *sv,
				 const struct phx_ccp_key *key);

/*
 * A SYNC frame (PHX_CCP_OP_SYNC) around an opaque sync body of body_len
 * bytes (lib/sync_codec.h): header, body, extension (no TLVs), tag. The
 * header's policy id is h->policy_id. Returns the frame length, -ENOSPC
 * when it does not fit in cap, or -EINVAL for a header field out of range
 * or a body_len below PHX_SYNC_HDR_LEN, above PHX_SYNC_MAX_BODY or unlike
 * the body's own first field (its body_len).
 */
int phx_ccp_encode_sync(uint8_t *buf, size_t cap,
			const struct phx_ccp_hdr_info *h, const uint8_t *body,
			size_t body_len, const struct phx_ccp_key *key);

/*
 * How a peer's platform differs from ours, as PHX_CCP_PLAT_* bits: what a
 * member logs and shows (SYNC-20: software or sync version; SYNC-74: sync
 * MTU) and what puts it Down (CCP-69: it has more workers than the peer).
 */
#define PHX_CCP_PLAT_VERSION      0x01  /* software version differs */
#define PHX_CCP_PLAT_SYNC_VERSION 0x02  /* sync versions differ: no sync */
#define PHX_CCP_PLAT_SYNC_MTU     0x04  /* sync port MTUs differ */
#define PHX_CCP_PLAT_MORE_WORKERS 0x08  /* ours has more workers */
#define PHX_CCP_PLAT_FEWER_WORKERS 0x10 /* ours has fewer workers */
unsigned phx_ccp_platform_cmp(const struct phx_ccp_platform *ours,
			      const struct phx_ccp_platform *peer);

/* ---- decoding ---- */

/*
 * Opcode of a frame, from the header alone (no tag check), so the
 * receiver can hand PHX_CCP_OP_SYNC frames to the sync codec and the rest
 * to phx_ccp_decode. Returns PHX_CCP_OK with *opcode set, or TOO_SHORT
 * (under 20 bytes), BAD_MAGIC, BAD_VERSION.
 */
enum phx_ccp_err phx_ccp_peek(const uint8_t *buf, size_t len,
			      uint16_t *opcode);

/*
 * Decode and authenticate buf[0..len) (a UDP payload) against ctx.
 * Returns PHX_CCP_OK and fills *out, or the first reason found, in the
 * order in the file comment, leaving *out untouched. SYNC frames are
 * UNKNOWN_OPCODE here. The caller then calls phx_ccp_accept for replay.
 */
enum phx_ccp_err phx_ccp_decode(const uint8_t *buf, size_t len,
				const struct phx_ccp_ctx *ctx,
				struct phx_ccp_msg *out);

/*
 * Decode and authenticate a SYNC frame, in the same order of checks as
 * phx_ccp_decode: header fields (opcode other than SYNC: UNKNOWN_OPCODE),
 * cluster, sender not us, the tag, then the body's length (the big-endian
 * u16 at the body's start, which must leave room for the extension:
 * BAD_LEN) and the extension. The body's contents are not looked at:
 * lib/sync_codec does that. On PHX_CCP_OK, *hdr is filled and *body
 * points into buf, *body_len bytes; on error nothing is written. The
 * caller then calls phx_ccp_accept_hdr for replay.
 */
enum phx_ccp_err phx_ccp_decode_sync(const uint8_t *buf, size_t len,
				     const struct phx_ccp_ctx *ctx,
				     struct phx_ccp_hdr_info *hdr,
				     const uint8_t **body, size_t *body_len);

/*
 * Replay step for a message phx_ccp_decode accepted: PHX_CCP_OK when fresh
 * (and recorded in r), PHX_CCP_ERR_REPLAYED otherwise
 * (phx_ccp_replay_check_and_update). One r per receiving member, owned by
 * the control lcore.
 */
enum phx_ccp_err phx_ccp_accept(struct phx_ccp_replay *r,
				const struct phx_ccp_msg *m);
/* The same for the header of a frame phx_ccp_decode_sync accepted. */
enum phx_ccp_err phx_ccp_accept_hdr(struct phx_ccp_replay *r,
				    const struct phx_ccp_hdr_info *h);

/*
 * Canonical one-line text of m ("MY_STATE src=1 dst=all ..."), every field
 * in a fixed order, for logs and tests. Returns what snprintf returns.
 */
int phx_ccp_msg_format(const struct phx_ccp_msg *m, char *buf, size_t cap);

#endif /* PHX_LIB_CCP_CODEC_H */
