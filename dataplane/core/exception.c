/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path: the host kernel's own traffic through the ports
 * sluice-dp owns.
 *
 * Design note
 * -----------
 * A port sluice-dp drives is gone from the kernel (a vdev over af_packet
 * keeps the netdev, but a real NIC on vfio does not), yet the host still has
 * to talk on that link: BGP and BFD with the upstream routers, SSH, its own
 * ARP/ND. For an outside port with "exception": "IFNAME" in the config,
 * sluice-dp creates a TAP interface IFNAME (DPDK's net_tap PMD) with the
 * port's MAC and MTU, and:
 *
 *   wire -> kernel: traffic to the gateway's own addresses that the fast
 *     path does not answer itself (everything but ICMP echo requests: TCP,
 *     UDP, other ICMP) is punted by local4/local6 as SL_PUNT_EXCEPTION;
 *     ARP and ND from the port are handled by sluice-dp as always and a
 *     copy goes to the kernel too, so both keep their neighbour tables.
 *     The main lcore writes them to the TAP as received.
 *   kernel -> wire: the main lcore polls each TAP's receive queue and hands
 *     the frames, already carrying their Ethernet header, to worker 0's
 *     inject ring for the port (one worker, so the kernel's frames keep
 *     their order), like the ARP/ND frames it makes itself.
 *
 * Both directions run on the main lcore only, so each TAP queue has one
 * user; the workers never poll a TAP (it is not in dp->port_ids). The
 * kernel answers ARP/NS for the addresses configured on IFNAME with the
 * same MAC as sluice-dp: the duplicate answers agree. Addresses on IFNAME
 * are the operator's (or sluiced's) to set.
 *
 * Inside ports (issue 8, session 6): one TAP per trunk, carrying the trunk
 * as it is. An inside port is an 802.1Q trunk with one VLAN per VPC, and
 * VPC address spaces overlap, so the kernel side is the operator's: a VLAN
 * device per VSwitch on top of the TAP (`ip link add link sl-exc1 name
 * sl-exc1.100 type vlan id 100`), each in a VRF or a namespace of its own.
 * One TAP per trunk rather than one per VLAN: up to 4,094 VLANs per trunk
 * would make as many TAPs (and file descriptors, and rx polls per main
 * loop turn) for the few VPCs whose gateway address the host serves, and
 * the kernel's VLAN devices already do the (de)multiplexing.
 *   wire -> kernel: what local4/local6 punt on the inside port (and the
 *     ARP/ND copies) goes to the TAP *with* its tag: eth_input leaves an
 *     in-band tag in the frame but a PMD may have stripped it into
 *     m->vlan_tci (net_af_packet does, RTE_MBUF_F_RX_VLAN_STRIPPED), and
 *     then it is put back (priority bits included) before the write.
 *   kernel -> wire: frames go out of the port as they are; a frame that
 *     is not 802.1Q-tagged (EtherType other than 0x8100, e.g. the TAP's
 *     own IPv6 chatter) has no VPC on a trunk and is dropped
 *     EXC_UNTAGGED; one shorter than its tagged Ethernet header EXC_RUNT.
 *     IPv6 is disabled on an inside TAP itself when it is created
 *     (disable_ipv6, before it goes up), so the kernel sends no untagged
 *     router solicitations or MLD reports there; its VLAN devices keep
 *     their own settings.
 *
 * Per-port counters: exc_to[pid] / exc_from[pid] in struct sl_dp, written
 * by the main lcore only and exported by it with the port counters
 * (sl_port_stats.exc_to_kernel / exc_from_kernel, ctrl.c).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "sl_dp.h"
#include "sl_log.h"

#define SL_EXC_NB_DESC 512

static int sl_exc_fail(char *err, size_t errlen, const struct sl_port_conf *pc, const char *what,
		       int rc)
{
	snprintf(err, errlen, "port %s: exception path %s: %s: %s", pc->name, pc->exception, what,
		 rte_strerror(rc < 0 ? -rc : rc));
	return rc < 0 ? rc : -rc;
}

/* An inside port's TAP carries tagged frames only: no IPv6 on the TAP
 * itself (its link-local address would send untagged RS/MLD), set while
 * the interface is still down. Its VLAN devices are not affected. */
static void sl_exc_no_ipv6(const struct sl_port_conf *pc)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", pc->exception);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1", 1) != 1)
		SL_LOG(WARNING,
		       "port %s: exception path %s: cannot disable IPv6 there (%s): "
		       "the kernel's untagged frames will be dropped exception_untagged",
		       pc->name, pc->exception, path);
	if (fd >= 0)
		close(fd);
}

void sl_exception_attach(struct sl_dp *dp, uint16_t pid, uint16_t tap)
{
	sl_ports[pid].exc_port = tap;
	sl_ports[pid].exc = 1; /* before the workers start: read-only afterwards */
	dp->exc_tap[dp->n_exc] = tap;
	dp->exc_phys[dp->n_exc] = pid;
	dp->n_exc++;
}

/* Create and start the TAP of port `pid`. */
static int sl_exc_open(struct sl_dp *dp, const struct sl_port_conf *pc, uint16_t pid, char *err,
		       size_t errlen)
{
	const struct rte_ether_addr *mac = &sl_ports[pid].mac;
	char devargs[128], name[32];
	struct rte_eth_conf conf;
	uint16_t tap;
	int rc;

	snprintf(name, sizeof(name), "net_tap_sl%u", pid);
	snprintf(devargs, sizeof(devargs), "%s,iface=%s,mac=" RTE_ETHER_ADDR_PRT_FMT, name,
		 pc->exception, RTE_ETHER_ADDR_BYTES(mac));
	rc = rte_dev_probe(devargs);
	if (rc < 0)
		return sl_exc_fail(err, errlen, pc, "rte_dev_probe(net_tap)", rc);
	rc = rte_eth_dev_get_port_by_name(name, &tap);
	if (rc != 0)
		return sl_exc_fail(err, errlen, pc, "no ethdev after the probe", -ENODEV);
	if (sl_ports[pid].role == SL_ROLE_INSIDE)
		sl_exc_no_ipv6(pc);
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(tap, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(tap, 0, SL_EXC_NB_DESC, (unsigned int)rte_socket_id(),
					    NULL, sl_pktmbuf_pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(tap, 0, SL_EXC_NB_DESC, (unsigned int)rte_socket_id(),
					    NULL);
	if (rc == 0) {
		int m = rte_eth_dev_set_mtu(tap, sl_ports[pid].mtu);

		if (m < 0 && m != -ENOTSUP)
			SL_LOG(WARNING, "port %s: exception path %s: cannot set MTU %u: %s",
			       pc->name, pc->exception, sl_ports[pid].mtu, rte_strerror(-m));
		rc = rte_eth_dev_start(tap);
	}
	if (rc != 0) {
		rte_eth_dev_close(tap);
		return sl_exc_fail(err, errlen, pc, "TAP set-up", rc);
	}
	/* the kernel must see every frame we hand it, whatever its MAC */
	rte_eth_promiscuous_enable(tap);
	sl_exception_attach(dp, pid, tap);
	SL_LOG(INFO, "port %s: exception path %s (TAP, port id %u, MAC " RTE_ETHER_ADDR_PRT_FMT ")",
	       pc->name, pc->exception, tap, RTE_ETHER_ADDR_BYTES(mac));
	return 0;
}

int sl_exception_init(struct sl_dp *dp, char *err, size_t errlen)
{
	for (unsigned int i = 0; dp->conf && i < dp->conf->n_ports; i++) {
		const struct sl_port_conf *pc = &dp->conf->ports[i];
		int rc;

		if (!pc->exception[0])
			continue;
		rc = sl_exc_open(dp, pc, dp->port_ids[i], err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void sl_exception_close(struct sl_dp *dp)
{
	for (unsigned int i = 0; i < dp->n_exc; i++) {
		uint16_t tap = dp->exc_tap[i];

		sl_ports[dp->exc_phys[i]].exc = 0;
		rte_eth_dev_stop(tap);
		rte_eth_dev_close(tap);
	}
	dp->n_exc = 0;
}

/* A frame of an inside port with its 802.1Q tag in the frame (design
 * note): nothing to do for an in-band tag, else the stripped one is put
 * back. Non-zero if the mbuf has no room for it (shared or no headroom). */
static int sl_exc_retag(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN))
		return 0;
	if (!(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED))
		m->vlan_tci = sl_meta(m)->in_vlan;
	return rte_vlan_insert(&m);
}

void sl_exception_to_kernel(struct sl_dp *dp, struct rte_mbuf *m)
{
	uint16_t pid = sl_meta(m)->in_port;
	const struct sl_port_info *pi = &sl_ports[pid];
	struct sl_worker *w = dp->main_w;

	if (!pi->exc) {
		sl_drop(w, m, SL_DROP_PUNT_INVALID);
		return;
	}
	if (pi->role == SL_ROLE_INSIDE && unlikely(sl_exc_retag(m) != 0)) {
		sl_drop(w, m, SL_DROP_EXC_TAG_FAILED);
		return;
	}
	if (rte_eth_tx_burst(pi->exc_port, 0, &m, 1) != 1) {
		sl_drop(w, m, SL_DROP_EXC_KERNEL_FULL);
		return;
	}
	sl_count(w, SL_CNT_EXC_TO_KERNEL, 1);
	dp->exc_to[pid]++;
}

void sl_exception_copy_to_kernel(struct sl_dp *dp, const struct rte_mbuf *m)
{
	const struct sl_port_info *pi = &sl_ports[sl_meta((struct rte_mbuf *)(uintptr_t)m)->in_port];
	struct rte_mbuf *c;

	if (!pi->exc)
		return;
	c = rte_pktmbuf_copy(m, sl_pktmbuf_pool, 0, UINT32_MAX);
	if (c == NULL) {
		dp->main_w->stats->drop[SL_DROP_NO_MBUF]++;
		return;
	}
	*sl_meta(c) = *sl_meta((struct rte_mbuf *)(uintptr_t)m);
	sl_meta(c)->trace = 0;
	sl_exception_to_kernel(dp, c);
}

/* Why a frame from the kernel cannot go out of port `phys`, or SL_DROP_MAX
 * if it can. */
static enum sl_drop_reason sl_exc_check(const struct rte_mbuf *m, uint16_t phys)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	const struct rte_ether_hdr *eth;

	if (len < RTE_ETHER_HDR_LEN)
		return SL_DROP_EXC_RUNT;
	if (sl_ports[phys].role != SL_ROLE_INSIDE)
		return SL_DROP_MAX;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_VLAN))
		return SL_DROP_EXC_UNTAGGED;
	if (len < RTE_ETHER_HDR_LEN + sizeof(struct rte_vlan_hdr))
		return SL_DROP_EXC_RUNT;
	return SL_DROP_MAX;
}

unsigned int sl_exception_poll(struct sl_dp *dp)
{
	struct sl_worker *w = dp->main_w;
	unsigned int moved = 0;

	for (unsigned int i = 0; i < dp->n_exc; i++) {
		struct rte_mbuf *pkts[SL_BURST];
		uint16_t phys = dp->exc_phys[i];
		uint16_t n = rte_eth_rx_burst(dp->exc_tap[i], 0, pkts, SL_BURST);

		for (uint16_t j = 0; j < n; j++) {
			struct rte_mbuf *m = pkts[j];
			struct sl_meta *md = sl_meta(m);
			enum sl_drop_reason why = sl_exc_check(m, phys);

			if (why != SL_DROP_MAX) {
				sl_drop_raw(w, m, why);
				continue;
			}
			memset(md, 0, sizeof(*md));
			md->flags = SL_META_F_LOCAL_ORIGIN;
			md->in_port = dp->exc_tap[i];
			md->out_port = phys;
			md->in_role = sl_ports[phys].role;
			sl_count(w, SL_CNT_EXC_FROM_KERNEL, 1);
			dp->exc_from[phys]++;
			sl_ctrl_inject(dp, m, 0);
		}
		moved += n;
	}
	return moved;
}
