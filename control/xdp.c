/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * XDP loader (sl_xdp.h, docs/xdp.md).
 *
 * One struct sl_xdp per interface: the libbpf object, the map fds and the
 * attachment. The owned trie is synced by difference (add what is missing,
 * delete what is no longer owned) so a packet never sees a transiently empty
 * trie; each single-element update is atomic for the program.
 */
#include "sl_xdp.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sl_ctl.h"
#include "sl_ctl_log.h"
#include "sl_store.h"

const char *const sl_xdp_cnt_names[SL_XDP_CNT_MAX] = {
#define SL_XDP_CNT_NAME(sym, name, drop, desc) [SL_XDP_CNT_##sym] = name,
    SL_XDP_FOREACH_CNT(SL_XDP_CNT_NAME)
#undef SL_XDP_CNT_NAME
};

struct sl_xdp {
	struct bpf_object *obj;
	int prog_fd;
	int owned_fd, host_fd, stats_fd;
	int ifindex; /**< 0 if not attached */
	char ifname[IF_NAMESIZE];
	uint32_t attach_flags;
	uint64_t generation; /**< of the last owned sync, 0 before any */
	uint64_t warned;     /**< generation whose failed sync was logged */
	bool adopted;	     /**< attached by someone else (the af_xdp PMD):
			      * not ours to detach; obj is NULL, fds are ours */
	int cfg_fd;
	/* adopt mode: the program attached now (0: none, waiting), the role
	 * to give it, when to look again, which failure was logged */
	uint32_t prog_id;
	enum sl_xdp_role role;
	uint64_t next_check_ms;
	uint32_t failed_id;
	uint64_t next_host_ms; /**< when to compare the host trie again */
};

static void sl_xdp_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void sl_xdp_key(struct sl_xdp_lpm_key *k, const struct sl_pfx *p)
{
	uint8_t b[16];

	memset(k, 0, sizeof(*k));
	sl_addr_to_bytes(p->family, p->addr, b);
	if (p->family == SL_AF_INET6) {
		memcpy(k->addr, b, 16);
		k->prefixlen = p->len;
	} else {
		k->addr[10] = 0xff;
		k->addr[11] = 0xff;
		memcpy(&k->addr[12], b, 4);
		k->prefixlen = SL_XDP_V4MAPPED_LEN + p->len;
	}
}

/* the maps sl_xdp_abi.h declares; max_entries 0: any */
static const struct sl_xdp_map_abi {
	const char *name;
	unsigned int key, value, max_entries;
} sl_xdp_maps[] = {
    {SL_XDP_MAP_XSKS, 4, 4, 0},
    {SL_XDP_MAP_CFG, 4, sizeof(struct sl_xdp_cfg), 1},
    {SL_XDP_MAP_OWNED, sizeof(struct sl_xdp_lpm_key), sizeof(struct sl_xdp_owned_val), 0},
    {SL_XDP_MAP_HOST, sizeof(struct sl_xdp_lpm_key), sizeof(struct sl_xdp_host_val), 0},
    {SL_XDP_MAP_STATS, 4, sizeof(uint64_t), SL_XDP_CNT_MAX},
};
#define SL_XDP_N_MAPS (sizeof(sl_xdp_maps) / sizeof(sl_xdp_maps[0]))

static int sl_xdp_check_map(const struct sl_xdp_map_abi *w, unsigned int key, unsigned int value,
			    unsigned int max_entries, char *err, size_t errlen)
{
	if (key == w->key && value == w->value &&
	    (!w->max_entries || max_entries == w->max_entries))
		return 0;
	sl_xdp_err(err, errlen, "map %s: key %u value %u entries %u, sl_xdp_abi.h says %u %u %u",
		   w->name, key, value, max_entries, w->key, w->value, w->max_entries);
	return -1;
}

int sl_xdp_check_object(struct bpf_object *obj, char *err, size_t errlen)
{
	for (size_t i = 0; i < SL_XDP_N_MAPS; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, sl_xdp_maps[i].name);

		if (m == NULL) {
			sl_xdp_err(err, errlen, "map %s missing", sl_xdp_maps[i].name);
			return -1;
		}
		if (sl_xdp_check_map(&sl_xdp_maps[i], bpf_map__key_size(m), bpf_map__value_size(m),
				     bpf_map__max_entries(m), err, errlen) < 0)
			return -1;
	}
	if (bpf_object__find_program_by_name(obj, SL_XDP_PROG_NAME) == NULL) {
		sl_xdp_err(err, errlen, "program %s missing", SL_XDP_PROG_NAME);
		return -1;
	}
	return 0;
}

/* the build tree's object: <build>/control/sluiced -> <build>/bpf/ */
static const char *sl_xdp_default_path(char *buf, size_t size)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, size, "%s/../bpf/sl_xdp.bpf.o", exe);
			if (access(buf, R_OK) == 0)
				return buf;
		}
	}
	return SL_XDP_OBJ_INSTALLED;
}

static int sl_xdp_map_fd(struct bpf_object *obj, const char *name)
{
	return bpf_map__fd(bpf_object__find_map_by_name(obj, name));
}

struct sl_xdp *sl_xdp_open(const char *path, enum sl_xdp_role role, char *err, size_t errlen)
{
	char buf[4200];
	struct sl_xdp *x = calloc(1, sizeof(*x));
	struct sl_xdp_cfg cfg = {.role = role};
	uint32_t zero = 0;
	int rc;

	if (x == NULL) {
		sl_xdp_err(err, errlen, "out of memory");
		return NULL;
	}
	if (path == NULL)
		path = sl_xdp_default_path(buf, sizeof(buf));
	x->obj = bpf_object__open_file(path, NULL);
	if (x->obj == NULL) {
		sl_xdp_err(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (sl_xdp_check_object(x->obj, err, errlen) < 0)
		goto fail;
	rc = bpf_object__load(x->obj);
	if (rc < 0) {
		sl_xdp_err(err, errlen, "%s: load: %s", path, strerror(-rc));
		goto fail;
	}
	x->prog_fd = bpf_program__fd(bpf_object__find_program_by_name(x->obj, SL_XDP_PROG_NAME));
	x->owned_fd = sl_xdp_map_fd(x->obj, SL_XDP_MAP_OWNED);
	x->host_fd = sl_xdp_map_fd(x->obj, SL_XDP_MAP_HOST);
	x->stats_fd = sl_xdp_map_fd(x->obj, SL_XDP_MAP_STATS);
	x->cfg_fd = sl_xdp_map_fd(x->obj, SL_XDP_MAP_CFG);
	if (bpf_map_update_elem(x->cfg_fd, &zero, &cfg, BPF_ANY) < 0) {
		sl_xdp_err(err, errlen, "%s: setting the role: %s", path, strerror(errno));
		goto fail;
	}
	return x;
fail:
	bpf_object__close(x->obj);
	free(x);
	return NULL;
}

int sl_xdp_prog_fd(const struct sl_xdp *x)
{
	return x->prog_fd;
}

int sl_xdp_add_owned(struct sl_xdp *x, const struct sl_pfx *p, enum sl_xdp_owner owner)
{
	struct sl_xdp_lpm_key k;
	struct sl_xdp_owned_val v = {.owner = owner};

	sl_xdp_key(&k, p);
	return bpf_map_update_elem(x->owned_fd, &k, &v, BPF_ANY) < 0 ? -errno : 0;
}

int sl_xdp_add_host(struct sl_xdp *x, const struct sl_pfx *p)
{
	struct sl_xdp_lpm_key k;
	struct sl_xdp_host_val v = {0};

	sl_xdp_key(&k, p);
	return bpf_map_update_elem(x->host_fd, &k, &v, BPF_ANY) < 0 ? -errno : 0;
}

static int sl_xdp_key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct sl_xdp_lpm_key));
}

/* The interface's own addresses, full length (the host's traffic), as
 * sorted keys of the host trie. Returns how many (at most max), or -errno. */
static int sl_xdp_host_keys(const struct sl_xdp *x, struct sl_xdp_lpm_key *keys, int max)
{
	struct ifaddrs *ifa, *i;
	int n = 0;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i && n < max; i = i->ifa_next) {
		struct sl_pfx p = {0};

		if (i->ifa_addr == NULL || strcmp(i->ifa_name, x->ifname) != 0)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			p.family = SL_AF_INET;
			p.len = 32;
			p.addr = ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			const uint8_t *b = ((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr.s6_addr;

			p.family = SL_AF_INET6;
			p.len = 128;
			for (int j = 0; j < 16; j++)
				p.addr = (p.addr << 8) | b[j];
		} else {
			continue;
		}
		sl_xdp_key(&keys[n++], &p);
	}
	freeifaddrs(ifa);
	qsort(keys, (size_t)n, sizeof(keys[0]), sl_xdp_key_cmp);
	return n;
}

/*
 * Make the host trie hold exactly the interface's addresses: added and
 * removed ones follow (checked once a second from sl_xdp_poll, and at
 * attach or adoption). Returns how many the trie holds, or -errno.
 */
static int sl_xdp_fill_host(struct sl_xdp *x)
{
	static struct sl_xdp_lpm_key want[SL_XDP_HOST_MAX], have[SL_XDP_HOST_MAX];
	struct sl_xdp_lpm_key k, next;
	struct sl_xdp_host_val v = {0};
	int n_want, n_have = 0, n = 0, added = 0, removed = 0;
	void *prev = NULL;

	n_want = sl_xdp_host_keys(x, want, SL_XDP_HOST_MAX);
	if (n_want < 0)
		return n_want;
	while (n_have < SL_XDP_HOST_MAX && bpf_map_get_next_key(x->host_fd, prev, &next) == 0) {
		have[n_have++] = next;
		k = next;
		prev = &k;
	}
	qsort(have, (size_t)n_have, sizeof(have[0]), sl_xdp_key_cmp);
	for (int i = 0; i < n_have; i++)
		if (!bsearch(&have[i], want, (size_t)n_want, sizeof(want[0]), sl_xdp_key_cmp) &&
		    bpf_map_delete_elem(x->host_fd, &have[i]) == 0)
			removed++;
	for (int i = 0; i < n_want; i++) {
		bool had = bsearch(&want[i], have, (size_t)n_have, sizeof(have[0]), sl_xdp_key_cmp);

		if (had || bpf_map_update_elem(x->host_fd, &want[i], &v, BPF_ANY) == 0)
			n++;
		added += !had;
	}
	if ((added || removed) && n_have > 0)
		SL_INFO("xdp: %s: host addresses changed: %d added, %d removed, %d now", x->ifname,
			added, removed, n);
	return n;
}

int sl_xdp_attach(struct sl_xdp *x, const char *ifname, bool generic, char *err, size_t errlen)
{
	int ifindex = (int)if_nametoindex(ifname);
	uint32_t flags =
	    XDP_FLAGS_UPDATE_IF_NOEXIST | (generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE);
	int rc, n;

	if (ifindex == 0) {
		sl_xdp_err(err, errlen, "%s: %s", ifname, strerror(errno));
		return -1;
	}
	snprintf(x->ifname, sizeof(x->ifname), "%s", ifname);
	n = sl_xdp_fill_host(x);
	if (n < 0) {
		sl_xdp_err(err, errlen, "%s: addresses: %s", ifname, strerror(-n));
		return -1;
	}
	rc = bpf_xdp_attach(ifindex, x->prog_fd, flags, NULL);
	if (rc < 0) {
		sl_xdp_err(err, errlen, "%s: attach (%s mode): %s", ifname,
			   generic ? "generic" : "native", strerror(-rc));
		return -1;
	}
	x->ifindex = ifindex;
	x->attach_flags = flags;
	SL_INFO("xdp: %s attached to %s (%s mode), %d host addresses", SL_XDP_PROG_NAME, ifname,
		generic ? "generic" : "native", n);
	return 0;
}


struct sl_xdp_want {
	struct sl_xdp_lpm_key *k;
	uint32_t *owner;
	unsigned int n, cap;
};

static int sl_xdp_want_add(struct sl_xdp_want *w, const struct sl_pfx *p, enum sl_xdp_owner o)
{
	if (p->family == 0)
		return 0; /* invalid object: validation reported it */
	if (w->n == w->cap) {
		unsigned int cap = w->cap ? w->cap * 2 : 64;
		void *k = realloc(w->k, cap * sizeof(*w->k));
		void *ow;

		if (k == NULL)
			return -ENOMEM;
		w->k = k;
		ow = realloc(w->owner, cap * sizeof(*w->owner));
		if (ow == NULL)
			return -ENOMEM;
		w->owner = ow;
		w->cap = cap;
	}
	sl_xdp_key(&w->k[w->n], p);
	w->owner[w->n++] = o;
	return 0;
}

static int sl_xdp_want_store(struct sl_xdp_want *w, const struct sl_store *s)
{
	int rc = 0;

	if (s->gateway) {
		for (unsigned int i = 0; i < s->gateway->n_addrs && rc == 0; i++) {
			struct sl_pfx a = s->gateway->addrs[i];

			a.len =
			    a.family == SL_AF_INET6 ? 128 : 32; /* the address, not its subnet */
			rc = sl_xdp_want_add(w, &a, SL_XDP_OWN_OUTSIDE);
		}
	}
	for (unsigned int i = 0; i < s->eip_v.n && rc == 0; i++)
		rc = sl_xdp_want_add(w, &((struct sl_eip_obj *)s->eip_v.v[i])->ip, SL_XDP_OWN_EIP);
	for (unsigned int i = 0; i < s->bwp_v.n && rc == 0; i++) {
		const struct sl_bwp_obj *b = s->bwp_v.v[i];

		for (unsigned int j = 0; j < b->n_ips && j < SL_BWP_IPS_MAX && rc == 0; j++)
			rc = sl_xdp_want_add(w, &b->ips[j].ip, SL_XDP_OWN_NAT);
	}
	for (unsigned int i = 0; i < s->vpc_v.n && rc == 0; i++) {
		const struct sl_vpc_obj *v = s->vpc_v.v[i];
		struct sl_pfx n = sl_pfx_network(&v->cidr6);

		rc = sl_xdp_want_add(w, &n, SL_XDP_OWN_VPC6);
	}
	return rc;
}

int sl_xdp_sync_owned(struct sl_xdp *x, const struct sl_store *s)
{
	struct sl_xdp_want w = {0};
	struct sl_xdp_lpm_key cur, next, *stale = NULL;
	unsigned int n_stale = 0, cap_stale = 0;
	int rc, err;

	rc = sl_xdp_want_store(&w, s);
	if (rc < 0)
		goto out;
	/* add or update what the store owns */
	for (unsigned int i = 0; i < w.n; i++) {
		struct sl_xdp_owned_val v = {.owner = w.owner[i]};

		if (bpf_map_update_elem(x->owned_fd, &w.k[i], &v, BPF_ANY) < 0) {
			rc = -errno;
			goto out;
		}
	}
	/* then delete what it no longer owns (collected first: deleting
	 * while iterating an LPM trie restarts the walk) */
	qsort(w.k, w.n, sizeof(*w.k), sl_xdp_key_cmp);
	for (err = bpf_map_get_next_key(x->owned_fd, NULL, &next); err == 0;
	     err = bpf_map_get_next_key(x->owned_fd, &cur, &next)) {
		cur = next;
		if (bsearch(&cur, w.k, w.n, sizeof(*w.k), sl_xdp_key_cmp))
			continue;
		if (n_stale == cap_stale) {
			void *p = realloc(stale, (cap_stale = cap_stale ? cap_stale * 2 : 16) *
						     sizeof(*stale));

			if (p == NULL) {
				rc = -ENOMEM;
				goto out;
			}
			stale = p;
		}
		stale[n_stale++] = cur;
	}
	for (unsigned int i = 0; i < n_stale; i++)
		bpf_map_delete_elem(x->owned_fd, &stale[i]);
	rc = (int)w.n;
out:
	free(stale);
	free(w.k);
	free(w.owner);
	return rc;
}

/* the owned trie from the store when the generation moved */
static int sl_xdp_sync_generation(struct sl_xdp *x, const struct sl_ctl *ctl)
{
	uint64_t gen = sl_ctl_generation(ctl);
	int rc;

	if (x->owned_fd < 0 || gen == x->generation || sl_ctl_store(ctl) == NULL)
		return 0;
	rc = sl_xdp_sync_owned(x, sl_ctl_store(ctl));
	if (rc < 0) {
		if (x->warned != gen) /* once per generation: retried every turn */
			SL_WARN("xdp: %s: syncing owned prefixes: %s (retrying)", x->ifname,
				strerror(-rc));
		x->warned = gen;
		return rc;
	}
	x->generation = gen;
	SL_INFO("xdp: %s: %d owned public prefixes (generation %llu)", x->ifname, rc,
		(unsigned long long)gen);
	return 0;
}

static uint64_t sl_xdp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sl_xdp_readopt(struct sl_xdp *x, const struct sl_ctl *ctl);

void sl_xdp_poll(struct sl_xdp *x, const struct sl_ctl *ctl)
{
	uint64_t now;

	if (x == NULL)
		return;
	/* the interface's addresses may change under us: once a second */
	now = sl_xdp_now_ms();
	if (x->host_fd >= 0 && now >= x->next_host_ms) {
		x->next_host_ms = now + 1000;
		sl_xdp_fill_host(x);
	}
	if (!x->adopted || x->obj != NULL) {
		sl_xdp_sync_generation(x, ctl);
		return;
	}
	sl_xdp_readopt(x, ctl);
	sl_xdp_sync_generation(x, ctl);
}

int sl_xdp_counters(const struct sl_xdp *x, uint64_t out[SL_XDP_CNT_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *v;

	if (ncpu <= 0)
		return ncpu < 0 ? ncpu : -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	for (uint32_t c = 0; c < SL_XDP_CNT_MAX; c++) {
		out[c] = 0;
		if (bpf_map_lookup_elem(x->stats_fd, &c, v) < 0) {
			int rc = -errno;

			free(v);
			return rc;
		}
		for (int i = 0; i < ncpu; i++)
			out[c] += v[i];
	}
	free(v);
	return 0;
}

char *sl_xdp_metrics(struct sl_xdp *const *x, unsigned int n, size_t *len)
{
	size_t cap = 512 + (size_t)n * SL_XDP_CNT_MAX * 96, off = 0;
	char *buf = malloc(cap);

	if (buf == NULL)
		return NULL;
	off += (size_t)snprintf(buf, cap,
				"# HELP sluice_xdp_packets_total frames the XDP program of sl_xdp "
				"counted, by interface and counter (sum over CPUs)\n"
				"# TYPE sluice_xdp_packets_total counter\n");
	for (unsigned int i = 0; i < n; i++) {
		uint64_t c[SL_XDP_CNT_MAX];

		if (x[i] == NULL || x[i]->stats_fd < 0 || sl_xdp_counters(x[i], c) < 0)
			continue;
		for (unsigned int k = 0; k < SL_XDP_CNT_MAX && off < cap; k++)
			off += (size_t)snprintf(buf + off, cap - off,
						"sluice_xdp_packets_total{iface=\"%s\",counter=\"%s\"} "
						"%llu\n",
						x[i]->ifname, sl_xdp_cnt_names[k],
						(unsigned long long)c[k]);
	}
	if (off >= cap) { /* cannot happen with the sizes above */
		free(buf);
		return NULL;
	}
	*len = off;
	return buf;
}

/*
 * The program the af_xdp PMD attached (xdp_prog=): find it by the
 * interface, check it is sl_xdp with the maps of sl_xdp_abi.h, keep fds of
 * its maps. The PMD owns the attachment (it removes the program when the
 * port closes); sluiced owns the cfg, owned and host maps' content.
 */
static int sl_xdp_adopt(struct sl_xdp *x, uint32_t prog_id, char *err, size_t errlen)
{
	struct bpf_prog_info pi = {0};
	uint32_t ids[16], len = sizeof(pi);
	int *fds[SL_XDP_N_MAPS] = {NULL, &x->cfg_fd, &x->owned_fd, &x->host_fd, &x->stats_fd};

	x->prog_fd = bpf_prog_get_fd_by_id(prog_id);
	pi.nr_map_ids = 16;
	pi.map_ids = (uint64_t)(uintptr_t)ids;
	if (x->prog_fd < 0 || bpf_obj_get_info_by_fd(x->prog_fd, &pi, &len) < 0) {
		sl_xdp_err(err, errlen, "%s: program %u: %s", x->ifname, prog_id, strerror(errno));
		return -1;
	}
	if (strcmp(pi.name, SL_XDP_PROG_NAME) != 0) {
		sl_xdp_err(err, errlen, "%s: the attached program is %s, not %s", x->ifname,
			   pi.name, SL_XDP_PROG_NAME);
		return -1;
	}
	for (uint32_t i = 0; i < pi.nr_map_ids && i < 16; i++) {
		struct bpf_map_info mi = {0};
		uint32_t mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &mi, &mlen) < 0) {
			sl_xdp_err(err, errlen, "%s: map %u: %s", x->ifname, ids[i],
				   strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		for (size_t j = 1; j < SL_XDP_N_MAPS; j++) {
			if (strcmp(mi.name, sl_xdp_maps[j].name) != 0 || *fds[j] >= 0)
				continue;
			if (sl_xdp_check_map(&sl_xdp_maps[j], mi.key_size, mi.value_size,
					     mi.max_entries, err, errlen) < 0) {
				close(fd);
				return -1;
			}
			*fds[j] = fd;
			fd = -1;
		}
		if (fd >= 0)
			close(fd);
	}
	for (size_t j = 1; j < SL_XDP_N_MAPS; j++) {
		if (*fds[j] < 0) {
			sl_xdp_err(err, errlen, "%s: program %u has no map %s", x->ifname, prog_id,
				   sl_xdp_maps[j].name);
			return -1;
		}
	}
	return 0;
}

/* adopt mode: forget the fds of a program that is gone */
static void sl_xdp_release(struct sl_xdp *x)
{
	int *fds[] = {&x->cfg_fd, &x->owned_fd, &x->host_fd, &x->stats_fd, &x->prog_fd};

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	x->prog_id = 0;
	x->generation = 0;
}


/*
 * Adopt mode, at most once a second: if the program on the interface
 * changed (sluice-dp started, restarted or stopped), let go of the old one
 * and configure the new one: host addresses, owned prefixes, then the role
 * (until then it passes everything to the kernel). A failure is logged once
 * per program and retried.
 */
static void sl_xdp_readopt(struct sl_xdp *x, const struct sl_ctl *ctl)
{
	struct sl_xdp_cfg cfg = {.role = x->role};
	uint64_t now = sl_xdp_now_ms();
	uint32_t id = 0, zero = 0;
	char err[512] = "";
	int n;

	if (now < x->next_check_ms)
		return;
	x->next_check_ms = now + 1000;
	if (bpf_xdp_query_id(x->ifindex, 0, &id) < 0 || id == x->prog_id)
		return;
	if (x->prog_id)
		SL_INFO("xdp: %s: program %u gone%s", x->ifname, x->prog_id,
			id ? "" : ", waiting for sluice-dp's");
	sl_xdp_release(x);
	if (id == 0)
		return;
	if (sl_xdp_adopt(x, id, err, sizeof(err)) < 0)
		goto fail;
	n = sl_xdp_fill_host(x);
	if (n < 0) {
		sl_xdp_err(err, sizeof(err), "addresses: %s", strerror(-n));
		goto fail;
	}
	if (sl_xdp_sync_generation(x, ctl) < 0 ||
	    (x->generation == 0 && sl_ctl_generation(ctl) != 0)) {
		sl_xdp_err(err, sizeof(err), "filling the owned prefixes failed");
		goto fail;
	}
	if (bpf_map_update_elem(x->cfg_fd, &zero, &cfg, BPF_ANY) < 0) {
		sl_xdp_err(err, sizeof(err), "setting the role: %s", strerror(errno));
		goto fail;
	}
	x->prog_id = id;
	SL_INFO("xdp: adopted %s (program %u) on %s, %d host addresses", SL_XDP_PROG_NAME, id,
		x->ifname, n);
	return;
fail:
	if (x->failed_id != id)
		SL_WARN("xdp: %s: cannot adopt program %u: %s (retrying)", x->ifname, id, err);
	x->failed_id = id;
	sl_xdp_release(x);
}

static void sl_xdp_free(struct sl_xdp *x)
{
	if (x->obj == NULL) /* adopted: the fds are ours; else the object's */
		sl_xdp_release(x);
	bpf_object__close(x->obj);
	free(x);
}

int sl_xdp_parse_spec(const char *arg, struct sl_xdp_spec *sp)
{
	const char *comma = strchr(arg, ',');
	size_t n = comma ? (size_t)(comma - arg) : strlen(arg);

	memset(sp, 0, sizeof(*sp));
	sp->role = SL_XDP_ROLE_OUTSIDE;
	if (n == 0 || n >= sizeof(sp->ifname))
		return -1;
	memcpy(sp->ifname, arg, n);
	while (comma) {
		const char *w = comma + 1;

		comma = strchr(w, ',');
		n = comma ? (size_t)(comma - w) : strlen(w);
		if (n == 6 && strncmp(w, "inside", n) == 0)
			sp->role = SL_XDP_ROLE_INSIDE;
		else if (n == 7 && strncmp(w, "outside", n) == 0)
			sp->role = SL_XDP_ROLE_OUTSIDE;
		else if (n == 7 && strncmp(w, "generic", n) == 0)
			sp->generic = true;
		else if (n == 6 && strncmp(w, "native", n) == 0)
			sp->generic = false;
		else if (n == 5 && strncmp(w, "adopt", n) == 0)
			sp->adopt = true;
		else
			return -1;
	}
	return 0;
}

struct sl_xdp *sl_xdp_start(const struct sl_xdp_spec *sp, const char *obj_path,
			    const struct sl_ctl *ctl, char *err, size_t errlen)
{
	struct sl_xdp *x;

	if (!sp->adopt) {
		x = sl_xdp_open(obj_path, sp->role, err, errlen);
		if (x == NULL)
			return NULL;
		/* owned prefixes before attaching: no window where the
		 * gateway's own addresses are dropped as not owned */
		sl_xdp_poll(x, ctl);
		if (x->generation == 0 && sl_ctl_generation(ctl) != 0) {
			sl_xdp_err(err, errlen, "%s: filling the owned prefixes failed",
				   sp->ifname);
			goto fail;
		}
		if (sl_xdp_attach(x, sp->ifname, sp->generic, err, errlen) < 0)
			goto fail;
		return x;
	}
	x = calloc(1, sizeof(*x));
	if (x == NULL) {
		sl_xdp_err(err, errlen, "out of memory");
		return NULL;
	}
	x->prog_fd = x->cfg_fd = x->owned_fd = x->host_fd = x->stats_fd = -1;
	x->adopted = true;
	x->role = sp->role;
	snprintf(x->ifname, sizeof(x->ifname), "%s", sp->ifname);
	x->ifindex = (int)if_nametoindex(sp->ifname);
	if (x->ifindex == 0) {
		sl_xdp_err(err, errlen, "%s: %s", sp->ifname, strerror(errno));
		goto fail;
	}
	/* adopt now if the program is there; else each second from poll */
	sl_xdp_readopt(x, ctl);
	if (x->prog_id == 0)
		SL_INFO("xdp: %s: waiting for sluice-dp to attach %s", x->ifname, SL_XDP_PROG_NAME);
	return x;
fail:
	sl_xdp_free(x); /* nothing of ours is attached */
	return NULL;
}

void sl_xdp_close(struct sl_xdp *x)
{
	uint64_t c[SL_XDP_CNT_MAX];

	if (x == NULL)
		return;
	if (x->ifindex && x->stats_fd >= 0) {
		if (sl_xdp_counters(x, c) == 0) {
			char buf[1024];
			size_t off = 0;

			for (int i = 0; i < SL_XDP_CNT_MAX && off < sizeof(buf); i++)
				off +=
				    (size_t)snprintf(buf + off, sizeof(buf) - off, " %s=%llu",
						     sl_xdp_cnt_names[i], (unsigned long long)c[i]);
			SL_INFO("xdp: %s counters:%s", x->ifname, buf);
		}
	}
	if (x->ifindex && !x->adopted) {
		/* detach only our own program (another may have replaced it) */
		LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = x->prog_fd);
		if (bpf_xdp_detach(x->ifindex,
				   (x->attach_flags & ~XDP_FLAGS_UPDATE_IF_NOEXIST) |
				       XDP_FLAGS_REPLACE,
				   &o) < 0)
			SL_WARN("xdp: detaching from %s: %s", x->ifname, strerror(errno));
		else
			SL_INFO("xdp: detached from %s", x->ifname);
	}
	sl_xdp_free(x);
}
