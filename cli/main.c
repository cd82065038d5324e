/*
 * main.c - the evalfleet command: dispatches to a subcommand.
 * Fleet subcommands (produce, worker, aggregate, status, results) arrive with
 * the fleet; they are listed so that users see the shape of the tool.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "evaluator.h"
#include "options.h"

#define EF_VERSION "0.1.0"

static void usage(FILE *f) {
    fputs("usage: evalfleet <command> [options]\n\n"
          "commands:\n"
          "  run          evaluate a JSONL dataset on this machine (local mode)\n"
          "  compare      metrics of two results side by side (jailbreak defect-rate deltas)\n"
          "  evaluators   list evaluators with their inputs, outputs and parameters\n"
          "  produce      fleet: store a run in Redis and publish its rows to Kafka\n"
          "  worker       fleet: evaluate rows from Kafka (stateless, any run)\n"
          "  aggregate    fleet: reduce results into exact metrics and result files\n"
          "  status       fleet: progress, rate, ETA, partial metrics and errors of a run\n"
          "  results      fleet: write a run's result files from Redis (partial while running)\n"
          "  help         this text; `help --markdown` prints docs/configuration.md\n"
          "  version      print the version\n\n"
          "`evalfleet <command> --help` describes a command.\n",
          f);
}

static void print_evaluators(FILE *f, int markdown) {
    if (markdown)
        fputs("\n## Evaluators\n\nParameters are set with `--set NAME.PARAM=VALUE` or as keys of "
              "the evaluator's entry in the spec's `evaluators:` list.\n",
              f);
    for (const ef_evaluator_def *const *d = ef_evaluator_all(); *d; d++) {
        const ef_evaluator_def *e = *d;
        if (markdown)
            fprintf(f, "\n### `%s`\n\n%s.\n\n- inputs:", e->type, e->summary);
        else
            fprintf(f, "%s\n  %s\n  inputs:", e->type, e->summary);
        for (const ef_input_def *in = e->inputs; in->name; in++)
            fprintf(f, markdown ? " `%s`%s" : " %s%s", in->name, in->required ? "" : " (optional)");
        fputs(markdown ? "\n- outputs:" : "\n  outputs:", f);
        for (const char *const *o = e->outputs; *o; o++)
            fprintf(f, markdown ? " `%s`" : " %s", *o);
        fputc('\n', f);
        if (markdown && e->params[0].name)
            fputs("\n| parameter | default | meaning |\n| --- | --- | --- |\n", f);
        for (const ef_param_def *p = e->params; p->name; p++) {
            if (markdown)
                fprintf(f, "| `%s` | `%s` | %s |\n", p->name, p->def, p->desc);
            else
                fprintf(f, "  --set %s.%s=%s  (%s)\n", e->type, p->name, p->def, p->desc);
        }
    }
}

int ef_cmd_evaluators(int argc, char **argv) {
    (void)argc;
    (void)argv;
    print_evaluators(stdout, 0);
    return 0;
}

int ef_cmd_help(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--markdown")) {
        ef_options_markdown(stdout);
        ef_fleet_options_markdown(stdout);
        print_evaluators(stdout, 1);
        return 0;
    }
    usage(stdout);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "run"))
        return ef_cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "compare"))
        return ef_cmd_compare(argc - 1, argv + 1);
    if (!strcmp(cmd, "evaluators"))
        return ef_cmd_evaluators(argc - 1, argv + 1);
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } fleet[] = {{"produce", ef_cmd_produce},
                 {"worker", ef_cmd_worker},
                 {"aggregate", ef_cmd_aggregate},
                 {"status", ef_cmd_status},
                 {"results", ef_cmd_results}};
    for (size_t i = 0; i < sizeof(fleet) / sizeof(*fleet); i++)
        if (!strcmp(cmd, fleet[i].name))
            return fleet[i].fn(argc - 1, argv + 1);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
        return ef_cmd_help(argc - 1, argv + 1);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("evalfleet %s\n", EF_VERSION);
        return 0;
    }
    fprintf(stderr, "evalfleet: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
