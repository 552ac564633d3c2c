/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Validation of common (shared) bandwidth packages (spec digest 2.10, 3.7,
 * 3.10; raw seed L6090-6530; ranges from the SDK's models, docs/api.md
 * "Common bandwidth packages") and of NAT bandwidth packages (spec digest
 * 2.6, 2.7; raw seed L3340-3760; docs/api.md "NAT bandwidth packages").
 *
 * Design note: a package names its region and its EIPs; an EIP is in at
 * most one package (reported on the second), a package holds at most
 * SL_CBWP_IPS_MAX, and an EIP's own cap inside the package lies within the
 * package's bandwidth. The EIP learns its package (eip->cbwp) here, for
 * DescribeEipAddresses and ReleaseEipAddress. The bandwidth range depends
 * on the charge type (PayByBandwidth 2-20000, PayBy95 200-20000 Mbps); the
 * guaranteed Ratio (10-100 %) matters only to PayBy95 and is 100 for
 * PayByBandwidth whatever was given (the document: "other values are
 * ignored").
 *
 * A NAT package belongs to a NAT gateway (at most SL_BWP_PER_NATGW, and
 * never next to EIPs bound to it: the document sends such users to a
 * ticket), has 1-SL_BWP_IPS_MAX addresses of the EipPool that no EIP or
 * other package has, and a bandwidth of 5-5000 Mbps. Each address gets an
 * EIP-shaped view bound to the gateway in eip_addrs, so validate_nat.c's
 * SNAT and forward entry rules (SnatIp, ExternalIp, SNAT xor DNAT) apply
 * to it unchanged.
 *
 * Concurrency: single-threaded; called by sl_validate_nat() after the EIPs
 * are checked.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sl_ctl_config.h"
#include "sl_judy.h"
#include "sl_validate.h"

#define LABEL_LEN 160

long long sl_cbwp_ratio(const struct sl_cbwp_obj *b)
{
	if (strcmp(b->charge_type, "PayBy95") != 0 || b->ratio == 0)
		return 100;
	return b->ratio;
}

static void sl_check_cbwp_ips(struct sl_store *s, struct sl_cbwp_obj *b, const char *l,
			      struct sl_errs *e)
{
	if (b->n_ips > SL_CBWP_IPS_MAX)
		sl_errs_add(e, l, "PublicIpAddresses", "IpInstanceId.QuotaExceeded",
			    "a package holds at most %d EIPs", SL_CBWP_IPS_MAX);
	for (unsigned int i = 0; i < b->n_ips && i < SL_CBWP_IPS_MAX; i++) {
		struct sl_cbwp_ip *ip = &b->ips[i];
		struct sl_eip_obj *p = sl_jsl_get(s->eips, ip->id);

		if (p == NULL) {
			sl_errs_add(e, l, "PublicIpAddresses", "InvalidIpInstanceId.NotFound",
				    "EIP %s does not exist", ip->id);
			continue;
		}
		if (p->cbwp) {
			sl_errs_add(e, l, "PublicIpAddresses",
				    "IpInstanceId.AlreadyInBandwidthPackage",
				    "EIP %s is already in %s %s", ip->id,
				    p->cbwp == b ? "this package," : "package", p->cbwp->id);
			continue;
		}
		p->cbwp = b;
		p->cbwp_ip = ip;
		ip->eip = p;
		if (ip->bandwidth != -1 && (ip->bandwidth < 1 || ip->bandwidth > b->bandwidth))
			sl_errs_add(e, l, "PublicIpAddresses", "InvalidBandwidth.ValueNotSupported",
				    "EIP %s: a cap of %lld Mbps is outside 1-%lld (the package's)",
				    ip->id, ip->bandwidth, b->bandwidth);
	}
}

static void sl_check_cbwp(struct sl_store *s, struct sl_cbwp_obj *b, struct sl_errs *e)
{
	bool p95 = strcmp(b->charge_type, "PayBy95") == 0;
	long long min = p95 ? SL_CBWP_BANDWIDTH_95_MIN : SL_CBWP_BANDWIDTH_MIN;
	const char *why;
	char l[LABEL_LEN];

	snprintf(l, sizeof(l), "CommonBandwidthPackage %s", b->id);
	if (b->region_id[0] && sl_jsl_get(s->regions, b->region_id) == NULL)
		sl_errs_add(e, l, "RegionId", "InvalidRegionId.NotFound",
			    "region %s is not defined in Regions", b->region_id);
	if (!p95 && strcmp(b->charge_type, "PayByBandwidth") != 0)
		sl_errs_add(e, l, "InternetChargeType",
			    "InvalidInternetChargeType.ValueNotSupported",
			    "'%.32s': PayByBandwidth or PayBy95", b->charge_type);
	else if (b->bandwidth != -1 && (b->bandwidth < min || b->bandwidth > SL_CBWP_BANDWIDTH_MAX))
		sl_errs_add(e, l, "Bandwidth", "InvalidBandwidth.ValueNotSupported",
			    "%lld Mbps is outside %lld-%d for %s", b->bandwidth, min,
			    SL_CBWP_BANDWIDTH_MAX, b->charge_type);
	if (p95 && b->ratio && (b->ratio < SL_CBWP_RATIO_MIN || b->ratio > SL_CBWP_RATIO_MAX))
		sl_errs_add(e, l, "Ratio", "InvalidParameter", "%lld %% is outside %d-%d", b->ratio,
			    SL_CBWP_RATIO_MIN, SL_CBWP_RATIO_MAX);
	if ((why = sl_name_problem(b->name)) != NULL)
		sl_errs_add(e, l, "Name", "InvalidParameter.Name.Malformed", "%s", why);
	if ((why = sl_desc_problem(b->description)) != NULL)
		sl_errs_add(e, l, "Description", "InvalidParameter.Description.Malformed", "%s",
			    why);
	sl_check_cbwp_ips(s, b, l, e);
}

static int sl_check_bwp_ip(struct sl_store *s, struct sl_bwp_obj *b, struct sl_bwp_ip *ip,
			   unsigned int nth, const char *l, struct sl_errs *e)
{
	struct sl_eip_obj *first;
	char a[SL_PFX_STRLEN];

	for (unsigned int k = 0; k < nth; k++)
		if (strcmp(b->ips[k].id, ip->id) == 0) {
			sl_errs_add(e, l, "PublicIpAddresses", "InvalidParameter",
				    "AllocationId %s is listed twice", ip->id);
			return 0;
		}
	if (ip->ip.family == 0)
		return 0;
	sl_ip_fmt(SL_AF_INET, ip->ip.addr, a, sizeof(a));
	if (!sl_in_eip_pool(s->gateway, &ip->ip))
		sl_errs_add(e, l, "PublicIpAddresses", "InvalidIpAddress.NotInPool",
			    "%s is not in the gateway's EipPool", a);
	first = sl_jl_get(s->eip_addrs, (Word_t)(uint32_t)ip->ip.addr);
	if (first) {
		sl_errs_add(e, l, "PublicIpAddresses", "InvalidParameter", "%s is already %s", a,
			    first->id);
		return 0;
	}
	memset(&ip->as_eip, 0, sizeof(ip->as_eip));
	ip->as_eip.st = b->st;
	memcpy(ip->as_eip.id, ip->id, sizeof(ip->id));
	ip->as_eip.ip = ip->ip;
	ip->as_eip.natgw = b->natgw;
	return sl_jl_insert(&s->eip_addrs, (Word_t)(uint32_t)ip->ip.addr, &ip->as_eip);
}

static int sl_check_bwp(struct sl_store *s, struct sl_bwp_obj *b, struct sl_errs *e)
{
	const char *why;
	char l[LABEL_LEN];
	int rc = 0;

	snprintf(l, sizeof(l), "BandwidthPackage %s", b->id);
	b->natgw = sl_jsl_get(s->natgws, b->natgw_id);
	if (b->natgw == NULL) {
		sl_errs_add(e, l, "NatGatewayId", "InvalidNatGatewayId.NotFound",
			    "NAT gateway %s does not exist", b->natgw_id);
	} else {
		if (++b->natgw->n_bwps == SL_BWP_PER_NATGW + 1)
			sl_errs_add(e, l, "NatGatewayId",
				    "QuotaExceeded.BandwidthPackageCountOnNatGateway",
				    "NAT gateway %s has %d NAT bandwidth packages already",
				    b->natgw->id, SL_BWP_PER_NATGW);
		if (b->natgw->n_eips)
			sl_errs_add(e, l, "NatGatewayId",
				    "Forbidden.NatGatewayEipAndBandwidthPackage",
				    "NAT gateway %s has %u EIP(s) bound: it takes no NAT "
				    "bandwidth package",
				    b->natgw->id, b->natgw->n_eips);
	}
	if (b->zone_id[0] &&
	    (sl_jsl_get(s->zones, b->zone_id) == NULL ||
	     (b->natgw && b->natgw->vpc &&
	      strcmp(((struct sl_zone_obj *)sl_jsl_get(s->zones, b->zone_id))->region->id,
		     b->natgw->vpc->region_id) != 0)))
		sl_errs_add(e, l, "ZoneId", "InvalidZoneId.NotFound",
			    "zone %s is not a zone of the gateway's region", b->zone_id);
	if (b->bandwidth != -1 &&
	    (b->bandwidth < SL_BWP_BANDWIDTH_MIN || b->bandwidth > SL_BWP_BANDWIDTH_MAX))
		sl_errs_add(e, l, "Bandwidth", "InvalidBandwidth.ValueNotSupported",
			    "%lld Mbps is outside %d-%d", b->bandwidth, SL_BWP_BANDWIDTH_MIN,
			    SL_BWP_BANDWIDTH_MAX);
	if (b->n_ips == 0 || b->n_ips > SL_BWP_IPS_MAX)
		sl_errs_add(e, l, "PublicIpAddresses", "InvalidIpCount.ValueNotSupported",
			    "a NAT bandwidth package has 1-%d public IPs", SL_BWP_IPS_MAX);
	if ((why = sl_name_problem(b->name)) != NULL)
		sl_errs_add(e, l, "Name", "InvalidParameter.Name.Malformed", "%s", why);
	if ((why = sl_desc_problem(b->description)) != NULL)
		sl_errs_add(e, l, "Description", "InvalidParameter.Description.Malformed", "%s",
			    why);
	for (unsigned int i = 0; i < b->n_ips && i < SL_BWP_IPS_MAX && rc == 0; i++)
		rc = sl_check_bwp_ip(s, b, &b->ips[i], i, l, e);
	return rc == -ENOMEM ? rc : 0;
}

int sl_validate_bwp(struct sl_store *s, struct sl_errs *e)
{
	int rc = 0;

	for (unsigned int i = 0; i < s->cbwp_v.n; i++)
		sl_check_cbwp(s, s->cbwp_v.v[i], e);
	for (unsigned int i = 0; i < s->bwp_v.n && rc == 0; i++)
		rc = sl_check_bwp(s, s->bwp_v.v[i], e);
	return rc;
}

unsigned int sl_bwp_ip_uses(const struct sl_bwp_obj *b)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < b->n_ips && i < SL_BWP_IPS_MAX; i++)
		n += b->ips[i].as_eip.n_snat + b->ips[i].as_eip.n_fwd;
	return n;
}
