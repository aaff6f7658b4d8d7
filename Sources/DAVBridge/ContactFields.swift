import CRM
import DAVCore
import Foundation

/// The fields of a person that the CRM owns on a card: name, organization, title, emails,
/// phones, address and notes. Everything else on a card (photos, birthdays, other phones,
/// groups, X- properties) belongs to the user and is never touched.
///
/// Both sides are compared in this form: a card's `hash` changes only when one of these
/// fields does, so a user's edit of their own fields, or a server rewriting the card, is
/// not a change for the CRM.
struct ContactFields: Hashable {
    var firstName = ""
    var lastName = ""
    var organization = ""
    var title = ""
    /// Lower-cased, in the card's or record's order.
    var emails: [String] = []
    var phone = ""
    var mobile = ""
    /// Multi-line text: the non-empty ADR components, one per line.
    var address = ""
    var note = ""

    // MARK: - From either side

    init() {}

    init(card: VCard) {
        if let name = card.name {
            lastName = Self.joined(name.first ?? [])
            firstName = Self.joined(name.count > 1 ? name[1] : [])
        } else if let formatted = card.formattedName {
            let words = formatted.split(separator: " ")
            lastName = words.last.map(String.init) ?? ""
            firstName = words.dropLast().joined(separator: " ")
        }
        organization = Self.clean(card.organization.first ?? "")
        title = Self.clean(card.title ?? "")
        note = Self.clean(card.note ?? "")
        emails = card.emails.map { Self.clean($0.value).lowercased() }.filter { !$0.isEmpty }
        phone = Self.clean(Self.phoneLine(card, mobile: false).map { Self.telephone(card.properties[$0]) } ?? "")
        mobile = Self.clean(Self.phoneLine(card, mobile: true).map { Self.telephone(card.properties[$0]) } ?? "")
        if let index = Self.addressLine(card) {
            address = TextValue.components(card.properties[index].value).map(Self.joined).filter { !$0.isEmpty }.joined(separator: "\n")
        }
    }

    /// A record's fields; `organization` is its account's name (contacts) or its company (leads).
    init(record: CRMRecord, organization: String) {
        func text(_ key: String) -> String { Self.clean(record.fields[key]?.text ?? "") }
        firstName = text("firstName")
        lastName = text("lastName")
        self.organization = Self.clean(organization)
        title = text("title")
        emails = record.emailAddresses.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        phone = text("phone")
        mobile = text("mobile")
        address = text("address")
        note = text("description")
    }

    /// SHA-256 of the fields, hex: what "the card changed" means to the CRM.
    var hash: String {
        let parts = [firstName, lastName, organization, title, emails.joined(separator: "\u{1}"), phone, mobile, address, note]
        return digest(parts)
    }

    /// The record fields these stand for (the organization is the caller's: an account to
    /// match, or a lead's company). A last name is required by the CRM: a card with none
    /// uses its organization or email address.
    var recordFields: [String: FieldValue?] {
        func value(_ text: String) -> FieldValue? { text.isEmpty ? nil : .text(text) }
        let last = lastName.isEmpty ? (organization.isEmpty ? (emails.first ?? "(no name)") : organization) : lastName
        return ["firstName": value(firstName), "lastName": .text(last), "title": value(title),
                "emails": emails.isEmpty ? nil : .list(emails), "phone": value(phone), "mobile": value(mobile),
                "address": value(address), "description": value(note)]
    }

    // MARK: - Writing into a card

    /// A new card for a record: the fields, the CRM id, the category, a stable UID.
    static func newCard(uid: String, crmID: String, fields: ContactFields, category: String) -> VCard {
        var card = VCard(version: .v3, properties: [
            ContentLine(name: "PRODID", value: "-//crmgate//CRM contacts bridge//EN"),
            ContentLine(name: "UID", value: TextValue.escape(uid)),
        ])
        fields.patch(into: &card, over: ContactFields(card: card), crmID: crmID, category: category)
        return card
    }

    /// Writes these fields into `card` where they differ from `old` (what the card said),
    /// keeping the parameters and groups of the lines it changes and every other line.
    func patch(into card: inout VCard, over old: ContactFields, crmID: String, category: String) {
        if firstName != old.firstName || lastName != old.lastName || card.first("N") == nil {
            var line = card.first("N") ?? ContentLine(name: "N", value: "")
            line.value = TextValue.structured([[lastName], [firstName], [], [], []])
            card.replace("N", with: [line])
            card.setText("FN", displayName)
        } else if card.first("FN") == nil {
            card.setText("FN", displayName)
        }
        if organization != old.organization {
            if organization.isEmpty {
                card.replace("ORG", with: [])
            } else {
                var line = card.first("ORG") ?? ContentLine(name: "ORG", value: "")
                line.value = TextValue.structured([[organization]])
                card.replace("ORG", with: [line])
            }
        }
        if title != old.title { card.setText("TITLE", title.isEmpty ? nil : title) }
        if note != old.note { card.setText("NOTE", note.isEmpty ? nil : note) }
        if emails != old.emails {
            let existing = card.all("EMAIL")
            card.replace("EMAIL", with: emails.map { email in
                existing.first { TextValue.unescape($0.value).lowercased() == email }
                    ?? ContentLine(name: "EMAIL", parameters: [.init(name: "TYPE", values: ["work"])], value: TextValue.escape(email))
            })
        }
        if phone != old.phone { Self.setPhone(&card, phone, mobile: false) }
        if mobile != old.mobile { Self.setPhone(&card, mobile, mobile: true) }
        if address != old.address {
            if let index = Self.addressLine(card) {
                if address.isEmpty {
                    card.properties.remove(at: index)
                } else {
                    card.properties[index].value = TextValue.structured([[], [], [address], [], [], [], []])
                }
            } else if !address.isEmpty {
                card.properties.append(ContentLine(name: "ADR", parameters: [.init(name: "TYPE", values: ["work"])],
                                                   value: TextValue.structured([[], [], [address], [], [], [], []])))
            }
        }
        card.tag(category: category, crmID: crmID)
    }

    /// FN: the name, else the organization, else the first email address.
    private var displayName: String {
        let name = [firstName, lastName].filter { !$0.isEmpty }.joined(separator: " ")
        return name.isEmpty ? (organization.isEmpty ? (emails.first ?? "") : organization) : name
    }

    // MARK: - Which line holds what

    /// The phone the CRM's `mobile` (TYPE=cell) or `phone` (the first other voice number,
    /// work preferred) is kept in.
    private static func phoneLine(_ card: VCard, mobile: Bool) -> Int? {
        let phones = card.properties.indices.filter { card.properties[$0].name == "TEL" }
        if mobile { return phones.first { card.properties[$0].types.contains("cell") } }
        let voice = phones.filter { index in
            let types = card.properties[index].types
            return !types.contains("cell") && !types.contains("fax") && !types.contains("pager")
        }
        return voice.first { card.properties[$0].types.contains("work") } ?? voice.first
    }

    private static func setPhone(_ card: inout VCard, _ number: String, mobile: Bool) {
        if let index = phoneLine(card, mobile: mobile) {
            if number.isEmpty {
                card.properties.remove(at: index)
            } else {
                // As text (the default value type of TEL in 3.0 and 4.0): a `tel:` URI could
                // not keep the number as the CRM writes it.
                card.properties[index].parameters.removeAll { $0.name == "VALUE" }
                card.properties[index].value = TextValue.escape(number)
            }
        } else if !number.isEmpty {
            card.properties.append(ContentLine(name: "TEL", parameters: [.init(name: "TYPE", values: mobile ? ["cell"] : ["work", "voice"])],
                                               value: TextValue.escape(number)))
        }
    }

    /// The address the CRM's `address` is kept in: the work address, else the first.
    private static func addressLine(_ card: VCard) -> Int? {
        let addresses = card.properties.indices.filter { card.properties[$0].name == "ADR" }
        return addresses.first { card.properties[$0].types.contains("work") } ?? addresses.first
    }

    /// A TEL value as a number: a vCard 4.0 `tel:` URI loses its scheme.
    private static func telephone(_ line: ContentLine) -> String {
        let value = TextValue.unescape(line.value)
        return value.hasPrefix("tel:") ? String(value.dropFirst(4)) : value
    }

    private static func joined(_ list: [String]) -> String { clean(list.joined(separator: " ")) }

    /// Trimmed, with CRLF as LF: the same text whichever side wrote it.
    private static func clean(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
