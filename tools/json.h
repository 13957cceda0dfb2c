/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/* Copyright (C) 2026 The Seawall authors */
/*
 * Just enough JSON for the seawall CLI: one flat object per reply line.
 * Member values keep their type; strings come back unescaped, numbers,
 * literals, arrays and nested objects as their raw text.
 */
#ifndef SEAWALL_TOOLS_JSON_H
#define SEAWALL_TOOLS_JSON_H

#include <stddef.h>
#include <stdint.h>

enum sj_type { SJ_STRING = 1, SJ_NUMBER, SJ_BOOL, SJ_NULL, SJ_ARRAY, SJ_OBJECT };

#define SJ_MAX_MEMBERS 64
#define SJ_MAX_DEPTH 16

struct sj_member {
	const char *key;
	const char *val;
	enum sj_type type;
};

struct sj_obj {
	struct sj_member m[SJ_MAX_MEMBERS];
	int n;
	char *mem;
};

/* Parse one object (surrounding whitespace allowed).  0, -EINVAL, -ENOMEM, -E2BIG. */
int sj_parse(const char *text, size_t len, struct sj_obj *o);
void sj_free(struct sj_obj *o);

const struct sj_member *sj_get(const struct sj_obj *o, const char *key);
/* The string value of key, or NULL (absent or not a string). */
const char *sj_str(const struct sj_obj *o, const char *key);
/* Integer value of key (a JSON number, or a "0x..." string). 0 or -1. */
int sj_u64(const struct sj_obj *o, const char *key, uint64_t *v);
int sj_i64(const struct sj_obj *o, const char *key, int64_t *v);
/* 1 true, 0 false, -1 absent or not a boolean. */
int sj_bool(const struct sj_obj *o, const char *key);
/*
 * An array of strings rendered as "a,b,c" into buf ("-" when empty),
 * cut before the first string that does not fit.
 * 0, or -EINVAL when raw is not an array of strings.
 */
int sj_join_strings(const char *raw, char *buf, size_t len);

#endif
