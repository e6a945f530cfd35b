/*
 * serial.c - COM1 output by polling, and uk_console_write on top of it.
 *
 * Polled transmit costs one port read per byte (a VM exit under KVM),
 * acceptable for a console that carries a few lines. With no UART
 * (isa-serial=off) the ports read 0xff, so "transmitter empty" looks set
 * and writes vanish instead of hanging.
 */
#include "uk/include/uk.h"
#include "uk/vm/cpu.h"
#include "uk/vm/serial.h"

#define COM1		0x3f8
#define UART_THR	0	/* transmit holding register */
#define UART_IER	1	/* interrupt enable */
#define UART_FCR	2	/* FIFO control */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */
#define LSR_THRE	0x20

void
serial_init(void)
{
	/* QEMU needs nothing; real 16550s want 8N1 and a divisor. */
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x80);		/* DLAB: divisor follows */
	outb(COM1 + 0, 1);			/* 115200 baud */
	outb(COM1 + 1, 0);
	outb(COM1 + UART_LCR, 0x03);		/* 8 bits, no parity, 1 stop */
	outb(COM1 + UART_FCR, 0x07);		/* FIFO on, cleared */
	outb(COM1 + UART_MCR, 0x03);		/* DTR, RTS */
}

void
serial_write(const char *buf, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		while ((inb(COM1 + UART_LSR) & LSR_THRE) == 0)
			;
		outb(COM1 + UART_THR, (uint8_t)buf[i]);
	}
}

void
uk_console_write(const char *buf, size_t len)
{
	serial_write(buf, len);
}
