/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 gateway REST API (api_rest.c; docs/api.md, "IPv6 gateway REST
 * API"): /api/vpc/v1.0/ipv6Gateways... with the x-regionid header and the
 * {requestId, code, message, data} envelope, over the same store and the
 * same mutating actions as the RPC API.
 *
 * Concurrency: single-threaded (sluiced's event loop).
 */
#ifndef SL_API_REST_H
#define SL_API_REST_H

#include <stdbool.h>
#include <stddef.h>

#include "sl_api.h"

struct sl_api_server;
struct sl_api_reply;

/** Is `path` a REST path (under /api/)? sl_api_handle() hands those over. */
bool sl_api_rest_path(const char *path);

/**
 * Answer one REST request: ACS3-HMAC-SHA256 with the API's access keys,
 * x-regionid, the endpoint, the envelope. `headers` have lowercase names.
 * Fills `r` (never deferred: changes run at once, after any batch).
 */
void sl_api_rest_handle(struct sl_api_server *srv, const char *method, const char *path,
			const char *query, const char *body, size_t body_len,
			const struct sl_api_params *headers, struct sl_api_reply *r);

#endif /* SL_API_REST_H */
