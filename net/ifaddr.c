/*
 * net/ifaddr.c - service addresses outside loopback live on a dummy
 * interface that jitsud creates (rtnetlink through libmnl), or on lo
 * where the kernel has no dummy driver. Either makes the address local
 * without routing any traffic anywhere: connections to it land in the
 * held sockets.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include "net/net.h"

/* MNL_SOCKET_BUFFER_SIZE is computed at run time; 32 KiB holds any dump
 * batch the kernel sends. */
#define NL_BUF	32768

/* See net.h. */
int
net_rtnl_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[NL_BUF];
	struct mnl_socket *nl;
	unsigned portid;
	ssize_t n;
	int r;

	if ((nl = mnl_socket_open(NETLINK_ROUTE)) == NULL)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = (unsigned)time(NULL);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		r = -errno;
		goto out;
	}
	/* A reply, if any, comes before the ack that ends the exchange. */
	do {
		if ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) < 0) {
			r = -errno;
			goto out;
		}
		r = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, cb, data);
	} while (r > 0);
	r = r < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return r;
}

struct nlmsghdr *
net_link_msg(void *buf, int type, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

int
net_link_up(int ifindex)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = net_link_msg(buf, RTM_NEWLINK, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return net_rtnl_talk(nlh, NULL, NULL);
}

static int
dummy_ensure(void)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *li;
	unsigned idx;
	int r;

	if ((idx = if_nametoindex(NET_DUMMY_IF)) == 0) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_NEWLINK;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, NET_DUMMY_IF);
		li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "dummy");
		mnl_attr_nest_end(nlh, li);
		if ((r = net_rtnl_talk(nlh, NULL, NULL)) < 0 && r != -EEXIST)
			return r;
		if ((idx = if_nametoindex(NET_DUMMY_IF)) == 0)
			return -ENODEV;
	}
	if ((r = net_link_up((int)idx)) < 0)
		return r;
	return (int)idx;
}

static int
addr_msg(const struct cfg_addr *a, int type, int flags, int idx)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)a->family;
	ifa->ifa_prefixlen = a->family == AF_INET ? 32 : 128;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)idx;
	if (a->family == AF_INET) {
		mnl_attr_put(nlh, IFA_LOCAL, 4, &a->a.v4);
		mnl_attr_put(nlh, IFA_ADDRESS, 4, &a->a.v4);
	} else {
		mnl_attr_put(nlh, IFA_LOCAL, 16, &a->a.v6);
		mnl_attr_put(nlh, IFA_ADDRESS, 16, &a->a.v6);
	}
	if (a->family == AF_INET6)
		/* No duplicate address detection: the address must be
		 * bindable at once, and nobody else is on a dummy link. */
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	return net_rtnl_talk(nlh, NULL, NULL);
}

int
net_addr_ensure(const struct cfg_addr *a)
{
	int idx;

	if (net_addr_is_loopback(a))
		return 0;
	/* Kernels built without the dummy driver (CONFIG_DUMMY) refuse the
	 * link kind; lo carries any address just as well, only less
	 * visibly, so fall back to it. */
	if ((idx = dummy_ensure()) == -EOPNOTSUPP)
		idx = (int)if_nametoindex("lo");
	if (idx <= 0)
		return idx < 0 ? idx : -ENODEV;
	return net_ifaddr_add(a, idx);
}

int
net_ifaddr_add(const struct cfg_addr *a, int ifindex)
{
	int r = addr_msg(a, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex);

	return r == -EEXIST ? 0 : r;
}

int
net_addr_remove(const struct cfg_addr *a)
{
	unsigned idx;
	int r;

	if (net_addr_is_loopback(a))
		return 0;
	if ((idx = if_nametoindex(NET_DUMMY_IF)) == 0)
		idx = if_nametoindex("lo");
	r = addr_msg(a, RTM_DELADDR, 0, (int)idx);
	return r == -EADDRNOTAVAIL ? 0 : r;
}
