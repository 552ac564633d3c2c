// SPDX-License-Identifier: BSD-3-Clause
//
// API security in volume (issue 10, "API security"): a few hundred
// requests of each hostile kind, every one refused with the documented
// code (spec digest 1.5): forged signatures (IncompleteSignature), stale
// and future timestamps (IllegalTimestamp), replays of an accepted request
// (SignatureNonceUsed), unknown keys (InvalidAccessKeyId.NotFound); none
// of them spends the real key's budget; a burst beyond --api-rate is
// refused with Throttling (400) and passes again a second later; an
// oversized body is 413. Raw signature-1.0 requests (rawclient.js), against
// a sluiced of its own (standalone.js) started with --api-rate 200. A second
// one started with --api-source-rate 100 (and no per-key limit) refuses a
// burst of forged requests beyond it with Throttling before looking at the
// signature, and serves the same source again a second later. Both run at
// --log-level debug (every request logged): neither log holds the secret,
// nor does the log of a sluiced that generated its key file.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const http = require('node:http');
const path = require('node:path');
const { RawClient, pct } = require('./rawclient');
const { Standalone } = require('./standalone');

const N = 300; // requests of each hostile kind
const RATE = 200; // --api-rate of this sluiced
const SOURCE_RATE = 100; // --api-source-rate of the second one
const KEY = 'SLKsecuritytest0000000000';
const SECRET = 'securitytestsecret0123456789abcd';
const config = path.join(__dirname, '..', '..', 'configs', 'demo.json');

let sd, sd2;
test.before(async () => {
	sd = new Standalone(config, KEY, SECRET, 'cn-hangzhou',
		['--api-rate', String(RATE), '--log-level', 'debug']);
	await sd.start();
	sd2 = new Standalone(config, KEY, SECRET, 'cn-hangzhou',
		['--api-rate', '0', '--api-source-rate', String(SOURCE_RATE), '--log-level', 'debug']);
	await sd2.start();
});
test.after(() => { sd.stop(); sd2.stop(); });

// A signed form body with overrides: `secret` to sign with, `timestamp`,
// `nonce`, `akid`.
function body(o = {}) {
	const p = {
		Action: 'DescribeRegions', Version: '2016-04-28', Format: 'JSON',
		AccessKeyId: o.akid || KEY, SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0',
		SignatureNonce: o.nonce || crypto.randomUUID(),
		Timestamp: o.timestamp || new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
	};
	const q = Object.keys(p).sort().map((k) => `${pct(k)}=${pct(p[k])}`).join('&');
	const sig = crypto.createHmac('sha1', `${o.secret || SECRET}&`)
		.update(`POST&${pct('/')}&${pct(q)}`).digest('base64');
	return `${q}&Signature=${pct(sig)}`;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
function post(data, endpoint = sd.endpoint) {
	const [host, port] = endpoint.split(':');
	return new Promise((resolve, reject) => {
		const req = http.request({
			host, port: Number(port), method: 'POST', path: '/', agent,
			headers: { 'content-type': 'application/x-www-form-urlencoded',
				'content-length': Buffer.byteLength(data) },
		}, (res) => {
			let t = '';
			res.on('data', (c) => { t += c; });
			res.on('end', () => {
				let b = {};
				try { b = JSON.parse(t); } catch (e) { /* 413 etc. */ }
				resolve({ status: res.statusCode, code: b.Code });
			});
		});
		req.on('error', reject);
		req.end(data);
	});
}

// Sends the bodies (8 at a time) and tallies "status code" answers.
async function tally(bodies, endpoint = sd.endpoint) {
	const seen = {};
	for (let i = 0; i < bodies.length; i += 8) {
		const rs = await Promise.all(bodies.slice(i, i + 8).map((b) => post(b, endpoint)));
		for (const r of rs) seen[`${r.status} ${r.code}`] = (seen[`${r.status} ${r.code}`] || 0) + 1;
	}
	return seen;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const iso = (ms) => new Date(Date.now() + ms).toISOString().replace(/\.\d+Z$/, 'Z');

test(`${N} forged signatures: all IncompleteSignature`, async () => {
	const bodies = Array.from({ length: N }, (_, i) => body({ secret: `wrong${i}` }));
	assert.deepEqual(await tally(bodies), { [`400 IncompleteSignature`]: N });
});

test(`${N} stale and future timestamps: all IllegalTimestamp`, async () => {
	const bodies = Array.from({ length: N }, (_, i) =>
		body({ timestamp: iso((i % 2 ? 1 : -1) * (3600 + 60 + i) * 1000) }));
	assert.deepEqual(await tally(bodies), { [`400 IllegalTimestamp`]: N });
});

test(`${N} unknown access keys: all InvalidAccessKeyId.NotFound`, async () => {
	const bodies = Array.from({ length: N }, (_, i) => body({ akid: `SLKunknown${i}` }));
	assert.deepEqual(await tally(bodies), { [`400 InvalidAccessKeyId.NotFound`]: N });
});

test(`${N} replays of accepted requests: all SignatureNonceUsed`, async () => {
	await sleep(1100); // a full budget
	const originals = Array.from({ length: 30 }, () => body());
	assert.deepEqual(await tally(originals), { '200 undefined': 30 });
	await sleep(1100);
	const replays = Array.from({ length: N }, (_, i) => originals[i % originals.length]);
	assert.deepEqual(await tally(replays), { [`400 SignatureNonceUsed`]: N });
});

test(`a burst beyond --api-rate ${RATE}: the excess is Throttling, and a second later it passes`, async () => {
	await sleep(1100);
	const total = 3 * RATE;
	const t0 = process.hrtime.bigint();
	const seen = await tally(Array.from({ length: total }, () => body()));
	const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
	const ok = seen['200 undefined'] || 0;
	const throttled = seen['400 Throttling'] || 0;
	const msg = `${JSON.stringify(seen)} in ${elapsed.toFixed(2)} s`;
	assert.equal(ok + throttled, total, msg);
	// the bucket holds one second's worth and refills while the burst runs
	// (8 requests in flight may land either side of a refill)
	assert.ok(ok >= RATE && ok <= RATE * (1 + elapsed) + 8, msg);
	if (elapsed < 1.5) assert.ok(throttled > 0, msg);
	await sleep(1100);
	assert.deepEqual(await tally([body()]), { '200 undefined': 1 });
});

test('hostile requests do not spend the key\'s budget', async () => {
	await sleep(1100);
	await tally(Array.from({ length: N }, (_, i) => body({ secret: `x${i}` })));
	const seen = await tally(Array.from({ length: RATE - 20 }, () => body()));
	assert.deepEqual(seen, { '200 undefined': RATE - 20 });
});

test(`a burst of forged requests beyond --api-source-rate ${SOURCE_RATE}: Throttling before the signature, and a second later the source passes`, async () => {
	await sleep(1100);
	const total = 4 * SOURCE_RATE;
	const t0 = process.hrtime.bigint();
	const seen = await tally(Array.from({ length: total }, (_, i) => body({ secret: `f${i}` })),
		sd2.endpoint);
	const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
	const forged = seen['400 IncompleteSignature'] || 0;
	const throttled = seen['400 Throttling'] || 0;
	const msg = `${JSON.stringify(seen)} in ${elapsed.toFixed(2)} s`;
	assert.equal(forged + throttled, total, msg);
	// only what the source's bucket let through reached the signature check
	assert.ok(forged >= SOURCE_RATE && forged <= SOURCE_RATE * (1 + elapsed) + 8, msg);
	if (elapsed < 2) assert.ok(throttled > 0, msg);
	await sleep(1100);
	assert.deepEqual(await tally([body()], sd2.endpoint), { '200 undefined': 1 });
});

test('a body over the size limit: 413', async () => {
	const r = await post(`${body()}&Pad=${'x'.repeat(2 * 1024 * 1024)}`);
	assert.equal(r.status, 413);
});

test('secrets never logged: not by the two sluiceds above (debug), nor by one that generated its key file', async () => {
	assert.ok(sd.log.includes('api: POST /'), 'the debug log records requests');
	assert.ok(!sd.log.includes(SECRET), 'the secret is in the first sluiced\'s log');
	assert.ok(!sd2.log.includes(SECRET), 'the secret is in the second sluiced\'s log');
	const fs = require('node:fs');
	const os = require('node:os');
	const { spawn } = require('node:child_process');
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-api-keys.'));
	const keys = path.join(tmp, 'generated_keys');
	const bin = path.join(process.env.SLUICE_BUILD_DIR || path.join(__dirname, '..', '..', 'build'),
		'control', 'sluiced');
	const d = spawn(bin, ['--config', config, '--standalone', '--state-dir', path.join(tmp, 'state'),
		'--access-keys', keys, '--listen', '127.0.0.1:0', '--log-level', 'debug'],
	{ stdio: ['ignore', 'ignore', 'pipe'] });
	let log = '';
	d.stderr.on('data', (c) => { log += c; });
	try {
		for (let i = 0; i < 200 && !/api: listening on/.test(log); i++) await sleep(50);
		assert.match(log, /api: listening on/);
		const [id, secret] = fs.readFileSync(keys, 'utf8').split('\n')
			.filter((l) => l && !l.startsWith('#'))[0].split(/\s+/);
		assert.ok(id && secret && secret.length >= 20, 'a generated key');
		assert.ok(log.includes(keys), 'the log names the key file');
		assert.ok(!log.includes(secret), 'the generated secret is in the log');
	} finally {
		d.kill('SIGTERM');
		fs.rmSync(tmp, { recursive: true, force: true });
	}
});

test.after(() => agent.destroy());
