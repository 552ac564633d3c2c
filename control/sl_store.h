/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The object store: API-level objects (regions, zones, VPCs, VSwitches,
 * instances, route entries, the gateway) and their indexes.
 *
 * Indexes (all Judy, see sl_judy.h):
 *   - one JudySL per object type: ID -> object (route entries, which have no
 *     API ID, are keyed "RouteTableId:canonical-destination"); also
 *     RouteTableId -> VPC;
 *   - per VPC: JudySL VSwitchId/InstanceId -> object, JudySL canonical
 *     destination -> route entry (uniqueness per table);
 *   - per VPC: JudyL host-order IPv4 address -> instance (the key is the
 *     plain 32-bit address: one array per VPC because VPC CIDRs overlap), and
 *     JudyHS 16-byte network-order IPv6 address -> instance (128 bits do not
 *     fit a JudyL word);
 *   - Judy1 set of inside VLAN ids in use.
 * Objects are also kept in file order (the v[] arrays) so that errors and
 * listings follow the config file.
 *
 * Lifecycle: the config loader creates a store and adds objects (ID indexes
 * only); sl_validate() resolves references and fills the per-VPC indexes; the
 * result is immutable until it is replaced by the next validated store. A
 * reload builds a complete new store, and sl_store_diff() carries status from
 * the old one for unchanged objects and tells which VPC tables are dirty.
 *
 * Status: every object is Pending from the moment its current content is
 * accepted until sluice-dp acknowledged a generation that carries it, then
 * Available (the document's Pending -> Available lifecycle, section 3.2).
 *
 * Concurrency: single-threaded (sluiced's event loop).
 */
#ifndef SL_STORE_H
#define SL_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <Judy.h>

#include "sl_addr.h"
#include "sl_shm.h"

enum sl_status {
	SL_STATUS_PENDING = 0,
	SL_STATUS_AVAILABLE = 1,
};

const char *sl_status_name(enum sl_status s);

/** Lifecycle state every object carries. Not part of its content: a reload
 * compares content and carries this over for unchanged objects. */
struct sl_obj_state {
	enum sl_status status;
	uint64_t generation;	 /**< first generation carrying the current content,
				  * 0 = not published yet */
	unsigned int file_index; /**< position in its array in the config file */
};

struct sl_region_obj;

struct sl_zone_obj {
	struct sl_obj_state st;
	char id[SL_ID_LEN];
	char *local_name;
	struct sl_region_obj *region;
};

struct sl_region_obj {
	struct sl_obj_state st;
	char id[SL_ID_LEN];
	char *local_name;
	unsigned int n_zones;
	struct sl_zone_obj **zones;
};

/** Validation keeps a reference it could not resolve as NULL. */
struct sl_vpc_obj {
	struct sl_obj_state st;
	/* content (from the file) */
	char id[SL_ID_LEN];
	char region_id[SL_ID_LEN];
	char route_table_id[SL_ID_LEN];
	bool route_table_derived; /**< RouteTableId not given: derived from VpcId */
	char *name;
	char *description;
	struct sl_pfx cidr;  /**< family 0 if invalid */
	struct sl_pfx cidr6; /**< family 0 if absent or invalid */
	bool cidr6_given;
	int vlan; /**< -1 if absent or invalid */
	unsigned int mtu;
	/* indexes (filled by validation) */
	struct sl_region_obj *region;
	Pvoid_t vswitches; /**< JudySL VSwitchId -> struct sl_vswitch_obj * */
	Pvoid_t instances; /**< JudySL InstanceId -> struct sl_instance_obj * */
	Pvoid_t routes;	   /**< JudySL canonical destination -> struct sl_route_obj * */
	Pvoid_t inst4;	   /**< JudyL host-order IPv4 -> struct sl_instance_obj * */
	Pvoid_t inst6;	   /**< JudyHS 16-byte IPv6 -> struct sl_instance_obj * */
	unsigned int n_vswitches;
	unsigned int n_instances;
	unsigned int n_routes;
};

struct sl_vswitch_obj {
	struct sl_obj_state st;
	char id[SL_ID_LEN];
	char vpc_id[SL_ID_LEN];
	char zone_id[SL_ID_LEN];
	char *name;
	char *description;
	struct sl_pfx cidr;
	struct sl_pfx cidr6;
	bool cidr6_given;
	/* resolved */
	struct sl_vpc_obj *vpc;
	struct sl_zone_obj *zone;
};

struct sl_instance_obj {
	struct sl_obj_state st;
	char id[SL_ID_LEN];
	char vswitch_id[SL_ID_LEN];
	char vpc_id[SL_ID_LEN]; /**< optional in the file; "" if not given */
	struct sl_pfx ip4;	/**< len 32 */
	struct sl_pfx ip6;	/**< len 128; family 0 if absent or invalid */
	bool ip6_given;
	/* resolved */
	struct sl_vswitch_obj *vswitch;
};

struct sl_route_obj {
	struct sl_obj_state st;
	char key[SL_ID_LEN + SL_PFX_STRLEN + 2]; /**< "vtb-a:10.99.0.0/16" */
	char route_table_id[SL_ID_LEN];
	char dest_text[SL_PFX_STRLEN]; /**< as written in the file */
	struct sl_pfx dest;	       /**< canonical; family 0 if invalid */
	char next_hop_type[32];
	char next_hop_id[SL_ID_LEN];
	/* resolved */
	struct sl_vpc_obj *vpc;
	struct sl_instance_obj *instance;
};

struct sl_inet_route {
	char dest_text[SL_PFX_STRLEN];
	struct sl_pfx dest;
	struct sl_pfx via; /**< address, len = full */
};

/** The gateway's outside side: addresses (with their subnet length) and the
 * Internet routes. One object; absent means no Internet table. */
struct sl_gateway_obj {
	struct sl_obj_state st;
	unsigned int n_addrs;
	struct sl_pfx *addrs; /**< host address with the subnet length */
	unsigned int mtu;
	unsigned int n_routes;
	struct sl_inet_route *routes;
};

/** A growable array of object pointers (file order). */
struct sl_objvec {
	unsigned int n;
	unsigned int cap;
	void **v;
};

struct sl_store {
	Pvoid_t regions;      /**< JudySL RegionId -> region */
	Pvoid_t zones;	      /**< JudySL ZoneId -> zone */
	Pvoid_t vpcs;	      /**< JudySL VpcId -> vpc */
	Pvoid_t vswitches;    /**< JudySL VSwitchId -> vswitch */
	Pvoid_t instances;    /**< JudySL InstanceId -> instance */
	Pvoid_t routes;	      /**< JudySL route key -> route */
	Pvoid_t route_tables; /**< JudySL RouteTableId -> vpc (filled by validation) */
	Pvoid_t vlans;	      /**< Judy1 VLAN ids in use (filled by validation) */
	struct sl_objvec region_v, zone_v, vpc_v, vswitch_v, instance_v, route_v;
	struct sl_gateway_obj *gateway;
};

struct sl_store *sl_store_new(void);
void sl_store_free(struct sl_store *s);

/*
 * Adding objects: the store takes ownership on success (0). -EEXIST for a
 * duplicate ID (the object stays the caller's), -ENOMEM.
 */
int sl_store_add_region(struct sl_store *s, struct sl_region_obj *r); /* and its zones */
int sl_store_add_vpc(struct sl_store *s, struct sl_vpc_obj *v);
int sl_store_add_vswitch(struct sl_store *s, struct sl_vswitch_obj *w);
int sl_store_add_instance(struct sl_store *s, struct sl_instance_obj *i);
int sl_store_add_route(struct sl_store *s, struct sl_route_obj *r);
void sl_store_set_gateway(struct sl_store *s, struct sl_gateway_obj *g);

void sl_region_free(struct sl_region_obj *r);
void sl_vpc_free(struct sl_vpc_obj *v);
void sl_vswitch_free(struct sl_vswitch_obj *w);
void sl_instance_free(struct sl_instance_obj *i);
void sl_route_free(struct sl_route_obj *r);
void sl_gateway_free(struct sl_gateway_obj *g);

static inline struct sl_vpc_obj *sl_store_vpc(const struct sl_store *s, const char *id);
static inline struct sl_vswitch_obj *sl_store_vswitch(const struct sl_store *s, const char *id);
static inline struct sl_instance_obj *sl_store_instance(const struct sl_store *s, const char *id);

/** Instance of a VPC by address (NULL if none). */
struct sl_instance_obj *sl_vpc_instance_by_addr(const struct sl_vpc_obj *v, uint8_t family,
						sl_u128 addr);

/** Call fn(state, what, id, arg) for every object ("Vpc", "vpc-a"). */
void sl_store_foreach_state(struct sl_store *s,
			    void (*fn)(struct sl_obj_state *st, const char *what, const char *id,
				       void *arg),
			    void *arg);

/** Result of comparing an old and a new store. */
struct sl_diff {
	unsigned int added;
	unsigned int removed;
	unsigned int changed;
	unsigned int unchanged;
	Pvoid_t dirty_vpcs; /**< JudySL VpcId -> (void *)1: tables to recompile
			     * (VPCs present in the new store, or removed) */
	unsigned int n_dirty_vpcs;
	bool inet_dirty; /**< gateway changed: recompile the Internet table */
};

/**
 * Compare `old` (may be NULL: everything is added) with `new`. For every
 * object of `new` whose content equals its counterpart in `old`, copy the
 * old status and generation; every added or changed object is Pending with
 * generation 0. Fills `d` (free with sl_diff_free()). 0 or -ENOMEM.
 */
int sl_store_diff(const struct sl_store *old, struct sl_store *new, struct sl_diff *d);
void sl_diff_free(struct sl_diff *d);

/* ---- inline lookups --------------------------------------------------- */

#include "sl_judy.h"

static inline struct sl_vpc_obj *sl_store_vpc(const struct sl_store *s, const char *id)
{
	return (struct sl_vpc_obj *)sl_jsl_get(s->vpcs, id);
}

static inline struct sl_vswitch_obj *sl_store_vswitch(const struct sl_store *s, const char *id)
{
	return (struct sl_vswitch_obj *)sl_jsl_get(s->vswitches, id);
}

static inline struct sl_instance_obj *sl_store_instance(const struct sl_store *s, const char *id)
{
	return (struct sl_instance_obj *)sl_jsl_get(s->instances, id);
}

#endif /* SL_STORE_H */
