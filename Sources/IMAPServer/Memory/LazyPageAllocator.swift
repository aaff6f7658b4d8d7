#if canImport(Glibc)
import Glibc
#endif
@_spi(CustomByteBufferAllocator) import NIOCore

/// The buffers of a connection: small ones from the C heap, as NIO's own, big ones
/// (16 KiB and more) mapped from the kernel on their own pages, which become resident only
/// when written. An idle TLS connection holds a 32 KiB read buffer and a 16 KiB write
/// buffer of swift-nio-ssl's, of which it uses a few hundred bytes. From the heap, the
/// pages they were carved from stay resident as far as they were used before, and the
/// allocator's headers at both ends of each touch two more; mapped, each costs the one
/// page it writes. Every buffer carries a 16-byte header saying which it is and, if mapped,
/// its size, for the free and the resize.
enum LazyPageAllocator {
    /// From this size on a buffer is mapped.
    static let threshold = 16 << 10
    /// Keeps the bytes 16-byte aligned, as malloc's are.
    static let headerSize = 16
    static let heapTag = 0, mappedTag = 1

    static let allocator = ByteBufferAllocator(
        allocate: { size in LazyPageAllocator.allocate(size) },
        reallocate: { pointer, _, size in LazyPageAllocator.reallocate(pointer, size) },
        deallocate: { LazyPageAllocator.deallocate($0) },
        copy: { destination, source, count in _ = memcpy(destination, source, count) })

    static func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        let total = size + headerSize
        var base: UnsafeMutableRawPointer?
        var tag = heapTag
        #if os(Linux)
        if size >= threshold {
            let mapped = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            if let mapped, mapped != MAP_FAILED {
                base = mapped
                tag = mappedTag
            }
        }
        #endif
        if base == nil { base = malloc(total) }  // small, or no mapping left (vm.max_map_count)
        guard let base else { return nil }
        base.storeBytes(of: tag, as: Int.self)
        base.storeBytes(of: total, toByteOffset: MemoryLayout<Int>.size, as: Int.self)
        return base + headerSize
    }

    static func deallocate(_ pointer: UnsafeMutableRawPointer) {
        let base = pointer - headerSize
        #if os(Linux)
        if base.load(as: Int.self) == mappedTag {
            _ = munmap(base, base.load(fromByteOffset: MemoryLayout<Int>.size, as: Int.self))
            return
        }
        #endif
        free(base)
    }

    static func reallocate(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        guard let pointer else { return allocate(size) }
        let base = pointer - headerSize
        let total = base.load(fromByteOffset: MemoryLayout<Int>.size, as: Int.self)
        if base.load(as: Int.self) == heapTag && size < threshold {
            guard let moved = realloc(base, size + headerSize) else { return nil }
            moved.storeBytes(of: size + headerSize, toByteOffset: MemoryLayout<Int>.size, as: Int.self)
            return moved + headerSize
        }
        guard let grown = allocate(size) else { return nil }
        memcpy(grown, pointer, min(size, total - headerSize))
        deallocate(pointer)
        return grown
    }
}
