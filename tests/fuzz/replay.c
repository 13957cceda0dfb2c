// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * Replays a corpus through one harness without libFuzzer, so that `make
 * check` runs every committed input under ASan+UBSan with any compiler.
 * Each input runs in a child of its own: a crash names its file and the
 * rest still run.
 *   usage: NAME DIR|FILE...
 * The last line is "NAME: N inputs, F failed"; exit 1 if F > 0.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

static int run_one(const char *path)
{
	struct stat sb;
	uint8_t *buf;
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &sb) < 0)
		return 2;
	buf = malloc(sb.st_size ? (size_t)sb.st_size : 1);
	if (!buf)
		return 2;
	while (off < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)sb.st_size - off);

		if (n <= 0)
			return 2;
		off += (size_t)n;
	}
	close(fd);
	/* Exactly the input's size, so a read past its end is caught. */
	LLVMFuzzerTestOneInput(off ? buf : NULL, off);
	free(buf);
	return 0;
}

static int run_child(const char *path, int *failed)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(run_one(path));
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		(*failed)++;
		if (WIFSIGNALED(st))
			printf("FAIL %s (signal %d)\n", path, WTERMSIG(st));
		else
			printf("FAIL %s (exit %d)\n", path, WEXITSTATUS(st));
	}
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	int total = 0, failed = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s NAME DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		struct dirent **ents;
		struct stat sb;
		int n;

		if (stat(argv[i], &sb) < 0) {
			printf("FAIL %s: %s\n", argv[i], strerror(errno));
			failed++;
			continue;
		}
		if (!S_ISDIR(sb.st_mode)) {
			total++;
			run_child(argv[i], &failed);
			continue;
		}
		n = scandir(argv[i], &ents, NULL, by_name);
		if (n < 0) {
			printf("FAIL %s: %s\n", argv[i], strerror(errno));
			failed++;
			continue;
		}
		for (int k = 0; k < n; k++) {
			char path[4096];

			if (ents[k]->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", argv[i], ents[k]->d_name);
				total++;
				run_child(path, &failed);
			}
			free(ents[k]);
		}
		free(ents);
	}
	printf("%s: %d inputs, %d failed\n", argv[1], total, failed);
	return failed ? 1 : 0;
}
