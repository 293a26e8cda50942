/* transfer/import_feed.h: the import's records split and parsed on a thread of their own, handed
 * to the caller (the thread that stores them) in input order. */
#ifndef VPND_TRANSFER_IMPORT_FEED_H
#define VPND_TRANSFER_IMPORT_FEED_H

#include <stdio.h>

#include "model/model.h"
#include "transfer/import_reader.h"
#include "util/buf.h"

/* One record, parsed: what model_record_parse made of its text. */
struct import_parsed {
    struct buf text;  /* the record's text (a copy: the reader reuses its buffer) */
    size_t line;      /* where the record starts */
    long long bytes;  /* of the input read when the record was split off (progress) */
    int r;            /* model_record_parse's result; err says why when -EINVAL */
    struct verr err;
    struct model_record rec;
    struct model_vgw g;
    struct model_cgw cgw;
    struct model_vpn_conn c;
};

/* Parses text into p (its text is not copied). */
void import_parsed_fill(struct import_parsed *p, const char *text, size_t len, size_t line);

struct import_feed;

/* Starts the parse thread on in. Returns 0, -ENOMEM or -EAGAIN (no thread). */
int import_feed_start(FILE *in, struct import_feed **ret);
/* The next record: 1 (*ret is valid until the next call), or import_reader_next's end: 0 at
 * the end of the input, -EINVAL (import_feed_reader says why and where), -EIO or -ENOMEM. */
int import_feed_next(struct import_feed *f, struct import_parsed **ret);
/* The reader, once import_feed_next returned 0 or an error (its error, line and bytes). */
const struct import_reader *import_feed_reader(const struct import_feed *f);
/* Stops the thread (whether or not the input was read to its end) and frees f. */
void import_feed_free(struct import_feed *f);

#endif
