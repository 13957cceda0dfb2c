// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * seawall: the command-line side of seawall.  Talks to a running swvm over
 * its control socket ("seawall-control" version 1: one request line per
 * connection, JSON lines back), and decodes SEA syndromes offline.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "cli.h"

#define DEFAULT_CONTROL "/run/swvm.sock"
#define MAX_LINE (1u << 20)

static const char usage_text[] =
"usage: seawall [--control PATH] [--json] [--timeout S] COMMAND [ARGS]\n"
"\n"
"commands (talk to swvm over its control socket, default " DEFAULT_CONTROL "):\n"
"  status                      state of the VM and its error counters\n"
"  ledger                      the poisoned guest pages\n"
"  events [--follow]           the events so far (--follow: and new ones, until ^C)\n"
"  metrics                     Prometheus text exposition\n"
"  inject-test GPA [--fnv|--s2table]\n"
"                              ask swvm to raise a test error at GPA\n"
"offline:\n"
"  decode-esr VALUE [--ras]    decode an ESR (hex 0x... or decimal) as an SEA\n"
"  version                     the versions of seawall, libseawall, the protocol\n"
"\n"
"  --json       JSON lines on every command (swvm's as they come; metrics: one\n"
"               object per sample)\n"
"  --timeout S  give up on a silent swvm after S seconds (default 10)\n"
"  --version    same as the version command\n"
"  COMMAND --help, help COMMAND: that command's usage\n"
"exit status: 0 ok, 1 failure (no swvm, protocol mismatch, error reply, the events\n"
"stream cut by swvm), 2 usage (also: an address or value that is not a number),\n"
"3 swvm refused the address\n";

struct conn {
	int fd;
	char *buf;
	size_t len, cap;
	int timeout_ms;		/* -1: wait forever */
	int eof;
};

static const char *control = DEFAULT_CONTROL;

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("seawall: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	fwrite(usage_text, 1, strcspn(usage_text, "\n") + 1, stderr);
	fputs("(seawall --help for the commands)\n", stderr);
	return CLI_EXIT_USAGE;
}

static int conn_open(struct conn *c, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(c, 0, sizeof(*c));
	c->timeout_ms = timeout_ms;
	if (strlen(control) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "seawall: control socket path too long: %s\n", control);
		return -1;
	}
	strcpy(sa.sun_path, control);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fprintf(stderr, "seawall: socket: %s\n", strerror(errno));
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;
		struct stat st;
		char msg[512];

		cli_connect_error(msg, sizeof(msg), control, e,
				  stat(control, &st) ? 0 : (unsigned int)st.st_mode);
		fprintf(stderr, "seawall: %s\n", msg);
		close(c->fd);
		return -1;
	}
	return 0;
}

static void conn_close(struct conn *c)
{
	close(c->fd);
	free(c->buf);
}

static int conn_send(struct conn *c, const char *req)
{
	size_t n = strlen(req), off = 0;

	while (off < n) {
		ssize_t k = send(c->fd, req + off, n - off, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			fprintf(stderr, "seawall: sending to %s: %s\n", control, strerror(errno));
			return -1;
		}
		off += (size_t)k;
	}
	return 0;
}

/*
 * The next line (without its newline) in *line; 1, 0 at the end of the
 * reply, -1 on error.  A last line without a newline still counts.
 */
static int conn_line(struct conn *c, char **line)
{
	for (;;) {
		char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
		struct pollfd pfd = { c->fd, POLLIN, 0 };
		ssize_t k;
		int r;

		if (nl || (c->eof && c->len)) {
			size_t n = nl ? (size_t)(nl - c->buf) : c->len;

			*line = malloc(n + 1);
			if (!*line)
				return -1;
			memcpy(*line, c->buf, n);
			(*line)[n] = '\0';
			n += nl ? 1 : 0;
			memmove(c->buf, c->buf + n, c->len - n);
			c->len -= n;
			return 1;
		}
		if (c->eof)
			return 0;
		if (c->len >= MAX_LINE) {
			fprintf(stderr, "seawall: a reply line from %s is longer than %u bytes\n",
				control, MAX_LINE);
			return -1;
		}
		if (c->cap - c->len < 4096) {
			size_t cap = c->cap ? c->cap * 2 : 8192;
			char *b = realloc(c->buf, cap);

			if (!b)
				return -1;
			c->buf = b;
			c->cap = cap;
		}
		r = poll(&pfd, 1, c->timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			fprintf(stderr, "seawall: no reply from %s in %d s\n", control,
				c->timeout_ms / 1000);
			return -1;
		}
		k = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			fprintf(stderr, "seawall: reading from %s: %s\n", control, strerror(errno));
			return -1;
		}
		if (k == 0)
			c->eof = 1;
		c->len += (size_t)k;
	}
}

/* Say hello and check the protocol; 0 or -1 (reported). */
static int hello(int timeout_ms)
{
	struct cli_hello h;
	struct conn c;
	char msg[256], *line = NULL;
	int r;

	if (conn_open(&c, timeout_ms))
		return -1;
	if (conn_send(&c, "hello\n") || (r = conn_line(&c, &line)) < 0) {
		conn_close(&c);
		return -1;
	}
	if (r == 0) {
		fprintf(stderr, "seawall: %s closed the connection without a reply to hello\n",
			control);
		conn_close(&c);
		return -1;
	}
	r = cli_check_hello(line, &h, msg, sizeof(msg));
	if (r == -EREMOTEIO)
		fprintf(stderr, "seawall: swvm refused hello: %s\n", msg);
	else if (r)
		fprintf(stderr, "seawall: %s: %s\n", control, msg);
	free(line);
	conn_close(&c);
	return r ? -1 : 0;
}

enum cmd { C_STATUS, C_LEDGER, C_EVENTS, C_METRICS, C_INJECT };

/* Send req, handle each reply line; returns the exit status. */
static int request(enum cmd cmd, const char *req, int json, int follow, int timeout_ms)
{
	struct cli_ledger ls = { 0 };
	struct conn c;
	char msg[512], *line, *text = NULL;
	size_t text_len = 0;
	int r, lines = 0, rc = CLI_EXIT_OK;

	if (hello(timeout_ms))
		return CLI_EXIT_FAIL;
	if (conn_open(&c, timeout_ms))
		return CLI_EXIT_FAIL;
	if (conn_send(&c, req)) {
		conn_close(&c);
		return CLI_EXIT_FAIL;
	}
	while ((r = conn_line(&c, &line)) > 0) {
		int first = lines++ == 0;

		/* An error reply is one JSON object, first and alone. */
		if (first && line[0] == '{' && cli_reply_error(line, msg, sizeof(msg)) == 1) {
			fprintf(stderr, "seawall: swvm: %s\n", msg);
			rc = cli_error_exit(line, cmd == C_INJECT);
			free(line);
			break;
		}
		if (cmd == C_METRICS && json) {
			/* The exposition is read whole: HELP and TYPE come before the samples. */
			size_t n = strlen(line);
			char *t = realloc(text, text_len + n + 2);

			if (!t) {
				free(line);
				rc = CLI_EXIT_FAIL;
				break;
			}
			text = t;
			memcpy(text + text_len, line, n);
			text_len += n;
			text[text_len++] = '\n';
			text[text_len] = '\0';
		} else if (json || cmd == C_METRICS) {
			fputs(line, stdout);
			fputc('\n', stdout);
		} else {
			int bad = 0;

			switch (cmd) {
			case C_STATUS:
				bad = cli_render_status(stdout, line) < 0;
				break;
			case C_LEDGER:
				bad = cli_render_ledger(stdout, line, &ls) < 0;
				break;
			case C_EVENTS:
				bad = cli_render_event(stdout, line) < 0;
				break;
			case C_INJECT:
				if (cli_reply_error(line, msg, sizeof(msg)) == 0 && strstr(line, "\"ok\":true"))
					printf("swvm raised a test error: %s", req + strlen("inject-test "));
				else
					bad = 1;
				break;
			default:
				break;
			}
			if (bad) {
				fprintf(stderr, "seawall: unexpected reply from swvm: %.200s\n", line);
				rc = CLI_EXIT_FAIL;
			}
		}
		fflush(stdout);
		free(line);
	}
	if (r < 0)
		rc = CLI_EXIT_FAIL;
	else if (follow && rc == CLI_EXIT_OK) {
		/* A follower ends with ^C; a stream that ends by itself means swvm went away. */
		fprintf(stderr, "seawall: swvm closed the events stream (swvm stopped?)\n");
		rc = CLI_EXIT_FAIL;
	} else if (cmd == C_METRICS && json && rc == CLI_EXIT_OK) {
		if (text && cli_metrics_json(stdout, text) < 0) {
			fprintf(stderr, "seawall: the metrics reply is not the Prometheus text format\n");
			rc = CLI_EXIT_FAIL;
		}
	} else if (!lines && cmd != C_METRICS) {
		fprintf(stderr, "seawall: swvm closed the connection without a reply\n");
		rc = CLI_EXIT_FAIL;
	} else if (cmd == C_LEDGER && !json && rc == CLI_EXIT_OK) {
		if (!ls.ended) {
			fprintf(stderr, "seawall: the ledger reply ended without its end marker\n");
			rc = CLI_EXIT_FAIL;
		} else if (ls.count != ls.pages) {
			fprintf(stderr, "seawall: the ledger reply counts %" PRIu64 " pages but held %"
				PRIu64 "\n", ls.count, ls.pages);
			rc = CLI_EXIT_FAIL;
		}
	}
	free(text);
	conn_close(&c);
	return rc;
}

int main(int argc, char **argv)
{
	const char *pos[4];
	int npos = 0, json = 0, follow = 0, ras = 0, timeout_s = 10, help = 0, version = 0;
	const char *mode = NULL;
	char req[128];
	uint64_t gpa;
	enum cmd cmd;

	signal(SIGPIPE, SIG_IGN);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--control") || !strncmp(a, "--control=", 10)) {
			if (a[9] == '=')
				control = a + 10;
			else if (++i < argc)
				control = argv[i];
			else
				return usage_error("%s needs a path", a);
			if (!*control)
				return usage_error("%s needs a path", "--control");
		} else if (!strcmp(a, "--timeout") || !strncmp(a, "--timeout=", 10)) {
			const char *v = a[9] == '=' ? a + 10 : ++i < argc ? argv[i] : NULL;
			uint64_t t;

			if (!v || cli_parse_u64(v, &t) || t < 1 || t > 3600)
				return usage_error("%s takes 1..3600 seconds", "--timeout");
			timeout_s = (int)t;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--follow") || !strcmp(a, "-f")) {
			follow = 1;
		} else if (!strcmp(a, "--fnv") || !strcmp(a, "--s2table")) {
			if (mode)
				return usage_error("%s: only one of --fnv and --s2table", a);
			mode = a + 2;
		} else if (!strcmp(a, "--ras")) {
			ras = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			help = 1;
		} else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			version = 1;
		} else if (a[0] == '-' && a[1]) {
			return usage_error("unknown option %s", a);
		} else {
			if (npos == (int)(sizeof(pos) / sizeof(pos[0])))
				return usage_error("too many arguments (%s)", a);
			pos[npos++] = a;
		}
	}
	/* seawall --help, seawall CMD --help, seawall help [CMD]. */
	if (help || (npos && !strcmp(pos[0], "help"))) {
		const char *topic = npos && strcmp(pos[0], "help") ? pos[0] : npos > 1 ? pos[1] : NULL;

		if (!topic) {
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		}
		if (cli_command_help(stdout, topic))
			return usage_error("no such command: %s", topic);
		return CLI_EXIT_OK;
	}
	if (version || (npos && !strcmp(pos[0], "version"))) {
		if (npos > (version ? 0 : 1) || follow || mode || ras)
			return usage_error("%s", "--version takes only --json");
		cli_version(stdout, json);
		return CLI_EXIT_OK;
	}
	if (!npos)
		return usage_error("%s", "no command given");

	if (!strcmp(pos[0], "decode-esr")) {
		uint64_t v;

		if (npos != 2)
			return usage_error("%s", "decode-esr takes one VALUE");
		if (follow || mode)
			return usage_error("%s", "decode-esr takes only --ras and --json");
		if (cli_parse_u64(pos[1], &v))
			return usage_error("decode-esr: '%s' is not a number (0x... or decimal)", pos[1]);
		return cli_decode_esr(stdout, stderr, pos[1], json, ras) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
	}
	if (ras)
		return usage_error("%s", "--ras is for decode-esr");
	if (mode && strcmp(pos[0], "inject-test"))
		return usage_error("--%s is for inject-test", mode);
	if (follow && strcmp(pos[0], "events"))
		return usage_error("%s", "--follow is for events");

	if (!strcmp(pos[0], "status") || !strcmp(pos[0], "ledger") || !strcmp(pos[0], "metrics")) {
		if (npos != 1)
			return usage_error("%s takes no arguments", pos[0]);
		cmd = pos[0][0] == 's' ? C_STATUS : pos[0][0] == 'l' ? C_LEDGER : C_METRICS;
		snprintf(req, sizeof(req), "%s\n", pos[0]);
	} else if (!strcmp(pos[0], "events")) {
		if (npos != 1)
			return usage_error("%s takes no arguments", pos[0]);
		cmd = C_EVENTS;
		snprintf(req, sizeof(req), follow ? "events follow\n" : "events\n");
	} else if (!strcmp(pos[0], "inject-test")) {
		if (npos != 2)
			return usage_error("%s", "inject-test takes one GPA");
		if (cli_parse_u64(pos[1], &gpa))
			return usage_error("inject-test: '%s' is not an address (0x... or decimal)", pos[1]);
		cmd = C_INJECT;
		snprintf(req, sizeof(req), "inject-test 0x%" PRIx64 "%s%s\n", gpa, mode ? " " : "",
			 mode ? mode : "");
	} else {
		return usage_error("unknown command %s", pos[0]);
	}
	return request(cmd, req, json, follow, cmd == C_EVENTS && follow ? -1 : timeout_s * 1000);
}
