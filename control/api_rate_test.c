/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the API's token buckets (api_rate.c) on a synthetic clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "sl_api_rate.h"

/* Takes n tokens for key at time t; returns how many were granted. */
static unsigned int take_n(struct sl_api_rate *t, const char *key, double now, unsigned int n)
{
	unsigned int ok = 0;

	for (unsigned int i = 0; i < n; i++) {
		int rc = sl_api_rate_take(t, key, now);

		assert_true(rc == 0 || rc == 1);
		ok += (unsigned int)rc;
	}
	return ok;
}

static void test_burst_then_refill(void **state)
{
	struct sl_api_rate t;

	(void)state;
	sl_api_rate_init(&t, 10);
	/* a new key holds one second's worth */
	assert_int_equal(take_n(&t, "a", 100.0, 15), 10);
	/* 0.5 s later: 5 tokens back */
	assert_int_equal(take_n(&t, "a", 100.5, 15), 5);
	/* never more than a second's worth, however long idle */
	assert_int_equal(take_n(&t, "a", 1000.0, 30), 10);
	/* 0.09 s: not yet a whole token */
	assert_int_equal(take_n(&t, "a", 1000.09, 1), 0);
	assert_int_equal(take_n(&t, "a", 1000.2, 1), 1);
	/* a clock that steps back grants nothing extra */
	assert_int_equal(take_n(&t, "a", 999.0, 5), 1);
	sl_api_rate_free(&t);
}

static void test_keys_independent(void **state)
{
	struct sl_api_rate t;

	(void)state;
	sl_api_rate_init(&t, 3);
	assert_int_equal(take_n(&t, "10.0.0.1", 1.0, 5), 3);
	assert_int_equal(take_n(&t, "10.0.0.2", 1.0, 5), 3);
	assert_int_equal(take_n(&t, "10.0.0.1", 1.0, 1), 0);
	assert_int_equal(t.n_keys, 2);
	sl_api_rate_free(&t);
	assert_int_equal(t.n_keys, 0);
}

static void test_unlimited(void **state)
{
	struct sl_api_rate t;

	(void)state;
	sl_api_rate_init(&t, 0);
	assert_int_equal(take_n(&t, "k", 1.0, 100000), 100000);
	assert_int_equal(t.n_keys, 0); /* no bucket is kept */
	sl_api_rate_free(&t);
}

static void test_bounded_table(void **state)
{
	struct sl_api_rate t;
	char key[32];

	(void)state;
	sl_api_rate_init(&t, 2);
	t.max_keys = 4;
	for (int i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(take_n(&t, key, 10.0, 1), 1);
	}
	/* full of buckets that are not full again: a new key is refused */
	assert_int_equal(sl_api_rate_take(&t, "new", 10.1), 0);
	assert_int_equal(t.n_keys, 4);
	/* k0..k2 idle long enough to be full again, k3 busy: the sweep frees 3 */
	assert_int_equal(take_n(&t, "k3", 10.9, 2), 2);
	assert_int_equal(sl_api_rate_take(&t, "new", 11.0), 1);
	assert_int_equal(t.swept, 3);
	assert_int_equal(t.n_keys, 2);
	/* k3 kept its state through the sweep: still empty-ish */
	assert_int_equal(take_n(&t, "k3", 11.0, 2), 0);
	sl_api_rate_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_burst_then_refill),
	    cmocka_unit_test(test_keys_independent),
	    cmocka_unit_test(test_unlimited),
	    cmocka_unit_test(test_bounded_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
