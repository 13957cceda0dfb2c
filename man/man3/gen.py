#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors
"""Generate the libseawall man3 pages from the table below (run from man/man3)."""

VERSION = "libseawall 0.2"
DATE = "2026-12-06"

HDR_CTX = "#include <seawall.h>"
HDR_KVM = "#include <seawall/kvm.h>"

MT_CTX = ("Thread-safe: serialised by the context's lock. Not async-signal-safe: "
          "call it from normal thread context, never from a signal handler.")
MT_PURE = "Thread-safe and async-signal-safe: a pure function of its arguments; it keeps no state."
MT_IOCTL = "Thread-safe (one ioctl on the given file descriptor). Not async-signal-safe."

P = []

def page(name, hdr, proto, desc, ret, errors, mt, see=()):
    P.append((name, hdr, proto, desc, ret, errors, mt, see))

E_CTX = [("EINVAL", "ctx is NULL, or an argument is invalid.")]

page("seawall_ctx_new", HDR_CTX,
     "struct seawall_ctx *seawall_ctx_new(const struct seawall_ctx_opts *opts);",
     """Create the context for one VM. opts may be NULL for defaults; declare it with
SEAWALL_OPTS(seawall_ctx_opts, o) (or SEAWALL_OPTS(seawall_ctx_opts, o, .journal_path = path, ...):
designated initialisers after the name; every other byte, padding too, is zero). Fields: vm_fd (the KVM VM
fd, used only by SEAWALL_ISOLATE_MEMSLOT_SPLIT; -1: none; from a 0.1-sized struct, which has no flags
member, 0 also means none), journal_path (reloaded now: every page it holds is
back in the ledger; a torn tail is dropped with a warning and a SEAWALL_EV_JOURNAL_TORN event,
damaged records in the middle are skipped, logged as errors and reported as SEAWALL_EV_JOURNAL_ERROR;
a journal that holds records superseded by later ones is then compacted to one record per page: written to a
new file made with mkstemp(3) in the journal's directory, synced, renamed over the journal and the directory
synced, so a crash leaves the old file or the new one, never a mix; the journal must not be a symbolic link;
pages the journal holds count toward restart_after_pages only once a registered region holds them at their
page size, see seawall_ctx_reisolate(3)),
journal_nosync (do not fdatasync before returning to the VMM), max_pages (ledger bound,
default 65536), sigbus_capacity (default 256), notify_capacity (default 64), strategy
(how a bad page is isolated, see below), spare_slot_base and spare_slot_count (memslot ids the context may
use when splitting; MEMSLOT_SPLIT only), memslot_ops (MEMSLOT_SPLIT only), event_fn/event_arg, log_fn/log_arg (NULL: silent), has_ras, has_mte, event_hva (1: events
carry the host address of a SIGBUS in seawall_event.hva and in their JSON; 0, the default: hva is 0 and the
JSON has no hva member, since a host address tells whoever reads the events where the VMM's memory is).
Since 0.2 (appended; a 0.1 caller's smaller struct leaves them zero): vm_name and vm_uuid, the VM's identity,
copied, printable, 1 to 128 bytes each: every metrics sample gets the labels vm="..." and uuid="..." so that
one node_exporter can serve many VMs' files, and every event carries them (seawall_event.vm and .uuid, the
JSON's "vm" and "uuid"); kvm_caps, SEAWALL_KVM_CAPS_KNOWN ORed with the SEAWALL_KVM_HAS_* the VMM enabled
(seawall_kvm_enable(3)), reported as seawall_sea_exit_enabled (0: not said, no such series);
event_log_fn/event_log_arg, a structured log: for each event, after event_fn and outside the context lock,
event_log_fn(level, type, message_id, json, arg) with a syslog-like level, the type's name, its journald
MESSAGE_ID (32 lowercase hex digits, fixed per type) and the JSON of seawall_event_render_json(3), so that
a VMM can send it to journald without libseawall depending on libsystemd (docs/events.md); flags (since 0.2),
SEAWALL_CTX_NO_HOST_OFFLINE: never hand a quarantined page to the host's memory_failure(), see below.
Strategies. SEAWALL_ISOLATE_POISON (0, the default since 0.2; SEAWALL_ISOLATE_QUARANTINE is 0.1's name for 0):
the bad host page is moved into the context's quarantine, where it is never read, never dumped and never
freed, and its old address is poisoned with UFFDIO_POISON (Linux 6.6 or later) through a userfaultfd
(UFFD_USER_MODE_ONLY, no privilege). Private anonymous memory in 4 KiB pages (THP too): the page leaves by
UFFDIO_MOVE (Linux 6.8 or later), the 2 MiB-aligned block around it is registered with the userfaultfd in
write-protect mode (no fault changes; the mapping splits, if at all, on 2 MiB boundaries) and the poison
marker goes into the page's own page-table entry, so KVM drops that page's stage-2 entry alone (a THP is
split by the host first: its 2 MiB block refaults at 4 KiB, as for any 4 KiB change in it). Anything else
(hugetlb, memfd or other shared memory, a page the move refuses): the page moves with mremap(2) and a fresh
placeholder of its kind takes its address, registered and poisoned; that splits the mapping inside the 2 MiB
block, and KVM drops the block's stage-2 entries. Never the memslot's. The registered blocks stay registered
while the context lives (unregistering a write-protect range would make KVM drop all of it): a VMM that
registers guest memory with a userfaultfd of its own (post-copy migration) gets EBUSY for a block that holds a
bad page, and where the VMM's registration came first the library takes the mremap way for that page. A later guest access to the page makes KVM send SIGBUS BUS_MCEERR_AR to the vCPU thread inside
KVM_RUN, which the VMM's handler passes to seawall_sigbus_record(3) and seawall_ctx_handle_pending(3) turns
into an abort for the guest. No memslot changes, so vm_fd, memslot_ops, spare_slot_base, spare_slot_count and
the pause hooks are not used and are ignored. SEAWALL_ISOLATE_MEMSLOT_SPLIT (3): 0.1's default, the page is cut
out of its memslot (vm_fd or memslot_ops, spare ids, the pause contract below) and quarantined; a later access
exits as KVM_EXIT_MMIO or KVM_EXIT_ARM_NISV, for seawall_ctx_handle_fault_exit(3); every change of a slot makes
KVM refault all of it. SEAWALL_ISOLATE_HWPOISON (1): madvise(MADV_HWPOISON) on the page in place
(CAP_SYS_ADMIN). SEAWALL_ISOLATE_NONE (2): record only, the VMM isolates. With the first two, where the process
has CAP_SYS_ADMIN and flags lacks SEAWALL_CTX_NO_HOST_OFFLINE, each quarantined page is also handed to the
host's memory_failure() with MADV_HWPOISON when it is isolated (SEAWALL_ACT_HOST_OFFLINED,
SEAWALL_PAGE_HOST_OFFLINED), so the host never reuses it, even after the VMM exits; the kernel answers that
madvise with SIGBUS to the isolating thread, which the VMM's handler must pass to seawall_sigbus_record(3)
(it recognises the library's own). Without the privilege the page goes back to the host when the VMM exits:
see "After the VMM exits" in seawall(7).
With a journal, event numbers (seawall_event.seq) go on across processes: the context records in the journal
the numbers it may use, a block of 1024 at a time, and the exact last one at seawall_ctx_free(3), so the next
context that loads it numbers on from there (after a crash, past the block: a gap, never a number twice); a
journal written by libseawall 0.1 has no such record and numbering starts at 1.
The journal gets a record when a page's state changes (a new page, a flag, an action not taken on it before,
a failed append retried), not on every hit: a guest that hits its pages in a loop does not grow the journal.
Hit counts, the last time seen, the last ESR and gva, and acknowledgements are written with the next change and
by seawall_ctx_free(3); after a crash they may be those of an earlier record.
The default policy applies until seawall_ctx_set_policy(3) is called.
For SEAWALL_ISOLATE_MEMSLOT_SPLIT only: memslot_ops (copied; declare it with SEAWALL_OPTS(seawall_memslot_ops, m)) has set(arg, slot), which makes
one KVM_SET_USER_MEMORY_REGION-like change (size 0 deletes the slot; NULL: the ioctl on vm_fd), and pause(arg)
and resume(arg), given both or neither. Changing memslots while guest vCPUs run is not invisible to them:
a split deletes a slot and adds its pieces, a reset deletes the pieces and adds the whole slot, and a vCPU
that touches RAM in between exits as KVM_EXIT_MMIO or KVM_EXIT_ARM_NISV on an address that is neither a
device nor a poisoned page. So the context calls pause before the first change and resume after the last,
on the thread that made the call (a vCPU thread handling its exit, or any other), with the context lock
held. The contract: pause returns 0 once no vCPU other than the calling thread's own is inside KVM_RUN,
and keeps them out until resume (for example: set kvm_run.immediate_exit and signal each vCPU thread that
is inside, wait until each has left, hold each at its next entry); or it returns a negative errno and no
memslot is changed (isolation then fails with SEAWALL_ACT_ISOLATE_FAILED). A vCPU thread that is outside
KVM_RUN counts as paused wherever it is, including blocked in a libseawall call on the same context: pause
must not wait for it to do anything else, and neither hook may call the library. Without pause and resume
the VMM must ensure it another way (a single vCPU, or no vCPU running).""",
     "A new context, or NULL with errno set.",
     [("EINVAL", "opts is malformed (sz 0, unknown non-zero trailing bytes), strategy unknown, flags with an unknown bit, a capacity too large, vm_name or vm_uuid empty, longer than 128 bytes or with a control character, kvm_caps with an unknown bit or without SEAWALL_KVM_CAPS_KNOWN, or the journal file is not a Seawall journal."),
      ("EBADMSG", "the journal's header is damaged."),
      ("EBUSY", "another process or context has the journal open for writing."),
      ("ELOOP", "the journal path is a symbolic link (it is not followed)."),
      ("EOVERFLOW", "the journal holds more distinct pages than max_pages; the log callback says so. Raise max_pages, or move the journal aside to start without its pages."),
      ("ENOMEM", "out of memory."),
      ("EACCES, ENOENT, EROFS, ...", "errors of open(2) on the journal path.")],
     "Thread-safe. Not async-signal-safe. Event and log callbacks given in opts may run before it returns.",
     ("seawall_ctx_free", "seawall_ctx_set_policy", "seawall_ctx_reisolate", "seawall"))

page("seawall_ctx_free", HDR_CTX, "void seawall_ctx_free(struct seawall_ctx *ctx);",
     """Write to the journal what its records do not say yet (hit counts, last time seen, acknowledgements;
one record per such page and one sync), close it and free the context. NULL is ignored. Quarantined host
pages stay mapped on purpose: unmapping them would return a bad physical page to the host.""",
     "None.", [], "Not thread-safe with respect to other calls on the same context: the caller must ensure no other thread uses ctx. Not async-signal-safe.",
     ("seawall_ctx_new",))

page("seawall_ctx_set_policy", HDR_CTX,
     "int seawall_ctx_set_policy(struct seawall_ctx *ctx, const struct seawall_policy_opts *opts);",
     """Replace the policy. Declare opts with SEAWALL_OPTS(seawall_policy_opts, p). flags is a mask of
SEAWALL_POLICY_NO_INJECT, SEAWALL_POLICY_NO_ISOLATE, SEAWALL_POLICY_NO_NOTIFY and
SEAWALL_POLICY_NO_RESTART_EL1 (zero: inject, isolate, notify, and request a restart when guest EL1
consumed the error). restart_after_pages: request a restart once this many distinct pages are bad
since the last reset (0: the default, 8; SEAWALL_POLICY_NEVER: never). rate_burst and rate_per_sec
configure a per-page token bucket (defaults 16 and 4/s; at most 1000 and 1000000/s): repeat hits beyond it
are still injected and counted in the ledger but produce no event, and are counted as rate limited. The
bucket refills at rate_per_sec however close together the hits come: a steady flood on one page is reported
rate_per_sec times a second after its first burst. A hit that asks for a restart always says so in its outcome;
beyond the bucket it makes a SEAWALL_EV_RESTART event only the first time that page asks for one.
Errors that cannot be tied to a guest page, lost SIGBUS records, a full ledger and ESR.SET = UC
always request a restart. NULL opts restores the defaults.""",
     "0 on success, a negative errno on failure.",
     [("EINVAL", "ctx is NULL, opts->sz is 0, opts has unknown non-zero trailing bytes, or flags has unknown bits.")],
     MT_CTX, ("seawall_ctx_handle_sea", "seawall"))

page("seawall_region_add", HDR_CTX,
     "int seawall_region_add(struct seawall_ctx *ctx, const struct seawall_region_opts *opts);",
     """Register guest memory: gpa, size, hva (may be NULL when the VMM does not want host-side
quarantine), page_size (the backing page: 4K, 16K, 64K, 2M, 32M, 512M or 1G; 0 means 4K; the ledger
and isolation work at this granularity), slot and slot_flags (the KVM memslot that maps it), and,
with SEAWALL_REGION_FILE in flags, fd and offset of a file backing (used to give fresh memory at
reset). SEAWALL_REGION_NO_SLOT says the region is not a memslot of its own (no splitting).
SEAWALL_REGION_DEVICE (since 0.2) marks device memory, such as a VFIO BAR, which has no struct page behind it:
errors in it are recorded, reported and injected like any other, but the page is never isolated (it cannot be
moved nor poisoned); the outcome carries SEAWALL_ACT_NOT_ISOLATABLE instead of SEAWALL_ACT_ISOLATE.""",
     "The region's index (0, 1, ...) on success, a negative errno on failure.",
     [("EINVAL", "ctx or opts is NULL, opts is malformed, size is 0, page_size unsupported, gpa, size, hva or offset not aligned to page_size, or unknown flags."),
      ("EEXIST", "the range overlaps a registered region, or the memslot id is taken."),
      ("ENOMEM", "out of memory.")],
     MT_CTX, ("seawall_region_gpa_to_hva",))

page("seawall_region_gpa_to_hva", HDR_CTX,
     "int seawall_region_gpa_to_hva(struct seawall_ctx *ctx, uint64_t gpa, void **hva,\n                              uint64_t *page_size);",
     """Translate a guest physical address to the host address the region maps it at, and
optionally return the backing page size. This does not check the ledger: use
seawall_ledger_check_range(3) before touching guest memory.""",
     "0 on success, a negative errno on failure.",
     [("EINVAL", "ctx or hva is NULL."), ("ENOENT", "gpa is in no region."),
      ("ENODATA", "the region was registered without a host address.")],
     MT_CTX, ("seawall_region_hva_to_gpa", "seawall_ledger_check_range"))

page("seawall_region_hva_to_gpa", HDR_CTX,
     "int seawall_region_hva_to_gpa(struct seawall_ctx *ctx, const void *hva, uint64_t *gpa,\n                              uint64_t *page_size);",
     "Translate a host address inside a registered region back to the guest physical address.",
     "0 on success, a negative errno on failure.",
     [("EINVAL", "ctx or gpa is NULL."), ("ENOENT", "hva is in no region.")],
     MT_CTX, ("seawall_region_gpa_to_hva",))

OUTCOME = """The outcome (out may be NULL) holds actions (SEAWALL_ACT_*), restart_reason, the gpa, the
start and size of its backing page, the guest EL (0, 1, or -1 when unknown), the page's hit count, and
a reason string when the error was unattributed or an action failed. Since 0.2 actions is split in two
members: done, what the library did (isolated, journaled, notified, injected into vcpu_fd,
SEAWALL_ACT_HOST_OFFLINED, SEAWALL_ACT_NOT_ISOLATABLE, ...), and requests, what the VMM must do itself:
SEAWALL_ACT_INJECT_DABT or SEAWALL_ACT_INJECT_IABT when the library did not put the abort into a vCPU (no
vcpu_fd was given, or the call never injects), and SEAWALL_ACT_RESTART when the VM should be restarted
(restart_reason says why; the VMM then calls seawall_ctx_reset(3) as it resets the VM). actions stays their
union, as in 0.1. The reserved members are zeroed. A program built against 0.1's smaller struct gets
the 0.1 members only (its calls bind to the LIBSEAWALL_0.1 versions). Events go to the context's
event callback after the context lock is released."""

page("seawall_ctx_handle_sea", HDR_CTX,
     "int seawall_ctx_handle_sea(struct seawall_ctx *ctx, const struct seawall_kvm_arm_sea *raw,\n                           const struct seawall_vcpu_state *vs,\n                           struct seawall_outcome *out);",
     """Run the pipeline on one KVM_EXIT_ARM_SEA given as its four raw words: decode, map gpa to its
region and backing page, record it in the ledger, decide (policy), isolate and queue a notice for a new
page, append to the journal (and fdatasync unless disabled), and emit events. vs, when valid, holds the
vCPU PSTATE so that the guest EL is known. Isolating a new page changes memslots between
memslot_ops->pause and ->resume (see seawall_ctx_new(3)). This function does not touch the vCPU: SEAWALL_ACT_INJECT_DABT
or SEAWALL_ACT_INJECT_IABT in the result tell the VMM what to inject (see seawall_vcpu_inject_dabt(3),
seawall_vcpu_inject_abort(3)). A malformed exit, a gpa outside every region, or an exit without a gpa
(FnV, table walk) is recorded as unattributable: an event, SEAWALL_ACT_UNATTRIBUTED and a restart request.
""" + OUTCOME,
     "The action mask (>= 0) on success. -EINVAL for a malformed exit; out is still filled, the event emitted and a restart requested.",
     [("EINVAL", "ctx or raw is NULL, or the exit is malformed (see seawall_sea_decode(3)).")],
     MT_CTX, ("seawall_ctx_handle_sea_exit", "seawall_sea_decode", "seawall"))

page("seawall_ctx_handle_sea_exit", HDR_CTX,
     "int seawall_ctx_handle_sea_exit(struct seawall_ctx *ctx, int vcpu_fd,\n                                const struct kvm_run *run, struct seawall_outcome *out);",
     """Handle a KVM_EXIT_ARM_SEA straight from the vCPU's kvm_run: read PSTATE from vcpu_fd to learn the
guest EL, run seawall_ctx_handle_sea(3), then, when vcpu_fd >= 0, inject: a data abort with
KVM_SET_VCPU_EVENTS ext_dabt_pending, an instruction abort by emulating the exception entry with
KVM_SET_ONE_REG. A failed injection adds SEAWALL_ACT_INJECT_FAILED and a SEAWALL_EV_INJECT_FAILED event.
Pass vcpu_fd = -1 to decide without touching a vCPU. Call it from the vCPU thread after KVM_RUN returned,
before the next KVM_RUN. """ + OUTCOME,
     "The action mask (>= 0) on success, a negative errno on failure.",
     [("EINVAL", "ctx or run is NULL, or the exit is malformed (out is filled and a restart requested)."),
      ("ENOMSG", "run->exit_reason is not KVM_EXIT_ARM_SEA.")],
     MT_CTX + " Calls on different vCPU threads run one after the other.", ("seawall_ctx_handle_sea", "seawall_ctx_handle_fault_exit"))

page("seawall_ctx_handle_fault_exit", HDR_CTX,
     "int seawall_ctx_handle_fault_exit(struct seawall_ctx *ctx, int vcpu_fd,\n                                  const struct kvm_run *run, struct seawall_outcome *out);",
     """Check a KVM_EXIT_MMIO or KVM_EXIT_ARM_NISV exit against the ledger. With SEAWALL_ISOLATE_MEMSLOT_SPLIT an
isolated page is a hole in its memslot, so a guest access to it exits this way (with the default strategy it
arrives as SIGBUS instead, see seawall_ctx_handle_pending(3)); this function recognises the GPA and
re-raises the error as a data abort (source SEAWALL_SRC_FAULT), injected when vcpu_fd >= 0. When the
address is not a poisoned page it returns 0 and the VMM emulates the access as usual. """ + OUTCOME,
     "The action mask (> 0) when the exit was a poisoned page, 0 when it is not ours, a negative errno on failure.",
     [("EINVAL", "ctx or run is NULL."), ("ENOMSG", "the exit is neither KVM_EXIT_MMIO nor KVM_EXIT_ARM_NISV.")],
     MT_CTX, ("seawall_ctx_handle_sea_exit", "seawall_ctx_isolate"))

page("seawall_ctx_handle_test", HDR_CTX,
     "int seawall_ctx_handle_test(struct seawall_ctx *ctx, uint64_t gpa, struct seawall_outcome *out);",
     """Run the pipeline for a page declared bad by the VMM or a test (source SEAWALL_SRC_TEST): ledger,
isolation, notification, journal, events and the restart threshold, but never an injection. """ + OUTCOME,
     "The action mask (>= 0).", [("EINVAL", "ctx is NULL.")], MT_CTX, ("seawall_ctx_handle_sea",))

page("seawall_sigbus_record", HDR_CTX,
     "int seawall_sigbus_record(struct seawall_ctx *ctx, void *addr, int si_code, short lsb);",
     """Queue a SIGBUS BUS_MCEERR_AR or BUS_MCEERR_AO from inside the VMM's SIGBUS handler: pass
si_addr, si_code and si_addr_lsb. lsb is the log2 of the poisoned unit: 0 (unknown: the region's page), or
12 to 47; when it is larger than the page size the region was registered with, seawall_ctx_handle_pending(3)
records every page of the unit. The queue is a bounded lock-free ring sized by
sigbus_capacity; records from any number of threads and nested handlers are kept up to that capacity.
When it is full the record is counted, and the next seawall_ctx_handle_pending(3) reports the loss as a
SEAWALL_EV_SIGBUS_OVERFLOW event and requests a restart. The function never logs, allocates or locks,
and preserves errno. Since 0.2 it also tells apart where a BUS_MCEERR_AR was taken, once any thread of the
context has called seawall_vcpu_run_begin(3): on a vCPU thread between seawall_vcpu_run_begin(3) and
seawall_vcpu_run_end(3), that is inside KVM_RUN, the guest touched the page: the record is queued and 0 returned,
and seawall_ctx_handle_pending(3) after KVM_RUN handles it. Inside a checked copy of this context on the calling
thread (seawall_guest_read(3), seawall_guest_write(3)) it does not return: it jumps back into the copy with
siglongjmp(3), and the copy records the page and returns -EHWPOISON. Anywhere else a VMM thread touched guest
memory itself: the record is queued and SEAWALL_SIGBUS_FATAL returned; the handler must not return then, as the
faulting access would run again (and fault again), so it ends the process, or the thread, without touching that
memory (for example: write a message with write(2), then _exit(2) or abort(3)). A context whose threads never
call seawall_vcpu_run_begin(3) gets 0.1's answer, 0, for every record, and its handler must itself make sure a
BUS_MCEERR_AR taken on VMM code is not retried. The SIGBUS that MADV_HWPOISON sends to the thread that isolates a
page (SEAWALL_ISOLATE_HWPOISON, or the host offlining of seawall_ctx_new(3)) is recognised as the library's own:
nothing is queued, and SEAWALL_SIGBUS_OWN (2) is returned (0 to a context that never used
seawall_vcpu_run_begin(3)); the handler returns. That thread may be any thread that hands the library an error,
a vCPU's or the VMM's own (seawall_guest_write(3) records what it trips over, and isolates it).""",
     "0 when queued, SEAWALL_SIGBUS_OWN (2) for the library's own signal (return from the handler), SEAWALL_SIGBUS_FATAL (1) when queued and the handler must not return, a negative errno on failure; it does not return inside a checked copy.",
     [("EINVAL", "ctx is NULL, si_code is neither BUS_MCEERR_AR nor BUS_MCEERR_AO, or lsb is neither 0 nor 12..47."),
      ("ENOSPC", "the queue is full; the loss is counted.")],
     "Async-signal-safe and thread-safe: lock-free atomics and one gettid system call. Call it only from the SIGBUS handler (it may siglongjmp out of it).",
     ("seawall_ctx_handle_pending", "seawall_vcpu_run_begin", "seawall_guest_read", "sigaction"))

page("seawall_ctx_handle_pending", HDR_CTX,
     "int seawall_ctx_handle_pending(struct seawall_ctx *ctx, int vcpu_fd, struct seawall_outcome *out);",
     """Drain the SIGBUS queue: translate each host address to a guest address through the regions and run
the pipeline (source SEAWALL_SRC_SIGBUS_AR or _AO). A BUS_MCEERR_AR record taken on the calling thread
asks for a data abort, injected into vcpu_fd when it is >= 0 (once, however many such records there were);
AR records of other threads are recorded but not injected here. BUS_MCEERR_AO records isolate and notify
without injecting. A record whose si_addr_lsb names a unit larger than its region's page stands for every page
of the unit in that region, each recorded and isolated (none injected but the one at the address); a unit of
more than 512 such pages requests a restart (SEAWALL_RESTART_LOST) instead. Records lost to overflow are
reported and request a restart. out, when not NULL,
gets the union of the actions (and of done and requests) and the last record's addresses. Call it after every
KVM_RUN returns, whatever the exit: with the default strategy (SEAWALL_ISOLATE_POISON) a guest access to an
isolated page arrives here, as a BUS_MCEERR_AR record, not as an exit. When requests has SEAWALL_ACT_RESTART,
restart the VM.""",
     "The number of records handled (>= 0), or a negative errno.",
     [("EINVAL", "ctx is NULL.")], MT_CTX, ("seawall_sigbus_record",))

page("seawall_vcpu_run_begin", HDR_CTX,
     "void seawall_vcpu_run_begin(struct seawall_ctx *ctx);\nvoid seawall_vcpu_run_end(struct seawall_ctx *ctx);",
     """Mark the calling vCPU thread as inside KVM_RUN for ctx: call seawall_vcpu_run_begin() right before each
ioctl(vcpu_fd, KVM_RUN, 0) and seawall_vcpu_run_end() right after it returns, before anything else. They are
the SIGBUS contract of 0.2: with them, seawall_sigbus_record(3) knows a BUS_MCEERR_AR taken inside KVM_RUN (the
guest touched a bad page: queued, handled by seawall_ctx_handle_pending(3) after KVM_RUN returns) from one a
VMM thread took touching guest memory itself outside a checked copy (seawall_guest_read(3)), for which it
returns SEAWALL_SIGBUS_FATAL: the handler must not return. Once any thread has called
seawall_vcpu_run_begin() on a context, every thread that runs a vCPU of that context must bracket every
KVM_RUN, or its guest's errors are taken for the VMM's. A context on which it is never called keeps 0.1's
behaviour: every record is queued and 0 returned. The mark is per thread (thread-local storage, initial-exec,
so a signal handler may read it); a NULL ctx does nothing.""",
     "None.", [],
     "Thread-safe (each thread marks itself only) and async-signal-safe: no lock, no allocation, no system call.",
     ("seawall_sigbus_record", "seawall_ctx_handle_pending", "seawall_guest_read", "seawall"))

page("seawall_guest_read", HDR_CTX,
     "int seawall_guest_read(struct seawall_ctx *ctx, uint64_t gpa, void *buf, size_t len);\nint seawall_guest_write(struct seawall_ctx *ctx, uint64_t gpa, const void *buf, size_t len);",
     """Copy len bytes of guest memory at gpa into buf (seawall_guest_read) or from buf into guest memory
(seawall_guest_write), for a VMM thread that touches guest memory itself: device emulation, virtio queues,
migration. The range must lie inside one registered region that has a host address. The copy is checked twice:
first against the ledger, as seawall_ledger_check_range(3), so a page known bad is never touched
(-EHWPOISON); then while it runs: should it take SIGBUS BUS_MCEERR_AR on a page not yet known bad, the VMM's
SIGBUS handler calls seawall_sigbus_record(3), which jumps back into the copy with siglongjmp(3) instead of
returning; the copy records the page like any other error (source SEAWALL_SRC_SIGBUS_AR: ledger, isolation,
journal, events) and returns -EHWPOISON. That second check needs the handler: without one, the SIGBUS kills
the process. On -EHWPOISON, buf (or guest memory) may hold part of the copy. len 0 copies nothing.""",
     "0 on success, a negative errno on failure.",
     [("EINVAL", "ctx is NULL, or buf is NULL with len > 0."),
      ("EFAULT", "[gpa, gpa + len) is not inside one registered region, or that region has no host address."),
      ("EHWPOISON", "the range touches a page the ledger knows bad, or the copy took SIGBUS BUS_MCEERR_AR (now recorded)."),
      ("EBUSY", "called from a signal handler that interrupted a checked copy on the same thread.")],
     "Thread-safe: the context lock is taken to find the region, not during the copy; each thread has its own copy state. Not async-signal-safe.",
     ("seawall_sigbus_record", "seawall_ledger_check_range", "seawall_vcpu_run_begin"))

page("seawall_mce_kill_early", HDR_CTX, "int seawall_mce_kill_early(void);",
     """Ask the kernel for early machine-check notification on the calling thread: prctl(PR_MCE_KILL,
PR_MCE_KILL_SET, PR_MCE_KILL_EARLY). When the host finds a page bad before anyone consumes it (a patrol scrub,
a corrected-error threshold, memory_failure() from another path), a thread in early mode gets SIGBUS
BUS_MCEERR_AO for the address at once, rather than only BUS_MCEERR_AR when it touches the page; the VMM's
handler passes it to seawall_sigbus_record(3) and the page is isolated and announced to the guest before the
guest reads it. The setting is inherited by the threads created afterwards: call it on the main thread before
creating the vCPU threads. The kernel sends the early signal to one thread of the process that has early mode
and maps the page, which need not be a vCPU thread: every thread that may receive it must have the SIGBUS
handler (it is per process) and seawall_ctx_handle_pending(3) drains the queue from any thread.""",
     "0 on success, a negative errno on failure.",
     [("EINVAL", "the kernel has no PR_MCE_KILL (built without CONFIG_MEMORY_FAILURE).")],
     "Thread-safe (it changes the calling thread only) and async-signal-safe (one prctl(2)).",
     ("seawall_sigbus_record", "prctl"))

page("seawall_version", HDR_CTX, "const char *seawall_version(void);",
     """Return the version of the libseawall actually loaded, as a string such as "0.2.0" (major.minor.patch).
A program built against one header may run with a later library of the same soname (libseawall.so.0):
SEAWALL_VERSION_MAJOR and SEAWALL_VERSION_MINOR say which header the program saw, seawall_version() which
library runs. Programs built against 0.1 keep working with 0.2: the calls whose structs grew keep their 0.1
versions (LIBSEAWALL_0.1), so their version of each struct is what they get.""",
     "A static string; never NULL.", [],
     MT_PURE, ())

page("seawall_ledger_lookup", HDR_CTX,
     "int seawall_ledger_lookup(struct seawall_ctx *ctx, uint64_t gpa, struct seawall_page *page);",
     """Find the ledger entry of the backing page that contains gpa and copy it to page (which may be NULL).
An entry holds the page's gpa, last gva, first and last time seen (CLOCK_REALTIME ns), last ESR, hit count,
union of actions, source of the first error, guest EL, log2 page size and SEAWALL_PAGE_* flags
(ISOLATED, REPLACED after a reset, NOTIFIED, ACKED). Lookup is O(1).""",
     "0 when found, a negative errno otherwise.",
     [("EINVAL", "ctx is NULL."), ("ENOENT", "no entry covers gpa.")],
     MT_CTX, ("seawall_ledger_foreach", "seawall_ledger_check_range"))

page("seawall_ledger_count", HDR_CTX, "int seawall_ledger_count(struct seawall_ctx *ctx);",
     "Return how many distinct pages the ledger holds, including pages replaced at a reset.",
     "The count (>= 0), or a negative errno.", [("EINVAL", "ctx is NULL.")], MT_CTX, ("seawall_ledger_lookup",))

page("seawall_ledger_foreach", HDR_CTX,
     "typedef int (*seawall_page_fn)(const struct seawall_page *page, void *arg);\n\nint seawall_ledger_foreach(struct seawall_ctx *ctx, seawall_page_fn fn, void *arg);",
     """Call fn for every ledger entry, in insertion order, on a snapshot taken under the lock; fn runs without
the lock and may call the library. A non-zero return from fn stops the walk and is returned.""",
     "The number of entries when fn returned 0 for all, fn's non-zero value otherwise, or a negative errno.",
     [("EINVAL", "ctx or fn is NULL."), ("ENOMEM", "no memory for the snapshot.")],
     MT_CTX, ("seawall_ledger_lookup",))

page("seawall_ledger_check_range", HDR_CTX,
     "int seawall_ledger_check_range(struct seawall_ctx *ctx, uint64_t gpa, uint64_t len);",
     """Tell whether [gpa, gpa + len) touches a poisoned page that has not been replaced. The VMM calls this
before any access of its own to guest memory (virtio queues, DMA, device emulation), so that it never
reads a bad page. A range may end at the top of the 64-bit space (gpa + len = 2^64). The cost is bounded by
the number of ledger entries, whatever the range: the smaller of a walk over the entries and a lookup per
page-aligned address of the range at each page size.""",
     "0 when the range is clean (or len is 0), -EHWPOISON when it touches a poisoned page, another negative errno on failure.",
     [("EINVAL", "ctx is NULL or gpa + len is past 2^64."), ("EHWPOISON", "the range touches a poisoned page.")],
     MT_CTX, ("seawall_ledger_lookup",))

page("seawall_memslot_split", HDR_CTX,
     "int seawall_memslot_split(const struct seawall_memslot *slot, uint64_t hole_gpa,\n                          uint64_t hole_size, uint32_t new_slot,\n                          struct seawall_memslot out[2]);",
     """Compute the memslots left when [hole_gpa, hole_gpa + hole_size) is cut out of slot. The left part keeps
slot's id; a right part takes new_slot when there is a left part, otherwise slot's id. Flags are kept and
host addresses follow the guest addresses. The context uses it when isolating; it is public so that a VMM
or a test can check the arithmetic.""",
     "The number of pieces written to out (0, 1 or 2), or a negative errno.",
     [("EINVAL", "an argument is NULL, the hole is empty or not 4 KiB aligned, or two pieces would share an id."),
      ("ERANGE", "the hole is not inside the slot.")],
     MT_PURE, ("seawall_ctx_isolate",))

page("seawall_ctx_isolate", HDR_CTX, "int seawall_ctx_isolate(struct seawall_ctx *ctx, uint64_t gpa);",
     """Isolate the backing page containing gpa with the context's strategy. Poison (the default): move the host
page into the quarantine (UFFDIO_MOVE for private anonymous 4 KiB pages, otherwise
mremap(MREMAP_MAYMOVE|MREMAP_FIXED) and a fresh placeholder at its address) and poison its address with
UFFDIO_POISON, so that a guest access makes KVM send SIGBUS BUS_MCEERR_AR to the
vCPU thread; no memslot changes, no vCPU needs pausing (seawall_ctx_new(3) says what each costs). Memslot split: cut it out of its
memslot (delete the slot with KVM_SET_USER_MEMORY_REGION or memslot_ops->set, add back the part before
the hole with the same id and the part after it with a spare id), then move the host page with
mremap(MREMAP_MAYMOVE|MREMAP_FIXED) into a PROT_NONE quarantine mapping so it is neither read nor freed,
and reserve its old address with a PROT_NONE mapping. With both, where the process has CAP_SYS_ADMIN and the
context was not made with SEAWALL_CTX_NO_HOST_OFFLINE, the quarantined page is also handed to the host's
memory_failure() with madvise(MADV_HWPOISON). Hwpoison: madvise(MADV_HWPOISON) in place. Isolating an
isolated page does nothing. While the slot is replaced, no other vCPU may be inside KVM_RUN, or it could
take its RAM access for an MMIO or NISV exit: the context brackets the change with memslot_ops->pause and
memslot_ops->resume (see seawall_ctx_new(3) for the contract), and without them the VMM must ensure it.
Every call that isolates a new page (seawall_ctx_handle_sea(3), seawall_ctx_handle_sea_exit(3),
seawall_ctx_handle_pending(3), seawall_ctx_handle_test(3), seawall_ctx_reisolate(3)) does the same.""",
     "0 on success, a negative errno on failure (also logged).",
     [("EINVAL", "ctx is NULL."), ("ENOENT", "gpa is in no region."),
      ("ENOSPC", "a split needs a spare memslot id and none is left."),
      ("EOPNOTSUPP", "the region is device memory (SEAWALL_REGION_DEVICE), or the kernel has no UFFDIO_POISON (before Linux 6.6)."),
      ("ENODATA", "hwpoison strategy and the region has no host address."),
      ("ENOMEM", "out of memory."),
      ("EPERM, EINVAL, EFAULT, ...", "from KVM_SET_USER_MEMORY_REGION, mremap(2), madvise(2) or userfaultfd(2) (which a seccomp filter or vm.unprivileged_userfaultfd may refuse)."),
      ("any", "the negative errno memslot_ops->pause returned; no memslot changed.")],
     MT_CTX + " memslot_ops->pause and ->resume run on the calling thread, with the context lock held.",
     ("seawall_ctx_reisolate", "seawall_ctx_reset", "seawall_memslot_split", "seawall_ctx_new"))

page("seawall_ctx_reisolate", HDR_CTX, "int seawall_ctx_reisolate(struct seawall_ctx *ctx);",
     """After seawall_ctx_new(3) reloaded a journal and the regions are registered, isolate every page that is
still bad (not replaced) and queue a notice for those the guest has not acknowledged. Call it before the
guest runs. Journal pages that no registered region holds at their page size (the VM's memory map changed)
are not isolated and do not count toward restart_after_pages: they stay in the ledger and in the journal,
are reported in one log line and in the seawall_journal_outside_pages metric, and make the return -ENOENT.""",
     "The number of pages isolated, or the first negative errno met (the other pages are still processed).",
     [("EINVAL", "ctx is NULL."), ("ENOENT", "a journal page matches no registered region."),
      ("ENOSPC, ENOMEM, ...", "as seawall_ctx_isolate(3).")],
     MT_CTX, ("seawall_ctx_isolate", "seawall_ctx_new"))

page("seawall_ctx_reset", HDR_CTX, "int seawall_ctx_reset(struct seawall_ctx *ctx);",
     """On VM reset: give fresh memory at every quarantined page's old host address: a page poisoned in place
(SEAWALL_ISOLATE_POISON, private anonymous 4 KiB) is zapped with MADV_DONTNEED, which drops the poison marker,
and the guest's next access gets a new zeroed page; a poisoned placeholder (SEAWALL_ISOLATE_POISON otherwise:
its registration with the userfaultfd goes with it) or a hole (MEMSLOT_SPLIT) is replaced by fresh anonymous memory (for a
file-backed region too: the file keeps its bad page, held by the quarantine, as punching it out would free it
to the host; the guest's new page there is private, no longer shared through the file), restore each split memslot to its original extent,
mark every ledger page SEAWALL_PAGE_REPLACED (journaled), empty the notification queue and restart the
distinct-page count. Each call counts as a restart performed (seawall_restarts_total, seawall_metrics_render(3)):
a VMM calls it when it resets the VM. The pages stay in the ledger, so seawall_poisoned_pages does not change. Quarantined host pages stay quarantined:
the bad pages are never mapped again, and the quarantine (with any page handed to memory_failure()) is kept for
the context's life. The guest's next error on such an address is a new error on a fresh page. With
MEMSLOT_SPLIT, when there is anything to give back, the memslot changes are bracketed by memslot_ops->pause and ->resume (seawall_ctx_new(3)), though a VMM
normally calls this with every vCPU stopped. The VMM re-initialises its vCPUs itself; note that
KVM_ARM_VCPU_INIT does not discard an exception KVM still holds pending for a vCPU (Linux 6.12 keeps an
injected ext_dabt_pending until the next KVM_RUN): complete it first with a KVM_RUN with
kvm_run.immediate_exit set, which returns EINTR without running the guest.""",
     "The number of pages given fresh memory, or the first negative errno met.",
     [("EINVAL", "ctx is NULL."), ("ENOMEM, EPERM, ...", "from mmap(2) or KVM_SET_USER_MEMORY_REGION."),
      ("EIO, ENOSPC, ...", "from the journal."),
      ("any", "the negative errno memslot_ops->pause returned; nothing was changed.")],
     MT_CTX, ("seawall_ctx_isolate", "seawall_ctx_new"))

page("seawall_notify_peek", HDR_CTX,
     "int seawall_notify_peek(struct seawall_ctx *ctx, struct seawall_notice *out, size_t max);",
     """Copy up to max unacknowledged notices (seq, gpa, size), oldest first, for the guest notification device.
A notice is queued when a page is first poisoned (unless SEAWALL_POLICY_NO_NOTIFY); when the queue is full
the page gets a SEAWALL_EV_NOTIFY_OVERFLOW event instead.""",
     "The number of pending notices (which may exceed max), or a negative errno.",
     [("EINVAL", "ctx is NULL, or out is NULL with max > 0.")], MT_CTX, ("seawall_notify_ack_gpa", "seawall_notify_ack_seq"))

page("seawall_notify_ack_gpa", HDR_CTX, "int seawall_notify_ack_gpa(struct seawall_ctx *ctx, uint64_t gpa);",
     "Acknowledge the pending notice whose page contains gpa; the ledger page is marked SEAWALL_PAGE_ACKED.",
     "0 on success, a negative errno on failure.",
     [("EINVAL", "ctx is NULL."), ("ENOENT", "no pending notice covers gpa.")], MT_CTX, ("seawall_notify_peek",))

page("seawall_notify_ack_seq", HDR_CTX, "int seawall_notify_ack_seq(struct seawall_ctx *ctx, uint64_t seq);",
     "Acknowledge every pending notice with a sequence number up to and including seq.",
     "The number of notices acknowledged (>= 0), or a negative errno.",
     [("EINVAL", "ctx is NULL."), ("ENOENT", "seq is 0 or was never issued.")], MT_CTX, ("seawall_notify_peek",))

page("seawall_journal_open", HDR_CTX,
     "struct seawall_journal *seawall_journal_open(const char *path, unsigned int flags);",
     """Open (creating it if needed, unless SEAWALL_JOURNAL_RDONLY) an append-only journal. Records are
fixed-layout, little-endian, with magic, length, type, sequence number and a CRC32C. Writers take an
exclusive flock(2). SEAWALL_JOURNAL_NOSYNC skips every fsync. An empty file, or one holding the start
of a header cut short, is (re)initialised when writable; any other file that is not a journal is refused
and left untouched. A symbolic link is refused (O_NOFOLLOW), so is anything but a regular file. Contexts open
their own journal from seawall_ctx_opts.journal_path (and compact it, see seawall_ctx_new(3)); this API is for tools.""",
     "A journal handle, or NULL with errno set.",
     [("EINVAL", "path is NULL, unknown flags, the file is not a regular file, or it is not a Seawall journal."),
      ("EBADMSG", "the header is damaged or of another version."),
      ("ENODATA", "read-only open of an empty file."),
      ("EBUSY", "another writer holds the journal."),
      ("ELOOP", "path is a symbolic link."),
      ("ENOMEM", "out of memory."), ("EACCES, ENOENT, EIO, ...", "from open(2), pread(2), pwrite(2), fsync(2).")],
     "Thread-safe for distinct handles; a handle must not be used by two threads at once. Not async-signal-safe.",
     ("seawall_journal_replay", "seawall_journal_append", "seawall_journal_close"))

page("seawall_journal_close", HDR_CTX, "void seawall_journal_close(struct seawall_journal *j);",
     "Close the journal and free the handle. NULL is ignored.", "None.", [],
     "Not async-signal-safe; the handle must not be in use by another thread.", ("seawall_journal_open",))

page("seawall_journal_replay", HDR_CTX,
     "int seawall_journal_replay(struct seawall_journal *j, seawall_page_fn fn, void *arg,\n                           struct seawall_journal_stats *st);",
     """Read the whole journal, through a fixed 64 KiB window whatever its size, and call fn (if not NULL) for each valid page record in file order; a later record
of the same page supersedes an earlier one. A record whose CRC matches but whose page is not one (a page_shift
outside 12..30, or a gpa not aligned to it) is damage, not a record, and so is a page record whose length is
not the page record's, or a record of a type this version does not know longer than 128 bytes: these are checked
before the CRC, so the work is linear in the file's size (at most 32 bytes checksummed per byte of file) whatever
it holds. After damage the replay resynchronises on the next valid record:
damage followed by a valid record counts as corruption (st->corrupt, st->corrupt_bytes), damage running to
the end of the file is a torn tail (st->torn_bytes), which the next append cuts off. st (may be NULL) also
gets the number of records, the offset past the last valid one and the last sequence number. A non-zero
return from fn stops the callbacks (the scan still completes).""",
     "The number of valid records, fn's negative return, or a negative errno.",
     [("EINVAL", "j is NULL."), ("ENOMEM", "no memory for the read window."), ("EIO", "read error.")],
     "Not async-signal-safe; the handle must not be used by another thread at the same time.",
     ("seawall_journal_open", "seawall_journal_append"))

page("seawall_journal_append", HDR_CTX,
     "int seawall_journal_append(struct seawall_journal *j, const struct seawall_page *page);",
     """Append one page record after the last valid record (scanning the file first if it was not replayed,
and cutting a torn tail), then fdatasync(2) unless the journal was opened with SEAWALL_JOURNAL_NOSYNC.""",
     "0 on success, a negative errno on failure.",
     [("EINVAL", "j or page is NULL, or page->page_shift is outside 12..30 or page->gpa is not aligned to it."),
      ("EBADF", "the journal is read-only."),
      ("EIO, ENOSPC, EDQUOT, ...", "from pwrite(2), ftruncate(2) or fdatasync(2).")],
     "Not async-signal-safe; the handle must not be used by another thread at the same time.",
     ("seawall_journal_sync",))

page("seawall_journal_sync", HDR_CTX, "int seawall_journal_sync(struct seawall_journal *j);",
     "fdatasync(2) the journal; a no-op for a read-only journal.",
     "0 on success, a negative errno on failure.",
     [("EINVAL", "j is NULL."), ("EIO, ENOSPC, ...", "from fdatasync(2).")],
     "Not async-signal-safe.", ("seawall_journal_append",))

page("seawall_ctx_get_stats", HDR_CTX, "int seawall_ctx_get_stats(struct seawall_ctx *ctx, struct seawall_stats *st);",
     """Copy the counters: events by source (events[], indexed by enum seawall_source; it has SEAWALL_SRC_SLOTS,
16, entries since 0.2, room for sources to come, the unused ones zero), poisoned pages since the last reset,
injections (done or asked of the VMM), isolations, SIGBUS records lost, restarts requested, rate-limited hits,
journal errors, unattributable errors, pending notices; since 0.2 also poisoned_total (pages found bad, a page
bad again after a reset counting again), restarts_done (seawall_ctx_reset(3) calls), events_dropped and
host_offlined (quarantined pages handed to the host's memory_failure(), see seawall_ctx_new(3)); the reserved
members are zeroed. 0.2 made events[] longer, which moved every later member: a program built against 0.1
binds to the LIBSEAWALL_0.1 version of this function, which fills 0.1's layout (seven events then the 0.1
counters).""",
     "0 on success, a negative errno on failure.", [("EINVAL", "ctx or st is NULL.")], MT_CTX, ("seawall_metrics_render",))

page("seawall_event_render_json", HDR_CTX,
     "int seawall_event_render_json(const struct seawall_event *ev, char *buf, size_t len);",
     """Render an event as one JSON object without a trailing newline (append one for JSON lines), in schema
SEAWALL_EVENT_SCHEMA (1), which docs/events.md describes member by member: "schema", "seq", "time" (RFC 3339,
UTC, nanoseconds, a string), "vm", "uuid", "message_id" (journald MESSAGE_ID of the type), "type", "source",
"gpa", "page_gpa", "page_size", "gva", "hva", "esr", "count", "guest_el", "actions", "restart_reason",
"error", "reason". Every member is there in every event, null when not known or not relevant (an address,
ESR, count, page size or error of 0, guest_el -1, source and restart reason none), so a reader needs no
per-type list; numbers stay below 2^53, addresses are hex strings, actions an array of names. The hva
member is there only when ev->hva is not 0, which a context gives only when asked
(seawall_ctx_opts.event_hva, seawall_ctx_new(3)). Schema 1 replaced 0.1's time_ns (epoch nanoseconds, a
number past 2^53) with time, and "none" and 0 for the unknown with null. Like snprintf(3), the output is truncated to len - 1 characters and
the full length is returned, so a NULL buf with len 0 sizes the buffer.""",
     "The length of the full rendering, or a negative errno.",
     [("EINVAL", "ev is NULL, buf is NULL with len > 0, or the event's type or source is unknown."),
      ("EOVERFLOW", "the length does not fit in an int.")], MT_PURE, ("seawall_metrics_render",))

page("seawall_metrics_render", HDR_CTX, "int seawall_metrics_render(struct seawall_ctx *ctx, char *buf, size_t len);",
     """Render the counters in the Prometheus text exposition format (0.0.4), each family with HELP and TYPE
lines; docs/metrics.md lists them. Every sample carries the context's identity first (vm="...", uuid="...",
from seawall_ctx_opts.vm_name and vm_uuid; none without them), label values escaped. Counters end in _total
and never go down while the context lives: seawall_events_total{source=...}, seawall_poisoned_pages_total
(pages found bad: new ones and replaced ones bad again; a context that loads a journal starts it at the
journal's distinct pages), seawall_injections_total, seawall_isolations_total,
seawall_sigbus_queue_overflows_total, seawall_restarts_requested_total, seawall_restarts_total (restarts
performed: seawall_ctx_reset(3) calls), seawall_rate_limited_total, seawall_events_dropped_total,
seawall_journal_errors_total, seawall_unattributable_total. Gauges: seawall_build_info{version} 1,
seawall_sea_exit_enabled (only when the VMM gave kvm_caps), seawall_poisoned_pages (pages in the ledger,
replaced ones too: what seawall status shows), seawall_poisoned_pages_since_reset (those that count toward
the restart threshold), seawall_notify_pending, seawall_journal_outside_pages (journaled bad pages no
registered region holds), seawall_last_event_timestamp_seconds (0 before the first event). Truncation and
return value as snprintf(3).""",
     "The length of the full rendering, or a negative errno.",
     [("EINVAL", "ctx is NULL, or buf is NULL with len > 0."), ("EOVERFLOW", "the length does not fit in an int.")],
     MT_CTX, ("seawall_metrics_write",))

page("seawall_metrics_write", HDR_CTX, "int seawall_metrics_write(struct seawall_ctx *ctx, const char *path);",
     """Write the metrics to path atomically, as node_exporter's textfile collector expects: a temporary file
next to it, made by mkstemp(3) (so never a file or link someone planted under a predictable name; mode 0644),
then rename(2), which replaces whatever is at path without following it. Point path into the collector's
directory with a .prom suffix, one file per VM (the collector reads *.prom only, so the temporary file, named
path.tmp.XXXXXX, is never read half written), and give each context its vm_name (seawall_ctx_new(3)): two
files with the same series and labels make the collector refuse one. Rewrite it periodically, so that its
age (node_textfile_mtime_seconds) shows a VMM that stopped updating it, and remove it when the VM stops.""",
     "0 on success, a negative errno on failure.",
     [("EINVAL", "ctx or path is NULL or path is empty."), ("ENOMEM", "out of memory."),
      ("EACCES, ENOSPC, EXDEV, ...", "from mkstemp(3), write(2), rename(2).")],
     MT_CTX, ("seawall_metrics_render",))

page("seawall_source_name", HDR_CTX, "const char *seawall_source_name(unsigned int source);",
     "Return the short name of an enum seawall_source value (\"sea\", \"sigbus_ar\", \"sigbus_ao\", \"test\", \"fault\", \"journal\", \"none\"), as used in metrics labels and JSON.",
     "A static string, or NULL for an unknown value.", [], MT_PURE, ("seawall_event_render_json",))

page("seawall_action_name", HDR_CTX, "const char *seawall_action_name(unsigned int bit);",
     """Since 0.2. Return the name of the SEAWALL_ACT_* flag 1u << bit as the JSON events and swvm's ledger
write it ("inject_dabt", "isolate", "host_offlined", "not_isolatable", ...). Iterate from bit 0 until NULL to
name every bit of an actions, done or requests mask, so a VMM or a tool never keeps its own list.""",
     "A static string, or NULL past the last known flag.", [], MT_PURE,
     ("seawall_page_flag_name", "seawall_event_render_json"))

page("seawall_page_flag_name", HDR_CTX, "const char *seawall_page_flag_name(unsigned int bit);",
     """Since 0.2. Return the name of the SEAWALL_PAGE_* flag 1u << bit of a ledger page (struct
seawall_page.flags): "isolated", "replaced", "notified", "acked", "host_offlined".""",
     "A static string, or NULL past the last known flag.", [], MT_PURE,
     ("seawall_action_name", "seawall_ledger_lookup"))

# raw layer
page("seawall_kvm_run_get_sea", HDR_KVM,
     "int seawall_kvm_run_get_sea(const struct kvm_run *run, struct seawall_kvm_arm_sea *raw);",
     """Copy kvm_run.arm_sea (flags, esr, gva, gpa) when the exit is KVM_EXIT_ARM_SEA (41). The layout is the
library's own copy, so it works with system headers that predate the exit.""",
     "0 on success, a negative errno on failure.",
     [("EINVAL", "run or raw is NULL."), ("ENOMSG", "exit_reason is not KVM_EXIT_ARM_SEA.")], MT_PURE,
     ("seawall_sea_decode",))

page("seawall_kvm_run_get_fault_gpa", HDR_KVM,
     "int seawall_kvm_run_get_fault_gpa(const struct kvm_run *run, uint64_t *gpa);",
     "Return the guest physical address of a KVM_EXIT_MMIO (mmio.phys_addr) or KVM_EXIT_ARM_NISV (arm_nisv.fault_ipa) exit.",
     "0 on success, a negative errno on failure.",
     [("EINVAL", "run or gpa is NULL."), ("ENOMSG", "the exit is neither MMIO nor NISV.")], MT_PURE,
     ("seawall_ctx_handle_fault_exit",))

page("seawall_sea_decode", HDR_KVM,
     "int seawall_sea_decode(const struct seawall_kvm_arm_sea *raw, unsigned int flags,\n                       struct seawall_sea *sea, const char **reason);",
     """Decode the ESR of a KVM_EXIT_ARM_SEA: kind (data or instruction abort), EC (0x20, 0x21, 0x24, 0x25) and
whether it was taken from a lower EL (for a guest exit to EL2 this is always so: read PSTATE for the guest
EL), FSC and its class (external abort 0x10, on a table walk 0x13-0x17 with level -1..3, parity/ECC 0x18,
parity/ECC on a walk 0x1b-0x1f with level -1..3), IL, FnV, EA, CM, WnR, SET (UER, UC, UEO) and the
validity of gva and gpa. With SEAWALL_SEA_DECODE_RAS in flags, SET bits 0b00 on FSC 0x10 mean UER;
otherwise they mean "not reported". Input the kernel never produces is rejected with a reason: unknown
flags bits, ESR bits outside the kernel's mask, an EC that is not an abort, an FSC that is not a
synchronous external abort, reserved SET 0b01, SET with an FSC other than 0x10, WnR or CM on an
instruction abort, FnV with a gva, a GPA_VALID gpa that is not page aligned, a gpa without GPA_VALID.""",
     "0 on success, -EINVAL with *reason (when reason is not NULL) pointing to a static string.",
     [("EINVAL", "raw or sea is NULL, unknown flags, or malformed input (see above).")], MT_PURE,
     ("seawall_sea_render", "seawall_ctx_handle_sea"))

page("seawall_sea_render", HDR_KVM,
     "int seawall_sea_render(const struct seawall_sea *sea, char *buf, size_t len);",
     "Render a decoded SEA as one line of text for logs. Truncation and return value as snprintf(3).",
     "The length of the full rendering, or a negative errno.",
     [("EINVAL", "sea is NULL or not decoded, or buf is NULL with len > 0."), ("EIO", "formatting failed.")], MT_PURE,
     ("seawall_sea_decode",))

page("seawall_kvm_check_cap", HDR_KVM, "int seawall_kvm_check_cap(int fd, unsigned int cap);",
     "KVM_CHECK_EXTENSION on fd (the /dev/kvm fd or, better, the VM fd). Feature detection is always done at run time.",
     "The extension's value (0 when absent, > 0 when present), or a negative errno.",
     [("EBADF", "fd is negative or not open."), ("ENOTTY", "fd is not a KVM fd.")], MT_IOCTL,
     ("seawall_kvm_probe", "seawall_kvm_enable_cap"))

page("seawall_kvm_enable_cap", HDR_KVM, "int seawall_kvm_enable_cap(int vm_fd, unsigned int cap);",
     "KVM_ENABLE_CAP on the VM fd with flags and args zero, e.g. SEAWALL_KVM_CAP_ARM_SEA_TO_USER (245) or SEAWALL_KVM_CAP_ARM_NISV_TO_USER (177). A capability enabled this way cannot be disabled.",
     "0 on success, a negative errno on failure.",
     [("EBADF", "vm_fd is negative or not open."), ("EINVAL", "the kernel does not know the capability or refuses it."),
      ("ENOTTY", "vm_fd is not a VM fd.")], MT_IOCTL, ("seawall_kvm_enable",))

page("seawall_kvm_probe", HDR_KVM, "int seawall_kvm_probe(int vm_fd);",
     "Check KVM_CAP_ARM_SEA_TO_USER (245), KVM_CAP_ARM_INJECT_EXT_DABT (178) and KVM_CAP_ARM_NISV_TO_USER (177) and return them as a mask of SEAWALL_KVM_HAS_*. Note that SEA_TO_USER reads as present even on hosts without FEAT_RAS, where the exit never happens.",
     "The mask (>= 0), or a negative errno.",
     [("EBADF", "vm_fd is negative or not open."), ("ENOTTY", "vm_fd is not a KVM fd.")], MT_IOCTL, ("seawall_kvm_enable",))

page("seawall_kvm_enable", HDR_KVM, "int seawall_kvm_enable(int vm_fd, unsigned int want);",
     "Enable, among the SEAWALL_KVM_HAS_* bits in want, those the kernel supports (SEA_TO_USER and NISV_TO_USER need enabling; INJECT_EXT_DABT is always on where present).",
     "The mask now in effect (>= 0), or a negative errno.",
     [("EBADF", "vm_fd is negative or not open."), ("EINVAL", "want has unknown bits, or KVM refused a capability."),
      ("ENOTTY", "vm_fd is not a KVM fd.")], MT_IOCTL, ("seawall_kvm_probe",))

page("seawall_pstate_guest_el", HDR_KVM, "int seawall_pstate_guest_el(uint64_t pstate);",
     "Return the exception level encoded in a PSTATE/SPSR value: AArch64 EL0t, EL1t/EL1h, EL2t/EL2h, or an AArch32 mode (usr is EL0, hyp is EL2, the others EL1).",
     "0, 1 or 2, or -EINVAL for a reserved mode encoding.",
     [("EINVAL", "reserved mode.")], MT_PURE, ("seawall_vcpu_get_pstate",))

page("seawall_vcpu_get_pstate", HDR_KVM, "int seawall_vcpu_get_pstate(int vcpu_fd, uint64_t *pstate);",
     "Read the vCPU's PSTATE (core register regs.pstate) with KVM_GET_ONE_REG, to tell guest EL0 from EL1 after an exit. Only on arm64 hosts.",
     "0 on success, a negative errno on failure.",
     [("EBADF", "vcpu_fd is negative or not open."), ("EINVAL", "pstate is NULL."),
      ("ENOTTY", "vcpu_fd is not a vCPU fd."), ("EOPNOTSUPP", "the library was built for a host other than arm64.")],
     MT_IOCTL, ("seawall_pstate_guest_el",))

page("seawall_exc_entry", HDR_KVM,
     "int seawall_exc_entry(const struct seawall_exc_in *in, struct seawall_exc_out *out);",
     """Compute the registers of a synchronous external abort taken to EL1h, as the Arm ARM defines exception
entry: vector offset 0x000 from EL1t, 0x200 from EL1h, 0x400 from EL0 in AArch64, 0x600 from EL0 in AArch32;
PC = VBAR_EL1 + offset; ESR_EL1 = EC (0x20/0x21 instruction, 0x24/0x25 data abort, lower/same EL) | IL | FSC
0x10, plus FnV with SEAWALL_EXC_FNV (then FAR_EL1 = 0); FAR_EL1 = in->far; ELR_EL1 = PC; SPSR_EL1 = old
PSTATE; new PSTATE keeps NZCV and DIT, keeps PAN and sets it when SCTLR_EL1.SPAN is 0, takes SSBS from
SCTLR_EL1.DSSBS, sets TCO with SEAWALL_EXC_MTE, clears UAO, SS, IL and BTYPE, masks D, A, I and F, and
selects EL1h. FEAT_NMI (ALLINT), FEAT_GCS and FEAT_EBEP state are not modelled.""",
     "0 on success, a negative errno on failure.",
     [("EINVAL", "an argument is NULL, unknown kind or flags, or a reserved mode in PSTATE."),
      ("EOPNOTSUPP", "the source is EL2 (nested virtualization) or an AArch32 mode other than usr.")], MT_PURE,
     ("seawall_vcpu_inject_abort",))

page("seawall_vcpu_inject_dabt", HDR_KVM, "int seawall_vcpu_inject_dabt(int vcpu_fd);",
     """Make KVM deliver a synchronous external data abort at the next KVM_RUN: KVM_SET_VCPU_EVENTS with
exception.ext_dabt_pending = 1 (KVM_CAP_ARM_INJECT_EXT_DABT). KVM chooses EC (same or lower EL), FSC 0x10 and
FAR = the FAR of the last exit; it never sets FnV. Only on arm64 hosts.""",
     "0 on success, a negative errno on failure.",
     [("EBADF", "vcpu_fd is negative or not open."), ("EINVAL", "KVM refused the event."),
      ("ENOTTY", "vcpu_fd is not a vCPU fd."), ("EOPNOTSUPP", "the library was built for a host other than arm64.")],
     MT_IOCTL, ("seawall_vcpu_inject_abort",))

page("seawall_vcpu_inject_abort", HDR_KVM,
     "int seawall_vcpu_inject_abort(int vcpu_fd, unsigned int kind, uint64_t far,\n                              unsigned int flags, struct seawall_exc_out *out);",
     """Deliver an instruction (SEAWALL_ABORT_INSN) or data (SEAWALL_ABORT_DATA) abort by emulating the exception
entry: read PSTATE, PC, VBAR_EL1 and SCTLR_EL1 with KVM_GET_ONE_REG, compute with seawall_exc_entry(3), write
ESR_EL1, FAR_EL1, ELR_EL1, SPSR_EL1, PSTATE and PC with KVM_SET_ONE_REG. KVM has no ext_iabt_pending, so this
is how instruction aborts are injected; the data form lets a test compare against KVM's own injection. out,
when not NULL, receives the registers written. Only on arm64 hosts. Not right after a KVM_EXIT_MMIO: KVM
completes the emulated access at the next KVM_RUN (it writes a load's destination register and steps PC past
the instruction, which is now the first instruction of the vector); complete it first with a KVM_RUN with
kvm_run.immediate_exit set, or use seawall_vcpu_inject_dabt(3), which KVM orders correctly.""",
     "0 on success, a negative errno on failure (registers may be partly written on an ioctl failure).",
     [("EBADF", "vcpu_fd is negative or not open."), ("EINVAL", "unknown kind or flags, or reserved PSTATE mode."),
      ("ENOTTY", "vcpu_fd is not a vCPU fd."),
      ("EOPNOTSUPP", "the vCPU is at EL2 or in an AArch32 mode other than usr, or the library was built for a host other than arm64."),
      ("ENOENT", "KVM does not know one of the registers.")], MT_IOCTL, ("seawall_exc_entry", "seawall_vcpu_inject_dabt"))

# The NAME line of each page: what whatis(1) and apropos(1) show, whole.
SUMMARY = {
    "seawall_ctx_new": "create the error-containment context of one VM",
    "seawall_ctx_free": "write the journal's pending state and free a context",
    "seawall_ctx_set_policy": "replace a context's policy (inject, isolate, notify, restart, rate limit)",
    "seawall_region_add": "register a guest memory region with a context",
    "seawall_region_gpa_to_hva": "translate a guest physical address to its host address",
    "seawall_region_hva_to_gpa": "translate a host address to its guest physical address",
    "seawall_ctx_handle_sea": "handle one KVM_EXIT_ARM_SEA given as its raw words",
    "seawall_ctx_handle_sea_exit": "handle a KVM_EXIT_ARM_SEA from kvm_run and inject the abort",
    "seawall_ctx_handle_fault_exit": "recognise an MMIO or NISV exit on an isolated page",
    "seawall_ctx_handle_test": "handle a page declared bad by the VMM or a test",
    "seawall_sigbus_record": "queue a SIGBUS BUS_MCEERR_AR or _AO from the VMM's signal handler",
    "seawall_ctx_handle_pending": "handle the queued SIGBUS records after KVM_RUN",
    "seawall_vcpu_run_begin": "mark a vCPU thread's KVM_RUN for the SIGBUS contract",
    "seawall_guest_read": "copy guest memory, checked against known and new bad pages",
    "seawall_mce_kill_early": "ask for early SIGBUS BUS_MCEERR_AO on the calling thread and its children",
    "seawall_version": "the version of the libseawall loaded",
    "seawall_ledger_lookup": "look up the ledger entry of a guest page",
    "seawall_ledger_count": "count the pages in the ledger",
    "seawall_ledger_foreach": "call a function for every ledger entry",
    "seawall_ledger_check_range": "tell whether a guest range touches a bad page",
    "seawall_memslot_split": "compute the memslots left when a hole is cut out of one",
    "seawall_ctx_isolate": "isolate the backing page of a guest address",
    "seawall_ctx_reisolate": "isolate again the bad pages a journal remembers",
    "seawall_ctx_reset": "give fresh memory at every isolated page when the VM resets",
    "seawall_notify_peek": "list the notices the guest agent has not acknowledged",
    "seawall_notify_ack_gpa": "acknowledge the notice of one guest page",
    "seawall_notify_ack_seq": "acknowledge every notice up to a sequence number",
    "seawall_journal_open": "open a Seawall journal file",
    "seawall_journal_close": "close a journal",
    "seawall_journal_replay": "read every valid record of a journal",
    "seawall_journal_append": "append one page record to a journal",
    "seawall_journal_sync": "flush a journal to stable storage",
    "seawall_ctx_get_stats": "copy a context's counters",
    "seawall_event_render_json": "render an event as one JSON object",
    "seawall_metrics_render": "render a context's metrics in the Prometheus text format",
    "seawall_metrics_write": "write a context's metrics file atomically",
    "seawall_source_name": "the short name of an error source",
    "seawall_action_name": "the name of an action flag",
    "seawall_page_flag_name": "the name of a ledger page flag",
    "seawall_kvm_run_get_sea": "read the raw words of a KVM_EXIT_ARM_SEA from kvm_run",
    "seawall_kvm_run_get_fault_gpa": "read the guest address of an MMIO or NISV exit from kvm_run",
    "seawall_sea_decode": "decode the ESR and addresses of a KVM_EXIT_ARM_SEA",
    "seawall_sea_render": "describe a decoded KVM_EXIT_ARM_SEA in one line",
    "seawall_kvm_check_cap": "query a KVM capability",
    "seawall_kvm_enable_cap": "enable a KVM capability on a VM",
    "seawall_kvm_probe": "probe the KVM capabilities Seawall uses",
    "seawall_kvm_enable": "enable the KVM capabilities Seawall uses",
    "seawall_pstate_guest_el": "the exception level in a PSTATE value",
    "seawall_vcpu_get_pstate": "read a vCPU's PSTATE",
    "seawall_exc_entry": "compute the registers of a synchronous external abort's entry to EL1",
    "seawall_vcpu_inject_dabt": "make KVM deliver a synchronous external data abort",
    "seawall_vcpu_inject_abort": "deliver an instruction or data abort by emulating the exception entry",
}

# Pages that document two calls: the second name is a .so link to the first.
LINKS = {"seawall_vcpu_run_end": "seawall_vcpu_run_begin", "seawall_guest_write": "seawall_guest_read"}


def esc(s):
    out = []
    for line in s.split("\n"):
        line = line.replace("\\", "\\e")
        if line.startswith(".") or line.startswith("'"):
            line = "\\&" + line
        out.append(line)
    return "\n".join(out)


for (name, hdr, proto, desc, ret, errors, mt, see) in P:
    lines = [
        '.\\" SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause',
        '.\\" Copyright (C) 2026 The Seawall authors',
        '.\\" Generated by man/man3/gen.py; edit there.',
        '.TH %s 3 %s "%s" "libseawall Manual"' % (name, DATE, VERSION),
        ".SH NAME",
    ]
    # NAME: every function the page documents, and its summary, whole (whatis(1)).
    names = [name] + [k for (k, v) in LINKS.items() if v == name]
    lines.append("%s \\- %s" % (", ".join(names), esc(SUMMARY[name])))
    lines += [".SH LIBRARY", "libseawall (\\fI\\-lseawall\\fP)", ".SH SYNOPSIS", ".nf",
              ".B %s" % hdr, ".PP", esc(proto), ".fi", ".SH DESCRIPTION", esc(" ".join(desc.split("\n"))),
              ".SS Thread and signal safety", esc(mt), ".SH RETURN VALUE", esc(ret), ".SH ERRORS"]
    if errors:
        for (e, why) in errors:
            lines += [".TP", ".B %s" % e, esc(why)]
    else:
        lines += ["None."]
    lines += [".SH SEE ALSO"]
    refs = ["\\fB%s\\fP(%s)" % (s, "7" if s == "seawall" else "2" if s in ("sigaction", "prctl") else "3") for s in see]
    if "seawall" not in see:
        refs.append("\\fBseawall\\fP(7)")
    lines.append(",\n".join(refs))
    with open(name + ".3", "w") as f:
        f.write("\n".join(lines) + "\n")
missing = [n for (n, *_rest) in P if n not in SUMMARY]
assert not missing, "no SUMMARY for %s" % missing
for (link, target) in LINKS.items():
    with open(link + ".3", "w") as f:
        f.write('.\\" SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause\n'
                '.\\" Copyright (C) 2026 The Seawall authors\n'
                '.\\" Generated by man/man3/gen.py; edit there.\n'
                ".so man3/%s.3\n" % target)
print(len(P), "pages,", len(LINKS), "links")
