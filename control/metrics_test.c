/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics.c: the exposition of a started sluiced (demo config, standalone
 * segment) with a stats area filled the way sluice-dp fills it: per-lcore
 * counters summed, snapshot values copied, every sample line well formed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sl_compile.h"
#include "sl_counters.h"
#include "sl_ctl.h"
#include "sl_metrics.h"
#include "sl_shm_writer.h"

static char seg[64];

/* The value of the sample `line` (metric name with labels), -1 if absent. */
static double sample(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, line, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

static struct sl_ctl *start_with(const char *config)
{
	struct sl_ctl_opts o = {
	    .config_path = config, .segment_path = seg, .bank_size = 1 << 22};
	struct sl_ctl_result res;
	struct sl_ctl *c = sl_ctl_new(&o);
	char err[512];

	assert_non_null(o.config_path);
	assert_non_null(c);
	assert_int_equal(sl_ctl_start(c, &res, err, sizeof(err)), 0);
	return c;
}

static struct sl_ctl *start(void)
{
	return start_with(getenv("SL_DEMO_JSON"));
}

static void test_without_dp(void **state)
{
	struct sl_ctl *c = start();
	size_t len = 0;
	char *t = sl_metrics_render(c, &len);

	(void)state;
	assert_non_null(t);
	assert_int_equal(strlen(t), len);
	assert_true(sample(t, "sluice_generation") == 1);
	assert_true(sample(t, "sluice_dp_up") == 0);
	/* demo.json: 2 VPCs, 4 VSwitches, from the file, Pending until acked */
	assert_true(
	    sample(t, "sluice_objects{kind=\"vpc\",origin=\"file\",status=\"Pending\"}") +
		sample(t, "sluice_objects{kind=\"vpc\",origin=\"file\",status=\"Available\"}") ==
	    2);
	assert_true(
	    sample(t, "sluice_objects{kind=\"vswitch\",origin=\"api\",status=\"Pending\"}") == 0);
	/* no stats area yet: no data-plane families */
	assert_null(strstr(t, "sluice_drops_total"));
	free(t);
	sl_ctl_free(c);
}

static void test_with_stats(void **state)
{
	struct sl_ctl *c = start();
	struct sl_stats_header *st = sl_shm_stats(sl_shm_hdr(sl_ctl_shm(c)));
	size_t len;
	char *t;

	(void)state;
	/* what sluice-dp writes: 3 lcores, 2 ports, 3 neighbours */
	st->n_lcores = 3;
	for (int l = 0; l < 3; l++) {
		st->lcore[l].drop[SL_DROP_NO_ROUTE] = 10 * (uint64_t)(l + 1);
		st->lcore[l].cnt[SL_CNT_FWD_IP4] = 1000;
	}
	st->lcore[5].drop[SL_DROP_NO_ROUTE] = 7777; /* beyond n_lcores: not summed */
	st->n_ports = 2;
	snprintf(st->port[0].name, sizeof(st->port[0].name), "inside0");
	st->port[0].role = SL_ROLE_INSIDE;
	st->port[0].link_up = 1;
	st->port[0].ipackets = 123456789012ULL;
	snprintf(st->port[1].name, sizeof(st->port[1].name), "out\"side");
	st->port[1].role = SL_ROLE_OUTSIDE;
	st->port[1].obytes = 42;
	st->n_neigh = 3;
	st->neigh[0].state = SL_NEIGH_REACHABLE;
	st->neigh[1].state = SL_NEIGH_REACHABLE;
	st->neigh[2].state = SL_NEIGH_FAILED;
	/* issue 11: queue 1 of inside0 (slot 2); vpc-b's table, the Internet's */
	int vb = sl_compiler_vpc_index(sl_ctl_compiler(c), "vpc-b");

	assert_true(vb >= 0);
	st->queue[2][0] = (struct sl_queue_stats){.rx_pkts = 5, .tx_bytes = 6, .tx_full = 7};
	st->queue[0][0].rx_pkts = 99; /* the main lcore: no queue */
	st->rt[1][vb] = (struct sl_rt_stats){8, 800};
	st->rt[2][vb] = (struct sl_rt_stats){1, 100};
	st->rt[0][SL_RT_STATS_INET] = (struct sl_rt_stats){4, 400};
	st->rt[5][SL_RT_STATS_INET].pkts = 7777; /* beyond n_lcores */
	st->ip6eo_flows = 17; /* issue 6 */
	st->ip6eo_capacity = 65536;
	st->magic = SL_STATS_MAGIC;

	t = sl_metrics_render(c, &len);
	assert_non_null(t);
	assert_true(sample(t, "sluice_queue_rx_packets_total{port=\"inside0\",queue=\"1\"}") == 5);
	assert_true(sample(t, "sluice_queue_rx_packets_total{port=\"inside0\",queue=\"0\"}") == 0);
	assert_true(sample(t, "sluice_queue_tx_bytes_total{port=\"inside0\",queue=\"1\"}") == 6);
	assert_true(sample(t, "sluice_queue_tx_full_total{port=\"inside0\",queue=\"1\"}") == 7);
	assert_true(sample(t, "sluice_queue_no_mbuf_total{port=\"inside0\",queue=\"2\"}") == -1);
	{
		char line[128];

		snprintf(line, sizeof(line),
			 "sluice_table_packets_total{table=\"vpc-b\",vpc_index=\"%d\"}", vb);
		assert_true(sample(t, line) == 9);
		snprintf(line, sizeof(line),
			 "sluice_table_bytes_total{table=\"vpc-b\",vpc_index=\"%d\"}", vb);
		assert_true(sample(t, line) == 900);
	}
	assert_true(sample(t, "sluice_table_packets_total{table=\"internet\"}") == 4);
	assert_true(sample(t, "sluice_table_bytes_total{table=\"internet\"}") == 400);
	assert_true(sample(t, "sluice_drops_total{reason=\"no_route\"}") == 60);
	assert_true(sample(t, "sluice_drops_total{reason=\"ttl_exceeded\"}") == 0);
	assert_true(sample(t, "sluice_drops_total{reason=\"none\"}") == -1);
	assert_true(sample(t, "sluice_packets_total{counter=\"forwarded_ip4\"}") == 3000);
	assert_true(sample(t, "sluice_port_rx_packets_total{port=\"inside0\"}") == 123456789012.0);
	assert_true(sample(t, "sluice_port_up{port=\"inside0\",role=\"inside\",trunk=\"0\"}") == 1);
	/* a quote in a label value is escaped */
	assert_true(sample(t, "sluice_port_tx_bytes_total{port=\"out\\\"side\"}") == 42);
	assert_true(sample(t, "sluice_neighbours{state=\"reachable\"}") == 2);
	assert_true(sample(t, "sluice_neighbours{state=\"failed\"}") == 1);
	assert_true(sample(t, "sluice_ip6gw_egress_only_flows") == 17);
	assert_true(sample(t, "sluice_ip6gw_egress_only_capacity") == 65536);
	/* every line is a comment or "name[{labels}] value"; one TYPE per family */
	for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#') {
			assert_true(strncmp(line, "# HELP sluice_", 14) == 0 ||
				    strncmp(line, "# TYPE sluice_", 14) == 0);
			continue;
		}
		char *sp = strrchr(line, ' ');

		assert_non_null(sp);
		assert_true(strncmp(line, "sluice_", 7) == 0);
		char *end;

		strtod(sp + 1, &end);
		assert_true(*end == '\0' && end != sp + 1);
	}
	free(t);
	sl_ctl_free(c);
}

/* The sample of eip-1's policer `idx` (direction `dir`) in family `metric`. */
static double pol_sample(const char *t, const char *metric, uint32_t idx, const char *dir)
{
	char line[256];

	snprintf(line, sizeof(line), "%s{policer=\"%u\",kind=\"ip\",id=\"eip-1\",direction=\"%s\"}",
		 metric, idx, dir);
	return sample(t, line);
}

/* Policers (issue 7): the rate of every compiled policer; counters only
 * where sluice-dp exported them under the policer's own tag. */
static void test_policers(void **state)
{
	static const char cfg[] =
	    "{\"Regions\":[{\"RegionId\":\"r1\",\"Zones\":[{\"ZoneId\":\"z1\"}]}],"
	    "\"Gateway\":{\"Outside\":{\"Addresses\":[\"203.0.113.2/24\"]},"
	    "\"EipPool\":[\"198.51.100.0/28\"]},"
	    "\"Vpcs\":[{\"VpcId\":\"vpc-a\",\"RegionId\":\"r1\",\"CidrBlock\":\"10.0.0.0/16\","
	    "\"VlanId\":10}],"
	    "\"VSwitches\":[{\"VSwitchId\":\"vsw-a1\",\"VpcId\":\"vpc-a\",\"ZoneId\":\"z1\","
	    "\"CidrBlock\":\"10.0.1.0/24\"}],"
	    "\"Instances\":[{\"InstanceId\":\"i-a1\",\"VSwitchId\":\"vsw-a1\","
	    "\"PrivateIpAddress\":\"10.0.1.1\"}],"
	    "\"EipAddresses\":[{\"AllocationId\":\"eip-1\",\"IpAddress\":\"198.51.100.1\","
	    "\"InstanceType\":\"EcsInstance\",\"InstanceId\":\"i-a1\",\"Bandwidth\":20}]}";
	char path[64];
	struct sl_ctl *c;
	struct sl_stats_header *st;
	const struct sl_pol_sec *sec;
	const struct sl_pol_ent *pol;
	uint32_t out = UINT32_MAX, in = UINT32_MAX;
	size_t len;
	char *t;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/sl_metrics_pol_%d.json", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(cfg, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	c = start_with(path);
	unlink(path);
	sec = sl_compiler_police(sl_ctl_compiler(c));
	assert_non_null(sec);
	pol = (const struct sl_pol_ent *)((const uint8_t *)sec + sec->pol_off);
	for (uint32_t i = 0; i < sec->n_pols; i++)
		if (pol[i].rate)
			*(pol[i].dir == SL_POL_DIR_OUT ? &out : &in) = i;
	assert_true(out != UINT32_MAX && in != UINT32_MAX);

	/* no data plane: rates, no counters */
	t = sl_metrics_render(c, &len);
	assert_non_null(t);
	assert_true(pol_sample(t, "sluice_policer_rate_bits_per_second", out, "out") == 20e6);
	assert_null(strstr(t, "sluice_policer_conform_packets_total{"));
	free(t);

	/* the outbound policer exported under its tag, the inbound one under
	 * another (not applied yet) */
	st = sl_shm_stats(sl_shm_hdr(sl_ctl_shm(c)));
	st->n_lcores = 1;
	st->n_pol_export = 64;
	st->pol[out] = (struct sl_pol_export){pol[out].tag, pol[out].rate, 10, 10000, 3, 4500};
	st->pol[in] = (struct sl_pol_export){pol[in].tag ^ 1, pol[in].rate, 99, 99, 99, 99};
	st->magic = SL_STATS_MAGIC;
	t = sl_metrics_render(c, &len);
	assert_non_null(t);
	assert_true(pol_sample(t, "sluice_policer_conform_bytes_total", out, "out") == 10000);
	assert_true(pol_sample(t, "sluice_policer_exceed_packets_total", out, "out") == 3);
	assert_true(pol_sample(t, "sluice_policer_exceed_packets_total", in, "in") == -1);
	free(t);
	sl_ctl_free(c);
}

/* The sample of group `g`'s member `m` via `via`, -1 if absent. */
static double member_sample(const char *t, uint32_t g, uint32_t m, const char *via)
{
	char line[256];

	snprintf(line, sizeof(line),
		 "sluice_nexthop_group_member_packets_total{group=\"%u\",member=\"%u\",via=\"%s\"}",
		 g, m, via);
	return sample(t, line);
}

/* ECMP (issue 8): per-member packet counters of the published groups,
 * summed over the lcores sluice-dp runs; a member past SL_NHG_COUNTED has
 * no sample and is counted as uncounted. */
static void test_nexthop_groups(void **state)
{
	struct sl_ctl *c = start();
	struct sl_stats_header *st = sl_shm_stats(sl_shm_hdr(sl_ctl_shm(c)));
	struct sl_pfx p, via[2];
	const uint16_t weight[2] = {1, 3};
	const struct sl_bank_header *b;
	struct sl_nexthop *nh;
	uint32_t g = 0, m0, m1;
	char *t;
	size_t len;

	(void)state;
	assert_int_equal(sl_pfx_parse("198.51.100.0/24", &p, SL_PFX_NEED_LEN), SL_PFX_OK);
	assert_int_equal(sl_pfx_parse("203.0.113.7", &via[0], SL_PFX_BARE_OK), SL_PFX_OK);
	assert_int_equal(sl_pfx_parse("203.0.113.8", &via[1], SL_PFX_BARE_OK), SL_PFX_OK);
	assert_int_equal(sl_ctl_inet_set_group(c, &p, via, weight, 2), 0);
	assert_int_equal(sl_ctl_commit(c, "test", NULL), 0);
	b = sl_shm_active_bank(sl_ctl_shm(c));
	assert_non_null(b);
	nh = (struct sl_nexthop *)((uintptr_t)b + b->nh_off);
	for (uint32_t i = 0; i < b->n_nexthops; i++)
		if (nh[i].type == SL_NH_GROUP)
			g = i;
	assert_true(g > 0);
	assert_int_equal(nh[g].grp.n_members, 2);
	m0 = nh[g].grp.member[0];
	m1 = nh[g].grp.member[1];
	/* members are sorted by index, not by via: name them by their via */
	if (nh[m0].via[3] != 7) {
		uint32_t x = m0;

		m0 = m1;
		m1 = x;
	}
	st->n_lcores = 2;
	st->nhg[0].pkts[m0] = 5;
	st->nhg[1].pkts[m0] = 6;
	st->nhg[1].pkts[m1] = 7;
	st->nhg[3].pkts[m1] = 1000; /* beyond n_lcores: not summed */
	st->magic = SL_STATS_MAGIC;

	t = sl_metrics_render(c, &len);
	assert_non_null(t);
	assert_true(member_sample(t, g, m0, "203.0.113.7") == 11);
	assert_true(member_sample(t, g, m1, "203.0.113.8") == 7);
	assert_true(sample(t, "sluice_nexthop_group_members_uncounted") == 0);
	free(t);

	/* a member index sluice-dp does not count (a table of more than
	 * SL_NHG_COUNTED next hops): no sample, one uncounted */
	uint32_t saved = nh[g].grp.member[1];

	nh[g].grp.member[1] = SL_NHG_COUNTED + 5;
	t = sl_metrics_render(c, &len);
	nh[g].grp.member[1] = saved;
	assert_non_null(t);
	assert_true(sample(t, "sluice_nexthop_group_members_uncounted") == 1);
	assert_non_null(strstr(t, "sluice_nexthop_group_member_packets_total{group="));
	assert_null(strstr(t, "member=\"2053\""));
	free(t);
	sl_ctl_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_without_dp),
	    cmocka_unit_test(test_with_stats),
	    cmocka_unit_test(test_policers),
	    cmocka_unit_test(test_nexthop_groups),
	};
	int rc;

	snprintf(seg, sizeof(seg), "/dev/shm/sl-metrics-test-%d", (int)getpid());
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(seg);
	return rc;
}
