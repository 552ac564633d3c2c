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
 *   - NAT (issue 4, NAT slice): JudySL NatGatewayId, AllocationId,
 *     SnatEntryId, ForwardEntryId -> object; JudySL SnatTableId and
 *     ForwardTableId -> NAT gateway and JudyL host-order IPv4 -> EIP (both
 *     filled by validation).
 * Objects are also kept in file order (the v[] arrays) so that errors and
 * listings follow the config file.
 *
 * Lifecycle: the config loader creates a store and adds objects (ID indexes
 * only); sl_validate() resolves references and fills the per-VPC indexes; the
 * result is immutable until it is replaced by the next validated store, but
 * for the API's incremental batches, which change the live store in place
 * (struct sl_delta below). A reload builds a complete new store, and
 * sl_store_diff() carries status from the old one for unchanged objects and
 * tells which VPC tables are dirty.
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
	unsigned int file_index; /**< position in its array in the config file (or
				  * in the database's list of its kind) */
	bool from_db;		 /**< created through the API (sluiced.db), not the file */
	bool in_arena;		 /**< allocated in its store's arena: freed with it */
	int64_t created;	 /**< creation time (Unix s) from the database, 0 for
				  * file objects */
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
	int trunk; /**< inside port (trunk) of the VLAN: 0 if absent, -1 if
		    * invalid; (trunk, vlan) is unique per gateway */
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
	struct sl_havip_obj *havip; /**< NextHopType HaVip (validate_havip.c) */
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
	unsigned int n_pool;
	struct sl_pfx *eip_pool; /**< IPv4 blocks EIPs are allocated from */
	unsigned int trunks; /**< Gateway.Inside.Trunks: inside ports of the
			      * gateway (1..SL_MAX_TRUNKS), 0 if invalid */
};

/*
 * NAT objects (docs/api.md, NAT gateways and EIPs). Their content is plain
 * fixed-size data (names and descriptions included), so a clone is a copy;
 * references are resolved by validation. sluice-dp has no NAT tables yet
 * (issue 5): the compiler ignores these objects.
 */
#define SL_NAME_BUF 516	 /* 128 characters of up to 4 UTF-8 bytes, and NUL */
#define SL_DESC_BUF 1028 /* 256 characters */
#define SL_SNAT_POOL_MAX 20

struct sl_natgw_obj {
	struct sl_obj_state st;
	char id[SL_ID_LEN];
	char vpc_id[SL_ID_LEN];
	char vswitch_id[SL_ID_LEN]; /**< "" if not given */
	char spec[16];		    /**< Small, Middle, Large */
	bool eif;		    /**< EndpointIndependentFiltering (sluice's own
				     * key; default false: address and port
				     * dependent filtering, RFC 4787 REQ-8) */
	char snat_table_id[SL_ID_LEN];
	char fwd_table_id[SL_ID_LEN];
	char name[SL_NAME_BUF];
	char description[SL_DESC_BUF];
	/* resolved */
	struct sl_vpc_obj *vpc;
	unsigned int n_snat, n_fwd, n_eips;
	unsigned int n_bwps; /**< NAT bandwidth packages (validate_bwp.c) */
};

struct sl_eip_obj {
	struct sl_obj_state st;
	char id[SL_ID_LEN];
	struct sl_pfx ip; /**< IPv4, len 32; family 0 if invalid */
	unsigned int bandwidth;
	char charge_type[32];	/**< PayByBandwidth, PayByTraffic */
	char instance_type[32]; /**< "" unbound, Nat, EcsInstance */
	char instance_id[SL_ID_LEN];
	char name[SL_NAME_BUF];
	char description[SL_DESC_BUF];
	/* resolved */
	struct sl_natgw_obj *natgw;
	struct sl_instance_obj *instance;
	unsigned int n_snat, n_fwd; /**< entries that use this address */
	struct sl_cbwp_obj *cbwp;   /**< the common bandwidth package holding it */
	const struct sl_cbwp_ip *cbwp_ip;
};

struct sl_snat_obj {
	struct sl_obj_state st;
	char id[SL_ID_LEN];
	char table_id[SL_ID_LEN];
	char source_vswitch_id[SL_ID_LEN]; /**< "" if by SourceCIDR */
	struct sl_pfx source_cidr;	   /**< given, or the VSwitch's; family 0 if unknown */
	bool cidr_given;
	unsigned int n_ips;
	struct sl_pfx ips[SL_SNAT_POOL_MAX];
	char name[SL_NAME_BUF];
	/* resolved */
	struct sl_natgw_obj *natgw;
};

struct sl_fwd_obj {
	struct sl_obj_state st;
	char id[SL_ID_LEN];
	char table_id[SL_ID_LEN];
	struct sl_pfx ext_ip, int_ip;
	unsigned int ext_port, int_port; /**< 0 = Any */
	char proto[4];			 /**< TCP, UDP, Any */
	char name[SL_NAME_BUF];
	/* resolved */
	struct sl_natgw_obj *natgw;
};

/*
 * IPv6 gateway objects (docs/api.md, IPv6 gateways): plain fixed-size data
 * like the NAT objects. compile_ipv6gw.c turns them into the bank's IPv6
 * gateway section, and a VPC's ::/0 goes to its IPv6 gateway
 * (docs/ipv6gw.md).
 */
struct sl_ipv6gw_obj {
	struct sl_obj_state st;
	char id[SL_ID_LEN];
	char vpc_id[SL_ID_LEN];
	char spec[16]; /**< Small (default), Middle, Large (seed 004) */
	char name[SL_NAME_BUF];
	char description[SL_DESC_BUF];
	/* resolved */
	struct sl_vpc_obj *vpc;
	unsigned int n_bw, n_egress, n_rules;
};

/** An IPv6 address with an id (AllocateIpv6Address). When it is an
 * instance's Ipv6Address it is that instance's (AssociatedInstanceId). */
struct sl_ipv6addr_obj {
	struct sl_obj_state st;
	char id[SL_ID_LEN];
	char vswitch_id[SL_ID_LEN];
	struct sl_pfx ip; /**< len 128; family 0 if invalid */
	char name[SL_NAME_BUF];
	char description[SL_DESC_BUF];
	/* resolved */
	struct sl_vswitch_obj *vswitch;
	struct sl_instance_obj *instance; /**< the instance holding the address */
	struct sl_ipv6gw_obj *gw;	  /**< its VPC's IPv6 gateway */
	struct sl_ipv6bw_obj *bw;	  /**< its Internet bandwidth */
	unsigned int n_egress;
};

struct sl_ipv6bw_obj {
	struct sl_obj_state st;
	char id[SL_ID_LEN];
	char addr_id[SL_ID_LEN];
	char gw_id[SL_ID_LEN]; /**< "" if not given: the address's VPC's */
	unsigned int bandwidth;
	char charge_type[32]; /**< PayByBandwidth, PayByTraffic */
	/* resolved */
	struct sl_ipv6addr_obj *addr;
	struct sl_ipv6gw_obj *gw;
};

struct sl_ipv6egress_obj {
	struct sl_obj_state st;
	char id[SL_ID_LEN];
	char gw_id[SL_ID_LEN];
	char instance_id[SL_ID_LEN];
	char instance_type[32]; /**< Ipv6Address (default), Instance */
	char name[SL_NAME_BUF];
	char description[SL_DESC_BUF];
	/* resolved */
	struct sl_ipv6gw_obj *gw;
};

/** An ingress route rule of an IPv6 gateway (the REST document's
 * routeRules): Internet traffic to `dest` goes to the next hop. */
struct sl_ipv6rule_obj {
	struct sl_obj_state st;
	char id[SL_ID_LEN];
	char gw_id[SL_ID_LEN];
	struct sl_pfx dest;	/**< IPv6, host bits cleared; family 0 if invalid */
	char next_hop_type[16]; /**< ECS, HaVip */
	char next_hop_id[SL_ID_LEN];
	char description[SL_DESC_BUF];
	int64_t updated; /**< last change (Unix s), 0 if never changed */
	/* resolved */
	struct sl_ipv6gw_obj *gw;
	struct sl_instance_obj *instance; /**< an ECS next hop */
	struct sl_havip_obj *havip;	  /**< a HaVip next hop (validate_ipv6.c) */
};

/*
 * HaVips (issue 4; docs/api.md, HaVips): a private IPv4 address of a
 * VSwitch that ECS instances of that VSwitch may hold (at most
 * SL_HAVIP_INSTANCES_MAX), a route next hop and an EIP holder. Plain
 * fixed-size data like the NAT objects. Compiled by compile_havip.c (who
 * may hold it) and compile.c (routes via it); docs/havip.md.
 */
#define SL_HAVIP_INSTANCES_MAX 10

struct sl_havip_obj {
	struct sl_obj_state st;
	char id[SL_ID_LEN];
	char vswitch_id[SL_ID_LEN];
	struct sl_pfx ip; /**< IPv4, len 32; family 0 if invalid */
	char name[SL_NAME_BUF];
	char description[SL_DESC_BUF];
	/** AssociatedInstances in order; one more than the maximum is kept so
	 * that validation can report the excess */
	unsigned int n_instances;
	char instances[SL_HAVIP_INSTANCES_MAX + 1][SL_ID_LEN];
	/* resolved */
	struct sl_vswitch_obj *vswitch;
	struct sl_vpc_obj *vpc;
	struct sl_eip_obj *eip; /**< the EIP bound to it (validate_nat.c) */
	unsigned int n_routes;	/**< route entries with it as next hop */
};

/*
 * Common (shared) bandwidth packages (issue 4, API part of issue 7;
 * docs/api.md, "Common bandwidth packages"): one bandwidth in Mbps shared
 * by the EIPs the package lists, each with an optional cap of its own.
 * Plain fixed-size data; the policers are issue 7's (not compiled yet).
 */
#define SL_CBWP_IPS_MAX 50 /* EIPs per package (sluice: the document's quota has no figure) */

struct sl_cbwp_ip {
	char id[SL_ID_LEN];	/**< AllocationId */
	long long bandwidth;	/**< per-EIP cap in Mbps, -1 = none */
	struct sl_eip_obj *eip; /**< resolved */
};

struct sl_cbwp_obj {
	struct sl_obj_state st;
	char id[SL_ID_LEN];
	char region_id[SL_ID_LEN];
	long long bandwidth;  /**< Mbps (range checked by validation), -1 if not given */
	char charge_type[32]; /**< PayByBandwidth, PayBy95 */
	long long ratio;      /**< as given, 0 if not (effective: cbwp_ratio()) */
	char name[SL_NAME_BUF];
	char description[SL_DESC_BUF];
	/** PublicIpAddresses; one past the maximum is kept for validation */
	unsigned int n_ips;
	struct sl_cbwp_ip ips[SL_CBWP_IPS_MAX + 1];
};

/*
 * NAT bandwidth packages (the 2016 document's legacy ones, section 2.7):
 * 1-50 public IPs of a NAT gateway (from Gateway.EipPool) sharing one
 * bandwidth; at most 4 per gateway. Each IP carries an EIP-shaped view
 * (as_eip, bound to the gateway) that validation puts in eip_addrs, so
 * that the SNAT and forward entry rules treat it as one of the gateway's
 * public addresses. The policers are issue 7's.
 */
#define SL_BWP_IPS_MAX 50
#define SL_BWP_PER_NATGW 4
#define SL_BWP_BANDWIDTH_MIN 5
#define SL_BWP_BANDWIDTH_MAX 5000	 /* DescribeBandwidthPackages, ModifyBandwidthPackageSpec */
#define SL_BWP_BANDWIDTH_CREATE_MAX 1000 /* CreateBandwidthPackage */

struct sl_bwp_ip {
	char id[SL_ID_LEN];	  /**< AllocationId, "nateip-..." */
	struct sl_pfx ip;	  /**< IPv4, len 32; family 0 if invalid */
	struct sl_eip_obj as_eip; /**< resolved: the NAT rules' view of it */
};

struct sl_bwp_obj {
	struct sl_obj_state st;
	char id[SL_ID_LEN];
	char natgw_id[SL_ID_LEN];
	char zone_id[SL_ID_LEN]; /**< "" if not given */
	long long bandwidth;	 /**< Mbps, -1 if not given */
	char name[SL_NAME_BUF];
	char description[SL_DESC_BUF];
	unsigned int n_ips; /**< one past the maximum is kept for validation */
	struct sl_bwp_ip ips[SL_BWP_IPS_MAX + 1];
	/* resolved */
	struct sl_natgw_obj *natgw;
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
	Pvoid_t vlans;	      /**< Judy1 SL_VPC_VLAN_KEY(trunk, VLAN) in use (validation) */
	Pvoid_t natgws;	      /**< JudySL NatGatewayId -> natgw */
	Pvoid_t nat_tables;   /**< JudySL SnatTableId/ForwardTableId -> natgw (validation) */
	Pvoid_t eips;	      /**< JudySL AllocationId -> eip */
	Pvoid_t eip_addrs;    /**< JudyL host-order IPv4 -> eip (validation) */
	Pvoid_t snats;	      /**< JudySL SnatEntryId -> snat entry */
	Pvoid_t fwds;	      /**< JudySL ForwardEntryId -> forward entry */
	Pvoid_t ipv6gws;      /**< JudySL Ipv6GatewayId -> gateway */
	Pvoid_t ipv6addrs;    /**< JudySL Ipv6AddressId -> address */
	Pvoid_t ipv6bws;      /**< JudySL Ipv6InternetBandwidthId -> bandwidth */
	Pvoid_t ipv6egress;   /**< JudySL Ipv6EgressOnlyRuleId -> rule */
	Pvoid_t ipv6rules;    /**< JudySL RouteRuleId -> ingress route rule */
	Pvoid_t ipv6_keys;    /**< JudySL "VpcId|address" -> address, "VpcId" ->
			       * gateway (validation) */
	struct sl_objvec region_v, zone_v, vpc_v, vswitch_v, instance_v, route_v;
	struct sl_objvec natgw_v, eip_v, snat_v, fwd_v;
	struct sl_objvec ipv6gw_v, ipv6addr_v, ipv6bw_v, ipv6egress_v, ipv6rule_v;
	Pvoid_t havips; /**< JudySL HaVipId -> havip */
	struct sl_objvec havip_v;
	Pvoid_t cbwps; /**< JudySL BandwidthPackageId -> common bandwidth package */
	struct sl_objvec cbwp_v;
	Pvoid_t bwps; /**< JudySL BandwidthPackageId -> NAT bandwidth package */
	struct sl_objvec bwp_v;
	struct sl_gateway_obj *gateway;
	struct sl_arena *arena; /**< bulk memory of cloned instances and routes */
	/* The states of this store's Pending objects, filled by sl_store_diff()
	 * and emptied as they become Available (ctl.c), so that stamping a
	 * generation and taking an acknowledgement cost the change, not the
	 * store. `pending_all`: the list could not grow (out of memory), walk
	 * every object instead. */
	struct sl_objvec pending;
	bool pending_all;
	/* Instances and route entries of the arena that an in-place change
	 * (struct sl_delta) removed: their memory comes back only with the
	 * whole store, so the API path builds a fresh store once they
	 * outnumber the live ones (docs/sluiced.md, "Incremental batches"). */
	unsigned int arena_dead;
};

/** Add `st` (an object of `s`, Pending) to s->pending. */
void sl_store_pending_add(struct sl_store *s, struct sl_obj_state *st);

/** Key of a VPC's (trunk, VLAN) in sl_store.vlans. */
#define SL_VPC_VLAN_KEY(trunk, vlan) ((Word_t)(trunk) * SL_VLAN_COUNT + (Word_t)(vlan))

/** Trunks (inside ports) of the gateway: Gateway.Inside.Trunks, 1 if the
 * file has no Gateway. */
static inline unsigned int sl_store_trunks(const struct sl_store *s)
{
	return s->gateway ? s->gateway->trunks : 1;
}

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
int sl_store_add_natgw(struct sl_store *s, struct sl_natgw_obj *n);
int sl_store_add_eip(struct sl_store *s, struct sl_eip_obj *e);
int sl_store_add_snat(struct sl_store *s, struct sl_snat_obj *n);
int sl_store_add_fwd(struct sl_store *s, struct sl_fwd_obj *f);
int sl_store_add_ipv6gw(struct sl_store *s, struct sl_ipv6gw_obj *g);
int sl_store_add_ipv6addr(struct sl_store *s, struct sl_ipv6addr_obj *a);
int sl_store_add_ipv6bw(struct sl_store *s, struct sl_ipv6bw_obj *b);
int sl_store_add_ipv6egress(struct sl_store *s, struct sl_ipv6egress_obj *r);
int sl_store_add_ipv6rule(struct sl_store *s, struct sl_ipv6rule_obj *r);
int sl_store_add_havip(struct sl_store *s, struct sl_havip_obj *h);
int sl_store_add_cbwp(struct sl_store *s, struct sl_cbwp_obj *b);
int sl_store_add_bwp(struct sl_store *s, struct sl_bwp_obj *b);

void sl_region_free(struct sl_region_obj *r);
void sl_vpc_free(struct sl_vpc_obj *v);
void sl_vswitch_free(struct sl_vswitch_obj *w);
void sl_instance_free(struct sl_instance_obj *i);
void sl_route_free(struct sl_route_obj *r);
void sl_gateway_free(struct sl_gateway_obj *g);

/*
 * Copies of an object's content and state (for another store): indexes,
 * counts and resolved references are empty, as after parsing. NULL on
 * ENOMEM. The database keeps its parsed objects and clones them into every
 * build instead of parsing them again.
 */
struct sl_vpc_obj *sl_vpc_clone(const struct sl_vpc_obj *v);
struct sl_vswitch_obj *sl_vswitch_clone(const struct sl_vswitch_obj *w);
struct sl_instance_obj *sl_instance_clone(const struct sl_instance_obj *i);
struct sl_route_obj *sl_route_clone(const struct sl_route_obj *r);
struct sl_gateway_obj *sl_gateway_clone(const struct sl_gateway_obj *g);
/** The same for instances and routes, allocated in the arena of store `s`
 * (in_arena set: freed with `s`, never on their own; a build of many
 * thousands of them saves as many malloc/free pairs). Not added to `s`. */
struct sl_instance_obj *sl_store_clone_instance(struct sl_store *s,
						const struct sl_instance_obj *i);
struct sl_route_obj *sl_store_clone_route(struct sl_store *s, const struct sl_route_obj *r);
/** A new, zeroed route object in the arena of `s` (in_arena set; the
 * config loader's: half a million of them in a big file). Not added. */
struct sl_route_obj *sl_store_new_route(struct sl_store *s);

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
	bool inet_dirty;       /**< gateway changed: recompile the Internet table */
	struct sl_store *into; /**< the new store, whose Pending list it fills */
};

/**
 * Compare `old` (may be NULL: everything is added) with `new`. For every
 * object of `new` whose content equals its counterpart in `old`, copy the
 * old status and generation; every added or changed object is Pending with
 * generation 0. new->pending gets every Pending object of `new`. Fills `d`
 * (free with sl_diff_free()). 0 or -ENOMEM.
 */
int sl_store_diff(const struct sl_store *old, struct sl_store *new, struct sl_diff *d);
void sl_diff_free(struct sl_diff *d);

/*
 * In-place change of the live store (the API's incremental batches;
 * docs/sluiced.md, "Incremental batches"). Only the kinds that make VPC
 * tables are changed this way. A delta replaces, adds and removes objects
 * in the ID indexes and the file-order arrays and journals each step;
 * validate_part() (sl_validate.h) then re-validates the VPCs concerned.
 * Then either sl_delta_revert() + sl_delta_drop() put the store back as it
 * was (nothing freed until the drop: the revert's re-validation still
 * reads the new objects), or sl_delta_keep() makes the change final.
 *
 * Ownership: the store owns its live objects; a delta owns the objects it
 * put until it is kept (then the store does) and the objects it replaced
 * or removed until it is dropped (then the store has them back) or kept
 * (then they are freed, or counted in arena_dead). A removal leaves its ID
 * key with a NULL value (an absent object to every lookup) and its array
 * slot until the keep: no step of a delta allocates on the way back.
 *
 * Concurrency: sluiced's event loop; the store is live, so a delta is
 * begun, validated and kept or reverted within one call chain, with no
 * other reader of the store in between.
 */
enum sl_okind { SL_OK_VPC, SL_OK_VSWITCH, SL_OK_INSTANCE, SL_OK_ROUTE, SL_OK_N };

struct sl_delta_ent {
	enum sl_okind kind;
	void *before; /**< the object replaced or removed, NULL if added */
	void *after;  /**< the object added or replacing it, NULL if removed */
	int pos;      /**< sl_delta_keep(): array slot of a removed object */
};

struct sl_delta {
	struct sl_store *s;
	unsigned int n, cap;
	struct sl_delta_ent *v;
	unsigned int n0[SL_OK_N]; /**< array lengths before the first step */
};

/** ID of an object of kind `k` (a route entry's key). */
const char *sl_okind_id(enum sl_okind k, const void *o);
/** The object of kind `k` with that ID in `s`, NULL if none. */
void *sl_store_get(const struct sl_store *s, enum sl_okind k, const char *id);
/** Number of objects of kind `k` in `s` that come from the database. */
unsigned int sl_store_count_from_db(const struct sl_store *s, enum sl_okind k);
/** Order of two objects of a kind in the file-order arrays. */
int sl_obj_order(const void *a, const void *b);

void sl_delta_begin(struct sl_delta *d, struct sl_store *s);
/** Add `o`, or replace the object with its ID (which must come from the
 * database: -EPERM for a config file object). `o` comes next in file order
 * (or takes the replaced object's place). 0: the delta owns `o`; else it
 * stays the caller's (-ENOMEM, -EPERM, -EINVAL). */
int sl_delta_put(struct sl_delta *d, enum sl_okind k, void *o);
/** Remove object `id` (-ENOENT if absent, -EPERM if from the file). */
int sl_delta_del(struct sl_delta *d, enum sl_okind k, const char *id);
/** The store's indexes and arrays as before sl_delta_begin(). */
void sl_delta_revert(struct sl_delta *d);
/** After sl_delta_revert(): free the objects the delta put and the journal. */
void sl_delta_drop(struct sl_delta *d);
/**
 * Make the change final: status carried for objects whose content did not
 * change (as sl_store_diff()), Pending otherwise; the Pending list updated;
 * `diff` filled as sl_store_diff() would (dirty VPCs by the resolved
 * references, so call it after validation); removed objects freed; the
 * journal freed. 0, or -ENOMEM when the dirty set is incomplete (the
 * caller recompiles everything).
 */
int sl_delta_keep(struct sl_delta *d, struct sl_diff *diff);

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
