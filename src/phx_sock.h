/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * phx's client side of DPDK's telemetry v2 protocol (rte_telemetry, DPDK
 * 22.11): find a member's socket, connect, ask one command at a time.
 *
 * The protocol is tiny, so it is spoken directly over an AF_UNIX
 * SOCK_SEQPACKET socket rather than through a DPDK library: phx must run
 * without EAL, hugepages or a DPDK runtime (it is the tool an operator
 * reaches for when the member is in trouble). On connect the server sends
 * one info message {"version","pid","max_output_len"}; then each request is
 * one message "<command>[,<param>]" and each reply one message
 * {"<command>": <answer>}, where the answer is null when the command is
 * unknown or its callback rejected the parameter. The server closes the
 * connection without a word when it already has its maximum of clients.
 *
 * Every socket operation has a timeout (SO_SNDTIMEO also bounds connect()
 * on AF_UNIX), so phx never hangs on a wedged member. Replies are untrusted
 * input: size-checked, parsed with jansson and shape-checked here; the
 * answer's contents are checked by whoever renders it (phx_fmt).
 */
#ifndef PHX_SRC_PHX_SOCK_H
#define PHX_SRC_PHX_SOCK_H

#include <stddef.h>

#include <jansson.h>

#define PHX_SOCK_NAME        "dpdk_telemetry.v2" /* in the runtime dir */
#define PHX_SOCK_TIMEOUT_MS  2000     /* per connect/send/receive */
#define PHX_SOCK_CMD_MAX     1023     /* the server reads into 1024 bytes */
#define PHX_SOCK_REPLY_MAX   (1u << 20) /* cap on max_output_len we accept */

struct phx_sock {
	int fd;                  /* -1 when closed */
	char path[108];          /* sun_path it is connected to */
	unsigned timeout_ms;     /* per send/receive */
	size_t max_output_len;   /* from the server's info message, bytes */
	char *buf;               /* receive buffer, owned; after a request
				  * it holds that reply's text (NUL-ended)
				  * until the next one */
	size_t buf_len;          /* bytes; max_output_len + 1 */
};

#define PHX_SOCK_INITIALIZER { .fd = -1 }

/*
 * "<runtime>/dpdk" as DPDK's EAL computes it (eal_create_runtime_dir):
 * $RUNTIME_DIRECTORY if set, else /var/run for root, else
 * $XDG_RUNTIME_DIR or /tmp. Returns 0 or -ENAMETOOLONG.
 */
int phx_sock_runtime_dir(char *buf, size_t len);

/*
 * Telemetry socket path of a file prefix:
 * "<runtime>/dpdk/<prefix>/dpdk_telemetry.v2". Returns 0, -EINVAL for an
 * empty prefix or one containing '/', or -ENAMETOOLONG when the path does
 * not fit buf or a sockaddr_un.
 */
int phx_sock_path(char *buf, size_t len, const char *prefix);

/*
 * Connect to path and read the server's info message. On failure returns
 * -errno (-EPROTO: the peer is not a telemetry v2 server) with a message
 * in err ("cannot connect to PATH: REASON") and s closed. timeout_ms
 * bounds each step. s need not be initialised; after the call it is safe
 * to pass to phx_sock_close() whatever the result.
 */
int phx_sock_open(struct phx_sock *s, const char *path, unsigned timeout_ms,
		  char *err, size_t errlen);

/*
 * Send cmd ("/phalanx/pstat,0") and return its answer: a new reference to
 * the value of the reply's single key. A null answer (unknown command or
 * rejected parameter) is returned as json_null(), not as a failure.
 * Returns NULL with a message in err when the command is too long, the
 * socket fails or times out, or the reply is not a one-key JSON object
 * naming cmd.
 */
json_t *phx_sock_request(struct phx_sock *s, const char *cmd,
			 char *err, size_t errlen);

/* Close and free; safe on a closed struct or on PHX_SOCK_INITIALIZER. */
void phx_sock_close(struct phx_sock *s);

#endif /* PHX_SRC_PHX_SOCK_H */
