/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_TRACE_CLI_H
#define SL_TRACE_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "sl_tel_client.h"

/** `sluicectl trace N`: what to trace and where sluice-dp's telemetry is. */
struct sl_trace_cli {
	unsigned int n;		/**< packets, 1..255 */
	double wait_s;		/**< give up waiting for them after this long */
	struct sl_tel_target tel; /**< where sluice-dp's telemetry is */
	bool json;
};

/** Arm the trace, wait for the packets, print them. Exit status. */
int sl_cli_trace(const struct sl_trace_cli *o);

#endif
