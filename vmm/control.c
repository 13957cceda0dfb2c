// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * The control socket: protocol "seawall-control" version 1, one request
 * line per connection (docs/control-protocol.md).  An accept thread and one
 * short-lived thread per connection.  Only swvm's user, root and, by
 * choice, one group get in (socket mode and SO_PEERCRED).  A request has
 * an absolute deadline from accept to its newline, and followers of the
 * events have their own slots, so neither slow clients nor followers can
 * lock a status request out for longer than that deadline.  Nothing here
 * holds a lock a vCPU waits for while talking to a client.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS	59
#endif

/* Static so that the unit test can shorten the times. */
static struct {
	unsigned int request_ms;	/* accept to the request's newline */
	unsigned int reply_ms;		/* a whole one-shot reply */
	unsigned int send_ms;		/* each send to a follower */
	int max_requests;		/* connections being read or answered */
	int max_followers;		/* events follow, on top of those */
} limits = { 2000, 10000, 2000, 16, 8 };

#define REFUSED_LOG_NS	(10 * 1000000000ULL)

static struct {
	struct vm *vm;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;			/* the socket file we bound */
	ino_t ino;
	uid_t self;
	gid_t group;			/* --control-group, or CTL_NO_GROUP */
	bool allow_inject;
	pthread_t thread;
	atomic_int requests;
	atomic_int followers;
	atomic_int stopping;
	uint64_t refused_log_ns;	/* accept thread only */
	unsigned int refused_quiet;
} srv = { .fd = -1 };

struct conn {
	int fd;
	uint64_t deadline;		/* of the request, then of its reply */
	bool follower;			/* holds a follower slot, not a request slot */
};

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

static uint64_t ms_ns(unsigned int ms)
{
	return (uint64_t)ms * 1000000ULL;
}

/* All of it before deadline (a client that does not read is dropped), or -1. */
static int send_all(int fd, const char *p, size_t len, uint64_t deadline)
{
	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pf = { .fd = fd, .events = POLLOUT };
			uint64_t now = now_ns();

			if (now >= deadline)
				return -1;
			if (poll(&pf, 1, (int)((deadline - now + 999999) / 1000000)) < 0 &&
			    errno != EINTR)
				return -1;
			continue;
		}
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void reply_error(int fd, int code, const char *why, uint64_t deadline)
{
	char buf[512];
	int n = ctl_error_line(buf, sizeof(buf), code, why);

	if (n > 0)
		send_all(fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1, deadline);
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
	for (unsigned int i = 0; seawall_action_name(i); i++)
		if (p->actions & (1u << i)) {
			sb_printf(b, "%s\"%s\"", first ? "" : ",", seawall_action_name(i));
			first = false;
		}
	sb_add(b, "],\"flags\":[", 11);
	first = true;
	for (unsigned int i = 0; seawall_page_flag_name(i); i++)
		if (p->flags & (1u << i)) {
			sb_printf(b, "%s\"%s\"", first ? "" : ",", seawall_page_flag_name(i));
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

static void do_inject_test(struct vm *vm, const struct conn *c, const struct ctl_req *req)
{
	int fd = c->fd;
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
		reply_error(fd, CTL_E_UNSUPPORTED, why, c->deadline);
		return;
	}
	n = snprintf(line, sizeof(line), "0x%llx%s%s\n", (unsigned long long)req->gpa,
		     req->mode[0] ? " " : "", req->mode);
	if (write(f, line, (size_t)n) != n) {
		snprintf(why, sizeof(why), "sea_inject refused 0x%llx: %s",
			 (unsigned long long)req->gpa, strerror(errno));
		close(f);
		reply_error(fd, CTL_E_MALFORMED, why, c->deadline);
		return;
	}
	close(f);
	mark_add(req->gpa);
	send_all(fd, "{\"ok\":true}\n", 12, c->deadline);
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

/* The request reader's view of a connection: poll, then what is there. */
static long sock_read(void *arg, char *buf, size_t cap, int timeout_ms)
{
	struct pollfd p = { .fd = *(int *)arg, .events = POLLIN };
	ssize_t n;
	int r = poll(&p, 1, timeout_ms);

	if (r < 0)
		return -errno;
	if (r == 0)
		return -EAGAIN;
	n = recv(p.fd, buf, cap, MSG_DONTWAIT);
	return n < 0 ? -errno : (long)n;
}

static uint64_t sock_now(void *arg)
{
	(void)arg;
	return now_ns();
}

/*
 * Give the slot back before the close, so that a client which saw its
 * end of file finds the slot free again.
 */
static void conn_end(struct conn *c)
{
	atomic_fetch_sub(c->follower ? &srv.followers : &srv.requests, 1);
	close(c->fd);
	free(c);
}

static void *conn_thread(void *arg)
{
	struct conn *c = arg;
	struct vm *vm = srv.vm;
	struct ctl_io io = { .read = sock_read, .now_ns = sock_now, .arg = &c->fd };
	char buf[CTL_MAX_REQUEST];
	struct ctl_req req;
	struct strbuf b = { 0 };
	const char *why = NULL;
	int n, code, fd = c->fd;

	n = ctl_read_request(&io, buf, sizeof(buf), c->deadline);
	c->deadline = now_ns() + ms_ns(limits.reply_ms);
	if (n < 0) {
		reply_error(fd, -n, n == -CTL_E_TOOLONG ? "request longer than 512 bytes" :
				    n == -CTL_E_TIMEOUT ? "no complete request line in time" :
				    "read error", c->deadline);
		goto out;
	}
	code = ctl_parse(buf, (size_t)n, &req, &why);
	if (code) {
		reply_error(fd, code, why, c->deadline);
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
			reply_error(fd, CTL_E_INTERNAL, "rendering the metrics failed", c->deadline);
			goto out;
		}
		break;
	case CTL_EVENTS:
		if (req.follow) {
			/* A follower moves to its own slots, so it never keeps a request out. */
			if (atomic_fetch_add(&srv.followers, 1) >= limits.max_followers) {
				atomic_fetch_sub(&srv.followers, 1);
				snprintf(buf, sizeof(buf), "too many events followers (%d at a time)",
					 limits.max_followers);
				reply_error(fd, CTL_E_BUSY, buf, c->deadline);
				goto out;
			}
			atomic_fetch_sub(&srv.requests, 1);
			c->follower = true;
		}
		do_events(vm, fd, req.follow);
		goto out;
	case CTL_INJECT_TEST:
		if (!srv.allow_inject) {
			reply_error(fd, CTL_E_FORBIDDEN, "inject-test is not enabled: swvm serves it "
				    "only with --allow-inject-test (test rigs)", c->deadline);
			goto out;
		}
		do_inject_test(vm, c, &req);
		goto out;
	}
	if (b.oom)
		reply_error(fd, CTL_E_INTERNAL, "out of memory", c->deadline);
	else if (b.len)
		send_all(fd, b.p, b.len, c->deadline);
out:
	free(b.p);
	conn_end(c);
	return NULL;
}

/* Root, swvm's user and --control-group's members; 0, or why not in why. */
static int peer_check(int fd, char *why, size_t len)
{
	struct ucred cr;
	socklen_t l = sizeof(cr);
	gid_t groups[256];
	socklen_t gl = sizeof(groups);
	size_t ng = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &l) < 0) {
		snprintf(why, len, "cannot read the peer's credentials: %s", strerror(errno));
		return -1;
	}
	/* Supplementary groups too: a member whose primary group is another. */
	if (srv.group != CTL_NO_GROUP && getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &gl) == 0)
		ng = gl / sizeof(groups[0]);
	if (ctl_peer_allowed(cr.uid, cr.gid, groups, ng, srv.self, srv.group))
		return 0;
	if (srv.group == CTL_NO_GROUP)
		snprintf(why, len, "uid %u (pid %d) may not use this control socket: it is for "
			 "swvm's user (uid %u) and root; swvm --control-group lets a group in",
			 (unsigned int)cr.uid, (int)cr.pid, (unsigned int)srv.self);
	else
		snprintf(why, len, "uid %u (pid %d) may not use this control socket: it is for "
			 "swvm's user (uid %u), root and group %u", (unsigned int)cr.uid,
			 (int)cr.pid, (unsigned int)srv.self, (unsigned int)srv.group);
	return -1;
}

/* A refused peer is logged, once per 10 s at most: it may be a flood. */
static void log_refused(const char *why)
{
	uint64_t now = now_ns();

	if (srv.refused_log_ns && now - srv.refused_log_ns < REFUSED_LOG_NS) {
		srv.refused_quiet++;
		return;
	}
	if (srv.refused_quiet)
		vm_err("control: refused %s (and %u more refused since the last such line)",
		       why, srv.refused_quiet);
	else
		vm_err("control: refused %s", why);
	srv.refused_log_ns = now;
	srv.refused_quiet = 0;
}

static void *accept_thread(void *arg)
{
	struct timeval tv = { .tv_sec = limits.send_ms / 1000,
			      .tv_usec = (limits.send_ms % 1000) * 1000 };
	sigset_t set;

	(void)arg;
	sigfillset(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* signals are for vCPU threads */
	pthread_setname_np(pthread_self(), "swvm-control");
	while (!atomic_load(&srv.stopping)) {
		pthread_attr_t attr;
		pthread_t t;
		struct conn *c;
		char why[256];
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
		/* The accept thread never waits on a client: these replies are one try. */
		if (peer_check(fd, why, sizeof(why))) {
			reply_error(fd, CTL_E_FORBIDDEN, why, 0);
			log_refused(why);
			close(fd);
			continue;
		}
		/* For the events sends (sea.c); the request and its reply have deadlines. */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (atomic_fetch_add(&srv.requests, 1) >= limits.max_requests) {
			atomic_fetch_sub(&srv.requests, 1);
			snprintf(why, sizeof(why), "too many requests at a time (%d); each has %u ms",
				 limits.max_requests, limits.request_ms);
			reply_error(fd, CTL_E_BUSY, why, 0);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			atomic_fetch_sub(&srv.requests, 1);
			reply_error(fd, CTL_E_INTERNAL, "out of memory", 0);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->deadline = now_ns() + ms_ns(limits.request_ms);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 256 << 10);
		if (pthread_create(&t, &attr, conn_thread, c)) {
			reply_error(fd, CTL_E_INTERNAL, "cannot start a thread", 0);
			conn_end(c);
		}
		pthread_attr_destroy(&attr);
	}
	return NULL;
}

/*
 * Whatever is at path already: nothing, or a stale socket (removed), is
 * fine; a socket something answers on, or any other file, is not ours to
 * take.  0 or -1 (said why).
 */
static int clear_path(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int s, r, e;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		vm_err("--control %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		vm_err("--control %s: exists and is not a socket; not replacing it", path);
		return -1;
	}
	/* Non-blocking: a live listener with a full backlog says EAGAIN, not hangs. */
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0) {
		vm_err("--control %s: socket: %s", path, strerror(errno));
		return -1;
	}
	r = connect(s, (const struct sockaddr *)sa, sizeof(*sa));
	e = errno;
	close(s);
	if (r == 0 || e == EAGAIN || e == EINPROGRESS) {
		vm_err("--control %s: another process (a running swvm?) listens on this socket; "
		       "not taking it over (stop that one, or choose another --control path)", path);
		return -1;
	}
	if (e != ECONNREFUSED) {
		vm_err("--control %s: cannot tell whether the socket is in use (%s); "
		       "not replacing it", path, strerror(e));
		return -1;
	}
	/* Nothing listens: the socket of an earlier run that did not clean up. */
	if (unlink(path) < 0 && errno != ENOENT) {
		vm_err("--control %s: removing the stale socket: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int control_start(struct vm *vm, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	gid_t group = CTL_NO_GROUP;
	mode_t mask, want;
	struct stat st;
	int fd, err, r;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		vm_err("--control %s: path longer than %zu bytes", path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (vm->o->control_group) {
		r = swvm_group_gid("/etc/group", vm->o->control_group, &group);
		if (r < 0) {
			vm_err("--control-group %s: %s", vm->o->control_group,
			       r == -ENOENT ? "no such group in /etc/group" : strerror(-r));
			return -1;
		}
	}
	if (clear_path(path, &sa))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		vm_err("--control %s: socket: %s", path, strerror(errno));
		return -1;
	}
	/*
	 * The socket file is born with its final mode: bind() applies the
	 * umask, and no other thread creates files this early.
	 */
	want = group == CTL_NO_GROUP ? 0600 : 0660;
	mask = umask(~want & 0777);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	err = errno;
	umask(mask);
	if (r < 0) {
		vm_err("--control %s: %s", path, strerror(err));
		close(fd);
		return -1;
	}
	if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		vm_err("--control %s: the socket vanished after bind", path);
		close(fd);
		return -1;
	}
	/* A default ACL on the directory overrides the umask. */
	if ((st.st_mode & 07777) != want && chmod(path, want) < 0) {
		vm_err("--control %s: chmod %o: %s", path, (unsigned int)want, strerror(errno));
		goto fail;
	}
	if (group != CTL_NO_GROUP && lchown(path, (uid_t)-1, group) < 0) {
		vm_err("--control-group %s: giving the socket to gid %u: %s", vm->o->control_group,
		       (unsigned int)group, strerror(errno));
		goto fail;
	}
	if (listen(fd, limits.max_requests) < 0) {
		vm_err("--control %s: listen: %s", path, strerror(errno));
		goto fail;
	}
	srv.fd = fd;
	srv.dev = st.st_dev;
	srv.ino = st.st_ino;
	strcpy(srv.path, path);
	srv.self = geteuid();
	srv.group = group;
	srv.allow_inject = vm->o->allow_inject_test;
	srv.vm = vm;
	atomic_store(&srv.stopping, 0);
	err = pthread_create(&srv.thread, NULL, accept_thread, NULL);
	if (err) {
		vm_err("control thread: %s", strerror(err));
		srv.fd = -1;
		goto fail;
	}
	return 0;
fail:
	unlink(path);
	close(fd);
	return -1;
}

void control_stop(void)
{
	struct stat st;

	if (srv.fd < 0)
		return;
	atomic_store(&srv.stopping, 1);
	/* Wakes the accept thread (accept() fails), then it is gone for good. */
	shutdown(srv.fd, SHUT_RDWR);
	pthread_join(srv.thread, NULL);
	close(srv.fd);
	srv.fd = -1;
	/*
	 * Remove the socket only if it is still the one we bound: another
	 * swvm may have replaced a path we lost (someone removed ours).
	 */
	if (lstat(srv.path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == srv.dev &&
	    st.st_ino == srv.ino)
		unlink(srv.path);
}
