/// The order of a record list, as `sort` in a list's URL and the API: by the time of the
/// last change, newest first (`-modified`, the default) or oldest first (`modified`).
/// Records changed in the same instant keep one order (by id), so pages never overlap.
enum ListOrder: String, Sendable, CaseIterable {
    case newestFirst = "-modified"
    case oldestFirst = "modified"

    /// The other direction, for a column header that flips the order.
    var reversed: ListOrder { self == .newestFirst ? .oldestFirst : .newestFirst }
}
