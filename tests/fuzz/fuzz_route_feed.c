/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_route_feed: the command lines of sluiced's route feed
 * (--route-socket, control/route_feed.c): "add PREFIX via ADDR",
 * "del PREFIX", "sync", comments and blank lines, applied to a real
 * sluiced core (struct sl_ctl) and published into a real segment.
 *
 * Design note
 * -----------
 * LLVMFuzzerInitialize() starts two cores on configs/demo.json
 * (SL_DEMO_JSON overrides it), each on its own temporary segment in
 * /dev/shm that is unlinked at once (the mapping stays; a crash leaves no
 * file): one with 16 MiB banks (the Internet table as intervals), one with
 * 256 MiB banks (as DIR-24-8 + trie, what sluiced's default 1 GiB gives).
 * No sluice-dp is attached, so a publish does not wait.
 *
 * Input: a flags byte (bit 0: the FIB core, else the interval one), then
 * lines as a client writes them to the socket. Each line goes through
 * sl_route_feed_apply_line(), the function the feed itself calls, with
 * the feed's own rule for lines over 256 bytes; "sync" commits, as the
 * feed does at the end of a turn, and so does the end of the input.
 *
 * Invariants (abort = a crash): apply returns 1 (staged), 0 (blank or
 * comment), 2 (sync) or -1, with a reason exactly when -1; a model of the
 * feed's routes (canonical prefixes) agrees with it: a "del" succeeds
 * exactly when the model holds the prefix (else "no such route from the
 * feed"), a successful "add" puts the prefix in; every commit succeeds and
 * one with staged changes publishes a new generation. After each input
 * every route the model holds is deleted again (each delete must succeed)
 * and committed, so every input starts from the same state.
 * SL_FUZZ_VERBOSE=1 prints each line's result. Single-threaded.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_ctl.h"
#include "sl_route_feed.h"
#include "sl_fuzz.h"

/* control/route_feed.c (declared there: sl_route_feed.h is not ours). */

#define SL_FZ_LINE_MAX 256 /* route_feed.c: SL_FEED_LINE_MAX */
#define SL_FZ_MAX_ROUTES 4096

static struct sl_ctl *ctls[2];
static bool verbose; /* SL_FUZZ_VERBOSE: print each line's result */

/* The feed's routes as this target expects them. Linear search: an input
 * holds at most a few hundred lines. */
static struct sl_pfx model[SL_FZ_MAX_ROUTES];
static unsigned int n_model;

static struct sl_ctl *sl_fz_start(uint64_t bank_size, const char *config)
{
	struct sl_ctl_opts o = {
	    .config_path = config, .bank_size = bank_size, .bank_size_explicit = true};
	struct sl_ctl_result res;
	struct sl_ctl *c;
	char seg[96], err[256];

	snprintf(seg, sizeof(seg), "/dev/shm/sl-fuzz-route-feed-%d-%llu", getpid(),
		 (unsigned long long)(bank_size >> 20));
	o.segment_path = seg;
	c = sl_ctl_new(&o);
	if (c == NULL)
		sl_fuzz_die("sl_ctl_new failed");
	memset(&res, 0, sizeof(res));
	if (sl_ctl_start(c, &res, err, sizeof(err)) < 0) {
		unlink(seg);
		fprintf(stderr, "fuzz_route_feed: %s\n", err);
		sl_fuzz_die("cannot start a core on the demo config (SL_DEMO_JSON)");
	}
	unlink(seg);
	return c;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *demo = getenv("SL_DEMO_JSON");

	(void)argc;
	(void)argv;
	if (demo == NULL)
		demo = SL_FUZZ_DEMO_JSON;
	sl_log_level = -1; /* each publish logs a line */
	verbose = getenv("SL_FUZZ_VERBOSE") != NULL;
	ctls[0] = sl_fz_start(16u << 20, demo);
	ctls[1] = sl_fz_start(256u << 20, demo);
	return 0;
}

static int sl_fz_find(const struct sl_pfx *p)
{
	for (unsigned int i = 0; i < n_model; i++)
		if (model[i].family == p->family && model[i].len == p->len &&
		    sl_pfx_equal(&model[i], p))
			return (int)i;
	return -1;
}

static void sl_fz_commit(struct sl_ctl *c, bool staged)
{
	uint64_t gen = sl_ctl_generation(c);
	struct sl_ctl_result res;

	if (sl_ctl_commit(c, "fuzz", &res) < 0)
		sl_fuzz_die("a commit of the feed's changes failed");
	if (staged && sl_ctl_generation(c) <= gen)
		sl_fuzz_die("staged changes were committed without a new generation");
}

/* Apply one line and hold the model to the result; returns apply's value. */
static int sl_fz_line(struct sl_ctl *c, const char *text, size_t n)
{
	char line[SL_FZ_LINE_MAX + 1], copy[SL_FZ_LINE_MAX + 1];
	char *save = NULL, *cmd, *a;
	const char *why = "unset";
	struct sl_pfx p;
	int rc, at;

	memcpy(line, text, n);
	line[n] = '\0';
	memcpy(copy, line, n + 1);
	rc = sl_route_feed_apply_line(c, line, &why);
	if (verbose)
		fprintf(stderr, "fuzz_route_feed: %d %s <- '%s'\n", rc, why ? why : "", copy);
	if (rc < -1 || rc > 2)
		sl_fuzz_die("sl_route_feed_apply_line returned a value outside -1..2");
	if ((rc == -1) != (why != NULL) || (why != NULL && why[0] == '\0'))
		sl_fuzz_die("a reason without an error, or an error without a reason");
	cmd = strtok_r(copy, " \t\r", &save);
	a = strtok_r(NULL, " \t\r", &save);
	if (rc == 0 || rc == 2 || a == NULL || sl_pfx_parse(a, &p, SL_PFX_NEED_LEN) != SL_PFX_OK)
		return rc;
	at = sl_fz_find(&p);
	if (strcmp(cmd, "del") == 0) {
		bool unknown = rc == -1 && strcmp(why, "no such route from the feed") == 0;

		if (rc == 1 && at < 0)
			sl_fuzz_die("del of a route the feed does not have succeeded");
		if (unknown && at >= 0)
			sl_fuzz_die("del of a route the feed has was refused as unknown");
		if (rc == -1 && !unknown && at < 0 && strtok_r(NULL, " \t\r", &save) == NULL)
			sl_fuzz_die("del of an unknown route refused for another reason");
		if (rc == 1)
			model[at] = model[--n_model];
	} else if (rc == 1 && at < 0) {
		if (n_model == SL_FZ_MAX_ROUTES)
			sl_fuzz_die("more routes than the model holds");
		model[n_model++] = p;
	}
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_ctl *c;
	size_t pos = 1;
	bool staged = false;

	if (size < 1)
		return 0;
	c = ctls[data[0] & 1];
	n_model = 0;
	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t end = nl ? (size_t)(nl - data) : size;

		/* the feed's rule: a longer line is refused before parsing */
		if (end - pos <= SL_FZ_LINE_MAX) {
			int rc = sl_fz_line(c, (const char *)data + pos, end - pos);

			if (rc == 2) { /* the feed commits at the end of the turn */
				sl_fz_commit(c, staged);
				staged = false;
			}
			staged |= rc == 1;
		}
		pos = end + 1;
	}
	sl_fz_commit(c, staged);

	/* back to the start state for the next input */
	for (unsigned int i = 0; i < n_model; i++)
		if (sl_ctl_inet_del(c, &model[i]) != 0)
			sl_fuzz_die("a route the feed accepted cannot be deleted");
	sl_fz_commit(c, n_model > 0);
	n_model = 0;
	return 0;
}
