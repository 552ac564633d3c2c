/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports and the packet pool.
 *
 * Design note
 * -----------
 * Ports are created from the devargs of the config file with
 * rte_dev_probe() (so no --vdev is needed on the command line; a device
 * already probed by EAL options is taken as is). The ethdev name is the
 * first devargs token ("net_af_packet0,iface=sl-in" -> "net_af_packet0").
 *
 * Queue model: every worker lcore owns rx queue i and tx queue i of every
 * port (i = worker number); the main lcore owns none. A port must therefore
 * offer at least n_workers queue pairs. af_packet spreads packets over all
 * of its qpairs sockets (PACKET_FANOUT) whether they are polled or not, so
 * there the number must be exactly n_workers, or traffic would vanish into
 * unpolled sockets: that is checked with a message that says what to put in
 * the devargs. RSS is enabled only when the device reports hash functions.
 *
 * The MTU is the IP MTU of the config (-ENOTSUP from the PMD is fine: vdevs
 * take what the kernel interface has). Promiscuous mode is on because the
 * gateway answers for many addresses and the inside port carries VLANs.
 *
 * Trunks: the k-th inside port of the config (sl_port_conf.trunk) is trunk
 * k; sl_trunk_port[k] is its port id and sl_ports[id].trunk the way back.
 * eth_input classifies by (trunk, VLAN) and an inside next hop leaves by
 * its trunk's port.
 *
 * The globals of sl_pipeline.h (sl_ports, sl_role_port, sl_trunk_port,
 * sl_pktmbuf_pool)
 * are written here before any worker starts and are read-only afterwards.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "sl_log.h"
#include "sl_pipeline.h"
#include "sl_port.h"

#define SL_NB_RXD 1024
#define SL_NB_TXD 1024
#define SL_MBUF_CACHE 256

struct sl_port_info sl_ports[RTE_MAX_ETHPORTS];
uint16_t sl_role_port[SL_ROLE_MAX] = {RTE_MAX_ETHPORTS, RTE_MAX_ETHPORTS};
uint16_t sl_trunk_port[SL_MAX_TRUNKS] = {[0 ... SL_MAX_TRUNKS - 1] = RTE_MAX_ETHPORTS};
struct rte_mempool *sl_pktmbuf_pool;

int sl_pool_create(unsigned int n)
{
	uint16_t priv = RTE_ALIGN(sizeof(struct sl_meta), RTE_MBUF_PRIV_ALIGN);

	sl_pktmbuf_pool = rte_pktmbuf_pool_create("sl_pktmbuf", n, SL_MBUF_CACHE, priv,
						  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (!sl_pktmbuf_pool)
		return -rte_errno;
	return 0;
}

void sl_port_devname(const char *devargs, char *name, size_t len)
{
	static const char *const buses[] = {"vdev:", "pci:", "auxiliary:", "vmbus:"};
	size_t n;

	for (unsigned int i = 0; i < RTE_DIM(buses); i++)
		if (strncmp(devargs, buses[i], strlen(buses[i])) == 0) {
			devargs += strlen(buses[i]);
			break;
		}
	n = strcspn(devargs, ",");
	if (n >= len)
		n = len - 1;
	memcpy(name, devargs, n);
	name[n] = '\0';
}

static int sl_port_fail(char *err, size_t errlen, int rc, const struct sl_port_conf *pc,
			const char *what)
{
	snprintf(err, errlen, "port %s (%s): %s: %s", pc->name, pc->devargs, what,
		 strerror(rc < 0 ? -rc : rc));
	return rc < 0 ? rc : -rc;
}

int sl_port_init(const struct sl_port_conf *pc, uint16_t n_queues, uint16_t *port_id, char *err,
		 size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t pid, nb_rxd = SL_NB_RXD, nb_txd = SL_NB_TXD;
	int rc, socket;

	sl_port_devname(pc->devargs, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &pid) != 0) {
		rc = rte_dev_probe(pc->devargs);
		if (rc < 0 && rc != -EEXIST)
			return sl_port_fail(err, errlen, rc, pc, "rte_dev_probe");
		if (rte_eth_dev_get_port_by_name(name, &pid) != 0) {
			snprintf(err, errlen,
				 "port %s (%s): probed, but no ethdev is called \"%s\" "
				 "(the first devargs token must be the device name)",
				 pc->name, pc->devargs, name);
			return -ENODEV;
		}
	}
	if (sl_ports[pid].enabled) {
		snprintf(err, errlen, "port %s (%s): device %s is configured twice", pc->name,
			 pc->devargs, name);
		return -EEXIST;
	}
	rc = rte_eth_dev_info_get(pid, &info);
	if (rc)
		return sl_port_fail(err, errlen, rc, pc, "rte_eth_dev_info_get");
	if (info.max_rx_queues < n_queues || info.max_tx_queues < n_queues) {
		snprintf(err, errlen,
			 "port %s (%s): %s offers %u rx / %u tx queues, but %u workers need one "
			 "pair each (add worker-less lcores or raise the queue count)",
			 pc->name, pc->devargs, info.driver_name, info.max_rx_queues,
			 info.max_tx_queues, n_queues);
		return -EINVAL;
	}
	if (strcmp(info.driver_name, "net_af_packet") == 0 && info.max_rx_queues != n_queues) {
		snprintf(err, errlen,
			 "port %s (%s): af_packet has qpairs=%u but there are %u workers; set "
			 "qpairs=%u in devargs (unpolled af_packet sockets lose packets)",
			 pc->name, pc->devargs, info.max_rx_queues, n_queues, n_queues);
		return -EINVAL;
	}

	memset(&conf, 0, sizeof(conf));
	if (n_queues > 1 && info.flow_type_rss_offloads) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
		    (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
		    info.flow_type_rss_offloads;
	}
	rc = rte_eth_dev_configure(pid, n_queues, n_queues, &conf);
	if (rc)
		return sl_port_fail(err, errlen, rc, pc, "rte_eth_dev_configure");
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nb_rxd, &nb_txd);
	if (rc)
		return sl_port_fail(err, errlen, rc, pc, "rte_eth_dev_adjust_nb_rx_tx_desc");
	socket = rte_eth_dev_socket_id(pid);
	if (socket < 0)
		socket = (int)rte_socket_id();
	for (uint16_t q = 0; q < n_queues; q++) {
		rc = rte_eth_rx_queue_setup(pid, q, nb_rxd, (unsigned int)socket, NULL,
					    sl_pktmbuf_pool);
		if (rc)
			return sl_port_fail(err, errlen, rc, pc, "rte_eth_rx_queue_setup");
		rc = rte_eth_tx_queue_setup(pid, q, nb_txd, (unsigned int)socket, NULL);
		if (rc)
			return sl_port_fail(err, errlen, rc, pc, "rte_eth_tx_queue_setup");
	}
	rc = rte_eth_dev_set_mtu(pid, pc->mtu);
	if (rc && rc != -ENOTSUP)
		SL_LOG(WARNING, "port %s: cannot set MTU %u (%s); keeping the device's", pc->name,
		       pc->mtu, strerror(-rc));
	rc = rte_eth_promiscuous_enable(pid);
	if (rc && rc != -ENOTSUP)
		SL_LOG(WARNING, "port %s: cannot enable promiscuous mode (%s)", pc->name,
		       strerror(-rc));
	rc = rte_eth_macaddr_get(pid, &mac);
	if (rc)
		return sl_port_fail(err, errlen, rc, pc, "rte_eth_macaddr_get");
	rc = rte_eth_dev_start(pid);
	if (rc)
		return sl_port_fail(err, errlen, rc, pc, "rte_eth_dev_start");

	sl_ports[pid].mac = mac;
	sl_ports[pid].role = pc->role;
	sl_ports[pid].mtu = pc->mtu;
	sl_ports[pid].enabled = 1;
	sl_ports[pid].trunk = pc->role == SL_ROLE_INSIDE ? pc->trunk : 0;
	if (pc->role == SL_ROLE_INSIDE && pc->trunk < SL_MAX_TRUNKS)
		sl_trunk_port[pc->trunk] = pid;
	if (sl_role_port[pc->role] == RTE_MAX_ETHPORTS)
		sl_role_port[pc->role] = pid;
	else if (pc->role == SL_ROLE_OUTSIDE)
		SL_LOG(WARNING,
		       "port %s: another outside port exists; only the first one is used "
		       "for egress",
		       pc->name);
	*port_id = pid;
	SL_LOG(INFO,
	       "port %s: %s id %u driver %s mac " RTE_ETHER_ADDR_PRT_FMT " %u queue pairs%s mtu %u",
	       pc->name, name, pid, info.driver_name, RTE_ETHER_ADDR_BYTES(&mac), n_queues,
	       conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS ? " rss" : "", pc->mtu);
	return 0;
}

void sl_port_close(uint16_t port_id)
{
	if (port_id >= RTE_MAX_ETHPORTS || !sl_ports[port_id].enabled)
		return;
	rte_eth_dev_stop(port_id);
	rte_eth_dev_close(port_id);
	sl_ports[port_id].enabled = 0;
	sl_ports[port_id].stats_idx = 0;
	for (unsigned int r = 0; r < SL_ROLE_MAX; r++)
		if (sl_role_port[r] == port_id)
			sl_role_port[r] = RTE_MAX_ETHPORTS;
	for (unsigned int k = 0; k < SL_MAX_TRUNKS; k++)
		if (sl_trunk_port[k] == port_id)
			sl_trunk_port[k] = RTE_MAX_ETHPORTS;
}
