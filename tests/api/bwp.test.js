// SPDX-License-Identifier: BSD-3-Clause
//
// Common (shared) and NAT bandwidth packages through sluiced's VPC API
// (docs/api.md, "Common bandwidth packages", "NAT bandwidth packages"),
// driven by the official SDK @alicloud/vpc20160428 in both signing modes
// (the NAT package actions, which the SDK lacks, as raw calls it signs). Run by tests/e2e/api_test.sh
// with the other *.test.js files, against a sluiced of its own
// (standalone.js) with tests/api/bwp.config.json, which holds a package of
// the file. Every object created in one signing mode is deleted again
// before the other runs.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const Vpc = require('@alicloud/vpc20160428');
const { Standalone, expectError, rawCall } = require('./standalone');

const REGION = 'cn-hangzhou';
const sl = new Standalone(path.join(__dirname, 'bwp.config.json'), 'AKBWPTEST',
	'bwp-test-secret-0123456789', REGION);

test.before(() => sl.start());
test.after(() => sl.stop());

for (const [mode, alg] of [['sig1.0', 'v2'], ['acs3', undefined]]) {
	let c;
	const s = {}; // ids created along the way
	const t = (name, fn) => test(`[${mode}] cbwp: ${name}`, fn);
	const req = (extra) => ({ regionId: REGION, bandwidthPackageId: s.pkg, ...extra });
	const create = (extra) => c.createCommonBandwidthPackage(new Vpc.CreateCommonBandwidthPackageRequest({ regionId: REGION, ...extra }));
	const describe = async (extra) => (await c.describeCommonBandwidthPackages(new Vpc.DescribeCommonBandwidthPackagesRequest({
		regionId: REGION, ...extra,
	}))).body;
	const one = async (id) => {
		const b = await describe({ bandwidthPackageId: id });
		assert.equal(b.totalCount, 1);
		return b.commonBandwidthPackages.commonBandwidthPackage[0];
	};
	const add = (ip, extra) => c.addCommonBandwidthPackageIp(new Vpc.AddCommonBandwidthPackageIpRequest(req({ ipInstanceId: ip, ...extra })));
	const remove = (ip, extra) => c.removeCommonBandwidthPackageIp(new Vpc.RemoveCommonBandwidthPackageIpRequest(req({ ipInstanceId: ip, ...extra })));
	const cap = (ip, bw) => c.modifyCommonBandwidthPackageIpBandwidth(new Vpc.ModifyCommonBandwidthPackageIpBandwidthRequest(req({ eipId: ip, bandwidth: bw })));

	t('CreateCommonBandwidthPackage: defaults, PayBy95 with Ratio, ClientToken, DryRun', async () => {
		c = sl.client(alg);
		const r = await create({ bandwidth: 100, name: 'shared', description: 'web tier' });
		assert.match(r.body.bandwidthPackageId, /^cbwp-[a-z0-9]{20}$/);
		s.pkg = r.body.bandwidthPackageId;
		const token = `cbwp-${mode}-${Date.now()}`;
		const r2 = await create({ bandwidth: 300, internetChargeType: 'PayBy95', ratio: 20, clientToken: token });
		const r2b = await create({ bandwidth: 300, internetChargeType: 'PayBy95', ratio: 20, clientToken: token });
		assert.equal(r2b.body.bandwidthPackageId, r2.body.bandwidthPackageId, 'same token, same package');
		await expectError(create({ bandwidth: 400, clientToken: token }), 'IdempotentParameterMismatch', 400);
		s.pkg95 = r2.body.bandwidthPackageId;
		await expectError(rawCall(c, 'CreateCommonBandwidthPackage', { RegionId: REGION, Bandwidth: '10', DryRun: 'true' }),
			'DryRunOperation', 400);
		assert.equal((await describe()).totalCount, 3, 'the file\'s and two new: the DryRun created nothing');
	});

	t('CreateCommonBandwidthPackage errors', async () => {
		await expectError(create({}), 'MissingParameter', 400);
		await expectError(create({ bandwidth: 1 }), 'InvalidBandwidth.ValueNotSupported', 400);
		await expectError(create({ bandwidth: 20001 }), 'InvalidBandwidth.ValueNotSupported', 400);
		await expectError(create({ bandwidth: 100, internetChargeType: 'PayBy95' }), 'InvalidBandwidth.ValueNotSupported', 400);
		await expectError(create({ bandwidth: 300, internetChargeType: 'PayBy95', ratio: 5 }), 'InvalidParameter', 400);
		await expectError(create({ bandwidth: 10, internetChargeType: 'PayByTraffic' }), 'InvalidInternetChargeType.ValueNotSupported', 400);
		await expectError(create({ bandwidth: 10, regionId: 'xx-nowhere' }), 'InvalidRegionId.NotFound', 404);
		await expectError(create({ bandwidth: 10, name: '1bad' }), 'InvalidParameter.Name.Malformed', 400);
		await expectError(create({ bandwidth: 10, ISP: 'BGP_PRO' }), 'InvalidParameter', 400);
	});

	t('DescribeCommonBandwidthPackages: fields, filters, region, the file\'s package', async () => {
		const p = await one(s.pkg);
		assert.equal(p.bandwidth, '100');
		assert.equal(p.internetChargeType, 'PayByBandwidth');
		assert.equal(p.ratio, 100);
		assert.equal(p.name, 'shared');
		assert.equal(p.description, 'web tier');
		assert.equal(p.regionId, REGION);
		assert.equal(p.status, 'Available');
		assert.equal(p.instanceChargeType, 'PostPaid');
		assert.equal(p.businessStatus, 'Normal');
		assert.deepEqual(p.publicIpAddresses.publicIpAddresse, []);
		assert.match(p.creationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		assert.equal((await one(s.pkg95)).ratio, 20);
		const f = await one('cbwp-f');
		assert.deepEqual(f.publicIpAddresses.publicIpAddresse.map((x) => [x.allocationId, x.ipAddress]), [['eip-f1', '198.51.100.7']]);
		assert.equal((await describe({ name: 'shared' })).totalCount, 1);
		assert.equal((await describe({ regionId: 'cn-beijing' })).totalCount, 0);
		await expectError(describe({ regionId: undefined }), 'MissingParameter', 400);
	});

	t('AddCommonBandwidthPackageIp and per-EIP caps; their errors', async () => {
		const alloc = async () => (await c.allocateEipAddress(new Vpc.AllocateEipAddressRequest({ regionId: REGION }))).body;
		const e1 = await alloc();
		const e2 = await alloc();
		s.eip1 = e1.allocationId; s.eip2 = e2.allocationId; s.ip1 = e1.eipAddress;
		await add(s.eip1);
		await add(s.eip2, { ipType: 'EIP' });
		await expectError(add(s.eip1), 'IpInstanceId.AlreadyInBandwidthPackage', 400);
		await expectError(add('eip-f1'), 'IpInstanceId.AlreadyInBandwidthPackage', 400);
		await expectError(add('eip-nope'), 'InvalidIpInstanceId.NotFound', 404);
		await expectError(add(s.eip1, { bandwidthPackageId: 'cbwp-nope' }), 'InvalidBandwidthPackageId.NotFound', 404);
		await expectError(add(s.eip1, { bandwidthPackageId: 'cbwp-f' }), 'Forbidden.ConfigFileObject', 403);
		await expectError(add(s.eip1, { regionId: 'cn-beijing' }), 'InvalidBandwidthPackageId.NotFound', 404);
		await cap(s.eip1, '30');
		await expectError(cap(s.eip1, '101'), 'InvalidBandwidth.ValueNotSupported', 400);
		await expectError(cap('eip-f1', '5'), 'InvalidIpInstanceId.NotFound', 404);
		const p = await one(s.pkg);
		assert.deepEqual(p.publicIpAddresses.publicIpAddresse.map((x) => x.allocationId), [s.eip1, s.eip2]);
		assert.equal(p.publicIpAddresses.publicIpAddresse[0].ipAddress, s.ip1);
		const d = await c.describeEipAddresses(new Vpc.DescribeEipAddressesRequest({ regionId: REGION, allocationId: s.eip1 }));
		assert.equal(d.body.eipAddresses.eipAddress[0].bandwidthPackageId, s.pkg);
		assert.equal(d.body.eipAddresses.eipAddress[0].bandwidthPackageBandwidth, '100');
		await expectError(c.releaseEipAddress(new Vpc.ReleaseEipAddressRequest({ regionId: REGION, allocationId: s.eip1 })),
			'DependencyViolation.BandwidthPackage', 400);
		await c.cancelCommonBandwidthPackageIpBandwidth(new Vpc.CancelCommonBandwidthPackageIpBandwidthRequest(req({ eipId: s.eip1 })));
	});

	t('ModifyCommonBandwidthPackageSpec and ...Attribute', async () => {
		const spec = (bw, extra) => c.modifyCommonBandwidthPackageSpec(new Vpc.ModifyCommonBandwidthPackageSpecRequest(req({ bandwidth: bw, ...extra })));
		await cap(s.eip2, '50');
		await expectError(spec('40'), 'InvalidBandwidth.ValueNotSupported', 400);
		await spec('60');
		await expectError(spec('lots'), 'InvalidBandwidth.ValueNotSupported', 400);
		await expectError(spec('60', { bandwidthPackageId: 'cbwp-f' }), 'Forbidden.ConfigFileObject', 403);
		await c.modifyCommonBandwidthPackageAttribute(new Vpc.ModifyCommonBandwidthPackageAttributeRequest(req({ name: 'shared2', description: 'two' })));
		await expectError(c.modifyCommonBandwidthPackageAttribute(new Vpc.ModifyCommonBandwidthPackageAttributeRequest(req({ name: 'http://x' }))),
			'InvalidParameter.Name.Malformed', 400);
		const p = await one(s.pkg);
		assert.equal(p.bandwidth, '60');
		assert.equal(p.name, 'shared2');
		assert.equal(p.description, 'two');
	});

	t('RemoveCommonBandwidthPackageIp; DeleteCommonBandwidthPackage with and without Force', async () => {
		await remove(s.eip1);
		await expectError(remove(s.eip1), 'InvalidIpInstanceId.NotFound', 404);
		await expectError(remove('eip-nope'), 'InvalidIpInstanceId.NotFound', 404);
		assert.deepEqual((await one(s.pkg)).publicIpAddresses.publicIpAddresse.map((x) => x.allocationId), [s.eip2]);
		const del = (id, extra) => c.deleteCommonBandwidthPackage(new Vpc.DeleteCommonBandwidthPackageRequest(req({ bandwidthPackageId: id, ...extra })));
		await expectError(del(s.pkg), 'DependencyViolation.ip', 400);
		await del(s.pkg, { force: 'true' });
		await del(s.pkg95);
		await expectError(del(s.pkg), 'InvalidBandwidthPackageId.NotFound', 404);
		await expectError(del('cbwp-f'), 'Forbidden.ConfigFileObject', 403);
		await expectError(del(undefined), 'MissingParameter', 400);
		for (const id of [s.eip1, s.eip2]) {
			await c.releaseEipAddress(new Vpc.ReleaseEipAddressRequest({ regionId: REGION, allocationId: id }));
		}
		assert.equal((await describe()).totalCount, 1, 'only the file\'s cbwp-f is left');
	});

	// NAT bandwidth packages: the SDK has no methods for them (the 2016
	// document's legacy actions), so they are signed raw calls.
	const n = {};
	const nt = (name, fn) => test(`[${mode}] nat bwp: ${name}`, fn);
	// (undefined values are left out: the raw signer would sign them otherwise than it sends them)
	const call = (action, q) => rawCall(c, action, Object.fromEntries(
		Object.entries({ RegionId: REGION, ...q }).filter(([, v]) => v !== undefined)));
	const mk = (q) => call('CreateBandwidthPackage', { NatGatewayId: n.ngw, IpCount: '2', Bandwidth: '10', ...q });
	const pkgs = async (q) => call('DescribeBandwidthPackages', q);
	const addrs = async (id) => (await pkgs({ BandwidthPackageId: id })).BandwidthPackages.BandwidthPackage[0].PublicIpAddresses.PublicIpAddress;

	nt('CreateBandwidthPackage on a NAT gateway: pool addresses, its errors', async () => {
		const v = await c.createVpc(new Vpc.CreateVpcRequest({ regionId: REGION, cidrBlock: '10.50.0.0/16' }));
		n.vpc = v.body.vpcId;
		n.vsw = (await c.createVSwitch(new Vpc.CreateVSwitchRequest({
			regionId: REGION, vpcId: n.vpc, zoneId: 'cn-hangzhou-a', cidrBlock: '10.50.1.0/24',
		}))).body.vSwitchId;
		const g = await c.createNatGateway(new Vpc.CreateNatGatewayRequest({ regionId: REGION, vpcId: n.vpc }));
		n.ngw = g.body.natGatewayId; n.stb = g.body.snatTableIds.snatTableId[0]; n.ftb = g.body.forwardTableIds.forwardTableId[0];
		await expectError(mk({ IpCount: undefined }), 'MissingParameter.IpCount', 400);
		await expectError(mk({ Bandwidth: undefined }), 'MissingParameter.Bandwidth', 400);
		await expectError(mk({ IpCount: '51' }), 'InvalidIpCount.ValueNotSupported', 400);
		await expectError(mk({ Bandwidth: '1001' }), 'InvalidBandwidth.ValueNotSupported', 400);
		await expectError(mk({ Bandwidth: '4' }), 'InvalidBandwidth.ValueNotSupported', 400);
		await expectError(mk({ NatGatewayId: 'ngw-nope' }), 'InvalidNatGatewayId.NotFound', 404);
		await expectError(mk({ Zone: 'cn-beijing-a' }), 'InvalidZoneId.NotFound', 404);
		await expectError(mk({ RegionId: 'xx-nowhere' }), 'InvalidRegionId.NotFound', 404);
		await expectError(mk({ Name: '1bad' }), 'InvalidParameter.Name.Malformed', 400);
		await expectError(mk({ IpCount: '8' }), 'InsufficientEipCapacity', 500);
		const r = await mk({ Name: 'legacy', Zone: 'cn-hangzhou-a' });
		assert.match(r.BandwidthPackageId, /^bwp-[a-z0-9]{20}$/);
		n.bwp = r.BandwidthPackageId;
		const d = await pkgs({ NatGatewayId: n.ngw });
		assert.equal(d.TotalCount, 1);
		const b = d.BandwidthPackages.BandwidthPackage[0];
		assert.equal(b.Bandwidth, '10');
		assert.equal(b.IpCount, '2');
		assert.equal(b.ZoneId, 'cn-hangzhou-a');
		assert.equal(b.Name, 'legacy');
		assert.equal(b.Status, 'Available');
		assert.equal(b.NatGatewayId, n.ngw);
		assert.deepEqual(b.PublicIpAddresses.PublicIpAddress.map((x) => x.IpAddress), ['198.51.100.0', '198.51.100.1']);
		assert.match(b.PublicIpAddresses.PublicIpAddress[0].AllocationId, /^nateip-/);
		// the SDK's model no longer has BandwidthPackageIds: read it raw
		const ng = await call('DescribeNatGateways', { NatGatewayId: n.ngw });
		assert.deepEqual(ng.NatGateways.NatGateway[0].BandwidthPackageIds.BandwidthPackageId, [n.bwp]);
	});

	nt('its addresses serve SNAT and forward entries; no EIP next to a package', async () => {
		const [a0, a1] = await addrs(n.bwp);
		n.ip0 = a0; n.ip1 = a1;
		n.snat = (await c.createSnatEntry(new Vpc.CreateSnatEntryRequest({
			regionId: REGION, snatTableId: n.stb, sourceVSwitchId: n.vsw, snatIp: a0.IpAddress,
		}))).body.snatEntryId;
		n.fwd = (await c.createForwardEntry(new Vpc.CreateForwardEntryRequest({
			regionId: REGION, forwardTableId: n.ftb, externalIp: a1.IpAddress, ipProtocol: 'TCP',
			externalPort: '80', internalIp: '10.50.1.10', internalPort: '80',
		}))).body.forwardEntryId;
		const eip = (await c.allocateEipAddress(new Vpc.AllocateEipAddressRequest({ regionId: REGION }))).body;
		assert.equal(eip.eipAddress, '198.51.100.2', 'the package\'s addresses are taken');
		await expectError(c.associateEipAddress(new Vpc.AssociateEipAddressRequest({
			regionId: REGION, allocationId: eip.allocationId, instanceType: 'Nat', instanceId: n.ngw,
		})), 'Forbidden.NatGatewayEipAndBandwidthPackage', 400);
		await c.releaseEipAddress(new Vpc.ReleaseEipAddressRequest({ regionId: REGION, allocationId: eip.allocationId }));
	});

	nt('ModifyBandwidthPackageSpec, ModifyBandwidthPackageAttribute, AddBandwidthPackageIps', async () => {
		await call('ModifyBandwidthPackageSpec', { BandwidthPackageId: n.bwp, Bandwidth: '5000' });
		await expectError(call('ModifyBandwidthPackageSpec', { BandwidthPackageId: n.bwp, Bandwidth: '5001' }), 'InvalidBandwidth.ValueNotSupported', 400);
		await expectError(call('ModifyBandwidthPackageSpec', { BandwidthPackageId: 'bwp-nope', Bandwidth: '50' }), 'InvalidBandwidthPackageId.NotFound', 404);
		await call('ModifyBandwidthPackageAttribute', { BandwidthPackageId: n.bwp, Name: 'legacy2', Description: 'two' });
		await expectError(call('AddBandwidthPackageIps', { BandwidthPackageId: n.bwp, IpCount: '2' }), 'InvalidIpCount.ValueNotSupported', 400);
		await expectError(call('AddBandwidthPackageIps', { BandwidthPackageId: n.bwp, IpCount: '50' }), 'InsufficientEipCapacity', 500);
		await call('AddBandwidthPackageIps', { BandwidthPackageId: n.bwp, IpCount: '4' });
		const b = (await pkgs({ BandwidthPackageId: n.bwp })).BandwidthPackages.BandwidthPackage[0];
		assert.equal(b.Bandwidth, '5000');
		assert.equal(b.Name, 'legacy2');
		assert.equal(b.IpCount, '4');
	});

	nt('RemoveBandwidthPackageIps; 4 packages per gateway; what blocks deletes', async () => {
		const all = await addrs(n.bwp);
		const rm = (ids) => call('RemoveBandwidthPackageIps', Object.fromEntries(
			[['BandwidthPackageId', n.bwp], ...ids.map((id, i) => [`RemovedIpAddresses.${i + 1}`, id])]));
		await expectError(rm(['nateip-nope']), 'InvalidRemovedIpAddresses.NotFound', 400);
		await expectError(rm([n.ip0.AllocationId]), 'Forbidden.SomeIpReferredByForwardEntry', 400);
		await expectError(rm([]), 'MissingParameter', 400);
		await rm([all[2].AllocationId, all[3].AllocationId]);
		assert.equal((await addrs(n.bwp)).length, 2);
		const more = [];
		for (let i = 0; i < 3; i++) more.push((await mk({ IpCount: '1' })).BandwidthPackageId);
		await expectError(mk({ IpCount: '1' }), 'QuotaExceeded.BandwidthPackageCountOnNatGateway', 400);
		await expectError(c.deleteNatGateway(new Vpc.DeleteNatGatewayRequest({ regionId: REGION, natGatewayId: n.ngw, force: true })),
			'DependencyViolation.BandwidthPackages', 400);
		await expectError(call('DeleteBandwidthPackage', { BandwidthPackageId: n.bwp }), 'Forbidden.SomeIpReferredByForwardEntry', 400);
		await expectError(call('DeleteBandwidthPackage', {}), 'MissingParameter.BandwidthPackageId', 400);
		await c.deleteSnatEntry(new Vpc.DeleteSnatEntryRequest({ regionId: REGION, snatTableId: n.stb, snatEntryId: n.snat }));
		await c.deleteForwardEntry(new Vpc.DeleteForwardEntryRequest({ regionId: REGION, forwardTableId: n.ftb, forwardEntryId: n.fwd }));
		await expectError(rm([n.ip0.AllocationId, n.ip1.AllocationId]), 'Forbidden.RemoveAllIps', 400);
		for (const id of [n.bwp, ...more]) await call('DeleteBandwidthPackage', { BandwidthPackageId: id });
		await expectError(call('DeleteBandwidthPackage', { BandwidthPackageId: n.bwp }), 'InvalidBandwidthPackageId.NotFound', 404);
		assert.equal((await pkgs({})).TotalCount, 0);
		await c.deleteNatGateway(new Vpc.DeleteNatGatewayRequest({ regionId: REGION, natGatewayId: n.ngw }));
		await c.deleteVSwitch(new Vpc.DeleteVSwitchRequest({ vSwitchId: n.vsw }));
	});

	nt('CreateNatGateway with BandwidthPackage.n.* creates its packages', async () => {
		const ngw = (q) => call('CreateNatGateway', { VpcId: n.vpc, ...q });
		const pk = (i, count, bw) => ({ [`BandwidthPackage.${i}.IpCount`]: count, [`BandwidthPackage.${i}.Bandwidth`]: bw });
		await expectError(ngw({ 'BandwidthPackage.1.IpCount': '1' }), 'MissingParameter.BandwidthPackage.1.Bandwidth', 400);
		await expectError(ngw({ ...pk(1, '1', '5'), 'BandwidthPackage.2.Bandwidth': '5' }), 'MissingParameter.BandwidthPackage.2.IpCount', 400);
		await expectError(ngw({ ...pk(1, '1', '5'), ...pk(2, '1', '5'), ...pk(3, '1', '5'), ...pk(4, '1', '5'), ...pk(5, '1', '5') }),
			'TooManyBandwidthPackages', 400);
		await expectError(ngw(pk(1, '51', '5')), 'InvalidIpCount.ValueNotSupported', 400);
		await expectError(ngw(pk(1, '1', '5001')), 'InvalidBandwidth.ValueNotSupported', 400);
		await expectError(ngw({ ...pk(1, '4', '5'), ...pk(2, '4', '5') }), 'InsufficientEipCapacity', 500);
		const r = await ngw({ ...pk(1, '1', '20'), ...pk(2, '2', '5000'), 'BandwidthPackage.2.Zone': 'cn-hangzhou-a' });
		const ids = r.BandwidthPackageIds.BandwidthPackageId;
		assert.equal(ids.length, 2);
		const d = await pkgs({ NatGatewayId: r.NatGatewayId });
		assert.deepEqual(d.BandwidthPackages.BandwidthPackage.map((b) => [b.BandwidthPackageId, b.IpCount, b.Bandwidth]).sort(),
			[[ids[0], '1', '20'], [ids[1], '2', '5000']].sort());
		const all = d.BandwidthPackages.BandwidthPackage.flatMap((b) => b.PublicIpAddresses.PublicIpAddress.map((x) => x.IpAddress));
		assert.equal(new Set(all).size, 3, 'three different addresses');
		for (const id of ids) await call('DeleteBandwidthPackage', { BandwidthPackageId: id });
		await c.deleteNatGateway(new Vpc.DeleteNatGatewayRequest({ regionId: REGION, natGatewayId: r.NatGatewayId }));
		await c.deleteVpc(new Vpc.DeleteVpcRequest({ regionId: REGION, vpcId: n.vpc }));
	});
}
