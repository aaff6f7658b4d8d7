import CRM

/// The subject line of a summary email: `{field}` placeholders separated by ` · `;
/// a segment whose placeholders are all empty is left out, so the subject reads well
/// whatever the record has filled in. Literal text around placeholders stays
/// (`closes {closeDate}`).
public struct SummaryTemplate: Hashable, Sendable {
    public var text: String

    public init(_ text: String) { self.text = text }

    /// The default template of a module: its name, then the fields that matter in a list.
    public static func standard(for module: ModuleDefinition) -> SummaryTemplate {
        switch module.key {
        case .opportunities: SummaryTemplate("{name} — {account} · {stage} · {amount} · closes {closeDate}")
        case .cases: SummaryTemplate("{number} {subject} · {status} · {priority} · {account}")
        case .quotes: SummaryTemplate("{name} · {stage} · {total} · valid until {validUntil}")
        case .projects: SummaryTemplate("{name} · {status} · ends {endDate}")
        default: SummaryTemplate("{\(module.nameField)}" + (module.field("status") != nil ? " · {status}" : ""))
        }
    }

    /// Placeholders the template names (`name`, `number`, `owner`, or a field key).
    public var placeholders: [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    func render(_ value: (String) -> String?) -> String {
        let segments = text.components(separatedBy: " · ").compactMap { segment -> String? in
            var output = ""
            var rest = Substring(segment)
            var anyFilled = false
            var anyPlaceholder = false
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                output += rest[..<open]
                anyPlaceholder = true
                let key = String(rest[rest.index(after: open)..<close])
                if let filled = value(key), !filled.isEmpty {
                    output += filled
                    anyFilled = true
                }
                rest = rest[rest.index(after: close)...]
            }
            output += rest
            let trimmed = output.trimmingCharacters(in: .whitespaces)
            if anyPlaceholder && !anyFilled { return nil }
            // "A — " when the part after the dash is empty.
            let cleaned = trimmed.hasSuffix(" —") ? String(trimmed.dropLast(2)) : trimmed
            return cleaned.isEmpty ? nil : cleaned
        }
        return segments.joined(separator: " · ")
    }
}
