/*
 * cgbox-init --zygote: a fork server, started once by Node with an 'ipc' channel (NODE_CHANNEL_FD).
 * Each request on stdin — "FDS\0ARGC\0ARG\0…ENVC\0NAME=VALUE\0…" — is served by a fork that runs `run`
 * with those arguments and that environment, as if cgbox-init had been spawned with them. FDS names
 * the descriptors it gets (digits of 0–3, 3 always: "0123" for a spare, "123" for a cold start
 * without input): each a fresh socket pair whose other end goes to Node over the channel in Node's
 * own handle-passing messages; one of 0–2 not named is /dev/null. Forking this small process costs Node
 * nothing; spawning from Node forks Node itself. Replies on the channel, one JSON line each:
 *   {"cgbox":"fd","id":N,"fd":K}        with the descriptor attached (SCM_RIGHTS), K in FDS
 *   {"cgbox":"pid","id":N,"pid":P}      after them
 *   {"cgbox":"exit","id":N,"code":C,"signal":S}   when it has been reaped (C or S is -1)
 * The server dies with its parent (PR_SET_PDEATHSIG) or at EOF of its requests; its children, whose
 * --parent it is, then follow the usual parent-death chain.
 */
#ifndef CGBOX_ZYGOTE_H
#define CGBOX_ZYGOTE_H

int serve_forks(int (*run)(int argc, char **argv));

#endif
