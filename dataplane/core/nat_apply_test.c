/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of nat_apply.c: the main lcore applies a generation's NAT
 * section to the session table (gateways with their limits and flags, the
 * SNAT public IPs) and ends the sessions that depend on what went: a SNAT
 * entry, a forward entry, a public IP unbound from the gateway, a gateway
 * removed or replaced at the same index. Sections are built by hand the
 * way sluiced lays them out (sl_shm.h, struct sl_nat_sec).
 */
#include "sl_core_test.h"
#include "sl_nat.h"
#include "sl_nat4.h"

#define PUB0 0xc6336402u /* 198.51.100.2 */
#define PUB1 0xc6336405u
#define PUB2 0xc6336403u
#define PRIV 0xc0a80114u /* 192.168.1.20 */
#define HOST 0xc0a8011eu
#define REMOTE 0xc0000232u

/* A bank with a NAT section right after its header. */
struct t_bank {
	struct sl_bank_header b;
	struct sl_nat_sec h;
	struct sl_nat_gw_ent gw[1];
	struct sl_nat_ip_ent ip[3];
	struct sl_nat_snat_ent snat[2];
	uint32_t pool[2];
	struct sl_nat_fwd_ent fwd[1];
};

static struct t_bank bk;
static struct sl_nat_table *t;
static struct sl_dp dp;

/* The first section: gateway 0 "ngw-1" with SNAT IPs 0 and 1, DNAT IP 2,
 * snat-1 -> pool {0}, snat-2 -> pool {1}, forward entry tcp 80 on IP 2. */
static void t_bank_init(void)
{
	struct sl_nat_sec *h = &bk.h;

	memset(&bk, 0, sizeof(bk));
	bk.b.nat_off = offsetof(struct t_bank, h);
	bk.b.nat_size = sizeof(bk) - offsetof(struct t_bank, h);
	h->size = bk.b.nat_size;
	h->gw_off = offsetof(struct t_bank, gw) - offsetof(struct t_bank, h);
	h->ip_off = offsetof(struct t_bank, ip) - offsetof(struct t_bank, h);
	h->snat_off = offsetof(struct t_bank, snat) - offsetof(struct t_bank, h);
	h->pool_off = offsetof(struct t_bank, pool) - offsetof(struct t_bank, h);
	h->fwd_off = offsetof(struct t_bank, fwd) - offsetof(struct t_bank, h);
	h->n_gws = 1;
	snprintf(bk.gw[0].id, sizeof(bk.gw[0].id), "ngw-1");
	bk.gw[0].max_sessions = 100;
	bk.gw[0].new_per_sec = 1000;
	h->n_ips = 3;
	bk.ip[0] = (struct sl_nat_ip_ent){.addr = PUB0, .gw = 0, .role = SL_NAT_ROLE_SNAT};
	bk.ip[1] = (struct sl_nat_ip_ent){.addr = PUB1, .gw = 0, .role = SL_NAT_ROLE_SNAT};
	bk.ip[2] = (struct sl_nat_ip_ent){.addr = PUB2, .gw = 0, .role = SL_NAT_ROLE_DNAT};
	h->n_snat = 2;
	h->n_pool = 2;
	bk.snat[0] = (struct sl_nat_snat_ent){.gw = 0, .pool_first = 0, .pool_n = 1};
	snprintf(bk.snat[0].id, sizeof(bk.snat[0].id), "snat-1");
	bk.snat[1] = (struct sl_nat_snat_ent){.gw = 0, .pool_first = 1, .pool_n = 1};
	snprintf(bk.snat[1].id, sizeof(bk.snat[1].id), "snat-2");
	bk.pool[0] = 0;
	bk.pool[1] = 1;
	h->n_fwd = 1;
	bk.fwd[0] = (struct sl_nat_fwd_ent){.ext_ip = PUB2,
					    .ext_port = 80,
					    .proto = IPPROTO_TCP,
					    .int_ip = HOST,
					    .int_port = 8080,
					    .gw = 0,
					    .ip = 2};
}

static int setup(void **state)
{
	struct sl_nat_conf c = {
	    .max_sessions = 1024, .max_gws = 4, .max_pubips = 8, .n_workers = 1, .hz = 1000};

	sl_t_eal_init();
	t = sl_nat_create("t_apply", &c);
	assert_non_null(t);
	sl_nat_reader_online(t, 0);
	memset(&dp, 0, sizeof(dp));
	dp.nat = t;
	dp.n_workers = 1;
	t_bank_init();
	return 0;
}

static int teardown(void **state)
{
	sl_nat_reader_offline(t, 0);
	sl_nat_free(t);
	free(dp.nat_applied);
	free(dp.nat_reflush_prev);
	return 0;
}

/* An outbound flow from PRIV:sport made by SNAT entry `e`. */
static struct sl_nat_session *t_snat(const struct sl_nat_snat_ent *e, uint16_t sport,
				     struct sl_nat_key *k)
{
	struct sl_nat_pool pool = {
	    .n = 1, .ip = {(uint16_t)bk.pool[e->pool_first]}, .origin = sl_nat_snat_origin(e)};
	struct sl_nat_session *s = NULL;

	sl_nat_key_in(k, 0, IPPROTO_UDP, PRIV, sport, REMOTE, 53);
	assert_int_equal(sl_nat_create_out(t, 0, k, &pool, 0, 0, &s), SL_NAT_OK);
	return s;
}

static bool t_live(const struct sl_nat_key *k)
{
	unsigned int dir;

	sl_nat_quiescent(t, 0);
	return sl_nat_lookup(t, 0, k, &dir) != NULL;
}

static uint32_t sl_t_sessions(struct sl_nat_table *nt)
{
	struct sl_nat_usage u;

	sl_nat_usage(nt, &u);
	return u.sessions;
}

static void t_apply(void)
{
	sl_nat_apply(&dp, &bk.b);
	sl_nat_quiescent(t, 0);
}

static void test_configures_gateways_and_snat_ips(void **state)
{
	bk.gw[0].max_sessions = 5000; /* above the table's capacity: capped */
	bk.gw[0].flags = SL_NAT_GW_F_EIF;
	t_apply();
	assert_int_equal(t->gw[0].max_sessions, 1024);
	assert_int_equal(t->gw[0].new_per_sec, 1000);
	assert_int_equal(t->gw[0].flags, SL_NAT_GW_EIF);
	assert_int_equal(t->ip[0].addr, PUB0);
	assert_int_equal(t->ip[1].addr, PUB1);
	assert_int_equal(t->ip[2].addr, 0); /* DNAT: no ports */
	assert_false(dp.nat_apply_retry);
	/* No NAT section at all: everything unconfigured. */
	bk.b.nat_off = 0;
	t_apply();
	assert_int_equal(t->gw[0].max_sessions, 0);
	assert_int_equal(t->ip[0].addr, 0);
}

static void test_deleted_entries_end_their_sessions(void **state)
{
	struct sl_nat_key ka, kb, kd;
	struct sl_nat_session *d = NULL;

	t_apply();
	t_snat(&bk.snat[0], 1000, &ka);
	t_snat(&bk.snat[1], 1001, &kb);
	sl_nat_key_out(&kd, IPPROTO_TCP, REMOTE, 7000, PUB2, 80);
	assert_int_equal(sl_nat_create_dnat(t, 0, &kd, 0, HOST, 8080, sl_nat_fwd_origin(&bk.fwd[0]),
					    SL_TCPF_SYN, 0, &d),
			 SL_NAT_OK);
	/* The same section again (a generation that changed something else):
	 * nothing ends. */
	t_apply();
	assert_true(t_live(&ka) && t_live(&kb) && t_live(&kd));
	/* snat-1 deleted: only its session ends. */
	bk.snat[0] = bk.snat[1];
	bk.h.n_snat = 1;
	t_apply();
	assert_false(t_live(&ka));
	assert_true(t_live(&kb) && t_live(&kd));
	/* The forward entry changed in place (another internal port): its
	 * session ends like a deleted one's. */
	bk.fwd[0].int_port = 8081;
	t_apply();
	assert_false(t_live(&kd));
	assert_true(t_live(&kb));
	/* IP 1 unbound from the gateway: the session holding a port on it
	 * ends, and the IP is cleared once its ports are free. */
	bk.ip[1].role = SL_NAT_ROLE_NONE;
	t_apply();
	assert_false(t_live(&kb));
	assert_int_equal(t->ip[1].addr, 0);
	assert_int_equal(sl_t_sessions(t), 0);
	assert_false(dp.nat_apply_retry);
}

static void test_gateway_gone_or_replaced(void **state)
{
	struct sl_nat_key ka, kb;
	struct sl_nat_pool pool = {.n = 1, .ip = {0}};
	struct sl_nat_session *s = NULL;

	t_apply();
	t_snat(&bk.snat[0], 2000, &ka);
	/* Another gateway at the same index (the old one removed and its
	 * index reused between two generations this lcore took up). */
	snprintf(bk.gw[0].id, sizeof(bk.gw[0].id), "ngw-2");
	t_apply();
	assert_false(t_live(&ka));
	t_snat(&bk.snat[0], 2001, &kb);
	/* The gateway removed: its sessions end, it creates nothing more. */
	bk.gw[0].id[0] = '\0';
	t_apply();
	assert_false(t_live(&kb));
	assert_int_equal(t->gw[0].max_sessions, 0);
	sl_nat_key_in(&ka, 0, IPPROTO_UDP, PRIV, 2002, REMOTE, 53);
	assert_int_equal(sl_nat_create_out(t, 0, &ka, &pool, 0, 0, &s), SL_NAT_DROP_NO_POOL);
}

/* A worker still on the previous generation makes a session through an
 * entry the new section deleted, after the first flush: the second flush,
 * made once every worker acknowledged the new generation, ends it. */
static void test_late_session_ends_after_acks(void **state)
{
	struct sl_nat_snat_ent gone;
	struct sl_nat_key ka, kb, kl;

	bk.b.generation = 1;
	t_apply();
	dp.nat_test_acked = 1;
	sl_nat_reflush(&dp);
	assert_int_equal(dp.nat_reflush_gen, 0);
	t_snat(&bk.snat[0], 3000, &ka);
	t_snat(&bk.snat[1], 3001, &kb);
	gone = bk.snat[0];
	bk.snat[0] = bk.snat[1]; /* snat-1 deleted in generation 2 */
	bk.h.n_snat = 1;
	bk.b.generation = 2;
	t_apply();
	assert_false(t_live(&ka));
	assert_int_equal(dp.nat_reflush_gen, 2);
	/* the worker, still on generation 1, translates a new flow by snat-1 */
	t_snat(&gone, 3002, &kl);
	sl_nat_reflush(&dp); /* not acknowledged yet: nothing happens */
	assert_true(t_live(&kl));
	assert_int_equal(dp.nat_reflush_gen, 2);
	dp.nat_test_acked = 2;
	sl_nat_reflush(&dp);
	assert_false(t_live(&kl));
	assert_true(t_live(&kb));
	assert_int_equal(dp.nat_reflush_gen, 0);
	assert_null(dp.nat_reflush_prev);
	/* a generation whose section did not change schedules nothing */
	bk.b.generation = 3;
	t_apply();
	assert_int_equal(dp.nat_reflush_gen, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_configures_gateways_and_snat_ips, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deleted_entries_end_their_sessions, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_gateway_gone_or_replaced, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_late_session_ends_after_acks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
