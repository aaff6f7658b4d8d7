import CSystemMemory
import Foundation
import NIOCore
import Testing
@testable import IMAPServer

/// How the server keeps memory it does not use from staying resident: connection buffers
/// mapped page by page, and freed heap memory handed back.
@Suite("Memory: lazily mapped buffers and the heap trim")
struct MemoryTests {
    /// Resident pages of the mapping at `pointer` (mincore), of `pages`.
    static func residentPages(_ pointer: UnsafeMutableRawPointer, pages: Int) -> Int {
        let page = 4096
        let start = UnsafeMutableRawPointer(bitPattern: Int(bitPattern: pointer) & ~(page - 1))!
        var vector = [UInt8](repeating: 0, count: pages)
        guard mincore(start, pages * page, &vector) == 0 else { return -1 }
        return vector.filter { $0 & 1 == 1 }.count
    }

    @Test func aBigBufferCostsOnlyThePagesItWrites() throws {
        let pointer = try #require(LazyPageAllocator.allocate(32 << 10))
        defer { LazyPageAllocator.deallocate(pointer) }
        // The header's page and nothing else: a fresh mapping, not heap memory used before.
        #expect(Self.residentPages(pointer, pages: 8) == 1)
        pointer.storeBytes(of: 7, toByteOffset: 20_000, as: UInt8.self)
        #expect(Self.residentPages(pointer, pages: 8) == 2)
    }

    @Test func buffersKeepTheirBytesWhenTheyGrowOrShrinkAcrossTheThreshold() throws {
        var buffer = LazyPageAllocator.allocator.buffer(capacity: 512)
        let pattern = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for chunk in stride(from: 0, to: pattern.count, by: 1_000) {
            buffer.writeBytes(pattern[chunk..<chunk + 1_000])  // grows from the heap into a mapping
        }
        #expect(buffer.readBytes(length: pattern.count) == pattern)
        let small = try #require(LazyPageAllocator.allocate(100))
        let big = try #require(LazyPageAllocator.reallocate(small, 64 << 10))
        let back = try #require(LazyPageAllocator.reallocate(big, 200))
        LazyPageAllocator.deallocate(back)
    }

    @Test func freedHeapMemoryGoesBackToTheSystem() throws {
        // 64 MiB in blocks below glibc's mmap threshold, written, then freed: the heap keeps it.
        let blocks = (0..<1_024).map { _ -> UnsafeMutableRawPointer in
            let block = malloc(64 << 10)!
            memset(block, 1, 64 << 10)
            return block
        }
        let kept = blocks.last!  // pins the heap's top, so that only a trim gives the rest back
        for block in blocks.dropLast() { free(block) }
        defer { free(kept) }
        #expect(crmgate_heap_free_bytes() >= 48 << 20)
        let before = Self.residentBytes()
        crmgate_heap_trim()
        #expect(before - Self.residentBytes() >= 32 << 20, "resident \(before >> 20) MiB before the trim")
    }

    static func residentBytes() -> Int {
        let fields = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8))?.split(separator: " ") ?? []
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * 4096 : 0
    }
}
