/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluiced's database (STATE_DIR/sluiced.db, SQLite in WAL mode with
 * synchronous=FULL): the objects created through the API, ClientToken
 * results and SignatureNonces.
 *
 * Objects are stored as the JSON object the config file would hold for
 * them (config.c parses both), keyed by kind and ID (route entries by
 * "RouteTableId:canonical-destination"). The database keeps an in-memory
 * copy of its rows (the "mirror") so that every store build (sl_db_source(),
 * the ctl source) reads no disk.
 *
 * A change is staged first (sl_db_stage_*: the "overlay", which the next
 * store build already sees), then either committed (sl_db_commit(): one
 * SQLite transaction; when it returns 0 the change is durable and joins the
 * mirror) or dropped (sl_db_stage_clear()).
 *
 * Concurrency: single-threaded (sluiced's event loop); one connection.
 */
#ifndef SL_DB_H
#define SL_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "sl_ctl_config.h"
#include "sl_ctl_log.h"
#include "sl_store.h"

struct sl_db;

/** Open (creating if needed) the database at `path` and load its objects.
 * NULL with a reason in `err`. */
struct sl_db *sl_db_open(const char *path, char *err, size_t errlen);
void sl_db_close(struct sl_db *db);

/** The ctl store source (sl_ctl_source_fn): adds the committed objects
 * (and the staged changes while the overlay is visible) to `s`, each kind
 * after the file's objects. */
int sl_db_source(struct sl_store *s, struct sl_errs *errs, void *db);
/** Let sl_db_source() see the staged changes (only while a mutation builds
 * its candidate: a SIGHUP reload between staging and COMMIT must not
 * publish what is not durable). Off by default. */
void sl_db_overlay_visible(struct sl_db *db, bool on);

/** Stage a new or replaced object (takes a reference to `body`). A new one
 * gets creation time `now`. 0 or -ENOMEM. */
int sl_db_stage_put(struct sl_db *db, enum sl_cfg_kind k, const char *id, json_t *body, time_t now);
/** Stage the removal of an object. 0 or -ENOMEM. */
int sl_db_stage_del(struct sl_db *db, enum sl_cfg_kind k, const char *id);
/** Stage a ClientToken result: the request's fingerprint (action and
 * canonical parameters) and the response fields to repeat. 0 or -ENOMEM. */
int sl_db_stage_token(struct sl_db *db, const char *akid, const char *token,
		      const char *fingerprint, const char *response);
/** Stage a SignatureNonce to persist with the next commit. */
int sl_db_stage_nonce(struct sl_db *db, const char *akid, const char *nonce, time_t expires);
/** Undo the last sl_db_stage_put() or sl_db_stage_del() (once). */
void sl_db_stage_drop_last(struct sl_db *db);
/** Drop everything staged. */
void sl_db_stage_clear(struct sl_db *db);
/** Call fn for every staged object change, kind by kind, each in staging
 * order: `body` the object (NULL for a removal), `created` its creation
 * time. Stops at fn's first non-zero return and returns it; else 0. (The
 * API's incremental batches, api_mut_delta.c.) */
int sl_db_overlay_foreach(const struct sl_db *db,
			  int (*fn)(enum sl_cfg_kind k, const char *id, json_t *body,
				    int64_t created, void *arg),
			  void *arg);

/** True if object changes are staged. */
bool sl_db_staged(const struct sl_db *db);

/**
 * Write everything staged in one transaction and COMMIT. 0: durable, the
 * mirror now holds the changes and nothing is staged. Negative: nothing
 * was written (rolled back), the stage is kept for the caller to clear;
 * the reason is in `err`.
 */
int sl_db_commit(struct sl_db *db, char *err, size_t errlen);

/** Write only the staged nonces (a staged object change stays staged and
 * unwritten); at most once a minute it also runs sl_db_expire(). 0 or
 * negative. */
int sl_db_commit_nonces(struct sl_db *db, char *err, size_t errlen);

/** The committed body of an object (borrowed), NULL if the database does
 * not hold it. */
json_t *sl_db_get(const struct sl_db *db, enum sl_cfg_kind k, const char *id);
/** Number of committed objects of a kind. */
unsigned int sl_db_count(const struct sl_db *db, enum sl_cfg_kind k);

/** How long a ClientToken's result is kept and repeated (seconds): 24 h
 * (docs/api.md, ClientToken: the documents give no window). */
#define SL_DB_TOKEN_TTL (24 * 3600)

/** Look a ClientToken up: 1 found (*fingerprint and *response malloc'd),
 * 0 not found (never stored, or stored more than SL_DB_TOKEN_TTL ago),
 * negative on a database error. */
int sl_db_token_get(struct sl_db *db, const char *akid, const char *token, char **fingerprint,
		    char **response);

/** Delete the nonces expired at `now` and the ClientTokens stored before
 * now - SL_DB_TOKEN_TTL. 0 or negative (reason in `err`). */
int sl_db_expire(struct sl_db *db, time_t now, char *err, size_t errlen);

/** Call fn for every stored nonce that has not expired at `now`; delete
 * the expired ones. 0 or negative. */
int sl_db_nonces_load(struct sl_db *db, time_t now,
		      void (*fn)(const char *akid, const char *nonce, time_t expires, void *arg),
		      void *arg);

#endif /* SL_DB_H */
