/* SPDX-License-Identifier: BSD-3-Clause */
/* sluice-dp's DPDK telemetry commands (/sluice/...) and packet capture
 * (rte_pdump) set-up: telemetry.c. */
#ifndef SL_TELEMETRY_H
#define SL_TELEMETRY_H

struct sl_dp;

/**
 * Register the /sluice/ telemetry commands and initialise rte_pdump (so
 * dpdk-dumpcap can capture on sluice's ports). Call once after rte_eal_init;
 * the commands answer "not attached" until sl_telemetry_attach().
 * Returns 0 or a negative errno (logged) if a command cannot be registered;
 * capture that cannot be set up (no multi-process support) is only logged.
 */
int sl_telemetry_init(void);

/** Let the commands read dp (segment, ports): after the ports are started
 * and the segment announced. Main lcore only. */
void sl_telemetry_attach(struct sl_dp *dp);

/** Stop the commands from reading dp and wait until no command is running:
 * before the segment is unmapped or replaced, or the ports are closed.
 * Main lcore only. */
void sl_telemetry_detach(void);

/** rte_pdump_uninit() if it was initialised; after sl_telemetry_detach(),
 * before the ports close. */
void sl_telemetry_fini(void);

#endif /* SL_TELEMETRY_H */
