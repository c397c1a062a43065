/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration loader entry points: read the file, pick the front-end by
 * extension, run the schema walker and the validator, and either hand back
 * a complete model or NULL plus every error found (validate-then-commit:
 * a half-checked model never escapes). Also the pieces every stage shares:
 * the located node tree, the error list and the message helpers.
 *
 * The syntax is chosen by the file name, not by sniffing the content: a
 * YAML document can be valid JSON and vice versa, and operators should get
 * the error messages of the syntax they meant to write.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* the GNU strerror_r, which returns the text */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "lib/compiler.h"
#include "lib/config.h"
#include "lib/config_node.h"

/* ---------------------------------------------------------------- nodes */

struct phx_cfg_node *
phx_cfg_node_new(enum phx_cfg_node_type type, struct phx_cfg_loc loc)
{
	struct phx_cfg_node *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	n->type = type;
	n->loc = loc;
	return n;
}

int
phx_cfg_node_add(struct phx_cfg_node *parent, struct phx_cfg_node *kid)
{
	if (parent->n_kids >= PHX_CFG_MAX_KIDS)
		return -ENOSPC;
	if (parent->n_kids == parent->cap_kids) {
		unsigned cap = parent->cap_kids ? parent->cap_kids * 2 : 8;
		struct phx_cfg_node **k;

		if (cap > PHX_CFG_MAX_KIDS)
			cap = PHX_CFG_MAX_KIDS;
		k = realloc(parent->kids, cap * sizeof(*k));
		if (k == NULL)
			return -ENOMEM;
		parent->kids = k;
		parent->cap_kids = cap;
	}
	parent->kids[parent->n_kids++] = kid;
	return 0;
}

void
phx_cfg_node_free(struct phx_cfg_node *n)
{
	unsigned i;

	if (n == NULL)
		return;
	/* Depth is bounded by PHX_CFG_MAX_DEPTH in both front-ends, so the
	 * recursion is too. */
	for (i = 0; i < n->n_kids; i++)
		phx_cfg_node_free(n->kids[i]);
	free(n->kids);
	free(n->key);
	free(n->text);
	free(n);
}

const struct phx_cfg_node *
phx_cfg_node_get(const struct phx_cfg_node *obj, const char *key)
{
	unsigned i;

	if (obj == NULL || obj->type != PHX_CFG_NODE_OBJECT)
		return NULL;
	for (i = 0; i < obj->n_kids; i++)
		if (strcmp(obj->kids[i]->key, key) == 0)
			return obj->kids[i];
	return NULL;
}

/* --------------------------------------------------------------- errors */

static int
err_cmp(const struct phx_cfg_error *a, const struct phx_cfg_error *b)
{
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return 0;
}

void
phx_cfg_error_add(struct phx_cfg_errors *errs, const char *file,
		  struct phx_cfg_loc loc, const char *path, const char *fmt,
		  ...)
{
	struct phx_cfg_error *e;
	va_list ap;

	if (errs == NULL)
		return;
	if (errs->n >= PHX_CFG_MAX_ERRORS) {
		/* Full: the errors kept are the first by position (they are
		 * printed sorted), not the first found (the schema walk runs
		 * before the validator, and each walks in its own order). */
		unsigned i, last = 0;

		errs->dropped++;
		for (i = 1; i < PHX_CFG_MAX_ERRORS; i++)
			if (err_cmp(&errs->e[i], &errs->e[last]) > 0)
				last = i;
		if (loc.line > errs->e[last].line ||
		    (loc.line == errs->e[last].line &&
		     loc.col >= errs->e[last].col))
			return;
		e = &errs->e[last];
	} else {
		e = &errs->e[errs->n++];
	}
	snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
	snprintf(e->path, sizeof(e->path), "%s", path ? path : "");
	e->line = loc.line;
	e->col = loc.col;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void
phx_cfg_err(struct phx_cfg_ctx *ctx, struct phx_cfg_loc loc,
	    const char *path, const char *fmt, ...)
{
	char msg[sizeof(((struct phx_cfg_error *)0)->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	phx_cfg_error_add(ctx->errs, ctx->file, loc, path, "%s", msg);
}

void
phx_cfg_errors_print(const struct phx_cfg_errors *errs, FILE *out)
{
	const char *file = "";
	unsigned i;

	if (errs == NULL)
		return;
	for (i = 0; i < errs->n && i < PHX_CFG_MAX_ERRORS; i++) {
		const struct phx_cfg_error *e = &errs->e[i];

		file = e->file;
		if (e->line == 0 && e->path[0] == '\0')
			fprintf(out, "%s: %s\n", e->file, e->msg);
		else if (e->line == 0)
			fprintf(out, "%s: %s: %s\n", e->file, e->path, e->msg);
		else
			fprintf(out, "%s:%u:%u: %s: %s\n", e->file,
				(unsigned)e->line, (unsigned)e->col,
				e->path[0] ? e->path : "(root)", e->msg);
	}
	if (errs->dropped)
		fprintf(out, "%s: %u more error%s not shown (at most %d are "
			"reported)\n", file, errs->dropped,
			errs->dropped == 1 ? "" : "s", PHX_CFG_MAX_ERRORS);
}


void
phx_cfg_errors_sort(struct phx_cfg_errors *errs)
{
	unsigned i, j;

	/* Insertion sort: stable (errors at one place keep the order they
	 * were found in) and n <= PHX_CFG_MAX_ERRORS. */
	for (i = 1; i < errs->n; i++) {
		struct phx_cfg_error tmp = errs->e[i];

		for (j = i; j > 0 && err_cmp(&errs->e[j - 1], &tmp) > 0; j--)
			errs->e[j] = errs->e[j - 1];
		errs->e[j] = tmp;
	}
}

/* ------------------------------------------------------ message helpers */

#define QUOTE_MAX 48 /* characters of untrusted text shown in a message */

void
phx_cfg_path_key(char *buf, size_t size, const char *parent, const char *key)
{
	char q[QUOTE_MAX * 4 + 8];
	const char *p;

	/* Keys are untrusted text: anything but a plain identifier is shown
	 * quoted and escaped, as ports[0]["x y"], never raw. */
	for (p = key; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			break;
	if (*p != '\0' || key[0] == '\0')
		snprintf(buf, size, "%s[%s]", parent,
			 phx_cfg_quote(q, sizeof(q), key));
	else if (parent[0] == '\0')
		snprintf(buf, size, "%s", key);
	else
		snprintf(buf, size, "%s.%s", parent, key);
}

void
phx_cfg_path_index(char *buf, size_t size, const char *parent, unsigned i)
{
	snprintf(buf, size, "%s[%u]", parent, i);
}

const char *
phx_cfg_quote(char *buf, size_t size, const char *s)
{
	size_t o = 0, shown = 0;

	if (size < 8) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	buf[o++] = '"';
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		size_t l;

		if (shown == QUOTE_MAX) {
			/* "..." + '"' + NUL must fit */
			if (o + 5 <= size) {
				memcpy(buf + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (c == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else if (c < 0x20 || c == 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", c);
		else
			snprintf(esc, sizeof(esc), "%c", c);
		l = strlen(esc);
		if (o + l + 2 > size)
			break;
		memcpy(buf + o, esc, l);
		o += l;
		/* count characters, not UTF-8 continuation bytes */
		if ((c & 0xc0) != 0x80)
			shown++;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

const char *
phx_cfg_describe(const struct phx_cfg_node *n, char *buf, size_t size)
{
	char q[QUOTE_MAX * 4 + 8];

	switch (n->type) {
	case PHX_CFG_NODE_OBJECT:
		snprintf(buf, size, "object");
		break;
	case PHX_CFG_NODE_ARRAY:
		snprintf(buf, size, "array");
		break;
	case PHX_CFG_NODE_SCALAR:
		switch (n->kind) {
		case PHX_CFG_SCALAR_STRING:
			snprintf(buf, size, "string %s",
				 phx_cfg_quote(q, sizeof(q), n->text));
			break;
		case PHX_CFG_SCALAR_INT:
			snprintf(buf, size, "integer %.40s", n->text);
			break;
		case PHX_CFG_SCALAR_BOOL:
			snprintf(buf, size, "boolean %.10s", n->text);
			break;
		case PHX_CFG_SCALAR_NULL:
			snprintf(buf, size, "null");
			break;
		case PHX_CFG_SCALAR_FLOAT:
			snprintf(buf, size, "number %.40s", n->text);
			break;
		default:
			snprintf(buf, size, "value");
			break;
		}
		break;
	default:
		snprintf(buf, size, "value");
		break;
	}
	return buf;
}

struct phx_cfg_loc
phx_cfg_loc_of(const char *buf, size_t len, size_t off)
{
	struct phx_cfg_loc loc = { .line = 1, .col = 1 };
	size_t i;

	for (i = 0; i < off && i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\n') {
			loc.line++;
			loc.col = 1;
		} else if ((c & 0xc0) != 0x80) {
			loc.col++;
		}
	}
	return loc;
}

const char *
phx_ip4_str(uint32_t ip, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", (unsigned)(ip >> 24) & 0xff,
		 (unsigned)(ip >> 16) & 0xff, (unsigned)(ip >> 8) & 0xff,
		 (unsigned)ip & 0xff);
	return buf;
}

/* -------------------------------------------------------------- loading */

/* File name extension → front-end. */
static const struct {
	const char *ext;
	const struct phx_cfg_frontend_ops *ops;
} frontends[] = {
	{ ".json", &phx_cfg_json_ops },
	{ ".yaml", &phx_cfg_yaml_ops },
	{ ".yml", &phx_cfg_yaml_ops },
};

static const struct phx_cfg_frontend_ops *
frontend_for(const char *name)
{
	const char *dot = strrchr(name, '.');
	unsigned i;

	if (dot == NULL || strchr(dot, '/') != NULL)
		return NULL;
	for (i = 0; i < PHX_DIM(frontends); i++)
		if (strcmp(dot, frontends[i].ext) == 0)
			return frontends[i].ops;
	return NULL;
}

static void
errors_reset(struct phx_cfg_errors *errs)
{
	errs->n = 0;
	errs->dropped = 0;
}

/*
 * Parse, walk and validate buf; the common body of both load functions.
 * Contract as phx_config_load_buf, except errs is not reset here.
 */
static struct phx_config *
load(const char *name, const char *buf, size_t len,
     struct phx_cfg_errors *errs)
{
	struct phx_cfg_ctx ctx = { .file = name, .errs = errs };
	const struct phx_cfg_frontend_ops *ops;
	struct phx_cfg_srcmap *src = NULL;
	struct phx_config *cfg = NULL;
	struct phx_cfg_node *root = NULL;
	const struct phx_cfg_loc none = { 0, 0 };

	ops = frontend_for(name);
	if (ops == NULL) {
		phx_cfg_err(&ctx, none, "", "cannot tell the syntax from the "
			    "file name: use a .json, .yaml or .yml extension");
		goto fail;
	}
	if (len > PHX_CFG_MAX_FILE) {
		phx_cfg_err(&ctx, none, "", "file is %zu bytes, larger than "
			    "the %d byte limit", len, PHX_CFG_MAX_FILE);
		goto fail;
	}

	root = ops->parse(&ctx, buf, len);
	if (root == NULL) {
		if (errs->n == 0 && errs->dropped == 0)
			phx_cfg_err(&ctx, none, "", "cannot parse (out of memory)");
		goto fail;
	}

	cfg = calloc(1, sizeof(*cfg));
	src = calloc(1, sizeof(*src));
	if (cfg == NULL || src == NULL) {
		phx_cfg_err(&ctx, none, "", "out of memory");
		goto fail;
	}
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	phx_cfg_schema_walk(&ctx, root, cfg, src);
	phx_cfg_validate(&ctx, cfg, src);
	if (errs->n != 0 || errs->dropped != 0)
		goto fail;

	/* commit */
	phx_cfg_node_free(root);
	free(src);
	return cfg;

fail:
	phx_cfg_errors_sort(errs);
	phx_cfg_node_free(root);
	free(src);
	phx_config_free(cfg);
	return NULL;
}

struct phx_config *
phx_config_load_buf(const char *name, const char *buf, size_t len,
		    struct phx_cfg_errors *errs)
{
	struct phx_cfg_errors *local = NULL;
	struct phx_config *cfg;

	if (errs == NULL) {
		local = malloc(sizeof(*local));
		if (local == NULL)
			return NULL;
		errs = local;
	}
	errors_reset(errs);
	if (name == NULL)
		name = "";
	if (buf == NULL)
		len = 0;
	cfg = load(name, buf ? buf : "", len, errs);
	free(local);
	return cfg;
}

/*
 * Read a whole regular file of at most PHX_CFG_MAX_FILE bytes. Returns a
 * malloc'd buffer (not NUL-terminated) and its length, or NULL with an
 * error recorded.
 */
static char *
read_file(struct phx_cfg_ctx *ctx, const char *path, size_t *lenp)
{
	const struct phx_cfg_loc none = { 0, 0 };
	char ebuf[128];
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd;

	/* O_NONBLOCK: a FIFO must not block the load (nor the control
	 * lcore at a reload) until the regular-file check refuses it */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		phx_cfg_err(ctx, none, "", "cannot open: %s",
			    strerror_r(errno, ebuf, sizeof(ebuf)));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		phx_cfg_err(ctx, none, "", "cannot stat: %s",
			    strerror_r(errno, ebuf, sizeof(ebuf)));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		phx_cfg_err(ctx, none, "", "not a regular file");
		goto out;
	}
	/* One byte more than the limit, to tell "too big" from "exactly at
	 * the limit" without trusting st_size (it may change under us). */
	buf = malloc(PHX_CFG_MAX_FILE + 1);
	if (buf == NULL) {
		phx_cfg_err(ctx, none, "", "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, PHX_CFG_MAX_FILE + 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			phx_cfg_err(ctx, none, "", "cannot read: %s",
				    strerror_r(errno, ebuf, sizeof(ebuf)));
			free(buf);
			buf = NULL;
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > PHX_CFG_MAX_FILE) {
			phx_cfg_err(ctx, none, "", "file is larger than the %d "
				    "byte limit", PHX_CFG_MAX_FILE);
			free(buf);
			buf = NULL;
			goto out;
		}
	}
	*lenp = len;
out:
	close(fd);
	return buf;
}

struct phx_config *
phx_config_load(const char *path, struct phx_cfg_errors *errs)
{
	struct phx_cfg_errors *local = NULL;
	struct phx_config *cfg = NULL;
	struct phx_cfg_ctx ctx;
	size_t len = 0;
	char *buf;

	if (errs == NULL) {
		local = malloc(sizeof(*local));
		if (local == NULL)
			return NULL;
		errs = local;
	}
	errors_reset(errs);
	if (path == NULL)
		path = "";
	ctx.file = path;
	ctx.errs = errs;
	/* The model keeps the path (a reload opens it again): one it
	 * cannot hold whole would load now and fail at every reload. */
	if (strlen(path) >= sizeof(((struct phx_config *)NULL)->path)) {
		const struct phx_cfg_loc none = { 0, 0 };

		phx_cfg_err(&ctx, none, "", "the path is longer than %zu "
			    "characters: give a shorter one (a relative path, "
			    "or a symbolic link)",
			    sizeof(((struct phx_config *)NULL)->path) - 1);
		goto out;
	}
	/* Refuse a bad extension before touching the file: the operator
	 * learns about both problems in the order they would fix them. */
	if (frontend_for(path) == NULL) {
		cfg = load(path, "", 0, errs);
		goto out;
	}
	buf = read_file(&ctx, path, &len);
	if (buf != NULL) {
		cfg = load(path, buf, len, errs);
		free(buf);
	}
out:
	free(local);
	return cfg;
}

void
phx_config_free(struct phx_config *cfg)
{
	/* the cluster key must not linger in freed heap memory */
	if (cfg != NULL)
		explicit_bzero(cfg->cluster.key, sizeof(cfg->cluster.key));
	free(cfg);
}

char *
phx_config_dump(const struct phx_config *cfg)
{
	json_t *j;
	char *s, *out;
	size_t l;

	if (cfg == NULL)
		return NULL;
	j = phx_cfg_schema_dump(cfg);
	if (j == NULL)
		return NULL;
	s = json_dumps(j, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	json_decref(j);
	if (s == NULL)
		return NULL;
	/* A text file ends with a newline; the golden files do too. */
	l = strlen(s);
	out = malloc(l + 2);
	if (out != NULL) {
		memcpy(out, s, l);
		out[l] = '\n';
		out[l + 1] = '\0';
	}
	free(s);
	return out;
}

static const char *const member_sections[] = {
	"name", "eal", "dataplane", "ports", "routes", "neighbors",
};

bool
phx_config_member_section(const char *k)
{
	unsigned i;

	for (i = 0; i < PHX_DIM(member_sections); i++)
		if (strcmp(k, member_sections[i]) == 0)
			return true;
	return false;
}

json_t *
phx_config_shared(const struct phx_config *cfg)
{
	json_t *j = phx_cfg_schema_dump(cfg), *cl;
	unsigned i;

	if (j == NULL)
		return NULL;
	for (i = 0; i < PHX_DIM(member_sections); i++)
		json_object_del(j, member_sections[i]);
	cl = json_object_get(j, "cluster");
	if (cl != NULL) {
		json_object_del(cl, "member");
		json_object_del(cl, "join"); /* how this member joins */
		json_object_del(cl, "key");
	}
	return j;
}

int
phx_config_digest(const struct phx_config *cfg, uint8_t out[32])
{
	uint8_t keyhash[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof(keyhash) + 1];
	json_t *j, *cl;
	char *s;

	if (cfg == NULL || out == NULL)
		return -EINVAL;
	j = phx_config_shared(cfg);
	if (j == NULL)
		return -ENOMEM;
	cl = json_object_get(j, "cluster");
	if (cl != NULL) {
		crypto_hash_sha256(keyhash, cfg->cluster.key,
				   sizeof(cfg->cluster.key));
		sodium_bin2hex(hex, sizeof(hex), keyhash, sizeof(keyhash));
		json_object_set_new(cl, "key", json_string(hex));
	}
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(j);
	if (s == NULL)
		return -ENOMEM;
	crypto_hash_sha256(out, (const unsigned char *)s, strlen(s));
	free(s);
	return 0;
}
