/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Token buckets for the API's request limits (sl_api_rate.h). A bucket
 * refills continuously: tokens += elapsed * per_s, capped at per_s, so a
 * second's worth may come at once and the long-run rate is per_s.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sl_api_rate.h"
#include "sl_judy.h"

struct sl_api_bucket {
	double tokens;
	double last; /* monotonic seconds of the last refill */
};

void sl_api_rate_init(struct sl_api_rate *t, unsigned int per_s)
{
	memset(t, 0, sizeof(*t));
	t->per_s = per_s;
}

double sl_api_rate_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Remove the buckets that would be full at `now_s`: forgetting them changes
 * nothing, a new bucket starts full. */
static void sl_api_rate_sweep(struct sl_api_rate *t, double now_s)
{
	char key[SL_JSL_KEY_MAX] = "";
	struct sl_api_bucket *b;

	for (b = sl_jsl_first(t->buckets, key); b; b = sl_jsl_next(t->buckets, key)) {
		if (b->tokens + (now_s - b->last) * t->per_s < (double)t->per_s)
			continue;
		sl_jsl_delete(&t->buckets, key);
		free(b);
		t->n_keys--;
		t->swept++;
	}
}

int sl_api_rate_take(struct sl_api_rate *t, const char *key, double now_s)
{
	char k[SL_JSL_KEY_MAX];
	struct sl_api_bucket *b;
	unsigned int max = t->max_keys ? t->max_keys : SL_API_RATE_MAX_KEYS;

	if (t->per_s == 0)
		return 1;
	snprintf(k, sizeof(k), "%s", key);
	b = sl_jsl_get(t->buckets, k);
	if (b == NULL) {
		if (t->n_keys >= max)
			sl_api_rate_sweep(t, now_s);
		if (t->n_keys >= max)
			return 0;
		b = malloc(sizeof(*b));
		if (b == NULL)
			return -ENOMEM;
		b->tokens = t->per_s;
		b->last = now_s;
		if (sl_jsl_insert(&t->buckets, k, b) < 0) {
			free(b);
			return -ENOMEM;
		}
		t->n_keys++;
	}
	if (now_s > b->last) { /* a clock that steps back refills nothing */
		b->tokens += (now_s - b->last) * t->per_s;
		if (b->tokens > t->per_s)
			b->tokens = t->per_s;
		b->last = now_s;
	}
	if (b->tokens < 1.0)
		return 0;
	b->tokens -= 1.0;
	return 1;
}

void sl_api_rate_free(struct sl_api_rate *t)
{
	char key[SL_JSL_KEY_MAX] = "";

	for (void *b = sl_jsl_first(t->buckets, key); b; b = sl_jsl_next(t->buckets, key))
		free(b);
	sl_jsl_free(&t->buckets);
	t->n_keys = 0;
}
