import CRM
import Foundation

/// A create or update request's body, checked against the module's fields:
/// `{"owner": "<user id or email>", "fields": {"<key>": <value or null>, …}}`.
///
/// This checks the shape and the JSON type of every value (400 when wrong). Whether a
/// value is allowed (choice lists, required fields, referenced records exist) is the
/// CRM's validation, answered 422.
struct RecordInput: Equatable {
    /// Field key → value; nil clears the field.
    var fields: [String: FieldValue?]
    /// The owner as given (a user id or an email address), nil when not given.
    var owner: String?

    /// Keys of the record JSON that the CRM sets itself.
    static let readOnlyKeys: Set<String> = ["id", "module", "number", "createdAt", "modifiedAt", "closed", "viewUrl", "editUrl"]

    init(_ body: [String: JSONValue], module: ModuleDefinition) throws(APIError) {
        for key in body.keys.sorted() where key != "fields" && key != "owner" {
            if Self.readOnlyKeys.contains(key) {
                throw APIError(.badRequest, "\"\(key)\" is set by the CRM and cannot be written; leave it out", field: key)
            }
            if module.field(key) != nil {
                throw APIError(.badRequest, "\"\(key)\" is a field of \(module.plural.lowercased()): send it inside \"fields\", as {\"fields\": {\"\(key)\": …}}", field: key)
            }
            throw APIError(.badRequest, "unknown key \"\(key)\"; a record body has \"fields\" and optionally \"owner\"", field: key)
        }
        owner = try Self.owner(body["owner"])
        fields = [:]
        switch body["fields"] {
        case nil, .null?:
            break
        case .object(let values)?:
            for key in values.keys.sorted() {
                guard let definition = module.field(key) else {
                    let known = module.fields.map(\.key).joined(separator: ", ")
                    throw APIError(.badRequest, "\(module.plural.lowercased()) have no field \"\(key)\"; their fields are \(known)", field: Self.path(key))
                }
                fields[key] = try Self.value(values[key] ?? .null, for: definition)
            }
        case let other?:
            throw APIError(.badRequest, "\"fields\" must be an object of field values, not \(other.kindDescription)", field: "fields")
        }
    }

    /// How errors name a field: `fields.<key>`, the place it has in the body.
    static func path(_ key: String) -> String { "fields." + key }

    private static func owner(_ value: JSONValue?) throws(APIError) -> String? {
        switch value {
        case nil: return nil
        case .string(let text)?:
            let text = text.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { break }
            return text
        case .object(let object)? where object.count == 1:
            if case .string(let id)? = object["id"] { return id }
            if case .string(let email)? = object["email"] { return email }
        default: break
        }
        throw APIError(.badRequest, "\"owner\" must be a CRM user's id or email address (a string), such as \"alice@example.com\"; leave it out to keep the owner (or, on create, to own the record yourself)", field: "owner")
    }

    /// The field value a JSON value stands for, or nil (clear) for `null`.
    static func value(_ json: JSONValue, for field: FieldDefinition) throws(APIError) -> FieldValue? {
        let wrongType = APIError(.badRequest, "\(field.label) (\(path(field.key))) must be \(expected(field.type)), not \(json.kindDescription)", field: path(field.key))
        switch (field.type, json) {
        case (_, .null):
            return nil
        case (.text, .string(let text)), (.longText, .string(let text)), (.email, .string(let text)),
             (.url, .string(let text)), (.phone, .string(let text)), (.choice, .string(let text)):
            return .text(text)
        case (.textList, .array(let items)):
            var list: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw wrongType }
                list.append(text)
            }
            return .list(list)
        case (.number, .number(let number)), (.money, .number(let number)), (.percent, .number(let number)):
            return .number(number)
        case (.bool, .bool(let bool)):
            return .bool(bool)
        case (.date, .string(let text)):
            guard let date = CalendarDate(text) else {
                throw APIError(.badRequest, "\(field.label) (\(path(field.key))) must be a date YYYY-MM-DD such as \"2026-04-30\", not \"\(text)\"", field: path(field.key))
            }
            return .date(date)
        case (.dateTime, .string(let text)):
            guard let date = APIDates.parse(text) else {
                throw APIError(.badRequest, "\(field.label) (\(path(field.key))) must be an ISO 8601 date and time with a time zone such as \"2026-04-30T14:00:00Z\", not \"\(text)\"", field: path(field.key))
            }
            return .dateTime(date)
        case (.reference(let target?), .string(let id)):
            return .reference(RecordRef(target, RecordID(id)))
        case (.reference, .object(let object)):
            guard object.count == 2, case .string(let module)? = object["module"], case .string(let id)? = object["id"] else {
                throw wrongType
            }
            return .reference(RecordRef(ModuleKey(module), RecordID(id)))
        default:
            throw wrongType
        }
    }

    /// The JSON a field type takes, for error messages.
    static func expected(_ type: FieldType) -> String {
        switch type {
        case .text, .longText, .url, .phone: "a string"
        case .email: "a string holding an email address"
        case .textList: "an array of strings"
        case .number, .money: "a number"
        case .percent: "a number from 0 to 100"
        case .bool: "true or false"
        case .date: "a date string YYYY-MM-DD"
        case .dateTime: "an ISO 8601 date-time string such as \"2026-04-30T14:00:00Z\""
        case .choice(let choices): "a string, one of \(choices.joined(separator: ", "))"
        case .reference(let target?): "the id (a string) of a record in \(target), or {\"module\": \"\(target)\", \"id\": …}"
        case .reference(nil): "an object {\"module\": …, \"id\": …} naming any record, such as {\"module\": \"accounts\", \"id\": \"7\"}"
        }
    }
}
