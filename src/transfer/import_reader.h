/* transfer/import_reader.h: record boundaries in the import input (JSON lines or a JSON array). */
#ifndef VPND_TRANSFER_IMPORT_READER_H
#define VPND_TRANSFER_IMPORT_READER_H

#include <stdbool.h>
#include <stdio.h>

#include "util/buf.h"

enum import_reader_state {
    READER_START,
    READER_LINES,
    READER_ARRAY_FIRST,
    READER_ARRAY_NEXT,
    READER_END
};

struct import_reader {
    FILE *in;
    struct buf b;
    size_t pos;
    size_t line; /* of b.data[pos] */
    long long bytes; /* read so far */
    bool eof;
    enum import_reader_state state;
    char error[160]; /* why the input could not be split (-EINVAL) */
};

struct import_record {
    const char *text; /* borrowed until the next import_reader_next */
    size_t len;
    size_t line; /* where the record starts */
};

void import_reader_init(struct import_reader *r, FILE *in);
void import_reader_done(struct import_reader *r);
/* Finds the next record. Returns 1 (ret filled), 0 at the end, -EINVAL (r->error says why;
 * r->line is where), -EIO or -ENOMEM. */
int import_reader_next(struct import_reader *r, struct import_record *ret);

#endif
