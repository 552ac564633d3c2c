/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helpers for the validation tests of config-file objects
 * (validate_nat_test.c, validate_havip_test.c, validate_bwp_test.c): load
 * and validate a JSON config and compare the errors. Header-only; needs
 * sl_ctl_dep.
 */
#ifndef SL_TEST_VALIDATE_H
#define SL_TEST_VALIDATE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sl_ctl_config.h"
#include "sl_test_util.h"
#include "sl_validate.h"

/* Load and validate `json` (freed); expect exactly the (code, object)
 * pairs given, NULL-terminated. */
static inline void sl_t_expect(char *json, ...)
{
	struct sl_errs e;
	struct sl_store *s;
	va_list ap;
	bool ok;

	sl_errs_init(&e, "t.json");
	s = sl_cfg_load_string(json, &e);
	assert_non_null(s);
	assert_int_equal(sl_validate(s, &e), 0);
	va_start(ap, json);
	ok = sl_t_errs_exactly(&e, ap);
	va_end(ap);
	assert_true(ok);
	sl_store_free(s);
	sl_errs_free(&e);
	free(json);
}

/* Load and validate `json` (freed), which must have no error. */
static inline struct sl_store *sl_t_load_ok(char *json)
{
	struct sl_errs e;
	struct sl_store *s;

	sl_errs_init(&e, "t.json");
	s = sl_cfg_load_string(json, &e);
	assert_non_null(s);
	assert_int_equal(sl_validate(s, &e), 0);
	sl_t_dump(&e);
	assert_int_equal(sl_errs_count(&e), 0);
	sl_errs_free(&e);
	free(json);
	return s;
}

#endif /* SL_TEST_VALIDATE_H */
