/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (C) 2026 The Seawall authors */
/*
 * swvm: the parts that know nothing about KVM (options, the control
 * protocol, the notify device's registers, the 16550 UART), so that they
 * also build natively and are unit-tested in tests/unit.
 */
#ifndef SWVM_H
#define SWVM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

struct seawall_ctx;

/* Guest physical memory map. */
#define SWVM_GIC_DIST_BASE	0x08000000ULL
#define SWVM_GIC_DIST_SIZE	0x00010000ULL
#define SWVM_GIC_REDIST_BASE	0x080a0000ULL
#define SWVM_GIC_REDIST_SIZE	0x00020000ULL	/* per vCPU */
#define SWVM_UART_BASE		0x09000000ULL
#define SWVM_UART_SIZE		0x00001000ULL
#define SWVM_UART_SPI		1
#define SWVM_UART_CLOCK		1843200
#define SWVM_NOTIFY_BASE	0x09010000ULL
#define SWVM_NOTIFY_SIZE	0x00001000ULL
#define SWVM_RAM_BASE		0x40000000ULL
#define SWVM_MAX_CPUS		4

/* Exit status of swvm. */
#define SWVM_EXIT_OK		0	/* the guest powered off */
#define SWVM_EXIT_ERROR		1	/* setup or runtime failure */
#define SWVM_EXIT_USAGE		2	/* bad arguments */
#define SWVM_EXIT_RESTARTS	3	/* --max-restarts exceeded */

/* ---- options.c ---- */
struct swvm_opts {
	const char *kernel;
	const char *initrd;
	const char *cmdline;		/* appended to the default */
	const char *control;
	const char *journal;
	const char *events_log;
	const char *metrics;
	unsigned int mem_mib;		/* default 256 */
	unsigned int cpus;		/* 1..4, default 1 */
	unsigned int restart_after;	/* distinct pages; 0: never */
	bool restart_after_set;
	bool no_restart_on_kernel;
	unsigned int max_restarts;	/* default 8 */
	bool quiet;
	bool hugetlb;			/* back RAM with 2 MiB hugetlb pages */
	bool isolate_split;		/* --isolation split: 0.1's memslot split */
	const char *control_group;	/* the socket 0660 for this group (name or gid) */
	bool allow_inject_test;		/* serve inject-test (test rigs only) */
	const char *vm_name;		/* metrics label vm, events "vm" */
	const char *vm_uuid;		/* metrics label uuid, events "uuid" */
	const char *metrics_dir;	/* a node_exporter textfile directory */
	unsigned int metrics_interval;	/* seconds between rewrites; 0: on events only */
	char metrics_path[4096];	/* --metrics-dir's file: DIR/seawall-NAME.prom */
};

#define SWVM_DEFAULT_METRICS_INTERVAL 15
#define SWVM_VM_NAME_MAX	64

#define SWVM_DEFAULT_CMDLINE "console=ttyS0 earlycon=uart8250,mmio,0x9000000 panic=-1"
#define SWVM_DEFAULT_MEM_MIB	256
#define SWVM_DEFAULT_MAX_RESTARTS 8

/* 0: run; 1: --help was asked; -1: error, message in err. */
int swvm_parse_args(int argc, char *const argv[], struct swvm_opts *o,
		    char *err, size_t errlen);
extern const char swvm_usage[];

/*
 * Open a file swvm itself writes (--events-log): never through a symbolic
 * link (-ELOOP), only a regular file (-EINVAL otherwise), close-on-exec.
 * With O_CREAT, a file it creates gets mode and *created is set.  The fd,
 * or -errno.
 */
int swvm_open_own(const char *path, int flags, mode_t mode, bool *created);
/* The gid of a group, by name or number, from an /etc/group-format file. 0 or -errno. */
int swvm_group_gid(const char *group_file, const char *name, gid_t *gid);

/* ---- proto.c: the control protocol ("seawall-control", version 1) ---- */
#define CTL_PROTOCOL		"seawall-control"
#define CTL_VERSION		1
#define CTL_MAX_REQUEST		512	/* bytes, the newline included */

enum ctl_verb {
	CTL_HELLO = 1,
	CTL_STATUS,
	CTL_LEDGER,
	CTL_EVENTS,
	CTL_METRICS,
	CTL_INJECT_TEST,
};

/* Error codes in {"error":"...","code":N}. */
#define CTL_E_MALFORMED		400	/* not a well-formed request line */
#define CTL_E_TIMEOUT		408	/* no complete line in time */
#define CTL_E_TOOLONG		413	/* longer than CTL_MAX_REQUEST */
#define CTL_E_FORBIDDEN		403	/* peer not allowed; inject-test not enabled */
#define CTL_E_UNKNOWN		404	/* unknown verb */
#define CTL_E_INTERNAL		500
#define CTL_E_UNSUPPORTED	501	/* the host lacks it (sea_inject) */
#define CTL_E_BUSY		503	/* too many connections */

struct ctl_req {
	enum ctl_verb verb;
	bool follow;			/* events follow */
	uint64_t gpa;			/* inject-test */
	char mode[8];			/* inject-test: "", "fnv", "s2table" */
};

/*
 * Parse one request line (buf, len bytes, the trailing "\n" or "\r\n"
 * optional).  0 and *req filled, or a CTL_E_* code and *why set.
 */
int ctl_parse(const char *buf, size_t len, struct ctl_req *req, const char **why);
/* Append s to dst (size cap) as a JSON string body (no quotes). */
size_t ctl_json_escape(char *dst, size_t cap, const char *s);
/* {"error":"<why>","code":N}\n into buf; returns its length. */
int ctl_error_line(char *buf, size_t cap, int code, const char *why);

/*
 * How the request reader reaches its client, injected so that tests and
 * the fuzzer drive it without sockets or real time.  read: at most cap
 * bytes, waiting at most timeout_ms; the count, 0 at end of file, -EAGAIN
 * when nothing came in time, another -errno on error.  now_ns: a
 * monotonic clock.
 */
struct ctl_io {
	long (*read)(void *arg, char *buf, size_t cap, int timeout_ms);
	uint64_t (*now_ns)(void *arg);
	void *arg;
};

/*
 * Read one request into buf (cap bytes, at most CTL_MAX_REQUEST are used)
 * before the clock reaches deadline_ns: the whole deadline is for the
 * request, however the client chunks it.  Returns the bytes to hand to
 * ctl_parse(): the line and whatever the client sent along with it (a
 * second line makes that a 400); or -CTL_E_TIMEOUT, -CTL_E_TOOLONG
 * (CTL_MAX_REQUEST bytes and no newline), -CTL_E_MALFORMED (read error).
 */
int ctl_read_request(const struct ctl_io *io, char *buf, size_t cap, uint64_t deadline_ns);

#define CTL_NO_GROUP		((gid_t)-1)
/*
 * May a peer with these credentials (SO_PEERCRED's uid and gid, and its
 * supplementary groups) use the socket of a swvm running as self?  Root
 * and self always, members of group (CTL_NO_GROUP: none) too.
 */
bool ctl_peer_allowed(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups,
		      uid_t self, gid_t group);

/* ---- notify.c: the seawall,notify-v1 MMIO device ---- */
#define SWVM_NOTIFY_MAGIC	0x544e5753u	/* "SWNT" */
#define SWVM_NOTIFY_VERSION	1u
#define SWVM_NOTIFY_REG_MAGIC	0x00
#define SWVM_NOTIFY_REG_VERSION	0x04
#define SWVM_NOTIFY_REG_PENDING	0x08
#define SWVM_NOTIFY_REG_TOTAL	0x0c
#define SWVM_NOTIFY_REG_GPA_LO	0x10
#define SWVM_NOTIFY_REG_GPA_HI	0x14
#define SWVM_NOTIFY_REG_SIZE	0x18
#define SWVM_NOTIFY_REG_SEQ	0x1c
#define SWVM_NOTIFY_REG_ACK	0x20
#define SWVM_NOTIFY_REG_STATUS	0x24

struct swvm_notify {
	struct seawall_ctx *ctx;
	uint32_t status;		/* bit 0: the last ACK matched */
};

/* Guest access at offset off, len 1, 2, 4 or 8 bytes (little-endian). */
uint64_t swvm_notify_read(struct swvm_notify *n, uint64_t off, unsigned int len);
void swvm_notify_write(struct swvm_notify *n, uint64_t off, unsigned int len, uint64_t val);

/* ---- uart.c: 16550A, output bridged to a file descriptor ---- */
struct swvm_uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thri_pending;		/* THR-empty interrupt not yet seen */
	uint8_t rx[64];			/* received bytes (input) */
	unsigned int rx_head, rx_len;
	int irq_level;			/* last level put on the line */
	int out_fd;
	char line[256];			/* output, flushed per line */
	size_t line_len;
	void (*set_irq)(void *arg, int level);
	void *irq_arg;
};

void swvm_uart_init(struct swvm_uart *u, int out_fd,
		    void (*set_irq)(void *, int), void *irq_arg);
uint8_t swvm_uart_read(struct swvm_uart *u, unsigned int off);
void swvm_uart_write(struct swvm_uart *u, unsigned int off, uint8_t val);
/* Queue input bytes; returns how many fitted. */
size_t swvm_uart_rx(struct swvm_uart *u, const uint8_t *buf, size_t len);
void swvm_uart_flush(struct swvm_uart *u);

/*
 * ---- gate.c: which vCPUs are inside KVM_RUN, and keeping them out ----
 * A vCPU thread brackets each KVM_RUN with enter (false: stopping, do not
 * run) and leave.  pause returns once no vCPU is inside and holds them out
 * until resume (pauses nest; the caller's own vCPU must not be inside,
 * which a thread handling its vCPU's exit never is); close holds them out
 * for good, until open.  kick(arg, id, true) must make vCPU id leave
 * KVM_RUN soon (immediate_exit and a signal), kick(arg, id, false) undoes
 * it; both are called with the gate's lock held.
 */
struct swvm_gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int n;
	unsigned int pauses;
	bool closed;
	bool in_run[SWVM_MAX_CPUS];
	bool kicked[SWVM_MAX_CPUS];
	void (*kick)(void *arg, unsigned int id, bool on);
	void *arg;
};

void swvm_gate_init(struct swvm_gate *g, unsigned int n,
		    void (*kick)(void *arg, unsigned int id, bool on), void *arg);
bool swvm_gate_enter(struct swvm_gate *g, unsigned int id);
void swvm_gate_leave(struct swvm_gate *g, unsigned int id);
void swvm_gate_pause(struct swvm_gate *g);
void swvm_gate_resume(struct swvm_gate *g);
void swvm_gate_close(struct swvm_gate *g);
void swvm_gate_open(struct swvm_gate *g);

/*
 * ---- loader.c: where the boot images go in guest RAM ----
 * Every quantity from an Image header is checked against what is left of
 * RAM before it is added to anything: no sum wraps.  Errors are -EINVAL
 * (not an Image, bad arguments), -EFBIG (does not fit in RAM at all) or
 * -ENOSPC (no room clear of bad pages), with *why for the user.
 */
#define SWVM_DTB_BASE		0x10000ULL	/* the tree without reserved pages */
#define SWVM_DTB_RSV_ENTRY	16ULL		/* one reserve-map entry */
#define SWVM_DTB_MAX		0x200000ULL	/* booting.rst: at most 2 MiB */

struct swvm_image {
	uint64_t text_offset;
	uint64_t image_size;		/* at least the file's length */
};

struct swvm_layout {
	uint64_t entry;			/* the kernel's first byte (2 MiB base + text_offset) */
	uint64_t kernel_end;		/* entry + image_size */
	uint64_t initrd_gpa;		/* 0 without an initrd */
	uint64_t dtb_gpa, dtb_size;
};

int swvm_image_parse(const void *buf, size_t len, struct swvm_image *img, const char **why);
int swvm_image_fits(const struct swvm_image *img, uint64_t initrd_len, uint64_t ram_size,
		    const char **why);
/* Bytes for a DTB with nreserved reserve-map entries; 0: more than 2 MiB. */
uint64_t swvm_dtb_size(uint64_t nreserved);
/*
 * Kernel at the lowest 2 MiB base that is clean, DTB (dtb_size, from
 * swvm_dtb_size()) at the highest clean 64 KiB block above it, initrd at
 * the highest clean page below the DTB; clean(arg, gpa, len) says whether
 * a range has no bad page.  On success every image lies inside
 * [ram_base, ram_base + ram_size), and none overlaps another.
 */
int swvm_layout_place(uint64_t ram_base, uint64_t ram_size, const struct swvm_image *img,
		      uint64_t initrd_len, uint64_t dtb_size,
		      bool (*clean)(void *arg, uint64_t gpa, uint64_t len), void *arg,
		      struct swvm_layout *l, const char **why);

struct swvm_range {
	uint64_t start, len;
};
/* Sort and merge overlapping or adjacent ranges in place; the new count. */
size_t swvm_ranges_merge(struct swvm_range *r, size_t n);

/*
 * ---- guard.c: swvm's SIGBUS handler, without KVM ----
 * swvm_guarded() runs fn, in which this thread touches guest memory; an
 * action-required SIGBUS there ends fn early: -EHWPOISON and *addr, the
 * faulting address (the handler calls swvm_guard_escape(), which does not
 * return inside swvm_guarded()).  Not reentrant; fn must hold no lock.
 */
int swvm_guarded(void (*fn)(void *arg), void *arg, void **addr);
bool swvm_guard_active(void);
void swvm_guard_escape(void *addr);

enum swvm_sigbus_do {
	SWVM_SIGBUS_DEFAULT,	/* not a memory error: die as without a handler */
	SWVM_SIGBUS_RETURN,	/* on a vCPU thread: the drain after KVM_RUN has it */
	SWVM_SIGBUS_KICK,	/* action-optional elsewhere: make a live vCPU drain */
	SWVM_SIGBUS_ESCAPE,	/* action-required in swvm_guarded(): leave the access */
	SWVM_SIGBUS_FATAL,	/* action-required elsewhere: returning re-faults forever */
};

/* recorded: what seawall_sigbus_record() returned. */
enum swvm_sigbus_do swvm_sigbus_decide(int recorded, int si_code, bool on_vcpu, bool guarded);
/* The tid of the first live vCPU thread (tids[i] > 0), or 0. */
int swvm_sigbus_kick_target(const _Atomic int *tids, unsigned int n);

/* ---- ratelimit.c: guest-triggered log lines ---- */
struct swvm_ratelimit {
	pthread_mutex_t lock;
	uint64_t interval_ns;
	unsigned int burst;
	uint64_t begin_ns;
	unsigned int printed;
	unsigned long missed;
};

#define SWVM_RATELIMIT_INIT(interval, n) \
	{ .lock = PTHREAD_MUTEX_INITIALIZER, .interval_ns = (interval), .burst = (n) }
/*
 * May this line go out now (now_ns: any monotonic clock)?  *suppressed:
 * how many were dropped in the interval that just ended, to report once.
 */
bool swvm_ratelimit(struct swvm_ratelimit *rl, uint64_t now_ns, unsigned long *suppressed);
/* Dropped and not reported yet (then reset): for a last summary at exit. */
unsigned long swvm_ratelimit_flush(struct swvm_ratelimit *rl);

/*
 * The pace of repeat touches: a guest that keeps touching pages it already
 * got an abort for costs swvm an exit and an injection each time, as often
 * as the guest likes.  Past the burst, a vCPU that does so waits before it
 * enters the guest again: the guest slows itself down, not the host.
 */
struct swvm_pace {
	pthread_mutex_t lock;
	uint64_t interval_ns;
	unsigned int burst;
	uint64_t next_ns;		/* the next free slot */
	unsigned long paced;		/* calls that had to wait */
	uint64_t waited_ns;		/* and how long, in all */
};

#define SWVM_PACE_INIT(interval, n) \
	{ .lock = PTHREAD_MUTEX_INITIALIZER, .interval_ns = (interval), .burst = (n) }
/* Take a slot at now_ns; how long to wait before going on (ns, 0: at once). */
uint64_t swvm_pace(struct swvm_pace *p, uint64_t now_ns);

#endif /* SWVM_H */
