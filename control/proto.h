/*
 * control/proto.h - the control protocol between jitsud and jitsuctl.
 *
 * A unix SOCK_SEQPACKET socket: every message is one packet, so framing
 * is the kernel's, and every packet is checked on arrival (size, magic,
 * version, type, declared length = received length). A request is one
 * packet; the reply is zero or more RECORD packets and one END packet
 * carrying the status (0 or a negative errno) and an optional message.
 *
 * A record is text: "key=value" lines, one key per line, values without
 * newlines. Text keeps jitsuctl's table and JSON output, and scripts,
 * independent of struct layouts; new keys are ignored by old clients.
 */
#ifndef CONTROL_PROTO_H
#define CONTROL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define CTL_MAGIC	0x4a545355u	/* "JTSU" */
#define CTL_VERSION	1
#define CTL_MAX_MSG	16384		/* one packet, header included */
#define CTL_NAME_MAX	128

/* The one list of actions, shared by jitsud and jitsuctl. */
enum ctl_type {
	CTL_LIST = 1,
	CTL_STATUS,
	CTL_START,
	CTL_STOP,
	CTL_SUSPEND,
	CTL_RESUME,
	CTL_RELOAD,
	CTL_NREQUESTS,
	/* replies */
	CTL_RECORD = 100,
	CTL_END,
};

struct ctl_hdr {
	uint32_t	magic;
	uint16_t	version;
	uint16_t	type;
	int32_t		status;		/* END: 0 or -errno */
	uint32_t	len;		/* payload bytes after the header */
};

/* Build a packet in buf (CTL_MAX_MSG bytes); returns its length, or
 * -EMSGSIZE if payload does not fit. */
int	ctl_pack(uint8_t *buf, enum ctl_type, int32_t status,
	    const char *payload, size_t len);
/* Check a received packet; on success *payload points into buf. Returns
 * 0 or -EBADMSG. */
int	ctl_unpack(const uint8_t *buf, size_t n, struct ctl_hdr *h,
	    const char **payload);
/* A request's name: the payload, checked for length and characters. */
int	ctl_name_ok(const char *p, size_t len);
const char *ctl_type_name(enum ctl_type);
/* "start" -> CTL_START, or 0. */
enum ctl_type ctl_type_of(const char *verb);

/* Append "key=value\n" to a record buffer; values are cut at a newline.
 * Returns 0 or -ENOSPC (the record is left as it was). */
int	ctl_rec_add(char *rec, size_t cap, size_t *len, const char *key,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Iterate "key=value" lines: returns 1 with key/value set (NUL-terminated
 * copies in kbuf/vbuf), 0 at the end. */
int	ctl_rec_next(const char **p, const char *end, char *kbuf, size_t kcap,
	    char *vbuf, size_t vcap);

#endif
