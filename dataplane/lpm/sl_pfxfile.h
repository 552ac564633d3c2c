/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sl_pfxfile: prefix lists for the Internet table (issue 3).
 *
 * Design note
 * -----------
 * One implementation of "where do the Internet table's prefixes come from",
 * shared by sluiced, the lookup benchmark and the LPM tests:
 *
 *   - sl_pfx_load(): a prefix file, one CIDR per line ("192.0.2.0/24",
 *     "2001:db8::/32"), plain or gzip (read through zlib, which passes plain
 *     files through unchanged). Blank lines and lines starting with '#' are
 *     skipped; surrounding whitespace is ignored. Anything else that is not
 *     a valid CIDR, or a CIDR with host bits set, fails the whole load with
 *     "FILE:LINE: reason" in the caller's buffer: a table silently missing
 *     prefixes is worse than no table.
 *   - sl_pfx_synthesize(): a synthetic table with the real table's
 *     prefix-length mix (counted once from ../shared/data/bgp-prefixes.txt.gz)
 *     scaled to the requested size, for machines without the data.
 *   - next hops are deterministic: nh = 1 + hash(prefix) % n_nh, so equal
 *     prefixes get equal next hops whatever the file order, and 0 (no route,
 *     sluice's UNREACHABLE index) never appears.
 *
 * Duplicates are kept as they appear in the file (a RIB "set" replaces, so
 * they are harmless); the lists are in file order.
 *
 * Not thread-safe per list; no global state (the synthetic generator takes
 * its seed as an argument).
 */
#ifndef SL_PFXFILE_H
#define SL_PFXFILE_H

#include <stddef.h>
#include <stdint.h>

struct sl_pfx4 {
	uint32_t addr; /**< host order, host bits clear */
	uint32_t nh;
	uint8_t len;
};

struct sl_pfx6 {
	uint8_t addr[16]; /**< network order, host bits clear */
	uint32_t nh;
	uint8_t len;
};

struct sl_pfxlist {
	struct sl_pfx4 *v4;
	size_t n4, cap4;
	struct sl_pfx6 *v6;
	size_t n6, cap6;
};

/** Real table's counts (the synthetic mix is scaled from these). */
#define SL_PFX_REAL_V4 901899u
#define SL_PFX_REAL_V6 160147u

/** Deterministic next hop of a prefix: 1 + hash % n_nh (n_nh >= 1). */
uint32_t sl_pfx_nh4(uint32_t addr, uint8_t len, uint32_t n_nh);
uint32_t sl_pfx_nh6(const uint8_t addr[16], uint8_t len, uint32_t n_nh);

/** Append one prefix (host bits are cleared). 0 or -ENOMEM. */
int sl_pfx_add4(struct sl_pfxlist *l, uint32_t addr, uint8_t len, uint32_t nh);
int sl_pfx_add6(struct sl_pfxlist *l, const uint8_t addr[16], uint8_t len, uint32_t nh);

/**
 * Parse one "addr/len" token (no surrounding whitespace). Returns 4 or 6 for
 * the family, or -EINVAL with a reason in *why (a static string).
 */
int sl_pfxfile_parse(const char *s, uint8_t addr[16], uint8_t *len, const char **why);

/**
 * Load a prefix file into *l (appending), next hops by sl_pfx_nh*(n_nh).
 * Returns 0; -errno when the file cannot be opened or read; -EINVAL on the
 * first bad line. On error err holds "PATH:LINE: reason" (or "PATH: reason")
 * and *l keeps what it held before the call (nothing half-loaded).
 */
int sl_pfx_load(const char *path, uint32_t n_nh, struct sl_pfxlist *l, char *err, size_t errlen);

/**
 * Synthetic table: n4 IPv4 prefixes and n4 * 160147 / 901899 IPv6 prefixes
 * with the real table's length mix (every length of the real table keeps at
 * least one prefix), IPv4 inside 1.0.0.0-223.255.255.255, IPv6 inside
 * 2000::/4. Deterministic for a given seed. 0 or -ENOMEM.
 */
int sl_pfx_synthesize(uint32_t n4, uint32_t n_nh, uint64_t seed, struct sl_pfxlist *l);

/** Free the lists and zero *l. */
void sl_pfx_free(struct sl_pfxlist *l);

/** splitmix64 step, shared by the generator and the tests' address streams. */
static inline uint64_t sl_pfx_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

#endif /* SL_PFXFILE_H */
