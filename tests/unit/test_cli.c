// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The seawall CLI without sockets (tools/cli.c, tools/json.c): the JSON
 * reader on good, hostile and truncated replies, the hello/version check,
 * error replies, the human renderings of status, ledger and events, and
 * decode-esr's output.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../tools/json.c"
#include "../../tools/cli.c"
/* The command itself, its main() under another name. */
int seawall_main(int argc, char **argv);
#define main seawall_main
#include "../../tools/seawall.c"
#undef main
#include "tap.h"

/* Run a renderer into a string. */
#define CAPTURE(buf, call) do { \
	char *_p = NULL; size_t _n = 0; \
	FILE *f = open_memstream(&_p, &_n); \
	call; \
	fclose(f); \
	snprintf(buf, sizeof(buf), "%s", _p ? _p : ""); \
	free(_p); \
} while (0)

static void test_json(void)
{
	static const char *const bad[] = {
		"", "{", "}", "[]", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{\"a\":1} x",
		"{\"a\":\"unterminated}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":tru}",
		"{\"a\":[1,2}", "{\"a\":{\"b\":}}", "{a:1}", "{\"a\":\"\\x\"}",
		"{\"a\":\"\\ud800\"}", "{\"a\":\"\\u0000\"}", "{\"a\":\"tab\there\"}",
		"{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}",
	};
	struct sj_obj o;
	const char *s;
	uint64_t u;
	int64_t i;
	char buf[128];

	s = " {\"s\":\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\",\"n\":-12,\"u\":18446744073709551615,"
	    "\"h\":\"0x48001000\",\"t\":true,\"f\":false,\"z\":null,\"arr\":[\"x\",\"y\"],"
	    "\"obj\":{\"k\":[1,{\"q\":\"}\"}]},\"e\":1.5e3} \n";
	tap_eq(sj_parse(s, strlen(s), &o), 0, "json: a reply with every value type parses");
	tap_eq(o.n, 10, "json: ten members");
	tap_ok(sj_str(&o, "s") && !strcmp(sj_str(&o, "s"), "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80"),
	       "json: escapes and surrogate pairs decoded to UTF-8");
	tap_ok(!sj_i64(&o, "n", &i) && i == -12, "json: negative integer");
	tap_ok(!sj_u64(&o, "u", &u) && u == UINT64_MAX, "json: 64-bit unsigned");
	tap_ok(!sj_u64(&o, "h", &u) && u == 0x48001000, "json: hex address string as a number");
	tap_ok(sj_u64(&o, "n", &u) != 0, "json: a negative number is not a u64");
	tap_ok(sj_bool(&o, "t") == 1 && sj_bool(&o, "f") == 0 && sj_bool(&o, "z") == -1,
	       "json: booleans, null is not one");
	tap_ok(sj_get(&o, "obj") && !strcmp(sj_get(&o, "obj")->val, "{\"k\":[1,{\"q\":\"}\"}]}"),
	       "json: nested object kept raw, braces in strings respected");
	tap_ok(!sj_join_strings(sj_get(&o, "arr")->val, buf, sizeof(buf)) && !strcmp(buf, "x,y"),
	       "json: array of strings joined");
	tap_ok(sj_join_strings("[1,2]", buf, sizeof(buf)) == -EINVAL, "json: array of numbers is not joined");
	tap_ok(!sj_join_strings("[]", buf, sizeof(buf)) && !strcmp(buf, "-"), "json: empty array is '-'");
	{
		char small[8];

		tap_ok(!sj_join_strings("[\"aaaa\",\"bbbbbbbb\",\"c\"]", small, sizeof(small)) &&
		       !strcmp(small, "aaaa"), "json: a join too long is cut, never skips an element");
	}
	tap_ok(sj_get(&o, "missing") == NULL && sj_str(&o, "n") == NULL, "json: absent key, wrong type");
	sj_free(&o);

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		tap_ok(sj_parse(bad[k], strlen(bad[k]), &o) != 0, "json: rejects %s", bad[k]);

	{
		char big[64 * 8 + 64] = "{";
		size_t n = 1;

		for (int k = 0; k < SJ_MAX_MEMBERS + 1; k++)
			n += (size_t)snprintf(big + n, sizeof(big) - n, "%s\"k%d\":1", k ? "," : "", k);
		snprintf(big + n, sizeof(big) - n, "}");
		tap_eq(sj_parse(big, strlen(big), &o), -E2BIG, "json: too many members is -E2BIG");
	}
}

static void test_hello(void)
{
	struct cli_hello h;
	char msg[256];

	tap_eq(cli_check_hello("{\"protocol\":\"seawall-control\",\"version\":1,\"vmm\":\"swvm\","
			       "\"pid\":42,\"vm_fd\":7}\n", &h, msg, sizeof(msg)), 0, "hello: v1 accepted");
	tap_ok(h.pid == 42 && h.vm_fd == 7 && !strcmp(h.vmm, "swvm"), "hello: pid, vm_fd, vmm read");
	tap_eq(cli_check_hello("{\"protocol\":\"seawall-control\",\"version\":2}", &h, msg, sizeof(msg)),
	       -EPROTO, "hello: version 2 refused");
	tap_ok(strstr(msg, "version 2") != NULL, "hello: message names the version (%s)", msg);
	tap_eq(cli_check_hello("{\"protocol\":\"other\",\"version\":1}", &h, msg, sizeof(msg)),
	       -EPROTO, "hello: another protocol refused");
	tap_eq(cli_check_hello("{\"protocol\":\"seawall-control\"}", &h, msg, sizeof(msg)),
	       -EPROTO, "hello: missing version refused");
	tap_eq(cli_check_hello("{\"protocol\":\"seawall-control\",\"version\":\"1\"}", &h, msg, sizeof(msg)),
	       -EPROTO, "hello: version as a string refused");
	tap_eq(cli_check_hello("HTTP/1.1 400 Bad Request", &h, msg, sizeof(msg)), -EINVAL,
	       "hello: not JSON");
	tap_eq(cli_check_hello("{\"error\":\"unknown verb\",\"code\":3}", &h, msg, sizeof(msg)),
	       -EREMOTEIO, "hello: error reply");
	tap_ok(!strcmp(msg, "unknown verb (code 3)"), "hello: error text and code (%s)", msg);
}

static void test_errors(void)
{
	char msg[128];

	tap_eq(cli_reply_error("{\"error\":\"gpa 0x1000 is not guest memory\",\"code\":22}", msg,
			       sizeof(msg)), 1, "error reply recognised");
	tap_ok(!strcmp(msg, "gpa 0x1000 is not guest memory (code 22)"), "error reply text: %s", msg);
	tap_eq(cli_reply_error("{\"error\":\"no code\"}", msg, sizeof(msg)), 1, "error reply without code");
	tap_eq(cli_reply_error("{\"ok\":true}", msg, sizeof(msg)), 0, "ok reply is not an error");
	tap_eq(cli_reply_error("{\"seq\":1,\"error\":0}", msg, sizeof(msg)), 0,
	       "an event's numeric error field is not an error reply");
	tap_eq(cli_reply_error("garbage", msg, sizeof(msg)), -EINVAL, "garbage is -EINVAL");
}

static void test_render(void)
{
	char out[2048];
	struct cli_ledger ls = { 0 };
	int r;

	CAPTURE(out, r = cli_render_status(f, "{\"state\":\"running\",\"uptime_s\":3723.456,\"cpus\":2,"
		"\"mem_mib\":256,\"sea_exit_enabled\":true,\"restarts\":1,\"poisoned_pages\":3,"
		"\"events_total\":5,\"pid\":42,\"vm_fd\":7,\"debugfs\":\"/sys/kernel/debug/kvm/42-7\","
		"\"new_field\":9}"));
	tap_eq(r, 0, "status renders");
	tap_ok(strstr(out, "state             running\n") && strstr(out, "uptime            1h 2m 3s\n") &&
	       strstr(out, "memory            256 MiB\n") && strstr(out, "poisoned pages    3\n") &&
	       strstr(out, "SEA exits         enabled") && strstr(out, "debugfs           /sys/kernel/debug/kvm/42-7\n"),
	       "status: labelled lines");
	tap_ok(strstr(out, "new_field         9\n") != NULL, "status: unknown fields still shown");
	CAPTURE(out, r = cli_render_status(f, "{\"state\":"));
	tap_eq(r, -EINVAL, "status: truncated reply is -EINVAL");

	CAPTURE(out, r = cli_render_ledger(f, "{\"gpa\":\"0x48001000\",\"page_size\":4096,\"hits\":2,"
		"\"source\":\"sea\",\"guest_el\":0,\"first_ns\":1700000000123456789,\"last_ns\":0,"
		"\"flags\":5,\"actions\":[\"inject_dabt\",\"isolate\"]}", &ls));
	tap_eq(r, 0, "ledger entry renders");
	tap_ok(strstr(out, "GPA ") && strstr(out, "0x48001000") && strstr(out, " 4K ") &&
	       strstr(out, "EL0") && strstr(out, "2023-11-14T22:13:20.123Z") &&
	       strstr(out, "isolated,notified inject_dabt,isolate"),
	       "ledger: header, address, size, EL, time, flags from a mask, actions from names");
	CAPTURE(out, r = cli_render_ledger(f, "{\"gpa\":\"0x80000000\",\"page_shift\":21,\"hits\":1,"
		"\"source\":\"sigbus_ar\",\"guest_el\":-1}", &ls));
	tap_ok(!strstr(out, "GPA ") && strstr(out, " 2M ") && strstr(out, " ? "),
	       "ledger: header once, page_shift, unknown EL");
	CAPTURE(out, r = cli_render_ledger(f, "{\"end\":true,\"count\":2}", &ls));
	tap_ok(ls.ended && ls.count == 2 && ls.pages == 2 && !strcmp(out, "2 poisoned pages\n"),
	       "ledger: end marker counted");

	CAPTURE(out, r = cli_render_event(f, "{\"seq\":3,\"time_ns\":1700000000000000000,\"type\":\"poison\","
		"\"source\":\"sea\",\"gpa\":\"0x48001010\",\"page_gpa\":\"0x48001000\",\"page_size\":4096,"
		"\"gva\":\"0x1000\",\"hva\":\"0x0\",\"esr\":\"0x92000010\",\"count\":1,\"guest_el\":0,"
		"\"actions\":[\"inject_dabt\",\"isolate\"],\"restart_reason\":\"none\",\"error\":0}"));
	tap_eq(r, 0, "event renders");
	tap_ok(!strcmp(out, "#3 2023-11-14T22:13:20.000Z poison         sea       gpa 0x48001010 page "
		       "0x48001000/4K EL0 esr 0x92000010 hits 1 actions inject_dabt,isolate\n"),
	       "event: one line: %s", out);
	/* Schema 1 (docs/events.md): an RFC 3339 time, identity, nulls. */
	CAPTURE(out, r = cli_render_event(f, "{\"schema\":1,\"seq\":5,\"time\":\"2026-12-05T12:00:01.123456789Z\","
		"\"vm\":\"web-1\",\"uuid\":null,\"message_id\":\"0123456789abcdef0123456789abcdef\","
		"\"type\":\"repeat\",\"source\":\"sea\",\"gpa\":\"0x48001010\",\"page_gpa\":\"0x48001000\","
		"\"page_size\":4096,\"gva\":null,\"esr\":\"0x92000010\",\"count\":2,\"guest_el\":0,"
		"\"actions\":[\"inject_dabt\"],\"restart_reason\":null,\"error\":null}"));
	tap_ok(r == 0 && !strcmp(out, "#5 2026-12-05T12:00:01.123Z repeat         sea       gpa 0x48001010 page "
		       "0x48001000/4K EL0 esr 0x92000010 hits 2 actions inject_dabt\n"),
	       "event, schema 1: its time to the millisecond, no extras: %s", out);
	CAPTURE(out, r = cli_render_event(f, "{\"seq\":4,\"type\":\"restart\",\"source\":\"sea\","
		"\"restart_reason\":\"threshold\",\"error\":-5,\"reason\":\"8 pages\"}"));
	tap_ok(strstr(out, "restart=threshold") && strstr(out, "error=Input/output error") &&
	       strstr(out, "(8 pages)"), "event: restart reason, errno text, reason");
	CAPTURE(out, r = cli_render_event(f, "{\"end\":true,\"count\":4}"));
	tap_ok(r == 1 && !strcmp(out, "4 events\n"), "event: end marker");
}

static void test_decode(void)
{
	char out[4096], err[512];
	int r;

	CAPTURE(out, r = cli_decode_esr(f, stderr, "0x92000010", 0, 0));
	tap_eq(r, 0, "decode-esr 0x92000010");
	tap_ok(strstr(out, "ESR 0x92000010\n") &&
	       strstr(out, "  EC   0x24  DABT_LOW: data abort taken from a lower EL (guest EL0)\n") &&
	       strstr(out, "  FSC  0x10  synchronous external abort, not on a table walk\n") &&
	       strstr(out, "  WnR  0     read\n") && strstr(out, "  SET  -     ") &&
	       strstr(out, "summary: data abort from lower EL"),
	       "decode-esr: EC, FSC, WnR, SET lines and the summary");
	CAPTURE(out, r = cli_decode_esr(f, stderr, "2449477648", 0, 1));	/* 0x92001010 in decimal */
	tap_ok(r == 0 && strstr(out, "  SET  UC    uncontainable"), "decode-esr: decimal input, SET=UC");
	CAPTURE(out, r = cli_decode_esr(f, stderr, "0x96000050", 0, 1));
	tap_ok(r == 0 && strstr(out, "DABT_CUR") && strstr(out, "guest EL1") &&
	       strstr(out, "  WnR  1     write") && strstr(out, "  SET  UER   "),
	       "decode-esr: current EL, write, UER with --ras");
	CAPTURE(out, r = cli_decode_esr(f, stderr, "0x82000415", 0, 0));
	tap_ok(r == 0 && strstr(out, "IABT_LOW") && strstr(out, "table walk, level 1") &&
	       strstr(out, "  FnV  1     FAR is not valid") && !strstr(out, "  WnR "),
	       "decode-esr: instruction abort, walk level, FnV, no WnR line");
	CAPTURE(out, r = cli_decode_esr(f, stderr, "0x93c08010", 0, 0));
	tap_ok(r == 0 && strstr(out, "ignored: 0x1c08000"), "decode-esr: ISS bits outside the SEA mask ignored");
	CAPTURE(out, r = cli_decode_esr(f, stderr, "0x9200001c", 1, 0));
	tap_ok(r == 0 && !strcmp(out, "{\"esr\":\"0x9200001c\",\"kind\":\"data\",\"ec\":\"0x24\","
		"\"ec_name\":\"DABT_LOW\",\"lower_el\":true,\"il\":1,\"fsc\":\"0x1c\",\"fsc_class\":"
		"\"ecc_ttw\",\"level\":0,\"fnv\":0,\"ea\":0,\"cm\":0,\"wnr\":0,\"set\":\"none\","
		"\"ignored\":\"0x0\"}\n"), "decode-esr --json: %s", out);
	CAPTURE(err, r = cli_decode_esr(stdout, f, "0x96000004", 0, 0));
	tap_ok(r == -EINVAL && strstr(err, "not the syndrome of a synchronous external abort: FSC"),
	       "decode-esr: a translation fault is refused with the reason");
	CAPTURE(err, r = cli_decode_esr(stdout, f, "0x1g", 0, 0));
	tap_ok(r == -EINVAL && strstr(err, "is not a number"), "decode-esr: not a number");
	CAPTURE(err, r = cli_decode_esr(stdout, f, "0x1ffffffffffffffff", 0, 0));
	tap_ok(r == -EINVAL, "decode-esr: more than 64 bits");
}

static void test_numbers(void)
{
	uint64_t v;

	tap_ok(!cli_parse_u64("0x48001000", &v) && v == 0x48001000, "number: hex");
	tap_ok(!cli_parse_u64("4096", &v) && v == 4096, "number: decimal");
	tap_ok(cli_parse_u64("0x", &v) && cli_parse_u64("", &v) && cli_parse_u64("-1", &v) &&
	       cli_parse_u64("12a", &v) && cli_parse_u64(" 1", &v) && cli_parse_u64("0x-1", &v),
	       "number: junk refused");
}

/* What seawall says when it cannot reach swvm, from connect()'s errno and a stat(). */
static void test_connect(void)
{
	char m[512];

	cli_connect_error(m, sizeof(m), "/tmp/f", ECONNREFUSED, S_IFREG | 0644);
	tap_ok(strstr(m, "/tmp/f is a regular file, not a socket") != NULL, "regular file: %s", m);
	cli_connect_error(m, sizeof(m), "/tmp/d", ECONNREFUSED, S_IFDIR | 0755);
	tap_ok(strstr(m, "is a directory, not a socket") != NULL, "directory: %s", m);
	cli_connect_error(m, sizeof(m), "/tmp/s", ECONNREFUSED, S_IFSOCK | 0600);
	tap_ok(strstr(m, "nothing listens on /tmp/s") != NULL, "stale socket: %s", m);
	cli_connect_error(m, sizeof(m), "/tmp/s", EACCES, S_IFSOCK | 0600);
	tap_ok(strstr(m, "permission denied on /tmp/s") && strstr(m, "--control-group"),
	       "permission: %s", m);
	cli_connect_error(m, sizeof(m), "/tmp/n", ENOENT, 0);
	tap_ok(strstr(m, "no control socket at /tmp/n") != NULL, "absent: %s", m);
	cli_connect_error(m, sizeof(m), "/tmp/x", ETIMEDOUT, 0);
	tap_ok(strstr(m, "cannot connect to /tmp/x") != NULL, "other: %s", m);

	/* swvm's refusals come back as error replies the user reads as they are. */
	tap_eq(cli_reply_error("{\"error\":\"inject-test is not enabled: swvm serves it only "
			       "with --allow-inject-test (test rigs)\",\"code\":403}", m, sizeof(m)), 1,
	       "inject-test refused is an error reply");
	tap_ok(strstr(m, "--allow-inject-test") && strstr(m, "(code 403)"), "%s", m);
}

/* ---- the seawall command against a scripted swvm on a real socket ---- */

struct fake_swvm {
	int lfd;
	const char *reply;	/* to the request after hello; sent whole, then closed */
	char request[128];
};

static void *fake_swvm_thread(void *arg)
{
	struct fake_swvm *f = arg;

	/* Two connections: hello, then the request. */
	for (int k = 0; k < 2; k++) {
		char buf[128];
		size_t n = 0;
		int fd = accept(f->lfd, NULL, NULL);

		if (fd < 0)
			return NULL;
		while (n < sizeof(buf) - 1) {
			ssize_t r = read(fd, buf + n, 1);

			if (r <= 0 || buf[n] == '\n')
				break;
			n++;
		}
		buf[n] = '\0';
		if (!strcmp(buf, "hello")) {
			static const char h[] = "{\"protocol\":\"seawall-control\",\"version\":1,"
						"\"vmm\":\"swvm\",\"pid\":1,\"vm_fd\":3}\n";

			if (write(fd, h, sizeof(h) - 1) < 0)
				break;
		} else {
			snprintf(f->request, sizeof(f->request), "%s", buf);
			if (write(fd, f->reply, strlen(f->reply)) < 0)
				break;
		}
		close(fd);
	}
	return NULL;
}

static char run_out[8192], run_err[2048];

/* Run seawall with args (and --control sock when swvm_reply is set); its exit status. */
static int run_seawall(const char *sock, const char *swvm_reply, struct fake_swvm *f,
		       int argc, const char **args)
{
	char *argv[16];
	int n = 0, rc, saved_out, saved_err, o, e;
	char op[] = "/tmp/seawall-cli-out-XXXXXX", ep[] = "/tmp/seawall-cli-err-XXXXXX";
	pthread_t t;
	ssize_t k;

	argv[n++] = (char *)"seawall";
	if (swvm_reply) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		argv[n++] = (char *)"--control";
		argv[n++] = (char *)sock;
		unlink(sock);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
		f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
		f->reply = swvm_reply;
		f->request[0] = '\0';
		if (bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(f->lfd, 4) ||
		    pthread_create(&t, NULL, fake_swvm_thread, f))
			return -1;
	}
	for (int i = 0; i < argc; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;

	fflush(stdout);
	fflush(stderr);
	o = mkstemp(op);
	e = mkstemp(ep);
	saved_out = dup(1);
	saved_err = dup(2);
	dup2(o, 1);
	dup2(e, 2);
	control = DEFAULT_CONTROL;
	rc = seawall_main(n, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	k = pread(o, run_out, sizeof(run_out) - 1, 0);
	run_out[k > 0 ? k : 0] = '\0';
	k = pread(e, run_err, sizeof(run_err) - 1, 0);
	run_err[k > 0 ? k : 0] = '\0';
	close(o);
	close(e);
	unlink(op);
	unlink(ep);
	if (swvm_reply) {
		pthread_join(t, NULL);
		close(f->lfd);
		unlink(sock);
	}
	return rc;
}

#define RUN(reply, ...) run_seawall(sock, reply, &fake, \
	(int)(sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(const char *)), \
	(const char *[]){ __VA_ARGS__ })

static void test_command(void)
{
	static const char ev[] =
		"{\"seq\":1,\"time_ns\":1700000000000000000,\"type\":\"memory_error\","
		"\"source\":\"test\",\"gpa\":\"0x40001000\"}\n";
	static const char metrics[] =
		"# HELP seawall_events_total Memory error events taken, by source.\n"
		"# TYPE seawall_events_total counter\n"
		"seawall_events_total{source=\"sea\"} 2\n"
		"# HELP seawall_poisoned_pages Distinct poisoned guest pages.\n"
		"# TYPE seawall_poisoned_pages gauge\n"
		"seawall_poisoned_pages 1\n";
	char sock[64];
	struct fake_swvm fake;
	struct sj_obj o;
	int rc;

	snprintf(sock, sizeof(sock), "/tmp/seawall-cli-%d.sock", (int)getpid());

	rc = RUN(NULL, "--version");
	snprintf(sock, sizeof(sock), "seawall %d.%d (libseawall %s,", SEAWALL_VERSION_MAJOR,
		 SEAWALL_VERSION_MINOR, seawall_version());
	tap_ok(rc == 0 && strstr(run_out, sock) != NULL,
	       "--version: exit 0, prints the versions");
	snprintf(sock, sizeof(sock), "/tmp/seawall-cli-%d.sock", (int)getpid());
	rc = RUN(NULL, "--json", "--version");
	tap_ok(rc == 0 && !sj_parse(run_out, strlen(run_out), &o) &&
	       sj_str(&o, "libseawall") && sj_u64(&o, "protocol_version", &(uint64_t){ 0 }) == 0,
	       "--json --version: one JSON object");
	sj_free(&o);
	rc = RUN(NULL, "status", "--help");
	{
		static const char want[] = "usage: seawall [--control PATH] [--json] [--timeout S] "
					   "status\n\nThe VM's state";

		tap_ok(rc == 0 && !strncmp(run_out, want, sizeof(want) - 1),
		       "status --help: status's own usage");
	}
	rc = RUN(NULL, "help", "inject-test");
	tap_ok(rc == 0 && strstr(run_out, "inject-test GPA") && strstr(run_out, "3 when swvm refuses"),
	       "help inject-test: its usage and exit codes");
	rc = RUN(NULL, "frobnicate", "--help");
	tap_eq(rc, CLI_EXIT_USAGE, "an unknown command's --help is a usage error");

	/* Bad addresses and values: not a number is 2, whatever the command. */
	rc = RUN(NULL, "decode-esr", "0xzz");
	tap_eq(rc, CLI_EXIT_USAGE, "decode-esr: a value that is not a number exits 2");
	rc = RUN(NULL, "inject-test", "0xzz");
	tap_eq(rc, CLI_EXIT_USAGE, "inject-test: an address that is not a number exits 2");
	rc = RUN(NULL, "decode-esr", "0x1");
	tap_eq(rc, CLI_EXIT_FAIL, "decode-esr: a number that is not an SEA syndrome exits 1");
	rc = RUN("{\"error\":\"sea_inject refused 0x1000: Invalid argument\",\"code\":400}\n",
		 "inject-test", "0x1000");
	tap_eq(rc, CLI_EXIT_REFUSED, "inject-test: an address swvm refuses exits 3");
	tap_ok(!strcmp(fake.request, "inject-test 0x1000") && strstr(run_err, "sea_inject refused"),
	       "inject-test: the request sent and swvm's reason shown");
	rc = RUN("{\"error\":\"inject-test is not enabled\",\"code\":403}\n",
		 "inject-test", "0x1000");
	tap_eq(rc, CLI_EXIT_FAIL, "inject-test: swvm refusing the command (403) exits 1");

	/* events --follow: a stream swvm ends is swvm gone, not success. */
	rc = RUN(ev, "events", "--follow");
	tap_eq(rc, CLI_EXIT_FAIL, "events --follow: swvm closing the stream exits 1");
	tap_ok(!strcmp(fake.request, "events follow") && strstr(run_out, "#1 ") &&
	       strstr(run_err, "closed the events stream"), "events --follow: the event shown, "
	       "then why it stopped");
	rc = RUN(ev, "events");
	tap_eq(rc, CLI_EXIT_OK, "events without --follow: the end of the reply is success");

	/* --json on every command: metrics as one object per sample. */
	rc = RUN(metrics, "--json", "metrics");
	tap_eq(rc, CLI_EXIT_OK, "metrics --json: exit 0");
	tap_ok(!strcmp(run_out,
		       "{\"name\":\"seawall_events_total\",\"type\":\"counter\",\"help\":\"Memory "
		       "error events taken, by source.\",\"labels\":{\"source\":\"sea\"},\"value\":2}\n"
		       "{\"name\":\"seawall_poisoned_pages\",\"type\":\"gauge\",\"help\":\"Distinct "
		       "poisoned guest pages.\",\"labels\":{},\"value\":1}\n"),
	       "metrics --json: one JSON object per sample, typed, labelled");
	rc = RUN(metrics, "metrics");
	tap_ok(rc == 0 && !strcmp(run_out, metrics), "metrics: the text exposition as it came");
	rc = RUN(ev, "--json", "events");
	tap_ok(rc == 0 && !strcmp(run_out, ev), "events --json: swvm's lines as they came");
	rc = RUN(NULL, "--json", "decode-esr", "0x92000010");
	tap_ok(rc == 0 && run_out[0] == '{', "decode-esr --json: JSON");

	/* --control at something that is not a socket says so. */
	{
		char path[] = "/tmp/seawall-cli-file-XXXXXX";
		int fd = mkstemp(path);

		close(fd);
		rc = RUN(NULL, "--control", path, "status");
		tap_ok(rc == CLI_EXIT_FAIL && strstr(run_err, "is a regular file, not a socket"),
		       "--control at a regular file: exit 1, says it is not a socket");
		unlink(path);
	}
}

/* cli_metrics_json() on the library's own exposition and on hostile text. */
static void test_metrics_json(void)
{
	char *p = NULL, text[8192], *line, *save;
	size_t n = 0;
	FILE *f;
	int samples, lines = 0, good = 0;
	/* mmap'd, not a global: isolation takes the page away, and LSan scans globals. */
	size_t msz = 1 << 16;
	void *mem = mmap(NULL, msz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct seawall_ctx *ctx;

	SEAWALL_OPTS(seawall_ctx_opts, co);
	ctx = seawall_ctx_new(&co);
	SEAWALL_OPTS(seawall_region_opts, ro);
	ro.gpa = 0x40000000;
	ro.size = msz;
	ro.hva = mem;
	ro.flags = SEAWALL_REGION_NO_SLOT;
	tap_ok(ctx && seawall_region_add(ctx, &ro) == 0 &&
	       seawall_ctx_handle_test(ctx, 0x40001000, NULL) >= 0 &&
	       seawall_metrics_render(ctx, text, sizeof(text)) > 0, "metrics json: a real exposition");
	seawall_ctx_free(ctx);
	munmap(mem, msz);

	f = open_memstream(&p, &n);
	samples = cli_metrics_json(f, text);
	fclose(f);
	tap_ok(samples > 5, "metrics json: %d samples", samples);
	for (line = strtok_r(p, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct sj_obj o;

		lines++;
		if (!sj_parse(line, strlen(line), &o) && sj_str(&o, "name") &&
		    !strncmp(sj_str(&o, "name"), "seawall_", 8) && sj_str(&o, "type") &&
		    sj_get(&o, "labels") && sj_get(&o, "value") && sj_get(&o, "value")->type == SJ_NUMBER)
			good++;
		sj_free(&o);
	}
	tap_ok(lines == samples && good == samples, "metrics json: every line an object with "
	       "name, type, labels, a numeric value (%d of %d)", good, lines);
	free(p);

	p = NULL;
	f = open_memstream(&p, &n);
	samples = cli_metrics_json(f, "x{a=\"q\\\"\\\\\\n\",b=\"\"} NaN\ny +Inf\nz 1e3\n");
	fclose(f);
	tap_ok(samples == 3 && p && !strcmp(p,
		"{\"name\":\"x\",\"type\":null,\"help\":null,\"labels\":{\"a\":\"q\\\"\\\\\\n\",\"b\":\"\"},\"value\":\"NaN\"}\n"
		"{\"name\":\"y\",\"type\":null,\"help\":null,\"labels\":{},\"value\":\"+Inf\"}\n"
		"{\"name\":\"z\",\"type\":null,\"help\":null,\"labels\":{},\"value\":1e3}\n"),
	       "metrics json: escaped label values, NaN and +Inf as strings");
	free(p);

	f = open_memstream(&p, &n);
	tap_eq(cli_metrics_json(f, "x{a=\"unterminated} 1\n"), -EINVAL, "metrics json: a cut label");
	tap_eq(cli_metrics_json(f, "9x 1\n"), -EINVAL, "metrics json: a bad name");
	tap_eq(cli_metrics_json(f, "x\n"), -EINVAL, "metrics json: no value");
	fclose(f);
	free(p);

	tap_eq(cli_error_exit("{\"error\":\"sea_inject refused\",\"code\":400}", 1),
	       CLI_EXIT_REFUSED, "error exit: inject-test 400 is a refused address");
	tap_eq(cli_error_exit("{\"error\":\"busy\",\"code\":503}", 1), CLI_EXIT_FAIL,
	       "error exit: 503 is a failure");
	tap_eq(cli_error_exit("{\"error\":\"x\",\"code\":400}", 0), CLI_EXIT_FAIL,
	       "error exit: 400 to another command is a failure");
	for (const char *c = "status\0ledger\0events\0metrics\0inject-test\0decode-esr\0version\0";
	     *c; c += strlen(c) + 1) {
		f = open_memstream(&p, &n);
		tap_ok(cli_command_help(f, c) == 0, "help: %s has its own", c);
		fclose(f);
		free(p);
	}
}

int main(void)
{
	test_command();
	test_metrics_json();
	test_connect();
	test_json();
	test_hello();
	test_errors();
	test_render();
	test_decode();
	test_numbers();
	return tap_done();
}
