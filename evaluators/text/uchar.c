/* uchar.c - see uchar.h. */
#include "uchar.h"

#include <utf8proc.h>

#include "unicode_space.h"

/* Generated from the reference interpreter (regex \s, str.isspace(), regex \w,
 * re \w, regex \d, str.isupper(), str.islower(), unicodedata general categories N, P, S). */
const uint16_t ef_uc_ascii[128] = {
    [0x09] = EF_UC_RX_SPACE | EF_UC_PY_SPACE,
    [0x0A] = EF_UC_RX_SPACE | EF_UC_PY_SPACE,
    [0x0B] = EF_UC_RX_SPACE | EF_UC_PY_SPACE,
    [0x0C] = EF_UC_RX_SPACE | EF_UC_PY_SPACE,
    [0x0D] = EF_UC_RX_SPACE | EF_UC_PY_SPACE,
    [0x1C] = EF_UC_PY_SPACE,
    [0x1D] = EF_UC_PY_SPACE,
    [0x1E] = EF_UC_PY_SPACE,
    [0x1F] = EF_UC_PY_SPACE,
    [0x20] = EF_UC_RX_SPACE | EF_UC_PY_SPACE,                            /* ' ' */
    [0x21] = EF_UC_NIST_P,                                               /* '!' */
    [0x22] = EF_UC_NIST_P,                                               /* '"' */
    [0x23] = EF_UC_NIST_P,                                               /* '#' */
    [0x24] = EF_UC_NIST_S,                                               /* '$' */
    [0x25] = EF_UC_NIST_P,                                               /* '%' */
    [0x26] = EF_UC_NIST_P,                                               /* '&' */
    [0x27] = EF_UC_NIST_P,                                               /* "'" */
    [0x28] = EF_UC_NIST_P,                                               /* '(' */
    [0x29] = EF_UC_NIST_P,                                               /* ')' */
    [0x2A] = EF_UC_NIST_P,                                               /* '*' */
    [0x2B] = EF_UC_NIST_S,                                               /* '+' */
    [0x2C] = EF_UC_NIST_P,                                               /* ',' */
    [0x2D] = EF_UC_NIST_P,                                               /* '-' */
    [0x2E] = EF_UC_NIST_P,                                               /* '.' */
    [0x2F] = EF_UC_NIST_P,                                               /* '/' */
    [0x30] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_DIGIT | EF_UC_NIST_N, /* '0' */
    [0x31] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_DIGIT | EF_UC_NIST_N, /* '1' */
    [0x32] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_DIGIT | EF_UC_NIST_N, /* '2' */
    [0x33] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_DIGIT | EF_UC_NIST_N, /* '3' */
    [0x34] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_DIGIT | EF_UC_NIST_N, /* '4' */
    [0x35] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_DIGIT | EF_UC_NIST_N, /* '5' */
    [0x36] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_DIGIT | EF_UC_NIST_N, /* '6' */
    [0x37] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_DIGIT | EF_UC_NIST_N, /* '7' */
    [0x38] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_DIGIT | EF_UC_NIST_N, /* '8' */
    [0x39] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_DIGIT | EF_UC_NIST_N, /* '9' */
    [0x3A] = EF_UC_NIST_P,                                               /* ':' */
    [0x3B] = EF_UC_NIST_P,                                               /* ';' */
    [0x3C] = EF_UC_NIST_S,                                               /* '<' */
    [0x3D] = EF_UC_NIST_S,                                               /* '=' */
    [0x3E] = EF_UC_NIST_S,                                               /* '>' */
    [0x3F] = EF_UC_NIST_P,                                               /* '?' */
    [0x40] = EF_UC_NIST_P,                                               /* '@' */
    [0x41] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'A' */
    [0x42] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'B' */
    [0x43] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'C' */
    [0x44] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'D' */
    [0x45] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'E' */
    [0x46] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'F' */
    [0x47] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'G' */
    [0x48] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'H' */
    [0x49] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'I' */
    [0x4A] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'J' */
    [0x4B] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'K' */
    [0x4C] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'L' */
    [0x4D] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'M' */
    [0x4E] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'N' */
    [0x4F] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'O' */
    [0x50] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'P' */
    [0x51] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'Q' */
    [0x52] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'R' */
    [0x53] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'S' */
    [0x54] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'T' */
    [0x55] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'U' */
    [0x56] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'V' */
    [0x57] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'W' */
    [0x58] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'X' */
    [0x59] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'Y' */
    [0x5A] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_UPPER,                /* 'Z' */
    [0x5B] = EF_UC_NIST_P,                                               /* '[' */
    [0x5C] = EF_UC_NIST_P,                                               /* backslash */
    [0x5D] = EF_UC_NIST_P,                                               /* ']' */
    [0x5E] = EF_UC_NIST_S,                                               /* '^' */
    [0x5F] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_NIST_P,               /* '_' */
    [0x60] = EF_UC_NIST_S,                                               /* '`' */
    [0x61] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'a' */
    [0x62] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'b' */
    [0x63] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'c' */
    [0x64] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'd' */
    [0x65] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'e' */
    [0x66] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'f' */
    [0x67] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'g' */
    [0x68] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'h' */
    [0x69] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'i' */
    [0x6A] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'j' */
    [0x6B] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'k' */
    [0x6C] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'l' */
    [0x6D] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'm' */
    [0x6E] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'n' */
    [0x6F] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'o' */
    [0x70] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'p' */
    [0x71] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'q' */
    [0x72] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'r' */
    [0x73] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 's' */
    [0x74] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 't' */
    [0x75] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'u' */
    [0x76] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'v' */
    [0x77] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'w' */
    [0x78] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'x' */
    [0x79] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'y' */
    [0x7A] = EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_LOWER,                /* 'z' */
    [0x7B] = EF_UC_NIST_P,                                               /* '{' */
    [0x7C] = EF_UC_NIST_S,                                               /* '|' */
    [0x7D] = EF_UC_NIST_P,                                               /* '}' */
    [0x7E] = EF_UC_NIST_S,                                               /* '~' */
};

#include "uchar_tables.inc"

static bool in_ranges(const uint32_t (*r)[2], size_t n, uint32_t cp) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid][0])
            hi = mid;
        else if (cp > r[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

#define IN_TABLE(t, cp) in_ranges(t, sizeof(t) / sizeof(t[0]), cp)

/* Other_Alphabetic symbols that `regex` counts as \w (circled letters). */
static bool is_alphabetic_symbol(uint32_t cp) {
    return (cp >= 0x24B6 && cp <= 0x24E9) || (cp >= 0x1F130 && cp <= 0x1F149) ||
           (cp >= 0x1F150 && cp <= 0x1F169) || (cp >= 0x1F170 && cp <= 0x1F189);
}

/* Modifier letters that became Other_Lowercase in Unicode 15.0, so
 * utf8proc calls them lowercase but the reference's str.islower() (Unicode
 * 14.0) does not.  With this, the UPPER/LOWER bits equal str.isupper() and
 * str.islower() for every code point (checked exhaustively). */
static bool lowercase_since_ucd15(uint32_t cp) {
    return cp == 0x10FC || (cp >= 0xA7F2 && cp <= 0xA7F4) || cp == 0xAB69;
}

#define PY_CLASSES                                                                                 \
    (EF_UC_RE_WORD | EF_UC_UPPER | EF_UC_LOWER | EF_UC_NIST_N | EF_UC_NIST_P | EF_UC_NIST_S)

unsigned ef_uc_class_slow(uint32_t cp) {
    if (cp < 128)
        return ef_uc_ascii[cp];
    if (cp > 0x10FFFF)
        return 0;
    if (ef_unicode_space_above_ascii(cp))
        return EF_UC_RX_SPACE | EF_UC_PY_SPACE;
    unsigned f = 0;
    utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
    switch (cat) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        f |= EF_UC_RX_WORD | EF_UC_RE_WORD;
        break;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_PC:
        f |= EF_UC_RX_WORD;
        break;
    case UTF8PROC_CATEGORY_ND:
        f |= EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_DIGIT | EF_UC_NIST_N;
        break;
    case UTF8PROC_CATEGORY_NL:
        f |= EF_UC_RX_WORD | EF_UC_RE_WORD | EF_UC_NIST_N;
        break;
    case UTF8PROC_CATEGORY_NO:
        f |= EF_UC_RE_WORD | EF_UC_NIST_N;
        break;
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
        f |= EF_UC_NIST_P;
        break;
    case UTF8PROC_CATEGORY_SM:
    case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO:
        f |= EF_UC_NIST_S;
        if (is_alphabetic_symbol(cp))
            f |= EF_UC_RX_WORD;
        break;
    case UTF8PROC_CATEGORY_CN:
        /* newer than utf8proc's tables: `regex` may know the character */
        if (IN_TABLE(rx_word_extra, cp))
            f |= EF_UC_RX_WORD;
        if (IN_TABLE(rx_digit_extra, cp))
            f |= EF_UC_DIGIT;
        break;
    default:
        if (cp == 0x200C || cp == 0x200D) /* join controls */
            f |= EF_UC_RX_WORD;
        break;
    }
    if (cat == UTF8PROC_CATEGORY_PC)
        f |= EF_UC_NIST_P;
    if (f & EF_UC_RX_WORD) {
        if (utf8proc_isupper((utf8proc_int32_t)cp))
            f |= EF_UC_UPPER;
        else if (utf8proc_islower((utf8proc_int32_t)cp) && !lowercase_since_ucd15(cp))
            f |= EF_UC_LOWER;
    }
    /* The classes Python itself computes (re \w, str.isupper/islower, the
     * perluniprops lists) come from its Unicode 14.0 tables: characters
     * assigned later are none of them there. */
    if ((f & PY_CLASSES) && cp >= 0x378 && IN_TABLE(ucd14_unassigned, cp))
        f &= ~(unsigned)PY_CLASSES;
    return f;
}

uint32_t ef_uc_tolower(uint32_t cp) {
    if (cp < 128)
        return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    if (cp > 0x10FFFF)
        return cp;
    return (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
}

size_t ef_u8_encode(uint32_t cp, char *out) {
    /* utf8proc writes 1-4 bytes for any code point up to U+10FFFF. */
    return (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t *)out);
}
