import TOMLKit

/// A parsed TOML 1.0 document: its root table, with keys in document order, and the line
/// each key was written on.
///
/// TOMLKit (toml++) does the parsing; it keeps neither the order of keys nor their
/// positions, so `TOMLKeyLines` finds both in the text it has accepted.
public struct TOMLDocument: Sendable {
    /// Larger documents are refused: 1 MiB.
    public static let maximumInputBytes = 1 << 20

    public var root: TOMLTable
    public var keyLines: TOMLKeyLines

    /// Parses `text`; a syntax error carries its line and column.
    public static func parse(_ text: String) throws(TOMLError) -> TOMLDocument {
        let size = text.utf8.count
        guard size <= maximumInputBytes else {
            throw TOMLError(
                line: 1, column: 1,
                message: "the document is \(size) bytes long; the limit is \(maximumInputBytes) bytes (1 MiB)")
        }
        // TOMLKit hands toml++ a C string, which would end at a NUL byte without a word.
        if let nul = text.unicodeScalars.firstIndex(of: "\0") {
            let before = text.unicodeScalars[..<nul]
            let line = before.count(where: { $0 == "\n" }) + 1
            let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
            throw TOMLError(line: line, column: column, message: "the control character U+0000 is not allowed in a TOML document")
        }
        let parsed: TOMLKit.TOMLTable
        do {
            parsed = try TOMLKit.TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let message = error.description.hasPrefix("Error while parsing ")
                ? String(error.description.dropFirst("Error while parsing ".count)) : error.description
            throw TOMLError(line: error.source.begin.line, column: error.source.begin.column, message: message)
        } catch {
            throw TOMLError(line: 1, column: 1, message: "\(error)")
        }
        let lines = TOMLKeyLines(text)
        return TOMLDocument(root: Self.convert(parsed, path: [], lines: lines), keyLines: lines)
    }

    /// TOMLKit's table as our value tree, keys in the order the document wrote them.
    private static func convert(_ table: TOMLKit.TOMLTable, path: [String], lines: TOMLKeyLines) -> TOMLTable {
        let keys = table.keys.sorted { a, b in
            let lineA = lines.line(ofExactly: path + [a]) ?? .max, lineB = lines.line(ofExactly: path + [b]) ?? .max
            return lineA != lineB ? lineA < lineB : a < b
        }
        var result = TOMLTable()
        for key in keys {
            guard let value = table[key]?.tomlValue else { continue }
            result[key] = convert(value, path: path + [key], lines: lines)
        }
        return result
    }

    private static func convert(_ value: TOMLKit.TOMLValue, path: [String], lines: TOMLKeyLines) -> TOMLValue {
        switch value.type {
        case .string: return .string(value.string ?? "")
        case .int: return .integer(Int64(value.int ?? 0))
        case .double: return .float(value.double ?? 0)
        case .bool: return .bool(value.bool ?? false)
        case .date: return .datetime(TOMLDateTime(kind: .localDate, text: value.debugDescription))
        case .time: return .datetime(TOMLDateTime(kind: .localTime, text: value.debugDescription))
        case .dateTime:
            let kind: TOMLDateTime.Kind = value.dateTime?.offset == nil ? .localDateTime : .offsetDateTime
            return .datetime(TOMLDateTime(kind: kind, text: value.debugDescription))
        case .table: return .table(value.table.map { convert($0, path: path, lines: lines) } ?? TOMLTable())
        case .array:
            guard let array = value.array else { return .array([]) }
            guard let last = path.last else { return .array([]) }
            let parent = path.dropLast()
            return .array(array.enumerated().map { i, element in
                // Elements of an array of tables are addressed as `name[n]`, as TableReader does.
                convert(element.tomlValue, path: parent + ["\(last)[\(i + 1)]"], lines: lines)
            })
        }
    }
}
