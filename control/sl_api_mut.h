/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mutating RPC actions of the VPC API (2016-04-28) and sluice's own
 * instance actions: parameters -> staged database change -> validated
 * candidate store -> durable COMMIT -> sl_ctl_apply() -> reply
 * (docs/api.md, docs/sluiced.md "The database").
 *
 * Concurrency: single-threaded (sluiced's event loop); one mutation runs
 * from its parameters to its COMMIT and apply without anything in between.
 */
#ifndef SL_API_MUT_H
#define SL_API_MUT_H

#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "sl_api.h"
#include "sl_ctl.h"
#include "sl_db.h"

#include <Judy.h>

/** At most this many mutations are written as one batch. */
#define SL_API_MUT_BATCH_MAX 512

/** A batched mutation's answer: `result` (borrowed) or, when NULL, `e`. */
typedef void (*sl_api_mut_done_fn)(void *owner, json_t *result, const struct sl_api_err *e,
				   void *arg);

struct sl_mut_batch;

/** What mutations need: the daemon's core, its database, the config file;
 * and the batch of the current event-loop turn (sl_api_mut_batch_init()). */
struct sl_api_mut {
	struct sl_ctl *ctl;
	struct sl_db *db;
	const char *config_path;
	struct sl_mut_batch *batch; /**< NULL: every mutation runs alone */
	Pvoid_t batch_vlans;	    /**< Judy1: (trunk, VLAN) keys the batch's new VPCs take */
	sl_api_mut_done_fn done;
	void *done_arg;
	bool full_builds;  /**< never the incremental candidate (tests, comparisons) */
	bool store_behind; /**< a COMMIT was not applied: the live store lacks it */
	/** The config file as the last full candidate that validated read it
	 * (stat): the incremental one is for an unchanged file only. */
	struct sl_cfg_seen {
		bool valid;
		dev_t dev;
		ino_t ino;
		off_t size;
		struct timespec mtime;
	} cfg_seen;
};

/** Forbidden: the object comes from the config file (HTTP 403). */
#define SL_API_CODE_FILE_OBJECT "Forbidden.ConfigFileObject"

/** True if `action` is one of the mutating actions. */
bool sl_api_mut_known(const char *action);

/**
 * Run a mutating action for access key `akid` (ClientToken scope). 0 and
 * *result (a new JSON object without RequestId), or -1 and `e` (nothing
 * changed, nothing written).
 */
int sl_api_mut_run(struct sl_api_mut *m, const char *akid, const char *action,
		   const struct sl_api_params *p, time_t now, json_t **result,
		   struct sl_api_err *e);

/** Enable batching (sluiced's HTTP front end). 0 or -ENOMEM. */
int sl_api_mut_batch_init(struct sl_api_mut *m);
/** Flush what is batched and free the batch. */
void sl_api_mut_batch_free(struct sl_api_mut *m);
/** Where batched answers go. */
void sl_api_mut_set_done(struct sl_api_mut *m, sl_api_mut_done_fn fn, void *arg);

/**
 * Queue a mutation into the current batch: it is checked against the live
 * store and staged now, and answered through the done callback (with
 * `owner`) when the batch is flushed. Returns 1 when queued; 0 with
 * *result or -1 with `e` when it was answered at once (a ClientToken
 * replay, DryRun, a parameter error, or no batching).
 */
int sl_api_mut_queue(struct sl_api_mut *m, const char *akid, const char *action,
		     const struct sl_api_params *p, time_t now, void *owner, json_t **result,
		     struct sl_api_err *e);

/**
 * Validate the batch as one candidate store, write it in one transaction,
 * publish it as one generation and answer every member; if it does not
 * validate, run every member alone, in arrival order. No-op when empty.
 */
void sl_api_mut_flush(struct sl_api_mut *m);

/** Number of mutations waiting in the batch. */
unsigned int sl_api_mut_pending(const struct sl_api_mut *m);

#endif /* SL_API_MUT_H */
