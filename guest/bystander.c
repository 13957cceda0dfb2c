// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * sw-bystander: a task that keeps working while a neighbour dies of a
 * memory error.  Every 200 ms it does a fixed amount of arithmetic and
 * prints the tick count (and a checksum that proves the work was done),
 * to stdout and, with --out, into a file a test can read twice.
 *
 *   sw-bystander [--out FILE] [--ticks N] [--period-ms MS] [--quiet]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PFX "sw-bystander: "

static uint64_t work(uint64_t x)
{
	/* xorshift64*, 100k rounds: a few ms of real CPU work */
	for (int i = 0; i < 100000; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
	}
	return x * 0x2545f4914f6cdd1dull;
}

static int write_file(const char *path, const char *s)
{
	char tmp[4096];
	int fd;
	size_t n = strlen(s);

	/* Written aside and renamed, so a reader never sees half a line. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, s, n) != (ssize_t)n) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return rename(tmp, path) ? -errno : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "ticks", required_argument, NULL, 't' },
		{ "period-ms", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	unsigned long ticks = 0, period = 200;
	int quiet = 0, c;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	char line[128];
	char *end;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 't':
		case 'p':
			errno = 0;
			if (*optarg == '-') {
				errno = EINVAL;
			} else {
				unsigned long v = strtoul(optarg, &end, 0);

				if (end == optarg || *end)
					errno = EINVAL;
				if (c == 't')
					ticks = v;
				else
					period = v;
			}
			if (errno || (c == 'p' && (period < 1 || period > 60000))) {
				fprintf(stderr, PFX "bad --%s\n", c == 't' ? "ticks" : "period-ms");
				return 2;
			}
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			puts("usage: sw-bystander [--out FILE] [--ticks N (0: forever)] [--period-ms MS] [--quiet]");
			return 0;
		default:
			fputs("usage: sw-bystander [--out FILE] [--ticks N] [--period-ms MS] [--quiet]\n", stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs("usage: sw-bystander [--out FILE] [--ticks N] [--period-ms MS] [--quiet]\n", stderr);
		return 2;
	}

	for (unsigned long n = 1; !ticks || n <= ticks; n++) {
		struct timespec ts = { (time_t)(period / 1000), (long)(period % 1000) * 1000000L };

		x = work(x);
		snprintf(line, sizeof(line), "%lu %016" PRIx64 "\n", n, x);
		if (!quiet)
			printf(PFX "%s", line);
		if (out && write_file(out, line))
			fprintf(stderr, PFX "cannot write %s\n", out);
		nanosleep(&ts, NULL);
	}
	return 0;
}
