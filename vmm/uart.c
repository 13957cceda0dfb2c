// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * A 16550A as far as Linux's 8250 driver needs it: transmit is instant,
 * so THR is always empty; receive holds a small buffer.  The interrupt is
 * level-triggered: the line follows "IIR says something is pending".
 * The caller serialises accesses.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "swvm.h"

#define RBR 0	/* read, DLAB 0 */
#define THR 0	/* write, DLAB 0 */
#define IER 1
#define IIR 2	/* read */
#define FCR 2	/* write */
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define LCR_DLAB	0x80
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MCR_LOOP	0x10
#define MSR_DEFAULT	0xb0	/* DCD, DSR, CTS */

void swvm_uart_flush(struct swvm_uart *u)
{
	size_t off = 0;

	while (off < u->line_len) {
		ssize_t w = write(u->out_fd, u->line + off, u->line_len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	u->line_len = 0;
}

static uint8_t iir(const struct swvm_uart *u)
{
	uint8_t fifo = (u->fcr & 1) ? IIR_FIFO : 0;

	if ((u->ier & IER_RDI) && u->rx_len)
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thri_pending)
		return fifo | IIR_THRI;
	return fifo | IIR_NO_INT;
}

static void update_irq(struct swvm_uart *u)
{
	int level = !(iir(u) & IIR_NO_INT);

	if (level != u->irq_level) {
		u->irq_level = level;
		if (u->set_irq)
			u->set_irq(u->irq_arg, level);
	}
}

void swvm_uart_init(struct swvm_uart *u, int out_fd,
		    void (*set_irq)(void *, int), void *irq_arg)
{
	memset(u, 0, sizeof(*u));
	u->out_fd = out_fd;
	u->set_irq = set_irq;
	u->irq_arg = irq_arg;
	u->mcr = 0x08;	/* OUT2 */
}

static void tx(struct swvm_uart *u, uint8_t c)
{
	if (u->mcr & MCR_LOOP) {
		swvm_uart_rx(u, &c, 1);
		return;
	}
	if (c == '\r')
		return;		/* the guest writes CRLF; the log wants lines */
	u->line[u->line_len++] = (char)c;
	if (c == '\n' || u->line_len == sizeof(u->line))
		swvm_uart_flush(u);
}

uint8_t swvm_uart_read(struct swvm_uart *u, unsigned int off)
{
	uint8_t v = 0;

	switch (off) {
	case RBR:
		if (u->lcr & LCR_DLAB) {
			v = u->dll;
		} else if (u->rx_len) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % sizeof(u->rx);
			u->rx_len--;
		}
		break;
	case IER:
		v = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
		break;
	case IIR:
		v = iir(u);
		if ((v & 0x0f) == IIR_THRI)
			u->thri_pending = false;	/* reading IIR clears it */
		break;
	case LCR:
		v = u->lcr;
		break;
	case MCR:
		v = u->mcr;
		break;
	case LSR:
		v = LSR_THRE | LSR_TEMT | (u->rx_len ? LSR_DR : 0);
		break;
	case MSR:
		v = (u->mcr & MCR_LOOP) ? (uint8_t)((u->mcr & 0x0c) << 4 | (u->mcr & 0x03) << 4) :
					   MSR_DEFAULT;
		break;
	case SCR:
		v = u->scr;
		break;
	}
	update_irq(u);
	return v;
}

void swvm_uart_write(struct swvm_uart *u, unsigned int off, uint8_t val)
{
	switch (off) {
	case THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = val;
		} else {
			tx(u, val);
			u->thri_pending = true;	/* sent at once: empty again */
		}
		break;
	case IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
		} else {
			if ((val & IER_THRI) && !(u->ier & IER_THRI))
				u->thri_pending = true;
			/* The driver stops transmitting: a good moment to flush. */
			if (!(val & IER_THRI) && (u->ier & IER_THRI))
				swvm_uart_flush(u);
			u->ier = val & 0x0f;
		}
		break;
	case FCR:
		u->fcr = val;
		if (val & 0x02)
			u->rx_len = 0;
		break;
	case LCR:
		u->lcr = val;
		break;
	case MCR:
		u->mcr = val & 0x1f;
		break;
	case SCR:
		u->scr = val;
		break;
	}
	update_irq(u);
}

size_t swvm_uart_rx(struct swvm_uart *u, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	while (n < len && u->rx_len < sizeof(u->rx)) {
		u->rx[(u->rx_head + u->rx_len) % sizeof(u->rx)] = buf[n++];
		u->rx_len++;
	}
	update_irq(u);
	return n;
}
