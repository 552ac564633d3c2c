/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-dp's bandwidth policers (issue 7): the buckets of the police
 * section's policers, kept in sluice-dp's memory, applied from the tables
 * and exported to the stats area.
 *
 * Design note
 * -----------
 * The segment says what to police (sl_shm.h, struct sl_pol_sec: rate,
 * burst, parent and tag per policer index); the token buckets themselves
 * live here, in an sl_policer table (dataplane/policer) of `policers`
 * entries (sluice-dp's config), shared by every worker: one bucket per
 * policer, updated by CAS from any worker (docs/policer.md). A bucket is
 * sluice-dp's alone: a restart of sluice-dp starts every bucket full, a
 * restart of sluiced does not touch them.
 *
 * The main lcore is the table's only writer. At every iteration, after its
 * own sync, if the generation moved it compares the bank's section with
 * what it applied (`applied[]`, by index):
 *   - same tag, other rate or burst: sl_pol_set() changes it at once; the
 *     tokens earned until now are kept (cut to a smaller bucket): a change
 *     of rate never refills or empties a live bucket;
 *   - other tag (the index now names another object) or new: the old one
 *     is removed and the new one created with a full bucket and counters
 *     from zero;
 *   - gone (hole or beyond n_pols): removed; its packets pass uncounted.
 * Workers read the section of the bank they hold and meter by index; a
 * worker still on the previous bank for the rest of its iteration meters
 * at most one burst against what the main lcore applied for the new one
 * (a policer that is not applied yet passes packets uncounted). Policer
 * indexes at or beyond the table size are not enforced: police4 counts
 * their packets POLICE_UNENFORCED and the main lcore logs it once.
 *
 * Export: every 100 ms with the stats snapshot (ctrl.c), each policer's
 * counters summed over the lcores into the stats area's pol[] (indexes
 * below SL_MAX_POL_EXPORT), with the tag and rate applied, so sluicectl and
 * sluiced's /metrics pair them with the bank's policers.
 *
 * Concurrency: sl_police_sync() and sl_police_export() run on the main
 * lcore only; workers call sl_pol_meter2() on dp->pol (lock-free).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "sl_dp.h"
#include "sl_log.h"
#include "sl_policer.h"

/* What the main lcore applied at one index (tag 0: nothing). */
struct sl_pol_applied {
	uint64_t tag;
	uint64_t rate;
	uint32_t burst;
};

int sl_police_create(struct sl_dp *dp, uint32_t max)
{
	dp->pol = NULL;
	dp->pol_applied = NULL;
	dp->pol_max = 0;
	if (max == 0)
		return 0; /* policing off */
	dp->pol = sl_pol_create(max, dp->n_workers + 1, rte_get_tsc_hz());
	dp->pol_applied = calloc(max, sizeof(*dp->pol_applied));
	if (dp->pol == NULL || dp->pol_applied == NULL) {
		sl_police_free(dp);
		return -ENOMEM;
	}
	dp->pol_max = max;
	dp->pol_gen = UINT64_MAX;
	return 0;
}

void sl_police_free(struct sl_dp *dp)
{
	sl_pol_free(dp->pol);
	free(dp->pol_applied);
	dp->pol = NULL;
	dp->pol_applied = NULL;
	dp->pol_max = 0;
}

static void sl_police_apply(struct sl_dp *dp, uint32_t i, const struct sl_pol_ent *e,
			    uint64_t now)
{
	struct sl_pol_applied *a = &dp->pol_applied[i];
	struct sl_pol_conf conf;

	if (e == NULL || e->rate == 0) {
		if (a->tag) {
			sl_pol_del(dp->pol, i);
			memset(a, 0, sizeof(*a));
		}
		return;
	}
	if (a->tag == e->tag && a->rate == e->rate && a->burst == e->burst)
		return;
	if (a->tag != e->tag && a->tag)
		sl_pol_del(dp->pol, i); /* another object: start afresh */
	conf = (struct sl_pol_conf){.mode = SL_POL_SRTCM, .cir = e->rate, .cbs = e->burst};
	if (sl_pol_set(dp->pol, i, &conf, now) != 0) {
		/* a rate or burst this clock cannot express: not policed */
		SL_LOG(WARNING, "policer %u (%s): rate %" PRIu64 " B/s burst %u refused", i,
		       e->id, e->rate, e->burst);
		sl_pol_del(dp->pol, i);
		memset(a, 0, sizeof(*a));
		return;
	}
	a->tag = e->tag;
	a->rate = e->rate;
	a->burst = e->burst;
}

void sl_police_sync(struct sl_dp *dp, uint64_t now)
{
	const struct sl_worker *w = dp->main_w;
	const struct sl_pol_sec *sec;
	const struct sl_pol_ent *pol = NULL;
	uint32_t n = 0;

	if (dp->pol == NULL || w->bank == NULL || w->gen == dp->pol_gen)
		return;
	dp->pol_gen = w->gen;
	sec = sl_bank_police(w->bank);
	if (sec) {
		pol = SL_POL_SEC_PTR(sec, sec->pol_off, struct sl_pol_ent);
		n = sec->n_pols;
	}
	if (n > dp->pol_max && !dp->pol_warned) {
		SL_LOG(WARNING,
		       "the tables have %u policers, sluice-dp's table %u (config \"policers\"): "
		       "the others are not enforced",
		       n, dp->pol_max);
		dp->pol_warned = true;
	}
	for (uint32_t i = 0; i < dp->pol_max; i++)
		sl_police_apply(dp, i, i < n ? &pol[i] : NULL, now);
}

void sl_police_export(struct sl_dp *dp)
{
	struct sl_stats_header *st = dp->shm->stats;
	uint32_t n = dp->pol_max < SL_MAX_POL_EXPORT ? dp->pol_max : SL_MAX_POL_EXPORT;

	for (uint32_t i = 0; i < n; i++) {
		struct sl_pol_export *x = &st->pol[i];
		struct sl_pol_stats s = {0};

		if (dp->pol_applied[i].tag)
			sl_pol_stats(dp->pol, i, &s);
		x->tag = dp->pol_applied[i].tag;
		x->rate = dp->pol_applied[i].rate;
		x->conform_pkts = s.conform_pkts;
		x->conform_bytes = s.conform_bytes;
		x->exceed_pkts = s.exceed_pkts;
		x->exceed_bytes = s.exceed_bytes;
	}
	st->n_pol_export = n;
}
