import CRM
import Foundation
import MIMECore
import Synchronization

/// Everything a summary email shows about one record; the caller looks up names.
public struct SummaryInput: Sendable {
    public var crmName: String
    public var module: ModuleDefinition
    public var record: CRMRecord
    public var template: SummaryTemplate
    public var ownerName: String?
    /// Display names of the records the record's fields refer to.
    public var referenceNames: [RecordRef: String]
    /// Contacts related to the record (its contact, its account's contacts …): name and email.
    public var contacts: [(name: String, email: String?)]
    /// The latest archived emails, newest first.
    public var activities: [ArchivedEmail]
    public var viewURL: URL
    public var editURL: URL
    /// Dates and times as the reader sees them: their time zone, and "now" for the year.
    public var display: DisplayFormat

    public init(crmName: String, module: ModuleDefinition, record: CRMRecord, template: SummaryTemplate? = nil,
                ownerName: String?, referenceNames: [RecordRef: String] = [:], contacts: [(name: String, email: String?)] = [],
                activities: [ArchivedEmail] = [], viewURL: URL, editURL: URL, display: DisplayFormat = DisplayFormat(timeZone: .current)) {
        self.crmName = crmName; self.module = module; self.record = record
        self.template = template ?? .standard(for: module); self.ownerName = ownerName
        self.referenceNames = referenceNames; self.contacts = contacts; self.activities = activities
        self.viewURL = viewURL; self.editURL = editURL; self.display = display
    }
}

/// Renders the summary email of a record: a subject that reads well in a message list,
/// and a multipart/alternative body (plain text and HTML with inline CSS, no remote
/// images) with the key fields, related contacts, latest activities and View/Edit links.
/// The Message-ID is stable for one version of what the summary shows.
public enum SummaryRenderer {
    public static let maxActivities = 5

    public static func subject(_ input: SummaryInput) -> String {
        let formatter = FieldFormatter(display: input.display, referenceNames: input.referenceNames)
        let name = input.record.name(in: input.module)
        let rendered = input.template.render { key in
            switch key {
            case "name", input.module.nameField: return name
            case "number": return input.record.number
            case "owner": return input.ownerName
            default:
                guard let value = input.record.fields[key] else { return nil }
                let text = formatter.format(value, type: input.module.field(key)?.type,
                                            currency: input.record.fields["currency"]?.text)
                // Names often already say the account ("Website redesign - Acme Corp").
                if case .reference = value, name.localizedCaseInsensitiveContains(text) { return nil }
                return text
            }
        }
        return rendered.isEmpty ? name : rendered
    }

    /// A summary ready to store: its bytes and the version it shows. The version (and with
    /// it the Message-ID) changes exactly when what the summary shows changes.
    public struct Rendered: Sendable {
        public var raw: [UInt8]
        public var version: String
        public var messageID: String
    }

    /// The version of what the summary would show, without building the message.
    public static func version(_ input: SummaryInput) -> String {
        let rows = fieldRows(input)
        return contentVersion(subject(input), plainText(input, rows), html(input, rows))
    }

    /// The whole message, ready to append to a display folder.
    public static func render(_ input: SummaryInput, from address: String = "crm@crmgate.invalid") -> Rendered {
        let rows = fieldRows(input)
        let subject = subject(input)
        let plain = plainText(input, rows)
        let rich = html(input, rows)
        let version = contentVersion(subject, plain, rich)
        let messageID = "<summary.\(input.module.key).\(input.record.ref.id).\(version)@crmgate>"
        let raw = MessageBuilder.build(fields: [
            .init("From", MessageBuilder.address(name: input.crmName, address), structured: true),
            .init("Subject", subject),
            .init("Date", MessageBuilder.date(input.record.modifiedAt), structured: true),
            .init("Message-ID", messageID, structured: true),
            .init("X-CRMGate-Record", "\(input.module.key)/\(input.record.ref.id)", structured: true),
        ], body: .multipart(subtype: "alternative", parts: [.text(plain), .text(rich, subtype: "html")]))
        return Rendered(raw: raw, version: version, messageID: messageID)
    }

    /// FNV-1a of what the summary shows, as 16 hex digits.
    static func contentVersion(_ parts: String...) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts {
            for byte in part.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0xFF) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Label and formatted value of every filled field, in the module's order.
    static func fieldRows(_ input: SummaryInput) -> [(label: String, value: String)] {
        let formatter = FieldFormatter(display: input.display, referenceNames: input.referenceNames)
        var rows: [(String, String)] = []
        if let number = input.record.number { rows.append(("Number", number)) }
        for field in input.module.fields where field.key != "currency" {
            guard let value = input.record.fields[field.key] else { continue }
            let text = formatter.format(value, type: field.type, currency: input.record.fields["currency"]?.text)
            if !text.isEmpty { rows.append((field.label, text)) }
        }
        if let owner = input.ownerName { rows.append(("Owner", owner)) }
        rows.append(("Last changed", input.display.dateTime(input.record.modifiedAt)))
        return rows
    }

    static func plainText(_ input: SummaryInput, _ rows: [(label: String, value: String)]) -> String {
        let width = rows.map(\.label.count).max() ?? 0
        var lines = [input.record.name(in: input.module), String(repeating: "=", count: min(input.record.name(in: input.module).count, 72)), ""]
        for row in rows {
            let label = row.label + ":" + String(repeating: " ", count: width - row.label.count + 1)
            lines.append(label + row.value.replacingOccurrences(of: "\n", with: "\n" + String(repeating: " ", count: width + 2)))
        }
        if !input.contacts.isEmpty {
            lines += ["", "Contacts"]
            lines += input.contacts.map { "  " + $0.name + ($0.email.map { " <\($0)>" } ?? "") }
        }
        if !input.activities.isEmpty {
            lines += ["", "Latest activities"]
            lines += input.activities.prefix(maxActivities).map { "  \(input.display.dateTime($0.date))  \($0.subject)" }
        }
        lines += ["", "View: \(input.viewURL.absoluteString)", "Edit: \(input.editURL.absoluteString)"]
        return lines.joined(separator: "\n")
    }

    static func html(_ input: SummaryInput, _ rows: [(label: String, value: String)]) -> String {
        func e(_ s: String) -> String { s.htmlEscaped }
        let button = "display:inline-block;padding:6px 14px;border-radius:4px;text-decoration:none;font-weight:600;"
        var out = """
            <!doctype html><html><body style="margin:0;padding:16px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1d2430;background:#ffffff">
            <div style="font-size:12px;color:#5b6474;text-transform:uppercase;letter-spacing:.04em">\(e(input.crmName)) · \(e(input.module.singular))</div>
            <h1 style="font-size:20px;margin:4px 0 12px">\(e(input.record.name(in: input.module)))</h1>
            <p style="margin:0 0 16px"><a href="\(e(input.viewURL.absoluteString))" style="\(button)background:#2457c5;color:#ffffff">View</a>
            &nbsp;<a href="\(e(input.editURL.absoluteString))" style="\(button)background:#e8edf7;color:#2457c5">Edit</a></p>
            <table style="border-collapse:collapse;font-size:14px">
            """
        for row in rows {
            out += "<tr><td style=\"padding:4px 16px 4px 0;color:#5b6474;vertical-align:top\">\(e(row.label))</td>"
                + "<td style=\"padding:4px 0;vertical-align:top\">\(e(row.value).replacingOccurrences(of: "\n", with: "<br>"))</td></tr>"
        }
        out += "</table>"
        if !input.contacts.isEmpty {
            out += "<h2 style=\"font-size:15px;margin:18px 0 6px\">Contacts</h2><ul style=\"margin:0;padding-left:18px;font-size:14px\">"
            for contact in input.contacts {
                let email = contact.email.map { " &lt;<a href=\"mailto:\(e($0))\" style=\"color:#2457c5\">\(e($0))</a>&gt;" } ?? ""
                out += "<li>\(e(contact.name))\(email)</li>"
            }
            out += "</ul>"
        }
        if !input.activities.isEmpty {
            out += "<h2 style=\"font-size:15px;margin:18px 0 6px\">Latest activities</h2><ul style=\"margin:0;padding-left:18px;font-size:14px\">"
            for activity in input.activities.prefix(maxActivities) {
                out += "<li><span style=\"color:#5b6474\">\(e(input.display.dateTime(activity.date)))</span> \(e(activity.subject))</li>"
            }
            out += "</ul>"
        }
        return out + "</body></html>"
    }
}

extension SummaryInput {
    /// Everything a summary shows, for telling whether it changed without rendering it.
    /// "Now" counts by its year alone in the reader's zone, the only thing dates are
    /// formatted against (`15 Dec` this year, `15 Dec 2027` otherwise); a renderer that
    /// used more of it would have to add it here.
    struct Shown: Hashable, Sendable {
        var crmName: String
        var module: ModuleDefinition
        var record: CRMRecord
        var template: SummaryTemplate
        var ownerName: String?
        var referenceNames: [RecordRef: String]
        var contacts: [[String?]]
        var activities: [ArchivedEmail]
        var viewURL: URL
        var editURL: URL
        var timeZone: String
        var year: Int
    }

    var shown: Shown {
        Shown(crmName: crmName, module: module, record: record, template: template, ownerName: ownerName, referenceNames: referenceNames,
              contacts: contacts.map { [$0.name, $0.email] }, activities: activities, viewURL: viewURL, editURL: editURL,
              timeZone: display.timeZone.identifier, year: display.currentYear)
    }
}

/// The version of every record's summary as last computed, with what it showed. A folder
/// sync reconciles every shown record each time the CRM changes, and rendering a summary
/// to learn its version was most of that cost; now only records whose summary shows
/// something new are rendered. Shared by the synchronisations of one service.
final class SummaryVersions: Sendable {
    private let known = Mutex<[String: (shown: SummaryInput.Shown, version: String)]>([:])
    /// Records closed or deleted leave entries behind; past this many the memory starts over.
    static let capacity = 100_000

    /// The version of the summary of `input` (record `key`), rendered only if it changed.
    func version(of input: SummaryInput, key: String) -> String {
        let shown = input.shown
        if let known = known.withLock({ $0[key] }), known.shown == shown { return known.version }
        let version = SummaryRenderer.version(input)
        remember(shown, version: version, key: key)
        return version
    }

    func remember(_ shown: SummaryInput.Shown, version: String, key: String) {
        known.withLock { known in
            if known.count >= Self.capacity { known.removeAll() }
            known[key] = (shown, version)
        }
    }
}
