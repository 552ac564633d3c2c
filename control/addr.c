/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Address parsing and formatting.
 *
 * Design note: parsing is strict on purpose (inet_pton, decimal prefix
 * length without sign or leading zeros, nothing trailing) because a config
 * typo must become an error, not a different prefix. A prefix with host bits
 * set is reported separately from a malformed one so the validator can say
 * which network was probably meant.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "sl_addr.h"

int sl_ip_parse(const char *s, struct sl_pfx *ip)
{
	uint8_t b[16];

	memset(ip, 0, sizeof(*ip));
	if (s == NULL)
		return SL_PFX_MALFORMED;
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, b) != 1)
			return SL_PFX_MALFORMED;
		ip->family = SL_AF_INET6;
	} else {
		if (inet_pton(AF_INET, s, b) != 1)
			return SL_PFX_MALFORMED;
		ip->family = SL_AF_INET;
	}
	ip->addr = sl_addr_from_bytes(ip->family, b);
	ip->len = (uint8_t)sl_af_bits(ip->family);
	return SL_PFX_OK;
}

int sl_pfx_parse(const char *s, struct sl_pfx *p, unsigned int flags)
{
	char abuf[64];
	const char *slash;
	unsigned int len = 0;
	size_t alen;
	int rc;

	memset(p, 0, sizeof(*p));
	if (s == NULL)
		return SL_PFX_MALFORMED;
	slash = strchr(s, '/');
	if (slash == NULL) {
		if (!(flags & SL_PFX_BARE_OK) || (flags & SL_PFX_NEED_LEN))
			return SL_PFX_MALFORMED;
		return sl_ip_parse(s, p);
	}
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(abuf))
		return SL_PFX_MALFORMED;
	memcpy(abuf, s, alen);
	abuf[alen] = '\0';
	rc = sl_ip_parse(abuf, p);
	if (rc != SL_PFX_OK)
		return rc;
	/* decimal, 1-3 digits, no leading zero except "0" itself */
	slash++;
	if (slash[0] == '\0' || strlen(slash) > 3 || (slash[0] == '0' && slash[1] != '\0'))
		goto bad;
	for (const char *c = slash; *c; c++) {
		if (*c < '0' || *c > '9')
			goto bad;
		len = len * 10 + (unsigned int)(*c - '0');
	}
	if (len > sl_af_bits(p->family))
		goto bad;
	p->len = (uint8_t)len;
	if (!(flags & SL_PFX_HOST_OK) && (p->addr & sl_hostmask(p->family, len)) != 0) {
		p->addr = sl_pfx_first(p);
		return SL_PFX_HOSTBITS;
	}
	return SL_PFX_OK;
bad:
	memset(p, 0, sizeof(*p));
	return SL_PFX_MALFORMED;
}

void sl_addr_to_bytes(uint8_t family, sl_u128 addr, uint8_t out[16])
{
	memset(out, 0, 16);
	if (family == SL_AF_INET6) {
		for (int i = 15; i >= 0; i--) {
			out[i] = (uint8_t)addr;
			addr >>= 8;
		}
	} else {
		uint32_t v = (uint32_t)addr;

		out[0] = (uint8_t)(v >> 24);
		out[1] = (uint8_t)(v >> 16);
		out[2] = (uint8_t)(v >> 8);
		out[3] = (uint8_t)v;
	}
}

sl_u128 sl_addr_from_bytes(uint8_t family, const uint8_t in[16])
{
	sl_u128 v = 0;
	int n = family == SL_AF_INET6 ? 16 : 4;

	for (int i = 0; i < n; i++)
		v = (v << 8) | in[i];
	return v;
}

char *sl_ip_fmt(uint8_t family, sl_u128 addr, char *buf, size_t size)
{
	uint8_t b[16];

	if (family != SL_AF_INET && family != SL_AF_INET6) {
		snprintf(buf, size, "(none)");
		return buf;
	}
	sl_addr_to_bytes(family, addr, b);
	if (inet_ntop(family == SL_AF_INET6 ? AF_INET6 : AF_INET, b, buf, (socklen_t)size) == NULL)
		snprintf(buf, size, "(?)");
	return buf;
}

char *sl_pfx_fmt(const struct sl_pfx *p, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (p->family != SL_AF_INET && p->family != SL_AF_INET6) {
		snprintf(buf, size, "(none)");
		return buf;
	}
	snprintf(buf, size, "%s/%u", sl_ip_fmt(p->family, p->addr, a, sizeof(a)), p->len);
	return buf;
}

bool sl_pfx_has(const struct sl_pfx *p, uint8_t family, sl_u128 addr)
{
	if (p->family == 0 || p->family != family)
		return false;
	return (addr & ~sl_hostmask(family, p->len)) == sl_pfx_first(p);
}

bool sl_pfx_contains(const struct sl_pfx *outer, const struct sl_pfx *inner)
{
	if (outer->family == 0 || outer->family != inner->family || outer->len > inner->len)
		return false;
	return sl_pfx_has(outer, inner->family, inner->addr);
}

bool sl_pfx_overlap(const struct sl_pfx *a, const struct sl_pfx *b)
{
	return sl_pfx_contains(a, b) || sl_pfx_contains(b, a);
}

bool sl_pfx_equal(const struct sl_pfx *a, const struct sl_pfx *b)
{
	return a->family != 0 && a->family == b->family && a->len == b->len &&
	       sl_pfx_first(a) == sl_pfx_first(b);
}
