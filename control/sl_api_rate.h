/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_API_RATE_H
#define SL_API_RATE_H

/*
 * Request budgets of the cloud API: token buckets by key (an AccessKeyId, a
 * client's source address), `per_s` tokens a second, at most one second's
 * worth held, one token per request. Two tables use it (docs/api.md,
 * "Limits"): per access key after the signature check (Throttling must not
 * be spendable by a forger), and per source address before any other work,
 * so that a flood of forged requests costs one lookup each, not an HMAC.
 *
 * The table is bounded: at `max_keys` keys, the buckets that are full again
 * (idle for a second or more) are swept out; if none is, a new key is
 * refused (throttled) rather than grow the table: a flood from many
 * addresses cannot exhaust memory.
 *
 * Concurrency: none; one thread (sluiced's event loop) owns a table.
 */

#include <Judy.h>
#include <stdbool.h>

#define SL_API_RATE_MAX_KEYS 65536u

struct sl_api_rate {
	Pvoid_t buckets;	/**< JudySL key -> struct sl_api_bucket * */
	unsigned int per_s;	/**< 0: unlimited */
	unsigned int n_keys;
	unsigned int max_keys;	/**< 0: SL_API_RATE_MAX_KEYS */
	unsigned long long swept; /**< buckets removed by sweeps (tests, logs) */
};

/** A table of `per_s` requests a second per key (0: unlimited). */
void sl_api_rate_init(struct sl_api_rate *t, unsigned int per_s);

/**
 * Take one token for `key` at monotonic time `now_s` (seconds).
 * 1: allowed; 0: throttled; -ENOMEM. A key of more than 255 bytes is cut.
 */
int sl_api_rate_take(struct sl_api_rate *t, const char *key, double now_s);

void sl_api_rate_free(struct sl_api_rate *t);

/** CLOCK_MONOTONIC in seconds. */
double sl_api_rate_now(void);

#endif
