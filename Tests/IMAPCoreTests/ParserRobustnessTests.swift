import Testing
@testable import IMAPCore

/// Mutated and truncated inputs never crash the parsers or the framer; they parse or throw.
@Suite struct ParserRobustnessTests {
    /// A small deterministic generator (SplitMix64), so failures are reproducible.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let interesting: [UInt8] = Array("(){}[]<>\"\\*%$~+-.:, \r\n0123456789AZaz\0".utf8) + [0xFF, 0xC3]

    static func mutations(of seed: [UInt8], count: Int, rng: inout Generator) -> [[UInt8]] {
        (0..<count).map { _ in
            var b = seed
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                guard !b.isEmpty else { break }
                let i = Int.random(in: 0..<b.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: b[i] = interesting.randomElement(using: &rng) ?? 0
                case 1: b.remove(at: i)
                case 2: b.insert(interesting.randomElement(using: &rng) ?? 0, at: i)
                default: b = Array(b.prefix(i))
                }
            }
            return b
        }
    }

    @Test func mutatedCommandsNeverCrash() {
        var rng = Generator(state: 42)
        for command in CommandRoundTripTests.commands {
            let bytes = CommandEncoder.encode(TaggedCommand(tag: "A1", command: command))
            for input in Self.mutations(of: bytes, count: 30, rng: &rng) {
                _ = try? CommandParser.parse(input)
                var framer = CommandFramer(limits: FramingLimits(maxLineLength: 64, maxLiteralSize: 32, maxCommandSize: 128))
                framer.append(input)
                while framer.next() != nil {}
            }
        }
    }

    @Test func mutatedResponsesNeverCrash() {
        var rng = Generator(state: 7)
        for response in ResponseRoundTripTests.responses {
            for input in Self.mutations(of: ResponseEncoder.encode(response), count: 30, rng: &rng) {
                _ = try? ResponseParser.parse(input)
            }
        }
    }

    @Test func deeplyNestedBodyStructureIsRejected() {
        let open = String(repeating: "(", count: 200)
        #expect(throws: ResponseParseError.self) { try ResponseParser.parse(Array("* 1 FETCH (BODYSTRUCTURE \(open)".utf8)) }
    }
}
