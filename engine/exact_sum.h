/*
 * exact_sum.h - an exact, order-independent sum of doubles.
 *
 * A fixed-point accumulator wide enough for every finite double (2,100 bits
 * in 32-bit limbs held in int64 with lazy carries).  Adding values in any
 * order, or merging partial sums computed on different machines, gives the
 * same limbs and therefore the same final double, bit for bit.  The final
 * value is the exact sum rounded to nearest (ties to even) for normal results.
 * Plain value type: no allocation.
 */
#ifndef EF_EXACT_SUM_H
#define EF_EXACT_SUM_H

#include <stdint.h>

#define EF_XSUM_LIMBS 70

typedef struct ef_xsum {
    int64_t limb[EF_XSUM_LIMBS]; /* limb i weighs 2^(32*i - 1074) */
    uint32_t pending;            /* adds since the last carry propagation */
    uint64_t nonfinite;          /* NaN/inf values offered and skipped */
} ef_xsum;

void ef_xsum_init(ef_xsum *s);
/* Adds v; NaN and infinities are counted in nonfinite and not added. */
void ef_xsum_add(ef_xsum *s, double v);
void ef_xsum_merge(ef_xsum *dst, const ef_xsum *src);
double ef_xsum_value(const ef_xsum *s);
/* Canonical text form (for the fleet's partial aggregates): hex limbs.
 * buf needs EF_XSUM_TEXT_MAX bytes. Parse returns 0 or -1. */
#define EF_XSUM_TEXT_MAX (EF_XSUM_LIMBS * 9 + 32)
void ef_xsum_to_text(const ef_xsum *s, char *buf);
int ef_xsum_from_text(ef_xsum *s, const char *text);

#endif
