/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the /sluice/ telemetry commands (telemetry.c), through the
 * real EAL telemetry socket: EAL runs with telemetry on (no hugepages, no
 * PCI, --no-shconf, a per-process file prefix), the test builds a segment
 * in memory (sl_t_segment), writes counters, slots and a neighbour export by hand, and
 * checks every answer value by value. Ports need an ethdev and are covered
 * by tests/e2e/telemetry_test.sh.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <jansson.h>

#include "sl_core_test.h" /* its EAL set-up is not used: telemetry must be on */
#include "sl_ip6gw.h"
#include "sl_telemetry.h"

static char sl_tt_sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
static char sl_tt_rundir[PATH_MAX];
static struct sl_shm sl_tt_shm;
static struct sl_dp sl_tt_dp;
static const unsigned int sl_tt_lcore_ids[3] = {0, 5, 9};

#define SL_TT_NEIGH 100

static void sl_tt_fini(void)
{
	rte_eal_cleanup();
	unlink(sl_tt_sock);
	rmdir(sl_tt_rundir);
}

static void sl_tt_eal_init(void)
{
	char prefix[64];
	char *argv[] = {
	    "sl_telemetry_test",       "--no-huge", "-m", "256", "--no-shconf", "--no-pci",
	    "--log-level=lib.*:error", prefix,	    NULL};

	snprintf(prefix, sizeof(prefix), "--file-prefix=sl_tel_test_%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "EAL init failed\n");
		exit(1);
	}
	snprintf(sl_tt_rundir, sizeof(sl_tt_rundir), "%s", rte_eal_get_runtime_dir());
	atexit(sl_tt_fini);
	if (snprintf(sl_tt_sock, sizeof(sl_tt_sock), "%s/dpdk_telemetry.v2", sl_tt_rundir) >=
	    (int)sizeof(sl_tt_sock)) {
		fprintf(stderr, "runtime directory %s too long for a socket path\n", sl_tt_rundir);
		exit(1);
	}
}

/* One command through the socket; returns the value under the command's
 * name (new reference). */
static json_t *sl_tt_cmd(const char *cmd)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	static char buf[64 * 1024];
	char key[64];
	json_t *root, *v;
	json_error_t jerr;
	ssize_t n;
	int fd;

	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_true(fd >= 0);
	memcpy(sa.sun_path, sl_tt_sock, sizeof(sa.sun_path));
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	n = recv(fd, buf, sizeof(buf) - 1, 0); /* the greeting: version, pid */
	assert_true(n > 0);
	assert_int_equal(send(fd, cmd, strlen(cmd), 0), (ssize_t)strlen(cmd));
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	close(fd);
	root = json_loads(buf, 0, &jerr);
	if (!root)
		fail_msg("not JSON (%s): %s", jerr.text, buf);
	snprintf(key, sizeof(key), "%s", cmd);
	key[strcspn(key, ",")] = '\0';
	v = json_object_get(root, key);
	if (!v || json_is_null(v))
		fail_msg("no answer for %s: %s", key, buf);
	json_incref(v);
	json_decref(root);
	return v;
}

static json_int_t sl_tt_int(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", k);
	return json_integer_value(v);
}

static const char *sl_tt_str(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	if (!json_is_string(v))
		fail_msg("%s is not a string", k);
	return json_string_value(v);
}

static void sl_tt_expect_error(const char *cmd, const char *needle)
{
	json_t *v = sl_tt_cmd(cmd);

	assert_non_null(strstr(sl_tt_str(v, "error"), needle));
	json_decref(v);
}

/* ---------------------------------------------------------------------- */

static void test_not_attached(void **state)
{
	(void)state;
	sl_tt_expect_error("/sluice/status", "not attached");
	sl_tt_expect_error("/sluice/drops", "not attached");
	sl_tt_expect_error("/sluice/neighbours", "not attached");
}

static void test_status(void **state)
{
	struct sl_shm_header *h = sl_tt_shm.hdr;
	json_t *v, *acks;

	(void)state;
	atomic_store(&h->generation, 7);
	atomic_store(&h->writer_pid, 4242);
	for (unsigned int i = 0; i < 3; i++)
		atomic_store(&h->lcore[i].online, 1);
	atomic_store(&h->lcore[0].ack_generation, 7);
	atomic_store(&h->lcore[1].ack_generation, 7);
	atomic_store(&h->lcore[2].ack_generation, 6); /* one lcore behind */

	v = sl_tt_cmd("/sluice/status");
	assert_string_equal(sl_tt_str(v, "segment"), "/dev/shm/sl-telemetry-test");
	assert_int_equal(sl_tt_int(v, "generation"), 7);
	assert_int_equal(sl_tt_int(v, "abi_version"), SL_SHM_ABI_VERSION);
	assert_int_equal(sl_tt_int(v, "writer_pid"), 4242);
	assert_int_equal(sl_tt_int(v, "dp_pid"), getpid());
	assert_int_equal(sl_tt_int(v, "workers"), 2);
	assert_int_equal(sl_tt_int(v, "ports"), 0);
	assert_int_equal(sl_tt_int(v, "lcores_online"), 3);
	assert_int_equal(sl_tt_int(v, "lcores_acked"), 2);
	assert_int_equal(sl_tt_int(v, "synced"), 0);
	acks = json_object_get(v, "ack_generation");
	assert_int_equal(json_object_size(acks), 3);
	assert_int_equal(sl_tt_int(acks, "lcore0"), 7);
	assert_int_equal(sl_tt_int(acks, "lcore5"), 7);
	assert_int_equal(sl_tt_int(acks, "lcore9"), 6);
	json_decref(v);

	atomic_store(&h->lcore[2].ack_generation, 7);
	v = sl_tt_cmd("/sluice/status");
	assert_int_equal(sl_tt_int(v, "lcores_acked"), 3);
	assert_int_equal(sl_tt_int(v, "synced"), 1);
	json_decref(v);
	sl_tt_expect_error("/sluice/status,x", "no parameter");
}

static void test_drops_and_counters(void **state)
{
	struct sl_stats_header *st = sl_tt_shm.stats;
	json_t *v, *r;

	(void)state;
	st->lcore[1].drop[SL_DROP_BLACKHOLE] = 5;
	st->lcore[2].drop[SL_DROP_BLACKHOLE] = 2;
	st->lcore[0].drop[SL_DROP_ARP_INVALID] = 3;
	st->lcore[3].drop[SL_DROP_NO_ROUTE] = 1000; /* beyond dp_n_lcores: not read */
	st->lcore[1].cnt[SL_CNT_FWD_IP4] = 60;
	st->lcore[2].cnt[SL_CNT_FWD_IP4] = 40;

	v = sl_tt_cmd("/sluice/drops");
	assert_int_equal(json_object_size(v), SL_DROP_MAX - 1); /* without "none" */
	assert_null(json_object_get(v, "none"));
	assert_int_equal(sl_tt_int(v, "blackhole"), 7);
	assert_int_equal(sl_tt_int(v, "arp_invalid"), 3);
	assert_int_equal(sl_tt_int(v, "no_route"), 0);
	assert_int_equal(sl_tt_int(v, "ip4_options"), 0); /* the last reason */
	json_decref(v);

	v = sl_tt_cmd("/sluice/drops,lcores");
	r = json_object_get(v, "blackhole");
	assert_int_equal(json_object_size(r), 4);
	assert_int_equal(sl_tt_int(r, "total"), 7);
	assert_int_equal(sl_tt_int(r, "lcore0"), 0);
	assert_int_equal(sl_tt_int(r, "lcore5"), 5);
	assert_int_equal(sl_tt_int(r, "lcore9"), 2);
	assert_int_equal(sl_tt_int(json_object_get(v, "arp_invalid"), "lcore0"), 3);
	json_decref(v);

	v = sl_tt_cmd("/sluice/counters");
	assert_int_equal(json_object_size(v), SL_CNT_MAX);
	assert_int_equal(sl_tt_int(v, "forwarded_ip4"), 100);
	assert_int_equal(sl_tt_int(v, "rx_packets"), 0);
	json_decref(v);
	v = sl_tt_cmd("/sluice/counters,lcores");
	r = json_object_get(v, "forwarded_ip4");
	assert_int_equal(sl_tt_int(r, "total"), 100);
	assert_int_equal(sl_tt_int(r, "lcore5"), 60);
	assert_int_equal(sl_tt_int(r, "lcore9"), 40);
	json_decref(v);

	sl_tt_expect_error("/sluice/drops,bogus", "lcores");
	sl_tt_expect_error("/sluice/counters,lcore", "lcores");
}

static void test_lcores(void **state)
{
	json_t *v, *l;

	(void)state;
	v = sl_tt_cmd("/sluice/lcores");
	assert_int_equal(json_object_size(v), 3);
	l = json_object_get(v, "lcore0");
	assert_string_equal(sl_tt_str(l, "role"), "main");
	assert_int_equal(sl_tt_int(l, "slot"), 0);
	assert_int_equal(sl_tt_int(l, "drops"), 3);
	l = json_object_get(v, "lcore5");
	assert_string_equal(sl_tt_str(l, "role"), "worker");
	assert_int_equal(sl_tt_int(l, "slot"), 1);
	assert_int_equal(sl_tt_int(l, "online"), 1);
	assert_int_equal(sl_tt_int(l, "ack_generation"), 7);
	assert_int_equal(sl_tt_int(l, "acked"), 1);
	assert_int_equal(sl_tt_int(l, "drops"), 5);
	json_decref(v);
}

static void sl_tt_fill_neigh(void)
{
	struct sl_stats_header *st = sl_tt_shm.stats;

	for (uint32_t i = 0; i < SL_TT_NEIGH; i++) {
		struct sl_neigh_export *e = &st->neigh[i];

		memset(e, 0, sizeof(*e));
		e->family = SL_AF_INET;
		e->addr[0] = 10;
		e->addr[3] = (uint8_t)i;
		e->mac[0] = 0x02;
		e->mac[5] = (uint8_t)i;
		e->vlan = 100;
		e->port_role = SL_ROLE_INSIDE;
		e->state = SL_NEIGH_REACHABLE;
		e->age_ms = i;
	}
	/* The last one: IPv6 on the outside, still resolving. */
	st->neigh[SL_TT_NEIGH - 1].family = SL_AF_INET6;
	st->neigh[SL_TT_NEIGH - 1].vpc_index = SL_VPC_INTERNET;
	st->neigh[SL_TT_NEIGH - 1].vlan = 0;
	st->neigh[SL_TT_NEIGH - 1].port_role = SL_ROLE_OUTSIDE;
	st->neigh[SL_TT_NEIGH - 1].state = SL_NEIGH_INCOMPLETE;
	st->neigh[SL_TT_NEIGH - 1].n_queued = 3;
	memset(st->neigh[SL_TT_NEIGH - 1].addr, 0, 16);
	st->neigh[SL_TT_NEIGH - 1].addr[0] = 0x20;
	st->neigh[SL_TT_NEIGH - 1].addr[1] = 0x01;
	st->neigh[SL_TT_NEIGH - 1].addr[15] = 0x01;
	st->n_neigh = SL_TT_NEIGH;
}

static void test_neighbours(void **state)
{
	struct sl_stats_header *st = sl_tt_shm.stats;
	json_t *v, *e;

	(void)state;
	sl_tt_fill_neigh();
	v = sl_tt_cmd("/sluice/neighbours");
	assert_int_equal(sl_tt_int(v, "total"), SL_TT_NEIGH);
	assert_int_equal(sl_tt_int(v, "offset"), 0);
	assert_int_equal(sl_tt_int(v, "count"), 48);
	assert_int_equal(sl_tt_int(v, "next"), 48);
	e = json_object_get(v, "47");
	assert_non_null(e);
	assert_null(json_object_get(v, "48"));
	assert_string_equal(sl_tt_str(e, "address"), "10.0.0.47");
	assert_string_equal(sl_tt_str(e, "mac"), "02:00:00:00:00:2f");
	assert_string_equal(sl_tt_str(e, "state"), "reachable");
	assert_string_equal(sl_tt_str(e, "port_role"), "inside");
	assert_int_equal(sl_tt_int(e, "vlan"), 100);
	assert_int_equal(sl_tt_int(e, "vpc_index"), 0);
	assert_int_equal(sl_tt_int(e, "age_ms"), 47);
	json_decref(v);

	v = sl_tt_cmd("/sluice/neighbours,96");
	assert_int_equal(sl_tt_int(v, "count"), 4);
	assert_null(json_object_get(v, "next"));
	e = json_object_get(v, "99");
	assert_string_equal(sl_tt_str(e, "address"), "2001::1");
	assert_string_equal(sl_tt_str(e, "state"), "incomplete");
	assert_string_equal(sl_tt_str(e, "port_role"), "outside");
	assert_int_equal(sl_tt_int(e, "vpc_index"), -1);
	assert_int_equal(sl_tt_int(e, "queued"), 3);
	json_decref(v);

	v = sl_tt_cmd("/sluice/neighbours,500");
	assert_int_equal(sl_tt_int(v, "total"), SL_TT_NEIGH);
	assert_int_equal(sl_tt_int(v, "count"), 0);
	json_decref(v);

	sl_tt_expect_error("/sluice/neighbours,x", "OFFSET");
	sl_tt_expect_error("/sluice/neighbours,8192", "OFFSET");

	/* A writer that never finishes (odd seqcount): an error, not a torn
	 * copy and not a hang. */
	atomic_store(&st->seq, 1);
	sl_tt_expect_error("/sluice/neighbours", "try again");
	atomic_store(&st->seq, 2);
	v = sl_tt_cmd("/sluice/neighbours");
	assert_int_equal(sl_tt_int(v, "count"), 48);
	json_decref(v);
}

static void test_policers(void **state)
{
	struct sl_stats_header *st = sl_tt_shm.stats;
	json_t *v, *e;

	(void)state;
	st->n_pol_export = 100;
	for (uint32_t i = 0; i < 100; i++)
		st->pol[i] = (struct sl_pol_export){i % 2 ? 0 : 1000 + i, 125000, i, 10 * i, 1, 2};
	v = sl_tt_cmd("/sluice/policers");
	assert_int_equal(sl_tt_int(v, "exported"), 100);
	assert_int_equal(sl_tt_int(v, "count"), 32); /* the applied ones: even indexes */
	assert_int_equal(sl_tt_int(v, "next"), 63);
	assert_null(json_object_get(v, "1"));
	e = json_object_get(v, "62");
	assert_non_null(e);
	assert_int_equal(sl_tt_int(e, "tag"), 1062);
	assert_int_equal(sl_tt_int(e, "rate_bytes_per_s"), 125000);
	assert_int_equal(sl_tt_int(e, "conform_packets"), 62);
	assert_int_equal(sl_tt_int(e, "conform_bytes"), 620);
	assert_int_equal(sl_tt_int(e, "exceed_packets"), 1);
	assert_int_equal(sl_tt_int(e, "exceed_bytes"), 2);
	json_decref(v);
	v = sl_tt_cmd("/sluice/policers,63");
	assert_int_equal(sl_tt_int(v, "count"), 18);
	assert_null(json_object_get(v, "next"));
	assert_non_null(json_object_get(v, "98"));
	json_decref(v);
	sl_tt_expect_error("/sluice/policers,16384", "INDEX");
	st->n_pol_export = 0;
	v = sl_tt_cmd("/sluice/policers");
	assert_int_equal(sl_tt_int(v, "count"), 0);
	json_decref(v);
}

/* Operators' counters (issue 11): per queue, the owning worker's row;
 * per route table, the sum over lcores of tables with traffic, paged. */
static void test_queues_and_tables(void **state)
{
	struct sl_stats_header *st = sl_tt_shm.stats;
	json_t *v, *e;

	(void)state;
	sl_tt_dp.n_ports = 2;
	sl_tt_dp.port_ids[0] = 3;
	sl_tt_dp.port_ids[1] = 7;
	st->queue[2][1] = (struct sl_queue_stats){.rx_pkts = 11, .rx_bytes = 1100, .tx_pkts = 12,
						  .tx_bytes = 1200, .tx_full = 13, .no_mbuf = 14};
	st->queue[0][1].rx_pkts = 99; /* the main lcore's row: no queue, not shown */
	v = sl_tt_cmd("/sluice/queues");
	assert_int_equal(json_object_size(v), 4); /* 2 ports x 2 workers */
	e = json_object_get(v, "port1_q1");
	assert_non_null(e);
	assert_string_equal(sl_tt_str(e, "port"), "port1");
	assert_int_equal(sl_tt_int(e, "port_id"), 7);
	assert_int_equal(sl_tt_int(e, "queue"), 1);
	assert_int_equal(sl_tt_int(e, "lcore"), 9);
	assert_int_equal(sl_tt_int(e, "rx_packets"), 11);
	assert_int_equal(sl_tt_int(e, "rx_bytes"), 1100);
	assert_int_equal(sl_tt_int(e, "tx_packets"), 12);
	assert_int_equal(sl_tt_int(e, "tx_bytes"), 1200);
	assert_int_equal(sl_tt_int(e, "tx_full"), 13);
	assert_int_equal(sl_tt_int(e, "no_mbuf"), 14);
	assert_int_equal(sl_tt_int(json_object_get(v, "port1_q0"), "rx_packets"), 0);
	json_decref(v);
	sl_tt_expect_error("/sluice/queues,1", "no parameter");

	/* 100 VPC tables with traffic on lcores 1 and 2, and the Internet. */
	for (uint32_t t = 0; t < 100; t++) {
		st->rt[1][t] = (struct sl_rt_stats){t + 1, 100 * (t + 1)};
		st->rt[2][t] = (struct sl_rt_stats){1, 10};
	}
	st->rt[0][SL_RT_STATS_INET] = (struct sl_rt_stats){5, 500};
	st->rt[2][SL_RT_STATS_INET] = (struct sl_rt_stats){6, 600};
	st->rt[3][200] = (struct sl_rt_stats){7, 700}; /* beyond dp_n_lcores: not read */
	v = sl_tt_cmd("/sluice/tables");
	assert_int_equal(sl_tt_int(v, "count"), 64);
	assert_int_equal(sl_tt_int(v, "next"), 64);
	e = json_object_get(v, "vpc9");
	assert_int_equal(sl_tt_int(e, "vpc_index"), 9);
	assert_int_equal(sl_tt_int(e, "packets"), 11);
	assert_int_equal(sl_tt_int(e, "bytes"), 1010);
	json_decref(v);
	v = sl_tt_cmd("/sluice/tables,64");
	assert_int_equal(sl_tt_int(v, "count"), 37); /* 64..99 and the Internet */
	assert_null(json_object_get(v, "next"));
	assert_null(json_object_get(v, "vpc200"));
	e = json_object_get(v, "internet");
	assert_int_equal(sl_tt_int(e, "vpc_index"), -1);
	assert_int_equal(sl_tt_int(e, "packets"), 11);
	assert_int_equal(sl_tt_int(e, "bytes"), 1100);
	json_decref(v);
	sl_tt_expect_error("/sluice/tables,16384", "INDEX");
	sl_tt_dp.n_ports = 0;
}

/* /sluice/ip6gw: the egress-only table's usage and the ip6gw_* drops and
 * counters (issue 6). */
static void test_ip6gw(void **state)
{
	struct sl_stats_header *st = sl_tt_shm.stats;
	const struct sl_ip6eo_conf conf = {.capacity = 64, .n_readers = 1};
	struct sl_ip6eo_key k = {.vpc_index = 3, .proto = 17, .in_port = 1000, .ext_port = 53};
	uint64_t now = rte_rdtsc();
	json_t *v;

	(void)state;
	st->lcore[1].drop[SL_DROP_IP6GW_EGRESS_ONLY] = 4;
	st->lcore[2].drop[SL_DROP_IP6GW_EGRESS_ONLY] = 1;
	st->lcore[0].drop[SL_DROP_IP6GW_HAVIP_NO_HOLDER] = 2;
	st->lcore[2].cnt[SL_CNT_IP6GW_RULE_HAVIP] = 9;
	v = sl_tt_cmd("/sluice/ip6gw"); /* no table (sluice-dp could not create it) */
	assert_int_equal(sl_tt_int(v, "egress_only_capacity"), 0);
	assert_int_equal(sl_tt_int(v, "egress_only_flows"), 0);
	assert_int_equal(sl_tt_int(json_object_get(v, "drops"), "ip6gw_egress_only"), 5);
	assert_int_equal(sl_tt_int(json_object_get(v, "drops"), "ip6gw_havip_no_holder"), 2);
	assert_int_equal(sl_tt_int(json_object_get(v, "drops"), "ip6gw_state_full"), 0);
	assert_null(json_object_get(json_object_get(v, "drops"), "no_route"));
	assert_int_equal(sl_tt_int(json_object_get(v, "counters"), "ip6gw_rule_havip"), 9);
	assert_int_equal(sl_tt_int(json_object_get(v, "counters"), "ip6gw_in"), 0);
	assert_null(json_object_get(json_object_get(v, "counters"), "rx_packets"));
	json_decref(v);

	sl_tt_dp.ip6eo = sl_ip6eo_create("sl_tt_ip6eo", &conf);
	assert_non_null(sl_tt_dp.ip6eo);
	for (unsigned int i = 0; i < 3; i++) {
		k.in_port = (uint16_t)(1000 + i);
		assert_int_equal(sl_ip6eo_out(sl_tt_dp.ip6eo, &k, 0, now), 0);
	}
	v = sl_tt_cmd("/sluice/ip6gw");
	assert_int_equal(sl_tt_int(v, "egress_only_capacity"), 64);
	assert_int_equal(sl_tt_int(v, "egress_only_flows"), 3);
	assert_int_equal(sl_tt_int(v, "egress_only_alive"), 3);
	json_decref(v);
	sl_tt_expect_error("/sluice/ip6gw,x", "no parameter");
	sl_telemetry_detach(); /* no command reads the table while it goes */
	sl_ip6eo_free(sl_tt_dp.ip6eo);
	sl_tt_dp.ip6eo = NULL;
	sl_telemetry_attach(&sl_tt_dp);
}

static void test_detach(void **state)
{
	(void)state;
	sl_telemetry_detach();
	sl_tt_expect_error("/sluice/lcores", "not attached");
	sl_telemetry_attach(&sl_tt_dp);
	json_decref(sl_tt_cmd("/sluice/lcores"));
}

int main(void)
{
	const struct CMUnitTest not_attached[] = {
	    cmocka_unit_test(test_not_attached),
	};
	const struct CMUnitTest attached[] = {
	    cmocka_unit_test(test_status),   cmocka_unit_test(test_drops_and_counters),
	    cmocka_unit_test(test_lcores),   cmocka_unit_test(test_neighbours),
	    cmocka_unit_test(test_policers), cmocka_unit_test(test_queues_and_tables),
	    cmocka_unit_test(test_ip6gw),
	    cmocka_unit_test(test_detach),
	};
	int rc;

	sl_tt_eal_init();
	if (sl_telemetry_init() < 0)
		return 1;
	rc = cmocka_run_group_tests_name("telemetry, not attached", not_attached, NULL, NULL);

	/* An in-memory segment laid out like sluiced's, announced by a data
	 * plane of three lcores (ids 0, 5, 9): main + 2 workers. */
	sl_t_segment(&sl_tt_shm, 4096);
	snprintf(sl_tt_shm.path, sizeof(sl_tt_shm.path), "/dev/shm/sl-telemetry-test");
	if (sl_shm_dp_start(&sl_tt_shm, 3, sl_tt_lcore_ids) < 0)
		return 1;
	sl_tt_dp.shm = &sl_tt_shm;
	sl_tt_dp.n_workers = 2;
	sl_telemetry_attach(&sl_tt_dp);
	rc |= cmocka_run_group_tests_name("telemetry, attached", attached, NULL, NULL);
	sl_telemetry_detach();
	sl_telemetry_fini();
	rte_free(sl_tt_shm.hdr);
	return rc;
}
