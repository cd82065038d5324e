/*
 * treebank.h - NLTK 3.10.4's NLTKWordTokenizer (the "improved Treebank" word
 * tokenizer that nltk.word_tokenize() applies to each sentence), with its
 * default options (no parenthesis conversion).
 *
 * The reference is a fixed sequence of regular-expression substitutions
 * followed by a whitespace split; each substitution is done here by a
 * hand-written pass between two scratch buffers owned by the ef_treebank.
 * One ef_treebank serves one thread.  Tokens are copied into the caller's
 * ef_tokens.
 */
#ifndef EF_TREEBANK_H
#define EF_TREEBANK_H

#include <stddef.h>

#include "tokens.h"

typedef struct ef_treebank ef_treebank;

ef_treebank *ef_treebank_new(void);     /* NULL on OOM */
void ef_treebank_free(ef_treebank *tb); /* NULL is fine */

/* Tokenize one sentence s[0..n) (UTF-8) and append the tokens to out.
 * Returns 0, or -1 on out of memory / token cap. */
int ef_treebank_tokenize(ef_treebank *tb, const char *s, size_t n, ef_tokens *out);

#endif
