/*
 * net/tap.c - the host end of a VM's link: a tap with the gateway
 * address, a /32 route to the guest and a permanent neighbour entry for
 * it, all through rtnetlink (libmnl). No bridge: each VM is a point to
 * point link, and the host routes. See net.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/filter.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net.h"

#define NL_BUF	8192

/* A fresh interface sends IPv6 router solicitations and MLD reports;
 * queued in the tap they would be the guest's first frames and the
 * wake-ups of a stopped VM. Without IPv6 in the kernel there is nothing
 * to turn off. */
static int
ipv6_off(const char *ifname)
{
	char path[96];
	int fd, r = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
	    ifname);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -errno;
	if (write(fd, "1\n", 2) != 2)
		r = -errno;
	close(fd);
	return r;
}

/* replace: at adoption the route was ours and may still be; otherwise
 * an address already routed elsewhere is a conflict to report, not a
 * route to take over. */
/* RTM_NEWROUTE (create, or replace with replace) or RTM_DELROUTE for
 * dst/32 through ifindex. */
static int
route_msg(int type, int ifindex, const struct in_addr *dst,
    const struct in_addr *src, bool replace)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	if (type == RTM_NEWROUTE)
		nlh->nlmsg_flags |= NLM_F_CREATE |
		    (replace ? NLM_F_REPLACE : NLM_F_EXCL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 32;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, 4, dst);
	/* The host's own connections to the guest come from the gateway
	 * address, which the guest reaches through its gw= route. */
	if (src != NULL)
		mnl_attr_put(nlh, RTA_PREFSRC, 4, src);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return net_rtnl_talk(nlh, NULL, NULL);
}

static int
route_add(int ifindex, const struct in_addr *dst, const struct in_addr *src,
    bool replace)
{
	return route_msg(RTM_NEWROUTE, ifindex, dst, src, replace);
}

static int
neigh_add(int ifindex, const struct in_addr *ip, const uint8_t mac[6])
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *nd;

	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = NUD_PERMANENT;
	mnl_attr_put(nlh, NDA_DST, 4, ip);
	mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	return net_rtnl_talk(nlh, NULL, NULL);
}

static int
packet_open(struct net_tap *t)
{
	struct sock_filter prog[32];
	struct sock_fprog fp;
	int n, one = 1;

	/* Protocol 0: hooked to nothing until net_tap_watch binds it to
	 * ETH_P_ALL. The filter stays attached across those binds. */
	if ((t->pfd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return -errno;
	if ((n = net_frame_wake_filter(prog, 32)) < 0)
		return n;
	fp.len = (unsigned short)n;
	fp.filter = prog;
	if (setsockopt(t->pfd, SOL_SOCKET, SO_ATTACH_FILTER, &fp,
	    sizeof(fp)) == -1)
		return -errno;
	/* Frames we inject go straight to the tap's queue, in the order
	 * we send them, whatever qdisc the host gave the tap. */
	setsockopt(t->pfd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	t->watching = true;
	return net_tap_watch(t, false);
}

/* Everything around the queue t->fd holds, named name: made afresh, or
 * made again where missing when adopting (the address, the route and
 * the neighbour entry live as long as the tap, which an adopted QEMU
 * kept, so normally nothing is missing). */
static int
tap_setup(struct net_tap *t, const char *name, const struct in_addr *gw,
    const struct in_addr *guest, const uint8_t mac[6], bool adopt)
{
	struct cfg_addr ga = { .family = AF_INET };
	struct ifreq ifr;
	int r;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	if (adopt) {
		/* The descriptor we were given must be this very tap. */
		if (ioctl(t->fd, TUNGETIFF, &ifr) == -1)
			return -errno;
		if (strncmp(ifr.ifr_name, name, IFNAMSIZ) != 0 ||
		    (ifr.ifr_flags & (IFF_TAP | IFF_NO_PI | IFF_TUN)) !=
		    (IFF_TAP | IFF_NO_PI))
			return -ENODEV;
	} else {
		/* No IFF_VNET_HDR: the queue is shared with QEMU, and
		 * jitsud reads and writes plain frames on it. */
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
		if (ioctl(t->fd, TUNSETIFF, &ifr) == -1)
			return -errno;
	}
	memcpy(t->name, ifr.ifr_name, sizeof(t->name) - 1);
	if ((t->ifindex = (int)if_nametoindex(t->name)) == 0)
		return -ENODEV;
	if (ioctl(t->fd, SIOCGIFHWADDR, &ifr) == -1)
		return -errno;
	memcpy(t->mac, ifr.ifr_hwaddr.sa_data, 6);
	memcpy(t->guest_mac, mac, 6);
	t->gateway = *gw;
	t->guest = *guest;
	ga.a.v4 = *gw;
	if ((r = ipv6_off(t->name)) < 0 ||
	    (r = net_ifaddr_add(&ga, t->ifindex)) < 0 ||
	    (r = net_link_up(t->ifindex)) < 0 ||
	    (r = route_add(t->ifindex, guest, gw, adopt)) < 0 ||
	    (r = neigh_add(t->ifindex, guest, mac)) < 0 ||
	    (r = packet_open(t)) < 0)
		return r;
	return 0;
}

int
net_tap_open(struct net_tap *t, const char *name, const struct in_addr *gw,
    const struct in_addr *guest, const uint8_t mac[6])
{
	int r;

	memset(t, 0, sizeof(*t));
	t->fd = t->pfd = -1;
	if (strlen(name) >= IFNAMSIZ || strlen(name) >= sizeof(t->name))
		return -ENAMETOOLONG;
	if ((t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1)
		return -errno;
	if ((r = tap_setup(t, name, gw, guest, mac, false)) < 0)
		net_tap_close(t);
	return r;
}

int
net_tap_adopt(struct net_tap *t, int fd, const char *name,
    const struct in_addr *gw, const struct in_addr *guest,
    const uint8_t mac[6])
{
	int r;

	memset(t, 0, sizeof(*t));
	t->fd = fd;
	t->pfd = -1;
	if (strlen(name) >= IFNAMSIZ || strlen(name) >= sizeof(t->name))
		r = -ENAMETOOLONG;
	else
		r = tap_setup(t, name, gw, guest, mac, true);
	if (r < 0)
		net_tap_close(t);
	return r;
}

void
net_tap_close(struct net_tap *t)
{
	if (t->pfd != -1)
		close(t->pfd);
	/* The last descriptor takes the tap, its route and neighbour. */
	if (t->fd != -1)
		close(t->fd);
	t->fd = t->pfd = -1;
	t->watching = false;
}

/* --- a tap another process opens by name --- */

static int
link_set_mac(int ifindex, const uint8_t mac[6])
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = net_link_msg(buf, RTM_NEWLINK, ifindex);

	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	return net_rtnl_talk(nlh, NULL, NULL);
}

/* Persistent, so that it outlives our descriptor and waits, carrierless,
 * for the opener. EBUSY: it is there already and someone holds it (a
 * domain an earlier jitsud left running): nothing to make. */
static int
tap_persist(const char *name)
{
	struct ifreq ifr;
	int fd, r = 0;

	if ((fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)) == -1)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) == -1)
		r = errno == EBUSY ? 0 : -errno;
	else if (ioctl(fd, TUNSETPERSIST, 1) == -1)
		r = -errno;
	close(fd);
	return r;
}

int
net_tap_make_named(struct net_tap *t, const char *name,
    const struct in_addr *gw, const struct in_addr *guest,
    const uint8_t guest_mac[6])
{
	struct cfg_addr ga = { .family = AF_INET };
	struct ifreq ifr;
	int r;

	memset(t, 0, sizeof(*t));
	t->fd = t->pfd = -1;
	if (strlen(name) >= IFNAMSIZ || strlen(name) >= sizeof(t->name))
		return -ENAMETOOLONG;
	if ((r = tap_persist(name)) < 0)
		return r;
	memcpy(t->name, name, strlen(name) + 1);
	if ((t->ifindex = (int)if_nametoindex(name)) == 0)
		return -ENODEV;
	memcpy(t->guest_mac, guest_mac, 6);
	t->gateway = *gw;
	t->guest = *guest;
	ga.a.v4 = *gw;
	/* A route to the guest through it is left only by a jitsud that
	 * died with the guest reached here; the hold tap takes it back. */
	route_msg(RTM_DELROUTE, t->ifindex, guest, NULL, false);
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	if ((r = ipv6_off(t->name)) < 0 ||
	    (r = net_ifaddr_add(&ga, t->ifindex)) < 0 ||
	    (r = net_link_up(t->ifindex)) < 0 ||
	    (r = neigh_add(t->ifindex, guest, guest_mac)) < 0 ||
	    (r = packet_open(t)) < 0)
		goto fail;
	if (ioctl(t->pfd, SIOCGIFHWADDR, &ifr) == -1) {
		r = -errno;
		goto fail;
	}
	memcpy(t->mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
fail:
	net_tap_remove(t);
	return r;
}

int
net_tap_set_mac(struct net_tap *t, const uint8_t mac[6])
{
	int r;

	if ((r = link_set_mac(t->ifindex, mac)) == 0)
		memcpy(t->mac, mac, 6);
	return r;
}

int
net_tap_route(const struct net_tap *t)
{
	return route_add(t->ifindex, &t->guest, &t->gateway, true);
}

void
net_tap_remove(struct net_tap *t)
{
	char buf[NL_BUF];

	net_tap_close(t);
	if (t->ifindex <= 0)
		return;
	net_rtnl_talk(net_link_msg(buf, RTM_DELLINK, t->ifindex), NULL, NULL);
	t->ifindex = 0;
}

static int
stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;
	struct rtnl_link_stats64 st;

	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(a) != IFLA_STATS64 ||
		    mnl_attr_get_payload_len(a) < sizeof(st))
			continue;
		memcpy(&st, mnl_attr_get_payload(a), sizeof(st));
		*(uint64_t *)data = st.rx_packets + st.tx_packets;
	}
	return MNL_CB_OK;
}

int
net_tap_moved(const struct net_tap *t, uint64_t *last)
{
	uint64_t now = 0;
	int r;

	if ((r = net_tap_packets(t, &now)) < 0)
		return r;
	r = now != *last;
	*last = now;
	return r;
}

int
net_tap_packets(const struct net_tap *t, uint64_t *packets)
{
	char buf[NL_BUF];

	return net_rtnl_talk(net_link_msg(buf, RTM_GETLINK, t->ifindex),
	    stats_cb, packets);
}
