/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_pipeline's `ecmp` mix (issue 8's groups on issue 9's routing path):
 * ipv4-route with the Internet side's traffic going through next-hop
 * groups.
 *
 * Design note
 * -----------
 * Before the mix, every SL_BPE_EVERY-th IPv4 prefix of the Internet table
 * (at most SL_BPE_MAX of them) is set through sluiced's route source to a
 * group of 2, 3 or 4 members (in turn) out of four gateways on the outside
 * subnet, 203.0.113.1 and .3-.5, with weights 1-2, the way kernel
 * multipath routes arrive (sl_ctl_inet_set_group, one commit); the
 * gateways' neighbours are learned, so no packet waits for ARP. Groups are
 * interned: the table holds a handful of group entries whatever the share.
 *
 * Traffic (64-byte UDP frames, as ipv4-route): half from the outside port
 * to a random address of a random prefix that goes through a group (full
 * table lookup, the group's bucket by the flow hash, the member's counter,
 * out the outside port), half from the inside exactly as ipv4-route's (a
 * random active VPC, VSwitch 0's instance to VSwitch 1's). Against
 * ipv4-route the difference is the group step of route4 on half the
 * packets.
 *
 * After the mix the prefixes go back to the default gateway (single next
 * hop), so the mixes after it see the table they always saw. It is listed
 * last (after ipv6-ingress-rule, whose IPv6 gateway objects are then still
 * published: they do not touch the IPv4 path).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bench_pipeline.h"
#include "sl_ctl.h"
#include "sl_shm.h"

#define SL_BPE_EVERY 4u	     /* a quarter of the table through groups */
#define SL_BPE_MAX 250000u   /* ... at most this many prefixes */
#define SL_BPE_DEFAULT_GW 1u /* 203.0.113.1: the config's default route */

static const uint8_t sl_bpe_gw[SL_NHG_MAX] = {1, 3, 4, 5}; /* 203.0.113.x */

bool sl_bpe_mix(const char *mix)
{
	return strcmp(mix, "ecmp") == 0;
}

static struct sl_pfx sl_bpe_addr(uint8_t host)
{
	return (struct sl_pfx){.addr = 0xcb007100u | host, .len = 32, .family = SL_AF_INET};
}

/* Prefix k of the grouped share: pl->v4[k * SL_BPE_EVERY]. */
static uint32_t sl_bpe_count(const struct sl_pfxlist *pl)
{
	size_t n = (pl->n4 + SL_BPE_EVERY - 1) / SL_BPE_EVERY;

	return n < SL_BPE_MAX ? (uint32_t)n : SL_BPE_MAX;
}

/* Set the share through groups (`groups`) or back to the default gateway;
 * one commit. 0 or 1. */
static int sl_bpe_set(struct sl_ctl *ctl, const struct sl_pfxlist *pl, bool groups)
{
	uint32_t n = sl_bpe_count(pl);

	for (uint32_t k = 0; k < n; k++) {
		const struct sl_pfx4 *p4 = &pl->v4[(size_t)k * SL_BPE_EVERY];
		struct sl_pfx p = {.addr = p4->addr, .len = p4->len, .family = SL_AF_INET};
		struct sl_pfx via[SL_NHG_MAX];
		uint16_t weight[SL_NHG_MAX];
		unsigned int members = 2 + k % (SL_NHG_MAX - 1);
		int rc;

		for (unsigned int j = 0; j < members; j++) {
			via[j] = sl_bpe_addr(sl_bpe_gw[(k + j) % SL_NHG_MAX]);
			weight[j] = (uint16_t)(1 + (k + j) % 2);
		}
		if (groups)
			rc = sl_ctl_inet_set_group(ctl, &p, via, weight, members);
		else {
			via[0] = sl_bpe_addr(SL_BPE_DEFAULT_GW);
			rc = sl_ctl_inet_set(ctl, &p, &via[0]);
		}
		if (rc < 0)
			return sl_bp_fail("setting the ecmp mix's routes", strerror(-rc));
	}
	if (sl_ctl_commit(ctl, "bench ecmp", NULL) < 0)
		return sl_bp_fail("publishing the ecmp mix's routes", NULL);
	/* both lcores take the new bank now (the next publish waits for
	 * their acknowledgements) */
	sl_ctrl_poll(&sl_bdp);
	sl_worker_poll(sl_bdp.workers[0]);
	sl_bp_drain();
	return 0;
}

static int sl_bpe_frames(const struct sl_pfxlist *pl, uint32_t flows, uint32_t active,
			 struct sl_frame *fr)
{
	uint32_t n = sl_bpe_count(pl);

	for (uint32_t i = 0; i < flows; i++) {
		struct sl_frame *o = &fr[i], *in = &fr[flows + i];
		const struct sl_pfx4 *p = &pl->v4[(size_t)(sl_rand() % n) * SL_BPE_EVERY];
		uint32_t host = p->len >= 32 ? 0 : (uint32_t)(UINT32_MAX >> p->len);
		uint32_t v = (uint32_t)(sl_rand() % active);

		o->bport = 0;
		sl_frame4(o, 0, 0xc6336400u + i % 256 /* 198.51.100.x */,
			  p->addr | ((uint32_t)sl_rand() & host));
		in->bport = (uint8_t)(1 + v / SL_VLANS_PER_TRUNK);
		sl_frame4(in, (uint16_t)(1 + v % SL_VLANS_PER_TRUNK), 0x0a01000au, 0x0a02000au);
	}
	return 0;
}

/* Packets the worker counted through group members so far. */
static uint64_t sl_bpe_member_pkts(void)
{
	const uint64_t *c = sl_bdp.workers[0]->nhg_pkts;
	uint64_t n = 0;

	for (unsigned int i = 0; c && i < SL_NHG_COUNTED; i++)
		n += c[i];
	return n;
}

int sl_bpe_run(struct sl_ctl *ctl, const struct sl_bp_opts *o, const struct sl_pfxlist *pl,
	       struct sl_frame *tmp, struct sl_frame *fr)
{
	uint64_t before, through;
	char a[16];
	int rc;

	if (sl_bpe_count(pl) == 0) {
		printf("mix=ecmp skipped=no-prefixes\n");
		return 0;
	}
	for (unsigned int j = 0; j < SL_NHG_MAX; j++) {
		snprintf(a, sizeof(a), "203.0.113.%u", sl_bpe_gw[j]);
		if (sl_bp_learn(0, 0, a) != 0)
			return sl_bp_fail("cannot learn the ecmp mix's gateways", a);
	}
	if (sl_bpe_set(ctl, pl, true) != 0)
		return 1;
	fprintf(stderr, "bench_pipeline: ecmp: %u prefixes through groups of 2-4 gateways\n",
		sl_bpe_count(pl));
	sl_bpe_frames(pl, o->flows, o->active_vpcs, tmp);
	sl_bp_interleave(tmp, o->flows, fr);
	before = sl_bpe_member_pkts();
	rc = sl_bp_run("ecmp", fr, 2 * o->flows, o->packets);
	/* half the frames go through groups: a table without them would
	 * time ipv4-route under another name. Only members with a next-hop
	 * index below SL_NHG_COUNTED are counted: with the default 10,000
	 * VPCs the gateways .3-.5 get higher indexes and only 203.0.113.1's
	 * share (the config's own next hop, an early index) shows. */
	through = sl_bpe_member_pkts() - before;
	fprintf(
	    stderr, "bench_pipeline: ecmp: %" PRIu64 " packets counted through group members%s\n",
	    through,
	    through < o->packets / 3 ? " (members with a next-hop index >= 2048 are not counted)"
				     : "");
	if (through == 0)
		rc |= sl_bp_fail("ecmp: no packet went through a group", NULL);
	return rc | sl_bpe_set(ctl, pl, false);
}
