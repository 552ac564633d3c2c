// SPDX-License-Identifier: BSD-3-Clause
//
// Durability driver for tests/e2e/api_durability_test.sh.
//
//   node durability.js write ENDPOINT KEYS DIR
//     creates a VPC 10.0.0.0/16 with one VSwitch of the same CIDR, then
//     streams CreateSluiceInstance requests (8 in flight) until sluiced
//     stops answering. Every 7th request carries an address outside the
//     VSwitch and must be refused. Appends "InstanceId IP" of every
//     acknowledged create to DIR/acked, the IP of every refused one to
//     DIR/refused, and the signed body of the first acknowledged request
//     to DIR/replay (to check that its nonce survives the restart).
//   node durability.js check ENDPOINT KEYS DIR
//     lists every instance (DescribeSluiceInstances, all pages) and prints
//     TAP-like lines: "ok"/"not ok" with counts; exit 1 on a loss.
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { RawClient, readKeys } = require('./rawclient');

const [mode, endpoint, keysFile, dir] = process.argv.slice(2);
const REGION = 'cn-hangzhou';
const c = new RawClient(endpoint, readKeys(keysFile), 8);

async function must(action, params) {
	const r = await c.call(action, params);
	if (r.status !== 200) {
		throw new Error(`${action}: ${r.status} ${r.body.Code} ${r.body.Message}`);
	}
	return r.body;
}

async function write() {
	const vpc = (await must('CreateVpc', { RegionId: REGION, CidrBlock: '10.0.0.0/16', VpcName: 'durable' })).VpcId;
	const vsw = (await must('CreateVSwitch', { VpcId: vpc, ZoneId: 'cn-hangzhou-a', CidrBlock: '10.0.0.0/16' })).VSwitchId;
	fs.writeFileSync(path.join(dir, 'vswitch'), `${vsw}\n`);
	let next = 0;
	let replaySaved = false;
	const worker = async () => {
		for (;;) {
			const n = next++;
			const bad = n % 7 === 6;
			// 10.0.0.10 upwards; the bad ones lie outside the VSwitch
			const host = n + 10;
			const ip = bad ? `10.1.${host >> 8 & 255}.${host & 255}` : `10.0.${host >> 8 & 255}.${host & 255}`;
			const body = c.body('CreateSluiceInstance', { VSwitchId: vsw, PrivateIpAddress: ip });
			let r;
			try {
				r = await post(body);
			} catch (e) {
				return; // sluiced is gone
			}
			if (r.status === 200) {
				fs.appendFileSync(path.join(dir, 'acked'), `${r.body.InstanceId} ${ip}\n`);
				if (!replaySaved) {
					replaySaved = true;
					fs.writeFileSync(path.join(dir, 'replay'), body);
				}
			} else {
				fs.appendFileSync(path.join(dir, 'refused'), `${ip} ${r.body.Code}\n`);
			}
		}
	};
	await Promise.all(Array.from({ length: 8 }, worker));
}

function post(data) {
	return new Promise((resolve, reject) => {
		const req = http.request({
			host: c.host, port: c.port, method: 'POST', path: '/', agent: c.agent,
			headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(data) },
		}, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (x) => { text += x; });
			res.on('end', () => {
				try {
					resolve({ status: res.statusCode, body: JSON.parse(text) });
				} catch (e) {
					reject(e);
				}
			});
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(data);
	});
}

async function check() {
	const acked = fs.readFileSync(path.join(dir, 'acked'), 'utf8').trim().split('\n').map((l) => l.split(' '));
	const refusedFile = path.join(dir, 'refused');
	const refused = fs.existsSync(refusedFile)
		? fs.readFileSync(refusedFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' '))
		: [];
	const vsw = fs.readFileSync(path.join(dir, 'vswitch'), 'utf8').trim();
	const have = new Map();
	for (let page = 1; ; page++) {
		const b = await must('DescribeSluiceInstances', { RegionId: REGION, VSwitchId: vsw, PageSize: 50, PageNumber: page });
		for (const i of b.Instances.Instance) have.set(i.InstanceId, i.PrivateIpAddress);
		if (page * 50 >= b.TotalCount) break;
	}
	const lost = acked.filter(([id, ip]) => have.get(id) !== ip);
	const ips = new Set(have.values());
	const ghost = refused.filter(([ip]) => ips.has(ip));
	const codes = new Set(refused.map(([, code]) => code));
	console.log(`${lost.length ? 'not ok' : 'ok'} acknowledged: ${acked.length}, present after restart: ${acked.length - lost.length}` +
		(lost.length ? ` (lost: ${lost.slice(0, 5).map((x) => x.join(' ')).join(', ')})` : ''));
	console.log(`${ghost.length || refused.length === 0 ? 'not ok' : 'ok'} refused: ${refused.length} (${[...codes].join(', ')}), present after restart: ${ghost.length}`);
	console.log(`# ${have.size} instance(s) after restart (acknowledged ${acked.length}; the rest were in flight at the kill)`);
	// the replayed body of an acknowledged write: its nonce was stored with it
	const replay = fs.readFileSync(path.join(dir, 'replay'), 'utf8');
	const r = await post(replay);
	console.log(`${r.status === 400 && r.body.Code === 'SignatureNonceUsed' ? 'ok' : 'not ok'} a request replayed after the restart is SignatureNonceUsed (got ${r.status} ${r.body.Code})`);
	c.close();
	process.exit(lost.length || ghost.length ? 1 : 0);
}

(mode === 'write' ? write() : check()).then(() => { c.close(); }, (e) => {
	console.log(`not ok ${mode}: ${e.message}`);
	c.close();
	process.exit(1);
});
