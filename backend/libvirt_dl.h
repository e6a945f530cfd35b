/* backend/libvirt_dl.h - loading libvirt on first use (libvirt_dl.c). */
#ifndef BACKEND_LIBVIRT_DL_H
#define BACKEND_LIBVIRT_DL_H

#include <stddef.h>

/* Load libvirt now; 0, or -1 with why. Safe from any thread. */
int	libvirt_dl_load(char *why, size_t len);

#endif
