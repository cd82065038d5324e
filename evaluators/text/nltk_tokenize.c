/* nltk_tokenize.c - see nltk_tokenize.h. */
#include "nltk_tokenize.h"

#include <stdio.h>
#include <stdlib.h>

#include "nist_tokenize.h"
#include "punkt.h"
#include "punkt_model.h"
#include "treebank.h"

/* evaluators/text/data/punkt_english.txt, embedded by ef_embed(). */
extern const unsigned char ef_punkt_english[];
extern const size_t ef_punkt_english_len;

struct ef_tokenizer {
    ef_punkt_model *model;
    ef_punkt *punkt;
    ef_treebank *treebank;
    ef_nist *nist;
};

ef_tokenizer *ef_tokenizer_new(char *errstr, size_t errstr_size) {
    ef_tokenizer *tk = calloc(1, sizeof(*tk));
    if (!tk) {
        if (errstr && errstr_size)
            snprintf(errstr, errstr_size, "tokenizer: out of memory");
        return NULL;
    }
    tk->model = ef_punkt_model_load((const char *)ef_punkt_english, ef_punkt_english_len, errstr,
                                    errstr_size);
    if (!tk->model) {
        ef_tokenizer_destroy(tk);
        return NULL;
    }
    tk->punkt = ef_punkt_new(tk->model);
    tk->treebank = ef_treebank_new();
    tk->nist = ef_nist_new();
    if (!tk->punkt || !tk->treebank || !tk->nist) {
        if (errstr && errstr_size)
            snprintf(errstr, errstr_size, "tokenizer: out of memory");
        ef_tokenizer_destroy(tk);
        return NULL;
    }
    return tk;
}

void ef_tokenizer_destroy(ef_tokenizer *tk) {
    if (!tk)
        return;
    ef_nist_free(tk->nist);
    ef_treebank_free(tk->treebank);
    ef_punkt_free(tk->punkt);
    ef_punkt_model_free(tk->model);
    free(tk);
}

int ef_tokenize_word(ef_tokenizer *tk, const char *text, size_t len, ef_tokens *out) {
    const ef_span *sents;
    size_t nsents;
    if (len == 0)
        return 0;
    if (ef_punkt_split(tk->punkt, text, len, &sents, &nsents) < 0)
        return -1;
    for (size_t i = 0; i < nsents; i++)
        if (ef_treebank_tokenize(tk->treebank, text + sents[i].start, sents[i].end - sents[i].start,
                                 out) < 0)
            return -1;
    return 0;
}

int ef_tokenize_nist_intl(ef_tokenizer *tk, const char *text, size_t len, ef_tokens *out) {
    return ef_nist_tokenize(tk->nist, text, len, out);
}

int ef_tokenize_nltk(ef_tokenizer *tk, const char *text, size_t len, ef_tokens *out) {
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] >= 0x80)
            return ef_tokenize_nist_intl(tk, text, len, out);
    return ef_tokenize_word(tk, text, len, out);
}
