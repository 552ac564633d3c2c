/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_TEL_CLIENT_H
#define SL_TEL_CLIENT_H

/*
 * sluicectl's client of sluice-dp's DPDK telemetry socket, for what lives in
 * sluice-dp's memory rather than in the segment: the packet trace and the
 * NAT sessions. The socket is <runtime dir>/<file-prefix>/dpdk_telemetry.v2
 * (SOCK_SEQPACKET, one JSON document per message, a greeting with the
 * server's pid first); it is found by an explicit path, by the file
 * prefix, or by looking at every DPDK runtime directory for the socket
 * whose greeting carries the pid sluice-dp wrote into the segment.
 */
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define SL_TEL_BUF (64 * 1024) /* > the library's 16 KiB answers */

/** Where sluice-dp's telemetry is. */
struct sl_tel_target {
	const char *socket;	 /**< the socket path, or NULL */
	const char *file_prefix; /**< sluice-dp's EAL --file-prefix, or NULL */
	int32_t dp_pid;		 /**< from the segment, 0 if unknown */
};

/** Connect: the socket's fd and its path in `path`, or -1 after printing
 * to stderr what to do (prefixed with `who`). */
int sl_tel_open(const struct sl_tel_target *t, char *path, size_t len, const char *who);

/** One command ("/sluice/trace,0"); the value under the command's name (a
 * new reference) or NULL. `buf` holds SL_TEL_BUF bytes. */
json_t *sl_tel_cmd(int fd, const char *cmd, char *buf);

#endif
