/// The line on which each key and table of a TOML document is defined, so an error about
/// `policy[2].users` can say "line 14".
///
/// A lexical scan of a document TOMLKit has already accepted: it follows table headers,
/// `[[array]]` elements (addressed as `name[n]`, as `TableReader` names them) and dotted
/// keys, and steps over values (strings, arrays, inline tables, comments) without reading
/// them. Keys inside inline tables are not recorded; a look-up falls back to the line of the
/// nearest enclosing key.
public struct TOMLKeyLines: Sendable {
    private var lines: [String: Int] = [:]

    public init(_ text: String) {
        var scanner = Scanner(bytes: Array(text.utf8))
        scanner.run()
        lines = scanner.lines
    }

    /// The line of `path` or, when it was not written as such, of its nearest enclosing key.
    public func line(of path: [String]) -> Int? {
        var path = path
        while !path.isEmpty {
            if let line = lines[Self.id(path)] { return line }
            path.removeLast()
        }
        return nil
    }

    /// The line of `path` itself, nil when the document does not write it.
    func line(ofExactly path: [String]) -> Int? { lines[Self.id(path)] }

    fileprivate static func id(_ path: some Sequence<String>) -> String { path.joined(separator: "\u{1F}") }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        var lines: [String: Int] = [:]
        /// `[[name]]` elements seen so far, by the resolved path of the array.
        var arrayCounts: [String: Int] = [:]
        var table: [String] = []

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        func peek(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }

        mutating func run() {
            while let byte = current {
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
                case UInt8(ascii: "\n"): line += 1; index += 1
                case UInt8(ascii: "#"): skipComment()
                case UInt8(ascii: "["): header()
                default: keyValue()
                }
            }
        }

        mutating func header() {
            let isArray = peek(1) == UInt8(ascii: "[")
            index += isArray ? 2 : 1
            let parts = key()
            guard !parts.isEmpty else { return skipLine() }
            var resolved = resolve(Array(parts.dropLast()))
            resolved.append(parts[parts.count - 1])
            if isArray {
                record(resolved)
                let id = TOMLKeyLines.id(resolved)
                let count = (arrayCounts[id] ?? 0) + 1
                arrayCounts[id] = count
                resolved[resolved.count - 1] += "[\(count)]"
            }
            record(resolved)
            table = resolved
            skipLine()
        }

        /// `a.b` under `[[a]]` means the last element of `a`: `a[n].b`.
        func resolve(_ parts: [String]) -> [String] {
            var resolved: [String] = []
            for part in parts {
                resolved.append(part)
                if let count = arrayCounts[TOMLKeyLines.id(resolved)] {
                    resolved[resolved.count - 1] += "[\(count)]"
                }
            }
            return resolved
        }

        mutating func keyValue() {
            let parts = key()
            guard !parts.isEmpty, current == UInt8(ascii: "=") else { return skipLine() }
            index += 1
            for end in 1...parts.count { record(table + parts[..<end]) }
            skipValue()
        }

        mutating func record(_ path: [String]) {
            let id = TOMLKeyLines.id(path)
            if lines[id] == nil { lines[id] = line }
        }

        /// A dotted key (`a."b.c".d`), stopping at `=`, `]` or the end of the line.
        mutating func key() -> [String] {
            var parts: [String] = []
            while true {
                skipBlanks()
                switch current {
                case UInt8(ascii: "\""): parts.append(quoted(escapes: true))
                case UInt8(ascii: "'"): parts.append(quoted(escapes: false))
                default:
                    let start = index
                    while let byte = current, TOMLKey.isBareKeyByte(byte) { index += 1 }
                    guard index > start else { return parts }
                    parts.append(String(decoding: bytes[start..<index], as: UTF8.self))
                }
                skipBlanks()
                guard current == UInt8(ascii: ".") else {
                    if current == UInt8(ascii: "]") { index += 1 }
                    return parts
                }
                index += 1
            }
        }

        /// A one-line quoted key; basic strings' simple escapes are undone.
        mutating func quoted(escapes: Bool) -> String {
            let quote = bytes[index]
            index += 1
            var text: [UInt8] = []
            while let byte = current, byte != quote, byte != UInt8(ascii: "\n") {
                if escapes, byte == UInt8(ascii: "\\"), let next = peek(1) {
                    text.append(next == UInt8(ascii: "n") ? UInt8(ascii: "\n") : next == UInt8(ascii: "t") ? UInt8(ascii: "\t") : next)
                    index += 2
                } else {
                    text.append(byte)
                    index += 1
                }
            }
            if current == quote { index += 1 }
            return String(decoding: text, as: UTF8.self)
        }

        /// Steps over a value, which may span lines inside arrays and multi-line strings.
        mutating func skipValue() {
            var depth = 0
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\n"):
                    if depth == 0 { return }
                    line += 1
                    index += 1
                case UInt8(ascii: "\""), UInt8(ascii: "'"): skipString()
                case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1; index += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1; index += 1
                case UInt8(ascii: "#"): skipComment()
                default: index += 1
                }
            }
        }

        mutating func skipString() {
            let quote = bytes[index]
            let escapes = quote == UInt8(ascii: "\"")
            let multiLine = peek(1) == quote && peek(2) == quote
            index += multiLine ? 3 : 1
            while let byte = current {
                if escapes, byte == UInt8(ascii: "\\") {
                    if peek(1) == UInt8(ascii: "\n") { line += 1 }
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\n") {
                    guard multiLine else { return }
                    line += 1
                } else if byte == quote, !multiLine || (peek(1) == quote && peek(2) == quote) {
                    index += multiLine ? 3 : 1
                    return
                }
                index += 1
            }
        }

        mutating func skipComment() {
            while let byte = current, byte != UInt8(ascii: "\n") { index += 1 }
        }

        mutating func skipLine() {
            while let byte = current, byte != UInt8(ascii: "\n") {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") { skipString() } else { index += 1 }
            }
        }

        mutating func skipBlanks() {
            while current == UInt8(ascii: " ") || current == UInt8(ascii: "\t") { index += 1 }
        }

    }
}

/// Dotted keys as an administrator writes them: bare where TOML allows, quoted otherwise.
enum TOMLKey {
    static func dotted(_ names: [String]) -> String {
        names.map(TOMLValue.renderKey).joined(separator: ".")
    }

    /// A-Z, a-z, 0-9, `_` and `-`: the bytes of a bare key.
    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): true
        default: false
        }
    }
}
