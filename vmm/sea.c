// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * The libseawall glue: the context (journal, regions, policy), the
 * capabilities, the SIGBUS handler, what a vCPU does with an outcome, and
 * where events go (JSON lines file, the in-memory ring behind the control
 * socket's "events", the metrics file).  Policy stays in the library.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vm.h"

#define RING_SIZE	256
#define EVENT_MAX	1024

struct event_ring {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t next;			/* sequence of the next event, from 1 */
	struct {
		uint64_t seq;
		char line[EVENT_MAX];	/* JSON, newline-terminated */
	} e[RING_SIZE];
};

static struct seawall_ctx *sigbus_ctx;
static struct vm *sigbus_vm;

/* The handler's last words: write(2) only, the address in hex. */
static void sigbus_fatal(void *addr)
{
	static const char head[] = "swvm: a memory error at host address 0x";
	static const char tail[] = " on a thread of swvm outside KVM_RUN and outside a guarded "
				   "access: returning would take it again forever; exiting "
				   "(pages handled so far are in the journal)\n";
	char hex[16];
	uintptr_t a = (uintptr_t)addr;
	int n = 0;

	do {
		hex[sizeof(hex) - 1 - n++] = "0123456789abcdef"[a & 15];
		a >>= 4;
	} while (a && n < (int)sizeof(hex));
	/* Nothing to do if these fail: there is no one left to tell. */
	if (write(STDERR_FILENO, head, sizeof(head) - 1) > 0 &&
	    write(STDERR_FILENO, hex + sizeof(hex) - n, (size_t)n) > 0)
		n = (int)write(STDERR_FILENO, tail, sizeof(tail) - 1);
	term_restore_now();
	_exit(SWVM_EXIT_ERROR);
}

/* Async-signal-safe throughout (guard.c says which case is which). */
static void sigbus_handler(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;
	int r = seawall_sigbus_record(sigbus_ctx, si->si_addr, si->si_code, si->si_addr_lsb);
	int tid;

	(void)uc;
	switch (swvm_sigbus_decide(r, si->si_code, on_vcpu_thread(), swvm_guard_active())) {
	case SWVM_SIGBUS_DEFAULT:
		/* Not a memory error: a bug of ours.  Die as we would have. */
		signal(sig, SIG_DFL);
		break;
	case SWVM_SIGBUS_ESCAPE:
		swvm_guard_escape(si->si_addr);	/* back in swvm_guarded(): no return */
		sigbus_fatal(si->si_addr);
		break;
	case SWVM_SIGBUS_FATAL:
		sigbus_fatal(si->si_addr);
		break;
	case SWVM_SIGBUS_KICK:
		/* Action-optional off a vCPU thread: make a live vCPU drain the queue. */
		tid = sigbus_vm ? swvm_sigbus_kick_target(sigbus_vm->vcpu_tid, sigbus_vm->ncpus) : 0;
		if (tid)
			syscall(SYS_tgkill, getpid(), tid, SIGUSR2);
		break;
	case SWVM_SIGBUS_RETURN:
		break;
	}
	errno = saved;
}

const char *sea_restart_reason(unsigned int reason)
{
	switch (reason) {
	case SEAWALL_RESTART_THRESHOLD:
		return "distinct bad pages reached the threshold";
	case SEAWALL_RESTART_GUEST_KERNEL:
		return "the guest kernel consumed a memory error";
	case SEAWALL_RESTART_UNATTRIBUTABLE:
		return "a memory error with no page to isolate";
	case SEAWALL_RESTART_LOST:
		return "memory-error records were lost";
	case SEAWALL_RESTART_UNCONTAINABLE:
		return "an uncontainable memory error";
	default:
		return "memory error";
	}
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

/*
 * The metrics file is rewritten for events, at most once a second: a
 * guest hitting a bad page in a loop would otherwise have it rewritten
 * per hit.  One held back is written by the next tick after the second
 * (every vCPU exit) or at the next stop.  A thread rewrites it every
 * --metrics-interval too, so that a quiet VM's file stays fresh (a
 * collector sees its age), and it is removed when swvm exits: a VM that
 * is not running has no series, rather than stale ones.
 */
#define METRICS_INTERVAL_NS	1000000000ULL

static struct swvm_ratelimit metrics_rl = SWVM_RATELIMIT_INIT(METRICS_INTERVAL_NS, 1);
static atomic_bool metrics_dirty;
static pthread_mutex_t metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static struct seawall_ctx *metrics_ctx;
static const char *metrics_path;	/* NULL once removed: nothing writes it again */

static void metrics_write(void)
{
	pthread_mutex_lock(&metrics_lock);
	if (metrics_path && metrics_ctx)
		seawall_metrics_write(metrics_ctx, metrics_path);
	pthread_mutex_unlock(&metrics_lock);
}

/* At exit (main()'s return or exit()): the VM is gone, so are its series. */
static void metrics_remove(void)
{
	pthread_mutex_lock(&metrics_lock);
	if (metrics_path)
		unlink(metrics_path);
	metrics_path = NULL;
	pthread_mutex_unlock(&metrics_lock);
}

static void *metrics_thread(void *arg)
{
	const struct vm *vm = arg;
	struct timespec ts = { .tv_sec = (time_t)vm->o->metrics_interval };

	pthread_setname_np(pthread_self(), "swvm-metrics");
	for (;;) {
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		ts.tv_sec = (time_t)vm->o->metrics_interval;
		ts.tv_nsec = 0;
		metrics_write();
	}
	return NULL;
}

void sea_metrics_tick(struct vm *vm, bool force)
{
	unsigned long missed;

	if (!vm->o->metrics || !atomic_load(&metrics_dirty))
		return;
	if (!swvm_ratelimit(&metrics_rl, now_ns(), &missed) && !force)
		return;
	atomic_store(&metrics_dirty, false);
	metrics_write();
}

static void on_event(const struct seawall_event *ev, void *arg)
{
	struct vm *vm = arg;
	struct event_ring *ring = vm->events;
	char line[EVENT_MAX];
	int n = seawall_event_render_json(ev, line, sizeof(line) - 1);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;	/* truncated; still one line */
	line[n++] = '\n';
	line[n] = 0;

	if (vm->events_fd >= 0)
		write_all(vm->events_fd, line, (size_t)n);
	pthread_mutex_lock(&ring->lock);
	ring->e[ring->next % RING_SIZE].seq = ring->next;
	memcpy(ring->e[ring->next % RING_SIZE].line, line, (size_t)n + 1);
	ring->next++;
	pthread_cond_broadcast(&ring->cond);
	pthread_mutex_unlock(&ring->lock);
	atomic_fetch_add(&vm->events_total, 1);
	if (!vm->quiet && vm_log_allowed(vm, GLOG_EVENT))
		vm_info(vm, "event %.*s", n - 1, line);
	atomic_store(&metrics_dirty, true);
	sea_metrics_tick(vm, false);
}

static void on_log(int level, const char *msg, void *arg)
{
	struct vm *vm = arg;

	if (level > SEAWALL_LOG_INFO || (level > SEAWALL_LOG_WARN && vm->quiet))
		return;
	/* Most of them come from an exit or an event: the guest decides how many. */
	if (!vm_log_allowed(vm, GLOG_LIB))
		return;
	if (level <= SEAWALL_LOG_WARN)
		vm_err("libseawall: %s", msg);
	else
		vm_info(vm, "libseawall: %s", msg);
}

/* Every event in the ring after *last_seq, to fd; advances *last_seq. */
int sea_events_dump(struct vm *vm, int fd, uint64_t *last_seq)
{
	struct event_ring *ring = vm->events;
	char *buf = malloc((size_t)RING_SIZE * EVENT_MAX);
	size_t len = 0;
	uint64_t first;

	if (!buf)
		return -ENOMEM;
	pthread_mutex_lock(&ring->lock);
	first = ring->next > RING_SIZE ? ring->next - RING_SIZE : 1;
	if (*last_seq + 1 > first)
		first = *last_seq + 1;
	for (uint64_t s = first; s < ring->next; s++) {
		const char *l = ring->e[s % RING_SIZE].line;
		size_t n = strlen(l);

		memcpy(buf + len, l, n);
		len += n;
	}
	if (ring->next > 1)
		*last_seq = ring->next - 1;
	pthread_mutex_unlock(&ring->lock);
	/* Sent outside the ring lock: a slow client never holds up an event. */
	for (size_t off = 0; off < len;) {
		ssize_t w = send(fd, buf + off, len - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			free(buf);
			return -EPIPE;
		}
		off += (size_t)w;
	}
	free(buf);
	return 0;
}

/* Wait up to timeout_ms for an event after last_seq; 1 if there is one. */
int sea_events_wait(struct vm *vm, uint64_t last_seq, int timeout_ms)
{
	struct event_ring *ring = vm->events;
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&ring->lock);
	while (ring->next - 1 <= last_seq &&
	       pthread_cond_timedwait(&ring->cond, &ring->lock, &ts) == 0)
		;
	r = ring->next - 1 > last_seq;
	pthread_mutex_unlock(&ring->lock);
	return r;
}

/*
 * Repeat touches (an abort injected for a page the guest already had one
 * for) pass at SWVM_REPEAT_RATE a second after a burst, summed over the
 * vCPUs; the rest wait.  Each costs swvm an exit and an injection, and a
 * hostile guest can make them as fast as its vCPUs run.
 */
#define SWVM_REPEAT_RATE	16
#define SWVM_REPEAT_BURST	64
static struct swvm_pace repeat_pace =
	SWVM_PACE_INIT(1000000000ULL / SWVM_REPEAT_RATE, SWVM_REPEAT_BURST);

static void pace_repeat(struct vm *vm, struct vcpu *vcpu)
{
	uint64_t wait = swvm_pace(&repeat_pace, now_ns());
	struct timespec ts;

	if (!wait)
		return;
	if (vm_log_allowed(vm, GLOG_PACE))
		vm_info(vm, "vcpu%d: the guest keeps touching pages it got an abort for: "
			"it waits %llu ms (at most %d such touches a second)", vcpu->id,
			(unsigned long long)(wait / 1000000), SWVM_REPEAT_RATE);
	ts.tv_sec = (time_t)(wait / 1000000000ULL);
	ts.tv_nsec = (long)(wait % 1000000000ULL);
	nanosleep(&ts, NULL);	/* a kick (stop, reset) ends it early: no SA_RESTART */
}

void sea_handle_outcome(struct vm *vm, struct vcpu *vcpu, int r,
			const struct seawall_outcome *out, const char *what)
{
	if (r < 0) {
		if (vm_log_allowed(vm, GLOG_OUTCOME))
			vm_err("vcpu%d: %s: libseawall: %s", vcpu->id, what, strerror(-r));
		if (!out)
			return;
	}
	if (out && (out->actions & SEAWALL_ACT_RESTART)) {
		vm_request_stop(vm, STOP_RESET, "restart requested by libseawall: %s (page 0x%llx)",
				sea_restart_reason(out->restart_reason),
				(unsigned long long)out->page_gpa);
		return;
	}
	if (out && r >= 0 && (out->actions & SEAWALL_ACT_INJECT) &&
	    !(out->actions & SEAWALL_ACT_NEW_PAGE))
		pace_repeat(vm, vcpu);
}

int sea_setup(struct vm *vm)
{
	SEAWALL_OPTS(seawall_ctx_opts, o);
	SEAWALL_OPTS(seawall_region_opts, ro);
	SEAWALL_OPTS(seawall_policy_opts, po);
	SEAWALL_OPTS(seawall_memslot_ops, mo);
	struct sigaction sa;
	struct kvm_one_reg reg;
	uint64_t pfr0 = 0;
	int nslots, r;
	pthread_condattr_t ca;

	vm->events = calloc(1, sizeof(*vm->events));
	if (!vm->events) {
		vm_err("out of memory");
		return -1;
	}
	pthread_mutex_init(&vm->events->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->events->cond, &ca);
	vm->events->next = 1;
	/* vm->events_fd: --events-log, opened safely by main() before this. */

	/* The VM has FEAT_RAS when the vCPU's ID_AA64PFR0_EL1.RAS is non-zero. */
	reg.id = ARM64_SYS_REG(3, 0, 0, 4, 0);
	reg.addr = (uint64_t)(uintptr_t)&pfr0;
	if (ioctl(vm->vcpus[0].fd, KVM_GET_ONE_REG, &reg) < 0)
		pfr0 = 0;

	/*
	 * The capabilities first: the context reports what is enabled
	 * (seawall_sea_exit_enabled).
	 */
	r = seawall_kvm_enable(vm->vm_fd, SEAWALL_KVM_HAS_SEA_TO_USER |
				SEAWALL_KVM_HAS_INJECT_EXT_DABT | SEAWALL_KVM_HAS_NISV_TO_USER);
	if (r < 0) {
		vm_err("enabling the memory-error capabilities: %s", strerror(-r));
		return -1;
	}
	vm->sea_caps = r;

	nslots = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	if (nslots <= 1)
		nslots = 32;
	o.journal_path = vm->o->journal;
	/*
	 * The default: a bad page's address is poisoned (UFFDIO_POISON) and
	 * the memslots never change, so no vCPU has to stop.  --isolation
	 * split keeps 0.1's memslot split for comparison: memslots change by
	 * KVM ioctl on vm_fd, with the other vCPUs paused at the gate.
	 */
	o.vm_fd = -1;
	if (vm->o->isolate_split) {
		o.strategy = SEAWALL_ISOLATE_MEMSLOT_SPLIT;
		o.vm_fd = vm->vm_fd;
		o.spare_slot_base = 1;
		o.spare_slot_count = (uint32_t)(nslots > 4097 ? 4096 : nslots - 1);
		mo.pause = vcpus_pause;
		mo.resume = vcpus_resume;
		mo.arg = vm;
		o.memslot_ops = &mo;
	}
	o.event_fn = on_event;
	o.event_arg = vm;
	o.log_fn = on_log;
	o.log_arg = vm;
	o.has_ras = ((pfr0 >> 28) & 0xf) != 0;
	o.vm_name = vm->o->vm_name;
	o.vm_uuid = vm->o->vm_uuid;
	o.kvm_caps = SEAWALL_KVM_CAPS_KNOWN | (unsigned int)vm->sea_caps;
	vm->sw = seawall_ctx_new(&o);
	if (!vm->sw) {
		if (vm->o->journal)
			vm_err("--journal %s: %s", vm->o->journal, strerror(errno));
		else
			vm_err("libseawall: %s", strerror(errno));
		return -1;
	}
	vm->notify.ctx = vm->sw;

	ro.gpa = SWVM_RAM_BASE;
	ro.size = vm->ram_size;
	ro.hva = vm->ram;
	ro.page_size = vm->page_size;
	ro.slot = 0;
	r = seawall_region_add(vm->sw, &ro);
	if (r < 0) {
		vm_err("libseawall: registering guest memory: %s", strerror(-r));
		return -1;
	}

	if (vm->o->restart_after_set)
		po.restart_after_pages = vm->o->restart_after ? vm->o->restart_after :
								 SEAWALL_POLICY_NEVER;
	if (vm->o->no_restart_on_kernel)
		po.flags |= SEAWALL_POLICY_NO_RESTART_EL1;
	r = seawall_ctx_set_policy(vm->sw, &po);
	if (r < 0) {
		vm_err("libseawall: policy: %s", strerror(-r));
		return -1;
	}

	r = vm->sea_caps;
	if (!(r & SEAWALL_KVM_HAS_SEA_TO_USER))
		vm_err("note: this kernel lacks KVM_CAP_ARM_SEA_TO_USER: memory errors reach "
		       "swvm only as SIGBUS (and others become SErrors in the guest)");
	vm_info(vm, "memory errors: sea-exit %s, nisv-exit %s, ext-dabt %s, guest RAS %s",
		r & SEAWALL_KVM_HAS_SEA_TO_USER ? "on" : "off",
		r & SEAWALL_KVM_HAS_NISV_TO_USER ? "on" : "off",
		r & SEAWALL_KVM_HAS_INJECT_EXT_DABT ? "on" : "off", o.has_ras ? "yes" : "no");

	sigbus_ctx = vm->sw;
	sigbus_vm = vm;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigbus_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) < 0) {
		vm_err("sigaction SIGBUS: %s", strerror(errno));
		return -1;
	}

	/* A journal from an earlier run: isolate its pages before the guest runs. */
	r = seawall_ctx_reisolate(vm->sw);
	if (r < 0)
		vm_err("re-isolating journaled pages: %s", strerror(-r));
	else if (r > 0)
		vm_info(vm, "journal: %d poisoned page%s isolated before boot", r, r == 1 ? "" : "s");
	if (vm->o->metrics) {
		pthread_t t;

		metrics_ctx = vm->sw;
		metrics_path = vm->o->metrics;
		atexit(metrics_remove);
		metrics_write();
		if (vm->o->metrics_interval && pthread_create(&t, NULL, metrics_thread, vm) == 0)
			pthread_detach(t);
	}
	return 0;
}
