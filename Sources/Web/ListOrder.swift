import CRM
import EmbeddedCRM

/// The order of a record list, as `sort` in a list's URL and the API: a column's key,
/// `-` in front for descending. `-modified` (newest change first) is the default; the
/// columns are `modified`, `name`, `number`, `owner` and the module's field keys. Records
/// with the same value keep one order (by id), so pages never overlap.
struct ListOrder: Sendable, Equatable {
    var key: String
    var descending: Bool

    static let newestFirst = ListOrder(key: "modified", descending: true)

    init(key: String, descending: Bool) {
        self.key = key
        self.descending = descending
    }

    /// `name`, `-amount`; nil for anything but a `-` and a lower-case key.
    init?(rawValue: String) {
        let text = rawValue.trimmingCharacters(in: .whitespaces)
        let descending = text.hasPrefix("-")
        let key = descending ? String(text.dropFirst()) : text
        guard !key.isEmpty, key.allSatisfy({ ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "_" }) else { return nil }
        self.init(key: key, descending: descending)
    }

    var rawValue: String { (descending ? "-" : "") + key }

    /// The same column the other way round, for a header that flips the order.
    var reversed: ListOrder { ListOrder(key: key, descending: !descending) }

    /// The keys a module's lists sort by.
    static func keys(of module: ModuleDefinition) -> [String] {
        ["modified", "name"] + (module.numberPrefix != nil ? ["number"] : []) + ["owner"] + module.fields.map(\.key)
    }

    /// The CRM's sort for this order, nil when `module` has no such column.
    func recordSort(in module: ModuleDefinition) -> RecordSort? {
        let column: RecordSort.Key = switch key {
        case "modified": .modified
        case "name": .name
        case "number": .number
        case "owner": .owner
        default: .field(key)
        }
        if case .field(let field) = column, module.field(field) == nil { return nil }
        if column == .number, module.numberPrefix == nil { return nil }
        return RecordSort(column, descending: descending)
    }
}
