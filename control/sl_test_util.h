/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the control unit tests (header-only, tests only).
 */
#ifndef SL_TEST_UTIL_H
#define SL_TEST_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_ctl_log.h"

/* JSON written with single quotes in C source, turned into real JSON. */
static inline char *sl_t_json(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		abort();
	for (char *c = s; *c; c++)
		if (*c == '\'')
			*c = '"';
	return s;
}

static inline char *sl_t_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static inline int sl_t_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Replace the first occurrence of `from` in `s` (malloc'd) with `to`. */
static inline char *sl_t_replace(char *s, const char *from, const char *to)
{
	char *at = strstr(s, from);
	char *out;
	size_t pre;

	if (at == NULL) {
		fprintf(stderr, "sl_t_replace: '%s' not found\n", from);
		abort();
	}
	pre = (size_t)(at - s);
	out = malloc(strlen(s) - strlen(from) + strlen(to) + 1);
	memcpy(out, s, pre);
	strcpy(out + pre, to);
	strcat(out, at + strlen(from));
	free(s);
	return out;
}

static inline const char *sl_t_demo_path(void)
{
	const char *p = getenv("SL_DEMO_JSON");

	return p ? p : "configs/demo.json";
}

/* Print every recorded error (to see what a failing test got). */
static inline void sl_t_dump(const struct sl_errs *e)
{
	for (unsigned int i = 0; i < e->n; i++)
		fprintf(stderr, "  | %s\n", e->v[i].msg);
}

/*
 * `e` holds exactly the (code, object) pairs of `ap` (NULL-terminated):
 * true, or false after printing what is missing or extra.
 */
static inline bool sl_t_errs_exactly(const struct sl_errs *e, va_list ap)
{
	unsigned int n = 0;
	const char *code;

	while ((code = va_arg(ap, const char *)) != NULL) {
		const char *obj = va_arg(ap, const char *);

		if (!sl_errs_has(e, code, obj)) {
			fprintf(stderr, "missing %s on %s; got:\n", code, obj);
			sl_t_dump(e);
			return false;
		}
		n++;
	}
	if (sl_errs_count(e) != n) {
		fprintf(stderr, "expected %u error(s), got %u:\n", n, sl_errs_count(e));
		sl_t_dump(e);
		return false;
	}
	return true;
}

#endif /* SL_TEST_UTIL_H */
