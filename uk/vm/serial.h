/*
 * serial.h - the COM1 console (16550 UART at I/O port 0x3f8).
 */
#ifndef UK_VM_SERIAL_H
#define UK_VM_SERIAL_H

#include <stddef.h>

void	serial_init(void);
void	serial_write(const char *buf, size_t len);

#endif
