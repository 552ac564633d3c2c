/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_dataplane: one frame through the whole of sluice-dp with the tables
 * of a real config, NAT sessions and policers included.
 *
 * Design note
 * -----------
 * fuzz_pipeline drives the stages over a hand-built test world that has no
 * NAT, HaVip or police section. This target reuses pkt_runner's harness
 * instead (tests/pkt/pkt_runner.c, included with SL_PKT_RUNNER_NO_MAIN):
 * sluiced's library compiles a config (SL_FUZZ_DP_CONFIG: tests/pkt/nat.json
 * for fuzz_dataplane, a NAT gateway with SNAT and forward entries, EIPs and
 * hence policers; tests/pkt/ipv6gw.json for fuzz_dataplane6, IPv6 gateways
 * with bandwidth, egress-only rules and ingress route rules) into a segment, and one worker and
 * the main-lcore context run on net_ring ports with the NAT session table,
 * the neighbour table and the policer buckets, on the virtual clock. State
 * carries over from input to input (sessions, neighbours, buckets), as in a
 * running gateway.
 *
 * Input: [port][frame...]: port % 3 picks inside (trunk 0), outside or
 * inside1 (trunk 1); the rest is the Ethernet frame as received.
 *
 * After every input the target aborts (a crash for libFuzzer) unless every
 * frame sent on a port is at least an Ethernet header and at most 1518
 * bytes (the harness's MTU 1500 plus Ethernet and one 802.1Q tag) and the
 * drop counters of the reasons never counted "none". Sanitizers catch the
 * rest. Single-threaded, like the fuzzer.
 */
#define SL_PKT_RUNNER_NO_MAIN
#include "../pkt/pkt_runner.c"

#include "sl_fuzz.h"

#ifndef SL_FUZZ_DP_CONFIG
#error "SL_FUZZ_DP_CONFIG (a tests/pkt config) is set by tests/fuzz/meson.build"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char prefix[64];
	char *eal_argv[] = {(*argv)[0], "--no-huge", "-m", "512", "--no-shconf", "--no-pci",
			    "--no-telemetry", "--file-prefix", prefix, "-l", "0",
			    "--log-level", "*:error", NULL};
	char tmpdir[] = "/tmp/sluice-fuzz-dp.XXXXXX";

	snprintf(prefix, sizeof(prefix), "sl_fzdp_%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal_argv) - 1, eal_argv) < 0)
		sl_fuzz_die("EAL initialisation failed");
	snprintf(sl_runtime_dir, sizeof(sl_runtime_dir), "%s", rte_eal_get_runtime_dir());
	atexit(sl_eal_fini);
	if (mkdtemp(tmpdir) == NULL)
		sl_fuzz_die("mkdtemp failed");
	if (sl_setup(SL_FUZZ_DP_CONFIG, tmpdir) != 0)
		sl_fuzz_die("cannot set up the data plane");
	/* the segment is mapped: its file and directory may go */
	{
		char path[600];

		snprintf(path, sizeof(path), "%s/segment", tmpdir);
		unlink(path);
		rmdir(tmpdir);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_test_port *tp;
	struct rte_mbuf *m;
	uint64_t drops[SL_DROP_MAX];

	if (size < 1 || size - 1 > 9000)
		return 0;
	tp = &sl_tports[data[0] % SL_N_TPORTS];
	m = rte_pktmbuf_alloc(sl_pktmbuf_pool);
	if (m == NULL)
		sl_fuzz_die("packet pool empty: mbufs leak");
	if (size - 1 > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		return 0;
	}
	memcpy(rte_pktmbuf_append(m, (uint16_t)(size - 1)), data + 1, size - 1);
	m->port = tp->port_id;
	sl_rdp.test_clock_tsc += rte_get_tsc_hz() / 1000000 * SL_STEP_US;
	if (rte_ring_enqueue(tp->rx, m) != 0) {
		rte_pktmbuf_free(m);
		return 0;
	}
	sl_settle();
	for (unsigned int i = 0; i < SL_N_TPORTS; i++) {
		struct rte_mbuf *o = NULL;

		while (rte_ring_dequeue(sl_tports[i].tx, (void **)&o) == 0) {
			uint32_t n = rte_pktmbuf_pkt_len(o);

			rte_pktmbuf_free(o);
			if (n < 14 || n > 1518)
				sl_fuzz_die("a frame of impossible length was sent");
		}
	}
	sl_sum_drops(drops);
	if (drops[SL_DROP_NONE] != 0)
		sl_fuzz_die("a drop was counted under \"none\"");
	return 0;
}
