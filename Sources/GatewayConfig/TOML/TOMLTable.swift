/// A TOML table: string keys to values, in the order the document defines them.
public struct TOMLTable: Sendable, Equatable {
    /// The keys in document order.
    public private(set) var keys: [String] = []
    private var values: [String: TOMLValue] = [:]

    public init() {}

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// The value for `key`; assigning a new key appends it, assigning `nil` removes it.
    public subscript(key: String) -> TOMLValue? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }
}

extension TOMLTable: Sequence {
    /// Visits the entries in document order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: TOMLValue)]> {
        keys.compactMap { key in values[key].map { (key, $0) } }.makeIterator()
    }
}
