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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sl_ctl_config.h"

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

/* A string copied into a fixed buffer (IDs). */
static int sl_get_strbuf(json_t *obj, const char *key, bool required, const char *label,
			 struct sl_errs *e, char *buf, size_t size)
{
	const char *s;
	int rc = sl_get_str(obj, key, required, label, e, &s);

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

/* IDs: 1-63 of [A-Za-z0-9._-]; they are index keys and appear in
 * "RouteTableId:destination" keys, so ':' and spaces are kept out. */
static int sl_get_id(json_t *obj, const char *key, bool required, const char *label,
		     struct sl_errs *e, char *buf, size_t size)
{
	int rc = sl_get_strbuf(obj, key, required, label, e, buf, size);

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

/* A CIDR block. flags: SL_PFX_*. `fam` 0 = either family. Invalid -> family 0. */
static int sl_get_cidr(json_t *obj, const char *key, bool required, unsigned int flags, uint8_t fam,
		       const char *label, struct sl_errs *e, struct sl_pfx *p, char *text,
		       size_t textsize)
{
	const char *s;
	char buf[SL_PFX_STRLEN];
	int rc = sl_get_str(obj, key, required, label, e, &s);

	memset(p, 0, sizeof(*p));
	if (text)
		text[0] = '\0';
	if (rc <= 0)
		return rc;
	if (text)
		snprintf(text, textsize, "%s", s);
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

/* ---- sections ------------------------------------------------------------ */

static int sl_parse_regions(json_t *root, struct sl_store *s, struct sl_errs *e)
{
	static const char *const rkeys[] = {"RegionId", "LocalName", "Zones", NULL};
	static const char *const zkeys[] = {"ZoneId", "LocalName", NULL};
	json_t *arr = sl_get_array(root, "Regions", "", e);
	json_t *ro;
	size_t i;

	json_array_foreach(arr, i, ro)
	{
		struct sl_region_obj *r;
		struct sl_label l;
		json_t *zarr, *zo;
		bool oom = false;
		size_t j;

		if (!sl_is_obj(ro, "Regions", i, e))
			continue;
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return -ENOMEM;
		r->st.file_index = (unsigned int)i;
		sl_label_set(&l, "Region", "Regions", (unsigned int)i, NULL);
		sl_get_id(ro, "RegionId", true, l.s, e, r->id, sizeof(r->id));
		sl_label_set(&l, "Region", "Regions", (unsigned int)i, r->id);
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
		if (oom) {
			sl_region_free(r);
			return -ENOMEM;
		}
		if (r->id[0] == '\0') {
			sl_region_free(r);
			continue;
		}
		switch (sl_store_add_region(s, r)) {
		case 0:
			break;
		case -EEXIST:
			if (sl_jsl_get(s->regions, r->id))
				sl_errs_add(e, l.s, "RegionId", "InvalidParameter",
					    "duplicate RegionId");
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
	}
	return 0;
}

static int sl_parse_vpcs(json_t *root, struct sl_store *s, struct sl_errs *e)
{
	static const char *const keys[] = {
	    "VpcId",	     "RegionId", "VpcName",	 "Description", "CidrBlock",
	    "Ipv6CidrBlock", "VlanId",	 "RouteTableId", "Mtu",		NULL};
	json_t *arr = sl_get_array(root, "Vpcs", "", e);
	json_t *o;
	size_t i;

	json_array_foreach(arr, i, o)
	{
		struct sl_vpc_obj *v;
		struct sl_label l;
		long long n;
		bool oom = false;
		int rc;

		if (!sl_is_obj(o, "Vpcs", i, e))
			continue;
		v = calloc(1, sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		v->st.file_index = (unsigned int)i;
		v->vlan = -1;
		v->mtu = SL_DEFAULT_MTU;
		sl_label_set(&l, "Vpc", "Vpcs", (unsigned int)i, NULL);
		sl_get_id(o, "VpcId", true, l.s, e, v->id, sizeof(v->id));
		sl_label_set(&l, "Vpc", "Vpcs", (unsigned int)i, v->id);
		sl_check_keys(o, keys, l.s, e);
		sl_get_id(o, "RegionId", true, l.s, e, v->region_id, sizeof(v->region_id));
		sl_get_strdup(o, "VpcName", l.s, e, &v->name, &oom);
		sl_get_strdup(o, "Description", l.s, e, &v->description, &oom);
		rc = sl_get_cidr(o, "CidrBlock", false, SL_PFX_NEED_LEN, SL_AF_INET, l.s, e,
				 &v->cidr, NULL, 0);
		if (rc == 0)
			sl_pfx_parse(SL_DEFAULT_VPC_CIDR, &v->cidr, 0);
		v->cidr6_given = sl_get_cidr(o, "Ipv6CidrBlock", false, SL_PFX_NEED_LEN,
					     SL_AF_INET6, l.s, e, &v->cidr6, NULL, 0) != 0;
		if (sl_get_int(o, "VlanId", true, l.s, "InvalidVlanId.Malformed", e, &n) > 0)
			v->vlan = (n < 0 || n > 65535) ? 65535 : (int)n; /* range: validate.c */
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
		if (oom) {
			sl_vpc_free(v);
			return -ENOMEM;
		}
		if (v->id[0] == '\0') {
			sl_vpc_free(v);
			continue;
		}
		rc = sl_store_add_vpc(s, v);
		if (rc == -EEXIST) {
			struct sl_vpc_obj *first = sl_store_vpc(s, v->id);

			sl_errs_add(e, l.s, "VpcId", "InvalidParameter",
				    "duplicate VpcId (first defined at Vpcs[%u])",
				    first->st.file_index);
			sl_vpc_free(v);
		} else if (rc < 0) {
			sl_vpc_free(v);
			return -ENOMEM;
		}
	}
	return 0;
}

static int sl_parse_vswitches(json_t *root, struct sl_store *s, struct sl_errs *e)
{
	static const char *const keys[] = {
	    "VSwitchId",     "VpcId",	    "ZoneId",	   "CidrBlock",
	    "Ipv6CidrBlock", "VSwitchName", "Description", NULL};
	json_t *arr = sl_get_array(root, "VSwitches", "", e);
	json_t *o;
	size_t i;

	json_array_foreach(arr, i, o)
	{
		struct sl_vswitch_obj *w;
		struct sl_label l;
		bool oom = false;
		int rc;

		if (!sl_is_obj(o, "VSwitches", i, e))
			continue;
		w = calloc(1, sizeof(*w));
		if (w == NULL)
			return -ENOMEM;
		w->st.file_index = (unsigned int)i;
		sl_label_set(&l, "VSwitch", "VSwitches", (unsigned int)i, NULL);
		sl_get_id(o, "VSwitchId", true, l.s, e, w->id, sizeof(w->id));
		sl_label_set(&l, "VSwitch", "VSwitches", (unsigned int)i, w->id);
		sl_check_keys(o, keys, l.s, e);
		sl_get_id(o, "VpcId", true, l.s, e, w->vpc_id, sizeof(w->vpc_id));
		sl_get_id(o, "ZoneId", true, l.s, e, w->zone_id, sizeof(w->zone_id));
		sl_get_cidr(o, "CidrBlock", true, SL_PFX_NEED_LEN, SL_AF_INET, l.s, e, &w->cidr,
			    NULL, 0);
		w->cidr6_given = sl_get_cidr(o, "Ipv6CidrBlock", false, SL_PFX_NEED_LEN,
					     SL_AF_INET6, l.s, e, &w->cidr6, NULL, 0) != 0;
		sl_get_strdup(o, "VSwitchName", l.s, e, &w->name, &oom);
		sl_get_strdup(o, "Description", l.s, e, &w->description, &oom);
		if (oom) {
			sl_vswitch_free(w);
			return -ENOMEM;
		}
		if (w->id[0] == '\0') {
			sl_vswitch_free(w);
			continue;
		}
		rc = sl_store_add_vswitch(s, w);
		if (rc == -EEXIST) {
			sl_errs_add(e, l.s, "VSwitchId", "InvalidParameter",
				    "duplicate VSwitchId (first defined at VSwitches[%u])",
				    sl_store_vswitch(s, w->id)->st.file_index);
			sl_vswitch_free(w);
		} else if (rc < 0) {
			sl_vswitch_free(w);
			return -ENOMEM;
		}
	}
	return 0;
}

static int sl_parse_instances(json_t *root, struct sl_store *s, struct sl_errs *e)
{
	static const char *const keys[] = {"InstanceId",       "VSwitchId",   "VpcId",
					   "PrivateIpAddress", "Ipv6Address", NULL};
	json_t *arr = sl_get_array(root, "Instances", "", e);
	json_t *o;
	size_t i;

	json_array_foreach(arr, i, o)
	{
		struct sl_instance_obj *in;
		struct sl_label l;
		int rc;

		if (!sl_is_obj(o, "Instances", i, e))
			continue;
		in = calloc(1, sizeof(*in));
		if (in == NULL)
			return -ENOMEM;
		in->st.file_index = (unsigned int)i;
		sl_label_set(&l, "Instance", "Instances", (unsigned int)i, NULL);
		sl_get_id(o, "InstanceId", true, l.s, e, in->id, sizeof(in->id));
		sl_label_set(&l, "Instance", "Instances", (unsigned int)i, in->id);
		sl_check_keys(o, keys, l.s, e);
		sl_get_id(o, "VSwitchId", true, l.s, e, in->vswitch_id, sizeof(in->vswitch_id));
		sl_get_id(o, "VpcId", false, l.s, e, in->vpc_id, sizeof(in->vpc_id));
		sl_get_ip(o, "PrivateIpAddress", true, SL_AF_INET,
			  "InvalidPrivateIpAddress.Malformed", l.s, e, &in->ip4);
		in->ip6_given = sl_get_ip(o, "Ipv6Address", false, SL_AF_INET6,
					  "InvalidIpv6Address.Malformed", l.s, e, &in->ip6) != 0;
		if (in->id[0] == '\0') {
			sl_instance_free(in);
			continue;
		}
		rc = sl_store_add_instance(s, in);
		if (rc == -EEXIST) {
			sl_errs_add(e, l.s, "InstanceId", "InvalidParameter",
				    "duplicate InstanceId (first defined at Instances[%u])",
				    sl_store_instance(s, in->id)->st.file_index);
			sl_instance_free(in);
		} else if (rc < 0) {
			sl_instance_free(in);
			return -ENOMEM;
		}
	}
	return 0;
}

static int sl_parse_routes(json_t *root, struct sl_store *s, struct sl_errs *e)
{
	static const char *const keys[] = {"RouteTableId", "DestinationCidrBlock", "NextHopType",
					   "NextHopId",	   "NextHopList",	   NULL};
	json_t *arr = sl_get_array(root, "RouteEntries", "", e);
	json_t *o;
	size_t i;

	json_array_foreach(arr, i, o)
	{
		struct sl_route_obj *r;
		struct sl_label l;
		char canon[SL_PFX_STRLEN];
		const char *t;
		int rc;

		if (!sl_is_obj(o, "RouteEntries", i, e))
			continue;
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return -ENOMEM;
		r->st.file_index = (unsigned int)i;
		snprintf(l.s, sizeof(l.s), "RouteEntries[%zu]", i);
		sl_get_id(o, "RouteTableId", true, l.s, e, r->route_table_id,
			  sizeof(r->route_table_id));
		sl_get_cidr(o, "DestinationCidrBlock", true, SL_PFX_BARE_OK, 0, l.s, e, &r->dest,
			    r->dest_text, sizeof(r->dest_text));
		if (r->dest.family)
			snprintf(r->key, sizeof(r->key), "%s:%s", r->route_table_id,
				 sl_pfx_fmt(&r->dest, canon, sizeof(canon)));
		else
			snprintf(r->key, sizeof(r->key), "%s:RouteEntries[%zu]", r->route_table_id,
				 i);
		if (r->route_table_id[0] && r->dest.family)
			snprintf(l.s, sizeof(l.s), "RouteEntry %s", r->key);
		sl_check_keys(o, keys, l.s, e);
		rc = sl_get_str(o, "NextHopType", false, l.s, e, &t);
		if (rc > 0 && strlen(t) < sizeof(r->next_hop_type))
			snprintf(r->next_hop_type, sizeof(r->next_hop_type), "%s", t);
		else if (rc > 0)
			snprintf(r->next_hop_type, sizeof(r->next_hop_type), "(invalid)");
		else if (rc == 0)
			snprintf(r->next_hop_type, sizeof(r->next_hop_type), "Instance");
		if (json_object_get(o, "NextHopList") != NULL)
			sl_errs_add(e, l.s, "NextHopList", "InvalidParameter",
				    "ECMP route entries (NextHopList) are not supported by sluice "
				    "(sluice deviation: the document allows them only towards "
				    "RouterInterfaces, which sluice does not implement)");
		sl_get_id(o, "NextHopId", true, l.s, e, r->next_hop_id, sizeof(r->next_hop_id));
		rc = sl_store_add_route(s, r);
		if (rc == -EEXIST) {
			struct sl_route_obj *first = sl_jsl_get(s->routes, r->key);

			sl_errs_add(e, l.s, "DestinationCidrBlock", "InvalidCIDRBlock.Duplicate",
				    "%s is already in route table %s (RouteEntries[%u])",
				    r->dest_text, r->route_table_id, first->st.file_index);
			sl_route_free(r);
		} else if (rc < 0) {
			sl_route_free(r);
			return -ENOMEM;
		}
	}
	return 0;
}

static int sl_parse_gateway(json_t *root, struct sl_store *s, struct sl_errs *e)
{
	static const char *const gkeys[] = {"Outside", "InternetRoutes", NULL};
	static const char *const okeys[] = {"Addresses", "Mtu", NULL};
	static const char *const rkeys[] = {"DestinationCidrBlock", "NextHop", NULL};
	json_t *g = json_object_get(root, "Gateway");
	json_t *out, *addrs, *routes, *o;
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
	sl_store_set_gateway(s, gw);
	return 0;
oom:
	sl_gateway_free(gw);
	return -ENOMEM;
}

static struct sl_store *sl_cfg_build(json_t *root, struct sl_errs *e)
{
	static const char *const top[] = {"Regions",   "Gateway",      "Vpcs", "VSwitches",
					  "Instances", "RouteEntries", NULL};
	struct sl_store *s;

	if (!json_is_object(root)) {
		sl_errs_add(e, "", NULL, "InvalidConfig", "the top level must be a JSON object");
		errno = EINVAL;
		return NULL;
	}
	s = sl_store_new();
	if (s == NULL)
		goto oom;
	sl_check_keys(root, top, "(top level)", e);
	if (sl_parse_regions(root, s, e) < 0 || sl_parse_vpcs(root, s, e) < 0 ||
	    sl_parse_vswitches(root, s, e) < 0 || sl_parse_instances(root, s, e) < 0 ||
	    sl_parse_routes(root, s, e) < 0 || sl_parse_gateway(root, s, e) < 0)
		goto oom;
	return s;
oom:
	sl_store_free(s);
	sl_errs_add(e, "", NULL, "InternalError", "out of memory while loading");
	errno = ENOMEM;
	return NULL;
}

struct sl_store *sl_cfg_load(const char *path, struct sl_errs *e)
{
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	struct sl_store *s;

	if (root == NULL) {
		if (je.line > 0)
			sl_errs_add(e, "", NULL, "InvalidConfig", "line %d column %d: %s", je.line,
				    je.column, je.text);
		else
			sl_errs_add(e, "", NULL, "InvalidConfig", "%s", je.text);
		errno = EINVAL;
		return NULL;
	}
	s = sl_cfg_build(root, e);
	json_decref(root);
	return s;
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
	s = sl_cfg_build(root, e);
	json_decref(root);
	return s;
}
