/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sl_fib4 / sl_fib6 unit tests, both families through one set of helpers
 * (keys as 16 bytes, network order; IPv4 in the first 4):
 *
 *   differential  the Internet table (a 50k-prefix subset per family of
 *                 the real table named by SL_LPM_PREFIXES, all of it with
 *                 SL_LPM_FULL=1, a synthetic table when the file is absent)
 *                 built from the RIB; >= 100,000 random addresses per family
 *                 plus the first and last address of every 97th prefix
 *                 looked up (scalar, x4, bulk) and compared with a plain
 *                 bit-by-bit binary trie written here (not the RIB); IPv6
 *                 with both first-level widths
 *   churn +       random set/delete batches over nested prefixes (default
 *   left-right    route, /32, /128 included), instance A synced after every
 *                 change, instance B replaying the batch's changed prefixes
 *                 (shuffled, once each) after the batch; both compared with
 *                 the reference after every batch; deleting everything
 *                 leaves no tbl8 group in use
 *   -ENOSPC       a tiny tbl8 pool: the failing sync leaves a consistent
 *                 table answering old or new next hops, flagged incomplete;
 *                 a build into a large enough pool clears the flag
 *   attach        a second writer adopts a built instance (restarted
 *                 sluiced) and keeps syncing it; inconsistent headers are
 *                 refused
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sl_fib_writer.h"
#include "sl_pfxfile.h"

#define SL_T_SUBSET 50000u  /* prefixes per family unless SL_LPM_FULL=1 */
#define SL_T_RANDOM 100000u /* random probes per family */
#define SL_T_NH 255u

/* ---- random numbers and 16-byte keys ---------------------------------------- */

static uint64_t sl_t_rng = 7;

static uint64_t sl_t_rand(void)
{
	sl_t_rng += 0x9e3779b97f4a7c15ULL;
	return sl_pfx_mix64(sl_t_rng);
}

static uint32_t sl_t_below(uint32_t n)
{
	return (uint32_t)(((sl_t_rand() >> 32) * n) >> 32);
}

typedef uint8_t sl_t_key[16];

static void sl_t_from4(uint32_t a, sl_t_key k)
{
	memset(k, 0, 16);
	k[0] = (uint8_t)(a >> 24);
	k[1] = (uint8_t)(a >> 16);
	k[2] = (uint8_t)(a >> 8);
	k[3] = (uint8_t)a;
}

static uint32_t sl_t_to4(const sl_t_key k)
{
	return ((uint32_t)k[0] << 24) | ((uint32_t)k[1] << 16) | ((uint32_t)k[2] << 8) | k[3];
}

static unsigned int sl_t_bit(const sl_t_key k, unsigned int i)
{
	return (k[i >> 3] >> (7 - (i & 7))) & 1;
}

/* bits at and past `len` (within `bits`) set to `one` (last) or 0 (first),
 * or random (a host inside the prefix) */
enum { SL_T_FIRST, SL_T_LAST, SL_T_RANDOM_HOST };

static void sl_t_host(sl_t_key k, unsigned int len, unsigned int bits, int how)
{
	for (unsigned int i = len; i < bits; i++) {
		unsigned int v = how == SL_T_LAST ? 1 : how == SL_T_FIRST ? 0 : sl_t_rand() & 1;
		uint8_t m = (uint8_t)(0x80 >> (i & 7));

		k[i >> 3] = (uint8_t)(v ? k[i >> 3] | m : k[i >> 3] & ~m);
	}
}

/* k +/- 1 within `bits` (wrapping) */
static void sl_t_step(sl_t_key k, unsigned int bits, int up)
{
	for (int i = (int)bits / 8 - 1; i >= 0; i--) {
		k[i] = (uint8_t)(k[i] + (up ? 1 : -1));
		if (k[i] != (up ? 0 : 0xff))
			break;
	}
}

/* ---- the reference: a plain binary trie, one node per bit --------------------- */

struct sl_t_node {
	uint32_t child[2];
	uint32_t nh;
	uint8_t has;
};

struct sl_t_ref {
	struct sl_t_node *n;
	size_t used, cap;
	unsigned int bits;
};

static void sl_t_ref_init(struct sl_t_ref *r, unsigned int bits)
{
	r->bits = bits;
	r->cap = 1 << 16;
	r->n = calloc(r->cap, sizeof(*r->n));
	assert_non_null(r->n);
	r->used = 1; /* node 0: the root; child 0 means none */
}

static void sl_t_ref_free(struct sl_t_ref *r)
{
	free(r->n);
	memset(r, 0, sizeof(*r));
}

static void sl_t_ref_set(struct sl_t_ref *r, const sl_t_key k, unsigned int len, uint32_t nh,
			 bool has)
{
	uint32_t x = 0;

	for (unsigned int i = 0; i < len; i++) {
		unsigned int b = sl_t_bit(k, i);

		if (r->n[x].child[b] == 0) {
			if (!has)
				return;
			if (r->used == r->cap) {
				r->cap *= 2;
				r->n = realloc(r->n, r->cap * sizeof(*r->n));
				assert_non_null(r->n);
				memset(r->n + r->used, 0, (r->cap - r->used) * sizeof(*r->n));
			}
			r->n[x].child[b] = (uint32_t)r->used++;
		}
		x = r->n[x].child[b];
	}
	r->n[x].has = has;
	r->n[x].nh = nh;
}

static uint32_t sl_t_ref_lookup(const struct sl_t_ref *r, const sl_t_key k)
{
	uint32_t x = 0, nh = 0;

	for (unsigned int i = 0;; i++) {
		if (r->n[x].has)
			nh = r->n[x].nh;
		if (i == r->bits || r->n[x].child[sl_t_bit(k, i)] == 0)
			return nh;
		x = r->n[x].child[sl_t_bit(k, i)];
	}
}

/* ---- one family: RIB + FIB instances behind one interface -------------------- */

struct sl_t_fib {
	uint8_t *mem; /* the "segment": header at 0, tables at 64 */
	uint64_t size;
	bool v6;
	void *w; /* sl_fib4_writer or sl_fib6_writer */
};

struct sl_t_fam {
	bool v6;
	unsigned int bits, l1;
	struct sl_rib4 *rib4;
	struct sl_rib6 *rib6;
	struct sl_t_ref ref;
};

#define SL_T_OFF 64

static struct sl_fib4 *sl_t_hdr4(const struct sl_t_fib *f)
{
	return (struct sl_fib4 *)f->mem;
}

static struct sl_fib6 *sl_t_hdr6(const struct sl_t_fib *f)
{
	return (struct sl_fib6 *)f->mem;
}

static void sl_t_fib_new(struct sl_t_fib *f, const struct sl_t_fam *fam, uint32_t n_tbl8)
{
	f->v6 = fam->v6;
	f->size = SL_T_OFF + (fam->v6 ? sl_fib6_bytes(fam->l1, n_tbl8) : sl_fib4_bytes(n_tbl8));
	f->mem = aligned_alloc(64, (f->size + 63) & ~(uint64_t)63);
	assert_non_null(f->mem);
	if (fam->v6)
		f->w = sl_fib6_writer_new(f->mem, sl_t_hdr6(f), SL_T_OFF, n_tbl8, fam->l1);
	else
		f->w = sl_fib4_writer_new(f->mem, sl_t_hdr4(f), SL_T_OFF, n_tbl8);
	assert_non_null(f->w);
}

static void sl_t_fib_free(struct sl_t_fib *f)
{
	if (f->v6)
		sl_fib6_writer_free(f->w);
	else
		sl_fib4_writer_free(f->w);
	free(f->mem);
	memset(f, 0, sizeof(*f));
}

static int sl_t_build(struct sl_t_fib *f, const struct sl_t_fam *fam)
{
	return f->v6 ? sl_fib6_build(f->w, fam->rib6) : sl_fib4_build(f->w, fam->rib4);
}

static int sl_t_sync(struct sl_t_fib *f, const struct sl_t_fam *fam, const sl_t_key k,
		     unsigned int len)
{
	return f->v6 ? sl_fib6_sync(f->w, fam->rib6, k, (uint8_t)len)
		     : sl_fib4_sync(f->w, fam->rib4, sl_t_to4(k), (uint8_t)len);
}

static int sl_t_check(const struct sl_t_fib *f)
{
	return f->v6 ? sl_fib6_writer_check(f->w) : sl_fib4_writer_check(f->w);
}

static uint32_t sl_t_used(const struct sl_t_fib *f)
{
	return f->v6 ? sl_t_hdr6(f)->tbl8_used : sl_t_hdr4(f)->tbl8_used;
}

static uint32_t sl_t_flags(const struct sl_t_fib *f)
{
	return f->v6 ? sl_t_hdr6(f)->flags : sl_t_hdr4(f)->flags;
}

static uint32_t sl_t_lookup(const struct sl_t_fib *f, const sl_t_key k)
{
	return f->v6 ? sl_fib6_lookup(f->mem, sl_t_hdr6(f), k)
		     : sl_fib4_lookup(f->mem, sl_t_hdr4(f), sl_t_to4(k));
}

static void sl_t_fam_init(struct sl_t_fam *fam, bool v6, unsigned int l1)
{
	memset(fam, 0, sizeof(*fam));
	fam->v6 = v6;
	fam->bits = v6 ? 128 : 32;
	fam->l1 = l1;
	if (v6)
		fam->rib6 = sl_rib6_new();
	else
		fam->rib4 = sl_rib4_new();
	assert_true(fam->rib4 != NULL || fam->rib6 != NULL);
	sl_t_ref_init(&fam->ref, fam->bits);
}

static void sl_t_fam_free(struct sl_t_fam *fam)
{
	sl_rib4_free(fam->rib4);
	sl_rib6_free(fam->rib6);
	sl_t_ref_free(&fam->ref);
}

/* set (nh > 0 or `route`) or delete a route in the RIB and the reference */
static void sl_t_route(struct sl_t_fam *fam, const sl_t_key k, unsigned int len, uint32_t nh,
		       bool add)
{
	int rc;

	if (add)
		rc = fam->v6 ? sl_rib6_set(fam->rib6, k, (uint8_t)len, nh)
			     : sl_rib4_set(fam->rib4, sl_t_to4(k), (uint8_t)len, nh);
	else
		rc = fam->v6 ? sl_rib6_delete(fam->rib6, k, (uint8_t)len)
			     : sl_rib4_delete(fam->rib4, sl_t_to4(k), (uint8_t)len);
	assert_true(rc >= 0 || (!add && rc == -ENOENT));
	sl_t_ref_set(&fam->ref, k, len, nh, add);
}

static size_t sl_t_count(const struct sl_t_fam *fam)
{
	return fam->v6 ? sl_rib6_count(fam->rib6) : sl_rib4_count(fam->rib4);
}

/* ---- the table under test ---------------------------------------------------- */

struct sl_t_pfx {
	sl_t_key k;
	uint8_t len;
};

static struct sl_pfxlist sl_t_list;
static const char *sl_t_source;

static int sl_t_setup(void **state)
{
	const char *p = getenv("SL_LPM_PREFIXES");
	bool full = getenv("SL_LPM_FULL") != NULL && strcmp(getenv("SL_LPM_FULL"), "0") != 0;
	char err[256];

	if (p != NULL && access(p, R_OK) == 0 &&
	    sl_pfx_load(p, SL_T_NH, &sl_t_list, err, sizeof(err)) == 0) {
		sl_t_source = p;
		/* a subset: every k-th prefix, so the length mix stays the real one */
		if (!full) {
			size_t s4 = sl_t_list.n4 / SL_T_SUBSET + 1,
			       s6 = sl_t_list.n6 / SL_T_SUBSET + 1;
			size_t m = 0;

			for (size_t i = 0; i < sl_t_list.n4; i += s4)
				sl_t_list.v4[m++] = sl_t_list.v4[i];
			sl_t_list.n4 = m;
			m = 0;
			for (size_t i = 0; i < sl_t_list.n6; i += s6)
				sl_t_list.v6[m++] = sl_t_list.v6[i];
			sl_t_list.n6 = m;
		}
	} else {
		sl_t_source = "synthetic";
		sl_pfx_free(&sl_t_list);
		if (sl_pfx_synthesize(full ? SL_PFX_REAL_V4 : SL_T_SUBSET, SL_T_NH, 1, &sl_t_list) <
		    0)
			return -1;
	}
	fprintf(stderr, "fib_test: %s: %zu IPv4, %zu IPv6 prefixes\n", sl_t_source, sl_t_list.n4,
		sl_t_list.n6);
	return 0;
}

static int sl_t_teardown(void **state)
{
	sl_pfx_free(&sl_t_list);
	return 0;
}

/* the list's prefixes of one family as keys */
static struct sl_t_pfx *sl_t_prefixes(const struct sl_t_fam *fam, size_t *n)
{
	size_t cnt = fam->v6 ? sl_t_list.n6 : sl_t_list.n4;
	struct sl_t_pfx *v = calloc(cnt + 1, sizeof(*v));

	assert_non_null(v);
	for (size_t i = 0; i < cnt; i++) {
		if (fam->v6) {
			memcpy(v[i].k, sl_t_list.v6[i].addr, 16);
			v[i].len = sl_t_list.v6[i].len;
		} else {
			sl_t_from4(sl_t_list.v4[i].addr, v[i].k);
			v[i].len = sl_t_list.v4[i].len;
		}
	}
	*n = cnt;
	return v;
}

static uint32_t sl_t_nh(const struct sl_t_fam *fam, const sl_t_key k, unsigned int len)
{
	return fam->v6 ? sl_pfx_nh6(k, (uint8_t)len, SL_T_NH)
		       : sl_pfx_nh4(sl_t_to4(k), (uint8_t)len, SL_T_NH);
}

/* the first `max` prefixes of the family (all: 0) set in the RIB and the
 * reference, next hops by hash; returns them (n of them) */
static struct sl_t_pfx *sl_t_load(struct sl_t_fam *fam, size_t max, size_t *n)
{
	struct sl_t_pfx *v = sl_t_prefixes(fam, n);

	if (max && *n > max)
		*n = max;
	for (size_t i = 0; i < *n; i++)
		sl_t_route(fam, v[i].k, v[i].len, sl_t_nh(fam, v[i].k, v[i].len), true);
	return v;
}

/*
 * tbl8 groups for n prefixes of the table plus the churn: a random IPv6 /48
 * under a 16-bit first level shares no group with the others (the
 * synthetic table) and takes 4; IPv4 prefixes longer than /24 are rare.
 */
static uint32_t sl_t_pool(const struct sl_t_fam *fam, size_t n)
{
	return (uint32_t)(fam->v6 ? 8 * n : n / 4) + 8192;
}

/* a random address: uniform (IPv6: inside 2000::/3) or inside a prefix */
static void sl_t_probe(const struct sl_t_fam *fam, const struct sl_t_pfx *v, size_t n, bool inside,
		       sl_t_key k)
{
	if (inside && n) {
		const struct sl_t_pfx *p = &v[sl_t_below((uint32_t)n)];

		memcpy(k, p->k, 16);
		sl_t_host(k, p->len, fam->bits, SL_T_RANDOM_HOST);
		return;
	}
	memset(k, 0, 16);
	sl_t_host(k, 0, fam->bits, SL_T_RANDOM_HOST);
	if (fam->v6)
		k[0] = (uint8_t)(0x20 | (k[0] & 0x1f));
}

/* probes: SL_T_RANDOM random ones, then first/last of every 97th prefix */
static sl_t_key *sl_t_probes(const struct sl_t_fam *fam, const struct sl_t_pfx *v, size_t n,
			     size_t *np)
{
	size_t cap = SL_T_RANDOM + 2 * (n / 97 + 1), m = 0;
	sl_t_key *k = calloc(cap, sizeof(*k));

	assert_non_null(k);
	for (uint32_t i = 0; i < SL_T_RANDOM; i++)
		sl_t_probe(fam, v, n, i & 1, k[m++]);
	for (size_t i = 0; i < n; i += 97) {
		memcpy(k[m], v[i].k, 16);
		sl_t_host(k[m++], v[i].len, fam->bits, SL_T_FIRST);
		memcpy(k[m], v[i].k, 16);
		sl_t_host(k[m++], v[i].len, fam->bits, SL_T_LAST);
	}
	*np = m;
	return k;
}

/* every probe: scalar, x4 (IPv4) and bulk lookups agree with the reference */
static void sl_t_compare(const struct sl_t_fib *f, const struct sl_t_fam *fam, sl_t_key *k,
			 size_t n)
{
	size_t bad = 0;

	for (size_t i = 0; i < n; i += 16) {
		size_t c = n - i < 16 ? n - i : 16;
		uint32_t a4[16], bulk[16], x4[16], want[16];

		for (size_t j = 0; j < c; j++) {
			a4[j] = sl_t_to4(k[i + j]);
			want[j] = sl_t_ref_lookup(&fam->ref, k[i + j]);
		}
		if (f->v6) {
			sl_fib6_lookup_bulk(f->mem, sl_t_hdr6(f), (const uint8_t(*)[16]) & k[i],
					    bulk, (unsigned int)c);
			memcpy(x4, bulk, sizeof(x4));
		} else {
			sl_fib4_lookup_bulk(f->mem, sl_t_hdr4(f), a4, bulk, (unsigned int)c);
			for (size_t j = 0; j + 4 <= c; j += 4)
				sl_fib4_lookupx4(f->mem, sl_t_hdr4(f), &a4[j], &x4[j]);
			for (size_t j = c & ~(size_t)3; j < c; j++)
				x4[j] = bulk[j];
		}
		for (size_t j = 0; j < c; j++) {
			uint32_t one = sl_t_lookup(f, k[i + j]);

			if (one != want[j] || bulk[j] != want[j] || x4[j] != want[j]) {
				if (bad++ < 5) {
					char txt[64] = "";

					for (int b = 0; b < (f->v6 ? 16 : 4); b++)
						snprintf(txt + strlen(txt),
							 sizeof(txt) - strlen(txt), "%02x",
							 k[i + j][b]);
					print_error("mismatch at %s: lookup %u bulk %u x4 %u "
						    "reference %u\n",
						    txt, one, bulk[j], x4[j], want[j]);
				}
			}
		}
	}
	assert_int_equal(bad, 0);
}

/* ---- differential ------------------------------------------------------------- */

static void sl_t_differential(bool v6, unsigned int l1)
{
	struct sl_t_fam fam;
	struct sl_t_fib f;
	struct sl_t_pfx *v;
	sl_t_key *probes;
	size_t n, np;
	uint32_t n_tbl8 = 1024;
	int rc;

	sl_t_fam_init(&fam, v6, l1);
	v = sl_t_load(&fam, 0, &n);
	assert_true(sl_t_count(&fam) > 0);
	/* a pool that is too small fails cleanly; double until it fits */
	for (;;) {
		sl_t_fib_new(&f, &fam, n_tbl8);
		rc = sl_t_build(&f, &fam);
		if (rc == 0)
			break;
		assert_int_equal(rc, -ENOSPC);
		assert_true(sl_t_flags(&f) & SL_FIB_F_INCOMPLETE);
		assert_int_equal(sl_t_check(&f), 0);
		sl_t_fib_free(&f);
		n_tbl8 *= 2;
	}
	assert_int_equal(sl_t_flags(&f), SL_FIB_F_BUILT);
	assert_int_equal(sl_t_check(&f), 0);
	fprintf(stderr, "fib_test: ipv%d l1=%u: %zu prefixes, %u tbl8 groups used\n", v6 ? 6 : 4,
		v6 ? l1 : 24, n, sl_t_used(&f));
	probes = sl_t_probes(&fam, v, n, &np);
	assert_true(np >= SL_T_RANDOM);
	sl_t_compare(&f, &fam, probes, np);
	free(probes);
	free(v);
	sl_t_fib_free(&f);
	sl_t_fam_free(&fam);
}

static void test_differential4(void **state)
{
	sl_t_differential(false, 24);
}

static void test_differential6_l1_16(void **state)
{
	sl_t_differential(true, 16);
}

static void test_differential6_l1_24(void **state)
{
	sl_t_differential(true, 24);
}

/* ---- churn and left-right ------------------------------------------------------- */

/* a prefix from a few bases at nesting lengths: lots of overlap */
static void sl_t_churn_pick(const struct sl_t_fam *fam, const sl_t_key *bases, sl_t_key k,
			    uint8_t *len)
{
	static const uint8_t l4[] = {8, 15, 16, 20, 23, 24, 25, 26, 28, 30, 31, 32};
	static const uint8_t l6[] = {16, 20, 23, 24, 25,  29,  32,  33,	 40,
				     47, 48, 56, 64, 100, 120, 127, 128, 128};
	unsigned int len_ = fam->v6 ? l6[sl_t_below(sizeof(l6))] : l4[sl_t_below(sizeof(l4))];

	/* /0 and /1 rarely: an IPv4 one repaints up to 2^24 first-level entries */
	if (sl_t_below(50) == 0)
		len_ = sl_t_below(2);

	memcpy(k, bases[sl_t_below(8)], 16);
	/* sometimes a sibling: flip one of the last bits inside the prefix */
	if (len_ > 0 && sl_t_below(2)) {
		unsigned int b = len_ - 1 - sl_t_below(len_ < 4 ? len_ : 4);

		k[b >> 3] ^= (uint8_t)(0x80 >> (b & 7));
	}
	sl_t_host(k, len_, fam->bits, SL_T_FIRST);
	*len = (uint8_t)len_;
}

/* the routes left in the RIB, collected by a walk */
struct sl_t_left {
	struct sl_t_fam *fam;
	struct sl_t_pfx *v;
	size_t n;
};

static int sl_t_left4(uint32_t addr, uint8_t len, uint32_t nh, void *arg)
{
	struct sl_t_left *l = arg;

	sl_t_from4(addr, l->v[l->n].k);
	l->v[l->n++].len = len;
	return 0;
}

static int sl_t_left6(const uint8_t addr[16], uint8_t len, uint32_t nh, void *arg)
{
	struct sl_t_left *l = arg;

	memcpy(l->v[l->n].k, addr, 16);
	l->v[l->n++].len = len;
	return 0;
}

#define SL_T_BATCHES 30
#define SL_T_BATCH 120

static void sl_t_churn(bool v6, unsigned int l1)
{
	struct sl_t_fam fam;
	struct sl_t_fib a, b;
	struct sl_t_pfx *v, *changed;
	sl_t_key bases[8], *probes;
	size_t n, nchanged, np;

	sl_t_fam_init(&fam, v6, l1);
	/* a background of real prefixes, then churn around 8 bases */
	v = sl_t_load(&fam, 5000, &n);
	for (int i = 0; i < 8; i++) {
		if (i < 4 && n)
			memcpy(bases[i], v[sl_t_below((uint32_t)n)].k, 16);
		else
			sl_t_probe(&fam, v, 0, false, bases[i]);
	}
	sl_t_fib_new(&a, &fam, sl_t_pool(&fam, n));
	sl_t_fib_new(&b, &fam, sl_t_pool(&fam, n));
	assert_int_equal(sl_t_build(&a, &fam), 0);
	assert_int_equal(sl_t_build(&b, &fam), 0);
	changed = calloc(SL_T_BATCH, sizeof(*changed));
	probes = calloc(2000 + 4 * SL_T_BATCH, sizeof(*probes));
	assert_non_null(changed);
	assert_non_null(probes);

	for (int batch = 0; batch <= SL_T_BATCHES; batch++) {
		bool last = batch == SL_T_BATCHES;

		nchanged = 0;
		if (last) {
			/* delete every route, the background included: A per change,
			 * B from the list of changes in one replay at the end */
			for (size_t i = 0; i < n; i++) {
				sl_t_route(&fam, v[i].k, v[i].len, 0, false);
				assert_int_equal(sl_t_sync(&a, &fam, v[i].k, v[i].len), 0);
			}
			for (size_t i = 0; i < n; i++)
				assert_int_equal(sl_t_sync(&b, &fam, v[i].k, v[i].len), 0);
		}
		for (int op = 0; op < SL_T_BATCH; op++) {
			struct sl_t_pfx p;
			bool add = !last && sl_t_below(3) != 0;
			size_t j;

			if (last && op >= 64)
				break;
			sl_t_churn_pick(&fam, (const sl_t_key *)bases, p.k, &p.len);
			if (last) {
				/* the churned prefixes: try each nesting length at each base */
				memcpy(p.k, bases[op % 8], 16);
				p.len = (uint8_t)((op / 8) * (fam.bits / 8));
				sl_t_host(p.k, p.len, fam.bits, SL_T_FIRST);
			}
			sl_t_route(&fam, p.k, p.len, add ? 1 + sl_t_below(1000) : 0, add);
			assert_int_equal(sl_t_sync(&a, &fam, p.k, p.len), 0);
			for (j = 0; j < nchanged; j++)
				if (changed[j].len == p.len && memcmp(changed[j].k, p.k, 16) == 0)
					break;
			if (j == nchanged)
				changed[nchanged++] = p;
		}
		if (last) {
			/* whatever the churn left: delete it route by route */
			struct sl_t_left left = {.fam = &fam};
			size_t cnt = sl_t_count(&fam);

			left.v = calloc(cnt + 1, sizeof(*left.v));
			assert_non_null(left.v);
			if (fam.v6)
				sl_rib6_walk(fam.rib6, sl_t_left6, &left);
			else
				sl_rib4_walk(fam.rib4, sl_t_left4, &left);
			assert_int_equal(left.n, cnt);
			for (size_t j = 0; j < left.n; j++) {
				sl_t_route(&fam, left.v[j].k, left.v[j].len, 0, false);
				assert_int_equal(sl_t_sync(&a, &fam, left.v[j].k, left.v[j].len),
						 0);
				assert_int_equal(sl_t_sync(&b, &fam, left.v[j].k, left.v[j].len),
						 0);
			}
			free(left.v);
			assert_int_equal(sl_t_count(&fam), 0);
		}
		/* B: the batch's changed prefixes, shuffled, once each */
		for (size_t j = nchanged; j > 1; j--) {
			size_t r = sl_t_below((uint32_t)j);
			struct sl_t_pfx t = changed[j - 1];

			changed[j - 1] = changed[r];
			changed[r] = t;
		}
		for (size_t j = 0; j < nchanged; j++)
			assert_int_equal(sl_t_sync(&b, &fam, changed[j].k, changed[j].len), 0);

		/* probes: around the bases, uniform, and the edges of every change */
		np = 0;
		for (int i = 0; i < 2000; i++) {
			memcpy(probes[np], bases[i % 8], 16);
			if (i & 1)
				sl_t_host(probes[np], sl_t_below(fam.bits + 1), fam.bits,
					  SL_T_RANDOM_HOST);
			else
				sl_t_probe(&fam, v, n, i & 2, probes[np]);
			np++;
		}
		for (size_t j = 0; j < nchanged; j++) {
			for (int e = 0; e < 4; e++) {
				memcpy(probes[np], changed[j].k, 16);
				sl_t_host(probes[np], changed[j].len, fam.bits,
					  e & 1 ? SL_T_LAST : SL_T_FIRST);
				if (e >= 2) /* just outside */
					sl_t_step(probes[np], fam.bits, e & 1);
				np++;
			}
		}
		sl_t_compare(&a, &fam, probes, np);
		sl_t_compare(&b, &fam, probes, np);
		for (size_t i = 0; i < np; i++)
			assert_int_equal(sl_t_lookup(&a, probes[i]), sl_t_lookup(&b, probes[i]));
		if (batch % 10 == 0 || last) { /* a scan reads all 2^24 IPv4 entries */
			assert_int_equal(sl_t_check(&a), 0);
			assert_int_equal(sl_t_check(&b), 0);
		}
	}
	/* everything deleted: every group back in the pool, every address unrouted */
	assert_int_equal(sl_t_used(&a), 0);
	assert_int_equal(sl_t_used(&b), 0);
	for (size_t i = 0; i < 1000; i++) {
		sl_t_probe(&fam, v, n, i & 1, probes[0]);
		assert_int_equal(sl_t_lookup(&a, probes[0]), 0);
	}
	free(changed);
	free(probes);
	free(v);
	sl_t_fib_free(&a);
	sl_t_fib_free(&b);
	sl_t_fam_free(&fam);
}

static void test_churn4(void **state)
{
	sl_t_churn(false, 24);
}

static void test_churn6(void **state)
{
	sl_t_churn(true, SL_FIB6_L1_BITS_DEFAULT);
}

/* ---- -ENOSPC ----------------------------------------------------------------- */

static void sl_t_enospc(bool v6)
{
	struct sl_t_fam fam;
	struct sl_t_fib f, big;
	sl_t_key k, p;
	unsigned int plen = v6 ? 40 : 25, i;
	uint32_t before[64];
	int rc = 0;

	sl_t_fam_init(&fam, v6, SL_FIB6_L1_BITS_DEFAULT);
	sl_t_fib_new(&f, &fam, 3);
	/* a default route, then long prefixes in distinct first-level slots,
	 * one group (IPv6: several) each, until the pool runs out */
	memset(k, 0, 16);
	sl_t_route(&fam, k, 0, 9, true);
	assert_int_equal(sl_t_sync(&f, &fam, k, 0), 0);
	for (i = 0; i < 64 && rc == 0; i++) {
		memset(p, 0, 16);
		p[0] = (uint8_t)(0x20 + i);
		if (!v6)
			p[0] = (uint8_t)(10 + i);
		for (int e = 0; e < 2; e++) {
			memcpy(k, p, 16);
			sl_t_host(k, plen, fam.bits, e ? SL_T_LAST : SL_T_FIRST);
			before[e] = sl_t_lookup(&f, k);
		}
		sl_t_route(&fam, p, plen, 100 + i, true);
		rc = sl_t_sync(&f, &fam, p, plen);
	}
	assert_int_equal(rc, -ENOSPC);
	assert_true(sl_t_flags(&f) & SL_FIB_F_INCOMPLETE);
	/* still a consistent table: no leaked or shared group */
	assert_int_equal(sl_t_check(&f), 0);
	assert_true(sl_t_used(&f) <= 3);
	/* the failed prefix answers its old or its new next hop */
	for (int e = 0; e < 2; e++) {
		uint32_t got;

		memcpy(k, p, 16);
		sl_t_host(k, plen, fam.bits, e ? SL_T_LAST : SL_T_FIRST);
		got = sl_t_lookup(&f, k);
		assert_true(got == before[e] || got == 100 + i - 1);
	}
	/* the prefixes synced before still answer right */
	for (unsigned int j = 0; j + 1 < i; j++) {
		memset(k, 0, 16);
		k[0] = (uint8_t)(v6 ? 0x20 + j : 10 + j);
		assert_int_equal(sl_t_lookup(&f, k), 100 + j);
		k[1] = 1; /* outside the prefix: the default route */
		assert_int_equal(sl_t_lookup(&f, k), 9);
	}
	/* a pool large enough: a build clears the flag and answers everything */
	sl_t_fib_new(&big, &fam, 1024);
	assert_int_equal(sl_t_build(&big, &fam), 0);
	assert_int_equal(sl_t_flags(&big), SL_FIB_F_BUILT);
	for (unsigned int j = 0; j < i; j++) {
		memset(k, 0, 16);
		k[0] = (uint8_t)(v6 ? 0x20 + j : 10 + j);
		assert_int_equal(sl_t_lookup(&big, k), sl_t_ref_lookup(&fam.ref, k));
		assert_int_equal(sl_t_lookup(&big, k), 100 + j);
	}
	/* deleting the routes frees the groups of the small instance again */
	for (unsigned int j = 0; j < i; j++) {
		memset(k, 0, 16);
		k[0] = (uint8_t)(v6 ? 0x20 + j : 10 + j);
		sl_t_route(&fam, k, plen, 0, false);
		assert_int_equal(sl_t_sync(&f, &fam, k, plen), 0);
	}
	assert_int_equal(sl_t_used(&f), 0);
	assert_int_equal(sl_t_check(&f), 0);
	sl_t_fib_free(&f);
	sl_t_fib_free(&big);
	sl_t_fam_free(&fam);
}

static void test_enospc4(void **state)
{
	sl_t_enospc(false);
}

static void test_enospc6(void **state)
{
	sl_t_enospc(true);
}

/* ---- attach -------------------------------------------------------------------- */

static void test_attach(void **state)
{
	struct sl_t_fam fam;
	struct sl_t_fib f;
	struct sl_t_pfx *v;
	sl_t_key *probes;
	size_t n, np;
	struct sl_fib6_writer *w2;

	sl_t_fam_init(&fam, true, SL_FIB6_L1_BITS_DEFAULT);
	v = sl_t_load(&fam, 3000, &n);
	sl_t_fib_new(&f, &fam, sl_t_pool(&fam, n));
	assert_int_equal(sl_t_build(&f, &fam), 0);

	/* refused: memory too small, a wrong group count, a dangling group */
	errno = 0;
	assert_null(sl_fib6_writer_attach(f.mem, sl_t_hdr6(&f), f.size - 1));
	assert_int_equal(errno, EINVAL);
	sl_t_hdr6(&f)->tbl8_used++;
	assert_null(sl_fib6_writer_attach(f.mem, sl_t_hdr6(&f), f.size));
	assert_int_equal(errno, EINVAL);
	sl_t_hdr6(&f)->tbl8_used--;

	/* the old writer goes away (sluiced killed); a new one adopts the table */
	sl_fib6_writer_free(f.w);
	w2 = sl_fib6_writer_attach(f.mem, sl_t_hdr6(&f), f.size);
	assert_non_null(w2);
	f.w = w2;
	assert_int_equal(sl_t_check(&f), 0);
	/* and keeps it in sync: delete half, change the rest */
	for (size_t i = 0; i < n; i++) {
		bool del = i & 1;

		sl_t_route(&fam, v[i].k, v[i].len, del ? 0 : 7, !del);
		assert_int_equal(sl_t_sync(&f, &fam, v[i].k, v[i].len), 0);
	}
	assert_int_equal(sl_t_check(&f), 0);
	probes = sl_t_probes(&fam, v, n, &np);
	sl_t_compare(&f, &fam, probes, np);
	free(probes);

	/* a group pointer out of range: refused */
	uint32_t *t1 = (uint32_t *)(f.mem + sl_t_hdr6(&f)->tbl1_off);

	t1[0] = SL_FIB_EXT | sl_t_hdr6(&f)->n_tbl8;
	assert_null(sl_fib6_writer_attach(f.mem, sl_t_hdr6(&f), f.size));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(sl_t_check(&f), -EPROTO);
	t1[0] = 0;
	free(v);
	sl_t_fib_free(&f);
	sl_t_fam_free(&fam);
}

/* ---- move ---------------------------------------------------------------------- */

/* Built in one place, moved to another (new base, offset and header), the
 * old memory scribbled over: the moved instance answers as the RIB does,
 * passes the writer's scan, and keeps being synced there. A copy of it
 * (sl_fib*_writer_copy()) in a third place does the same, with free groups
 * of its own. */
static void sl_t_move(bool v6)
{
	struct sl_t_fam fam;
	struct sl_t_fib f, g, h;
	struct sl_t_pfx *v;
	sl_t_key *probes;
	size_t n, np;
	uint32_t used;

	sl_t_fam_init(&fam, v6, v6 ? SL_FIB6_L1_BITS_DEFAULT : 24);
	v = sl_t_load(&fam, 3000, &n);
	sl_t_fib_new(&f, &fam, sl_t_pool(&fam, n));
	assert_int_equal(sl_t_build(&f, &fam), 0);
	used = sl_t_used(&f);
	assert_true(used > 0);
	/* the destination: another size of header room, garbage everywhere */
	g.v6 = v6;
	g.size = f.size + 4096;
	g.mem = aligned_alloc(64, (g.size + 63) & ~(uint64_t)63);
	assert_non_null(g.mem);
	memset(g.mem, 0xa5, g.size);
	g.w = f.w;
	assert_int_equal(v6 ? sl_fib6_writer_move(g.w, g.mem, sl_t_hdr6(&g), SL_T_OFF + 4096)
			    : sl_fib4_writer_move(g.w, g.mem, sl_t_hdr4(&g), SL_T_OFF + 4096),
			 0);
	assert_int_equal(v6 ? sl_fib6_writer_move(g.w, g.mem, sl_t_hdr6(&g), 2)
			    : sl_fib4_writer_move(g.w, g.mem, sl_t_hdr4(&g), 2),
			 -EINVAL);
	memset(f.mem, 0x5a, f.size); /* the old place is gone */
	free(f.mem);
	assert_int_equal(sl_t_used(&g), used);
	assert_int_equal(sl_t_flags(&g), SL_FIB_F_BUILT);
	assert_int_equal(sl_t_check(&g), 0);
	probes = sl_t_probes(&fam, v, n, &np);
	sl_t_compare(&g, &fam, probes, np);
	h.v6 = v6;
	h.size = g.size;
	h.mem = aligned_alloc(64, (h.size + 63) & ~(uint64_t)63);
	assert_non_null(h.mem);
	memset(h.mem, 0x3c, h.size);
	h.w = v6 ? (void *)sl_fib6_writer_copy(g.w, h.mem, sl_t_hdr6(&h), SL_T_OFF)
		 : (void *)sl_fib4_writer_copy(g.w, h.mem, sl_t_hdr4(&h), SL_T_OFF);
	assert_non_null(h.w);
	assert_int_equal(v6 ? sl_fib6_writer_groups(h.w) : sl_fib4_writer_groups(h.w),
			 v6 ? sl_fib6_writer_groups(g.w) : sl_fib4_writer_groups(g.w));
	assert_int_equal(sl_t_used(&h), used);
	assert_int_equal(sl_t_check(&h), 0);
	sl_t_compare(&h, &fam, probes, np);
	free(probes);
	/* synced in the new places: delete a third, re-point the rest */
	for (size_t i = 0; i < n; i++) {
		bool del = i % 3 == 0;

		sl_t_route(&fam, v[i].k, v[i].len, del ? 0 : 5, !del);
		assert_int_equal(sl_t_sync(&g, &fam, v[i].k, v[i].len), 0);
		assert_int_equal(sl_t_sync(&h, &fam, v[i].k, v[i].len), 0);
	}
	assert_int_equal(sl_t_check(&g), 0);
	assert_int_equal(sl_t_check(&h), 0);
	assert_int_equal(sl_t_used(&h), sl_t_used(&g));
	probes = sl_t_probes(&fam, v, n, &np);
	sl_t_compare(&g, &fam, probes, np);
	sl_t_fib_free(&g); /* the copy does not need it */
	sl_t_compare(&h, &fam, probes, np);
	free(probes);
	free(v);
	sl_t_fib_free(&h);
	sl_t_fam_free(&fam);
}

static void test_move4(void **state)
{
	sl_t_move(false);
}

static void test_move6(void **state)
{
	sl_t_move(true);
}

static void test_bad_args(void **state)
{
	struct sl_fib4 h4;
	struct sl_fib6 h6;
	uint8_t mem[64];

	errno = 0;
	assert_null(sl_fib4_writer_new(mem, &h4, 2, 1));
	assert_int_equal(errno, EINVAL);
	assert_null(sl_fib4_writer_new(mem, &h4, 0, SL_FIB_NH_MAX + 1u));
	assert_null(sl_fib6_writer_new(mem, &h6, 0, 1, 20));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(sl_fib4_bytes(0), 64ull << 20);
	assert_int_equal(sl_fib6_bytes(16, 1), (256 << 10) + 1024);
}

/* a sync of a bad prefix is refused and changes nothing */
static void test_sync_bad_prefix(void **state)
{
	struct sl_t_fam fam4, fam6;
	struct sl_t_fib f4, f6;
	sl_t_key k = {0x20, 0x01, 0x0d, 0xb8, 0xff};

	sl_t_fam_init(&fam4, false, 24);
	sl_t_fam_init(&fam6, true, 16);
	sl_t_fib_new(&f4, &fam4, 4);
	sl_t_fib_new(&f6, &fam6, 4);
	sl_t_route(&fam6, k, 40, 5, true);
	assert_int_equal(sl_t_sync(&f6, &fam6, k, 40), 0);
	assert_int_equal(sl_fib4_sync(f4.w, fam4.rib4, 0x0a000001, 8), -EINVAL); /* host bits */
	assert_int_equal(sl_fib4_sync(f4.w, fam4.rib4, 0, 33), -EINVAL);
	assert_int_equal(sl_fib6_sync(f6.w, fam6.rib6, k, 16), -EINVAL);
	assert_int_equal(sl_fib6_sync(f6.w, fam6.rib6, k, 129), -EINVAL);
	assert_int_equal(sl_rib4_walk_under(fam4.rib4, 1, 8, NULL, NULL), -EINVAL);
	assert_int_equal(sl_t_lookup(&f6, k), 5);
	assert_int_equal(sl_t_used(&f6), 3); /* /40 under a 16-bit level: 3 groups */
	assert_int_equal(sl_t_flags(&f4) & SL_FIB_F_INCOMPLETE, 0);
	assert_int_equal(sl_t_check(&f4), 0);
	assert_int_equal(sl_t_check(&f6), 0);
	sl_t_fib_free(&f4);
	sl_t_fib_free(&f6);
	sl_t_fam_free(&fam4);
	sl_t_fam_free(&fam6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_differential4),
	    cmocka_unit_test(test_differential6_l1_16),
	    cmocka_unit_test(test_differential6_l1_24),
	    cmocka_unit_test(test_churn4),
	    cmocka_unit_test(test_churn6),
	    cmocka_unit_test(test_enospc4),
	    cmocka_unit_test(test_enospc6),
	    cmocka_unit_test(test_attach),
	    cmocka_unit_test(test_move4), cmocka_unit_test(test_move6),
	    cmocka_unit_test(test_bad_args),
	    cmocka_unit_test(test_sync_bad_prefix),
	};

	if (getenv("SL_T_FILTER") != NULL) /* e.g. SL_T_FILTER='test_churn*' */
		cmocka_set_test_filter(getenv("SL_T_FILTER"));
	return cmocka_run_group_tests(tests, sl_t_setup, sl_t_teardown);
}
