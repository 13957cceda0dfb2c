// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * swvm's control socket, natively: vmm/control.c over a real UNIX socket
 * with the KVM side stubbed (no VM, no ledger).  What a local user would
 * see: the socket's mode, who is let in, inject-test off unless asked
 * for, a request's absolute deadline against a client that trickles
 * bytes, followers that cannot lock a status request out, a second line
 * refused, a second swvm refused on a live socket, and an exit that
 * removes only its own socket.  Times are short but only order events:
 * nothing asserts how long anything took.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../vmm/proto.c"
#include "../../vmm/options.c"
#include "../../vmm/control.c"
#include "tap.h"

/* ---- the parts of swvm that control.c calls, stubbed ---- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_buf[8192];

static bool log_has(const char *s)
{
	bool r;

	pthread_mutex_lock(&log_lock);
	r = strstr(log_buf, s) != NULL;
	pthread_mutex_unlock(&log_lock);
	return r;
}

__attribute__((format(printf, 1, 0)))
static void log_add(const char *fmt, va_list ap)
{
	size_t n;

	pthread_mutex_lock(&log_lock);
	n = strlen(log_buf);
	if (n < sizeof(log_buf) - 2) {
		vsnprintf(log_buf + n, sizeof(log_buf) - n - 1, fmt, ap);
		strcat(log_buf, "\n");
	}
	pthread_mutex_unlock(&log_lock);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void vm_info(const struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	(void)vm;
	va_start(ap, fmt);
	log_add(fmt, ap);
	va_end(ap);
}

void vm_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_add(fmt, ap);
	va_end(ap);
}

/* One event line, then nothing new: enough for a follower to know it follows. */
int sea_events_dump(struct vm *vm, int fd, uint64_t *last_seq)
{
	(void)vm;
	if (*last_seq)
		return 0;
	*last_seq = 1;
	return send(fd, "{\"seq\":1}\n", 10, MSG_NOSIGNAL) == 10 ? 0 : -EPIPE;
}

int sea_events_wait(struct vm *vm, uint64_t last_seq, int timeout_ms)
{
	(void)vm;
	(void)last_seq;
	usleep((useconds_t)(timeout_ms < 10 ? timeout_ms : 10) * 1000);
	return 0;
}

/* ---- the request reader, on an injected clock and chunking ---- */

struct fake {
	const char *data;
	size_t len, off;
	const size_t *chunks;	/* bytes per read; 0-terminated; then the rest */
	size_t nchunk;
	uint64_t gap_ns;	/* time before each chunk is there */
	uint64_t now, ready;	/* clock; when the next chunk is there */
	size_t asked;		/* bytes the reader asked for, in all */
	int reads;
};

static long fake_read(void *arg, char *buf, size_t cap, int timeout_ms)
{
	struct fake *f = arg;
	size_t n;

	f->reads++;
	f->asked += cap;
	if (f->off == f->len)
		return f->gap_ns == UINT64_MAX ? (f->now += (uint64_t)timeout_ms * 1000000, -EAGAIN) : 0;
	if (f->ready > f->now + (uint64_t)timeout_ms * 1000000) {
		f->now += (uint64_t)timeout_ms * 1000000;
		return -EAGAIN;
	}
	if (f->ready > f->now)
		f->now = f->ready;
	n = f->chunks && f->chunks[f->nchunk] ? f->chunks[f->nchunk++] : f->len - f->off;
	if (n > f->len - f->off)
		n = f->len - f->off;
	if (n > cap)
		n = cap;
	memcpy(buf, f->data + f->off, n);
	f->off += n;
	f->ready = f->now + f->gap_ns;
	return (long)n;
}

static uint64_t fake_now(void *arg)
{
	return ((struct fake *)arg)->now;
}

static int fake_request(struct fake *f, char *buf, uint64_t deadline_ns)
{
	struct ctl_io io = { .read = fake_read, .now_ns = fake_now, .arg = f };

	f->len = strlen(f->data);
	return ctl_read_request(&io, buf, CTL_MAX_REQUEST, deadline_ns);
}

static void reader(void)
{
	static const size_t ones[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 };
	char buf[CTL_MAX_REQUEST], big[700];
	struct ctl_req r;
	const char *why = NULL;
	int n;

	/* The reproduction: a byte every 1.5 s, under the old 2 s per-recv timeout. */
	struct fake slow = { .data = "status\n", .chunks = ones, .gap_ns = 1500000000ULL };

	slow.ready = slow.gap_ns;
	n = fake_request(&slow, buf, 2000000000ULL);
	tap_eq(n, -CTL_E_TIMEOUT, "a byte every 1.5 s: 408 at the 2 s deadline");
	tap_ok(slow.off <= 2 && slow.now <= 2000000000ULL,
	       "the reader stopped at the deadline (%zu bytes taken, clock %llu ms)",
	       slow.off, (unsigned long long)(slow.now / 1000000));

	/* The same bytes in time, one at a time: one request. */
	struct fake quick = { .data = "status\n", .chunks = ones, .gap_ns = 100000000ULL };

	n = fake_request(&quick, buf, 2000000000ULL);
	tap_ok(n == 7 && ctl_parse(buf, (size_t)n, &r, &why) == 0 && r.verb == CTL_STATUS,
	       "byte by byte within the deadline: status (%d)", n);

	/* A second line sent with the first: handed to the parser, which says 400. */
	struct fake two = { .data = "status\nledger\n" };

	n = fake_request(&two, buf, 2000000000ULL);
	tap_eq(n, 14, "the second line is read with the first");
	tap_eq(ctl_parse(buf, (size_t)n, &r, &why), CTL_E_MALFORMED, "two lines: 400 (%s)",
	       why ? why : "");

	/* A second line that comes later is not waited for. */
	static const size_t split[] = { 7, 0 };
	struct fake later = { .data = "status\nledger\n", .chunks = split, .gap_ns = 1000000ULL };

	n = fake_request(&later, buf, 2000000000ULL);
	tap_eq(n, 7, "a later second line is not waited for");

	/* Oversized: 413, and never more than 512 bytes asked for. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	struct fake over = { .data = big };

	n = fake_request(&over, buf, 2000000000ULL);
	tap_eq(n, -CTL_E_TOOLONG, "700 bytes without a newline: 413");
	tap_ok(over.off == CTL_MAX_REQUEST && over.asked <= CTL_MAX_REQUEST,
	       "took %zu, asked for %zu bytes", over.off, over.asked);

	/* Silent: 408, after a bounded number of reads. */
	struct fake silent = { .data = "", .gap_ns = UINT64_MAX };

	n = fake_request(&silent, buf, 2000000000ULL);
	tap_ok(n == -CTL_E_TIMEOUT && silent.reads < 4, "silent client: 408 (%d reads)",
	       silent.reads);
}

static void peers(void)
{
	gid_t sup[] = { 10, 20, 30 };

	tap_ok(ctl_peer_allowed(1000, 1000, NULL, 0, 1000, CTL_NO_GROUP), "swvm's own user");
	tap_ok(ctl_peer_allowed(0, 0, NULL, 0, 1000, CTL_NO_GROUP), "root");
	tap_ok(!ctl_peer_allowed(65534, 65534, NULL, 0, 1000, CTL_NO_GROUP), "nobody");
	tap_ok(!ctl_peer_allowed(1001, 1000, NULL, 0, 1000, CTL_NO_GROUP),
	       "swvm's group without --control-group");
	tap_ok(ctl_peer_allowed(1001, 20, NULL, 0, 1000, 20), "the control group, primary");
	tap_ok(ctl_peer_allowed(1001, 100, sup, 3, 1000, 20), "the control group, supplementary");
	tap_ok(!ctl_peer_allowed(1001, 100, sup, 3, 1000, 40), "another group");
}

static void own_files(const char *dir)
{
	char f[256], link[256], fifo[256], grp[256];
	struct stat st;
	bool created;
	gid_t gid = 0;
	int fd;
	FILE *g;

	snprintf(f, sizeof(f), "%s/events.log", dir);
	snprintf(link, sizeof(link), "%s/planted", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	umask(0);
	fd = swvm_open_own(f, O_WRONLY | O_APPEND | O_CREAT, 0600, &created);
	memset(&st, 0, sizeof(st));
	if (fd >= 0)
		fstat(fd, &st);
	tap_ok(fd >= 0 && created && (st.st_mode & 07777) == 0600,
	       "a new events log is 0600 even under umask 000 (%o)", (unsigned int)st.st_mode & 07777);
	if (fd >= 0)
		close(fd);
	fd = swvm_open_own(f, O_WRONLY | O_APPEND | O_CREAT, 0600, &created);
	tap_ok(fd >= 0 && !created, "an existing one is appended to");
	if (fd >= 0)
		close(fd);
	/* The plant: a link to a file swvm must not write. */
	tap_ok(symlink(f, link) == 0, "a link planted to the file");
	tap_eq(swvm_open_own(link, O_WRONLY | O_APPEND | O_CREAT, 0600, &created), -ELOOP,
	       "a symbolic link is refused");
	unlink(link);
	tap_ok(symlink("/nonexistent/target", link) == 0, "a dangling link planted");
	tap_eq(swvm_open_own(link, O_WRONLY | O_APPEND | O_CREAT, 0600, &created), -ELOOP,
	       "a dangling symbolic link is refused (nothing created at its target)");
	unlink(link);
	mkfifo(fifo, 0600);
	tap_eq(swvm_open_own(fifo, O_RDWR | O_APPEND | O_CREAT, 0600, &created), -EINVAL,
	       "a FIFO is refused, without hanging");
	unlink(fifo);
	unlink(f);
	umask(022);

	snprintf(grp, sizeof(grp), "%s/group", dir);
	g = fopen(grp, "w");
	fputs("root:x:0:\nbroken line\nkvm:x:993:alice,bob\nswvm-ctl:x:1234:\n", g);
	fclose(g);
	tap_ok(!swvm_group_gid(grp, "swvm-ctl", &gid) && gid == 1234, "group by name");
	tap_ok(!swvm_group_gid(grp, "993", &gid) && gid == 993, "group by number");
	tap_eq(swvm_group_gid(grp, "kv", &gid), -ENOENT, "no such group");
	unlink(grp);
}

/* ---- the server, over a real socket ---- */

static struct vm the_vm;
static struct swvm_opts vm_opts;

static int dial(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The first reply line (or up to EOF), without the newline. */
static void read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		ssize_t r = recv(fd, buf + n, 1, 0);

		if (r <= 0 || buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = 0;
}

/* Read everything to EOF: the connection is over, and so is its slot. */
static void drain(int fd)
{
	char b[256];

	while (recv(fd, b, sizeof(b), 0) > 0)
		;
}

static void ask(const char *path, const char *req, char *reply, size_t cap)
{
	int fd = dial(path);

	reply[0] = 0;
	if (fd < 0) {
		snprintf(reply, cap, "connect: %s", strerror(errno));
		return;
	}
	send(fd, req, strlen(req), MSG_NOSIGNAL);
	read_line(fd, reply, cap);
	drain(fd);
	close(fd);
}

/* A connection to path reaches the listener lfd: 0, or -1. */
static int reaches(const char *path, int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int c = dial(path), a = -1;

	/* A UNIX connect() is queued on the listener by the time it returns. */
	if (c >= 0 && poll(&p, 1, 0) == 1)
		a = accept(lfd, NULL, NULL);
	if (c >= 0)
		close(c);
	if (a >= 0)
		close(a);
	return a >= 0 ? 0 : -1;
}

static int listener(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Second swvm, stale socket, planted file; then ours starts. */
static int start(const char *dir, char *path, size_t cap)
{
	char other[256], plain[256];
	struct stat st;
	int fd;

	snprintf(other, sizeof(other), "%s/live.sock", dir);
	fd = listener(other);
	tap_eq(control_start(&the_vm, other), -1, "a live socket is not taken over");
	tap_ok(log_has("listens on this socket"), "and swvm says why");
	tap_ok(!lstat(other, &st) && S_ISSOCK(st.st_mode) && !reaches(other, fd),
	       "the live socket is still there and still its owner's");
	close(fd);
	unlink(other);

	snprintf(plain, sizeof(plain), "%s/plain", dir);
	close(open(plain, O_CREAT | O_WRONLY, 0600));
	tap_eq(control_start(&the_vm, plain), -1, "a regular file is not replaced");
	tap_ok(!lstat(plain, &st) && S_ISREG(st.st_mode), "and is still there");
	unlink(plain);

	/* A stale socket (its listener closed) is replaced; umask 000 as in the report. */
	snprintf(path, cap, "%s/ctl.sock", dir);
	close(listener(path));
	umask(0);
	fd = control_start(&the_vm, path);
	umask(022);
	tap_eq(fd, 0, "a stale socket is replaced");
	memset(&st, 0, sizeof(st));
	lstat(path, &st);
	tap_ok(S_ISSOCK(st.st_mode) && (st.st_mode & 07777) == 0600,
	       "the socket is 0600 under umask 000 (%o)", (unsigned int)st.st_mode & 07777);
	return fd;
}

static void basics(const char *path)
{
	char reply[512];
	int fd;

	ask(path, "hello\n", reply, sizeof(reply));
	tap_ok(strstr(reply, "\"protocol\":\"seawall-control\"") != NULL, "hello: %s", reply);
	ask(path, "status\n", reply, sizeof(reply));
	tap_ok(strstr(reply, "\"state\":\"running\"") != NULL, "status: %.60s", reply);
	ask(path, "inject-test 0x40001000\n", reply, sizeof(reply));
	tap_ok(strstr(reply, "\"code\":403") && strstr(reply, "--allow-inject-test"),
	       "inject-test without --allow-inject-test: %s", reply);
	ask(path, "status\nledger\n", reply, sizeof(reply));
	tap_ok(strstr(reply, "\"code\":400") && strstr(reply, "more than one line"),
	       "two lines in one request: %s", reply);
	ask(path, "status\r\n", reply, sizeof(reply));
	tap_ok(strstr(reply, "\"state\"") != NULL, "CRLF still one line");

	/* Connected, then silent: 408 at the deadline, then EOF. */
	fd = dial(path);
	read_line(fd, reply, sizeof(reply));
	tap_ok(strstr(reply, "\"code\":408") != NULL, "silent client: %s", reply);
	close(fd);
}

/* One byte every half deadline: the old per-recv timeout never fired. */
static void trickle(const char *path)
{
	const char *req = "status\n";
	char reply[512] = "";
	struct pollfd p;
	int fd = dial(path);
	size_t i;

	for (i = 0; req[i]; i++) {
		send(fd, req + i, 1, MSG_NOSIGNAL);
		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&p, 1, (int)limits.request_ms / 2) > 0)
			break;
	}
	read_line(fd, reply, sizeof(reply));
	tap_ok(strstr(reply, "\"code\":408") != NULL,
	       "a client trickling a byte per half deadline gets 408 (%zu of 7 bytes sent): %s",
	       i, reply);
	drain(fd);
	close(fd);
}

/* Followers fill their slots; a status request still gets through. */
static void followers(const char *path)
{
	enum { N = 16 };
	int fds[N], following = 0, busy = 0;
	char reply[512];

	for (int i = 0; i < N; i++) {
		fds[i] = dial(path);
		send(fds[i], "events follow\n", 14, MSG_NOSIGNAL);
		read_line(fds[i], reply, sizeof(reply));
		if (!strcmp(reply, "{\"seq\":1}"))
			following++;
		else if (strstr(reply, "\"code\":503") && strstr(reply, "followers"))
			busy++;
	}
	tap_eq(following, limits.max_followers, "%d clients follow the events", following);
	tap_eq(busy, N - limits.max_followers, "%d more are told the followers are too many", busy);
	ask(path, "status\n", reply, sizeof(reply));
	tap_ok(strstr(reply, "\"state\":\"running\"") != NULL,
	       "status with %d followers connected: %.60s", N, reply);
	for (int i = 0; i < N; i++)
		close(fds[i]);
	for (int i = 0; i < 500 && atomic_load(&srv.followers); i++)
		usleep(10000);
	tap_eq(atomic_load(&srv.followers), 0, "closed followers give their slots back");
}

/*
 * Clients that have not finished their request fill the request slots:
 * 503 (documented), until they finish or their deadline frees them.  A
 * long deadline here, so that only the clients decide when.
 */
static void slow_clients(const char *path)
{
	unsigned int ms = limits.request_ms;
	int fds[64], n = limits.max_requests;
	char reply[512];

	limits.request_ms = 60000;
	for (int i = 0; i < n; i++) {
		fds[i] = dial(path);
		send(fds[i], "sta", 3, MSG_NOSIGNAL);
	}
	/* Accepted in order: when status is, the others hold their slots. */
	ask(path, "status\n", reply, sizeof(reply));
	tap_ok(strstr(reply, "\"code\":503") != NULL, "%d unfinished requests: status is 503: %s",
	       n, reply);
	for (int i = 0; i < n; i++) {
		send(fds[i], "tus\n", 4, MSG_NOSIGNAL);
		read_line(fds[i], reply, sizeof(reply));
		drain(fds[i]);
		close(fds[i]);
	}
	limits.request_ms = ms;
	ask(path, "status\n", reply, sizeof(reply));
	tap_ok(strstr(reply, "\"state\":\"running\"") != NULL,
	       "once they are answered, status gets through: %.60s", reply);
}

/* As the report: user nobody against a root swvm's socket. */
static void nobody(const char *dir, const char *path)
{
	char reply[512] = "";
	int pfd[2];
	pid_t pid;

	if (geteuid() != 0) {
		tap_ok(1, "# SKIP peer credentials: needs root to become nobody");
		return;
	}
	chmod(dir, 0755);
	for (int round = 0; round < 2; round++) {
		ssize_t n;

		if (round == 1)
			chmod(path, 0666);	/* as if the mode check were bypassed */
		if (pipe(pfd))
			return;
		pid = fork();
		if (pid == 0) {
			int fd;

			close(pfd[0]);
			if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
				_exit(2);
			fd = dial(path);
			if (fd < 0) {
				dprintf(pfd[1], "connect: %s", strerror(errno));
			} else {
				send(fd, "ledger\n", 7, MSG_NOSIGNAL);
				read_line(fd, reply, sizeof(reply));
				dprintf(pfd[1], "%s", reply);
			}
			_exit(0);
		}
		close(pfd[1]);
		n = read(pfd[0], reply, sizeof(reply) - 1);
		reply[n > 0 ? n : 0] = 0;
		close(pfd[0]);
		waitpid(pid, NULL, 0);
		if (round == 0)
			tap_ok(strstr(reply, strerror(EACCES)) != NULL,
			       "nobody cannot connect to the 0600 socket: %s", reply);
		else
			tap_ok(strstr(reply, "\"code\":403") && strstr(reply, "uid 65534"),
			       "nobody on an open socket is refused by its credentials: %s", reply);
	}
	tap_ok(log_has("refused uid 65534"), "and swvm says so");
	chmod(path, 0600);
	chmod(dir, 0700);
}

/* Someone removed ours and a new swvm bound the path: our exit leaves it. */
static void stop_leaves_others(const char *path)
{
	struct stat st;
	int fd;

	unlink(path);
	fd = listener(path);
	control_stop();
	tap_ok(!lstat(path, &st) && S_ISSOCK(st.st_mode) && !reaches(path, fd),
	       "stopping does not remove a socket another swvm bound");
	close(fd);
	unlink(path);
}

int main(void)
{
	char dir[] = "/tmp/swvm-control-XXXXXX", path[256];

	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir))
		tap_skip_all("no temporary directory");
	reader();
	peers();
	own_files(dir);

	limits.request_ms = 300;	/* short, and only ever waited out */
	limits.reply_ms = 5000;
	limits.max_requests = 4;
	limits.max_followers = 4;
	the_vm.o = &vm_opts;
	the_vm.vm_fd = -1;
	the_vm.start_ns = now_ns();
	if (start(dir, path, sizeof(path)) == 0) {
		basics(path);
		trickle(path);
		followers(path);
		slow_clients(path);
		nobody(dir, path);
		stop_leaves_others(path);
	}
	rmdir(dir);
	return tap_done();
}
