/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluiced logging and error lists.
 *
 * Logging: one line per event on stderr, "TIMESTAMP LEVEL message", with a
 * process-wide default level and optional levels per component (--log-level
 * "info,api=debug"). The component of a message is its source file's
 * (sl_log_component(): api_*.c and metrics.c "api", config.c, store.c,
 * validate*.c "config", compile*.c and shm_writer.c "tables", ctl.c "ctl",
 * kernel_routes.c, route_feed.c, xdp.c "kernel", db.c "db", the rest
 * "main"), so no call site names it. Levels are set before threads start
 * (option parsing) and only read afterwards; each line is written under
 * stdio's stream lock.
 *
 * Error lists (struct sl_errs): validation reports every problem it finds,
 * not just the first, each with the API error code, the object and the
 * field, so an operator can fix a config file in one pass.
 */
#ifndef SL_CTL_LOG_H
#define SL_CTL_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum sl_log_level {
	SL_LOG_ERROR = 0,
	SL_LOG_WARN = 1,
	SL_LOG_INFO = 2,
	SL_LOG_DEBUG = 3,
};

/** Default level of every component without its own; messages above it
 * are dropped. Default SL_LOG_INFO. */
extern int sl_log_level;
/** Some component logs at debug (SL_DEBUG's quick test). */
extern bool sl_log_debug_some;

enum sl_log_component {
	SL_COMP_MAIN = 0,
	SL_COMP_CONFIG,
	SL_COMP_TABLES,
	SL_COMP_CTL,
	SL_COMP_API,
	SL_COMP_DB,
	SL_COMP_KERNEL,
	SL_COMP_MAX
};

/** A message from source file `file` (__FILE__). */
void sl_log_at(int level, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** A message of component "main". */
void sl_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** "error", "warn", "info", "debug" -> level, or -EINVAL. */
int sl_log_parse_level(const char *s);
/**
 * Apply a --log-level text: "LEVEL", "COMPONENT=LEVEL" or a comma list of
 * both ("info,api=debug,kernel=warn"; without a LEVEL the default stays).
 * A spec replaces the last one whole: components it does not name take the
 * default. 0, or -EINVAL with a message in err naming the components and
 * levels; nothing changes then.
 */
int sl_log_set_spec(const char *spec, char *err, size_t errlen);
/** The component a source file logs as. */
enum sl_log_component sl_log_component(const char *file);
/** Component names, for --help. */
extern const char *const sl_log_component_names[SL_COMP_MAX];

#define SL_ERR(...) sl_log_at(SL_LOG_ERROR, __FILE__, __VA_ARGS__)
#define SL_WARN(...) sl_log_at(SL_LOG_WARN, __FILE__, __VA_ARGS__)
#define SL_INFO(...) sl_log_at(SL_LOG_INFO, __FILE__, __VA_ARGS__)
#define SL_DEBUG(...)                                                                              \
	do {                                                                                       \
		if (sl_log_level >= SL_LOG_DEBUG || sl_log_debug_some)                             \
			sl_log_at(SL_LOG_DEBUG, __FILE__, __VA_ARGS__);                            \
	} while (0)

/** One reported problem. */
struct sl_err {
	char code[64];	  /**< API error code, e.g. "InvalidCidrBlock.Overlapped" */
	char object[160]; /**< "VSwitch vsw-a3", "Vpcs[2]", "" for file-level */
	char field[48];	  /**< "CidrBlock", "" if not about one field */
	char *msg;	  /**< the full line: "file: object: field: code: text" */
};

struct sl_errs {
	const char *file; /**< prefix of every message (not owned) */
	unsigned int n;
	unsigned int cap;
	unsigned int lost; /**< errors not recorded for lack of memory */
	struct sl_err *v;
};

void sl_errs_init(struct sl_errs *e, const char *file);
void sl_errs_free(struct sl_errs *e);
/** Record an error. `object` and `field` may be "" or NULL. */
void sl_errs_add(struct sl_errs *e, const char *object, const char *field, const char *code,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/** Total number of errors, including lost ones. */
static inline unsigned int sl_errs_count(const struct sl_errs *e)
{
	return e->n + e->lost;
}
/** True if an error with this code (and object, if not NULL) was recorded. */
bool sl_errs_has(const struct sl_errs *e, const char *code, const char *object);
/** Log every error at `level`. */
void sl_errs_log(const struct sl_errs *e, int level);

#endif /* SL_CTL_LOG_H */
