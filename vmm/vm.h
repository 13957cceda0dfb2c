/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (C) 2026 The Seawall authors */
/* swvm: the VM, its vCPUs and the subsystems that touch KVM. */
#ifndef SWVM_VM_H
#define SWVM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <linux/kvm.h>

#include <seawall.h>

#include "swvm.h"

struct vm;

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
};

enum vm_state {
	VM_RUNNING = 0,
	VM_RESTARTING = 1,
};

/* Why the vCPUs were stopped. */
enum vm_stop {
	STOP_NONE = 0,
	STOP_POWEROFF,		/* PSCI SYSTEM_OFF */
	STOP_RESET,		/* PSCI SYSTEM_RESET, or a library restart */
	STOP_ERROR,		/* a vCPU failed */
	STOP_SIGNAL,		/* SIGTERM or SIGINT (SIGHUP reopens the events log) */
};

struct event_ring;

struct vm {
	const struct swvm_opts *o;
	int kvm_fd, vm_fd, gic_fd;
	unsigned int ncpus;
	struct vcpu vcpus[SWVM_MAX_CPUS];
	/*
	 * Each vCPU thread's kernel tid while it runs, 0 before and after:
	 * whom the SIGBUS handler may signal.  The thread clears its own
	 * before it returns, so the handler never names a joined thread.
	 */
	_Atomic int vcpu_tid[SWVM_MAX_CPUS];
	size_t run_size;

	uint8_t *ram;
	uint64_t ram_size;
	uint64_t page_size;		/* backing page: 4 KiB, or 2 MiB with --hugetlb */

	/* Boot images, kept in memory to reload on reset. */
	uint8_t *kernel;
	size_t kernel_len;
	struct swvm_image image;	/* from the Image header, checked against RAM */
	uint8_t *initrd;
	size_t initrd_len;
	char cmdline[2304];
	uint64_t entry, dtb_gpa, initrd_gpa;
	bool mem_failed;		/* a reset met bad memory it could not get around */

	struct seawall_ctx *sw;
	int sea_caps;			/* SEAWALL_KVM_HAS_* in effect */

	pthread_mutex_t dev_lock;	/* UART and notify registers */
	struct swvm_uart uart;
	struct swvm_notify notify;

	struct swvm_gate gate;		/* who is in KVM_RUN; pause and stop */

	/* Stop/restart handshake between the vCPUs and the main thread. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	atomic_int stop;		/* enum vm_stop, first one wins */
	atomic_int state;		/* enum vm_state */
	char stop_reason[160];
	int stop_signal;
	unsigned int restarts;
	uint64_t start_ns;

	/* Observability. */
	struct event_ring *events;
	int events_fd;
	atomic_ulong events_total;
	bool quiet;
};

/* main.c */
void vm_info(const struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vm_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t now_ns(void);

/* kvm.c: VM, memory and vCPU setup */
int kvm_vm_create(struct vm *vm);
int kvm_vcpus_create(struct vm *vm);
int kvm_vcpu_reset(struct vm *vm, struct vcpu *vcpu);

/* mem.c: guest RAM and the boot images */
int mem_setup(struct vm *vm);
int mem_load_files(struct vm *vm);
int mem_load_images(struct vm *vm);
int mem_wipe(struct vm *vm);

/* fdt.c: fdt_size() says how large a buffer fdt_build() needs */
int fdt_size(struct vm *vm, uint64_t *size);
int fdt_build(struct vm *vm, void *buf, size_t cap);

/* gic.c */
int gic_create(struct vm *vm);
int gic_finalize(struct vm *vm);
void gic_set_spi(struct vm *vm, unsigned int spi, int level);

/* vcpu.c */
/* Lines a guest can cause once per exit or event, each kind rate-limited. */
enum guest_log {
	GLOG_NISV,		/* undecodable accesses */
	GLOG_MMIO,		/* accesses to no device */
	GLOG_OUTCOME,		/* libseawall errors while handling an exit */
	GLOG_EVENT,		/* the "event ..." lines */
	GLOG_LIB,		/* libseawall's own log lines */
	GLOG_PACE,		/* a vCPU made to wait (repeat touches) */
	GLOG__N,
};
/* May this line go out now?  Says first how many of its kind were dropped. */
bool vm_log_allowed(struct vm *vm, enum guest_log kind);
/* At a stop: how many of each kind were dropped and not said yet. */
void vm_log_flush(struct vm *vm);
bool on_vcpu_thread(void);
int vcpus_start(struct vm *vm);
void vcpus_join(struct vm *vm);
void vm_request_stop(struct vm *vm, enum vm_stop why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vcpus_gate_init(struct vm *vm);
int vcpus_pause(void *arg);
void vcpus_resume(void *arg);

/* sea.c: the libseawall glue */
int sea_setup(struct vm *vm);
void sea_handle_outcome(struct vm *vm, struct vcpu *vcpu, int r,
			const struct seawall_outcome *out, const char *what);
const char *sea_restart_reason(unsigned int reason);
int sea_events_dump(struct vm *vm, int fd, uint64_t *last_seq);
int sea_events_wait(struct vm *vm, uint64_t last_seq, int timeout_ms);
/* The metrics file, if an event's rewrite was held back by the rate limit. */
void sea_metrics_tick(struct vm *vm, bool force);

/* term.c */
void term_start(struct vm *vm);
void term_restore_now(void);	/* async-signal-safe */

/* control.c */
int control_start(struct vm *vm, const char *path);
void control_stop(void);
void control_reset_marks(struct vm *vm);

#endif /* SWVM_VM_H */
