// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * swvm's control-protocol parser and command line, natively: every verb,
 * then malformed, oversized and binary input (which must give an error
 * code, never a crash), JSON escaping of error lines, and the options.
 */
#include <string.h>

#include "../../vmm/proto.c"
#include "../../vmm/options.c"
#include "tap.h"

static int parse(const char *s, struct ctl_req *r, const char **why)
{
	return ctl_parse(s, strlen(s), r, why);
}

static void good(void)
{
	static const struct {
		const char *line;
		enum ctl_verb verb;
		bool follow;
	} t[] = {
		{ "hello\n", CTL_HELLO }, { "status\n", CTL_STATUS }, { "ledger\n", CTL_LEDGER },
		{ "events\n", CTL_EVENTS }, { "events follow\n", CTL_EVENTS, true },
		{ "metrics\n", CTL_METRICS }, { "hello", CTL_HELLO }, { "status\r\n", CTL_STATUS },
		{ "  ledger  \n", CTL_LEDGER }, { "events\tfollow\n", CTL_EVENTS, true },
	};
	struct ctl_req r;
	const char *why = NULL;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int code = parse(t[i].line, &r, &why);

		tap_ok(code == 0 && r.verb == t[i].verb && r.follow == t[i].follow,
		       "parse %zu: verb %d follow %d", i, (int)t[i].verb, (int)t[i].follow);
	}
	tap_eq(parse("inject-test 0x40001000\n", &r, &why), 0, "inject-test plain");
	tap_eq(r.gpa, 0x40001000, "inject-test gpa");
	tap_ok(r.mode[0] == 0, "inject-test no mode");
	tap_eq(parse("inject-test 0XdeadBEEF000 fnv\n", &r, &why), 0, "inject-test fnv");
	tap_eq(r.gpa, 0xdeadbeef000ULL, "inject-test mixed-case hex");
	tap_ok(!strcmp(r.mode, "fnv"), "inject-test mode fnv");
	tap_eq(parse("inject-test 0xffffffffffffffff s2table", &r, &why), 0, "inject-test s2table");
	tap_ok(!strcmp(r.mode, "s2table"), "inject-test mode s2table");
}

static void bad(void)
{
	static const struct {
		const char *line;
		int code;
	} t[] = {
		{ "", CTL_E_MALFORMED }, { "\n", CTL_E_MALFORMED }, { "   \n", CTL_E_MALFORMED },
		{ "HELLO\n", CTL_E_UNKNOWN }, { "helloo\n", CTL_E_UNKNOWN }, { "hell\n", CTL_E_UNKNOWN },
		{ "reboot\n", CTL_E_UNKNOWN }, { "hello world\n", CTL_E_MALFORMED },
		{ "status now\n", CTL_E_MALFORMED }, { "events follow now\n", CTL_E_MALFORMED },
		{ "events tail\n", CTL_E_MALFORMED }, { "inject-test\n", CTL_E_MALFORMED },
		{ "inject-test 1234\n", CTL_E_MALFORMED }, { "inject-test 0x\n", CTL_E_MALFORMED },
		{ "inject-test 0x12g4\n", CTL_E_MALFORMED },
		{ "inject-test 0x10000000000000000\n", CTL_E_MALFORMED },
		{ "inject-test 0x1000 bogus\n", CTL_E_MALFORMED },
		{ "inject-test 0x1000 fnv extra\n", CTL_E_MALFORMED },
		{ "inject-test -0x1000\n", CTL_E_MALFORMED },
		{ "hello\nstatus\n", CTL_E_MALFORMED }, { "hel\x01lo\n", CTL_E_MALFORMED },
		{ "hello\x7f\n", CTL_E_MALFORMED }, { "h\xc3\xa9llo\n", CTL_E_MALFORMED },
		{ "a b c d e f\n", CTL_E_MALFORMED },
	};
	struct ctl_req r;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *why = NULL;
		int code = parse(t[i].line, &r, &why);

		tap_ok(code == t[i].code && why && *why, "malformed %zu -> %d (%s)", i, t[i].code,
		       why ? why : "no reason");
	}
}

static void sizes(void)
{
	char buf[CTL_MAX_REQUEST + 64];
	struct ctl_req r;
	const char *why = NULL;

	/* Exactly 512 bytes with its newline: accepted (then rejected as a verb). */
	memset(buf, ' ', sizeof(buf));
	memcpy(buf, "hello", 5);
	buf[CTL_MAX_REQUEST - 1] = '\n';
	tap_eq(ctl_parse(buf, CTL_MAX_REQUEST, &r, &why), 0, "512-byte request is parsed");
	tap_eq(ctl_parse(buf, CTL_MAX_REQUEST + 1, &r, &why), CTL_E_TOOLONG, "513 bytes: too long");
	tap_eq(ctl_parse(buf, sizeof(buf), &r, &why), CTL_E_TOOLONG, "oversized: too long");

	/* Embedded NUL is a control byte. */
	memcpy(buf, "hello\0x\n", 8);
	tap_eq(ctl_parse(buf, 8, &r, &why), CTL_E_MALFORMED, "embedded NUL");

	/* Every byte value alone, and random lines: no crash, a code or 0. */
	for (int c = 0; c < 256; c++) {
		char one[2] = { (char)c, '\n' };
		int code = ctl_parse(one, 2, &r, &why);

		if (code != CTL_E_MALFORMED && code != CTL_E_UNKNOWN) {
			tap_ok(0, "single byte 0x%02x gave %d", c, code);
			return;
		}
	}
	tap_ok(1, "every single byte is rejected cleanly");
	srand(1);
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)rand() % sizeof(buf);

		for (size_t k = 0; k < len; k++)
			buf[k] = (char)(rand() % 4 ? "hellostatusinject-test 0x f"[rand() % 27] : rand());
		ctl_parse(buf, len, &r, &why);
	}
	tap_ok(1, "20000 random requests parsed without a crash");
}

static void json(void)
{
	char buf[512], small[8];
	int n;

	n = ctl_error_line(buf, sizeof(buf), 400, "bad \"x\"\\\n\x01");
	tap_ok(!strcmp(buf, "{\"error\":\"bad \\\"x\\\"\\\\\\u000a\\u0001\",\"code\":400}\n"),
	       "error line escaped: %s", buf);
	tap_eq((size_t)n, strlen(buf), "error line length");
	tap_eq(ctl_json_escape(small, sizeof(small), "abcdefghij"), 7, "escape truncates");
	tap_ok(!strcmp(small, "abcdefg"), "escape truncation is terminated");
	tap_eq(ctl_json_escape(small, sizeof(small), "ab\"\"\"\""), 6, "escape never splits a pair");
}

static int args(const char *const *v, struct swvm_opts *o, char *err)
{
	int n = 0;

	while (v[n])
		n++;
	return swvm_parse_args(n, (char *const *)v, o, err, 256);
}

static void options(void)
{
	struct swvm_opts o;
	char err[256];
	const char *ok1[] = { "swvm", "--kernel", "Image", NULL };
	const char *ok2[] = { "swvm", "--kernel=Image", "--initrd", "i.cpio", "--cmdline", "quiet",
			      "--mem", "1024", "--cpus=4", "--control", "/run/c", "--journal", "j",
			      "--events-log", "e", "--metrics", "m", "--restart-after", "0",
			      "--no-restart-on-kernel", "--max-restarts", "2", "--quiet", "--hugetlb",
			      "--control-group", "kvm", "--allow-inject-test", NULL };
	const char *help[] = { "swvm", "--mem", "128", "--help", NULL };
	static const struct {
		const char *v[6];
		const char *msg;
	} bad_args[] = {
		{ { "swvm", NULL }, "--kernel IMAGE is required" },
		{ { "swvm", "--kernel", NULL }, "needs a value" },
		{ { "swvm", "--kernel", "", NULL }, "empty value" },
		{ { "swvm", "--kernel", "I", "--cpus", "5", NULL }, "not a number in 1..4" },
		{ { "swvm", "--kernel", "I", "--cpus", "0", NULL }, "not a number in 1..4" },
		{ { "swvm", "--kernel", "I", "--mem", "12x", NULL }, "not a number" },
		{ { "swvm", "--kernel", "I", "--mem", "-5", NULL }, "not a number" },
		{ { "swvm", "--kernel", "I", "--mem", "99999999999", NULL }, "not a number" },
		{ { "swvm", "--kernel", "I", "--frob", NULL }, "unknown option '--frob'" },
		{ { "swvm", "--kernel", "I", "-k", NULL }, "unexpected argument" },
		{ { "swvm", "--kernel", "I", "extra", NULL }, "unexpected argument" },
		{ { "swvm", "--kernel", "I", "--quiet=1", NULL }, "takes no value" },
		{ { "swvm", "--kern", "I", NULL }, "unknown option" },
		{ { "swvm", "--kernel", "I", "--hugetlb", "--mem=65", NULL }, "whole 2 MiB pages" },
		{ { "swvm", "--kernel", "I", "--control-group", "kvm", NULL }, "needs --control" },
		{ { "swvm", "--kernel", "I", "--allow-inject-test=1", NULL }, "takes no value" },
	};

	tap_eq(args(ok1, &o, err), 0, "minimal command line");
	tap_ok(o.mem_mib == 256 && o.cpus == 1 && o.max_restarts == 8 && !o.restart_after_set &&
	       !o.quiet && !o.initrd, "defaults");
	tap_ok(!o.allow_inject_test && !o.control_group, "inject-test off, no control group by default");
	tap_eq(args(ok2, &o, err), 0, "every option");
	tap_ok(!strcmp(o.kernel, "Image") && !strcmp(o.initrd, "i.cpio") &&
	       !strcmp(o.cmdline, "quiet") && o.mem_mib == 1024 && o.cpus == 4 &&
	       !strcmp(o.control, "/run/c") && !strcmp(o.journal, "j") &&
	       !strcmp(o.events_log, "e") && !strcmp(o.metrics, "m") && o.restart_after_set &&
	       o.restart_after == 0 && o.no_restart_on_kernel && o.max_restarts == 2 && o.quiet &&
	       o.hugetlb && !strcmp(o.control_group, "kvm") && o.allow_inject_test,
	       "every option's value");
	tap_eq(args(help, &o, err), 1, "--help wins");
	for (size_t i = 0; i < sizeof(bad_args) / sizeof(bad_args[0]); i++) {
		int r = args(bad_args[i].v, &o, err);

		tap_ok(r == -1 && strstr(err, bad_args[i].msg), "bad args %zu: %s", i, err);
	}
}

int main(void)
{
	good();
	bad();
	sizes();
	json();
	options();
	return tap_done();
}
