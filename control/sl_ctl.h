/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluiced's core, without the event loop: load -> validate -> diff ->
 * compile -> publish, reload, acknowledgement tracking. main.c drives it;
 * tests and tools call it directly.
 */
#ifndef SL_CTL_H
#define SL_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_compile.h"
#include "sl_ctl_log.h"
#include "sl_shm_writer.h"
#include "sl_store.h"

/**
 * Load `config_path`, validate it, compile it and publish it as one new
 * generation into the segment at `segment_path` (NULL: the default
 * /dev/shm/sluice), creating the segment with `bank_size` bytes per bank
 * (0: the default 64 MiB) if it does not exist. If a live sluice-dp is
 * attached it waits (up to about 10 s) for the grace period before writing
 * and for the new generation's acknowledgement after; otherwise it does not
 * wait. Every validation error is logged; `err` gets a one-line reason.
 * Returns 0, -EINVAL (config invalid), -ENOSPC (banks too small), or
 * another negative errno.
 */
int sl_ctl_publish_file(const char *config_path, const char *segment_path, uint64_t bank_size,
			char *err, size_t errlen);

struct sl_ctl_opts {
	const char *config_path;
	const char *segment_path; /**< NULL: SL_SHM_DEFAULT_PATH */
	uint64_t bank_size;	  /**< 0: SL_SHM_DEFAULT_BANK_SIZE */
	bool bank_size_explicit;  /**< given on the command line */
	/** Internet routes from a prefix file (one CIDR a line, .gz too), each
	 * via one of `inet_via` (by a hash of the prefix, per family) or, when
	 * none is given, via the config's default route of its family. */
	const char *inet_routes;
	const struct sl_pfx *inet_via;
	unsigned int n_inet_via;
};

/** What a load or reload did (for the summary line and for tests). */
struct sl_ctl_result {
	unsigned int n_errors;
	unsigned int added, removed, changed, unchanged;
	unsigned int n_dirty_vpcs;
	struct sl_compile_stats cs;
	uint64_t generation; /**< published, 0 if nothing was published */
};

struct sl_ctl;

/**
 * A store source beyond the config file (sluiced's database): called on
 * every (re)build after the file was parsed and before validation, it adds
 * its objects to `s`. Errors go to `errs`; a negative return aborts the
 * build.
 */
typedef int (*sl_ctl_source_fn)(struct sl_store *s, struct sl_errs *errs, void *arg);

struct sl_ctl *sl_ctl_new(const struct sl_ctl_opts *o);
/** Close the segment (it stays for sluice-dp) and free everything. */
void sl_ctl_free(struct sl_ctl *c);

/**
 * Load and validate a config file. Returns the validated store, or NULL
 * when there is at least one error (all of them in `errs`).
 */
struct sl_store *sl_ctl_load_store(const char *path, struct sl_errs *errs);

/** Set the extra store source (before sl_ctl_start()). */
void sl_ctl_set_source(struct sl_ctl *c, sl_ctl_source_fn fn, void *arg);

/**
 * Build a candidate store: parse `path`, add the source's objects (if `c`
 * has a source; `c` may be NULL), validate. NULL when anything failed (all
 * errors in `errs`).
 */
struct sl_store *sl_ctl_build_store(const struct sl_ctl *c, const char *path,
				    struct sl_errs *errs);

/**
 * Make a validated store `s` the live one (takes ownership of `s`): diff
 * against the live store, carry status, recompile dirty VPC tables (and
 * the Internet table if it changed), publish one generation. On failure the
 * old state stays and `s` is freed. `what` names the change in log lines
 * ("reload", "CreateVpc", ...). 0, or a negative errno.
 */
int sl_ctl_apply(struct sl_ctl *c, struct sl_store *s, const char *what,
		 struct sl_ctl_result *res);

/**
 * Make the in-place change `d` of the live store final (sl_delta_keep():
 * status carried or Pending, removed objects freed) and publish it as
 * sl_ctl_apply() does, recompiling the VPCs it changed. `d` was begun on
 * sl_ctl_store(c) and validated (sl_validate_part()). On a publish failure
 * the store keeps the change (it is durable) and the next publish carries
 * it. 0, or a negative errno.
 */
int sl_ctl_apply_delta(struct sl_ctl *c, struct sl_delta *d, const char *what,
		       struct sl_ctl_result *res);

/**
 * First start: load and validate the file (errors logged, -EINVAL), open or
 * create the segment (re-using the VPC indexes of the generation found
 * there, if any), compile everything and publish it as the next generation.
 */
int sl_ctl_start(struct sl_ctl *c, struct sl_ctl_result *res, char *err, size_t errlen);

/**
 * SIGHUP: re-read the file. If it does not validate, log every error and
 * keep the current state (-EINVAL). Otherwise apply only the difference:
 * carry status of unchanged objects, recompile dirty VPC tables (and the
 * Internet table if the gateway changed) and publish one generation; no
 * publish at all if nothing changed. On a publish failure the old state is
 * kept too.
 */
int sl_ctl_reload(struct sl_ctl *c, struct sl_ctl_result *res);

/**
 * The route source API (the prefix file today; kernel routes and BGP
 * later): add/replace or remove one Internet route via an address on an
 * outside subnet. Changes are batched until sl_ctl_commit(), which compiles
 * and publishes them as one generation (atomically visible). -EINVAL for a
 * bad prefix, -ENETUNREACH when `via` is on no outside subnet, -ENOENT when
 * removing a route the source does not have.
 */
int sl_ctl_inet_set(struct sl_ctl *c, const struct sl_pfx *p, const struct sl_pfx *via);
int sl_ctl_inet_del(struct sl_ctl *c, const struct sl_pfx *p);
/** ECMP (issue 8): `p` -> a group of `n` (1..SL_NHG_MAX) vias with weights
 * (>= 1; the kernel's rtnh_hops + 1); errors as sl_ctl_inet_set(). */
int sl_ctl_inet_set_group(struct sl_ctl *c, const struct sl_pfx *p, const struct sl_pfx *via,
			  const uint16_t *weight, unsigned int n);
int sl_ctl_commit(struct sl_ctl *c, const char *what, struct sl_ctl_result *res);

/**
 * Load a prefix file into the route source (not committed). Next hops:
 * `vias` of the prefix's family chosen by a hash of the prefix, or the
 * config's default route of that family. 0, or a negative errno with the
 * reason in `err`.
 */
int sl_ctl_inet_load(struct sl_ctl *c, const char *path, const struct sl_pfx *vias,
		     unsigned int n_vias, char *err, size_t errlen);

/**
 * Check acknowledgements: every Pending object carried by a generation the
 * data plane acknowledged (or any, if no data plane is alive) becomes
 * Available. Returns the number of objects still Pending.
 */
unsigned int sl_ctl_poll(struct sl_ctl *c);

/**
 * Housekeeping: if the segment file was removed or replaced under us,
 * create it again and republish everything. 0, or a negative errno.
 */
int sl_ctl_check_segment(struct sl_ctl *c);

/**
 * Housekeeping: does a live sluice-dp have one inside port per configured
 * trunk (Gateway.Inside.Trunks)? Warns once per mismatch. 0 they agree, 1
 * they do not, -1 unknown (no live sluice-dp or no port snapshot yet).
 */
int sl_ctl_check_trunks(struct sl_ctl *c);

/** Called while a publish waits for a stuck reader; false aborts it. */
void sl_ctl_set_keep_waiting(struct sl_ctl *c, sl_shm_keep_waiting_fn fn, void *arg);

struct sl_store *sl_ctl_store(const struct sl_ctl *c);
/** The published generation (0 before the first publish). */
uint64_t sl_ctl_generation(const struct sl_ctl *c);
struct sl_shm_writer *sl_ctl_shm(const struct sl_ctl *c);
struct sl_compiler *sl_ctl_compiler(const struct sl_ctl *c);

/** "2 regions, 3 zones, 2 VPCs, ..." */
void sl_ctl_describe_store(const struct sl_store *s, char *buf, size_t size);

#endif /* SL_CTL_H */
