// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * One thread per vCPU: KVM_RUN, then the memory-error intake (SIGBUS
 * records, SEA exits, MMIO/NISV exits on isolated pages), device MMIO and
 * PSCI system events.  Each KVM_RUN passes vm->gate (gate.c).  Stopping
 * all vCPUs: set vm->stop and close the gate, which kicks every vCPU in
 * KVM_RUN (immediate_exit and SIGUSR2).  Pausing them (libseawall changing
 * memslots) goes through the same gate and the same kick.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vm.h"

static _Thread_local struct vcpu *this_vcpu;

/* At most 10 lines of a kind per 5 s, as the kernel's printk_ratelimit(). */
#define GLOG_INTERVAL_NS	5000000000ULL
#define GLOG_BURST		10

static struct swvm_ratelimit glog[GLOG__N] = {
	[0 ... GLOG__N - 1] = SWVM_RATELIMIT_INIT(GLOG_INTERVAL_NS, GLOG_BURST),
};

static const char *const glog_what[GLOG__N] = {
	[GLOG_NISV] = "undecodable-access",
	[GLOG_MMIO] = "unhandled-MMIO",
	[GLOG_OUTCOME] = "exit-handling error",
	[GLOG_EVENT] = "event",
	[GLOG_LIB] = "libseawall",
	[GLOG_PACE] = "pacing",
};

static void say_suppressed(enum guest_log kind, unsigned long n)
{
	if (n)
		vm_err("%lu %s line%s suppressed", n, glog_what[kind], n == 1 ? "" : "s");
}

bool vm_log_allowed(struct vm *vm, enum guest_log kind)
{
	unsigned long missed;
	bool ok;

	(void)vm;
	if ((unsigned int)kind >= GLOG__N)
		return false;
	ok = swvm_ratelimit(&glog[kind], now_ns(), &missed);
	say_suppressed(kind, missed);
	return ok;
}

void vm_log_flush(struct vm *vm)
{
	(void)vm;
	for (unsigned int k = 0; k < GLOG__N; k++)
		say_suppressed(k, swvm_ratelimit_flush(&glog[k]));
}

bool on_vcpu_thread(void)
{
	return this_vcpu != NULL;
}

void vm_request_stop(struct vm *vm, enum vm_stop why, const char *fmt, ...)
{
	int none = STOP_NONE;
	va_list ap;

	if (!atomic_compare_exchange_strong(&vm->stop, &none, (int)why))
		return;		/* someone was first */
	pthread_mutex_lock(&vm->lock);
	va_start(ap, fmt);
	vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	if (why == STOP_RESET)
		atomic_store(&vm->state, VM_RESTARTING);
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	swvm_gate_close(&vm->gate);
}

/* The gate's kick: out of KVM_RUN now (on), or allowed in again (off). */
static void vcpu_kick(void *arg, unsigned int id, bool on)
{
	struct vcpu *v = &((struct vm *)arg)->vcpus[id];

	v->run->immediate_exit = on;
	if (on)
		pthread_kill(v->thread, SIGUSR2);
}

void vcpus_gate_init(struct vm *vm)
{
	swvm_gate_init(&vm->gate, vm->ncpus, vcpu_kick, vm);
}

/* libseawall's memslot_ops.pause/resume: no vCPU runs while RAM lacks a slot. */
int vcpus_pause(void *arg)
{
	swvm_gate_pause(&((struct vm *)arg)->gate);
	return 0;
}

void vcpus_resume(void *arg)
{
	swvm_gate_resume(&((struct vm *)arg)->gate);
}

static void mmio_put(struct kvm_run *run, uint64_t val)
{
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	for (unsigned int i = 0; i < run->mmio.len && i < 8; i++)
		run->mmio.data[i] = (uint8_t)(val >> (8 * i));
}

static uint64_t mmio_get(const struct kvm_run *run)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < run->mmio.len && i < 8; i++)
		v |= (uint64_t)run->mmio.data[i] << (8 * i);
	return v;
}

static void warn_unhandled(struct vm *vm, uint64_t gpa, bool write)
{
	if (vm_log_allowed(vm, GLOG_MMIO))
		vm_info(vm, "unhandled MMIO %s at 0x%llx (reads as 0)",
			write ? "write" : "read", (unsigned long long)gpa);
}

static bool in_ram(struct vm *vm, uint64_t gpa)
{
	return gpa >= SWVM_RAM_BASE && gpa - SWVM_RAM_BASE < vm->ram_size;
}

/* An exit on a hole in RAM: a page libseawall isolated? */
static bool fault_exit(struct vm *vm, struct vcpu *v)
{
	struct seawall_outcome out;
	int r = seawall_ctx_handle_fault_exit(vm->sw, v->fd, v->run, &out);

	if (r == 0)
		return false;
	sea_handle_outcome(vm, v, r, &out, "fault exit");
	return true;
}

static void handle_mmio(struct vm *vm, struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint64_t gpa = run->mmio.phys_addr;
	bool w = run->mmio.is_write;

	if (gpa - SWVM_UART_BASE < SWVM_UART_SIZE) {
		unsigned int off = (unsigned int)(gpa - SWVM_UART_BASE);

		pthread_mutex_lock(&vm->dev_lock);
		if (w)
			swvm_uart_write(&vm->uart, off, run->mmio.data[0]);
		else
			mmio_put(run, swvm_uart_read(&vm->uart, off));
		pthread_mutex_unlock(&vm->dev_lock);
	} else if (gpa - SWVM_NOTIFY_BASE < SWVM_NOTIFY_SIZE) {
		pthread_mutex_lock(&vm->dev_lock);
		if (w)
			swvm_notify_write(&vm->notify, gpa - SWVM_NOTIFY_BASE, run->mmio.len,
					  mmio_get(run));
		else
			mmio_put(run, swvm_notify_read(&vm->notify, gpa - SWVM_NOTIFY_BASE,
						       run->mmio.len));
		pthread_mutex_unlock(&vm->dev_lock);
	} else if (in_ram(vm, gpa) && fault_exit(vm, v)) {
		/* libseawall re-raised the error in the vCPU */
	} else {
		if (!w)
			mmio_put(run, 0);
		warn_unhandled(vm, gpa, w);
	}
}

static void handle_nisv(struct vm *vm, struct vcpu *v)
{
	uint64_t ipa = v->run->arm_nisv.fault_ipa;

	if (in_ram(vm, ipa) && fault_exit(vm, v))
		return;
	/* A device access we cannot decode: the guest gets an external abort. */
	if (vm_log_allowed(vm, GLOG_NISV))
		vm_info(vm, "vcpu%d: undecodable access at 0x%llx: injecting an external abort",
			v->id, (unsigned long long)ipa);
	seawall_vcpu_inject_dabt(v->fd);
}

static void handle_system_event(struct vm *vm, struct vcpu *v)
{
	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_stop(vm, STOP_POWEROFF, "guest powered off (PSCI SYSTEM_OFF)");
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_stop(vm, STOP_RESET, "guest requested a reset (PSCI SYSTEM_RESET)");
		break;
	case KVM_SYSTEM_EVENT_CRASH:
		vm_request_stop(vm, STOP_RESET, "guest reported a crash");
		break;
	default:
		vm_request_stop(vm, STOP_ERROR, "vcpu%d: unknown system event %u", v->id,
				v->run->system_event.type);
		break;
	}
}

/* After every KVM_RUN: the SIGBUS records the handler queued. */
static void drain_sigbus(struct vm *vm, struct vcpu *v)
{
	struct seawall_outcome out;
	int r = seawall_ctx_handle_pending(vm->sw, v->fd, &out);

	if (r > 0)
		sea_handle_outcome(vm, v, (int)out.actions, &out, "SIGBUS");
	else if (r < 0)
		sea_handle_outcome(vm, v, r, NULL, "SIGBUS");
}

/*
 * The vCPU stops for good (reset, power-off, error): finish what KVM still
 * holds for it, while its old state is there, so that the KVM_ARM_VCPU_INIT
 * of a reset starts clean.  KVM_RUN with immediate_exit completes a pending
 * MMIO read and commits a pending exception, then returns EINTR without
 * running the guest (api.rst, KVM_EXIT_MMIO).  It matters for an abort
 * injected just before a restart: Linux 6.12 keeps KVM_SET_VCPU_EVENTS'
 * ext_dabt_pending pending until the next KVM_RUN (7.2 commits it at once),
 * KVM_ARM_VCPU_INIT does not drop it, and the rebooted guest would take it
 * at its first instruction, through a VBAR_EL1 of 0, never to be heard of.
 */
static void settle(struct vcpu *v)
{
	v->run->immediate_exit = 1;
	if (ioctl(v->fd, KVM_RUN, 0) == 0 || errno != EINTR)
		vm_info(v->vm, "vcpu%d: settling before a stop: KVM_RUN: %s", v->id,
			strerror(errno));
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	struct kvm_run *run = v->run;
	char name[16];
	sigset_t set;

	this_vcpu = v;
	atomic_store(&vm->vcpu_tid[v->id], (int)syscall(SYS_gettid));
	snprintf(name, sizeof(name), "swvm-vcpu%d", v->id);
	pthread_setname_np(pthread_self(), name);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGBUS);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (!atomic_load(&vm->stop)) {
		int r, e;

		if (!swvm_gate_enter(&vm->gate, (unsigned int)v->id))
			break;
		/* The library tells a SIGBUS the guest took in KVM_RUN from one of ours. */
		seawall_vcpu_run_begin(vm->sw);
		r = ioctl(v->fd, KVM_RUN, 0);
		e = errno;
		seawall_vcpu_run_end(vm->sw);
		swvm_gate_leave(&vm->gate, (unsigned int)v->id);
		drain_sigbus(vm, v);
		sea_metrics_tick(vm, false);
		if (r < 0) {
			if (e == EINTR || e == EAGAIN)
				continue;
			vm_request_stop(vm, STOP_ERROR, "vcpu%d: KVM_RUN: %s", v->id, strerror(e));
			break;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			handle_mmio(vm, v);
			break;
		case SEAWALL_KVM_EXIT_ARM_NISV:
			handle_nisv(vm, v);
			break;
		case SEAWALL_KVM_EXIT_ARM_SEA: {
			struct seawall_outcome out;

			r = seawall_ctx_handle_sea_exit(vm->sw, v->fd, run, &out);
			sea_handle_outcome(vm, v, r, &out, "SEA exit");
			break;
		}
		case KVM_EXIT_SYSTEM_EVENT:
			handle_system_event(vm, v);
			break;
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_FAIL_ENTRY:
			vm_request_stop(vm, STOP_ERROR, "vcpu%d: entry failed, reason 0x%llx", v->id,
					(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			vm_request_stop(vm, STOP_ERROR, "vcpu%d: KVM internal error %u", v->id,
					run->internal.suberror);
			break;
		default:
			vm_request_stop(vm, STOP_ERROR, "vcpu%d: unexpected exit reason %u", v->id,
					run->exit_reason);
			break;
		}
	}
	settle(v);
	/* From here on the SIGBUS handler leaves this thread alone. */
	atomic_store(&vm->vcpu_tid[v->id], 0);
	this_vcpu = NULL;
	return NULL;
}

int vcpus_start(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		int err = pthread_create(&v->thread, NULL, vcpu_thread, v);

		if (err) {
			vm_request_stop(vm, STOP_ERROR, "creating the vCPU thread: %s", strerror(err));
			return -1;
		}
		/* A stop requested before this thread existed: the gate is closed. */
		pthread_mutex_lock(&vm->lock);
		v->started = true;
		pthread_mutex_unlock(&vm->lock);
	}
	return 0;
}

void vcpus_join(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->started)
			continue;
		pthread_join(v->thread, NULL);
		pthread_mutex_lock(&vm->lock);
		v->started = false;
		pthread_mutex_unlock(&vm->lock);
	}
	vm_log_flush(vm);
	sea_metrics_tick(vm, true);
}
