/* fuzz/fuzz.h: helpers shared by the libFuzzer harnesses (static inline only).
 *
 * Each harness defines LLVMFuzzerTestOneInput and, when it needs fixtures, LLVMFuzzerInitialize.
 * The same file links either with libFuzzer (clang -fsanitize=fuzzer: make fuzz) or with
 * fuzz/replay_main.c (gcc, ASan+UBSan: make check replays the committed corpora).
 * An invariant that fails calls fuzz_fail, which aborts: the fuzzer records the input. */
#ifndef VPND_FUZZ_H
#define VPND_FUZZ_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define fuzz_fail(...)                                                                             \
    do {                                                                                           \
        fprintf(stderr, "fuzz invariant failed: " __VA_ARGS__);                                    \
        fputc('\n', stderr);                                                                       \
        abort();                                                                                   \
    } while (0)

static inline void *fuzz_zalloc(size_t size)
{
    void *p = calloc(1, size);
    if (!p)
        fuzz_fail("calloc(%zu)", size);
    return p;
}

/* The two buffers hold the same text. */
static inline void fuzz_same(const struct buf *a, const struct buf *b, const char *what)
{
    if (a->len != b->len || memcmp(a->data, b->data, a->len) != 0)
        fuzz_fail("%s differs:\n%.*s\n%.*s", what, (int)a->len, a->data, (int)b->len, b->data);
}

/* A copy of data with a NUL after it: the parsers take (body, len), and libFuzzer's buffer is
 * exactly size bytes, so overreads of len are caught; this copy is for APIs that need C strings. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = fuzz_zalloc(size + 1);
    memcpy(s, data, size);
    return s;
}

/* What we send or store is one valid JSON object (jansson also rejects invalid UTF-8). */
static inline void fuzz_check_json(const struct buf *b, const char *what)
{
    json_error_t e;
    json_t *v = json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES, &e);
    if (!v || !json_is_object(v))
        fuzz_fail("%s is not a JSON object (%s): %.*s", what, e.text, (int)b->len, b->data);
    json_decref(v);
}

/* A rejected body names what was wrong: "path: rule..., got value", NUL-terminated. */
static inline void fuzz_check_verr(const struct verr *e)
{
    size_t n = strnlen(e->msg, sizeof(e->msg));
    if (n == 0 || n == sizeof(e->msg))
        fuzz_fail("error message empty or unterminated");
    if (!strchr(e->msg, ':'))
        fuzz_fail("error message without a path: %s", e->msg);
}

#endif
