/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus text exposition of sluiced and sluice-dp (metrics.c).
 */
#ifndef SL_METRICS_H
#define SL_METRICS_H

#include <stddef.h>

struct sl_ctl;

/**
 * Render every metric (text format 0.0.4). Returns a malloc'd buffer of
 * *len bytes (NUL-terminated), NULL when out of memory. Event loop only.
 */
char *sl_metrics_render(const struct sl_ctl *ctl, size_t *len);

#endif /* SL_METRICS_H */
