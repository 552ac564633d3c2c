/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The main lcore takes up a generation's NAT section into the session table
 * (issue 5, docs/nat.md "Configuration and ending sessions").
 *
 * Design note
 * -----------
 * The session table (dataplane/nat) keeps gateways and public IPs by the
 * section's stable indexes. When the main lcore takes up a generation whose
 * NAT section differs from the last one it applied (a byte comparison with
 * its private copy: the section is small and rewritten whole), it
 *   1. configures every gateway of the section (sl_nat_gw_set: the spec
 *      limits, capped at the table's capacity, and the EIF flag) and
 *      unconfigures the ones that went (sl_nat_gw_unset: no new sessions);
 *   2. ends the sessions that depend on something gone (sl_nat_flush_if,
 *      the table walked in chunks under its lock): of a gateway that went
 *      or whose index now names another gateway, made by a SNAT entry or a
 *      forward entry that is no longer there or changed (the session's
 *      origin, sl_nat4.h), or holding a public port of an IP that is no
 *      longer that gateway's SNAT IP (an EIP unbound from the gateway);
 *   3. sets the public IPs with role SNAT (sl_nat_pubip_set; DNAT IPs need
 *      no ports) and clears the others. An IP still holding ports (-EBUSY:
 *      sessions a worker created from the previous generation after step 2)
 *      is retried at the next iteration (dp->nat_apply_retry).
 * It runs only on the main lcore (the table's control side, counter slot
 * n_workers); workers keep translating meanwhile.
 *
 * A worker still on the previous generation may create a session from an
 * entry step 2 has just flushed. So the flush is made a second time (with
 * the same previous and new sections: sl_nat_reflush) once every online
 * worker has acknowledged the new generation in the segment header
 * (ack_generation, stored at the start of a poll before the worker takes
 * the new bank, so a worker whose ack is the new generation has finished
 * every burst it translated with the old one). Until then the check is
 * repeated at each main-lcore iteration; it costs a few loads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sl_dp.h"
#include "sl_nat4.h"

struct sl_nat_apply_ctx {
	const struct sl_nat_table *t;
	const struct sl_nat_sec *sec;  /* the new section */
	const struct sl_nat_sec *prev; /* the last applied one, or NULL */
	uint64_t *origins;	       /* sorted */
	size_t n_origins;
};

static int sl_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Gateway `gw` of `sec`, NULL if a hole or beyond it. */
static const struct sl_nat_gw_ent *sl_apply_gw(const struct sl_nat_sec *sec, uint32_t gw)
{
	const struct sl_nat_gw_ent *g;

	if (sec == NULL || gw >= sec->n_gws)
		return NULL;
	g = sl_nat_gw_ent(sec, gw);
	return g->id[0] ? g : NULL;
}

static bool sl_nat_doomed(const struct sl_nat_session *s, void *arg)
{
	const struct sl_nat_apply_ctx *c = arg;
	const struct sl_nat_gw_ent *g = sl_apply_gw(c->sec, s->gw);
	const struct sl_nat_gw_ent *pg = sl_apply_gw(c->prev, s->gw);

	if (g == NULL || (pg != NULL && strncmp(g->id, pg->id, sizeof(g->id)) != 0))
		return true;
	if (s->origin != 0 &&
	    bsearch(&s->origin, c->origins, c->n_origins, sizeof(uint64_t), sl_u64_cmp) == NULL)
		return true;
	if (s->map != SL_NAT_NONE) {
		const struct sl_nat_mapping *m = &c->t->m[s->map];
		const struct sl_nat_ip_ent *e;

		if (m->pubip >= c->sec->n_ips)
			return true;
		e = SL_NAT_SEC_PTR(c->sec, c->sec->ip_off, struct sl_nat_ip_ent) + m->pubip;
		if (e->role != SL_NAT_ROLE_SNAT || e->addr != m->pub_ip || e->gw != s->gw)
			return true;
	}
	return false;
}

/* The origins of every SNAT and forward entry of `sec`, sorted. */
static int sl_apply_origins(struct sl_nat_apply_ctx *c)
{
	const struct sl_nat_sec *sec = c->sec;
	size_t n = 0;

	c->origins = malloc(sizeof(uint64_t) * ((size_t)sec->n_snat + sec->n_fwd + 1));
	if (c->origins == NULL)
		return -1;
	for (uint32_t i = 0; i < sec->n_snat; i++)
		c->origins[n++] = sl_nat_snat_origin(
		    SL_NAT_SEC_PTR(sec, sec->snat_off, struct sl_nat_snat_ent) + i);
	for (uint32_t i = 0; i < sec->n_fwd; i++)
		c->origins[n++] =
		    sl_nat_fwd_origin(SL_NAT_SEC_PTR(sec, sec->fwd_off, struct sl_nat_fwd_ent) + i);
	qsort(c->origins, n, sizeof(uint64_t), sl_u64_cmp);
	c->n_origins = n;
	return 0;
}

static const struct sl_nat_sec sl_nat_empty_sec; /* no NAT objects */

/* Has every online worker acknowledged generation `g`? (No segment: the
 * unit tests' dp, whose workers are simulated.) */
static bool sl_workers_past(const struct sl_dp *dp, uint64_t g)
{
	const struct sl_shm_header *h = dp->shm ? dp->shm->hdr : NULL;

	if (h == NULL)
		return dp->nat_test_acked >= g;
	for (unsigned int i = 1; i <= dp->n_workers && i < SL_MAX_LCORES; i++)
		if (atomic_load_explicit(&h->lcore[i].online, memory_order_acquire) &&
		    atomic_load_explicit(&h->lcore[i].ack_generation, memory_order_acquire) < g)
			return false;
	return true;
}

void sl_nat_reflush(struct sl_dp *dp)
{
	struct sl_nat_apply_ctx c = {.t = dp->nat, .prev = dp->nat_reflush_prev};

	if (dp->nat == NULL || dp->nat_reflush_gen == 0 || dp->nat_applied == NULL ||
	    !sl_workers_past(dp, dp->nat_reflush_gen))
		return;
	c.sec = dp->nat_applied;
	if (sl_apply_origins(&c) < 0)
		return; /* no memory: try again next iteration */
	sl_nat_flush_if(dp->nat, dp->n_workers, sl_nat_doomed, &c);
	free(c.origins);
	dp->nat_reflush_gen = 0;
	free(dp->nat_reflush_prev);
	dp->nat_reflush_prev = NULL;
}

void sl_nat_apply(struct sl_dp *dp, const struct sl_bank_header *b)
{
	struct sl_nat_table *t = dp->nat;
	const struct sl_nat_sec *sec = b ? sl_bank_nat(b) : NULL;
	struct sl_nat_apply_ctx c = {.t = t, .prev = dp->nat_applied};
	unsigned int wid = dp->n_workers;
	bool busy = false;
	void *copy;

	if (t == NULL)
		return;
	if (sec == NULL)
		sec = &sl_nat_empty_sec;
	if (!dp->nat_apply_retry && dp->nat_applied != NULL && dp->nat_applied->size == sec->size &&
	    memcmp(dp->nat_applied, sec, sec->size) == 0)
		return;
	c.sec = sec;
	for (uint32_t i = 0; i < t->conf.max_gws; i++) {
		const struct sl_nat_gw_ent *g = sl_apply_gw(sec, i);

		if (g != NULL && g->max_sessions && g->new_per_sec)
			sl_nat_gw_set(
			    t, (uint16_t)i, RTE_MIN(g->max_sessions, t->conf.max_sessions),
			    g->new_per_sec, (g->flags & SL_NAT_GW_F_EIF) ? SL_NAT_GW_EIF : 0);
		else if (t->gw[i].max_sessions)
			sl_nat_gw_unset(t, (uint16_t)i);
	}
	if (sl_apply_origins(&c) < 0) {
		dp->nat_apply_retry = true; /* try again next iteration */
		return;
	}
	sl_nat_flush_if(t, wid, sl_nat_doomed, &c);
	free(c.origins);
	for (uint32_t i = 0; i < t->conf.max_pubips; i++) {
		const struct sl_nat_ip_ent *e =
		    i < sec->n_ips ? SL_NAT_SEC_PTR(sec, sec->ip_off, struct sl_nat_ip_ent) + i
				   : NULL;
		bool snat = e && e->role == SL_NAT_ROLE_SNAT && e->gw < t->conf.max_gws;
		uint32_t addr = snat ? e->addr : 0;
		uint16_t gw = snat ? (uint16_t)e->gw : 0;

		if ((t->ip[i].addr != addr || t->ip[i].gw != gw) &&
		    sl_nat_pubip_set(t, (uint16_t)i, addr, gw) == -EBUSY)
			busy = true;
	}
	dp->nat_apply_retry = busy;
	copy = malloc(sec->size > sizeof(*sec) ? sec->size : sizeof(*sec));
	if (copy == NULL) {
		dp->nat_apply_retry = true;
		return;
	}
	memcpy(copy, sec, sec->size > sizeof(*sec) ? sec->size : sizeof(*sec));
	/* the second flush compares with the section before this one: keep
	 * the oldest previous section if a reflush is still waiting */
	if (dp->nat_reflush_gen == 0) {
		free(dp->nat_reflush_prev);
		dp->nat_reflush_prev = dp->nat_applied;
	} else {
		free(dp->nat_applied);
	}
	dp->nat_applied = copy;
	dp->nat_reflush_gen = b ? b->generation : 0;
}
