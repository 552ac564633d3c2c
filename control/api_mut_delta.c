/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The incremental candidate of an API batch: the staged change applied in
 * place on the live store and validated for the VPCs it touches only, so
 * that a batch costs its own VPCs rather than the whole state
 * (docs/sluiced.md, "Incremental batches").
 *
 * Design note: the full candidate (sl_ctl_build_store(): the file parsed,
 * every database row cloned, the whole store validated, then diffed) stays
 * the reference and the fallback. This path is taken only when it must
 * give the same answer: every staged object is a VPC, VSwitch, instance or
 * route entry to an instance, each parses without error, none is a config
 * file object, no NAT, IPv6 gateway or HaVip object depends on a VPC the
 * batch touches (their rules read those VPCs), the arena holds fewer dead
 * objects than live ones, the live store holds what the database holds
 * (not so after a publish failed behind a COMMIT: m->store_behind, until
 * a full candidate is applied), and the config file is as the last full
 * candidate that validated read it (an edit not signalled yet is taken by
 * the next change, as before: the first batch of a run is a full one).
 * Validation reruns validate.c's own checks, in the file's order, over the
 * touched VPCs: whole where a VPC or VSwitch object changed, else over the
 * changed instances and the VPC's route entries (sl_validate_part()); the
 * other VPCs are unchanged and their store-wide keys are taken as given.
 * When it finds anything wrong, the store is put back and the caller
 * builds the full candidate, whose errors (the document's codes, the same
 * first error) answer the requests: only a valid batch is ever answered
 * from this path. control/api_mut_delta_test.c checks that both paths
 * agree on random batches.
 *
 * Concurrency: sluiced's event loop; between sl_mut_delta_try() and
 * sl_mut_delta_apply() or sl_mut_delta_abort() the live store holds the
 * uncommitted change, and nothing else runs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sl_api_mut_int.h"
#include "sl_judy.h"
#include "sl_validate.h"

struct sl_mut_delta {
	struct sl_delta d;
	struct sl_vpart part;
	unsigned int cap[SL_VPART_N];
	Pvoid_t seen; /* Judy1: objects in part */
};

/* A staged row: an object to put (parsed into the scratch store) or to
 * remove. */
struct sl_delta_row {
	enum sl_okind k;
	char id[SL_ID_LEN + SL_PFX_STRLEN + 2];
	bool del;
};

/* The staged rows, parsed into a scratch store. */
struct sl_delta_rows {
	struct sl_store *scratch;
	struct sl_errs errs;
	unsigned int n, cap;
	struct sl_delta_row *v;
};

static int sl_okind_of(enum sl_cfg_kind k)
{
	switch (k) {
	case SL_CFG_VPC:
		return SL_OK_VPC;
	case SL_CFG_VSWITCH:
		return SL_OK_VSWITCH;
	case SL_CFG_INSTANCE:
		return SL_OK_INSTANCE;
	case SL_CFG_ROUTE:
		return SL_OK_ROUTE;
	default:
		return -1;
	}
}

/* sl_db_overlay_foreach(): parse a staged row; 1 stops (not for this path). */
static int sl_delta_row(enum sl_cfg_kind k, const char *id, json_t *body, int64_t created,
			void *arg)
{
	struct sl_delta_rows *r = arg;
	struct sl_obj_state st0 = {.from_db = true, .created = created};
	int ok = sl_okind_of(k);

	if (ok < 0 || strlen(id) >= sizeof(r->v[0].id))
		return 1;
	if (r->n == r->cap) {
		unsigned int cap = r->cap ? r->cap * 2 : 64;
		struct sl_delta_row *nv = realloc(r->v, cap * sizeof(*nv));

		if (nv == NULL)
			return 1;
		r->v = nv;
		r->cap = cap;
	}
	r->v[r->n].k = ok;
	strcpy(r->v[r->n].id, id);
	r->v[r->n].del = body == NULL;
	r->n++;
	if (body == NULL)
		return 0;
	st0.file_index = r->n; /* labels only: errors send the batch elsewhere */
	if (sl_cfg_add_object(r->scratch, k, body, &st0, &r->errs) < 0 ||
	    sl_errs_count(&r->errs) > 0)
		return 1;
	if (ok == SL_OK_ROUTE) {
		const struct sl_route_obj *ro = sl_store_get(r->scratch, SL_OK_ROUTE, id);

		/* HaVip next hops are validate_havip.c's */
		if (ro == NULL || strcmp(ro->next_hop_type, "Instance") != 0)
			return 1;
	}
	return sl_store_get(r->scratch, ok, id) ? 0 : 1;
}

/* A copy of parsed object `o` owned by live store `s` (its arena for the
 * many kinds, as sl_db_source() does). */
static void *sl_delta_take(struct sl_store *s, enum sl_okind k, const void *o)
{
	switch (k) {
	case SL_OK_VPC:
		return sl_vpc_clone(o);
	case SL_OK_VSWITCH:
		return sl_vswitch_clone(o);
	case SL_OK_INSTANCE:
		return sl_store_clone_instance(s, o);
	default:
		return sl_store_clone_route(s, o);
	}
}

static void sl_delta_untake(enum sl_okind k, void *o)
{
	if (o == NULL || ((struct sl_obj_state *)o)->in_arena)
		return;
	if (k == SL_OK_VPC)
		sl_vpc_free(o);
	else if (k == SL_OK_VSWITCH)
		sl_vswitch_free(o);
}

static int sl_part_add(struct sl_mut_delta *md, int k, void *o)
{
	struct sl_vpart *p = &md->part;
	int rc;

	if (o == NULL)
		return 0;
	rc = sl_j1_set(&md->seen, (Word_t)o);
	if (rc <= 0)
		return rc;
	if (p->n[k] == md->cap[k]) {
		unsigned int cap = md->cap[k] ? md->cap[k] * 2 : 64;
		void **nv = realloc(p->v[k], cap * sizeof(*nv));

		if (nv == NULL)
			return -ENOMEM;
		p->v[k] = nv;
		md->cap[k] = cap;
	}
	p->v[k][p->n[k]++] = o;
	return 0;
}

/* Every object in a JudySL of a VPC's children. */
static int sl_part_add_all(struct sl_mut_delta *md, int k, Pcvoid_t arr)
{
	char key[SL_JSL_KEY_MAX] = "";
	int rc = 0;

	for (void *o = sl_jsl_first(arr, key); o && rc == 0; o = sl_jsl_next(arr, key))
		rc = sl_part_add(md, k, o);
	return rc;
}

/* The VPC (id) an object of the delta is in, before (`o` is an old object,
 * with its references resolved) or after the change (a new one: by its
 * IDs in the changed store). NULL if none can be told. */
static const char *sl_delta_vpc_of(const struct sl_store *s, const struct sl_delta *d,
				   enum sl_okind k, const void *o, bool old)
{
	switch (k) {
	case SL_OK_VPC:
		return ((const struct sl_vpc_obj *)o)->id;
	case SL_OK_VSWITCH:
		return ((const struct sl_vswitch_obj *)o)->vpc_id;
	case SL_OK_INSTANCE: {
		const struct sl_instance_obj *in = o;
		const struct sl_vswitch_obj *w =
		    old ? in->vswitch : sl_store_vswitch(s, in->vswitch_id);

		return w ? w->vpc_id : NULL;
	}
	default: {
		const struct sl_route_obj *r = o;
		const struct sl_vpc_obj *v;

		if (old)
			return r->vpc ? r->vpc->id : NULL;
		v = sl_jsl_get(s->route_tables, r->route_table_id);
		if (v)
			return v->id;
		for (unsigned int i = 0; i < d->n; i++) /* a VPC of this batch */
			if (d->v[i].kind == SL_OK_VPC && d->v[i].after &&
			    strcmp(((struct sl_vpc_obj *)d->v[i].after)->route_table_id,
				   r->route_table_id) == 0)
				return ((struct sl_vpc_obj *)d->v[i].after)->id;
		return NULL;
	}
	}
}

static bool sl_in(Pcvoid_t ids, const struct sl_vpc_obj *v)
{
	return v && sl_jsl_get(ids, v->id);
}

static const struct sl_vpc_obj *sl_vsw_vpc(const struct sl_vswitch_obj *w)
{
	return w ? w->vpc : NULL;
}

static const struct sl_vpc_obj *sl_in_vpc(const struct sl_instance_obj *in)
{
	return in ? sl_vsw_vpc(in->vswitch) : NULL;
}

/* Does an object of the NAT, IPv6 gateway or HaVip slices reference one
 * of the VPCs `ids` (directly or through a VSwitch or an instance)? The
 * others (SNAT and forward entries, bandwidths, egress rules, packages)
 * hang off one of these. */
static bool sl_delta_dependents(const struct sl_store *s, Pcvoid_t ids)
{
	for (unsigned int i = 0; i < s->natgw_v.n; i++)
		if (sl_in(ids, ((struct sl_natgw_obj *)s->natgw_v.v[i])->vpc))
			return true;
	for (unsigned int i = 0; i < s->eip_v.n; i++) {
		const struct sl_eip_obj *e = s->eip_v.v[i];

		if (sl_in(ids, sl_in_vpc(e->instance)) || (e->natgw && sl_in(ids, e->natgw->vpc)))
			return true;
	}
	for (unsigned int i = 0; i < s->ipv6gw_v.n; i++)
		if (sl_in(ids, ((struct sl_ipv6gw_obj *)s->ipv6gw_v.v[i])->vpc))
			return true;
	for (unsigned int i = 0; i < s->ipv6addr_v.n; i++) {
		const struct sl_ipv6addr_obj *a = s->ipv6addr_v.v[i];

		if (sl_in(ids, sl_vsw_vpc(a->vswitch)) || sl_in(ids, sl_in_vpc(a->instance)))
			return true;
	}
	for (unsigned int i = 0; i < s->ipv6rule_v.n; i++)
		if (sl_in(ids, sl_in_vpc(((struct sl_ipv6rule_obj *)s->ipv6rule_v.v[i])->instance)))
			return true;
	for (unsigned int i = 0; i < s->havip_v.n; i++) {
		const struct sl_havip_obj *h = s->havip_v.v[i];

		if (sl_in(ids, h->vpc) || sl_in(ids, sl_vsw_vpc(h->vswitch)))
			return true;
	}
	return false;
}

static void sl_mut_delta_free(struct sl_mut_delta *md)
{
	for (int k = 0; k < SL_VPART_N; k++)
		free(md->part.v[k]);
	sl_j1_free(&md->seen);
	free(md);
}

static int sl_ids_add(Pvoid_t *ids, const char *id)
{
	int rc = id && *id ? sl_jsl_insert(ids, id, (void *)1) : 0;

	return rc == -EEXIST ? 0 : rc;
}

/* The touched VPCs and every object to validate (struct sl_vpart): a VPC
 * whose object or one of whose VSwitches changed is re-checked whole;
 * one where only instances and route entries changed, by its changes
 * (the common case: instances created by the thousand in a VPC of ten
 * thousand cost the batch, not the VPC). 0, 1 (not for this path) or
 * -ENOMEM. */
static int sl_delta_collect(struct sl_mut_delta *md, const struct sl_store *s)
{
	struct sl_delta *d = &md->d;
	Pvoid_t ids = NULL;   /* JudySL VpcId -> (void *)1: touched */
	Pvoid_t whole = NULL; /* JudySL VpcId -> (void *)1: re-checked whole */
	char key[SL_JSL_KEY_MAX] = "";
	int rc = 0;

	for (unsigned int i = 0; i < d->n && rc == 0; i++) {
		struct sl_delta_ent *e = &d->v[i];
		const char *a = e->before ? sl_delta_vpc_of(s, d, e->kind, e->before, true) : NULL;
		const char *b = e->after ? sl_delta_vpc_of(s, d, e->kind, e->after, false) : NULL;

		rc = sl_ids_add(&ids, a);
		if (rc == 0)
			rc = sl_ids_add(&ids, b);
		if (rc == 0 && (e->kind == SL_OK_VPC || e->kind == SL_OK_VSWITCH))
			rc = sl_ids_add(&whole, a);
		if (rc == 0 && (e->kind == SL_OK_VPC || e->kind == SL_OK_VSWITCH))
			rc = sl_ids_add(&whole, b);
	}
	if (rc < 0)
		goto out;
	if (sl_delta_dependents(s, ids)) {
		rc = 1;
		goto out;
	}
	/* the touched VPCs, through the VPC object that indexes their children
	 * now (a replaced VPC's old object still holds them) */
	for (unsigned int i = 0; i < d->n && rc == 0; i++)
		if (d->v[i].kind == SL_OK_VPC && d->v[i].before)
			rc = sl_part_add(md, SL_OK_VPC, d->v[i].before);
	for (void *x = sl_jsl_first(ids, key); x && rc == 0; x = sl_jsl_next(ids, key)) {
		struct sl_vpc_obj *v = sl_store_vpc(s, key);

		if (sl_jsl_get(whole, key))
			rc = sl_part_add(md, SL_OK_VPC, v);
		else if (v)
			rc = sl_part_add(md, SL_VPART_FINE_VPC, v);
	}
	for (unsigned int i = 0; i < md->part.n[SL_OK_VPC] && rc == 0; i++) {
		struct sl_vpc_obj *v = md->part.v[SL_OK_VPC][i];

		rc = sl_part_add_all(md, SL_OK_VSWITCH, v->vswitches);
		if (rc == 0)
			rc = sl_part_add_all(md, SL_OK_INSTANCE, v->instances);
		if (rc == 0)
			rc = sl_part_add_all(md, SL_OK_ROUTE, v->routes);
	}
	for (unsigned int i = 0; i < md->part.n[SL_VPART_FINE_VPC] && rc == 0; i++) {
		struct sl_vpc_obj *v = md->part.v[SL_VPART_FINE_VPC][i];

		rc = sl_part_add_all(md, SL_OK_VSWITCH, v->vswitches);
		if (rc == 0)
			rc = sl_part_add_all(md, SL_OK_ROUTE, v->routes);
	}
	/* the delta's objects: instances of a VPC re-checked by its changes,
	 * old (to leave its indexes) and new; the rest if not found above */
	for (unsigned int i = 0; i < d->n && rc == 0; i++) {
		struct sl_delta_ent *e = &d->v[i];

		for (int j = 0; j < 2 && rc == 0; j++) {
			void *o = j ? e->after : e->before;
			const char *vpc = o ? sl_delta_vpc_of(s, d, e->kind, o, j == 0) : NULL;
			bool by_changes = vpc && sl_jsl_get(ids, vpc) && !sl_jsl_get(whole, vpc);

			if (o == NULL)
				continue;
			if (e->kind == SL_OK_INSTANCE && by_changes)
				rc = sl_part_add(md, SL_VPART_FINE_INSTANCE, o);
			else if (j == 1) /* an old one is indexed by its VPC */
				rc = sl_part_add(md, e->kind, o);
		}
	}
out:
	sl_jsl_free(&ids);
	sl_jsl_free(&whole);
	return rc;
}

/* Put the live store back as it was and free the delta. */
static void sl_delta_back(struct sl_mut_delta *md, bool validated)
{
	struct sl_store *s = md->d.s;

	sl_delta_revert(&md->d);
	if (validated) {
		struct sl_errs errs;

		sl_errs_init(&errs, "api");
		if (sl_validate_part(s, &md->part, &errs) < 0 || sl_errs_count(&errs) > 0) {
			/* the old state was valid: cannot happen but for memory */
			SL_ERR("restoring the store after a refused batch: %s; rebuilding on the "
			       "next change",
			       errs.n ? errs.v[0].msg : "error");
			s->arena_dead = UINT32_MAX / 2; /* the next batch builds a new store */
		}
		sl_errs_free(&errs);
	}
	sl_delta_drop(&md->d);
	sl_mut_delta_free(md);
}

/* The config file as the last full candidate read it? (Otherwise the
 * full one reads it again, as a reload would: docs/sluiced.md, "The file
 * is read again".) */
static bool sl_cfg_unchanged(const struct sl_api_mut *m)
{
	const struct sl_cfg_seen *c = &m->cfg_seen;
	struct stat st;

	return c->valid && stat(m->config_path, &st) == 0 && st.st_dev == c->dev &&
	       st.st_ino == c->ino && st.st_size == c->size &&
	       st.st_mtim.tv_sec == c->mtime.tv_sec && st.st_mtim.tv_nsec == c->mtime.tv_nsec;
}

int sl_mut_delta_try(struct sl_api_mut *m, struct sl_mut_delta **out)
{
	struct sl_store *s = sl_ctl_store(m->ctl);
	struct sl_delta_rows r = {0};
	struct sl_mut_delta *md = NULL;
	struct sl_errs errs;
	int rc = 1;

	*out = NULL;
	if (!sl_cfg_unchanged(m))
		return 0;
	if (s == NULL || m->store_behind ||
	    (s->arena_dead > 4096 && s->arena_dead > s->instance_v.n + s->route_v.n))
		return 0;
	/* the live store must hold what the database holds (rows written
	 * behind its back, as tests do, show in the counts) */
	for (int k = SL_CFG_VPC; k <= SL_CFG_ROUTE; k++)
		if (sl_store_count_from_db(s, sl_okind_of(k)) != sl_db_count(m->db, k))
			return 0;
	r.scratch = sl_store_new();
	sl_errs_init(&r.errs, "api");
	md = calloc(1, sizeof(*md));
	if (r.scratch && md && sl_db_overlay_foreach(m->db, sl_delta_row, &r) == 0 && r.n)
		rc = 0;
	if (rc == 0) {
		sl_delta_begin(&md->d, s);
		for (unsigned int i = 0; i < r.n && rc == 0; i++) {
			struct sl_delta_row *w = &r.v[i];
			void *o;

			if (w->del) {
				rc = sl_delta_del(&md->d, w->k, w->id);
				continue;
			}
			o = sl_delta_take(s, w->k, sl_store_get(r.scratch, w->k, w->id));
			rc = o ? sl_delta_put(&md->d, w->k, o) : -ENOMEM;
			if (rc < 0)
				sl_delta_untake(w->k, o);
		}
		if (rc == 0)
			rc = sl_delta_collect(md, s);
		if (rc == 0) {
			sl_errs_init(&errs, "api");
			rc = sl_validate_part(s, &md->part, &errs);
			if (rc == 0 && sl_errs_count(&errs) > 0)
				rc = 1;
			sl_errs_free(&errs);
			if (rc != 0) {
				sl_delta_back(md, true);
				md = NULL;
			}
		} else {
			sl_delta_back(md, false);
			md = NULL;
		}
	} else if (md) {
		sl_mut_delta_free(md);
		md = NULL;
	}
	sl_errs_free(&r.errs);
	sl_store_free(r.scratch);
	free(r.v);
	*out = md;
	return md != NULL;
}

void sl_mut_delta_abort(struct sl_api_mut *m, struct sl_mut_delta *md)
{
	(void)m;
	if (md)
		sl_delta_back(md, true);
}

int sl_mut_delta_apply(struct sl_api_mut *m, struct sl_mut_delta *md, const char *what,
		       struct sl_ctl_result *res)
{
	int rc = sl_ctl_apply_delta(m->ctl, &md->d, what, res);

	sl_mut_delta_free(md);
	return rc;
}
