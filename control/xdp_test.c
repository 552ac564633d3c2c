/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of the XDP program (bpf/sl_xdp.bpf.c) and its loader (xdp.c).
 *
 * - abi: the built object's maps have the key/value sizes and counter count
 *   of sl_xdp_abi.h (no privileges: open only, no load).
 * - vectors: every frame of bpf/xdp_vectors.txt (scapy-built by
 *   bpf/make_xdp_vectors.py) through BPF_PROG_RUN: the verdict and exactly
 *   one counter, the expected one, moved by one. Needs root (skipped
 *   otherwise). There is no AF_XDP socket here, so an XSK decision shows as
 *   XDP_DROP with counter no_xsk, which only the XSK branch counts.
 * - sync: owned prefixes from the demo config, a stale one removed.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>

#include <cmocka.h>

#include "sl_ctl.h"
#include "sl_ctl_log.h"
#include "sl_store.h"
#include "sl_test_util.h"
#include "sl_xdp.h"

static const char *obj_path(void)
{
	const char *p = getenv("SL_XDP_OBJ");

	return p ? p : "build/bpf/sl_xdp.bpf.o";
}

static void test_abi(void **state)
{
	struct bpf_object *obj = bpf_object__open_file(obj_path(), NULL);
	char err[256] = "";

	assert_non_null(obj);
	if (sl_xdp_check_object(obj, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	/* and the check does catch a difference */
	assert_int_equal(
	    bpf_map__set_value_size(bpf_object__find_map_by_name(obj, SL_XDP_MAP_STATS), 4), 0);
	assert_int_equal(sl_xdp_check_object(obj, err, sizeof(err)), -1);
	assert_non_null(strstr(err, SL_XDP_MAP_STATS));
	bpf_object__close(obj);
	/* every counter has a distinct name */
	for (int i = 0; i < SL_XDP_CNT_MAX; i++) {
		assert_non_null(sl_xdp_cnt_names[i]);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(sl_xdp_cnt_names[i], sl_xdp_cnt_names[j]);
	}
}

static struct sl_pfx pfx(const char *s)
{
	struct sl_pfx p;

	if (sl_pfx_parse(s, &p, 0) < 0 && sl_ip_parse(s, &p) < 0)
		fail_msg("bad prefix %s", s);
	return p;
}

/* the maps bpf/make_xdp_vectors.py assumes */
static struct sl_xdp *open_filled(enum sl_xdp_role role)
{
	static const char *owned[] = {"203.0.113.0/24", "198.51.100.7/32", "2001:db8:1::/48"};
	static const char *host[] = {"192.0.2.10/32", "203.0.113.250/32", "2001:db8:ff::10/128"};
	char err[512] = "";
	struct sl_xdp *x = sl_xdp_open(obj_path(), role, err, sizeof(err));

	if (x == NULL)
		fail_msg("sl_xdp_open: %s", err);
	for (size_t i = 0; i < 3; i++) {
		struct sl_pfx o = pfx(owned[i]), h = pfx(host[i]);

		assert_int_equal(sl_xdp_add_owned(x, &o, SL_XDP_OWN_OUTSIDE), 0);
		assert_int_equal(sl_xdp_add_host(x, &h), 0);
	}
	return x;
}

static int cnt_index(const char *name)
{
	for (int i = 0; i < SL_XDP_CNT_MAX; i++)
		if (strcmp(sl_xdp_cnt_names[i], name) == 0)
			return i;
	fail_msg("unknown counter %s", name);
	return -1;
}

static size_t unhex(const char *h, uint8_t *out, size_t max)
{
	size_t n = 0;

	for (; h[0] && h[1] && n < max; h += 2) {
		unsigned int b;

		if (sscanf(h, "%2x", &b) != 1)
			fail_msg("bad hex");
		out[n++] = (uint8_t)b;
	}
	return n;
}

/* run one frame; the verdict, and which counter moved (exactly one must) */
static void run_one(struct sl_xdp *x, const uint8_t *frame, size_t len, int want_action,
		    int want_cnt, const char *name)
{
	uint64_t before[SL_XDP_CNT_MAX], after[SL_XDP_CNT_MAX];
	uint8_t out[2048];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	assert_int_equal(sl_xdp_counters(x, before), 0);
	if (bpf_prog_test_run_opts(sl_xdp_prog_fd(x), &o) < 0)
		fail_msg("%s: BPF_PROG_RUN: %s", name, strerror(errno));
	assert_int_equal(sl_xdp_counters(x, after), 0);
	if ((int)o.retval != want_action)
		fail_msg("%s: verdict %u, want %d", name, o.retval, want_action);
	for (int i = 0; i < SL_XDP_CNT_MAX; i++) {
		uint64_t d = after[i] - before[i];

		if (d != (i == want_cnt ? 1u : 0u))
			fail_msg("%s: counter %s moved by %llu, want %s", name, sl_xdp_cnt_names[i],
				 (unsigned long long)d, sl_xdp_cnt_names[want_cnt]);
	}
	/* the program never rewrites a frame */
	assert_int_equal(o.data_size_out, len);
	assert_memory_equal(out, frame, len);
}

static void test_vectors(void **state)
{
	const char *path = getenv("SL_XDP_VECTORS");
	struct sl_xdp *x[3];
	char line[8192];
	FILE *f;
	int n = 0, seen[SL_XDP_CNT_MAX] = {0};

	if (geteuid() != 0)
		skip();
	f = fopen(path ? path : "bpf/xdp_vectors.txt", "r");
	assert_non_null(f);
	x[SL_XDP_ROLE_NONE] = open_filled(SL_XDP_ROLE_NONE);
	x[SL_XDP_ROLE_OUTSIDE] = open_filled(SL_XDP_ROLE_OUTSIDE);
	x[SL_XDP_ROLE_INSIDE] = open_filled(SL_XDP_ROLE_INSIDE);
	while (fgets(line, sizeof(line), f)) {
		char name[64], role[16], action[16], cnt[32], hex[4096];
		uint8_t frame[2048];
		size_t len;
		int r, c;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%63s %15s %15s %31s %4095s", name, role, action, cnt, hex) != 5)
			fail_msg("bad vector line: %s", line);
		r = strcmp(role, "outside") == 0  ? SL_XDP_ROLE_OUTSIDE
		    : strcmp(role, "inside") == 0 ? SL_XDP_ROLE_INSIDE
						  : SL_XDP_ROLE_NONE;
		len = unhex(hex, frame, sizeof(frame));
		c = cnt_index(cnt);
		if (strcmp(action, "REFUSED") == 0) {
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
				    .data_size_in = (uint32_t)len, .repeat = 1);

			assert_true(len < 14);
			assert_int_equal(bpf_prog_test_run_opts(sl_xdp_prog_fd(x[r]), &o), -EINVAL);
			n++;
			continue;
		}
		run_one(x[r], frame, len, strcmp(action, "XDP_PASS") == 0 ? XDP_PASS : XDP_DROP, c,
			name);
		seen[c]++;
		n++;
	}
	fclose(f);
	assert_true(n >= 30);
	/* every counter is reached by some vector but to_xsk (needs a socket)
	 * and eth_truncated (BPF_PROG_RUN refuses such frames) */
	for (int i = 0; i < SL_XDP_CNT_MAX; i++)
		if (i != SL_XDP_CNT_TO_XSK && i != SL_XDP_CNT_ETH_TRUNCATED && seen[i] == 0)
			fail_msg("no vector reaches counter %s", sl_xdp_cnt_names[i]);
	for (int i = 0; i < 3; i++)
		sl_xdp_close(x[i]);
}

/* an outside-port IPv4 UDP frame to dst (no checksum: the program does not check) */
static size_t frame4(uint8_t *b, uint32_t dst)
{
	static const uint8_t head[] = {2, 0, 0,	 0, 0, 1, 2, 0,	 0,  0, 0, 2, 0x08, 0x00, 0x45,
				       0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 8, 8,    8,	  8};

	memcpy(b, head, sizeof(head));
	b[30] = (uint8_t)(dst >> 24);
	b[31] = (uint8_t)(dst >> 16);
	b[32] = (uint8_t)(dst >> 8);
	b[33] = (uint8_t)dst;
	memset(b + 34, 0, 8);
	return 42;
}

static void test_sync_owned(void **state)
{
	struct sl_errs e;
	struct sl_store *s;
	struct sl_xdp *x;
	struct sl_pfx stale = pfx("198.51.100.0/24");
	char err[512] = "";
	uint8_t f[64];
	size_t len;

	if (geteuid() != 0)
		skip();
	sl_errs_init(&e, sl_t_demo_path());
	s = sl_ctl_load_store(sl_t_demo_path(), &e);
	assert_non_null(s);
	x = sl_xdp_open(obj_path(), SL_XDP_ROLE_OUTSIDE, err, sizeof(err));
	if (x == NULL)
		fail_msg("%s", err);
	assert_int_equal(sl_xdp_add_owned(x, &stale, SL_XDP_OWN_EIP), 0);
	len = frame4(f, 0xc6336405); /* 198.51.100.5: owned until the sync */
	run_one(x, f, len, XDP_DROP, SL_XDP_CNT_NO_XSK, "stale before sync");
	/* demo: 203.0.113.2, 2001:db8:ffff::2, the two VPC IPv6 CIDRs */
	assert_int_equal(sl_xdp_sync_owned(x, s), 4);
	run_one(x, f, len, XDP_DROP, SL_XDP_CNT_NOT_OWNED4, "stale after sync");
	len = frame4(f, 0xcb007102); /* the outside address */
	run_one(x, f, len, XDP_DROP, SL_XDP_CNT_NO_XSK, "outside address");
	len = frame4(f, 0xcb007103); /* its subnet neighbour: not ours */
	run_one(x, f, len, XDP_DROP, SL_XDP_CNT_NOT_OWNED4, "outside subnet");
	/* idempotent */
	assert_int_equal(sl_xdp_sync_owned(x, s), 4);
	sl_xdp_close(x);
	sl_store_free(s);
	sl_errs_free(&e);
}

static void test_parse_spec(void **state)
{
	struct sl_xdp_spec sp;

	assert_int_equal(sl_xdp_parse_spec("eth0", &sp), 0);
	assert_string_equal(sp.ifname, "eth0");
	assert_int_equal(sp.role, SL_XDP_ROLE_OUTSIDE);
	assert_false(sp.generic);
	assert_false(sp.adopt);
	assert_int_equal(sl_xdp_parse_spec("veth1,inside,generic", &sp), 0);
	assert_string_equal(sp.ifname, "veth1");
	assert_int_equal(sp.role, SL_XDP_ROLE_INSIDE);
	assert_true(sp.generic);
	assert_int_equal(sl_xdp_parse_spec("p0,adopt,outside,native", &sp), 0);
	assert_true(sp.adopt);
	assert_int_equal(sp.role, SL_XDP_ROLE_OUTSIDE);
	assert_false(sp.generic);
	assert_int_equal(sl_xdp_parse_spec("", &sp), -1);
	assert_int_equal(sl_xdp_parse_spec(",inside", &sp), -1);
	assert_int_equal(sl_xdp_parse_spec("eth0,", &sp), -1);
	assert_int_equal(sl_xdp_parse_spec("eth0,insidex", &sp), -1);
	assert_int_equal(sl_xdp_parse_spec("a-name-of-16-chr", &sp), -1); /* IFNAMSIZ 16 */
	assert_int_equal(sl_xdp_parse_spec("a-name-of-15-ch", &sp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_abi),
	    cmocka_unit_test(test_parse_spec),
	    cmocka_unit_test(test_vectors),
	    cmocka_unit_test(test_sync_owned),
	};

	libbpf_set_print(NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
