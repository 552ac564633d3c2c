/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_TRACE_CLI_H
#define SL_TRACE_CLI_H

#include <stdbool.h>
#include <stdint.h>

/** `sluicectl trace N`: what to trace and where sluice-dp's telemetry is. */
struct sl_trace_cli {
	unsigned int n;		/**< packets, 1..255 */
	double wait_s;		/**< give up waiting for them after this long */
	const char *socket;	/**< telemetry socket path, or NULL: search */
	const char *file_prefix; /**< EAL --file-prefix of sluice-dp, or NULL */
	int32_t dp_pid;		/**< from the segment, 0 if unknown */
	bool json;
};

/** Arm the trace, wait for the packets, print them. Exit status. */
int sl_cli_trace(const struct sl_trace_cli *o);

#endif
