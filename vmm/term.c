// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * Console input: when stdin is a terminal, put it in raw mode (signals
 * kept, so ^C still stops swvm cleanly) and feed what is typed to the
 * UART.  Without a terminal the guest console is output only, so a
 * backgrounded swvm never competes for its shell's input.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vm.h"

static struct termios saved;
static bool raw;

static void term_restore(void)
{
	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	raw = false;
}

/* The terminal back as it was, from a signal handler about to _exit(). */
void term_restore_now(void)
{
	term_restore();		/* tcsetattr() is async-signal-safe */
}

static void *input_thread(void *arg)
{
	struct vm *vm = arg;
	uint8_t buf[64];
	sigset_t set;

	sigfillset(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_setname_np(pthread_self(), "swvm-input");
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		while (off < (size_t)n) {
			pthread_mutex_lock(&vm->dev_lock);
			off += swvm_uart_rx(&vm->uart, buf + off, (size_t)n - off);
			pthread_mutex_unlock(&vm->dev_lock);
			if (off < (size_t)n)
				usleep(10000);	/* the guest has not read the FIFO yet */
		}
	}
}

void term_start(struct vm *vm)
{
	struct termios t;
	pthread_t th;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) < 0)
		return;
	t = saved;
	cfmakeraw(&t);
	t.c_lflag |= ISIG;
	t.c_oflag |= OPOST | ONLCR;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0) {
		raw = true;
		atexit(term_restore);
	}
	if (pthread_create(&th, NULL, input_thread, vm) == 0)
		pthread_detach(th);
}
