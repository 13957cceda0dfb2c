// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * swvm's notify device (seawall,notify-v1) over a real libseawall context
 * fed test errors: identity registers, the oldest-first queue, ACK and
 * STATUS, odd widths and offsets; then the 16550's registers and its
 * interrupt line as the 8250 driver drives them.
 */
#include <string.h>
#include <unistd.h>

#include <seawall.h>

#include "../../vmm/notify.c"
#include "../../vmm/uart.c"
#include "tap.h"

#define RAM 0x40000000ULL

static uint32_t rd(struct swvm_notify *n, uint64_t off)
{
	return (uint32_t)swvm_notify_read(n, off, 4);
}

static void notify(void)
{
	SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE);
	SEAWALL_OPTS(seawall_region_opts, ro);
	struct swvm_notify n = { 0 };
	struct seawall_outcome out;
	uint32_t seq1, seq2;

	o.vm_fd = -1;
	o.strategy = SEAWALL_ISOLATE_NONE;
	n.ctx = seawall_ctx_new(&o);
	if (!tap_ok(n.ctx != NULL, "context"))
		return;
	ro.gpa = RAM;
	ro.size = 64 << 20;
	ro.page_size = 4096;
	ro.flags = SEAWALL_REGION_NO_SLOT;
	tap_ok(seawall_region_add(n.ctx, &ro) == 0, "region");

	tap_eq(rd(&n, 0x00), 0x544e5753, "MAGIC");
	tap_eq(rd(&n, 0x04), 1, "VERSION");
	tap_eq(rd(&n, 0x08), 0, "PENDING empty");
	tap_eq(rd(&n, 0x0c), 0, "TOTAL empty");
	tap_eq(rd(&n, 0x10) | rd(&n, 0x14) | rd(&n, 0x18) | rd(&n, 0x1c), 0, "no entry: zeros");

	seawall_ctx_handle_test(n.ctx, RAM + 0x123456, &out);
	seawall_ctx_handle_test(n.ctx, RAM + 0x2000000, &out);
	seawall_ctx_handle_test(n.ctx, RAM + 0x123000, &out);	/* same page again */
	tap_eq(rd(&n, 0x08), 2, "PENDING 2");
	tap_eq(rd(&n, 0x0c), 2, "TOTAL 2");
	tap_eq(rd(&n, 0x10), (uint32_t)(RAM + 0x123000), "GPA_LO oldest, page aligned");
	tap_eq(rd(&n, 0x14), 0, "GPA_HI");
	tap_eq(rd(&n, 0x18), 4096, "SIZE");
	seq1 = rd(&n, 0x1c);
	tap_ok(seq1 != 0, "SEQ non-zero");
	tap_eq(swvm_notify_read(&n, 0x10, 8), RAM + 0x123000, "64-bit read of GPA");
	tap_eq(swvm_notify_read(&n, 0x00, 1), 0x53, "byte read of MAGIC");
	tap_eq(swvm_notify_read(&n, 0x01, 2), 0x4e57, "unaligned halfword of MAGIC");
	tap_eq(rd(&n, 0x20), 0, "ACK reads 0");
	tap_eq(rd(&n, 0x28), 0, "hole reads 0");
	tap_eq(rd(&n, 0xffc), 0, "last word reads 0");
	tap_eq(swvm_notify_read(&n, 0xffe, 8), 0, "read past the end");

	swvm_notify_write(&n, 0x20, 1, seq1);
	tap_eq(rd(&n, 0x08), 2, "byte ACK ignored");
	swvm_notify_write(&n, 0x00, 4, 0);
	swvm_notify_write(&n, 0x24, 4, 1);
	tap_eq(rd(&n, 0x00), 0x544e5753, "writes to RO registers ignored");
	swvm_notify_write(&n, 0x20, 4, 999);
	tap_eq(rd(&n, 0x24), 0, "ACK of an unknown SEQ: STATUS 0");
	tap_eq(rd(&n, 0x08), 2, "still 2 pending");
	swvm_notify_write(&n, 0x20, 4, seq1);
	tap_eq(rd(&n, 0x24), 1, "ACK matched: STATUS 1");
	tap_eq(rd(&n, 0x08), 1, "PENDING 1");
	tap_eq(rd(&n, 0x10), (uint32_t)(RAM + 0x2000000), "next entry shows");
	seq2 = rd(&n, 0x1c);
	tap_ok(seq2 > seq1, "SEQ grows");
	swvm_notify_write(&n, 0x20, 4, seq1);
	tap_eq(rd(&n, 0x24), 0, "second ACK of the same SEQ: STATUS 0");
	swvm_notify_write(&n, 0x20, 8, seq2);
	tap_eq(rd(&n, 0x24), 1, "64-bit ACK");
	tap_eq(rd(&n, 0x08), 0, "queue empty");
	tap_eq(rd(&n, 0x0c), 2, "TOTAL keeps counting");
	tap_eq(rd(&n, 0x10), 0, "GPA 0 when empty");
	seawall_ctx_free(n.ctx);
}

static int irq_level = -1, irq_changes;

static void set_irq(void *arg, int level)
{
	(void)arg;
	irq_level = level;
	irq_changes++;
}

static void uart(void)
{
	struct swvm_uart u;
	int p[2];
	char buf[64];
	ssize_t n;

	if (pipe(p))
		return;
	swvm_uart_init(&u, p[1], set_irq, NULL);
	tap_eq(swvm_uart_read(&u, 5) & 0x60, 0x60, "LSR: THRE and TEMT");
	tap_eq(swvm_uart_read(&u, 2) & 0x0f, 1, "IIR: nothing pending");
	swvm_uart_write(&u, 7, 0xa5);
	tap_eq(swvm_uart_read(&u, 7), 0xa5, "scratch register");
	swvm_uart_write(&u, 3, 0x80);
	swvm_uart_write(&u, 0, 0x01);
	swvm_uart_write(&u, 1, 0x00);
	tap_eq(swvm_uart_read(&u, 0), 0x01, "DLL with DLAB");
	swvm_uart_write(&u, 3, 0x03);
	swvm_uart_write(&u, 1, 0x02);		/* IER.THRI */
	tap_eq(irq_level, 1, "enabling THRI raises the line");
	tap_eq(swvm_uart_read(&u, 2) & 0x0f, 2, "IIR: THRI");
	tap_eq(irq_level, 0, "reading IIR clears THRI");
	for (const char *s = "hi\r\nthere"; *s; s++)
		swvm_uart_write(&u, 0, (uint8_t)*s);
	tap_eq(irq_level, 1, "THR write: empty again, line up");
	n = read(p[0], buf, sizeof(buf));
	tap_ok(n == 3 && !memcmp(buf, "hi\n", 3), "a line reaches the fd, CR dropped");
	swvm_uart_write(&u, 1, 0x00);		/* driver stops tx: flushed */
	tap_eq(irq_level, 0, "line down with IER 0");
	n = read(p[0], buf, sizeof(buf));
	tap_ok(n == 5 && !memcmp(buf, "there", 5), "partial line flushed when tx stops");
	swvm_uart_write(&u, 1, 0x01);		/* IER.RDI */
	tap_eq(swvm_uart_rx(&u, (const uint8_t *)"ab", 2), 2, "rx queued");
	tap_eq(irq_level, 1, "rx raises the line");
	tap_eq(swvm_uart_read(&u, 5) & 1, 1, "LSR.DR");
	tap_eq(swvm_uart_read(&u, 2) & 0x0f, 4, "IIR: RDI");
	tap_eq(swvm_uart_read(&u, 0), 'a', "RBR a");
	tap_eq(swvm_uart_read(&u, 0), 'b', "RBR b");
	tap_eq(irq_level, 0, "drained: line down");
	swvm_uart_write(&u, 4, 0x10);		/* loopback */
	swvm_uart_write(&u, 0, 'z');
	tap_eq(swvm_uart_read(&u, 0), 'z', "loopback");
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	notify();
	uart();
	return tap_done();
}
