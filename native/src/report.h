/* The status protocol on fd 3: one line per message, each write atomic (< PIPE_BUF). */
#ifndef CGBOX_REPORT_H
#define CGBOX_REPORT_H

#define STATUS_FD 3
#define SETUP_FAILED 125

void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reports "error STEP ERRNO WHAT: strerror" and exits SETUP_FAILED. */
void fail(const char *step, const char *what) __attribute__((noreturn));
void report_status(int wait_status);

#endif
