// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * swvm's control-socket read loop, ctl_read_request() of vmm/proto.c,
 * on a scripted client: any bytes, any chunking, any pauses, signals, an
 * end of file or silence, against a fake clock and an absolute deadline;
 * then ctl_parse() of what it read, as control.c does.
 *
 * Input: u8 deadline (ms = 8 * value) | u8 flags (bit 0: the client
 *        closes after its last chunk, else falls silent) | chunks, each
 *        u8 gap (bit 7: a signal interrupts the read first; ms = 4 * the
 *        rest, from the previous chunk) | u8 length | that many bytes.
 *
 * Properties: the result is what a model of the client computes without
 * any read loop: the bytes that arrived by the deadline, cut at 512; the
 * line plus only what came with it (no wait for more); 413 for 512 bytes
 * without a newline, 408 when the line was not in by the deadline; and
 * buf holds exactly those bytes.  The reader never asks for a byte past
 * 512, never waits past its deadline, reads a bounded number of times and
 * returns once (one request per connection); what it returns with a byte
 * after its first newline parses to 400, over 512 bytes never parses.
 */
#include <errno.h>

#include "../../vmm/proto.c"
#include "fuzz.h"

#define MAX_CHUNKS	64
#define MS		1000000ULL

struct chunk {
	const uint8_t *p;
	size_t len;
	uint64_t at;		/* ns: when the client has sent it */
	bool eintr;
};

struct client {
	struct chunk c[MAX_CHUNKS];
	size_t n, next, off;	/* chunk being read, bytes of it read */
	bool eof;
	bool eintr_done;
	uint64_t now, deadline;
	size_t given;		/* bytes handed to the reader */
	unsigned int reads;
	bool late;		/* the reader waited past its deadline */
	bool overask;		/* asked for a byte past 512 */
};

static long client_read(void *arg, char *buf, size_t cap, int timeout_ms)
{
	struct client *cl = arg;
	struct chunk *c;
	size_t k;

	cl->reads++;
	fuzz_check(cl->reads < 4 * MAX_CHUNKS + 8, "%u reads", cl->reads);
	if (cap == 0 || cl->given + cap > CTL_MAX_REQUEST)
		cl->overask = true;
	fuzz_check(timeout_ms >= 0, "timeout %d", timeout_ms);
	while (cl->next < cl->n && cl->off == cl->c[cl->next].len) {
		cl->next++;
		cl->off = 0;
		cl->eintr_done = false;
	}
	if (cl->next == cl->n) {
		if (cl->eof)
			return 0;
		cl->now += (uint64_t)timeout_ms * MS;	/* silence: poll() times out */
		if (cl->now > cl->deadline)
			cl->late = true;
		return -EAGAIN;
	}
	c = &cl->c[cl->next];
	if (c->at > cl->now + (uint64_t)timeout_ms * MS) {
		cl->now += (uint64_t)timeout_ms * MS;
		if (cl->now > cl->deadline)
			cl->late = true;
		return -EAGAIN;
	}
	if (c->at > cl->now)
		cl->now = c->at;
	if (cl->now > cl->deadline)
		cl->late = true;
	if (c->eintr && !cl->eintr_done && cl->off == 0) {
		cl->eintr_done = true;
		return -EINTR;
	}
	k = c->len - cl->off;
	if (k > cap)
		k = cap;
	memcpy(buf, c->p + cl->off, k);
	cl->off += k;
	cl->given += k;
	return (long)k;
}

static uint64_t client_now(void *arg)
{
	return ((struct client *)arg)->now;
}

/*
 * The answer, without a read loop: the chunks in order with their times.
 * now is the clock each time the reader looks at it; a chunk that lands
 * on the deadline still counts, unless a signal makes the reader look at
 * the clock again first.
 */
static int model(const struct client *cl, char *out)
{
	uint64_t now = 0;
	size_t len = 0;
	bool line = false;

	for (size_t i = 0; i < cl->n; i++) {
		const struct chunk *c = &cl->c[i];

		if (!c->len)
			continue;	/* nothing to read: no time either */
		if (line) {
			if (c->at > now)
				break;	/* sent later: not waited for */
		} else {
			if (now >= cl->deadline || c->at > cl->deadline)
				return -CTL_E_TIMEOUT;
			now = c->at;
			if (c->eintr && now >= cl->deadline)
				return -CTL_E_TIMEOUT;
		}
		for (size_t k = 0; k < c->len && len < CTL_MAX_REQUEST; k++) {
			out[len++] = (char)c->p[k];
			if (c->p[k] == '\n')
				line = true;
		}
		if (len == CTL_MAX_REQUEST)
			return line ? (int)len : -CTL_E_TOOLONG;
	}
	if (line)
		return (int)len;
	if (now >= cl->deadline || !cl->eof)
		return -CTL_E_TIMEOUT;
	return (int)len;	/* an end of file ends the line */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct client cl = { 0 };
	struct ctl_io io = { .read = client_read, .now_ns = client_now, .arg = &cl };
	char buf[CTL_MAX_REQUEST], want[CTL_MAX_REQUEST];
	struct ctl_req req;
	const char *why = NULL;
	uint64_t t = 0;
	const char *nl;
	int got, exp, code;

	cl.deadline = 8 * fuzz_take(&in, 1) * MS;
	cl.eof = fuzz_take(&in, 1) & 1;
	while (in.n >= 2 && cl.n < MAX_CHUNKS) {
		unsigned int gap = (unsigned int)fuzz_take(&in, 1);
		size_t len = (size_t)fuzz_take(&in, 1);

		if (len > in.n)
			len = in.n;
		t += (gap & 0x7f) * 4 * MS;
		cl.c[cl.n++] = (struct chunk){ .p = in.p, .len = len, .at = t,
					       .eintr = gap & 0x80 };
		in.p += len;
		in.n -= len;
	}
	memset(buf, 0xa5, sizeof(buf));
	got = ctl_read_request(&io, buf, sizeof(buf), cl.deadline);
	exp = model(&cl, want);

	fuzz_check(!cl.overask, "asked for bytes past %d", CTL_MAX_REQUEST);
	fuzz_check(!cl.late, "waited past the deadline (%llu > %llu ns)",
		   (unsigned long long)cl.now, (unsigned long long)cl.deadline);
	fuzz_check(got == exp, "read %d, the model says %d", got, exp);
	fuzz_check(got < 0 || !memcmp(buf, want, (size_t)got), "the bytes differ from the model's");
	fuzz_check(got <= CTL_MAX_REQUEST, "%d bytes", got);
	if (got < 0) {
		fuzz_check(got == -CTL_E_TIMEOUT || got == -CTL_E_TOOLONG, "code %d", -got);
		return 0;
	}
	/* One request per connection: nothing more is read once it returned. */
	fuzz_check(cl.given == (size_t)got, "gave %zu, returned %d", cl.given, got);

	code = ctl_parse(buf, (size_t)got, &req, &why);
	nl = memchr(buf, '\n', (size_t)got);
	if (nl && nl < buf + got - 1)
		fuzz_check(code == CTL_E_MALFORMED, "a byte after the first line gave %d", code);
	if (code)
		fuzz_check(code == CTL_E_MALFORMED || code == CTL_E_UNKNOWN, "code %d", code);
	return 0;
}
