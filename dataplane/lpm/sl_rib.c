/* SPDX-License-Identifier: BSD-3-Clause */
/* The RIB: a path-compressed binary trie; see the design note in sl_rib.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sl_lpm_int.h"
#include "sl_rib.h"

/*
 * A node is a route (is_route) or glue. Invariants: a glue node has two
 * children; a child's key extends its parent's (parent->len < child->len
 * and the leading parent->len bits agree); child[b] holds the keys whose
 * bit parent->len is b.
 */
struct sl_rib_node {
	sl_key key;
	struct sl_rib_node *child[2];
	struct sl_rib_node *parent;
	uint32_t nh;
	uint8_t len;
	bool is_route;
};

/*
 * Nodes come from slabs of SL_RIB_SLAB nodes (768 KiB: malloc maps each on
 * its own), freed nodes go to a free list and are reused, and all go with
 * the RIB. A node each from malloc cost a million small allocations for
 * the full table, and from sluiced's prefix thread each grew its malloc
 * arena by a page (an mprotect() call: 45,000 of them at start-up).
 */
#define SL_RIB_SLAB 16384u

struct sl_rib_slab {
	struct sl_rib_slab *next;
	struct sl_rib_node n[SL_RIB_SLAB];
};

struct sl_rib {
	struct sl_rib_node *root;
	size_t routes, nodes;
	unsigned int bits;
	struct sl_rib_slab *slabs; /**< newest first */
	unsigned int slab_used;	   /**< nodes carved from the newest */
	struct sl_rib_node *free_nodes; /**< linked through child[0] */
};

struct sl_rib4 {
	struct sl_rib r;
};

struct sl_rib6 {
	struct sl_rib r;
};

/* does node n's prefix contain key k (of length >= n->len)? */
static bool sl_rib_covers(const struct sl_rib *r, const struct sl_rib_node *n, sl_key k)
{
	return ((k ^ n->key) & sl_key_mask(r->bits, n->len)) == 0;
}

static struct sl_rib_node *sl_rib_node_new(struct sl_rib *r, sl_key k, unsigned int len)
{
	struct sl_rib_node *n = r->free_nodes;

	if (n != NULL) {
		r->free_nodes = n->child[0];
	} else {
		if (r->slabs == NULL || r->slab_used == SL_RIB_SLAB) {
			struct sl_rib_slab *sl = malloc(sizeof(*sl));

			if (sl == NULL)
				return NULL;
			sl->next = r->slabs;
			r->slabs = sl;
			r->slab_used = 0;
		}
		n = &r->slabs->n[r->slab_used++];
	}
	memset(n, 0, sizeof(*n));
	n->key = k;
	n->len = (uint8_t)len;
	r->nodes++;
	return n;
}

static void sl_rib_node_free(struct sl_rib *r, struct sl_rib_node *n)
{
	n->child[0] = r->free_nodes;
	r->free_nodes = n;
	r->nodes--;
}

static int sl_rib_check(const struct sl_rib *r, sl_key k, unsigned int len)
{
	if (len > r->bits || (k & ~sl_key_mask(r->bits, len)) != 0)
		return -EINVAL;
	return 0;
}

/* the node holding exactly k/len (route or glue), or NULL */
static struct sl_rib_node *sl_rib_find(const struct sl_rib *r, sl_key k, unsigned int len)
{
	struct sl_rib_node *n = r->root;

	while (n != NULL && n->len <= len && sl_rib_covers(r, n, k)) {
		if (n->len == len)
			return n;
		n = n->child[sl_key_bit(k, r->bits, n->len)];
	}
	return NULL;
}

static void sl_rib_link(struct sl_rib *r, struct sl_rib_node *parent, struct sl_rib_node **link,
			struct sl_rib_node *n)
{
	*link = n;
	n->parent = parent;
}

static int sl_rib_set(struct sl_rib *r, sl_key k, unsigned int len, uint32_t nh)
{
	struct sl_rib_node **link = &r->root, *parent = NULL, *n, *x, *glue;
	unsigned int common;

	if (sl_rib_check(r, k, len) < 0 || nh > SL_RIB_NH_MAX)
		return -EINVAL;
	/* descend while the node is a proper ancestor of k/len */
	while ((n = *link) != NULL && n->len < len && sl_rib_covers(r, n, k)) {
		parent = n;
		link = &n->child[sl_key_bit(k, r->bits, n->len)];
	}
	if (n != NULL && n->len == len && n->key == k) {
		int replaced = n->is_route;

		n->nh = nh;
		if (!n->is_route) {
			n->is_route = true;
			r->routes++;
		}
		return replaced;
	}
	x = sl_rib_node_new(r, k, len);
	if (x == NULL)
		return -ENOMEM;
	x->nh = nh;
	x->is_route = true;
	if (n == NULL) {
		sl_rib_link(r, parent, link, x);
		r->routes++;
		return 0;
	}
	/* n sits where k/len belongs but is not an ancestor of it */
	common = sl_key_common(n->key, k, r->bits);
	if (common > len)
		common = len;
	if (common > n->len)
		common = n->len;
	if (common == len) {
		/* k/len is an ancestor of n: insert it above n */
		sl_rib_link(r, parent, link, x);
		sl_rib_link(r, x, &x->child[sl_key_bit(n->key, r->bits, len)], n);
		r->routes++;
		return 0;
	}
	/* siblings under a new glue node at their common prefix */
	glue = sl_rib_node_new(r, k & sl_key_mask(r->bits, common), common);
	if (glue == NULL) {
		sl_rib_node_free(r, x);
		return -ENOMEM;
	}
	sl_rib_link(r, parent, link, glue);
	sl_rib_link(r, glue, &glue->child[sl_key_bit(k, r->bits, common)], x);
	sl_rib_link(r, glue, &glue->child[sl_key_bit(n->key, r->bits, common)], n);
	r->routes++;
	return 0;
}

static struct sl_rib_node **sl_rib_slot(struct sl_rib *r, struct sl_rib_node *n)
{
	if (n->parent == NULL)
		return &r->root;
	return &n->parent->child[n->parent->child[1] == n];
}

/* remove a node with fewer than two children, splicing its child up */
static void sl_rib_unlink(struct sl_rib *r, struct sl_rib_node *n)
{
	struct sl_rib_node *c = n->child[0] ? n->child[0] : n->child[1];

	*sl_rib_slot(r, n) = c;
	if (c != NULL)
		c->parent = n->parent;
	sl_rib_node_free(r, n);
}

static int sl_rib_delete(struct sl_rib *r, sl_key k, unsigned int len)
{
	struct sl_rib_node *n, *p;
	bool leaf;

	if (sl_rib_check(r, k, len) < 0)
		return -EINVAL;
	n = sl_rib_find(r, k, len);
	if (n == NULL || !n->is_route)
		return -ENOENT;
	n->is_route = false;
	r->routes--;
	if (n->child[0] != NULL && n->child[1] != NULL)
		return 0; /* stays as glue */
	p = n->parent;
	leaf = n->child[0] == NULL && n->child[1] == NULL;
	sl_rib_unlink(r, n);
	/* a glue parent that lost a leaf is left with one child: not needed */
	if (leaf && p != NULL && !p->is_route)
		sl_rib_unlink(r, p);
	return 0;
}

int sl_rib_cover(const struct sl_rib *r, sl_key k, unsigned int max_len, sl_key *pk, uint8_t *plen,
		 uint32_t *nh)
{
	const struct sl_rib_node *n = r->root, *best = NULL;

	while (n != NULL && n->len <= max_len && sl_rib_covers(r, n, k)) {
		if (n->is_route)
			best = n;
		if (n->len == r->bits)
			break;
		n = n->child[sl_key_bit(k, r->bits, n->len)];
	}
	if (best == NULL)
		return 0;
	if (pk)
		*pk = best->key;
	if (plen)
		*plen = best->len;
	if (nh)
		*nh = best->nh;
	return 1;
}

/* pre-order: a node before its children, child 0 first = (address, length) order */
static int sl_rib_walk_node(const struct sl_rib_node *n, bool stop_at_routes, sl_rib_cb cb,
			    void *arg)
{
	int rc;

	while (n != NULL) {
		if (n->is_route) {
			rc = cb(n->key, n->len, n->nh, arg);
			if (rc != 0 || stop_at_routes)
				return rc;
		}
		rc = sl_rib_walk_node(n->child[0], stop_at_routes, cb, arg);
		if (rc != 0)
			return rc;
		n = n->child[1]; /* tail position: no recursion for the right spine */
	}
	return 0;
}

int sl_rib_walk_under(const struct sl_rib *r, sl_key k, unsigned int len, sl_rib_cb cb, void *arg)
{
	const struct sl_rib_node *n = r->root;
	int rc;

	/* the first node at or below k/len */
	while (n != NULL && n->len <= len) {
		if (!sl_rib_covers(r, n, k))
			return 0;
		if (n->len == len)
			break;
		n = n->child[sl_key_bit(k, r->bits, n->len)];
	}
	if (n == NULL)
		return 0;
	if (n->len == len) {
		/* k/len itself: its children's subtrees */
		rc = sl_rib_walk_node(n->child[0], true, cb, arg);
		return rc ? rc : sl_rib_walk_node(n->child[1], true, cb, arg);
	}
	/* n is longer than len: it lies under k/len only if it agrees on len bits */
	if (((n->key ^ k) & sl_key_mask(r->bits, len)) != 0)
		return 0;
	return sl_rib_walk_node(n, true, cb, arg);
}

/* every node at once: the slabs */
static void sl_rib_destroy(struct sl_rib *r)
{
	while (r->slabs != NULL) {
		struct sl_rib_slab *next = r->slabs->next;

		free(r->slabs);
		r->slabs = next;
	}
}

/* ---- typed wrappers ------------------------------------------------------- */

const struct sl_rib *sl_rib4_core(const struct sl_rib4 *r)
{
	return &r->r;
}

const struct sl_rib *sl_rib6_core(const struct sl_rib6 *r)
{
	return &r->r;
}

struct sl_rib4 *sl_rib4_new(void)
{
	struct sl_rib4 *r = calloc(1, sizeof(*r));

	if (r != NULL)
		r->r.bits = 32;
	return r;
}

void sl_rib4_free(struct sl_rib4 *r)
{
	if (r == NULL)
		return;
	sl_rib_destroy(&r->r);
	free(r);
}

int sl_rib4_set(struct sl_rib4 *r, uint32_t addr, uint8_t len, uint32_t nh)
{
	return sl_rib_set(&r->r, addr, len, nh);
}

int sl_rib4_delete(struct sl_rib4 *r, uint32_t addr, uint8_t len)
{
	return sl_rib_delete(&r->r, addr, len);
}

int sl_rib4_get(const struct sl_rib4 *r, uint32_t addr, uint8_t len, uint32_t *nh)
{
	const struct sl_rib_node *n;

	if (sl_rib_check(&r->r, addr, len) < 0)
		return -EINVAL;
	n = sl_rib_find(&r->r, addr, len);
	if (n == NULL || !n->is_route)
		return -ENOENT;
	if (nh)
		*nh = n->nh;
	return 0;
}

uint32_t sl_rib4_lookup(const struct sl_rib4 *r, uint32_t addr)
{
	uint32_t nh = 0;

	sl_rib_cover(&r->r, addr, 32, NULL, NULL, &nh);
	return nh;
}

int sl_rib4_cover(const struct sl_rib4 *r, uint32_t addr, uint8_t max_len, uint32_t *paddr,
		  uint8_t *plen, uint32_t *nh)
{
	sl_key k;

	if (!sl_rib_cover(&r->r, addr, max_len, &k, plen, nh))
		return -ENOENT;
	if (paddr)
		*paddr = (uint32_t)k;
	return 0;
}

size_t sl_rib4_count(const struct sl_rib4 *r)
{
	return r->r.routes;
}

size_t sl_rib4_bytes(const struct sl_rib4 *r)
{
	return r->r.nodes * sizeof(struct sl_rib_node);
}

struct sl_rib_walk4 {
	sl_rib4_walk_cb cb;
	void *arg;
};

static int sl_rib_walk4_cb(sl_key k, uint8_t len, uint32_t nh, void *arg)
{
	struct sl_rib_walk4 *w = arg;

	return w->cb((uint32_t)k, len, nh, w->arg);
}

int sl_rib4_walk(const struct sl_rib4 *r, sl_rib4_walk_cb cb, void *arg)
{
	struct sl_rib_walk4 w = {cb, arg};

	return sl_rib_walk_node(r->r.root, false, sl_rib_walk4_cb, &w);
}

int sl_rib4_walk_under(const struct sl_rib4 *r, uint32_t addr, uint8_t len, sl_rib4_walk_cb cb,
		       void *arg)
{
	struct sl_rib_walk4 w = {cb, arg};

	if (sl_rib_check(&r->r, addr, len) < 0)
		return -EINVAL;
	return sl_rib_walk_under(&r->r, addr, len, sl_rib_walk4_cb, &w);
}

struct sl_rib6 *sl_rib6_new(void)
{
	struct sl_rib6 *r = calloc(1, sizeof(*r));

	if (r != NULL)
		r->r.bits = 128;
	return r;
}

void sl_rib6_free(struct sl_rib6 *r)
{
	if (r == NULL)
		return;
	sl_rib_destroy(&r->r);
	free(r);
}

int sl_rib6_set(struct sl_rib6 *r, const uint8_t addr[16], uint8_t len, uint32_t nh)
{
	return sl_rib_set(&r->r, sl_key_from16(addr), len, nh);
}

int sl_rib6_delete(struct sl_rib6 *r, const uint8_t addr[16], uint8_t len)
{
	return sl_rib_delete(&r->r, sl_key_from16(addr), len);
}

int sl_rib6_get(const struct sl_rib6 *r, const uint8_t addr[16], uint8_t len, uint32_t *nh)
{
	sl_key k = sl_key_from16(addr);
	const struct sl_rib_node *n;

	if (sl_rib_check(&r->r, k, len) < 0)
		return -EINVAL;
	n = sl_rib_find(&r->r, k, len);
	if (n == NULL || !n->is_route)
		return -ENOENT;
	if (nh)
		*nh = n->nh;
	return 0;
}

uint32_t sl_rib6_lookup(const struct sl_rib6 *r, const uint8_t addr[16])
{
	uint32_t nh = 0;

	sl_rib_cover(&r->r, sl_key_from16(addr), 128, NULL, NULL, &nh);
	return nh;
}

int sl_rib6_cover(const struct sl_rib6 *r, const uint8_t addr[16], uint8_t max_len,
		  uint8_t paddr[16], uint8_t *plen, uint32_t *nh)
{
	sl_key k;

	if (!sl_rib_cover(&r->r, sl_key_from16(addr), max_len, &k, plen, nh))
		return -ENOENT;
	if (paddr)
		sl_key_to16(k, paddr);
	return 0;
}

size_t sl_rib6_count(const struct sl_rib6 *r)
{
	return r->r.routes;
}

size_t sl_rib6_bytes(const struct sl_rib6 *r)
{
	return r->r.nodes * sizeof(struct sl_rib_node);
}

struct sl_rib_walk6 {
	sl_rib6_walk_cb cb;
	void *arg;
};

static int sl_rib_walk6_cb(sl_key k, uint8_t len, uint32_t nh, void *arg)
{
	struct sl_rib_walk6 *w = arg;
	uint8_t a[16];

	sl_key_to16(k, a);
	return w->cb(a, len, nh, w->arg);
}

int sl_rib6_walk(const struct sl_rib6 *r, sl_rib6_walk_cb cb, void *arg)
{
	struct sl_rib_walk6 w = {cb, arg};

	return sl_rib_walk_node(r->r.root, false, sl_rib_walk6_cb, &w);
}

int sl_rib6_walk_under(const struct sl_rib6 *r, const uint8_t addr[16], uint8_t len,
		       sl_rib6_walk_cb cb, void *arg)
{
	struct sl_rib_walk6 w = {cb, arg};
	sl_key k = sl_key_from16(addr);

	if (sl_rib_check(&r->r, k, len) < 0)
		return -EINVAL;
	return sl_rib_walk_under(&r->r, k, len, sl_rib_walk6_cb, &w);
}
