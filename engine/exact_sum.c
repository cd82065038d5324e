/* exact_sum.c - see exact_sum.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exact_sum.h"

void ef_xsum_init(ef_xsum *s) { memset(s, 0, sizeof(*s)); }

/* Propagate carries so every limb but the top lies in [0, 2^32). */
static void normalize(int64_t *l) {
    for (int i = 0; i < EF_XSUM_LIMBS - 1; i++) {
        int64_t carry = l[i] >> 32; /* arithmetic shift: floor division */
        l[i] -= carry * ((int64_t)1 << 32);
        l[i + 1] += carry;
    }
}

void ef_xsum_add(ef_xsum *s, double v) {
    if (!isfinite(v)) {
        s->nonfinite++;
        return;
    }
    if (v == 0.0)
        return;
    int exp;
    double m = frexp(fabs(v), &exp); /* |v| = m * 2^exp, m in [0.5, 1) */
    /* |v| = mant * 2^(exp - 53) with mant a 53-bit integer. */
    uint64_t mant = (uint64_t)ldexp(m, 53);
    int pos = exp - 53 + 1074; /* bit position of mant's lsb, >= 0 */
    if (pos < 0) {             /* subnormal: mant has trailing zeros */
        mant >>= -pos;
        pos = 0;
    }
    int li = pos / 32, sh = pos % 32;
    /* mant << sh spans at most 85 bits: three 32-bit pieces. */
    uint64_t lo = (mant << sh) & 0xffffffffu;
    uint64_t mid = (sh ? (mant >> (32 - sh)) : (mant >> 32)) & 0xffffffffu;
    uint64_t hi = sh ? (mant >> (64 - sh)) : 0;
    int64_t sign = v < 0 ? -1 : 1;
    s->limb[li] += sign * (int64_t)lo;
    s->limb[li + 1] += sign * (int64_t)mid;
    s->limb[li + 2] += sign * (int64_t)hi;
    if (++s->pending >= (1u << 30)) {
        normalize(s->limb);
        s->pending = 0;
    }
}

void ef_xsum_merge(ef_xsum *dst, const ef_xsum *src) {
    ef_xsum tmp = *src;
    normalize(tmp.limb);
    normalize(dst->limb);
    for (int i = 0; i < EF_XSUM_LIMBS; i++)
        dst->limb[i] += tmp.limb[i];
    normalize(dst->limb);
    dst->pending = 0;
    dst->nonfinite += src->nonfinite;
}

double ef_xsum_value(const ef_xsum *s) {
    int64_t l[EF_XSUM_LIMBS];
    memcpy(l, s->limb, sizeof(l));
    normalize(l);
    int neg = l[EF_XSUM_LIMBS - 1] < 0;
    if (neg) { /* negate the two's-complement multi-limb number */
        for (int i = 0; i < EF_XSUM_LIMBS; i++)
            l[i] = -l[i];
        normalize(l);
    }
    int top = EF_XSUM_LIMBS - 1;
    while (top >= 0 && l[top] == 0)
        top--;
    if (top < 0)
        return 0.0;
    /* Gather the 64 most significant bits and a sticky bit for the rest. */
    unsigned __int128 acc = 0;
    int taken = 0, i = top;
    for (; i >= 0 && taken < 3; i--, taken++)
        acc = (acc << 32) | (uint64_t)l[i];
    int low_bit = (i + 1) * 32; /* weight exponent (limb units) of acc's lsb */
    int sticky = 0;
    for (; i >= 0; i--)
        if (l[i])
            sticky = 1;
    /* Left-align acc (96 bits max) into 128 and take the top 64. */
    int lz = 0;
    while (!((acc >> (127 - lz)) & 1))
        lz++;
    acc <<= lz;
    uint64_t hi = (uint64_t)(acc >> 64);
    if ((uint64_t)acc)
        sticky = 1;
    uint64_t mant = hi >> 11;
    uint64_t rem = hi & 0x7ff;
    if (rem > 0x400 || (rem == 0x400 && (sticky || (mant & 1))))
        mant++;
    /* value = hi * 2^(low_bit - 1074 - lz + 64) ... expressed via mant: */
    int e2 = low_bit - 1074 + 128 - lz - 64 + 11;
    double v = ldexp((double)mant, e2);
    return neg ? -v : v;
}

void ef_xsum_to_text(const ef_xsum *s, char *buf) {
    int64_t l[EF_XSUM_LIMBS];
    memcpy(l, s->limb, sizeof(l));
    normalize(l);
    char *p = buf;
    p += sprintf(p, "x1:%llu:", (unsigned long long)s->nonfinite);
    for (int i = 0; i < EF_XSUM_LIMBS; i++)
        p += sprintf(p, i + 1 < EF_XSUM_LIMBS ? "%llx," : "%llx",
                     (unsigned long long)(uint64_t)l[i]);
}

int ef_xsum_from_text(ef_xsum *s, const char *text) {
    ef_xsum_init(s);
    if (strncmp(text, "x1:", 3))
        return -1;
    char *end;
    s->nonfinite = strtoull(text + 3, &end, 10);
    if (*end != ':')
        return -1;
    const char *p = end + 1;
    for (int i = 0; i < EF_XSUM_LIMBS; i++) {
        unsigned long long v = strtoull(p, &end, 16);
        if (end == p)
            return -1;
        s->limb[i] = (int64_t)v;
        p = end;
        if (i + 1 < EF_XSUM_LIMBS) {
            if (*p != ',')
                return -1;
            p++;
        }
    }
    return *p ? -1 : 0;
}
