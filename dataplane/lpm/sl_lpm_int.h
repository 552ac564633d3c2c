/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to dataplane/lpm (writer side): the 128-bit key both families
 * share and the generic RIB calls the FIB writer uses. A key is right-aligned in `bits` bits (IPv4:
 * the low 32 bits, IPv6: all 128); bit 0 is the most significant of those `bits`.
 */
#ifndef SL_LPM_INT_H
#define SL_LPM_INT_H

#include <stdint.h>

typedef unsigned __int128 sl_key;

/** the `len` leading bits of a `bits`-wide key */
static inline sl_key sl_key_mask(unsigned int bits, unsigned int len)
{
	sl_key all = bits == 128 ? ~(sl_key)0 : (((sl_key)1 << bits) - 1);

	if (len == 0)
		return 0;
	if (len >= bits)
		return all;
	return all & ~((((sl_key)1) << (bits - len)) - 1);
}

/** bit `pos` (0 = most significant) of a `bits`-wide key */
static inline unsigned int sl_key_bit(sl_key k, unsigned int bits, unsigned int pos)
{
	return (unsigned int)(k >> (bits - 1 - pos)) & 1;
}

/** length of the common leading bits of a and b, at most `bits` */
static inline unsigned int sl_key_common(sl_key a, sl_key b, unsigned int bits)
{
	sl_key x = (a ^ b) << (128 - bits);
	uint64_t hi = (uint64_t)(x >> 64), lo = (uint64_t)x;

	if (hi)
		return (unsigned int)__builtin_clzll(hi);
	if (lo)
		return 64 + (unsigned int)__builtin_clzll(lo);
	return bits;
}

static inline sl_key sl_key_from16(const uint8_t a[16])
{
	sl_key k = 0;

	for (int i = 0; i < 16; i++)
		k = (k << 8) | a[i];
	return k;
}

static inline void sl_key_to16(sl_key k, uint8_t a[16])
{
	for (int i = 15; i >= 0; i--) {
		a[i] = (uint8_t)k;
		k >>= 8;
	}
}

/* ---- generic RIB (sl_rib.c), the core of sl_rib4 / sl_rib6 ---- */

struct sl_rib;
struct sl_rib4;
struct sl_rib6;

typedef int (*sl_rib_cb)(sl_key k, uint8_t len, uint32_t nh, void *arg);

const struct sl_rib *sl_rib4_core(const struct sl_rib4 *r);
const struct sl_rib *sl_rib6_core(const struct sl_rib6 *r);
/** longest route of length <= max_len covering k: 1 (and *nh), 0 if none */
int sl_rib_cover(const struct sl_rib *r, sl_key k, unsigned int max_len, sl_key *pk, uint8_t *plen,
		 uint32_t *nh);
/** routes directly under k/len (not k/len itself), in address order */
int sl_rib_walk_under(const struct sl_rib *r, sl_key k, unsigned int len, sl_rib_cb cb, void *arg);

#endif /* SL_LPM_INT_H */
