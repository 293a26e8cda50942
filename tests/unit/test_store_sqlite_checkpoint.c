/* SQLite: WAL checkpoints run on the checkpointer thread (sq_checkpoint.c) and keep the WAL
 * bounded, and what was committed is all there after the store closes and opens again. */
#include <sys/stat.h>
#include <time.h>

#include "test_store_fixture.h"

#define WRITES 4000 /* ~7 WAL frames each: 28000 frames, 3.5 times the inline threshold */

static long long wal_bytes(struct fx *f)
{
    char wal[1100];
    struct stat st;

    fx_path(f, "-wal", wal, sizeof(wal));
    return stat(wal, &st) == 0 ? (long long)st.st_size : 0;
}

static void pause_ms(long ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_the_wal_stays_bounded_and_every_commit_is_kept(void **state)
{
    FX_SQLITE_ONLY();
    struct fx *f = *state;
    long long most = 0;
    char id[37];

    for (int i = 0; i < WRITES; i++) {
        snprintf(id, sizeof(id), "%08u-0000-4000-8000-000000000000", (unsigned)i % 100000000u);
        fx_add_vgw(f, PROJECT_A, id, 10);
        if (i % 50 == 49) /* the checkpointer works beside the writes: give it its turns */
            pause_ms(5);
        long long n = wal_bytes(f);
        most = n > most ? n : most;
    }
    /* without checkpoints the WAL would hold every frame written (~28000, ~110 MiB); with them
     * it starts over at the latest at SQ_CKPT_INLINE_FRAMES (8000 frames of 4 KiB + 24 bytes) */
    if (most > 8100LL * 4120)
        fail_msg("the WAL grew to %lld bytes", most);
    fx_reopen(f);
    for (int i = 0; i < WRITES; i += 499) {
        struct store_vgw_row row;
        snprintf(id, sizeof(id), "%08u-0000-4000-8000-000000000000", (unsigned)i % 100000000u);
        assert_int_equal(store_vgw_get(f->s, PROJECT_A, id, &row), 0);
        store_vgw_row_done(&row);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_the_wal_stays_bounded_and_every_commit_is_kept,
                                        fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
