#define _GNU_SOURCE
#include "made-cgroups.h"
#include "cgroup-ops.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char **noted;
static size_t count, cap;
static int swept;

/* Those gone since: a run's outer removes its cgroups itself (run-end.h), without telling the helper. */
static void prune(void) {
  size_t kept = 0;
  for (size_t i = 0; i < count; i++) {
    if (access(noted[i], F_OK) == 0) noted[kept++] = noted[i];
    else free(noted[i]);
  }
  count = kept;
}

static void note(const char *dir) {
  if (count == cap) prune();
  if (count == cap) {
    char **grown = realloc(noted, (cap = cap ? cap * 2 : 16) * sizeof *noted);
    if (!grown) return; /* unnoted, it is left to the reaper as before */
    noted = grown;
  }
  char *copy = strdup(dir);
  if (copy) noted[count++] = copy;
}

static void forget(const char *dir) {
  for (size_t i = 0; i < count; i++) {
    if (strcmp(noted[i], dir)) continue;
    free(noted[i]);
    noted[i] = noted[--count];
    return;
  }
}

int make_noted(char **a, int n, struct outcome *o) {
  pthread_mutex_lock(&lock);
  /* After the sweep nothing more is made: the process is on its way out. */
  while (swept) pause();
  int r = cgroup_make(a, n, o);
  /* Groups "N DIR [FILE VALUE]×N": the DIR of each. */
  for (int i = 0; r == 0 && i < n; i += 2 + 2 * (int)strtol(a[i], NULL, 10)) note(a[i + 1]);
  pthread_mutex_unlock(&lock);
  return r;
}

/* cgroup-remove's DIRs (after its patience) are Node's to remove from now on, whatever the outcome. */
static void forget_all(char **a, int n) {
  pthread_mutex_lock(&lock);
  for (int i = 1; i < n; i++) forget(a[i]);
  pthread_mutex_unlock(&lock);
}

int remove_forgetting(char **a, int n, struct outcome *o) {
  forget_all(a, n);
  return cgroup_remove(a, n, o);
}

int remove_now_forgetting(char **a, int n, struct outcome *o) {
  forget_all(a, n);
  return cgroup_remove_now(a, n, o);
}

void sweep_made(void) {
  pthread_mutex_lock(&lock);
  /* Newest first: one made inside another goes before it. */
  while (count > 0) {
    rmdir(noted[--count]);
    free(noted[count]);
  }
  swept = 1;
  pthread_mutex_unlock(&lock);
}
