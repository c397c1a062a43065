/* SPDX-License-Identifier: BSD-3-Clause */
#include "lib/drop_reason.h"

#include "lib/compiler.h"

static const char *const drop_names[PHX_DROP_MAX] = {
	[PHX_DROP_NONE] = "none",
#define PHX_DROP_NAME_(e, n, d) [PHX_DROP_##e] = #n,
	PHX_DROP_REASONS(PHX_DROP_NAME_)
#undef PHX_DROP_NAME_
};

static const char *const drop_descs[PHX_DROP_MAX] = {
	[PHX_DROP_NONE] = "not dropped",
#define PHX_DROP_DESC_(e, n, d) [PHX_DROP_##e] = d,
	PHX_DROP_REASONS(PHX_DROP_DESC_)
#undef PHX_DROP_DESC_
};

const char *
phx_drop_name(enum phx_drop_reason r)
{
	return (unsigned)r < PHX_DROP_MAX ? drop_names[r] : "invalid";
}

const char *
phx_drop_desc(enum phx_drop_reason r)
{
	return (unsigned)r < PHX_DROP_MAX ? drop_descs[r] : "invalid reason";
}
