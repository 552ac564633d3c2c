/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet helpers shared by the pipeline stages (first version). */
#ifndef SL_PROTO_H
#define SL_PROTO_H
#include <rte_ip.h>
#include "sl_pipeline.h"
#endif
