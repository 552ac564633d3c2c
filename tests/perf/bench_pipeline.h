/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What bench_pipeline.c shares with the files of its mixes (bench_mix_*.c):
 * the options, the frames, the ports and the data plane it drives, the
 * timed loop and republishing the generated config. Single-threaded, like
 * the whole program.
 */
#ifndef SL_BENCH_PIPELINE_H
#define SL_BENCH_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>

#include "sl_dp.h"
#include "sl_pfxfile.h"

#define SL_VLANS_PER_TRUNK 4094u
#define SL_FRAME_MAX 128

/* Every public address of the generated config (EIPs of instances and of
 * NAT gateways) lies in this block (Gateway.EipPool). */
#define SL_BP_EIP_POOL "198.18.0.0/15"

struct sl_ctl;

struct sl_bp_opts {
	const char *prefixes;
	uint32_t synthetic;
	uint32_t vpcs;
	uint32_t vpc_routes;
	uint32_t active_vpcs;
	uint64_t packets; /* per mix, timed */
	uint32_t flows;	  /* precomputed frames per ingress side */
	const char *mixes;
	/* the NAT mixes (bench_mix_nat.c) */
	uint32_t nat_sessions; /* SNAT sessions loaded before the NAT mixes */
	uint32_t new_flows;    /* frames of snat-new, each a new flow */
	uint32_t nat_vpcs;     /* VPCs [0, nat_vpcs) have a NAT gateway and EIPs */
};

struct sl_frame {
	uint8_t data[SL_FRAME_MAX] __rte_aligned(8); /* headers are read in place */
	uint16_t len;
	uint8_t bport;
};

/* Port 0 of sl_bports is the outside, port 1 + k inside trunk k. */
struct sl_bport {
	struct rte_ring *rx, *tx;
	uint16_t port_id;
};

extern struct sl_bport sl_bports[1 + SL_MAX_TRUNKS];
extern struct sl_dp sl_bdp;

int sl_bp_fail(const char *what, const char *detail);
uint64_t sl_rand(void);
/* Learn `addr` (text) on `bport`/`vlan` with a made-up MAC. */
int sl_bp_learn(unsigned int bport, uint16_t vlan, const char *addr);
/* A 64-byte IPv4 UDP frame (random source port, port 4789, no checksum);
 * fr->bport must be set (the Ethernet destination is its MAC). */
void sl_frame4(struct sl_frame *fr, uint16_t vlan, uint32_t src, uint32_t dst);
/* One burst of frames from fr[*cursor % n_frames] on their ports' rx rings. */
int sl_bp_feed(const struct sl_frame *fr, uint32_t n_frames, uint64_t *cursor);
/* Drain and free every tx ring (and the punt ring); returns the packets sent. */
uint64_t sl_bp_drain(void);
void sl_bp_print_drops(void);
/* Time one mix and print its line; 0, or 1 if too few packets were sent.
 * Each timed poll finds `bursts` bursts on the rx rings (at most one per
 * port: a poll takes one burst from each); sl_bp_run: 2, the two sides. */
int sl_bp_run_bursts(const char *mix, const struct sl_frame *fr, uint32_t n_frames,
		     uint64_t packets, unsigned int bursts);
int sl_bp_run(const char *mix, const struct sl_frame *fr, uint32_t n_frames, uint64_t packets);
void sl_bp_interleave(const struct sl_frame *in, uint32_t flows, struct sl_frame *out);
int sl_bp_publish(struct sl_ctl *ctl, const struct sl_bp_opts *o, uint32_t gws, uint32_t nat);

/* ---- bench_mix_nat.c ------------------------------------------------------- */

/* The NAT objects of VPCs [0, nat), appended to the config's top-level object. */
void sl_bp_config_nat(FILE *f, uint32_t nat);
bool sl_bp_nat_mix(const char *mix);
/* Run NAT mix `mix` (setting the NAT objects and the session table up the
 * first time); 0, or 1 on failure. */
int sl_bp_nat_run(struct sl_ctl *ctl, const struct sl_bp_opts *o, const struct sl_pfxlist *pl,
		  const char *mix);
/* Before a mix without NAT: publish the config without the NAT objects
 * again if they were set up. 0 or 1. */
int sl_bp_nat_end(struct sl_ctl *ctl, const struct sl_bp_opts *o);
/* Free the session table (end of the program). */
void sl_bp_nat_free(void);

/* ---- bench_mix_policed.c ---------------------------------------------------- */

#define SL_BPM_POLICERS 100000u /* policers loaded, as issue 9 asks */
/* The mix's objects (appended to the top-level object; the Gateway's
 * EipPool is SL_BP_EIP_POOL) for `vpcs` VPCs, `active` of them with
 * traffic. */
void sl_bpm_policed_objects(FILE *f, uint32_t vpcs, uint32_t active);
/* Frames: [0, flows) from the Internet to an active VPC's EIP, [flows,
 * 2 flows) from that EIP's instance to a random Internet prefix (VPCs with
 * EIPs only: the first 2,048 at most). */
int sl_bpm_policed_frames(const struct sl_pfxlist *pl, uint32_t flows, uint32_t vpcs,
			  uint32_t active, struct sl_frame *fr);

/* ---- bench_mix_ecmp.c ------------------------------------------------------- */

bool sl_bpe_mix(const char *mix);
/* The ecmp mix: a share of the IPv4 Internet table through next-hop groups
 * (set before, undone after), frames in tmp, interleaved into fr. 0 or 1. */
int sl_bpe_run(struct sl_ctl *ctl, const struct sl_bp_opts *o, const struct sl_pfxlist *pl,
	       struct sl_frame *tmp, struct sl_frame *fr);

#endif /* SL_BENCH_PIPELINE_H */
