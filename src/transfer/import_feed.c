/* transfer/import_feed.c: a thread splits the input into records and parses each one
 * (import_reader, model_record_parse) into a ring of slots, ahead of the thread that stores
 * them: the parse is about 40 % of an import's work, and with a second core it overlaps the
 * store's. The slots are taken in input order, so the storing side sees exactly the records and
 * outcomes a parse on its own thread would give.
 *
 * Each side waits on a condition variable only when the ring is full (the parser) or empty (the
 * storer), and is woken when the other side has made some room or records, not after each one. */
#include "transfer/import_feed.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FEED_SLOTS 64u

struct import_feed {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t space, ready;
    struct import_reader rd; /* the parse thread's until done */
    size_t head, tail;       /* slots filled and taken (the ring holds head - tail) */
    bool taken;              /* slot[tail] is the caller's */
    bool want_space, want_record; /* a side waits */
    bool stop, done;
    int end; /* import_reader_next's last result, once done */
    struct import_parsed slot[FEED_SLOTS];
};

void import_parsed_fill(struct import_parsed *p, const char *text, size_t len, size_t line)
{
    memset(&p->err, 0, sizeof(p->err));
    p->line = line;
    p->r = model_record_parse(text, len, &p->rec, &p->g, &p->cgw, &p->c, &p->err);
}

/* Splits off and parses the next record into p: import_reader_next's result. */
static int feed_one(struct import_feed *f, struct import_parsed *p)
{
    struct import_record rec;
    int r = import_reader_next(&f->rd, &rec);

    if (r <= 0)
        return r;
    buf_reset(&p->text);
    if (buf_append(&p->text, rec.text, rec.len) < 0)
        return -ENOMEM;
    p->bytes = f->rd.bytes;
    import_parsed_fill(p, p->text.data, p->text.len, rec.line);
    return 1;
}

static void *feed_main(void *arg)
{
    struct import_feed *f = arg;
    int r = 1;

    while (r > 0) {
        pthread_mutex_lock(&f->mu);
        while (f->head - f->tail == FEED_SLOTS && !f->stop) {
            f->want_space = true;
            pthread_cond_wait(&f->space, &f->mu);
        }
        bool stop = f->stop;
        pthread_mutex_unlock(&f->mu);
        if (stop)
            break;
        /* slot[head] is not the caller's until head moves past it */
        r = feed_one(f, &f->slot[f->head % FEED_SLOTS]);
        pthread_mutex_lock(&f->mu);
        if (r > 0)
            f->head++;
        else
            f->end = r, f->done = true;
        if (f->want_record && (f->done || f->head - f->tail >= FEED_SLOTS / 4)) {
            f->want_record = false;
            pthread_cond_signal(&f->ready);
        }
        pthread_mutex_unlock(&f->mu);
    }
    return NULL;
}

int import_feed_start(FILE *in, struct import_feed **ret)
{
    struct import_feed *f = calloc(1, sizeof(*f));

    if (!f)
        return -ENOMEM;
    import_reader_init(&f->rd, in);
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->space, NULL);
    pthread_cond_init(&f->ready, NULL);
    /* the thread takes no signal: they stay the caller's (a server's handlers, its poll) */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&f->thread, NULL, feed_main, f);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&f->ready);
        pthread_cond_destroy(&f->space);
        pthread_mutex_destroy(&f->mu);
        free(f);
        return rc == ENOMEM ? -ENOMEM : -EAGAIN;
    }
    *ret = f;
    return 0;
}

int import_feed_next(struct import_feed *f, struct import_parsed **ret)
{
    int r = 1;

    pthread_mutex_lock(&f->mu);
    if (f->taken) {
        f->tail++;
        f->taken = false;
        if (f->want_space && f->head - f->tail <= FEED_SLOTS / 2) {
            f->want_space = false;
            pthread_cond_signal(&f->space);
        }
    }
    while (f->head == f->tail && !f->done) {
        f->want_record = true;
        pthread_cond_wait(&f->ready, &f->mu);
    }
    if (f->head == f->tail) {
        r = f->end;
    } else {
        *ret = &f->slot[f->tail % FEED_SLOTS];
        f->taken = true;
    }
    pthread_mutex_unlock(&f->mu);
    return r;
}

const struct import_reader *import_feed_reader(const struct import_feed *f)
{
    return &f->rd;
}

void import_feed_free(struct import_feed *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    f->stop = true;
    pthread_cond_signal(&f->space);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    pthread_cond_destroy(&f->ready);
    pthread_cond_destroy(&f->space);
    pthread_mutex_destroy(&f->mu);
    import_reader_done(&f->rd);
    for (size_t i = 0; i < FEED_SLOTS; i++)
        buf_free(&f->slot[i].text);
    free(f);
}
