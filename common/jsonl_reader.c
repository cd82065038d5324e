/* jsonl_reader.c - see jsonl_reader.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonl_reader.h"

#define EF_READ_CHUNK ((size_t)256 * 1024)

struct ef_jsonl_reader {
    int fd;
    int own_fd;
    size_t max_line;
    char *buf;
    size_t cap;        /* allocated */
    size_t start, end; /* unconsumed bytes are buf[start, end) */
    uint64_t buf_off;  /* file offset of buf[0] */
    uint64_t lineno;   /* lines returned or skipped so far */
    uint64_t size;
    int eof;
    int skipping; /* inside an over-long line: discard up to its newline */
    char err[256];
};

ef_jsonl_reader *ef_jsonl_reader_new(const char *path, size_t max_line, char *errstr,
                                     size_t errsize) {
    if (!max_line)
        max_line = EF_MAX_LINE_DEFAULT;
    ef_jsonl_reader *r = calloc(1, sizeof(*r));
    if (!r) {
        ef_seterr(errstr, errsize, "out of memory");
        return NULL;
    }
    r->max_line = max_line;
    if (!strcmp(path, "-")) {
        r->fd = 0;
    } else {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0) {
            ef_seterr(errstr, errsize, "%s: %s", path, strerror(errno));
            free(r);
            return NULL;
        }
        r->own_fd = 1;
        struct stat st;
        if (fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode))
            r->size = (uint64_t)st.st_size;
        else if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            ef_seterr(errstr, errsize, "%s: is a directory", path);
            close(r->fd);
            free(r);
            return NULL;
        }
    }
    r->cap = EF_READ_CHUNK < max_line + 1 ? EF_READ_CHUNK : max_line + 1;
    if (r->cap < 2)
        r->cap = 2;
    r->buf = malloc(r->cap + 1);
    if (!r->buf) {
        ef_seterr(errstr, errsize, "out of memory");
        ef_jsonl_reader_destroy(r);
        return NULL;
    }
    return r;
}

void ef_jsonl_reader_destroy(ef_jsonl_reader *r) {
    if (!r)
        return;
    if (r->own_fd && r->fd >= 0)
        close(r->fd);
    free(r->buf);
    free(r);
}

const char *ef_jsonl_reader_error(const ef_jsonl_reader *r) { return r->err; }
uint64_t ef_jsonl_reader_tell(const ef_jsonl_reader *r) { return r->buf_off + r->start; }
uint64_t ef_jsonl_reader_size(const ef_jsonl_reader *r) { return r->size; }

/* Make room and read more bytes. Returns bytes read, 0 at EOF, -1 on error. */
static ssize_t fill(ef_jsonl_reader *r) {
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->buf_off += r->start;
        r->end -= r->start;
        r->start = 0;
    }
    if (r->end == r->cap) {
        /* Buffer full without a newline: grow, bounded by the line cap. */
        size_t limit = r->max_line + 1;
        if (r->cap >= limit)
            return -2;
        size_t ncap = r->cap * 2 < limit ? r->cap * 2 : limit;
        char *nb = realloc(r->buf, ncap + 1);
        if (!nb) {
            snprintf(r->err, sizeof(r->err), "out of memory");
            return -1;
        }
        r->buf = nb;
        r->cap = ncap;
    }
    for (;;) {
        ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(r->err, sizeof(r->err), "read: %s", strerror(errno));
            return -1;
        }
        r->end += (size_t)n;
        return n;
    }
}

static int is_blank(const char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\f' && p[i] != '\v')
            return 0;
    return 1;
}

int ef_jsonl_reader_next(ef_jsonl_reader *r, ef_jsonl_line *out) {
    memset(out, 0, sizeof(*out));
    for (;;) {
        char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
        if (!nl && !r->eof) {
            if (r->skipping) {
                /* Discard what we have of the over-long line and keep reading. */
                r->buf_off += r->end;
                r->start = r->end = 0;
            }
            ssize_t n = fill(r);
            if (n == -2) {
                /* No newline within max_line bytes: report, then skip the rest. */
                r->lineno++;
                out->lineno = r->lineno;
                out->offset = r->buf_off + r->start;
                out->err = EF_ERR_LINE_TOO_LONG;
                out->data = "";
                r->buf_off += r->end;
                r->start = r->end = 0;
                r->skipping = 1;
                return 1;
            }
            if (n < 0) {
                out->err = EF_ERR_IO;
                out->data = "";
                return -1;
            }
            if (n == 0)
                r->eof = 1;
            continue;
        }
        size_t len = nl ? (size_t)(nl - (r->buf + r->start)) : r->end - r->start;
        if (!nl && len == 0) {
            return 0; /* EOF at a line boundary */
        }
        char *line = r->buf + r->start;
        uint64_t off = r->buf_off + r->start;
        r->start += len + (nl ? 1 : 0);
        if (r->skipping) {
            r->skipping = 0; /* the tail of an over-long line, already reported */
            continue;
        }
        r->lineno++;
        if (len > r->max_line) {
            out->lineno = r->lineno;
            out->offset = off;
            out->err = EF_ERR_LINE_TOO_LONG;
            out->data = "";
            return 1;
        }
        if (len && line[len - 1] == '\r')
            len--;
        if (r->lineno == 1 && len >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
            line += 3;
            len -= 3;
        }
        if (is_blank(line, len))
            continue;
        line[len] = '\0';
        out->data = line;
        out->len = len;
        out->lineno = r->lineno;
        out->offset = off;
        out->err = EF_ERR_OK;
        return 1;
    }
}
