/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path of an inside port (issue 8; exception.c), end to end
 * on one thread like loop_test.c: ring-backed ethdevs for the inside port
 * (a trunk), the outside port and the "TAP" (a third ring port attached
 * with sl_exception_attach, so no kernel is needed), the real stages and
 * a hand-built bank. Checked:
 *   - UDP to the VSwitch gateway address comes out on the TAP with its
 *     802.1Q tag, whether the tag was in the frame or stripped by the PMD
 *     into m->vlan_tci (then put back, priority bits included);
 *   - an ARP request for the gateway is answered by sluice-dp on the port
 *     and a tagged copy goes to the TAP; ICMP echo stays on the fast path;
 *   - a tagged frame from the kernel leaves the inside port unchanged;
 *     untagged and runt ones are dropped exception_untagged /
 *     exception_runt and nothing leaves; a frame whose tag cannot be put
 *     back (a shared mbuf) is dropped exception_tag_failed;
 *   - the per-port counters exc_to_kernel / exc_from_kernel of the stats
 *     export, and the lcore counters exception_to_kernel/_from_kernel.
 */
#include "sl_core_loop_test.h"

#include <rte_arp.h>
#include <rte_ip.h>
#include <rte_udp.h>

enum { P_IN, P_OUT, P_TAP, P_N };

static struct sl_dp dp;
static struct sl_shm shm;
static struct rte_ring *rx_ring[P_N], *tx_ring[P_N];
static uint16_t pid[P_N];

static const struct rte_ether_addr mac_a1 = {{0x02, 0x5c, 0, 0, 0, 0x01}};
static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

/* 802.1Q TCI with priority 5 (voice), to see that it is kept */
#define TCI_A ((5u << 13) | SL_T_VLAN_A)

static int group_setup(void **state)
{
	struct sl_bank_header *built;
	struct rte_eth_conf conf;

	sl_t_eal_init();
	assert_int_equal(sl_pool_create(2047), 0);
	sl_t_loop_ports(&dp, "xt", rx_ring, tx_ring, pid);

	/* the inside port's "TAP": started like exception.c starts one */
	sl_t_ring_port("xt_tap", &rx_ring[P_TAP], &tx_ring[P_TAP]);
	assert_int_equal(rte_eth_dev_get_port_by_name("net_ring_xt_tap", &pid[P_TAP]), 0);
	memset(&conf, 0, sizeof(conf));
	assert_int_equal(rte_eth_dev_configure(pid[P_TAP], 1, 1, &conf), 0);
	assert_int_equal(
	    rte_eth_rx_queue_setup(pid[P_TAP], 0, 256, SOCKET_ID_ANY, NULL, sl_pktmbuf_pool), 0);
	assert_int_equal(rte_eth_tx_queue_setup(pid[P_TAP], 0, 256, SOCKET_ID_ANY, NULL), 0);
	assert_int_equal(rte_eth_dev_start(pid[P_TAP]), 0);
	sl_exception_attach(&dp, pid[P_IN], pid[P_TAP]);

	sl_t_loop_start(&dp, &shm, "xt");

	/* generation 1 */
	built = sl_t_bank_build(1);
	memcpy(sl_shm_bank(shm.hdr, 1), built, built->used);
	atomic_store(&shm.hdr->generation, 1);
	rte_free(built);
	return 0;
}

static int group_teardown(void **state)
{
	if (!dp.neigh)
		return 0;
	sl_t_loop_stop(&dp, &shm);
	rte_eth_dev_stop(pid[P_TAP]);
	rte_eth_dev_close(pid[P_TAP]);
	return 0;
}

static void settle(void)
{
	sl_t_loop_settle(&dp);
}

static struct rte_mbuf *rx(int i, const void *frame, uint16_t len)
{
	return sl_t_ring_rx(rx_ring[i], pid[i], frame, len);
}

static struct rte_mbuf *tx(int i)
{
	return sl_t_ring_tx(tx_ring[i]);
}

/* The next frame port i sent is `len` bytes equal to `want`. */
static void expect_frame(int i, const uint8_t *want, uint16_t len)
{
	struct rte_mbuf *m = tx(i);

	assert_non_null(m);
	assert_int_equal(rte_pktmbuf_pkt_len(m), len);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), want, len);
	rte_pktmbuf_free(m);
}

/* IPv4 a1 (192.168.1.10) -> DST, protocol PROTO, `plen` bytes of payload
 * (an ICMP echo request is given a valid checksum); tci < 0: untagged. */
static uint16_t ip4_frame(uint8_t *buf, int tci, uint32_t dst, uint8_t proto, uint16_t plen)
{
	uint16_t off = sl_t_eth(buf, &sl_t_mac_in, &mac_a1, tci, RTE_ETHER_TYPE_IPV4);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + off);
	uint8_t *l4 = (uint8_t *)(ip + 1);

	memset(ip, 0, sizeof(*ip) + plen);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + plen);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(sl_t_ip4(192, 168, 1, 10));
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (proto == IPPROTO_UDP) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4;

		u->src_port = rte_cpu_to_be_16(40000);
		u->dst_port = rte_cpu_to_be_16(3784);
		u->dgram_len = rte_cpu_to_be_16(plen);
		memcpy(l4 + sizeof(*u), "bfd-like", 8);
	} else if (proto == IPPROTO_ICMP) {
		uint16_t ck;

		l4[0] = 8;
		ck = (uint16_t)~rte_raw_cksum(l4, plen);
		memcpy(l4 + 2, &ck, 2);
	}
	return (uint16_t)(off + sizeof(*ip) + plen);
}

static uint64_t main_cnt(enum sl_counter c)
{
	return shm.stats->lcore[0].cnt[c];
}

static uint64_t main_drop(enum sl_drop_reason r)
{
	return shm.stats->lcore[0].drop[r];
}

static const struct sl_port_stats *port_stats(int i)
{
	dp.last_export_tsc = 0;
	sl_ctrl_poll(&dp); /* exports */
	return &shm.stats->port[i];
}

/* UDP to the VSwitch gateway address with an in-band tag: to the TAP as
 * received (the tag where it was), nothing back to the instance. */
static void test_udp_in_band_tag(void **state)
{
	uint8_t buf[128];
	uint16_t len = ip4_frame(buf, TCI_A, sl_t_ip4(192, 168, 1, 253), IPPROTO_UDP, 16);
	uint64_t to = main_cnt(SL_CNT_EXC_TO_KERNEL);

	rx(P_IN, buf, len);
	settle();
	expect_frame(P_TAP, buf, len);
	assert_null(tx(P_TAP));
	assert_null(tx(P_IN)); /* no ICMP port unreachable: the kernel's socket decides */
	assert_int_equal(main_cnt(SL_CNT_EXC_TO_KERNEL), to + 1);
}

/* The lab's case: net_af_packet hands trunk frames with the tag stripped
 * into m->vlan_tci; the TAP must get it back in the frame. */
static void test_udp_stripped_tag_put_back(void **state)
{
	uint8_t tagged[128], bare[128];
	uint16_t tlen = ip4_frame(tagged, TCI_A, sl_t_ip4(192, 168, 1, 253), IPPROTO_UDP, 16);
	uint16_t blen = ip4_frame(bare, -1, sl_t_ip4(192, 168, 1, 253), IPPROTO_UDP, 16);
	struct rte_mbuf *m;

	assert_int_equal(tlen, blen + 4);
	m = rx(P_IN, bare, blen);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = TCI_A;
	settle();
	expect_frame(P_TAP, tagged, tlen); /* priority 5, VLAN 100, then the packet */
	assert_null(tx(P_TAP));
	assert_null(tx(P_IN));
}

/* ARP for the gateway: sluice-dp answers on the trunk (not the kernel) and
 * the kernel gets a tagged copy to learn the instance's MAC. */
static void test_arp_answered_and_copied(void **state)
{
	uint8_t buf[64], bare[64];
	uint16_t off = sl_t_eth(buf, &bcast, &mac_a1, SL_T_VLAN_A, RTE_ETHER_TYPE_ARP);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(buf + off);
	uint64_t replies = main_cnt(SL_CNT_ARP_REPLIES);
	const struct rte_arp_hdr *r;
	uint16_t len = off + sizeof(*a);
	struct rte_mbuf *m;

	memset(a, 0, sizeof(*a));
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	a->arp_data.arp_sha = mac_a1;
	a->arp_data.arp_sip = rte_cpu_to_be_32(sl_t_ip4(192, 168, 1, 10));
	a->arp_data.arp_tip = rte_cpu_to_be_32(sl_t_ip4(192, 168, 1, 253));
	/* as net_af_packet hands it: tag stripped */
	memcpy(bare, buf, 12);
	memcpy(bare + 12, buf + 16, len - 16);
	m = rx(P_IN, bare, len - 4);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = SL_T_VLAN_A;
	settle();

	expect_frame(P_TAP, buf, len);
	m = tx(P_IN);
	assert_non_null(m);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), &mac_a1, 6);
	assert_int_equal(rte_be_to_cpu_16(*rte_pktmbuf_mtod_offset(m, uint16_t *, 14)),
			 SL_T_VLAN_A);
	r = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, 18);
	assert_int_equal(rte_be_to_cpu_16(r->arp_opcode), RTE_ARP_OP_REPLY);
	assert_memory_equal(&r->arp_data.arp_sha, &sl_t_mac_in, 6);
	rte_pktmbuf_free(m);
	assert_null(tx(P_IN));
	assert_int_equal(main_cnt(SL_CNT_ARP_REPLIES), replies + 1);
}

/* ICMP echo to the gateway: still answered by the fast path, not punted. */
static void test_echo_stays_fast(void **state)
{
	uint8_t buf[128];
	uint16_t len = ip4_frame(buf, TCI_A, sl_t_ip4(192, 168, 1, 253), IPPROTO_ICMP, 16);
	uint64_t to = main_cnt(SL_CNT_EXC_TO_KERNEL);
	uint64_t echo = shm.stats->lcore[1].cnt[SL_CNT_LOCAL_ECHO];
	struct rte_mbuf *m;

	rx(P_IN, buf, len);
	settle();
	assert_null(tx(P_TAP));
	assert_int_equal(main_cnt(SL_CNT_EXC_TO_KERNEL), to);
	assert_int_equal(shm.stats->lcore[1].cnt[SL_CNT_LOCAL_ECHO], echo + 1);
	while ((m = tx(P_IN)) != NULL) /* the reply (a1 resolved by its ARP) */
		rte_pktmbuf_free(m);
}

/* What the kernel writes (its VLAN device tagged it) leaves the trunk as is. */
static void test_kernel_frame_out_unchanged(void **state)
{
	uint8_t buf[128];
	uint16_t len = ip4_frame(buf, TCI_A, sl_t_ip4(192, 168, 1, 10), IPPROTO_UDP, 16);
	uint64_t from = main_cnt(SL_CNT_EXC_FROM_KERNEL);

	/* from the gateway's MAC to a1 */
	memcpy(buf, &mac_a1, 6);
	memcpy(buf + 6, &sl_t_mac_in, 6);
	rx(P_TAP, buf, len);
	settle();
	expect_frame(P_IN, buf, len);
	assert_null(tx(P_IN));
	assert_null(tx(P_OUT));
	assert_int_equal(main_cnt(SL_CNT_EXC_FROM_KERNEL), from + 1);
}

/* Untagged and runt frames from the kernel have no VPC: dropped, counted. */
static void test_kernel_untagged_and_runt(void **state)
{
	uint8_t buf[128];
	uint16_t len = ip4_frame(buf, -1, sl_t_ip4(192, 168, 1, 10), IPPROTO_UDP, 16);
	uint64_t untagged = main_drop(SL_DROP_EXC_UNTAGGED), runt = main_drop(SL_DROP_EXC_RUNT);
	uint64_t from = main_cnt(SL_CNT_EXC_FROM_KERNEL);

	rx(P_TAP, buf, len); /* e.g. the TAP's own IPv6 chatter, or this */
	settle();
	assert_int_equal(main_drop(SL_DROP_EXC_UNTAGGED), untagged + 1);

	ip4_frame(buf, TCI_A, sl_t_ip4(192, 168, 1, 10), IPPROTO_UDP, 16);
	rx(P_TAP, buf, 16); /* 0x8100 but cut inside the tag */
	rx(P_TAP, buf, 10); /* not even an Ethernet header */
	settle();
	assert_int_equal(main_drop(SL_DROP_EXC_RUNT), runt + 2);
	assert_null(tx(P_IN));
	assert_null(tx(P_OUT));
	assert_int_equal(main_cnt(SL_CNT_EXC_FROM_KERNEL), from);
}

/* No room for the tag (a shared mbuf cannot be changed): dropped
 * exception_tag_failed, nothing written to the TAP. */
static void test_tag_failed(void **state)
{
	uint8_t bare[128];
	uint16_t blen = ip4_frame(bare, -1, sl_t_ip4(192, 168, 1, 253), IPPROTO_UDP, 16);
	uint64_t failed = main_drop(SL_DROP_EXC_TAG_FAILED), to = main_cnt(SL_CNT_EXC_TO_KERNEL);
	struct rte_mbuf *m = sl_t_mbuf(bare, blen);

	m->port = pid[P_IN];
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = SL_T_VLAN_A;
	sl_meta(m)->in_port = pid[P_IN];
	sl_meta(m)->in_vlan = SL_T_VLAN_A;
	rte_mbuf_refcnt_update(m, 1); /* a second holder: ours */
	sl_exception_to_kernel(&dp, m);
	assert_int_equal(main_drop(SL_DROP_EXC_TAG_FAILED), failed + 1);
	assert_int_equal(main_cnt(SL_CNT_EXC_TO_KERNEL), to);
	assert_null(tx(P_TAP));
	assert_int_equal(rte_mbuf_refcnt_read(m), 1); /* the drop released its reference */
	rte_pktmbuf_free(m);
}

/* Per port: the inside port's TAP carried 2 UDP + 1 ARP copy to the kernel
 * and 1 frame back; the outside port has no TAP. */
static void test_port_counters(void **state)
{
	const struct sl_port_stats *in = port_stats(0), *out = &shm.stats->port[1];

	assert_int_equal(in->exc_to_kernel, 3);
	assert_int_equal(in->exc_from_kernel, 1);
	assert_int_equal(out->exc_to_kernel + out->exc_from_kernel, 0);
	assert_int_equal(main_cnt(SL_CNT_EXC_TO_KERNEL), 3);
	assert_int_equal(main_cnt(SL_CNT_EXC_FROM_KERNEL), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_udp_in_band_tag),
	    cmocka_unit_test(test_udp_stripped_tag_put_back),
	    cmocka_unit_test(test_arp_answered_and_copied),
	    cmocka_unit_test(test_echo_stays_fast),
	    cmocka_unit_test(test_kernel_frame_out_unchanged),
	    cmocka_unit_test(test_kernel_untagged_and_runt),
	    cmocka_unit_test(test_tag_failed),
	    cmocka_unit_test(test_port_counters),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
