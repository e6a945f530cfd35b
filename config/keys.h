/* config/keys.h - setting one key of a section (internal to config/). */
#ifndef CONFIG_KEYS_H
#define CONFIG_KEYS_H

#include "config/config.h"

/* Return 0, -ENOENT for an unknown key, or another negative errno with
 * *why explaining the bad value. */
int	config_set_service_key(struct cfg_service *, const char *key,
	    const char *val, int line, const char **why);
int	config_set_daemon_key(struct cfg_daemon *, const char *key,
	    const char *val, int line, const char **why);
int	config_set_host_key(struct cfg_host *, const char *key, const char *val,
	    int line, const char **why);
/* Append a [host NAME]: its index, or -1 when out of memory. */
int	config_host_add(struct config *, const char *name, int line);

#endif
