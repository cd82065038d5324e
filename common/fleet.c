/* fleet.c - names the fleet roles agree on (see fleet.h). */
#include <stdio.h>
#include <string.h>

#include "fleet.h"
#include "kafka.h"

bool ef_run_id_valid(const char *id) {
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > EF_RUN_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

int ef_run_key(char *buf, size_t size, const char *run, const char *what) {
    int n = snprintf(buf, size, "ef:{%s}:%s", run, what);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

int ef_row_key_parse(const char *key, size_t len, char *run, size_t runsize, uint64_t *index) {
    const char *slash = key ? memchr(key, '/', len) : NULL;
    char num[32];
    size_t rl = slash ? (size_t)(slash - key) : 0, nl = slash ? len - rl - 1 : 0;
    if (!slash || rl == 0 || rl >= runsize || nl == 0 || nl >= sizeof(num))
        return -1;
    memcpy(run, key, rl);
    run[rl] = '\0';
    memcpy(num, slash + 1, nl);
    num[nl] = '\0';
    return ef_run_id_valid(run) && !ef_parse_u64(num, index) ? 0 : -1;
}
