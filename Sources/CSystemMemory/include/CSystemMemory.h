#ifndef CSYSTEMMEMORY_H
#define CSYSTEMMEMORY_H

#include <stddef.h>

/// Bytes of the C heap in use by live allocations, those it mapped on their own included
/// (glibc's mallinfo2 uordblks + hblkhd). 0 where the C library cannot tell.
size_t crmgate_heap_in_use_bytes(void);

/// Resident anonymous memory of this process, in bytes (/proc/self/statm: resident minus
/// file-backed pages). 0 where the system cannot tell.
size_t crmgate_resident_anonymous_bytes(void);

/// Fixes glibc's thresholds: blocks of `mmap_threshold` bytes and more get mappings of their
/// own (unmapped when freed), and a heap's free top beyond `trim_threshold` goes back to the
/// system when memory is freed. Without this glibc raises both after the first big block is
/// freed (up to 32 and 64 MiB), and a thread's heap then keeps tens of MiB of free top
/// resident, which malloc_trim does not touch. A no-op where the C library has no mallopt.
void crmgate_heap_limit_retention(size_t mmap_threshold, size_t trim_threshold);

/// Returns the C heap's free pages to the system (glibc's malloc_trim); 1 when it released
/// any. A no-op returning 0 where the C library has none.
int crmgate_heap_trim(void);

#endif
