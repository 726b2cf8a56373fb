// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec-gw-inject: what a hostile or broken peer sends a gateway, for the
 * gateway test (tests/gw/gw-demo.sh): ESP packets with random content
 * under a given SPI (forgeries, unknown SPIs, truncated packets), and
 * replays of ESP packets captured earlier (a pcap file of Ethernet frames,
 * as tcpdump -w writes it).
 *   vipsec-gw-inject --src A --dst B --spi SPI --count N --len L [--seq S]
 *   vipsec-gw-inject --src A --replay FILE --first N | --last N
 * --len is the ESP part's length (SPI onwards; under 8 = truncated);
 * --seq the first sequence number (default 1; a forgery meant to reach the
 * ICV check must be ahead of the receiver's replay window).
 * Prints "sent N" and exits 0 when every packet went out, else 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/ip.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXPKT 65535

static int send_raw(int fd, const uint8_t *p, size_t len)
{
	const struct iphdr *ip = (const struct iphdr *)p;
	struct sockaddr_in to = { .sin_family = AF_INET };

	to.sin_addr.s_addr = ip->daddr;
	if (sendto(fd, p, len, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)len) {
		perror("vipsec-gw-inject: sendto");
		return -1;
	}
	return 0;
}

static int forge(int fd, struct in_addr src, struct in_addr dst, uint32_t spi,
		 uint32_t seq0, unsigned int count, unsigned int len)
{
	static uint8_t pkt[MAXPKT];
	struct iphdr *ip = (struct iphdr *)pkt;
	uint32_t seq;
	unsigned int i, j, sent = 0;

	for (i = 0; i < count; i++) {
		memset(pkt, 0, sizeof(*ip));
		ip->version = 4;
		ip->ihl = 5;
		ip->ttl = 64;
		ip->protocol = IPPROTO_ESP;
		ip->saddr = src.s_addr;
		ip->daddr = dst.s_addr;
		ip->tot_len = htons((uint16_t)(20 + len));
		for (j = 0; j < len; j++)
			pkt[20 + j] = (uint8_t)rand();
		/* SPI and a plausible sequence number, as far as they fit */
		spi = htonl(spi);
		seq = htonl(seq0 + i);
		memcpy(pkt + 20, &spi, len < 4 ? len : 4);
		if (len > 4)
			memcpy(pkt + 24, &seq, len < 8 ? len - 4 : 4);
		spi = ntohl(spi);
		if (!send_raw(fd, pkt, 20 + len))
			sent++;
	}
	printf("sent %u\n", sent);
	return sent == count ? 0 : 1;
}

/* Ethernet frames carrying IPv4 ESP from @src, in file order. */
static int replay(int fd, const char *file, struct in_addr src, int first,
		  unsigned int n)
{
	static uint8_t buf[MAXPKT];
	uint32_t *offs = NULL, *lens = NULL;
	unsigned int num = 0, cap = 0, i, from, sent = 0;
	uint8_t gh[24], rh[16];
	FILE *f = fopen(file, "rb");
	long off;

	if (!f || fread(gh, 1, 24, f) != 24) {
		fprintf(stderr, "vipsec-gw-inject: %s: cannot read a pcap header\n", file);
		return 1;
	}
	if (gh[0] != 0xd4 || gh[1] != 0xc3 || gh[20] != 1) {
		fprintf(stderr, "vipsec-gw-inject: %s: not a little-endian Ethernet pcap\n", file);
		return 1;
	}
	while (fread(rh, 1, 16, f) == 16) {
		uint32_t incl = rh[8] | rh[9] << 8 | rh[10] << 16 | (uint32_t)rh[11] << 24;
		const struct iphdr *ip = (const struct iphdr *)(buf + 14);

		off = ftell(f);
		if (incl > sizeof(buf) || fread(buf, 1, incl, f) != incl)
			break;
		if (incl < 14 + 28 || buf[12] != 0x08 || buf[13] != 0x00 ||
		    ip->protocol != IPPROTO_ESP || ip->saddr != src.s_addr)
			continue;
		if (num == cap) {
			cap = cap ? 2 * cap : 256;
			offs = realloc(offs, cap * sizeof(*offs));
			lens = realloc(lens, cap * sizeof(*lens));
			if (!offs || !lens)
				return 1;
		}
		offs[num] = (uint32_t)off;
		lens[num++] = incl;
	}
	if (num < n) {
		fprintf(stderr, "vipsec-gw-inject: %s: only %u ESP frames from %s\n",
			file, num, inet_ntoa(src));
		return 1;
	}
	from = first ? 0 : num - n;
	for (i = from; i < from + n; i++) {
		const struct iphdr *ip = (const struct iphdr *)(buf + 14);

		fseek(f, offs[i], SEEK_SET);
		if (fread(buf, 1, lens[i], f) != lens[i])
			return 1;
		if (!send_raw(fd, buf + 14, ntohs(ip->tot_len)))
			sent++;
	}
	fclose(f);
	printf("sent %u\n", sent);
	return sent == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ "spi", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "len", required_argument, NULL, 'l' },
		{ "replay", required_argument, NULL, 'r' },
		{ "first", required_argument, NULL, 'f' },
		{ "last", required_argument, NULL, 'L' },
		{ "seq", required_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct in_addr src = { 0 }, dst = { 0 };
	const char *file = NULL;
	unsigned long spi = 0, count = 1, len = 64, n = 0, seq = 1;
	int opt, fd, first = 1;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's': inet_pton(AF_INET, optarg, &src); break;
		case 'd': inet_pton(AF_INET, optarg, &dst); break;
		case 'p': spi = strtoul(optarg, NULL, 0); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'l': len = strtoul(optarg, NULL, 0); break;
		case 'r': file = optarg; break;
		case 'f': first = 1; n = strtoul(optarg, NULL, 0); break;
		case 'L': first = 0; n = strtoul(optarg, NULL, 0); break;
		case 'q': seq = strtoul(optarg, NULL, 0); break;
		default: return 2;
		}
	}
	if (!src.s_addr || (!file && (!dst.s_addr || len > 1400)) || (file && !n)) {
		fprintf(stderr, "usage: vipsec-gw-inject --src A --dst B --spi SPI --count N --len L [--seq S]\n"
			"       vipsec-gw-inject --src A --replay FILE --first N|--last N\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("vipsec-gw-inject: raw socket");
		return 1;
	}
	srand((unsigned int)getpid());
	if (file)
		return replay(fd, file, src, first, (unsigned int)n);
	return forge(fd, src, dst, (uint32_t)spi, (uint32_t)seq, (unsigned int)count,
		     (unsigned int)len);
}
