/* ef_log.c - see ef_log.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ef_error.h"
#include "ef_log.h"

unsigned ef_log_debug_mask;
bool ef_log_quiet;

static const struct {
    const char *name;
    unsigned bit;
} ef_dbg_names[] = {
    {"reader", EF_DBG_READER}, {"engine", EF_DBG_ENGINE}, {"spec", EF_DBG_SPEC},
    {"output", EF_DBG_OUTPUT}, {"http", EF_DBG_HTTP},     {"judge", EF_DBG_JUDGE},
    {"kafka", EF_DBG_KAFKA},   {"redis", EF_DBG_REDIS},
};

const char *ef_log_debug_names(void) {
    return "reader,engine,spec,output,http,judge,kafka,redis,all";
}

int ef_log_set_debug(const char *list, char *errstr, size_t errsize) {
    unsigned mask = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == 3 && !strncmp(p, "all", 3)) {
            mask = ~0u;
        } else if (n > 0) {
            size_t i;
            for (i = 0; i < sizeof(ef_dbg_names) / sizeof(ef_dbg_names[0]); i++)
                if (strlen(ef_dbg_names[i].name) == n && !strncmp(p, ef_dbg_names[i].name, n))
                    break;
            if (i == sizeof(ef_dbg_names) / sizeof(ef_dbg_names[0])) {
                ef_seterr(errstr, errsize, "unknown debug context '%.*s' (known: %s)", (int)n, p,
                          ef_log_debug_names());
                return -1;
            }
            mask |= ef_dbg_names[i].bit;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    ef_log_debug_mask = mask;
    return 0;
}

__attribute__((format(printf, 2, 0))) static void vlog(const char *level, const char *fmt,
                                                       va_list ap) {
    char line[4096];
    int n = snprintf(line, sizeof(line), "evalfleet: %s", level);
    if (n < 0)
        return;
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    fprintf(stderr, "%s\n", line);
}

#define EF_LOG_FN(fn, level, cond)                                                                 \
    void fn(const char *fmt, ...) {                                                                \
        if (!(cond))                                                                               \
            return;                                                                                \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        vlog(level, fmt, ap);                                                                      \
        va_end(ap);                                                                                \
    }
EF_LOG_FN(ef_log_error, "error: ", 1)
EF_LOG_FN(ef_log_warn, "warning: ", !ef_log_quiet)
EF_LOG_FN(ef_log_info, "", !ef_log_quiet)

void ef_log_debug_(ef_log_ctx ctx, const char *fmt, ...) {
    (void)ctx;
    va_list ap;
    va_start(ap, fmt);
    vlog("debug: ", fmt, ap);
    va_end(ap);
}
