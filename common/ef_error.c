/* ef_error.c - tables generated from EF_ERRORS (see ef_error.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "ef_error.h"

static const struct {
    const char *name;
    bool retriable;
    const char *desc;
} ef_err_tab[] = {
#define EF_ERR_ROW(name, retriable, desc) {#name, retriable, desc},
    EF_ERRORS(EF_ERR_ROW)
#undef EF_ERR_ROW
};

const char *ef_err_name(ef_err e) {
    return (unsigned)e < EF_ERR__COUNT ? ef_err_tab[e].name : "UNKNOWN";
}

const char *ef_strerror(ef_err e) {
    return (unsigned)e < EF_ERR__COUNT ? ef_err_tab[e].desc : "unknown error";
}

bool ef_err_retriable(ef_err e) { return (unsigned)e < EF_ERR__COUNT && ef_err_tab[e].retriable; }

void ef_seterr(char *errstr, size_t size, const char *fmt, ...) {
    if (!errstr || !size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, size, fmt, ap);
    va_end(ap);
}
