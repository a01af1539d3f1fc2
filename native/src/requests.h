/*
 * The requests the servers read on stdin (zygote.h, host-ops.h): a count in decimal, then that many
 * tokens, each NUL-terminated.
 */
#ifndef CGBOX_REQUESTS_H
#define CGBOX_REQUESTS_H

/* The tokens from *p (up to end) at vec[1..*n], vec[0] left for an argv[0] and vec[*n + 1] NULL;
 * *p then points past them. NULL while some have not arrived yet (*n untouched), or with *n = -1 for
 * a count that is not one from 0 to `most`. The vector is the caller's to free; the tokens stay in
 * the buffer. */
char **read_tokens(char **p, char *end, long most, long *n);

#endif
