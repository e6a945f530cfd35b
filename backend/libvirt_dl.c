/*
 * backend/libvirt_dl.c - libvirt, loaded only when a service uses it.
 *
 * Linking libvirt into jitsud costs every jitsud ~11 MiB of RSS (its 60
 * libraries' relocated data and constructors) and makes every clone of
 * the exec backend's start path copy a larger memory map (~0.3 ms
 * more). So jitsud does not link it: each libvirt call used by the
 * backend is defined here with libvirt's own prototype and forwards to
 * the real function, looked up in libvirt.so.0 (and libvirt-qemu.so.0)
 * on first use. Without the library, a call fails the way libvirt
 * reports failure (-1 or NULL) and virGetLastErrorMessage says why.
 */
#ifdef HAVE_LIBVIRT
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include "backend/libvirt_dl.h"

static void *lib, *libqemu;
static char lv_error[256] = "libvirt not loaded";
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
load(void)
{
	/* RTLD_NOW: a missing symbol shows now, not in a worker thread
	 * in the middle of a start. */
	if ((lib = dlopen("libvirt.so.0", RTLD_NOW | RTLD_GLOBAL)) == NULL ||
	    (libqemu = dlopen("libvirt-qemu.so.0", RTLD_NOW | RTLD_GLOBAL)) ==
	    NULL)
		snprintf(lv_error, sizeof(lv_error), "cannot load libvirt: %s "
		    "(Debian: apt-get install libvirt0)", dlerror());
}

int
libvirt_dl_load(char *why, size_t len)
{
	/* Worker threads call libvirt too: load exactly once. */
	pthread_once(&once, load);
	if (lib == NULL || libqemu == NULL) {
		snprintf(why, len, "%s", lv_error);
		return -1;
	}
	return 0;
}

static void *
sym(const char *name)
{
	void *p;

	pthread_once(&once, load);
	if (lib == NULL || libqemu == NULL)
		return NULL;
	if ((p = dlsym(RTLD_DEFAULT, name)) == NULL)
		snprintf(lv_error, sizeof(lv_error), "libvirt has no %s", name);
	return p;
}

/* ret name(params): forward to the library's name, or return fail. The
 * pointer is written once per function; a race writes the same value. */
#define LV(ret, name, params, args, fail)				\
ret name params								\
{									\
	static ret (*fp) params;					\
	if (fp == NULL && (fp = (ret (*) params)sym(#name)) == NULL)	\
		return fail;						\
	return fp args;							\
}

LV(int, virInitialize, (void), (), -1)
LV(int, virEventRegisterDefaultImpl, (void), (), -1)
LV(int, virEventRunDefaultImpl, (void), (), -1)
LV(int, virEventAddTimeout, (int timeout, virEventTimeoutCallback cb,
    void *opaque, virFreeCallback ff), (timeout, cb, opaque, ff), -1)
LV(int, virEventRemoveTimeout, (int timer), (timer), -1)
LV(virErrorPtr, virGetLastError, (void), (), NULL)
LV(virConnectPtr, virConnectOpen, (const char *name), (name), NULL)
LV(int, virConnectClose, (virConnectPtr c), (c), -1)
LV(char *, virConnectGetCapabilities, (virConnectPtr c), (c), NULL)
LV(int, virConnectSetKeepAlive, (virConnectPtr c, int interval,
    unsigned int count), (c, interval, count), -1)
LV(int, virConnectRegisterCloseCallback, (virConnectPtr c,
    virConnectCloseFunc cb, void *opaque, virFreeCallback freecb),
    (c, cb, opaque, freecb), -1)
LV(int, virConnectUnregisterCloseCallback, (virConnectPtr c,
    virConnectCloseFunc cb), (c, cb), -1)
LV(int, virConnectDomainEventRegisterAny, (virConnectPtr c, virDomainPtr dom,
    int eventID, virConnectDomainEventGenericCallback cb, void *opaque,
    virFreeCallback freecb), (c, dom, eventID, cb, opaque, freecb), -1)
LV(int, virConnectDomainEventDeregisterAny, (virConnectPtr c, int id),
    (c, id), -1)
LV(virDomainPtr, virDomainCreateXML, (virConnectPtr c, const char *xml,
    unsigned int flags), (c, xml, flags), NULL)
LV(virDomainPtr, virDomainDefineXML, (virConnectPtr c, const char *xml),
    (c, xml), NULL)
LV(char *, virDomainGetXMLDesc, (virDomainPtr d, unsigned int flags),
    (d, flags), NULL)
LV(int, virDomainUndefine, (virDomainPtr d), (d), -1)
LV(int, virDomainCreateWithFlags, (virDomainPtr d, unsigned int flags),
    (d, flags), -1)
LV(virDomainPtr, virDomainLookupByName, (virConnectPtr c, const char *name),
    (c, name), NULL)
LV(int, virDomainDestroy, (virDomainPtr d), (d), -1)
LV(int, virDomainFree, (virDomainPtr d), (d), -1)
LV(const char *, virDomainGetName, (virDomainPtr d), (d), NULL)
LV(int, virDomainGetState, (virDomainPtr d, int *state, int *reason,
    unsigned int flags), (d, state, reason, flags), -1)
LV(int, virDomainGetUUIDString, (virDomainPtr d, char *buf), (d, buf), -1)
LV(int, virDomainIsActive, (virDomainPtr d), (d), -1)
LV(int, virDomainOpenConsole, (virDomainPtr d, const char *dev,
    virStreamPtr st, unsigned int flags), (d, dev, st, flags), -1)
LV(int, virDomainQemuMonitorCommand, (virDomainPtr d, const char *cmd,
    char **result, unsigned int flags), (d, cmd, result, flags), -1)
LV(int, virDomainResume, (virDomainPtr d), (d), -1)
LV(int, virDomainShutdown, (virDomainPtr d), (d), -1)
LV(int, virDomainSuspend, (virDomainPtr d), (d), -1)
LV(virStreamPtr, virStreamNew, (virConnectPtr c, unsigned int flags),
    (c, flags), NULL)
LV(int, virStreamRecv, (virStreamPtr st, char *data, size_t n),
    (st, data, n), -1)
LV(int, virStreamEventAddCallback, (virStreamPtr st, int events,
    virStreamEventCallback cb, void *opaque, virFreeCallback ff),
    (st, events, cb, opaque, ff), -1)
LV(int, virStreamEventRemoveCallback, (virStreamPtr st), (st), -1)
LV(int, virStreamFinish, (virStreamPtr st), (st), -1)
LV(int, virStreamAbort, (virStreamPtr st), (st), -1)
LV(int, virStreamFree, (virStreamPtr st), (st), -1)

const char *
virGetLastErrorMessage(void)
{
	static const char *(*fp)(void);

	if (fp == NULL &&
	    (fp = (const char *(*)(void))sym("virGetLastErrorMessage")) == NULL)
		return lv_error;
	return fp();
}

void
virSetErrorFunc(void *userData, virErrorFunc handler)
{
	static void (*fp)(void *, virErrorFunc);

	if (fp == NULL &&
	    (fp = (void (*)(void *, virErrorFunc))sym("virSetErrorFunc")) == NULL)
		return;
	fp(userData, handler);
}
#endif
