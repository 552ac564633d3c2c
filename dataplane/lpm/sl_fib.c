/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FIB writers: one engine for both families (a first level of l1 bits,
 * 8-bit tbl8 groups below, keys right-aligned in `bits` bits); see the
 * design note in sl_fib_writer.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sl_fib_writer.h"
#include "sl_lpm_int.h"

struct sl_fib_eng {
	uint32_t *tbl1; /* first level: 2^l1 entries */
	uint32_t *tbl8; /* n_tbl8 groups */
	unsigned int bits, l1;
	uint32_t n_tbl8;
	uint32_t *free_stack; /* free group indices; top at n_free - 1 */
	uint32_t n_free;
	uint32_t hwm;	 /* groups at or past it were never handed out */
	uint32_t *used;	 /* the header's tbl8_used */
	uint32_t *flags; /* the header's flags */
};

struct sl_fib4_writer {
	struct sl_fib_eng e;
	struct sl_fib4 *hdr;
};

struct sl_fib6_writer {
	struct sl_fib_eng e;
	struct sl_fib6 *hdr;
};

static uint32_t *sl_fib_group(const struct sl_fib_eng *e, uint32_t g)
{
	return e->tbl8 + (size_t)g * SL_FIB_GROUP;
}

static int sl_fib_alloc(struct sl_fib_eng *e, uint32_t *g)
{
	if (e->n_free == 0)
		return -ENOSPC;
	*g = e->free_stack[--e->n_free];
	if (*g >= e->hwm)
		e->hwm = *g + 1;
	(*e->used)++;
	return 0;
}

/* free group g and every group below it */
static void sl_fib_release(struct sl_fib_eng *e, uint32_t g)
{
	uint32_t *grp = sl_fib_group(e, g);

	for (unsigned int i = 0; i < SL_FIB_GROUP; i++)
		if (grp[i] & SL_FIB_EXT)
			sl_fib_release(e, grp[i] & SL_FIB_NH_MAX);
	e->free_stack[e->n_free++] = g;
	(*e->used)--;
}

/* every group free, first level all "no route" */
static void sl_fib_reset(struct sl_fib_eng *e)
{
	memset(e->tbl1, 0, ((size_t)1 << e->l1) * sizeof(uint32_t));
	/* pop order 0, 1, 2, ...: the table grows from the start of tbl8 */
	for (uint32_t i = 0; i < e->n_tbl8; i++)
		e->free_stack[i] = e->n_tbl8 - 1 - i;
	e->n_free = e->n_tbl8;
	e->hwm = 0;
	*e->used = 0;
}

/* replace an entry whose whole range gets value v */
static void sl_fib_set(struct sl_fib_eng *e, uint32_t *ent, uint32_t v)
{
	if (*ent & SL_FIB_EXT)
		sl_fib_release(e, *ent & SL_FIB_NH_MAX);
	*ent = v;
}

/* a group whose entries are all the same next hop becomes that next hop */
static void sl_fib_collapse(struct sl_fib_eng *e, uint32_t *ent)
{
	uint32_t g = *ent & SL_FIB_NH_MAX, *grp, v;

	if (!(*ent & SL_FIB_EXT))
		return;
	grp = sl_fib_group(e, g);
	v = grp[0];
	if (v & SL_FIB_EXT)
		return;
	for (unsigned int i = 1; i < SL_FIB_GROUP; i++)
		if (grp[i] != v)
			return;
	*ent = v;
	e->free_stack[e->n_free++] = g;
	(*e->used)--;
}

/*
 * Set every address in [lo, hi] to next hop v in table t, which resolves
 * the `w` bits after the first `c` bits of the key and covers the keys
 * starting at tbase. The group an entry points to is entered only for a
 * slot the range covers in part.
 */
static int sl_fib_fill_tbl(struct sl_fib_eng *e, uint32_t *t, unsigned int c, unsigned int w,
			   sl_key tbase, sl_key lo, sl_key hi, uint32_t v);

/* slot s of table t gets [lo, hi] (inside the slot's range) painted v */
static int sl_fib_fill_slot(struct sl_fib_eng *e, uint32_t *t, size_t s, unsigned int c,
			    unsigned int w, sl_key tbase, sl_key lo, sl_key hi, uint32_t v)
{
	unsigned int shift = e->bits - c - w;
	sl_key slo = tbase + ((sl_key)s << shift), shi = slo + ((((sl_key)1) << shift) - 1);
	uint32_t g, *grp;
	int rc;

	if (lo == slo && hi == shi) {
		sl_fib_set(e, &t[s], v);
		return 0;
	}
	if (t[s] & SL_FIB_EXT) {
		g = t[s] & SL_FIB_NH_MAX;
	} else {
		if (sl_fib_alloc(e, &g) < 0)
			return -ENOSPC;
		grp = sl_fib_group(e, g);
		for (unsigned int i = 0; i < SL_FIB_GROUP; i++)
			grp[i] = t[s];
		t[s] = SL_FIB_EXT | g; /* after the group is complete */
	}
	rc = sl_fib_fill_tbl(e, sl_fib_group(e, g), c + w, 8, slo, lo, hi, v);
	sl_fib_collapse(e, &t[s]);
	return rc;
}

/*
 * Set every address in [lo, hi] to next hop v in table t, which resolves
 * the `w` bits after the first `c` bits of the key and covers the keys
 * starting at tbase. Only the first and the last slot can be covered in
 * part (their groups are entered); the slots between are replaced whole.
 */
static int sl_fib_fill_tbl(struct sl_fib_eng *e, uint32_t *t, unsigned int c, unsigned int w,
			   sl_key tbase, sl_key lo, sl_key hi, uint32_t v)
{
	unsigned int shift = e->bits - c - w;
	size_t s_lo = (size_t)((lo - tbase) >> shift), s_hi = (size_t)((hi - tbase) >> shift);
	sl_key span_m1 = (((sl_key)1) << shift) - 1;
	int rc;

	if (s_lo == s_hi)
		return sl_fib_fill_slot(e, t, s_lo, c, w, tbase, lo, hi, v);
	rc = sl_fib_fill_slot(e, t, s_lo, c, w, tbase, lo, lo | span_m1, v);
	if (rc < 0)
		return rc;
	for (size_t s = s_lo + 1; s < s_hi; s++) {
		if (t[s] & SL_FIB_EXT)
			sl_fib_release(e, t[s] & SL_FIB_NH_MAX);
		t[s] = v;
	}
	return sl_fib_fill_slot(e, t, s_hi, c, w, tbase, hi & ~span_m1, hi, v);
}

static int sl_fib_fill(struct sl_fib_eng *e, sl_key lo, sl_key hi, uint32_t v)
{
	return sl_fib_fill_tbl(e, e->tbl1, 0, e->l1, 0, lo, hi, v);
}

/*
 * Paint k/len: its range minus the routes directly under it gets next hop
 * v; with `deep`, each of those routes is painted the same way in turn
 * (full build), else they are left alone (sync).
 */
struct sl_fib_paint {
	struct sl_fib_eng *e;
	const struct sl_rib *rib;
	sl_key next; /* first address not painted yet */
	bool end;    /* the range is painted to its last address */
	uint32_t v;
	bool deep;
};

static int sl_fib_paint(struct sl_fib_eng *e, const struct sl_rib *rib, sl_key k, unsigned int len,
			uint32_t v, bool deep);

static int sl_fib_paint_cb(sl_key k, uint8_t len, uint32_t nh, void *arg)
{
	struct sl_fib_paint *p = arg;
	sl_key last = k | ~sl_key_mask(p->e->bits, len);
	int rc;

	if (p->e->bits < 128)
		last &= ((sl_key)1 << p->e->bits) - 1;
	if (k > p->next) {
		rc = sl_fib_fill(p->e, p->next, k - 1, p->v);
		if (rc < 0)
			return rc;
	}
	if (p->deep) {
		rc = sl_fib_paint(p->e, p->rib, k, len, nh, true);
		if (rc < 0)
			return rc;
	}
	p->next = last + 1;
	p->end = last == (p->e->bits == 128 ? ~(sl_key)0 : ((sl_key)1 << p->e->bits) - 1);
	return 0;
}

static int sl_fib_paint(struct sl_fib_eng *e, const struct sl_rib *rib, sl_key k, unsigned int len,
			uint32_t v, bool deep)
{
	struct sl_fib_paint p = {.e = e, .rib = rib, .next = k, .v = v, .deep = deep};
	sl_key last = k | ~sl_key_mask(e->bits, len);
	int rc;

	if (e->bits < 128)
		last &= ((sl_key)1 << e->bits) - 1;
	rc = sl_rib_walk_under(rib, k, len, sl_fib_paint_cb, &p);
	if (rc < 0)
		return rc;
	if (!p.end && p.next <= last)
		rc = sl_fib_fill(e, p.next, last, v);
	return rc;
}

static int sl_fib_build(struct sl_fib_eng *e, const struct sl_rib *rib)
{
	uint32_t v = 0;
	int rc;

	sl_fib_reset(e);
	sl_rib_cover(rib, 0, 0, NULL, NULL, &v); /* a default route */
	rc = sl_fib_paint(e, rib, 0, 0, v, true);
	if (rc < 0)
		*e->flags |= SL_FIB_F_INCOMPLETE;
	else
		*e->flags = (*e->flags & ~SL_FIB_F_INCOMPLETE) | SL_FIB_F_BUILT;
	return rc;
}

static int sl_fib_sync(struct sl_fib_eng *e, const struct sl_rib *rib, sl_key k, unsigned int len)
{
	uint32_t v = 0;
	int rc;

	if (len > e->bits || (k & ~sl_key_mask(e->bits, len)) != 0)
		return -EINVAL;
	sl_rib_cover(rib, k, len, NULL, NULL, &v);
	rc = sl_fib_paint(e, rib, k, len, v, false);
	if (rc < 0)
		*e->flags |= SL_FIB_F_INCOMPLETE;
	return rc;
}

/*
 * Mark the groups reachable from table t (refs[g] counts references).
 * -EPROTO on a group index out of range, a group referenced twice or a
 * chain deeper than the key.
 */
static int sl_fib_mark(const struct sl_fib_eng *e, const uint32_t *t, size_t n, unsigned int c,
		       uint8_t *refs)
{
	for (size_t s = 0; s < n; s++) {
		uint32_t g = t[s] & SL_FIB_NH_MAX;
		int rc;

		if (!(t[s] & SL_FIB_EXT))
			continue;
		if (g >= e->n_tbl8 || refs[g] || c + 8 > e->bits)
			return -EPROTO;
		refs[g] = 1;
		rc = sl_fib_mark(e, sl_fib_group(e, g), SL_FIB_GROUP, c + 8, refs);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* the groups in use per the tables; NULL (errno) when inconsistent */
static uint8_t *sl_fib_scan(const struct sl_fib_eng *e, uint32_t *n_used)
{
	uint8_t *refs = calloc(e->n_tbl8 ? e->n_tbl8 : 1, 1);
	uint32_t n = 0;

	if (refs == NULL)
		return NULL;
	if (sl_fib_mark(e, e->tbl1, (size_t)1 << e->l1, e->l1, refs) < 0) {
		free(refs);
		errno = EPROTO;
		return NULL;
	}
	for (uint32_t g = 0; g < e->n_tbl8; g++)
		n += refs[g];
	*n_used = n;
	return refs;
}

static int sl_fib_check(const struct sl_fib_eng *e)
{
	uint32_t n_used = 0;
	uint8_t *refs = sl_fib_scan(e, &n_used);
	int rc = 0;

	if (refs == NULL)
		return -EPROTO;
	if (n_used != *e->used || n_used + e->n_free != e->n_tbl8)
		rc = -EPROTO;
	for (uint32_t i = 0; i < e->n_free && rc == 0; i++)
		if (e->free_stack[i] >= e->n_tbl8 || refs[e->free_stack[i]]++)
			rc = -EPROTO; /* a free group in use, or free twice */
	free(refs);
	return rc;
}

/* adopt the tables as they are: the free stack from a scan */
static int sl_fib_eng_adopt(struct sl_fib_eng *e)
{
	uint32_t n_used = 0;
	uint8_t *refs = sl_fib_scan(e, &n_used);

	if (refs == NULL)
		return errno == ENOMEM ? -ENOMEM : -EINVAL;
	if (n_used != *e->used) {
		free(refs);
		return -EINVAL;
	}
	e->n_free = 0;
	e->hwm = e->n_tbl8; /* not known: any group may be in use */
	for (uint32_t g = e->n_tbl8; g-- > 0;)
		if (!refs[g])
			e->free_stack[e->n_free++] = g;
	free(refs);
	return 0;
}

/* what the engine needs of either header */
struct sl_fib_hdr {
	uint64_t tbl1_off, tbl8_off;
	uint32_t n_tbl8;
	uint32_t *used, *flags;
	unsigned int bits, l1;
};

#define SL_FIB_HDR(h, t1, b, l)                                                                    \
	((struct sl_fib_hdr){(h)->t1, (h)->tbl8_off, (h)->n_tbl8, &(h)->tbl8_used, &(h)->flags,    \
			     (b), (l)})

/*
 * A writer of `size` bytes (struct sl_fib4_writer or sl_fib6_writer: both
 * start with the engine) over the tables a header describes: new and
 * empty, or adopting the tables as they are. NULL with errno on failure.
 */
static void *sl_fib_writer_make(size_t size, void *base, struct sl_fib_hdr h, bool adopt)
{
	struct sl_fib_eng *e = calloc(1, size);
	int rc = -ENOMEM;

	if (e == NULL)
		return NULL;
	e->tbl1 = (uint32_t *)((uint8_t *)base + h.tbl1_off);
	e->tbl8 = (uint32_t *)((uint8_t *)base + h.tbl8_off);
	e->bits = h.bits;
	e->l1 = h.l1;
	e->n_tbl8 = h.n_tbl8;
	e->used = h.used;
	e->flags = h.flags;
	e->free_stack = malloc((h.n_tbl8 ? h.n_tbl8 : 1) * sizeof(uint32_t));
	if (e->free_stack != NULL) {
		rc = 0;
		if (adopt)
			rc = sl_fib_eng_adopt(e);
		else
			sl_fib_reset(e);
	}
	if (rc < 0) {
		free(e->free_stack);
		free(e);
		errno = -rc;
		return NULL;
	}
	return e;
}

/* Copy the tables to their new place (the groups up to the high-water
 * mark: the others were never handed out, so nothing refers to them) and
 * point the engine there. Entries hold group numbers, not addresses, so
 * the copy is the instance. */
static void sl_fib_eng_move(struct sl_fib_eng *e, void *base, uint64_t tbl1_off,
			    uint64_t tbl8_off, uint32_t *used, uint32_t *flags)
{
	uint32_t *t1 = (uint32_t *)((uint8_t *)base + tbl1_off);
	uint32_t *t8 = (uint32_t *)((uint8_t *)base + tbl8_off);

	memcpy(t1, e->tbl1, ((size_t)1 << e->l1) * sizeof(uint32_t));
	memcpy(t8, e->tbl8, (size_t)e->hwm * SL_FIB_GROUP * sizeof(uint32_t));
	*used = *e->used;
	*flags = *e->flags;
	e->tbl1 = t1;
	e->tbl8 = t8;
	e->used = used;
	e->flags = flags;
}

/* A writer of `size` bytes for a copy of src's tables at their new place
 * (sl_fib_eng_move() from src's), with its own free stack. */
static void *sl_fib_writer_copy(size_t size, const struct sl_fib_eng *src, void *base,
				uint64_t tbl1_off, uint64_t tbl8_off, uint32_t *used, uint32_t *flags)
{
	struct sl_fib_eng *e = calloc(1, size);

	if (e == NULL)
		return NULL;
	*e = *src;
	e->free_stack = malloc((src->n_tbl8 ? src->n_tbl8 : 1) * sizeof(uint32_t));
	if (e->free_stack == NULL) {
		free(e);
		return NULL;
	}
	memcpy(e->free_stack, src->free_stack, (size_t)src->n_free * sizeof(uint32_t));
	sl_fib_eng_move(e, base, tbl1_off, tbl8_off, used, flags);
	return e;
}

static void sl_fib_writer_release(struct sl_fib_eng *e)
{
	if (e == NULL)
		return;
	free(e->free_stack);
	free(e);
}

static uint64_t sl_fib_tbl8_bytes(uint32_t n_tbl8)
{
	return (uint64_t)n_tbl8 * SL_FIB_GROUP * sizeof(uint32_t);
}

/* an existing header describes tables of the right shape inside `size` */
static bool sl_fib_hdr_ok(struct sl_fib_hdr h, uint64_t size)
{
	uint64_t tbl1_bytes = ((uint64_t)1 << h.l1) * sizeof(uint32_t);

	return h.n_tbl8 <= SL_FIB_NH_MAX && h.tbl1_off % 4 == 0 &&
	       h.tbl8_off == h.tbl1_off + tbl1_bytes &&
	       h.tbl1_off + tbl1_bytes + sl_fib_tbl8_bytes(h.n_tbl8) <= size;
}

/* ---- IPv4 ------------------------------------------------------------------ */

#define SL_FIB4_TBL24_BYTES ((uint64_t)SL_FIB_TBL24 * sizeof(uint32_t))

uint64_t sl_fib4_bytes(uint32_t n_tbl8)
{
	return SL_FIB4_TBL24_BYTES + sl_fib_tbl8_bytes(n_tbl8);
}

struct sl_fib4_writer *sl_fib4_writer_new(void *base, struct sl_fib4 *hdr, uint64_t off,
					  uint32_t n_tbl8)
{
	struct sl_fib4_writer *w;

	if (n_tbl8 > SL_FIB_NH_MAX || off % 4 != 0) {
		errno = EINVAL;
		return NULL;
	}
	memset(hdr, 0, sizeof(*hdr));
	hdr->tbl24_off = off;
	hdr->tbl8_off = off + SL_FIB4_TBL24_BYTES;
	hdr->n_tbl8 = n_tbl8;
	w = sl_fib_writer_make(sizeof(*w), base, SL_FIB_HDR(hdr, tbl24_off, 32, 24), false);
	if (w != NULL)
		w->hdr = hdr;
	return w;
}

struct sl_fib4_writer *sl_fib4_writer_attach(void *base, struct sl_fib4 *hdr, uint64_t size)
{
	struct sl_fib4_writer *w;

	if (!sl_fib_hdr_ok(SL_FIB_HDR(hdr, tbl24_off, 32, 24), size)) {
		errno = EINVAL;
		return NULL;
	}
	w = sl_fib_writer_make(sizeof(*w), base, SL_FIB_HDR(hdr, tbl24_off, 32, 24), true);
	if (w != NULL)
		w->hdr = hdr;
	return w;
}

int sl_fib4_writer_move(struct sl_fib4_writer *w, void *base, struct sl_fib4 *hdr, uint64_t off)
{
	if (off % 4 != 0)
		return -EINVAL;
	memset(hdr, 0, sizeof(*hdr));
	hdr->tbl24_off = off;
	hdr->tbl8_off = off + SL_FIB4_TBL24_BYTES;
	hdr->n_tbl8 = w->hdr->n_tbl8;
	sl_fib_eng_move(&w->e, base, hdr->tbl24_off, hdr->tbl8_off, &hdr->tbl8_used, &hdr->flags);
	w->hdr = hdr;
	return 0;
}

struct sl_fib4_writer *sl_fib4_writer_copy(const struct sl_fib4_writer *src, void *base,
					   struct sl_fib4 *hdr, uint64_t off)
{
	struct sl_fib4_writer *w;

	if (off % 4 != 0) {
		errno = EINVAL;
		return NULL;
	}
	memset(hdr, 0, sizeof(*hdr));
	hdr->tbl24_off = off;
	hdr->tbl8_off = off + SL_FIB4_TBL24_BYTES;
	hdr->n_tbl8 = src->hdr->n_tbl8;
	w = sl_fib_writer_copy(sizeof(*w), &src->e, base, hdr->tbl24_off, hdr->tbl8_off,
			       &hdr->tbl8_used, &hdr->flags);
	if (w != NULL)
		w->hdr = hdr;
	return w;
}

uint32_t sl_fib4_writer_groups(const struct sl_fib4_writer *w)
{
	return w->e.n_tbl8;
}

int sl_fib4_build(struct sl_fib4_writer *w, const struct sl_rib4 *rib)
{
	return sl_fib_build(&w->e, sl_rib4_core(rib));
}

int sl_fib4_sync(struct sl_fib4_writer *w, const struct sl_rib4 *rib, uint32_t prefix, uint8_t len)
{
	return sl_fib_sync(&w->e, sl_rib4_core(rib), prefix, len);
}

int sl_fib4_writer_check(const struct sl_fib4_writer *w)
{
	return sl_fib_check(&w->e);
}

void sl_fib4_writer_free(struct sl_fib4_writer *w)
{
	sl_fib_writer_release(w ? &w->e : NULL);
}

/* ---- IPv6 ------------------------------------------------------------------ */

static uint64_t sl_fib6_tbl1_bytes(unsigned int l1_bits)
{
	return ((uint64_t)1 << l1_bits) * sizeof(uint32_t);
}

uint64_t sl_fib6_bytes(unsigned int l1_bits, uint32_t n_tbl8)
{
	return sl_fib6_tbl1_bytes(l1_bits) + sl_fib_tbl8_bytes(n_tbl8);
}

static bool sl_fib6_l1_ok(unsigned int l1_bits)
{
	return l1_bits == 16 || l1_bits == 24;
}

struct sl_fib6_writer *sl_fib6_writer_new(void *base, struct sl_fib6 *hdr, uint64_t off,
					  uint32_t n_tbl8, unsigned int l1_bits)
{
	struct sl_fib6_writer *w;

	if (n_tbl8 > SL_FIB_NH_MAX || off % 4 != 0 || !sl_fib6_l1_ok(l1_bits)) {
		errno = EINVAL;
		return NULL;
	}
	memset(hdr, 0, sizeof(*hdr));
	hdr->tbl1_off = off;
	hdr->tbl8_off = off + sl_fib6_tbl1_bytes(l1_bits);
	hdr->n_tbl8 = n_tbl8;
	hdr->l1_bits = (uint8_t)l1_bits;
	w = sl_fib_writer_make(sizeof(*w), base, SL_FIB_HDR(hdr, tbl1_off, 128, l1_bits), false);
	if (w != NULL)
		w->hdr = hdr;
	return w;
}

struct sl_fib6_writer *sl_fib6_writer_attach(void *base, struct sl_fib6 *hdr, uint64_t size)
{
	struct sl_fib6_writer *w;

	if (!sl_fib6_l1_ok(hdr->l1_bits) ||
	    !sl_fib_hdr_ok(SL_FIB_HDR(hdr, tbl1_off, 128, hdr->l1_bits), size)) {
		errno = EINVAL;
		return NULL;
	}
	w = sl_fib_writer_make(sizeof(*w), base, SL_FIB_HDR(hdr, tbl1_off, 128, hdr->l1_bits),
			       true);
	if (w != NULL)
		w->hdr = hdr;
	return w;
}

int sl_fib6_writer_move(struct sl_fib6_writer *w, void *base, struct sl_fib6 *hdr, uint64_t off)
{
	unsigned int l1_bits = w->hdr->l1_bits;

	if (off % 4 != 0)
		return -EINVAL;
	memset(hdr, 0, sizeof(*hdr));
	hdr->tbl1_off = off;
	hdr->tbl8_off = off + sl_fib6_tbl1_bytes(l1_bits);
	hdr->n_tbl8 = w->hdr->n_tbl8;
	hdr->l1_bits = (uint8_t)l1_bits;
	sl_fib_eng_move(&w->e, base, hdr->tbl1_off, hdr->tbl8_off, &hdr->tbl8_used, &hdr->flags);
	w->hdr = hdr;
	return 0;
}

struct sl_fib6_writer *sl_fib6_writer_copy(const struct sl_fib6_writer *src, void *base,
					   struct sl_fib6 *hdr, uint64_t off)
{
	unsigned int l1_bits = src->hdr->l1_bits;
	struct sl_fib6_writer *w;

	if (off % 4 != 0) {
		errno = EINVAL;
		return NULL;
	}
	memset(hdr, 0, sizeof(*hdr));
	hdr->tbl1_off = off;
	hdr->tbl8_off = off + sl_fib6_tbl1_bytes(l1_bits);
	hdr->n_tbl8 = src->hdr->n_tbl8;
	hdr->l1_bits = (uint8_t)l1_bits;
	w = sl_fib_writer_copy(sizeof(*w), &src->e, base, hdr->tbl1_off, hdr->tbl8_off,
			       &hdr->tbl8_used, &hdr->flags);
	if (w != NULL)
		w->hdr = hdr;
	return w;
}

uint32_t sl_fib6_writer_groups(const struct sl_fib6_writer *w)
{
	return w->e.n_tbl8;
}

int sl_fib6_build(struct sl_fib6_writer *w, const struct sl_rib6 *rib)
{
	return sl_fib_build(&w->e, sl_rib6_core(rib));
}

int sl_fib6_sync(struct sl_fib6_writer *w, const struct sl_rib6 *rib, const uint8_t prefix[16],
		 uint8_t len)
{
	return sl_fib_sync(&w->e, sl_rib6_core(rib), sl_key_from16(prefix), len);
}

int sl_fib6_writer_check(const struct sl_fib6_writer *w)
{
	return sl_fib_check(&w->e);
}

void sl_fib6_writer_free(struct sl_fib6_writer *w)
{
	sl_fib_writer_release(w ? &w->e : NULL);
}
