import CRM
import Foundation

/// How a reference field is entered: a select of the target module's records, or (for a
/// large module, or a field that may refer to any module) a text input of the record's id.
enum ReferenceChoice: Sendable {
    case options([(id: String, label: String)])
    case idInput
}

/// The form control of one field, by its `FieldType`, holding the text the user sees
/// (the stored value, or what they typed when the form comes back with an error).
struct FieldInput {
    let field: FieldDefinition
    let text: String
    let error: String?
    let reference: ReferenceChoice?
    /// The name of the currently referenced record, shown beside an id input.
    let referenceName: String?
    let timeZone: TimeZone

    /// The form field name of a record field (prefixed so that no field key can clash with
    /// `csrf` or `owner`).
    static func name(_ key: String) -> String { "f." + key }

    func render() -> String {
        let id = "f-" + field.key
        let described = error == nil ? "" : " aria-invalid=\"true\" aria-describedby=\"\(HTML.escape(id))-error\""
        let required = field.required ? " required aria-required=\"true\"" : ""
        let attributes = "id=\"\(HTML.escape(id))\" name=\"\(HTML.escape(Self.name(field.key)))\"\(required)\(described)"
        let star = field.required ? " <span class=\"required\" aria-hidden=\"true\">*</span>" : ""
        let message = error.map { "<p class=\"field-error\" id=\"\(HTML.escape(id))-error\">\(HTML.escape($0))</p>" } ?? ""
        if case .bool = field.type {
            return """
                <div class="field checkbox\(error == nil ? "" : " invalid")"><label><input type="checkbox" \(attributes) value="yes"\(text.isEmpty ? "" : " checked")> \(HTML.escape(field.label))</label>\(message)</div>
                """
        }
        return """
            <div class="field\(error == nil ? "" : " invalid")"><label for="\(HTML.escape(id))">\(HTML.escape(field.label))\(star)</label>
            \(control(attributes))\(hint.map { "<p class=\"hint\">\(HTML.escape($0))</p>" } ?? "")\(message)</div>
            """
    }

    private func control(_ attributes: String) -> String {
        let value = HTML.escape(text)
        switch field.type {
        case .text: return "<input type=\"text\" \(attributes) value=\"\(value)\">"
        case .email: return "<input type=\"email\" \(attributes) value=\"\(value)\">"
        case .url: return "<input type=\"url\" \(attributes) value=\"\(value)\" placeholder=\"https://\">"
        case .phone: return "<input type=\"tel\" \(attributes) value=\"\(value)\">"
        case .longText: return "<textarea \(attributes) rows=\"5\">\(value)</textarea>"
        case .textList: return "<textarea \(attributes) rows=\"3\">\(value)</textarea>"
        case .number, .money: return "<input type=\"number\" step=\"any\" \(attributes) value=\"\(value)\">"
        case .percent: return "<input type=\"number\" step=\"any\" min=\"0\" max=\"100\" \(attributes) value=\"\(value)\">"
        case .date: return "<input type=\"date\" \(attributes) value=\"\(value)\">"
        case .dateTime: return "<input type=\"datetime-local\" \(attributes) value=\"\(value)\">"
        case .bool: return ""
        case .choice(let choices): return select(attributes, options: choices.map { (value: $0, label: $0) })
        case .reference:
            guard case .options(let options) = reference else {
                return "<input type=\"text\" \(attributes) value=\"\(value)\">"
            }
            return select(attributes, options: options.map { (value: $0.id, label: $0.label) })
        }
    }

    /// A select with an empty choice first; a stored value no longer offered stays selectable.
    private func select(_ attributes: String, options: [(value: String, label: String)]) -> String {
        var options = options
        if !text.isEmpty, !options.contains(where: { $0.value == text }) { options.insert((value: text, label: text), at: 0) }
        let items: [(value: String, label: String)] = [(value: "", label: "—")] + options
        let html = items.map { value, label in
            "<option value=\"\(HTML.escape(value))\"\(value == text ? " selected" : "")>\(HTML.escape(label))</option>"
        }
        return "<select \(attributes)>\(html.joined())</select>"
    }

    private var hint: String? {
        switch field.type {
        case .textList: return "One per line, or separated by commas."
        case .dateTime: return "Time zone \(timeZone.identifier)."
        case .reference(let target):
            guard case .idInput? = reference else { return nil }
            let current = referenceName.map { " Now: \($0)." } ?? ""
            return target == nil
                ? "The record as module/id, e.g. opportunities/12 (the end of its page address).\(current)"
                : "The record's id, the number at the end of its page address (/\(target?.rawValue ?? "module")/12).\(current)"
        default: return nil
        }
    }
}
