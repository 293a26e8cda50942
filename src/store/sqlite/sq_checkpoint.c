/* store/sqlite/sq_checkpoint.c: most of the WAL checkpoint work on a thread of its own.
 *
 * SQLite's automatic checkpoint runs inside the commit that crosses its threshold (1000 WAL
 * frames): that commit copies the WAL's pages into the database file and fdatasyncs both files
 * before it returns, and the event loop, the only thread serving requests, waits for it (~40 %
 * of the wall time of a run of connection creates). Here (sqlite3_wal_hook, which replaces the
 * automatic checkpoint) each crossing of another SQ_CKPT_FRAMES frames wakes a checkpointer
 * thread that runs the same PASSIVE checkpoint on its own connection to the file, beside the
 * writes. A PASSIVE checkpoint never blocks a writer, but the WAL only starts over from its
 * beginning once a checkpoint has caught up with every frame, which a checkpoint running beside
 * a steady stream of writes never quite does: so when the WAL reaches SQ_CKPT_INLINE_FRAMES the
 * committing thread runs one checkpoint itself, as SQLite would, which then only has the frames
 * written since the thread's last pass left to copy, and the WAL starts over.
 *
 * Disk space. The WAL file is never longer than about SQ_CKPT_INLINE_FRAMES frames plus one
 * transaction, and PRAGMA journal_size_limit (sq_open.c) cuts it back to SQ_WAL_KEEP_BYTES each
 * time it starts over, so the store needs that much free space beyond its data
 * (STORE_SQLITE_HEADROOM_MIB, in the README). A pass that fails (the disk is full and the
 * database file cannot grow, or another process holds the checkpoint lock) or that did not
 * catch up is tried again SQ_CKPT_RETRY_MS later, without waiting for more writes: after a full
 * disk, writes stop, and without the retry the WAL would stay full of frames no one copies when
 * space comes back.
 *
 * Durability is the same: a commit is acknowledged once its frames are written to the WAL
 * (synchronous=NORMAL), which does not depend on checkpoints, and each pass syncs the WAL as
 * before. The thread and its connection start at the first crossing (a store that never writes
 * that much, or a bulk load in rollback-journal mode, never starts them) and stop at close,
 * before the main connection closes (the last connection to close checkpoints what is left, as
 * before). If the thread cannot start, the automatic checkpoint is set back. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/sqlite/sq_int.h"

#define SQ_CKPT_FRAMES 1000         /* SQLite's default wal_autocheckpoint */
#define SQ_CKPT_INLINE_FRAMES 2048 /* ~8 MiB of WAL */
#define SQ_CKPT_RETRY_MS 1000

struct sq_ckpt {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool want, stop, running;
    bool behind; /* the last pass failed or left frames uncopied: try again after a pause */
    char *path;
    int next; /* WAL frames at which the thread is woken next (committing thread only) */
};

/* One PASSIVE pass; true when it copied every frame of the WAL into the database. */
static bool sq_ckpt_pass(sqlite3 *db)
{
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);

    return rc == SQLITE_OK && log >= 0 && done == log;
}

/* Waits until woken, or SQ_CKPT_RETRY_MS when the last pass was behind. Called with k->mu held. */
static void sq_ckpt_wait(struct sq_ckpt *k)
{
    struct timespec until;

    if (!k->behind) {
        pthread_cond_wait(&k->cv, &k->mu);
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += SQ_CKPT_RETRY_MS / 1000;
    until.tv_nsec += (long)(SQ_CKPT_RETRY_MS % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    if (pthread_cond_timedwait(&k->cv, &k->mu, &until) == ETIMEDOUT)
        k->want = true;
}

static void *sq_ckpt_main(void *ud)
{
    struct sq_ckpt *k = ud;
    sqlite3 *db = NULL;

    if (sqlite3_open_v2(k->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        sqlite3_close(db);
        db = NULL;
    }
    if (db)
        sqlite3_busy_timeout(db, 1000);
    pthread_mutex_lock(&k->mu);
    for (;;) {
        while (!k->want && !k->stop)
            sq_ckpt_wait(k);
        if (k->stop)
            break;
        k->want = false;
        pthread_mutex_unlock(&k->mu);
        bool caught_up = db && sq_ckpt_pass(db);
        pthread_mutex_lock(&k->mu);
        k->behind = db && !caught_up;
    }
    pthread_mutex_unlock(&k->mu);
    sqlite3_close(db);
    return NULL;
}

/* Starts the thread; false (nothing started) on failure. */
static bool sq_ckpt_start(struct sq_store *q)
{
    const char *path = sqlite3_db_filename(q->db, "main");
    struct sq_ckpt *k = calloc(1, sizeof(*k));

    if (!k || !path || !path[0] || !(k->path = strdup(path)))
        goto fail;
    pthread_condattr_t ca;
    pthread_mutex_init(&k->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* the retry pause ignores clock steps */
    pthread_cond_init(&k->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&k->thread, NULL, sq_ckpt_main, k) != 0) {
        pthread_cond_destroy(&k->cv);
        pthread_mutex_destroy(&k->mu);
        goto fail;
    }
    k->running = true;
    k->next = SQ_CKPT_FRAMES;
    q->ckpt = k;
    return true;
fail:
    if (k)
        free(k->path);
    free(k);
    return false;
}

static int sq_wal_hook(void *ud, sqlite3 *db, const char *name, int frames)
{
    struct sq_store *q = ud;

    if (frames >= SQ_CKPT_INLINE_FRAMES) {
        (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        if (q->ckpt)
            q->ckpt->next = SQ_CKPT_FRAMES;
        return SQLITE_OK;
    }
    if (frames < SQ_CKPT_FRAMES)
        return SQLITE_OK;
    if (!q->ckpt && !sq_ckpt_start(q)) {
        sqlite3_wal_autocheckpoint(db, SQ_CKPT_FRAMES); /* inline, as SQLite does by default */
        return SQLITE_OK;
    }
    struct sq_ckpt *k = q->ckpt;
    if (frames < k->next - SQ_CKPT_FRAMES) /* the WAL started over */
        k->next = SQ_CKPT_FRAMES;
    if (frames < k->next)
        return SQLITE_OK;
    k->next = frames + SQ_CKPT_FRAMES;
    pthread_mutex_lock(&k->mu);
    k->want = true;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
    return SQLITE_OK;
}

void store_sqlite_ckpt_init(struct sq_store *q)
{
    sqlite3_wal_hook(q->db, sq_wal_hook, q);
}

void store_sqlite_ckpt_free(struct sq_store *q)
{
    struct sq_ckpt *k = q->ckpt;

    if (!k)
        return;
    pthread_mutex_lock(&k->mu);
    k->stop = true;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->thread, NULL);
    pthread_cond_destroy(&k->cv);
    pthread_mutex_destroy(&k->mu);
    free(k->path);
    free(k);
    q->ckpt = NULL;
}
