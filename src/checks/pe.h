/* Two small binary readers for files found on disk, both bounds-checked on
 * every read (the bytes may be hostile):
 *  - the file version of a PE image (VS_FIXEDFILEINFO in the RT_VERSION
 *    resource), which for Bin/ExSetup.exe is the installed Exchange build,
 *    security updates included (facts §5.2);
 *  - the process a Windows minidump (MDMP) was taken of: the first module
 *    of its module list is the main image (lsass.exe for an LSASS dump). */
#ifndef EXH_PE_H
#define EXH_PE_H

#include <stddef.h>
#include <stdint.h>

/* Reads the FileVersion of a PE image in [p, p+n). Returns 0 and the four
 * parts, or -1 with a reason (not PE, no version resource, truncated). */
int exh__pe_file_version(const uint8_t *p, size_t n, uint16_t ver[4], const char **why);

/* For a minidump in [p, p+n): 1 if it starts with the MDMP signature; then
 * the file name of the first module (UTF-8, lowercase ASCII folded, path
 * stripped) goes to name (size namen), "" if the module list is missing or
 * unreadable. Returns 0 if not a minidump. */
int exh__minidump_process(const uint8_t *p, size_t n, char *name, size_t namen);

#endif
