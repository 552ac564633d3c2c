/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the NAT unit tests: EAL without hugepages, a table on a
 * synthetic clock of SL_T_HZ ticks per second, address helpers.
 */
#ifndef SL_NAT_TEST_H
#define SL_NAT_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>

#include "sl_nat.h"

#define SL_T_HZ 1000ULL /* synthetic clock: milliseconds */
#define SL_T_SEC(s) ((uint64_t)(s)*SL_T_HZ)

static char sl_t_rundir[512];

static void sl_t_eal_fini(void)
{
	rte_eal_cleanup();
	if (sl_t_rundir[0])
		rmdir(sl_t_rundir);
}

static inline void sl_t_eal_init(const char *name)
{
	char prefix[96];
	char *argv[] = {(char *)name,
			"--no-huge",
			"-m",
			"512",
			"--no-shconf",
			"--no-pci",
			"--no-telemetry",
			"--log-level=lib.*:error",
			prefix,
			NULL};

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s_%d", name, (int)getpid());
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "EAL init failed\n");
		exit(1);
	}
	snprintf(sl_t_rundir, sizeof(sl_t_rundir), "%s", rte_eal_get_runtime_dir());
	atexit(sl_t_eal_fini);
}

static inline uint32_t sl_t_ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
}

/* Defaults for a test table: `cap` sessions, 4 gateways, 16 public IPs,
 * 2 workers, synthetic clock. */
static inline struct sl_nat_conf sl_t_conf(uint32_t cap)
{
	return (struct sl_nat_conf){
	    .max_sessions = cap, .max_gws = 4, .max_pubips = 16, .n_workers = 2, .hz = SL_T_HZ};
}

/* Sum of one counter over every lcore. */
static inline uint64_t sl_t_count(const struct sl_nat_table *t, enum sl_nat_counter c)
{
	uint64_t v[SL_NAT_C_MAX];

	sl_nat_stats_read(t, v);
	return v[c];
}

#endif /* SL_NAT_TEST_H */
