// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * swvm's SIGHUP, natively: vmm/main.c's signal thread with the rest of
 * swvm stubbed.  What logrotate would see: after the events log is
 * renamed and SIGHUP sent, swvm writes to a new file by the old path, on
 * the same fd number, and the VM is not stopped; SIGTERM still stops it.
 * No timing is asserted: the test waits (bounded) for the thread to act.
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

#include "../../vmm/options.c"
/* main.c's main() under another name, unused. */
int swvm_main(int argc, char **argv);
#define main swvm_main
#include "../../vmm/main.c"
#undef main
#include "tap.h"

/* ---- the parts of swvm that main.c calls, stubbed ---- */

static _Atomic int stops, stop_why;

void vm_request_stop(struct vm *vm, enum vm_stop why, const char *fmt, ...)
{
	(void)vm;
	(void)fmt;
	atomic_store(&stop_why, (int)why);
	atomic_fetch_add(&stops, 1);
}

int mem_load_images(struct vm *vm) { (void)vm; return -1; }
int kvm_vcpu_reset(struct vm *vm, struct vcpu *c) { (void)vm; (void)c; return -1; }
void swvm_gate_open(struct swvm_gate *g) { (void)g; }
int vcpus_start(struct vm *vm) { (void)vm; return -1; }
void control_reset_marks(struct vm *vm) { (void)vm; }
int mem_wipe(struct vm *vm) { (void)vm; return -1; }
void swvm_uart_flush(struct swvm_uart *u) { (void)u; }
void gic_set_spi(struct vm *vm, unsigned int spi, int level) { (void)vm; (void)spi; (void)level; }
void vcpus_gate_init(struct vm *vm) { (void)vm; }
int kvm_vm_create(struct vm *vm) { (void)vm; return -1; }
int gic_create(struct vm *vm) { (void)vm; return -1; }
int mem_setup(struct vm *vm) { (void)vm; return -1; }
int mem_load_files(struct vm *vm) { (void)vm; return -1; }
int kvm_vcpus_create(struct vm *vm) { (void)vm; return -1; }
int gic_finalize(struct vm *vm) { (void)vm; return -1; }
int sea_setup(struct vm *vm) { (void)vm; return -1; }
void swvm_uart_init(struct swvm_uart *u, int fd, void (*irq)(void *, int), void *arg)
{ (void)u; (void)fd; (void)irq; (void)arg; }
int control_start(struct vm *vm, const char *path) { (void)vm; (void)path; return -1; }
void term_start(struct vm *vm) { (void)vm; }
void vcpus_join(struct vm *vm) { (void)vm; }
void control_stop(void) { }

/* ---- the test ---- */

static char *slurp(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Does fd name the file at path now? */
static int same_file(const char *path, int fd)
{
	struct stat a, b;

	return stat(path, &a) == 0 && fstat(fd, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Wait until cond or 10 s, in 1 ms steps; the test asserts cond, not the time. */
#define WAIT_FOR(cond) do { \
	for (int _i = 0; _i < 10000 && !(cond); _i++) \
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL); \
} while (0)

int main(void)
{
	char dir[] = "/tmp/swvm-sighup-XXXXXX", log[64], rotated[64];
	static struct swvm_opts o;
	static struct vm vm;
	struct stat st;
	sigset_t set;
	pthread_t t;
	int fd, fdno;
	char *s;

	if (!mkdtemp(dir))
		return tap_ok(0, "mkdtemp: %s", strerror(errno)), tap_done();
	snprintf(log, sizeof(log), "%s/events.log", dir);
	snprintf(rotated, sizeof(rotated), "%s/events.log.1", dir);
	o.events_log = log;
	vm.o = &o;
	vm.quiet = true;
	fd = open_events_log(&o);
	tap_ok(fd >= 0, "the events log opens");
	vm.events_fd = fdno = fd;
	tap_ok(write(vm.events_fd, "one\n", 4) == 4, "an event written before the rotation");

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&t, NULL, signal_thread, &vm))
		return tap_ok(0, "pthread_create"), tap_done();

	/* logrotate: rename, then postrotate's kill -HUP. */
	if (rename(log, rotated))
		return tap_ok(0, "rename: %s", strerror(errno)), tap_done();
	kill(getpid(), SIGHUP);
	/* Done when the fd is the new file (the path exists before the dup3). */
	WAIT_FOR(same_file(log, fdno) || atomic_load(&stops));
	tap_eq(atomic_load(&stops), 0, "SIGHUP does not stop the VM");
	tap_ok(stat(log, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600,
	       "SIGHUP creates a new events log by the old path, mode 0600");
	tap_eq(vm.events_fd, fdno, "the events log keeps its fd number");
	tap_ok(fcntl(vm.events_fd, F_GETFD) == FD_CLOEXEC, "the reopened fd is close-on-exec");
	tap_ok(write(vm.events_fd, "two\n", 4) == 4, "an event written after the rotation");
	s = slurp(log);
	tap_ok(s && !strcmp(s, "two\n"), "the new event goes to the new file");
	s = slurp(rotated);
	tap_ok(s && !strcmp(s, "one\n"), "the rotated file keeps the old event only");

	kill(getpid(), SIGTERM);
	WAIT_FOR(atomic_load(&stops));
	tap_ok(atomic_load(&stops) == 1 && atomic_load(&stop_why) == STOP_SIGNAL &&
	       vm.stop_signal == SIGTERM, "SIGTERM still stops the VM");
	pthread_join(t, NULL);

	close(vm.events_fd);
	unlink(log);
	unlink(rotated);
	rmdir(dir);
	return tap_done();
}
