/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * State sync body encoder and decoder (format and contract:
 * lib/sync_codec.h).
 *
 * As in lib/ccp_codec.c, one set of value checks (rec_check) serves both
 * directions: the builder refuses what the decoder would reject, and the
 * decoder converts wire to host first and then applies the same checks.
 * Every host value has exactly one encoding and every byte the host form
 * cannot hold (reserved, pad) must be 0, so decode -> encode gives back
 * the very same bytes; the unit tests and tests/fuzz/fuzz_sync_decode.c
 * hold the codec to that.
 *
 * Records sit at arbitrary offsets: fields are read and written through
 * get/put helpers at explicit offsets, byte order converted right there.
 * Addresses and ports are kept in network order in the host structs too,
 * so they are copied as bytes.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/compiler.h"
#include "lib/sync_codec.h"
#include "lib/timeouts.h"

#define MEMBER_MAX 5    /* member ids are 1..5 (DESIGN: clusters of 2..5) */

static_assert(PHX_SYNC_MAX_RECORDS * PHX_SYNC_ACK_LEN <= PHX_SYNC_MAX_BODY,
	      "no body can hold more than PHX_SYNC_MAX_RECORDS records");
static_assert(PHX_SYNC_MAX_BODY <= UINT16_MAX, "body_len is a u16");

static const char *const err_names[PHX_SYNC_ERR_MAX] = {
	[PHX_SYNC_OK] = "ok",
#define PHX_SYNC_ERR_NAME_(e, n, d) [PHX_SYNC_ERR_##e] = #n,
	PHX_SYNC_ERRORS(PHX_SYNC_ERR_NAME_)
#undef PHX_SYNC_ERR_NAME_
};

static const char *const err_descs[PHX_SYNC_ERR_MAX] = {
	[PHX_SYNC_OK] = "body accepted",
#define PHX_SYNC_ERR_DESC_(e, n, d) [PHX_SYNC_ERR_##e] = d,
	PHX_SYNC_ERRORS(PHX_SYNC_ERR_DESC_)
#undef PHX_SYNC_ERR_DESC_
};

static const char *const rec_names[] = {
	[PHX_SYNC_SESS_NEW] = "SESS_NEW",
	[PHX_SYNC_SESS_UPD] = "SESS_UPD",
	[PHX_SYNC_SESS_DEL] = "SESS_DEL",
	[PHX_SYNC_SESS_FULL] = "SESS_FULL",
	[PHX_SYNC_ACK] = "ACK",
	[PHX_SYNC_NACK] = "NACK",
	[PHX_SYNC_FS_REQ] = "FS_REQ",
	[PHX_SYNC_FS_DONE] = "FS_DONE",
	[PHX_SYNC_FS_BEGIN] = "FS_BEGIN",
	[PHX_SYNC_CFG_REQ] = "CFG_REQ",
	[PHX_SYNC_CFG_DATA] = "CFG_DATA",
};

const char *
phx_sync_err_name(enum phx_sync_err e)
{
	return (unsigned)e < PHX_SYNC_ERR_MAX ? err_names[e] : "unknown";
}

const char *
phx_sync_err_desc(enum phx_sync_err e)
{
	return (unsigned)e < PHX_SYNC_ERR_MAX ? err_descs[e] : "unknown reason";
}

const char *
phx_sync_rec_name(uint8_t type)
{
	if (type < PHX_DIM(rec_names) && rec_names[type] != NULL)
		return rec_names[type];
	return "unknown";
}

/* ---- byte access at explicit offsets ---- */

static inline uint16_t
get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return be16toh(v);
}

static inline uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return be32toh(v);
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	v = htobe16(v);
	memcpy(p, &v, sizeof(v));
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, sizeof(v));
}

/* ---- what each record type is ---- */

static bool
is_sess(uint8_t type)
{
	return type == PHX_SYNC_SESS_NEW || type == PHX_SYNC_SESS_UPD ||
		type == PHX_SYNC_SESS_FULL;
}

/* Wire length of a record of this type (SESS: of this sflags); 0 for a
 * type this version does not know. */
static size_t
type_len(uint8_t type, uint8_t sflags)
{
	switch (type) {
	case PHX_SYNC_SESS_NEW:
	case PHX_SYNC_SESS_UPD:
	case PHX_SYNC_SESS_FULL:
		return (sflags & PHX_SYNC_SF_WINDOW) ? PHX_SYNC_SESS_WIN_LEN :
			PHX_SYNC_SESS_LEN;
	case PHX_SYNC_SESS_DEL:
		return PHX_SYNC_DEL_LEN;
	case PHX_SYNC_ACK:
		return PHX_SYNC_ACK_LEN;
	case PHX_SYNC_NACK:
		return PHX_SYNC_NACK_LEN;
	case PHX_SYNC_FS_REQ:
		return PHX_SYNC_FS_REQ_LEN;
	case PHX_SYNC_FS_BEGIN:
		return PHX_SYNC_FS_BEGIN_LEN;
	case PHX_SYNC_FS_DONE:
		return PHX_SYNC_FS_DONE_LEN;
	case PHX_SYNC_CFG_REQ:
		return PHX_SYNC_CFG_REQ_LEN;
	case PHX_SYNC_CFG_DATA:
		return PHX_SYNC_CFG_HDR_LEN; /* + its bytes: the one type of
					      * variable length */
	default:
		return 0;
	}
}

/* Session records and full-sync markers are the sender's ordered stream;
 * ACK, NACK and FS_REQ are about someone else's stream and must never be
 * retransmitted or wait in a reorder window (header comment). */
static bool
type_sequenced(uint8_t type)
{
	return type != PHX_SYNC_ACK && type != PHX_SYNC_NACK &&
		type != PHX_SYNC_FS_REQ && type != PHX_SYNC_CFG_REQ;
}

size_t
phx_sync_rec_len(const struct phx_sync_rec *r)
{
	if (r->type == PHX_SYNC_CFG_DATA)
		return PHX_SYNC_CFG_HDR_LEN + r->u.cfg.n;
	return type_len(r->type, is_sess(r->type) ? r->u.sess.sflags : 0);
}

/* ---- value checks shared by builder and decoder ---- */

static bool
member_ok(uint8_t id)
{
	return id >= 1 && id <= MEMBER_MAX;
}

static bool
key_ok(const struct phx_flow_key *k)
{
	return k->proto != 0 && k->pad[0] == 0 && k->pad[1] == 0 &&
		k->pad[2] == 0;
}

/* The window fields sync ships all zero? (Not the struct's last byte:
 * that is the dataplane's own, never shipped; lib/tcp_fsm.h.) */
static bool
win_zero(const struct phx_tcp_win *w)
{
	return (w->end[0] | w->end[1] | w->maxend[0] | w->maxend[1] |
		w->maxwin[0] | w->maxwin[1] | w->wscale[0] | w->wscale[1] |
		w->flags) == 0;
}

static bool
sess_ok(const struct phx_sync_sess *s)
{
	if (!key_ok(&s->key) || (s->sflags & ~PHX_SYNC_SF_ALL) != 0 ||
	    (s->sflags & (PHX_SYNC_SF_SNAT | PHX_SYNC_SF_DNAT)) ==
	    (PHX_SYNC_SF_SNAT | PHX_SYNC_SF_DNAT) ||
	    s->state >= PHX_TCP_STATE_MAX || s->tmo_class >= PHX_TMO_MAX ||
	    !member_ok(s->owner))
		return false;
	/* Without SF_WINDOW the window is not on the wire: a non-zero one
	 * would not survive the trip. */
	return (s->sflags & PHX_SYNC_SF_WINDOW) || win_zero(&s->win);
}

/* Value checks of one record, for a frame that is sequenced or not.
 * PHX_SYNC_OK, BAD_RECORD, WRONG_FRAME or BAD_VALUE, in that order. */
static enum phx_sync_err
rec_check(const struct phx_sync_rec *r, bool sequenced)
{
	if (type_len(r->type, 0) == 0)
		return PHX_SYNC_ERR_BAD_RECORD;
	if (type_sequenced(r->type) != sequenced)
		return PHX_SYNC_ERR_WRONG_FRAME;
	switch (r->type) {
	case PHX_SYNC_SESS_NEW:
	case PHX_SYNC_SESS_UPD:
	case PHX_SYNC_SESS_FULL:
		return sess_ok(&r->u.sess) ? PHX_SYNC_OK : PHX_SYNC_ERR_BAD_VALUE;
	case PHX_SYNC_SESS_DEL:
		return key_ok(&r->u.key) ? PHX_SYNC_OK : PHX_SYNC_ERR_BAD_VALUE;
	case PHX_SYNC_CFG_DATA: {
		uint64_t end = (uint64_t)r->u.cfg.offset + r->u.cfg.n;

		if (r->u.cfg.n > PHX_SYNC_CFG_CHUNK ||
		    (r->u.cfg.n > 0 && r->u.cfg.data == NULL) ||
		    r->u.cfg.total == 0 || r->u.cfg.total > PHX_SYNC_CFG_MAX ||
		    end > r->u.cfg.total ||
		    (r->status & ~PHX_SYNC_CF_LAST) != 0 ||
		    !!(r->status & PHX_SYNC_CF_LAST) !=
		    (end == r->u.cfg.total))
			return PHX_SYNC_ERR_BAD_VALUE;
		return member_ok(r->peer) ? PHX_SYNC_OK : PHX_SYNC_ERR_BAD_VALUE;
	}
	case PHX_SYNC_NACK:
		/* Serial distance: a range that wraps past 2^32 is fine, one
		 * with to before from is a huge distance and refused. */
		if (r->u.nack.to - r->u.nack.from >= PHX_SYNC_NACK_SPAN)
			return PHX_SYNC_ERR_BAD_VALUE;
		/* fall through */
	default:        /* ACK, FS_*: the member named */
		return member_ok(r->peer) ? PHX_SYNC_OK : PHX_SYNC_ERR_BAD_VALUE;
	}
}

/* ---- encoding ---- */

/* The record at p (phx_sync_rec_len(r) bytes, checked). */
static void
put_rec(uint8_t *p, const struct phx_sync_rec *r, size_t len)
{
	memset(p, 0, len);      /* reserved and pad bytes */
	p[0] = r->type;
	p[1] = (uint8_t)len;
	switch (r->type) {
	case PHX_SYNC_SESS_NEW:
	case PHX_SYNC_SESS_UPD:
	case PHX_SYNC_SESS_FULL: {
		const struct phx_sync_sess *s = &r->u.sess;

		p[2] = s->key.proto;
		p[3] = s->state;
		p[4] = s->sflags;
		p[5] = s->tmo_class;
		memcpy(p + 6, &s->key.src_ip, 4);
		memcpy(p + 10, &s->key.dst_ip, 4);
		memcpy(p + 14, &s->key.sport, 2);
		memcpy(p + 16, &s->key.dport, 2);
		memcpy(p + 18, &s->nat_ip, 4);
		memcpy(p + 22, &s->nat_port, 2);
		put16(p + 24, s->rule);
		p[26] = s->in_port;
		p[27] = s->owner;
		put32(p + 28, s->gen);
		put32(p + 32, s->remaining_ms);
		if (s->sflags & PHX_SYNC_SF_WINDOW) {
			put32(p + 36, s->win.end[0]);
			put32(p + 40, s->win.end[1]);
			put32(p + 44, s->win.maxend[0]);
			put32(p + 48, s->win.maxend[1]);
			put16(p + 52, s->win.maxwin[0]);
			put16(p + 54, s->win.maxwin[1]);
			p[56] = s->win.wscale[0];
			p[57] = s->win.wscale[1];
			p[58] = s->win.flags;
		}
		break;
	}
	case PHX_SYNC_SESS_DEL:
		p[2] = r->u.key.proto;
		memcpy(p + 4, &r->u.key.src_ip, 4);
		memcpy(p + 8, &r->u.key.dst_ip, 4);
		memcpy(p + 12, &r->u.key.sport, 2);
		memcpy(p + 14, &r->u.key.dport, 2);
		break;
	case PHX_SYNC_ACK:
		p[2] = r->peer;
		put32(p + 4, r->u.seq);
		break;
	case PHX_SYNC_NACK:
		p[2] = r->peer;
		put32(p + 4, r->u.nack.from);
		put32(p + 8, r->u.nack.to);
		break;
	case PHX_SYNC_FS_REQ:
	case PHX_SYNC_FS_BEGIN:
	case PHX_SYNC_CFG_REQ:
		p[2] = r->peer;
		put32(p + 4, r->u.fs.token);
		break;
	case PHX_SYNC_FS_DONE:
		p[2] = r->peer;
		p[3] = r->status;
		put32(p + 4, r->u.fs.token);
		put32(p + 8, r->u.fs.count);
		break;
	case PHX_SYNC_CFG_DATA:
		p[2] = r->peer;
		p[3] = r->status;
		put32(p + 4, r->u.cfg.token);
		put32(p + 8, r->u.cfg.offset);
		put32(p + 12, r->u.cfg.total);
		if (r->u.cfg.n > 0)
			memcpy(p + PHX_SYNC_CFG_HDR_LEN, r->u.cfg.data,
			       r->u.cfg.n);
		break;
	default:
		break;
	}
}

void
phx_sync_build_init(struct phx_sync_builder *b, uint8_t *buf, size_t cap,
		    bool sequenced, uint32_t seq)
{
	*b = (struct phx_sync_builder){
		.buf = buf,
		/* Never build what no receiver accepts. */
		.cap = cap < PHX_SYNC_MAX_BODY ? cap : PHX_SYNC_MAX_BODY,
		.len = PHX_SYNC_HDR_LEN,
		.n = 0,
		.flags = sequenced ? PHX_SYNC_FF_SEQ : 0,
	};
	/* The builder struct has no seq field: keep it in the header slot
	 * it belongs to. An unsequenced frame carries seq 0, whatever the
	 * caller passed. */
	if (b->cap >= PHX_SYNC_HDR_LEN)
		put32(buf + 4, sequenced ? seq : 0);
}

int
phx_sync_build_rec(struct phx_sync_builder *b, const struct phx_sync_rec *r)
{
	size_t len;

	if (rec_check(r, b->flags & PHX_SYNC_FF_SEQ) != PHX_SYNC_OK)
		return -EINVAL;
	len = phx_sync_rec_len(r);
	if (b->cap < PHX_SYNC_HDR_LEN || len > b->cap - b->len ||
	    b->n >= PHX_SYNC_MAX_RECORDS)
		return -ENOSPC;
	put_rec(b->buf + b->len, r, len);
	b->len += len;
	b->n++;
	return 0;
}

size_t
phx_sync_build_finish(struct phx_sync_builder *b)
{
	uint8_t *p = b->buf;

	if (b->n == 0)
		return 0;
	put16(p, (uint16_t)b->len);
	p[2] = PHX_SYNC_VERSION;
	p[3] = b->flags;
	/* seq: written by build_init */
	put16(p + 8, b->n);
	put16(p + 10, 0);
	return b->len;
}

/* ---- decoding ---- */

enum phx_sync_err
phx_sync_peek(const uint8_t *buf, size_t len, uint8_t *flags, uint32_t *seq)
{
	uint8_t fl;
	uint32_t s;
	uint16_t n;

	if (len < PHX_SYNC_HDR_LEN)
		return PHX_SYNC_ERR_TOO_SHORT;
	if (buf[2] != PHX_SYNC_VERSION)
		return PHX_SYNC_ERR_BAD_VERSION;
	if (get16(buf) != len || len > PHX_SYNC_MAX_BODY)
		return PHX_SYNC_ERR_BAD_LEN;
	n = get16(buf + 8);
	if (n < 1 || n > PHX_SYNC_MAX_RECORDS)
		return PHX_SYNC_ERR_BAD_LEN;
	fl = buf[3];
	s = get32(buf + 4);
	if ((fl & ~PHX_SYNC_FF_ALL) != 0 || get16(buf + 10) != 0 ||
	    (!(fl & PHX_SYNC_FF_SEQ) && s != 0))
		return PHX_SYNC_ERR_BAD_VALUE;
	*flags = fl;
	*seq = s;
	return PHX_SYNC_OK;
}

/* Record at p (len bytes, length already checked against its type) into
 * r. BAD_VALUE for a reserved or pad byte that is not 0; the other values
 * are checked afterwards on the host record (rec_check). */
static enum phx_sync_err
get_rec(const uint8_t *p, size_t len, struct phx_sync_rec *r)
{
	*r = (struct phx_sync_rec){ .type = p[0] };
	switch (r->type) {
	case PHX_SYNC_SESS_NEW:
	case PHX_SYNC_SESS_UPD:
	case PHX_SYNC_SESS_FULL: {
		struct phx_sync_sess *s = &r->u.sess;

		s->key.proto = p[2];
		s->state = p[3];
		s->sflags = p[4];
		s->tmo_class = p[5];
		memcpy(&s->key.src_ip, p + 6, 4);
		memcpy(&s->key.dst_ip, p + 10, 4);
		memcpy(&s->key.sport, p + 14, 2);
		memcpy(&s->key.dport, p + 16, 2);
		memcpy(&s->nat_ip, p + 18, 4);
		memcpy(&s->nat_port, p + 22, 2);
		s->rule = get16(p + 24);
		s->in_port = p[26];
		s->owner = p[27];
		s->gen = get32(p + 28);
		s->remaining_ms = get32(p + 32);
		if (len == PHX_SYNC_SESS_WIN_LEN) {
			s->win.end[0] = get32(p + 36);
			s->win.end[1] = get32(p + 40);
			s->win.maxend[0] = get32(p + 44);
			s->win.maxend[1] = get32(p + 48);
			s->win.maxwin[0] = get16(p + 52);
			s->win.maxwin[1] = get16(p + 54);
			s->win.wscale[0] = p[56];
			s->win.wscale[1] = p[57];
			s->win.flags = p[58];
			if (p[59] != 0)
				return PHX_SYNC_ERR_BAD_VALUE;
		}
		break;
	}
	case PHX_SYNC_SESS_DEL:
		r->u.key.proto = p[2];
		memcpy(&r->u.key.src_ip, p + 4, 4);
		memcpy(&r->u.key.dst_ip, p + 8, 4);
		memcpy(&r->u.key.sport, p + 12, 2);
		memcpy(&r->u.key.dport, p + 14, 2);
		if (p[3] != 0)
			return PHX_SYNC_ERR_BAD_VALUE;
		break;
	case PHX_SYNC_ACK:
		r->peer = p[2];
		r->u.seq = get32(p + 4);
		if (p[3] != 0)
			return PHX_SYNC_ERR_BAD_VALUE;
		break;
	case PHX_SYNC_NACK:
		r->peer = p[2];
		r->u.nack.from = get32(p + 4);
		r->u.nack.to = get32(p + 8);
		if (p[3] != 0)
			return PHX_SYNC_ERR_BAD_VALUE;
		break;
	case PHX_SYNC_FS_REQ:
	case PHX_SYNC_FS_BEGIN:
	case PHX_SYNC_CFG_REQ:
		r->peer = p[2];
		r->u.fs.token = get32(p + 4);
		if (p[3] != 0)
			return PHX_SYNC_ERR_BAD_VALUE;
		break;
	case PHX_SYNC_CFG_DATA:
		r->peer = p[2];
		r->status = p[3];
		r->u.cfg.token = get32(p + 4);
		r->u.cfg.offset = get32(p + 8);
		r->u.cfg.total = get32(p + 12);
		r->u.cfg.n = (uint16_t)(len - PHX_SYNC_CFG_HDR_LEN);
		r->u.cfg.data = r->u.cfg.n > 0 ? p + PHX_SYNC_CFG_HDR_LEN :
			NULL;
		break;
	case PHX_SYNC_FS_DONE:
		r->peer = p[2];
		r->status = p[3];
		r->u.fs.token = get32(p + 4);
		r->u.fs.count = get32(p + 8);
		break;
	default:
		break;
	}
	return PHX_SYNC_OK;
}

enum phx_sync_err
phx_sync_decode(const uint8_t *buf, size_t len, struct phx_sync_frame *out)
{
	enum phx_sync_err err;
	size_t off, rlen;
	uint8_t flags;
	uint32_t seq;
	uint16_t n, i;

	err = phx_sync_peek(buf, len, &flags, &seq);
	if (err != PHX_SYNC_OK)
		return err;
	n = get16(buf + 8);
	out->flags = flags;
	out->seq = seq;
	out->n = n;

	/* Bounded: n <= PHX_SYNC_MAX_RECORDS, and every record consumes at
	 * least PHX_SYNC_ACK_LEN bytes. */
	off = PHX_SYNC_HDR_LEN;
	for (i = 0; i < n; i++) {
		const uint8_t *p = buf + off;

		if (len - off < 2)
			return PHX_SYNC_ERR_BAD_LEN;
		rlen = p[1];
		if (rlen < 2 || rlen > len - off)
			return PHX_SYNC_ERR_BAD_LEN;
		/* The length is fixed by the type, a SESS record's by its
		 * sflags too (byte 4, inside the record once rlen > 4). */
		if (type_len(p[0], 0) == 0)
			return PHX_SYNC_ERR_BAD_RECORD;
		if (p[0] == PHX_SYNC_CFG_DATA ? rlen < PHX_SYNC_CFG_HDR_LEN :
		    is_sess(p[0]) ? rlen <= 4 || rlen != type_len(p[0], p[4]) :
		    rlen != type_len(p[0], 0))
			return PHX_SYNC_ERR_BAD_RECORD;
		if (type_sequenced(p[0]) != !!(flags & PHX_SYNC_FF_SEQ))
			return PHX_SYNC_ERR_WRONG_FRAME;
		err = get_rec(p, rlen, &out->rec[i]);
		if (err != PHX_SYNC_OK)
			return err;
		err = rec_check(&out->rec[i], flags & PHX_SYNC_FF_SEQ);
		if (err != PHX_SYNC_OK)
			return err;
		off += rlen;
	}
	return off == len ? PHX_SYNC_OK : PHX_SYNC_ERR_BAD_LEN;
}

/* ---- text ---- */

/* "a.b.c.d:port" of a network-order address and port. */
static void
fmt_addr(char *buf, size_t cap, uint32_t ip, uint16_t port)
{
	uint8_t a[4];

	memcpy(a, &ip, 4);
	snprintf(buf, cap, "%u.%u.%u.%u:%u", a[0], a[1], a[2], a[3],
		 be16toh(port));
}

int
phx_sync_rec_format(const struct phx_sync_rec *r, char *buf, size_t cap)
{
	char src[32], dst[32], nat[32];
	const char *name = phx_sync_rec_name(r->type);

	switch (r->type) {
	case PHX_SYNC_SESS_NEW:
	case PHX_SYNC_SESS_UPD:
	case PHX_SYNC_SESS_FULL: {
		const struct phx_sync_sess *s = &r->u.sess;
		const struct phx_tcp_win *w = &s->win;
		int n, m;

		fmt_addr(src, sizeof(src), s->key.src_ip, s->key.sport);
		fmt_addr(dst, sizeof(dst), s->key.dst_ip, s->key.dport);
		fmt_addr(nat, sizeof(nat), s->nat_ip, s->nat_port);
		n = snprintf(buf, cap, "%s proto=%u %s > %s state=%u"
			     " sflags=0x%02x tmo=%u nat=%s rule=%u in=%u"
			     " owner=%u gen=%" PRIu32 " rem=%" PRIu32 "ms",
			     name, s->key.proto, src, dst, s->state, s->sflags,
			     s->tmo_class, nat, s->rule, s->in_port, s->owner,
			     s->gen, s->remaining_ms);
		if (n < 0 || !(s->sflags & PHX_SYNC_SF_WINDOW))
			return n;
		m = snprintf((size_t)n < cap ? buf + n : NULL,
			     (size_t)n < cap ? cap - (size_t)n : 0,
			     " end=%" PRIu32 ",%" PRIu32 " maxend=%" PRIu32
			     ",%" PRIu32 " maxwin=%u,%u wscale=%u,%u"
			     " wflags=0x%02x", w->end[0], w->end[1],
			     w->maxend[0], w->maxend[1], w->maxwin[0],
			     w->maxwin[1], w->wscale[0], w->wscale[1],
			     w->flags);
		return m < 0 ? m : n + m;
	}
	case PHX_SYNC_SESS_DEL:
		fmt_addr(src, sizeof(src), r->u.key.src_ip, r->u.key.sport);
		fmt_addr(dst, sizeof(dst), r->u.key.dst_ip, r->u.key.dport);
		return snprintf(buf, cap, "%s proto=%u %s > %s", name,
				r->u.key.proto, src, dst);
	case PHX_SYNC_ACK:
		return snprintf(buf, cap, "%s peer=%u seq=%" PRIu32, name,
				r->peer, r->u.seq);
	case PHX_SYNC_NACK:
		return snprintf(buf, cap, "%s peer=%u from=%" PRIu32
				" to=%" PRIu32, name, r->peer, r->u.nack.from,
				r->u.nack.to);
	case PHX_SYNC_FS_REQ:
	case PHX_SYNC_FS_BEGIN:
	case PHX_SYNC_CFG_REQ:
		return snprintf(buf, cap, "%s peer=%u token=%" PRIu32, name,
				r->peer, r->u.fs.token);
	case PHX_SYNC_CFG_DATA:
		return snprintf(buf, cap, "%s peer=%u flags=%u token=%" PRIu32
				" offset=%" PRIu32 " total=%" PRIu32 " n=%u",
				name, r->peer, r->status, r->u.cfg.token,
				r->u.cfg.offset, r->u.cfg.total, r->u.cfg.n);
	case PHX_SYNC_FS_DONE:
		return snprintf(buf, cap, "%s peer=%u status=%u token=%" PRIu32
				" count=%" PRIu32, name, r->peer, r->status,
				r->u.fs.token, r->u.fs.count);
	default:
		return snprintf(buf, cap, "%s type=%u", name, r->type);
	}
}
