/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: address and prefix parsing, containment, gateway address. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sl_addr.h"

static void test_parse_v4(void **state)
{
	struct sl_pfx p;
	char buf[SL_PFX_STRLEN];

	assert_int_equal(sl_pfx_parse("192.168.1.0/24", &p, 0), SL_PFX_OK);
	assert_int_equal(p.family, SL_AF_INET);
	assert_int_equal(p.len, 24);
	assert_true(p.addr == 0xc0a80100u);
	assert_string_equal(sl_pfx_fmt(&p, buf, sizeof(buf)), "192.168.1.0/24");

	assert_int_equal(sl_pfx_parse("0.0.0.0/0", &p, 0), SL_PFX_OK);
	assert_int_equal(p.len, 0);
	/* bare address only when allowed */
	assert_int_equal(sl_pfx_parse("10.1.2.3", &p, 0), SL_PFX_MALFORMED);
	assert_int_equal(sl_pfx_parse("10.1.2.3", &p, SL_PFX_BARE_OK), SL_PFX_OK);
	assert_int_equal(p.len, 32);
	/* host bits: reported, value given back cleared */
	assert_int_equal(sl_pfx_parse("10.99.0.1/16", &p, 0), SL_PFX_HOSTBITS);
	assert_string_equal(sl_pfx_fmt(&p, buf, sizeof(buf)), "10.99.0.0/16");
	assert_int_equal(sl_pfx_parse("203.0.113.2/24", &p, SL_PFX_HOST_OK), SL_PFX_OK);
	assert_true(p.addr == 0xcb007102u);
	/* malformed */
	static const char *const bad[] = {"10.0.0/8",
					  "10.0.0.0/33",
					  "10.0.0.0/",
					  "/8",
					  "10.0.0.0/08",
					  "10.0.0.0/+8",
					  " 10.0.0.0/8",
					  "10.0.0.0/8 ",
					  "010.0.0.0/8",
					  "10.0.0.0/8/8",
					  "",
					  "256.0.0.0/8",
					  "10.0.0.0/1000"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sl_pfx_parse(bad[i], &p, SL_PFX_BARE_OK), SL_PFX_MALFORMED);
	assert_int_equal(sl_pfx_parse("10.0.0.0", &p, SL_PFX_BARE_OK | SL_PFX_NEED_LEN),
			 SL_PFX_MALFORMED);
}

static void test_parse_v6(void **state)
{
	struct sl_pfx p;
	char buf[SL_PFX_STRLEN];
	uint8_t b[16];

	assert_int_equal(sl_pfx_parse("2001:db8:a::/56", &p, 0), SL_PFX_OK);
	assert_int_equal(p.family, SL_AF_INET6);
	assert_int_equal(p.len, 56);
	sl_addr_to_bytes(p.family, p.addr, b);
	assert_int_equal(b[0], 0x20);
	assert_int_equal(b[1], 0x01);
	assert_int_equal(b[5], 0x0a);
	assert_true(sl_addr_from_bytes(SL_AF_INET6, b) == p.addr);
	assert_int_equal(sl_pfx_parse("::/0", &p, 0), SL_PFX_OK);
	assert_int_equal(sl_pfx_parse("2001:db8:a:1::1/64", &p, 0), SL_PFX_HOSTBITS);
	assert_string_equal(sl_pfx_fmt(&p, buf, sizeof(buf)), "2001:db8:a:1::/64");
	assert_int_equal(sl_pfx_parse("2001:db8::1", &p, SL_PFX_BARE_OK), SL_PFX_OK);
	assert_int_equal(p.len, 128);
	assert_int_equal(sl_pfx_parse("2001:db8::/129", &p, 0), SL_PFX_MALFORMED);
	assert_int_equal(sl_pfx_parse("2001:db8:::/64", &p, 0), SL_PFX_MALFORMED);
	assert_int_equal(sl_ip_parse("fe80::1%eth0", &p), SL_PFX_MALFORMED);
}

static void test_contains(void **state)
{
	struct sl_pfx a, b, c, d6;

	sl_pfx_parse("192.168.0.0/16", &a, 0);
	sl_pfx_parse("192.168.1.0/24", &b, 0);
	sl_pfx_parse("10.0.0.0/8", &c, 0);
	sl_pfx_parse("2001:db8::/32", &d6, 0);
	assert_true(sl_pfx_contains(&a, &b));
	assert_false(sl_pfx_contains(&b, &a));
	assert_true(sl_pfx_contains(&a, &a));
	assert_true(sl_pfx_overlap(&b, &a));
	assert_false(sl_pfx_overlap(&a, &c));
	assert_false(sl_pfx_overlap(&a, &d6)); /* families never overlap */
	assert_true(sl_pfx_equal(&a, &a));
	assert_false(sl_pfx_equal(&a, &b));
	assert_true(sl_pfx_has(&b, SL_AF_INET, 0xc0a801ffu));
	assert_false(sl_pfx_has(&b, SL_AF_INET, 0xc0a80200u));
}

static void test_gateway(void **state)
{
	struct sl_pfx p;
	char buf[SL_PFX_STRLEN];

	sl_pfx_parse("192.168.1.0/24", &p, 0);
	assert_string_equal(sl_ip_fmt(p.family, sl_pfx_gateway(&p), buf, sizeof(buf)),
			    "192.168.1.253");
	sl_pfx_parse("10.0.0.0/29", &p, 0);
	assert_string_equal(sl_ip_fmt(p.family, sl_pfx_gateway(&p), buf, sizeof(buf)), "10.0.0.5");
	sl_pfx_parse("2001:db8:a:1::/64", &p, 0);
	assert_string_equal(sl_ip_fmt(p.family, sl_pfx_gateway(&p), buf, sizeof(buf)),
			    "2001:db8:a:1:ffff:ffff:ffff:fffd");
	/* ::/0 and 0.0.0.0/0: last address without overflow */
	sl_pfx_parse("::/0", &p, 0);
	assert_true(sl_pfx_last(&p) == ~(sl_u128)0);
	sl_pfx_parse("0.0.0.0/0", &p, 0);
	assert_true(sl_pfx_last(&p) == 0xffffffffu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_v4),
	    cmocka_unit_test(test_parse_v6),
	    cmocka_unit_test(test_contains),
	    cmocka_unit_test(test_gateway),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
