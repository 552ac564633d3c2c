// SPDX-License-Identifier: BSD-3-Clause
//
// Common (shared) bandwidth packages through sluiced's VPC API (docs/api.md,
// "Common bandwidth packages"), driven by the official SDK
// @alicloud/vpc20160428 in both signing modes. Run by tests/e2e/api_test.sh
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
}
