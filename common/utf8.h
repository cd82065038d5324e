/*
 * utf8.h - strict UTF-8 validation (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF).  Pure function, no allocation.
 */
#ifndef EF_UTF8_H
#define EF_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* true if s[0..len) is valid UTF-8; otherwise false and *bad_at (if non-NULL)
 * is the offset of the first invalid byte. */
bool ef_utf8_valid(const char *s, size_t len, size_t *bad_at);
/* true if every byte is < 0x80 (Python's str.isascii()). */
bool ef_is_ascii(const char *s, size_t len);

#endif
