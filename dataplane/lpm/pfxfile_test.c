/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sl_pfxfile unit tests: plain and gzip files, comments and whitespace,
 * clear errors with line numbers (and nothing half-loaded), deterministic
 * next hops, the synthetic table's size and length mix, the real file when
 * it exists.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "sl_pfxfile.h"

static char sl_t_dir[] = "/tmp/sl_pfxfile_testXXXXXX";

static const char *sl_t_write(const char *name, const char *text, int gz)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", sl_t_dir, name);
	if (gz) {
		gzFile f = gzopen(path, "wb");

		assert_non_null(f);
		assert_int_equal(gzputs(f, text), (int)strlen(text));
		assert_int_equal(gzclose(f), Z_OK);
	} else {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	}
	return path;
}

static const char sl_t_good[] = "# a comment\n"
				"10.0.0.0/8\n"
				"  192.0.2.0/24  \n"
				"\n"
				"2001:db8::/32\n"
				"0.0.0.0/0\n"
				"::/0\r\n"
				"255.255.255.255/32\n"
				"2001:db8::1/128";

static void sl_t_check_good(const struct sl_pfxlist *l)
{
	assert_int_equal(l->n4, 4);
	assert_int_equal(l->n6, 3);
	assert_int_equal(l->v4[0].addr, 0x0a000000);
	assert_int_equal(l->v4[0].len, 8);
	assert_int_equal(l->v4[1].addr, 0xc0000200);
	assert_int_equal(l->v4[2].len, 0);
	assert_int_equal(l->v4[3].addr, 0xffffffff);
	assert_int_equal(l->v6[0].addr[0], 0x20);
	assert_int_equal(l->v6[0].addr[3], 0xb8);
	assert_int_equal(l->v6[0].len, 32);
	assert_int_equal(l->v6[2].addr[15], 1);
	assert_int_equal(l->v6[2].len, 128);
	for (size_t i = 0; i < l->n4; i++) {
		assert_int_equal(l->v4[i].nh, sl_pfx_nh4(l->v4[i].addr, l->v4[i].len, 255));
		assert_in_range(l->v4[i].nh, 1, 255);
	}
	for (size_t i = 0; i < l->n6; i++)
		assert_int_equal(l->v6[i].nh, sl_pfx_nh6(l->v6[i].addr, l->v6[i].len, 255));
}

static void test_load_plain_and_gz(void **state)
{
	for (int gz = 0; gz <= 1; gz++) {
		struct sl_pfxlist l = {0};
		char err[256] = "";
		const char *p = sl_t_write(gz ? "good.gz" : "good.txt", sl_t_good, gz);

		assert_int_equal(sl_pfx_load(p, 255, &l, err, sizeof(err)), 0);
		sl_t_check_good(&l);
		sl_pfx_free(&l);
	}
}

/* every bad line fails the load with its line number; nothing is kept */
static void test_load_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"10.0.0.0/8\n10.0.0.0\n", ":2: no '/'"},
	    {"10.0.0.0/8\n\n10.0.0.1/8\n", ":3: host bits set"},
	    {"10.0.0.0/33\n", ":1: bad prefix length"},
	    {"10.0.0.0/-1\n", ":1: bad prefix length"},
	    {"10.0.0.0/8x\n", ":1: bad prefix length"},
	    {"10.0.0.0/\n", ":1: bad prefix length"},
	    {"10.0.0.256/32\n", ":1: bad IPv4 address"},
	    {"# ok\n2001:db8::/129\n", ":2: bad prefix length"},
	    {"2001:db8:::/32\n", ":1: bad IPv6 address"},
	    {"2001:db8::1/64\n", ":1: host bits set"},
	    {"/8\n", ":1: bad address"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sl_pfxlist l = {0};
		char err[256] = "";
		const char *p = sl_t_write("bad.txt", cases[i].text, 0);

		assert_int_equal(sl_pfx_add4(&l, 0x01000000, 8, 7), 0);
		assert_int_equal(sl_pfx_load(p, 255, &l, err, sizeof(err)), -EINVAL);
		if (strstr(err, cases[i].want) == NULL || strstr(err, "bad.txt") == NULL)
			fail_msg("case %zu: error '%s' lacks '%s'", i, err, cases[i].want);
		/* what the list held before the call is kept, nothing more */
		assert_int_equal(l.n4, 1);
		assert_int_equal(l.n6, 0);
		assert_int_equal(l.v4[0].nh, 7);
		sl_pfx_free(&l);
	}
}

static void test_load_missing(void **state)
{
	struct sl_pfxlist l = {0};
	char err[256] = "";

	assert_int_equal(sl_pfx_load("/nonexistent/x.gz", 255, &l, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/x.gz"));
	assert_int_equal(l.n4 + l.n6, 0);
}

static void test_add_clears_host_bits(void **state)
{
	struct sl_pfxlist l = {0};
	uint8_t a[16];

	memset(a, 0xff, sizeof(a));
	assert_int_equal(sl_pfx_add4(&l, 0x0a0b0c0d, 12, 1), 0);
	assert_int_equal(l.v4[0].addr, 0x0a000000);
	assert_int_equal(sl_pfx_add6(&l, a, 12, 1), 0);
	assert_int_equal(l.v6[0].addr[0], 0xff);
	assert_int_equal(l.v6[0].addr[1], 0xf0);
	assert_int_equal(l.v6[0].addr[2], 0);
	sl_pfx_free(&l);
}

static void test_synthetic(void **state)
{
	struct sl_pfxlist a = {0}, b = {0};
	size_t n24 = 0, n32 = 0;

	assert_int_equal(sl_pfx_synthesize(90190, 255, 1, &a), 0);
	assert_int_equal(sl_pfx_synthesize(90190, 255, 1, &b), 0);
	/* the real mix scaled by 1/10 (each length keeps >= 1 prefix) */
	assert_in_range(a.n4, 90190 - 50, 90190 + 50);
	assert_in_range(a.n6, 16014 - 50, 16014 + 50);
	assert_int_equal(a.n4, b.n4);
	assert_memory_equal(a.v4, b.v4, a.n4 * sizeof(*a.v4));
	assert_memory_equal(a.v6, b.v6, a.n6 * sizeof(*a.v6));
	for (size_t i = 0; i < a.n4; i++) {
		n24 += a.v4[i].len == 24;
		n32 += a.v4[i].len == 32;
		assert_in_range(a.v4[i].addr >> 24, 1, 223);
		assert_int_equal(a.v4[i].nh, sl_pfx_nh4(a.v4[i].addr, a.v4[i].len, 255));
	}
	assert_int_equal(n24, 53769);
	assert_int_equal(n32, 88);
	for (size_t i = 0; i < a.n6; i++)
		assert_int_equal(a.v6[i].addr[0] >> 4, 2);
	sl_pfx_free(&a);
	sl_pfx_free(&b);
}

/* the real table, when the machine has it: every line loads */
static void test_real_file(void **state)
{
	const char *p = getenv("SL_LPM_PREFIXES");
	struct sl_pfxlist l = {0};
	char err[256] = "";

	if (p == NULL || access(p, R_OK) != 0)
		skip();
	assert_int_equal(sl_pfx_load(p, 255, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n4, SL_PFX_REAL_V4);
	assert_int_equal(l.n6, SL_PFX_REAL_V6);
	sl_pfx_free(&l);
}

static int sl_t_setup(void **state)
{
	return mkdtemp(sl_t_dir) ? 0 : -1;
}

static int sl_t_teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sl_t_dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_load_plain_and_gz), cmocka_unit_test(test_load_errors),
	    cmocka_unit_test(test_load_missing),      cmocka_unit_test(test_add_clears_host_bits),
	    cmocka_unit_test(test_synthetic),	      cmocka_unit_test(test_real_file),
	};

	return cmocka_run_group_tests(tests, sl_t_setup, sl_t_teardown);
}
