/*
 * net/conntrack_track.c - making the kernel track the flows of jitsud's
 * network namespace: an nf_tables rule that needs conntrack, loaded over
 * netlink (libmnl). Apart from net/conntrack.c, whose
 * libnetfilter_conntrack headers bring an older nfnetlink.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "net/conntrack.h"

static int		 track_err = 1;	/* 1: not tried yet */
static struct mnl_socket *track_nl;	/* owns the table */

/* Table jitsu-ct-PID, chain ct, rule "ct state". */
static struct nlmsghdr *
nft_msg(struct mnl_nlmsg_batch *b, uint16_t type, uint16_t flags,
    uint8_t family, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(mnl_nlmsg_batch_current(b));
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(type == NFNL_MSG_BATCH_BEGIN ||
	    type == NFNL_MSG_BATCH_END ? NFNL_SUBSYS_NFTABLES : 0);
	return nlh;
}

#define NFT(m)	((NFNL_SUBSYS_NFTABLES << 8) | (m))

static int
track_on(void)
{
	static char buf[4096];
	struct mnl_nlmsg_batch *b;
	struct nlmsghdr *nlh;
	struct nlattr *exprs, *elem, *data;
	char table[32];
	uint32_t seq = (uint32_t)time(NULL), portid;
	int acks, r = 0;
	ssize_t n;

	snprintf(table, sizeof(table), "jitsu-ct-%ld", (long)getpid());
	if ((track_nl = mnl_socket_open(NETLINK_NETFILTER)) == NULL)
		return -errno;
	if (mnl_socket_bind(track_nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto fail;
	}
	portid = mnl_socket_get_portid(track_nl);
	b = mnl_nlmsg_batch_start(buf, sizeof(buf));
	nft_msg(b, NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC, seq++);
	mnl_nlmsg_batch_next(b);

	/* Owned: the kernel removes it when this socket closes, so a
	 * jitsud that dies leaves nothing behind. */
	nlh = nft_msg(b, NFT(NFT_MSG_NEWTABLE), NLM_F_CREATE | NLM_F_ACK,
	    NFPROTO_INET, seq++);
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, table);
	mnl_attr_put_u32(nlh, NFTA_TABLE_FLAGS, htonl(NFT_TABLE_F_OWNER));
	mnl_nlmsg_batch_next(b);

	/* A chain no hook calls: the rule only has to exist. */
	nlh = nft_msg(b, NFT(NFT_MSG_NEWCHAIN), NLM_F_CREATE | NLM_F_ACK,
	    NFPROTO_INET, seq++);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "ct");
	mnl_nlmsg_batch_next(b);

	/* A ct expression takes a reference on the family's conntrack
	 * (nf_ct_netns_get): from then on the namespace's flows are
	 * tracked, IPv4 and IPv6 (inet). */
	nlh = nft_msg(b, NFT(NFT_MSG_NEWRULE), NLM_F_CREATE | NLM_F_APPEND |
	    NLM_F_ACK, NFPROTO_INET, seq++);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "ct");
	exprs = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, "ct");
	data = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	mnl_attr_put_u32(nlh, NFTA_CT_KEY, htonl(NFT_CT_STATE));
	mnl_attr_put_u32(nlh, NFTA_CT_DREG, htonl(NFT_REG_1));
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, elem);
	mnl_attr_nest_end(nlh, exprs);
	mnl_nlmsg_batch_next(b);

	nft_msg(b, NFNL_MSG_BATCH_END, 0, AF_UNSPEC, seq++);
	mnl_nlmsg_batch_next(b);

	if (mnl_socket_sendto(track_nl, mnl_nlmsg_batch_head(b),
	    mnl_nlmsg_batch_size(b)) < 0) {
		r = -errno;
		mnl_nlmsg_batch_stop(b);
		goto fail;
	}
	mnl_nlmsg_batch_stop(b);
	/* One ack per message (table, chain, rule), or the first error. */
	for (acks = 0; acks < 3; acks++) {
		if ((n = mnl_socket_recvfrom(track_nl, buf, sizeof(buf))) < 0) {
			r = -errno;
			goto fail;
		}
		if (mnl_cb_run(buf, (size_t)n, 0, portid, NULL, NULL) < 0) {
			r = -errno;
			goto fail;
		}
	}
	return 0;
fail:
	mnl_socket_close(track_nl);
	track_nl = NULL;
	return r;
}

int
net_ct_track(void)
{
	if (track_err == 1)
		track_err = track_on();
	return track_err;
}
