/*
 * run_args.h - the command line of a run (`evalfleet run`, `evalfleet
 * produce`): a spec file and the option table's flags, applied to an
 * ef_run_spec.
 *
 * With record non-NULL, every applied setting is appended to it as
 * ["option", "value"] in application order (["spec", PATH] for a spec file),
 * so that the fleet can store the run as given and every worker rebuild the
 * same spec through the same code (spec_doc.h).
 */
#ifndef EF_RUN_ARGS_H
#define EF_RUN_ARGS_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "spec.h"

/* Returns 0, 1 after printing help (usage(stdout)), or 2 on bad usage (the
 * message printed, prefixed "evalfleet CMD:"). */
int ef_run_args_parse(const char *cmd, int argc, char **argv, ef_run_spec *spec,
                      void (*usage)(FILE *f), cJSON *record);

#endif
