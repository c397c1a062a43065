/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the configuration loader (lib/config.h): each
 * input is loaded as JSON ("fuzz.json") and as YAML ("fuzz.yaml") through
 * phx_config_load_buf(), the same entry point the daemon's loader uses
 * after reading the file, so both front-ends, the schema walker and the
 * validator see untrusted bytes.
 *
 * Invariants checked beyond ASan/UBSan/leaks:
 *   - a load either returns a model and no errors, or NULL and at least
 *     one error (counted or dropped), never more than the cap;
 *   - every error prints (exercises the formatter on fuzzed text);
 *   - an accepted model's canonical dump reloads as JSON and dumps to the
 *     same text (the dump is the golden-file format, so it must be a
 *     fixed point; STYLE 3.9).
 * The input is not NUL-terminated: the loader must honour len.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", \
				__FILE__, __LINE__, #cond);             \
			abort();                                        \
		}                                                       \
	} while (0)

/* Large (tens of KiB): static rather than on the fuzzer's stack. */
static struct phx_cfg_errors errs;

static FILE *
sink(void)
{
	static FILE *devnull;

	if (devnull == NULL)
		devnull = fopen("/dev/null", "w");
	return devnull;
}

static void
check_result(const struct phx_config *cfg)
{
	FUZZ_CHECK(errs.n <= PHX_CFG_MAX_ERRORS);
	if (cfg != NULL)
		FUZZ_CHECK(errs.n == 0 && errs.dropped == 0);
	else
		FUZZ_CHECK(errs.n > 0 || errs.dropped > 0);
	if (sink() != NULL)
		phx_cfg_errors_print(&errs, sink());
}

/* dump(load(dump(cfg))) == dump(cfg). The dump never carries an inline
 * cluster key ("hex:<redacted>" does not load): any key stands in for it,
 * and the reloaded model's dump redacts it again. */
static void
check_round_trip(const struct phx_config *cfg)
{
	static const char redacted[] = "\"hex:<redacted>\"";
	struct phx_config *again;
	char *d1, *d2, *in = NULL;
	const char *at;

	d1 = phx_config_dump(cfg);
	FUZZ_CHECK(d1 != NULL);
	at = strstr(d1, redacted);
	if (at != NULL)
		FUZZ_CHECK(asprintf(&in, "%.*s\"hex:%064d\"%s", (int)(at - d1),
				    d1, 1, at + strlen(redacted)) > 0);
	again = phx_config_load_buf("fuzz-dump.json", in ? in : d1,
				    strlen(in ? in : d1), &errs);
	free(in);
	if (again == NULL) {
		fprintf(stderr, "canonical dump does not reload:\n%s\n", d1);
		phx_cfg_errors_print(&errs, stderr);
		abort();
	}
	d2 = phx_config_dump(again);
	FUZZ_CHECK(d2 != NULL);
	if (strcmp(d1, d2) != 0) {
		fprintf(stderr, "dump is not a fixed point:\n%s\n---\n%s\n",
			d1, d2);
		abort();
	}
	free(d2);
	free(d1);
	phx_config_free(again);
}

static void
load_as(const char *name, const uint8_t *data, size_t size)
{
	struct phx_config *cfg;

	cfg = phx_config_load_buf(name, (const char *)data, size, &errs);
	check_result(cfg);
	if (cfg != NULL)
		check_round_trip(cfg);
	phx_config_free(cfg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load_as("fuzz.json", data, size);
	load_as("fuzz.yaml", data, size);
	return 0;
}
