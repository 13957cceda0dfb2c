// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * swvm command line.  No getopt: the parser is pure and unit-tested.  Also
 * how swvm opens the files its options name, and finds --control-group.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "swvm.h"

const char swvm_usage[] =
"usage: swvm --kernel IMAGE [options]\n"
"\n"
"  --kernel IMAGE        Linux arm64 Image to boot (required)\n"
"  --initrd FILE         initial ramdisk\n"
"  --cmdline STR         appended to \"" SWVM_DEFAULT_CMDLINE "\"\n"
"  --mem MiB             guest memory, 64..65536 (default 256)\n"
"  --cpus N              vCPUs, 1..4 (default 1)\n"
"  --control PATH        UNIX socket for the control protocol (mode 0600)\n"
"  --control-group GROUP  let GROUP use the control socket too (mode 0660)\n"
"  --allow-inject-test   serve the control socket's inject-test (test rigs only)\n"
"  --journal PATH        poisoned-page journal (reloaded at start)\n"
"  --events-log PATH     append every event as a JSON line (created 0600)\n"
"  --metrics PATH        Prometheus textfile: rewritten after events and every\n"
"                        --metrics-interval, removed when swvm exits\n"
"  --metrics-dir DIR     the same, as DIR/seawall-NAME.prom (needs --vm-name):\n"
"                        point it at node_exporter's textfile directory\n"
"  --metrics-interval S  seconds between rewrites, 0..86400 (0: on events only;\n"
"                        default 15)\n"
"  --vm-name NAME        the VM's name in metrics (vm=) and events: letters,\n"
"                        digits, '.', '_', '-', at most 64\n"
"  --vm-uuid UUID        the VM's UUID in metrics (uuid=) and events\n"
"  --restart-after N     restart the VM at N distinct bad pages (0: never; default 8)\n"
"  --no-restart-on-kernel  keep running when the guest kernel consumed an error\n"
"  --max-restarts N      give up (exit 3) after N restarts (default 8)\n"
"  --hugetlb             back guest memory with 2 MiB hugetlb pages\n"
"  --isolation KIND      how a bad page is kept from the guest: poison (default:\n"
"                        UFFDIO_POISON, no memslot change) or split (0.1's\n"
"                        memslot split, for comparison)\n"
"  --quiet               no informational messages (guest output still shown)\n"
"  --help                this text\n";

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_uint(const char *s, unsigned int lo, unsigned int hi, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

enum { A_NONE, A_STR, A_UINT };

struct opt {
	const char *name;
	int arg;
	unsigned int lo, hi;
};

static const struct opt opts[] = {
	{ "kernel", A_STR }, { "initrd", A_STR }, { "cmdline", A_STR },
	{ "mem", A_UINT, 64, 65536 }, { "cpus", A_UINT, 1, SWVM_MAX_CPUS },
	{ "control", A_STR }, { "journal", A_STR }, { "events-log", A_STR },
	{ "metrics", A_STR }, { "restart-after", A_UINT, 0, 1000000 },
	{ "no-restart-on-kernel", A_NONE }, { "max-restarts", A_UINT, 0, 1000000 },
	{ "quiet", A_NONE }, { "hugetlb", A_NONE }, { "help", A_NONE },
	{ "control-group", A_STR }, { "allow-inject-test", A_NONE },
	{ "vm-name", A_STR }, { "vm-uuid", A_STR }, { "metrics-dir", A_STR },
	{ "metrics-interval", A_UINT, 0, 86400 }, { "isolation", A_STR },
};

/* A name that is also safe in a file name: [A-Za-z0-9][A-Za-z0-9._-]*, 64 at most. */
static bool vm_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > SWVM_VM_NAME_MAX || s[0] == '.' || s[0] == '-' || s[0] == '_')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* 8-4-4-4-12 hex digits. */
static bool uuid_ok(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	}
	return true;
}

int swvm_parse_args(int argc, char *const argv[], struct swvm_opts *o,
		    char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->mem_mib = SWVM_DEFAULT_MEM_MIB;
	o->cpus = 1;
	o->max_restarts = SWVM_DEFAULT_MAX_RESTARTS;
	o->metrics_interval = SWVM_DEFAULT_METRICS_INTERVAL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *eq;
		const struct opt *op = NULL;
		size_t nlen;
		unsigned int u = 0;

		if (strncmp(a, "--", 2) || !a[2])
			return fail(err, errlen, "unexpected argument '%s' (options start with --)", a);
		a += 2;
		eq = strchr(a, '=');
		nlen = eq ? (size_t)(eq - a) : strlen(a);
		for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
			if (strlen(opts[k].name) == nlen && !strncmp(opts[k].name, a, nlen))
				op = &opts[k];
		if (!op)
			return fail(err, errlen, "unknown option '--%.*s'", (int)nlen, a);
		if (op->arg == A_NONE) {
			if (eq)
				return fail(err, errlen, "--%s takes no value", op->name);
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			return fail(err, errlen, "--%s needs a value", op->name);
		}
		if (op->arg == A_STR && !*val)
			return fail(err, errlen, "--%s: empty value", op->name);
		if (op->arg == A_UINT && parse_uint(val, op->lo, op->hi, &u))
			return fail(err, errlen, "--%s: '%s' is not a number in %u..%u",
				    op->name, val, op->lo, op->hi);

		if (!strcmp(op->name, "help"))
			return 1;
		else if (!strcmp(op->name, "kernel"))
			o->kernel = val;
		else if (!strcmp(op->name, "initrd"))
			o->initrd = val;
		else if (!strcmp(op->name, "cmdline"))
			o->cmdline = val;
		else if (!strcmp(op->name, "mem"))
			o->mem_mib = u;
		else if (!strcmp(op->name, "cpus"))
			o->cpus = u;
		else if (!strcmp(op->name, "control"))
			o->control = val;
		else if (!strcmp(op->name, "journal"))
			o->journal = val;
		else if (!strcmp(op->name, "events-log"))
			o->events_log = val;
		else if (!strcmp(op->name, "metrics"))
			o->metrics = val;
		else if (!strcmp(op->name, "restart-after")) {
			o->restart_after = u;
			o->restart_after_set = true;
		} else if (!strcmp(op->name, "no-restart-on-kernel"))
			o->no_restart_on_kernel = true;
		else if (!strcmp(op->name, "max-restarts"))
			o->max_restarts = u;
		else if (!strcmp(op->name, "quiet"))
			o->quiet = true;
		else if (!strcmp(op->name, "hugetlb"))
			o->hugetlb = true;
		else if (!strcmp(op->name, "isolation")) {
			if (!strcmp(val, "poison"))
				o->isolate_split = false;
			else if (!strcmp(val, "split"))
				o->isolate_split = true;
			else
				return fail(err, errlen, "--isolation: poison or split, not '%s'", val);
		}
		else if (!strcmp(op->name, "control-group"))
			o->control_group = val;
		else if (!strcmp(op->name, "allow-inject-test"))
			o->allow_inject_test = true;
		else if (!strcmp(op->name, "vm-name"))
			o->vm_name = val;
		else if (!strcmp(op->name, "vm-uuid"))
			o->vm_uuid = val;
		else if (!strcmp(op->name, "metrics-dir"))
			o->metrics_dir = val;
		else if (!strcmp(op->name, "metrics-interval"))
			o->metrics_interval = u;
	}
	if (o->vm_name && !vm_name_ok(o->vm_name))
		return fail(err, errlen, "--vm-name: '%s' is not letters, digits, '.', '_', '-' "
			    "(first a letter or digit, at most %d)", o->vm_name, SWVM_VM_NAME_MAX);
	if (o->vm_uuid && !uuid_ok(o->vm_uuid))
		return fail(err, errlen, "--vm-uuid: '%s' is not a UUID (8-4-4-4-12 hex digits)",
			    o->vm_uuid);
	if (o->metrics_dir) {
		if (o->metrics)
			return fail(err, errlen, "--metrics and --metrics-dir: give one");
		if (!o->vm_name)
			return fail(err, errlen, "--metrics-dir needs --vm-name (the file is "
				    "DIR/seawall-NAME.prom)");
		if ((size_t)snprintf(o->metrics_path, sizeof(o->metrics_path), "%s/seawall-%s.prom",
				     o->metrics_dir, o->vm_name) >= sizeof(o->metrics_path))
			return fail(err, errlen, "--metrics-dir: too long");
		o->metrics = o->metrics_path;
	}
	if (o->hugetlb && o->mem_mib % 2)
		return fail(err, errlen, "--hugetlb needs --mem in whole 2 MiB pages");
	if (!o->kernel)
		return fail(err, errlen, "--kernel IMAGE is required");
	if (o->control_group && !o->control)
		return fail(err, errlen, "--control-group needs --control PATH");
	if (o->cmdline && strlen(o->cmdline) + sizeof(SWVM_DEFAULT_CMDLINE) + 1 > 2048)
		return fail(err, errlen, "--cmdline: longer than the 2048 bytes the guest accepts");
	return 0;
}

int swvm_open_own(const char *path, int flags, mode_t mode, bool *created)
{
	/*
	 * O_NOFOLLOW: whoever can write the directory must not point the
	 * file swvm appends to at another (root's, say).  O_NONBLOCK: a FIFO
	 * planted there must not hang the open; it is refused below.
	 */
	int base = (flags & ~O_CREAT) | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	struct stat st;
	int fd = -1;

	*created = false;
	if (flags & O_CREAT) {
		fd = open(path, base | O_CREAT | O_EXCL, mode);
		if (fd >= 0)
			*created = true;
		else if (errno != EEXIST)
			return -errno;
	}
	if (fd < 0)
		fd = open(path, base);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (!(flags & O_NONBLOCK))
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int swvm_group_gid(const char *group_file, const char *name, gid_t *gid)
{
	char line[4096];
	unsigned int u;
	FILE *f;
	int r = -ENOENT;

	/* A number is a gid as it stands. */
	if (!parse_uint(name, 0, INT_MAX, &u)) {
		*gid = (gid_t)u;
		return 0;
	}
	/* Read by hand: getgrnam() in a static binary needs glibc's NSS modules. */
	f = fopen(group_file, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *pw, *id, *end;

		pw = strchr(line, ':');
		if (!pw)
			continue;
		*pw++ = 0;
		id = strchr(pw, ':');
		if (!id || strcmp(line, name))
			continue;
		id++;
		end = strchr(id, ':');
		if (end)
			*end = 0;
		if (!parse_uint(id, 0, INT_MAX, &u)) {
			*gid = (gid_t)u;
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}
