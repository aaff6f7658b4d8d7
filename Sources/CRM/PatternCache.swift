import Synchronization

/// Whole-text, case-insensitive matching against configured regular expressions (closed
/// rules, blocked addresses), each pattern compiled once per process: compiling a `Regex`
/// costs far more than matching it, and these patterns are checked on every record write
/// and every address of a drop. Swift's `Regex` is not Sendable, so the compiled patterns
/// stay behind a lock and are used only inside it (a match takes microseconds).
public enum PatternCache {
    /// Compiled patterns; nil for one that does not compile. Configurations hold a
    /// handful, so the cache is simply emptied if it ever grows past `capacity`.
    private static let compiled = Mutex<[String: Regex<AnyRegexOutput>?]>([:])
    static let capacity = 512

    /// True when `pattern` matches the whole of `text`, ignoring case; false for a pattern
    /// that does not compile (configuration checks reject those before they get here).
    public static func wholeMatch(_ pattern: String, _ text: String) -> Bool {
        compiled.withLock { cache in
            let regex: Regex<AnyRegexOutput>?
            if let known = cache[pattern] {
                regex = known
            } else {
                if cache.count >= capacity { cache.removeAll() }
                regex = try? Regex(pattern).ignoresCase()
                cache[pattern] = .some(regex)
            }
            guard let regex else { return false }
            return (try? regex.wholeMatch(in: text)) != nil
        }
    }
}
