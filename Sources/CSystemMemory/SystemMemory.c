#include "CSystemMemory.h"
#include <stdio.h>
#include <stdlib.h>  /* defines __GLIBC__ on glibc systems */
#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>

size_t crmgate_heap_in_use_bytes(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

int crmgate_heap_trim(void) {
    return malloc_trim(0);
}

void crmgate_heap_limit_retention(size_t mmap_threshold, size_t trim_threshold) {
    mallopt(M_MMAP_THRESHOLD, (int)mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, (int)trim_threshold);
}
#else
size_t crmgate_heap_in_use_bytes(void) { return 0; }
int crmgate_heap_trim(void) { return 0; }
void crmgate_heap_limit_retention(size_t mmap_threshold, size_t trim_threshold) {}
#endif

size_t crmgate_resident_anonymous_bytes(void) {
    FILE *statm = fopen("/proc/self/statm", "r");
    if (statm == NULL) return 0;
    unsigned long size = 0, resident = 0, shared = 0;
    int fields = fscanf(statm, "%lu %lu %lu", &size, &resident, &shared);
    fclose(statm);
    if (fields != 3 || shared > resident) return 0;
    return (size_t)(resident - shared) * (size_t)sysconf(_SC_PAGESIZE);
}
