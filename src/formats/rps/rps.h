/* The Rps_Http format: Exchange's remote PowerShell HTTP logs
 * (Logging/CmdletInfra/Powershell-Proxy/Http/Rps_Http_*.LOG), a log kind of
 * its own read with the Exchange CSV reader of formats/logs (docs/formats.md). */
#ifndef EXH_FORMATS_RPS_H
#define EXH_FORMATS_RPS_H

#include "../../core/format.h"

extern const exh_format exh__format_rps;

#endif
