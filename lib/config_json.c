/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON front-end: text -> located node tree (lib/config_node.h).
 *
 * jansson does the parsing, so syntax errors, escapes, UTF-8 validation and
 * duplicate keys (JSON_REJECT_DUPLICATES) are handled by a well-fuzzed
 * parser rather than by us. jansson keeps no positions per value, so after
 * a successful parse a small scanner walks the same text once and records
 * the line:column of every key and every value in document order. Because
 * jansson keeps object members in insertion order and duplicates were
 * rejected, a pre-order walk of the json_t tree visits values in exactly
 * that order, so the n-th record belongs to the n-th value: the record's
 * path is implied by its position. A table keyed by path strings was
 * rejected: same result, but it needs a hash and is ambiguous for keys that
 * contain '.' or '['.
 *
 * On a syntax error the same scanner, run up to jansson's error offset,
 * tells which key the error is under (so the message can carry a path), and
 * for a duplicate key where the first one was.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/compiler.h"
#include "lib/config_node.h"

/* One key or value start found by the scanner. */
struct jrec {
	bool is_key;              /* an object key, else a value */
	struct phx_cfg_loc loc;   /* its first character */
	size_t off;               /* raw text span: keys and strings without */
	size_t len;               /* the quotes, other scalars as written */
	unsigned frame;           /* serial of the enclosing object/array */
};

/* One open object/array while scanning. */
struct jframe {
	bool is_obj;
	bool expect_key;          /* object: next string is a key */
	bool has_key;             /* object: key_off/key_len valid */
	unsigned index;           /* array: index of the current item */
	size_t key_off, key_len;  /* object: current key (raw) */
	unsigned serial;
};

struct jscan {
	const char *buf;
	size_t len;
	size_t i;                 /* next byte */
	struct phx_cfg_loc pos;   /* of buf[i] */
	struct jrec *recs;        /* document-order records, or NULL if the */
	size_t n_recs, cap_recs;  /* caller only wants the path at an offset */
	struct jframe stack[PHX_CFG_MAX_DEPTH + 1];
	unsigned depth;           /* frames open, may exceed the stack */
	unsigned serials;
	bool oom;
};

static void
adv(struct jscan *s)
{
	unsigned char c = (unsigned char)s->buf[s->i++];

	if (c == '\n') {
		s->pos.line++;
		s->pos.col = 1;
	} else if ((c & 0xc0) != 0x80) {
		s->pos.col++;
	}
}

static struct jframe *
top(struct jscan *s)
{
	if (s->depth == 0 || s->depth > PHX_DIM(s->stack))
		return NULL;
	return &s->stack[s->depth - 1];
}

static void
record(struct jscan *s, bool is_key, struct phx_cfg_loc loc, size_t off,
       size_t len)
{
	struct jframe *f = top(s);
	struct jrec *r;

	if (s->oom)
		return;
	if (s->n_recs == s->cap_recs) {
		size_t cap = s->cap_recs ? s->cap_recs * 2 : 256;

		r = realloc(s->recs, cap * sizeof(*r));
		if (r == NULL) {
			s->oom = true;
			return;
		}
		s->recs = r;
		s->cap_recs = cap;
	}
	r = &s->recs[s->n_recs++];
	r->is_key = is_key;
	r->loc = loc;
	r->off = off;
	r->len = len;
	r->frame = f ? f->serial : 0;
}

static void
push(struct jscan *s, bool is_obj)
{
	if (s->depth < PHX_DIM(s->stack)) {
		struct jframe *f = &s->stack[s->depth];

		memset(f, 0, sizeof(*f));
		f->is_obj = is_obj;
		f->expect_key = is_obj;
		f->serial = ++s->serials;
	}
	s->depth++;
}

/*
 * Scan buf up to byte stop (or the end). The text before jansson's error
 * offset is a valid JSON prefix, so the scanner needs no error handling of
 * its own: it only has to agree with jansson on valid input.
 * want_recs: record keys and values (else only track the open frames).
 */
static void
scan(struct jscan *s, size_t stop, bool want_recs)
{
	while (s->i < s->len && s->i < stop && !s->oom) {
		char c = s->buf[s->i];
		struct phx_cfg_loc at = s->pos;
		struct jframe *f = top(s);
		size_t start;

		switch (c) {
		case '"':
			adv(s);
			start = s->i;
			while (s->i < s->len && s->buf[s->i] != '"') {
				if (s->buf[s->i] == '\\' && s->i + 1 < s->len)
					adv(s);
				adv(s);
			}
			if (f && f->is_obj && f->expect_key) {
				f->expect_key = false;
				f->has_key = true;
				f->key_off = start;
				f->key_len = s->i - start;
				if (want_recs)
					record(s, true, at, start, s->i - start);
			} else if (want_recs) {
				record(s, false, at, start, s->i - start);
			}
			if (s->i < s->len)
				adv(s); /* closing quote */
			break;
		case '{':
		case '[':
			if (want_recs)
				record(s, false, at, s->i, 1);
			adv(s);
			push(s, c == '{');
			break;
		case '}':
		case ']':
			adv(s);
			if (s->depth)
				s->depth--;
			break;
		case ',':
			adv(s);
			if (f && f->is_obj) {
				f->expect_key = true;
				f->has_key = false;
			} else if (f) {
				f->index++;
			}
			break;
		case ':':
		case ' ':
		case '\t':
		case '\r':
		case '\n':
			adv(s);
			break;
		default:
			/* number, true, false, null */
			start = s->i;
			while (s->i < s->len &&
			       strchr("+-.0123456789eEtruefalsn",
				      s->buf[s->i]) != NULL &&
			       s->buf[s->i] != '\0')
				adv(s);
			if (s->i == start)
				adv(s); /* not JSON; cannot happen before stop */
			else if (want_recs)
				record(s, false, at, start, s->i - start);
			break;
		}
	}
}

static void
scan_init(struct jscan *s, const char *buf, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->buf = buf;
	s->len = len;
	s->pos.line = 1;
	s->pos.col = 1;
}

/* Path of the innermost open key/item, from the scanner's frames. */
static void
scan_path(const struct jscan *s, char *buf, size_t size)
{
	unsigned d, n = s->depth < PHX_DIM(s->stack) ? s->depth
						      : (unsigned)PHX_DIM(s->stack);
	size_t o = 0;

	buf[0] = '\0';
	for (d = 0; d < n && o + 1 < size; d++) {
		const struct jframe *f = &s->stack[d];
		int w;

		if (f->is_obj && !f->has_key)
			break;
		if (f->is_obj) {
			char key[65], parent[PHX_CFG_STR_LEN];

			/* raw text: escapes stay as written */
			snprintf(key, sizeof(key), "%.*s",
				 (int)(f->key_len > 64 ? 64 : f->key_len),
				 s->buf + f->key_off);
			snprintf(parent, sizeof(parent), "%s", buf);
			phx_cfg_path_key(buf, size, parent, key);
		} else {
			w = snprintf(buf + o, size - o, "[%u]", f->index);
			if (w < 0)
				break;
		}
		o = strlen(buf);
	}
}

/*
 * Byte offset where the token jansson complains about starts. jansson
 * reports the position just past the token and quotes the token in the
 * message ("... near 'tru'"); pointing at the start of the token is what
 * an operator expects, so step back over it when the text agrees.
 */
static size_t
token_start(const char *buf, size_t len, const json_error_t *je)
{
	const char *near = strstr(je->text, "near '");
	size_t pos = (size_t)je->position, tl;

	if (pos > len)
		pos = len;
	if (near == NULL && strstr(je->text, "end of file") == NULL) {
		/* jansson omits tokens longer than 20 bytes from the message;
		 * numbers are the common case ("too big integer") */
		while (pos > 0 && strchr("+-.0123456789eE", buf[pos - 1]) &&
		       buf[pos - 1] != '\0')
			pos--;
		return pos;
	}
	if (near == NULL)
		return pos;
	near += 6;
	tl = strlen(near);
	if (tl == 0 || near[tl - 1] != '\'')
		return pos;
	tl--;
	if (tl > pos || memcmp(buf + pos - tl, near, tl) != 0)
		return pos;
	return pos - tl;
}

/* Friendlier words for jansson's commonest complaints. */
static const struct {
	const char *jansson;   /* message prefix from jansson */
	const char *say;       /* what we print instead of that prefix */
} rewrites[] = {
	{ "'}' expected", "expected ',' or '}' (missing comma?)" },
	{ "']' expected", "expected ',' or ']' (missing comma?)" },
	{ "string or '}' expected", "expected a \"key\" (trailing comma?)" },
	{ "unexpected token", "expected a value" },
	{ "'[' or '{' expected", "expected an object '{'" },
};

static void
syntax_error(struct phx_cfg_ctx *ctx, const char *buf, size_t len,
	     const json_error_t *je)
{
	char path[PHX_CFG_STR_LEN] = "";
	const char *text = je->text;
	const char *say = NULL;
	struct jscan s;
	size_t off;
	unsigned i;

	off = token_start(buf, len, je);
	scan_init(&s, buf, len);

	if (json_error_code(je) == json_error_duplicate_key) {
		char q[160];
		const struct jrec *dup, *first = NULL;

		/* Record up to the duplicate key (it ends at je->position). */
		scan(&s, (size_t)je->position, true);
		scan_path(&s, path, sizeof(path));
		dup = s.n_recs ? &s.recs[s.n_recs - 1] : NULL;
		for (i = 0; dup && dup->is_key && i + 1 < s.n_recs; i++) {
			const struct jrec *r = &s.recs[i];

			if (r->is_key && r->frame == dup->frame &&
			    r->len == dup->len &&
			    memcmp(buf + r->off, buf + dup->off, r->len) == 0) {
				first = r;
				break;
			}
		}
		if (dup && dup->is_key && first != NULL) {
			char key[80];

			snprintf(key, sizeof(key), "%.*s",
				 (int)(dup->len > 64 ? 64 : dup->len),
				 buf + dup->off);
			phx_cfg_err(ctx, dup->loc, path,
				    "duplicate key %s (first at line %u, "
				    "column %u)", phx_cfg_quote(q, sizeof(q), key),
				    (unsigned)first->loc.line,
				    (unsigned)first->loc.col);
			free(s.recs);
			return;
		}
		free(s.recs);
		phx_cfg_err(ctx, phx_cfg_loc_of(buf, len, off), path,
			    "syntax error: %s", text);
		return;
	}

	scan(&s, off, false);
	scan_path(&s, path, sizeof(path));
	for (i = 0; i < PHX_DIM(rewrites); i++) {
		size_t l = strlen(rewrites[i].jansson);

		if (strncmp(text, rewrites[i].jansson, l) == 0) {
			say = rewrites[i].say;
			text += l;
			break;
		}
	}
	phx_cfg_err(ctx, phx_cfg_loc_of(buf, len, off), path,
		    "syntax error: %s%s", say ? say : "", text);
}

/* Converter state: the json_t tree is walked in the scanner's order. */
struct jconv {
	struct phx_cfg_ctx *ctx;
	const char *buf;
	const struct jrec *recs;
	size_t n_recs;
	size_t next;              /* next record to consume */
	bool out_of_step;         /* scanner and jansson disagree (a bug) */
	bool oom;
	bool too_deep;            /* nested deeper than PHX_CFG_MAX_DEPTH: ends
				   * the load, as in YAML (config_yaml.c) */
};

static const struct jrec *
take(struct jconv *c, bool is_key)
{
	const struct jrec *r;

	if (c->next >= c->n_recs || c->recs[c->next].is_key != is_key) {
		c->out_of_step = true;
		return NULL;
	}
	r = &c->recs[c->next++];
	return r;
}

/* Records a value's subtree spans (itself, plus keys and values below). */
static size_t
count_recs(json_t *j)
{
	size_t n = 1;

	if (json_is_object(j)) {
		const char *k;
		json_t *v;

		json_object_foreach(j, k, v)
			n += 1 + count_recs(v);
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;

		json_array_foreach(j, i, v)
			n += count_recs(v);
	}
	return n;
}

static char *
span_dup(const char *buf, const struct jrec *r)
{
	char *s = malloc(r->len + 1);

	if (s != NULL) {
		memcpy(s, buf + r->off, r->len);
		s[r->len] = '\0';
	}
	return s;
}

static struct phx_cfg_node *conv(struct jconv *c, json_t *j, unsigned depth,
				 const char *path);

/* Too many members/items: report at the first one dropped, skip the rest. */
static void
too_many(struct jconv *c, const struct phx_cfg_loc loc, const char *path)
{
	phx_cfg_err(c->ctx, loc, path, "too many entries (at most %d)",
		    PHX_CFG_MAX_KIDS);
}

static void
conv_object(struct jconv *c, json_t *j, struct phx_cfg_node *n,
	    unsigned depth, const char *path)
{
	char kpath[PHX_CFG_STR_LEN];
	bool full = false;
	const char *k;
	json_t *v;

	json_object_foreach(j, k, v) {
		const struct jrec *kr = take(c, true);
		struct phx_cfg_node *kid;

		if (kr == NULL)
			return;
		if (full) {
			c->next += count_recs(v);
			continue;
		}
		phx_cfg_path_key(kpath, sizeof(kpath), path, k);
		kid = conv(c, v, depth + 1, kpath);
		if (kid == NULL)
			return;
		kid->key_loc = kr->loc;
		kid->key = strdup(k);
		if (kid->key == NULL) {
			c->oom = true;
			phx_cfg_node_free(kid);
			return;
		}
		switch (phx_cfg_node_add(n, kid)) {
		case 0:
			break;
		case -ENOSPC:
			too_many(c, kr->loc, path);
			full = true;
			phx_cfg_node_free(kid);
			break;
		default:
			c->oom = true;
			phx_cfg_node_free(kid);
			return;
		}
	}
}

static void
conv_array(struct jconv *c, json_t *j, struct phx_cfg_node *n,
	   unsigned depth, const char *path)
{
	char ipath[PHX_CFG_STR_LEN];
	bool full = false;
	size_t i;
	json_t *v;

	json_array_foreach(j, i, v) {
		struct phx_cfg_node *kid;

		if (full) {
			c->next += count_recs(v);
			continue;
		}
		phx_cfg_path_index(ipath, sizeof(ipath), path, (unsigned)i);
		kid = conv(c, v, depth + 1, ipath);
		if (kid == NULL)
			return;
		switch (phx_cfg_node_add(n, kid)) {
		case 0:
			break;
		case -ENOSPC:
			too_many(c, kid->loc, path);
			full = true;
			phx_cfg_node_free(kid);
			break;
		default:
			c->oom = true;
			phx_cfg_node_free(kid);
			return;
		}
	}
}

/* json_t -> node, consuming this value's records. NULL only when the walk
 * cannot continue (out of memory, or out of step). */
/* A JSON integer as written: an optional minus, then digits only. */
static bool
int_literal(const char *t)
{
	if (*t == '-')
		t++;
	if (*t < '0' || *t > '9')
		return false;
	while (*t >= '0' && *t <= '9')
		t++;
	return *t == '\0';
}

static struct phx_cfg_node *
conv(struct jconv *c, json_t *j, unsigned depth, const char *path)
{
	const struct jrec *r;
	struct phx_cfg_node *n;

	if (c->too_deep)        /* the load ends there: nothing more to say */
		return phx_cfg_node_new(PHX_CFG_NODE_INVALID,
					(struct phx_cfg_loc){ 0, 0 });
	r = take(c, false);
	if (r == NULL)
		return NULL;
	if (depth > PHX_CFG_MAX_DEPTH) {
		phx_cfg_err(c->ctx, r->loc, path, "nested deeper than %d levels",
			    PHX_CFG_MAX_DEPTH);
		c->too_deep = true;
		c->next += count_recs(j) - 1;
		n = phx_cfg_node_new(PHX_CFG_NODE_INVALID, r->loc);
		if (n == NULL)
			c->oom = true;
		return n;
	}

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		n = phx_cfg_node_new(PHX_CFG_NODE_OBJECT, r->loc);
		if (n != NULL)
			conv_object(c, j, n, depth, path);
		break;
	case JSON_ARRAY:
		n = phx_cfg_node_new(PHX_CFG_NODE_ARRAY, r->loc);
		if (n != NULL)
			conv_array(c, j, n, depth, path);
		break;
	default:
		n = phx_cfg_node_new(PHX_CFG_NODE_SCALAR, r->loc);
		if (n == NULL)
			break;
		if (json_is_string(j)) {
			n->kind = PHX_CFG_SCALAR_STRING;
			/* jansson rejects \u0000 unless JSON_ALLOW_NUL, so
			 * the C string is the whole value. */
			n->text = strdup(json_string_value(j));
		} else {
			/* numbers and literals verbatim, for messages */
			n->text = span_dup(c->buf, r);
			if (json_is_integer(j)) {
				n->kind = PHX_CFG_SCALAR_INT;
				n->ival = json_integer_value(j);
			} else if (n->text != NULL && int_literal(n->text)) {
				/* read as a real (too big for jansson) */
				n->kind = PHX_CFG_SCALAR_INT;
				errno = 0;
				n->ival = strtoll(n->text, NULL, 10);
				n->overflow = errno == ERANGE;
			} else if (json_is_real(j)) {
				n->kind = PHX_CFG_SCALAR_FLOAT;
			} else if (json_is_boolean(j)) {
				n->kind = PHX_CFG_SCALAR_BOOL;
				n->bval = json_is_true(j);
			} else {
				n->kind = PHX_CFG_SCALAR_NULL;
			}
		}
		if (n->text == NULL) {
			phx_cfg_node_free(n);
			n = NULL;
		}
		break;
	}
	if (n == NULL) {
		c->oom = true;
		return NULL;
	}
	if (c->oom || c->out_of_step) {
		phx_cfg_node_free(n);
		return NULL;
	}
	return n;
}

/* strspn() for a buffer that is not NUL-terminated */
static size_t
strspn_n(const char *buf, size_t len, const char *accept)
{
	size_t i = 0;

	while (i < len && buf[i] != '\0' && strchr(accept, buf[i]) != NULL)
		i++;
	return i;
}

static struct phx_cfg_node *
json_parse(struct phx_cfg_ctx *ctx, const char *buf, size_t len)
{
	const struct phx_cfg_loc none = { 0, 0 };
	struct phx_cfg_node *root = NULL;
	struct jconv c = { 0 };
	json_error_t je;
	struct jscan s;
	json_t *j;

	/* A UTF-8 byte order mark (some Windows editors write one) is not
	 * JSON, but YAML takes it: so do we, as nothing. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	/* An integer past 64 bits is valid JSON that jansson will not hold
	 * as one: read the numbers as reals then, so that it is reported
	 * as out of range with everything else wrong (conv takes integer
	 * literals back from their text), as YAML does. */
	if (j == NULL && strstr(je.text, "too big") != NULL &&
	    strstr(je.text, "integer") != NULL)
		j = json_loadb(buf, len, JSON_REJECT_DUPLICATES |
			       JSON_DECODE_INT_AS_REAL, &je);
	if (j == NULL && len == strspn_n(buf, len, " \t\r\n")) {
		phx_cfg_err(ctx, (struct phx_cfg_loc){ 1, 1 }, "", "the file has "
			    "no settings (empty); expected a JSON object");
		return NULL;
	}
	if (j == NULL) {
		syntax_error(ctx, buf, len, &je);
		return NULL;
	}

	scan_init(&s, buf, len);
	scan(&s, len, true);
	if (s.oom) {
		phx_cfg_err(ctx, none, "", "out of memory");
		goto out;
	}
	c.ctx = ctx;
	c.buf = buf;
	c.recs = s.recs;
	c.n_recs = s.n_recs;
	root = conv(&c, j, 0, "");
	if (root != NULL && c.next != c.n_recs && !c.too_deep)
		c.out_of_step = true;
	if (c.too_deep && !c.oom && !c.out_of_step) {
		/* that one error, as YAML reports it (docs/config.md) */
		phx_cfg_node_free(root);
		root = NULL;
	} else if (c.out_of_step) {
		/* Would mean the scanner disagrees with jansson on valid JSON:
		 * a bug here, but not a reason to crash or to mislead. */
		phx_cfg_err(ctx, none, "", "internal error: cannot locate "
			    "values in the file (please report)");
		phx_cfg_node_free(root);
		root = NULL;
	} else if (root == NULL) {
		phx_cfg_err(ctx, none, "", "out of memory");
	}
out:
	free(s.recs);
	json_decref(j);
	return root;
}

const struct phx_cfg_frontend_ops phx_cfg_json_ops = {
	.name = "JSON",
	.parse = json_parse,
};
