/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Validation of common (shared) bandwidth packages (spec digest 2.10, 3.7,
 * 3.10; raw seed L6090-6530; ranges from the SDK's models, docs/api.md
 * "Common bandwidth packages").
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
 * Concurrency: single-threaded; called by sl_validate_nat() after the EIPs
 * are checked.
 */
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
			sl_errs_add(e, l, "PublicIpAddresses", "IpInstanceId.AlreadyInBandwidthPackage",
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
		sl_errs_add(e, l, "InternetChargeType", "InvalidInternetChargeType.ValueNotSupported",
			    "'%.32s': PayByBandwidth or PayBy95", b->charge_type);
	else if (b->bandwidth != -1 && (b->bandwidth < min || b->bandwidth > SL_CBWP_BANDWIDTH_MAX))
		sl_errs_add(e, l, "Bandwidth", "InvalidBandwidth.ValueNotSupported",
			    "%lld Mbps is outside %lld-%d for %s", b->bandwidth, min,
			    SL_CBWP_BANDWIDTH_MAX, b->charge_type);
	if (p95 && b->ratio && (b->ratio < SL_CBWP_RATIO_MIN || b->ratio > SL_CBWP_RATIO_MAX))
		sl_errs_add(e, l, "Ratio", "InvalidParameter", "%lld %% is outside %d-%d",
			    b->ratio, SL_CBWP_RATIO_MIN, SL_CBWP_RATIO_MAX);
	if ((why = sl_name_problem(b->name)) != NULL)
		sl_errs_add(e, l, "Name", "InvalidParameter.Name.Malformed", "%s", why);
	if ((why = sl_desc_problem(b->description)) != NULL)
		sl_errs_add(e, l, "Description", "InvalidParameter.Description.Malformed", "%s",
			    why);
	sl_check_cbwp_ips(s, b, l, e);
}

int sl_validate_bwp(struct sl_store *s, struct sl_errs *e)
{
	for (unsigned int i = 0; i < s->cbwp_v.n; i++)
		sl_check_cbwp(s, s->cbwp_v.v[i], e);
	return 0;
}
