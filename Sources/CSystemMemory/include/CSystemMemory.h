#ifndef CSYSTEMMEMORY_H
#define CSYSTEMMEMORY_H

#include <stddef.h>

/// Bytes the C heap holds free (glibc's mallinfo2 fordblks): memory the process freed but
/// the allocator keeps. 0 where the C library cannot tell.
size_t crmgate_heap_free_bytes(void);

/// Returns the C heap's free pages to the system (glibc's malloc_trim); 1 when it released
/// any. A no-op returning 0 where the C library has none.
int crmgate_heap_trim(void);

#endif
