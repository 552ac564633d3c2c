// SPDX-License-Identifier: BSD-3-Clause
//
// Write benchmark driver for scripts/bench-api: raw signed HTTP
// (rawclient.js, signature 1.0) over keep-alive connections.
//
//   node bench.js ENDPOINT KEYS WRITES THREADS CONNECTIONS_PER_THREAD
//
// Creates ceil(WRITES / 10,000) VPCs 10.i.0.0/16, each with one /16
// VSwitch (a VPC holds at most 10,000 instances), then WRITES
// CreateSluiceInstance requests spread over them, each thread keeping one
// request in flight per connection. Every write must be acknowledged (200); prints
// api_writes_per_s=N (acknowledged, hence durable, writes per second over
// the wall time of the whole stream) and the latency percentiles.
'use strict';

const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');
const { RawClient, readKeys } = require('./rawclient');

async function stream({ endpoint, keysFile, vsws, first, count, conns }) {
	const c = new RawClient(endpoint, readKeys(keysFile), conns);
	let next = 0, failed = 0, firstError = '';
	const lat = [];
	const worker = async () => {
		for (;;) {
			const n = next++;
			if (n >= count) return;
			const v = n % vsws.length;
			const host = first + Math.floor(n / vsws.length);
			const t0 = process.hrtime.bigint();
			const r = await c.call('CreateSluiceInstance', {
				VSwitchId: vsws[v], PrivateIpAddress: `10.${v}.${host >> 8 & 255}.${host & 255}`,
			});
			lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
			if (r.status !== 200) {
				failed++;
				firstError = firstError || `${r.status} ${r.body.Code} ${r.body.Message}`;
			}
		}
	};
	await Promise.all(Array.from({ length: conns }, worker));
	c.close();
	return { lat, failed, firstError };
}

// The VPCs and /16 VSwitches the load goes into (10.i.0.0/16); resolves
// their VSwitchIds.
async function setup(endpoint, keysFile, writes) {
	const c = new RawClient(endpoint, readKeys(keysFile), 1);
	const ids = [];
	for (let i = 0; i < Math.max(1, Math.ceil(writes / 10000)); i++) {
		const vpc = await c.call('CreateVpc', { RegionId: 'cn-hangzhou', CidrBlock: `10.${i}.0.0/16`, VpcName: `bench${i}` });
		const vsw = await c.call('CreateVSwitch', { VpcId: vpc.body.VpcId, ZoneId: 'cn-hangzhou-a', CidrBlock: `10.${i}.0.0/16` });
		if (vsw.status !== 200) throw new Error(`setup: ${JSON.stringify(vsw.body)}`);
		ids.push(vsw.body.VSwitchId);
	}
	c.close();
	return ids;
}

// A store of realistic size before the measured stream: VPCS VPCs, the
// i-th 10.(i % 200).0.0/16 with one /16 VSwitch (VPCs may overlap), 16
// chains at a time; resolves the VSwitchIds of the first 200 (for
// bench_client, which addresses the k-th VSwitch of its list as 10.k).
async function preload(endpoint, keysFile, vpcs) {
	const c = new RawClient(endpoint, readKeys(keysFile), 16);
	const ids = new Array(vpcs);
	let next = 0;
	const chain = async () => {
		for (let i = next++; i < vpcs; i = next++) {
			const cidr = `10.${i % 200}.0.0/16`;
			const vpc = await c.call('CreateVpc', { RegionId: 'cn-hangzhou', CidrBlock: cidr, VpcName: `preload${i}` });
			if (vpc.status !== 200) throw new Error(`preload: ${JSON.stringify(vpc.body)}`);
			const vsw = await c.call('CreateVSwitch', { VpcId: vpc.body.VpcId, ZoneId: 'cn-hangzhou-a', CidrBlock: cidr });
			if (vsw.status !== 200) throw new Error(`preload: ${JSON.stringify(vsw.body)}`);
			ids[i] = vsw.body.VSwitchId;
		}
	};
	await Promise.all(Array.from({ length: 16 }, chain));
	c.close();
	return ids.slice(0, 200);
}

if (!isMainThread) {
	stream(workerData).then((r) => parentPort.postMessage(r));
} else if (process.argv[2] === 'preload') {
	// node bench.js preload ENDPOINT KEYS VPCS: prints VSwitchIds (see preload)
	preload(process.argv[3], process.argv[4], Number(process.argv[5])).then((ids) => console.log(ids.join(',')),
		(e) => { console.error(e.message); process.exit(1); });
} else if (process.argv[2] === 'setup') {
	// node bench.js setup ENDPOINT KEYS WRITES: prints the VSwitchIds, comma
	// separated (for bench_client)
	setup(process.argv[3], process.argv[4], Number(process.argv[5])).then((ids) => console.log(ids.join(',')),
		(e) => { console.error(e.message); process.exit(1); });
} else {
	const [endpoint, keysFile, writes = '20000', threads = '4', conns = '16'] = process.argv.slice(2);
	const W = Number(writes), T = Number(threads), C = Number(conns);
	(async () => {
		if (W > 2000000) throw new Error('at most 2,000,000 writes');
		const vsws = await setup(endpoint, keysFile, W);
		const per = Math.ceil(W / T);
		const t0 = process.hrtime.bigint();
		const results = await Promise.all(Array.from({ length: T }, (_, i) => new Promise((resolve, reject) => {
			const w = new Worker(__filename, {
				workerData: { endpoint, keysFile, vsws, first: 10 + i * Math.ceil(per / vsws.length), count: Math.min(per, W - i * per), conns: C },
			});
			w.on('message', resolve);
			w.on('error', reject);
		})));
		const secs = Number(process.hrtime.bigint() - t0) / 1e9;
		const lat = results.flatMap((r) => r.lat).sort((a, b) => a - b);
		const failed = results.reduce((a, r) => a + r.failed, 0);
		const pctl = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2);
		console.log(`writes=${lat.length} failed=${failed} seconds=${secs.toFixed(2)} threads=${T} connections=${T * C}`);
		console.log(`latency_ms p50=${pctl(0.5)} p99=${pctl(0.99)} max=${lat[lat.length - 1].toFixed(2)}`);
		if (failed) console.log(`first error: ${results.map((r) => r.firstError).find(Boolean)}`);
		console.log(`api_writes_per_s=${Math.round((lat.length - failed) / secs)}`);
		process.exit(failed ? 1 : 0);
	})().catch((e) => { console.error(e.message); process.exit(1); });
}
