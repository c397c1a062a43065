/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cluster Control Protocol (CCP): the bytes on the wire. Types only; the
 * codec (lib/ccp_codec.h) is the one place that reads or writes them, and
 * docs/PROTOCOL.md ("## CCP") describes the same format for dissector
 * writers.
 *
 * CCP is the UDP payload on port 8116 (SPEC CCP-01) between members of one
 * cluster. Its first part is laid out exactly as Wireshark's CPHA dissector
 * reads Check Point's protocol, so `tshark` shows heartbeats, probes and
 * member states with no plugin (DESIGN 5). What CPHA cannot carry (full
 * configuration generation and digest, priority, interface counts, the MAC
 * magic, replay counters) follows in an extension of ours, and a 32-byte
 * HMAC-SHA-256 tag ends every frame (lib/ccp_auth.h).
 *
 *   +--------------------+  0
 *   | CPHA header        |  struct phx_ccp_hdr, 20 bytes
 *   +--------------------+ 20
 *   | opcode body        |  CPHA-visible; length follows from the opcode
 *   |                    |  (and, for MY_STATE, from its member count)
 *   +--------------------+ 20 + body
 *   | extension          |  struct phx_ccp_ext (24 bytes) + TLVs;
 *   |                    |  ext_len covers both
 *   +--------------------+ len - 32
 *   | tag                |  HMAC-SHA-256 over bytes [0, len - 32)
 *   +--------------------+ len
 *
 * CPHA header (every field big-endian, as are all multi-byte fields here):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-------------------------------+-------------------------------+
 *   |         magic 0x1A90          |    CPHA version (530)         |  0
 *   +-------------------------------+-------------------------------+
 *   |        cluster number         |            opcode             |  4
 *   +-------------------------------+-------------------------------+
 *   |       source interface        |  random id = boot id & 0xffff |  8
 *   +-------------------------------+-------------------------------+
 *   |     source member id (1..5)   | destination member / 0xffff   | 12
 *   +-------------------------------+-------------------------------+
 *   |  policy id = generation&0xffff|          filler (0)           | 16
 *   +-------------------------------+-------------------------------+
 *
 * Why version 530: the dissector reads policy id and filler (the 20-byte
 * header) for every version except 1, and names 530 ("NG FP3") in every
 * revision of its version table; its own comments state the intent to
 * reject unknown versions some day, so a named value is the robust choice.
 * No ClusterXL still in service speaks NG FP3, so nothing real mistakes us
 * for a peer. Our own format version is the extension's first byte.
 *
 * FWHA_MY_STATE body (heartbeat), n = number of members (1..5):
 *
 *   +-------------------------------+-------------------------------+
 *   |   number of members n         |    report code (3)            |  0
 *   +-------------------------------+-------------------------------+
 *   |   HA mode (CPHA numbering)    |    time unit (ms)             |  4
 *   +---------------+---------------+---------------+---------------+
 *   | state of member 1 ... member n (1 byte each)                  |  8
 *   +---------------+---------------+---------------+---------------+
 *   | in up         | in assumed up | out up        | out assumed up|  8+n
 *   +---------------+---------------+---------------+---------------+
 *   | last heard, member 1 ... member n (time units; 1 byte each)   | 12+n
 *   +---------------------------------------------------------------+ 12+2n
 *
 * Report code 3 = bit 0 (member states present) | bit 1 (interface
 * information present); phalanx always sends both. CPHA shows member i
 * as "node i - 1".
 *
 * FWHA_IF_PROBE_REQ / FWHA_IF_PROBE_REPLY body: 32-bit interface number.
 *
 * STATE_REQ / STATE_CONFIRM bodies (ours, unknown to CPHA):
 *
 *   +---------------+---------------+-------------------------------+
 *   | cur state     | wanted state  |  reason                       |  REQ
 *   | verdict       | own state     |  refusal                      |  CONFIRM
 *   +---------------+---------------+-------------------------------+
 *   |            request number (REQ: ours; CONFIRM: answered)      |
 *   +---------------------------------------------------------------+  8
 *
 * Extension (ours; version 1):
 *
 *   +---------------+---------------+-------------------------------+
 *   | ext version 1 | MAC magic     |  ext_len (header + TLVs)      |  0
 *   +---------------+---------------+-------------------------------+
 *   |                       reserved (0)                            |  4
 *   +---------------------------------------------------------------+
 *   |                       boot id (64 bits)                       |  8
 *   +---------------------------------------------------------------+
 *   |                   send counter (64 bits)                      | 16
 *   +---------------+---------------+-------------------------------+
 *   | TLV type      | value length  | value ...                     | 24
 *   +---------------+---------------+-------------------------------+
 *
 * TLVs appear in strictly increasing type order, each at most once. Each
 * opcode has a fixed set of TLVs, all required (PHX_CCP_TLV_* below). A
 * type with bit 7 set is optional: a receiver that does not know it skips
 * it; an unknown type without bit 7 makes the frame malformed. A known
 * optional type must have its exact length, in an opcode that may carry
 * it.
 *
 * Numbers are never reused: a retired value stays reserved here.
 */
#ifndef PHX_LIB_CCP_WIRE_H
#define PHX_LIB_CCP_WIRE_H

#include <assert.h>
#include <stdint.h>

#define PHX_CCP_UDP_PORT       8116    /* SPEC CCP-01; CPHA's port */
#define PHX_CCP_MAGIC          0x1A90  /* CPHA magic number */
#define PHX_CCP_CPHA_VERSION   530     /* != 1: 20-byte header; see above */
#define PHX_CCP_EXT_VERSION    1       /* our format, extension byte 0 */
#define PHX_CCP_TAG_LEN        32      /* HMAC-SHA-256 */
#define PHX_CCP_MAX_MEMBERS    5       /* DESIGN: clusters of 2..5 */
#define PHX_CCP_DST_ALL        0xffff  /* destination: every member */
#define PHX_CCP_REPORT_STATES  0x0001  /* report code: member states */
#define PHX_CCP_REPORT_IFS     0x0002  /* report code: interface info */
#define PHX_CCP_COUNT_MAX      127     /* interface counts and last-heard
					* bytes: CPHA shows them as int8 */

/* Opcodes (CPHA numbering where CPHA has the message). */
enum phx_ccp_opcode {
	PHX_CCP_OP_MY_STATE = 1,      /* FWHA_MY_STATE: heartbeat */
	/* 2 FWHA_QUERY_STATE: reserved, unused (heartbeats are periodic) */
	PHX_CCP_OP_IF_PROBE_REQ = 3,  /* FWHA_IF_PROBE_REQ (CCP-30) */
	PHX_CCP_OP_IF_PROBE_RPLY = 4, /* FWHA_IF_PROBE_REPLY */
	/* 5..9 FWHA_IFCONF_*, FWHA_LB_*, FWHA_POLICY_CHANGE: reserved */
	PHX_CCP_OP_SYNC = 10,         /* FWHAP_SYNC: state sync, payload of
				       * lib/sync_codec, not of this codec */
	PHX_CCP_OP_STATE_REQ = 11,    /* ours: state change request
				       * (CCP-61, CCP-64) */
	PHX_CCP_OP_STATE_CONFIRM = 12, /* ours: its confirmation / refusal */
};

/* A member's state byte in MY_STATE and in state change messages
 * (CPHA numbering). ACTIVE covers Active Attention (member flag
 * PHX_CCP_MF_ATTENTION); a peer the sender cannot hear is DOWN. */
enum phx_ccp_mstate {
	PHX_CCP_MSTATE_DOWN = 0,      /* CPHA "Down/Dead" */
	PHX_CCP_MSTATE_INIT = 1,      /* "Initializing" */
	PHX_CCP_MSTATE_STANDBY = 2,   /* "Standby" */
	PHX_CCP_MSTATE_READY = 3,     /* "Ready" */
	PHX_CCP_MSTATE_ACTIVE = 4,    /* "Active/Active-Attention" */
	PHX_CCP_MSTATE_MAX
};

/* MY_STATE HA mode (CPHA numbering). Our exact cluster mode is in the
 * member TLV (enum phx_ccp_cluster_mode). */
enum phx_ccp_ha_mode {
	PHX_CCP_HA_UNDEF = 0,         /* FWHA_UNDEF_MODE */
	PHX_CCP_HA_NOT_ACTIVE = 1,    /* FWHA_NOT_ACTIVE_MODE */
	PHX_CCP_HA_BALANCE = 2,       /* FWHA_BALANCE_MODE: ls-*, active-active */
	PHX_CCP_HA_PRIMARY_UP = 3,    /* FWHA_PRIMARY_UP_MODE: ha, primary-up */
	PHX_CCP_HA_ONE_UP = 4,        /* FWHA_ONE_UP_MODE: ha, active-up */
	PHX_CCP_HA_MAX
};

/* Cluster mode in the member TLV (DESIGN 6). 0 is invalid. */
enum phx_ccp_cluster_mode {
	PHX_CCP_CMODE_HA = 1,
	PHX_CCP_CMODE_LS_MULTICAST = 2,
	PHX_CCP_CMODE_LS_UNICAST = 3,
	PHX_CCP_CMODE_ACTIVE_ACTIVE = 4,
	PHX_CCP_CMODE_MAX
};

/* Member TLV flags. Unknown bits make a frame malformed. */
#define PHX_CCP_MF_ATTENTION  0x01    /* Active Attention (CCP-65) */
#define PHX_CCP_MF_JOINING    0x02    /* join mode: adopts, never pushes,
				       * configuration (FAIL-50, FAIL-51) */
#define PHX_CCP_MF_SYNCED     0x04    /* full sync completed (CCP-62) */
#define PHX_CCP_MF_ADMIN_DOWN 0x08    /* administratively down (FAIL-01) */
#define PHX_CCP_MF_STOPPED    0x10    /* cphastop: out of the cluster
				       * (state Down on the wire, FAIL-61) */
#define PHX_CCP_MF_ALL        0x1f

/* Aggregate status of the sender's critical devices (pnotes, CCP-70..76),
 * in the member TLV: the election ranks a member whose devices are in
 * init apart from one with a problem (CCP-60, CCP-64). */
enum phx_ccp_pnote {
	PHX_CCP_PNOTE_OK = 0,
	PHX_CCP_PNOTE_INIT = 1,
	PHX_CCP_PNOTE_PROBLEM = 2,
	PHX_CCP_PNOTE_MAX
};

/* Why a member asks to change state (STATE_REQ). */
enum phx_ccp_sc_reason {
	PHX_CCP_SCR_NONE = 0,
	PHX_CCP_SCR_ACTIVATE = 1,     /* Ready, wants Active (CCP-61) */
	PHX_CCP_SCR_PROBLEM = 2,      /* critical device failed, would go
				       * Down: asks first (CCP-64, CCP-65) */
	PHX_CCP_SCR_ADMIN = 3,        /* operator failover/stop (SPEC 4.7) */
	PHX_CCP_SCR_RECOVER = 4,      /* devices back to ok (CCP-66) */
	PHX_CCP_SCR_MAX
};

/* STATE_CONFIRM verdict. 0 is invalid. */
enum phx_ccp_verdict {
	PHX_CCP_VERDICT_GRANT = 1,
	PHX_CCP_VERDICT_REFUSE = 2,
	PHX_CCP_VERDICT_MAX
};

/* Why a STATE_REQ was refused (0 with a grant). */
enum phx_ccp_refusal {
	PHX_CCP_REFUSE_NONE = 0,
	PHX_CCP_REFUSE_CONFIG = 1,    /* configuration generation/digest
				       * differ (SPEC 4.5, 4.6) */
	PHX_CCP_REFUSE_ROLE_HELD = 2, /* responder keeps the role (active-up,
				       * FAIL-30) */
	PHX_CCP_REFUSE_MORE_IFS = 3,  /* responder has more interfaces up
				       * (CCP-35) */
	PHX_CCP_REFUSE_STARTING = 4,  /* to a give-way: the responder would
				       * take over but cannot yet (it still
				       * listens after its start, CCP-61):
				       * stay until it asks (CCP-65) */
	PHX_CCP_REFUSE_MAX
};

/* Extension TLV types. Bit 7 set: optional (skipped when unknown). */
enum phx_ccp_tlv_type {
	PHX_CCP_TLV_CONFIG = 1,       /* struct phx_ccp_tlv_config */
	PHX_CCP_TLV_MEMBER = 2,       /* struct phx_ccp_tlv_member */
	PHX_CCP_TLV_ECHO = 3,         /* struct phx_ccp_tlv_echo */
	PHX_CCP_TLV_PLATFORM = 0x81,  /* struct phx_ccp_tlv_platform: optional,
				       * MY_STATE only (CCP-69, SYNC-20,
				       * SYNC-74) */
};
#define PHX_CCP_TLV_OPTIONAL  0x80
#define PHX_CCP_VERSION_LEN   16      /* software version string bytes */

/* ---- wire structs: network byte order, never used as host state ---- */

struct phx_ccp_hdr {
	uint16_t magic;       /* PHX_CCP_MAGIC */
	uint16_t version;     /* PHX_CCP_CPHA_VERSION */
	uint16_t cluster;     /* cluster number (CCP-10) */
	uint16_t opcode;      /* enum phx_ccp_opcode */
	uint16_t src_if;      /* sender's interface index */
	uint16_t random_id;   /* low 16 bits of the boot id */
	uint16_t src;         /* sender member id, 1..5 */
	uint16_t dst;         /* member id, or PHX_CCP_DST_ALL */
	uint16_t policy_id;   /* low 16 bits of the config generation */
	uint16_t filler;      /* 0 */
};
static_assert(sizeof(struct phx_ccp_hdr) == 20, "CPHA header is 20 bytes");

struct phx_ccp_my_state {
	uint16_t n_members;   /* CPHA id_num: state bytes that follow */
	uint16_t report_code; /* PHX_CCP_REPORT_STATES | PHX_CCP_REPORT_IFS */
	uint16_t ha_mode;     /* enum phx_ccp_ha_mode */
	uint16_t time_unit;   /* CCP timer period, ms (CCP-20) */
	/* then uint8_t state[n_members], struct phx_ccp_if_state,
	 * uint8_t last_heard[n_members] */
};
static_assert(sizeof(struct phx_ccp_my_state) == 8, "MY_STATE fixed part");

struct phx_ccp_if_state {
	uint8_t in_up;          /* interfaces receiving CCP, 0..127 */
	uint8_t in_assumed_up;  /* counted up without proof yet, 0..127 */
	uint8_t out_up;         /* interfaces sending CCP, 0..127 */
	uint8_t out_assumed_up; /* 0..127 */
};
static_assert(sizeof(struct phx_ccp_if_state) == 4, "CPHA interface states");

struct phx_ccp_if_probe {
	uint32_t ifn;         /* interface number probed */
};
static_assert(sizeof(struct phx_ccp_if_probe) == 4, "probe body");

struct phx_ccp_state_req {
	uint8_t cur_state;    /* enum phx_ccp_mstate */
	uint8_t new_state;    /* enum phx_ccp_mstate */
	uint16_t reason;      /* enum phx_ccp_sc_reason */
	uint32_t seq;         /* request number, chosen by the requester */
};
static_assert(sizeof(struct phx_ccp_state_req) == 8, "STATE_REQ body");

struct phx_ccp_state_confirm {
	uint8_t verdict;      /* enum phx_ccp_verdict */
	uint8_t state;        /* responder's state, enum phx_ccp_mstate */
	uint16_t refusal;     /* enum phx_ccp_refusal; 0 with a grant */
	uint32_t seq;         /* request number answered */
};
static_assert(sizeof(struct phx_ccp_state_confirm) == 8, "STATE_CONFIRM body");

struct phx_ccp_ext {
	uint8_t version;      /* PHX_CCP_EXT_VERSION */
	uint8_t mac_magic;    /* fwha_mac_magic (CCP-06, CCP-10) */
	uint16_t ext_len;     /* bytes: this header + TLVs, tag excluded */
	uint32_t reserved;    /* 0 */
	uint64_t boot_id;     /* sender's boot id (lib/ccp_auth.h) */
	uint64_t counter;     /* sender's frame counter, per boot */
};
static_assert(sizeof(struct phx_ccp_ext) == 24, "extension header");

struct phx_ccp_tlv {
	uint8_t type;         /* enum phx_ccp_tlv_type */
	uint8_t len;          /* value bytes that follow */
};
static_assert(sizeof(struct phx_ccp_tlv) == 2, "TLV header");

struct phx_ccp_tlv_config {   /* configuration guard (SPEC 4.5, 4.6) */
	uint64_t generation;  /* full configuration generation */
	uint8_t digest[32];   /* digest of the configuration */
};
static_assert(sizeof(struct phx_ccp_tlv_config) == 40, "config TLV");

struct phx_ccp_tlv_member {
	uint16_t priority;       /* HA priority (CCP-50, CCP-63) */
	uint8_t ifs_required;    /* required interfaces (CCP-31), 0..127 */
	uint8_t ifs_up;          /* interfaces up now (CCP-35), 0..127 */
	uint8_t secured_required; /* required secured (sync) ifs, 0..127 */
	uint8_t secured_up;      /* secured interfaces up, 0..127 */
	uint8_t mode;            /* enum phx_ccp_cluster_mode */
	uint8_t flags;           /* PHX_CCP_MF_* */
	uint8_t pnote;           /* enum phx_ccp_pnote */
	uint8_t reserved;        /* 0 */
};
static_assert(sizeof(struct phx_ccp_tlv_member) == 10, "member TLV");

struct phx_ccp_tlv_echo {
	uint64_t counter;     /* counter of the request being answered */
};
static_assert(sizeof(struct phx_ccp_tlv_echo) == 8, "echo TLV");

struct phx_ccp_tlv_platform { /* what members must have alike */
	uint8_t workers;      /* worker lcores, 1..255 (CCP-69) */
	uint8_t sync_version; /* sync body version it speaks, not 0 */
	uint16_t sync_mtu;    /* MTU of its sync port (SYNC-74), 0: none */
	char version[PHX_CCP_VERSION_LEN]; /* software version: printable
				       * ASCII, NUL-padded, not empty */
};
static_assert(sizeof(struct phx_ccp_tlv_platform) == 20, "platform TLV");

#endif /* PHX_LIB_CCP_WIRE_H */
