/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test environment for the pipeline stage unit tests.
 *
 * Design note
 * -----------
 * The stages only need three things from the running data plane: a table
 * bank, a worker context and the packet pool. This helper provides real ones
 * without sluiced or ports:
 *   - EAL in memory (--no-huge -m 256 --in-memory --no-pci), a real mbuf
 *     pool with struct sl_meta in the private area, installed as
 *     sl_pktmbuf_pool, and two port entries in sl_ports[] (0 inside,
 *     1 outside);
 *   - a bank laid out in memory exactly as sluiced writes one into the
 *     shared segment (header, VPC array, next hops, VLAN map, intervals and
 *     prefix lists by offset), compiled from prefix lists by a naive
 *     reference compiler (every interval boundary evaluated by brute-force
 *     longest-prefix match);
 *   - a worker with its own stats block (and route table / queue counter
 *     rows, issue 11);
 *   - a runner that pushes packets through the stages ETH_INPUT..ICMP6_ERROR
 *     like sl_pipeline_run() does, but stops in front of NEIGH/TX/PUNT so a
 *     test can look at what the pipeline produced;
 *   - byte-by-byte packet builders and an independent checksum (big-endian
 *     word sums, no DPDK code) to verify what the stages wrote.
 * Single-threaded; nothing here is meant for the fast path.
 */
#ifndef SL_TEST_ENV_H
#define SL_TEST_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_pipeline.h"

/* ---- bank builder ------------------------------------------------------ */

#define SL_TB_MAX_NH 64
#define SL_TB_MAX_VPC 8
#define SL_TB_MAX_PFX 4096

struct sl_tb_prefix {
	uint8_t family;
	uint8_t len;
	uint8_t origin;
	uint8_t addr[16]; /* network order */
	uint32_t nh;
};

struct sl_tb_table {
	unsigned int n;
	struct sl_tb_prefix *p; /* SL_TB_MAX_PFX */
};

struct sl_tb {
	unsigned int n_nh;
	struct sl_nexthop nh[SL_TB_MAX_NH];
	unsigned int n_vpc;
	struct {
		char id[SL_ID_LEN];
		uint16_t vlan;
		uint16_t trunk; /**< 0 unless set after sl_tb_vpc() */
		struct sl_tb_table rt;
	} vpc[SL_TB_MAX_VPC];
	struct sl_tb_table inet;
};

/** New builder with next hop 0 = UNREACHABLE. */
struct sl_tb *sl_tb_new(void);
void sl_tb_free(struct sl_tb *tb);
/** Add a VPC; returns its index. */
uint32_t sl_tb_vpc(struct sl_tb *tb, const char *id, uint16_t vlan);
/** Route table of a VPC index or SL_VPC_INTERNET. */
struct sl_tb_table *sl_tb_table(struct sl_tb *tb, uint32_t vpc);
/** Add a next hop; via/src are address strings or NULL. Returns its index. */
uint32_t sl_tb_nh(struct sl_tb *tb, uint8_t type, uint8_t role, uint16_t vlan, uint16_t mtu,
		  uint32_t vpc_index, const char *via, const char *src);
/** Add "a.b.c.d/len" or "x::/len" to a table. */
void sl_tb_route(struct sl_tb_table *t, const char *cidr, uint32_t nh);
/** Lay the bank out in one aligned allocation (free() it). */
struct sl_bank_header *sl_tb_build(const struct sl_tb *tb);

/** Naive longest-prefix match over a prefix list (the reference). */
uint32_t sl_tb_lpm4(const struct sl_tb_table *t, uint32_t addr);
uint32_t sl_tb_lpm6(const struct sl_tb_table *t, unsigned __int128 addr);
/** Reference compiler from prefixes to intervals; returns the count. */
unsigned int sl_tb_compile4(const struct sl_tb_table *t, struct sl_rt4_entry *out);
unsigned int sl_tb_compile6(const struct sl_tb_table *t, struct sl_rt6_entry *out);

/* ---- the standard test world ---------------------------------------------- */

/*
 * VPC "vpc-a" (index 0) on VLAN 100:
 *   vsw1 192.168.1.0/24, 2001:db8:a:1::/64  CONNECTED (mtu 1500), gateway
 *        addresses 192.168.1.253, 2001:db8:a:1:ffff:ffff:ffff:fffd LOCAL
 *   vsw2 192.168.2.0/24, 2001:db8:a:2::/64  CONNECTED (mtu 1500), gateway
 *        addresses .253 / ...fffd LOCAL
 *   100.64.0.0/10 BLACKHOLE (system)
 *   10.99.0.0/16, 2001:db8:99::/48 GATEWAY via instance 192.168.2.10 /
 *        2001:db8:a:2::10 (mtu 1500)
 *   10.98.0.0/16, 2001:db8:98::/48 GATEWAY via the same instance, mtu 1280
 *        (a small-MTU path for the fragmentation / too-big tests)
 * VPC "vpc-b" (index 1) on VLAN 200: 192.168.1.0/24 CONNECTED (overlaps A),
 *   gateway 192.168.1.253 LOCAL.
 * Internet table: 203.0.113.2/32, 2001:db8:ffff::2/128 LOCAL;
 *   203.0.113.0/24, 2001:db8:ffff::/64 CONNECTED; 0/0, ::/0 GATEWAY via
 *   203.0.113.1 / 2001:db8:ffff::1.
 * Ports: 0 inside (MAC 02:00:00:00:00:01), 1 outside (02:00:00:00:00:02).
 */
struct sl_test_env {
	struct sl_tb *tb;
	struct sl_bank_header *bank;
	struct sl_worker *w;
	struct sl_lcore_stats *stats;
	struct sl_rt_stats *rtstats;	/* SL_RT_STATS route table counters (issue 11) */
	struct sl_queue_stats *qstats;	/* SL_MAX_PORTS queue counters (issue 11) */
	uint32_t vpc_a, vpc_b;
	uint32_t nh_vsw1, nh_vsw2, nh_vsw1_6, nh_vsw2_6;
	uint32_t nh_local, nh_local6, nh_black;
	uint32_t nh_inst, nh_inst6, nh_small, nh_small6;
	uint32_t nh_b_vsw1;
	uint32_t nh_out_conn, nh_out_conn6, nh_up, nh_up6, nh_out_local, nh_out_local6;
};

#define SL_T_PORT_IN 0
#define SL_T_PORT_OUT 1

/** EAL + pool + ports, once per process. Aborts on failure. */
void sl_test_eal_init(void);
/** Build the standard world (calls sl_test_eal_init). */
struct sl_test_env *sl_test_env_new(void);
void sl_test_env_free(struct sl_test_env *env);
/** Zero the worker's counters. */
void sl_test_reset_stats(struct sl_test_env *env);

/** Run `m` from stage `first` until only NEIGH/TX/PUNT vectors hold packets. */
void sl_test_run(struct sl_worker *w, struct rte_mbuf *m, enum sl_stage first);
/** Take the packets waiting in `stage`'s vector (up to max); returns count. */
unsigned int sl_test_take(struct sl_worker *w, enum sl_stage stage, struct rte_mbuf **out,
			  unsigned int max);
/** Free everything left in every stage vector. */
void sl_test_flush(struct sl_worker *w);
/** Sum of all drop counters except NONE. */
uint64_t sl_test_drops(const struct sl_test_env *env);

/**
 * cmocka checks. expect_drop: run `m` from `first`; it must be dropped with
 * exactly one count of `reason` (and no other), produce nothing at
 * NEIGH/PUNT, and its buffers must be back in the pool.
 * expect_out: run `m` from `first`; no drop may be counted; exactly one
 * packet must come out at `stage`, which is returned (caller frees).
 */
void sl_test_expect_drop(struct sl_test_env *env, struct rte_mbuf *m, enum sl_stage first,
			 enum sl_drop_reason reason, int line);
struct rte_mbuf *sl_test_expect_out(struct sl_test_env *env, struct rte_mbuf *m,
				    enum sl_stage first, enum sl_stage stage, int line);
#define SL_EXPECT_DROP(env, m, reason)                                                             \
	sl_test_expect_drop((env), (m), SL_STAGE_ETH_INPUT, (reason), __LINE__)
#define SL_EXPECT_OUT(env, m, stage)                                                               \
	sl_test_expect_out((env), (m), SL_STAGE_ETH_INPUT, (stage), __LINE__)

/*
 * Shared cmocka fixtures of the stage tests: one standard world per test
 * program in sl_env (group setup/teardown), and a clean worker before each
 * case: vectors flushed and counters zeroed, optionally with the ICMP token
 * bucket refilled (the clock moved 100 s on).
 */
extern struct sl_test_env *sl_env;
int sl_test_group_setup(void **state);
int sl_test_group_teardown(void **state);
int sl_test_setup(void **state);
int sl_test_setup_full_bucket(void **state);

/** Big-endian 16-bit field at `b`. */
static inline uint16_t sl_get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* ---- packet building ------------------------------------------------------- */

struct sl_tpkt {
	uint8_t b[10240];
	uint32_t len;
	uint32_t l3; /* offset of the IP header */
};

extern const uint8_t sl_t_mac_in[6], sl_t_mac_out[6], sl_t_mac_peer[6];

/** Ethernet header; vlan < 0 for untagged. Resets the packet. */
void sl_tp_eth(struct sl_tpkt *p, const uint8_t *dst, int vlan, uint16_t type);
/** IPv4 header (+options) and payload after the L2 header; checksum set. */
void sl_tp_ip4(struct sl_tpkt *p, const char *src, const char *dst, uint8_t proto, uint8_t ttl,
	       uint16_t frag, const uint8_t *opts, unsigned int optlen, const void *l4,
	       unsigned int l4len);
/** IPv6 header and payload (ext headers are part of `payload`). */
void sl_tp_ip6(struct sl_tpkt *p, const char *src, const char *dst, uint8_t nh, uint8_t hlim,
	       const void *payload, unsigned int plen);
/** ICMP echo request: 8-byte header + `dlen` pattern bytes, checksummed. */
unsigned int sl_tp_icmp4_echo(uint8_t *b, uint16_t id, uint16_t seq, unsigned int dlen);
/** ICMPv6 message at offset `off` of the IPv6 packet: fix its checksum. */
void sl_tp_icmp6_fix(struct sl_tpkt *p, uint32_t l4_off);
/** An mbuf holding the packet, as received on `port`. */
struct rte_mbuf *sl_tp_mbuf(const struct sl_tpkt *p, uint16_t port);
/** Same, split into segments of at most `seg` bytes. */
struct rte_mbuf *sl_tp_mbuf_segs(const struct sl_tpkt *p, uint16_t port, uint32_t seg);

/** Convenience: inside IPv4 packet (VLAN 100) with the given L4 bytes. */
struct rte_mbuf *sl_tp_in4(const char *src, const char *dst, uint8_t proto, uint8_t ttl,
			   uint16_t frag, const void *l4, unsigned int l4len);
/** Convenience: inside IPv6 packet (VLAN 100). */
struct rte_mbuf *sl_tp_in6(const char *src, const char *dst, uint8_t nh, uint8_t hlim,
			   const void *payload, unsigned int plen);

/* ---- independent verification ------------------------------------------------ */

/** Big-endian 16-bit word sum (not folded). */
uint32_t sl_t_sum(const uint8_t *b, size_t n);
/** Fold and invert: the checksum a header should carry. */
uint16_t sl_t_cksum(const uint8_t *b, size_t n);
/** True if the bytes (checksum included) sum to 0xffff. */
bool sl_t_cksum_ok(const uint8_t *b, size_t n);
/** True if the ICMPv6 message `msg` (len bytes) is valid for src/dst. */
bool sl_t_icmp6_ok(const uint8_t *src, const uint8_t *dst, const uint8_t *msg, size_t len);
/** Linear copy of a packet's bytes from `off` to the end; returns length. */
uint32_t sl_t_bytes(const struct rte_mbuf *m, uint32_t off, uint8_t *out, uint32_t max);
/**
 * cmocka checks of an ICMPv4 error `e` the pipeline made about the datagram
 * `orig` (orig_len bytes from its IP header): a valid IPv4 header from `src`
 * to `dst` (TTL 64, protocol 1, not a fragment), type/code, a valid ICMP
 * checksum, `rest` in the 32-bit field after it (host order: the MTU of
 * 3/4, the pointer << 24 of 12), the original quoted within 576 bytes, and
 * the metadata of an originated error.
 */
void sl_t_check_icmp4_error(struct rte_mbuf *e, const uint8_t *orig, uint32_t orig_len,
			    uint8_t type, uint8_t code, const char *src, const char *dst,
			    uint32_t rest);
/** Parse an address string to network-order bytes (4 or 16). */
void sl_t_addr(const char *s, uint8_t *out);
uint32_t sl_t_ip4(const char *s); /* network order */

#endif /* SL_TEST_ENV_H */
