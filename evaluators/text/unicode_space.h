/*
 * unicode_space.h - the White_Space code points above ASCII.  Python's
 * str.isspace() and the `regex` module's \s agree on these (they differ only
 * inside ASCII), so the F1 normaliser and the tokenizer share this one list.
 * Pure function, no state.
 */
#ifndef EF_UNICODE_SPACE_H
#define EF_UNICODE_SPACE_H

#include <stdbool.h>
#include <stdint.h>

static inline bool ef_unicode_space_above_ascii(uint32_t cp) {
    switch (cp) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

#endif
