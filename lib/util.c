// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/* Small helpers: options structs, CRC32C, clocks, the log hook. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/*
 * An options struct from a caller built against another version of the
 * header: older (smaller) ones are zero-extended, newer (larger) ones are
 * accepted only if everything we do not know about is zero.
 */
int sw_opts_copy(void *dst, size_t dst_sz, const void *src)
{
	size_t sz;

	memset(dst, 0, dst_sz);
	if (!src)
		return 0;
	memcpy(&sz, src, sizeof(sz));
	if (sz < sizeof(size_t))
		return -EINVAL;
	if (sz > dst_sz) {
		const unsigned char *p = (const unsigned char *)src;

		for (size_t i = dst_sz; i < sz; i++)
			if (p[i])
				return -EINVAL;
		sz = dst_sz;
	}
	memcpy(dst, src, sz);
	memcpy(dst, &dst_sz, sizeof(size_t));
	return 0;
}

/* CRC32C (Castagnoli, reflected polynomial 0x82F63B78), byte table. */
static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t sw_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	pthread_once(&crc_once, crc_init);
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t (*sw_test_clock)(void);

uint64_t sw_now_ns(void)
{
	if (sw_test_clock)
		return sw_test_clock();
	return clock_ns(CLOCK_REALTIME);
}

uint64_t sw_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

void sw_log(const struct seawall_ctx *ctx, int level, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!ctx || !ctx->o.log_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->o.log_fn(level, msg, ctx->o.log_arg);
}

/*
 * The version of the library actually loaded: a program built against
 * one header may run with a later library (the soname only says "0").
 */
SEAWALL_API const char *seawall_version(void)
{
	return SW_VERSION_STRING;
}
