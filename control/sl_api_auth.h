/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Request authentication for the RPC API: signature 1.0 (HMAC-SHA1 over
 * the canonicalised query, spec digest 1.3), access keys, the timestamp
 * window and SignatureNonce replay protection.
 *
 * Concurrency: single-threaded (sluiced's event loop).
 */
#ifndef SL_API_AUTH_H
#define SL_API_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sl_api.h"

/** Timestamp window: a request's Timestamp may be this far from the server's
 * clock either way (the document: "within 1 hour", IllegalTimestamp). */
#define SL_API_SKEW_S 3600
/** Remembered SignatureNonces at most (older ones expire with the window). */
#define SL_API_MAX_NONCES (1u << 20)

/** RFC 3986 percent-encoding of s (unreserved A-Z a-z 0-9 - _ . ~ kept,
 * every other byte %XY uppercase), appended to b. */
void sl_api_pct_encode(struct sl_sbuf *b, const char *s);

/**
 * StringToSign of signature 1.0: METHOD & %2F & pct(CanonicalizedQuery),
 * the query being every parameter but Signature, sorted by name (then
 * value), each name and value percent-encoded. malloc'd, NULL on ENOMEM.
 */
char *sl_api_string_to_sign(const char *method, const struct sl_api_params *p);

/** Base64 HMAC-SHA1 of `sts` keyed with SECRET + "&" into out (29 bytes
 * with NUL). 0 or -EIO. */
int sl_api_hmac_sha1_b64(const char *secret, const char *sts, char out[64]);

/** Access keys: id -> secret. */
struct sl_api_keys;

/**
 * Load `path` (lines "ACCESS_KEY_ID SECRET"; blank lines and '#' comments
 * ignored). The file must be a regular file not accessible by group or
 * others (mode 0600 or stricter), or it is refused. If it does not exist
 * and `create` is set, a new key is generated (RAND_bytes) and written with
 * mode 0600; *created tells. NULL with a reason in err.
 */
struct sl_api_keys *sl_api_keys_load(const char *path, bool create, bool *created, char *err,
				     size_t errlen);
void sl_api_keys_free(struct sl_api_keys *k);
/** The secret of a key id, or NULL. */
const char *sl_api_keys_secret(const struct sl_api_keys *k, const char *id);
unsigned int sl_api_keys_count(const struct sl_api_keys *k);
/** The first key's id (for the startup message), or NULL. */
const char *sl_api_keys_first(const struct sl_api_keys *k);

/** The request authenticator: keys (not owned) and the nonce memory. */
struct sl_api_auth;

struct sl_api_auth *sl_api_auth_new(const struct sl_api_keys *keys);
void sl_api_auth_free(struct sl_api_auth *a);

/** Default request rate per access key (requests/s; a second's worth may
 * come at once): far above what the API sustains, so it only stops a
 * runaway client from starving the others. */
#define SL_API_RATE_DEFAULT 20000
/** Default of --api-source-rate: requests per second per source address. */
#define SL_API_SOURCE_RATE_DEFAULT 20000
/** Requests per second and access key (0: unlimited); beyond it a
 * verified request is refused with Throttling (400). */
void sl_api_auth_set_rate(struct sl_api_auth *a, unsigned int per_s);

/** Called for every nonce newly remembered (to persist it). */
typedef void (*sl_api_nonce_fn)(const char *akid, const char *nonce, time_t expires, void *arg);
void sl_api_auth_set_nonce_hook(struct sl_api_auth *a, sl_api_nonce_fn fn, void *arg);
/** Remember a nonce loaded from the database (expiring at `expires`; load
 * them in expiry order). 0 (also if already known) or negative. */
int sl_api_auth_remember(struct sl_api_auth *a, const char *akid, const char *nonce,
			 time_t expires);

/**
 * Check a request: the common parameters (AccessKeyId, Signature,
 * SignatureMethod, SignatureVersion, SignatureNonce, Timestamp (or the
 * examples' TimeStamp)), the key, the timestamp window around `now`, the
 * signature (constant-time compare) and, last, the nonce (remembered only
 * for requests whose signature verified). 0, or -1 with `e` filled with
 * the document's code and HTTP status.
 */
int sl_api_auth_check(struct sl_api_auth *a, const char *method, const struct sl_api_params *p,
		      time_t now, struct sl_api_err *e);

/**
 * ACS3-HMAC-SHA256 (the SDK's default signing): `headers` are the request
 * headers with lowercase names; `query` the query-string parameters only
 * (the body is covered by x-acs-content-sha256, checked against `body`).
 * Canonical request = METHOD \n PATH \n sorted, percent-encoded query \n
 * "name:value\n" per signed header (sorted) \n signed-header list \n
 * payload hash; StringToSign = "ACS3-HMAC-SHA256\n" + hex SHA-256 of it;
 * Signature = hex HMAC-SHA256 keyed with the secret. The signed headers
 * must include host, x-acs-action, x-acs-version, x-acs-date,
 * x-acs-signature-nonce and x-acs-content-sha256. Same window and nonce
 * rules as signature 1.0. 0, or -1 with `e` filled.
 */
int sl_api_auth_check_acs3(struct sl_api_auth *a, const char *method, const char *path,
			   const struct sl_api_params *query, const struct sl_api_params *headers,
			   const char *body, size_t body_len, time_t now, struct sl_api_err *e);

/** The canonical request of ACS3 (for tests and error messages); NULL on
 * ENOMEM or when a signed header is missing (errno ENOENT). */
char *sl_api_acs3_canonical(const char *method, const char *path, const struct sl_api_params *query,
			    const struct sl_api_params *headers, const char *signed_headers,
			    const char *payload_hash);

/** Lowercase hex of SHA-256(data) into out (65 bytes). */
void sl_api_sha256_hex(const void *data, size_t len, char out[65]);
/** Lowercase hex of HMAC-SHA256(key, msg) into out (65 bytes). 0 or -EIO. */
int sl_api_hmac_sha256_hex(const char *key, const char *msg, char out[65]);

/** Parse "YYYY-MM-DDThh:mm:ssZ" (optional ".fff" before Z). 0 or -EINVAL. */
int sl_api_parse_time(const char *s, time_t *t);

#endif /* SL_API_AUTH_H */
