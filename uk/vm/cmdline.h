/*
 * cmdline.h - the kernel command line: the words the kernel consumes
 * (ip=ADDR/PREFIX, gw=ADDR, virtio_mmio.device=SIZE@BASE:IRQ) and the
 * rest, which become the app's argv.
 */
#ifndef UK_VM_CMDLINE_H
#define UK_VM_CMDLINE_H

#include <stdbool.h>
#include <stdint.h>

#define CMDLINE_MAX_ARGS	32
#define CMDLINE_MAX_DEVS	8

struct cmdline_dev {
	uint64_t	base;
	uint32_t	size;
	uint32_t	irq;		/* GSI */
};

struct cmdline {
	bool			have_addr;
	uint32_t		addr, netmask, gateway;
	int			ndev;
	struct cmdline_dev	dev[CMDLINE_MAX_DEVS];
	int			argc;
	char			*argv[CMDLINE_MAX_ARGS + 1];
};

/* Splits BUF in place (argv points into it). ARGV0 is the app's name.
 * Returns 0, or UK_EINVAL naming the bad word on the console. */
int	cmdline_parse(char *buf, const char *argv0, struct cmdline *cl);

#endif
