#include "requests.h"
#include <stdlib.h>
#include <string.h>

char **read_tokens(char **p, char *end, long most, long *n) {
  char *nul = *p < end ? memchr(*p, 0, (size_t)(end - *p)) : NULL;
  if (!nul) return NULL;
  char *digits_end;
  long count = strtol(*p, &digits_end, 10);
  if (digits_end != nul || count < 0 || count > most) {
    *n = -1;
    return NULL;
  }
  char **vec = calloc((size_t)count + 2, sizeof *vec);
  if (!vec) abort();
  char *q = nul + 1;
  for (long i = 1; i <= count; i++) {
    char *z = q < end ? memchr(q, 0, (size_t)(end - q)) : NULL;
    if (!z) {
      free(vec);
      return NULL;
    }
    vec[i] = q;
    q = z + 1;
  }
  *p = q;
  *n = count;
  return vec;
}
