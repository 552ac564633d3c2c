/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl: the operator's view of a running sluice gateway.
 *
 * Design note
 * -----------
 * sluicectl talks to nobody: it maps the shared-memory segment (sl_shm.h)
 * read-only and prints what sluiced published (tables) and what sluice-dp
 * exported (counters, ports, neighbours). It therefore works whichever daemon
 * is down, never disturbs the fast path, and shows exactly the tables the
 * data plane forwards with, not what the control plane thinks it sent.
 *
 * Consistency without being a registered reader: sluicectl holds no lcore
 * slot, so sluiced does not wait for it before rewriting a bank. It copies
 * the active bank (generation g, bank g & 1) into private memory and then
 * re-reads the generation; sluiced only rewrites bank g & 1 after it has
 * published g + 1, so an unchanged generation proves the copy is whole.
 * Otherwise it retries. Everything in the copy is then bounds-checked before
 * use (offsets come from another process). The stats area's snapshot
 * sections (ports, neighbours) are read under their sequence counter; the
 * per-lcore counters are monotonic words read without a guard.
 *
 * Output is a human table by default and JSON (stable keys, one document per
 * command) with --json, for scripts and tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <jansson.h>

#include "sl_api_client.h"
#include "sl_nat_cli.h"
#include "sl_trace_cli.h"
#include "sl_xdp_cli.h"
#include "sl_counters.h"
#include "sl_shm.h"

#define SL_CTL_DEFAULT_SEGMENT "/dev/shm/sluice"
#define SL_CTL_DEFAULT_API "http://127.0.0.1:8080"
#define SL_CTL_DEFAULT_KEYS "/var/lib/sluice/access_keys"
#define SL_CTL_RETRIES 2000 /* bank / snapshot read attempts (1 ms apart) */

static const char *const sl_drop_names[] = {
#define SL_X(sym, name, desc) name,
    SL_FOREACH_DROP (SL_X)
#undef SL_X
};
static const char *const sl_drop_descs[] = {
#define SL_X(sym, name, desc) desc,
    SL_FOREACH_DROP (SL_X)
#undef SL_X
};
static const char *const sl_cnt_names[] = {
#define SL_X(sym, name, desc) name,
    SL_FOREACH_COUNTER (SL_X)
#undef SL_X
};
static const char *const sl_cnt_descs[] = {
#define SL_X(sym, name, desc) desc,
    SL_FOREACH_COUNTER (SL_X)
#undef SL_X
};

/** Options and state of one invocation. */
struct sl_ctl {
	const char *path;
	bool json;
	bool all;	/* drops: list zero reasons too */
	bool per_lcore; /* drops, counters, stages: one column per lcore */
	bool internet;	/* routes: the Internet table */
	bool intervals; /* routes: also print the compiled intervals */

	int fd;
	const uint8_t *base; /* the mapped segment (read-only) */
	size_t map_size;
	const struct sl_shm_header *h;

	/* Private copy of the active bank; bank == NULL when generation 0. */
	uint64_t gen;
	uint8_t *bank;
	uint64_t bank_used;
	const struct sl_bank_header *bh;
};

/** Snapshot of the stats area. */
struct sl_stats_snap {
	bool attached; /* stats magic set: a data plane has written here */
	uint32_t n_lcores;
	uint32_t n_ports;
	uint32_t n_neigh;
	uint64_t updated_ns;
	struct sl_port_stats port[SL_MAX_PORTS];
	struct sl_neigh_export *neigh; /* n_neigh entries */
	uint32_t n_havip;
	struct sl_havip_export *havip; /* n_havip entries (a static buffer) */
	uint32_t ip6eo_flows, ip6eo_capacity; /* IPv6 egress-only state (issue 6) */
};

static void sl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("sluicectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void *sl_xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (p == NULL) {
		sl_err("out of memory");
		exit(1);
	}
	return p;
}

static char *sl_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL) {
		sl_err("out of memory");
		exit(1);
	}
	return p;
}

/* ---------------------------------------------------------------------- */
/* Names and formatting.                                                  */

static const char *sl_nh_type_name(unsigned int t)
{
	static const char *const n[SL_NH_TYPE_MAX] = {
	    [SL_NH_UNREACHABLE] = "unreachable",
	    [SL_NH_BLACKHOLE] = "blackhole",
	    [SL_NH_LOCAL] = "local",
	    [SL_NH_CONNECTED] = "connected",
	    [SL_NH_GATEWAY] = "gateway",
	    [SL_NH_NATGW] = "natgw",
	    [SL_NH_IP6GW] = "ip6gw",
	    [SL_NH_GROUP] = "group",
	};
	return t < SL_NH_TYPE_MAX ? n[t] : "invalid";
}

static const char *sl_origin_name(unsigned int o)
{
	switch (o) {
	case SL_ROUTE_SYSTEM:
		return "system";
	case SL_ROUTE_CUSTOM:
		return "custom";
	case SL_ROUTE_STATIC:
		return "static";
	}
	return "invalid";
}

static const char *sl_role_name(unsigned int r)
{
	switch (r) {
	case SL_ROLE_INSIDE:
		return "inside";
	case SL_ROLE_OUTSIDE:
		return "outside";
	}
	return "invalid";
}

static bool sl_all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/** Format an address of family SL_AF_INET/SL_AF_INET6 (network order, v4
 * in the first 4 bytes). Buffer of INET6_ADDRSTRLEN at least. */
static const char *sl_fmt_addr(char *buf, size_t len, unsigned int family, const uint8_t *a)
{
	int af = family == SL_AF_INET6 ? AF_INET6 : AF_INET;

	if (family != SL_AF_INET && family != SL_AF_INET6) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (inet_ntop(af, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

static const char *sl_fmt_mac(char *buf, size_t len, const uint8_t *m)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

/** Copy a fixed-size id field that may lack its NUL (foreign memory). */
static const char *sl_fmt_id(char *buf, const char *id)
{
	memcpy(buf, id, SL_ID_LEN);
	buf[SL_ID_LEN] = '\0';
	return buf;
}

static bool sl_pid_alive(int32_t pid)
{
	if (pid <= 0)
		return false;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

static uint64_t sl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const char *sl_fmt_time(char *buf, size_t len, uint64_t ns)
{
	time_t t = (time_t)(ns / 1000000000u);
	struct tm tm;

	if (ns == 0 || localtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "-");
		return buf;
	}
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

/* ---------------------------------------------------------------------- */
/* Human tables: collect cells, then print with computed column widths.   */

struct sl_tab {
	unsigned int ncols;
	const char **hdr; /* a leading '>' right-aligns the column */
	char **cell;
	size_t nrows;
	size_t cap;
};

static void sl_tab_init(struct sl_tab *t, unsigned int ncols, const char **hdr)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->hdr = hdr;
}

/** Append a row of exactly t->ncols strings (copied). */
static void sl_tab_add(struct sl_tab *t, ...)
{
	va_list ap;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->cell = realloc(t->cell, t->cap * t->ncols * sizeof(char *));
		if (t->cell == NULL) {
			sl_err("out of memory");
			exit(1);
		}
	}
	va_start(ap, t);
	for (unsigned int i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);

		t->cell[t->nrows * t->ncols + i] = sl_xstrdup(s ? s : "");
	}
	va_end(ap);
	t->nrows++;
}

/** Append a row of t->ncols malloc'd strings, taking them (and the array). */
static void sl_tab_add_row(struct sl_tab *t, char **row)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->cell = realloc(t->cell, t->cap * t->ncols * sizeof(char *));
		if (t->cell == NULL) {
			sl_err("out of memory");
			exit(1);
		}
	}
	memcpy(&t->cell[t->nrows * t->ncols], row, t->ncols * sizeof(char *));
	t->nrows++;
	free(row);
}

static void sl_tab_print(struct sl_tab *t)
{
	size_t *w = sl_xmalloc(t->ncols * sizeof(size_t));
	bool *right = sl_xmalloc(t->ncols * sizeof(bool));

	for (unsigned int c = 0; c < t->ncols; c++) {
		const char *h = t->hdr[c];

		right[c] = h[0] == '>';
		w[c] = strlen(h + right[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			size_t l = strlen(t->cell[r * t->ncols + c]);

			if (l > w[c])
				w[c] = l;
		}
	}
	for (size_t r = 0; r <= t->nrows; r++) {
		for (unsigned int c = 0; c < t->ncols; c++) {
			const char *s =
			    r == 0 ? t->hdr[c] + right[c] : t->cell[(r - 1) * t->ncols + c];
			bool last = c + 1 == t->ncols;

			if (right[c])
				printf("%*s", (int)w[c], s);
			else if (last)
				printf("%s", s);
			else
				printf("%-*s", (int)w[c], s);
			if (!last)
				fputs("  ", stdout);
		}
		putchar('\n');
	}
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cell[i]);
	free(t->cell);
	free(w);
	free(right);
}

static void sl_json_print(json_t *root)
{
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(root);
}

static json_t *sl_json_u64(uint64_t v)
{
	/* json_int_t is long long: counters beyond 2^63 are not expected. */
	return json_integer((json_int_t)v);
}

/* ---------------------------------------------------------------------- */
/* Mapping and validating the segment.                                    */

static int sl_ctl_open(struct sl_ctl *c)
{
	const struct sl_shm_header *h;
	struct stat st;
	void *p;

	c->fd = open(c->path, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0) {
		if (errno == ENOENT)
			sl_err("segment %s not found: is sluiced running? "
			       "pass -s PATH (or set SLUICE_SEGMENT)",
			       c->path);
		else
			sl_err("cannot open segment %s: %s", c->path, strerror(errno));
		return -1;
	}
	if (fstat(c->fd, &st) < 0) {
		sl_err("cannot stat %s: %s", c->path, strerror(errno));
		return -1;
	}
	if ((uint64_t)st.st_size < sizeof(struct sl_shm_header)) {
		sl_err("segment %s is too small (%jd bytes): not a sluice "
		       "segment, or sluiced is still creating it",
		       c->path, (intmax_t)st.st_size);
		return -1;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, c->fd, 0);
	if (p == MAP_FAILED) {
		sl_err("cannot map %s: %s", c->path, strerror(errno));
		return -1;
	}
	c->base = p;
	c->map_size = (size_t)st.st_size;
	c->h = h = p;

	if (h->magic == 0) {
		sl_err("segment %s is not initialised yet: is sluiced starting?", c->path);
		return -1;
	}
	if (h->magic != SL_SHM_MAGIC) {
		sl_err("%s is not a sluice segment (bad magic 0x%016" PRIx64 ")", c->path,
		       h->magic);
		return -1;
	}
	if (h->abi_version != SL_SHM_ABI_VERSION) {
		sl_err("segment %s has ABI version %u but this sluicectl "
		       "speaks %u: use the sluicectl built with the running "
		       "sluiced",
		       c->path, h->abi_version, SL_SHM_ABI_VERSION);
		return -1;
	}
	if (h->header_size != sizeof(struct sl_shm_header) || h->segment_size > c->map_size ||
	    h->bank_size < sizeof(struct sl_bank_header) ||
	    h->stats_size < sizeof(struct sl_stats_header)) {
		sl_err("segment %s has inconsistent sizes (header %u, segment "
		       "%" PRIu64 " of %zu mapped, bank %" PRIu64 ", stats %" PRIu64
		       "): ABI mismatch or corruption",
		       c->path, h->header_size, h->segment_size, c->map_size, h->bank_size,
		       h->stats_size);
		return -1;
	}
	for (unsigned int b = 0; b < 2; b++) {
		if (h->bank_offset[b] < sizeof(struct sl_shm_header) ||
		    h->bank_offset[b] > h->segment_size ||
		    h->bank_size > h->segment_size - h->bank_offset[b] ||
		    h->bank_offset[b] % 8 != 0) {
			sl_err("segment %s: bank %u lies outside the segment", c->path, b);
			return -1;
		}
	}
	if (h->stats_offset > h->segment_size ||
	    h->stats_size > h->segment_size - h->stats_offset ||
	    h->stats_offset % SL_CACHE_LINE != 0) {
		sl_err("segment %s: stats area lies outside the segment", c->path);
		return -1;
	}
	return 0;
}

/** Bounds-checked typed span [off, off + n * size) inside the bank copy. */
static const void *sl_span(const struct sl_ctl *c, uint64_t off, uint64_t n, size_t size)
{
	if (c->bank == NULL || off > c->bank_used)
		return NULL;
	if (n != 0 && size > (c->bank_used - off) / n)
		return NULL;
	if (off % 8 != 0)
		return NULL;
	return c->bank + off;
}

/**
 * Copy the active bank. Returns 0 (c->bank NULL if nothing is published),
 * -1 with a message on error.
 */
/* Copy a bank but not its Internet FIBs (the tbl24 alone is 64 MiB, and no
 * command reads them from the copy: `lookup` reads the live FIB under a
 * generation check). The FIBs lie between the next-hop array and the heap. */
static void sl_copy_bank(uint8_t *dst, const struct sl_bank_header *src, uint64_t used)
{
	struct sl_bank_header bh;
	uint64_t lo;

	memcpy(&bh, src, sizeof(bh));
	lo = bh.fib4.tbl24_off;
	if (!(bh.inet.flags & SL_RT_F_FIB) || lo < sizeof(bh) || bh.heap_off < lo ||
	    bh.heap_off > used) {
		memcpy(dst, src, used);
		return;
	}
	memcpy(dst, src, lo);
	memcpy(dst + bh.heap_off, (const uint8_t *)src + bh.heap_off, used - bh.heap_off);
}

static int sl_ctl_load_bank(struct sl_ctl *c)
{
	const struct sl_shm_header *h = c->h;

	c->bank = sl_xmalloc(h->bank_size);
	for (int tries = 0; tries < SL_CTL_RETRIES; tries++) {
		uint64_t g = atomic_load_explicit(&h->generation, memory_order_acquire);
		const struct sl_bank_header *src;
		uint64_t used, g2;

		if (g == 0) {
			free(c->bank);
			c->bank = NULL;
			c->gen = 0;
			return 0;
		}
		src = sl_shm_bank(h, (unsigned int)(g & 1));
		used = *(const volatile uint64_t *)&src->used;
		if (used >= sizeof(*src) && used <= h->bank_size)
			sl_copy_bank(c->bank, src, used);
		atomic_thread_fence(memory_order_acquire);
		g2 = atomic_load_explicit(&h->generation, memory_order_relaxed);
		if (g2 != g) {
			usleep(1000);
			continue;
		}
		if (used < sizeof(*src) || used > h->bank_size) {
			sl_err("segment %s: active bank %u claims %" PRIu64
			       " bytes in use (bank size %" PRIu64 ")",
			       c->path, (unsigned int)(g & 1), used, h->bank_size);
			return -1;
		}
		c->gen = g;
		c->bank_used = used;
		c->bh = (const struct sl_bank_header *)c->bank;
		if (c->bh->magic != SL_BANK_MAGIC || c->bh->generation != g) {
			sl_err("segment %s: active bank %u is not valid for "
			       "generation %" PRIu64 " (magic 0x%016" PRIx64 ", generation %" PRIu64
			       ")",
			       c->path, (unsigned int)(g & 1), g, c->bh->magic, c->bh->generation);
			return -1;
		}
		return 0;
	}
	sl_err("segment %s: generation kept changing while reading; "
	       "try again",
	       c->path);
	return -1;
}

static const struct sl_vpc *sl_vpcs(const struct sl_ctl *c)
{
	return sl_span(c, c->bh->vpc_off, c->bh->n_vpcs, sizeof(struct sl_vpc));
}

static const struct sl_nexthop *sl_nexthops(const struct sl_ctl *c)
{
	return sl_span(c, c->bh->nh_off, c->bh->n_nexthops, sizeof(struct sl_nexthop));
}

/** Name of a VPC index for display: its id, "internet" or "#N". */
static const char *sl_vpc_name(const struct sl_ctl *c, char *buf, uint32_t idx)
{
	const struct sl_vpc *v;

	if (idx == SL_VPC_INTERNET)
		return "internet";
	if (c->bank != NULL && idx < c->bh->n_vpcs && (v = sl_vpcs(c)) != NULL)
		return sl_fmt_id(buf, v[idx].id);
	snprintf(buf, SL_ID_LEN + 1, "#%" PRIu32, idx);
	return buf;
}

/** Read the stats area: per-lcore counters unguarded, snapshots under seq. */
static int sl_ctl_load_stats(const struct sl_ctl *c, struct sl_stats_snap *s)
{
	const struct sl_stats_header *st = sl_shm_stats(c->h);

	static struct sl_havip_export havip[SL_MAX_HAVIP_EXPORT];

	memset(s, 0, sizeof(*s));
	s->neigh = sl_xmalloc(SL_MAX_NEIGH_EXPORT * sizeof(*s->neigh));
	s->havip = havip;
	s->attached = *(const volatile uint64_t *)&st->magic == SL_STATS_MAGIC;
	if (!s->attached)
		return 0;
	for (int tries = 0; tries < SL_CTL_RETRIES; tries++) {
		uint64_t s1 = atomic_load_explicit(&st->seq, memory_order_acquire);
		uint64_t s2;

		if (s1 & 1) {
			usleep(1000);
			continue;
		}
		s->n_lcores = st->n_lcores;
		s->n_ports = st->n_ports;
		s->n_neigh = st->n_neigh;
		s->updated_ns = st->updated_ns;
		if (s->n_ports > SL_MAX_PORTS)
			s->n_ports = SL_MAX_PORTS;
		if (s->n_neigh > SL_MAX_NEIGH_EXPORT)
			s->n_neigh = SL_MAX_NEIGH_EXPORT;
		memcpy(s->port, st->port, s->n_ports * sizeof(s->port[0]));
		memcpy(s->neigh, st->neigh, s->n_neigh * sizeof(s->neigh[0]));
		s->n_havip = st->n_havip < SL_MAX_HAVIP_EXPORT ? st->n_havip : SL_MAX_HAVIP_EXPORT;
		memcpy(s->havip, st->havip, s->n_havip * sizeof(s->havip[0]));
		s->ip6eo_flows = st->ip6eo_flows;
		s->ip6eo_capacity = st->ip6eo_capacity;
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&st->seq, memory_order_relaxed);
		if (s1 == s2) {
			if (s->n_lcores > SL_MAX_LCORES)
				s->n_lcores = SL_MAX_LCORES;
			return 0;
		}
	}
	sl_err("segment %s: stats snapshot kept changing while reading; "
	       "try again",
	       c->path);
	return -1;
}

/** Number of per-lcore counter slots to sum. */
static uint32_t sl_stat_lcores(const struct sl_ctl *c, const struct sl_stats_snap *s)
{
	uint32_t n = s->n_lcores;
	uint32_t d = atomic_load_explicit(&c->h->dp_n_lcores, memory_order_relaxed);

	if (!s->attached)
		return 0;
	if (d > n)
		n = d;
	return n > SL_MAX_LCORES ? SL_MAX_LCORES : n;
}

static uint64_t sl_read_u64(const uint64_t *p)
{
	return *(const volatile uint64_t *)p;
}

static uint32_t sl_read_u32(const uint32_t *p)
{
	return *(const volatile uint32_t *)p;
}

/* ---------------------------------------------------------------------- */
/* Commands.                                                              */

static bool sl_lcore_acked(const struct sl_shm_lcore_slot *l, uint64_t gen)
{
	return atomic_load_explicit(&l->ack_generation, memory_order_acquire) >= gen;
}

static int sl_cmd_status(struct sl_ctl *c)
{
	const struct sl_shm_header *h = c->h;
	struct sl_stats_snap s;
	int32_t wpid = atomic_load(&h->writer_pid);
	int32_t dpid = atomic_load(&h->dp_pid);
	uint32_t nl = atomic_load(&h->dp_n_lcores);
	bool walive = sl_pid_alive(wpid), dalive = sl_pid_alive(dpid);
	uint32_t n_online = 0, n_acked = 0;
	bool synced;
	char t1[64];

	if (sl_ctl_load_stats(c, &s) < 0)
		return 1;
	if (nl > SL_MAX_LCORES)
		nl = SL_MAX_LCORES;
	for (uint32_t i = 0; i < nl; i++) {
		if (!atomic_load(&h->lcore[i].online))
			continue;
		n_online++;
		if (c->gen > 0 && sl_lcore_acked(&h->lcore[i], c->gen))
			n_acked++;
	}
	synced = c->gen > 0 && dalive && n_online > 0 && n_acked == n_online;

	if (c->json) {
		json_t *root = json_object(), *w, *d, *lc, *tab;

		json_object_set_new(root, "segment", json_string(c->path));
		json_object_set_new(root, "abi_version", json_integer(h->abi_version));
		json_object_set_new(root, "segment_size", sl_json_u64(h->segment_size));
		json_object_set_new(root, "bank_size", sl_json_u64(h->bank_size));
		json_object_set_new(root, "generation", sl_json_u64(c->gen));
		json_object_set_new(root, "active_bank",
				    c->gen ? json_integer((json_int_t)(c->gen & 1)) : json_null());
		if (c->bank) {
			tab = json_object();
			json_object_set_new(tab, "bank_used", sl_json_u64(c->bank_used));
			json_object_set_new(tab, "n_vpcs", json_integer(c->bh->n_vpcs));
			json_object_set_new(tab, "n_nexthops", json_integer(c->bh->n_nexthops));
			json_object_set_new(root, "tables", tab);
		} else {
			json_object_set_new(root, "tables", json_null());
		}
		w = json_object();
		json_object_set_new(w, "pid", json_integer(wpid));
		json_object_set_new(w, "alive", json_boolean(walive));
		json_object_set_new(w, "start_ns", sl_json_u64(atomic_load(&h->writer_start_ns)));
		json_object_set_new(root, "writer", w);
		d = json_object();
		json_object_set_new(d, "pid", json_integer(dpid));
		json_object_set_new(d, "alive", json_boolean(dalive));
		json_object_set_new(d, "n_lcores", json_integer(nl));
		json_object_set_new(d, "start_ns", sl_json_u64(atomic_load(&h->dp_start_ns)));
		json_object_set_new(d, "stats_attached", json_boolean(s.attached));
		json_object_set_new(d, "stats_updated_ns", sl_json_u64(s.updated_ns));
		json_object_set_new(root, "dataplane", d);
		lc = json_array();
		for (uint32_t i = 0; i < nl; i++) {
			const struct sl_shm_lcore_slot *l = &h->lcore[i];
			json_t *o = json_object();
			uint64_t ack = atomic_load(&l->ack_generation);

			json_object_set_new(o, "slot", json_integer(i));
			json_object_set_new(o, "lcore_id", json_integer(l->lcore_id));
			json_object_set_new(o, "online",
					    json_boolean(atomic_load(&l->online) != 0));
			json_object_set_new(o, "ack_generation", sl_json_u64(ack));
			json_object_set_new(o, "acked", json_boolean(c->gen > 0 && ack >= c->gen));
			json_array_append_new(lc, o);
		}
		json_object_set_new(root, "lcores", lc);
		json_object_set_new(root, "lcores_online", json_integer(n_online));
		json_object_set_new(root, "lcores_acked", json_integer(n_acked));
		json_object_set_new(root, "synced", json_boolean(synced));
		sl_json_print(root);
		free(s.neigh);
		return 0;
	}

	printf("segment     %s (ABI %u, %" PRIu64 " bytes, 2 banks of %" PRIu64 ")\n", c->path,
	       h->abi_version, h->segment_size, h->bank_size);
	if (c->bank)
		printf("generation  %" PRIu64 " (bank %u active, %" PRIu64
		       " bytes used, %u VPCs, %u next hops)\n",
		       c->gen, (unsigned int)(c->gen & 1), c->bank_used, c->bh->n_vpcs,
		       c->bh->n_nexthops);
	else
		printf("generation  0 (no tables published yet)\n");
	if (wpid > 0)
		printf("sluiced     pid %d %s, started %s\n", wpid,
		       walive ? "running" : "NOT RUNNING",
		       sl_fmt_time(t1, sizeof(t1), atomic_load(&h->writer_start_ns)));
	else
		printf("sluiced     never attached\n");
	if (dpid > 0) {
		printf("sluice-dp   pid %d %s, started %s, %u lcore slots", dpid,
		       dalive ? "running" : "NOT RUNNING",
		       sl_fmt_time(t1, sizeof(t1), atomic_load(&h->dp_start_ns)), nl);
		if (s.attached && s.updated_ns) {
			uint64_t now = sl_now_ns();
			double age = now > s.updated_ns ? (double)(now - s.updated_ns) / 1e9 : 0.0;

			printf(", stats %.1f s old", age);
		}
		putchar('\n');
	} else {
		printf("sluice-dp   not attached\n");
	}
	printf("state       %s\n", synced	 ? "in sync: every online lcore uses the published "
						   "generation"
				   : c->gen == 0 ? "waiting for sluiced to publish tables"
				   : !dalive	 ? "no data plane running"
				   : n_online == 0 ? "data plane has no lcore online"
						   : "lcores still on an older generation");
	if (nl > 0) {
		static const char *hdr[] = {">SLOT", ">LCORE", "ONLINE", ">ACK GENERATION",
					    "ACKED"};
		struct sl_tab t;

		putchar('\n');
		sl_tab_init(&t, 5, hdr);
		for (uint32_t i = 0; i < nl; i++) {
			const struct sl_shm_lcore_slot *l = &h->lcore[i];
			uint64_t ack = atomic_load(&l->ack_generation);
			char a[16], b[16], g[24];

			snprintf(a, sizeof(a), "%u", i);
			snprintf(b, sizeof(b), "%u", l->lcore_id);
			snprintf(g, sizeof(g), "%" PRIu64, ack);
			sl_tab_add(&t, a, b, atomic_load(&l->online) ? "yes" : "no", g,
				   c->gen > 0 && ack >= c->gen ? "yes" : "no");
		}
		sl_tab_print(&t);
	}
	free(s.neigh);
	return 0;
}

static int sl_need_tables(const struct sl_ctl *c)
{
	if (c->bank != NULL)
		return 0;
	if (c->json)
		return 0;
	printf("no tables published yet (generation 0): is sluiced running "
	       "with a configuration?\n");
	return 1;
}

static int sl_bank_corrupt(const struct sl_ctl *c, const char *what)
{
	sl_err("segment %s: generation %" PRIu64 ": %s lies outside the bank", c->path, c->gen,
	       what);
	return 1;
}

static int sl_cmd_vpcs(struct sl_ctl *c)
{
	const struct sl_vpc *v = NULL;
	uint32_t n = 0;
	char id[SL_ID_LEN + 1], rt[SL_ID_LEN + 1];

	if (sl_need_tables(c))
		return 0;
	if (c->bank) {
		n = c->bh->n_vpcs;
		v = sl_vpcs(c);
		if (v == NULL)
			return sl_bank_corrupt(c, "VPC array");
	}
	if (c->json) {
		json_t *root = json_object(), *a = json_array();

		json_object_set_new(root, "generation", sl_json_u64(c->gen));
		for (uint32_t i = 0; i < n; i++) {
			json_t *o = json_object();

			json_object_set_new(o, "index", json_integer(i));
			json_object_set_new(o, "id", json_string(sl_fmt_id(id, v[i].id)));
			json_object_set_new(o, "route_table_id",
					    json_string(sl_fmt_id(rt, v[i].route_table_id)));
			json_object_set_new(o, "trunk", json_integer(v[i].trunk));
			json_object_set_new(o, "vlan", json_integer(v[i].vlan));
			json_object_set_new(o, "flags", json_integer(v[i].flags));
			json_object_set_new(o, "n_vswitches", json_integer(v[i].n_vswitches));
			json_object_set_new(o, "n_routes", json_integer(v[i].rt.n_prefixes));
			json_object_set_new(o, "v4_intervals", json_integer(v[i].rt.v4_n));
			json_object_set_new(o, "v6_intervals", json_integer(v[i].rt.v6_n));
			json_array_append_new(a, o);
		}
		json_object_set_new(root, "vpcs", a);
		sl_json_print(root);
		return 0;
	}

	static const char *hdr[] = {"VPC",	   ">TRUNK",	    ">VLAN",
				    "ROUTE TABLE", ">VSWITCHES",    ">ROUTES",
				    ">V4 INTERVALS", ">V6 INTERVALS"};
	struct sl_tab t;

	sl_tab_init(&t, 8, hdr);
	for (uint32_t i = 0; i < n; i++) {
		char tk[8], vl[8], nv[16], nr[16], i4[16], i6[16];

		snprintf(tk, sizeof(tk), "%u", v[i].trunk);
		snprintf(vl, sizeof(vl), "%u", v[i].vlan);
		snprintf(nv, sizeof(nv), "%u", v[i].n_vswitches);
		snprintf(nr, sizeof(nr), "%u", v[i].rt.n_prefixes);
		snprintf(i4, sizeof(i4), "%u", v[i].rt.v4_n);
		snprintf(i6, sizeof(i6), "%u", v[i].rt.v6_n);
		sl_tab_add(&t, sl_fmt_id(id, v[i].id), tk, vl, sl_fmt_id(rt, v[i].route_table_id),
			   nv, nr, i4, i6);
	}
	sl_tab_print(&t);
	printf("(%u VPCs, generation %" PRIu64 ")\n", n, c->gen);
	return 0;
}

/* ---- ECMP groups (issue 8) ---- */

/** Packets the data plane sent through group member `nh` (summed over
 * lcores; 0 for an index past SL_NHG_COUNTED or without a data plane). */
static uint64_t sl_nhg_member_pkts(const struct sl_ctl *c, uint32_t nh)
{
	const struct sl_stats_header *st = sl_shm_stats(c->h);
	uint64_t sum = 0;

	if (nh >= SL_NHG_COUNTED ||
	    *(const volatile uint64_t *)&st->magic != SL_STATS_MAGIC)
		return 0;
	for (uint32_t l = 0; l < SL_MAX_LCORES; l++)
		sum += *(const volatile uint64_t *)&st->nhg[l].pkts[nh];
	return sum;
}

/** A group's members as text: "via*weight (buckets, packets), ...". */
static const char *sl_nhg_str(const struct sl_ctl *c, const struct sl_nexthop *g, char *buf,
			      size_t len)
{
	const struct sl_nexthop *nhs = sl_nexthops(c);
	unsigned int cnt[SL_NHG_MAX] = {0};
	size_t o = 0;

	for (unsigned int s = 0; s < SL_NHG_SLOTS; s++)
		if (g->grp.slot[s] < SL_NHG_MAX)
			cnt[g->grp.slot[s]]++;
	buf[0] = 0;
	for (unsigned int i = 0; i < g->grp.n_members && i < SL_NHG_MAX && o < len; i++) {
		uint32_t m = g->grp.member[i];
		char a[INET6_ADDRSTRLEN] = "?";

		if (m < c->bh->n_nexthops && nhs[m].type == SL_NH_GATEWAY)
			sl_fmt_addr(a, sizeof(a), nhs[m].family, nhs[m].via);
		/* issue 8: a member past the counters is said to be so, not 0 */
		if (m >= SL_NHG_COUNTED)
			o += (size_t)snprintf(buf + o, len - o, "%s%s*%u (%u buckets, not counted)",
					      i ? ", " : "", a, g->grp.weight[i], cnt[i]);
		else
			o += (size_t)snprintf(
			    buf + o, len - o, "%s%s*%u (%u buckets, %" PRIu64 " pkts)",
			    i ? ", " : "", a, g->grp.weight[i], cnt[i], sl_nhg_member_pkts(c, m));
	}
	return buf;
}

static json_t *sl_nh_json(const struct sl_ctl *c, uint32_t i);

/** "members" of a group next hop: each member's next hop, weight, buckets
 * and packets. */
static json_t *sl_nhg_json(const struct sl_ctl *c, const struct sl_nexthop *g)
{
	unsigned int cnt[SL_NHG_MAX] = {0};
	json_t *a = json_array();

	for (unsigned int s = 0; s < SL_NHG_SLOTS; s++)
		if (g->grp.slot[s] < SL_NHG_MAX)
			cnt[g->grp.slot[s]]++;
	for (unsigned int i = 0; i < g->grp.n_members && i < SL_NHG_MAX; i++) {
		json_t *m = json_object();
		const struct sl_nexthop *mn = sl_nexthops(c) + g->grp.member[i];

		json_object_set_new(m, "index", json_integer(g->grp.member[i]));
		json_object_set_new(m, "weight", json_integer(g->grp.weight[i]));
		json_object_set_new(m, "buckets", json_integer(cnt[i]));
		json_object_set_new(
		    m, "packets",
		    g->grp.member[i] >= SL_NHG_COUNTED /* not counted: null */
			? json_null()
			: json_integer((json_int_t)sl_nhg_member_pkts(c, g->grp.member[i])));
		/* one level only: a member is never a group */
		json_object_set_new(m, "nexthop",
				    g->grp.member[i] < c->bh->n_nexthops && mn->type != SL_NH_GROUP
					? sl_nh_json(c, g->grp.member[i])
					: json_null());
		json_array_append_new(a, m);
	}
	return a;
}

/** A group's member indexes as "nh 12,13" (the VIA column of tables). */
static void sl_nhg_members_str(const struct sl_nexthop *g, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "nh ");

	for (unsigned int i = 0; i < g->grp.n_members && i < SL_NHG_MAX && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%u", i ? "," : "", g->grp.member[i]);
}

/** JSON object for next hop `i` (or null if out of range). */
static json_t *sl_nh_json(const struct sl_ctl *c, uint32_t i)
{
	const struct sl_nexthop *nh = sl_nexthops(c);
	char a[INET6_ADDRSTRLEN], id[SL_ID_LEN + 1];
	json_t *o, *fl;

	if (nh == NULL || i >= c->bh->n_nexthops)
		return json_null();
	nh += i;
	o = json_object();
	json_object_set_new(o, "index", json_integer(i));
	json_object_set_new(o, "type", json_string(sl_nh_type_name(nh->type)));
	json_object_set_new(o, "family", nh->family ? json_integer(nh->family) : json_null());
	json_object_set_new(o, "via",
			    nh->type == SL_NH_GATEWAY
				? json_string(sl_fmt_addr(a, sizeof(a), nh->family, nh->via))
				: json_null());
	if (nh->type == SL_NH_GROUP) {
		json_object_set_new(o, "members", sl_nhg_json(c, nh));
		json_object_set_new(o, "port_role", json_string(sl_role_name(nh->port_role)));
		json_object_set_new(o, "mtu", json_integer(nh->mtu));
		return o;
	}
	json_object_set_new(o, "src",
			    sl_all_zero(nh->src, sizeof(nh->src))
				? json_null()
				: json_string(sl_fmt_addr(a, sizeof(a), nh->family, nh->src)));
	json_object_set_new(o, "port_role", json_string(sl_role_name(nh->port_role)));
	json_object_set_new(o, "trunk", json_integer(nh->trunk));
	json_object_set_new(o, "vlan", json_integer(nh->vlan));
	json_object_set_new(o, "mtu", json_integer(nh->mtu));
	json_object_set_new(o, "vpc_index",
			    nh->vpc_index == SL_VPC_INTERNET ? json_null()
							     : json_integer(nh->vpc_index));
	{
		char vb[SL_ID_LEN + 1];

		json_object_set_new(o, "vpc", json_string(sl_vpc_name(c, vb, nh->vpc_index)));
	}
	json_object_set_new(o, "owner_id", json_string(sl_fmt_id(id, nh->owner_id)));
	fl = json_array();
	if (nh->flags & SL_NH_F_SYSTEM)
		json_array_append_new(fl, json_string("system"));
	json_object_set_new(o, "flags", fl);
	return o;
}

static int sl_prefix_cmp(const void *pa, const void *pb)
{
	const struct sl_prefix *a = pa, *b = pb;
	int r;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	r = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (r != 0)
		return r;
	return (int)a->len - (int)b->len;
}

static void sl_u128_bytes(uint8_t *out, uint64_t hi, uint64_t lo)
{
	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t)(hi >> (56 - 8 * i));
		out[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
	}
}

static int sl_cmd_routes(struct sl_ctl *c, const char *vpc_id)
{
	const struct sl_route_table *rt;
	const struct sl_vpc *vpc = NULL;
	const struct sl_prefix *src;
	const struct sl_nexthop *nhs;
	struct sl_prefix *p;
	char id[SL_ID_LEN + 1], rtid[SL_ID_LEN + 1];
	uint32_t n;

	if (!c->internet && vpc_id == NULL) {
		sl_err("routes: give a VPC id (see 'sluicectl vpcs') or "
		       "--internet");
		return 2;
	}
	if (c->bank == NULL) {
		if (c->json) {
			sl_err("no tables published yet (generation 0)");
			return 1;
		}
		return sl_need_tables(c);
	}
	if (c->internet) {
		rt = &c->bh->inet;
	} else {
		const struct sl_vpc *v = sl_vpcs(c);

		if (v == NULL)
			return sl_bank_corrupt(c, "VPC array");
		for (uint32_t i = 0; i < c->bh->n_vpcs; i++) {
			if (strcmp(sl_fmt_id(id, v[i].id), vpc_id) == 0 ||
			    strcmp(sl_fmt_id(id, v[i].route_table_id), vpc_id) == 0) {
				vpc = &v[i];
				break;
			}
		}
		if (vpc == NULL) {
			sl_err("no VPC or route table '%s' in generation "
			       "%" PRIu64 " (see 'sluicectl vpcs')",
			       vpc_id, c->gen);
			return 1;
		}
		rt = &vpc->rt;
	}
	n = rt->n_prefixes;
	src = sl_span(c, rt->prefix_off, n, sizeof(*src));
	nhs = sl_nexthops(c);
	if (src == NULL || nhs == NULL)
		return sl_bank_corrupt(c, "route table");
	p = sl_xmalloc(n * sizeof(*p));
	memcpy(p, src, n * sizeof(*p));
	qsort(p, n, sizeof(*p), sl_prefix_cmp);

	const struct sl_rt4_entry *i4 = NULL;
	const struct sl_rt6_entry *i6 = NULL;

	if (c->intervals) {
		i4 = sl_span(c, rt->v4_off, rt->v4_n, sizeof(*i4));
		i6 = sl_span(c, rt->v6_off, rt->v6_n, sizeof(*i6));
		if ((rt->v4_n && i4 == NULL) || (rt->v6_n && i6 == NULL)) {
			free(p);
			return sl_bank_corrupt(c, "interval table");
		}
	}

	if (c->json) {
		json_t *root = json_object(), *a = json_array();

		json_object_set_new(root, "generation", sl_json_u64(c->gen));
		json_object_set_new(root, "table",
				    json_string(c->internet ? "internet" : sl_fmt_id(id, vpc->id)));
		if (vpc) {
			json_object_set_new(root, "vpc_index", json_integer(vpc->index));
			json_object_set_new(root, "route_table_id",
					    json_string(sl_fmt_id(rtid, vpc->route_table_id)));
			json_object_set_new(root, "trunk", json_integer(vpc->trunk));
			json_object_set_new(root, "vlan", json_integer(vpc->vlan));
		} else {
			json_object_set_new(root, "vpc_index", json_null());
			json_object_set_new(root, "route_table_id", json_null());
			json_object_set_new(root, "trunk", json_null());
			json_object_set_new(root, "vlan", json_null());
		}
		for (uint32_t i = 0; i < n; i++) {
			json_t *o = json_object();
			char a4[INET6_ADDRSTRLEN], pf[INET6_ADDRSTRLEN + 8];

			snprintf(pf, sizeof(pf), "%s/%u",
				 sl_fmt_addr(a4, sizeof(a4), p[i].family, p[i].addr), p[i].len);
			json_object_set_new(o, "prefix", json_string(pf));
			json_object_set_new(o, "family", json_integer(p[i].family));
			json_object_set_new(o, "origin", json_string(sl_origin_name(p[i].origin)));
			json_object_set_new(o, "nexthop", sl_nh_json(c, p[i].nh));
			json_array_append_new(a, o);
		}
		json_object_set_new(root, "routes", a);
		json_object_set_new(root, "structure",
				    json_string(rt->flags & SL_RT_F_FIB ? "fib" : "intervals"));
		if (c->intervals) {
			json_t *j4 = json_array(), *j6 = json_array();
			char s[INET6_ADDRSTRLEN];
			uint8_t b[16];

			for (uint32_t i = 0; i < rt->v4_n; i++) {
				json_t *o = json_object();
				uint32_t be = htonl(i4[i].start);

				json_object_set_new(
				    o, "start",
				    json_string(sl_fmt_addr(s, sizeof(s), SL_AF_INET,
							    (const uint8_t *)&be)));
				json_object_set_new(o, "nh", json_integer(i4[i].nh));
				json_array_append_new(j4, o);
			}
			for (uint32_t i = 0; i < rt->v6_n; i++) {
				json_t *o = json_object();

				sl_u128_bytes(b, i6[i].start_hi, i6[i].start_lo);
				json_object_set_new(
				    o, "start",
				    json_string(sl_fmt_addr(s, sizeof(s), SL_AF_INET6, b)));
				json_object_set_new(o, "nh", json_integer(i6[i].nh));
				json_array_append_new(j6, o);
			}
			json_object_set_new(root, "intervals4", j4);
			json_object_set_new(root, "intervals6", j6);
		}
		sl_json_print(root);
		free(p);
		return 0;
	}

	if (vpc)
		printf("%s (route table %s, trunk %u, VLAN %u), generation %" PRIu64 "\n\n",
		       sl_fmt_id(id, vpc->id), sl_fmt_id(rtid, vpc->route_table_id), vpc->trunk,
		       vpc->vlan, c->gen);
	else
		printf("Internet table, generation %" PRIu64 "\n\n", c->gen);

	static const char *hdr[] = {"PREFIX", "ORIGIN", "TYPE", "VIA", "SRC",	 "PORT",
				    ">TRUNK", ">VLAN",	">MTU", ">NH", "OWNER"};
	struct sl_tab t;

	sl_tab_init(&t, 11, hdr);
	for (uint32_t i = 0; i < n; i++) {
		char a[INET6_ADDRSTRLEN], pf[INET6_ADDRSTRLEN + 8];
		char via[INET6_ADDRSTRLEN] = "-", sa[INET6_ADDRSTRLEN] = "-";
		char tk[8] = "-", vl[8] = "-", mtu[8] = "-", nhi[16], typ[32];
		const char *port = "-", *owner = "-";
		char ob[SL_ID_LEN + 1];

		snprintf(pf, sizeof(pf), "%s/%u", sl_fmt_addr(a, sizeof(a), p[i].family, p[i].addr),
			 p[i].len);
		snprintf(nhi, sizeof(nhi), "%u", p[i].nh);
		if (p[i].nh < c->bh->n_nexthops) {
			const struct sl_nexthop *nh = &nhs[p[i].nh];

			snprintf(typ, sizeof(typ), "%s%s", sl_nh_type_name(nh->type),
				 nh->flags & SL_NH_F_SYSTEM ? " (system)" : "");
			if (nh->type == SL_NH_GATEWAY)
				sl_fmt_addr(via, sizeof(via), nh->family, nh->via);
			if (nh->type == SL_NH_GROUP)
				sl_nhg_members_str(nh, via, sizeof(via));
			else if (!sl_all_zero(nh->src, sizeof(nh->src)))
				sl_fmt_addr(sa, sizeof(sa), nh->family, nh->src);
			if (nh->type == SL_NH_CONNECTED || nh->type == SL_NH_GATEWAY) {
				port = sl_role_name(nh->port_role);
				if (nh->port_role == SL_ROLE_INSIDE)
					snprintf(tk, sizeof(tk), "%u", nh->trunk);
				snprintf(vl, sizeof(vl), "%u", nh->vlan);
				snprintf(mtu, sizeof(mtu), "%u", nh->mtu);
			}
			owner = nh->type == SL_NH_GROUP ? "" : sl_fmt_id(ob, nh->owner_id);
			if (owner[0] == '\0')
				owner = "-";
		} else {
			snprintf(typ, sizeof(typ), "invalid");
		}
		sl_tab_add(&t, pf, sl_origin_name(p[i].origin), typ, via, sa, port, tk, vl, mtu,
			   nhi, owner);
	}
	sl_tab_print(&t);
	if (rt->flags & SL_RT_F_FIB)
		printf("(%u prefixes of the config listed; the table is a FIB: IPv4 DIR-24-8 with "
		       "%u of %u tbl8 groups in use, IPv6 trie (%u-bit first level) with %u of %u; "
		       "routes of the route source are not listed: 'sluicectl lookup ADDR')\n",
		       n, c->bh->fib4.tbl8_used, c->bh->fib4.n_tbl8, c->bh->fib6.l1_bits,
		       c->bh->fib6.tbl8_used, c->bh->fib6.n_tbl8);
	else
		printf("(%u prefixes; %u IPv4 and %u IPv6 intervals)\n", n, rt->v4_n, rt->v6_n);
	if (c->intervals) {
		static const char *ih[] = {"FAMILY", "START", ">NH"};
		struct sl_tab it;
		char s[INET6_ADDRSTRLEN], nhi[16];
		uint8_t b[16];

		printf("\ncompiled intervals (lookup: last START <= "
		       "address)\n");
		sl_tab_init(&it, 3, ih);
		for (uint32_t i = 0; i < rt->v4_n; i++) {
			uint32_t be = htonl(i4[i].start);

			snprintf(nhi, sizeof(nhi), "%u", i4[i].nh);
			sl_tab_add(&it, "ipv4",
				   sl_fmt_addr(s, sizeof(s), SL_AF_INET, (const uint8_t *)&be),
				   nhi);
		}
		for (uint32_t i = 0; i < rt->v6_n; i++) {
			sl_u128_bytes(b, i6[i].start_hi, i6[i].start_lo);
			snprintf(nhi, sizeof(nhi), "%u", i6[i].nh);
			sl_tab_add(&it, "ipv6", sl_fmt_addr(s, sizeof(s), SL_AF_INET6, b), nhi);
		}
		sl_tab_print(&it);
	}
	free(p);
	return 0;
}

/* Longest prefix of the table's prefix list that holds `a` (same family),
 * or NULL: tells which listed route a lookup hit. */
static const struct sl_prefix *sl_best_prefix(const struct sl_ctl *c,
					      const struct sl_route_table *rt, unsigned int fam,
					      const uint8_t a[16])
{
	const struct sl_prefix *p = sl_span(c, rt->prefix_off, rt->n_prefixes, sizeof(*p));
	const struct sl_prefix *best = NULL;

	for (uint32_t i = 0; p && i < rt->n_prefixes; i++) {
		unsigned int len = p[i].len, full = len / 8, rest = len % 8;

		if (p[i].family != fam || (best && best->len >= len))
			continue;
		if (memcmp(p[i].addr, a, full) != 0)
			continue;
		if (rest && ((p[i].addr[full] ^ a[full]) & (0xff00u >> rest) & 0xff))
			continue;
		best = &p[i];
	}
	return best;
}

/* Interval search in the copy (the data plane's algorithm). */
static uint32_t sl_ivl_lookup(const struct sl_ctl *c, const struct sl_route_table *rt,
			      unsigned int fam, const uint8_t a[16], bool *ok)
{
	*ok = false;
	if (fam == SL_AF_INET) {
		const struct sl_rt4_entry *e = sl_span(c, rt->v4_off, rt->v4_n, sizeof(*e));
		uint32_t addr = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
		uint32_t lo = 0;

		if (e == NULL || rt->v4_n == 0)
			return SL_NH_NONE;
		for (uint32_t i = 0; i < rt->v4_n && e[i].start <= addr; i++)
			lo = i;
		*ok = true;
		return e[lo].nh;
	} else {
		const struct sl_rt6_entry *e = sl_span(c, rt->v6_off, rt->v6_n, sizeof(*e));
		uint64_t hi = 0, lo_a = 0;
		uint32_t lo = 0;

		for (int i = 0; i < 8; i++) {
			hi = hi << 8 | a[i];
			lo_a = lo_a << 8 | a[8 + i];
		}
		if (e == NULL || rt->v6_n == 0)
			return SL_NH_NONE;
		for (uint32_t i = 0; i < rt->v6_n; i++) {
			if (e[i].start_hi > hi || (e[i].start_hi == hi && e[i].start_lo > lo_a))
				break;
			lo = i;
		}
		*ok = true;
		return e[lo].nh;
	}
}

/* The Internet FIB of the live segment: read under a generation check (the
 * bank of generation g is rewritten only after g + 1 is published). */
static int sl_fib_lookup_live(const struct sl_ctl *c, unsigned int fam, const uint8_t a[16],
			      uint32_t *nh)
{
	for (int tries = 0; tries < SL_CTL_RETRIES; tries++) {
		uint64_t g = atomic_load_explicit(&c->h->generation, memory_order_acquire);
		const struct sl_bank_header *b = sl_shm_bank(c->h, (unsigned int)(g & 1));
		uint64_t size = c->h->bank_size;
		uint32_t r;

		if (g != c->gen) /* a newer generation than the copy: start over */
			return -EAGAIN;
		if (fam == SL_AF_INET) {
			if (b->fib4.tbl24_off + (uint64_t)SL_FIB_TBL24 * 4 > size ||
			    b->fib4.tbl8_off + (uint64_t)b->fib4.n_tbl8 * SL_FIB_GROUP * 4 > size)
				return -EINVAL;
			r = sl_fib4_lookup(b, &b->fib4,
					   (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
					       (uint32_t)a[2] << 8 | a[3]);
		} else {
			if ((b->fib6.l1_bits != 16 && b->fib6.l1_bits != 24) ||
			    b->fib6.tbl1_off + (UINT64_C(4) << b->fib6.l1_bits) > size ||
			    b->fib6.tbl8_off + (uint64_t)b->fib6.n_tbl8 * SL_FIB_GROUP * 4 > size)
				return -EINVAL;
			r = sl_fib6_lookup(b, &b->fib6, a);
		}
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&c->h->generation, memory_order_relaxed) == g) {
			*nh = r;
			return 0;
		}
	}
	return -EAGAIN;
}

static int sl_cmd_lookup(struct sl_ctl *c, const char *addr_s, const char *vpc_id)
{
	const struct sl_route_table *rt;
	const struct sl_vpc *vpc = NULL;
	const struct sl_prefix *best;
	char id[SL_ID_LEN + 1], a[INET6_ADDRSTRLEN], pf[INET6_ADDRSTRLEN + 8] = "";
	uint8_t addr[16] = {0};
	unsigned int fam;
	bool fib = false, ok = true;
	uint32_t nh = 0;
	int rc;

	if (inet_pton(AF_INET, addr_s, addr) == 1) {
		fam = SL_AF_INET;
	} else if (inet_pton(AF_INET6, addr_s, addr) == 1) {
		fam = SL_AF_INET6;
	} else {
		sl_err("lookup: '%s' is not an IPv4 or IPv6 address", addr_s);
		return 2;
	}
	if (c->bank == NULL)
		return c->json ? (sl_err("no tables published yet (generation 0)"), 1)
			       : sl_need_tables(c);
	if (vpc_id == NULL) {
		rt = &c->bh->inet;
	} else {
		const struct sl_vpc *v = sl_vpcs(c);

		for (uint32_t i = 0; v && i < c->bh->n_vpcs; i++)
			if (strcmp(sl_fmt_id(id, v[i].id), vpc_id) == 0 ||
			    strcmp(sl_fmt_id(id, v[i].route_table_id), vpc_id) == 0)
				vpc = &v[i];
		if (vpc == NULL) {
			sl_err("no VPC or route table '%s' in generation %" PRIu64
			       " (see 'sluicectl vpcs')",
			       vpc_id, c->gen);
			return 1;
		}
		rt = &vpc->rt;
	}
	if (rt->flags & SL_RT_F_FIB) {
		fib = true;
		rc = sl_fib_lookup_live(c, fam, addr, &nh);
		/* a newer generation than the copy (a busy route feed): take a
		 * new copy, so the next hop is read from the same generation */
		for (int i = 0; i < 5 && rc == -EAGAIN; i++) {
			free(c->bank);
			c->bank = NULL;
			if (sl_ctl_load_bank(c) < 0 || c->bank == NULL)
				return 1;
			rt = &c->bh->inet;
			rc = sl_fib_lookup_live(c, fam, addr, &nh);
		}
		if (rc == -EAGAIN) {
			sl_err("the tables kept changing while looking up; try again");
			return 1;
		}
		if (rc < 0)
			return sl_bank_corrupt(c, "Internet FIB");
	} else {
		nh = sl_ivl_lookup(c, rt, fam, addr, &ok);
		if (!ok && (fam == SL_AF_INET ? rt->v4_n : rt->v6_n))
			return sl_bank_corrupt(c, "interval table");
	}
	best = sl_best_prefix(c, rt, fam, addr);
	if (best && best->nh != nh)
		best = NULL; /* a longer route of the source won: not listed */
	if (best)
		snprintf(pf, sizeof(pf), "%s/%u", sl_fmt_addr(a, sizeof(a), fam, best->addr),
			 best->len);
	if (c->json) {
		json_t *o = json_object();

		json_object_set_new(o, "generation", sl_json_u64(c->gen));
		json_object_set_new(o, "table", json_string(vpc ? sl_fmt_id(id, vpc->id) : "internet"));
		json_object_set_new(o, "address", json_string(sl_fmt_addr(a, sizeof(a), fam, addr)));
		json_object_set_new(o, "structure", json_string(fib ? "fib" : "intervals"));
		json_object_set_new(o, "prefix", best ? json_string(pf) : json_null());
		json_object_set_new(o, "origin",
				    best ? json_string(sl_origin_name(best->origin))
					 : json_string(nh == SL_NH_NONE ? "none" : "dynamic"));
		json_object_set_new(o, "nexthop", sl_nh_json(c, nh));
		sl_json_print(o);
		return 0;
	}
	{
		const struct sl_nexthop *nhs = sl_nexthops(c);
		char via[INET6_ADDRSTRLEN] = "-", src[INET6_ADDRSTRLEN] = "-";

		printf("%s in %s (generation %" PRIu64 ", %s)\n", sl_fmt_addr(a, sizeof(a), fam, addr),
		       vpc ? sl_fmt_id(id, vpc->id) : "the Internet table", c->gen,
		       fib ? "FIB" : "intervals");
		printf("  route     %s\n",
		       best ? pf
			    : nh == SL_NH_NONE ? "none (unreachable)"
					       : "from the route source (not listed)");
		if (best)
			printf("  origin    %s\n", sl_origin_name(best->origin));
		if (nhs == NULL || nh >= c->bh->n_nexthops)
			return sl_bank_corrupt(c, "next hop index");
		if (nhs[nh].type == SL_NH_GROUP) {
			char gb[512];

			printf("  next hop  %u: group of %u: %s\n", nh, nhs[nh].grp.n_members,
			       sl_nhg_str(c, &nhs[nh], gb, sizeof(gb)));
			return 0;
		}
		if (nhs[nh].type == SL_NH_GATEWAY)
			sl_fmt_addr(via, sizeof(via), nhs[nh].family, nhs[nh].via);
		if (!sl_all_zero(nhs[nh].src, sizeof(nhs[nh].src)))
			sl_fmt_addr(src, sizeof(src), nhs[nh].family, nhs[nh].src);
		printf("  next hop  %u: %s%s, via %s, src %s, port %s, trunk %u, VLAN %u, MTU %u, "
		       "owner %s\n",
		       nh, sl_nh_type_name(nhs[nh].type),
		       nhs[nh].flags & SL_NH_F_SYSTEM ? " (system)" : "", via, src,
		       sl_role_name(nhs[nh].port_role), nhs[nh].trunk, nhs[nh].vlan, nhs[nh].mtu,
		       sl_fmt_id(id, nhs[nh].owner_id)[0] ? id : "-");
	}
	return 0;
}

static int sl_cmd_nexthops(struct sl_ctl *c)
{
	const struct sl_nexthop *nh;
	uint32_t n;

	if (sl_need_tables(c))
		return 0;
	if (c->bank == NULL) {
		json_t *root = json_object();

		json_object_set_new(root, "generation", sl_json_u64(0));
		json_object_set_new(root, "nexthops", json_array());
		sl_json_print(root);
		return 0;
	}
	n = c->bh->n_nexthops;
	nh = sl_nexthops(c);
	if (nh == NULL)
		return sl_bank_corrupt(c, "next-hop array");
	if (c->json) {
		json_t *root = json_object(), *a = json_array();

		json_object_set_new(root, "generation", sl_json_u64(c->gen));
		for (uint32_t i = 0; i < n; i++)
			json_array_append_new(a, sl_nh_json(c, i));
		json_object_set_new(root, "nexthops", a);
		sl_json_print(root);
		return 0;
	}

	static const char *hdr[] = {">NH", "TYPE", "FAMILY", "PORT", ">TRUNK", ">VLAN",
				    ">MTU", "VPC", "VIA",    "SRC",  "FLAGS",  "OWNER"};
	struct sl_tab t;

	sl_tab_init(&t, 12, hdr);
	for (uint32_t i = 0; i < n; i++) {
		char idx[16], tk[8], vl[8], mtu[8], vb[SL_ID_LEN + 1];
		char via[INET6_ADDRSTRLEN] = "-", sa[INET6_ADDRSTRLEN] = "-";
		char ob[SL_ID_LEN + 1];
		const char *owner;

		snprintf(idx, sizeof(idx), "%u", i);
		snprintf(tk, sizeof(tk), "%u", nh[i].trunk);
		snprintf(vl, sizeof(vl), "%u", nh[i].vlan);
		snprintf(mtu, sizeof(mtu), "%u", nh[i].mtu);
		if (nh[i].type == SL_NH_GATEWAY)
			sl_fmt_addr(via, sizeof(via), nh[i].family, nh[i].via);
		if (nh[i].type == SL_NH_GROUP)
			sl_nhg_members_str(&nh[i], via, sizeof(via));
		else if (!sl_all_zero(nh[i].src, sizeof(nh[i].src)))
			sl_fmt_addr(sa, sizeof(sa), nh[i].family, nh[i].src);
		owner = nh[i].type == SL_NH_GROUP ? "" : sl_fmt_id(ob, nh[i].owner_id);
		sl_tab_add(&t, idx, sl_nh_type_name(nh[i].type),
			   nh[i].family == SL_AF_INET	 ? "ipv4"
			   : nh[i].family == SL_AF_INET6 ? "ipv6"
							 : "-",
			   sl_role_name(nh[i].port_role), tk, vl, mtu,
			   i == SL_NH_NONE ? "-" : sl_vpc_name(c, vb, nh[i].vpc_index), via, sa,
			   nh[i].flags & SL_NH_F_SYSTEM ? "system" : "-", owner[0] ? owner : "-");
	}
	sl_tab_print(&t);
	printf("(%u next hops, generation %" PRIu64 ")\n", n, c->gen);
	return 0;
}

static int sl_neigh_cmp(const void *pa, const void *pb)
{
	const struct sl_neigh_export *a = pa, *b = pb;

	if (a->vpc_index != b->vpc_index)
		return a->vpc_index < b->vpc_index ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

static void sl_no_dp_note(const struct sl_ctl *c)
{
	printf("no data plane has attached to %s yet (no stats): is "
	       "sluice-dp running?\n",
	       c->path);
}

static int sl_cmd_neighbours(struct sl_ctl *c)
{
	struct sl_stats_snap s;

	if (sl_ctl_load_stats(c, &s) < 0)
		return 1;
	qsort(s.neigh, s.n_neigh, sizeof(s.neigh[0]), sl_neigh_cmp);
	if (c->json) {
		json_t *root = json_object(), *a = json_array();

		json_object_set_new(root, "dataplane_attached", json_boolean(s.attached));
		json_object_set_new(root, "updated_ns", sl_json_u64(s.updated_ns));
		for (uint32_t i = 0; i < s.n_neigh; i++) {
			const struct sl_neigh_export *e = &s.neigh[i];
			json_t *o = json_object();
			char ab[INET6_ADDRSTRLEN], mb[24], vb[SL_ID_LEN + 1];

			json_object_set_new(o, "vpc",
					    json_string(sl_vpc_name(c, vb, e->vpc_index)));
			json_object_set_new(o, "vpc_index",
					    e->vpc_index == SL_VPC_INTERNET
						? json_null()
						: json_integer(e->vpc_index));
			json_object_set_new(o, "trunk", json_integer(e->trunk));
			json_object_set_new(o, "vlan", json_integer(e->vlan));
			json_object_set_new(o, "port_role",
					    json_string(sl_role_name(e->port_role)));
			json_object_set_new(o, "family", json_integer(e->family));
			json_object_set_new(
			    o, "address",
			    json_string(sl_fmt_addr(ab, sizeof(ab), e->family, e->addr)));
			json_object_set_new(o, "mac",
					    json_string(sl_fmt_mac(mb, sizeof(mb), e->mac)));
			json_object_set_new(o, "state", json_string(sl_neigh_state_name(e->state)));
			json_object_set_new(o, "queued", json_integer(e->n_queued));
			json_object_set_new(o, "age_ms", json_integer(e->age_ms));
			json_array_append_new(a, o);
		}
		json_object_set_new(root, "neighbours", a);
		sl_json_print(root);
		free(s.neigh);
		return 0;
	}
	if (!s.attached) {
		sl_no_dp_note(c);
		free(s.neigh);
		return 0;
	}

	static const char *hdr[] = {"VPC",	">TRUNK", ">VLAN",   "PORT", "ADDRESS",
				    "MAC",	"STATE",  ">QUEUED", ">AGE"};
	struct sl_tab t;

	sl_tab_init(&t, 9, hdr);
	for (uint32_t i = 0; i < s.n_neigh; i++) {
		const struct sl_neigh_export *e = &s.neigh[i];
		char ab[INET6_ADDRSTRLEN], mb[24], vb[SL_ID_LEN + 1];
		char tk[8], vl[8], q[8], age[24];

		snprintf(tk, sizeof(tk), "%u", e->trunk);
		snprintf(vl, sizeof(vl), "%u", e->vlan);
		snprintf(q, sizeof(q), "%u", e->n_queued);
		snprintf(age, sizeof(age), "%.1fs", e->age_ms / 1000.0);
		sl_tab_add(&t, sl_vpc_name(c, vb, e->vpc_index), tk, vl, sl_role_name(e->port_role),
			   sl_fmt_addr(ab, sizeof(ab), e->family, e->addr),
			   e->state == SL_NEIGH_INCOMPLETE || e->state == SL_NEIGH_FAILED
			       ? "-"
			       : sl_fmt_mac(mb, sizeof(mb), e->mac),
			   sl_neigh_state_name(e->state), q, age);
	}
	sl_tab_print(&t);
	printf("(%u neighbours)\n", s.n_neigh);
	free(s.neigh);
	return 0;
}

/* HaVip holders (issue 12, docs/havip.md) as sluice-dp last exported them. */
static int sl_cmd_havips(struct sl_ctl *c)
{
	static const char *hdr[] = {"VPC", "HAVIP", "ADDRESS", "HOLDER", "MAC", ">SINCE", ">CHANGES"};
	struct sl_stats_snap s;
	json_t *root = NULL, *a = NULL;
	struct sl_tab t;

	if (sl_ctl_load_stats(c, &s) < 0)
		return 1;
	free(s.neigh);
	if (c->json) {
		root = json_object();
		a = json_array();
		json_object_set_new(root, "dataplane_attached", json_boolean(s.attached));
		json_object_set_new(root, "updated_ns", sl_json_u64(s.updated_ns));
	} else if (!s.attached) {
		sl_no_dp_note(c);
		return 0;
	} else {
		sl_tab_init(&t, 7, hdr);
	}
	for (uint32_t i = 0; i < s.n_havip; i++) {
		const struct sl_havip_export *e = &s.havip[i];
		char ab[INET6_ADDRSTRLEN], mb[24], vb[SL_ID_LEN + 1], hv[SL_ID_LEN + 1],
		    ho[SL_ID_LEN + 1], age[24], ch[16];
		uint8_t addr[4] = {(uint8_t)(e->addr >> 24), (uint8_t)(e->addr >> 16),
				   (uint8_t)(e->addr >> 8), (uint8_t)e->addr};

		sl_fmt_id(hv, e->havip_id);
		sl_fmt_id(ho, e->holder_id);
		sl_fmt_addr(ab, sizeof(ab), SL_AF_INET, addr);
		sl_fmt_mac(mb, sizeof(mb), e->mac);
		if (c->json) {
			json_t *o = json_object();

			json_object_set_new(o, "vpc", json_string(sl_vpc_name(c, vb, e->vpc_index)));
			json_object_set_new(o, "vpc_index", json_integer(e->vpc_index));
			json_object_set_new(o, "havip_id", json_string(hv));
			json_object_set_new(o, "address", json_string(ab));
			json_object_set_new(o, "holder", json_string(ho));
			json_object_set_new(o, "mac", json_string(mb));
			json_object_set_new(o, "age_ms", json_integer(e->age_ms));
			json_object_set_new(o, "changes", json_integer(e->changes));
			json_array_append_new(a, o);
			continue;
		}
		snprintf(age, sizeof(age), "%.1fs", e->age_ms / 1000.0);
		snprintf(ch, sizeof(ch), "%u", e->changes);
		sl_tab_add(&t, sl_vpc_name(c, vb, e->vpc_index), hv, ab, ho, mb, age, ch);
	}
	if (c->json) {
		json_object_set_new(root, "havips", a);
		sl_json_print(root);
		return 0;
	}
	sl_tab_print(&t);
	printf("(%u HaVips with a holder)\n", s.n_havip);
	return 0;
}

/* ---- operators' counters (issue 11): per queue, per route table ------- */

/* Queue counters of the stats area's port `i` (queue[slot][i]), one per
 * worker: the worker in slot s owns queue s - 1 (slot 0 owns none). */
static const struct {
	const char *key, *hdr;
	size_t off;
} sl_queue_fields[] = {
    {"rx_packets", ">RX PKTS", offsetof(struct sl_queue_stats, rx_pkts)},
    {"rx_bytes", ">RX BYTES", offsetof(struct sl_queue_stats, rx_bytes)},
    {"tx_packets", ">TX PKTS", offsetof(struct sl_queue_stats, tx_pkts)},
    {"tx_bytes", ">TX BYTES", offsetof(struct sl_queue_stats, tx_bytes)},
    {"tx_full", ">TX FULL", offsetof(struct sl_queue_stats, tx_full)},
    {"no_mbuf", ">NO MBUF", offsetof(struct sl_queue_stats, no_mbuf)},
};
#define SL_QUEUE_NFIELDS (sizeof(sl_queue_fields) / sizeof(sl_queue_fields[0]))

static uint64_t sl_queue_field(const struct sl_ctl *c, uint32_t slot, uint32_t port, size_t k)
{
	const struct sl_queue_stats *q = &sl_shm_stats(c->h)->queue[slot][port];

	return *(const volatile uint64_t *)((const uint8_t *)q + sl_queue_fields[k].off);
}

static json_t *sl_queues_json(const struct sl_ctl *c, const struct sl_stats_snap *s, uint32_t port)
{
	uint32_t nl = sl_stat_lcores(c, s);
	json_t *a = json_array();

	for (uint32_t slot = 1; slot < nl; slot++) {
		json_t *o = json_object();

		json_object_set_new(o, "queue", json_integer(slot - 1));
		json_object_set_new(o, "lcore_id", json_integer(c->h->lcore[slot].lcore_id));
		for (size_t k = 0; k < SL_QUEUE_NFIELDS; k++)
			json_object_set_new(o, sl_queue_fields[k].key,
					    sl_json_u64(sl_queue_field(c, slot, port, k)));
		json_array_append_new(a, o);
	}
	return a;
}

static void sl_queues_print(const struct sl_ctl *c, const struct sl_stats_snap *s)
{
	uint32_t nl = sl_stat_lcores(c, s);
	const char *hdr[3 + SL_QUEUE_NFIELDS] = {"PORT", ">QUEUE", ">LCORE"};
	struct sl_tab t;

	if (nl < 2)
		return;
	for (size_t k = 0; k < SL_QUEUE_NFIELDS; k++)
		hdr[3 + k] = sl_queue_fields[k].hdr;
	sl_tab_init(&t, 3 + SL_QUEUE_NFIELDS, hdr);
	for (uint32_t i = 0; i < s->n_ports; i++) {
		char name[SL_PORT_NAME_LEN + 1];

		memcpy(name, s->port[i].name, SL_PORT_NAME_LEN);
		name[SL_PORT_NAME_LEN] = '\0';
		for (uint32_t slot = 1; slot < nl; slot++) {
			char q[12], lc[12], v[SL_QUEUE_NFIELDS][24];

			snprintf(q, sizeof(q), "%u", slot - 1);
			snprintf(lc, sizeof(lc), "%u", c->h->lcore[slot].lcore_id);
			for (size_t k = 0; k < SL_QUEUE_NFIELDS; k++)
				snprintf(v[k], sizeof(v[k]), "%" PRIu64,
					 sl_queue_field(c, slot, i, k));
			static_assert(SL_QUEUE_NFIELDS == 6, "one argument per field below");
			sl_tab_add(&t, name, q, lc, v[0], v[1], v[2], v[3], v[4], v[5]);
		}
	}
	printf("\nper queue (counted by the worker that owns it):\n");
	sl_tab_print(&t);
}

/* Packets and bytes routed by table t (sl_rt_stats_index) on each lcore. */
static void sl_rt_read(const struct sl_ctl *c, uint32_t nl, uint32_t t, uint64_t *pk,
		       uint64_t *by, uint64_t *tot_pk, uint64_t *tot_by)
{
	const struct sl_stats_header *st = sl_shm_stats(c->h);

	*tot_pk = *tot_by = 0;
	for (uint32_t l = 0; l < nl; l++) {
		pk[l] = sl_read_u64(&st->rt[l][t].pkts);
		by[l] = sl_read_u64(&st->rt[l][t].bytes);
		*tot_pk += pk[l];
		*tot_by += by[l];
	}
}

/**
 * `tables [VPC_ID|internet]`: packets and IP bytes routed by each route
 * table (issue 11): the Internet table, then every VPC of the active bank
 * by index (or just the one asked for). A VPC index freed by a deleted VPC
 * and given to a new one keeps counting from the old value.
 */
static int sl_cmd_tables(struct sl_ctl *c, const char *want)
{
	const struct sl_vpc *v = NULL;
	struct sl_stats_snap s;
	uint32_t n = 0, nl, first = 0;
	bool inet = want == NULL || strcmp(want, "internet") == 0;
	uint64_t *pk, *by;
	char id[SL_ID_LEN + 1], rtid[SL_ID_LEN + 1];
	json_t *root = NULL, *a = NULL;
	struct sl_tab t;
	const char **hdr;
	char **lh = NULL;
	unsigned int ncols;

	if (sl_ctl_load_stats(c, &s) < 0)
		return 1;
	free(s.neigh);
	if (c->bank) {
		n = c->bh->n_vpcs;
		v = sl_vpcs(c);
		if (v == NULL)
			return sl_bank_corrupt(c, "VPC array");
	}
	if (want != NULL && !inet) {
		for (first = 0; first < n; first++)
			if (strcmp(sl_fmt_id(id, v[first].id), want) == 0 ||
			    strcmp(sl_fmt_id(rtid, v[first].route_table_id), want) == 0)
				break;
		if (first == n) {
			sl_err("no VPC or route table '%s' in generation %" PRIu64
			       " (see 'sluicectl vpcs'; 'internet' for the Internet table)",
			       want, c->gen);
			return 1;
		}
	}
	nl = sl_stat_lcores(c, &s);
	pk = sl_xmalloc((nl ? nl : 1) * sizeof(*pk));
	by = sl_xmalloc((nl ? nl : 1) * sizeof(*by));
	ncols = 6 + (c->per_lcore ? nl : 0);
	hdr = sl_xmalloc(ncols * sizeof(*hdr));
	if (c->json) {
		json_t *ids = json_array();

		root = json_object();
		a = json_array();
		json_object_set_new(root, "generation", sl_json_u64(c->gen));
		json_object_set_new(root, "dataplane_attached", json_boolean(s.attached));
		json_object_set_new(root, "n_lcores", json_integer(nl));
		for (uint32_t l = 0; l < nl; l++)
			json_array_append_new(ids, json_integer(c->h->lcore[l].lcore_id));
		json_object_set_new(root, "lcore_ids", ids);
	} else {
		static const char *const h6[] = {"TABLE", ">INDEX", ">TRUNK", ">VLAN", ">PACKETS", ">BYTES"};

		if (!s.attached)
			sl_no_dp_note(c);
		memcpy(hdr, h6, sizeof(h6));
		lh = sl_xmalloc((nl ? nl : 1) * sizeof(*lh));
		for (uint32_t l = 0; c->per_lcore && l < nl; l++) {
			char b[32];

			snprintf(b, sizeof(b), ">LCORE %u PKTS", c->h->lcore[l].lcore_id);
			lh[l] = sl_xstrdup(b);
			hdr[6 + l] = lh[l];
		}
		sl_tab_init(&t, ncols, hdr);
	}
	for (uint32_t i = 0; i <= n; i++) {
		/* row 0: the Internet table; row i > 0: VPC i - 1 */
		const struct sl_vpc *vp = i == 0 ? NULL : &v[i - 1];
		uint32_t ti = vp ? sl_rt_stats_index(vp->index) : SL_RT_STATS_INET;
		uint64_t tp = 0, tb = 0;

		if (i == 0 ? !inet : want != NULL && (inet || i - 1 != first))
			continue;
		if (ti < SL_RT_STATS)
			sl_rt_read(c, nl, ti, pk, by, &tp, &tb);
		else
			memset(pk, 0, (nl ? nl : 1) * sizeof(*pk));
		if (c->json) {
			json_t *o = json_object(), *pl = json_array();

			json_object_set_new(o, "table", json_string(vp ? sl_fmt_id(id, vp->id)
								     : "internet"));
			json_object_set_new(o, "vpc_index", vp ? json_integer(vp->index) : json_null());
			json_object_set_new(o, "route_table_id",
					    vp ? json_string(sl_fmt_id(rtid, vp->route_table_id))
					       : json_null());
			json_object_set_new(o, "trunk", vp ? json_integer(vp->trunk) : json_null());
			json_object_set_new(o, "vlan", vp ? json_integer(vp->vlan) : json_null());
			json_object_set_new(o, "packets", sl_json_u64(tp));
			json_object_set_new(o, "bytes", sl_json_u64(tb));
			for (uint32_t l = 0; l < nl; l++) {
				json_t *x = json_object();

				json_object_set_new(x, "packets", sl_json_u64(pk[l]));
				json_object_set_new(x, "bytes", sl_json_u64(ti < SL_RT_STATS ? by[l] : 0));
				json_array_append_new(pl, x);
			}
			json_object_set_new(o, "per_lcore", pl);
			json_array_append_new(a, o);
		} else {
			char **row = sl_xmalloc(ncols * sizeof(char *));

			row[0] = sl_xstrdup(vp ? sl_fmt_id(id, vp->id) : "internet");
			for (unsigned int k = 1; k < ncols; k++)
				row[k] = sl_xmalloc(24);
			snprintf(row[1], 24, vp ? "%u" : "-", vp ? vp->index : 0);
			snprintf(row[2], 24, vp ? "%u" : "-", vp ? vp->trunk : 0);
			snprintf(row[3], 24, vp ? "%u" : "-", vp ? vp->vlan : 0);
			snprintf(row[4], 24, "%" PRIu64, tp);
			snprintf(row[5], 24, "%" PRIu64, tb);
			for (uint32_t l = 0; c->per_lcore && l < nl; l++)
				snprintf(row[6 + l], 24, "%" PRIu64, pk[l]);
			sl_tab_add_row(&t, row);
		}
	}
	if (c->json) {
		json_object_set_new(root, "tables", a);
		sl_json_print(root);
	} else {
		sl_tab_print(&t);
		printf("(packets and IP bytes routed by each table, generation %" PRIu64 ")\n",
		       c->gen);
		for (uint32_t l = 0; c->per_lcore && l < nl; l++)
			free(lh[l]);
	}
	free(lh);
	free(hdr);
	free(pk);
	free(by);
	return 0;
}

static int sl_cmd_ports(struct sl_ctl *c)
{
	struct sl_stats_snap s;

	if (sl_ctl_load_stats(c, &s) < 0)
		return 1;
	if (c->json) {
		json_t *root = json_object(), *a = json_array();

		json_object_set_new(root, "dataplane_attached", json_boolean(s.attached));
		json_object_set_new(root, "updated_ns", sl_json_u64(s.updated_ns));
		for (uint32_t i = 0; i < s.n_ports; i++) {
			const struct sl_port_stats *p = &s.port[i];
			json_t *o = json_object();
			char name[SL_PORT_NAME_LEN + 1], mb[24];

			memcpy(name, p->name, SL_PORT_NAME_LEN);
			name[SL_PORT_NAME_LEN] = '\0';
			json_object_set_new(o, "name", json_string(name));
			json_object_set_new(o, "port_id", json_integer(p->port_id));
			json_object_set_new(o, "role", json_string(sl_role_name(p->role)));
			json_object_set_new(o, "trunk", p->role == SL_ROLE_INSIDE
							    ? json_integer(p->trunk)
							    : json_null());
			json_object_set_new(o, "link_up", json_boolean(p->link_up));
			json_object_set_new(o, "mac",
					    json_string(sl_fmt_mac(mb, sizeof(mb), p->mac)));
			json_object_set_new(o, "mtu", json_integer(p->mtu));
			json_object_set_new(o, "ipackets", sl_json_u64(p->ipackets));
			json_object_set_new(o, "opackets", sl_json_u64(p->opackets));
			json_object_set_new(o, "ibytes", sl_json_u64(p->ibytes));
			json_object_set_new(o, "obytes", sl_json_u64(p->obytes));
			json_object_set_new(o, "imissed", sl_json_u64(p->imissed));
			json_object_set_new(o, "ierrors", sl_json_u64(p->ierrors));
			json_object_set_new(o, "oerrors", sl_json_u64(p->oerrors));
			json_object_set_new(o, "rx_nombuf", sl_json_u64(p->rx_nombuf));
			/* exception path (issue 8): frames its TAP carried */
			json_object_set_new(o, "exception_to_kernel", sl_json_u64(p->exc_to_kernel));
			json_object_set_new(o, "exception_from_kernel",
					    sl_json_u64(p->exc_from_kernel));
			json_object_set_new(o, "queues", sl_queues_json(c, &s, i));
			json_array_append_new(a, o);
		}
		json_object_set_new(root, "ports", a);
		sl_json_print(root);
		free(s.neigh);
		return 0;
	}
	if (!s.attached) {
		sl_no_dp_note(c);
		free(s.neigh);
		return 0;
	}

	static const char *hdr[] = {"PORT",	  ">ID",       "ROLE",	     "LINK",
				    "MAC",	  ">MTU",      ">RX PKTS",   ">TX PKTS",
				    ">RX BYTES",  ">TX BYTES", ">RX MISSED", ">RX ERRORS",
				    ">TX ERRORS", ">RX NOMBUF"};
	struct sl_tab t;

	sl_tab_init(&t, 14, hdr);
	for (uint32_t i = 0; i < s.n_ports; i++) {
		const struct sl_port_stats *p = &s.port[i];
		char name[SL_PORT_NAME_LEN + 1], mb[24], id[8], mtu[8], role[24];
		char v[8][24];
		const uint64_t val[8] = {p->ipackets, p->opackets, p->ibytes,  p->obytes,
					 p->imissed,  p->ierrors,  p->oerrors, p->rx_nombuf};

		memcpy(name, p->name, SL_PORT_NAME_LEN);
		name[SL_PORT_NAME_LEN] = '\0';
		snprintf(id, sizeof(id), "%u", p->port_id);
		snprintf(mtu, sizeof(mtu), "%u", p->mtu);
		if (p->role == SL_ROLE_INSIDE)
			snprintf(role, sizeof(role), "inside (trunk %u)", p->trunk);
		else
			snprintf(role, sizeof(role), "%s", sl_role_name(p->role));
		for (int k = 0; k < 8; k++)
			snprintf(v[k], sizeof(v[k]), "%" PRIu64, val[k]);
		sl_tab_add(&t, name, id, role, p->link_up ? "up" : "down",
			   sl_fmt_mac(mb, sizeof(mb), p->mac), mtu, v[0], v[1], v[2], v[3], v[4],
			   v[5], v[6], v[7]);
	}
	sl_tab_print(&t);
	sl_queues_print(c, &s);
	free(s.neigh);
	return 0;
}

/* The IPv6 gateway (issue 6, docs/ipv6gw.md): the egress-only flows the data
 * plane holds (stats area) and every ip6gw_* drop reason and counter,
 * summed over lcores. */
static int sl_cmd_ip6gw(struct sl_ctl *c)
{
	const struct sl_stats_header *st = sl_shm_stats(c->h);
	json_t *root = NULL, *jd = NULL, *jc = NULL;
	struct sl_stats_snap s;
	uint32_t nl;

	if (sl_ctl_load_stats(c, &s) < 0)
		return 1;
	free(s.neigh);
	if (!c->json && !s.attached) {
		sl_no_dp_note(c);
		return 0;
	}
	nl = sl_stat_lcores(c, &s);
	if (c->json) {
		root = json_object();
		jd = json_object();
		jc = json_object();
		json_object_set_new(root, "dataplane_attached", json_boolean(s.attached));
		json_object_set_new(root, "egress_only_flows", json_integer(s.ip6eo_flows));
		json_object_set_new(root, "egress_only_capacity", json_integer(s.ip6eo_capacity));
	} else if (s.ip6eo_capacity) {
		printf("egress-only flows: %u of %u\n", s.ip6eo_flows, s.ip6eo_capacity);
	} else {
		printf("egress-only flows: no state table in the data plane\n");
	}
	for (int kind = 0; kind < 2; kind++) {
		const char *const *names = kind == 0 ? sl_drop_names : sl_cnt_names;
		unsigned int n = kind == 0 ? SL_DROP_MAX : SL_CNT_MAX;

		if (!c->json)
			printf("%s\n", kind == 0 ? "drops:" : "counters:");
		for (unsigned int k = 0; k < n; k++) {
			uint64_t tot = 0;

			if (strncmp(names[k], "ip6gw_", 6) != 0)
				continue;
			for (uint32_t l = 0; l < nl; l++)
				tot += sl_read_u64(kind == 0 ? &st->lcore[l].drop[k]
							     : &st->lcore[l].cnt[k]);
			if (c->json)
				json_object_set_new(kind == 0 ? jd : jc, names[k],
						    sl_json_u64(tot));
			else
				printf("  %-24s %" PRIu64 "\n", names[k], tot);
		}
	}
	if (c->json) {
		json_object_set_new(root, "drops", jd);
		json_object_set_new(root, "counters", jc);
		sl_json_print(root);
	}
	return 0;
}

/**
 * drops and counters share one printer: `names`/`descs` of `n` entries,
 * `kind` 0 = drops (per-lcore array drop[]), 1 = counters (cnt[]).
 */
/* What sl_cmd_counts prints: drop reasons, counters, or packets per stage
 * (whose names the data plane wrote into the stats area). */
enum sl_counts_kind { SL_COUNTS_DROPS = 0, SL_COUNTS_COUNTERS = 1, SL_COUNTS_STAGES = 2 };

static int sl_cmd_counts(struct sl_ctl *c, int kind)
{
	const struct sl_stats_header *st = sl_shm_stats(c->h);
	static const char *stage_names[SL_STATS_STAGES];
	static char stage_buf[SL_STATS_STAGES][SL_STAGE_NAME_LEN];
	static const char *stage_descs[SL_STATS_STAGES];
	const char *const *names = kind == SL_COUNTS_DROPS	  ? sl_drop_names
				   : kind == SL_COUNTS_COUNTERS ? sl_cnt_names
								: stage_names;
	const char *const *descs = kind == SL_COUNTS_DROPS	  ? sl_drop_descs
				   : kind == SL_COUNTS_COUNTERS ? sl_cnt_descs
								: stage_descs;
	unsigned int n = kind == SL_COUNTS_DROPS ? SL_DROP_MAX : SL_CNT_MAX;
	unsigned int first = kind == 0 ? 1 : 0; /* drop reason "none" */
	bool only_nonzero = kind == 0 && !c->all;
	struct sl_stats_snap s;
	uint32_t nl;
	uint64_t *v; /* [n][nl] */
	uint64_t *tot;
	unsigned int shown = 0;

	if (sl_ctl_load_stats(c, &s) < 0)
		return 1;
	free(s.neigh);
	if (kind == SL_COUNTS_STAGES) {
		n = sl_read_u32(&st->n_stages);
		if (n > SL_STATS_STAGES)
			n = SL_STATS_STAGES;
		for (unsigned int k = 0; k < n; k++) {
			memcpy(stage_buf[k], st->stage_names[k], SL_STAGE_NAME_LEN);
			stage_buf[k][SL_STAGE_NAME_LEN - 1] = '\0';
			stage_names[k] = stage_buf[k];
			stage_descs[k] = "packets handed to the stage";
		}
	}
	nl = sl_stat_lcores(c, &s);
	v = sl_xmalloc((size_t)n * (nl ? nl : 1) * sizeof(uint64_t));
	tot = sl_xmalloc(n * sizeof(uint64_t));
	for (unsigned int k = 0; k < n; k++) {
		for (uint32_t l = 0; l < nl; l++) {
			const uint64_t *src = kind == SL_COUNTS_DROPS	   ? st->lcore[l].drop
					      : kind == SL_COUNTS_COUNTERS ? st->lcore[l].cnt
									   : st->lcore[l].stage;

			v[k * nl + l] = sl_read_u64(&src[k]);
			tot[k] += v[k * nl + l];
		}
	}

	if (c->json) {
		json_t *root = json_object(), *a = json_array(), *ids;

		json_object_set_new(root, "dataplane_attached", json_boolean(s.attached));
		json_object_set_new(root, "n_lcores", json_integer(nl));
		ids = json_array();
		for (uint32_t l = 0; l < nl; l++)
			json_array_append_new(ids, json_integer(c->h->lcore[l].lcore_id));
		json_object_set_new(root, "lcore_ids", ids);
		for (unsigned int k = first; k < n; k++) {
			json_t *o, *pl;

			if (only_nonzero && tot[k] == 0)
				continue;
			o = json_object();
			json_object_set_new(o,
					    kind == SL_COUNTS_DROPS	 ? "reason"
					    : kind == SL_COUNTS_COUNTERS ? "counter"
									 : "stage",
					    json_string(names[k]));
			json_object_set_new(o, "total", sl_json_u64(tot[k]));
			json_object_set_new(o, "description", json_string(descs[k]));
			pl = json_array();
			for (uint32_t l = 0; l < nl; l++)
				json_array_append_new(pl, sl_json_u64(v[k * nl + l]));
			json_object_set_new(o, "per_lcore", pl);
			json_array_append_new(a, o);
		}
		json_object_set_new(root,
				    kind == SL_COUNTS_DROPS	 ? "drops"
				    : kind == SL_COUNTS_COUNTERS ? "counters"
								 : "stages",
				    a);
		sl_json_print(root);
		free(v);
		free(tot);
		return 0;
	}

	if (!s.attached)
		sl_no_dp_note(c);

	unsigned int ncols = 2 + (c->per_lcore ? nl : 0) + 1;
	const char **hdr = sl_xmalloc(ncols * sizeof(char *));
	char **lh = sl_xmalloc((nl ? nl : 1) * sizeof(char *));
	struct sl_tab t;

	hdr[0] = kind == SL_COUNTS_DROPS ? "REASON" : kind == SL_COUNTS_COUNTERS ? "COUNTER" : "STAGE";
	hdr[1] = ">TOTAL";
	if (c->per_lcore) {
		for (uint32_t l = 0; l < nl; l++) {
			char b[32];

			snprintf(b, sizeof(b), ">LCORE %u", c->h->lcore[l].lcore_id);
			lh[l] = sl_xstrdup(b);
			hdr[2 + l] = lh[l];
		}
	}
	hdr[ncols - 1] = "DESCRIPTION";
	sl_tab_init(&t, ncols, hdr);
	for (unsigned int k = first; k < n; k++) {
		char **row;

		if (only_nonzero && tot[k] == 0)
			continue;
		shown++;
		/* Rows have a variable column count: build them by hand. */
		row = sl_xmalloc(ncols * sizeof(char *));
		row[0] = sl_xstrdup(names[k]);
		row[1] = sl_xmalloc(24);
		snprintf(row[1], 24, "%" PRIu64, tot[k]);
		for (uint32_t l = 0; c->per_lcore && l < nl; l++) {
			row[2 + l] = sl_xmalloc(24);
			snprintf(row[2 + l], 24, "%" PRIu64, v[k * nl + l]);
		}
		row[ncols - 1] = sl_xstrdup(descs[k]);
		sl_tab_add_row(&t, row);
	}
	if (shown == 0 && only_nonzero)
		printf("no drops counted%s (use --all to list every reason)\n",
		       nl ? "" : " (no data plane lcores)");
	else
		sl_tab_print(&t);
	for (uint32_t l = 0; c->per_lcore && l < nl; l++)
		free(lh[l]);
	free(lh);
	free(hdr);
	free(v);
	free(tot);
	return 0;
}

/* ---------------------------------------------------------------------- */

static int sl_cmd_api(const struct sl_ctl *c, const char *url, const char *keys,
		      const char *key_id, int argc, char **argv)
{
	char id[256], secret[256], err[512];
	struct sl_api_resp resp;
	struct sl_api_req r = {.url = url};
	json_error_t je;
	json_t *j;
	int rc = 0;

	if (argc < 1) {
		sl_err("api: give an action, e.g. 'sluicectl api DescribeVpcs RegionId=cn-hangzhou'");
		return 2;
	}
	if (sl_api_read_key(keys, key_id, id, sizeof(id), secret, sizeof(secret), err,
			    sizeof(err)) < 0) {
		sl_err("api: %s", err);
		return 1;
	}
	r.access_key_id = id;
	r.secret = secret;
	r.action = argv[0];
	r.n_params = argc - 1;
	r.params = argv + 1;
	if (sl_api_call(&r, &resp, err, sizeof(err)) < 0) {
		sl_err("api: %s", err);
		return 1;
	}
	j = json_loads(resp.body, 0, &je);
	if (j == NULL) {
		sl_err("api: HTTP %d with a body that is not JSON: %.200s", resp.status, resp.body);
		free(resp.body);
		return 1;
	}
	if (resp.status != 200) {
		const char *code = json_string_value(json_object_get(j, "Code"));
		const char *msg = json_string_value(json_object_get(j, "Message"));

		sl_err("api: %s: HTTP %d %s: %s", r.action, resp.status, code ? code : "?",
		       msg ? msg : "");
		rc = 1;
	}
	if (rc == 0 || c->json)
		sl_json_print(j);
	json_decref(j);
	free(resp.body);
	return rc;
}

/* ---- policers (issue 7) ------------------------------------------------- */

static const char *sl_pol_kind_name(unsigned int k)
{
	static const char *const n[] = {"-", "ip", "cbwp", "bwp", "ip6"};

	return k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

/* police6: the IPv6 address of each policer index named by the section's
 * ip6[] (NULL where none), from one pass over it; NULL if none at all. */
static const uint8_t **sl_pol_ip6_addrs(const struct sl_pol_sec *sec, uint32_t n)
{
	const struct sl_pol_ip6_ent *ip6;
	const uint8_t **of;

	if (sec->n_ip6 == 0 || sec->ip6_off > sec->size ||
	    sec->n_ip6 > (sec->size - sec->ip6_off) / sizeof(*ip6) || n == 0)
		return NULL;
	of = calloc(n, sizeof(*of));
	if (of == NULL)
		return NULL;
	ip6 = (const struct sl_pol_ip6_ent *)((const uint8_t *)sec + sec->ip6_off);
	for (uint32_t i = 0; i < sec->n_ip6; i++)
		for (unsigned int d = 0; d < SL_POL_DIR_MAX; d++)
			if (ip6[i].pol[d] < n)
				of[ip6[i].pol[d]] = ip6[i].addr;
	return of;
}

/**
 * The policers of the active tables (police section) with the counters
 * sluice-dp exported for them: an export entry counts only if it carries
 * the same tag (the data plane applied this very policer at that index).
 */
static int sl_cmd_policers(struct sl_ctl *c)
{
	const struct sl_stats_header *st = sl_shm_stats(c->h);
	const struct sl_pol_sec *sec = NULL;
	const struct sl_pol_ent *pol = NULL;
	const uint8_t **addr6 = NULL; /* police6 */
	struct sl_stats_snap snap;
	uint32_t n = 0, n_exp = 0;
	json_t *root = NULL, *arr = NULL;
	struct sl_tab t;
	static const char *hdr[] = {">IDX", "KIND", "ID", "ADDRESS", "DIR", ">MBPS",
				    ">BURST", "PARENT", ">PASS_PKTS", ">PASS_BYTES",
				    ">DROP_PKTS", ">DROP_BYTES", "STATE"};

	if (sl_need_tables(c))
		return 0;
	if (sl_ctl_load_stats(c, &snap) < 0)
		return 1;
	free(snap.neigh);
	if (c->bank != NULL && c->bh->police_off != 0) {
		sec = sl_span(c, c->bh->police_off, 1, sizeof(*sec));
		if (sec == NULL || sl_span(c, c->bh->police_off, 1, c->bh->police_size) == NULL ||
		    sec->size != c->bh->police_size ||
		    sec->pol_off > sec->size ||
		    sec->n_pols > (sec->size - sec->pol_off) / sizeof(*pol))
			return sl_bank_corrupt(c, "police section");
		pol = (const struct sl_pol_ent *)((const uint8_t *)sec + sec->pol_off);
		n = sec->n_pols;
		addr6 = sl_pol_ip6_addrs(sec, n);
	}
	if (snap.attached) {
		n_exp = sl_read_u64((const uint64_t *)&st->n_pol_export) & UINT32_MAX;
		n_exp = n_exp > SL_MAX_POL_EXPORT ? SL_MAX_POL_EXPORT : n_exp;
	}
	if (c->json) {
		root = json_object();
		arr = json_array();
		json_object_set_new(root, "generation", sl_json_u64(c->gen));
		json_object_set_new(root, "dataplane_attached", json_boolean(snap.attached));
	} else {
		sl_tab_init(&t, 13, hdr);
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct sl_pol_ent *e = &pol[i];
		struct sl_pol_export x = {0};
		bool applied;
		char id[SL_ID_LEN + 1], addr[INET6_ADDRSTRLEN] = "-";
		const char *state;

		if (e->rate == 0)
			continue; /* hole */
		if (i < n_exp) {
			const uint64_t *w = (const uint64_t *)&st->pol[i];

			x.tag = sl_read_u64(&w[0]);
			x.rate = sl_read_u64(&w[1]);
			x.conform_pkts = sl_read_u64(&w[2]);
			x.conform_bytes = sl_read_u64(&w[3]);
			x.exceed_pkts = sl_read_u64(&w[4]);
			x.exceed_bytes = sl_read_u64(&w[5]);
		}
		applied = x.tag == e->tag && x.rate == e->rate;
		/* unenforced: beyond the data plane's table ("policers"); unknown:
		 * beyond the export, whose counters no one sees */
		state = !snap.attached		     ? "no-dataplane"
			: applied		     ? "applied"
			: i >= SL_MAX_POL_EXPORT     ? "unknown"
			: i >= n_exp		     ? "unenforced"
						     : "pending";
		if (e->kind == SL_POL_KIND_IP) {
			uint32_t a = htonl(e->addr);

			inet_ntop(AF_INET, &a, addr, sizeof(addr));
		} else if (e->kind == SL_POL_KIND_IP6 && addr6 && addr6[i]) {
			inet_ntop(AF_INET6, addr6[i], addr, sizeof(addr));
		}
		sl_fmt_id(id, e->id);
		if (c->json) {
			json_t *o = json_object();

			json_object_set_new(o, "index", json_integer(i));
			json_object_set_new(o, "kind", json_string(sl_pol_kind_name(e->kind)));
			json_object_set_new(o, "id", json_string(id));
			json_object_set_new(o, "address",
					    strcmp(addr, "-") ? json_string(addr) : json_null());
			json_object_set_new(o, "direction",
					    json_string(e->dir == SL_POL_DIR_IN ? "in" : "out"));
			json_object_set_new(o, "mbps", json_integer(e->mbps));
			json_object_set_new(o, "rate_bytes_per_s", sl_json_u64(e->rate));
			json_object_set_new(o, "burst_bytes", json_integer(e->burst));
			json_object_set_new(o, "parent", e->parent == SL_POL_IDX_NONE
							     ? json_null()
							     : json_integer(e->parent));
			json_object_set_new(o, "state", json_string(state));
			json_object_set_new(o, "conform_packets", sl_json_u64(applied ? x.conform_pkts : 0));
			json_object_set_new(o, "conform_bytes", sl_json_u64(applied ? x.conform_bytes : 0));
			json_object_set_new(o, "exceed_packets", sl_json_u64(applied ? x.exceed_pkts : 0));
			json_object_set_new(o, "exceed_bytes", sl_json_u64(applied ? x.exceed_bytes : 0));
			json_array_append_new(arr, o);
		} else {
			char ix[16], mb[16], bu[16], pa[16] = "-", cp[24] = "-", cb[24] = "-",
									 xp[24] = "-", xb[24] = "-";

			snprintf(ix, sizeof(ix), "%u", i);
			snprintf(mb, sizeof(mb), "%u", e->mbps);
			snprintf(bu, sizeof(bu), "%u", e->burst);
			if (e->parent != SL_POL_IDX_NONE)
				snprintf(pa, sizeof(pa), "%u", e->parent);
			if (applied) {
				snprintf(cp, sizeof(cp), "%" PRIu64, x.conform_pkts);
				snprintf(cb, sizeof(cb), "%" PRIu64, x.conform_bytes);
				snprintf(xp, sizeof(xp), "%" PRIu64, x.exceed_pkts);
				snprintf(xb, sizeof(xb), "%" PRIu64, x.exceed_bytes);
			}
			sl_tab_add(&t, ix, sl_pol_kind_name(e->kind), id, addr,
				   e->dir == SL_POL_DIR_IN ? "in" : "out", mb, bu, pa, cp, cb, xp, xb,
				   state);
		}
	}
	free(addr6);
	if (c->json) {
		json_object_set_new(root, "policers", arr);
		sl_json_print(root);
		return 0;
	}
	sl_tab_print(&t);
	printf("(generation %" PRIu64 "; PASS = conforming, DROP = exceeding, counted by the "
	       "data plane since it applied the policer)\n",
	       c->gen);
	if (!snap.attached)
		sl_no_dp_note(c);
	return 0;
}

/* Where sluice-dp's telemetry is when neither --telemetry nor --file-prefix
 * says: the data plane's pid from the segment. 0 or -1 (printed). */
static int sl_tel_target_of(struct sl_ctl *c, struct sl_tel_target *t)
{
	if (t->socket || t->file_prefix)
		return 0;
	if (sl_ctl_open(c) < 0)
		return -1;
	t->dp_pid = atomic_load(&c->h->dp_pid);
	if (t->dp_pid <= 0) {
		sl_err("no sluice-dp is attached to %s", c->path);
		return -1;
	}
	return 0;
}

static void sl_usage(FILE *f)
{
	fprintf(f, "usage: sluicectl [OPTIONS] COMMAND [ARGS]\n"
		   "\n"
		   "Read a running sluice gateway's shared-memory segment (read-only)\n"
		   "and print its tables and counters.\n"
		   "\n"
		   "Commands:\n"
		   "  status              ABI, table generation, sluiced and sluice-dp\n"
		   "                      pids (alive?), lcore slots and their acks\n"
		   "  vpcs                VPCs in the active tables: id, VLAN, route table\n"
		   "  routes VPC_ID       a VPC's route table (VPC id or route table id)\n"
		   "  routes --internet   the Internet table\n"
		   "                      (prefix, origin, next hop type, via, src, port,\n"
		   "                      VLAN, MTU, next-hop index, owner object;\n"
		   "                      --intervals also prints the compiled intervals)\n"
		   "  lookup ADDR [VPC_ID] the route a packet to ADDR takes: in the Internet\n"
		   "                      table (its FIB, read live), or in a VPC's table\n"
		   "  nexthops            every next hop of the active tables\n"
		   "  neighbours          the data plane's ARP/ND neighbour snapshot\n"
		   "  havips              the HaVip holders the data plane learned\n"
		   "  ip6gw               the IPv6 gateway: egress-only flows held (and the\n"
		   "                      table's capacity), ip6gw_* drops and counters\n"
		   "  ports               the data plane's port counters, then per queue\n"
		   "                      (rx/tx packets and bytes, tx full, no mbuf)\n"
		   "  tables [VPC_ID|internet]  packets and bytes routed by each route\n"
		   "                      table (the Internet's and every VPC's; per\n"
		   "                      lcore with --per-lcore)\n"
		   "  drops [--all]       drop reasons summed over lcores with\n"
		   "                      descriptions; non-zero only unless --all\n"
		   "  counters            every counter, total (and per lcore with\n"
		   "                      --per-lcore)\n"
		   "  stages              packets handed to each pipeline stage, total (and\n"
		   "                      per lcore with --per-lcore)\n"
		   "  policers            bandwidth policers: public IP or package,\n"
		   "                      direction, rate, burst, parent (package) and\n"
		   "                      the data plane's conforming/exceeding counters\n"
		   "  trace N             the path of the next N packets (1-255) sluice-dp\n"
		   "                      receives, stage by stage, with the decisions\n"
		   "                      taken (route, next hop, MAC, drop reason); waits\n"
		   "                      for them up to --wait seconds. Talks to\n"
		   "                      sluice-dp's DPDK telemetry socket (found by the\n"
		   "                      pid in the segment, or --file-prefix/--telemetry)\n"
		   "  sessions [ADDR]     NAT sessions with ADDR as inside, public or remote\n"
		   "                      address (--port P: and P as one of their ports;\n"
		   "                      --limit N, default 1000), from sluice-dp's telemetry\n"
		   "  nat                 the NAT session table: usage, per gateway sessions\n"
		   "                      and drops by reason, per public IP ports in use\n"
		   "  xdp                 counters of sluiced's XDP programs per interface\n"
		   "                      (from sluiced's /metrics at --api; no segment)\n"
		   "  api ACTION [Key=Value...]\n"
		   "                      one call of sluiced's cloud API (RPC, signature\n"
		   "                      1.0): prints the JSON answer; exit 1 with the\n"
		   "                      error code on an API error. Needs no segment.\n"
		   "\n"
		   "Options:\n"
		   "  -s, --segment PATH  segment file (default $SLUICE_SEGMENT, else\n"
		   "                      " SL_CTL_DEFAULT_SEGMENT ")\n"
		   "  -j, --json          print JSON (stable keys) instead of a table\n"
		   "  -a, --all           drops: include reasons that are zero\n"
		   "  -l, --per-lcore     drops, counters, stages, tables: one column per\n"
		   "                      lcore\n"
		   "  -i, --internet      routes: the Internet table\n"
		   "      --intervals     routes: also print the compiled intervals\n"
		   "      --api URL       api, xdp: sluiced's API (default $SLUICE_API, else\n"
		   "                      " SL_CTL_DEFAULT_API ")\n"
		   "      --access-keys FILE  api: the key file (default $SLUICE_ACCESS_KEYS,\n"
		   "                      else " SL_CTL_DEFAULT_KEYS ")\n"
		   "      --access-key-id ID  api: which key of the file (default the first)\n"
		   "  -w, --wait SEC      trace: how long to wait for the packets (default 10)\n"
		   "      --file-prefix P trace: sluice-dp's EAL --file-prefix\n"
		   "      --telemetry PATH  trace: sluice-dp's telemetry socket\n"
		   "  -h, --help          this text\n"
		   "  -V, --version       print the version and the ABI version\n"
		   "\n"
		   "Exit status: 0 ok, 1 error (segment missing or invalid, unknown\n"
		   "VPC), 2 usage error.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"segment", required_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},
	    {"all", no_argument, NULL, 'a'},
	    {"per-lcore", no_argument, NULL, 'l'},
	    {"internet", no_argument, NULL, 'i'},
	    {"intervals", no_argument, NULL, 'I'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"api", required_argument, NULL, 'A'},
	    {"access-keys", required_argument, NULL, 'K'},
	    {"access-key-id", required_argument, NULL, 'k'},
	    {"wait", required_argument, NULL, 'w'},
	    {"file-prefix", required_argument, NULL, 'F'},
	    {"telemetry", required_argument, NULL, 'T'},
	    {"port", required_argument, NULL, 'P'},
	    {"limit", required_argument, NULL, 'M'},
	    {NULL, 0, NULL, 0},
	};
	struct sl_ctl c = {.fd = -1};
	const char *cmd, *arg = NULL, *arg2 = NULL;
	const char *api_url = getenv("SLUICE_API"), *keys = getenv("SLUICE_ACCESS_KEYS");
	const char *key_id = NULL;
	struct sl_trace_cli tr = {.wait_s = 10};
	unsigned long nat_port = 0, nat_limit = 1000;
	int opt, rc;

	c.path = getenv("SLUICE_SEGMENT");
	if (c.path == NULL || c.path[0] == '\0')
		c.path = SL_CTL_DEFAULT_SEGMENT;
	while ((opt = getopt_long(argc, argv, "s:jalihVw:", opts, NULL)) != -1) {
		switch (opt) {
		case 'A':
			api_url = optarg;
			break;
		case 'K':
			keys = optarg;
			break;
		case 'k':
			key_id = optarg;
			break;
		case 'w': {
			char *end;

			tr.wait_s = strtod(optarg, &end);
			if (*end || end == optarg || !(tr.wait_s >= 0 && tr.wait_s <= 3600)) {
				sl_err("--wait '%s': seconds, 0 to 3600", optarg);
				return 2;
			}
			break;
		}
		case 'F':
			tr.tel.file_prefix = optarg;
			break;
		case 'T':
			tr.tel.socket = optarg;
			break;
		case 'P':
		case 'M': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || end == optarg || optarg[0] == '-' ||
			    v > (opt == 'P' ? 65535ul : 1000000ul) || (opt == 'M' && v == 0)) {
				sl_err("--%s '%s': %s", opt == 'P' ? "port" : "limit", optarg,
				       opt == 'P' ? "a port, 0 to 65535" : "1 to 1000000");
				return 2;
			}
			if (opt == 'P')
				nat_port = v;
			else
				nat_limit = v;
			break;
		}
		case 's':
			c.path = optarg;
			break;
		case 'j':
			c.json = true;
			break;
		case 'a':
			c.all = true;
			break;
		case 'l':
			c.per_lcore = true;
			break;
		case 'i':
			c.internet = true;
			break;
		case 'I':
			c.intervals = true;
			break;
		case 'h':
			sl_usage(stdout);
			return 0;
		case 'V':
			printf("sluicectl %s (shared-memory ABI %u)\n", SL_VERSION,
			       SL_SHM_ABI_VERSION);
			return 0;
		default:
			sl_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		sl_usage(stderr);
		return 2;
	}
	cmd = argv[optind++];
	if (strcmp(cmd, "api") == 0)
		return sl_cmd_api(&c, api_url ? api_url : SL_CTL_DEFAULT_API,
				  keys ? keys : SL_CTL_DEFAULT_KEYS, key_id, argc - optind,
				  argv + optind);
	if (strcmp(cmd, "xdp") == 0) {
		if (optind < argc) {
			sl_err("xdp takes no argument (see --help)");
			return 2;
		}
		return sl_cli_xdp(api_url ? api_url : SL_CTL_DEFAULT_API, c.json);
	}
	if (optind < argc)
		arg = argv[optind++];
	if (optind < argc && strcmp(cmd, "lookup") == 0)
		arg2 = argv[optind++];
	if (optind < argc) {
		sl_err("unexpected argument '%s' (see --help)", argv[optind]);
		return 2;
	}
	if (strcmp(cmd, "help") == 0) {
		sl_usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "sessions") == 0 || strcmp(cmd, "nat") == 0) {
		if (strcmp(cmd, "nat") == 0 && arg != NULL) {
			sl_err("nat takes no argument (see --help)");
			return 2;
		}
		if (sl_tel_target_of(&c, &tr.tel) < 0)
			return 1;
		if (strcmp(cmd, "nat") == 0)
			return sl_cli_nat(&tr.tel, c.json);
		return sl_cli_sessions(&tr.tel, arg, (unsigned int)nat_port, (unsigned int)nat_limit,
				       c.json);
	}
	if (strcmp(cmd, "trace") == 0) {
		char *end = NULL;
		unsigned long n = arg ? strtoul(arg, &end, 10) : 0;

		if (arg == NULL || *end || n < 1 || n > 255 || arg[0] == '-') {
			sl_err("trace: give the number of packets, 1 to 255");
			return 2;
		}
		tr.n = (unsigned int)n;
		tr.json = c.json;
		if (sl_tel_target_of(&c, &tr.tel) < 0)
			return 1;
		return sl_cli_trace(&tr);
	}

	static const char *const known[] = {
	    "status", "vpcs",	  "routes",   "lookup", "nexthops", "neighbours", "neighbors",
	    "ports",  "drops",	  "counters", "havips", "policers", "stages",	  "tables",
	    "ip6gw"};
	bool ok = false;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ok |= strcmp(cmd, known[i]) == 0;
	if (!ok) {
		sl_err("unknown command '%s' (see --help)", cmd);
		return 2;
	}
	if (strcmp(cmd, "lookup") == 0 && arg == NULL) {
		sl_err("lookup: give an address (and a VPC id for a VPC's table)");
		return 2;
	}
	if (arg != NULL && strcmp(cmd, "routes") != 0 && strcmp(cmd, "lookup") != 0 &&
	    strcmp(cmd, "tables") != 0) {
		sl_err("%s takes no argument (see --help)", cmd);
		return 2;
	}
	if (strcmp(cmd, "routes") == 0 && arg != NULL && c.internet) {
		sl_err("routes: give either a VPC id or --internet");
		return 2;
	}

	if (sl_ctl_open(&c) < 0 || sl_ctl_load_bank(&c) < 0)
		return 1;

	if (strcmp(cmd, "status") == 0)
		rc = sl_cmd_status(&c);
	else if (strcmp(cmd, "vpcs") == 0)
		rc = sl_cmd_vpcs(&c);
	else if (strcmp(cmd, "routes") == 0)
		rc = sl_cmd_routes(&c, arg);
	else if (strcmp(cmd, "lookup") == 0)
		rc = sl_cmd_lookup(&c, arg, arg2);
	else if (strcmp(cmd, "nexthops") == 0)
		rc = sl_cmd_nexthops(&c);
	else if (strcmp(cmd, "neighbours") == 0 || strcmp(cmd, "neighbors") == 0)
		rc = sl_cmd_neighbours(&c);
	else if (strcmp(cmd, "ports") == 0)
		rc = sl_cmd_ports(&c);
	else if (strcmp(cmd, "havips") == 0)
		rc = sl_cmd_havips(&c);
	else if (strcmp(cmd, "ip6gw") == 0)
		rc = sl_cmd_ip6gw(&c);
	else if (strcmp(cmd, "drops") == 0)
		rc = sl_cmd_counts(&c, SL_COUNTS_DROPS);
	else if (strcmp(cmd, "policers") == 0)
		rc = sl_cmd_policers(&c);
	else if (strcmp(cmd, "stages") == 0)
		rc = sl_cmd_counts(&c, SL_COUNTS_STAGES);
	else if (strcmp(cmd, "tables") == 0)
		rc = sl_cmd_tables(&c, arg);
	else
		rc = sl_cmd_counts(&c, SL_COUNTS_COUNTERS);

	free(c.bank);
	if (fflush(stdout) != 0) {
		sl_err("write error: %s", strerror(errno));
		return 1;
	}
	return rc;
}
