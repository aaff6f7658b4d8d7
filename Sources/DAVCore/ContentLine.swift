/// One property of a vCard (RFC 6350 §3.3) or an iCalendar object (RFC 5545 §3.1), as a
/// content line: `[group "."] name *(";" param) ":" value`. The value is kept as it came,
/// escaped, so what crmgate does not understand goes back out unchanged; `TextValue`
/// decodes the values it does.
public struct ContentLine: Hashable, Sendable {
    /// `item1` in `item1.EMAIL` (Apple's way to label a property), else nil.
    public var group: String?
    /// The property name, uppercased.
    public var name: String
    public var parameters: [Parameter]
    /// The value as written, escapes included.
    public var value: String

    public init(group: String? = nil, name: String, parameters: [Parameter] = [], value: String) {
        self.group = group
        self.name = name.uppercased()
        self.parameters = parameters
        self.value = value
    }

    /// A parameter (RFC 6350 §5): `TYPE=work,voice`. vCard 2.1-style bare names (`TEL;WORK:`)
    /// have no values and mean a TYPE.
    public struct Parameter: Hashable, Sendable {
        /// Uppercased.
        public var name: String
        /// Decoded (RFC 6868 caret escapes undone, quotes removed); nil for a bare name.
        public var values: [String]?

        public init(name: String, values: [String]?) {
            self.name = name.uppercased()
            self.values = values
        }
    }

    /// The values of a parameter, all occurrences together (`TYPE=a;TYPE=b` and `TYPE=a,b`).
    public func parameter(_ name: String) -> [String] {
        let wanted = name.uppercased()
        return parameters.filter { $0.name == wanted }.flatMap { $0.values ?? [] }
    }

    /// TYPE values, lowercased, with vCard 2.1-style bare parameters among them; a quoted
    /// list (`TYPE="work,voice"`, as RFC 6350's own examples write it) counts as its items.
    public var types: [String] {
        parameters.flatMap { parameter -> [String] in
            if parameter.name == "TYPE" { return (parameter.values ?? []).flatMap { $0.split(separator: ",").map(String.init) } }
            return parameter.values == nil ? [parameter.name] : []
        }.map { $0.lowercased() }
    }
}

// MARK: - Parsing

extension ContentLine {
    /// Parses one unfolded content line; `line` numbers the error.
    // contentline = [group "."] name *(";" param) ":" value
    // group = name = 1*(ALPHA / DIGIT / "-")
    static func parse(_ text: Substring, line: Int) throws(ContentLineError) -> ContentLine {
        var rest = text[...]
        var name = try parseName(&rest, line: line)
        var group: String?
        if rest.first == "." {
            rest.removeFirst()
            group = name
            name = try parseName(&rest, line: line)
        }
        var parameters: [Parameter] = []
        while rest.first == ";" {
            rest.removeFirst()
            parameters.append(try parseParameter(&rest, line: line))
        }
        guard rest.first == ":" else {
            throw ContentLineError(line: line, "\(name) has no \":\" before its value")
        }
        rest.removeFirst()
        return ContentLine(group: group, name: name, parameters: parameters, value: String(rest))
    }

    private static func parseName(_ rest: inout Substring, line: Int) throws(ContentLineError) -> String {
        let name = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        guard !name.isEmpty else {
            let shown = rest.prefix(20)
            throw ContentLineError(line: line, shown.isEmpty ? "an empty line inside the object" : "\"\(shown)\" does not start with a property name")
        }
        rest.removeFirst(name.count)
        return String(name)
    }

    // param = param-name "=" param-value *("," param-value)
    // param-value = *SAFE-CHAR / DQUOTE *QSAFE-CHAR DQUOTE
    private static func parseParameter(_ rest: inout Substring, line: Int) throws(ContentLineError) -> Parameter {
        let name = try parseName(&rest, line: line)
        guard rest.first == "=" else { return Parameter(name: name, values: nil) }
        rest.removeFirst()
        var values: [String] = []
        repeat {
            if rest.first == "," { rest.removeFirst() }
            if rest.first == "\"" {
                rest.removeFirst()
                guard let close = rest.firstIndex(of: "\"") else {
                    throw ContentLineError(line: line, "the value of parameter \(name) opens a quote that never closes")
                }
                values.append(Self.caretDecoded(rest[..<close]))
                rest = rest[rest.index(after: close)...]
            } else {
                let value = rest.prefix { $0 != "," && $0 != ";" && $0 != ":" && $0 != "\"" }
                values.append(Self.caretDecoded(value))
                rest.removeFirst(value.count)
            }
        } while rest.first == ","
        return Parameter(name: name, values: values)
    }

    /// RFC 6868: `^n` is a newline, `^'` a double quote, `^^` a caret; any other `^` stays.
    static func caretDecoded(_ text: Substring) -> String {
        guard text.contains("^") else { return String(text) }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "^", next < text.endIndex, let decoded = ["n": "\n", "'": "\"", "^": "^"][text[next]] {
                result.append(decoded)
                index = text.index(after: next)
            } else {
                result.append(character)
                index = next
            }
        }
        return result
    }
}

// MARK: - Writing

extension ContentLine {
    /// The line without its line break, unfolded.
    public var unfolded: String {
        var text = group.map { "\($0)." } ?? ""
        text += name
        for parameter in parameters {
            text += ";" + parameter.name
            guard let values = parameter.values else { continue }
            text += "=" + values.map(Self.encodedParameterValue).joined(separator: ",")
        }
        return text + ":" + value
    }

    /// Quoted when it holds `:`, `;` or `,`; newlines, quotes and carets caret-encoded (RFC 6868).
    private static func encodedParameterValue(_ value: String) -> String {
        var encoded = ""
        for character in value {
            switch character {
            case "^": encoded += "^^"
            case "\"": encoded += "^'"
            case "\n", "\r\n": encoded += "^n"
            default: encoded.append(character)
            }
        }
        return encoded.contains(where: { $0 == ":" || $0 == ";" || $0 == "," }) ? "\"\(encoded)\"" : encoded
    }
}

/// A malformed line of a vCard or iCalendar object: which line, and what is wrong with it.
public struct ContentLineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The physical line it starts on (1-based).
    public var line: Int
    public var message: String

    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}
