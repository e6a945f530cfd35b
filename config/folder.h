/*
 * config/folder.h - the folders jitsud trusts: the state folder (its
 * instance records name pids to signal and folders to remove), the
 * control socket's folder (whoever may replace the socket answers the
 * operator) and the run folder (instances' roots, QEMU's sockets).
 * Each must be owned by root (or by jitsud's own uid) and writable by
 * nobody else, and so must every folder above it, except that a sticky
 * folder (/tmp) may be writable by all. A folder that does not exist
 * yet is made by jitsud itself (mode 0700 or 0711), so only the part of
 * the path that exists is checked.
 */
#ifndef CONFIG_FOLDER_H
#define CONFIG_FOLDER_H

#include "config/config.h"

/* Check state =, run = and control ='s folder of cfg; each bad one adds
 * a "FILE:LINE: ..." error. Returns the number of errors so far. Looks
 * at the file system, so it is not part of config_check. */
int	config_check_folders(struct config *);
/* Check one folder path; 0, or -1 with the reason in why. */
int	folder_check(const char *path, char *why, size_t whylen);

#endif
