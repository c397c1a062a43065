/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Critical-device registry (lib/pnote.h; SPEC CCP-70..76, CLI-30/40).
 *
 * Two fixed arrays: the built-ins (enum phx_pnote_builtin) and 16 operator
 * slots, slot i holding registration number PHX_PNOTE_FIRST_REGNO + i, so
 * a new device takes the lowest free number and keeps it until it is
 * unregistered. 16 + 4 entries make a linear scan cheaper than any index;
 * the registry is touched a few times a second at most.
 *
 * A device's effective status is its reported status, or PROBLEM once its
 * timeout has run out (expired), until the next report (CCP-72). Keeping
 * the reported status apart from the expiry lets the listing show what the
 * device last said and lets a report clear the expiry in one place.
 */
#include "lib/pnote.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/compiler.h"

#define US_PER_S 1000000ull

const char *const phx_pnote_status_names[PHX_PNOTE_STATUS_MAX] = {
	[PHX_PNOTE_OK] = "OK",
	[PHX_PNOTE_INIT] = "init",
	[PHX_PNOTE_PROBLEM] = "problem",
};

const char *const phx_pnote_builtin_names[PHX_PNOTE_BI_MAX] = {
	[PHX_PNOTE_BI_IFACE] = "Interface Active Check",
	[PHX_PNOTE_BI_SYNC] = "Synchronization",
	[PHX_PNOTE_BI_FILTER] = "Filter",
	[PHX_PNOTE_BI_WORKERS] = "Workers",
};

struct dev {
	bool used;                      /* slot holds a device */
	bool expired;                   /* timeout ran out since the last
					 * report: effective status PROBLEM */
	bool persistent;                /* registered with -p */
	enum phx_pnote_status init_st;  /* status it was registered with */
	enum phx_pnote_status status;   /* as last reported */
	uint32_t timeout_s;             /* 0 = none */
	uint64_t reported_at;           /* us, last report/registration */
	char name[PHX_PNOTE_LABEL_LEN];
};

struct phx_pnote {
	uint8_t member_id;                       /* for log lines */
	char ip[PHX_PNOTE_IP_LEN];               /* for log lines */
	struct dev bi[PHX_PNOTE_BI_MAX];         /* built-ins, enum order */
	struct dev reg[PHX_PNOTE_MAX_REGISTERED]; /* slot i = # FIRST + i */
};

/* Scratch used when the caller passes out == NULL. */
struct out_ctx {
	struct phx_pnote_out *o;
	enum phx_pnote_status agg_before;
	char culprit_before[PHX_PNOTE_LABEL_LEN];
};

static enum phx_pnote_status
eff(const struct dev *d)
{
	return d->expired ? PHX_PNOTE_PROBLEM : d->status;
}

static bool
status_ok(enum phx_pnote_status st)
{
	return (unsigned)st < PHX_PNOTE_STATUS_MAX;
}

/* Built-in id of d, or -1 for an operator slot. */
static int
bi_index(const struct phx_pnote *r, const struct dev *d)
{
	if (d >= r->bi && d < r->bi + PHX_PNOTE_BI_MAX)
		return (int)(d - r->bi);
	return -1;
}

/* Registration number of d (CLI-30), -1 for the Interface Active Check. */
static int
regno(const struct phx_pnote *r, const struct dev *d)
{
	int b = bi_index(r, d);

	if (b == PHX_PNOTE_BI_IFACE)
		return -1;
	if (b > 0)
		return b - 1;
	return PHX_PNOTE_FIRST_REGNO + (int)(d - r->reg);
}

static void
out_begin(struct out_ctx *c, const struct phx_pnote *r,
	  struct phx_pnote_out *o)
{
	c->o = o;
	c->agg_before = phx_pnote_aggregate(r, c->culprit_before);
	if (o != NULL) {
		o->n_logs = 0;
		o->err[0] = '\0';
		o->agg_changed = false;
		o->agg = c->agg_before;
		o->culprit[0] = '\0';
	}
}

static void
out_end(struct out_ctx *c, const struct phx_pnote *r)
{
	struct phx_pnote_out *o = c->o;

	if (o == NULL)
		return;
	o->agg = phx_pnote_aggregate(r, o->culprit);
	/* another device to blame is a change too: the member's reason
	 * (phx state, its Down line) names it */
	o->agg_changed = o->agg != c->agg_before ||
			 strcmp(o->culprit, c->culprit_before) != 0;
}

static void __attribute__((format(printf, 2, 3)))
out_err(struct out_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->o == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(c->o->err, sizeof(c->o->err), fmt, ap);
	va_end(ap);
}

/* The CCP-76 line for device d now in status st. */
static void
out_log(struct out_ctx *c, const struct phx_pnote *r, const struct dev *d,
	enum phx_pnote_status st, const char *reason)
{
	struct phx_pnote_out *o = c->o;
	char *line;
	size_t len;

	if (o == NULL || o->n_logs >= PHX_PNOTE_OUT_MAX)
		return;
	line = o->logs[o->n_logs++];
	len = sizeof(o->logs[0]);
	switch (st) {
	case PHX_PNOTE_OK:
		snprintf(line, len, "%s on member %u (%s) status OK (%s).",
			 d->name, r->member_id, r->ip, reason);
		break;
	case PHX_PNOTE_PROBLEM:
		snprintf(line, len,
			 "%s on member %u (%s) detected a problem (%s).",
			 d->name, r->member_id, r->ip, reason);
		break;
	case PHX_PNOTE_INIT:
		snprintf(line, len,
			 "%s on member %u (%s) is initializing (%s).",
			 d->name, r->member_id, r->ip, reason);
		break;
	default:
		/* unreachable: statuses are checked on entry */
		snprintf(line, len,
			 "%s on member %u (%s) is in an unknown state (%d) (%s).",
			 d->name, r->member_id, r->ip, (int)st, reason);
		break;
	}
}

/* 1..15 printable ASCII characters, none of them a space (CCP-71). */
/* Copy a device name (validated or built-in, shorter than the field). */
static void
copy_name(char dst[PHX_PNOTE_LABEL_LEN], const char *src)
{
	size_t n = strnlen(src, PHX_PNOTE_LABEL_LEN - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool
name_valid(const char *name)
{
	size_t n;

	if (name == NULL)
		return false;
	for (n = 0; name[n] != '\0'; n++) {
		if (n >= PHX_PNOTE_NAME_MAX)
			return false;
		if ((unsigned char)name[n] <= 0x20 ||
		    (unsigned char)name[n] >= 0x7f)
			return false;
	}
	return n > 0;
}

static struct dev *
find(struct phx_pnote *r, const char *name)
{
	unsigned i;

	for (i = 0; i < PHX_PNOTE_BI_MAX; i++)
		if (strcmp(r->bi[i].name, name) == 0)
			return &r->bi[i];
	for (i = 0; i < PHX_PNOTE_MAX_REGISTERED; i++)
		if (r->reg[i].used && strcmp(r->reg[i].name, name) == 0)
			return &r->reg[i];
	return NULL;
}

static struct dev *
free_slot(struct phx_pnote *r)
{
	unsigned i;

	for (i = 0; i < PHX_PNOTE_MAX_REGISTERED; i++)
		if (!r->reg[i].used)
			return &r->reg[i];
	return NULL;
}

struct phx_pnote *
phx_pnote_create(const struct phx_pnote_params *p, uint64_t now)
{
	struct phx_pnote *r;
	unsigned i;

	if (p == NULL) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->member_id = p->member_id;
	snprintf(r->ip, sizeof(r->ip), "%s", p->ip);
	for (i = 0; i < PHX_PNOTE_BI_MAX; i++) {
		struct dev *d = &r->bi[i];

		d->used = true;
		d->status = PHX_PNOTE_INIT;
		d->timeout_s = p->builtin_timeout_s[i];
		d->reported_at = now;
		copy_name(d->name, phx_pnote_builtin_names[i]);
	}
	return r;
}

void
phx_pnote_free(struct phx_pnote *r)
{
	free(r);
}

/* Checks shared by register and register_file; 0 or -errno with err. */
static int
check_new(struct out_ctx *c, struct phx_pnote *r, const char *name,
	  enum phx_pnote_status st)
{
	const struct dev *d;

	if (!name_valid(name)) {
		out_err(c, "pnote: invalid device name '%s': 1 to %d "
			"printable characters, no spaces",
			name != NULL ? name : "", PHX_PNOTE_NAME_MAX);
		return -EINVAL;
	}
	if (!status_ok(st)) {
		out_err(c, "pnote: invalid status %d for %s", (int)st, name);
		return -EINVAL;
	}
	d = find(r, name);
	if (d != NULL) {
		out_err(c, "FW-1: fwha_pnote_register: %s already registered "
			"(# %d)", name, regno(r, d));
		return -EEXIST;
	}
	return 0;
}

static void
commit_new(struct out_ctx *c, struct phx_pnote *r, struct dev *d,
	   const char *name, uint32_t timeout_s, enum phx_pnote_status st,
	   bool persistent, uint64_t now)
{
	/* commit */
	d->used = true;
	d->expired = false;
	d->persistent = persistent;
	d->init_st = st;
	d->status = st;
	d->timeout_s = timeout_s;
	d->reported_at = now;
	copy_name(d->name, name);
	out_log(c, r, d, st, "registered");
}

#define ERR_TOO_MANY \
	"FW-1: fwha_pnote_register: too many registering members, " \
	"cannot register"

int
phx_pnote_register(struct phx_pnote *r, const char *name,
		   uint32_t timeout_s, enum phx_pnote_status st,
		   bool persistent, uint64_t now, struct phx_pnote_out *out)
{
	struct out_ctx c;
	struct dev *d;
	int rc;

	out_begin(&c, r, out);
	rc = check_new(&c, r, name, st);
	if (rc != 0)
		goto done;
	d = free_slot(r);
	if (d == NULL) {
		out_err(&c, ERR_TOO_MANY);
		rc = -ENOSPC;
		goto done;
	}
	commit_new(&c, r, d, name, timeout_s, st, persistent, now);
done:
	out_end(&c, r);
	return rc;
}

/* One parsed line of a registration file. */
struct file_line {
	char name[PHX_PNOTE_LABEL_LEN];
	uint32_t timeout_s;
	enum phx_pnote_status st;
};

#define FILE_LINE_MAX 256

/*
 * Split line (NUL-terminated copy, modified) into "<device> <timeout>
 * <status>". 0, or -EINVAL with err.
 */
static int
parse_line(struct out_ctx *c, unsigned lineno, char *line,
	   struct file_line *fl)
{
	char *tok[4], *save = NULL, *p, *end;
	unsigned n = 0;
	unsigned long long t;

	for (p = strtok_r(line, " \t\r", &save); p != NULL;
	     p = strtok_r(NULL, " \t\r", &save)) {
		if (n == PHX_DIM(tok))
			break;
		tok[n++] = p;
	}
	if (n != 3) {
		out_err(c, "line %u: expected <device> <timeout> <status>",
			lineno);
		return -EINVAL;
	}
	if (!name_valid(tok[0])) {
		out_err(c, "line %u: invalid device name '%s': 1 to %d "
			"printable characters, no spaces", lineno, tok[0],
			PHX_PNOTE_NAME_MAX);
		return -EINVAL;
	}
	errno = 0;
	t = strtoull(tok[1], &end, 10);
	if (tok[1][0] < '0' || tok[1][0] > '9' || *end != '\0' ||
	    errno != 0 || t > UINT32_MAX) {
		out_err(c, "line %u: invalid timeout '%s' (seconds, 0 = none)",
			lineno, tok[1]);
		return -EINVAL;
	}
	if (phx_pnote_status_parse(tok[2], &fl->st) != 0) {
		out_err(c, "line %u: invalid status '%s' (ok|init|problem)",
			lineno, tok[2]);
		return -EINVAL;
	}
	copy_name(fl->name, tok[0]);
	fl->timeout_s = (uint32_t)t;
	return 0;
}

int
phx_pnote_register_file(struct phx_pnote *r, const char *text,
			bool persistent, uint64_t now,
			struct phx_pnote_out *out)
{
	struct file_line fl[PHX_PNOTE_MAX_REGISTERED];
	char line[FILE_LINE_MAX];
	unsigned n = 0, lineno = 0, i, j, nfree = 0;
	const char *p = text, *eol;
	struct out_ctx c;
	int rc = 0;

	out_begin(&c, r, out);
	if (text == NULL) {
		out_err(&c, "pnote: no registration file text");
		rc = -EINVAL;
		goto done;
	}
	for (i = 0; i < PHX_PNOTE_MAX_REGISTERED; i++)
		nfree += !r->reg[i].used;
	/* validate every line into fl[] */
	while (*p != '\0') {
		size_t len;
		struct file_line tmp;
		const char *q;

		lineno++;
		eol = strchr(p, '\n');
		len = eol != NULL ? (size_t)(eol - p) : strlen(p);
		if (len >= sizeof(line)) {
			out_err(&c, "line %u: longer than %d characters",
				lineno, FILE_LINE_MAX - 1);
			rc = -EINVAL;
			goto done;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (eol != NULL);
		for (q = line; *q == ' ' || *q == '\t' || *q == '\r'; q++)
			;
		if (*q == '\0' || *q == '#')
			continue;
		rc = parse_line(&c, lineno, line, &tmp);
		if (rc != 0)
			goto done;
		rc = check_new(&c, r, tmp.name, tmp.st);
		if (rc != 0)
			goto done;
		for (j = 0; j < n; j++) {
			if (strcmp(fl[j].name, tmp.name) == 0) {
				/* the earlier line would hold this number */
				unsigned k, seen = 0;
				int no = -1;

				for (k = 0; k < PHX_PNOTE_MAX_REGISTERED; k++) {
					if (r->reg[k].used)
						continue;
					if (seen++ == j) {
						no = PHX_PNOTE_FIRST_REGNO +
						     (int)k;
						break;
					}
				}
				out_err(&c, "FW-1: fwha_pnote_register: %s "
					"already registered (# %d)",
					tmp.name, no);
				rc = -EEXIST;
				goto done;
			}
		}
		if (n == nfree) {
			out_err(&c, ERR_TOO_MANY);
			rc = -ENOSPC;
			goto done;
		}
		fl[n++] = tmp;
	}
	/* commit */
	for (i = 0; i < n; i++)
		commit_new(&c, r, free_slot(r), fl[i].name, fl[i].timeout_s,
			   fl[i].st, persistent, now);
	rc = (int)n;
done:
	out_end(&c, r);
	return rc;
}

static void
set_status(struct out_ctx *c, struct phx_pnote *r, struct dev *d,
	   enum phx_pnote_status st, const char *reason, uint64_t now)
{
	enum phx_pnote_status before = eff(d);

	d->status = st;
	d->expired = false;
	d->reported_at = now;
	if (eff(d) != before)
		out_log(c, r, d, st, reason != NULL ? reason : "reported");
}

int
phx_pnote_report(struct phx_pnote *r, const char *name,
		 enum phx_pnote_status st, const char *reason, uint64_t now,
		 struct phx_pnote_out *out)
{
	struct out_ctx c;
	struct dev *d;
	int rc = 0;

	out_begin(&c, r, out);
	if (!status_ok(st)) {
		out_err(&c, "pnote: invalid status %d", (int)st);
		rc = -EINVAL;
		goto done;
	}
	d = name != NULL ? find(r, name) : NULL;
	if (d == NULL) {
		out_err(&c, "pnote: report for unregistered device %s",
			name != NULL ? name : "");
		rc = -ENOENT;
		goto done;
	}
	set_status(&c, r, d, st, reason, now);
done:
	out_end(&c, r);
	return rc;
}

int
phx_pnote_report_builtin(struct phx_pnote *r, enum phx_pnote_builtin id,
			 enum phx_pnote_status st, const char *reason,
			 uint64_t now, struct phx_pnote_out *out)
{
	struct out_ctx c;
	int rc = 0;

	out_begin(&c, r, out);
	if ((unsigned)id >= PHX_PNOTE_BI_MAX || !status_ok(st)) {
		out_err(&c, "pnote: invalid built-in device %d or status %d",
			(int)id, (int)st);
		rc = -EINVAL;
		goto done;
	}
	set_status(&c, r, &r->bi[id], st, reason, now);
done:
	out_end(&c, r);
	return rc;
}

int
phx_pnote_unregister(struct phx_pnote *r, const char *name,
		     struct phx_pnote_out *out)
{
	struct out_ctx c;
	struct dev *d;
	int rc = 0;

	out_begin(&c, r, out);
	d = name != NULL ? find(r, name) : NULL;
	if (d == NULL) {
		out_err(&c, "FW-1: fwha_pnote_unregister: attempting to "
			"unregister an unregistered device %s",
			name != NULL ? name : "");
		rc = -ENOENT;
		goto done;
	}
	if (bi_index(r, d) >= 0) {
		out_err(&c, "pnote: %s is a built-in device and cannot be "
			"unregistered", name);
		rc = -EPERM;
		goto done;
	}
	/* commit */
	*d = (struct dev){0};
done:
	out_end(&c, r);
	return rc;
}

static void
expire(struct out_ctx *c, struct phx_pnote *r, struct dev *d, uint64_t now)
{
	char reason[64];
	enum phx_pnote_status before;

	if (!d->used || d->timeout_s == 0 || d->expired ||
	    now < d->reported_at ||
	    now - d->reported_at < (uint64_t)d->timeout_s * US_PER_S)
		return;
	before = eff(d);
	d->expired = true;
	if (before != PHX_PNOTE_PROBLEM) {
		snprintf(reason, sizeof(reason), "no report within %u sec",
			 d->timeout_s);
		out_log(c, r, d, PHX_PNOTE_PROBLEM, reason);
	}
}

void
phx_pnote_tick(struct phx_pnote *r, uint64_t now, struct phx_pnote_out *out)
{
	struct out_ctx c;
	unsigned i;

	out_begin(&c, r, out);
	for (i = 0; i < PHX_PNOTE_BI_MAX; i++)
		expire(&c, r, &r->bi[i], now);
	for (i = 0; i < PHX_PNOTE_MAX_REGISTERED; i++)
		expire(&c, r, &r->reg[i], now);
	out_end(&c, r);
}

/*
 * INIT dominates PROBLEM: a device in init means the machine cannot
 * forward at all (CCP-60), while a problem still allows the Active
 * Attention exception (CCP-65). The Interface Active Check is left out
 * (see lib/pnote.h).
 */
enum phx_pnote_status
phx_pnote_aggregate(const struct phx_pnote *r, char *culprit)
{
	const struct dev *first_init = NULL, *first_problem = NULL, *d;
	unsigned i;

	for (i = 0; i < PHX_PNOTE_BI_MAX + PHX_PNOTE_MAX_REGISTERED; i++) {
		d = i < PHX_PNOTE_BI_MAX ? &r->bi[i]
					 : &r->reg[i - PHX_PNOTE_BI_MAX];
		if (!d->used || i == PHX_PNOTE_BI_IFACE)
			continue;
		if (eff(d) == PHX_PNOTE_INIT && first_init == NULL)
			first_init = d;
		if (eff(d) == PHX_PNOTE_PROBLEM && first_problem == NULL)
			first_problem = d;
	}
	d = first_init != NULL ? first_init : first_problem;
	if (culprit != NULL)
		snprintf(culprit, PHX_PNOTE_LABEL_LEN, "%s",
			 d != NULL ? d->name : "");
	if (first_init != NULL)
		return PHX_PNOTE_INIT;
	return first_problem != NULL ? PHX_PNOTE_PROBLEM : PHX_PNOTE_OK;
}

unsigned
phx_pnote_count(const struct phx_pnote *r)
{
	unsigned i, n = 0;

	for (i = 0; i < PHX_PNOTE_MAX_REGISTERED; i++)
		n += r->reg[i].used;
	return n;
}

unsigned
phx_pnote_list(const struct phx_pnote *r, uint64_t now,
	       struct phx_pnote_info *out, unsigned max)
{
	unsigned i, n = 0;

	for (i = 0; i < PHX_PNOTE_BI_MAX + PHX_PNOTE_MAX_REGISTERED; i++) {
		const struct dev *d = i < PHX_PNOTE_BI_MAX ?
			&r->bi[i] : &r->reg[i - PHX_PNOTE_BI_MAX];
		struct phx_pnote_info *o;

		if (!d->used)
			continue;
		if (n++ >= max || out == NULL)
			continue;
		o = &out[n - 1];
		snprintf(o->name, sizeof(o->name), "%s", d->name);
		o->regno = regno(r, d);
		o->builtin = i < PHX_PNOTE_BI_MAX;
		o->persistent = d->persistent;
		o->timeout_s = d->timeout_s;
		o->status = eff(d);
		o->since_report_us = now > d->reported_at ?
				     now - d->reported_at : 0;
	}
	return n;
}

int
phx_pnote_persistent_text(const struct phx_pnote *r, char *buf, size_t size)
{
	static const char *const word[PHX_PNOTE_STATUS_MAX] = {
		[PHX_PNOTE_OK] = "ok",
		[PHX_PNOTE_INIT] = "init",
		[PHX_PNOTE_PROBLEM] = "problem",
	};
	size_t o = 0;
	unsigned i;
	int n;

	if (size == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (i = 0; i < PHX_PNOTE_MAX_REGISTERED; i++) {
		const struct dev *d = &r->reg[i];

		if (!d->used || !d->persistent)
			continue;
		n = snprintf(buf + o, size - o, "%s %" PRIu32 " %s\n", d->name,
			     d->timeout_s, word[d->init_st]);
		if (n < 0 || (size_t)n >= size - o) {
			buf[o] = '\0';
			return -ENOSPC;
		}
		o += (size_t)n;
	}
	return (int)o;
}

int
phx_pnote_status_parse(const char *s, enum phx_pnote_status *st)
{
	static const char *const words[PHX_PNOTE_STATUS_MAX] = {
		[PHX_PNOTE_OK] = "ok",
		[PHX_PNOTE_INIT] = "init",
		[PHX_PNOTE_PROBLEM] = "problem",
	};
	unsigned i;

	if (s == NULL || st == NULL)
		return -EINVAL;
	for (i = 0; i < PHX_PNOTE_STATUS_MAX; i++) {
		if (strcasecmp(s, words[i]) == 0) {
			*st = (enum phx_pnote_status)i;
			return 0;
		}
	}
	return -EINVAL;
}
