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

    /// 64 MiB in blocks below glibc's mmap threshold, written, then freed but for the last,
    /// which pins the heap's top so that only a trim gives the rest back; returns that one.
    static func burst() -> UnsafeMutableRawPointer {
        let blocks = (0..<1_024).map { _ -> UnsafeMutableRawPointer in
            let block = malloc(64 << 10)!
            memset(block, 1, 64 << 10)
            return block
        }
        for block in blocks.dropLast() { free(block) }
        return blocks.last!
    }

    @Test func freedHeapMemoryGoesBackToTheSystemAfterEveryBurst() throws {
        var slack = MemoryTrimmer.Slack()
        var pinned: [UnsafeMutableRawPointer] = []
        defer { pinned.forEach { free($0) } }
        for burst in 1...2 {
            // The second burst writes pages the first trim gave back: resident again, though
            // the heap's free total is the same as after the first.
            pinned.append(Self.burst())
            let before = Self.residentBytes()
            let trimmed = slack.trimIfGrown()
            // At least the half of the burst that the resident check below asks back: other
            // tests run alongside and may reuse some of the freed memory first.
            #expect(trimmed ?? 0 >= 32 << 20, "burst \(burst): trimmed with \(String(describing: trimmed)) unused")
            #expect(before - Self.residentBytes() >= 32 << 20, "burst \(burst): resident \(before >> 20) MiB before the trim")
            let again = slack.trimIfGrown()
            #expect(again == nil, "burst \(burst): nothing freed since the trim")
        }
    }

    @Test func aFreedBigBlockIsGoneEvenAfterABiggerOne() throws {
        MemoryTrimmer.limitHeapRetention()
        // With glibc's own thresholds the first block would raise them to 30 MiB and the
        // second come from the heap, its pages kept resident once freed.
        for size in [30 << 20, 24 << 20] {
            let block = try #require(malloc(size))
            memset(block, 1, size)
            let before = Self.residentBytes()
            free(block)
            #expect(before - Self.residentBytes() >= size * 2 / 3, "\(size >> 20) MiB: resident \(before >> 20) MiB before the free")
        }
    }

    /// The process's resident anonymous memory, as the trimmer reads it.
    static func residentBytes() -> Int { Int(crmgate_resident_anonymous_bytes()) }
}
