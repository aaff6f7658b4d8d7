/// A table while the document is being read: it remembers how it came to be,
/// which decides whether a later header or dotted key may add to it.
final class TOMLTableNode {
    enum Origin {
        /// Created as the parent of a header, e.g. `a` by `[a.b]`; `[a]` may still define it once.
        case implicit
        /// Defined by `[a]` or `[[a]]`, or the root table.
        case header
        /// Created by a dotted key, e.g. `a` by `a.b = 1`.
        case dotted
        /// An inline table under construction; it is frozen into a value when it closes.
        case inline
    }

    enum Entry {
        case value(TOMLValue)
        case table(TOMLTableNode)
        case tableArray([TOMLTableNode])
    }

    let path: [String]
    var origin: Origin
    /// Byte offset where the table was (last) defined, for messages.
    var definedAt: Int
    private(set) var order: [String] = []
    private(set) var entries: [String: Entry] = [:]
    private(set) var definedOffsets: [String: Int] = [:]

    init(path: [String], origin: Origin, definedAt: Int) {
        self.path = path
        self.origin = origin
        self.definedAt = definedAt
    }

    var dottedPath: String { TOMLKey.dotted(path) }

    subscript(key: String) -> Entry? { entries[key] }

    func offset(of key: String) -> Int { definedOffsets[key] ?? definedAt }

    func set(_ key: String, _ entry: Entry, definedAt offset: Int) {
        if entries.updateValue(entry, forKey: key) == nil {
            order.append(key)
            definedOffsets[key] = offset
        }
    }

    func frozen() -> TOMLTable {
        var table = TOMLTable()
        for key in order {
            switch entries[key] {
            case .value(let value): table[key] = value
            case .table(let node): table[key] = .table(node.frozen())
            case .tableArray(let nodes): table[key] = .array(nodes.map { .table($0.frozen()) })
            case nil: break
            }
        }
        return table
    }
}
