/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_pipeline: one frame through the whole sluice-dp pipeline.
 *
 * Design note
 * -----------
 * The tables are the standard test world of the pipeline unit tests
 * (sl_test_env: two VPCs on VLANs 100 and 200 with overlapping CIDRs,
 * LOCAL gateway addresses, custom routes, a 1280-byte MTU path, a
 * blackhole, the Internet table), built once in LLVMFuzzerInitialize()
 * together with the EAL (--no-huge, --no-pci, --no-telemetry: see
 * sl_test_eal_init()). Only sl_test_env's public functions are used, so a
 * change of the bank layout reaches this target through them.
 *
 * Input: [flags][seg][frame...]
 *   flags bit 0   the frame arrives on the outside port (else inside);
 *   flags bit 1   the frame is split into segments of 16 + seg bytes
 *                 (else one segment per 2048 bytes);
 *   flags bit 2   the clock stands still (the ICMP token bucket drains);
 *                 otherwise it moves one second on, refilling it;
 *   the rest      the Ethernet frame as received.
 *
 * sl_test_run() runs the stages ETH_INPUT..ICMP6_ERROR until only the
 * NEIGH (next-hop resolution, then TX) and PUNT vectors hold packets.
 * After every input the target aborts (a crash for libFuzzer) unless:
 *   - the frame ended somewhere: at least one packet at NEIGH/PUNT, or at
 *     least one drop counted under a named reason (never NONE);
 *   - every packet bound for NEIGH is a well-formed IP packet at l3_off:
 *     version, total / payload length equal to the bytes after l3_off,
 *     IPv4 header checksum valid, at most the largest MTU of the test
 *     world (1500), a next hop set; every punted packet says why;
 *   - once the outputs are freed, the mbuf pool holds exactly as many
 *     free buffers as before the input (no leak, no double free).
 * Single-threaded, like the fuzzer.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mempool.h>

#include "sl_test_env.h"
#include "sl_fuzz.h"

#define SL_FZ_MAX_IP_OUT 1500 /* largest egress MTU of the test world */

static struct sl_test_env *env;
static unsigned int pool_free;

static void sl_fz_fail(const char *what, const uint8_t *frame, size_t len)
{
	fprintf(stderr, "fuzz_pipeline: frame of %zu bytes", len);
	if (len >= 14)
		fprintf(stderr, ", ethertype %02x%02x", frame[12], frame[13]);
	fprintf(stderr, "\n");
	sl_fuzz_die(what);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	env = sl_test_env_new();
	pool_free = rte_mempool_avail_count(sl_pktmbuf_pool);
	return 0;
}

/* The checks on one packet the pipeline handed to NEIGH or PUNT; NULL if
 * fine, else what is wrong. */
static const char *sl_fz_check_out(struct rte_mbuf *m, bool punted)
{
	const struct sl_meta *md = sl_meta(m);
	uint32_t len = rte_pktmbuf_pkt_len(m), ip_len, hl;
	uint8_t buf[60];
	const uint8_t *h;

	if (md->l3_off > len)
		return "l3_off beyond the packet";
	if (punted)
		return md->punt == SL_PUNT_NONE ? "punted without a reason" : NULL;
	if (md->punt != SL_PUNT_NONE)
		return "packet for NEIGH carries a punt reason";
	ip_len = len - md->l3_off;
	if (ip_len > SL_FZ_MAX_IP_OUT)
		return "packet for NEIGH larger than any egress MTU";
	if (md->family == SL_AF_INET) {
		if (ip_len < 20 || (h = rte_pktmbuf_read(m, md->l3_off, 20, buf)) == NULL)
			return "IPv4 output shorter than a header";
		hl = (h[0] & 15u) * 4;
		if (h[0] >> 4 != 4 || hl < 20 || hl > ip_len)
			return "IPv4 output with a bad version or IHL";
		if (sl_get16(h + 2) != ip_len)
			return "IPv4 total length is not the packet's length";
		h = rte_pktmbuf_read(m, md->l3_off, hl, buf);
		if (h == NULL || !sl_t_cksum_ok(h, hl))
			return "IPv4 output with a bad header checksum";
	} else if (md->family == SL_AF_INET6) {
		if (ip_len < 40 || (h = rte_pktmbuf_read(m, md->l3_off, 40, buf)) == NULL)
			return "IPv6 output shorter than a header";
		if (h[0] >> 4 != 6)
			return "IPv6 output with a bad version";
		if (sl_get16(h + 4) + 40u != ip_len)
			return "IPv6 payload length is not the packet's length";
	} else {
		return "output of no address family";
	}
	if (md->nh == SL_NH_NONE)
		return "output without a next hop";
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sl_tpkt p;
	struct rte_mbuf *m, *out[SL_VEC_MAX];
	unsigned int n_neigh, n_punt, avail;
	const char *bad;
	uint8_t flags;
	uint32_t seg;

	if (size < 2 || size - 2 > sizeof(p.b))
		return 0;
	flags = data[0];
	seg = (flags & 2) ? 16u + data[1] : 2048u;
	p.len = (uint32_t)(size - 2);
	p.l3 = 0;
	memcpy(p.b, data + 2, p.len);

	sl_test_reset_stats(env);
	if (!(flags & 4))
		env->w->now_tsc += rte_get_tsc_hz();
	m = sl_tp_mbuf_segs(&p, (flags & 1) ? SL_T_PORT_OUT : SL_T_PORT_IN, seg);
	sl_test_run(env->w, m, SL_STAGE_ETH_INPUT);

	n_neigh = sl_test_take(env->w, SL_STAGE_NEIGH, out, SL_VEC_MAX);
	n_punt = sl_test_take(env->w, SL_STAGE_PUNT, out + n_neigh, SL_VEC_MAX - n_neigh);
	if (env->stats->drop[SL_DROP_NONE] != 0)
		sl_fz_fail("a drop counted under NONE", p.b, p.len);
	if (n_neigh + n_punt == 0 && sl_test_drops(env) == 0)
		sl_fz_fail("frame vanished: no output and no drop counted", p.b, p.len);
	for (unsigned int i = 0; i < n_neigh + n_punt; i++) {
		bad = sl_fz_check_out(out[i], i >= n_neigh);
		if (bad != NULL)
			sl_fz_fail(bad, p.b, p.len);
		rte_pktmbuf_free(out[i]);
	}
	/* sl_test_run() leaves packets only at NEIGH/TX/PUNT; TX must be empty
	 * (only NEIGH feeds it, and NEIGH did not run). */
	if (env->w->vec[SL_STAGE_TX].n != 0)
		sl_fz_fail("packets at TX without NEIGH", p.b, p.len);
	avail = rte_mempool_avail_count(sl_pktmbuf_pool);
	if (avail != pool_free) {
		fprintf(stderr, "fuzz_pipeline: %u free mbufs before, %u after\n", pool_free,
			avail);
		sl_fz_fail(avail < pool_free ? "mbuf leak" : "mbuf freed twice", p.b, p.len);
	}
	return 0;
}
