/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_config: sluiced's config file path: the loader (config.c, JSON ->
 * object store), validation (validate.c) and, for a store that validates,
 * the table compiler and the bank layout (compile.c).
 *
 * Design note
 * -----------
 * The input is the file's content. It is written to a memfd and loaded by
 * path (/proc/self/fd/N) through sl_ctl_load_store(), exactly what sluiced
 * does at start and on SIGHUP, so the file-reading code is covered too.
 * A store that validates is compiled by a fresh compiler and laid out in a
 * bank of the size the compiler asks for; the layout must then succeed
 * (the compiler's size is a promise). Invariants checked per input (abort
 * = a crash for libFuzzer): a refused file always carries at least one
 * error; an accepted one carries none and compiles. The JSON parse is also
 * run through sl_cfg_parse_json() with the RouteEntries cut forced at any
 * size (the two-thread path a big file takes): it must give the same tree
 * as one json_loadb(), or the same error, and leave the text as it was.
 * And the text is loaded twice more by sl_cfg_load_text(): with the route
 * scanner (cfg_scan.c) allowed at any size and with jansson alone; both
 * must give the same result (a store or none, every error message in
 * order, every route entry: sl_t_cfg_paths_differ()).
 * Single-threaded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sl_compile.h"
#include "sl_ctl.h"
#include "sl_ctl_config.h"
#include "sl_fuzz.h"
#include "sl_test_cfg.h"

#define SL_FZ_MAX_INPUT (256u << 10)

static int memfd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	memfd = sl_fuzz_memfd("sl-fuzz-config", path, sizeof(path));
	sl_log_level = -1; /* the loader logs nothing per input we want to see */
	return 0;
}

static void sl_fz_compile(const struct sl_store *s)
{
	struct sl_compiler *c = sl_compiler_new();
	struct sl_compile_stats st;
	void *bank;
	int rc;

	if (c == NULL)
		sl_fuzz_die("out of memory");
	rc = sl_compile(c, s, &st);
	if (rc < 0)
		sl_fuzz_die("a validated store does not compile");
	bank = aligned_alloc(64, (st.bytes + 63) & ~(uint64_t)63);
	if (bank == NULL)
		sl_fuzz_die("out of memory");
	memset(bank, 0, st.bytes);
	if (sl_compile_layout(c, bank, st.bytes, 1) < 0)
		sl_fuzz_die("the bank does not fit in the size sl_compile() asked for");
	free(bank);
	sl_compiler_free(c);
}

/* The cut parse against jansson's own on the same text. */
static void sl_fz_split(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	json_error_t je1, je2;
	json_t *a, *b;

	if (copy == NULL)
		sl_fuzz_die("out of memory");
	memcpy(copy, data, size);
	a = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je1);
	b = sl_cfg_parse_json(copy, size, 0, &je2);
	if (memcmp(copy, data, size) != 0)
		sl_fuzz_die("sl_cfg_parse_json() left the text changed");
	if ((a == NULL) != (b == NULL))
		sl_fuzz_die("sl_cfg_parse_json() and json_loadb() disagree on validity");
	if (a == NULL &&
	    (je1.line != je2.line || je1.column != je2.column || strcmp(je1.text, je2.text) != 0))
		sl_fuzz_die("sl_cfg_parse_json() reports another error than json_loadb()");
	if (a != NULL && !json_equal(a, b))
		sl_fuzz_die("sl_cfg_parse_json() built another tree than json_loadb()");
	json_decref(a);
	json_decref(b);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_store *s;
	struct sl_errs errs;

	if (size > SL_FZ_MAX_INPUT)
		return 0;
	sl_fz_split(data, size);
	{
		bool scanned;
		const char *why = sl_t_cfg_paths_differ((const char *)data, size, &scanned);

		if (why != NULL)
			sl_fuzz_die(why);
	}
	sl_fuzz_memfd_set(memfd, data, size);
	sl_errs_init(&errs, "fuzz.json");
	s = sl_ctl_load_store(path, &errs);
	if (s == NULL && sl_errs_count(&errs) == 0)
		sl_fuzz_die("config refused without an error");
	if (s != NULL && sl_errs_count(&errs) != 0)
		sl_fuzz_die("config accepted with errors");
	if (s != NULL) {
		sl_fz_compile(s);
		sl_store_free(s);
	}
	sl_errs_free(&errs);
	return 0;
}
