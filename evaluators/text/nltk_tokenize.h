/*
 * nltk_tokenize.h - azure-ai-evaluation's nltk_tokenize() in C, token for
 * token equal to NLTK 3.10.4:
 *
 *     def nltk_tokenize(text):
 *         if not text.isascii(): tokens = NISTTokenizer().international_tokenize(text)
 *         else:                  tokens = nltk.word_tokenize(text)
 *         return list(tokens)
 *
 * nltk.word_tokenize() is Punkt sentence splitting with the embedded English
 * model (punkt.h) followed by NLTKWordTokenizer on every sentence
 * (treebank.h); the NIST side is nist_tokenize.h.  No regular-expression
 * engine is involved: every NLTK pattern is re-stated as a hand-written scan
 * with the same match semantics, so "compiling patterns" in
 * ef_tokenizer_new() amounts to parsing the embedded Punkt model.
 *
 * Threading and memory: an ef_tokenizer owns the parsed Punkt model and
 * scratch buffers that every call reuses, so use one ef_tokenizer per thread
 * (calls on one tokenizer must not overlap).  Tokens are copied into the
 * caller's ef_tokens, which the caller owns and resets; nothing returned
 * points into the tokenizer.
 */
#ifndef EF_NLTK_TOKENIZE_H
#define EF_NLTK_TOKENIZE_H

#include <stddef.h>

#include "tokens.h"

typedef struct ef_tokenizer ef_tokenizer;

/* Compiles patterns, loads the embedded punkt model. NULL on failure with a message in errstr. */
ef_tokenizer *ef_tokenizer_new(char *errstr, size_t errstr_size);
void ef_tokenizer_destroy(ef_tokenizer *tk); /* NULL is fine */

/* The reference nltk_tokenize(): appends tokens to out (caller resets it). text must be valid
 * UTF-8 (caller validates). Returns 0, or -1 on out of memory / token cap. */
int ef_tokenize_nltk(ef_tokenizer *tk, const char *text, size_t len, ef_tokens *out);

/* The two halves, also used by the tests: */
/* nltk.word_tokenize(text) (language="english", preserve_line=False) */
int ef_tokenize_word(ef_tokenizer *tk, const char *text, size_t len, ef_tokens *out);
/* NISTTokenizer().international_tokenize(text) */
int ef_tokenize_nist_intl(ef_tokenizer *tk, const char *text, size_t len, ef_tokens *out);

#endif
