import CRM
import Foundation
import Synchronization

/// A BottleCRM profile (a user's membership of the organisation): crmgate's CRM user.
struct Profile: Sendable {
    /// The profile id: what `assigned_to` holds, and crmgate's `CRMUserID`.
    var id: String
    /// The user id: what `created_by` holds.
    var userID: String
    var email: String
    var name: String
    var active: Bool
    var isAdmin: Bool

    var user: CRMUser { CRMUser(id: CRMUserID(id), name: name, email: email, active: active) }

    /// Whether BottleCRM shows this record to the profile: admins see everything; others
    /// what they created or are assigned to (contacts also through their account's assignees).
    func sees(_ json: JSONValue, in module: ModuleKey) -> Bool {
        if isAdmin { return true }
        if BottleCRMConnector.assignees(json).contains(id) || BottleCRMConnector.creator(json) == userID { return true }
        if module == .contacts {
            return BottleCRMConnector.assignees(json["account_detail"]).contains(id) || BottleCRMConnector.assignees(json["account"]).contains(id)
        }
        return false
    }
}

/// BottleCRM's profiles by id and email, read with the admin token and kept for a while.
actor ProfileDirectory {
    private var byID: [String: Profile] = [:]
    private var byEmail: [String: Profile] = [:]
    private var readAt: ContinuousClock.Instant?

    func profile(email: String, client: BottleCRMClient, maxAge: Duration) async throws -> Profile? {
        try await refresh(client, maxAge: maxAge, missing: byEmail[email.lowercased()] == nil)
        return byEmail[email.lowercased()]
    }

    func profile(id: String, client: BottleCRMClient, maxAge: Duration) async throws -> Profile? {
        try await refresh(client, maxAge: maxAge, missing: byID[id] == nil)
        return byID[id]
    }

    /// Reads the profiles again when the copy is older than `maxAge`, or when a profile is
    /// missing and the copy is older than a few seconds (a user added just now).
    private func refresh(_ client: BottleCRMClient, maxAge: Duration, missing: Bool) async throws {
        if let readAt {
            let age = ContinuousClock.now - readAt
            if age < maxAge, !missing || age < .seconds(5) { return }
        }
        let answer = try await client.get("/api/users/", query: [("limit", "1000")])
        var profiles: [Profile] = []
        for (group, active) in [("active_users", true), ("inactive_users", false)] {
            for row in answer?[group][group].array ?? [] {
                guard let id = row["id"].string, let email = row["user_details"]["email"].string else { continue }
                profiles.append(Profile(id: id, userID: row["user_details"]["id"].string ?? "", email: email,
                                        name: row["user_details"]["name"].nonEmptyString ?? email,
                                        active: active && row["is_active"].bool != false, isAdmin: row["role"].string == "ADMIN"))
            }
        }
        byID = Dictionary(profiles.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        byEmail = Dictionary(profiles.map { ($0.email.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        readAt = .now
    }
}

/// One listing of a module at a time: callers who need it fresh while one runs wait for it.
actor RefreshCoordinator {
    private var running: [ModuleKey: Task<Void, any Error>] = [:]

    func run(_ module: ModuleKey, _ body: @escaping @Sendable () async throws -> Void) async throws {
        if let task = running[module] { return try await task.value }
        let task = Task { try await body() }
        running[module] = task
        defer { running[module] = nil }
        try await task.value
    }
}

/// Runs the writes of one idempotency key one after another, so concurrent calls with a
/// key find what the first one made instead of making it again.
actor KeyedSerializer {
    private var busy: [String: [CheckedContinuation<Void, Never>]] = [:]

    func run<T: Sendable>(_ key: String, _ body: @Sendable () async throws -> T) async throws -> T {
        if busy[key] != nil {
            await withCheckedContinuation { busy[key, default: []].append($0) }
        } else {
            busy[key] = []
        }
        defer {
            if var waiting = busy[key], !waiting.isEmpty {
                let next = waiting.removeFirst()
                busy[key] = waiting
                next.resume()
            } else {
                busy[key] = nil
            }
        }
        return try await body()
    }
}

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

/// crmgate's own writes by BottleCRM's clock, so that the activity feed's entries they
/// made are not read back: an entry by crmgate's user about a record, no later than a
/// second after crmgate's last write of it, is crmgate's own.
final class OwnWrites: Sendable {
    private struct State {
        var userID: String?
        var writes: [String: Date] = [:]
    }

    private let state = Mutex(State())

    func setUser(_ id: String?) { state.withLock { $0.userID = id } }

    func noteWrite(of id: String, answeredAt date: Date?) {
        guard let date else { return }
        state.withLock { state in
            state.writes[id] = max(state.writes[id] ?? date, date)
            if state.writes.count > 10_000 {
                let cutoff = date.addingTimeInterval(-3600)
                state.writes = state.writes.filter { $0.value > cutoff }
            }
        }
    }

    /// True when the activity (by `user` at `time`, about `id`) was crmgate's own write.
    func madeIt(user: String?, id: String, at time: Date?) -> Bool {
        state.withLock { state in
            guard let user, user == state.userID, let time, let written = state.writes[id] else { return false }
            return time <= written.addingTimeInterval(1)
        }
    }
}
