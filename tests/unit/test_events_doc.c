// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * docs/events.md against the library: the members table is exactly what
 * seawall_event_render_json() writes (in order), the types table has every
 * type with the library's MESSAGE_ID and level, and events a real context
 * produces hold a value only in the members the document lists for their
 * type.  Then what the schema promises: an RFC 3339 time, no number past
 * 2^53, null for the unknown, the identity, a sequence that goes on after
 * a journal reload (and a journal of 0.1 still loads), the structured log.
 *
 * SEAWALL_EVENTS_MD overrides the document's path (default docs/events.md,
 * from the top of the tree, where make runs the tests).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "tap.h"

#define RAM	0x40000000ull
#define MAXK	32
#define MAXEV	64

struct keys {
	int n;
	char name[MAXK][32];
	bool null[MAXK];
	bool bignum;			/* a number past 2^53 */
};

/* The top-level members of one JSON object: names, and which are null. */
static int parse_keys(const char *s, struct keys *k)
{
	memset(k, 0, sizeof(*k));
	if (*s++ != '{')
		return -1;
	while (*s && *s != '}') {
		const char *e;
		int depth = 0;

		if (*s == ',')
			s++;
		if (*s++ != '"' || !(e = strchr(s, '"')) || k->n == MAXK ||
		    (size_t)(e - s) >= sizeof(k->name[0]))
			return -1;
		memcpy(k->name[k->n], s, (size_t)(e - s));
		s = e + 1;
		if (*s++ != ':')
			return -1;
		k->null[k->n] = !strncmp(s, "null", 4);
		if (*s >= '0' && *s <= '9' && strtoull(s, NULL, 10) >= (1ull << 53))
			k->bignum = true;
		k->n++;
		/* Skip the value: strings (with escapes), arrays, literals. */
		for (bool str = false; *s; s++) {
			if (str) {
				if (*s == '\\' && s[1])
					s++;
				else if (*s == '"')
					str = false;
				continue;
			}
			if (*s == '"')
				str = true;
			else if (*s == '[')
				depth++;
			else if (*s == ']')
				depth--;
			else if ((*s == ',' || *s == '}') && !depth)
				break;
		}
	}
	return *s == '}' && !s[1] ? 0 : -1;
}

static int key_index(const struct keys *k, const char *name)
{
	for (int i = 0; i < k->n; i++)
		if (!strcmp(k->name[i], name))
			return i;
	return -1;
}

/* ---- the document ---- */

struct doc_type {
	char name[32];
	char message_id[40];
	char level[16];
	struct keys valued;		/* members with a value */
};

static struct keys doc_members;
static struct doc_type doc_types[32];
static int ndoc_types;

/* The backquoted words of s, in order, into k (names only). */
static void quoted_words(const char *s, struct keys *k)
{
	const char *e;

	while ((s = strchr(s, '`')) && (e = strchr(s + 1, '`')) && k->n < MAXK) {
		size_t n = (size_t)(e - s - 1);

		if (n < sizeof(k->name[0])) {
			memcpy(k->name[k->n], s + 1, n);
			k->name[k->n][n] = 0;
			k->n++;
		}
		s = e + 1;
	}
}

/* Cell i (from 0) of a table row "| a | b | c |", backquotes kept. */
static bool cell(const char *row, int i, char *out, size_t len)
{
	const char *s = row, *e;

	for (int k = 0; k <= i; k++) {
		s = strchr(s, '|');
		if (!s)
			return false;
		s++;
	}
	e = strchr(s, '|');
	if (!e)
		return false;
	while (*s == ' ')
		s++;
	while (e > s && e[-1] == ' ')
		e--;
	if ((size_t)(e - s) >= len)
		return false;
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = 0;
	return true;
}

static void unquote(char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '`' && s[n - 1] == '`') {
		memmove(s, s + 1, n - 2);
		s[n - 2] = 0;
	}
}

static int read_doc(const char *path)
{
	char line[2048], c0[32];
	int table = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "| Member |", 10)) {
			table = 1;
			continue;
		}
		if (!strncmp(line, "| Type |", 8)) {
			table = 2;
			continue;
		}
		if (line[0] != '|') {
			table = 0;
			continue;
		}
		if (!strncmp(line, "|--", 3) || !cell(line, 0, c0, sizeof(c0)))
			continue;
		unquote(c0);
		if (table == 1 && doc_members.n < MAXK) {
			snprintf(doc_members.name[doc_members.n++], sizeof(doc_members.name[0]), "%s", c0);
		} else if (table == 2 && ndoc_types < (int)SW_ARRAY_SIZE(doc_types)) {
			struct doc_type *t = &doc_types[ndoc_types++];
			char rest[1024];

			snprintf(t->name, sizeof(t->name), "%s", c0);
			cell(line, 1, t->message_id, sizeof(t->message_id));
			unquote(t->message_id);
			cell(line, 2, t->level, sizeof(t->level));
			if (cell(line, 3, rest, sizeof(rest)))
				quoted_words(rest, &t->valued);
		}
	}
	fclose(f);
	return 0;
}

static const struct doc_type *doc_type(const char *name)
{
	for (int i = 0; i < ndoc_types; i++)
		if (!strcmp(doc_types[i].name, name))
			return &doc_types[i];
	return NULL;
}

static const char *level_word(int level)
{
	return level == SEAWALL_LOG_ERR ? "err" : level == SEAWALL_LOG_WARN ? "warning" :
	       level == SEAWALL_LOG_INFO ? "info" : level == SEAWALL_LOG_DEBUG ? "debug" : "?";
}

/* ---- events from a real context ---- */

static struct seawall_event evs[MAXEV];
static char json[MAXEV][1024];
static int nev;
static char vm_seen[MAXEV][64];

struct logged {
	int level;
	char type[32], message_id[40], json[1024];
};
static struct logged logs[MAXEV];
static int nlogs;

static void on_event(const struct seawall_event *ev, void *arg)
{
	(void)arg;
	if (nev < MAXEV) {
		evs[nev] = *ev;
		snprintf(vm_seen[nev], sizeof(vm_seen[0]), "%s", ev->vm ? ev->vm : "(null)");
		seawall_event_render_json(ev, json[nev], sizeof(json[0]));
		nev++;
	}
}

static void on_log(int level, const char *type, const char *message_id, const char *js,
		   void *arg)
{
	(void)arg;
	if (nlogs < MAXEV) {
		struct logged *l = &logs[nlogs++];

		l->level = level;
		snprintf(l->type, sizeof(l->type), "%s", type);
		snprintf(l->message_id, sizeof(l->message_id), "%s", message_id);
		snprintf(l->json, sizeof(l->json), "%s", js);
	}
}

static int fail_set(void *arg, const struct seawall_memslot *s)
{
	(void)arg;
	(void)s;
	return -EIO;
}

static const char *const always[] = {
	"schema", "seq", "time", "vm", "uuid", "message_id", "type", "actions",
};

static bool seen_type[SEAWALL_EV_LEDGER_FULL + 1];
static int checked_events, bad_events;

/* Every event so far: its keys with a value are those its type's row lists. */
static void check_events(void)
{
	for (int i = 0; i < nev; i++) {
		const char *tn = sw_event_type_name(evs[i].type);
		const struct doc_type *t = tn ? doc_type(tn) : NULL;
		struct keys k;
		bool ok = t && parse_keys(json[i], &k) == 0;

		for (int m = 0; ok && m < k.n; m++) {
			bool listed = key_index(&t->valued, k.name[m]) >= 0;

			for (size_t a = 0; a < SW_ARRAY_SIZE(always); a++)
				listed |= !strcmp(always[a], k.name[m]);
			if (!k.null[m] && !listed) {
				printf("# %s: %s has a value, not listed for the type\n", json[i],
				       k.name[m]);
				ok = false;
			}
		}
		if (ok && evs[i].type < SW_ARRAY_SIZE(seen_type))
			seen_type[evs[i].type] = true;
		checked_events++;
		bad_events += !ok;
	}
	nev = 0;
}

static void make_journal(const char *path, int npages, uint64_t base)
{
	struct seawall_journal *j;
	struct seawall_page pg;

	unlink(path);
	j = seawall_journal_open(path, SEAWALL_JOURNAL_NOSYNC);
	for (int i = 0; j && i < npages; i++) {
		memset(&pg, 0, sizeof(pg));
		pg.gpa = base + (uint64_t)i * 0x1000;
		pg.first_ns = pg.last_ns = 1;
		pg.hits = 1;
		pg.page_shift = 12;
		pg.source = SEAWALL_SRC_TEST;
		pg.guest_el = -1;
		seawall_journal_append(j, &pg);
	}
	seawall_journal_close(j);
}

static struct seawall_ctx *ctx_with(const char *journal, const struct seawall_memslot_ops *ops,
				    unsigned int max_pages, unsigned int notify_cap,
				    unsigned int sigbus_cap, void *mem)
{
	SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE,
		     .strategy = tap_isolate_strategy());
	SEAWALL_OPTS(seawall_region_opts, ro);
	struct seawall_ctx *ctx;

	o.journal_path = journal;
	o.journal_nosync = 1;
	o.event_fn = on_event;
	o.event_log_fn = on_log;
	o.vm_name = "vm-a";
	o.vm_uuid = "6f1c2a9e-0d4b-4e53-9a43-1b8f0c2d3e4f";
	o.max_pages = max_pages;
	o.notify_capacity = notify_cap;
	o.sigbus_capacity = sigbus_cap;
	o.event_hva = 1;
	if (ops) {
		o.memslot_ops = ops;
		o.spare_slot_base = 1;
		o.spare_slot_count = 4;
	}
	ctx = seawall_ctx_new(&o);
	if (!ctx)
		return NULL;
	ro.gpa = RAM;
	ro.size = 1 << 20;
	ro.hva = mem;
	ro.slot = 0;
	if (!ops)
		ro.flags = SEAWALL_REGION_NO_SLOT;
	seawall_region_add(ctx, &ro);
	return ctx;
}

static bool rfc3339(const char *js)
{
	const char *t = strstr(js, "\"time\":\"");
	int y, mo, d, h, mi, s, n = 0;
	unsigned int frac;

	if (!t)
		return false;
	t += 8;
	return sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d.%9u%n", &y, &mo, &d, &h, &mi, &s, &frac, &n) == 7 &&
	       n == 29 && !strncmp(t + n, "Z\"", 2);
}

int main(void)
{
	const char *doc = getenv("SEAWALL_EVENTS_MD") ? getenv("SEAWALL_EVENTS_MD") : "docs/events.md";
	char dir[] = "/tmp/seawall-evdoc-XXXXXX", path[128];
	struct seawall_outcome out;
	struct seawall_ctx *ctx;
	uint8_t *mem;
	int r;

	r = read_doc(doc);
	if (r < 0) {
		printf("# %s: %s\n", doc, strerror(-r));
		tap_ok(0, "read %s", doc);
		return tap_done();
	}
	tap_ok(doc_members.n > 10 && ndoc_types > 0, "%s: %d members, %d event types", doc,
	       doc_members.n, ndoc_types);

	/* The members table, against a rendering with every field set, in order. */
	{
		struct seawall_event ev;
		char buf[2048];
		struct keys full, empty;
		bool same = true;

		memset(&ev, 0, sizeof(ev));
		ev.seq = 1;
		ev.time_ns = 1700000000123456789ull;
		ev.type = SEAWALL_EV_POISON;
		ev.source = SEAWALL_SRC_SEA;
		ev.gpa = ev.page_gpa = RAM;
		ev.page_size = 4096;
		ev.gva = ev.hva = ev.esr = 0x1234;
		ev.count = 1;
		ev.guest_el = 1;
		ev.actions = SEAWALL_ACT_ISOLATE;
		ev.restart_reason = SEAWALL_RESTART_THRESHOLD;
		ev.error = -EIO;
		ev.reason = "why";
		ev.vm = "vm";
		ev.uuid = "uuid";
		seawall_event_render_json(&ev, buf, sizeof(buf));
		tap_ok(parse_keys(buf, &full) == 0, "a full event parses: %s", buf);
		same = full.n == doc_members.n;
		for (int i = 0; same && i < full.n; i++)
			same = !strcmp(full.name[i], doc_members.name[i]) && !full.null[i];
		tap_ok(same, "every member the library writes is documented, and every documented one "
		       "is written, in the documented order (%d, %d)", full.n, doc_members.n);
		memset(&ev, 0, sizeof(ev));
		ev.type = SEAWALL_EV_SIGBUS_OVERFLOW;
		ev.guest_el = -1;
		seawall_event_render_json(&ev, buf, sizeof(buf));
		parse_keys(buf, &empty);
		same = empty.n == doc_members.n - 1 && key_index(&empty, "hva") < 0;
		for (int i = 0; same && i < empty.n; i++) {
			bool set = !strcmp(empty.name[i], "schema") || !strcmp(empty.name[i], "type") ||
				   !strcmp(empty.name[i], "message_id") || !strcmp(empty.name[i], "seq") ||
				   !strcmp(empty.name[i], "actions");

			same = empty.null[i] == !set;
		}
		tap_ok(same, "nothing known: every member null but the always-known ones, no hva: %s",
		       buf);
		tap_ok(strstr(buf, "\"schema\":1,") && strstr(buf, "\"actions\":[]"),
		       "schema 1, empty actions an empty array");
		seawall_event_render_json(&(struct seawall_event){ .type = SEAWALL_EV_POISON,
			.seq = 1, .time_ns = 1764936000123456789ull, .guest_el = -1 }, buf, sizeof(buf));
		tap_ok(strstr(buf, "\"time\":\"2025-12-05T12:00:00.123456789Z\"") != NULL,
		       "time: RFC 3339, UTC, nanoseconds: %s", buf);
		tap_ok(!strstr(buf, "time_ns"), "no epoch nanoseconds as a number");
	}

	/* The types table: every type, the library's MESSAGE_ID and level, nothing else. */
	{
		int match = 0, ntypes = 0;

		for (unsigned int t = 0; t < 64; t++) {
			const char *name = sw_event_type_name(t);
			const struct doc_type *d = name ? doc_type(name) : NULL;

			if (!name)
				continue;
			ntypes++;
			if (d && !strcmp(d->message_id, sw_event_message_id(t)) &&
			    !strcmp(d->level, level_word(sw_event_level(t))) &&
			    strlen(d->message_id) == 32 &&
			    strspn(d->message_id, "0123456789abcdef") == 32)
				match++;
			else
				printf("# type %s: documented %s\n", name, d ? "differently" : "nowhere");
		}
		tap_ok(ntypes == SEAWALL_EV_LEDGER_FULL && match == ntypes && ndoc_types == ntypes,
		       "%d types in the library, %d documented, %d with its MESSAGE_ID and level",
		       ntypes, ndoc_types, match);
		for (int i = 0; i < ndoc_types; i++)
			for (int k = i + 1; k < ndoc_types; k++)
				if (!strcmp(doc_types[i].message_id, doc_types[k].message_id))
					tap_ok(0, "MESSAGE_ID of %s used twice", doc_types[i].name);
		for (int i = 0; i < ndoc_types; i++)
			for (int m = 0; m < doc_types[i].valued.n; m++)
				if (key_index(&doc_members, doc_types[i].valued.name[m]) < 0)
					tap_ok(0, "%s lists %s, not a member", doc_types[i].name,
					       doc_types[i].valued.name[m]);
	}

	if (!mkdtemp(dir)) {
		tap_ok(0, "mkdtemp");
		return tap_done();
	}
	snprintf(path, sizeof(path), "%s/journal", dir);
	mem = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		tap_ok(0, "mmap");
		return tap_done();
	}

	/* Real events of every kind a context makes without a vCPU. */
	{
		SEAWALL_OPTS(seawall_memslot_ops, ops);
		SEAWALL_OPTS(seawall_policy_opts, po);
		int fd;

		/* A journal with a corrupt record in the middle and a torn tail. */
		make_journal(path, 3, RAM + 0x80000);
		fd = open(path, O_WRONLY);
		if (fd >= 0) {
			(void)!pwrite(fd, "XX", 2, 16 + 68 + 30);	/* the second record */
			(void)!pwrite(fd, "SWJRtorn", 8, 16 + 3 * 68);
			close(fd);
		}
		ctx = ctx_with(path, NULL, 4, 1, 2, mem);
		tap_ok(ctx != NULL, "a context on a damaged journal");
		seawall_ctx_handle_test(ctx, RAM + 0x1000, &out);	/* poison, notify_overflow */
		seawall_ctx_handle_test(ctx, RAM + 0x1000, &out);	/* repeat */
		seawall_ctx_handle_test(ctx, RAM + 0x2000, &out);	/* ledger_full, restart */
		seawall_ctx_handle_test(ctx, 0x1000, &out);		/* unattributable, restart */
		for (int k = 0; k < 4; k++)
			seawall_sigbus_record(ctx, mem + 0x3000 + k * 0x1000, 5 /* AO */, 12);
		seawall_ctx_handle_pending(ctx, -1, &out);		/* sigbus_overflow */
		check_events();
		seawall_ctx_free(ctx);

		/* Isolation fails; the journal cannot be written. */
		unlink(path);
		ops.set = fail_set;
		ctx = ctx_with(path, &ops, 0, 0, 0, mem);
		po.restart_after_pages = SEAWALL_POLICY_NEVER;
		seawall_ctx_set_policy(ctx, &po);
		seawall_ctx_handle_test(ctx, RAM + 0x1000, &out);	/* isolate_failed */
		check_events();
		seawall_ctx_free(ctx);
		{
			int n = 0;

			for (unsigned int t = 1; t < SW_ARRAY_SIZE(seen_type); t++)
				n += seen_type[t];
			tap_ok(bad_events == 0 && n >= 9,
			       "%d real events of %d types: values only in the members their type's row lists",
			       checked_events, n);
		}
	}

	/* Identity, structured log, no big numbers, null for the unknown. */
	{
		struct keys k;
		bool logs_ok = true;

		unlink(path);
		nlogs = 0;
		ctx = ctx_with(path, NULL, 0, 0, 0, mem);
		seawall_ctx_handle_test(ctx, RAM + 0x5000, &out);
		tap_ok(nev >= 1 && parse_keys(json[0], &k) == 0 && !k.bignum && rfc3339(json[0]) &&
		       strstr(json[0], "\"vm\":\"vm-a\",\"uuid\":\"6f1c2a9e-0d4b-4e53-9a43-1b8f0c2d3e4f\"") &&
		       strstr(json[0], "\"gva\":null") && strstr(json[0], "\"guest_el\":null") &&
		       strstr(json[0], "\"error\":null"),
		       "an event: the VM's identity, RFC 3339 time, no number past 2^53, null for the unknown: %s",
		       nev ? json[0] : "");
		tap_ok(nev >= 1 && !strcmp(vm_seen[0], "vm-a"), "struct seawall_event carries vm");
		tap_eq(nlogs, nev, "the structured log gets every event");
		for (int i = 0; i < nlogs && i < nev; i++)
			logs_ok &= !strcmp(logs[i].json, json[i]) &&
				   !strcmp(logs[i].type, sw_event_type_name(evs[i].type)) &&
				   !strcmp(logs[i].message_id, sw_event_message_id(evs[i].type)) &&
				   logs[i].level == sw_event_level(evs[i].type);
		tap_ok(logs_ok && nlogs && !strcmp(logs[0].message_id, "b618ef9c423b49ebb705ba502ee45274") &&
		       logs[0].level == SEAWALL_LOG_WARN,
		       "with its type, MESSAGE_ID, level and the same JSON");
		nev = 0;
		seawall_ctx_free(ctx);
	}

	/* The sequence goes on after a reload; a 0.1 journal still loads. */
	{
		uint64_t last;
		pid_t pid;
		int status = 0;

		unlink(path);
		nev = 0;
		ctx = ctx_with(path, NULL, 0, 0, 0, mem);
		seawall_ctx_handle_test(ctx, RAM + 0x1000, &out);
		seawall_ctx_handle_test(ctx, RAM + 0x2000, &out);
		last = nev ? evs[nev - 1].seq : 0;
		seawall_ctx_free(ctx);
		nev = 0;
		ctx = ctx_with(path, NULL, 0, 0, 0, mem);
		tap_ok(ctx && seawall_ledger_count(ctx) == 2, "the journal reloads its 2 pages");
		seawall_ctx_handle_test(ctx, RAM + 0x3000, &out);
		tap_ok(nev >= 1 && last >= 2 && evs[0].seq == last + 1,
		       "the first event after a clean close and reload is the next number (%llu after %llu)",
		       nev ? (unsigned long long)evs[0].seq : 0ull, (unsigned long long)last);
		last = nev ? evs[nev - 1].seq : 0;
		seawall_ctx_free(ctx);
		nev = 0;
		ctx = ctx_with(path, NULL, 0, 0, 0, mem);
		seawall_ctx_handle_test(ctx, RAM + 0x4000, &out);
		tap_ok(nev >= 1 && evs[0].seq == last + 1, "and after a second reload (compacted): %llu after %llu",
		       nev ? (unsigned long long)evs[0].seq : 0ull, (unsigned long long)last);
		last = nev ? evs[nev - 1].seq : 0;
		seawall_ctx_free(ctx);

		/* A process that dies without seawall_ctx_free(): a gap, never a number twice. */
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			ctx = ctx_with(path, NULL, 0, 0, 0, mem);
			seawall_ctx_handle_test(ctx, RAM + 0x6000, &out);
			seawall_ctx_handle_test(ctx, RAM + 0x7000, &out);
			_exit(nev >= 2 && evs[nev - 1].seq >= last + 2 ? 0 : 1);
		}
		waitpid(pid, &status, 0);
		nev = 0;
		ctx = ctx_with(path, NULL, 0, 0, 0, mem);
		seawall_ctx_handle_test(ctx, RAM + 0x8000, &out);
		tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && nev >= 1 && evs[0].seq > last + 2,
		       "after a crash that used %llu..%llu, numbering resumes past them (%llu)",
		       (unsigned long long)last + 1, (unsigned long long)last + 2,
		       nev ? (unsigned long long)evs[0].seq : 0ull);
		seawall_ctx_free(ctx);

		/* Written by seawall_journal_append() alone: pages, no event-number mark, as 0.1 wrote. */
		make_journal(path, 2, RAM);
		nev = 0;
		ctx = ctx_with(path, NULL, 0, 0, 0, mem);
		tap_ok(ctx && seawall_ledger_count(ctx) == 2, "a journal without the mark loads its pages");
		seawall_ctx_handle_test(ctx, RAM + 0x9000, &out);
		tap_ok(nev >= 1 && evs[0].seq == 1, "and numbering starts at 1 (%llu)",
		       nev ? (unsigned long long)evs[0].seq : 0ull);
		seawall_ctx_free(ctx);
	}

	/* An identity that cannot go into a label or a line is refused. */
	{
		static const char *const bad[] = { "", "a\nb", "tab\there", "del\x7f" };
		SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE,
		     .strategy = tap_isolate_strategy());
		char big[200];
		int refused = 0;

		for (size_t i = 0; i < SW_ARRAY_SIZE(bad); i++) {
			o.vm_name = bad[i];
			ctx = seawall_ctx_new(&o);
			refused += !ctx && errno == EINVAL;
			seawall_ctx_free(ctx);
		}
		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = 0;
		o.vm_name = NULL;
		o.vm_uuid = big;
		ctx = seawall_ctx_new(&o);
		refused += !ctx && errno == EINVAL;
		seawall_ctx_free(ctx);
		tap_eq(refused, 5, "empty, control characters, longer than 128 bytes: EINVAL");
	}

	unlink(path);
	rmdir(dir);
	munmap(mem, 1 << 20);
	return tap_done();
}
