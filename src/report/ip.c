/* See ip.h. */
#include "ip.h"

#include <arpa/inet.h>
#include <string.h>

static int port_of(const char *p, size_t n) {
  if (n == 0 || n > 5) return -1;
  long v = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return -1;
    v = v * 10 + (p[i] - '0');
  }
  return v <= 65535 ? (int)v : -1;
}

/* Tries the address p[0..n) as `family` (AF_INET, AF_INET6); an IPv6 zone
 * ("%eth0") is dropped first. */
static int try_addr(const char *p, size_t n, int af, exh_ip *out) {
  char tmp[64];
  unsigned char bin[16];
  if (af == AF_INET6) {
    const char *pct = memchr(p, '%', n);
    if (pct) {
      size_t zn = n - (size_t)(pct - p) - 1;
      if (zn == 0) return 0;
      for (size_t i = 0; i < zn; i++) /* an interface name or number, nothing that could hide a second address */
        if (!((pct[1 + i] >= '0' && pct[1 + i] <= '9') || (pct[1 + i] >= 'a' && pct[1 + i] <= 'z') ||
              (pct[1 + i] >= 'A' && pct[1 + i] <= 'Z') || pct[1 + i] == '_' || pct[1 + i] == '-' || pct[1 + i] == '.'))
          return 0;
      n = (size_t)(pct - p);
    }
  }
  if (n == 0 || n >= sizeof tmp) return 0;
  memcpy(tmp, p, n);
  tmp[n] = 0;
  if (inet_pton(af, tmp, bin) != 1) return 0;
  if (!inet_ntop(af, bin, out->text, sizeof out->text)) return 0;
  out->family = af == AF_INET ? 4 : 6;
  return 1;
}

int exh__ip_parse(const char *s, exh_ip *out) {
  memset(out, 0, sizeof *out);
  out->port = -1;
  if (!s) return 0;
  size_t n = strlen(s);
  int ok = 0;
  if (n > 0 && s[0] == '[') { /* [v6] or [v6]:port */
    const char *rb = memchr(s, ']', n);
    if (rb) {
      size_t an = (size_t)(rb - s) - 1, rest = n - (size_t)(rb - s) - 1;
      if (rest == 0)
        ok = try_addr(s + 1, an, AF_INET6, out);
      else if (rb[1] == ':' && (out->port = port_of(rb + 2, rest - 1)) >= 0)
        ok = try_addr(s + 1, an, AF_INET6, out);
    }
  } else {
    const char *c1 = memchr(s, ':', n);
    if (!c1) {
      ok = try_addr(s, n, AF_INET, out);
    } else if (!memchr(c1 + 1, ':', n - (size_t)(c1 - s) - 1)) { /* one colon: a.b.c.d:port */
      if ((out->port = port_of(c1 + 1, n - (size_t)(c1 - s) - 1)) >= 0) ok = try_addr(s, (size_t)(c1 - s), AF_INET, out);
    } else {
      ok = try_addr(s, n, AF_INET6, out);
    }
  }
  if (!ok) {
    memset(out, 0, sizeof *out);
    out->port = -1;
    return 0;
  }
  out->exact = strcmp(out->text, s) == 0;
  return out->family;
}
