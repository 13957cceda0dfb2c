// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/* Hosts other than arm64: no arm64 vCPU to talk to. */
#include <errno.h>

#include "../../internal.h"

int sw_arch_get_pstate(int vcpu_fd, uint64_t *pstate)
{
	(void)vcpu_fd;
	(void)pstate;
	return -EOPNOTSUPP;
}

int sw_arch_inject_dabt(int vcpu_fd)
{
	(void)vcpu_fd;
	return -EOPNOTSUPP;
}

int sw_arch_inject_abort(int vcpu_fd, unsigned int kind, uint64_t far,
			 unsigned int flags, struct seawall_exc_out *out)
{
	(void)vcpu_fd;
	(void)kind;
	(void)far;
	(void)flags;
	(void)out;
	return -EOPNOTSUPP;
}
