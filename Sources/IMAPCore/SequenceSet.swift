/// One end of a sequence range: a number or `*` (the largest number in use), RFC 9051 §9 `seq-number`.
public enum SequenceBound: Hashable, Sendable {
    case number(UInt32)
    case star

    func resolved(max: UInt32) -> UInt32 {
        switch self {
        case .number(let n): return n
        case .star: return max
        }
    }
}

/// `seq-number` or `seq-range` (RFC 9051 §9). Kept as sent: `5:3` stays reversed until resolved.
public struct SequenceRange: Hashable, Sendable {
    public var from: SequenceBound
    public var to: SequenceBound

    public init(from: SequenceBound, to: SequenceBound) { self.from = from; self.to = to }
    public init(_ single: SequenceBound) { self.from = single; self.to = single }
    public init(_ range: ClosedRange<UInt32>) { self.from = .number(range.lowerBound); self.to = .number(range.upperBound) }
}

/// A `sequence-set` as sent by a client (RFC 9051 §9), message numbers or UIDs depending on the command.
///
/// `isSavedResult` marks the `$` form of RFC 5182 (SEARCHRES): the set saved by `SEARCH RETURN (SAVE)`.
public struct SequenceSet: Hashable, Sendable {
    public var ranges: [SequenceRange]
    public var isSavedResult: Bool

    public init(_ ranges: [SequenceRange]) { self.ranges = ranges; self.isSavedResult = false }
    public init(ranges: [SequenceRange]) { self.init(ranges) }
    public init(_ numbers: ClosedRange<UInt32>) { self.init([SequenceRange(numbers)]) }

    /// The `$` sequence set of RFC 5182.
    public static let savedResult: SequenceSet = {
        var s = SequenceSet([])
        s.isSavedResult = true
        return s
    }()

    /// `1:*`.
    public static let all = SequenceSet([SequenceRange(from: .number(1), to: .star)])

    /// The set as sorted, merged, non-overlapping ranges, with `*` read as `max`.
    /// Reversed ranges are normalised; 0 is never included (an empty mailbox yields `[]` for `*`).
    /// The saved-result form `$` resolves to `[]`: the session substitutes the saved set.
    public func resolved(max: UInt32) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        for r in ranges {
            if max == 0, r.from == .star || r.to == .star { continue }
            let a = r.from.resolved(max: max), b = r.to.resolved(max: max)
            let lo = Swift.max(Swift.min(a, b), 1), hi = Swift.max(a, b)
            if hi >= lo { out.append(lo...hi) }
        }
        return mergeRanges(out)
    }

    /// Whether `n` is in the set, with `*` read as `max`.
    public func contains(_ n: UInt32, max: UInt32) -> Bool {
        ranges.contains { r in
            let a = r.from.resolved(max: max), b = r.to.resolved(max: max)
            return n >= Swift.min(a, b) && n <= Swift.max(a, b)
        }
    }
}

/// A concrete set of UIDs (or message numbers) with no `*`, kept sorted and merged.
/// Used in responses: VANISHED, COPYUID, APPENDUID, ESEARCH ALL, MODIFIED (RFC 9051 §7, RFC 4315, RFC 7162).
public struct UIDSet: Hashable, Sendable, CustomStringConvertible {
    public private(set) var ranges: [ClosedRange<UInt32>]

    /// Builds the compact form from any list of numbers: `[1, 2, 3, 7]` becomes `1:3,7`.
    public init(_ numbers: [UInt32]) {
        var out: [ClosedRange<UInt32>] = []
        for n in numbers.sorted() {
            if let last = out.last, n <= last.upperBound { continue }
            if let last = out.last, last.upperBound < UInt32.max, n == last.upperBound + 1 {
                out[out.count - 1] = last.lowerBound...n
            } else {
                out.append(n...n)
            }
        }
        ranges = out
    }

    public init(ranges: [ClosedRange<UInt32>]) { self.ranges = mergeRanges(ranges) }
    public init(_ range: ClosedRange<UInt32>) { self.ranges = [range] }

    public var isEmpty: Bool { ranges.isEmpty }
    public var count: Int { ranges.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) + 1 } }
    public func contains(_ n: UInt32) -> Bool { ranges.contains { $0.contains(n) } }
    /// All members in ascending order (mind the size for huge ranges).
    public var values: [UInt32] { ranges.flatMap { Array($0) } }

    /// The set in IMAP form, e.g. `1:3,7`.
    public var description: String {
        ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound):\($0.upperBound)" }
            .joined(separator: ",")
    }

    /// The same numbers as a `SequenceSet`.
    public var sequenceSet: SequenceSet { SequenceSet(ranges.map { SequenceRange($0) }) }
}

func mergeRanges(_ input: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
    let sorted = input.sorted { $0.lowerBound < $1.lowerBound }
    var out: [ClosedRange<UInt32>] = []
    for r in sorted {
        if let last = out.last, UInt64(r.lowerBound) <= UInt64(last.upperBound) + 1 {
            out[out.count - 1] = last.lowerBound...Swift.max(last.upperBound, r.upperBound)
        } else {
            out.append(r)
        }
    }
    return out
}

extension SequenceSet {
    /// The sequence set naming exactly these numbers (for UID commands of a client).
    public init(uids: [UInt32]) {
        self.init(UIDSet(uids).ranges.map { SequenceRange($0) })
    }
}
