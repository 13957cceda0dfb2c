// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * swvm's control-protocol parser (vmm/proto.c, built natively as the unit
 * test does) on arbitrary request bytes, and its JSON error line.
 *
 * Input: u8 buffer size for the escape | request bytes.
 *
 * Properties: the result is 0 or one of the documented codes, with a
 * reason on error; anything over 512 bytes is 413; an accepted request is
 * printable ASCII, one line, starting with its verb's name, and a request
 * rebuilt from the parsed fields parses to the same fields; the JSON
 * escape stays in its buffer, never splits an escape, and unescapes to a
 * prefix of its input; the error line is one line of JSON.
 */
#include <errno.h>

#include "../../vmm/proto.c"
#include "fuzz.h"

static const char *verb_name(enum ctl_verb v)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (verbs[i].verb == v)
			return verbs[i].name;
	return NULL;
}

static void check_accepted(const char *buf, size_t len, const struct ctl_req *req)
{
	const char *name = verb_name(req->verb);
	struct ctl_req again;
	const char *why = NULL;
	char line[128];
	size_t i = 0;
	int n;

	fuzz_check(name, "verb %d", (int)req->verb);
	fuzz_check(len <= CTL_MAX_REQUEST, "accepted %zu bytes", len);
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)buf[k];
		bool eol = k + 1 == len || (k + 2 == len && c == '\r' && buf[k + 1] == '\n');

		fuzz_check((c >= 0x20 && c < 0x7f) || c == '\t' || (eol && (c == '\n' || c == '\r')),
			   "accepted byte 0x%02x at %zu", c, k);
		if (eol)
			break;
	}
	while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	fuzz_check(len - i >= strlen(name) && !memcmp(buf + i, name, strlen(name)),
		   "request starts with %s", name);
	fuzz_check(req->follow == (req->verb == CTL_EVENTS && req->follow), "follow on events only");
	fuzz_check(req->verb == CTL_INJECT_TEST || (!req->gpa && !req->mode[0]), "stray arguments");
	fuzz_check(!req->mode[0] || !strcmp(req->mode, "fnv") || !strcmp(req->mode, "s2table"),
		   "mode %.8s", req->mode);

	if (req->verb == CTL_INJECT_TEST)
		n = snprintf(line, sizeof(line), "%s 0x%llx %s\n", name,
			     (unsigned long long)req->gpa, req->mode);
	else
		n = snprintf(line, sizeof(line), "%s%s\n", name, req->follow ? " follow" : "");
	fuzz_check(ctl_parse(line, (size_t)n, &again, &why) == 0 &&
		   again.verb == req->verb && again.follow == req->follow &&
		   again.gpa == req->gpa && !strcmp(again.mode, req->mode),
		   "rebuilt request \"%s\" parses differently", line);
}

/* Undo ctl_json_escape(); false if out is not well formed. */
static bool unescape(const char *out, char *back, size_t *n)
{
	size_t k = 0;

	for (const char *p = out; *p; p++) {
		if (*p != '\\') {
			if ((unsigned char)*p < 0x20 || *p == '"')
				return false;
			back[k++] = *p;
			continue;
		}
		p++;
		if (*p == '"' || *p == '\\') {
			back[k++] = *p;
		} else if (*p == 'u') {
			unsigned int v;

			if (strlen(p) < 5 || sscanf(p + 1, "%4x", &v) != 1 || v >= 0x80)
				return false;
			back[k++] = (char)v;
			p += 4;
		} else {
			return false;
		}
	}
	*n = k;
	return true;
}

static void check_escape(const char *s, size_t cap)
{
	char *out = malloc(cap ? cap : 1), *back = malloc(strlen(s) + 1);
	size_t n = ctl_json_escape(cap ? out : NULL, cap, s), k;
	char line[512];
	int len;

	if (cap) {
		fuzz_check(n < cap && strlen(out) == n, "escape length %zu in %zu", n, cap);
		fuzz_check(unescape(out, back, &k) && k <= strlen(s) && !memcmp(back, s, k),
			   "escape of a prefix");
		fuzz_check(k == strlen(s) || n + 6 >= cap, "escape stopped early");
	} else {
		fuzz_check(n == 0, "escape into nothing");
	}
	len = ctl_error_line(line, sizeof(line), CTL_E_MALFORMED, s);
	fuzz_check(len > 0 && (size_t)len < sizeof(line) && line[len - 1] == '\n' &&
		   !strchr(line, '\n')[1] && !strncmp(line, "{\"error\":\"", 10) &&
		   strstr(line, "\",\"code\":400}\n"), "error line %s", line);
	free(out);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = size ? data[0] : 0, len = size ? size - 1 : 0;
	char *buf = calloc(1, len ? len : 1), *str;
	struct ctl_req req;
	const char *why = NULL;
	int code;

	if (len)
		memcpy(buf, data + 1, len);
	code = ctl_parse(buf, len, &req, &why);
	if (len > CTL_MAX_REQUEST)
		fuzz_check(code == CTL_E_TOOLONG, "%zu bytes: %d", len, code);
	if (code)
		fuzz_check((code == CTL_E_MALFORMED || code == CTL_E_UNKNOWN ||
			    code == CTL_E_TOOLONG) && why && *why, "code %d", code);
	else
		check_accepted(buf, len, &req);

	str = malloc(len + 1);
	if (len)
		memcpy(str, buf, len);
	str[len] = 0;
	check_escape(str, cap);
	free(str);
	free(buf);
	return 0;
}
