/*
 * row_codec.h - one row result as a fleet message, and back.
 *
 * A worker encodes each finished row (ef_row_result) into a compact JSON
 * text; the aggregator decodes it into an ef_row_result of an engine built
 * from the same spec and feeds the shared reducer and results writer, so the
 * fleet's files equal local mode's.  Numbers round-trip exactly (17 significant
 * digits); non-finite ones are strings.
 *
 *   {"i": index, "l": line, "d": data|null, "t": target|null,
 *    "e": row error code, "m": row error message,
 *    "o": [{"e": code, "m": message, "k": [[key, kind, value], ...]}, ...]}
 */
#ifndef EF_ROW_CODEC_H
#define EF_ROW_CODEC_H

#include <stddef.h>

#include "engine.h"

#define EF_ROW_MSG_MAX (64u * 1024 * 1024) /* decoder's cap on one message */

/* A new malloc'ed NUL-terminated string, or NULL on out of memory. */
char *ef_row_encode(const ef_row_result *r);

/* Decode into r (initialised for e with ef_row_result_init; reset first).
 * Keys are resolved through ef_engine_key().  0, or -1 with errstr. */
int ef_row_decode(ef_engine *e, const char *msg, size_t len, ef_row_result *r, char *errstr,
                  size_t errsize);

#endif
