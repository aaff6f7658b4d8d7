import CRM
import Foundation

/// How a record's fields are kept in the `record.fields` JSON column: an object of field
/// key → a one-key object naming the value's kind, e.g. `{"stage":{"text":"Proposal"},
/// "amount":{"number":"12000"}}`. Self-describing, so a record reads back exactly even
/// when a custom module's definition changed since it was written.
enum StoredFields {
    static func encode(_ fields: [String: FieldValue]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(fields.mapValues(StoredValue.init))
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ json: String) throws -> [String: FieldValue] {
        try JSONDecoder().decode([String: StoredValue].self, from: Data(json.utf8)).mapValues(\.value)
    }
}

/// One field value in its stored form.
private struct StoredValue: Codable {
    var value: FieldValue
    static let posix = Locale(identifier: "en_US_POSIX")

    init(_ value: FieldValue) { self.value = value }

    private enum Kind: String, CodingKey {
        case text, list, number, bool, date, dateTime, reference
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Kind.self)
        guard let kind = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a stored field value names no kind"))
        }
        switch kind {
        case .text: value = .text(try container.decode(String.self, forKey: kind))
        case .list: value = .list(try container.decode([String].self, forKey: kind))
        case .number:
            let text = try container.decode(String.self, forKey: kind)
            guard let number = Decimal(string: text, locale: Self.posix) else {
                throw DecodingError.dataCorruptedError(forKey: kind, in: container, debugDescription: "\"\(text)\" is not a number")
            }
            value = .number(number)
        case .bool: value = .bool(try container.decode(Bool.self, forKey: kind))
        case .date: value = .date(try container.decode(CalendarDate.self, forKey: kind))
        case .dateTime: value = .dateTime(Date(timeIntervalSinceReferenceDate: try container.decode(Double.self, forKey: kind)))
        case .reference:
            let parts = try container.decode([String].self, forKey: kind)
            guard parts.count == 2 else {
                throw DecodingError.dataCorruptedError(forKey: kind, in: container, debugDescription: "a reference needs a module and an id")
            }
            value = .reference(RecordRef(ModuleKey(parts[0]), RecordID(parts[1])))
        }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Kind.self)
        switch value {
        case .text(let text): try container.encode(text, forKey: .text)
        case .list(let list): try container.encode(list, forKey: .list)
        case .number(let number): try container.encode(number.description, forKey: .number)
        case .bool(let bool): try container.encode(bool, forKey: .bool)
        case .date(let date): try container.encode(date, forKey: .date)
        case .dateTime(let date): try container.encode(date.timeIntervalSinceReferenceDate, forKey: .dateTime)
        case .reference(let ref): try container.encode([ref.module.rawValue, ref.id.rawValue], forKey: .reference)
        }
    }
}
