/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl's telemetry client (design note in sl_tel_client.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sl_tel_client.h"

#define SL_TEL_SOCKET "dpdk_telemetry.v2"

/* Connect to a telemetry socket; the greeting's pid in *pid. -1 on error. */
static int sl_tel_connect(const char *path, long *pid)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char buf[1024];
	json_t *g;
	ssize_t n;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		close(fd);
		return -1;
	}
	buf[n] = '\0';
	g = json_loads(buf, 0, NULL);
	*pid = g ? (long)json_integer_value(json_object_get(g, "pid")) : 0;
	json_decref(g);
	return fd;
}

/* One command; the value under the command's name (new reference) or NULL. */
json_t *sl_tel_cmd(int fd, const char *cmd, char *buf)
{
	char key[128];
	json_t *r, *v;
	ssize_t n;

	if (send(fd, cmd, strlen(cmd), 0) < 0)
		return NULL;
	n = recv(fd, buf, SL_TEL_BUF - 1, 0);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	r = json_loads(buf, 0, NULL);
	snprintf(key, sizeof(key), "%.*s", (int)strcspn(cmd, ","), cmd);
	v = r ? json_incref(json_object_get(r, key)) : NULL;
	json_decref(r);
	return v;
}

/* The socket of the sluice-dp with pid t->dp_pid. */
static int sl_tel_find(const struct sl_tel_target *o, char *path, size_t len)
{
	const char *roots[2] = {"/var/run/dpdk", NULL};
	char xdg[512];
	int fd = -1;
	long pid;

	if (o->socket) {
		snprintf(path, len, "%s", o->socket);
		return sl_tel_connect(path, &pid);
	}
	if (getenv("XDG_RUNTIME_DIR") && geteuid() != 0) {
		snprintf(xdg, sizeof(xdg), "%s/dpdk", getenv("XDG_RUNTIME_DIR"));
		roots[0] = xdg;
	}
	if (o->file_prefix) {
		snprintf(path, len, "%s/%s/%s", roots[0], o->file_prefix, SL_TEL_SOCKET);
		return sl_tel_connect(path, &pid);
	}
	DIR *d = opendir(roots[0]);
	struct dirent *e;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL && fd < 0) {
		char p[1024];
		int f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s/%s", roots[0], e->d_name, SL_TEL_SOCKET);
		f = sl_tel_connect(p, &pid);
		if (f < 0)
			continue;
		if (o->dp_pid > 0 && pid == o->dp_pid) {
			snprintf(path, len, "%s", p);
			fd = f;
		} else {
			close(f);
		}
	}
	closedir(d);
	return fd;
}


int sl_tel_open(const struct sl_tel_target *t, char *path, size_t len, const char *who)
{
	int fd;

	path[0] = '\0';
	fd = sl_tel_find(t, path, len);
	if (fd >= 0)
		return fd;
	if (t->socket || t->file_prefix)
		fprintf(stderr, "sluicectl: %s: cannot reach sluice-dp's telemetry socket %s: %s\n",
			who, path, strerror(errno));
	else
		fprintf(stderr,
			"sluicectl: %s: no DPDK telemetry socket of sluice-dp (pid %d) found under "
			"/var/run/dpdk: is sluice-dp running with telemetry (not --no-telemetry)? "
			"give --file-prefix PREFIX or --telemetry PATH\n",
			who, t->dp_pid);
	return -1;
}
