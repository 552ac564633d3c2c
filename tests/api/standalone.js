// SPDX-License-Identifier: BSD-3-Clause
//
// A sluiced of a test file's own: `sluiced --standalone` with a config file,
// a private state directory and an access-key file written here, listening
// on a free port (read back from its log). Used by the SDK tests that need
// objects of their own in the config file (havip, nat and ipv6.test.js).
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const Vpc = require('@alicloud/vpc20160428');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
const $dara = require('@darabonba/typescript');
const assert = require('node:assert/strict');

const root = path.resolve(__dirname, '..', '..');
const sluiced = path.join(process.env.SLUICE_BUILD_DIR || path.join(root, 'build'), 'control', 'sluiced');
const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;

class Standalone {
	// extraArgs: more sluiced options (e.g. ['--api-rate', '50'])
	constructor(config, keyId, secret, region, extraArgs = []) {
		Object.assign(this, { config, keyId, secret, region, extraArgs, log: '' });
	}

	async start() {
		this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-api-standalone.'));
		const keys = path.join(this.tmp, 'keys');
		fs.writeFileSync(keys, `${this.keyId} ${this.secret}\n`, { mode: 0o600 });
		this.daemon = spawn(sluiced, ['--config', this.config, '--standalone',
			'--state-dir', path.join(this.tmp, 'state'), '--access-keys', keys, '--listen', '127.0.0.1:0',
			...this.extraArgs],
		{ stdio: ['ignore', 'ignore', 'pipe'] });
		this.daemon.stderr.on('data', (d) => { this.log += d; });
		for (let i = 0; i < 200 && !this.endpoint; i++) {
			const m = /api: listening on http:\/\/([^/\s]+)/.exec(this.log);
			if (m) this.endpoint = m[1];
			else await new Promise((r) => setTimeout(r, 50));
		}
		if (!this.endpoint) throw new Error(`sluiced did not start:\n${this.log}`);
	}

	stop() {
		if (this.daemon) this.daemon.kill('SIGTERM');
		if (this.tmp) fs.rmSync(this.tmp, { recursive: true, force: true });
	}

	// An SDK client in signing mode `signatureAlgorithm` ('v2': signature
	// 1.0; undefined: ACS3-HMAC-SHA256).
	client(signatureAlgorithm) {
		return new Vpc.default(new $OpenApiUtil.Config({
			accessKeyId: this.keyId, accessKeySecret: this.secret, endpoint: this.endpoint,
			protocol: 'HTTP', signatureAlgorithm, regionId: this.region,
		}));
	}
}

// The promise fails with API error `code` and HTTP `status`.
async function expectError(promise, code, status) {
	await assert.rejects(promise, (e) => {
		assert.equal(e.code, code, `code ${e.code}: ${e.message}`);
		assert.equal(e.statusCode, status, `status of ${code}`);
		assert.match(String(e.data && e.data.RequestId), UUID);
		return true;
	});
}

// An action the SDK has no method for (sluice's own, or DryRun on one
// whose request model lacks it), signed by client `c`.
async function rawCall(c, action, query) {
	const params = new $OpenApiUtil.Params({
		action, version: '2016-04-28', protocol: 'HTTP', pathname: '/', method: 'POST',
		authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
	});
	const r = await c.callApi(params, new $OpenApiUtil.OpenApiRequest({ query }), new $dara.RuntimeOptions({}));
	return r.body;
}

module.exports = { Standalone, expectError, rawCall };
