import DAVCore

/// A card or a calendar component: what synced items have in common — the policy's
/// category, and the id of the record they stand for.
protocol TaggedItem {
    var properties: [ContentLine] { get set }
    var categories: [String] { get }
    func text(_ name: String) -> String?
    mutating func setText(_ name: String, _ text: String?)
}

extension VCard: TaggedItem {}
extension ICalComponent: TaggedItem {}

extension TaggedItem {
    /// Adds `category` to CATEGORIES when missing (the user's categories stay) and sets the
    /// record id (`X-CRMGATE-ID`) by which the item is found again if the sync state is lost.
    mutating func tag(category: String, crmID: String) {
        if !categories.contains(where: { $0.caseInsensitiveCompare(category) == .orderedSame }) {
            if let index = properties.firstIndex(where: { $0.name == "CATEGORIES" }) {
                properties[index].value += "," + TextValue.escape(category)
            } else {
                properties.append(ContentLine(name: "CATEGORIES", value: TextValue.escape(category)))
            }
        }
        if text(VCard.crmIDProperty) != crmID { setText(VCard.crmIDProperty, crmID) }
    }
}
