/* SPDX-License-Identifier: BSD-3-Clause */
/* sluice-dp logging: DPDK's log (stderr / syslog per EAL options), never per
 * packet. */
#ifndef SL_LOG_H
#define SL_LOG_H

#include <rte_log.h>

#define SL_LOG(level, fmt, ...) RTE_LOG(level, USER1, "sluice-dp: " fmt "\n", ##__VA_ARGS__)

#endif /* SL_LOG_H */
