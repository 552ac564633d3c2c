/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers of the core tests that run the loops end to end on one thread
 * (loop_test.c, exception_test.c): ring-backed ethdevs (rte_eth_from_rings,
 * the net_ring PMD library, linked by those tests only), one worker and
 * the main lcore on an in-memory segment, polled until nothing moves.
 * Everything is static: one executable per test.
 */
#ifndef SL_CORE_LOOP_TEST_H
#define SL_CORE_LOOP_TEST_H

#include "sl_core_test.h"

#include <rte_eth_ring.h>
#include <rte_ethdev.h>

/* Separate rx and tx rings behind the ethdev net_ring_NAME. */
static inline void sl_t_ring_port(const char *name, struct rte_ring **rx, struct rte_ring **tx)
{
	char rn[64];

	snprintf(rn, sizeof(rn), "%s_rx", name);
	*rx = rte_ring_create(rn, 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(rn, sizeof(rn), "%s_tx", name);
	*tx = rte_ring_create(rn, 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	assert_non_null(*rx);
	assert_non_null(*tx);
	assert_true(rte_eth_from_rings(name, rx, 1, tx, 1, 0) >= 0);
}

/* Two ring ports, TAG_in (inside, trunk 0) and TAG_out (outside), made
 * with sl_port_init like main.c makes its ports, with the test MACs (ring
 * ports have none of their own) and their stats rows (config order + 1);
 * port i is rx[i]/tx[i], id pid[i] and dp->port_ids[i]. */
static inline void sl_t_loop_ports(struct sl_dp *dp, const char *tag, struct rte_ring **rx,
				   struct rte_ring **tx, uint16_t *pid)
{
	static const uint8_t roles[2] = {SL_ROLE_INSIDE, SL_ROLE_OUTSIDE};
	static const struct rte_ether_addr *const macs[2] = {&sl_t_mac_in, &sl_t_mac_out};
	char err[256];

	memset(sl_ports, 0, sizeof(sl_ports));
	for (int i = 0; i < 2; i++) {
		struct sl_port_conf pc = {.role = roles[i], .mtu = 1500};

		snprintf(pc.name, sizeof(pc.name), "%s_%s", tag, i ? "out" : "in");
		sl_t_ring_port(pc.name, &rx[i], &tx[i]);
		/* rte_eth_from_rings() names the device net_ring_<name>. */
		snprintf(pc.devargs, sizeof(pc.devargs), "net_ring_%s", pc.name);
		if (sl_port_init(&pc, 1, &pid[i], err, sizeof(err)) != 0)
			fail_msg("%s", err);
		sl_ports[pid[i]].stats_idx = (uint8_t)(i + 1);
		sl_ports[pid[i]].mac = *macs[i];
		dp->port_ids[i] = pid[i];
	}
	dp->n_ports = 2;
}

/* The two ports in dp->port_ids (config order) are already up: make the
 * segment, the rings, worker 0 and the main lcore, the neighbour table,
 * and put them all online as main.c does. `tag` names the rings. */
static inline void sl_t_loop_start(struct sl_dp *dp, struct sl_shm *shm, const char *tag)
{
	unsigned int ids[2];
	char rn[64];

	sl_t_segment(shm, SL_T_BANK_SIZE);
	dp->shm = shm;
	dp->n_workers = 1;
	snprintf(rn, sizeof(rn), "%s_punt", tag);
	dp->punt_ring = rte_ring_create(rn, SL_PUNT_RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	snprintf(rn, sizeof(rn), "%s_inject", tag);
	dp->inject[0] =
	    rte_ring_create(rn, SL_INJECT_RING_SIZE, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	dp->main_w = sl_worker_create(dp, -1, rte_lcore_id());
	dp->workers[0] = sl_worker_create(dp, 0, rte_lcore_id());
	assert_non_null(dp->punt_ring);
	assert_non_null(dp->inject[0]);
	assert_non_null(dp->main_w);
	assert_non_null(dp->workers[0]);
	dp->neigh = sl_ctrl_neigh_create(dp);
	assert_non_null(dp->neigh);
	ids[0] = ids[1] = rte_lcore_id();
	assert_int_equal(sl_shm_dp_start(shm, 2, ids), 0);
	sl_neigh_reader_online(dp->neigh, 0);
	sl_worker_online(dp->workers[0]);
	sl_worker_online(dp->main_w);
}

static inline void sl_t_loop_stop(struct sl_dp *dp, struct sl_shm *shm)
{
	sl_neigh_reader_offline(dp->neigh, 0);
	sl_worker_offline(dp->workers[0]);
	sl_worker_offline(dp->main_w);
	sl_shm_dp_stop(shm);
	sl_neigh_free(dp->neigh);
	for (unsigned int i = 0; i < dp->n_ports; i++)
		sl_port_close(dp->port_ids[i]);
}

/* Poll worker 0 and the main lcore until three rounds move nothing;
 * returns how many frames moved. */
static inline unsigned int sl_t_loop_settle(struct sl_dp *dp)
{
	unsigned int total = 0, quiet = 0;

	for (int round = 0; round < 100 && quiet < 3; round++) {
		unsigned int n = sl_worker_poll(dp->workers[0]) + sl_ctrl_poll(dp);

		total += n;
		quiet = n ? 0 : quiet + 1;
	}
	return total;
}

/* Put a frame on `ring` as received by port `port`; returns the mbuf (now
 * the ring's) so that a test can mark it as a PMD would. */
static inline struct rte_mbuf *sl_t_ring_rx(struct rte_ring *ring, uint16_t port, const void *frame,
					    uint16_t len)
{
	struct rte_mbuf *m = sl_t_mbuf(frame, len);

	m->port = port;
	assert_int_equal(rte_ring_enqueue(ring, m), 0);
	return m;
}

/* The next frame on `ring` (what a port transmitted), NULL if none. */
static inline struct rte_mbuf *sl_t_ring_tx(struct rte_ring *ring)
{
	struct rte_mbuf *m = NULL;

	if (rte_ring_dequeue(ring, (void **)&m) != 0)
		return NULL;
	return m;
}

/* An Ethernet header, with an 802.1Q tag carrying `tci` unless tci < 0;
 * returns its length. */
static inline uint16_t sl_t_eth(uint8_t *buf, const struct rte_ether_addr *dst,
				const struct rte_ether_addr *src, int tci, uint16_t type)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)buf;
	struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eh + 1);

	eh->dst_addr = *dst;
	eh->src_addr = *src;
	if (tci < 0) {
		eh->ether_type = rte_cpu_to_be_16(type);
		return RTE_ETHER_HDR_LEN;
	}
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
	vh->vlan_tci = rte_cpu_to_be_16((uint16_t)tci);
	vh->eth_proto = rte_cpu_to_be_16(type);
	return RTE_ETHER_HDR_LEN + sizeof(*vh);
}

#endif /* SL_CORE_LOOP_TEST_H */
