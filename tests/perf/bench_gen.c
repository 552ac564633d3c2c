/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_gen: the traffic generator and sink of scripts/bench-e2e (issue 9).
 *
 * Design note
 * -----------
 * dpdk-testpmd's txonly mode sends one fixed flow and answers no ARP, and a
 * router under test (sluice-dp) resolves its next hop before it forwards
 * anything. So the harness has its own generator, one lcore, one port (the
 * EAL's first, e.g. a net_memif client facing the device under test):
 *
 *   - transmits 64-byte IPv4/UDP frames to --dst-mac, addressed to random
 *     addresses inside the prefixes of --routes (the routes the device under
 *     test has: one CIDR a line, "R" prefix and trailing words allowed, so
 *     l3fwd's rule file works too), --flows precomputed frames, back to back;
 *   - answers ARP requests for any address (it is the device's next hop),
 *     from the port's own MAC;
 *   - counts the IPv4 frames it receives back (the device hairpins them to
 *     this port) during --seconds after --warmup seconds, the warm-up
 *     starting once the link is up (sl_gen_link_wait).
 *
 * Output: tx_mpps=T rx_mpps=R (rx is the device's forwarding rate: a
 * generator on one core both sends and receives, so dpdk-testpmd in io mode
 * in the device's place measures this harness's ceiling). Runs until done
 * or SIGINT/SIGTERM.
 *
 * Usage: bench_gen [EAL args] -- --dst-mac MAC --routes FILE [--flows N]
 *        [--seconds S] [--warmup S] [--linger]
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#define SL_GEN_BURST 32
#define SL_GEN_FRAME 60 /* 64 bytes on the wire with the FCS */

static volatile sig_atomic_t sl_gen_quit;

static void sl_gen_signal(int sig)
{
	(void)sig;
	sl_gen_quit = 1;
}

struct sl_gen_route {
	uint32_t addr; /* host order */
	uint8_t len;
};

static struct sl_gen_route *sl_gen_load(const char *path, size_t *n)
{
	struct sl_gen_route *r = NULL;
	size_t cap = 0;
	char line[256];
	FILE *f = fopen(path, "r");

	*n = 0;
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		char *s = line + (line[0] == 'R'), *slash = strchr(s, '/');
		struct in_addr a;

		if (!slash || strchr(s, ':'))
			continue; /* comments, IPv6 */
		*slash = '\0';
		if (inet_pton(AF_INET, s, &a) != 1)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			r = realloc(r, cap * sizeof(*r));
			if (!r)
				break;
		}
		r[*n].addr = ntohl(a.s_addr);
		r[(*n)++].len = (uint8_t)atoi(slash + 1);
	}
	fclose(f);
	return r;
}

/* Answer an ARP request in place; 1 if `m` became the reply. */
static int sl_gen_arp(struct rte_mbuf *m, const struct rte_ether_addr *mine)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(eh + 1);
	uint32_t tip;

	if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP) ||
	    m->data_len < sizeof(*eh) + sizeof(*ah) ||
	    ah->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST))
		return 0;
	tip = ah->arp_data.arp_tip;
	ah->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	ah->arp_data.arp_tha = ah->arp_data.arp_sha;
	ah->arp_data.arp_tip = ah->arp_data.arp_sip;
	ah->arp_data.arp_sha = *mine;
	ah->arp_data.arp_sip = tip;
	eh->dst_addr = eh->src_addr;
	eh->src_addr = *mine;
	return 1;
}

/* Start the port; a memif client whose connect was refused (the server
 * was not listening yet) fails to start: retry for up to 10 s. */
static int sl_gen_start(void)
{
	for (int tries = 0; tries < 20 && !sl_gen_quit; tries++) {
		if (rte_eth_dev_start(0) == 0)
			return 0;
		rte_delay_ms(500);
	}
	return -1;
}

/*
 * Wait for the link. A memif client that connects before the server's port
 * is started (the server listens from probe time) can stay down: restart
 * the port every second until the link is up, at most 15 times.
 */
static int sl_gen_link_wait(void)
{
	for (int tries = 0; tries < 15 && !sl_gen_quit; tries++) {
		for (int i = 0; i < 10; i++) {
			struct rte_eth_link link;

			if (rte_eth_link_get_nowait(0, &link) == 0 && link.link_status)
				return 0;
			rte_delay_ms(100);
		}
		rte_eth_dev_stop(0);
		if (sl_gen_start() < 0)
			return -1;
	}
	return -1;
}

static uint64_t sl_gen_rng = 0x2545f4914f6cdd1dull;

static uint32_t sl_gen_rand(void)
{
	sl_gen_rng ^= sl_gen_rng << 13;
	sl_gen_rng ^= sl_gen_rng >> 7;
	sl_gen_rng ^= sl_gen_rng << 17;
	return (uint32_t)(sl_gen_rng >> 16);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"dst-mac", required_argument, NULL, 'd'}, {"routes", required_argument, NULL, 'r'},
	    {"flows", required_argument, NULL, 'f'},   {"seconds", required_argument, NULL, 's'},
	    {"warmup", required_argument, NULL, 'w'},  {"linger", no_argument, NULL, 'l'},
	    {NULL, 0, NULL, 0},
	};
	const char *routes_path = NULL;
	struct rte_ether_addr dst, mine;
	struct sl_gen_route *routes;
	struct rte_mempool *pool;
	struct rte_eth_conf conf = {0};
	uint8_t (*frames)[SL_GEN_FRAME];
	uint32_t flows = 4096, cursor = 0;
	double seconds = 5, warmup = 1;
	uint64_t tx = 0, rx = 0, hz, t_start, t_end;
	size_t n_routes;
	int c, have_dst = 0, linger = 0, n = rte_eal_init(argc, argv);

	if (n < 0)
		rte_exit(EXIT_FAILURE, "bench_gen: EAL initialisation failed\n");
	argc -= n;
	argv += n;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': have_dst = rte_ether_unformat_addr(optarg, &dst) == 0; break;
		case 'r': routes_path = optarg; break;
		case 'f': flows = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 's': seconds = strtod(optarg, NULL); break;
		case 'w': warmup = strtod(optarg, NULL); break;
		case 'l': linger = 1; break;
		default: rte_exit(2, "usage: bench_gen [EAL] -- --dst-mac MAC --routes FILE "
				     "[--flows N] [--seconds S] [--warmup S] [--linger]\n");
		}
	}
	routes = routes_path ? sl_gen_load(routes_path, &n_routes) : NULL;
	if (!have_dst || !routes || n_routes == 0 || flows == 0 || rte_eth_dev_count_avail() < 1)
		rte_exit(2, "bench_gen: needs --dst-mac, a --routes file with IPv4 prefixes "
			    "and a port\n");
	signal(SIGINT, sl_gen_signal);
	signal(SIGTERM, sl_gen_signal);

	pool = rte_pktmbuf_pool_create("bench_gen", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (!pool || rte_eth_dev_configure(0, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(0, 0, 1024, (unsigned int)rte_socket_id(), NULL, pool) < 0 ||
	    rte_eth_tx_queue_setup(0, 0, 1024, (unsigned int)rte_socket_id(), NULL) < 0 ||
	    sl_gen_start() < 0 || rte_eth_macaddr_get(0, &mine) < 0)
		rte_exit(EXIT_FAILURE, "bench_gen: cannot start port 0\n");
	if (sl_gen_link_wait() < 0)
		rte_exit(EXIT_FAILURE, "bench_gen: port 0 has no link after 15 s\n");

	frames = calloc(flows, SL_GEN_FRAME);
	if (!frames)
		rte_exit(EXIT_FAILURE, "bench_gen: out of memory\n");
	for (uint32_t i = 0; i < flows; i++) {
		struct rte_ether_hdr *eh = (struct rte_ether_hdr *)frames[i];
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip + 1);
		const struct sl_gen_route *r = &routes[sl_gen_rand() % n_routes];
		uint32_t host = r->len >= 32 ? 0 : UINT32_MAX >> r->len; /* no shift by 32 */

		eh->dst_addr = dst;
		eh->src_addr = mine;
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16(SL_GEN_FRAME - sizeof(*eh));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		ip->src_addr = htonl(0xc6336400u | (i & 255)); /* 198.51.100.x */
		ip->dst_addr = htonl(r->addr | (sl_gen_rand() & host));
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		uh->src_port = rte_cpu_to_be_16((uint16_t)(1024 + i % 60000));
		uh->dst_port = rte_cpu_to_be_16(4789);
		uh->dgram_len = rte_cpu_to_be_16(SL_GEN_FRAME - sizeof(*eh) - sizeof(*ip));
	}

	hz = rte_get_tsc_hz();
	t_start = rte_rdtsc() + (uint64_t)(warmup * (double)hz);
	t_end = t_start + (uint64_t)(seconds * (double)hz);
	/* ARP replies go out before the next data burst and wait (up to a
	 * burst of them) while the TX ring is full: sent once and dropped when
	 * the ring was full of data, a lost reply left the device's next hop
	 * unresolved for a whole run (one device run in ten got nothing). */
	struct rte_mbuf *reply[SL_GEN_BURST];
	uint16_t nr = 0;

	while (!sl_gen_quit) {
		struct rte_mbuf *m[SL_GEN_BURST];
		uint64_t now = rte_rdtsc();
		int counting = now >= t_start;
		uint16_t k, sent;

		if (now >= t_end)
			break;
		if (nr) {
			sent = rte_eth_tx_burst(0, 0, reply, nr);
			memmove(reply, reply + sent, (size_t)(nr - sent) * sizeof(reply[0]));
			nr = (uint16_t)(nr - sent);
		}
		if (nr == 0 && rte_pktmbuf_alloc_bulk(pool, m, SL_GEN_BURST) == 0) {
			for (unsigned int i = 0; i < SL_GEN_BURST; i++) {
				memcpy(rte_pktmbuf_mtod(m[i], void *), frames[cursor], SL_GEN_FRAME);
				m[i]->data_len = m[i]->pkt_len = SL_GEN_FRAME;
				cursor = cursor + 1 == flows ? 0 : cursor + 1;
			}
			sent = rte_eth_tx_burst(0, 0, m, SL_GEN_BURST);
			if (sent < SL_GEN_BURST)
				rte_pktmbuf_free_bulk(m + sent, SL_GEN_BURST - sent);
			tx += counting ? sent : 0;
		}
		k = rte_eth_rx_burst(0, 0, m, SL_GEN_BURST);
		for (uint16_t i = 0; i < k; i++) {
			const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m[i], struct rte_ether_hdr *);

			if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
				rx += counting;
				rte_pktmbuf_free(m[i]);
			} else if (nr < SL_GEN_BURST && sl_gen_arp(m[i], &mine)) {
				reply[nr++] = m[i];
			} else {
				rte_pktmbuf_free(m[i]);
			}
		}
	}
	if (nr)
		rte_pktmbuf_free_bulk(reply, nr);
	seconds = (double)(rte_rdtsc() - t_start) / (double)hz;
	if (seconds <= 0)
		seconds = 1e-9;
	printf("tx_mpps=%.2f rx_mpps=%.2f\n", (double)tx / seconds / 1e6, (double)rx / seconds / 1e6);
	fflush(stdout);
	/* --linger: stay connected (receiving and freeing, sending nothing)
	 * until SIGINT/SIGTERM, so the device under test can be stopped
	 * first: a memif server whose client goes away while its lcore polls
	 * has crashed (DPDK 22.11) in testpmd, l3fwd and sluice-dp alike. */
	while (linger && !sl_gen_quit) {
		struct rte_mbuf *m[SL_GEN_BURST];
		uint16_t k = rte_eth_rx_burst(0, 0, m, SL_GEN_BURST);

		if (k)
			rte_pktmbuf_free_bulk(m, k);
		else
			rte_delay_us_sleep(1000);
	}
	rte_eth_dev_stop(0);
	rte_eth_dev_close(0);
	free(frames);
	free(routes);
	rte_eal_cleanup();
	return 0;
}
