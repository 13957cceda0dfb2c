// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/* The seawall CLI's reply checking, human output and decode-esr. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include <seawall.h>

#include "cli.h"
#include "json.h"

int cli_parse_u64(const char *s, uint64_t *v)
{
	char *end;
	int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');

	if (!*s || (hex && !s[2]))
		return -EINVAL;
	for (const char *p = s + (hex ? 2 : 0); *p; p++)
		if (!(hex ? (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
			    (*p >= 'A' && *p <= 'F') : (*p >= '0' && *p <= '9')))
			return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, hex ? 16 : 10);
	return errno || *end ? -EINVAL : 0;
}

static const char *file_kind(unsigned int mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a FIFO";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	default: return "not a socket";
	}
}

void cli_connect_error(char *msg, size_t len, const char *path, int err, unsigned int mode)
{
	/* connect() to a file that is not a socket says ECONNREFUSED, not ENOTSOCK. */
	if (mode && !S_ISSOCK(mode) && (err == ECONNREFUSED || err == ENOTSOCK))
		snprintf(msg, len, "%s is %s, not a socket: give seawall --control the path "
			 "given to swvm --control", path, file_kind(mode));
	else if (err == ENOENT)
		snprintf(msg, len, "no control socket at %s: is swvm running "
			 "(swvm --control PATH, seawall --control PATH)?", path);
	else if (err == ECONNREFUSED)
		snprintf(msg, len, "nothing listens on %s (a stale socket: swvm is not running)",
			 path);
	else if (err == EACCES || err == EPERM)
		snprintf(msg, len, "permission denied on %s: swvm's control socket is for the "
			 "user swvm runs as and root, and the group given to swvm --control-group",
			 path);
	else
		snprintf(msg, len, "cannot connect to %s: %s", path, strerror(err));
}

static int parse_line(const char *line, struct sj_obj *o)
{
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	return sj_parse(line, n, o);
}

static int error_of(const struct sj_obj *o, char *msg, size_t len)
{
	const char *e = sj_str(o, "error");
	int64_t code = 0;

	/* Events carry "error" too, as a number; an error reply has a string. */
	if (!e)
		return 0;
	if (sj_i64(o, "code", &code))
		snprintf(msg, len, "%s", e);
	else
		snprintf(msg, len, "%s (code %" PRId64 ")", e, code);
	return 1;
}

int cli_reply_error(const char *line, char *msg, size_t len)
{
	struct sj_obj o;
	int ret;

	if (parse_line(line, &o))
		return -EINVAL;
	ret = error_of(&o, msg, len);
	sj_free(&o);
	return ret;
}

int cli_check_hello(const char *line, struct cli_hello *h, char *msg, size_t len)
{
	struct sj_obj o;
	const char *proto, *vmm;
	int ret = 0;

	memset(h, 0, sizeof(*h));
	if (parse_line(line, &o)) {
		snprintf(msg, len, "not a seawall-control reply: %.60s", line);
		return -EINVAL;
	}
	if (error_of(&o, msg, len)) {
		ret = -EREMOTEIO;
		goto out;
	}
	proto = sj_str(&o, "protocol");
	if (!proto || strcmp(proto, CLI_PROTOCOL)) {
		snprintf(msg, len, "the server speaks %s%s%s, not %s", proto ? "\"" : "",
			 proto ? proto : "no known protocol", proto ? "\"" : "", CLI_PROTOCOL);
		ret = -EPROTO;
		goto out;
	}
	if (sj_i64(&o, "version", &h->version)) {
		snprintf(msg, len, "the hello reply has no version");
		ret = -EPROTO;
		goto out;
	}
	if (h->version != CLI_VERSION) {
		snprintf(msg, len, "protocol version %" PRId64 " (this seawall speaks version %d)",
			 h->version, CLI_VERSION);
		ret = -EPROTO;
		goto out;
	}
	vmm = sj_str(&o, "vmm");
	snprintf(h->vmm, sizeof(h->vmm), "%s", vmm ? vmm : "?");
	if (sj_i64(&o, "pid", &h->pid))
		h->pid = -1;
	if (sj_i64(&o, "vm_fd", &h->vm_fd))
		h->vm_fd = -1;
	msg[0] = '\0';
out:
	sj_free(&o);
	return ret;
}

void cli_format_time(uint64_t ns, char *buf, size_t len)
{
	time_t s = (time_t)(ns / 1000000000u);
	struct tm tm;

	if (!ns || !gmtime_r(&s, &tm)) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned int)(ns / 1000000u % 1000u));
}

void cli_format_size(uint64_t b, char *buf, size_t len)
{
	if (b && !(b % (1ull << 30)))
		snprintf(buf, len, "%" PRIu64 "G", b >> 30);
	else if (b && !(b % (1ull << 20)))
		snprintf(buf, len, "%" PRIu64 "M", b >> 20);
	else if (b && !(b % 1024))
		snprintf(buf, len, "%" PRIu64 "K", b >> 10);
	else
		snprintf(buf, len, "%" PRIu64, b);
}

static void format_duration(uint64_t s, char *buf, size_t len)
{
	if (s >= 86400)
		snprintf(buf, len, "%" PRIu64 "d %" PRIu64 "h %" PRIu64 "m", s / 86400,
			 s / 3600 % 24, s / 60 % 60);
	else if (s >= 3600)
		snprintf(buf, len, "%" PRIu64 "h %" PRIu64 "m %" PRIu64 "s", s / 3600,
			 s / 60 % 60, s % 60);
	else if (s >= 60)
		snprintf(buf, len, "%" PRIu64 "m %" PRIu64 "s", s / 60, s % 60);
	else
		snprintf(buf, len, "%" PRIu64 "s", s);
}

/* A member's value as text: strings bare, arrays of strings joined. */
static void value_text(const struct sj_member *m, char *buf, size_t len)
{
	if (m->type == SJ_ARRAY && !sj_join_strings(m->val, buf, len))
		return;
	snprintf(buf, len, "%s", m->val);
}

static int in_list(const char *key, const char *const *keys)
{
	for (; *keys; keys++)
		if (!strcmp(key, *keys))
			return 1;
	return 0;
}

/* Members the renderer did not show itself, as key=value. */
static void put_rest(FILE *f, const struct sj_obj *o, const char *const *known)
{
	char v[256];

	for (int i = 0; i < o->n; i++) {
		if (in_list(o->m[i].key, known))
			continue;
		value_text(&o->m[i], v, sizeof(v));
		fprintf(f, " %s=%s", o->m[i].key, v);
	}
}

int cli_render_status(FILE *f, const char *line)
{
	static const char *const known[] = {
		"state", "uptime_s", "cpus", "mem_mib", "sea_exit_enabled", "restarts",
		"nisv_exit_enabled", "injections", "notify_pending",
		"poisoned_pages", "events_total", "pid", "vm_fd", "debugfs", NULL,
	};
	struct sj_obj o;
	const struct sj_member *m;
	uint64_t u;
	char v[256];
	int b;

	if (parse_line(line, &o))
		return -EINVAL;
	fprintf(f, "%-18s%s\n", "state", sj_str(&o, "state") ? sj_str(&o, "state") : "?");
	m = sj_get(&o, "uptime_s");
	if (m && m->type == SJ_NUMBER && m->val[0] != '-') {
		/* swvm gives it with milliseconds */
		format_duration((uint64_t)strtod(m->val, NULL), v, sizeof(v));
		fprintf(f, "%-18s%s\n", "uptime", v);
	}
	if (!sj_u64(&o, "cpus", &u))
		fprintf(f, "%-18s%" PRIu64 "\n", "vcpus", u);
	if (!sj_u64(&o, "mem_mib", &u))
		fprintf(f, "%-18s%" PRIu64 " MiB\n", "memory", u);
	b = sj_bool(&o, "sea_exit_enabled");
	if (b >= 0)
		fprintf(f, "%-18s%s\n", "SEA exits",
			b ? "enabled (KVM_CAP_ARM_SEA_TO_USER)" : "not available (SIGBUS path only)");
	b = sj_bool(&o, "nisv_exit_enabled");
	if (b >= 0)
		fprintf(f, "%-18s%s\n", "NISV exits", b ? "enabled" : "not available");
	if (!sj_u64(&o, "poisoned_pages", &u))
		fprintf(f, "%-18s%" PRIu64 "\n", "poisoned pages", u);
	if (!sj_u64(&o, "events_total", &u))
		fprintf(f, "%-18s%" PRIu64 "\n", "events", u);
	if (!sj_u64(&o, "injections", &u))
		fprintf(f, "%-18s%" PRIu64 "\n", "injections", u);
	if (!sj_u64(&o, "notify_pending", &u))
		fprintf(f, "%-18s%" PRIu64 "\n", "agent pending", u);
	if (!sj_u64(&o, "restarts", &u))
		fprintf(f, "%-18s%" PRIu64 "\n", "restarts", u);
	if (!sj_u64(&o, "pid", &u))
		fprintf(f, "%-18s%" PRIu64 "\n", "swvm pid", u);
	if (!sj_u64(&o, "vm_fd", &u))
		fprintf(f, "%-18s%" PRIu64 "\n", "vm fd", u);
	if (sj_str(&o, "debugfs"))
		fprintf(f, "%-18s%s\n", "debugfs", sj_str(&o, "debugfs"));
	for (int i = 0; i < o.n; i++) {
		m = &o.m[i];
		if (in_list(m->key, known))
			continue;
		value_text(m, v, sizeof(v));
		fprintf(f, "%-18s%s\n", m->key, v);
	}
	sj_free(&o);
	return 0;
}

/* A bit mask given as a number, or already as an array of names. */
static void mask_text(const struct sj_member *m, const char *(*name)(unsigned int bit),
		      char *buf, size_t len)
{
	uint64_t mask;
	size_t n = 0;

	buf[0] = '\0';
	if (m->type != SJ_NUMBER || cli_parse_u64(m->val, &mask)) {
		value_text(m, buf, len);
		return;
	}
	for (size_t i = 0; i < 64; i++) {
		if (!(mask & (1ull << i)))
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "," : "",
				      name((unsigned int)i) ? name((unsigned int)i) : "?");
		if (n >= len)
			break;
	}
	if (!mask)
		snprintf(buf, len, "-");
}


static void page_size_of(const struct sj_obj *o, char *buf, size_t len)
{
	uint64_t v;

	if (!sj_u64(o, "page_size", &v) || !sj_u64(o, "size", &v))
		cli_format_size(v, buf, len);
	else if (!sj_u64(o, "page_shift", &v) && v < 64)
		cli_format_size(1ull << v, buf, len);
	else
		snprintf(buf, len, "?");
}

static void el_of(const struct sj_obj *o, char *buf, size_t len)
{
	int64_t el;

	if (sj_i64(o, "guest_el", &el) || el < 0 || el > 3)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "EL%d", (int)el);
}

static const char *str_or(const struct sj_obj *o, const char *key, const char *dflt)
{
	const struct sj_member *m = sj_get(o, key);

	return m && m->type != SJ_NULL ? m->val : dflt;
}

int cli_render_ledger(FILE *f, const char *line, struct cli_ledger *st)
{
	static const char *const known[] = {
		"gpa", "page_size", "size", "page_shift", "hits", "source", "guest_el",
		"first_ns", "last_ns", "flags", "actions", NULL,
	};
	struct sj_obj o;
	const struct sj_member *m;
	char size[16], el[16], first[32], last[32], flags[128], acts[256];
	uint64_t u;

	if (parse_line(line, &o))
		return -EINVAL;
	if (sj_bool(&o, "end") == 1) {
		st->ended = 1;
		if (sj_u64(&o, "count", &st->count))
			st->count = st->pages;
		fprintf(f, "%" PRIu64 " poisoned page%s\n", st->count, st->count == 1 ? "" : "s");
		sj_free(&o);
		return 0;
	}
	if (!st->header_done) {
		fprintf(f, "%-18s %-5s %6s %-10s %-4s %-24s %-24s %s\n", "GPA", "SIZE", "HITS",
			"SOURCE", "EL", "FIRST SEEN", "LAST SEEN", "STATE / ACTIONS");
		st->header_done = 1;
	}
	page_size_of(&o, size, sizeof(size));
	el_of(&o, el, sizeof(el));
	cli_format_time(sj_u64(&o, "first_ns", &u) ? 0 : u, first, sizeof(first));
	cli_format_time(sj_u64(&o, "last_ns", &u) ? 0 : u, last, sizeof(last));
	snprintf(flags, sizeof(flags), "-");
	snprintf(acts, sizeof(acts), "-");
	if ((m = sj_get(&o, "flags")))
		mask_text(m, seawall_page_flag_name, flags, sizeof(flags));
	if ((m = sj_get(&o, "actions")))
		mask_text(m, seawall_action_name, acts, sizeof(acts));
	fprintf(f, "%-18s %-5s %6s %-10s %-4s %-24s %-24s %s %s", str_or(&o, "gpa", "?"), size,
		str_or(&o, "hits", "?"), str_or(&o, "source", "?"), el, first, last, flags, acts);
	put_rest(f, &o, known);
	fputc('\n', f);
	st->pages++;
	sj_free(&o);
	return 0;
}

int cli_render_event(FILE *f, const char *line)
{
	static const char *const known[] = {
		"schema", "seq", "time", "time_ns", "vm", "uuid", "message_id", "type",
		"source", "gpa", "page_gpa", "page_size", "gva", "hva", "esr", "count",
		"guest_el", "actions", "restart_reason", "error", "reason", NULL,
	};
	struct sj_obj o;
	const struct sj_member *m;
	char when[32], size[16], el[8], acts[256];
	const char *rr, *reason, *t;
	uint64_t u;
	int64_t err;

	if (parse_line(line, &o))
		return -EINVAL;
	if (sj_bool(&o, "end") == 1) {
		if (!sj_u64(&o, "count", &u))
			fprintf(f, "%" PRIu64 " event%s\n", u, u == 1 ? "" : "s");
		sj_free(&o);
		return 1;
	}
	/*
	 * Schema 1: "time" is RFC 3339 with nanoseconds, shown to the
	 * millisecond as the ledger's times are; swvm before it sent time_ns.
	 */
	t = sj_str(&o, "time");
	if (t && strlen(t) == 30 && t[19] == '.' && t[29] == 'Z')
		snprintf(when, sizeof(when), "%.23sZ", t);
	else if (t)
		snprintf(when, sizeof(when), "%s", t);
	else
		cli_format_time(sj_u64(&o, "time_ns", &u) ? 0 : u, when, sizeof(when));
	page_size_of(&o, size, sizeof(size));
	el_of(&o, el, sizeof(el));
	snprintf(acts, sizeof(acts), "-");
	if ((m = sj_get(&o, "actions")))
		mask_text(m, seawall_action_name, acts, sizeof(acts));
	fprintf(f, "#%s %s %-14s %-9s gpa %s page %s/%s %s esr %s hits %s actions %s",
		str_or(&o, "seq", "?"), when, str_or(&o, "type", "?"), str_or(&o, "source", "?"),
		str_or(&o, "gpa", "?"), str_or(&o, "page_gpa", "?"), size, el,
		str_or(&o, "esr", "?"), str_or(&o, "count", "?"), acts);
	rr = sj_str(&o, "restart_reason");
	if (rr && strcmp(rr, "none"))
		fprintf(f, " restart=%s", rr);
	if (!sj_i64(&o, "error", &err) && err)
		fprintf(f, " error=%s", strerror((int)(err < 0 ? -err : err)));
	reason = sj_str(&o, "reason");
	if (reason)
		fprintf(f, " (%s)", reason);
	put_rest(f, &o, known);
	fputc('\n', f);
	sj_free(&o);
	return 0;
}

static const char *ec_name(unsigned int ec)
{
	switch (ec) {
	case SEAWALL_EC_IABT_LOW: return "IABT_LOW";
	case SEAWALL_EC_IABT_CUR: return "IABT_CUR";
	case SEAWALL_EC_DABT_LOW: return "DABT_LOW";
	case SEAWALL_EC_DABT_CUR: return "DABT_CUR";
	default: return "?";
	}
}

static const char *fsc_class_name(unsigned int c)
{
	switch (c) {
	case SEAWALL_FSC_SEA: return "sea";
	case SEAWALL_FSC_SEA_TTW: return "sea_ttw";
	case SEAWALL_FSC_ECC: return "ecc";
	case SEAWALL_FSC_ECC_TTW: return "ecc_ttw";
	default: return "?";
	}
}

static const char *fsc_class_text(unsigned int c)
{
	switch (c) {
	case SEAWALL_FSC_SEA: return "synchronous external abort, not on a table walk";
	case SEAWALL_FSC_SEA_TTW: return "synchronous external abort on a translation table walk";
	case SEAWALL_FSC_ECC: return "synchronous parity/ECC error, not on a table walk";
	case SEAWALL_FSC_ECC_TTW: return "synchronous parity/ECC error on a translation table walk";
	default: return "?";
	}
}

static const char *set_name(unsigned int set)
{
	switch (set) {
	case SEAWALL_SET_UER: return "UER";
	case SEAWALL_SET_UC: return "UC";
	case SEAWALL_SET_UEO: return "UEO";
	default: return "none";
	}
}

static const char *set_text(unsigned int set)
{
	switch (set) {
	case SEAWALL_SET_UER: return "recoverable: the error was contained";
	case SEAWALL_SET_UC: return "uncontainable: the VM cannot be trusted to go on";
	case SEAWALL_SET_UEO: return "restartable: the instruction can be retried";
	default: return "not reported (no FEAT_RAS, or not FSC 0x10)";
	}
}

int cli_decode_esr(FILE *out, FILE *err, const char *value, int json, int ras)
{
	struct seawall_kvm_arm_sea raw = { 0 };
	struct seawall_sea sea;
	const char *reason = NULL;
	uint64_t esr, ignored;
	char summary[512], lvl[8] = "null";

	if (cli_parse_u64(value, &esr)) {
		fprintf(err, "seawall: decode-esr: '%s' is not a number (hex 0x... or decimal)\n", value);
		return -EINVAL;
	}
	/* An ESR copied from a log may carry ISS bits an SEA exit never has. */
	ignored = esr & ~(uint64_t)SEAWALL_SEA_ESR_MASK_SET;
	raw.esr = esr & SEAWALL_SEA_ESR_MASK_SET;
	if (seawall_sea_decode(&raw, ras ? SEAWALL_SEA_DECODE_RAS : 0, &sea, &reason)) {
		fprintf(err, "seawall: decode-esr: 0x%" PRIx64 " is not the syndrome of a "
			"synchronous external abort: %s\n", esr, reason ? reason : "invalid");
		return -EINVAL;
	}
	if (sea.level != SEAWALL_SEA_LEVEL_NONE)
		snprintf(lvl, sizeof(lvl), "%d", sea.level);
	if (json) {
		fprintf(out, "{\"esr\":\"0x%08" PRIx64 "\",\"kind\":\"%s\",\"ec\":\"0x%02x\","
			"\"ec_name\":\"%s\",\"lower_el\":%s,\"il\":%u,\"fsc\":\"0x%02x\","
			"\"fsc_class\":\"%s\",\"level\":%s,\"fnv\":%u,\"ea\":%u,\"cm\":%u,"
			"\"wnr\":%u,\"set\":\"%s\",\"ignored\":\"0x%" PRIx64 "\"}\n",
			esr, sea.kind == SEAWALL_SEA_INSN ? "instruction" : "data", sea.ec,
			ec_name(sea.ec), sea.lower_el ? "true" : "false", sea.il, sea.fsc,
			fsc_class_name(sea.fsc_class), lvl, sea.fnv, sea.ea, sea.cm, sea.wnr,
			set_name(sea.set), ignored);
		return 0;
	}
	fprintf(out, "ESR 0x%08" PRIx64 "\n", esr);
	fprintf(out, "  EC   0x%02x  %s: %s abort taken from %s\n", sea.ec, ec_name(sea.ec),
		sea.kind == SEAWALL_SEA_INSN ? "instruction" : "data",
		sea.lower_el ? "a lower EL (guest EL0)" : "the same EL (guest EL1)");
	fprintf(out, "  IL   %-4u  %s\n", sea.il,
		sea.il ? "32-bit instruction" : "16-bit instruction (T32)");
	fprintf(out, "  FSC  0x%02x  %s", sea.fsc, fsc_class_text(sea.fsc_class));
	if (sea.level != SEAWALL_SEA_LEVEL_NONE)
		fprintf(out, ", level %d", sea.level);
	fputc('\n', out);
	fprintf(out, "  FnV  %-4u  %s\n", sea.fnv,
		sea.fnv ? "FAR is not valid: the faulting address is unknown" :
			  "FAR holds the faulting virtual address");
	fprintf(out, "  EA   %-4u  external abort type (implementation defined)\n", sea.ea);
	if (sea.kind == SEAWALL_SEA_DATA) {
		fprintf(out, "  CM   %-4u  %s\n", sea.cm,
			sea.cm ? "cache maintenance or address translation instruction" :
				 "not a cache maintenance instruction");
		fprintf(out, "  WnR  %-4u  %s\n", sea.wnr, sea.wnr ? "write" : "read");
	}
	fprintf(out, "  SET  %-4s  %s\n", sea.set == SEAWALL_SET_NONE ? "-" : set_name(sea.set),
		set_text(sea.set));
	if (ignored)
		fprintf(out, "  ignored: 0x%" PRIx64 " (ISS bits a KVM_EXIT_ARM_SEA never carries)\n",
			ignored);
	sea.gva_valid = 0;	/* offline: no address came with it */
	if (seawall_sea_render(&sea, summary, sizeof(summary)) > 0)
		fprintf(out, "  summary: %s\n", summary);
	return 0;
}

int cli_error_exit(const char *line, int inject)
{
	struct sj_obj o;
	int64_t code = 0;

	if (parse_line(line, &o))
		return CLI_EXIT_FAIL;
	/*
	 * seawall sends only well-formed requests, so a 400 to inject-test is
	 * swvm refusing the address itself (sea_inject: not guest memory).
	 */
	if (inject && !sj_i64(&o, "code", &code) && code == 400) {
		sj_free(&o);
		return CLI_EXIT_REFUSED;
	}
	sj_free(&o);
	return CLI_EXIT_FAIL;
}

static void json_string(FILE *out, const char *s, size_t n)
{
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static int is_name_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

/* A Prometheus sample value as JSON: finite numbers as they are, the rest as strings. */
static void json_value(FILE *out, const char *v, size_t n)
{
	char buf[64], *end;

	if (n && n < sizeof(buf)) {
		memcpy(buf, v, n);
		buf[n] = '\0';
		double d = strtod(buf, &end);

		/* JSON has no NaN or Inf, nor a leading '+'. */
		if (!*end && isfinite(d) && strspn(buf, "0123456789.eE+-") == n &&
		    (buf[0] == '-' || (buf[0] >= '0' && buf[0] <= '9'))) {
			fputs(buf, out);
			return;
		}
	}
	json_string(out, v, n);
}

/* The HELP or TYPE text of name in text (the line's rest), or NULL. */
static const char *meta_of(const char *text, const char *what, const char *name, size_t nlen,
			   size_t *len)
{
	size_t wl = strlen(what);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, "# ", 2) || strncmp(l + 2, what, wl) || l[2 + wl] != ' ')
			continue;
		l += 3 + wl;
		if (!strncmp(l, name, nlen) && l[nlen] == ' ') {
			const char *e = strchr(l + nlen + 1, '\n');

			*len = e ? (size_t)(e - (l + nlen + 1)) : strlen(l + nlen + 1);
			return l + nlen + 1;
		}
	}
	return NULL;
}

int cli_metrics_json(FILE *out, const char *text)
{
	int samples = 0;

	for (const char *l = text; *l; ) {
		const char *eol = strchr(l, '\n'), *p = l, *name, *meta, *v;
		size_t n, len, ml;

		len = eol ? (size_t)(eol - l) : strlen(l);
		if (!len || l[0] == '#')
			goto next;
		name = p;
		if (!is_name_char(*p, 1))
			return -EINVAL;
		while (p < l + len && is_name_char(*p, 0))
			p++;
		n = (size_t)(p - name);
		fputs("{\"name\":", out);
		json_string(out, name, n);
		/* A histogram's or summary's _bucket/_sum/_count has its family's TYPE. */
		meta = meta_of(text, "TYPE", name, n, &ml);
		fputs(",\"type\":", out);
		if (meta)
			json_string(out, meta, ml);
		else
			fputs("null", out);
		meta = meta_of(text, "HELP", name, n, &ml);
		fputs(",\"help\":", out);
		if (meta)
			json_string(out, meta, ml);
		else
			fputs("null", out);
		fputs(",\"labels\":{", out);
		if (p < l + len && *p == '{') {
			int first = 1;

			p++;
			while (p < l + len && *p != '}') {
				const char *k = p;
				char *unesc;
				size_t vn = 0;

				while (p < l + len && is_name_char(*p, p == k))
					p++;
				if (p == k || p + 1 >= l + len || p[0] != '=' || p[1] != '"')
					return -EINVAL;
				fputs(first ? "" : ",", out);
				first = 0;
				json_string(out, k, (size_t)(p - k));
				fputc(':', out);
				p += 2;
				unesc = malloc(len + 1);
				if (!unesc)
					return -ENOMEM;
				while (p < l + len && *p != '"') {
					if (*p == '\\' && p + 1 < l + len) {
						p++;
						unesc[vn++] = *p == 'n' ? '\n' : *p;
					} else {
						unesc[vn++] = *p;
					}
					p++;
				}
				if (p >= l + len) {
					free(unesc);
					return -EINVAL;
				}
				json_string(out, unesc, vn);
				free(unesc);
				p++;
				if (p < l + len && *p == ',')
					p++;
			}
			if (p >= l + len)
				return -EINVAL;
			p++;
		}
		fputs("},\"value\":", out);
		while (p < l + len && *p == ' ')
			p++;
		v = p;
		while (p < l + len && *p != ' ')
			p++;
		if (p == v)
			return -EINVAL;
		json_value(out, v, (size_t)(p - v));
		fputs("}\n", out);
		samples++;
next:
		if (!eol)
			break;
		l = eol + 1;
	}
	return samples;
}

void cli_version(FILE *out, int json)
{
	/* The library's own version, as it runs (it may be newer than the header). */
	if (json)
		fprintf(out, "{\"seawall\":\"%d.%d\",\"libseawall\":\"%s\",\"protocol\":\"%s\","
			"\"protocol_version\":%d}\n", SEAWALL_VERSION_MAJOR, SEAWALL_VERSION_MINOR,
			seawall_version(), CLI_PROTOCOL, CLI_VERSION);
	else
		fprintf(out, "seawall %d.%d (libseawall %s, %s protocol version %d)\n",
			SEAWALL_VERSION_MAJOR, SEAWALL_VERSION_MINOR, seawall_version(),
			CLI_PROTOCOL, CLI_VERSION);
}

static const struct {
	const char *name, *text;
} command_help[] = {
	{ "status",
	  "usage: seawall [--control PATH] [--json] [--timeout S] status\n"
	  "\n"
	  "The VM's state (running, restarting), its uptime, restarts, poisoned pages,\n"
	  "events by source, whether KVM's SEA exit is enabled.  --json: swvm's reply\n"
	  "object as it is.\n" },
	{ "ledger",
	  "usage: seawall [--control PATH] [--json] [--timeout S] ledger\n"
	  "\n"
	  "The poisoned guest pages: address, size, source, first and last seen (UTC),\n"
	  "hits, state.  --json: one object per page, then {\"end\":true,\"count\":N}.\n" },
	{ "events",
	  "usage: seawall [--control PATH] [--json] [--timeout S] events [--follow]\n"
	  "\n"
	  "The last 256 events, oldest first.  --follow (-f): then each new one as it\n"
	  "happens, until ^C; exits 1 when swvm closes the stream (swvm stopped).\n"
	  "--json: one event object per line, as swvm sends them.\n" },
	{ "metrics",
	  "usage: seawall [--control PATH] [--json] [--timeout S] metrics\n"
	  "\n"
	  "The Prometheus text exposition (the same text as swvm --metrics PATH).\n"
	  "--json: one object per sample: {\"name\",\"type\",\"help\",\"labels\",\"value\"}.\n" },
	{ "inject-test",
	  "usage: seawall [--control PATH] [--json] [--timeout S] inject-test GPA [--fnv|--s2table]\n"
	  "\n"
	  "Ask swvm to raise a test memory error at guest physical address GPA (hex 0x...\n"
	  "or decimal), through the rig kernel's sea_inject; swvm serves it only with\n"
	  "--allow-inject-test.  --fnv: FAR not valid; --s2table: a stage-2 table walk.\n"
	  "Exit 2 when GPA is not a number, 3 when swvm refuses the address.\n" },
	{ "decode-esr",
	  "usage: seawall [--json] decode-esr VALUE [--ras]\n"
	  "\n"
	  "Decode VALUE (hex 0x... or decimal) as the ESR of a synchronous external abort,\n"
	  "offline.  --ras: the VM has FEAT_RAS (the SET field is meaningful).\n"
	  "Exit 2 when VALUE is not a number, 1 when it is not an SEA syndrome.\n" },
	{ "version",
	  "usage: seawall [--json] version   (or seawall --version)\n"
	  "\n"
	  "The versions of seawall, of libseawall and of the control protocol.\n" },
};

int cli_command_help(FILE *out, const char *cmd)
{
	for (size_t i = 0; i < sizeof(command_help) / sizeof(command_help[0]); i++)
		if (!strcmp(cmd, command_help[i].name)) {
			fputs(command_help[i].text, out);
			return 0;
		}
	return -ENOENT;
}
