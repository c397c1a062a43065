/* SPDX-License-Identifier: BSD-3-Clause */
/* STUB: replaced by the parser work */
#include "lib/pkt_parse.h"
enum phx_drop_reason phx_pkt_parse(const uint8_t *f, uint32_t len, unsigned flags, struct phx_pkt_meta *m)
{ (void)f; (void)len; (void)flags; (void)m; return PHX_DROP_L2_TRUNCATED; }
