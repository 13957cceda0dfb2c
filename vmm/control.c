// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control socket: protocol "seawall-control" version 1, one request
 * line per connection (docs/control-protocol.md).  An accept thread and one
 * short-lived thread per connection; every read and write has a timeout,
 * and nothing here holds a lock a vCPU waits for while talking to a client.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "vm.h"

#define MAX_CONNS	16
#define IO_TIMEOUT_S	2

static struct {
	struct vm *vm;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	pthread_t thread;
	atomic_int conns;
	atomic_int stopping;
} srv = { .fd = -1 };

static void mark_add(uint64_t gpa);

struct strbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct strbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void reply_error(int fd, int code, const char *why)
{
	char buf[512];
	int n = ctl_error_line(buf, sizeof(buf), code, why);

	if (n > 0)
		send_all(fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void debugfs_dir(struct vm *vm, char *buf, size_t cap)
{
	snprintf(buf, cap, "/sys/kernel/debug/kvm/%d-%d", (int)getpid(), vm->vm_fd);
}

static void do_hello(struct vm *vm, struct strbuf *b)
{
	sb_printf(b, "{\"protocol\":\"%s\",\"version\":%d,\"vmm\":\"swvm\",\"pid\":%d,\"vm_fd\":%d}\n",
		  CTL_PROTOCOL, CTL_VERSION, (int)getpid(), vm->vm_fd);
}

static void do_status(struct vm *vm, struct strbuf *b)
{
	struct seawall_stats st;
	char dir[128];
	int pages = seawall_ledger_count(vm->sw);

	memset(&st, 0, sizeof(st));
	seawall_ctx_get_stats(vm->sw, &st);
	debugfs_dir(vm, dir, sizeof(dir));
	sb_printf(b, "{\"state\":\"%s\",\"uptime_s\":%.3f,\"cpus\":%u,\"mem_mib\":%u,"
		  "\"sea_exit_enabled\":%s,\"nisv_exit_enabled\":%s,\"restarts\":%u,"
		  "\"poisoned_pages\":%d,\"notify_pending\":%llu,\"injections\":%llu,"
		  "\"events_total\":%lu,\"pid\":%d,\"vm_fd\":%d,\"debugfs\":\"%s\"}\n",
		  atomic_load(&vm->state) == VM_RESTARTING ? "restarting" : "running",
		  (double)(now_ns() - vm->start_ns) / 1e9, vm->ncpus, vm->o->mem_mib,
		  vm->sea_caps & SEAWALL_KVM_HAS_SEA_TO_USER ? "true" : "false",
		  vm->sea_caps & SEAWALL_KVM_HAS_NISV_TO_USER ? "true" : "false",
		  vm->restarts, pages < 0 ? 0 : pages, (unsigned long long)st.notify_pending,
		  (unsigned long long)st.injections, atomic_load(&vm->events_total),
		  (int)getpid(), vm->vm_fd, dir);
}

static const char *const act_names[] = {
	"inject_dabt", "inject_iabt", "isolate", "notify", "restart", "rate_limited",
	"new_page", "journaled", "inject_failed", "isolate_failed", "unattributed",
};
static const char *const flag_names[] = { "isolated", "replaced", "notified", "acked" };

static int ledger_page(const struct seawall_page *p, void *arg)
{
	struct strbuf *b = arg;
	const char *src = seawall_source_name(p->source);
	bool first = true;

	sb_printf(b, "{\"gpa\":\"0x%llx\",\"size\":%llu,\"gva\":\"0x%llx\",\"esr\":\"0x%x\","
		  "\"hits\":%u,\"source\":\"%s\",\"guest_el\":%d,\"first_ns\":%llu,"
		  "\"last_ns\":%llu,\"actions\":[",
		  (unsigned long long)p->gpa, 1ULL << p->page_shift, (unsigned long long)p->gva,
		  p->esr, p->hits, src ? src : "unknown", p->guest_el,
		  (unsigned long long)p->first_ns, (unsigned long long)p->last_ns);
	for (unsigned int i = 0; i < sizeof(act_names) / sizeof(act_names[0]); i++)
		if (p->actions & (1u << i)) {
			sb_printf(b, "%s\"%s\"", first ? "" : ",", act_names[i]);
			first = false;
		}
	sb_add(b, "],\"flags\":[", 11);
	first = true;
	for (unsigned int i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (p->flags & (1u << i)) {
			sb_printf(b, "%s\"%s\"", first ? "" : ",", flag_names[i]);
			first = false;
		}
	sb_add(b, "]}\n", 3);
	return 0;
}

static void do_ledger(struct vm *vm, struct strbuf *b)
{
	int n = seawall_ledger_foreach(vm->sw, ledger_page, b);

	sb_printf(b, "{\"end\":true,\"count\":%d}\n", n < 0 ? 0 : n);
}

static int do_metrics(struct vm *vm, struct strbuf *b)
{
	int n = seawall_metrics_render(vm->sw, NULL, 0);
	char *buf;

	if (n < 0)
		return n;
	buf = malloc((size_t)n + 1);
	if (!buf)
		return -ENOMEM;
	seawall_metrics_render(vm->sw, buf, (size_t)n + 1);
	sb_add(b, buf, strlen(buf));
	free(buf);
	return 0;
}

static void do_inject_test(struct vm *vm, int fd, const struct ctl_req *req)
{
	char dir[128], path[160], line[64], why[256];
	struct stat st;
	int f, n;

	debugfs_dir(vm, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/sea_inject", dir);
	f = open(path, O_WRONLY | O_CLOEXEC);
	if (f < 0) {
		if (errno == ENOENT && stat(dir, &st) < 0)
			snprintf(why, sizeof(why), "%s is absent (debugfs not mounted?)", dir);
		else if (errno == ENOENT)
			snprintf(why, sizeof(why), "%s is absent: the host kernel has no "
				 "test-only SEA injection (rig kernels only)", path);
		else
			snprintf(why, sizeof(why), "%s: %s", path, strerror(errno));
		reply_error(fd, CTL_E_UNSUPPORTED, why);
		return;
	}
	n = snprintf(line, sizeof(line), "0x%llx%s%s\n", (unsigned long long)req->gpa,
		     req->mode[0] ? " " : "", req->mode);
	if (write(f, line, (size_t)n) != n) {
		snprintf(why, sizeof(why), "sea_inject refused 0x%llx: %s",
			 (unsigned long long)req->gpa, strerror(errno));
		close(f);
		reply_error(fd, CTL_E_MALFORMED, why);
		return;
	}
	close(f);
	mark_add(req->gpa);
	send_all(fd, "{\"ok\":true}\n", 12);
}

/*
 * The pages inject-test marked.  A mark stands for a bad host page; when a
 * reset gives a page the ledger knows fresh memory, its mark must go too,
 * or the rig would keep failing memory that real hardware has replaced.
 */
#define MAX_MARKS 1024
static struct {
	pthread_mutex_t lock;
	uint64_t gpa[MAX_MARKS];
	unsigned int n;
} marks = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void mark_add(uint64_t gpa)
{
	pthread_mutex_lock(&marks.lock);
	for (unsigned int i = 0; i < marks.n; i++)
		if (marks.gpa[i] == gpa)
			goto out;
	if (marks.n < MAX_MARKS)
		marks.gpa[marks.n++] = gpa;
out:
	pthread_mutex_unlock(&marks.lock);
}

void control_reset_marks(struct vm *vm)
{
	char dir[128], path[160], line[48];
	struct seawall_page p;
	unsigned int i = 0;

	debugfs_dir(vm, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/sea_inject", dir);
	pthread_mutex_lock(&marks.lock);
	while (i < marks.n) {
		int f, n;

		if (seawall_ledger_lookup(vm->sw, marks.gpa[i], &p) < 0 ||
		    !(p.flags & SEAWALL_PAGE_REPLACED)) {
			i++;
			continue;
		}
		n = snprintf(line, sizeof(line), "clear 0x%llx\n", (unsigned long long)marks.gpa[i]);
		f = open(path, O_WRONLY | O_CLOEXEC);
		if (f >= 0) {
			if (write(f, line, (size_t)n) == n)
				vm_info(vm, "test mark on 0x%llx cleared: the page has fresh memory",
					(unsigned long long)marks.gpa[i]);
			close(f);
		}
		marks.gpa[i] = marks.gpa[--marks.n];
	}
	pthread_mutex_unlock(&marks.lock);
}

static bool client_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };
	char c;

	if (poll(&p, 1, 0) <= 0)
		return false;
	if (p.revents & (POLLHUP | POLLERR | POLLRDHUP))
		return true;
	/* Anything the client sends after its request is ignored; EOF ends it. */
	return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

static void do_events(struct vm *vm, int fd, bool follow)
{
	uint64_t last = 0;

	if (sea_events_dump(vm, fd, &last) < 0 || !follow)
		return;
	while (!atomic_load(&srv.stopping) && !client_gone(fd)) {
		if (sea_events_wait(vm, last, 500) && sea_events_dump(vm, fd, &last) < 0)
			return;
	}
}

/* Read one request line: its length, or -CTL_E_* . */
static int read_request(int fd, char *buf, size_t cap)
{
	size_t len = 0;

	while (len < cap) {
		ssize_t r = recv(fd, buf + len, cap - len, 0);
		char *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -CTL_E_TIMEOUT : -CTL_E_MALFORMED;
		if (r == 0)
			return (int)len;	/* EOF ends the line too */
		nl = memchr(buf + len, '\n', (size_t)r);
		len += (size_t)r;
		if (nl)
			return (int)(nl - buf + 1);
	}
	return -CTL_E_TOOLONG;	/* cap bytes and still no newline */
}

static void *conn_thread(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct vm *vm = srv.vm;
	char buf[CTL_MAX_REQUEST];
	struct ctl_req req;
	struct strbuf b = { 0 };
	const char *why = NULL;
	int n, code;

	n = read_request(fd, buf, sizeof(buf));
	if (n < 0) {
		reply_error(fd, -n, n == -CTL_E_TOOLONG ? "request longer than 512 bytes" :
				    n == -CTL_E_TIMEOUT ? "no complete request line in time" :
				    "read error");
		goto out;
	}
	code = ctl_parse(buf, (size_t)n, &req, &why);
	if (code) {
		reply_error(fd, code, why);
		goto out;
	}
	switch (req.verb) {
	case CTL_HELLO:
		do_hello(vm, &b);
		break;
	case CTL_STATUS:
		do_status(vm, &b);
		break;
	case CTL_LEDGER:
		do_ledger(vm, &b);
		break;
	case CTL_METRICS:
		if (do_metrics(vm, &b) < 0) {
			reply_error(fd, CTL_E_INTERNAL, "rendering the metrics failed");
			goto out;
		}
		break;
	case CTL_EVENTS:
		do_events(vm, fd, req.follow);
		goto out;
	case CTL_INJECT_TEST:
		do_inject_test(vm, fd, &req);
		goto out;
	}
	if (b.oom)
		reply_error(fd, CTL_E_INTERNAL, "out of memory");
	else if (b.len)
		send_all(fd, b.p, b.len);
out:
	free(b.p);
	close(fd);
	atomic_fetch_sub(&srv.conns, 1);
	return NULL;
}

static void *accept_thread(void *arg)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	sigset_t set;

	(void)arg;
	sigfillset(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* signals are for vCPU threads */
	pthread_setname_np(pthread_self(), "swvm-control");
	while (!atomic_load(&srv.stopping)) {
		pthread_attr_t attr;
		pthread_t t;
		int fd = accept4(srv.fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE ||
			    errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				if (errno != EINTR && errno != ECONNABORTED)
					usleep(100000);
				continue;
			}
			break;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (atomic_fetch_add(&srv.conns, 1) >= MAX_CONNS) {
			atomic_fetch_sub(&srv.conns, 1);
			reply_error(fd, CTL_E_BUSY, "too many connections");
			close(fd);
			continue;
		}
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 256 << 10);
		if (pthread_create(&t, &attr, conn_thread, (void *)(intptr_t)fd)) {
			atomic_fetch_sub(&srv.conns, 1);
			reply_error(fd, CTL_E_INTERNAL, "cannot start a thread");
			close(fd);
		}
		pthread_attr_destroy(&attr);
	}
	return NULL;
}

int control_start(struct vm *vm, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		vm_err("--control %s: path longer than %zu bytes", path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	strcpy(sa.sun_path, path);
	/* A stale socket of an earlier run is replaced; anything else is not. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			vm_err("--control %s: exists and is not a socket", path);
			return -1;
		}
		unlink(path);
	}
	srv.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv.fd < 0 || bind(srv.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(srv.fd, MAX_CONNS) < 0) {
		vm_err("--control %s: %s", path, strerror(errno));
		return -1;
	}
	strcpy(srv.path, path);
	srv.vm = vm;
	err = pthread_create(&srv.thread, NULL, accept_thread, NULL);
	if (err) {
		vm_err("control thread: %s", strerror(err));
		return -1;
	}
	return 0;
}

void control_stop(void)
{
	if (srv.fd < 0)
		return;
	atomic_store(&srv.stopping, 1);
	unlink(srv.path);
}
