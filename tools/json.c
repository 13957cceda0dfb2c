// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/* A small, strict JSON object reader for the control protocol's replies. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct rd {
	const char *p, *end;
	char *out;	/* where the next value's text is written */
};

static void ws(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static int hex4(const char *p, unsigned int *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned int)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

static void utf8(char **o, unsigned int cp)
{
	char *q = *o;

	if (cp < 0x80) {
		*q++ = (char)cp;
	} else if (cp < 0x800) {
		*q++ = (char)(0xc0 | cp >> 6);
		*q++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*q++ = (char)(0xe0 | cp >> 12);
		*q++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*q++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*q++ = (char)(0xf0 | cp >> 18);
		*q++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*q++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*q++ = (char)(0x80 | (cp & 0x3f));
	}
	*o = q;
}

/* A string at r->p (on the quote); unescaped into r->out when out != NULL. */
static int string(struct rd *r, const char **out)
{
	char *o = r->out;

	if (r->p >= r->end || *r->p != '"')
		return -EINVAL;
	r->p++;
	while (r->p < r->end && *r->p != '"') {
		unsigned char c = (unsigned char)*r->p++;
		unsigned int cp, lo;

		if (c < 0x20)
			return -EINVAL;
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		if (r->p >= r->end)
			return -EINVAL;
		switch (*r->p++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (r->end - r->p < 4 || hex4(r->p, &cp))
				return -EINVAL;
			r->p += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
				    hex4(r->p + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
					return -EINVAL;
				r->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				return -EINVAL;
			}
			if (!cp)
				return -EINVAL;	/* no NULs inside C strings */
			utf8(&o, cp);
			break;
		default:
			return -EINVAL;
		}
	}
	if (r->p >= r->end)
		return -EINVAL;
	r->p++;
	*o++ = '\0';
	if (out)
		*out = r->out;
	r->out = o;
	return 0;
}

static int number(struct rd *r)
{
	const char *s = r->p;

	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p >= r->end || *r->p < '0' || *r->p > '9')
		return -EINVAL;
	if (*r->p == '0')
		r->p++;
	else
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	if (r->p < r->end && *r->p == '.') {
		r->p++;
		if (r->p >= r->end || *r->p < '0' || *r->p > '9')
			return -EINVAL;
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (r->p >= r->end || *r->p < '0' || *r->p > '9')
			return -EINVAL;
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	return r->p > s ? 0 : -EINVAL;
}

static int literal(struct rd *r, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n))
		return -EINVAL;
	r->p += n;
	return 0;
}

/* Validate any value, without keeping it (for nested arrays and objects). */
static int skip_value(struct rd *r, int depth)
{
	char *save = r->out;
	int ret = 0;

	if (depth > SJ_MAX_DEPTH)
		return -EINVAL;
	ws(r);
	if (r->p >= r->end)
		return -EINVAL;
	switch (*r->p) {
	case '"':
		ret = string(r, NULL);
		r->out = save;
		return ret;
	case 't': return literal(r, "true");
	case 'f': return literal(r, "false");
	case 'n': return literal(r, "null");
	case '[':
	case '{': {
		char close = *r->p == '[' ? ']' : '}';
		int obj = close == '}';

		r->p++;
		ws(r);
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return 0;
		}
		for (;;) {
			if (obj) {
				ws(r);
				if ((ret = string(r, NULL)))
					return ret;
				r->out = save;
				ws(r);
				if (r->p >= r->end || *r->p++ != ':')
					return -EINVAL;
			}
			if ((ret = skip_value(r, depth + 1)))
				return ret;
			ws(r);
			if (r->p >= r->end)
				return -EINVAL;
			if (*r->p == ',') {
				r->p++;
				continue;
			}
			if (*r->p++ != close)
				return -EINVAL;
			return 0;
		}
	}
	default:
		return number(r);
	}
}

int sj_parse(const char *text, size_t len, struct sj_obj *o)
{
	struct rd r = { text, text + len, NULL };

	memset(o, 0, sizeof(*o));
	/* Unescaped strings never grow; raw values are copied once. */
	o->mem = malloc(2 * len + 2);
	if (!o->mem)
		return -ENOMEM;
	r.out = o->mem;
	ws(&r);
	if (r.p >= r.end || *r.p++ != '{')
		goto bad;
	ws(&r);
	if (r.p < r.end && *r.p == '}') {
		r.p++;
		goto end;
	}
	for (;;) {
		struct sj_member *m;
		const char *s;

		if (o->n == SJ_MAX_MEMBERS) {
			sj_free(o);
			return -E2BIG;
		}
		m = &o->m[o->n];
		ws(&r);
		if (string(&r, &m->key))
			goto bad;
		ws(&r);
		if (r.p >= r.end || *r.p++ != ':')
			goto bad;
		ws(&r);
		if (r.p >= r.end)
			goto bad;
		if (*r.p == '"') {
			m->type = SJ_STRING;
			if (string(&r, &m->val))
				goto bad;
		} else {
			s = r.p;
			switch (*r.p) {
			case '[': m->type = SJ_ARRAY; break;
			case '{': m->type = SJ_OBJECT; break;
			case 't': case 'f': m->type = SJ_BOOL; break;
			case 'n': m->type = SJ_NULL; break;
			default: m->type = SJ_NUMBER; break;
			}
			if (skip_value(&r, 1))
				goto bad;
			memcpy(r.out, s, (size_t)(r.p - s));
			m->val = r.out;
			r.out += r.p - s;
			*r.out++ = '\0';
		}
		o->n++;
		ws(&r);
		if (r.p >= r.end)
			goto bad;
		if (*r.p == ',') {
			r.p++;
			continue;
		}
		if (*r.p++ != '}')
			goto bad;
		break;
	}
end:
	ws(&r);
	if (r.p != r.end)
		goto bad;
	return 0;
bad:
	sj_free(o);
	return -EINVAL;
}

void sj_free(struct sj_obj *o)
{
	free(o->mem);
	o->mem = NULL;
	o->n = 0;
}

const struct sj_member *sj_get(const struct sj_obj *o, const char *key)
{
	for (int i = 0; i < o->n; i++)
		if (!strcmp(o->m[i].key, key))
			return &o->m[i];
	return NULL;
}

const char *sj_str(const struct sj_obj *o, const char *key)
{
	const struct sj_member *m = sj_get(o, key);

	return m && m->type == SJ_STRING ? m->val : NULL;
}

static int to_u64(const char *s, uint64_t *v, int allow_hex)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	if (!allow_hex && (s[0] == '0' && s[1]))
		return -1;
	errno = 0;
	*v = strtoull(s, &end, allow_hex ? 0 : 10);
	return errno || *end ? -1 : 0;
}

int sj_u64(const struct sj_obj *o, const char *key, uint64_t *v)
{
	const struct sj_member *m = sj_get(o, key);

	if (!m)
		return -1;
	if (m->type == SJ_NUMBER)
		return to_u64(m->val, v, 0);
	if (m->type == SJ_STRING && m->val[0] == '0' && (m->val[1] == 'x' || m->val[1] == 'X'))
		return to_u64(m->val, v, 1);
	return -1;
}

int sj_i64(const struct sj_obj *o, const char *key, int64_t *v)
{
	const struct sj_member *m = sj_get(o, key);
	uint64_t u;

	if (!m || m->type != SJ_NUMBER)
		return -1;
	if (m->val[0] == '-') {
		if (to_u64(m->val + 1, &u, 0) || u > (uint64_t)INT64_MAX + 1)
			return -1;
		*v = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
		return 0;
	}
	if (to_u64(m->val, &u, 0) || u > INT64_MAX)
		return -1;
	*v = (int64_t)u;
	return 0;
}

int sj_bool(const struct sj_obj *o, const char *key)
{
	const struct sj_member *m = sj_get(o, key);

	if (!m || m->type != SJ_BOOL)
		return -1;
	return m->val[0] == 't';
}

int sj_join_strings(const char *raw, char *buf, size_t len)
{
	size_t rl = strlen(raw), n = 0;
	struct rd r = { raw, raw + rl, NULL };
	bool full = false;
	char *tmp;
	int ret = -EINVAL;

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	tmp = malloc(rl + 1);
	if (!tmp)
		return -ENOMEM;
	ws(&r);
	if (r.p >= r.end || *r.p++ != '[')
		goto out;
	ws(&r);
	if (r.p < r.end && *r.p == ']') {
		r.p++;
		snprintf(buf, len, "-");
		ret = 0;
		goto out;
	}
	for (;;) {
		const char *s;
		size_t k;

		r.out = tmp;
		ws(&r);
		if (string(&r, &s))
			goto out;
		k = strlen(s);
		/* Cut at the first element that does not fit: a prefix, never a gap. */
		if (full || n + k + 2 > len) {
			full = true;
		} else {
			if (n)
				buf[n++] = ',';
			memcpy(buf + n, s, k);
			n += k;
			buf[n] = '\0';
		}
		ws(&r);
		if (r.p >= r.end)
			goto out;
		if (*r.p == ',') {
			r.p++;
			continue;
		}
		if (*r.p++ != ']')
			goto out;
		break;
	}
	ret = 0;
out:
	free(tmp);
	return ret;
}
