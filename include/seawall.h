/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/* Copyright (C) 2026 The Seawall authors */
/*
 * <seawall.h> - libseawall object API: a per-VM context that takes guest
 * memory errors (KVM_EXIT_ARM_SEA, SIGBUS BUS_MCEERR_AR/AO, MMIO/NISV exits
 * on isolated pages), records them durably, decides what to do, isolates
 * the page and reports.  See seawall(7).
 *
 * Conventions: int functions return 0 (or a count) on success and a
 * negative errno on failure; pointer functions return NULL and set errno.
 * The library never exits, aborts or prints.  Options structs start with
 * their size: declare them with SEAWALL_OPTS().
 */
#ifndef SEAWALL_H
#define SEAWALL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <seawall/kvm.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SEAWALL_VERSION_MAJOR	0
#define SEAWALL_VERSION_MINOR	2

/* Zero an options struct and set its size. */
#define SEAWALL_OPTS_RESET(NAME) \
	do { memset(&(NAME), 0, sizeof(NAME)); (NAME).sz = sizeof(NAME); } while (0)
/*
 * Declare an options struct of type struct TYPE: zeroed (padding too),
 * its size set, and any designated initialisers applied:
 *	SEAWALL_OPTS(seawall_ctx_opts, o);
 *	SEAWALL_OPTS(seawall_ctx_opts, o, .journal_path = path, .max_pages = 64);
 */
#define SEAWALL_OPTS(TYPE, NAME, ...)					\
	struct TYPE NAME = ({						\
		memset(&(NAME), 0, sizeof(struct TYPE));		\
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ };	\
	})

/* The library's version at run time ("0.2.0"), whatever header the caller saw. */
SEAWALL_API const char *seawall_version(void);

struct seawall_ctx;
struct seawall_journal;

/* Where an error came from. */
enum seawall_source {
	SEAWALL_SRC_NONE = 0,
	SEAWALL_SRC_SEA = 1,		/* KVM_EXIT_ARM_SEA */
	SEAWALL_SRC_SIGBUS_AR = 2,	/* SIGBUS BUS_MCEERR_AR */
	SEAWALL_SRC_SIGBUS_AO = 3,	/* SIGBUS BUS_MCEERR_AO */
	SEAWALL_SRC_TEST = 4,		/* seawall_ctx_handle_test() */
	SEAWALL_SRC_FAULT = 5,		/* MMIO/NISV exit on an isolated page */
	SEAWALL_SRC_JOURNAL = 6,	/* reloaded from the journal */
	SEAWALL_SRC__MAX
};
/* seawall_stats.events[] has room for sources still to come. */
#define SEAWALL_SRC_SLOTS	16

/* Actions, as a bit mask (seawall_outcome.actions, seawall_page.actions). */
#define SEAWALL_ACT_INJECT_DABT	(1u << 0)	/* data abort put into the vCPU */
#define SEAWALL_ACT_INJECT_IABT	(1u << 1)	/* instruction abort put into the vCPU */
#define SEAWALL_ACT_ISOLATE	(1u << 2)	/* page isolated (now or before) */
#define SEAWALL_ACT_NOTIFY	(1u << 3)	/* queued for the guest agent */
#define SEAWALL_ACT_RESTART	(1u << 4)	/* the VMM should restart the VM */
#define SEAWALL_ACT_RATE_LIMITED (1u << 5)	/* report suppressed by the rate limit */
#define SEAWALL_ACT_NEW_PAGE	(1u << 6)	/* first error on this page */
#define SEAWALL_ACT_JOURNALED	(1u << 7)	/* written (and synced) to the journal */
#define SEAWALL_ACT_INJECT_FAILED (1u << 8)	/* injection was wanted and failed */
#define SEAWALL_ACT_ISOLATE_FAILED (1u << 9)	/* isolation was wanted and failed */
#define SEAWALL_ACT_UNATTRIBUTED (1u << 10)	/* no guest page could be named */
/* 0.2 */
#define SEAWALL_ACT_HOST_OFFLINED (1u << 11)	/* the bad host page went to the host's memory_failure() */
#define SEAWALL_ACT_NOT_ISOLATABLE (1u << 12)	/* device memory: recorded and injected, never isolated */
#define SEAWALL_ACT_INJECT (SEAWALL_ACT_INJECT_DABT | SEAWALL_ACT_INJECT_IABT)

/* Why a restart is requested (seawall_outcome.restart_reason). */
enum seawall_restart_reason {
	SEAWALL_RESTART_NONE = 0,
	SEAWALL_RESTART_THRESHOLD = 1,	/* distinct bad pages reached the limit */
	SEAWALL_RESTART_GUEST_KERNEL = 2, /* guest EL1 consumed the error */
	SEAWALL_RESTART_UNATTRIBUTABLE = 3, /* no page to isolate */
	SEAWALL_RESTART_LOST = 4,	/* SIGBUS queue overflow, ledger full */
	SEAWALL_RESTART_UNCONTAINABLE = 5, /* ESR.SET = UC */
};

/* Event types (seawall_event.type). */
enum seawall_event_type {
	SEAWALL_EV_POISON = 1,		/* first error on a page */
	SEAWALL_EV_REPEAT = 2,		/* another error on a known page */
	SEAWALL_EV_UNATTRIBUTABLE = 3,	/* malformed exit, gpa outside regions, FnV */
	SEAWALL_EV_SIGBUS_OVERFLOW = 4,	/* SIGBUS records lost (count) */
	SEAWALL_EV_RESTART = 5,		/* a restart is requested */
	SEAWALL_EV_JOURNAL_ERROR = 6,	/* write/sync failed, or corruption at reload */
	SEAWALL_EV_JOURNAL_TORN = 7,	/* torn tail dropped at reload */
	SEAWALL_EV_ISOLATE_FAILED = 8,
	SEAWALL_EV_INJECT_FAILED = 9,
	SEAWALL_EV_NOTIFY_OVERFLOW = 10,
	SEAWALL_EV_LEDGER_FULL = 11,
};

struct seawall_event {
	uint64_t seq;		/* per context, from 1 */
	uint64_t time_ns;	/* CLOCK_REALTIME */
	uint32_t type;		/* enum seawall_event_type */
	uint32_t source;	/* enum seawall_source */
	uint64_t gpa;		/* guest physical address, or 0 */
	uint64_t page_gpa;	/* start of the backing page, or 0 */
	uint64_t page_size;
	uint64_t gva;
	uint64_t hva;
	uint64_t esr;
	uint64_t count;		/* hits on the page, or records lost */
	int32_t guest_el;	/* 0, 1, or -1 unknown */
	uint32_t actions;	/* SEAWALL_ACT_* */
	uint32_t restart_reason;
	int32_t error;		/* negative errno, or 0 */
	const char *reason;	/* human readable, static storage, or NULL */
	/* 0.2: appended.  Valid while the callback runs. */
	const char *vm;		/* seawall_ctx_opts.vm_name, or NULL */
	const char *uuid;	/* seawall_ctx_opts.vm_uuid, or NULL */
};

typedef void (*seawall_event_fn)(const struct seawall_event *ev, void *arg);

/*
 * The version of the JSON that seawall_event_render_json() writes (its
 * "schema" member); docs/events.md describes it.  Raised when a member
 * changes meaning or goes away, not when one is added.
 */
#define SEAWALL_EVENT_SCHEMA	1

/*
 * Structured logging of events (seawall_ctx_opts.event_log_fn): per
 * event, its syslog-like level, its type name ("poison"), a journald
 * MESSAGE_ID fixed per type (32 lowercase hex digits) and the event as
 * seawall_event_render_json() writes it.  Called after event_fn, outside
 * the context lock.
 */
typedef void (*seawall_event_log_fn)(int level, const char *type, const char *message_id,
				     const char *json, void *arg);

/* seawall_ctx_opts.kvm_caps: set with the SEAWALL_KVM_HAS_* the VMM enabled. */
#define SEAWALL_KVM_CAPS_KNOWN	(1u << 31)

/* Log levels, syslog-like. */
enum seawall_log_level {
	SEAWALL_LOG_ERR = 3,
	SEAWALL_LOG_WARN = 4,
	SEAWALL_LOG_INFO = 6,
	SEAWALL_LOG_DEBUG = 7,
};
typedef void (*seawall_log_fn)(int level, const char *msg, void *arg);

/*
 * Isolation strategies.  The default (0) needs nothing from the VMM: the
 * bad host page is moved into the library's quarantine (never read, never
 * freed), and its old address is poisoned with UFFDIO_POISON (Linux 6.6+,
 * no privilege: UFFD_USER_MODE_ONLY).  Private anonymous 4 KiB pages move
 * by UFFDIO_MOVE (6.8+) and are poisoned in place: KVM drops that one
 * stage-2 entry.  Others (hugetlb, shared memory) move by mremap and a
 * poisoned placeholder takes their address: KVM drops the entries of
 * that 2 MiB block (docs/isolation.md).  Never the memslot's.  A later
 * guest access arrives as
 * SIGBUS BUS_MCEERR_AR on the vCPU thread (seawall_sigbus_record()).
 * Memslots, vm_fd, memslot_ops and spare slots are not used.
 */
enum seawall_isolate_strategy {
	SEAWALL_ISOLATE_POISON = 0,
	SEAWALL_ISOLATE_QUARANTINE = 0,	/* 0.1's name for the default: now POISON */
	/*
	 * MADV_HWPOISON (CAP_SYS_ADMIN).  The kernel answers it with SIGBUS
	 * BUS_MCEERR_AR to the isolating thread: the VMM's SIGBUS handler must
	 * pass it to seawall_sigbus_record(), which knows it for the library's
	 * own (without a handler, the signal kills the VMM).
	 */
	SEAWALL_ISOLATE_HWPOISON = 1,
	SEAWALL_ISOLATE_NONE = 2,	/* only record; the VMM isolates */
	/*
	 * 0.1's default: cut the page out of its KVM memslot (vm_fd or
	 * memslot_ops, spare slot ids, the pause hooks) and quarantine it; a
	 * later access exits as MMIO/NISV (seawall_ctx_handle_fault_exit()).
	 * Every change of the slot makes KVM refault all of it.
	 */
	SEAWALL_ISOLATE_MEMSLOT_SPLIT = 3,
};

/* One KVM memslot (KVM_SET_USER_MEMORY_REGION); size 0 deletes it. */
struct seawall_memslot {
	uint32_t slot;
	uint32_t flags;
	uint64_t gpa;
	uint64_t size;
	uint64_t hva;
};

/*
 * The hooks the context uses to change memslots.  set: NULL for
 * KVM_SET_USER_MEMORY_REGION on opts.vm_fd.  A split deletes a slot and
 * adds its pieces, a reset deletes the pieces and adds the whole slot
 * back: in between, part of guest RAM has no memslot, and a vCPU that
 * runs then would see its RAM access exit as MMIO/NISV.  So with more
 * than one vCPU, pause and resume (both or neither) bracket every change:
 * pause returns 0 once no vCPU but the calling thread's own is inside
 * KVM_RUN and keeps them out until resume (or a negative errno: the
 * change is not made).  They run with the context lock held, so they must
 * not call the library nor wait for a vCPU thread to do anything but
 * leave KVM_RUN (one blocked in a libseawall call is out of KVM_RUN).
 */
struct seawall_memslot_ops {
	size_t sz;
	int (*set)(void *arg, const struct seawall_memslot *slot);
	void *arg;
	int (*pause)(void *arg);
	void (*resume)(void *arg);
};

/*
 * seawall_ctx_opts.flags.  Where the process has CAP_SYS_ADMIN, every
 * quarantined page is handed to the host's memory_failure() (MADV_HWPOISON)
 * so the host never reuses it, even after the VMM exits; without the
 * privilege that is left to the operator (seawall(7)).
 */
#define SEAWALL_CTX_NO_HOST_OFFLINE	(1u << 0)	/* never MADV_HWPOISON the quarantine */

struct seawall_ctx_opts {
	size_t sz;
	/*
	 * KVM VM fd, for SEAWALL_ISOLATE_MEMSLOT_SPLIT only (ignored
	 * otherwise).  -1: none.  From a 0.1-sized struct 0 also meant none.
	 */
	int vm_fd;
	const char *journal_path;	/* NULL: no journal */
	unsigned int journal_nosync;	/* 1: do not fsync before the vCPU resumes */
	unsigned int max_pages;		/* ledger bound; 0: 65536 */
	unsigned int sigbus_capacity;	/* queued SIGBUS records; 0: 256 */
	unsigned int notify_capacity;	/* unacknowledged notices; 0: 64 */
	unsigned int strategy;		/* enum seawall_isolate_strategy */
	/* These three: SEAWALL_ISOLATE_MEMSLOT_SPLIT only, ignored otherwise. */
	uint32_t spare_slot_base;	/* free memslot ids the context may use */
	uint32_t spare_slot_count;
	const struct seawall_memslot_ops *memslot_ops;
	seawall_event_fn event_fn;
	void *event_arg;
	seawall_log_fn log_fn;		/* NULL: silent */
	void *log_arg;
	unsigned int has_ras;		/* the VM has FEAT_RAS (see SEAWALL_SEA_DECODE_RAS) */
	unsigned int has_mte;		/* the VM has FEAT_MTE (see SEAWALL_EXC_MTE) */
	unsigned int event_hva;		/* 1: events carry host addresses (hva); 0: hva is 0 */
	/* 0.2: appended (a 0.1 caller's smaller struct leaves them zero). */
	const char *vm_name;		/* metrics label vm, events "vm"; NULL: none (copied) */
	const char *vm_uuid;		/* metrics label uuid, events "uuid"; NULL: none (copied) */
	unsigned int kvm_caps;		/* SEAWALL_KVM_CAPS_KNOWN | SEAWALL_KVM_HAS_* enabled; 0: not said */
	seawall_event_log_fn event_log_fn; /* structured event logging; NULL: none */
	void *event_log_arg;
	unsigned int flags;		/* SEAWALL_CTX_* */
};

SEAWALL_API struct seawall_ctx *seawall_ctx_new(const struct seawall_ctx_opts *opts);
SEAWALL_API void seawall_ctx_free(struct seawall_ctx *ctx);

/* Policy. */
#define SEAWALL_POLICY_NO_INJECT	(1u << 0)
#define SEAWALL_POLICY_NO_ISOLATE	(1u << 1)
#define SEAWALL_POLICY_NO_NOTIFY	(1u << 2)
#define SEAWALL_POLICY_NO_RESTART_EL1	(1u << 3)	/* keep running when guest EL1 consumed it */
#define SEAWALL_POLICY_NEVER		0xffffffffu	/* restart_after_pages: never */
#define SEAWALL_POLICY_DEFAULT_PAGES	8
#define SEAWALL_POLICY_DEFAULT_BURST	16
#define SEAWALL_POLICY_DEFAULT_RATE	4

struct seawall_policy_opts {
	size_t sz;
	unsigned int flags;		/* SEAWALL_POLICY_NO_* */
	unsigned int restart_after_pages; /* 0: 8; SEAWALL_POLICY_NEVER: never */
	unsigned int rate_burst;	/* reports per page before limiting; 0: 16 */
	unsigned int rate_per_sec;	/* refill per second; 0: 4 */
};

SEAWALL_API int seawall_ctx_set_policy(struct seawall_ctx *ctx,
				       const struct seawall_policy_opts *opts);

/* Guest memory regions. */
struct seawall_region_opts {
	size_t sz;
	uint64_t gpa;
	uint64_t size;
	void *hva;
	uint64_t page_size;	/* backing page: 4K, 16K, 64K, 2M, 32M, 512M or 1G; 0: 4K */
	uint32_t slot;		/* KVM memslot id */
	uint32_t slot_flags;	/* its KVM_MEM_* flags */
	uint32_t flags;		/* SEAWALL_REGION_* */
	int fd;			/* file backing, with SEAWALL_REGION_FILE */
	uint64_t offset;	/* offset of gpa in fd */
};

#define SEAWALL_REGION_FILE	(1u << 0)	/* fd and offset are valid */
#define SEAWALL_REGION_NO_SLOT	(1u << 1)	/* not a KVM memslot of its own */
/*
 * 0.2: device memory (a VFIO BAR, no struct page behind it): errors are
 * recorded and injected, the page is never isolated
 * (SEAWALL_ACT_NOT_ISOLATABLE in the outcome).
 */
#define SEAWALL_REGION_DEVICE	(1u << 2)

SEAWALL_API int seawall_region_add(struct seawall_ctx *ctx,
				   const struct seawall_region_opts *opts);
SEAWALL_API int seawall_region_gpa_to_hva(struct seawall_ctx *ctx, uint64_t gpa,
					  void **hva, uint64_t *page_size);
SEAWALL_API int seawall_region_hva_to_gpa(struct seawall_ctx *ctx, const void *hva,
					  uint64_t *gpa, uint64_t *page_size);

/*
 * What the context did with one error.  0.2 splits actions in two: done
 * (what the library did) and requests (what the VMM must do: an abort to
 * inject when no vCPU fd was given, a restart); actions stays their union,
 * as in 0.1.  The reserved space is where later versions add fields: the
 * library zeroes it.
 */
struct seawall_outcome {
	uint32_t actions;	/* SEAWALL_ACT_*: done | requests */
	uint32_t restart_reason;
	uint64_t gpa;
	uint64_t page_gpa;
	uint64_t page_size;
	int32_t guest_el;	/* 0, 1, or -1 unknown */
	uint32_t hits;
	const char *reason;	/* why unattributed/failed, or NULL */
	/* 0.2 */
	uint32_t done;		/* SEAWALL_ACT_* the library performed */
	uint32_t requests;	/* SEAWALL_ACT_INJECT_DABT/IABT, _RESTART: for the VMM */
	uint64_t reserved[6];
};

/* vCPU state the VMM already has (optional; otherwise read from vcpu_fd). */
struct seawall_vcpu_state {
	uint64_t pstate;
	int valid;
	/* 0.2: room to grow; zero it. */
	uint32_t reserved0;
	uint64_t reserved[6];
};

SEAWALL_API int seawall_ctx_handle_sea(struct seawall_ctx *ctx,
				       const struct seawall_kvm_arm_sea *raw,
				       const struct seawall_vcpu_state *vs,
				       struct seawall_outcome *out);
SEAWALL_API int seawall_ctx_handle_sea_exit(struct seawall_ctx *ctx, int vcpu_fd,
					    const struct kvm_run *run,
					    struct seawall_outcome *out);
SEAWALL_API int seawall_ctx_handle_fault_exit(struct seawall_ctx *ctx, int vcpu_fd,
					      const struct kvm_run *run,
					      struct seawall_outcome *out);
SEAWALL_API int seawall_ctx_handle_test(struct seawall_ctx *ctx, uint64_t gpa,
					struct seawall_outcome *out);

/* SIGBUS intake: record in the handler, handle after KVM_RUN returns. */
SEAWALL_API int seawall_sigbus_record(struct seawall_ctx *ctx, void *addr,
				      int si_code, short lsb);
SEAWALL_API int seawall_ctx_handle_pending(struct seawall_ctx *ctx, int vcpu_fd,
					   struct seawall_outcome *out);

/*
 * 0.2: the SIGBUS contract.  A vCPU thread brackets each KVM_RUN with
 * seawall_vcpu_run_begin()/_end(); then seawall_sigbus_record() knows an
 * AR taken inside KVM_RUN (the guest touched the page: queued, handled by
 * seawall_ctx_handle_pending() after KVM_RUN returns) from one a VMM
 * thread took touching guest memory itself: SEAWALL_SIGBUS_FATAL, the
 * handler must not return (the access would run again).  A context whose
 * threads never call them keeps 0.1's answer (0) for every record.
 */
#define SEAWALL_SIGBUS_FATAL	1
/*
 * The SIGBUS MADV_HWPOISON sends to the thread that isolates a page
 * (SEAWALL_ISOLATE_HWPOISON, or the host offlining of the quarantine): the
 * library's own, nothing queued; return from the handler.  0 for a context
 * whose threads never call seawall_vcpu_run_begin() (0.1's answer).
 */
#define SEAWALL_SIGBUS_OWN	2
SEAWALL_API void seawall_vcpu_run_begin(struct seawall_ctx *ctx);
SEAWALL_API void seawall_vcpu_run_end(struct seawall_ctx *ctx);

/*
 * 0.2: checked copies of guest memory for VMM threads (device emulation,
 * migration): -EHWPOISON instead of dying when the range holds a page the
 * ledger knows bad or the copy itself takes SIGBUS BUS_MCEERR_AR (then
 * recorded like any other).  The second needs the VMM's SIGBUS handler to
 * call seawall_sigbus_record(), which does not return in that case.
 * -EFAULT: the range is not inside one registered region.
 */
SEAWALL_API int seawall_guest_read(struct seawall_ctx *ctx, uint64_t gpa, void *buf,
				   size_t len);
SEAWALL_API int seawall_guest_write(struct seawall_ctx *ctx, uint64_t gpa, const void *buf,
				    size_t len);

/*
 * 0.2: ask the kernel for early SIGBUS BUS_MCEERR_AO (PR_MCE_KILL_EARLY) on
 * the calling thread and the threads it creates afterwards: call it before
 * creating the vCPU threads.
 */
SEAWALL_API int seawall_mce_kill_early(void);

/* Ledger. */
#define SEAWALL_PAGE_ISOLATED	(1u << 0)
#define SEAWALL_PAGE_REPLACED	(1u << 1)	/* fresh memory given at reset */
#define SEAWALL_PAGE_NOTIFIED	(1u << 2)
#define SEAWALL_PAGE_ACKED	(1u << 3)	/* the guest agent acknowledged it */
#define SEAWALL_PAGE_HOST_OFFLINED (1u << 4)	/* handed to the host's memory_failure() */

struct seawall_page {
	uint64_t gpa;		/* backing page start */
	uint64_t gva;		/* last known guest VA, or 0 */
	uint64_t first_ns;	/* CLOCK_REALTIME */
	uint64_t last_ns;
	uint32_t esr;		/* last decoded ESR (0 for SIGBUS/test) */
	uint32_t hits;
	uint32_t actions;	/* union of the actions taken */
	uint8_t source;		/* enum seawall_source of the first error */
	int8_t guest_el;	/* 0, 1, -1 unknown */
	uint8_t page_shift;	/* log2 of the backing page size */
	uint8_t flags;		/* SEAWALL_PAGE_* */
	/* 0.2: room to grow; the library zeroes it. */
	uint64_t reserved[4];
};

typedef int (*seawall_page_fn)(const struct seawall_page *page, void *arg);

SEAWALL_API int seawall_ledger_lookup(struct seawall_ctx *ctx, uint64_t gpa,
				      struct seawall_page *page);
SEAWALL_API int seawall_ledger_count(struct seawall_ctx *ctx);
SEAWALL_API int seawall_ledger_foreach(struct seawall_ctx *ctx, seawall_page_fn fn,
				       void *arg);
SEAWALL_API int seawall_ledger_check_range(struct seawall_ctx *ctx, uint64_t gpa,
					   uint64_t len);

/* Isolation and reset. */
SEAWALL_API int seawall_memslot_split(const struct seawall_memslot *slot,
				      uint64_t hole_gpa, uint64_t hole_size,
				      uint32_t new_slot,
				      struct seawall_memslot out[2]);
SEAWALL_API int seawall_ctx_isolate(struct seawall_ctx *ctx, uint64_t gpa);
SEAWALL_API int seawall_ctx_reisolate(struct seawall_ctx *ctx);
SEAWALL_API int seawall_ctx_reset(struct seawall_ctx *ctx);

/* Guest notification queue. */
struct seawall_notice {
	uint64_t seq;
	uint64_t gpa;
	uint64_t size;
};

SEAWALL_API int seawall_notify_peek(struct seawall_ctx *ctx,
				    struct seawall_notice *out, size_t max);
SEAWALL_API int seawall_notify_ack_gpa(struct seawall_ctx *ctx, uint64_t gpa);
SEAWALL_API int seawall_notify_ack_seq(struct seawall_ctx *ctx, uint64_t seq);

/* Journal, on its own (the context opens one from opts.journal_path). */
#define SEAWALL_JOURNAL_RDONLY	(1u << 0)
#define SEAWALL_JOURNAL_NOSYNC	(1u << 1)

struct seawall_journal_stats {
	uint64_t records;	/* valid records read */
	uint64_t corrupt;	/* corrupt regions skipped between valid records */
	uint64_t corrupt_bytes;
	uint64_t torn_bytes;	/* bytes of torn tail dropped */
	uint64_t end;		/* offset just past the last valid record */
	uint64_t last_seq;
};

SEAWALL_API struct seawall_journal *seawall_journal_open(const char *path,
							 unsigned int flags);
SEAWALL_API void seawall_journal_close(struct seawall_journal *j);
SEAWALL_API int seawall_journal_replay(struct seawall_journal *j, seawall_page_fn fn,
				       void *arg, struct seawall_journal_stats *st);
SEAWALL_API int seawall_journal_append(struct seawall_journal *j,
				       const struct seawall_page *page);
SEAWALL_API int seawall_journal_sync(struct seawall_journal *j);

/* Events, metrics. */
struct seawall_stats {
	uint64_t events[SEAWALL_SRC_SLOTS];	/* by source */
	uint64_t poisoned_pages;
	uint64_t injections;
	uint64_t isolations;
	uint64_t sigbus_overflows;
	uint64_t restarts_requested;
	uint64_t rate_limited;
	uint64_t journal_errors;
	uint64_t unattributable;
	uint64_t notify_pending;
	/* 0.2 */
	uint64_t poisoned_total;	/* pages found bad, counting a page bad again after reset */
	uint64_t restarts_done;		/* seawall_ctx_reset() calls */
	uint64_t events_dropped;
	uint64_t host_offlined;		/* quarantined pages handed to memory_failure() */
	uint64_t reserved[12];
};

SEAWALL_API int seawall_ctx_get_stats(struct seawall_ctx *ctx, struct seawall_stats *st);
SEAWALL_API int seawall_event_render_json(const struct seawall_event *ev, char *buf,
					  size_t len);
SEAWALL_API int seawall_metrics_render(struct seawall_ctx *ctx, char *buf, size_t len);
SEAWALL_API int seawall_metrics_write(struct seawall_ctx *ctx, const char *path);
SEAWALL_API const char *seawall_source_name(unsigned int source);
/* 0.2: the name of SEAWALL_ACT_* bit number bit ("isolate"), or NULL. */
SEAWALL_API const char *seawall_action_name(unsigned int bit);
/* 0.2: the name of SEAWALL_PAGE_* bit number bit ("isolated"), or NULL. */
SEAWALL_API const char *seawall_page_flag_name(unsigned int bit);

#ifdef __cplusplus
}
#endif

#endif /* SEAWALL_H */
