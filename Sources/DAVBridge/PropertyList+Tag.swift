import DAVCore

extension PropertyList {
    /// Adds `category` to CATEGORIES when missing (the user's categories stay) and sets the
    /// record id (`X-CRMGATE-ID`) by which a synced card or calendar item is found again if
    /// the sync state is lost.
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
