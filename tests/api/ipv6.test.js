// SPDX-License-Identifier: BSD-3-Clause
//
// IPv6 gateways, IPv6 addresses, their Internet bandwidth and egress-only
// rules through sluiced's VPC API (docs/api.md, "IPv6 gateways"), driven by
// the official, unmodified SDK @alicloud/vpc20160428 in both signing modes
// (signature 1.0 and ACS3-HMAC-SHA256). Run by tests/e2e/api_test.sh with
// the other *.test.js files, against a sluiced of its own: `sluiced
// --standalone` with tests/api/ipv6.config.json (one IPv6 gateway, address,
// bandwidth and egress-only rule of the file), started by standalone.js (a
// private state directory and access-key file). Every object created in one signing
// mode is deleted again before the other runs.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const Vpc = require('@alicloud/vpc20160428');
const { Standalone, expectError, rawCall: sluiceCall } = require('./standalone');

const REGION = 'cn-hangzhou';
const ZONE = 'cn-hangzhou-a';

const sl = new Standalone(path.join(__dirname, 'ipv6.config.json'), 'AKIPV6TEST', 'ipv6-test-secret-0123456789', REGION);
test.before(() => sl.start());
test.after(() => sl.stop());
const client = (signatureAlgorithm) => sl.client(signatureAlgorithm);

for (const [mode, alg, k] of [['sig1.0', 'v2', 'a'], ['acs3', undefined, 'b']]) {
	let c;
	const s = {}; // ids created along the way
	const net = `2001:db8:${k}0`; // this mode's /56: 2001:db8:a0::/56 or 2001:db8:b0::/56
	const t = (name, fn) => test(`[${mode}] ipv6: ${name}`, fn);
	const R = (cls, o) => new Vpc[cls]({ regionId: REGION, ...o });
	const bw = (o) => c.allocateIpv6InternetBandwidth(R('AllocateIpv6InternetBandwidthRequest', o));

	t('a VPC with an IPv6 /56, two VSwitches with /64s and an instance with an IPv6 address', async () => {
		c = client(alg);
		s.vpc = (await c.createVpc(R('CreateVpcRequest', { cidrBlock: '10.40.0.0/16', ipv6CidrBlock: `${net}::/56` }))).body.vpcId;
		s.vsw = (await c.createVSwitch(R('CreateVSwitchRequest', {
			vpcId: s.vpc, zoneId: ZONE, cidrBlock: '10.40.1.0/24', ipv6CidrBlock: 0,
		}))).body.vSwitchId;
		s.vsw2 = (await c.createVSwitch(R('CreateVSwitchRequest', {
			vpcId: s.vpc, zoneId: ZONE, cidrBlock: '10.40.2.0/24', ipv6CidrBlock: 1,
		}))).body.vSwitchId;
		s.vsw4 = (await c.createVSwitch(R('CreateVSwitchRequest', {
			vpcId: s.vpc, zoneId: ZONE, cidrBlock: '10.40.3.0/24',
		}))).body.vSwitchId;
		s.inst = (await sluiceCall(c, 'CreateSluiceInstance', {
			RegionId: REGION, VSwitchId: s.vsw, PrivateIpAddress: '10.40.1.10', Ipv6Address: `${net}::10`,
		})).InstanceId;
		assert.match(s.inst, /^i-/);
	});

	t('CreateIpv6Gateway: the id, one per VPC, DryRun, unknown VPC and region, bad name and Spec', async () => {
		await expectError(c.createIpv6Gateway(R('CreateIpv6GatewayRequest', { vpcId: s.vpc, dryRun: true })),
			'DryRunOperation', 400);
		const r = await c.createIpv6Gateway(R('CreateIpv6GatewayRequest', { vpcId: s.vpc, name: 'gw-web', description: 'v6 out' }));
		s.gw = r.body.ipv6GatewayId;
		assert.match(s.gw, /^ipv6gw-[a-z0-9]{20}$/);
		await expectError(c.createIpv6Gateway(R('CreateIpv6GatewayRequest', { vpcId: s.vpc })),
			'QuotaExceeded.Ipv6Gateway', 400);
		await expectError(c.createIpv6Gateway(R('CreateIpv6GatewayRequest', { vpcId: 'vpc-nope' })),
			'InvalidVpcId.NotFound', 404);
		await expectError(c.createIpv6Gateway(new Vpc.CreateIpv6GatewayRequest({ regionId: 'xx-nowhere', vpcId: s.vpc })),
			'InvalidRegionId.NotFound', 404);
		const v2 = (await c.createVpc(R('CreateVpcRequest', { cidrBlock: '10.41.0.0/16' }))).body.vpcId;
		await expectError(c.createIpv6Gateway(R('CreateIpv6GatewayRequest', { vpcId: v2, name: '1bad' })),
			'IllegalParam.Name', 400);
		await expectError(sluiceCall(c, 'CreateIpv6Gateway', { RegionId: REGION, VpcId: v2, Spec: 'Huge' }),
			'InvalidParameter.Spec.ValueNotSupported', 400);
		await c.deleteVpc(R('DeleteVpcRequest', { vpcId: v2 }));
	});

	t('DescribeIpv6Gateways, DescribeIpv6GatewayAttribute, ModifyIpv6GatewayAttribute', async () => {
		await c.modifyIpv6GatewayAttribute(R('ModifyIpv6GatewayAttributeRequest', {
			ipv6GatewayId: s.gw, name: 'gw-web2', description: 'v6 out two',
		}));
		const r = await c.describeIpv6Gateways(R('DescribeIpv6GatewaysRequest', { vpcId: s.vpc }));
		assert.equal(r.body.totalCount, 1);
		const g = r.body.ipv6Gateways.ipv6Gateway[0];
		assert.equal(g.ipv6GatewayId, s.gw);
		assert.equal(g.name, 'gw-web2');
		assert.equal(g.description, 'v6 out two');
		assert.equal(g.status, 'Available');
		assert.equal(g.regionId, REGION);
		assert.match(g.creationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		const all = await c.describeIpv6Gateways(R('DescribeIpv6GatewaysRequest', { pageSize: 1, pageNumber: 2 }));
		assert.equal(all.body.totalCount, 2); // the file's and this one
		assert.equal(all.body.ipv6Gateways.ipv6Gateway.length, 1);
		const a = await c.describeIpv6GatewayAttribute(R('DescribeIpv6GatewayAttributeRequest', { ipv6GatewayId: s.gw }));
		assert.equal(a.body.vpcId, s.vpc);
		assert.equal(a.body.name, 'gw-web2');
		await expectError(c.describeIpv6GatewayAttribute(R('DescribeIpv6GatewayAttributeRequest', { ipv6GatewayId: 'ipv6gw-nope' })),
			'InvalidIpv6GatewayId.NotFound', 404);
		await expectError(c.modifyIpv6GatewayAttribute(R('ModifyIpv6GatewayAttributeRequest', { ipv6GatewayId: 'ipv6gw-f', name: 'x2' })),
			'Forbidden.ConfigFileObject', 403);
		await expectError(c.modifyIpv6GatewayAttribute(R('ModifyIpv6GatewayAttributeRequest', { ipv6GatewayId: s.gw, description: 'h' })),
			'IllegalParam.Description', 400);
	});

	t('AllocateIpv6Address: the lowest free address, the instance\'s own, and every error', async () => {
		const r = await c.allocateIpv6Address(R('AllocateIpv6AddressRequest', { vSwitchId: s.vsw, ipv6AddressName: 'spare' }));
		s.a1 = r.body.ipv6AddressId;
		assert.match(s.a1, /^ipv6-[a-z0-9]{20}$/);
		assert.equal(r.body.ipv6Address, `${net}::1`); // ::0 is the subnet-router anycast address
		s.a2 = (await c.allocateIpv6Address(R('AllocateIpv6AddressRequest', { vSwitchId: s.vsw, ipv6Address: `${net}::10` }))).body.ipv6AddressId;
		const r3 = await c.allocateIpv6Address(R('AllocateIpv6AddressRequest', { vSwitchId: s.vsw2 }));
		s.a3 = r3.body.ipv6AddressId;
		assert.equal(r3.body.ipv6Address, `${net}:1::1`);
		await expectError(c.allocateIpv6Address(R('AllocateIpv6AddressRequest', { vSwitchId: s.vsw, ipv6Address: `${net}::10` })),
			'InvalidIpv6Address.Duplicated', 400);
		await expectError(c.allocateIpv6Address(R('AllocateIpv6AddressRequest', { vSwitchId: s.vsw, ipv6Address: '2001:db8:ff::1' })),
			'InvalidIpv6Address', 400);
		await expectError(c.allocateIpv6Address(R('AllocateIpv6AddressRequest', { vSwitchId: s.vsw, ipv6Address: `${net}::` })),
			'InvalidIpv6Address', 400);
		await expectError(c.allocateIpv6Address(R('AllocateIpv6AddressRequest', { vSwitchId: s.vsw, ipv6Address: 'zz::1::' })),
			'InvalidIpv6Address.Malformed', 400);
		await expectError(c.allocateIpv6Address(R('AllocateIpv6AddressRequest', { vSwitchId: s.vsw4 })),
			'InvalidVSwitchId.Ipv6NotTurnOn', 400);
		await expectError(c.allocateIpv6Address(R('AllocateIpv6AddressRequest', { vSwitchId: 'vsw-nope' })),
			'InvalidVSwitchId.NotFound', 404);
		await expectError(c.allocateIpv6Address(R('AllocateIpv6AddressRequest', { vSwitchId: s.vsw, addressType: 'IPv6Address' })),
			'InvalidParameter', 400);
	});

	t('DescribeIpv6Addresses: filters, the associated instance, paging; ModifyIpv6AddressAttribute', async () => {
		await c.modifyIpv6AddressAttribute(R('ModifyIpv6AddressAttributeRequest', { ipv6AddressId: s.a1, name: 'spare2', description: 'kept' }));
		let r = await c.describeIpv6Addresses(R('DescribeIpv6AddressesRequest', { vpcId: s.vpc }));
		assert.equal(r.body.totalCount, 3);
		const byId = Object.fromEntries(r.body.ipv6Addresses.ipv6Address.map((a) => [a.ipv6AddressId, a]));
		assert.equal(byId[s.a1].ipv6AddressName, 'spare2');
		assert.equal(byId[s.a1].ipv6AddressDescription, 'kept');
		assert.equal(byId[s.a1].associatedInstanceId, '');
		assert.equal(byId[s.a2].associatedInstanceId, s.inst);
		assert.equal(byId[s.a2].associatedInstanceType, 'EcsInstance');
		assert.equal(byId[s.a2].ipv6GatewayId, s.gw);
		assert.equal(byId[s.a2].networkType, 'Private');
		r = await c.describeIpv6Addresses(R('DescribeIpv6AddressesRequest', { vSwitchId: s.vsw, pageSize: 1, pageNumber: 2 }));
		assert.equal(r.body.totalCount, 2);
		assert.equal(r.body.ipv6Addresses.ipv6Address.length, 1);
		r = await c.describeIpv6Addresses(R('DescribeIpv6AddressesRequest', { associatedInstanceId: s.inst }));
		assert.deepEqual(r.body.ipv6Addresses.ipv6Address.map((a) => a.ipv6AddressId), [s.a2]);
		await expectError(c.describeIpv6Addresses(R('DescribeIpv6AddressesRequest', { pageSize: 51 })), 'InvalidParameter', 400);
	});

	t('AllocateIpv6InternetBandwidth: the id, ranges by charge type and spec, every error, ClientToken', async () => {
		const r = await bw({ ipv6AddressId: s.a2, ipv6GatewayId: s.gw, bandwidth: 200, clientToken: `tok-${mode}` });
		s.bw = r.body.internetBandwidthId;
		assert.match(s.bw, /^ipv6bw-[a-z0-9]{20}$/);
		assert.equal(r.body.ipv6AddressId, s.a2);
		const again = await bw({ ipv6AddressId: s.a2, ipv6GatewayId: s.gw, bandwidth: 200, clientToken: `tok-${mode}` });
		assert.equal(again.body.internetBandwidthId, s.bw);
		await expectError(bw({ ipv6AddressId: s.a2, bandwidth: 300, clientToken: `tok-${mode}` }), 'IdempotentParameterMismatch', 400);
		await expectError(bw({ ipv6AddressId: s.a2, bandwidth: 5 }), 'OperationFailed.InternetBandwidthAlreadyExisted', 400);
		await expectError(bw({ ipv6AddressId: s.a1, bandwidth: 5001 }), 'IllegalParam.Bandwidth', 400);
		await expectError(bw({ ipv6AddressId: s.a1, bandwidth: 0 }), 'IllegalParam.Bandwidth', 400);
		// PayByTraffic on a Small gateway: at most 500 (seed 004)
		await expectError(bw({ ipv6AddressId: s.a1, bandwidth: 501, internetChargeType: 'PayByTraffic' }), 'IllegalParam.Bandwidth', 400);
		await expectError(bw({ ipv6AddressId: s.a1, bandwidth: 5, internetChargeType: 'Free' }), 'IllegalParam.InternetChargeType', 400);
		await expectError(bw({ ipv6AddressId: 'ipv6-nope', bandwidth: 5 }), 'ResourceNotFound.Ipv6Address', 404);
		await expectError(bw({ bandwidth: 5 }), 'MissingParam.Ipv6InstanceId', 400);
		await expectError(bw({ ipv6AddressId: s.a1, bandwidth: 5, ipv6GatewayId: 'ipv6gw-f' }),
			'OperationFailed.Ipv6GatewayDisMatchIpv6Address', 400);
		await expectError(bw({ ipv6AddressId: s.a1, bandwidth: 5, dryRun: true }), 'DryRunOperation', 400);
		const t2 = await bw({ ipv6AddressId: s.a1, bandwidth: 500, internetChargeType: 'PayByTraffic' });
		s.bw1 = t2.body.internetBandwidthId;
		const d = await c.describeIpv6Addresses(R('DescribeIpv6AddressesRequest', { ipv6InternetBandwidthId: s.bw }));
		assert.equal(d.body.totalCount, 1);
		const a = d.body.ipv6Addresses.ipv6Address[0];
		assert.equal(a.networkType, 'Public');
		assert.equal(a.ipv6InternetBandwidth.bandwidth, 200);
		assert.equal(a.ipv6InternetBandwidth.internetChargeType, 'PayByBandwidth');
	});

	t('ModifyIpv6InternetBandwidth and DeleteIpv6InternetBandwidth by either id', async () => {
		await c.modifyIpv6InternetBandwidth(R('ModifyIpv6InternetBandwidthRequest', { ipv6AddressId: s.a2, bandwidth: 5000 }));
		let d = await c.describeIpv6Addresses(R('DescribeIpv6AddressesRequest', { ipv6AddressId: s.a2 }));
		assert.equal(d.body.ipv6Addresses.ipv6Address[0].ipv6InternetBandwidth.bandwidth, 5000);
		await c.modifyIpv6InternetBandwidth(R('ModifyIpv6InternetBandwidthRequest', { ipv6InternetBandwidthId: s.bw, bandwidth: 20 }));
		d = await c.describeIpv6Addresses(R('DescribeIpv6AddressesRequest', { ipv6AddressId: s.a2 }));
		assert.equal(d.body.ipv6Addresses.ipv6Address[0].ipv6InternetBandwidth.bandwidth, 20);
		await expectError(c.modifyIpv6InternetBandwidth(R('ModifyIpv6InternetBandwidthRequest', { ipv6InternetBandwidthId: s.bw1, bandwidth: 501 })),
			'IllegalParam.Bandwidth', 400);
		await expectError(c.modifyIpv6InternetBandwidth(R('ModifyIpv6InternetBandwidthRequest', { ipv6InternetBandwidthId: 'ipv6bw-nope', bandwidth: 5 })),
			'InvalidIpv6Instance.NotFound', 400);
		await expectError(c.modifyIpv6InternetBandwidth(R('ModifyIpv6InternetBandwidthRequest', { ipv6InternetBandwidthId: 'ipv6bw-f1', bandwidth: 5 })),
			'Forbidden.ConfigFileObject', 403);
		await expectError(c.deleteIpv6InternetBandwidth(R('DeleteIpv6InternetBandwidthRequest', { ipv6AddressId: s.a3 })),
			'InvalidIpv6Instance.NotFound', 400);
		await c.deleteIpv6InternetBandwidth(R('DeleteIpv6InternetBandwidthRequest', { ipv6InternetBandwidthId: s.bw1 }));
		d = await c.describeIpv6Addresses(R('DescribeIpv6AddressesRequest', { ipv6AddressId: s.a1 }));
		assert.equal(d.body.ipv6Addresses.ipv6Address[0].networkType, 'Private');
		assert.equal(d.body.ipv6Addresses.ipv6Address[0].ipv6InternetBandwidth, undefined);
	});

	t('egress-only rules: create on an address and an instance, duplicates, describe, delete', async () => {
		const mk = (o) => c.createIpv6EgressOnlyRule(R('CreateIpv6EgressOnlyRuleRequest', { ipv6GatewayId: s.gw, ...o }));
		s.eg1 = (await mk({ instanceId: s.a2, name: 'out-only' })).body.ipv6EgressRuleId;
		assert.match(s.eg1, /^ipv6py-[a-z0-9]{20}$/);
		s.eg2 = (await mk({ instanceId: s.inst, instanceType: 'Instance' })).body.ipv6EgressRuleId;
		await expectError(mk({ instanceId: s.a2 }), 'Ipv6EgressOnlyRule.Duplicated', 400);
		await expectError(mk({ instanceId: 'ipv6-f1' }), 'InvalidInstanceId.NotFound', 404);
		await expectError(mk({ instanceId: s.a1, instanceType: 'HaVip' }), 'InvalidInstanceType.ValueNotSupported', 400);
		await expectError(mk({ instanceId: s.a1, ipv6GatewayId: 'ipv6gw-nope' }), 'InvalidIpv6GatewayId.NotFound', 404);
		const r = await c.describeIpv6EgressOnlyRules(R('DescribeIpv6EgressOnlyRulesRequest', { ipv6GatewayId: s.gw }));
		assert.equal(r.body.totalCount, 2);
		const e1 = r.body.ipv6EgressOnlyRules.ipv6EgressOnlyRule.find((e) => e.ipv6EgressOnlyRuleId === s.eg1);
		assert.equal(e1.instanceId, s.a2);
		assert.equal(e1.instanceType, 'Ipv6Address');
		assert.equal(e1.name, 'out-only');
		assert.equal(e1.status, 'Available');
		const f = await c.describeIpv6EgressOnlyRules(R('DescribeIpv6EgressOnlyRulesRequest', { ipv6GatewayId: 'ipv6gw-f' }));
		assert.deepEqual(f.body.ipv6EgressOnlyRules.ipv6EgressOnlyRule.map((e) => e.ipv6EgressOnlyRuleId), ['ipv6py-f1']);
		await expectError(c.deleteIpv6EgressOnlyRule(R('DeleteIpv6EgressOnlyRuleRequest', { ipv6EgressOnlyRuleId: 'ipv6py-f1' })),
			'Forbidden.ConfigFileObject', 403);
		await expectError(c.deleteIpv6EgressOnlyRule(R('DeleteIpv6EgressOnlyRuleRequest', { ipv6EgressOnlyRuleId: 'ipv6py-nope' })),
			'InvalidIpv6EgressOnlyRuleId.NotFound', 404);
	});

	t('sluice\'s own ingress route rule actions (what the REST routeRules endpoints run)', async () => {
		const q = (o) => ({ RegionId: REGION, ...o });
		const r = await sluiceCall(c, 'CreateIpv6GatewayRouteRule', q({
			Ipv6GatewayId: s.gw, Destination: '2407:c080::/16', NextHopInstanceId: s.inst, Description: 'fw',
		}));
		s.rr = r.RouteRuleId;
		assert.match(s.rr, /^igwrtbr-[a-z0-9]{20}$/);
		assert.equal(r.Destination, '2407::/16'); // host bits cleared (seed 000)
		assert.equal(r.NextHopType, 'ECS');
		await expectError(sluiceCall(c, 'CreateIpv6GatewayRouteRule', q({
			Ipv6GatewayId: s.gw, Destination: '2407:ffff::/16', NextHopInstanceId: s.inst,
		})), 'IGW.Destination.Duplicated', 400);
		await expectError(sluiceCall(c, 'CreateIpv6GatewayRouteRule', q({
			Ipv6GatewayId: s.gw, Destination: '2409::/16', NextHopInstanceId: 'i-f1',
		})), 'IGW.NextHopInstance.NotFound', 404);
		const m = await sluiceCall(c, 'ModifyIpv6GatewayRouteRule', q({ RouteRuleId: s.rr, Destination: '2408::1/16' }));
		assert.equal(m.RouteRuleId, s.rr);
		await expectError(sluiceCall(c, 'ModifyIpv6GatewayRouteRule', q({ RouteRuleId: 'igwrtbr-nope', Destination: '2408::/16' })),
			'InvalidRouteRuleId.NotFound', 404);
		await expectError(sluiceCall(c, 'DeleteIpv6GatewayRouteRule', q({ RouteRuleId: 'igwrtbr-nope' })),
			'InvalidRouteRuleId.NotFound', 404);
	});

	t('dependencies: gateway, address, VSwitch and instance deletions are refused while used', async () => {
		await expectError(sluiceCall(c, 'DeleteSluiceInstance', { RegionId: REGION, InstanceId: s.inst }),
			'DependencyViolation.Ipv6GatewayRouteRule', 400);
		await expectError(c.deleteIpv6Gateway(R('DeleteIpv6GatewayRequest', { ipv6GatewayId: s.gw })),
			'DependencyViolation.Ipv6InternetBandwidth', 400);
		await expectError(c.releaseIpv6Address(R('ReleaseIpv6AddressRequest', { ipv6AddressId: s.a2 })),
			'DependencyViolation.Ipv6InternetBandwidth', 400);
		await expectError(c.deleteVSwitch(R('DeleteVSwitchRequest', { vSwitchId: s.vsw2 })),
			'DependencyViolation.Ipv6Address', 400);
		await expectError(c.releaseIpv6Address(R('ReleaseIpv6AddressRequest', { ipv6AddressId: 'ipv6-f1' })),
			'Forbidden.ConfigFileObject', 403);
		await expectError(c.deleteIpv6Gateway(R('DeleteIpv6GatewayRequest', { ipv6GatewayId: 'ipv6gw-nope' })),
			'InvalidIpv6GatewayId.NotFound', 404);
	});

	t('teardown leaves only the file\'s IPv6 objects', async () => {
		await sluiceCall(c, 'DeleteIpv6GatewayRouteRule', { RegionId: REGION, RouteRuleId: s.rr });
		await expectError(sluiceCall(c, 'DeleteSluiceInstance', { RegionId: REGION, InstanceId: s.inst }),
			'DependencyViolation.Ipv6EgressOnlyRule', 400);
		await c.deleteIpv6EgressOnlyRule(R('DeleteIpv6EgressOnlyRuleRequest', { ipv6EgressOnlyRuleId: s.eg1 }));
		await c.deleteIpv6EgressOnlyRule(R('DeleteIpv6EgressOnlyRuleRequest', { ipv6EgressOnlyRuleId: s.eg2 }));
		await c.deleteIpv6InternetBandwidth(R('DeleteIpv6InternetBandwidthRequest', { ipv6AddressId: s.a2 }));
		for (const a of [s.a1, s.a2, s.a3])
			await c.releaseIpv6Address(R('ReleaseIpv6AddressRequest', { ipv6AddressId: a }));
		await sluiceCall(c, 'DeleteSluiceInstance', { RegionId: REGION, InstanceId: s.inst });
		for (const w of [s.vsw, s.vsw2, s.vsw4])
			await c.deleteVSwitch(R('DeleteVSwitchRequest', { vSwitchId: w }));
		await expectError(c.deleteVpc(R('DeleteVpcRequest', { vpcId: s.vpc })), 'DependencyViolation.Ipv6Gateway', 400);
		await c.deleteIpv6Gateway(R('DeleteIpv6GatewayRequest', { ipv6GatewayId: s.gw }));
		await c.deleteVpc(R('DeleteVpcRequest', { vpcId: s.vpc }));
		const g = await c.describeIpv6Gateways(R('DescribeIpv6GatewaysRequest', {}));
		assert.deepEqual(g.body.ipv6Gateways.ipv6Gateway.map((x) => x.ipv6GatewayId), ['ipv6gw-f']);
		const a = await c.describeIpv6Addresses(R('DescribeIpv6AddressesRequest', {}));
		assert.deepEqual(a.body.ipv6Addresses.ipv6Address.map((x) => x.ipv6AddressId), ['ipv6-f1']);
		assert.equal(a.body.ipv6Addresses.ipv6Address[0].ipv6InternetBandwidth.ipv6InternetBandwidthId, 'ipv6bw-f1');
	});
}
