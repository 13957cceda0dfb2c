/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/* Copyright (C) 2026 The Seawall authors */
/*
 * Minimal TAP for the unit tests: ok/not ok lines, a plan at the end,
 * exit 0 (all passed), 1 (a failure) or 77 (skipped).
 */
#ifndef SEAWALL_TAP_H
#define SEAWALL_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

/*
 * The isolation strategy for tests that isolate only on the way to what
 * they check: valgrind 3.19 has no userfaultfd (ENOSYS), so under it they
 * take the memslot split's quarantine (3, SEAWALL_ISOLATE_MEMSLOT_SPLIT,
 * with no memslot to split); test_poison, which is about the default, is
 * not run under valgrind (tests/ci.mk).
 */
static inline unsigned int tap_isolate_strategy(void)
{
	return RUNNING_ON_VALGRIND ? 3u : 0u;
}

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3)))
static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

/* Equality with both values printed on failure. */
#define tap_eq(a, b, ...) do { \
	unsigned long long _a = (unsigned long long)(a), _b = (unsigned long long)(b); \
	if (!tap_ok(_a == _b, __VA_ARGS__)) \
		printf("#   got 0x%llx (%lld), want 0x%llx (%lld)\n", _a, (long long)_a, _b, (long long)_b); \
} while (0)

static inline void tap_diag(const char *msg)
{
	printf("# %s\n", msg);
}

__attribute__((noreturn))
static inline void tap_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(77);
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
