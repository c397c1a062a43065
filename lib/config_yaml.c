/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * YAML front-end: text -> located node tree (lib/config_node.h).
 *
 * Built on libyaml's event parser rather than its document loader, because
 * events carry marks (positions) for every key and value and let us refuse
 * what a config file does not need before it is resolved: anchors and
 * aliases (they make one value appear in several places, and a "billion
 * laughs" document expand without bound), explicit tags, and more than one
 * document per file. libyaml does not check duplicate mapping keys; we do,
 * since a silently ignored second "mtu:" is exactly the mistake an operator
 * cannot see.
 *
 * Scalars: quoted and block scalars are strings. Plain scalars are typed by
 * the YAML 1.2 core schema for null, integers (decimal, 0o octal, 0x hex)
 * and floats, and for booleans by the core schema plus the YAML 1.1 words
 * yes/no/on/off, so that "promiscuous: yes" means what the operator meant
 * and "name: no" is reported as a boolean where a string belongs instead of
 * silently becoming the text "no". YAML 1.1 sexagesimal and 0-prefixed
 * octal integers are not accepted: "010" is ten.
 *
 * libyaml marks are 0-based; nodes carry 1-based line:column.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phx_config.h"

#include "lib/compiler.h"
#include "lib/config_node.h"

#if PHX_HAS_YAML

#include <yaml.h>

struct ybuild {
	struct phx_cfg_ctx *ctx;
	yaml_parser_t parser;
	const char *buf;
	size_t len;
	bool failed;       /* syntax error or out of memory: stop */
};

static struct phx_cfg_loc
mark_loc(yaml_mark_t m)
{
	struct phx_cfg_loc loc = {
		.line = (uint32_t)m.line + 1,
		.col = (uint32_t)m.column + 1,
	};

	return loc;
}

/* Byte offset of a 1-based line:column (libyaml's mark.index counts
 * characters, not bytes). len if past the end. */
static size_t
byte_offset(const char *buf, size_t len, struct phx_cfg_loc loc)
{
	uint32_t line = 1, col = 1;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if ((c & 0xc0) == 0x80)
			continue;
		if (line == loc.line && col == loc.col)
			return i;
		if (c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return len;
}

static void
syntax_error(struct ybuild *b, const char *path)
{
	const yaml_parser_t *p = &b->parser;
	struct phx_cfg_loc loc;
	const char *hint = "";
	char ctxt[160] = "";
	size_t off;

	if (p->error == YAML_MEMORY_ERROR) {
		phx_cfg_err(b->ctx, mark_loc(p->problem_mark), path,
			    "out of memory");
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		/* reader errors carry a byte offset, not a mark */
		loc = phx_cfg_loc_of(b->buf, b->len, p->problem_offset);
		phx_cfg_err(b->ctx, loc, path, "syntax error: %s",
			    p->problem ? p->problem : "unreadable text");
		return;
	}
	loc = mark_loc(p->problem_mark);
	off = byte_offset(b->buf, b->len, loc);
	if (off < b->len && b->buf[off] == '\t')
		hint = "; YAML indentation must use spaces, not tabs";
	if (p->context != NULL)
		snprintf(ctxt, sizeof(ctxt), " (%s that started at line %u)",
			 p->context, (unsigned)p->context_mark.line + 1);
	phx_cfg_err(b->ctx, loc, path, "syntax error: %s%s%s",
		    p->problem ? p->problem : "invalid YAML", hint, ctxt);
}

/* Next event, or false after recording the syntax error. */
static bool
next_event(struct ybuild *b, yaml_event_t *ev, const char *path)
{
	if (b->failed)
		return false;
	if (!yaml_parser_parse(&b->parser, ev)) {
		syntax_error(b, path);
		b->failed = true;
		return false;
	}
	return true;
}

/* ---------------------------------------------------- scalar resolution */

static bool
in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static const char *const yaml_nulls[] = { "", "~", "null", "Null", "NULL",
					   NULL };
static const char *const yaml_trues[] = { "true", "True", "TRUE", "yes", "Yes",
					  "YES", "on", "On", "ON", NULL };
static const char *const yaml_falses[] = { "false", "False", "FALSE", "no",
					   "No", "NO", "off", "Off", "OFF",
					   NULL };

static int
digit_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/*
 * Core-schema integer: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+.
 * Returns true if s is one; *overflow when it does not fit in long long
 * (then *v is clamped).
 */
static bool
yaml_int(const char *s, long long *v, bool *overflow)
{
	unsigned long long acc = 0, lim;
	bool neg = false;
	unsigned base = 10;
	const char *p = s;

	*overflow = false;
	if (s[0] == '0' && s[1] == 'o') {
		base = 8;
		p += 2;
	} else if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		p += 2;
	} else if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	if (*p == '\0')
		return false;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	for (; *p != '\0'; p++) {
		int d = digit_val(*p);

		if (d >= (int)base)
			return false;
		if (!*overflow && acc > (lim - (unsigned)d) / base)
			*overflow = true;
		if (!*overflow)
			acc = acc * base + (unsigned)d;
	}
	if (*overflow)
		*v = neg ? LLONG_MIN : LLONG_MAX;
	else if (neg)
		*v = acc == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
							      : -(long long)acc;
	else
		*v = (long long)acc;
	return true;
}

/* Core-schema float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?,
 * [-+]?.inf, .nan (any of the three spellings). */
static bool
yaml_float(const char *s)
{
	static const char *const specials[] = {
		".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
		"-.Inf", "-.INF", ".nan", ".NaN", ".NAN", NULL };
	const char *p = s;
	bool digits = false;

	if (in_list(s, specials))
		return true;
	if (*p == '-' || *p == '+')
		p++;
	while (*p >= '0' && *p <= '9') {
		p++;
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

static void
resolve_plain(struct phx_cfg_node *n)
{
	n->yaml_plain = true;
	if (in_list(n->text, yaml_nulls)) {
		n->kind = PHX_CFG_SCALAR_NULL;
	} else if (in_list(n->text, yaml_trues)) {
		n->kind = PHX_CFG_SCALAR_BOOL;
		n->bval = true;
	} else if (in_list(n->text, yaml_falses)) {
		n->kind = PHX_CFG_SCALAR_BOOL;
		n->bval = false;
	} else if (yaml_int(n->text, &n->ival, &n->overflow)) {
		n->kind = PHX_CFG_SCALAR_INT;
	} else if (yaml_float(n->text)) {
		n->kind = PHX_CFG_SCALAR_FLOAT;
	} else {
		n->kind = PHX_CFG_SCALAR_STRING;
	}
}

/* ------------------------------------------------------------- building */

/* Anchors and tags are refused wherever they appear; the node itself is
 * still built so that the rest of the file gets checked. */
static void
refuse_extras(struct ybuild *b, const yaml_event_t *ev, const char *path)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;
	char q[80];

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	default:
		break;
	}
	/* libyaml limits anchor names to [0-9A-Za-z_-]: they print as they
	 * are (length-capped). It decodes a tag's %XX escapes, so a tag may
	 * hold any byte (terminal control sequences included): quoted. */
	if (anchor != NULL)
		phx_cfg_err(b->ctx, mark_loc(ev->start_mark), path,
			    "YAML anchors are not supported (&%.40s); write the "
			    "value out in full", (const char *)anchor);
	if (tag != NULL)
		phx_cfg_err(b->ctx, mark_loc(ev->start_mark), path,
			    "YAML tags are not supported (%s); quote the "
			    "value if it must be a string",
			    phx_cfg_quote(q, sizeof(q), (const char *)tag));
}

static struct phx_cfg_node *build(struct ybuild *b, yaml_event_t *ev,
				  unsigned depth, const char *path);

struct keyref {
	struct phx_cfg_node *n;
	unsigned idx;
};

static int
keyref_cmp(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	int c = strcmp(x->n->key, y->n->key);

	if (c != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Report every repeated key of a mapping (at the repeat, naming the first)
 * and drop the repeats, so the walker sees the first value only. Sorting
 * keeps this O(n log n) for hostile files with thousands of keys.
 */
static void
check_duplicates(struct ybuild *b, struct phx_cfg_node *map, const char *path)
{
	struct keyref *refs;
	bool *dup;
	unsigned i, o;

	if (map->n_kids < 2)
		return;
	refs = calloc(map->n_kids, sizeof(*refs));
	dup = calloc(map->n_kids, sizeof(*dup));
	if (refs == NULL || dup == NULL) {
		free(refs);
		free(dup);
		return;
	}
	for (i = 0; i < map->n_kids; i++) {
		refs[i].n = map->kids[i];
		refs[i].idx = i;
	}
	qsort(refs, map->n_kids, sizeof(*refs), keyref_cmp);
	for (i = 1, o = 0; i < map->n_kids; i++) {
		if (strcmp(refs[i].n->key, refs[o].n->key) == 0)
			dup[refs[i].idx] = true;
		else
			o = i;
	}
	/* report in document order, each naming its first occurrence */
	for (i = 0; i < map->n_kids; i++) {
		const struct phx_cfg_node *first;
		char kpath[PHX_CFG_STR_LEN], q[160];

		if (!dup[i])
			continue;
		first = phx_cfg_node_get(map, map->kids[i]->key);
		phx_cfg_path_key(kpath, sizeof(kpath), path, map->kids[i]->key);
		phx_cfg_err(b->ctx, map->kids[i]->key_loc, kpath,
			    "duplicate key %s (first at line %u, column %u)",
			    phx_cfg_quote(q, sizeof(q), map->kids[i]->key),
			    (unsigned)first->key_loc.line,
			    (unsigned)first->key_loc.col);
	}
	for (i = 0, o = 0; i < map->n_kids; i++) {
		if (dup[i])
			phx_cfg_node_free(map->kids[i]);
		else
			map->kids[o++] = map->kids[i];
	}
	map->n_kids = o;
	free(refs);
	free(dup);
}

static void
add_kid(struct ybuild *b, struct phx_cfg_node *parent,
	struct phx_cfg_node *kid, struct phx_cfg_loc at, const char *path,
	bool *full)
{
	int rc;

	if (*full) {
		phx_cfg_node_free(kid);
		return;
	}
	rc = phx_cfg_node_add(parent, kid);
	if (rc == 0)
		return;
	if (rc == -ENOSPC) {
		phx_cfg_err(b->ctx, at, path, "too many entries (at most %d)",
			    PHX_CFG_MAX_KIDS);
		*full = true;
	} else {
		phx_cfg_err(b->ctx, at, path, "out of memory");
		b->failed = true;
	}
	phx_cfg_node_free(kid);
}

static void
build_mapping(struct ybuild *b, struct phx_cfg_node *map, unsigned depth,
	      const char *path)
{
	char kpath[PHX_CFG_STR_LEN];
	bool full = false;

	for (;;) {
		struct phx_cfg_node *val;
		struct phx_cfg_loc kloc;
		yaml_event_t kev, vev;
		char *key;

		if (!next_event(b, &kev, path))
			return;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			return;
		}
		kloc = mark_loc(kev.start_mark);
		if (kev.type != YAML_SCALAR_EVENT) {
			/* "? [a, b] : c" and friends: build and discard
			 * (an alias key is reported by build()) */
			if (kev.type != YAML_ALIAS_EVENT)
				phx_cfg_err(b->ctx, kloc, path, "keys must be "
					    "plain strings, not a YAML "
					    "collection");
			phx_cfg_node_free(build(b, &kev, depth + 1, path));
			if (!next_event(b, &vev, path))
				return;
			phx_cfg_node_free(build(b, &vev, depth + 1, path));
			continue;
		}
		refuse_extras(b, &kev, path);
		if (memchr(kev.data.scalar.value, '\0', kev.data.scalar.length)) {
			phx_cfg_err(b->ctx, kloc, path,
				    "key contains a NUL character");
			key = strdup("\\0");
		} else {
			key = strdup((const char *)kev.data.scalar.value);
		}
		yaml_event_delete(&kev);
		if (key == NULL) {
			phx_cfg_err(b->ctx, kloc, path, "out of memory");
			b->failed = true;
			return;
		}
		phx_cfg_path_key(kpath, sizeof(kpath), path, key);
		if (!next_event(b, &vev, kpath)) {
			free(key);
			return;
		}
		val = build(b, &vev, depth + 1, kpath);
		if (val == NULL) {
			free(key);
			return;
		}
		val->key = key;
		val->key_loc = kloc;
		add_kid(b, map, val, kloc, path, &full);
		if (b->failed)
			return;
	}
}

static void
build_sequence(struct ybuild *b, struct phx_cfg_node *seq, unsigned depth,
	       const char *path)
{
	char ipath[PHX_CFG_STR_LEN];
	bool full = false;
	unsigned i;

	for (i = 0;; i++) {
		struct phx_cfg_node *val;
		yaml_event_t ev;

		/* a syntax error here is about the sequence, not item i */
		if (!next_event(b, &ev, path))
			return;
		phx_cfg_path_index(ipath, sizeof(ipath), path, i);
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return;
		}
		val = build(b, &ev, depth + 1, ipath);
		if (val == NULL)
			return;
		add_kid(b, seq, val, val->loc, path, &full);
		if (b->failed)
			return;
	}
}

static struct phx_cfg_node *
build_scalar(struct ybuild *b, const yaml_event_t *ev, const char *path)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	struct phx_cfg_loc loc = mark_loc(ev->start_mark);
	struct phx_cfg_node *n;

	if (memchr(v, '\0', len) != NULL) {
		/* "\0" in a double-quoted scalar: C strings would cut it */
		phx_cfg_err(b->ctx, loc, path, "value contains a NUL character");
		return phx_cfg_node_new(PHX_CFG_NODE_INVALID, loc);
	}
	if (ev->data.scalar.tag != NULL)
		return phx_cfg_node_new(PHX_CFG_NODE_INVALID, loc);
	n = phx_cfg_node_new(PHX_CFG_NODE_SCALAR, loc);
	if (n == NULL)
		return NULL;
	n->text = strdup(v);
	if (n->text == NULL) {
		free(n);
		return NULL;
	}
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		resolve_plain(n);
	else
		n->kind = PHX_CFG_SCALAR_STRING;
	return n;
}

/*
 * One node from its first event (consumed and deleted here) and, for
 * collections, the events up to the matching end. NULL only when building
 * must stop (syntax error, out of memory); errors are already recorded.
 */
static struct phx_cfg_node *
build(struct ybuild *b, yaml_event_t *ev, unsigned depth, const char *path)
{
	struct phx_cfg_loc loc = mark_loc(ev->start_mark);
	struct phx_cfg_node *n = NULL;

	refuse_extras(b, ev, path);
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = build_scalar(b, ev, path);
		break;
	case YAML_ALIAS_EVENT:
		phx_cfg_err(b->ctx, loc, path, "YAML aliases are not supported "
			    "(*%.40s); write the value out in full",
			    (const char *)ev->data.alias.anchor);
		n = phx_cfg_node_new(PHX_CFG_NODE_INVALID, loc);
		break;
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		if (depth > PHX_CFG_MAX_DEPTH) {
			/* Fatal, not skipped: libyaml takes time quadratic
			 * in the depth to parse a deep flow collection to
			 * its end (a 1 MiB "[[[[..." ran for minutes, on
			 * the control lcore at a reload). */
			phx_cfg_err(b->ctx, loc, path,
				    "nested deeper than %d levels",
				    PHX_CFG_MAX_DEPTH);
			b->failed = true;
			n = phx_cfg_node_new(PHX_CFG_NODE_INVALID, loc);
			break;
		}
		if (ev->type == YAML_MAPPING_START_EVENT) {
			n = phx_cfg_node_new(PHX_CFG_NODE_OBJECT, loc);
			if (n == NULL)
				break;
			build_mapping(b, n, depth, path);
			check_duplicates(b, n, path);
		} else {
			n = phx_cfg_node_new(PHX_CFG_NODE_ARRAY, loc);
			if (n == NULL)
				break;
			build_sequence(b, n, depth, path);
		}
		break;
	default:
		/* stream/document events cannot appear inside a node */
		phx_cfg_err(b->ctx, loc, path, "unexpected YAML event");
		b->failed = true;
		break;
	}
	yaml_event_delete(ev);
	if (n == NULL && !b->failed) {
		phx_cfg_err(b->ctx, loc, path, "out of memory");
		b->failed = true;
	}
	if (b->failed) {
		phx_cfg_node_free(n);
		return NULL;
	}
	return n;
}

static struct phx_cfg_node *
yaml_parse(struct phx_cfg_ctx *ctx, const char *buf, size_t len)
{
	struct phx_cfg_node *root = NULL;
	struct ybuild b = { .ctx = ctx, .buf = buf, .len = len };
	yaml_event_t ev;

	if (!yaml_parser_initialize(&b.parser)) {
		phx_cfg_err(ctx, (struct phx_cfg_loc){ 0, 0 }, "",
			    "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&b.parser, (const unsigned char *)buf,
				     len);

	if (!next_event(&b, &ev, ""))                 /* STREAM-START */
		goto out;
	yaml_event_delete(&ev);
	if (!next_event(&b, &ev, ""))
		goto out;
	if (ev.type == YAML_STREAM_END_EVENT) {
		phx_cfg_err(ctx, (struct phx_cfg_loc){ 1, 1 }, "",
			    "the file has no settings (empty, or only comments); "
			    "expected a mapping of settings");
		yaml_event_delete(&ev);
		goto out;
	}
	yaml_event_delete(&ev);                        /* DOCUMENT-START */
	if (!next_event(&b, &ev, ""))
		goto out;
	root = build(&b, &ev, 0, "");
	if (root == NULL)
		goto out;
	if (!next_event(&b, &ev, ""))                  /* DOCUMENT-END */
		goto fail;
	yaml_event_delete(&ev);
	if (!next_event(&b, &ev, ""))
		goto fail;
	if (ev.type == YAML_DOCUMENT_START_EVENT) {
		phx_cfg_err(ctx, mark_loc(ev.start_mark), "",
			    "a second YAML document ('---') is not supported; "
			    "one file holds one configuration");
		/* keep the first document's errors, but do not use it */
		yaml_event_delete(&ev);
		goto fail;
	}
	yaml_event_delete(&ev);                        /* STREAM-END */
	goto out;
fail:
	phx_cfg_node_free(root);
	root = NULL;
out:
	yaml_parser_delete(&b.parser);
	return root;
}

#else /* !PHX_HAS_YAML */

static struct phx_cfg_node *
yaml_parse(struct phx_cfg_ctx *ctx, const char *buf, size_t len)
{
	(void)buf;
	(void)len;
	phx_cfg_err(ctx, (struct phx_cfg_loc){ 0, 0 }, "",
		    "YAML support was not built into this phalanx (meson "
		    "option yaml=disabled); use the JSON twin of this file");
	return NULL;
}

#endif /* PHX_HAS_YAML */

const struct phx_cfg_frontend_ops phx_cfg_yaml_ops = {
	.name = "YAML",
	.parse = yaml_parse,
};
