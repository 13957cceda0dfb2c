// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * The control protocol's request parser, request reader and reply
 * helpers: one request line per connection, "VERB [ARGS]\n", at most
 * CTL_MAX_REQUEST bytes.  No I/O of their own (the reader's comes through
 * struct ctl_io): unit-tested and fuzzed with malformed, oversized and
 * oddly chunked input.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "swvm.h"

static const struct {
	const char *name;
	enum ctl_verb verb;
} verbs[] = {
	{ "hello", CTL_HELLO },
	{ "status", CTL_STATUS },
	{ "ledger", CTL_LEDGER },
	{ "events", CTL_EVENTS },
	{ "metrics", CTL_METRICS },
	{ "inject-test", CTL_INJECT_TEST },
};

#define MAX_WORDS 4

static int parse_hex(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || n - 2 > 16)
		return -1;
	for (size_t i = 2; i < n; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static bool word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && !memcmp(w, s, n);
}

int ctl_parse(const char *buf, size_t len, struct ctl_req *req, const char **why)
{
	const char *w[MAX_WORDS];
	size_t wl[MAX_WORDS], nw = 0, i = 0;

	memset(req, 0, sizeof(*req));
	if (len > CTL_MAX_REQUEST) {
		*why = "request longer than 512 bytes";
		return CTL_E_TOOLONG;
	}
	if (len && buf[len - 1] == '\n')
		len--;
	if (len && buf[len - 1] == '\r')
		len--;
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)buf[k];

		if (c == '\n') {
			*why = "more than one line";
			return CTL_E_MALFORMED;
		}
		if ((c < 0x20 && c != '\t') || c >= 0x7f) {
			*why = "control or non-ASCII byte in request";
			return CTL_E_MALFORMED;
		}
	}
	while (i < len) {
		size_t s;

		while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
			i++;
		if (i == len)
			break;
		if (nw == MAX_WORDS) {
			*why = "too many arguments";
			return CTL_E_MALFORMED;
		}
		s = i;
		while (i < len && buf[i] != ' ' && buf[i] != '\t')
			i++;
		w[nw] = buf + s;
		wl[nw++] = i - s;
	}
	if (!nw) {
		*why = "empty request";
		return CTL_E_MALFORMED;
	}
	for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
		if (word_is(w[0], wl[0], verbs[k].name))
			req->verb = verbs[k].verb;
	if (!req->verb) {
		*why = "unknown verb";
		return CTL_E_UNKNOWN;
	}
	switch (req->verb) {
	case CTL_EVENTS:
		if (nw == 2 && word_is(w[1], wl[1], "follow")) {
			req->follow = true;
			return 0;
		}
		break;
	case CTL_INJECT_TEST:
		if (nw < 2 || nw > 3) {
			*why = "usage: inject-test 0xGPA [fnv|s2table]";
			return CTL_E_MALFORMED;
		}
		if (parse_hex(w[1], wl[1], &req->gpa)) {
			*why = "GPA must be 0x followed by 1 to 16 hex digits";
			return CTL_E_MALFORMED;
		}
		if (nw == 3) {
			if (!word_is(w[2], wl[2], "fnv") && !word_is(w[2], wl[2], "s2table")) {
				*why = "mode must be fnv or s2table";
				return CTL_E_MALFORMED;
			}
			memcpy(req->mode, w[2], wl[2]);
		}
		return 0;
	default:
		break;
	}
	if (nw != 1) {
		*why = "unexpected argument";
		return CTL_E_MALFORMED;
	}
	return 0;
}

size_t ctl_json_escape(char *dst, size_t cap, const char *s)
{
	size_t n = 0;

	if (!cap)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char tmp[8];
		size_t k;

		if (c == '"' || c == '\\')
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\u%04x", c);
		else
			tmp[0] = (char)c, k = 1;
		if (n + k >= cap)
			break;
		memcpy(dst + n, tmp, k);
		n += k;
	}
	dst[n] = 0;
	return n;
}

int ctl_error_line(char *buf, size_t cap, int code, const char *why)
{
	char esc[256];

	ctl_json_escape(esc, sizeof(esc), why ? why : "error");
	return snprintf(buf, cap, "{\"error\":\"%s\",\"code\":%d}\n", esc, code);
}

int ctl_read_request(const struct ctl_io *io, char *buf, size_t cap, uint64_t deadline_ns)
{
	size_t len = 0;
	bool line = false;

	if (cap > CTL_MAX_REQUEST)
		cap = CTL_MAX_REQUEST;
	while (len < cap) {
		uint64_t now = io->now_ns(io->arg), left;
		int timeout_ms;
		long r;

		/*
		 * Once the line is in, take only what the client sent along
		 * with it, without waiting: a second line is a 400, not a
		 * second request.
		 */
		if (line) {
			timeout_ms = 0;
		} else {
			if (now >= deadline_ns)
				return -CTL_E_TIMEOUT;
			left = (deadline_ns - now + 999999) / 1000000;
			timeout_ms = left > INT_MAX ? INT_MAX : (int)left;
		}
		r = io->read(io->arg, buf + len, cap - len, timeout_ms);
		if (r == -EINTR)
			continue;
		if (r == -EAGAIN && line)
			break;
		if (r == -EAGAIN)
			continue;	/* the clock decides */
		if (r < 0 || (size_t)r > cap - len)
			return line ? (int)len : -CTL_E_MALFORMED;
		if (r == 0)
			break;		/* end of file ends the line too */
		if (!line && memchr(buf + len, '\n', (size_t)r))
			line = true;
		len += (size_t)r;
	}
	if (len == cap && !line)
		return -CTL_E_TOOLONG;	/* cap bytes and still no newline */
	return (int)len;
}

bool ctl_peer_allowed(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups,
		      uid_t self, gid_t group)
{
	if (uid == 0 || uid == self)
		return true;
	if (group == CTL_NO_GROUP)
		return false;
	if (gid == group)
		return true;
	for (size_t i = 0; i < ngroups; i++)
		if (groups[i] == group)
			return true;
	return false;
}
