/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cloud API of sluiced (RPC style, VPC API version 2016-04-28): shared
 * pieces. A growable string buffer, request parameters (query string and
 * form body, URL-decoded), the API error a request ends with, and the
 * response envelope (JSON or XML) built from one jansson tree.
 *
 * Concurrency: single-threaded (sluiced's event loop); nothing here keeps
 * global state.
 */
#ifndef SL_API_H
#define SL_API_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/** A growable NUL-terminated string; `oom` sticks once an allocation failed. */
struct sl_sbuf {
	char *s;
	size_t len;
	size_t cap;
	bool oom;
};

void sl_sbuf_init(struct sl_sbuf *b);
void sl_sbuf_free(struct sl_sbuf *b);
void sl_sbuf_add(struct sl_sbuf *b, const char *s, size_t n);
void sl_sbuf_adds(struct sl_sbuf *b, const char *s);
void sl_sbuf_addf(struct sl_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Take the string (never NULL unless oom: then NULL and the buffer is freed). */
char *sl_sbuf_take(struct sl_sbuf *b);

/** One request parameter, URL-decoded. */
struct sl_api_param {
	char *k;
	char *v;
};

/** Parameters in arrival order: query string first, then the form body. */
struct sl_api_params {
	unsigned int n;
	unsigned int cap;
	struct sl_api_param *v;
};

#define SL_API_MAX_PARAMS 512

void sl_api_params_init(struct sl_api_params *p);
void sl_api_params_free(struct sl_api_params *p);
/**
 * Parse application/x-www-form-urlencoded text ("a=1&b=x%20y", '+' is a
 * space, a pair without '=' has an empty value, empty pairs are skipped)
 * and append the pairs. 0, -EINVAL (bad %-escape, NUL byte, more than
 * SL_API_MAX_PARAMS) or -ENOMEM.
 */
int sl_api_params_parse(struct sl_api_params *p, const char *s, size_t len);
int sl_api_params_add(struct sl_api_params *p, const char *k, const char *v);
/** The value of the first parameter named `k` (case-sensitive), or NULL. */
const char *sl_api_param(const struct sl_api_params *p, const char *k);

/** What a request ended with when it failed. */
struct sl_api_err {
	int http;	  /**< HTTP status */
	const char *code; /**< API error code, static string */
	char msg[512];
};

/** Record an error (returns -1 so handlers can `return sl_api_fail(...)`). */
int sl_api_fail(struct sl_api_err *e, int http, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

enum sl_api_format {
	SL_API_JSON = 0,
	SL_API_XML = 1,
};

/** A new request id: an uppercase UUID (version 4, from RAND_bytes). */
void sl_api_request_id(char out[37]);

/**
 * Serialise a success body: `result` is a JSON object (the function adds
 * "RequestId" first). XML: <ACTIONResponse> holding the fields; an array
 * under key K becomes repeated <K> elements (so {"Vpcs":{"Vpc":[..]}} is
 * <Vpcs><Vpc>..</Vpc><Vpc>..</Vpc></Vpcs>, the documents' shape). Returns
 * a malloc'd string or NULL (ENOMEM).
 */
char *sl_api_render(enum sl_api_format fmt, const char *action, const char *request_id,
		    json_t *result);
/** Serialise an error body: RequestId, HostId, Code, Message (<Error> in XML). */
char *sl_api_render_error(enum sl_api_format fmt, const char *request_id, const char *host_id,
			  const struct sl_api_err *e);

#endif /* SL_API_H */
