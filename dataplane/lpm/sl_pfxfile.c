/* SPDX-License-Identifier: BSD-3-Clause */
/* Prefix files and synthetic tables: see the design note in sl_pfxfile.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <zlib.h>

#include "sl_pfxfile.h"

static uint32_t sl_pfx_nh_hash(uint64_t hi, uint64_t lo, uint8_t len, uint32_t n_nh)
{
	uint64_t h = sl_pfx_mix64(hi ^ sl_pfx_mix64(lo ^ len));

	return 1 + (uint32_t)(h % (n_nh ? n_nh : 1));
}

uint32_t sl_pfx_nh4(uint32_t addr, uint8_t len, uint32_t n_nh)
{
	return sl_pfx_nh_hash(0, addr, len, n_nh);
}

static uint64_t sl_pfx_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

uint32_t sl_pfx_nh6(const uint8_t addr[16], uint8_t len, uint32_t n_nh)
{
	return sl_pfx_nh_hash(sl_pfx_be64(addr), sl_pfx_be64(addr + 8), len, n_nh);
}

static int sl_pfx_grow(void **v, size_t *cap, size_t n, size_t elem)
{
	size_t c;
	void *p;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 1024;
	p = realloc(*v, c * elem);
	if (p == NULL)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

static uint32_t sl_pfx_mask4(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

int sl_pfx_add4(struct sl_pfxlist *l, uint32_t addr, uint8_t len, uint32_t nh)
{
	if (sl_pfx_grow((void **)&l->v4, &l->cap4, l->n4, sizeof(*l->v4)) < 0)
		return -ENOMEM;
	memset(&l->v4[l->n4], 0, sizeof(l->v4[0])); /* padding too: lists compare with memcmp */
	l->v4[l->n4].addr = addr & sl_pfx_mask4(len);
	l->v4[l->n4].len = len;
	l->v4[l->n4].nh = nh;
	l->n4++;
	return 0;
}

/* clear the bits of a (network order) past len */
static void sl_pfx_clear6(uint8_t a[16], uint8_t len)
{
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int lo = i * 8;

		if (len <= lo)
			a[i] = 0;
		else if (len < lo + 8)
			a[i] &= (uint8_t)(0xff << (lo + 8 - len));
	}
}

int sl_pfx_add6(struct sl_pfxlist *l, const uint8_t addr[16], uint8_t len, uint32_t nh)
{
	struct sl_pfx6 *p;

	if (sl_pfx_grow((void **)&l->v6, &l->cap6, l->n6, sizeof(*l->v6)) < 0)
		return -ENOMEM;
	p = &l->v6[l->n6++];
	memset(p, 0, sizeof(*p));
	memcpy(p->addr, addr, 16);
	sl_pfx_clear6(p->addr, len);
	p->len = len;
	p->nh = nh;
	return 0;
}

#define SL_PFX_CHUNK (1u << 20)
#define SL_PFX_LINE_MAX 510u /* bytes, without the newline */

int sl_pfxfile_parse(const char *s, uint8_t addr[16], uint8_t *len, const char **why)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : 0;
	int fam = strchr(s, ':') ? 6 : 4;
	unsigned long v = 0;
	uint8_t chk[16];
	char *end;

	if (slash == NULL) {
		*why = "no '/' (expected ADDRESS/LENGTH)";
		return -EINVAL;
	}
	if (alen == 0 || alen >= sizeof(buf)) {
		*why = "bad address";
		return -EINVAL;
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (!isdigit((unsigned char)slash[1])) {
		*why = "bad prefix length";
		return -EINVAL;
	}
	errno = 0;
	v = strtoul(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end - (slash + 1) > 3 || v > (fam == 6 ? 128u : 32u)) {
		*why = "bad prefix length";
		return -EINVAL;
	}
	memset(addr, 0, 16);
	if (inet_pton(fam == 6 ? AF_INET6 : AF_INET, buf, addr) != 1) {
		*why = fam == 6 ? "bad IPv6 address" : "bad IPv4 address";
		return -EINVAL;
	}
	memcpy(chk, addr, 16);
	sl_pfx_clear6(chk, (uint8_t)v);
	if (memcmp(chk, addr, 16) != 0) {
		*why = "host bits set past the prefix length";
		return -EINVAL;
	}
	*len = (uint8_t)v;
	return fam;
}

/* One line of a prefix file (NUL-terminated, no newline): add its prefix.
 * 0, 1 (blank or comment) or a negative errno with the reason in err. */
static int sl_pfx_line(char *line, size_t n, const char *path, unsigned long lineno,
		       uint32_t n_nh, struct sl_pfxlist *l, char *err, size_t errlen)
{
	const char *why = NULL;
	uint8_t a[16], len;
	size_t b = 0, e = n;
	char *s;
	int fam, rc;

	if (n > SL_PFX_LINE_MAX) {
		snprintf(err, errlen, "%s:%lu: line too long", path, lineno);
		return -EINVAL;
	}
	/* lengths, not strings: a NUL byte must not end the line early */
	while (b < e && isspace((unsigned char)line[b]))
		b++;
	while (e > b && isspace((unsigned char)line[e - 1]))
		e--;
	if (b == e || line[b] == '#')
		return 1;
	if (memchr(line + b, '\0', e - b) != NULL) {
		snprintf(err, errlen, "%s:%lu: NUL byte in the line", path, lineno);
		return -EINVAL;
	}
	line[e] = '\0';
	s = line + b;
	fam = sl_pfxfile_parse(s, a, &len, &why);
	if (fam < 0) {
		snprintf(err, errlen, "%s:%lu: %s: '%.60s'", path, lineno, why, s);
		return -EINVAL;
	}
	if (fam == 4) {
		uint32_t a4 = ((uint32_t)a[0] << 24) | ((uint32_t)a[1] << 16) |
			      ((uint32_t)a[2] << 8) | a[3];

		rc = sl_pfx_add4(l, a4, len, sl_pfx_nh4(a4, len, n_nh));
	} else {
		rc = sl_pfx_add6(l, a, len, sl_pfx_nh6(a, len, n_nh));
	}
	if (rc < 0)
		snprintf(err, errlen, "%s:%lu: out of memory", path, lineno);
	return rc;
}

int sl_pfx_load(const char *path, uint32_t n_nh, struct sl_pfxlist *l, char *err, size_t errlen)
{
	size_t n4 = l->n4, n6 = l->n6, have = 0;
	unsigned long lineno = 0;
	/* read in chunks and split lines here (not gzgets: it cannot tell a
	 * NUL byte from the end of a line) */
	char *buf = malloc(SL_PFX_CHUNK + SL_PFX_LINE_MAX + 2);
	bool eof = false;
	gzFile f;
	int rc = 0, zerr = Z_OK;

	if (buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	errno = 0;
	f = gzopen(path, "rb");
	if (f == NULL) {
		rc = errno ? -errno : -ENOMEM;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		free(buf);
		return rc;
	}
	gzbuffer(f, 1 << 17);
	while (rc >= 0 && !(eof && have == 0)) {
		char *start = buf, *nl;

		if (!eof) {
			int got = gzread(f, buf + have, SL_PFX_CHUNK);

			if (got < 0) {
				const char *msg = gzerror(f, &zerr);

				snprintf(err, errlen, "%s: read error after line %lu: %s", path,
					 lineno, zerr == Z_ERRNO ? strerror(errno) : msg);
				rc = zerr == Z_ERRNO && errno ? -errno : -EIO;
				break;
			}
			eof = got == 0;
			have += (size_t)got;
		}
		while (rc >= 0 && (nl = memchr(start, '\n', have - (size_t)(start - buf)))) {
			lineno++;
			rc = sl_pfx_line(start, (size_t)(nl - start), path, lineno, n_nh, l, err,
					 errlen);
			start = nl + 1;
		}
		if (rc < 0)
			break;
		have -= (size_t)(start - buf);
		memmove(buf, start, have);
		if (have > SL_PFX_LINE_MAX) {
			snprintf(err, errlen, "%s:%lu: line too long", path, lineno + 1);
			rc = -EINVAL;
		} else if (eof && have) { /* a last line without a newline */
			lineno++;
			rc = sl_pfx_line(buf, have, path, lineno, n_nh, l, err, errlen);
			have = 0;
		}
	}
	if (rc >= 0) {
		/* a cut-off gzip stream reads as a short file: ask zlib */
		const char *msg = gzerror(f, &zerr);

		if (zerr != Z_OK && zerr != Z_STREAM_END) {
			snprintf(err, errlen, "%s: read error after line %lu: %s", path, lineno,
				 zerr == Z_ERRNO ? strerror(errno) : msg);
			rc = zerr == Z_ERRNO && errno ? -errno : -EIO;
		} else {
			rc = 0;
		}
	}
	gzclose(f);
	free(buf);
	if (rc < 0) {
		l->n4 = n4;
		l->n6 = n6;
	}
	return rc;
}

/*
 * Prefix-length mix of the real table (../shared/data/bgp-prefixes.txt.gz,
 * 901,899 IPv4 and 160,147 IPv6 prefixes), counted once from that file.
 */
static const uint32_t sl_mix4[33] = {
    [8] = 16,	  [9] = 13,	 [10] = 38,    [11] = 103,   [12] = 299,
    [13] = 581,	  [14] = 1203,	 [15] = 2100,  [16] = 13490, [17] = 8235,
    [18] = 13798, [19] = 24870,	 [20] = 42611, [21] = 50750, [22] = 108623,
    [23] = 96510, [24] = 537698, [25] = 20,    [26] = 3,     [27] = 11,
    [28] = 18,	  [29] = 17,	 [30] = 3,     [31] = 3,     [32] = 886,
};
static const uint32_t sl_mix6[129] = {
    [16] = 1,	  [19] = 1,	[20] = 16,    [21] = 3,	   [22] = 7,	[23] = 8,     [24] = 30,
    [25] = 8,	  [26] = 15,	[27] = 20,    [28] = 193,  [29] = 4371, [30] = 650,   [31] = 284,
    [32] = 22548, [33] = 2926,	[34] = 2603,  [35] = 1043, [36] = 5996, [37] = 880,   [38] = 1617,
    [39] = 1377,  [40] = 13418, [41] = 903,   [42] = 2301, [43] = 1001, [44] = 14365, [45] = 1553,
    [46] = 3039,  [47] = 3153,	[48] = 75488, [49] = 11,   [50] = 3,	[52] = 1,     [55] = 1,
    [56] = 24,	  [58] = 20,	[60] = 2,     [64] = 184,  [112] = 2,	[122] = 1,    [124] = 4,
    [125] = 9,	  [126] = 19,	[127] = 42,   [128] = 6,
};

static uint64_t sl_pfx_rand(uint64_t *st)
{
	*st += 0x9e3779b97f4a7c15ULL;
	return sl_pfx_mix64(*st);
}

static uint32_t sl_pfx_below(uint64_t *st, uint32_t n)
{
	return (uint32_t)(((sl_pfx_rand(st) >> 32) * (uint64_t)n) >> 32);
}

/* how many prefixes of a length the synthetic table gets */
static uint64_t sl_pfx_scaled(uint32_t real, uint64_t n, uint64_t total)
{
	uint64_t k = real ? (uint64_t)real * n / total : 0;

	return real && k == 0 ? 1 : k;
}

int sl_pfx_synthesize(uint32_t n4, uint32_t n_nh, uint64_t seed, struct sl_pfxlist *l)
{
	uint32_t n6 = (uint32_t)((uint64_t)n4 * SL_PFX_REAL_V6 / SL_PFX_REAL_V4);
	uint64_t st = seed;

	for (unsigned int len = 0; len <= 32; len++) {
		uint64_t k = sl_pfx_scaled(sl_mix4[len], n4, SL_PFX_REAL_V4);

		for (uint64_t i = 0; i < k; i++) {
			uint32_t a =
			    ((1 + sl_pfx_below(&st, 223)) << 24) | sl_pfx_below(&st, 1u << 24);

			a &= sl_pfx_mask4((uint8_t)len);
			if (sl_pfx_add4(l, a, (uint8_t)len, sl_pfx_nh4(a, (uint8_t)len, n_nh)) < 0)
				return -ENOMEM;
		}
	}
	for (unsigned int len = 0; len <= 128; len++) {
		uint64_t k = sl_pfx_scaled(sl_mix6[len], n6, SL_PFX_REAL_V6);

		for (uint64_t i = 0; i < k; i++) {
			uint64_t hi = sl_pfx_rand(&st), lo = sl_pfx_rand(&st);
			uint8_t a[16];

			/* inside 2000::/4 */
			lo = (lo >> 4) | (hi << 60);
			hi = (hi >> 4) | (0x2ULL << 60);
			for (int b = 0; b < 8; b++) {
				a[b] = (uint8_t)(hi >> (56 - 8 * b));
				a[8 + b] = (uint8_t)(lo >> (56 - 8 * b));
			}
			sl_pfx_clear6(a, (uint8_t)len);
			if (sl_pfx_add6(l, a, (uint8_t)len, sl_pfx_nh6(a, (uint8_t)len, n_nh)) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

void sl_pfx_free(struct sl_pfxlist *l)
{
	free(l->v4);
	free(l->v6);
	memset(l, 0, sizeof(*l));
}
