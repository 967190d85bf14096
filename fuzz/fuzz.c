/*
 * fuzz.c - helpers of the fuzz targets (fuzz.h).
 */
#include "fuzz.h"

#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/fsx.h"
#include "tlog/note.h"

static char g_dir[256];

static void remove_tmpdir(void)
{
    osafe_err e;
    if (g_dir[0])
        OSAFE_IGNORE(fsx_remove_tree(g_dir, &e)); /* at exit: best effort */
}

const char *fuzz_tmpdir(void)
{
    if (g_dir[0])
        return g_dir;
    const char *t = getenv("TMPDIR");
    struct stat st;
    if (!t || !*t || strlen(t) > 200)
        t = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm"
                                                              : "/tmp";
    snprintf(g_dir, sizeof g_dir, "%s/osafe-fuzz-XXXXXX", t);
    if (!mkdtemp(g_dir)) {
        perror("fuzz: mkdtemp");
        abort();
    }
    atexit(remove_tmpdir);
    return g_dir;
}

int fuzz_write(const char *dir, const char *name, const void *data,
               size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    const char *p = data;
    while (len) {
        ssize_t k = write(fd, p, len);
        if (k <= 0) {
            close(fd);
            return -1;
        }
        p += k;
        len -= (size_t)k;
    }
    return close(fd);
}

char *fuzz_strndup(const uint8_t *data, size_t len)
{
    char *s = malloc(len + 1);
    if (!s)
        abort();
    if (len)
        memcpy(s, data, len);
    s[len] = '\0';
    return s;
}

void fuzz_signer(struct tlog_signer *s)
{
    uint8_t seed[32];
    memset(seed, 0x42, sizeof seed);
    memset(s, 0, sizeof *s);
    if (sodium_init() < 0)
        abort();
    crypto_sign_seed_keypair(s->v.pk, s->sk, seed);
    snprintf(s->v.name, sizeof s->v.name, "%s", FUZZ_KEY_NAME);
    s->v.type = TLOG_SIG_ED25519;
    s->v.id = tlog_key_id(s->v.name, TLOG_SIG_ED25519, s->v.pk, 32);
}

void fuzz_debug(const char *fmt, ...)
{
    static int on = -1;
    if (on < 0)
        on = getenv("FUZZ_DEBUG") != NULL;
    if (!on)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
