/// A LIST pattern (RFC 9051 §6.3.9): `*` matches anything, `%` anything but the
/// hierarchy delimiter. Matching is linear-time dynamic programming, so no pattern
/// can make it blow up.
struct MailboxPattern {
    private let pattern: [Character]

    /// Joins reference and pattern the way RFC 9051 describes, with INBOX case-insensitive.
    init(reference: String, pattern: String) {
        var joined = reference
        if !reference.isEmpty, !reference.hasSuffix("/"), !pattern.hasPrefix("/"), !pattern.isEmpty { joined += "/" }
        joined += pattern
        let upper = joined.uppercased()
        if upper == "INBOX" || upper.hasPrefix("INBOX/") { joined = "INBOX" + joined.dropFirst(5) }
        self.pattern = Array(joined)
    }

    func matches(_ name: String) -> Bool {
        let text = Array(name)
        // reachable[j]: pattern prefix consumed so far can end at text position j.
        var reachable = [Bool](repeating: false, count: text.count + 1)
        reachable[0] = true
        for p in pattern {
            var next = [Bool](repeating: false, count: text.count + 1)
            switch p {
            case "*":
                var on = false
                for j in 0...text.count { on = on || reachable[j]; next[j] = on }
            case "%":
                var on = false
                for j in 0...text.count {
                    if reachable[j] { on = true }
                    next[j] = on
                    if j < text.count, text[j] == "/" { on = false }
                }
            default:
                for j in 0..<text.count where reachable[j] && text[j] == p { next[j + 1] = true }
            }
            reachable = next
        }
        return reachable[text.count]
    }
}
