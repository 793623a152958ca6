// Sends 64-byte UDP datagrams as fast as one core allows, cycling through
// FLOWS distinct source ports so that a stateful firewall sees a steady stream
// of new connections (each port starts a conntrack entry the first time it is
// used). Built and run by bench/scale.sh inside its client namespace; the
// receiving side counts what arrives.
//
//   udpflood DST_IP SECONDS FLOWS
//
// Raw IPv4 socket with our own headers: one socket can then use any source
// port, and sendmmsg amortises the system call over a batch.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { kBatch = 64, kPayload = 64, kPacket = sizeof(struct iphdr) + sizeof(struct udphdr) + kPayload };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: udpflood DST_IP SECONDS FLOWS\n");
        return 2;
    }
    struct sockaddr_in dst = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) return 2;
    const double seconds = atof(argv[2]);
    const unsigned flows = (unsigned)strtoul(argv[3], NULL, 10);
    if (flows == 0 || flows > 60000) return 2;

    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);  // implies IP_HDRINCL
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    // The source address the kernel would choose for DST_IP.
    int probe = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in src;
    socklen_t len = sizeof src;
    dst.sin_port = htons(9);
    if (connect(probe, (struct sockaddr*)&dst, sizeof dst) != 0 ||
        getsockname(probe, (struct sockaddr*)&src, &len) != 0) {
        perror("source address");
        return 1;
    }
    close(probe);

    static unsigned char pkt[kBatch][kPacket];
    struct iovec iov[kBatch];
    struct mmsghdr msg[kBatch];
    memset(pkt, 0, sizeof pkt);
    for (int i = 0; i < kBatch; ++i) {
        struct iphdr* ip = (struct iphdr*)pkt[i];
        ip->version = 4;
        ip->ihl = 5;
        ip->ttl = 64;
        ip->protocol = IPPROTO_UDP;
        ip->saddr = src.sin_addr.s_addr;
        ip->daddr = dst.sin_addr.s_addr;
        ip->tot_len = htons(kPacket);  // the kernel fills id and checksum
        struct udphdr* udp = (struct udphdr*)(ip + 1);
        udp->dest = htons(5201);
        udp->len = htons(sizeof(struct udphdr) + kPayload);  // checksum 0: none (IPv4)
        iov[i].iov_base = pkt[i];
        iov[i].iov_len = kPacket;
        memset(&msg[i], 0, sizeof msg[i]);
        msg[i].msg_hdr.msg_iov = &iov[i];
        msg[i].msg_hdr.msg_iovlen = 1;
        msg[i].msg_hdr.msg_name = &dst;
        msg[i].msg_hdr.msg_namelen = sizeof dst;
    }

    unsigned long sent = 0;
    unsigned flow = 0;
    const double end = now() + seconds;
    while (now() < end) {
        for (int i = 0; i < kBatch; ++i) {
            struct udphdr* udp = (struct udphdr*)(pkt[i] + sizeof(struct iphdr));
            udp->source = htons((uint16_t)(1024 + flow));
            flow = flow + 1 == flows ? 0 : flow + 1;
        }
        int n = sendmmsg(fd, msg, kBatch, 0);
        if (n > 0) sent += (unsigned long)n;
    }
    printf("%lu\n", sent);
    return 0;
}
