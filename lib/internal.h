/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/* Copyright (C) 2026 The Seawall authors */
/* libseawall internals: shared by the library sources and the unit tests. */
#ifndef SEAWALL_INTERNAL_H
#define SEAWALL_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <seawall.h>

#define SW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SW_HIDDEN __attribute__((visibility("hidden")))

/*
 * The version seawall_build_info reports: the build may pass the full one
 * (-DSEAWALL_VERSION_STRING='"0.2.0"'); otherwise the header's major.minor.
 */
#ifdef SEAWALL_VERSION_STRING
#define SW_VERSION_STRING SEAWALL_VERSION_STRING
#else
#define SW_STR2(x) #x
#define SW_STR(x) SW_STR2(x)
#define SW_VERSION_STRING SW_STR(SEAWALL_VERSION_MAJOR) "." SW_STR(SEAWALL_VERSION_MINOR)
#endif

/* opts.c: validate a caller's options struct against the size we know. */
int sw_opts_copy(void *dst, size_t dst_sz, const void *src);

/* crc32c.c */
uint32_t sw_crc32c(uint32_t crc, const void *buf, size_t len);

/* time */
uint64_t sw_now_ns(void);	/* CLOCK_REALTIME */
uint64_t sw_mono_ns(void);	/* CLOCK_MONOTONIC */
/* Tests only: when set, sw_now_ns() returns what it returns. */
extern uint64_t (*sw_test_clock)(void);

/* ledger.c: open addressing over a dense entry array. */
struct sw_lpage {			/* 48 bytes */
	uint64_t gpa;
	uint64_t gva;
	uint64_t first_ns;
	uint64_t last_ns;
	uint32_t esr;
	uint32_t hits;
	uint16_t actions;
	uint16_t tokens;		/* rate limit, 1/64 token units */
	uint8_t source;
	int8_t guest_el;
	uint8_t page_shift;
	uint8_t flags;			/* SEAWALL_PAGE_*, SW_PAGE_UNSAVED */
};

/*
 * The entry differs from its last journal record only in what is not
 * journaled on every hit (hits, last seen, gva, ESR, an acknowledgement):
 * written at the next state change or when the context is freed.
 */
#define SW_PAGE_UNSAVED		0x80u
#define SW_PAGE_PUBLIC		(SEAWALL_PAGE_ISOLATED | SEAWALL_PAGE_REPLACED | \
				 SEAWALL_PAGE_NOTIFIED | SEAWALL_PAGE_ACKED | \
				 SEAWALL_PAGE_HOST_OFFLINED)

struct sw_ledger {
	struct sw_lpage *ent;
	uint32_t n;
	uint32_t ent_cap;
	uint32_t max;
	uint32_t *idx;			/* entry index + 1; 0 = empty */
	uint32_t idx_bits;
};

int sw_ledger_init(struct sw_ledger *l, uint32_t max);
void sw_ledger_fini(struct sw_ledger *l);
struct sw_lpage *sw_ledger_find(const struct sw_ledger *l, uint64_t gpa);
int sw_ledger_insert(struct sw_ledger *l, uint64_t gpa, struct sw_lpage **out);
size_t sw_ledger_bytes(const struct sw_ledger *l);
void sw_page_export(const struct sw_lpage *in, struct seawall_page *out);

/* sigq.c: bounded lock-free multi-producer queue, one consumer. */
struct sw_sigrec {
	_Atomic uint64_t seq;
	uint64_t addr;
	int32_t code;
	int32_t tid;
	int16_t lsb;
};

struct sw_sigq {
	struct sw_sigrec *rec;
	uint64_t mask;
	_Atomic uint64_t head;
	uint64_t tail;
	_Atomic uint64_t overflow;
	/* What the consumer has taken (tail) and accounted (overflow), for any thread. */
	_Atomic uint64_t taken;
	_Atomic uint64_t overflow_seen;
};

int sw_sigq_init(struct sw_sigq *q, uint32_t capacity);
void sw_sigq_fini(struct sw_sigq *q);
int sw_sigq_push(struct sw_sigq *q, uint64_t addr, int code, int lsb, int tid);
int sw_sigq_pop(struct sw_sigq *q, uint64_t *addr, int *code, int *lsb, int *tid);
bool sw_sigq_idle(struct sw_sigq *q);

/* notify.c */
struct sw_notify {
	struct seawall_notice *ring;
	uint32_t cap;
	uint32_t n;
	uint64_t next_seq;
};

int sw_notify_init(struct sw_notify *nq, uint32_t cap);
void sw_notify_fini(struct sw_notify *nq);
int sw_notify_push(struct sw_notify *nq, uint64_t gpa, uint64_t size);
int sw_notify_ack_gpa(struct sw_notify *nq, uint64_t gpa);
int sw_notify_ack_seq(struct sw_notify *nq, uint64_t seq);

/* Regions and their live memslot pieces. */
struct sw_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
	uint64_t page_size;
	uint32_t page_shift;
	uint32_t slot;
	uint32_t slot_flags;
	uint32_t flags;
	int fd;
	uint64_t offset;
	struct seawall_memslot *pieces;
	uint32_t npieces;
};

struct sw_quarantine {
	uint64_t gpa;
	uint64_t size;
	void *addr;			/* where the bad page now lives, or NULL */
	uint32_t region;
	uint32_t strategy;
	bool poisoned;			/* its old address: a UFFDIO_POISON placeholder */
	bool offlined;			/* handed to memory_failure() */
	bool in_place;			/* poisoned in the region's own VMA (UFFDIO_MOVE path) */
};

struct sw_policy {
	unsigned int flags;
	unsigned int restart_after_pages;
	unsigned int rate_burst;
	unsigned int rate_per_sec;
};

/*
 * Events one call can produce before it hands them over: a lost-SIGBUS
 * report and its restart (handle_pending), then for one error at most
 * isolate-failed, notify-overflow, journal-error, poison/repeat and its
 * restart (process_locked): 7.  A restart is never the one left out
 * (ev_add_restart), should this sum ever be wrong.
 */
#define SW_MAX_PENDING_EVENTS 8

struct seawall_ctx {
	pthread_mutex_t lock;
	struct seawall_ctx_opts o;
	struct sw_policy pol;
	struct sw_region *regions;
	uint32_t nregions;
	struct sw_ledger ledger;
	uint32_t live_pages;		/* distinct bad pages in regions since the last reset */
	uint32_t outside_pages;		/* journaled bad pages outside every region */
	struct sw_sigq sigq;
	struct sw_notify notify;
	struct seawall_journal *journal;
	struct sw_quarantine *quar;
	uint32_t nquar;
	uint32_t quar_cap;
	uint32_t next_spare;
	uint64_t ev_seq;
	/*
	 * Event numbers up to here are recorded in the journal as used, so a
	 * context that reloads it never hands one out again (journal.c).
	 */
	uint64_t ev_seq_reserved;
	struct seawall_stats st;
	/* Kept out of st: struct seawall_stats is the caller's size (0.1). */
	uint64_t poisoned_total;	/* pages found bad (new, or replaced and bad again) */
	uint64_t restarts_done;		/* seawall_ctx_reset() calls */
	uint64_t events_dropped;	/* events a full buffer left out */
	uint64_t last_event_ns;		/* CLOCK_REALTIME of the last event, or 0 */
	char *id_labels;		/* vm="...",uuid="..." escaped for Prometheus, or "" */
	/*
	 * The kernel answers MADV_HWPOISON with SIGBUS BUS_MCEERR_AR to the
	 * calling thread before the call returns: while the HWPOISON strategy
	 * poisons [self_poison, + self_poison_len) on thread self_poison_tid,
	 * seawall_sigbus_record() knows that signal for the library's own.
	 */
	_Atomic uint64_t self_poison;
	_Atomic uint64_t self_poison_len;
	_Atomic int self_poison_tid;
	/* 0.2 */
	_Atomic int run_marks;		/* some thread called seawall_vcpu_run_begin() */
	int uffd;			/* the poison strategy's userfaultfd, or -1 */
	int uffd_err;			/* why it could not be opened (negative errno), or 0 */
	int offline_err;		/* why MADV_HWPOISON of the quarantine is not done, or 0 */
	uint64_t host_offlined;
	/*
	 * The UFFDIO_MOVE quarantine (isolate.c): chunks of qa_chunk pages,
	 * registered with uffd; qa_base is the newest, qa_used slots of it taken.
	 * move_err: why moving is not done (negative errno), or 0.
	 */
	uint8_t *qa_base;
	uint32_t qa_used;
	int move_err;
};

/* log.c */
void sw_log(const struct seawall_ctx *ctx, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* event.c */
const char *sw_event_type_name(unsigned int type);	/* NULL: not a type */
const char *sw_event_message_id(unsigned int type);	/* NULL: not a type */
int sw_event_level(unsigned int type);			/* SEAWALL_LOG_* */
char *sw_id_labels(const char *vm, const char *uuid);	/* malloc'd; NULL: ENOMEM */

/* isolate.c */
int sw_isolate_locked(struct seawall_ctx *ctx, struct sw_region *r, uint64_t page_gpa,
		      const char **why);
struct sw_region *sw_region_find(struct seawall_ctx *ctx, uint64_t gpa);

/* guest.c */
int sw_thread_ar(struct seawall_ctx *ctx, uint64_t addr);	/* SEAWALL_SIGBUS_FATAL or 0 */
/* ctx.c */
void sw_record_copy_fault(struct seawall_ctx *ctx, uint64_t hva);
/* isolate.c */
void sw_isolate_fini(struct seawall_ctx *ctx);
bool sw_isolate_offlined(struct seawall_ctx *ctx, uint64_t page_gpa);

/* region.c: live_pages and outside_pages from the ledger and the regions. */
void sw_recount_locked(struct seawall_ctx *ctx);

/* journal.c, for the context */
int sw_journal_append_lpage(struct seawall_journal *j, struct sw_lpage *p, bool sync);
int sw_journal_compact(struct seawall_journal *j, const struct sw_ledger *l,
		       uint64_t ev_seq);
uint64_t sw_journal_crc_bytes(const struct seawall_journal *j);	/* by the last replay */
/*
 * Event numbers: a record that says every number up to ev_seq is used,
 * and the highest such number the last replay saw (0: none, as in a
 * journal written before 0.2); records of other types than pages that
 * replay counted (st.records minus the page records).
 */
int sw_journal_append_ev_seq(struct seawall_journal *j, uint64_t ev_seq, bool sync);
uint64_t sw_journal_ev_seq(const struct seawall_journal *j);
uint64_t sw_journal_other_records(const struct seawall_journal *j);

/* arch seam: lib/arch/<arch>/vcpu.c */
int sw_arch_get_pstate(int vcpu_fd, uint64_t *pstate);
int sw_arch_inject_dabt(int vcpu_fd);
int sw_arch_inject_abort(int vcpu_fd, unsigned int kind, uint64_t far,
			 unsigned int flags, struct seawall_exc_out *out);

#endif /* SEAWALL_INTERNAL_H */
