/* bench/pread_probe.c: what one random 4 KiB read of a page-cached file costs on this machine.
 *
 *   pread_probe FILE [READS]
 *
 * Prints the microseconds per pread of a random page over the whole file, then over its first
 * 1000 pages. A GET at a million stored connections reads about one page nobody touched lately;
 * on a VM that costs several times a hot page (page-cache, page-table and TLB misses), which is
 * the floor under vpnd's GET at that size and a cost nginx's one static file never pays. The
 * caller warms the page cache first (bench.py cats the file). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64: the same page sequence on every run */
static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static double probe(int fd, uint64_t span, long reads)
{
    static char page[PAGE];
    uint64_t seed = 88172645463325252ULL;
    double t0 = now_s();

    for (long i = 0; i < reads; i++) {
        off_t at = (off_t)(next(&seed) % span) * PAGE;

        if (pread(fd, page, PAGE, at) != PAGE) {
            perror("pread");
            exit(1);
        }
    }
    return (now_s() - t0) * 1e6 / (double)reads;
}

int main(int argc, char **argv)
{
    long reads = argc > 2 ? atol(argv[2]) : 200000;
    int fd;
    off_t size;

    if (argc < 2 || reads <= 0) {
        fprintf(stderr, "usage: pread_probe FILE [READS]\n");
        return 2;
    }
    fd = open(argv[1], O_RDONLY);
    if (fd < 0 || (size = lseek(fd, 0, SEEK_END)) < PAGE) {
        perror(argv[1]);
        return 1;
    }
    uint64_t pages = (uint64_t)size / PAGE;
    double whole = probe(fd, pages, reads);
    double hot = probe(fd, pages < 1000 ? pages : 1000, reads);
    printf("%.2f %.2f\n", whole, hot);
    close(fd);
    return 0;
}
