/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * API plumbing shared by the HTTP front end, the signature check and the
 * actions: string buffers, form/query parameter parsing, request ids,
 * the response envelope, and the Describe* actions' paging, filters and
 * list envelope (api_vpc.c and api_nat.c list their objects the same way).
 *
 * Design note: an action builds its result once as a jansson object whose
 * key order is the documents' (json_object_set keeps insertion order since
 * jansson 2.8); JSON is that tree dumped compactly, XML is the same tree
 * walked with the documents' list convention (an array under key K is a
 * run of <K> elements). One tree, two renderings: the formats cannot
 * drift apart.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "sl_api.h"

void sl_sbuf_init(struct sl_sbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void sl_sbuf_free(struct sl_sbuf *b)
{
	free(b->s);
	sl_sbuf_init(b);
}

static bool sl_sbuf_reserve(struct sl_sbuf *b, size_t extra)
{
	size_t need, cap;
	char *s;

	if (b->oom)
		return false;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	s = realloc(b->s, cap);
	if (s == NULL) {
		b->oom = true;
		return false;
	}
	b->s = s;
	b->cap = cap;
	return true;
}

void sl_sbuf_add(struct sl_sbuf *b, const char *s, size_t n)
{
	if (!sl_sbuf_reserve(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sl_sbuf_adds(struct sl_sbuf *b, const char *s)
{
	sl_sbuf_add(b, s, strlen(s));
}

void sl_sbuf_addf(struct sl_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sl_sbuf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *sl_sbuf_take(struct sl_sbuf *b)
{
	char *s;

	if (b->oom) {
		sl_sbuf_free(b);
		return NULL;
	}
	if (b->s == NULL && !sl_sbuf_reserve(b, 0))
		return NULL;
	if (b->len == 0)
		b->s[0] = '\0';
	s = b->s;
	sl_sbuf_init(b);
	return s;
}

/* ---- parameters --------------------------------------------------------- */

void sl_api_params_init(struct sl_api_params *p)
{
	memset(p, 0, sizeof(*p));
}

void sl_api_params_free(struct sl_api_params *p)
{
	for (unsigned int i = 0; i < p->n; i++) {
		free(p->v[i].k);
		free(p->v[i].v);
	}
	free(p->v);
	sl_api_params_init(p);
}

static int sl_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* URL-decode s[0..n) into a new string; '+' is a space. NULL + errno. */
static char *sl_url_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;

			/* two hex digits must follow; %00 would cut the string */
			if (i + 2 >= n || (hi = sl_hexval(s[i + 1])) < 0 ||
			    (lo = sl_hexval(s[i + 2])) < 0 || (hi == 0 && lo == 0)) {
				free(out);
				errno = EINVAL;
				return NULL;
			}
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] == '\0') {
			free(out);
			errno = EINVAL;
			return NULL;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

int sl_api_params_add(struct sl_api_params *p, const char *k, const char *v)
{
	char *kk, *vv;

	if (p->n >= SL_API_MAX_PARAMS)
		return -EINVAL;
	if (p->n == p->cap) {
		unsigned int cap = p->cap ? p->cap * 2 : 16;
		struct sl_api_param *nv = realloc(p->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -ENOMEM;
		p->v = nv;
		p->cap = cap;
	}
	kk = strdup(k);
	vv = strdup(v);
	if (kk == NULL || vv == NULL) {
		free(kk);
		free(vv);
		return -ENOMEM;
	}
	p->v[p->n].k = kk;
	p->v[p->n].v = vv;
	p->n++;
	return 0;
}

int sl_api_params_parse(struct sl_api_params *p, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i, eq;
		char *k, *v;
		int rc;

		while (j < len && s[j] != '&')
			j++;
		if (j > i) {
			eq = i;
			while (eq < j && s[eq] != '=')
				eq++;
			k = sl_url_decode(s + i, eq - i);
			v = k ? sl_url_decode(s + (eq < j ? eq + 1 : j), eq < j ? j - eq - 1 : 0)
			      : NULL;
			if (k == NULL || v == NULL) {
				rc = errno == ENOMEM ? -ENOMEM : -EINVAL;
				free(k);
				free(v);
				return rc;
			}
			rc = *k ? sl_api_params_add(p, k, v) : 0;
			free(k);
			free(v);
			if (rc < 0)
				return rc;
		}
		i = j + 1;
	}
	return 0;
}

const char *sl_api_param(const struct sl_api_params *p, const char *k)
{
	for (unsigned int i = 0; i < p->n; i++)
		if (strcmp(p->v[i].k, k) == 0)
			return p->v[i].v;
	return NULL;
}

int sl_api_fail(struct sl_api_err *e, int http, const char *code, const char *fmt, ...)
{
	va_list ap;

	e->http = http;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- Describe* listings ---------------------------------------------------- */

int sl_api_parse_uint(const char *s, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int sl_api_list_start(struct sl_api_list *l, const struct sl_api_params *p, struct sl_api_err *e)
{
	const char *num = sl_api_param(p, "PageNumber");
	const char *size = sl_api_param(p, "PageSize");

	*l = (struct sl_api_list){.number = 1, .size = SL_API_PAGE_SIZE_DEFAULT};
	if (num && (sl_api_parse_uint(num, 1000000000L, &l->number) < 0 || l->number < 1))
		return sl_api_fail(e, 400, "InvalidParameter",
				   "The specified parameter pageNumber is not valid: an integer "
				   "from 1.");
	if (size && (sl_api_parse_uint(size, 1000000000L, &l->size) < 0 || l->size < 1 ||
		     l->size > SL_API_PAGE_SIZE_MAX))
		return sl_api_fail(e, 400, "InvalidParameter",
				   "The specified parameter pageSize is not valid: 1 to %d.",
				   SL_API_PAGE_SIZE_MAX);
	return 0;
}

bool sl_api_list_match(struct sl_api_list *l)
{
	long first = (l->number - 1) * l->size, i = l->total++;

	if (i < first || i >= first + l->size)
		return false;
	if (l->items == NULL)
		l->items = json_array();
	return true;
}

void sl_api_list_end(struct sl_api_list *l, json_t *res, const char *outer, const char *inner)
{
	json_object_set_new(res, "TotalCount", json_integer(l->total));
	json_object_set_new(res, "PageNumber", json_integer(l->number));
	json_object_set_new(res, "PageSize", json_integer(l->size));
	sl_api_set_list(res, outer, inner, l->items ? l->items : json_array());
	l->items = NULL;
}

bool sl_api_in_list(const char *list, const char *id)
{
	return sl_api_in_sep_list(list, ',', id);
}

bool sl_api_in_sep_list(const char *list, char sep, const char *id)
{
	size_t n = strlen(id);

	for (const char *c = list; *c;) {
		const char *end = strchr(c, sep);
		size_t len = end ? (size_t)(end - c) : strlen(c);

		if (len == n && memcmp(c, id, n) == 0)
			return true;
		if (end == NULL)
			break;
		c = end + 1;
	}
	return false;
}

bool sl_api_filter(const struct sl_api_params *p, const char *k, const char *v)
{
	const char *f = sl_api_param(p, k);

	return f == NULL || *f == '\0' || strcmp(f, v) == 0;
}

bool sl_api_filter_ids(const struct sl_api_params *p, const char *k, const char *id)
{
	const char *f = sl_api_param(p, k);

	return f == NULL || *f == '\0' || sl_api_in_list(f, id);
}

void sl_api_set_list(json_t *o, const char *outer, const char *inner, json_t *arr)
{
	json_t *w = json_object();

	json_object_set_new(w, inner, arr);
	json_object_set_new(o, outer, w);
}

void sl_api_request_id(char out[37])
{
	uint8_t b[16];

	if (RAND_bytes(b, sizeof(b)) != 1) {
		/* the CSPRNG failing is not a reason to refuse a request: the id
		 * only has to be unique, so fall back to something that is */
		static uint64_t ctr;
		uint64_t x = ++ctr ^ (uint64_t)(uintptr_t)out;

		memcpy(b, &x, 8);
		memcpy(b + 8, &ctr, 8);
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

/* ---- rendering ------------------------------------------------------------ */

static void sl_xml_text(struct sl_sbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			sl_sbuf_adds(b, "&lt;");
			break;
		case '>':
			sl_sbuf_adds(b, "&gt;");
			break;
		case '&':
			sl_sbuf_adds(b, "&amp;");
			break;
		case '"':
			sl_sbuf_adds(b, "&quot;");
			break;
		case '\'':
			sl_sbuf_adds(b, "&apos;");
			break;
		default:
			/* XML 1.0 has no C0 controls but tab, LF and CR, not even
			 * escaped: a request can echo any byte into a message */
			if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r')
				sl_sbuf_adds(b, "\xef\xbf\xbd"); /* U+FFFD */
			else
				sl_sbuf_add(b, s, 1);
		}
	}
}

static void sl_xml_value(struct sl_sbuf *b, const char *key, json_t *v, int depth);

static void sl_xml_fields(struct sl_sbuf *b, json_t *obj, int depth)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v)
	{
		if (json_is_array(v)) {
			size_t i;
			json_t *x;

			json_array_foreach(v, i, x) sl_xml_value(b, k, x, depth + 1);
		} else {
			sl_xml_value(b, k, v, depth + 1);
		}
	}
}

static void sl_xml_value(struct sl_sbuf *b, const char *key, json_t *v, int depth)
{
	if (depth > 32) /* results are shallow; refuse to recurse without bound */
		return;
	sl_sbuf_addf(b, "<%s>", key);
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		sl_xml_fields(b, v, depth);
		break;
	case JSON_STRING:
		sl_xml_text(b, json_string_value(v));
		break;
	case JSON_INTEGER:
		sl_sbuf_addf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		sl_sbuf_addf(b, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		sl_sbuf_adds(b, "true");
		break;
	case JSON_FALSE:
		sl_sbuf_adds(b, "false");
		break;
	default:
		break;
	}
	sl_sbuf_addf(b, "</%s>", key);
}

static char *sl_render_tree(enum sl_api_format fmt, const char *root, json_t *obj)
{
	struct sl_sbuf b;

	if (fmt == SL_API_JSON)
		return json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	sl_sbuf_init(&b);
	sl_sbuf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
	sl_xml_value(&b, root, obj, 0);
	return sl_sbuf_take(&b);
}

char *sl_api_render(enum sl_api_format fmt, const char *action, const char *request_id,
		    json_t *result)
{
	json_t *obj = json_object();
	char root[160];
	const char *k;
	json_t *v;
	char *out;

	if (obj == NULL)
		return NULL;
	json_object_set_new(obj, "RequestId", json_string(request_id));
	if (result) {
		json_object_foreach(result, k, v)
		{
			if (strcmp(k, "RequestId") != 0)
				json_object_set(obj, k, v);
		}
	}
	snprintf(root, sizeof(root), "%sResponse", action);
	out = sl_render_tree(fmt, root, obj);
	json_decref(obj);
	return out;
}

char *sl_api_render_error(enum sl_api_format fmt, const char *request_id, const char *host_id,
			  const struct sl_api_err *e)
{
	json_t *obj = json_object();
	char *out;

	if (obj == NULL)
		return NULL;
	json_object_set_new(obj, "RequestId", json_string(request_id));
	json_object_set_new(obj, "HostId", json_string(host_id));
	json_object_set_new(obj, "Code", json_string(e->code));
	/* the message may quote request bytes that are not UTF-8 */
	json_object_set_new(obj, "Message", json_string(e->msg) ?: json_string(e->code));
	out = sl_render_tree(fmt, "Error", obj);
	json_decref(obj);
	return out;
}
