/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/* Copyright (C) 2026 The Seawall authors */
/*
 * The seawall CLI's logic, without sockets: checking swvm's replies and
 * turning them into human-readable text, and decode-esr.  Unit-tested
 * natively (tests/unit/test_cli.c).
 */
#ifndef SEAWALL_TOOLS_CLI_H
#define SEAWALL_TOOLS_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_PROTOCOL	"seawall-control"
#define CLI_VERSION	1

/* Exit status of the seawall command (seawall(1), EXIT STATUS). */
#define CLI_EXIT_OK	0
#define CLI_EXIT_FAIL	1	/* no swvm, protocol mismatch, error reply, bad reply,
				   an events --follow stream cut by swvm */
#define CLI_EXIT_USAGE	2	/* bad command line, an address or value not a number */
#define CLI_EXIT_REFUSED 3	/* a well-formed address swvm refused (not guest memory) */

struct cli_hello {
	int64_t version;
	int64_t pid;
	int64_t vm_fd;
	char vmm[32];
};

/* Hex ("0x...") or decimal, the whole string, 64 bits. 0 or -EINVAL. */
int cli_parse_u64(const char *s, uint64_t *v);

/*
 * What to tell the user when connect() to the control socket at path
 * failed with err (an errno); mode: path's st_mode from stat(), 0 when
 * stat() failed too.  One line, no newline, into msg.
 */
void cli_connect_error(char *msg, size_t len, const char *path, int err, unsigned int mode);

/*
 * Is line an error reply ({"error":"...","code":N})?  1 with msg set to
 * "TEXT (code N)", 0 if not, -EINVAL when line is not a JSON object.
 */
int cli_reply_error(const char *line, char *msg, size_t len);

/*
 * Check the reply to "hello".  0; -EREMOTEIO on an error reply;
 * -EPROTO on another protocol or version; -EINVAL when unreadable.
 * msg says what was wrong.
 */
int cli_check_hello(const char *line, struct cli_hello *h, char *msg, size_t len);

/* Human renderings of one reply line each; 0 or -EINVAL (not an object). */
int cli_render_status(FILE *f, const char *line);

struct cli_ledger {
	uint64_t pages;		/* entries printed */
	uint64_t count;		/* from the end marker */
	int header_done;
	int ended;
};
/* Entries, then the {"end":true,"count":N} marker. */
int cli_render_ledger(FILE *f, const char *line, struct cli_ledger *st);
/* One event line; an {"end":...} marker is reported as 1. */
int cli_render_event(FILE *f, const char *line);

/* Text of a time in ns since the epoch, UTC, millisecond precision. */
void cli_format_time(uint64_t ns, char *buf, size_t len);
/* 4K, 64K, 2M, 1G, or bytes. */
void cli_format_size(uint64_t bytes, char *buf, size_t len);

/*
 * decode-esr: decode value as the ESR of an SEA (bits the kernel never
 * passes on are reported and ignored).  ras: the VM has FEAT_RAS.
 * Returns 0, or -EINVAL (not a number, not an SEA syndrome; a message was
 * written to err).
 */
int cli_decode_esr(FILE *out, FILE *err, const char *value, int json, int ras);

/* The exit status for an error reply line to a request (inject: inject-test). */
int cli_error_exit(const char *line, int inject);

/*
 * The Prometheus text exposition in text as JSON lines, one per sample:
 * {"name":...,"type":...,"help":...,"labels":{...},"value":N}.  A value
 * that is not a finite number (NaN, +Inf) is a string.  The number of
 * samples, or -EINVAL at a line that is not the text format.
 */
int cli_metrics_json(FILE *out, const char *text);

/* seawall --version: the CLI's, the library's and the protocol's versions. */
void cli_version(FILE *out, int json);

/* seawall CMD --help; 0, or -ENOENT for an unknown command. */
int cli_command_help(FILE *out, const char *cmd);

#endif
