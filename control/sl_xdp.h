/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluiced's XDP loader (xdp.c): opens and loads bpf/sl_xdp.bpf.o with
 * libbpf, attaches it to one interface in native or generic mode, keeps
 * its owned-prefix map in step with the store's public addresses and its
 * host map with the interface's own kernel addresses, reads its counters,
 * and detaches it when closed. Design and maps: docs/xdp.md; layouts:
 * bpf/sl_xdp_abi.h.
 *
 * Event loop only (not thread-safe); sluiced is the maps' only writer.
 */
#ifndef SL_XDP_H
#define SL_XDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_addr.h"
#include "sl_xdp_abi.h"

struct sl_xdp;
struct sl_store;
struct sl_ctl;
struct bpf_object;

/** Where sluiced looks for the object when --xdp-obj is not given. */
#define SL_XDP_OBJ_INSTALLED "/usr/local/lib/sluice/sl_xdp.bpf.o"

/**
 * Check that an opened (not necessarily loaded) object has the maps of
 * sl_xdp_abi.h with its key and value sizes and counter count. 0, or -1
 * with the first difference in err.
 */
int sl_xdp_check_object(struct bpf_object *obj, char *err, size_t errlen);

/**
 * Open, check and load the object at path (NULL: next to the executable's
 * build tree, then SL_XDP_OBJ_INSTALLED), and set its port role. Needs
 * CAP_BPF (root). NULL with the reason in err.
 */
struct sl_xdp *sl_xdp_open(const char *path, enum sl_xdp_role role, char *err, size_t errlen);

/**
 * Attach to ifname: native (driver) mode, or generic (skb) mode if
 * generic is set, replacing no other program. Also fills the host map from
 * the interface's addresses. 0, or -1 with err.
 */
int sl_xdp_attach(struct sl_xdp *x, const char *ifname, bool generic, char *err, size_t errlen);

/** The program's fd (BPF_PROG_RUN in tests). */
int sl_xdp_prog_fd(const struct sl_xdp *x);

/** Add one prefix to the owned or the host trie. 0, or a negative errno. */
int sl_xdp_add_owned(struct sl_xdp *x, const struct sl_pfx *p, enum sl_xdp_owner owner);
int sl_xdp_add_host(struct sl_xdp *x, const struct sl_pfx *p);

/**
 * Make the owned trie exactly the store's public addresses: outside
 * addresses (full length), EIPs, NAT bandwidth package IPs, VPC IPv6
 * CIDRs. Number of prefixes, or a negative errno.
 */
int sl_xdp_sync_owned(struct sl_xdp *x, const struct sl_store *s);

/** Call each loop turn: syncs the owned trie when the generation moved;
 * in adopt mode, once a second, adopts a new program on the interface. */
void sl_xdp_poll(struct sl_xdp *x, const struct sl_ctl *ctl);

/** Sum the per-CPU counters into out. 0, or a negative errno. */
int sl_xdp_counters(const struct sl_xdp *x, uint64_t out[SL_XDP_CNT_MAX]);

/** Counter names, indexed by enum sl_xdp_cnt. */
extern const char *const sl_xdp_cnt_names[SL_XDP_CNT_MAX];

/**
 * Prometheus text of the counters of n programs: the family
 * sluice_xdp_packets_total{iface, counter}. A program not adopted yet has
 * no counters and is left out. A malloc'd string (*len bytes), or NULL when
 * out of memory.
 */
char *sl_xdp_metrics(struct sl_xdp *const *x, unsigned int n, size_t *len);

/** Log the counters, detach (if sluiced attached it) and free. NULL is fine. */
void sl_xdp_close(struct sl_xdp *x);

/** What --xdp asks for: "IFACE[,inside|,outside][,generic|,native][,adopt]". */
struct sl_xdp_spec {
	char ifname[16];
	enum sl_xdp_role role; /**< default outside */
	bool generic;	       /**< default native */
	bool adopt;	       /**< ",adopt": fill the maps of the sl_xdp the
				* af_xdp PMD attached (xdp_prog=), attach nothing;
				* waits for it, re-adopts when it changes */
};
#define SL_XDP_PORTS_MAX 8

/** Parse an --xdp argument. 0, or -1 if malformed. */
int sl_xdp_parse_spec(const char *arg, struct sl_xdp_spec *sp);

/**
 * sluiced's start-up: open (object at obj_path, NULL for the default),
 * attach per sp, sync the owned trie from ctl's store. NULL with err.
 */
struct sl_xdp *sl_xdp_start(const struct sl_xdp_spec *sp, const char *obj_path,
			    const struct sl_ctl *ctl, char *err, size_t errlen);

/** The LPM key of a prefix (IPv4 as IPv4-mapped IPv6). */
void sl_xdp_key(struct sl_xdp_lpm_key *k, const struct sl_pfx *p);

#endif /* SL_XDP_H */
