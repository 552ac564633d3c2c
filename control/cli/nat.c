/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl sessions / sluicectl nat: sluice-dp's NAT session table, read
 * through its telemetry (/sluice/nat_sessions, /sluice/nat): the table
 * lives in sluice-dp's memory, not in the segment. A listing is a survey
 * taken page by page while traffic goes on, not a snapshot.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_nat_cli.h"

static const char *sl_str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "?";
}

static long long sl_int(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

/* A telemetry error answer: print it, true. */
static bool sl_tel_failed(json_t *v, const char *what)
{
	if (v != NULL && json_object_get(v, "error") == NULL)
		return false;
	fprintf(stderr, "sluicectl: %s: %s\n", what,
		v ? sl_str(v, "error") : "no answer from sluice-dp's telemetry");
	return true;
}

int sl_cli_sessions(const struct sl_tel_target *t, const char *addr, unsigned int port,
		    unsigned int limit, bool json)
{
	char path[1024], cmd[128];
	char *buf = malloc(SL_TEL_BUF);
	json_t *all = json_array();
	long long cursor = 0;
	struct in_addr a;
	int fd, rc = 1;

	if (addr && inet_pton(AF_INET, addr, &a) != 1) {
		fprintf(stderr, "sluicectl: sessions: '%s' is not an IPv4 address\n", addr);
		free(buf);
		json_decref(all);
		return 2;
	}
	if (buf == NULL || (fd = sl_tel_open(t, path, sizeof(path), "sessions")) < 0) {
		free(buf);
		json_decref(all);
		return 1;
	}
	while (json_array_size(all) < limit) {
		json_t *page;
		size_t n;

		snprintf(cmd, sizeof(cmd), "/sluice/nat_sessions,%lld,%s,%u", cursor,
			 addr ? addr : "any", port);
		page = sl_tel_cmd(fd, cmd, buf);
		if (sl_tel_failed(page, "sessions")) {
			json_decref(page);
			goto out;
		}
		n = (size_t)sl_int(page, "count");
		for (size_t i = 0; i < n && json_array_size(all) < limit; i++) {
			char key[24];

			snprintf(key, sizeof(key), "%zu", i);
			if (json_object_get(page, key))
				json_array_append(all, json_object_get(page, key));
		}
		if (json_object_get(page, "next") == NULL) {
			json_decref(page);
			break;
		}
		cursor = sl_int(page, "next");
		json_decref(page);
	}
	if (json) {
		json_t *doc = json_pack("{s:O}", "sessions", all);

		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
	} else {
		size_t i;
		json_t *s;
		char in[32], pub[32], rem[32];

		printf("%-5s %-21s %-21s %-21s %4s %9s %9s\n", "PROTO", "INSIDE", "PUBLIC", "REMOTE",
		       "GW", "IDLE_MS", "TIMEOUT_S");
		json_array_foreach (all, i, s) {
			snprintf(in, sizeof(in), "%s:%lld", sl_str(s, "inside"), sl_int(s, "inside_port"));
			snprintf(pub, sizeof(pub), "%s:%lld", sl_str(s, "public"),
				 sl_int(s, "public_port"));
			snprintf(rem, sizeof(rem), "%s:%lld", sl_str(s, "remote"),
				 sl_int(s, "remote_port"));
			printf("%-5s %-21s %-21s %-21s %4lld %9lld %9lld\n", sl_str(s, "proto"), in, pub,
			       rem, sl_int(s, "gw"), sl_int(s, "idle_ms"), sl_int(s, "timeout_s"));
		}
		printf("%zu session%s%s\n", json_array_size(all),
		       json_array_size(all) == 1 ? "" : "s",
		       json_array_size(all) >= limit ? " (--limit reached)" : "");
	}
	rc = 0;
out:
	json_decref(all);
	close(fd);
	free(buf);
	return rc;
}

int sl_cli_nat(const struct sl_tel_target *t, bool json)
{
	char path[1024];
	char *buf = malloc(SL_TEL_BUF);
	json_t *v, *o;
	const char *k;
	int fd;

	if (buf == NULL || (fd = sl_tel_open(t, path, sizeof(path), "nat")) < 0) {
		free(buf);
		return 1;
	}
	v = sl_tel_cmd(fd, "/sluice/nat", buf);
	close(fd);
	free(buf);
	if (sl_tel_failed(v, "nat")) {
		json_decref(v);
		return 1;
	}
	if (json) {
		json_dumpf(v, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(v);
		return 0;
	}
	printf("sessions %lld of %lld (mappings %lld, pending %lld, free %lld)\n",
	       sl_int(v, "sessions"), sl_int(v, "capacity"), sl_int(v, "mappings"),
	       sl_int(v, "pending"), sl_int(v, "free"));
	printf("\n%-6s %8s %8s %10s %10s %10s %8s  %s\n", "GW", "LIVE", "MAX", "CREATED", "EXPIRED",
	       "DELETED", "DROPS", "BY REASON");
	json_object_foreach (json_object_get(v, "gateways"), k, o) {
		const char *r;
		json_t *x;

		printf("%-6s %8lld %8lld %10lld %10lld %10lld %8lld ", k, sl_int(o, "live"),
		       sl_int(o, "max_sessions"), sl_int(o, "created"), sl_int(o, "expired"),
		       sl_int(o, "deleted"), sl_int(o, "drops"));
		json_object_foreach (o, r, x)
			if (strncmp(r, "drop_", 5) == 0)
				printf(" %s=%lld", r + 5, (long long)json_integer_value(x));
		putchar('\n');
	}
	printf("\n%-16s %4s %9s %9s %9s %10s\n", "PUBLIC IP", "GW", "TCP", "UDP", "ICMP_IDS",
	       "EXHAUSTED");
	json_object_foreach (json_object_get(v, "public_ips"), k, o) {
		char ip[32];

		snprintf(ip, sizeof(ip), "%s", k);
		for (char *c = ip; *c; c++)
			if (*c == '_')
				*c = '.';
		printf("%-16s %4lld %9lld %9lld %9lld %10lld\n", ip, sl_int(o, "gw"),
		       sl_int(o, "tcp_ports"), sl_int(o, "udp_ports"), sl_int(o, "icmp_ids"),
		       sl_int(o, "exhausted"));
	}
	json_decref(v);
	return 0;
}
