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
	const char *code; /**< API error code: a static string, or codebuf */
	char msg[512];
	char codebuf[64]; /**< a code that is not static (from validation) */
};

/** Record an error (returns -1 so handlers can `return sl_api_fail(...)`). */
int sl_api_fail(struct sl_api_err *e, int http, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- Describe* listings: paging, filters, the envelope ---- */

#define SL_API_PAGE_SIZE_MAX 50
#define SL_API_PAGE_SIZE_DEFAULT 10

/** A strict non-negative decimal integer, at most `max`: 0 or -EINVAL. */
int sl_api_parse_uint(const char *s, long max, long *out);

/**
 * One Describe* listing. sl_api_list_start() reads PageNumber (from 1)
 * and PageSize (1-50, default 10); the action walks its objects in order
 * and calls sl_api_list_match() for each one that passes its filters,
 * appending the object's JSON to `items` when it answers true;
 * sl_api_list_end() sets TotalCount, PageNumber, PageSize and
 * {"Outer": {"Inner": items}}. Nothing is allocated before the first
 * match, so an action may still fail between start and end.
 */
struct sl_api_list {
	long number; /**< PageNumber */
	long size;   /**< PageSize */
	long total;  /**< matching objects so far */
	json_t *items;
};

/** 0, or -1 with `e` (InvalidParameter, the document's message). */
int sl_api_list_start(struct sl_api_list *l, const struct sl_api_params *p, struct sl_api_err *e);
/** Count one matching object: true if it falls on the page. */
bool sl_api_list_match(struct sl_api_list *l);
void sl_api_list_end(struct sl_api_list *l, json_t *res, const char *outer, const char *inner);

/** Does the comma-separated list `list` name `id`? */
bool sl_api_in_list(const char *list, const char *id);
/** The same for a list separated by `sep` (e.g. ';' for SignedHeaders). */
bool sl_api_in_sep_list(const char *list, char sep, const char *id);
/** Filter parameter `k`: absent or empty, or equal to `v`. */
bool sl_api_filter(const struct sl_api_params *p, const char *k, const char *v);
/** Filter parameter `k` as a comma-separated list of ids: absent or
 * empty, or naming `id`. */
bool sl_api_filter_ids(const struct sl_api_params *p, const char *k, const char *id);
/** {"Outer": {"Inner": arr}} (takes arr). */
void sl_api_set_list(json_t *o, const char *outer, const char *inner, json_t *arr);

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
