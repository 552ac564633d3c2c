// SPDX-License-Identifier: BSD-3-Clause
//
// HaVips through sluiced's VPC API (docs/api.md, "HaVips"): CreateHaVip,
// DeleteHaVip, AssociateHaVip, UnassociateHaVip, DescribeHaVips, and the
// rules that tie them to route entries, EIPs, SNAT and forward entries,
// driven by the official SDK @alicloud/vpc20160428 in both signing modes.
// Run by tests/e2e/api_test.sh with the other *.test.js files, against a
// sluiced of its own (standalone.js) with tests/api/havip.config.json,
// which holds a HaVip of the file. Every object created in one signing
// mode is deleted again before the other runs.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const Vpc = require('@alicloud/vpc20160428');
const { Standalone, expectError, rawCall } = require('./standalone');

const REGION = 'cn-hangzhou';
const ZONE = 'cn-hangzhou-a';
const sl = new Standalone(path.join(__dirname, 'havip.config.json'), 'AKHAVIPTEST',
	'havip-test-secret-0123456789', REGION);

test.before(() => sl.start());
test.after(() => sl.stop());

for (const [mode, alg] of [['sig1.0', 'v2'], ['acs3', undefined]]) {
	let c;
	const s = {}; // ids created along the way
	const t = (name, fn) => test(`[${mode}] havip: ${name}`, fn);
	const create = (extra) => c.createHaVip(new Vpc.CreateHaVipRequest({ regionId: REGION, vSwitchId: s.vsw, ...extra }));
	const describe = async (filters) => (await c.describeHaVips(new Vpc.DescribeHaVipsRequest({
		regionId: REGION,
		filter: Object.entries(filters || {}).map(([key, value]) => new Vpc.DescribeHaVipsRequestFilter({ key, value: [].concat(value) })),
	}))).body;
	const one = async (id) => {
		const b = await describe({ HaVipId: id });
		assert.equal(b.totalCount, 1);
		return b.haVips.haVip[0];
	};
	const assoc = (id, inst, extra) => c.associateHaVip(new Vpc.AssociateHaVipRequest({ regionId: REGION, haVipId: id, instanceId: inst, ...extra }));
	const unassoc = (id, inst, extra) => c.unassociateHaVip(new Vpc.UnassociateHaVipRequest({ regionId: REGION, haVipId: id, instanceId: inst, ...extra }));
	const route = (dest, hop, type) => c.createRouteEntry(new Vpc.CreateRouteEntryRequest({
		routeTableId: s.rtb, destinationCidrBlock: dest, nextHopType: type || 'HaVip', nextHopId: hop,
	}));

	t('a VPC with two VSwitches and three instances', async () => {
		c = sl.client(alg);
		const v = await c.createVpc(new Vpc.CreateVpcRequest({ regionId: REGION, cidrBlock: '10.40.0.0/16' }));
		s.vpc = v.body.vpcId;
		s.rtb = v.body.routeTableId;
		const vsw = async (cidr) => (await c.createVSwitch(new Vpc.CreateVSwitchRequest({
			regionId: REGION, vpcId: s.vpc, zoneId: ZONE, cidrBlock: cidr,
		}))).body.vSwitchId;
		s.vsw = await vsw('10.40.1.0/24');
		s.vsw2 = await vsw('10.40.2.0/24');
		const inst = async (w, ip) => (await rawCall(c, 'CreateSluiceInstance', { RegionId: REGION, VSwitchId: w, PrivateIpAddress: ip })).InstanceId;
		s.i1 = await inst(s.vsw, '10.40.1.10');
		s.i2 = await inst(s.vsw, '10.40.1.11');
		s.i3 = await inst(s.vsw2, '10.40.2.10');
	});

	t('CreateHaVip: a given address, the first free one, ClientToken, DryRun', async () => {
		const r = await create({ ipAddress: '10.40.1.100', name: 'front', description: 'the floating one' });
		assert.match(r.body.haVipId, /^havip-[a-z0-9]{20}$/);
		assert.equal(r.body.ipAddress, '10.40.1.100');
		s.hv = r.body.haVipId;
		const token = `havip-${mode}-${Date.now()}`;
		const r2 = await create({ clientToken: token });
		assert.equal(r2.body.ipAddress, '10.40.1.1', 'the first address that is not reserved');
		const r2b = await create({ clientToken: token });
		assert.equal(r2b.body.haVipId, r2.body.haVipId, 'same token, same HaVip');
		await expectError(create({ clientToken: token, name: 'other' }), 'IdempotentParameterMismatch', 400);
		s.hv2 = r2.body.haVipId;
		await expectError(rawCall(c, 'CreateHaVip', { RegionId: REGION, VSwitchId: s.vsw, IpAddress: '10.40.1.101', DryRun: 'true' }),
			'DryRunOperation', 400);
		assert.equal((await describe({ VpcId: s.vpc })).totalCount, 2, 'the DryRun created nothing');
	});

	t('CreateHaVip errors', async () => {
		await expectError(create({ vSwitchId: undefined }), 'MissingParameter', 400);
		await expectError(create({ vSwitchId: 'vsw-nope' }), 'InvalidVSwitchId.NotFound', 404);
		await expectError(create({ regionId: 'xx-nowhere' }), 'InvalidRegionId.NotFound', 404);
		await expectError(create({ ipAddress: '10.40.2.100' }), 'InvalidIpAddress.NotInVSwitch', 400);
		await expectError(create({ ipAddress: '10.40.1.10' }), 'InvalidIpAddress.AlreadyUsed', 400);
		await expectError(create({ ipAddress: '10.40.1.100' }), 'InvalidIpAddress.AlreadyUsed', 400);
		await expectError(create({ ipAddress: '10.40.1.255' }), 'InvalidIpAddress.AlreadyUsed', 400);
		await expectError(create({ ipAddress: '10.40.1.300' }), 'InvalidIpAddress.Malformed', 400);
		await expectError(create({ name: '1bad' }), 'InvalidParameter.Name.Malformed', 400);
		await expectError(create({ description: 'http://x' }), 'InvalidParameter.Description.Malformed', 400);
		await expectError(create({ resourceGroupId: 'rg-1' }), 'InvalidParameter', 400);
	});

	t('DescribeHaVips: fields, filters, the file\'s HaVip', async () => {
		const h = await one(s.hv);
		assert.equal(h.regionId, REGION);
		assert.equal(h.vpcId, s.vpc);
		assert.equal(h.vSwitchId, s.vsw);
		assert.equal(h.ipAddress, '10.40.1.100');
		assert.equal(h.status, 'Available');
		assert.equal(h.masterInstanceId, '');
		assert.equal(h.name, 'front');
		assert.equal(h.description, 'the floating one');
		assert.deepEqual(h.associatedInstances.associatedInstance, []);
		assert.deepEqual(h.associatedEipAddresses.associatedEipAddresse, []);
		assert.match(h.createTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		assert.equal((await describe({ VpcId: s.vpc, HaVipAddress: ['10.40.1.1', '10.40.1.100'] })).totalCount, 2);
		assert.equal((await describe({ VSwitchId: s.vsw2 })).totalCount, 0);
		assert.equal((await describe({ Status: 'InUse' })).haVips.haVip[0].haVipId, 'havip-f');
		const f = await one('havip-f');
		assert.deepEqual(f.associatedInstances.associatedInstance, ['i-f1']);
		assert.equal(f.associatedInstanceType, 'EcsInstance');
		assert.equal((await describe()).totalCount, 3);
		await expectError(describe({ Zone: 'x' }), 'InvalidFilterKey.ValueNotSupported', 400);
		await expectError(c.describeHaVips(new Vpc.DescribeHaVipsRequest({})), 'MissingParameter', 400);
	});

	t('AssociateHaVip: instances of its VSwitch, at most once; its errors', async () => {
		await assoc(s.hv, s.i1);
		await assoc(s.hv, s.i2, { instanceType: 'EcsInstance' });
		const h = await one(s.hv);
		assert.equal(h.status, 'InUse');
		assert.deepEqual(h.associatedInstances.associatedInstance, [s.i1, s.i2]);
		assert.equal(h.associatedInstanceType, 'EcsInstance');
		await expectError(assoc(s.hv, s.i1), 'InvalidAssociation.Duplicated', 400);
		await expectError(assoc(s.hv, s.i3), 'InvalidInstanceId.NotInSameVSwitch', 400);
		await expectError(assoc(s.hv, 'i-nope'), 'InvalidInstanceId.NotFound', 404);
		await expectError(assoc(s.hv, s.i3, { instanceType: 'NetworkInterface' }), 'InvalidInstanceType.ValueNotSupported', 400);
		await expectError(assoc('havip-nope', s.i1), 'InvalidHaVipId.NotFound', 404);
		await expectError(assoc(s.hv, undefined), 'MissingParameter', 400);
		await expectError(assoc('havip-f', 'i-f1'), 'Forbidden.ConfigFileObject', 403);
		await expectError(c.deleteHaVip(new Vpc.DeleteHaVipRequest({ regionId: REGION, haVipId: s.hv })), 'IncorrectHaVipStatus', 400);
		await expectError(rawCall(c, 'DeleteSluiceInstance', { InstanceId: s.i1 }), 'DependencyViolation.HaVip', 400);
	});

	t('route entries to HaVips: NextHopType HaVip, its VPC only, 5 per VPC', async () => {
		for (let i = 1; i <= 5; i++) await route(`192.168.${i}.0/24`, i % 2 ? s.hv : s.hv2);
		await expectError(route('192.168.6.0/24', s.hv), 'CountLimitExceed.HaVipRouteEntry', 400);
		await expectError(route('192.168.6.0/24', 'havip-f'), 'InvalidHaViNpId.NotFound', 404);
		await expectError(route('192.168.6.0/24', s.i1, 'Tunnel'), 'InvalidParameter', 400);
		const rt = await c.describeRouteTables(new Vpc.DescribeRouteTablesRequest({ routeTableId: s.rtb }));
		const e = rt.body.routeTables.routeTable[0].routeEntrys.routeEntry.find((x) => x.destinationCidrBlock === '192.168.1.0/24');
		assert.equal(e.nextHopType, 'HaVip');
		assert.equal(e.instanceId, s.hv);
		await expectError(c.deleteHaVip(new Vpc.DeleteHaVipRequest({ regionId: REGION, haVipId: s.hv2 })), 'DependencyViolation.RouteEntry', 400);
		for (let i = 1; i <= 5; i++) {
			await c.deleteRouteEntry(new Vpc.DeleteRouteEntryRequest({ routeTableId: s.rtb, destinationCidrBlock: `192.168.${i}.0/24` }));
		}
	});

	t('one EIP per HaVip (AssociateEipAddress InstanceType HaVip)', async () => {
		const alloc = async () => (await c.allocateEipAddress(new Vpc.AllocateEipAddressRequest({ regionId: REGION }))).body;
		const e1 = await alloc();
		const e2 = await alloc();
		s.eip1 = e1.allocationId; s.eip2 = e2.allocationId; s.ip1 = e1.eipAddress; s.ip2 = e2.eipAddress;
		const bind = (id, inst) => c.associateEipAddress(new Vpc.AssociateEipAddressRequest({
			regionId: REGION, allocationId: id, instanceType: 'HaVip', instanceId: inst,
		}));
		await bind(s.eip1, s.hv);
		await expectError(bind(s.eip2, s.hv), 'CountLimitExceed.EIPOnHaVip', 400);
		await expectError(bind(s.eip2, 'havip-nope'), 'InvalidHaVip.NotFound', 404);
		const h = await one(s.hv);
		assert.deepEqual(h.associatedEipAddresses.associatedEipAddresse, [s.ip1]);
		const d = await c.describeEipAddresses(new Vpc.DescribeEipAddressesRequest({ regionId: REGION, allocationId: s.eip1 }));
		assert.equal(d.body.eipAddresses.eipAddress[0].instanceType, 'HaVip');
		assert.equal(d.body.eipAddresses.eipAddress[0].instanceId, s.hv);
		await expectError(c.deleteHaVip(new Vpc.DeleteHaVipRequest({ regionId: REGION, haVipId: s.hv })), 'IncorrectHaVipStatus', 400);
	});

	t('no SNAT entry for a VSwitch holding a HaVip, no forward entry to a HaVip', async () => {
		s.ngw = (await c.createNatGateway(new Vpc.CreateNatGatewayRequest({ regionId: REGION, vpcId: s.vpc }))).body.natGatewayId;
		await c.associateEipAddress(new Vpc.AssociateEipAddressRequest({ regionId: REGION, allocationId: s.eip2, instanceType: 'Nat', instanceId: s.ngw }));
		const n = await c.describeNatGateways(new Vpc.DescribeNatGatewaysRequest({ regionId: REGION, natGatewayId: s.ngw }));
		const g = n.body.natGateways.natGateway[0];
		await expectError(c.createSnatEntry(new Vpc.CreateSnatEntryRequest({
			regionId: REGION, snatTableId: g.snatTableIds.snatTableId[0], sourceVSwitchId: s.vsw, snatIp: s.ip2,
		})), 'Forbidden.SourceVSwitchId.IncludeHaVip', 400);
		await expectError(c.createForwardEntry(new Vpc.CreateForwardEntryRequest({
			regionId: REGION, forwardTableId: g.forwardTableIds.forwardTableId[0], externalIp: s.ip2, ipProtocol: 'TCP',
			externalPort: '80', internalIp: '10.40.1.100', internalPort: '80',
		})), 'Forbidden.InternalIpIsHaVip', 400);
		const sn = await c.createSnatEntry(new Vpc.CreateSnatEntryRequest({
			regionId: REGION, snatTableId: g.snatTableIds.snatTableId[0], sourceVSwitchId: s.vsw2, snatIp: s.ip2,
		}));
		assert.match(sn.body.snatEntryId, /^snat-/);
		await expectError(create({ vSwitchId: s.vsw2 }), 'Forbidden.SourceVSwitchId.IncludeHaVip', 400);
		await c.deleteNatGateway(new Vpc.DeleteNatGatewayRequest({ regionId: REGION, natGatewayId: s.ngw, force: true }));
	});

	t('UnassociateHaVip; DeleteHaVip once free; DeleteVSwitch waits for its HaVips', async () => {
		await expectError(unassoc(s.hv, s.i3), 'ResourceNotAssociated', 400);
		await expectError(unassoc(s.hv, s.i1, { force: 'maybe' }), 'InvalidParameter', 400);
		await unassoc(s.hv, s.i1);
		assert.deepEqual((await one(s.hv)).associatedInstances.associatedInstance, [s.i2]);
		await unassoc(s.hv, s.i2, { force: 'True' });
		assert.equal((await one(s.hv)).status, 'Available');
		await expectError(c.deleteHaVip(new Vpc.DeleteHaVipRequest({ regionId: REGION, haVipId: s.hv })), 'DependencyViolation.Eip', 400);
		await c.unassociateEipAddress(new Vpc.UnassociateEipAddressRequest({ regionId: REGION, allocationId: s.eip1, instanceType: 'HaVip', instanceId: s.hv }));
		for (const id of [s.i1, s.i2]) await rawCall(c, 'DeleteSluiceInstance', { RegionId: REGION, InstanceId: id });
		await expectError(c.deleteVSwitch(new Vpc.DeleteVSwitchRequest({ vSwitchId: s.vsw })), 'DependencyViolation.HaVip', 400);
		await c.deleteHaVip(new Vpc.DeleteHaVipRequest({ regionId: REGION, haVipId: s.hv }));
		await c.deleteHaVip(new Vpc.DeleteHaVipRequest({ regionId: REGION, haVipId: s.hv2 }));
		await expectError(c.deleteHaVip(new Vpc.DeleteHaVipRequest({ regionId: REGION, haVipId: s.hv })), 'InvalidHaVipId.NotFound', 404);
		await expectError(c.deleteHaVip(new Vpc.DeleteHaVipRequest({ regionId: REGION, haVipId: 'havip-f' })), 'Forbidden.ConfigFileObject', 403);
		assert.equal((await describe()).totalCount, 1, 'only the file\'s havip-f is left');
	});

	t('clean up: EIPs released, instances, VSwitches and VPC deleted', async () => {
		for (const id of [s.eip1, s.eip2]) {
			await c.releaseEipAddress(new Vpc.ReleaseEipAddressRequest({ regionId: REGION, allocationId: id }));
		}
		await rawCall(c, 'DeleteSluiceInstance', { RegionId: REGION, InstanceId: s.i3 });
		for (const id of [s.vsw, s.vsw2]) await c.deleteVSwitch(new Vpc.DeleteVSwitchRequest({ vSwitchId: id }));
		await c.deleteVpc(new Vpc.DeleteVpcRequest({ regionId: REGION, vpcId: s.vpc }));
	});
}
