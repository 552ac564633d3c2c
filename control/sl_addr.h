/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4/IPv6 addresses and prefixes for the control plane.
 *
 * Both families are held as one unsigned 128-bit integer in host order (an
 * IPv4 address sits in the low 32 bits), so containment, overlap and the
 * interval compiler are written once for both. Conversion to the network
 * byte order the shared-memory tables use happens only at the edges
 * (sl_addr_to_bytes()).
 */
#ifndef SL_ADDR_H
#define SL_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_shm.h" /* SL_AF_INET, SL_AF_INET6 */

typedef unsigned __int128 sl_u128;

/** An address (len = full width) or a prefix. family 0 = unset or invalid:
 * every rule that uses a prefix skips it, because its parse error has
 * already been reported. */
struct sl_pfx {
	sl_u128 addr; /**< host order; for a prefix, may carry host bits only
		       * where the owner says so (outside addresses) */
	uint8_t len;
	uint8_t family; /**< 0, SL_AF_INET or SL_AF_INET6 */
};

/** Longest "address/len" text plus NUL. */
#define SL_PFX_STRLEN 56

/** sl_pfx_parse() flags. */
#define SL_PFX_BARE_OK 0x1  /**< a bare address means /32 or /128 */
#define SL_PFX_HOST_OK 0x2  /**< host bits may be set ("203.0.113.2/24") */
#define SL_PFX_NEED_LEN 0x4 /**< "/len" is required */

/** sl_pfx_parse() results. */
enum sl_pfx_err {
	SL_PFX_OK = 0,
	SL_PFX_MALFORMED = 1, /**< not an address, bad length, trailing junk */
	SL_PFX_HOSTBITS = 2,  /**< parsed, but bits beyond len are set; *p holds
			       * the value with the host bits cleared */
};

static inline unsigned int sl_af_bits(uint8_t family)
{
	return family == SL_AF_INET6 ? 128 : 32;
}

/** Mask of the host bits of a prefix of `len` in `family`. */
static inline sl_u128 sl_hostmask(uint8_t family, unsigned int len)
{
	unsigned int bits = sl_af_bits(family);
	sl_u128 all = bits == 128 ? ~(sl_u128)0 : (((sl_u128)1 << bits) - 1);

	if (len >= bits)
		return 0;
	return all >> len;
}

static inline sl_u128 sl_pfx_first(const struct sl_pfx *p)
{
	return p->addr & ~sl_hostmask(p->family, p->len);
}

static inline sl_u128 sl_pfx_last(const struct sl_pfx *p)
{
	return sl_pfx_first(p) | sl_hostmask(p->family, p->len);
}

/** The prefix itself with host bits cleared. */
static inline struct sl_pfx sl_pfx_network(const struct sl_pfx *p)
{
	struct sl_pfx n = *p;

	n.addr = sl_pfx_first(p);
	return n;
}

/** Parse an address only (no "/len"). */
int sl_ip_parse(const char *s, struct sl_pfx *ip);
/** Parse "addr/len" (or a bare address with SL_PFX_BARE_OK): enum sl_pfx_err. */
int sl_pfx_parse(const char *s, struct sl_pfx *p, unsigned int flags);

/** "addr/len" into buf (at least SL_PFX_STRLEN); returns buf. */
char *sl_pfx_fmt(const struct sl_pfx *p, char *buf, size_t size);
/** The address alone into buf; returns buf. */
char *sl_ip_fmt(uint8_t family, sl_u128 addr, char *buf, size_t size);

/** True if `inner` lies inside `outer` (equal counts). */
bool sl_pfx_contains(const struct sl_pfx *outer, const struct sl_pfx *inner);
/** True if `addr` of `family` lies inside `p`. */
bool sl_pfx_has(const struct sl_pfx *p, uint8_t family, sl_u128 addr);
/** Same family and one contains the other. */
bool sl_pfx_overlap(const struct sl_pfx *a, const struct sl_pfx *b);
/** Same family, length and network. */
bool sl_pfx_equal(const struct sl_pfx *a, const struct sl_pfx *b);

/** Network-order bytes (v4 in the first 4 of 16, the rest zeroed). */
void sl_addr_to_bytes(uint8_t family, sl_u128 addr, uint8_t out[16]);
sl_u128 sl_addr_from_bytes(uint8_t family, const uint8_t in[16]);

/**
 * The gateway address of a VSwitch subnet: the first of the three reserved
 * addresses at the top, i.e. last address minus 2 (x.x.x.253 in a /24,
 * ...:ffff:ffff:ffff:fffd in a /64).
 */
static inline sl_u128 sl_pfx_gateway(const struct sl_pfx *p)
{
	return sl_pfx_last(p) - 2;
}

#endif /* SL_ADDR_H */
