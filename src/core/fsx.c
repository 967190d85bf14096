#include "core/fsx.h"
#include "core/limits.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fsx_read_file(const char *path, size_t max, char **out, size_t *len,
                  osafe_err *e)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return osafe_errno(e, errno == ENOENT ? OSAFE_ENOTFOUND : OSAFE_EIO,
                           errno, "%s", path);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return osafe_errno(e, OSAFE_EIO, err, "%s", path);
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return osafe_errf(e, OSAFE_EINVAL, "%s: is a directory", path);
    }
    /* Regular files announce their size; pipes and /dev/stdin do not, so read
     * until EOF with the ceiling checked on the way. */
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096;
    if (S_ISREG(st.st_mode) && (size_t)st.st_size > max) {
        close(fd);
        return osafe_errf(e, OSAFE_ETOOBIG, "%s: larger than %zu bytes", path,
                          max);
    }
    char *p = malloc(cap);
    if (!p) {
        close(fd);
        return osafe_errf(e, OSAFE_ENOMEM, "%s: out of memory", path);
    }
    size_t n = 0;
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > max + 1) {
                free(p);
                close(fd);
                return osafe_errf(e, OSAFE_ETOOBIG,
                                  "%s: larger than %zu bytes", path, max);
            }
            char *q = realloc(p, cap * 2);
            if (!q) {
                free(p);
                close(fd);
                return osafe_errf(e, OSAFE_ENOMEM, "%s: out of memory", path);
            }
            p = q;
            cap *= 2;
        }
        ssize_t r = read(fd, p + n, cap - n - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int err = errno;
            free(p);
            close(fd);
            return osafe_errno(e, OSAFE_EIO, err, "%s", path);
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n > max) {
        free(p);
        return osafe_errf(e, OSAFE_ETOOBIG, "%s: larger than %zu bytes", path,
                          max);
    }
    p[n] = '\0';
    *out = p;
    *len = n;
    return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static int write_fd_file(int fd, const char *path, const void *data,
                         size_t len, osafe_err *e)
{
    if (write_all(fd, data, len) != 0 || fdatasync(fd) != 0) {
        int err = errno;
        close(fd);
        return osafe_errno(e, OSAFE_EIO, err, "write %s", path);
    }
    if (close(fd) != 0)
        return osafe_errno(e, OSAFE_EIO, errno, "close %s", path);
    return 0;
}

int fsx_write_atomic(const char *path, const void *data, size_t len, int mode,
                     int sync_dir, osafe_err *e)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (!tmp)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        int rc = osafe_errno(e, OSAFE_EIO, errno, "create %s", tmp);
        free(tmp);
        return rc;
    }
    int rc = write_fd_file(fd, tmp, data, len, e);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = osafe_errno(e, OSAFE_EIO, errno, "rename %s", path);
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    if (rc == 0 && sync_dir)
        rc = fsx_sync_parent(path, e);
    return rc;
}

/* Temporary name of a file of fsx_write_atomic_many: malloc'd. */
static char *tmp_name(const char *path)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (tmp)
        snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    return tmp;
}

/* Write files[0..n) (n <= OSAFE_FSX_MANY_OPEN_MAX) to their temporary names
 * (tmps[i], set as each is created) and flush them all.  Writeback of
 * every file starts before the first fdatasync, so that on ext4 the first
 * journal commit carries the allocations of all of them and the later
 * fdatasyncs find little left to do. */
static int write_chunk(const fsx_file *files, size_t n, int mode, char **tmps,
                       osafe_err *e)
{
    int fds[OSAFE_FSX_MANY_OPEN_MAX];
    size_t open_n = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!(tmps[i] = tmp_name(files[i].path))) {
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
            break;
        }
        int fd = open(tmps[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0) {
            rc = osafe_errno(e, OSAFE_EIO, errno, "create %s", tmps[i]);
            free(tmps[i]);
            tmps[i] = NULL; /* nothing created: nothing to unlink */
            break;
        }
        fds[open_n++] = fd;
        if (write_all(fd, files[i].data, files[i].len) != 0)
            rc = osafe_errno(e, OSAFE_EIO, errno, "write %s", tmps[i]);
    }
#ifdef SYNC_FILE_RANGE_WRITE
    /* only a hint: the fdatasync below is what makes the data durable */
    for (size_t i = 0; rc == 0 && i < open_n; i++)
        OSAFE_IGNORE(sync_file_range(fds[i], 0, 0, SYNC_FILE_RANGE_WRITE));
#endif
    for (size_t i = 0; rc == 0 && i < open_n; i++)
        if (fdatasync(fds[i]) != 0)
            rc = osafe_errno(e, OSAFE_EIO, errno, "write %s", tmps[i]);
    for (size_t i = 0; i < open_n; i++)
        if (close(fds[i]) != 0 && rc == 0)
            rc = osafe_errno(e, OSAFE_EIO, errno, "close %s", tmps[i]);
    return rc;
}

int fsx_write_atomic_many(const fsx_file *files, size_t n, int mode,
                          osafe_err *e)
{
    char **tmps = calloc(n ? n : 1, sizeof *tmps);
    if (!tmps)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i += OSAFE_FSX_MANY_OPEN_MAX) {
        size_t k = n - i < OSAFE_FSX_MANY_OPEN_MAX ? n - i
                                                   : OSAFE_FSX_MANY_OPEN_MAX;
        rc = write_chunk(files + i, k, mode, tmps + i, e);
    }
    /* Every temporary file is durable before the first rename: a crash
     * from here on finds each target either old or new and whole. */
    size_t renamed = 0;
    while (rc == 0 && renamed < n) {
        if (rename(tmps[renamed], files[renamed].path) != 0)
            rc = osafe_errno(e, OSAFE_EIO, errno, "rename %s",
                             files[renamed].path);
        else
            renamed++;
    }
    for (size_t i = renamed; i < n; i++)
        if (tmps[i])
            unlink(tmps[i]);
    for (size_t i = 0; i < n; i++)
        free(tmps[i]);
    free(tmps);
    return rc;
}

int fsx_write_new(const char *path, const void *data, size_t len, int mode,
                  osafe_err *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return osafe_errno(e, errno == EEXIST ? OSAFE_EEXIST : OSAFE_EIO,
                           errno, "create %s", path);
    int rc = write_fd_file(fd, path, data, len, e);
    if (rc != 0) {
        unlink(path);
        return rc;
    }
    return fsx_sync_parent(path, e);
}

int fsx_mkdirs(const char *path, osafe_err *e)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return osafe_errf(e, OSAFE_EINVAL, "bad directory path");
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return osafe_errno(e, OSAFE_EIO, errno, "mkdir %s", buf);
            buf[i] = c;
        }
    }
    return 0;
}

int fsx_sync_dir(const char *path, osafe_err *e)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return osafe_errno(e, OSAFE_EIO, errno, "open directory %s", path);
    if (fsync(fd) != 0) {
        int err = errno;
        close(fd);
        return osafe_errno(e, OSAFE_EIO, err, "fsync directory %s", path);
    }
    close(fd);
    return 0;
}

int fsx_sync_parent(const char *path, osafe_err *e)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf)
        return osafe_errf(e, OSAFE_EINVAL, "path too long");
    memcpy(buf, path, n + 1);
    char *slash = strrchr(buf, '/');
    if (!slash)
        return fsx_sync_dir(".", e);
    if (slash == buf)
        slash[1] = '\0';
    else
        *slash = '\0';
    return fsx_sync_dir(buf, e);
}

int fsx_remove_tree(const char *path, osafe_err *e)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0
                               : osafe_errno(e, OSAFE_EIO, errno, "%s", path);
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d)
            return osafe_errno(e, OSAFE_EIO, errno, "opendir %s", path);
        struct dirent *de;
        int rc = 0;
        while (rc == 0 && (de = readdir(d))) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            char child[OSAFE_PATH_MAX];
            snprintf(child, sizeof child, "%s/%s", path, de->d_name);
            rc = fsx_remove_tree(child, e);
        }
        closedir(d);
        if (rc)
            return rc;
        if (rmdir(path) != 0)
            return osafe_errno(e, OSAFE_EIO, errno, "rmdir %s", path);
        return 0;
    }
    if (unlink(path) != 0)
        return osafe_errno(e, OSAFE_EIO, errno, "unlink %s", path);
    return 0;
}

int fsx_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

char *fsx_path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    size_t o = a;
    if (a && dir[a - 1] != '/')
        p[o++] = '/';
    memcpy(p + o, name, b + 1);
    return p;
}
