/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl trace N: sluice-dp's packet trace (dataplane/sl_trace.h) through
 * its DPDK telemetry socket.
 *
 * Design note
 * -----------
 * The trace lives in sluice-dp's memory, not in the segment: arming it is a
 * write, and sluicectl never writes the segment. The telemetry socket is
 * the data plane's own control channel (a SOCK_SEQPACKET socket,
 * <runtime dir>/<file-prefix>/dpdk_telemetry.v2, one JSON document per
 * message, a greeting with the server's pid first). sluicectl finds it by
 * --telemetry PATH, by --file-prefix, or by looking at every DPDK runtime
 * directory for the socket whose greeting carries the pid sluice-dp wrote
 * into the segment. It sends /sluice/trace_add,N, polls /sluice/trace
 * every 100 ms until N packets were claimed and each reached an end (tx,
 * drop, punt) or --wait ran out, reads every page, and prints the records
 * grouped by packet.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "sl_tel_client.h"
#include "sl_trace_cli.h"


static void sl_terr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sl_terr(const char *fmt, ...)
{
	va_list ap;

	fputs("sluicectl: trace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The records' terminal events: a packet is done once one of them shows. */
static int sl_is_end(json_t *r)
{
	const char *ev = json_string_value(json_object_get(r, "event"));
	const char *to = json_string_value(json_object_get(r, "to"));

	if (ev == NULL)
		return 0;
	return strcmp(ev, "tx") == 0 || strcmp(ev, "drop") == 0 ||
	       (strcmp(ev, "next") == 0 && to && strcmp(to, "punt") == 0);
}

/* Read every page of the trace: {"claimed":..., "records": [...]} or NULL. */
static json_t *sl_tel_trace_all(int fd, char *buf)
{
	json_t *all = json_array(), *head = NULL;
	json_int_t off = 0;

	for (;;) {
		char cmd[64];
		json_t *page;

		snprintf(cmd, sizeof(cmd), "/sluice/trace,%lld", (long long)off);
		page = sl_tel_cmd(fd, cmd, buf);
		if (page == NULL || json_object_get(page, "error")) {
			if (page)
				sl_terr("%s", json_string_value(json_object_get(page, "error")));
			json_decref(page);
			json_decref(all);
			json_decref(head);
			return NULL;
		}
		json_int_t total = json_integer_value(json_object_get(page, "total"));
		json_int_t next = json_integer_value(json_object_get(page, "next"));

		for (json_int_t i = off; i < total && (next == 0 || i < next); i++) {
			char key[24];

			snprintf(key, sizeof(key), "%lld", (long long)i);
			json_t *r = json_object_get(page, key);

			if (r)
				json_array_append(all, r);
		}
		if (head == NULL) {
			head = json_pack("{s:O,s:O,s:O,s:O}", "epoch", json_object_get(page, "epoch"),
					 "armed", json_object_get(page, "armed"), "claimed",
					 json_object_get(page, "claimed"), "lost",
					 json_object_get(page, "lost"));
		}
		json_decref(page);
		if (next == 0)
			break;
		off = next;
	}
	json_object_set_new(head, "records", all);
	return head;
}

/* Packets done: claimed ones with an end record. */
static unsigned int sl_done(json_t *t, unsigned int claimed)
{
	unsigned char end[256] = {0};
	unsigned int n = 0;
	size_t i;
	json_t *r;

	json_array_foreach (json_object_get(t, "records"), i, r) {
		json_int_t p = json_integer_value(json_object_get(r, "packet"));

		if (p > 0 && p < 256 && sl_is_end(r))
			end[p] = 1;
	}
	for (unsigned int p = 1; p <= claimed && p < 256; p++)
		n += end[p];
	return n;
}

static double sl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Group the flat record list by packet for output. */
static json_t *sl_by_packet(json_t *t)
{
	json_t *pkts = json_array(), *cur = NULL;
	json_int_t last = -1;
	size_t i;
	json_t *r;

	json_array_foreach (json_object_get(t, "records"), i, r) {
		json_int_t p = json_integer_value(json_object_get(r, "packet"));

		if (p != last) {
			cur = json_pack("{s:I,s:O,s:[]}", "packet", p, "lcore_slot",
					json_object_get(r, "lcore_slot"), "records");
			json_array_append_new(pkts, cur);
			last = p;
		}
		json_t *c = json_deep_copy(r);

		json_object_del(c, "packet");
		json_object_del(c, "lcore_slot");
		json_array_append_new(json_object_get(cur, "records"), c);
	}
	return pkts;
}

static void sl_print_human(json_t *t, json_t *pkts, double waited)
{
	size_t i, j;
	json_t *p, *r;

	printf("trace: %lld of %lld packets in %.1f s (epoch %lld), %lld records lost\n",
	       (long long)json_integer_value(json_object_get(t, "claimed")),
	       (long long)json_integer_value(json_object_get(t, "armed")), waited,
	       (long long)json_integer_value(json_object_get(t, "epoch")),
	       (long long)json_integer_value(json_object_get(t, "lost")));
	json_array_foreach (pkts, i, p) {
		printf("\npacket %lld (lcore slot %lld)\n",
		       (long long)json_integer_value(json_object_get(p, "packet")),
		       (long long)json_integer_value(json_object_get(p, "lcore_slot")));
		json_array_foreach (json_object_get(p, "records"), j, r) {
			const char *to = json_string_value(json_object_get(r, "to"));
			const char *note = json_string_value(json_object_get(r, "note"));
			json_t *port = json_object_get(r, "port");
			char what[96];

			if (to)
				snprintf(what, sizeof(what), "%s", to);
			else if (note)
				snprintf(what, sizeof(what), "%s", note);
			else if (port)
				snprintf(what, sizeof(what), "port %lld",
					 (long long)json_integer_value(port));
			else
				what[0] = '\0';
			printf("  %10lld ns  %-12s %-5s %s\n",
			       (long long)json_integer_value(json_object_get(r, "ns")),
			       json_string_value(json_object_get(r, "stage")),
			       json_string_value(json_object_get(r, "event")), what);
		}
	}
}

int sl_cli_trace(const struct sl_trace_cli *o)
{
	char path[1024], cmd[64];
	char *buf = malloc(SL_TEL_BUF);
	json_t *r, *t = NULL, *pkts;
	double t0, waited;
	int fd, rc = 1;

	if (buf == NULL) {
		sl_terr("out of memory");
		return 1;
	}
	fd = sl_tel_open(&o->tel, path, sizeof(path), "trace");
	if (fd < 0) {
		free(buf);
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "/sluice/trace_add,%u", o->n);
	r = sl_tel_cmd(fd, cmd, buf);
	if (r == NULL || json_object_get(r, "armed") == NULL) {
		const char *e = r ? json_string_value(json_object_get(r, "error")) : NULL;

		sl_terr("%s: %s", path, e ? e : "this sluice-dp does not answer /sluice/trace_add "
						 "(older version?)");
		json_decref(r);
		goto out;
	}
	json_decref(r);
	t0 = sl_now();
	for (;;) {
		unsigned int claimed;

		json_decref(t);
		t = sl_tel_trace_all(fd, buf);
		if (t == NULL)
			goto out;
		claimed = (unsigned int)json_integer_value(json_object_get(t, "claimed"));
		waited = sl_now() - t0;
		if ((claimed >= o->n && sl_done(t, claimed) >= claimed) || waited >= o->wait_s)
			break;
		usleep(100000);
	}
	pkts = sl_by_packet(t);
	if (o->json) {
		json_t *doc = json_pack("{s:O,s:O,s:O,s:O,s:f,s:o}", "epoch",
					json_object_get(t, "epoch"), "armed",
					json_object_get(t, "armed"), "claimed",
					json_object_get(t, "claimed"), "lost", json_object_get(t, "lost"),
					"waited_s", waited, "packets", pkts);

		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
	} else {
		sl_print_human(t, pkts, waited);
		json_decref(pkts);
	}
	rc = 0;
out:
	json_decref(t);
	close(fd);
	free(buf);
	return rc;
}
