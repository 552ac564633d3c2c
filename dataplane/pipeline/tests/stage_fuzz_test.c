/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Robustness of the whole stage chain on damaged packets: valid packets of
 * every kind the stages handle are mutated at random (bytes in the headers
 * flipped, frames cut short, split into segments) and run from eth_input.
 * Whatever happens to a packet, every buffer must come back to the pool
 * (no leak, no double free), every output must still be a well-formed
 * IPv4/IPv6 packet at its l3_off, and every input must be accounted for
 * (dropped under a reason, or out at NEIGH/PUNT).
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <rte_mempool.h>

#include "sl_test_env.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

#define N_BASE 10
static struct sl_tpkt base[N_BASE];

static void make_bases(void)
{
	uint8_t pl[3000];
	unsigned int n;
	static const uint8_t opts[8] = {0x94, 4, 0, 0, 0x07, 3, 4, 0};

	for (unsigned int i = 0; i < sizeof(pl); i++)
		pl[i] = (uint8_t)i;
	/* 0: forwarded UDP; 1: echo to the gateway; 2: to be fragmented with
	 * options; 3: TTL 1; 4: no route */
	sl_tp_eth(&base[0], sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&base[0], "192.168.1.10", "192.168.2.10", 17, 64, 0, NULL, 0, pl, 100);
	n = sl_tp_icmp4_echo(pl, 1, 1, 56);
	sl_tp_eth(&base[1], sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&base[1], "192.168.1.10", "192.168.1.253", 1, 64, 0, NULL, 0, pl, n);
	sl_tp_eth(&base[2], sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&base[2], "192.168.1.10", "10.98.0.1", 17, 64, 0, opts, 8, pl, 2900);
	sl_tp_eth(&base[3], sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&base[3], "192.168.1.10", "10.99.0.1", 17, 1, 0, NULL, 0, pl, 60);
	sl_tp_eth(&base[4], sl_t_mac_out, -1, 0x0800);
	sl_tp_ip4(&base[4], "198.51.100.1", "203.0.113.2", 17, 64, 0, NULL, 0, pl, 40);
	/* 5: IPv6 with HBH + dest opts; 6: ICMPv6 echo to the gateway;
	 * 7: ND; 8: too big; 9: ARP */
	memset(pl, 0, 64);
	pl[0] = 60;
	pl[8] = 17;
	sl_tp_eth(&base[5], sl_t_mac_in, 100, 0x86dd);
	sl_tp_ip6(&base[5], "2001:db8:a:1::10", "2001:db8:a:2::10", 0, 1, pl, 80);
	memset(pl, 0, 64);
	pl[0] = 128;
	sl_tp_eth(&base[6], sl_t_mac_in, 100, 0x86dd);
	sl_tp_ip6(&base[6], "2001:db8:a:1::10", "2001:db8:a:1:ffff:ffff:ffff:fffd", 58, 64, pl, 64);
	sl_tp_icmp6_fix(&base[6], base[6].l3 + 40);
	pl[0] = 135;
	sl_tp_eth(&base[7], sl_t_mac_in, 100, 0x86dd);
	sl_tp_ip6(&base[7], "fe80::1", "ff02::1:ff00:fd", 58, 255, pl, 24);
	sl_tp_eth(&base[8], sl_t_mac_in, 100, 0x86dd);
	sl_tp_ip6(&base[8], "2001:db8:a:1::10", "2001:db8:98::1", 17, 64, pl, 1400);
	sl_tp_eth(&base[9], sl_t_mac_in, 100, 0x0806);
	memset(base[9].b + base[9].len, 0, 28);
	base[9].len += 28;
}

static void check_output(struct rte_mbuf *m)
{
	struct sl_meta *md = sl_meta(m);
	uint8_t b[64];
	uint32_t len = rte_pktmbuf_pkt_len(m);

	/* punted packets are validated by the main lcore (ARP may be empty) */
	assert_true(md->l3_off <= len);
	if (md->punt != SL_PUNT_NONE)
		return;
	assert_true(len - md->l3_off >= 20);
	if (md->family == SL_AF_INET) {
		const uint8_t *h = rte_pktmbuf_read(m, md->l3_off, 20, b);

		assert_int_equal(h[0] >> 4, 4);
		assert_int_equal((uint32_t)(h[2] << 8 | h[3]), len - md->l3_off);
	} else {
		const uint8_t *h = rte_pktmbuf_read(m, md->l3_off, 40, b);

		assert_int_equal(h[0] >> 4, 6);
		assert_int_equal((uint32_t)(h[4] << 8 | h[5]) + 40, len - md->l3_off);
	}
}

static void test_fuzz(void **state)
{
	static struct sl_tpkt p;
	unsigned int avail = rte_mempool_avail_count(sl_pktmbuf_pool);
	uint64_t in = 0, out = 0;

	for (int iter = 0; iter < 30000; iter++) {
		struct rte_mbuf *m, *o[SL_VEC_MAX];
		unsigned int k = rnd() % N_BASE, flips = rnd() % 4, n;
		uint16_t port = base[k].b[0] == sl_t_mac_out[0] && base[k].b[5] == sl_t_mac_out[5]
				    ? SL_T_PORT_OUT
				    : SL_T_PORT_IN;

		p = base[k];
		for (unsigned int f = 0; f < flips; f++) {
			/* mostly the headers, sometimes anywhere */
			uint32_t span = (rnd() & 3) ? RTE_MIN(p.len, 100u) : p.len;
			uint32_t at = rnd() % span;

			p.b[at] ^= (uint8_t)(1u << (rnd() % 8));
		}
		if (rnd() % 5 == 0)
			p.len = 1 + rnd() % p.len;
		m = (rnd() & 1) ? sl_tp_mbuf(&p, port)
				: sl_tp_mbuf_segs(&p, port, 20 + rnd() % 200);
		sl_env->w->now_tsc += rnd() % 1000000;

		sl_test_reset_stats(sl_env);
		sl_test_run(sl_env->w, m, SL_STAGE_ETH_INPUT);
		in++;
		n = sl_test_take(sl_env->w, SL_STAGE_NEIGH, o, SL_VEC_MAX);
		n += sl_test_take(sl_env->w, SL_STAGE_PUNT, o + n, SL_VEC_MAX - n);
		for (unsigned int i = 0; i < n; i++) {
			check_output(o[i]);
			rte_pktmbuf_free(o[i]);
		}
		out += n;
		/* one fate per input: dropped, or out (possibly as fragments or
		 * as an ICMP error that replaced it) */
		if (n == 0)
			assert_true(sl_test_drops(sl_env) >= 1);
		else if (sl_env->stats->cnt[SL_CNT_FRAGMENTS] == 0)
			assert_int_equal(n, 1);
		assert_int_equal(rte_mempool_avail_count(sl_pktmbuf_pool), avail);
	}
	print_message("%" PRIu64 " damaged packets, %" PRIu64 " outputs\n", in, out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fuzz),
	};

	sl_test_eal_init();
	make_bases();
	return cmocka_run_group_tests(tests, sl_test_group_setup, sl_test_group_teardown);
}
