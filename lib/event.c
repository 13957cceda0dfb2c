// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/* Events as JSON lines; counters as Prometheus text exposition. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static const char *type_name(unsigned int t)
{
	static const char *const names[] = {
		[SEAWALL_EV_POISON] = "poison",
		[SEAWALL_EV_REPEAT] = "repeat",
		[SEAWALL_EV_UNATTRIBUTABLE] = "unattributable",
		[SEAWALL_EV_SIGBUS_OVERFLOW] = "sigbus_overflow",
		[SEAWALL_EV_RESTART] = "restart",
		[SEAWALL_EV_JOURNAL_ERROR] = "journal_error",
		[SEAWALL_EV_JOURNAL_TORN] = "journal_torn",
		[SEAWALL_EV_ISOLATE_FAILED] = "isolate_failed",
		[SEAWALL_EV_INJECT_FAILED] = "inject_failed",
		[SEAWALL_EV_NOTIFY_OVERFLOW] = "notify_overflow",
		[SEAWALL_EV_LEDGER_FULL] = "ledger_full",
	};

	return t < SW_ARRAY_SIZE(names) && names[t] ? names[t] : NULL;
}

static const char *restart_name(unsigned int r)
{
	static const char *const names[] = {
		"none", "threshold", "guest_kernel", "unattributable", "lost", "uncontainable",
	};

	return r < SW_ARRAY_SIZE(names) ? names[r] : "?";
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

static void put_actions(struct out *o, uint32_t a)
{
	static const char *const names[] = {
		"inject_dabt", "inject_iabt", "isolate", "notify", "restart", "rate_limited",
		"new_page", "journaled", "inject_failed", "isolate_failed", "unattributed",
	};
	bool first = true;

	put(o, "[");
	for (unsigned int i = 0; i < SW_ARRAY_SIZE(names); i++) {
		if (a & (1u << i)) {
			put(o, "%s\"%s\"", first ? "" : ",", names[i]);
			first = false;
		}
	}
	put(o, "]");
}

/* One JSON object, no newline; returns the length it needs, like snprintf. */
int seawall_event_render_json(const struct seawall_event *ev, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	const char *t, *src;

	if (!ev || (!buf && len))
		return -EINVAL;
	t = type_name(ev->type);
	src = seawall_source_name(ev->source);
	if (!t || !src)
		return -EINVAL;
	if (len)
		buf[0] = '\0';
	put(&o, "{\"seq\":%" PRIu64 ",\"time_ns\":%" PRIu64 ",\"type\":\"%s\",\"source\":\"%s\"",
	    ev->seq, ev->time_ns, t, src);
	put(&o, ",\"gpa\":\"0x%" PRIx64 "\",\"page_gpa\":\"0x%" PRIx64 "\",\"page_size\":%" PRIu64,
	    ev->gpa, ev->page_gpa, ev->page_size);
	put(&o, ",\"gva\":\"0x%" PRIx64 "\"", ev->gva);
	/* Only when the context was asked for host addresses (seawall_ctx_opts.event_hva). */
	if (ev->hva)
		put(&o, ",\"hva\":\"0x%" PRIx64 "\"", ev->hva);
	put(&o, ",\"esr\":\"0x%08" PRIx64 "\"", ev->esr);
	put(&o, ",\"count\":%" PRIu64 ",\"guest_el\":%d,\"actions\":", ev->count, ev->guest_el);
	put_actions(&o, ev->actions);
	put(&o, ",\"restart_reason\":\"%s\",\"error\":%d", restart_name(ev->restart_reason),
	    ev->error);
	if (ev->reason) {
		put(&o, ",\"reason\":");
		put_json_string(&o, ev->reason);
	}
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
	pthread_mutex_unlock(&ctx->lock);
	/* Overflows the consumer has not seen yet count too. */
	st->sigbus_overflows = atomic_load(&ctx->sigq.overflow);
	return 0;
}

static void metric(struct out *o, const char *name, const char *type, const char *help,
		   uint64_t v)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name, help, name, type, name, v);
}

int seawall_metrics_render(struct seawall_ctx *ctx, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	struct seawall_stats st;
	uint32_t outside;
	int err;

	if (!ctx || (!buf && len))
		return -EINVAL;
	err = seawall_ctx_get_stats(ctx, &st);
	if (err)
		return err;
	pthread_mutex_lock(&ctx->lock);
	outside = ctx->outside_pages;
	pthread_mutex_unlock(&ctx->lock);
	if (len)
		buf[0] = '\0';
	put(&o, "# HELP seawall_events_total Memory error events taken, by source.\n"
		"# TYPE seawall_events_total counter\n");
	for (unsigned int s = SEAWALL_SRC_SEA; s < SEAWALL_SRC__MAX; s++)
		if (s != SEAWALL_SRC_JOURNAL)
			put(&o, "seawall_events_total{source=\"%s\"} %" PRIu64 "\n",
			    source_names[s], st.events[s]);
	metric(&o, "seawall_poisoned_pages", "gauge",
	       "Distinct poisoned guest pages since the last reset.", st.poisoned_pages);
	metric(&o, "seawall_injections_total", "counter",
	       "Aborts injected (or handed to the VMM to inject) into vCPUs.", st.injections);
	metric(&o, "seawall_isolations_total", "counter", "Pages isolated.", st.isolations);
	metric(&o, "seawall_sigbus_queue_overflows_total", "counter",
	       "SIGBUS records lost because the queue was full.", st.sigbus_overflows);
	metric(&o, "seawall_restarts_requested_total", "counter",
	       "Times a VM restart was requested.", st.restarts_requested);
	metric(&o, "seawall_rate_limited_total", "counter",
	       "Repeat reports suppressed by the rate limit.", st.rate_limited);
	metric(&o, "seawall_journal_errors_total", "counter",
	       "Journal write, sync or corruption errors.", st.journal_errors);
	metric(&o, "seawall_unattributable_total", "counter",
	       "Errors that could not be tied to a guest page.", st.unattributable);
	metric(&o, "seawall_notify_pending", "gauge",
	       "Poisoned pages the guest agent has not acknowledged.", st.notify_pending);
	metric(&o, "seawall_journal_outside_pages", "gauge",
	       "Journaled poisoned pages outside every registered region (not counted).",
	       outside);
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
