#include "CSystemMemory.h"
#include <stdlib.h>  /* defines __GLIBC__ on glibc systems */

#if defined(__GLIBC__)
#include <malloc.h>

size_t crmgate_heap_free_bytes(void) {
    struct mallinfo2 info = mallinfo2();
    return info.fordblks;
}

int crmgate_heap_trim(void) {
    return malloc_trim(0);
}
#else
size_t crmgate_heap_free_bytes(void) { return 0; }
int crmgate_heap_trim(void) { return 0; }
#endif
