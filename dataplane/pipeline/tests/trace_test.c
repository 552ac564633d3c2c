/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet trace (dataplane/sl_trace.h, core/trace.c) through the real stages
 * of the standard test world: which packets are claimed, the records of a
 * forwarded, a blackholed and an expired packet (and of the ICMP error made
 * from it), nothing for untraced packets, a new trace replacing the last,
 * a full record array counting what it lost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <rte_cycles.h>

#include "sl_test_env.h"

static const uint8_t udp8[16] = {0x30, 0x39, 0x00, 0x35, 0x00, 0x10, 0, 0, 't', 'r', 'a', 'c', 'e'};

static struct sl_trace *trace;
static struct sl_trace_rec recs[4 * SL_TRACE_RECS];

static struct rte_mbuf *vlan4(const char *dst, uint8_t ttl)
{
	static struct sl_tpkt p;

	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", dst, 17, ttl, 0, NULL, 0, udp8, sizeof(udp8));
	return sl_tp_mbuf(&p, SL_T_PORT_IN);
}

static int setup(void **state)
{
	int rc = sl_test_setup_full_bucket(state);

	if (trace == NULL)
		trace = sl_trace_new(sl_env->w->slot + 1, rte_get_tsc_hz());
	assert_non_null(trace);
	sl_env->w->trace = trace;
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	sl_env->w->trace = NULL;
	sl_test_flush(sl_env->w);
	return 0;
}

/* The records of packet `pkt` as "stage event to|note" lines joined by
 * "; " into buf. */
static const char *path_of(unsigned int n, uint8_t pkt, char *buf, size_t len)
{
	static const char *const kinds[] = {"rx", "next", "drop", "note", "tx"};
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n && o < len; i++) {
		const struct sl_trace_rec *r = &recs[i];
		const char *stage = r->stage < SL_STAGE_MAX ? sl_stage_names[r->stage] : "rx";

		if (r->pkt != pkt)
			continue;
		if (r->kind == SL_TRACE_NEXT)
			o += (size_t)snprintf(buf + o, len - o, "%s%s next %s", o ? "; " : "", stage,
					      sl_stage_names[r->arg]);
		else if (r->kind == SL_TRACE_DROP)
			o += (size_t)snprintf(buf + o, len - o, "%s%s drop %u", o ? "; " : "", stage,
					      r->arg);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%s %s %s", o ? "; " : "", stage,
					      kinds[r->kind], r->note);
	}
	return buf;
}

static void test_forwarded_and_dropped(void **state)
{
	char path[2048], want[2048];
	struct rte_mbuf *o;
	uint32_t claimed;
	uint64_t lost;
	unsigned int n;

	(void)state;
	sl_trace_arm(trace, 2);
	/* 1: forwarded to the instance route (GATEWAY) */
	o = SL_EXPECT_OUT(sl_env, vlan4("10.99.200.1", 64), SL_STAGE_NEIGH);
	assert_int_equal(sl_meta(o)->trace, 1);
	rte_pktmbuf_free(o);
	/* 2: blackholed */
	SL_EXPECT_DROP(sl_env, vlan4("100.64.0.1", 64), SL_DROP_BLACKHOLE);
	/* 3: the budget is spent: not traced */
	o = SL_EXPECT_OUT(sl_env, vlan4("10.99.200.1", 64), SL_STAGE_NEIGH);
	assert_int_equal(sl_meta(o)->trace, 0);
	rte_pktmbuf_free(o);

	n = sl_trace_read(trace, recs, RTE_DIM(recs), &claimed, &lost);
	assert_int_equal(claimed, 2);
	assert_int_equal(lost, 0);
	snprintf(want, sizeof(want),
		 "eth_input rx port %u queue %u len %u; eth_input next ip4_input; ip4_input next route4; "
		 "route4 note vpc %u: nh %u gateway; route4 next forward4; forward4 next neigh",
		 SL_T_PORT_IN, sl_env->w->queue_id, 14u + 4 + 20 + 16, sl_env->vpc_a,
		 sl_env->nh_inst);
	assert_string_equal(path_of(n, 1, path, sizeof(path)), want);
	snprintf(want, sizeof(want),
		 "eth_input rx port %u queue %u len %u; eth_input next ip4_input; ip4_input next route4; "
		 "route4 note vpc %u: nh %u blackhole; route4 drop %u",
		 SL_T_PORT_IN, sl_env->w->queue_id, 14u + 4 + 20 + 16, sl_env->vpc_a,
		 sl_env->nh_black, SL_DROP_BLACKHOLE);
	assert_string_equal(path_of(n, 2, path, sizeof(path)), want);
	for (unsigned int i = 0; i < n; i++)
		assert_true(recs[i].pkt == 1 || recs[i].pkt == 2);
}

static void test_icmp_error_follows(void **state)
{
	char path[2048];
	struct rte_mbuf *o;
	unsigned int n;

	(void)state;
	sl_trace_arm(trace, 1);
	/* TTL 1 to a forwarded destination: time exceeded goes back to the
	 * sender, made from the traced packet and traced as it */
	sl_test_run(sl_env->w, vlan4("10.99.200.1", 1), SL_STAGE_ETH_INPUT);
	assert_int_equal(sl_test_take(sl_env->w, SL_STAGE_NEIGH, &o, 1), 1);
	assert_int_equal(sl_meta(o)->trace, 1);
	assert_int_equal(sl_meta(o)->flags & SL_META_F_ICMP_ERROR, SL_META_F_ICMP_ERROR);
	rte_pktmbuf_free(o);
	n = sl_trace_read(trace, recs, RTE_DIM(recs), NULL, NULL);
	path_of(n, 1, path, sizeof(path));
	assert_non_null(strstr(path, "forward4 drop"));
	assert_non_null(strstr(path, "forward4 next icmp4_error"));
	assert_non_null(strstr(path, "icmp4_error next route4"));
	/* the error is routed back into vsw1 */
	assert_non_null(strstr(path, "connected; route4 next forward4"));
}

static void test_rearm_replaces(void **state)
{
	struct rte_mbuf *o;
	uint32_t claimed;
	unsigned int n;

	(void)state;
	sl_trace_arm(trace, 3);
	o = SL_EXPECT_OUT(sl_env, vlan4("10.99.200.1", 64), SL_STAGE_NEIGH);
	rte_pktmbuf_free(o);
	sl_trace_arm(trace, 1); /* the last trace's records are gone */
	n = sl_trace_read(trace, recs, RTE_DIM(recs), &claimed, NULL);
	assert_int_equal(n, 0);
	assert_int_equal(claimed, 0);
	o = SL_EXPECT_OUT(sl_env, vlan4("10.99.200.1", 64), SL_STAGE_NEIGH);
	assert_int_equal(sl_meta(o)->trace, 1);
	rte_pktmbuf_free(o);
	n = sl_trace_read(trace, recs, RTE_DIM(recs), &claimed, NULL);
	assert_int_equal(claimed, 1);
	assert_int_equal(n, 6);
	/* 0 stops tracing */
	sl_trace_arm(trace, 0);
	o = SL_EXPECT_OUT(sl_env, vlan4("10.99.200.1", 64), SL_STAGE_NEIGH);
	assert_int_equal(sl_meta(o)->trace, 0);
	rte_pktmbuf_free(o);
	assert_int_equal(sl_trace_read(trace, recs, RTE_DIM(recs), NULL, NULL), 0);
}

static void test_full_array_counts_lost(void **state)
{
	uint64_t lost;
	unsigned int n, per_pkt = 6;

	(void)state;
	sl_trace_arm(trace, SL_TRACE_MAX_PKTS);
	/* 255 packets of 6 records = 1530 < 2048: all kept */
	for (unsigned int i = 0; i < SL_TRACE_MAX_PKTS; i++) {
		struct rte_mbuf *o = SL_EXPECT_OUT(sl_env, vlan4("10.99.200.1", 64), SL_STAGE_NEIGH);

		rte_pktmbuf_free(o);
	}
	n = sl_trace_read(trace, recs, RTE_DIM(recs), NULL, &lost);
	assert_int_equal(n, SL_TRACE_MAX_PKTS * per_pkt);
	assert_int_equal(lost, 0);
	/* notes from a stage past the array's end are counted, not written */
	for (unsigned int i = 0; i < SL_TRACE_RECS; i++) {
		struct rte_mbuf *m = vlan4("10.99.200.1", 64);

		sl_meta(m)->trace = 7;
		sl_trace_note(sl_env->w, m, "filler %u", i);
		rte_pktmbuf_free(m);
	}
	n = sl_trace_read(trace, recs, RTE_DIM(recs), NULL, &lost);
	assert_int_equal(n, SL_TRACE_RECS);
	assert_int_equal(lost, SL_TRACE_MAX_PKTS * per_pkt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_forwarded_and_dropped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_icmp_error_follows, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rearm_replaces, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_array_counts_lost, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, sl_test_group_setup, sl_test_group_teardown);

	sl_trace_free(trace);
	return rc;
}
