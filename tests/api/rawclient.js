// SPDX-License-Identifier: BSD-3-Clause
//
// A minimal raw client of sluiced's RPC API: signature 1.0 (HMAC-SHA1 over
// the canonical query, docs/api.md) with node's own crypto, POST with a
// form body, keep-alive connections. Used by the durability test and by
// scripts/bench-api, where the SDK's per-call overhead would hide the
// server's figure.
'use strict';

const crypto = require('node:crypto');
const http = require('node:http');
const fs = require('node:fs');

function pct(s) {
	return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function readKeys(file) {
	const [id, secret] = fs.readFileSync(file, 'utf8').trim().split(/\s+/);
	return { id, secret };
}

class RawClient {
	constructor(endpoint, keys, connections = 8) {
		const [host, port] = endpoint.split(':');
		this.host = host;
		this.port = Number(port);
		this.keys = keys;
		this.agent = new http.Agent({ keepAlive: true, maxSockets: connections });
		this.seq = 0;
	}

	// The signed form body of one request.
	body(action, params) {
		const p = {
			...params,
			Action: action,
			Version: '2016-04-28',
			Format: 'JSON',
			AccessKeyId: this.keys.id,
			SignatureMethod: 'HMAC-SHA1',
			SignatureVersion: '1.0',
			SignatureNonce: `${process.pid}-${Date.now()}-${++this.seq}-${Math.random()}`,
			Timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
		};
		const q = Object.keys(p).sort().map((k) => `${pct(k)}=${pct(String(p[k]))}`).join('&');
		const sts = `POST&${pct('/')}&${pct(q)}`;
		const sig = crypto.createHmac('sha1', `${this.keys.secret}&`).update(sts).digest('base64');
		return `${q}&Signature=${pct(sig)}`;
	}

	// Resolves {status, body} (body parsed JSON); rejects on a transport error.
	call(action, params) {
		const data = this.body(action, params);
		return new Promise((resolve, reject) => {
			const req = http.request({
				host: this.host, port: this.port, method: 'POST', path: '/', agent: this.agent,
				headers: {
					'content-type': 'application/x-www-form-urlencoded',
					'content-length': Buffer.byteLength(data),
				},
			}, (res) => {
				let text = '';
				res.setEncoding('utf8');
				res.on('data', (c) => { text += c; });
				res.on('end', () => {
					try {
						resolve({ status: res.statusCode, body: JSON.parse(text) });
					} catch (e) {
						reject(new Error(`bad JSON (${res.statusCode}): ${text.slice(0, 200)}`));
					}
				});
				res.on('error', reject);
			});
			req.on('error', reject);
			req.end(data);
		});
	}

	close() {
		this.agent.destroy();
	}
}

module.exports = { RawClient, readKeys, pct };
