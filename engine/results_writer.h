/*
 * results_writer.h - write evaluation_results.json (and rows.jsonl) in the
 * reference's format: {"rows": [...], "metrics": {...}, "studio_url": null}.
 *
 * Rows stream to a temporary file in the output directory as they complete
 * (constant memory).  ef_results_writer_finish() either embeds them in the
 * result file (at most rows_jsonl_threshold rows, or never with
 * rows_jsonl=yes) or moves them to rows.jsonl and writes the result file with
 * "rows": [] and "rows_file": "rows.jsonl".  Every file appears by an atomic
 * rename after fsync: a crash leaves the previous result or none, never half
 * of one.  ef_results_writer_destroy() without finish removes the temporary
 * files.
 *
 * Row keys: inputs.<column> for each input column, outputs.<eval>.<key> for
 * each evaluator output, outputs.<eval>.error_code / error_message when the
 * evaluator failed on the row, and line_number / error for a rejected line.
 */
#ifndef EF_RESULTS_WRITER_H
#define EF_RESULTS_WRITER_H

#include <cjson/cJSON.h>

#include "engine.h"
#include "spec.h"

typedef struct ef_results_writer ef_results_writer;

/* output: a directory (evaluation_results.json inside) or a FILE.json path. */
ef_results_writer *ef_results_writer_new(const ef_engine *e, const char *output,
                                         ef_tristate rows_jsonl, uint64_t rows_jsonl_threshold,
                                         char *errstr, size_t errsize);
int ef_results_writer_row(ef_results_writer *w, const ef_row_result *row);
/* Writes the final files; extra (may be NULL) is merged into the top level. */
int ef_results_writer_finish(ef_results_writer *w, const cJSON *metrics, const cJSON *extra,
                             char *errstr, size_t errsize);
void ef_results_writer_destroy(ef_results_writer *w);
/* Path of the result file (valid until destroy). */
const char *ef_results_writer_path(const ef_results_writer *w);

/* Serialise one row as a JSON object (no newline) into a new malloc'd string. */
char *ef_row_to_json(const ef_engine *e, const ef_row_result *row);
/* Shortest text that reads back as v (Python repr style); NaN/inf -> "null". */
void ef_format_double(double v, char *buf, size_t size);

#endif
