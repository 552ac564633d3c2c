/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging to stderr and error lists.
 *
 * Design note: timestamps are UTC with milliseconds so lines from sluiced and
 * sluice-dp can be merged by sorting. An error list keeps going when memory
 * runs out (it only counts what it could not record): losing a message must
 * never turn an invalid file into a valid one.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sl_ctl_log.h"

int sl_log_level = SL_LOG_INFO;
bool sl_log_debug_some;

static const char *const sl_level_names[] = {"error", "warn", "info", "debug"};

const char *const sl_log_component_names[SL_COMP_MAX] = {
    [SL_COMP_MAIN] = "main", [SL_COMP_CONFIG] = "config", [SL_COMP_TABLES] = "tables",
    [SL_COMP_CTL] = "ctl",   [SL_COMP_API] = "api",	      [SL_COMP_DB] = "db",
    [SL_COMP_KERNEL] = "kernel",
};

/* Per-component level, -1: the default (sl_log_level). */
static int sl_comp_level[SL_COMP_MAX] = {-1, -1, -1, -1, -1, -1, -1};

enum sl_log_component sl_log_component(const char *file)
{
	static const struct {
		const char *prefix;
		enum sl_log_component c;
	} map[] = {
	    {"api_", SL_COMP_API},	   {"metrics.", SL_COMP_API},
	    {"config.", SL_COMP_CONFIG},   {"store.", SL_COMP_CONFIG},
	    {"validate", SL_COMP_CONFIG},  {"compile", SL_COMP_TABLES},
	    {"shm_writer.", SL_COMP_TABLES}, {"ctl.", SL_COMP_CTL},
	    {"db.", SL_COMP_DB},	   {"kernel_routes.", SL_COMP_KERNEL},
	    {"route_feed.", SL_COMP_KERNEL}, {"xdp.", SL_COMP_KERNEL},
	    {"exc_iface.", SL_COMP_KERNEL},
	};
	const char *base = strrchr(file, '/');

	base = base ? base + 1 : file;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strncmp(base, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].c;
	return SL_COMP_MAIN;
}

int sl_log_set_spec(const char *spec, char *err, size_t errlen)
{
	int levels[SL_COMP_MAX], def = sl_log_level;
	char buf[256], *save = NULL, *item;

	/* a spec is complete: components it does not name take the default */
	for (int c = 0; c < SL_COMP_MAX; c++)
		levels[c] = -1;
	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf) || buf[0] == '\0')
		goto bad;
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		int lv, c;

		if (eq == NULL) {
			if ((def = sl_log_parse_level(item)) < 0)
				goto bad;
			continue;
		}
		*eq = '\0';
		for (c = 0; c < SL_COMP_MAX; c++)
			if (strcasecmp(item, sl_log_component_names[c]) == 0)
				break;
		if (c == SL_COMP_MAX || (lv = sl_log_parse_level(eq + 1)) < 0)
			goto bad;
		levels[c] = lv;
	}
	sl_log_level = def;
	memcpy(sl_comp_level, levels, sizeof(levels));
	sl_log_debug_some = false;
	for (int c = 0; c < SL_COMP_MAX; c++)
		sl_log_debug_some |= sl_comp_level[c] >= SL_LOG_DEBUG;
	return 0;
bad:
	snprintf(err, errlen,
		 "'%s': LEVEL, COMPONENT=LEVEL or a comma list of both; levels error, warn, "
		 "info, debug; components main, config, tables, ctl, api, db, kernel",
		 spec);
	return -EINVAL;
}

static void sl_vlog(int level, enum sl_log_component comp, const char *fmt, va_list ap)
{
	int max = sl_comp_level[comp] >= 0 ? sl_comp_level[comp] : sl_log_level;
	struct timespec ts;
	struct tm tm;
	char tbuf[32];

	if (level > max)
		return;
	if (level < 0)
		level = 0;
	if (level > 3)
		level = 3;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
	flockfile(stderr);
	fprintf(stderr, "%s.%03ldZ %-5s ", tbuf, ts.tv_nsec / 1000000, sl_level_names[level]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

void sl_log_at(int level, const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sl_vlog(level, sl_log_component(file), fmt, ap);
	va_end(ap);
}

int sl_log_parse_level(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcasecmp(s, sl_level_names[i]) == 0)
			return i;
	if (strcasecmp(s, "warning") == 0)
		return SL_LOG_WARN;
	return -EINVAL;
}

void sl_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sl_vlog(level, SL_COMP_MAIN, fmt, ap);
	va_end(ap);
}

void sl_errs_init(struct sl_errs *e, const char *file)
{
	memset(e, 0, sizeof(*e));
	e->file = file;
}

void sl_errs_free(struct sl_errs *e)
{
	for (unsigned int i = 0; i < e->n; i++)
		free(e->v[i].msg);
	free(e->v);
	e->v = NULL;
	e->n = e->cap = e->lost = 0;
}

void sl_errs_add(struct sl_errs *e, const char *object, const char *field, const char *code,
		 const char *fmt, ...)
{
	struct sl_err *er;
	char text[512];
	size_t need;
	va_list ap;

	if (e->n == e->cap) {
		unsigned int cap = e->cap ? e->cap * 2 : 16;
		struct sl_err *v = realloc(e->v, cap * sizeof(*v));

		if (v == NULL) {
			e->lost++;
			return;
		}
		e->v = v;
		e->cap = cap;
	}
	er = &e->v[e->n];
	memset(er, 0, sizeof(*er));
	snprintf(er->code, sizeof(er->code), "%s", code ? code : "");
	snprintf(er->object, sizeof(er->object), "%s", object ? object : "");
	snprintf(er->field, sizeof(er->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	need = strlen(text) + sizeof(er->code) + sizeof(er->object) + sizeof(er->field) + 16 +
	       (e->file ? strlen(e->file) : 0);
	er->msg = malloc(need);
	if (er->msg == NULL) {
		e->lost++;
		return;
	}
	snprintf(er->msg, need, "%s%s%s%s%s%s%s%s", e->file ? e->file : "", e->file ? ": " : "",
		 er->object, er->object[0] ? ": " : "", er->field, er->field[0] ? ": " : "",
		 er->code[0] ? er->code : "", er->code[0] ? ": " : "");
	strncat(er->msg, text, need - strlen(er->msg) - 1);
	e->n++;
}

bool sl_errs_has(const struct sl_errs *e, const char *code, const char *object)
{
	for (unsigned int i = 0; i < e->n; i++) {
		if (strcmp(e->v[i].code, code) != 0)
			continue;
		if (object == NULL || strcmp(e->v[i].object, object) == 0)
			return true;
	}
	return false;
}

void sl_errs_log(const struct sl_errs *e, int level)
{
	for (unsigned int i = 0; i < e->n; i++)
		sl_log(level, "%s", e->v[i].msg);
	if (e->lost)
		sl_log(level, "%u more error(s) not recorded (out of memory)", e->lost);
}
