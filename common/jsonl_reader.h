/*
 * jsonl_reader.h - stream a JSONL file line by line in constant memory.
 *
 * The reader owns one buffer that grows up to the line cap (max_line bytes,
 * default 16 MiB) and never beyond: a longer line is skipped up to its
 * newline and reported as EF_ERR_LINE_TOO_LONG with its line number, and the
 * next call continues with the following line.  A returned line points into
 * the reader's buffer and stays valid until the next call.  Trailing "\r" is
 * stripped; a UTF-8 byte-order mark on line 1 is skipped; lines holding only
 * whitespace are skipped (as pandas' JSONL reader does).  No JSON parsing
 * happens here (see row.h).  "-" reads standard input.
 */
#ifndef EF_JSONL_READER_H
#define EF_JSONL_READER_H

#include <stddef.h>
#include <stdint.h>

#include "ef_error.h"

#define EF_MAX_LINE_DEFAULT ((size_t)16 * 1024 * 1024)

typedef struct ef_jsonl_reader ef_jsonl_reader;

typedef struct ef_jsonl_line {
    const char *data; /* line bytes, NUL-terminated, valid until the next call */
    size_t len;       /* bytes, terminator excluded */
    uint64_t lineno;  /* 1-based physical line number in the file */
    uint64_t offset;  /* byte offset of the line's start in the file */
    ef_err err;       /* EF_ERR_OK, EF_ERR_LINE_TOO_LONG (data empty) or EF_ERR_IO */
} ef_jsonl_line;

/* Opens path ("-" = stdin). NULL with errstr set when it cannot be opened. */
ef_jsonl_reader *ef_jsonl_reader_new(const char *path, size_t max_line, char *errstr,
                                     size_t errsize);
/* Closes the file and frees the buffer. NULL is fine. */
void ef_jsonl_reader_destroy(ef_jsonl_reader *r);

/* 1: a line or a per-line error in *out; 0: end of input; -1: read error (errno
 * text in out->data is not set; see ef_jsonl_reader_error). */
int ef_jsonl_reader_next(ef_jsonl_reader *r, ef_jsonl_line *out);
/* Text of the last read error. */
const char *ef_jsonl_reader_error(const ef_jsonl_reader *r);
/* Bytes consumed so far (for progress). */
uint64_t ef_jsonl_reader_tell(const ef_jsonl_reader *r);
/* Total size in bytes if known (regular file), else 0. */
uint64_t ef_jsonl_reader_size(const ef_jsonl_reader *r);

#endif
