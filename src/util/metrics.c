/* util/metrics.c: Prometheus text exposition helpers (metrics.h). */
#include "util/metrics.h"

#include <inttypes.h>
#include <stddef.h>

static const uint64_t bounds_us[METRICS_BUCKETS] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
    1000000, 2500000, 5000000, 10000000,
};
static const char *const bounds_text[METRICS_BUCKETS] = {
    "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
    "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10",
};

void metrics_hist_observe(struct metrics_hist *h, uint64_t usec)
{
    size_t i = 0;

    while (i < METRICS_BUCKETS && usec > bounds_us[i])
        i++;
    h->bucket[i]++;
    h->count++;
    h->sum_us += usec;
}

int metrics_head(struct buf *out, const char *name, const char *type, const char *help)
{
    return buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int metrics_sample(struct buf *out, const char *name, const char *labels, uint64_t value)
{
    if (!labels[0])
        return buf_printf(out, "%s %" PRIu64 "\n", name, value);
    return buf_printf(out, "%s{%s} %" PRIu64 "\n", name, labels, value);
}

int metrics_sample_f(struct buf *out, const char *name, const char *labels, double value)
{
    if (!labels[0])
        return buf_printf(out, "%s %.6f\n", name, value);
    return buf_printf(out, "%s{%s} %.6f\n", name, labels, value);
}

int metrics_hist_write(struct buf *out, const char *name, const char *labels,
                       const struct metrics_hist *h)
{
    const char *sep = labels[0] ? "," : "";
    uint64_t cum = 0;
    int r = 0;

    for (size_t i = 0; r == 0 && i <= METRICS_BUCKETS; i++) {
        cum += h->bucket[i];
        r = buf_printf(out, "%s_bucket{%s%sle=\"%s\"} %" PRIu64 "\n", name, labels, sep,
                       i < METRICS_BUCKETS ? bounds_text[i] : "+Inf", cum);
    }
    if (r == 0)
        r = buf_printf(out, "%s_sum%s%s%s %.6f\n", name, labels[0] ? "{" : "", labels,
                       labels[0] ? "}" : "", (double)h->sum_us / 1e6);
    if (r == 0)
        r = buf_printf(out, "%s_count%s%s%s %" PRIu64 "\n", name, labels[0] ? "{" : "", labels,
                       labels[0] ? "}" : "", h->count);
    return r;
}

void metrics_label_escape(const char *v, char *out, size_t outlen)
{
    size_t o = 0;

    for (; *v && o + 3 < outlen; v++) {
        unsigned char c = (unsigned char)*v;
        if (c == '\\' || c == '"') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else {
            out[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
        }
    }
    out[o] = '\0';
}
