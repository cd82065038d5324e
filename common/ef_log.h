/*
 * ef_log.h - leveled logging to stderr with per-subsystem debug contexts.
 *
 * Data goes to stdout, logs to stderr.  Debug output is enabled per context
 * (`--debug reader,engine` or EVALFLEET_DEBUG=all); the check is done in the
 * macro so disabled debug lines cost one branch.  Never pass a secret (API
 * key, Authorization header) to these functions.
 */
#ifndef EF_LOG_H
#define EF_LOG_H

#include <stdbool.h>

typedef enum ef_log_ctx {
    EF_DBG_READER = 1u << 0,
    EF_DBG_ENGINE = 1u << 1,
    EF_DBG_SPEC = 1u << 2,
    EF_DBG_OUTPUT = 1u << 3,
    EF_DBG_HTTP = 1u << 4,
    EF_DBG_JUDGE = 1u << 5,
    EF_DBG_KAFKA = 1u << 6,
    EF_DBG_REDIS = 1u << 7,
} ef_log_ctx;

extern unsigned ef_log_debug_mask;
extern bool ef_log_quiet;

/* Parse "reader,engine" / "all"; returns -1 and names the bad word in errstr. */
int ef_log_set_debug(const char *list, char *errstr, size_t errsize);
/* The names accepted by ef_log_set_debug, comma separated (for --help). */
const char *ef_log_debug_names(void);

void ef_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ef_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ef_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ef_log_debug_(ef_log_ctx ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ef_log_debug(ctx, ...)                                                                     \
    do {                                                                                           \
        if (ef_log_debug_mask & (ctx))                                                             \
            ef_log_debug_((ctx), __VA_ARGS__);                                                     \
    } while (0)

#endif
