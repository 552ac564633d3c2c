/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_netlink: rtnetlink messages as sluiced's kernel-route mirror
 * (--kernel-table, control/kernel_routes.c) reads them from its monitor
 * and dump sockets: any byte sequence the kernel (or a peer with
 * CAP_NET_ADMIN in the namespace) could hand it.
 *
 * Design note
 * -----------
 * The mirror's socket-free core (sl_kernel_routes_new) feeds a recording
 * sink that, like sluiced's route source, accepts a next hop only on the
 * outside subnets of configs/demo.json (203.0.113.0/24,
 * 2001:db8:ffff::/64) and refuses a delete of a prefix it does not hold.
 *
 * Input: a flags byte (bit 0: wrap the buffer in a resync, as a dump after
 * an overrun is; bit 1: commit in the middle), then the bytes of one
 * socket read, copied to an aligned buffer (nlmsghdr needs 4-byte
 * alignment, the kernel's reads give it). The buffer goes through
 * sl_kernel_routes_input(), the function the mirror itself calls.
 *
 * Invariants (abort = a crash): every prefix the sink is given is
 * canonical (no host bits), its next hop of the same family and on an
 * outside subnet; the mirror never deletes a prefix the sink does not
 * hold (the sink's -ENOENT would be a bookkeeping bug); its `mirrored`
 * count equals the sink's routes after each input. After each input a
 * resync over an empty buffer removes everything, so every input starts
 * from an empty table. Single-threaded.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_addr.h"
#include "sl_fuzz.h"
#include "sl_kernel_routes.h"
#include "sl_shm.h" /* SL_NHG_MAX */

#define SL_FZ_TABLE 100
#define SL_FZ_MAXR 4096
#define SL_FZ_MAX_INPUT 65536

static struct sl_pfx routes[SL_FZ_MAXR];
static unsigned int n_routes;
static struct sl_pfx outside[2];
static struct sl_kernel_routes *kr;

static int sl_fz_find(const struct sl_pfx *p)
{
	for (unsigned int i = 0; i < n_routes; i++)
		if (sl_pfx_equal(&routes[i], p))
			return (int)i;
	return -1;
}

static int sl_fz_set(void *arg, const struct sl_pfx *p, const struct sl_pfx *via)
{
	bool on_subnet = false;

	(void)arg;
	if (p->addr != sl_pfx_first(p))
		sl_fuzz_die("set of a prefix with host bits");
	if (via->family != p->family)
		sl_fuzz_die("next hop of the other family");
	for (unsigned int o = 0; o < 2; o++)
		on_subnet |= sl_pfx_has(&outside[o], via->family, via->addr);
	if (!on_subnet)
		return -ENETUNREACH; /* what the route source answers */
	if (sl_fz_find(p) < 0) {
		if (n_routes == SL_FZ_MAXR)
			return -ENOSPC;
		routes[n_routes++] = *p;
	}
	return 0;
}

/* ECMP (issue 8): a multipath route is a group of 2..SL_NHG_MAX vias with
 * weights >= 1, all checked like a single via. */
static int sl_fz_set_group(void *arg, const struct sl_pfx *p, const struct sl_pfx *via,
			   const uint16_t *weight, unsigned int n)
{
	if (n < 2 || n > SL_NHG_MAX)
		sl_fuzz_die("a group of a bad size");
	for (unsigned int k = 0; k < n; k++) {
		bool on_subnet = false;

		if (weight[k] == 0)
			sl_fuzz_die("a group member of weight 0");
		if (via[k].family != p->family)
			sl_fuzz_die("next hop of the other family");
		for (unsigned int o = 0; o < 2; o++)
			on_subnet |= sl_pfx_has(&outside[o], via[k].family, via[k].addr);
		if (!on_subnet)
			return -ENETUNREACH; /* the whole group is refused */
	}
	return sl_fz_set(arg, p, &via[0]);
}

static int sl_fz_del(void *arg, const struct sl_pfx *p)
{
	int i = sl_fz_find(p);

	(void)arg;
	if (i < 0)
		sl_fuzz_die("delete of a prefix the route source does not hold");
	routes[i] = routes[--n_routes];
	return 0;
}

static int sl_fz_commit(void *arg)
{
	(void)arg;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const struct sl_kr_sink sink = {sl_fz_set, sl_fz_del, sl_fz_commit, NULL, sl_fz_set_group};

	(void)argc;
	(void)argv;
	if (sl_pfx_parse("203.0.113.0/24", &outside[0], 0) != SL_PFX_OK ||
	    sl_pfx_parse("2001:db8:ffff::/64", &outside[1], 0) != SL_PFX_OK)
		sl_fuzz_die("outside subnets");
	kr = sl_kernel_routes_new(SL_FZ_TABLE, &sink);
	if (kr == NULL)
		sl_fuzz_die("sl_kernel_routes_new");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t buf[SL_FZ_MAX_INPUT / 4];
	uint8_t flags;
	size_t len;

	if (size < 1 || size - 1 > sizeof(buf))
		return 0;
	flags = data[0];
	len = size - 1;
	memcpy(buf, data + 1, len);

	if (flags & 1)
		sl_kernel_routes_resync_begin(kr);
	if (flags & 2) {
		size_t half = (len / 2) & ~(size_t)3;

		sl_kernel_routes_input(kr, buf, half);
		sl_kernel_routes_commit(kr);
		sl_kernel_routes_input(kr, (uint8_t *)buf + half, len - half);
	} else {
		sl_kernel_routes_input(kr, buf, len);
	}
	if (flags & 1)
		sl_kernel_routes_resync_end(kr);
	sl_kernel_routes_commit(kr);
	if (sl_kernel_routes_stats(kr)->mirrored != n_routes)
		sl_fuzz_die("mirrored count and the route source disagree");

	/* back to an empty table: a resync that sees nothing */
	sl_kernel_routes_resync_begin(kr);
	sl_kernel_routes_resync_end(kr);
	sl_kernel_routes_commit(kr);
	if (n_routes != 0 || sl_kernel_routes_stats(kr)->mirrored != 0)
		sl_fuzz_die("an empty resync left routes behind");
	return 0;
}
