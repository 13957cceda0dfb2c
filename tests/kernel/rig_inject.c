// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * The rig's own test control, sea_inject (kernel/test/, not part of the
 * series): the contract the other programs rely on.  A mark is listed when
 * the file is read, with its options (fnv, s2table, level=N, set=N, ea, cm,
 * apei), and goes away when cleared; malformed input (an unknown option,
 * set= or level= above 3) and a gpa
 * outside every memslot are -EINVAL, clearing an unmarked page is -ENOENT.
 * The file can be held open after the VM's process has exited, when KVM has
 * already dropped the VM's stage-2 tables: a mark is then -ENODEV, and the
 * L1 kernel log stays clean (rig/run fails the boot on a WARNING).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "kt.h"

static void run_contract(const struct kt_variant *v)
{
	uint64_t page = KT_TEST_PAGE(0), next = page + KT_BLOCK;
	uint64_t third = next + KT_BLOCK;
	char text[96], list[512];
	struct kt_vm vm;
	int e;

	(void)v;
	kt_vm_create(&vm, NULL);
	kt_require_sea_inject(&vm);

	kt_sea_inject_read(&vm, list, sizeof(list));
	KT_CHECK_EQ(strlen(list), 0, "bytes listed before any mark");

	kt_mark(&vm, page, 0);
	kt_mark(&vm, next, KT_SEA_FNV);
	kt_mark(&vm, third, KT_SEA_LEVEL(1) | KT_SEA_SET(2) | KT_SEA_EA |
		KT_SEA_CM | KT_SEA_APEI);
	kt_sea_inject_read(&vm, list, sizeof(list));
	snprintf(text, sizeof(text), "%#" PRIx64 " level=1 set=2 ea cm apei\n",
		 third);
	if (!strstr(list, text))
		kt_fail("the listing lacks \"%s\": \"%s\"", text, list);
	if (strstr(list, "apei_claims"))
		kt_fail("apei claims listed before any SEA: \"%s\"", list);
	snprintf(text, sizeof(text), "%#" PRIx64 " set=4\n", page);
	e = kt_sea_inject_write(&vm, text);
	KT_CHECK_EQ(e, -EINVAL, "set=4 (-EINVAL)");
	snprintf(text, sizeof(text), "%#" PRIx64 " level=4\n", page);
	e = kt_sea_inject_write(&vm, text);
	KT_CHECK_EQ(e, -EINVAL, "level=4 (-EINVAL)");
	snprintf(text, sizeof(text), "%#" PRIx64 " bogus\n", page);
	e = kt_sea_inject_write(&vm, text);
	KT_CHECK_EQ(e, -EINVAL, "an unknown option (-EINVAL)");
	snprintf(text, sizeof(text), "%#" PRIx64 "\n", page);
	if (!strstr(list, text))
		kt_fail("the listing lacks %#" PRIx64 ": \"%s\"", page, list);
	snprintf(text, sizeof(text), "%#" PRIx64 " fnv\n", next);
	if (!strstr(list, text))
		kt_fail("the listing lacks %#" PRIx64 " fnv: \"%s\"", next, list);

	snprintf(text, sizeof(text), "clear %#" PRIx64 "\n", page);
	e = kt_sea_inject_write(&vm, text);
	KT_CHECK_EQ(e, 0, "clear of a marked page");
	e = kt_sea_inject_write(&vm, text);
	KT_CHECK_EQ(e, -ENOENT, "clear of an unmarked page (-ENOENT)");
	e = kt_sea_inject_write(&vm, "not-a-number\n");
	KT_CHECK_EQ(e, -EINVAL, "malformed input (-EINVAL)");
	e = kt_sea_inject(&vm, KT_UCALL_GPA, 0);
	KT_CHECK_EQ(e, -EINVAL, "a gpa in no memslot (-EINVAL)");
	e = kt_sea_inject_write(&vm, "clear all\n");
	KT_CHECK_EQ(e, 0, "clear all");
	kt_sea_inject_read(&vm, list, sizeof(list));
	KT_CHECK_EQ(strlen(list), 0, "bytes listed after clear all");
	kt_vm_destroy(&vm);
}

/*
 * A child creates the VM and exits once the parent holds the VM's
 * sea_inject open: the child's mm goes, and with it the stage-2 tables,
 * while the open file keeps the VM itself alive.
 */
static void run_after_exit(const struct kt_variant *v)
{
	int to_parent[2], to_child[2], fd, status;
	char path[128], text[32], go = 'x';
	struct kt_vm vm;
	ssize_t n;
	pid_t pid;

	(void)v;
	if (pipe(to_parent) || pipe(to_child))
		kt_fail("pipe: %m");
	pid = fork();
	if (pid < 0)
		kt_fail("fork: %m");
	if (pid == 0) {
		char dir[96];

		close(to_parent[0]);
		close(to_child[1]);
		kt_vm_create(&vm, NULL);
		kt_require_sea_inject(&vm);
		kt_debugfs_dir(&vm, dir, sizeof(dir));
		snprintf(path, sizeof(path), "%s/sea_inject", dir);
		if (write(to_parent[1], path, strlen(path) + 1) < 0)
			_exit(1);
		if (read(to_child[0], &go, 1) != 1)
			_exit(1);
		/* Exit with the VM still open: exit_mm() tears stage 2 down. */
		_exit(0);
	}
	close(to_parent[1]);
	close(to_child[0]);
	n = read(to_parent[0], path, sizeof(path) - 1);
	if (n <= 0) {
		waitpid(pid, &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
			kt_skip("%s", "the child skipped (no sea_inject control)");
		kt_fail("the child gave no debugfs path (status %#x)", status);
	}
	path[n] = '\0';
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		kt_fail("open %s: %m", path);
	if (write(to_child[1], &go, 1) != 1)
		kt_fail("pipe write: %m");
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		kt_fail("the child did not exit cleanly (status %#x)", status);

	snprintf(text, sizeof(text), "%#" PRIx64 "\n", (uint64_t)KT_TEST_PAGE(0));
	n = write(fd, text, strlen(text));
	if (n >= 0)
		kt_fail("a mark after the VM's process exited was accepted "
			"(stage-2 tables gone)");
	KT_CHECK_EQ(-errno, -ENODEV,
		    "a mark after the VM's process exited (-ENODEV)");
	close(fd);
}

static const struct kt_variant variants[] = {
	{ .name = "mark-list-clear-errors", .run = run_contract,
	  .needs_inject = true },
	{ .name = "mark-after-owner-exit-enodev", .run = run_after_exit,
	  .needs_inject = true },
};

int main(void)
{
	static const struct kt_suite suite = {
		.name = "rig_inject",
		.variants = variants,
		.nr_variants = KT_ARRAY_SIZE(variants),
	};

	return kt_main(&suite);
}
