/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of sluiced's database (db.c) and of the mutating API actions
 * (api_mut.c) over a real ctl on a private segment: staging, commit and
 * reopen, the parse cache, ClientToken, DryRun, config-file objects, the
 * document's error codes from validation, batches (one candidate, and one
 * by one when a batch does not validate), nonces that expire.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "sl_api_mut.h"
#include "sl_api_vpc.h"
#include "sl_ctl.h"
#include "sl_db.h"
#include "sl_judy.h"
#include "sl_shm_writer.h"
#include "sl_test_util.h"

struct fix {
	char dir[64];
	char db_path[96];
	char seg_path[96];
	struct sl_db *db;
	struct sl_ctl *ctl;
	struct sl_api_mut m;
	const char *config; /**< NULL: the demo config */
	char cfg_path[128];
	uint64_t bank_size; /**< 0: 1 MiB */
};

static void fix_open(struct fix *f)
{
	const char *config = f->config ? f->config : sl_t_demo_path();
	struct sl_ctl_opts o = {.config_path = config,
				.segment_path = f->seg_path,
				.bank_size = f->bank_size ? f->bank_size : 1 << 20,
				.bank_size_explicit = true};
	char err[512];

	f->db = sl_db_open(f->db_path, err, sizeof(err));
	assert_non_null(f->db);
	f->ctl = sl_ctl_new(&o);
	assert_non_null(f->ctl);
	sl_ctl_set_source(f->ctl, sl_db_source, f->db);
	assert_int_equal(sl_ctl_start(f->ctl, NULL, err, sizeof(err)), 0);
	f->m = (struct sl_api_mut){.ctl = f->ctl, .db = f->db, .config_path = config};
}

static void fix_close(struct fix *f)
{
	sl_api_mut_batch_free(&f->m);
	sl_ctl_free(f->ctl);
	sl_db_close(f->db);
	f->ctl = NULL;
	f->db = NULL;
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/sl_api_mut_test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db_path, sizeof(f->db_path), "%s/sluiced.db", f->dir);
	snprintf(f->seg_path, sizeof(f->seg_path), "%s/segment", f->dir);
	fix_open(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];

	fix_close(f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Run `action` with NULL-terminated name/value pairs. 0 and *res, or -1 and e. */
static int run(struct fix *f, const char *action, json_t **res, struct sl_api_err *e, ...)
{
	struct sl_api_params p;
	const char *k;
	va_list ap;
	int rc;

	sl_api_params_init(&p);
	va_start(ap, e);
	while ((k = va_arg(ap, const char *)) != NULL)
		assert_int_equal(sl_api_params_add(&p, k, va_arg(ap, const char *)), 0);
	va_end(ap);
	memset(e, 0, sizeof(*e));
	rc = sl_api_mut_run(&f->m, "AK1", action, &p, 1700000000, res, e);
	sl_api_params_free(&p);
	return rc;
}

static void expect_err(struct fix *f, const char *code, int http, const char *action, ...)
{
	struct sl_api_params p;
	struct sl_api_err e = {0};
	json_t *res = NULL;
	const char *k;
	va_list ap;

	sl_api_params_init(&p);
	va_start(ap, action);
	while ((k = va_arg(ap, const char *)) != NULL)
		assert_int_equal(sl_api_params_add(&p, k, va_arg(ap, const char *)), 0);
	va_end(ap);
	assert_int_equal(sl_api_mut_run(&f->m, "AK1", action, &p, 1700000000, &res, &e), -1);
	sl_api_params_free(&p);
	if (strcmp(e.code, code) != 0 || e.http != http)
		fail_msg("%s: want %s %d, got %s %d: %s", action, code, http, e.code, e.http,
			 e.msg);
}

static char *create_vpc(struct fix *f, const char *cidr)
{
	struct sl_api_err e;
	json_t *res;
	char *id;

	if (run(f, "CreateVpc", &res, &e, "RegionId", "cn-hangzhou", "CidrBlock", cidr, NULL) < 0)
		fail_msg("CreateVpc: %s %s", e.code, e.msg);
	id = strdup(json_string_value(json_object_get(res, "VpcId")));
	json_decref(res);
	return id;
}

static void test_db_stage_commit_reopen(void **state)
{
	struct fix *f = *state;
	json_t *body =
	    json_pack("{s:s,s:s,s:i}", "VpcId", "vpc-t1", "RegionId", "cn-hangzhou", "VlanId", 7);
	char err[256], *fp, *resp;

	assert_int_equal(sl_db_stage_put(f->db, SL_CFG_VPC, "vpc-t1", body, 1000), 0);
	assert_true(sl_db_staged(f->db));
	assert_null(sl_db_get(f->db, SL_CFG_VPC, "vpc-t1")); /* staged is not committed */
	/* a reload between staging and COMMIT does not publish the staged row */
	assert_int_equal(sl_ctl_reload(f->ctl, NULL), 0);
	assert_null(sl_store_vpc(sl_ctl_store(f->ctl), "vpc-t1"));
	/* drop_last undoes exactly the last staging */
	sl_db_stage_drop_last(f->db);
	assert_int_equal(sl_db_commit(f->db, err, sizeof(err)), 0);
	assert_int_equal(sl_db_count(f->db, SL_CFG_VPC), 0);
	assert_int_equal(sl_db_stage_put(f->db, SL_CFG_VPC, "vpc-t1", body, 1000), 0);
	assert_int_equal(sl_db_stage_token(f->db, "AK1", "tok", "fp1", "{\"x\":1}"), 0);
	assert_int_equal(sl_db_commit(f->db, err, sizeof(err)), 0);
	assert_false(sl_db_staged(f->db));
	json_decref(body);
	assert_int_equal(sl_db_count(f->db, SL_CFG_VPC), 1);
	/* a new process sees the row and the token */
	fix_close(f);
	fix_open(f);
	assert_int_equal(sl_db_count(f->db, SL_CFG_VPC), 1);
	assert_int_equal(
	    json_integer_value(json_object_get(sl_db_get(f->db, SL_CFG_VPC, "vpc-t1"), "VlanId")),
	    7);
	assert_non_null(sl_store_vpc(sl_ctl_store(f->ctl), "vpc-t1"));
	assert_true(sl_store_vpc(sl_ctl_store(f->ctl), "vpc-t1")->st.from_db);
	assert_int_equal(sl_store_vpc(sl_ctl_store(f->ctl), "vpc-t1")->st.created, 1000);
	assert_int_equal(sl_db_token_get(f->db, "AK1", "tok", &fp, &resp), 1);
	assert_string_equal(fp, "fp1");
	assert_string_equal(resp, "{\"x\":1}");
	free(fp);
	free(resp);
	assert_int_equal(sl_db_token_get(f->db, "AK2", "tok", &fp, &resp), 0);
}

static void nonce_cb(const char *akid, const char *nonce, time_t expires, void *arg)
{
	char *out = arg;

	snprintf(out + strlen(out), 256 - strlen(out), "%s/%s/%lld ", akid, nonce,
		 (long long)expires);
}

static void test_db_nonces_expire(void **state)
{
	struct fix *f = *state;
	time_t now = time(NULL);
	char err[256], seen[256] = "", want[256];

	assert_int_equal(sl_db_stage_nonce(f->db, "AK1", "n-old", now + 100), 0);
	assert_int_equal(sl_db_stage_nonce(f->db, "AK1", "n-new", now + 300), 0);
	assert_int_equal(sl_db_stage_nonce(f->db, "AK1", "n-gone", now - 1), 0);
	/* a staged object change is not written with the nonces */
	json_t *body = json_pack("{s:s}", "VpcId", "vpc-x");
	assert_int_equal(sl_db_stage_put(f->db, SL_CFG_VPC, "vpc-x", body, 1), 0);
	json_decref(body);
	assert_int_equal(sl_db_commit_nonces(f->db, err, sizeof(err)), 0);
	assert_int_equal(sl_db_count(f->db, SL_CFG_VPC), 0);
	sl_db_stage_clear(f->db);
	/* loading at now + 200: n-old expired, n-gone too */
	assert_int_equal(sl_db_nonces_load(f->db, now + 200, nonce_cb, seen), 0);
	snprintf(want, sizeof(want), "AK1/n-new/%lld ", (long long)now + 300);
	assert_string_equal(seen, want);
}

/* Age the stored ClientToken rows by `secs` (as if stored that long ago). */
static void age_tokens(struct fix *f, long secs)
{
	char sql[96];
	sqlite3 *h;

	assert_int_equal(sqlite3_open(f->db_path, &h), SQLITE_OK);
	snprintf(sql, sizeof(sql), "UPDATE tokens SET created = created - %ld", secs);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

/* Does the database answer AK1's token `tok` with fingerprint `fp` (NULL:
 * not at all)? */
static bool token_is(struct fix *f, const char *tok, const char *fp)
{
	char *got, *resp;
	int rc = sl_db_token_get(f->db, "AK1", tok, &got, &resp);
	bool same = fp ? rc == 1 && strcmp(got, fp) == 0 : rc == 0 && got == NULL;

	free(got);
	free(resp);
	return same;
}

static void test_db_tokens_expire(void **state)
{
	struct fix *f = *state;
	time_t now = time(NULL);
	char err[256];

	assert_int_equal(sl_db_stage_token(f->db, "AK1", "old", "fp-old", "{}"), 0);
	assert_int_equal(sl_db_commit(f->db, err, sizeof(err)), 0);
	/* stored a minute short of the window ago: still repeated */
	age_tokens(f, SL_DB_TOKEN_TTL - 60);
	assert_int_equal(sl_db_stage_token(f->db, "AK1", "new", "fp-new", "{}"), 0);
	assert_int_equal(sl_db_commit(f->db, err, sizeof(err)), 0);
	assert_true(token_is(f, "old", "fp-old"));
	assert_int_equal(sl_db_expire(f->db, now, err, sizeof(err)), 0);
	assert_true(token_is(f, "old", "fp-old"));
	/* two minutes on, "old" is past the window: not answered even before
	 * the sweep deletes it, and the sweep leaves "new" */
	age_tokens(f, 120);
	assert_true(token_is(f, "old", NULL));
	assert_true(token_is(f, "new", "fp-new"));
	/* so the same token is a new request, and its result replaces the
	 * expired row (a live one would fail the commit: primary key) */
	assert_int_equal(sl_db_stage_token(f->db, "AK1", "old", "fp-again", "{}"), 0);
	assert_int_equal(sl_db_commit(f->db, err, sizeof(err)), 0);
	assert_true(token_is(f, "old", "fp-again"));
	assert_int_equal(sl_db_stage_token(f->db, "AK1", "new", "fp-other", "{}"), 0);
	assert_true(sl_db_commit(f->db, err, sizeof(err)) < 0);
	sl_db_stage_clear(f->db);
	/* the sweep leaves both live rows, and they survive a reopen */
	assert_int_equal(sl_db_expire(f->db, now, err, sizeof(err)), 0);
	fix_close(f);
	fix_open(f);
	assert_true(token_is(f, "old", "fp-again"));
	assert_true(token_is(f, "new", "fp-new"));
	/* a day after both were stored, the sweep takes them too (the current
	 * time, not `now`: on a slow run the rows may be a second younger) */
	assert_int_equal(sl_db_expire(f->db, time(NULL) + SL_DB_TOKEN_TTL + 1, err, sizeof(err)),
			 0);
	age_tokens(f, -(SL_DB_TOKEN_TTL + 1)); /* would bring a survivor back */
	assert_true(token_is(f, "new", NULL));
	assert_true(token_is(f, "old", NULL));
}

static void test_create_modify_delete_vpc(void **state)
{
	struct fix *f = *state;
	struct sl_api_err e;
	const struct sl_vpc_obj *v;
	json_t *res;
	char *id = create_vpc(f, "10.5.0.0/16");

	v = sl_store_vpc(sl_ctl_store(f->ctl), id);
	assert_non_null(v);
	assert_true(v->st.from_db);
	assert_int_equal(v->st.status, SL_STATUS_AVAILABLE); /* no sluice-dp attached */
	assert_int_equal(v->vlan, 1);			     /* lowest free VLAN */
	assert_int_equal(
	    run(f, "ModifyVpcAttribute", &res, &e, "VpcId", id, "VpcName", "blue", NULL), 0);
	json_decref(res);
	assert_string_equal(sl_store_vpc(sl_ctl_store(f->ctl), id)->name, "blue");
	expect_err(f, "InvalidVpcName.Malformed", 400, "ModifyVpcAttribute", "VpcId", id, "VpcName",
		   "9lives", NULL);
	expect_err(f, SL_API_CODE_FILE_OBJECT, 403, "DeleteVpc", "VpcId", "vpc-a", NULL);
	expect_err(f, "InvalidVpcId.NotFound", 404, "DeleteVpc", "VpcId", "vpc-none", NULL);
	expect_err(f, "InvalidParameter", 400, "CreateVpc", "RegionId", "cn-hangzhou", "CidrBlock",
		   "10.0.0.0/25", NULL);
	expect_err(f, "InvalidParameter", 400, "CreateVpc", "RegionId", "cn-hangzhou", "CidrBlock",
		   "nonsense", NULL);
	expect_err(f, "InvalidRegionId.NotFound", 404, "CreateVpc", "RegionId", "mars-1", NULL);
	expect_err(f, "MissingParameter", 400, "CreateVpc", NULL);
	expect_err(f, "InvalidParameter", 400, "CreateVpc", "RegionId", "cn-hangzhou", "VpcName",
		   "ab\xff", NULL);
	expect_err(f, "InvalidParameter", 400, "CreateVpc", "RegionId", "cn-hangzhou", "UserCidr",
		   "10.0.0.0/8", NULL);
	assert_int_equal(run(f, "DeleteVpc", &res, &e, "VpcId", id, NULL), 0);
	json_decref(res);
	assert_null(sl_store_vpc(sl_ctl_store(f->ctl), id));
	assert_int_equal(sl_db_count(f->db, SL_CFG_VPC), 0);
	free(id);
}

/* CreateVpc takes the first free (trunk, VLAN) across Gateway.Inside.Trunks:
 * trunk 0 full, trunk 1 with only VLAN 2 free -> (1, 2); then the quota. */
static void test_create_vpc_trunks(void **state)
{
	struct fix *f = *state;
	char *path = f->cfg_path, *id;
	const struct sl_vpc_obj *v;
	FILE *fp;
	int n = 0;

	snprintf(path, sizeof(f->cfg_path), "%s/trunks.json", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "{\"Regions\":[{\"RegionId\":\"cn-hangzhou\",\"Zones\":[{\"ZoneId\":"
		    "\"z1\"}]}],\"Gateway\":{\"Inside\":{\"Trunks\":2}},\"Vpcs\":[");
	for (int t = 0; t < 2; t++)
		for (int vlan = 1; vlan <= 4094; vlan++)
			if (t == 0 || vlan != 2) {
				fprintf(fp, "%s{\"VpcId\":\"vpc-f%d\",\"RegionId\":\"cn-hangzhou\","
					    "\"Trunk\":%d,\"VlanId\":%d}",
					n ? "," : "", n, t, vlan);
				n++;
			}
	fprintf(fp, "]}");
	assert_int_equal(fclose(fp), 0);
	fix_close(f);
	f->config = path;
	f->bank_size = 16 << 20;
	fix_open(f);

	id = create_vpc(f, "10.5.0.0/16");
	v = sl_store_vpc(sl_ctl_store(f->ctl), id);
	assert_non_null(v);
	assert_int_equal(v->trunk, 1);
	assert_int_equal(v->vlan, 2);
	free(id);
	expect_err(f, "QuotaExceeded.Vpc", 400, "CreateVpc", "RegionId", "cn-hangzhou", NULL);
}

static void test_token_and_dry_run(void **state)
{
	struct fix *f = *state;
	struct sl_api_err e;
	json_t *a, *b;

	expect_err(f, "DryRunOperation", 400, "CreateVpc", "RegionId", "cn-hangzhou", "DryRun",
		   "true", NULL);
	assert_int_equal(sl_db_count(f->db, SL_CFG_VPC), 0);
	assert_int_equal(run(f, "CreateVpc", &a, &e, "RegionId", "cn-hangzhou", "ClientToken",
			     "t-1", "VpcName", "n1", NULL),
			 0);
	/* same token, same parameters (in another order): the same answer */
	assert_int_equal(run(f, "CreateVpc", &b, &e, "VpcName", "n1", "ClientToken", "t-1",
			     "RegionId", "cn-hangzhou", NULL),
			 0);
	assert_true(json_equal(a, b));
	assert_int_equal(sl_db_count(f->db, SL_CFG_VPC), 1);
	expect_err(f, "IdempotentParameterMismatch", 400, "CreateVpc", "RegionId", "cn-hangzhou",
		   "ClientToken", "t-1", "VpcName", "n2", NULL);
	json_decref(a);
	json_decref(b);
}

static void test_vswitch_route_instance(void **state)
{
	struct fix *f = *state;
	char *vpc = create_vpc(f, "10.6.0.0/16"), rtb[64], vsw[64], inst[64];
	struct sl_api_err e;
	json_t *res;

	snprintf(rtb, sizeof(rtb), "vtb-%s", vpc + 4);
	assert_int_equal(run(f, "CreateVSwitch", &res, &e, "VpcId", vpc, "ZoneId", "cn-hangzhou-a",
			     "CidrBlock", "10.6.1.0/24", NULL),
			 0);
	snprintf(vsw, sizeof(vsw), "%s", json_string_value(json_object_get(res, "VSwitchId")));
	json_decref(res);
	expect_err(f, "InvalidCidrBlock.Overlapped", 400, "CreateVSwitch", "VpcId", vpc, "ZoneId",
		   "cn-hangzhou-a", "CidrBlock", "10.6.1.0/25", NULL);
	expect_err(f, "InvalidZoneId.NotFound", 404, "CreateVSwitch", "VpcId", vpc, "ZoneId",
		   "cn-hangzhou-q", "CidrBlock", "10.6.2.0/24", NULL);
	expect_err(f, "InvalidCidrBlock.MaskLength", 400, "CreateVSwitch", "VpcId", vpc, "ZoneId",
		   "cn-hangzhou-a", "CidrBlock", "10.6.2.0/30", NULL);
	assert_int_equal(run(f, "CreateSluiceInstance", &res, &e, "VSwitchId", vsw,
			     "PrivateIpAddress", "10.6.1.7", NULL),
			 0);
	snprintf(inst, sizeof(inst), "%s", json_string_value(json_object_get(res, "InstanceId")));
	json_decref(res);
	expect_err(f, "InvalidPrivateIpAddress", 400, "CreateSluiceInstance", "VSwitchId", vsw,
		   "PrivateIpAddress", "10.6.1.0", NULL);
	assert_int_equal(run(f, "CreateRouteEntry", &res, &e, "RouteTableId", rtb,
			     "DestinationCidrBlock", "172.20.0.0/16", "NextHopId", inst, NULL),
			 0);
	json_decref(res);
	expect_err(f, "InvalidCIDRBlock.Duplicate", 400, "CreateRouteEntry", "RouteTableId", rtb,
		   "DestinationCidrBlock", "172.20.0.0/16", "NextHopId", inst, NULL);
	expect_err(f, "DependencyViolation.RouteEntry", 400, "DeleteSluiceInstance", "InstanceId",
		   inst, NULL);
	expect_err(f, "OperationDenied", 400, "DeleteRouteEntry", "RouteTableId", rtb,
		   "DestinationCidrBlock", "10.6.1.0/24", NULL);
	expect_err(f, "DependencyViolation", 400, "DeleteVSwitch", "VSwitchId", vsw, NULL);
	assert_int_equal(run(f, "DeleteRouteEntry", &res, &e, "RouteTableId", rtb,
			     "DestinationCidrBlock", "172.20.0.0/16", NULL),
			 0);
	json_decref(res);
	assert_int_equal(run(f, "DeleteSluiceInstance", &res, &e, "InstanceId", inst, NULL), 0);
	json_decref(res);
	assert_int_equal(run(f, "DeleteVSwitch", &res, &e, "VSwitchId", vsw, NULL), 0);
	json_decref(res);
	assert_int_equal(sl_db_count(f->db, SL_CFG_VSWITCH), 0);
	free(vpc);
}

static void test_instance_quota(void **state)
{
	struct fix *f = *state;
	char *vpc = create_vpc(f, "10.8.0.0/16"), vsw[64], id[32], ip[32], err[256];
	struct sl_api_err e;
	json_t *res;

	assert_int_equal(run(f, "CreateVSwitch", &res, &e, "VpcId", vpc, "ZoneId", "cn-hangzhou-a",
			     "CidrBlock", "10.8.0.0/16", NULL),
			 0);
	snprintf(vsw, sizeof(vsw), "%s", json_string_value(json_object_get(res, "VSwitchId")));
	json_decref(res);
	/* 10,000 instances written straight into the database */
	for (int n = 10; n < 10010; n++) {
		json_t *body;

		snprintf(id, sizeof(id), "i-q%05d", n);
		snprintf(ip, sizeof(ip), "10.8.%d.%d", n >> 8, n & 255);
		body = json_pack("{s:s,s:s,s:s}", "InstanceId", id, "VSwitchId", vsw,
				 "PrivateIpAddress", ip);
		assert_int_equal(sl_db_stage_put(f->db, SL_CFG_INSTANCE, id, body, 1), 0);
		json_decref(body);
	}
	assert_int_equal(sl_db_commit(f->db, err, sizeof(err)), 0);
	expect_err(f, "QuotaExceeded.Instance", 400, "CreateSluiceInstance", "VSwitchId", vsw,
		   "PrivateIpAddress", "10.8.100.1", NULL);
	free(vpc);
}

/* With a data plane attached, a change is Pending until it acknowledged the
 * generation, and the document's status rules refuse what depends on it. */
static void test_pending_status(void **state)
{
	struct fix *f = *state;
	struct sl_shm_header *h = sl_shm_hdr(sl_ctl_shm(f->ctl));
	uint64_t gen = sl_shm_generation(sl_ctl_shm(f->ctl));
	const struct sl_vpc_obj *v;
	struct sl_api_err e;
	json_t *res;
	char *vpc;

	/* a fake sluice-dp: one worker slot, up to date */
	atomic_store(&h->dp_pid, getpid());
	atomic_store(&h->lcore[2].ack_generation, gen);
	atomic_store(&h->lcore[2].online, 1);
	vpc = create_vpc(f, "10.9.0.0/16");
	assert_true(sl_ctl_poll(f->ctl) > 0);
	v = sl_store_vpc(sl_ctl_store(f->ctl), vpc);
	assert_int_equal(v->st.status, SL_STATUS_PENDING);
	expect_err(f, "IncorrectVpcStatus", 400, "DeleteVpc", "VpcId", vpc, NULL);
	expect_err(f, "IncorrectVpcStatus", 400, "CreateVSwitch", "VpcId", vpc, "ZoneId",
		   "cn-hangzhou-a", "CidrBlock", "10.9.1.0/24", NULL);
	/* the data plane takes the generation up: Available, and the VSwitch
	 * can be created */
	atomic_store(&h->lcore[2].ack_generation, sl_shm_generation(sl_ctl_shm(f->ctl)));
	assert_int_equal(sl_ctl_poll(f->ctl), 0);
	assert_int_equal(sl_store_vpc(sl_ctl_store(f->ctl), vpc)->st.status, SL_STATUS_AVAILABLE);
	assert_int_equal(run(f, "CreateVSwitch", &res, &e, "VpcId", vpc, "ZoneId", "cn-hangzhou-a",
			     "CidrBlock", "10.9.1.0/24", NULL),
			 0);
	json_decref(res);
	/* the new VSwitch is Pending: a second one in the VPC waits for it */
	expect_err(f, "IncorrectVSwitchStatus", 400, "CreateVSwitch", "VpcId", vpc, "ZoneId",
		   "cn-hangzhou-a", "CidrBlock", "10.9.2.0/24", NULL);
	atomic_store(&h->lcore[2].ack_generation, sl_shm_generation(sl_ctl_shm(f->ctl)));
	assert_int_equal(sl_ctl_poll(f->ctl), 0);
	atomic_store(&h->lcore[2].online, 0);
	atomic_store(&h->dp_pid, 0);
	free(vpc);
}

/* NAT actions on the demo config (no EipPool): a new NAT gateway is
 * Pending until the data plane acknowledged it and refuses configuration
 * meanwhile; it survives a reopen of the database; deleting it twice. */
static void test_nat_gateway(void **state)
{
	struct fix *f = *state;
	struct sl_shm_header *h = sl_shm_hdr(sl_ctl_shm(f->ctl));
	uint64_t gen = sl_shm_generation(sl_ctl_shm(f->ctl));
	const struct sl_natgw_obj *n;
	struct sl_api_err e;
	json_t *res;
	char ngw[SL_ID_LEN], stb[SL_ID_LEN];

	atomic_store(&h->dp_pid, getpid());
	atomic_store(&h->lcore[2].ack_generation, gen);
	atomic_store(&h->lcore[2].online, 1);
	if (run(f, "CreateNatGateway", &res, &e, "RegionId", "cn-hangzhou", "VpcId", "vpc-a",
		"Spec", "Large", NULL) < 0)
		fail_msg("CreateNatGateway: %s %s", e.code, e.msg);
	snprintf(ngw, sizeof(ngw), "%s", json_string_value(json_object_get(res, "NatGatewayId")));
	snprintf(stb, sizeof(stb), "%s",
		 json_string_value(json_array_get(
		     json_object_get(json_object_get(res, "SnatTableIds"), "SnatTableId"), 0)));
	json_decref(res);
	assert_true(sl_ctl_poll(f->ctl) > 0);
	n = sl_jsl_get(sl_ctl_store(f->ctl)->natgws, ngw);
	assert_non_null(n);
	assert_int_equal(n->st.status, SL_STATUS_PENDING);
	assert_string_equal(n->spec, "Large");
	expect_err(f, "IncorrectStatus.NatGateway", 400, "CreateSnatEntry", "RegionId",
		   "cn-hangzhou", "SnatTableId", stb, "SourceVSwitchId", "vsw-a1", "SnatIp",
		   "198.51.100.1", NULL);
	expect_err(f, "IncorrectStatus.NatGateway", 400, "ModifyNatGatewaySpec", "RegionId",
		   "cn-hangzhou", "NatGatewayId", ngw, NULL);
	atomic_store(&h->lcore[2].ack_generation, sl_shm_generation(sl_ctl_shm(f->ctl)));
	assert_int_equal(sl_ctl_poll(f->ctl), 0);
	atomic_store(&h->lcore[2].online, 0);
	atomic_store(&h->dp_pid, 0);
	n = sl_jsl_get(sl_ctl_store(f->ctl)->natgws, ngw);
	assert_int_equal(n->st.status, SL_STATUS_AVAILABLE);
	/* Available now: the rules speak */
	expect_err(f, "InvalidSnatIp.NotFound", 404, "CreateSnatEntry", "RegionId", "cn-hangzhou",
		   "SnatTableId", stb, "SourceVSwitchId", "vsw-a1", "SnatIp", "198.51.100.1", NULL);
	expect_err(f, "InsufficientEipCapacity", 500, "AllocateEipAddress", "RegionId",
		   "cn-hangzhou", NULL);
	/* durable: a reopened database has it */
	fix_close(f);
	fix_open(f);
	n = sl_jsl_get(sl_ctl_store(f->ctl)->natgws, ngw);
	assert_non_null(n);
	assert_string_equal(n->spec, "Large");
	assert_string_equal(n->vpc_id, "vpc-a");
	assert_int_equal(run(f, "DeleteNatGateway", &res, &e, "RegionId", "cn-hangzhou",
			     "NatGatewayId", ngw, NULL),
			 0);
	json_decref(res);
	assert_null(sl_jsl_get(sl_ctl_store(f->ctl)->natgws, ngw));
	expect_err(f, "InvalidNatGatewayId.NotFound", 404, "DeleteNatGateway", "RegionId",
		   "cn-hangzhou", "NatGatewayId", ngw, NULL);
}

/* IPv6 gateway actions on the demo config: a new gateway is Pending until
 * the data plane acknowledged it and takes no egress-only rule meanwhile;
 * an address and its bandwidth survive a reopen of the database; the
 * dependency order of the deletions. */
static void test_ipv6_gateway(void **state)
{
	struct fix *f = *state;
	struct sl_shm_header *h = sl_shm_hdr(sl_ctl_shm(f->ctl));
	const struct sl_ipv6addr_obj *a;
	struct sl_api_err e;
	json_t *res;
	char gw[SL_ID_LEN], addr[SL_ID_LEN], bw[SL_ID_LEN];

	atomic_store(&h->dp_pid, getpid());
	atomic_store(&h->lcore[2].ack_generation, sl_shm_generation(sl_ctl_shm(f->ctl)));
	atomic_store(&h->lcore[2].online, 1);
	if (run(f, "CreateIpv6Gateway", &res, &e, "RegionId", "cn-hangzhou", "VpcId", "vpc-a",
		"Spec", "Middle", NULL) < 0)
		fail_msg("CreateIpv6Gateway: %s %s", e.code, e.msg);
	snprintf(gw, sizeof(gw), "%s", json_string_value(json_object_get(res, "Ipv6GatewayId")));
	json_decref(res);
	assert_true(sl_ctl_poll(f->ctl) > 0);
	assert_int_equal(
	    ((struct sl_ipv6gw_obj *)sl_jsl_get(sl_ctl_store(f->ctl)->ipv6gws, gw))->st.status,
	    SL_STATUS_PENDING);
	expect_err(f, "IncorrectStatus.Ipv6Gateway", 400, "CreateIpv6EgressOnlyRule", "RegionId",
		   "cn-hangzhou", "Ipv6GatewayId", gw, "InstanceId", "i-a1", "InstanceType",
		   "Instance", NULL);
	expect_err(f, "IncorrectStatus.Ipv6Gateway", 400, "DeleteIpv6Gateway", "RegionId",
		   "cn-hangzhou", "Ipv6GatewayId", gw, NULL);
	atomic_store(&h->lcore[2].ack_generation, sl_shm_generation(sl_ctl_shm(f->ctl)));
	assert_int_equal(sl_ctl_poll(f->ctl), 0);
	atomic_store(&h->lcore[2].online, 0);
	atomic_store(&h->dp_pid, 0);
	/* i-a1's own address gets an id, and bandwidth within the Middle cap */
	if (run(f, "AllocateIpv6Address", &res, &e, "RegionId", "cn-hangzhou", "VSwitchId",
		"vsw-a1", "Ipv6Address", "2001:db8:a:1::10", NULL) < 0)
		fail_msg("AllocateIpv6Address: %s %s", e.code, e.msg);
	snprintf(addr, sizeof(addr), "%s",
		 json_string_value(json_object_get(res, "Ipv6AddressId")));
	json_decref(res);
	expect_err(f, "IllegalParam.Bandwidth", 400, "AllocateIpv6InternetBandwidth", "RegionId",
		   "cn-hangzhou", "Ipv6AddressId", addr, "Bandwidth", "1001", "InternetChargeType",
		   "PayByTraffic", NULL);
	if (run(f, "AllocateIpv6InternetBandwidth", &res, &e, "RegionId", "cn-hangzhou",
		"Ipv6AddressId", addr, "Bandwidth", "1000", "InternetChargeType", "PayByTraffic",
		NULL) < 0)
		fail_msg("AllocateIpv6InternetBandwidth: %s %s", e.code, e.msg);
	snprintf(bw, sizeof(bw), "%s",
		 json_string_value(json_object_get(res, "InternetBandwidthId")));
	json_decref(res);
	/* durable: a reopened database has them, resolved */
	fix_close(f);
	fix_open(f);
	a = sl_jsl_get(sl_ctl_store(f->ctl)->ipv6addrs, addr);
	assert_non_null(a);
	assert_ptr_equal(a->instance, sl_store_instance(sl_ctl_store(f->ctl), "i-a1"));
	assert_non_null(a->bw);
	assert_string_equal(a->bw->id, bw);
	assert_int_equal(a->bw->bandwidth, 1000);
	assert_string_equal(a->gw->id, gw);
	expect_err(f, "DependencyViolation.Ipv6InternetBandwidth", 400, "DeleteIpv6Gateway",
		   "RegionId", "cn-hangzhou", "Ipv6GatewayId", gw, NULL);
	expect_err(f, "DependencyViolation.Ipv6InternetBandwidth", 400, "ReleaseIpv6Address",
		   "RegionId", "cn-hangzhou", "Ipv6AddressId", addr, NULL);
	assert_int_equal(run(f, "DeleteIpv6InternetBandwidth", &res, &e, "RegionId", "cn-hangzhou",
			     "Ipv6AddressId", addr, NULL),
			 0);
	json_decref(res);
	assert_int_equal(run(f, "ReleaseIpv6Address", &res, &e, "RegionId", "cn-hangzhou",
			     "Ipv6AddressId", addr, NULL),
			 0);
	json_decref(res);
	assert_int_equal(run(f, "DeleteIpv6Gateway", &res, &e, "RegionId", "cn-hangzhou",
			     "Ipv6GatewayId", gw, NULL),
			 0);
	json_decref(res);
	expect_err(f, "InvalidIpv6GatewayId.NotFound", 404, "DeleteIpv6Gateway", "RegionId",
		   "cn-hangzhou", "Ipv6GatewayId", gw, NULL);
}

/* DescribeHaVips' MasterInstanceId of HaVip `id` (a static buffer). */
static const char *havip_master(struct fix *f, const char *id)
{
	static char out[SL_ID_LEN];
	struct sl_api_params p;
	struct sl_api_err e = {0};
	json_t *res = NULL, *list;

	sl_api_params_init(&p);
	assert_int_equal(sl_api_params_add(&p, "RegionId", "cn-hangzhou"), 0);
	assert_int_equal(sl_api_params_add(&p, "Filter.1.Key", "HaVipId"), 0);
	assert_int_equal(sl_api_params_add(&p, "Filter.1.Value.1", id), 0);
	assert_int_equal(sl_api_vpc_run(sl_ctl_store(f->ctl), "DescribeHaVips", &p, 1700000000,
					&res, &e),
			 0);
	sl_api_params_free(&p);
	list = json_object_get(json_object_get(res, "HaVips"), "HaVip");
	assert_int_equal(json_array_size(list), 1);
	snprintf(out, sizeof(out), "%s",
		 json_string_value(json_object_get(json_array_get(list, 0), "MasterInstanceId")));
	json_decref(res);
	return out;
}

/* MasterInstanceId is the holder a live sluice-dp reports in the stats
 * area (issue 12), while that instance is associated. */
static void check_havip_master(struct fix *f, const char *id)
{
	struct sl_shm_header *h = sl_shm_hdr(sl_ctl_shm(f->ctl));
	struct sl_stats_header *st = sl_shm_stats(h);

	sl_api_havip_set_ctl(f->ctl);
	assert_string_equal(havip_master(f, id), ""); /* no data plane */
	st->magic = SL_STATS_MAGIC;
	st->n_havip = 2;
	memset(st->havip, 0, 2 * sizeof(st->havip[0]));
	snprintf(st->havip[0].havip_id, SL_ID_LEN, "havip-other");
	snprintf(st->havip[0].holder_id, SL_ID_LEN, "i-a1");
	snprintf(st->havip[1].havip_id, SL_ID_LEN, "%s", id);
	snprintf(st->havip[1].holder_id, SL_ID_LEN, "i-a1");
	assert_string_equal(havip_master(f, id), ""); /* reported, but no live data plane */
	atomic_store(&h->dp_pid, getpid());
	assert_string_equal(havip_master(f, id), "i-a1");
	/* a holder that is no longer associated is nobody's master */
	snprintf(st->havip[1].holder_id, SL_ID_LEN, "i-a2");
	assert_string_equal(havip_master(f, id), "");
	atomic_store(&h->dp_pid, 0);
	st->n_havip = 0;
	sl_api_havip_set_ctl(NULL);
}

/* HaVips and common bandwidth packages on the demo config: Pending under
 * a (fake) data plane until acknowledged, refusing changes, routes and
 * associations meanwhile; durable across a reopen of the database. */
static void test_havip_and_package(void **state)
{
	struct fix *f = *state;
	struct sl_shm_header *h = sl_shm_hdr(sl_ctl_shm(f->ctl));
	const struct sl_havip_obj *hv;
	const struct sl_cbwp_obj *b;
	struct sl_api_err e;
	json_t *res;
	char id[SL_ID_LEN], pkg[SL_ID_LEN];

	/* a fake data plane that has acknowledged everything so far; each
	 * change waits for the previous one's acknowledgement */
	atomic_store(&h->dp_pid, getpid());
	atomic_store(&h->lcore[2].ack_generation, sl_shm_generation(sl_ctl_shm(f->ctl)));
	atomic_store(&h->lcore[2].online, 1);
	if (run(f, "CreateHaVip", &res, &e, "RegionId", "cn-hangzhou", "VSwitchId", "vsw-a1",
		"Name", "front", NULL) < 0)
		fail_msg("CreateHaVip: %s %s", e.code, e.msg);
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(res, "HaVipId")));
	assert_string_equal(json_string_value(json_object_get(res, "IpAddress")), "192.168.1.1");
	json_decref(res);
	assert_true(sl_ctl_poll(f->ctl) > 0);
	hv = sl_jsl_get(sl_ctl_store(f->ctl)->havips, id);
	assert_non_null(hv);
	assert_int_equal(hv->st.status, SL_STATUS_PENDING);
	expect_err(f, "IncorrectHaVipStatus", 400, "AssociateHaVip", "RegionId", "cn-hangzhou",
		   "HaVipId", id, "InstanceId", "i-a1", NULL);
	expect_err(f, "IncorrectHaVipStatus", 400, "CreateRouteEntry", "RouteTableId", "vtb-a",
		   "DestinationCidrBlock", "10.77.0.0/16", "NextHopType", "HaVip", "NextHopId", id,
		   NULL);
	atomic_store(&h->lcore[2].ack_generation, sl_shm_generation(sl_ctl_shm(f->ctl)));
	assert_int_equal(sl_ctl_poll(f->ctl), 0);
	hv = sl_jsl_get(sl_ctl_store(f->ctl)->havips, id);
	assert_int_equal(hv->st.status, SL_STATUS_AVAILABLE);
	if (run(f, "CreateCommonBandwidthPackage", &res, &e, "RegionId", "cn-hangzhou", "Bandwidth",
		"20", NULL) < 0)
		fail_msg("CreateCommonBandwidthPackage: %s %s", e.code, e.msg);
	snprintf(pkg, sizeof(pkg), "%s",
		 json_string_value(json_object_get(res, "BandwidthPackageId")));
	json_decref(res);
	assert_true(sl_ctl_poll(f->ctl) > 0);
	expect_err(f, "IncorrectBandwidthPackageStatus", 400, "ModifyCommonBandwidthPackageSpec",
		   "RegionId", "cn-hangzhou", "BandwidthPackageId", pkg, "Bandwidth", "30", NULL);
	atomic_store(&h->lcore[2].ack_generation, sl_shm_generation(sl_ctl_shm(f->ctl)));
	assert_int_equal(sl_ctl_poll(f->ctl), 0);
	atomic_store(&h->lcore[2].online, 0);
	atomic_store(&h->dp_pid, 0);
	assert_int_equal(run(f, "AssociateHaVip", &res, &e, "RegionId", "cn-hangzhou", "HaVipId",
			     id, "InstanceId", "i-a1", NULL),
			 0);
	json_decref(res);
	check_havip_master(f, id);
	assert_int_equal(run(f, "ModifyCommonBandwidthPackageSpec", &res, &e, "RegionId",
			     "cn-hangzhou", "BandwidthPackageId", pkg, "Bandwidth", "30", NULL),
			 0);
	json_decref(res);
	/* durable: a reopened database has both, as changed */
	fix_close(f);
	fix_open(f);
	hv = sl_jsl_get(sl_ctl_store(f->ctl)->havips, id);
	assert_non_null(hv);
	assert_string_equal(hv->name, "front");
	assert_int_equal(hv->n_instances, 1);
	assert_string_equal(hv->instances[0], "i-a1");
	b = sl_jsl_get(sl_ctl_store(f->ctl)->cbwps, pkg);
	assert_non_null(b);
	assert_int_equal(b->bandwidth, 30);
}

/* Batches: answers collected by the done callback. */
struct answers {
	unsigned int n;
	char code[8][64];
	char id[8][64];
};

static void done_cb(void *owner, json_t *result, const struct sl_api_err *e, void *arg)
{
	struct answers *a = arg;
	unsigned int i = (unsigned int)(uintptr_t)owner;

	assert_true(i < 8);
	a->n++;
	if (result)
		snprintf(a->id[i], sizeof(a->id[i]), "%s",
			 json_string_value(json_object_get(result, "VSwitchId"))
			     ? json_string_value(json_object_get(result, "VSwitchId"))
			     : json_string_value(json_object_get(result, "VpcId")));
	else
		snprintf(a->code[i], sizeof(a->code[i]), "%s", e->code);
}

static void queue(struct fix *f, uintptr_t owner, ...)
{
	struct sl_api_params p;
	struct sl_api_err e = {0};
	json_t *res = NULL;
	const char *k, *action;
	va_list ap;

	sl_api_params_init(&p);
	va_start(ap, owner);
	action = va_arg(ap, const char *);
	while ((k = va_arg(ap, const char *)) != NULL)
		assert_int_equal(sl_api_params_add(&p, k, va_arg(ap, const char *)), 0);
	va_end(ap);
	assert_int_equal(
	    sl_api_mut_queue(&f->m, "AK1", action, &p, 1700000000, (void *)owner, &res, &e), 1);
	sl_api_params_free(&p);
}

static void test_batches(void **state)
{
	struct fix *f = *state;
	char *vpc = create_vpc(f, "10.7.0.0/16"), vsw[64];
	struct answers a = {0};

	assert_int_equal(sl_api_mut_batch_init(&f->m), 0);
	sl_api_mut_set_done(&f->m, done_cb, &a);
	/* two VPCs in one batch get two VLANs */
	queue(f, 0, "CreateVpc", "RegionId", "cn-hangzhou", NULL);
	queue(f, 1, "CreateVpc", "RegionId", "cn-hangzhou", NULL);
	assert_int_equal(sl_api_mut_pending(&f->m), 2);
	assert_int_equal(a.n, 0); /* nothing answered before the flush */
	sl_api_mut_flush(&f->m);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.code[0], "");
	assert_string_equal(a.code[1], "");
	assert_int_not_equal(sl_store_vpc(sl_ctl_store(f->ctl), a.id[0])->vlan,
			     sl_store_vpc(sl_ctl_store(f->ctl), a.id[1])->vlan);
	/* two overlapping VSwitches: the batch does not validate, each is
	 * redone alone; the first wins */
	memset(&a, 0, sizeof(a));
	queue(f, 0, "CreateVSwitch", "VpcId", vpc, "ZoneId", "cn-hangzhou-a", "CidrBlock",
	      "10.7.1.0/24", NULL);
	queue(f, 1, "CreateVSwitch", "VpcId", vpc, "ZoneId", "cn-hangzhou-a", "CidrBlock",
	      "10.7.1.0/25", NULL);
	queue(f, 2, "CreateVSwitch", "VpcId", vpc, "ZoneId", "cn-hangzhou-b", "CidrBlock",
	      "10.7.2.0/24", NULL);
	sl_api_mut_flush(&f->m);
	assert_int_equal(a.n, 3);
	assert_string_equal(a.code[0], "");
	assert_string_equal(a.code[1], "InvalidCidrBlock.Overlapped");
	assert_string_equal(a.code[2], "");
	assert_int_equal(sl_store_vpc(sl_ctl_store(f->ctl), vpc)->n_vswitches, 2);
	/* the same object twice: queuing the second flushes the first */
	snprintf(vsw, sizeof(vsw), "%s", a.id[0]);
	memset(&a, 0, sizeof(a));
	queue(f, 0, "ModifyVSwitchAttribute", "VSwitchId", vsw, "VSwitchName", "one", NULL);
	queue(f, 1, "ModifyVSwitchAttribute", "VSwitchId", vsw, "VSwitchName", "two", NULL);
	assert_int_equal(a.n, 1);
	assert_int_equal(sl_api_mut_pending(&f->m), 1);
	assert_string_equal(sl_store_vswitch(sl_ctl_store(f->ctl), vsw)->name, "one");
	sl_api_mut_flush(&f->m);
	assert_int_equal(a.n, 2);
	assert_string_equal(sl_store_vswitch(sl_ctl_store(f->ctl), vsw)->name, "two");
	free(vpc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_db_stage_commit_reopen, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_db_nonces_expire, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_db_tokens_expire, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_modify_delete_vpc, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_vpc_trunks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_token_and_dry_run, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vswitch_route_instance, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_instance_quota, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pending_status, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nat_gateway, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ipv6_gateway, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_havip_and_package, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
