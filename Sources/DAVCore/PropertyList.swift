/// Something made of content lines in order — a vCard, an iCalendar component — and the
/// ways to read and change them by name, shared by both.
public protocol PropertyList {
    var properties: [ContentLine] { get set }
}

extension PropertyList {
    public func first(_ name: String) -> ContentLine? {
        let wanted = name.uppercased()
        return properties.first { $0.name == wanted }
    }

    public func all(_ name: String) -> [ContentLine] {
        let wanted = name.uppercased()
        return properties.filter { $0.name == wanted }
    }

    /// Replaces every `name` property by `lines` (in the place of the first one, else at the
    /// end); an empty `lines` removes them.
    public mutating func replace(_ name: String, with lines: [ContentLine]) {
        let wanted = name.uppercased()
        let position = properties.firstIndex { $0.name == wanted } ?? properties.endIndex
        properties = properties[..<position].filter { $0.name != wanted } + lines + properties[position...].filter { $0.name != wanted }
    }

    /// The text of a single-valued TEXT property (FN, TITLE, NOTE, SUMMARY, UID …), unescaped.
    public func text(_ name: String) -> String? {
        first(name).map { TextValue.unescape($0.value) }
    }

    /// Sets a single-valued TEXT property (nil removes it), keeping its group and parameters.
    public mutating func setText(_ name: String, _ text: String?) {
        guard let text else { return replace(name, with: []) }
        var line = first(name) ?? ContentLine(name: name, value: "")
        line.value = TextValue.escape(text)
        replace(name, with: [line])
    }

    /// CATEGORIES, from every such property.
    public var categories: [String] {
        all("CATEGORIES").flatMap { TextValue.split($0.value, at: ",").map { TextValue.unescape($0) } }
    }
}
