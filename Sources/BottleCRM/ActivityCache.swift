import CRM

/// The latest emails of each record, read from BottleCRM, kept until the poll interval
/// passes or crmgate archives to the record.
actor ActivityCache {
    private struct Entry {
        var at: ContinuousClock.Instant
        /// The limit the list was read with, and whether it holds all the record has.
        var limit: Int
        var complete: Bool
        var emails: [ArchivedEmail]
    }

    private var cached: [RecordRef: Entry] = [:]

    /// The latest `limit` emails when a list read lately holds them.
    func emails(_ ref: RecordRef, limit: Int, maxAge: Duration) -> [ArchivedEmail]? {
        guard let hit = cached[ref], ContinuousClock.now - hit.at < maxAge,
              hit.limit >= limit || hit.complete else { return nil }
        return Array(hit.emails.prefix(limit))
    }

    func store(_ ref: RecordRef, limit: Int, complete: Bool, _ emails: [ArchivedEmail]) {
        cached[ref] = Entry(at: .now, limit: limit, complete: complete, emails: emails)
    }

    /// Adds an email crmgate just archived to the record's list, where it belongs by date;
    /// when that cannot be told (an email older than every one of a cut list), the list is
    /// read again next time.
    func add(_ email: ArchivedEmail, to ref: RecordRef) {
        guard var entry = cached[ref] else { return }
        entry.emails.removeAll { $0.id == email.id }
        let position = entry.emails.firstIndex { $0.date < email.date } ?? entry.emails.count
        guard position < entry.limit, entry.complete || position < entry.emails.count else {
            cached[ref] = nil
            return
        }
        entry.emails.insert(email, at: position)
        if entry.emails.count > entry.limit {
            entry.emails.removeLast()
            entry.complete = false
        }
        cached[ref] = entry
    }

    func forget(_ refs: [RecordRef]) { for ref in refs { cached[ref] = nil } }
}
