/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_client: the write load of scripts/bench-api, in C so that the
 * client does not eat the CPU the server is measured on.
 *
 *   bench_client HOST PORT KEY_ID SECRET VSWITCH_IDS FIRST COUNT CONNECTIONS
 *
 * Opens CONNECTIONS keep-alive HTTP/1.1 connections and sends COUNT
 * CreateSluiceInstance requests (signature 1.0, HMAC-SHA1 from OpenSSL,
 * POST form body), one request in flight per connection, all in one thread
 * on epoll. VSWITCH_IDS is a comma list of K VSwitches, the i-th being
 * 10.i.0.0/16 (a VPC holds at most 10,000 instances): request n goes to
 * VSwitch n % K with host number FIRST + n / K. Every answer must be 200.
 * Prints the writes, the failures, the seconds and api_writes_per_s=N.
 *
 * Design note: the canonical query is built in sorted order directly (the
 * parameter set is fixed), and only the Timestamp, the nonce and the
 * address vary, none of which needs escaping but the Timestamp's colons.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

struct conn {
	int fd;
	char out[2048];
	size_t out_len, out_off;
	char in[8192];
	size_t in_len;
	struct timespec t0;
};

static const char *g_key, *g_secret;
static char *g_vsw[256];
static int g_nvsw;
static long g_first;
static long g_next, g_end, g_done, g_failed;
static char g_first_error[256];

static void pct(char *out, size_t size, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (const unsigned char *c = (const unsigned char *)s; *c && o + 4 < size; c++) {
		if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.' || *c == '~') {
			out[o++] = (char)*c;
		} else {
			out[o++] = '%';
			out[o++] = hex[*c >> 4];
			out[o++] = hex[*c & 15];
		}
	}
	out[o] = '\0';
}

/* Build the next request into c->out. */
static void build(struct conn *c, long n)
{
	char ts[32], ts_e[64], query[1024], sts[2048], sig_e[128], body[1400];
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	char key[256], sig[64];
	time_t now = time(NULL);
	int v = (int)((n - g_first) % g_nvsw);
	long host = g_first + (n - g_first) / g_nvsw;
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	pct(ts_e, sizeof(ts_e), ts);
	snprintf(
	    query, sizeof(query),
	    "AccessKeyId=%s&Action=CreateSluiceInstance&Format=JSON&PrivateIpAddress=10.%d.%ld.%ld"
	    "&SignatureMethod=HMAC-SHA1&SignatureNonce=b%d-%ld-%ld&SignatureVersion=1.0"
	    "&Timestamp=%s&VSwitchId=%s&Version=2016-04-28",
	    g_key, v, (host >> 8) & 255, host & 255, (int)getpid(), (long)now, n, ts_e, g_vsw[v]);
	memcpy(sts, "POST&%2F&", 9);
	pct(sts + 9, sizeof(sts) - 9, query);
	snprintf(key, sizeof(key), "%s&", g_secret);
	HMAC(EVP_sha1(), key, (int)strlen(key), (const unsigned char *)sts, strlen(sts), mac,
	     &mac_len);
	EVP_EncodeBlock((unsigned char *)sig, mac, (int)mac_len);
	pct(sig_e, sizeof(sig_e), sig);
	snprintf(body, sizeof(body), "%s&Signature=%s", query, sig_e);
	c->out_len =
	    (size_t)snprintf(c->out, sizeof(c->out),
			     "POST / HTTP/1.1\r\nHost: bench\r\nContent-Type: "
			     "application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n%s",
			     strlen(body), body);
	c->out_off = 0;
	c->in_len = 0;
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
}

/* A complete response in c->in? Returns its length, 0 if incomplete. */
static size_t complete(struct conn *c, int *status)
{
	char *hdr_end, *cl;
	size_t len;

	c->in[c->in_len] = '\0';
	hdr_end = strstr(c->in, "\r\n\r\n");
	if (hdr_end == NULL)
		return 0;
	cl = strcasestr(c->in, "\r\nContent-Length:");
	len = cl ? strtoul(cl + 17, NULL, 10) : 0;
	if ((size_t)(hdr_end + 4 - c->in) + len > c->in_len)
		return 0;
	*status = atoi(c->in + 9);
	return (size_t)(hdr_end + 4 - c->in) + len;
}

static int start(struct conn *c, int ep)
{
	struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};

	if (g_next >= g_end)
		return 0;
	build(c, g_next++);
	return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct timespec t0, t1;
	struct conn *conns;
	int ep, nconn;
	double secs;

	if (argc != 9) {
		fprintf(stderr,
			"usage: bench_client HOST PORT KEY_ID SECRET VSWITCH_IDS FIRST COUNT "
			"CONNECTIONS\n");
		return 2;
	}
	inet_pton(AF_INET, argv[1], &sa.sin_addr);
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	g_key = argv[3];
	g_secret = argv[4];
	for (char *t = strtok(argv[5], ","); t && g_nvsw < 256; t = strtok(NULL, ","))
		g_vsw[g_nvsw++] = t;
	if (g_nvsw == 0)
		return 2;
	g_first = g_next = atol(argv[6]);
	g_end = g_next + atol(argv[7]);
	nconn = atoi(argv[8]);
	conns = calloc((size_t)nconn, sizeof(*conns));
	ep = epoll_create1(0);
	if (conns == NULL || ep < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < nconn; i++) {
		struct epoll_event ev = {.events = 0, .data.ptr = &conns[i]};
		int one = 1;

		conns[i].fd = socket(AF_INET, SOCK_STREAM, 0);
		if (conns[i].fd < 0 ||
		    connect(conns[i].fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			perror("connect");
			return 1;
		}
		setsockopt(conns[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
		start(&conns[i], ep);
	}
	while (g_done < g_end - atol(argv[6])) {
		struct epoll_event evs[64];
		int n = epoll_wait(ep, evs, 64, 30000);

		if (n <= 0) {
			fprintf(stderr, "bench_client: no progress for 30 s\n");
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			int status = 0;
			size_t used;
			ssize_t r;

			if (c->out_off < c->out_len && (evs[i].events & EPOLLOUT)) {
				r = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
				if (r > 0)
					c->out_off += (size_t)r;
				if (c->out_off == c->out_len) {
					struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};

					epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				}
			}
			if (!(evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				continue;
			r = read(c->fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len);
			if (r <= 0) {
				fprintf(stderr, "bench_client: connection closed (%s)\n",
					r < 0 ? strerror(errno) : "EOF");
				return 1;
			}
			c->in_len += (size_t)r;
			used = complete(c, &status);
			if (used == 0)
				continue;
			g_done++;
			if (status != 200) {
				g_failed++;
				if (g_first_error[0] == '\0') {
					char *b = strstr(c->in, "\r\n\r\n");

					snprintf(g_first_error, sizeof(g_first_error), "%d %.200s",
						 status, b ? b + 4 : "");
				}
			}
			if (start(c, ep) < 0)
				return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("writes=%ld failed=%ld seconds=%.2f connections=%d\n", g_done, g_failed, secs,
	       nconn);
	if (g_failed)
		printf("first error: %s\n", g_first_error);
	printf("api_writes_per_s=%.0f\n", (double)(g_done - g_failed) / secs);
	return g_failed ? 1 : 0;
}
