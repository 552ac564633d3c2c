/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_pfxfile: the Internet prefix-file loader (dataplane/lpm/sl_pfxfile.c,
 * sl_pfx_load()), which sluiced runs on --inet-routes FILE and the
 * benchmarks on the real BGP table.
 *
 * Design note
 * -----------
 * Input: a flags byte, then the file. Flags bit 0: the target gzips the
 * rest first (zlib, gzip header), so the fuzzer works on text while the
 * loader's gzip path is exercised; bit 1 (with bit 0): the gzip file is cut
 * short by 1, 3, 5 or 7 bytes (bits 2-3), inside its 8-byte trailer, as a
 * download or copy that stopped early would be; bits 4-7: the number of
 * next hops - 1 (1..16). The file is written to a memfd and loaded by path
 * (/proc/self/fd/N), as sluiced loads a file.
 *
 * The list passed in already holds one IPv4 and one IPv6 sentinel (the
 * loader appends). Invariants checked per input (abort = a crash):
 *   - always: the sentinels are still first and unchanged; a failure leaves
 *     exactly them (nothing half-loaded) and an error naming the path; on
 *     success every prefix has length <= 32 / 128, no host bits, and the
 *     next hop sl_pfx_nh4/6() gives it, within 1..n_nh;
 *   - a cut gzip file fails to load ("a table silently missing prefixes is
 *     worse than no table", sl_pfxfile.h);
 *   - when the text is known (not raw bytes starting with the gzip magic,
 *     which zlib would inflate): the result equals a model of the file
 *     format written from the documentation in sl_pfxfile.h: lines split at
 *     '\n', surrounding whitespace ignored, blank and '#' lines skipped, a
 *     line of 511 bytes or more too long, any other line a CIDR (a NUL byte
 *     makes it not one); the first bad line fails the load with
 *     "PATH:LINE: ", otherwise every CIDR is in the list, in file order;
 *   - every prefix parsed survives a round trip through inet_ntop() and
 *     sl_pfxfile_parse() unchanged.
 * SL_FUZZ_VERBOSE=1 prints each load's result. Single-threaded.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "sl_fuzz.h"
#include "sl_pfxfile.h"

#define SL_FZ_MAX_INPUT (64u << 10)
#define SL_FZ_LINE_MAX 511 /* the loader's line buffer holds 511 bytes + NUL */

static int memfd = -1;
static bool verbose; /* SL_FUZZ_VERBOSE: print each load's result */
static char path[64];
static uint8_t zbuf[2 * SL_FZ_MAX_INPUT + 1024];

static const uint8_t sentinel6[16] = {0x20, 0x01, 0x0d, 0xb8}; /* 2001:db8::/32 */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	memfd = sl_fuzz_memfd("sl-fuzz-pfxfile", path, sizeof(path));
	verbose = getenv("SL_FUZZ_VERBOSE") != NULL;
	return 0;
}

/* gzip `in` into zbuf; returns the compressed size. */
static size_t sl_fz_gzip(const uint8_t *in, size_t n, int level)
{
	z_stream zs;
	size_t out;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		sl_fuzz_die("deflateInit2");
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)n;
	zs.next_out = zbuf;
	zs.avail_out = sizeof(zbuf);
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		sl_fuzz_die("deflate did not finish");
	out = zs.total_out;
	deflateEnd(&zs);
	return out;
}

/* A parsed prefix printed and parsed again must come back the same. */
static void sl_fz_round_trip(int fam, const uint8_t a[16], uint8_t len)
{
	char s[INET6_ADDRSTRLEN + 8];
	const char *why = NULL;
	uint8_t b[16], blen;
	size_t k;

	if (inet_ntop(fam == 6 ? AF_INET6 : AF_INET, a, s, INET6_ADDRSTRLEN) == NULL)
		sl_fuzz_die("inet_ntop failed on a parsed address");
	k = strlen(s);
	snprintf(s + k, sizeof(s) - k, "/%u", len);
	if (sl_pfxfile_parse(s, b, &blen, &why) != fam || blen != len || memcmp(a, b, 16) != 0)
		sl_fuzz_die("a parsed prefix does not survive inet_ntop + parse");
}

struct sl_fz_model {
	struct sl_pfxlist want; /* what the load must produce after the sentinels */
	unsigned long bad_line; /* 0: the load must succeed */
};

/* The file format as sl_pfxfile.h documents it, over the whole text. */
static void sl_fz_model(const uint8_t *t, size_t n, uint32_t n_nh, struct sl_fz_model *m)
{
	unsigned long lineno = 0;
	size_t pos = 0;

	memset(m, 0, sizeof(*m));
	while (pos < n) {
		const uint8_t *nl = memchr(t + pos, '\n', n - pos);
		size_t end = nl ? (size_t)(nl - t) : n, b = pos, e = end;
		char line[SL_FZ_LINE_MAX + 1];
		const char *why;
		uint8_t a[16], len;
		int fam;

		lineno++;
		pos = nl ? end + 1 : n;
		if (end - b >= SL_FZ_LINE_MAX) {
			m->bad_line = lineno;
			return;
		}
		while (b < e && isspace(t[b]))
			b++;
		while (e > b && isspace(t[e - 1]))
			e--;
		if (b == e || t[b] == '#')
			continue;
		if (memchr(t + b, '\0', e - b) != NULL) {
			m->bad_line = lineno;
			return;
		}
		memcpy(line, t + b, e - b);
		line[e - b] = '\0';
		fam = sl_pfxfile_parse(line, a, &len, &why);
		if (fam < 0) {
			if (why == NULL || why[0] == '\0')
				sl_fuzz_die("sl_pfxfile_parse refused without a reason");
			m->bad_line = lineno;
			return;
		}
		sl_fz_round_trip(fam, a, len);
		if (fam == 4) {
			uint32_t a4 = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
				      (uint32_t)a[2] << 8 | a[3];

			if (sl_pfx_add4(&m->want, a4, len, sl_pfx_nh4(a4, len, n_nh)) < 0)
				sl_fuzz_die("out of memory");
		} else if (sl_pfx_add6(&m->want, a, len, sl_pfx_nh6(a, len, n_nh)) < 0) {
			sl_fuzz_die("out of memory");
		}
	}
}

/* Properties of whatever the loader returned, model or not. */
static void sl_fz_check_list(const struct sl_pfxlist *l, uint32_t n_nh)
{
	if (l->n4 < 1 || l->n6 < 1 || l->v4[0].addr != 0xc0000200u || l->v4[0].len != 24 ||
	    l->v4[0].nh != 1 || memcmp(l->v6[0].addr, sentinel6, 16) != 0 || l->v6[0].len != 32 ||
	    l->v6[0].nh != 1)
		sl_fuzz_die("the prefixes already in the list were changed");
	for (size_t i = 1; i < l->n4; i++) {
		const struct sl_pfx4 *p = &l->v4[i];
		uint32_t host = p->len >= 32 ? 0 : ~0u >> p->len;

		if (p->len > 32 || (p->addr & host) != 0)
			sl_fuzz_die("an IPv4 prefix with a bad length or host bits");
		if (p->nh != sl_pfx_nh4(p->addr, p->len, n_nh) || p->nh < 1 || p->nh > n_nh)
			sl_fuzz_die("an IPv4 prefix with the wrong next hop");
	}
	for (size_t i = 1; i < l->n6; i++) {
		const struct sl_pfx6 *p = &l->v6[i];
		uint8_t chk[16];

		if (p->len > 128)
			sl_fuzz_die("an IPv6 prefix longer than 128");
		memcpy(chk, p->addr, 16);
		for (unsigned int bit = p->len; bit < 128; bit++)
			chk[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
		if (memcmp(chk, p->addr, 16) != 0)
			sl_fuzz_die("an IPv6 prefix with host bits");
		if (p->nh != sl_pfx_nh6(p->addr, p->len, n_nh) || p->nh < 1 || p->nh > n_nh)
			sl_fuzz_die("an IPv6 prefix with the wrong next hop");
	}
}

static void sl_fz_compare(const struct sl_pfxlist *l, const struct sl_fz_model *m)
{
	if (l->n4 - 1 != m->want.n4 || l->n6 - 1 != m->want.n6)
		sl_fuzz_die("the load and the model disagree on the number of prefixes");
	for (size_t i = 0; i < m->want.n4; i++)
		if (l->v4[i + 1].addr != m->want.v4[i].addr ||
		    l->v4[i + 1].len != m->want.v4[i].len)
			sl_fuzz_die("an IPv4 prefix differs from the model (or is out of order)");
	for (size_t i = 0; i < m->want.n6; i++)
		if (memcmp(l->v6[i + 1].addr, m->want.v6[i].addr, 16) != 0 ||
		    l->v6[i + 1].len != m->want.v6[i].len)
			sl_fuzz_die("an IPv6 prefix differs from the model (or is out of order)");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_pfxlist l;
	struct sl_fz_model m;
	const uint8_t *text, *file;
	size_t tlen, flen;
	uint32_t n_nh;
	bool known;
	char err[512], want[96];
	int rc;

	if (size < 1 || size > SL_FZ_MAX_INPUT)
		return 0;
	n_nh = 1u + (data[0] >> 4);
	text = file = data + 1;
	tlen = flen = size - 1;
	if (data[0] & 1) {
		flen = sl_fz_gzip(text, tlen, Z_DEFAULT_COMPRESSION);
		file = zbuf;
		known = true;
		if (data[0] & 2) {
			flen -= 1 + 2 * ((data[0] >> 2) & 3);
			known = false;
		}
	} else {
		known = !(tlen >= 2 && text[0] == 0x1f && text[1] == 0x8b);
	}
	sl_fuzz_memfd_set(memfd, file, flen);

	memset(&l, 0, sizeof(l));
	if (sl_pfx_add4(&l, 0xc0000200u, 24, 1) < 0 || sl_pfx_add6(&l, sentinel6, 32, 1) < 0)
		sl_fuzz_die("out of memory");
	err[0] = '\0';
	rc = sl_pfx_load(path, n_nh, &l, err, sizeof(err));
	if (verbose)
		fprintf(stderr, "fuzz_pfxfile: rc %d, %zu IPv4 + %zu IPv6 loaded%s%s\n", rc,
			l.n4 - 1, l.n6 - 1, rc < 0 ? ": " : "", rc < 0 ? err : "");
	sl_fz_check_list(&l, n_nh);
	if (rc < 0 && (l.n4 != 1 || l.n6 != 1))
		sl_fuzz_die("a failed load left prefixes in the list");
	if (rc < 0 && strncmp(err, path, strlen(path)) != 0)
		sl_fuzz_die("a failed load without an error naming the file");
	if (rc > 0)
		sl_fuzz_die("sl_pfx_load returned a positive value");
	if ((data[0] & 3) == 3 && rc == 0)
		sl_fuzz_die("a gzip file cut short was loaded without an error");

	if (known) {
		sl_fz_model(text, tlen, n_nh, &m);
		if (m.bad_line) {
			snprintf(want, sizeof(want), "%s:%lu: ", path, m.bad_line);
			if (rc != -EINVAL)
				sl_fuzz_die("a bad line was accepted (the model refuses it)");
			if (strncmp(err, want, strlen(want)) != 0)
				sl_fuzz_die("the error names another line than the model");
		} else {
			if (rc != 0)
				sl_fuzz_die("a good file was refused (the model accepts it)");
			sl_fz_compare(&l, &m);
		}
		sl_pfx_free(&m.want);
	}
	sl_pfx_free(&l);
	return 0;
}
