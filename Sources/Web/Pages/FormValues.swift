import Foundation

/// The fields of an `application/x-www-form-urlencoded` form or a URL query, decoded
/// (`+` is a space, `%XX` a byte of UTF-8), each name with every value it was sent with.
///
/// Pure: parsed from text, so the same type reads query strings and POSTed forms.
/// See https://url.spec.whatwg.org/#urlencoded-parsing
struct FormValues: Sendable, Equatable {
    private var fields: [String: [String]] = [:]

    init(_ encoded: String?) {
        for (name, value) in Self.pairs(encoded) { fields[name, default: []].append(value) }
    }

    /// The decoded name–value pairs, in the order sent.
    static func pairs(_ encoded: String?) -> [(name: String, value: String)] {
        guard let encoded else { return [] }
        return encoded.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The first value sent for `name`, if any.
    subscript(name: String) -> String? { fields[name]?.first }

    /// Whether `name` was sent at all (an unchecked checkbox is not).
    func contains(_ name: String) -> Bool { fields[name] != nil }

    /// The first value of `name` with surrounding white space removed; nil when blank or absent.
    func trimmed(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        // A malformed escape (`%zz`) keeps the text as sent rather than losing the field.
        return spaced.removingPercentEncoding ?? spaced
    }
}

/// Builds query strings and path segments that survive any text a user typed.
enum URLText {
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Percent-encodes everything but unreserved characters (RFC 3986 section 2.3).
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// `a=1&b=two%20words` from name/value pairs, in their order, skipping nil values.
    static func query(_ pairs: [(String, String?)]) -> String {
        pairs.compactMap { name, value in value.map { encode(name) + "=" + encode($0) } }.joined(separator: "&")
    }
}
