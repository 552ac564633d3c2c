/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl_testseg: writes a small, hand-built shared-memory segment for
 * sluicectl's unit test (sluicectl_test.py).
 *
 * Design note
 * -----------
 * The segment is built with the ABI header itself (not with sluiced's
 * compiler) so the test checks sluicectl against the contract alone: one
 * VPC with a few routes of every next-hop type, an Internet table, stats
 * from two lcores, two ports and two neighbours, a police section of three
 * policers (and a hole) with their exported counters. Generation 3 is published,
 * so the active bank is bank 1; bank 0 is filled with garbage to catch a
 * reader that picks the wrong bank. Every value the test checks is a
 * constant here; keep the two files in step.
 *
 * usage: sluicectl_testseg PATH [MODE]
 *   MODE "ok" (default), "badmagic", "badabi", "nogen" (generation 0, no
 *   data plane), "badoff" (a VPC route table pointing outside the bank).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sl_shm.h"

#define TS_BANK_SIZE (256u * 1024u)

/** Bump allocator inside a bank. */
struct ts_bank {
	uint8_t *base;
	uint64_t used;
};

static uint64_t ts_alloc(struct ts_bank *b, size_t size)
{
	uint64_t off = (b->used + 63) & ~UINT64_C(63);

	b->used = off + size;
	if (b->used > TS_BANK_SIZE) {
		fprintf(stderr, "testseg: bank overflow\n");
		exit(1);
	}
	return off;
}

static void ts_v4(uint8_t *dst, const char *s)
{
	if (inet_pton(AF_INET, s, dst) != 1) {
		fprintf(stderr, "testseg: bad v4 %s\n", s);
		exit(1);
	}
}

static void ts_v6(uint8_t *dst, const char *s)
{
	if (inet_pton(AF_INET6, s, dst) != 1) {
		fprintf(stderr, "testseg: bad v6 %s\n", s);
		exit(1);
	}
}

/* The VPC sits on trunk 2 (VLAN 100) so that trunk and VLAN are told apart. */
#define TS_TRUNK 2

static struct sl_nexthop ts_nh(uint8_t type, uint8_t family, uint8_t role, uint16_t vlan,
			       uint32_t vpc, const char *via, const char *src, const char *owner,
			       uint8_t flags)
{
	struct sl_nexthop nh;

	memset(&nh, 0, sizeof(nh));
	nh.type = type;
	nh.family = family;
	nh.port_role = role;
	nh.vlan = vlan;
	nh.trunk = role == SL_ROLE_INSIDE ? TS_TRUNK : 0;
	nh.mtu = type == SL_NH_CONNECTED || type == SL_NH_GATEWAY ? 1500 : 0;
	nh.vpc_index = vpc;
	nh.flags = flags;
	if (via)
		(family == SL_AF_INET ? ts_v4 : ts_v6)(nh.via, via);
	if (src)
		(family == SL_AF_INET ? ts_v4 : ts_v6)(nh.src, src);
	if (owner)
		snprintf(nh.owner_id, sizeof(nh.owner_id), "%s", owner);
	return nh;
}

static struct sl_prefix ts_pfx(const char *addr, uint8_t len, uint8_t family, uint8_t origin,
			       uint32_t nh)
{
	struct sl_prefix p;

	memset(&p, 0, sizeof(p));
	(family == SL_AF_INET ? ts_v4 : ts_v6)(p.addr, addr);
	p.len = len;
	p.family = family;
	p.origin = origin;
	p.nh = nh;
	return p;
}

static uint32_t ts_h4(const char *s)
{
	uint32_t a;

	ts_v4((uint8_t *)&a, s);
	return ntohl(a);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "ok";
	uint64_t seg_size = sl_shm_segment_size(TS_BANK_SIZE);
	uint64_t hdr_size = (sizeof(struct sl_shm_header) + 4095) & ~UINT64_C(4095);
	struct sl_shm_header *h;
	struct sl_stats_header *st;
	struct sl_bank_header *bh;
	struct ts_bank b;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH [ok|badmagic|badabi|nogen|badoff]\n", argv[0]);
		return 2;
	}
	unlink(argv[1]);
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)seg_size) < 0) {
		perror(argv[1]);
		return 1;
	}
	h = mmap(NULL, seg_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED) {
		perror("mmap");
		return 1;
	}

	h->magic = strcmp(mode, "badmagic") == 0 ? UINT64_C(0x1122334455667788) : SL_SHM_MAGIC;
	h->abi_version = strcmp(mode, "badabi") == 0 ? SL_SHM_ABI_VERSION + 7 : SL_SHM_ABI_VERSION;
	h->header_size = sizeof(*h);
	h->segment_size = seg_size;
	h->bank_offset[0] = hdr_size;
	h->bank_offset[1] = hdr_size + TS_BANK_SIZE;
	h->bank_size = TS_BANK_SIZE;
	h->stats_offset = hdr_size + 2 * TS_BANK_SIZE;
	h->stats_size = seg_size - h->stats_offset;
	/* pid 1 is always alive; a data plane pid that cannot exist is not */
	atomic_store(&h->writer_pid, 1);
	atomic_store(&h->writer_start_ns, UINT64_C(1700000000000000000));

	/* Bank 0: stale garbage that must never be shown. */
	memset(sl_shm_bank(h, 0), 0xa5, TS_BANK_SIZE);

	if (strcmp(mode, "nogen") == 0) {
		atomic_store(&h->generation, 0);
		munmap(h, seg_size);
		close(fd);
		return 0;
	}

	/* Bank 1, generation 3. */
	b.base = sl_shm_bank(h, 1);
	b.used = 0;
	ts_alloc(&b, sizeof(*bh));
	bh = (struct sl_bank_header *)b.base;
	bh->magic = SL_BANK_MAGIC;
	bh->generation = 3;

	/* Next hops: 0 unreachable, then VPC and Internet ones. */
	struct sl_nexthop nhs[] = {
	    ts_nh(SL_NH_UNREACHABLE, 0, 0, 0, 0, NULL, NULL, NULL, 0),
	    /* 1 */
	    ts_nh(SL_NH_CONNECTED, SL_AF_INET, SL_ROLE_INSIDE, 100, 0, NULL, "192.168.1.253",
		  "vsw-t1", SL_NH_F_SYSTEM),
	    /* 2 */
	    ts_nh(SL_NH_LOCAL, SL_AF_INET, SL_ROLE_INSIDE, 100, 0, NULL, NULL, "vsw-t1",
		  SL_NH_F_SYSTEM),
	    /* 3 */
	    ts_nh(SL_NH_BLACKHOLE, SL_AF_INET, SL_ROLE_INSIDE, 100, 0, NULL, NULL, "vpc-t",
		  SL_NH_F_SYSTEM),
	    /* 4 */
	    ts_nh(SL_NH_GATEWAY, SL_AF_INET, SL_ROLE_INSIDE, 100, 0, "192.168.1.10",
		  "192.168.1.253", "i-t1", 0),
	    /* 5 */
	    ts_nh(SL_NH_CONNECTED, SL_AF_INET6, SL_ROLE_INSIDE, 100, 0, NULL,
		  "2001:db8:a:1:ffff:ffff:ffff:fffd", "vsw-t1", SL_NH_F_SYSTEM),
	    /* 6 */
	    ts_nh(SL_NH_GATEWAY, SL_AF_INET, SL_ROLE_OUTSIDE, 0, SL_VPC_INTERNET, "203.0.113.1",
		  "203.0.113.2", "internet-route-0", 0),
	    /* 7 */
	    ts_nh(SL_NH_LOCAL, SL_AF_INET, SL_ROLE_OUTSIDE, 0, SL_VPC_INTERNET, NULL, NULL,
		  "gateway", SL_NH_F_SYSTEM),
	};
	uint32_t n_nh = sizeof(nhs) / sizeof(nhs[0]);

	bh->n_nexthops = n_nh;
	bh->nh_off = ts_alloc(&b, sizeof(nhs));
	memcpy(b.base + bh->nh_off, nhs, sizeof(nhs));

	/* VPC routes, deliberately stored unsorted. */
	struct sl_prefix vp[] = {
	    ts_pfx("10.99.0.0", 16, SL_AF_INET, SL_ROUTE_CUSTOM, 4),
	    ts_pfx("192.168.1.0", 24, SL_AF_INET, SL_ROUTE_SYSTEM, 1),
	    ts_pfx("192.168.1.253", 32, SL_AF_INET, SL_ROUTE_SYSTEM, 2),
	    ts_pfx("100.64.0.0", 10, SL_AF_INET, SL_ROUTE_SYSTEM, 3),
	    ts_pfx("2001:db8:a:1::", 64, SL_AF_INET6, SL_ROUTE_SYSTEM, 5),
	};
	struct sl_rt4_entry v4[] = {
	    {0, 0},
	    {ts_h4("10.99.0.0"), 4},
	    {ts_h4("10.100.0.0"), 0},
	    {ts_h4("100.64.0.0"), 3},
	    {ts_h4("100.128.0.0"), 0},
	    {ts_h4("192.168.1.0"), 1},
	    {ts_h4("192.168.1.253"), 2},
	    {ts_h4("192.168.1.254"), 1},
	    {ts_h4("192.168.2.0"), 0},
	};
	struct sl_rt6_entry v6[] = {
	    {0, 0, 0, 0},
	    {UINT64_C(0x20010db8000a0001), 0, 5, 0},
	    {UINT64_C(0x20010db8000a0002), 0, 0, 0},
	};
	struct sl_vpc *vpc;

	bh->n_vpcs = 1;
	bh->vpc_off = ts_alloc(&b, sizeof(*vpc));
	vpc = SL_BANK_PTR(b.base, bh->vpc_off, struct sl_vpc);
	snprintf(vpc->id, sizeof(vpc->id), "vpc-t");
	snprintf(vpc->route_table_id, sizeof(vpc->route_table_id), "vtb-t");
	vpc->index = 0;
	vpc->vlan = 100;
	vpc->trunk = TS_TRUNK;
	vpc->n_vswitches = 1;
	vpc->rt.prefix_off = ts_alloc(&b, sizeof(vp));
	memcpy(b.base + vpc->rt.prefix_off, vp, sizeof(vp));
	vpc->rt.n_prefixes = sizeof(vp) / sizeof(vp[0]);
	vpc->rt.v4_off = ts_alloc(&b, sizeof(v4));
	memcpy(b.base + vpc->rt.v4_off, v4, sizeof(v4));
	vpc->rt.v4_n = sizeof(v4) / sizeof(v4[0]);
	vpc->rt.v6_off = ts_alloc(&b, sizeof(v6));
	memcpy(b.base + vpc->rt.v6_off, v6, sizeof(v6));
	vpc->rt.v6_n = sizeof(v6) / sizeof(v6[0]);
	if (strcmp(mode, "badoff") == 0)
		vpc->rt.prefix_off = TS_BANK_SIZE - 8;

	bh->vlan_map_off = ts_alloc(&b, SL_VLAN_MAP_ENTRIES * sizeof(uint32_t));
	SL_BANK_PTR(b.base, bh->vlan_map_off, uint32_t)[TS_TRUNK * SL_VLAN_COUNT + 100] = 1;

	/* Internet table. */
	struct sl_prefix ip[] = {
	    ts_pfx("203.0.113.2", 32, SL_AF_INET, SL_ROUTE_SYSTEM, 7),
	    ts_pfx("0.0.0.0", 0, SL_AF_INET, SL_ROUTE_STATIC, 6),
	};
	struct sl_rt4_entry i4[] = {
	    {0, 6},
	    {ts_h4("203.0.113.2"), 7},
	    {ts_h4("203.0.113.3"), 6},
	};

	bh->inet.prefix_off = ts_alloc(&b, sizeof(ip));
	memcpy(b.base + bh->inet.prefix_off, ip, sizeof(ip));
	bh->inet.n_prefixes = 2;
	bh->inet.v4_off = ts_alloc(&b, sizeof(i4));
	memcpy(b.base + bh->inet.v4_off, i4, sizeof(i4));
	bh->inet.v4_n = 3;
	bh->inet.v6_off = ts_alloc(&b, 0);
	bh->inet.v6_n = 0;

	/* Police section: 0 eip-t's own outbound (10 Mbps, parent 2), 1 a
	 * hole, 2 package cbwp-t outbound (100 Mbps), 3 eip-t inbound; 4
	 * (police6) ipv6-t outbound, named by ip6[0] (2001:db8:a:1::10). */
	struct sl_pol_ent pols[5] = {
	    {.rate = 1250000, .tag = 0x11, .burst = 15180, .parent = 2, .mbps = 10,
	     .addr = ts_h4("198.51.100.1"), .kind = SL_POL_KIND_IP, .dir = SL_POL_DIR_OUT,
	     .id = "eip-t"},
	    {.parent = SL_POL_IDX_NONE},
	    {.rate = 12500000, .tag = 0x22, .burst = 125000, .parent = SL_POL_IDX_NONE,
	     .mbps = 100, .kind = SL_POL_KIND_CBWP, .dir = SL_POL_DIR_OUT, .id = "cbwp-t"},
	    {.rate = 1250000, .tag = 0x33, .burst = 15180, .parent = SL_POL_IDX_NONE, .mbps = 10,
	     .addr = ts_h4("198.51.100.1"), .kind = SL_POL_KIND_IP, .dir = SL_POL_DIR_IN,
	     .id = "eip-t"},
	    {.rate = 2500000, .tag = 0x44, .burst = 500000, .parent = SL_POL_IDX_NONE, .mbps = 20,
	     .kind = SL_POL_KIND_IP6, .dir = SL_POL_DIR_OUT, .id = "ipv6-t"},
	};
	struct sl_pol_ip6_ent ip6 = {.addr = {0x20, 0x01, 0x0d, 0xb8, 0, 0x0a, 0, 0x01, [15] = 0x10},
				     .pol = {4, SL_POL_IDX_NONE}};
	struct sl_pol_sec *ps;
	uint64_t poff = ts_alloc(&b, 64 + sizeof(pols) + sizeof(ip6));

	ps = SL_BANK_PTR(b.base, poff, struct sl_pol_sec);
	ps->n_pols = 5;
	ps->n_ip6 = 1;
	ps->pol_off = 64;
	ps->ip_off = ps->ip6_off = 64 + sizeof(pols);
	ps->size = ps->ip6_off + sizeof(ip6);
	memcpy((uint8_t *)ps + 64, pols, sizeof(pols));
	memcpy((uint8_t *)ps + ps->ip6_off, &ip6, sizeof(ip6));
	bh->police_off = poff;
	bh->police_size = ps->size;
	bh->used = b.used;
	atomic_store(&h->generation, 3);

	/* Data plane: attached, a pid that cannot exist, two lcores acked. */
	atomic_store(&h->dp_pid, 0x3ffffffe);
	atomic_store(&h->dp_n_lcores, 2);
	atomic_store(&h->dp_start_ns, UINT64_C(1700000001000000000));
	for (unsigned int i = 0; i < 2; i++) {
		h->lcore[i].lcore_id = i + 1;
		atomic_store(&h->lcore[i].online, 1);
		atomic_store(&h->lcore[i].ack_generation, i == 0 ? 3 : 2);
	}

	st = sl_shm_stats(h);
	st->magic = SL_STATS_MAGIC;
	st->n_lcores = 2;
	st->lcore[0].drop[SL_DROP_UNKNOWN_VLAN] = 5;
	st->lcore[1].drop[SL_DROP_UNKNOWN_VLAN] = 7;
	st->lcore[1].drop[SL_DROP_NO_ROUTE] = 2;
	st->lcore[0].cnt[SL_CNT_RX_PKTS] = 100;
	st->lcore[1].cnt[SL_CNT_RX_PKTS] = 23;
	st->lcore[0].cnt[SL_CNT_FWD_IP4] = 40;
	/* Slot 2 is beyond n_lcores: must not be summed. */
	st->lcore[2].drop[SL_DROP_UNKNOWN_VLAN] = 1000;
	/* Operators' counters (issue 11): vpc-t's table on both lcores, the
	 * Internet's on lcore 2; queue 0 of inside0 (worker in slot 1). */
	st->rt[0][0] = (struct sl_rt_stats){3, 300};
	st->rt[1][0] = (struct sl_rt_stats){4, 400};
	st->rt[1][SL_RT_STATS_INET] = (struct sl_rt_stats){10, 1000};
	st->rt[2][0] = (struct sl_rt_stats){1000, 1000}; /* beyond n_lcores */
	st->queue[1][0] = (struct sl_queue_stats){.rx_pkts = 5, .rx_bytes = 500, .tx_pkts = 6,
						  .tx_bytes = 600, .tx_full = 1, .no_mbuf = 2};
	st->queue[0][0].rx_pkts = 77; /* the main lcore owns no queue: not shown */

	st->n_ports = 2;
	snprintf(st->port[0].name, sizeof(st->port[0].name), "inside0");
	st->port[0].port_id = 0;
	st->port[0].role = SL_ROLE_INSIDE;
	st->port[0].trunk = TS_TRUNK;
	st->port[0].link_up = 1;
	st->port[0].mtu = 1500;
	memcpy(st->port[0].mac, "\x02\x00\x00\x00\x00\x01", 6);
	st->port[0].ipackets = 11;
	st->port[0].opackets = 12;
	snprintf(st->port[1].name, sizeof(st->port[1].name), "outside0");
	st->port[1].port_id = 1;
	st->port[1].role = SL_ROLE_OUTSIDE;
	st->port[1].mtu = 1500;

	st->n_neigh = 2;
	st->neigh[0].vpc_index = SL_VPC_INTERNET;
	st->neigh[0].port_role = SL_ROLE_OUTSIDE;
	st->neigh[0].family = SL_AF_INET;
	ts_v4(st->neigh[0].addr, "203.0.113.1");
	memcpy(st->neigh[0].mac, "\x02\x00\x00\x00\x00\x0f", 6);
	st->neigh[0].state = SL_NEIGH_REACHABLE;
	st->neigh[1].vpc_index = 0;
	st->neigh[1].vlan = 100;
	st->neigh[1].trunk = TS_TRUNK;
	st->neigh[1].port_role = SL_ROLE_INSIDE;
	st->neigh[1].family = SL_AF_INET;
	ts_v4(st->neigh[1].addr, "192.168.1.10");
	memcpy(st->neigh[1].mac, "\x02\x00\x00\x00\x00\x0a", 6);
	st->neigh[1].state = SL_NEIGH_REACHABLE;
	st->neigh[1].age_ms = 1500;
	/* HaVip hv-t (192.168.1.100) held by i-t (issue 12) */
	st->n_havip = 1;
	snprintf(st->havip[0].havip_id, SL_ID_LEN, "hv-t");
	snprintf(st->havip[0].holder_id, SL_ID_LEN, "i-t");
	st->havip[0].vpc_index = 0;
	st->havip[0].addr = UINT32_C(0xc0a80164);
	memcpy(st->havip[0].mac, "\x02\x00\x00\x00\x00\x0a", 6);
	st->havip[0].age_ms = 2500;
	st->havip[0].changes = 3;
	/* IPv6 gateway (issue 6): 7 egress-only flows of 65,536, some drops */
	st->ip6eo_capacity = 65536;
	st->ip6eo_flows = 7;
	st->lcore[0].drop[SL_DROP_IP6GW_EGRESS_ONLY] = 4;
	st->lcore[1].drop[SL_DROP_IP6GW_EGRESS_ONLY] = 1;
	st->lcore[1].cnt[SL_CNT_IP6GW_RULE_HAVIP] = 6;
	st->updated_ns = UINT64_C(1700000002000000000);

	/* policers 0 and 2 applied with counters; 3 still has another tag */
	st->n_pol_export = 16;
	st->pol[0] = (struct sl_pol_export){0x11, 1250000, 5, 5000, 2, 2000};
	st->pol[2] = (struct sl_pol_export){0x22, 12500000, 7, 7000, 0, 0};
	st->pol[3] = (struct sl_pol_export){0x99, 1250000, 1, 1, 1, 1};
	atomic_store(&st->seq, 2);

	if (msync(h, seg_size, MS_SYNC) < 0 || munmap(h, seg_size) < 0 || close(fd) < 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
