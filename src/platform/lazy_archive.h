/* libarchive through the loader (lazylib.h): include instead of <archive.h>
 * and <archive_entry.h>. */
#ifndef EXH_LAZY_ARCHIVE_H
#define EXH_LAZY_ARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#include "lazylib.h"

/* Every function of it exhunt calls (a name missing here is an undefined
 * reference when the library is not linked; one listed but not #defined
 * below is a compile error). */
#define EXH_LAZY_ARCHIVE(X) \
  X(archive_entry_filetype) \
  X(archive_entry_is_data_encrypted) \
  X(archive_entry_mtime) \
  X(archive_entry_pathname) \
  X(archive_entry_pathname_utf8) \
  X(archive_entry_pathname_w) \
  X(archive_entry_size) \
  X(archive_entry_size_is_set) \
  X(archive_error_string) \
  X(archive_format) \
  X(archive_read_data) \
  X(archive_read_free) \
  X(archive_read_new) \
  X(archive_read_next_header) \
  X(archive_read_open1) \
  X(archive_read_set_callback_data) \
  X(archive_read_set_read_callback) \
  X(archive_read_set_seek_callback) \
  X(archive_read_set_skip_callback) \
  X(archive_read_support_filter_all) \
  X(archive_read_support_format_all) \
  X(archive_set_error)

#ifdef EXH_LAZY_LIBS
typedef struct exh_lazy_archive {
  EXH_LAZY_ARCHIVE(EXH_LAZY_SLOT)
} exh_lazy_archive;
/* The table, the library opened on first use (exh__lib_load first: a
 * library that cannot be opened aborts here). */
const exh_lazy_archive *exh__lazy_archive(void);
#ifndef EXH_LAZY_IMPL
#define archive_entry_filetype (exh__lazy_archive()->archive_entry_filetype)
#define archive_entry_is_data_encrypted (exh__lazy_archive()->archive_entry_is_data_encrypted)
#define archive_entry_mtime (exh__lazy_archive()->archive_entry_mtime)
#define archive_entry_pathname (exh__lazy_archive()->archive_entry_pathname)
#define archive_entry_pathname_utf8 (exh__lazy_archive()->archive_entry_pathname_utf8)
#define archive_entry_pathname_w (exh__lazy_archive()->archive_entry_pathname_w)
#define archive_entry_size (exh__lazy_archive()->archive_entry_size)
#define archive_entry_size_is_set (exh__lazy_archive()->archive_entry_size_is_set)
#define archive_error_string (exh__lazy_archive()->archive_error_string)
#define archive_format (exh__lazy_archive()->archive_format)
#define archive_read_data (exh__lazy_archive()->archive_read_data)
#define archive_read_free (exh__lazy_archive()->archive_read_free)
#define archive_read_new (exh__lazy_archive()->archive_read_new)
#define archive_read_next_header (exh__lazy_archive()->archive_read_next_header)
#define archive_read_open1 (exh__lazy_archive()->archive_read_open1)
#define archive_read_set_callback_data (exh__lazy_archive()->archive_read_set_callback_data)
#define archive_read_set_read_callback (exh__lazy_archive()->archive_read_set_read_callback)
#define archive_read_set_seek_callback (exh__lazy_archive()->archive_read_set_seek_callback)
#define archive_read_set_skip_callback (exh__lazy_archive()->archive_read_set_skip_callback)
#define archive_read_support_filter_all (exh__lazy_archive()->archive_read_support_filter_all)
#define archive_read_support_format_all (exh__lazy_archive()->archive_read_support_format_all)
#define archive_set_error (exh__lazy_archive()->archive_set_error)
#endif
#endif

#endif
