/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The declarative config file (JSON) -> a new object store.
 *
 * The file format is documented in docs/sluiced.md; configs/demo.json is the
 * reference example. Field names follow the 2016-04-28 VPC API.
 */
#ifndef SL_CTL_CONFIG_H
#define SL_CTL_CONFIG_H

#include <jansson.h>

#include "sl_ctl_log.h"
#include "sl_store.h"

/** Default VPC CidrBlock (CreateVpc's default). */
#define SL_DEFAULT_VPC_CIDR "172.16.0.0/12"
#define SL_DEFAULT_MTU 1500
/* EIP bandwidth in Mbps: AllocateEipAddress's default; the range is sluice's
 * (the document gives none; the website's pay-by-bandwidth range). */
#define SL_EIP_BANDWIDTH_DEFAULT 5
#define SL_EIP_BANDWIDTH_MIN 1
#define SL_EIP_BANDWIDTH_MAX 200
/* IPv6 Internet bandwidth in Mbps (seed 004): 1-5000 for PayByBandwidth;
 * PayByTraffic is also capped by the IPv6 gateway's spec. */
#define SL_IPV6_BW_MIN 1
#define SL_IPV6_BW_MAX 5000
#define SL_IPV6_BW_TRAFFIC_SMALL 500
#define SL_IPV6_BW_TRAFFIC_MIDDLE 1000
#define SL_IPV6_BW_TRAFFIC_LARGE 2000
/* Ingress route rules per IPv6 gateway (sluice's quota: seed 000 gives none). */
#define SL_IPV6_RULES_MAX 200
/* Common bandwidth package: InternetChargeType PayByBandwidth (default)
 * and PayBy95, Mbps ranges the SDK gives for the China site (the 2017
 * document gives none), and the guaranteed ratio of PayBy95 (%). */
#define SL_CBWP_BANDWIDTH_MIN 2
#define SL_CBWP_BANDWIDTH_95_MIN 200
#define SL_CBWP_BANDWIDTH_MAX 20000
#define SL_CBWP_RATIO_MIN 10
#define SL_CBWP_RATIO_MAX 100

/**
 * Parse `path` into a new store. Syntax-level problems (JSON, unknown keys,
 * wrong types, missing required keys, malformed addresses, duplicate IDs)
 * are added to `errs`; objects with a bad field are still stored (with that
 * field unset) so that validation can report everything else about them.
 * Returns NULL only when no store can be built at all (file unreadable, not
 * JSON, not an object, out of memory), with the reason in `errs`.
 * Run sl_validate() on the result before using it.
 */
struct sl_store *sl_cfg_load(const char *path, struct sl_errs *errs);

/**
 * sl_cfg_load() that calls `gw_fn` (on the calling thread) as soon as the
 * Gateway section is parsed, before the other objects are built (sluiced's
 * start gives it to the thread that fills the Internet RIB). `gw` is the
 * store's own gateway (NULL: none) and lives only as long as the store,
 * which may yet be freed by this call: copy what is needed.
 */
typedef void (*sl_cfg_gateway_fn)(const struct sl_gateway_obj *gw, void *arg);
struct sl_store *sl_cfg_load_ex(const char *path, sl_cfg_gateway_fn gw_fn, void *gw_arg,
				struct sl_errs *errs);

/** Same, from a string (tests, API). `name` prefixes messages. */
struct sl_store *sl_cfg_load_string(const char *text, struct sl_errs *errs);

/**
 * The JSON text of a config file as a jansson tree: exactly what
 * json_loadb(buf, len, JSON_REJECT_DUPLICATES, je) returns (the same tree,
 * the same error), but when the top-level "RouteEntries" array spans at
 * least `split_min` bytes its second half is parsed on a second thread
 * (config.c's design note). `buf` is modified during the call and restored.
 * sl_cfg_load() passes SL_CFG_SPLIT_MIN; tests and the fuzz target pass
 * smaller values to compare both paths.
 */
#define SL_CFG_SPLIT_MIN (4u << 20)

/** Figures of the last sl_cfg_load() / sl_cfg_parse_json() on this thread
 * (the start-up log line and tests/perf/bench_update print them). */
struct sl_cfg_load_stats {
	double parse_s; /**< reading the file and the JSON parse */
	double build_s; /**< the store from the tree (sl_cfg_load only) */
	bool split;	/**< the RouteEntries array was parsed in two pieces */
	bool scanned;	/**< the RouteEntries array was read by cfg_scan.c */
};
extern _Thread_local struct sl_cfg_load_stats sl_cfg_last_load;
json_t *sl_cfg_parse_json(char *buf, size_t len, size_t split_min, json_error_t *je);

/**
 * sl_cfg_load() of a text in memory (`buf`, `len` bytes; modified: the
 * caller frees it afterwards, nothing of the store points into it). When
 * the top-level "RouteEntries" array spans at least `scan_min` bytes and
 * every element has the shape cfg_scan.c accepts, the entries are built
 * straight from the text and jansson parses the rest of the document; any
 * other text takes the jansson path (sl_cfg_parse_json() with `split_min`).
 * Both paths give the same store and the same errors in the same order
 * (config_test's differential test, the fuzz target). sl_cfg_load() passes
 * SL_CFG_SCAN_MIN and SL_CFG_SPLIT_MIN; gw_fn as sl_cfg_load_ex().
 */
#define SL_CFG_SCAN_MIN (256u << 10)
struct sl_store *sl_cfg_load_text(char *buf, size_t len, size_t scan_min, size_t split_min,
				  sl_cfg_gateway_fn gw_fn, void *gw_arg, struct sl_errs *errs);

/** The members of one route entry as the scanner found them (NULL:
 * absent), C strings inside the scanned text. */
enum { SL_RF_TABLE, SL_RF_DEST, SL_RF_TYPE, SL_RF_HOP, SL_RF_N };
struct sl_cfg_route_fields {
	const char *v[SL_RF_N];
};
typedef int (*sl_cfg_route_fn)(const struct sl_cfg_route_fields *f, unsigned int index, void *arg);
/**
 * Scan the elements of the array from buf[open] ('[') to buf[close] (']')
 * (cfg_scan.c). `fn` NULL: only check, the text is not changed; else the
 * values are NUL-terminated in place and `fn` gets every element in order
 * (a negative return stops the scan and is returned). The number of
 * elements, or -EINVAL when the array is not of the accepted shape.
 */
long sl_cfg_scan_routes(char *buf, size_t open, size_t close, sl_cfg_route_fn fn, void *arg);

/** The kinds of object that both the file and the database hold. */
enum sl_cfg_kind {
	SL_CFG_REGION = 0,
	SL_CFG_VPC,
	SL_CFG_VSWITCH,
	SL_CFG_INSTANCE,
	SL_CFG_ROUTE,
	SL_CFG_NATGW, /* NatGateways */
	SL_CFG_EIP,   /* EipAddresses */
	SL_CFG_SNAT,  /* SnatEntries */
	SL_CFG_FWD,   /* ForwardEntries */
	/* IPv6 gateway slice (api_ipv6gw.c, validate_ipv6.c) */
	SL_CFG_IPV6GW,	   /* Ipv6Gateways */
	SL_CFG_IPV6ADDR,   /* Ipv6Addresses */
	SL_CFG_IPV6BW,	   /* Ipv6InternetBandwidths */
	SL_CFG_IPV6EGRESS, /* Ipv6EgressOnlyRules */
	SL_CFG_IPV6RULE,   /* Ipv6GatewayRouteRules (REST routeRules) */
	SL_CFG_HAVIP, /* HaVips */
	SL_CFG_CBWP,  /* CommonBandwidthPackages */
	SL_CFG_BWP,   /* BandwidthPackages (NAT) */
	SL_CFG_NKINDS
};

/** The config file section of a kind ("Vpcs"), NULL if out of range. */
const char *sl_cfg_kind_section(enum sl_cfg_kind k);

/**
 * Parse one object of kind `k` in the config file's schema (one element of
 * its section) and add it to `s`, its state seeded from `st0` (file index,
 * origin, creation time; status Pending). Problems go to `errs` as for a
 * file. 0 (stored or reported), -EINVAL (bad kind) or -ENOMEM.
 */
int sl_cfg_add_object(struct sl_store *s, enum sl_cfg_kind k, json_t *o,
		      const struct sl_obj_state *st0, struct sl_errs *errs);

/** The RouteTableId used when a VPC gives none: "vpc-X" -> "vtb-X", any
 * other id -> "vtb-" + id. 0, or -ENAMETOOLONG. */
int sl_cfg_default_route_table(const char *vpc_id, char *out, size_t size);

/** A NAT gateway's SNAT and forward table ids: "ngw-X" -> "stb-X" and
 * "ftb-X", any other id -> "stb-" + id. 0 or -ENAMETOOLONG. */
int sl_cfg_nat_table_ids(const char *ngw_id, char *stb, char *ftb, size_t size);
/** SnatIp: one IPv4 address or a comma-separated pool (at most
 * SL_SNAT_POOL_MAX, no repeats) into ips[] and *n. 0 or -1 (malformed). */
int sl_cfg_snat_ips(const char *text, struct sl_pfx *ips, unsigned int *n);
/** A forward entry port: "Any" (any case) -> 0, "1".."65535"; -1 otherwise. */
int sl_cfg_port(const char *t);
/** An ingress route rule destination: an IPv6 "address/length" whose host
 * bits are cleared (seed 000: "2407:c080::/16" is "2407::/16"). 0 or -1. */
int sl_cfg_ipv6_dest(const char *text, struct sl_pfx *p);
/** IpProtocol TCP/UDP/Any in any case -> canonical spelling, else NULL. */
const char *sl_cfg_proto(const char *t);

#endif /* SL_CTL_CONFIG_H */
