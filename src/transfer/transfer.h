/* transfer/transfer.h: vpnd import and vpnd export: records in the API's create shapes, stored
 * by the service's own steps (service/bulk.c) and written back as their stored form. */
#ifndef VPND_TRANSFER_H
#define VPND_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct svc;

struct import_opts {
    const char *name;       /* shown in messages: the file name or "-" */
    const char *project_id; /* for records without "project_id"; NULL = they are refused */
    bool keep;              /* keep given created_at, updated_at and status (ids always are) */
    bool skip_invalid;      /* refuse bad records and go on, instead of importing nothing */
    bool progress;          /* draw a progress line on stderr */
    long long total_bytes;  /* size of the input for the ETA; 0 = unknown */
    FILE *report;           /* where refused records and failures are reported; NULL = stderr */
};

struct import_stats {
    size_t records;    /* read */
    size_t imported;   /* stored */
    size_t refused;    /* invalid (with skip_invalid, skipped) */
    size_t by_kind[3]; /* imported gateways, customer gateways, connections */
    double seconds;
};

/* Reads JSON lines, or one JSON array, of records (model.h) from in and stores them through
 * svc in one bulk transaction. Each refused record is reported on o->report (stderr) as
 * "<name> line <L>: <path>: <rule>, got <value>". Without skip_invalid the first refused
 * record stops the import and nothing is stored. Returns 0 (all stored), -EINVAL (a record
 * was refused, or the input is not JSON records), or another negative errno (-EIO: read or
 * store failure, reported on stderr; nothing is stored). */
int transfer_import(struct svc *svc, FILE *in, const struct import_opts *o,
                    struct import_stats *st);

/* Writes every gateway, customer gateway and connection of the store as record lines to out
 * (psk included: this is the operator's copy of the configuration), in an order
 * transfer_import reads back. *ret_n gets the number of records. Returns 0, -EIO (write
 * failed) or a store error. */
int transfer_export(struct svc *svc, FILE *out, size_t *ret_n);

#endif
