/*
 * udpguard.c - the cgroup BPF programs of udpguard.h, assembled here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "sandbox/cgroup.h"
#include "sandbox/errmsg.h"
#include "sandbox/files.h"
#include "sandbox/udpguard.h"

#ifndef SO_COOKIE
#define SO_COOKIE	57
#endif

/* The map key: the socket's cookie, the peer's address (v4-mapped for
 * IPv4) and port, as the hooks see them (network order). */
struct peer_key {
	uint64_t	cookie;
	uint32_t	addr[4];
	uint32_t	port;
	uint32_t	pad;
};

#define INSN(c, d, s, o, i)	((struct bpf_insn){ .code = (c),	\
	.dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV_REG(d, s)		INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_IMM(d, i)		INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD_IMM(d, i)		INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define LDX_W(d, s, o)		INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define STX_W(d, s, o)		INSN(BPF_STX | BPF_MEM | BPF_W, d, s, o, 0)
#define STX_DW(d, s, o)		INSN(BPF_STX | BPF_MEM | BPF_DW, d, s, o, 0)
#define ST_W(d, o, i)		INSN(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define ST_DW(d, o, i)		INSN(BPF_ST | BPF_MEM | BPF_DW, d, 0, o, i)
#define CALL(f)			INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define JEQ_IMM(d, i, o)	INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define EXIT()			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

#define KEY	(-(int)sizeof(struct peer_key))		/* r10 + KEY */
#define VAL	(KEY - 8)				/* the peers value */
#define CTX(f)	((int16_t)offsetof(struct bpf_sock_addr, f))
#define MAXPROG	48

enum hook { RECV4, RECV6, SEND4, SEND6, NHOOKS };

static const enum bpf_attach_type attach_of[NHOOKS] = {
	BPF_CGROUP_UDP4_RECVMSG, BPF_CGROUP_UDP6_RECVMSG,
	BPF_CGROUP_UDP4_SENDMSG, BPF_CGROUP_UDP6_SENDMSG,
};

static long
bpf(int cmd, union bpf_attr *a)
{
	return syscall(SYS_bpf, cmd, a, sizeof(*a));
}

/* The two-instruction load of a map's address into register D. */
static int
ld_map(struct bpf_insn *p, int n, int d, int fd)
{
	p[n] = INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd);
	p[n + 1] = INSN(0, 0, 0, 0, 0);
	return n + 2;
}

/*
 * One program: r6 = ctx; the cookie at KEY; not in HELD -> allow. Then
 * the address and port complete the key; recvmsg remembers it and
 * allows (recvmsg programs must return 1), sendmsg allows it only when
 * remembered. Returns the instruction count.
 */
static int
assemble(struct bpf_insn *p, enum hook h, int held, int peers)
{
	bool v6 = h == RECV6 || h == SEND6, send = h >= SEND4;
	int n = 0, skip, i;

	p[n++] = MOV_REG(BPF_REG_6, BPF_REG_1);
	p[n++] = CALL(BPF_FUNC_get_socket_cookie);
	p[n++] = STX_DW(BPF_REG_10, BPF_REG_0, KEY);
	n = ld_map(p, n, BPF_REG_1, held);
	p[n++] = MOV_REG(BPF_REG_2, BPF_REG_10);
	p[n++] = ADD_IMM(BPF_REG_2, KEY);
	p[n++] = CALL(BPF_FUNC_map_lookup_elem);
	skip = n++;	/* if r0 == 0 goto allow: patched below */
	if (v6) {
		for (i = 0; i < 4; i++) {
			p[n++] = LDX_W(BPF_REG_0, BPF_REG_6,
			    CTX(user_ip6) + 4 * i);
			p[n++] = STX_W(BPF_REG_10, BPF_REG_0, KEY + 8 + 4 * i);
		}
	} else {
		p[n++] = ST_W(BPF_REG_10, KEY + 8, 0);
		p[n++] = ST_W(BPF_REG_10, KEY + 12, 0);
		/* ::ffff: in network order, read as a little-endian word */
		p[n++] = ST_W(BPF_REG_10, KEY + 16, (int32_t)htonl(0xffff));
		p[n++] = LDX_W(BPF_REG_0, BPF_REG_6, CTX(user_ip4));
		p[n++] = STX_W(BPF_REG_10, BPF_REG_0, KEY + 20);
	}
	p[n++] = LDX_W(BPF_REG_0, BPF_REG_6, CTX(user_port));
	p[n++] = STX_W(BPF_REG_10, BPF_REG_0, KEY + 24);
	p[n++] = ST_W(BPF_REG_10, KEY + 28, 0);
	n = ld_map(p, n, BPF_REG_1, peers);
	p[n++] = MOV_REG(BPF_REG_2, BPF_REG_10);
	p[n++] = ADD_IMM(BPF_REG_2, KEY);
	if (send) {
		p[n++] = CALL(BPF_FUNC_map_lookup_elem);
		p[n++] = JEQ_IMM(BPF_REG_0, 0, 2);	/* not a peer: deny */
	} else {
		p[n++] = ST_DW(BPF_REG_10, VAL, 0);
		p[n++] = MOV_REG(BPF_REG_3, BPF_REG_10);
		p[n++] = ADD_IMM(BPF_REG_3, VAL);
		p[n++] = MOV_IMM(BPF_REG_4, BPF_ANY);
		p[n++] = CALL(BPF_FUNC_map_update_elem);
	}
	p[skip] = JEQ_IMM(BPF_REG_0, 0, n - skip - 1);
	p[n++] = MOV_IMM(BPF_REG_0, 1);		/* allow */
	p[n++] = EXIT();
	if (send) {
		p[n++] = MOV_IMM(BPF_REG_0, 0);	/* deny: EPERM */
		p[n++] = EXIT();
	}
	return n;
}

static int
map_new(enum bpf_map_type type, unsigned ksize, unsigned vsize,
    unsigned max, const char *name)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = ksize;
	a.value_size = vsize;
	a.max_entries = max;
	strncpy(a.map_name, name, sizeof(a.map_name) - 1);
	fd = (int)bpf(BPF_MAP_CREATE, &a);
	return fd == -1 ? -errno : fd;
}

static int
prog_load(const struct bpf_insn *insns, int n, enum bpf_attach_type type,
    char *log, size_t loglen)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_SOCK_ADDR;
	a.expected_attach_type = type;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = (uint32_t)loglen;
	a.log_level = log != NULL ? 1 : 0;
	strncpy(a.prog_name, "jitsu_udpguard", sizeof(a.prog_name) - 1);
	fd = (int)bpf(BPF_PROG_LOAD, &a);
	return fd == -1 ? -errno : fd;
}

static int
link_new(int prog, int cgroup, enum bpf_attach_type type)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)prog;
	a.link_create.target_fd = (uint32_t)cgroup;
	a.link_create.attach_type = type;
	fd = (int)bpf(BPF_LINK_CREATE, &a);
	return fd == -1 ? -errno : fd;
}

/* jitsud's own cgroup v2 folder, open. */
static int
own_cgroup(char *err, size_t errlen)
{
	char mnt[4096], mroot[4096], own[4096], path[4096];
	char *cgtext = NULL, *mitext = NULL;
	int e, fd;

	if ((e = file_read_all("/proc/self/cgroup", &cgtext)) < 0 ||
	    (e = file_read_all("/proc/self/mountinfo", &mitext)) < 0) {
		e = errmsg(err, errlen, -e, "read /proc/self");
		goto out;
	}
	if (cg_mount_find(mitext, NULL, mnt, mroot, sizeof(mnt)) < 0) {
		e = errmsgx(err, errlen, ENOENT, "no cgroup2 mount");
		goto out;
	}
	if ((e = cg_proc_path(cgtext, NULL, own, sizeof(own))) < 0 ||
	    (e = cg_join(path, sizeof(path), mnt, mroot, own, ".", NULL)) < 0) {
		e = errmsg(err, errlen, -e, "own cgroup v2");
		goto out;
	}
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		e = errmsg(err, errlen, errno, "%s", path);
	else
		e = fd;
out:
	free(cgtext);
	free(mitext);
	return e;
}

/* A refused program, again with the verifier's log: its last line says
 * why. */
static int
load_error(const struct bpf_insn *prog, int n, enum hook h, int e, char *err,
    size_t errlen)
{
	static char vlog[16384];
	char *last, *end;
	int fd;

	vlog[0] = '\0';
	if ((fd = prog_load(prog, n, attach_of[h], vlog, sizeof(vlog))) >= 0)
		close(fd);
	end = vlog + strlen(vlog);
	while (end > vlog && end[-1] == '\n')
		*--end = '\0';
	last = strrchr(vlog, '\n');
	last = last != NULL ? last + 1 : vlog;
	return errmsg(err, errlen, e, "bpf program %d (%s)", (int)h, last);
}

int
udpguard_init(struct udpguard *g, char *err, size_t errlen)
{
	struct bpf_insn	prog[MAXPROG];
	int		cg, fd, h, n, e;

	memset(g, 0, sizeof(*g));
	g->held = g->peers = -1;
	for (h = 0; h < NHOOKS; h++)
		g->links[h] = -1;
	if ((cg = own_cgroup(err, errlen)) < 0)
		return cg;
	if ((e = g->held = map_new(BPF_MAP_TYPE_HASH, sizeof(uint64_t), 1,
	    UDPGUARD_SOCKETS, "jitsu_udp_held")) < 0 ||
	    (e = g->peers = map_new(BPF_MAP_TYPE_LRU_HASH,
	    sizeof(struct peer_key), sizeof(uint64_t), UDPGUARD_PEERS,
	    "jitsu_udp_peers")) < 0) {
		e = errmsg(err, errlen, -e, "bpf map");
		goto fail;
	}
	for (h = 0; h < NHOOKS; h++) {
		n = assemble(prog, h, g->held, g->peers);
		if ((fd = prog_load(prog, n, attach_of[h], NULL, 0)) < 0) {
			e = load_error(prog, n, h, -fd, err, errlen);
			goto fail;
		}
		g->links[h] = link_new(fd, cg, attach_of[h]);
		close(fd);	/* the link holds it */
		if (g->links[h] < 0) {
			e = errmsg(err, errlen, -g->links[h], "bpf link to "
			    "jitsud's cgroup");
			g->links[h] = -1;
			goto fail;
		}
	}
	close(cg);
	return 0;
fail:
	close(cg);
	udpguard_fini(g);
	return e;
}

void
udpguard_fini(struct udpguard *g)
{
	for (int h = 0; h < NHOOKS; h++) {
		if (g->links[h] >= 0)
			close(g->links[h]);
		g->links[h] = -1;
	}
	if (g->held >= 0)
		close(g->held);
	if (g->peers >= 0)
		close(g->peers);
	g->held = g->peers = -1;
}

int
udpguard_add(struct udpguard *g, int fd, uint64_t *cookie)
{
	union bpf_attr	a;
	socklen_t	len = sizeof(int);
	uint8_t		one = 1;
	int		type;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1)
		return -errno;
	if (type != SOCK_DGRAM)
		return 0;
	if (g->held < 0)
		return -EOPNOTSUPP;
	len = sizeof(*cookie);
	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, cookie, &len) == -1)
		return -errno;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)g->held;
	a.key = (uint64_t)(uintptr_t)cookie;
	a.value = (uint64_t)(uintptr_t)&one;
	a.flags = BPF_ANY;
	return bpf(BPF_MAP_UPDATE_ELEM, &a) == -1 ? -errno : 1;
}

void
udpguard_forget(struct udpguard *g, uint64_t cookie)
{
	union bpf_attr a;

	if (g->held < 0)
		return;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)g->held;
	a.key = (uint64_t)(uintptr_t)&cookie;
	bpf(BPF_MAP_DELETE_ELEM, &a);
}
