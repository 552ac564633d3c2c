/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The core loops end to end on one thread: sl_worker_poll() and
 * sl_ctrl_poll() with real ring-backed ethdevs (separate rx and tx rings per
 * port, rte_eth_from_rings), the real stages and a hand-built bank published
 * in an in-memory segment. Frames are put on a port's rx ring, the two
 * contexts are polled until nothing moves, and what the ports transmitted
 * is checked: an ARP request for the gateway is answered; a packet for a
 * next hop nobody resolved yet waits, makes the gateway ARP, and leaves with
 * the right MACs, VLAN and TTL once the neighbour answers; before the first
 * generation everything is dropped NO_TABLES; the stats export fills the
 * port and neighbour snapshots.
 */
#include "sl_core_loop_test.h"

#include <rte_arp.h>
#include <rte_ip.h>

static struct sl_dp dp;
static struct sl_shm shm;
static struct rte_ring *rx_ring[2], *tx_ring[2];
static uint16_t pid[2];
static struct sl_bank_header *built;

static const struct rte_ether_addr mac_a1 = {{0x02, 0x5c, 0, 0, 0, 0x01}};
static const struct rte_ether_addr mac_a2 = {{0x02, 0x5c, 0, 0, 0, 0x02}};
static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

static void publish(uint64_t g)
{
	struct sl_bank_header *dst = sl_shm_bank(shm.hdr, (unsigned int)(g & 1));

	memcpy(dst, built, built->used);
	dst->generation = g;
	atomic_store(&shm.hdr->generation, g);
}

static int group_setup(void **state)
{
	sl_t_eal_init();
	assert_int_equal(sl_pool_create(2047), 0);
	sl_t_loop_ports(&dp, "lt", rx_ring, tx_ring, pid);
	sl_t_loop_start(&dp, &shm, "lt");
	built = sl_t_bank_build(1);
	return 0;
}

static int group_teardown(void **state)
{
	if (dp.neigh)
		sl_t_loop_stop(&dp, &shm);
	return 0;
}

static unsigned int settle(void)
{
	return sl_t_loop_settle(&dp);
}

/* Put a frame on port i's rx ring. */
static void rx(int i, const void *frame, uint16_t len)
{
	sl_t_ring_rx(rx_ring[i], pid[i], frame, len);
}

/* Take the next frame port i transmitted (NULL if none). */
static struct rte_mbuf *tx(int i)
{
	return sl_t_ring_tx(tx_ring[i]);
}

static uint16_t eth_vlan(uint8_t *buf, const struct rte_ether_addr *dst,
			 const struct rte_ether_addr *src, uint16_t vlan, uint16_t type)
{
	return sl_t_eth(buf, dst, src, vlan, type);
}

static uint16_t arp_frame(uint8_t *buf, uint16_t op, const struct rte_ether_addr *sha, uint32_t sip,
			  uint32_t tip, const struct rte_ether_addr *dst)
{
	uint16_t off = eth_vlan(buf, dst, sha, SL_T_VLAN_A, RTE_ETHER_TYPE_ARP);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(buf + off);

	memset(a, 0, sizeof(*a));
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(op);
	a->arp_data.arp_sha = *sha;
	a->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	a->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	if (op == RTE_ARP_OP_REPLY)
		a->arp_data.arp_tha = sl_t_mac_in;
	return off + sizeof(*a);
}

static void test_no_tables(void **state)
{
	uint8_t buf[64];
	uint16_t len = arp_frame(buf, RTE_ARP_OP_REQUEST, &mac_a1, sl_t_ip4(192, 168, 1, 10),
				 sl_t_ip4(192, 168, 1, 253), &bcast);
	struct sl_lcore_stats *ws = &shm.stats->lcore[1];

	rx(0, buf, len);
	assert_int_equal(settle(), 1);
	assert_int_equal(ws->drop[SL_DROP_NO_TABLES], 1);
	assert_int_equal(ws->cnt[SL_CNT_RX_PKTS], 1);
	assert_null(tx(0));
}

static void test_arp_answered(void **state)
{
	uint8_t buf[64];
	uint16_t len = arp_frame(buf, RTE_ARP_OP_REQUEST, &mac_a1, sl_t_ip4(192, 168, 1, 10),
				 sl_t_ip4(192, 168, 1, 253), &bcast);
	struct rte_mbuf *m;
	const struct rte_arp_hdr *a;

	publish(1);
	rx(0, buf, len);
	settle();
	assert_ptr_equal(dp.workers[0]->bank, sl_shm_bank(shm.hdr, 1));
	m = tx(0);
	assert_non_null(m);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), &mac_a1, 6);
	a = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, 18);
	assert_int_equal(rte_be_to_cpu_16(a->arp_opcode), RTE_ARP_OP_REPLY);
	assert_int_equal(rte_be_to_cpu_32(a->arp_data.arp_sip), sl_t_ip4(192, 168, 1, 253));
	assert_memory_equal(&a->arp_data.arp_sha, &sl_t_mac_in, 6);
	rte_pktmbuf_free(m);
	assert_null(tx(0));
	assert_null(tx(1));
	assert_int_equal(shm.stats->lcore[0].cnt[SL_CNT_ARP_REPLIES], 1);
	assert_int_equal(shm.stats->lcore[1].cnt[SL_CNT_PUNTED], 1);
	assert_int_equal(shm.stats->lcore[1].cnt[SL_CNT_TX_PKTS], 1);
	assert_int_equal(shm.hdr->lcore[1].ack_generation, 1);
	assert_int_equal(shm.hdr->lcore[0].ack_generation, 1);
}

/* An ICMP echo request from a1 to 10.99.0.5 (custom route via a2). */
static uint16_t echo_frame(uint8_t *buf)
{
	uint16_t off = eth_vlan(buf, &sl_t_mac_in, &mac_a1, SL_T_VLAN_A, RTE_ETHER_TYPE_IPV4);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + off);
	uint8_t *icmp = (uint8_t *)(ip + 1);
	uint16_t ck;

	memset(ip, 0, 20 + 16);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(20 + 16);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(sl_t_ip4(192, 168, 1, 10));
	ip->dst_addr = rte_cpu_to_be_32(sl_t_ip4(10, 99, 0, 5));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp[0] = 8;
	ck = (uint16_t)~rte_raw_cksum(icmp, 16);
	memcpy(icmp + 2, &ck, 2);
	return off + 20 + 16;
}

/* The forwarded echo request on the inside port, to a2. */
static void expect_forwarded(void)
{
	struct rte_mbuf *m = tx(0);
	const struct rte_ipv4_hdr *oip;
	struct rte_ipv4_hdr copy;

	assert_non_null(m);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), &mac_a2, 6);
	assert_memory_equal(rte_pktmbuf_mtod_offset(m, uint8_t *, 6), &sl_t_mac_in, 6);
	assert_int_equal(rte_be_to_cpu_16(*rte_pktmbuf_mtod_offset(m, uint16_t *, 14)),
			 SL_T_VLAN_A);
	oip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, 18);
	assert_int_equal(oip->time_to_live, 63);
	assert_int_equal(rte_be_to_cpu_32(oip->dst_addr), sl_t_ip4(10, 99, 0, 5));
	copy = *oip;
	copy.hdr_checksum = 0;
	assert_int_equal(rte_ipv4_cksum(&copy), oip->hdr_checksum);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 18 + 20 + 16);
	rte_pktmbuf_free(m);
}

static void test_forward_after_resolution(void **state)
{
	uint8_t buf[128];
	const struct rte_arp_hdr *a;
	struct rte_mbuf *m;
	uint16_t len;

	rx(0, buf, echo_frame(buf));
	settle();
	/* The packet waits; the gateway asks for 192.168.2.10 on VLAN 100
	 * from its address on a2's VSwitch. */
	m = tx(0);
	assert_non_null(m);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), &bcast, 6);
	a = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, 18);
	assert_int_equal(rte_be_to_cpu_16(a->arp_opcode), RTE_ARP_OP_REQUEST);
	assert_int_equal(rte_be_to_cpu_32(a->arp_data.arp_tip), sl_t_ip4(192, 168, 2, 10));
	assert_int_equal(rte_be_to_cpu_32(a->arp_data.arp_sip), sl_t_ip4(192, 168, 2, 253));
	rte_pktmbuf_free(m);
	assert_null(tx(0));

	/* a2 answers: the queued packet leaves for a2 with TTL 63. */
	len = arp_frame(buf, RTE_ARP_OP_REPLY, &mac_a2, sl_t_ip4(192, 168, 2, 10),
			sl_t_ip4(192, 168, 2, 253), &sl_t_mac_in);
	rx(0, buf, len);
	settle();
	expect_forwarded();
	assert_null(tx(0));
	assert_null(tx(1));

	/* The next one goes straight through the worker: nothing punted. */
	uint64_t punted = shm.stats->lcore[1].cnt[SL_CNT_PUNTED];

	rx(0, buf, echo_frame(buf));
	settle();
	expect_forwarded();
	assert_null(tx(0));
	assert_int_equal(shm.stats->lcore[1].cnt[SL_CNT_PUNTED], punted);
	assert_int_equal(shm.stats->lcore[1].cnt[SL_CNT_FWD_IP4], 2);
}

static void test_export(void **state)
{
	struct sl_stats_header *st = shm.stats;
	bool found = false;

	dp.last_export_tsc = 0;
	sl_ctrl_poll(&dp);
	assert_int_equal(atomic_load(&st->seq) & 1, 0);
	assert_true(atomic_load(&st->seq) > 0);
	assert_true(st->updated_ns > 0);
	assert_int_equal(st->n_ports, 2);
	assert_string_equal(st->port[0].name, "net_ring_lt_in"); /* no config: ethdev name */
	assert_int_equal(st->port[0].role, SL_ROLE_INSIDE);
	assert_memory_equal(st->port[0].mac, &sl_t_mac_in, 6);
	assert_true(st->port[0].opackets >= 3);
	assert_true(st->n_neigh >= 2);
	for (uint32_t i = 0; i < st->n_neigh; i++)
		if (memcmp(st->neigh[i].addr, ((uint8_t[]){192, 168, 2, 10}), 4) == 0) {
			found = true;
			assert_int_equal(st->neigh[i].state, SL_NEIGH_REACHABLE);
			assert_memory_equal(st->neigh[i].mac, &mac_a2, 6);
			assert_int_equal(st->neigh[i].vpc_index, 0);
		}
	assert_true(found);
}

/* Queue counters (issue 11): everything above went through worker 0's
 * queue of the inside port (slot 1, port 0): 3 ARP frames of 46 bytes and
 * 2 echo requests of 54 in; an ARP reply, an ARP request and the 2 echo
 * requests out. A full tx ring is counted tx_full, not sent. */
static void test_queue_counters(void **state)
{
	const struct sl_queue_stats *q = &shm.stats->queue[1][0], *o = &shm.stats->queue[1][1];
	uint8_t buf[128];
	struct rte_mbuf *fill[256];
	unsigned int n_fill = 0;

	assert_int_equal(q->rx_pkts, 5);
	assert_int_equal(q->rx_bytes, 3 * 46 + 2 * 54);
	assert_int_equal(q->rx_pkts, shm.stats->lcore[1].cnt[SL_CNT_RX_PKTS]);
	assert_int_equal(q->tx_pkts, 4);
	assert_int_equal(q->tx_bytes, 2 * 46 + 2 * 54);
	assert_int_equal(q->tx_pkts, shm.stats->lcore[1].cnt[SL_CNT_TX_PKTS]);
	assert_int_equal(q->tx_full + q->no_mbuf, 0);
	assert_int_equal(o->rx_pkts + o->tx_pkts + o->tx_full, 0);
	for (unsigned int s = 0; s < SL_MAX_PORTS; s++) /* the main lcore owns no queue */
		assert_int_equal(shm.stats->queue[0][s].rx_pkts + shm.stats->queue[0][s].tx_pkts, 0);

	/* The inside port's tx ring full: the next echo request is refused. */
	while (n_fill < RTE_DIM(fill) && (fill[n_fill] = rte_pktmbuf_alloc(sl_pktmbuf_pool)) &&
	       rte_ring_enqueue(tx_ring[0], fill[n_fill]) == 0)
		n_fill++;
	rx(0, buf, echo_frame(buf));
	settle();
	assert_int_equal(q->tx_full, 1);
	assert_int_equal(q->tx_pkts, 4);
	assert_int_equal(q->tx_bytes, 2 * 46 + 2 * 54);
	assert_int_equal(q->rx_pkts, 6);
	assert_int_equal(shm.stats->lcore[1].drop[SL_DROP_TX_FULL], 1);
	for (struct rte_mbuf *m; (m = tx(0)) != NULL;)
		rte_pktmbuf_free(m);
	if (n_fill < RTE_DIM(fill))
		rte_pktmbuf_free(fill[n_fill]); /* the one the ring refused */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_tables),
	    cmocka_unit_test(test_arp_answered),
	    cmocka_unit_test(test_forward_after_resolution),
	    cmocka_unit_test(test_export),
	    cmocka_unit_test(test_queue_counters),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
