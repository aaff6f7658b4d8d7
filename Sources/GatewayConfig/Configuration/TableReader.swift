/// Reads the keys of one TOML table into typed configuration fields, checking
/// type and range, and remembers which keys it knows so it can report the rest.
///
/// A section decodes itself with one `read` call per key; see `ConfigurationSection`.
/// A value of the wrong type or range is noted in the shared `ConfigurationMistakes`
/// and leaves the field at its default, so one pass finds every mistake in the file.
struct TableReader {
    /// The table's dotted path, empty for the document root.
    let path: [String]
    let table: TOMLTable
    let mistakes: ConfigurationMistakes
    /// Every key asked for, present or not, in the order asked.
    private(set) var knownKeys: [String] = []

    init(_ table: TOMLTable, path: [String] = [], mistakes: ConfigurationMistakes) {
        self.table = table
        self.path = path
        self.mistakes = mistakes
    }

    var source: String { mistakes.file }

    /// Replaces `target` with the integer at `key`, if present.
    mutating func read(_ key: String, into target: inout Int, _ rule: IntegerRule) {
        guard let value = lookUp(key) else { return }
        guard case .integer(let number) = value, let integer = Int(exactly: number), rule.range.contains(integer) else {
            return mistakes.note(error(key, "expected \(rule.expectation), got \(Self.describe(value))"))
        }
        target = integer
    }

    /// Replaces `target` with the string at `key`, if present.
    mutating func read(_ key: String, into target: inout String, _ rule: StringRule) {
        guard let value = lookUp(key) else { return }
        do {
            target = try string(value, rule, key: key)
        } catch {
            mistakes.note(error)
        }
    }

    /// The string `value` checked against `rule`; errors name `key` and start with `place`
    /// (the element of an array or table).
    private func string(_ value: TOMLValue, _ rule: StringRule, key: String, place: String = "") throws(ConfigurationError) -> String {
        guard case .string(let text) = value else {
            throw error(key, "\(place)expected \(rule.expectation) as a quoted string, got \(Self.describe(value))")
        }
        switch rule {
        case .nonEmpty(let expectation) where text.allSatisfy(\.isWhitespace):
            throw error(key, "\(place)expected \(expectation), got \(Self.describe(value))")
        case .oneOf(let noun, let choices) where !choices.contains(text):
            throw error(key, "\(place)unknown \(noun) \(Self.describe(value)); use one of \(choices.joined(separator: ", "))")
        default:
            return text
        }
    }

    /// Replaces `target` with the boolean at `key`, if present.
    mutating func read(_ key: String, into target: inout Bool) {
        guard let value = lookUp(key) else { return }
        guard case .bool(let flag) = value else {
            return mistakes.note(error(key, "expected true or false, got \(Self.describe(value))"))
        }
        target = flag
    }

    /// Replaces `target` with the array of strings at `key`, if present; each element is
    /// checked against `rule`.
    mutating func read(_ key: String, into target: inout [String], _ rule: StringRule) {
        guard let value = lookUp(key) else { return }
        guard case .array(let elements) = value else {
            return mistakes.note(error(key, "expected an array of strings such as [\"a\", \"b\"], got \(Self.describe(value))"))
        }
        do {
            target = try elements.enumerated().map { (i, element) throws(ConfigurationError) in
                try string(element, rule, key: key, place: "element \(i + 1): ")
            }
        } catch {
            mistakes.note(error)
        }
    }

    /// Replaces `target` with the table of strings at `key` (`{ a = "x", b = "y" }`), if present.
    mutating func read(_ key: String, into target: inout [String: String], _ rule: StringRule) {
        guard let value = lookUp(key) else { return }
        guard case .table(let table) = value else {
            return mistakes.note(error(key, "expected a table such as { opportunities = \"…\" }, got \(Self.describe(value))"))
        }
        var strings: [String: String] = [:]
        for (name, element) in table {
            do {
                strings[name] = try string(element, rule, key: key, place: "\(name): ")
            } catch {
                return mistakes.note(error)
            }
        }
        target = strings
    }

    /// Decodes the `[[name]]` array of tables of this (root) table, one element each.
    mutating func read<Element: ConfigurationSection>(_ elements: inout [Element], make: () -> Element) {
        read(Element.sectionName, into: &elements, make: make)
    }

    /// Decodes an array of tables at `key` (`[[key]]`, or `key = [{ … }, { … }]`), one element each.
    mutating func read<Element: ConfigurationSection>(_ name: String, into elements: inout [Element], make: () -> Element) {
        guard let value = lookUp(name) else { return }
        guard case .array(let items) = value else {
            return mistakes.note(error(name, "expected [[\(name)]] tables, got \(Self.describe(value))"))
        }
        var decoded: [Element] = []
        for (i, item) in items.enumerated() {
            guard case .table(let table) = item else {
                mistakes.note(error(name, "element \(i + 1): expected a [[\(name)]] table, got \(Self.describe(item))"))
                continue
            }
            var element = make()
            decode(&element, from: TableReader(table, path: path + ["\(name)[\(i + 1)]"], mistakes: mistakes))
            decoded.append(element)
        }
        elements = decoded
    }

    /// Decodes the `[name]` table of this (root) table into `section`, if present.
    mutating func read<Section: ConfigurationSection>(_ section: inout Section) {
        let name = Section.sectionName
        guard let value = lookUp(name) else { return }
        guard case .table(let table) = value else {
            return mistakes.note(error(name, "expected a table [\(Self.keyPath(path + [name]))], got \(Self.describe(value))"))
        }
        decode(&section, from: TableReader(table, path: path + [name], mistakes: mistakes))
    }

    /// Decodes the `[name]` table into a new section when the file has one; nil otherwise.
    mutating func readOptional<Section: ConfigurationSection>(_ make: () -> Section) -> Section? {
        guard lookUp(Section.sectionName) != nil else { return nil }
        var section = make()
        read(&section)
        return section
    }

    /// Reads one table into `section`. A check across its keys (a missing URL, two equal
    /// ports) is noted only when its keys read cleanly: after a bad value it would judge the
    /// default put in its place.
    private func decode<Section: ConfigurationSection>(_ section: inout Section, from reader: TableReader) {
        var reader = reader
        let before = mistakes.count
        do {
            try section.read(from: &reader)
        } catch {
            if mistakes.count == before { mistakes.note(error) }
        }
        reader.rejectUnknownKeys()
    }

    /// A dotted key path as the administrator reads it; an element of an array of tables
    /// shows as `policy[2]`.
    static func keyPath(_ names: [String]) -> String {
        names.map { name in
            if let bracket = name.firstIndex(of: "["), name.hasSuffix("]"),
               Int(name[name.index(after: bracket)..<name.index(before: name.endIndex)]) != nil {
                return TOMLKey.dotted([String(name[..<bracket])]) + name[bracket...]
            }
            return TOMLKey.dotted([name])
        }.joined(separator: ".")
    }

    /// Notes every key of the table that no `read` asked for.
    func rejectUnknownKeys() {
        for (key, value) in table where !knownKeys.contains(key) {
            let suggestion = KeySuggestion.closest(to: key, among: knownKeys)
            if path.isEmpty, case .table = value {
                let advice = suggestion.map { "did you mean [\($0)]?" }
                    ?? "the sections are " + knownKeys.map { "[\($0)]" }.joined(separator: ", ")
                mistakes.note(error(key, "unknown section [\(Self.keyPath([key]))] — \(advice)"))
                continue
            }
            let advice: String
            if let suggestion {
                advice = "did you mean \(suggestion)?"
            } else if path.isEmpty {
                advice = "every key belongs in a section: " + knownKeys.map { "[\($0)]" }.joined(separator: ", ")
            } else {
                advice = "the keys of [\(Self.keyPath(path))] are " + knownKeys.joined(separator: ", ")
            }
            mistakes.note(error(key, "unknown key \(Self.keyPath(path + [key])) — \(advice)"))
        }
    }

    /// An error about `key` of this table, or about the table itself when `key` is nil.
    func error(_ key: String?, _ message: String) -> ConfigurationError {
        error(at: key.map { [$0] } ?? [], message)
    }

    /// An error about a key below this table, e.g. `["account[2]", "url"]`.
    func error(at names: [String], _ message: String) -> ConfigurationError {
        let names = path + names
        return ConfigurationError(
            file: source, key: names.isEmpty ? nil : Self.keyPath(names), line: mistakes.keyLines.line(of: names), message: message)
    }

    private mutating func lookUp(_ key: String) -> TOMLValue? {
        if !knownKeys.contains(key) { knownKeys.append(key) }
        return table[key]
    }

    /// A value as the administrator wrote it, shortened; containers by their kind.
    static func describe(_ value: TOMLValue) -> String {
        switch value {
        case .array: return "an array"
        case .table: return "a table"
        default:
            let text = value.description
            return text.count > 60 ? String(text.prefix(57)) + "..." : text
        }
    }
}

/// The mistakes found in one configuration file so far, and where its keys are.
final class ConfigurationMistakes {
    let file: String
    let keyLines: TOMLKeyLines
    private(set) var errors: [ConfigurationError] = []

    init(file: String, keyLines: TOMLKeyLines) {
        self.file = file
        self.keyLines = keyLines
    }

    var count: Int { errors.count }

    func note(_ error: ConfigurationError) { errors.append(error) }

    /// Throws the mistakes, the first line first, if there are any.
    func throwIfAny() throws(ConfigurationError) {
        let sorted = errors.enumerated().sorted { a, b in
            (a.element.line ?? .max, a.offset) < (b.element.line ?? .max, b.offset)
        }.map(\.element)
        guard var first = sorted.first else { return }
        first.following = Array(sorted.dropFirst())
        throw first
    }
}

/// A configuration section such as `[imap]`: a value type with defaults that
/// overwrites the fields its table sets.
protocol ConfigurationSection {
    static var sectionName: String { get }
    mutating func read(from table: inout TableReader) throws(ConfigurationError)
}

/// The integers a key accepts, and how to say so.
struct IntegerRule {
    var range: ClosedRange<Int>
    /// Completes "expected …": "an integer from 0 to 65535".
    var expectation: String

    static let port = IntegerRule(range: 0...65_535, expectation: "an integer from 0 to 65535")

    static func positive(_ unit: String) -> IntegerRule {
        IntegerRule(range: 1...Int.max, expectation: "a positive number of \(unit)")
    }

    static func nonNegative(_ unit: String) -> IntegerRule {
        IntegerRule(range: 0...Int.max, expectation: "a number of \(unit), 0 or more")
    }
}

/// The strings a key accepts, and how to say so.
enum StringRule {
    /// A string with something besides whitespace in it; the text completes "expected …".
    case nonEmpty(String)
    /// One of a fixed list of words, named by `noun` ("log level").
    case oneOf(noun: String, [String])
    /// Any string, empty included.
    case any

    var expectation: String {
        switch self {
        case .any: "a string"
        case .nonEmpty(let expectation): expectation
        case .oneOf(let noun, let choices): "a \(noun) (one of \(choices.joined(separator: ", ")))"
        }
    }
}
