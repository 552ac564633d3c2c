/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_EXC_IFACE_H
#define SL_EXC_IFACE_H

/*
 * sluiced's side of the exception path (docs/sluice-dp.md, "Exception
 * path"): sluice-dp creates the TAP of its outside port when it starts;
 * sluiced (--exception IFNAME) keeps that interface configured with libnl:
 * up, and carrying the gateway's outside addresses (Gateway.Outside
 * Addresses of the config: "203.0.113.2/24", "2001:db8:ffff::2/64"), so
 * the host's BGP daemon, SSH and others speak from them.
 *
 * Design note
 * -----------
 * Reconciled on sluiced's one-second tick, not on link events: the TAP
 * comes and goes with sluice-dp (a restart makes a new one, with a new
 * ifindex), the operator may change it, and a dump of one interface's
 * addresses a second costs nothing. Each tick: find IFNAME (absent: nothing
 * to do, logged once), bring it up, add each configured address that is
 * missing (IPv6 with IFA_F_NODAD: sluice-dp answers neighbour solicitations
 * for the same address, so duplicate address detection would always fail;
 * IPv6 enabled and router advertisements ignored on the interface first),
 * and remove addresses sluiced added earlier that the config no longer
 * has. Addresses the operator added are left alone. Single-threaded
 * (sluiced's event loop).
 *
 * Inside ports (--exception IFNAME,inside; issue 8, session 6): the TAP of
 * a trunk carries 802.1Q-tagged frames of every VPC on it, and the
 * gateway's inside addresses belong on the VLAN devices the operator makes
 * on top of it (one per VSwitch, in a VRF or namespace per VPC: VPC
 * address spaces overlap), so sluiced only keeps such a TAP up, with IPv6
 * disabled on the TAP itself, and adds no address there.
 */
#include <stddef.h>

/* --exception options sluiced takes: an outside port's and the trunks' */
#define SL_EXC_IFACES_MAX 8

struct sl_exc_iface;
struct sl_store;

/** Watch interface IFNAME, given as "IFNAME" (an outside port's TAP) or
 * "IFNAME,inside" (an inside port's); NULL with a message on error. */
struct sl_exc_iface *sl_exc_iface_open(const char *arg, char *err, size_t errlen);
/** One reconciliation against the store's outside addresses. Returns how
 * many changes it made (0 when all was in place or the interface is
 * absent), or a negative errno (logged). */
int sl_exc_iface_sync(struct sl_exc_iface *x, const struct sl_store *s);
void sl_exc_iface_close(struct sl_exc_iface *x);

#endif
