/* transfer/import.c: vpnd import (transfer/transfer.h). Each record goes through the API's own
 * create validation (model_record_parse, model_conn_bind) and the service's own steps
 * (svc_import_*: the row building, address and tunnel drawing and inserts the API's creates
 * use), all inside one bulk load: either the whole file is stored or, on the first refused
 * record, nothing (unless skip_invalid).
 *
 * The records are split and parsed (model_record_parse) on a thread of their own
 * (import_feed.c) and taken here in input order; everything else, the store included, runs on
 * the caller's thread.
 *
 * Batches: where the store has them (svc_import_batch), records are stored IMPORT_BATCH at a
 * time without a savepoint each. A record refused before any store write (most refusals: the
 * record's own rules, an unknown gateway) needs no undo. When a store write fails inside a
 * batch (-EAGAIN), the batch is undone and its records are run again one by one, each write
 * atomic on its own, exactly as without batches (the refused ones are not run or reported
 * again): the outcome, the message and the counts are those of a record-by-record import. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/model.h"
#include "service/svc.h"
#include "transfer/import_feed.h"
#include "transfer/transfer.h"

/* Small on purpose: SQLite truncates a statement's part of the in-memory savepoint journal by
 * walking its 1 KB chunks from the start, and one connection insert (its counting trigger)
 * runs as a statement transaction, so the per-record cost grows with the batch's journal
 * (64 records were already slower than one savepoint per record). */
#define IMPORT_BATCH 16

struct import_batch_rec {
    size_t off, len, line; /* the record's text in import_batch.text, and its first line */
    bool refused;          /* before any store write: reported once, not replayed */
};

struct import_batch {
    bool on;         /* the store takes batches */
    struct buf text; /* copies of the batch's records (the reader reuses its buffer) */
    size_t n;
    struct import_batch_rec v[IMPORT_BATCH];
    size_t imported, refused, by_kind[3]; /* the counters when the batch began */
};

struct import_run {
    struct svc *svc;
    struct svc_import *imp;
    const struct import_opts *o;
    struct import_stats *st;
    struct import_parsed own; /* a batch's record run again */
    size_t line;
    const struct verr *err; /* of the record last refused */
    int bad; /* -EINVAL once a record was refused */
    bool unsplit; /* the input could not be split into records */
    struct import_batch batch;
};

/* Where messages about records go (import_opts.report). */
static FILE *report_of(const struct import_opts *o)
{
    return o->report ? o->report : stderr;
}

static double mono_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the run ---- */

/* Stores the record parsed into p (or refuses it with its parse's message). */
static int import_one(struct import_run *ir, struct import_parsed *p)
{
    int r = p->r;

    ir->line = p->line + (p->rec.json_line > 0 ? (size_t)p->rec.json_line - 1 : 0);
    ir->err = &p->err;
    if (r < 0)
        return r;
    const char *project_id = p->rec.project_id[0] ? p->rec.project_id : ir->o->project_id;
    if (!project_id)
        return verr_set(&p->err, "project_id", "is required (or give --project-id)");
    switch (p->rec.kind) {
    case MODEL_RECORD_VGW:
        r = svc_import_vgw(ir->imp, project_id, &p->rec, ir->o->keep, &p->g, &p->err);
        break;
    case MODEL_RECORD_CGW:
        r = svc_import_cgw(ir->imp, project_id, &p->rec, ir->o->keep, &p->cgw, &p->err);
        break;
    case MODEL_RECORD_CONN:
        r = svc_import_conn(ir->imp, project_id, &p->rec, ir->o->keep, &p->c, &p->err);
        break;
    }
    if (r == 0)
        ir->st->by_kind[p->rec.kind]++;
    return r;
}

static void draw_progress(const struct import_run *ir, long long bytes, double t0, bool last)
{
    double el = mono_s() - t0;
    double rate = el > 0 ? (double)ir->st->records / el : 0;
    long long total = ir->o->total_bytes;

    fprintf(stderr, "\r%zu records  %.0f/s", ir->st->records, rate);
    if (total > 0 && bytes > 0) {
        double frac = (double)bytes / (double)total;
        int width = 30, filled = (int)(frac * width);
        fprintf(stderr, "  [%.*s%*s] %3.0f%%  ETA %.0fs ", filled,
                "==============================", width - filled, "", frac * 100,
                frac > 0 && !last ? el / frac - el : 0.0);
    }
    fprintf(stderr, last ? "\n" : "   ");
}

/* Reports a record's outcome and counts it: 0 to go on, -EINVAL to stop (refused, without
 * skip_invalid), or a fatal error. */
static int import_outcome(struct import_run *ir, int r, size_t rec_line)
{
    if (r == -EINVAL) {
        fprintf(report_of(ir->o), "%s%s line %zu: %s\n", ir->o->progress ? "\n" : "",
                ir->o->name, ir->line, ir->err->msg);
        ir->st->refused++;
        ir->bad = -EINVAL;
        return ir->o->skip_invalid ? 0 : -EINVAL;
    }
    if (r < 0) {
        fprintf(report_of(ir->o), "%s line %zu: %s (%s)\n", ir->o->name, rec_line,
                strerror(-r), svc_errmsg(ir->svc));
        return r;
    }
    ir->st->imported++;
    return 0;
}

/* Parses and stores a batch's record again (its text is the batch's copy). */
static int run_one(struct import_run *ir, const struct import_batch_rec *br)
{
    import_parsed_fill(&ir->own, ir->batch.text.data + br->off, br->len, br->line);
    return import_one(ir, &ir->own);
}

/* Opens the next batch (keeping the open one). Without batches in the store, runs unbatched. */
static int batch_start(struct import_run *ir)
{
    struct import_batch *b = &ir->batch;
    int r = svc_import_batch(ir->imp);

    if (r == -EOPNOTSUPP && !b->on)
        return 0;
    if (r < 0) {
        fprintf(report_of(ir->o), "%s: cannot store a batch: %s (%s)\n", ir->o->name,
                strerror(-r), svc_errmsg(ir->svc));
        return r;
    }
    b->on = true;
    b->n = 0;
    buf_reset(&b->text);
    b->imported = ir->st->imported;
    b->refused = ir->st->refused;
    memcpy(b->by_kind, ir->st->by_kind, sizeof(b->by_kind));
    return 0;
}

/* A store write of the batch failed: undoes the batch and runs its records again one by one
 * (the last one is the record that failed), then opens the next batch. */
static int batch_replay(struct import_run *ir)
{
    struct import_batch *b = &ir->batch;
    struct import_stats *st = ir->st;
    int r = svc_import_undo(ir->imp);

    if (r < 0) {
        fprintf(report_of(ir->o), "%s: cannot undo a batch: %s (%s)\n", ir->o->name,
                strerror(-r), svc_errmsg(ir->svc));
        return r;
    }
    st->imported = b->imported;
    st->refused = b->refused;
    memcpy(st->by_kind, b->by_kind, sizeof(st->by_kind));
    for (size_t i = 0; i < b->n; i++) {
        const struct import_batch_rec *br = &b->v[i];
        if (br->refused) {
            st->refused++;
            continue;
        }
        r = import_outcome(ir, run_one(ir, br), br->line);
        if (r < 0)
            return r;
    }
    return batch_start(ir);
}

static int import_record(struct import_run *ir, struct import_parsed *p)
{
    struct import_batch *b = &ir->batch;
    int r;

    if (!b->on)
        return import_outcome(ir, import_one(ir, p), p->line);
    if (b->n == IMPORT_BATCH && (r = batch_start(ir)) < 0)
        return r;
    struct import_batch_rec *br = &b->v[b->n];
    *br = (struct import_batch_rec){b->text.len, p->text.len, p->line, false};
    if (buf_append(&b->text, p->text.data, p->text.len) < 0)
        return -ENOMEM;
    b->n++;
    r = import_one(ir, p);
    if (r == -EAGAIN) /* a store write of the batch failed: undo it, run its records again */
        return batch_replay(ir);
    br->refused = r == -EINVAL;
    return import_outcome(ir, r, p->line);
}

static int import_loop(struct import_run *ir, struct import_feed *feed)
{
    struct import_parsed *p;
    double t0 = mono_s(), next_draw = t0 + 0.2;
    long long bytes = 0;
    int r = batch_start(ir);

    if (r < 0)
        return r;
    while ((r = import_feed_next(feed, &p)) > 0) {
        ir->st->records++;
        bytes = p->bytes;
        r = import_record(ir, p);
        if (r < 0)
            return r;
        if (ir->o->progress && (ir->st->records & 1023) == 0 && mono_s() >= next_draw) {
            draw_progress(ir, bytes, t0, false);
            next_draw = mono_s() + 0.2;
        }
    }
    const struct import_reader *rd = import_feed_reader(feed);
    if (r == -EINVAL) {
        fprintf(report_of(ir->o), "%s%s line %zu: %s\n", ir->o->progress ? "\n" : "",
                ir->o->name, rd->line, rd->error);
        ir->st->refused++;
        ir->unsplit = true;
        return -EINVAL; /* the rest of the input cannot be split into records */
    }
    if (r < 0) {
        fprintf(report_of(ir->o), "%s: cannot read: %s\n", ir->o->name, strerror(-r));
        return r;
    }
    if (ir->o->progress)
        draw_progress(ir, rd->bytes, t0, true);
    return ir->bad;
}

int transfer_import(struct svc *svc, FILE *in, const struct import_opts *o,
                    struct import_stats *st)
{
    _cleanup_free_ struct import_run *ir = calloc(1, sizeof(*ir));
    struct import_feed *feed = NULL;
    double t0 = mono_s();

    memset(st, 0, sizeof(*st));
    if (!ir)
        return -ENOMEM;
    ir->svc = svc;
    ir->o = o;
    ir->st = st;
    int r = svc_import_begin(svc, &ir->imp);
    if (r < 0) {
        fprintf(report_of(o), "%s: cannot start the import: %s (%s)\n", o->name, strerror(-r),
                svc_errmsg(svc));
        return r;
    }
    r = import_feed_start(in, &feed);
    if (r < 0)
        fprintf(report_of(o), "%s: cannot start the import: %s\n", o->name, strerror(-r));
    else
        r = import_loop(ir, feed);
    import_feed_free(feed);
    buf_free(&ir->batch.text);
    buf_free(&ir->own.text);
    /* with skip_invalid the refused records are left out and the rest is kept */
    bool commit = r == 0 || (r == -EINVAL && o->skip_invalid && !ir->unsplit);
    int rc = svc_import_end(ir->imp, commit);
    if (rc < 0) {
        fprintf(report_of(o), "%s: cannot commit the import: %s (%s)\n", o->name,
                strerror(-rc), svc_errmsg(svc));
        r = rc;
    }
    if (!commit || rc < 0) {
        st->imported = 0;
        memset(st->by_kind, 0, sizeof(st->by_kind));
    }
    st->seconds = mono_s() - t0;
    return r;
}
