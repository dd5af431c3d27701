/* Client addresses as the logs write them, made fit for an `ip` field
 * (ECS source.ip, related.ip; Elasticsearch rejects a whole document whose
 * ip field does not parse). IIS c-ip, HttpProxy ClientIpAddress and EVTX
 * fields carry "-", "10.0.0.5:1234", "[2001:db8::1]:443", "fe80::1%eth0",
 * "::ffff:1.2.3.4", lists and garbage: only what inet_pton accepts, after
 * the brackets, a port and an IPv6 zone are taken off, is an address. */
#ifndef EXH_REPORT_IP_H
#define EXH_REPORT_IP_H

#include <stddef.h>

/* INET6_ADDRSTRLEN, without <netinet/in.h> in every writer */
#define EXH_IP_TEXT 46

typedef struct exh_ip {
  int family;          /* 4, 6, or 0: not an address */
  int port;            /* the port written after it, or -1 */
  char text[EXH_IP_TEXT]; /* canonical text (inet_ntop), "" when family is 0 */
  int exact;           /* 1: the input was already exactly `text` */
} exh_ip;

/* Parses `s` (NUL-terminated, may be NULL); returns out->family. Accepted:
 *   a.b.c.d            a.b.c.d:port         (IPv4, dotted quad as inet_pton)
 *   v6                 [v6]     [v6]:port   (IPv6, "::ffff:a.b.c.d" too)
 *   v6%zone            [v6%zone]:port       (the zone is dropped)
 * port: 1 to 5 digits, at most 65535. Anything else (surrounding spaces,
 * lists, host names, "-") is not an address. */
int exh__ip_parse(const char *s, exh_ip *out);

#endif
