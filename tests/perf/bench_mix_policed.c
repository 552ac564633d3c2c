/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_pipeline's `policed` mix (issues 7 and 9): IPv4 to and from EIPs
 * with bandwidth policers, 100,000 policers loaded.
 *
 * Design note
 * -----------
 * The config of bench_pipeline.c gets, for this mix only (published again
 * before it, like ipv6-ingress-rule): EIPs from the config's pool
 * (SL_BP_EIP_POOL, 198.18.0.0/15), an EIP
 * of 100 Mbps on both instances of the first VPCs up to the gateway's
 * quota of 4,096 EIPs (VPCs 0-2047: 8,192 policers, one per EIP and
 * direction), a NAT gateway in each VPC with traffic (its default route
 * sends outbound traffic to eip4), and as many common bandwidth packages
 * without members (2 aggregate policers each: 45,904 with the defaults)
 * as it takes to load SL_BPM_POLICERS policers: the
 * policers the traffic touches are spread over a section and a bucket
 * table of that size. Rates are high enough that every packet conforms
 * (the traffic is spread over 2 x --active-vpcs EIP directions): the
 * figure is the cost of metering, not of dropping.
 *
 * Traffic (64-byte UDP frames) in the VPCs with traffic, the first
 * min(--active-vpcs, 2,048): half from the Internet to the EIP of
 * VSwitch 1's instance of a random one (eip4 DNAT, police4 inbound,
 * route4 in the VPC), half from that instance to a random address of the
 * Internet table (route4 to the NAT gateway, eip4 SNAT, police4 outbound,
 * route4 on the Internet table).
 */
#include <errno.h>

#include "bench_pipeline.h"

#define SL_BPM_POOL UINT32_C(0xc6120000) /* 198.18.0.0/15 */
#define SL_BPM_MBPS 100
#define SL_BPM_EIPS_MAX 4096u /* the gateway's EIP quota (validation) */

/* VPCs whose instances have EIPs and which carry the mix's traffic. */
static uint32_t sl_bpm_vpcs(uint32_t vpcs, uint32_t active)
{
	uint32_t n = vpcs < SL_BPM_EIPS_MAX / 2 ? vpcs : SL_BPM_EIPS_MAX / 2;

	return active < n ? active : n;
}

/* The EIP of instance i-pV-S (S = 0, 1): 198.18.0.0 + 1 + 2 V + S. */
static uint32_t sl_bpm_eip(uint32_t v, unsigned int s)
{
	return SL_BPM_POOL + 1 + 2 * v + s;
}

void sl_bpm_policed_objects(FILE *f, uint32_t vpcs, uint32_t active)
{
	uint32_t eips = 2 * (vpcs < SL_BPM_EIPS_MAX / 2 ? vpcs : SL_BPM_EIPS_MAX / 2), pkgs = 0;

	if (2 * eips < SL_BPM_POLICERS)
		pkgs = (SL_BPM_POLICERS - 2 * eips + 1) / 2;
	fputs(",\"NatGateways\":[", f);
	for (uint32_t v = 0; v < sl_bpm_vpcs(vpcs, active); v++)
		fprintf(f, "%s{\"NatGatewayId\":\"ngw-p%05u\",\"VpcId\":\"vpc-p%05u\"}\n",
			v ? "," : "", v, v);
	fputs("],\"EipAddresses\":[", f);
	for (uint32_t i = 0; i < eips; i++) {
		uint32_t a = sl_bpm_eip(i / 2, i & 1);

		fprintf(f,
			"%s{\"AllocationId\":\"eip-p%05u-%u\",\"IpAddress\":\"%u.%u.%u.%u\","
			"\"Bandwidth\":%u,\"InstanceType\":\"EcsInstance\",\"InstanceId\":"
			"\"i-p%05u-%u\"}\n",
			i ? "," : "", i / 2, i & 1, a >> 24, (a >> 16) & 255, (a >> 8) & 255,
			a & 255, SL_BPM_MBPS, i / 2, i & 1);
	}
	fputs("],\"CommonBandwidthPackages\":[", f);
	for (uint32_t k = 0; k < pkgs; k++)
		fprintf(f,
			"%s{\"BandwidthPackageId\":\"cbwp-p%06u\",\"RegionId\":\"cn-bench\","
			"\"Bandwidth\":%u}\n",
			k ? "," : "", k, SL_BPM_MBPS);
	fputs("]", f);
}

int sl_bpm_policed_frames(const struct sl_pfxlist *pl, uint32_t flows, uint32_t vpcs,
			  uint32_t active, struct sl_frame *fr)
{
	active = sl_bpm_vpcs(vpcs, active);
	if (pl->n4 == 0)
		return -ENOENT;
	for (uint32_t i = 0; i < flows; i++) {
		struct sl_frame *o = &fr[i], *in = &fr[flows + i];
		uint32_t v = (uint32_t)(sl_rand() % active);
		uint32_t remote;

		do { /* a destination ip4_input takes, outside the VPCs' 10/8 */
			const struct sl_pfx4 *p = &pl->v4[sl_rand() % pl->n4];
			uint32_t host = p->len >= 32 ? 0 : (uint32_t)(UINT32_MAX >> p->len);

			remote = p->addr | ((uint32_t)sl_rand() & host);
		} while (remote >> 24 == 0 || remote >> 24 == 10 || remote >> 24 == 127 ||
			 remote >> 28 >= 14);

		o->bport = 0;
		in->bport = (uint8_t)(1 + v / SL_VLANS_PER_TRUNK);
		sl_frame4(o, 0, 0xc6336400u + i % 256 /* 198.51.100.x */, sl_bpm_eip(v, 1));
		sl_frame4(in, (uint16_t)(1 + v % SL_VLANS_PER_TRUNK), 0x0a02000au /* 10.2.0.10 */,
			  remote);
	}
	return 0;
}
