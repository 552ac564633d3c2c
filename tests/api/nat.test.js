// SPDX-License-Identifier: BSD-3-Clause
//
// NAT gateways, EIPs, SNAT and forward entries through sluiced's VPC API
// (docs/api.md, "NAT gateways and EIPs"), driven by the official, unmodified
// SDK @alicloud/vpc20160428 in both signing modes (signature 1.0 and
// ACS3-HMAC-SHA256). Run by tests/e2e/api_test.sh with the other *.test.js
// files, but against a sluiced of its own: `sluiced --standalone` with
// tests/api/nat.config.json, whose EipPool has 4 free addresses (so that
// InsufficientEipCapacity is reachable), started by standalone.js (a
// private state directory and access-key file; $SLUICE_BUILD_DIR/control/
// sluiced, default build/). Every object created in one signing mode is deleted
// again before the other runs.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const Vpc = require('@alicloud/vpc20160428');
const { Standalone, expectError, rawCall: sluiceCall } = require('./standalone');

const REGION = 'cn-hangzhou';
const ZONE = 'cn-hangzhou-a';
const POOL = ['198.51.100.0', '198.51.100.1', '198.51.100.2', '198.51.100.3'];

const sl = new Standalone(path.join(__dirname, 'nat.config.json'), 'AKNATTEST', 'nat-test-secret-0123456789', REGION);
test.before(() => sl.start());
test.after(() => sl.stop());
const client = (signatureAlgorithm) => sl.client(signatureAlgorithm);

for (const [mode, alg] of [['sig1.0', 'v2'], ['acs3', undefined]]) {
	let c;
	const s = {}; // ids created along the way
	const t = (name, fn) => test(`[${mode}] nat: ${name}`, fn);
	const fwd = (extra) => c.createForwardEntry(new Vpc.CreateForwardEntryRequest({
		regionId: REGION, forwardTableId: s.ftb, externalIp: s.ip3, ipProtocol: 'TCP',
		externalPort: '80', internalIp: '10.30.1.10', internalPort: '8080', ...extra,
	}));

	t('a VPC, a VSwitch and an instance to hang the NAT gateway on', async () => {
		c = client(alg);
		s.vpc = (await c.createVpc(new Vpc.CreateVpcRequest({ regionId: REGION, cidrBlock: '10.30.0.0/16' }))).body.vpcId;
		s.vsw = (await c.createVSwitch(new Vpc.CreateVSwitchRequest({
			regionId: REGION, vpcId: s.vpc, zoneId: ZONE, cidrBlock: '10.30.1.0/24',
		}))).body.vSwitchId;
		s.inst = (await sluiceCall(c, 'CreateSluiceInstance', {
			RegionId: REGION, VSwitchId: s.vsw, PrivateIpAddress: '10.30.1.10',
		})).InstanceId;
		assert.match(s.inst, /^i-/);
	});

	t('CreateNatGateway returns the gateway with one SNAT and one forward table', async () => {
		const r = await c.createNatGateway(new Vpc.CreateNatGatewayRequest({
			regionId: REGION, vpcId: s.vpc, vSwitchId: s.vsw, name: 'nat-web', description: 'egress',
		}));
		s.ngw = r.body.natGatewayId;
		assert.match(s.ngw, /^ngw-[a-z0-9]{20}$/);
		assert.deepEqual(r.body.snatTableIds.snatTableId, [s.ngw.replace('ngw-', 'stb-')]);
		assert.deepEqual(r.body.forwardTableIds.forwardTableId, [s.ngw.replace('ngw-', 'ftb-')]);
		s.stb = r.body.snatTableIds.snatTableId[0];
		s.ftb = r.body.forwardTableIds.forwardTableId[0];
	});

	t('CreateNatGateway errors: one per VPC, bad Spec, unknown VPC, unknown region', async () => {
		await expectError(c.createNatGateway(new Vpc.CreateNatGatewayRequest({ regionId: REGION, vpcId: s.vpc })),
			'QuotaExceeded.NatGatewayCountInOneVpc', 400);
		await expectError(c.createNatGateway(new Vpc.CreateNatGatewayRequest({ regionId: REGION, vpcId: 'vpc-nope' })),
			'InvalidVpcId.NotFound', 404);
		await expectError(c.createNatGateway(new Vpc.CreateNatGatewayRequest({ regionId: 'xx-nowhere', vpcId: s.vpc })),
			'InvalidRegionId.NotFound', 404);
		const v2 = (await c.createVpc(new Vpc.CreateVpcRequest({ regionId: REGION, cidrBlock: '10.31.0.0/16' }))).body.vpcId;
		await expectError(c.createNatGateway(new Vpc.CreateNatGatewayRequest({ regionId: REGION, vpcId: v2, spec: 'Huge' })),
			'InvalidParameter.Spec.ValueNotSupported', 400);
		await expectError(c.createNatGateway(new Vpc.CreateNatGatewayRequest({ regionId: REGION, vpcId: v2, name: '1bad' })),
			'InvalidParameter.Name.Malformed', 400);
		await c.deleteVpc(new Vpc.DeleteVpcRequest({ regionId: REGION, vpcId: v2 }));
	});

	t('DescribeNatGateways, ModifyNatGatewayAttribute, ModifyNatGatewaySpec', async () => {
		await c.modifyNatGatewayAttribute(new Vpc.ModifyNatGatewayAttributeRequest({
			regionId: REGION, natGatewayId: s.ngw, name: 'nat-web2', description: 'egress two',
		}));
		await c.modifyNatGatewaySpec(new Vpc.ModifyNatGatewaySpecRequest({ regionId: REGION, natGatewayId: s.ngw, spec: 'Middle' }));
		const r = await c.describeNatGateways(new Vpc.DescribeNatGatewaysRequest({ regionId: REGION, vpcId: s.vpc }));
		assert.equal(r.body.totalCount, 1);
		const g = r.body.natGateways.natGateway[0];
		assert.equal(g.natGatewayId, s.ngw);
		assert.equal(g.name, 'nat-web2');
		assert.equal(g.description, 'egress two');
		assert.equal(g.spec, 'Middle');
		assert.equal(g.status, 'Available');
		assert.equal(g.vpcId, s.vpc);
		assert.deepEqual(g.snatTableIds.snatTableId, [s.stb]);
		assert.equal(g.natGatewayPrivateInfo.vswitchId, s.vsw);
		const all = await c.describeNatGateways(new Vpc.DescribeNatGatewaysRequest({ regionId: REGION }));
		assert.equal(all.body.totalCount, 2, 'the file gateway ngw-f and this one');
		await expectError(c.modifyNatGatewaySpec(new Vpc.ModifyNatGatewaySpecRequest({ regionId: REGION, natGatewayId: s.ngw, spec: 'Tiny' })),
			'InvalidParameter.Spec.ValueNotSupported', 400);
		await expectError(c.modifyNatGatewayAttribute(new Vpc.ModifyNatGatewayAttributeRequest({ regionId: REGION, natGatewayId: 'ngw-f', name: 'x2' })),
			'Forbidden.ConfigFileObject', 403);
		await expectError(c.modifyNatGatewayAttribute(new Vpc.ModifyNatGatewayAttributeRequest({ regionId: REGION, natGatewayId: 'ngw-none' })),
			'InvalidNatGatewayId.NotFound', 404);
	});

	t('AllocateEipAddress: from the pool, Bandwidth checked, ClientToken, InsufficientEipCapacity', async () => {
		const a = (extra) => c.allocateEipAddress(new Vpc.AllocateEipAddressRequest({ regionId: REGION, ...extra }));
		await expectError(a({ bandwidth: '0' }), 'InvalidParameter', 400);
		await expectError(a({ bandwidth: 'ten' }), 'InvalidParameter', 400);
		await expectError(a({ internetChargeType: 'PayByMood' }), 'InvalidParameter', 400);
		const r1 = await a({ bandwidth: '10', name: 'web-eip' });
		assert.match(r1.body.allocationId, /^eip-[a-z0-9]{20}$/);
		assert.equal(r1.body.eipAddress, POOL[0]);
		s.eip1 = r1.body.allocationId; s.ip1 = r1.body.eipAddress;
		const r2 = await a({});
		s.eip2 = r2.body.allocationId; s.ip2 = r2.body.eipAddress;
		const token = `eip-${mode}-${Date.now()}`;
		const r3 = await a({ clientToken: token });
		const r3b = await a({ clientToken: token });
		assert.equal(r3b.body.allocationId, r3.body.allocationId, 'same token, same EIP');
		await expectError(a({ clientToken: token, bandwidth: '7' }), 'IdempotentParameterMismatch', 400);
		s.eip3 = r3.body.allocationId; s.ip3 = r3.body.eipAddress;
		const r4 = await a({});
		await expectError(a({}), 'InsufficientEipCapacity', 500);
		await c.releaseEipAddress(new Vpc.ReleaseEipAddressRequest({ regionId: REGION, allocationId: r4.body.allocationId }));
		assert.deepEqual([s.ip1, s.ip2, s.ip3].sort(), POOL.slice(0, 3));
		const d = await c.describeEipAddresses(new Vpc.DescribeEipAddressesRequest({ regionId: REGION, allocationId: s.eip1 }));
		const e1 = d.body.eipAddresses.eipAddress[0];
		assert.equal(e1.ipAddress, s.ip1);
		assert.equal(e1.bandwidth, '10');
		assert.equal(e1.status, 'Available');
		assert.equal(e1.internetChargeType, 'PayByBandwidth');
		assert.equal(e1.name, 'web-eip');
	});

	t('SnatIp must be an EIP bound to the gateway', async () => {
		await expectError(c.createSnatEntry(new Vpc.CreateSnatEntryRequest({
			regionId: REGION, snatTableId: s.stb, sourceVSwitchId: s.vsw, snatIp: s.ip1,
		})), 'InvalidSnatIp.NotFound', 404);
	});

	t('AssociateEipAddress to the NAT gateway and to an instance; its errors', async () => {
		const as = (id, type, inst) => c.associateEipAddress(new Vpc.AssociateEipAddressRequest({
			regionId: REGION, allocationId: id, instanceType: type, instanceId: inst,
		}));
		await as(s.eip1, 'Nat', s.ngw);
		await as(s.eip3, 'Nat', s.ngw);
		await as(s.eip2, 'EcsInstance', s.inst);
		await expectError(as(s.eip1, 'Nat', s.ngw), 'IncorrectEipStatus', 400);
		const extra = (await c.allocateEipAddress(new Vpc.AllocateEipAddressRequest({ regionId: REGION }))).body.allocationId;
		await expectError(as(extra, 'EcsInstance', s.inst), 'InvalidAssociation.Duplicated', 400);
		await expectError(as(extra, 'EcsInstance', 'i-none'), 'InvalidInstanId.NotFound', 404);
		await expectError(as(extra, 'SlbInstance', 'lb-1'), 'InvalidInstanceType.ValueNotSupported', 400);
		await expectError(as('eip-none', 'Nat', s.ngw), 'InvalidAllocationId.NotFound', 404);
		await expectError(as('eip-f1', 'Nat', s.ngw), 'Forbidden.ConfigFileObject', 403);
		await c.releaseEipAddress(new Vpc.ReleaseEipAddressRequest({ regionId: REGION, allocationId: extra }));
		const d = await c.describeEipAddresses(new Vpc.DescribeEipAddressesRequest({
			regionId: REGION, associatedInstanceType: 'Nat', associatedInstanceId: s.ngw,
		}));
		assert.deepEqual(d.body.eipAddresses.eipAddress.map((e) => e.allocationId).sort(), [s.eip1, s.eip3].sort());
		assert.ok(d.body.eipAddresses.eipAddress.every((e) => e.status === 'InUse' && e.instanceType === 'Nat'));
		const g = await c.describeNatGateways(new Vpc.DescribeNatGatewaysRequest({ regionId: REGION, natGatewayId: s.ngw }));
		assert.equal(g.body.natGateways.natGateway[0].ipLists.ipList.length, 2);
		await expectError(c.describeEipAddresses(new Vpc.DescribeEipAddressesRequest({ regionId: REGION, associatedInstanceType: 'Car' })),
			'InvalidAssociatedInstanceType.ValueNotSupported', 400);
	});

	t('CreateSnatEntry by VSwitch and by SourceCIDR; duplicates and bad input refused', async () => {
		const sn = (extra) => c.createSnatEntry(new Vpc.CreateSnatEntryRequest({ regionId: REGION, snatTableId: s.stb, ...extra }));
		s.snat1 = (await sn({ sourceVSwitchId: s.vsw, snatIp: s.ip1, snatEntryName: 'web' })).body.snatEntryId;
		assert.match(s.snat1, /^snat-[a-z0-9]{20}$/);
		s.snat2 = (await sn({ sourceCIDR: '10.30.2.0/24', snatIp: s.ip1 })).body.snatEntryId;
		await expectError(sn({ sourceVSwitchId: s.vsw, snatIp: s.ip1 }), 'Forbidden.SourceVSwitchId.Duplicated', 400);
		await expectError(sn({ sourceCIDR: '10.30.1.0/24', snatIp: s.ip1 }), 'Forbidden.SourceVSwitchId.Duplicated', 400);
		await expectError(sn({ sourceCIDR: '10.30.3.0/24', snatIp: `${s.ip1},nope` }), 'InvalidSnatIp.Malformed', 400);
		await expectError(c.createSnatEntry(new Vpc.CreateSnatEntryRequest({
			regionId: REGION, snatTableId: 'stb-none', sourceVSwitchId: s.vsw, snatIp: s.ip1,
		})), 'InvalidSnatTableId.NotFound', 404);
		await expectError(sn({ sourceCIDR: '10.30.4.0/24', snatIp: s.ip1, dryRun: true }), 'DryRunOperation', 400);
		const r = await c.describeSnatTableEntries(new Vpc.DescribeSnatTableEntriesRequest({ regionId: REGION, snatTableId: s.stb }));
		assert.equal(r.body.totalCount, 2, 'the DryRun created nothing');
		const e1 = r.body.snatTableEntries.snatTableEntry.find((e) => e.snatEntryId === s.snat1);
		assert.equal(e1.sourceCIDR, '10.30.1.0/24', 'a VSwitch entry shows the VSwitch CIDR');
		assert.equal(e1.snatIp, s.ip1);
		assert.equal(e1.status, 'Available');
		await expectError(c.unassociateEipAddress(new Vpc.UnassociateEipAddressRequest({
			regionId: REGION, allocationId: s.eip1, instanceType: 'Nat', instanceId: s.ngw,
		})), 'DependencyViolation.NatEntry', 400);
	});

	t('CreateForwardEntry: the rules of the document, 40 per table, paging', async () => {
		s.fwd1 = (await fwd({})).body.forwardEntryId;
		assert.match(s.fwd1, /^fwd-[a-z0-9]{20}$/);
		await expectError(fwd({ internalPort: '8081' }), 'ForwardEntry.Duplicated.Source', 400);
		await expectError(fwd({ externalPort: '81' }), 'ForwardEntry.Duplicated.Destination', 400);
		await expectError(fwd({ externalPort: 'Any' }), 'Forbidden.PortsAndIpProtocol', 400);
		await expectError(fwd({ externalPort: '70000' }), 'InvalidExternalPort.Malformed', 400);
		await expectError(fwd({ internalPort: '0' }), 'InvalidInternalPort.Malformed', 400);
		await expectError(fwd({ ipProtocol: 'ICMP' }), 'InvalidProtocol.ValueNotSupported', 400);
		await expectError(fwd({ externalPort: '82', internalPort: '82', internalIp: '10.99.0.1' }), 'Forbidden.DestinationIpOutOfVpcCIDR', 400);
		await expectError(fwd({ externalPort: '83', internalPort: '83', internalIp: '10.30.1.300' }), 'InvalidInternalIp.Malformed', 400);
		await expectError(fwd({ externalPort: '84', internalPort: '84', externalIp: s.ip1 }), 'Forbidden.ExternalIpUsedInSnatTable', 400);
		await expectError(fwd({ externalPort: '85', internalPort: '85', externalIp: s.ip2 }), 'InvalidExternalIp.NotFound', 404);
		await expectError(fwd({ forwardTableId: 'ftb-none' }), 'InvalidForwardTableId.NotFound', 404);
		s.fwdAny = (await fwd({ externalPort: 'Any', internalPort: 'any', ipProtocol: 'any', internalIp: '10.30.1.11' })).body.forwardEntryId;
		for (let i = 3; i <= 40; i++) await fwd({ externalPort: String(1000 + i), internalPort: String(2000 + i), ipProtocol: 'UDP' });
		await expectError(fwd({ externalPort: '999', internalPort: '999' }), 'QuotaExceeded.ForwardEntry', 400);
		const page = (n) => c.describeForwardTableEntries(new Vpc.DescribeForwardTableEntriesRequest({
			regionId: REGION, forwardTableId: s.ftb, pageSize: 15, pageNumber: n,
		}));
		const seen = [];
		for (let n = 1; n <= 3; n++) {
			const r = await page(n);
			assert.equal(r.body.totalCount, 40);
			assert.equal(r.body.forwardTableEntries.forwardTableEntry.length, n < 3 ? 15 : 10);
			seen.push(...r.body.forwardTableEntries.forwardTableEntry.map((e) => e.forwardEntryId));
		}
		assert.equal(new Set(seen).size, 40, 'three pages, every entry once');
		await expectError(c.describeForwardTableEntries(new Vpc.DescribeForwardTableEntriesRequest({
			regionId: REGION, forwardTableId: s.ftb, pageSize: 51,
		})), 'InvalidParameter', 400);
		const any = await c.describeForwardTableEntries(new Vpc.DescribeForwardTableEntriesRequest({
			regionId: REGION, natGatewayId: s.ngw, forwardEntryId: s.fwdAny,
		}));
		const e = any.body.forwardTableEntries.forwardTableEntry[0];
		assert.deepEqual([e.externalPort, e.internalPort, e.ipProtocol, e.internalIp], ['Any', 'Any', 'Any', '10.30.1.11']);
	});

	t('ModifyForwardEntry and ModifySnatEntry, with their own codes', async () => {
		await c.modifyForwardEntry(new Vpc.ModifyForwardEntryRequest({
			regionId: REGION, forwardTableId: s.ftb, forwardEntryId: s.fwd1, internalPort: '9090',
		}));
		const r = await c.describeForwardTableEntries(new Vpc.DescribeForwardTableEntriesRequest({
			regionId: REGION, forwardTableId: s.ftb, forwardEntryId: s.fwd1,
		}));
		assert.equal(r.body.forwardTableEntries.forwardTableEntry[0].internalPort, '9090');
		await expectError(c.modifyForwardEntry(new Vpc.ModifyForwardEntryRequest({
			regionId: REGION, forwardTableId: s.ftb, forwardEntryId: s.fwd1, externalPort: '1003', ipProtocol: 'UDP',
		})), 'ForwardEntry.Duplicated', 400);
		await expectError(c.modifyForwardEntry(new Vpc.ModifyForwardEntryRequest({
			regionId: REGION, forwardTableId: s.ftb, forwardEntryId: s.fwd1, ipProtocol: 'GRE',
		})), 'InvalidProtocal.ValueNotSupported', 400);
		await expectError(c.modifyForwardEntry(new Vpc.ModifyForwardEntryRequest({
			regionId: REGION, forwardTableId: s.ftb, forwardEntryId: 'fwd-none', internalPort: '1',
		})), 'InvalidForwardEntryId.NotFound', 404);
		await expectError(c.modifySnatEntry(new Vpc.ModifySnatEntryRequest({
			regionId: REGION, snatTableId: s.stb, snatEntryId: s.snat2, snatIp: s.ip3,
		})), 'Forbidden.IpUsedInForwardTable', 400);
		await c.modifySnatEntry(new Vpc.ModifySnatEntryRequest({
			regionId: REGION, snatTableId: s.stb, snatEntryId: s.snat2, snatEntryName: 'office',
		}));
		await c.deleteSnatEntry(new Vpc.DeleteSnatEntryRequest({ regionId: REGION, snatTableId: s.stb, snatEntryId: s.snat2 }));
		await expectError(c.deleteSnatEntry(new Vpc.DeleteSnatEntryRequest({ regionId: REGION, snatTableId: s.stb, snatEntryId: s.snat2 })),
			'InvalidSnatEntryId.NotFound', 404);
		await c.deleteForwardEntry(new Vpc.DeleteForwardEntryRequest({ regionId: REGION, forwardTableId: s.ftb, forwardEntryId: s.fwdAny }));
	});

	t('a custom 0.0.0.0/0 route conflicts with the NAT gateway', async () => {
		await expectError(c.createRouteEntry(new Vpc.CreateRouteEntryRequest({
			regionId: REGION, routeTableId: s.vpc.replace('vpc-', 'vtb-'), destinationCidrBlock: '0.0.0.0/0',
			nextHopType: 'Instance', nextHopId: s.inst,
		})), 'RouterEntryConflict.Duplicated', 400);
	});

	t('EIPs in use cannot be released; DeleteNatGateway needs Force while it has entries', async () => {
		await expectError(c.releaseEipAddress(new Vpc.ReleaseEipAddressRequest({ regionId: REGION, allocationId: s.eip2 })),
			'IncorrectEipStatus', 400);
		await expectError(c.unassociateEipAddress(new Vpc.UnassociateEipAddressRequest({
			regionId: REGION, allocationId: s.eip2, instanceType: 'EcsInstance', instanceId: 'i-other',
		})), 'ResourceNotAssociated', 400);
		await c.modifyEipAddressAttribute(new Vpc.ModifyEipAddressAttributeRequest({ regionId: REGION, allocationId: s.eip2, bandwidth: '50' }));
		await expectError(c.modifyEipAddressAttribute(new Vpc.ModifyEipAddressAttributeRequest({ regionId: REGION, allocationId: s.eip2, bandwidth: '5000' })),
			'InvalidParameter', 400);
		await assert.rejects(sluiceCall(c, 'DeleteSluiceInstance', { RegionId: REGION, InstanceId: s.inst }),
			(e) => e.code === 'DependencyViolation.Eip');
		await c.unassociateEipAddress(new Vpc.UnassociateEipAddressRequest({
			regionId: REGION, allocationId: s.eip2, instanceType: 'EcsInstance', instanceId: s.inst,
		}));
		await expectError(c.deleteNatGateway(new Vpc.DeleteNatGatewayRequest({ regionId: REGION, natGatewayId: s.ngw })),
			'DependencyViolation.SnatEntry', 400);
		await expectError(c.deleteNatGateway(new Vpc.DeleteNatGatewayRequest({ regionId: REGION, natGatewayId: 'ngw-f', force: true })),
			'Forbidden.ConfigFileObject', 403);
		await expectError(c.deleteNatGateway(new Vpc.DeleteNatGatewayRequest({ regionId: REGION })),
			'MissingParameter.NatGatewayId', 400);
		await c.deleteNatGateway(new Vpc.DeleteNatGatewayRequest({ regionId: REGION, natGatewayId: s.ngw, force: true }));
		await expectError(c.describeSnatTableEntries(new Vpc.DescribeSnatTableEntriesRequest({ regionId: REGION, snatTableId: s.stb })),
			'InvalidSnatTableId.NotFound', 404);
		const d = await c.describeEipAddresses(new Vpc.DescribeEipAddressesRequest({
			regionId: REGION, allocationId: [s.eip1, s.eip2, s.eip3].join(','), status: 'Available',
		}));
		assert.equal(d.body.totalCount, 3, 'Force unbound the gateway\'s EIPs');
	});

	t('clean up: EIPs released, instance, VSwitch and VPC deleted', async () => {
		for (const id of [s.eip1, s.eip2, s.eip3]) {
			await c.releaseEipAddress(new Vpc.ReleaseEipAddressRequest({ regionId: REGION, allocationId: id }));
		}
		await sluiceCall(c, 'DeleteSluiceInstance', { RegionId: REGION, InstanceId: s.inst });
		await c.deleteVSwitch(new Vpc.DeleteVSwitchRequest({ regionId: REGION, vSwitchId: s.vsw }));
		await c.deleteVpc(new Vpc.DeleteVpcRequest({ regionId: REGION, vpcId: s.vpc }));
		const d = await c.describeEipAddresses(new Vpc.DescribeEipAddressesRequest({ regionId: REGION }));
		assert.equal(d.body.totalCount, 1, 'only the file\'s eip-f1 is left');
	});

	t('concurrent AllocateEipAddress requests (batched together) get different addresses', async () => {
		const rs = await Promise.all([0, 1, 2, 3].map(() => c.allocateEipAddress(new Vpc.AllocateEipAddressRequest({ regionId: REGION }))));
		assert.deepEqual(rs.map((r) => r.body.eipAddress).sort(), POOL);
		await expectError(c.allocateEipAddress(new Vpc.AllocateEipAddressRequest({ regionId: REGION })), 'InsufficientEipCapacity', 500);
		await Promise.all(rs.map((r) => c.releaseEipAddress(new Vpc.ReleaseEipAddressRequest({ regionId: REGION, allocationId: r.body.allocationId }))));
	});
}
