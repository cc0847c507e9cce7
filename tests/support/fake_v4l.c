/*
 * A V4L2 webcam without hardware, for the tests: loaded with LD_PRELOAD
 * into the real binary, it adds /dev/video42 ("Fake Camera") to the
 * listing of /dev and answers the V4L2 ioctls the real stack (nokhwa →
 * v4l → the kernel interface) makes: capabilities, formats (YUYV
 * 640×480 and 320×240 at 30 fps), format and rate, mmap buffers,
 * streaming. Frames come at 30 fps into buffers that are pages of a
 * memfd, so the app's own mmap, poll and read paths run unchanged.
 *
 * FAKE_V4L_MODE picks a fault a real camera cannot be told to make:
 *   denied  open() fails with EACCES (no permission)
 *   busy    REQBUFS fails with EBUSY (another program streams)
 *   unplug  DQBUF fails with ENODEV after 5 frames (pulled out)
 *   replug  the same once, then the camera works again (plugged back in)
 *
 * Frame n, pixel (x, y): Y = (x + y + n) mod 256 in the studio range
 * (16 + that * 219 / 255), U = V = 128: a grey ramp that moves. With
 * FAKE_V4L_PICTURE naming a file of 640×480 YUYV bytes, the 640×480
 * frames show that picture instead (a person, say).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define DEVICE "/dev/video42"
#define SYSFS_NAME "/sys/class/video4linux/video42/name"
#define NAME "Fake Camera"
#define FPS 30
#define MAX_BUFFERS 8
#define BUFFER_BYTES (640 * 480 * 2)

static int device_fd = -1;
static uint32_t width = 640, height = 480;
static uint32_t buffers;
static int queued[MAX_BUFFERS];
static int streaming;
static uint32_t frame;
static struct timespec started;
static DIR *dev_dir;
static int listed;
static int replugged;

static const char *mode(void) {
    const char *m = getenv("FAKE_V4L_MODE");
    return m ? m : "ok";
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

/* The fd for one of our paths, -2 when the path is not ours. */
static int fake_open(const char *path) {
    if (path == NULL) return -2;
    if (strcmp(path, DEVICE) == 0) {
        if (strcmp(mode(), "denied") == 0) {
            errno = EACCES;
            return -1;
        }
        int fd = memfd_create("fake-v4l", MFD_CLOEXEC);
        if (fd < 0) return -1;
        if (ftruncate(fd, (off_t)MAX_BUFFERS * BUFFER_BYTES) != 0) return -1;
        device_fd = fd;
        width = 640;
        height = 480;
        buffers = 0;
        streaming = 0;
        memset(queued, 0, sizeof queued);
        return fd;
    }
    if (strcmp(path, SYSFS_NAME) == 0) {
        int fd = memfd_create("fake-v4l-name", MFD_CLOEXEC);
        if (fd < 0) return -1;
        if (write(fd, NAME "\n", sizeof NAME) < 0) return -1;
        lseek(fd, 0, SEEK_SET);
        return fd;
    }
    return -2;
}

#define OPEN_LIKE(name, ...)                                                  \
    int name(const char *path, int flags, ...) {                              \
        int fd = fake_open(path);                                             \
        if (fd != -2) return fd;                                              \
        va_list ap;                                                           \
        va_start(ap, flags);                                                  \
        mode_t m = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0; \
        va_end(ap);                                                           \
        return REAL(name)(path, flags, m);                                    \
    }
OPEN_LIKE(open)
OPEN_LIKE(open64)

#define OPENAT_LIKE(name)                                                     \
    int name(int dirfd, const char *path, int flags, ...) {                   \
        int fd = fake_open(path);                                             \
        if (fd != -2) return fd;                                              \
        va_list ap;                                                           \
        va_start(ap, flags);                                                  \
        mode_t m = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0; \
        va_end(ap);                                                           \
        return REAL(name)(dirfd, path, flags, m);                             \
    }
OPENAT_LIKE(openat)
OPENAT_LIKE(openat64)

int __open_2(const char *path, int flags) {
    int fd = fake_open(path);
    return fd != -2 ? fd : REAL(__open_2)(path, flags);
}
int __open64_2(const char *path, int flags) {
    int fd = fake_open(path);
    return fd != -2 ? fd : REAL(__open64_2)(path, flags);
}

int close(int fd) {
    if (fd >= 0 && fd == device_fd) {
        device_fd = -1;
        streaming = 0;
    }
    return REAL(close)(fd);
}

/* /dev, listed with the camera at its end. */
DIR *opendir(const char *name) {
    DIR *d = REAL(opendir)(name);
    if (d != NULL && strcmp(name, "/dev") == 0) {
        dev_dir = d;
        listed = 0;
    }
    return d;
}

int closedir(DIR *d) {
    if (d == dev_dir) dev_dir = NULL;
    return REAL(closedir)(d);
}

/* After the last real entry of /dev, ours (readdir and readdir64 alike). */
#define READDIR_LIKE(name, type)                              \
    struct type *name(DIR *d) {                               \
        static struct type ours;                              \
        struct type *e = REAL(name)(d);                       \
        if (e == NULL && d == dev_dir && !listed) {           \
            listed = 1;                                       \
            memset(&ours, 0, sizeof ours);                    \
            ours.d_ino = 4242;                                \
            ours.d_type = DT_CHR;                             \
            ours.d_reclen = sizeof ours;                      \
            strcpy(ours.d_name, "video42");                   \
            return &ours;                                     \
        }                                                     \
        return e;                                             \
    }
READDIR_LIKE(readdir, dirent)
READDIR_LIKE(readdir64, dirent64)

static int fail(int error) {
    errno = error;
    return -1;
}

static int size_known(uint32_t w, uint32_t h) {
    return (w == 640 && h == 480) || (w == 320 && h == 240);
}

static void pix_format(struct v4l2_pix_format *p) {
    memset(p, 0, sizeof *p);
    p->width = width;
    p->height = height;
    p->pixelformat = V4L2_PIX_FMT_YUYV;
    p->field = V4L2_FIELD_NONE;
    p->bytesperline = width * 2;
    p->sizeimage = width * height * 2;
    p->colorspace = V4L2_COLORSPACE_SRGB;
}

/* The picture of FAKE_V4L_PICTURE, read once; NULL when there is none. */
static const unsigned char *picture(void) {
    static unsigned char bytes[BUFFER_BYTES];
    static int state; /* 0 not read, 1 read, -1 none */
    if (state == 0) {
        state = -1;
        const char *path = getenv("FAKE_V4L_PICTURE");
        int fd = path ? REAL(open)(path, O_RDONLY, 0) : -1;
        if (fd >= 0) {
            if (read(fd, bytes, sizeof bytes) == (ssize_t)sizeof bytes) state = 1;
            REAL(close)(fd);
        }
    }
    return state == 1 ? bytes : NULL;
}

static void fill(uint32_t index) {
    static unsigned char pixels[BUFFER_BYTES];
    if (width == 640 && height == 480 && picture() != NULL) {
        if (pwrite(device_fd, picture(), BUFFER_BYTES, (off_t)index * BUFFER_BYTES) < 0) return;
        return;
    }
    for (uint32_t y = 0; y < height; y++) {
        for (uint32_t x = 0; x < width; x++) {
            unsigned char *p = pixels + (y * width + x) * 2;
            p[0] = (unsigned char)(16 + ((x + y + frame) % 256) * 219 / 255);
            p[1] = 128;
        }
    }
    if (pwrite(device_fd, pixels, width * height * 2, (off_t)index * BUFFER_BYTES) < 0) return;
}

static int fake_ioctl(unsigned long request, void *arg) {
    switch (request) {
    case VIDIOC_QUERYCAP: {
        struct v4l2_capability *c = arg;
        memset(c, 0, sizeof *c);
        strcpy((char *)c->driver, "fakev4l");
        strcpy((char *)c->card, NAME);
        strcpy((char *)c->bus_info, "platform:fake");
        c->version = (6 << 16) | (1 << 8);
        c->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
        c->capabilities = c->device_caps | V4L2_CAP_DEVICE_CAPS;
        return 0;
    }
    case VIDIOC_ENUM_FMT: {
        struct v4l2_fmtdesc *f = arg;
        if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || f->index != 0) return fail(EINVAL);
        f->flags = 0;
        strcpy((char *)f->description, "YUYV 4:2:2");
        f->pixelformat = V4L2_PIX_FMT_YUYV;
        return 0;
    }
    case VIDIOC_ENUM_FRAMESIZES: {
        struct v4l2_frmsizeenum *s = arg;
        if (s->pixel_format != V4L2_PIX_FMT_YUYV || s->index > 1) return fail(EINVAL);
        s->type = V4L2_FRMSIZE_TYPE_DISCRETE;
        s->discrete.width = s->index == 0 ? 640 : 320;
        s->discrete.height = s->index == 0 ? 480 : 240;
        return 0;
    }
    case VIDIOC_ENUM_FRAMEINTERVALS: {
        struct v4l2_frmivalenum *i = arg;
        if (i->pixel_format != V4L2_PIX_FMT_YUYV || i->index != 0 || !size_known(i->width, i->height))
            return fail(EINVAL);
        i->type = V4L2_FRMIVAL_TYPE_DISCRETE;
        i->discrete.numerator = 1;
        i->discrete.denominator = FPS;
        return 0;
    }
    case VIDIOC_G_FMT:
    case VIDIOC_S_FMT:
    case VIDIOC_TRY_FMT: {
        struct v4l2_format *f = arg;
        if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return fail(EINVAL);
        if (request == VIDIOC_S_FMT && streaming) return fail(EBUSY);
        if (request == VIDIOC_S_FMT && size_known(f->fmt.pix.width, f->fmt.pix.height)) {
            width = f->fmt.pix.width;
            height = f->fmt.pix.height;
        }
        pix_format(&f->fmt.pix);
        return 0;
    }
    case VIDIOC_G_PARM:
    case VIDIOC_S_PARM: {
        struct v4l2_streamparm *p = arg;
        if (p->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return fail(EINVAL);
        memset(&p->parm, 0, sizeof p->parm);
        p->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
        p->parm.capture.timeperframe.numerator = 1;
        p->parm.capture.timeperframe.denominator = FPS;
        return 0;
    }
    case VIDIOC_REQBUFS: {
        struct v4l2_requestbuffers *r = arg;
        if (strcmp(mode(), "busy") == 0) return fail(EBUSY);
        if (r->memory != V4L2_MEMORY_MMAP) return fail(EINVAL);
        if (r->count > MAX_BUFFERS) r->count = MAX_BUFFERS;
        buffers = r->count;
        memset(queued, 0, sizeof queued);
        return 0;
    }
    case VIDIOC_QUERYBUF:
    case VIDIOC_QBUF: {
        struct v4l2_buffer *b = arg;
        if (b->index >= buffers) return fail(EINVAL);
        b->length = BUFFER_BYTES;
        b->m.offset = b->index * BUFFER_BYTES;
        b->flags = V4L2_BUF_FLAG_MAPPED;
        if (request == VIDIOC_QBUF) {
            queued[b->index] = 1;
            b->flags |= V4L2_BUF_FLAG_QUEUED;
        }
        return 0;
    }
    case VIDIOC_DQBUF: {
        struct v4l2_buffer *b = arg;
        if (!streaming) return fail(EINVAL);
        if (strcmp(mode(), "unplug") == 0 && frame >= 5) return fail(ENODEV);
        if (strcmp(mode(), "replug") == 0 && frame >= 5 && !replugged) {
            replugged = 1;
            return fail(ENODEV);
        }
        uint32_t index = 0;
        while (index < buffers && !queued[index]) index++;
        if (index == buffers) return fail(EAGAIN);
        /* The camera's clock: frame n is due n/FPS after the start. */
        struct timespec due = started;
        long long ns = (long long)due.tv_nsec + (long long)frame * (1000000000LL / FPS);
        due.tv_sec += ns / 1000000000LL;
        due.tv_nsec = ns % 1000000000LL;
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR) {
        }
        fill(index);
        queued[index] = 0;
        memset(b, 0, sizeof *b);
        b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        b->memory = V4L2_MEMORY_MMAP;
        b->index = index;
        b->bytesused = width * height * 2;
        b->length = BUFFER_BYTES;
        b->m.offset = index * BUFFER_BYTES;
        b->field = V4L2_FIELD_NONE;
        b->flags = V4L2_BUF_FLAG_MAPPED | V4L2_BUF_FLAG_DONE;
        b->sequence = frame;
        gettimeofday(&b->timestamp, NULL);
        frame++;
        return 0;
    }
    case VIDIOC_STREAMON:
        if (strcmp(mode(), "busy") == 0) return fail(EBUSY);
        streaming = 1;
        frame = 0;
        clock_gettime(CLOCK_MONOTONIC, &started);
        return 0;
    case VIDIOC_STREAMOFF:
        streaming = 0;
        memset(queued, 0, sizeof queued);
        return 0;
    default:
        return fail(ENOTTY);
    }
}

int ioctl(int fd, unsigned long request, ...) {
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    if (fd >= 0 && fd == device_fd) return fake_ioctl(request, arg);
    return REAL(ioctl)(fd, request, arg);
}

/* v4l calls ioctl through syscall(SYS_ioctl, …). */
long syscall(long number, ...) {
    va_list ap;
    va_start(ap, number);
    long a1 = va_arg(ap, long), a2 = va_arg(ap, long), a3 = va_arg(ap, long);
    long a4 = va_arg(ap, long), a5 = va_arg(ap, long), a6 = va_arg(ap, long);
    va_end(ap);
    if (number == SYS_ioctl && (int)a1 >= 0 && (int)a1 == device_fd)
        return fake_ioctl((unsigned long)a2, (void *)a3);
    return REAL(syscall)(number, a1, a2, a3, a4, a5, a6);
}
