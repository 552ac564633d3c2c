/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `sluicectl xdp`: the counters of the XDP programs sluiced attached or
 * adopted (sluiced --xdp, docs/xdp.md), per interface.
 *
 * Design note
 * -----------
 * The counters live in the programs' per-CPU BPF maps, which sluiced holds
 * (and which go away with it); they are not in the segment, whose stats
 * area only sluice-dp writes. sluicectl therefore reads them the way it
 * reads sluiced's other state, from sluiced over HTTP: its GET /metrics
 * (unsigned, like a Prometheus scrape; `--api URL`) already sums them over
 * the CPUs as `sluice_xdp_packets_total{iface="...",counter="..."} N`, and
 * this file only picks those samples out. One exposition for both readers
 * means sluicectl and Prometheus cannot disagree. Single-threaded.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sl_api_client.h"
#include "sl_xdp_cli.h"

#define SL_XDP_FAMILY "sluice_xdp_packets_total{"
#define SL_XDP_MAX_ROWS 256 /* 8 interfaces x their counters, with room */

struct sl_xdp_row {
	char iface[32];
	char counter[48];
	uint64_t value;
};

/* The value of label `name` into out; the label set is [p, end), p just
 * after its '{'. */
static int sl_label_value(const char *p, const char *end, const char *name, char *out, size_t len)
{
	size_t n = strlen(name);

	for (; p + n + 2 <= end; p++) {
		if ((p[-1] != '{' && p[-1] != ',') || strncmp(p, name, n) != 0 || p[n] != '=' ||
		    p[n + 1] != '"')
			continue;
		const char *v = p + n + 2, *q = memchr(v, '"', (size_t)(end - v));

		if (q == NULL || (size_t)(q - v) >= len)
			return -1;
		memcpy(out, v, (size_t)(q - v));
		out[q - v] = '\0';
		return 0;
	}
	return -1;
}

/* The sluice_xdp_packets_total samples of an exposition, in its order. */
static unsigned int sl_xdp_parse(const char *text, struct sl_xdp_row *rows, unsigned int max)
{
	unsigned int n = 0;

	for (const char *l = text; l && *l && n < max; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *end, *sp;
		char *num_end;

		if (strncmp(l, SL_XDP_FAMILY, strlen(SL_XDP_FAMILY)) != 0)
			continue;
		end = strchr(l, '}');
		sp = end ? end + 1 : NULL;
		if (sp == NULL || *sp != ' ')
			continue;
		if (sl_label_value(l + strlen(SL_XDP_FAMILY), end, "iface", rows[n].iface,
				   sizeof(rows[n].iface)) < 0 ||
		    sl_label_value(l + strlen(SL_XDP_FAMILY), end, "counter", rows[n].counter,
				   sizeof(rows[n].counter)) < 0)
			continue;
		rows[n].value = strtoull(sp + 1, &num_end, 10);
		if (num_end == sp + 1)
			continue;
		n++;
	}
	return n;
}

int sl_cli_xdp(const char *url, bool json)
{
	static struct sl_xdp_row rows[SL_XDP_MAX_ROWS];
	struct sl_api_resp resp;
	char err[512];
	unsigned int n;

	if (sl_http_get(url, "/metrics", &resp, err, sizeof(err)) < 0) {
		fprintf(stderr, "sluicectl: xdp: %s (the counters come from sluiced's /metrics: "
				"--api URL)\n",
			err);
		return 1;
	}
	if (resp.status != 200) {
		fprintf(stderr, "sluicectl: xdp: %s/metrics answered HTTP %d: is that sluiced?\n",
			url, resp.status);
		free(resp.body);
		return 1;
	}
	n = sl_xdp_parse(resp.body, rows, SL_XDP_MAX_ROWS);
	free(resp.body);
	if (json) {
		json_t *root = json_object(), *a = json_array(), *cur = NULL;

		json_object_set_new(root, "api", json_string(url));
		for (unsigned int i = 0; i < n; i++) {
			if (i == 0 || strcmp(rows[i].iface, rows[i - 1].iface) != 0) {
				json_t *o = json_object();

				cur = json_object();
				json_object_set_new(o, "iface", json_string(rows[i].iface));
				json_object_set_new(o, "counters", cur);
				json_array_append_new(a, o);
			}
			json_object_set_new(cur, rows[i].counter,
					    json_integer((json_int_t)rows[i].value));
		}
		json_object_set_new(root, "interfaces", a);
		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(root);
		return 0;
	}
	if (n == 0) {
		printf("sluiced at %s runs no XDP program (sluiced --xdp), or has not adopted the "
		       "af_xdp port's yet\n",
		       url);
		return 0;
	}
	printf("%-16s  %-24s  %20s\n", "IFACE", "COUNTER", "PACKETS");
	for (unsigned int i = 0; i < n; i++)
		printf("%-16s  %-24s  %20" PRIu64 "\n", rows[i].iface, rows[i].counter,
		       rows[i].value);
	return 0;
}
