/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-dp logging: DPDK's log (stderr / syslog per EAL options), never per
 * packet, with one DPDK log type per component so that levels can be set
 * per component: at start with the EAL option --log-level (for example
 * --log-level 'sluice.port:debug' or --log-level 'sluice.*:warning'), at run
 * time with the telemetry command /sluice/log_level. The component of a
 * message is its source file's (sl_logtype(): port.c "sluice.port",
 * shm.c and ctrl.c "sluice.shm", telemetry.c and trace.c
 * "sluice.telemetry", arpnd.c and neigh.c "sluice.neigh", dataplane/nat/
 * "sluice.nat", dataplane/policer/ and police.c "sluice.policer", the rest
 * "sluice.core"), so call sites do not name it.
 */
#ifndef SL_LOG_H
#define SL_LOG_H

#include <rte_log.h>

/** The registered log type of a source file (__FILE__). */
int sl_logtype(const char *file);

/** "sluice.core", ... with their log types: for /sluice/log_level. */
struct sl_logtype_name {
	const char *name;
	int *type;
};
extern const struct sl_logtype_name sl_logtypes[];
extern const unsigned int sl_n_logtypes;

#define SL_LOG(level, fmt, ...)                                                                    \
	rte_log(RTE_LOG_##level, (uint32_t)sl_logtype(__FILE__), "sluice-dp: " fmt "\n",          \
		##__VA_ARGS__)

#endif /* SL_LOG_H */
