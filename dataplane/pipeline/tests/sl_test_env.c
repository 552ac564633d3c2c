/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test environment for the pipeline stage unit tests: see sl_test_env.h for
 * the design note. Single-threaded test code; aborts on setup failures.
 */
#include "sl_test_env.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

static void sl_t_die(const char *what)
{
	fprintf(stderr, "test setup failed: %s\n", what);
	abort();
}

/* ---- addresses and checksums ------------------------------------------------ */

void sl_t_addr(const char *s, uint8_t *out)
{
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, out) != 1)
			sl_t_die(s);
	} else if (inet_pton(AF_INET, s, out) != 1) {
		sl_t_die(s);
	}
}

uint32_t sl_t_ip4(const char *s)
{
	uint32_t a;

	sl_t_addr(s, (uint8_t *)&a);
	return a;
}

uint32_t sl_t_sum(const uint8_t *b, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	return s;
}

static uint16_t sl_t_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

uint16_t sl_t_cksum(const uint8_t *b, size_t n)
{
	return (uint16_t)~sl_t_fold(sl_t_sum(b, n));
}

bool sl_t_cksum_ok(const uint8_t *b, size_t n)
{
	return sl_t_fold(sl_t_sum(b, n)) == 0xffff;
}

static uint32_t sl_t_pseudo6(const uint8_t *src, const uint8_t *dst, uint32_t len, uint8_t proto)
{
	uint8_t ph[40];

	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	ph[32] = (uint8_t)(len >> 24);
	ph[33] = (uint8_t)(len >> 16);
	ph[34] = (uint8_t)(len >> 8);
	ph[35] = (uint8_t)len;
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = proto;
	return sl_t_sum(ph, sizeof(ph));
}

bool sl_t_icmp6_ok(const uint8_t *src, const uint8_t *dst, const uint8_t *msg, size_t len)
{
	return sl_t_fold(sl_t_pseudo6(src, dst, (uint32_t)len, 58) + sl_t_sum(msg, len)) == 0xffff;
}

uint32_t sl_t_bytes(const struct rte_mbuf *m, uint32_t off, uint8_t *out, uint32_t max)
{
	uint32_t len = rte_pktmbuf_pkt_len(m) - off;
	const void *p;

	if (len > max)
		sl_t_die("packet larger than the test buffer");
	p = rte_pktmbuf_read(m, off, len, out);
	if (p != out)
		memcpy(out, p, len);
	return len;
}

/* ---- bank builder -------------------------------------------------------------- */

struct sl_tb *sl_tb_new(void)
{
	struct sl_tb *tb = calloc(1, sizeof(*tb));

	if (tb == NULL)
		sl_t_die("calloc");
	tb->n_nh = 1; /* 0 = UNREACHABLE, all zero */
	tb->inet.p = calloc(SL_TB_MAX_PFX, sizeof(struct sl_tb_prefix));
	if (tb->inet.p == NULL)
		sl_t_die("calloc");
	return tb;
}

void sl_tb_free(struct sl_tb *tb)
{
	if (tb == NULL)
		return;
	for (unsigned int i = 0; i < tb->n_vpc; i++)
		free(tb->vpc[i].rt.p);
	free(tb->inet.p);
	free(tb);
}

uint32_t sl_tb_vpc(struct sl_tb *tb, const char *id, uint16_t vlan)
{
	uint32_t i = tb->n_vpc++;

	if (i >= SL_TB_MAX_VPC)
		sl_t_die("too many VPCs");
	snprintf(tb->vpc[i].id, SL_ID_LEN, "%s", id);
	tb->vpc[i].vlan = vlan;
	tb->vpc[i].rt.p = calloc(SL_TB_MAX_PFX, sizeof(struct sl_tb_prefix));
	if (tb->vpc[i].rt.p == NULL)
		sl_t_die("calloc");
	return i;
}

struct sl_tb_table *sl_tb_table(struct sl_tb *tb, uint32_t vpc)
{
	return vpc == SL_VPC_INTERNET ? &tb->inet : &tb->vpc[vpc].rt;
}

uint32_t sl_tb_nh(struct sl_tb *tb, uint8_t type, uint8_t role, uint16_t vlan, uint16_t mtu,
		  uint32_t vpc_index, const char *via, const char *src)
{
	uint32_t i = tb->n_nh++;
	struct sl_nexthop *nh = &tb->nh[i];
	const char *any = via != NULL ? via : src;

	if (i >= SL_TB_MAX_NH)
		sl_t_die("too many next hops");
	memset(nh, 0, sizeof(*nh));
	nh->type = type;
	nh->family = (any != NULL && strchr(any, ':') != NULL) ? SL_AF_INET6 : SL_AF_INET;
	nh->port_role = role;
	nh->vlan = vlan;
	nh->mtu = mtu;
	nh->vpc_index = vpc_index;
	if (via != NULL)
		sl_t_addr(via, nh->via);
	if (src != NULL)
		sl_t_addr(src, nh->src);
	snprintf(nh->owner_id, sizeof(nh->owner_id), "nh-%u", i);
	return i;
}

void sl_tb_route(struct sl_tb_table *t, const char *cidr, uint32_t nh)
{
	char buf[64];
	char *slash;
	struct sl_tb_prefix *p;
	unsigned int bits, i;

	if (t->n >= SL_TB_MAX_PFX)
		sl_t_die("too many prefixes");
	p = &t->p[t->n++];
	memset(p, 0, sizeof(*p));
	snprintf(buf, sizeof(buf), "%s", cidr);
	slash = strchr(buf, '/');
	if (slash == NULL)
		sl_t_die(cidr);
	*slash = 0;
	p->len = (uint8_t)atoi(slash + 1);
	sl_t_addr(buf, p->addr);
	p->family = strchr(buf, ':') != NULL ? SL_AF_INET6 : SL_AF_INET;
	bits = p->family == SL_AF_INET6 ? 128 : 32;
	for (i = p->len; i < bits; i++)
		p->addr[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
	p->nh = nh;
}

static uint32_t sl_tb_get4(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

static unsigned __int128 sl_tb_get6(const uint8_t *a)
{
	unsigned __int128 v = 0;

	for (int i = 0; i < 16; i++)
		v = v << 8 | a[i];
	return v;
}

static unsigned __int128 sl_tb_mask6(unsigned int len)
{
	return len == 0 ? 0 : ~(unsigned __int128)0 << (128 - len);
}

uint32_t sl_tb_lpm4(const struct sl_tb_table *t, uint32_t addr)
{
	int best = -1;
	uint32_t nh = SL_NH_NONE;

	for (unsigned int i = 0; i < t->n; i++) {
		const struct sl_tb_prefix *p = &t->p[i];
		uint32_t mask;

		if (p->family != SL_AF_INET)
			continue;
		mask = p->len == 0 ? 0 : ~UINT32_C(0) << (32 - p->len);
		/* later entries with the same prefix replace earlier ones */
		if ((addr & mask) == sl_tb_get4(p->addr) && (int)p->len >= best) {
			best = p->len;
			nh = p->nh;
		}
	}
	return nh;
}

uint32_t sl_tb_lpm6(const struct sl_tb_table *t, unsigned __int128 addr)
{
	int best = -1;
	uint32_t nh = SL_NH_NONE;

	for (unsigned int i = 0; i < t->n; i++) {
		const struct sl_tb_prefix *p = &t->p[i];

		if (p->family != SL_AF_INET6)
			continue;
		if ((addr & sl_tb_mask6(p->len)) == sl_tb_get6(p->addr) && (int)p->len >= best) {
			best = p->len;
			nh = p->nh;
		}
	}
	return nh;
}

static int sl_tb_cmp32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int sl_tb_cmp128(const void *a, const void *b)
{
	unsigned __int128 x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x < y ? -1 : x > y;
}

unsigned int sl_tb_compile4(const struct sl_tb_table *t, struct sl_rt4_entry *out)
{
	uint32_t *bnd = malloc((2 * t->n + 1) * sizeof(*bnd));
	unsigned int nb = 0, n = 0, i;

	if (bnd == NULL)
		sl_t_die("malloc");
	bnd[nb++] = 0;
	for (i = 0; i < t->n; i++) {
		const struct sl_tb_prefix *p = &t->p[i];
		uint32_t mask, start, end;

		if (p->family != SL_AF_INET)
			continue;
		mask = p->len == 0 ? 0 : ~UINT32_C(0) << (32 - p->len);
		start = sl_tb_get4(p->addr);
		end = start | ~mask;
		bnd[nb++] = start;
		if (end != UINT32_MAX)
			bnd[nb++] = end + 1;
	}
	qsort(bnd, nb, sizeof(*bnd), sl_tb_cmp32);
	for (i = 0; i < nb; i++) {
		uint32_t nh;

		if (i > 0 && bnd[i] == bnd[i - 1])
			continue;
		nh = sl_tb_lpm4(t, bnd[i]);
		if (n > 0 && out[n - 1].nh == nh)
			continue;
		out[n].start = bnd[i];
		out[n].nh = nh;
		n++;
	}
	free(bnd);
	return n;
}

unsigned int sl_tb_compile6(const struct sl_tb_table *t, struct sl_rt6_entry *out)
{
	unsigned __int128 *bnd = malloc((2 * t->n + 1) * sizeof(*bnd));
	unsigned int nb = 0, n = 0, i;

	if (bnd == NULL)
		sl_t_die("malloc");
	bnd[nb++] = 0;
	for (i = 0; i < t->n; i++) {
		const struct sl_tb_prefix *p = &t->p[i];
		unsigned __int128 start, end;

		if (p->family != SL_AF_INET6)
			continue;
		start = sl_tb_get6(p->addr);
		end = start | ~sl_tb_mask6(p->len);
		bnd[nb++] = start;
		if (end != ~(unsigned __int128)0)
			bnd[nb++] = end + 1;
	}
	qsort(bnd, nb, sizeof(*bnd), sl_tb_cmp128);
	for (i = 0; i < nb; i++) {
		uint32_t nh;

		if (i > 0 && bnd[i] == bnd[i - 1])
			continue;
		nh = sl_tb_lpm6(t, bnd[i]);
		if (n > 0 && out[n - 1].nh == nh)
			continue;
		out[n].start_hi = (uint64_t)(bnd[i] >> 64);
		out[n].start_lo = (uint64_t)bnd[i];
		out[n].nh = nh;
		out[n].pad = 0;
		n++;
	}
	free(bnd);
	return n;
}

static uint64_t sl_tb_align(uint64_t x)
{
	return (x + SL_CACHE_LINE - 1) & ~(uint64_t)(SL_CACHE_LINE - 1);
}

/* Reserve room for one table's arrays, then fill them. */
static uint64_t sl_tb_table_size(const struct sl_tb_table *t)
{
	return sl_tb_align((t->n * 2 + 1) * sizeof(struct sl_rt4_entry)) +
	       sl_tb_align((t->n * 2 + 1) * sizeof(struct sl_rt6_entry)) +
	       sl_tb_align((t->n + 1) * sizeof(struct sl_prefix));
}

static uint64_t sl_tb_table_fill(uint8_t *bank, uint64_t off, const struct sl_tb_table *src,
				 struct sl_route_table *rt)
{
	struct sl_prefix *pl;

	rt->v4_off = off;
	rt->v4_n = sl_tb_compile4(src, (struct sl_rt4_entry *)(bank + off));
	off += sl_tb_align((src->n * 2 + 1) * sizeof(struct sl_rt4_entry));
	rt->v6_off = off;
	rt->v6_n = sl_tb_compile6(src, (struct sl_rt6_entry *)(bank + off));
	off += sl_tb_align((src->n * 2 + 1) * sizeof(struct sl_rt6_entry));
	rt->prefix_off = off;
	rt->n_prefixes = src->n;
	pl = (struct sl_prefix *)(bank + off);
	for (unsigned int i = 0; i < src->n; i++) {
		memcpy(pl[i].addr, src->p[i].addr, 16);
		pl[i].len = src->p[i].len;
		pl[i].family = src->p[i].family;
		pl[i].origin = src->p[i].origin;
		pl[i].nh = src->p[i].nh;
	}
	off += sl_tb_align((src->n + 1) * sizeof(struct sl_prefix));
	return off;
}

struct sl_bank_header *sl_tb_build(const struct sl_tb *tb)
{
	uint64_t size, off;
	struct sl_bank_header *h;
	uint8_t *bank;
	struct sl_vpc *vpcs;
	uint32_t *vlan_map;
	unsigned int i;

	size = sl_tb_align(sizeof(*h)) + sl_tb_align(tb->n_vpc * sizeof(struct sl_vpc) + 1) +
	       sl_tb_align(tb->n_nh * sizeof(struct sl_nexthop)) +
	       sl_tb_align(SL_VLAN_MAP_ENTRIES * sizeof(uint32_t)) + sl_tb_table_size(&tb->inet);
	for (i = 0; i < tb->n_vpc; i++)
		size += sl_tb_table_size(&tb->vpc[i].rt);
	bank = aligned_alloc(SL_CACHE_LINE, size);
	if (bank == NULL)
		sl_t_die("aligned_alloc");
	memset(bank, 0, size);
	h = (struct sl_bank_header *)bank;
	h->magic = SL_BANK_MAGIC;
	h->generation = 1;
	h->n_vpcs = tb->n_vpc;
	h->n_nexthops = tb->n_nh;

	off = sl_tb_align(sizeof(*h));
	h->vpc_off = off;
	off += sl_tb_align(tb->n_vpc * sizeof(struct sl_vpc) + 1);
	h->nh_off = off;
	memcpy(bank + off, tb->nh, tb->n_nh * sizeof(struct sl_nexthop));
	off += sl_tb_align(tb->n_nh * sizeof(struct sl_nexthop));
	h->vlan_map_off = off;
	vlan_map = (uint32_t *)(bank + off);
	off += sl_tb_align(SL_VLAN_MAP_ENTRIES * sizeof(uint32_t));

	vpcs = (struct sl_vpc *)(bank + h->vpc_off);
	for (i = 0; i < tb->n_vpc; i++) {
		snprintf(vpcs[i].id, SL_ID_LEN, "%s", tb->vpc[i].id);
		snprintf(vpcs[i].route_table_id, SL_ID_LEN, "vtb-%.59s", tb->vpc[i].id);
		vpcs[i].index = i;
		vpcs[i].vlan = tb->vpc[i].vlan;
		vpcs[i].trunk = tb->vpc[i].trunk;
		vlan_map[tb->vpc[i].trunk * SL_VLAN_COUNT + tb->vpc[i].vlan] = i + 1;
		off = sl_tb_table_fill(bank, off, &tb->vpc[i].rt, &vpcs[i].rt);
	}
	off = sl_tb_table_fill(bank, off, &tb->inet, &h->inet);
	h->used = off;
	return h;
}

/* ---- EAL, ports, world ------------------------------------------------------------ */

const uint8_t sl_t_mac_in[6] = {0x02, 0, 0, 0, 0, 0x01};
const uint8_t sl_t_mac_out[6] = {0x02, 0, 0, 0, 0, 0x02};
const uint8_t sl_t_mac_peer[6] = {0x02, 0, 0, 0, 0, 0x99};

static char sl_t_runtime_dir[PATH_MAX];

/* The EAL leaves an (empty) runtime directory per file prefix: remove it. */
static void sl_t_eal_fini(void)
{
	rte_eal_cleanup();
	if (sl_t_runtime_dir[0] != 0)
		rmdir(sl_t_runtime_dir);
}

void sl_test_eal_init(void)
{
	static bool done;
	char prefix[64];
	/* DPDK 22.11 refuses --in-memory with --no-huge (which implies legacy
	 * memory); --no-shconf plus a per-process file prefix gives the same
	 * isolation: no runtime files shared with any other process. */
	char *argv[] = {"sl_test",
			"--no-huge",
			"-m",
			"256",
			"--no-shconf",
			"--no-pci",
			"-l",
			"0",
			"--no-telemetry",
			"--log-level=lib.eal:error",
			prefix,
			NULL};
	int argc = (int)RTE_DIM(argv) - 1;

	if (done)
		return;
	snprintf(prefix, sizeof(prefix), "--file-prefix=sl_test_%d", (int)getpid());
	if (rte_eal_init(argc, argv) < 0)
		sl_t_die("rte_eal_init");
	snprintf(sl_t_runtime_dir, sizeof(sl_t_runtime_dir), "%s", rte_eal_get_runtime_dir());
	atexit(sl_t_eal_fini);
	sl_pktmbuf_pool = rte_pktmbuf_pool_create(
	    "sl_test_pool", 8191, 0, RTE_ALIGN(sizeof(struct sl_meta), RTE_MBUF_PRIV_ALIGN),
	    RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (sl_pktmbuf_pool == NULL)
		sl_t_die("mbuf pool");
	for (unsigned int i = 0; i < RTE_MAX_ETHPORTS; i++)
		memset(&sl_ports[i], 0, sizeof(sl_ports[i]));
	memcpy(sl_ports[SL_T_PORT_IN].mac.addr_bytes, sl_t_mac_in, 6);
	sl_ports[SL_T_PORT_IN].role = SL_ROLE_INSIDE;
	sl_ports[SL_T_PORT_IN].enabled = 1;
	sl_ports[SL_T_PORT_IN].mtu = 1500;
	memcpy(sl_ports[SL_T_PORT_OUT].mac.addr_bytes, sl_t_mac_out, 6);
	sl_ports[SL_T_PORT_OUT].role = SL_ROLE_OUTSIDE;
	sl_ports[SL_T_PORT_OUT].enabled = 1;
	sl_ports[SL_T_PORT_OUT].mtu = 1500;
	sl_role_port[SL_ROLE_INSIDE] = SL_T_PORT_IN;
	sl_trunk_port[0] = SL_T_PORT_IN;
	sl_role_port[SL_ROLE_OUTSIDE] = SL_T_PORT_OUT;
	done = true;
}

struct sl_test_env *sl_test_env_new(void)
{
	struct sl_test_env *e = calloc(1, sizeof(*e));
	struct sl_tb *tb;
	struct sl_tb_table *a, *b, *in;
	const uint8_t I = SL_ROLE_INSIDE, O = SL_ROLE_OUTSIDE;

	sl_test_eal_init();
	if (e == NULL)
		sl_t_die("calloc");
	tb = e->tb = sl_tb_new();
	e->vpc_a = sl_tb_vpc(tb, "vpc-a", 100);
	e->vpc_b = sl_tb_vpc(tb, "vpc-b", 200);
	a = sl_tb_table(tb, e->vpc_a);
	b = sl_tb_table(tb, e->vpc_b);
	in = sl_tb_table(tb, SL_VPC_INTERNET);

	e->nh_vsw1 = sl_tb_nh(tb, SL_NH_CONNECTED, I, 100, 1500, 0, NULL, "192.168.1.253");
	e->nh_vsw2 = sl_tb_nh(tb, SL_NH_CONNECTED, I, 100, 1500, 0, NULL, "192.168.2.253");
	e->nh_vsw1_6 = sl_tb_nh(tb, SL_NH_CONNECTED, I, 100, 1500, 0, NULL,
				"2001:db8:a:1:ffff:ffff:ffff:fffd");
	e->nh_vsw2_6 = sl_tb_nh(tb, SL_NH_CONNECTED, I, 100, 1500, 0, NULL,
				"2001:db8:a:2:ffff:ffff:ffff:fffd");
	e->nh_local = sl_tb_nh(tb, SL_NH_LOCAL, I, 100, 1500, 0, NULL, NULL);
	e->nh_local6 = sl_tb_nh(tb, SL_NH_LOCAL, I, 100, 1500, 0, NULL, "::");
	e->nh_black = sl_tb_nh(tb, SL_NH_BLACKHOLE, I, 0, 0, 0, NULL, NULL);
	tb->nh[e->nh_black].flags = SL_NH_F_SYSTEM;
	e->nh_inst = sl_tb_nh(tb, SL_NH_GATEWAY, I, 100, 1500, 0, "192.168.2.10", "192.168.2.253");
	e->nh_inst6 = sl_tb_nh(tb, SL_NH_GATEWAY, I, 100, 1500, 0, "2001:db8:a:2::10",
			       "2001:db8:a:2:ffff:ffff:ffff:fffd");
	e->nh_small = sl_tb_nh(tb, SL_NH_GATEWAY, I, 100, 1280, 0, "192.168.2.10", "192.168.2.253");
	e->nh_small6 = sl_tb_nh(tb, SL_NH_GATEWAY, I, 100, 1280, 0, "2001:db8:a:2::10",
				"2001:db8:a:2:ffff:ffff:ffff:fffd");
	e->nh_b_vsw1 = sl_tb_nh(tb, SL_NH_CONNECTED, I, 200, 1500, 1, NULL, "192.168.1.253");
	e->nh_out_conn =
	    sl_tb_nh(tb, SL_NH_CONNECTED, O, 0, 1500, SL_VPC_INTERNET, NULL, "203.0.113.2");
	e->nh_out_conn6 =
	    sl_tb_nh(tb, SL_NH_CONNECTED, O, 0, 1500, SL_VPC_INTERNET, NULL, "2001:db8:ffff::2");
	e->nh_up =
	    sl_tb_nh(tb, SL_NH_GATEWAY, O, 0, 1500, SL_VPC_INTERNET, "203.0.113.1", "203.0.113.2");
	e->nh_up6 = sl_tb_nh(tb, SL_NH_GATEWAY, O, 0, 1500, SL_VPC_INTERNET, "2001:db8:ffff::1",
			     "2001:db8:ffff::2");
	e->nh_out_local = sl_tb_nh(tb, SL_NH_LOCAL, O, 0, 1500, SL_VPC_INTERNET, NULL, NULL);
	e->nh_out_local6 = sl_tb_nh(tb, SL_NH_LOCAL, O, 0, 1500, SL_VPC_INTERNET, NULL, "::");

	sl_tb_route(a, "192.168.1.0/24", e->nh_vsw1);
	sl_tb_route(a, "192.168.2.0/24", e->nh_vsw2);
	sl_tb_route(a, "192.168.1.253/32", e->nh_local);
	sl_tb_route(a, "192.168.2.253/32", e->nh_local);
	sl_tb_route(a, "100.64.0.0/10", e->nh_black);
	sl_tb_route(a, "10.99.0.0/16", e->nh_inst);
	sl_tb_route(a, "10.98.0.0/16", e->nh_small);
	sl_tb_route(a, "2001:db8:a:1::/64", e->nh_vsw1_6);
	sl_tb_route(a, "2001:db8:a:2::/64", e->nh_vsw2_6);
	sl_tb_route(a, "2001:db8:a:1:ffff:ffff:ffff:fffd/128", e->nh_local6);
	sl_tb_route(a, "2001:db8:a:2:ffff:ffff:ffff:fffd/128", e->nh_local6);
	sl_tb_route(a, "2001:db8:99::/48", e->nh_inst6);
	sl_tb_route(a, "2001:db8:98::/48", e->nh_small6);

	sl_tb_route(b, "192.168.1.0/24", e->nh_b_vsw1);
	sl_tb_route(b, "192.168.1.253/32", e->nh_local);

	sl_tb_route(in, "203.0.113.2/32", e->nh_out_local);
	sl_tb_route(in, "203.0.113.0/24", e->nh_out_conn);
	sl_tb_route(in, "0.0.0.0/0", e->nh_up);
	sl_tb_route(in, "2001:db8:ffff::2/128", e->nh_out_local6);
	sl_tb_route(in, "2001:db8:ffff::/64", e->nh_out_conn6);
	sl_tb_route(in, "::/0", e->nh_up6);

	e->bank = sl_tb_build(tb);
	e->stats = aligned_alloc(SL_CACHE_LINE, sizeof(*e->stats));
	e->w = calloc(1, sizeof(*e->w));
	if (e->stats == NULL || e->w == NULL)
		sl_t_die("alloc");
	memset(e->stats, 0, sizeof(*e->stats));
	e->w->stats = e->stats;
	e->rtstats = calloc(SL_RT_STATS, sizeof(*e->rtstats));
	e->qstats = calloc(SL_MAX_PORTS, sizeof(*e->qstats));
	if (e->rtstats == NULL || e->qstats == NULL)
		sl_t_die("alloc");
	e->w->rtstats = e->rtstats;
	e->w->qstats = e->qstats;
	e->w->bank = e->bank;
	e->w->gen = 1;
	e->w->lcore_id = rte_lcore_id();
	e->w->now_tsc = rte_rdtsc();
	return e;
}

void sl_test_env_free(struct sl_test_env *e)
{
	if (e == NULL)
		return;
	sl_test_flush(e->w);
	free(e->w);
	free(e->stats);
	free(e->rtstats);
	free(e->qstats);
	free(e->bank);
	sl_tb_free(e->tb);
	free(e);
}

void sl_test_reset_stats(struct sl_test_env *e)
{
	memset(e->stats, 0, sizeof(*e->stats));
	memset(e->rtstats, 0, SL_RT_STATS * sizeof(*e->rtstats));
	memset(e->qstats, 0, SL_MAX_PORTS * sizeof(*e->qstats));
}

uint64_t sl_test_drops(const struct sl_test_env *e)
{
	uint64_t s = 0;

	for (int i = 1; i < SL_DROP_MAX; i++)
		s += e->stats->drop[i];
	return s;
}

/* ---- runner ----------------------------------------------------------------------- */

static const sl_stage_fn sl_t_stages[SL_STAGE_NEIGH] = {
    [SL_STAGE_ETH_INPUT] = sl_stage_eth_input,	   [SL_STAGE_IP4_INPUT] = sl_stage_ip4_input,
    [SL_STAGE_IP6_INPUT] = sl_stage_ip6_input,	   [SL_STAGE_ROUTE4] = sl_stage_route4,
    [SL_STAGE_ROUTE6] = sl_stage_route6,	   [SL_STAGE_LOCAL4] = sl_stage_local4,
    [SL_STAGE_LOCAL6] = sl_stage_local6,	   [SL_STAGE_FORWARD4] = sl_stage_forward4,
    [SL_STAGE_FORWARD6] = sl_stage_forward6,	   [SL_STAGE_ICMP4_ERROR] = sl_stage_icmp4_error,
    [SL_STAGE_ICMP6_ERROR] = sl_stage_icmp6_error,
};

void sl_test_run(struct sl_worker *w, struct rte_mbuf *m, enum sl_stage first)
{
	static struct rte_mbuf *batch[SL_VEC_MAX];
	bool again = true;

	w->cur_stage = SL_STAGE_MAX;
	if (m != NULL && first == SL_STAGE_ETH_INPUT)
		sl_next_rx(w, m);
	else if (m != NULL)
		sl_next(w, m, first);
	while (again) {
		again = false;
		for (int s = 0; s < SL_STAGE_NEIGH; s++) {
			struct sl_vec *v = &w->vec[s];
			uint16_t n = v->n;

			if (n == 0)
				continue;
			memcpy(batch, v->m, n * sizeof(v->m[0]));
			v->n = 0;
			w->cur_stage = (uint16_t)s;
			sl_t_stages[s](w, batch, n);
			again = true;
		}
	}
}

unsigned int sl_test_take(struct sl_worker *w, enum sl_stage stage, struct rte_mbuf **out,
			  unsigned int max)
{
	struct sl_vec *v = &w->vec[stage];
	unsigned int n = RTE_MIN((unsigned int)v->n, max);

	memcpy(out, v->m, n * sizeof(v->m[0]));
	memmove(v->m, v->m + n, (v->n - n) * sizeof(v->m[0]));
	v->n = (uint16_t)(v->n - n);
	return n;
}

void sl_test_flush(struct sl_worker *w)
{
	for (int s = 0; s < SL_STAGE_MAX; s++) {
		for (uint16_t i = 0; i < w->vec[s].n; i++)
			rte_pktmbuf_free(w->vec[s].m[i]);
		w->vec[s].n = 0;
	}
}

/* ---- packet building ------------------------------------------------------------- */

static void sl_tp_put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

void sl_tp_eth(struct sl_tpkt *p, const uint8_t *dst, int vlan, uint16_t type)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->b, dst, 6);
	memcpy(p->b + 6, sl_t_mac_peer, 6);
	p->len = 12;
	if (vlan >= 0) {
		sl_tp_put16(p->b + p->len, 0x8100);
		sl_tp_put16(p->b + p->len + 2, (uint16_t)vlan);
		p->len += 4;
	}
	sl_tp_put16(p->b + p->len, type);
	p->len += 2;
	p->l3 = p->len;
}

void sl_tp_ip4(struct sl_tpkt *p, const char *src, const char *dst, uint8_t proto, uint8_t ttl,
	       uint16_t frag, const uint8_t *opts, unsigned int optlen, const void *l4,
	       unsigned int l4len)
{
	uint8_t *h = p->b + p->len;
	unsigned int hlen = 20 + optlen;

	if (p->len + hlen + l4len > sizeof(p->b) || (optlen & 3) || optlen > 40)
		sl_t_die("bad test IPv4 packet");
	p->l3 = p->len;
	h[0] = (uint8_t)(0x40 | (hlen / 4));
	h[1] = 0;
	sl_tp_put16(h + 2, (uint16_t)(hlen + l4len));
	sl_tp_put16(h + 4, 0x1234);
	sl_tp_put16(h + 6, frag);
	h[8] = ttl;
	h[9] = proto;
	h[10] = h[11] = 0;
	sl_t_addr(src, h + 12);
	sl_t_addr(dst, h + 16);
	if (optlen)
		memcpy(h + 20, opts, optlen);
	sl_tp_put16(h + 10, sl_t_cksum(h, hlen));
	if (l4len)
		memcpy(h + hlen, l4, l4len);
	p->len += hlen + l4len;
}

void sl_tp_ip6(struct sl_tpkt *p, const char *src, const char *dst, uint8_t nh, uint8_t hlim,
	       const void *payload, unsigned int plen)
{
	uint8_t *h = p->b + p->len;

	if (p->len + 40 + plen > sizeof(p->b))
		sl_t_die("bad test IPv6 packet");
	p->l3 = p->len;
	h[0] = 0x60;
	h[1] = h[2] = h[3] = 0;
	sl_tp_put16(h + 4, (uint16_t)plen);
	h[6] = nh;
	h[7] = hlim;
	sl_t_addr(src, h + 8);
	sl_t_addr(dst, h + 24);
	if (plen)
		memcpy(h + 40, payload, plen);
	p->len += 40 + plen;
}

unsigned int sl_tp_icmp4_echo(uint8_t *b, uint16_t id, uint16_t seq, unsigned int dlen)
{
	b[0] = 8;
	b[1] = 0;
	b[2] = b[3] = 0;
	sl_tp_put16(b + 4, id);
	sl_tp_put16(b + 6, seq);
	for (unsigned int i = 0; i < dlen; i++)
		b[8 + i] = (uint8_t)(i * 7 + 3);
	sl_tp_put16(b + 2, sl_t_cksum(b, 8 + dlen));
	return 8 + dlen;
}

void sl_tp_icmp6_fix(struct sl_tpkt *p, uint32_t l4_off)
{
	uint8_t *ip = p->b + p->l3;
	uint8_t *msg = p->b + l4_off;
	uint32_t len = p->len - l4_off;

	msg[2] = msg[3] = 0;
	sl_tp_put16(msg + 2, (uint16_t)~sl_t_fold(sl_t_pseudo6(ip + 8, ip + 24, len, 58) +
						  sl_t_sum(msg, len)));
}

struct rte_mbuf *sl_tp_mbuf_segs(const struct sl_tpkt *p, uint16_t port, uint32_t seg)
{
	struct rte_mbuf *head = NULL;
	uint32_t off = 0;

	while (off < p->len || head == NULL) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(sl_pktmbuf_pool);
		uint32_t n = RTE_MIN(seg, p->len - off);
		char *d;

		if (m == NULL)
			sl_t_die("mbuf alloc");
		d = rte_pktmbuf_append(m, (uint16_t)n);
		if (d == NULL && n > 0)
			sl_t_die("mbuf append");
		memcpy(d, p->b + off, n);
		off += n;
		if (head == NULL) {
			head = m;
			head->port = port;
		} else if (rte_pktmbuf_chain(head, m) != 0) {
			sl_t_die("mbuf chain");
		}
	}
	return head;
}

struct rte_mbuf *sl_tp_mbuf(const struct sl_tpkt *p, uint16_t port)
{
	return sl_tp_mbuf_segs(p, port, 2048);
}

struct rte_mbuf *sl_tp_in4(const char *src, const char *dst, uint8_t proto, uint8_t ttl,
			   uint16_t frag, const void *l4, unsigned int l4len)
{
	static struct sl_tpkt p;

	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, src, dst, proto, ttl, frag, NULL, 0, l4, l4len);
	return sl_tp_mbuf(&p, SL_T_PORT_IN);
}

struct rte_mbuf *sl_tp_in6(const char *src, const char *dst, uint8_t nh, uint8_t hlim,
			   const void *payload, unsigned int plen)
{
	static struct sl_tpkt p;

	sl_tp_eth(&p, sl_t_mac_in, 100, 0x86dd);
	sl_tp_ip6(&p, src, dst, nh, hlim, payload, plen);
	return sl_tp_mbuf(&p, SL_T_PORT_IN);
}

/* ---- cmocka checks ------------------------------------------------------------------ */

static void sl_t_fail_drops(const struct sl_test_env *env, int line)
{
	for (int i = 1; i < SL_DROP_MAX; i++)
		if (env->stats->drop[i])
			print_error("line %d: drop reason %d counted %" PRIu64 "\n", line, i,
				    env->stats->drop[i]);
}

void sl_test_expect_drop(struct sl_test_env *env, struct rte_mbuf *m, enum sl_stage first,
			 enum sl_drop_reason reason, int line)
{
	unsigned int avail, segs = m->nb_segs;

	sl_test_flush(env->w);
	sl_test_reset_stats(env);
	avail = rte_mempool_avail_count(sl_pktmbuf_pool);
	sl_test_run(env->w, m, first);
	if (env->stats->drop[reason] != 1 || sl_test_drops(env) != 1) {
		sl_t_fail_drops(env, line);
		fail_msg("line %d: expected exactly one drop with reason %d", line, reason);
	}
	if (env->w->vec[SL_STAGE_NEIGH].n != 0 || env->w->vec[SL_STAGE_PUNT].n != 0)
		fail_msg("line %d: dropped packet produced output", line);
	if (rte_mempool_avail_count(sl_pktmbuf_pool) != avail + segs)
		fail_msg("line %d: mbuf leak (%u available, expected %u)", line,
			 rte_mempool_avail_count(sl_pktmbuf_pool), avail + segs);
}

struct rte_mbuf *sl_test_expect_out(struct sl_test_env *env, struct rte_mbuf *m,
				    enum sl_stage first, enum sl_stage stage, int line)
{
	struct rte_mbuf *out = NULL;

	sl_test_flush(env->w);
	sl_test_reset_stats(env);
	sl_test_run(env->w, m, first);
	if (sl_test_drops(env) != 0) {
		sl_t_fail_drops(env, line);
		fail_msg("line %d: unexpected drop", line);
	}
	if (env->w->vec[stage].n != 1)
		fail_msg("line %d: %u packets at stage %d, expected 1", line, env->w->vec[stage].n,
			 stage);
	sl_test_take(env->w, stage, &out, 1);
	sl_test_flush(env->w);
	return out;
}

void sl_t_check_icmp4_error(struct rte_mbuf *e, const uint8_t *orig, uint32_t orig_len,
			    uint8_t type, uint8_t code, const char *src, const char *dst,
			    uint32_t rest)
{
	uint8_t b[2048];
	uint32_t len = sl_t_bytes(e, sl_meta(e)->l3_off, b, sizeof(b));
	uint32_t quote = RTE_MIN(orig_len, 576u - 28u);

	assert_int_equal(len, 28 + quote);
	assert_int_equal(b[0], 0x45);
	assert_int_equal(sl_get16(b + 2), len);
	assert_int_equal(sl_get16(b + 6) & 0xbfff, 0); /* not a fragment */
	assert_int_equal(b[8], 64);
	assert_int_equal(b[9], 1);
	assert_true(sl_t_cksum_ok(b, 20));
	assert_int_equal(memcmp(b + 12, (uint8_t *)&(uint32_t){sl_t_ip4(src)}, 4), 0);
	assert_int_equal(memcmp(b + 16, (uint8_t *)&(uint32_t){sl_t_ip4(dst)}, 4), 0);
	assert_int_equal(b[20], type);
	assert_int_equal(b[21], code);
	assert_true(sl_t_cksum_ok(b + 20, len - 20));
	assert_int_equal((uint32_t)sl_get16(b + 24) << 16 | sl_get16(b + 26), rest);
	/* the original datagram, exactly as received */
	assert_memory_equal(b + 28, orig, quote);
	assert_int_equal(sl_meta(e)->flags, SL_META_F_LOCAL_ORIGIN | SL_META_F_ICMP_ERROR);
	assert_int_equal(sl_meta(e)->family, SL_AF_INET);
	assert_true(rte_pktmbuf_headroom(e) >= 18 + sl_meta(e)->l3_off);
}

/* ---- shared cmocka fixtures ------------------------------------------------- */

struct sl_test_env *sl_env;

int sl_test_group_setup(void **state)
{
	sl_env = sl_test_env_new();
	return 0;
}

int sl_test_group_teardown(void **state)
{
	sl_test_env_free(sl_env);
	sl_env = NULL;
	return 0;
}

int sl_test_setup(void **state)
{
	sl_test_flush(sl_env->w);
	sl_test_reset_stats(sl_env);
	return 0;
}

int sl_test_setup_full_bucket(void **state)
{
	sl_test_setup(state);
	sl_env->w->now_tsc += 100 * rte_get_tsc_hz();
	return 0;
}
