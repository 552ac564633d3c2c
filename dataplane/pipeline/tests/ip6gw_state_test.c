/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the IPv6 gateway's egress-only state table
 * (dataplane/pipeline/ip6gw_state.c): flows live and die with the clock by
 * protocol and TCP state, the expiry scan deletes expired flows and their
 * positions come back only after the readers' quiescent reports, a full
 * table refuses new flows, keys come out of packets the right way round,
 * and three threads (more than the machine's cores) creating, finding and
 * expiring the same flows at once lose none and leak no position.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "sl_ip6gw.h"
#include "sl_nat.h" /* SL_TCPF_* */
#include "sl_proto.h"
#include "sl_test_env.h"

#define S(x) ((uint64_t)(x)*rte_get_tsc_hz())

static struct sl_ip6eo_key key(uint8_t proto, uint16_t in_port, uint8_t host)
{
	struct sl_ip6eo_key k;

	memset(&k, 0, sizeof(k));
	sl_t_addr("2400:a::30", k.in_addr);
	sl_t_addr("2001:db8:77::5", k.ext_addr);
	k.ext_addr[15] = host;
	k.vpc_index = 3;
	k.in_port = in_port;
	k.ext_port = proto == SL_IPPROTO_ICMPV6 ? 0 : 53;
	k.proto = proto;
	return k;
}

static struct sl_ip6eo_table *table(uint32_t cap)
{
	struct sl_ip6eo_conf c = {.capacity = cap, .n_readers = 1};
	static int n;
	char name[32];
	struct sl_ip6eo_table *t;

	sl_test_eal_init();
	snprintf(name, sizeof(name), "t_ip6eo_%d", n++);
	t = sl_ip6eo_create(name, &c);
	assert_non_null(t);
	sl_ip6eo_reader_online(t, 0);
	return t;
}

/* Timeouts by protocol; replies refresh; an expired flow is absent. */
static void test_timeouts(void **state)
{
	struct sl_ip6eo_table *t = table(64);
	struct sl_ip6eo_key u = key(SL_IPPROTO_UDP, 5000, 1), i = key(SL_IPPROTO_ICMPV6, 7, 1);
	struct sl_ip6eo_key tc = key(SL_IPPROTO_TCP, 6000, 1), other = key(SL_IPPROTO_UDP, 5001, 1);
	uint64_t t0 = S(3600);

	(void)state;
	assert_int_equal(sl_ip6eo_out(t, &u, 0, t0), 0);
	assert_int_equal(sl_ip6eo_out(t, &i, 0, t0), 0);
	assert_int_equal(sl_ip6eo_out(t, &tc, SL_TCPF_SYN, t0), 0);
	assert_true(sl_ip6eo_in(t, &u, 0, t0 + S(1)));
	assert_false(sl_ip6eo_in(t, &other, 0, t0 + S(1)));
	assert_int_equal(sl_ip6eo_count(t, t0 + S(1)), 3);
	/* ICMPv6 60 s, UDP 300 s (from the last packet, a reply too) */
	assert_true(sl_ip6eo_alive(t, &i, t0 + S(60)));
	assert_false(sl_ip6eo_alive(t, &i, t0 + S(61)));
	assert_true(sl_ip6eo_in(t, &u, 0, t0 + S(200)));
	assert_true(sl_ip6eo_alive(t, &u, t0 + S(500)));
	assert_false(sl_ip6eo_in(t, &u, 0, t0 + S(502)));
	/* TCP: transitory (240 s) until both sides acked, then 7440 s */
	assert_false(sl_ip6eo_alive(t, &tc, t0 + S(241)));
	assert_int_equal(sl_ip6eo_out(t, &tc, SL_TCPF_SYN, t0 + S(1000)), 0); /* afresh */
	assert_true(sl_ip6eo_in(t, &tc, SL_TCPF_SYN | SL_TCPF_ACK, t0 + S(1001)));
	assert_int_equal(sl_ip6eo_out(t, &tc, SL_TCPF_ACK, t0 + S(1002)), 0);
	assert_true(sl_ip6eo_alive(t, &tc, t0 + S(1002 + 7000)));
	assert_true(sl_ip6eo_in(t, &tc, SL_TCPF_RST, t0 + S(1002 + 7000)));
	assert_false(sl_ip6eo_alive(t, &tc, t0 + S(1002 + 7000 + 241)));
	sl_ip6eo_reader_offline(t, 0);
	sl_ip6eo_free(t);
}

/* The scan deletes expired flows (its share: all positions with one
 * reader); a full table refuses flows until positions come back. */
static void test_expire_and_full(void **state)
{
	const uint32_t cap = 64;
	struct sl_ip6eo_table *t = table(cap);
	uint64_t now = S(3600);
	unsigned int made = 0, gone = 0;

	(void)state;
	for (unsigned int h = 0; h < 2 * cap; h++) {
		struct sl_ip6eo_key k = key(SL_IPPROTO_UDP, (uint16_t)(1000 + h), (uint8_t)h);

		made += sl_ip6eo_out(t, &k, 0, now) == 0;
	}
	assert_true(made >= cap / 2 && made <= cap); /* then full: refused */
	assert_int_equal(sl_ip6eo_count(t, now), made);
	/* nothing is old yet: the scan keeps everything */
	assert_int_equal(sl_ip6eo_expire(t, 0, now + S(10), cap), 0);
	now += S(301);
	for (unsigned int round = 0; round < 4; round++) {
		gone += sl_ip6eo_expire(t, 0, now, cap / 4);
		sl_ip6eo_quiescent(t, 0);
	}
	assert_int_equal(gone, made);
	assert_int_equal(sl_ip6eo_count(t, now), 0);
	/* the positions are back after the quiescent reports */
	for (unsigned int h = 0; h < made; h++) {
		struct sl_ip6eo_key k = key(SL_IPPROTO_TCP, (uint16_t)(2000 + h), (uint8_t)h);

		assert_int_equal(sl_ip6eo_out(t, &k, SL_TCPF_SYN, now), 0);
	}
	assert_int_equal(sl_ip6eo_count(t, now), made);
	sl_ip6eo_reader_offline(t, 0);
	sl_ip6eo_free(t);
}

/* Keys from packets: outbound (source side) and inbound (destination side)
 * of one flow are equal; echo requests go out, replies come in. */
static void test_keys(void **state)
{
	static const uint8_t udp_out[] = {
	    0x60, 0,	0,    0,    0, 8,    17, 64,   0x24, 0, 0, 0xa, 0, 0, 0, 0,
	    0,	  0,	0,    0,    0, 0,    0,	 0x30, /* src 2400:a::30 */
	    0x20, 0x01, 0x0d, 0xb8, 0, 0x77, 0,	 0,    0,    0, 0, 0,	0, 0, 0, 5, /* dst */
	    0x13, 0x88, 0,    53,   0, 8,    0,	 0};
	uint8_t udp_in[sizeof(udp_out)], echo[48];
	struct sl_ip6eo_key ko, ki;
	struct rte_mbuf *m;
	uint8_t flags;

	(void)state;
	sl_test_eal_init();
	memcpy(udp_in, udp_out, 8);
	memcpy(udp_in + 8, udp_out + 24, 16); /* swapped addresses and ports */
	memcpy(udp_in + 24, udp_out + 8, 16);
	memcpy(udp_in + 40, (const uint8_t[]){0, 53, 0x13, 0x88, 0, 8, 0, 0}, 8);
	m = rte_pktmbuf_alloc(sl_pktmbuf_pool);
	memcpy(rte_pktmbuf_append(m, sizeof(udp_out)), udp_out, sizeof(udp_out));
	assert_true(sl_ip6eo_key_of(m, 0, SL_IPPROTO_UDP, 40, false, 3, &ko, &flags));
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), udp_in, sizeof(udp_in));
	assert_true(sl_ip6eo_key_of(m, 0, SL_IPPROTO_UDP, 40, true, 3, &ki, &flags));
	assert_memory_equal(&ko, &ki, sizeof(ko));
	assert_int_equal(ko.in_port, 5000);
	assert_int_equal(ko.ext_port, 53);
	/* a truncated header or another protocol has no flow */
	assert_false(sl_ip6eo_key_of(m, 0, SL_IPPROTO_TCP, 40, true, 3, &ki, &flags));
	assert_false(sl_ip6eo_key_of(m, 0, 47, 40, true, 3, &ki, &flags));
	rte_pktmbuf_free(m);

	memcpy(echo, udp_out, 40);
	echo[6] = SL_IPPROTO_ICMPV6;
	memcpy(echo + 40, (const uint8_t[]){SL_ICMP6_ECHO_REQUEST, 0, 0, 0, 0, 77, 0, 1}, 8);
	m = rte_pktmbuf_alloc(sl_pktmbuf_pool);
	memcpy(rte_pktmbuf_append(m, sizeof(echo)), echo, sizeof(echo));
	assert_true(sl_ip6eo_key_of(m, 0, SL_IPPROTO_ICMPV6, 40, false, 3, &ko, &flags));
	assert_int_equal(ko.in_port, 77);
	assert_false(sl_ip6eo_key_of(m, 0, SL_IPPROTO_ICMPV6, 40, true, 3, &ki, &flags));
	rte_pktmbuf_free(m);
}

#define MT_THR 3
#define MT_FLOWS 1500u

static struct sl_ip6eo_table *mt;
static pthread_barrier_t mt_bar;

struct mt_arg {
	unsigned int idx;
	unsigned int missing; /* replies that found no flow right after its creation */
	unsigned int failed;  /* creations refused */
	unsigned int expired;
};

static struct sl_ip6eo_key mt_key(unsigned int f, unsigned int gen)
{
	return key(SL_IPPROTO_UDP, (uint16_t)(f % 50000u), (uint8_t)(gen * 16 + f / 50000u));
}

/* Phase 1 (clock t0): every thread creates every flow, in the same order, and
 * finds it as a reply; phase 2 (t0 + 400 s, the flows expired): every thread
 * scans its share while creating a second generation of flows. */
static void *mt_worker(void *p)
{
	struct mt_arg *a = p;
	const uint64_t t0 = S(3600), t1 = t0 + S(400);

	sl_ip6eo_reader_online(mt, a->idx);
	pthread_barrier_wait(&mt_bar);
	for (unsigned int f = 0; f < MT_FLOWS; f++) {
		struct sl_ip6eo_key k = mt_key(f, 0);

		if (sl_ip6eo_out(mt, &k, 0, t0) < 0)
			a->failed++;
		else if (!sl_ip6eo_in(mt, &k, 0, t0))
			a->missing++;
		if (f % 64 == 0)
			sl_ip6eo_quiescent(mt, a->idx);
	}
	pthread_barrier_wait(&mt_bar);
	for (unsigned int f = 0; f < MT_FLOWS; f++) {
		struct sl_ip6eo_key k = mt_key(f, 1);

		a->expired += sl_ip6eo_expire(mt, a->idx, t1, 4);
		if (f % 3 == a->idx && sl_ip6eo_out(mt, &k, 0, t1) < 0)
			a->failed++;
		sl_ip6eo_quiescent(mt, a->idx);
	}
	for (unsigned int r = 0; r < 4096; r++) { /* finish the scan */
		a->expired += sl_ip6eo_expire(mt, a->idx, t1, 4);
		sl_ip6eo_quiescent(mt, a->idx);
	}
	pthread_barrier_wait(&mt_bar);
	sl_ip6eo_reader_offline(mt, a->idx);
	return NULL;
}

static void test_threads(void **state)
{
	struct sl_ip6eo_conf c = {.capacity = 4096, .n_readers = MT_THR};
	struct mt_arg arg[MT_THR];
	pthread_t th[MT_THR];
	unsigned int expired = 0;

	(void)state;
	sl_test_eal_init();
	mt = sl_ip6eo_create("t_ip6eo_mt", &c);
	assert_non_null(mt);
	pthread_barrier_init(&mt_bar, NULL, MT_THR);
	for (unsigned int i = 0; i < MT_THR; i++) {
		arg[i] = (struct mt_arg){.idx = i};
		assert_int_equal(pthread_create(&th[i], NULL, mt_worker, &arg[i]), 0);
	}
	for (unsigned int i = 0; i < MT_THR; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(arg[i].failed, 0);
		assert_int_equal(arg[i].missing, 0);
		expired += arg[i].expired;
	}
	/* every first-generation flow expired exactly once; the second lives */
	assert_int_equal(expired, MT_FLOWS);
	assert_int_equal(sl_ip6eo_count(mt, S(3600) + S(400)), MT_FLOWS);
	for (unsigned int f = 0; f < MT_FLOWS; f++) {
		struct sl_ip6eo_key k0 = mt_key(f, 0), k1 = mt_key(f, 1);

		assert_false(sl_ip6eo_alive(mt, &k0, S(3600) + S(400)));
		assert_true(sl_ip6eo_alive(mt, &k1, S(3600) + S(400)));
	}
	pthread_barrier_destroy(&mt_bar);
	sl_ip6eo_free(mt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timeouts),
	    cmocka_unit_test(test_expire_and_full),
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
