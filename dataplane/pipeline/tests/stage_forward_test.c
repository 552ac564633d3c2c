/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * forward4/forward6: TTL / hop limit expiry (with the ICMP error checked
 * byte by byte), the RFC 1624 incremental checksum against a full
 * recompute, DF + too big -> 3/4 with the MTU, IPv4 fragmentation
 * (validity of every fragment and reassembly), IPv6 packet too big,
 * directed broadcasts to a VSwitch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_mempool.h>

#include "sl_test_env.h"

static uint8_t pattern[10000];

static void fill_pattern(void)
{
	for (unsigned int i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 31 + (i >> 8));
}

/* Build, run from ETH_INPUT, and return how many packets reached NEIGH
 * (collected in out[]). */
static unsigned int run_collect(struct rte_mbuf *m, struct rte_mbuf **out, unsigned int max)
{
	sl_test_flush(sl_env->w);
	sl_test_reset_stats(sl_env);
	sl_test_run(sl_env->w, m, SL_STAGE_ETH_INPUT);
	return sl_test_take(sl_env->w, SL_STAGE_NEIGH, out, max);
}

/* ---- TTL ------------------------------------------------------------------------- */

/* The ICMP error checks of sl_t_check_icmp4_error(); `mtu` fills the low
 * half of the 32-bit field after the checksum (RFC 1191). */
#define check_icmp4_error(e, orig, len, type, code, src, dst, mtu)                                 \
	sl_t_check_icmp4_error((e), (orig), (len), (type), (code), (src), (dst), (mtu))

static void test_ttl_exceeded4(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *out[4];
	unsigned int avail;

	for (uint8_t ttl = 0; ttl <= 1; ttl++) {
		sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
		sl_tp_ip4(&p, "192.168.1.10", "10.99.1.1", 17, ttl, 0x4000, NULL, 0, pattern, 100);
		avail = rte_mempool_avail_count(sl_pktmbuf_pool);
		assert_int_equal(run_collect(sl_tp_mbuf(&p, SL_T_PORT_IN), out, 4), 1);
		assert_int_equal(sl_env->stats->drop[SL_DROP_TTL_EXCEEDED], 1);
		assert_int_equal(sl_test_drops(sl_env), 1);
		assert_int_equal(sl_env->stats->cnt[SL_CNT_ICMP_ERRORS], 1);
		assert_int_equal(sl_env->stats->cnt[SL_CNT_FWD_IP4], 1); /* the error itself */
		/* goes back to the sender over its VSwitch */
		assert_int_equal(sl_meta(out[0])->nh, sl_env->nh_vsw1);
		check_icmp4_error(out[0], p.b + p.l3, p.len - p.l3, 11, 0, "192.168.1.253",
				  "192.168.1.10", 0);
		/* original freed, one error buffer allocated */
		assert_int_equal(rte_mempool_avail_count(sl_pktmbuf_pool), avail - 1);
		rte_pktmbuf_free(out[0]);
		assert_int_equal(rte_mempool_avail_count(sl_pktmbuf_pool), avail);
	}

	/* TTL 2 passes with TTL 1. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "10.99.1.1", 17, 2, 0, NULL, 0, pattern, 100);
	assert_int_equal(run_collect(sl_tp_mbuf(&p, SL_T_PORT_IN), out, 4), 1);
	assert_int_equal(sl_test_drops(sl_env), 0);
	{
		uint8_t b[256];

		sl_t_bytes(out[0], sl_meta(out[0])->l3_off, b, sizeof(b));
		assert_int_equal(b[8], 1);
		assert_true(sl_t_cksum_ok(b, 20));
	}
	rte_pktmbuf_free(out[0]);
}

/* The incremental update must equal a full recompute for every TTL and any
 * header contents, options included. */
static void test_ttl_checksum(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *out[2];
	uint8_t opts[40], b[256];
	uint32_t seed = 12345;

	for (int i = 0; i < 3000; i++) {
		unsigned int optlen = (i % 11) * 4;
		uint8_t ttl = (uint8_t)(2 + i % 254);
		uint8_t *h;
		uint16_t stored;

		seed = seed * 1103515245 + 12345;
		memset(opts, 1, sizeof(opts)); /* NOPs */
		sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
		sl_tp_ip4(&p, "192.168.1.10", "192.168.2.10", (uint8_t)(seed >> 24), ttl,
			  (uint16_t)(seed & 0x4000), opts, optlen, pattern, 40);
		h = p.b + p.l3;
		/* random ID, TOS and source host part, checksum redone */
		h[1] = (uint8_t)(seed >> 8);
		h[4] = (uint8_t)(seed >> 16);
		h[5] = (uint8_t)i;
		h[15] = (uint8_t)(1 + seed % 250);
		h[10] = h[11] = 0;
		stored = sl_t_cksum(h, 20 + optlen);
		h[10] = (uint8_t)(stored >> 8);
		h[11] = (uint8_t)stored;

		assert_int_equal(run_collect(sl_tp_mbuf(&p, SL_T_PORT_IN), out, 2), 1);
		sl_t_bytes(out[0], sl_meta(out[0])->l3_off, b, sizeof(b));
		assert_int_equal(b[8], ttl - 1);
		stored = sl_get16(b + 10);
		b[10] = b[11] = 0;
		if (stored != sl_t_cksum(b, 20 + optlen))
			fail_msg("ttl %u: incremental %04x, recomputed %04x", ttl, stored,
				 sl_t_cksum(b, 20 + optlen));
		rte_pktmbuf_free(out[0]);
	}
}

/* ---- MTU ------------------------------------------------------------------------- */

static void test_df_too_big(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *out[4];

	/* 10.98.0.0/16 has MTU 1280: 1281 bytes with DF -> 3/4, MTU 1280. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "10.98.1.1", 6, 64, 0x4000, NULL, 0, pattern, 1261);
	assert_int_equal(run_collect(sl_tp_mbuf(&p, SL_T_PORT_IN), out, 4), 1);
	assert_int_equal(sl_env->stats->drop[SL_DROP_TOO_BIG], 1);
	assert_int_equal(sl_test_drops(sl_env), 1);
	check_icmp4_error(out[0], p.b + p.l3, p.len - p.l3, 3, 4, "192.168.1.253", "192.168.1.10",
			  1280);
	rte_pktmbuf_free(out[0]);

	/* Exactly the MTU goes through whole. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "10.98.1.1", 6, 64, 0x4000, NULL, 0, pattern, 1260);
	assert_int_equal(run_collect(sl_tp_mbuf(&p, SL_T_PORT_IN), out, 4), 1);
	assert_int_equal(sl_test_drops(sl_env), 0);
	assert_int_equal(rte_pktmbuf_pkt_len(out[0]) - sl_meta(out[0])->l3_off, 1280);
	rte_pktmbuf_free(out[0]);
}

struct frag_expect {
	uint32_t base_off; /* original fragment offset in bytes */
	bool base_mf;	   /* original MF */
	unsigned int hlen0, hlen_rest;
	const uint8_t *opts_rest; /* expected options in later fragments */
};

/* Check fragments as a receiver would, then reassemble and compare. */
static void check_fragments(struct rte_mbuf **f, unsigned int n, const struct sl_tpkt *orig,
			    const struct frag_expect *x, uint32_t mtu)
{
	const uint8_t *oh = orig->b + orig->l3;
	unsigned int ohlen = (oh[0] & 0xf) * 4u;
	uint32_t plen = sl_get16(oh + 2) - ohlen;
	static uint8_t re[10000];
	uint32_t next = 0;

	assert_true(n >= 2);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t b[2048];
		uint32_t len = sl_t_bytes(f[i], sl_meta(f[i])->l3_off, b, sizeof(b));
		unsigned int hlen = (b[0] & 0xf) * 4u;
		uint16_t fo = sl_get16(b + 6);
		uint32_t off = (fo & 0x1fff) * 8u - x->base_off;
		bool last = i == n - 1;

		assert_int_equal(sl_meta(f[i])->l3_off, 0);
		assert_int_equal(sl_meta(f[i])->nh, sl_env->nh_small);
		assert_int_equal(sl_meta(f[i])->vpc_index, sl_env->vpc_a);
		assert_int_equal(f[i]->nb_segs, 1);
		assert_true(rte_pktmbuf_headroom(f[i]) >= 18);
		assert_int_equal(b[0] >> 4, 4);
		assert_int_equal(hlen, i == 0 ? x->hlen0 : x->hlen_rest);
		assert_true(len <= mtu);
		assert_int_equal(sl_get16(b + 2), len);
		assert_true(sl_t_cksum_ok(b, hlen));
		assert_int_equal(b[8], oh[8] - 1); /* TTL decremented once */
		assert_int_equal(b[9], oh[9]);
		assert_memory_equal(b + 4, oh + 4, 2); /* same ID */
		assert_memory_equal(b + 12, oh + 12, 8);
		assert_int_equal(fo & 0x4000, 0);
		assert_int_equal((fo & 0x2000) != 0, !last || x->base_mf);
		if (!last)
			assert_int_equal((len - hlen) % 8, 0);
		if (i == 0)
			assert_memory_equal(b + 20, oh + 20, ohlen - 20);
		else if (x->hlen_rest > 20)
			assert_memory_equal(b + 20, x->opts_rest, x->hlen_rest - 20);
		assert_int_equal(off, next);
		memcpy(re + off, b + hlen, len - hlen);
		next = off + len - hlen;
	}
	assert_int_equal(next, plen);
	assert_memory_equal(re, oh + ohlen, plen);
}

static void test_fragment(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *out[64];
	unsigned int n, avail;
	struct frag_expect x = {.hlen0 = 20, .hlen_rest = 20};

	/* 3000-byte datagram arriving in two segments, MTU 1280:
	 * 1256 + 1256 + 468 bytes of payload. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "10.98.7.7", 17, 64, 0, NULL, 0, pattern, 2980);
	avail = rte_mempool_avail_count(sl_pktmbuf_pool);
	n = run_collect(sl_tp_mbuf(&p, SL_T_PORT_IN), out, 64);
	assert_int_equal(n, 3);
	assert_int_equal(sl_test_drops(sl_env), 0);
	assert_int_equal(sl_env->stats->cnt[SL_CNT_FRAGMENTS], 3);
	assert_int_equal(sl_env->stats->cnt[SL_CNT_FWD_IP4], 1);
	check_fragments(out, n, &p, &x, 1280);
	assert_int_equal(rte_pktmbuf_pkt_len(out[0]), 20 + 1256);
	assert_int_equal(rte_pktmbuf_pkt_len(out[2]), 20 + 2980 - 2 * 1256);
	for (unsigned int i = 0; i < n; i++)
		rte_pktmbuf_free(out[i]);
	/* the original (two segments) went back to the pool */
	assert_int_equal(rte_mempool_avail_count(sl_pktmbuf_pool), avail);
}

static void test_fragment_options(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *out[64];
	unsigned int n;
	/* Record route (not copied, 11 bytes), router alert (copied, 4),
	 * NOP: 16 bytes; later fragments carry router alert only. */
	static const uint8_t opts[16] = {0x07, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0x94, 4, 0, 0, 1};
	static const uint8_t rest[4] = {0x94, 4, 0, 0};
	struct frag_expect x = {.hlen0 = 36, .hlen_rest = 24, .opts_rest = rest};

	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "10.98.7.7", 17, 9, 0, opts, sizeof(opts), pattern, 4000);
	n = run_collect(sl_tp_mbuf(&p, SL_T_PORT_IN), out, 64);
	assert_int_equal(n, 4);
	check_fragments(out, n, &p, &x, 1280);
	for (unsigned int i = 0; i < n; i++)
		rte_pktmbuf_free(out[i]);
}

/* Refragmenting a fragment keeps its offset base and, if it was not the
 * last one, MF on every piece. */
static void test_fragment_of_fragment(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *out[64];
	unsigned int n;
	struct frag_expect x = {.base_off = 800, .base_mf = true, .hlen0 = 20, .hlen_rest = 20};

	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "10.98.7.7", 17, 64, 0x2000 | 100, NULL, 0, pattern, 1480);
	n = run_collect(sl_tp_mbuf(&p, SL_T_PORT_IN), out, 64);
	assert_int_equal(n, 2);
	check_fragments(out, n, &p, &x, 1280);
	for (unsigned int i = 0; i < n; i++)
		rte_pktmbuf_free(out[i]);

	/* the last fragment of the original: MF only on the first piece */
	x.base_mf = false;
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "10.98.7.7", 17, 64, 100, NULL, 0, pattern, 1480);
	n = run_collect(sl_tp_mbuf(&p, SL_T_PORT_IN), out, 64);
	assert_int_equal(n, 2);
	check_fragments(out, n, &p, &x, 1280);
	for (unsigned int i = 0; i < n; i++)
		rte_pktmbuf_free(out[i]);
}

/* ---- IPv6 ------------------------------------------------------------------------- */

static void check_icmp6_error(struct rte_mbuf *e, const uint8_t *orig, uint32_t orig_len,
			      uint8_t type, uint8_t code, uint32_t info, const char *src,
			      const char *dst)
{
	uint8_t b[2048], a[16];
	uint32_t len = sl_t_bytes(e, sl_meta(e)->l3_off, b, sizeof(b));
	uint32_t quote = RTE_MIN(orig_len, 1280u - 48u);

	assert_int_equal(len, 48 + quote);
	assert_int_equal(b[0] >> 4, 6);
	assert_int_equal(sl_get16(b + 4), len - 40);
	assert_int_equal(b[6], 58);
	assert_int_equal(b[7], 64);
	sl_t_addr(src, a);
	assert_memory_equal(b + 8, a, 16);
	sl_t_addr(dst, a);
	assert_memory_equal(b + 24, a, 16);
	assert_int_equal(b[40], type);
	assert_int_equal(b[41], code);
	assert_true(sl_t_icmp6_ok(b + 8, b + 24, b + 40, len - 40));
	assert_int_equal(
	    (uint32_t)b[44] << 24 | (uint32_t)b[45] << 16 | (uint32_t)b[46] << 8 | b[47], info);
	assert_memory_equal(b + 48, orig, quote);
	assert_int_equal(sl_meta(e)->flags, SL_META_F_LOCAL_ORIGIN | SL_META_F_ICMP_ERROR);
	assert_int_equal(sl_meta(e)->family, SL_AF_INET6);
}

static void test_hop_limit6(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *out[4];
	uint8_t b[256];

	for (uint8_t hl = 0; hl <= 1; hl++) {
		sl_tp_eth(&p, sl_t_mac_in, 100, 0x86dd);
		sl_tp_ip6(&p, "2001:db8:a:1::10", "2001:db8:99::1", 17, hl, pattern, 64);
		assert_int_equal(run_collect(sl_tp_mbuf(&p, SL_T_PORT_IN), out, 4), 1);
		assert_int_equal(sl_env->stats->drop[SL_DROP_TTL_EXCEEDED], 1);
		assert_int_equal(sl_test_drops(sl_env), 1);
		assert_int_equal(sl_meta(out[0])->nh, sl_env->nh_vsw1_6);
		check_icmp6_error(out[0], p.b + p.l3, p.len - p.l3, 3, 0, 0,
				  "2001:db8:a:1:ffff:ffff:ffff:fffd", "2001:db8:a:1::10");
		rte_pktmbuf_free(out[0]);
	}

	sl_tp_eth(&p, sl_t_mac_in, 100, 0x86dd);
	sl_tp_ip6(&p, "2001:db8:a:1::10", "2001:db8:99::1", 17, 2, pattern, 64);
	assert_int_equal(run_collect(sl_tp_mbuf(&p, SL_T_PORT_IN), out, 4), 1);
	assert_int_equal(sl_test_drops(sl_env), 0);
	assert_int_equal(sl_env->stats->cnt[SL_CNT_FWD_IP6], 1);
	sl_t_bytes(out[0], sl_meta(out[0])->l3_off, b, sizeof(b));
	assert_int_equal(b[7], 1);
	assert_memory_equal(b + 40, pattern, 64);
	rte_pktmbuf_free(out[0]);
}

static void test_too_big6(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *out[4];

	/* 2001:db8:98::/48 has MTU 1280: 1281 bytes -> PTB 2/0 MTU 1280,
	 * quoting 1232 bytes so the error is exactly 1280. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x86dd);
	sl_tp_ip6(&p, "2001:db8:a:1::10", "2001:db8:98::1", 17, 64, pattern, 1241);
	assert_int_equal(run_collect(sl_tp_mbuf(&p, SL_T_PORT_IN), out, 4), 1);
	assert_int_equal(sl_env->stats->drop[SL_DROP_TOO_BIG], 1);
	assert_int_equal(sl_test_drops(sl_env), 1);
	assert_int_equal(rte_pktmbuf_pkt_len(out[0]) - sl_meta(out[0])->l3_off, 1280);
	check_icmp6_error(out[0], p.b + p.l3, p.len - p.l3, 2, 0, 1280,
			  "2001:db8:a:1:ffff:ffff:ffff:fffd", "2001:db8:a:1::10");
	rte_pktmbuf_free(out[0]);

	/* 1280 exactly passes; IPv6 is never fragmented by the gateway. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x86dd);
	sl_tp_ip6(&p, "2001:db8:a:1::10", "2001:db8:98::1", 17, 64, pattern, 1240);
	assert_int_equal(run_collect(sl_tp_mbuf(&p, SL_T_PORT_IN), out, 4), 1);
	assert_int_equal(sl_test_drops(sl_env), 0);
	assert_int_equal(sl_env->stats->cnt[SL_CNT_FRAGMENTS], 0);
	rte_pktmbuf_free(out[0]);
}

/* Errors for packets from the Internet side come from the outside
 * address and are routed back out through the upstream. */
static void test_ttl_exceeded_outside(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *out[4];

	sl_tp_eth(&p, sl_t_mac_out, -1, 0x0800);
	sl_tp_ip4(&p, "198.51.100.1", "203.0.113.50", 17, 1, 0, NULL, 0, pattern, 32);
	assert_int_equal(run_collect(sl_tp_mbuf(&p, SL_T_PORT_OUT), out, 4), 1);
	assert_int_equal(sl_meta(out[0])->nh, sl_env->nh_up);
	assert_int_equal(sl_meta(out[0])->vpc_index, SL_VPC_INTERNET);
	check_icmp4_error(out[0], p.b + p.l3, p.len - p.l3, 11, 0, "203.0.113.2", "198.51.100.1",
			  0);
	rte_pktmbuf_free(out[0]);
}

/* Out of buffers and impossible MTUs: nothing half-sent, nothing leaked. */
static void test_no_buffers(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *m, *m2, **hoard;
	struct sl_nexthop *nh;
	unsigned int n = 0, avail;

	/* MTU leaves no room for 8 bytes of payload. */
	nh = SL_BANK_PTR(sl_env->bank, sl_env->bank->nh_off, struct sl_nexthop) + sl_env->nh_small;
	nh->mtu = 24;
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "10.98.7.7", 17, 64, 0, NULL, 0, pattern, 100);
	SL_EXPECT_DROP(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_FRAG_FAILED);
	nh->mtu = 1280;

	/* Pool empty: fragmentation fails as a whole, the error for an
	 * expired TTL cannot be built. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "10.98.7.7", 17, 64, 0, NULL, 0, pattern, 2000);
	m = sl_tp_mbuf(&p, SL_T_PORT_IN);
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "10.98.7.7", 17, 1, 0, NULL, 0, pattern, 100);
	m2 = sl_tp_mbuf(&p, SL_T_PORT_IN);
	avail = rte_mempool_avail_count(sl_pktmbuf_pool);
	hoard = calloc(avail + 8, sizeof(*hoard));
	assert_non_null(hoard);
	while ((hoard[n] = rte_pktmbuf_alloc(sl_pktmbuf_pool)) != NULL)
		n++;
	/* one buffer left: not enough for 2 fragments */
	rte_pktmbuf_free(hoard[--n]);
	SL_EXPECT_DROP(sl_env, m, SL_DROP_FRAG_FAILED);
	/* the failed attempt returned everything: the spare buffer and the
	 * original's; take them back */
	while ((hoard[n] = rte_pktmbuf_alloc(sl_pktmbuf_pool)) != NULL)
		n++;
	sl_test_reset_stats(sl_env);
	sl_test_run(sl_env->w, m2, SL_STAGE_ETH_INPUT);
	assert_int_equal(sl_env->stats->drop[SL_DROP_TTL_EXCEEDED], 1);
	assert_int_equal(sl_env->stats->drop[SL_DROP_NO_MBUF], 1);
	assert_int_equal(sl_test_drops(sl_env), 2);
	assert_int_equal(sl_env->w->vec[SL_STAGE_NEIGH].n, 0);
	assert_int_equal(rte_mempool_avail_count(sl_pktmbuf_pool), 1);
	while (n > 0)
		rte_pktmbuf_free(hoard[--n]);
	free(hoard);
}

/* Directed broadcasts to a VSwitch are dropped (RFC 1812 5.3.5.2), the
 * other addresses at the ends of the VSwitch's intervals are hosts. */
static void test_directed_broadcast(void **state)
{
	static const char *const bcast[] = {"192.168.2.255", "192.168.1.255"};
	static const char *const hosts[] = {"192.168.2.252", "192.168.2.254", "192.168.2.251",
					    "192.168.2.3",   "192.168.2.127", "192.168.2.0"};
	struct sl_tpkt p;
	struct rte_mbuf *out[4], *m;
	uint8_t echo[64];
	unsigned int elen;

	for (unsigned int i = 0; i < RTE_DIM(bcast); i++) {
		for (uint8_t ttl = 1; ttl <= 64; ttl += 63) {
			/* TTL 1 too: dropped, not answered with time exceeded */
			sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
			sl_tp_ip4(&p, "192.168.1.10", bcast[i], 17, ttl, 0, NULL, 0, pattern, 64);
			SL_EXPECT_DROP(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_IP4_BAD_DEST);
		}
	}
	/* VPC B's own VSwitch, same address as in VPC A. */
	sl_tp_eth(&p, sl_t_mac_in, 200, 0x0800);
	sl_tp_ip4(&p, "192.168.1.20", "192.168.1.255", 17, 64, 0, NULL, 0, pattern, 64);
	SL_EXPECT_DROP(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_IP4_BAD_DEST);

	for (unsigned int i = 0; i < RTE_DIM(hosts); i++) {
		sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
		sl_tp_ip4(&p, "192.168.1.10", hosts[i], 17, 64, 0, NULL, 0, pattern, 64);
		m = SL_EXPECT_OUT(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_NEIGH);
		assert_int_equal(sl_meta(m)->nh, sl_env->nh_vsw2);
		rte_pktmbuf_free(m);
	}
	/* A route to an instance is not a VSwitch: 10.99.255.255 is a host. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "10.99.255.255", 17, 64, 0, NULL, 0, pattern, 64);
	m = SL_EXPECT_OUT(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_NEIGH);
	assert_int_equal(sl_meta(m)->nh, sl_env->nh_inst);
	rte_pktmbuf_free(m);

	/* An echo request from the broadcast address: the reply would be a
	 * directed broadcast, so it is dropped on its way out. */
	elen = sl_tp_icmp4_echo(echo, 1, 1, 16);
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.255", "192.168.1.253", 1, 64, 0, NULL, 0, echo, elen);
	assert_int_equal(run_collect(sl_tp_mbuf(&p, SL_T_PORT_IN), out, 4), 0);
	assert_int_equal(sl_env->stats->cnt[SL_CNT_LOCAL_ECHO], 1);
	assert_int_equal(sl_env->stats->drop[SL_DROP_IP4_BAD_DEST], 1);
	assert_int_equal(sl_test_drops(sl_env), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_ttl_exceeded4, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_ttl_checksum, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_df_too_big, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_fragment, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_fragment_options, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_fragment_of_fragment, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_hop_limit6, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_too_big6, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_ttl_exceeded_outside, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_no_buffers, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_directed_broadcast, sl_test_setup_full_bucket),
	};

	fill_pattern();
	return cmocka_run_group_tests(tests, sl_test_group_setup, sl_test_group_teardown);
}
