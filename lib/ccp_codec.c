/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CCP encoder and decoder (format: lib/ccp_wire.h; contract:
 * lib/ccp_codec.h).
 *
 * One set of range checks (the *_ok functions over host structs) serves
 * both directions: the encoder refuses what the decoder would reject, and
 * the decoder converts wire to host first and then applies the same
 * checks. That is what makes decode -> encode byte-identical, which the
 * unit tests and the fuzz target check.
 *
 * Wire structs are copied in and out with memcpy at arbitrary offsets
 * (frames are not aligned beyond the 20-byte header); byte order is
 * converted field by field right there, nowhere else (STYLE 3.3).
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/ccp_codec.h"
#include "lib/compiler.h"
#include "lib/sync_codec.h"

#define HDR_LEN   sizeof(struct phx_ccp_hdr)
#define EXT_LEN   sizeof(struct phx_ccp_ext)
#define TLV_LEN   sizeof(struct phx_ccp_tlv)

#define TLV_BIT(t) (1u << (t))

static_assert(PHX_CCP_MIN_SYNC_FRAME ==
	      HDR_LEN + PHX_SYNC_HDR_LEN + EXT_LEN + PHX_CCP_TAG_LEN,
	      "shortest SYNC frame");
static_assert(HDR_LEN + PHX_SYNC_MAX_BODY + EXT_LEN + PHX_CCP_TAG_LEN <=
	      PHX_CCP_MAX_FRAME, "the largest sync body fits in a frame");

static const char *const err_names[PHX_CCP_ERR_MAX] = {
	[PHX_CCP_OK] = "ok",
#define PHX_CCP_ERR_NAME_(e, n, d) [PHX_CCP_ERR_##e] = #n,
	PHX_CCP_ERRORS(PHX_CCP_ERR_NAME_)
#undef PHX_CCP_ERR_NAME_
};

static const char *const err_descs[PHX_CCP_ERR_MAX] = {
	[PHX_CCP_OK] = "frame accepted",
#define PHX_CCP_ERR_DESC_(e, n, d) [PHX_CCP_ERR_##e] = d,
	PHX_CCP_ERRORS(PHX_CCP_ERR_DESC_)
#undef PHX_CCP_ERR_DESC_
};

static const char *const opcode_names[] = {
	[PHX_CCP_OP_MY_STATE] = "MY_STATE",
	[PHX_CCP_OP_IF_PROBE_REQ] = "IF_PROBE_REQ",
	[PHX_CCP_OP_IF_PROBE_RPLY] = "IF_PROBE_RPLY",
	[PHX_CCP_OP_SYNC] = "SYNC",
	[PHX_CCP_OP_STATE_REQ] = "STATE_REQ",
	[PHX_CCP_OP_STATE_CONFIRM] = "STATE_CONFIRM",
};

static const char *const mstate_names[PHX_CCP_MSTATE_MAX] = {
	[PHX_CCP_MSTATE_DOWN] = "down",
	[PHX_CCP_MSTATE_INIT] = "init",
	[PHX_CCP_MSTATE_STANDBY] = "standby",
	[PHX_CCP_MSTATE_READY] = "ready",
	[PHX_CCP_MSTATE_ACTIVE] = "active",
};

const char *
phx_ccp_err_name(enum phx_ccp_err e)
{
	return (unsigned)e < PHX_CCP_ERR_MAX ? err_names[e] : "unknown";
}

const char *
phx_ccp_err_desc(enum phx_ccp_err e)
{
	return (unsigned)e < PHX_CCP_ERR_MAX ? err_descs[e] : "unknown reason";
}

const char *
phx_ccp_opcode_name(uint16_t opcode)
{
	if (opcode < PHX_DIM(opcode_names) && opcode_names[opcode] != NULL)
		return opcode_names[opcode];
	return "unknown";
}

const char *
phx_ccp_mstate_name(uint8_t state)
{
	return state < PHX_CCP_MSTATE_MAX ? mstate_names[state] : "unknown";
}

/* ---- what each opcode carries ---- */

/* Opcodes this codec encodes and decodes (SYNC belongs to lib/sync). */
static bool
opcode_known(uint16_t op)
{
	switch (op) {
	case PHX_CCP_OP_MY_STATE:
	case PHX_CCP_OP_IF_PROBE_REQ:
	case PHX_CCP_OP_IF_PROBE_RPLY:
	case PHX_CCP_OP_STATE_REQ:
	case PHX_CCP_OP_STATE_CONFIRM:
		return true;
	default:
		return false;
	}
}

/* The TLVs an opcode carries: all of them required, no others allowed. */
static uint32_t
opcode_tlvs(uint16_t op)
{
	switch (op) {
	case PHX_CCP_OP_MY_STATE:
	case PHX_CCP_OP_STATE_REQ:
		return TLV_BIT(PHX_CCP_TLV_CONFIG) | TLV_BIT(PHX_CCP_TLV_MEMBER);
	case PHX_CCP_OP_IF_PROBE_RPLY:
	case PHX_CCP_OP_STATE_CONFIRM:
		return TLV_BIT(PHX_CCP_TLV_ECHO);
	default:
		return 0;
	}
}

/* Value length of a known TLV type (0 = unknown). */
static size_t
tlv_value_len(uint8_t type)
{
	switch (type) {
	case PHX_CCP_TLV_CONFIG:
		return sizeof(struct phx_ccp_tlv_config);
	case PHX_CCP_TLV_MEMBER:
		return sizeof(struct phx_ccp_tlv_member);
	case PHX_CCP_TLV_ECHO:
		return sizeof(struct phx_ccp_tlv_echo);
	default:
		return 0;
	}
}

/* Whether m carries the optional platform TLV. */
static bool
has_platform(const struct phx_ccp_msg *m)
{
	return m->opcode == PHX_CCP_OP_MY_STATE && m->u.hb.has_platform;
}

/* Bytes the TLVs of a message take. */
static size_t
msg_tlv_bytes(const struct phx_ccp_msg *m)
{
	uint32_t set = opcode_tlvs(m->opcode);
	size_t n = 0;
	unsigned t;

	for (t = 1; t < 32; t++)
		if (set & TLV_BIT(t))
			n += TLV_LEN + tlv_value_len((uint8_t)t);
	if (has_platform(m))
		n += TLV_LEN + sizeof(struct phx_ccp_tlv_platform);
	return n;
}

/* ---- range checks shared by encoder and decoder ---- */

static bool
member_id_ok(uint16_t id)
{
	return id >= 1 && id <= PHX_CCP_MAX_MEMBERS;
}

static bool
hdr_ok(const struct phx_ccp_hdr_info *h)
{
	return member_id_ok(h->src) &&
		(member_id_ok(h->dst) || h->dst == PHX_CCP_DST_ALL);
}

static bool
count_ok(uint8_t c)
{
	return c <= PHX_CCP_COUNT_MAX;
}

static bool
member_info_ok(const struct phx_ccp_member_info *mi)
{
	return count_ok(mi->ifs_required) && count_ok(mi->ifs_up) &&
		count_ok(mi->secured_required) && count_ok(mi->secured_up) &&
		mi->mode >= 1 && mi->mode < PHX_CCP_CMODE_MAX &&
		(mi->flags & ~PHX_CCP_MF_ALL) == 0 &&
		mi->pnote < PHX_CCP_PNOTE_MAX;
}

/* A version string: 1..PHX_CCP_VERSION_LEN printable ASCII characters. */
static bool
version_ok(const char *v)
{
	size_t n = strnlen(v, PHX_CCP_VERSION_LEN + 1), i;

	if (n == 0 || n > PHX_CCP_VERSION_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (v[i] < 0x21 || v[i] > 0x7e)
			return false;
	return true;
}

static bool
platform_ok(const struct phx_ccp_platform *p)
{
	return p->workers != 0 && p->sync_version != 0 &&
		(p->sync_mtu == 0 || p->sync_mtu >= 68) &&
		version_ok(p->version);
}

static bool
heartbeat_ok(const struct phx_ccp_hdr_info *h, const struct phx_ccp_heartbeat *hb)
{
	unsigned i;

	if (hb->has_platform && !platform_ok(&hb->platform))
		return false;

	if (hb->n_members < 1 || hb->n_members > PHX_CCP_MAX_MEMBERS ||
	    h->src > hb->n_members || hb->ha_mode >= PHX_CCP_HA_MAX ||
	    hb->time_unit_ms == 0)
		return false;
	for (i = 0; i < hb->n_members; i++)
		if (hb->state[i] >= PHX_CCP_MSTATE_MAX ||
		    !count_ok(hb->last_heard[i]))
			return false;
	return count_ok(hb->ifs.in_up) && count_ok(hb->ifs.in_assumed_up) &&
		count_ok(hb->ifs.out_up) && count_ok(hb->ifs.out_assumed_up) &&
		member_info_ok(&hb->member);
}

static bool
state_change_ok(const struct phx_ccp_state_change *sc)
{
	return sc->cur_state < PHX_CCP_MSTATE_MAX &&
		sc->new_state < PHX_CCP_MSTATE_MAX &&
		sc->reason < PHX_CCP_SCR_MAX && member_info_ok(&sc->member);
}

static bool
state_verdict_ok(const struct phx_ccp_state_verdict *sv)
{
	if (sv->state >= PHX_CCP_MSTATE_MAX || sv->refusal >= PHX_CCP_REFUSE_MAX)
		return false;
	switch (sv->verdict) {
	case PHX_CCP_VERDICT_GRANT:
		return sv->refusal == PHX_CCP_REFUSE_NONE;
	case PHX_CCP_VERDICT_REFUSE:
		return sv->refusal != PHX_CCP_REFUSE_NONE;
	default:
		return false;
	}
}

static bool
msg_ok(const struct phx_ccp_msg *m)
{
	if (!opcode_known(m->opcode) || !hdr_ok(&m->hdr))
		return false;
	switch (m->opcode) {
	case PHX_CCP_OP_MY_STATE:
		return heartbeat_ok(&m->hdr, &m->u.hb);
	case PHX_CCP_OP_STATE_REQ:
		return state_change_ok(&m->u.sreq);
	case PHX_CCP_OP_STATE_CONFIRM:
		return state_verdict_ok(&m->u.sconf);
	default:
		return true;    /* probes: every value is valid */
	}
}

/* The config TLV of a message, if its opcode carries one. */
static const struct phx_ccp_config_id *
msg_config(const struct phx_ccp_msg *m)
{
	switch (m->opcode) {
	case PHX_CCP_OP_MY_STATE:
		return &m->u.hb.config;
	case PHX_CCP_OP_STATE_REQ:
		return &m->u.sreq.config;
	default:
		return NULL;
	}
}

static const struct phx_ccp_member_info *
msg_member(const struct phx_ccp_msg *m)
{
	switch (m->opcode) {
	case PHX_CCP_OP_MY_STATE:
		return &m->u.hb.member;
	case PHX_CCP_OP_STATE_REQ:
		return &m->u.sreq.member;
	default:
		return NULL;
	}
}

static uint64_t
msg_echo(const struct phx_ccp_msg *m)
{
	return m->opcode == PHX_CCP_OP_STATE_CONFIRM ?
		m->u.sconf.echo : m->u.probe.echo;
}

/* Body length of a message about to be encoded (validated). */
static size_t
body_len(const struct phx_ccp_msg *m)
{
	switch (m->opcode) {
	case PHX_CCP_OP_MY_STATE:
		return sizeof(struct phx_ccp_my_state) +
			sizeof(struct phx_ccp_if_state) + 2u * m->u.hb.n_members;
	case PHX_CCP_OP_IF_PROBE_REQ:
	case PHX_CCP_OP_IF_PROBE_RPLY:
		return sizeof(struct phx_ccp_if_probe);
	case PHX_CCP_OP_STATE_REQ:
		return sizeof(struct phx_ccp_state_req);
	default:
		return sizeof(struct phx_ccp_state_confirm);
	}
}

/* ---- encoding ---- */

static size_t
put_tlv(uint8_t *p, uint8_t type, const void *val, size_t len)
{
	struct phx_ccp_tlv t = { .type = type, .len = (uint8_t)len };

	memcpy(p, &t, TLV_LEN);
	memcpy(p + TLV_LEN, val, len);
	return TLV_LEN + len;
}

static size_t
put_body(uint8_t *p, const struct phx_ccp_msg *m)
{
	const struct phx_ccp_heartbeat *hb = &m->u.hb;
	size_t off = 0;

	switch (m->opcode) {
	case PHX_CCP_OP_MY_STATE: {
		struct phx_ccp_my_state ms = {
			.n_members = htobe16(hb->n_members),
			.report_code = htobe16(PHX_CCP_REPORT_STATES |
					       PHX_CCP_REPORT_IFS),
			.ha_mode = htobe16(hb->ha_mode),
			.time_unit = htobe16(hb->time_unit_ms),
		};
		struct phx_ccp_if_state is = {
			.in_up = hb->ifs.in_up,
			.in_assumed_up = hb->ifs.in_assumed_up,
			.out_up = hb->ifs.out_up,
			.out_assumed_up = hb->ifs.out_assumed_up,
		};

		memcpy(p, &ms, sizeof(ms));
		off = sizeof(ms);
		memcpy(p + off, hb->state, hb->n_members);
		off += hb->n_members;
		memcpy(p + off, &is, sizeof(is));
		off += sizeof(is);
		memcpy(p + off, hb->last_heard, hb->n_members);
		off += hb->n_members;
		break;
	}
	case PHX_CCP_OP_IF_PROBE_REQ:
	case PHX_CCP_OP_IF_PROBE_RPLY: {
		struct phx_ccp_if_probe pr = { .ifn = htobe32(m->u.probe.ifn) };

		memcpy(p, &pr, sizeof(pr));
		off = sizeof(pr);
		break;
	}
	case PHX_CCP_OP_STATE_REQ: {
		struct phx_ccp_state_req sr = {
			.cur_state = m->u.sreq.cur_state,
			.new_state = m->u.sreq.new_state,
			.reason = htobe16(m->u.sreq.reason),
			.seq = htobe32(m->u.sreq.seq),
		};

		memcpy(p, &sr, sizeof(sr));
		off = sizeof(sr);
		break;
	}
	default: {
		struct phx_ccp_state_confirm sc = {
			.verdict = m->u.sconf.verdict,
			.state = m->u.sconf.state,
			.refusal = htobe16(m->u.sconf.refusal),
			.seq = htobe32(m->u.sconf.seq),
		};

		memcpy(p, &sc, sizeof(sc));
		off = sizeof(sc);
		break;
	}
	}
	return off;
}

static size_t
put_tlvs(uint8_t *p, const struct phx_ccp_msg *m)
{
	uint32_t set = opcode_tlvs(m->opcode);
	size_t off = 0;

	/* Increasing type order, as the decoder demands. */
	if (set & TLV_BIT(PHX_CCP_TLV_CONFIG)) {
		const struct phx_ccp_config_id *c = msg_config(m);
		struct phx_ccp_tlv_config v = {
			.generation = htobe64(c->generation),
		};

		memcpy(v.digest, c->digest, sizeof(v.digest));
		off += put_tlv(p + off, PHX_CCP_TLV_CONFIG, &v, sizeof(v));
	}
	if (set & TLV_BIT(PHX_CCP_TLV_MEMBER)) {
		const struct phx_ccp_member_info *mi = msg_member(m);
		struct phx_ccp_tlv_member v = {
			.priority = htobe16(mi->priority),
			.ifs_required = mi->ifs_required,
			.ifs_up = mi->ifs_up,
			.secured_required = mi->secured_required,
			.secured_up = mi->secured_up,
			.mode = mi->mode,
			.flags = mi->flags,
			.pnote = mi->pnote,
			.reserved = 0,
		};

		off += put_tlv(p + off, PHX_CCP_TLV_MEMBER, &v, sizeof(v));
	}
	if (set & TLV_BIT(PHX_CCP_TLV_ECHO)) {
		struct phx_ccp_tlv_echo v = { .counter = htobe64(msg_echo(m)) };

		off += put_tlv(p + off, PHX_CCP_TLV_ECHO, &v, sizeof(v));
	}
	if (has_platform(m)) {
		const struct phx_ccp_platform *pl = &m->u.hb.platform;
		struct phx_ccp_tlv_platform v = {
			.workers = pl->workers,
			.sync_version = pl->sync_version,
			.sync_mtu = htobe16(pl->sync_mtu),
		};

		/* validated: 1..16 characters; the rest stays NUL */
		memcpy(v.version, pl->version, strlen(pl->version));
		off += put_tlv(p + off, PHX_CCP_TLV_PLATFORM, &v, sizeof(v));
	}
	return off;
}

/* The CPHA header of every opcode, message or sync, at buf. */
static void
put_hdr(uint8_t *buf, uint16_t opcode, const struct phx_ccp_hdr_info *h,
	uint16_t policy_id)
{
	struct phx_ccp_hdr wh = {
		.magic = htobe16(PHX_CCP_MAGIC),
		.version = htobe16(PHX_CCP_CPHA_VERSION),
		.cluster = htobe16(h->cluster),
		.opcode = htobe16(opcode),
		.src_if = htobe16(h->src_if),
		.random_id = htobe16((uint16_t)h->boot_id),
		.src = htobe16(h->src),
		.dst = htobe16(h->dst),
		.policy_id = htobe16(policy_id),
		.filler = 0,
	};

	memcpy(buf, &wh, HDR_LEN);
}

/* The extension header at p; elen covers it and the TLVs after it. */
static void
put_ext(uint8_t *p, const struct phx_ccp_hdr_info *h, size_t elen)
{
	struct phx_ccp_ext we = {
		.version = PHX_CCP_EXT_VERSION,
		.mac_magic = h->mac_magic,
		.ext_len = htobe16((uint16_t)elen),
		.reserved = 0,
		.boot_id = htobe64(h->boot_id),
		.counter = htobe64(h->counter),
	};

	memcpy(p, &we, EXT_LEN);
}

int
phx_ccp_encode(uint8_t *buf, size_t cap, const struct phx_ccp_msg *m,
	       const struct phx_ccp_key *key)
{
	const struct phx_ccp_config_id *cfg;
	size_t blen, elen, len, off;

	if (!msg_ok(m))
		return -EINVAL;
	blen = body_len(m);
	elen = EXT_LEN + msg_tlv_bytes(m);
	len = HDR_LEN + blen + elen + PHX_CCP_TAG_LEN;
	if (len > cap)
		return -ENOSPC;

	cfg = msg_config(m);
	put_hdr(buf, m->opcode, &m->hdr, cfg != NULL ?
		(uint16_t)cfg->generation : m->hdr.policy_id);
	off = HDR_LEN;
	off += put_body(buf + off, m);
	put_ext(buf + off, &m->hdr, elen);
	off += EXT_LEN;
	off += put_tlvs(buf + off, m);

	phx_ccp_auth_tag(key, buf, off, buf + off);
	return (int)(off + PHX_CCP_TAG_LEN);
}

/* The sync body's own length: its first field (lib/sync_codec.h). */
static size_t
sync_body_len(const uint8_t *body)
{
	uint16_t v;

	memcpy(&v, body, sizeof(v));
	return be16toh(v);
}

int
phx_ccp_encode_sync(uint8_t *buf, size_t cap, const struct phx_ccp_hdr_info *h,
		    const uint8_t *body, size_t body_len,
		    const struct phx_ccp_key *key)
{
	size_t len, off;

	if (!hdr_ok(h) || body_len < PHX_SYNC_HDR_LEN ||
	    body_len > PHX_SYNC_MAX_BODY || sync_body_len(body) != body_len)
		return -EINVAL;
	len = HDR_LEN + body_len + EXT_LEN + PHX_CCP_TAG_LEN;
	if (len > cap)
		return -ENOSPC;

	put_hdr(buf, PHX_CCP_OP_SYNC, h, h->policy_id);
	off = HDR_LEN;
	memcpy(buf + off, body, body_len);
	off += body_len;
	put_ext(buf + off, h, EXT_LEN);         /* no TLVs */
	off += EXT_LEN;

	phx_ccp_auth_tag(key, buf, off, buf + off);
	return (int)(off + PHX_CCP_TAG_LEN);
}

int
phx_ccp_encode_heartbeat(uint8_t *buf, size_t cap,
			 const struct phx_ccp_hdr_info *h,
			 const struct phx_ccp_heartbeat *hb,
			 const struct phx_ccp_key *key)
{
	struct phx_ccp_msg m = { .opcode = PHX_CCP_OP_MY_STATE, .hdr = *h };

	m.u.hb = *hb;
	return phx_ccp_encode(buf, cap, &m, key);
}

int
phx_ccp_encode_probe(uint8_t *buf, size_t cap, const struct phx_ccp_hdr_info *h,
		     bool reply, const struct phx_ccp_probe *p,
		     const struct phx_ccp_key *key)
{
	struct phx_ccp_msg m = {
		.opcode = reply ? PHX_CCP_OP_IF_PROBE_RPLY :
			PHX_CCP_OP_IF_PROBE_REQ,
		.hdr = *h,
	};

	m.u.probe = *p;
	return phx_ccp_encode(buf, cap, &m, key);
}

int
phx_ccp_encode_state_req(uint8_t *buf, size_t cap,
			 const struct phx_ccp_hdr_info *h,
			 const struct phx_ccp_state_change *sc,
			 const struct phx_ccp_key *key)
{
	struct phx_ccp_msg m = { .opcode = PHX_CCP_OP_STATE_REQ, .hdr = *h };

	m.u.sreq = *sc;
	return phx_ccp_encode(buf, cap, &m, key);
}

int
phx_ccp_encode_state_confirm(uint8_t *buf, size_t cap,
			     const struct phx_ccp_hdr_info *h,
			     const struct phx_ccp_state_verdict *sv,
			     const struct phx_ccp_key *key)
{
	struct phx_ccp_msg m = { .opcode = PHX_CCP_OP_STATE_CONFIRM, .hdr = *h };

	m.u.sconf = *sv;
	return phx_ccp_encode(buf, cap, &m, key);
}

/* ---- decoding ---- */

enum phx_ccp_err
phx_ccp_peek(const uint8_t *buf, size_t len, uint16_t *opcode)
{
	struct phx_ccp_hdr wh;

	if (len < HDR_LEN)
		return PHX_CCP_ERR_TOO_SHORT;
	memcpy(&wh, buf, HDR_LEN);
	if (be16toh(wh.magic) != PHX_CCP_MAGIC)
		return PHX_CCP_ERR_BAD_MAGIC;
	if (be16toh(wh.version) != PHX_CCP_CPHA_VERSION)
		return PHX_CCP_ERR_BAD_VERSION;
	*opcode = be16toh(wh.opcode);
	return PHX_CCP_OK;
}

/*
 * Body at buf[*off..end) into m (opcode set). Lengths only: value ranges
 * are checked afterwards on the host struct (msg_ok). Advances *off.
 */
static enum phx_ccp_err
get_body(const uint8_t *buf, size_t end, size_t *off, struct phx_ccp_msg *m)
{
	size_t p = *off, avail = end - *off;

	switch (m->opcode) {
	case PHX_CCP_OP_MY_STATE: {
		struct phx_ccp_heartbeat *hb = &m->u.hb;
		struct phx_ccp_my_state ms;
		struct phx_ccp_if_state is;
		uint16_t n;

		if (avail < sizeof(ms))
			return PHX_CCP_ERR_BAD_LEN;
		memcpy(&ms, buf + p, sizeof(ms));
		n = be16toh(ms.n_members);
		/* The count sizes the arrays: check it before using it. */
		if (n < 1 || n > PHX_CCP_MAX_MEMBERS ||
		    be16toh(ms.report_code) !=
		    (PHX_CCP_REPORT_STATES | PHX_CCP_REPORT_IFS) ||
		    be16toh(ms.ha_mode) > UINT8_MAX)
			return PHX_CCP_ERR_MALFORMED;
		if (avail < sizeof(ms) + sizeof(is) + 2u * n)
			return PHX_CCP_ERR_BAD_LEN;
		hb->n_members = (uint8_t)n;
		hb->ha_mode = (uint8_t)be16toh(ms.ha_mode);
		hb->time_unit_ms = be16toh(ms.time_unit);
		p += sizeof(ms);
		memcpy(hb->state, buf + p, n);
		p += n;
		memcpy(&is, buf + p, sizeof(is));
		hb->ifs = (struct phx_ccp_if_counts){
			.in_up = is.in_up,
			.in_assumed_up = is.in_assumed_up,
			.out_up = is.out_up,
			.out_assumed_up = is.out_assumed_up,
		};
		p += sizeof(is);
		memcpy(hb->last_heard, buf + p, n);
		p += n;
		break;
	}
	case PHX_CCP_OP_IF_PROBE_REQ:
	case PHX_CCP_OP_IF_PROBE_RPLY: {
		struct phx_ccp_if_probe pr;

		if (avail < sizeof(pr))
			return PHX_CCP_ERR_BAD_LEN;
		memcpy(&pr, buf + p, sizeof(pr));
		m->u.probe.ifn = be32toh(pr.ifn);
		p += sizeof(pr);
		break;
	}
	case PHX_CCP_OP_STATE_REQ: {
		struct phx_ccp_state_req sr;

		if (avail < sizeof(sr))
			return PHX_CCP_ERR_BAD_LEN;
		memcpy(&sr, buf + p, sizeof(sr));
		m->u.sreq.cur_state = sr.cur_state;
		m->u.sreq.new_state = sr.new_state;
		m->u.sreq.reason = be16toh(sr.reason);
		m->u.sreq.seq = be32toh(sr.seq);
		p += sizeof(sr);
		break;
	}
	default: {
		struct phx_ccp_state_confirm sc;

		if (avail < sizeof(sc))
			return PHX_CCP_ERR_BAD_LEN;
		memcpy(&sc, buf + p, sizeof(sc));
		m->u.sconf.verdict = sc.verdict;
		m->u.sconf.state = sc.state;
		m->u.sconf.refusal = be16toh(sc.refusal);
		m->u.sconf.seq = be32toh(sc.seq);
		p += sizeof(sc);
		break;
	}
	}
	*off = p;
	return PHX_CCP_OK;
}

/* Value of a known TLV (length already checked) into m. Returns
 * PHX_CCP_OK, or MALFORMED for a reserved byte that is not 0 (the other
 * values are range-checked with the whole message). */
static enum phx_ccp_err
get_tlv(const uint8_t *val, uint8_t type, struct phx_ccp_msg *m)
{
	switch (type) {
	case PHX_CCP_TLV_CONFIG: {
		/* The opcode allows this TLV (checked by the caller), so it
		 * is MY_STATE or STATE_REQ. */
		struct phx_ccp_config_id *c =
			m->opcode == PHX_CCP_OP_MY_STATE ?
			&m->u.hb.config : &m->u.sreq.config;
		struct phx_ccp_tlv_config v;

		memcpy(&v, val, sizeof(v));
		c->generation = be64toh(v.generation);
		memcpy(c->digest, v.digest, sizeof(c->digest));
		break;
	}
	case PHX_CCP_TLV_MEMBER: {
		struct phx_ccp_member_info *mi =
			m->opcode == PHX_CCP_OP_MY_STATE ?
			&m->u.hb.member : &m->u.sreq.member;
		struct phx_ccp_tlv_member v;

		memcpy(&v, val, sizeof(v));
		*mi = (struct phx_ccp_member_info){
			.priority = be16toh(v.priority),
			.ifs_required = v.ifs_required,
			.ifs_up = v.ifs_up,
			.secured_required = v.secured_required,
			.secured_up = v.secured_up,
			.mode = v.mode,
			.flags = v.flags,
			.pnote = v.pnote,
		};
		if (v.reserved != 0)
			return PHX_CCP_ERR_MALFORMED;
		break;
	}
	case PHX_CCP_TLV_ECHO: {
		struct phx_ccp_tlv_echo v;

		memcpy(&v, val, sizeof(v));
		if (m->opcode == PHX_CCP_OP_STATE_CONFIRM)
			m->u.sconf.echo = be64toh(v.counter);
		else
			m->u.probe.echo = be64toh(v.counter);
		break;
	}
	default:
		break;
	}
	return PHX_CCP_OK;
}

/* The platform TLV's value (len bytes at val) into hb. Its exact length,
 * and the version NUL-padded; the values are checked with the message. */
static enum phx_ccp_err
get_platform(const uint8_t *val, size_t len, struct phx_ccp_heartbeat *hb)
{
	struct phx_ccp_tlv_platform v;
	size_t n, i;

	if (len != sizeof(v))
		return PHX_CCP_ERR_MALFORMED;
	memcpy(&v, val, sizeof(v));
	n = strnlen(v.version, sizeof(v.version));
	for (i = n; i < sizeof(v.version); i++)
		if (v.version[i] != '\0')
			return PHX_CCP_ERR_MALFORMED;
	hb->has_platform = true;
	hb->platform = (struct phx_ccp_platform){
		.workers = v.workers,
		.sync_version = v.sync_version,
		.sync_mtu = be16toh(v.sync_mtu),
	};
	memcpy(hb->platform.version, v.version, n);
	return PHX_CCP_OK;
}

/* TLVs at buf[off..end) into m. */
static enum phx_ccp_err
get_tlvs(const uint8_t *buf, size_t off, size_t end, struct phx_ccp_msg *m)
{
	uint32_t want = opcode_tlvs(m->opcode), have = 0;
	enum phx_ccp_err err;
	unsigned last = 0;
	struct phx_ccp_tlv t;

	/* Bounded: every pass consumes at least TLV_LEN bytes. */
	while (off < end) {
		if (end - off < TLV_LEN)
			return PHX_CCP_ERR_BAD_LEN;
		memcpy(&t, buf + off, TLV_LEN);
		off += TLV_LEN;
		if (t.len > end - off)
			return PHX_CCP_ERR_BAD_LEN;
		if (t.type <= last)     /* out of order, or twice */
			return PHX_CCP_ERR_MALFORMED;
		last = t.type;
		if (t.type == PHX_CCP_TLV_PLATFORM &&
		    m->opcode == PHX_CCP_OP_MY_STATE) {
			err = get_platform(buf + off, t.len, &m->u.hb);
			if (err != PHX_CCP_OK)
				return err;
		} else if (t.type & PHX_CCP_TLV_OPTIONAL) {
			/* unknown, or known but not for this opcode: a
			 * newer sender's, as far as we can tell */
			m->skipped_tlvs++;
		} else {
			/* Known types first: TLV_BIT of a large type would
			 * shift past 32 bits (found by fuzz_ccp_decode). */
			if (tlv_value_len(t.type) == 0 ||
			    !(want & TLV_BIT(t.type)) ||
			    t.len != tlv_value_len(t.type))
				return PHX_CCP_ERR_MALFORMED;
			err = get_tlv(buf + off, t.type, m);
			if (err != PHX_CCP_OK)
				return err;
			have |= TLV_BIT(t.type);
		}
		off += t.len;
	}
	return have == want ? PHX_CCP_OK : PHX_CCP_ERR_MALFORMED;
}

/*
 * Steps 1 and 2 of the file comment's order for a frame of min_len bytes
 * or more: header fields at fixed offsets (into *wh), then the tag.
 * sync picks which opcodes are ours: PHX_CCP_OP_SYNC alone, or the
 * messages of opcode_known.
 */
static enum phx_ccp_err
check_front(const uint8_t *buf, size_t len, size_t min_len,
	    const struct phx_ccp_ctx *ctx, bool sync, struct phx_ccp_hdr *wh)
{
	uint16_t op;
	size_t end;

	if (len < min_len)
		return PHX_CCP_ERR_TOO_SHORT;
	if (len > PHX_CCP_MAX_FRAME)
		return PHX_CCP_ERR_BAD_LEN;
	memcpy(wh, buf, HDR_LEN);
	if (be16toh(wh->magic) != PHX_CCP_MAGIC)
		return PHX_CCP_ERR_BAD_MAGIC;
	if (be16toh(wh->version) != PHX_CCP_CPHA_VERSION)
		return PHX_CCP_ERR_BAD_VERSION;
	op = be16toh(wh->opcode);
	if (sync ? op != PHX_CCP_OP_SYNC : !opcode_known(op))
		return PHX_CCP_ERR_UNKNOWN_OPCODE;
	if (be16toh(wh->cluster) != ctx->cluster)
		return PHX_CCP_ERR_FOREIGN_CLUSTER;
	if (be16toh(wh->src) == ctx->self)
		return PHX_CCP_ERR_FROM_SELF;

	/* The tag, before anything else is believed. */
	end = len - PHX_CCP_TAG_LEN;
	if (!phx_ccp_auth_verify(ctx->key, buf, end, buf + end))
		return PHX_CCP_ERR_BAD_TAG;
	return PHX_CCP_OK;
}

/*
 * Step 3 from the extension on: the extension at buf[off..end) (end: the
 * tag) and its TLVs into m, and the header info of wh and the extension
 * into m->hdr.
 */
static enum phx_ccp_err
check_ext(const uint8_t *buf, size_t off, size_t end,
	  const struct phx_ccp_ctx *ctx, const struct phx_ccp_hdr *wh,
	  struct phx_ccp_msg *m)
{
	struct phx_ccp_ext we;
	enum phx_ccp_err err;

	if (end - off < EXT_LEN)
		return PHX_CCP_ERR_BAD_LEN;
	memcpy(&we, buf + off, EXT_LEN);
	if (we.version != PHX_CCP_EXT_VERSION)
		return PHX_CCP_ERR_BAD_VERSION;
	if (be16toh(we.ext_len) != end - off)
		return PHX_CCP_ERR_BAD_LEN;
	if (we.mac_magic != ctx->mac_magic)
		return PHX_CCP_ERR_BAD_MAC_MAGIC;
	if (we.reserved != 0 || wh->filler != 0)
		return PHX_CCP_ERR_MALFORMED;
	err = get_tlvs(buf, off + EXT_LEN, end, m);
	if (err != PHX_CCP_OK)
		return err;

	m->hdr = (struct phx_ccp_hdr_info){
		.cluster = be16toh(wh->cluster),
		.src_if = be16toh(wh->src_if),
		.src = be16toh(wh->src),
		.dst = be16toh(wh->dst),
		.policy_id = be16toh(wh->policy_id),
		.mac_magic = we.mac_magic,
		.boot_id = be64toh(we.boot_id),
		.counter = be64toh(we.counter),
	};
	/* The random id is derived from the boot id: they must agree. */
	if (be16toh(wh->random_id) != (uint16_t)m->hdr.boot_id)
		return PHX_CCP_ERR_MALFORMED;
	return PHX_CCP_OK;
}

enum phx_ccp_err
phx_ccp_decode(const uint8_t *buf, size_t len, const struct phx_ccp_ctx *ctx,
	       struct phx_ccp_msg *out)
{
	const struct phx_ccp_config_id *cfg;
	struct phx_ccp_msg m = {0};
	struct phx_ccp_hdr wh;
	enum phx_ccp_err err;
	size_t end, off;

	/* 1. Header, at fixed offsets; 2. the tag. */
	err = check_front(buf, len, PHX_CCP_MIN_FRAME, ctx, false, &wh);
	if (err != PHX_CCP_OK)
		return err;
	m.opcode = be16toh(wh.opcode);

	/* 3. Body, extension, TLVs. */
	end = len - PHX_CCP_TAG_LEN;
	off = HDR_LEN;
	err = get_body(buf, end, &off, &m);
	if (err != PHX_CCP_OK)
		return err;
	err = check_ext(buf, off, end, ctx, &wh, &m);
	if (err != PHX_CCP_OK)
		return err;
	/* Fields the encoder derives must agree with their sources. */
	cfg = msg_config(&m);
	if (cfg != NULL && m.hdr.policy_id != (uint16_t)cfg->generation)
		return PHX_CCP_ERR_MALFORMED;
	if (!msg_ok(&m))
		return PHX_CCP_ERR_MALFORMED;

	*out = m;       /* commit */
	return PHX_CCP_OK;
}

enum phx_ccp_err
phx_ccp_decode_sync(const uint8_t *buf, size_t len,
		    const struct phx_ccp_ctx *ctx, struct phx_ccp_hdr_info *hdr,
		    const uint8_t **body, size_t *body_len)
{
	struct phx_ccp_msg m = { .opcode = PHX_CCP_OP_SYNC };
	struct phx_ccp_hdr wh;
	enum phx_ccp_err err;
	size_t end, blen;

	err = check_front(buf, len, PHX_CCP_MIN_SYNC_FRAME, ctx, true, &wh);
	if (err != PHX_CCP_OK)
		return err;

	/* The body's length is its own first field; the body's contents
	 * are lib/sync_codec's to judge. SYNC carries no TLVs, so
	 * get_tlvs (in check_ext) refuses any but unknown optional ones. */
	end = len - PHX_CCP_TAG_LEN;
	blen = sync_body_len(buf + HDR_LEN);
	if (blen < PHX_SYNC_HDR_LEN || blen > PHX_SYNC_MAX_BODY ||
	    blen > end - HDR_LEN)
		return PHX_CCP_ERR_BAD_LEN;
	err = check_ext(buf, HDR_LEN + blen, end, ctx, &wh, &m);
	if (err != PHX_CCP_OK)
		return err;
	if (!hdr_ok(&m.hdr))
		return PHX_CCP_ERR_MALFORMED;

	*hdr = m.hdr;   /* commit */
	*body = buf + HDR_LEN;
	*body_len = blen;
	return PHX_CCP_OK;
}

enum phx_ccp_err
phx_ccp_accept_hdr(struct phx_ccp_replay *r, const struct phx_ccp_hdr_info *h)
{
	return phx_ccp_replay_check_and_update(r, h->src, h->boot_id,
					       h->counter) ?
		PHX_CCP_OK : PHX_CCP_ERR_REPLAYED;
}

enum phx_ccp_err
phx_ccp_accept(struct phx_ccp_replay *r, const struct phx_ccp_msg *m)
{
	return phx_ccp_accept_hdr(r, &m->hdr);
}

/* ---- text ---- */

struct strbuf {
	char *buf;
	size_t cap;
	size_t n;       /* length the full text would have */
};

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(sb->n < sb->cap ? sb->buf + sb->n : NULL,
		      sb->n < sb->cap ? sb->cap - sb->n : 0, fmt, ap);
	va_end(ap);
	if (w > 0)
		sb->n += (size_t)w;
}

static void
fmt_config(struct strbuf *sb, const struct phx_ccp_config_id *c)
{
	unsigned i;

	sb_printf(sb, " gen=%" PRIu64 " digest=", c->generation);
	for (i = 0; i < sizeof(c->digest); i++)
		sb_printf(sb, "%02x", c->digest[i]);
}

static void
fmt_member(struct strbuf *sb, const struct phx_ccp_member_info *mi)
{
	sb_printf(sb, " prio=%u ifs=%u/%u secured=%u/%u mode=%u flags=0x%02x"
		  " pnote=%u", mi->priority, mi->ifs_up, mi->ifs_required,
		  mi->secured_up, mi->secured_required, mi->mode, mi->flags,
		  mi->pnote);
}

int
phx_ccp_msg_format(const struct phx_ccp_msg *m, char *buf, size_t cap)
{
	struct strbuf sb = { .buf = buf, .cap = cap, .n = 0 };
	const struct phx_ccp_hdr_info *h = &m->hdr;
	unsigned i;

	if (cap > 0)
		buf[0] = '\0';
	sb_printf(&sb, "%s cluster=%u src=%u dst=", phx_ccp_opcode_name(m->opcode),
		  h->cluster, h->src);
	if (h->dst == PHX_CCP_DST_ALL)
		sb_printf(&sb, "all");
	else
		sb_printf(&sb, "%u", h->dst);
	sb_printf(&sb, " if=%u policy=%u mac_magic=0x%02x boot=0x%016" PRIx64
		  " ctr=%" PRIu64, h->src_if, h->policy_id, h->mac_magic,
		  h->boot_id, h->counter);

	switch (m->opcode) {
	case PHX_CCP_OP_MY_STATE: {
		const struct phx_ccp_heartbeat *hb = &m->u.hb;
		unsigned n = hb->n_members <= PHX_CCP_MAX_MEMBERS ?
			hb->n_members : PHX_CCP_MAX_MEMBERS;

		sb_printf(&sb, " members=%u ha_mode=%u unit=%ums states=",
			  hb->n_members, hb->ha_mode, hb->time_unit_ms);
		for (i = 0; i < n; i++)
			sb_printf(&sb, "%s%s", i ? "," : "",
				  phx_ccp_mstate_name(hb->state[i]));
		sb_printf(&sb, " heard=");
		for (i = 0; i < n; i++)
			sb_printf(&sb, "%s%u", i ? "," : "", hb->last_heard[i]);
		sb_printf(&sb, " in=%u/%u out=%u/%u", hb->ifs.in_up,
			  hb->ifs.in_assumed_up, hb->ifs.out_up,
			  hb->ifs.out_assumed_up);
		fmt_config(&sb, &hb->config);
		fmt_member(&sb, &hb->member);
		if (hb->has_platform)
			sb_printf(&sb, " workers=%u sync_version=%u "
				  "sync_mtu=%u version=%.*s",
				  hb->platform.workers,
				  hb->platform.sync_version,
				  hb->platform.sync_mtu, PHX_CCP_VERSION_LEN,
				  hb->platform.version);
		break;
	}
	case PHX_CCP_OP_IF_PROBE_REQ:
		sb_printf(&sb, " ifn=%" PRIu32, m->u.probe.ifn);
		break;
	case PHX_CCP_OP_IF_PROBE_RPLY:
		sb_printf(&sb, " ifn=%" PRIu32 " echo=%" PRIu64, m->u.probe.ifn,
			  m->u.probe.echo);
		break;
	case PHX_CCP_OP_STATE_REQ:
		sb_printf(&sb, " from=%s to=%s reason=%u seq=%" PRIu32,
			  phx_ccp_mstate_name(m->u.sreq.cur_state),
			  phx_ccp_mstate_name(m->u.sreq.new_state),
			  m->u.sreq.reason, m->u.sreq.seq);
		fmt_config(&sb, &m->u.sreq.config);
		fmt_member(&sb, &m->u.sreq.member);
		break;
	case PHX_CCP_OP_STATE_CONFIRM:
		sb_printf(&sb, " verdict=%u state=%s refusal=%u seq=%" PRIu32
			  " echo=%" PRIu64, m->u.sconf.verdict,
			  phx_ccp_mstate_name(m->u.sconf.state),
			  m->u.sconf.refusal, m->u.sconf.seq, m->u.sconf.echo);
		break;
	default:
		break;
	}
	if (m->skipped_tlvs)
		sb_printf(&sb, " skipped_tlvs=%u", m->skipped_tlvs);
	return sb.n > (size_t)INT32_MAX ? -1 : (int)sb.n;
}

unsigned
phx_ccp_platform_cmp(const struct phx_ccp_platform *ours,
		     const struct phx_ccp_platform *peer)
{
	unsigned d = 0;

	if (strncmp(ours->version, peer->version, sizeof(ours->version)) != 0)
		d |= PHX_CCP_PLAT_VERSION;
	if (ours->sync_version != peer->sync_version)
		d |= PHX_CCP_PLAT_SYNC_VERSION;
	if (ours->sync_mtu != peer->sync_mtu)
		d |= PHX_CCP_PLAT_SYNC_MTU;
	if (ours->workers > peer->workers)
		d |= PHX_CCP_PLAT_MORE_WORKERS;
	else if (ours->workers < peer->workers)
		d |= PHX_CCP_PLAT_FEWER_WORKERS;
	return d;
}
