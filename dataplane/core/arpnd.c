/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826) and IPv6 neighbour discovery (RFC 4861) on the main lcore.
 *
 * Design note
 * -----------
 * Workers punt every ARP frame and every ND message for the gateway; the
 * main lcore validates them, answers for the gateway's own addresses,
 * feeds the neighbour table and builds the requests the table asks for.
 *
 * "Our address" is decided with the main lcore's own acknowledged bank (it
 * is reader slot 0 like any worker): an address is ours when it resolves to
 * a LOCAL next hop in the table of the side the packet came from: the VPC
 * of the inside (port's trunk, VLAN) (VLAN map), or the Internet table on the outside. So
 * the gateway answers exactly for the VSwitch gateway addresses of that VPC
 * and for the outside addresses, and VPCs with overlapping CIDRs stay
 * apart.
 *
 * Replies and requests are frames with their final L2 header; they leave
 * through a worker's inject ring (the main lcore owns no port queue). An
 * ARP reply reuses the request's buffer; ND messages are built fresh.
 * Nothing here logs per packet; every drop has a reason.
 *
 * HaVips (issue 12, havip.c): an ARP whose sender address is a HaVip of the
 * frame's VPC is a claim of that HaVip and skips the RFC 826 merge: only
 * havip.c writes the HaVip's neighbour entry, and a refused claim drops the
 * frame (havip_not_associated). ND has no HaVip path: HaVips are IPv4.
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>

#include "sl_neigh.h"

#define SL_ND_RS 133
#define SL_ND_RA 134
#define SL_ND_NS 135
#define SL_ND_NA 136
#define SL_ND_REDIRECT 137
#define SL_ND_OPT_SLLA 1
#define SL_ND_OPT_TLLA 2
#define SL_NA_F_ROUTER 0x80
#define SL_NA_F_SOLICITED 0x40
#define SL_NA_F_OVERRIDE 0x20
#define SL_ND_MSG_LEN 24 /* type, code, cksum, flags/reserved, target */
#define SL_ND_LLA_OPT_LEN 8
#define SL_IPPROTO_ICMPV6 58

/* NS and NA share this layout. */
struct sl_nd_msg {
	uint8_t type;
	uint8_t code;
	uint16_t cksum;
	uint8_t flags; /* NA: R S O; NS: reserved */
	uint8_t reserved[3];
	uint8_t target[16];
} __attribute__((packed));

struct sl_nd_lla_opt {
	uint8_t type;
	uint8_t len; /* units of 8 bytes */
	uint8_t mac[6];
} __attribute__((packed));

static const uint8_t sl_ip6_all_nodes[16] = {0xff, 0x02, [15] = 0x01};

const struct sl_route_table *sl_arpnd_table(const struct sl_bank_header *b, uint8_t role,
					    uint16_t port, uint16_t vlan)
{
	uint32_t v;

	if (!b)
		return NULL;
	if (role == SL_ROLE_OUTSIDE)
		return &b->inet;
	if (port >= RTE_MAX_ETHPORTS)
		return NULL;
	v = sl_bank_vlan_lookup(b, sl_ports[port].trunk, vlan);
	if (v == 0)
		return NULL;
	return sl_bank_rt(b, v - 1);
}

static bool sl_is_local4(const struct sl_bank_header *b, const struct sl_route_table *rt,
			 rte_be32_t addr)
{
	return rt &&
	       sl_bank_nh(b, sl_rt4_lookup(b, rt, rte_be_to_cpu_32(addr)))->type == SL_NH_LOCAL;
}

static bool sl_is_local6(const struct sl_bank_header *b, const struct sl_route_table *rt,
			 const uint8_t *a)
{
	uint64_t hi, lo;

	if (!rt)
		return false;
	memcpy(&hi, a, 8);
	memcpy(&lo, a + 8, 8);
	return sl_bank_nh(b, sl_rt6_lookup(b, rt, rte_be_to_cpu_64(hi), rte_be_to_cpu_64(lo)))
		   ->type == SL_NH_LOCAL;
}

/* One's-complement ICMPv6 checksum over the pseudo header and `len` bytes. */
static uint16_t sl_icmp6_cksum(const uint8_t *src, const uint8_t *dst, const void *icmp,
			       uint32_t len)
{
	struct {
		uint8_t src[16];
		uint8_t dst[16];
		rte_be32_t len;
		uint8_t zero[3];
		uint8_t nxt;
	} __attribute__((packed)) ph;
	uint32_t sum;

	memcpy(ph.src, src, 16);
	memcpy(ph.dst, dst, 16);
	ph.len = rte_cpu_to_be_32(len);
	memset(ph.zero, 0, sizeof(ph.zero));
	ph.nxt = SL_IPPROTO_ICMPV6;
	sum = (uint32_t)rte_raw_cksum(&ph, sizeof(ph)) + rte_raw_cksum(icmp, len);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static bool sl_ip6_unspec(const uint8_t *a)
{
	static const uint8_t z[16];

	return memcmp(a, z, 16) == 0;
}

static bool sl_ip6_solicited_node(const uint8_t *a)
{
	static const uint8_t pfx[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};

	return memcmp(a, pfx, 13) == 0;
}

/* Make the packet contiguous so headers can be read in place. */
static bool sl_contig(struct rte_mbuf *m)
{
	return m->nb_segs == 1 || rte_pktmbuf_linearize(m) == 0;
}

static struct rte_mbuf *sl_arpnd_alloc(struct sl_neigh_table *t, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(sl_pktmbuf_pool);

	if (!m) {
		t->w->stats->drop[SL_DROP_NO_MBUF]++;
		return NULL;
	}
	if (!rte_pktmbuf_append(m, len)) {
		rte_pktmbuf_free(m);
		t->w->stats->drop[SL_DROP_NO_MBUF]++;
		return NULL;
	}
	memset(sl_meta(m), 0, sizeof(struct sl_meta));
	sl_meta(m)->flags = SL_META_F_LOCAL_ORIGIN;
	return m;
}

/* Encapsulate and hand to a worker; consumes m. */
static void sl_arpnd_send(struct sl_neigh_table *t, struct rte_mbuf *m, uint16_t port,
			  uint16_t vlan, const struct rte_ether_addr *dst, uint16_t ethertype,
			  uint32_t hash)
{
	if (sl_l2_encap(m, port, vlan, dst, ethertype) < 0) {
		sl_drop(t->w, m, SL_DROP_NO_MBUF);
		return;
	}
	t->xmit(t->xmit_arg, m, hash);
}

/* ---- ARP ------------------------------------------------------------------ */

void sl_arp_input(struct sl_neigh_table *t, struct rte_mbuf *m, uint64_t now)
{
	struct sl_worker *w = t->w;
	struct sl_meta *md = sl_meta(m);
	const struct sl_bank_header *b = w->bank;
	const struct sl_route_table *rt;
	struct rte_arp_hdr *arp;
	struct rte_ether_addr sha;
	struct sl_neigh_key key;
	rte_be32_t sip, tip;
	uint16_t op;
	bool for_us, gratuitous;

	if (!sl_contig(m) || rte_pktmbuf_data_len(m) < md->l3_off + sizeof(*arp)) {
		sl_drop(w, m, SL_DROP_ARP_INVALID);
		return;
	}
	arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, md->l3_off);
	op = rte_be_to_cpu_16(arp->arp_opcode);
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4 ||
	    (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY) ||
	    !rte_is_unicast_ether_addr(&arp->arp_data.arp_sha)) {
		sl_drop(w, m, SL_DROP_ARP_INVALID);
		return;
	}
	sha = arp->arp_data.arp_sha;
	sip = arp->arp_data.arp_sip;
	tip = arp->arp_data.arp_tip;
	rt = sl_arpnd_table(b, md->in_role, md->in_port, md->in_vlan);
	for_us = sl_is_local4(b, rt, tip);
	gratuitous = sip == tip;

	/* RFC 826 merge: refresh an existing entry from any ARP; create one
	 * only when the sender asks for us. A sender of 0.0.0.0 (RFC 5227
	 * probe) teaches nothing. */
	if (sip != 0 && !(for_us && gratuitous)) {
		unsigned int fl = SL_NEIGH_F_OVERRIDE;
		int claim = sl_havip_arp(t, b, md, &sha, sip,
					 op == RTE_ARP_OP_REPLY && !gratuitous, now);

		if (claim < 0) {
			sl_drop(w, m, SL_DROP_HAVIP_NOT_ASSOCIATED);
			return;
		}
		if (op == RTE_ARP_OP_REQUEST && for_us)
			fl |= SL_NEIGH_F_CREATE;
		else if (op == RTE_ARP_OP_REPLY && !gratuitous)
			fl |= SL_NEIGH_F_CONFIRM;
		sl_neigh_key_init(&key, md->in_port, md->in_vlan, SL_AF_INET, &sip);
		if (claim == 0 && sl_neigh_learn(t, &key, &sha, fl, md->in_role,
						 for_us ? &tip : NULL, now) == 0)
			sl_havip_learned(t, b, md, &sha, sip, now);
	}

	if (op != RTE_ARP_OP_REQUEST || gratuitous) {
		rte_pktmbuf_free(m); /* consumed: replies and announcements */
		return;
	}
	if (!b) {
		sl_drop(w, m, SL_DROP_NO_TABLES);
		return;
	}
	if (!for_us) {
		sl_drop(w, m, SL_DROP_ARP_NOT_FOR_US);
		return;
	}
	/* Answer in place. */
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	arp->arp_data.arp_tha = sha;
	arp->arp_data.arp_tip = sip;
	arp->arp_data.arp_sha = sl_ports[md->in_port].mac;
	arp->arp_data.arp_sip = tip;
	/* Drop any Ethernet padding of the request. */
	if (rte_pktmbuf_data_len(m) > md->l3_off + sizeof(*arp))
		rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - md->l3_off - sizeof(*arp));
	md->flags = SL_META_F_LOCAL_ORIGIN;
	sl_count(w, SL_CNT_ARP_REPLIES, 1);
	sl_arpnd_send(t, m, md->in_port, md->in_vlan, &sha, RTE_ETHER_TYPE_ARP,
		      rte_be_to_cpu_32(sip));
}

/* ---- ND ------------------------------------------------------------------- */

/* Find the link-layer address option `type` in [opt, opt + len); also
 * validates every option length (RFC 4861 4.6: zero length is invalid).
 * Returns -1 invalid, 0 absent, 1 found (mac filled). */
static int sl_nd_opts(const uint8_t *opt, uint32_t len, uint8_t type, struct rte_ether_addr *mac)
{
	int found = 0;

	while (len > 0) {
		uint32_t olen;

		if (len < 2)
			return -1;
		olen = (uint32_t)opt[1] * 8;
		if (olen == 0 || olen > len)
			return -1;
		if (opt[0] == type) {
			if (olen < SL_ND_LLA_OPT_LEN)
				return -1;
			memcpy(mac->addr_bytes, opt + 2, 6);
			found = 1;
		}
		opt += olen;
		len -= olen;
	}
	return found;
}

/* Neighbour advertisement from our address `target` to `dst`. */
static void sl_nd_send_na(struct sl_neigh_table *t, uint16_t port, uint16_t vlan,
			  const uint8_t *target, const uint8_t *dst,
			  const struct rte_ether_addr *dst_mac, uint8_t flags)
{
	const uint16_t plen = SL_ND_MSG_LEN + SL_ND_LLA_OPT_LEN;
	uint64_t dst_al[2];
	struct rte_ipv6_hdr *ip6;
	struct sl_nd_msg *na;
	struct sl_nd_lla_opt *o;
	struct rte_mbuf *m;

	m = sl_arpnd_alloc(t, sizeof(*ip6) + plen);
	if (!m)
		return;
	ip6 = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(plen);
	ip6->proto = SL_IPPROTO_ICMPV6;
	ip6->hop_limits = 255;
	memcpy(ip6->src_addr, target, 16);
	memcpy(ip6->dst_addr, dst, 16);
	na = (struct sl_nd_msg *)(ip6 + 1);
	memset(na, 0, sizeof(*na));
	na->type = SL_ND_NA;
	na->flags = flags;
	memcpy(na->target, target, 16);
	o = (struct sl_nd_lla_opt *)(na + 1);
	o->type = SL_ND_OPT_TLLA;
	o->len = 1;
	memcpy(o->mac, sl_ports[port].mac.addr_bytes, 6);
	na->cksum = sl_icmp6_cksum(ip6->src_addr, ip6->dst_addr, na, plen);
	sl_meta(m)->family = SL_AF_INET6;
	sl_count(t->w, SL_CNT_ND_ADVERTS, 1);
	/* dst may point into a packet: hash an aligned copy. */
	memcpy(dst_al, dst, 16);
	sl_arpnd_send(t, m, port, vlan, dst_mac, RTE_ETHER_TYPE_IPV6,
		      rte_hash_crc(dst_al, sizeof(dst_al), 0));
}

void sl_nd_input(struct sl_neigh_table *t, struct rte_mbuf *m, uint64_t now)
{
	struct sl_worker *w = t->w;
	struct sl_meta *md = sl_meta(m);
	const struct sl_bank_header *b = w->bank;
	struct rte_ipv6_hdr *ip6;
	struct sl_nd_msg *nd;
	struct rte_ether_addr lla;
	struct sl_neigh_key key;
	uint32_t l4, icmp_len, ext;
	int has_lla;

	if (!sl_contig(m) || rte_pktmbuf_data_len(m) < md->l3_off + sizeof(*ip6))
		goto invalid;
	ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, md->l3_off);
	if ((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6)
		goto invalid;
	if (ip6->proto == SL_IPPROTO_ICMPV6)
		l4 = md->l3_off + sizeof(*ip6);
	else if (md->l4_proto == SL_IPPROTO_ICMPV6 && md->l4_off > md->l3_off + sizeof(*ip6))
		l4 = md->l4_off; /* after extension headers, as ip6_input found */
	else
		goto invalid;
	ext = l4 - md->l3_off - sizeof(*ip6);
	if (rte_be_to_cpu_16(ip6->payload_len) < ext + 4)
		goto invalid;
	icmp_len = rte_be_to_cpu_16(ip6->payload_len) - ext;
	if (l4 + icmp_len > rte_pktmbuf_data_len(m))
		goto invalid;
	nd = rte_pktmbuf_mtod_offset(m, struct sl_nd_msg *, l4);
	/* RFC 4861 6.1.1 / 7.1.1 / 7.1.2: hop limit 255, code 0, checksum. */
	if (ip6->hop_limits != 255 || nd->code != 0 ||
	    sl_icmp6_cksum(ip6->src_addr, ip6->dst_addr, nd, icmp_len) != 0)
		goto invalid;

	switch (nd->type) {
	case SL_ND_RS:
	case SL_ND_RA:
	case SL_ND_REDIRECT:
		sl_drop(w, m, SL_DROP_ND_IGNORED);
		return;
	case SL_ND_NS:
	case SL_ND_NA:
		break;
	default:
		goto invalid;
	}
	if (icmp_len < SL_ND_MSG_LEN || (nd->target[0] == 0xff))
		goto invalid;
	has_lla = sl_nd_opts((const uint8_t *)(nd + 1), icmp_len - SL_ND_MSG_LEN,
			     nd->type == SL_ND_NS ? SL_ND_OPT_SLLA : SL_ND_OPT_TLLA, &lla);
	if (has_lla < 0 || (has_lla && !rte_is_unicast_ether_addr(&lla)))
		goto invalid;

	if (nd->type == SL_ND_NA) {
		unsigned int fl = 0;

		/* 7.1.2: a multicast-destined NA must not be solicited. */
		if (ip6->dst_addr[0] == 0xff && (nd->flags & SL_NA_F_SOLICITED))
			goto invalid;
		if (nd->flags & SL_NA_F_SOLICITED)
			fl |= SL_NEIGH_F_CONFIRM;
		if (nd->flags & SL_NA_F_OVERRIDE)
			fl |= SL_NEIGH_F_OVERRIDE;
		sl_neigh_key_init(&key, md->in_port, md->in_vlan, SL_AF_INET6, nd->target);
		sl_neigh_learn(t, &key, has_lla ? &lla : NULL, fl, md->in_role, NULL, now);
		rte_pktmbuf_free(m);
		return;
	}

	/* Neighbour solicitation. */
	if (sl_ip6_unspec(ip6->src_addr) && (!sl_ip6_solicited_node(ip6->dst_addr) || has_lla))
		goto invalid; /* 7.1.1: DAD comes to the solicited-node group, no SLLA */
	if (!b) {
		sl_drop(w, m, SL_DROP_NO_TABLES);
		return;
	}
	if (!sl_is_local6(b, sl_arpnd_table(b, md->in_role, md->in_port, md->in_vlan), nd->target)) {
		sl_drop(w, m, SL_DROP_ND_NOT_FOR_US);
		return;
	}
	if (sl_ip6_unspec(ip6->src_addr)) {
		/* Someone probes our address (DAD): defend it to all nodes;
		 * learn nothing. */
		static const struct rte_ether_addr all_nodes_mac = {
		    .addr_bytes = {0x33, 0x33, 0, 0, 0, 1}};

		sl_nd_send_na(t, md->in_port, md->in_vlan, nd->target, sl_ip6_all_nodes,
			      &all_nodes_mac, SL_NA_F_ROUTER | SL_NA_F_OVERRIDE);
	} else {
		struct rte_ether_addr dst_mac;

		if (has_lla) {
			sl_neigh_key_init(&key, md->in_port, md->in_vlan, SL_AF_INET6,
					  ip6->src_addr);
			sl_neigh_learn(t, &key, &lla, SL_NEIGH_F_CREATE | SL_NEIGH_F_OVERRIDE,
				       md->in_role, nd->target, now);
			dst_mac = lla;
		} else if (md->l3_off >= sizeof(struct rte_ether_hdr)) {
			/* Unicast NS without SLLA (7.2.4): answer the frame's
			 * source. */
			dst_mac = rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr;
		} else {
			goto invalid;
		}
		sl_nd_send_na(t, md->in_port, md->in_vlan, nd->target, ip6->src_addr, &dst_mac,
			      SL_NA_F_ROUTER | SL_NA_F_SOLICITED | SL_NA_F_OVERRIDE);
	}
	rte_pktmbuf_free(m);
	return;
invalid:
	sl_drop(w, m, SL_DROP_ND_INVALID);
}

/* ---- requests ----------------------------------------------------------- */

static int sl_arp_request(struct sl_neigh_table *t, const struct sl_neigh_priv *p,
			  const struct rte_ether_addr *dst)
{
	static const struct rte_ether_addr bcast = {
	    .addr_bytes = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	struct rte_arp_hdr *arp;
	struct rte_mbuf *m;

	m = sl_arpnd_alloc(t, sizeof(*arp));
	if (!m)
		return -ENOMEM;
	arp = rte_pktmbuf_mtod(m, struct rte_arp_hdr *);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = sl_ports[p->key.port].mac;
	memcpy(&arp->arp_data.arp_sip, p->src, 4);
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	memcpy(&arp->arp_data.arp_tip, p->key.addr, 4);
	sl_count(t->w, SL_CNT_ARP_REQUESTS, 1);
	sl_arpnd_send(t, m, p->key.port, p->key.vlan, dst ? dst : &bcast, RTE_ETHER_TYPE_ARP,
		      p->hash);
	return 0;
}

static int sl_nd_solicit(struct sl_neigh_table *t, const struct sl_neigh_priv *p,
			 const struct rte_ether_addr *dst)
{
	const uint16_t plen = SL_ND_MSG_LEN + SL_ND_LLA_OPT_LEN;

	/* An NS from :: with a link-layer option is invalid (RFC 4861
	 * 7.1.1) and would be ignored: without an address of ours on the link
	 * there is nothing valid to send. */
	if (sl_ip6_unspec(p->src))
		return -EADDRNOTAVAIL;
	struct rte_ether_addr mcast = {
	    .addr_bytes = {0x33, 0x33, 0xff, p->key.addr[13], p->key.addr[14], p->key.addr[15]}};
	struct rte_ipv6_hdr *ip6;
	struct sl_nd_msg *ns;
	struct sl_nd_lla_opt *o;
	struct rte_mbuf *m;

	m = sl_arpnd_alloc(t, sizeof(*ip6) + plen);
	if (!m)
		return -ENOMEM;
	ip6 = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(plen);
	ip6->proto = SL_IPPROTO_ICMPV6;
	ip6->hop_limits = 255;
	memcpy(ip6->src_addr, p->src, 16);
	if (dst) {
		memcpy(ip6->dst_addr, p->key.addr, 16);
	} else {
		/* Solicited-node multicast ff02::1:ffXX:XXXX. */
		static const uint8_t pfx[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};

		memcpy(ip6->dst_addr, pfx, 13);
		memcpy(ip6->dst_addr + 13, p->key.addr + 13, 3);
	}
	ns = (struct sl_nd_msg *)(ip6 + 1);
	memset(ns, 0, sizeof(*ns));
	ns->type = SL_ND_NS;
	memcpy(ns->target, p->key.addr, 16);
	o = (struct sl_nd_lla_opt *)(ns + 1);
	o->type = SL_ND_OPT_SLLA;
	o->len = 1;
	memcpy(o->mac, sl_ports[p->key.port].mac.addr_bytes, 6);
	ns->cksum = sl_icmp6_cksum(ip6->src_addr, ip6->dst_addr, ns, plen);
	sl_meta(m)->family = SL_AF_INET6;
	sl_count(t->w, SL_CNT_ND_SOLICITS, 1);
	sl_arpnd_send(t, m, p->key.port, p->key.vlan, dst ? dst : &mcast, RTE_ETHER_TYPE_IPV6,
		      p->hash);
	return 0;
}

int sl_neigh_solicit(struct sl_neigh_table *t, const struct sl_neigh_priv *p,
		     const struct rte_ether_addr *dst)
{
	if (p->key.family == SL_AF_INET6)
		return sl_nd_solicit(t, p, dst);
	return sl_arp_request(t, p, dst);
}
