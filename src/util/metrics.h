/* util/metrics.h: the pieces of Prometheus text exposition (format 0.0.4): a latency histogram
 * with fixed buckets, and writers for HELP/TYPE heads, samples and label values. Counters are
 * plain uint64_t fields of whoever counts; this file only renders. Nothing here allocates but
 * the output buffer. */
#ifndef VPND_UTIL_METRICS_H
#define VPND_UTIL_METRICS_H

#include <stdint.h>

#include "util/buf.h"

/* Bucket upper bounds in microseconds: 100 us to 10 s (and +Inf). */
#define METRICS_BUCKETS 16

struct metrics_hist {
    uint64_t bucket[METRICS_BUCKETS + 1]; /* not cumulative; the last is +Inf */
    uint64_t count;
    uint64_t sum_us;
};

void metrics_hist_observe(struct metrics_hist *h, uint64_t usec);

/* "# HELP name help\n# TYPE name type\n". Returns 0 or -ENOMEM (as all below). */
int metrics_head(struct buf *out, const char *name, const char *type, const char *help);
/* "name{labels} value\n" (labels: "" or 'k="v",k2="v2"', already escaped). */
int metrics_sample(struct buf *out, const char *name, const char *labels, uint64_t value);
int metrics_sample_f(struct buf *out, const char *name, const char *labels, double value);
/* The _bucket, _sum and _count lines of h (labels as above; "le" is added). */
int metrics_hist_write(struct buf *out, const char *name, const char *labels,
                       const struct metrics_hist *h);
/* Writes v escaped for a label value (\\, \" and \n; other control bytes as '?') into out,
 * cut to fit outlen. */
void metrics_label_escape(const char *v, char *out, size_t outlen);

#endif
