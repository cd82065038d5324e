/* registry.c - the built-in evaluator kinds, by name (see evaluator.h). */
#include <string.h>

#include "evaluator.h"

extern const ef_evaluator_def ef_eval_f1_score, ef_eval_bleu, ef_eval_gleu, ef_eval_meteor,
    ef_eval_rouge;

static const ef_evaluator_def *const ef_builtin[] = {
    &ef_eval_f1_score, &ef_eval_bleu, &ef_eval_gleu, &ef_eval_meteor, &ef_eval_rouge, NULL,
};

const ef_evaluator_def *const *ef_evaluator_all(void) { return ef_builtin; }

const ef_evaluator_def *ef_evaluator_find(const char *type) {
    for (const ef_evaluator_def *const *d = ef_builtin; *d; d++)
        if (!strcmp((*d)->type, type))
            return *d;
    return NULL;
}
