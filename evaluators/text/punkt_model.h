/*
 * punkt_model.h - the trained Punkt parameters (abbreviation types,
 * collocations, frequent sentence starters, orthographic contexts) loaded
 * from the embedded data file evaluators/text/data/punkt_english.txt.
 *
 * ef_punkt_model_load() parses the text into hash tables.  The model keeps
 * pointers into the data it was given, so that data must outlive the model
 * (the embedded array is static).  The model is immutable after loading and
 * may be read from several threads; ef_punkt_model_free() releases it.
 */
#ifndef EF_PUNKT_MODEL_H
#define EF_PUNKT_MODEL_H

#include <stdbool.h>
#include <stddef.h>

/* Orthographic context flags (bit values of the trained model). */
enum {
    EF_ORTHO_BEG_UC = 1 << 1,
    EF_ORTHO_MID_UC = 1 << 2,
    EF_ORTHO_UNK_UC = 1 << 3,
    EF_ORTHO_BEG_LC = 1 << 4,
    EF_ORTHO_MID_LC = 1 << 5,
    EF_ORTHO_UNK_LC = 1 << 6,
    EF_ORTHO_UC = EF_ORTHO_BEG_UC | EF_ORTHO_MID_UC | EF_ORTHO_UNK_UC,
    EF_ORTHO_LC = EF_ORTHO_BEG_LC | EF_ORTHO_MID_LC | EF_ORTHO_UNK_LC,
};

typedef struct ef_punkt_model ef_punkt_model;

/* Parse data[0..len).  NULL on failure with a message in err. */
ef_punkt_model *ef_punkt_model_load(const char *data, size_t len, char *err, size_t errsz);
void ef_punkt_model_free(ef_punkt_model *m); /* NULL is fine */

bool ef_punkt_model_is_abbrev(const ef_punkt_model *m, const char *s, size_t n);
bool ef_punkt_model_is_sent_starter(const ef_punkt_model *m, const char *s, size_t n);
bool ef_punkt_model_is_collocation(const ef_punkt_model *m, const char *a, size_t an, const char *b,
                                   size_t bn);
/* Orthographic context bits of a type; 0 when unknown. */
int ef_punkt_model_ortho(const ef_punkt_model *m, const char *s, size_t n);

#endif
