/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-dp configuration file.
 *
 * Design note
 * -----------
 * A small JSON object read once at start (jansson):
 *
 *   { "segment": "/dev/shm/sluice", "mbufs": 16383, "idle_sleep_us": 0,
 *     "ports": [ { "name": "inside0", "role": "inside", "mtu": 1500,
 *                  "devargs": "net_af_packet0,iface=sl-in,qpairs=2" } ] }
 *
 * The k-th port with role "inside" (counting from 0 in file order) is trunk
 * k: the inside link on which VPC (trunk k, VLAN v) is VLAN v. At most
 * SL_MAX_TRUNKS inside ports.
 *
 * Every key is checked for type and range and every error names the file
 * and the key path (e.g. "dp.json: ports[1].role: ..."), because the
 * operator fixes it from the message alone. Unknown keys are errors (a typo
 * must not silently fall back to a default); keys starting with "Comment" or
 * "comment" are free text and ignored. Duplicate keys are rejected.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "sl_config.h"

#define SL_MBUFS_MIN 1023u
#define SL_MBUFS_MAX (1u << 24)
#define SL_IDLE_SLEEP_MAX 1000000u
#define SL_NAT_SESSIONS_MAX (1u << 24)
#define SL_NAT_INDEX_MAX 65535u /* gateway and public IP indexes are 16-bit in sl_nat */
#define SL_POLICERS_MAX (1u << 22) /* 4M policers: 256 MiB of buckets */
#define SL_MTU_MIN 1280u /* IPv6 minimum link MTU: both sides carry IPv6 */
#define SL_MTU_MAX 9600u

void sl_config_defaults(struct sl_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->segment, sizeof(c->segment), "%s", SL_DEFAULT_SEGMENT);
	c->mbufs = SL_DEFAULT_MBUFS;
	c->idle_sleep_us = 0;
	c->nat_sessions = 0;
	c->nat_gateways = 1024;
	c->nat_public_ips = 256;
	c->policers = SL_DEFAULT_POLICERS;
	c->ip6_egress_flows = 65536; /* flows of all egress-only addresses (issue 6) */
}

static int sl_cfg_err(char *err, size_t errlen, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int sl_cfg_err(char *err, size_t errlen, const char *what, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, errlen, "%s: ", what);
	if (n < 0 || (size_t)n >= errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool sl_cfg_is_comment(const char *key)
{
	return strncmp(key, "Comment", 7) == 0 || strncmp(key, "comment", 7) == 0;
}

/* Copy a non-empty string that fits in `len` bytes (NUL included). */
static int sl_cfg_string(json_t *v, char *dst, size_t len, const char *what, const char *key,
			 char *err, size_t errlen)
{
	const char *s;

	if (!json_is_string(v))
		return sl_cfg_err(err, errlen, what, "%s: must be a string", key);
	s = json_string_value(v);
	if (s[0] == '\0')
		return sl_cfg_err(err, errlen, what, "%s: must not be empty", key);
	if (strlen(s) >= len)
		return sl_cfg_err(err, errlen, what, "%s: longer than %zu characters", key,
				  len - 1);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int sl_cfg_uint(json_t *v, uint32_t min, uint32_t max, uint32_t *out, const char *what,
		       const char *key, char *err, size_t errlen)
{
	json_int_t i;

	if (!json_is_integer(v))
		return sl_cfg_err(err, errlen, what, "%s: must be an integer", key);
	i = json_integer_value(v);
	if (i < (json_int_t)min || i > (json_int_t)max)
		return sl_cfg_err(err, errlen, what, "%s: %lld is outside [%u, %u]", key,
				  (long long)i, min, max);
	*out = (uint32_t)i;
	return 0;
}

/* A Linux interface name sluice-dp may create: IFNAMSIZ - 1 characters of
 * a plain set (no '/', ':', spaces). */
static bool sl_cfg_ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 15)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

static int sl_cfg_port(json_t *o, unsigned int idx, struct sl_port_conf *p, const char *what,
		       char *err, size_t errlen)
{
	char key[64];
	const char *k;
	json_t *v;
	uint32_t u;
	bool have_name = false, have_role = false, have_devargs = false;
	int rc;

	if (!json_is_object(o))
		return sl_cfg_err(err, errlen, what, "ports[%u]: must be an object", idx);
	p->mtu = SL_DEFAULT_PORT_MTU;
	json_object_foreach(o, k, v)
	{
		snprintf(key, sizeof(key), "ports[%u].%.32s", idx, k);
		if (strcmp(k, "name") == 0) {
			rc = sl_cfg_string(v, p->name, sizeof(p->name), what, key, err, errlen);
			have_name = true;
		} else if (strcmp(k, "role") == 0) {
			const char *s = json_string_value(v);

			if (s && strcmp(s, "inside") == 0)
				p->role = SL_ROLE_INSIDE;
			else if (s && strcmp(s, "outside") == 0)
				p->role = SL_ROLE_OUTSIDE;
			else
				return sl_cfg_err(err, errlen, what,
						  "%s: must be \"inside\" or \"outside\"", key);
			rc = 0;
			have_role = true;
		} else if (strcmp(k, "mtu") == 0) {
			rc = sl_cfg_uint(v, SL_MTU_MIN, SL_MTU_MAX, &u, what, key, err, errlen);
			p->mtu = (uint16_t)u;
		} else if (strcmp(k, "devargs") == 0) {
			rc = sl_cfg_string(v, p->devargs, sizeof(p->devargs), what, key, err,
					   errlen);
			have_devargs = true;
		} else if (strcmp(k, "exception") == 0) {
			rc = sl_cfg_string(v, p->exception, sizeof(p->exception), what, key, err,
					   errlen);
			if (rc == 0 && !sl_cfg_ifname_ok(p->exception))
				return sl_cfg_err(err, errlen, what,
						  "%s: \"%s\" is not an interface name (1 to 15 "
						  "letters, digits, '-', '_' or '.')",
						  key, p->exception);
		} else if (sl_cfg_is_comment(k)) {
			rc = 0;
		} else {
			return sl_cfg_err(err, errlen, what,
					  "%s: unknown key (expected name, role, mtu, devargs, "
					  "exception)",
					  key);
		}
		if (rc)
			return rc;
	}
	if (!have_name)
		return sl_cfg_err(err, errlen, what, "ports[%u].name: missing", idx);
	if (!have_role)
		return sl_cfg_err(err, errlen, what, "ports[%u].role: missing", idx);
	if (!have_devargs)
		return sl_cfg_err(err, errlen, what, "ports[%u].devargs: missing", idx);
	return 0;
}

static int sl_cfg_root(struct sl_config *c, json_t *root, const char *what, char *err,
		       size_t errlen)
{
	const char *k;
	json_t *v;
	int rc;

	if (!json_is_object(root))
		return sl_cfg_err(err, errlen, what, "top level must be an object");
	json_object_foreach(root, k, v)
	{
		if (strcmp(k, "segment") == 0) {
			rc = sl_cfg_string(v, c->segment, sizeof(c->segment), what, "segment", err,
					   errlen);
		} else if (strcmp(k, "mbufs") == 0) {
			rc = sl_cfg_uint(v, SL_MBUFS_MIN, SL_MBUFS_MAX, &c->mbufs, what, "mbufs",
					 err, errlen);
		} else if (strcmp(k, "idle_sleep_us") == 0) {
			rc = sl_cfg_uint(v, 0, SL_IDLE_SLEEP_MAX, &c->idle_sleep_us, what,
					 "idle_sleep_us", err, errlen);
		} else if (strcmp(k, "nat_sessions") == 0) {
			rc = sl_cfg_uint(v, 0, SL_NAT_SESSIONS_MAX, &c->nat_sessions, what,
					 "nat_sessions", err, errlen);
		} else if (strcmp(k, "nat_gateways") == 0) {
			rc = sl_cfg_uint(v, 1, SL_NAT_INDEX_MAX, &c->nat_gateways, what,
					 "nat_gateways", err, errlen);
		} else if (strcmp(k, "nat_public_ips") == 0) {
			rc = sl_cfg_uint(v, 1, SL_NAT_INDEX_MAX, &c->nat_public_ips, what,
					 "nat_public_ips", err, errlen);
		} else if (strcmp(k, "policers") == 0) {
			rc = sl_cfg_uint(v, 0, SL_POLICERS_MAX, &c->policers, what, "policers",
					 err, errlen);
		} else if (strcmp(k, "ip6_egress_flows") == 0) { /* issue 6 */
			rc = sl_cfg_uint(v, 0, SL_NAT_SESSIONS_MAX, &c->ip6_egress_flows, what,
					 "ip6_egress_flows", err, errlen);
		} else if (strcmp(k, "ports") == 0) {
			size_t i;
			json_t *p;

			if (!json_is_array(v))
				return sl_cfg_err(err, errlen, what, "ports: must be an array");
			if (json_array_size(v) > SL_MAX_PORTS)
				return sl_cfg_err(err, errlen, what,
						  "ports: %zu ports, at most %u supported",
						  json_array_size(v), SL_MAX_PORTS);
			rc = 0;
			json_array_foreach(v, i, p)
			{
				rc = sl_cfg_port(p, (unsigned int)i, &c->ports[i], what, err,
						 errlen);
				if (rc)
					return rc;
			}
			c->n_ports = (unsigned int)json_array_size(v);
		} else if (sl_cfg_is_comment(k)) {
			rc = 0;
		} else {
			return sl_cfg_err(
			    err, errlen, what,
			    "%.64s: unknown key (expected segment, mbufs, idle_sleep_us, nat_sessions, "
			    "nat_gateways, nat_public_ips, policers, ip6_egress_flows, ports)",
			    k);
		}
		if (rc)
			return rc;
	}
	if (c->n_ports == 0)
		return sl_cfg_err(err, errlen, what, "ports: at least one port is required");
	/* The k-th inside port is trunk k: the trunk number is part of a VPC's
	 * key in sluiced, so the order of the inside ports in this file is the
	 * contract (docs/sluice-dp.md). */
	c->n_trunks = 0;
	for (unsigned int i = 0; i < c->n_ports; i++) {
		if (c->ports[i].role != SL_ROLE_INSIDE)
			continue;
		if (c->n_trunks == SL_MAX_TRUNKS)
			return sl_cfg_err(err, errlen, what,
					  "ports[%u]: more than %u inside ports (trunks)", i,
					  SL_MAX_TRUNKS);
		c->ports[i].trunk = (uint8_t)c->n_trunks++;
	}
	for (unsigned int i = 0; i < c->n_ports; i++) {
		/* both roles: an inside port's TAP carries the trunk as it is,
		 * 802.1Q tags included (exception.c) */
		for (unsigned int j = 0; j < i; j++)
			if (c->ports[i].exception[0] &&
			    strcmp(c->ports[i].exception, c->ports[j].exception) == 0)
				return sl_cfg_err(
				    err, errlen, what,
				    "ports[%u].exception: \"%s\" already used by ports[%u]", i,
				    c->ports[i].exception, j);
	}
	for (unsigned int i = 0; i < c->n_ports; i++)
		for (unsigned int j = 0; j < i; j++)
			if (strcmp(c->ports[i].name, c->ports[j].name) == 0)
				return sl_cfg_err(
				    err, errlen, what,
				    "ports[%u].name: \"%s\" already used by ports[%u]", i,
				    c->ports[i].name, j);
	return 0;
}

int sl_config_parse(struct sl_config *c, const char *text, const char *what, char *err,
		    size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	sl_config_defaults(c);
	root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return sl_cfg_err(err, errlen, what, "line %d column %d: %s", jerr.line,
				  jerr.column, jerr.text);
	rc = sl_cfg_root(c, root, what, err, errlen);
	json_decref(root);
	return rc;
}

int sl_config_load(struct sl_config *c, const char *path, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	sl_config_defaults(c);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (jerr.line <= 0)
			return sl_cfg_err(err, errlen, path, "%s", jerr.text);
		return sl_cfg_err(err, errlen, path, "line %d column %d: %s", jerr.line,
				  jerr.column, jerr.text);
	}
	rc = sl_cfg_root(c, root, path, err, errlen);
	json_decref(root);
	return rc;
}
