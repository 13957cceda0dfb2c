/* SPDX-License-Identifier: GPL-2.0-only */
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
	const char *control_group;	/* the socket 0660 for this group (name or gid) */
	bool allow_inject_test;		/* serve inject-test (test rigs only) */
};

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

#endif /* SWVM_H */
