// SPDX-License-Identifier: BSD-3-Clause
//
// The mutating actions of sluiced's VPC API (docs/api.md) driven by the
// official, unmodified SDK @alicloud/vpc20160428, once with signature 1.0
// (signatureAlgorithm 'v2') and once with the SDK's default
// ACS3-HMAC-SHA256. sluice's own instance actions go through the SDK's
// generic callApi (same signing, same envelope). Run by
// tests/e2e/api_test.sh after vpc.test.js (files run one at a time); every
// object created here is deleted again, so the config file's objects are
// all that remains.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const Vpc = require('@alicloud/vpc20160428');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
const $dara = require('@darabonba/typescript');

const endpoint = process.env.SLUICE_API_ENDPOINT;
const keysFile = process.env.SLUICE_API_KEYS;
if (!endpoint || !keysFile) {
	throw new Error('SLUICE_API_ENDPOINT and SLUICE_API_KEYS must be set (see tests/e2e/api_test.sh)');
}
const [keyId, keySecret] = fs.readFileSync(keysFile, 'utf8').trim().split(/\s+/);
const REGION = 'cn-hangzhou';
const ZONE = 'cn-hangzhou-a';
const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;

function client(signatureAlgorithm) {
	return new Vpc.default(new $OpenApiUtil.Config({
		accessKeyId: keyId,
		accessKeySecret: keySecret,
		endpoint,
		protocol: 'HTTP',
		signatureAlgorithm,
		regionId: REGION,
	}));
}

async function expectError(promise, code, status) {
	await assert.rejects(promise, (e) => {
		assert.equal(e.code, code, `code ${e.code}: ${e.message}`);
		assert.equal(e.statusCode, status, `status of ${code}`);
		assert.match(String(e.data && e.data.RequestId), UUID);
		assert.ok(e.data.Message, 'Message present');
		return true;
	});
}

// sluice's own actions (docs/api.md, "Instances"): the SDK's generic RPC call.
async function sluiceCall(c, action, query) {
	const params = new $OpenApiUtil.Params({
		action, version: '2016-04-28', protocol: 'HTTP', pathname: '/', method: 'POST',
		authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
	});
	const req = new $OpenApiUtil.OpenApiRequest({ query });
	const r = await c.callApi(params, req, new $dara.RuntimeOptions({}));
	return r.body;
}

async function vpcCount(c) {
	const r = await c.describeVpcs(new Vpc.DescribeVpcsRequest({ regionId: REGION, pageSize: 50 }));
	return r.body.totalCount;
}

for (const [mode, alg] of [['sig1.0', 'v2'], ['acs3', undefined]]) {
	const c = client(alg);
	const s = {}; // ids created along the way
	const t = (name, fn) => test(`[${mode}] ${name}`, fn);

	t('CreateVpc returns VpcId, VRouterId, RouteTableId; the VPC is Available with its CreationTime', async () => {
		const before = Date.now();
		const r = await c.createVpc(new Vpc.CreateVpcRequest({
			regionId: REGION, cidrBlock: '10.20.0.0/16', vpcName: 'web', description: 'front end',
			ipv6CidrBlock: '2001:db8:20::/56',
		}));
		assert.equal(r.statusCode, 200);
		assert.match(r.body.vpcId, /^vpc-[a-z0-9]{20}$/);
		assert.equal(r.body.VRouterId, r.body.vpcId.replace('vpc-', 'vrt-'));
		assert.equal(r.body.routeTableId, r.body.vpcId.replace('vpc-', 'vtb-'));
		s.vpc = r.body.vpcId;
		s.rtb = r.body.routeTableId;
		const d = await c.describeVpcs(new Vpc.DescribeVpcsRequest({ regionId: REGION, vpcId: s.vpc }));
		assert.equal(d.body.totalCount, 1);
		const v = d.body.vpcs.vpc[0];
		assert.equal(v.status, 'Available');
		assert.equal(v.cidrBlock, '10.20.0.0/16');
		assert.equal(v.vpcName, 'web');
		assert.equal(v.description, 'front end');
		const created = Date.parse(v.creationTime);
		assert.ok(created >= Math.floor(before / 1000) * 1000 - 1000 && created <= Date.now() + 1000,
			`CreationTime ${v.creationTime}`);
	});

	t('CreateVpc without CidrBlock takes the default 172.16.0.0/12', async () => {
		const r = await c.createVpc(new Vpc.CreateVpcRequest({ regionId: REGION }));
		const d = await c.describeVpcs(new Vpc.DescribeVpcsRequest({ regionId: REGION, vpcId: r.body.vpcId }));
		assert.equal(d.body.vpcs.vpc[0].cidrBlock, '172.16.0.0/12');
		await c.deleteVpc(new Vpc.DeleteVpcRequest({ vpcId: r.body.vpcId }));
	});

	t('CreateVpc errors: CIDR mask, non-private CIDR, malformed CIDR, name, description, region, UserCidr', async () => {
		const n = await vpcCount(c);
		const mk = (o) => c.createVpc(new Vpc.CreateVpcRequest({ regionId: REGION, ...o }));
		await expectError(mk({ cidrBlock: '10.0.0.0/26' }), 'InvalidParameter', 400);
		await expectError(mk({ cidrBlock: '10.0.0.0/7' }), 'InvalidParameter', 400);
		await expectError(mk({ cidrBlock: '8.8.0.0/16' }), 'InvalidParameter', 400);
		await expectError(mk({ cidrBlock: '10.0.0.300/16' }), 'InvalidParameter', 400);
		await expectError(mk({ vpcName: '1abc' }), 'InvalidVpcName.Malformed', 400);
		await expectError(mk({ vpcName: 'http://x' }), 'InvalidVpcName.Malformed', 400);
		await expectError(mk({ description: 'x' }), 'InvalidVpcDescription.Malformed', 400);
		await expectError(c.createVpc(new Vpc.CreateVpcRequest({ regionId: 'nowhere-1' })),
			'InvalidRegionId.NotFound', 404);
		await expectError(mk({ userCidr: '10.0.0.0/8' }), 'InvalidParameter', 400);
		assert.equal(await vpcCount(c), n, 'nothing was created');
	});

	t('ClientToken: the same request returns the same VPC, other parameters IdempotentParameterMismatch', async () => {
		const token = `tok-${mode}-${Date.now()}`;
		const a = await c.createVpc(new Vpc.CreateVpcRequest({ regionId: REGION, cidrBlock: '10.30.0.0/16', clientToken: token }));
		const n = await vpcCount(c);
		const b = await c.createVpc(new Vpc.CreateVpcRequest({ regionId: REGION, cidrBlock: '10.30.0.0/16', clientToken: token }));
		assert.equal(b.body.vpcId, a.body.vpcId);
		assert.notEqual(b.body.requestId, a.body.requestId);
		assert.equal(await vpcCount(c), n, 'the retry created nothing');
		await expectError(c.createVpc(new Vpc.CreateVpcRequest({ regionId: REGION, cidrBlock: '10.31.0.0/16', clientToken: token })),
			'IdempotentParameterMismatch', 400);
		await expectError(c.createVpc(new Vpc.CreateVpcRequest({ regionId: REGION, clientToken: 'x'.repeat(65) })),
			'InvalidParameter', 400);
		await c.deleteVpc(new Vpc.DeleteVpcRequest({ vpcId: a.body.vpcId }));
	});

	t('DryRun=true validates and answers DryRunOperation without creating anything', async () => {
		const n = await vpcCount(c);
		await expectError(c.createVpc(new Vpc.CreateVpcRequest({ regionId: REGION, dryRun: true })),
			'DryRunOperation', 400);
		await expectError(c.createVpc(new Vpc.CreateVpcRequest({ regionId: REGION, cidrBlock: '10.0.0.0/25', dryRun: true })),
			'InvalidParameter', 400);
		assert.equal(await vpcCount(c), n);
	});

	t('ModifyVpcAttribute changes name and description; config-file VPCs and unknown ids are refused', async () => {
		await c.modifyVpcAttribute(new Vpc.ModifyVpcAttributeRequest({ vpcId: s.vpc, vpcName: 'web2', description: 'renamed' }));
		const d = await c.describeVpcs(new Vpc.DescribeVpcsRequest({ regionId: REGION, vpcId: s.vpc }));
		assert.equal(d.body.vpcs.vpc[0].vpcName, 'web2');
		assert.equal(d.body.vpcs.vpc[0].description, 'renamed');
		assert.equal(d.body.vpcs.vpc[0].cidrBlock, '10.20.0.0/16');
		await expectError(c.modifyVpcAttribute(new Vpc.ModifyVpcAttributeRequest({ vpcId: s.vpc, vpcName: '9x' })),
			'InvalidVpcName.Malformed', 400);
		await expectError(c.modifyVpcAttribute(new Vpc.ModifyVpcAttributeRequest({ vpcId: 'vpc-nope', vpcName: 'x1' })),
			'InvalidVpcId.NotFound', 404);
		await expectError(c.modifyVpcAttribute(new Vpc.ModifyVpcAttributeRequest({ vpcId: 'vpc-a', vpcName: 'x1' })),
			'Forbidden.ConfigFileObject', 403);
		await expectError(c.deleteVpc(new Vpc.DeleteVpcRequest({ vpcId: 'vpc-a' })), 'Forbidden.ConfigFileObject', 403);
	});

	t('CreateVSwitch inside the VPC (IPv6 /64 by number); CIDR, overlap, mask, zone and VPC errors', async () => {
		const r = await c.createVSwitch(new Vpc.CreateVSwitchRequest({
			vpcId: s.vpc, zoneId: ZONE, cidrBlock: '10.20.1.0/24', vSwitchName: 'sw1', ipv6CidrBlock: 1,
		}));
		assert.match(r.body.vSwitchId, /^vsw-[a-z0-9]{20}$/);
		s.vsw = r.body.vSwitchId;
		const d = await c.describeVSwitches(new Vpc.DescribeVSwitchesRequest({ regionId: REGION, vSwitchId: s.vsw }));
		const w = d.body.vSwitches.vSwitch[0];
		assert.equal(w.status, 'Available');
		assert.equal(w.cidrBlock, '10.20.1.0/24');
		assert.equal(w.ipv6CidrBlock, '2001:db8:20:1::/64');
		assert.equal(w.availableIpAddressCount, 252);
		const mk = (o) => c.createVSwitch(new Vpc.CreateVSwitchRequest({ vpcId: s.vpc, zoneId: ZONE, ...o }));
		await expectError(mk({ cidrBlock: '10.21.0.0/24' }), 'InvalidParameter', 400);
		await expectError(mk({ cidrBlock: '10.20.1.128/25' }), 'InvalidCidrBlock.Overlapped', 400);
		await expectError(mk({ cidrBlock: '10.20.2.0/30' }), 'InvalidCidrBlock.MaskLength', 400);
		await expectError(mk({ cidrBlock: '10.20.2.1/24' }), 'InvalidCidrBlock.Malformed', 400);
		await expectError(mk({ cidrBlock: '10.20.2.0/24', zoneId: 'cn-hangzhou-z' }), 'InvalidZoneId.NotFound', 404);
		await expectError(mk({ cidrBlock: '10.20.2.0/24', vSwitchName: '-x' }), 'InvalidVSwitchName.Malformed', 400);
		await expectError(c.createVSwitch(new Vpc.CreateVSwitchRequest({ vpcId: 'vpc-nope', zoneId: ZONE, cidrBlock: '10.20.2.0/24' })),
			'InvalidVpcId.NotFound', 404);
		await expectError(c.createVSwitch(new Vpc.CreateVSwitchRequest({ vpcId: s.vpc, zoneId: ZONE })), 'MissingParameter', 400);
	});

	t('ModifyVSwitchAttribute; DeleteVpc with a VSwitch is DependencyViolation.VSwitch', async () => {
		await c.modifyVSwitchAttribute(new Vpc.ModifyVSwitchAttributeRequest({ vSwitchId: s.vsw, vSwitchName: 'sw-renamed' }));
		const d = await c.describeVSwitches(new Vpc.DescribeVSwitchesRequest({ regionId: REGION, vSwitchId: s.vsw }));
		assert.equal(d.body.vSwitches.vSwitch[0].vSwitchName, 'sw-renamed');
		await expectError(c.modifyVSwitchAttribute(new Vpc.ModifyVSwitchAttributeRequest({ vSwitchId: 'vsw-a1', vSwitchName: 'x1' })),
			'Forbidden.ConfigFileObject', 403);
		await expectError(c.modifyVSwitchAttribute(new Vpc.ModifyVSwitchAttributeRequest({ vSwitchId: 'vsw-nope', vSwitchName: 'x1' })),
			'InvalidVSwitchId.NotFound', 404);
		await expectError(c.deleteVpc(new Vpc.DeleteVpcRequest({ vpcId: s.vpc })), 'DependencyViolation.VSwitch', 400);
	});

	t('CreateSluiceInstance / DescribeSluiceInstances (sluice actions): address checks', async () => {
		const a = await sluiceCall(c, 'CreateSluiceInstance', { VSwitchId: s.vsw, PrivateIpAddress: '10.20.1.10', Ipv6Address: '2001:db8:20:1::10' });
		assert.match(a.InstanceId, /^i-[a-z0-9]{20}$/);
		s.i1 = a.InstanceId;
		const b = await sluiceCall(c, 'CreateSluiceInstance', { VSwitchId: s.vsw, PrivateIpAddress: '10.20.1.11' });
		s.i2 = b.InstanceId;
		const d = await sluiceCall(c, 'DescribeSluiceInstances', { RegionId: REGION, VSwitchId: s.vsw });
		assert.equal(d.TotalCount, 2);
		assert.deepEqual(d.Instances.Instance.map((x) => [x.InstanceId, x.PrivateIpAddress, x.VpcId, x.Status]),
			[[s.i1, '10.20.1.10', s.vpc, 'Available'], [s.i2, '10.20.1.11', s.vpc, 'Available']]);
		assert.equal(d.Instances.Instance[0].Ipv6Address, '2001:db8:20:1::10');
		await expectError(sluiceCall(c, 'CreateSluiceInstance', { VSwitchId: s.vsw, PrivateIpAddress: '10.20.1.255' }),
			'InvalidPrivateIpAddress', 400);
		await expectError(sluiceCall(c, 'CreateSluiceInstance', { VSwitchId: s.vsw, PrivateIpAddress: '10.20.2.5' }),
			'InvalidPrivateIpAddress', 400);
		await expectError(sluiceCall(c, 'CreateSluiceInstance', { VSwitchId: s.vsw, PrivateIpAddress: '10.20.1.10' }),
			'InvalidPrivateIpAddress.Duplicated', 400);
		await expectError(sluiceCall(c, 'CreateSluiceInstance', { VSwitchId: 'vsw-nope', PrivateIpAddress: '10.20.1.12' }),
			'InvalidVSwitchId.NotFound', 404);
		await expectError(c.deleteVSwitch(new Vpc.DeleteVSwitchRequest({ vSwitchId: s.vsw })), 'DependencyViolation', 400);
	});

	t('CreateRouteEntry to an instance; DescribeRouteEntryList and DescribeRouteTables show it; route errors', async () => {
		await c.createRouteEntry(new Vpc.CreateRouteEntryRequest({
			routeTableId: s.rtb, destinationCidrBlock: '192.168.50.0/24', nextHopType: 'Instance', nextHopId: s.i1,
		}));
		const l = await c.describeRouteEntryList(new Vpc.DescribeRouteEntryListRequest({
			regionId: REGION, routeTableId: s.rtb, routeEntryType: 'Custom',
		}));
		assert.equal(l.body.routeEntrys.routeEntry.length, 1);
		const e = l.body.routeEntrys.routeEntry[0];
		assert.equal(e.destinationCidrBlock, '192.168.50.0/24');
		assert.equal(e.status, 'Available');
		assert.equal(e.nextHops.nextHop[0].nextHopId, s.i1);
		const all = await c.describeRouteEntryList(new Vpc.DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: s.rtb }));
		assert.deepEqual(all.body.routeEntrys.routeEntry.map((x) => [x.destinationCidrBlock, x.type]),
			[['192.168.50.0/24', 'Custom'], ['10.20.1.0/24', 'System'], ['2001:db8:20:1::/64', 'System'], ['100.64.0.0/10', 'System']]);
		const rt = await c.describeRouteTables(new Vpc.DescribeRouteTablesRequest({ routeTableId: s.rtb }));
		assert.equal(rt.body.routeTables.routeTable[0].routeEntrys.routeEntry[0].instanceId, s.i1);
		const mk = (o) => c.createRouteEntry(new Vpc.CreateRouteEntryRequest({ routeTableId: s.rtb, nextHopId: s.i1, ...o }));
		await expectError(mk({ destinationCidrBlock: '192.168.50.0/24' }), 'InvalidCIDRBlock.Duplicate', 400);
		await expectError(mk({ destinationCidrBlock: '10.20.1.0/26' }), 'InvalidCidrBlock', 400);
		await expectError(mk({ destinationCidrBlock: '100.64.1.0/24' }), 'InvalidCidrBlock', 400);
		await expectError(mk({ destinationCidrBlock: '192.168.60.0/33' }), 'InvalidCidrBlock.Malformed', 400);
		await expectError(mk({ destinationCidrBlock: '192.168.60.0/24', nextHopId: 'i-a1' }), 'InvalidInstanceId.NotFound', 404);
		await expectError(mk({ destinationCidrBlock: '192.168.60.0/24', nextHopId: 'i-nope' }), 'InvalidInstanceId.NotFound', 404);
		await expectError(mk({ destinationCidrBlock: '192.168.60.0/24', nextHopType: 'Tunnel' }), 'InvalidParameter', 400);
		await expectError(mk({ destinationCidrBlock: '192.168.60.0/24', nextHopType: 'HaVip' }), 'InvalidHaViNpId.NotFound', 404);
		await expectError(c.createRouteEntry(new Vpc.CreateRouteEntryRequest({ routeTableId: 'vtb-nope', destinationCidrBlock: '192.168.60.0/24', nextHopId: s.i1 })),
			'InvalidRouteTableId.NotFound', 404);
		await expectError(sluiceCall(c, 'DeleteSluiceInstance', { InstanceId: s.i1 }), 'DependencyViolation.RouteEntry', 400);
		await expectError(c.deleteVpc(new Vpc.DeleteVpcRequest({ vpcId: s.vpc })), 'DependencyViolation.RouteEntry', 400);
	});

	t('ModifyRouteEntry moves the next hop; DeleteRouteEntry checks NextHopId and refuses System entries', async () => {
		await c.modifyRouteEntry(new Vpc.ModifyRouteEntryRequest({
			routeTableId: s.rtb, destinationCidrBlock: '192.168.50.0/24', newNextHopId: s.i2,
		}));
		const l = await c.describeRouteEntryList(new Vpc.DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: s.rtb, routeEntryType: 'Custom' }));
		assert.equal(l.body.routeEntrys.routeEntry[0].nextHops.nextHop[0].nextHopId, s.i2);
		await expectError(c.modifyRouteEntry(new Vpc.ModifyRouteEntryRequest({ routeTableId: s.rtb, destinationCidrBlock: '192.168.50.0/24', routeEntryName: 'n1' })),
			'InvalidParameter', 400);
		await expectError(c.modifyRouteEntry(new Vpc.ModifyRouteEntryRequest({ routeTableId: 'vtb-a', destinationCidrBlock: '10.99.0.0/16', newNextHopId: 'i-a1' })),
			'Forbidden.ConfigFileObject', 403);
		await expectError(c.deleteRouteEntry(new Vpc.DeleteRouteEntryRequest({ routeTableId: s.rtb, destinationCidrBlock: '192.168.50.0/24', nextHopId: s.i1 })),
			'InvalidParameter', 400);
		await expectError(c.deleteRouteEntry(new Vpc.DeleteRouteEntryRequest({ routeTableId: s.rtb, destinationCidrBlock: '10.20.1.0/24' })),
			'OperationDenied', 400);
		await expectError(c.deleteRouteEntry(new Vpc.DeleteRouteEntryRequest({ routeTableId: s.rtb, destinationCidrBlock: '192.168.51.0/24' })),
			'InvalidRouteEntry.NotFound', 404);
		await c.deleteRouteEntry(new Vpc.DeleteRouteEntryRequest({ routeTableId: s.rtb, destinationCidrBlock: '192.168.50.0/24', nextHopId: s.i2 }));
		const after = await c.describeRouteEntryList(new Vpc.DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: s.rtb, routeEntryType: 'Custom' }));
		assert.equal(after.body.routeEntrys.routeEntry.length, 0);
	});

	t('route quota: 48 custom entries per table, the 49th is QuotaExceeded', async () => {
		for (let i = 0; i < 48; i++) {
			await c.createRouteEntry(new Vpc.CreateRouteEntryRequest({ routeTableId: s.rtb, destinationCidrBlock: `172.31.${i}.0/24`, nextHopId: s.i1 }));
		}
		await expectError(c.createRouteEntry(new Vpc.CreateRouteEntryRequest({ routeTableId: s.rtb, destinationCidrBlock: '172.31.200.0/24', nextHopId: s.i1 })),
			'QuotaExceeded', 400);
		const l = await c.describeRouteEntryList(new Vpc.DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: s.rtb, routeEntryType: 'Custom', maxResult: 20 }));
		assert.equal(l.body.totalCount, 48);
		assert.equal(l.body.routeEntrys.routeEntry.length, 20);
		assert.equal(l.body.nextToken, '20');
		const l2 = await c.describeRouteEntryList(new Vpc.DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: s.rtb, routeEntryType: 'Custom', maxResult: 20, nextToken: '40' }));
		assert.equal(l2.body.routeEntrys.routeEntry.length, 8);
		assert.equal(l2.body.nextToken, '');
		for (let i = 0; i < 48; i++) {
			await c.deleteRouteEntry(new Vpc.DeleteRouteEntryRequest({ routeTableId: s.rtb, destinationCidrBlock: `172.31.${i}.0/24` }));
		}
	});

	t('VSwitch quota: 24 per VPC, the 25th is QuotaExceeded.VSwitch; DescribeVSwitches pages them', async () => {
		const ids = [];
		for (let i = 2; i < 25; i++) {
			const r = await c.createVSwitch(new Vpc.CreateVSwitchRequest({ vpcId: s.vpc, zoneId: ZONE, cidrBlock: `10.20.${i}.0/24` }));
			ids.push(r.body.vSwitchId);
		}
		await expectError(c.createVSwitch(new Vpc.CreateVSwitchRequest({ vpcId: s.vpc, zoneId: ZONE, cidrBlock: '10.20.99.0/24' })),
			'QuotaExceeded.VSwitch', 400);
		const p3 = await c.describeVSwitches(new Vpc.DescribeVSwitchesRequest({ vpcId: s.vpc, pageSize: 10, pageNumber: 3 }));
		assert.equal(p3.body.totalCount, 24);
		assert.equal(p3.body.vSwitches.vSwitch.length, 4);
		await expectError(c.describeVSwitches(new Vpc.DescribeVSwitchesRequest({ vpcId: s.vpc, pageSize: 51 })), 'InvalidParameter', 400);
		for (const id of ids) {
			await c.deleteVSwitch(new Vpc.DeleteVSwitchRequest({ vSwitchId: id }));
		}
	});

	t('DescribeVRouters: one per VPC, paged', async () => {
		const r = await c.describeVRouters(new Vpc.DescribeVRoutersRequest({ regionId: REGION, pageSize: 2 }));
		assert.equal(r.body.totalCount, 3);
		assert.equal(r.body.VRouters.VRouter.length, 2);
		const mine = await c.describeVRouters(new Vpc.DescribeVRoutersRequest({ regionId: REGION, VRouterId: s.vpc.replace('vpc-', 'vrt-') }));
		assert.equal(mine.body.VRouters.VRouter[0].vpcId, s.vpc);
		assert.deepEqual(mine.body.VRouters.VRouter[0].routeTableIds.routeTableId, [s.rtb]);
	});

	t('teardown: instances, VSwitch and VPC are deleted; only the config objects remain', async () => {
		await sluiceCall(c, 'DeleteSluiceInstance', { InstanceId: s.i1 });
		await sluiceCall(c, 'DeleteSluiceInstance', { InstanceId: s.i2 });
		await expectError(sluiceCall(c, 'DeleteSluiceInstance', { InstanceId: s.i2 }), 'InvalidInstanceId.NotFound', 404);
		await c.deleteVSwitch(new Vpc.DeleteVSwitchRequest({ vSwitchId: s.vsw }));
		await c.deleteVpc(new Vpc.DeleteVpcRequest({ vpcId: s.vpc }));
		await expectError(c.deleteVpc(new Vpc.DeleteVpcRequest({ vpcId: s.vpc })), 'InvalidVpcId.NotFound', 404);
		const d = await c.describeVpcs(new Vpc.DescribeVpcsRequest({ regionId: REGION }));
		assert.deepEqual(d.body.vpcs.vpc.map((v) => v.vpcId), ['vpc-a', 'vpc-b']);
	});
}
