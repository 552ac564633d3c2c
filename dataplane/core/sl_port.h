/* SPDX-License-Identifier: BSD-3-Clause */
/* Ports and the packet pool of sluice-dp (port.c). */
#ifndef SL_PORT_H
#define SL_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "sl_config.h"

/** Create sl_pktmbuf_pool with `n` mbufs whose private area holds
 * struct sl_meta. 0 or negative errno. */
int sl_pool_create(unsigned int n);

/**
 * Probe `pc->devargs`, configure `n_queues` rx and tx queues (one pair per
 * worker), RSS if the device has it, the MTU, promiscuous mode, start the
 * port and register it in sl_ports[] / sl_role_port[]. On success *port_id
 * is the DPDK port id. On error returns a negative errno with a message in
 * `err`.
 */
int sl_port_init(const struct sl_port_conf *pc, uint16_t n_queues, uint16_t *port_id, char *err,
		 size_t errlen);

/** Stop and close a port started by sl_port_init(). */
void sl_port_close(uint16_t port_id);

/** ethdev name of a devargs string: its first token, bus prefix removed. */
void sl_port_devname(const char *devargs, char *name, size_t len);

#endif /* SL_PORT_H */
