/* control/proto.c - see proto.h. Pure functions: no sockets here. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "control/proto.h"

static const char *const type_names[CTL_NREQUESTS] = {
	NULL, "list", "status", "start", "stop", "suspend", "resume", "reload"
};

const char *
ctl_type_name(enum ctl_type t)
{
	if (t > 0 && t < CTL_NREQUESTS)
		return type_names[t];
	if (t == CTL_RECORD)
		return "record";
	if (t == CTL_END)
		return "end";
	return "?";
}

enum ctl_type
ctl_type_of(const char *verb)
{
	for (int t = 1; t < CTL_NREQUESTS; t++)
		if (strcmp(verb, type_names[t]) == 0)
			return (enum ctl_type)t;
	return 0;
}

int
ctl_pack(uint8_t *buf, enum ctl_type type, int32_t status, const char *payload,
    size_t len)
{
	struct ctl_hdr h = {
		.magic = CTL_MAGIC, .version = CTL_VERSION,
		.type = (uint16_t)type, .status = status, .len = (uint32_t)len,
	};

	if (len > CTL_MAX_MSG - sizeof(h))
		return -EMSGSIZE;
	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), payload, len);
	return (int)(sizeof(h) + len);
}

int
ctl_unpack(const uint8_t *buf, size_t n, struct ctl_hdr *h,
    const char **payload)
{
	if (n < sizeof(*h) || n > CTL_MAX_MSG)
		return -EBADMSG;
	memcpy(h, buf, sizeof(*h));
	if (h->magic != CTL_MAGIC || h->version != CTL_VERSION ||
	    h->len != n - sizeof(*h))
		return -EBADMSG;
	if (!((h->type > 0 && h->type < CTL_NREQUESTS) ||
	    h->type == CTL_RECORD || h->type == CTL_END))
		return -EBADMSG;
	*payload = (const char *)buf + sizeof(*h);
	return 0;
}

int
ctl_name_ok(const char *p, size_t len)
{
	if (len == 0 || len > CTL_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)p[i] <= ' ' || p[i] == '=' ||
		    (unsigned char)p[i] == 0x7f)
			return 0;
	return 1;
}

int
ctl_rec_add(char *rec, size_t cap, size_t *len, const char *key,
    const char *fmt, ...)
{
	char val[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	val[strcspn(val, "\n")] = '\0';
	n = snprintf(rec + *len, cap - *len, "%s=%s\n", key, val);
	if (n < 0 || (size_t)n >= cap - *len) {
		rec[*len] = '\0';
		return -ENOSPC;
	}
	*len += (size_t)n;
	return 0;
}

int
ctl_rec_next(const char **pp, const char *end, char *kbuf, size_t kcap,
    char *vbuf, size_t vcap)
{
	const char *p = *pp, *nl, *eq;
	size_t kl, vl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		eq = memchr(p, '=', (size_t)(nl - p));
		if (eq == NULL) {	/* not a key=value line: skip it */
			p = nl + 1;
			continue;
		}
		kl = (size_t)(eq - p);
		vl = (size_t)(nl - eq - 1);
		if (kl >= kcap)
			kl = kcap - 1;
		if (vl >= vcap)
			vl = vcap - 1;
		memcpy(kbuf, p, kl);
		kbuf[kl] = '\0';
		memcpy(vbuf, eq + 1, vl);
		vbuf[vl] = '\0';
		*pp = nl < end ? nl + 1 : end;
		return 1;
	}
	*pp = end;
	return 0;
}
