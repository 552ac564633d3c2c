/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The route entries' fast path: a strict scanner for the elements of a
 * config file's RouteEntries array (config.c calls it; design note there,
 * "reading the JSON text").
 *
 * Design note
 * -----------
 * 90 % of a big config is RouteEntries, and every element has the same
 * shape: an object of up to four string members. This scanner accepts
 * exactly that shape and nothing else:
 *
 *   element = ws '{' ws [ member ws *( ',' ws member ws ) ] '}' ws
 *   member  = '"' name '"' ws ':' ws '"' *char '"'
 *   name    = RouteTableId | DestinationCidrBlock | NextHopType | NextHopId
 *             (each at most once)
 *   char    = a byte 0x20-0x7f other than '"' and '\'
 *   ws      = *( ' ' / '\t' / '\n' / '\r' )
 *
 * elements separated by ',' between the array's '[' and ']'. That is a
 * subset of JSON whose strings need no decoding (no escapes, ASCII only, no
 * control characters), so a value is its bytes as written and the scanner
 * and jansson agree on every text it accepts. Anything else (another key,
 * a "Comment", a number, null, an escape, a non-ASCII byte, a syntax
 * error) makes it refuse the whole array, and config.c parses the file
 * with jansson as before: errors and their texts are jansson's own.
 *
 * Two passes: sl_cfg_scan_routes() with no callback only checks (the text
 * is not touched); with a callback it writes a NUL over each value's
 * closing quote, so the values are C strings inside the text, and hands
 * every element to the callback in order.
 *
 * Concurrency: none (one caller, its own buffer).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "sl_ctl_config.h"

static const struct {
	const char *name;
	size_t len;
} sl_scan_names[SL_RF_N] = {
    [SL_RF_TABLE] = {"RouteTableId", 12},
    [SL_RF_DEST] = {"DestinationCidrBlock", 20},
    [SL_RF_TYPE] = {"NextHopType", 11},
    [SL_RF_HOP] = {"NextHopId", 9},
};

static bool sl_scan_is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* the bytes a value may hold as written: 0x20-0x7f but '"' and '\\' */
static const bool sl_scan_plain[256] = {
    [0x20 ... '"' - 1] = true,
    ['"' + 1 ... '\\' - 1] = true,
    ['\\' + 1 ... 0x7f] = true,
};

/* past the plain bytes from i, before `end`: the index of the first other */
static size_t sl_scan_plain_run(const char *buf, size_t i, size_t end)
{
	while (i < end && sl_scan_plain[(unsigned char)buf[i]])
		i++;
	return i;
}

static size_t sl_scan_skip_ws(const char *buf, size_t i, size_t end)
{
	while (i < end && sl_scan_is_ws(buf[i]))
		i++;
	return i;
}

/* A plain string at buf[i] (its opening quote): *q = its closing quote.
 * The index after it, or 0 if there is none of the accepted shape. */
static size_t sl_scan_quoted(const char *buf, size_t i, size_t end, size_t *q)
{
	if (i >= end || buf[i] != '"')
		return 0;
	*q = sl_scan_plain_run(buf, i + 1, end);
	if (*q >= end || buf[*q] != '"')
		return 0;
	return *q + 1;
}

/* One member at buf[i] (its opening quote): fills f, vend[] = the value's
 * closing quote. The index after the member, or 0 if it does not fit. */
static size_t sl_scan_member(const char *buf, size_t i, size_t end, struct sl_cfg_route_fields *f,
			     size_t vend[SL_RF_N])
{
	size_t k0 = i + 1, k1, v0;
	int idx = -1;

	i = sl_scan_quoted(buf, i, end, &k1);
	if (i == 0)
		return 0;
	for (int k = 0; k < SL_RF_N; k++)
		if (k1 - k0 == sl_scan_names[k].len &&
		    memcmp(buf + k0, sl_scan_names[k].name, k1 - k0) == 0)
			idx = k;
	if (idx < 0 || f->v[idx] != NULL)
		return 0; /* another key, or one given twice */
	i = sl_scan_skip_ws(buf, i, end);
	if (i >= end || buf[i] != ':')
		return 0;
	i = sl_scan_skip_ws(buf, i + 1, end);
	v0 = i + 1;
	i = sl_scan_quoted(buf, i, end, &vend[idx]);
	if (i == 0)
		return 0;
	f->v[idx] = buf + v0;
	return i;
}

long sl_cfg_scan_routes(char *buf, size_t open, size_t close, sl_cfg_route_fn fn, void *arg)
{
	size_t i = sl_scan_skip_ws(buf, open + 1, close);
	unsigned int n = 0;

	if (buf[open] != '[' || buf[close] != ']')
		return -EINVAL;
	if (i == close)
		return 0; /* [] */
	for (;;) {
		struct sl_cfg_route_fields f;
		size_t vend[SL_RF_N];

		memset(&f, 0, sizeof(f));
		if (i >= close || buf[i] != '{')
			return -EINVAL;
		i = sl_scan_skip_ws(buf, i + 1, close);
		if (i < close && buf[i] != '}') {
			for (;;) {
				i = sl_scan_member(buf, i, close, &f, vend);
				if (i == 0)
					return -EINVAL;
				i = sl_scan_skip_ws(buf, i, close);
				if (i < close && buf[i] == ',') {
					i = sl_scan_skip_ws(buf, i + 1, close);
					continue;
				}
				break;
			}
		}
		if (i >= close || buf[i] != '}')
			return -EINVAL;
		i = sl_scan_skip_ws(buf, i + 1, close);
		if (fn != NULL) {
			int rc;

			for (int k = 0; k < SL_RF_N; k++)
				if (f.v[k] != NULL)
					buf[vend[k]] = '\0';
			rc = fn(&f, n, arg);
			if (rc < 0)
				return rc;
		}
		n++;
		if (i == close)
			return n;
		if (buf[i] != ',')
			return -EINVAL;
		i = sl_scan_skip_ws(buf, i + 1, close);
	}
}
