/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ECMP next-hop groups: the bucket fill (design note: sl_nhgroup.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "sl_nhgroup.h"

void sl_nhg_single(struct sl_nh_group *g, uint32_t nh)
{
	memset(g, 0, sizeof(*g));
	g->member[0] = nh;
	g->weight[0] = 1;
	g->n_members = 1;
}

void sl_nhg_count(const struct sl_nh_group *g, unsigned int *count)
{
	memset(count, 0, SL_NHG_MAX * sizeof(*count));
	for (unsigned int s = 0; s < SL_NHG_SLOTS; s++)
		if (g->slot[s] < SL_NHG_MAX)
			count[g->slot[s]]++;
}

/* Largest-remainder quotas of SL_NHG_SLOTS, at least 1 each. */
static void sl_nhg_quota(const uint32_t *w, unsigned int n, unsigned int *q)
{
	uint64_t total = 0, rem[SL_NHG_MAX];
	unsigned int given = 0;

	for (unsigned int i = 0; i < n; i++)
		total += w[i];
	for (unsigned int i = 0; i < n; i++) {
		q[i] = (unsigned int)(SL_NHG_SLOTS * w[i] / total);
		rem[i] = SL_NHG_SLOTS * w[i] % total;
		given += q[i];
	}
	while (given < SL_NHG_SLOTS) {
		unsigned int best = 0;

		for (unsigned int i = 1; i < n; i++)
			if (rem[i] > rem[best])
				best = i;
		q[best]++;
		rem[best] = 0;
		given++;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (q[i] > 0)
			continue;
		/* a weight below 1/64 of the total still gets a bucket */
		unsigned int big = 0;

		for (unsigned int j = 1; j < n; j++)
			if (q[j] > q[big])
				big = j;
		q[big]--;
		q[i] = 1;
	}
}

int sl_nhg_build(struct sl_nh_group *g, const uint32_t *member, const uint16_t *weight,
		 unsigned int n, const struct sl_nh_group *prev)
{
	uint32_t m[SL_NHG_MAX], w[SL_NHG_MAX];
	unsigned int k = 0, q[SL_NHG_MAX], have[SL_NHG_MAX] = {0};
	int owner[SL_NHG_SLOTS];
	bool steal = prev == NULL;

	if (n == 0 || n > SL_NHG_MAX)
		return -EINVAL;
	/* merge duplicates, then sort by index (insertion sort of <= 4) */
	for (unsigned int i = 0; i < n; i++) {
		unsigned int j;

		if (weight[i] == 0 || member[i] == 0)
			return -EINVAL;
		for (j = 0; j < k && m[j] != member[i]; j++)
			;
		if (j < k) {
			w[j] += weight[i];
			continue;
		}
		for (j = k++; j > 0 && m[j - 1] > member[i]; j--) {
			m[j] = m[j - 1];
			w[j] = w[j - 1];
		}
		m[j] = member[i];
		w[j] = weight[i];
	}
	memset(g, 0, sizeof(*g));
	g->n_members = (uint8_t)k;
	for (unsigned int i = 0; i < k; i++) {
		g->member[i] = m[i];
		g->weight[i] = (uint16_t)(w[i] > UINT16_MAX ? UINT16_MAX : w[i]);
		w[i] = g->weight[i];
	}
	sl_nhg_quota(w, k, q);

	/* keep the buckets of members that stay */
	for (unsigned int s = 0; s < SL_NHG_SLOTS; s++) {
		owner[s] = -1;
		if (prev == NULL || prev->slot[s] >= prev->n_members)
			continue;
		for (unsigned int i = 0; i < k; i++)
			if (m[i] == prev->member[prev->slot[s]]) {
				owner[s] = (int)i;
				have[i]++;
			}
	}
	/* a new member or a new weight: those above quota give buckets up */
	for (unsigned int i = 0; i < k && !steal; i++) {
		unsigned int p = 0;

		while (p < prev->n_members && prev->member[p] != m[i])
			p++;
		steal = p == prev->n_members || prev->weight[p] != w[i];
	}
	for (int s = SL_NHG_SLOTS - 1; steal && s >= 0; s--)
		if (owner[s] >= 0 && have[owner[s]] > q[owner[s]]) {
			have[owner[s]]--;
			owner[s] = -1;
		}
	/* deal the free buckets out by deficit (ties: the lower index) */
	for (unsigned int s = 0; s < SL_NHG_SLOTS; s++) {
		unsigned int best = 0;

		if (owner[s] < 0) {
			for (unsigned int i = 1; i < k; i++)
				if ((int)(q[i] - have[i]) > (int)(q[best] - have[best]))
					best = i;
			owner[s] = (int)best;
			have[best]++;
		}
		g->slot[s] = (uint8_t)owner[s];
	}
	return 0;
}
