/*
 * porter_nltk.h - NLTK's PorterStemmer (mode NLTK_EXTENSIONS, NLTK 3.10) and
 * Python's str.lower(), on UTF-8 strings.
 *
 * ef_porter_stem() returns what nltk.stem.porter.PorterStemmer().stem(word)
 * returns: the word lowercased with Python's str.lower(); the irregular-forms
 * pool (sky/skies, dying, lying, tying, news, innings, outings, cannings,
 * howe, proceed, exceed, succeed) looked up on the lowercased word; words of
 * at most 2 code points returned lowercased and otherwise unchanged; then
 * steps 1a..5b with NLTK's departures from the original algorithm ("ies"/"ied"
 * on 4-letter words give "ie", step 1c turns y into i only after a consonant
 * in a stem longer than one letter, step 2 recurses on "alli" and has the
 * "bli", "fulli" and "logi" rules, a 2-letter stem can end in cvc).  Lengths
 * and positions count Unicode code points, as Python does; only a, e, i, o, u
 * are vowels (y by position), every other code point is a consonant.  The
 * rule table's literal "*d" suffix quirk of NLTK is reproduced too
 * ("a*ding" -> "ad").
 *
 * Why not Debian's libstemmer (Snowball): its "porter" stemmer is the
 * original algorithm and "english" is Porter2; neither has NLTK's pool,
 * short-word rule, "ies"/"ied"/"alli"/"fulli"/"logi" extensions or Python's
 * Unicode lowercasing.  On tests/data/porter_vectors.jsonl (119,353 words)
 * Snowball "porter" disagrees with NLTK on 11,725 words, 2,419 of them among
 * the 109,314 lowercase ASCII ones ("is" -> "i", "ties" -> "ti", "dying" ->
 * "dy", "skies" -> "ski"), and "english" on 12,654 (3,347 lowercase ASCII:
 * "succeeds" -> "succeed", "generalli" -> "general").  So this is a
 * hand-written implementation, checked against every word of that file.
 *
 * ef_pylower() is Python 3.11's str.lower() (Unicode 14): utf8proc 2.8's
 * simple lowercase mapping (equal to Python's for every code point but
 * U+0130), U+0130 -> "i" U+0307, and the final-sigma rule for U+03A3 (Cased
 * and Case_Ignorable tables generated from CPython by
 * tests/tools/gen_meteor_vectors.py tables).  Bytes that are not valid UTF-8
 * (impossible in a Python str) are copied unchanged and count as one
 * uncased, non-ignorable consonant each.
 *
 * Memory: every function writes into a buffer the caller owns; nothing is
 * allocated except temporary buffers for words longer than 254 bytes
 * (stack buffers cover shorter ones).  All functions are thread-safe (no global mutable state).
 */
#ifndef EF_PORTER_NLTK_H
#define EF_PORTER_NLTK_H

#include <stddef.h>

/* Output bytes ef_pylower() may need for n input bytes (lowercasing grows a
 * UTF-8 string by at most half: U+0130 is 2 bytes, its lowercase 3). */
#define EF_PYLOWER_MAX(n) ((n) + (n) / 2 + 1)
/* Output bytes ef_porter_stem*() may need for n input bytes (incl. NUL). */
#define EF_PORTER_MAX(n) ((n) + (n) / 2 + 4)

/* Python str.lower() of s[0..n) into out (room for EF_PYLOWER_MAX(n) bytes);
 * returns the output length.  out is not NUL-terminated; it must not
 * overlap s. */
size_t ef_pylower(const char *s, size_t n, char *out);

/* 1 if ef_pylower(s) == s (fast check, ASCII path without copying). */
int ef_pylower_is_identity(const char *s, size_t n);

/* PorterStemmer().stem(word): lowercases first.  Writes the NUL-terminated
 * stem to out (cap bytes; EF_PORTER_MAX(n) always suffice) and returns its
 * length, or -1 if cap is too small or memory ran out. */
long ef_porter_stem(const char *word, size_t n, char *out, size_t cap);

/* PorterStemmer().stem(word, to_lowercase=False): for a word that is already
 * lowercase (what METEOR passes).  Same output contract. */
long ef_porter_stem_nolower(const char *word, size_t n, char *out, size_t cap);

#endif
