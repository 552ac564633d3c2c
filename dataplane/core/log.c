/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-dp's log types, one per component (design note in sl_log.h). They
 * are registered by constructors before main(), so the EAL's --log-level
 * patterns apply to them like to DPDK's own.
 */
#include <string.h>

#include "sl_log.h"

RTE_LOG_REGISTER(sl_logtype_core, sluice.core, INFO);
RTE_LOG_REGISTER(sl_logtype_port, sluice.port, INFO);
RTE_LOG_REGISTER(sl_logtype_shm, sluice.shm, INFO);
RTE_LOG_REGISTER(sl_logtype_telemetry, sluice.telemetry, INFO);
RTE_LOG_REGISTER(sl_logtype_neigh, sluice.neigh, INFO);
RTE_LOG_REGISTER(sl_logtype_nat, sluice.nat, INFO);
RTE_LOG_REGISTER(sl_logtype_policer, sluice.policer, INFO);

const struct sl_logtype_name sl_logtypes[] = {
    {"sluice.core", &sl_logtype_core},		 {"sluice.port", &sl_logtype_port},
    {"sluice.shm", &sl_logtype_shm},		 {"sluice.telemetry", &sl_logtype_telemetry},
    {"sluice.neigh", &sl_logtype_neigh},	 {"sluice.nat", &sl_logtype_nat},
    {"sluice.policer", &sl_logtype_policer},
};
const unsigned int sl_n_logtypes = sizeof(sl_logtypes) / sizeof(sl_logtypes[0]);

int sl_logtype(const char *file)
{
	static const struct {
		const char *part;
		int *type;
	} map[] = {
	    {"/nat/", &sl_logtype_nat},		 {"/policer/", &sl_logtype_policer},
	    {"port.c", &sl_logtype_port},	 {"shm.c", &sl_logtype_shm},
	    {"ctrl.c", &sl_logtype_shm},	 {"telemetry.c", &sl_logtype_telemetry},
	    {"trace.c", &sl_logtype_telemetry}, {"arpnd.c", &sl_logtype_neigh},
	    {"neigh.c", &sl_logtype_neigh},	 {"/police.c", &sl_logtype_policer},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strstr(file, map[i].part))
			return *map[i].type;
	return sl_logtype_core;
}
