/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config loader's two paths compared (tests only, header-only): the
 * route scanner's (cfg_scan.c) and jansson's, on the same text. Used by
 * config_test's differential test and by the fuzz target fuzz_config.
 */
#ifndef SL_TEST_CFG_H
#define SL_TEST_CFG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sl_ctl_config.h"
#include "sl_ctl_log.h"
#include "sl_store.h"

static inline bool sl_t_route_same(const struct sl_route_obj *a, const struct sl_route_obj *b)
{
	return strcmp(a->key, b->key) == 0 && strcmp(a->route_table_id, b->route_table_id) == 0 &&
	       strcmp(a->dest_text, b->dest_text) == 0 && a->dest.family == b->dest.family &&
	       a->dest.len == b->dest.len && a->dest.addr == b->dest.addr &&
	       strcmp(a->next_hop_type, b->next_hop_type) == 0 &&
	       strcmp(a->next_hop_id, b->next_hop_id) == 0 &&
	       a->st.file_index == b->st.file_index && a->st.from_db == b->st.from_db;
}

/*
 * sl_cfg_load_text() of `text` with the scanner allowed at any size and
 * with the scanner off (jansson only). NULL when both agree: a store or
 * none, the same errors (every message, in order) and the same route
 * entries (in order); else what differs. *scanned: the scanner's path was
 * taken.
 */
static inline const char *sl_t_cfg_paths_differ(const char *text, size_t len, bool *scanned)
{
	char *c1 = malloc(len ? len : 1), *c2 = malloc(len ? len : 1);
	struct sl_errs e1, e2;
	struct sl_store *s1, *s2;
	const char *why = NULL;

	if (c1 == NULL || c2 == NULL)
		abort();
	memcpy(c1, text, len);
	memcpy(c2, text, len);
	sl_errs_init(&e1, "t.json");
	sl_errs_init(&e2, "t.json");
	s1 = sl_cfg_load_text(c1, len, 0, SIZE_MAX, NULL, NULL, &e1);
	*scanned = sl_cfg_last_load.scanned;
	s2 = sl_cfg_load_text(c2, len, SIZE_MAX, SIZE_MAX, NULL, NULL, &e2);
	if (sl_cfg_last_load.scanned)
		why = "the scanner ran with scan_min SIZE_MAX";
	else if ((s1 == NULL) != (s2 == NULL))
		why = "one path built a store, the other did not";
	else if (e1.n != e2.n)
		why = "another number of errors";
	for (unsigned int i = 0; why == NULL && i < e1.n; i++)
		if (strcmp(e1.v[i].msg, e2.v[i].msg) != 0)
			why = "another error message";
	if (why == NULL && s1 != NULL && s1->route_v.n != s2->route_v.n)
		why = "another number of route entries";
	for (unsigned int i = 0; why == NULL && s1 != NULL && i < s1->route_v.n; i++)
		if (!sl_t_route_same(s1->route_v.v[i], s2->route_v.v[i]))
			why = "another route entry";
	sl_store_free(s1);
	sl_store_free(s2);
	sl_errs_free(&e1);
	sl_errs_free(&e2);
	free(c1);
	free(c2);
	return why;
}

#endif /* SL_TEST_CFG_H */
