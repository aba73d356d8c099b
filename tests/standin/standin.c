/* A stand-in for IRIS in tests: listens on 1972 (superserver) and 52773 (web
 * portal) and answers nothing. `standin check` is its HEALTHCHECK: it exits 0
 * when port 1972 accepts a connection. Built static so the image is FROM scratch
 * (no registry can be reached to pull a base image). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int listen_on(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    struct sockaddr_in addr;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 64) != 0) exit(2);
    return fd;
}

static void serve(int fd) {
    for (;;) {
        int client = accept(fd, 0, 0);
        if (client >= 0) close(client);
    }
}

static void stop(int signal) { (void)signal; _exit(0); }

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "check") == 0) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in addr;
        memset(&addr, 0, sizeof addr);
        addr.sin_family = AF_INET;
        addr.sin_port = htons(1972);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 ? 0 : 1;
    }
    /* PID 1 gets no default SIGTERM action: exit at once so `down` is quick. */
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    int superserver = listen_on(1972);
    int web = listen_on(52773);
    if (fork() == 0) serve(web);
    serve(superserver);
}
