// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * ctl-raw: send raw bytes to a swvm control socket and print the reply, to
 * test what the seawall CLI never sends (oversized, binary, silent
 * clients).
 *
 *   ctl-raw PATH line:TEXT    TEXT and a newline
 *   ctl-raw PATH big:N        N bytes of 'a', no newline
 *   ctl-raw PATH bin          256 bytes 0xff..0x00
 *   ctl-raw PATH silent       nothing (swvm must time out)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static char buf[65536];
	ssize_t n;
	int fd;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: ctl-raw PATH line:TEXT|big:N|bin|silent\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("ctl-raw: connect");
		return 1;
	}
	if (!strncmp(argv[2], "line:", 5)) {
		snprintf(buf, sizeof(buf), "%s\n", argv[2] + 5);
		send_all(fd, buf, strlen(buf));
	} else if (!strncmp(argv[2], "big:", 4)) {
		size_t k = strtoul(argv[2] + 4, NULL, 10);

		memset(buf, 'a', sizeof(buf));
		send_all(fd, buf, k < sizeof(buf) ? k : sizeof(buf));
	} else if (!strcmp(argv[2], "bin")) {
		for (int i = 0; i < 256; i++)
			buf[i] = (char)(255 - i);
		send_all(fd, buf, 256);
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}
