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

#endif
