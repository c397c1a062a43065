/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Strict decimal option values for the command-line tools (phx,
 * phalanx-bench): digits only, no sign or blanks, the whole text, at most
 * a maximum. strtoul alone takes "10x" as 10 and "-1" as ULONG_MAX.
 */
#ifndef PHX_SRC_CLI_NUM_H
#define PHX_SRC_CLI_NUM_H

#include <errno.h>
#include <stdlib.h>

/* s as an unsigned decimal of at most max into *out: 0, or -EINVAL. */
static inline int
phx_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

#endif /* PHX_SRC_CLI_NUM_H */
