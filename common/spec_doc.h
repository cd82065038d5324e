/*
 * spec_doc.h - a run spec as the fleet stores it.
 *
 * The producer stores the run exactly as the user gave it: the text of the
 * spec file (if any) and the flags applied after it, in order:
 *   {"spec_path": "run.yaml", "yaml": "...", "args": [["evaluators", "f1_score"], ...]}
 * Every worker and the aggregator rebuild the ef_run_spec from that document
 * through the same loader and option table as `evalfleet run`, so a fleet
 * run and a local run of the same command evaluate the same spec.  Relative
 * paths in the spec (prompty files, code evaluators) resolve against the
 * spec file's directory on the machine that loads it.  The document never
 * holds a key: endpoint keys are read from each process's environment.
 */
#ifndef EF_SPEC_DOC_H
#define EF_SPEC_DOC_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "spec.h"

#define EF_SPEC_DOC_MAX (2u * 1024 * 1024)

/* Build the document from the recorded settings (run_args.h): reads the spec
 * file named by a ["spec", PATH] entry.  Returns a malloc'ed string. */
char *ef_spec_doc_build(const cJSON *record, char *errstr, size_t errsize);

/* Rebuild and validate the spec from a stored document.  s must be
 * initialised (ef_run_spec_init); on failure it may be partly filled. */
int ef_spec_doc_load(ef_run_spec *s, const char *doc, size_t len, char *errstr, size_t errsize);

#endif
