/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl's client of sluiced's cloud API (design note: api_client.c).
 */
#ifndef SL_API_CLIENT_H
#define SL_API_CLIENT_H

#include <stddef.h>

#define SL_API_CLIENT_MAX_PARAMS 64

struct sl_api_req {
	const char *url;	   /**< http://HOST:PORT */
	const char *access_key_id;
	const char *secret;
	const char *action;
	int n_params;
	char *const *params; /**< "Key=Value" */
};

struct sl_api_resp {
	int status;  /**< HTTP status */
	char *body;  /**< malloc'd, NUL-terminated */
};

/** The first key of an access-keys file (lines "ID SECRET"), or the one
 * named `want_id`. 0 or -1 with the reason in err. */
int sl_api_read_key(const char *path, const char *want_id, char *id, size_t idlen, char *secret,
		    size_t seclen, char *err, size_t errlen);

/** One signed request (signature 1.0, GET). 0 with *out filled (free
 * out->body), or -1 with the reason in err (no answer at all). */
int sl_api_call(const struct sl_api_req *r, struct sl_api_resp *out, char *err, size_t errlen);

/** A plain GET of `path` (e.g. "/metrics") from sluiced at `url`, unsigned:
 * what sluicectl reads of sluiced's own state besides the API. 0 with *out
 * filled (free out->body), or -1 with the reason in err. */
int sl_http_get(const char *url, const char *path, struct sl_api_resp *out, char *err,
		size_t errlen);

#endif /* SL_API_CLIENT_H */
