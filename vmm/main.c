// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * swvm: the reference arm64 VMM of Seawall.  Boots a Linux Image under KVM
 * and hands every guest memory error to libseawall.  This file: startup
 * order, and the main thread's loop of boot, wait, reset.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vm.h"

static struct vm the_vm;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Our own messages go to stderr, one line each, so stdout is the guest. */
void vm_info(const struct vm *vm, const char *fmt, ...)
{
	char buf[1400];
	va_list ap;
	int n;

	if (vm->quiet)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	fprintf(stderr, "swvm: %s\n", buf);
}

void vm_err(const char *fmt, ...)
{
	char buf[1400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "swvm: %s\n", buf);
}

static void kick_handler(int sig)
{
	(void)sig;	/* only there to make KVM_RUN return EINTR */
}

static int check_file(const char *what, const char *path)
{
	struct stat st;

	if (!path)
		return 0;
	if (stat(path, &st) < 0) {
		vm_err("%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		vm_err("%s %s: not a regular file", what, path);
		return -1;
	}
	return 0;
}

/*
 * The events log, opened before anything else writes it: never through a
 * symbolic link (whoever can write its directory must not aim swvm's
 * appends at another file), a regular file, created 0600 (0640 and the
 * control group's with --control-group: events say which guest pages
 * went bad).
 * The fd, or -1 (said why).
 */
static int open_events_log(const struct swvm_opts *o)
{
	gid_t gid = CTL_NO_GROUP;
	bool created;
	int fd, r;

	if (o->control_group) {
		r = swvm_group_gid("/etc/group", o->control_group, &gid);
		if (r < 0) {
			vm_err("--control-group %s: %s", o->control_group,
			       r == -ENOENT ? "no such group in /etc/group" : strerror(-r));
			return -1;
		}
	}
	fd = swvm_open_own(o->events_log, O_WRONLY | O_APPEND | O_CREAT,
			   gid == CTL_NO_GROUP ? 0600 : 0640, &created);
	if (fd == -ELOOP) {
		vm_err("--events-log %s: is a symbolic link; swvm does not follow links for the "
		       "files it writes (give the file's own path)", o->events_log);
		return -1;
	}
	if (fd == -EINVAL) {
		vm_err("--events-log %s: not a regular file", o->events_log);
		return -1;
	}
	if (fd < 0) {
		vm_err("--events-log %s: %s", o->events_log, strerror(-fd));
		return -1;
	}
	if (created && gid != CTL_NO_GROUP && fchown(fd, (uid_t)-1, gid) < 0) {
		vm_err("--events-log %s: giving it to gid %u: %s", o->events_log,
		       (unsigned int)gid, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * SIGHUP (logrotate's postrotate): open --events-log by its path again and
 * put the new file on the old fd number with dup3(), so a vCPU thread
 * writing an event at that moment lands in one file or the other, never
 * on a closed or reused fd.  The VM keeps running.  When the new open
 * fails, the old file is kept (and said why).
 * 0, or -1.
 */
static int events_log_reopen(struct vm *vm)
{
	int fd;

	if (!vm->o->events_log || vm->events_fd < 0)
		return 0;
	fd = open_events_log(vm->o);
	if (fd < 0) {
		vm_err("SIGHUP: --events-log %s not reopened, still writing the old file",
		       vm->o->events_log);
		return -1;
	}
	if (dup3(fd, vm->events_fd, O_CLOEXEC) < 0) {
		vm_err("SIGHUP: --events-log %s: dup3: %s", vm->o->events_log, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	vm_info(vm, "SIGHUP: reopened --events-log %s", vm->o->events_log);
	return 0;
}

/*
 * SIGTERM, SIGINT: a clean stop.  SIGHUP: reopen the log files, never a
 * stop.  All three blocked everywhere, taken here.
 */
static void signal_thread_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
}

static void *signal_thread(void *arg)
{
	struct vm *vm = arg;
	sigset_t set;
	int sig;

	signal_thread_set(&set);
	pthread_setname_np(pthread_self(), "swvm-signals");
	while (sigwait(&set, &sig) == 0) {
		if (sig == SIGHUP) {
			events_log_reopen(vm);
			continue;
		}
		vm->stop_signal = sig;
		vm_request_stop(vm, STOP_SIGNAL, "stopped by signal %d (%s)", sig, strsignal(sig));
		break;
	}
	return NULL;
}

static int boot(struct vm *vm)
{
	if (mem_load_images(vm))
		return -1;
	for (unsigned int i = 0; i < vm->ncpus; i++)
		if (kvm_vcpu_reset(vm, &vm->vcpus[i]))
			return -1;
	atomic_store(&vm->stop, STOP_NONE);
	atomic_store(&vm->state, VM_RUNNING);
	swvm_gate_open(&vm->gate);
	return vcpus_start(vm);
}

static int reset(struct vm *vm)
{
	int r = seawall_ctx_reset(vm->sw);

	if (r < 0)
		vm_err("libseawall reset: %s", strerror(-r));
	else if (r > 0)
		vm_info(vm, "%d poisoned page%s given fresh memory", r, r == 1 ? "" : "s");
	control_reset_marks(vm);
	if (mem_wipe(vm))
		return -1;
	pthread_mutex_lock(&vm->dev_lock);
	swvm_uart_flush(&vm->uart);
	vm->notify.status = 0;
	pthread_mutex_unlock(&vm->dev_lock);
	return boot(vm);
}

static void uart_irq(void *arg, int level)
{
	gic_set_spi(arg, SWVM_UART_SPI, level);
}

int main(int argc, char **argv)
{
	struct vm *vm = &the_vm;
	struct swvm_opts o;
	struct sigaction sa;
	char err[256];
	int r, status = SWVM_EXIT_ERROR, events_fd = -1;

	r = swvm_parse_args(argc, argv, &o, err, sizeof(err));
	if (r == 1) {
		fputs(swvm_usage, stdout);
		return 0;
	}
	if (r < 0) {
		fprintf(stderr, "swvm: %s\n%s", err, swvm_usage);
		return SWVM_EXIT_USAGE;
	}
	if (check_file("kernel", o.kernel) || check_file("initrd", o.initrd))
		return SWVM_EXIT_USAGE;
	if (o.events_log && (events_fd = open_events_log(&o)) < 0)
		return SWVM_EXIT_ERROR;

	vm->o = &o;
	vm->quiet = o.quiet;
	vm->ncpus = o.cpus;
	vm->gic_fd = vm->vm_fd = vm->kvm_fd = -1;
	vm->events_fd = events_fd;	/* sea_setup() writes events to it */
	vm->start_ns = now_ns();
	pthread_mutex_init(&vm->lock, NULL);
	pthread_cond_init(&vm->cond, NULL);
	pthread_mutex_init(&vm->dev_lock, NULL);
	vcpus_gate_init(vm);
	snprintf(vm->cmdline, sizeof(vm->cmdline), "%s%s%s", SWVM_DEFAULT_CMDLINE,
		 o.cmdline ? " " : "", o.cmdline ? o.cmdline : "");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;	/* no SA_RESTART: KVM_RUN must return */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Early kill: the host's memory_failure() tells this process at once
	 * (SIGBUS BUS_MCEERR_AO) when a page of guest memory goes bad, not only
	 * when a thread touches it.  Set here, before any thread: they inherit it.
	 */
	if (seawall_mce_kill_early() < 0)
		vm_err("note: PR_MCE_KILL_EARLY refused; memory errors are reported on touch only");
	{
		sigset_t set;
		pthread_t t;

		signal_thread_set(&set);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		if (pthread_create(&t, NULL, signal_thread, vm) == 0)
			pthread_detach(t);
	}

	if (kvm_vm_create(vm) || gic_create(vm) || mem_setup(vm) || mem_load_files(vm) ||
	    kvm_vcpus_create(vm) || gic_finalize(vm) || sea_setup(vm))
		return SWVM_EXIT_ERROR;
	swvm_uart_init(&vm->uart, STDOUT_FILENO, uart_irq, vm);
	if (o.control && control_start(vm, o.control))
		return SWVM_EXIT_ERROR;
	term_start(vm);
	vm_info(vm, "booting %s: %u vCPU%s, %u MiB, pid %d, vm fd %d", o.kernel, vm->ncpus,
		vm->ncpus == 1 ? "" : "s", o.mem_mib, (int)getpid(), vm->vm_fd);

	if (boot(vm) < 0)
		goto out;
	for (;;) {
		enum vm_stop why;

		pthread_mutex_lock(&vm->lock);
		while (!atomic_load(&vm->stop))
			pthread_cond_wait(&vm->cond, &vm->lock);
		pthread_mutex_unlock(&vm->lock);
		vcpus_join(vm);
		pthread_mutex_lock(&vm->dev_lock);
		swvm_uart_flush(&vm->uart);
		pthread_mutex_unlock(&vm->dev_lock);

		why = (enum vm_stop)atomic_load(&vm->stop);
		if (why == STOP_POWEROFF) {
			vm_info(vm, "%s", vm->stop_reason);
			status = SWVM_EXIT_OK;
			break;
		}
		if (why == STOP_SIGNAL) {
			vm_info(vm, "%s", vm->stop_reason);
			status = 128 + vm->stop_signal;
			break;
		}
		if (why != STOP_RESET) {
			vm_err("%s", vm->stop_reason);
			break;
		}
		if (vm->restarts >= o.max_restarts) {
			vm_err("%s; giving up after %u restart%s (--max-restarts)", vm->stop_reason,
			       vm->restarts, vm->restarts == 1 ? "" : "s");
			status = SWVM_EXIT_RESTARTS;
			break;
		}
		vm->restarts++;
		/* Always said, even with --quiet: a reset is news. */
		fprintf(stderr, "swvm: resetting the VM (restart %u of at most %u): %s\n",
			vm->restarts, o.max_restarts, vm->stop_reason);
		if (reset(vm) < 0)
			break;
	}
out:
	control_stop();	/* the metrics file goes with swvm (sea.c's atexit) */
	return status;
}
