/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the compiler's unit tests (header-only, tests only;
 * include after <cmocka.h>): compile a store into a bank and read a VPC's
 * table the way sluice-dp does.
 */
#ifndef SL_TEST_COMPILE_H
#define SL_TEST_COMPILE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "sl_compile.h"

/** Host-order IPv4 address of a dotted quad. */
static inline uint32_t sl_t_ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

/** Compile `s` and write it into `bank` as generation `gen`. */
static inline void sl_t_build(struct sl_compiler *c, const struct sl_store *s, void *bank,
			      uint64_t size, uint64_t gen)
{
	struct sl_compile_stats st;

	assert_int_equal(sl_compile(c, s, &st), 0);
	assert_int_equal(sl_compile_layout(c, bank, size, gen), 0);
}

/** The next hop of `addr` in VPC `vpc`'s table of bank `h`. */
static inline const struct sl_nexthop *sl_t_vpc_nh(const struct sl_bank_header *h,
						   const char *vpc, uint32_t addr)
{
	const struct sl_vpc *v = SL_BANK_PTR(h, h->vpc_off, const struct sl_vpc);

	for (uint32_t i = 0; i < h->n_vpcs; i++)
		if (strcmp(v[i].id, vpc) == 0) {
			uint32_t nh =
			    sl_rt4_find(SL_BANK_PTR(h, v[i].rt.v4_off, const struct sl_rt4_entry),
					v[i].rt.v4_n, addr);

			assert_true(nh < h->n_nexthops);
			return SL_BANK_PTR(h, h->nh_off, const struct sl_nexthop) + nh;
		}
	fail_msg("no VPC %s", vpc);
	return NULL;
}

#endif /* SL_TEST_COMPILE_H */
