/* SPDX-License-Identifier: BSD-3-Clause */
/* sluice-dp configuration file (JSON): see config.c and docs/sluice-dp.md. */
#ifndef SL_CONFIG_H
#define SL_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_shm.h"

#define SL_DEFAULT_SEGMENT "/dev/shm/sluice"
#define SL_DEFAULT_MBUFS 16383u
#define SL_DEFAULT_PORT_MTU 1500u
#define SL_DEVARGS_LEN 512
#define SL_DEFAULT_POLICERS 16384u /* bandwidth policers (issue 7): 8,192 public IPs */

struct sl_port_conf {
	char name[SL_PORT_NAME_LEN];  /**< operator's name, shown in stats */
	uint8_t role;		      /**< enum sl_port_role */
	uint16_t mtu;		      /**< IP MTU */
	uint8_t trunk;		      /**< inside: k for the k-th inside port */
	char devargs[SL_DEVARGS_LEN]; /**< for rte_dev_probe() */
	char exception[16];	      /**< kernel interface of its exception path
				       * (any role; on an inside port it carries
				       * the trunk, tags included), "" = none */
};

struct sl_config {
	char segment[PATH_MAX];
	uint32_t mbufs;
	uint32_t idle_sleep_us; /**< 0 = never sleep */
	uint32_t nat_sessions;	/**< NAT session table capacity, 0 = no table */
	uint32_t nat_gateways;	/**< NAT gateways the table is sized for */
	uint32_t nat_public_ips; /**< public IPs (24 KiB of port bitmaps each) */
	uint32_t policers;	 /**< bandwidth policers (policer indexes), 0 = no policing */
	uint32_t ip6_egress_flows; /**< IPv6 gateway egress-only state capacity (issue 6),
				    * 0 = no table */
	unsigned int n_ports;
	unsigned int n_trunks; /**< inside ports, <= SL_MAX_TRUNKS */
	struct sl_port_conf ports[SL_MAX_PORTS];
};

/** Fill `c` with the defaults (no ports). */
void sl_config_defaults(struct sl_config *c);

/**
 * Load and validate `path` into `c` (defaults first). On error returns a
 * negative errno and writes a message naming the file and key into `err`.
 */
int sl_config_load(struct sl_config *c, const char *path, char *err, size_t errlen);

/** Parse a JSON text (for tests); `what` names it in messages. */
int sl_config_parse(struct sl_config *c, const char *text, const char *what, char *err,
		    size_t errlen);

#endif /* SL_CONFIG_H */
