/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `sluicectl xdp` (xdp_cli.c): the XDP programs' counters, read from sluiced.
 */
#ifndef SL_XDP_CLI_H
#define SL_XDP_CLI_H

#include <stdbool.h>

/** Print the counters of every XDP program sluiced runs (--xdp), from
 * GET /metrics at `url`. 0, or 1 when sluiced cannot be read. */
int sl_cli_xdp(const char *url, bool json);

#endif
