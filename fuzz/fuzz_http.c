/* fuzz/fuzz_http.c: the request head (src/http/head.c) and the chunked-body decoder
 * (src/http/chunked.c) on raw bytes, as a client sends them.
 * Invariants: an end of head found is the end of a CRLF CRLF inside the input; a refused head
 * has a status among 400, 431, 501, 505 and a message; an accepted one has a method, a target
 * starting with '/', at most HTTP_MAX_HEADERS fields whose names and values are NUL-terminated
 * inside the head, and HTTP/1.0 or 1.1. The chunked decoder, fed the rest in two pieces, never
 * consumes more than it is given, never holds more than max_body, and once done stays done. */
#include "fuzz/fuzz.h"
#include "http/http_int.h"

#define MAX_BODY 4096

static void check_head(const char *in, ssize_t end, const struct http_head *h)
{
    if (!h->method || !h->method[0] || in[h->target] != '/' || h->minor > 1 ||
        h->n_headers > HTTP_MAX_HEADERS)
        fuzz_fail("accepted head: method %s target %.16s minor %u headers %u",
                  h->method ? h->method : "(null)", in + h->target, h->minor, h->n_headers);
    for (unsigned i = 0; i < h->n_headers; i++) {
        const struct http_header *hd = &h->headers[i];
        if (hd->name >= (uint32_t)end || hd->value >= (uint32_t)end ||
            !memchr(in + hd->name, '\0', (size_t)end - hd->name) ||
            !memchr(in + hd->value, '\0', (size_t)end - hd->value))
            fuzz_fail("header %u not terminated inside the head", i);
    }
}

static void check_chunked(const char *rest, size_t len)
{
    struct http_chunked st = {0};
    struct buf body = {0};
    size_t half = len / 2, used = 0;
    char msg[160];
    bool done = false;

    for (int piece = 0; piece < 2 && !done; piece++) {
        size_t n = piece ? len - half : half;
        ssize_t r = http_chunked_feed(&st, rest + used, n, &body, MAX_BODY, 1024, &done, msg,
                                      sizeof(msg));
        if (r < 0)
            break;
        if ((size_t)r > n || (!done && (size_t)r != n))
            fuzz_fail("chunked: consumed %zd of %zu (done %d)", r, n, done);
        used += (size_t)r;
    }
    if (body.len > MAX_BODY)
        fuzz_fail("chunked: body of %zu bytes past max %d", body.len, MAX_BODY);
    if (done && http_chunked_feed(&st, "x", 1, &body, MAX_BODY, 1024, &done, msg, sizeof(msg)) != 0)
        fuzz_fail("chunked: bytes consumed after the last chunk");
    buf_free(&body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fuzz_zalloc(size + 1);
    struct http_head *h = fuzz_zalloc(sizeof(*h));
    size_t scan = 0;
    char msg[200] = "";

    memcpy(in, data, size);
    ssize_t end = http_head_end(in, size, &scan);
    if (end > 0) {
        if ((size_t)end > size || end < 4 || memcmp(in + end - 4, "\r\n\r\n", 4) != 0)
            fuzz_fail("end of head %zd of %zu is not after CRLF CRLF", end, size);
        int status = http_head_parse(in, (uint32_t)end, h, msg, sizeof(msg));
        if (status && ((status != 400 && status != 431 && status != 501 && status != 505) ||
                       !msg[0]))
            fuzz_fail("refusal %d with message \"%s\"", status, msg);
        if (!status) {
            check_head(in, end, h);
            if (h->chunked)
                check_chunked(in + end, size - (size_t)end);
        }
    }
    free(h);
    free(in);
    return 0;
}
