/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluiced's database: SQLite (WAL, synchronous=FULL) under the state
 * directory, plus an in-memory mirror of its object rows.
 *
 * Design note: durability is SQLite's. synchronous=FULL in WAL mode syncs
 * the log at every COMMIT, so once sl_db_commit() returned 0 the change
 * survives a kill -9 or a power cut; the API acknowledges nothing before
 * that. The mirror (per kind: a jansson object ID -> {"b": body, "t":
 * created}, in insertion order) lets every store build run without disk
 * reads; the overlay (per kind: ID -> body, or JSON null for a removal)
 * holds the staged change that the next build must already see, so a
 * candidate store can be validated before anything is written. A failed
 * COMMIT rolls back and leaves the mirror as it was.
 *
 * Schema (version 1):
 *   objects(kind, id, body, created, seq)  PRIMARY KEY(kind, id); seq keeps
 *                                          creation order for listings
 *   tokens(akid, token, fingerprint, response, created) PRIMARY KEY(akid, token);
 *                                          index on created for the expiry
 *   nonces(akid, nonce, expires)           PRIMARY KEY(akid, nonce)
 *
 * Concurrency: single-threaded (sluiced's event loop); one connection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sl_db.h"
#include "sl_judy.h"

struct sl_db_token {
	char *akid, *token, *fingerprint, *response;
};

struct sl_db_nonce {
	char *akid, *nonce;
	time_t expires;
};

struct sl_db {
	sqlite3 *h;
	json_t *mirror[SL_CFG_NKINDS];	/* id -> {"b": body, "t": created} */
	json_t *overlay[SL_CFG_NKINDS]; /* id -> {"b": body, "t": created} or null */
	bool staged;
	bool overlay_visible; /* sl_db_source() includes the overlay */
	time_t expired;	      /* last sl_db_expire_tick() */
	int last_kind;	      /* the last staged object, -1 none (stage_drop_last) */
	char *last_id;
	json_t *last_prev; /* its overlay entry before, NULL if none */
	unsigned int n_tokens, cap_tokens;
	struct sl_db_token *tokens;
	unsigned int n_nonces, cap_nonces;
	struct sl_db_nonce *nonces;
	int64_t seq;
	Pvoid_t parsed[SL_CFG_NKINDS]; /* JudySL id -> parsed object of a mirror
					* row (cloned into every build) */
};

static const char sl_db_schema[] =
    "CREATE TABLE IF NOT EXISTS objects (kind INTEGER NOT NULL, id TEXT NOT NULL,"
    " body TEXT NOT NULL, created INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " PRIMARY KEY (kind, id));"
    "CREATE TABLE IF NOT EXISTS tokens (akid TEXT NOT NULL, token TEXT NOT NULL,"
    " fingerprint TEXT NOT NULL, response TEXT NOT NULL, created INTEGER NOT NULL,"
    " PRIMARY KEY (akid, token));"
    "CREATE INDEX IF NOT EXISTS tokens_created ON tokens (created);"
    "CREATE TABLE IF NOT EXISTS nonces (akid TEXT NOT NULL, nonce TEXT NOT NULL,"
    " expires INTEGER NOT NULL, PRIMARY KEY (akid, nonce));"
    "PRAGMA user_version = 1;";

static int sl_db_exec(struct sl_db *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db->h));
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

static int sl_db_load(struct sl_db *db, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->h,
			       "SELECT kind, id, body, created, seq FROM objects ORDER BY seq", -1,
			       &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db->h));
		return -EIO;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int kind = sqlite3_column_int(st, 0);
		const char *id = (const char *)sqlite3_column_text(st, 1);
		const char *body = (const char *)sqlite3_column_text(st, 2);
		json_error_t je;
		json_t *b;

		if (kind < 0 || kind >= SL_CFG_NKINDS || id == NULL || body == NULL) {
			snprintf(err, errlen, "objects: bad row (kind %d)", kind);
			sqlite3_finalize(st);
			return -EINVAL;
		}
		b = json_loads(body, JSON_REJECT_DUPLICATES, &je);
		if (b == NULL) {
			snprintf(err, errlen, "objects: %s %s: body is not JSON: %s",
				 sl_cfg_kind_section(kind), id, je.text);
			sqlite3_finalize(st);
			return -EINVAL;
		}
		json_object_set_new(
		    db->mirror[kind], id,
		    json_pack("{s:o,s:I}", "b", b, "t", (json_int_t)sqlite3_column_int64(st, 3)));
		if (sqlite3_column_int64(st, 4) > db->seq)
			db->seq = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db->h));
		return -EIO;
	}
	return 0;
}

static void sl_db_cache_free(struct sl_db *db);

struct sl_db *sl_db_open(const char *path, char *err, size_t errlen)
{
	struct sl_db *db = calloc(1, sizeof(*db));

	if (db == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (int k = 0; k < SL_CFG_NKINDS; k++) {
		db->mirror[k] = json_object();
		db->overlay[k] = json_object();
		if (db->mirror[k] == NULL || db->overlay[k] == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db->h ? sqlite3_errmsg(db->h) : "no memory");
		goto fail;
	}
	sqlite3_busy_timeout(db->h, 5000);
	if (sl_db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", err, errlen) < 0 ||
	    sl_db_exec(db, sl_db_schema, err, errlen) < 0 || sl_db_load(db, err, errlen) < 0) {
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
		goto fail;
	}
	return db;
fail:
	sl_db_close(db);
	return NULL;
}

void sl_db_close(struct sl_db *db)
{
	if (db == NULL)
		return;
	sl_db_stage_clear(db);
	free(db->tokens);
	free(db->nonces);
	sl_db_cache_free(db);
	for (int k = 0; k < SL_CFG_NKINDS; k++) {
		json_decref(db->mirror[k]);
		json_decref(db->overlay[k]);
	}
	sqlite3_close(db->h);
	free(db);
}

/* ---- the store source ------------------------------------------------------ */

static int sl_db_add(struct sl_store *s, enum sl_cfg_kind k, json_t *ent, unsigned int idx,
		     struct sl_errs *errs)
{
	struct sl_obj_state st0 = {
	    .file_index = idx,
	    .from_db = true,
	    .created = json_integer_value(json_object_get(ent, "t")),
	};

	return sl_cfg_add_object(s, k, json_object_get(ent, "b"), &st0, errs);
}

/*
 * The parse cache. A committed row parses the same way every time, so it
 * is parsed once (into a scratch store) and kept; every build gets a clone
 * of it, which costs a fraction of parsing the JSON again. Rows that do not
 * parse cleanly are not cached (each build parses them and reports their
 * errors); staged rows are always parsed.
 */
static void sl_db_parsed_free(enum sl_cfg_kind k, void *o)
{
	switch (k) {
	case SL_CFG_VPC:
		sl_vpc_free(o);
		break;
	case SL_CFG_VSWITCH:
		sl_vswitch_free(o);
		break;
	case SL_CFG_INSTANCE:
		sl_instance_free(o);
		break;
	case SL_CFG_ROUTE:
		sl_route_free(o);
		break;
	default:
		break;
	}
}

static void sl_db_uncache(struct sl_db *db, enum sl_cfg_kind k, const char *id)
{
	void *o = sl_jsl_get(db->parsed[k], id);

	if (o) {
		sl_db_parsed_free(k, o);
		sl_jsl_delete(&db->parsed[k], id);
	}
}

static void sl_db_cache_free(struct sl_db *db)
{
	for (int k = 0; k < SL_CFG_NKINDS; k++) {
		char key[SL_JSL_KEY_MAX] = "";

		for (void *o = sl_jsl_first(db->parsed[k], key); o;
		     o = sl_jsl_next(db->parsed[k], key))
			sl_db_parsed_free(k, o);
		sl_jsl_free(&db->parsed[k]);
	}
}

/* Parse row `ent` alone and keep a clone of the result; NULL if it does not
 * parse cleanly or the kind is not cached. */
static void *sl_db_cache(struct sl_db *db, enum sl_cfg_kind k, const char *id, json_t *ent)
{
	struct sl_store *tmp;
	struct sl_errs errs;
	void *o = NULL, *c = NULL;

	/* NAT objects are few and plain: parsed at every build */
	if (k == SL_CFG_REGION || k >= SL_CFG_NATGW || (tmp = sl_store_new()) == NULL)
		return NULL;
	sl_errs_init(&errs, "db");
	if (sl_db_add(tmp, k, ent, 0, &errs) == 0 && sl_errs_count(&errs) == 0)
		o = sl_jsl_get(k == SL_CFG_VPC	      ? tmp->vpcs
			       : k == SL_CFG_VSWITCH  ? tmp->vswitches
			       : k == SL_CFG_INSTANCE ? tmp->instances
						      : tmp->routes,
			       id);
	if (o)
		c = k == SL_CFG_VPC	   ? (void *)sl_vpc_clone(o)
		    : k == SL_CFG_VSWITCH  ? (void *)sl_vswitch_clone(o)
		    : k == SL_CFG_INSTANCE ? (void *)sl_instance_clone(o)
					   : (void *)sl_route_clone(o);
	sl_errs_free(&errs);
	sl_store_free(tmp);
	if (c && sl_jsl_insert(&db->parsed[k], id, c) < 0) {
		sl_db_parsed_free(k, c);
		c = NULL;
	}
	return c;
}

/* Add a clone of the parsed row `o` to `s`, as the parser would. */
static int sl_db_add_parsed(struct sl_store *s, enum sl_cfg_kind k, const char *id, const void *o,
			    unsigned int idx, struct sl_errs *errs)
{
	static const char *const what[] = {[SL_CFG_VPC] = "Vpc",
					   [SL_CFG_VSWITCH] = "VSwitch",
					   [SL_CFG_INSTANCE] = "Instance",
					   [SL_CFG_ROUTE] = "RouteEntry"};
	static const char *const field[] = {[SL_CFG_VPC] = "VpcId",
					    [SL_CFG_VSWITCH] = "VSwitchId",
					    [SL_CFG_INSTANCE] = "InstanceId",
					    [SL_CFG_ROUTE] = "DestinationCidrBlock"};
	struct sl_obj_state *st;
	void *c;
	int rc;

	switch (k) {
	case SL_CFG_VPC:
		c = sl_vpc_clone(o);
		rc = c ? sl_store_add_vpc(s, c) : -ENOMEM;
		break;
	case SL_CFG_VSWITCH:
		c = sl_vswitch_clone(o);
		rc = c ? sl_store_add_vswitch(s, c) : -ENOMEM;
		break;
	case SL_CFG_INSTANCE: /* the many: in the store's arena */
		c = sl_store_clone_instance(s, o);
		rc = c ? sl_store_add_instance(s, c) : -ENOMEM;
		break;
	default:
		c = sl_store_clone_route(s, o);
		rc = c ? sl_store_add_route(s, c) : -ENOMEM;
		break;
	}
	/* every object struct starts with its state */
	st = c;
	if (rc == 0)
		st->file_index = idx;
	if (rc == -EEXIST) {
		char label[160];

		snprintf(label, sizeof(label), "%s %s", what[k], id);
		sl_errs_add(errs, label, field[k],
			    k == SL_CFG_ROUTE ? "InvalidCIDRBlock.Duplicate" : "InvalidParameter",
			    "duplicate %s (also in the config file)", field[k]);
	}
	if (rc < 0 && c && !((struct sl_obj_state *)c)->in_arena)
		sl_db_parsed_free(k, c);
	return rc == -ENOMEM ? rc : 0;
}

void sl_db_overlay_visible(struct sl_db *db, bool on)
{
	db->overlay_visible = on;
}

int sl_db_source(struct sl_store *s, struct sl_errs *errs, void *arg)
{
	struct sl_db *db = arg;

	for (int k = 0; k < SL_CFG_NKINDS; k++) {
		unsigned int idx = 0;
		const char *id;
		json_t *ent;
		int rc;

		json_object_foreach(db->mirror[k], id, ent)
		{
			json_t *ov =
			    db->overlay_visible ? json_object_get(db->overlay[k], id) : NULL;

			void *o;

			if (ov && json_is_null(ov))
				continue; /* staged removal */
			o = ov ? NULL : sl_jsl_get(db->parsed[k], id);
			if (o == NULL && ov == NULL)
				o = sl_db_cache(db, k, id, ent);
			if (o)
				rc = sl_db_add_parsed(s, k, id, o, idx++, errs);
			else
				rc = sl_db_add(s, k, ov ? ov : ent, idx++, errs);
			if (rc < 0)
				return rc;
		}
		json_object_foreach(db->overlay[k], id, ent)
		{
			if (!db->overlay_visible)
				break;
			if (json_is_null(ent) || json_object_get(db->mirror[k], id))
				continue;
			rc = sl_db_add(s, k, ent, idx++, errs);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* ---- staging ------------------------------------------------------------------ */

/* Remember what the overlay held for (k, id) before a stage call. */
static int sl_db_remember(struct sl_db *db, enum sl_cfg_kind k, const char *id)
{
	free(db->last_id);
	json_decref(db->last_prev);
	db->last_kind = k;
	db->last_id = strdup(id);
	db->last_prev = json_incref(json_object_get(db->overlay[k], id));
	return db->last_id ? 0 : -ENOMEM;
}

void sl_db_stage_drop_last(struct sl_db *db)
{
	if (db->last_kind < 0 || db->last_id == NULL)
		return;
	if (db->last_prev)
		json_object_set(db->overlay[db->last_kind], db->last_id, db->last_prev);
	else
		json_object_del(db->overlay[db->last_kind], db->last_id);
	free(db->last_id);
	json_decref(db->last_prev);
	db->last_id = NULL;
	db->last_prev = NULL;
	db->last_kind = -1;
}

int sl_db_stage_put(struct sl_db *db, enum sl_cfg_kind k, const char *id, json_t *body, time_t now)
{
	json_t *old = json_object_get(db->mirror[k], id);
	json_int_t created = old ? json_integer_value(json_object_get(old, "t")) : (json_int_t)now;
	json_t *ent = json_pack("{s:O,s:I}", "b", body, "t", created);

	if (ent == NULL || sl_db_remember(db, k, id) < 0 ||
	    json_object_set_new(db->overlay[k], id, ent) < 0)
		return -ENOMEM;
	db->staged = true;
	return 0;
}

int sl_db_stage_del(struct sl_db *db, enum sl_cfg_kind k, const char *id)
{
	if (sl_db_remember(db, k, id) < 0 ||
	    json_object_set_new(db->overlay[k], id, json_null()) < 0)
		return -ENOMEM;
	db->staged = true;
	return 0;
}

/* Grow an array of `size`-byte elements to hold one more. */
static int sl_db_grow(void **v, unsigned int n, unsigned int *cap, size_t size)
{
	void *nv;
	unsigned int nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	nv = realloc(*v, nc * size);
	if (nv == NULL)
		return -ENOMEM;
	*v = nv;
	*cap = nc;
	return 0;
}

int sl_db_stage_token(struct sl_db *db, const char *akid, const char *token,
		      const char *fingerprint, const char *response)
{
	struct sl_db_token *t;

	if (sl_db_grow((void **)&db->tokens, db->n_tokens, &db->cap_tokens, sizeof(*t)) < 0)
		return -ENOMEM;
	t = &db->tokens[db->n_tokens];
	t->akid = strdup(akid);
	t->token = strdup(token);
	t->fingerprint = strdup(fingerprint);
	t->response = strdup(response);
	if (!t->akid || !t->token || !t->fingerprint || !t->response) {
		free(t->akid);
		free(t->token);
		free(t->fingerprint);
		free(t->response);
		return -ENOMEM;
	}
	db->n_tokens++;
	return 0;
}

int sl_db_stage_nonce(struct sl_db *db, const char *akid, const char *nonce, time_t expires)
{
	struct sl_db_nonce *n;

	if (sl_db_grow((void **)&db->nonces, db->n_nonces, &db->cap_nonces, sizeof(*n)) < 0)
		return -ENOMEM;
	n = &db->nonces[db->n_nonces];
	n->akid = strdup(akid);
	n->nonce = strdup(nonce);
	n->expires = expires;
	if (!n->akid || !n->nonce) {
		free(n->akid);
		free(n->nonce);
		return -ENOMEM;
	}
	db->n_nonces++;
	return 0;
}

static void sl_db_clear_objects(struct sl_db *db)
{
	free(db->last_id);
	json_decref(db->last_prev);
	db->last_id = NULL;
	db->last_prev = NULL;
	db->last_kind = -1;
	for (int k = 0; k < SL_CFG_NKINDS; k++)
		json_object_clear(db->overlay[k]);
	for (unsigned int i = 0; i < db->n_tokens; i++) {
		free(db->tokens[i].akid);
		free(db->tokens[i].token);
		free(db->tokens[i].fingerprint);
		free(db->tokens[i].response);
	}
	db->n_tokens = 0;
	db->staged = false;
}

void sl_db_stage_clear(struct sl_db *db)
{
	sl_db_clear_objects(db);
	/* nonces stay: they belong to requests that were authenticated,
	 * whatever became of their change; the next commit writes them */
}

int sl_db_overlay_foreach(const struct sl_db *db,
			  int (*fn)(enum sl_cfg_kind k, const char *id, json_t *body,
				    int64_t created, void *arg),
			  void *arg)
{
	for (int k = 0; k < SL_CFG_NKINDS; k++) {
		const char *id;
		json_t *ent;

		json_object_foreach(db->overlay[k], id, ent)
		{
			int rc = json_is_null(ent)
				     ? fn(k, id, NULL, 0, arg)
				     : fn(k, id, json_object_get(ent, "b"),
					  json_integer_value(json_object_get(ent, "t")), arg);

			if (rc)
				return rc;
		}
	}
	return 0;
}

bool sl_db_staged(const struct sl_db *db)
{
	return db->staged || db->n_tokens || db->n_nonces;
}

/* ---- commit -------------------------------------------------------------------- */

static int sl_db_step(sqlite3 *h, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	(void)h;
	return rc == SQLITE_DONE ? 0 : -EIO;
}

static int sl_db_write(struct sl_db *db)
{
	sqlite3_stmt *put = NULL, *del = NULL, *tok = NULL, *stale = NULL, *non = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->h,
			       "INSERT INTO objects (kind, id, body, created, seq) VALUES "
			       "(?1, ?2, ?3, ?4, ?5) ON CONFLICT (kind, id) DO UPDATE SET "
			       "body = excluded.body",
			       -1, &put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->h, "DELETE FROM objects WHERE kind = ?1 AND id = ?2", -1, &del,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->h,
			       "INSERT INTO tokens (akid, token, fingerprint, response, created) "
			       "VALUES (?1, ?2, ?3, ?4, strftime('%s','now'))",
			       -1, &tok, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->h,
			       "DELETE FROM tokens WHERE akid = ?1 AND token = ?2 AND "
			       "created < ?3",
			       -1, &stale, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(
		db->h,
		"INSERT OR IGNORE INTO nonces (akid, nonce, expires) VALUES (?1, ?2, "
		"?3)",
		-1, &non, NULL) != SQLITE_OK)
		goto out;
	for (int k = 0; k < SL_CFG_NKINDS; k++) {
		const char *id;
		json_t *ent;

		json_object_foreach(db->overlay[k], id, ent)
		{
			if (json_is_null(ent)) {
				sqlite3_bind_int(del, 1, k);
				sqlite3_bind_text(del, 2, id, -1, SQLITE_STATIC);
				if (sl_db_step(db->h, del) < 0)
					goto out;
				continue;
			}
			char *body = json_dumps(json_object_get(ent, "b"), JSON_COMPACT);

			if (body == NULL)
				goto out;
			sqlite3_bind_int(put, 1, k);
			sqlite3_bind_text(put, 2, id, -1, SQLITE_STATIC);
			sqlite3_bind_text(put, 3, body, -1, free);
			sqlite3_bind_int64(put, 4, json_integer_value(json_object_get(ent, "t")));
			sqlite3_bind_int64(put, 5, db->seq + 1);
			if (sl_db_step(db->h, put) < 0)
				goto out;
			db->seq++;
		}
	}
	for (unsigned int i = 0; i < db->n_tokens; i++) {
		/* an expired row of the same token that the sweep has not
		 * deleted yet (sl_db_token_get() no longer sees it) gives way;
		 * a live one still fails the INSERT */
		sqlite3_bind_text(stale, 1, db->tokens[i].akid, -1, SQLITE_STATIC);
		sqlite3_bind_text(stale, 2, db->tokens[i].token, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stale, 3, (sqlite3_int64)time(NULL) - SL_DB_TOKEN_TTL);
		if (sl_db_step(db->h, stale) < 0)
			goto out;
		sqlite3_bind_text(tok, 1, db->tokens[i].akid, -1, SQLITE_STATIC);
		sqlite3_bind_text(tok, 2, db->tokens[i].token, -1, SQLITE_STATIC);
		sqlite3_bind_text(tok, 3, db->tokens[i].fingerprint, -1, SQLITE_STATIC);
		sqlite3_bind_text(tok, 4, db->tokens[i].response, -1, SQLITE_STATIC);
		if (sl_db_step(db->h, tok) < 0)
			goto out;
	}
	for (unsigned int i = 0; i < db->n_nonces; i++) {
		sqlite3_bind_text(non, 1, db->nonces[i].akid, -1, SQLITE_STATIC);
		sqlite3_bind_text(non, 2, db->nonces[i].nonce, -1, SQLITE_STATIC);
		sqlite3_bind_int64(non, 3, db->nonces[i].expires);
		if (sl_db_step(db->h, non) < 0)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(put);
	sqlite3_finalize(del);
	sqlite3_finalize(tok);
	sqlite3_finalize(stale);
	sqlite3_finalize(non);
	return rc;
}

int sl_db_expire(struct sl_db *db, time_t now, char *err, size_t errlen)
{
	char sql[160];

	/* two autocommit statements (no explicit BEGIN that a failure could
	 * leave open); tokens go by the index on created, nonces by a scan of
	 * a table that holds minutes of them */
	snprintf(sql, sizeof(sql),
		 "DELETE FROM nonces WHERE expires < %lld;"
		 "DELETE FROM tokens WHERE created < %lld",
		 (long long)now, (long long)now - SL_DB_TOKEN_TTL);
	return sl_db_exec(db, sql, err, errlen);
}

/* sl_db_expire(), at most once a minute (it runs from the event loop's
 * every turn). */
static void sl_db_expire_tick(struct sl_db *db, time_t now)
{
	char err[256];

	if (now - db->expired < 60)
		return;
	db->expired = now;
	if (sl_db_expire(db, now, err, sizeof(err)) < 0)
		SL_WARN("database: expiring nonces and ClientTokens: %s", err);
}

int sl_db_commit_nonces(struct sl_db *db, char *err, size_t errlen)
{
	json_t *saved[SL_CFG_NKINDS];
	unsigned int n_tokens = db->n_tokens;
	bool staged = db->staged;
	int rc;

	sl_db_expire_tick(db, time(NULL));
	if (db->n_nonces == 0)
		return 0;
	/* hide a staged (not yet validated) change: only nonces go now */
	for (int k = 0; k < SL_CFG_NKINDS; k++) {
		saved[k] = db->overlay[k];
		db->overlay[k] = json_object();
	}
	db->n_tokens = 0;
	db->staged = false;
	rc = sl_db_commit(db, err, errlen);
	for (int k = 0; k < SL_CFG_NKINDS; k++) {
		json_decref(db->overlay[k]);
		db->overlay[k] = saved[k];
	}
	db->n_tokens = n_tokens;
	db->staged = staged;
	return rc;
}

int sl_db_commit(struct sl_db *db, char *err, size_t errlen)
{
	int64_t seq0 = db->seq;

	if (!sl_db_staged(db))
		return 0;
	if (sl_db_exec(db, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -EIO;
	if (sl_db_write(db) < 0) {
		char ignore[8];

		snprintf(err, errlen, "%s", sqlite3_errmsg(db->h));
		sl_db_exec(db, "ROLLBACK", ignore, sizeof(ignore));
		db->seq = seq0;
		return -EIO;
	}
	if (sl_db_exec(db, "COMMIT", err, errlen) < 0) {
		char ignore[8];

		sl_db_exec(db, "ROLLBACK", ignore, sizeof(ignore));
		db->seq = seq0;
		return -EIO;
	}
	/* durable: the overlay joins the mirror */
	for (int k = 0; k < SL_CFG_NKINDS; k++) {
		const char *id;
		json_t *ent;

		json_object_foreach(db->overlay[k], id, ent)
		{
			sl_db_uncache(db, k, id);
			if (json_is_null(ent))
				json_object_del(db->mirror[k], id);
			else
				json_object_set(db->mirror[k], id, ent);
		}
	}
	for (unsigned int i = 0; i < db->n_nonces; i++) {
		free(db->nonces[i].akid);
		free(db->nonces[i].nonce);
	}
	db->n_nonces = 0;
	sl_db_clear_objects(db);
	return 0;
}

/* ---- lookups ------------------------------------------------------------------- */

json_t *sl_db_get(const struct sl_db *db, enum sl_cfg_kind k, const char *id)
{
	json_t *ent = json_object_get(db->mirror[k], id);

	return ent ? json_object_get(ent, "b") : NULL;
}

unsigned int sl_db_count(const struct sl_db *db, enum sl_cfg_kind k)
{
	return (unsigned int)json_object_size(db->mirror[k]);
}

int sl_db_token_get(struct sl_db *db, const char *akid, const char *token, char **fingerprint,
		    char **response)
{
	sqlite3_stmt *st;
	int rc;

	*fingerprint = *response = NULL;
	if (sqlite3_prepare_v2(db->h,
			       "SELECT fingerprint, response FROM tokens WHERE akid = ?1 AND "
			       "token = ?2 AND created >= ?3",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, akid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, token, -1, SQLITE_STATIC);
	/* an expired row the minute's sweep has not reached yet is gone too */
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL) - SL_DB_TOKEN_TTL);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*fingerprint = strdup((const char *)sqlite3_column_text(st, 0));
		*response = strdup((const char *)sqlite3_column_text(st, 1));
		rc = (*fingerprint && *response) ? 1 : -ENOMEM;
		if (rc < 0) {
			free(*fingerprint);
			free(*response);
			*fingerprint = *response = NULL;
		}
	} else {
		rc = rc == SQLITE_DONE ? 0 : -EIO;
	}
	sqlite3_finalize(st);
	return rc;
}

int sl_db_nonces_load(struct sl_db *db, time_t now,
		      void (*fn)(const char *akid, const char *nonce, time_t expires, void *arg),
		      void *arg)
{
	sqlite3_stmt *st;
	char err[256];
	int rc;

	snprintf(err, sizeof(err), "DELETE FROM nonces WHERE expires < %lld", (long long)now);
	if (sl_db_exec(db, err, err, sizeof(err)) < 0)
		return -EIO;
	if (sqlite3_prepare_v2(db->h, "SELECT akid, nonce, expires FROM nonces ORDER BY expires",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn((const char *)sqlite3_column_text(st, 0),
		   (const char *)sqlite3_column_text(st, 1), (time_t)sqlite3_column_int64(st, 2),
		   arg);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}
