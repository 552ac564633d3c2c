/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HaVip section (issue 12, docs/havip.md): who may hold each HaVip.
 *
 * Design note
 * -----------
 * sluice-dp's main lcore accepts an ARP that claims a HaVip address only
 * from the MAC of an associated instance (dataplane/core/arpnd.c). What it
 * needs per HaVip: its VPC index and address, the VSwitch's gateway address
 * (the sender of the ARP requests it sends to verify an instance) and the
 * associated instances' ids and IPv4 addresses. That is the whole section
 * (struct sl_havip_sec in sl_shm.h): one block, entries sorted by
 * (vpc_index, addr) for a binary search, rebuilt from the store at every
 * sl_compile() (HaVips are few: tens per VPC at most) and reported as
 * changed only when its bytes differ, so the banks copy it only then.
 *
 * Routes with NextHopType HaVip are compile.c's (a GATEWAY next hop via the
 * HaVip address); nothing here names the current holder: that is learned by
 * the data plane and lives in its neighbour table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_compile.h"

struct sl_havip_compiler {
	struct sl_havip_sec *sec; /**< the last section built, NULL if none */
};

struct sl_havip_compiler *sl_havip_compiler_new(void)
{
	return calloc(1, sizeof(struct sl_havip_compiler));
}

void sl_havip_compiler_free(struct sl_havip_compiler *hc)
{
	if (hc == NULL)
		return;
	free(hc->sec);
	free(hc);
}

const struct sl_havip_sec *sl_havip_compiled(const struct sl_havip_compiler *hc)
{
	return hc->sec;
}

static int sl_havip_ent_cmp(const void *pa, const void *pb)
{
	const struct sl_havip_ent *a = pa, *b = pb;

	if (a->vpc_index != b->vpc_index)
		return a->vpc_index < b->vpc_index ? -1 : 1;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/* Fill `e` from HaVip `h`; false if it cannot be compiled (no VPC index,
 * not IPv4: cannot happen in a validated store). */
static bool sl_havip_fill(struct sl_havip_ent *e, const struct sl_compiler *c,
			  const struct sl_store *s, const struct sl_havip_obj *h)
{
	int vi = h->vpc ? sl_compiler_vpc_index(c, h->vpc->id) : -ENOENT;

	if (vi < 0 || h->ip.family != SL_AF_INET || h->vswitch == NULL ||
	    h->vswitch->cidr.family != SL_AF_INET)
		return false;
	memset(e, 0, sizeof(*e));
	e->vpc_index = (uint32_t)vi;
	e->addr = (uint32_t)h->ip.addr;
	e->src = (uint32_t)sl_pfx_gateway(&h->vswitch->cidr);
	snprintf(e->id, sizeof(e->id), "%s", h->id);
	for (unsigned int i = 0; i < h->n_instances && i < SL_HAVIP_INSTANCES_MAX; i++) {
		const struct sl_instance_obj *in = sl_store_instance(s, h->instances[i]);

		if (in == NULL || in->ip4.family != SL_AF_INET || e->n_inst == SL_HAVIP_MAX_INST)
			continue;
		e->inst[e->n_inst].addr = (uint32_t)in->ip4.addr;
		snprintf(e->inst[e->n_inst].id, sizeof(e->inst[0].id), "%s", in->id);
		e->n_inst++;
	}
	return true;
}

int sl_havip_compile(struct sl_havip_compiler *hc, const struct sl_compiler *c,
		     const struct sl_store *s, bool *changed)
{
	struct sl_havip_sec *sec = NULL;
	uint32_t n = 0;

	*changed = false;
	if (s->havip_v.n) {
		size_t size = sizeof(*sec) + (size_t)s->havip_v.n * sizeof(sec->ent[0]);

		sec = calloc(1, size);
		if (sec == NULL)
			return -ENOMEM;
		for (unsigned int i = 0; i < s->havip_v.n; i++)
			n += sl_havip_fill(&sec->ent[n], c, s, s->havip_v.v[i]);
		qsort(sec->ent, n, sizeof(sec->ent[0]), sl_havip_ent_cmp);
		sec->n = n;
		sec->size = sizeof(*sec) + (uint64_t)n * sizeof(sec->ent[0]);
		if (n == 0) {
			free(sec);
			sec = NULL;
		}
	}
	if ((sec == NULL) != (hc->sec == NULL) ||
	    (sec && (sec->size != hc->sec->size || memcmp(sec, hc->sec, sec->size) != 0)))
		*changed = true;
	free(hc->sec);
	hc->sec = sec;
	return 0;
}
