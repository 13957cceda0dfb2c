// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The seawall CLI's JSON reader (tools/json.c, built natively as the unit
 * test does), which parses every reply line swvm sends.
 *
 * Input: u8 buffer size for sj_join_strings() | one JSON text.
 *
 * Properties: the result is 0, -EINVAL or -E2BIG; a parsed object,
 * written out again with its members' unescaped strings re-escaped,
 * parses to the same members; a number read with sj_u64()/sj_i64() prints
 * back as the same text; sj_bool() agrees with the member's type; an
 * array of strings joined into a short buffer is a prefix of the whole
 * join and stays inside the buffer.
 */
#include <errno.h>
#include <inttypes.h>

#include "../../tools/json.c"
#include "fuzz.h"

static size_t escape(char *dst, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			n += (size_t)sprintf(dst + n, "\\%c", c);
		else if (c < 0x20)
			n += (size_t)sprintf(dst + n, "\\u%04x", c);
		else
			dst[n++] = (char)c;
	}
	return n;
}

static void check_numbers(const struct sj_obj *o, const struct sj_member *m)
{
	char txt[32];
	uint64_t u;
	int64_t i;

	if (!sj_u64(o, m->key, &u) && m->type == SJ_NUMBER) {
		snprintf(txt, sizeof(txt), "%" PRIu64, u);
		fuzz_check(!strcmp(txt, m->val), "sj_u64 of %s gave %s", m->val, txt);
	}
	if (!sj_i64(o, m->key, &i)) {
		snprintf(txt, sizeof(txt), "%" PRId64, i);
		fuzz_check(!strcmp(txt, m->val) || (!strcmp(m->val, "-0") && !i),
			   "sj_i64 of %s gave %s", m->val, txt);
	}
	fuzz_check(sj_bool(o, m->key) == (m->type == SJ_BOOL ? m->val[0] == 't' : -1),
		   "sj_bool of %s", m->key);
}

static void check_join(const char *raw, size_t cap)
{
	size_t rl = strlen(raw);
	char *full = malloc(rl + 2), *part = malloc(cap);
	int r = sj_join_strings(raw, full, rl + 2), r2 = sj_join_strings(raw, part, cap);

	fuzz_check(r == 0 || r == -EINVAL, "join: %d", r);
	fuzz_check(r2 == r, "join into %zu bytes: %d, into enough: %d", cap, r2, r);
	if (!r) {
		size_t k = strlen(part);

		fuzz_check(k < cap && !strncmp(part, full, k) &&
			   (k == strlen(full) || full[k] == ',' || !k),
			   "join into %zu bytes \"%s\" is not a prefix of \"%s\" cut at an element",
			   cap, part, full);
	}
	free(full);
	free(part);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = size ? data[0] % 64 + 1 : 1, len = size ? size - 1 : 0;
	char *text = malloc(len + 1), *again;
	struct sj_obj o, o2;
	size_t n = 0;
	int r;

	if (len)
		memcpy(text, data + 1, len);
	text[len] = 0;
	r = sj_parse(text, len, &o);
	fuzz_check(r == 0 || r == -EINVAL || r == -E2BIG, "parse: %d", r);
	if (r) {
		free(text);
		return 0;
	}
	fuzz_check(o.n >= 0 && o.n <= SJ_MAX_MEMBERS, "%d members", o.n);

	/* Every member written out again: at most 6 bytes per input byte. */
	again = malloc(6 * len + 3);
	again[n++] = '{';
	for (int i = 0; i < o.n; i++) {
		const struct sj_member *m = &o.m[i];

		fuzz_check(m->key && m->val && m->type >= SJ_STRING && m->type <= SJ_OBJECT, "member");
		fuzz_check(sj_get(&o, m->key) <= m, "sj_get finds the first %s", m->key);
		if (sj_get(&o, m->key) == m)	/* the accessors see the first of a key */
			check_numbers(&o, m);
		if (m->type == SJ_ARRAY)
			check_join(m->val, cap);
		if (i)
			again[n++] = ',';
		again[n++] = '"';
		n += escape(again + n, m->key);
		n += (size_t)sprintf(again + n, "\":");
		if (m->type == SJ_STRING) {
			again[n++] = '"';
			n += escape(again + n, m->val);
			again[n++] = '"';
		} else {
			n += (size_t)sprintf(again + n, "%s", m->val);
		}
	}
	again[n++] = '}';
	r = sj_parse(again, n, &o2);
	fuzz_check(r == 0 && o2.n == o.n, "written out again, it does not parse: %d", r);
	for (int i = 0; i < o.n; i++)
		fuzz_check(o2.m[i].type == o.m[i].type && !strcmp(o2.m[i].key, o.m[i].key) &&
			   !strcmp(o2.m[i].val, o.m[i].val), "member %d differs after a round trip", i);
	sj_free(&o2);
	sj_free(&o);
	free(again);
	free(text);
	return 0;
}
