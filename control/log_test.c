/* SPDX-License-Identifier: BSD-3-Clause */
/* --log-level: per-component levels (log.c), checked on what reaches stderr. */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sl_ctl_log.h"

/* Runs fn with stderr sent to a temporary file; returns what was written. */
static const char *capture(void (*fn)(void))
{
	static char out[4096];
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	assert_non_null(tmp);
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return out;
}

/* One message of each level from three components' files. */
static void emit(void)
{
	static const char *const files[] = {"../control/api_http.c", "control/ctl.c",
					    "/src/sluice/control/main.c"};

	for (int f = 0; f < 3; f++)
		for (int lv = SL_LOG_ERROR; lv <= SL_LOG_DEBUG; lv++)
			sl_log_at(lv, files[f], "M%d.%d", f, lv);
	SL_DEBUG("from-this-file");
}

static void test_components(void **state)
{
	(void)state;
	assert_int_equal(sl_log_component("../control/api_rest.c"), SL_COMP_API);
	assert_int_equal(sl_log_component("metrics.c"), SL_COMP_API);
	assert_int_equal(sl_log_component("control/validate_nat.c"), SL_COMP_CONFIG);
	assert_int_equal(sl_log_component("control/store.c"), SL_COMP_CONFIG);
	assert_int_equal(sl_log_component("control/compile_nat.c"), SL_COMP_TABLES);
	assert_int_equal(sl_log_component("shm_writer.c"), SL_COMP_TABLES);
	assert_int_equal(sl_log_component("ctl.c"), SL_COMP_CTL);
	assert_int_equal(sl_log_component("db.c"), SL_COMP_DB);
	assert_int_equal(sl_log_component("x/kernel_routes.c"), SL_COMP_KERNEL);
	assert_int_equal(sl_log_component("xdp.c"), SL_COMP_KERNEL);
	assert_int_equal(sl_log_component("main.c"), SL_COMP_MAIN);
	assert_int_equal(sl_log_component("log_test.c"), SL_COMP_MAIN);
}

static void test_default_level(void **state)
{
	char err[256];
	const char *o;

	(void)state;
	assert_int_equal(sl_log_set_spec("warn", err, sizeof(err)), 0);
	o = capture(emit);
	assert_non_null(strstr(o, "M0.0"));
	assert_non_null(strstr(o, "M0.1"));
	assert_null(strstr(o, "M0.2"));
	assert_null(strstr(o, "M2.2"));
	assert_null(strstr(o, "from-this-file"));
	assert_non_null(strstr(o, " error M1.0"));
	assert_non_null(strstr(o, " warn  M1.1"));
}

static void test_per_component(void **state)
{
	char err[256];
	const char *o;

	(void)state;
	assert_int_equal(sl_log_set_spec("error,api=debug,ctl=info", err, sizeof(err)), 0);
	assert_true(sl_log_debug_some);
	o = capture(emit);
	assert_non_null(strstr(o, "M0.3")); /* api at debug */
	assert_non_null(strstr(o, "M1.2")); /* ctl at info */
	assert_null(strstr(o, "M1.3"));
	assert_non_null(strstr(o, "M2.0")); /* main at the default, error */
	assert_null(strstr(o, "M2.1"));
	assert_null(strstr(o, "from-this-file")); /* main */
	/* back: the default alone no longer debug anywhere but api */
	assert_int_equal(sl_log_set_spec("info,api=info", err, sizeof(err)), 0);
	assert_false(sl_log_debug_some);
	o = capture(emit);
	assert_null(strstr(o, "M0.3"));
	assert_non_null(strstr(o, "M1.2"));
	assert_non_null(strstr(o, "M2.2"));
}

static void test_bad_specs_change_nothing(void **state)
{
	static const char *const bad[] = {"", "verbose", "api=loud", "nosuch=debug", "info,=debug",
					  "api"};
	char err[256];
	const char *o;

	(void)state;
	assert_int_equal(sl_log_set_spec("error,db=warn", err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(sl_log_set_spec(bad[i], err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "components main, config"));
	}
	assert_int_equal(sl_log_level, SL_LOG_ERROR);
	o = capture(emit);
	assert_null(strstr(o, "M0.1"));
	assert_non_null(strstr(o, "M0.0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_components),
	    cmocka_unit_test(test_default_level),
	    cmocka_unit_test(test_per_component),
	    cmocka_unit_test(test_bad_specs_change_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
