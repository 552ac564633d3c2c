/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the core unit tests (one executable per *_test.c, so
 * everything here is static).
 *
 * EAL runs without hugepages or PCI. DPDK 22.11 refuses --in-memory together
 * with --no-huge (which implies legacy memory), so the tests use
 * --no-shconf and a per-process --file-prefix instead: nothing is left in
 * /var/run and parallel tests do not collide.
 *
 * Ports are not needed for most tests: sl_ports[] entries are filled by hand
 * (the NEIGH and ARP/ND code only reads MAC, role and enabled) and frames
 * the main lcore would inject are captured by sl_t_xmit().
 */
#ifndef SL_CORE_TEST_H
#define SL_CORE_TEST_H

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "sl_dp.h"
#include "sl_neigh.h"
#include "sl_port.h"

#define SL_T_PORT_IN 0
#define SL_T_PORT_OUT 1
#define SL_T_VLAN_A 100

static const struct rte_ether_addr sl_t_mac_in = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
static const struct rte_ether_addr sl_t_mac_out = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};

static char sl_t_runtime_dir[PATH_MAX];

/* EAL leaves an empty runtime directory per file prefix: remove it. */
static inline void sl_t_eal_fini(void)
{
	rte_eal_cleanup();
	if (sl_t_runtime_dir[0])
		rmdir(sl_t_runtime_dir);
}

static inline void sl_t_eal_init(void)
{
	static bool done;
	char prefix[64];
	char *argv[] = {"sl_core_test",
			"--no-huge",
			"-m",
			"256",
			"--no-shconf",
			"--no-pci",
			"--no-telemetry",
			"--log-level=lib.*:error",
			prefix,
			NULL};

	if (done)
		return;
	snprintf(prefix, sizeof(prefix), "--file-prefix=sl_core_test_%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "EAL init failed\n");
		exit(1);
	}
	snprintf(sl_t_runtime_dir, sizeof(sl_t_runtime_dir), "%s", rte_eal_get_runtime_dir());
	atexit(sl_t_eal_fini);
	done = true;
}

/* Packet pool and two fake ports (no ethdev behind them). */
static inline void sl_t_env_init(void)
{
	sl_t_eal_init();
	if (!sl_pktmbuf_pool)
		assert_int_equal(sl_pool_create(2047), 0);
	memset(sl_ports, 0, sizeof(sl_ports));
	sl_ports[SL_T_PORT_IN].mac = sl_t_mac_in;
	sl_ports[SL_T_PORT_IN].role = SL_ROLE_INSIDE;
	sl_ports[SL_T_PORT_IN].enabled = 1;
	sl_ports[SL_T_PORT_IN].mtu = 1500;
	sl_ports[SL_T_PORT_OUT].mac = sl_t_mac_out;
	sl_ports[SL_T_PORT_OUT].role = SL_ROLE_OUTSIDE;
	sl_ports[SL_T_PORT_OUT].enabled = 1;
	sl_ports[SL_T_PORT_OUT].mtu = 1500;
	sl_role_port[SL_ROLE_INSIDE] = SL_T_PORT_IN;
	sl_trunk_port[0] = SL_T_PORT_IN;
	sl_role_port[SL_ROLE_OUTSIDE] = SL_T_PORT_OUT;
}

/* A worker context whose counters live in a private stats block. */
struct sl_t_ctx {
	struct sl_dp dp;
	struct sl_worker *w;
	struct sl_lcore_stats *stats;
	/* frames "sent" through the neighbour table's xmit */
	unsigned int n_sent;
	struct rte_mbuf *sent[64];
	uint32_t sent_hash[64];
};

static inline void sl_t_xmit(void *arg, struct rte_mbuf *m, uint32_t hash)
{
	struct sl_t_ctx *c = arg;

	assert_true(c->n_sent < RTE_DIM(c->sent));
	c->sent_hash[c->n_sent] = hash;
	c->sent[c->n_sent++] = m;
}

static inline void sl_t_ctx_init(struct sl_t_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->stats = rte_zmalloc("sl_t_stats", sizeof(*c->stats), RTE_CACHE_LINE_SIZE);
	assert_non_null(c->stats);
	c->w = sl_worker_create(&c->dp, -1, rte_lcore_id());
	assert_non_null(c->w);
	c->w->stats = c->stats;
	c->dp.main_w = c->w;
	c->dp.n_workers = 1;
}

static inline void sl_t_sent_free(struct sl_t_ctx *c)
{
	for (unsigned int i = 0; i < c->n_sent; i++)
		rte_pktmbuf_free(c->sent[i]);
	c->n_sent = 0;
}

static inline void sl_t_ctx_fini(struct sl_t_ctx *c)
{
	sl_t_sent_free(c);
	if (c->dp.neigh)
		sl_neigh_free(c->dp.neigh);
	sl_worker_free(c->w);
	rte_free(c->stats);
}

/* An mbuf holding `len` bytes of `data` with zeroed metadata. */
static inline struct rte_mbuf *sl_t_mbuf(const void *data, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(sl_pktmbuf_pool);
	char *p;

	assert_non_null(m);
	p = rte_pktmbuf_append(m, len);
	assert_non_null(p);
	if (data)
		memcpy(p, data, len);
	else
		memset(p, 0, len);
	memset(sl_meta(m), 0, sizeof(struct sl_meta));
	return m;
}

/* An in-memory segment laid out like sluiced's (no file behind it). */
static inline void sl_t_segment(struct sl_shm *s, uint64_t bank_size)
{
	uint64_t hdr = (sizeof(struct sl_shm_header) + 4095) & ~4095ull;
	uint64_t size = sl_shm_segment_size(bank_size);
	struct sl_shm_header *h = rte_zmalloc("sl_t_seg", size, 4096);

	assert_non_null(h);
	memset(s, 0, sizeof(*s));
	h->magic = SL_SHM_MAGIC;
	h->abi_version = SL_SHM_ABI_VERSION;
	h->header_size = sizeof(*h);
	h->segment_size = size;
	h->bank_offset[0] = hdr;
	h->bank_offset[1] = hdr + bank_size;
	h->bank_size = bank_size;
	h->stats_offset = hdr + 2 * bank_size;
	h->stats_size = size - h->stats_offset;
	s->hdr = h;
	s->size = size;
	s->fd = -1;
	s->stats = sl_shm_stats(h);
}

/* ---- a hand-built bank ------------------------------------------------- */

/*
 * VPC 0 ("vpc-a", VLAN 100):
 *   v4  192.168.1.0/24 CONNECTED (nh 1), 192.168.1.253/32 LOCAL (nh 3),
 *       10.99.0.0/16 GATEWAY via 192.168.2.10 (nh 4)
 *   v6  2001:db8:a:1::/64 CONNECTED (nh 2), 2001:db8:a:1:ffff:ffff:ffff:fffd
 *       LOCAL (nh 3)
 * Internet: 203.0.113.2/32 LOCAL (nh 3), 0.0.0.0/0 GATEWAY via 203.0.113.1
 *       (nh 5)
 */
#define SL_T_BANK_SIZE (1u << 20)

#define SL_T_NH_CONN4 1
#define SL_T_NH_CONN6 2
#define SL_T_NH_LOCAL 3
#define SL_T_NH_GW4 4
#define SL_T_NH_INET4 5

static inline uint32_t sl_t_ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return ((uint32_t)a << 24) | ((uint32_t)b << 16) | ((uint32_t)c << 8) | d;
}

static const uint8_t sl_t_gw6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0a, 0x00, 0x01,
				     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd};
static const uint8_t sl_t_a1_6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0a, 0x00, 0x01,
				      0,    0,	  0,	0,    0,    0,	  0,	0x10};

static inline void sl_t_be6(const uint8_t *a, uint64_t *hi, uint64_t *lo)
{
	*hi = 0;
	*lo = 0;
	for (int i = 0; i < 8; i++) {
		*hi = (*hi << 8) | a[i];
		*lo = (*lo << 8) | a[8 + i];
	}
}

static inline struct sl_bank_header *sl_t_bank_build(uint64_t generation)
{
	struct sl_bank_header *b = rte_zmalloc("sl_t_bank", SL_T_BANK_SIZE, 64);
	uint8_t *base = (uint8_t *)b;
	uint64_t off = 4096;
	struct sl_nexthop *nh;
	struct sl_vpc *vpc;
	uint32_t *vm;
	struct sl_rt4_entry *r4;
	struct sl_rt6_entry *r6;
	uint64_t hi, lo;

	assert_non_null(b);
	b->magic = SL_BANK_MAGIC;
	b->generation = generation;
	b->n_nexthops = 6;
	b->nh_off = off;
	nh = (struct sl_nexthop *)(base + off);
	off += 6 * sizeof(*nh);
	nh[0].type = SL_NH_UNREACHABLE;
	nh[SL_T_NH_CONN4] = (struct sl_nexthop){.type = SL_NH_CONNECTED,
						.family = SL_AF_INET,
						.port_role = SL_ROLE_INSIDE,
						.vlan = SL_T_VLAN_A,
						.mtu = 1500,
						.vpc_index = 0};
	nh[SL_T_NH_CONN4].src[0] = 192;
	nh[SL_T_NH_CONN4].src[1] = 168;
	nh[SL_T_NH_CONN4].src[2] = 1;
	nh[SL_T_NH_CONN4].src[3] = 253;
	nh[SL_T_NH_CONN6] = (struct sl_nexthop){.type = SL_NH_CONNECTED,
						.family = SL_AF_INET6,
						.port_role = SL_ROLE_INSIDE,
						.vlan = SL_T_VLAN_A,
						.mtu = 1500,
						.vpc_index = 0};
	memcpy(nh[SL_T_NH_CONN6].src, sl_t_gw6, 16);
	nh[SL_T_NH_LOCAL] = (struct sl_nexthop){.type = SL_NH_LOCAL};
	nh[SL_T_NH_GW4] = (struct sl_nexthop){.type = SL_NH_GATEWAY,
					      .family = SL_AF_INET,
					      .port_role = SL_ROLE_INSIDE,
					      .vlan = SL_T_VLAN_A,
					      .mtu = 1500,
					      .vpc_index = 0,
					      .via = {192, 168, 2, 10},
					      .src = {192, 168, 2, 253}};
	nh[SL_T_NH_INET4] = (struct sl_nexthop){.type = SL_NH_GATEWAY,
						.family = SL_AF_INET,
						.port_role = SL_ROLE_OUTSIDE,
						.vlan = 0,
						.mtu = 1500,
						.vpc_index = SL_VPC_INTERNET,
						.via = {203, 0, 113, 1},
						.src = {203, 0, 113, 2}};

	b->vlan_map_off = off;
	vm = (uint32_t *)(base + off);
	off += SL_VLAN_MAP_ENTRIES * sizeof(uint32_t);
	vm[SL_T_VLAN_A] = 1;

	b->n_vpcs = 1;
	b->vpc_off = off;
	vpc = (struct sl_vpc *)(base + off);
	off += sizeof(*vpc);
	snprintf(vpc->id, sizeof(vpc->id), "vpc-a");
	vpc->vlan = SL_T_VLAN_A;

	vpc->rt.v4_off = off;
	r4 = (struct sl_rt4_entry *)(base + off);
	r4[0] = (struct sl_rt4_entry){0, 0};
	r4[1] = (struct sl_rt4_entry){sl_t_ip4(10, 99, 0, 0), SL_T_NH_GW4};
	r4[2] = (struct sl_rt4_entry){sl_t_ip4(10, 100, 0, 0), 0};
	r4[3] = (struct sl_rt4_entry){sl_t_ip4(192, 168, 1, 0), SL_T_NH_CONN4};
	r4[4] = (struct sl_rt4_entry){sl_t_ip4(192, 168, 1, 253), SL_T_NH_LOCAL};
	r4[5] = (struct sl_rt4_entry){sl_t_ip4(192, 168, 1, 254), SL_T_NH_CONN4};
	r4[6] = (struct sl_rt4_entry){sl_t_ip4(192, 168, 2, 0), 0};
	vpc->rt.v4_n = 7;
	off += 7 * sizeof(*r4);

	vpc->rt.v6_off = off;
	r6 = (struct sl_rt6_entry *)(base + off);
	r6[0] = (struct sl_rt6_entry){0, 0, 0, 0};
	sl_t_be6(sl_t_gw6, &hi, &lo);
	r6[1] = (struct sl_rt6_entry){hi, 0, SL_T_NH_CONN6, 0};
	r6[2] = (struct sl_rt6_entry){hi, lo, SL_T_NH_LOCAL, 0};
	r6[3] = (struct sl_rt6_entry){hi, lo + 1, SL_T_NH_CONN6, 0};
	r6[4] = (struct sl_rt6_entry){hi + 1, 0, 0, 0};
	vpc->rt.v6_n = 5;
	off += 5 * sizeof(*r6);

	b->inet.v4_off = off;
	r4 = (struct sl_rt4_entry *)(base + off);
	r4[0] = (struct sl_rt4_entry){0, SL_T_NH_INET4};
	r4[1] = (struct sl_rt4_entry){sl_t_ip4(203, 0, 113, 2), SL_T_NH_LOCAL};
	r4[2] = (struct sl_rt4_entry){sl_t_ip4(203, 0, 113, 3), SL_T_NH_INET4};
	b->inet.v4_n = 3;
	off += 3 * sizeof(*r4);
	b->used = off;
	return b;
}

#endif /* SL_CORE_TEST_H */
