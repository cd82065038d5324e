/*
 * wordnet_syn.h - the WordNet 3.0 synonym sets NLTK's METEOR uses.
 *
 * ef_wordnet_synonyms(w) gives the set of lemma names without '_' over
 * nltk.corpus.wordnet.synsets(w) (NLTK 3.10): w is lowercased with Python's
 * str.lower(); for each part of speech n, v, a, r, NLTK's morphy gives the
 * candidate forms - w itself plus either w's entries in <pos>.exc or, when w
 * has none, every detachment rule of that part of speech applied once - and
 * every candidate that index.<pos> lists contributes the lemma names of its
 * synsets, read from data.<pos> with the syntactic marker ("(a)", "(p)",
 * "(ip)") stripped and the case kept ("U.S.", "Einstein").  Adjective
 * satellites are reached through index.adj as in NLTK.  The word itself is
 * NOT added unless it is such a lemma name (METEOR adds it).
 *
 * The database is the Debian wordnet-base files (index.*, data.*, *.exc)
 * in $WNSEARCHDIR, else $WNHOME/dict, else /usr/share/wordnet.  Opening
 * reads the index and exception files into memory (~15 MB: a hash table of
 * ~148k lemmas) and maps the data files read-only; after that an ef_wordnet
 * is immutable, so any number of threads may query it concurrently.
 *
 * Memory: an ef_wordnet owns all its memory; ef_wordnet_close() frees it.
 * The process-wide instance of ef_wordnet_get() lives until exit.  Names
 * returned in an ef_wn_names point into the ef_wordnet (valid while it is
 * open) and are NOT NUL-terminated; the ef_wn_names array itself is owned by
 * the caller (reuse it across calls, ef_wn_names_free() at the end).
 */
#ifndef EF_WORDNET_SYN_H
#define EF_WORDNET_SYN_H

#include <stddef.h>
#include <stdint.h>

typedef struct ef_wordnet ef_wordnet;

typedef struct ef_wn_name {
    const char *s; /* lemma name, not NUL-terminated; points into the ef_wordnet */
    uint32_t len;
    uint64_t hash; /* XXH3_64bits(s, len) */
} ef_wn_name;

/* A set of names, sorted by (hash, len, bytes), no duplicates. */
typedef struct ef_wn_names {
    ef_wn_name *v;
    size_t n, cap;
} ef_wn_names;

#define EF_WN_NAMES_INIT                                                                           \
    { 0 }

/* The directory ef_wordnet_get() reads: $WNSEARCHDIR, else $WNHOME/dict,
 * else /usr/share/wordnet.  Writes it to buf (NUL-terminated, truncated to
 * size) and returns buf. */
const char *ef_wordnet_default_dir(char *buf, size_t size);

/* Opens the WordNet 3.0 database in dir (NULL: ef_wordnet_default_dir()).
 * On error returns NULL with a message naming the file and the Debian
 * package in errstr. */
ef_wordnet *ef_wordnet_open(const char *dir, char *errstr, size_t errstr_size);
void ef_wordnet_close(ef_wordnet *wn);

/* The process-wide database, opened once (pthread_once) from the default
 * directory.  NULL with errstr set (every call) if that failed. */
const ef_wordnet *ef_wordnet_get(char *errstr, size_t errstr_size);

/* Replaces out's contents with the synonym set of w[0..n) (see above).
 * Returns 0, or -1 on out of memory. */
int ef_wordnet_synonyms(const ef_wordnet *wn, const char *w, size_t n, ef_wn_names *out);

/* Same for a w that is already lowercase (ef_pylower(w) == w): skips the
 * lowercasing. */
int ef_wordnet_synonyms_lowered(const ef_wordnet *wn, const char *w, size_t n, ef_wn_names *out);

/* 1 if out holds the name s[0..n) with hash h (binary search). */
int ef_wn_names_contains(const ef_wn_names *names, const char *s, size_t n, uint64_t h);

void ef_wn_names_free(ef_wn_names *names);

/* Number of distinct lemmas in the index (for tests and diagnostics). */
size_t ef_wordnet_lemma_count(const ef_wordnet *wn);

#endif
