/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_NAT_CLI_H
#define SL_NAT_CLI_H

#include <stdbool.h>

#include "sl_tel_client.h"

/** `sluicectl sessions [ADDR] [--port P]`: NAT sessions matching the
 * address (inside, public or remote) and port, at most `limit`. */
int sl_cli_sessions(const struct sl_tel_target *t, const char *addr, unsigned int port,
		    unsigned int limit, bool json);

/** `sluicectl nat`: the session table's usage, per gateway and public IP. */
int sl_cli_nat(const struct sl_tel_target *t, bool json);

#endif
