/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Renders telemetry answers as the tables operators know from cphaprob and
 * fw ctl pstat (SPEC 6.3, 6.7). See phx_fmt.h for the contract.
 *
 * Each renderer runs in two passes over the answer: the first checks every
 * key and type it will use (and measures column widths), the second
 * prints. A one-pass renderer would be shorter but would leave half a
 * table on the terminal before reporting a bad answer, which reads like
 * data. The tables size their columns from the cells, so they need every
 * row before the first line; for pstat the widths are computed directly.
 *
 * Grouping pstat counters by a fixed, complete list of names was rejected:
 * the daemon adds counters (STYLE 3.8, one X-macro line each) and phx must
 * print what it is sent, in the daemon's order. Counters are grouped by
 * their name's first word instead, with a few words folded together (see
 * families[]), and a group first seen later prints later.
 */
#include "src/phx_fmt.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/compiler.h"
#include "lib/drop_reason.h"
#include "lib/pnote.h"

#define PHX_FMT_MAX_COLS 16   /* widest table phx prints */
#define CELL_LEN         128  /* one formatted cell or name */
#define TEXT_LEN         4096 /* a text the member sends in pieces */
#define MAX(a, b)        ((a) > (b) ? (a) : (b))
#define MIN(a, b)        ((a) < (b) ? (a) : (b))

/* ---- text helpers ---- */

/* Copy s into buf (truncating), control characters replaced by '?'. */
static const char *
clean(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	buf[i] = '\0';
	return buf;
}

static size_t
u64_width(uint64_t v)
{
	size_t w = 1;

	while (v >= 10) {
		v /= 10;
		w++;
	}
	return w;
}

static const char *
plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* ---- table ---- */

void
phx_fmt_table_init(struct phx_fmt_table *t, const struct phx_fmt_col *cols,
		   unsigned n_cols)
{
	assert(n_cols > 0 && n_cols <= PHX_FMT_MAX_COLS);
	*t = (struct phx_fmt_table){ .cols = cols, .n_cols = n_cols };
}

int
phx_fmt_table_add(struct phx_fmt_table *t, const char *const *cells)
{
	char **row;
	unsigned i;

	if (t->n_rows == t->cap_rows) {
		size_t cap = t->cap_rows ? t->cap_rows * 2 : 16;
		char **c;

		if (cap > SIZE_MAX / t->n_cols / sizeof(*c))
			return -ENOMEM;
		c = realloc(t->cells, cap * t->n_cols * sizeof(*c));
		if (c == NULL)
			return -ENOMEM;
		t->cells = c;
		t->cap_rows = cap;
	}
	row = &t->cells[t->n_rows * t->n_cols];
	for (i = 0; i < t->n_cols; i++) {
		size_t len = strlen(cells[i]);

		row[i] = malloc(len + 1);
		if (row[i] == NULL) {
			while (i-- > 0)
				free(row[i]);
			return -ENOMEM;
		}
		clean(cells[i], row[i], len + 1);
	}
	t->n_rows++;
	return 0;
}

static void
print_row(const struct phx_fmt_table *t, const size_t *w,
	  const char *const *cells, FILE *out)
{
	unsigned i;

	for (i = 0; i < t->n_cols; i++) {
		if (i > 0)
			fputs("  ", out);
		if (t->cols[i].align == PHX_FMT_RIGHT)
			fprintf(out, "%*s", (int)w[i], cells[i]);
		else if (i + 1 == t->n_cols)
			fputs(cells[i], out); /* no trailing blanks */
		else
			fprintf(out, "%-*s", (int)w[i], cells[i]);
	}
	fputc('\n', out);
}

void
phx_fmt_table_print(const struct phx_fmt_table *t, FILE *out)
{
	const char *titles[PHX_FMT_MAX_COLS];
	size_t w[PHX_FMT_MAX_COLS];
	size_t r;
	unsigned i;

	for (i = 0; i < t->n_cols; i++) {
		titles[i] = t->cols[i].title;
		w[i] = strlen(titles[i]);
	}
	for (r = 0; r < t->n_rows; r++)
		for (i = 0; i < t->n_cols; i++) {
			size_t len = strlen(t->cells[r * t->n_cols + i]);

			if (len > w[i])
				w[i] = len;
		}
	print_row(t, w, titles, out);
	for (r = 0; r < t->n_rows; r++)
		print_row(t, w, (const char *const *)&t->cells[r * t->n_cols],
			  out);
}

void
phx_fmt_table_fini(struct phx_fmt_table *t)
{
	size_t i;

	for (i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->n_rows = t->cap_rows = 0;
}

/* ---- answer validation ---- */

static int
bad(char *err, size_t errlen, const char *where, const char *key,
    const char *what)
{
	char w[CELL_LEN], k[CELL_LEN];

	if (where != NULL && where[0] != '\0')
		snprintf(err, errlen, "\"%s.%s\" %s",
			 clean(where, w, sizeof(w)), clean(key, k, sizeof(k)),
			 what);
	else
		snprintf(err, errlen, "\"%s\" %s", clean(key, k, sizeof(k)),
			 what);
	return -EINVAL;
}

static int
need_object(json_t *ans, char *err, size_t errlen)
{
	if (ans == NULL || json_is_null(ans)) {
		snprintf(err, errlen, "the answer is null");
		return -EINVAL;
	}
	if (!json_is_object(ans)) {
		snprintf(err, errlen, "the answer is not an object");
		return -EINVAL;
	}
	return 0;
}

/* The getters set *out on failure too (0 or NULL), so that no caller
 * can read an unset value. */
static int
uint_of(json_t *v, const char *where, const char *key, uint64_t *out,
	char *err, size_t errlen)
{
	*out = 0;
	if (v == NULL)
		return bad(err, errlen, where, key, "is missing");
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return bad(err, errlen, where, key,
			   "is not a non-negative integer");
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int
get_uint(json_t *obj, const char *where, const char *key, uint64_t *out,
	 char *err, size_t errlen)
{
	return uint_of(json_object_get(obj, key), where, key, out, err,
		       errlen);
}

static int
get_str(json_t *obj, const char *where, const char *key, const char **out,
	char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL)
		return bad(err, errlen, where, key, "is missing");
	if (!json_is_string(v))
		return bad(err, errlen, where, key, "is not a string");
	*out = json_string_value(v);
	return 0;
}

/*
 * A text sent as an array of strings to join (DPDK 22.11 sends at most
 * 127 bytes in one string), or as one string (an older daemon); joined
 * into buf with sep between the pieces ("" for a text cut in pieces,
 * " " for a list such as a port's addresses), cut at len - 1 bytes.
 */
static int
get_joined(json_t *obj, const char *where, const char *key, const char *sep,
	   char *buf, size_t len, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key), *e;
	size_t i, pos = 0;

	buf[0] = '\0';
	if (v == NULL)
		return bad(err, errlen, where, key, "is missing");
	if (json_is_string(v)) {
		snprintf(buf, len, "%s", json_string_value(v));
		return 0;
	}
	if (!json_is_array(v))
		return bad(err, errlen, where, key,
			   "is not a string or an array of strings");
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return bad(err, errlen, where, key,
				   "is not a string or an array of strings");
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s",
					i > 0 ? sep : "", json_string_value(e));
		if (pos >= len)
			pos = len - 1;
	}
	return 0;
}

static int
get_text(json_t *obj, const char *where, const char *key, char *buf,
	 size_t len, char *err, size_t errlen)
{
	return get_joined(obj, where, key, "", buf, len, err, errlen);
}

/* "next" of an answer paged by slot: -1 after the last page, else the
 * slot the next page starts from. Sets *next to -1 on failure. */
static int
get_next(json_t *page, int64_t *next, char *err, size_t errlen)
{
	json_t *v = json_object_get(page, "next");

	*next = -1;
	if (v == NULL)
		return bad(err, errlen, NULL, "next", "is missing");
	if (!json_is_integer(v) || json_integer_value(v) < -1)
		return bad(err, errlen, NULL, "next",
			   "is not -1 or a slot index");
	*next = json_integer_value(v);
	return 0;
}

static int
get_obj(json_t *obj, const char *key, json_t **out, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL)
		return bad(err, errlen, NULL, key, "is missing");
	if (!json_is_object(v))
		return bad(err, errlen, NULL, key, "is not an object");
	*out = v;
	return 0;
}

/* Columnar answers (docs/telemetry.md): one array per column. */
enum col_type { COL_STR, COL_UINT };

struct col_spec {
	const char *key;
	enum col_type type;
};

/*
 * Check that every column in specs is an array of the right element type
 * and that all have the same length; store the arrays in cols[] and the
 * length in *n.
 */
static int
get_columns(json_t *ans, const struct col_spec *specs, unsigned n_specs,
	    json_t **cols, size_t *n, char *err, size_t errlen)
{
	unsigned c;
	size_t i;

	for (c = 0; c < n_specs; c++) {
		char what[CELL_LEN];

		cols[c] = json_object_get(ans, specs[c].key);
		if (cols[c] == NULL)
			return bad(err, errlen, NULL, specs[c].key,
				   "is missing");
		if (!json_is_array(cols[c]))
			return bad(err, errlen, NULL, specs[c].key,
				   "is not an array");
		if (c == 0)
			*n = json_array_size(cols[c]);
		if (json_array_size(cols[c]) != *n) {
			snprintf(what, sizeof(what), "has %zu entries, \"%s\" "
				 "has %zu", json_array_size(cols[c]),
				 specs[0].key, *n);
			return bad(err, errlen, NULL, specs[c].key, what);
		}
		for (i = 0; i < *n; i++) {
			json_t *v = json_array_get(cols[c], i);
			bool ok = specs[c].type == COL_STR ?
				json_is_string(v) :
				json_is_integer(v) &&
				json_integer_value(v) >= 0;

			if (!ok) {
				char key[CELL_LEN];

				snprintf(key, sizeof(key), "%s[%zu]",
					 specs[c].key, i);
				return bad(err, errlen, NULL, key,
					   specs[c].type == COL_STR ?
					   "is not a string" :
					   "is not a non-negative integer");
			}
		}
	}
	return 0;
}

static const char *
col_str(json_t *col, size_t i)
{
	return json_string_value(json_array_get(col, i));
}

static uint64_t
col_uint(json_t *col, size_t i)
{
	return (uint64_t)json_integer_value(json_array_get(col, i));
}

const char *
phx_fmt_error_answer(json_t *ans)
{
	json_t *e = json_object_get(ans, "error");

	return json_is_object(ans) && json_is_string(e) ?
	       json_string_value(e) : NULL;
}

/* ---- plain JSON ---- */

int
phx_fmt_json(FILE *out, const json_t *answer)
{
	if (json_dumpf(answer, out, JSON_INDENT(2) | JSON_ENCODE_ANY) < 0)
		return -EIO;
	fputc('\n', out);
	return 0;
}

/* ---- version and config ---- */

int
phx_fmt_version(FILE *out, json_t *ans, char *err, size_t errlen)
{
	const char *name, *version, *dpdk;
	char b1[CELL_LEN], b2[CELL_LEN], b3[CELL_LEN], b4[TEXT_LEN];
	char config[TEXT_LEN];
	uint64_t pid, up;
	int rc;

	if ((rc = need_object(ans, err, errlen)) < 0 ||
	    (rc = get_str(ans, NULL, "name", &name, err, errlen)) < 0 ||
	    (rc = get_str(ans, NULL, "version", &version, err, errlen)) < 0 ||
	    (rc = get_str(ans, NULL, "dpdk", &dpdk, err, errlen)) < 0 ||
	    (rc = get_uint(ans, NULL, "pid", &pid, err, errlen)) < 0 ||
	    (rc = get_uint(ans, NULL, "uptime_s", &up, err, errlen)) < 0 ||
	    (rc = get_text(ans, NULL, "config", config, sizeof(config), err,
			   errlen)) < 0)
		return rc;

	fprintf(out, "Member:   %s\n", clean(name, b1, sizeof(b1)));
	fprintf(out, "Version:  %s\n", clean(version, b2, sizeof(b2)));
	fprintf(out, "DPDK:     %s\n", clean(dpdk, b3, sizeof(b3)));
	fprintf(out, "PID:      %" PRIu64 "\n", pid);
	if (up >= 86400)
		fprintf(out, "Uptime:   %" PRIu64 "d %02u:%02u:%02u\n",
			up / 86400, (unsigned)(up % 86400 / 3600),
			(unsigned)(up % 3600 / 60), (unsigned)(up % 60));
	else
		fprintf(out, "Uptime:   %02u:%02u:%02u\n",
			(unsigned)(up / 3600), (unsigned)(up % 3600 / 60),
			(unsigned)(up % 60));
	fprintf(out, "Config:   %s\n", clean(config, b4, sizeof(b4)));
	return 0;
}

int
phx_fmt_config(FILE *out, json_t *ans, char *err, size_t errlen)
{
	const char *key, *s;
	json_t *v;
	size_t w = 0;
	uint64_t u;
	int rc;

	if ((rc = need_object(ans, err, errlen)) < 0 ||
	    (rc = get_str(ans, NULL, "name", &s, err, errlen)) < 0 ||
	    (rc = get_str(ans, NULL, "file_prefix", &s, err, errlen)) < 0 ||
	    (rc = get_uint(ans, NULL, "workers", &u, err, errlen)) < 0)
		return rc;

	json_object_foreach(ans, key, v) {
		char k[CELL_LEN];

		if (strlen(clean(key, k, sizeof(k))) > w)
			w = strlen(k);
	}
	json_object_foreach(ans, key, v) {
		char k[CELL_LEN], val[TEXT_LEN], text[TEXT_LEN];
		char *dump = NULL;

		if (strcmp(key, "path") == 0) {
			/* a text: an array of strings to join */
			if ((rc = get_text(ans, NULL, key, text, sizeof(text),
					   err, errlen)) < 0)
				return rc;
			clean(text, val, sizeof(val));
		} else if (json_is_string(v)) {
			clean(json_string_value(v), val, sizeof(val));
		} else {
			/* Numbers, booleans, null, or (not in the contract
			 * today) a container: print it as compact JSON. */
			dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			if (dump == NULL)
				return -ENOMEM;
			clean(dump, val, sizeof(val));
			free(dump);
		}
		fprintf(out, "%-*s  %s\n", (int)w, clean(key, k, sizeof(k)),
			val);
	}
	return 0;
}

/* ---- pstat ---- */

/* pstat's gauges: all three or (an older daemon) none. */
struct pstat_gauges {
	bool has;
	uint64_t sessions, sessions_max, generation;
};

static int
get_gauges(json_t *ans, struct pstat_gauges *g, char *err, size_t errlen)
{
	static const char *const keys[] = {
		"sessions", "sessions_max", "policy_generation",
	};
	uint64_t *vals[] = { &g->sessions, &g->sessions_max, &g->generation };
	unsigned i, n = 0;
	int rc;

	*g = (struct pstat_gauges){ 0 };
	for (i = 0; i < PHX_DIM(keys); i++)
		n += json_object_get(ans, keys[i]) != NULL;
	if (n == 0)
		return 0;
	for (i = 0; i < PHX_DIM(keys); i++)
		if ((rc = get_uint(ans, NULL, keys[i], vals[i], err,
				   errlen)) < 0)
			return rc;
	g->has = true;
	return 0;
}

/*
 * First words of counter names that belong with another word's group:
 * the packet path (rx, tx, fwd, local, ctl) and the neighbour table (arp,
 * neigh). Any other first word is a group of its own.
 */
static const struct {
	const char *word;
	const char *group;
} families[] = {
	{ "rx", "rx" },       /* frames and bytes received */
	{ "tx", "rx" },       /* ... sent */
	{ "fwd", "rx" },      /* routed */
	{ "local", "rx" },    /* for the member itself */
	{ "ctl", "rx" },      /* sent on the control lcore's behalf */
	{ "arp", "neigh" },   /* ARP protocol */
	{ "neigh", "neigh" }, /* neighbour table */
};

static void
family_of(const char *name, char *buf, size_t len)
{
	size_t n = strcspn(name, "_");
	size_t i;

	for (i = 0; i < PHX_DIM(families); i++)
		if (strlen(families[i].word) == n &&
		    strncmp(families[i].word, name, n) == 0) {
			snprintf(buf, len, "%s", families[i].group);
			return;
		}
	snprintf(buf, len, "%.*s", (int)n, name);
}

static const char *
drop_desc(const char *name)
{
	int r;

	for (r = PHX_DROP_NONE + 1; r < PHX_DROP_MAX; r++)
		if (strcmp(phx_drop_name(r), name) == 0)
			return phx_drop_desc(r);
	return NULL;
}

static void
pstat_line(FILE *out, int name_w, int val_w, const char *name, uint64_t v,
	   const char *desc)
{
	char k[CELL_LEN];

	fprintf(out, "  %-*s  %*" PRIu64 "%s%s\n", name_w,
		clean(name, k, sizeof(k)), val_w, v, desc ? "  " : "",
		desc ? desc : "");
}

/* One counter of a pstat answer, with the group it prints in. */
struct pstat_cnt {
	const char *name;   /* borrowed from the answer */
	uint64_t value;
	char family[32];    /* family_of(name) */
};

int
phx_fmt_pstat(FILE *out, json_t *ans, const char *member, bool all_drops,
	      char *err, size_t errlen)
{
	struct pstat_cnt *cnt = NULL;
	struct pstat_gauges g;
	json_t *counters, *drops, *v;
	const char *scope, *key;
	uint64_t workers, u, total = 0;
	size_t name_w = strlen("total"), val_w = 1, n = 0, i, j;
	char b1[CELL_LEN], b2[CELL_LEN];
	int rc;

	if ((rc = need_object(ans, err, errlen)) < 0 ||
	    (rc = get_str(ans, NULL, "scope", &scope, err, errlen)) < 0 ||
	    (rc = get_uint(ans, NULL, "workers", &workers, err, errlen)) < 0 ||
	    (rc = get_gauges(ans, &g, err, errlen)) < 0 ||
	    (rc = get_obj(ans, "counters", &counters, err, errlen)) < 0 ||
	    (rc = get_obj(ans, "drops", &drops, err, errlen)) < 0)
		return rc;

	/* Pass 1: types and widths. */
	json_object_foreach(counters, key, v) {
		if ((rc = uint_of(v, "counters", key, &u, err, errlen)) < 0)
			return rc;
		name_w = MAX(name_w, strlen(clean(key, b1, sizeof(b1))));
		val_w = MAX(val_w, u64_width(u));
	}
	json_object_foreach(drops, key, v) {
		if ((rc = uint_of(v, "drops", key, &u, err, errlen)) < 0)
			return rc;
		total = u > UINT64_MAX - total ? UINT64_MAX : total + u;
		if (u == 0 && !all_drops)
			continue;
		name_w = MAX(name_w, strlen(clean(key, b1, sizeof(b1))));
	}
	val_w = MAX(val_w, u64_width(total)); /* >= every drop */

	if (json_object_size(counters) > 0) {
		cnt = calloc(json_object_size(counters), sizeof(*cnt));
		if (cnt == NULL)
			return -ENOMEM;
	}
	json_object_foreach(counters, key, v) {
		cnt[n].name = key;
		cnt[n].value = (uint64_t)json_integer_value(v);
		family_of(key, cnt[n].family, sizeof(cnt[n].family));
		n++;
	}

	/* Pass 2: print. Each group prints whole where its first counter
	 * stands. */
	fprintf(out, "Member: %s  Scope: %s  Workers: %" PRIu64 "\n",
		member ? clean(member, b1, sizeof(b1)) : "?",
		clean(scope, b2, sizeof(b2)), workers);
	if (g.has)
		fprintf(out, "Sessions: %" PRIu64 " / %" PRIu64 "  Policy "
			"generation: %" PRIu64 "\n", g.sessions,
			g.sessions_max, g.generation);
	fputc('\n', out);
	fputs("Packets:\n", out);
	if (n == 0)
		fputs("  none\n", out);
	for (i = 0; i < n; i++) {
		bool seen = false;

		for (j = 0; j < i && !seen; j++)
			seen = strcmp(cnt[j].family, cnt[i].family) == 0;
		if (seen)
			continue;
		if (i > 0)
			fputc('\n', out);
		for (j = i; j < n; j++)
			if (strcmp(cnt[j].family, cnt[i].family) == 0)
				pstat_line(out, (int)name_w, (int)val_w,
					   cnt[j].name, cnt[j].value, NULL);
	}
	free(cnt);

	fputs("\nDrops:\n", out);
	json_object_foreach(drops, key, v) {
		u = (uint64_t)json_integer_value(v);
		if (u != 0 || all_drops)
			pstat_line(out, (int)name_w, (int)val_w, key, u,
				   drop_desc(key));
	}
	pstat_line(out, (int)name_w, (int)val_w, "total", total, NULL);
	return 0;
}

/* ---- ports ---- */

static const struct phx_fmt_col port_cols[] = {
	{ "Port", PHX_FMT_LEFT },
	{ "Link", PHX_FMT_LEFT },
	{ "MTU", PHX_FMT_RIGHT },
	{ "MAC", PHX_FMT_LEFT },
	{ "Addresses", PHX_FMT_LEFT },
	{ "RX pkts", PHX_FMT_RIGHT },
	{ "TX pkts", PHX_FMT_RIGHT },
	{ "RX missed", PHX_FMT_RIGHT },
	{ "RX errors", PHX_FMT_RIGHT },
	{ "TX errors", PHX_FMT_RIGHT },
};

/* "up 10G full", "up 2.5G full", "up 100M half", "down"; a speed of 0 or
 * UINT32_MAX (RTE_ETH_SPEED_NUM_UNKNOWN) is left out. */
static void
link_text(char *buf, size_t len, const char *link, uint64_t mbps,
	  const char *duplex)
{
	char sp[32] = "";

	if (strcmp(link, "up") != 0) {
		snprintf(buf, len, "%s", link);
		return;
	}
	if (mbps == 0 || mbps >= UINT32_MAX)
		sp[0] = '\0';
	else if (mbps % 1000 == 0)
		snprintf(sp, sizeof(sp), " %" PRIu64 "G", mbps / 1000);
	else if (mbps > 1000)
		snprintf(sp, sizeof(sp), " %" PRIu64 ".%" PRIu64 "G",
			 mbps / 1000, mbps % 1000 / 100);
	else
		snprintf(sp, sizeof(sp), " %" PRIu64 "M", mbps);
	snprintf(buf, len, "up%s%s%s", sp, duplex[0] ? " " : "", duplex);
}

int
phx_fmt_ports(FILE *out, json_t *ans, char *err, size_t errlen)
{
	static const char *const num_keys[] = {
		"mtu", "rx_pkts", "tx_pkts", "rx_missed", "rx_errors",
		"tx_errors", "speed_mbps", "port_id",
	};
	struct phx_fmt_table t;
	const char *name;
	json_t *port;
	size_t n_up = 0;
	int rc;

	if ((rc = need_object(ans, err, errlen)) < 0)
		return rc;

	phx_fmt_table_init(&t, port_cols, PHX_DIM(port_cols));
	json_object_foreach(ans, name, port) {
		const char *link, *duplex, *mac;
		uint64_t u[PHX_DIM(num_keys)];
		char c[PHX_DIM(port_cols)][CELL_LEN * 2], addrs[TEXT_LEN];
		const char *cells[PHX_DIM(port_cols)];
		size_t i;

		if (!json_is_object(port)) {
			rc = bad(err, errlen, NULL, name, "is not an object");
			goto out;
		}
		for (i = 0; i < PHX_DIM(num_keys); i++)
			if ((rc = get_uint(port, name, num_keys[i], &u[i], err,
					   errlen)) < 0)
				goto out;
		if ((rc = get_str(port, name, "link", &link, err,
				  errlen)) < 0 ||
		    (rc = get_str(port, name, "duplex", &duplex, err,
				  errlen)) < 0 ||
		    (rc = get_str(port, name, "mac", &mac, err, errlen)) < 0 ||
		    (rc = get_joined(port, name, "addresses", " ", addrs,
				     sizeof(addrs), err, errlen)) < 0)
			goto out;

		n_up += strcmp(link, "up") == 0;
		/* a VLAN sub-interface as ip-link(8) shows one: in0.100@in0 */
		if (json_is_string(json_object_get(port, "parent")))
			snprintf(c[0], sizeof(c[0]), "%s@%s", name,
				 json_string_value(json_object_get(port,
								   "parent")));
		else
			snprintf(c[0], sizeof(c[0]), "%s", name);
		link_text(c[1], sizeof(c[0]), link, u[6], duplex);
		snprintf(c[2], sizeof(c[0]), "%" PRIu64, u[0]);
		snprintf(c[3], sizeof(c[0]), "%s", mac);
		for (i = 0; i < 5; i++)
			snprintf(c[5 + i], sizeof(c[0]), "%" PRIu64, u[1 + i]);
		for (i = 0; i < PHX_DIM(port_cols); i++)
			cells[i] = c[i];
		cells[4] = addrs[0] ? addrs : "-";
		if ((rc = phx_fmt_table_add(&t, cells)) < 0)
			goto out;
	}
	phx_fmt_table_print(&t, out);
	fprintf(out, "%zu %s, %zu up\n", t.n_rows,
		plural(t.n_rows, "port", "ports"), n_up);
	rc = 0;
out:
	phx_fmt_table_fini(&t);
	return rc;
}

/* ---- arp ---- */

static const struct col_spec arp_specs[] = {
	{ "ip", COL_STR },
	{ "mac", COL_STR },
	{ "port", COL_STR },
	{ "state", COL_STR },
	{ "age_s", COL_UINT },
	{ "expires_s", COL_UINT },
	{ "held", COL_UINT },
};

static const struct phx_fmt_col arp_cols[] = {
	{ "IP", PHX_FMT_LEFT },
	{ "MAC", PHX_FMT_LEFT },
	{ "Port", PHX_FMT_LEFT },
	{ "State", PHX_FMT_LEFT },
	{ "Age", PHX_FMT_RIGHT },
	{ "Expires", PHX_FMT_RIGHT },
	{ "Held", PHX_FMT_RIGHT },
};

/* The scalars of one /phalanx/arp page, and its columns. */
static int
arp_page(json_t *page, uint64_t *total, uint64_t *pages, uint64_t *from,
	 int64_t *next, json_t **cols, size_t *n, char *err, size_t errlen)
{
	int rc;

	*next = -1;
	if ((rc = need_object(page, err, errlen)) < 0 ||
	    (rc = get_uint(page, NULL, "total", total, err, errlen)) < 0 ||
	    (rc = get_uint(page, NULL, "pages", pages, err, errlen)) < 0 ||
	    (rc = get_uint(page, NULL, "from", from, err, errlen)) < 0)
		return rc;
	if ((rc = get_next(page, next, err, errlen)) < 0)
		return rc;
	return get_columns(page, arp_specs, PHX_DIM(arp_specs), cols, n, err,
			   errlen);
}

int
phx_fmt_arp_next(json_t *page, uint64_t from, int64_t *next, char *err,
		 size_t errlen)
{
	json_t *cols[PHX_DIM(arp_specs)];
	uint64_t total, pages, pfrom;
	size_t n;
	int rc;

	if ((rc = arp_page(page, &total, &pages, &pfrom, next, cols, &n, err,
			   errlen)) < 0)
		return rc;
	if (pfrom != from) {
		snprintf(err, errlen, "the page is from slot %" PRIu64 ", not %"
			 PRIu64 " as asked", pfrom, from);
		*next = -1;
		return -EINVAL;
	}
	/* A walk that ends: every page starts further on. */
	if (*next >= 0 && (uint64_t)*next <= from) {
		snprintf(err, errlen, "the page from slot %" PRIu64 " goes on "
			 "at slot %" PRId64 ", not after it", from, *next);
		*next = -1;
		return -EINVAL;
	}
	return 0;
}

int
phx_fmt_arp(FILE *out, json_t *const *pages, size_t n_pages, uint64_t first,
	    char *err, size_t errlen)
{
	struct phx_fmt_table t;
	uint64_t total = 0, n_pg = 0;
	int64_t next = -1;
	size_t p;
	int rc = 0;

	if (n_pages == 0) {
		snprintf(err, errlen, "no answer");
		return -EINVAL;
	}
	/* Validate every page before building the table. */
	for (p = 0; p < n_pages; p++) {
		json_t *cols[PHX_DIM(arp_specs)];
		uint64_t tot, npg, from;
		int64_t nx;
		size_t n;

		if ((rc = arp_page(pages[p], &tot, &npg, &from, &nx, cols, &n,
				   err, errlen)) < 0)
			return rc;
		if (p == 0) {
			total = tot;
			n_pg = npg;
			next = nx;
		}
	}

	phx_fmt_table_init(&t, arp_cols, PHX_DIM(arp_cols));
	for (p = 0; p < n_pages; p++) {
		json_t *cols[PHX_DIM(arp_specs)];
		size_t n, i;

		/* Validated above: cannot fail now. */
		(void)get_columns(pages[p], arp_specs, PHX_DIM(arp_specs),
				  cols, &n, err, errlen);
		for (i = 0; i < n; i++) {
			char age[32], exp[32], held[32];
			const char *mac = col_str(cols[1], i);
			const char *cells[] = {
				col_str(cols[0], i), mac[0] ? mac : "-",
				col_str(cols[2], i), col_str(cols[3], i),
				age, exp, held,
			};

			snprintf(age, sizeof(age), "%" PRIu64 "s",
				 col_uint(cols[4], i));
			snprintf(exp, sizeof(exp), "%" PRIu64 "s",
				 col_uint(cols[5], i));
			snprintf(held, sizeof(held), "%" PRIu64,
				 col_uint(cols[6], i));
			if ((rc = phx_fmt_table_add(&t, cells)) < 0)
				goto out;
		}
	}
	phx_fmt_table_print(&t, out);
	if (n_pages == 1 && (first > 0 || next >= 0))
		fprintf(out, "%zu of %" PRIu64 " entries (page %" PRIu64
			" of pages 0-%" PRIu64 "; --page N or --all for the "
			"rest)\n",
			t.n_rows, total, first,
			(n_pg > first + 1 ? n_pg : first + 1) - 1);
	else
		fprintf(out, "%zu %s\n", t.n_rows,
			plural(t.n_rows, "entry", "entries"));
out:
	phx_fmt_table_fini(&t);
	return rc;
}

void
phx_fmt_arp_beyond(json_t *last, uint64_t page, uint64_t n_pages, char *msg,
		   size_t len)
{
	json_t *v = json_object_get(last, "total");
	uint64_t total = json_is_integer(v) && json_integer_value(v) > 0 ?
			 (uint64_t)json_integer_value(v) : 0;

	snprintf(msg, len, "page %" PRIu64 " is beyond the last: the table "
		 "has %" PRIu64 " %s (0-%" PRIu64 "), %" PRIu64 " %s", page,
		 n_pages, plural(n_pages, "page", "pages"),
		 n_pages ? n_pages - 1 : 0, total,
		 plural(total, "entry", "entries"));
}

/* ---- routes ---- */

static const struct col_spec route_specs[] = {
	{ "prefix", COL_STR },
	{ "via", COL_STR },
	{ "port", COL_STR },
};

static const struct phx_fmt_col route_cols[] = {
	{ "Prefix", PHX_FMT_LEFT },
	{ "Via", PHX_FMT_LEFT },
	{ "Port", PHX_FMT_LEFT },
};

int
phx_fmt_routes(FILE *out, json_t *ans, char *err, size_t errlen)
{
	json_t *cols[PHX_DIM(route_specs)];
	struct phx_fmt_table t;
	size_t n, i;
	int rc;

	if ((rc = need_object(ans, err, errlen)) < 0 ||
	    (rc = get_columns(ans, route_specs, PHX_DIM(route_specs), cols,
			      &n, err, errlen)) < 0)
		return rc;

	phx_fmt_table_init(&t, route_cols, PHX_DIM(route_cols));
	for (i = 0; i < n; i++) {
		const char *via = col_str(cols[1], i);
		const char *cells[] = {
			col_str(cols[0], i), via[0] ? via : "connected",
			col_str(cols[2], i),
		};

		if ((rc = phx_fmt_table_add(&t, cells)) < 0)
			goto out;
	}
	phx_fmt_table_print(&t, out);
	fprintf(out, "%zu %s\n", n, plural(n, "route", "routes"));
out:
	phx_fmt_table_fini(&t);
	return rc;
}

/* ---- policy and rules ---- */

int
phx_fmt_policy(FILE *out, json_t *ans, char *err, size_t errlen)
{
	const char *def;
	uint64_t gen, rules, ok, failed, when;
	char b1[TEXT_LEN], b2[CELL_LEN], last[TEXT_LEN], b3[TEXT_LEN];
	char path[TEXT_LEN];
	char t[64];
	int rc;

	if ((rc = need_object(ans, err, errlen)) < 0 ||
	    (rc = get_uint(ans, NULL, "generation", &gen, err, errlen)) < 0 ||
	    (rc = get_text(ans, NULL, "path", path, sizeof(path), err,
			   errlen)) < 0 ||
	    (rc = get_uint(ans, NULL, "rules", &rules, err, errlen)) < 0 ||
	    (rc = get_str(ans, NULL, "default_action", &def, err,
			  errlen)) < 0 ||
	    (rc = get_uint(ans, NULL, "reloads_ok", &ok, err, errlen)) < 0 ||
	    (rc = get_uint(ans, NULL, "reloads_failed", &failed, err,
			   errlen)) < 0 ||
	    (rc = get_uint(ans, NULL, "last_reload_unix", &when, err,
			   errlen)) < 0 ||
	    (rc = get_text(ans, NULL, "last_reload", last, sizeof(last), err,
			   errlen)) < 0)
		return rc;

	if (when == 0) {
		snprintf(t, sizeof(t), "never");
	} else {
		time_t tt = (time_t)when;
		struct tm tm;

		/* Local time, as the operator reads the member's logs. */
		if (when > (uint64_t)INT64_MAX ||
		    localtime_r(&tt, &tm) == NULL ||
		    strftime(t, sizeof(t), "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
			snprintf(t, sizeof(t), "unix time %" PRIu64, when);
	}
	fprintf(out, "Generation:      %" PRIu64 "\n", gen);
	fprintf(out, "File:            %s\n", clean(path, b1, sizeof(b1)));
	fprintf(out, "Rules:           %" PRIu64 "\n", rules);
	fprintf(out, "Default action:  %s\n", clean(def, b2, sizeof(b2)));
	fprintf(out, "Reloads:         %" PRIu64 " ok, %" PRIu64 " failed\n",
		ok, failed);
	fprintf(out, "Last reload:     %s\n", t);
	fprintf(out, "Result:          %s\n", clean(last, b3, sizeof(b3)));
	return 0;
}

static const struct col_spec rule_specs[] = {
	{ "name", COL_STR },
	{ "action", COL_STR },
	{ "nat", COL_STR },
	{ "hits", COL_UINT },
};

static const struct phx_fmt_col rule_cols[] = {
	{ "Name", PHX_FMT_LEFT },
	{ "Action", PHX_FMT_LEFT },
	{ "NAT", PHX_FMT_LEFT },
	{ "Hits", PHX_FMT_RIGHT },
};

int
phx_fmt_rules(FILE *out, json_t *ans, char *err, size_t errlen)
{
	json_t *cols[PHX_DIM(rule_specs)];
	struct phx_fmt_table t;
	uint64_t gen;
	size_t n, i;
	int rc;

	if ((rc = need_object(ans, err, errlen)) < 0 ||
	    (rc = get_uint(ans, NULL, "generation", &gen, err, errlen)) < 0 ||
	    (rc = get_columns(ans, rule_specs, PHX_DIM(rule_specs), cols, &n,
			      err, errlen)) < 0)
		return rc;

	phx_fmt_table_init(&t, rule_cols, PHX_DIM(rule_cols));
	for (i = 0; i < n; i++) {
		const char *nat = col_str(cols[2], i);
		char hits[32];
		const char *cells[] = {
			col_str(cols[0], i), col_str(cols[1], i),
			nat[0] ? nat : "-", hits,
		};

		snprintf(hits, sizeof(hits), "%" PRIu64, col_uint(cols[3], i));
		if ((rc = phx_fmt_table_add(&t, cells)) < 0)
			goto out;
	}
	fprintf(out, "Policy generation %" PRIu64 "\n\n", gen);
	phx_fmt_table_print(&t, out);
	fprintf(out, "%zu %s\n", n, plural(n, "rule", "rules"));
out:
	phx_fmt_table_fini(&t);
	return rc;
}

/*
 * Append a page of a table paged by row index (/phalanx/rules,
 * /phalanx/routes; docs/telemetry.md) to all, checking that the pages
 * fit together. row names a row in messages ("rule"); gen_key, when not
 * NULL, is a key whose value every page must share with the first.
 * An answer without "next" (an older daemon) is the whole table.
 */
static int
index_pages_add(json_t *all, json_t *page, uint64_t from, int64_t *next,
		const struct col_spec *specs, unsigned n_specs,
		const char *row, const char *gen_key, char *err,
		size_t errlen)
{
	json_t *cols[PHX_FMT_MAX_COLS], *v;
	uint64_t gen = 0, total, pfrom, want;
	bool bad_page;
	size_t n;
	unsigned c;
	int rc;

	*next = -1;
	if ((rc = need_object(page, err, errlen)) < 0 ||
	    (gen_key != NULL &&
	     (rc = get_uint(page, NULL, gen_key, &gen, err, errlen)) < 0) ||
	    (rc = get_columns(page, specs, n_specs, cols, &n, err,
			      errlen)) < 0)
		return rc;
	v = json_object_get(page, "next");
	if (v == NULL) {
		/* an older daemon: every row in one answer */
		total = n;
		if (from != 0) {
			snprintf(err, errlen, "a page without \"next\" from "
				 "%s %" PRIu64, row, from);
			return -EINVAL;
		}
	} else {
		if ((rc = get_uint(page, NULL, "total", &total, err,
				   errlen)) < 0 ||
		    (rc = get_uint(page, NULL, "from", &pfrom, err,
				   errlen)) < 0)
			return rc;
		if (!json_is_integer(v) || json_integer_value(v) < -1)
			return bad(err, errlen, NULL, "next",
				   "is not an integer -1 or above");
		*next = json_integer_value(v);
		if (pfrom != from) {
			snprintf(err, errlen, "the page is from %s %" PRIu64
				 ", not %" PRIu64 " as asked", row, pfrom,
				 from);
			*next = -1;
			return -EINVAL;
		}
		/* Every row once, in order, and a walk that ends. */
		bad_page = from > total || (*next >= 0 &&
			((uint64_t)*next <= from || (uint64_t)*next >= total));
		if (!bad_page) {
			want = (*next < 0 ? total : (uint64_t)*next) - from;
			bad_page = n != want;
		}
		if (bad_page) {
			snprintf(err, errlen, "a page from %s %" PRIu64
				 " with %zu %ss, next %" PRId64 " and %"
				 PRIu64 " in all does not add up", row, from,
				 n, row, *next, total);
			*next = -1;
			return -EINVAL;
		}
	}
	if (json_object_size(all) == 0) {
		if (from != 0) {
			snprintf(err, errlen, "the first page must be from "
				 "%s 0, not %" PRIu64, row, from);
			*next = -1;
			return -EINVAL;
		}
		if ((gen_key != NULL &&
		     json_object_set_new(all, gen_key,
					 json_integer((json_int_t)gen)) < 0) ||
		    json_object_set_new(all, "total",
					json_integer((json_int_t)total)) < 0 ||
		    json_object_set_new(all, "from", json_integer(0)) < 0 ||
		    json_object_set_new(all, "next", json_integer(-1)) < 0)
			return -ENOMEM;
		for (c = 0; c < n_specs; c++)
			if (json_object_set_new(all, specs[c].key,
						json_array()) < 0)
				return -ENOMEM;
	} else if ((gen_key != NULL &&
		    (uint64_t)json_integer_value(json_object_get(all,
			gen_key)) != gen) ||
		   (uint64_t)json_integer_value(json_object_get(all,
			"total")) != total) {
		return -EAGAIN;
	}
	if (json_array_size(json_object_get(all, specs[0].key)) != from) {
		snprintf(err, errlen, "a page from %s %" PRIu64 " after %zu "
			 "%ss", row, from, json_array_size(json_object_get(all,
				specs[0].key)), row);
		*next = -1;
		return -EINVAL;
	}
	for (c = 0; c < n_specs; c++)
		if (json_array_extend(json_object_get(all, specs[c].key),
				      cols[c]) < 0)
			return -ENOMEM;
	return 0;
}

int
phx_fmt_rules_add(json_t *all, json_t *page, uint64_t from, int64_t *next,
		  char *err, size_t errlen)
{
	return index_pages_add(all, page, from, next, rule_specs,
			       PHX_DIM(rule_specs), "rule", "generation", err,
			       errlen);
}

int
phx_fmt_routes_add(json_t *all, json_t *page, uint64_t from, int64_t *next,
		   char *err, size_t errlen)
{
	return index_pages_add(all, page, from, next, route_specs,
			       PHX_DIM(route_specs), "route", NULL, err,
			       errlen);
}

/* ---- conn ---- */

static const struct col_spec conn_specs[] = {
	{ "idx", COL_UINT },
	{ "proto", COL_STR },
	{ "orig", COL_STR },
	{ "reply", COL_STR },
	{ "nat", COL_STR },
	{ "state", COL_STR },
	{ "remaining_s", COL_UINT },
	{ "rule", COL_STR },
};

static const struct phx_fmt_col conn_cols[] = {
	{ "Proto", PHX_FMT_LEFT },
	{ "Original", PHX_FMT_LEFT },
	{ "Reply", PHX_FMT_LEFT },
	{ "NAT", PHX_FMT_LEFT },
	{ "State", PHX_FMT_LEFT },
	{ "Expires", PHX_FMT_RIGHT },
	{ "Rule", PHX_FMT_LEFT },
	{ "Worker", PHX_FMT_RIGHT },
};

void
phx_fmt_duration(char *buf, size_t len, uint64_t s)
{
	if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02us", s / 60,
			 (unsigned)(s % 60));
	else
		snprintf(buf, len, "%" PRIu64 "h%02um%02us", s / 3600,
			 (unsigned)(s % 3600 / 60), (unsigned)(s % 60));
}

void
phx_fmt_conn_init(struct phx_fmt_conn *c, size_t limit, bool json)
{
	*c = (struct phx_fmt_conn){
		.limit = limit,
		.json = json,
		.cur_worker = -1,
		.rows = json ? json_array() : NULL,
	};
	phx_fmt_table_init(&c->t, conn_cols, PHX_DIM(conn_cols));
}

void
phx_fmt_conn_fini(struct phx_fmt_conn *c)
{
	phx_fmt_table_fini(&c->t);
	json_decref(c->rows);
	c->rows = NULL;
}

bool
phx_fmt_conn_full(const struct phx_fmt_conn *c)
{
	return c->limit != 0 && c->n_rows >= c->limit;
}

/* Live sessions as the footer counts them. */
static uint64_t
conn_live(const struct phx_fmt_conn *c)
{
	return c->live_set ? c->live : c->live_done + c->cur_live;
}

/* Keep row i of a checked page. */
static int
conn_keep(struct phx_fmt_conn *c, json_t *const *cols, size_t i,
	  uint64_t worker)
{
	const char *nat = col_str(cols[4], i), *rule = col_str(cols[7], i);
	char exp[32], w[24];
	json_t *row;

	if (c->json) {
		row = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:s}",
				"worker", (json_int_t)worker,
				"idx", (json_int_t)col_uint(cols[0], i),
				"proto", col_str(cols[1], i),
				"orig", col_str(cols[2], i),
				"reply", col_str(cols[3], i),
				"nat", nat,
				"state", col_str(cols[5], i),
				"remaining_s", (json_int_t)col_uint(cols[6], i),
				"rule", rule);
		if (row == NULL || json_array_append_new(c->rows, row) < 0)
			return -ENOMEM;
	} else {
		const char *cells[] = {
			col_str(cols[1], i), col_str(cols[2], i),
			col_str(cols[3], i), nat[0] ? nat : "-",
			col_str(cols[5], i), exp, rule[0] ? rule : "-", w,
		};

		phx_fmt_duration(exp, sizeof(exp), col_uint(cols[6], i));
		snprintf(w, sizeof(w), "%" PRIu64, worker);
		if (phx_fmt_table_add(&c->t, cells) < 0)
			return -ENOMEM;
	}
	c->n_rows++;
	return 0;
}

/* A checked /phalanx/conn page (both phx conn and phx diff read them). */
struct conn_page {
	uint64_t workers;     /* "workers" */
	uint64_t live;        /* "sessions": live in that worker */
	int64_t next;         /* -1: the worker's table is done */
	size_t n;             /* rows */
	json_t *cols[PHX_DIM(conn_specs)];
};

/*
 * Check an answer to "/phalanx/conn,w=<worker>,from=<from>...": the
 * worker and from asked for, a next of -1 or beyond from (so that a walk
 * ends), workers unchanged from prev_workers (0: the first page), and
 * columns of conn_specs as long as "rows" says.
 */
static int
conn_page_check(json_t *page, uint64_t worker, uint64_t from,
		uint64_t prev_workers, struct conn_page *p, char *err,
		size_t errlen)
{
	uint64_t w, fr, rows;
	int rc;

	if ((rc = need_object(page, err, errlen)) < 0 ||
	    (rc = get_uint(page, NULL, "worker", &w, err, errlen)) < 0 ||
	    (rc = get_uint(page, NULL, "workers", &p->workers, err,
			   errlen)) < 0 ||
	    (rc = get_uint(page, NULL, "from", &fr, err, errlen)) < 0 ||
	    (rc = get_uint(page, NULL, "sessions", &p->live, err,
			   errlen)) < 0 ||
	    (rc = get_uint(page, NULL, "rows", &rows, err, errlen)) < 0)
		return rc;
	if ((rc = get_next(page, &p->next, err, errlen)) < 0)
		return rc;
	if (w != worker || fr != from) {
		snprintf(err, errlen, "answer for worker %" PRIu64 " from %"
			 PRIu64 " to a request for worker %" PRIu64 " from %"
			 PRIu64, w, fr, worker, from);
		return -EINVAL;
	}
	if (w >= p->workers) {
		snprintf(err, errlen, "\"worker\" %" PRIu64 " is not below "
			 "\"workers\" %" PRIu64, w, p->workers);
		return -EINVAL;
	}
	if (prev_workers != 0 && p->workers != prev_workers) {
		snprintf(err, errlen, "\"workers\" changed from %" PRIu64
			 " to %" PRIu64, prev_workers, p->workers);
		return -EINVAL;
	}
	/* The walk ends only if every page moves forward. */
	if (p->next != -1 && (uint64_t)p->next <= from) {
		snprintf(err, errlen, "\"next\" %" PRId64 " does not advance "
			 "past \"from\" %" PRIu64, p->next, from);
		return -EINVAL;
	}
	if ((rc = get_columns(page, conn_specs, PHX_DIM(conn_specs), p->cols,
			      &p->n, err, errlen)) < 0)
		return rc;
	if (rows != p->n) {
		snprintf(err, errlen, "\"rows\" says %" PRIu64 ", the columns "
			 "hold %zu", rows, p->n);
		return -EINVAL;
	}
	return 0;
}

int
phx_fmt_conn_add(struct phx_fmt_conn *c, json_t *page, uint64_t worker,
		 uint64_t from, int64_t *next, uint64_t *workers, char *err,
		 size_t errlen)
{
	struct conn_page p;
	size_t i;
	int rc;

	*next = -1;
	*workers = 0;
	if (c->json && c->rows == NULL)
		return -ENOMEM;
	if ((rc = conn_page_check(page, worker, from, c->workers, &p, err,
				  errlen)) < 0)
		return rc;

	c->workers = p.workers;
	if (c->cur_worker != (int64_t)worker) {
		if (c->cur_worker >= 0)
			c->live_done += c->cur_live;
		c->cur_worker = (int64_t)worker;
	}
	c->cur_live = p.live;
	*next = p.next;
	*workers = p.workers;
	for (i = 0; i < p.n && !phx_fmt_conn_full(c); i++)
		if ((rc = conn_keep(c, p.cols, i, worker)) < 0)
			return rc;
	if (i < p.n)
		c->stopped = true;  /* rows left on this very page */
	return 0;
}

int
phx_fmt_conn_print(FILE *out, const struct phx_fmt_conn *c)
{
	char note[64] = "";

	if (c->json)
		return phx_fmt_json(out, c->rows);
	phx_fmt_table_print(&c->t, out);
	if (c->stopped)
		snprintf(note, sizeof(note), "; --limit %zu reached", c->limit);
	fprintf(out, "%zu %s shown (%s%" PRIu64 " live%s)\n", c->n_rows,
		plural(c->n_rows, "session", "sessions"),
		c->live_partial ? "at least " : "", conn_live(c), note);
	return 0;
}

/* ---- command arguments ---- */

const char *const phx_fmt_tcp_states[] = {
	/* lib/tcp_fsm.c's phx_tcp_state_names, in order, without NONE (no
	 * live session is in it); the member's filter takes these. */
	"SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT",
	"LAST_ACK", "TIME_WAIT", "CLOSE", NULL,
};

/* Strict decimal: 1..digits digits, no sign, blank or leading zero. */
static int
strict_uint(const char *s, size_t max_digits, uint64_t *out)
{
	size_t n = strspn(s, "0123456789");
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > max_digits || s[n] != '\0' ||
	    (s[0] == '0' && n > 1))
		return -EINVAL;
	for (i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	*out = v;
	return 0;
}

/* "A.B.C.D", each 0..255 in plain decimal; nothing before or after. */
static int
parse_ipv4(const char *s, unsigned q[4])
{
	char part[8];
	unsigned i;

	for (i = 0; i < 4; i++) {
		size_t n = strcspn(s, ".");
		uint64_t v;

		if (n >= sizeof(part))
			return -EINVAL;
		memcpy(part, s, n);
		part[n] = '\0';
		if (strict_uint(part, 3, &v) < 0 || v > 255)
			return -EINVAL;
		q[i] = (unsigned)v;
		s += n;
		if (i < 3 && *s++ != '.')
			return -EINVAL;
	}
	return *s == '\0' ? 0 : -EINVAL;
}

/* Append to buf at *pos; -EINVAL when it does not fit. */
static int __attribute__((format(printf, 4, 5)))
append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *pos)
		return -EINVAL;
	*pos += (size_t)n;
	return 0;
}

int
phx_fmt_conn_filter(const struct phx_fmt_conn_filter *f, char *buf,
		    size_t len, char *err, size_t errlen)
{
	static const char *const protos[] = { "tcp", "udp", "icmp" };
	const char *proto = NULL, *state = NULL;
	char v[CELL_LEN];
	size_t pos = 0, i;
	unsigned q[4];
	uint64_t port;

	if (len == 0)
		return -EINVAL;
	buf[0] = '\0';
	if (f->ip != NULL) {
		if (parse_ipv4(f->ip, q) < 0) {
			snprintf(err, errlen, "--ip: '%s' is not an IPv4 "
				 "address (A.B.C.D)", clean(f->ip, v, sizeof(v)));
			return -EINVAL;
		}
		/* The member reads ip=0.0.0.0 as no address filter at all:
		 * a filter that would show every session must not look like
		 * one that shows none. */
		if ((q[0] | q[1] | q[2] | q[3]) == 0) {
			snprintf(err, errlen, "--ip: 0.0.0.0 is not an address "
				 "a session can have (leave --ip out for every "
				 "session)");
			return -EINVAL;
		}
		if (append(buf, len, &pos, ",ip=%u.%u.%u.%u", q[0], q[1],
			   q[2], q[3]) < 0)
			goto too_long;
	}
	if (f->port != NULL) {
		if (strict_uint(f->port, 5, &port) < 0 || port == 0 ||
		    port > 65535) {
			snprintf(err, errlen, "--port: '%s' is not a port "
				 "number (1..65535)",
				 clean(f->port, v, sizeof(v)));
			return -EINVAL;
		}
		if (append(buf, len, &pos, ",port=%" PRIu64, port) < 0)
			goto too_long;
	}
	if (f->proto != NULL) {
		for (i = 0; i < PHX_DIM(protos) && proto == NULL; i++)
			if (strcasecmp(f->proto, protos[i]) == 0)
				proto = protos[i];
		if (proto == NULL) {
			snprintf(err, errlen, "--proto: '%s' is not tcp, udp "
				 "or icmp", clean(f->proto, v, sizeof(v)));
			return -EINVAL;
		}
		if (append(buf, len, &pos, ",proto=%s", proto) < 0)
			goto too_long;
	}
	if (f->state != NULL) {
		char names[160];
		size_t np = 0;

		for (i = 0; phx_fmt_tcp_states[i] != NULL && state == NULL;
		     i++)
			if (strcasecmp(f->state, phx_fmt_tcp_states[i]) == 0)
				state = phx_fmt_tcp_states[i];
		if (state == NULL) {
			names[0] = '\0';
			for (i = 0; phx_fmt_tcp_states[i] != NULL; i++)
				(void)append(names, sizeof(names), &np, "%s%s",
					     i ? ", " : "",
					     phx_fmt_tcp_states[i]);
			snprintf(err, errlen, "--state: '%s' is not a TCP "
				 "state (%s)", clean(f->state, v, sizeof(v)),
				 names);
			return -EINVAL;
		}
		if (proto != NULL && strcmp(proto, "tcp") != 0) {
			snprintf(err, errlen, "--state: TCP states do not "
				 "apply to --proto %s", proto);
			return -EINVAL;
		}
		if (append(buf, len, &pos, ",state=%s", state) < 0)
			goto too_long;
	}
	return 0;
too_long:
	snprintf(err, errlen, "filters longer than %zu bytes", len - 1);
	buf[0] = '\0';
	return -EINVAL;
}

void
phx_fmt_opt_error(const char *arg, int opt, char *msg, size_t len)
{
	const char *eq = strchr(arg, '=');

	if (strncmp(arg, "--", 2) == 0 && eq != NULL && opt != 0)
		snprintf(msg, len, "option '%.*s' takes no value",
			 (int)(eq - arg), arg);
	else if (opt > 0 && opt < 0x100)
		snprintf(msg, len, "unknown option '-%c'", opt);
	else
		snprintf(msg, len, "unknown option '%s'", arg);
}

int
phx_fmt_seconds(const char *s, unsigned max_s, unsigned *ms)
{
	size_t n = strspn(s, "0123456789");
	uint64_t whole, frac = 0;
	char digits[16];
	const char *f;
	size_t nf;

	*ms = 0;
	if (n == 0 || n >= sizeof(digits))
		return -EINVAL;
	memcpy(digits, s, n);
	digits[n] = '\0';
	/* "010" is a typo more likely than a number: rejected like it. */
	if (strict_uint(digits, 9, &whole) < 0)
		return -EINVAL;
	f = s + n;
	if (*f == '.') {
		f++;
		nf = strspn(f, "0123456789");
		if (nf == 0 || nf > 3 || f[nf] != '\0')
			return -EINVAL;
		for (n = 0; n < 3; n++)
			frac = frac * 10 + (n < nf ? (uint64_t)(f[n] - '0') : 0);
	} else if (*f != '\0') {
		return -EINVAL;
	}
	if (whole > max_s || whole * 1000 + frac > (uint64_t)max_s * 1000 ||
	    whole * 1000 + frac == 0)
		return -EINVAL;
	*ms = (unsigned)(whole * 1000 + frac);
	return 0;
}

/* ---- reload ---- */

int
phx_fmt_reload_counts(json_t *policy, uint64_t *ok, uint64_t *failed,
		      char *err, size_t errlen)
{
	int rc;

	*ok = *failed = 0;
	if ((rc = need_object(policy, err, errlen)) < 0 ||
	    (rc = get_uint(policy, NULL, "reloads_ok", ok, err, errlen)) < 0 ||
	    (rc = get_uint(policy, NULL, "reloads_failed", failed, err,
			   errlen)) < 0)
		return rc;
	return 0;
}

int
phx_fmt_reload_result(json_t *policy, uint64_t ok0, uint64_t failed0,
		      char *msg, size_t msglen, char *err, size_t errlen)
{
	static const char refused[] = "refused";
	uint64_t ok, failed, gen;
	char last[TEXT_LEN], b[TEXT_LEN];
	const char *why;
	int rc;

	msg[0] = '\0';
	if ((rc = phx_fmt_reload_counts(policy, &ok, &failed, err,
					errlen)) < 0 ||
	    (rc = get_uint(policy, NULL, "generation", &gen, err, errlen)) < 0 ||
	    (rc = get_text(policy, NULL, "last_reload", last, sizeof(last),
			   err, errlen)) < 0)
		return rc;
	if (ok < ok0 || failed < failed0) {
		snprintf(err, errlen, "the reload counters went down (ok %"
			 PRIu64 " -> %" PRIu64 ", failed %" PRIu64 " -> %"
			 PRIu64 "): the member restarted", ok0, ok, failed0,
			 failed);
		return -EINVAL;
	}
	if (ok == ok0 && failed == failed0)
		return 0;
	/* Both grew: somebody else reloaded too; the last result counts. */
	if (failed > failed0 &&
	    (ok == ok0 || strncmp(last, refused, strlen(refused)) == 0)) {
		why = last;
		if (strncmp(why, refused, strlen(refused)) == 0) {
			why += strlen(refused);
			why += strspn(why, ": ");
		}
		snprintf(msg, msglen, "reload refused: %s",
			 why[0] ? clean(why, b, sizeof(b)) : "(no reason given)");
		return 2;
	}
	snprintf(msg, msglen, "reload ok: generation %" PRIu64, gen);
	return 1;
}

/* ---- cluster (SPEC 6.2-6.5) ---- */

/*
 * The cluster answers (docs/telemetry.md) are dicts of scalars, and
 * tables of such dicts: one row per member, interface or device. DPDK
 * 22.11's telemetry cannot put a dict in an array, so a table comes as a
 * dict of row dicts keyed by any name, in row order (jansson keeps the
 * order); an array of dicts is taken too. It has no floating-point values
 * either: a duration comes as <name>_ms, whole milliseconds, or as
 * <name>_s, seconds as a number or a decimal string ("12.3"). Integers may
 * be negative (heard_ms and regno use -1).
 */

static int
get_int(json_t *obj, const char *where, const char *key, int64_t min,
	int64_t *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	char what[64];

	*out = 0;
	if (v == NULL)
		return bad(err, errlen, where, key, "is missing");
	if (!json_is_integer(v) || json_integer_value(v) < min) {
		snprintf(what, sizeof(what), "is not an integer of at least %"
			 PRId64, min);
		return bad(err, errlen, where, key, what);
	}
	*out = json_integer_value(v);
	return 0;
}

/* 0 or 1. */
static int
get_flag(json_t *obj, const char *where, const char *key, bool *out,
	 char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);

	*out = false;
	if (v == NULL)
		return bad(err, errlen, where, key, "is missing");
	if (!json_is_integer(v) ||
	    (json_integer_value(v) != 0 && json_integer_value(v) != 1))
		return bad(err, errlen, where, key, "is not 0 or 1");
	*out = json_integer_value(v) == 1;
	return 0;
}

/* Seconds, at least 0: an integer, a real, or a decimal string. */
static int
secs_of(json_t *v, const char *where, const char *key, double *out,
	char *err, size_t errlen)
{
	double d = -1;

	*out = 0;
	if (json_is_integer(v)) {
		d = (double)json_integer_value(v);
	} else if (json_is_real(v)) {
		d = json_real_value(v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;

		if (s[0] >= '0' && s[0] <= '9') {
			errno = 0;
			d = strtod(s, &end);
			if (errno != 0 || *end != '\0')
				d = -1;
		}
	}
	if (!(d >= 0 && d < 1e15)) /* NaN fails too */
		return bad(err, errlen, where, key,
			   "is not a number of seconds");
	*out = d;
	return 0;
}

/* Duration base (e.g. "since_change") in seconds, from base_ms (whole
 * milliseconds) or base_s (see secs_of). */
static int
get_duration(json_t *obj, const char *where, const char *base, double *out,
	     char *err, size_t errlen)
{
	char key[64];
	json_t *v;

	*out = 0;
	snprintf(key, sizeof(key), "%s_ms", base);
	v = json_object_get(obj, key);
	if (v != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return bad(err, errlen, where, key,
				   "is not a non-negative integer");
		*out = (double)json_integer_value(v) / 1000;
		return 0;
	}
	snprintf(key, sizeof(key), "%s_s", base);
	v = json_object_get(obj, key);
	if (v == NULL)
		return bad(err, errlen, where, key, "is missing");
	return secs_of(v, where, key, out, err, errlen);
}

/* A table answer: an array or a dict of rows (above); *n rows. */
static int
need_rows(json_t *ans, size_t *n, char *err, size_t errlen)
{
	*n = 0;
	if (ans == NULL || json_is_null(ans)) {
		snprintf(err, errlen, "the answer is null");
		return -EINVAL;
	}
	if (json_is_array(ans))
		*n = json_array_size(ans);
	else if (json_is_object(ans))
		*n = json_object_size(ans);
	else {
		snprintf(err, errlen, "the answer is neither an array nor an "
			 "object");
		return -EINVAL;
	}
	return 0;
}

/*
 * Row i of a table answer, which must be an object; where gets its name
 * for messages: "[i]" in an array, the key in a dict. Rows are few (16
 * members, 20 devices), so walking the dict to row i is cheap.
 */
static int
row_at(json_t *ans, size_t i, json_t **obj, char *where, size_t wlen,
       char *err, size_t errlen)
{
	if (json_is_array(ans)) {
		snprintf(where, wlen, "[%zu]", i);
		*obj = json_array_get(ans, i);
	} else {
		void *it = json_object_iter(ans);
		size_t k;

		for (k = 0; k < i && it != NULL; k++)
			it = json_object_iter_next(ans, it);
		clean(it != NULL ? json_object_iter_key(it) : "?", where,
		      wlen);
		*obj = it != NULL ? json_object_iter_value(it) : NULL;
	}
	if (!json_is_object(*obj)) {
		snprintf(err, errlen, "\"%s\" is not an object", where);
		return -EINVAL;
	}
	return 0;
}

int
phx_fmt_cluster_enabled(json_t *cluster, char *err, size_t errlen)
{
	bool on;
	int rc;

	if ((rc = need_object(cluster, err, errlen)) < 0 ||
	    (rc = get_flag(cluster, NULL, "enabled", &on, err, errlen)) < 0)
		return rc;
	return on;
}

/* /phalanx/cluster of a clustered member, checked. */
struct cluster_info {
	const char *mode, *recovery, *transport, *state, *state_display;
	const char *admin, *reason, *pnote, *culprit, *digest;
	int64_t id, member, hello_ms, dead_count, transitions;
	int64_t ifs_up, ifs_required, sec_up, sec_required, cfg_gen;
	bool forwarding, joining;
	double since;
};

static int
check_cluster(json_t *ans, struct cluster_info *ci, char *err,
	      size_t errlen)
{
	const struct {
		const char *key;
		const char **out;
	} strs[] = {
		{ "mode", &ci->mode }, { "recovery", &ci->recovery },
		{ "transport", &ci->transport }, { "state", &ci->state },
		{ "state_display", &ci->state_display },
		{ "admin", &ci->admin }, { "reason", &ci->reason },
		{ "pnote", &ci->pnote }, { "pnote_culprit", &ci->culprit },
		{ "cfg_digest", &ci->digest },
	};
	const struct {
		const char *key;
		int64_t *out;
	} ints[] = {
		{ "cluster_id", &ci->id }, { "member", &ci->member },
		{ "hello_ms", &ci->hello_ms }, { "dead_count", &ci->dead_count },
		{ "transitions", &ci->transitions },
		{ "ifs_up", &ci->ifs_up }, { "ifs_required", &ci->ifs_required },
		{ "sec_up", &ci->sec_up }, { "sec_required", &ci->sec_required },
		{ "cfg_gen", &ci->cfg_gen },
	};
	size_t i;
	int rc;

	*ci = (struct cluster_info){ 0 };
	if ((rc = phx_fmt_cluster_enabled(ans, err, errlen)) < 0)
		return rc;
	if (rc == 0) {
		snprintf(err, errlen, "the member is not in a cluster");
		return -EINVAL;
	}
	for (i = 0; i < PHX_DIM(strs); i++)
		if ((rc = get_str(ans, NULL, strs[i].key, strs[i].out, err,
				  errlen)) < 0)
			return rc;
	for (i = 0; i < PHX_DIM(ints); i++)
		if ((rc = get_int(ans, NULL, ints[i].key, 0, ints[i].out, err,
				  errlen)) < 0)
			return rc;
	if ((rc = get_flag(ans, NULL, "forwarding", &ci->forwarding, err,
			   errlen)) < 0 ||
	    (rc = get_flag(ans, NULL, "joining", &ci->joining, err,
			   errlen)) < 0 ||
	    (rc = get_duration(ans, NULL, "since_change", &ci->since, err,
			       errlen)) < 0)
		return rc;
	return 0;
}

/* States in which a member forwards (lib/ccp_fsm: Active, Active
 * Attention). */
static bool
forwarding_state(const char *state)
{
	return strcmp(state, "ACTIVE") == 0 ||
	       strcmp(state, "ACTIVE_ATTENTION") == 0;
}

/* "12 ms ago", "3.4 sec ago", "never" (-1). */
static void
heard_text(char *buf, size_t len, int64_t ms)
{
	if (ms < 0)
		snprintf(buf, len, "never");
	else if (ms < 1000)
		snprintf(buf, len, "%" PRId64 " ms ago", ms);
	else
		snprintf(buf, len, "%.1f sec ago", (double)ms / 1000);
}

/* One member row, checked. */
struct member_row {
	int64_t id, prio, heard_ms;
	const char *ip, *state, *display;
	bool local, cfg_stale, ghost;
	/* platform (CCP-69, SYNC-20, SYNC-74); differs NULL: not sent */
	int64_t workers, sync_version, sync_mtu;
	const char *version, *differs;
};

static int
check_member(json_t *m, const char *where, struct member_row *r, char *err,
	     size_t errlen)
{
	int rc;

	*r = (struct member_row){ 0 };
	if ((rc = get_int(m, where, "id", 0, &r->id, err, errlen)) < 0 ||
	    (rc = get_int(m, where, "prio", 0, &r->prio, err, errlen)) < 0 ||
	    (rc = get_str(m, where, "ip", &r->ip, err, errlen)) < 0 ||
	    (rc = get_flag(m, where, "local", &r->local, err, errlen)) < 0 ||
	    (rc = get_str(m, where, "state", &r->state, err, errlen)) < 0 ||
	    (rc = get_str(m, where, "state_display", &r->display, err,
			  errlen)) < 0 ||
	    (rc = get_int(m, where, "heard_ms", -1, &r->heard_ms, err,
			  errlen)) < 0 ||
	    (rc = get_flag(m, where, "cfg_stale", &r->cfg_stale, err,
			   errlen)) < 0 ||
	    (rc = get_flag(m, where, "ghost", &r->ghost, err, errlen)) < 0)
		return rc;
	/* optional: members before the platform TLV do not send it */
	if (json_object_get(m, "differs") != NULL &&
	    ((rc = get_str(m, where, "differs", &r->differs, err,
			   errlen)) < 0 ||
	     (rc = get_str(m, where, "version", &r->version, err,
			   errlen)) < 0 ||
	     (rc = get_int(m, where, "workers", -1, &r->workers, err,
			   errlen)) < 0 ||
	     (rc = get_int(m, where, "sync_version", -1, &r->sync_version,
			   err, errlen)) < 0 ||
	     (rc = get_int(m, where, "sync_mtu", -1, &r->sync_mtu, err,
			   errlen)) < 0))
		return rc;
	return 0;
}

/* Whether a comma-separated list names word. */
static bool
list_has(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

/* How a peer's platform differs from the local member's (its "differs"
 * names the peer's side), one warning line each; none for a peer that is
 * lost or stopped (its platform is the last one it announced). */
static void
platform_warnings(FILE *out, const struct member_row *r,
		  const struct member_row *me)
{
	char b1[CELL_LEN], b2[CELL_LEN];

	/* a member that is gone or stopped is no longer compared with */
	if (r->differs == NULL || me == NULL || me->differs == NULL ||
	    strcmp(r->state, "LOST") == 0 || strcmp(r->state, "STOPPED") == 0)
		return;
	if (list_has(r->differs, "version"))
		fprintf(out, "Warning: member %" PRId64 " runs phalanx %s, this "
			"member %s\n", r->id, clean(r->version, b1, sizeof(b1)),
			clean(me->version, b2, sizeof(b2)));
	if (list_has(r->differs, "sync_version"))
		fprintf(out, "Warning: member %" PRId64 " speaks sync version %"
			PRId64 ", this member %" PRId64 ": no state sync "
			"between them\n", r->id, r->sync_version,
			me->sync_version);
	if (list_has(r->differs, "sync_mtu"))
		fprintf(out, "Warning: member %" PRId64 "'s sync port MTU is %"
			PRId64 ", this member's %" PRId64 ": it must be the "
			"same on every member\n", r->id, r->sync_mtu,
			me->sync_mtu);
	if (list_has(r->differs, "fewer_workers"))
		fprintf(out, "Warning: member %" PRId64 " runs %" PRId64
			" %s, this member %" PRId64 ": this member is Down "
			"while member %" PRId64 " is up\n", r->id, r->workers,
			r->workers == 1 ? "worker" : "workers", me->workers,
			r->id);
	if (list_has(r->differs, "more_workers"))
		fprintf(out, "Warning: member %" PRId64 " runs %" PRId64
			" workers, this member %" PRId64 ": member %" PRId64
			" is Down while this member is up\n", r->id,
			r->workers, me->workers, r->id);
}

static const struct phx_fmt_col state_cols[] = {
	{ "Number", PHX_FMT_LEFT },
	{ "Unique Address", PHX_FMT_LEFT },
	{ "Assigned Load", PHX_FMT_LEFT },
	{ "State", PHX_FMT_LEFT },
	{ "Last heard", PHX_FMT_LEFT },
};

/* The same with the member ID, when some ID differs from its number. */
static const struct phx_fmt_col state_id_cols[] = {
	{ "Number", PHX_FMT_LEFT },
	{ "ID", PHX_FMT_LEFT },
	{ "Unique Address", PHX_FMT_LEFT },
	{ "Assigned Load", PHX_FMT_LEFT },
	{ "State", PHX_FMT_LEFT },
	{ "Last heard", PHX_FMT_LEFT },
};

/* "Cluster mode:   High Availability New Mode (Active Up)" (SPEC MODE-04,
 * CLI-10); a mode or recovery phx does not know is shown as sent. */
static void
mode_print(FILE *out, const char *mode, const char *recovery)
{
	char m[CELL_LEN], r[CELL_LEN];

	if (strcmp(mode, "ha") == 0)
		snprintf(m, sizeof(m), "High Availability New Mode");
	else
		clean(mode, m, sizeof(m));
	if (strcmp(recovery, "active-up") == 0)
		snprintf(r, sizeof(r), "Active Up");
	else if (strcmp(recovery, "primary-up") == 0)
		snprintf(r, sizeof(r), "Primary Up");
	else
		clean(recovery, r, sizeof(r));
	fprintf(out, "Cluster mode:   %s (%s)\n", m, r);
}

int
phx_fmt_state(FILE *out, json_t *cluster, json_t *members, char *err,
	      size_t errlen)
{
	struct cluster_info ci;
	struct member_row *rows = NULL;
	const struct member_row *me = NULL;
	struct phx_fmt_table t;
	char b1[CELL_LEN * 2], b2[CELL_LEN];
	size_t n, i;
	bool with_id = false;
	int rc;

	/* Pass 1: both answers. */
	if ((rc = check_cluster(cluster, &ci, err, errlen)) < 0 ||
	    (rc = need_rows(members, &n, err, errlen)) < 0)
		return rc;
	if (n > 0 && (rows = calloc(n, sizeof(*rows))) == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		char where[32];
		json_t *m;

		if ((rc = row_at(members, i, &m, where, sizeof(where), err,
				 errlen)) < 0 ||
		    (rc = check_member(m, where, &rows[i], err, errlen)) < 0)
			goto out;
		with_id |= rows[i].id != rows[i].prio;
	}
	if (with_id)
		phx_fmt_table_init(&t, state_id_cols, PHX_DIM(state_id_cols));
	else
		phx_fmt_table_init(&t, state_cols, PHX_DIM(state_cols));
	for (i = 0; i < n; i++) {
		const struct member_row *r = &rows[i];
		char c[PHX_DIM(state_id_cols)][CELL_LEN];
		const char *cells[PHX_DIM(state_id_cols)];
		bool fwd = r->local ? ci.forwarding : forwarding_state(r->state);
		unsigned k = 0;

		snprintf(c[k++], CELL_LEN, "%" PRId64 "%s", r->prio,
			 r->local ? " (local)" : "");
		if (with_id)
			snprintf(c[k++], CELL_LEN, "%" PRId64, r->id);
		snprintf(c[k++], CELL_LEN, "%s", r->ip[0] ? r->ip : "-");
		snprintf(c[k++], CELL_LEN, "%s", fwd ? "100%" : "0%");
		snprintf(c[k++], CELL_LEN, "%s", r->display);
		if (r->local)
			snprintf(c[k++], CELL_LEN, "-");
		else
			heard_text(c[k++], CELL_LEN, r->heard_ms);
		for (k = 0; k < t.n_cols; k++)
			cells[k] = c[k];
		if ((rc = phx_fmt_table_add(&t, cells)) < 0)
			goto out_table;
	}

	/* Pass 2: print. */
	for (i = 0; i < n; i++)
		if (rows[i].local)
			me = &rows[i];
	mode_print(out, ci.mode, ci.recovery);
	fputc('\n', out);
	if (n > 0)
		phx_fmt_table_print(&t, out);
	else
		fputs("No members.\n", out);
	fprintf(out, "\nLocal member:      %s\n",
		ci.reason[0] ? clean(ci.reason, b1, sizeof(b1)) : "-");
	fprintf(out, "Last change:       %.1f sec ago, %" PRId64 " %s\n",
		ci.since, ci.transitions,
		plural((uint64_t)ci.transitions, "transition", "transitions"));
	if (ci.culprit[0] != '\0')
		fprintf(out, "Critical devices:  %s (%s)\n",
			clean(ci.pnote, b2, sizeof(b2)),
			clean(ci.culprit, b1, sizeof(b1)));
	else
		fprintf(out, "Critical devices:  %s\n",
			clean(ci.pnote, b2, sizeof(b2)));
	fprintf(out, "Interfaces:        %" PRId64 " of %" PRId64 " up, "
		"secured %" PRId64 " of %" PRId64 " up\n", ci.ifs_up,
		ci.ifs_required, ci.sec_up, ci.sec_required);
	fprintf(out, "Configuration:     generation %" PRId64 " digest %.16s\n",
		ci.cfg_gen, clean(ci.digest, b1, sizeof(b1)));
	if (strcmp(ci.admin, "up") != 0)
		fprintf(out, "Administrative:    %s\n",
			clean(ci.admin, b1, sizeof(b1)));
	if (ci.joining)
		fputs("Joining:           yes\n", out);
	for (i = 0; i < n; i++) {
		if (rows[i].cfg_stale)
			fprintf(out, "Warning: member %" PRId64 " runs a "
				"different configuration: it will not become "
				"active\n", rows[i].id);
		if (rows[i].ghost)
			fprintf(out, "Warning: member %" PRId64 " is not heard "
				"and may still be active\n", rows[i].id);
		if (!rows[i].local)
			platform_warnings(out, &rows[i], me);
	}
	rc = 0;
out_table:
	phx_fmt_table_fini(&t);
out:
	free(rows);
	return rc;
}

/* One /phalanx/cluster/if row, checked. */
struct cif_row {
	const char *port, *ip, *cast, *vips;
	bool secured, up;
	double since;
};

static int
check_cif(json_t *ifs, struct cif_row **out, size_t *n, char *err,
	  size_t errlen)
{
	struct cif_row *rows = NULL;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = need_rows(ifs, n, err, errlen)) < 0)
		return rc;
	if (*n > 0 && (rows = calloc(*n, sizeof(*rows))) == NULL)
		return -ENOMEM;
	for (i = 0; i < *n; i++) {
		struct cif_row *r = &rows[i];
		char where[32];
		json_t *o;

		if ((rc = row_at(ifs, i, &o, where, sizeof(where), err,
				 errlen)) < 0 ||
		    (rc = get_str(o, where, "port", &r->port, err,
				  errlen)) < 0 ||
		    (rc = get_str(o, where, "ip", &r->ip, err, errlen)) < 0 ||
		    (rc = get_flag(o, where, "secured", &r->secured, err,
				   errlen)) < 0 ||
		    (rc = get_flag(o, where, "up", &r->up, err, errlen)) < 0 ||
		    (rc = get_duration(o, where, "since", &r->since, err,
				       errlen)) < 0 ||
		    (rc = get_str(o, where, "cast", &r->cast, err,
				  errlen)) < 0 ||
		    (rc = get_str(o, where, "vips", &r->vips, err,
				  errlen)) < 0) {
			free(rows);
			*n = 0;
			return rc;
		}
	}
	*out = rows;
	return 0;
}

/*
 * Next VIP of a comma-separated "10.1.0.1/24,10.1.0.2/24" list, from *p:
 * the address without its prefix length in buf; false at the end.
 */
static bool
next_vip(const char **p, char *buf, size_t len)
{
	size_t n;

	for (;;) {
		*p += strspn(*p, ", ");
		if (**p == '\0')
			return false;
		n = strcspn(*p, ", ");
		snprintf(buf, len, "%.*s", (int)MIN(n, strcspn(*p, "/")), *p);
		*p += n;
		if (buf[0] != '\0')
			return true;
	}
}

int
phx_fmt_cluster_if(FILE *out, json_t *cluster, json_t *ifs, bool vips,
		   char *err, size_t errlen)
{
	struct cluster_info ci;
	struct cif_row *rows;
	size_t n, i, port_w = 0, state_w = 0, n_vips = 0;
	char st[CELL_LEN], b1[CELL_LEN], b2[CELL_LEN], vip[CELL_LEN];
	const char *p;
	int rc;

	if ((rc = check_cluster(cluster, &ci, err, errlen)) < 0 ||
	    (rc = check_cif(ifs, &rows, &n, err, errlen)) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		port_w = MAX(port_w, strlen(clean(rows[i].port, b1,
						  sizeof(b1))));
		if (rows[i].up)
			snprintf(st, sizeof(st), "UP");
		else
			snprintf(st, sizeof(st), "DOWN (%.1f secs)",
				 rows[i].since);
		state_w = MAX(state_w, strlen(st));
		for (p = rows[i].vips; next_vip(&p, vip, sizeof(vip));)
			n_vips++;
	}

	fprintf(out, "Required interfaces: %" PRId64 "\n", ci.ifs_required);
	fprintf(out, "Required secured interfaces: %" PRId64 "\n",
		ci.sec_required);
	for (i = 0; i < n; i++) {
		const struct cif_row *r = &rows[i];

		if (r->up)
			snprintf(st, sizeof(st), "UP");
		else
			snprintf(st, sizeof(st), "DOWN (%.1f secs)", r->since);
		fprintf(out, "%-*s  %-*s  (%s, %s, %s)\n", (int)port_w,
			clean(r->port, b1, sizeof(b1)), (int)state_w, st,
			r->secured ? "secured" : "non secured",
			r->ip[0] ? "unique" : "non unique",
			clean(r->cast, b2, sizeof(b2)));
	}
	if (vips) {
		fprintf(out, "Virtual cluster interfaces: %zu\n", n_vips);
		for (i = 0; i < n; i++)
			for (p = rows[i].vips; next_vip(&p, vip, sizeof(vip));)
				fprintf(out, "%-*s  %s\n", (int)port_w,
					clean(rows[i].port, b1, sizeof(b1)),
					clean(vip, b2, sizeof(b2)));
	}
	free(rows);
	return 0;
}

/* One /phalanx/cluster/pnotes row, checked. */
struct pnote_row {
	const char *name, *state;
	int64_t regno, timeout_s;
	bool builtin, persistent;
	double since;
};

static void
pnote_print(FILE *out, const struct pnote_row *r)
{
	char b[CELL_LEN];

	fprintf(out, "\nDevice Name: %s\n", clean(r->name, b, sizeof(b)));
	if (r->regno >= 0) {
		fprintf(out, "Registration number: %" PRId64 "\n", r->regno);
		if (r->timeout_s > 0)
			fprintf(out, "Timeout: %" PRId64 " sec\n",
				r->timeout_s);
		else
			fputs("Timeout: none\n", out);
		if (r->persistent)
			fputs("Persistent: yes\n", out);
	}
	fprintf(out, "Current state: %s\n", clean(r->state, b, sizeof(b)));
	if (r->regno >= 0)
		fprintf(out, "Time since last report: %.1f sec\n", r->since);
}

int
phx_fmt_pnotes(FILE *out, json_t *ans, char *err, size_t errlen)
{
	struct pnote_row *rows = NULL;
	size_t n, i, n_bi = 0;
	int rc;

	if ((rc = need_rows(ans, &n, err, errlen)) < 0)
		return rc;
	if (n > 0 && (rows = calloc(n, sizeof(*rows))) == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct pnote_row *r = &rows[i];
		char where[32];
		json_t *o;

		if ((rc = row_at(ans, i, &o, where, sizeof(where), err,
				 errlen)) < 0 ||
		    (rc = get_str(o, where, "name", &r->name, err,
				  errlen)) < 0 ||
		    (rc = get_int(o, where, "regno", -1, &r->regno, err,
				  errlen)) < 0 ||
		    (rc = get_flag(o, where, "builtin", &r->builtin, err,
				   errlen)) < 0 ||
		    (rc = get_flag(o, where, "persistent", &r->persistent, err,
				   errlen)) < 0 ||
		    (rc = get_int(o, where, "timeout_s", 0, &r->timeout_s, err,
				  errlen)) < 0 ||
		    (rc = get_str(o, where, "state", &r->state, err,
				  errlen)) < 0 ||
		    (rc = get_duration(o, where, "since_report", &r->since,
				       err, errlen)) < 0)
			goto out;
		n_bi += r->regno < 0;
	}

	/* CLI-30: the display-only checks (no registration number) first,
	 * then everything that has a number, built-ins #0.. included. */
	fputs("Built-in Devices:\n", out);
	for (i = 0; i < n; i++)
		if (rows[i].regno < 0)
			pnote_print(out, &rows[i]);
	if (n_bi == 0)
		fputs("\n(none)\n", out);
	fputs("\nRegistered Devices:\n", out);
	for (i = 0; i < n; i++)
		if (rows[i].regno >= 0)
			pnote_print(out, &rows[i]);
	if (n_bi == n)
		fputs("\n(none)\n", out);
	rc = 0;
out:
	free(rows);
	return rc;
}

int
phx_fmt_ccpstat(FILE *out, json_t *ans, char *err, size_t errlen)
{
	char b[CELL_LEN], fam[32], prev[32] = "";
	size_t name_w = 1, val_w = 1;
	const char *key;
	uint64_t u;
	json_t *v;
	int rc;

	if ((rc = need_object(ans, err, errlen)) < 0)
		return rc;
	json_object_foreach(ans, key, v) {
		if ((rc = uint_of(v, NULL, key, &u, err, errlen)) < 0)
			return rc;
		name_w = MAX(name_w, strlen(clean(key, b, sizeof(b))));
		val_w = MAX(val_w, u64_width(u));
	}
	if (json_object_size(ans) == 0) {
		fputs("no counters\n", out);
		return 0;
	}
	/* In the member's order; a blank line where the first word of the
	 * name changes (tx, rx, drop). */
	json_object_foreach(ans, key, v) {
		snprintf(fam, sizeof(fam), "%.*s", (int)strcspn(key, "_"),
			 key);
		if (prev[0] != '\0' && strcmp(fam, prev) != 0)
			fputc('\n', out);
		snprintf(prev, sizeof(prev), "%s", fam);
		fprintf(out, "%-*s  %*" PRIu64 "\n", (int)name_w,
			clean(key, b, sizeof(b)), (int)val_w,
			(uint64_t)json_integer_value(v));
	}
	return 0;
}

int
phx_fmt_action_result(json_t *ans, bool *ok, const char **msg, char *err,
		      size_t errlen)
{
	int rc;

	*ok = false;
	*msg = NULL;
	if ((rc = need_object(ans, err, errlen)) < 0 ||
	    (rc = get_flag(ans, NULL, "ok", ok, err, errlen)) < 0 ||
	    (rc = get_str(ans, NULL, "message", msg, err, errlen)) < 0)
		return rc;
	return 0;
}

/* ---- critical-device (pnote) arguments ---- */

int
phx_fmt_pnote_name(const char *name, char *err, size_t errlen)
{
	size_t n;
	char b[CELL_LEN];

	for (n = 0; name[n] != '\0'; n++)
		if ((unsigned char)name[n] <= 0x20 ||
		    (unsigned char)name[n] >= 0x7f)
			break;
	if (n == 0 || name[n] != '\0' || n > PHX_PNOTE_NAME_MAX) {
		snprintf(err, errlen, "'%s' is not a device name (1 to %d "
			 "printable characters, no spaces)",
			 clean(name, b, sizeof(b)), PHX_PNOTE_NAME_MAX);
		return -EINVAL;
	}
	return 0;
}

int
phx_fmt_pnote_timeout(const char *s, uint32_t *timeout_s, char *err,
		      size_t errlen)
{
	uint64_t v;
	char b[CELL_LEN];

	*timeout_s = 0;
	if (strict_uint(s, 10, &v) < 0 || v > UINT32_MAX) {
		snprintf(err, errlen, "'%s' is not a timeout (whole seconds, "
			 "0 .. %" PRIu32 "; 0: none)", clean(s, b, sizeof(b)),
			 UINT32_MAX);
		return -EINVAL;
	}
	*timeout_s = (uint32_t)v;
	return 0;
}

int
phx_fmt_pnote_status(const char *s, const char **word, char *err,
		     size_t errlen)
{
	static const char *const words[PHX_PNOTE_STATUS_MAX] = {
		[PHX_PNOTE_OK] = "ok",
		[PHX_PNOTE_INIT] = "init",
		[PHX_PNOTE_PROBLEM] = "problem",
	};
	enum phx_pnote_status st;
	char b[CELL_LEN];

	*word = NULL;
	if (phx_pnote_status_parse(s, &st) < 0) {
		snprintf(err, errlen, "'%s' is not a status (ok, init or "
			 "problem)", clean(s, b, sizeof(b)));
		return -EINVAL;
	}
	*word = words[st];
	return 0;
}

int
phx_fmt_pnote_file(const char *text, size_t len, bool persistent,
		   char *req, size_t reqlen, char *err, size_t errlen)
{
	struct phx_pnote_params params = { .member_id = 0 };
	struct phx_pnote_out *po = NULL;
	struct phx_pnote *scratch = NULL;
	size_t pos = 0, i = 0;
	unsigned lineno = 0, n_sent = 0;
	int rc = -EINVAL;

	req[0] = '\0';
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "not a text file (it holds a NUL byte)");
		return -EINVAL;
	}
	/* The member parses with lib/pnote too: a dry run on an empty
	 * registry finds every error it would, with the same message and
	 * the file's line numbers, except a name the member already has. */
	po = calloc(1, sizeof(*po));
	scratch = phx_pnote_create(&params, 0);
	if (po == NULL || scratch == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rc = phx_pnote_register_file(scratch, text, persistent, 0, po);
	if (rc < 0) {
		snprintf(err, errlen, "%s", po->err);
		rc = -EINVAL;
		goto out;
	}
	if (rc == 0) {
		snprintf(err, errlen, "no device in the file (one "
			 "\"<device> <timeout> <status>\" a line)");
		rc = -EINVAL;
		goto out;
	}

	/* The request: the device lines only (already checked), each one's
	 * words joined by one space, ';' between lines. */
	if (append(req, reqlen, &pos, "/phalanx/cluster/pnote,%s ",
		   persistent ? "regfilep" : "regfile") < 0)
		goto too_long;
	while (i < len) {
		size_t eol = i, j, w;
		bool first = true;

		lineno++;
		while (eol < len && text[eol] != '\n')
			eol++;
		j = i + strspn(text + i, " \t\r");
		if (j < eol && text[j] != '#' &&
		    memchr(text + j, ';', eol - j) != NULL) {
			snprintf(err, errlen, "line %u: ';' cannot be sent to "
				 "the member (it separates the lines)", lineno);
			rc = -EINVAL;
			goto out;
		}
		for (; j < eol && text[j] != '#'; first = false) {
			w = j + strcspn(text + j, " \t\r\n");
			if (append(req, reqlen, &pos, "%s%.*s",
				   first ? (n_sent ? ";" : "") : " ",
				   (int)(w - j), text + j) < 0)
				goto too_long;
			j = w + strspn(text + w, " \t\r");
		}
		n_sent += !first;
		i = eol + 1;
	}
	goto out;
too_long:
	snprintf(err, errlen, "too large to send: the member takes "
		 "requests of at most %zu bytes (register fewer devices "
		 "per file)", reqlen - 1);
	rc = -E2BIG;
out:
	if (rc < 0)
		req[0] = '\0';
	phx_pnote_free(scratch);
	free(po);
	return rc;
}

/* ---- Prometheus metrics ---- */

#define METRIC_LEN 160 /* "phalanx_" + counter name + "_total" */

/* HELP texts of the counters phx knows (docs/counters.md); any other
 * counter is described by its name. */
static const struct {
	const char *name;
	const char *help;
} counter_help[] = {
	{ "rx_pkts", "Frames received from the ports" },
	{ "rx_bytes", "Bytes received from the ports (L2)" },
	{ "tx_pkts", "Frames the ports accepted for sending" },
	{ "fwd_pkts", "IPv4 packets routed out of a port by a worker" },
	{ "local_pkts", "IPv4 packets addressed to the member" },
	{ "icmp_echo_replies", "ICMP echo replies sent" },
	{ "icmp_errors_sent", "ICMP time exceeded and unreachable sent" },
	{ "icmp_errors_ratelimited",
	  "ICMP errors not sent because of dataplane.icmp_rate" },
	{ "arp_to_ctl", "ARP frames passed to the control lcore" },
	{ "ccp_to_ctl",
	  "CCP and sync datagrams (UDP 8116) passed to the control lcore" },
	{ "neigh_miss", "Packets passed to control to wait for ARP" },
	{ "ctl_tx_pkts", "Frames sent on behalf of the control lcore" },
	{ "idle_sleeps", "Idle sleeps taken (dataplane.idle_sleep_us)" },
	{ "busy_tsc", "TSC cycles spent in loops that received packets" },
	{ "sess_created", "Sessions created by a rule" },
	{ "sess_installed", "Sessions installed from outside (sync)" },
	{ "sess_expired", "Sessions removed: idle past their timeout" },
	{ "sess_closed", "Sessions removed: TCP reopened, or flushed" },
	{ "sess_revoked", "Sessions removed: a reloaded policy denies them" },
	{ "sess_rechecked", "Sessions re-checked against a new policy" },
	{ "sync_events", "Session events queued for sync" },
	{ "sync_events_lost", "Session events lost: sync ring full" },
	{ "sync_refresh",
	  "Lifetime refresh updates queued for sessions carrying traffic" },
	{ "sync_delayed",
	  "New sessions put on the sync delay queue (rule sync_delay_s)" },
	{ "sync_delay_overflow",
	  "Sessions synced at once because the sync delay queue was full" },
	{ "sess_sync_deleted",
	  "Sessions removed by a sync delete from the peer that owns them" },
	{ "sess_install_failed",
	  "Synced sessions not installed: table full or key conflict" },
	{ "sess_resync_purged",
	  "Sessions removed after a resync that did not bring them" },
	{ "sess_cleared", "Sessions removed by the operator (phx conn --clear)" },
	{ "handoff_tx", "Packets handed to the worker owning their session" },
	{ "handoff_rx", "Packets received by handoff from another worker" },
	{ "tcp_rst_sent", "TCP RSTs sent by reject" },
	{ "tcp_rst_unverified", "TCP RSTs on established sessions passed "
	  "without closing them: not exact, or not verifiable, on an "
	  "untrusted port (lifetime cut to tcp_close)" },
	{ "tcp_port_reuse", "SYNs on established sessions of a trusted port "
	  "(sessions.tcp_trust_rst_ports) that reopened the session" },
	{ "frag_reassembled", "IPv4 datagrams reassembled from fragments" },
	{ "frag_tx", "IPv4 fragments sent (datagrams cut to the egress MTU "
	  "or to their received fragment size)" },
	{ "arp_requests_rx", "ARP requests received" },
	{ "arp_replies_rx", "ARP replies received" },
	{ "arp_requests_tx", "ARP requests sent (announcements included)" },
	{ "arp_replies_tx", "ARP replies sent" },
	{ "neigh_learned", "Neighbour entries created" },
	{ "neigh_not_learned", "Hosts that asked for one of our addresses, not learned: their half of the neighbour table is full" },
	{ "neigh_updated", "Neighbours that answered with a different MAC" },
	{ "neigh_expired", "Neighbour entries removed: unused or no answer" },
	{ "neigh_held", "Packets queued while their next hop was resolved" },
	{ "neigh_released", "Held packets sent once the next hop answered" },
};

/* /phalanx/ports keys, as counters of their own. */
static const struct {
	const char *key;
	const char *metric;
	const char *help;
} port_metrics[] = {
	{ "rx_pkts", "phalanx_port_rx_packets_total",
	  "Packets the port received (NIC counter; a VLAN "
	  "sub-interface: its own, also in its parent's)" },
	{ "rx_bytes", "phalanx_port_rx_bytes_total",
	  "Bytes the port received (NIC counter; a VLAN "
	  "sub-interface: its own, also in its parent's)" },
	{ "tx_pkts", "phalanx_port_tx_packets_total",
	  "Packets the port sent (NIC counter; a VLAN "
	  "sub-interface: its own, also in its parent's)" },
	{ "tx_bytes", "phalanx_port_tx_bytes_total",
	  "Bytes the port sent (NIC counter; a VLAN "
	  "sub-interface: its own, also in its parent's)" },
	{ "rx_missed", "phalanx_port_rx_missed_total",
	  "Packets the NIC dropped because the RX queues were full" },
	{ "rx_errors", "phalanx_port_rx_errors_total",
	  "Erroneous packets the port received" },
	{ "tx_errors", "phalanx_port_tx_errors_total",
	  "Packets the port failed to send" },
	{ "rx_nombuf", "phalanx_port_rx_nombuf_total",
	  "RX mbuf allocation failures" },
};

/* Every metric name phx makes up, so a counter cannot take one. */
static const char *const fixed_metrics[] = {
	"phalanx_policy_generation", "phalanx_sessions",
	"phalanx_sessions_max", "phalanx_drops_total", "phalanx_port_up",
	"phalanx_rule_hits_total",
	"phalanx_port_rx_packets_total", "phalanx_port_rx_bytes_total",
	"phalanx_port_tx_packets_total", "phalanx_port_tx_bytes_total",
	"phalanx_port_rx_missed_total", "phalanx_port_rx_errors_total",
	"phalanx_port_tx_errors_total", "phalanx_port_rx_nombuf_total",
	"phalanx_cluster_transitions_total", "phalanx_ccp_frames_total",
	"phalanx_ccp_messages_total", "phalanx_ccp_drops_total",
};

/* One counter of the union over the pstat answers. */
struct metric_cnt {
	const char *key;            /* borrowed from an answer */
	char metric[METRIC_LEN];
};

/* One pstat answer, checked. */
struct metric_scope {
	json_t *counters, *drops;
	struct pstat_gauges g;
	const char *worker;         /* label value; NULL without per_worker */
};

/* "phalanx_<key>_total", characters a metric name cannot hold made '_'
 * (keys are [A-Za-z0-9_/] by the telemetry conventions). */
static int
counter_metric(const char *key, char *buf, size_t len)
{
	int n = snprintf(buf, len, "phalanx_%s_total", key);
	char *p;

	if (n < 0 || (size_t)n >= len)
		return -EINVAL;
	for (p = buf + strlen("phalanx_"); *p != '\0'; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '_')
			*p = '_';
	return 0;
}

static const char *
counter_desc(const char *key)
{
	size_t i;

	for (i = 0; i < PHX_DIM(counter_help); i++)
		if (strcmp(counter_help[i].name, key) == 0)
			return counter_help[i].help;
	return key;
}

/* HELP text: backslash and newline escaped (format 0.0.4), other
 * control characters replaced as everywhere in phx. */
static void
family(FILE *out, const char *name, const char *type, const char *help)
{
	const char *p;

	fprintf(out, "# HELP %s ", name);
	for (p = help; *p != '\0'; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '\\')
			fputs("\\\\", out);
		else if (ch == '\n')
			fputs("\\n", out);
		else
			fputc(ch < 0x20 || ch == 0x7f ? '?' : ch, out);
	}
	fprintf(out, "\n# TYPE %s %s\n", name, type);
}

/* ,name="value" with backslash, double quote and newline escaped. */
static void
label(FILE *out, const char *name, const char *value, bool first)
{
	const char *p;

	fprintf(out, "%s%s=\"", first ? "" : ",", name);
	for (p = value; *p != '\0'; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '\\')
			fputs("\\\\", out);
		else if (ch == '"')
			fputs("\\\"", out);
		else if (ch == '\n')
			fputs("\\n", out);
		else
			fputc(ch < 0x20 || ch == 0x7f ? '?' : ch, out);
	}
	fputc('"', out);
}

/* metric{member="m"[,worker="w"][,lname="lval"]} value */
static void
sample(FILE *out, const char *metric, const char *member, const char *worker,
       const char *lname, const char *lval, uint64_t v)
{
	fprintf(out, "%s{", metric);
	label(out, "member", member, true);
	if (worker != NULL)
		label(out, "worker", worker, false);
	if (lname != NULL)
		label(out, lname, lval, false);
	fprintf(out, "} %" PRIu64 "\n", v);
}

static int
check_dict_uints(json_t *dict, const char *where, char *err, size_t errlen)
{
	const char *key;
	uint64_t u;
	json_t *v;
	int rc;

	json_object_foreach(dict, key, v)
		if ((rc = uint_of(v, where, key, &u, err, errlen)) < 0)
			return rc;
	return 0;
}

/* Check one pstat answer; with per_worker its scope gives the label. */
static int
check_scope(json_t *ans, bool per_worker, struct metric_scope *s, char *err,
	    size_t errlen)
{
	const char *scope;
	uint64_t u;
	int rc;

	if ((rc = need_object(ans, err, errlen)) < 0 ||
	    (rc = get_str(ans, NULL, "scope", &scope, err, errlen)) < 0 ||
	    (rc = get_uint(ans, NULL, "workers", &u, err, errlen)) < 0 ||
	    (rc = get_gauges(ans, &s->g, err, errlen)) < 0 ||
	    (rc = get_obj(ans, "counters", &s->counters, err, errlen)) < 0 ||
	    (rc = get_obj(ans, "drops", &s->drops, err, errlen)) < 0 ||
	    (rc = check_dict_uints(s->counters, "counters", err,
				   errlen)) < 0 ||
	    (rc = check_dict_uints(s->drops, "drops", err, errlen)) < 0)
		return rc;
	s->worker = NULL;
	if (!per_worker)
		return 0;
	if (strcmp(scope, "ctl") == 0) {
		s->worker = scope;
	} else if (strncmp(scope, "worker", 6) == 0 && scope[6] != '\0' &&
		   strspn(scope + 6, "0123456789") == strlen(scope + 6)) {
		s->worker = scope + 6;
	} else {
		char b[CELL_LEN];

		snprintf(err, errlen, "scope \"%s\" is neither a worker nor "
			 "ctl", clean(scope, b, sizeof(b)));
		return -EINVAL;
	}
	return 0;
}

static int
check_ports(json_t *ports, char *err, size_t errlen)
{
	const char *name, *link;
	json_t *port;
	uint64_t u;
	size_t i;
	int rc;

	if ((rc = need_object(ports, err, errlen)) < 0)
		return rc;
	json_object_foreach(ports, name, port) {
		if (!json_is_object(port))
			return bad(err, errlen, NULL, name, "is not an object");
		for (i = 0; i < PHX_DIM(port_metrics); i++)
			if ((rc = get_uint(port, name, port_metrics[i].key, &u,
					   err, errlen)) < 0)
				return rc;
		if ((rc = get_str(port, name, "link", &link, err, errlen)) < 0)
			return rc;
	}
	return 0;
}

static int
check_rules(json_t *rules, json_t **cols, size_t *n, char *err,
	    size_t errlen)
{
	static const struct col_spec specs[] = {
		{ "name", COL_STR },
		{ "hits", COL_UINT },
	};
	uint64_t gen;
	size_t i, j;
	int rc;

	if ((rc = need_object(rules, err, errlen)) < 0 ||
	    (rc = get_uint(rules, NULL, "generation", &gen, err, errlen)) < 0 ||
	    (rc = get_columns(rules, specs, PHX_DIM(specs), cols, n, err,
			      errlen)) < 0)
		return rc;
	/* Two series with one label set would be one series twice. */
	for (i = 0; i < *n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(col_str(cols[0], i),
				   col_str(cols[0], j)) == 0) {
				char b[CELL_LEN];

				snprintf(err, errlen, "rule \"%s\" is listed "
					 "twice", clean(col_str(cols[0], i), b,
							sizeof(b)));
				return -EINVAL;
			}
	return 0;
}

/* The union of the answers' counters, in order of first appearance, each
 * with a metric name that nothing else takes. */
static int
union_counters(const struct metric_scope *sc, size_t n_sc,
	       struct metric_cnt **out, size_t *n_out, char *err,
	       size_t errlen)
{
	struct metric_cnt *mc;
	size_t cap = 0, n = 0, s, i;
	const char *key;
	json_t *v;

	for (s = 0; s < n_sc; s++)
		cap += json_object_size(sc[s].counters);
	*out = NULL;
	*n_out = 0;
	if (cap == 0)
		return 0;
	mc = calloc(cap, sizeof(*mc));
	if (mc == NULL)
		return -ENOMEM;
	for (s = 0; s < n_sc; s++) {
		json_object_foreach(sc[s].counters, key, v) {
			bool seen = false;
			char b[CELL_LEN];

			for (i = 0; i < n && !seen; i++)
				seen = strcmp(mc[i].key, key) == 0;
			if (seen)
				continue;
			if (counter_metric(key, mc[n].metric,
					   sizeof(mc[n].metric)) < 0) {
				snprintf(err, errlen, "counter name \"%s\" is "
					 "too long", clean(key, b, sizeof(b)));
				goto fail;
			}
			for (i = 0; i < PHX_DIM(fixed_metrics); i++)
				if (strcmp(fixed_metrics[i],
					   mc[n].metric) == 0)
					break;
			if (i < PHX_DIM(fixed_metrics)) {
				snprintf(err, errlen, "counter \"%s\" would be "
					 "%s, which phx uses already",
					 clean(key, b, sizeof(b)),
					 mc[n].metric);
				goto fail;
			}
			for (i = 0; i < n; i++)
				if (strcmp(mc[i].metric, mc[n].metric) == 0)
					break;
			if (i < n) {
				snprintf(err, errlen, "counters \"%s\" and "
					 "\"%s\" would both be %s",
					 mc[i].key, clean(key, b, sizeof(b)),
					 mc[n].metric);
				goto fail;
			}
			mc[n++].key = key;
		}
	}
	*out = mc;
	*n_out = n;
	return 0;
fail:
	free(mc);
	return -EINVAL;
}

/* ---- cluster metrics ---- */

/* Member states (lib/ccp_fsm names) for the phalanx_cluster_state set:
 * every one is sampled, 1 for the current state, so that a query can
 * watch a state that is not current. */
static const char *const cluster_states[] = {
	"INIT", "READY", "ACTIVE", "STANDBY", "ACTIVE_ATTENTION", "DOWN",
	"STOPPED",
};

/* /phalanx/cluster/ccp keys that count CCP messages by type. */
static const char *const ccp_message_kinds[] = {
	"heartbeats", "requests", "confirms", "probes", "garps",
};

/* CCP counters that are neither frames, messages nor drops, described. */
static const struct {
	const char *key;
	const char *help;
} ccp_help[] = {
	{ "tx_errors", "CCP frames not sent: no buffer, or encoding failed" },
	{ "rx_ok", "CCP frames authenticated and fresh" },
	{ "rx_sync", "State sync frames (CCP opcode 10) received" },
	{ "rx_ignored", "CCP frames addressed to another member" },
	{ "rx_unknown_member", "CCP frames from a member not in the "
	  "configuration" },
	{ "rx_refused", "CCP frames whose content the state machine refused" },
	{ "state_changes", "Cluster state changes of the local member" },
	{ "late_passes", "Control loop passes more than a hello after the "
	  "previous one (descheduled or blocked)" },
};

enum ccp_family {
	CCP_FRAMES,     /* phalanx_ccp_frames_total{dir} */
	CCP_MESSAGES,   /* phalanx_ccp_messages_total{dir,type} */
	CCP_OTHER,      /* phalanx_ccp_<key>_total */
	CCP_DROPS,      /* phalanx_ccp_drops_total{reason} */
	CCP_FAMILY_MAX
};

/* Where a CCP counter goes; dir ("tx"/"rx") and label (message type or
 * drop reason) are set for the families that use them. */
static enum ccp_family
ccp_family_of(const char *key, char *dir, size_t dlen, char *label,
	      size_t llen)
{
	size_t i;

	dir[0] = label[0] = '\0';
	if (strncmp(key, "drop_", 5) == 0 && key[5] != '\0') {
		snprintf(label, llen, "%s", key + 5);
		return CCP_DROPS;
	}
	if (strncmp(key, "tx_", 3) != 0 && strncmp(key, "rx_", 3) != 0)
		return CCP_OTHER;
	snprintf(dir, dlen, "%.2s", key);
	if (strcmp(key + 3, "frames") == 0)
		return CCP_FRAMES;
	for (i = 0; i < PHX_DIM(ccp_message_kinds); i++)
		if (strcmp(key + 3, ccp_message_kinds[i]) == 0) {
			/* "heartbeats" -> "heartbeat" */
			snprintf(label, llen, "%.*s",
				 (int)strlen(ccp_message_kinds[i]) - 1,
				 ccp_message_kinds[i]);
			return CCP_MESSAGES;
		}
	dir[0] = '\0';
	return CCP_OTHER;
}

static const char *const ccp_fixed_metrics[CCP_FAMILY_MAX] = {
	[CCP_FRAMES] = "phalanx_ccp_frames_total",
	[CCP_MESSAGES] = "phalanx_ccp_messages_total",
	[CCP_DROPS] = "phalanx_ccp_drops_total",
};

/* "phalanx_ccp_<key>_total" for a CCP_OTHER counter. */
static int
ccp_other_metric(const char *key, char *buf, size_t len)
{
	char *p;
	int n = snprintf(buf, len, "phalanx_ccp_%s_total", key);

	if (n < 0 || (size_t)n >= len)
		return -EINVAL;
	for (p = buf + strlen("phalanx_ccp_"); *p != '\0'; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '_')
			*p = '_';
	return 0;
}

/*
 * Check the CCP counters: non-negative integers whose metric names are
 * taken by nothing else, pstat's counters (mc) included.
 */
static int
check_ccp_metrics(json_t *ccp, const struct metric_cnt *mc, size_t n_mc,
		  char *err, size_t errlen)
{
	char dir[4], label[CELL_LEN], name[METRIC_LEN], other[METRIC_LEN];
	char b[CELL_LEN];
	const char *key, *key2;
	json_t *v, *v2;
	size_t i;
	int rc;

	if ((rc = need_object(ccp, err, errlen)) < 0 ||
	    (rc = check_dict_uints(ccp, "ccp", err, errlen)) < 0)
		return rc;
	json_object_foreach(ccp, key, v) {
		if (ccp_family_of(key, dir, sizeof(dir), label,
				  sizeof(label)) != CCP_OTHER)
			continue;
		if (ccp_other_metric(key, name, sizeof(name)) < 0) {
			snprintf(err, errlen, "CCP counter name \"%s\" is too "
				 "long", clean(key, b, sizeof(b)));
			return -EINVAL;
		}
		for (i = 0; i < CCP_FAMILY_MAX; i++)
			if (ccp_fixed_metrics[i] != NULL &&
			    strcmp(ccp_fixed_metrics[i], name) == 0)
				goto taken;
		for (i = 0; i < n_mc; i++)
			if (strcmp(mc[i].metric, name) == 0)
				goto taken;
		json_object_foreach(ccp, key2, v2) {
			if (key2 == key)
				break;
			if (ccp_family_of(key2, dir, sizeof(dir), label,
					  sizeof(label)) == CCP_OTHER &&
			    ccp_other_metric(key2, other, sizeof(other)) == 0 &&
			    strcmp(other, name) == 0)
				goto taken;
		}
	}
	return 0;
taken:
	snprintf(err, errlen, "CCP counter \"%s\" would be %s, which another "
		 "metric uses already", clean(key, b, sizeof(b)), name);
	return -EINVAL;
}

/* metric{member="m",dir="d"[,lname="lval"]} value */
static void
sample_dir(FILE *out, const char *metric, const char *member,
	   const char *dir, const char *lname, const char *lval, uint64_t v)
{
	fprintf(out, "%s{", metric);
	label(out, "member", member, true);
	if (dir != NULL)
		label(out, "dir", dir, false);
	if (lname != NULL)
		label(out, lname, lval, false);
	fprintf(out, "} %" PRIu64 "\n", v);
}

static void
cluster_metrics(FILE *out, const char *member, const struct cluster_info *ci,
		json_t *ccp)
{
	const struct {
		const char *metric;
		const char *help;
		int64_t value;
	} gauges[] = {
		{ "phalanx_cluster_interfaces_up",
		  "Monitored cluster interfaces that are up", ci->ifs_up },
		{ "phalanx_cluster_interfaces_required",
		  "Cluster interfaces the member requires (SPEC CCP-31)",
		  ci->ifs_required },
		{ "phalanx_cluster_secured_interfaces_up",
		  "Secured (sync) interfaces that are up", ci->sec_up },
		{ "phalanx_cluster_secured_interfaces_required",
		  "Secured (sync) interfaces the member requires",
		  ci->sec_required },
	};
	char dir[4], lab[CELL_LEN], name[METRIC_LEN], help[CELL_LEN * 2];
	bool known = false;
	const char *key;
	json_t *v;
	size_t i;
	int f;

	family(out, "phalanx_cluster_state", "gauge",
	       "1 for the member's cluster state (phx state), 0 for the "
	       "others");
	for (i = 0; i < PHX_DIM(cluster_states); i++) {
		bool cur = strcmp(cluster_states[i], ci->state) == 0;

		known |= cur;
		sample(out, "phalanx_cluster_state", member, NULL, "state",
		       cluster_states[i], cur);
	}
	if (!known)
		sample(out, "phalanx_cluster_state", member, NULL, "state",
		       ci->state, 1);
	family(out, "phalanx_cluster_forwarding", "gauge",
	       "1 while the member forwards traffic (Active or Active "
	       "Attention)");
	sample(out, "phalanx_cluster_forwarding", member, NULL, NULL, NULL,
	       ci->forwarding);
	family(out, "phalanx_cluster_transitions_total", "counter",
	       "Cluster state changes of the member");
	sample(out, "phalanx_cluster_transitions_total", member, NULL, NULL,
	       NULL, (uint64_t)ci->transitions);
	for (i = 0; i < PHX_DIM(gauges); i++) {
		family(out, gauges[i].metric, "gauge", gauges[i].help);
		sample(out, gauges[i].metric, member, NULL, NULL, NULL,
		       (uint64_t)gauges[i].value);
	}

	/* Each family whole, its samples in the member's order. */
	for (f = 0; f < CCP_FAMILY_MAX; f++) {
		bool begun = false;

		json_object_foreach(ccp, key, v) {
			uint64_t u = (uint64_t)json_integer_value(v);

			if ((int)ccp_family_of(key, dir, sizeof(dir), lab,
					       sizeof(lab)) != f)
				continue;
			switch (f) {
			case CCP_FRAMES:
				if (!begun)
					family(out, ccp_fixed_metrics[f],
					       "counter", "CCP frames sent and "
					       "received on the cluster ports");
				sample_dir(out, ccp_fixed_metrics[f], member,
					   dir, NULL, NULL, u);
				break;
			case CCP_MESSAGES:
				if (!begun)
					family(out, ccp_fixed_metrics[f],
					       "counter", "CCP messages sent "
					       "and received, by type");
				sample_dir(out, ccp_fixed_metrics[f], member,
					   dir, "type", lab, u);
				break;
			case CCP_DROPS:
				if (!begun)
					family(out, ccp_fixed_metrics[f],
					       "counter", "CCP frames dropped "
					       "by the decoder, by reason");
				sample_dir(out, ccp_fixed_metrics[f], member,
					   NULL, "reason", lab, u);
				break;
			default:
				ccp_other_metric(key, name, sizeof(name));
				snprintf(help, sizeof(help), "CCP counter %s "
					 "(phx ccpstat)", key);
				for (i = 0; i < PHX_DIM(ccp_help); i++)
					if (strcmp(ccp_help[i].key, key) == 0)
						snprintf(help, sizeof(help),
							 "%s", ccp_help[i].help);
				family(out, name, "counter", help);
				sample(out, name, member, NULL, NULL, NULL, u);
				break;
			}
			begun = true;
		}
	}
}

int
phx_fmt_metrics(FILE *out, const struct phx_fmt_metrics *m, char *err,
		size_t errlen)
{
	struct metric_scope *sc = NULL;
	struct metric_cnt *mc = NULL;
	json_t *rcols[2], *port, *v;
	const char *member, *name, *key;
	size_t n_mc = 0, n_rules = 0, s, i, j;
	struct cluster_info ci;
	bool any_gauges = false;
	int rc;

	/* Pass 1: everything checked before the first line. */
	if (m->n_pstat == 0 || (!m->per_worker && m->n_pstat != 1)) {
		snprintf(err, errlen, "%zu pstat answers", m->n_pstat);
		return -EINVAL;
	}
	if ((rc = need_object(m->version, err, errlen)) < 0 ||
	    (rc = get_str(m->version, NULL, "name", &member, err,
			  errlen)) < 0 ||
	    (rc = check_ports(m->ports, err, errlen)) < 0 ||
	    (rc = check_rules(m->rules, rcols, &n_rules, err, errlen)) < 0)
		return rc;
	sc = calloc(m->n_pstat, sizeof(*sc));
	if (sc == NULL)
		return -ENOMEM;
	for (s = 0; s < m->n_pstat; s++) {
		if ((rc = check_scope(m->pstat[s], m->per_worker, &sc[s], err,
				      errlen)) < 0)
			goto out;
		for (j = 0; j < s; j++)
			if (m->per_worker &&
			    strcmp(sc[j].worker, sc[s].worker) == 0) {
				snprintf(err, errlen, "two answers for worker "
					 "\"%s\"", sc[s].worker);
				rc = -EINVAL;
				goto out;
			}
		any_gauges |= sc[s].g.has;
	}
	if ((rc = union_counters(sc, m->n_pstat, &mc, &n_mc, err,
				 errlen)) < 0)
		goto out;
	if (m->cluster != NULL &&
	    ((rc = check_cluster(m->cluster, &ci, err, errlen)) < 0 ||
	     (rc = check_ccp_metrics(m->ccp, mc, n_mc, err, errlen)) < 0))
		goto out;

	/* Pass 2: the families, each whole. */
	if (any_gauges) {
		family(out, "phalanx_policy_generation", "gauge",
		       "Generation of the running policy (1 at start, +1 per "
		       "successful reload)");
		for (s = 0; s < m->n_pstat && !sc[s].g.has; s++)
			;
		sample(out, "phalanx_policy_generation", member, NULL, NULL,
		       NULL, sc[s].g.generation);
		/* The control lcore holds no sessions: no gauge for it. */
		family(out, "phalanx_sessions", "gauge", "Live sessions");
		for (s = 0; s < m->n_pstat; s++)
			if (sc[s].g.has && (sc[s].worker == NULL ||
					    strcmp(sc[s].worker, "ctl") != 0))
				sample(out, "phalanx_sessions", member,
				       sc[s].worker, NULL, NULL,
				       sc[s].g.sessions);
		family(out, "phalanx_sessions_max", "gauge",
		       "Session table capacity");
		for (s = 0; s < m->n_pstat; s++)
			if (sc[s].g.has && (sc[s].worker == NULL ||
					    strcmp(sc[s].worker, "ctl") != 0))
				sample(out, "phalanx_sessions_max", member,
				       sc[s].worker, NULL, NULL,
				       sc[s].g.sessions_max);
	}
	for (i = 0; i < n_mc; i++) {
		family(out, mc[i].metric, "counter", counter_desc(mc[i].key));
		for (s = 0; s < m->n_pstat; s++) {
			v = json_object_get(sc[s].counters, mc[i].key);
			if (v != NULL)
				sample(out, mc[i].metric, member, sc[s].worker,
				       NULL, NULL,
				       (uint64_t)json_integer_value(v));
		}
	}
	for (s = 0, j = 0; s < m->n_pstat; s++)
		j += json_object_size(sc[s].drops);
	if (j > 0) {
		family(out, "phalanx_drops_total", "counter",
		       "Packets dropped, by reason (docs/counters.md)");
		for (s = 0; s < m->n_pstat; s++)
			json_object_foreach(sc[s].drops, key, v)
				sample(out, "phalanx_drops_total", member,
				       sc[s].worker, "reason", key,
				       (uint64_t)json_integer_value(v));
	}
	if (json_object_size(m->ports) > 0) {
		for (i = 0; i < PHX_DIM(port_metrics); i++) {
			family(out, port_metrics[i].metric, "counter",
			       port_metrics[i].help);
			json_object_foreach(m->ports, name, port)
				sample(out, port_metrics[i].metric, member,
				       NULL, "port", name,
				       (uint64_t)json_integer_value(
					       json_object_get(port,
						port_metrics[i].key)));
		}
		family(out, "phalanx_port_up", "gauge",
		       "1 when the port's link is up");
		json_object_foreach(m->ports, name, port)
			sample(out, "phalanx_port_up", member, NULL, "port",
			       name, strcmp(json_string_value(json_object_get(
				       port, "link")), "up") == 0);
	}
	if (n_rules > 0) {
		family(out, "phalanx_rule_hits_total", "counter",
		       "New flows whose first packet matched the rule; starts "
		       "over when a policy is loaded");
		for (i = 0; i < n_rules; i++)
			sample(out, "phalanx_rule_hits_total", member, NULL,
			       "rule", col_str(rcols[0], i),
			       col_uint(rcols[1], i));
	}
	if (m->cluster != NULL)
		cluster_metrics(out, member, &ci, m->ccp);
	rc = 0;
out:
	free(mc);
	free(sc);
	return rc;
}

/* ---- state synchronisation (SPEC 3, 6.6, 6.7) ---- */

#define SYNC_LABEL_W 47  /* labels dotted out to here, as cphaprob does */
#define SYNC_DISABLED \
	"Sync is DISABLED by configuration (cluster.sync.enabled: false): " \
	"connections will not survive a failover"

/* A counter, or with per the average key / per (0 when per is 0). */
struct sync_line {
	const char *label;
	const char *key;
	const char *per;
};

static const struct sync_line sync_other[] = {
	{ "Sent retransmission requests", "sent_retrans_reqs", NULL },
	{ "Avg missing updates per request", "missing_requested",
	  "sent_retrans_reqs" },
	{ "Old or too-new arriving updates", "old_or_too_new", NULL },
	{ "Unsynced missing updates", "unsynced_missing", NULL },
	{ "Lost sync connection (num of events)", "lost_sync_events", NULL },
	{ "Timed out sync connection", "timed_out_sync", NULL },
};

static const struct sync_line sync_local[] = {
	{ "Total generated updates", "generated", NULL },
	{ "Recv Retransmission requests", "recv_retrans_reqs", NULL },
	{ "Recv Duplicate Retrans request", "recv_dup_retrans_reqs", NULL },
	{ "Blocking Scenarios", "blocking_scenarios", NULL },
	{ "Blocked packets", "blocked_packets", NULL },
	{ "Max length of sending queue", "send_queue_max", NULL },
	{ "Avg length of sending queue", "send_queue_sum",
	  "send_queue_samples" },
	{ "Hold Pkts events", "hold_events", NULL },
	{ "Unhold Pkt events", "unhold_events", NULL },
	{ "Not held due to no members", "not_held_no_members", NULL },
	{ "Max held duration (ticks)", "held_max_ticks", NULL },
	{ "Avg held duration (ticks)", "held_sum_ticks", "unhold_events" },
};

static const struct sync_line sync_timers[] = {
	{ "Sync tick (ms)", "sync_tick_ms", NULL },
	{ "CPHA tick (ms)", "cpha_tick_ms", NULL },
};

static const struct sync_line sync_queues[] = {
	{ "Sending queue size", "send_queue_size", NULL },
	{ "Receiving queue size", "recv_queue_size", NULL },
};

/* phalanx's own, after SPEC's sections. */
static const struct sync_line sync_records[] = {
	{ "Sending queue length now", "send_queue_len", NULL },
	{ "Records sent", "records_sent", NULL },
	{ "Records received", "records_received", NULL },
	{ "Records applied", "records_applied", NULL },
	{ "Records coalesced", "records_coalesced", NULL },
	{ "Records that failed to apply", "apply_failed", NULL },
	{ "Sync events lost", "events_lost", NULL },
};

static const struct {
	const char *title;
	const struct sync_line *lines;
	size_t n;
} sync_sections[] = {
	{ "Other Member Updates:", sync_other, PHX_DIM(sync_other) },
	{ "Local Updates:", sync_local, PHX_DIM(sync_local) },
	{ "Timers:", sync_timers, PHX_DIM(sync_timers) },
	{ "Queues:", sync_queues, PHX_DIM(sync_queues) },
};

/* The counters pstat's section prints. */
static const char *const sync_pstat_keys[] = {
	"tx_frames", "tx_retransmitted", "tx_retrans_reqs", "tx_acks",
	"rx_frames", "rx_queued", "rx_dropped_by_net", "rx_retrans_reqs",
	"rx_acks", "retrans_reqs_illegal", "cb_handled", "cb_delay_sum",
	"cb_max_delay", "dropped_overload", "delta_mem_kb", "pending_held",
	"released_timeout",
};

static int
check_sync_lines(json_t *sync, const struct sync_line *l, size_t n,
		 char *err, size_t errlen)
{
	uint64_t u;
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if ((rc = get_uint(sync, NULL, l[i].key, &u, err,
				   errlen)) < 0 ||
		    (l[i].per != NULL &&
		     (rc = get_uint(sync, NULL, l[i].per, &u, err,
				    errlen)) < 0))
			return rc;
	return 0;
}

/* A checked key's value. */
static uint64_t
sync_u64(json_t *sync, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(sync, key));
}

/* sum / n rounded to the nearest; n > 0. */
static uint64_t
div_round(uint64_t sum, uint64_t n)
{
	return sum / n + (sum % n >= n - sum % n);
}

/* "label....... value" */
static void
dotted(FILE *out, const char *label, const char *value)
{
	static const char dots[SYNC_LABEL_W + 1] =
		"...............................................";
	int n = SYNC_LABEL_W - (int)strlen(label);
	char l[CELL_LEN], v[CELL_LEN];

	fprintf(out, "%s%.*s %s\n", clean(label, l, sizeof(l)), MAX(n, 3),
		dots, clean(value, v, sizeof(v)));
}

static void
sync_lines_print(FILE *out, json_t *sync, const struct sync_line *l,
		 size_t n)
{
	char v[32];
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t u = sync_u64(sync, l[i].key), per;

		if (l[i].per == NULL) {
			snprintf(v, sizeof(v), "%" PRIu64, u);
		} else {
			per = sync_u64(sync, l[i].per);
			if (per == 0)
				snprintf(v, sizeof(v), "0");
			else
				snprintf(v, sizeof(v), "%.1f",
					 (double)u / (double)per);
		}
		dotted(out, l[i].label, v);
	}
}

static const struct phx_fmt_col sync_peer_cols[] = {
	{ "Member", PHX_FMT_LEFT },
	{ "Live", PHX_FMT_LEFT },
	{ "Acked seq", PHX_FMT_RIGHT },
	{ "Lag (ms)", PHX_FMT_RIGHT },
	{ "Expected seq", PHX_FMT_RIGHT },
	{ "Queued", PHX_FMT_RIGHT },
};

/* /phalanx/sync/peers into t: "m<id>" -> {live, acking, acked, lag_ms,
 * rx_started, rx_expected, rx_queued}. */
static int
sync_peers_table(json_t *peers, struct phx_fmt_table *t, char *err,
		 size_t errlen)
{
	const char *key;
	json_t *p;
	int rc;

	if ((rc = need_object(peers, err, errlen)) < 0)
		return rc;
	json_object_foreach(peers, key, p) {
		uint64_t acked, lag, expected, queued;
		json_t *acking;
		char c[4][24];
		bool live, started;
		const char *cells[PHX_DIM(sync_peer_cols)];

		if (key[0] != 'm' || key[1] == '\0' ||
		    strspn(key + 1, "0123456789") != strlen(key + 1) ||
		    strlen(key) > 12)
			return bad(err, errlen, NULL, key,
				   "is not a peer (m<id>)");
		if (!json_is_object(p))
			return bad(err, errlen, NULL, key, "is not an object");
		if ((rc = get_flag(p, key, "live", &live, err, errlen)) < 0 ||
		    (rc = get_uint(p, key, "acked", &acked, err, errlen)) < 0 ||
		    (rc = get_uint(p, key, "lag_ms", &lag, err, errlen)) < 0 ||
		    (rc = get_flag(p, key, "rx_started", &started, err,
				   errlen)) < 0 ||
		    (rc = get_uint(p, key, "rx_expected", &expected, err,
				   errlen)) < 0 ||
		    (rc = get_uint(p, key, "rx_queued", &queued, err,
				   errlen)) < 0)
			return rc;
		snprintf(c[0], sizeof(c[0]), "%" PRIu64, acked);
		snprintf(c[1], sizeof(c[1]), "%" PRIu64, lag);
		if (started)
			snprintf(c[2], sizeof(c[2]), "%" PRIu64, expected);
		else
			snprintf(c[2], sizeof(c[2]), "-");
		snprintf(c[3], sizeof(c[3]), "%" PRIu64, queued);
		cells[0] = key + 1;
		/* "acking" (0: live, but not waited for: no ACK for 1 s,
		 * SPEC CCP-42) is absent from older members */
		acking = json_object_get(p, "acking");
		cells[1] = !live ? "no" : acking != NULL &&
			   json_is_integer(acking) &&
			   json_integer_value(acking) == 0 ? "no ACK" : "yes";
		cells[2] = c[0];
		cells[3] = c[1];
		cells[4] = c[2];
		cells[5] = c[3];
		if (phx_fmt_table_add(t, cells) < 0)
			return -ENOMEM;
	}
	return 0;
}

static const char *
block_text(int64_t block)
{
	return block < 0 ? "disabled" : block == 0 ?
		"not blocking (detection on)" : "BLOCKING new connections";
}

int
phx_fmt_syncstat(FILE *out, json_t *sync, json_t *peers, bool all_drops,
		 char *err, size_t errlen)
{
	struct phx_fmt_table t;
	const char *status, *fs_state, *key;
	uint64_t member, fs_peer, fs_records, fs_ms, u;
	int64_t block;
	json_t *fa, *v;
	bool enabled;
	size_t i, n_drops = 0;
	char b[CELL_LEN];
	int rc;

	if ((rc = need_object(sync, err, errlen)) < 0 ||
	    (rc = get_flag(sync, NULL, "enabled", &enabled, err, errlen)) < 0 ||
	    (rc = get_str(sync, NULL, "status", &status, err, errlen)) < 0 ||
	    (rc = get_uint(sync, NULL, "member", &member, err, errlen)) < 0 ||
	    (rc = get_str(sync, NULL, "full_sync_state", &fs_state, err,
			  errlen)) < 0 ||
	    (rc = get_uint(sync, NULL, "full_sync_peer", &fs_peer, err,
			   errlen)) < 0 ||
	    (rc = get_uint(sync, NULL, "full_sync_records", &fs_records, err,
			   errlen)) < 0 ||
	    (rc = get_uint(sync, NULL, "full_sync_ms", &fs_ms, err,
			   errlen)) < 0 ||
	    (rc = get_int(sync, NULL, "block_new_conns", -1, &block, err,
			  errlen)) < 0 ||
	    (rc = check_sync_lines(sync, sync_records, PHX_DIM(sync_records),
				   err, errlen)) < 0)
		return rc;
	if (block > 1)
		return bad(err, errlen, NULL, "block_new_conns",
			   "is not -1, 0 or 1");
	for (i = 0; i < PHX_DIM(sync_sections); i++)
		if ((rc = check_sync_lines(sync, sync_sections[i].lines,
					   sync_sections[i].n, err,
					   errlen)) < 0)
			return rc;
	fa = json_object_get(sync, "fa_peers");
	if (fa == NULL)
		return bad(err, errlen, NULL, "fa_peers", "is missing");
	if (!json_is_array(fa))
		return bad(err, errlen, NULL, "fa_peers", "is not an array");
	json_array_foreach(fa, i, v)
		if ((rc = uint_of(v, NULL, "fa_peers[]", &u, err,
				  errlen)) < 0)
			return rc;
	json_object_foreach(sync, key, v) {
		if (strncmp(key, "drop_", 5) != 0)
			continue;
		if ((rc = uint_of(v, NULL, key, &u, err, errlen)) < 0)
			return rc;
		n_drops += u != 0 || all_drops;
	}
	phx_fmt_table_init(&t, sync_peer_cols, PHX_DIM(sync_peer_cols));
	if ((rc = sync_peers_table(peers, &t, err, errlen)) < 0)
		goto out;

	/* Checked: print. */
	if (!enabled)
		fputs(SYNC_DISABLED "\n\n", out);
	fputs("Sync Statistics (IDs of F&A Peers - 1):\n ", out);
	json_array_foreach(fa, i, v)
		fprintf(out, " %" PRIu64, (uint64_t)json_integer_value(v));
	fputs(json_array_size(fa) == 0 ? " none\n" : "\n", out);
	for (i = 0; i < PHX_DIM(sync_sections); i++) {
		fprintf(out, "\n%s\n", sync_sections[i].title);
		sync_lines_print(out, sync, sync_sections[i].lines,
				 sync_sections[i].n);
	}

	fputs("\nPhalanx:\n", out);
	snprintf(b, sizeof(b), "%" PRIu64, member);
	dotted(out, "Member ID", b);
	dotted(out, "Status", status);
	if (fs_peer != 0) {
		char s[CELL_LEN], line[CELL_LEN + 80];

		snprintf(line, sizeof(line), "%s (member %" PRIu64 ", %" PRIu64
			 " records, %" PRIu64 " ms)",
			 clean(fs_state, s, sizeof(s)), fs_peer, fs_records,
			 fs_ms);
		dotted(out, "Full sync", line);
	} else {
		dotted(out, "Full sync", fs_state);
	}
	/* join: auto (optional keys: members before it do not send them) */
	{
		json_t *js = json_object_get(sync, "join_state");
		json_t *jd = json_object_get(sync, "join_detail");
		char s[CELL_LEN], d[CELL_LEN], line[2 * CELL_LEN + 8];

		if (json_is_string(js) &&
		    strcmp(json_string_value(js), "off") != 0) {
			clean(json_string_value(js), s, sizeof(s));
			if (json_is_string(jd) && json_string_value(jd)[0])
				snprintf(line, sizeof(line), "%s: %s", s,
					 clean(json_string_value(jd), d,
					       sizeof(d)));
			else
				snprintf(line, sizeof(line), "%s", s);
			dotted(out, "Configuration (join: auto)", line);
		}
	}
	sync_lines_print(out, sync, sync_records, PHX_DIM(sync_records));
	dotted(out, "New connection blocking", block_text(block));

	fputs("\nPeers:\n", out);
	if (t.n_rows == 0)
		fputs("none\n", out);
	else
		phx_fmt_table_print(&t, out);

	fputs("\nDropped sync frames:\n", out);
	json_object_foreach(sync, key, v) {
		u = (uint64_t)json_integer_value(v);
		if (strncmp(key, "drop_", 5) != 0 || (u == 0 && !all_drops))
			continue;
		snprintf(b, sizeof(b), "%" PRIu64, u);
		dotted(out, key, b);
	}
	if (n_drops == 0)
		fputs("none\n", out);
out:
	phx_fmt_table_fini(&t);
	return rc;
}

int
phx_fmt_pstat_sync(FILE *out, json_t *sync, char *err, size_t errlen)
{
	uint64_t c[PHX_DIM(sync_pstat_keys)];
	const char *status;
	char s[CELL_LEN];
	bool enabled;
	size_t i;
	int rc;

	if ((rc = need_object(sync, err, errlen)) < 0 ||
	    (rc = get_flag(sync, NULL, "enabled", &enabled, err, errlen)) < 0 ||
	    (rc = get_str(sync, NULL, "status", &status, err, errlen)) < 0)
		return rc;
	for (i = 0; i < PHX_DIM(sync_pstat_keys); i++)
		if ((rc = get_uint(sync, NULL, sync_pstat_keys[i], &c[i], err,
				   errlen)) < 0)
			return rc;

	/* c[] in sync_pstat_keys' order. */
	fputs("Synchronization:\n", out);
	if (!enabled)
		fputs(SYNC_DISABLED "\n", out);
	fprintf(out, "Version: new\n"
		"Status: %s\n"
		"Sync packets sent:\n"
		" total : %" PRIu64 ", retransmitted : %" PRIu64
		", retrans reqs : %" PRIu64 ", acks : %" PRIu64 "\n"
		"Sync packets received:\n"
		" total : %" PRIu64 ", were queued : %" PRIu64
		", dropped by net : %" PRIu64 "\n"
		" retrans reqs : %" PRIu64 ", received %" PRIu64 " acks\n"
		" retrans reqs for illegal seq : %" PRIu64 "\n",
		clean(status, s, sizeof(s)), c[0], c[1], c[2], c[3], c[4],
		c[5], c[6], c[7], c[8], c[9]);
	if (c[10] != 0) /* the delay comes as a sum */
		fprintf(out, "Callback statistics: handled %" PRIu64 " cb, "
			"average delay : %" PRIu64 ", max delay : %" PRIu64
			"\n", c[10], div_round(c[11], c[10]), c[12]);
	fprintf(out, "dropped updates as a result of sync overload: %" PRIu64
		"\n", c[13]);
	if (c[14] != 0)
		fprintf(out, "Delta Sync memory usage: currently using %"
			PRIu64 " KB mem\n", c[14]);
	if (c[15] != 0)
		fprintf(out, "Number of Pending packets currently held: %"
			PRIu64 "\n", c[15]);
	if (c[16] != 0)
		fprintf(out, "Packets released due to timeout: %" PRIu64 "\n",
			c[16]);
	return 0;
}

/* ---- diff: two members' session tables ---- */

/* 16 hex digits, copied in lower case into out[17]. */
static int
get_digest(json_t *obj, const char *key, char *out, char *err, size_t errlen)
{
	const char *s;
	size_t i;
	int rc;

	out[0] = '\0';
	if ((rc = get_str(obj, NULL, key, &s, err, errlen)) < 0)
		return rc;
	if (strlen(s) != 16 || strspn(s, "0123456789abcdefABCDEF") != 16)
		return bad(err, errlen, NULL, key, "is not 16 hex digits");
	for (i = 0; i <= 16; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	return 0;
}

int
phx_fmt_digest_read(json_t *ans, struct phx_fmt_digest *d, char *err,
		    size_t errlen)
{
	char key[32];
	uint64_t w;
	int rc;

	memset(d, 0, sizeof(*d));
	if ((rc = need_object(ans, err, errlen)) < 0 ||
	    (rc = get_uint(ans, NULL, "workers", &d->workers, err,
			   errlen)) < 0 ||
	    (rc = get_uint(ans, NULL, "sessions", &d->sessions, err,
			   errlen)) < 0 ||
	    (rc = get_digest(ans, "digest", d->digest, err, errlen)) < 0)
		return rc;
	if (d->workers == 0 || d->workers > PHX_FMT_DIGEST_WORKERS)
		return bad(err, errlen, NULL, "workers",
			   "is not a number of workers (1..256)");
	for (w = 0; w < d->workers; w++) {
		snprintf(key, sizeof(key), "w%" PRIu64 "_sessions", w);
		if ((rc = get_uint(ans, NULL, key, &d->w_sessions[w], err,
				   errlen)) < 0)
			return rc;
		snprintf(key, sizeof(key), "w%" PRIu64 "_digest", w);
		if ((rc = get_digest(ans, key, d->w_digest[w], err,
				     errlen)) < 0)
			return rc;
	}
	return 0;
}

bool
phx_fmt_digest_equal(const struct phx_fmt_digest *a,
		     const struct phx_fmt_digest *b)
{
	return a->sessions == b->sessions &&
		strcmp(a->digest, b->digest) == 0;
}

bool
phx_fmt_digest_worker_differs(const struct phx_fmt_digest *a,
			      const struct phx_fmt_digest *b, uint64_t w)
{
	if (a->workers != b->workers || w >= a->workers)
		return true;
	return a->w_sessions[w] != b->w_sessions[w] ||
		strcmp(a->w_digest[w], b->w_digest[w]) != 0;
}

void
phx_fmt_diff_set_init(struct phx_fmt_diff_set *s)
{
	*s = (struct phx_fmt_diff_set){ 0 };
}

void
phx_fmt_diff_set_fini(struct phx_fmt_diff_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->rows[i].key);
	free(s->rows);
	*s = (struct phx_fmt_diff_set){ 0 };
}

/* Keep one session: its key, NAT and state in one allocation. */
static int
diff_keep(struct phx_fmt_diff_set *s, const char *proto, const char *orig,
	  const char *nat, const char *state, uint64_t worker, bool skip)
{
	size_t lk = strlen(proto) + 1 + strlen(orig), ln = strlen(nat);
	size_t ls = strlen(state);
	struct phx_fmt_diff_row *r;
	char *mem;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;

		if (cap > SIZE_MAX / sizeof(*r))
			return -ENOMEM;
		r = realloc(s->rows, cap * sizeof(*r));
		if (r == NULL)
			return -ENOMEM;
		s->rows = r;
		s->cap = cap;
	}
	mem = malloc(lk + 1 + ln + 1 + ls + 1);
	if (mem == NULL)
		return -ENOMEM;
	r = &s->rows[s->n++];
	snprintf(mem, lk + 1, "%s %s", proto, orig);
	r->key = mem;
	r->nat = memcpy(mem + lk + 1, nat, ln + 1);
	r->state = memcpy(mem + lk + 1 + ln + 1, state, ls + 1);
	r->worker = worker;
	r->skip = skip;
	s->skipped += skip;
	return 0;
}

int
phx_fmt_diff_set_add(struct phx_fmt_diff_set *s, json_t *page,
		     uint64_t worker, uint64_t from, int64_t *next,
		     uint64_t *workers, char *err, size_t errlen)
{
	static const struct col_spec flags_spec[] = { { "flags", COL_UINT } };
	struct conn_page p;
	json_t *flags = NULL;
	size_t n_flags, i;
	int rc;

	*next = -1;
	*workers = 0;
	if ((rc = conn_page_check(page, worker, from, s->workers, &p, err,
				  errlen)) < 0)
		return rc;
	if (json_object_get(page, "flags") != NULL) {
		if ((rc = get_columns(page, flags_spec, 1, &flags, &n_flags,
				      err, errlen)) < 0)
			return rc;
		if (n_flags != p.n) {
			snprintf(err, errlen, "\"flags\" has %zu entries, "
				 "\"rows\" says %zu", n_flags, p.n);
			return -EINVAL;
		}
	} else {
		s->no_flags = true;
	}

	s->workers = p.workers;
	*next = p.next;
	*workers = p.workers;
	for (i = 0; i < p.n; i++) {
		uint64_t f = flags != NULL ? col_uint(flags, i) : 0;

		/* conn_specs: proto 1, orig 2, nat 4, state 5 */
		if ((rc = diff_keep(s, col_str(p.cols[1], i),
				    col_str(p.cols[2], i),
				    col_str(p.cols[4], i),
				    col_str(p.cols[5], i), worker,
				    (f & (PHX_FMT_SESS_F_NOSYNC |
					  PHX_FMT_SESS_F_DELAYED)) != 0)) < 0)
			return rc;
	}
	return 0;
}

static int
diff_row_cmp(const void *x, const void *y)
{
	const struct phx_fmt_diff_row *a = x, *b = y;

	return strcmp(a->key, b->key);
}

static int
diff_note(struct phx_fmt_diff *d, enum phx_fmt_diff_kind kind,
	  const struct phx_fmt_diff_row *a, const struct phx_fmt_diff_row *b)
{
	if (d->n_items == d->cap_items) {
		size_t cap = d->cap_items ? d->cap_items * 2 : 64;
		struct phx_fmt_diff_item *it;

		if (cap > SIZE_MAX / sizeof(*it))
			return -ENOMEM;
		it = realloc(d->items, cap * sizeof(*it));
		if (it == NULL)
			return -ENOMEM;
		d->items = it;
		d->cap_items = cap;
	}
	d->items[d->n_items++] = (struct phx_fmt_diff_item){ kind, a, b };
	d->count[kind]++;
	return 0;
}

int
phx_fmt_diff_compare(struct phx_fmt_diff_set *a, struct phx_fmt_diff_set *b,
		     struct phx_fmt_diff *d)
{
	size_t i = 0, j = 0;
	int rc = 0;

	*d = (struct phx_fmt_diff){ 0 };
	if (a->n > 1)
		qsort(a->rows, a->n, sizeof(*a->rows), diff_row_cmp);
	if (b->n > 1)
		qsort(b->rows, b->n, sizeof(*b->rows), diff_row_cmp);
	/* Merge the two sorted lists. */
	while (rc == 0 && (i < a->n || j < b->n)) {
		const struct phx_fmt_diff_row *ra, *rb;
		int c = i == a->n ? 1 : j == b->n ? -1 :
			strcmp(a->rows[i].key, b->rows[j].key);

		if (c < 0) {
			ra = &a->rows[i++];
			if (!ra->skip)
				rc = diff_note(d, PHX_FMT_DIFF_ONLY_A, ra,
					       NULL);
			continue;
		}
		if (c > 0) {
			rb = &b->rows[j++];
			if (!rb->skip)
				rc = diff_note(d, PHX_FMT_DIFF_ONLY_B, NULL,
					       rb);
			continue;
		}
		ra = &a->rows[i++];
		rb = &b->rows[j++];
		if (ra->skip || rb->skip)
			continue;
		if (strcmp(ra->nat, rb->nat) != 0)
			rc = diff_note(d, PHX_FMT_DIFF_NAT, ra, rb);
		if (rc == 0 && strcmp(ra->state, rb->state) != 0)
			rc = diff_note(d, PHX_FMT_DIFF_STATE, ra, rb);
		if (strcmp(ra->nat, rb->nat) == 0 &&
		    strcmp(ra->state, rb->state) == 0)
			d->same++;
	}
	return rc;
}

void
phx_fmt_diff_fini(struct phx_fmt_diff *d)
{
	free(d->items);
	*d = (struct phx_fmt_diff){ 0 };
}

/* Each kind's line prefix and JSON key. */
static const struct {
	const char *text;
	const char *key;
} diff_kinds[PHX_FMT_DIFF_MAX] = {
	[PHX_FMT_DIFF_ONLY_A] = { "only on A", "only_a" },
	[PHX_FMT_DIFF_ONLY_B] = { "only on B", "only_b" },
	[PHX_FMT_DIFF_NAT] = { "NAT differs", "nat" },
	[PHX_FMT_DIFF_STATE] = { "state differs", "state" },
};

static void
diff_item_print(FILE *out, const struct phx_fmt_diff_item *it)
{
	const struct phx_fmt_diff_row *r = it->a != NULL ? it->a : it->b;
	char k[CELL_LEN], x[CELL_LEN], y[CELL_LEN];

	clean(r->key, k, sizeof(k));
	switch (it->kind) {
	case PHX_FMT_DIFF_NAT:
		fprintf(out, "%s: A=[%s] B=[%s]  %s\n",
			diff_kinds[it->kind].text,
			it->a->nat[0] ? clean(it->a->nat, x, sizeof(x)) : "none",
			it->b->nat[0] ? clean(it->b->nat, y, sizeof(y)) : "none",
			k);
		break;
	case PHX_FMT_DIFF_STATE:
		fprintf(out, "%s: A=%s B=%s  %s\n", diff_kinds[it->kind].text,
			clean(it->a->state, x, sizeof(x)),
			clean(it->b->state, y, sizeof(y)), k);
		break;
	default:
		fprintf(out, "%s: %s  %s%s%s  worker %" PRIu64 "\n",
			diff_kinds[it->kind].text, k,
			clean(r->state, x, sizeof(x)), r->nat[0] ? "  " : "",
			clean(r->nat, y, sizeof(y)), r->worker);
	}
}

void
phx_fmt_diff_print(FILE *out, const struct phx_fmt_diff *d, size_t limit)
{
	uint64_t hidden = 0;
	unsigned k;
	size_t i;

	/* Kind by kind, each in key order. */
	for (k = 0; k < PHX_FMT_DIFF_MAX; k++) {
		size_t shown = 0;

		for (i = 0; i < d->n_items; i++) {
			if (d->items[i].kind != k)
				continue;
			if (limit != 0 && shown >= limit) {
				hidden++;
				continue;
			}
			diff_item_print(out, &d->items[i]);
			shown++;
		}
	}
	if (hidden != 0)
		fprintf(out, "(%" PRIu64 " more not shown: --limit %zu per "
			"kind)\n", hidden, limit);
	fprintf(out, "differ: %" PRIu64 " only on A, %" PRIu64 " only on B, %"
		PRIu64 " NAT mismatches, %" PRIu64 " state mismatches\n",
		d->count[PHX_FMT_DIFF_ONLY_A], d->count[PHX_FMT_DIFF_ONLY_B],
		d->count[PHX_FMT_DIFF_NAT], d->count[PHX_FMT_DIFF_STATE]);
}

static json_t *
diff_item_json(const struct phx_fmt_diff_item *it)
{
	const struct phx_fmt_diff_row *r = it->a != NULL ? it->a : it->b;

	switch (it->kind) {
	case PHX_FMT_DIFF_NAT:
		return json_pack("{s:s,s:s,s:s}", "key", r->key, "a",
				 it->a->nat, "b", it->b->nat);
	case PHX_FMT_DIFF_STATE:
		return json_pack("{s:s,s:s,s:s}", "key", r->key, "a",
				 it->a->state, "b", it->b->state);
	default:
		return json_pack("{s:s,s:s,s:s,s:I}", "key", r->key, "nat",
				 r->nat, "state", r->state, "worker",
				 (json_int_t)r->worker);
	}
}

json_t *
phx_fmt_diff_json(const struct phx_fmt_diff *d, size_t limit)
{
	json_t *j = json_object(), *count = json_object();
	json_t *lists[PHX_FMT_DIFF_MAX] = { 0 };
	unsigned k;
	size_t i;
	bool ok = j != NULL && count != NULL &&
		json_object_set(j, "count", count) == 0;

	for (k = 0; ok && k < PHX_FMT_DIFF_MAX; k++) {
		lists[k] = json_array();
		ok = lists[k] != NULL &&
			json_object_set(j, diff_kinds[k].key, lists[k]) == 0 &&
			json_object_set_new(count, diff_kinds[k].key,
					    json_integer((json_int_t)
							 d->count[k])) == 0;
	}
	for (i = 0; ok && i < d->n_items; i++) {
		json_t *l = lists[d->items[i].kind];

		if (limit == 0 || json_array_size(l) < limit)
			ok = json_array_append_new(l, diff_item_json(
							   &d->items[i])) == 0;
	}
	ok = ok && json_object_set_new(j, "same", json_integer(
					       (json_int_t)d->same)) == 0;
	for (k = 0; k < PHX_FMT_DIFF_MAX; k++)
		json_decref(lists[k]);
	json_decref(count);
	if (!ok) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* ---- phx doctor: sync health (SPEC 6.6 thresholds, OPS-05) ---- */

struct doc {
	json_t *checks;   /* array of {"level", "text"} */
	int rc;           /* -ENOMEM once an append failed */
};

static void __attribute__((format(printf, 3, 4)))
doc_add(struct doc *d, const char *level, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	json_t *c;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	c = json_pack("{s:s,s:s}", "level", level, "text", text);
	if (c == NULL || json_array_append_new(d->checks, c) != 0)
		d->rc = -ENOMEM;
}

#define DOC_OK      "ok"
#define DOC_WARN    "warning"
#define DOC_PROBLEM "problem"

/* a / b > num / den, without floating point (b 0: never) */
static bool
over(uint64_t a, uint64_t b, uint64_t num, uint64_t den)
{
	return b != 0 && a * den > b * num;
}

/* The member table: peers not heard, and what makes sync fail (OPS-05:
 * a different sync MTU, a configuration the guard refuses). */
static int
doc_members(struct doc *d, json_t *members, char *err, size_t errlen)
{
	const char *key, *state, *differs;
	uint64_t id, local, stale;
	unsigned peers = 0;
	json_t *m;
	int rc;

	if ((rc = need_object(members, err, errlen)) < 0)
		return rc;
	json_object_foreach(members, key, m) {
		if ((rc = get_uint(m, key, "id", &id, err, errlen)) < 0 ||
		    (rc = get_uint(m, key, "local", &local, err, errlen)) < 0 ||
		    (rc = get_str(m, key, "state", &state, err, errlen)) < 0 ||
		    (rc = get_uint(m, key, "cfg_stale", &stale, err,
				   errlen)) < 0 ||
		    (rc = get_str(m, key, "differs", &differs, err,
				  errlen)) < 0)
			return rc;
		if (local)
			continue;
		peers++;
		if (strcmp(state, "LOST") == 0)
			doc_add(d, DOC_WARN, "member %" PRIu64 " is not heard "
				"(Lost): nothing is synced with it", id);
		if (stale)
			doc_add(d, DOC_PROBLEM, "member %" PRIu64 " runs a "
				"different configuration: it refuses to "
				"become active (phx state)", id);
		if (strstr(differs, "sync_mtu") != NULL)
			doc_add(d, DOC_PROBLEM, "member %" PRIu64 "'s sync port "
				"MTU differs from this member's: large frames "
				"are lost under load (OPS-05)", id);
		if (strstr(differs, "version") != NULL)
			doc_add(d, DOC_WARN, "member %" PRIu64 " runs another "
				"phalanx or sync version (%s)", id, differs);
	}
	if (peers == 0)
		doc_add(d, DOC_WARN, "no other member is configured");
	return 0;
}

/* Each peer's stream: heard, acknowledging, not lagging. */
static int
doc_peers(struct doc *d, json_t *peers, char *err, size_t errlen)
{
	uint64_t live, acking, lag;
	const char *key;
	json_t *p;
	int rc;

	if ((rc = need_object(peers, err, errlen)) < 0)
		return rc;
	json_object_foreach(peers, key, p) {
		const char *id = key[0] == 'm' ? key + 1 : key;

		if ((rc = get_uint(p, key, "live", &live, err, errlen)) < 0)
			return rc;
		if (!live)
			continue;           /* said with the member table */
		if ((rc = get_uint(p, key, "acking", &acking, err,
				   errlen)) < 0 ||
		    (rc = get_uint(p, key, "lag_ms", &lag, err, errlen)) < 0)
			return rc;
		if (!acking)
			doc_add(d, DOC_PROBLEM, "member %s does not acknowledge "
				"this member's updates (SYNC-44: it is left "
				"out of the F&A peers)", id);
		else if (lag > 1000)
			doc_add(d, DOC_WARN, "member %s acknowledges %" PRIu64
				" ms behind", id, lag);
		else
			doc_add(d, DOC_OK, "member %s is in sync (acknowledges "
				"within %" PRIu64 " ms)", id, lag);
	}
	return 0;
}

/* The counters of cphaprob syncstat against SPEC 6.6's healthy ranges. */
static int
doc_counters(struct doc *d, json_t *s, char *err, size_t errlen)
{
	static const char *const keys[] = {
		"sent_retrans_reqs", "missing_requested", "old_or_too_new",
		"unsynced_missing", "lost_sync_events", "timed_out_sync",
		"generated", "recv_retrans_reqs", "recv_dup_retrans_reqs",
		"blocking_scenarios", "blocked_packets", "send_queue_max",
		"send_queue_sum", "send_queue_samples", "send_queue_size",
		"hold_events", "unhold_events", "not_held_no_members",
		"held_max_ticks", "rx_frames", "events_lost", "apply_failed",
	};
	enum { SENT_RR, MISSING, OLD, UNSYNCED, LOST, TIMED_OUT, GEN, RECV_RR,
	       RECV_DUP, BLOCKING, BLOCKED, SQ_MAX, SQ_SUM, SQ_SAMPLES,
	       SQ_SIZE, HOLD, UNHOLD, NOT_HELD, HELD_MAX, RX_FRAMES,
	       EV_LOST, APPLY_FAILED };
	uint64_t v[PHX_DIM(keys)];
	unsigned i, before = (unsigned)json_array_size(d->checks);
	const char *key;
	char drops[160];
	size_t n = 0;
	json_t *x;
	int rc;

	for (i = 0; i < PHX_DIM(keys); i++)
		if ((rc = get_uint(s, NULL, keys[i], &v[i], err, errlen)) < 0)
			return rc;
	if (over(v[MISSING], v[SENT_RR], 20, 1))
		doc_add(d, DOC_PROBLEM, "%" PRIu64 " updates missing per "
			"retransmission request on average (more than 20: a "
			"communication problem, SPEC 6.6)",
			v[MISSING] / v[SENT_RR]);
	/* SPEC 6.6 measures these against the peers' updates sent; this
	 * member knows the sync frames it received (ACK-only ones
	 * included), which can only make the ratios look better */
	if (over(v[OLD], v[RX_FRAMES], 1, 10))
		doc_add(d, DOC_PROBLEM, "%" PRIu64 " updates arrived too old or "
			"too new (over 10%% of the %" PRIu64 " sync frames "
			"received): grow cluster.sync.recv_queue", v[OLD],
			v[RX_FRAMES]);
	if (v[UNSYNCED] != 0)
		doc_add(d, over(v[UNSYNCED], v[RX_FRAMES], 1, 100) ?
			DOC_PROBLEM : DOC_WARN, "%" PRIu64 " missing updates "
			"were given up (unsynced; tolerable below 1%% of the %"
			PRIu64 " sync frames received): grow "
			"cluster.sync.recv_queue, and compare the tables with "
			"phx diff", v[UNSYNCED], v[RX_FRAMES]);
	if (v[LOST] != 0)
		doc_add(d, DOC_PROBLEM, "sync with a peer was lost and regained "
			"%" PRIu64 " times: a communication problem", v[LOST]);
	if (v[TIMED_OUT] != 0)
		doc_add(d, DOC_PROBLEM, "a peer was timed out %" PRIu64 " times "
			"(no ACK for 1 s while packets were held for it)",
			v[TIMED_OUT]);
	if (over(v[RECV_RR], v[GEN], 3, 10))
		doc_add(d, DOC_PROBLEM, "peers asked again for %" PRIu64 " of %"
			PRIu64 " updates sent (over 30%%)", v[RECV_RR], v[GEN]);
	if (over(v[RECV_DUP], v[RECV_RR], 3, 10))
		doc_add(d, DOC_PROBLEM, "%" PRIu64 " of %" PRIu64 " requests "
			"received were duplicates (over 30%%: a network "
			"problem or a storm on sync)", v[RECV_DUP], v[RECV_RR]);
	if (v[BLOCKING] != 0)
		doc_add(d, DOC_WARN, "new connections were blocked %" PRIu64
			" times for sync load (%" PRIu64 " packets): an "
			"overload", v[BLOCKING], v[BLOCKED]);
	if (v[SQ_SIZE] != 0 && v[SQ_MAX] >= v[SQ_SIZE])
		doc_add(d, DOC_PROBLEM, "the sending queue filled (%" PRIu64
			" of %" PRIu64 "): requests for older updates cannot "
			"be served; grow cluster.sync.send_queue", v[SQ_MAX],
			v[SQ_SIZE]);
	else if (v[SQ_SAMPLES] != 0 &&
		 over(v[SQ_SUM], v[SQ_SAMPLES] * v[SQ_SIZE], 8, 10))
		doc_add(d, DOC_WARN, "the sending queue is more than 80%% full "
			"on average: grow cluster.sync.send_queue");
	if (v[HOLD] > v[UNHOLD] + 1)
		doc_add(d, DOC_WARN, "%" PRIu64 " holds for acknowledgement "
			"but %" PRIu64 " releases", v[HOLD], v[UNHOLD]);
	if (v[NOT_HELD] != 0)
		doc_add(d, DOC_WARN, "%" PRIu64 " packets were not held for "
			"want of a live peer", v[NOT_HELD]);
	if (v[HELD_MAX] >= 50)
		doc_add(d, DOC_PROBLEM, "a packet was held %" PRIu64 " ticks "
			"(5 s or more) for acknowledgement", v[HELD_MAX]);
	if (v[EV_LOST] != 0)
		doc_add(d, DOC_PROBLEM, "%" PRIu64 " session changes were never "
			"shipped (the workers' event rings were full)",
			v[EV_LOST]);
	if (v[APPLY_FAILED] != 0)
		doc_add(d, DOC_PROBLEM, "%" PRIu64 " received updates were not "
			"applied (the workers' rings were full)",
			v[APPLY_FAILED]);
	drops[0] = '\0';
	json_object_foreach(s, key, x) {
		if (strncmp(key, "drop_", 5) != 0 || !json_is_integer(x) ||
		    json_integer_value(x) <= 0)
			continue;
		n += (size_t)snprintf(drops + n, n < sizeof(drops) ?
				      sizeof(drops) - n : 0, "%s%s %" PRId64,
				      n != 0 ? ", " : "", key + 5,
				      (int64_t)json_integer_value(x));
		if (n >= sizeof(drops))
			n = sizeof(drops);
	}
	if (drops[0] != '\0')
		doc_add(d, DOC_WARN, "sync frames dropped: %s", drops);
	if (json_array_size(d->checks) == before)
		doc_add(d, DOC_OK, "no counter outside SPEC 6.6's healthy "
			"ranges");
	return 0;
}

int
phx_fmt_doctor(json_t *cluster, json_t *members, json_t *sync, json_t *peers,
	       json_t **checks, char *err, size_t errlen)
{
	const char *state, *fs_state, *status;
	uint64_t hello, dead_count, late, fs_peer;
	struct doc d = { json_array(), 0 };
	bool on;
	int rc;

	*checks = NULL;
	if (d.checks == NULL)
		return -ENOMEM;
	if ((rc = need_object(cluster, err, errlen)) < 0 ||
	    (rc = get_str(cluster, NULL, "state", &state, err, errlen)) < 0 ||
	    (rc = get_uint(cluster, NULL, "hello_ms", &hello, err,
			   errlen)) < 0 ||
	    (rc = get_uint(cluster, NULL, "dead_count", &dead_count, err,
			   errlen)) < 0 ||
	    (rc = get_uint(cluster, NULL, "late_pass_max_ms", &late, err,
			   errlen)) < 0)
		goto fail;
	if (strcmp(state, "ACTIVE") == 0 || strcmp(state, "STANDBY") == 0)
		doc_add(&d, DOC_OK, "member state %s", state);
	else
		doc_add(&d, DOC_WARN, "member state %s (phx state says why)",
			state);
	if (late > hello * dead_count)
		doc_add(&d, DOC_WARN, "the control loop once went %" PRIu64
			" ms without a pass (peers count a member lost after "
			"%" PRIu64 " ms): its CPU is shared or overloaded",
			late, hello * dead_count);
	if ((rc = doc_members(&d, members, err, errlen)) < 0)
		goto fail;
	if ((rc = need_object(sync, err, errlen)) < 0 ||
	    (rc = get_flag(sync, NULL, "enabled", &on, err, errlen)) < 0)
		goto fail;
	if (!on) {
		/* OPS-05 root cause 1 */
		doc_add(&d, DOC_PROBLEM, "state sync is disabled "
			"(cluster.sync.enabled: false): connections will not "
			"survive a failover");
		*checks = d.checks;
		return d.rc;
	}
	if ((rc = get_str(sync, NULL, "status", &status, err, errlen)) < 0 ||
	    (rc = get_str(sync, NULL, "full_sync_state", &fs_state, err,
			  errlen)) < 0 ||
	    (rc = get_uint(sync, NULL, "full_sync_peer", &fs_peer, err,
			   errlen)) < 0)
		goto fail;
	if (strcmp(fs_state, "done") == 0 || strcmp(fs_state, "not_needed") == 0)
		doc_add(&d, DOC_OK, "full sync %s", strcmp(fs_state, "done") ?
			"not needed (no peer had sessions to give)" : "done");
	else if (strcmp(fs_state, "timed_out") == 0 ||
		 strcmp(fs_state, "handshake_failed") == 0)
		doc_add(&d, DOC_PROBLEM, "full sync %s (member %" PRIu64 "): "
			"this member's table may lack sessions", fs_state,
			fs_peer);
	else
		doc_add(&d, DOC_WARN, "full sync not finished (%s)", fs_state);
	if ((rc = doc_peers(&d, peers, err, errlen)) < 0 ||
	    (rc = doc_counters(&d, sync, err, errlen)) < 0)
		goto fail;
	(void)status;
	*checks = d.checks;
	return d.rc;
fail:
	json_decref(d.checks);
	return rc;
}

int
phx_fmt_doctor_print(FILE *out, json_t *checks, unsigned *warnings,
		     unsigned *problems)
{
	json_t *c;
	size_t i;

	*warnings = *problems = 0;
	json_array_foreach(checks, i, c) {
		const char *level = json_string_value(json_object_get(c,
								"level"));
		const char *text = json_string_value(json_object_get(c,
								"text"));

		if (level == NULL || text == NULL)
			return -EINVAL;
		if (strcmp(level, DOC_PROBLEM) == 0)
			(*problems)++;
		else if (strcmp(level, DOC_WARN) == 0)
			(*warnings)++;
		if (out != NULL)
			fprintf(out, "%-8s %s\n",
				strcmp(level, DOC_PROBLEM) == 0 ? "PROBLEM" :
								  level, text);
	}
	if (out == NULL)
		return 0;
	if (*problems != 0)
		fprintf(out, "\nVerdict: %u problem%s, %u warning%s: see "
			"above; phx syncstat has every counter\n", *problems,
			*problems == 1 ? "" : "s", *warnings,
			*warnings == 1 ? "" : "s");
	else if (*warnings != 0)
		fprintf(out, "\nVerdict: healthy, %u warning%s\n", *warnings,
			*warnings == 1 ? "" : "s");
	else
		fprintf(out, "\nVerdict: healthy\n");
	return 0;
}
