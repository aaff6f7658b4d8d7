/// Flags as stored: one space-separated text column, system flags first, no duplicates
/// (keywords compare case-insensitively, RFC 9051 §2.3.2).
enum FlagList {
    /// Read for every message a command touches: no flags and one flag (most messages) take
    /// no splitting.
    static func decode(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        if !text.utf8.contains(UInt8(ascii: " ")) { return [text] }
        return text.split(separator: " ").map(String.init)
    }

    static func encode(_ flags: [String]) -> String {
        normalized(flags).joined(separator: " ")
    }

    static func normalized(_ flags: [String]) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for flag in flags where seen.insert(flag.lowercased()).inserted { result.append(flag) }
        return result.sorted { a, b in
            let (sa, sb) = (a.hasPrefix("\\"), b.hasPrefix("\\"))
            return sa != sb ? sa : a.lowercased() < b.lowercased()
        }
    }

    static func apply(_ operation: FlagOperation, _ flags: [String], to current: [String]) -> [String] {
        switch operation {
        case .replace: return normalized(flags)
        case .add: return normalized(current + flags)
        case .remove:
            let removed = Set(flags.map { $0.lowercased() })
            return normalized(current.filter { !removed.contains($0.lowercased()) })
        }
    }
}
