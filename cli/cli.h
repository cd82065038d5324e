/* cli.h - subcommand entry points of the one evalfleet binary. */
#ifndef EF_CLI_H
#define EF_CLI_H

int ef_cmd_run(int argc, char **argv);
int ef_cmd_help(int argc, char **argv);
int ef_cmd_evaluators(int argc, char **argv);
int ef_cmd_compare(int argc, char **argv);
int ef_cmd_produce(int argc, char **argv);
int ef_cmd_worker(int argc, char **argv);
int ef_cmd_aggregate(int argc, char **argv);
int ef_cmd_status(int argc, char **argv);
int ef_cmd_results(int argc, char **argv);

#include <stdio.h>
/* The fleet flags' section of docs/configuration.md. */
void ef_fleet_options_markdown(FILE *f);

#endif
