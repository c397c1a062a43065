/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry v2 client for phx (see phx_sock.h for the protocol).
 *
 * One blocking socket with SO_RCVTIMEO/SO_SNDTIMEO rather than poll():
 * phx asks one question at a time, and on AF_UNIX the send timeout also
 * bounds connect() (the kernel waits with the socket's send timeout when
 * the listener's backlog is full), so three setsockopt calls give every
 * step its deadline. Replies are received with recvmsg() so a message
 * longer than the buffer is reported (MSG_TRUNC) instead of being parsed
 * cut short.
 */
#include "src/phx_sock.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

int
phx_sock_runtime_dir(char *buf, size_t len)
{
	const char *dir = getenv("RUNTIME_DIRECTORY"); /* systemd unit */
	int n;

	if (dir == NULL || dir[0] == '\0') {
		if (getuid() == 0) {
			dir = "/var/run";
		} else {
			dir = getenv("XDG_RUNTIME_DIR");
			if (dir == NULL || dir[0] == '\0')
				dir = "/tmp";
		}
	}
	n = snprintf(buf, len, "%s/dpdk", dir);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int
phx_sock_path(char *buf, size_t len, const char *prefix)
{
	char dir[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
	int n;

	if (prefix[0] == '\0' || strchr(prefix, '/') != NULL)
		return -EINVAL;
	if (phx_sock_runtime_dir(dir, sizeof(dir)) < 0)
		return -ENAMETOOLONG;
	n = snprintf(buf, len, "%s/%s/%s", dir, prefix, PHX_SOCK_NAME);
	if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof(dir))
		return -ENAMETOOLONG;
	return 0;
}

void
phx_sock_close(struct phx_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->buf);
	s->buf = NULL;
	s->buf_len = 0;
}

static int
set_timeouts(int fd, unsigned timeout_ms)
{
	struct timeval tv = {
		.tv_sec = timeout_ms / 1000,
		.tv_usec = (timeout_ms % 1000) * 1000,
	};

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}

/*
 * Receive one message into s->buf, NUL-terminated. Returns its length or
 * -errno: -ETIMEDOUT, -ECONNRESET (peer closed), -EMSGSIZE (truncated).
 */
static ssize_t
recv_msg(struct phx_sock *s)
{
	struct iovec iov = { .iov_base = s->buf, .iov_len = s->buf_len - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	do {
		n = recvmsg(s->fd, &msg, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ?
			-ETIMEDOUT : -errno;
	if (n == 0)
		return -ECONNRESET;
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	s->buf[n] = '\0';
	return n;
}

/* Human text for a recv_msg()/send failure, with the timeout spelled out. */
static const char *
io_reason(int rc, unsigned timeout_ms, char *tmp, size_t len)
{
	switch (rc) {
	case -ETIMEDOUT:
		snprintf(tmp, len, "no answer within %u ms", timeout_ms);
		return tmp;
	case -ECONNRESET:
	case -EPIPE:
		return "the member closed the connection";
	case -EMSGSIZE:
		return "reply longer than the member's max_output_len";
	default:
		return strerror(-rc);
	}
}

/* Validate the info message: {"version": str, "pid": int,
 * "max_output_len": int}. */
static int
parse_info(const char *text, size_t len, size_t *max_out)
{
	json_t *info = json_loadb(text, len, 0, NULL);
	json_t *mol = json_object_get(info, "max_output_len");
	int rc = -EPROTO;

	if (json_is_object(info) && json_is_integer(mol) &&
	    json_is_string(json_object_get(info, "version")) &&
	    json_integer_value(mol) > 0 &&
	    json_integer_value(mol) <= PHX_SOCK_REPLY_MAX) {
		*max_out = (size_t)json_integer_value(mol);
		rc = 0;
	}
	json_decref(info);
	return rc;
}

int
phx_sock_open(struct phx_sock *s, const char *path, unsigned timeout_ms,
	      char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char tmp[64];
	ssize_t n;
	int rc;

	*s = (struct phx_sock)PHX_SOCK_INITIALIZER;
	if (strlen(path) >= sizeof(sun.sun_path) ||
	    strlen(path) >= sizeof(s->path)) {
		snprintf(err, errlen, "cannot connect to %s: path longer than "
			 "%zu bytes", path, sizeof(sun.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->timeout_ms = timeout_ms;

	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = set_timeouts(s->fd, timeout_ms);
	if (rc < 0)
		goto fail;
	if (connect(s->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		rc = errno == EAGAIN || errno == EINPROGRESS ?
			-ETIMEDOUT : -errno;
		goto fail;
	}

	/* The info message is small; a 1 KiB buffer is plenty until we
	 * know max_output_len. */
	s->buf_len = 1024;
	s->buf = malloc(s->buf_len);
	if (s->buf == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	n = recv_msg(s);
	if (n == -ECONNRESET) {
		snprintf(err, errlen, "cannot connect to %s: the member closed "
			 "the connection at once (too many telemetry clients "
			 "connected?)", path);
		rc = -ECONNRESET;
		goto fail_msg;
	}
	if (n < 0) {
		snprintf(err, errlen, "cannot connect to %s: %s", path,
			 io_reason((int)n, timeout_ms, tmp, sizeof(tmp)));
		rc = (int)n;
		goto fail_msg;
	}
	if (parse_info(s->buf, (size_t)n, &s->max_output_len) < 0) {
		snprintf(err, errlen, "cannot connect to %s: not a DPDK "
			 "telemetry v2 socket (unexpected greeting)", path);
		rc = -EPROTO;
		goto fail_msg;
	}

	free(s->buf);
	s->buf_len = s->max_output_len + 1;
	s->buf = malloc(s->buf_len);
	if (s->buf == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	return 0;

fail:
	if (rc == -ETIMEDOUT)
		snprintf(err, errlen, "cannot connect to %s: no answer within "
			 "%u ms", path, timeout_ms);
	else
		snprintf(err, errlen, "cannot connect to %s: %s", path,
			 strerror(-rc));
fail_msg:
	phx_sock_close(s);
	return rc;
}

json_t *
phx_sock_request(struct phx_sock *s, const char *cmd, char *err,
		 size_t errlen)
{
	size_t cmd_len = strlen(cmd);
	size_t name_len = strcspn(cmd, ",");
	json_error_t jerr;
	json_t *reply, *answer;
	const char *key;
	char tmp[64];
	ssize_t n;

	if (s->fd < 0) {
		snprintf(err, errlen, "%s: not connected", cmd);
		return NULL;
	}
	if (cmd_len == 0 || cmd_len > PHX_SOCK_CMD_MAX) {
		/* An empty message makes the server hang up; a longer one is
		 * cut at its 1024-byte buffer. */
		snprintf(err, errlen, "command must be 1..%u bytes, not %zu",
			 PHX_SOCK_CMD_MAX, cmd_len);
		return NULL;
	}
	do {
		n = send(s->fd, cmd, cmd_len, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		int rc = errno == EAGAIN || errno == EWOULDBLOCK ?
			-ETIMEDOUT : -errno;

		snprintf(err, errlen, "%s: cannot send to %s: %s", cmd,
			 s->path,
			 io_reason(rc, s->timeout_ms, tmp, sizeof(tmp)));
		return NULL;
	}
	n = recv_msg(s);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", cmd,
			 io_reason((int)n, s->timeout_ms, tmp, sizeof(tmp)));
		return NULL;
	}

	reply = json_loadb(s->buf, (size_t)n, 0, &jerr);
	if (reply == NULL) {
		snprintf(err, errlen, "%s: reply is not JSON: %s at byte %d",
			 cmd, jerr.text, jerr.position);
		return NULL;
	}
	if (!json_is_object(reply) || json_object_size(reply) != 1) {
		snprintf(err, errlen, "%s: reply is not an object with one "
			 "key", cmd);
		json_decref(reply);
		return NULL;
	}
	key = json_object_iter_key(json_object_iter(reply));
	answer = json_object_iter_value(json_object_iter(reply));
	/* The server echoes the command name; for unknown commands it may
	 * cut it to its 56-byte limit, so only a non-null answer must name
	 * exactly what we asked. */
	if (!json_is_null(answer) &&
	    (strlen(key) != name_len || strncmp(key, cmd, name_len) != 0)) {
		snprintf(err, errlen, "%s: reply answers \"%s\" instead", cmd,
			 key);
		json_decref(reply);
		return NULL;
	}
	json_incref(answer);
	json_decref(reply);
	return answer;
}
