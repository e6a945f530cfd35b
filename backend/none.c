/*
 * backend/none.c - `backend = none`: a plain DNS record. There is no
 * instance; a want makes it "running" at once so the state is honest
 * about there being nothing to wait for, and idle takes it back.
 */
#include <errno.h>

#include "service/service.h"

static int
none_start(struct service *s, char *why, size_t len)
{
	(void)why;
	(void)len;
	svc_on_ready(s);
	return 0;
}

static int
none_stop(struct service *s, bool force)
{
	(void)force;
	svc_on_exit(s, false, NULL);
	return 0;
}

static int
none_nop(struct service *s)
{
	(void)s;
	return 0;
}

const struct backend_ops backend_none = {
	.name = "none",
	.start = none_start,
	.stop = none_stop,
	.suspend = none_nop,
	.resume = none_nop,
};

const struct backend_ops *
backend_for(enum cfg_backend b)
{
	switch (b) {
	case BACKEND_EXEC:
		return &backend_exec;
	case BACKEND_QEMU:
		return &backend_qemu;
	case BACKEND_LIBVIRT:
		return &backend_libvirt;
	default:
		return &backend_none;
	}
}
