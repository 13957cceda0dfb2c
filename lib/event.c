// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/* Events as JSON lines; counters as Prometheus text exposition. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static const char *const source_names[SEAWALL_SRC__MAX] = {
	[SEAWALL_SRC_NONE] = "none",
	[SEAWALL_SRC_SEA] = "sea",
	[SEAWALL_SRC_SIGBUS_AR] = "sigbus_ar",
	[SEAWALL_SRC_SIGBUS_AO] = "sigbus_ao",
	[SEAWALL_SRC_TEST] = "test",
	[SEAWALL_SRC_FAULT] = "fault",
	[SEAWALL_SRC_JOURNAL] = "journal",
};

const char *seawall_source_name(unsigned int source)
{
	return source < SEAWALL_SRC__MAX ? source_names[source] : NULL;
}

/*
 * Per event type: its name, its journald MESSAGE_ID (made once at random,
 * never changed: a log query names it) and the level a structured log
 * gives it.  docs/events.md lists the same; tests/unit/test_events_doc.c
 * holds the two together.
 */
static const struct {
	const char *name;
	const char *message_id;
	int level;
} ev_types[] = {
	[SEAWALL_EV_POISON] = { "poison", "b618ef9c423b49ebb705ba502ee45274", SEAWALL_LOG_WARN },
	[SEAWALL_EV_REPEAT] = { "repeat", "638c5893cfdd4443bdecbc317cd1ddf0", SEAWALL_LOG_INFO },
	[SEAWALL_EV_UNATTRIBUTABLE] = { "unattributable", "194150bce8fe483b8e6b755a88de462d",
					SEAWALL_LOG_ERR },
	[SEAWALL_EV_SIGBUS_OVERFLOW] = { "sigbus_overflow", "530f224e8d1144dd9b453b6cb7df7194",
					 SEAWALL_LOG_ERR },
	[SEAWALL_EV_RESTART] = { "restart", "d5271357f17942dfab1ca46a785a584d", SEAWALL_LOG_WARN },
	[SEAWALL_EV_JOURNAL_ERROR] = { "journal_error", "4cfb9d357dbf4096b891c20b89cb9931",
				       SEAWALL_LOG_ERR },
	[SEAWALL_EV_JOURNAL_TORN] = { "journal_torn", "90b9933e3eb44516be15c78af323238a",
				      SEAWALL_LOG_WARN },
	[SEAWALL_EV_ISOLATE_FAILED] = { "isolate_failed", "ea86840ab73d4665a627272c352c0d0c",
					SEAWALL_LOG_ERR },
	[SEAWALL_EV_INJECT_FAILED] = { "inject_failed", "5cb0d41b808e4b3ca3a44f33878c9339",
				       SEAWALL_LOG_ERR },
	[SEAWALL_EV_NOTIFY_OVERFLOW] = { "notify_overflow", "3ef40639afaa46f79bcf46fbbd631702",
					 SEAWALL_LOG_WARN },
	[SEAWALL_EV_LEDGER_FULL] = { "ledger_full", "95e2d604fffb4b43b966cdf0cbffd821",
				     SEAWALL_LOG_ERR },
};

const char *sw_event_type_name(unsigned int type)
{
	return type < SW_ARRAY_SIZE(ev_types) ? ev_types[type].name : NULL;
}

const char *sw_event_message_id(unsigned int type)
{
	return type < SW_ARRAY_SIZE(ev_types) ? ev_types[type].message_id : NULL;
}

int sw_event_level(unsigned int type)
{
	return type < SW_ARRAY_SIZE(ev_types) && ev_types[type].name ? ev_types[type].level :
	       SEAWALL_LOG_ERR;
}

static const char *restart_name(unsigned int r)
{
	static const char *const names[] = {
		NULL, "threshold", "guest_kernel", "unattributable", "lost", "uncontainable",
	};

	return r < SW_ARRAY_SIZE(names) ? names[r] : "unknown";
}

/* A bounded writer that keeps counting past the end, like snprintf. */
struct out {
	char *buf;
	size_t len;
	size_t n;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(o->n < o->len ? o->buf + o->n : NULL,
		      o->n < o->len ? o->len - o->n : 0, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n += (size_t)k;
}

static void put_json_string(struct out *o, const char *s)
{
	put(o, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			put(o, "\\%c", c);
		else if (c < 0x20)
			put(o, "\\u%04x", c);
		else
			put(o, "%c", c);
	}
	put(o, "\"");
}

/* SEAWALL_ACT_* and SEAWALL_PAGE_* by bit, as events and ledgers name them. */
static const char *const action_names[] = {
	"inject_dabt", "inject_iabt", "isolate", "notify", "restart", "rate_limited",
	"new_page", "journaled", "inject_failed", "isolate_failed", "unattributed",
	"host_offlined", "not_isolatable",
};
static const char *const page_flag_names[] = {
	"isolated", "replaced", "notified", "acked", "host_offlined",
};

const char *seawall_action_name(unsigned int bit)
{
	return bit < SW_ARRAY_SIZE(action_names) ? action_names[bit] : NULL;
}

const char *seawall_page_flag_name(unsigned int bit)
{
	return bit < SW_ARRAY_SIZE(page_flag_names) ? page_flag_names[bit] : NULL;
}

static void put_actions(struct out *o, uint32_t a)
{
	bool first = true;

	put(o, "[");
	for (unsigned int i = 0; i < SW_ARRAY_SIZE(action_names); i++) {
		if (a & (1u << i)) {
			put(o, "%s\"%s\"", first ? "" : ",", action_names[i]);
			first = false;
		}
	}
	put(o, "]");
}

static void put_key_string(struct out *o, const char *key, const char *s)
{
	put(o, ",\"%s\":", key);
	if (s)
		put_json_string(o, s);
	else
		put(o, "null");
}

/* Addresses as hex strings (JSON numbers lose bits past 2^53); 0: unknown. */
static void put_key_hex(struct out *o, const char *key, uint64_t v)
{
	if (v)
		put(o, ",\"%s\":\"0x%" PRIx64 "\"", key, v);
	else
		put(o, ",\"%s\":null", key);
}

static void put_key_u64(struct out *o, const char *key, uint64_t v)
{
	if (v)
		put(o, ",\"%s\":%" PRIu64, key, v);
	else
		put(o, ",\"%s\":null", key);
}

/*
 * RFC 3339, UTC, nanoseconds: "2026-12-05T12:00:00.123456789Z".  A
 * string: epoch nanoseconds are past 2^53, where a JSON reader's double
 * no longer holds them exactly.
 */
static void put_time(struct out *o, uint64_t ns)
{
	time_t secs = (time_t)(ns / 1000000000u);
	struct tm tm;

	if (!ns || !gmtime_r(&secs, &tm)) {
		put(o, ",\"time\":null");
		return;
	}
	put(o, ",\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%09uZ\"", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    (unsigned int)(ns % 1000000000u));
}

/*
 * One JSON object, no newline; returns the length it needs, like snprintf.
 * Every member is always there, in this order, null when not known or not
 * relevant (docs/events.md): a reader needs no per-type key list.
 */
int seawall_event_render_json(const struct seawall_event *ev, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	const char *t;

	if (!ev || (!buf && len))
		return -EINVAL;
	t = sw_event_type_name(ev->type);
	if (!t || ev->source >= SEAWALL_SRC__MAX)
		return -EINVAL;
	if (len)
		buf[0] = '\0';
	put(&o, "{\"schema\":%d,\"seq\":%" PRIu64, SEAWALL_EVENT_SCHEMA, ev->seq);
	put_time(&o, ev->time_ns);
	put_key_string(&o, "vm", ev->vm);
	put_key_string(&o, "uuid", ev->uuid);
	/* "type" then "source", as before 0.2: line-oriented readers grep the pair. */
	put(&o, ",\"message_id\":\"%s\",\"type\":\"%s\"", sw_event_message_id(ev->type), t);
	put_key_string(&o, "source", ev->source ? source_names[ev->source] : NULL);
	put_key_hex(&o, "gpa", ev->gpa);
	put_key_hex(&o, "page_gpa", ev->page_gpa);
	put_key_u64(&o, "page_size", ev->page_size);
	put_key_hex(&o, "gva", ev->gva);
	/*
	 * Only when the context was asked for host addresses (event_hva) and
	 * one is known: by default the JSON says nothing of where the VMM's
	 * memory is, not even that there is such a member.
	 */
	if (ev->hva)
		put_key_hex(&o, "hva", ev->hva);
	if (ev->esr)
		put(&o, ",\"esr\":\"0x%08" PRIx64 "\"", ev->esr);
	else
		put(&o, ",\"esr\":null");
	put_key_u64(&o, "count", ev->count);
	if (ev->guest_el == 0 || ev->guest_el == 1)
		put(&o, ",\"guest_el\":%d", ev->guest_el);
	else
		put(&o, ",\"guest_el\":null");
	put(&o, ",\"actions\":");
	put_actions(&o, ev->actions);
	put_key_string(&o, "restart_reason", restart_name(ev->restart_reason));
	if (ev->error)
		put(&o, ",\"error\":%d", ev->error);
	else
		put(&o, ",\"error\":null");
	put_key_string(&o, "reason", ev->reason);
	put(&o, "}");
	return o.n > INT32_MAX ? -EOVERFLOW : (int)o.n;
}

int seawall_ctx_get_stats(struct seawall_ctx *ctx, struct seawall_stats *st)
{
	if (!ctx || !st)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	*st = ctx->st;
	st->notify_pending = ctx->notify.n;
	st->poisoned_pages = ctx->live_pages;
	st->poisoned_total = ctx->poisoned_total;
	st->restarts_done = ctx->restarts_done;
	st->events_dropped = ctx->events_dropped;
	st->host_offlined = ctx->host_offlined;
	pthread_mutex_unlock(&ctx->lock);
	/* Overflows the consumer has not seen yet count too. */
	st->sigbus_overflows = atomic_load(&ctx->sigq.overflow);
	return 0;
}

/* A label value: backslash, double quote and newline escaped (text format 0.0.4). */
static void put_label_value(struct out *o, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			put(o, "\\%c", *s);
		else if (*s == '\n')
			put(o, "\\n");
		else
			put(o, "%c", *s);
	}
}

char *sw_id_labels(const char *vm, const char *uuid)
{
	struct out o = { NULL, 0, 0 };
	char *buf = NULL;

	for (int pass = 0; pass < 2; pass++) {
		if (vm) {
			put(&o, "vm=\"");
			put_label_value(&o, vm);
			put(&o, "\"");
		}
		if (uuid) {
			put(&o, "%suuid=\"", vm ? "," : "");
			put_label_value(&o, uuid);
			put(&o, "\"");
		}
		if (pass)
			break;
		buf = malloc(o.n + 1);
		if (!buf)
			return NULL;
		buf[0] = '\0';
		o = (struct out){ buf, o.n + 1, 0 };
	}
	return buf;
}

static void family(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample: the VM's identity labels, then label (may be NULL or ""). */
static void sample(struct out *o, const char *id, const char *name, const char *label,
		   uint64_t v)
{
	bool l = label && *label;

	if (*id || l)
		put(o, "%s{%s%s%s} %" PRIu64 "\n", name, id, *id && l ? "," : "", l ? label : "",
		    v);
	else
		put(o, "%s %" PRIu64 "\n", name, v);
}

static void metric(struct out *o, const char *id, const char *name, const char *type,
		   const char *help, uint64_t v)
{
	family(o, name, type, help);
	sample(o, id, name, NULL, v);
}

/*
 * Prometheus text exposition 0.0.4.  Every sample carries the identity
 * the VMM gave (vm, uuid), so that one collector can serve many VMs'
 * files; counters end in _total and never go down while the process
 * lives (docs/metrics.md).
 */
int seawall_metrics_render(struct seawall_ctx *ctx, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	struct seawall_stats st;
	uint64_t ledger, total, restarts, dropped, last_ns;
	unsigned int caps;
	uint32_t outside;
	const char *id;
	char lbl[64];
	int err;

	if (!ctx || (!buf && len))
		return -EINVAL;
	err = seawall_ctx_get_stats(ctx, &st);
	if (err)
		return err;
	pthread_mutex_lock(&ctx->lock);
	outside = ctx->outside_pages;
	ledger = ctx->ledger.n;
	total = ctx->poisoned_total;
	restarts = ctx->restarts_done;
	dropped = ctx->events_dropped;
	last_ns = ctx->last_event_ns;
	pthread_mutex_unlock(&ctx->lock);
	id = ctx->id_labels;		/* set once by seawall_ctx_new() */
	caps = ctx->o.kvm_caps;
	if (len)
		buf[0] = '\0';

	family(&o, "seawall_build_info", "gauge",
	       "libseawall build information; the value is always 1.");
	sample(&o, id, "seawall_build_info", "version=\"" SW_VERSION_STRING "\"", 1);
	if (caps & SEAWALL_KVM_CAPS_KNOWN)
		metric(&o, id, "seawall_sea_exit_enabled", "gauge",
		       "1 when the VMM enabled KVM_CAP_ARM_SEA_TO_USER (memory errors reach it as "
		       "KVM_EXIT_ARM_SEA), 0 when they reach it only as SIGBUS.",
		       !!(caps & SEAWALL_KVM_HAS_SEA_TO_USER));
	family(&o, "seawall_events_total", "counter", "Memory error events taken, by source.");
	for (unsigned int s = SEAWALL_SRC_SEA; s < SEAWALL_SRC__MAX; s++) {
		if (s == SEAWALL_SRC_JOURNAL)
			continue;
		snprintf(lbl, sizeof(lbl), "source=\"%s\"", source_names[s]);
		sample(&o, id, "seawall_events_total", lbl, st.events[s]);
	}
	metric(&o, id, "seawall_poisoned_pages_total", "counter",
	       "Guest pages found poisoned: new ones, and pages given fresh memory at a reset that "
	       "went bad again; starts from the journal's distinct pages.", total);
	metric(&o, id, "seawall_poisoned_pages", "gauge",
	       "Poisoned guest pages in the ledger (journal included, replaced ones too), as "
	       "seawall status shows.", ledger);
	metric(&o, id, "seawall_poisoned_pages_since_reset", "gauge",
	       "Poisoned pages of the VM's memory not yet given fresh memory by a reset; they "
	       "count toward the restart threshold.", st.poisoned_pages);
	metric(&o, id, "seawall_injections_total", "counter",
	       "Aborts injected (or handed to the VMM to inject) into vCPUs.", st.injections);
	metric(&o, id, "seawall_isolations_total", "counter", "Pages isolated.", st.isolations);
	metric(&o, id, "seawall_sigbus_queue_overflows_total", "counter",
	       "SIGBUS records lost because the queue was full.", st.sigbus_overflows);
	metric(&o, id, "seawall_restarts_requested_total", "counter",
	       "Times a VM restart was requested.", st.restarts_requested);
	metric(&o, id, "seawall_restarts_total", "counter",
	       "VM restarts performed (the VMM reset the VM through seawall_ctx_reset).", restarts);
	metric(&o, id, "seawall_rate_limited_total", "counter",
	       "Repeat reports suppressed by the rate limit.", st.rate_limited);
	metric(&o, id, "seawall_events_dropped_total", "counter",
	       "Events left out because one call produced more than its buffer holds.", dropped);
	metric(&o, id, "seawall_journal_errors_total", "counter",
	       "Journal write, sync or corruption errors.", st.journal_errors);
	metric(&o, id, "seawall_unattributable_total", "counter",
	       "Errors that could not be tied to a guest page.", st.unattributable);
	metric(&o, id, "seawall_notify_pending", "gauge",
	       "Poisoned pages the guest agent has not acknowledged.", st.notify_pending);
	metric(&o, id, "seawall_journal_outside_pages", "gauge",
	       "Journaled poisoned pages outside every registered region (not counted).",
	       outside);
	family(&o, "seawall_last_event_timestamp_seconds", "gauge",
	       "Time of the last event (Unix time, seconds); 0: none since the VMM started.");
	if (*id)
		put(&o, "seawall_last_event_timestamp_seconds{%s} %" PRIu64 ".%03u\n", id,
		    last_ns / 1000000000u, (unsigned int)(last_ns % 1000000000u / 1000000u));
	else
		put(&o, "seawall_last_event_timestamp_seconds %" PRIu64 ".%03u\n",
		    last_ns / 1000000000u, (unsigned int)(last_ns % 1000000000u / 1000000u));
	return o.n > INT32_MAX ? -EOVERFLOW : (int)o.n;
}

/*
 * node_exporter textfile convention: write a temporary file, rename it.
 * The temporary file is made by mkstemp next to the target: O_EXCL, so
 * a link or file planted under a name we would pick is never opened,
 * followed or truncated; the rename then replaces whatever is at path
 * (a symbolic link itself, not its target).
 */
int seawall_metrics_write(struct seawall_ctx *ctx, const char *path)
{
	char *tmp, *buf;
	int n, fd, err = 0;
	size_t plen;

	if (!ctx || !path || !*path)
		return -EINVAL;
	n = seawall_metrics_render(ctx, NULL, 0);
	if (n < 0)
		return n;
	buf = malloc((size_t)n + 1);
	plen = strlen(path);
	tmp = malloc(plen + sizeof(".tmp.XXXXXX"));
	if (!buf || !tmp) {
		err = -ENOMEM;
		goto out;
	}
	n = seawall_metrics_render(ctx, buf, (size_t)n + 1);
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	/* Readable by a metrics collector, as before (mkstemp makes it 0600). */
	if (fchmod(fd, 0644) < 0)
		err = -errno;
	for (int off = 0; off < n && !err;) {
		ssize_t k = write(fd, buf + off, (size_t)(n - off));

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			err = k < 0 ? -errno : -EIO;
			break;
		}
		off += (int)k;
	}
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
out:
	free(buf);
	free(tmp);
	return err;
}
