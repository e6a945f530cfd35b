/*
 * config/values.h - parsers for the value types of config keys. Pure
 * functions over strings: they return 0 or a negative errno and, on
 * error, point *why at a static explanation for the FILE:LINE message.
 */
#ifndef CONFIG_VALUES_H
#define CONFIG_VALUES_H

#include <stddef.h>
#include <stdint.h>
#include "config/config.h"

/* "30s", "500ms", "2m", "1h", "0", a bare number is seconds. */
int	parse_duration_ms(const char *, uint64_t *ms, const char **why);
/* "64M", "1G", "512K", "4096" (bytes). */
int	parse_size(const char *, uint64_t *bytes, const char **why);
int	parse_uint(const char *, uint64_t max, uint64_t *out, const char **why);
int	parse_bool(const char *, bool *, const char **why);
/* "1.2.3.4", "::1", "[::1]"; port given must be absent. */
int	parse_ip(const char *, struct cfg_addr *, const char **why);
/* "1.2.3.4:53", "[::1]:53", or an address alone (then port = defport). */
int	parse_ip_port(const char *, uint16_t defport, struct cfg_addr *,
	    const char **why);
/* "tcp:80,tcp:443,udp:53" or "80" (tcp). Appends to ports. */
int	parse_ports(const char *, struct cfg_port *ports, int *nports, int max,
	    const char **why);
/* "10.98.0.0/16": an IPv4 network (host bits must be 0). */
int	parse_net(const char *, struct cfg_net *, const char **why);
/* "10.0.0.0/8", "fd00::/8", "::1" (a host): host bits must be 0. */
int	parse_cidr(const char *, struct cfg_cidr *, const char **why);
/* Index of s in the NULL-terminated list words, or -1. */
int	parse_word(const char *s, const char *const *words);
/* "127.0.0.1:53" or "[::1]:53" */
void	cfg_addr_format(const struct cfg_addr *, char *buf, size_t len);
/* Strips leading and trailing white space in place; returns s. */
char	*str_trim(char *s);

#endif
