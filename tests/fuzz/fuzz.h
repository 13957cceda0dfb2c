/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/* Copyright (C) 2026 The Seawall authors */
/*
 * Shared by the fuzz harnesses: the libFuzzer entry point, a property
 * check that aborts (so libFuzzer and the sanitizers report the input),
 * and a reader that takes fixed-size fields from the input and pads a
 * short input with zeros.
 */
#ifndef SEAWALL_FUZZ_H
#define SEAWALL_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_check(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: property failed: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		abort(); \
	} \
} while (0)

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint64_t fuzz_take(struct fuzz_in *in, size_t bytes)
{
	uint64_t v = 0;

	for (size_t i = 0; i < bytes && i < 8; i++) {
		if (in->n) {
			v |= (uint64_t)*in->p << (8 * i);
			in->p++;
			in->n--;
		}
	}
	return v;
}

#endif
