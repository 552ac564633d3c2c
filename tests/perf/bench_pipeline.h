/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What bench_pipeline.c shares with the mixes kept in files of their own
 * (bench_mix_*.c): the frame type, the helpers that build frames, and each
 * such mix's hooks.
 */
#ifndef SL_BENCH_PIPELINE_H
#define SL_BENCH_PIPELINE_H

#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>

#include "sl_pfxfile.h"

#define SL_VLANS_PER_TRUNK 4094u
#define SL_FRAME_MAX 128

struct sl_frame {
	uint8_t data[SL_FRAME_MAX] __rte_aligned(8); /* headers are read in place */
	uint16_t len;
	uint8_t bport; /* 0: the outside port, 1 + k: inside trunk k */
};

uint64_t sl_rand(void);
/* A 64-byte IPv4/UDP frame (802.1Q when vlan) to the ingress port's MAC. */
void sl_frame4(struct sl_frame *fr, uint16_t vlan, uint32_t src, uint32_t dst);

/* ---- the policed mix (bench_mix_policed.c) ---- */
#define SL_BPM_POLICERS 100000u /* policers loaded, as issue 9 asks */
/* The Gateway object's EIP pool (appended inside it) and the mix's objects
 * (appended to the top-level object) for `vpcs` VPCs, `active` of them
 * with traffic. */
void sl_bpm_policed_gateway(FILE *f);
void sl_bpm_policed_objects(FILE *f, uint32_t vpcs, uint32_t active);
/* Frames: [0, flows) from the Internet to an active VPC's EIP, [flows,
 * 2 flows) from that EIP's instance to a random Internet prefix (VPCs with
 * EIPs only: the first 2,048 at most). */
int sl_bpm_policed_frames(const struct sl_pfxlist *pl, uint32_t flows, uint32_t vpcs,
			  uint32_t active, struct sl_frame *fr);

#endif /* SL_BENCH_PIPELINE_H */
