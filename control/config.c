/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Config file loader: JSON (jansson) -> object store.
 *
 * Design note: this layer checks form only: that the JSON is an object of
 * known sections, that every object has only known keys (a typo such as
 * "VlanID" must not silently drop a setting), that values have the right
 * JSON type, that required keys are there, that addresses parse, and that
 * IDs are unique. Meaning (references, ranges, overlaps, quotas) is
 * validate.c's job. Every problem is recorded and parsing continues, so one
 * run reports everything wrong with a file. Messages name the file, the
 * object by its ID (or "Vpcs[2]" before the ID is known) and the field.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "sl_ctl_config.h"

/* `a` then `b` into `dst` (truncated like snprintf "%s%s"): the route
 * entries' keys and labels, 480,000 of them in a big config, without the
 * cost of a format string. */
static void sl_cat2(char *dst, size_t size, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la >= size)
		la = size - 1;
	memcpy(dst, a, la);
	if (lb >= size - la)
		lb = size - la - 1;
	memcpy(dst + la, b, lb);
	dst[la + lb] = '\0';
}

/* Object label for messages: "Vpc vpc-a", or "Vpcs[2]" without a usable ID. */
struct sl_label {
	char s[160];
};

static void sl_label_set(struct sl_label *l, const char *type, const char *section,
			 unsigned int idx, const char *id)
{
	if (id && id[0])
		snprintf(l->s, sizeof(l->s), "%s %s", type, id);
	else
		snprintf(l->s, sizeof(l->s), "%s[%u]", section, idx);
}

/* Reject keys outside `known` (NULL-terminated). "Comment" is always allowed. */
static void sl_check_keys(json_t *obj, const char *const *known, const char *label,
			  struct sl_errs *e)
{
	const char *key;
	json_t *val;

	json_object_foreach(obj, key, val)
	{
		bool ok = strcmp(key, "Comment") == 0;

		for (const char *const *k = known; !ok && *k; k++)
			ok = strcmp(key, *k) == 0;
		if (!ok) {
			char list[512] = "";

			for (const char *const *k = known; *k; k++) {
				strncat(list, *k, sizeof(list) - strlen(list) - 1);
				if (k[1])
					strncat(list, ", ", sizeof(list) - strlen(list) - 1);
			}
			sl_errs_add(e, label, key, "UnsupportedParameter",
				    "unknown key (known keys: %s)", list);
		}
	}
	(void)val;
}

/* A string value. Returns 1 present, 0 absent (or JSON null), -1 bad (reported). */
static int sl_get_str(json_t *obj, const char *key, bool required, const char *label,
		      struct sl_errs *e, const char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required) {
			sl_errs_add(e, label, key, "MissingParameter", "required");
			return -1;
		}
		return 0;
	}
	if (!json_is_string(v)) {
		sl_errs_add(e, label, key, "InvalidParameter", "must be a string");
		return -1;
	}
	*out = json_string_value(v);
	return 1;
}

/* A string copied into a fixed buffer (IDs): `rc` and `s` from sl_get_str()
 * or the route scanner's fields. */
static int sl_strbuf_of(int rc, const char *s, const char *key, const char *label,
			struct sl_errs *e, char *buf, size_t size)
{
	buf[0] = '\0';
	if (rc <= 0)
		return rc;
	if (strlen(s) >= size) {
		sl_errs_add(e, label, key, "InvalidParameter", "longer than %zu characters",
			    size - 1);
		return -1;
	}
	memcpy(buf, s, strlen(s) + 1);
	return 1;
}

static int sl_get_strbuf(json_t *obj, const char *key, bool required, const char *label,
			 struct sl_errs *e, char *buf, size_t size)
{
	const char *s;
	int rc = sl_get_str(obj, key, required, label, e, &s);

	return sl_strbuf_of(rc, s, key, label, e, buf, size);
}

/* IDs: 1-63 of [A-Za-z0-9._-]; they are index keys and appear in
 * "RouteTableId:destination" keys, so ':' and spaces are kept out. `rc`
 * and `buf` from sl_strbuf_of(). */
static int sl_id_of(int rc, const char *key, bool required, const char *label, struct sl_errs *e,
		    char *buf)
{
	if (rc <= 0)
		return rc;
	if (buf[0] == '\0') {
		if (required) {
			sl_errs_add(e, label, key, "MissingParameter", "empty");
			return -1;
		}
		return 0;
	}
	for (const char *c = buf; *c; c++) {
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.')) {
			sl_errs_add(
			    e, label, key, "InvalidParameter",
			    "'%s': an ID may contain only letters, digits, '-', '_' and '.'", buf);
			buf[0] = '\0';
			return -1;
		}
	}
	return 1;
}

static int sl_get_id(json_t *obj, const char *key, bool required, const char *label,
		     struct sl_errs *e, char *buf, size_t size)
{
	return sl_id_of(sl_get_strbuf(obj, key, required, label, e, buf, size), key, required,
			label, e, buf);
}

static int sl_get_strdup(json_t *obj, const char *key, const char *label, struct sl_errs *e,
			 char **out, bool *oom)
{
	const char *s;
	int rc = sl_get_str(obj, key, false, label, e, &s);

	*out = NULL;
	if (rc <= 0)
		return rc;
	*out = strdup(s);
	if (*out == NULL)
		*oom = true;
	return 1;
}

/* An integer. Returns 1 present, 0 absent, -1 bad. */
static int sl_get_int(json_t *obj, const char *key, bool required, const char *label,
		      const char *bad_code, struct sl_errs *e, long long *out)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v)) {
		if (required) {
			sl_errs_add(e, label, key, "MissingParameter", "required");
			return -1;
		}
		return 0;
	}
	if (!json_is_integer(v)) {
		sl_errs_add(e, label, key, bad_code, "must be an integer");
		return -1;
	}
	*out = json_integer_value(v);
	return 1;
}

/* A CIDR block. flags: SL_PFX_*. `fam` 0 = either family. Invalid -> family 0.
 * `rc` and `s` from sl_get_str() or the route scanner's fields. */
static int sl_cidr_of(int rc, const char *s, const char *key, unsigned int flags, uint8_t fam,
		      const char *label, struct sl_errs *e, struct sl_pfx *p, char *text,
		      size_t textsize)
{
	char buf[SL_PFX_STRLEN];

	memset(p, 0, sizeof(*p));
	if (text)
		text[0] = '\0';
	if (rc <= 0)
		return rc;
	if (text)
		sl_cat2(text, textsize, s, "");
	switch (sl_pfx_parse(s, p, flags)) {
	case SL_PFX_OK:
		break;
	case SL_PFX_HOSTBITS:
		sl_errs_add(e, label, key, "InvalidCidrBlock.Malformed",
			    "'%s' has host bits set beyond the prefix length (did you mean %s?)", s,
			    sl_pfx_fmt(p, buf, sizeof(buf)));
		memset(p, 0, sizeof(*p));
		return -1;
	default:
		sl_errs_add(e, label, key, "InvalidCidrBlock.Malformed",
			    "'%s' is not a CIDR block%s", s,
			    (flags & SL_PFX_BARE_OK) ? " or an IP address" : " (address/length)");
		return -1;
	}
	if (fam && p->family != fam) {
		sl_errs_add(e, label, key, "InvalidCidrBlock.Malformed", "'%s' is not an %s block",
			    s, fam == SL_AF_INET ? "IPv4" : "IPv6");
		memset(p, 0, sizeof(*p));
		return -1;
	}
	return 1;
}

static int sl_get_cidr(json_t *obj, const char *key, bool required, unsigned int flags, uint8_t fam,
		       const char *label, struct sl_errs *e, struct sl_pfx *p, char *text,
		       size_t textsize)
{
	const char *s;
	int rc = sl_get_str(obj, key, required, label, e, &s);

	return sl_cidr_of(rc, s, key, flags, fam, label, e, p, text, textsize);
}

/* A plain address of family `fam` (0 = either). */
static int sl_get_ip(json_t *obj, const char *key, bool required, uint8_t fam, const char *code,
		     const char *label, struct sl_errs *e, struct sl_pfx *ip)
{
	const char *s;
	int rc = sl_get_str(obj, key, required, label, e, &s);

	memset(ip, 0, sizeof(*ip));
	if (rc <= 0)
		return rc;
	if (sl_ip_parse(s, ip) != SL_PFX_OK || (fam && ip->family != fam)) {
		sl_errs_add(e, label, key, code, "'%s' is not an %s address", s,
			    fam == SL_AF_INET	 ? "IPv4"
			    : fam == SL_AF_INET6 ? "IPv6"
						 : "IP");
		memset(ip, 0, sizeof(*ip));
		return -1;
	}
	return 1;
}

/* Array section: absent is empty; anything else must be an array of objects. */
static json_t *sl_get_array(json_t *root, const char *key, const char *label, struct sl_errs *e)
{
	json_t *a = json_object_get(root, key);

	if (a == NULL || json_is_null(a))
		return NULL;
	if (!json_is_array(a)) {
		sl_errs_add(e, label, key, "InvalidParameter", "must be an array");
		return NULL;
	}
	return a;
}

static bool sl_is_obj(json_t *o, const char *section, size_t i, struct sl_errs *e)
{
	if (json_is_object(o))
		return true;
	sl_errs_add(e, "", NULL, "InvalidParameter", "%s[%zu] must be a JSON object", section, i);
	return false;
}

int sl_cfg_default_route_table(const char *vpc_id, char *out, size_t size)
{
	const char *rest = strncmp(vpc_id, "vpc-", 4) == 0 ? vpc_id + 4 : vpc_id;

	if ((size_t)snprintf(out, size, "vtb-%s", rest) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* ---- objects ------------------------------------------------------------- */

/*
 * One parser per object kind, each reading one JSON object (a config file
 * array element or a database row: same schema) into the store. `st0`
 * seeds the object's state (file index, origin, creation time). They
 * return 0 (the object was stored, or its errors were recorded) or
 * -ENOMEM. sl_kinds[] ties them to their section names; sl_cfg_build()
 * and sl_cfg_add_object() are the two callers.
 */

/* Report a duplicate ID `field`; `first` is the object already stored. */
static void sl_dup(const char *label, const char *field, const char *section,
		   const struct sl_obj_state *first, struct sl_errs *e)
{
	if (!first->from_db)
		sl_errs_add(e, label, field, "InvalidParameter",
			    "duplicate %s (first defined at %s[%u])", field, section,
			    first->file_index);
	else
		sl_errs_add(e, label, field, "InvalidParameter",
			    "duplicate %s (already created through the API)", field);
}

static int sl_parse_region(json_t *ro, const struct sl_obj_state *st0, struct sl_store *s,
			   struct sl_errs *e)
{
	static const char *const rkeys[] = {"RegionId", "LocalName", "Zones", NULL};
	static const char *const zkeys[] = {"ZoneId", "LocalName", NULL};
	unsigned int i = st0->file_index;
	struct sl_region_obj *r;
	struct sl_label l;
	json_t *zarr, *zo;
	bool oom = false;
	size_t j;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	r->st = *st0;
	sl_label_set(&l, "Region", "Regions", i, NULL);
	sl_get_id(ro, "RegionId", true, l.s, e, r->id, sizeof(r->id));
	sl_label_set(&l, "Region", "Regions", i, r->id);
	sl_check_keys(ro, rkeys, l.s, e);
	sl_get_strdup(ro, "LocalName", l.s, e, &r->local_name, &oom);
	zarr = sl_get_array(ro, "Zones", l.s, e);
	if (zarr && json_array_size(zarr)) {
		r->zones = calloc(json_array_size(zarr), sizeof(*r->zones));
		if (r->zones == NULL)
			oom = true;
	}
	json_array_foreach(zarr, j, zo)
	{
		struct sl_zone_obj *z;
		struct sl_label zl;

		if (oom)
			break;
		if (!json_is_object(zo)) {
			sl_errs_add(e, l.s, "Zones", "InvalidParameter",
				    "Zones[%zu] must be a JSON object", j);
			continue;
		}
		z = calloc(1, sizeof(*z));
		if (z == NULL) {
			oom = true;
			break;
		}
		z->st = *st0;
		z->st.file_index = (unsigned int)j;
		z->region = r;
		sl_label_set(&zl, "Zone", "Zones", (unsigned int)j, NULL);
		sl_get_id(zo, "ZoneId", true, zl.s, e, z->id, sizeof(z->id));
		sl_label_set(&zl, "Zone", "Zones", (unsigned int)j, z->id);
		sl_check_keys(zo, zkeys, zl.s, e);
		sl_get_strdup(zo, "LocalName", zl.s, e, &z->local_name, &oom);
		if (z->id[0] == '\0') {
			free(z->local_name);
			free(z);
			continue;
		}
		/* duplicate zone inside this region */
		for (unsigned int k = 0; k < r->n_zones; k++)
			if (strcmp(r->zones[k]->id, z->id) == 0) {
				sl_errs_add(e, zl.s, "ZoneId", "InvalidParameter",
					    "duplicate ZoneId in region %s", r->id);
				free(z->local_name);
				free(z);
				z = NULL;
				break;
			}
		if (z)
			r->zones[r->n_zones++] = z;
	}
	if (oom || r->id[0] == '\0') {
		sl_region_free(r);
		return oom ? -ENOMEM : 0;
	}
	switch (sl_store_add_region(s, r)) {
	case 0:
		break;
	case -EEXIST:
		if (sl_jsl_get(s->regions, r->id))
			sl_errs_add(e, l.s, "RegionId", "InvalidParameter", "duplicate RegionId");
		else
			sl_errs_add(e, l.s, "Zones", "InvalidParameter",
				    "a ZoneId of this region is already used by another "
				    "region");
		sl_region_free(r);
		break;
	default:
		sl_region_free(r);
		return -ENOMEM;
	}
	return 0;
}

static int sl_parse_vpc(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			struct sl_errs *e)
{
	static const char *const keys[] = {
	    "VpcId",	     "RegionId", "VpcName",	 "Description", "CidrBlock",
	    "Ipv6CidrBlock", "VlanId",	 "Trunk",	 "RouteTableId", "Mtu",	NULL};
	struct sl_vpc_obj *v;
	struct sl_label l;
	long long n;
	bool oom = false;
	int rc;

	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	v->st = *st0;
	v->vlan = -1;
	v->mtu = SL_DEFAULT_MTU;
	sl_label_set(&l, "Vpc", "Vpcs", st0->file_index, NULL);
	sl_get_id(o, "VpcId", true, l.s, e, v->id, sizeof(v->id));
	sl_label_set(&l, "Vpc", "Vpcs", st0->file_index, v->id);
	sl_check_keys(o, keys, l.s, e);
	sl_get_id(o, "RegionId", true, l.s, e, v->region_id, sizeof(v->region_id));
	sl_get_strdup(o, "VpcName", l.s, e, &v->name, &oom);
	sl_get_strdup(o, "Description", l.s, e, &v->description, &oom);
	rc = sl_get_cidr(o, "CidrBlock", false, SL_PFX_NEED_LEN, SL_AF_INET, l.s, e, &v->cidr, NULL,
			 0);
	if (rc == 0)
		sl_pfx_parse(SL_DEFAULT_VPC_CIDR, &v->cidr, 0);
	v->cidr6_given = sl_get_cidr(o, "Ipv6CidrBlock", false, SL_PFX_NEED_LEN, SL_AF_INET6, l.s,
				     e, &v->cidr6, NULL, 0) != 0;
	if (sl_get_int(o, "VlanId", true, l.s, "InvalidVlanId.Malformed", e, &n) > 0)
		v->vlan = (n < 0 || n > 65535) ? 65535 : (int)n; /* range: validate.c */
	if (sl_get_int(o, "Trunk", false, l.s, "InvalidParameter", e, &n) > 0)
		v->trunk = (n < 0 || n > 65535) ? -1 : (int)n; /* range: validate.c */
	if (sl_get_int(o, "Mtu", false, l.s, "InvalidParameter", e, &n) > 0)
		v->mtu = (n < 0 || n > 65535) ? 0 : (unsigned int)n;
	rc = sl_get_id(o, "RouteTableId", false, l.s, e, v->route_table_id,
		       sizeof(v->route_table_id));
	if (rc == 0 && v->id[0]) {
		v->route_table_derived = true;
		if (sl_cfg_default_route_table(v->id, v->route_table_id,
					       sizeof(v->route_table_id)) < 0) {
			sl_errs_add(e, l.s, "RouteTableId", "InvalidParameter",
				    "the RouteTableId derived from the VpcId is too long: "
				    "give one");
			v->route_table_id[0] = '\0';
		}
	}
	if (oom || v->id[0] == '\0') {
		sl_vpc_free(v);
		return oom ? -ENOMEM : 0;
	}
	rc = sl_store_add_vpc(s, v);
	if (rc == -EEXIST)
		sl_dup(l.s, "VpcId", "Vpcs", &sl_store_vpc(s, v->id)->st, e);
	if (rc < 0)
		sl_vpc_free(v);
	return rc == -ENOMEM ? rc : 0;
}

static int sl_parse_vswitch(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			    struct sl_errs *e)
{
	static const char *const keys[] = {
	    "VSwitchId",     "VpcId",	    "ZoneId",	   "CidrBlock",
	    "Ipv6CidrBlock", "VSwitchName", "Description", NULL};
	struct sl_vswitch_obj *w;
	struct sl_label l;
	bool oom = false;
	int rc;

	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	w->st = *st0;
	sl_label_set(&l, "VSwitch", "VSwitches", st0->file_index, NULL);
	sl_get_id(o, "VSwitchId", true, l.s, e, w->id, sizeof(w->id));
	sl_label_set(&l, "VSwitch", "VSwitches", st0->file_index, w->id);
	sl_check_keys(o, keys, l.s, e);
	sl_get_id(o, "VpcId", true, l.s, e, w->vpc_id, sizeof(w->vpc_id));
	sl_get_id(o, "ZoneId", true, l.s, e, w->zone_id, sizeof(w->zone_id));
	sl_get_cidr(o, "CidrBlock", true, SL_PFX_NEED_LEN, SL_AF_INET, l.s, e, &w->cidr, NULL, 0);
	w->cidr6_given = sl_get_cidr(o, "Ipv6CidrBlock", false, SL_PFX_NEED_LEN, SL_AF_INET6, l.s,
				     e, &w->cidr6, NULL, 0) != 0;
	sl_get_strdup(o, "VSwitchName", l.s, e, &w->name, &oom);
	sl_get_strdup(o, "Description", l.s, e, &w->description, &oom);
	if (oom || w->id[0] == '\0') {
		sl_vswitch_free(w);
		return oom ? -ENOMEM : 0;
	}
	rc = sl_store_add_vswitch(s, w);
	if (rc == -EEXIST)
		sl_dup(l.s, "VSwitchId", "VSwitches", &sl_store_vswitch(s, w->id)->st, e);
	if (rc < 0)
		sl_vswitch_free(w);
	return rc == -ENOMEM ? rc : 0;
}

static int sl_parse_instance(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			     struct sl_errs *e)
{
	static const char *const keys[] = {"InstanceId",       "VSwitchId",   "VpcId",
					   "PrivateIpAddress", "Ipv6Address", NULL};
	struct sl_instance_obj *in;
	struct sl_label l;
	int rc;

	in = calloc(1, sizeof(*in));
	if (in == NULL)
		return -ENOMEM;
	in->st = *st0;
	sl_label_set(&l, "Instance", "Instances", st0->file_index, NULL);
	sl_get_id(o, "InstanceId", true, l.s, e, in->id, sizeof(in->id));
	sl_label_set(&l, "Instance", "Instances", st0->file_index, in->id);
	sl_check_keys(o, keys, l.s, e);
	sl_get_id(o, "VSwitchId", true, l.s, e, in->vswitch_id, sizeof(in->vswitch_id));
	sl_get_id(o, "VpcId", false, l.s, e, in->vpc_id, sizeof(in->vpc_id));
	sl_get_ip(o, "PrivateIpAddress", true, SL_AF_INET, "InvalidPrivateIpAddress.Malformed", l.s,
		  e, &in->ip4);
	in->ip6_given = sl_get_ip(o, "Ipv6Address", false, SL_AF_INET6,
				  "InvalidIpv6Address.Malformed", l.s, e, &in->ip6) != 0;
	if (in->id[0] == '\0') {
		sl_instance_free(in);
		return 0;
	}
	rc = sl_store_add_instance(s, in);
	if (rc == -EEXIST)
		sl_dup(l.s, "InstanceId", "Instances", &sl_store_instance(s, in->id)->st, e);
	if (rc < 0)
		sl_instance_free(in);
	return rc == -ENOMEM ? rc : 0;
}

/*
 * A route entry's members come from a JSON object (the jansson path, a
 * database row) or from the route scanner (cfg_scan.c: only the four known
 * keys, string values). One parser for both, so both give the same object
 * and the same errors in the same order; what only a JSON object can have
 * (unknown keys, values of another type, NextHopList) is checked when
 * there is one.
 */
struct sl_route_src {
	json_t *o;				/**< or NULL: */
	const struct sl_cfg_route_fields *f; /**< the scanner's members */
};

static int sl_route_str(const struct sl_route_src *src, int field, const char *key, bool required,
			const char *label, struct sl_errs *e, const char **out)
{
	if (src->o != NULL)
		return sl_get_str(src->o, key, required, label, e, out);
	*out = src->f->v[field];
	if (*out != NULL)
		return 1;
	if (required) {
		sl_errs_add(e, label, key, "MissingParameter", "required");
		return -1;
	}
	return 0;
}

/* "prefix" + decimal n + "]" (a label without a format string) */
static void sl_label_index(char *dst, size_t size, const char *prefix, unsigned int n)
{
	char num[12];
	size_t k = sizeof(num);

	num[--k] = '\0';
	num[--k] = ']';
	do
		num[--k] = (char)('0' + n % 10);
	while ((n /= 10) != 0 && k > 0);
	sl_cat2(dst, size, prefix, num + k);
}

/* ":" + the canonical prefix text (sl_pfx_fmt()'s, IPv4 without it) */
static void sl_route_canon(const struct sl_pfx *p, char *out, size_t size)
{
	if (p->family == SL_AF_INET && size >= 20) {
		uint32_t a = (uint32_t)p->addr;
		char *o = out;
		unsigned int v;

		*o++ = ':';
		for (int b = 3; b >= -1; b--) {
			v = b >= 0 ? (a >> (8 * b)) & 255 : p->len;
			if (v >= 100)
				*o++ = (char)('0' + v / 100);
			if (v >= 10)
				*o++ = (char)('0' + v / 10 % 10);
			*o++ = (char)('0' + v % 10);
			*o++ = b > 0 ? '.' : b == 0 ? '/' : '\0';
		}
		return;
	}
	out[0] = ':';
	sl_pfx_fmt(p, out + 1, size - 1);
}

static int sl_parse_route_src(const struct sl_route_src *src, const struct sl_obj_state *st0,
			      struct sl_store *s, struct sl_errs *e)
{
	static const char *const keys[] = {"RouteTableId", "DestinationCidrBlock", "NextHopType",
					   "NextHopId",	   "NextHopList",	   NULL};
	unsigned int i = st0->file_index;
	struct sl_route_obj *r;
	struct sl_label l;
	char canon[SL_PFX_STRLEN + 1];
	const char *t;
	int rc;

	r = sl_store_new_route(s);
	if (r == NULL)
		return -ENOMEM;
	r->st = *st0;
	r->st.in_arena = true;
	sl_label_index(l.s, sizeof(l.s), "RouteEntries[", i);
	rc = sl_route_str(src, SL_RF_TABLE, "RouteTableId", true, l.s, e, &t);
	rc = sl_strbuf_of(rc, t, "RouteTableId", l.s, e, r->route_table_id,
			  sizeof(r->route_table_id));
	sl_id_of(rc, "RouteTableId", true, l.s, e, r->route_table_id);
	rc = sl_route_str(src, SL_RF_DEST, "DestinationCidrBlock", true, l.s, e, &t);
	sl_cidr_of(rc, t, "DestinationCidrBlock", SL_PFX_BARE_OK, 0, l.s, e, &r->dest, r->dest_text,
		   sizeof(r->dest_text));
	if (r->dest.family) {
		sl_route_canon(&r->dest, canon, sizeof(canon));
		sl_cat2(r->key, sizeof(r->key), r->route_table_id, canon);
	} else {
		snprintf(r->key, sizeof(r->key), "%s:RouteEntries[%u]", r->route_table_id, i);
	}
	if (r->route_table_id[0] && r->dest.family)
		sl_cat2(l.s, sizeof(l.s), "RouteEntry ", r->key);
	if (src->o != NULL)
		sl_check_keys(src->o, keys, l.s, e);
	rc = sl_route_str(src, SL_RF_TYPE, "NextHopType", false, l.s, e, &t);
	if (rc > 0 && strlen(t) < sizeof(r->next_hop_type))
		sl_cat2(r->next_hop_type, sizeof(r->next_hop_type), t, "");
	else if (rc > 0)
		snprintf(r->next_hop_type, sizeof(r->next_hop_type), "(invalid)");
	else if (rc == 0)
		snprintf(r->next_hop_type, sizeof(r->next_hop_type), "Instance");
	if (src->o != NULL && json_object_get(src->o, "NextHopList") != NULL)
		sl_errs_add(e, l.s, "NextHopList", "InvalidParameter",
			    "ECMP route entries (NextHopList) are not supported by sluice "
			    "(sluice deviation: the document allows them only towards "
			    "RouterInterfaces, which sluice does not implement)");
	rc = sl_route_str(src, SL_RF_HOP, "NextHopId", true, l.s, e, &t);
	rc = sl_strbuf_of(rc, t, "NextHopId", l.s, e, r->next_hop_id, sizeof(r->next_hop_id));
	sl_id_of(rc, "NextHopId", true, l.s, e, r->next_hop_id);
	rc = sl_store_add_route(s, r);
	if (rc == -EEXIST) {
		struct sl_route_obj *first = sl_jsl_get(s->routes, r->key);

		sl_errs_add(e, l.s, "DestinationCidrBlock", "InvalidCIDRBlock.Duplicate",
			    "%s is already in route table %s (%s%u%s)", r->dest_text,
			    r->route_table_id,
			    first->st.from_db ? "created through the API, " : "RouteEntries[",
			    first->st.file_index, first->st.from_db ? "" : "]");
	}
	/* a refused entry stays in the arena until the store is freed */
	return rc == -ENOMEM ? rc : 0;
}

static int sl_parse_route(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			  struct sl_errs *e)
{
	const struct sl_route_src src = {.o = o};

	return sl_parse_route_src(&src, st0, s, e);
}

/* ---- NAT gateways, EIPs, SNAT and forward entries ------------------------ */

/* An optional text into a fixed buffer ("" when absent). */
static void sl_get_text(json_t *o, const char *key, const char *label, struct sl_errs *e, char *buf,
			size_t size)
{
	sl_get_strbuf(o, key, false, label, e, buf, size);
}

/* After adding a parsed NAT object (rc of sl_store_add_*, -EINVAL when it
 * had no id): report a duplicate id, free what was not stored. */
static int sl_nat_added(int rc, Pvoid_t idx, void *obj, const char *id, const char *label,
			const char *field, const char *section, struct sl_errs *e)
{
	if (rc == -EEXIST)
		sl_dup(label, field, section, sl_jsl_get(idx, id), e);
	if (rc < 0)
		free(obj);
	return rc == -ENOMEM ? rc : 0;
}

int sl_cfg_nat_table_ids(const char *ngw_id, char *stb, char *ftb, size_t size)
{
	const char *rest = strncmp(ngw_id, "ngw-", 4) == 0 ? ngw_id + 4 : ngw_id;

	if ((size_t)snprintf(stb, size, "stb-%s", rest) >= size ||
	    (size_t)snprintf(ftb, size, "ftb-%s", rest) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int sl_parse_natgw(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			  struct sl_errs *e)
{
	static const char *const keys[] = {"NatGatewayId",
					   "VpcId",
					   "VSwitchId",
					   "Spec",
					   "Name",
					   "Description",
					   "EndpointIndependentFiltering",
					   NULL};
	json_t *eif;
	struct sl_natgw_obj *n = calloc(1, sizeof(*n));
	struct sl_label l;

	if (n == NULL)
		return -ENOMEM;
	n->st = *st0;
	sl_label_set(&l, "NatGateway", "NatGateways", st0->file_index, NULL);
	sl_get_id(o, "NatGatewayId", true, l.s, e, n->id, sizeof(n->id));
	sl_label_set(&l, "NatGateway", "NatGateways", st0->file_index, n->id);
	sl_check_keys(o, keys, l.s, e);
	sl_get_id(o, "VpcId", true, l.s, e, n->vpc_id, sizeof(n->vpc_id));
	sl_get_id(o, "VSwitchId", false, l.s, e, n->vswitch_id, sizeof(n->vswitch_id));
	sl_get_text(o, "Spec", l.s, e, n->spec, sizeof(n->spec));
	if (n->spec[0] == '\0')
		snprintf(n->spec, sizeof(n->spec), "Small");
	/* a JSON boolean (file) or "true"/"false" (an API parameter's row) */
	eif = json_object_get(o, "EndpointIndependentFiltering");
	if (json_is_boolean(eif))
		n->eif = json_is_true(eif);
	else if (json_is_string(eif) && (strcmp(json_string_value(eif), "true") == 0 ||
					 strcmp(json_string_value(eif), "false") == 0))
		n->eif = strcmp(json_string_value(eif), "true") == 0;
	else if (eif != NULL && !json_is_null(eif))
		sl_errs_add(e, l.s, "EndpointIndependentFiltering", "InvalidParameter",
			    "must be true or false");
	sl_get_text(o, "Name", l.s, e, n->name, sizeof(n->name));
	sl_get_text(o, "Description", l.s, e, n->description, sizeof(n->description));
	if (n->id[0] &&
	    sl_cfg_nat_table_ids(n->id, n->snat_table_id, n->fwd_table_id, SL_ID_LEN) < 0) {
		sl_errs_add(e, l.s, "NatGatewayId", "InvalidParameter", "too long");
		n->id[0] = '\0';
	}
	return sl_nat_added(n->id[0] ? sl_store_add_natgw(s, n) : -EINVAL, s->natgws, n, n->id, l.s,
			    "NatGatewayId", "NatGateways", e);
}

static int sl_parse_eip(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			struct sl_errs *e)
{
	static const char *const keys[] = {"AllocationId",
					   "IpAddress",
					   "Bandwidth",
					   "InternetChargeType",
					   "InstanceType",
					   "InstanceId",
					   "Name",
					   "Description",
					   NULL};
	struct sl_eip_obj *p = calloc(1, sizeof(*p));
	struct sl_label l;
	long long bw = SL_EIP_BANDWIDTH_DEFAULT;

	if (p == NULL)
		return -ENOMEM;
	p->st = *st0;
	sl_label_set(&l, "EipAddress", "EipAddresses", st0->file_index, NULL);
	sl_get_id(o, "AllocationId", true, l.s, e, p->id, sizeof(p->id));
	sl_label_set(&l, "EipAddress", "EipAddresses", st0->file_index, p->id);
	sl_check_keys(o, keys, l.s, e);
	sl_get_ip(o, "IpAddress", true, SL_AF_INET, "InvalidIpAddress.Malformed", l.s, e, &p->ip);
	if (sl_get_int(o, "Bandwidth", false, l.s, "InvalidParameter", e, &bw) >= 0 &&
	    (bw < SL_EIP_BANDWIDTH_MIN || bw > SL_EIP_BANDWIDTH_MAX))
		sl_errs_add(e, l.s, "Bandwidth", "InvalidParameter", "%lld Mbps is outside %d-%d",
			    bw, SL_EIP_BANDWIDTH_MIN, SL_EIP_BANDWIDTH_MAX);
	p->bandwidth = bw > 0 && bw <= SL_EIP_BANDWIDTH_MAX ? (unsigned int)bw : 0;
	sl_get_text(o, "InternetChargeType", l.s, e, p->charge_type, sizeof(p->charge_type));
	if (p->charge_type[0] == '\0')
		snprintf(p->charge_type, sizeof(p->charge_type), "PayByBandwidth");
	else if (strcmp(p->charge_type, "PayByBandwidth") && strcmp(p->charge_type, "PayByTraffic"))
		sl_errs_add(e, l.s, "InternetChargeType", "InvalidParameter",
			    "'%s': PayByBandwidth or PayByTraffic", p->charge_type);
	sl_get_text(o, "InstanceType", l.s, e, p->instance_type, sizeof(p->instance_type));
	sl_get_id(o, "InstanceId", false, l.s, e, p->instance_id, sizeof(p->instance_id));
	sl_get_text(o, "Name", l.s, e, p->name, sizeof(p->name));
	sl_get_text(o, "Description", l.s, e, p->description, sizeof(p->description));
	return sl_nat_added(p->id[0] ? sl_store_add_eip(s, p) : -EINVAL, s->eips, p, p->id, l.s,
			    "AllocationId", "EipAddresses", e);
}

int sl_cfg_snat_ips(const char *text, struct sl_pfx *ips, unsigned int *n)
{
	const char *c = text;

	*n = 0;
	while (*c) {
		char one[SL_PFX_STRLEN];
		size_t len = strcspn(c, ",");
		struct sl_pfx ip;

		if (len == 0 || len >= sizeof(one) || *n == SL_SNAT_POOL_MAX)
			return -1;
		memcpy(one, c, len);
		one[len] = '\0';
		if (sl_ip_parse(one, &ip) != SL_PFX_OK || ip.family != SL_AF_INET)
			return -1;
		for (unsigned int i = 0; i < *n; i++)
			if (ips[i].addr == ip.addr)
				return -1;
		ips[(*n)++] = ip;
		c += len;
		if (*c == ',' && *++c == '\0')
			return -1;
	}
	return *n ? 0 : -1;
}

static int sl_parse_snat(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			 struct sl_errs *e)
{
	static const char *const keys[] = {"SnatEntryId", "SnatTableId", "SourceVSwitchId",
					   "SourceCIDR",  "SnatIp",	 "SnatEntryName",
					   NULL};
	struct sl_snat_obj *n = calloc(1, sizeof(*n));
	struct sl_label l;
	const char *ips;

	if (n == NULL)
		return -ENOMEM;
	n->st = *st0;
	sl_label_set(&l, "SnatEntry", "SnatEntries", st0->file_index, NULL);
	sl_get_id(o, "SnatEntryId", true, l.s, e, n->id, sizeof(n->id));
	sl_label_set(&l, "SnatEntry", "SnatEntries", st0->file_index, n->id);
	sl_check_keys(o, keys, l.s, e);
	sl_get_id(o, "SnatTableId", true, l.s, e, n->table_id, sizeof(n->table_id));
	sl_get_id(o, "SourceVSwitchId", false, l.s, e, n->source_vswitch_id,
		  sizeof(n->source_vswitch_id));
	n->cidr_given = sl_get_cidr(o, "SourceCIDR", false, SL_PFX_NEED_LEN, SL_AF_INET, l.s, e,
				    &n->source_cidr, NULL, 0) != 0;
	if (n->cidr_given == (n->source_vswitch_id[0] != '\0'))
		sl_errs_add(e, l.s, "SourceCIDR",
			    n->cidr_given ? "InvalidParameter" : "MissingParameter",
			    "exactly one of SourceVSwitchId and SourceCIDR");
	if (sl_get_str(o, "SnatIp", true, l.s, e, &ips) > 0 &&
	    sl_cfg_snat_ips(ips, n->ips, &n->n_ips) < 0) {
		n->n_ips = 0;
		sl_errs_add(e, l.s, "SnatIp", "InvalidSnatIp.Malformed",
			    "'%.64s': one IPv4 address or a comma-separated pool of up to %d "
			    "different ones",
			    ips, SL_SNAT_POOL_MAX);
	}
	sl_get_text(o, "SnatEntryName", l.s, e, n->name, sizeof(n->name));
	return sl_nat_added(n->id[0] ? sl_store_add_snat(s, n) : -EINVAL, s->snats, n, n->id, l.s,
			    "SnatEntryId", "SnatEntries", e);
}

/* "Any" -> 0, "1".."65535" -> the port; -1 otherwise. */
int sl_cfg_port(const char *t)
{
	char *end;
	long v;

	if (strcasecmp(t, "any") == 0)
		return 0;
	if (*t < '0' || *t > '9')
		return -1;
	v = strtol(t, &end, 10);
	return *end || v < 1 || v > 65535 ? -1 : (int)v;
}

/* TCP, UDP, Any (any case) -> the canonical spelling; NULL otherwise. */
const char *sl_cfg_proto(const char *t)
{
	static const char *const v[] = {"TCP", "UDP", "Any", NULL};

	for (const char *const *p = v; *p; p++)
		if (strcasecmp(t, *p) == 0)
			return *p;
	return NULL;
}

static void sl_get_port(json_t *o, const char *key, const char *code, const char *label,
			struct sl_errs *e, unsigned int *port)
{
	const char *t;
	int v;

	*port = 0;
	if (sl_get_str(o, key, true, label, e, &t) <= 0)
		return;
	v = sl_cfg_port(t);
	if (v < 0)
		sl_errs_add(e, label, key, code, "'%.16s': a port 1-65535 or Any", t);
	else
		*port = (unsigned int)v;
}

static int sl_parse_fwd(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			struct sl_errs *e)
{
	static const char *const keys[] = {"ForwardEntryId", "ForwardTableId",	 "ExternalIp",
					   "ExternalPort",   "IpProtocol",	 "InternalIp",
					   "InternalPort",   "ForwardEntryName", NULL};
	struct sl_fwd_obj *f = calloc(1, sizeof(*f));
	struct sl_label l;
	const char *t, *proto;

	if (f == NULL)
		return -ENOMEM;
	f->st = *st0;
	sl_label_set(&l, "ForwardEntry", "ForwardEntries", st0->file_index, NULL);
	sl_get_id(o, "ForwardEntryId", true, l.s, e, f->id, sizeof(f->id));
	sl_label_set(&l, "ForwardEntry", "ForwardEntries", st0->file_index, f->id);
	sl_check_keys(o, keys, l.s, e);
	sl_get_id(o, "ForwardTableId", true, l.s, e, f->table_id, sizeof(f->table_id));
	sl_get_ip(o, "ExternalIp", true, SL_AF_INET, "InvalidExternalIp.Malformed", l.s, e,
		  &f->ext_ip);
	sl_get_ip(o, "InternalIp", true, SL_AF_INET, "InvalidInternalIp.Malformed", l.s, e,
		  &f->int_ip);
	sl_get_port(o, "ExternalPort", "InvalidExternalPort.Malformed", l.s, e, &f->ext_port);
	sl_get_port(o, "InternalPort", "InvalidInternalPort.Malformed", l.s, e, &f->int_port);
	if (sl_get_str(o, "IpProtocol", true, l.s, e, &t) > 0) {
		proto = sl_cfg_proto(t);
		if (proto == NULL)
			sl_errs_add(e, l.s, "IpProtocol", "InvalidProtocol.ValueNotSupported",
				    "'%.16s': TCP, UDP or Any", t);
		else
			snprintf(f->proto, sizeof(f->proto), "%s", proto);
	}
	sl_get_text(o, "ForwardEntryName", l.s, e, f->name, sizeof(f->name));
	return sl_nat_added(f->id[0] ? sl_store_add_fwd(s, f) : -EINVAL, s->fwds, f, f->id, l.s,
			    "ForwardEntryId", "ForwardEntries", e);
}

/* ---- IPv6 gateways, addresses, Internet bandwidths, egress-only rules ---- */

static int sl_parse_ipv6gw(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			   struct sl_errs *e)
{
	static const char *const keys[] = {"Ipv6GatewayId", "VpcId",	   "Spec",
					   "Name",	    "Description", NULL};
	struct sl_ipv6gw_obj *g = calloc(1, sizeof(*g));
	struct sl_label l;

	if (g == NULL)
		return -ENOMEM;
	g->st = *st0;
	sl_label_set(&l, "Ipv6Gateway", "Ipv6Gateways", st0->file_index, NULL);
	sl_get_id(o, "Ipv6GatewayId", true, l.s, e, g->id, sizeof(g->id));
	sl_label_set(&l, "Ipv6Gateway", "Ipv6Gateways", st0->file_index, g->id);
	sl_check_keys(o, keys, l.s, e);
	sl_get_id(o, "VpcId", true, l.s, e, g->vpc_id, sizeof(g->vpc_id));
	sl_get_text(o, "Spec", l.s, e, g->spec, sizeof(g->spec));
	if (g->spec[0] == '\0')
		snprintf(g->spec, sizeof(g->spec), "Small");
	sl_get_text(o, "Name", l.s, e, g->name, sizeof(g->name));
	sl_get_text(o, "Description", l.s, e, g->description, sizeof(g->description));
	return sl_nat_added(g->id[0] ? sl_store_add_ipv6gw(s, g) : -EINVAL, s->ipv6gws, g, g->id,
			    l.s, "Ipv6GatewayId", "Ipv6Gateways", e);
}

static int sl_parse_ipv6addr(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			     struct sl_errs *e)
{
	static const char *const keys[] = {
	    "Ipv6AddressId",	      "VSwitchId", "Ipv6Address", "Ipv6AddressName",
	    "Ipv6AddressDescription", NULL};
	struct sl_ipv6addr_obj *a = calloc(1, sizeof(*a));
	struct sl_label l;

	if (a == NULL)
		return -ENOMEM;
	a->st = *st0;
	sl_label_set(&l, "Ipv6Address", "Ipv6Addresses", st0->file_index, NULL);
	sl_get_id(o, "Ipv6AddressId", true, l.s, e, a->id, sizeof(a->id));
	sl_label_set(&l, "Ipv6Address", "Ipv6Addresses", st0->file_index, a->id);
	sl_check_keys(o, keys, l.s, e);
	sl_get_id(o, "VSwitchId", true, l.s, e, a->vswitch_id, sizeof(a->vswitch_id));
	sl_get_ip(o, "Ipv6Address", true, SL_AF_INET6, "InvalidIpv6Address.Malformed", l.s, e,
		  &a->ip);
	sl_get_text(o, "Ipv6AddressName", l.s, e, a->name, sizeof(a->name));
	sl_get_text(o, "Ipv6AddressDescription", l.s, e, a->description, sizeof(a->description));
	return sl_nat_added(a->id[0] ? sl_store_add_ipv6addr(s, a) : -EINVAL, s->ipv6addrs, a,
			    a->id, l.s, "Ipv6AddressId", "Ipv6Addresses", e);
}

static int sl_parse_ipv6bw(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			   struct sl_errs *e)
{
	static const char *const keys[] = {"Ipv6InternetBandwidthId", "Ipv6AddressId",
					   "Ipv6GatewayId",	      "Bandwidth",
					   "InternetChargeType",      NULL};
	struct sl_ipv6bw_obj *b = calloc(1, sizeof(*b));
	struct sl_label l;
	long long bw = 0;

	if (b == NULL)
		return -ENOMEM;
	b->st = *st0;
	sl_label_set(&l, "Ipv6InternetBandwidth", "Ipv6InternetBandwidths", st0->file_index, NULL);
	sl_get_id(o, "Ipv6InternetBandwidthId", true, l.s, e, b->id, sizeof(b->id));
	sl_label_set(&l, "Ipv6InternetBandwidth", "Ipv6InternetBandwidths", st0->file_index, b->id);
	sl_check_keys(o, keys, l.s, e);
	sl_get_id(o, "Ipv6AddressId", true, l.s, e, b->addr_id, sizeof(b->addr_id));
	sl_get_id(o, "Ipv6GatewayId", false, l.s, e, b->gw_id, sizeof(b->gw_id));
	if (sl_get_int(o, "Bandwidth", true, l.s, "IllegalParam.Bandwidth", e, &bw) > 0 &&
	    (bw < SL_IPV6_BW_MIN || bw > SL_IPV6_BW_MAX))
		sl_errs_add(e, l.s, "Bandwidth", "IllegalParam.Bandwidth",
			    "%lld Mbps is outside %d-%d", bw, SL_IPV6_BW_MIN, SL_IPV6_BW_MAX);
	b->bandwidth = bw >= SL_IPV6_BW_MIN && bw <= SL_IPV6_BW_MAX ? (unsigned int)bw : 0;
	sl_get_text(o, "InternetChargeType", l.s, e, b->charge_type, sizeof(b->charge_type));
	if (b->charge_type[0] == '\0')
		snprintf(b->charge_type, sizeof(b->charge_type), "PayByBandwidth");
	else if (strcmp(b->charge_type, "PayByBandwidth") && strcmp(b->charge_type, "PayByTraffic"))
		sl_errs_add(e, l.s, "InternetChargeType", "IllegalParam.InternetChargeType",
			    "'%s': PayByBandwidth or PayByTraffic", b->charge_type);
	return sl_nat_added(b->id[0] ? sl_store_add_ipv6bw(s, b) : -EINVAL, s->ipv6bws, b, b->id,
			    l.s, "Ipv6InternetBandwidthId", "Ipv6InternetBandwidths", e);
}

static int sl_parse_ipv6egress(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			       struct sl_errs *e)
{
	static const char *const keys[] = {"Ipv6EgressOnlyRuleId",
					   "Ipv6GatewayId",
					   "InstanceId",
					   "InstanceType",
					   "Name",
					   "Description",
					   NULL};
	struct sl_ipv6egress_obj *r = calloc(1, sizeof(*r));
	struct sl_label l;

	if (r == NULL)
		return -ENOMEM;
	r->st = *st0;
	sl_label_set(&l, "Ipv6EgressOnlyRule", "Ipv6EgressOnlyRules", st0->file_index, NULL);
	sl_get_id(o, "Ipv6EgressOnlyRuleId", true, l.s, e, r->id, sizeof(r->id));
	sl_label_set(&l, "Ipv6EgressOnlyRule", "Ipv6EgressOnlyRules", st0->file_index, r->id);
	sl_check_keys(o, keys, l.s, e);
	sl_get_id(o, "Ipv6GatewayId", true, l.s, e, r->gw_id, sizeof(r->gw_id));
	sl_get_id(o, "InstanceId", true, l.s, e, r->instance_id, sizeof(r->instance_id));
	sl_get_text(o, "InstanceType", l.s, e, r->instance_type, sizeof(r->instance_type));
	if (r->instance_type[0] == '\0')
		snprintf(r->instance_type, sizeof(r->instance_type), "Ipv6Address");
	sl_get_text(o, "Name", l.s, e, r->name, sizeof(r->name));
	sl_get_text(o, "Description", l.s, e, r->description, sizeof(r->description));
	return sl_nat_added(r->id[0] ? sl_store_add_ipv6egress(s, r) : -EINVAL, s->ipv6egress, r,
			    r->id, l.s, "Ipv6EgressOnlyRuleId", "Ipv6EgressOnlyRules", e);
}

int sl_cfg_ipv6_dest(const char *text, struct sl_pfx *p)
{
	int rc = sl_pfx_parse(text, p, SL_PFX_HOST_OK | SL_PFX_NEED_LEN);

	if (rc != SL_PFX_OK || p->family != SL_AF_INET6) {
		memset(p, 0, sizeof(*p));
		return -1;
	}
	*p = sl_pfx_network(p); /* "2407:c080::/16" is "2407::/16" (seed 000) */
	return 0;
}

static int sl_parse_ipv6rule(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			     struct sl_errs *e)
{
	static const char *const keys[] = {
	    "RouteRuleId",	 "Ipv6GatewayId", "Destination", "NextHopType",
	    "NextHopInstanceId", "Description",	  "UpdatedAt",	 NULL};
	struct sl_ipv6rule_obj *r = calloc(1, sizeof(*r));
	struct sl_label l;
	const char *t;
	long long up = 0;

	if (r == NULL)
		return -ENOMEM;
	r->st = *st0;
	sl_label_set(&l, "Ipv6GatewayRouteRule", "Ipv6GatewayRouteRules", st0->file_index, NULL);
	sl_get_id(o, "RouteRuleId", true, l.s, e, r->id, sizeof(r->id));
	sl_label_set(&l, "Ipv6GatewayRouteRule", "Ipv6GatewayRouteRules", st0->file_index, r->id);
	sl_check_keys(o, keys, l.s, e);
	sl_get_id(o, "Ipv6GatewayId", true, l.s, e, r->gw_id, sizeof(r->gw_id));
	if (sl_get_str(o, "Destination", true, l.s, e, &t) > 0 && sl_cfg_ipv6_dest(t, &r->dest) < 0)
		sl_errs_add(e, l.s, "Destination", "IPv6Gateway.InvalidParameter.Destination",
			    "'%.64s' is not an IPv6 CIDR block (address/length)", t);
	sl_get_text(o, "NextHopType", l.s, e, r->next_hop_type, sizeof(r->next_hop_type));
	if (r->next_hop_type[0] == '\0')
		snprintf(r->next_hop_type, sizeof(r->next_hop_type), "ECS");
	sl_get_id(o, "NextHopInstanceId", true, l.s, e, r->next_hop_id, sizeof(r->next_hop_id));
	sl_get_text(o, "Description", l.s, e, r->description, sizeof(r->description));
	if (sl_get_int(o, "UpdatedAt", false, l.s, "InvalidParameter", e, &up) > 0)
		r->updated = up;
	return sl_nat_added(r->id[0] ? sl_store_add_ipv6rule(s, r) : -EINVAL, s->ipv6rules, r,
			    r->id, l.s, "RouteRuleId", "Ipv6GatewayRouteRules", e);
}

/* ---- HaVips ---------------------------------------------------------------- */

/* AssociatedInstances: an array of instance ids (one past the maximum is
 * kept for validation to report; duplicates are validation's too). */
static void sl_get_havip_instances(json_t *o, struct sl_havip_obj *h, const char *label,
				   struct sl_errs *e)
{
	json_t *a = json_object_get(o, "AssociatedInstances"), *v;
	size_t i;

	if (a == NULL || json_is_null(a))
		return;
	if (!json_is_array(a)) {
		sl_errs_add(e, label, "AssociatedInstances", "InvalidParameter",
			    "must be an array of InstanceIds");
		return;
	}
	json_array_foreach(a, i, v)
	{
		const char *t = json_string_value(v);

		if (t == NULL || *t == '\0' || strlen(t) >= SL_ID_LEN) {
			sl_errs_add(e, label, "AssociatedInstances", "InvalidParameter",
				    "element %zu is not an InstanceId", i);
			continue;
		}
		if (h->n_instances <= SL_HAVIP_INSTANCES_MAX)
			snprintf(h->instances[h->n_instances++], SL_ID_LEN, "%s", t);
	}
}

static int sl_parse_havip(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			  struct sl_errs *e)
{
	static const char *const keys[] = {"HaVipId", "VSwitchId",   "IpAddress",
					   "Name",    "Description", "AssociatedInstances",
					   NULL};
	struct sl_havip_obj *h = calloc(1, sizeof(*h));
	struct sl_label l;

	if (h == NULL)
		return -ENOMEM;
	h->st = *st0;
	sl_label_set(&l, "HaVip", "HaVips", st0->file_index, NULL);
	sl_get_id(o, "HaVipId", true, l.s, e, h->id, sizeof(h->id));
	sl_label_set(&l, "HaVip", "HaVips", st0->file_index, h->id);
	sl_check_keys(o, keys, l.s, e);
	sl_get_id(o, "VSwitchId", true, l.s, e, h->vswitch_id, sizeof(h->vswitch_id));
	sl_get_ip(o, "IpAddress", true, SL_AF_INET, "InvalidIpAddress.Malformed", l.s, e, &h->ip);
	sl_get_text(o, "Name", l.s, e, h->name, sizeof(h->name));
	sl_get_text(o, "Description", l.s, e, h->description, sizeof(h->description));
	sl_get_havip_instances(o, h, l.s, e);
	return sl_nat_added(h->id[0] ? sl_store_add_havip(s, h) : -EINVAL, s->havips, h, h->id, l.s,
			    "HaVipId", "HaVips", e);
}

/* ---- common bandwidth packages ---------------------------------------------- */

/* A package's PublicIpAddresses: each element an object with `keys` and
 * an AllocationId; fn(element, id, x) adds it. */
struct sl_ips_ctx {
	const char *label;
	struct sl_errs *e;
	void *pkg;
};

static void sl_get_pkg_ips(json_t *o, const char *const *keys, struct sl_ips_ctx *x,
			   void (*fn)(json_t *v, const char *id, struct sl_ips_ctx *x))
{
	json_t *a = sl_get_array(o, "PublicIpAddresses", x->label, x->e), *v;
	char id[SL_ID_LEN];
	size_t i;

	json_array_foreach(a, i, v)
	{
		if (!json_is_object(v)) {
			sl_errs_add(x->e, x->label, "PublicIpAddresses", "InvalidParameter",
				    "element %zu is not an object", i);
			continue;
		}
		sl_check_keys(v, keys, x->label, x->e);
		if (sl_get_id(v, "AllocationId", true, x->label, x->e, id, sizeof(id)) > 0)
			fn(v, id, x);
	}
}

/* A common package's member: {AllocationId, Bandwidth (optional cap)}. */
static void sl_add_cbwp_ip(json_t *v, const char *id, struct sl_ips_ctx *x)
{
	struct sl_cbwp_obj *b = x->pkg;
	struct sl_cbwp_ip ip = {.bandwidth = -1};

	snprintf(ip.id, sizeof(ip.id), "%s", id);
	sl_get_int(v, "Bandwidth", false, x->label, "InvalidBandwidth.ValueNotSupported", x->e,
		   &ip.bandwidth);
	if (b->n_ips <= SL_CBWP_IPS_MAX)
		b->ips[b->n_ips++] = ip;
}

static int sl_parse_cbwp(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			 struct sl_errs *e)
{
	static const char *const keys[] = {"BandwidthPackageId",
					   "RegionId",
					   "Bandwidth",
					   "InternetChargeType",
					   "Ratio",
					   "Name",
					   "Description",
					   "PublicIpAddresses",
					   NULL};
	static const char *const ip_keys[] = {"AllocationId", "Bandwidth", NULL};
	struct sl_cbwp_obj *b = calloc(1, sizeof(*b));
	struct sl_label l;

	if (b == NULL)
		return -ENOMEM;
	b->st = *st0;
	b->bandwidth = -1;
	sl_label_set(&l, "CommonBandwidthPackage", "CommonBandwidthPackages", st0->file_index,
		     NULL);
	sl_get_id(o, "BandwidthPackageId", true, l.s, e, b->id, sizeof(b->id));
	sl_label_set(&l, "CommonBandwidthPackage", "CommonBandwidthPackages", st0->file_index,
		     b->id);
	sl_check_keys(o, keys, l.s, e);
	sl_get_id(o, "RegionId", true, l.s, e, b->region_id, sizeof(b->region_id));
	sl_get_int(o, "Bandwidth", true, l.s, "InvalidBandwidth.ValueNotSupported", e,
		   &b->bandwidth);
	sl_get_text(o, "InternetChargeType", l.s, e, b->charge_type, sizeof(b->charge_type));
	if (b->charge_type[0] == '\0')
		snprintf(b->charge_type, sizeof(b->charge_type), "PayByBandwidth");
	sl_get_int(o, "Ratio", false, l.s, "InvalidParameter", e, &b->ratio);
	sl_get_text(o, "Name", l.s, e, b->name, sizeof(b->name));
	sl_get_text(o, "Description", l.s, e, b->description, sizeof(b->description));
	sl_get_pkg_ips(o, ip_keys, &(struct sl_ips_ctx){l.s, e, b}, sl_add_cbwp_ip);
	return sl_nat_added(b->id[0] ? sl_store_add_cbwp(s, b) : -EINVAL, s->cbwps, b, b->id, l.s,
			    "BandwidthPackageId", "CommonBandwidthPackages", e);
}

/* ---- NAT bandwidth packages ----------------------------------------------- */

/* A NAT package's address: {AllocationId, IpAddress}. */
static void sl_add_bwp_ip(json_t *v, const char *id, struct sl_ips_ctx *x)
{
	struct sl_bwp_obj *b = x->pkg;
	struct sl_bwp_ip *ip = &b->ips[b->n_ips];

	if (b->n_ips > SL_BWP_IPS_MAX)
		return;
	memset(ip, 0, sizeof(*ip));
	snprintf(ip->id, sizeof(ip->id), "%s", id);
	sl_get_ip(v, "IpAddress", true, SL_AF_INET, "InvalidIpAddress.Malformed", x->label, x->e,
		  &ip->ip);
	b->n_ips++;
}

static int sl_parse_bwp(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			struct sl_errs *e)
{
	static const char *const keys[] = {
	    "BandwidthPackageId", "NatGatewayId",      "ZoneId", "Bandwidth", "Name",
	    "Description",	  "PublicIpAddresses", NULL};
	static const char *const ip_keys[] = {"AllocationId", "IpAddress", NULL};
	struct sl_bwp_obj *b = calloc(1, sizeof(*b));
	struct sl_label l;

	if (b == NULL)
		return -ENOMEM;
	b->st = *st0;
	b->bandwidth = -1;
	sl_label_set(&l, "BandwidthPackage", "BandwidthPackages", st0->file_index, NULL);
	sl_get_id(o, "BandwidthPackageId", true, l.s, e, b->id, sizeof(b->id));
	sl_label_set(&l, "BandwidthPackage", "BandwidthPackages", st0->file_index, b->id);
	sl_check_keys(o, keys, l.s, e);
	sl_get_id(o, "NatGatewayId", true, l.s, e, b->natgw_id, sizeof(b->natgw_id));
	sl_get_id(o, "ZoneId", false, l.s, e, b->zone_id, sizeof(b->zone_id));
	sl_get_int(o, "Bandwidth", true, l.s, "InvalidBandwidth.ValueNotSupported", e,
		   &b->bandwidth);
	sl_get_text(o, "Name", l.s, e, b->name, sizeof(b->name));
	sl_get_text(o, "Description", l.s, e, b->description, sizeof(b->description));
	sl_get_pkg_ips(o, ip_keys, &(struct sl_ips_ctx){l.s, e, b}, sl_add_bwp_ip);
	return sl_nat_added(b->id[0] ? sl_store_add_bwp(s, b) : -EINVAL, s->bwps, b, b->id, l.s,
			    "BandwidthPackageId", "BandwidthPackages", e);
}

typedef int (*sl_parse_one_fn)(json_t *o, const struct sl_obj_state *st0, struct sl_store *s,
			       struct sl_errs *e);

/* The object kinds, in the order they are parsed (references are resolved
 * later by validation, so the order only fixes listing order). */
static const struct {
	const char *section;
	sl_parse_one_fn one;
} sl_kinds[SL_CFG_NKINDS] = {
    [SL_CFG_REGION] = {"Regions", sl_parse_region},
    [SL_CFG_VPC] = {"Vpcs", sl_parse_vpc},
    [SL_CFG_VSWITCH] = {"VSwitches", sl_parse_vswitch},
    [SL_CFG_INSTANCE] = {"Instances", sl_parse_instance},
    [SL_CFG_ROUTE] = {"RouteEntries", sl_parse_route},
    [SL_CFG_NATGW] = {"NatGateways", sl_parse_natgw},
    [SL_CFG_EIP] = {"EipAddresses", sl_parse_eip},
    [SL_CFG_SNAT] = {"SnatEntries", sl_parse_snat},
    [SL_CFG_FWD] = {"ForwardEntries", sl_parse_fwd},
    [SL_CFG_IPV6GW] = {"Ipv6Gateways", sl_parse_ipv6gw},
    [SL_CFG_IPV6ADDR] = {"Ipv6Addresses", sl_parse_ipv6addr},
    [SL_CFG_IPV6BW] = {"Ipv6InternetBandwidths", sl_parse_ipv6bw},
    [SL_CFG_IPV6EGRESS] = {"Ipv6EgressOnlyRules", sl_parse_ipv6egress},
    [SL_CFG_IPV6RULE] = {"Ipv6GatewayRouteRules", sl_parse_ipv6rule},
    [SL_CFG_HAVIP] = {"HaVips", sl_parse_havip},
    [SL_CFG_CBWP] = {"CommonBandwidthPackages", sl_parse_cbwp},
    [SL_CFG_BWP] = {"BandwidthPackages", sl_parse_bwp},
};

const char *sl_cfg_kind_section(enum sl_cfg_kind k)
{
	return (unsigned int)k < SL_CFG_NKINDS ? sl_kinds[k].section : NULL;
}

int sl_cfg_add_object(struct sl_store *s, enum sl_cfg_kind k, json_t *o,
		      const struct sl_obj_state *st0, struct sl_errs *e)
{
	if ((unsigned int)k >= SL_CFG_NKINDS)
		return -EINVAL;
	if (!json_is_object(o)) {
		sl_errs_add(e, "", NULL, "InvalidParameter", "%s[%u] must be a JSON object",
			    sl_kinds[k].section, st0->file_index);
		return 0;
	}
	return sl_kinds[k].one(o, st0, s, e);
}

static int sl_parse_section(json_t *root, enum sl_cfg_kind k, struct sl_store *s, struct sl_errs *e)
{
	json_t *arr = sl_get_array(root, sl_kinds[k].section, "", e);
	json_t *o;
	size_t i;

	json_array_foreach(arr, i, o)
	{
		struct sl_obj_state st0 = {.file_index = (unsigned int)i};
		int rc;

		if (!sl_is_obj(o, sl_kinds[k].section, i, e))
			continue;
		rc = sl_kinds[k].one(o, &st0, s, e);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Gateway.EipPool: IPv4 blocks that AllocateEipAddress takes addresses from. */
static int sl_parse_eip_pool(json_t *g, struct sl_gateway_obj *gw, struct sl_errs *e)
{
	json_t *pool = sl_get_array(g, "EipPool", "Gateway", e), *o;
	size_t i;

	if (pool == NULL || json_array_size(pool) == 0)
		return 0;
	gw->eip_pool = calloc(json_array_size(pool), sizeof(*gw->eip_pool));
	if (gw->eip_pool == NULL)
		return -ENOMEM;
	json_array_foreach(pool, i, o)
	{
		const char *t = json_string_value(o);
		struct sl_pfx p;

		if (t == NULL || sl_pfx_parse(t, &p, SL_PFX_BARE_OK) != SL_PFX_OK ||
		    p.family != SL_AF_INET) {
			sl_errs_add(e, "Gateway", "EipPool", "InvalidCidrBlock.Malformed",
				    "EipPool[%zu] is not an IPv4 CIDR block", i);
			continue;
		}
		gw->eip_pool[gw->n_pool++] = p;
	}
	return 0;
}

static int sl_parse_gateway(json_t *root, struct sl_store *s, struct sl_errs *e)
{
	static const char *const gkeys[] = {"Outside", "Inside", "InternetRoutes", "EipPool", NULL};
	static const char *const ikeys[] = {"Trunks", NULL};
	static const char *const okeys[] = {"Addresses", "Mtu", NULL};
	static const char *const rkeys[] = {"DestinationCidrBlock", "NextHop", NULL};
	json_t *g = json_object_get(root, "Gateway");
	json_t *out, *in, *addrs, *routes, *o;
	struct sl_gateway_obj *gw;
	long long n;
	size_t i;

	if (g == NULL || json_is_null(g))
		return 0;
	if (!json_is_object(g)) {
		sl_errs_add(e, "Gateway", NULL, "InvalidParameter", "must be a JSON object");
		return 0;
	}
	sl_check_keys(g, gkeys, "Gateway", e);
	gw = calloc(1, sizeof(*gw));
	if (gw == NULL)
		return -ENOMEM;
	gw->mtu = SL_DEFAULT_MTU;
	gw->trunks = 1;
	in = json_object_get(g, "Inside");
	if (in != NULL && !json_is_object(in)) {
		sl_errs_add(e, "Gateway", "Inside", "InvalidParameter", "must be a JSON object");
	} else if (in) {
		sl_check_keys(in, ikeys, "Gateway Inside", e);
		if (sl_get_int(in, "Trunks", false, "Gateway Inside", "InvalidParameter", e, &n) >
		    0)
			gw->trunks = (n < 1 || n > SL_MAX_TRUNKS) ? 0 : (unsigned int)n;
	}
	out = json_object_get(g, "Outside");
	if (out != NULL && !json_is_object(out)) {
		sl_errs_add(e, "Gateway", "Outside", "InvalidParameter", "must be a JSON object");
		out = NULL;
	}
	if (out) {
		sl_check_keys(out, okeys, "Gateway Outside", e);
		if (sl_get_int(out, "Mtu", false, "Gateway Outside", "InvalidParameter", e, &n) > 0)
			gw->mtu = (n < 0 || n > 65535) ? 0 : (unsigned int)n;
		addrs = sl_get_array(out, "Addresses", "Gateway Outside", e);
		if (addrs && json_array_size(addrs)) {
			gw->addrs = calloc(json_array_size(addrs), sizeof(*gw->addrs));
			if (gw->addrs == NULL)
				goto oom;
		}
		json_array_foreach(addrs, i, o)
		{
			const char *t = json_string_value(o);
			struct sl_pfx p;

			if (t == NULL) {
				sl_errs_add(e, "Gateway Outside", "Addresses", "InvalidParameter",
					    "Addresses[%zu] must be a string", i);
				continue;
			}
			if (sl_pfx_parse(t, &p, SL_PFX_HOST_OK | SL_PFX_NEED_LEN) != SL_PFX_OK) {
				sl_errs_add(e, "Gateway Outside", "Addresses",
					    "InvalidIpAddress.Malformed",
					    "'%s' is not an address with its subnet length "
					    "(e.g. 203.0.113.2/24)",
					    t);
				continue;
			}
			gw->addrs[gw->n_addrs++] = p;
		}
	}
	routes = sl_get_array(g, "InternetRoutes", "Gateway", e);
	if (routes && json_array_size(routes)) {
		gw->routes = calloc(json_array_size(routes), sizeof(*gw->routes));
		if (gw->routes == NULL)
			goto oom;
	}
	json_array_foreach(routes, i, o)
	{
		struct sl_inet_route *r = &gw->routes[gw->n_routes];
		char label[160];

		snprintf(label, sizeof(label), "InternetRoutes[%zu]", i);
		if (!json_is_object(o)) {
			sl_errs_add(e, "Gateway", "InternetRoutes", "InvalidParameter",
				    "%s must be a JSON object", label);
			continue;
		}
		if (sl_get_cidr(o, "DestinationCidrBlock", true, SL_PFX_BARE_OK, 0, label, e,
				&r->dest, r->dest_text, sizeof(r->dest_text)) > 0)
			snprintf(label, sizeof(label), "InternetRoute %s", r->dest_text);
		sl_check_keys(o, rkeys, label, e);
		sl_get_ip(o, "NextHop", true, 0, "InvalidNextHop.Malformed", label, e, &r->via);
		if (r->dest.family && r->via.family)
			gw->n_routes++;
	}
	if (sl_parse_eip_pool(g, gw, e) < 0)
		goto oom;
	sl_store_set_gateway(s, gw);
	return 0;
oom:
	sl_gateway_free(gw);
	return -ENOMEM;
}

/* The RouteEntries array of the text when the scanner reads it (config.c's
 * "reading the JSON text"); the tree then holds an empty array there. */
struct sl_cfg_scan {
	char *buf;
	size_t open, close;
};

struct sl_scan_ctx {
	struct sl_store *s;
	struct sl_errs *e;
};

static int sl_scan_route(const struct sl_cfg_route_fields *f, unsigned int index, void *arg)
{
	const struct sl_scan_ctx *x = arg;
	const struct sl_obj_state st0 = {.file_index = index};
	const struct sl_route_src src = {.f = f};

	return sl_parse_route_src(&src, &st0, x->s, x->e);
}

/* Move src's errors to the end of dst (src is left empty). */
static void sl_errs_take(struct sl_errs *dst, struct sl_errs *src)
{
	for (unsigned int i = 0; i < src->n; i++) {
		if (dst->n == dst->cap) {
			unsigned int cap = dst->cap ? dst->cap * 2 : 16;
			struct sl_err *v = realloc(dst->v, cap * sizeof(*v));

			if (v == NULL) {
				dst->lost++;
				free(src->v[i].msg);
				continue;
			}
			dst->v = v;
			dst->cap = cap;
		}
		dst->v[dst->n++] = src->v[i];
	}
	dst->lost += src->lost;
	free(src->v);
	src->v = NULL;
	src->n = src->cap = src->lost = 0;
}

/* The Gateway section is parsed first, so that `gw_fn` (sluiced's start:
 * the Internet RIB needs only it) can start while the objects are built;
 * its errors are still reported after the sections', as they always were. */
static struct sl_store *sl_cfg_build(json_t *root, const struct sl_cfg_scan *scan,
				     sl_cfg_gateway_fn gw_fn, void *gw_arg, struct sl_errs *e)
{
	/* the top-level keys: "Gateway" and every kind's section */
	const char *top[SL_CFG_NKINDS + 2] = {"Gateway"};
	struct sl_errs gw_errs;
	struct sl_store *s;
	unsigned int k;

	if (!json_is_object(root)) {
		sl_errs_add(e, "", NULL, "InvalidConfig", "the top level must be a JSON object");
		errno = EINVAL;
		return NULL;
	}
	s = sl_store_new();
	if (s == NULL)
		goto oom;
	for (unsigned int k = 0; k < SL_CFG_NKINDS; k++)
		top[k + 1] = sl_kinds[k].section;
	sl_check_keys(root, top, "(top level)", e);
	sl_errs_init(&gw_errs, e->file);
	if (sl_parse_gateway(root, s, &gw_errs) < 0) {
		sl_errs_free(&gw_errs);
		goto oom;
	}
	if (gw_fn != NULL)
		gw_fn(s->gateway, gw_arg);
	for (k = 0; k < SL_CFG_NKINDS; k++) {
		if (k == SL_CFG_ROUTE && scan != NULL) {
			struct sl_scan_ctx x = {.s = s, .e = e};

			/* the text was checked: only the callback can fail */
			if (sl_cfg_scan_routes(scan->buf, scan->open, scan->close, sl_scan_route,
					       &x) < 0)
				break;
			continue;
		}
		if (sl_parse_section(root, (enum sl_cfg_kind)k, s, e) < 0)
			break;
	}
	if (k < SL_CFG_NKINDS) {
		sl_errs_free(&gw_errs);
		goto oom;
	}
	sl_errs_take(e, &gw_errs);
	return s;
oom:
	sl_store_free(s);
	sl_errs_add(e, "", NULL, "InternalError", "out of memory while loading");
	errno = ENOMEM;
	return NULL;
}

/* ---- reading the JSON text ----------------------------------------------- */

/*
 * The parse of a big config is jansson's json_loadb(), and 90 % of a big
 * config is the RouteEntries array. sl_cfg_parse_json() finds that array
 * with a byte scan (strings and bracket depth only), cuts it at the element
 * boundary nearest its middle and parses the two pieces at once: the
 * document without the array's second half on the calling thread, the
 * second half as an array of its own on a second thread; then it appends
 * the second array to the first. Every failure of the fast path (a syntax
 * error in either piece, a duplicate key, no thread) falls back to one
 * json_loadb() of the whole text, so errors (line, column, text) are
 * always jansson's own for the original file. The pieces cannot be valid
 * when the whole is not: the cut is a comma between two complete elements
 * at the array's depth, so the whole is the first piece's array with the
 * second piece's elements in place. Nesting deeper than SL_SCAN_MAX_DEPTH
 * skips the fast path (jansson limits depth, and an element sits two levels
 * less deep in the second piece).
 */
#define SL_SCAN_MAX_DEPTH 64

_Thread_local struct sl_cfg_load_stats sl_cfg_last_load;

static double sl_cfg_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct sl_split {
	size_t arr_open;  /**< '[' of the RouteEntries array */
	size_t cut;	  /**< the comma before the second half's first element */
	size_t arr_close; /**< its ']' */
};

/* End of the JSON string whose opening quote is at `i` (index after the
 * closing quote), or `len` if it does not end. */
static size_t sl_scan_string(const char *buf, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		const char *q = memchr(buf + i, '"', len - i);
		size_t bs = 0;

		if (q == NULL)
			return len;
		i = (size_t)(q - buf);
		while (bs < i && buf[i - 1 - bs] == '\\')
			bs++;
		if (bs % 2 == 0)
			return i + 1;
	}
	return len;
}

static bool sl_scan_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Find the array and the cut. Returns -1 unless the text has exactly one
 * top-level "RouteEntries" key whose value is an array (then arr_open and
 * arr_close are set), 1 when that array can be cut (at least two elements
 * spanning at least `split_min` bytes), else 0. The scan notes the first
 * element boundary after every SL_SCAN_MARK bytes of the array and cuts at
 * the note nearest the array's middle. */
#define SL_SCAN_MARK (64u << 10)
#define SL_SCAN_MARKS 4096

static int sl_split_find(const char *buf, size_t len, size_t split_min, struct sl_split *sp)
{
	static const char key[] = "\"RouteEntries\"";
	size_t marks[SL_SCAN_MARKS];
	unsigned int depth = 0, arr_depth = 0, n_marks = 0;
	/* small arrays (tests): a note at every element boundary */
	size_t step = split_min / 64 < SL_SCAN_MARK ? split_min / 64 : SL_SCAN_MARK;
	size_t i = 0, last_key_end = 0, next_mark = 0;
	bool found = false, closed = false;

	memset(sp, 0, sizeof(*sp));
	while (i < len) {
		char c = buf[i];

		if (c == '"') {
			size_t end = sl_scan_string(buf, len, i);

			if (depth == 1 && end - i == sizeof(key) - 1 &&
			    memcmp(buf + i, key, sizeof(key) - 1) == 0)
				last_key_end = end;
			i = end;
			continue;
		}
		if (c == '{' || c == '[') {
			if (++depth > SL_SCAN_MAX_DEPTH)
				return -1;
			if (c == '[' && depth == 2 && last_key_end) {
				size_t j = last_key_end;

				while (j < i && sl_scan_ws(buf[j]))
					j++;
				if (j < i && buf[j] == ':') {
					for (j++; j < i && sl_scan_ws(buf[j]); j++)
						;
					if (j == i) {
						if (found)
							return -1; /* a duplicate key */
						found = true;
						sp->arr_open = i;
						arr_depth = depth;
						next_mark = i + step;
					}
				}
			}
			last_key_end = 0;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return -1;
			if (found && !closed && depth == arr_depth) {
				if (c != ']')
					return -1;
				sp->arr_close = i;
				closed = true;
			}
			depth--;
			last_key_end = 0;
		} else if (c == ',') {
			if (found && !closed && depth == arr_depth && i >= next_mark) {
				if (n_marks == SL_SCAN_MARKS) {
					/* a huge array: keep every other note */
					for (unsigned int k = 0; k < n_marks / 2; k++)
						marks[k] = marks[2 * k + 1];
					n_marks /= 2;
					step = step ? step * 2 : 1;
				}
				marks[n_marks++] = i;
				next_mark = i + step;
			}
			last_key_end = 0;
		} else if (!sl_scan_ws(c) && c != ':') {
			last_key_end = 0;
		}
		i++;
	}
	if (!found || !closed)
		return -1;
	if (n_marks == 0 || sp->arr_close - sp->arr_open < split_min)
		return 0;
	sp->cut = marks[0];
	for (unsigned int k = 1; k < n_marks; k++)
		if (marks[k] - sp->arr_open <= sp->arr_close - marks[k])
			sp->cut = marks[k];
	return 1;
}

struct sl_split_job {
	const char *buf;
	size_t len;
	json_t *arr;
	json_error_t je;
};

static void *sl_split_job_run(void *arg)
{
	struct sl_split_job *j = arg;

	j->arr = json_loadb(j->buf, j->len, JSON_REJECT_DUPLICATES, &j->je);
	return NULL;
}

json_t *sl_cfg_parse_json(char *buf, size_t len, size_t split_min, json_error_t *je)
{
	struct sl_split_job job;
	struct sl_split sp;
	json_t *root = NULL, *arr;
	pthread_t th;
	char *head = NULL;
	size_t hlen;

	sl_cfg_last_load.split = false;
	if (sl_split_find(buf, len, split_min, &sp) < 1)
		return json_loadb(buf, len, JSON_REJECT_DUPLICATES, je);
	/* second piece in place: "[" over the cut's comma up to the ']' */
	hlen = sp.cut + (len - sp.arr_close);
	head = malloc(hlen ? hlen : 1);
	if (head == NULL)
		return json_loadb(buf, len, JSON_REJECT_DUPLICATES, je);
	buf[sp.cut] = '[';
	job = (struct sl_split_job){.buf = buf + sp.cut, .len = sp.arr_close + 1 - sp.cut};
	if (pthread_create(&th, NULL, sl_split_job_run, &job) != 0) {
		buf[sp.cut] = ',';
		free(head);
		return json_loadb(buf, len, JSON_REJECT_DUPLICATES, je);
	}
	/* first piece: the text before the cut, then from the ']' on */
	memcpy(head, buf, sp.cut);
	memcpy(head + sp.cut, buf + sp.arr_close, len - sp.arr_close);
	root = json_loadb(head, hlen, JSON_REJECT_DUPLICATES, je);
	pthread_join(th, NULL);
	buf[sp.cut] = ',';
	free(head);
	arr = root ? json_object_get(root, "RouteEntries") : NULL;
	if (arr == NULL || job.arr == NULL || !json_is_array(arr) ||
	    json_array_extend(arr, job.arr) < 0) {
		json_decref(root);
		json_decref(job.arr);
		return json_loadb(buf, len, JSON_REJECT_DUPLICATES, je);
	}
	json_decref(job.arr);
	sl_cfg_last_load.split = true;
	return root;
}

/* The whole file at once (jansson's json_load_file() reads a character at
 * a time through stdio: about 0.5 s for a config of 4,000 VPCs). NULL with
 * the reason in je->text. */
static char *sl_cfg_read(const char *path, size_t *lenp, json_error_t *je)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (f == NULL) {
		memset(je, 0, sizeof(*je));
		snprintf(je->text, sizeof(je->text), "unable to open %s: %s", path,
			 strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t n;

		if (cap - len < 65536) {
			char *nb = realloc(buf, cap ? cap * 2 : 1 << 20);

			if (nb == NULL) {
				free(buf);
				fclose(f);
				memset(je, 0, sizeof(*je));
				snprintf(je->text, sizeof(je->text), "out of memory reading %s",
					 path);
				return NULL;
			}
			buf = nb;
			cap = cap ? cap * 2 : 1 << 20;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		memset(je, 0, sizeof(*je));
		snprintf(je->text, sizeof(je->text), "reading %s: %s", path, strerror(errno));
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*lenp = len;
	return buf;
}

/* The document without the RouteEntries array's elements ("[]" in their
 * place), for the scanner's path: NULL on any error (the caller then
 * parses the whole text, whose error is the one to report). */
static json_t *sl_cfg_parse_rest(const char *buf, size_t len, const struct sl_split *sp)
{
	size_t hlen = sp->arr_open + 1 + (len - sp->arr_close);
	char *rest = malloc(hlen);
	json_error_t je;
	json_t *root;

	if (rest == NULL)
		return NULL;
	memcpy(rest, buf, sp->arr_open + 1);
	memcpy(rest + sp->arr_open + 1, buf + sp->arr_close, len - sp->arr_close);
	root = json_loadb(rest, hlen, JSON_REJECT_DUPLICATES, &je);
	free(rest);
	return root;
}

static void *sl_cfg_tree_free_run(void *root)
{
	json_decref(root);
	return NULL;
}

/* Freeing the tree of a big config (half a million objects, 0.3-0.5 s) is
 * nobody's business: a detached thread does it while the caller validates
 * and compiles. The tree is reachable from that thread only. */
static void sl_cfg_tree_free(json_t *root, bool big)
{
	pthread_attr_t a;
	pthread_t th;
	bool started = false;

	if (big && pthread_attr_init(&a) == 0) {
		started = pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED) == 0 &&
			  pthread_create(&th, &a, sl_cfg_tree_free_run, root) == 0;
		pthread_attr_destroy(&a);
	}
	if (!started)
		json_decref(root);
}

static void sl_cfg_parse_error(const json_error_t *je, struct sl_errs *e)
{
	if (je->line > 0)
		sl_errs_add(e, "", NULL, "InvalidConfig", "line %d column %d: %s", je->line,
			    je->column, je->text);
	else
		sl_errs_add(e, "", NULL, "InvalidConfig", "%s", je->text);
	errno = EINVAL;
}

struct sl_store *sl_cfg_load_text(char *buf, size_t len, size_t scan_min, size_t split_min,
				  sl_cfg_gateway_fn gw_fn, void *gw_arg, struct sl_errs *e)
{
	double t0 = sl_cfg_clock(), t1;
	struct sl_cfg_scan scan = {.buf = buf};
	const struct sl_cfg_scan *sc = NULL;
	struct sl_split sp;
	json_error_t je;
	json_t *root = NULL;
	struct sl_store *s;

	sl_cfg_last_load.split = false;
	sl_cfg_last_load.scanned = false;
	/* the route entries straight from the text when they all have the
	 * scanner's shape and the rest of the document parses */
	if (sl_split_find(buf, len, scan_min, &sp) >= 0 && sp.arr_close - sp.arr_open >= scan_min &&
	    sl_cfg_scan_routes(buf, sp.arr_open, sp.arr_close, NULL, NULL) >= 0 &&
	    (root = sl_cfg_parse_rest(buf, len, &sp)) != NULL) {
		scan.open = sp.arr_open;
		scan.close = sp.arr_close;
		sc = &scan;
		sl_cfg_last_load.scanned = true;
	}
	if (root == NULL)
		root = sl_cfg_parse_json(buf, len, split_min, &je);
	if (root == NULL) {
		sl_cfg_parse_error(&je, e);
		return NULL;
	}
	t1 = sl_cfg_clock();
	sl_cfg_last_load.parse_s = t1 - t0;
	s = sl_cfg_build(root, sc, gw_fn, gw_arg, e);
	sl_cfg_last_load.build_s = sl_cfg_clock() - t1;
	sl_cfg_tree_free(root, sl_cfg_last_load.split);
	return s;
}

struct sl_store *sl_cfg_load_ex(const char *path, sl_cfg_gateway_fn gw_fn, void *gw_arg,
				struct sl_errs *e)
{
	double t0 = sl_cfg_clock(), t_read;
	json_error_t je;
	size_t len = 0;
	char *buf = sl_cfg_read(path, &len, &je);
	struct sl_store *s;

	if (buf == NULL) {
		sl_cfg_parse_error(&je, e);
		return NULL;
	}
	t_read = sl_cfg_clock() - t0;
	s = sl_cfg_load_text(buf, len, SL_CFG_SCAN_MIN, SL_CFG_SPLIT_MIN, gw_fn, gw_arg, e);
	sl_cfg_last_load.parse_s += t_read; /* the parse figure includes the read */
	free(buf);
	return s;
}

struct sl_store *sl_cfg_load(const char *path, struct sl_errs *e)
{
	return sl_cfg_load_ex(path, NULL, NULL, e);
}

struct sl_store *sl_cfg_load_string(const char *text, struct sl_errs *e)
{
	json_error_t je;
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	struct sl_store *s;

	if (root == NULL) {
		sl_errs_add(e, "", NULL, "InvalidConfig", "line %d column %d: %s", je.line,
			    je.column, je.text);
		errno = EINVAL;
		return NULL;
	}
	s = sl_cfg_build(root, NULL, NULL, NULL, e);
	json_decref(root);
	return s;
}
