/* A stand-in for IRIS in tests, built static so the image is FROM scratch (no
 * registry can be reached to pull a base image). See README.md beside this file
 * for the image variants and how the test suite builds them.
 *
 * One binary, several programs, chosen by the name it runs under (argv[0]):
 *
 *   standin             the "instance": listens on 1972 (superserver) and 52773
 *                       (web portal), accepts connections, keeps them open until
 *                       the client closes them, and answers nothing.
 *                       Environment variables below make it behave like a real
 *                       IRIS container: late start, slow stop, durable %SYS.
 *   standin check       the HEALTHCHECK: exits 0 when port 1972 accepts a
 *                       connection, and prints one line saying what it saw.
 *   iris session ...    a tiny ObjectScript terminal reading stdin.
 *   chown, cat, stat    the few coreutils a compose file or a test may call on
 *                       the real (Ubuntu based) image, so the same compose file
 *                       works against both.
 *   standin install     run once at image build time: lays out /etc/passwd and
 *                       the links for the programs above.
 *
 * With no environment variables set, the instance behaves as it always has:
 * listens at once, healthy at once, exits 0 at once on SIGTERM. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { SUPERSERVER_PORT = 1972, WEB_PORT = 52773 };

/* Exit code when STANDIN_EXIT_AFTER runs out: something a test can tell apart
 * from a clean stop (0), a bad setting (2) or a durable %SYS failure (1). */
enum { EXIT_AFTER_CODE = 3 };

/* ---- small helpers ------------------------------------------------------ */

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Not fmin/fmax: the test suite links without -lm. */
static double min_of(double a, double b) { return a < b ? a : b; }

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A duration in seconds from the environment (fractions allowed), or
 * `fallback` when unset or empty. A value that is not a number >= 0 is a
 * mistake in the test, so say so and exit 2 rather than guess. */
static double env_seconds(const char *name, double fallback) {
    const char *text = getenv(name);
    char *end;
    double value;
    if (text == NULL || *text == '\0') return fallback;
    errno = 0;
    value = strtod(text, &end);
    if (errno != 0 || *end != '\0' || !isfinite(value) || value < 0) {
        fprintf(stderr, "standin: %s=%s is not a number of seconds >= 0\n", name, text);
        exit(2);
    }
    return value;
}

static int env_flag(const char *name) {
    const char *text = getenv(name);
    return text != NULL && strcmp(text, "1") == 0;
}

/* Whether something accepts connections on this port on the loopback. */
static int port_accepts(int port) {
    struct sockaddr_in addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int ok;
    if (fd < 0) return 0;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
    close(fd);
    return ok;
}

/* ---- standin check ------------------------------------------------------ */

/* The health check. Docker (and `iris-dev up`, which execs it) keeps its
 * output, so the one line it prints says what it saw. It runs with the
 * container's environment, so STANDIN_NEVER_READY reaches it. */
static int check(void) {
    if (env_flag("STANDIN_NEVER_READY")) {
        printf("instance not ready: STANDIN_NEVER_READY=1 keeps this check failing\n");
        return 1;
    }
    if (!port_accepts(SUPERSERVER_PORT)) {
        printf("superserver not listening yet on port %d\n", SUPERSERVER_PORT);
        return 1;
    }
    printf("ok: superserver accepts connections on port %d\n", SUPERSERVER_PORT);
    return 0;
}

/* ---- durable %SYS ------------------------------------------------------- */

/* Imitates IRIS with durable %SYS: with ISC_DATA_DIRECTORY set, IRIS creates
 * that directory if needed and keeps its configuration (iris.cpf) and system
 * databases there, upgrading them in place when the image's version changes.
 * Here each start appends a line `started version=V` to iris.cpf, so a test can
 * see that data survived a restart or a change of image. Like IRIS running as
 * irisowner, it fails when it cannot write there. */
static void durable_sys(void) {
    const char *dir = getenv("ISC_DATA_DIRECTORY");
    const char *version = getenv("STANDIN_VERSION");
    char path[PATH_MAX];
    char line[256];
    char previous[256] = "";
    FILE *file;

    if (dir == NULL || *dir == '\0') return;
    if (version == NULL || *version == '\0') version = "unknown";
    if (mkdir(dir, 0775) != 0 && errno != EEXIST) {
        fprintf(stderr, "standin: cannot create durable %%SYS directory %s as uid %d: %s\n",
                dir, (int)geteuid(), strerror(errno));
        exit(1);
    }
    if (snprintf(path, sizeof path, "%s/iris.cpf", dir) >= (int)sizeof path) {
        fprintf(stderr, "standin: ISC_DATA_DIRECTORY is too long\n");
        exit(1);
    }

    /* The version of the last start, if any, to report an upgrade. */
    file = fopen(path, "r");
    if (file != NULL) {
        while (fgets(line, sizeof line, file) != NULL) {
            if (strncmp(line, "started version=", 16) == 0) {
                snprintf(previous, sizeof previous, "%s", line + 16);
                previous[strcspn(previous, "\n")] = '\0';
            }
        }
        fclose(file);
    }

    file = fopen(path, "a");
    if (file == NULL || fprintf(file, "started version=%s\n", version) < 0 || fclose(file) != 0) {
        fprintf(stderr, "standin: cannot write durable %%SYS file %s as uid %d: %s\n", path,
                (int)geteuid(), strerror(errno));
        exit(1);
    }

    if (previous[0] == '\0')
        printf("standin: durable %%SYS created in %s for version %s\n", dir, version);
    else if (strcmp(previous, version) != 0)
        printf("standin: durable %%SYS in %s upgraded in place from %s to %s\n", dir, previous,
               version);
    else
        printf("standin: durable %%SYS in %s reused, version %s\n", dir, version);
}

/* ---- the instance ------------------------------------------------------- */

static volatile sig_atomic_t stop_requested;

static void on_stop(int signal) {
    (void)signal;
    stop_requested = 1;
}

static int listen_on(int port) {
    struct sockaddr_in addr;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        perror("standin: socket");
        exit(2);
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 64) != 0) {
        fprintf(stderr, "standin: cannot listen on port %d: %s\n", port, strerror(errno));
        exit(2);
    }
    return fd;
}

/* STANDIN_LOG_AND_EXIT: print these lines (newline-separated) on stdout, as
 * IRIS prints why it cannot start, then exit with STANDIN_EXIT_CODE (default
 * 1) before listening. Under `restart: always` that is a restart loop. */
static void log_and_exit(void) {
    const char *lines = getenv("STANDIN_LOG_AND_EXIT");
    const char *code_text = getenv("STANDIN_EXIT_CODE");
    long code = 1;
    char *end;
    if (lines == NULL || *lines == '\0') return;
    if (code_text != NULL && *code_text != '\0') {
        errno = 0;
        code = strtol(code_text, &end, 10);
        if (errno != 0 || *end != '\0' || code < 0 || code > 255) {
            fprintf(stderr, "standin: STANDIN_EXIT_CODE=%s is not an exit code 0-255\n",
                    code_text);
            exit(2);
        }
    }
    fputs(lines, stdout);
    if (lines[strlen(lines) - 1] != '\n') fputc('\n', stdout);
    fflush(stdout);
    exit((int)code);
}

/* Accepted connections stay open until the client closes them, as IRIS's
 * superserver waits for a client to speak: Docker's userland proxy closes a
 * connection at once when nothing listens in the container, and iris-dev tells
 * the two apart that way. Beyond MAX_CLIENTS, the oldest is closed. */
enum { MAX_CLIENTS = 32 };

/* Settings, all optional, all in seconds (fractions allowed):
 *   STANDIN_READY_AFTER  listeners start this long after the container starts
 *                        (default 0); until then `standin check` fails, while
 *                        Docker's userland proxy already accepts TCP.
 *   STANDIN_EXIT_AFTER   exit with code 3 this long after start (default never).
 *   STANDIN_STOP_AFTER   on SIGTERM/SIGINT keep running this long, then exit 0
 *                        (default 0: exit at once). */
static int instance(void) {
    const double started = now_seconds();
    const double ready_at = started + env_seconds("STANDIN_READY_AFTER", 0);
    const double exit_at = started + env_seconds("STANDIN_EXIT_AFTER", INFINITY);
    const double stop_after = env_seconds("STANDIN_STOP_AFTER", 0);
    double stop_at = INFINITY;
    struct pollfd fds[2 + MAX_CLIENTS];
    nfds_t listening = 0;
    nfds_t clients = 0;
    struct sigaction action;
    sigset_t blocked, during_poll;

    /* PID 1 gets no default SIGTERM action, so handle it. The signals stay
     * blocked except inside ppoll, so none slips in between check and wait. */
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGINT);
    sigprocmask(SIG_BLOCK, &blocked, &during_poll);
    sigdelset(&during_poll, SIGTERM);
    sigdelset(&during_poll, SIGINT);

    log_and_exit();
    durable_sys();

    for (;;) {
        const double now = now_seconds();
        double next;
        struct timespec timeout;

        if (stop_requested && stop_at == INFINITY) {
            if (stop_after == 0) return 0;
            printf("standin: stop requested, exiting in %g s\n", stop_after);
            stop_at = now + stop_after;
        }
        if (now >= stop_at) {
            printf("standin: stopped cleanly\n");
            return 0;
        }
        if (now >= exit_at) {
            fprintf(stderr, "standin: exiting with code %d as STANDIN_EXIT_AFTER asked\n",
                    EXIT_AFTER_CODE);
            return EXIT_AFTER_CODE;
        }
        if (listening == 0 && now >= ready_at) {
            fds[0].fd = listen_on(SUPERSERVER_PORT);
            fds[1].fd = listen_on(WEB_PORT);
            fds[0].events = fds[1].events = POLLIN;
            listening = 2;
            printf("standin: listening on %d and %d\n", SUPERSERVER_PORT, WEB_PORT);
        }

        next = min_of(stop_at, exit_at);
        if (listening == 0) next = min_of(next, ready_at);
        if (next != INFINITY) {
            double wait = next > now ? next - now : 0;
            timeout.tv_sec = (time_t)wait;
            timeout.tv_nsec = (long)((wait - (double)timeout.tv_sec) * 1e9);
        }
        if (ppoll(fds, listening + clients, next == INFINITY ? NULL : &timeout, &during_poll) >
            0) {
            /* Clients first: one that closed (or sent anything) is let go. */
            for (nfds_t i = listening; i < listening + clients;) {
                char buffer[256];
                if (fds[i].revents & (POLLIN | POLLHUP | POLLERR) &&
                    read(fds[i].fd, buffer, sizeof buffer) <= 0) {
                    close(fds[i].fd);
                    fds[i] = fds[listening + clients - 1];
                    clients--;
                } else {
                    i++;
                }
            }
            for (nfds_t i = 0; i < listening; i++) {
                if (fds[i].revents & POLLIN) {
                    int client = accept(fds[i].fd, NULL, NULL);
                    if (client < 0) continue;
                    if (clients == MAX_CLIENTS) {
                        close(fds[listening].fd);
                        fds[listening] = fds[listening + clients - 1];
                        clients--;
                    }
                    fds[listening + clients].fd = client;
                    fds[listening + clients].events = POLLIN;
                    fds[listening + clients].revents = 0;
                    clients++;
                }
            }
        }
    }
}

/* ---- iris session ------------------------------------------------------- */

/* Evaluates the argument of `write`: a string literal ("" escapes a quote) or
 * integers joined by + and -, left to right as ObjectScript does. Returns 0
 * when the expression is anything else. */
static int write_value(const char *expr, char *out, size_t size) {
    if (*expr == '"') {
        size_t n = 0;
        for (expr++; *expr; expr++) {
            if (*expr == '"') {
                if (expr[1] != '"') break;
                expr++;
            }
            if (n + 1 < size) out[n++] = *expr;
        }
        out[n] = '\0';
        return *expr == '"' && expr[1] == '\0';
    } else {
        char *end;
        long total = strtol(expr, &end, 10);
        if (end == expr) return 0;
        while (*end == '+' || *end == '-') {
            char op = *end;
            const char *term = end + 1;
            long value = strtol(term, &end, 10);
            if (end == term) return 0;
            total = op == '+' ? total + value : total - value;
        }
        if (*end != '\0') return 0;
        snprintf(out, size, "%ld", total);
        return 1;
    }
}

/* `iris session INSTANCE [-U NAMESPACE]`: reads commands from stdin, and for
 * each one prints the prompt and the command as a terminal transcript shows
 * them (`USER>write 1+1`), then its output. Knows `write EXPR` (see
 * write_value) and `halt`; ignores any other command. Ends at EOF or `halt`. */
static int session(int argc, char **argv) {
    char namespace[64] = "USER";
    char *line = NULL;
    size_t capacity = 0;

    if (argc < 1) {
        fprintf(stderr, "usage: iris session INSTANCE [-U NAMESPACE]\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-U") == 0 && i + 1 < argc) {
            snprintf(namespace, sizeof namespace, "%s", argv[++i]);
        } else {
            fprintf(stderr, "iris: unexpected argument `%s`\n", argv[i]);
            return 2;
        }
    }
    for (char *c = namespace; *c; c++) *c = (char)toupper((unsigned char)*c);
    if (!port_accepts(SUPERSERVER_PORT)) {
        fprintf(stderr, "iris: instance %s is not running\n", argv[0]);
        return 1;
    }

    setvbuf(stdout, NULL, _IOLBF, 0);
    while (getline(&line, &capacity, stdin) >= 0) {
        char *command = line;
        char output[256];
        line[strcspn(line, "\r\n")] = '\0';
        while (isspace((unsigned char)*command)) command++;
        printf("%s>%s\n", namespace, command);
        if (strcasecmp(command, "halt") == 0 || strcasecmp(command, "h") == 0) break;
        if (strncasecmp(command, "write ", 6) == 0 || strncasecmp(command, "w ", 2) == 0) {
            const char *expr = strchr(command, ' ') + 1;
            if (write_value(expr, output, sizeof output))
                printf("%s\n", output);
            else
                printf("<SYNTAX>\n");
        }
    }
    free(line);
    return 0;
}

static int iris(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "session") == 0) return session(argc - 2, argv + 2);
    fprintf(stderr, "usage: iris session INSTANCE [-U NAMESPACE]\n"
                    "(this is the test stand-in; it knows no other iris command)\n");
    return 2;
}

/* ---- chown, cat, stat --------------------------------------------------- */

static uid_t chown_uid;
static gid_t chown_gid;
static int chown_failed;

static int chown_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st, (void)type, (void)ftw;
    if (lchown(path, chown_uid, chown_gid) != 0) {
        fprintf(stderr, "chown: %s: %s\n", path, strerror(errno));
        chown_failed = 1;
    }
    return 0;
}

/* `chown [-R] UID[:GID] PATH...`, numeric ids only, as the one-shot root
 * service that makes a named volume writable for irisowner (51773) runs it:
 * the image has no coreutils. Without `:GID` the group is left alone. */
static int chown_command(int argc, char **argv) {
    int recursive = 0;
    int i = 1;
    char *end;
    if (i < argc && strcmp(argv[i], "-R") == 0) recursive = 1, i++;
    if (argc - i < 2) {
        fprintf(stderr, "usage: chown [-R] UID[:GID] PATH...\n");
        return 2;
    }
    chown_uid = (uid_t)strtoul(argv[i], &end, 10);
    chown_gid = (gid_t)-1;
    if (end != argv[i] && *end == ':') {
        const char *group = end + 1;
        chown_gid = (gid_t)strtoul(group, &end, 10);
        if (end == group) end = (char *)group - 1;
    }
    if (end == argv[i] || *end != '\0') {
        fprintf(stderr, "chown: `%s` is not UID or UID:GID (numeric ids only)\n", argv[i]);
        return 2;
    }
    for (i++; i < argc; i++) {
        if (recursive) {
            if (nftw(argv[i], chown_one, 16, FTW_PHYS) != 0) {
                fprintf(stderr, "chown: %s: %s\n", argv[i], strerror(errno));
                chown_failed = 1;
            }
        } else {
            chown_one(argv[i], NULL, 0, NULL);
        }
    }
    return chown_failed;
}

/* `cat FILE...` */
static int cat_command(int argc, char **argv) {
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        char buffer[4096];
        size_t n;
        FILE *file = fopen(argv[i], "r");
        if (file == NULL) {
            fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
            failed = 1;
            continue;
        }
        while ((n = fread(buffer, 1, sizeof buffer, file)) > 0) fwrite(buffer, 1, n, stdout);
        fclose(file);
    }
    return failed;
}

/* `stat -c FORMAT PATH...` with %u (owner uid), %g (group gid), %a (octal
 * permissions) and %n (path), enough to ask who owns a volume. */
static int stat_command(int argc, char **argv) {
    int failed = 0;
    if (argc < 4 || strcmp(argv[1], "-c") != 0) {
        fprintf(stderr, "usage: stat -c FORMAT PATH...  (FORMAT knows %%u %%g %%a %%n)\n");
        return 2;
    }
    for (int i = 3; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "stat: %s: %s\n", argv[i], strerror(errno));
            failed = 1;
            continue;
        }
        for (const char *f = argv[2]; *f; f++) {
            if (*f != '%' || f[1] == '\0') {
                putchar(*f);
                continue;
            }
            switch (*++f) {
            case 'u': printf("%u", (unsigned)st.st_uid); break;
            case 'g': printf("%u", (unsigned)st.st_gid); break;
            case 'a': printf("%o", (unsigned)(st.st_mode & 07777)); break;
            case 'n': fputs(argv[i], stdout); break;
            default: putchar('%'), putchar(*f);
            }
        }
        putchar('\n');
    }
    return failed;
}

/* ---- standin install (image build time) --------------------------------- */

static void install_file(const char *path, const char *text) {
    FILE *file = fopen(path, "w");
    if (file == NULL || fputs(text, file) < 0 || fclose(file) != 0) {
        fprintf(stderr, "standin install: %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static void install_dir(const char *path) {
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "standin install: mkdir %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static void install_link(const char *path) {
    if (symlink("/standin", path) != 0 && errno != EEXIST) {
        fprintf(stderr, "standin install: ln -s /standin %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

/* Run by the Dockerfile (exec-form RUN needs no shell). The users let a
 * compose file say `user: root` or `user: irisowner` as with the real image,
 * where irisowner is uid and gid 51773. */
static int install(void) {
    install_dir("/etc");
    install_file("/etc/passwd", "root:x:0:0:root:/:/standin\n"
                                "irisowner:x:51773:51773:irisowner:/:/standin\n");
    install_file("/etc/group", "root:x:0:\nirisowner:x:51773:\n");
    install_dir("/usr");
    install_dir("/usr/bin");
    install_dir("/usr/irissys");
    install_dir("/usr/irissys/bin");
    install_link("/usr/irissys/bin/iris");
    install_link("/usr/bin/iris");
    install_link("/usr/bin/chown");
    install_link("/usr/bin/cat");
    install_link("/usr/bin/stat");
    return 0;
}

/* ---- dispatch ----------------------------------------------------------- */

int main(int argc, char **argv) {
    const char *name = argc > 0 ? base_name(argv[0]) : "standin";

    /* Docker's log reader is not a terminal: flush each line as it is written. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(name, "iris") == 0) return iris(argc, argv);
    if (strcmp(name, "chown") == 0) return chown_command(argc, argv);
    if (strcmp(name, "cat") == 0) return cat_command(argc, argv);
    if (strcmp(name, "stat") == 0) return stat_command(argc, argv);

    /* `standin NAME ARGS...` runs the program NAME too, for a caller that
     * cannot rely on PATH. */
    if (argc > 1) {
        const char *command = argv[1];
        if (strcmp(command, "check") == 0) return check();
        if (strcmp(command, "install") == 0) return install();
        if (strcmp(command, "iris") == 0) return iris(argc - 1, argv + 1);
        if (strcmp(command, "chown") == 0) return chown_command(argc - 1, argv + 1);
        if (strcmp(command, "cat") == 0) return cat_command(argc - 1, argv + 1);
        if (strcmp(command, "stat") == 0) return stat_command(argc - 1, argv + 1);
        fprintf(stderr, "standin: unknown command `%s`\n", command);
        return 2;
    }
    return instance();
}
