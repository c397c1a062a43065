/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Corpus replayer: runs a fuzz target's LLVMFuzzerTestOneInput over every
 * file in its corpus without libFuzzer, so the corpus (seeds plus every
 * crash reproducer ever found) is a regression test with any compiler
 * (STYLE 3.9; FRR fuzzing.rst). meson links each tests/fuzz/fuzz_<x>.c
 * in with its entry point renamed to phx_fuzz_<x>, so one binary carries
 * all targets and picks one by name.
 *
 *   phx_fuzz_replay <target> <file-or-dir>...
 *
 * Directories are read one level deep, entries in name order so output
 * and failures reproduce. Each input is passed in a heap block of exactly
 * its size, as libFuzzer does, so ASan/valgrind see overreads. A crashing
 * input aborts the process after its path is printed; success prints
 * "replayed N inputs". Zero inputs is a failure: an empty or missing
 * corpus would otherwise pass silently.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/compiler.h"

typedef int (*phx_fuzz_fn)(const uint8_t *data, size_t size);

int phx_fuzz_ccp_decode(const uint8_t *data, size_t size);
int phx_fuzz_pkt_parse(const uint8_t *data, size_t size);
int phx_fuzz_config(const uint8_t *data, size_t size);
int phx_fuzz_sync_decode(const uint8_t *data, size_t size);

static const struct {
	const char *name;
	phx_fuzz_fn fn;
} targets[] = {
	{ "ccp_decode", phx_fuzz_ccp_decode },
	{ "config", phx_fuzz_config },
	{ "pkt_parse", phx_fuzz_pkt_parse },
	{ "sync_decode", phx_fuzz_sync_decode },
};

#define REPLAY_MAX_INPUT (16u << 20) /* bytes; larger files are a mistake */

/* Run fn over one file. Returns 0, or -errno if it cannot be read. */
static int
replay_file(phx_fuzz_fn fn, const char *path)
{
	struct stat st;
	uint8_t *buf;
	size_t got;
	FILE *f;
	int rc = 0;

	f = fopen(path, "rb");
	if (f == NULL)
		return -errno;
	if (fstat(fileno(f), &st) != 0) {
		rc = -errno;
		goto out;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size > REPLAY_MAX_INPUT) {
		rc = -EFBIG;
		goto out;
	}
	/* malloc(0) may return NULL; the target then gets (NULL, 0),
	 * which libFuzzer can also pass for the empty input. */
	buf = st.st_size ? malloc((size_t)st.st_size) : NULL;
	if (st.st_size && buf == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	got = st.st_size ? fread(buf, 1, (size_t)st.st_size, f) : 0;
	if (got != (size_t)st.st_size) {
		free(buf);
		rc = -EIO;
		goto out;
	}
	fprintf(stderr, "replay %s (%zu bytes)\n", path, got);
	fn(buf, got);
	free(buf);
out:
	fclose(f);
	return rc;
}

static int
skip_entry(const struct dirent *d)
{
	return d->d_name[0] != '.';     /* ".", "..", hidden files */
}

/* Replay path (a file, or each regular file in a directory). Adds to *n.
 * Returns 0 or a negative errno. */
static int
replay_path(phx_fuzz_fn fn, const char *path, unsigned *n)
{
	struct dirent **ents;
	struct stat st;
	char sub[4096];
	int i, cnt, rc = 0;

	if (stat(path, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode)) {
		rc = replay_file(fn, path);
		if (rc == 0)
			(*n)++;
		return rc;
	}
	cnt = scandir(path, &ents, skip_entry, alphasort);
	if (cnt < 0)
		return -errno;
	for (i = 0; i < cnt; i++) {
		int w = snprintf(sub, sizeof(sub), "%s/%s", path,
				 ents[i]->d_name);

		if (rc == 0 && (w < 0 || (size_t)w >= sizeof(sub)))
			rc = -ENAMETOOLONG;
		else if (rc == 0 && stat(sub, &st) == 0 && S_ISREG(st.st_mode)) {
			rc = replay_file(fn, sub);
			if (rc == 0)
				(*n)++;
			else
				fprintf(stderr, "%s: %s\n", sub, strerror(-rc));
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

static void
usage(FILE *out)
{
	unsigned i;

	fprintf(out, "usage: phx_fuzz_replay <target> <file-or-dir>...\n"
		"targets:");
	for (i = 0; i < PHX_DIM(targets); i++)
		fprintf(out, " %s", targets[i].name);
	fprintf(out, "\n");
}

int
main(int argc, char **argv)
{
	phx_fuzz_fn fn = NULL;
	unsigned i, n = 0;
	int a, rc;

	if (argc < 3) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < PHX_DIM(targets); i++)
		if (strcmp(argv[1], targets[i].name) == 0)
			fn = targets[i].fn;
	if (fn == NULL) {
		fprintf(stderr, "unknown target '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	for (a = 2; a < argc; a++) {
		rc = replay_path(fn, argv[a], &n);
		if (rc != 0) {
			fprintf(stderr, "%s: %s\n", argv[a], strerror(-rc));
			return 1;
		}
	}
	if (n == 0) {
		fprintf(stderr, "no inputs found\n");
		return 1;
	}
	printf("replayed %u inputs\n", n);
	return 0;
}
