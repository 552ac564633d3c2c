// SPDX-License-Identifier: BSD-3-Clause
//
// sluiced's VPC RPC API (2016-04-28) driven by the official, unmodified
// Alibaba Cloud SDK @alicloud/vpc20160428 with signature 1.0
// (signatureAlgorithm 'v2'). Run by tests/e2e/api_test.sh, which starts
// sluiced with configs/demo.json and passes:
//   SLUICE_API_ENDPOINT  host:port sluiced listens on
//   SLUICE_API_KEYS      the access-key file sluiced generated
// Each top-level test is one TAP result (node --test --test-reporter=tap).
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
const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;

// signatureAlgorithm 'v2' is signature 1.0 (HMAC-SHA1 over the query);
// null leaves it unset: the SDK's default, ACS3-HMAC-SHA256 (Authorization header).
function client(id = keyId, secret = keySecret, signatureAlgorithm = 'v2') {
	return new Vpc.default(new $OpenApiUtil.Config({
		accessKeyId: id,
		accessKeySecret: secret,
		endpoint,
		protocol: 'HTTP',
		signatureAlgorithm,
		regionId: REGION,
	}));
}

// Extra query parameters (signature 1.0) or headers (ACS3) the SDK sends as
// they are: they override its own SignatureNonce/Timestamp or
// x-acs-signature-nonce/x-acs-date, which it then signs.
function runtimeWith(queries, headers) {
	return new $dara.RuntimeOptions({
		extendsParameters: new $dara.ExtendsParameters({ queries, headers }),
	});
}

async function expectError(promise, code, status) {
	await assert.rejects(promise, (e) => {
		assert.equal(e.code, code, `code ${e.code}: ${e.message}`);
		assert.equal(e.statusCode, status);
		assert.match(String(e.data && e.data.RequestId), UUID);
		assert.ok(e.data.Message, 'Message present');
		return true;
	});
}

const c = client();

test('DescribeRegions lists the config region', async () => {
	const r = await c.describeRegions(new Vpc.DescribeRegionsRequest({}));
	assert.equal(r.statusCode, 200);
	assert.match(r.body.requestId, UUID);
	assert.deepEqual(r.body.regions.region.map((x) => [x.regionId, x.localName]),
		[[REGION, 'lab region']]);
});

test('DescribeZones lists the region zones', async () => {
	const r = await c.describeZones(new Vpc.DescribeZonesRequest({ regionId: REGION }));
	assert.deepEqual(r.body.zones.zone.map((z) => z.zoneId), ['cn-hangzhou-a', 'cn-hangzhou-b']);
});

test('DescribeVpcs returns both VPCs with the document fields', async () => {
	const r = await c.describeVpcs(new Vpc.DescribeVpcsRequest({ regionId: REGION }));
	const b = r.body;
	assert.equal(b.totalCount, 2);
	assert.equal(b.pageNumber, 1);
	assert.equal(b.pageSize, 10);
	const [a, bb] = b.vpcs.vpc;
	assert.equal(a.vpcId, 'vpc-a');
	assert.equal(bb.vpcId, 'vpc-b');
	assert.equal(a.regionId, REGION);
	assert.equal(a.vpcName, 'tenant-a');
	assert.equal(a.cidrBlock, '192.168.0.0/16');
	assert.equal(a.ipv6CidrBlock, '2001:db8:a::/56');
	// no sluice-dp attached: published objects are Available at once
	assert.equal(a.status, 'Available');
	assert.equal(a.isDefault, false);
	assert.deepEqual(a.vSwitchIds.vSwitchId, ['vsw-a1', 'vsw-a2']);
	assert.match(a.creationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('DescribeVpcs pages (PageSize 1, PageNumber 2)', async () => {
	const r = await c.describeVpcs(new Vpc.DescribeVpcsRequest({
		regionId: REGION, pageSize: 1, pageNumber: 2,
	}));
	assert.equal(r.body.totalCount, 2);
	assert.equal(r.body.pageSize, 1);
	assert.deepEqual(r.body.vpcs.vpc.map((v) => v.vpcId), ['vpc-b']);
});

test('DescribeVpcs with an unknown VpcId filter is an empty list', async () => {
	const r = await c.describeVpcs(new Vpc.DescribeVpcsRequest({ regionId: REGION, vpcId: 'vpc-nope' }));
	assert.equal(r.body.totalCount, 0);
	assert.deepEqual(r.body.vpcs.vpc, []);
});

test('DescribeVpcs PageSize 51 is InvalidParameter (400)', async () => {
	await expectError(c.describeVpcs(new Vpc.DescribeVpcsRequest({ regionId: REGION, pageSize: 51 })),
		'InvalidParameter', 400);
});

test('DescribeVpcs in an unknown region is Forbidden.RegionNotFound (404)', async () => {
	await expectError(c.describeVpcs(new Vpc.DescribeVpcsRequest({ regionId: 'mars-1' })),
		'Forbidden.RegionNotFound', 404);
});

test('DescribeVSwitches of vpc-a', async () => {
	const r = await c.describeVSwitches(new Vpc.DescribeVSwitchesRequest({ regionId: REGION, vpcId: 'vpc-a' }));
	assert.equal(r.body.totalCount, 2);
	const w = r.body.vSwitches.vSwitch;
	assert.deepEqual(w.map((x) => x.vSwitchId), ['vsw-a1', 'vsw-a2']);
	assert.equal(w[0].cidrBlock, '192.168.1.0/24');
	assert.equal(w[0].zoneId, 'cn-hangzhou-a');
	assert.equal(w[0].vpcId, 'vpc-a');
	assert.equal(w[0].status, 'Available');
	assert.equal(w[0].availableIpAddressCount, 251);
});

test('DescribeVSwitches with an unknown VpcId is Forbidden.VpcNotFound (404)', async () => {
	await expectError(c.describeVSwitches(new Vpc.DescribeVSwitchesRequest({ regionId: REGION, vpcId: 'vpc-nope' })),
		'Forbidden.VpcNotFound', 404);
});

test('DescribeRouteTables shows custom and system entries', async () => {
	const r = await c.describeRouteTables(new Vpc.DescribeRouteTablesRequest({ routeTableId: 'vtb-a' }));
	assert.equal(r.body.totalCount, 1);
	const t = r.body.routeTables.routeTable[0];
	assert.equal(t.routeTableId, 'vtb-a');
	assert.equal(t.VRouterId, 'vrt-a');
	assert.equal(t.routeTableType, 'System');
	const e = t.routeEntrys.routeEntry;
	const custom = e.filter((x) => x.type === 'Custom').map((x) => [x.destinationCidrBlock, x.instanceId, x.nextHopType]);
	assert.deepEqual(custom, [['10.99.0.0/16', 'i-a2', 'Instance'], ['2001:db8:99::/48', 'i-a2', 'Instance']]);
	const sys = e.filter((x) => x.type === 'System').map((x) => x.destinationCidrBlock);
	assert.deepEqual(sys, ['192.168.1.0/24', '2001:db8:a:1::/64', '192.168.2.0/24', '2001:db8:a:2::/64', '100.64.0.0/10']);
});

test('a wrong secret is refused (IncompleteSignature, 400)', async () => {
	await expectError(client(keyId, 'not-the-secret').describeRegions(new Vpc.DescribeRegionsRequest({})),
		'IncompleteSignature', 400);
});

test('an unknown AccessKeyId is InvalidAccessKeyId.NotFound (400)', async () => {
	await expectError(client('NoSuchKeyId', keySecret).describeRegions(new Vpc.DescribeRegionsRequest({})),
		'InvalidAccessKeyId.NotFound', 400);
});

test('a reused SignatureNonce is SignatureNonceUsed (400)', async () => {
	const nonce = `sluice-e2e-${process.pid}-${Date.now()}`;
	const rt = runtimeWith({ SignatureNonce: nonce });
	const r = await c.describeRegionsWithOptions(new Vpc.DescribeRegionsRequest({}), rt);
	assert.equal(r.statusCode, 200);
	await expectError(c.describeRegionsWithOptions(new Vpc.DescribeRegionsRequest({}), rt),
		'SignatureNonceUsed', 400);
});

test('a Timestamp outside the window is IllegalTimestamp (400)', async () => {
	await expectError(c.describeRegionsWithOptions(new Vpc.DescribeRegionsRequest({}),
		runtimeWith({ Timestamp: '2016-02-23T12:46:24Z' })), 'IllegalTimestamp', 400);
});

test('an unsigned request is MissingParameter with the JSON error envelope', async () => {
	const res = await fetch(`http://${endpoint}/?Action=DescribeRegions&Version=2016-04-28`);
	assert.equal(res.status, 400);
	const b = await res.json();
	assert.deepEqual(Object.keys(b), ['RequestId', 'HostId', 'Code', 'Message']);
	assert.equal(b.Code, 'MissingParameter');
	assert.match(b.RequestId, UUID);
});

test('an unsigned request with Format=XML gets the XML error envelope', async () => {
	const res = await fetch(`http://${endpoint}/?Action=DescribeRegions&Format=XML`);
	assert.equal(res.status, 400);
	assert.match(res.headers.get('content-type'), /^text\/xml/);
	const t = await res.text();
	assert.match(t, /^<\?xml version="1.0" encoding="UTF-8"\?><Error><RequestId>[0-9A-F-]{36}<\/RequestId><HostId>[^<]+<\/HostId><Code>MissingParameter<\/Code><Message>[^<]+<\/Message><\/Error>$/);
});

// ---- ACS3-HMAC-SHA256, the SDK's default signing --------------------------

const c3 = client(keyId, keySecret, null);

test('ACS3-HMAC-SHA256 (SDK default): DescribeVpcs with paging', async () => {
	const r = await c3.describeVpcs(new Vpc.DescribeVpcsRequest({ regionId: REGION, pageSize: 1 }));
	assert.equal(r.statusCode, 200);
	assert.match(r.body.requestId, UUID);
	assert.equal(r.body.totalCount, 2);
	assert.deepEqual(r.body.vpcs.vpc.map((v) => v.vpcId), ['vpc-a']);
});

test('ACS3-HMAC-SHA256: DescribeRouteTables and DescribeVSwitches', async () => {
	const t = await c3.describeRouteTables(new Vpc.DescribeRouteTablesRequest({ VRouterId: 'vrt-b' }));
	assert.deepEqual(t.body.routeTables.routeTable.map((x) => x.routeTableId), ['vtb-b']);
	const w = await c3.describeVSwitches(new Vpc.DescribeVSwitchesRequest({ regionId: REGION, zoneId: 'cn-hangzhou-b' }));
	assert.deepEqual(w.body.vSwitches.vSwitch.map((x) => x.vSwitchId), ['vsw-a2', 'vsw-b2']);
});

test('ACS3-HMAC-SHA256: a wrong secret is IncompleteSignature (400)', async () => {
	await expectError(client(keyId, 'not-the-secret', null).describeRegions(new Vpc.DescribeRegionsRequest({})),
		'IncompleteSignature', 400);
});

test('ACS3-HMAC-SHA256: an unknown key is InvalidAccessKeyId.NotFound (400)', async () => {
	await expectError(client('NoSuchKeyId', keySecret, null).describeRegions(new Vpc.DescribeRegionsRequest({})),
		'InvalidAccessKeyId.NotFound', 400);
});

test('ACS3-HMAC-SHA256: a reused x-acs-signature-nonce is SignatureNonceUsed (400)', async () => {
	const rt = runtimeWith(undefined, { 'x-acs-signature-nonce': `sluice-e2e-acs3-${process.pid}-${Date.now()}` });
	const r = await c3.describeRegionsWithOptions(new Vpc.DescribeRegionsRequest({}), rt);
	assert.equal(r.statusCode, 200);
	await expectError(c3.describeRegionsWithOptions(new Vpc.DescribeRegionsRequest({}), rt),
		'SignatureNonceUsed', 400);
});

test('ACS3-HMAC-SHA256: a stale x-acs-date is IllegalTimestamp (400)', async () => {
	await expectError(c3.describeRegionsWithOptions(new Vpc.DescribeRegionsRequest({}),
		runtimeWith(undefined, { 'x-acs-date': '2016-02-23T12:46:24Z' })), 'IllegalTimestamp', 400);
});
