/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * icmp4_error/icmp6_error: when no error may be sent (about an ICMP error,
 * a non-first fragment, our own packets, no source address), the token
 * bucket, the size limits (576 / 1280) and the content of the errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <rte_mempool.h>

#include "sl_test_env.h"

static uint8_t pattern[4000];

static int group_setup(void **state)
{
	sl_env = sl_test_env_new();
	for (unsigned int i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 13 + 1);
	return 0;
}

static int group_teardown(void **state)
{
	sl_test_env_free(sl_env);
	return 0;
}

/* An ICMP message of `type` (with 8 header bytes and a quoted packet). */
static unsigned int icmp_msg(uint8_t *b, uint8_t type, uint8_t code)
{
	memset(b, 0, 8);
	b[0] = type;
	b[1] = code;
	memcpy(b + 8, pattern, 28);
	b[2] = b[3] = 0;
	{
		uint16_t c = sl_t_cksum(b, 36);

		b[2] = (uint8_t)(c >> 8);
		b[3] = (uint8_t)c;
	}
	return 36;
}

/* Run; expect `cause` counted once and the error's fate `fate` (a drop
 * reason, or SL_DROP_NONE if the error must come out at NEIGH). */
static struct rte_mbuf *run_error(struct rte_mbuf *m, enum sl_drop_reason cause,
				  enum sl_drop_reason fate, int line)
{
	struct rte_mbuf *e = NULL;
	unsigned int avail;

	sl_test_flush(sl_env->w);
	sl_test_reset_stats(sl_env);
	avail = rte_mempool_avail_count(sl_pktmbuf_pool);
	sl_test_run(sl_env->w, m, SL_STAGE_ETH_INPUT);
	if (sl_env->stats->drop[cause] != 1)
		fail_msg("line %d: cause %d counted %lu", line, cause,
			 (unsigned long)sl_env->stats->drop[cause]);
	if (fate == SL_DROP_NONE) {
		if (sl_test_drops(sl_env) != 1 || sl_env->stats->cnt[SL_CNT_ICMP_ERRORS] != 1 ||
		    sl_test_take(sl_env->w, SL_STAGE_NEIGH, &e, 1) != 1)
			fail_msg("line %d: expected an ICMP error out", line);
		return e;
	}
	if (sl_env->stats->drop[fate] != 1 || sl_test_drops(sl_env) != 2 ||
	    sl_env->stats->cnt[SL_CNT_ICMP_ERRORS] != 0 || sl_env->w->vec[SL_STAGE_NEIGH].n != 0)
		fail_msg("line %d: expected the error suppressed with reason %d", line, fate);
	if (rte_mempool_avail_count(sl_pktmbuf_pool) != avail + 1)
		fail_msg("line %d: mbuf leak", line);
	return NULL;
}

static void test_no_error_about_errors4(void **state)
{
	static const uint8_t err_types[] = {3, 4, 5, 11, 12};
	uint8_t b[64];
	struct rte_mbuf *e;

	/* ICMP errors to an unroutable destination: counted NO_ROUTE, and no
	 * error about them. */
	for (unsigned int i = 0; i < sizeof(err_types); i++) {
		unsigned int n = icmp_msg(b, err_types[i], 1);

		run_error(sl_tp_in4("192.168.1.10", "10.55.0.1", 1, 64, 0, b, n), SL_DROP_NO_ROUTE,
			  SL_DROP_ICMP_ERROR_LOOP, __LINE__);
		/* ... nor when their TTL runs out */
		run_error(sl_tp_in4("192.168.1.10", "10.99.0.1", 1, 1, 0, b, n),
			  SL_DROP_TTL_EXCEEDED, SL_DROP_ICMP_ERROR_LOOP, __LINE__);
	}
	/* Unknown ICMP types are treated as errors too. */
	run_error(sl_tp_in4("192.168.1.10", "10.55.0.1", 1, 64, 0, b, icmp_msg(b, 42, 0)),
		  SL_DROP_NO_ROUTE, SL_DROP_ICMP_ERROR_LOOP, __LINE__);
	/* An ICMP packet without even a type byte. */
	run_error(sl_tp_in4("192.168.1.10", "10.55.0.1", 1, 64, 0, NULL, 0), SL_DROP_NO_ROUTE,
		  SL_DROP_ICMP_ERROR_LOOP, __LINE__);

	/* Echo requests and replies are not errors: they get one. */
	e = run_error(sl_tp_in4("192.168.1.10", "10.55.0.1", 1, 64, 0, b, icmp_msg(b, 8, 0)),
		      SL_DROP_NO_ROUTE, SL_DROP_NONE, __LINE__);
	rte_pktmbuf_free(e);
	e = run_error(sl_tp_in4("192.168.1.10", "10.55.0.1", 1, 64, 0, b, icmp_msg(b, 0, 0)),
		      SL_DROP_NO_ROUTE, SL_DROP_NONE, __LINE__);
	rte_pktmbuf_free(e);
}

static void test_no_error_fragments4(void **state)
{
	struct rte_mbuf *e;

	/* Non-first fragment: no error. */
	run_error(sl_tp_in4("192.168.1.10", "10.55.0.1", 17, 64, 0x2000 | 185, pattern, 100),
		  SL_DROP_NO_ROUTE, SL_DROP_ICMP_ERROR_LOOP, __LINE__);
	run_error(sl_tp_in4("192.168.1.10", "10.55.0.1", 17, 64, 185, pattern, 100),
		  SL_DROP_NO_ROUTE, SL_DROP_ICMP_ERROR_LOOP, __LINE__);
	/* First fragment: error. */
	e = run_error(sl_tp_in4("192.168.1.10", "10.55.0.1", 17, 64, 0x2000, pattern, 100),
		      SL_DROP_NO_ROUTE, SL_DROP_NONE, __LINE__);
	rte_pktmbuf_free(e);
}

static void test_no_error_local_origin(void **state)
{
	uint8_t icmp[64];
	unsigned int n = sl_tp_icmp4_echo(icmp, 1, 2, 16);

	/* An echo request from an address VPC A cannot route back to: the
	 * reply finds no route, and no error is made about our own reply. */
	sl_test_flush(sl_env->w);
	sl_test_reset_stats(sl_env);
	sl_test_run(sl_env->w, sl_tp_in4("10.55.0.9", "192.168.1.253", 1, 64, 0, icmp, n),
		    SL_STAGE_ETH_INPUT);
	assert_int_equal(sl_env->stats->cnt[SL_CNT_LOCAL_ECHO], 1);
	assert_int_equal(sl_env->stats->drop[SL_DROP_NO_ROUTE], 1);
	assert_int_equal(sl_env->stats->drop[SL_DROP_ICMP_ERROR_LOOP], 1);
	assert_int_equal(sl_test_drops(sl_env), 2);
	assert_int_equal(sl_env->w->vec[SL_STAGE_NEIGH].n, 0);
}

static void test_no_source(void **state)
{
	/* The source is not routable in the ingress table: no address to
	 * send the error from. */
	run_error(sl_tp_in4("10.55.0.9", "10.55.0.1", 17, 64, 0, pattern, 20), SL_DROP_NO_ROUTE,
		  SL_DROP_ICMP_NO_SOURCE, __LINE__);
	/* Source routed to a blackhole. */
	run_error(sl_tp_in4("100.64.0.9", "10.55.0.1", 17, 64, 0, pattern, 20), SL_DROP_NO_ROUTE,
		  SL_DROP_ICMP_NO_SOURCE, __LINE__);
	run_error(sl_tp_in6("2001:db8:55::9", "2001:db8:55::1", 17, 64, pattern, 20),
		  SL_DROP_NO_ROUTE, SL_DROP_ICMP_NO_SOURCE, __LINE__);
}

static void test_rate_limit(void **state)
{
	uint64_t hz = rte_get_tsc_hz();
	unsigned int sent = 0, limited = 0;
	struct rte_mbuf *e;

	/* Burst: 200 errors at one instant, the rest suppressed. */
	for (int i = 0; i < 260; i++) {
		sl_test_reset_stats(sl_env);
		sl_test_run(sl_env->w,
			    sl_tp_in4("192.168.1.10", "10.55.0.1", 17, 64, 0, pattern, 20),
			    SL_STAGE_ETH_INPUT);
		sent += (unsigned int)sl_env->stats->cnt[SL_CNT_ICMP_ERRORS];
		limited += (unsigned int)sl_env->stats->drop[SL_DROP_ICMP_RATELIMIT];
		sl_test_flush(sl_env->w);
	}
	assert_int_equal(sent, 200);
	assert_int_equal(limited, 60);

	/* 10.5 ms later: 10.5 more tokens (1000/s), so 10 errors; IPv4 and
	 * IPv6 share them. */
	sl_env->w->now_tsc += hz / 100 + hz / 2000;
	sent = limited = 0;
	for (int i = 0; i < 15; i++) {
		struct rte_mbuf *m =
		    (i & 1) ? sl_tp_in6("2001:db8:a:1::10", "2001:db8:55::1", 17, 64, pattern, 20)
			    : sl_tp_in4("192.168.1.10", "10.55.0.1", 17, 64, 0, pattern, 20);

		sl_test_reset_stats(sl_env);
		sl_test_run(sl_env->w, m, SL_STAGE_ETH_INPUT);
		sent += (unsigned int)sl_env->stats->cnt[SL_CNT_ICMP_ERRORS];
		limited += (unsigned int)sl_env->stats->drop[SL_DROP_ICMP_RATELIMIT];
		sl_test_flush(sl_env->w);
	}
	assert_int_equal(sent, 10);
	assert_int_equal(limited, 5);

	/* After a long pause the bucket is full again, but not fuller. */
	sl_env->w->now_tsc += 3600 * hz;
	sent = 0;
	for (int i = 0; i < 230; i++) {
		sl_test_reset_stats(sl_env);
		sl_test_run(sl_env->w,
			    sl_tp_in4("192.168.1.10", "10.55.0.1", 17, 64, 0, pattern, 20),
			    SL_STAGE_ETH_INPUT);
		sent += (unsigned int)sl_env->stats->cnt[SL_CNT_ICMP_ERRORS];
		sl_test_flush(sl_env->w);
	}
	assert_int_equal(sent, 200);

	/* Suppressed errors are counted and the packet freed. */
	run_error(sl_tp_in4("192.168.1.10", "10.55.0.1", 17, 64, 0, pattern, 20), SL_DROP_NO_ROUTE,
		  SL_DROP_ICMP_RATELIMIT, __LINE__);
	sl_env->w->now_tsc += hz;
	e = run_error(sl_tp_in4("192.168.1.10", "10.55.0.1", 17, 64, 0, pattern, 20),
		      SL_DROP_NO_ROUTE, SL_DROP_NONE, __LINE__);
	rte_pktmbuf_free(e);
}

static void test_error_sizes4(void **state)
{
	struct rte_mbuf *e;
	uint8_t b[2048];
	static struct sl_tpkt p;
	uint32_t len;

	/* 1400-byte datagram: the error is 576 bytes, quoting 548. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.2.10", "10.55.0.1", 17, 64, 0, NULL, 0, pattern, 1380);
	e = run_error(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_NO_ROUTE, SL_DROP_NONE, __LINE__);
	len = sl_t_bytes(e, sl_meta(e)->l3_off, b, sizeof(b));
	assert_int_equal(len, 576);
	assert_int_equal(sl_get16(b + 2), 576);
	assert_true(sl_t_cksum_ok(b, 20));
	assert_true(sl_t_cksum_ok(b + 20, 556));
	assert_int_equal(b[1], 0xc0); /* precedence 6 */
	assert_int_equal(b[20], 3);
	assert_int_equal(b[21], 0);
	assert_memory_equal(b + 12, "\xc0\xa8\x02\xfd", 4); /* 192.168.2.253 */
	assert_memory_equal(b + 28, p.b + p.l3, 548);
	assert_int_equal(sl_meta(e)->nh, sl_env->nh_vsw2);
	assert_int_equal(sl_meta(e)->l4_off, sl_meta(e)->l3_off + 20);
	assert_int_equal(sl_meta(e)->l4_proto, 1);
	assert_int_equal(sl_meta(e)->in_port, SL_T_PORT_IN);
	rte_pktmbuf_free(e);

	/* From a custom-routed network: source via the GATEWAY next hop. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "10.99.3.3", "10.55.0.1", 17, 64, 0, NULL, 0, pattern, 10);
	e = run_error(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_NO_ROUTE, SL_DROP_NONE, __LINE__);
	len = sl_t_bytes(e, sl_meta(e)->l3_off, b, sizeof(b));
	assert_int_equal(len, 28 + 30);
	assert_memory_equal(b + 12, "\xc0\xa8\x02\xfd", 4);
	assert_memory_equal(b + 16, "\x0a\x63\x03\x03", 4);
	assert_int_equal(sl_meta(e)->nh, sl_env->nh_inst);
	rte_pktmbuf_free(e);
}

static void test_icmp6_errors(void **state)
{
	struct rte_mbuf *e;
	uint8_t b[2048], pl[64], gw[16];
	static struct sl_tpkt p;
	uint32_t len;

	/* ICMPv6 errors (type < 128): none about them. */
	for (uint8_t t = 1; t <= 4; t++) {
		memset(pl, 0, sizeof(pl));
		pl[0] = t;
		sl_tp_eth(&p, sl_t_mac_in, 100, 0x86dd);
		sl_tp_ip6(&p, "2001:db8:a:1::10", "2001:db8:55::1", 58, 64, pl, 48);
		sl_tp_icmp6_fix(&p, p.l3 + 40);
		run_error(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_NO_ROUTE, SL_DROP_ICMP_ERROR_LOOP,
			  __LINE__);
	}
	/* Non-first fragment. */
	memset(pl, 0, sizeof(pl));
	pl[0] = 17;
	pl[2] = 0x05; /* offset 160 */
	run_error(sl_tp_in6("2001:db8:a:1::10", "2001:db8:55::1", 44, 64, pl, 48), SL_DROP_NO_ROUTE,
		  SL_DROP_ICMP_ERROR_LOOP, __LINE__);

	/* Echo request to nowhere: 1/0 with a valid checksum. */
	memset(pl, 0, sizeof(pl));
	pl[0] = 128;
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x86dd);
	sl_tp_ip6(&p, "2001:db8:a:2::10", "2001:db8:55::1", 58, 64, pl, 48);
	sl_tp_icmp6_fix(&p, p.l3 + 40);
	e = run_error(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_NO_ROUTE, SL_DROP_NONE, __LINE__);
	len = sl_t_bytes(e, sl_meta(e)->l3_off, b, sizeof(b));
	assert_int_equal(len, 48 + 88);
	assert_int_equal(b[40], 1);
	assert_int_equal(b[41], 0);
	assert_true(sl_t_icmp6_ok(b + 8, b + 24, b + 40, len - 40));
	sl_t_addr("2001:db8:a:2:ffff:ffff:ffff:fffd", gw);
	assert_memory_equal(b + 8, gw, 16);
	assert_memory_equal(b + 24, p.b + p.l3 + 8, 16);
	assert_memory_equal(b + 48, p.b + p.l3, 88);
	assert_int_equal(sl_meta(e)->nh, sl_env->nh_vsw2_6);
	assert_int_equal(sl_meta(e)->l4_off, sl_meta(e)->l3_off + 40);
	rte_pktmbuf_free(e);
	/* The checksum really covers the pseudo-header: a one-bit change of
	 * the destination breaks it. */
	b[39] ^= 1;
	assert_false(sl_t_icmp6_ok(b + 8, b + 24, b + 40, len - 40));

	/* Big packet: error of exactly 1280 bytes. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x86dd);
	sl_tp_ip6(&p, "2001:db8:a:1::10", "2001:db8:55::1", 17, 64, pattern, 1400);
	e = run_error(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_NO_ROUTE, SL_DROP_NONE, __LINE__);
	len = sl_t_bytes(e, sl_meta(e)->l3_off, b, sizeof(b));
	assert_int_equal(len, 1280);
	assert_int_equal(sl_get16(b + 4), 1240);
	assert_true(sl_t_icmp6_ok(b + 8, b + 24, b + 40, len - 40));
	assert_memory_equal(b + 48, p.b + p.l3, 1232);
	rte_pktmbuf_free(e);

	/* Internet side: from the outside address, back via the upstream. */
	sl_tp_eth(&p, sl_t_mac_out, -1, 0x86dd);
	sl_tp_ip6(&p, "2001:db8:eeee::1", "2001:db8:ffff::99", 17, 1, pattern, 20);
	e = run_error(sl_tp_mbuf(&p, SL_T_PORT_OUT), SL_DROP_TTL_EXCEEDED, SL_DROP_NONE, __LINE__);
	len = sl_t_bytes(e, sl_meta(e)->l3_off, b, sizeof(b));
	sl_t_addr("2001:db8:ffff::2", gw);
	assert_memory_equal(b + 8, gw, 16);
	assert_int_equal(b[40], 3);
	assert_true(sl_t_icmp6_ok(b + 8, b + 24, b + 40, len - 40));
	assert_int_equal(sl_meta(e)->nh, sl_env->nh_up6);
	assert_int_equal(sl_meta(e)->vpc_index, SL_VPC_INTERNET);
	rte_pktmbuf_free(e);
}

/* The error stages driven directly with metadata as another stage would
 * leave it: flags LOCAL_ORIGIN / ICMP_ERROR are never answered. */
static void test_flags_direct(void **state)
{
	struct rte_mbuf *m;
	struct sl_meta *md;

	for (int f = 1; f <= 3; f++) {
		m = sl_tp_in4("192.168.1.10", "10.55.0.1", 17, 64, 0, pattern, 20);
		md = sl_meta(m);
		memset(md, 0, sizeof(*md));
		md->vpc_index = sl_env->vpc_a;
		md->family = SL_AF_INET;
		md->l3_off = 18;
		md->flags = (uint8_t)f;
		md->icmp_type = 3;
		sl_test_expect_drop(sl_env, m, SL_STAGE_ICMP4_ERROR, SL_DROP_ICMP_ERROR_LOOP,
				    __LINE__);

		m = sl_tp_in6("2001:db8:a:1::10", "2001:db8:55::1", 17, 64, pattern, 20);
		md = sl_meta(m);
		memset(md, 0, sizeof(*md));
		md->vpc_index = sl_env->vpc_a;
		md->family = SL_AF_INET6;
		md->l3_off = 18;
		md->l4_off = 58;
		md->l4_proto = 17;
		md->flags = (uint8_t)f;
		md->icmp_type = 1;
		sl_test_expect_drop(sl_env, m, SL_STAGE_ICMP6_ERROR, SL_DROP_ICMP_ERROR_LOOP,
				    __LINE__);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_no_error_about_errors4, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_no_error_fragments4, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_no_error_local_origin, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_no_source, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_rate_limit, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_error_sizes4, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_icmp6_errors, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_flags_direct, sl_test_setup_full_bucket),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
