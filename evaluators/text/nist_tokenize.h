/*
 * nist_tokenize.h - NISTTokenizer().international_tokenize(text) of NLTK
 * 3.10.4 with its defaults (lowercase=False, split_non_ascii=True,
 * return_str=False): strip "<skipped>", turn U+2028 into a space, undo the
 * XML escapes, pad ASCII runs, split punctuation next to numbers, pad
 * symbols, then split on whitespace.  The Number/Punctuation/Symbol classes
 * are the reference's (Unicode 14.0 general categories N*, P*, S*).
 *
 * An ef_nist owns two scratch buffers; one ef_nist serves one thread.
 * Tokens are copied into the caller's ef_tokens.
 */
#ifndef EF_NIST_TOKENIZE_H
#define EF_NIST_TOKENIZE_H

#include <stddef.h>

#include "tokens.h"

typedef struct ef_nist ef_nist;

ef_nist *ef_nist_new(void);     /* NULL on OOM */
void ef_nist_free(ef_nist *nt); /* NULL is fine */

/* Tokenize s[0..n) (UTF-8) and append the tokens to out.
 * Returns 0, or -1 on out of memory / token cap. */
int ef_nist_tokenize(ef_nist *nt, const char *s, size_t n, ef_tokens *out);

#endif
