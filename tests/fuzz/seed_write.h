/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every seed generator of tests/fuzz does with a seed: write it to
 * a file of the corpus directory, exiting on any error. Generators are
 * run by hand (tests/fuzz/README.md); their output is committed.
 */
#ifndef PHX_TEST_SEED_WRITE_H
#define PHX_TEST_SEED_WRITE_H

#include <stddef.h>
#include <stdint.h>

/* Write b[0..len) to dir/name; exit(1) with a message on failure. */
void seed_write(const char *dir, const char *name, const uint8_t *b,
		size_t len);

#endif /* PHX_TEST_SEED_WRITE_H */
